/* SPDX-License-Identifier: Apache-2.0 */
/* inspect_sym.h - inspect --pid: a symbolic walk of seccomp programs for
 * one (arch, nr), so that decisions which depend on a call's arguments
 * (or its instruction pointer) are found exactly, with their conditions
 * (inspect_sym.c). */
#ifndef CF_CLI_INSPECT_SYM_H
#define CF_CLI_INSPECT_SYM_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One test of a path: ((the 32-bit word at byte offset off of struct
 * seccomp_data) & mask) OP k is true, or false when neg. op is BPF_JEQ,
 * BPF_JGT, BPF_JGE or BPF_JSET. opaque: the value tested was computed from
 * that word by arithmetic the walk does not follow (k and op still as in
 * the program; mask meaningless). */
struct sym_atom {
	uint8_t off, op;
	bool neg, opaque;
	uint32_t mask, k;
};

/* One outcome: the stack returns ret when every atom holds. */
struct sym_case {
	struct sym_atom *atoms;
	size_t n;
	uint32_t ret;
};

struct sym_result {
	struct sym_case *cases;
	size_t n;
	bool complete; /* false: too many paths, the list is partial */
};

/* A filter stack, most recently installed program first (the order
 * PTRACE_SECCOMP_GET_FILTER numbers them). */
struct sym_stack {
	struct sock_filter **prog;
	size_t *len;
	size_t n;
	uint64_t *flags; /* per program: SECCOMP_FILTER_FLAG_LOG as the
			  * kernel reports it (inspect --pid), or NULL */
};

/* The kernel's combination of the stack for d: every program runs, the
 * strictest action wins (on a tie the most recent filter's data); an
 * action the kernel does not know counts as KILL_PROCESS, ERRNO data is
 * capped at 4095, as the kernel does. */
uint32_t sym_stack_run(const struct sym_stack *s, uint32_t arch, uint32_t nr,
		       const uint64_t args[6]);
/* Every outcome of the stack for (arch, nr) over all arguments and
 * instruction pointers: 0, or -1 out of memory. */
int sym_stack_walk(const struct sym_stack *s, uint32_t arch, uint32_t nr,
		   struct sym_result *out);
/* More than one distinct ret among the cases. */
bool sym_result_varies(const struct sym_result *r);
void sym_result_free(struct sym_result *r);
/* The conditions of a and b together, into out (out->atoms malloc'd,
 * out->ret 0): 0, 1 when no arguments satisfy both, -1 out of memory.
 * Tests on differently masked words are not weighed against each other,
 * so 0 may come for conditions nothing satisfies together. */
int sym_case_and(const struct sym_case *a, const struct sym_case *b,
		 struct sym_case *out);
/* The condition of c, simplified ("args[0] == 1 && args[1].lo != 3"),
 * as text on out; "always" for no atom. */
void sym_case_print(const struct sym_case *c, FILE *out);

#endif
