/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe [NAME...] - makes harmless system calls (bad fds, NULL or bad
 * pointers, impossible sizes), each in a forked child, and prints one line
 * per call: "NAME ok", "NAME EPERM", ... or "NAME SIGSYS" when killed.
 * x86_64. Used by tests/test_run.c and tools/docker-compare (built static
 * there, to run in a busybox container).
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct probe {
	const char *name;
	long nr;
	long a[6];
};

#define NOFILE ((long)"/nonexistent-callfence/x")
#define BADFD (-1L)

static int probe_one(const struct probe *p)
{
	long r = syscall(p->nr, p->a[0], p->a[1], p->a[2], p->a[3], p->a[4],
			 p->a[5]);

	if (r == 0 && p->a[5] == 0x5ee && p->nr == SYS_clone)
		_exit(0); /* the clone child */
	if (r < 0)
		printf("%s %s\n", p->name, strerrorname_np(errno));
	else
		printf("%s ok\n", p->name);
	fflush(stdout);
	return 0;
}

static void probe_run(const struct probe *p)
{
	pid_t pid;
	int ws;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("%s fork-failed\n", p->name);
		return;
	}
	if (pid == 0)
		_exit(probe_one(p));
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(ws))
		printf("%s %s\n", p->name,
		       sigabbrev_np(WTERMSIG(ws)) ? sigabbrev_np(WTERMSIG(ws))
						  : "signal");
}

int main(int argc, char **argv)
{
	const struct probe t[] = {
	    {"chmod", SYS_chmod, {NOFILE, 0}},
	    {"fchmodat", SYS_fchmodat, {BADFD, NOFILE, 0}},
	    {"fchmodat2", 452, {BADFD, NOFILE, 0, 0}},
	    {"chown", SYS_chown, {NOFILE, 0, 0}},
	    {"mkdir", SYS_mkdir, {NOFILE, 0700}},
	    {"unlink", SYS_unlink, {NOFILE}},
	    {"rename", SYS_rename, {NOFILE, NOFILE}},
	    {"getpid", SYS_getpid, {0}},
	    {"unshare-user", SYS_unshare, {CLONE_NEWUSER}},
	    {"unshare-ns", SYS_unshare, {CLONE_NEWNS}},
	    {"clone-newuser",
	     SYS_clone,
	     {CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0, 0x5ee}},
	    {"clone3", 435, {0, 0}},
	    {"setns", SYS_setns, {BADFD, 0}},
	    {"mount", SYS_mount, {NOFILE, NOFILE, 0, 0, 0}},
	    {"umount2", SYS_umount2, {NOFILE, 0}},
	    {"pivot_root", SYS_pivot_root, {NOFILE, NOFILE}},
	    {"chroot", SYS_chroot, {NOFILE}},
	    {"sethostname", SYS_sethostname, {0, 100000}},
	    {"setdomainname", SYS_setdomainname, {0, 100000}},
	    {"syslog", SYS_syslog, {10, 0, 0}},
	    {"ptrace", SYS_ptrace, {0x7fff, -1, 0, 0}},
	    {"personality-query", SYS_personality, {0xffffffffL}},
	    /* AF_VSOCK (40) and AF_ALG (38) with the upper half of the int
	     * set: the kernel reads 40 and 38 (--harden) */
	    {"socket-vsock", SYS_socket, {40, SOCK_STREAM, 0}},
	    {"socket-vsock-hi", SYS_socket, {0x100000028L, SOCK_STREAM, 0}},
	    {"socket-alg-hi", SYS_socket, {0x100000026L, SOCK_SEQPACKET, 0}},
	    {"personality-query-sext", SYS_personality, {-1L}},
	    {"personality-0x8", SYS_personality, {0x8}},
	    {"personality-bad", SYS_personality, {0x4000000}},
	    {"kexec_load", SYS_kexec_load, {0, 1000, 0, 0}},
	    {"reboot", SYS_reboot, {0, 0, 0, 0}},
	    {"delete_module", SYS_delete_module, {NOFILE, O_NONBLOCK}},
	    {"bpf", SYS_bpf, {-1, 0, 0}},
	    {"perf_event_open", SYS_perf_event_open, {0, 0, -1, -1, 0}},
	    {"add_key", SYS_add_key, {0, 0, 0, 0, 0}},
	    {"keyctl", SYS_keyctl, {-1, 0, 0, 0, 0}},
	    {"io_uring_setup", 425, {0, 0}},
	    {"userfaultfd", SYS_userfaultfd, {-1}},
	    {"open_tree", 428, {BADFD, 0, 0}},
	    {"fsopen", 430, {0, 0}},
	    {"pidfd_open", 434, {-1, 0}},
	    {"pidfd_getfd", 438, {BADFD, BADFD, 0}},
	    {"process_madvise", 440, {BADFD, 0, 0, 0, 0}},
	    {"landlock_create_ruleset", 444, {0, 0, 1}},
	    {"futex_waitv", 449, {0, 0, 0, 0, 0}},
	    {"cachestat", 451, {BADFD, 0, 0, 0}},
	    {"map_shadow_stack", 453, {0, 0, 0}},
	    {"futex_wake", 454, {0, 0, 0, 0}},
	    {"statmount", 457, {0, 0, 0, 0}},
	    {"listmount", 458, {0, 0, 0, 0}},
	    {"lsm_list_modules", 461, {0, 0, 0}},
	    {"mseal", 462, {1, 0, 0}},
	    {"setxattrat", 463, {BADFD, 0, 0, 0, 0, 0}},
	    {"file_getattr", 468, {BADFD, 0, 0, 0, 0}},
	    {"listns", 470, {0, 0, 0, 0}},
	    {"nr1000", 1000, {0}},
	    {"nfsservctl", 180, {0}},
	    {"tuxcall", 184, {0}},
	    {"swapoff", SYS_swapoff, {NOFILE}},
	    {"clock_settime", SYS_clock_settime, {0, 0}},
	    {"adjtimex", SYS_adjtimex, {0}},
	    {"quotactl", SYS_quotactl, {0, 0, 0, 0}},
	    {"iopl", SYS_iopl, {0}},
	    {"ioperm", SYS_ioperm, {0, 0, 0}},
	    {"open_by_handle_at", SYS_open_by_handle_at, {BADFD, 0, 0}},
	    {"process_vm_readv", SYS_process_vm_readv, {0, 0, 0, 0, 0, 0}},
	    {"kcmp", SYS_kcmp, {0, 0, -1, 0, 0}},
	    {"fanotify_init", SYS_fanotify_init, {0xffffffffL, 0}},
	    {"socket-inet", SYS_socket, {2, 1, 0}},
	    {"socket-vsock", SYS_socket, {40, 1, 0}},
	    {"socket-netlink-audit", SYS_socket, {16, 3, 9}},
	    {"mbind", SYS_mbind, {0, 0, 0, 0, 0, 0}},
	    {"set_mempolicy", SYS_set_mempolicy, {0, 0, 0}},
	    {"move_pages", SYS_move_pages, {0, 0, 0, 0, 0, 0}},
	    {"acct-bad", SYS_acct, {NOFILE}},
	    {"settimeofday-null", SYS_settimeofday, {0, 0}},
	    {"name_to_handle_at", SYS_name_to_handle_at, {BADFD, 0, 0, 0, 0}},
	    {"vmsplice", SYS_vmsplice, {BADFD, 0, 0, 0}},
	    {"get_mempolicy", SYS_get_mempolicy, {0, 0, 0, 0, 0}},
	    {"lookup_dcookie", SYS_lookup_dcookie, {0, 0, 0}},
	    {"uselib", SYS_uselib, {NOFILE}},
	};
	size_t n = sizeof(t) / sizeof(t[0]);

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n; i++) {
		bool want = argc < 2;

		for (int j = 1; j < argc && !want; j++)
			want = !strcmp(argv[j], t[i].name);
		if (want)
			probe_run(&t[i]);
	}
	return 0;
}
