/* SPDX-License-Identifier: Apache-2.0 */
/* ruleset.h - resolution: profile AST + target -> the ruleset, rules by
 * syscall name with their conditions (resolve.c). The profile stays
 * opaque here: the stages after resolution do not read it. */
#ifndef CF_RULESET_H
#define CF_RULESET_H

#include "base.h"

struct cf_cond {
	uint8_t arg;	 /* 0..5 */
	uint8_t op;	 /* enum cf_op */
	uint64_t datum;	 /* value; the mask for MASKED_EQ */
	uint64_t datum2; /* valueTwo for MASKED_EQ */
	/* --harden (cf_ir_harden): on a 64-bit-compare ABI, compare only the
	 * low 32 bits of argument, datum and mask, as on a 32-bit ABI (last:
	 * positional initializers leave it 0) */
	uint8_t low32;
};

/* What the stages after resolution know of a profile rule (/syscalls/N):
 * copies in the filter's memory, shared by the rules made from it, so a
 * compiled filter outlives its profile. index is the side table into the
 * profile for a reader that holds it (p->syscalls[index]). */
struct cf_rule_src {
	uint32_t index;
	struct cf_pos pos; /* of /syscalls/N */
	/* each "args" entry as written, and its position */
	const struct cf_cond *args;
	const struct cf_pos *args_pos;
	size_t nargs;
};

struct cf_rule {
	int sys; /* cf_sysinfo index, -1 if unknown name */
	uint32_t action;
	const char *name;
	/* shared by the rules of one profile rule (filter's memory) */
	const struct cf_cond *conds;
	uint32_t src_name; /* index into the profile rule's names */
	uint8_t nconds;
	bool split;	      /* came from a same-index split */
	bool same_as_default; /* dropped from the filter (runc skips it) but
			       * still counts for the ENOSYS threshold */
	struct cf_pos pos;    /* of the name in the profile (filter's memory) */
	/* the profile rule it came from (filter's memory) */
	const struct cf_rule_src *src;
};

struct cf_ruleset {
	uint32_t default_action;
	int native;
	int arches[32]; /* ABI indexes, native first, no duplicates */
	size_t narches;
	struct cf_rule *rules; /* in profile order */
	size_t nrules;
	unsigned flags;
	bool unconfined;
	enum cf_enosys enosys;
};

/* Resolves p for t into arena memory. Warnings go to t->diag. */
int cf_resolve(struct cf_arena *a, const struct cf_profile *p,
	       const struct cf_target *t, struct cf_ruleset *out,
	       struct cf_error *err);

#endif
