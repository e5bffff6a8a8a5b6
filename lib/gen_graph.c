/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_graph.c - a syscall's rules on several arguments as one decision
 * graph (opt: cf_gen_opts.no_arg_graph).
 *
 * Chains as written test one rule after another and load every word of
 * every rule again: 19 rules on two 64-bit arguments cost 8 instructions
 * each. Where every condition is an equality on whole 32-bit words --
 * EQ (both words on a 64-bit ABI, the low one on a 32-bit view) and
 * MASKED_EQ whose mask covers each word fully or not at all -- a rule is
 * a set of word tests (word = value) and the rules, in order, with the
 * fallback after them, are a decision list. The graph branches on one
 * word at a time, the one the most rules of the node test: a JEQ per
 * value some rule wants (a JGE search over the values when there are
 * more than CF_VALUE_RUN_MAX), and one more branch, "none of them".
 * Below the branch for value v go the rules that want v (that test
 * done) and the rules that do not test the word, in their order; below
 * "none" only the latter. A node decides when its first rule has no test
 * left (its action) or no rule is left (the fallback), so first match
 * wins, as in cf_ir_eval. Each word is loaded once per path, and every
 * value costs one compare; identical sub-graphs become one copy in
 * gen_tails.c.
 *
 * Rules that do not test a node's word are copied below each of its
 * branches, so a graph can grow past the chains it replaces: its size is
 * counted first (a dry run of the same walk) and the graph is used only
 * when it is no longer than the chains as written.
 */
#include "action.h"
#include "gen_internal.h"
#include "gen_scratch.h"
#include "gen_values.h"

#include <stdlib.h>
#include <string.h>

#define GRAPH_TESTS 12 /* 6 conditions, 2 words each */
/* counted instructions past which the dry run stops */
#define GRAPH_COUNT_MAX 4096

/* One word test: the 32-bit word at off equals val. */
struct wtest {
	uint32_t off, val;
};

/* A rule as word tests. */
struct grule {
	struct wtest t[GRAPH_TESTS];
	uint8_t n;
	uint32_t action;
};

/* A rule in a node of the graph: the tests it has left (bit i: t[i]). */
struct gentry {
	uint32_t rule;
	uint16_t left;
};

struct graph {
	const struct grule *rules;
	uint32_t fallback;
	bool dry;     /* count, do not emit */
	size_t count; /* instructions counted (dry) */
	size_t other; /* the same, for the other pass (!g->size_first) */
};

/* Adds word test (off, val) to r; false when r already wants another
 * value there (the rule never matches). */
static bool add_test(struct grule *r, uint32_t off, uint32_t val)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->t[i].off == off)
			return r->t[i].val == val;
	r->t[r->n++] = (struct wtest){off, val};
	return true;
}

/* Condition c as word tests of r: 1 done, 0 the rule never matches,
 * -1 not a word equality (the graph does not apply). */
static int cond_tests(const struct cf_arch *ar, const struct cf_cond *c,
		      struct grule *r)
{
	bool wide = cf_cond_wide(ar, c);
	uint64_t mask = UINT64_MAX, val = c->datum;
	int k = cond_const(ar, c);

	if (k >= 0)
		return k;
	if (c->op == CF_OP_MASKED_EQ) {
		mask = c->datum;
		val = c->datum2 & mask;
	} else if (c->op != CF_OP_EQ) {
		return -1;
	}
	for (int hi = wide ? 1 : 0; hi >= 0; hi--) {
		uint32_t m = (uint32_t)(hi ? mask >> 32 : mask);
		uint32_t v = (uint32_t)(hi ? val >> 32 : val);

		if (m == 0)
			continue;
		if (m != UINT32_MAX)
			return -1;
		if (!add_test(r, arg_off(ar, c->arg, hi != 0), v))
			return 0;
	}
	return 1;
}

/* The live chains of s as rules (those that never match left out);
 * false when a condition is not a word equality. */
static bool build_rules(const struct cf_arch *ar, const struct cf_ir_sys *s,
			size_t n, struct grule *rules, size_t *nrules)
{
	*nrules = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cf_ir_chain *c = &s->chains[i];
		struct grule *r = &rules[*nrules];
		int ok = 1;

		/* (not the whole of t: only t[0..n) is read) */
		r->n = 0;
		r->action = c->action;
		for (unsigned j = 0; j < c->nconds && ok > 0; j++)
			ok = cond_tests(ar, &c->conds[j], r);
		if (ok < 0)
			return false;
		if (ok > 0)
			(*nrules)++;
	}
	return true;
}

/* The test of entry e on word off: its index, or -1. */
static int test_on(const struct graph *gr, const struct gentry *e, uint32_t off)
{
	const struct grule *r = &gr->rules[e->rule];

	for (unsigned i = 0; i < r->n; i++)
		if ((e->left >> i & 1) && r->t[i].off == off)
			return (int)i;
	return -1;
}

/* The word the most entries test (ties: the one met first). */
static uint32_t pick_word(const struct graph *gr, const struct gentry *es,
			  size_t n)
{
	struct word_count {
		uint32_t off;
		size_t cnt;
	} tab[2 * 6];
	size_t nt = 0, best = 0;

	for (size_t i = 0; i < n; i++) {
		const struct grule *r = &gr->rules[es[i].rule];

		for (unsigned t = 0; t < r->n; t++) {
			size_t k = 0;

			if (!(es[i].left >> t & 1))
				continue;
			while (k < nt && tab[k].off != r->t[t].off)
				k++;
			if (k == nt && nt < CF_ARRAY_SIZE(tab))
				tab[nt++] = (struct word_count){r->t[t].off, 0};
			if (k < nt)
				tab[k].cnt++;
		}
	}
	for (size_t k = 1; k < nt; k++)
		if (tab[k].cnt > tab[best].cnt)
			best = k;
	return nt ? tab[best].off : 0;
}

/* The action a node decides without a test, or -1: no entry left (the
 * fallback), or a first entry with no test left. */
static int64_t node_action(const struct graph *gr, const struct gentry *es,
			   size_t n)
{
	if (n == 0)
		return gr->fallback;
	if (es[0].left == 0)
		return gr->rules[es[0].rule].action;
	return -1;
}

static void walk(struct gen *g, struct graph *gr, const struct gentry *es,
		 size_t n);

/* A node's entries split by their test of its word: the ones without
 * one (in order), and those wanting each value (in order, by value). */
struct split {
	size_t *none, nnone;
	size_t *by_val, *first; /* by_val[first[k]..first[k + 1]) */
	int *test;		/* by entry: its test of the word, -1 */
};

/* The entries of branch k (k == nv: none of the values): the entries
 * without a test of the word and those wanting value k (test done), in
 * order, up to one that always matches, less trailing rules of the
 * fallback's action. */
static size_t branch(const struct graph *gr, const struct gentry *es,
		     const struct split *sp, size_t k, bool none,
		     struct gentry *out)
{
	size_t a = 0, b = none ? 0 : sp->first[k];
	size_t bend = none ? 0 : sp->first[k + 1], m = 0;

	while (a < sp->nnone || b < bend) {
		bool from_b =
		    b < bend && (a == sp->nnone || sp->by_val[b] < sp->none[a]);
		size_t i = from_b ? sp->by_val[b++] : sp->none[a++];

		out[m] = es[i];
		if (from_b)
			out[m].left &= (uint16_t) ~(1u << sp->test[i]);
		if (out[m++].left == 0)
			break; /* it always matches: the rest is unreached */
	}
	/* rules of the fallback's action at the end decide nothing */
	while (m && gr->rules[out[m - 1].rule].action == gr->fallback)
		m--;
	return m;
}

/* emit_values' instructions for n values, runs of at most run. */
static size_t values_len(size_t n, size_t run)
{
	if (n > run)
		return 1 + values_len(n / 2, run) + values_len(n - n / 2, run);
	return n;
}

/* The JEQs (and JGEs) of vals[i..j] on the loaded word: a match goes to
 * to[k], none to other. Dry, counted for both passes: a size-first
 * pass's runs are g->value_run_max long (walk_word sets it), a speed
 * first's CF_VALUE_RUN_MAX. */
static void emit_values(struct gen *g, struct graph *gr, const uint32_t *vals,
			const int *to, size_t i, size_t j, int other)
{
	size_t sized = g->value_run_max ? g->value_run_max : CF_VALUE_RUN_MAX;
	size_t run = g->size_first ? sized : CF_VALUE_RUN_MAX;

	if (gr->dry) {
		gr->count += values_len(j - i + 1, run);
		gr->other += values_len(
		    j - i + 1, g->size_first ? CF_VALUE_RUN_MAX : sized);
	} else if (j - i + 1 > run) {
		size_t mid = i + (j - i + 1) / 2;
		int right = new_label(g);

		emit_jmp(g, BPF_JGE, vals[mid], right, NEXT);
		emit_values(g, gr, vals, to, i, mid - 1, other);
		place(g, right);
		emit_values(g, gr, vals, to, mid, j, other);
	} else {
		for (size_t k = i; k <= j; k++)
			emit_jmp(g, BPF_JEQ, vals[k], to[k],
				 k == j ? other : NEXT);
	}
}

/* The values entries want of word off, sorted, distinct, into vals
 * (their count); the entries split by them into sp: each tester's
 * (value, entry) as one 64-bit key (keys: scratch), sorted, gives the
 * values in order and each value's entries in theirs (one sort: a sort
 * of the values and a binary search per entry cost actions-1000 6% of
 * its compile). */
static size_t split_node(const struct graph *gr, const struct gentry *es,
			 size_t n, uint32_t off, uint32_t *vals,
			 struct split *sp, uint64_t *keys)
{
	size_t nk = 0, m = 0;

	sp->nnone = 0;
	for (size_t i = 0; i < n; i++) {
		sp->test[i] = test_on(gr, &es[i], off);
		if (sp->test[i] >= 0)
			keys[nk++] =
			    (uint64_t)gr->rules[es[i].rule].t[sp->test[i]].val
				<< 32 |
			    (uint32_t)i;
		else
			sp->none[sp->nnone++] = i;
	}
	cf_sort_u64(keys, nk);
	for (size_t q = 0; q < nk; q++) {
		uint32_t v = (uint32_t)(keys[q] >> 32);

		if (!m || vals[m - 1] != v) {
			sp->first[m] = q;
			vals[m++] = v;
		}
		sp->by_val[q] = (size_t)(uint32_t)keys[q];
	}
	sp->first[m] = nk;
	return m;
}

/* A node's tables, carved from one block of g's scratch (walk_word
 * writes every element before it reads it: not zeroed). */
struct node_tables {
	uint64_t *keys;
	struct split sp;
	struct gentry *sub;
	uint32_t *vals;
	int *to;
	/* by value: the action its branch decides without a test, -1 when
	 * it needs one */
	int64_t *act;
};

static bool node_tables(struct gen *g, size_t n, struct node_tables *t)
{
	size_t words = 3 * n + 1, bytes;
	char *b;
	size_t *w;

	if (n > SIZE_MAX / 64)
		return false;
	bytes = 2 * n * sizeof(uint64_t) + words * sizeof(size_t) +
		n * sizeof(struct gentry) +
		n * (sizeof(uint32_t) + 2 * sizeof(int));
	b = cf_scratch_raw(g->tmp, bytes, 1);
	if (!b)
		return false;
	t->keys = (uint64_t *)(void *)b;
	t->act = (int64_t *)(void *)(b + n * sizeof(uint64_t));
	w = (size_t *)(void *)(b + 2 * n * sizeof(uint64_t));
	t->sp = (struct split){.none = w, .by_val = w + n, .first = w + 2 * n};
	b += 2 * n * sizeof(uint64_t) + words * sizeof(size_t);
	t->sub = (struct gentry *)(void *)b;
	b += n * sizeof(struct gentry);
	t->vals = (uint32_t *)(void *)b;
	t->to = (int *)(void *)(b + n * sizeof(uint32_t));
	t->sp.test = t->to + n;
	return true;
}

/* The steps of a node whose every branch returns (value k: act[k], none:
 * other) into st (2 * nv + 1 room): their count. */
static size_t return_steps(const uint32_t *vals, const int64_t *act, size_t nv,
			   uint32_t other, struct value_step *st)
{
	size_t ns = 1;

	st[0] = (struct value_step){0, other, -1, -1};
	for (size_t k = 0; k < nv; k++) {
		uint32_t a = (uint32_t)act[k];

		if (st[ns - 1].lo == vals[k])
			st[ns - 1].action = a;
		else if (st[ns - 1].action != a)
			st[ns++] = (struct value_step){vals[k], a, -1, -1};
		if (ns > 1 && st[ns - 2].action == st[ns - 1].action)
			ns--;
		if (a != other && vals[k] != UINT32_MAX)
			st[ns++] =
			    (struct value_step){vals[k] + 1, other, -1, -1};
	}
	return ns;
}

/* A node's values searched as a step function over the word
 * (gen_value_steps) when every value's branch returns one action, none
 * returns too, and that search is no longer than the values' JEQs: a
 * socketcall or ipc call's code after its call number is then the code
 * of the syscall it multiplexes, one copy (gen_tails.c). Several actions
 * are not tried: their steps were never shorter on the corpus and cost
 * actions-1000's compile 10 % more instructions. Else nothing emitted,
 * false. */
static bool emit_return_steps(struct gen *g, struct graph *gr,
			      const struct node_tables *t, size_t nv,
			      int64_t other)
{
	size_t mark = cf_scratch_mark(g->tmp), at = g->n, count = gr->count;
	const int64_t *act = t->act;
	struct value_step *st =
	    cf_scratch_array(g->tmp, 2 * nv + 1, sizeof(*st));
	int cur = g->cur;
	bool done = false;

	if (!st)
		g->oom = true;
	for (size_t k = 0; st && k < nv; k++)
		if (act[k] < 0 || act[k] != act[0])
			st = NULL;
	if (st) {
		gr->dry = true; /* the JEQs' count */
		emit_values(g, gr, t->vals, t->to, 0, nv - 1, 0);
		gr->dry = false;
		gen_value_steps(
		    g, st, return_steps(t->vals, act, nv, (uint32_t)other, st));
		done = g->n - at <= gr->count - count;
		gr->count = count;
		if (!done) {
			g->n = at;
			g->cur = cur;
		}
	}
	cf_scratch_rewind(g->tmp, mark);
	return done;
}

/* A node that tests word off: its values, their branches, none's. */
static void walk_word(struct gen *g, struct graph *gr, const struct gentry *es,
		      size_t n, uint32_t off)
{
	size_t mark = cf_scratch_mark(g->tmp), nv, m;
	struct node_tables t;
	int other = 0, *to;
	int64_t a;
	uint32_t *vals;
	struct gentry *sub;
	struct split sp;

	if (!node_tables(g, n, &t)) {
		g->oom = true;
		return;
	}
	vals = t.vals;
	to = t.to;
	sub = t.sub;
	sp = t.sp;

	nv = split_node(gr, es, n, off, vals, &sp, t.keys);
	if (gr->dry) {
		gr->count += g->cur != (int)off;
		gr->other += g->cur != (int)off;
		g->cur = (int)off;
	} else {
		load(g, off);
	}
	/* where each branch goes: a return, or its code (behind) */
	for (size_t k = 0; k < nv; k++) {
		m = branch(gr, es, &sp, k, false, sub);
		a = node_action(gr, sub, m);
		t.act[k] = a;
		to[k] = gr->dry	 ? 0
			: a >= 0 ? ret_label(g, (uint32_t)a)
				 : new_label(g);
	}
	m = branch(gr, es, &sp, 0, true, sub);
	a = node_action(gr, sub, m);
	if (!gr->dry)
		other = a >= 0 ? ret_label(g, (uint32_t)a) : new_label(g);
	/* size first: counted as runs of half the values (the choice of
	 * the graph against the other searches stays as it was: counted as
	 * one run, the graph won on 10 of 750 compiles where its layout
	 * came out longer, 1-6 instructions), emitted as one run, a JGE
	 * less (cf_gen_opts.no_graph_one_run) */
	g->value_run_max =
	    g->graph_one_run && !gr->dry ? nv : cf_value_run_max_sized(nv);
	if (gr->dry || a < 0 || !g->graph_steps ||
	    !emit_return_steps(g, gr, &t, nv, a))
		emit_values(g, gr, vals, to, 0, nv - 1, other);
	g->value_run_max = 0;
	if (a < 0) {
		if (!gr->dry)
			place(g, other);
		walk(g, gr, sub, m);
	}
	for (size_t k = 0; k < nv && !g->oom; k++) {
		if (t.act[k] >= 0)
			continue;
		m = branch(gr, es, &sp, k, false, sub);
		if (!gr->dry)
			place(g, to[k]);
		else
			g->cur = (int)off;
		walk(g, gr, sub, m);
	}
	cf_scratch_rewind(g->tmp, mark);
}

/* The code of a node (one that needs a test). */
static void walk(struct gen *g, struct graph *gr, const struct gentry *es,
		 size_t n)
{
	if (g->oom || (gr->dry && gr->count > GRAPH_COUNT_MAX))
		return;
	walk_word(g, gr, es, n, pick_word(gr, es, n));
	if (gr->dry)
		g->cur = ST_TOP;
}

/* Instructions of the chains as written, as gen_chain emits them
 * (a load and a compare per word test, loads elided within a rule). */
static size_t chains_len(const struct grule *rules, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += 2 * (size_t)rules[i].n;
	return len;
}

/* Distinct arguments the rules test. */
static unsigned args_tested(const struct grule *rules, size_t n)
{
	uint32_t seen = 0;
	unsigned cnt = 0;

	for (size_t i = 0; i < n; i++)
		for (unsigned t = 0; t < rules[i].n; t++) {
			uint32_t bit = 1u
				       << ((rules[i].t[t].off - OFF_ARGS) / 8);

			cnt += !(seen & bit);
			seen |= bit;
		}
	return cnt;
}

/* Do the rules give two or more actions besides the fallback? */
static bool mixed_actions(const struct graph *gr, size_t nr)
{
	for (size_t i = 1; i < nr; i++)
		if (gr->rules[i].action != gr->rules[0].action)
			return true;
	return false;
}

/* Do s's first n chains all have one action and test one argument? The
 * graph does not apply then (graph_prepare), known before building its
 * rules: value-set profiles ask this of every syscall in every pass. */
static bool one_action_one_arg(const struct cf_ir_sys *s, size_t n)
{
	int arg = -1;

	for (size_t i = 0; i < n; i++) {
		const struct cf_ir_chain *c = &s->chains[i];

		if (c->action != s->chains[0].action)
			return false;
		for (unsigned j = 0; j < c->nconds; j++) {
			if (arg >= 0 && c->conds[j].arg != arg)
				return false;
			arg = c->conds[j].arg;
		}
	}
	return true;
}

/* s's live chains as rules and entries in g's scratch, in gr; false
 * when the graph does not apply. *nargs: the arguments they test. */
static bool graph_prepare(struct gen *g, const struct grange *r,
			  struct graph *gr, struct gentry **es, size_t *nr,
			  unsigned *nargs)
{
	const struct cf_ir_sys *s = r->sys;
	size_t n = live_chains(s);
	struct grule *rules;

	if (!g->arg_graph || one_action_one_arg(s, n))
		return false;
	/* build_rules writes rules[0..*nr), the loop below es[0..*nr) */
	rules = cf_scratch_raw(g->tmp, n, sizeof(*rules));
	*es = cf_scratch_raw(g->tmp, n, sizeof(**es));
	if (!rules || !*es) {
		g->oom = true;
		return false;
	}
	if (!build_rules(r->arch, s, n, rules, nr) || *nr == 0)
		return false;
	*gr = (struct graph){.rules = rules, .fallback = s->fallback};
	*nargs = args_tested(rules, *nr);
	/* one argument, one action: gen_args.c's value runs are as short
	 * and shallower */
	if (*nargs < 2 && !mixed_actions(gr, *nr))
		return false;
	for (size_t i = 0; i < *nr; i++)
		(*es)[i] = (struct gentry){(uint32_t)i,
					   (uint16_t)((1u << rules[i].n) - 1)};
	/* a rule without a test: the chains are short */
	return node_action(gr, *es, *nr) < 0;
}

/* s's graph, prepared once for the dry run that counts it and the walk
 * that emits it (graph_prepare ran twice: actions-1000, 494 K
 * instructions of 8.86 M a compile). */
struct prepared {
	bool ok; /* the graph applies */
	struct graph gr;
	struct gentry *es;
	size_t nr;
	unsigned nargs;
};

/* The instructions of p's graph: a dry run, which counts them for both
 * passes (kept in s's facts, for the run that starts with the same word
 * loaded); *count, or more than GRAPH_COUNT_MAX (the run stopped). */
static bool graph_count(struct gen *g, const struct cf_ir_sys *s,
			struct prepared *p, size_t *count)
{
	struct sys_facts *f = sys_facts(g, s);
	struct graph gr = p->gr;
	bool sf = g->size_first;
	int cur = g->cur;

	if (f && f->graph_size[sf] && f->graph_cur[sf] == cur) {
		*count = f->graph_size[sf] - 1;
		return true;
	}
	gr.dry = true;
	walk(g, &gr, p->es, p->nr);
	g->cur = cur;
	if (g->oom)
		return false;
	*count = gr.count;
	/* ran to its end (the other pass's count is whole), and fits */
	if (f && gr.count <= GRAPH_COUNT_MAX && gr.other < UINT16_MAX &&
	    cur == (int8_t)cur) {
		f->graph_size[sf] = (uint16_t)(gr.count + 1);
		f->graph_size[!sf] = (uint16_t)(gr.other + 1);
		f->graph_cur[sf] = f->graph_cur[!sf] = (int8_t)cur;
	}
	return true;
}

/* The instructions of p's graph (a dry run), SIZE_MAX when it does not
 * apply; *chains: the chains as written. */
static size_t graph_size(struct gen *g, const struct cf_ir_sys *s,
			 struct prepared *p, size_t *chains)
{
	size_t count;

	if (!p->ok || !graph_count(g, s, p, &count))
		return SIZE_MAX;
	*chains = chains_len(p->gr.rules, p->nr);
	return count <= GRAPH_COUNT_MAX ? count : SIZE_MAX;
}

static void graph_emit(struct gen *g, struct prepared *p)
{
	size_t mark = cf_scratch_mark(g->tmp);
	struct graph gr = p->gr;

	walk(g, &gr, p->es, p->nr);
	cf_scratch_rewind(g->tmp, mark);
}

/* opt: s's checks as the shortest of its graph and the searches of
 * gen_args.c (one argument: a step function, or residues). Rules on
 * several arguments: the graph when no longer than the chains as
 * written. Else the search is emitted, and replaced by the graph when
 * that counts fewer instructions (isolated values of several actions:
 * one JEQ each, where the step function pays a JGE per step). false:
 * none applies (the caller writes the chains). */
bool gen_sys_graph(struct gen *g, const struct grange *r)
{
	size_t chains = 0, mark = g->n, smark = cf_scratch_mark(g->tmp);
	struct prepared p = {0};
	size_t graph;
	int cur = g->cur;
	bool done = true;

	p.ok = graph_prepare(g, r, &p.gr, &p.es, &p.nr, &p.nargs);
	graph = graph_size(g, r->sys, &p, &chains);
	if (graph != SIZE_MAX && p.nargs >= 2 && graph <= chains) {
		graph_emit(g, &p);
	} else if (!gen_sys_steps(g, r) && !gen_sys_resid(g, r)) {
		if (graph == SIZE_MAX || graph > chains)
			done = false;
		else
			graph_emit(g, &p);
	} else if (graph < g->n - mark && !g->oom) {
		/* the search's instructions go; labels it made stay unused
		 * and what only it reached is dropped (gen_tails.c,
		 * gen_unreached.c) */
		g->n = mark;
		g->cur = cur;
		graph_emit(g, &p);
	}
	cf_scratch_rewind(g->tmp, smark);
	return done;
}
