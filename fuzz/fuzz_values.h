/* SPDX-License-Identifier: Apache-2.0 */
/* The argument values the compile fuzz targets try (fuzz_compile.c,
 * fuzz_gen_opts.c): every datum of the profile and its neighbours, and
 * random words. */
#ifndef CF_FUZZ_VALUES_H
#define CF_FUZZ_VALUES_H

#include "profile.h"

#include <stdint.h>

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* The values worth trying: every datum of the profile and its
 * neighbours. */
struct values {
	uint64_t v[256];
	size_t n;
};

static inline void add(struct values *vs, uint64_t v)
{
	if (vs->n < sizeof(vs->v) / sizeof(vs->v[0]))
		vs->v[vs->n++] = v;
}

static inline void collect(const struct cf_profile *p, struct values *vs)
{
	add(vs, 0);
	add(vs, UINT64_MAX);
	for (size_t i = 0; i < p->nsyscalls; i++)
		for (size_t a = 0; a < p->syscalls[i].nargs; a++) {
			const struct cf_p_arg *x = &p->syscalls[i].args[a];

			add(vs, x->value);
			add(vs, x->value + 1);
			add(vs, x->value - 1);
			add(vs, x->value ^ 0xffffffff00000000ULL);
			add(vs, x->value_two);
			add(vs, x->value_two + 1);
			add(vs, x->value & x->value_two);
		}
}

static inline uint64_t arg_value(const struct values *vs, uint64_t *seed,
				 uint32_t nr)
{
	*seed = mix(*seed + nr);
	switch (*seed & 3) {
	case 0:
		return 0;
	case 1:
		return *seed >> (*seed >> 8 & 63);
	default:
		return vs->v[(*seed >> 16) % vs->n];
	}
}

#endif
