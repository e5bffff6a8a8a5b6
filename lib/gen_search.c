/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_search.c - the search over syscall numbers: the ranges of numbers
 * that share one decision, the balanced search (plain), number chains and
 * the weighted, depth-bounded search (opt), and gen_program, which emits
 * a whole program (dispatch on arch, a search per ABI, the returns).
 * The generator's files and passes in order: bpf_gen.c's first comment.
 */
#include "action.h"
#include "gen_internal.h"
#include "gen_scratch.h"
#include "gen_values.h"

#include <stdlib.h>
#include <string.h>

/* ---- syscall-number ranges ----------------------------------------- */

static void push_range(struct gen *g, uint32_t lo, uint32_t hi, uint32_t action,
		       const struct cf_ir_sys *sys, const struct cf_arch *ar)
{
	struct grange *last = g->nrg ? &g->rg[g->nrg - 1] : NULL;

	if (!sys && last && !last->sys && last->action == action &&
	    last->hi + 1 == lo) {
		last->hi = hi;
		return;
	}
	if (!SGROW(g, rg, g->nrg + 1))
		return;
	g->rg[g->nrg++] = (struct grange){lo, hi, action, sys, ar};
}

/* Numbers lo..hi without an entry: runc's stub (sa), else the default, or
 * a kill when no ABI of the filter owns them (fa). */
static void push_gap(struct gen *g, const struct cf_ir *ir, uint64_t lo,
		     uint64_t hi, const struct cf_ir_abi *fa,
		     const struct cf_ir_abi *sa)
{
	uint32_t base = fa ? ir->default_action : CF_RET_KILL_THREAD;
	uint32_t enosys = CF_RET_ERRNO(ENOSYS);

	if (lo > hi)
		return;
	if (!sa || !sa->enosys || hi <= sa->enosys_above) {
		push_range(g, (uint32_t)lo, (uint32_t)hi, base, NULL, NULL);
	} else if (lo > sa->enosys_above) {
		push_range(g, (uint32_t)lo, (uint32_t)hi, enosys, NULL, NULL);
	} else {
		push_range(g, (uint32_t)lo, sa->enosys_above, base, NULL, NULL);
		push_range(g, sa->enosys_above + 1, (uint32_t)hi, enosys, NULL,
			   NULL);
	}
}

static void push_interval(struct gen *g, const struct cf_ir *ir, uint32_t lo,
			  uint32_t hi, const struct cf_ir_abi *fa,
			  const struct cf_ir_abi *sa)
{
	uint64_t at = lo;
	size_t i = 0, end = fa ? fa->nsys : 0;

	/* first entry >= lo */
	while (i < end) {
		size_t m = i + (end - i) / 2;

		if (fa->sys[m].nr < lo)
			i = m + 1;
		else
			end = m;
	}
	for (; fa && i < fa->nsys && fa->sys[i].nr <= hi; i++) {
		const struct cf_ir_sys *s = &fa->sys[i];

		if (s->nr > at)
			push_gap(g, ir, at, s->nr - 1, fa, sa);
		if (live_chains(s))
			push_range(g, s->nr, s->nr, 0, s, &cf_arches[fa->arch]);
		else
			push_range(g, s->nr, s->nr, s->fallback, NULL, NULL);
		at = (uint64_t)s->nr + 1;
	}
	push_gap(g, ir, at, hi, fa, sa);
}

/* g->ranges' copy of audit's ranges as g->rv (read in place): false
 * when there is none. */
static bool cached_ranges(struct gen *g, uint32_t audit)
{
	const struct range_cache *c = g->ranges;

	for (size_t i = 0; c && i < c->n; i++) {
		if (c->e[i].audit != audit)
			continue;
		g->rv = c->e[i].rg;
		g->nrg = c->e[i].nrg;
		return true;
	}
	return false;
}

/* Keeps a copy of g->rg, audit's ranges, in g->ranges (when there is
 * room: else they are built again next time). */
static void cache_ranges(struct gen *g, uint32_t audit)
{
	struct range_cache *c = g->ranges;
	struct grange *copy;

	if (!c || g->oom || c->n == CF_ARRAY_SIZE(c->e))
		return;
	copy = malloc((g->nrg ? g->nrg : 1) * sizeof(*copy));
	if (!copy)
		return;
	memcpy(copy, g->rg, g->nrg * sizeof(*copy));
	c->e[c->n].audit = audit;
	c->e[c->n].rg = copy;
	c->e[c->n++].nrg = g->nrg;
}

static void push_ranges(struct gen *g, const struct cf_ir *ir, uint32_t audit);

/* All of nr's 32-bit space for one audit arch, as ranges (built once
 * per compile, g->ranges). */
static void build_ranges(struct gen *g, const struct cf_ir *ir, uint32_t audit)
{
	if (cached_ranges(g, audit))
		return;
	push_ranges(g, ir, audit);
	cache_ranges(g, audit);
	g->rv = g->rg;
}

static void push_ranges(struct gen *g, const struct cf_ir *ir, uint32_t audit)
{
	g->nrg = 0;
	if (audit == CF_AUDIT_ARCH_X86_64) {
		const struct cf_ir_abi *x64 = cf_ir_find_abi(ir, audit, false);
		const struct cf_ir_abi *x32 = cf_ir_find_abi(ir, audit, true);

		/* libseccomp splits at CF_X32_BIT (cf_nr_filter_x32) but
		 * hands -1 (a tracer's skip) to x86_64; runc's stub tests
		 * the bit, so the two disagree on [half, half + bit) */
		const uint32_t bit = CF_X32_BIT, half = 0x80000000U;

		push_interval(g, ir, 0, bit - 1, x64, x64);
		push_interval(g, ir, bit, half - 1, x32, x32);
		push_interval(g, ir, half, half + bit - 1, x32, x64);
		push_interval(g, ir, half + bit, UINT32_MAX - 1, x32, x32);
		push_interval(g, ir, UINT32_MAX, UINT32_MAX, x64 ? x64 : x32,
			      x32);
	} else {
		const struct cf_ir_abi *abi = cf_ir_find_abi(ir, audit, false);

		push_interval(g, ir, 0, UINT32_MAX, abi, abi);
	}
}

/* ---- the search ------------------------------------------------------ */

static void emit_leaf(struct gen *g, const struct grange *r)
{
	int l = r->sys ? shared_label(g, r) : NEXT;

	if (emit_shared_inline(g, r) || (r->sys && emit_narrow_leaf(g, r)))
		;
	else if (l != NEXT)
		emit_ja(g, l);
	else if (r->sys)
		gen_sys(g, r);
	else if (r->action == CF_GEN_FOLD && g->fold_label)
		emit_ja(g, g->fold_label);
	else
		emit_ret(g, r->action);
	g->body = -1;
}

/* One split of a number search: r[i..mid-1] left, r[mid..j] right, with
 * their depths (emit_wtree). */
struct tree_split {
	const struct grange *r;
	size_t i, mid, j;
	unsigned dl, dr;
};

static void emit_tree(struct gen *g, const struct grange *r, size_t i,
		      size_t j);

static void tree_side(struct gen *g, const void *ctx, bool right)
{
	const struct tree_split *s = ctx;

	if (right)
		emit_tree(g, s->r, s->mid, s->j);
	else
		emit_tree(g, s->r, s->i, s->mid - 1);
}

/* Decides ranges r[i..j] (contiguous, ascending) with nr in A. */
static void emit_tree(struct gen *g, const struct grange *r, size_t i, size_t j)
{
	struct tree_split s = {r, i, i + (j - i + 1) / 2, j, 0, 0};
	int lt, rt;

	if (i == j) {
		emit_leaf(g, &r[i]);
		return;
	}
	lt = s.mid - 1 == i && !r[i].sys ? ret_label(g, r[i].action) : NEXT;
	rt = s.mid == j && !r[j].sys ? ret_label(g, r[j].action) : NEXT;
	emit_split(g, r[s.mid].lo, lt, rt, tree_side, &s);
}

/* ---- opt: number chains ---------------------------------------------- */

/* A node r[i..j] of a search, as a chain: the ranges that do not decide
 * as its background (the argument-free action of most of its ranges) are
 * its exceptions, tested one after another -- a syscall with argument
 * checks or a one-number range by one JEQ, a wider range by two JGEs
 * (one at either end of the node, where the node's bound is known) --
 * and whatever matches none gets the background. Syscalls with argument
 * checks come first, then lone numbers, then wide ranges ascending: a
 * number below a wide range's start matches no exception left, so it
 * gets the background at once. libseccomp's linear program costs one
 * JEQ per syscall; a chain never costs more than that. */

#define CHAIN_NODE_MAX (4 * CF_VALUE_RUN_MAX) /* ranges of a chain node */
/* ranges of a size-first chain (emit_number_chains) */
#define SIZE_CHAIN_NODE_MAX (2 * CHAIN_NODE_MAX)
/* a chain node of the speed-first search has at most this share of the
 * native ABI's calls (cf_sys_weights) */
#define CHAIN_COLD_SHARE 16

struct number_chain {
	uint32_t background;
	size_t ncompares; /* the longest path: the background's */
	size_t nbodies;	  /* syscalls with argument checks, tested first */
};

static bool in_background(const struct grange *r, uint32_t background)
{
	return !r->sys && r->action == background;
}

/* A chain's compares for r[i..e], kept as e grows (chain_run_end):
 * the compares of every range (one for a number, two for a wider range)
 * and, per argument-free action of the run, those of its ranges; a
 * background's chain tests the others, a wider range at either end
 * once. */
struct run_cost {
	size_t total, nbodies, nact;
	uint32_t action[SIZE_CHAIN_NODE_MAX];
	size_t own[SIZE_CHAIN_NODE_MAX];
};

static size_t range_compares(const struct grange *r)
{
	return r->lo == r->hi ? 1 : 2;
}

static void run_cost_add(struct run_cost *rc, const struct grange *r)
{
	size_t a = 0;

	rc->total += range_compares(r);
	if (r->sys) {
		rc->nbodies++;
		return;
	}
	while (a < rc->nact && rc->action[a] != r->action)
		a++;
	if (a == rc->nact) {
		rc->action[rc->nact] = r->action;
		rc->own[rc->nact++] = 0;
	}
	rc->own[a] += range_compares(r);
}

/* The fewest compares of a chain of r[i..e] (SIZE_MAX: none), with the
 * first background that leaves them (in the order of the ranges) in
 * *bg when bg is not NULL. */
static size_t run_cost_best(const struct run_cost *rc, const struct grange *r,
			    size_t i, size_t e, size_t *bg)
{
	size_t best = SIZE_MAX;

	for (size_t a = 0; a < rc->nact; a++) {
		size_t c = rc->total - rc->own[a];

		if (!in_background(&r[i], rc->action[a]))
			c -= range_compares(&r[i]) - 1;
		if (e != i && !in_background(&r[e], rc->action[a]))
			c -= range_compares(&r[e]) - 1;
		if (c < best) {
			best = c;
			if (bg)
				*bg = a;
		}
	}
	return best;
}

/* The chain of r[i..j] (at most SIZE_CHAIN_NODE_MAX ranges): the background
 * that leaves the fewest compares, the first of them in the order of the
 * ranges (run_cost: a background's compares are all the ranges' less its
 * own ranges'). */
static struct number_chain plan_chain(const struct grange *r, size_t i,
				      size_t j)
{
	struct run_cost rc; /* (its arrays are written as they fill) */
	size_t bg = 0, c;

	rc.total = rc.nbodies = rc.nact = 0;
	for (size_t q = i; q <= j; q++)
		run_cost_add(&rc, &r[q]);
	c = run_cost_best(&rc, r, i, j, &bg);
	if (c == SIZE_MAX)
		return (struct number_chain){0, SIZE_MAX, 0};
	return (struct number_chain){rc.action[bg], c, rc.nbodies};
}

/* The JGE(s) of r[q], a wide exception of the node r[i..j]: past its
 * end the chain goes on at next, below its start the background. */
static void emit_chain_wide(struct gen *g, const struct grange *r, size_t q,
			    size_t i, size_t j, int next, int background)
{
	int target = ret_label(g, r[q].action), after;

	if (q == i) { /* nr >= r[q].lo is known */
		emit_jmp(g, BPF_JGE, r[q].hi + 1, next, target);
	} else if (q == j) { /* nr <= r[q].hi is known */
		emit_jmp(g, BPF_JGE, r[q].lo, target, background);
	} else {
		after = next == NEXT ? new_label(g) : next;
		emit_jmp(g, BPF_JGE, r[q].hi + 1, after, NEXT);
		emit_jmp(g, BPF_JGE, r[q].lo, target, background);
		if (next == NEXT)
			place(g, after);
	}
}

/* Size first: a syscall of a chain with its own code, that code right
 * behind its JEQ and the chain going on after it (libseccomp's linear
 * layout): no jump into code behind the chain, which is far when the
 * chain's bodies are long (the corpus: 6 -> 5 programs longer than what
 * runc loads, sum of lengths 34,149 -> 34,105). */
static void emit_chain_body(struct gen *g, const struct grange *r, int next)
{
	int skip = next == NEXT ? new_label(g) : next;

	emit_jmp(g, BPF_JEQ, r->lo, NEXT, skip);
	emit_leaf(g, r);
	if (next == NEXT)
		place(g, skip);
}

/* Size first (late_checks): r's code is a high-word check jumping into
 * 32-bit code that a later search emits (x86's, behind its search);
 * the check then goes to the end of this search (emit_late_checks),
 * where that code is nearer: r's JEQ jumps there, and the check's jump
 * reaches the code or a JA that x32's does, where behind the JEQ it
 * needed a JA of its own. */
static bool emit_chain_late(struct gen *g, const struct grange *r, int next)
{
	struct late_check *c;
	uint32_t above;
	int arg;

	if (!g->late_checks || !narrow_jumps_ahead(g, r, &arg, &above) ||
	    !SGROW(g, late, g->nlate + 1))
		return false;
	c = &g->late[g->nlate++];
	c->r = *r;
	c->arg = arg;
	c->above = above;
	c->label = new_label(g);
	c->at = g->n;
	emit_jmp(g, BPF_JEQ, r->lo, c->label, next);
	return true;
}

/* How far (instructions emitted) the checks emit_chain_late puts off
 * may go from the first JEQ that jumps to them: they are emitted behind
 * the run that gets them past it (else its JEQ, and the check's jump,
 * need JAs). Against checks behind their JEQ, on bench/corpus.py's 64
 * profiles and on 150 random ones of corpus_shapes.shaped (0-250 plain
 * syscalls, 5-50 checked, 10-1,000 values, shared by 1-6, 1-4 actions,
 * 1-2 arguments, 1-3 ABIs): 128: 14 and 5 programs shorter, none longer; 192:
 * 15 and 5 shorter, but opt_link_keeps_no_stale_trampoline's 2,542 -> 2,543;
 * none (the end of the search only): 10 and 3 shorter, 6 and 2 longer
 * (issue1000-s1 1,242 -> 1,289: JEQs over 255 from their check). */
#define LATE_SPAN 128

/* Late checks of one ABI, one argument and one decision above 2^32
 * (the default action, most often) are one group when at least
 * LATE_GROUP_MIN: one load of the high word and its JGE, a load of the
 * number, then a JEQ per check but the last to its 32-bit code and a JA
 * for the last (emit_late_group): 3 + n instructions (the JAs to far
 * code as before), where each check loaded the word and tested it (2n).
 * Paths through a group take the load of the number and the JEQs before
 * theirs more: the checks with the longest code first. actions-1000:
 * 20 checks on 3 arguments, 1,231 -> 1,214 instructions (--enosys=none
 * 1,227 -> 1,212); 750 compiles of the corpus, corpus-speed, fixtures
 * and 300 random profiles: 97 shorter, none longer. */
#define LATE_GROUP_MIN 3
#define LATE_GROUP_MAX 64
#define LATE_DONE SIZE_MAX

/* May late[j] join late[i]'s group? */
static bool late_joins(const struct gen *g, size_t i, size_t j)
{
	const struct late_check *a = &g->late[i], *b = &g->late[j];

	return b->at != LATE_DONE && b->r.arch == a->r.arch &&
	       b->r.lo == b->r.hi && b->arg == a->arg && b->above == a->above;
}

/* The checks from late[i] on of late[i]'s group into m, those with the
 * longest code first (stable); their count, at most LATE_GROUP_MAX. */
static size_t late_group(struct gen *g, size_t i, size_t *m)
{
	size_t n = 0, b;

	for (size_t j = i; j < g->nlate && n < LATE_GROUP_MAX; j++) {
		if (!late_joins(g, i, j))
			continue;
		for (b = n++; b && live_chains(g->late[m[b - 1]].r.sys) <
				       live_chains(g->late[j].r.sys);
		     b--)
			m[b] = m[b - 1];
		m[b] = j;
	}
	return n;
}

/* The group m[0..n-1]: every check's JEQ lands on its start, where the
 * number is one of theirs (the JEQ tested it). */
static void emit_late_group(struct gen *g, const size_t *m, size_t n)
{
	const struct cf_arch *ar = g->late[m[0]].r.arch;
	int arg = g->late[m[0]].arg;
	uint32_t above = g->late[m[0]].above;

	for (size_t k = 0; k < n; k++)
		place(g, g->late[m[k]].label);
	load(g, arg_off(ar, (unsigned)arg, true));
	emit_jmp(g, BPF_JGE, 1, ret_label(g, above), NEXT);
	load(g, (uint32_t)OFF_NR);
	for (size_t k = 0; k + 1 < n; k++)
		emit_jmp(g, BPF_JEQ, g->late[m[k]].r.lo,
			 narrow_check_target(g, &g->late[m[k]].r), NEXT);
	emit_ja(g, narrow_check_target(g, &g->late[m[n - 1]].r));
	for (size_t k = 0; k < n; k++)
		g->late[m[k]].at = LATE_DONE;
}

/* late[i] and the checks of its group when it has one and groups are on
 * (true); else nothing emitted, false. */
static bool emit_late_grouped(struct gen *g, size_t i)
{
	size_t m[LATE_GROUP_MAX], n;

	if (!g->late_groups || (n = late_group(g, i, m)) < LATE_GROUP_MIN)
		return false;
	emit_late_group(g, m, n);
	return true;
}

/* The checks emit_chain_late put off, in their order (a group where its
 * first check was); with far, only when the first of them is over
 * LATE_SPAN instructions back. */
static void emit_late_checks(struct gen *g, bool far)
{
	if (far && (!g->nlate || g->n - g->late[0].at <= LATE_SPAN))
		return;
	for (size_t i = 0; i < g->nlate && !g->oom; i++) {
		if (g->late[i].at == LATE_DONE || emit_late_grouped(g, i))
			continue;
		place(g, g->late[i].label);
		emit_leaf(g, &g->late[i].r);
	}
	g->nlate = 0;
}

/* 0: a syscall with argument checks, 1: a lone number, 2: a wider
 * range -- the order of a chain's exceptions. */
static int exception_kind(const struct grange *r)
{
	return r->sys ? 0 : r->lo == r->hi ? 1 : 2;
}

/* Size first: the syscalls with argument checks of a chain, those with
 * the most live chains (the longest code) first, so that the longest
 * paths take the fewest of the chain's compares (the corpus: 3 -> 1
 * argument paths longer than libseccomp's tree); stable. */
static void sort_by_code(const struct grange *r, size_t *q, size_t n)
{
	for (size_t a = 1; a < n; a++) {
		size_t x = q[a], b = a;

		for (;
		     b && live_chains(r[q[b - 1]].sys) < live_chains(r[x].sys);
		     b--)
			q[b] = q[b - 1];
		q[b] = x;
	}
}

/* The exceptions of r[i..j] in the order of its chain ch, into order
 * (their count). */
static size_t chain_order(const struct gen *g, const struct grange *r, size_t i,
			  size_t j, const struct number_chain *ch,
			  size_t *order)
{
	size_t n = 0;

	for (int kind = 0; kind < 3; kind++)
		for (size_t q = i; q <= j; q++)
			if (exception_kind(&r[q]) == kind &&
			    !in_background(&r[q], ch->background))
				order[n++] = q;
	if (g->size_first)
		sort_by_code(r, order, ch->nbodies);
	return n;
}

/* Emits r[i..j] as the chain ch: the exceptions in their order, then
 * the code of the syscalls with argument checks (unless shared). */
static void emit_chain(struct gen *g, const struct grange *r, size_t i,
		       size_t j, const struct number_chain *ch)
{
	int background = ret_label(g, ch->background);
	size_t mark = cf_scratch_mark(g->tmp), n = j - i + 1;
	int *bodies = cf_scratch_array(g->tmp, n, sizeof(*bodies));
	size_t *order = cf_scratch_raw(g->tmp, n, sizeof(*order));
	size_t left = ch->ncompares;

	if (!bodies || !order) {
		g->oom = true;
		return;
	}
	n = chain_order(g, r, i, j, ch, order);
	for (size_t k = 0; k < n; k++) {
		size_t q = order[k];
		int kind = exception_kind(&r[q]), next, to;

		left -= kind < 2 || q == i || q == j ? 1 : 2;
		next = left ? NEXT : background;
		if (kind == 2) {
			emit_chain_wide(g, r, q, i, j, next, background);
			continue;
		}
		to = leaf_label(g, &r[q]);
		if (to == NEXT && g->size_first) {
			if (!emit_chain_late(g, &r[q], next))
				emit_chain_body(g, &r[q], next);
			continue;
		}
		if (to == NEXT) /* its own code, behind the chain */
			to = bodies[q - i] = new_label(g);
		emit_jmp(g, BPF_JEQ, r[q].lo, to, next);
	}
	for (size_t q = i; q <= j; q++) {
		if (!bodies[q - i])
			continue;
		place(g, bodies[q - i]);
		emit_leaf(g, &r[q]);
	}
	cf_scratch_rewind(g->tmp, mark);
}

/* Speed first (g->number_runs): r[i..j] as a chain when that is shorter
 * than its search, takes at most depth levels (a syscall with argument
 * checks one level higher) and no number of it is called often (the
 * background pays every compare); true when emitted. */
static bool emit_wtree_chain(struct gen *g, const struct grange *r, size_t i,
			     size_t j, unsigned depth)
{
	struct number_chain ch;
	uint64_t calls =
	    g->weight_sums[j + 1] - g->weight_sums[i] - (j - i + 1);

	if (!g->number_runs || j - i >= CHAIN_NODE_MAX ||
	    calls * CHAIN_COLD_SHARE > g->calls_total)
		return false;
	ch = plan_chain(r, i, j);
	if (ch.ncompares > depth || ch.ncompares >= j - i ||
	    (ch.nbodies && ch.nbodies >= depth))
		return false;
	emit_chain(g, r, i, j, &ch);
	return true;
}

/* ---- opt: the weighted search ---------------------------------------- */

#define NATIVE_MULT 16 /* a call of the native ABI weighs 16 of a sharer's */

/* Weights of g->rv: 1 per range, plus the call frequency (cf_sys_weights)
 * of every number in it, a sharer's (x32 in x86_64's search) at 1/16 of
 * the native ABI's (g->weight_sums: prefix sums). Units bound the depth: a
 * range takes 1 unit of the deepest level, a syscall with argument checks 2
 * (aligned), so that it sits a level higher (g->units). */
static bool weigh_ranges(struct gen *g, const struct cf_ir *ir, uint32_t audit)
{
	size_t n = g->nrg;

	if (!SGROW(g, weight_sums, n + 1) || !SGROW(g, units, n + 1) ||
	    !SGROW(g, two_unit_counts, n + 1))
		return false;
	if (!g->widx) {
		g->widx =
		    cf_scratch_array(g->tmp, cf_nsys_weights, sizeof(*g->widx));
		if (!g->widx) {
			g->oom = true;
			return false;
		}
		for (size_t w = 0; w < cf_nsys_weights; w++) {
			g->widx[w] = cf_sys_index(cf_sys_weights[w].name);
			g->calls_total +=
			    NATIVE_MULT * (uint64_t)cf_sys_weights[w].weight;
		}
	}
	g->weight_sums[0] = g->two_unit_counts[0] = 0;
	for (size_t i = 0; i < n; i++) {
		g->weight_sums[i + 1] = 1;
		g->units[i] = g->rv[i].sys ? 2 : 1;
		g->two_unit_counts[i + 1] =
		    g->two_unit_counts[i] + (g->rv[i].sys ? 1 : 0);
	}
	for (size_t k = 0; k < ir->nabis; k++) {
		const struct cf_ir_abi *abi = &ir->abis[k];
		uint32_t mult = k == 0 ? NATIVE_MULT : 1;

		if (cf_arches[abi->arch].audit_arch != audit)
			continue;
		for (size_t w = 0; w < cf_nsys_weights; w++) {
			int idx = g->widx[w];
			int64_t nr = idx < 0 ? -1 : cf_sys_nr(abi->arch, idx);
			size_t lo = 0, hi = n;

			if (nr < 0)
				continue;
			while (hi - lo > 1) { /* last range with lo <= nr */
				size_t m = lo + (hi - lo) / 2;

				if (g->rv[m].lo <= (uint64_t)nr)
					lo = m;
				else
					hi = m;
			}
			g->weight_sums[lo + 1] +=
			    (uint32_t)(cf_sys_weights[w].weight * mult);
		}
	}
	for (size_t i = 0; i < n; i++)
		g->weight_sums[i + 1] += g->weight_sums[i];
	return true;
}

/* Room taken by a run of leaves of units 1 and 2 when each 2 must start
 * at an even position: the least 2^d that holds it is the least depth of
 * a search tree over them with every leaf within its bound (mirrored, the
 * same holds from the right). */
static uint64_t room_add(uint64_t x, uint64_t u)
{
	return ((x + u - 1) & ~(u - 1)) + u;
}

/* Upper bound of the room of r[i..j-1]: units, plus one pad per 2. */
static uint64_t room_ub(const struct gen *g, size_t i, size_t j)
{
	return (j - i) + 2 * (g->two_unit_counts[j] - g->two_unit_counts[i]);
}

/* r[i..j] is [X][one number][X]: one JEQ decides it. */
static bool is_lone_middle(const struct grange *r, size_t i, size_t j)
{
	return j == i + 2 && !r[i].sys && !r[j].sys &&
	       r[i].action == r[j].action && r[i + 1].lo == r[i + 1].hi;
}

/* The least mid in (i, j] whose right side r[mid..j] surely fits in half
 * (by room_ub), and the greatest hi whose left side r[i..hi-1] does. */
static void fitting_bounds(const struct gen *g, size_t i, size_t j,
			   uint64_t half, size_t *lo_out, size_t *hi_out)
{
	size_t lo = i + 1, hi = j, w0, w1;

	while (lo < hi) { /* least m whose right side surely fits */
		size_t m = lo + (hi - lo) / 2;

		if (room_ub(g, m, j + 1) <= half)
			hi = m;
		else
			lo = m + 1;
	}
	w0 = lo;
	w1 = j;
	if (room_ub(g, lo, j + 1) > half)
		w1 = 0;	  /* none */
	while (w0 < w1) { /* greatest m whose left side surely fits */
		size_t m = w0 + (w1 - w0 + 1) / 2;

		if (room_ub(g, i, m) <= half)
			w0 = m;
		else
			w1 = m - 1;
	}
	*lo_out = lo;
	*hi_out = w1;
}

/* The split of r[i..j] whose sides surely fit in half (room_ub) and
 * whose weights balance best, by binary search; false when no split
 * surely fits. */
static bool split_surely_fits(const struct gen *g, size_t i, size_t j,
			      uint64_t half, struct tree_split *s, uint64_t *rl,
			      uint64_t *rr)
{
	uint64_t wl = g->weight_sums[i], wr = g->weight_sums[j + 1];
	size_t lo, hi, w0, w1, mid;

	fitting_bounds(g, i, j, half, &lo, &hi);
	if (hi < lo || room_ub(g, i, hi) > half)
		return false;
	w0 = lo;
	w1 = hi;
	while (w0 < w1) { /* first m with 2 weight_sums[m] >= wl + wr */
		size_t m = w0 + (w1 - w0) / 2;

		if (2 * g->weight_sums[m] >= wl + wr)
			w1 = m;
		else
			w0 = m + 1;
	}
	mid = w0;
	if (mid > lo && 2 * g->weight_sums[mid] >= wl + wr &&
	    2 * g->weight_sums[mid] - wl - wr >
		wl + wr - 2 * g->weight_sums[mid - 1])
		mid--;
	s->mid = mid;
	*rl = room_ub(g, i, mid);
	*rr = room_ub(g, mid, j + 1);
	return true;
}

/* The split of r[i..j] by the exact rooms of every split: the best
 * balance of weights among those that fit in half, else the one whose
 * larger side is least; false on OOM. */
static bool split_by_rooms(struct gen *g, size_t i, size_t j, uint64_t half,
			   struct tree_split *s, uint64_t *rl, uint64_t *rr)
{
	uint64_t wl = g->weight_sums[i], wr = g->weight_sums[j + 1];
	uint64_t best = UINT64_MAX, bestu = UINT64_MAX;
	size_t mid = i + 1;
	uint32_t *fl, *fr;

	if (!SGROW(g, fl, g->nrg + 1) || !SGROW(g, fr, g->nrg + 1))
		return false;
	fl = g->fl;
	fr = g->fr;
	/* fl[m]: room of r[i..m-1]; fr[m]: room of r[m..j] */
	fl[i] = 0;
	for (size_t m = i; m <= j; m++)
		fl[m + 1] = (uint32_t)room_add(fl[m], g->units[m]);
	fr[j + 1] = 0;
	for (size_t m = j + 1; m-- > i;)
		fr[m] = (uint32_t)room_add(fr[m + 1], g->units[m]);
	for (size_t m = i + 1; m <= j; m++) {
		uint64_t ul = fl[m], ur = fr[m];
		uint64_t u = ul > ur ? ul : ur;
		uint64_t l = g->weight_sums[m] - wl,
			 r2 = wr - g->weight_sums[m];
		uint64_t d = l > r2 ? l - r2 : r2 - l;

		if (u > half) {
			/* infeasible: the least unbalanced counts */
			if (best == UINT64_MAX && u < bestu) {
				bestu = u;
				mid = m;
			}
			continue;
		}
		if (d < best) {
			best = d;
			mid = m;
		}
	}
	s->mid = mid;
	*rl = fl[mid];
	*rr = fr[mid];
	return true;
}

static void emit_wtree(struct gen *g, const struct grange *r, size_t i,
		       size_t j, unsigned depth);

static void wtree_side(struct gen *g, const void *ctx, bool right)
{
	const struct tree_split *s = ctx;

	if (right)
		emit_wtree(g, s->r, s->mid, s->j, s->dr);
	else
		emit_wtree(g, s->r, s->i, s->mid - 1, s->dl);
}

/* Decides r[i..j] with nr in A in at most depth levels (when the units
 * allow it), splitting where the weights balance best. The room of a run
 * lies between its units and its units plus one pad per 2-unit range: a
 * split whose sides' upper bounds fit is feasible. */
static void emit_wtree(struct gen *g, const struct grange *r, size_t i,
		       size_t j, unsigned depth)
{
	uint64_t half = depth ? 1ULL << (depth - 1) : 0, rl, rr;
	struct tree_split s = {r, i, i + 1, j, 0, 0};
	int lt, rt;

	if (i == j) {
		emit_leaf(g, &r[i]);
		return;
	}
	if (emit_wtree_chain(g, r, i, j, depth))
		return;
	if (is_lone_middle(r, i, j)) { /* [X][nr][X]: one JEQ */
		int x = ret_label(g, r[i].action);

		rt = leaf_label(g, &r[i + 1]);
		emit_jmp(g, BPF_JEQ, r[i + 1].lo, rt, x);
		if (rt == NEXT)
			emit_leaf(g, &r[i + 1]);
		return;
	}
	if (!split_surely_fits(g, i, j, half, &s, &rl, &rr) &&
	    !split_by_rooms(g, i, j, half, &s, &rl, &rr))
		return;
	s.dl = depth ? depth - 1 : 0;
	s.dr = s.dl;
	if ((1ULL << s.dl) < rl)
		s.dl = ceil_log2(rl);
	if ((1ULL << s.dr) < rr)
		s.dr = ceil_log2(rr);
	lt = s.mid - 1 == i ? leaf_label(g, &r[i]) : NEXT;
	rt = s.mid == j ? leaf_label(g, &r[j]) : NEXT;
	emit_split(g, r[s.mid].lo, lt, rt, wtree_side, &s);
}

/* The size-first search of r[i..j]: chains of at most SIZE_CHAIN_MAX
 * compares, split by a JGE at the middle range while longer. A chain
 * takes up to SIZE_CHAIN_NODE_MAX ranges (24 compares and 64 ranges
 * instead of 16 and 32: the corpus's programs longer than libseccomp's
 * linear one with --enosys=none 11 -> 9, the others as many). */
#define SIZE_CHAIN_MAX (3 * CF_VALUE_RUN_MAX)
/* syscalls with argument checks a size-first chain tests at most */
#define SIZE_CHAIN_BODIES CF_VALUE_RUN_MAX

static void emit_number_chains(struct gen *g, const struct grange *r, size_t i,
			       size_t j)
{
	size_t mid = i + (j - i + 1) / 2;
	int right;

	if (i == j) {
		emit_leaf(g, &r[i]);
		return;
	}
	if (j - i < SIZE_CHAIN_NODE_MAX) {
		struct number_chain ch = plan_chain(r, i, j);

		if (ch.ncompares <= SIZE_CHAIN_MAX && ch.ncompares <= j - i) {
			emit_chain(g, r, i, j, &ch);
			return;
		}
	}
	right = new_label(g);
	emit_jmp(g, BPF_JGE, r[mid].lo, right, NEXT);
	emit_number_chains(g, r, i, mid - 1);
	place(g, right);
	emit_number_chains(g, r, mid, j);
}

/* The last range of the size-first run that starts at r[i]: the most
 * ranges (up to r[j], at most SIZE_CHAIN_NODE_MAX) whose chain takes at most
 * limit compares and tests at most SIZE_CHAIN_BODIES syscalls with
 * argument checks. The compares are counted as the run grows:
 * plan_chain for every length made lsc-socketcall's compile 1.70 M
 * instructions (callgrind, cf_profile_parse + cf_compile) against
 * 1.13 M before the size-first runs; counted so, 1.18 M. */
static size_t chain_run_end(const struct grange *r, size_t i, size_t j,
			    size_t limit)
{
	struct run_cost rc = {0};
	size_t e = i;

	run_cost_add(&rc, &r[i]);
	while (e < j && e + 1 - i < SIZE_CHAIN_NODE_MAX) {
		run_cost_add(&rc, &r[e + 1]);
		if (run_cost_best(&rc, r, i, e + 1, NULL) > limit ||
		    rc.nbodies > SIZE_CHAIN_BODIES)
			break;
		e++;
	}
	return e;
}

/* The runs of r[0..n-1] with chains of at most limit compares: their
 * starts (their count). */
static size_t chain_runs(const struct grange *r, size_t n, size_t limit,
			 size_t *starts)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i = chain_run_end(r, i, n - 1, limit) + 1)
		starts[k++] = i;
	return k;
}

/* Runs starts[a..b] (run q is r[starts[q]..starts[q + 1] - 1], the last
 * one ends at r[end]) searched by a JGE at the middle run's start. */
static void emit_chain_runs(struct gen *g, const struct grange *r,
			    const size_t *starts, size_t a, size_t b,
			    size_t end)
{
	size_t mid = a + (b - a + 1) / 2;
	int right;

	if (a == b) {
		emit_number_chains(g, r, starts[a], end);
		return;
	}
	right = new_label(g);
	emit_jmp(g, BPF_JGE, r[starts[mid]].lo, right, NEXT);
	emit_chain_runs(g, r, starts, a, mid - 1, starts[mid] - 1);
	emit_late_checks(g, true);
	place(g, right);
	emit_chain_runs(g, r, starts, mid, b, end);
}

/* The compares of the chains of runs starts[0..k-1] of r[0..n-1]. */
static size_t chain_compares(const struct grange *r, const size_t *starts,
			     size_t k, size_t n)
{
	size_t c = 0;

	for (size_t q = 0; q < k; q++)
		c += plan_chain(r, starts[q],
				q + 1 < k ? starts[q + 1] - 1 : n - 1)
			 .ncompares;
	return c;
}

/* The size-first search of r[0..n-1]: runs of ranges, each as long as
 * its chain fits SIZE_CHAIN_MAX compares, searched by JGEs: a JGE per
 * run but the first, where halving the node while its chain is too long
 * paid a JGE per halving. The runs are then evened out: as many, each
 * as short as they allow (the corpus: runs instead of halving 2 -> 1
 * argument paths longer than libseccomp's tree, 12 -> 11 programs
 * longer than its linear one with --enosys=none). */
static void emit_size_first_search(struct gen *g, const struct grange *r,
				   size_t n)
{
	size_t mark = cf_scratch_mark(g->tmp), k, k2, limit;
	size_t *starts = cf_scratch_raw(g->tmp, 2 * n, sizeof(*starts));

	if (!starts) {
		g->oom = true;
		return;
	}
	k = chain_runs(r, n, SIZE_CHAIN_MAX, starts);
	limit = (chain_compares(r, starts, k, n) + k - 1) / k;
	k2 = chain_runs(r, n, limit, starts + n);
	if (k2 == k)
		memcpy(starts, starts + n, k * sizeof(*starts));
	emit_chain_runs(g, r, starts, 0, k - 1, n - 1);
	cf_scratch_rewind(g->tmp, mark);
}

/* Size first, the x86_64 audit arch (g->x32_fold): the outer search,
 * the fold (an AND that clears CF_X32_BIT) and the folded search
 * (gen_fold.c), when their ranges are fewer than r[0..n-1]'s by at
 * least FOLD_MIN_SAVED (the AND and a JGE or two of the second search;
 * not tuned); false when not folded. The outer search never falls
 * through into the fold: its chains end in jumps. */
#define FOLD_MIN_SAVED 4

static bool emit_folded_search(struct gen *g, const struct grange *r, size_t n,
			       uint32_t audit)
{
	size_t mark = cf_scratch_mark(g->tmp);
	struct fold_plan p;

	if (!g->x32_fold || audit != CF_AUDIT_ARCH_X86_64 ||
	    !fold_ranges(g, r, n, &p) ||
	    p.nouter + p.nfolded + FOLD_MIN_SAVED > n) {
		cf_scratch_rewind(g->tmp, mark);
		return false;
	}
	g->fold_label = new_label(g);
	emit_size_first_search(g, p.outer, p.nouter);
	emit_late_checks(g, false);
	place(g, g->fold_label);
	emit(g, BPF_ALU | BPF_AND | BPF_K, ~CF_X32_BIT, NEXT, NEXT);
	g->cur = ST_UNK;
	emit_size_first_search(g, p.folded, p.nfolded);
	g->fold_label = 0;
	cf_scratch_rewind(g->tmp, mark);
	return true;
}

static void emit_search(struct gen *g, const struct cf_ir *ir, uint32_t audit)
{
	uint64_t room = 0;

	build_ranges(g, ir, audit);
	if (g->oom)
		return;
	if (!g->opt) {
		emit_tree(g, g->rv, 0, g->nrg - 1);
		return;
	}
	if (g->size_first) {
		if (!emit_folded_search(g, g->rv, g->nrg, audit))
			emit_size_first_search(g, g->rv, g->nrg);
		emit_late_checks(g, false);
		return;
	}
	if (!weigh_ranges(g, ir, audit))
		return;
	for (size_t i = 0; i < g->nrg; i++)
		room = room_add(room, g->units[i]);
	emit_wtree(g, g->rv, 0, g->nrg - 1, ceil_log2(room));
}

/* The distinct audit arches of ir's ABIs (at most 32), in order: their
 * number. */
static size_t collect_audits(const struct cf_ir *ir, uint32_t audits[32])
{
	size_t na = 0;

	for (size_t i = 0; i < ir->nabis && i < 32; i++) {
		uint32_t au = cf_arches[ir->abis[i].arch].audit_arch;
		size_t j = 0;

		while (j < na && audits[j] != au)
			j++;
		if (j == na)
			audits[na++] = au;
	}
	return na;
}

/* Sharing: the syscall code of every search counted first, then the
 * 64-bit code that can run on another ABI's 32-bit code. */
static void count_shared(struct gen *g, const struct cf_ir *ir,
			 const uint32_t *audits, size_t na)
{
	for (size_t i = 0; (g->share || g->share_inline) && i < na && !g->oom;
	     i++) {
		build_ranges(g, ir, audits[i]);
		for (size_t q = 0; q < g->nrg && !g->oom; q++) {
			struct shared *e;

			if (g->rv[q].sys && live_chains(g->rv[q].sys) &&
			    (e = shared_of(g, &g->rv[q], true)))
				e->last_audit = audits[i];
		}
	}
	for (size_t i = 0; g->share_inline && i < na && !g->oom; i++) {
		build_ranges(g, ir, audits[i]);
		for (size_t q = 0; q < g->nrg && !g->oom; q++) {
			struct grange narrow;
			uint32_t above;
			int arg;

			if (g->rv[q].sys)
				narrow_shared(g, &g->rv[q], &narrow, &above,
					      &arg, true);
		}
	}
}

/* The search of one audit arch, labelled with its ABI. */
static void emit_abi_search(struct gen *g, const struct cf_ir *ir,
			    uint32_t audit)
{
	g->part = CF_PART_SEARCH;
	for (size_t q = ir->nabis; q-- > 0;)
		if (cf_arches[ir->abis[q].arch].audit_arch == audit)
			g->abi = (int16_t)ir->abis[q].arch;
	load(g, (uint32_t)OFF_NR);
	emit_search(g, ir, audit);
}

/* opt: each arch's check right before its search, the native one first
 * (its calls take the check's fall-through), the others behind it: the
 * 64-bit code a later search shares (x86_64's on x86's 32-bit code,
 * gen_tails.c) is then ahead of the searches that jump to it, and a
 * search's own code is near it. An arch not in the filter gets KILL. */
static void emit_searches_inline(struct gen *g, const struct cf_ir *ir,
				 const uint32_t *audits, size_t na, int kill)
{
	for (size_t i = 0; i < na && !g->oom; i++) {
		int other = i + 1 < na ? new_label(g) : kill;

		g->part = CF_PART_ARCH;
		g->abi = -1;
		emit_jmp(g, BPF_JEQ, audits[i], NEXT, other);
		emit_abi_search(g, ir, audits[i]);
		if (i + 1 < na)
			place(g, other);
	}
}

/* What follows every search: the shared syscall code, then the return
 * pool in order of first use. */
static void emit_returns(struct gen *g)
{
	g->part = CF_PART_RETURN;
	g->abi = -1;
	for (size_t q = 0; q < g->nsh && !g->oom; q++) {
		if (!g->sh[q].label || g->sh[q].placed)
			continue;
		place(g, g->sh[q].label);
		g->sh[q].placed = true;
		gen_sys(g, &g->sh[q].r);
		g->body = -1;
	}
	for (size_t l = 1; l < g->nlb; l++) {
		if (!g->lb[l].is_ret || g->lb[l].local || !g->lb[l].refs)
			continue;
		place(g, (int)l);
		emit_ret(g, g->lb[l].action);
	}
}

void gen_program(struct gen *g, const struct cf_ir *ir)
{
	uint32_t audits[32];
	int labels[32];
	size_t na = collect_audits(ir, audits);
	int kill;

	g->cur = ST_UNK;
	g->part = CF_PART_ARCH;
	g->abi = -1;
	load(g, (uint32_t)OFF_ARCH);
	kill = ret_label(g, CF_RET_KILL_THREAD);
	if (!na)
		emit_ret(g, CF_RET_KILL_THREAD);
	count_shared(g, ir, audits, na);
	if (g->opt) {
		emit_searches_inline(g, ir, audits, na, kill);
	} else {
		for (size_t i = 0; i < na; i++) {
			labels[i] = new_label(g);
			emit_jmp(g, BPF_JEQ, audits[i], labels[i],
				 i + 1 == na ? kill : NEXT);
		}
		for (size_t i = 0; i < na && !g->oom; i++) {
			place(g, labels[i]);
			emit_abi_search(g, ir, audits[i]);
		}
	}
	emit_returns(g);
}
