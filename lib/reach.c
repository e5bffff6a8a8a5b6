/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reach.c - which calls reach an argument rule of a syscall, given the
 * rules before it (check.c's shadowed-rule and int-arg-* lints).
 *
 * Everything rests on one question per argument: which values tell the
 * conditions on it apart? For <, <=, ==, >=, > and != the points
 * {0, d, d + 1} of their data do (the truth of each is constant between
 * them); with MASKED_EQ a walk over the bits of the value does (one value
 * per combination of truth values the conditions can take together).
 */
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "reach.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

bool cf_chain_holds_on(const struct cf_arch *ar, const struct cf_ir_chain *c,
		       unsigned arg, uint64_t v)
{
	for (size_t i = 0; i < c->nconds; i++)
		if (c->conds[i].arg == arg &&
		    !cf_ir_cond_match(ar, &c->conds[i], v))
			return false;
	return true;
}

/* ---- reaching a chain ---------------------------------------------------
 * Which calls reach chain j of a syscall, given that chains 0..j-1 come
 * first? Argument by argument, the values of the bit walk below (one per
 * combination of truth values the conditions on that argument can take)
 * are tried, keeping the sets of earlier chains still matching: a call
 * reaches chain j iff some path leaves none. Exact for every operator.
 * Without a MASKED_EQ on the argument the conditions' points {0, d, d + 1}
 * serve instead (the truth of <, <=, ==, >=, >, != is constant between
 * them: exact too, and much cheaper). Where the walk gives up (more than
 * CF_SIG_STATES states or CF_SIG_CONDS conditions on one argument) those
 * points are only a sample for MASKED_EQ, and an inexact "never reached"
 * is not reported: the analysis errs towards silence, never towards a
 * false warning. */

#define CF_MASKS_MAX 256

void cf_vals_add(struct cf_vals *c, uint64_t v)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i] == v)
			return;
	if (c->n < CF_VALS_MAX)
		c->v[c->n++] = v;
	else
		c->exact = false;
}

static uint64_t cmp_width(const struct cf_arch *ar)
{
	return ar->cmp_bits == 64 ? UINT64_MAX : UINT32_MAX;
}

/* The values of argument arg that tell the chain's conditions apart;
 * with only (may be NULL), only those on which that chain holds. */
void cf_vals_points(struct cf_vals *c, const struct cf_arch *ar,
		    const struct cf_ir_chain *ch, unsigned arg,
		    const struct cf_ir_chain *only)
{
	for (size_t i = 0; i < ch->nconds; i++) {
		const struct cf_cond *k = &ch->conds[i];
		uint64_t w = cf_cond_wide(ar, k) ? cmp_width(ar) : UINT32_MAX;
		uint64_t d = k->datum & w, v[3];
		size_t n = 2;

		if (k->arg != arg)
			continue;
		v[0] = d;
		v[1] = (d + 1) & w;
		if (k->op == CF_OP_MASKED_EQ) {
			uint64_t want = k->datum2 & d;

			v[0] = want;
			v[1] = want | (~d & w);
			v[2] = want ^ d;
			n = 3;
			c->exact = false;
		}
		for (size_t j = 0; j < n; j++)
			if (!only || cf_chain_holds_on(ar, only, arg, v[j]))
				cf_vals_add(c, v[j]);
	}
}

/* ---- the values that tell an argument's conditions apart --------------
 * A walk over the bits of a value, highest first, keeping for every
 * condition how the bits so far stand against it (a comparison: equal so
 * far, below or above its datum; MASKED_EQ: matching so far or not) and
 * one value per distinct state. The final states are exactly the
 * combinations of truth values the conditions can take together, each
 * with a value that has it, so trying those values is exhaustive for
 * every operator. In pair mode a second state follows the same value with
 * its upper 32 bits cleared (an int argument as the kernel reads it).
 * Past CF_SIG_STATES states (or CF_SIG_CONDS conditions) it gives up and
 * the callers fall back to a sample. */

#define CF_SIG_CONDS 64
#define CF_SIG_STATES 512
#define CF_SIG_SLOTS 2048

/* A state: a bit per condition (condition i is bit i). eq: equal to its
 * datum so far (a MASKED_EQ: matching so far); above: went above it (a
 * condition neither equal nor above went below, or a MASKED_EQ failed).
 * eq_low, above_low: pair mode's value with its upper half cleared, else
 * 0. The conditions' states in words, so a step, the dead test, the
 * hash and the comparison of two states take a few word operations each,
 * not one per condition (gen-1000's rule lints: sig_run 90.5 M
 * instructions with a byte per condition, callgrind). */
struct sig_state {
	uint64_t eq, above, eq_low, above_low;
};

struct cf_walk {
	const struct cf_cond *c[CF_SIG_CONDS];
	bool need[CF_SIG_CONDS]; /* states where it surely fails are dropped */
	size_t n;
	unsigned bits; /* 64, or 32 on 32-bit-compare ABIs */
	bool pair;
	/* two generations of states and their values */
	struct sig_state st[2][CF_SIG_STATES];
	uint64_t val[2][CF_SIG_STATES];
	uint16_t slot[CF_SIG_SLOTS]; /* state index + 1, valid if stamped */
	uint32_t stamp[CF_SIG_SLOTS], now;
};

/* The walk's conditions as sets, a bit per condition. */
struct sig_sets {
	uint64_t all, need, masked;
	uint64_t eq, ne, lt, le, gt, ge; /* by operator; eq: MASKED_EQ too */
	uint64_t busy;	/* bits where x = 0 would settle some condition */
	uint64_t edges; /* bit k: some MASKED_EQ masks bit k, not k + 1, or
			   the reverse */
};

/* What x at bit b does to the conditions still equal: zero_kill settles
 * them below (or fails them) for x = 0; for x = 1, one_up settles them
 * above, one_kill fails them. */
struct sig_column {
	uint64_t zero_kill, one_up, one_kill;
};

static void sig_sets_of(const struct cf_walk *w, struct sig_sets *z)
{
	*z = (struct sig_sets){0};
	for (size_t i = 0; i < w->n; i++) {
		const struct cf_cond *c = w->c[i];
		uint64_t bit = 1ULL << i;

		z->all |= bit;
		z->need |= w->need[i] ? bit : 0;
		switch ((enum cf_op)c->op) {
		case CF_OP_MASKED_EQ:
			z->masked |= bit;
			z->eq |= bit;
			z->busy |= c->datum & c->datum2;
			z->edges |= c->datum ^ (c->datum >> 1);
			continue;
		case CF_OP_EQ:
			z->eq |= bit;
			break;
		case CF_OP_NE:
			z->ne |= bit;
			break;
		case CF_OP_LT:
			z->lt |= bit;
			break;
		case CF_OP_LE:
			z->le |= bit;
			break;
		case CF_OP_GT:
			z->gt |= bit;
			break;
		case CF_OP_GE:
			z->ge |= bit;
			break;
		default: /* never true: fails its chain (sig_truth) */
			break;
		}
		z->busy |= c->datum;
	}
}

static struct sig_column sig_column_of(const struct cf_walk *w,
				       const struct sig_sets *z, unsigned b)
{
	struct sig_column k = {0, 0, 0};

	for (size_t i = 0; i < w->n; i++) {
		const struct cf_cond *c = w->c[i];
		uint64_t bit = 1ULL << i, d = c->datum >> b & 1;

		if (z->masked & bit) {
			if (!d)
				continue;
			if (c->datum2 >> b & 1)
				k.zero_kill |= bit;
			else
				k.one_kill |= bit;
		} else if (d) {
			k.zero_kill |= bit;
		} else {
			k.one_up |= bit;
		}
	}
	return k;
}

/* One condition-set half (eq, above) after x at a bit of column k. */
static void sig_step(const struct sig_column *k, unsigned x, uint64_t *eq,
		     uint64_t *above)
{
	if (!x) {
		*eq &= ~k->zero_kill;
		return;
	}
	*above |= *eq & k->one_up;
	*eq &= ~(k->one_up | k->one_kill);
}

/* A needed condition that no further bit can make true. */
static bool sig_dead(const struct sig_sets *z, const struct sig_state *s)
{
	uint64_t settled = z->all & ~s->eq, below = settled & ~s->above;

	return z->need & ((settled & z->eq) | (s->above & (z->lt | z->le)) |
			  (below & (z->gt | z->ge)));
}

/* The conditions true at the end of the walk, in state s. */
static uint64_t sig_truth(const struct sig_sets *z, const struct sig_state *s)
{
	uint64_t settled = z->all & ~s->eq, below = settled & ~s->above;

	return (z->ne & settled) | (z->lt & below) | (z->le & ~s->above) |
	       (z->eq & s->eq) | (z->ge & ~below) | (z->gt & s->above);
}

/* Adds (s, v) to generation g unless its state is there; false when
 * full. */
static bool sig_add(struct cf_walk *w, size_t *n, int g,
		    const struct sig_state *s, uint64_t v)
{
	uint64_t x = (s->eq * 0x9e3779b97f4a7c15ULL) ^
		     (s->above * 0xc2b2ae3d27d4eb4fULL) ^
		     (s->eq_low * 0x165667b19e3779f9ULL) ^
		     (s->above_low * 0x27d4eb2f165667c5ULL);
	uint32_t h = (uint32_t)(x >> 32 ^ x);

	for (h &= CF_SIG_SLOTS - 1; w->stamp[h] == w->now;
	     h = (h + 1) & (CF_SIG_SLOTS - 1))
		if (!memcmp(&w->st[g][w->slot[h] - 1], s, sizeof(*s)))
			return true;
	if (*n == CF_SIG_STATES)
		return false;
	w->st[g][*n] = *s;
	w->val[g][*n] = v;
	w->slot[h] = (uint16_t)++ * n;
	w->stamp[h] = w->now;
	return true;
}

/* The lowest bit of the run of bits from b down that the walk can take
 * as one: bits where x = 0 keeps every state and x = 1 does the same
 * thing (every unsettled ordered or equality condition goes above its
 * datum, the same MASKED_EQs fail), on one side of bit 32 (pair mode's
 * low half takes x = 0 above it). Such a run leaves the same states, in
 * the same order, with the same values, as its lowest bit alone with
 * the bits above it 0: x = 0 changes nothing, and a state's first x = 1
 * gives what any later one would, so each generation of the run is the
 * one before it with x = 1 taken at a lower bit. The condition data of
 * recorded and generated profiles are mostly small numbers, so the bits
 * above them are one run (gen-1000's rule lints: sig_run 125.2 M
 * instructions before, 90.5 M after, callgrind). */
static unsigned sig_run_low(const struct sig_sets *z, unsigned b)
{
	unsigned lo = b;

	if (z->busy >> b & 1)
		return b;
	while (lo > 0 && lo != 32 && !(z->busy >> (lo - 1) & 1) &&
	       !(z->edges >> (lo - 1) & 1))
		lo--;
	return lo;
}

/* Generation g's states after bit b (column k): generation !g; false
 * when it would not fit. */
static bool sig_bit(struct cf_walk *w, const struct sig_sets *z, int g,
		    size_t *n, unsigned b)
{
	struct sig_column k = sig_column_of(w, z, b);
	size_t m = 0;

	if (++w->now == 0) { /* wrapped: start the stamps again */
		memset(w->stamp, 0, sizeof(w->stamp));
		w->now = 1;
	}
	for (size_t i = 0; i < *n; i++)
		for (unsigned x = 0; x < 2; x++) {
			struct sig_state s = w->st[g][i];

			sig_step(&k, x, &s.eq, &s.above);
			if (w->pair) /* the cleared value's upper bits are 0 */
				sig_step(&k, b < 32 ? x : 0, &s.eq_low,
					 &s.above_low);
			if (sig_dead(z, &s))
				continue;
			if (!sig_add(w, &m, !g, &s,
				     w->val[g][i] | (uint64_t)x << b))
				return false;
		}
	*n = m;
	return true;
}

static bool sig_run(struct cf_walk *w, struct cf_vals *out, size_t *work)
{
	size_t n = 1, len = w->pair ? 2 * w->n : w->n;
	struct sig_sets z;
	int g = 0;

	sig_sets_of(w, &z);
	w->st[0][0] = (struct sig_state){z.all, 0, w->pair ? z.all : 0, 0};
	w->val[0][0] = 0;
	for (unsigned b = w->bits; b-- > 0;) {
		b = sig_run_low(&z, b);
		if (n * len * 2 > *work)
			return false;
		*work -= n * len * 2;
		if (!sig_bit(w, &z, g, &n, b))
			return false;
		g = !g;
	}
	out->n = 0;
	out->exact = true;
	for (size_t k = 0; k < n; k++) {
		if (z.need & ~sig_truth(&z, &w->st[g][k]))
			continue;
		if (out->n == CF_VALS_MAX)
			return false;
		out->v[out->n++] = w->val[g][k];
	}
	return true;
}

/* Is any of the walk's conditions a MASKED_EQ? Without one the
 * conditions' points {0, d, d + 1} are exact too, and much cheaper. */
static bool sig_masked(const struct cf_walk *w)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->c[i]->op == CF_OP_MASKED_EQ)
			return true;
	return false;
}

/* Adds the conditions of ch on arg to the walk; false when too many. */
static bool sig_conds(struct cf_walk *w, const struct cf_ir_chain *ch,
		      unsigned arg, bool need)
{
	for (size_t i = 0; i < ch->nconds; i++) {
		if (ch->conds[i].arg != arg)
			continue;
		if (w->n == CF_SIG_CONDS)
			return false;
		w->need[w->n] = need;
		w->c[w->n++] = &ch->conds[i];
	}
	return true;
}

/* Keeps the values on which ch holds. */
static void vals_filter(struct cf_vals *c, const struct cf_arch *ar,
			const struct cf_ir_chain *ch, unsigned arg)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (cf_chain_holds_on(ar, ch, arg, c->v[i]))
			c->v[n++] = c->v[i];
	c->n = n;
}

static bool mask_add(uint64_t *set, size_t *n, uint64_t m)
{
	for (size_t i = 0; i < *n; i++)
		if (set[i] == m)
			return true;
	if (*n == CF_MASKS_MAX)
		return false;
	set[(*n)++] = m;
	return true;
}

/* One argument: every set of still-matching earlier chains a value of it
 * can leave, from every set in cur. */
static bool reach_arg(const struct cf_arch *ar, const struct cf_ir_sys *s,
		      size_t j, unsigned arg, const struct cf_vals *c,
		      const uint64_t *cur, size_t ncur, uint64_t *next,
		      size_t *nnext)
{
	const struct cf_ir_chain *b = &s->chains[j];

	*nnext = 0;
	for (size_t k = 0; k < c->n; k++) {
		uint64_t holds = 0; /* the earlier chains this value keeps */

		if (!cf_chain_holds_on(ar, b, arg, c->v[k]))
			continue;
		/* (once per value, not per set: the sets are of chains
		 * 0..j-1 only. Gain: the rule lints of gen-1000 181 M
		 * instructions instead of 209 M, callgrind) */
		for (size_t i = 0; i < j; i++)
			if (cf_chain_holds_on(ar, &s->chains[i], arg, c->v[k]))
				holds |= 1ULL << i;
		for (size_t m = 0; m < ncur; m++)
			if (!mask_add(next, nnext, cur[m] & holds))
				return false;
	}
	return true;
}

/* --harden: are s's conditions on arg compared on the low word only?
 * (all or none of them: the width is the syscall's, cf_ir_harden) */
bool cf_low32_arg(const struct cf_ir_sys *s, unsigned arg)
{
	for (size_t i = 0; i < s->nchains; i++)
		for (unsigned j = 0; j < s->chains[i].nconds; j++)
			if (s->chains[i].conds[j].arg == arg)
				return s->chains[i].conds[j].low32;
	return false;
}

/* The walk's values of arg for chain j (and also), given chains 0..j. */
static bool walk_reach(struct cf_walk *w, const struct cf_arch *ar,
		       const struct cf_ir_sys *s, size_t j,
		       const struct cf_ir_chain *also, unsigned arg,
		       struct cf_vals *c, size_t *work)
{
	bool ok = w != NULL;

	if (!ok)
		return false;
	w->n = 0;
	w->bits = ar->cmp_bits == 64 && !cf_low32_arg(s, arg) ? 64 : 32;
	w->pair = false;
	for (size_t i = 0; i <= j && ok; i++)
		ok = sig_conds(w, &s->chains[i], arg, i == j);
	if (ok && also)
		ok = sig_conds(w, also, arg, true);
	return ok && sig_masked(w) && sig_run(w, c, work);
}

/* Is chain j reached by a call on which also (NULL: no condition) holds?
 * work: what is left of the caller's budget (conditions evaluated). */
static enum cf_reach reach_with(const struct cf_arch *ar,
				const struct cf_ir_sys *s, size_t j,
				const struct cf_ir_chain *also,
				struct cf_walk *w, size_t *work)
{
	uint64_t a[CF_MASKS_MAX], b[CF_MASKS_MAX], *cur = a, *next = b;
	size_t ncur = 1, nnext;
	bool exact = true;

	if (j >= 64)
		return CF_REACH_UNKNOWN;
	cur[0] = j ? (1ULL << j) - 1 : 0;
	for (unsigned arg = 0; arg < 6; arg++) {
		struct cf_vals c;
		bool any = false;

		c.n = 0;
		c.exact = true;
		for (size_t i = 0; i <= j + !!also; i++) {
			const struct cf_ir_chain *ch =
			    i <= j ? &s->chains[i] : also;

			for (size_t k = 0; k < ch->nconds; k++)
				any |= ch->conds[k].arg == arg;
		}
		if (!any)
			continue; /* no condition on it */
		if (!walk_reach(w, ar, s, j, also, arg, &c, work)) {
			c.n = 0;
			c.exact = true;
			for (size_t i = 0; i <= j + !!also; i++)
				cf_vals_points(&c, ar,
					       i <= j ? &s->chains[i] : also,
					       arg, &s->chains[j]);
		}
		cf_vals_add(&c, 0);
		if (also)
			vals_filter(&c, ar, also, arg);
		vals_filter(&c, ar, &s->chains[j], arg);
		exact &= c.exact;
		if (c.n * ncur * (j + 1) > *work)
			return CF_REACH_UNKNOWN;
		*work -= c.n * ncur * (j + 1);
		if (!reach_arg(ar, s, j, arg, &c, cur, ncur, next, &nnext))
			return CF_REACH_UNKNOWN;
		cur = cur == a ? b : a;
		next = next == a ? b : a;
		ncur = nnext;
	}
	for (size_t m = 0; m < ncur; m++)
		if (!cur[m])
			return CF_REACHED;
	if (!exact)
		return CF_REACH_UNKNOWN;
	return ncur ? CF_SHADOWED : CF_NEVER_HOLDS;
}

/* The points first (a call they find is a real one); the walk only to
 * prove what they cannot. */
enum cf_reach cf_chain_reach(const struct cf_arch *ar,
			     const struct cf_ir_sys *s, size_t j,
			     const struct cf_ir_chain *also, struct cf_walk *w,
			     size_t *work)
{
	enum cf_reach r = reach_with(ar, s, j, also, NULL, work);

	return r == CF_REACH_UNKNOWN && w ? reach_with(ar, s, j, also, w, work)
					  : r;
}

/* Mapped, not calloc'd: zero pages that are faulted in only where the
 * walk writes, which on most profiles is a few of its 14 pages, whatever
 * malloc's thresholds (the command line keeps freed memory in its heap,
 * where a calloc of this size is cleared whole: Docker's default had 19
 * more page faults a compile that way). */
struct cf_walk *cf_walk_new(void)
{
	void *w = mmap(NULL, sizeof(struct cf_walk), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return w == MAP_FAILED ? NULL : w;
}

void cf_walk_free(struct cf_walk *w)
{
	if (w)
		munmap(w, sizeof(*w));
}

bool cf_walk_sys(struct cf_walk *w, const struct cf_ir_sys *s, unsigned arg,
		 bool pair, struct cf_vals *out, size_t *work)
{
	bool ok = w != NULL;

	if (!ok)
		return false;
	w->n = 0;
	w->bits = 64;
	w->pair = pair;
	for (size_t j = 0; j < s->nchains && ok; j++)
		ok = sig_conds(w, &s->chains[j], arg, false);
	return ok && sig_masked(w) && sig_run(w, out, work);
}

/* ---- equality-only syscalls: every chain at once ------------------------
 * When every condition of every chain is an EQ, and no chain tests an
 * argument twice, chain i's calls are the points of the arguments it
 * fixes (compared at the argument's width). Chain j is then shadowed iff
 * one earlier chain alone covers it: i fixes a subset of j's (argument,
 * value) pairs. Otherwise each earlier chain either conflicts with j or
 * fixes an argument j leaves free, and a call fixing j's arguments and
 * giving every other argument a value none of those chains names (fewer
 * chains than 2^32 values) reaches j. So: one hash index of the
 * chains' keys, and per chain a lookup of each subset of its pairs.
 * Measured (callgrind --toggle-collect=cf_lint_rules, `callfence
 * compile build/bench/corpus/valueset-1000.json`, 2-core VM, 2026-12-04):
 * the rule lints went from 21.1 M to 3.1 M instructions (share3-1000:
 * 24.9 M to 3.2 M); the general walk stays for every other syscall. */

struct eq_key {
	uint64_t val[6]; /* by argument; 0 where not fixed */
	uint8_t args;	 /* bit per fixed argument */
};

/* Chain c as a key (values at each argument's width); false if it has a
 * condition other than EQ, tests an argument twice, or compares an
 * argument at another width than an earlier chain (low32: per argument,
 * -1 until seen). */
static bool eq_key_of(const struct cf_arch *ar, const struct cf_ir_chain *c,
		      int8_t low32[6], struct eq_key *k)
{
	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < c->nconds; i++) {
		const struct cf_cond *d = &c->conds[i];
		uint64_t w = cf_cond_wide(ar, d) ? cmp_width(ar) : UINT32_MAX;

		if (d->op != CF_OP_EQ || d->arg > 5 || (k->args >> d->arg & 1))
			return false;
		if (low32[d->arg] < 0)
			low32[d->arg] = (int8_t)d->low32;
		if (low32[d->arg] != (int8_t)d->low32)
			return false;
		k->args |= (uint8_t)(1U << d->arg);
		k->val[d->arg] = d->datum & w;
	}
	return true;
}

static uint64_t eq_hash(const struct eq_key *k)
{
	uint64_t h = k->args;

	for (int i = 0; i < 6; i++)
		if (k->args >> i & 1)
			h = (h ^ k->val[i]) * 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 29;
}

/* cf_index callbacks over the keys (ctx), entry e being chain e - 1 */
static uint64_t eq_entry_hash(const void *ctx, int e)
{
	return eq_hash(&((const struct eq_key *)ctx)[e - 1]);
}

static bool eq_entry_same(const void *ctx, int e, const void *key)
{
	const struct eq_key *a = &((const struct eq_key *)ctx)[e - 1], *b = key;

	return a->args == b->args && !memcmp(a->val, b->val, sizeof(a->val));
}

/* Whether an earlier chain (one in the index) fixes exactly the pairs of
 * k on the arguments of sub. */
static bool eq_earlier(const int *slot, size_t cap, const struct eq_key *keys,
		       const struct eq_key *k, uint8_t sub)
{
	struct eq_key q = {.args = sub};

	for (int i = 0; i < 6; i++)
		q.val[i] = sub >> i & 1 ? k->val[i] : 0;
	return slot[cf_index_find(slot, cap, eq_hash(&q), eq_entry_same, keys,
				  &q)] != 0;
}

/* The chains' keys in a hash index, each added after its own lookups, so
 * that what a lookup finds is an earlier chain. Gain: the rule lints
 * (callgrind --toggle-collect=cf_lint_rules, `callfence compile`,
 * 2026-12-04) of valueset-1000 1.87 M instructions instead of 2.92 M with
 * a sorted table (qsort, a binary search per subset), share3-1000 1.95 M
 * instead of 3.02 M, actions-1000 5.90 M instead of 7.09 M; the
 * diagnostics of `check` and `check --strict` alike on the corpus and
 * the reference profiles. */
bool cf_eq_reach(const struct cf_arch *ar, const struct cf_ir_sys *s,
		 enum cf_reach *out)
{
	int8_t low32[6] = {-1, -1, -1, -1, -1, -1};
	size_t n = s->nchains, cap = 0;
	struct eq_key *keys =
	    n < INT32_MAX ? malloc((n ? n : 1) * sizeof(*keys)) : NULL;
	int *slot = NULL;
	bool ok = keys != NULL;

	for (size_t j = 0; j < n && ok; j++)
		ok = eq_key_of(ar, &s->chains[j], low32, &keys[j]);
	/* (an empty index: nothing to place again, no key to read) */
	ok = ok &&
	     !cf_index_reserve(&slot, &cap, n ? n : 1, 16, eq_entry_hash, NULL);
	for (size_t j = 0; j < n && ok; j++) {
		uint8_t all = keys[j].args, sub = all;
		size_t at;

		out[j] = CF_REACHED;
		do { /* every subset of j's arguments, all of them first */
			if (eq_earlier(slot, cap, keys, &keys[j], sub)) {
				out[j] = CF_SHADOWED;
				break;
			}
			sub = (uint8_t)((sub - 1) & all);
		} while (sub != all);
		at = cf_index_find(slot, cap, eq_hash(&keys[j]), eq_entry_same,
				   keys, &keys[j]);
		if (!slot[at])
			slot[at] = (int)j + 1;
	}
	free(slot);
	free(keys);
	return ok;
}

/* Two EQs on one argument: either one's datum satisfies the other (a
 * call matches both) or their sets of values are disjoint, whatever the
 * widths (a 64-bit EQ matches its datum alone, a 32-bit one every value
 * with the datum's low word). */
bool cf_eq_disjoint(const struct cf_arch *ar, const struct cf_ir_chain *a,
		    const struct cf_ir_chain *b)
{
	for (size_t i = 0; i < a->nconds; i++)
		for (size_t j = 0; j < b->nconds; j++) {
			const struct cf_cond *x = &a->conds[i];
			const struct cf_cond *y = &b->conds[j];

			if (x->op == CF_OP_EQ && y->op == CF_OP_EQ &&
			    x->arg == y->arg &&
			    !cf_ir_cond_match(ar, x, y->datum) &&
			    !cf_ir_cond_match(ar, y, x->datum))
				return true;
		}
	return false;
}
