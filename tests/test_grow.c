/* SPDX-License-Identifier: Apache-2.0 */
/* The growable-array helper of lib/ (base.h: cf_grow and its parts). */
#include "t.h"
#include "base.h"

#include <stdlib.h>

TEST(grow_doubles_from_the_first_capacity)
{
	CHECK_EQ(cf_grow_cap(0, 1, 64), 64);
	CHECK_EQ(cf_grow_cap(0, 65, 64), 128);
	CHECK_EQ(cf_grow_cap(64, 64, 16), 64); /* holds it already */
	CHECK_EQ(cf_grow_cap(64, 65, 16), 128);
	CHECK_EQ(cf_grow_cap(4, 100, 64), 128);
	CHECK_EQ(cf_grow_cap(0, 3, 0), 4); /* first 0 counts as 1 */
}

TEST(grow_keeps_elements_and_counts_capacity)
{
	uint32_t *v = NULL;
	size_t cap = 0;
	bool ok = true;

	for (uint32_t i = 0; i < 1000 && ok; i++) {
		ok = CF_GROW(v, cap, i + 1, 16) == 0;
		if (ok)
			v[i] = i * 7;
	}
	if (!CHECK(ok))
		return;
	CHECK_EQ(cap, 1024);
	for (uint32_t i = 0; i < 1000; i++)
		if (v[i] != i * 7) {
			CHECK_EQ(v[i], i * 7);
			break;
		}
	/* room enough already: the array stays where it is */
	uint32_t *before = v;
	CHECK_EQ(CF_GROW(v, cap, 1024, 16), 0);
	CHECK(v == before);
	free(v);
}

TEST(grow_refuses_sizes_that_overflow)
{
	uint64_t *v = NULL;
	size_t cap = 0;

	CHECK_EQ(CF_GROW(v, cap, 4, 4), 0);
	if (!CHECK(v != NULL))
		return;
	v[0] = 42;
	uint64_t *before = v;
	/* SIZE_MAX / 4 elements of 8 bytes: the byte count wraps */
	CHECK_EQ(CF_GROW(v, cap, SIZE_MAX / 4, 4), -ENOMEM);
	CHECK(v == before);
	CHECK_EQ(cap, 4);
	CHECK_EQ(v[0], 42);
	CHECK_EQ(cf_grow_cap(4, SIZE_MAX, 4), SIZE_MAX); /* no wrap to 0 */
	CHECK(cf_realloc_array(NULL, SIZE_MAX / 2 + 1, 2) == NULL);
	free(v);
}

TEST(grow_zero_sizes_give_a_block)
{
	char *p = NULL;
	size_t cap = 0;

	/* need 0 still gives a block (NULL would read as a failure) */
	CHECK_EQ(CF_GROW(p, cap, 0, 8), 0);
	CHECK(p != NULL);
	CHECK_EQ(cap, 0);
	CHECK_EQ(CF_GROW(p, cap, 1, 8), 0);
	CHECK_EQ(cap, 8);
	free(p);
	p = cf_realloc_array(NULL, 0, 16);
	CHECK(p != NULL);
	free(p);
	p = cf_realloc_array(NULL, 16, 0);
	CHECK(p != NULL);
	free(p);
}
