/* SPDX-License-Identifier: Apache-2.0 */
/* ir.h - ruleset -> per-ABI decision tables (ir_build.c), hardening of
 * 32-bit arguments, and the IR's direct evaluation (ir_eval.c), the
 * reference for code generation. */
#ifndef CF_IR_H
#define CF_IR_H

#include "ruleset.h"
#include "syscalls.h"

/* One argument predicate chain: all conds true -> action. Conditions are
 * stored as written; the ABI's comparison width is applied by readers
 * (cf_ir_cond_match) and by code generation. */
#define CF_CHAIN_CONDS 6 /* the most conditions of a chain */
struct cf_ir_chain {
	/* the rule's own conditions, shared by its chains on every ABI;
	 * a copy of the IR's for a multiplexed call or under --harden */
	const struct cf_cond *conds;
	uint8_t nconds;
	uint32_t action;
	const struct cf_rule *rule;
};

/* A syscall with its own decision: chains in order (first match wins),
 * then fallback. */
struct cf_ir_sys {
	uint32_t nr; /* as the kernel sees it */
	int sys;     /* cf_sysinfo index, -1 = synthetic */
	struct cf_ir_chain *chains;
	size_t nchains;
	uint32_t fallback;		     /* action when no chain matches */
	const struct cf_rule *fallback_rule; /* NULL = the default action */
};

struct cf_ir_abi {
	int arch;	       /* cf_arches index */
	struct cf_ir_sys *sys; /* sorted by nr, unique */
	size_t nsys;
	bool enosys; /* nr > enosys_above -> ERRNO(ENOSYS) */
	uint32_t enosys_above;
};

struct cf_ir {
	uint32_t default_action;
	struct cf_ir_abi abis[32]; /* native first */
	size_t nabis;
	unsigned flags;
};

int cf_ir_build(struct cf_arena *a, const struct cf_ruleset *rs,
		struct cf_ir *out, struct cf_error *err);

/* --harden: every condition on an argument the kernel reads as 32 bits
 * or fewer (cf_sys_arg_bits 16/32) on a 64-bit-compare ABI gets low32
 * set. A datum (or MASKED_EQ mask/value) whose upper half is neither 0
 * nor the sign extension of its low half is warned about
 * (harden-upper-bits) through fn: only its low 32 bits count. A chain
 * whose conditions change gets a copy of them in a (they are its rule's,
 * shared). 0, or -ENOMEM. */
int cf_ir_harden(struct cf_arena *a, struct cf_ir *ir, const char *file,
		 cf_diag_fn fn, void *ctx);
/* Does c compare all 64 bits on ar (else only the low 32)? */
static inline bool cf_cond_wide(const struct cf_arch *ar,
				const struct cf_cond *c)
{
	return ar->cmp_bits == 64 && !c->low32;
}

/* Direct evaluation of the IR (the reference for code generation).
 * chain and sys (may be NULL) receive what decided. */
uint32_t cf_ir_eval(const struct cf_ir *ir, const struct seccomp_data *d,
		    const struct cf_ir_sys **sys,
		    const struct cf_ir_chain **chain);
/* The first ABI of the filter with this audit arch and x32-ness, or NULL
 * (the ABI a call is judged by). */
const struct cf_ir_abi *cf_ir_find_abi(const struct cf_ir *ir, uint32_t audit,
				       bool x32);
/* abi's entry for number nr (binary search), or NULL. */
const struct cf_ir_sys *cf_ir_find_sys(const struct cf_ir_abi *abi,
				       uint32_t nr);
/* Do x and y test the same thing (argument, operator, data)? low32 aside:
 * it says how an ABI reads the argument, not what the rule asks. */
static inline bool cf_cond_same_test(const struct cf_cond *x,
				     const struct cf_cond *y)
{
	return x->arg == y->arg && x->op == y->op && x->datum == y->datum &&
	       x->datum2 == y->datum2;
}
/* Does the condition hold for a 64-bit argument on this arch? */
bool cf_ir_cond_match(const struct cf_arch *arch, const struct cf_cond *c,
		      uint64_t argval);

#endif
