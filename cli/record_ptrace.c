/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_ptrace.c - the ptrace backend of `callfence record`.
 *
 * The command runs under a one-instruction filter, RET SECCOMP_RET_TRACE,
 * and is traced with PTRACE_SEIZE and PTRACE_O_TRACESECCOMP: every system
 * call is one stop (PTRACE_SYSCALL would make two), where
 * PTRACE_GET_SYSCALL_INFO gives the number and the audit arch the kernel
 * decides the call under (AUDIT_ARCH_I386 for int $0x80 from a 64-bit
 * process; x32 calls carry bit 30 of the number). TRACEFORK, TRACEVFORK
 * and TRACECLONE attach every new process and thread (clone3 included)
 * before it runs; the filter is inherited, so each of their calls stops
 * too. EXITKILL: if callfence dies, the workload dies with it.
 *
 *   fork -> child waits on a pipe -> parent seizes it -> child: [nnp],
 *   seccomp(RET_TRACE), execvp -> parent: waitpid(-1, __WALL) loop until
 *   no tracee is left
 *
 * Without CAP_SYS_ADMIN the filter needs no_new_privs, which then holds
 * for the whole workload (setuid programs in it gain nothing).
 */
#include "record.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define RP_X32_BIT 0x40000000U

/* The ABI of a call: (audit arch, number) -> ABI index, the last answer
 * cached (nearly every call of a workload has the same arch). */
struct rp_abis {
	uint32_t arch;
	int abi;
	int x32;
};

static int rp_abi(struct rp_abis *c, uint32_t arch, uint32_t nr)
{
	if (arch == AUDIT_ARCH_X86_64 && (nr & RP_X32_BIT) && c->x32 >= 0)
		return c->x32;
	if (arch == c->arch)
		return c->abi;
	for (int i = 0; i < cf_abi_count(); i++)
		if (cf_abi_audit_arch(i) == arch && i != c->x32) {
			c->arch = arch;
			c->abi = i;
			return i;
		}
	return -1;
}

static volatile sig_atomic_t rp_child_pid;

/* A signal sent to callfence (kill, not the terminal: that one reaches
 * the command's process group itself) is passed on to the command. */
static void rp_forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (rp_child_pid > 0 && si->si_code <= 0)
		kill((pid_t)rp_child_pid, sig);
}

static void rp_signals(bool install)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	if (install) {
		sa.sa_sigaction = rp_forward;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
	} else {
		sa.sa_handler = SIG_DFL;
	}
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < CF_ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* The child: wait until seized, install the filter, exec. Reports an
 * errno on errfd (CLOEXEC: EOF = execve happened). */
static void __attribute__((noreturn))
rp_child(char *const *argv, int syncfd, int errfd, bool nnp)
{
	static struct sock_filter trace[] = {
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
	};
	struct sock_fprog prog = {1, trace};
	char c;
	int e;

	rp_signals(false);
	while (read(syncfd, &c, 1) < 0 && errno == EINTR)
		;
	close(syncfd);
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		goto fail;
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(CF_RUN_EXIT_FAILED);
	_exit(e == ENOENT ? CF_RUN_EXIT_NOT_FOUND : CF_RUN_EXIT_CANNOT_RUN);
}

static bool rp_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

/* clone3's flags word as clone would take it: clone_args.flags |
 * clone_args.exit_signal, read from the tracee (the struct is all u64
 * fields on every ABI: flags at 0, exit_signal at 32). */
static int rp_clone3_word(pid_t pid, uint64_t ptr, uint64_t *word)
{
	uint64_t ca[5];
	struct iovec local = {ca, sizeof(ca)};
	struct iovec remote = {(void *)(uintptr_t)ptr, sizeof(ca)};

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) !=
	    (ssize_t)sizeof(ca))
		return -1;
	*word = ca[0] | ca[4];
	return 0;
}

/* --args: the values of the arguments the library asks for. A clone3
 * whose struct cannot be read gets no value: it is then allowed
 * whatever its flags (the summary says so). */
static int rp_args(pid_t pid, int abi, const struct __ptrace_syscall_info *in,
		   struct cf_record *obs)
{
	uint32_t nr = (uint32_t)in->seccomp.nr;
	uint32_t mask = cf_record_arg_mask(abi, nr);
	const char *name;
	uint64_t w;

	if (!mask)
		return 0;
	name = cf_syscall_name(abi, nr);
	if (name && !strcmp(name, "clone3")) {
		if (rp_clone3_word(pid, in->seccomp.args[0], &w) < 0)
			return 0;
		return cf_record_add_arg(obs, abi, nr, 0, w);
	}
	for (unsigned a = 0; a < 6; a++)
		if (mask >> a & 1 &&
		    cf_record_add_arg(obs, abi, nr, a, in->seccomp.args[a]) < 0)
			return -ENOMEM;
	return 0;
}

/* One seccomp stop: the call, then on with it. */
static int rp_syscall(pid_t pid, struct rp_abis *abis, struct cf_record *obs,
		      struct rec_result *res)
{
	struct __ptrace_syscall_info info;
	long n;
	int abi;

	memset(&info, 0, sizeof(info));
	n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info), &info);
	if (n < 0)
		return errno == ESRCH ? 0 : -errno; /* killed meanwhile */
	if (info.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return -EPROTO;
	abi = rp_abi(abis, info.arch, (uint32_t)info.seccomp.nr);
	if (abi < 0) {
		snprintf(res->why, sizeof(res->why),
			 "a call under audit arch 0x%x, which callfence does "
			 "not know",
			 info.arch);
		res->lost = true;
	} else if (cf_record_add(obs, abi, (uint32_t)info.seccomp.nr, 1) < 0 ||
		   (res->args && rp_args(pid, abi, &info, obs) < 0)) {
		return -ENOMEM;
	}
	res->events++;
	return 0;
}

/* One stop of a tracee: what it was, and how to let it go on. */
static int rp_stop(pid_t pid, int st, struct rp_abis *abis,
		   struct cf_record *obs, struct rec_result *res)
{
	int sig = WSTOPSIG(st), event = (unsigned)st >> 16, rc = 0;
	long r;

	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		rc = rp_syscall(pid, abis, obs, res);
		sig = 0;
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		res->tasks++;
		sig = 0;
		break;
	case PTRACE_EVENT_STOP:
		if (rp_stop_signal(sig)) { /* group-stop: stay stopped */
			r = ptrace(PTRACE_LISTEN, pid, 0, 0);
			return r < 0 && errno != ESRCH ? -errno : 0;
		}
		sig = 0; /* a new tracee's first stop */
		break;
	case 0:
		break; /* signal-delivery-stop: deliver it */
	default:
		sig = 0; /* exec, exit */
	}
	if (rc < 0)
		return rc;
	r = ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig);
	return r < 0 && errno != ESRCH ? -errno : 0;
}

static int rp_loop(pid_t child, struct cf_record *obs, struct rec_result *res)
{
	struct rp_abis abis = {0, -1, cf_abi_lookup("x32")};
	bool main_done = false;
	int st, rc;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &st, __WALL);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 && errno == ECHILD)
			break;
		if (pid < 0)
			return -errno;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == child) {
				res->exit_code = cf_run_exit_code(st);
				main_done = true;
			}
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		rc = rp_stop(pid, st, &abis, obs, res);
		if (rc < 0)
			return rc;
	}
	return main_done ? 0 : -ECHILD;
}

/* After the loop: did the command run, or did its execve fail? */
static void rp_exec_status(int errfd, struct rec_result *res)
{
	int e = 0;
	ssize_t n;

	do
		n = read(errfd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(e))
		res->exec_errno = e ? e : EIO;
}

static int rp_run(char *const *argv, struct cf_record *obs,
		  struct rec_result *res)
{
	unsigned long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK |
			     PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
			     PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	int syncp[2], errp[2], rc;
	pid_t pid;

	res->nnp = !(cf_run_invoker_caps() >> CAP_SYS_ADMIN & 1);
	res->tasks = 1;
	if (pipe2(syncp, O_CLOEXEC) < 0)
		goto sys_fail;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(syncp[0]);
		close(syncp[1]);
		goto sys_fail;
	}
	fflush(NULL);
	rp_signals(true);
	pid = fork();
	if (pid == 0) {
		close(syncp[1]);
		close(errp[0]);
		rp_child(argv, syncp[0], errp[1], res->nnp);
	}
	close(syncp[0]);
	close(errp[1]);
	if (pid < 0) {
		close(syncp[1]);
		close(errp[0]);
		rp_signals(false);
		goto sys_fail;
	}
	rp_child_pid = pid;
	if (ptrace(PTRACE_SEIZE, pid, 0, (void *)opts) < 0) {
		int e = errno;

		kill(pid, SIGKILL);
		close(syncp[1]);
		waitpid(pid, NULL, 0);
		close(errp[0]);
		rp_signals(false);
		cli_errorf("cannot trace the command: ptrace: %s%s",
			   strerror(e),
			   e == EPERM ? " (kernel.yama.ptrace_scope, or a "
					"sandbox that forbids ptrace)"
				      : "");
		return -1;
	}
	close(syncp[1]); /* the child goes on */
	rc = rp_loop(pid, obs, res);
	rp_child_pid = 0;
	rp_signals(false);
	if (rc < 0) {
		kill(pid, SIGKILL);
		close(errp[0]);
		cli_errorf("recording failed: %s", strerror(-rc));
		return -1;
	}
	rp_exec_status(errp[0], res);
	close(errp[0]);
	return 0;
sys_fail:
	cli_errorf("cannot start the command: %s", strerror(errno));
	return -1;
}

const struct rec_backend rec_backend_ptrace = {"ptrace", rp_run};
