/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The profile algebra (lib/algebra.c) against direct evaluation: random
 * profile pairs from gen.c, compiled for one target, probed on every ABI
 * of either filter (and a foreign arch), every number up to past the
 * tables, the x32 and top numbers, and at numbers with argument rules,
 * arguments built from every datum the rules carry (datum - 1, datum,
 * datum + 1, the masked value, its complement, 0, all ones):
 *   - merge(A, B): compiled, each probe's decision is the greatest of A's
 *     and B's (ties: A's), on the IR and on the BPF programs; where merge
 *     refuses (-ENOTSUP), the refusal is counted, never silent;
 *   - subset: holds iff no probe shows P above BASE ... as far as probes
 *     see: a refusal's example is checked to be one; subset(M, A),
 *     subset(M, B) and subset(A, A) hold;
 *   - diff: every probe decided differently lies in exactly one listed
 *     class, with those decisions; a probe decided alike lies in none;
 *     every class's example is decided as listed.
 * CF_ALG_PAIRS varies the number of pairs (default 150 random, 300
 * compatible: same ABIs, same default).
 */
#include "../t.h"

#include "diff.h"
#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "filter.h"
#include "algebra.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

static uint32_t best(uint32_t a, uint32_t b)
{
	return cf_action_rank_cmp(b, a) > 0 ? b : a;
}

static uint32_t bpf_decide(const struct cf_filter *f,
			   const struct seccomp_data *d)
{
	struct seccomp_data k;
	size_t len;
	const struct sock_filter *p;

	if (cf_filter_unconfined(f))
		return CF_RET_ALLOW;
	p = cf_filter_program(f, &len);
	cf_seccomp_data_as_kernel(d, &k);
	return cf_bpf_run(p, len, &k, NULL);
}

static uint32_t ir_decide(const struct cf_filter *f,
			  const struct seccomp_data *d)
{
	if (f->unconfined)
		return CF_RET_ALLOW;
	return cf_ir_eval(&f->ir, d, NULL, NULL);
}

/* ---- probes ------------------------------------------------------------ */

struct probes {
	struct seccomp_data *v;
	size_t n, cap;
};

static void probe_add(struct probes *p, const struct seccomp_data *d)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 4096;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		if (!p->v)
			abort();
	}
	p->v[p->n++] = *d;
}

struct pool {
	uint64_t v[64];
	size_t n;
};

static void pool_add(struct pool *p, uint64_t x)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i] == x)
			return;
	if (p->n < CF_ARRAY_SIZE(p->v))
		p->v[p->n++] = x;
}

static void pool_cond(struct pool *p, const struct cf_cond *c)
{
	pool_add(p, c->datum);
	pool_add(p, c->datum - 1);
	pool_add(p, c->datum + 1);
	pool_add(p, c->datum & 0xffffffffU);
	pool_add(p, (c->datum + 1) & 0xffffffffU);
	if (c->op == CF_OP_MASKED_EQ) {
		pool_add(p, c->datum2 & c->datum);
		pool_add(p, (c->datum2 & c->datum) | ~c->datum);
		pool_add(p, (c->datum2 & c->datum) ^ (c->datum & -c->datum));
	}
}

static void pools_at(const struct cf_filter *const *f, size_t nf,
		     uint32_t audit, uint32_t nr, struct pool pools[6])
{
	for (unsigned i = 0; i < 6; i++) {
		pools[i].n = 0;
		pool_add(&pools[i], 0);
		pool_add(&pools[i], UINT64_MAX);
	}
	for (size_t k = 0; k < nf; k++) {
		if (f[k]->unconfined)
			continue;
		for (size_t a = 0; a < f[k]->ir.nabis; a++) {
			const struct cf_ir_abi *abi = &f[k]->ir.abis[a];

			if (cf_arches[abi->arch].audit_arch != audit)
				continue;
			for (size_t s = 0; s < abi->nsys; s++) {
				if (abi->sys[s].nr != nr)
					continue;
				for (size_t c = 0; c < abi->sys[s].nchains; c++)
					for (unsigned j = 0;
					     j < abi->sys[s].chains[c].nconds;
					     j++) {
						const struct cf_cond *cd =
						    &abi->sys[s]
							 .chains[c]
							 .conds[j];

						pool_cond(&pools[cd->arg % 6],
							  cd);
					}
			}
		}
	}
}

static void probes_for(const struct cf_filter *const *f, size_t nf,
		       struct gen_rng *r, struct probes *out)
{
	uint32_t audits[70];
	size_t na = 0;

	out->n = 0;
	for (size_t k = 0; k < nf; k++)
		for (size_t a = 0; !f[k]->unconfined && a < f[k]->ir.nabis;
		     a++) {
			uint32_t au =
			    cf_arches[f[k]->ir.abis[a].arch].audit_arch;
			bool seen = false;

			for (size_t i = 0; i < na; i++)
				seen |= audits[i] == au;
			if (!seen && na < 64)
				audits[na++] = au;
		}
	audits[na++] = 0x12345678U; /* foreign */
	for (size_t a = 0; a < na; a++) {
		static const uint32_t extra[] = {
		    0x3fffffffU, 0x40000000U, 0x40000001U, 0x4000000fU,
		    0x40000200U, 0x7fffffffU, 0x80000000U, 0xbfffffffU,
		    0xc0000000U, 0xc0000010U, 0xfffffffeU, 0xffffffffU,
		};
		uint32_t nrs[2048 + CF_ARRAY_SIZE(extra)];
		size_t nn = 0;

		for (uint32_t nr = 0; nr < 1100; nr++)
			nrs[nn++] = nr;
		for (uint32_t nr = 0x40000000U; nr < 0x40000000U + 600; nr++)
			nrs[nn++] = nr;
		for (size_t i = 0; i < CF_ARRAY_SIZE(extra); i++)
			nrs[nn++] = extra[i];
		for (size_t i = 0; i < nn; i++) {
			struct pool pools[6];
			struct seccomp_data d = {.nr = (int)nrs[i],
						 .arch = audits[a]};
			bool args = false;

			pools_at(f, nf, audits[a], nrs[i], pools);
			for (unsigned j = 0; j < 6; j++)
				args |= pools[j].n > 2;
			probe_add(out, &d);
			if (!args)
				continue;
			/* each pool value on each argument, the others 0 */
			for (unsigned j = 0; j < 6; j++)
				for (size_t v = 0; v < pools[j].n; v++) {
					struct seccomp_data e = d;

					e.args[j] = pools[j].v[v];
					probe_add(out, &e);
				}
			/* random combinations */
			for (unsigned t = 0; t < 96; t++) {
				struct seccomp_data e = d;

				for (unsigned j = 0; j < 6; j++)
					e.args[j] =
					    pools[j]
						.v[gen_next(r) % pools[j].n];
				probe_add(out, &e);
			}
		}
	}
}

/* ---- the properties ----------------------------------------------------- */

struct alg_stats {
	unsigned long pairs, refused_input, merged, merge_refused;
	unsigned long subset_true, subset_false, diff_items;
	unsigned long long probes;
	unsigned long bad;
};

static struct alg_stats as;

static bool fail_once(const char *what, const struct seccomp_data *d,
		      uint32_t want, uint32_t got)
{
	char w[48], g[48];

	if (as.bad++ < 8)
		t_fail(__FILE__, __LINE__,
		       "%s: arch 0x%x nr 0x%x a0 0x%llx a1 0x%llx: want %s, "
		       "got %s",
		       what, d->arch, (uint32_t)d->nr,
		       (unsigned long long)d->args[0],
		       (unsigned long long)d->args[1],
		       cf_action_str(want, w, sizeof(w)),
		       cf_action_str(got, g, sizeof(g)));
	return false;
}

static struct cf_filter *compile_text(const char *text, size_t len,
				      const struct cf_target *t)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_error err;

	if (cf_profile_parse(text, len, NULL, &p, &err))
		return NULL;
	if (cf_compile(p, t, &f, &err))
		f = NULL;
	cf_profile_free(p);
	return f;
}

static void check_merge(const struct cf_filter *a, const struct cf_filter *b,
			const struct cf_target *t, const struct probes *pr,
			struct cf_filter **mout)
{
	const struct cf_filter *in[2] = {a, b};
	struct cf_filter *m;
	struct cf_error err;
	char *json = NULL;
	size_t len = 0;
	int rc = cf_merge(in, 2, t, &json, &len, &err);

	*mout = NULL;
	if (rc == -ENOTSUP) {
		CHECK(!json && err.msg[0]);
		if (getenv("CF_ALG_VERBOSE"))
			t_note("merge refused: %s", err.msg);
		as.merge_refused++;
		return;
	}
	if (!CHECK(rc == 0)) {
		t_note("merge: %s", err.msg);
		return;
	}
	m = compile_text(json, len, t);
	if (!CHECK(m)) {
		t_note("merged profile does not compile:\n%s", json);
		free(json);
		return;
	}
	as.merged++;
	for (size_t i = 0; i < pr->n; i++) {
		const struct seccomp_data *d = &pr->v[i];
		uint32_t want = best(ir_decide(a, d), ir_decide(b, d));
		uint32_t wantb = best(bpf_decide(a, d), bpf_decide(b, d));
		uint32_t got = ir_decide(m, d), gotb = bpf_decide(m, d);

		if (got != want && !fail_once("merge (IR)", d, want, got))
			break;
		if (gotb != wantb && !fail_once("merge (BPF)", d, wantb, gotb))
			break;
	}
	free(json);
	*mout = m;
}

static bool above(uint32_t p, uint32_t base)
{
	return p != base && cf_action_rank_cmp(p, base) >= 0;
}

static void check_subset(const struct cf_filter *base,
			 const struct cf_filter *p, const struct probes *pr,
			 int expect)
{
	struct seccomp_data ex;
	uint32_t act[2];
	struct cf_error err;
	int rc = cf_subset(base, p, &ex, act, &err);
	const struct seccomp_data *viol = NULL;

	if (!CHECK(rc == 0 || rc == 1))
		return;
	if (expect >= 0 && rc != expect) {
		CHECK_EQ(rc, expect);
		return;
	}
	for (size_t i = 0; i < pr->n && !viol; i++)
		if (above(ir_decide(p, &pr->v[i]),
			  ir_decide(base, &pr->v[i])) ||
		    above(bpf_decide(p, &pr->v[i]),
			  bpf_decide(base, &pr->v[i])))
			viol = &pr->v[i];
	if (rc == 1) {
		as.subset_true++;
		if (viol)
			fail_once("subset holds, a probe says not", viol,
				  ir_decide(base, viol), ir_decide(p, viol));
		return;
	}
	as.subset_false++;
	CHECK_EQ(act[0], ir_decide(base, &ex));
	CHECK_EQ(act[1], ir_decide(p, &ex));
	CHECK_EQ(act[0], bpf_decide(base, &ex));
	CHECK_EQ(act[1], bpf_decide(p, &ex));
	CHECK(above(act[1], act[0]));
}

static void check_diff(const struct cf_filter *a, const struct cf_filter *b,
		       const struct probes *pr)
{
	struct cf_diffs *d = NULL;
	struct cf_error err;
	size_t n;

	if (!CHECK(cf_diff(a, b, &d, &err) == 0))
		return;
	n = cf_diffs_count(d);
	as.diff_items += n;
	for (size_t i = 0; i < n; i++) {
		const struct cf_diff_item *it = cf_diffs_item(d, i);

		CHECK(it->action_a != it->action_b);
		if (ir_decide(a, &it->example) != it->action_a ||
		    ir_decide(b, &it->example) != it->action_b ||
		    bpf_decide(a, &it->example) != it->action_a ||
		    bpf_decide(b, &it->example) != it->action_b ||
		    !cf_diffs_match(d, i, &it->example)) {
			fail_once("diff example", &it->example, it->action_a,
				  ir_decide(a, &it->example));
			break;
		}
	}
	for (size_t i = 0; i < pr->n; i++) {
		const struct seccomp_data *v = &pr->v[i];
		uint32_t x = ir_decide(a, v), y = ir_decide(b, v);
		size_t hits = 0, at = 0;

		if (bpf_decide(a, v) != x || bpf_decide(b, v) != y) {
			fail_once("IR and BPF disagree", v, x,
				  bpf_decide(a, v));
			break;
		}
		for (size_t j = 0; j < n; j++)
			if (cf_diffs_match(d, j, v)) {
				hits++;
				at = j;
			}
		if (x == y ? hits != 0 : hits != 1) {
			fail_once("diff: probe in the wrong number of classes",
				  v, x, y);
			break;
		}
		if (hits && (cf_diffs_item(d, at)->action_a != x ||
			     cf_diffs_item(d, at)->action_b != y)) {
			fail_once("diff: class with other decisions", v, x, y);
			break;
		}
	}
	cf_diffs_free(d);
}

static void check_pair(const struct cf_filter *a, const struct cf_filter *b,
		       const struct cf_target *t, struct gen_rng *r)
{
	const struct cf_filter *both[2] = {a, b};
	struct probes pr = {0};
	struct cf_filter *m = NULL;

	probes_for(both, 2, r, &pr);
	as.probes += pr.n;
	as.pairs++;
	check_merge(a, b, t, &pr, &m);
	check_subset(a, a, &pr, 1);
	check_subset(a, b, &pr, -1);
	check_subset(b, a, &pr, -1);
	check_diff(a, b, &pr);
	if (m) {
		check_subset(m, a, &pr, 1);
		check_subset(m, b, &pr, -1); /* not 1: ties take A's errno */
		check_diff(m, a, &pr);
	}
	cf_filter_free(m);
	free(pr.v);
}

TEST(algebra_random_pairs)
{
	static const char *const natives[] = {
	    "x86_64", "x86_64", "x86_64", "aarch64", "x86", "s390x", "mips64"};
	unsigned long n = env_ul("CF_ALG_PAIRS", 150);
	struct gen_rng r = {0xa19eb7aULL * 0x9e3779b97f4a7c15ULL | 1};
	struct cf_error err;

	memset(&as, 0, sizeof(as));
	for (unsigned long i = 0; i < n && as.bad == 0; i++) {
		struct cf_target t;
		int native = cf_abi_lookup(
		    natives[gen_next(&r) % CF_ARRAY_SIZE(natives)]);
		uint64_t caps, caps2;
		char *ta = gen_profile(&r, native, &caps);
		char *tb = gen_profile(&r, native, &caps2);
		struct cf_filter *a, *b;

		if (!CHECK(ta && tb) || !CHECK(!cf_target_default(&t, &err)))
			return;
		t.native = native;
		t.caps = caps;
		t.diag = NULL;
		t.enosys = i % 3 == 2 ? CF_ENOSYS_NONE : CF_ENOSYS_RUNC;
		a = compile_text(ta, strlen(ta), &t);
		b = compile_text(tb, strlen(tb), &t);
		if (a && b)
			check_pair(a, b, &t, &r);
		else
			as.refused_input++;
		cf_filter_free(a);
		cf_filter_free(b);
		free(ta);
		free(tb);
	}
	t_note("%lu pairs (%lu refused by compile), %llu probes; merged %lu, "
	       "merge refused (not writable exactly) %lu; subset true %lu, "
	       "false %lu; %lu diff classes",
	       as.pairs, as.refused_input, as.probes, as.merged,
	       as.merge_refused, as.subset_true, as.subset_false,
	       as.diff_items);
	/* random ABI sets and defaults make most unions inexpressible (one
	 * default for every ABI, rules by name); some must still merge */
	CHECK(as.merged > 0);
	CHECK(as.subset_false > 0);
}

/* ---- pairs that share ABIs and default: the common case of merging ---- */

static const char *const pair_names[] = {
    "read",  "write", "openat", "socket", "clone",  "personality", "ioctl",
    "fcntl", "prctl", "mmap",	"kill",	  "getpid", "bind",	   "futex",
};
static const char *const pair_actions[] = {
    "\"SCMP_ACT_ALLOW\"",	 "\"SCMP_ACT_ALLOW\"",
    "\"SCMP_ACT_ALLOW\"",	 "\"SCMP_ACT_ERRNO\", \"errnoRet\": 1",
    "\"SCMP_ACT_LOG\"",		 "\"SCMP_ACT_TRAP\"",
    "\"SCMP_ACT_KILL_PROCESS\"", "\"SCMP_ACT_ERRNO\", \"errnoRet\": 13",
};
static const char *const pair_ops[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT",
    "SCMP_CMP_LE", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};
static const uint64_t pair_values[] = {
    0, 1, 2, 8, 0x10, 0xff, 0x7e020000, 0xffffffffU, 0x100000000ULL};

/* The name with the largest number on abi (runc's ENOSYS threshold). */
static const char *top_name(int abi)
{
	size_t pos = 0;
	uint32_t nr, max = 0;
	const char *n, *best_name = NULL;

	while ((n = cf_syscall_next(abi, &pos, &nr)))
		if (nr >= max) {
			max = nr;
			best_name = n;
		}
	return best_name;
}

static char *pair_profile(struct gen_rng *r, const int *abis, size_t nabis,
			  const char *def)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned nrules = 1 + (unsigned)(gen_next(r) % 8);

	if (!f)
		return NULL;
	fprintf(f, "{\"defaultAction\": %s, \"architectures\": [", def);
	for (size_t i = 0; i < nabis; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "", cf_abi_oci(abis[i]));
	/* the same largest names in both: the same ENOSYS thresholds */
	fprintf(f, "], \"syscalls\": [{\"names\": [");
	for (size_t i = 0; i < nabis; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "", top_name(abis[i]));
	fprintf(f, "], \"action\": \"SCMP_ACT_ALLOW\"}");
	for (unsigned i = 0; i < nrules; i++) {
		unsigned nconds = (unsigned)(gen_next(r) % 3), used = 0;

		fprintf(
		    f, ", {\"names\": [\"%s\"], \"action\": %s",
		    pair_names[gen_next(r) % CF_ARRAY_SIZE(pair_names)],
		    pair_actions[gen_next(r) % CF_ARRAY_SIZE(pair_actions)]);
		if (nconds)
			fprintf(f, ", \"args\": [");
		for (unsigned c = 0; c < nconds; c++) {
			unsigned idx = (unsigned)(gen_next(r) % 3);

			if (used >> idx & 1)
				continue;
			fprintf(
			    f,
			    "%s{\"index\": %u, \"value\": %llu, "
			    "\"valueTwo\": %llu, \"op\": \"%s\"}",
			    used ? ", " : "", idx,
			    (unsigned long long)
				pair_values[gen_next(r) %
					    CF_ARRAY_SIZE(pair_values)],
			    (unsigned long long)
				pair_values[gen_next(r) %
					    CF_ARRAY_SIZE(pair_values)],
			    pair_ops[gen_next(r) % CF_ARRAY_SIZE(pair_ops)]);
			used |= 1U << idx;
		}
		if (nconds)
			fprintf(f, "]");
		fprintf(f, "}");
	}
	fprintf(f, "]}");
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

TEST(algebra_compatible_pairs)
{
	static const char *const sets[][3] = {
	    {"x86_64", "x86", "x32"},
	    {"aarch64", "arm", NULL},
	    {"x86_64", NULL, NULL},
	    {"s390x", "s390", NULL},
	};
	static const char *const defs[] = {
	    "\"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1",
	    "\"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1",
	    "\"SCMP_ACT_KILL_PROCESS\"",
	    "\"SCMP_ACT_LOG\"",
	};
	unsigned long n = env_ul("CF_ALG_PAIRS", 300);
	struct gen_rng r = {0xc0ffeeULL * 0x9e3779b97f4a7c15ULL | 1};
	struct cf_error err;

	memset(&as, 0, sizeof(as));
	for (unsigned long i = 0; i < n && as.bad == 0; i++) {
		const char *const *set =
		    sets[gen_next(&r) % CF_ARRAY_SIZE(sets)];
		const char *def = defs[gen_next(&r) % CF_ARRAY_SIZE(defs)];
		int abis[3];
		size_t nabis = 0;
		struct cf_target t;
		char *ta, *tb;
		struct cf_filter *a, *b;

		for (size_t j = 0; j < 3 && set[j]; j++)
			abis[nabis++] = cf_abi_lookup(set[j]);
		ta = pair_profile(&r, abis, nabis, def);
		tb = pair_profile(&r, abis, nabis, def);
		if (!CHECK(ta && tb) || !CHECK(!cf_target_default(&t, &err)))
			return;
		t.native = abis[0];
		t.diag = NULL;
		t.enosys = i % 2 ? CF_ENOSYS_NONE : CF_ENOSYS_RUNC;
		a = compile_text(ta, strlen(ta), &t);
		b = compile_text(tb, strlen(tb), &t);
		if (CHECK(a && b))
			check_pair(a, b, &t, &r);
		cf_filter_free(a);
		cf_filter_free(b);
		free(ta);
		free(tb);
	}
	t_note("%lu pairs, %llu probes; merged %lu, merge refused (not "
	       "writable exactly) %lu; subset true %lu, false %lu; %lu diff "
	       "classes",
	       as.pairs, as.probes, as.merged, as.merge_refused, as.subset_true,
	       as.subset_false, as.diff_items);
	CHECK(as.merged >= as.pairs * 9 / 10);
	CHECK(as.subset_false > 0);
}

static struct cf_filter *fixture_filter(const char *name,
					const struct cf_target *t)
{
	size_t len;
	char *text = t_fixture_read(name, &len);
	struct cf_filter *f;

	if (!text)
		return NULL;
	f = compile_text(text, len, t);
	free(text);
	return f;
}

/* The reference profiles: Docker's and Podman's defaults, in both orders
 * and for --enosys=none, through every property above. */
TEST(algebra_docker_podman)
{
	struct gen_rng r = {0xd0c4e7ULL * 0x9e3779b97f4a7c15ULL | 1};
	struct cf_error err;

	memset(&as, 0, sizeof(as));
	for (int e = 0; e < 2; e++) {
		struct cf_target t;
		struct cf_filter *d, *p;

		if (!CHECK(!cf_target_default(&t, &err)))
			return;
		t.native = cf_abi_lookup("x86_64");
		t.diag = NULL;
		t.enosys = e ? CF_ENOSYS_NONE : CF_ENOSYS_RUNC;
		d = fixture_filter("docker-default.json", &t);
		p = fixture_filter("podman-default.json", &t);
		if (!d || !p) {
			cf_filter_free(d);
			cf_filter_free(p);
			return;
		}
		check_pair(d, p, &t, &r);
		check_pair(p, d, &t, &r);
		/* neither contains the other: Podman allows mount, Docker
		 * answers EPERM where Podman answers ENOSYS */
		CHECK_EQ(cf_subset(d, p, NULL, NULL, &err), 0);
		CHECK_EQ(cf_subset(p, d, NULL, NULL, &err), 0);
		cf_filter_free(d);
		cf_filter_free(p);
	}
	t_note("%lu pairs, %llu probes; merged %lu, refused %lu", as.pairs,
	       as.probes, as.merged, as.merge_refused);
	CHECK_EQ(as.merged, 4);
	CHECK_EQ(as.bad, 0);
}

/* Per-ABI decisions a profile cannot write: A knows only x86_64, B also
 * x86, where A's foreign-arch kill leaves B's default; a rule by name
 * would allow read on x86 too. Refused, with the call that shows it. */
TEST(algebra_merge_refuses_inexpressible)
{
	static const char a_text[] =
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
	    "[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": "
	    "[\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	static const char b_text[] =
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
	    "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"], \"syscalls\": "
	    "[{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	struct cf_target t;
	struct cf_error err;
	struct cf_filter *a, *b;
	const struct cf_filter *in[2];
	char *json = (char *)1;
	size_t len = 1;

	if (!CHECK(!cf_target_default(&t, &err)))
		return;
	t.native = cf_abi_lookup("x86_64");
	t.diag = NULL;
	t.enosys = CF_ENOSYS_NONE;
	a = compile_text(a_text, sizeof(a_text) - 1, &t);
	b = compile_text(b_text, sizeof(b_text) - 1, &t);
	if (CHECK(a && b)) {
		in[0] = a;
		in[1] = b;
		CHECK_EQ(cf_merge(in, 2, &t, &json, &len, &err), -ENOTSUP);
		CHECK(json == NULL && len == 0);
		CHECK(strstr(err.msg, "on x86, read"));
	}
	cf_filter_free(a);
	cf_filter_free(b);
}

/* MASKED_EQ and EQ sets: the union of two personality/clone rule sets is
 * written with one condition per argument and decides exactly. */
TEST(algebra_merge_masked)
{
	static const char a_text[] =
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
	    "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
	    " \"args\": [{\"index\": 0, \"value\": 0, \"op\": "
	    "\"SCMP_CMP_EQ\"}]},"
	    "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", "
	    "\"args\": [{\"index\": 0, \"value\": 2114060288, \"valueTwo\":"
	    " 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}";
	static const char b_text[] =
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
	    "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
	    " \"args\": [{\"index\": 0, \"value\": 8, \"op\": "
	    "\"SCMP_CMP_EQ\"}]},"
	    "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", "
	    "\"args\": [{\"index\": 1, \"value\": 16, \"op\": "
	    "\"SCMP_CMP_LT\"}]}]}";
	struct gen_rng r = {77};
	struct cf_target t;
	struct cf_error err;
	struct cf_filter *a, *b;

	if (!CHECK(!cf_target_default(&t, &err)))
		return;
	t.native = cf_abi_lookup("x86_64");
	t.diag = NULL;
	memset(&as, 0, sizeof(as));
	a = compile_text(a_text, sizeof(a_text) - 1, &t);
	b = compile_text(b_text, sizeof(b_text) - 1, &t);
	if (CHECK(a && b))
		check_pair(a, b, &t, &r);
	CHECK_EQ(as.merged, 1);
	cf_filter_free(a);
	cf_filter_free(b);
}

/* A --harden filter compares int arguments on their low word; the cells
 * split arguments by their full width, so the algebra refuses it rather
 * than answer inexactly. */
TEST(algebra_refuses_hardened_filters)
{
	struct cf_profile *p = NULL;
	struct cf_filter *plain = NULL, *hard = NULL;
	struct cf_diffs *d = NULL;
	struct cf_target t;
	struct cf_error err;

	if (!CHECK(cf_target_default(&t, &err) == 0) ||
	    !CHECK(cf_profile_builtin(&p, &err) == 0))
		return;
	CHECK(cf_compile(p, &t, &plain, &err) == 0);
	t.harden = true;
	CHECK(cf_compile(p, &t, &hard, &err) == 0);
	if (plain && hard) {
		CHECK_EQ(cf_subset(plain, plain, NULL, NULL, &err),
			 1); /* holds */
		CHECK_EQ(cf_subset(plain, hard, NULL, NULL, &err), -EOPNOTSUPP);
		CHECK(strstr(err.msg, "--harden") != NULL);
		CHECK_EQ(cf_diff(hard, plain, &d, &err), -EOPNOTSUPP);
		CHECK(d == NULL);
	}
	cf_filter_free(plain);
	cf_filter_free(hard);
	cf_profile_free(p);
}
