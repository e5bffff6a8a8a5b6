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
 *   ptl_start (ptrace_loop.c): fork, seize -> child: [nnp],
 *   seccomp(RET_TRACE), execvp -> ptl_loop until no tracee is left
 *
 * Without CAP_SYS_ADMIN the filter needs no_new_privs, which then holds
 * for the whole workload (setuid programs in it gain nothing).
 */
#include "record.h"

#include "bpf_asm.h"
#include "cli.h"
#include "ptrace_loop.h"

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

void rec_ptrace_init(struct rec_ptrace *r, struct cf_record *obs,
		     struct rec_result *res, bool args)
{
	*r = (struct rec_ptrace){obs, res, args, 0, -1, cf_abi_lookup("x32")};
}

/* The ABI index of a call, or -1 (an arch callfence does not know). */
static int rp_abi(struct rec_ptrace *r, uint32_t arch, uint32_t nr)
{
	if (arch == AUDIT_ARCH_X86_64 && (nr & RP_X32_BIT) && r->x32 >= 0)
		return r->x32;
	if (arch == r->arch)
		return r->abi;
	for (int i = 0; i < cf_abi_count(); i++)
		if (cf_abi_audit_arch(i) == arch && i != r->x32) {
			r->arch = arch;
			r->abi = i;
			return i;
		}
	return -1;
}

int rec_ptrace_call(struct rec_ptrace *r, pid_t pid, uint32_t arch, uint32_t nr,
		    const uint64_t *args)
{
	int abi = rp_abi(r, arch, nr);

	if (abi < 0) {
		snprintf(r->res->why, sizeof(r->res->why),
			 "a call under audit arch 0x%x, which callfence does "
			 "not know",
			 arch);
		r->res->lost = true;
	} else if (cf_record_add(r->obs, abi, nr, 1) < 0 ||
		   (r->args &&
		    rec_ptrace_args(pid, abi, nr, args, r->obs, r->res) < 0)) {
		return -ENOMEM;
	}
	r->res->events++;
	return 0;
}

/* (the eBPF backend's; the ptrace backend's tracer forwards its own) */
void rec_forward_signals(pid_t child)
{
	ptl_pass_signals(child);
}

void rec_forward_to(pid_t child)
{
	ptl_forward_to(child);
}

struct rp_child_arg {
	char *const *argv;
	int errfd;
	bool nnp;
};

/* The child, once seized: install the filter, exec. Reports an errno on
 * errfd (CLOEXEC: EOF = execve happened). */
static void __attribute__((noreturn)) rp_child(void *arg)
{
	static struct sock_filter trace[] = {
	    ASM_RET(SECCOMP_RET_TRACE),
	};
	const struct rp_child_arg *a = arg;
	struct sock_fprog prog = {1, trace};
	int e;

	if (a->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		goto fail;
	execvp(a->argv[0], a->argv);
fail:
	e = errno;
	if (write(a->errfd, &e, sizeof(e)) < 0)
		_exit(CF_RUN_EXIT_FAILED);
	_exit(e == ENOENT ? CF_RUN_EXIT_NOT_FOUND : CF_RUN_EXIT_CANNOT_RUN);
}

/* clone3's flags word as clone would take it, clone_args.flags |
 * clone_args.exit_signal, read from the struct at ptr in task pid (all
 * u64 fields on every ABI: flags at 0, exit_signal at 32). 0, or -1 when
 * it cannot be read. */
static int rp_clone3_word(pid_t pid, uint64_t ptr, uint64_t *word)
{
	uint64_t ca[5]; /* flags, pidfd, child_tid, parent_tid, exit_signal */
	struct iovec local = {ca, sizeof(ca)};
	struct iovec remote = {(void *)(uintptr_t)ptr, sizeof(ca)};

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) !=
	    (ssize_t)sizeof(ca))
		return -1;
	*word = ca[0] | ca[4];
	return 0;
}

int rec_ptrace_args(pid_t pid, int abi, uint32_t nr, const uint64_t *args,
		    struct cf_record *obs, struct rec_result *res)
{
	uint32_t mask = cf_record_arg_mask(abi, nr);
	const char *name = cf_syscall_name(abi, nr);
	uint64_t w;

	if (mask && name && !strcmp(name, "clone3")) {
		if (rp_clone3_word(pid, args[0], &w) == 0)
			return cf_record_add_arg(obs, abi, nr, 0, w);
		snprintf(res->why, sizeof(res->why),
			 "cannot read clone3's struct clone_args in task %d "
			 "(its flags are unknown)",
			 (int)pid);
		res->lost = true;
		return 0;
	}
	for (unsigned a = 0; a < 6; a++)
		if (mask >> a & 1 &&
		    cf_record_add_arg(obs, abi, nr, a, args[a]) < 0)
			return -ENOMEM;
	return 0;
}

/* One seccomp stop: the call. */
static int rp_syscall(void *ctx, struct ptl_task *t)
{
	struct __ptrace_syscall_info info;
	long n;

	memset(&info, 0, sizeof(info));
	n = ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof(info),
		   &info);
	if (n < 0)
		return errno == ESRCH ? 0 : -errno; /* killed meanwhile */
	if (info.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return -EPROTO;
	return rec_ptrace_call(ctx, t->pid, info.arch,
			       (uint32_t)info.seccomp.nr, info.seccomp.args);
}

/* After the loop: did the command run, or did its execve fail? */
void rec_exec_status(int errfd, struct rec_result *res)
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
	static const struct ptl_ops ops = {
	    .syscall_stops = false,
	    .armed_at_start = true,
	    .on_syscall = rp_syscall,
	};
	struct rec_ptrace ctx;
	struct rp_child_arg arg = {argv, -1, false};
	struct ptl_result pr = {0};
	int errp[2], rc;
	pid_t pid;

	rec_ptrace_init(&ctx, obs, res, res->args);
	res->nnp = arg.nnp = !(cf_run_invoker_caps() >> CAP_SYS_ADMIN & 1);
	if (pipe2(errp, O_CLOEXEC) < 0) {
		cli_errorf("cannot start the command: %s", strerror(errno));
		return -1;
	}
	arg.errfd = errp[1];
	pid = ptl_start(rp_child, &arg, PTRACE_O_TRACESECCOMP);
	close(errp[1]);
	if (pid < 0) {
		close(errp[0]);
		cli_errorf("cannot trace the command: ptrace: %s%s",
			   strerror((int)-pid),
			   pid == -EPERM ? " (kernel.yama.ptrace_scope, or a "
					   "sandbox that forbids ptrace)"
					 : "");
		return -1;
	}
	rc = ptl_loop(pid, &ops, &ctx, &pr);
	res->tasks = pr.tasks;
	res->exit_code = pr.exit_code;
	if (rc < 0) {
		kill(pid, SIGKILL);
		close(errp[0]);
		cli_errorf("recording failed: %s", strerror(-rc));
		return -1;
	}
	rec_exec_status(errp[0], res);
	close(errp[0]);
	return 0;
}

const struct rec_backend rec_backend_ptrace = {"ptrace", rp_run};
