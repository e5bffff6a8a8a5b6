/* SPDX-License-Identifier: Apache-2.0 */
/* algebra.h - merge, diff and subset on compiled filters (algebra.c):
 * what the rest of the library and the tests use of it. */
#ifndef CF_ALGEBRA_H
#define CF_ALGEBRA_H

#include "base.h"

/* <0, 0, >0 as a is stricter than, as permissive as, more permissive than
 * b (the action only, not its data). */
int cf_action_rank_cmp(uint32_t a, uint32_t b);
/* Does the call d belong to the i-th class of o? (tests) */
bool cf_diffs_match(const struct cf_diffs *o, size_t i,
		    const struct seccomp_data *d);

#endif
