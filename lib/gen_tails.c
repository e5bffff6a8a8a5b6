/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_tails.c - code emitted once wherever it is the same (opt:
 * cf_gen_opts.no_shared_tails).
 *
 * The code that runs from an instruction on -- the instruction, then
 * whatever it jumps or falls to, down to the returns -- is a graph with
 * no cycle (every jump is forward). Two instructions whose graphs are the
 * same compute the same thing from the same machine state: the same
 * loads, the same compares, the same return. So a jump into one may as
 * well land on the other. This pass numbers every instruction's graph
 * (hash-consing, from the last instruction up: an instruction's number
 * comes from its operation and the numbers of its successors; a JA has
 * its target's number; a jump's side into a RET is the RET's number),
 * keeps the last instruction of each number, points every jump at it
 * and drops what nothing reaches any more. Every jump still goes
 * forward: it lands where it did or later. Every path runs the same
 * instructions as before, in the same order, with the same accumulator,
 * minus nothing and plus nothing (the layout may add a trampoline behind
 * a jump that became too long, as for any jump), so decisions, the
 * kernel's per-syscall action cache and the paths' lengths are kept.
 *
 * What it shares, without knowing why: the code of syscalls with the
 * same rules (also when the generator did not see it: a residue, a value
 * run, a fallback chain), one ABI's argument code and another's
 * (x86_64's and x32's are the same instructions), and x86_64's low-word
 * code after its high-word check with x86's code for the same rules.
 *
 * Jumps into a RET are left alone (merge_rets and the layout handle
 * returns); so is an instruction entered by falling through a load: its
 * copy stays where the load needs it.
 */
#include "gen_internal.h"
#include "gen_scratch.h"

/* An instruction's graph: its operation and its successors' numbers. */
struct tkey {
	uint16_t code;
	uint32_t k;
	uint32_t t, f; /* successors' numbers (0: none) */
};

struct tails {
	struct tkey *key; /* by number (1 based) */
	size_t *last;	  /* by number: the last instruction with it */
	int *slot;	  /* cf_index: number, 0 = empty */
	size_t cap, nkeys;
	uint32_t *num; /* by instruction: its number */
	int *label;    /* by instruction: a label on it, 0 = none yet */
};

static bool is_jump(const struct ginsn *in)
{
	return BPF_CLASS(in->code) == BPF_JMP;
}

static bool is_ja(const struct ginsn *in)
{
	return is_jump(in) && BPF_OP(in->code) == BPF_JA;
}

/* (the numbers do not depend on it: they are given in order of first
 * sight; one multiply per pair of words) */
static uint32_t key_hash(const struct tkey *k)
{
	uint64_t h = ((uint64_t)k->k << 16 | k->code) * 0x9e3779b97f4a7c15ULL ^
		     ((uint64_t)k->t << 32 | k->f) * 0xc2b2ae3d27d4eb4fULL;

	return (uint32_t)(h >> 32 ^ h);
}

static bool same_key(const void *ctx, int entry, const void *key)
{
	const struct tkey *o = &((const struct tails *)ctx)->key[entry];
	const struct tkey *k = key;

	return o->code == k->code && o->k == k->k && o->t == k->t &&
	       o->f == k->f;
}

/* The number of key k, a new one (last: at) if it has none yet (the
 * table has room: twice the instructions). */
static uint32_t intern(struct tails *t, const struct tkey *k, size_t at)
{
	size_t i = cf_index_find(t->slot, t->cap, key_hash(k), same_key, t, k);

	if (!t->slot[i]) {
		t->slot[i] = (int)++t->nkeys;
		t->key[t->nkeys] = *k;
		t->last[t->nkeys] = at;
	}
	return (uint32_t)t->slot[i];
}

/* Numbers every instruction's graph, from the last one up. */
static bool number_all(const struct gen *g, struct tails *t)
{
	for (size_t u = g->n; u-- > 0;) {
		const struct ginsn *in = &g->in[u];
		struct tkey k = {in->code, in->k, 0, 0};
		size_t to = label_target(g, u, in->jt);

		if (is_jump(in) && (to <= u || to >= g->n))
			return false; /* layout() reports it */
		if (is_ja(in)) {
			t->num[u] = t->num[to];
			continue;
		}
		if (is_jump(in)) {
			size_t tf = label_target(g, u, in->jf);

			if (tf <= u || tf >= g->n)
				return false;
			k.t = t->num[to];
			k.f = t->num[tf];
		} else if (BPF_CLASS(in->code) != BPF_RET) {
			if (u + 1 >= g->n)
				return false;
			k.t = t->num[u + 1];
		}
		t->num[u] = intern(t, &k, u);
	}
	return true;
}

/* A label on instruction at (the last copy of a graph), new if it has
 * none yet; l on OOM (g->oom is set). */
static int copy_label(struct gen *g, struct tails *t, size_t at, int l)
{
	int nl;

	if (t->label[at])
		return t->label[at];
	nl = new_label(g);
	if (!nl)
		return l;
	g->lb[nl].pos = at;
	t->label[at] = nl;
	return nl;
}

/* Where side l of instruction i should land: the last copy of its
 * target's graph, or l itself; marks it reached. */
static inline int retarget(struct gen *g, struct tails *t, size_t i, int l,
			   bool *reach)
{
	size_t to = label_target(g, i, l), at;

	if (BPF_CLASS(g->in[to].code) == BPF_RET ||
	    (at = t->last[t->num[to]]) == to) {
		reach[to] = true;
		return l;
	}
	reach[at] = true;
	return copy_label(g, t, at, l);
}

/* Drops the instructions no path reaches; moves the labels along. */
static void drop_dead(struct gen *g, const bool *reach, size_t *newpos)
{
	size_t w = 0;

	for (size_t u = 0; u <= g->n; u++) {
		newpos[u] = w;
		if (u < g->n && reach[u])
			g->in[w++] = g->in[u];
	}
	for (size_t l = 1; l < g->nlb; l++)
		if (g->lb[l].pos <= g->n)
			g->lb[l].pos = newpos[g->lb[l].pos];
	g->n = w;
}

/* Points the jumps at the last copies; marks what is reached. */
static void redirect(struct gen *g, struct tails *t, bool *reach)
{
	reach[0] = true;
	for (size_t u = 0; u < g->n; u++) {
		struct ginsn *in = &g->in[u];

		if (!reach[u])
			continue;
		if (is_jump(in)) {
			in->jt = retarget(g, t, u, in->jt, reach);
			if (!is_ja(in))
				in->jf = retarget(g, t, u, in->jf, reach);
		} else if (BPF_CLASS(in->code) != BPF_RET) {
			reach[u + 1] = true;
		}
	}
}

bool share_tails(struct gen *g)
{
	size_t n = g->n, mark = cf_scratch_mark(g->tmp);
	struct tails t = {.cap = 16};
	bool *reach;
	size_t *newpos;
	bool ok;

	if (!g->share_tails || n < 2)
		return true;
	while (t.cap < 2 * n)
		t.cap *= 2;
	/* the pass's scratch, given back behind it (slot, label and reach
	 * zeroed; the others written before they are read) */
	t.key = cf_scratch_raw(g->tmp, n + 1, sizeof(*t.key));
	t.last = cf_scratch_raw(g->tmp, n + 1, sizeof(*t.last));
	t.slot = cf_scratch_array(g->tmp, t.cap, sizeof(*t.slot));
	t.num = cf_scratch_raw(g->tmp, n + 1, sizeof(*t.num));
	t.label = cf_scratch_array(g->tmp, n + 1, sizeof(*t.label));
	reach = cf_scratch_array(g->tmp, n + 1, sizeof(*reach));
	newpos = cf_scratch_raw(g->tmp, n + 1, sizeof(*newpos));
	ok = t.key && t.last && t.slot && t.num && t.label && reach && newpos;
	/* a bad jump: leave the program as it is, the layout reports it */
	if (ok && number_all(g, &t)) {
		redirect(g, &t, reach);
		if (!g->oom)
			drop_dead(g, reach, newpos);
	}
	cf_scratch_rewind(g->tmp, mark);
	return ok && !g->oom;
}
