/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inspect_probe.c - what the calling process's seccomp filters decide for
 * every syscall number, found without letting any probed call run.
 *
 * The supervisor (this process) clones a probe process P that shares its
 * descriptor table (CLONE_FILES) and memory page `struct shm` (MAP_SHARED).
 * P sets no_new_privs, becomes undumpable and starts a thread T. T alone
 * stacks a filter that returns SECCOMP_RET_USER_NOTIF for every call but
 * its own two housekeeping calls (write and exit carrying a cookie in the
 * sixth argument, which a probe never has: probes pass all-zero
 * arguments); the listener lands in the shared table, where the supervisor
 * reads it. Only then does T make the probed calls, one after the other.
 * The kernel returns the strictest result of the stack, and USER_NOTIF
 * ranks below KILL_*, TRAP and ERRNO and above TRACE, LOG and ALLOW:
 *
 *   - a call the old filters allow (or LOG, or TRACE) reaches the
 *     supervisor, which marks it seen and answers ENOSYS: nothing runs;
 *   - ERRNO(n) comes back to T as -n without a notification;
 *   - TRAP delivers SIGSYS to T: its handler records SECCOMP_RET_DATA
 *     (si_errno) and ends T;
 *   - KILL_THREAD ends T only (P's main thread survives and exits 0 with
 *     no result recorded for the current number);
 *   - KILL_PROCESS ends P by SIGSYS.
 * After a TRAP or a kill the supervisor starts a new P at the next number.
 * If T cannot install its filter, it makes no probe. int $0x80 faulting
 * (SIGSEGV) before any seccomp check means the kernel runs no i386 call.
 */
#include "bpf_asm.h"
#include "cli.h"
#include "inspect.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)

#define X32_BIT 0x40000000U
#define COOKIE 0x6366696e73706563ULL /* "cfinspec" */
#define MAXN 2048
#define T_STACK (64 * 1024)

enum kind { K_X86_64, K_X32, K_I386 };
enum state {
	S_START,
	S_INSTALLED,
	S_INSTALL_FAILED,
	S_DONE,
	S_TRAP,
	S_FAULT,
	S_RAN
};

/* shared between the supervisor, P and T (MAP_SHARED) */
struct shm {
	volatile int32_t state, err, fd, notified;
	volatile uint32_t cur, trap_data;
	volatile int64_t ret;
	uint32_t lo, start, hi;
	int kind, pipe_wr;
	struct sock_fprog prog;
	struct sock_filter insns[16];
	volatile int32_t tid; /* CLONE_PARENT_SETTID / CLONE_CHILD_CLEARTID */
	volatile uint8_t known[MAXN];
	volatile uint32_t act[MAXN];
};

/* P's copy: the signal handler finds the page here */
static struct shm *probe_shm;

/* the six-argument syscall, for T's housekeeping (no errno, no libc) */
long cf_inspect_raw6(long nr, long a0, long a1, long a2, long a3, long a4,
		     long a5);
/* the probes: nr with every argument register zero */
long cf_inspect_syscall0(long nr);
long cf_inspect_int80(long nr);
__asm__(".text\n"
	".globl cf_inspect_raw6\n"
	".type cf_inspect_raw6,@function\n"
	"cf_inspect_raw6:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	"	syscall\n"
	"	ret\n"
	".size cf_inspect_raw6, .-cf_inspect_raw6\n"
	".globl cf_inspect_syscall0\n"
	".type cf_inspect_syscall0,@function\n"
	"cf_inspect_syscall0:\n"
	"	mov %rdi, %rax\n"
	"	xor %edi, %edi\n"
	"	xor %esi, %esi\n"
	"	xor %edx, %edx\n"
	"	xor %r10d, %r10d\n"
	"	xor %r8d, %r8d\n"
	"	xor %r9d, %r9d\n"
	"	syscall\n"
	"	ret\n"
	".size cf_inspect_syscall0, .-cf_inspect_syscall0\n"
	".globl cf_inspect_int80\n"
	".type cf_inspect_int80,@function\n"
	"cf_inspect_int80:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	mov %edi, %eax\n"
	"	xor %ebx, %ebx\n"
	"	xor %ecx, %ecx\n"
	"	xor %edx, %edx\n"
	"	xor %esi, %esi\n"
	"	xor %edi, %edi\n"
	"	xor %ebp, %ebp\n"
	"	int $0x80\n"
	"	cltq\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
	".size cf_inspect_int80, .-cf_inspect_int80\n"
	".section .note.GNU-stack,\"\",@progbits\n"
	".text\n");

#define NOSAN __attribute__((no_sanitize("address", "undefined")))

static NOSAN __attribute__((noreturn)) void t_exit(void)
{
	for (;;)
		cf_inspect_raw6(__NR_exit, 0, 0, 0, 0, 0, (long)COOKIE);
}

/* T: SIGSYS from TRAP, or SIGSEGV from int $0x80 without IA32 emulation */
static NOSAN void t_signal(int sig, siginfo_t *si, void *uc)
{
	struct shm *s = probe_shm;

	(void)uc;
	if (sig == SIGSYS && si->si_code == 1 /* SYS_SECCOMP */ &&
	    (uint32_t)si->si_syscall == s->cur) {
		s->trap_data = (uint32_t)si->si_errno;
		s->state = S_TRAP;
	} else if (sig == SIGSEGV) {
		s->state = S_FAULT;
	}
	t_exit();
}

static NOSAN int t_main(void *arg)
{
	struct shm *s = arg;
	long fd, r;
	int32_t one = 1;

	fd = cf_inspect_raw6(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
			     SECCOMP_FILTER_FLAG_NEW_LISTENER, (long)&s->prog,
			     0, 0, 0);
	if (fd < 0) {
		s->err = (int32_t)-fd;
		s->state = S_INSTALL_FAILED;
		t_exit(); /* no probe without the notify filter */
	}
	s->fd = (int32_t)fd;
	s->state = S_INSTALLED;
	cf_inspect_raw6(__NR_write, s->pipe_wr, (long)&one, sizeof(one), 0, 0,
			(long)COOKIE);
	for (uint32_t nr = s->start; nr <= s->hi; nr++) {
		if (s->known[nr - s->lo])
			continue; /* exempt: see mark_exempt */
		s->notified = 0;
		s->cur = nr;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		r = s->kind == K_I386 ? cf_inspect_int80(nr)
				      : cf_inspect_syscall0(nr);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (s->notified) {
			s->act[nr - s->lo] = PROBE_ALLOW;
		} else if (r <= 0 && r >= -4095) {
			s->act[nr - s->lo] = SECCOMP_RET_ERRNO | (uint32_t)-r;
		} else { /* cannot happen: our filter stops every call */
			s->ret = r;
			s->state = S_RAN;
			t_exit();
		}
		s->known[nr - s->lo] = 1;
	}
	s->state = S_DONE;
	t_exit();
}

/* T's filter: the cookie calls through, everything else to the listener */
static void build_filter(struct shm *s)
{
	const struct sock_filter f[] = {
	    ASM_X86_64_NR(9),
	    ASM_JEQ(__NR_write, 1, 0),
	    ASM_JEQ(__NR_exit, 0, 6),
	    ASM_LOAD(args[5], 0),
	    ASM_JEQ((uint32_t)COOKIE, 0, 4),
	    ASM_LOAD(args[5], 4),
	    ASM_JEQ((uint32_t)(COOKIE >> 32), 0, 2),
	    ASM_RET(SECCOMP_RET_ALLOW),
	    ASM_RET(SECCOMP_RET_USER_NOTIF),
	    ASM_RET(SECCOMP_RET_USER_NOTIF),
	};

	memcpy(s->insns, f, sizeof(f));
	s->prog.len = CF_ARRAY_LEN(f);
	s->prog.filter = s->insns;
}

/* P: runs T and waits for it to end, however it ends */
static __attribute__((noreturn)) void p_main(struct shm *s)
{
	struct sigaction sa;
	void *stack;
	int32_t v;

	probe_shm = s;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (prctl(PR_SET_DUMPABLE, 0) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(3);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = t_signal;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) || sigaction(SIGSEGV, &sa, NULL))
		_exit(3);
	build_filter(s);
	stack = mmap(NULL, T_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		_exit(3);
	if (clone(t_main, (char *)stack + T_STACK,
		  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		      CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
		      CLONE_CHILD_CLEARTID,
		  s, (int *)&s->tid, NULL, (int *)&s->tid) < 0)
		_exit(3);
	while ((v = s->tid) != 0)
		syscall(SYS_futex, &s->tid, FUTEX_WAIT, v, NULL, NULL, 0);
	_exit(0);
}

static void answer(int fd, struct shm *s, uint32_t arch, uint32_t want)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	bool zero = true;

	memset(&req, 0, sizeof(req));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req))
		return; /* ENOENT: the caller is gone */
	for (int i = 0; i < 6; i++)
		zero = zero && !req.data.args[i];
	if (req.data.arch == arch && (uint32_t)req.data.nr == want && zero)
		s->notified = 1;
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = -ENOSYS; /* never SECCOMP_USER_NOTIF_FLAG_CONTINUE */
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* One probe process from s->start; returns its wait status or -errno. */
static int run_one(struct shm *s, uint32_t arch)
{
	int pipefd[2], pidfd, status = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	s->pipe_wr = pipefd[1];
	s->state = S_START;
	s->fd = -1;
	s->cur = s->start;
	s->tid = 0;
	fflush(NULL);
	pid = (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		int e = errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return -e;
	}
	if (pid == 0)
		p_main(s);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (bool woke = false;;) {
		struct pollfd p[3] = {
		    {pipefd[0], POLLIN, 0},
		    {pidfd, POLLIN, 0},
		    {woke ? s->fd : -1, POLLIN, 0},
		};
		int32_t one;

		if (pidfd < 0)
			break; /* cannot watch it: wait below (no probe
				  answered) */
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((p[0].revents & POLLIN) &&
		    read(pipefd[0], &one, sizeof(one)) == sizeof(one))
			woke = true;
		if (p[2].revents & POLLIN)
			answer(s->fd, s, arch, s->cur);
		else if ((p[1].revents & POLLIN) && !(p[0].revents & POLLIN))
			break;
	}
	if (pidfd < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (pidfd >= 0)
		close(pidfd);
	close(pipefd[0]);
	close(pipefd[1]);
	return pidfd < 0 ? -ENOSYS : status;
}

static uint32_t table_max(int abi)
{
	size_t pos = 0;
	uint32_t nr, max = 0;

	while (cf_syscall_next(abi, &pos, &nr))
		if (nr > max)
			max = nr;
	return max;
}

int probe_abis(struct probe_abi *out, int max)
{
	const char *names[] = {"x86_64", "x32", "x86"};
	int n = 0;

	for (int i = 0; i < 3 && n < max; i++, n++) {
		out[n].abi = cf_abi_lookup(names[i]);
		out[n].lo = i == 1 ? X32_BIT : 0;
		out[n].hi = table_max(out[n].abi) + 64;
		out[n].status = PROBE_OK;
		out[n].err = 0;
		out[n].msg = NULL;
		out[n].act = NULL;
	}
	return n;
}

static void fail(struct probe_abi *a, enum probe_status st, int err,
		 const char *msg)
{
	a->status = st;
	a->err = err;
	a->msg = msg;
}

static void probe_loop(struct probe_abi *a, struct shm *s, uint32_t arch)
{
	for (s->start = a->lo; s->start <= a->hi;) {
		int st = run_one(s, arch);
		uint32_t cur = s->cur, i = cur - a->lo;

		if (st < 0)
			return fail(a, PROBE_FAILED, -st,
				    "cannot start or watch the probe process");
		if (s->state == S_INSTALL_FAILED)
			return fail(a,
				    s->err == EBUSY ? PROBE_LISTENER_BUSY
						    : PROBE_INSTALL_FAILED,
				    s->err,
				    "seccomp(2) refused the notify filter");
		if (s->state == S_START)
			return fail(a, PROBE_FAILED, 0,
				    WIFSIGNALED(st)
					? "the probe process was killed before "
					  "its notify filter was installed"
					: "the probe process could not start");
		if (s->state == S_RAN)
			return fail(a, PROBE_FAILED, 0,
				    "a probe returned without its "
				    "notification (nothing was recorded)");
		if (s->state == S_DONE)
			break;
		if (s->known[i]) { /* killed after its result: not ours */
			s->start = cur + 1;
			continue;
		}
		if (s->state == S_FAULT) {
			if (s->kind == K_I386 && cur == a->lo)
				return fail(a, PROBE_INT80_FAULTS, 0, NULL);
			return fail(a, PROBE_FAILED, 0, "the probe faulted");
		}
		if (s->state == S_TRAP)
			s->act[i] = SECCOMP_RET_TRAP | (s->trap_data & 0xffff);
		else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
			s->act[i] = SECCOMP_RET_KILL_PROCESS;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			s->act[i] = SECCOMP_RET_KILL_THREAD;
		else
			return fail(a, PROBE_FAILED, 0,
				    "the probe process ended unexpectedly");
		s->known[i] = 1;
		s->start = cur + 1;
	}
	for (uint32_t i = 0; i <= a->hi - a->lo; i++)
		a->act[i] = s->act[i];
}

/* Linux >= 6.13 runs x86_64's uretprobe and uprobe past every seccomp
 * filter (they serve the uprobes trampolines and raise SIGILL anywhere
 * else): a probe would run them, so they are not probed. */
static void mark_exempt(struct probe_abi *a, struct shm *s)
{
	static const char *const names[] = {"uretprobe", "uprobe"};

	if (s->kind != K_X86_64)
		return;
	for (size_t i = 0; i < CF_ARRAY_LEN(names); i++) {
		int64_t nr = cf_syscall_number(a->abi, names[i]);

		if (nr >= a->lo && nr <= a->hi) {
			s->known[nr - a->lo] = 1;
			s->act[nr - a->lo] = PROBE_EXEMPT;
		}
	}
}

void probe_run(struct probe_abi *a)
{
	struct shm *s;
	uint32_t arch = cf_abi_audit_arch(a->abi);

	if (a->hi - a->lo + 1 > MAXN)
		return fail(a, PROBE_FAILED, 0, "range too large");
	a->act = calloc(a->hi - a->lo + 1, sizeof(*a->act));
	if (!a->act)
		return fail(a, PROBE_FAILED, ENOMEM, "out of memory");
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return fail(a, PROBE_FAILED, errno, "cannot map shared memory");
	memset(s, 0, sizeof(*s));
	s->kind = a->lo == X32_BIT	      ? K_X32
		  : arch == AUDIT_ARCH_X86_64 ? K_X86_64
					      : K_I386;
	s->lo = a->lo;
	s->hi = a->hi;
	mark_exempt(a, s);
	probe_loop(a, s, arch);
	munmap(s, sizeof(*s));
}

#else /* not x86_64 */

int probe_abis(struct probe_abi *out, int max)
{
	(void)out;
	(void)max;
	return 0;
}

void probe_run(struct probe_abi *a)
{
	a->status = PROBE_UNSUPPORTED;
}

#endif
