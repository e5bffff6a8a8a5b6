/* SPDX-License-Identifier: Apache-2.0 */
/* reach.h - which calls reach an argument rule of the IR: the values
 * that tell conditions apart and the bit walk over masks (reach.c). */
#ifndef CF_REACH_H
#define CF_REACH_H

#include "ir.h"

#define CF_VALS_MAX 512
/* Values of one argument; exact: they tell every condition apart. */
struct cf_vals {
	uint64_t v[CF_VALS_MAX];
	size_t n;
	bool exact;
};
void cf_vals_add(struct cf_vals *c, uint64_t v);
/* Adds the points {d, d + 1} of ch's conditions on arg (MASKED_EQ: a
 * sample, exact = false); with only, those on which only holds. */
void cf_vals_points(struct cf_vals *c, const struct cf_arch *ar,
		    const struct cf_ir_chain *ch, unsigned arg,
		    const struct cf_ir_chain *only);
/* Do ch's conditions on arg hold for v? */
bool cf_chain_holds_on(const struct cf_arch *ar, const struct cf_ir_chain *c,
		       unsigned arg, uint64_t v);

/* The bit walk's scratch (about 54 KiB): cf_walk_new, cf_walk_free. */
struct cf_walk;
struct cf_walk *cf_walk_new(void); /* NULL on OOM: the points alone */
void cf_walk_free(struct cf_walk *w);
/* The walk's values of arg over all of s's conditions on it (64-bit ABI);
 * pair: also telling apart the value with its upper half cleared. False
 * where there is no MASKED_EQ (the points are exact then) or the walk
 * gives up (more than 512 combinations, 64 conditions, or *work). */
bool cf_walk_sys(struct cf_walk *w, const struct cf_ir_sys *s, unsigned arg,
		 bool pair, struct cf_vals *out, size_t *work);

enum cf_reach {
	CF_REACHED,	 /* some call reaches the chain */
	CF_SHADOWED,	 /* its calls are all decided by earlier chains */
	CF_NEVER_HOLDS,	 /* no call satisfies it */
	CF_REACH_UNKNOWN /* not proven either way (budget, sample) */
};
/* --harden: s's conditions on arg compare the low word only. */
bool cf_low32_arg(const struct cf_ir_sys *s, unsigned arg);
/* Does some call on which also (may be NULL) holds reach s->chains[j]?
 * w may be NULL (the points alone); work: the budget left. */
enum cf_reach cf_chain_reach(const struct cf_arch *ar,
			     const struct cf_ir_sys *s, size_t j,
			     const struct cf_ir_chain *also, struct cf_walk *w,
			     size_t *work);
/* The same answer for every chain of s at once (out: s->nchains of
 * them), in O(n log n), when all of s's conditions are EQs and no chain
 * tests an argument twice; false otherwise (out untouched, or partly
 * written). Never CF_NEVER_HOLDS or CF_REACH_UNKNOWN: it is exact. */
bool cf_eq_reach(const struct cf_arch *ar, const struct cf_ir_sys *s,
		 enum cf_reach *out);
/* Do a and b test one argument with EQs no value satisfies together? (no
 * call matches both; false: not known) */
bool cf_eq_disjoint(const struct cf_arch *ar, const struct cf_ir_chain *a,
		    const struct cf_ir_chain *b);

#endif
