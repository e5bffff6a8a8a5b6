/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_emit.c - the generator's emission: labels, the return pool and
 * scopes, argument comparisons, a syscall's checks as written (the plain
 * form and what the optimized passes fall back to).
 * The generator's files and passes in order: bpf_gen.c's first comment.
 */
#include "action.h"
#include "gen_internal.h"
#include "gen_scratch.h"

#include <stdlib.h>
#include <string.h>

/* ---- labels and emission ------------------------------------------- */

/* The return pool's index (g->rets): return labels by action. */
static uint64_t ret_hash(const void *ctx, int l)
{
	const struct gen *g = ctx;

	return hash32(g->lb[l].action);
}

static bool ret_same(const void *ctx, int l, const void *action)
{
	const struct gen *g = ctx;

	return g->lb[l].action == *(const uint32_t *)action;
}

/* A return label of the open scope: placed right behind the syscall's
 * code, so that its jumps reach it without trampolines. */
static int scope_label(struct gen *g, uint32_t action)
{
	int l;

	for (size_t i = 0; i < g->nscope; i++)
		if (g->lb[g->scope[i]].action == action)
			return g->scope[i];
	if (g->nscope == CF_ARRAY_SIZE(g->scope))
		return -1;
	l = new_label(g);
	if (!l)
		return 0;
	g->lb[l].is_ret = true;
	g->lb[l].local = true;
	g->lb[l].action = action;
	g->scope[g->nscope++] = l;
	return l;
}

static void scope_open(struct gen *g)
{
	g->in_scope =
	    g->opt && (g->scope_all || (g->scoped && g->scoped[g->nbody]));
	g->body = (int)g->nbody++;
	g->nscope = 0;
}

/* Ends a syscall's code: its fallback return (a scope label's, when it
 * has one), then the scope's other returns that are used. */
static void scope_close(struct gen *g, uint32_t fallback)
{
	bool done = false;

	g->in_scope = false;
	for (size_t i = 0; i < g->nscope; i++) {
		int l = g->scope[i];

		if (g->lb[l].action != fallback ||
		    (!g->lb[l].refs && g->cur == ST_TOP))
			continue;
		place(g, l);
		emit_ret(g, fallback);
		done = true;
	}
	if (!done && g->cur != ST_TOP)
		emit_ret(g, fallback);
	for (size_t i = 0; i < g->nscope; i++) {
		int l = g->scope[i];

		if (g->lb[l].action == fallback || !g->lb[l].refs)
			continue;
		place(g, l);
		emit_ret(g, g->lb[l].action);
	}
	g->nscope = 0;
}

/* The pool's return label for action (or the open scope's). */
int ret_label(struct gen *g, uint32_t action)
{
	size_t h;
	int l;

	if (action == CF_GEN_FOLD && g->fold_label)
		return g->fold_label;
	if (g->in_scope && (l = scope_label(g, action)) >= 0)
		return l;

	/* (the index has room for one more when it is at most half full:
	 * no call then) */
	if (g->nrets + 1 > g->caprets / 2 &&
	    cf_index_reserve(&g->rets, &g->caprets, g->nrets + 1, 16, ret_hash,
			     g)) {
		g->oom = true;
		return 0;
	}
	h = cf_index_find(g->rets, g->caprets, hash32(action), ret_same, g,
			  &action);
	if (g->rets[h])
		return g->rets[h];
	l = new_label(g);
	if (!l)
		return 0;
	g->lb[l].is_ret = true;
	g->lb[l].action = action;
	g->rets[h] = l;
	g->nrets++;
	return l;
}

static void emit_and(struct gen *g, uint32_t mask)
{
	emit(g, BPF_ALU | BPF_AND | BPF_K, mask, NEXT, NEXT);
	g->cur = ST_UNK;
}

/* ---- argument comparisons ------------------------------------------ */

/* (A & mask) == val for one word, mask != 0, val within mask. */
static void cmp_masked(struct gen *g, uint32_t off, uint32_t mask, uint32_t val,
		       int pass, int fail)
{
	load(g, off);
	if (val == 0)
		emit_jmp(g, BPF_JSET, mask, fail, pass);
	else if (val == mask && !(mask & (mask - 1)))
		emit_jmp(g, BPF_JSET, mask, pass, fail);
	else {
		if (mask != UINT32_MAX)
			emit_and(g, mask);
		emit_jmp(g, BPF_JEQ, val, pass, fail);
	}
}

/* One word compare: A op k, as one jump (JEQ, JGT or JGE) whose
 * branches swap for a negation (NE = !EQ, LT = !GE, LE = !GT). */
static void cmp_word(struct gen *g, enum cf_op op, uint32_t k, int pass,
		     int fail)
{
	static const struct {
		uint16_t jmp; /* 0: no word compare (MASKED_EQ) */
		bool negated;
	} by_op[] = {
	    [CF_OP_EQ] = {BPF_JEQ, false}, [CF_OP_NE] = {BPF_JEQ, true},
	    [CF_OP_GT] = {BPF_JGT, false}, [CF_OP_GE] = {BPF_JGE, false},
	    [CF_OP_LT] = {BPF_JGE, true},  [CF_OP_LE] = {BPF_JGT, true},
	};

	if ((size_t)op >= CF_ARRAY_SIZE(by_op) || !by_op[op].jmp)
		return;
	if (by_op[op].negated)
		emit_jmp(g, by_op[op].jmp, k, fail, pass);
	else
		emit_jmp(g, by_op[op].jmp, k, pass, fail);
}

void emit_split(struct gen *g, uint32_t k, int lt, int rt, split_side_fn *side,
		const void *ctx)
{
	int right = rt;

	if (lt != NEXT && rt != NEXT) {
		emit_jmp(g, BPF_JGE, k, rt, lt);
		return;
	}
	if (lt != NEXT) {
		emit_jmp(g, BPF_JGE, k, NEXT, lt);
		side(g, ctx, true);
		return;
	}
	if (rt == NEXT)
		right = new_label(g);
	emit_jmp(g, BPF_JGE, k, right, NEXT);
	side(g, ctx, false);
	if (rt == NEXT) {
		place(g, right);
		side(g, ctx, true);
	}
}

/* High words: A > dh -> above, A < dh -> below, equal -> next insn. */
static void hi_split(struct gen *g, uint32_t dh, int above, int below)
{
	if (dh == UINT32_MAX) {
		emit_jmp(g, BPF_JEQ, dh, NEXT, below);
	} else if (dh == 0) {
		emit_jmp(g, BPF_JGT, 0, above, NEXT);
	} else {
		emit_jmp(g, BPF_JGT, dh, above, NEXT);
		emit_jmp(g, BPF_JEQ, dh, NEXT, below);
	}
}

/* The high word of an ordered 64-bit compare (A holds it): decides when
 * it differs from dh (above passes GT/GE, below passes LT/LE), and
 * decides alone (true) when the low word cannot matter: a >= (dh:0),
 * a > (dh:~0), a < (dh:0), a <= (dh:~0). */
static bool ordered_hi(struct gen *g, enum cf_op op, uint32_t dh, uint32_t dl,
		       int pass, int fail)
{
	bool upward = op == CF_OP_GT || op == CF_OP_GE;
	bool inclusive_lo = op == CF_OP_GE || op == CF_OP_LT;

	if (dl == (inclusive_lo ? 0 : UINT32_MAX)) {
		cmp_word(g, op, dh, pass, fail);
		return true;
	}
	if (upward)
		hi_split(g, dh, pass, fail);
	else
		hi_split(g, dh, fail, pass);
	return false;
}

static void cond64(struct gen *g, const struct cf_arch *ar,
		   const struct cf_cond *c, int pass, int fail)
{
	uint32_t hi = arg_off(ar, c->arg, true),
		 lo = arg_off(ar, c->arg, false);
	uint32_t dh = (uint32_t)(c->datum >> 32), dl = (uint32_t)c->datum;
	enum cf_op op = (enum cf_op)c->op;

	switch (op) {
	case CF_OP_EQ:
		load(g, hi);
		emit_jmp(g, BPF_JEQ, dh, NEXT, fail);
		break;
	case CF_OP_NE:
		load(g, hi);
		emit_jmp(g, BPF_JEQ, dh, NEXT, pass);
		break;
	case CF_OP_GT:
	case CF_OP_GE:
	case CF_OP_LT:
	case CF_OP_LE:
		load(g, hi);
		if (ordered_hi(g, op, dh, dl, pass, fail))
			return;
		break;
	case CF_OP_MASKED_EQ: {
		uint64_t m = c->datum, v = c->datum2 & m;
		uint32_t mh = (uint32_t)(m >> 32), ml = (uint32_t)m;

		if (mh)
			cmp_masked(g, hi, mh, (uint32_t)(v >> 32),
				   ml ? NEXT : pass, fail);
		if (ml)
			cmp_masked(g, lo, ml, (uint32_t)v, pass, fail);
		return;
	}
	default:
		return;
	}
	load(g, lo);
	cmp_word(g, op, dl, pass, fail);
}

static void cond32(struct gen *g, const struct cf_arch *ar,
		   const struct cf_cond *c, int pass, int fail)
{
	uint32_t lo = arg_off(ar, c->arg, false);

	if (c->op == CF_OP_MASKED_EQ) {
		uint32_t m = (uint32_t)c->datum;

		cmp_masked(g, lo, m, (uint32_t)c->datum2 & m, pass, fail);
		return;
	}
	load(g, lo);
	cmp_word(g, (enum cf_op)c->op, (uint32_t)c->datum, pass, fail);
}

/* Emits chain c: all conditions true -> ok, else -> fail. Returns false
 * when the chain always matches (code after it is unreachable). */
bool gen_chain(struct gen *g, const struct cf_arch *ar,
	       const struct cf_ir_chain *c, int ok, int fail)
{
	int last = -1;

	for (unsigned i = 0; i < c->nconds; i++) {
		int k = cond_const(ar, &c->conds[i]);

		if (k == 0)
			return true; /* never matches: no code */
		if (k < 0)
			last = (int)i;
	}
	if (last < 0) {
		emit_ja(g, ok);
		return false;
	}
	for (int i = 0; i <= last; i++) {
		const struct cf_cond *cd = &c->conds[i];
		int pass;

		if (cond_const(ar, cd) > 0)
			continue;
		pass = i == last ? ok : new_label(g);
		if (cf_cond_wide(ar, cd))
			cond64(g, ar, cd, pass, fail);
		else
			cond32(g, ar, cd, pass, fail);
		if (i != last)
			place(g, pass);
	}
	return true;
}

/* --harden: conditions marked low32 compare as on a 32-bit ABI. 1: all
 * of s's live ones are (the searches below then run on a 32-bit view of
 * the ABI), 0: none, -1: a mix (only chains as written handle it). */
int low32_conds(const struct cf_ir_sys *s, size_t n)
{
	bool any = false, all = true;

	for (size_t i = 0; i < n; i++)
		for (unsigned j = 0; j < s->chains[i].nconds; j++) {
			any |= s->chains[i].conds[j].low32 != 0;
			all &= s->chains[i].conds[j].low32 != 0;
		}
	return !any ? 0 : all ? 1 : -1;
}

/* opt: chain c of s is shadowed -- every condition of an earlier chain
 * is one of c's (the same test, read the same way), so that chain
 * matches whenever c does, and first: c decides nothing and gets no
 * code (lsc-socketcall: socket's rules on arg1 behind its rule on the
 * call number alone, in x86's socketcall code: 146 -> 138 instructions,
 * worst argument-checked path 33 -> 27, libseccomp's tree 32). */
static bool chain_shadowed(const struct cf_ir_sys *s, size_t c)
{
	const struct cf_ir_chain *y = &s->chains[c];

	for (size_t a = 0; a < c; a++) {
		const struct cf_ir_chain *x = &s->chains[a];
		unsigned k = 0;

		for (; k < x->nconds; k++) {
			unsigned m = 0;

			while (
			    m < y->nconds &&
			    !(cf_cond_same_test(&x->conds[k], &y->conds[m]) &&
			      x->conds[k].low32 == y->conds[m].low32))
				m++;
			if (m == y->nconds)
				break;
		}
		if (k == x->nconds)
			return true;
	}
	return false;
}

static void gen_sys_checks(struct gen *g, const struct grange *r)
{
	const struct cf_ir_sys *s = r->sys;
	size_t n = live_chains(s);
	int low32 = r->arch->cmp_bits == 64 ? sys_low32_conds(g, s) : 0;
	struct cf_arch narrow;
	struct grange rn;
	if (low32 > 0) {
		narrow = *r->arch;
		narrow.cmp_bits = 32;
		rn = *r;
		rn.arch = &narrow;
		r = &rn;
	}
	scope_open(g);
	if (g->opt && low32 >= 0 && gen_sys_graph(g, r)) {
		scope_close(g, s->fallback);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int fail, ok;

		if (g->opt && chain_shadowed(s, i))
			continue;
		fail = new_label(g);
		ok = ret_label(g, s->chains[i].action);

		if (!gen_chain(g, r->arch, &s->chains[i], ok, fail)) {
			if (g->opt)
				scope_close(g, s->fallback);
			return;
		}
		place(g, fail);
	}
	if (g->opt)
		scope_close(g, s->fallback);
	else
		emit_ret(g, s->fallback);
}

/* A syscall's code; the tables it needed are freed behind it (nothing
 * of them outlives the code: labels and instructions are elsewhere). */
static void gen_sys_code(struct gen *g, const struct grange *r)
{
	size_t mark = cf_scratch_mark(g->tmp);

	gen_sys_checks(g, r);
	cf_scratch_rewind(g->tmp, mark);
}

/* A syscall's code, labelled as such (cf_gen_opts.label). */
void gen_sys(struct gen *g, const struct grange *r)
{
	uint8_t part = g->part;
	int16_t abi = g->abi;

	g->part = CF_PART_ARGS;
	g->abi = (int16_t)(r->arch - cf_arches);
	/* scope_open numbers the body g->nbody */
	if (g->label && SGROW(g, bods, g->nbody + 1))
		g->bods[g->nbody] = (struct gbody){g->abi, r->sys->nr};
	gen_sys_code(g, r);
	g->part = part;
	g->abi = abi;
}
