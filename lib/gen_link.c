/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_link.c - linking: lays the instruction list out, adds trampolines
 * behind jumps too far for 8 bits, merges returns (merge_rets), writes
 * the cf_prog.
 * The generator's files and passes in order: bpf_gen.c's first comment.
 */
#include "gen_internal.h"
#include "gen_unreached.h"

#include <stdlib.h>
#include <string.h>

/* ---- linking --------------------------------------------------------- */

static bool is_cond(const struct ginsn *in)
{
	return BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) != BPF_JA;
}

/* Small indexes for actions: the distinct actions in order of first
 * sight (at most n), in a cf_index. */
struct acts {
	uint32_t *action;
	int *idx;
	size_t cap, n;
};

static uint64_t acts_hash(const void *ctx, int k)
{
	const struct acts *t = ctx;

	return hash32(t->action[k - 1]);
}

static bool acts_same(const void *ctx, int k, const void *action)
{
	const struct acts *t = ctx;

	return t->action[k - 1] == *(const uint32_t *)action;
}

static bool acts_init(struct acts *t, size_t n)
{
	*t = (struct acts){calloc(n ? n : 1, sizeof(*t->action)), NULL, 0, 0};
	return t->action &&
	       !cf_index_reserve(&t->idx, &t->cap, n, 16, acts_hash, t);
}

static void acts_free(struct acts *t)
{
	free(t->action);
	free(t->idx);
}

/* The index of action (a new one if add), or -1. */
static int acts_index(struct acts *t, uint32_t action, bool add)
{
	size_t h = cf_index_find(t->idx, t->cap, hash32(action), acts_same, t,
				 &action);

	if (!t->idx[h] && add) {
		t->action[t->n] = action;
		t->idx[h] = (int)++t->n;
	}
	return t->idx[h] - 1;
}

/* opt: a jump to a pool return that is out of reach may land on the
 * nearest RET of the same action ahead -- another syscall's return, a
 * trampoline copy -- instead of getting a copy of its own; a jump to
 * other code out of reach may land on a JA ahead that goes there (a
 * trampoline of another jump), instead of a JA of its own (the path
 * runs one JA either way). */
struct lk {
	/* rel[i]: the instructions from i, its trampolines included, to
	 * the end of the program (the address is len - rel[i]) */
	size_t *rel, len;
	uint8_t *dst;	  /* [2 * i + s]: jump offset of side s of i */
	uint8_t *tr;	  /* trampolines: bit 0 jt's, bit 1 jf's */
	int *key;	  /* label -> action index (opt, return labels), -1 */
	struct acts acts; /* opt: the return labels' actions */
	size_t *last;	  /* by action index: nearest RET ahead (sweep) */
	/* opt: by instruction, the nearest JA ahead that lands on it (a
	 * trampoline or one of the program's), SIZE_MAX: none (sweep) */
	size_t *ja_to;
	bool *marks; /* bodies with a far jump to a pool return, or NULL */
	size_t far;  /* such jumps */
};

/* Side l of an instruction, landing at t: t and the action index of its
 * return label (-1: none). */
struct side {
	size_t t;
	int a;
};

static struct side side_of(const struct lk *k, size_t t, int l)
{
	return (struct side){t, k->key && l != NEXT ? k->key[l] : -1};
}

/* Action indexes for the return labels (opt). */
static bool collect_keys(struct gen *g, struct lk *k)
{
	size_t nl = g->nlb, nret = 0;

	if (!g->opt)
		return true;
	for (size_t l = 0; l < nl; l++)
		nret += g->lb[l].is_ret;
	k->key = malloc((nl ? nl : 1) * sizeof(*k->key));
	if (!acts_init(&k->acts, nret) || !k->key)
		return false;
	for (size_t l = 0; l < nl; l++)
		k->key[l] = g->lb[l].is_ret
				? acts_index(&k->acts, g->lb[l].action, true)
				: -1;
	/* both set to SIZE_MAX by sweep_jumps before it reads them */
	k->last = malloc((k->acts.n + 1) * sizeof(*k->last));
	k->ja_to = malloc((g->n + 1) * sizeof(*k->ja_to));
	return k->last && k->ja_to;
}

/* The layout is worked out in one backward sweep, in positions counted
 * from the end of the program (rel): everything ahead of an instruction
 * is laid out when it is reached, so every distance it sees is final. */

/* Where side sd of a conditional lands from rel position from (the
 * conditional's, less 1): the offset, or -1 when out of reach. */
static int side_offset(const struct lk *k, size_t from, const struct side *sd)
{
	if (from - k->rel[sd->t] <= 255)
		return (int)(from - k->rel[sd->t]);
	/* a RET of the same action ahead, or a JA ahead that goes there */
	if (sd->a >= 0 && k->last[sd->a] != SIZE_MAX &&
	    from - k->last[sd->a] <= 255)
		return (int)(from - k->last[sd->a]);
	if (k->ja_to && k->ja_to[sd->t] != SIZE_MAX &&
	    from - k->ja_to[sd->t] <= 255)
		return (int)(from - k->ja_to[sd->t]);
	return -1;
}

/* The trampolines of conditional u (tr, ntr of them) as RETs or JAs
 * ahead of what comes before u (the nearer, side 0's, noted last), and
 * the bodies they mark. */
static void note_tramps(struct gen *g, struct lk *k, size_t u,
			const struct side *sd, unsigned tr)
{
	size_t ntr = (tr & 1) + (tr >> 1);

	for (unsigned s = 2; s-- > 0;) {
		size_t at = ntr + k->rel[u + 1] - k->dst[2 * u + s];

		if (!(tr & (1u << s)))
			continue;
		if (sd[s].a >= 0 && k->marks && g->in[u].body >= 0) {
			k->marks[g->in[u].body] = true;
			k->far++;
		}
		if (sd[s].a >= 0)
			k->last[sd[s].a] = at;
		else if (k->ja_to && BPF_CLASS(g->in[sd[s].t].code) != BPF_RET)
			k->ja_to[sd[s].t] = at;
	}
}

/* Conditional u's offsets when both sides reach: no trampoline (0). */
static inline int set_dst(struct lk *k, size_t u, int jt, int jf)
{
	k->dst[2 * u] = (uint8_t)jt;
	k->dst[2 * u + 1] = (uint8_t)jf;
	return 0;
}

/* Conditional u: its trampolines (the bits returned) and offsets
 * (k->dst); a trampoline behind u moves every target of u one farther.
 * -1: a target that is not ahead in the program. */
static int place_cond(struct gen *g, struct lk *k, size_t u)
{
	const struct ginsn *in = &g->in[u];
	size_t t0 = label_target(g, u, in->jt), t1 = label_target(g, u, in->jf);
	size_t from = k->rel[u + 1];
	struct side sd[2];
	unsigned tr = 0, ntr;
	int off[2] = {0, 0};

	if (t0 <= u || t0 >= g->n || t1 <= u || t1 >= g->n)
		return -1;
	/* most: both reach their targets (no return label's action looked
	 * up, no call: share3-1000's link 7 k instructions less) */
	if (from - k->rel[t0] <= 255 && from - k->rel[t1] <= 255)
		return set_dst(k, u, (int)(from - k->rel[t0]),
			       (int)(from - k->rel[t1]));
	sd[0] = side_of(k, t0, in->jt);
	sd[1] = side_of(k, t1, in->jf);
	off[0] = side_offset(k, from, &sd[0]);
	off[1] = side_offset(k, from, &sd[1]);
	if (off[0] >= 0 && off[1] >= 0) /* one on a RET or JA ahead */
		return set_dst(k, u, off[0], off[1]);
	do {
		ntr = (tr & 1) + (tr >> 1);
		for (unsigned s = 0; s < 2; s++)
			if (!(tr & (1u << s)) &&
			    (off[s] = side_offset(k, ntr + k->rel[u + 1],
						  &sd[s])) < 0)
				tr |= 1u << s;
	} while ((tr & 1) + (tr >> 1) != ntr);
	for (unsigned s = 0; s < 2; s++)
		k->dst[2 * u + s] =
		    (uint8_t)(tr & (1u << s) ? (s ? (tr & 1) : 0)
					     : (unsigned)off[s]);
	note_tramps(g, k, u, sd, tr);
	return (int)tr;
}

/* Lays out g->in with trampolines so that every conditional jump
 * reaches: one backward sweep. */
static int layout(struct gen *g, struct lk *k)
{
	for (size_t a = 0; k->last && a < k->acts.n; a++)
		k->last[a] = SIZE_MAX;
	for (size_t u = 0; k->ja_to && u <= g->n; u++)
		k->ja_to[u] = SIZE_MAX;
	k->rel[g->n] = 0;
	for (size_t u = g->n; u-- > 0;) {
		const struct ginsn *in = &g->in[u];
		int tr = 0, a;

		if (BPF_CLASS(in->code) == BPF_JMP &&
		    BPF_OP(in->code) != BPF_JA &&
		    (tr = place_cond(g, k, u)) < 0)
			return -EINVAL;
		k->tr[u] = (uint8_t)tr;
		k->rel[u] = k->rel[u + 1] + 1 + (tr & 1) + (tr >> 1);
		if (in->code == (BPF_RET | BPF_K) && k->last &&
		    (a = acts_index(&k->acts, in->k, false)) >= 0)
			k->last[a] = k->rel[u];
		else if (in->code == (BPF_JMP | BPF_JA) && k->ja_to)
			k->ja_to[label_target(g, u, in->jt)] = k->rel[u];
	}
	k->len = k->rel[0];
	return 0;
}

/* The trampoline at address at for side s of instruction i. */
static struct sock_filter tramp(const struct gen *g, const struct lk *k,
				size_t i, unsigned s, size_t at)
{
	size_t t = label_target(g, i, s ? g->in[i].jf : g->in[i].jt);
	const struct ginsn *to = &g->in[t];

	if (BPF_CLASS(to->code) == BPF_RET)
		return (struct sock_filter)BPF_STMT(to->code, to->k);
	return (struct sock_filter)BPF_JUMP(
	    BPF_JMP | BPF_JA, (uint32_t)(k->len - k->rel[t] - at - 1), 0, 0);
}

/* opt: fewer RETs. Going backwards, a RET whose every way in -- labels,
 * and the fall-through of a conditional jump before it -- can as well
 * reach the nearest RET of the same action ahead (within MERGE_REACH
 * instructions of the farthest jump into it) goes away, and its ways in
 * lead there instead. The layout adds a trampoline where a jump still
 * falls short, so the program stays correct whatever the distances. */
#define MERGE_REACH 160

/* The nearest kept RET of an action, during merge_rets' backward pass. */
struct ahead {
	uint32_t action;
	size_t at; /* instruction index */
	int label; /* a label on it, 0 = none yet */
	bool used;
};

/* merge_rets' tables over the n instructions and the labels. */
struct merge {
	size_t n, ndrop;
	size_t *minsrc;	  /* the least source of a jump into each, or none */
	int *head, *next; /* the labels at each position, as lists */
	bool *drop;	  /* merged into a RET ahead */
	bool *fall;	  /* entered by falling through a load or ALU step */
	struct acts acts; /* the RETs' actions */
	struct ahead *t;  /* by action: the nearest kept RET ahead */
	void *block;	  /* the arrays above, one allocation */
};

/* merge_rets' tables in one block (m->block): the size_t and struct
 * arrays first, then the ints, then the flags, so each is aligned. */
static bool merge_init(struct gen *g, struct merge *m, size_t nret)
{
	size_t n = g->n, sz = (n + 1) * sizeof(*m->minsrc);
	size_t st = sz, sh = st + nret * sizeof(*m->t);
	size_t sn = sh + (n + 1) * sizeof(*m->head);
	size_t sd = sn + (g->nlb + 1) * sizeof(*m->next);
	size_t sf = sd + (n + 1), end = sf + (n + 1);
	char *b;

	*m = (struct merge){.n = n};
	m->block = b = malloc(end);
	if (!b || !acts_init(&m->acts, nret) || !SGROW(g, newpos, n + 1))
		return false;
	/* zeroed: t, head, drop and fall (next is written before it is
	 * read: note_ways_in) */
	memset(b + st, 0, sn - st);
	memset(b + sd, 0, end - sd);
	m->minsrc = (size_t *)(void *)b;
	m->t = (struct ahead *)(void *)(b + st);
	m->head = (int *)(void *)(b + sh);
	m->next = (int *)(void *)(b + sn);
	m->drop = (bool *)(b + sd);
	m->fall = (bool *)(b + sf);
	for (size_t u = 0; u <= n; u++)
		m->minsrc[u] = SIZE_MAX;
	return true;
}

static void merge_free(struct merge *m)
{
	free(m->block);
	acts_free(&m->acts);
}

/* A jump from i to instruction to (the least source is kept). */
static void note_jump_in(struct merge *m, size_t i, size_t to)
{
	if (to <= m->n && i < m->minsrc[to])
		m->minsrc[to] = i;
}

/* The ways into every instruction: labels by position, the farthest jump
 * into it, and whether it is entered by falling through something that
 * is not a conditional jump (a load, an ALU step). */
static void note_ways_in(const struct gen *g, struct merge *m)
{
	for (size_t l = 1; l < g->nlb; l++)
		if (g->lb[l].pos <= m->n) {
			m->next[l] = m->head[g->lb[l].pos];
			m->head[g->lb[l].pos] = (int)l;
		}
	for (size_t i = 0; i < m->n; i++) {
		const struct ginsn *in = &g->in[i];

		if (BPF_CLASS(in->code) == BPF_JMP) {
			note_jump_in(m, i, label_target(g, i, in->jt));
			if (BPF_OP(in->code) != BPF_JA)
				note_jump_in(m, i, label_target(g, i, in->jf));
		} else if (BPF_CLASS(in->code) != BPF_RET) {
			m->fall[i + 1] = true;
		}
	}
}

/* The RET at u: merged into the nearest kept RET of its action ahead
 * when every way in can reach it (its ways in lead there), else kept as
 * that action's nearest. false on OOM. */
static bool merge_ret(struct gen *g, struct merge *m, size_t u)
{
	struct ginsn *pv = &g->in[u - 1];
	struct ahead *a = &m->t[acts_index(&m->acts, g->in[u].k, true)];

	if (m->fall[u] || !a->used ||
	    (m->minsrc[u] != SIZE_MAX && a->at - m->minsrc[u] > MERGE_REACH) ||
	    (is_cond(pv) && pv->jt == NEXT && pv->jf == NEXT)) {
		*a = (struct ahead){g->in[u].k, u, m->head[u], true};
		return true;
	}
	if (!a->label) {
		a->label = new_label(g);
		if (!a->label)
			return false;
		g->lb[a->label].pos = a->at;
	}
	/* the label of a RET is a return label of its action */
	g->lb[a->label].is_ret = true;
	g->lb[a->label].action = a->action;
	if (is_cond(pv) && (pv->jt == NEXT || pv->jf == NEXT)) {
		if (pv->jt == NEXT)
			pv->jt = a->label;
		else
			pv->jf = a->label;
		g->lb[a->label].refs++;
	}
	for (int l = m->head[u]; l; l = m->next[l]) {
		g->lb[l].pos = a->at;
		g->lb[l].is_ret = true;
		g->lb[l].action = a->action;
	}
	if (m->minsrc[u] < m->minsrc[a->at])
		m->minsrc[a->at] = m->minsrc[u];
	m->drop[u] = true;
	m->ndrop++;
	return true;
}

/* Removes the merged RETs: the new index of every instruction (labels
 * move with them; none is on a dropped one now), then the instructions
 * themselves. */
static void drop_merged(struct gen *g, const struct merge *m)
{
	size_t w = 0;

	for (size_t u = 0; u <= m->n; u++) {
		g->newpos[u] = w;
		if (u < m->n && !m->drop[u])
			g->in[w++] = g->in[u];
	}
	for (size_t l = 1; l < g->nlb; l++)
		if (g->lb[l].pos <= m->n)
			g->lb[l].pos = g->newpos[g->lb[l].pos];
	g->n = w;
}

static bool merge_rets(struct gen *g)
{
	size_t nret = 0;
	struct merge m;
	bool ok;

	if (!g->opt || g->n < 2)
		return true;
	for (size_t u = 0; u < g->n; u++)
		nret += g->in[u].code == (BPF_RET | BPF_K);
	if (nret < 2)
		return true;
	ok = merge_init(g, &m, nret);
	if (ok)
		note_ways_in(g, &m);
	for (size_t u = m.n; ok && u-- > 1;)
		if (g->in[u].code == (BPF_RET | BPF_K))
			ok = merge_ret(g, &m, u);
	if (ok && m.ndrop)
		drop_merged(g, &m);
	merge_free(&m);
	return ok;
}

/* The part of instruction in, at address at, and of the n - 1
 * trampolines behind it (returns, or jumps of its own part). */
static void label_insn(const struct gen *g, const struct ginsn *in,
		       struct cf_insn_part *parts, size_t at, size_t n)
{
	int64_t nr = in->body >= 0 && (size_t)in->body < g->nbody && g->bods
			 ? (int64_t)g->bods[in->body].nr
			 : -1;

	parts[at] = (struct cf_insn_part){in->part, in->abi, nr};
	for (size_t t = 1; t < n; t++)
		parts[at + t] = parts[at];
}

/* The instructions laid out by layout(), trampolines included, into p
 * (and their labels into parts, unless NULL). */
static void write_insns(const struct gen *g, const struct lk *k,
			struct sock_filter *p, struct cf_insn_part *parts)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct ginsn *in = &g->in[i];
		size_t at = k->len - k->rel[i];
		struct sock_filter *f = &p[at++];

		*f = (struct sock_filter){in->code, 0, 0, in->k};
		if (parts)
			label_insn(g, in, parts, at - 1,
				   1 + (k->tr[i] & 1) + (k->tr[i] >> 1));
		if (BPF_CLASS(in->code) != BPF_JMP)
			continue;
		if (BPF_OP(in->code) == BPF_JA) {
			f->k =
			    (uint32_t)(k->len -
				       k->rel[label_target(g, i, in->jt)] - at);
			continue;
		}
		f->jt = k->dst[2 * i];
		f->jf = k->dst[2 * i + 1];
		for (unsigned s = 0; k->tr[i] && s < 2; s++) {
			if (!(k->tr[i] & (1u << s)))
				continue;
			p[at] = tramp(g, k, i, s, at);
			if (parts && BPF_CLASS(p[at].code) == BPF_RET)
				parts[at].part = CF_PART_RETURN;
			at++;
		}
	}
}

int link_prog(struct gen *g, struct cf_prog *out, bool *marks, bool *any,
	      struct cf_error *err)
{
	struct lk k = {0};
	struct sock_filter *p;
	size_t len;

	int rc = 0;

	if (!share_tails(g) || !merge_rets(g))
		return cf_err(err, -ENOMEM, "out of memory");
	/* rel, dst and tr are written before they are read (layout); dst
	 * and tr are cleared all the same (a few KiB), so that nothing
	 * written from them depends on that proof (clang's analyzer cannot
	 * follow it through layout's sweep) */
	k.rel = malloc((g->n + 1) * sizeof(*k.rel));
	k.dst = calloc(2 * g->n + 1, 1);
	k.tr = calloc(g->n + 1, 1);
	k.marks = marks;
	if (!k.rel || !k.dst || !k.tr || !collect_keys(g, &k)) {
		rc = cf_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (layout(g, &k) < 0) {
		rc = cf_err(err, -EINVAL, "internal error: bad jump target");
		goto out;
	}
	len = k.len;
	/* a handful is not worth generating the program twice */
	if (marks)
		*any = k.far >= 16;
	out->insns = NULL;
	out->len = len;
	/* (write_insns writes every instruction and label) */
	p = cf_arena_array_raw(g->a, len, sizeof(*p));
	out->parts = g->label
			 ? cf_arena_array_raw(g->a, len, sizeof(*out->parts))
			 : NULL;
	if (!p || (g->label && !out->parts)) {
		rc = cf_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	write_insns(g, &k, p, out->parts);
	if (g->drop_unreached)
		len = cf_gen_drop_unreached(p, out->parts, len);
	out->len = len;
	/* the final length: what the drop left (tests/test_opt.c,
	 * opt_limit_checks_the_final_length) */
	if (len > CF_BPF_MAXINSNS) {
		rc = cf_err(err, -E2BIG,
			    "the filter needs %zu BPF instructions, more than "
			    "the kernel's limit of %d; use fewer argument "
			    "rules or fewer architectures",
			    len, CF_BPF_MAXINSNS);
		goto out;
	}
	out->insns = p;
out:
	free(k.rel);
	free(k.dst);
	free(k.tr);
	free(k.key);
	acts_free(&k.acts);
	free(k.last);
	free(k.ja_to);
	return rc;
}
