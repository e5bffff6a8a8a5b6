/* SPDX-License-Identifier: Apache-2.0 */
/* ruleset.h - resolution: profile AST + target -> the ruleset, rules by
 * syscall name with their conditions (resolve.c). The profile stays
 * opaque here: the stages after resolution do not read it. */
#ifndef CF_RULESET_H
#define CF_RULESET_H

#include "base.h"

struct cf_p_syscall;

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

struct cf_rule {
	int sys; /* cf_sysinfo index, -1 if unknown name */
	uint32_t action;
	const char *name;
	/* shared by the rules of one profile rule (filter's memory) */
	const struct cf_cond *conds;
	uint32_t src_name; /* index into src->names */
	uint8_t nconds;
	bool split;	      /* came from a same-index split */
	bool same_as_default; /* dropped from the filter (runc skips it) but
			       * still counts for the ENOSYS threshold */
	struct cf_pos pos;    /* of the name in the profile (filter's memory) */
	/* the profile's rule: valid only while the profile lives (resolve,
	 * check); a compiled filter does not keep the profile */
	const struct cf_p_syscall *src;
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
