/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_args.c - opt: a syscall's argument checks as a step function of
 * one argument (searched by words, lone values as JEQ runs through
 * gen_values.c), and chains of one action searched by their most tested
 * argument with the other conditions as residues.
 * The generator's files and passes in order: bpf_gen.c's first comment.
 */
#include "action.h"
#include "gen_internal.h"
#include "gen_values.h"
#include "gen_scratch.h"
#include "sort.h"

#include <stdlib.h>
#include <string.h>

/* ---- opt: one argument's step function ----------------------------- */

/* When every live chain of a syscall tests one argument only, with
 * interval operators (EQ NE LT LE GE GT; conditions that are constant on
 * the ABI aside), the decision is a step function of that argument: it
 * can change only where some condition's truth changes. It is computed
 * by evaluating the chains (cf_ir_cond_match, first match wins) at every
 * such point, and emitted as a search over the value's words: the high
 * word first on 64-bit ABIs, the low word under each high value that
 * needs it. */

struct step {
	uint64_t lo; /* the step runs from lo to the next step's lo - 1 */
	uint32_t action;
	int lab; /* >= 0: code at this label decides instead (residue) */
};

struct vtab {
	struct value_step *v;
	size_t n;
};

/* The argument all non-constant conditions test, -1 if there is none or
 * more than one, or a MASKED_EQ. */
int steps_arg(const struct cf_arch *ar, const struct cf_ir_sys *s, size_t n)
{
	int arg = -1;

	for (size_t i = 0; i < n; i++) {
		const struct cf_cond *c = s->chains[i].conds;
		const struct cf_cond *end = c + s->chains[i].nconds;

		for (; c < end; c++) {
			/* (EQ, the most, is never constant) */
			if (c->op != CF_OP_EQ && cond_const(ar, c) >= 0)
				continue;
			if (c->op == CF_OP_MASKED_EQ ||
			    (arg >= 0 && arg != c->arg))
				return -1;
			arg = c->arg;
		}
	}
	return arg;
}

int sys_steps_arg(struct gen *g, const struct cf_arch *ar,
		  const struct cf_ir_sys *s)
{
	struct sys_facts *f = sys_facts(g, s);
	int8_t *m = f ? &f->steps_arg[ar->cmp_bits == 64] : NULL;

	if (!m)
		return steps_arg(ar, s, live_chains(s));
	if (!*m)
		*m = (int8_t)(steps_arg(ar, s, live_chains(s)) + 3);
	return *m - 3;
}

int sys_low32_conds(struct gen *g, const struct cf_ir_sys *s)
{
	struct sys_facts *f = sys_facts(g, s);

	if (!f)
		return low32_conds(s, live_chains(s));
	if (!f->low32)
		f->low32 = (int8_t)(low32_conds(s, live_chains(s)) + 3);
	return f->low32 - 3;
}

/* The first of chains 0..n-1 each of one EQ: (value at the ABI's width,
 * chain) sorted, so that the points, sorted too, find theirs in one
 * sweep. NULL if another condition is there (eval_at then). Measured
 * (callgrind, cf_profile_parse + cf_compile of `cf-bench compile cf` on
 * build/bench/corpus-speed/valueset-2000.json of bench/corpus.py
 * --speed): 248.4 M -> 84.3 M instructions (valueset-1000: 44.6 M ->
 * 29.4 M); programs byte-identical on the corpus. */
struct eq_first {
	uint64_t v;
	size_t chain;
};

static bool eq_first_less(const struct eq_first *x, const struct eq_first *y)
{
	return x->v != y->v ? x->v < y->v : x->chain < y->chain;
}

CF_SORT_DEFINE(sort_eq_firsts, struct eq_first, eq_first_less)

static struct eq_first *eq_firsts(struct gen *g, const struct cf_arch *ar,
				  const struct cf_ir_sys *s, size_t n)
{
	uint64_t w = ar->cmp_bits == 64 ? UINT64_MAX : UINT32_MAX;
	struct eq_first *e;
	bool sorted = true;

	for (size_t i = 0; i < n; i++)
		if (s->chains[i].nconds != 1 ||
		    s->chains[i].conds[0].op != CF_OP_EQ)
			return NULL;
	e = cf_scratch_raw(g->tmp, n ? n : 1, sizeof(*e));
	for (size_t i = 0; e && i < n; i++) {
		e[i] = (struct eq_first){s->chains[i].conds[0].datum & w, i};
		sorted = sorted && (!i || e[i - 1].v <= e[i].v);
	}
	/* (rules are often written in order of value: valueset-1000) */
	if (e && !sorted)
		sort_eq_firsts(e, n);
	return e;
}

/* The points where a condition of chains 0..n-1 changes (0 first), in
 * pt, ascending with repeats: their number. */
static size_t cond_points(const struct cf_arch *ar, const struct cf_ir_sys *s,
			  size_t n, uint64_t w, uint64_t *pt)
{
	size_t np = 0;

	pt[np++] = 0;
	for (size_t i = 0; i < n; i++)
		for (unsigned j = 0; j < s->chains[i].nconds; j++) {
			const struct cf_cond *c = &s->chains[i].conds[j];
			uint64_t d = c->datum & w;

			if (cond_const(ar, c) >= 0)
				continue;
			switch ((enum cf_op)c->op) {
			case CF_OP_EQ:
			case CF_OP_NE:
				pt[np++] = d;
				if (d < w)
					pt[np++] = d + 1;
				break;
			case CF_OP_LT:
			case CF_OP_GE:
				pt[np++] = d;
				break;
			default: /* LE, GT */
				if (d < w)
					pt[np++] = d + 1;
				break;
			}
		}
	cf_sort_u64(pt, np);
	return np;
}

/* A step from lo with action act, after the ns of st (none if the last
 * has act already). */
static inline size_t push_step(struct step *st, size_t ns, uint64_t lo,
			       uint32_t act)
{
	if (ns && st[ns - 1].action == act)
		return ns;
	st[ns] = (struct step){lo, act, -1};
	return ns + 1;
}

/* The steps of chains of one EQ each, from eq (eq_firsts, sorted by
 * value, then chain) into st: at each distinct value the first chain's
 * action, from the one after it the fallback (unless the next value is
 * that one). What the points' sweep finds, without the points (0, each
 * value and the one after it) or a search for each: share3-1000's
 * make_steps 60 k instructions instead of 95 k (callgrind). */
static size_t eq_steps(const struct cf_ir_sys *s, const struct eq_first *eq,
		       size_t n, uint64_t w, struct step *st)
{
	size_t ns = push_step(st, 0, 0,
			      n && !eq[0].v ? s->chains[eq[0].chain].action
					    : s->fallback);

	for (size_t i = 0, j; i < n; i = j) {
		uint64_t v = eq[i].v;

		for (j = i + 1; j < n && eq[j].v == v; j++)
			;
		if (v) /* (0 is the first step's) */
			ns =
			    push_step(st, ns, v, s->chains[eq[i].chain].action);
		/* the value after v, unless it is the next one's */
		if (v < w && !(j < n && eq[j].v == v + 1))
			ns = push_step(st, ns, v + 1, s->fallback);
	}
	return ns;
}

/* The step function of s's n live chains on ar's width (build_steps:
 * once per compile). */
static size_t make_steps(struct gen *g, const struct cf_arch *ar,
			 const struct cf_ir_sys *s, size_t n, struct step **out)
{
	struct eq_first *eq = eq_firsts(g, ar, s, n);
	uint64_t w = ar->cmp_bits == 64 ? UINT64_MAX : UINT32_MAX;
	size_t np = 1, ns = 0;
	uint64_t *pt;
	struct step *st;

	for (size_t i = 0; i < n; i++)
		np += 2 * s->chains[i].nconds;
	st = cf_scratch_raw(g->tmp, np, sizeof(*st));
	pt = eq ? NULL : cf_scratch_raw(g->tmp, np, sizeof(*pt));
	if (!st || (!eq && !pt)) {
		g->oom = true;
		return 0;
	}
	*out = st;
	if (eq)
		return eq_steps(s, eq, n, w, st);
	np = cond_points(ar, s, n, w, pt);
	for (size_t i = 0; i < np; i++)
		if (!i || pt[i] != pt[i - 1])
			ns = push_step(st, ns, pt[i], eval_at(ar, s, n, pt[i]));
	return ns;
}

static size_t build_steps(struct gen *g, const struct cf_arch *ar,
			  const struct cf_ir_sys *s, size_t n,
			  struct step **out)
{
	struct sys_facts *f = sys_facts(g, s);
	uint8_t wide = ar->cmp_bits == 64;
	size_t ns;

	if (f && f->steps && f->steps_wide == wide) {
		*out = f->steps;
		return f->nsteps;
	}
	ns = make_steps(g, ar, s, n, out);
	/* kept for the compile (the next pass), when there is memory and
	 * none is kept (one width: no pass builds an IR syscall's steps
	 * at two widths today -- x86_64's narrow code is x86's or x32's
	 * syscall -- checked on the corpus and fixtures) */
	if (f && !f->steps && !g->oom && ns <= UINT32_MAX &&
	    (f->steps = malloc(ns * sizeof(**out)))) {
		memcpy(f->steps, *out, ns * sizeof(**out));
		f->nsteps = (uint32_t)ns;
		f->steps_wide = wide;
	}
	return ns;
}

/* The 64-bit step function as a high-word table whose split entries name
 * low-word tables. */
static size_t split_hi(struct gen *g, const struct step *st, size_t ns,
		       struct value_step *hv, struct vtab *tabs)
{
	const uint64_t W = UINT32_MAX;
	size_t nh = 0, nt = 0, k = 0;
	uint64_t h = 0;

	while (h <= W && !g->oom) {
		uint64_t base = h << 32;
		uint64_t end = k + 1 < ns ? st[k + 1].lo - 1 : UINT64_MAX;

		if (end >= (base | W)) {
			uint64_t H =
			    (end & W) == W ? end >> 32 : (end >> 32) - 1;

			hv[nh++] = (struct value_step){
			    (uint32_t)h, st[k].action, -1, st[k].lab};
			h = H + 1;
		} else {
			size_t t = k, m = 0;
			struct value_step *v;

			while (t < ns && st[t].lo <= (base | W))
				t++;
			v = cf_scratch_raw(g->tmp, t - k, sizeof(*v));
			if (!v) {
				g->oom = true;
				return 0;
			}
			for (size_t q = k; q < t; q++)
				v[m++] = (struct value_step){
				    q == k ? 0 : (uint32_t)st[q].lo,
				    st[q].action, -1, st[q].lab};
			tabs[nt] = (struct vtab){v, m};
			hv[nh++] =
			    (struct value_step){(uint32_t)h, 0, (int)nt++, -1};
			h++;
		}
		while (h <= W && k + 1 < ns && st[k + 1].lo <= h << 32)
			k++;
	}
	return nh;
}

/* The lone values of a range of a value search (gen_values.c), as
 * indices in its steps, when its parent's gave them (known), else found
 * when asked. */
struct lone_set {
	const size_t *at;
	size_t n;
	bool known;
};

static void emit_vtree(struct gen *g, const struct vtab *tabs,
		       const struct value_step *v, size_t i, size_t j,
		       uint32_t lo_off, struct lone_set ls);

/* A search of its own over v[0..n-1] (its value runs sized by its lone
 * values, g->value_run_max): the one it is part of goes on after it. */
static void emit_vsearch(struct gen *g, const struct vtab *tabs,
			 const struct value_step *v, size_t n, uint32_t lo_off)
{
	size_t outer = g->value_run_max;

	g->value_run_max = 0;
	emit_vtree(g, tabs, v, 0, n - 1, lo_off, (struct lone_set){0});
	g->value_run_max = outer;
}

/* The search over the 32-bit word in A of the steps v[0..n) (v[0].lo
 * 0, ascending, neighbours of different actions, each a return), as a
 * step function over a 32-bit argument is searched: gen_graph.c's nodes
 * whose every branch returns, so that a socketcall or ipc call's code
 * after its call number is the code of the syscall it multiplexes
 * (one copy, gen_tails.c). */
void gen_value_steps(struct gen *g, const struct value_step *v, size_t n)
{
	emit_vsearch(g, NULL, v, n, 0);
}

static void emit_vleaf(struct gen *g, const struct vtab *tabs,
		       const struct value_step *v, uint32_t lo_off)
{
	if (v->lab >= 0) {
		emit_ja(g, v->lab);
		return;
	}
	if (v->sub < 0) {
		emit_ret(g, v->action);
		return;
	}
	load(g, lo_off);
	emit_vsearch(g, tabs, tabs[v->sub].v, tabs[v->sub].n, lo_off);
}

static int vleaf_label(struct gen *g, const struct value_step *v)
{
	if (v->lab >= 0)
		return v->lab;
	return v->sub < 0 ? ret_label(g, v->action) : NEXT;
}

/* The lone values at[0..nlone-1] of v[i..j] as JEQs, then the search
 * over the rest. */
static void emit_lone_run(struct gen *g, const struct vtab *tabs,
			  const struct value_step *v, size_t i, size_t j,
			  uint32_t lo_off, struct lone_set ls)
{
	size_t mark = cf_scratch_mark(g->tmp), nrest;
	struct value_step *rest =
	    cf_scratch_raw(g->tmp, j - i + 1, sizeof(*rest));

	if (!rest) {
		g->oom = true;
		return;
	}
	nrest = cf_value_rest(v, i, j, ls.at, ls.n, rest);
	for (size_t k = 0; k < ls.n; k++)
		emit_jmp(g, BPF_JEQ, v[ls.at[k]].lo,
			 vleaf_label(g, &v[ls.at[k]]), NEXT);
	emit_vtree(g, tabs, rest, 0, nrest - 1, lo_off, (struct lone_set){0});
	cf_scratch_rewind(g->tmp, mark); /* rest */
}

/* The lone values of v[i..j] a split of it at mid leaves each half
 * (ls: all of them): at a lone value, the halves' shares; else the
 * left's share, and the right's when it has none but maybe its first. */
static void split_lone(const struct value_step *v, struct lone_set ls,
		       size_t mid, size_t j, struct lone_set half[2])
{
	size_t left = 0, hi = ls.n;

	while (left < hi) { /* the first at or past mid - 1 */
		size_t m = left + (hi - left) / 2;

		if (ls.at[m] + 1 < mid)
			left = m + 1;
		else
			hi = m;
	}
	half[0] = (struct lone_set){ls.at, left, true};
	half[1] = (struct lone_set){0};
	if (left < ls.n && ls.at[left] == mid)
		half[1] = (struct lone_set){ls.at + left, ls.n - left, true};
	else if (left == ls.n && (mid == j || !cf_value_lone_first(v, mid)))
		half[1] = (struct lone_set){NULL, 0, true};
}

/* The value-runs pass (gen_values.c) on v[i..j] (*ls its lone values,
 * found here if not known): its lone values as JEQs, then the search
 * over the rest (true), when that is no deeper than a balanced search of
 * v[i..j] (speed first), or when there are at most CF_VALUE_RUN_MAX of
 * them (size first). Else false, nothing emitted, and *split is where a
 * JGE divides them in halves. */
static bool emit_value_run(struct gen *g, const struct vtab *tabs,
			   const struct value_step *v, size_t i, size_t j,
			   uint32_t lo_off, struct lone_set *ls, size_t *split)
{
	size_t n = j - i + 1, nrest;

	if (!ls->known) {
		size_t *at = cf_scratch_raw(g->tmp, n, sizeof(*at));

		if (!at) {
			g->oom = true;
			return true;
		}
		*ls = (struct lone_set){at, cf_value_lone(v, i, j, at), true};
	}
	nrest = n - 2 * ls->n + cf_value_lone_first(v, i);
	if (ls->n && g->size_first && !g->value_run_max)
		g->value_run_max = cf_value_run_max_sized(ls->n);
	if (!ls->n)
		return false;
	if (g->size_first ? ls->n > g->value_run_max
			  : ls->n + ceil_log2(nrest) > ceil_log2(n)) {
		/* at the middle lone value: it starts the right half, and
		 * both halves keep theirs */
		if (ls->n > 1)
			*split = ls->at[ls->n / 2];
		return false;
	}
	emit_lone_run(g, tabs, v, i, j, lo_off, *ls);
	return true;
}

/* One split of a value search: v[i..mid-1] left, v[mid..j] right. */
struct vtree_split {
	const struct vtab *tabs;
	const struct value_step *v;
	size_t i, mid, j;
	uint32_t lo_off;
	struct lone_set half[2];
};

static void vtree_side(struct gen *g, const void *ctx, bool right)
{
	const struct vtree_split *s = ctx;

	if (right)
		emit_vtree(g, s->tabs, s->v, s->mid, s->j, s->lo_off,
			   s->half[1]);
	else
		emit_vtree(g, s->tabs, s->v, s->i, s->mid - 1, s->lo_off,
			   s->half[0]);
}

/* Search over v[i..j] with the value in A: lone values as JEQ runs
 * (g->value_runs; ls: those known), else balanced by count. [X][v][X]
 * with a single value v in the middle is one JEQ. */
static void emit_vnode(struct gen *g, const struct vtab *tabs,
		       const struct value_step *v, size_t i, size_t j,
		       uint32_t lo_off, struct lone_set ls)
{
	size_t mid = i + (j - i + 1) / 2;
	struct vtree_split s = {tabs, v, i, 0, j, lo_off, {{0}, {0}}};
	int lt, rt;

	if (i == j) {
		emit_vleaf(g, tabs, &v[i], lo_off);
		return;
	}
	if (g->value_runs &&
	    emit_value_run(g, tabs, v, i, j, lo_off, &ls, &mid))
		return;
	if (j == i + 2 && v[i].sub < 0 && v[j].sub < 0 &&
	    v[i].action == v[j].action && v[i].lab == v[j].lab &&
	    v[i + 1].lo + 1 == v[j].lo) {
		lt = vleaf_label(g, &v[i]);
		rt = vleaf_label(g, &v[i + 1]);
		emit_jmp(g, BPF_JEQ, v[i + 1].lo, rt, lt);
		if (rt == NEXT)
			emit_vleaf(g, tabs, &v[i + 1], lo_off);
		return;
	}
	lt = mid - 1 == i ? vleaf_label(g, &v[i]) : NEXT;
	rt = mid == j ? vleaf_label(g, &v[j]) : NEXT;
	s.mid = mid;
	if (ls.known)
		split_lone(v, ls, mid, j, s.half);
	emit_split(g, v[mid].lo, lt, rt, vtree_side, &s);
}

static void emit_vtree(struct gen *g, const struct vtab *tabs,
		       const struct value_step *v, size_t i, size_t j,
		       uint32_t lo_off, struct lone_set ls)
{
	size_t mark = cf_scratch_mark(g->tmp);

	emit_vnode(g, tabs, v, i, j, lo_off, ls);
	cf_scratch_rewind(g->tmp, mark); /* the lone values found */
}

static void emit_steps(struct gen *g, const struct cf_arch *ar, unsigned arg,
		       const struct step *st, size_t ns);

/* Emits r's syscall as a step function; false (nothing emitted) when its
 * chains are not of that shape. */
bool gen_sys_steps(struct gen *g, const struct grange *r)
{
	const struct cf_arch *ar = r->arch;
	const struct cf_ir_sys *s = r->sys;
	size_t n = live_chains(s), ns;
	int arg = sys_steps_arg(g, ar, s);
	struct step *st;

	if (arg < 0)
		return false;
	ns = build_steps(g, ar, s, n, &st);
	if (g->oom)
		return true;
	emit_steps(g, ar, (unsigned)arg, st, ns);
	return true;
}

/* The search over a step function of args[arg]. */
static void emit_steps(struct gen *g, const struct cf_arch *ar, unsigned arg,
		       const struct step *st, size_t ns)
{
	size_t nh;
	struct value_step *hv;
	struct vtab *tabs;

	/* a step can give a constant high-word run and a split one */
	hv = cf_scratch_raw(g->tmp, 2 * ns, sizeof(*hv));
	tabs = cf_scratch_raw(g->tmp, ns, sizeof(*tabs));
	if (!hv || !tabs) {
		g->oom = true;
		return;
	}
	if (ar->cmp_bits != 64) {
		for (size_t i = 0; i < ns; i++)
			hv[i] = (struct value_step){
			    (uint32_t)st[i].lo, st[i].action, -1, st[i].lab};
		load(g, arg_off(ar, arg, false));
		emit_vsearch(g, tabs, hv, ns, 0);
		return;
	}
	nh = split_hi(g, st, ns, hv, tabs);
	if (g->oom)
		return;
	load(g, arg_off(ar, arg, true));
	emit_vsearch(g, tabs, hv, nh, arg_off(ar, arg, false));
}

/* ---- opt: a step function with residues ---------------------------- */

/* When every live chain of a syscall has the same action X, the chains
 * are an OR: their order and the order of their conditions do not
 * matter. Chains without an interval condition on the argument tested
 * most (k) run first, as written; the others are decided by a search
 * over args[k] whose leaves are X, the fallback, or the residue: the
 * chains whose conditions on k hold there, with their other conditions
 * (code shared by every leaf with the same residue, behind the search). */

static bool interval_on(const struct cf_arch *ar, const struct cf_cond *c,
			unsigned k)
{
	return c->arg == k && c->op != CF_OP_MASKED_EQ && cond_const(ar, c) < 0;
}

/* Does chain c hold for args[k] = v as far as its interval conditions on
 * k go? */
static bool holds_on_k(const struct cf_arch *ar, const struct cf_ir_chain *c,
		       unsigned k, uint64_t v)
{
	for (unsigned j = 0; j < c->nconds; j++)
		if (interval_on(ar, &c->conds[j], k) &&
		    !cf_ir_cond_match(ar, &c->conds[j], v))
			return false;
	return true;
}

/* Has chain c a condition that is neither constant-true nor an interval
 * condition on k? */
static bool has_rest(const struct cf_arch *ar, const struct cf_ir_chain *c,
		     unsigned k)
{
	for (unsigned j = 0; j < c->nconds; j++)
		if (!interval_on(ar, &c->conds[j], k) &&
		    cond_const(ar, &c->conds[j]) <= 0)
			return true;
	return false;
}

static bool never(const struct cf_arch *ar, const struct cf_ir_chain *c)
{
	for (unsigned j = 0; j < c->nconds; j++)
		if (cond_const(ar, &c->conds[j]) == 0)
			return true;
	return false;
}

/* Chain c without its interval conditions on k (k > 5: all kept), its
 * conditions in buf (room for c's). */
static struct cf_ir_chain rest_of(const struct cf_arch *ar,
				  const struct cf_ir_chain *c, unsigned k,
				  struct cf_cond *buf)
{
	struct cf_ir_chain t = *c;

	t.nconds = 0;
	for (unsigned j = 0; j < c->nconds; j++)
		if (!interval_on(ar, &c->conds[j], k))
			buf[t.nconds++] = c->conds[j];
	t.conds = buf;
	return t;
}

/* Emits chains cs[0..n) (conditions on k dropped when drop): a match
 * jumps to X's return. Returns false when one always matches. */
static bool emit_or(struct gen *g, const struct cf_arch *ar,
		    const struct cf_ir_chain *const *cs, size_t n, unsigned k,
		    uint32_t x)
{
	for (size_t i = 0; i < n; i++) {
		struct cf_cond buf[CF_CHAIN_CONDS];
		struct cf_ir_chain t = rest_of(ar, cs[i], k, buf);
		int fail = new_label(g);

		if (!gen_chain(g, ar, &t, ret_label(g, x), fail))
			return false;
		place(g, fail);
	}
	return true;
}

/* Where chain c's interval conditions on k hold, as resid_step asks it
 * at every step point v (v <= the ABI's word, every condition read at
 * that width): lo <= v <= hi and v is none of ne[]; rest: c has other
 * conditions that can fail (has_rest). A chain whose conditions do not
 * fit that (a third NE, a word narrower than the points') is asked
 * holds_on_k itself (slow). Measured: gen-1000's compile spent a third
 * of its instructions in resid_step's holds_on_k and has_rest. */
struct kspan {
	uint64_t lo, hi, ne[2];
	uint8_t nne;
	bool empty, slow, rest;
};

static void kspan_add(struct kspan *sp, const struct cf_cond *c, uint64_t d,
		      uint64_t w)
{
	switch ((enum cf_op)c->op) {
	case CF_OP_EQ:
		sp->lo = sp->lo > d ? sp->lo : d;
		sp->hi = sp->hi < d ? sp->hi : d;
		break;
	case CF_OP_NE:
		if (sp->nne == CF_ARRAY_SIZE(sp->ne))
			sp->slow = true;
		else
			sp->ne[sp->nne++] = d;
		break;
	case CF_OP_LT:
		sp->empty |= d == 0;
		if (d && sp->hi > d - 1)
			sp->hi = d - 1;
		break;
	case CF_OP_LE:
		sp->hi = sp->hi < d ? sp->hi : d;
		break;
	case CF_OP_GE:
		sp->lo = sp->lo > d ? sp->lo : d;
		break;
	case CF_OP_GT:
		sp->empty |= d == w;
		if (d < w && sp->lo < d + 1)
			sp->lo = d + 1;
		break;
	default:
		sp->slow = true;
	}
}

static struct kspan kspan_of(const struct cf_arch *ar,
			     const struct cf_ir_chain *c, unsigned k)
{
	uint64_t w = ar->cmp_bits == 64 ? UINT64_MAX : UINT32_MAX;
	struct kspan sp = {.lo = 0, .hi = w, .rest = has_rest(ar, c, k)};

	for (unsigned j = 0; j < c->nconds; j++) {
		const struct cf_cond *cd = &c->conds[j];
		uint64_t cw = cf_cond_wide(ar, cd) ? UINT64_MAX : UINT32_MAX;

		if (!interval_on(ar, cd, k))
			continue;
		if (cw != w)
			sp.slow = true;
		kspan_add(&sp, cd, cd->datum & w, w);
	}
	return sp;
}

static bool kspan_holds(const struct cf_arch *ar, const struct kspan *sp,
			const struct cf_ir_chain *c, unsigned k, uint64_t v)
{
	if (sp->slow)
		return holds_on_k(ar, c, k, v);
	if (sp->empty || v < sp->lo || v > sp->hi)
		return false;
	for (unsigned i = 0; i < sp->nne; i++)
		if (v == sp->ne[i])
			return false;
	return true;
}

/* A residue search (gen_sys_resid): the chains of one action X with an
 * interval on argument k, and the distinct sets of them whose rest can
 * still match at a step (their bits, words a set), each with its label. */
struct resid {
	const struct cf_arch *ar;
	const struct cf_ir_sys *s;
	uint32_t x;
	unsigned k;
	const struct cf_ir_chain **ck;
	struct kspan *spans; /* by chain of ck */
	size_t nk, words, nres;
	uint64_t *bits;
	int *labs;
};

/* The argument most of the n chains of s have intervals on (two at
 * least), when the chains all have one action: true, with both. */
static bool resid_arg(const struct cf_arch *ar, const struct cf_ir_sys *s,
		      size_t n, uint32_t *x, unsigned *k)
{
	size_t cnt[6] = {0};

	*x = n ? s->chains[0].action : 0;
	*k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cf_ir_chain *c = &s->chains[i];

		if (c->action != *x)
			return false;
		/* (interval_on(ar, cd, a) holds for a == cd->arg only) */
		for (unsigned j = 0; j < c->nconds; j++)
			cnt[c->conds[j].arg % 6] +=
			    interval_on(ar, &c->conds[j], c->conds[j].arg);
	}
	for (unsigned a = 1; a < 6; a++)
		if (cnt[a] > cnt[*k])
			*k = a;
	return n >= 2 && cnt[*k] >= 2;
}

/* Sorts the n chains that can match into those with a say on k (rs->ck)
 * and the others (cr); the number of step points the first may need. */
static size_t split_on_k(struct resid *rs, size_t n,
			 const struct cf_ir_chain **cr, size_t *nrest)
{
	size_t np = 1;

	for (size_t i = 0; i < n; i++) {
		const struct cf_ir_chain *c = &rs->s->chains[i];
		bool on_k = false;

		if (never(rs->ar, c))
			continue;
		for (unsigned j = 0; j < c->nconds; j++)
			on_k |= interval_on(rs->ar, &c->conds[j], rs->k);
		if (on_k) {
			rs->ck[rs->nk++] = c;
			np += 2 * c->nconds;
		} else {
			cr[(*nrest)++] = c;
		}
	}
	return np;
}

/* The points where a condition on k changes (0 first), ascending, with
 * repeats: their number. */
static size_t step_points(const struct resid *rs, uint64_t *pt)
{
	uint64_t w = rs->ar->cmp_bits == 64 ? UINT64_MAX : UINT32_MAX;
	size_t np = 0;

	pt[np++] = 0;
	for (size_t i = 0; i < rs->nk; i++)
		for (unsigned j = 0; j < rs->ck[i]->nconds; j++) {
			const struct cf_cond *c = &rs->ck[i]->conds[j];
			uint64_t d = c->datum & w;

			if (!interval_on(rs->ar, c, rs->k))
				continue;
			if (c->op == CF_OP_EQ || c->op == CF_OP_NE ||
			    c->op == CF_OP_LT || c->op == CF_OP_GE)
				pt[np++] = d;
			if ((c->op == CF_OP_EQ || c->op == CF_OP_NE ||
			     c->op == CF_OP_LE || c->op == CF_OP_GT) &&
			    d < w)
				pt[np++] = d + 1;
		}
	cf_sort_u64(pt, np);
	return np;
}

/* The label of the residue set cur (a new one when it is new). */
static int residue_label(struct gen *g, struct resid *rs, const uint64_t *cur)
{
	size_t q, bytes = rs->words * sizeof(*cur);

	for (q = 0; q < rs->nres; q++)
		if (!memcmp(rs->bits + q * rs->words, cur, bytes))
			return rs->labs[q];
	memcpy(rs->bits + q * rs->words, cur, bytes);
	rs->labs[rs->nres++] = new_label(g);
	return rs->labs[q];
}

/* The step at point v: X when a chain matches whole there, a residue's
 * label when some can still match, else the fallback. cur: scratch. */
static struct step resid_step(struct gen *g, struct resid *rs, uint64_t v,
			      uint64_t *cur)
{
	struct step e = {v, rs->s->fallback, -1};
	bool any = false;

	memset(cur, 0, rs->words * sizeof(*cur));
	for (size_t c = 0; c < rs->nk; c++) {
		if (!kspan_holds(rs->ar, &rs->spans[c], rs->ck[c], rs->k, v))
			continue;
		if (!rs->spans[c].rest) {
			e.action = rs->x;
			return e;
		}
		cur[c / 64] |= 1ULL << (c % 64);
		any = true;
	}
	if (any) {
		e.lab = residue_label(g, rs, cur);
		e.action = 0;
	}
	return e;
}

/* Each residue at its label: its chains' rest, else the fallback. */
static void emit_residues(struct gen *g, const struct resid *rs)
{
	for (size_t q = 0; q < rs->nres && !g->oom; q++) {
		place(g, rs->labs[q]);
		for (size_t c = 0; c < rs->nk; c++) {
			struct cf_cond buf[CF_CHAIN_CONDS];
			struct cf_ir_chain t;
			int fail;

			if (!(rs->bits[q * rs->words + c / 64] &
			      (1ULL << (c % 64))))
				continue;
			t = rest_of(rs->ar, rs->ck[c], rs->k, buf);
			fail = new_label(g);
			if (!gen_chain(g, rs->ar, &t, ret_label(g, rs->x),
				       fail))
				break;
			place(g, fail);
		}
		if (g->cur != ST_TOP)
			emit_ja(g, ret_label(g, rs->s->fallback));
	}
}

bool gen_sys_resid(struct gen *g, const struct grange *r)
{
	struct resid rs = {.ar = r->arch, .s = r->sys};
	size_t n = live_chains(r->sys), nrest = 0, np, ns = 0;
	const struct cf_ir_chain **cr;
	uint64_t *pt, *cur;
	struct step *st;

	if (!resid_arg(rs.ar, rs.s, n, &rs.x, &rs.k))
		return false;
	rs.ck = cf_scratch_raw(g->tmp, n, sizeof(*rs.ck));
	cr = cf_scratch_raw(g->tmp, n, sizeof(*cr));
	if (!rs.ck || !cr)
		goto oom;
	np = split_on_k(&rs, n, cr, &nrest);
	/* the chains without a say on k, as they are */
	if (!emit_or(g, rs.ar, cr, nrest, 6, rs.x))
		return true;
	rs.words = (rs.nk + 63) / 64;
	pt = cf_scratch_raw(g->tmp, np, sizeof(*pt));
	st = cf_scratch_raw(g->tmp, np, sizeof(*st));
	rs.bits = cf_scratch_raw(g->tmp, np * rs.words, sizeof(*rs.bits));
	rs.labs = cf_scratch_raw(g->tmp, np, sizeof(*rs.labs));
	cur = cf_scratch_raw(g->tmp, rs.words, sizeof(*cur));
	rs.spans = cf_scratch_raw(g->tmp, rs.nk, sizeof(*rs.spans));
	if (!pt || !st || !rs.bits || !rs.labs || !cur || !rs.spans)
		goto oom;
	for (size_t c = 0; c < rs.nk; c++)
		rs.spans[c] = kspan_of(rs.ar, rs.ck[c], rs.k);
	np = step_points(&rs, pt);
	for (size_t i = 0; i < np; i++) {
		struct step e;

		if (i && pt[i] == pt[i - 1])
			continue;
		e = resid_step(g, &rs, pt[i], cur);
		if (ns && st[ns - 1].action == e.action &&
		    st[ns - 1].lab == e.lab)
			continue;
		st[ns++] = e;
	}
	emit_steps(g, rs.ar, rs.k, st, ns);
	emit_residues(g, &rs);
	return true;
oom:
	g->oom = true;
	return true;
}
