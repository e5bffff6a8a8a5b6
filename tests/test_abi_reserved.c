/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reserved areas of the public structs (docs/abi.md): every function
 * that takes a caller-filled struct refuses a non-zero reserved word with
 * -EINVAL and a message naming it, so a field of a later version is never
 * silently ignored; the same struct zeroed is accepted; the library zeroes
 * what it fills.
 */
#include "t.h"

#include "callfence.h"

#include <errno.h>
#include <stdlib.h>

static struct cf_filter *builtin_filter(struct cf_profile **p,
					struct cf_target *t)
{
	struct cf_filter *f = NULL;
	struct cf_error err;

	CHECK_EQ(cf_profile_builtin(p, &err), 0);
	CHECK_EQ(cf_target_default(t, &err), 0);
	CHECK_EQ(cf_compile(*p, t, &f, &err), 0);
	return f;
}

static void quiet(void *ctx, const struct cf_diag *d)
{
	(void)ctx;
	(void)d;
}

static void check_refusal(int rc, const struct cf_error *err, const char *what,
			  size_t word)
{
	char want[64];

	snprintf(want, sizeof(want), "struct %s: reserved[%zu] is not zero",
		 what, word);
	CHECK_EQ(rc, -EINVAL);
	CHECK_EQ(err->code, -EINVAL);
	if (!strstr(err->msg, want))
		t_fail(__FILE__, __LINE__, "'%s' lacks '%s'", err->msg, want);
}

TEST(abi_reserved_target_refused_by_compile_check_merge)
{
	struct cf_profile *p = NULL;
	struct cf_target t;
	struct cf_filter *f = builtin_filter(&p, &t), *g = NULL;
	const struct cf_filter *in[1] = {f};
	struct cf_error err;
	char *json = NULL;
	size_t len;

	if (!f)
		goto out;
	for (size_t w = 0; w < CF_RESERVED_IN; w += CF_RESERVED_IN - 1) {
		struct cf_target bad = t;

		bad.reserved[w] = 1;
		check_refusal(cf_compile(p, &bad, &g, &err), &err, "cf_target",
			      w);
		CHECK(g == NULL);
		check_refusal(cf_check(p, &bad, quiet, NULL, &err), &err,
			      "cf_target", w);
		check_refusal(cf_merge(in, 1, &bad, &json, &len, &err), &err,
			      "cf_target", w);
		CHECK(json == NULL);
	}
	/* the same target zeroed: accepted */
	CHECK(cf_check(p, &t, quiet, NULL, &err) >= 0);
	CHECK_EQ(cf_merge(in, 1, &t, &json, &len, &err), 0);
	free(json);
out:
	cf_filter_free(f);
	cf_profile_free(p);
}

TEST(abi_reserved_target_default_zeroes_it)
{
	struct cf_target t;
	struct cf_error err;

	memset(&t, 0xa5, sizeof(t));
	CHECK_EQ(cf_target_default(&t, &err), 0);
	for (size_t i = 0; i < CF_RESERVED_IN; i++)
		CHECK_EQ(t.reserved[i], 0);
}

TEST(abi_reserved_run_opts_refused_by_run_and_own_calls)
{
	char *argv[] = {(char *)"/nonexistent/callfence-abi-test", NULL};
	uint32_t nrs[64];
	struct cf_error err;
	int code = 0;

	for (size_t w = 0; w < CF_RESERVED_IN; w += CF_RESERVED_IN - 1) {
		struct cf_run_opts o = {.argv = argv};

		o.reserved[w] = 0x100;
		check_refusal(cf_run(&o, &code, &err), &err, "cf_run_opts", w);
		CHECK_EQ(code, CF_RUN_EXIT_FAILED);
		CHECK_EQ(cf_run_own_calls(&o, nrs, 64), 0);
		o.reserved[w] = 0;
		/* zeroed: the calls are listed (execve at least) */
		CHECK(cf_run_own_calls(&o, nrs, 64) > 0);
	}
}

TEST(abi_reserved_record_opts_refused_by_record_json)
{
	struct cf_record *r = NULL;
	struct cf_record_opts o = {0};
	struct cf_error err;
	char *json = NULL;
	size_t len;

	CHECK_EQ(cf_record_new(&r, &err), 0);
	if (!r)
		return;
	CHECK_EQ(cf_record_add(r, cf_abi_host(), 0, 1), 0);
	o.reserved[CF_RESERVED_IN - 1] = 1;
	check_refusal(cf_record_json(r, &o, &json, &len, &err), &err,
		      "cf_record_opts", CF_RESERVED_IN - 1);
	CHECK(json == NULL);
	o.reserved[CF_RESERVED_IN - 1] = 0;
	CHECK_EQ(cf_record_json(r, &o, &json, &len, &err), 0);
	CHECK(json && len > 0);
	free(json);
	cf_record_free(r);
}

TEST(abi_reserved_decision_zeroed_by_decide)
{
	struct cf_profile *p = NULL;
	struct cf_target t;
	struct cf_filter *f = builtin_filter(&p, &t);
	struct seccomp_data d = {.nr = 0, .arch = cf_abi_audit_arch(t.native)};
	struct cf_decision dec;

	if (!f)
		goto out;
	memset(&dec, 0xa5, sizeof(dec));
	CHECK_EQ(cf_filter_decide(f, &d, &dec), 0);
	for (size_t i = 0; i < CF_RESERVED_OUT; i++)
		CHECK_EQ(dec.reserved[i], 0);
out:
	cf_filter_free(f);
	cf_profile_free(p);
}
