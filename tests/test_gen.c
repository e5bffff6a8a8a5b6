/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Code generation: every program passes cf_bpf_verify and decides like
 * cf_ir_eval (hand-built IRs, operator boundaries, long jumps, x32, ENOSYS,
 * hundreds of random IRs), plus the reference semantics themselves.
 */
#include "t.h"

#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "bpf_gen.h"
#include "conds.h"

#include <stdlib.h>

#define AUDIT_X86_64 0xc000003eU
#define X32_BIT 0x40000000U
#define ENOSYS_RET CF_RET_ERRNO(ENOSYS)
#define RET_TRAP 0x00030000U
#define RET_LOG 0x7ffc0000U

static const uint64_t boundary[] = {
    0,
    1,
    0x7fffffffULL,
    0x80000000ULL,
    0x80000001ULL,
    0xfffffffeULL,
    0xffffffffULL,
    0x100000000ULL,
    0x100000001ULL,
    0x7fffffffffffffffULL,
    0x8000000000000000ULL,
    0x8000000000000001ULL,
    0xfffffffffffffffeULL,
    0xffffffffffffffffULL,
    0xffffffff00000000ULL,
    0x00000001ffffffffULL,
};

/* ---- building IRs by hand -------------------------------------------- */

static int abi_idx(const char *name)
{
	int i = cf_abi_lookup(name);

	if (i < 0) {
		fprintf(stderr, "unknown ABI %s\n", name);
		abort();
	}
	return i;
}

static struct cf_ir_abi *add_abi(struct cf_arena *a, struct cf_ir *ir,
				 const char *name, size_t cap)
{
	struct cf_ir_abi *abi = &ir->abis[ir->nabis++];

	memset(abi, 0, sizeof(*abi));
	abi->arch = abi_idx(name);
	abi->sys = cf_arena_array(a, cap ? cap : 1, sizeof(*abi->sys));
	return abi;
}

/* Appends syscall nr (callers keep numbers ascending). */
static struct cf_ir_sys *add_sys(struct cf_arena *a, struct cf_ir_abi *abi,
				 uint32_t nr, uint32_t fallback, size_t nchains)
{
	struct cf_ir_sys *s = &abi->sys[abi->nsys++];

	memset(s, 0, sizeof(*s));
	s->nr = nr;
	s->sys = -1;
	s->fallback = fallback;
	if (nchains) {
		/* each chain's conditions: room of its own (add_chain
		 * keeps it) */
		struct cf_cond *room =
		    cf_arena_array(a, nchains * CF_CHAIN_CONDS, sizeof(*room));

		s->chains = cf_arena_array(a, nchains, sizeof(*s->chains));
		for (size_t i = 0; room && s->chains && i < nchains; i++)
			s->chains[i].conds = room + i * CF_CHAIN_CONDS;
	}
	return s;
}

static struct cf_ir_chain *add_chain(struct cf_ir_sys *s, uint32_t action)
{
	struct cf_ir_chain *c = &s->chains[s->nchains++];
	const struct cf_cond *room = c->conds;

	memset(c, 0, sizeof(*c));
	c->conds = room;
	c->action = action;
	return c;
}

/* Condition k of a chain made here (its room is add_sys's, writable). */
static struct cf_cond *cond_at(const struct cf_ir_chain *c, unsigned k)
{
	return (struct cf_cond *)&c->conds[k];
}

static void add_cond(struct cf_ir_chain *c, unsigned arg, enum cf_op op,
		     uint64_t datum, uint64_t datum2)
{
	*cond_at(c, c->nconds++) =
	    (struct cf_cond){(uint8_t)arg, (uint8_t)op, datum, datum2};
}

/* ---- running --------------------------------------------------------- */

static unsigned long long n_compared, n_by_chain;

/* What the filter reads on a kernel of the ABI's byte order. */
static struct seccomp_data kernel_view(const struct seccomp_data *d)
{
	struct seccomp_data k;

	cf_seccomp_data_as_kernel(d, &k);
	return k;
}

static uint32_t run(const struct cf_prog *p, const struct seccomp_data *d,
		    unsigned *executed)
{
	struct seccomp_data k = kernel_view(d);

	return cf_bpf_run(p->insns, p->len, &k, executed);
}

/* One comparison of program against IR; false on a mismatch. */
static bool agree(const struct cf_prog *p, const struct cf_ir *ir,
		  const struct seccomp_data *d)
{
	const struct cf_ir_chain *chain;
	uint32_t want = cf_ir_eval(ir, d, NULL, &chain);
	uint32_t got = run(p, d, NULL);
	char an[64], gn[48], wn[48];

	n_compared++;
	n_by_chain += chain != NULL;
	if (want == got)
		return true;
	t_fail(__FILE__, __LINE__,
	       "%s nr %u args %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64
	       " %" PRIx64 " %" PRIx64 ": bpf %s, ir %s",
	       t_arch_name(d->arch, an, sizeof(an)), (uint32_t)d->nr,
	       (uint64_t)d->args[0], (uint64_t)d->args[1], (uint64_t)d->args[2],
	       (uint64_t)d->args[3], (uint64_t)d->args[4], (uint64_t)d->args[5],
	       t_action_name(got, gn, sizeof(gn)),
	       t_action_name(want, wn, sizeof(wn)));
	return false;
}

static struct seccomp_data sd(uint32_t arch, uint32_t nr)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.arch = arch;
	d.nr = (int)nr;
	return d;
}

static bool gen_ok(struct cf_arena *a, const struct cf_ir *ir,
		   struct cf_prog *p)
{
	struct cf_error err = {0};
	int rc = cf_bpf_gen(a, ir, p, &err);

	if (rc < 0) {
		t_fail(__FILE__, __LINE__, "cf_bpf_gen: %d %s", rc, err.msg);
		return false;
	}
	rc = cf_bpf_verify(p->insns, p->len, &err);
	if (rc < 0) {
		t_fail(__FILE__, __LINE__, "cf_bpf_verify: %d %s", rc, err.msg);
		return false;
	}
	return true;
}

/* ---- reference semantics --------------------------------------------- */

TEST(ir_eval_cond_semantics)
{
	const struct cf_arch *x64 = &cf_arches[abi_idx("x86_64")];
	const struct cf_arch *x86 = &cf_arches[abi_idx("x86")];
	struct cf_cond c;

	c = (struct cf_cond){0, CF_OP_EQ, 5, 0};
	CHECK(cf_ir_cond_match(x64, &c, 5));
	CHECK(!cf_ir_cond_match(x64, &c, 0x100000005ULL));
	/* 32-bit ABIs compare the low halves only, datum truncated too */
	CHECK(cf_ir_cond_match(x86, &c, 0x100000005ULL));
	c.datum = 0xffffffff00000005ULL;
	CHECK(cf_ir_cond_match(x86, &c, 5));
	CHECK(!cf_ir_cond_match(x64, &c, 5));
	c = (struct cf_cond){0, CF_OP_GT, 0xffffffffULL, 0};
	CHECK(cf_ir_cond_match(x64, &c, 0x100000000ULL));
	CHECK(!cf_ir_cond_match(x86, &c, 0x100000000ULL));
	c = (struct cf_cond){0, CF_OP_LT, 0x100000000ULL, 0};
	CHECK(cf_ir_cond_match(x64, &c, 0xffffffffULL));
	CHECK(!cf_ir_cond_match(x86, &c, 0xffffffffULL)); /* x < 0 */
	/* MASKED_EQ: value is the mask, valueTwo the expected value, and
	 * libseccomp masks the expected value too */
	c = (struct cf_cond){1, CF_OP_MASKED_EQ, 0xff00, 0x1234};
	CHECK(cf_ir_cond_match(x64, &c, 0x12ff));
	CHECK(cf_ir_cond_match(x64, &c, 0xffff12ff));
	CHECK(!cf_ir_cond_match(x64, &c, 0x1334));
	c = (struct cf_cond){1, CF_OP_MASKED_EQ, 0xffffffff00000001ULL,
			     0x0000000100000001ULL};
	CHECK(cf_ir_cond_match(x64, &c, 0x0000000100000001ULL));
	CHECK(!cf_ir_cond_match(x64, &c, 1));
	CHECK(cf_ir_cond_match(x86, &c, 1));
	c = (struct cf_cond){2, CF_OP_NE, 7, 0};
	CHECK(cf_ir_cond_match(x64, &c, 0x700000007ULL));
	CHECK(!cf_ir_cond_match(x86, &c, 0x700000007ULL));
	c = (struct cf_cond){2, CF_OP_LE, 7, 0};
	CHECK(cf_ir_cond_match(x64, &c, 7) && !cf_ir_cond_match(x64, &c, 8));
	c = (struct cf_cond){2, CF_OP_GE, 7, 0};
	CHECK(cf_ir_cond_match(x64, &c, 7) && !cf_ir_cond_match(x64, &c, 6));
}

TEST(ir_eval_abi_selection)
{
	struct cf_arena a = {0};
	struct cf_ir ir = {0};
	struct cf_ir_abi *x64, *x32;
	struct cf_ir_sys *s;
	const struct cf_ir_sys *ds;
	const struct cf_ir_chain *dc;
	struct seccomp_data d;

	ir.default_action = CF_RET_ERRNO(1);
	x64 = add_abi(&a, &ir, "x86_64", 4);
	add_sys(&a, x64, 0, CF_RET_ALLOW, 0);
	s = add_sys(&a, x64, 9, CF_RET_ALLOW, 1);
	add_cond(add_chain(s, CF_RET_ERRNO(13)), 2, CF_OP_MASKED_EQ, 4, 4);
	x64->enosys = true;
	x64->enosys_above = 100;

	d = sd(AUDIT_X86_64, 0);
	CHECK_EQ(cf_ir_eval(&ir, &d, &ds, &dc), CF_RET_ALLOW);
	CHECK(ds == &x64->sys[0] && dc == NULL);
	d = sd(AUDIT_X86_64, 9);
	d.args[2] = 6;
	CHECK_EQ(cf_ir_eval(&ir, &d, &ds, &dc), CF_RET_ERRNO(13));
	CHECK(ds == &x64->sys[1] && dc == &x64->sys[1].chains[0]);
	d.args[2] = 3;
	CHECK_EQ(cf_ir_eval(&ir, &d, &ds, &dc), CF_RET_ALLOW);
	CHECK(dc == NULL);
	d = sd(AUDIT_X86_64, 100);
	CHECK_EQ(cf_ir_eval(&ir, &d, &ds, NULL), CF_RET_ERRNO(1));
	CHECK(ds == NULL);
	d = sd(AUDIT_X86_64, 101);
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), ENOSYS_RET);
	/* x32 numbers without x32 in the filter: killed */
	d = sd(AUDIT_X86_64, X32_BIT | 1);
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), CF_RET_KILL_THREAD);
	/* but -1 (a tracer's skip) goes to x86_64, as in libseccomp: the
	 * default action (runc's stub picks x32 by the bit: none here) */
	d = sd(AUDIT_X86_64, 0xffffffffU);
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), CF_RET_ERRNO(1));
	d = sd(AUDIT_X86_64, 0xfffffffeU);
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), CF_RET_KILL_THREAD);
	/* without the bit but >= 2^31: runc's stub says ENOSYS first */
	d = sd(AUDIT_X86_64, 0x80000000U);
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), ENOSYS_RET);
	x64->enosys = false;
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), CF_RET_KILL_THREAD);
	/* foreign arch */
	d = sd(0x40000003U, 0);
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), CF_RET_KILL_THREAD);

	x32 = add_abi(&a, &ir, "x32", 2);
	add_sys(&a, x32, X32_BIT | 0, RET_TRAP, 0);
	x32->enosys = true;
	x32->enosys_above = X32_BIT | 50;
	d = sd(AUDIT_X86_64, X32_BIT);
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), 0x00030000U);
	d = sd(AUDIT_X86_64, X32_BIT | 51);
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), ENOSYS_RET);
	d = sd(AUDIT_X86_64, 0);
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), CF_RET_ALLOW);
	/* x86_64 without a stub, >= 2^31 without the bit: x32's filter */
	d = sd(AUDIT_X86_64, 0x80000000U);
	CHECK_EQ(cf_ir_eval(&ir, &d, NULL, NULL), CF_RET_ERRNO(1));
	cf_arena_release(&a);
}

/* ---- operators at their boundaries ------------------------------------ */

static void op_boundaries(const char *abi_name)
{
	const uint32_t match = CF_RET_ERRNO(77);
	unsigned long long before = n_compared;

	for (int op = CF_OP_NE; op < CF_OP__COUNT; op++) {
		for (size_t i = 0; i < CF_ARRAY_SIZE(boundary); i++) {
			struct cf_arena a = {0};
			struct cf_ir ir = {0};
			struct cf_ir_abi *abi;
			struct cf_ir_sys *s;
			struct cf_prog p;
			uint64_t datum = boundary[i];
			uint64_t d2 =
			    boundary[(i * 7 + 3) % CF_ARRAY_SIZE(boundary)];

			ir.default_action = 0x80000000U;
			abi = add_abi(&a, &ir, abi_name, 1);
			s = add_sys(&a, abi, cf_arches[abi->arch].nr_offset + 3,
				    CF_RET_ALLOW, 1);
			add_cond(add_chain(s, match), 3, (enum cf_op)op, datum,
				 d2);
			if (!gen_ok(&a, &ir, &p)) {
				cf_arena_release(&a);
				return;
			}
			for (size_t j = 0; j < CF_ARRAY_SIZE(boundary); j++) {
				for (int delta = -1; delta <= 1; delta++) {
					struct seccomp_data d =
					    sd(cf_arches[abi->arch].audit_arch,
					       s->nr);

					d.args[3] =
					    boundary[j] + (uint64_t)delta;
					d.args[2] = ~d.args[3];
					d.args[4] = d.args[3];
					agree(&p, &ir, &d);
					d.args[3] = datum + (uint64_t)delta;
					agree(&p, &ir, &d);
					d.args[3] ^= 0xffffffff00000000ULL;
					agree(&p, &ir, &d);
					d.args[3] = (d2 & datum) |
						    (boundary[j] & ~datum);
					agree(&p, &ir, &d);
				}
			}
			cf_arena_release(&a);
		}
	}
	CHECK(n_compared - before > 10000);
	t_note("%s: %llu comparisons", abi_name, n_compared - before);
}

TEST(gen_operator_boundaries_64bit)
{
	op_boundaries("x86_64");
	op_boundaries("ppc64"); /* big-endian, 64-bit compares */
}

TEST(gen_operator_boundaries_32bit)
{
	op_boundaries("x86");
	op_boundaries("mips"); /* big-endian, 32-bit compares */
}

/* ---- x32, foreign arches, ENOSYS, sharing ----------------------------- */

static void sweep(const struct cf_prog *p, const struct cf_ir *ir,
		  uint32_t audit, uint32_t from, uint32_t to)
{
	for (uint64_t nr = from; nr <= to; nr++) {
		struct seccomp_data d = sd(audit, (uint32_t)nr);

		d.args[0] = nr * 0x9e3779b97f4a7c15ULL;
		if (!agree(p, ir, &d))
			return;
	}
}

static const uint32_t odd_nrs[] = {
    0,		1,	    0x3fffffff, 0x40000000, 0x40000001,
    0x7fffffff, 0x80000000, 0x80000001, 0xbfffffff, 0xc0000000,
    0xc0000001, 0xfffffffe, 0xffffffff,
};

static void sweep_odd(const struct cf_prog *p, const struct cf_ir *ir,
		      uint32_t audit)
{
	for (size_t i = 0; i < CF_ARRAY_SIZE(odd_nrs); i++) {
		struct seccomp_data d = sd(audit, odd_nrs[i]);

		agree(p, ir, &d);
	}
}

TEST(gen_x86_64_x32_split)
{
	/* x86_64 alone, x32 alone, both; with and without thresholds */
	static const char *const sets[][2] = {
	    {"x86_64", NULL},
	    {"x32", NULL},
	    {"x86_64", "x32"},
	    {"x32", "x86_64"},
	};

	for (size_t k = 0; k < CF_ARRAY_SIZE(sets); k++) {
		for (int en = 0; en < 2; en++) {
			struct cf_arena a = {0};
			struct cf_ir ir = {0};
			struct cf_prog p;

			ir.default_action = CF_RET_ERRNO(1);
			for (int i = 0; i < 2 && sets[k][i]; i++) {
				struct cf_ir_abi *abi =
				    add_abi(&a, &ir, sets[k][i], 3);
				uint32_t off = cf_arches[abi->arch].nr_offset;

				add_sys(&a, abi, off + 0, CF_RET_ALLOW, 0);
				add_sys(&a, abi, off + 2, RET_TRAP, 0);
				add_sys(&a, abi, off + 9, RET_LOG, 0);
				abi->enosys = en;
				abi->enosys_above = off + 20;
			}
			if (!gen_ok(&a, &ir, &p))
				return;
			sweep(&p, &ir, AUDIT_X86_64, 0, 40);
			sweep(&p, &ir, AUDIT_X86_64, X32_BIT, X32_BIT + 40);
			sweep_odd(&p, &ir, AUDIT_X86_64);
			sweep_odd(&p, &ir, 0x40000003U);
			cf_arena_release(&a);
		}
	}
	/* spot checks of the semantics the sweep compared */
	{
		struct cf_arena a = {0};
		struct cf_ir ir = {0};
		struct cf_prog p;
		struct seccomp_data d;

		ir.default_action = CF_RET_ALLOW;
		add_abi(&a, &ir, "x86_64", 1);
		CHECK(gen_ok(&a, &ir, &p));
		d = sd(AUDIT_X86_64, 5);
		CHECK_EQ(run(&p, &d, NULL), CF_RET_ALLOW);
		d = sd(AUDIT_X86_64, X32_BIT | 5);
		CHECK_EQ(run(&p, &d, NULL), CF_RET_KILL_THREAD);
		d = sd(0xc00000b7U, 5);
		CHECK_EQ(run(&p, &d, NULL), CF_RET_KILL_THREAD);
		cf_arena_release(&a);
	}
}

TEST(gen_shares_returns_and_skips_argument_free)
{
	struct cf_arena a = {0};
	struct cf_ir ir = {0};
	struct cf_ir_abi *abi;
	struct cf_ir_sys *s;
	struct cf_prog p;
	size_t allow = 0, loads = 0;

	ir.default_action = CF_RET_ERRNO(1);
	abi = add_abi(&a, &ir, "aarch64", 8);
	for (uint32_t nr = 10; nr < 16; nr++)
		add_sys(&a, abi, nr, CF_RET_ALLOW, 0);
	/* chains that cannot change the outcome make no code */
	s = add_sys(&a, abi, 20, CF_RET_ALLOW, 1);
	add_cond(add_chain(s, CF_RET_ALLOW), 0, CF_OP_EQ, 1, 0);
	if (!gen_ok(&a, &ir, &p))
		return;
	for (size_t i = 0; i < p.len; i++) {
		allow += p.insns[i].code == (BPF_RET | BPF_K) &&
			 p.insns[i].k == CF_RET_ALLOW;
		loads += BPF_CLASS(p.insns[i].code) == BPF_LD;
	}
	CHECK_EQ(allow, 1);
	CHECK_EQ(loads, 2); /* arch and nr */
	/* 10..15 and 20 are runs of one decision: a handful of jumps */
	CHECK(p.len <= 12);
	sweep(&p, &ir, 0xc00000b7U, 0, 30);
	cf_arena_release(&a);
}

/* Shared bodies (cf_gen_opts.no_shared_bodies): syscalls whose chains
 * are the same share code only when their fallbacks are too (a profile
 * rarely has such a pair: an unconditional rule decides all its calls). */
TEST(gen_opt_shared_code_keeps_fallbacks)
{
	struct cf_arena a = {0};
	struct cf_ir ir = {0};
	struct cf_ir_abi *abi;
	struct cf_prog p;

	ir.default_action = CF_RET_ERRNO(1);
	abi = add_abi(&a, &ir, "aarch64", 8);
	for (uint32_t nr = 10; nr < 16; nr++) {
		struct cf_ir_sys *s =
		    add_sys(&a, abi, nr, nr % 2 ? RET_LOG : CF_RET_ERRNO(1), 1);

		add_cond(add_chain(s, CF_RET_ALLOW), 0, CF_OP_EQ, 5, 0);
	}
	if (!gen_ok(&a, &ir, &p))
		return;
	for (uint32_t nr = 10; nr < 16; nr++)
		for (uint64_t v = 4; v < 7; v++) {
			struct seccomp_data d = sd(0xc00000b7U, nr);

			d.args[0] = v;
			agree(&p, &ir, &d);
		}
	/* two bodies (one per fallback), each once: a jump into each from
	 * the other syscalls of its fallback */
	CHECK(p.len <= 24);
	cf_arena_release(&a);
}

/* ---- long jumps and the size limit ------------------------------------ */

static void long_ir(struct cf_arena *a, struct cf_ir *ir, size_t nchains,
		    const char *abi_name)
{
	struct cf_ir_abi *abi;
	uint32_t off;

	memset(ir, 0, sizeof(*ir));
	ir->default_action = CF_RET_ERRNO(1);
	abi = add_abi(a, ir, abi_name, 64);
	off = cf_arches[abi->arch].nr_offset;
	for (uint32_t nr = 0; nr < 40; nr++) {
		struct cf_ir_sys *s;

		if (nr % 10 != 5) {
			add_sys(a, abi, off + nr,
				nr % 3 ? CF_RET_ALLOW : RET_LOG, 0);
			continue;
		}
		s = add_sys(a, abi, off + nr, CF_RET_ALLOW, nchains);
		for (size_t c = 0; c < nchains; c++) {
			struct cf_ir_chain *ch =
			    add_chain(s, CF_RET_ERRNO((uint32_t)(c % 50 + 2)));

			for (unsigned k = 0; k < 6; k++)
				add_cond(ch, k, (enum cf_op)(1 + (c + k) % 7),
					 boundary[(c * 3 + k) %
						  CF_ARRAY_SIZE(boundary)] +
					     c + nr, /* bodies differ */
					 c);
		}
	}
	abi->enosys = true;
	abi->enosys_above = off + 45;
}

TEST(gen_long_jumps)
{
	const char *abis[] = {"x86_64", "x86", "s390x"};

	for (size_t k = 0; k < CF_ARRAY_SIZE(abis); k++) {
		struct cf_arena a = {0};
		struct cf_ir ir;
		struct cf_prog p;
		size_t tramps = 0;
		uint32_t off;

		long_ir(&a, &ir, 25, abis[k]);
		if (!gen_ok(&a, &ir, &p))
			return;
		off = cf_arches[ir.abis[0].arch].nr_offset;
		/* spans > 255: the search's first jump crosses 4 chains */
		CHECK(p.len > 600);
		for (size_t i = 0; i < p.len; i++)
			tramps += p.insns[i].code == (BPF_JMP | BPF_JA);
		CHECK(tramps > 0);
		sweep(&p, &ir, cf_arches[ir.abis[0].arch].audit_arch, off,
		      off + 60);
		for (size_t i = 0; i < ir.abis[0].nsys; i++) {
			const struct cf_ir_sys *s = &ir.abis[0].sys[i];

			for (size_t c = 0; c < s->nchains; c++) {
				struct seccomp_data d =
				    sd(cf_arches[ir.abis[0].arch].audit_arch,
				       s->nr);

				for (unsigned j = 0; j < 6; j++)
					d.args[j] = s->chains[c].conds[j].datum;
				agree(&p, &ir, &d);
				d.args[c % 6]++;
				agree(&p, &ir, &d);
			}
		}
		t_note("%s: %zu instructions, %zu JA", abis[k], p.len, tramps);
		cf_arena_release(&a);
	}
}

TEST(gen_too_big)
{
	struct cf_arena a = {0};
	struct cf_ir ir;
	struct cf_prog p = {0};
	struct cf_error err = {0};

	long_ir(&a, &ir, 400, "x86_64");
	CHECK_EQ(cf_bpf_gen(&a, &ir, &p, &err), -E2BIG);
	CHECK_CONTAINS(err.msg, "4096");
	cf_arena_release(&a);
}

/* ---- random IRs --------------------------------------------------------- */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static uint64_t rnd_datum(void)
{
	uint64_t v = boundary[rnd_below(CF_ARRAY_SIZE(boundary))];

	switch (rnd_below(5)) {
	case 0:
		return v + 1;
	case 1:
		return v - 1;
	case 2:
		return rnd();
	case 3:
		return rnd_below(64);
	default:
		return v;
	}
}

static uint32_t rnd_action(void)
{
	switch (rnd_below(9)) {
	case 0:
		return CF_RET_KILL_THREAD;
	case 1:
		return 0x80000000U; /* KILL_PROCESS */
	case 2:
		return 0x00030000U; /* TRAP */
	case 3:
		return CF_RET_ERRNO(rnd_below(4096));
	case 4:
		return 0x7ff00000U | rnd_below(0x10000); /* TRACE */
	case 5:
		return 0x7ffc0000U; /* LOG */
	case 6:
		return 0x7fc00000U; /* NOTIFY */
	default:
		return CF_RET_ALLOW;
	}
}

static const char *const rnd_abis[] = {
    "x86_64", "x86", "x32", "aarch64", "s390x", "ppc64", "mips", "arm",
};

static void rnd_ir(struct cf_arena *a, struct cf_ir *ir)
{
	size_t nabis = 1 + rnd_below(3);
	bool used[CF_ARRAY_SIZE(rnd_abis)] = {false};

	memset(ir, 0, sizeof(*ir));
	ir->default_action = rnd_action();
	while (ir->nabis < nabis) {
		size_t k = rnd_below(CF_ARRAY_SIZE(rnd_abis));
		struct cf_ir_abi *abi;
		uint32_t off, max, density;

		if (used[k])
			continue;
		used[k] = true;
		abi = add_abi(a, ir, rnd_abis[k], 1200);
		off = cf_arches[abi->arch].nr_offset;
		max = cf_arch_max_nr(abi->arch) - off;
		density = rnd_below(4) == 0 ? 95 : rnd_below(30);
		for (uint32_t nr = 0; nr <= max + 2; nr++) {
			struct cf_ir_sys *s;
			size_t nchains;

			if (rnd_below(100) >= density)
				continue;
			nchains = rnd_below(density > 50 ? 40 : 8) == 0
				      ? 1 + rnd_below(4)
				      : 0;
			s = add_sys(a, abi, off + nr, rnd_action(), nchains);
			for (size_t c = 0; c < nchains; c++) {
				struct cf_ir_chain *ch =
				    add_chain(s, rnd_action());
				unsigned n = rnd_below(7);

				for (unsigned j = 0; j < n; j++) {
					/* one call per statement: a fixed
					 * sequence on every compiler */
					unsigned arg = rnd_below(6);
					unsigned op = 1 + rnd_below(7);
					uint64_t d1 = rnd_datum();
					uint64_t d2 = rnd_datum();

					add_cond(ch, arg, (enum cf_op)op, d1,
						 d2);
				}
			}
		}
		if (rnd_below(2)) {
			abi->enosys = true;
			abi->enosys_above = abi->nsys && rnd_below(3)
						? abi->sys[abi->nsys - 1].nr
						: off + rnd_below(max + 1);
		}
	}
}

static void probe_chains(const struct cf_prog *p, const struct cf_ir *ir,
			 uint32_t audit, const struct cf_ir_sys *s)
{
	for (size_t c = 0; c < s->nchains; c++) {
		const struct cf_ir_chain *ch = &s->chains[c];
		struct seccomp_data base = sd(audit, s->nr);

		for (unsigned j = 0; j < 6; j++)
			base.args[j] = rnd();
		for (unsigned j = 0; j < ch->nconds; j++)
			base.args[ch->conds[j].arg] =
			    t_satisfy(&ch->conds[j], rnd);
		if (!agree(p, ir, &base))
			return;
		for (unsigned j = 0; j < ch->nconds; j++) {
			const struct cf_cond *cd = &ch->conds[j];
			uint64_t v[T_COND_VALUES];

			t_cond_values(cd, rnd(), v);

			for (size_t k = 0; k < CF_ARRAY_SIZE(v); k++) {
				struct seccomp_data d = base;

				d.args[cd->arg] = v[k];
				if (!agree(p, ir, &d))
					return;
			}
		}
	}
}

TEST(gen_random_irs_agree_with_eval)
{
	unsigned irs = 0, insns_max = 0;
	unsigned long long before = n_compared, chained = n_by_chain;

	for (int iter = 0; iter < 400; iter++) {
		struct cf_arena a = {0};
		struct cf_ir ir;
		struct cf_prog p;

		rnd_ir(&a, &ir);
		if (!gen_ok(&a, &ir, &p)) {
			cf_arena_release(&a);
			break;
		}
		irs++;
		if (p.len > insns_max)
			insns_max = (unsigned)p.len;
		for (size_t i = 0; i < ir.nabis; i++) {
			const struct cf_ir_abi *abi = &ir.abis[i];
			uint32_t audit = cf_arches[abi->arch].audit_arch;
			uint32_t off = cf_arches[abi->arch].nr_offset;

			sweep(&p, &ir, audit, off,
			      cf_arch_max_nr(abi->arch) + 5);
			sweep_odd(&p, &ir, audit);
			if (abi->enosys)
				sweep(&p, &ir, audit, abi->enosys_above - 1,
				      abi->enosys_above + 2);
			for (size_t j = 0; j < abi->nsys; j++)
				probe_chains(&p, &ir, audit, &abi->sys[j]);
		}
		for (int i = 0; i < cf_narches; i++)
			sweep(&p, &ir, cf_arches[i].audit_arch, 0, 3);
		for (int i = 0; i < 8; i++) {
			uint32_t arch = (uint32_t)rnd();
			struct seccomp_data d = sd(arch, (uint32_t)rnd());

			agree(&p, &ir, &d);
		}
		cf_arena_release(&a);
	}
	CHECK_EQ(irs, 400);
	CHECK(n_by_chain - chained > 10000);
	t_note("%u random IRs, %llu comparisons (%llu decided by a chain), "
	       "largest program %u instructions",
	       irs, n_compared - before, n_by_chain - chained, insns_max);
}

/* ---- a Docker-like profile -------------------------------------------- */

/* Follows the path for (arch, nr) as the kernel's action cache does:
 * true if an argument word is loaded on the way. */
static bool path_loads_args(const struct cf_prog *p, uint32_t arch, uint32_t nr)
{
	uint32_t A = 0;

	for (size_t pc = 0; pc < p->len; pc++) {
		const struct sock_filter *f = &p->insns[pc];

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->k >= 16)
				return true;
			A = f->k == 4 ? arch : nr;
			break;
		case BPF_RET:
			return false;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				pc += f->k;
				break;
			}
			switch (BPF_OP(f->code)) {
			case BPF_JEQ:
				pc += A == f->k ? f->jt : f->jf;
				break;
			case BPF_JGT:
				pc += A > f->k ? f->jt : f->jf;
				break;
			case BPF_JGE:
				pc += A >= f->k ? f->jt : f->jf;
				break;
			default:
				pc += (A & f->k) ? f->jt : f->jf;
				break;
			}
			break;
		default:
			return true;
		}
	}
	return true;
}

/* x86_64 numbers Docker's default does not allow (mount, ptrace, bpf,
 * kexec_*, module and key calls, ...) and the table's hole 335..423. */
static bool docker_denied(uint32_t nr)
{
	static const uint16_t denied[] = {
	    101, 134, 136, 139, 153, 154, 155, 156, 163, 164, 165, 166,
	    167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178,
	    179, 180, 181, 182, 183, 184, 185, 212, 227, 236, 237, 238,
	    239, 246, 248, 249, 250, 272, 279, 298, 303, 304, 305, 308,
	    310, 311, 312, 313, 320, 321, 323, 428, 429, 430, 431, 432,
	    433, 434, 435, 442, 443, 444, 445, 446, 447, 448, 449,
	};

	if (nr >= 335 && nr <= 423)
		return true;
	for (size_t i = 0; i < CF_ARRAY_SIZE(denied); i++)
		if (denied[i] == nr)
			return true;
	return false;
}

/* Like Docker's default on amd64: x86_64 + x86 + x32, ERRNO(EPERM)
 * default, ~360 allowed syscalls, a few argument checks, runc's stub. */
static void docker_like(struct cf_arena *a, struct cf_ir *ir)
{
	static const char *const names[] = {"x86_64", "x86", "x32"};

	memset(ir, 0, sizeof(*ir));
	ir->default_action = CF_RET_ERRNO(1);
	for (size_t k = 0; k < 3; k++) {
		struct cf_ir_abi *abi = add_abi(a, ir, names[k], 600);
		uint32_t off = cf_arches[abi->arch].nr_offset;
		uint32_t max = cf_arch_max_nr(abi->arch) - off;

		for (uint32_t nr = 0; nr <= max; nr++) {
			struct cf_ir_sys *s;
			struct cf_ir_chain *c;

			if (docker_denied(nr))
				continue;
			if (nr == 41) { /* socket: a0 != AF_VSOCK */
				s = add_sys(a, abi, off + nr,
					    ir->default_action, 1);
				add_cond(add_chain(s, CF_RET_ALLOW), 0,
					 CF_OP_NE, 40, 0);
				continue;
			}
			if (nr == 135) { /* personality */
				static const uint64_t ok[] = {
				    0, 8, 0x20000, 0x20008, 0xffffffff};

				s = add_sys(a, abi, off + nr,
					    ir->default_action, 5);
				for (size_t i = 0; i < 5; i++)
					add_cond(add_chain(s, CF_RET_ALLOW), 0,
						 CF_OP_EQ, ok[i], 0);
				continue;
			}
			if (nr == 56) { /* clone: no namespace flags */
				s = add_sys(a, abi, off + nr,
					    ir->default_action, 1);
				c = add_chain(s, CF_RET_ALLOW);
				add_cond(c, 0, CF_OP_MASKED_EQ, 0x7e020000, 0);
				continue;
			}
			add_sys(a, abi, off + nr, CF_RET_ALLOW, 0);
		}
		abi->enosys = true;
		abi->enosys_above = off + max - 3;
	}
}

TEST(gen_docker_like_profile)
{
	struct cf_arena a = {0};
	struct cf_ir ir;
	struct cf_prog p;
	unsigned long long total = 0;
	unsigned maxex = 0, count = 0, allowed = 0, bad_cache = 0;

	docker_like(&a, &ir);
	if (!gen_ok(&a, &ir, &p))
		return;
	for (size_t i = 0; i < ir.abis[0].nsys; i++)
		allowed += ir.abis[0].sys[i].fallback == CF_RET_ALLOW;
	for (size_t k = 0; k < ir.nabis; k++) {
		const struct cf_ir_abi *abi = &ir.abis[k];
		uint32_t audit = cf_arches[abi->arch].audit_arch;
		uint32_t off = cf_arches[abi->arch].nr_offset;

		for (uint32_t nr = off; nr <= cf_arch_max_nr(abi->arch) + 3;
		     nr++) {
			struct seccomp_data d = sd(audit, nr);
			unsigned ex = 0;
			bool has_chains = false;

			for (size_t j = 0; j < abi->nsys; j++)
				if (abi->sys[j].nr == nr && abi->sys[j].nchains)
					has_chains = true;
			agree(&p, &ir, &d);
			if (!has_chains && path_loads_args(&p, audit, nr))
				bad_cache++;
			if (k == 0) {
				run(&p, &d, &ex);
				total += ex;
				count++;
				if (ex > maxex)
					maxex = ex;
			}
		}
	}
	CHECK_EQ(bad_cache, 0);
	CHECK(allowed >= 290);
	CHECK(maxex <= 20);
	t_note("docker-like (%u allowed on x86_64, 3 ABIs): %zu instructions; "
	       "x86_64: max %u, mean %.1f executed over %u numbers",
	       allowed, p.len, maxex, (double)total / count, count);
	cf_arena_release(&a);
}

TEST(gen_empty_ir_kills)
{
	struct cf_arena a = {0};
	struct cf_ir ir = {0};
	struct cf_prog p;
	struct seccomp_data d = sd(AUDIT_X86_64, 0);

	ir.default_action = CF_RET_ALLOW;
	if (!gen_ok(&a, &ir, &p))
		return;
	CHECK_EQ(run(&p, &d, NULL), CF_RET_KILL_THREAD);
	CHECK(agree(&p, &ir, &d));
	cf_arena_release(&a);
}

TEST(gen_first_match_wins_and_loads_once)
{
	struct cf_arena a = {0};
	struct cf_ir ir = {0};
	struct cf_ir_abi *abi;
	struct cf_ir_sys *s;
	struct cf_ir_chain *c;
	struct cf_prog p;
	struct seccomp_data d;
	size_t loads = 0;

	ir.default_action = CF_RET_ERRNO(1);
	abi = add_abi(&a, &ir, "arm", 1);
	s = add_sys(&a, abi, 4, CF_RET_ALLOW, 4);
	c = add_chain(s, CF_RET_ERRNO(2));
	add_cond(c, 1, CF_OP_GE, 10, 0);
	add_cond(c, 1, CF_OP_LE, 20, 0);
	add_cond(c, 1, CF_OP_NE, 15, 0);
	add_cond(add_chain(s, CF_RET_ERRNO(3)), 1, CF_OP_LT, 30, 0);
	add_cond(add_chain(s, CF_RET_ERRNO(4)), 1, CF_OP_GE, 0, 0);
	add_cond(add_chain(s, CF_RET_ERRNO(5)), 1, CF_OP_EQ, 40, 0);
	if (!gen_ok(&a, &ir, &p))
		return;
	for (size_t i = 0; i < p.len; i++)
		loads += p.insns[i].code == (BPF_LD | BPF_W | BPF_ABS) &&
			 p.insns[i].k == 24;
	CHECK_EQ(loads, 1); /* a1's word, loaded once for all chains */
	d = sd(0x40000028U, 4);
	d.args[1] = 12;
	CHECK_EQ(run(&p, &d, NULL), CF_RET_ERRNO(2));
	d.args[1] = 15;
	CHECK_EQ(run(&p, &d, NULL), CF_RET_ERRNO(3));
	d.args[1] = 40;
	CHECK_EQ(run(&p, &d, NULL), CF_RET_ERRNO(4));
	d.args[1] = 0x100000000ULL | 12; /* 32-bit ABI: low half only */
	CHECK_EQ(run(&p, &d, NULL), CF_RET_ERRNO(2));
	for (uint64_t v = 0; v < 50; v++) {
		d.args[1] = v;
		agree(&p, &ir, &d);
	}
	cf_arena_release(&a);
}

/* ---- optimized against plain code generation -------------------------- */

/* Every chain of every syscall tests one argument (the first condition's),
 * interval operators mostly: the shape the step-function search takes. */
static void one_argument(struct cf_ir *ir)
{
	for (size_t i = 0; i < ir->nabis; i++)
		for (size_t j = 0; j < ir->abis[i].nsys; j++) {
			struct cf_ir_sys *s = &ir->abis[i].sys[j];
			uint8_t arg = (uint8_t)rnd_below(6);

			for (size_t c = 0; c < s->nchains; c++)
				for (unsigned k = 0; k < s->chains[c].nconds;
				     k++) {
					struct cf_cond *cd =
					    cond_at(&s->chains[c], k);

					cd->arg = arg;
					if (cd->op == CF_OP_MASKED_EQ &&
					    rnd_below(4))
						cd->op = CF_OP_EQ;
				}
		}
}

/* Every chain of a syscall has one action (an OR of chains), most
 * conditions on two arguments: the shape of a recorded profile. */
static void one_action(struct cf_ir *ir)
{
	for (size_t i = 0; i < ir->nabis; i++)
		for (size_t j = 0; j < ir->abis[i].nsys; j++) {
			struct cf_ir_sys *s = &ir->abis[i].sys[j];
			uint8_t a0 = (uint8_t)rnd_below(6);

			if (!s->nchains)
				continue;
			if (s->chains[0].action == s->fallback)
				s->fallback ^= 1;
			for (size_t c = 0; c < s->nchains; c++) {
				s->chains[c].action = s->chains[0].action;
				for (unsigned k = 0; k < s->chains[c].nconds;
				     k++)
					if (rnd_below(3))
						cond_at(&s->chains[c], k)->arg =
						    (uint8_t)(k ? (a0 + 1) % 6
								: a0);
			}
		}
}

/* Argument-free ALLOWs reach their return with nr and arch only. */
static void check_cacheable(const struct cf_prog *p, const struct cf_ir *ir,
			    uint32_t audit, uint32_t from, uint32_t to,
			    unsigned *missed)
{
	for (uint64_t nr = from; nr <= to; nr++) {
		struct seccomp_data d = sd(audit, (uint32_t)nr);
		const struct cf_ir_sys *s;
		bool free_allow = cf_ir_eval(ir, &d, &s, NULL) == CF_RET_ALLOW;
		char an[64];

		for (size_t i = 0; s && free_allow && i < s->nchains; i++)
			free_allow = s->chains[i].action == s->fallback;
		if (free_allow &&
		    !cf_bpf_cacheable(p->insns, p->len, audit, (uint32_t)nr) &&
		    (*missed)++ < 10)
			t_fail(__FILE__, __LINE__,
			       "%s nr %u: argument-free ALLOW not cacheable",
			       t_arch_name(audit, an, sizeof(an)),
			       (uint32_t)nr);
	}
}

TEST(gen_random_irs_opt_and_plain_agree)
{
	const struct cf_gen_opts plain = {.plain = true};
	unsigned irs = 0, missed = 0;
	unsigned long long before = n_compared, chained = n_by_chain;
	size_t len_opt = 0, len_plain = 0;

	for (int iter = 0; iter < 300; iter++) {
		struct cf_arena a = {0};
		struct cf_ir ir;
		struct cf_prog p[2];
		struct cf_error err = {0};

		rnd_ir(&a, &ir);
		if (iter % 3 == 1)
			one_argument(&ir);
		else if (iter % 3 == 2)
			one_action(&ir);
		if (!gen_ok(&a, &ir, &p[0]) ||
		    !CHECK(cf_bpf_gen_opts(&a, &ir, &plain, &p[1], &err) ==
			   0) ||
		    !CHECK(cf_bpf_verify(p[1].insns, p[1].len, &err) == 0)) {
			cf_arena_release(&a);
			break;
		}
		irs++;
		len_opt += p[0].len;
		len_plain += p[1].len;
		for (int k = 0; k < 2; k++) {
			for (size_t i = 0; i < ir.nabis; i++) {
				const struct cf_ir_abi *abi = &ir.abis[i];
				uint32_t audit =
				    cf_arches[abi->arch].audit_arch;
				uint32_t off = cf_arches[abi->arch].nr_offset;
				uint32_t max = cf_arch_max_nr(abi->arch) + 5;

				sweep(&p[k], &ir, audit, off, max);
				sweep_odd(&p[k], &ir, audit);
				check_cacheable(&p[k], &ir, audit, off, max,
						&missed);
				for (size_t j = 0; j < abi->nsys; j++)
					probe_chains(&p[k], &ir, audit,
						     &abi->sys[j]);
			}
			sweep(&p[k], &ir, 0x12345678U, 0, 3);
		}
		cf_arena_release(&a);
	}
	CHECK_EQ(irs, 300);
	CHECK_EQ(missed, 0);
	CHECK(n_by_chain - chained > 10000);
	t_note("%u random IRs, %llu comparisons; %zu vs %zu instructions in "
	       "all (optimized vs plain)",
	       irs, n_compared - before, len_opt, len_plain);
}
