/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Optimized against unoptimized code generation: for every fixture
 * profile and the built-in one, on several native ABIs and capability
 * contexts, the optimized program, the plain one (cf_gen_opts.plain:
 * balanced search, chains as written) and cf_ir_eval decide alike on
 * every (ABI, nr) of the tables and just above, the x32 numbers, and
 * arguments around every datum (datum, +-1, upper word flipped, 0,
 * all-ones); with --harden too (conditions on int arguments compared on
 * the low word). And the kernel's cache (cf_bpf_cacheable) serves every
 * argument-free ALLOW of those programs, and nothing else.
 */
#include "t.h"

#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "bpf_gen.h"
#include "filter.h"
#include "conds.h"
#include "gen_unreached.h"
#include "gen_scratch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_X86_64 0xc000003eU
#define X32_BIT 0x40000000U

static const char *const natives[] = {
    "x86_64", "aarch64", "s390x", "ppc64le", "mips64", "riscv64", "x86",
};

struct cmp {
	const struct cf_ir *ir;
	struct cf_prog opt, plain;
	const char *what;
	unsigned long n, diffs, cached, missed, wrong_cache;
	unsigned long plain_too_big;
	unsigned long unreached; /* optimized instructions no path reaches */
};

/* The words the filter reads on a kernel of the ABI's byte order. */
static struct seccomp_data kernel_view(const struct seccomp_data *d)
{
	struct seccomp_data k;

	cf_seccomp_data_as_kernel(d, &k);
	return k;
}

static void vec(struct cmp *c, const struct seccomp_data *d)
{
	struct seccomp_data k = kernel_view(d);
	uint32_t want = cf_ir_eval(c->ir, d, NULL, NULL);
	uint32_t o = cf_bpf_run(c->opt.insns, c->opt.len, &k, NULL);
	uint32_t p = cf_bpf_run(c->plain.insns, c->plain.len, &k, NULL);
	char an[64], on[48], pn[48], wn[48];

	c->n++;
	if (o == want && p == want)
		return;
	if (c->diffs++ < 10)
		t_fail(__FILE__, __LINE__,
		       "%s: %s nr %u args %" PRIx64 " %" PRIx64 " %" PRIx64
		       " %" PRIx64 ": opt %s plain %s ir %s",
		       c->what, t_arch_name(d->arch, an, sizeof(an)),
		       (uint32_t)d->nr, (uint64_t)d->args[0],
		       (uint64_t)d->args[1], (uint64_t)d->args[2],
		       (uint64_t)d->args[3], t_action_name(o, on, sizeof(on)),
		       t_action_name(p, pn, sizeof(pn)),
		       t_action_name(want, wn, sizeof(wn)));
}

static void sys_args(struct cmp *c, uint32_t audit, const struct cf_ir_sys *s)
{
	for (size_t i = 0; i < s->nchains; i++) {
		const struct cf_ir_chain *ch = &s->chains[i];
		struct seccomp_data base;

		memset(&base, 0, sizeof(base));
		base.arch = audit;
		base.nr = (int)s->nr;
		for (unsigned j = 0; j < ch->nconds; j++)
			base.args[ch->conds[j].arg] =
			    t_satisfy(&ch->conds[j], NULL);
		vec(c, &base);
		for (unsigned j = 0; j < ch->nconds; j++) {
			const struct cf_cond *cd = &ch->conds[j];
			uint64_t v[T_COND_VALUES];

			t_cond_values(cd,
				      (cd->datum2 & cd->datum) ^
					  0xffffffff00000000ULL,
				      v);

			for (size_t k = 0; k < CF_ARRAY_SIZE(v); k++) {
				struct seccomp_data d = base;

				d.args[cd->arg] = v[k];
				vec(c, &d);
				memset(d.args, 0, sizeof(d.args));
				d.args[cd->arg] = v[k];
				vec(c, &d);
			}
		}
	}
}

/* The cache serves nr exactly when its decision is an argument-free
 * ALLOW (no chain that can change it). */
static void cache(struct cmp *c, const struct seccomp_data *d)
{
	const struct cf_ir_sys *s;
	uint32_t want = cf_ir_eval(c->ir, d, &s, NULL);
	bool free_allow = want == CF_RET_ALLOW;
	bool got = cf_bpf_cacheable(c->opt.insns, c->opt.len, d->arch,
				    (uint32_t)d->nr);
	char an[64], wn[48];

	for (size_t i = 0; s && free_allow && i < s->nchains; i++)
		if (s->chains[i].action != s->fallback)
			free_allow = false;
	c->cached += got;
	if (free_allow && !got && c->missed++ < 10)
		t_fail(__FILE__, __LINE__,
		       "%s: %s nr %u: an argument-free ALLOW the kernel would "
		       "not cache",
		       c->what, t_arch_name(d->arch, an, sizeof(an)),
		       (uint32_t)d->nr);
	if (got && want != CF_RET_ALLOW && c->wrong_cache++ < 10)
		t_fail(__FILE__, __LINE__,
		       "%s: %s nr %u: cached but decided %s", c->what,
		       t_arch_name(d->arch, an, sizeof(an)), (uint32_t)d->nr,
		       t_action_name(want, wn, sizeof(wn)));
	/* the plain program keeps argument loads off those paths too */
	if (free_allow &&
	    !cf_bpf_cacheable(c->plain.insns, c->plain.len, d->arch,
			      (uint32_t)d->nr) &&
	    c->missed++ < 10)
		t_fail(__FILE__, __LINE__,
		       "%s: %s nr %u: plain program not cacheable", c->what,
		       t_arch_name(d->arch, an, sizeof(an)), (uint32_t)d->nr);
}

static const struct cf_ir_sys *find(const struct cf_ir_abi *abi, uint32_t nr)
{
	for (size_t i = 0; i < abi->nsys; i++)
		if (abi->sys[i].nr == nr)
			return &abi->sys[i];
	return NULL;
}

static void sweep(struct cmp *c, uint32_t audit, uint32_t from, uint32_t to,
		  const struct cf_ir_abi *abi)
{
	for (uint64_t nr = from; nr <= to; nr++) {
		struct seccomp_data d;
		const struct cf_ir_sys *s =
		    abi ? find(abi, (uint32_t)nr) : NULL;

		memset(&d, 0, sizeof(d));
		d.arch = audit;
		d.nr = (int)(uint32_t)nr;
		vec(c, &d);
		cache(c, &d);
		memset(d.args, 0xff, sizeof(d.args));
		vec(c, &d);
		if (s)
			sys_args(c, audit, s);
	}
}

static const uint32_t odd_nrs[] = {
    0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0x80000001,
    0xbfffffff, 0xc0000000, 0xfffffffe, 0xffffffff,
};

/* The passes of the optimized program under test (default: all). */
static struct cf_gen_opts under_test;

/* Instructions of p that no path from its first one reaches (jumps are
 * forward: one sweep). */
static unsigned long unreached_insns(const struct cf_prog *p)
{
	bool *in = calloc(p->len + 1, sizeof(*in));
	unsigned long none = 0;

	if (!in || !p->len) {
		free(in);
		return 0;
	}
	in[0] = true;
	for (size_t i = 0; i < p->len; i++) {
		const struct sock_filter *f = &p->insns[i];
		size_t t = i + 1, u = p->len;

		if (!in[i]) {
			none++;
			continue;
		}
		if (BPF_CLASS(f->code) == BPF_RET)
			continue;
		if (BPF_CLASS(f->code) == BPF_JMP) {
			bool ja = BPF_OP(f->code) == BPF_JA;

			t = i + 1 + (ja ? f->k : f->jt);
			u = ja ? p->len : i + 1 + f->jf;
		}
		in[t < p->len ? t : p->len] = true;
		in[u < p->len ? u : p->len] = true;
	}
	free(in);
	return none;
}

/* Everything above for one IR; false when a program did not build. */
static bool compare_ir(struct cf_arena *a, const struct cf_ir *ir,
		       const char *what, struct cmp *tot)
{
	const struct cf_gen_opts plain = {.plain = true};
	struct cmp c = {.ir = ir, .what = what};
	struct cf_error err = {0};

	int rc;

	if (cf_bpf_gen_opts(a, ir, &under_test, &c.opt, &err) < 0 ||
	    cf_bpf_verify(c.opt.insns, c.opt.len, &err) < 0) {
		t_fail(__FILE__, __LINE__, "%s: %s", what, err.msg);
		return false;
	}
	rc = cf_bpf_gen_opts(a, ir, &plain, &c.plain, &err);
	if (rc == -E2BIG) {
		/* too big unoptimized: the optimized one against the IR */
		c.plain = c.opt;
		tot->plain_too_big++;
	} else if (rc < 0 ||
		   cf_bpf_verify(c.plain.insns, c.plain.len, &err) < 0) {
		t_fail(__FILE__, __LINE__, "%s: %s", what, err.msg);
		return false;
	}
	for (size_t i = 0; i < ir->nabis; i++) {
		const struct cf_ir_abi *abi = &ir->abis[i];
		const struct cf_arch *ar = &cf_arches[abi->arch];

		sweep(&c, ar->audit_arch, ar->nr_offset,
		      cf_arch_max_nr(abi->arch) + 2, abi);
		if (ar->audit_arch == AUDIT_X86_64 && !ar->nr_offset)
			sweep(&c, AUDIT_X86_64, X32_BIT,
			      X32_BIT + cf_arch_max_nr(abi->arch) + 2, NULL);
		for (size_t k = 0; k < CF_ARRAY_SIZE(odd_nrs); k++)
			sweep(&c, ar->audit_arch, odd_nrs[k], odd_nrs[k], NULL);
	}
	sweep(&c, 0x12345678U, 0, 2, NULL);
	tot->n += c.n;
	tot->diffs += c.diffs;
	tot->cached += c.cached;
	tot->missed += c.missed;
	tot->wrong_cache += c.wrong_cache;
	tot->opt.len += c.opt.len;
	tot->plain.len += c.plain.len;
	tot->plain_too_big += c.plain_too_big;
	if (!under_test.no_drop_unreached)
		tot->unreached += unreached_insns(&c.opt);
	return true;
}

static void compare_profile(const char *text, size_t len, const char *name,
			    struct cmp *tot, unsigned *contexts)
{
	uint64_t caps[2] = {cf_caps_docker_default(), cf_caps_all()};

	for (size_t k = 0; k < CF_ARRAY_SIZE(natives); k++) {
		int native = cf_abi_lookup(natives[k]);

		if (native < 0 || !cf_abi_supported(native))
			continue;
		/* cc 2: Docker's caps, --harden (low-word conditions) */
		for (int cc = 0; cc < 3; cc++) {
			struct cf_target tg = {.native = native,
					       .caps = caps[cc & 1],
					       .kernel = 6 << 16 | 18,
					       .harden = cc == 2};
			struct cf_profile *p;
			struct cf_filter *f = NULL;
			struct cf_arena a = {0};
			struct cf_error err;
			char what[128];

			if (cf_profile_parse(text, len, name, &p, &err)) {
				t_fail(__FILE__, __LINE__, "%s: %s", name,
				       err.msg);
				return;
			}
			if (cf_compile(p, &tg, &f, &err) == 0 &&
			    !f->unconfined) {
				snprintf(what, sizeof(what), "%s on %s%s", name,
					 natives[k],
					 cc == 1   ? " (all caps)"
					 : cc == 2 ? " (--harden)"
						   : "");
				compare_ir(&a, &f->ir, what, tot);
				(*contexts)++;
			}
			cf_arena_release(&a);
			cf_filter_free(f);
			cf_profile_free(p);
		}
	}
}

TEST(opt_fixtures_match_plain_and_ir)
{
	struct cmp tot = {0};
	unsigned contexts = 0;

	for (size_t i = 0; i < t_nfixtures; i++) {
		size_t len;
		char *text = t_fixture_read(t_fixtures[i], &len);

		if (!text)
			return;
		compare_profile(text, len, t_fixtures[i], &tot, &contexts);
		free(text);
	}
	t_note("%u contexts: %lu vectors, %lu differences; %lu numbers "
	       "cacheable, %lu argument-free ALLOWs missed; %lu vs %lu "
	       "instructions (optimized vs plain)",
	       contexts, tot.n, tot.diffs, tot.cached, tot.missed, tot.opt.len,
	       tot.plain.len);
	CHECK(contexts >= 30);
	CHECK(tot.n > 100000);
	CHECK_EQ(tot.unreached, 0);
	CHECK_EQ(tot.diffs, 0);
	CHECK_EQ(tot.missed, 0);
	CHECK_EQ(tot.wrong_cache, 0);
	CHECK(tot.cached > 1000);
}

TEST(opt_builtin_matches_plain_and_ir)
{
	struct cmp tot = {0};
	unsigned contexts = 0;
	size_t len;
	const char *text = cf_profile_builtin_json(&len);

	compare_profile(text, len, "builtin", &tot, &contexts);
	t_note("%u contexts: %lu vectors; %lu numbers cacheable; %lu vs %lu "
	       "instructions (optimized vs plain)",
	       contexts, tot.n, tot.cached, tot.opt.len, tot.plain.len);
	CHECK(contexts >= 10);
	CHECK_EQ(tot.diffs, 0);
	CHECK_EQ(tot.missed, 0);
	CHECK_EQ(tot.wrong_cache, 0);
	CHECK_EQ(tot.unreached, 0);
	CHECK(tot.opt.len <= tot.plain.len);
}

/* The cache emulation itself, on hand-made programs. */
TEST(cache_emulation_rules)
{
	const struct sock_filter allow_if_nr_3[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, CF_RET_ALLOW),
	    BPF_STMT(BPF_RET | BPF_K, CF_RET_ERRNO(1)),
	};
	const struct sock_filter arg_load[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
	    BPF_STMT(BPF_RET | BPF_K, CF_RET_ALLOW),
	};
	const struct sock_filter masked[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x38, 0, 1),
	    BPF_STMT(BPF_JMP | BPF_JA, 1),
	    BPF_STMT(BPF_RET | BPF_K, CF_RET_ERRNO(1)),
	    BPF_STMT(BPF_RET | BPF_K, CF_RET_ALLOW),
	};
	const struct sock_filter uses_x[] = {
	    BPF_STMT(BPF_LDX | BPF_IMM, 0),
	    BPF_STMT(BPF_RET | BPF_K, CF_RET_ALLOW),
	};
	const struct sock_filter log[] = {
	    BPF_STMT(BPF_RET | BPF_K, 0x7ffc0000U),
	};
	uint8_t map[2];

	CHECK(cf_bpf_cacheable(allow_if_nr_3, 4, AUDIT_X86_64, 3));
	CHECK(!cf_bpf_cacheable(allow_if_nr_3, 4, AUDIT_X86_64, 4));
	CHECK(!cf_bpf_cacheable(arg_load, 2, AUDIT_X86_64, 3));
	CHECK(cf_bpf_cacheable(masked, 6, AUDIT_X86_64, 0));
	CHECK(!cf_bpf_cacheable(masked, 6, 0x40000003U, 0));
	CHECK(!cf_bpf_cacheable(uses_x, 2, AUDIT_X86_64, 0));
	CHECK(!cf_bpf_cacheable(log, 1, AUDIT_X86_64, 0));
	CHECK_EQ(cf_bpf_cache_map(allow_if_nr_3, 4, AUDIT_X86_64, 0, map, 16),
		 1);
	CHECK_EQ(map[0], 1u << 3);
	CHECK_EQ(map[1], 0);
	CHECK(cf_abi_kernel_caches(cf_abi_lookup("x86_64"),
				   cf_abi_lookup("x86")));
	CHECK(!cf_abi_kernel_caches(cf_abi_lookup("x86_64"),
				    cf_abi_lookup("x32")));
	CHECK(cf_abi_kernel_caches(cf_abi_lookup("x32"), cf_abi_lookup("x32")));
}

/* ---- random profiles: recorder-like rules on three ABIs ---------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Syscalls on x86_64, x86 and x32 alike, with the argument a recorder
 * would pin down (bench/gen-profile.py's shapes). */
static const struct {
	const char *name;
	unsigned arg;
} shapes[] = {
    {"ioctl", 1},     {"fcntl", 1},   {"openat", 2},   {"socket", 0},
    {"prctl", 0},     {"mmap", 2},    {"mprotect", 2}, {"futex", 1},
    {"clone", 0},     {"kill", 1},    {"lseek", 2},    {"flock", 1},
    {"dup3", 2},      {"pipe2", 1},   {"accept4", 3},  {"sendmsg", 2},
    {"epoll_ctl", 1}, {"unshare", 0}, {"mount", 3},    {"statx", 2},
};

static const char *const ops[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_EQ",	 "SCMP_CMP_EQ", "SCMP_CMP_NE",
    "SCMP_CMP_LT", "SCMP_CMP_LE",	 "SCMP_CMP_GE", "SCMP_CMP_GT",
    "SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ",
};

static uint64_t rnd_value(void)
{
	switch (rnd() % 4) {
	case 0:
		return rnd() % 64;
	case 1:
		return rnd() & ((1ULL << (rnd() % 32)) - 1);
	case 2:
		return 0x5401 + rnd() % 64;
	default:
		return rnd() % 3 ? rnd() % 4096 : rnd();
	}
}

static size_t put_cond(char *b, size_t n, size_t at, unsigned arg)
{
	const char *op = ops[rnd() % CF_ARRAY_SIZE(ops)];
	uint64_t v = rnd_value();

	return at + (size_t)snprintf(b + at, n - at,
				     "{\"index\": %u, \"value\": %" PRIu64
				     ", \"valueTwo\": %" PRIu64
				     ", \"op\": \"%s\"}",
				     arg, v, v & (rnd() % 65536), op);
}

/* The start of a profile on x86_64, x86 and x32 (default ERRNO, the
 * syscalls array opened) into b; its length. */
static size_t three_abi_head(char *b, size_t n)
{
	return (size_t)snprintf(
	    b, n,
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
	    "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], "
	    "\"syscalls\": [");
}

/* A profile of nrules ALLOW rules (one or two conditions) under an ERRNO
 * default, for SCMP_ARCH_X86_64, X86 and X32, into b. */
static void rnd_profile(char *b, size_t n, unsigned nrules)
{
	size_t at = three_abi_head(b, n);

	for (unsigned i = 0; i < nrules && at < n; i++) {
		size_t k = rnd() % CF_ARRAY_SIZE(shapes);

		at += (size_t)snprintf(b + at, n - at,
				       "%s{\"names\": [\"%s\"], \"action\": "
				       "\"SCMP_ACT_ALLOW\", \"args\": [",
				       i ? ", " : "", shapes[k].name);
		at = put_cond(b, n, at, shapes[k].arg);
		if (rnd() % 10 < 3) {
			at += (size_t)snprintf(b + at, n - at, ", ");
			at = put_cond(b, n, at,
				      (shapes[k].arg + 1 + rnd() % 5) % 6);
		}
		at += (size_t)snprintf(b + at, n - at, "]}");
	}
	snprintf(b + at, n - at, "]}");
}

TEST(opt_random_profiles_match_plain_and_ir)
{
	static const unsigned sizes[] = {5, 30, 120, 400, 700};
	static char text[1 << 20];
	struct cmp tot = {0};
	unsigned contexts = 0;

	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < CF_ARRAY_SIZE(sizes); i++) {
			rnd_profile(text, sizeof(text), sizes[i]);
			compare_profile(text, strlen(text), "random", &tot,
					&contexts);
		}
	t_note("%u contexts: %lu vectors; %lu vs %lu instructions "
	       "(optimized vs plain); %lu programs over the kernel's limit "
	       "unoptimized only",
	       contexts, tot.n, tot.opt.len, tot.plain.len, tot.plain_too_big);
	CHECK(contexts >= 15);
	CHECK(tot.plain_too_big > 0); /* the sharing pass ran */
	CHECK_EQ(tot.diffs, 0);
	CHECK_EQ(tot.missed, 0);
	CHECK_EQ(tot.wrong_cache, 0);
	CHECK(tot.opt.len < tot.plain.len);
}

/* ---- each pass alone against the plain program ------------------------ */

static void random_rounds(struct cmp *tot, unsigned *contexts)
{
	static const unsigned sizes[] = {5, 30, 120, 400};
	static char text[1 << 20];

	for (size_t i = 0; i < CF_ARRAY_SIZE(sizes); i++) {
		rnd_profile(text, sizeof(text), sizes[i]);
		compare_profile(text, strlen(text), "random", tot, contexts);
	}
}

/* The fixtures, the built-in profile and random ones, with the passes of
 * o: decisions as the plain program's and the IR's, cache as before. */
static void passes_match_plain(const struct cf_gen_opts *o, const char *name)
{
	struct cmp tot = {0};
	unsigned contexts = 0;
	size_t len;
	const char *text = cf_profile_builtin_json(&len);

	under_test = *o;
	compare_profile(text, len, "builtin", &tot, &contexts);
	for (size_t i = 0; i < t_nfixtures; i++) {
		char *f = t_fixture_read(t_fixtures[i], &len);

		if (!f)
			break;
		compare_profile(f, len, t_fixtures[i], &tot, &contexts);
		free(f);
	}
	random_rounds(&tot, &contexts);
	under_test = (struct cf_gen_opts){0};
	t_note("%s: %u contexts, %lu vectors; %lu vs %lu instructions "
	       "(under test vs plain)",
	       name, contexts, tot.n, tot.opt.len, tot.plain.len);
	CHECK(contexts >= 40);
	CHECK_EQ(tot.unreached, 0);
	CHECK_EQ(tot.diffs, 0);
	CHECK_EQ(tot.missed, 0);
	CHECK_EQ(tot.wrong_cache, 0);
}

TEST(opt_pass_value_runs_off_matches_plain)
{
	const struct cf_gen_opts o = {.no_value_runs = true};

	passes_match_plain(&o, "value runs off");
}

TEST(opt_pass_number_runs_off_matches_plain)
{
	const struct cf_gen_opts o = {.no_number_runs = true};

	passes_match_plain(&o, "number runs off");
}

TEST(opt_pass_shared_tails_off_matches_plain)
{
	const struct cf_gen_opts o = {.no_shared_tails = true};

	passes_match_plain(&o, "shared tails off");
}

TEST(opt_pass_shared_tails_alone_matches_plain)
{
	const struct cf_gen_opts o = {.no_value_runs = true,
				      .no_number_runs = true,
				      .no_shared_bodies = true,
				      .no_drop_unreached = true,
				      .no_size_first = true};

	passes_match_plain(&o, "shared tails, no other pass");
}

TEST(opt_pass_size_first_alone_matches_plain)
{
	const struct cf_gen_opts o = {.size_first = true};

	passes_match_plain(&o, "size-first layout");
}

TEST(opt_pass_size_first_no_value_runs_matches_plain)
{
	const struct cf_gen_opts o = {.size_first = true,
				      .no_value_runs = true};

	passes_match_plain(&o, "size-first layout, value runs off");
}

/* ---- never refuse what fits ------------------------------------------- */

/* The shape of issue 11's 1,000-rule profile: nplain argument-free
 * syscalls and nargd syscalls with nvalues EQ rules between them (one in
 * ten with a second condition), on x86_64, x86 and x32, into b. */
/* Up to max names of syscalls on x86_64, x86 and x32 (socketcall
 * left out); how many. */
static unsigned common_names(const char **names, unsigned max)
{
	int abis[3] = {cf_abi_lookup("x86_64"), cf_abi_lookup("x86"),
		       cf_abi_lookup("x32")};
	unsigned nn = 0;

	for (size_t i = 0; i < cf_nsysinfo && nn < max; i++) {
		bool everywhere = strcmp(cf_sysinfo[i].name, "socketcall");

		for (int k = 0; k < 3; k++)
			everywhere &= cf_sys_nr(abis[k], (int)i) >= 0;
		if (everywhere)
			names[nn++] = cf_sysinfo[i].name;
	}
	return nn;
}

static void values_profile(char *b, size_t n, unsigned nplain, unsigned nargd,
			   unsigned nvalues)
{
	const char *names[512];
	unsigned nn = common_names(names, nplain + nargd);
	size_t at = three_abi_head(b, n);

	if (nn < nplain + nargd) {
		t_fail(__FILE__, __LINE__, "%u syscalls on all three ABIs", nn);
		nplain = nargd = 0;
	}
	for (unsigned i = 0; nargd && i < nplain + nvalues && at < n; i++) {
		bool plain = i < nplain;
		const char *name =
		    plain ? names[i] : names[nplain + rnd() % nargd];

		at += (size_t)snprintf(b + at, n - at,
				       "%s{\"names\": [\"%s\"], \"action\": "
				       "\"SCMP_ACT_ALLOW\"%s",
				       i ? ", " : "", name, plain ? "}" : "");
		if (plain)
			continue;
		at += (size_t)snprintf(
		    b + at, n - at,
		    ", \"args\": [{\"index\": %u, \"value\": %" PRIu64
		    ", \"op\": \"SCMP_CMP_EQ\"}",
		    (unsigned)(strlen(name) % 4), rnd_value());
		if (rnd() % 10 == 0)
			at += (size_t)snprintf(
			    b + at, n - at,
			    ", {\"index\": 5, \"value\": %u, \"op\": "
			    "\"SCMP_CMP_EQ\"}",
			    (unsigned)(rnd() % 64));
		at += (size_t)snprintf(b + at, n - at, "]}");
	}
	snprintf(b + at, n - at, "]}");
}

/* Compiles text on x86_64 with the passes of o; the length, or -errno. */
static long compiled_len(const char *text, const struct cf_gen_opts *o,
			 struct cmp *tot)
{
	struct cf_target tg = {.native = cf_abi_lookup("x86_64"),
			       .caps = cf_caps_docker_default(),
			       .kernel = 6 << 16 | 18};
	struct cf_profile *p;
	struct cf_filter *f = NULL;
	struct cf_arena a = {0};
	struct cf_prog prog = {0};
	struct cf_error err;
	long rc;

	if (cf_profile_parse(text, strlen(text), "values.json", &p, &err)) {
		t_fail(__FILE__, __LINE__, "%s", err.msg);
		return -EINVAL;
	}
	/* the default passes may refuse: the IR is what is compared */
	tg.harden = false;
	rc = cf_compile(p, &tg, &f, &err);
	if (rc == -E2BIG) {
		CHECK(strstr(err.file, "values.json") != NULL);
		CHECK(strstr(err.msg, "instructions") != NULL);
	}
	if (rc == 0 || rc == -E2BIG)
		rc = 0;
	if (rc == 0 && f) {
		rc = cf_bpf_gen_opts(&a, &f->ir, o, &prog, &err);
		rc = rc < 0 ? rc : (long)prog.len;
		under_test = *o;
		if (rc > 0 && tot)
			compare_ir(&a, &f->ir, "values profile", tot);
		under_test = (struct cf_gen_opts){0};
	}
	cf_arena_release(&a);
	cf_filter_free(f);
	cf_profile_free(p);
	return rc;
}

TEST(opt_size_first_fits_what_speed_first_refuses)
{
	static char text[1 << 20];
	const struct cf_gen_opts speed_only = {.no_value_runs = true,
					       .no_number_runs = true,
					       .no_shared_bodies = true,
					       .no_shared_tails = true,
					       .no_arg_graph = true,
					       .no_size_first = true};
	const struct cf_gen_opts retry = {.no_value_runs = true,
					  .no_shared_bodies = true,
					  .no_shared_tails = true,
					  .no_arg_graph = true};
	const struct cf_gen_opts all = {0};
	struct cmp tot = {0};
	long speed, sized, best;

	/* its own seed, so the test decides alike alone and in the full
	 * run (the profile sits near the limit: for about half of the
	 * seeds, speed first alone fits) */
	rng = 1;
	values_profile(text, sizeof(text), 250, 50, 750);
	speed = compiled_len(text, &speed_only, NULL);
	sized = compiled_len(text, &retry, &tot);
	best = compiled_len(text, &all, &tot);
	t_note("1,000 rules: speed-first without value runs, number "
	       "chains or shared bodies %ld, with the "
	       "size-first retry %ld, every pass %ld instructions",
	       speed, sized, best);
	CHECK_EQ(speed, -E2BIG);
	CHECK(sized > 0 && sized <= 4096);
	CHECK(best > 0 && best <= sized);
	CHECK_EQ(tot.diffs, 0);
	CHECK(tot.n > 10000);
}

/* The link lays the program out in one sweep from its end, each jump
 * seeing final distances (gen_link.c). The sweeps it replaced kept every
 * trampoline an earlier sweep had added, also where a RET or JA added
 * later came within reach: 2,554 instructions on issue 11's shape (seed
 * 3), 12 of them such trampolines. Decisions as the plain program's. */
TEST(opt_link_keeps_no_stale_trampoline)
{
	static char text[1 << 20];
	const struct cf_gen_opts all = {0};
	struct cmp tot = {0};
	long len;

	rng = 3; /* its own profile, alone and in the full run */
	values_profile(text, sizeof(text), 250, 50, 750);
	len = compiled_len(text, &all, &tot);
	t_note("1,000 rules: %ld instructions (the sweeps: 2,554)", len);
	CHECK(len > 0 && len <= 2542);
	CHECK_EQ(tot.diffs, 0);
	CHECK(tot.n > 10000);
}

/* ---- number chains ----------------------------------------------------- */

/* A sparse allow-list: about one syscall in four, one in eight of them
 * logged instead, one in ten with an argument rule, on x86_64, x86 and
 * x32, into b. */
static void sparse_profile(char *b, size_t n)
{
	size_t at = three_abi_head(b, n);
	bool first = true;

	for (size_t i = 0; i < cf_nsysinfo && at < n; i++) {
		if (rnd() % 4)
			continue;
		at += (size_t)snprintf(b + at, n - at,
				       "%s{\"names\": [\"%s\"], \"action\": "
				       "\"%s\"",
				       first ? "" : ", ", cf_sysinfo[i].name,
				       rnd() % 8 ? "SCMP_ACT_ALLOW"
						 : "SCMP_ACT_LOG");
		first = false;
		if (rnd() % 10 == 0)
			at += (size_t)snprintf(
			    b + at, n - at,
			    ", \"args\": [{\"index\": 1, \"value\": %u, "
			    "\"op\": \"SCMP_CMP_EQ\"}]",
			    (unsigned)(rnd() % 64));
		at += (size_t)snprintf(b + at, n - at, "}");
	}
	snprintf(b + at, n - at, "]}");
}

/* Chains (one JEQ per lone exception of a cold node) shorten a sparse
 * allow-list's search and decide as the plain program, in the
 * speed-first and the size-first layouts. */
TEST(opt_number_chains_shorten_sparse_allow_lists)
{
	static char text[1 << 16];
	/* speed first only: from 512 instructions the size-first retry
	 * would otherwise replace both programs */
	const struct cf_gen_opts off = {.no_number_runs = true,
					.no_size_first = true};
	const struct cf_gen_opts on = {.no_size_first = true};
	const struct cf_gen_opts size_first = {.size_first = true};

	for (int round = 0; round < 4; round++) {
		struct cmp tot = {0};
		long without, with, sized;

		sparse_profile(text, sizeof(text));
		without = compiled_len(text, &off, &tot);
		with = compiled_len(text, &on, &tot);
		sized = compiled_len(text, &size_first, &tot);
		t_note("sparse allow-list %d: %ld instructions without "
		       "chains, %ld with, %ld size first",
		       round, without, with, sized);
		CHECK(with > 0 && with < without);
		CHECK(sized > 0 && sized < with);
		CHECK_EQ(tot.diffs, 0);
		CHECK_EQ(tot.missed, 0);
		CHECK(tot.n > 1000);
	}
}

static const char *const set_names[] = {
    "read",    "write", "openat", "close", "fstat", "lseek", "mmap",  "brk",
    "pread64", "ioctl", "dup",	  "dup3",  "fcntl", "flock", "fsync", "umask"};

/* nsys syscalls, each with its own set of nvals EQ values of argument 0
 * (below 2^32), on x86_64, x86 and x32. */
static void value_sets_profile(char *b, size_t n, unsigned nsys, unsigned nvals)
{
	size_t at = three_abi_head(b, n);

	for (unsigned i = 0; i < nsys && i < CF_ARRAY_SIZE(set_names); i++)
		for (unsigned v = 0; v < nvals && at < n; v++)
			at += (size_t)snprintf(
			    b + at, n - at,
			    "%s{\"names\": [\"%s\"], \"action\": "
			    "\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
			    "\"value\": %u, \"op\": \"SCMP_CMP_EQ\"}]}",
			    i || v ? ", " : "", set_names[i],
			    1000 * i + 7 * v + (v % 3 ? 0 : 0x80000000u));
	snprintf(b + at, n - at, "]}");
}

/* Compiles text with shared bodies off and on (shared tails off: they
 * find the same code by themselves), each program compared with the
 * plain one and the IR on over 1,000 vectors without a difference;
 * sharing must leave under num/den of the unshared length. */
static void check_sharing_shortens(const char *text, const char *label,
				   long num, long den)
{
	const struct cf_gen_opts off = {.no_shared_bodies = true,
					.no_shared_tails = true};
	const struct cf_gen_opts on = {.no_shared_tails = true};
	struct cmp tot = {0};
	long unshared = compiled_len(text, &off, &tot);
	long shared = compiled_len(text, &on, &tot);

	t_note("%s: %ld instructions unshared, %ld shared", label, unshared,
	       shared);
	CHECK(unshared > 0 && shared > 0);
	CHECK(den * shared < num * unshared); /* the note has the numbers */
	CHECK_EQ(tot.diffs, 0);
	CHECK(tot.n > 1000);
}

/* x86_64's code for a value set below 2^32 is its high-word check and a
 * jump into x86's (x32's) code for the same rules: shorter, deciding as
 * the plain program does (high words set included: compare_ir). */
TEST(opt_shared_bodies_x86_64_on_32bit_code)
{
	static char text[1 << 18];

	value_sets_profile(text, sizeof(text), 12, 16);
	/* three copies of each value set become about two */
	check_sharing_shortens(text, "12 syscalls, 16 values each", 3, 4);
}

/* ---- unreached code ---------------------------------------------------- */

TEST(opt_pass_drop_unreached_off_matches_plain)
{
	const struct cf_gen_opts o = {.no_drop_unreached = true};

	passes_match_plain(&o, "unreached code kept");
}

/* A hand-made linked program: the RET at 4 has no way in; the JA over
 * it and the jumps before it keep their targets. */
TEST(opt_drop_unreached_keeps_every_path)
{
	struct sock_filter p[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_JMP | BPF_JA, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
	    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 9, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),
	};
	struct cf_insn_part parts[8];
	struct cf_prog prog = {p, 8, NULL};
	size_t n;

	for (int i = 0; i < 8; i++)
		parts[i] = (struct cf_insn_part){CF_PART_SEARCH, i, -1};
	n = cf_gen_drop_unreached(p, parts, 8);
	CHECK_EQ(n, 7);
	CHECK_EQ(p[1].jt, 0);
	CHECK_EQ(p[1].jf, 1);
	CHECK_EQ(p[3].code, BPF_JMP | BPF_JA);
	CHECK_EQ(p[3].k, 0); /* lands on the JGE, now at 4 */
	CHECK_EQ(p[4].code, BPF_JMP | BPF_JGE | BPF_K);
	CHECK_EQ(p[4].jt, 1);
	CHECK_EQ(p[6].k, SECCOMP_RET_LOG);
	CHECK_EQ(parts[4].abi, 5);
	CHECK_EQ(parts[6].abi, 7);
	prog.len = n;
	CHECK_EQ(unreached_insns(&prog), 0);
	/* nothing to drop: unchanged */
	CHECK_EQ(cf_gen_drop_unreached(p, parts, n), n);
	CHECK_EQ(p[3].k, 0);
}

/* ---- the generator's scratch (gen_scratch.c) ------------------------- */

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Blocks are zeroed, stay intact while later ones come and go (in the
 * first chunk and past its end: the multi-chunk path), a rewind frees
 * only what came after its mark, and the reset leaves one chunk in which
 * the same sequence lies as offsets say (the one-chunk path). */
TEST(opt_scratch_is_a_stack)
{
	struct cf_scratch s = {0};
	unsigned char *a, *b, *c, *big, *big2;
	size_t mark;

	for (int round = 0; round < 2; round++) {
		a = cf_scratch_array(&s, 100, 1);
		CHECK(a && all_bytes(a, 100, 0));
		memset(a, 0xaa, 100);
		mark = cf_scratch_mark(&s);
		b = cf_scratch_array(&s, 10, 8);
		CHECK(b && all_bytes(b, 80, 0));
		CHECK_EQ((uintptr_t)b % _Alignof(max_align_t), 0);
		memset(b, 0xbb, 80);
		/* larger than any first chunk: the stack goes on elsewhere */
		big = cf_scratch_array(&s, 1 << 20, 1);
		CHECK(big && all_bytes(big, 1 << 20, 0));
		memset(big, 0xcc, 1 << 20);
		CHECK(all_bytes(a, 100, 0xaa) && all_bytes(b, 80, 0xbb));
		cf_scratch_rewind(&s, mark);
		c = cf_scratch_array(&s, 10, 8); /* b's place again, zeroed */
		CHECK(c == b && all_bytes(c, 80, 0));
		big2 = cf_scratch_array(&s, 1 << 20, 1);
		CHECK(big2 && all_bytes(big2, 1 << 20, 0));
		CHECK(all_bytes(a, 100, 0xaa));
		if (round == 1) /* after the reset: one chunk, as offsets */
			CHECK((size_t)(big2 - a) ==
			      cf_scratch_mark(&s) - (1 << 20));
		cf_scratch_reset(&s);
		CHECK_EQ(cf_scratch_mark(&s), 0);
	}
	CHECK(cf_scratch_array(&s, SIZE_MAX / 2, 4) == NULL);
	cf_scratch_release(&s);
	CHECK(s.cur == NULL && s.spare == NULL);
}

/* ---- shared bodies ---------------------------------------------------- */

TEST(opt_pass_shared_bodies_off_matches_plain)
{
	const struct cf_gen_opts o = {.no_shared_bodies = true};

	passes_match_plain(&o, "shared bodies off");
}

/* nsys syscalls with one rule set each of nsets (three values of one
 * argument and a second argument's mask, two actions), on x86_64, x86
 * and x32: the same code is needed by many syscalls and two ABIs; one
 * syscall has the rules of the first but falls back to TRACE. */
static void shared_sets_profile(char *b, size_t n, unsigned nsys,
				unsigned nsets)
{
	size_t at = three_abi_head(b, n);

	for (unsigned i = 0; i < nsys && i < CF_ARRAY_SIZE(set_names); i++)
		for (unsigned v = 0; v < 3 && at < n; v++)
			at += (size_t)snprintf(
			    b + at, n - at,
			    "%s{\"names\": [\"%s\"], \"action\": \"%s\", "
			    "\"args\": [{\"index\": 0, \"value\": %u, "
			    "\"op\": \"SCMP_CMP_EQ\"}, {\"index\": 2, "
			    "\"value\": 4, \"valueTwo\": 0, \"op\": "
			    "\"SCMP_CMP_MASKED_EQ\"}]}",
			    i || v ? ", " : "", set_names[i],
			    v == 2 ? "SCMP_ACT_LOG" : "SCMP_ACT_ALLOW",
			    10 * (i % nsets) + v);
	/* the same rules, another fallback: code of its own */
	if (nsys > nsets)
		at += (size_t)snprintf(b + at, n - at,
				       ", {\"names\": [\"%s\"], \"action\": "
				       "\"SCMP_ACT_TRACE\"}",
				       set_names[nsets]);
	snprintf(b + at, n - at, "]}");
}

/* Code that several syscalls (and x86_64 and x32) need is emitted once:
 * shorter, deciding as the plain program does. */
TEST(opt_shared_bodies_shorten_and_match_plain)
{
	static char text[1 << 16];

	shared_sets_profile(text, sizeof(text), 16, 2);
	/* 16 x 2 bodies become 2: at least half the code goes */
	check_sharing_shortens(text, "16 syscalls, 2 rule sets", 1, 2);
}

/* ---- passes skipped ---------------------------------------------------- */

/* A large program whose size-first layout beats the weighted search by
 * more than 1/64 skips the two passes between (bpf_gen.c,
 * gen_speed_first): on value sets, shared rule sets and issue 11's shape,
 * the skip happens (the size-first layout wins by more than the margin)
 * and costs no instruction against running every pass. */
static bool check_skip_costs_nothing(const char *text, const char *label)
{
	const struct cf_gen_opts all = {.all_passes = true};
	const struct cf_gen_opts dflt = {0}, speed = {.no_size_first = true};
	long skipped = compiled_len(text, &dflt, NULL);
	long every = compiled_len(text, &all, NULL);
	long weighted = compiled_len(text, &speed, NULL);

	t_note("%s: %ld instructions with the skip, %ld with every pass, "
	       "%ld without the size-first layout",
	       label, skipped, every, weighted);
	CHECK(skipped > 0 && weighted > 0);
	CHECK_EQ(skipped, every);
	/* whether the skip was taken (within the margin, every pass runs) */
	return skipped + weighted / 64 < weighted;
}

/* check on four large shapes (value sets, values, shared rule sets,
 * issue 11's), the same profiles whatever ran before, into text; how
 * many it returned true for. */
static unsigned four_large_shapes(char *text, size_t n,
				  bool (*check)(const char *, const char *))
{
	unsigned yes = 0;

	rng = 0x9e3779b97f4a7c15ULL;
	value_sets_profile(text, n, 12, 16);
	yes += check(text, "12 syscalls, 16 values each");
	values_profile(text, n, 20, 30, 300);
	yes += check(text, "20 plain, 30 with 300 values");
	shared_sets_profile(text, n, 16, 2);
	yes += check(text, "16 syscalls, 2 rule sets");
	values_profile(text, n, 250, 50, 750);
	yes += check(text, "issue 11's 1,000 rules");
	return yes;
}

TEST(opt_pass_skip_costs_no_instruction)
{
	static char text[1 << 18];

	/* not a test of nothing: most of them skip */
	CHECK(four_large_shapes(text, sizeof(text), check_skip_costs_nothing) >=
	      3);
}

/* ---- the size-first layout early ------------------------------------- */

/* text's program with the passes of o, into *out (a's memory); its
 * length, or -errno. */
static long prog_of(const char *text, const struct cf_gen_opts *o,
		    struct cf_arena *a, struct cf_prog *out, size_t *nchains)
{
	struct cf_target tg = {.native = cf_abi_lookup("x86_64"),
			       .caps = cf_caps_docker_default(),
			       .kernel = 6 << 16 | 18};
	struct cf_profile *p;
	struct cf_filter *f = NULL;
	struct cf_error err;
	long rc = -EINVAL;

	*nchains = 0;
	if (cf_profile_parse(text, strlen(text), "early.json", &p, &err))
		return rc;
	rc = cf_compile(p, &tg, &f, &err); /* refused: its IR is kept */
	if ((rc == 0 || rc == -E2BIG) && f) {
		for (size_t i = 0; i < f->ir.nabis; i++)
			for (size_t j = 0; j < f->ir.abis[i].nsys; j++)
				*nchains += f->ir.abis[i].sys[j].nchains;
		rc = cf_bpf_gen_opts(a, &f->ir, o, out, &err);
		rc = rc < 0 ? rc : (long)out->len;
	}
	cf_filter_free(f);
	cf_profile_free(p);
	return rc;
}

/* nplain syscalls allowed, then one allowed for its first argument
 * 0..nvals-1, a rule each: many chains, a short program (a step). */
static void step_profile(char *b, size_t n, unsigned nplain, unsigned nvals)
{
	const char *names[512];
	unsigned nn = common_names(names, nplain + 1);
	size_t at = three_abi_head(b, n);

	for (unsigned i = 0; i + 1 < nn && at < n; i++)
		at += (size_t)snprintf(b + at, n - at,
				       "%s{\"names\": [\"%s\"], \"action\": "
				       "\"SCMP_ACT_ALLOW\"}",
				       i ? ", " : "", names[i]);
	for (unsigned v = 0; nn && v < nvals && at < n; v++)
		at += (size_t)snprintf(
		    b + at, n - at,
		    ", {\"names\": [\"%s\"], \"action\": "
		    "\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
		    "\"value\": %u, \"op\": \"SCMP_CMP_EQ\"}]}",
		    names[nn - 1], v);
	snprintf(b + at, n - at, "]}");
}

/* A profile of at least 512 chains is generated size first before
 * anything else (bpf_gen.c, gen_early_size_first); when that program is
 * kept, it must be the one the passes in their order keep, byte for
 * byte. Returns whether it was kept (the size-first program, from that
 * many chains). */
static bool check_early_is_the_same(const char *text, const char *label)
{
	const struct cf_gen_opts dflt = {0},
				 late = {.no_early_size_first = true},
				 sized = {.size_first = true};
	struct cf_arena a = {0};
	struct cf_prog early = {0}, full = {0}, size_only = {0};
	size_t nchains;
	long n1 = prog_of(text, &dflt, &a, &early, &nchains);
	long n2 = prog_of(text, &late, &a, &full, &nchains);
	long n3 = prog_of(text, &sized, &a, &size_only, &nchains);
	bool kept = false;

	t_note("%s: %zu chains, %ld instructions early, %ld in order, %ld "
	       "size first",
	       label, nchains, n1, n2, n3);
	CHECK(n1 > 0 && n2 > 0);
	CHECK_EQ(n1, n2);
	if (n1 > 0 && n1 == n2)
		CHECK(memcmp(early.insns, full.insns,
			     (size_t)n1 * sizeof(*early.insns)) == 0);
	if (n1 > 0 && n1 == n3)
		kept = nchains >= 512 &&
		       memcmp(early.insns, size_only.insns,
			      (size_t)n1 * sizeof(*early.insns)) == 0;
	cf_arena_release(&a);
	return kept;
}

TEST(opt_early_size_first_keeps_the_same_program)
{
	static char text[1 << 18];
	unsigned kept =
	    four_large_shapes(text, sizeof(text), check_early_is_the_same);

	values_profile(text, sizeof(text), 20, 5, 40);
	kept += check_early_is_the_same(text, "20 plain, 5 with 40 values");
	values_profile(text, sizeof(text), 250, 2, 200);
	kept += check_early_is_the_same(text, "250 plain, 2 with 200 values");
	/* many chains, not large: the weighted search's program */
	step_profile(text, sizeof(text), 250, 200);
	CHECK(!check_early_is_the_same(text, "250 plain, one with 0..199"));
	/* not a test of nothing: the large ones are kept early */
	CHECK(kept >= 2);
}

/* ---- the limit checks the final length --------------------------------- */

/* The length of text's program on x86_64 with the passes of o, refused
 * or not (*rc: cf_bpf_gen_opts's); -1 when the default passes refuse it
 * (no IR to generate from). */
static long any_len(const char *text, const struct cf_gen_opts *o, int *rc)
{
	struct cf_target tg = {.native = cf_abi_lookup("x86_64"),
			       .caps = cf_caps_docker_default(),
			       .kernel = 6 << 16 | 18};
	struct cf_profile *p;
	struct cf_filter *f = NULL;
	struct cf_arena a = {0};
	struct cf_prog prog = {0};
	struct cf_error err;
	long len = -1;

	if (cf_profile_parse(text, strlen(text), "v.json", &p, &err))
		return -1;
	if (cf_compile(p, &tg, &f, &err) == 0) {
		*rc = cf_bpf_gen_opts(&a, &f->ir, o, &prog, &err);
		len = (long)prog.len;
	}
	cf_arena_release(&a);
	cf_filter_free(f);
	cf_profile_free(p);
	return len;
}

/* A program over 4,096 instructions until unreached code is dropped and
 * within the limit after is accepted: the limit applies to the program
 * loaded. Found among issue 11-shaped profiles near the limit (the first
 * of the grid, 253 plain syscalls and 1,243 value rules: 4,097
 * instructions, 4,096 after the drop; the grid moved from 1,070 value
 * rules when the size-first layout got shorter, from 1,170 when a graph
 * node's values became one run of JEQs); without the drop,
 * every layout of it is refused, as the check before the drop refused
 * it. */
TEST(opt_limit_checks_the_final_length)
{
	static char text[1 << 20];
	/* shared tails off: the grid was found without them */
	const struct cf_gen_opts keep = {.no_drop_unreached = true,
					 .no_shared_tails = true};
	const struct cf_gen_opts all = {.no_shared_tails = true};
	struct cmp tot = {0};
	long kept = 0, dropped = 0;
	int rc_keep = 0, rc_all = 0;

	for (unsigned nplain = 250; nplain < 262 && !tot.n; nplain++)
		for (unsigned nv = 1236; nv < 1252 && !tot.n; nv++) {
			rng = 1;
			values_profile(text, sizeof(text), nplain, 50, nv);
			dropped = any_len(text, &all, &rc_all);
			if (dropped < 4000 || rc_all != 0)
				continue;
			kept = any_len(text, &keep, &rc_keep);
			if (kept <= 4096)
				continue;
			CHECK_EQ(rc_keep, -E2BIG);
			CHECK_EQ(compiled_len(text, &all, &tot), dropped);
			t_note("%u plain syscalls, %u value rules: %ld "
			       "instructions, %ld before the drop",
			       nplain, nv, dropped, kept);
		}
	CHECK(tot.n > 10000); /* found one, and it decides as the IR */
	CHECK(kept > 4096 && dropped <= 4096);
	CHECK_EQ(tot.diffs, 0);
}

/* ---- decision graphs (gen_graph.c) ------------------------------------ */

static const uint64_t graph_pool[] = {
    0, 1, 2, 3, 0x5401, 0x100000002ULL, 0xffffffffULL, UINT64_MAX};
static const char *const graph_names[] = {"read",  "write", "openat",
					  "ioctl", "fcntl", "mmap"};
static const char *const graph_actions[] = {
    "\"SCMP_ACT_ALLOW\"", "\"SCMP_ACT_ERRNO\", \"errnoRet\": 13",
    "\"SCMP_ACT_LOG\"", "\"SCMP_ACT_KILL_PROCESS\""};
static const uint64_t graph_masks[] = {0xffffffffULL, 0xffffffff00000000ULL,
				       UINT64_MAX, 0xff00ULL};

/* per_sys rules for each of graph_names: on one or two of arguments
 * 0..2 (one_arg: on argument 1), EQ to values of graph_pool or MASKED_EQ
 * (whole-word masks, and a partial one the graph does not take), actions mixed.
 */
static void graph_profile(char *b, size_t n, unsigned per_sys, bool one_arg)
{
	size_t at = three_abi_head(b, n);

	for (size_t s = 0; s < CF_ARRAY_SIZE(graph_names); s++)
		for (unsigned r = 0; r < per_sys && at < n; r++) {
			unsigned nargs = rnd() % 6 && !one_arg ? 2 : 1;
			unsigned first = one_arg ? 1 : (unsigned)(rnd() % 3);

			at += (size_t)snprintf(
			    b + at, n - at,
			    "%s{\"names\": [\"%s\"], \"action\": %s, "
			    "\"args\": [",
			    s || r ? ", " : "", graph_names[s],
			    graph_actions[rnd() % 4]);
			for (unsigned i = 0; i < nargs; i++) {
				uint64_t v = graph_pool[rnd() % 8];
				bool masked = rnd() % 5 == 0;
				uint64_t m = graph_masks[rnd() % 4];

				at += (size_t)snprintf(
				    b + at, n - at,
				    "%s{\"index\": %u, \"value\": %" PRIu64
				    ", \"valueTwo\": %" PRIu64
				    ", \"op\": \"%s\"}",
				    i ? ", " : "", (first + i) % 3,
				    masked ? m : v, masked ? v & m : 0,
				    masked ? "SCMP_CMP_MASKED_EQ"
					   : "SCMP_CMP_EQ");
			}
			at += (size_t)snprintf(b + at, n - at, "]}");
		}
	snprintf(b + at, n - at, "]}");
}

/* values the vectors also take (a multiplexer's call number, a value
 * set's values) */
#define GRAPH_EXTRA_MAX 24
static uint64_t graph_extra[GRAPH_EXTRA_MAX];
static size_t graph_nextra;

/* Every combination of interesting values (the pool, +1, the low word
 * under another high word; graph_extra, +1) on the arguments s's rules test. */
static void graph_vectors(struct cmp *c, uint32_t audit,
			  const struct cf_ir_sys *s)
{
	uint64_t vals[3 * CF_ARRAY_SIZE(graph_pool) + 2 * GRAPH_EXTRA_MAX];
	unsigned args[4], na = 0, nv = 0, seen = 0;
	size_t total = 1;

	for (size_t i = 0; i < CF_ARRAY_SIZE(graph_pool); i++) {
		vals[nv++] = graph_pool[i];
		vals[nv++] = graph_pool[i] + 1;
		vals[nv++] = (graph_pool[i] & 0xffffffffULL) | 0x500000000ULL;
	}
	for (size_t i = 0; i < graph_nextra; i++) {
		vals[nv++] = graph_extra[i];
		vals[nv++] = graph_extra[i] + 1;
	}
	for (size_t i = 0; i < s->nchains; i++)
		for (unsigned j = 0; j < s->chains[i].nconds; j++)
			seen |= 1u << s->chains[i].conds[j].arg;
	for (unsigned a = 0; a < 6; a++)
		if (seen >> a & 1 && na < 4)
			args[na++] = a;
	for (unsigned i = 0; i < na; i++)
		total *= nv;
	for (size_t x = 0; x < total; x++) {
		struct seccomp_data d = {.nr = (int)s->nr, .arch = audit};
		size_t y = x;

		for (unsigned i = 0; i < na; i++, y /= nv)
			d.args[args[i]] = vals[y % nv];
		vec(c, &d);
	}
}

/* The program of opts o for text on x86_64 (+ x86, x32) against the
 * plain one and the IR on graph_vectors; its length, or -1. */
static long graph_compare(const char *text, const struct cf_gen_opts *o,
			  struct cmp *tot)
{
	struct cf_target tg = {.native = cf_abi_lookup("x86_64"),
			       .caps = cf_caps_docker_default(),
			       .kernel = 6 << 16 | 18};
	const struct cf_gen_opts plain = {.plain = true};
	struct cf_profile *p;
	struct cf_filter *f = NULL;
	struct cf_arena a = {0};
	struct cf_error err;
	struct cmp c = {0};
	long len = -1;

	if (cf_profile_parse(text, strlen(text), "graph.json", &p, &err)) {
		t_fail(__FILE__, __LINE__, "%s", err.msg);
		return -1;
	}
	if (cf_compile(p, &tg, &f, &err) == 0 &&
	    cf_bpf_gen_opts(&a, &f->ir, o, &c.opt, &err) == 0 &&
	    cf_bpf_gen_opts(&a, &f->ir, &plain, &c.plain, &err) == 0 &&
	    cf_bpf_verify(c.opt.insns, c.opt.len, &err) == 0) {
		c.ir = &f->ir;
		c.what = "graph profile";
		for (size_t i = 0; i < f->ir.nabis; i++) {
			const struct cf_ir_abi *abi = &f->ir.abis[i];

			for (size_t j = 0; j < abi->nsys; j++)
				graph_vectors(&c,
					      cf_arches[abi->arch].audit_arch,
					      &abi->sys[j]);
		}
		len = (long)c.opt.len;
	} else {
		t_fail(__FILE__, __LINE__, "graph.json: %s", err.msg);
	}
	tot->n += c.n;
	tot->diffs += c.diffs;
	cf_arena_release(&a);
	cf_filter_free(f);
	cf_profile_free(p);
	return len;
}

/* text, its rules written up to at, closed and compiled with on and off,
 * each deciding as the IR and the plain program (graph_compare, checked
 * here); the extra values are then dropped. On's length; off's in
 * *len_off. */
static long graph_on_off(char *text, size_t n, size_t at,
			 const struct cf_gen_opts *on,
			 const struct cf_gen_opts *off, long *len_off,
			 struct cmp *tot)
{
	long len_on;

	snprintf(text + at, n - at, "]}");
	len_on = graph_compare(text, on, tot);
	*len_off = graph_compare(text, off, tot);
	graph_nextra = 0;
	CHECK(tot->n > 1000);
	CHECK_EQ(tot->diffs, 0);
	return len_on;
}

/* Rules on several arguments with mixed actions: the graph decides as
 * the IR and the plain program on every combination of the values the
 * rules name (and their neighbours) and is shorter than the chains. */
TEST(opt_arg_graph_decides_as_the_ir_and_shortens)
{
	static char text[1 << 18];
	const struct cf_gen_opts on = {0}, off = {.no_arg_graph = true};
	struct cmp tot = {0};
	long sum_on = 0, sum_off = 0;

	long one_on = 0, one_off = 0;

	for (unsigned round = 0; round < 4; round++) {
		rng = 7 + round;
		graph_profile(text, sizeof(text), 6 + 4 * round, false);
		sum_on += graph_compare(text, &on, &tot);
		sum_off += graph_compare(text, &off, &tot);
		/* one argument, several actions: the graph replaces the step
		 * function where it is shorter */
		graph_profile(text, sizeof(text), 6 + 4 * round, true);
		one_on += graph_compare(text, &on, &tot);
		one_off += graph_compare(text, &off, &tot);
	}
	t_note("4 profiles, 6 syscalls with 6-18 rules each on x86_64, x86, "
	       "x32: %ld instructions with graphs, %ld without; on one "
	       "argument %ld and %ld; %lu vectors",
	       sum_on, sum_off, one_on, one_off, tot.n);
	CHECK(tot.n > 1000000);
	CHECK_EQ(tot.diffs, 0);
	CHECK(sum_on > 0 && sum_on < sum_off);
	CHECK(one_on > 0 && one_on < one_off);
}

TEST(opt_pass_arg_graph_off_matches_plain)
{
	const struct cf_gen_opts o = {.no_arg_graph = true};

	passes_match_plain(&o, "argument graphs off");
}

TEST(opt_pass_graph_steps_off_matches_plain)
{
	const struct cf_gen_opts o = {.no_graph_steps = true};

	passes_match_plain(&o, "graph steps off");
}

TEST(opt_pass_late_checks_off_matches_plain)
{
	const struct cf_gen_opts o = {.no_late_checks = true};

	passes_match_plain(&o, "late checks off");
}

/* 40 syscalls of x86_64, x86 and x32 (the late-check and fold tests) */
static const char *const forty_names[] = {
    "read",	 "write",  "close",	"fstat",     "lseek",	  "mmap",
    "mprotect",	 "munmap", "brk",	"ioctl",     "readv",	  "writev",
    "access",	 "pipe",   "mremap",	"msync",     "mincore",	  "madvise",
    "dup",	 "dup2",   "nanosleep", "getitimer", "alarm",	  "setitimer",
    "kill",	 "fcntl",  "flock",	"fsync",     "fdatasync", "truncate",
    "ftruncate", "getcwd", "chdir",	"fchdir",    "rename",	  "mkdir",
    "rmdir",	 "creat",  "link",	"unlink"};

#define LATE_VALUES 7

/* 40 syscalls with LATE_VALUES of 14 values each on argument i % 3 (the
 * plain program must fit too), into text after three_abi_head; the
 * length written. The values also go to graph_extra. */
static size_t late_profile(char *text, size_t n)
{
	static const uint64_t values[] = {
	    0, 1, 2, 3, 0x5401, 0xffffffffULL, 5, 9, 17, 33, 65, 129, 257, 513};
	size_t at = three_abi_head(text, n);

	for (size_t k = 6; k < CF_ARRAY_SIZE(values); k++)
		graph_extra[graph_nextra++] = values[k];
	/* syscall i: LATE_VALUES values from the (i % 14)th on */
	for (size_t i = 0; i < CF_ARRAY_SIZE(forty_names); i++) {
		for (size_t k = 0; k < LATE_VALUES; k++) {
			size_t v = (i + k) % CF_ARRAY_SIZE(values);

			at += (size_t)snprintf(
			    text + at, n - at,
			    "%s{\"names\": [\"%s\"], \"action\": "
			    "\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": %zu, "
			    "\"value\": %" PRIu64
			    ", \"op\": \"SCMP_CMP_EQ\"}]}",
			    text[at - 1] == '[' ? "" : ", ", forty_names[i],
			    i % 3, values[v]);
		}
	}
	return at;
}

/* late_profile's program with late checks (size first) and with off,
 * each deciding as the IR and the plain program on graph_vectors: the
 * first's length, off's in *len_off. */
static long late_on_off(const struct cf_gen_opts *off, long *len_off,
			struct cmp *tot)
{
	static char text[1 << 16];
	const struct cf_gen_opts on = {.size_first = true};
	size_t at = late_profile(text, sizeof(text));

	return graph_on_off(text, sizeof(text), at, &on, off, len_off, tot);
}

/* late_on_off: shorter with the layout named what than with off. */
static void late_shorter(const struct cf_gen_opts *off, const char *what)
{
	struct cmp tot = {0};
	long len_off, len_on = late_on_off(off, &len_off, &tot);

	t_note("40 syscalls, 7 values each, size first: %ld instructions "
	       "with %s, %ld without; %lu vectors",
	       len_on, what, len_off, tot.n);
	CHECK(len_on > 0 && len_on < len_off);
}

/* Size first, 40 syscalls with 7 of 14 values each on one argument, on
 * x86_64, x86 and x32: x86_64's high-word checks jump into x86's 32-bit
 * code behind x86's search, over 255 instructions ahead. Late checks
 * (behind a later run of x86_64's search) reach it where checks behind
 * their JEQ need a JA each: shorter, and both decide as the IR and the
 * plain program on graph_vectors. */
TEST(opt_late_checks_reach_the_32_bit_code)
{
	const struct cf_gen_opts off = {.size_first = true,
					.no_late_checks = true};

	late_shorter(&off, "late checks");
}

TEST(opt_pass_late_groups_off_matches_plain)
{
	const struct cf_gen_opts o = {.size_first = true,
				      .no_late_groups = true};

	passes_match_plain(&o, "size first, late checks apart");
}

/* The profile above (840 chains over the three ABIs: groups are on):
 * x86_64's late checks test three arguments, all with the default
 * action above 2^32: grouped (one load of each argument's high word and
 * one test, a JEQ per syscall on the number) shorter than each check
 * loading and testing its word, and both decide as the IR and the plain
 * program on graph_vectors. */
TEST(opt_late_checks_grouped_by_argument)
{
	const struct cf_gen_opts off = {.size_first = true,
					.no_late_groups = true};

	late_shorter(&off, "late checks grouped");
}

TEST(opt_pass_x32_fold_off_matches_plain)
{
	const struct cf_gen_opts o = {.size_first = true, .no_x32_fold = true};

	passes_match_plain(&o, "size first, x32 fold off");
}

/* Size first, 30 syscalls allowed and 10 with 3 values each on one
 * argument, on x86_64, x86 and x32: folded, x32's 30 numbers are not
 * tested apart from x86_64's (lib/gen_fold.c): shorter, and both decide
 * as the IR and the plain program on graph_vectors; folded, on every
 * number of each ABI too (compare_profile). */
TEST(opt_x32_fold_tests_shared_numbers_once)
{
	static char text[1 << 15];
	const struct cf_gen_opts on = {.size_first = true},
				 off = {.size_first = true,
					.no_x32_fold = true};
	struct cmp tot = {0};
	size_t at = three_abi_head(text, sizeof(text));
	long len_on, len_off;
	unsigned contexts = 0;

	for (size_t i = 0; i < CF_ARRAY_SIZE(forty_names); i++) {
		const char *sep = text[at - 1] == '[' ? "" : ", ";

		if (i < 30) {
			at += (size_t)snprintf(
			    text + at, sizeof(text) - at,
			    "%s{\"names\": [\"%s\"], \"action\": "
			    "\"SCMP_ACT_ALLOW\"}",
			    sep, forty_names[i]);
			continue;
		}
		for (size_t k = 0; k < 3; k++, sep = ", ")
			at += (size_t)snprintf(
			    text + at, sizeof(text) - at,
			    "%s{\"names\": [\"%s\"], \"action\": "
			    "\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, "
			    "\"value\": %zu, \"op\": \"SCMP_CMP_EQ\"}]}",
			    sep, forty_names[i], 17 + k);
	}
	len_on =
	    graph_on_off(text, sizeof(text), at, &on, &off, &len_off, &tot);
	t_note("30 syscalls allowed, 10 with 3 values, size first: %ld "
	       "instructions folded, %ld not; %lu vectors",
	       len_on, len_off, tot.n);
	CHECK(len_on > 0 && len_on + 10 < len_off);
	/* every number of each ABI (and x32's above its table) too */
	memset(&tot, 0, sizeof(tot));
	under_test = on;
	compare_profile(text, strlen(text), "fold", &tot, &contexts);
	under_test = (struct cf_gen_opts){0};
	CHECK(contexts > 0);
	CHECK_EQ(tot.diffs, 0);
	CHECK_EQ(tot.wrong_cache, 0);
}

TEST(opt_pass_graph_one_run_off_matches_plain)
{
	const struct cf_gen_opts o = {.size_first = true,
				      .no_graph_one_run = true};

	passes_match_plain(&o, "size first, graph values split");
}

#define ONE_RUN_SYSCALLS 6
#define ONE_RUN_VALUES 40

/* Size first, 6 syscalls with 40 rules each on one argument, one value
 * each, of three actions, on x86_64, x86 and x32: each syscall's graph
 * node has 40 lone values. As one run of JEQs it is a JGE shorter than
 * split in two runs, once for each of the 3 rule sets (syscalls i and
 * i + 3 have the same rules: one copy of the code, which x86 and x32
 * share and x86_64 jumps into), and both decide as the IR and the plain
 * program on graph_vectors (the values, their neighbours). */
TEST(opt_graph_values_one_run)
{
	static char text[1 << 17];
	static const char *const acts[] = {
	    "\"SCMP_ACT_ALLOW\"", "\"SCMP_ACT_LOG\"",
	    "\"SCMP_ACT_ERRNO\", \"errnoRet\": 22"};
	const struct cf_gen_opts on = {.size_first = true},
				 off = {.size_first = true,
					.no_graph_one_run = true};
	struct cmp tot = {0};
	size_t at = three_abi_head(text, sizeof(text));
	long len_on, len_off;

	for (size_t k = 0; k < GRAPH_EXTRA_MAX; k++)
		graph_extra[graph_nextra++] = 1000 + 7 * k;
	for (size_t i = 0; i < ONE_RUN_SYSCALLS; i++)
		for (size_t k = 0; k < ONE_RUN_VALUES; k++)
			at += (size_t)snprintf(
			    text + at, sizeof(text) - at,
			    "%s{\"names\": [\"%s\"], \"action\": %s, "
			    "\"args\": [{\"index\": 0, \"value\": %zu, "
			    "\"op\": \"SCMP_CMP_EQ\"}]}",
			    text[at - 1] == '[' ? "" : ", ", forty_names[i],
			    acts[(i + k) % 3], 1000 + 7 * k);
	len_on =
	    graph_on_off(text, sizeof(text), at, &on, &off, &len_off, &tot);
	t_note("6 syscalls, 40 values each, size first: %ld instructions "
	       "with the values as one run, %ld split; %lu vectors",
	       len_on, len_off, tot.n);
	CHECK(len_on > 0 && len_on + ONE_RUN_SYSCALLS / 2 <= len_off);
}

/* A value set on msgsnd's first argument: x86's ipc tests it after its
 * call number (MSGSND, 11) in a graph whose last node only returns.
 * Searched as msgsnd's own step function is, that node is msgsnd's code,
 * one copy
 * (size first: the JEQs tie with the steps): shorter, and both decide
 * as the IR and the plain program on graph_vectors. */
TEST(opt_graph_steps_share_the_multiplexed_code)
{
	static char text[1 << 13];
	/* the ioctl-like codes of the corpus's valueset-100 msgsnd */
	static const uint32_t vals[] = {
	    4705,  4712,  19456,      19457,	  19461,      21505,	 21515,
	    21520, 21531, 21537,      35090,	  35091,      35093,	 35105,
	    35111, 35123, 0x40045431, 0x40086602, 0x80086601, 0xc0186201};
	const struct cf_gen_opts on = {.size_first = true},
				 off = {.size_first = true,
					.no_graph_steps = true};
	struct cmp tot = {0};
	size_t at = three_abi_head(text, sizeof(text));
	long len_on, len_off;

	snprintf(text + at, sizeof(text) - at,
		 "{\"names\": [\"getpid\", \"landlock_create_ruleset\"], "
		 "\"action\": \"SCMP_ACT_ALLOW\"}");
	graph_extra[graph_nextra++] = 11; /* MSGSND */
	for (size_t i = 0; i < CF_ARRAY_SIZE(vals); i++) {
		at = strlen(text);
		snprintf(text + at, sizeof(text) - at,
			 ", {\"names\": [\"msgsnd\"], \"action\": "
			 "\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, "
			 "\"value\": %" PRIu32 ", \"op\": \"SCMP_CMP_EQ\"}]}",
			 vals[i]);
		graph_extra[graph_nextra++] = vals[i];
	}
	at = strlen(text);
	len_on =
	    graph_on_off(text, sizeof(text), at, &on, &off, &len_off, &tot);
	t_note("20 values of msgsnd and x86's ipc: %ld instructions with "
	       "graph steps, %ld without; %lu vectors",
	       len_on, len_off, tot.n);
	CHECK(len_on > 0 && len_on + 15 < len_off);
}

/* ---- shadowed chains (gen_emit.c: chain_shadowed) ------------------- */

/* A rule of a syscall whose conditions include all of an earlier rule's
 * never decides: it gets no code -- the program is as long as without
 * it -- and the program decides as the IR, on every ABI. The conditions
 * are not all word equalities (a JGE, a masked compare), so the chains
 * are emitted as written. */
TEST(opt_shadowed_chain_gets_no_code)
{
	static const char head[] =
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
	    "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], "
	    "\"syscalls\": [{\"names\": [\"personality\"], \"action\": "
	    "\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 5, "
	    "\"op\": \"SCMP_CMP_GE\"}]}";
	static const char shadowed[] =
	    ", {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_LOG\", "
	    "\"args\": [{\"index\": 1, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}, "
	    "{\"index\": 0, \"value\": 5, \"op\": \"SCMP_CMP_GE\"}]}";
	static const char tail[] =
	    ", {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_TRAP\", "
	    "\"args\": [{\"index\": 2, \"value\": 8, \"valueTwo\": 8, "
	    "\"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}";
	static char with[1024], without[1024];
	const struct cf_gen_opts all = {0};
	struct cmp tot = {0};
	long len_with, len_without;

	snprintf(with, sizeof(with), "%s%s%s", head, shadowed, tail);
	snprintf(without, sizeof(without), "%s%s", head, tail);
	len_with = compiled_len(with, &all, &tot);
	len_without = compiled_len(without, &all, &tot);
	t_note("%ld instructions with the shadowed rule, %ld without; %lu "
	       "vectors",
	       len_with, len_without, tot.n);
	CHECK(len_with > 0);
	CHECK_EQ(len_with, len_without);
	CHECK(tot.n > 0);
	CHECK_EQ(tot.diffs, 0);
}
