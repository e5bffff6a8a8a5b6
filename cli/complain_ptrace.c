/* SPDX-License-Identifier: Apache-2.0 */
/*
 * complain_ptrace.c - the ptrace method of `callfence run --complain`
 * (docs/diagnose.md, "Methods"): for a process that already runs under a
 * seccomp filter, or where no listener can be had.
 *
 * No filter is installed. A child C runs cf_run (capabilities, user,
 * cgroup and all, with no filter) and is traced with its whole tree
 * (ptrace_loop.c); the command's calls are observed from its first
 * execve on (C's own, and the command's set-up before execve, are
 * callfence's). At each syscall-entry stop the call is taken as the
 * kernel reads it (PTRACE_GET_SYSCALL_INFO: audit arch, number with the
 * x32 bit, six arguments; AUDIT_ARCH_I386 for int $0x80); at its exit
 * stop the profile decides it (cf_filter_decide) and, when the call
 * failed or was rolled back (a TRAP), the outer probe tells whether the
 * filters above callfence denied it.
 *
 * The outer probe: a child forked from this process (so under the same
 * filter stack as the command, which got no filter from callfence) sets
 * no_new_privs and stacks one filter that answers every call but its own
 * exit_group with SECCOMP_RET_USER_NOTIF and has no listener, then makes
 * the call with the same number, ABI and arguments. The kernel runs the
 * whole stack and takes the strictest result; a USER_NOTIF without a
 * listener fails the call with ENOSYS, so the call never runs:
 *   - ERRNO(n) of an outer filter comes back as -n;
 *   - TRAP of an outer filter raises SIGSYS (SYS_SECCOMP, its data);
 *   - KILL_* of an outer filter kills the probe by SIGSYS;
 *   - anything weaker (ALLOW, LOG, TRACE, an outer USER_NOTIF: ours wins
 *     the tie) gives ENOSYS.
 * The call counts as denied by an outer filter when the probe's -n is
 * the command's own error (or on TRAP or KILL). ENOSYS from both the probe
 * and the command is ERRNO(ENOSYS) of an outer filter or a kernel's
 * ENOSYS: reported, marked uncertain. Not covered: filters the command
 * installs itself, and filters that look at the instruction pointer.
 */
#include "complain.h"

#include "bpf_asm.h"
#include "cli.h"
#include "ptrace_loop.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)

#define CP_CACHE 64
#define CP_SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS */

/* i386's int $0x80 with six arguments (ebx ecx edx esi edi ebp) */
long cf_complain_int80_6(long nr, long a0, long a1, long a2, long a3, long a4,
			 long a5);
__asm__(".text\n"
	".globl cf_complain_int80_6\n"
	".type cf_complain_int80_6,@function\n"
	"cf_complain_int80_6:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	mov %edi, %eax\n"
	"	mov %esi, %ebx\n"
	"	mov %ecx, %r10d\n"
	"	mov %edx, %ecx\n"
	"	mov %r10d, %edx\n"
	"	mov %r8d, %esi\n"
	"	mov %r9d, %edi\n"
	"	mov 24(%rsp), %ebp\n"
	"	int $0x80\n"
	"	cltq\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
	".size cf_complain_int80_6, .-cf_complain_int80_6\n"
	".section .note.GNU-stack,\"\",@progbits\n"
	".text\n");

enum cp_state { CP_NONE, CP_NO_FILTER, CP_RETURNED, CP_TRAPPED };

/* shared with the probe child (MAP_SHARED) */
struct cp_page {
	volatile int32_t state;
	volatile int64_t ret;
	volatile uint32_t data;
};

struct cp_cached {
	struct seccomp_data call; /* instruction_pointer zeroed */
	int err;
	bool denied;
	struct complain_outer outer;
};

struct cp_ctx {
	struct cli_complain *c;
	struct cp_page *page;
	struct cp_cached cache[CP_CACHE];
	size_t ncache, next;
};

static struct cp_page *cp_probe_page; /* the probe child's, for the handler */

#define NOSAN __attribute__((no_sanitize("address", "undefined")))

static NOSAN __attribute__((noreturn)) void cp_probe_exit(void)
{
	for (;;)
		cf_inspect_raw6(__NR_exit_group, 0, 0, 0, 0, 0, 0);
}

static NOSAN void cp_probe_trap(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == CP_SYS_SECCOMP) {
		cp_probe_page->data = (uint32_t)si->si_errno;
		cp_probe_page->state = CP_TRAPPED;
	}
	cp_probe_exit();
}

/* The probe child: nothing after the install but the probed call and
 * exit_group (the only call the filter lets through). */
static NOSAN __attribute__((noreturn)) void
cp_probe_child(const struct seccomp_data *d, struct cp_page *pg)
{
	struct sock_filter insns[] = {
	    ASM_X86_64_NR(3),
	    ASM_JEQ(__NR_exit_group, 0, 1),
	    ASM_RET(SECCOMP_RET_ALLOW),
	    ASM_RET(SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = {CF_ARRAY_LEN(insns), insns};
	struct sigaction sa;
	const __u64 *a = d->args;
	long r;

	cp_probe_page = pg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = cp_probe_trap;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    sigaction(SIGSYS, &sa, NULL) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		pg->state = CP_NO_FILTER;
		_exit(0);
	}
	if (d->arch == AUDIT_ARCH_I386)
		r = cf_complain_int80_6((long)(uint32_t)d->nr, (long)a[0],
					(long)a[1], (long)a[2], (long)a[3],
					(long)a[4], (long)a[5]);
	else
		r = cf_inspect_raw6((long)(uint32_t)d->nr, (long)a[0],
				    (long)a[1], (long)a[2], (long)a[3],
				    (long)a[4], (long)a[5]);
	pg->ret = r;
	pg->state = CP_RETURNED;
	cp_probe_exit();
}

/* What the outer filters answer d; true when they deny it with the
 * result the command got (err: its errno; 0 after a rollback). */
static bool cp_probe(struct cp_page *pg, const struct seccomp_data *d, int err,
		     struct complain_outer *out)
{
	int st = 0;
	pid_t pid;

	memset((void *)pg, 0, sizeof(*pg));
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		cp_probe_child(d, pg);
	if (pid < 0)
		return false;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	out->certain = true;
	if (pg->state == CP_TRAPPED) {
		out->action = SECCOMP_RET_TRAP | (pg->data & SECCOMP_RET_DATA);
		return true;
	}
	if (pg->state == CP_NONE && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) {
		out->action = SECCOMP_RET_KILL_PROCESS;
		return true;
	}
	if (pg->state != CP_RETURNED || pg->ret >= 0 || pg->ret < -4095 ||
	    -pg->ret != err)
		return false;
	out->action = SECCOMP_RET_ERRNO | (uint32_t)err;
	out->certain = err != ENOSYS;
	return true;
}

/* cp_probe, remembered for the last CP_CACHE distinct calls */
static bool cp_outer(struct cp_ctx *x, const struct seccomp_data *call, int err,
		     struct complain_outer *out)
{
	struct cp_cached *e;
	struct seccomp_data d = *call;

	d.instruction_pointer = 0;
	for (size_t i = 0; i < x->ncache; i++) {
		e = &x->cache[i];
		if (e->err == err && !memcmp(&e->call, &d, sizeof(d))) {
			*out = e->outer;
			return e->denied;
		}
	}
	e = &x->cache[x->next];
	x->next = (x->next + 1) % CP_CACHE;
	if (x->ncache < CP_CACHE)
		x->ncache++;
	memset(e, 0, sizeof(*e));
	e->call = d;
	e->err = err;
	e->denied = cp_probe(x->page, &d, err, &e->outer);
	*out = e->outer;
	return e->denied;
}

/* The exit of t's call: a failure (not a restart) or a rollback is put
 * to the outer probe. */
static void cp_call_done(struct cp_ctx *x, struct ptl_task *t, bool known,
			 int64_t rval, bool is_error)
{
	struct complain_outer outer;
	bool denied = false;

	t->in_call = false;
	if (known && is_error && rval < 0 && rval >= -4095 &&
	    !(rval <= -512 && rval >= -516)) /* ERESTART*: not a result */
		denied = cp_outer(x, &t->call, (int)-rval, &outer);
	else if (known && rval == (int64_t)(uint32_t)t->call.nr)
		denied = cp_outer(x, &t->call, 0, &outer); /* TRAP? */
	cli_complain_call(x->c, &t->call, (uint32_t)t->pid,
			  denied ? &outer : NULL);
}

static int cp_syscall(void *ctx, struct ptl_task *t)
{
	struct cp_ctx *x = ctx;
	struct __ptrace_syscall_info info;

	memset(&info, 0, sizeof(info));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof(info),
		   &info) < 0)
		return errno == ESRCH ? 0 : -errno;
	if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		if (t->in_call)
			cp_call_done(x, t, true, info.exit.rval,
				     info.exit.is_error);
		return 0;
	}
	if (info.op != PTRACE_SYSCALL_INFO_ENTRY)
		return -EPROTO;
	if (t->in_call) /* its exit stop never came */
		cp_call_done(x, t, false, 0, false);
	memset(&t->call, 0, sizeof(t->call));
	t->call.nr = (int)info.entry.nr;
	t->call.arch = info.arch;
	t->call.instruction_pointer = info.instruction_pointer;
	for (int i = 0; i < 6; i++)
		t->call.args[i] = info.entry.args[i];
	t->in_call = true;
	return 0;
}

/* execve by a thread other than the leader: the leader's call ended
 * with it, the execve is the former thread's, its exit stop the leader's */
static void cp_exec(void *ctx, struct ptl_task *t, struct ptl_task *former)
{
	struct cp_ctx *x = ctx;

	if (!former || !former->in_call)
		return;
	if (t->in_call)
		cp_call_done(x, t, false, 0, false);
	t->call = former->call;
	t->in_call = true;
}

/* A task that ended inside a call: exit, exit_group, a kill. */
static void cp_end(void *ctx, struct ptl_task *t, int status)
{
	struct cp_ctx *x = ctx;
	bool sigsys = WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;

	if (!t->in_call)
		return;
	if (sigsys) /* killed by a filter? then the probe is killed too */
		cp_call_done(x, t, true, (uint32_t)t->call.nr, false);
	else
		cp_call_done(x, t, false, 0, false);
}

struct cp_child {
	struct cf_run_opts *o;
	int (*run_cmd)(const struct cf_run_opts *o, void *arg);
	void *arg;
};

static void __attribute__((noreturn)) cp_child_main(void *p)
{
	struct cp_child *ch = p;
	int code = ch->run_cmd(ch->o, ch->arg);

	fflush(NULL);
	_exit(code);
}

int complain_ptrace_run(struct cf_run_opts *o, struct cli_complain *c,
			int (*run_cmd)(const struct cf_run_opts *o, void *arg),
			void *arg, int *exit_code)
{
	static const struct ptl_ops ops = {
	    .syscall_stops = true,
	    .armed_at_start = false,
	    .on_syscall = cp_syscall,
	    .on_exec = cp_exec,
	    .on_end = cp_end,
	};
	struct cp_child ch = {o, run_cmd, arg};
	struct ptl_result res = {0};
	struct cp_ctx *x = calloc(1, sizeof(*x));
	pid_t pid;
	int rc;

	*exit_code = CF_RUN_EXIT_FAILED;
	if (!x)
		return -ENOMEM;
	x->c = c;
	x->page = mmap(NULL, sizeof(*x->page), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (x->page == MAP_FAILED) {
		rc = -errno;
		free(x);
		return rc;
	}
	pid = ptl_start(cp_child_main, &ch, PTRACE_O_TRACESYSGOOD);
	rc = pid < 0 ? (int)pid : ptl_loop(pid, &ops, x, &res);
	if (pid > 0 && rc < 0) {
		kill(pid, SIGKILL);
		cli_errorf("complain (ptrace): tracing failed: %s",
			   strerror(-rc));
		rc = -ECANCELED;
	}
	if (rc == 0)
		*exit_code = res.exit_code;
	munmap(x->page, sizeof(*x->page));
	free(x);
	return rc;
}

#else /* not x86_64: no outer probe, no ptrace method */

int complain_ptrace_run(struct cf_run_opts *o, struct cli_complain *c,
			int (*run_cmd)(const struct cf_run_opts *o, void *arg),
			void *arg, int *exit_code)
{
	(void)o;
	(void)c;
	(void)run_cmd;
	(void)arg;
	*exit_code = CF_RUN_EXIT_FAILED;
	return -ENOSYS;
}

#endif
