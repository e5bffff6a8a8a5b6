/* SPDX-License-Identifier: Apache-2.0 */
/* The value-runs plan (lib/gen_values.c) on its own: which steps of a
 * search are lone, what is left after them, and that the plan decides
 * every value of the range as the steps do, first steps included. */
#include "t.h"
#include "gen_values.h"

#include <stdlib.h>

#define VS_MAX 16

static uint64_t vs_rng = 0x2545f4914f6cdd1dULL;

static uint32_t vs_next(uint32_t n)
{
	vs_rng ^= vs_rng << 13;
	vs_rng ^= vs_rng >> 7;
	vs_rng ^= vs_rng << 17;
	return (uint32_t)(vs_rng % n);
}

static bool vs_same(const struct value_step *a, const struct value_step *b)
{
	return a->sub == b->sub && a->action == b->action && a->lab == b->lab;
}

/* The step of s[0..n) that decides x: the last one starting at or below
 * it, or NULL. */
static const struct value_step *vs_find(const struct value_step *s, size_t n,
					uint32_t x)
{
	const struct value_step *hit = NULL;

	for (size_t k = 0; k < n && s[k].lo <= x; k++)
		hit = &s[k];
	return hit;
}

/* Random steps: mostly one or two values wide, two actions, a few
 * low-word tables and labels, so that lone values, neighbours that
 * decide alike and ones that do not all occur. */
static size_t vs_random(struct value_step *v)
{
	size_t n = 2 + vs_next(VS_MAX - 1);
	uint32_t lo = vs_next(4);

	for (size_t k = 0; k < n; k++) {
		uint32_t kind = vs_next(10);

		v[k] = (struct value_step){lo, 1 + vs_next(2), -1, -1};
		if (kind == 0)
			v[k].sub = (int)vs_next(2);
		else if (kind == 1)
			v[k].lab = (int)vs_next(2);
		lo += 1 + (vs_next(3) == 0 ? vs_next(5) : 0);
	}
	return n;
}

/* The plan of v[i..j] decides every value from v[i].lo (the node's
 * lower bound) to past v[j].lo as the steps do. */
static bool vs_plan_holds(const struct value_step *v, size_t i, size_t j,
			  const size_t *lone, size_t nlone)
{
	struct value_step rest[VS_MAX];
	size_t nrest = cf_value_rest(v, i, j, lone, nlone, rest);

	if (nrest != j - i + 1 - 2 * nlone + (lone[0] == i))
		return false;
	for (uint32_t x = v[i].lo; x <= v[j].lo + 3; x++) {
		const struct value_step *want = vs_find(&v[i], j - i + 1, x);
		const struct value_step *got = NULL;

		for (size_t q = 0; q < nlone && !got; q++)
			if (v[lone[q]].lo == x)
				got = &v[lone[q]];
		if (!got)
			got = vs_find(rest, nrest, x);
		if (!got || !vs_same(got, want))
			return false;
	}
	return true;
}

TEST(gen_values_lone_and_rest_by_hand)
{
	/* 10-19 A, 20 B, 21-29 A, 30 B, 31 A: 20 and 30 stand alone */
	const struct value_step v[] = {
	    {10, 1, -1, -1}, {20, 2, -1, -1}, {21, 1, -1, -1},
	    {30, 2, -1, -1}, {31, 1, -1, -1},
	};
	struct value_step rest[5];
	size_t lone[5];

	CHECK_EQ(cf_value_lone(v, 0, 4, lone), 2);
	CHECK_EQ(lone[0], 1);
	CHECK_EQ(lone[1], 3);
	CHECK_EQ(cf_value_rest(v, 0, 4, lone, 2, rest), 1);
	CHECK_EQ(rest[0].lo, 10);
	CHECK_EQ(rest[0].action, 1);
	/* from 20 on, the node's bound: 20 is a first step one value wide,
	 * lone although 21's neighbour before it is not in the node */
	CHECK_EQ(cf_value_lone(v, 1, 4, lone), 2);
	CHECK_EQ(lone[0], 1);
	CHECK_EQ(lone[1], 3);
	CHECK_EQ(cf_value_rest(v, 1, 4, lone, 2, rest), 1);
	CHECK_EQ(rest[0].lo, 21);
	CHECK(vs_plan_holds(v, 1, 4, lone, 2));
	/* a step naming a low-word table is never lone */
	struct value_step w[] = {
	    {10, 1, -1, -1}, {20, 2, 0, -1}, {21, 1, -1, -1}};
	CHECK_EQ(cf_value_lone(w, 0, 2, lone), 0);
}

TEST(gen_values_plan_decides_like_the_steps)
{
	struct value_step v[VS_MAX];
	size_t lone[VS_MAX], part[VS_MAX], firsts = 0, plans = 0;

	for (int round = 0; round < 4000; round++) {
		size_t n = vs_random(v), i = vs_next((uint32_t)n - 1);
		size_t j = i + 1 + vs_next((uint32_t)(n - i - 1));
		size_t nlone = cf_value_lone(v, i, j, lone);

		if (!nlone)
			continue;
		plans++;
		firsts += lone[0] == i;
		for (size_t q = 0; q < nlone; q++)
			if (!CHECK(lone[q] >= i && lone[q] < j &&
				   v[lone[q]].lo + 1 == v[lone[q] + 1].lo &&
				   (q == 0 || lone[q] > lone[q - 1] + 1)))
				return;
		if (!CHECK(vs_plan_holds(v, i, j, lone, nlone)))
			return;
		/* the halves of a search: v[i..m]'s lone values are those
		 * before m; v[m..j]'s, when v[m] is lone, those from m on */
		for (size_t q = 0; q < nlone; q++) {
			size_t m = lone[q],
			       below = cf_value_lone(v, i, m, part);

			if (m > i &&
			    !CHECK(below == q &&
				   !memcmp(part, lone, q * sizeof(*part))))
				return;
			if (m < j &&
			    !CHECK(cf_value_lone(v, m, j, part) == nlone - q &&
				   !memcmp(part, &lone[q],
					   (nlone - q) * sizeof(*part))))
				return;
		}
	}
	t_note("%zu plans, %zu with a lone first step", plans, firsts);
	CHECK(plans > 1000 && firsts > 100);
}
