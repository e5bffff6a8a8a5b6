/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_values.c - the value-runs pass (cf_gen_opts.no_value_runs turns it
 * off): a set of EQ values compiled as a step function costs two JGE per
 * value (one on each side of it); one JEQ to its decision costs one, and
 * the steps on both sides of the value then merge into one.
 *
 * What it guarantees: the plan decides every value exactly like the step
 * table it comes from. A lone value is one value wide, so a JEQ on it
 * decides it; every other value falls through to the rest, where the
 * lone value's neighbours, which decide alike, are one step covering the
 * lone value too (which the JEQ took before). The first step of a node
 * starts at a bound the search has established (0 or a JGE's), so a
 * first step one value wide is lone too: past it, its successor decides.
 */
#include "gen_values.h"

#include <stdbool.h>

static bool same_leaf(const struct value_step *a, const struct value_step *b)
{
	return a->sub < 0 && b->sub < 0 && a->action == b->action &&
	       a->lab == b->lab;
}

size_t cf_value_lone(const struct value_step *v, size_t i, size_t j,
		     size_t *lone)
{
	bool prev = cf_value_lone_first(v, i);
	size_t nlone = 0;

	/* the first step starts at the node's known lower bound: past its
	 * value, the next step decides */
	if (prev)
		lone[nlone++] = i;
	for (size_t k = i + 1; k < j; k++) {
		/* the one before not lone (else it merged this one), the
		 * rest ends in a step that decides like v[k - 1] */
		prev = !prev && v[k].lo + 1 == v[k + 1].lo && v[k].sub < 0 &&
		       same_leaf(&v[k - 1], &v[k + 1]);
		if (prev)
			lone[nlone++] = k;
	}
	return nlone;
}

size_t cf_value_rest(const struct value_step *v, size_t i, size_t j,
		     const size_t *lone, size_t nlone, struct value_step *rest)
{
	size_t out = 0, q = lone[0] == i; /* the first: nothing merges */

	for (size_t k = i + q; k <= j; k++) {
		if (q < nlone && k == lone[q]) {
			q++;
			k++; /* the next step merges into the previous */
		} else {
			rest[out++] = v[k];
		}
	}
	return out;
}
