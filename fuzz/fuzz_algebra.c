/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: two profiles (the input split at its first NUL byte, or in
 * half) -> filters for x86_64 -> merge, subset, diff. Asserts that
 * subset(A, A) holds; that a merge, when it succeeds, compiles and gives
 * a set of calls (every number of x86_64, x86 and x32 with arguments from
 * the profiles' values) the most permissive of A's and B's decisions;
 * that a merge refuses only with -ENOTSUP or -E2BIG and writes nothing
 * then; that subset(merge, A) holds; and that every diff class's example
 * is decided as the class says.
 */
#include "algebra.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cf_filter *build(const uint8_t *p, size_t n,
			       const struct cf_target *t)
{
	struct cf_profile *prof = NULL;
	struct cf_filter *f = NULL;
	struct cf_error err;

	if (cf_profile_parse((const char *)p, n, NULL, &prof, &err))
		return NULL;
	if (cf_compile(prof, t, &f, &err))
		f = NULL;
	cf_profile_free(prof);
	return f;
}

static uint32_t decide(const struct cf_filter *f, const struct seccomp_data *d)
{
	struct cf_decision dec;

	if (cf_filter_decide(f, d, &dec))
		abort();
	return dec.action;
}

static void check_merge(const struct cf_filter *a, const struct cf_filter *b,
			const struct cf_target *t)
{
	const struct cf_filter *in[2] = {a, b};
	static const uint32_t audits[] = {0xc000003eU, 0x40000003U};
	static const uint64_t vals[] = {
	    0, 1, 2, 8, 0xffffffffU, 0x100000000ULL, UINT64_MAX};
	struct cf_error err;
	struct cf_filter *m;
	char *json = NULL;
	size_t len = 0;
	int rc = cf_merge(in, 2, t, &json, &len, &err);

	if (rc) {
		if ((rc != -ENOTSUP && rc != -E2BIG && rc != -ENOMEM) || json)
			abort();
		return;
	}
	m = build((const uint8_t *)json, len, t);
	if (!m)
		abort();
	for (size_t ai = 0; ai < 2; ai++)
		for (uint32_t nr = 0; nr < 0x40000000U + 600;
		     nr = nr == 600 ? 0x40000000U : nr + 1)
			for (size_t v = 0; v < 7; v++) {
				struct seccomp_data d = {.nr = (int)nr,
							 .arch = audits[ai]};
				uint32_t x, y, want;

				for (int i = 0; i < 6; i++)
					d.args[i] = vals[(v + (size_t)i) % 7];
				x = decide(a, &d);
				y = decide(b, &d);
				want = cf_action_rank_cmp(y, x) > 0 ? y : x;
				if (decide(m, &d) != want)
					abort();
			}
	if (cf_subset(m, a, NULL, NULL, &err) != 1)
		abort();
	cf_filter_free(m);
	free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *cut = memchr(data, 0, size);
	size_t na = cut ? (size_t)(cut - data) : size / 2;
	size_t skip = cut ? 1 : 0;
	struct cf_target t;
	struct cf_error err;
	struct cf_filter *a, *b;
	struct cf_diffs *d = NULL;

	if (size > 8192 || cf_target_default(&t, &err))
		return 0;
	t.native = cf_abi_lookup("x86_64");
	t.diag = NULL;
	t.enosys = size & 1 ? CF_ENOSYS_NONE : CF_ENOSYS_RUNC;
	a = build(data, na, &t);
	b = a ? build(data + na + skip, size - na - skip, &t) : NULL;
	if (a && b) {
		if (cf_subset(a, a, NULL, NULL, &err) != 1)
			abort();
		check_merge(a, b, &t);
		if (cf_diff(a, b, &d, &err) == 0) {
			for (size_t i = 0; i < cf_diffs_count(d); i++) {
				const struct cf_diff_item *it =
				    cf_diffs_item(d, i);

				if (decide(a, &it->example) != it->action_a ||
				    decide(b, &it->example) != it->action_b)
					abort();
			}
			cf_diffs_free(d);
		}
	}
	cf_filter_free(a);
	cf_filter_free(b);
	return 0;
}
