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

size_t cf_value_lone(const struct value_step *v, size_t n, size_t *lone,
		     struct value_step *rest, size_t *nrest)
{
	size_t nlone = 0, out = 0;

	for (size_t k = 0; k < n; k++) {
		bool one_wide = k + 1 < n && v[k].lo + 1 == v[k + 1].lo;

		if (!one_wide || v[k].sub >= 0) {
			rest[out++] = v[k];
		} else if (k == 0) {
			/* the first step starts at the node's known lower
			 * bound: past its value, the next step decides */
			lone[nlone++] = k;
		} else if (out && same_leaf(&rest[out - 1], &v[k + 1])) {
			lone[nlone++] = k;
			k++; /* the next step merges into the previous */
		} else {
			rest[out++] = v[k];
		}
	}
	*nrest = out;
	return nlone;
}
