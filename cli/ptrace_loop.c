/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ptrace_loop.c - the tracer of record's ptrace backend and of complain's
 * ptrace method (ptrace_loop.h).
 *
 *   fork -> child waits on a pipe -> parent seizes it -> child goes on
 *   -> parent: waitpid(-1, __WALL) until no tracee is left
 *
 * A task made by fork, vfork or clone is attached by the kernel before it
 * runs and first stops with PTRACE_EVENT_STOP; whether it is observed
 * ("armed") is its parent's, known from the parent's event stop, which
 * may be reported after the child's first stop: until then the child is
 * held (not resumed). An execve arms the task that made it.
 */
#include "ptrace_loop.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t ptl_child_pid;

/* A signal sent to callfence (kill, not the terminal: that one reaches
 * the command's process group itself) is passed on to the command. */
static void ptl_forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (ptl_child_pid > 0 && si->si_code <= 0)
		kill((pid_t)ptl_child_pid, sig);
}

void ptl_pass_signals(pid_t child)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	bool install = child != 0;
	struct sigaction sa;

	ptl_child_pid = child > 0 ? child : 0;
	memset(&sa, 0, sizeof(sa));
	if (install) {
		sa.sa_sigaction = ptl_forward;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
	} else {
		sa.sa_handler = SIG_DFL;
	}
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < CF_ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

void ptl_forward_to(pid_t child)
{
	ptl_child_pid = child > 0 ? child : 0;
}

pid_t ptl_start(void (*child)(void *arg), void *arg, unsigned long opts)
{
	int syncp[2], e;
	pid_t pid;
	char c;

	opts |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	if (pipe2(syncp, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	ptl_pass_signals(-1);
	pid = fork();
	if (pid == 0) {
		ptl_pass_signals(0);
		close(syncp[1]);
		while (read(syncp[0], &c, 1) < 0 && errno == EINTR)
			;
		close(syncp[0]);
		child(arg);
		_exit(CF_RUN_EXIT_FAILED); /* not reached */
	}
	e = errno;
	close(syncp[0]);
	if (pid > 0 && ptrace(PTRACE_SEIZE, pid, 0, (void *)opts) == 0) {
		ptl_child_pid = pid;
		close(syncp[1]); /* the child goes on */
		return pid;
	}
	if (pid > 0) {
		e = errno;
		kill(pid, SIGKILL);
		close(syncp[1]);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	} else {
		close(syncp[1]);
	}
	ptl_pass_signals(0);
	return -e;
}

/* ---- the tasks ---------------------------------------------------------- */

struct ptl_tasks {
	struct ptl_task *t;
	size_t n, cap;
};

static struct ptl_task *ptl_find(struct ptl_tasks *ts, pid_t pid)
{
	for (size_t i = 0; i < ts->n; i++)
		if (ts->t[i].pid == pid)
			return &ts->t[i];
	return NULL;
}

/* pid's entry, made (not announced, not armed) if new; NULL: no memory */
static struct ptl_task *ptl_get(struct ptl_tasks *ts, pid_t pid)
{
	struct ptl_task *t = ptl_find(ts, pid);

	if (t)
		return t;
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? 2 * ts->cap : 16;
		struct ptl_task *nt = realloc(ts->t, cap * sizeof(*nt));

		if (!nt)
			return NULL;
		ts->t = nt;
		ts->cap = cap;
	}
	t = &ts->t[ts->n++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	return t;
}

static void ptl_drop(struct ptl_tasks *ts, pid_t pid)
{
	struct ptl_task *t = ptl_find(ts, pid);

	if (t)
		*t = ts->t[--ts->n];
}

/* ---- the stops ---------------------------------------------------------- */

static bool ptl_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

static int ptl_resume(const struct ptl_ops *ops, const struct ptl_task *t,
		      int sig)
{
	long r = ptrace(ops->syscall_stops && t->armed ? PTRACE_SYSCALL
						       : PTRACE_CONT,
			t->pid, 0, (void *)(long)sig);

	return r < 0 && errno != ESRCH ? -errno : 0;
}

/* A fork/vfork/clone event of t: the new task inherits t's arming; if it
 * stopped already, it was held and goes on now. */
static int ptl_new_task(struct ptl_tasks *ts, const struct ptl_ops *ops,
			pid_t parent, struct ptl_result *res)
{
	unsigned long msg = 0;
	struct ptl_task *t, *p;
	bool armed;

	if (ptrace(PTRACE_GETEVENTMSG, parent, 0, &msg) < 0)
		return errno == ESRCH ? 0 : -errno;
	p = ptl_find(ts, parent);
	armed = p && p->armed;
	if (!(t = ptl_get(ts, (pid_t)msg)))
		return -ENOMEM;
	res->tasks++;
	t->announced = true;
	t->armed = armed;
	if (!t->held)
		return 0;
	t->held = false;
	return ptl_resume(ops, t, 0);
}

static int ptl_exec(struct ptl_tasks *ts, const struct ptl_ops *ops, void *ctx,
		    struct ptl_task *t)
{
	unsigned long former = (unsigned long)t->pid;
	struct ptl_task *f = NULL;

	if (ptrace(PTRACE_GETEVENTMSG, t->pid, 0, &former) < 0)
		former = (unsigned long)t->pid;
	if ((pid_t)former != t->pid)
		f = ptl_find(ts, (pid_t)former);
	t->armed = true;
	if (ops->on_exec)
		ops->on_exec(ctx, t, f);
	if (f)
		ptl_drop(ts, (pid_t)former);
	return 0;
}

/* PTRACE_EVENT_STOP: a group-stop stays stopped; a new task's first stop
 * waits for its parent's event if that has not been seen. */
static int ptl_event_stop(const struct ptl_ops *ops, struct ptl_task *t,
			  int sig)
{
	long r;

	if (ptl_stop_signal(sig)) {
		r = ptrace(PTRACE_LISTEN, t->pid, 0, 0);
		return r < 0 && errno != ESRCH ? -errno : 0;
	}
	if (!t->announced) {
		t->held = true;
		return 0;
	}
	return ptl_resume(ops, t, 0);
}

static int ptl_stop(struct ptl_tasks *ts, const struct ptl_ops *ops, void *ctx,
		    struct ptl_task *t, int st, struct ptl_result *res)
{
	int sig = WSTOPSIG(st), event = (unsigned)st >> 16, rc = 0;
	pid_t pid = t->pid;

	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		rc = ops->on_syscall(ctx, t);
		sig = 0;
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		rc = ptl_new_task(ts, ops, pid, res);
		sig = 0;
		break;
	case PTRACE_EVENT_EXEC:
		rc = ptl_exec(ts, ops, ctx, t);
		sig = 0;
		break;
	case PTRACE_EVENT_STOP:
		return ptl_event_stop(ops, t, sig);
	case 0:
		if (sig == (SIGTRAP | 0x80)) { /* PTRACE_O_TRACESYSGOOD */
			rc = t->armed ? ops->on_syscall(ctx, t) : 0;
			sig = 0;
		} else if (ops->on_signal) {
			ops->on_signal(ctx, t, sig);
		}
		break; /* else a signal-delivery-stop: deliver it */
	default:
		sig = 0; /* exit */
	}
	if (rc < 0)
		return rc;
	/* the table may have moved: find the task again */
	t = ptl_find(ts, pid);
	return t ? ptl_resume(ops, t, sig) : 0;
}

static int ptl_wait(pid_t root, struct ptl_tasks *ts, const struct ptl_ops *ops,
		    void *ctx, struct ptl_result *res)
{
	bool root_done = false;
	struct ptl_task *t;
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
		if (!(t = ptl_get(ts, pid)))
			return -ENOMEM;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (ops->on_end)
				ops->on_end(ctx, t, st);
			if (pid == root) {
				res->exit_code = cf_run_exit_code(st);
				root_done = true;
			}
			ptl_drop(ts, pid);
			continue;
		}
		if (WIFSTOPPED(st) && (rc = ptl_stop(ts, ops, ctx, t, st, res)))
			return rc;
	}
	return root_done ? 0 : -ECHILD;
}

int ptl_loop(pid_t root, const struct ptl_ops *ops, void *ctx,
	     struct ptl_result *res)
{
	struct ptl_tasks ts = {0};
	struct ptl_task *t = ptl_get(&ts, root);
	int rc = -ENOMEM;

	res->tasks = 1;
	if (t) {
		t->announced = true;
		t->armed = ops->armed_at_start;
		rc = ptl_wait(root, &ts, ops, ctx, res);
	}
	free(ts.t);
	ptl_child_pid = 0;
	ptl_pass_signals(0);
	return rc;
}
