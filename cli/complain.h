/* SPDX-License-Identifier: Apache-2.0 */
/*
 * complain.h - `callfence run --complain`: how the calls are seen
 * (docs/diagnose.md, "Methods"). run_complain.c keeps the findings and
 * writes the report; complain_ptrace.c is the ptrace method; the
 * user-notification method is cf_run's (cf_run_opts.complain).
 */
#ifndef CF_CLI_COMPLAIN_H
#define CF_CLI_COMPLAIN_H

#include "callfence.h"

#include <stdbool.h>
#include <stdint.h>

enum complain_method {
	COMPLAIN_USER_NOTIF, /* SECCOMP_RET_USER_NOTIF, continued */
	COMPLAIN_PTRACE,     /* syscall stops, no filter of callfence's */
};

/* What the filters above the command (those callfence itself runs
 * under) did to one call, as complain_ptrace.c found out. */
struct complain_outer {
	uint32_t action; /* SECCOMP_RET_*; SECCOMP_RET_ALLOW: not denied */
	bool certain;	 /* false: ERRNO(ENOSYS), or not denied and the
			    kernel answered ENOSYS (cannot be told apart) */
};

struct cli_complain;
/* The method and why it was chosen (static text, may be NULL). */
void cli_complain_method(struct cli_complain *c, enum complain_method m,
			 const char *why);
/* One call the ptrace method saw: decided here by the profile; recorded
 * if the profile would deny it or outer (may be NULL) denied it. */
void cli_complain_call(struct cli_complain *c, const struct seccomp_data *d,
		       uint32_t pid, const struct complain_outer *outer);

/* complain_ptrace.c: runs o (a cf_run_opts without filter) in a child
 * process traced with its whole tree; every call of the command (from its
 * first execve on) goes to c. Returns 0 with *exit_code set, or -errno
 * when the command could not be traced (nothing of it ran; -EPERM: it is
 * already traced by another process, or ptrace is forbidden). run_cmd is
 * what the child does with o: cf_run and its error message; it returns
 * the exit code. */
int complain_ptrace_run(struct cf_run_opts *o, struct cli_complain *c,
			int (*run_cmd)(const struct cf_run_opts *o, void *arg),
			void *arg, int *exit_code);

/* The raw system call with six arguments (inspect_probe.c, x86_64). */
long cf_inspect_raw6(long nr, long a0, long a1, long a2, long a3, long a4,
		     long a5);

#endif
