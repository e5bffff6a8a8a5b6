/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sort.h - an in-place sort with the comparison inlined, for the code
 * generator's hot sorts (value points, equality values, graph values):
 * qsort's call through a function pointer per comparison was 12 % of
 * actions-1000's compile (callgrind, docs/performance.md). util.c's
 * cf_sort_u32 / cf_sort_u64 serve every other sort of plain numbers in
 * lib/ (algebra, annotate, record_args).
 *
 * CF_SORT_DEFINE(name, T, LESS) defines static void name(T *a, size_t n)
 * sorting by LESS(x, y) (x, y: const T *, true when *x goes before *y).
 * Quicksort on the median of three down to runs of 16, then insertion;
 * past 2 log2(n) levels a part is finished by heapsort, so no input takes
 * more than O(n log n) (profiles are untrusted input). Not stable: LESS
 * must order totally whatever the order of equal elements would change.
 */
#ifndef CF_SORT_H
#define CF_SORT_H

#include <stddef.h>

#define CF_SORT_SWAP(T, x, y)                                                  \
	do {                                                                   \
		T cf_sort_t_ = *(x);                                           \
		*(x) = *(y);                                                   \
		*(y) = cf_sort_t_;                                             \
	} while (0)

#define CF_SORT_DEFINE(name, T, LESS)                                          \
	static void name##_sift(T *a, size_t i, size_t n)                      \
	{                                                                      \
		for (size_t c; (c = 2 * i + 1) < n; i = c) {                   \
			if (c + 1 < n && LESS(&a[c], &a[c + 1]))               \
				c++;                                           \
			if (!LESS(&a[i], &a[c]))                               \
				return;                                        \
			CF_SORT_SWAP(T, &a[i], &a[c]);                         \
		}                                                              \
	}                                                                      \
	static void name##_heap(T *a, size_t n)                                \
	{                                                                      \
		for (size_t i = n / 2; i-- > 0;)                               \
			name##_sift(a, i, n);                                  \
		while (n > 1) {                                                \
			CF_SORT_SWAP(T, &a[0], &a[n - 1]);                     \
			name##_sift(a, 0, --n);                                \
		}                                                              \
	}                                                                      \
	static void name##_insert(T *a, size_t n)                              \
	{                                                                      \
		for (size_t i = 1; i < n; i++) {                               \
			T t = a[i];                                            \
			size_t j = i;                                          \
                                                                               \
			for (; j && LESS(&t, &a[j - 1]); j--)                  \
				a[j] = a[j - 1];                               \
			a[j] = t;                                              \
		}                                                              \
	}                                                                      \
	/* Hoare's partition around the median of a[0], the middle, the last:  \
	 * [0, result) <= pivot <= [result, n), 0 < result < n. */             \
	static size_t name##_part(T *a, size_t n)                              \
	{                                                                      \
		T *m = a + (n - 1) / 2, *z = a + n - 1, p;                     \
		size_t i = (size_t)-1, j = n;                                  \
                                                                               \
		if (LESS(m, a))                                                \
			CF_SORT_SWAP(T, m, a);                                 \
		if (LESS(z, m)) {                                              \
			CF_SORT_SWAP(T, z, m);                                 \
			if (LESS(m, a))                                        \
				CF_SORT_SWAP(T, m, a);                         \
		}                                                              \
		p = *m;                                                        \
		for (;;) {                                                     \
			do                                                     \
				i++;                                           \
			while (LESS(&a[i], &p));                               \
			do                                                     \
				j--;                                           \
			while (LESS(&p, &a[j]));                               \
			if (i >= j)                                            \
				return j + 1;                                  \
			CF_SORT_SWAP(T, &a[i], &a[j]);                         \
		}                                                              \
	}                                                                      \
	static void name##_intro(T *a, size_t n, unsigned depth)               \
	{                                                                      \
		while (n > 16) {                                               \
			size_t k;                                              \
                                                                               \
			if (!depth--) {                                        \
				name##_heap(a, n);                             \
				return;                                        \
			}                                                      \
			k = name##_part(a, n);                                 \
			/* the smaller part first: the stack stays log n */    \
			if (k < n - k) {                                       \
				name##_intro(a, k, depth);                     \
				a += k;                                        \
				n -= k;                                        \
			} else {                                               \
				name##_intro(a + k, n - k, depth);             \
				n = k;                                         \
			}                                                      \
		}                                                              \
		name##_insert(a, n);                                           \
	}                                                                      \
	static inline __attribute__((unused)) void name(T *a, size_t n)        \
	{                                                                      \
		unsigned depth = 0;                                            \
                                                                               \
		for (size_t k = n; k > 1; k >>= 1)                             \
			depth += 2;                                            \
		name##_intro(a, n, depth);                                     \
	}

#define CF_SORT_LESS_VALUE(x, y) (*(x) < *(y))

#endif
