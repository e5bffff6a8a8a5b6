/* SPDX-License-Identifier: Apache-2.0 */
/* Argument values worth trying against a condition, for the suites that
 * compare programs condition by condition (test_gen, test_opt). */
#ifndef CF_TESTS_CONDS_H
#define CF_TESTS_CONDS_H

#include "action.h"
#include "ruleset.h"

#include <stdint.h>

/* A value that satisfies c (or comes near). For MASKED_EQ, the bits the
 * mask leaves free come from free_bits (NULL: zero), called only then. */
static inline uint64_t t_satisfy(const struct cf_cond *c,
				 uint64_t (*free_bits)(void))
{
	switch ((enum cf_op)c->op) {
	case CF_OP_NE:
		return c->datum ^ 1;
	case CF_OP_LT:
		return c->datum - 1;
	case CF_OP_GT:
		return c->datum + 1;
	case CF_OP_MASKED_EQ:
		return (c->datum2 & c->datum) |
		       (free_bits ? free_bits() & ~c->datum : 0);
	default:
		return c->datum;
	}
}

#define T_COND_VALUES 9

/* The boundaries of c: its datum and neighbours (±1, upper word flipped),
 * 0, all-ones, valueTwo, the masked value, and last (the caller's own). */
static inline void t_cond_values(const struct cf_cond *c, uint64_t last,
				 uint64_t v[T_COND_VALUES])
{
	v[0] = c->datum;
	v[1] = c->datum + 1;
	v[2] = c->datum - 1;
	v[3] = c->datum ^ 0xffffffff00000000ULL;
	v[4] = 0;
	v[5] = UINT64_MAX;
	v[6] = c->datum2;
	v[7] = c->datum2 & c->datum;
	v[8] = last;
}

#endif
