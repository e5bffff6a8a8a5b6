/* SPDX-License-Identifier: Apache-2.0 */
/* inspect_pid.h - inspect --pid: the filter programs of another process,
 * read with PTRACE_SECCOMP_GET_FILTER and evaluated exactly
 * (inspect_pid.c). */
#ifndef CF_CLI_INSPECT_PID_H
#define CF_CLI_INSPECT_PID_H

#include "inspect.h"
#include "inspect_sym.h"

#include <sys/types.h>

/* Why this process cannot read another's filters (it needs CAP_SYS_ADMIN
 * and no seccomp filter of its own), as a sentence into why; 0 when it
 * can. */
int pid_reader_ok(char *why, size_t size);
/* Reads pid's filter stack (most recent first): attaches with
 * PTRACE_SEIZE + PTRACE_INTERRUPT, reads, detaches (always; a signal
 * that arrived meanwhile is delivered). 0, or -1 with the reason in why.
 * A process without a filter gives an empty stack. */
int pid_read_filters(pid_t pid, struct sym_stack *out, char *why, size_t size);
void pid_stack_free(struct sym_stack *s);

/* A number whose result depends on the arguments. */
struct pid_argdep {
	uint32_t nr;
	uint32_t zero; /* the result for all-zero arguments */
	struct sym_result r;
};
struct pid_abi {
	struct pid_argdep *dep;
	size_t ndep;
};
/* a->act (allocated here) gets the stack's exact result for every number
 * of a->lo..a->hi with all-zero arguments (PROBE_EXEMPT for the calls the
 * kernel runs past every filter), out the numbers whose result depends on
 * the arguments. 0, or -1 (a->status says why). */
int pid_eval(const struct sym_stack *s, struct probe_abi *a,
	     struct pid_abi *out);
void pid_abi_free(struct pid_abi *p);

#endif
