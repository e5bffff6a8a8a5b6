/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_ptrace.c - a container recorder built on ptrace, for where the eBPF
 * one cannot run. The container's init already exists (the runtime
 * created it and waits for the hook), so it cannot be given a filter of
 * ours as `record --backend ptrace` does: every thread of it is seized
 * (PTRACE_SEIZE, then PTRACE_INTERRUPT) and run with PTRACE_SYSCALL, which
 * stops at each call's entry and exit; TRACEFORK, TRACEVFORK and
 * TRACECLONE attach every task it starts before that task runs. The
 * recorder reports "attached" only when /proc/PID/task shows no thread it
 * has not seized and every seized thread has stopped once: from then on
 * nothing the container does escapes. It ends when the last traced task
 * has exited.
 *
 * PTRACE_SYSCALL stops before seccomp decides, so calls the runtime's own
 * filter refuses during the recording are recorded too (they were made).
 * With args, the values of the arguments cf_record_arg_mask names come
 * from the same stop (clone3's flags from the tracee's memory).
 */
#include "oci_hook.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#define OP_MAX_SEIZED 4096

struct op_state {
	struct rec_ptrace rec;	     /* the calls, into rec.obs */
	pid_t seized[OP_MAX_SEIZED]; /* seized by us, first stop not seen */
	size_t nseized, pending;
};

static bool op_was_seized(const struct op_state *s, pid_t tid)
{
	for (size_t i = 0; i < s->nseized; i++)
		if (s->seized[i] == tid || s->seized[i] == -tid)
			return true;
	return false;
}

/* The first stop of a thread we seized: no longer pending. */
static void op_first_stop(struct op_state *s, pid_t tid)
{
	for (size_t i = 0; i < s->nseized; i++)
		if (s->seized[i] == tid) {
			s->seized[i] = -tid;
			s->pending--;
		}
}

/* Seizes every thread of pid not seized yet; returns how many new. */
static int op_seize_threads(struct op_state *s, pid_t pid)
{
	unsigned long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
			     PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
			     PTRACE_O_TRACEEXEC;
	char dir[64];
	struct dirent *d;
	DIR *dp;
	int added = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((d = readdir(dp))) {
		pid_t tid = (pid_t)atoi(d->d_name);

		if (tid <= 0 || op_was_seized(s, tid))
			continue;
		if (s->nseized == OP_MAX_SEIZED) {
			closedir(dp);
			return -E2BIG;
		}
		if (ptrace(PTRACE_SEIZE, tid, 0, (void *)opts) < 0 ||
		    ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0) {
			if (errno == ESRCH)
				continue; /* gone meanwhile */
			closedir(dp);
			return -errno;
		}
		s->seized[s->nseized++] = tid;
		s->pending++;
		added++;
	}
	closedir(dp);
	return added;
}

static int op_syscall_stop(struct op_state *s, pid_t tid)
{
	struct __ptrace_syscall_info info;

	memset(&info, 0, sizeof(info));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info) <
	    0)
		return errno == ESRCH ? 0 : -errno;
	if (info.op != PTRACE_SYSCALL_INFO_ENTRY)
		return 0;
	return rec_ptrace_call(&s->rec, tid, info.arch, (uint32_t)info.entry.nr,
			       info.entry.args);
}

/* One stop: note what it says, let the task go on to its next call. */
static int op_stop(struct op_state *s, pid_t tid, int st)
{
	int sig = WSTOPSIG(st), event = (unsigned)st >> 16, rc = 0;

	if (sig == (SIGTRAP | 0x80)) {
		rc = op_syscall_stop(s, tid);
		sig = 0;
	} else if (event == PTRACE_EVENT_STOP) {
		op_first_stop(s, tid);
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
		    sig == SIGTTOU) /* group-stop: stays stopped */
			return ptrace(PTRACE_LISTEN, tid, 0, 0) < 0 &&
				       errno != ESRCH
				   ? -errno
				   : 0;
		sig = 0;
	} else if (event) {
		if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
		    event == PTRACE_EVENT_CLONE)
			s->rec.res->tasks++;
		sig = 0;
	}
	if (rc < 0)
		return rc;
	if (ptrace(PTRACE_SYSCALL, tid, 0, (void *)(long)sig) < 0 &&
	    errno != ESRCH)
		return -errno;
	return 0;
}

/* Waits for one event; 1 when no traced task is left. */
static int op_wait_one(struct op_state *s)
{
	int st;
	pid_t tid = waitpid(-1, &st, __WALL);

	if (tid < 0 && errno == EINTR)
		return 0;
	if (tid < 0)
		return errno == ECHILD ? 1 : -errno;
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		op_first_stop(s, tid);
		return 0;
	}
	return WIFSTOPPED(st) ? op_stop(s, tid, st) : 0;
}

static int op_attach(struct op_state *s, pid_t pid)
{
	int rc;

	for (;;) {
		rc = op_seize_threads(s, pid);
		if (rc < 0)
			return rc;
		if (rc == 0 && s->pending == 0)
			return s->nseized ? 0 : -ESRCH;
		while (s->pending) {
			rc = op_wait_one(s);
			if (rc < 0)
				return rc;
			if (rc == 1)
				return -ESRCH; /* it died before we held it */
		}
	}
}

static int op_record(pid_t pid, bool args, void (*attached)(void *ctx),
		     void *ctx, struct cf_record *obs, struct rec_result *res)
{
	static struct op_state s;
	int rc;

	memset(&s, 0, sizeof(s));
	rec_ptrace_init(&s.rec, obs, res, args);
	res->tasks = 1;
	rc = op_attach(&s, pid);
	if (rc < 0) {
		snprintf(res->why, sizeof(res->why),
			 "cannot trace the container's process %d: %s",
			 (int)pid, strerror(-rc));
		return -1;
	}
	attached(ctx);
	while ((rc = op_wait_one(&s)) == 0)
		;
	if (rc < 0) {
		snprintf(res->why, sizeof(res->why), "recording failed: %s",
			 strerror(-rc));
		return -1;
	}
	return 0;
}

const struct oci_recorder oci_recorder_ptrace = {"ptrace", op_record};
