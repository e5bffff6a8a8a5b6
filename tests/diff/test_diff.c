/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The differential suite: every profile, in every capability context that
 * changes it, decided by
 *   - callfence: its program in lib/bpf_sim.c and in tests/diff/bpf_eval.c,
 *     and its IR (cf_ir_eval);
 *   - the oracle (oracle.c): the documented semantics from the ruleset;
 *   - libseccomp 2.5.4 as runc drives it (ref_lsc.c), linear and tree
 *     layouts, each in both interpreters, behind runc's ENOSYS stub.
 * Any callfence-vs-oracle difference fails. libseccomp-vs-oracle
 * differences where callfence agrees with the oracle are counted and shown:
 *   - "libseccomp-bug": one answer is possible (no overlapping argument
 *     rules with different actions) and libseccomp gives another (2.5.4
 *     mis-generates some i386/x32 chains and merges some 64-bit
 *     comparisons; fixed in 2.6.1);
 *   - "precedence": several argument rules of one syscall with different
 *     actions match. callfence (docs/semantics.md) takes the first in
 *     profile order; libseccomp merges rules into one decision tree whose
 *     levels are sorted (higher argument index first, EQ/NE/MASKED_EQ
 *     before LT/LE before GT/GE, by datum), so its pick follows that sort.
 *     Its answer must still be one of the matching rules' actions.
 * Numbers whose names libseccomp 2.5.4 does not know (or numbers
 * differently) are not compared with libseccomp, and are counted.
 *
 * CF_DIFF_SEED and CF_DIFF_PROFILES vary the random profiles (default: a
 * fixed seed, 2000 profiles).
 */
#include "../t.h"

#include "diff.h"
#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "filter.h"

#include <dirent.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_X86_64 0xc000003eU
#define X32_BIT 0x40000000U

struct stats {
	unsigned long profiles, contexts, cf_refused, unconfined;
	unsigned long lsc_refused, lsc_layout_refused, lsc_bug_contexts;
	unsigned long lsc_bug_no_nr, lsc_bug_acc, lsc_flagged_clean;
	unsigned long long vectors, comparisons, lsc_compared;
	unsigned long long mismatches, interp, lsc_bug, precedence,
	    precedence_odd, lsc_skipped;
	const char *unknown[128];
	size_t nunknown;
	char refusals[4][200];
	size_t nrefusals;
	char kinds[8][80];
	unsigned long kind_count[8];
	size_t nkinds;
};

static struct stats st;
static bool disasm_next; /* CF_DIFF_DUMP: list the programs too */

struct run {
	const char *label;
	struct cf_filter *f;
	struct oracle o;
	struct lsc_ref l;
	bool lsc;
	unsigned long bug_seen; /* libseccomp-bug cases in this context */
	bool no_nr;		/* libseccomp never loads nr (see below) */
	struct gen_rng rng;
};

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

/* How many cases of each kind to show (CF_DIFF_EXAMPLES). */
static unsigned long long examples(void)
{
	return env_ul("CF_DIFF_EXAMPLES", 6);
}

static bool nr_load_missing(const struct run *ru);

/* ---- one vector, decided every way ------------------------------------ */

static bool audit_big_endian(uint32_t audit)
{
	for (int i = 0; i < cf_narches; i++)
		if (cf_arches[i].audit_arch == audit)
			return cf_arches[i].big_endian;
	return false;
}

/* The bytes a kernel of the ABI's byte order hands the filter: on a
 * big-endian ABI the high word of each argument comes first. (The library
 * has this as cf_seccomp_data_as_kernel; the harness keeps its own so that
 * it depends on nothing in lib/ but the code under test.) */
static struct seccomp_data kernel_view(const struct seccomp_data *d)
{
	struct seccomp_data k = *d;

	if (audit_big_endian(d->arch))
		for (int i = 0; i < 6; i++)
			k.args[i] = d->args[i] << 32 | d->args[i] >> 32;
	return k;
}

static void show(const char *what, const struct run *ru,
		 const struct seccomp_data *d, const char *an, uint32_t a,
		 const char *bn, uint32_t b)
{
	char ab[64], bb[64];

	printf("    %s %s: arch 0x%x nr 0x%x args %" PRIx64 " %" PRIx64
	       " %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64 ": ",
	       what, ru->label, d->arch, (uint32_t)d->nr, (uint64_t)d->args[0],
	       (uint64_t)d->args[1], (uint64_t)d->args[2], (uint64_t)d->args[3],
	       (uint64_t)d->args[4], (uint64_t)d->args[5]);
	printf("%s %s, %s %s\n", an, cf_action_str(a, ab, sizeof(ab)), bn,
	       cf_action_str(b, bb, sizeof(bb)));
}

static bool among(const struct oracle_why *w, uint32_t act)
{
	for (size_t i = 0; i < w->nmatch && i < CF_ARRAY_SIZE(w->matched); i++)
		if (w->matched[i] == act)
			return true;
	return false;
}

static void compare(struct run *ru, const struct seccomp_data *d)
{
	struct oracle_why why;
	uint32_t want = oracle_decide(&ru->o, d, &why);
	struct seccomp_data k = kernel_view(d);
	size_t len;
	const struct sock_filter *p = cf_filter_program(ru->f, &len);
	bool bad;
	uint32_t c1 = cf_bpf_run(p, len, &k, NULL);
	uint32_t c2 = diff_bpf_eval(p, len, &k, &bad);
	uint32_t ir = cf_ir_eval(&ru->f->ir, d, NULL, NULL);

	st.vectors++;
	st.comparisons += 3;
	if (c1 != c2 || bad) {
		if (st.interp++ < 5)
			show("INTERPRETERS", ru, d, "bpf_sim", c1, "bpf_eval",
			     c2);
		t_fail(__FILE__, __LINE__, "interpreters disagree");
	}
	if (c1 != want || ir != want) {
		if (st.mismatches++ < 10) {
			show("MISMATCH", ru, d, "callfence", c1, "oracle",
			     want);
			if (ir != c1)
				show("  (ir)", ru, d, "ir", ir, "program", c1);
		}
		t_fail(__FILE__, __LINE__,
		       "%s: callfence differs from the "
		       "oracle",
		       ru->label);
	}
	if (!ru->lsc)
		return;
	if (lsc_ref_skipped(&ru->l, d->arch, (uint32_t)d->nr)) {
		st.lsc_skipped++;
		return;
	}
	for (int lay = 0; lay < 2; lay++) {
		uint32_t l1, l2;

		if (!ru->l.prog[lay])
			continue;
		if (runc_stub(&ru->o, d, &l1)) {
			l2 = l1;
			bad = false;
		} else {
			l1 = cf_bpf_run(ru->l.prog[lay], ru->l.len[lay], &k,
					NULL);
			l2 = diff_bpf_eval(ru->l.prog[lay], ru->l.len[lay], &k,
					   &bad);
		}
		st.comparisons += 2;
		st.lsc_compared++;
		if (l1 != l2 || bad) {
			if (st.interp++ < 5)
				show("INTERPRETERS(libseccomp)", ru, d,
				     "bpf_sim", l1, "bpf_eval", l2);
			t_fail(__FILE__, __LINE__, "interpreters disagree");
		}
		if (l1 == want)
			continue;
		if (why.actions_differ && among(&why, l1)) {
			uint32_t pick;

			if (oracle_lsc_pick(&ru->o, d, &why, &pick) &&
			    pick == l1) {
				st.precedence++;
			} else if (st.precedence_odd++ < examples() / 2) {
				show("precedence", ru, d, "libseccomp", l1,
				     "first rule", want);
			}
		} else {
			st.lsc_bug++;
			/* the first case of each context, a few contexts */
			if (!ru->bug_seen++ &&
			    st.lsc_bug_contexts++ < examples())
				show(ru->no_nr ? "libseccomp-bug(nr not loaded)"
				     : lay     ? "libseccomp-bug(tree)"
					       : "libseccomp-bug",
				     ru, d, "libseccomp", l1,
				     "oracle+callfence", want);
		}
	}
}

/* ---- inputs -------------------------------------------------------------- */

struct cands {
	uint64_t v[6][40];
	size_t n[6];
};

static void cand_add(struct cands *c, unsigned arg, uint64_t v)
{
	if (arg >= 6)
		return;
	for (size_t i = 0; i < c->n[arg]; i++)
		if (c->v[arg][i] == v)
			return;
	if (c->n[arg] < CF_ARRAY_SIZE(c->v[arg]))
		c->v[arg][c->n[arg]++] = v;
}

static void cand_datum(struct cands *c, unsigned arg, uint64_t v)
{
	cand_add(c, arg, v);
	cand_add(c, arg, v + 1);
	cand_add(c, arg, v - 1);
	cand_add(c, arg, v ^ 0xffffffff00000000ULL);
}

/* A value that makes the condition true (when one exists). */
static uint64_t satisfy(struct gen_rng *r, const struct cf_cond *c)
{
	switch (c->op) {
	case CF_OP_NE:
		return c->datum ^ 1;
	case CF_OP_LT:
		return c->datum ? c->datum - 1 : 0;
	case CF_OP_GT:
		return c->datum + 1;
	case CF_OP_MASKED_EQ:
		return (c->datum2 & c->datum) | (gen_next(r) & ~c->datum);
	default:
		return c->datum;
	}
}

static void with_base(struct run *ru, struct seccomp_data *d,
		      const uint64_t *base)
{
	memcpy(d->args, base, sizeof(d->args));
	compare(ru, d);
}

static void run_nr(struct run *ru, int arch, uint32_t audit, uint32_t nr,
		   bool rich)
{
	const struct cf_ruleset *rs = &ru->f->rules;
	struct seccomp_data d = {.nr = (int)nr, .arch = audit};
	struct cands c = {0};
	uint64_t zero[6] = {0}, base[6];
	bool any = false;

	compare(ru, &d);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct cf_rule *r = &rs->rules[i];
		bool mux;

		if (arch < 0 || !oracle_rule_at(arch, r, nr, &mux))
			continue;
		any = true;
		if (mux) {
			cand_datum(&c, 0,
				   (uint64_t)cf_sysinfo[r->sys].mux_call);
		}
		for (unsigned j = 0; j < r->nconds; j++) {
			const struct cf_cond *cd = &r->conds[j];

			cand_datum(&c, cd->arg, cd->datum);
			if (cd->op == CF_OP_MASKED_EQ) {
				cand_datum(&c, cd->arg, cd->datum2 & cd->datum);
				cand_add(&c, cd->arg, cd->datum2);
				cand_add(&c, cd->arg, ~cd->datum);
			}
		}
	}
	for (int i = 0; i < 6; i++) {
		d.args[i] = UINT64_MAX;
		cand_add(&c, (unsigned)i, 0);
		cand_add(&c, (unsigned)i, UINT64_MAX);
	}
	compare(ru, &d);
	for (int i = 0; i < 6; i++)
		d.args[i] = gen_next(&ru->rng);
	compare(ru, &d);
	if (!any || !rich)
		return;
	/* one argument at a time */
	for (unsigned i = 0; i < 6; i++)
		for (size_t j = 0; j < c.n[i]; j++) {
			memset(d.args, 0, sizeof(d.args));
			d.args[i] = c.v[i][j];
			compare(ru, &d);
		}
	/* each rule satisfied, then each of its arguments moved */
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct cf_rule *r = &rs->rules[i];
		bool mux;

		if (!oracle_rule_at(arch, r, nr, &mux))
			continue;
		memcpy(base, zero, sizeof(base));
		for (unsigned j = 0; j < r->nconds; j++)
			base[r->conds[j].arg] = satisfy(&ru->rng, &r->conds[j]);
		if (mux)
			base[0] = (uint64_t)cf_sysinfo[r->sys].mux_call;
		with_base(ru, &d, base);
		for (unsigned j = 0; j < r->nconds; j++) {
			unsigned a = r->conds[j].arg;

			for (size_t k = 0; k < c.n[a]; k++) {
				uint64_t keep = base[a];

				base[a] = c.v[a][k];
				with_base(ru, &d, base);
				base[a] = keep;
			}
		}
	}
	/* combinations across indexes */
	for (int k = 0; k < 24; k++) {
		for (unsigned i = 0; i < 6; i++)
			d.args[i] = c.v[i][gen_next(&ru->rng) % c.n[i]];
		compare(ru, &d);
	}
}

static void run_abi(struct run *ru, size_t ai, bool full)
{
	const struct cf_ruleset *rs = &ru->f->rules;
	int arch = rs->arches[ai];
	const struct cf_arch *ar = &cf_arches[arch];
	uint32_t max = cf_arch_max_nr(arch), lo = ar->nr_offset;
	const struct oracle_abi *oa = &ru->o.abis[ai];

	if (full) {
		for (uint32_t nr = lo; nr <= max + 16; nr++)
			run_nr(ru, arch, ar->audit_arch, nr, true);
	} else {
		for (size_t i = 0; i < rs->nrules; i++) {
			const struct cf_rule *r = &rs->rules[i];
			int64_t nr = r->sys >= 0 ? cf_sys_nr(arch, r->sys) : -1;

			if (nr >= 0) {
				run_nr(ru, arch, ar->audit_arch, (uint32_t)nr,
				       true);
				run_nr(ru, arch, ar->audit_arch,
				       (uint32_t)nr + 1, false);
			}
		}
		if (ar->mux) {
			run_nr(ru, arch, ar->audit_arch,
			       (uint32_t)ar->socketcall_nr, true);
			run_nr(ru, arch, ar->audit_arch, (uint32_t)ar->ipc_nr,
			       true);
		}
		for (int i = 0; i < 8; i++)
			run_nr(ru, arch, ar->audit_arch,
			       lo + (uint32_t)(gen_next(&ru->rng) %
					       (max - lo + 1)),
			       false);
		run_nr(ru, arch, ar->audit_arch, lo, false);
		run_nr(ru, arch, ar->audit_arch, max + 1, false);
		run_nr(ru, arch, ar->audit_arch, max + 8, false);
	}
	if (oa->enosys) {
		run_nr(ru, arch, ar->audit_arch, oa->above, true);
		run_nr(ru, arch, ar->audit_arch, oa->above + 1, false);
	}
	if (lo)
		run_nr(ru, arch, ar->audit_arch, lo - 1, false);
	run_nr(ru, arch, ar->audit_arch, 0x7fffffff, false);
	run_nr(ru, arch, ar->audit_arch, 0xffffffff, false);
	if (ar->audit_arch == AUDIT_X86_64) {
		/* x32 numbers (with and without x32 in the filter) and
		 * numbers >= 2^31 */
		for (uint32_t nr = 0; nr < 4; nr++) {
			run_nr(ru, arch, ar->audit_arch, X32_BIT | nr, false);
			run_nr(ru, arch, ar->audit_arch, 0x80000000U | nr,
			       false);
			run_nr(ru, arch, ar->audit_arch,
			       0x80000000U | X32_BIT | nr, false);
		}
		for (size_t i = 0; i < rs->nrules; i++) {
			int64_t nr = rs->rules[i].sys >= 0
					 ? cf_sys_nr(arch, rs->rules[i].sys)
					 : -1;

			if (nr >= 0)
				run_nr(ru, -1, ar->audit_arch,
				       (uint32_t)nr ^ X32_BIT, false);
		}
	}
}

static void run_foreign(struct run *ru)
{
	const struct cf_ruleset *rs = &ru->f->rules;

	for (int a = 0; a < cf_narches; a++) {
		bool in = false;

		for (size_t i = 0; i < rs->narches; i++)
			in |= cf_arches[rs->arches[i]].audit_arch ==
			      cf_arches[a].audit_arch;
		if (!in)
			run_nr(ru, -1, cf_arches[a].audit_arch,
			       cf_arches[a].nr_offset + 1, false);
	}
	run_nr(ru, -1, 0x12345678U, 0, false);
	run_nr(ru, -1, 0, 0, false);
}

/* ---- a profile in a context -----------------------------------------------
 */

/* Refusals by kind: the call that failed and its error, without the
 * syscall name ("seccomp_rule_add: File exists"). */
static void count_refusal(const char *why)
{
	char kind[80];
	const char *paren = strchr(why, '('), *colon = strrchr(why, ':');
	size_t i;

	if (paren && colon && paren < colon)
		snprintf(kind, sizeof(kind), "%.*s%s", (int)(paren - why), why,
			 colon);
	else
		snprintf(kind, sizeof(kind), "%s", why);
	if (!strncmp(kind, "libseccomp 2.5.4 does not know", 30))
		snprintf(kind, sizeof(kind), "ABI unknown to libseccomp 2.5.4");
	for (i = 0; i < st.nkinds; i++)
		if (!strcmp(st.kinds[i], kind))
			break;
	if (i == st.nkinds && st.nkinds < CF_ARRAY_SIZE(st.kinds))
		snprintf(st.kinds[st.nkinds++], sizeof(st.kinds[0]), "%s",
			 kind);
	if (i < CF_ARRAY_SIZE(st.kinds))
		st.kind_count[i]++;
}

static void note_refusal(const char *label, const char *why)
{
	count_refusal(why);
	if (st.nrefusals < CF_ARRAY_SIZE(st.refusals))
		snprintf(st.refusals[st.nrefusals++], sizeof(st.refusals[0]),
			 "%s: %s", label, why);
}

static void note_unknown(const char *name)
{
	for (size_t i = 0; i < st.nunknown; i++)
		if (!strcmp(st.unknown[i], name))
			return;
	if (st.nunknown < CF_ARRAY_SIZE(st.unknown))
		st.unknown[st.nunknown++] = name;
}

/* The libseccomp 2.5.4 miscompilation behind most libseccomp-bug
 * contexts: after the arch check the syscall number is never loaded (its
 * accumulator tracking believes it is), so the syscall comparisons test
 * the audit arch. Seen as an arch-check JEQ whose true branch is not a
 * load. */
static bool nr_load_missing(const struct run *ru)
{
	const struct cf_ruleset *rs = &ru->f->rules;

	for (int lay = 0; lay < 2; lay++) {
		const struct sock_filter *p = ru->l.prog[lay];

		for (size_t i = 0; p && i < ru->l.len[lay]; i++) {
			size_t t = i + 1 + p[i].jt;

			if (p[i].code != (BPF_JMP | BPF_JEQ | BPF_K) ||
			    t >= ru->l.len[lay] ||
			    BPF_CLASS(p[t].code) == BPF_LD ||
			    BPF_CLASS(p[t].code) == BPF_RET)
				continue;
			for (size_t a = 0; a < rs->narches; a++)
				if (p[i].k ==
				    cf_arches[rs->arches[a]].audit_arch)
					return true;
		}
	}
	return false;
}

/* The other one: a comparison reached with the accumulator holding
 * different words on different paths (a 64-bit compare that jumps to the
 * next node without reloading its high word). Forward dataflow over the
 * program: which load A holds at each instruction. */
static bool acc_merged(const struct run *ru)
{
	enum { NONE = -1, MIXED = -2 };

	for (int lay = 0; lay < 2; lay++) {
		const struct sock_filter *p = ru->l.prog[lay];
		size_t n = ru->l.len[lay];
		long *acc;
		bool *seen, mixed = false;

		if (!p)
			continue;
		acc = calloc(n + 1, sizeof(*acc));
		seen = calloc(n + 1, sizeof(*seen));
		if (!acc || !seen) {
			free(acc);
			free(seen);
			return false;
		}
		seen[0] = true;
		acc[0] = NONE;
		for (size_t i = 0; i < n && !mixed; i++) {
			long a = acc[i];
			size_t succ[2];
			int ns = 0;

			if (!seen[i])
				continue;
			if (BPF_CLASS(p[i].code) == BPF_JMP &&
			    BPF_OP(p[i].code) != BPF_JA) {
				if (a == MIXED)
					mixed = true;
				succ[ns++] = i + 1 + p[i].jt;
				succ[ns++] = i + 1 + p[i].jf;
			} else if (BPF_CLASS(p[i].code) == BPF_JMP) {
				succ[ns++] = i + 1 + p[i].k;
			} else if (BPF_CLASS(p[i].code) != BPF_RET) {
				if (p[i].code == (BPF_LD | BPF_W | BPF_ABS))
					a = (long)p[i].k;
				else if (BPF_CLASS(p[i].code) == BPF_LD ||
					 BPF_CLASS(p[i].code) == BPF_ALU)
					a = a == MIXED ? MIXED : a + 0x10000;
				succ[ns++] = i + 1;
			}
			for (int k = 0; k < ns; k++) {
				size_t t = succ[k];

				if (t > n)
					continue;
				if (!seen[t]) {
					seen[t] = true;
					acc[t] = a;
				} else if (acc[t] != a) {
					acc[t] = MIXED;
				}
			}
		}
		free(acc);
		free(seen);
		if (mixed)
			return true;
	}
	return false;
}

/* Returns 0 when compared, 1 when callfence refused the profile. */
static int run_profile(const char *text, size_t len, const char *label,
		       int native, uint64_t caps, bool full, uint64_t seed)
{
	struct cf_target tg = {.native = native,
			       .caps = caps,
			       .kernel = 6 << 16 | 18,
			       .enosys = CF_ENOSYS_RUNC};
	struct cf_profile *p;
	struct cf_error err;
	struct run ru = {.label = label, .rng = {seed | 1}};
	int rc = cf_profile_parse(text, len, label, &p, &err);

	st.contexts++;
	if (!rc) {
		rc = cf_compile(p, &tg, &ru.f, &err);
		cf_profile_free(p);
	}
	if (rc) {
		st.cf_refused++;
		return 1;
	}
	if (cf_filter_unconfined(ru.f)) {
		st.unconfined++;
		cf_filter_free(ru.f);
		return 0;
	}
	oracle_init(&ru.o, &ru.f->rules);
	ru.lsc = lsc_ref_build(&ru.l, &ru.f->rules) == 0;
	if (!ru.lsc) {
		st.lsc_refused++;
		note_refusal(label, ru.l.why[0]);
	} else if (!ru.l.prog[0] || !ru.l.prog[1]) {
		st.lsc_layout_refused++;
		note_refusal(label, ru.l.why[ru.l.prog[0] ? 1 : 0]);
	}
	for (size_t i = 0; i < ru.l.nunknown; i++)
		note_unknown(ru.l.unknown[i]);
	ru.no_nr = nr_load_missing(&ru);
	if (disasm_next) {
		size_t n;
		const struct sock_filter *p0 = cf_filter_program(ru.f, &n);

		printf("callfence:\n");
		cf_bpf_disasm(p0, n, stdout);
		for (int lay = 0; lay < 2; lay++) {
			printf("libseccomp (%s):\n", lay ? "tree" : "linear");
			if (ru.l.prog[lay])
				cf_bpf_disasm(ru.l.prog[lay], ru.l.len[lay],
					      stdout);
		}
		disasm_next = false;
	}
	for (size_t i = 0; i < ru.f->rules.narches; i++)
		run_abi(&ru, i, full);
	run_foreign(&ru);
	if (ru.bug_seen && ru.no_nr)
		st.lsc_bug_no_nr++;
	else if (ru.bug_seen && acc_merged(&ru))
		st.lsc_bug_acc++;
	else if (!ru.bug_seen && ru.lsc && (ru.no_nr || acc_merged(&ru)))
		st.lsc_flagged_clean++;
	lsc_ref_free(&ru.l);
	cf_filter_free(ru.f);
	return 0;
}

static void report(const char *what)
{
	t_note("%s: %lu profiles, %lu contexts (%lu refused by callfence, "
	       "%lu unconfined), %llu vectors, %llu comparisons, %llu "
	       "against libseccomp",
	       what, st.profiles, st.contexts, st.cf_refused, st.unconfined,
	       st.vectors, st.comparisons, st.lsc_compared);
	t_note("libseccomp: %lu contexts refused, %lu with one layout "
	       "refused; %llu vectors skipped (names 2.5.4 lacks or numbers "
	       "differently: %zu)",
	       st.lsc_refused, st.lsc_layout_refused, st.lsc_skipped,
	       st.nunknown);
	if (st.nunknown) {
		char buf[1024] = "";
		size_t n = 0;

		for (size_t i = 0; i < st.nunknown && n < sizeof(buf) - 40; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
					      i ? " " : "", st.unknown[i]);
		t_note("  skipped names: %s", buf);
	}
	for (size_t i = 0; i < st.nkinds; i++)
		t_note("  refused %lu x: %s", st.kind_count[i], st.kinds[i]);
	for (size_t i = 0; i < st.nrefusals; i++)
		t_note("  refused, e.g.: %s", st.refusals[i]);
	t_note("libseccomp-bug cases %llu (in %lu contexts: %lu with the "
	       "syscall number never loaded after the arch check, %lu with "
	       "a comparison reached holding different words; %lu more "
	       "contexts show those patterns without a difference found); "
	       "precedence "
	       "differences %llu "
	       "(libseccomp took another matching rule than the first: %llu "
	       "as its tree order predicts, %llu merged otherwise); "
	       "interpreter disagreements %llu; "
	       "callfence-vs-oracle mismatches %llu",
	       st.lsc_bug, st.lsc_bug_contexts, st.lsc_bug_no_nr,
	       st.lsc_bug_acc, st.lsc_flagged_clean,
	       st.precedence + st.precedence_odd, st.precedence,
	       st.precedence_odd, st.interp, st.mismatches);
	CHECK_EQ(st.mismatches, 0);
	CHECK_EQ(st.interp, 0);
	memset(&st, 0, sizeof(st));
}

/* ---- the suites ------------------------------------------------------------
 */

static uint64_t cap_context(int i)
{
	return i == 0	? cf_caps_docker_default()
	       : i == 1 ? cf_caps_docker_default() | 1ULL << 21
			: cf_caps_all();
}

TEST(diff_fixtures)
{
	int host = cf_abi_host();

	for (size_t i = 0; i < t_nfixtures; i++) {
		char label[300];
		size_t len;
		char *text = t_fixture_read(t_fixtures[i], &len);

		if (!text)
			return;
		st.profiles++;
		for (int c = 0; c < 3; c++) {
			snprintf(label, sizeof(label), "%s[caps %d]",
				 t_fixtures[i], c);
			CHECK_EQ(run_profile(text, len, label, host,
					     cap_context(c), true, i * 3 + c),
				 0);
		}
		free(text);
	}
	report("fixtures");
}

/* The project's own profiles: the built-in one and the decision tables'
 * inline profiles. */
static size_t project_inline(const char *path, bool full)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	char *buf = NULL;
	size_t len = 0, count = 0;
	bool in = false;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!in && !strncmp(line, "profile inline", 14)) {
			in = true;
			len = 0;
			continue;
		}
		if (in && !strcmp(line, "end\n")) {
			char label[300];

			in = false;
			snprintf(label, sizeof(label), "%s#%zu", path, count);
			st.profiles++;
			for (int c = 0; c < 3; c++)
				run_profile(buf ? buf : "", len, label,
					    cf_abi_host(), cap_context(c), full,
					    count);
			count++;
			continue;
		}
		if (in) {
			size_t n = strlen(line);
			char *nb = realloc(buf, len + n + 1);

			if (!nb)
				break;
			buf = nb;
			memcpy(buf + len, line, n + 1);
			len += n;
		}
	}
	free(buf);
	fclose(f);
	return count;
}

TEST(diff_project_profiles)
{
	size_t blen, n = 0;
	const char *builtin = cf_profile_builtin_json(&blen);
	DIR *dir;
	struct dirent *e;

	st.profiles++;
	for (int c = 0; c < 3; c++)
		CHECK_EQ(run_profile(builtin, blen, "builtin", cf_abi_host(),
				     cap_context(c), true, 77 + c),
			 0);
	dir = opendir("tests/decisions");
	if (CHECK(dir)) {
		while ((e = readdir(dir))) {
			char path[512];

			if (!strstr(e->d_name, ".dt"))
				continue;
			snprintf(path, sizeof(path), "tests/decisions/%s",
				 e->d_name);
			n += project_inline(path, true);
		}
		closedir(dir);
	}
	CHECK(n >= 10);
	report("project profiles");
}

TEST(diff_random_profiles)
{
	static const char *const natives[] = {
	    "x86_64", "x86_64",	 "x86_64",  "x86_64",  "x86_64",
	    "x86_64", "aarch64", "x86",	    "ppc64le", "s390x",
	    "arm",    "mips64",	 "riscv64", "mipsel",
	};
	unsigned long seed = env_ul("CF_DIFF_SEED", 0x5eed);
	unsigned long n = env_ul("CF_DIFF_PROFILES", 2000);
	struct gen_rng r = {seed * 0x9e3779b97f4a7c15ULL | 1};

	for (unsigned long i = 0; i < n; i++) {
		int native = cf_abi_lookup(
		    natives[gen_next(&r) % CF_ARRAY_SIZE(natives)]);
		uint64_t caps;
		char label[64];
		char *text = gen_profile(&r, native, &caps);

		if (!CHECK(text))
			return;
		snprintf(label, sizeof(label), "random#%lu(%s)", i,
			 cf_arches[native].name);
		st.profiles++;
		if (env_ul("CF_DIFF_DUMP", ~0UL) == i) {
			printf("%s caps 0x%" PRIx64 ":\n%s\n", label, caps,
			       text);
			disasm_next = true;
		}
		run_profile(text, strlen(text), label, native, caps, false,
			    gen_next(&r));
		free(text);
	}
	t_note("seed 0x%lx (CF_DIFF_SEED), %lu profiles (CF_DIFF_PROFILES)",
	       seed, n);
	report("random profiles");
}

/* Docker's default cross-compiled for other native ABIs. */
TEST(diff_cross_native)
{
	static const char *const natives[] = {
	    "aarch64", "x86", "ppc64le", "s390x", "arm", "riscv64", "mips64"};
	size_t len;
	char *text = t_fixture_read("docker-default.json", &len);

	if (!text)
		return;
	for (size_t i = 0; i < CF_ARRAY_SIZE(natives); i++) {
		char label[64];

		snprintf(label, sizeof(label), "docker-default(native %s)",
			 natives[i]);
		st.profiles++;
		run_profile(text, len, label, cf_abi_lookup(natives[i]),
			    cf_caps_docker_default(), true, i);
	}
	free(text);
	report("cross-native");
}

/* ---- the two known semantic differences, pinned ------------------------- */

struct pinned {
	struct cf_filter *f;
	struct oracle o;
	struct lsc_ref l;
};

static bool pin(struct pinned *p, const char *json)
{
	struct cf_target tg = {.native = cf_abi_lookup("x86_64"),
			       .caps = cf_caps_docker_default(),
			       .kernel = 6 << 16 | 18};
	struct cf_profile *prof;
	struct cf_error err;

	memset(p, 0, sizeof(*p));
	if (!CHECK(cf_profile_parse(json, strlen(json), "pinned", &prof,
				    &err) == 0))
		return false;
	if (!CHECK(cf_compile(prof, &tg, &p->f, &err) == 0)) {
		cf_profile_free(prof);
		return false;
	}
	cf_profile_free(prof);
	oracle_init(&p->o, &p->f->rules);
	return CHECK(lsc_ref_build(&p->l, &p->f->rules) == 0 && p->l.prog[0]);
}

static uint32_t pinned_cf(const struct pinned *p, const struct seccomp_data *d)
{
	size_t n;
	const struct sock_filter *prog = cf_filter_program(p->f, &n);

	return cf_bpf_run(prog, n, d, NULL);
}

static uint32_t pinned_lsc(const struct pinned *p, const struct seccomp_data *d)
{
	uint32_t r;

	if (runc_stub(&p->o, d, &r))
		return r;
	return cf_bpf_run(p->l.prog[0], p->l.len[0], d, NULL);
}

static void unpin(struct pinned *p)
{
	lsc_ref_free(&p->l);
	cf_filter_free(p->f);
}

/* Overlapping argument rules with different actions: callfence takes the
 * first in profile order (docs/semantics.md), libseccomp its tree order
 * (the rule on the higher argument first; EQ before GE on one argument),
 * which oracle_lsc_pick models. If callfence adopts libseccomp's order,
 * this test says so. */
TEST(diff_pinned_precedence)
{
	struct pinned p;
	struct seccomp_data d = {.nr = 39, .arch = AUDIT_X86_64};
	struct oracle_why why;
	uint32_t pick = 0;

	if (!pin(&p, "{\"defaultAction\":\"SCMP_ACT_KILL\",\"syscalls\":["
		     "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\","
		     "\"errnoRet\":1,\"args\":[{\"index\":0,\"value\":1,"
		     "\"op\":\"SCMP_CMP_EQ\"}]},"
		     "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\","
		     "\"errnoRet\":2,\"args\":[{\"index\":1,\"value\":2,"
		     "\"op\":\"SCMP_CMP_EQ\"}]},"
		     "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\","
		     "\"errnoRet\":3,\"args\":[{\"index\":0,\"value\":1,"
		     "\"op\":\"SCMP_CMP_GE\"}]}]}")) {
		unpin(&p);
		return;
	}
	d.args[0] = 1;
	d.args[1] = 2;
	CHECK_EQ(pinned_cf(&p, &d), CF_RET_ERRNO(1));
	CHECK_EQ(oracle_decide(&p.o, &d, &why), CF_RET_ERRNO(1));
	CHECK_EQ(pinned_lsc(&p, &d), CF_RET_ERRNO(2));
	CHECK(oracle_lsc_pick(&p.o, &d, &why, &pick));
	CHECK_EQ(pick, CF_RET_ERRNO(2));
	d.args[1] = 0; /* a0 == 1 and a0 >= 1: EQ first for both */
	CHECK_EQ(pinned_cf(&p, &d), CF_RET_ERRNO(1));
	CHECK_EQ(pinned_lsc(&p, &d), CF_RET_ERRNO(1));
	d.args[0] = 5;
	CHECK_EQ(pinned_cf(&p, &d), CF_RET_ERRNO(3));
	CHECK_EQ(pinned_lsc(&p, &d), CF_RET_ERRNO(3));
	unpin(&p);
}

/* nr -1 on x86_64 (what a tracer sets to skip a call; the filter runs
 * again since Linux 4.8): libseccomp hands it to x86_64's filter rather
 * than killing it as an x32 number, and callfence does the same (SPEC §2
 * reads as a kill; libseccomp's meaning is what profiles rely on). */
TEST(diff_pinned_nr_minus_one)
{
	struct pinned p;
	struct seccomp_data d = {.nr = -1, .arch = AUDIT_X86_64};

	if (!pin(&p,
		 "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		 "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}")) {
		unpin(&p);
		return;
	}
	CHECK_EQ(pinned_cf(&p, &d), CF_RET_ERRNO(EPERM));
	CHECK_EQ(oracle_decide(&p.o, &d, NULL), CF_RET_ERRNO(EPERM));
	CHECK_EQ(pinned_lsc(&p, &d), CF_RET_ERRNO(EPERM));
	unpin(&p);
}

/* runc keeps no ENOSYS threshold for an ABI whose largest named number is
 * 0 (findLastSyscalls starts from 0 and drops an ABI still at 0): with only
 * `read` on x86_64, `write` meets the default action, not ENOSYS, in the
 * program, the oracle and libseccomp behind the modelled stub alike. */
TEST(diff_pinned_enosys_zero_threshold)
{
	struct pinned p;
	struct seccomp_data d = {.nr = 1, .arch = AUDIT_X86_64};

	if (!pin(&p,
		 "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\","
		 "\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":["
		 "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}")) {
		unpin(&p);
		return;
	}
	CHECK(!p.o.abis[0].enosys);
	for (uint32_t nr = 1; nr < 1000; nr += 111) {
		d.nr = (int)nr;
		CHECK_EQ(pinned_cf(&p, &d), SECCOMP_RET_KILL_PROCESS);
		CHECK_EQ(oracle_decide(&p.o, &d, NULL),
			 SECCOMP_RET_KILL_PROCESS);
		CHECK_EQ(pinned_lsc(&p, &d), SECCOMP_RET_KILL_PROCESS);
	}
	d.nr = 0;
	CHECK_EQ(pinned_cf(&p, &d), SECCOMP_RET_ALLOW);
	CHECK_EQ(pinned_lsc(&p, &d), SECCOMP_RET_ALLOW);
	unpin(&p);
}
