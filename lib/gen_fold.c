/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_fold.c - size first: x32's numbers folded onto x86_64's.
 *
 * x32's syscall numbers are x86_64's with CF_X32_BIT set, and most
 * argument-free calls decide alike on both ABIs: libseccomp's linear
 * program (and the size-first search) test each of them twice, once
 * per ABI. Folded, the search of the x86_64 audit arch is two:
 *
 *   the outer search, over the numbers as they are: every syscall with
 *     argument checks, and every number whose decision is not the one
 *     its partner (the number with CF_X32_BIT flipped) is folded to;
 *     all other numbers go to the fold (its background, mostly);
 *   fold: and #~CF_X32_BIT; the folded search, over the numbers of
 *     [0, CF_X32_BIT) and [0x80000000, 0xc0000000), each pair's
 *     decision once; numbers the outer search decides itself (a pair of
 *     syscalls with checks) and those no masked number is are free: they
 *     take a neighbour's decision.
 *
 * A number and its partner are decided alike by the outer search and
 * the fold, so the program decides as the ranges do. Argument-free
 * paths of x86_64 and x32 get longer by the outer search and the AND;
 * argument-checked ones shorter (fewer numbers before them). The
 * kernel's action cache emulates the AND (cf_bpf_cacheable).
 */
#include "gen_internal.h"
#include "gen_scratch.h"
#include "syscalls.h"

/* A decision no profile has (no SECCOMP_RET action is 1 or 2): "go to
 * the fold" in the outer search, "free" in the folded one. */
#define FOLD_FREE 0x00020000U

/* fold_push and pair_side run a few times per piece of a sweep (two
 * sweeps a compile): inlined, pair_side's side and policy fold away
 * (share3-1000: fold_ranges 99.2 k -> 59.6 k instructions, callgrind) */
#define FOLD_INL inline __attribute__((always_inline))

/* Appends r's [lo, hi] to out (*n), merging it with the last range
 * when both are argument-free with one decision and adjacent. */
static FOLD_INL void fold_push(struct grange *out, size_t *n,
			       const struct grange *r, uint32_t lo, uint32_t hi,
			       uint32_t action)
{
	if (!r && *n) {
		struct grange *last = &out[*n - 1];

		if (!last->sys && last->action == action &&
		    last->hi + 1 == lo) {
			last->hi = hi;
			return;
		}
	}
	if (r)
		out[*n] = *r;
	else
		out[*n] = (struct grange){0, 0, action, NULL, NULL};
	out[*n].lo = lo;
	out[*n].hi = hi;
	(*n)++;
}

/* The index of the range of r[0..n-1] holding v. */
static size_t range_index(const struct grange *r, size_t n, uint32_t v)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (r[m].hi < v)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

enum fold_side { FOLD_LOW, FOLD_HIGH, FOLD_FOLDED };

/* Where the two numbers of a pair are argument-free and differ, the
 * fold decides as the one without CF_X32_BIT or as the one with it;
 * fold_ranges keeps the plan of the fewest ranges (the corpus and 100
 * random profiles, both modes: 216,891 instructions without the bit,
 * 216,757 the fewer of both; deciding as the narrower range of the two
 * took no profile shorter). */
enum fold_policy { FOLD_AS_LOW, FOLD_AS_HIGH };

static FOLD_INL const struct grange *
pair_side(const struct grange *a, const struct grange *b, enum fold_side side,
	  enum fold_policy pol, uint32_t *action);

/* The decision of side for the pair (a, b) (a: the number without
 * CF_X32_BIT): a syscall's range, or NULL and an argument-free action
 * in *action (CF_GEN_FOLD: the fold's). The fold decides as a, as b
 * where a has checks, and as pol says where both are argument-free. */
static const struct grange *pair_side(const struct grange *a,
				      const struct grange *b,
				      enum fold_side side, enum fold_policy pol,
				      uint32_t *action)
{
	const struct grange *own = side == FOLD_LOW ? a : b;
	bool differ = !a->sys && !b->sys && a->action != b->action;
	bool as_b = a->sys || (differ && pol == FOLD_AS_HIGH);

	*action = CF_GEN_FOLD;
	if (side == FOLD_FOLDED) {
		*action = a->sys && b->sys ? FOLD_FREE
			  : as_b	   ? b->action
					   : a->action;
		return NULL;
	}
	if (own->sys)
		return own;
	if (differ && (side == FOLD_LOW) == as_b)
		*action = own->action;
	return NULL;
}

/* What a sweep writes: the outer search's ranges without CF_X32_BIT
 * and with it (appended behind them by fold_plan_of), the folded
 * search's. */
struct fold_out {
	struct grange *low, *high, *folded;
	size_t nlow, nhigh, nfolded;
};

/* The pairs of [lo, hi] (no CF_X32_BIT in it) into o. */
static void fold_sweep(const struct grange *r, size_t n, uint32_t lo,
		       uint32_t hi, enum fold_policy pol, struct fold_out *o)
{
	const uint32_t bit = CF_X32_BIT;
	size_t ia = range_index(r, n, lo), ib = range_index(r, n, lo | bit);
	uint64_t x = lo;

	while (x <= hi) {
		uint32_t v = (uint32_t)x, e, action;
		const struct grange *a, *b, *own;

		while (ia + 1 < n && r[ia].hi < v)
			ia++;
		while (ib + 1 < n && r[ib].hi < (v | bit))
			ib++;
		a = &r[ia];
		b = &r[ib];
		e = a->hi < b->hi - bit ? a->hi : b->hi - bit;
		if (e > hi)
			e = hi;
		own = pair_side(a, b, FOLD_LOW, pol, &action);
		fold_push(o->low, &o->nlow, own, v, e, action);
		own = pair_side(a, b, FOLD_HIGH, pol, &action);
		fold_push(o->high, &o->nhigh, own, v | bit, e | bit, action);
		pair_side(a, b, FOLD_FOLDED, pol, &action);
		fold_push(o->folded, &o->nfolded, NULL, v, e, action);
		x = (uint64_t)e + 1;
	}
}

/* o's ranges with CF_X32_BIT behind those without it. */
static void fold_append_high(struct fold_out *o)
{
	for (size_t i = 0; i < o->nhigh; i++) {
		const struct grange *h = &o->high[i];

		fold_push(o->low, &o->nlow, h->sys ? h : NULL, h->lo, h->hi,
			  h->action);
	}
	o->nhigh = 0;
}

/* The free ranges of the folded search take a neighbour's decision:
 * the one on both sides, else the one before (the first: after). */
static size_t fold_free(struct grange *f, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t action = f[i].action;

		if (action == FOLD_FREE) {
			if (i + 1 < n &&
			    (!m || f[i + 1].action == f[m - 1].action))
				action = f[i + 1].action;
			else if (m)
				action = f[m - 1].action;
		}
		fold_push(f, &m, NULL, f[i].lo, f[i].hi, action);
	}
	return m;
}

/* Whether no range of r[0..n-1] has the fold's decisions. */
static bool foldable(const struct grange *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].action == CF_GEN_FOLD || r[i].action == FOLD_FREE)
			return false;
	return true;
}

/* p's ranges of r[0..n-1] with policy pol (high: scratch). */
static void fold_plan_of(const struct grange *r, size_t n, enum fold_policy pol,
			 struct fold_plan *p, struct grange *high)
{
	const uint32_t bit = CF_X32_BIT, half = 0x80000000U;
	struct fold_out o = {p->outer, high, p->folded, 0, 0, 0};

	fold_sweep(r, n, 0, bit - 1, pol, &o);
	fold_append_high(&o);
	fold_push(o.folded, &o.nfolded, NULL, bit, half - 1, FOLD_FREE);
	fold_sweep(r, n, half, half + bit - 1, pol, &o);
	fold_append_high(&o);
	fold_push(o.folded, &o.nfolded, NULL, half + bit, UINT32_MAX,
		  FOLD_FREE);
	p->nouter = o.nlow;
	p->nfolded = fold_free(o.folded, o.nfolded);
}

/* The outer and folded ranges of r[0..n-1] (the x86_64 audit arch's),
 * in g's scratch, of the policy that leaves the fewest; false when r
 * has a decision of the fold's own. */
bool fold_ranges(struct gen *g, const struct grange *r, size_t n,
		 struct fold_plan *p)
{
	struct fold_plan q;
	struct grange *high;

	if (!n || !foldable(r, n))
		return false;
	/* a sweep's pieces: at most a range's of either side each */
	p->outer = cf_scratch_raw(g->tmp, 4 * n + 8, sizeof(*p->outer));
	p->folded = cf_scratch_raw(g->tmp, 4 * n + 8, sizeof(*p->folded));
	q.outer = cf_scratch_raw(g->tmp, 4 * n + 8, sizeof(*q.outer));
	q.folded = cf_scratch_raw(g->tmp, 4 * n + 8, sizeof(*q.folded));
	high = cf_scratch_raw(g->tmp, 4 * n + 8, sizeof(*high));
	if (!p->outer || !p->folded || !q.outer || !q.folded || !high) {
		g->oom = true;
		return false;
	}
	fold_plan_of(r, n, FOLD_AS_LOW, p, high);
	fold_plan_of(r, n, FOLD_AS_HIGH, &q, high);
	if (q.nouter + q.nfolded < p->nouter + p->nfolded)
		*p = q;
	return true;
}
