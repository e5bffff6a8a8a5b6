/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_share.c - opt: syscall code emitted once for several ranges or
 * searches (shared bodies), and x86_64 code run on the 32-bit code of x86
 * or x32 (a high-word check, then the narrow code).
 * The generator's files and passes in order: bpf_gen.c's first comment.
 */
#include "gen_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- opt: syscall code shared between searches ----------------------- */

static uint64_t mix64(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

/* Code of a syscall with checks depends on its live chains, fallback
 * and the ABI's comparison width and byte order only: this hashes the
 * first two. */
static uint64_t chains_hash(const struct cf_ir_sys *s)
{
	size_t n = live_chains(s);
	uint64_t h = mix64(s->fallback, n);

	for (size_t i = 0; i < n; i++) {
		const struct cf_ir_chain *c = &s->chains[i];
		const struct cf_cond *cd = c->conds, *end = cd + c->nconds;

		h = mix64(h, (uint64_t)c->nconds << 32 | c->action);
		/* a condition's test in one mix (datum2 only where it
		 * counts, body_same's MASKED_EQ): one mix per word hashed
		 * cost valueset-1000 3% of its compile */
		for (; cd < end; cd++) {
			h = mix64(h, cd->datum ^
					 (uint64_t)(cd->arg * 16u + cd->op +
						    cd->low32 * 256u)
					     << 52);
			if (cd->op == CF_OP_MASKED_EQ)
				h = mix64(h, cd->datum2);
		}
	}
	return h | 1; /* never 0: 0 marks a hash not computed yet */
}

/* The facts kept of s for the compile (g->hashes), NULL when there are
 * none (out of memory, or s is not one of the IR's syscalls). */
struct sys_facts *sys_facts(struct gen *g, const struct cf_ir_sys *s)
{
	struct chain_hashes *c = g->hashes;
	uintptr_t at = (uintptr_t)s;

	for (size_t i = 0; c && c->ir && i < c->ir->nabis; i++) {
		const struct cf_ir_abi *abi = &c->ir->abis[i];
		uintptr_t lo = (uintptr_t)abi->sys;

		if (at < lo || at >= lo + abi->nsys * sizeof(*abi->sys))
			continue;
		return &c->by_abi[i][(at - lo) / sizeof(*abi->sys)];
	}
	return NULL;
}

/* The syscall of the IR's first ABI whose chains are s's (one array:
 * cf_ir_build copies a syscall's decision to the ABIs after the first
 * that has it), NULL. */
static const struct cf_ir_sys *first_twin(const struct gen *g,
					  const struct cf_ir_sys *s)
{
	const struct cf_ir_abi *abi = &g->hashes->ir->abis[0];
	int64_t nr = s->sys >= 0 ? cf_sys_nr(abi->arch, s->sys) : -1;
	size_t lo = 0, hi = abi->nsys;
	const struct cf_ir_sys *t;

	while (nr >= 0 && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (abi->sys[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (nr < 0 || lo == abi->nsys)
		return NULL;
	t = &abi->sys[lo];
	return t != s && t->nr == nr && t->chains == s->chains &&
		       t->nchains == s->nchains && t->fallback == s->fallback
		   ? t
		   : NULL;
}

/* chains_hash of s, computed once per compile (sys_facts) and chain
 * array: a syscall of a later ABI with the first ABI's chains takes
 * their hash (share3-1000: 36 arrays hashed instead of 59 with a memo
 * by address, 110 before). */
static uint64_t sys_chains_hash(struct gen *g, const struct cf_ir_sys *s)
{
	struct sys_facts *f = sys_facts(g, s);
	const struct cf_ir_sys *t;

	if (!f)
		return chains_hash(s);
	if (!f->hash)
		f->hash = (t = first_twin(g, s)) ? sys_chains_hash(g, t)
						 : chains_hash(s);
	return f->hash;
}

static uint64_t body_hash(struct gen *g, const struct grange *r)
{
	return mix64(mix64(r->arch->cmp_bits, r->arch->big_endian),
		     sys_chains_hash(g, r->sys));
}

/* The memo of r's syscall and width (body_hash, and the shared entry
 * once known). */
static struct body_memo *body_memo(struct gen *g, const struct grange *r)
{
	/* (a syscall's 64-bit and 32-bit views in slots of their own:
	 * narrow_shared looks both up in turn) */
	struct body_memo *m =
	    &g->body_memo[((uintptr_t)r->sys / sizeof(*r->sys) * 2 +
			   (r->arch->cmp_bits == 64)) %
			  CF_ARRAY_SIZE(g->body_memo)];

	if (m->sys != r->sys || m->bits != r->arch->cmp_bits ||
	    m->big_endian != r->arch->big_endian)
		*m =
		    (struct body_memo){r->sys, r->arch->cmp_bits,
				       r->arch->big_endian, 0, body_hash(g, r)};
	return m;
}

/* Do x's n live chains test what y's do, for the same actions? (One
 * chain array, or one rule's conditions, tests alike without a look:
 * x86_64's, x86's and x32's chains of a syscall are often one array,
 * the chains of the names of one profile rule the same conditions.) */
static bool chains_same(const struct cf_ir_sys *x, const struct cf_ir_sys *y,
			size_t n)
{
	const struct cf_ir_chain *c = x->chains, *d = y->chains, *end = c + n;

	if (x->chains == y->chains)
		return true;
	for (; c < end; c++, d++) {
		if (c->action != d->action || c->nconds != d->nconds)
			return false;
		if (c->conds == d->conds)
			continue;
		for (unsigned j = 0; j < c->nconds; j++)
			if (!cf_cond_same_test(&c->conds[j], &d->conds[j]) ||
			    c->conds[j].low32 != d->conds[j].low32)
				return false;
	}
	return true;
}

/* (a is an entry's range, b the range looked up: b's syscall notes the
 * last syscall its chains were found the same as, for the compile, so
 * that the next pass does not compare them again) */
static bool body_same(struct gen *g, const struct grange *a,
		      const struct grange *b)
{
	size_t n = live_chains(a->sys);
	struct sys_facts *f;

	if (a->arch->cmp_bits != b->arch->cmp_bits ||
	    a->arch->big_endian != b->arch->big_endian ||
	    a->sys->fallback != b->sys->fallback || n != live_chains(b->sys))
		return false;
	if (a->sys == b->sys)
		return true;
	f = sys_facts(g, b->sys);
	if (f && f->same_as == a->sys)
		return true;
	if (!chains_same(a->sys, b->sys, n))
		return false;
	if (f)
		f->same_as = a->sys;
	return true;
}

/* The index of shared entries (g->shared_index): by body_hash and
 * body_same. */
struct shared_key {
	uint64_t h;
	const struct grange *r;
	struct gen *g;
};

static uint64_t shared_hash(const void *ctx, int k)
{
	const struct gen *g = ctx;

	return g->sh[k - 1].h;
}

static bool shared_same(const void *ctx, int k, const void *key)
{
	const struct gen *g = ctx;
	const struct shared_key *want = key;
	const struct shared *e = &g->sh[k - 1];

	return e->h == want->h && body_same(want->g, &e->r, want->r);
}

/* The entry for r's code; with add, notes r's search (new entries as
 * needed). */
struct shared *shared_of(struct gen *g, const struct grange *r, bool add)
{
	struct body_memo *m = body_memo(g, r);
	struct shared_key key = {m->h, r, g};
	struct shared *e;
	size_t i;

	if (add && g->nsh + 1 > g->capshared_index / 2 &&
	    cf_index_reserve(&g->shared_index, &g->capshared_index, g->nsh + 1,
			     64, shared_hash, g)) {
		g->oom = true;
		return NULL;
	}
	if (!g->capshared_index)
		return NULL;
	if (!m->entry) {
		i = cf_index_find(g->shared_index, g->capshared_index, key.h,
				  shared_same, g, &key);
		if (!g->shared_index[i]) {
			if (!add || !SGROW(g, sh, g->nsh + 1))
				return NULL;
			g->sh[g->nsh] =
			    (struct shared){*r, key.h, false, 0, 0, 0, false};
			g->shared_index[i] = (int)++g->nsh;
		}
		m->entry = g->shared_index[i];
	}
	e = &g->sh[m->entry - 1];
	if (add && e->r.arch->audit_arch != r->arch->audit_arch)
		e->multi = true;
	e->uses += add;
	return e;
}

/* The label of r's shared code, or NEXT when r's code is its own. */
int shared_label(struct gen *g, const struct grange *r)
{
	struct shared *e;

	if (!g->share || !r->sys || !live_chains(r->sys))
		return NEXT;
	e = shared_of(g, r, false);
	if (!e || !e->multi)
		return NEXT;
	if (!e->label)
		e->label = new_label(g);
	return e->label;
}

/* share_inline: r's entry when its code is needed by several ranges
 * and not emitted yet, else NULL. */
static struct shared *inline_entry(struct gen *g, const struct grange *r)
{
	struct shared *e;

	if (!g->share_inline || g->share || !r->sys || !live_chains(r->sys))
		return NULL;
	e = shared_of(g, r, false);
	return e && e->uses > 1 && !e->placed ? e : NULL;
}

/* A use of e's code before its last: a jump ahead to where the last use
 * emits it; the label of that place. */
static int early_use(struct gen *g, struct shared *e)
{
	e->seen++;
	if (!e->label)
		e->label = new_label(g);
	return e->label;
}

/* Where a search jumps for r: its return, its shared code, or NEXT (its
 * code follows). A use of shared code before its last jumps ahead to it;
 * the last use gets NEXT: its code follows (emit_leaf). */
int leaf_label(struct gen *g, const struct grange *r)
{
	struct shared *e;

	if (!r->sys)
		return ret_label(g, r->action);
	e = inline_entry(g, r);
	if (e && e->seen + 1 < e->uses)
		return early_use(g, e);
	return shared_label(g, r);
}

/* share_inline: r's code when it is shared, at its last use (earlier
 * uses jump ahead to it); false when r's code is its own. */
bool emit_shared_inline(struct gen *g, const struct grange *r)
{
	struct shared *e = inline_entry(g, r);

	if (!e)
		return false;
	if (!e->label)
		e->label = new_label(g);
	if (++e->seen < e->uses) {
		emit_ja(g, e->label);
		return true;
	}
	place(g, e->label);
	e->placed = true;
	gen_sys(g, r);
	return true;
}

/* ---- opt: x86_64 code on the 32-bit code of x86 and x32 -------------- */

/* A 32-bit ABI of the same byte order as ar, or NULL. */
static const struct cf_arch *narrow_arch(const struct cf_arch *ar)
{
	for (int i = 0; i < cf_narches; i++)
		if (cf_arches[i].cmp_bits == 32 &&
		    cf_arches[i].big_endian == ar->big_endian)
			return &cf_arches[i];
	return NULL;
}

/* Are all values of s's n live chains below 2^32? Then *above: its
 * decision with the high word over 0 (for the compile: sys_facts). */
static bool values_narrow(struct gen *g, const struct cf_arch *ar,
			  const struct cf_ir_sys *s, size_t n, uint32_t *above)
{
	struct sys_facts *f = sys_facts(g, s);
	bool ok = true;

	if (f && f->narrow) {
		*above = f->above;
		return f->narrow == 2;
	}
	for (size_t i = 0; ok && i < n; i++) {
		const struct cf_cond *c = s->chains[i].conds;
		const struct cf_cond *end = c + s->chains[i].nconds;

		for (; ok && c < end; c++)
			ok = c->datum <= UINT32_MAX;
	}
	*above = ok ? eval_at(ar, s, n, 1ULL << 32) : 0;
	if (f) {
		f->narrow = ok ? 2 : 1;
		f->above = *above;
	}
	return ok;
}

/* share_inline: on a 64-bit ABI, r's chains test one argument with
 * interval operators on values below 2^32. With the high word 0 they
 * decide as on a 32-bit ABI; above, as at 2^32 (*above). *narrow: r on
 * that 32-bit ABI, whose code (x86's, x32's) the high-word check can
 * share. False when r does not qualify. */
static bool narrow_split(struct gen *g, const struct grange *r,
			 struct grange *narrow, uint32_t *above, int *arg)
{
	const struct cf_ir_sys *s = r->sys;
	size_t n = s ? live_chains(s) : 0;

	if (!n || r->arch->cmp_bits != 64 || sys_low32_conds(g, s) != 0)
		return false;
	*arg = sys_steps_arg(g, r->arch, s);
	if (*arg < 0 || !values_narrow(g, r->arch, s, n, above))
		return false;
	*narrow = *r;
	narrow->arch = narrow_arch(r->arch);
	return narrow->arch != NULL;
}

/* Whether r's code is its high-word check and a jump into 32-bit code
 * that another ABI needs too (its own code alone, the 32-bit code
 * needed elsewhere); with count, notes the use. */
bool narrow_shared(struct gen *g, const struct grange *r, struct grange *narrow,
		   uint32_t *above, int *arg, bool count)
{
	struct shared *own, *e;

	if (!g->share_inline || g->share ||
	    !narrow_split(g, r, narrow, above, arg))
		return false;
	own = shared_of(g, r, false);
	e = shared_of(g, narrow, false);
	if (!own || own->uses != 1 || !e || e->uses < (count ? 1u : 2u))
		return false;
	if (count)
		shared_of(g, narrow, true);
	return true;
}

/* Whether r's code is a high-word check and a jump into 32-bit code
 * that another ABI needs too (narrow_shared); *narrow: that code's
 * range, as the 32-bit ABI that needs it has it (labels). */
static bool narrow_code(struct gen *g, const struct grange *r,
			struct grange *narrow, uint32_t *above, int *arg)
{
	struct shared *e;

	if (!narrow_shared(g, r, narrow, above, arg, false))
		return false;
	e = shared_of(g, narrow, false);
	if (e)
		*narrow = e->r;
	return true;
}

/* Is r's code a high-word check jumping ahead into 32-bit code that a
 * later search emits (its last use is there)? Then where the check goes
 * in this search is free (late_checks, gen_search.c). Code whose last
 * use is in this search (x32's, without x86) may be emitted before the
 * end of the search: a check put off would copy it. */
bool narrow_jumps_ahead(struct gen *g, const struct grange *r, int *arg,
			uint32_t *above)
{
	struct grange narrow;
	struct shared *e;

	if (!narrow_code(g, r, &narrow, above, arg))
		return false;
	e = inline_entry(g, &narrow);
	return e && e->seen + 1 < e->uses &&
	       e->last_audit != r->arch->audit_arch;
}

/* The label of the 32-bit code r's check jumps to (narrow_jumps_ahead
 * held; it still does: the code's last use is in a later search), the
 * jump noted as a use. */
int narrow_check_target(struct gen *g, const struct grange *r)
{
	struct grange narrow;
	struct shared *e;
	uint32_t above;
	int arg;

	if (!narrow_code(g, r, &narrow, &above, &arg))
		return 0;
	e = inline_entry(g, &narrow);
	return e ? early_use(g, e) : 0;
}

/* r's high-word check, then the shared 32-bit code (emit_leaf). */
bool emit_narrow_leaf(struct gen *g, const struct grange *r)
{
	struct grange narrow;
	struct shared *e;
	uint32_t above;
	int arg, to = NEXT;
	uint8_t part = g->part;
	int16_t abi = g->abi;

	if (!narrow_code(g, r, &narrow, &above, &arg))
		return false;
	/* a use before the last: the check jumps there (no JA) */
	e = inline_entry(g, &narrow);
	if (e && e->seen + 1 < e->uses)
		to = early_use(g, e);
	/* the check is a body of its own (labels: r's code) */
	g->part = CF_PART_ARGS;
	g->abi = (int16_t)(r->arch - cf_arches);
	if (g->label && SGROW(g, bods, g->nbody + 1))
		g->bods[g->nbody] = (struct gbody){g->abi, r->sys->nr};
	g->body = (int)g->nbody++;
	load(g, arg_off(r->arch, (unsigned)arg, true));
	emit_jmp(g, BPF_JGE, 1, ret_label(g, above), to);
	g->body = -1;
	g->part = part;
	g->abi = abi;
	if (to == NEXT && !emit_shared_inline(g, &narrow))
		gen_sys(g, &narrow);
	return true;
}
