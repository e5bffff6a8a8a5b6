/* SPDX-License-Identifier: Apache-2.0 */
/* The generator's inlined sort (lib/sort.h: cf_sort_u32, cf_sort_u64)
 * against qsort, on the shapes that break quicksorts: sorted, reversed,
 * all equal, few distinct values, organ pipe, random, every small size. */
#include "t.h"
#include "base.h"
#include "sort.h"

#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Element i of n in shape k (0..6). */
static uint64_t shape_value(unsigned k, size_t i, size_t n)
{
	switch (k) {
	case 0:
		return i;
	case 1:
		return n - i;
	case 2:
		return 7;
	case 3:
		return rng() % 3;
	case 4:
		return i < n / 2 ? i : n - i;
	case 5:
		return rng() | (i & 1 ? 1ULL << 63 : 0);
	default:
		return rng() % (n + 1);
	}
}

/* Sorts the shape both ways; true when cf_sort_u64 and cf_sort_u32 agree
 * with qsort. */
static bool sorts_like_qsort(unsigned k, size_t n)
{
	uint64_t *a = malloc((n + 1) * sizeof(*a)),
		 *b = malloc((n + 1) * sizeof(*b));
	uint32_t *c = malloc((n + 1) * sizeof(*c)),
		 *d = malloc((n + 1) * sizeof(*d));
	bool ok = a && b && c && d;

	for (size_t i = 0; ok && i < n; i++) {
		a[i] = b[i] = shape_value(k, i, n);
		c[i] = d[i] = (uint32_t)(a[i] ^ a[i] >> 32);
	}
	if (ok) {
		cf_sort_u64(a, n);
		qsort(b, n, sizeof(*b), cmp_u64);
		cf_sort_u32(c, n);
		qsort(d, n, sizeof(*d), cmp_u32);
		ok = !memcmp(a, b, n * sizeof(*a)) &&
		     !memcmp(c, d, n * sizeof(*c));
	}
	free(a);
	free(b);
	free(c);
	free(d);
	return ok;
}

TEST(sort_orders_every_shape_and_size_as_qsort_does)
{
	static const size_t big[] = {100, 1000, 4097, 20000};
	unsigned bad = 0;

	for (unsigned k = 0; k < 7; k++) {
		for (size_t n = 0; n <= 70; n++)
			bad += !sorts_like_qsort(k, n);
		for (size_t i = 0; i < CF_ARRAY_SIZE(big); i++)
			bad += !sorts_like_qsort(k, big[i]);
	}
	CHECK_EQ(bad, 0);
}

/* The heapsort that finishes a part past 2 log2(n) levels: entered
 * here directly (a depth of 0), on every shape. */
CF_SORT_DEFINE(tsort, uint64_t, CF_SORT_LESS_VALUE)

TEST(sort_heapsort_fallback_orders_every_shape)
{
	static const size_t sizes[] = {17, 100, 1001, 4096};
	unsigned bad = 0;

	for (unsigned k = 0; k < 7; k++)
		for (size_t s = 0; s < CF_ARRAY_SIZE(sizes); s++) {
			size_t n = sizes[s];
			uint64_t *a = malloc(n * sizeof(*a)),
				 *b = malloc(n * sizeof(*b));

			if (a && b) {
				for (size_t i = 0; i < n; i++)
					a[i] = b[i] = shape_value(k, i, n);
				tsort_intro(a, n, 0);
				qsort(b, n, sizeof(*b), cmp_u64);
				bad += memcmp(a, b, n * sizeof(*a)) != 0;
			} else {
				bad++;
			}
			free(a);
			free(b);
		}
	CHECK_EQ(bad, 0);
}
