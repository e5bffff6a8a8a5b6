/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cf-bench stages PROFILE [REPS]: where a compile's time goes.
 *
 * Three loops over the same JSON text in memory, each printing medians:
 *
 *   e2e_*     the end-to-end compile of `cf-bench compile cf` (public API:
 *             cf_profile_parse + cf_target_default + cf_compile +
 *             cf_filter_program + cf_filter_free + cf_profile_free);
 *   cached_*  the same with the target made once outside the loop, as a
 *             runtime that compiles many profiles would keep it;
 *   stage_*   each stage on its own (internal API, the lib/ headers): JSON
 * reader alone, profile parse (reader included), target, resolve, IR build,
 * code generation, verification, and the frees.
 *
 * Also the first compile of the process (cold: code and data touched for
 * the first time) and the minor page faults per compile (getrusage). Output
 * is "key<TAB>value" lines, nanoseconds; nothing is judged here.
 */
#include "bench.h"
#include "callfence.h"
#include "base.h"
#include "json.h"
#include "ruleset.h"
#include "ir.h"
#include "bpf_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

enum {
	S_JSON,
	S_PARSE,
	S_TARGET,
	S_RESOLVE,
	S_IR,
	S_GEN,
	S_VERIFY,
	S_FREE,
	S_N
};
static const char *const stage_names[S_N] = {
    "json", "parse", "target", "resolve", "ir", "gen", "verify", "free",
};

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int e2e(const char *json, size_t len, const char *file,
	       const struct cf_target *cached)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	size_t n = 0;
	int rc = cf_profile_parse(json, len, file, &p, &err);

	if (!rc && cached)
		t = *cached;
	else if (!rc)
		rc = cf_target_default(&t, &err);
	if (!rc)
		rc = cf_compile(p, &t, &f, &err);
	if (!rc && cf_filter_program(f, &n) == NULL)
		rc = -1;
	cf_filter_free(f);
	cf_profile_free(p);
	return rc;
}

/* One run of every stage on its own; t[] receives nanoseconds. Returns
 * the first failing stage's rc (later stages are then not timed). */
static int stages(const char *json, size_t len, const char *file, double t[S_N])
{
	struct cf_arena ja = {0}, fa = {0};
	struct cf_json *root;
	struct cf_profile *p = NULL;
	struct cf_target tg;
	struct cf_ruleset rs;
	struct cf_ir ir;
	struct cf_prog prog;
	struct cf_error err;
	uint64_t t0 = bench_now_ns();
	int rc = cf_json_parse(&ja, json, len, file, &root, &err);

	t[S_JSON] = (double)(bench_now_ns() - t0);
	cf_arena_release(&ja);
#define STAGE(s, expr)                                                         \
	do {                                                                   \
		t0 = bench_now_ns();                                           \
		if (!rc)                                                       \
			rc = (expr);                                           \
		t[s] = (double)(bench_now_ns() - t0);                          \
	} while (0)
	STAGE(S_PARSE, cf_profile_parse(json, len, file, &p, &err));
	STAGE(S_TARGET, cf_target_default(&tg, &err));
	STAGE(S_RESOLVE, cf_resolve(&fa, p, &tg, &rs, &err));
	STAGE(S_IR, cf_ir_build(&fa, &rs, &ir, &err));
	STAGE(S_GEN, cf_bpf_gen(&fa, &ir, &prog, &err));
	STAGE(S_VERIFY, cf_bpf_verify(prog.insns, prog.len, &err));
#undef STAGE
	t0 = bench_now_ns();
	cf_arena_release(&fa);
	cf_profile_free(p);
	t[S_FREE] = (double)(bench_now_ns() - t0);
	return rc;
}

int cmd_stages(int argc, char **argv)
{
	long reps = argc > 3 ? atol(argv[3]) : 2000;
	size_t len;
	char *json = bench_read_file(argv[2], &len);
	double *v = calloc((size_t)reps + 1, sizeof(double));
	double *st = calloc((size_t)(reps + 1) * S_N, sizeof(double));
	struct cf_target cached;
	struct cf_error err;
	uint64_t t0;
	long f0;
	int rc;

	if (!v || !st || reps < 1)
		abort();
	t0 = bench_now_ns();
	f0 = minflt();
	rc = e2e(json, len, argv[2], NULL);
	printf("cold_ns\t%llu\n", (unsigned long long)(bench_now_ns() - t0));
	printf("cold_faults\t%ld\n", minflt() - f0);
	if (rc)
		printf("error\t%d\n", rc);

	f0 = minflt();
	for (long i = 0; i < reps; i++) {
		t0 = bench_now_ns();
		e2e(json, len, argv[2], NULL);
		v[i] = (double)(bench_now_ns() - t0);
	}
	printf("e2e_faults_per_compile\t%.2f\n",
	       (double)(minflt() - f0) / (double)reps);
	printf("e2e_median_ns\t%.0f\n", bench_median(v, (size_t)reps));

	if (cf_target_default(&cached, &err))
		abort();
	for (long i = 0; i < reps; i++) {
		t0 = bench_now_ns();
		e2e(json, len, argv[2], &cached);
		v[i] = (double)(bench_now_ns() - t0);
	}
	printf("cached_target_median_ns\t%.0f\n",
	       bench_median(v, (size_t)reps));

	for (long i = 0; i < reps; i++) {
		double t[S_N];

		stages(json, len, argv[2], t);
		for (int s = 0; s < S_N; s++)
			st[(size_t)s * (size_t)reps + (size_t)i] = t[s];
	}
	for (int s = 0; s < S_N; s++)
		printf(
		    "stage_%s_median_ns\t%.0f\n", stage_names[s],
		    bench_median(st + (size_t)s * (size_t)reps, (size_t)reps));
	free(st);
	free(v);
	free(json);
	return 0;
}
