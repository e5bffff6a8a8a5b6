/* SPDX-License-Identifier: Apache-2.0 */
/* gen_values.h - the value-runs pass of the code generator (gen_values.c):
 * in a search over one 32-bit word of an argument, values that stand
 * alone (an ioctl allow-list) are decided by one JEQ each instead of two
 * JGE boundaries. Pure: it plans, bpf_gen.c emits. */
#ifndef CF_GEN_VALUES_H
#define CF_GEN_VALUES_H

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

/* Finds the lone values of steps v[0..n-1]: a step one value wide whose
 * neighbours decide alike (none of the three names a low-word table), so
 * that one JEQ decides it and the neighbours merge. Writes their indices
 * (ascending) to lone and the steps without them, neighbours merged, to
 * rest (both of n entries); returns how many there are, *nrest the
 * length of rest. */
size_t cf_value_lone(const struct value_step *v, size_t n, size_t *lone,
		     struct value_step *rest, size_t *nrest);

#endif
