/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ptrace_loop.h - the tracer shared by `callfence record --backend ptrace`
 * (record_ptrace.c: seccomp stops under a RET_TRACE filter) and the ptrace
 * method of `callfence run --complain` (complain_ptrace.c: syscall-entry
 * and -exit stops, no filter). It starts a child already seized, follows
 * every process and thread it makes (fork, vfork, clone, clone3), keeps
 * group-stops stopped (PTRACE_LISTEN), delivers signals, and hands each
 * syscall stop, signal, exec and end to the observer.
 */
#ifndef CF_CLI_PTRACE_LOOP_H
#define CF_CLI_PTRACE_LOOP_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* One traced task (a process or a thread). */
struct ptl_task {
	pid_t pid;
	bool announced; /* its parent's fork/clone event was seen */
	bool held;	/* its first stop came before that event: waits */
	bool armed;	/* exec'd, or made by an armed task: observed */
	bool in_call;	/* between a syscall-entry stop and its exit */
	struct seccomp_data call; /* that call, as at its entry stop */
};

struct ptl_ops {
	/* true: armed tasks resume with PTRACE_SYSCALL (entry and exit
	 * stops); false: PTRACE_CONT (seccomp stops only) */
	bool syscall_stops;
	bool armed_at_start; /* the first child is observed from the start */
	/* a seccomp stop, or a syscall stop of an armed task; < 0 ends
	 * the loop with that errno */
	int (*on_syscall)(void *ctx, struct ptl_task *t);
	/* a signal-delivery-stop (the signal is then delivered); may be
	 * NULL */
	void (*on_signal)(void *ctx, struct ptl_task *t, int sig);
	/* t exec'd; former: the thread that called execve when it was
	 * not the leader (gone after this call), else NULL; may be NULL */
	void (*on_exec)(void *ctx, struct ptl_task *t, struct ptl_task *former);
	/* t ended (a wait status); may be NULL */
	void (*on_end)(void *ctx, struct ptl_task *t, int status);
};

struct ptl_result {
	int exit_code;	/* the first child's, 128+N for signal N */
	uint64_t tasks; /* processes and threads followed */
};

/* Forks; the child waits until it is seized with opts (TRACEFORK,
 * TRACEVFORK, TRACECLONE, TRACEEXEC and EXITKILL are added), then runs
 * child(arg), which must not return. Returns the child's pid, or -errno
 * when it could not be started or seized (then it is killed and reaped;
 * nothing of child ran). Signals sent to the caller with kill(2) (INT,
 * TERM, HUP, QUIT) are passed on to the child until ptl_loop returns. */
pid_t ptl_start(void (*child)(void *arg), void *arg, unsigned long opts);
/* Signals sent to the caller with kill(2) (INT, TERM, HUP, QUIT) are
 * passed on to child (> 0), held back until a child is named (-1), or
 * back to their default (0). */
void ptl_pass_signals(pid_t child);
/* Where the handlers ptl_pass_signals installed pass signals on, without
 * touching this process's own handlers (a vfork child names itself). */
void ptl_forward_to(pid_t child);
/* Waits on every task until none is left; 0, or -errno (then the
 * command is killed by EXITKILL when the caller exits). */
int ptl_loop(pid_t root, const struct ptl_ops *ops, void *ctx,
	     struct ptl_result *res);

#endif
