/* SPDX-License-Identifier: Apache-2.0 */
/* gen_values.h - the value-runs pass of the code generator (gen_values.c):
 * in a search over one 32-bit word of an argument, values that stand
 * alone (an ioctl allow-list) are decided by one JEQ each instead of two
 * JGE boundaries. Pure: it plans, bpf_gen.c emits. */
#ifndef CF_GEN_VALUES_H
#define CF_GEN_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One step of a search over a 32-bit word: the values from lo up to the
 * next step's lo - 1 decide action, or the low-word table sub (>= 0), or
 * the code at label lab (>= 0) decides. */
struct value_step {
	uint32_t lo;
	uint32_t action;
	int sub;
	int lab;
};

/* The longest run of JEQs one search node emits before it splits with a
 * JGE (bounds the worst path: runs are linear). */
#define CF_VALUE_RUN_MAX 8

/* Size first: the longest run of a search over n lone values: half of
 * them (one JGE splits the search once), at least CF_VALUE_RUN_MAX.
 * libseccomp's program tests the n values one after another, so a
 * run of n / 2 is no deeper than its code for them. */
static inline size_t cf_value_run_max_sized(size_t n)
{
	size_t half = (n + 1) / 2;

	return half > 2 * CF_VALUE_RUN_MAX ? half : 2 * CF_VALUE_RUN_MAX;
}

/* The first step of a range v[i..j] (i < j) is lone: one value wide,
 * no table. */
static inline bool cf_value_lone_first(const struct value_step *v, size_t i)
{
	return v[i].lo + 1 == v[i + 1].lo && v[i].sub < 0;
}

/* Finds the lone values of steps v[i..j] (i < j): a step one value wide
 * whose neighbours decide alike (none of the three names a low-word
 * table), so that one JEQ decides it and the neighbours merge, or the
 * first step when it is one value wide. Writes their indices in v
 * (ascending) to lone (j - i + 1 entries); returns how many there are.
 * Inside the range, a step is lone or not by its neighbours and whether
 * the one before it is: so those of v[i..m] (i < m < j) are v[i..j]'s
 * before m, and those of v[m..j] when v[m] is one of v[i..j]'s are
 * v[i..j]'s from m on (gen_args.c's halves of a search). */
size_t cf_value_lone(const struct value_step *v, size_t i, size_t j,
		     size_t *lone);
/* Writes the steps of v[i..j] without its nlone lone values (from
 * cf_value_lone; nlone > 0), neighbours merged, to rest (j - i + 1
 * entries); returns how many: j - i + 1 - 2 * nlone, one more when the
 * first step is lone. */
size_t cf_value_rest(const struct value_step *v, size_t i, size_t j,
		     const size_t *lone, size_t nlone, struct value_step *rest);

#endif
