/* SPDX-License-Identifier: Apache-2.0 */
/*
 * algebra.c - exact profile algebra on compiled filters: merge, diff,
 * subset (docs/cli.md).
 *
 * A call is (audit arch, nr, a0..a5); its decision under a filter is what
 * cf_ir_eval answers: runc's ENOSYS stub and the kill of a foreign arch
 * included. The algebra never samples. It cuts the call space into cells
 * on which every input decides one way, and evaluates each input on one
 * representative per cell:
 *   - arch: every audit arch of every input, and one foreign value;
 *   - nr: segments [p_i, p_i+1) whose starts p are 0, every number an
 *     input decides on its own (nr and nr+1), every ENOSYS threshold + 1,
 *     and the points where the x86_64/x32 split changes (0x40000000,
 *     0x80000000, 0xc0000000, 0xffffffff);
 *   - arguments (only at a number with argument chains): per argument,
 *     the atoms of the predicates every input's chains put on it -- the
 *     classes of values on which each predicate is constant. A walk over
 *     the bits from the top keeps, for each distinct prefix state (< = >
 *     against every compared datum, still matching every mask), one
 *     prefix: a finite automaton, so the walk is exact for every operator,
 *     MASKED_EQ included, in 64 steps. Cells are the product of atoms.
 *
 * Order of decisions (the kernel's precedence): KILL_PROCESS < KILL_THREAD
 * < TRAP < ERRNO < USER_NOTIF < TRACE < LOG < ALLOW, i.e. the action's top
 * 16 bits as a signed number. merge takes the greatest, ties to the first
 * input (its errno); subset holds when each call's decision under P is
 * BASE's or of a strictly lower rank (the same rank with another errno
 * does not hold).
 */
#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "filter.h"
#include "reach.h"
#include "algebra.h"

#include <stdlib.h>
#include <string.h>

/* bounds on the work of one number: atoms of one argument (automaton
 * states), cells of one number */
#define ALG_MAX_STATES 4096
#define ALG_MAX_CELLS (1U << 18)

int cf_action_rank_cmp(uint32_t a, uint32_t b)
{
	int32_t x = (int32_t)(a & CF_RET_ACTION_FULL);
	int32_t y = (int32_t)(b & CF_RET_ACTION_FULL);

	return x < y ? -1 : x > y;
}

/* ---- predicates and atoms ---------------------------------------------- */

struct alg_pred {
	uint8_t op;
	uint8_t width; /* 32 or 64 */
	uint64_t d, d2;
};

struct alg_atom {
	uint64_t lo, hi; /* the smallest and largest value of the atom */
	uint8_t *truth;	 /* per predicate of the argument */
};

struct alg_arg {
	struct alg_pred *p;
	size_t np, cap;
	struct alg_atom *atoms;
	size_t natoms;
};

enum { ST_EQ = 0, ST_LT = 1, ST_GT = 2, ST_MISS = 3 };

/* The states of the walk in which each operator's predicate holds. */
#define IN(st) (1U << (st))
static const uint8_t op_holds[CF_OP__COUNT] = {
    [CF_OP_NE] = IN(ST_LT) | IN(ST_GT) | IN(ST_MISS),
    [CF_OP_LT] = IN(ST_LT),
    [CF_OP_LE] = IN(ST_EQ) | IN(ST_LT) | IN(ST_MISS),
    [CF_OP_EQ] = IN(ST_EQ),
    [CF_OP_GE] = IN(ST_EQ) | IN(ST_GT) | IN(ST_MISS),
    [CF_OP_GT] = IN(ST_GT),
    [CF_OP_MASKED_EQ] = IN(ST_EQ) | IN(ST_LT) | IN(ST_GT),
};
#undef IN

static bool pred_truth(const struct alg_pred *p, uint8_t st)
{
	return p->op < CF_OP__COUNT && st < 8 && (op_holds[p->op] >> st & 1);
}

static uint8_t pred_step(const struct alg_pred *p, uint8_t st, unsigned bit,
			 unsigned v)
{
	unsigned db;

	if (bit >= p->width)
		return st;
	if (p->op == CF_OP_MASKED_EQ) {
		if (st == ST_MISS || !(p->d >> bit & 1))
			return st;
		return (unsigned)(p->d2 >> bit & 1) == v ? st : ST_MISS;
	}
	if (st != ST_EQ)
		return st;
	db = (unsigned)(p->d >> bit & 1);
	return v == db ? ST_EQ : v < db ? ST_LT : ST_GT;
}

struct walk {
	size_t k, n;
	uint8_t *st; /* n * k */
	uint64_t *lo, *hi;
	size_t capst, caplo, caphi;
};

static int walk_grow(struct walk *w, size_t need)
{
	if (cf_grow((void **)&w->st, &w->capst, need, w->k ? w->k : 1, 16) ||
	    CF_GROW(w->lo, w->caplo, need, 16) ||
	    CF_GROW(w->hi, w->caphi, need, 16))
		return -ENOMEM;
	return 0;
}

static void walk_free(struct walk *w)
{
	free(w->st);
	free(w->lo);
	free(w->hi);
}

/* Adds state s with prefixes [lo, hi] to w, merging it with an equal one. */
static int walk_add(struct walk *w, const uint8_t *s, uint64_t lo, uint64_t hi)
{
	for (size_t i = 0; i < w->n; i++) {
		if (memcmp(w->st + i * w->k, s, w->k))
			continue;
		if (lo < w->lo[i])
			w->lo[i] = lo;
		if (hi > w->hi[i])
			w->hi[i] = hi;
		return 0;
	}
	if (w->n >= ALG_MAX_STATES)
		return -E2BIG;
	if (walk_grow(w, w->n + 1))
		return -ENOMEM;
	if (w->k)
		memcpy(w->st + w->n * w->k, s, w->k);
	w->lo[w->n] = lo;
	w->hi[w->n] = hi;
	w->n++;
	return 0;
}

/* The atoms of ar's predicates, in order of their smallest value. */
static int arg_atoms(struct cf_arena *a, struct alg_arg *ar)
{
	struct walk cur = {.k = ar->np}, nxt = {.k = ar->np};
	uint8_t *s = NULL;
	int rc = 0;

	if (!(s = calloc(ar->np + 1, 1)))
		return -ENOMEM;
	for (size_t i = 0; i < ar->np; i++)
		s[i] = ST_EQ;
	rc = walk_add(&cur, s, 0, 0);
	for (int bit = 63; !rc && bit >= 0; bit--) {
		nxt.n = 0;
		for (size_t i = 0; !rc && i < cur.n; i++) {
			for (unsigned v = 0; !rc && v < 2; v++) {
				const uint8_t *c = cur.st + i * cur.k;
				uint64_t add = (uint64_t)v << bit;

				for (size_t j = 0; j < ar->np; j++)
					s[j] = pred_step(&ar->p[j], c[j],
							 (unsigned)bit, v);
				rc = walk_add(&nxt, s, cur.lo[i] | add,
					      cur.hi[i] | add);
			}
		}
		struct walk t = cur;
		cur = nxt;
		nxt = t;
	}
	/* final states with the same truths are one atom */
	ar->natoms = 0;
	if (!rc && !(ar->atoms = cf_arena_array(a, cur.n, sizeof(*ar->atoms))))
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < cur.n; i++) {
		uint8_t *t = cf_arena_alloc(a, ar->np + 1);
		size_t j;

		if (!t) {
			rc = -ENOMEM;
			break;
		}
		for (j = 0; j < ar->np; j++)
			t[j] = pred_truth(&ar->p[j], cur.st[i * cur.k + j]);
		for (j = 0; j < ar->natoms; j++)
			if (!memcmp(ar->atoms[j].truth, t, ar->np))
				break;
		if (j == ar->natoms) {
			ar->atoms[ar->natoms++] =
			    (struct alg_atom){cur.lo[i], cur.hi[i], t};
			continue;
		}
		if (cur.lo[i] < ar->atoms[j].lo)
			ar->atoms[j].lo = cur.lo[i];
		if (cur.hi[i] > ar->atoms[j].hi)
			ar->atoms[j].hi = cur.hi[i];
	}
	free(s);
	walk_free(&cur);
	walk_free(&nxt);
	return rc;
}

static int arg_add_pred(struct cf_arena *a, struct alg_arg *ar,
			const struct cf_cond *c, unsigned width)
{
	struct alg_pred p = {c->op, (uint8_t)width, c->datum, c->datum2};
	uint64_t m = width == 64 ? UINT64_MAX : UINT32_MAX;

	p.d &= m;
	p.d2 &= m;
	if (p.op == CF_OP_MASKED_EQ)
		p.d2 &= p.d;
	else
		p.d2 = 0;
	for (size_t i = 0; i < ar->np; i++)
		if (ar->p[i].op == p.op && ar->p[i].width == p.width &&
		    ar->p[i].d == p.d && ar->p[i].d2 == p.d2)
			return 0;
	if (ar->np == ar->cap) {
		size_t cap = ar->cap ? 2 * ar->cap : 8;
		struct alg_pred *n = cf_arena_array(a, cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		if (ar->np)
			memcpy(n, ar->p, ar->np * sizeof(*n));
		ar->p = n;
		ar->cap = cap;
	}
	memset(&ar->p[ar->np], 0, sizeof(p));
	ar->p[ar->np].op = p.op;
	ar->p[ar->np].width = p.width;
	ar->p[ar->np].d = p.d;
	ar->p[ar->np].d2 = p.d2;
	ar->np++;
	return 0;
}

/* ---- inputs ------------------------------------------------------------ */

static uint32_t eval_in(const struct cf_filter *f, const struct seccomp_data *d)
{
	if (f->unconfined)
		return CF_RET_ALLOW;
	return cf_ir_eval(&f->ir, d, NULL, NULL);
}

/* The cells of one (arch, nr): args[0..6) with their atoms. */
struct alg_point {
	uint32_t audit, nr, nr_hi;
	struct alg_arg args[6];
	size_t ncells;
};

/* the predicates and atoms live in the point's arena */
static void point_free(struct alg_point *pt)
{
	memset(pt->args, 0, sizeof(pt->args));
}

static int point_build(struct cf_arena *a, const struct cf_filter *const *in,
		       size_t n, struct alg_point *pt)
{
	int rc = 0;

	for (size_t f = 0; !rc && f < n; f++) {
		if (in[f]->unconfined)
			continue;
		for (size_t i = 0; !rc && i < in[f]->ir.nabis; i++) {
			const struct cf_ir_abi *abi = &in[f]->ir.abis[i];
			const struct cf_arch *ar = &cf_arches[abi->arch];
			const struct cf_ir_sys *s;

			if (ar->audit_arch != pt->audit ||
			    !(s = cf_ir_find_sys(abi, pt->nr)))
				continue;
			for (size_t c = 0; !rc && c < s->nchains; c++)
				for (unsigned j = 0;
				     !rc && j < s->chains[c].nconds; j++) {
					const struct cf_cond *cd =
					    &s->chains[c].conds[j];

					rc = arg_add_pred(
					    a, &pt->args[cd->arg % 6], cd,
					    ar->cmp_bits);
				}
		}
	}
	pt->ncells = 1;
	for (unsigned i = 0; !rc && i < 6; i++) {
		rc = arg_atoms(a, &pt->args[i]);
		if (!rc && pt->ncells * pt->args[i].natoms > ALG_MAX_CELLS)
			rc = -E2BIG;
		if (!rc)
			pt->ncells *= pt->args[i].natoms;
	}
	return rc;
}

/* The atom of each argument for cell number c. */
static void cell_atoms(const struct alg_point *pt, size_t c, size_t idx[6])
{
	for (unsigned i = 0; i < 6; i++) {
		idx[i] = c % pt->args[i].natoms;
		c /= pt->args[i].natoms;
	}
}

static void cell_data(const struct alg_point *pt, size_t c,
		      struct seccomp_data *d)
{
	size_t idx[6];

	cell_atoms(pt, c, idx);
	memset(d, 0, sizeof(*d));
	d->arch = pt->audit;
	d->nr = (int)pt->nr;
	for (unsigned i = 0; i < 6; i++)
		d->args[i] = pt->args[i].atoms[idx[i]].lo;
}

struct u32v {
	uint32_t *v;
	size_t n, cap;
};

static int u32_push(struct u32v *v, uint32_t x)
{
	if (CF_GROW(v->v, v->cap, v->n + 1, 64))
		return -ENOMEM;
	v->v[v->n++] = x;
	return 0;
}

static void u32_sort_unique(struct u32v *v)
{
	size_t k = 0;

	if (v->n)
		cf_sort_u32(v->v, v->n);
	for (size_t i = 0; i < v->n; i++)
		if (!k || v->v[i] != v->v[k - 1])
			v->v[k++] = v->v[i];
	v->n = k;
}

static int push_next(struct u32v *v, uint32_t x)
{
	int rc = u32_push(v, x);

	if (!rc && x != UINT32_MAX)
		rc = u32_push(v, x + 1);
	return rc;
}

/* The audit arches of the inputs, then one no input has. */
static int arches_of(const struct cf_filter *const *in, size_t n,
		     struct u32v *out)
{
	uint32_t foreign = 0;
	int rc = 0;

	for (size_t f = 0; !rc && f < n; f++)
		for (size_t i = 0;
		     !rc && !in[f]->unconfined && i < in[f]->ir.nabis; i++)
			rc = u32_push(
			    out, cf_arches[in[f]->ir.abis[i].arch].audit_arch);
	u32_sort_unique(out);
	for (size_t i = 0; i < out->n && out->v[i] == foreign; i++)
		foreign++;
	return rc ? rc : u32_push(out, foreign);
}

static int numbers_of(const struct cf_filter *const *in, size_t n,
		      uint32_t audit, struct u32v *out)
{
	static const uint32_t fixed[] = {0, CF_X32_BIT, 0x80000000U,
					 0xc0000000U, 0xffffffffU};
	int rc = 0;

	for (size_t i = 0; !rc && i < CF_ARRAY_SIZE(fixed); i++)
		rc = u32_push(out, fixed[i]);
	for (size_t f = 0; !rc && f < n; f++) {
		for (size_t i = 0;
		     !rc && !in[f]->unconfined && i < in[f]->ir.nabis; i++) {
			const struct cf_ir_abi *abi = &in[f]->ir.abis[i];

			if (cf_arches[abi->arch].audit_arch != audit)
				continue;
			if (abi->enosys)
				rc = push_next(out, abi->enosys_above);
			for (size_t s = 0; !rc && s < abi->nsys; s++)
				rc = push_next(out, abi->sys[s].nr);
		}
	}
	u32_sort_unique(out);
	return rc;
}

/* Calls fn for every cell of the call space with the decision of each
 * input; fn returns nonzero to stop (returned). */
typedef int (*cell_fn)(void *ctx, const struct alg_point *pt, size_t cell,
		       const struct seccomp_data *d, const uint32_t *dec);

/* A --harden filter compares some conditions on their low word only; the
 * cells below split arguments by their full width, so it is refused. */
static bool hardened(const struct cf_filter *f)
{
	for (size_t a = 0; a < f->ir.nabis; a++)
		for (size_t i = 0; i < f->ir.abis[a].nsys; i++)
			for (unsigned arg = 0; arg < 6; arg++)
				if (cf_low32_arg(&f->ir.abis[a].sys[i], arg))
					return true;
	return false;
}

static int walk_cells(const struct cf_filter *const *in, size_t n, cell_fn fn,
		      void *ctx)
{
	struct u32v arches = {0}, nrs = {0};
	uint32_t *dec;
	int rc;

	for (size_t i = 0; i < n; i++)
		if (hardened(in[i]))
			return -EOPNOTSUPP;
	dec = calloc(n ? n : 1, sizeof(*dec));
	rc = dec ? arches_of(in, n, &arches) : -ENOMEM;

	for (size_t ai = 0; !rc && ai < arches.n; ai++) {
		nrs.n = 0;
		rc = numbers_of(in, n, arches.v[ai], &nrs);
		for (size_t ni = 0; !rc && ni < nrs.n; ni++) {
			struct cf_arena a = {0};
			struct alg_point pt = {
			    .audit = arches.v[ai],
			    .nr = nrs.v[ni],
			    .nr_hi =
				ni + 1 < nrs.n ? nrs.v[ni + 1] - 1 : UINT32_MAX,
			};

			rc = point_build(&a, in, n, &pt);
			for (size_t c = 0; !rc && c < pt.ncells; c++) {
				struct seccomp_data d;

				cell_data(&pt, c, &d);
				for (size_t f = 0; f < n; f++)
					dec[f] = eval_in(in[f], &d);
				rc = fn(ctx, &pt, c, &d, dec);
			}
			point_free(&pt);
			cf_arena_release(&a);
		}
	}
	free(arches.v);
	free(nrs.v);
	free(dec);
	return rc;
}

static uint32_t best_of(const uint32_t *dec, size_t n)
{
	uint32_t b = dec[0];

	for (size_t i = 1; i < n; i++)
		if (cf_action_rank_cmp(dec[i], b) > 0)
			b = dec[i];
	return b;
}

static int walk_err(int rc, struct cf_error *err)
{
	if (rc == -ENOMEM)
		return cf_err(err, rc, "out of memory");
	if (rc == -EOPNOTSUPP)
		return cf_err(err, rc,
			      "a filter compiled with --harden: merge, diff "
			      "and subset compare Docker's meaning (64-bit "
			      "compares); compile the inputs without --harden");
	if (rc == -E2BIG)
		return cf_err(err, rc,
			      "too many argument classes on one syscall (more "
			      "than %u cells): the algebra cannot decide "
			      "exactly (hint: fewer distinct argument "
			      "conditions on one syscall)",
			      ALG_MAX_CELLS);
	return rc;
}

/* ---- subset ------------------------------------------------------------ */

struct subset_ctx {
	struct seccomp_data *example;
	uint32_t *actions;
};

static int subset_cell(void *ctx, const struct alg_point *pt, size_t cell,
		       const struct seccomp_data *d, const uint32_t *dec)
{
	struct subset_ctx *s = ctx;

	(void)pt;
	(void)cell;
	if (dec[1] == dec[0] || cf_action_rank_cmp(dec[1], dec[0]) < 0)
		return 0;
	if (s->example)
		*s->example = *d;
	if (s->actions) {
		s->actions[0] = dec[0];
		s->actions[1] = dec[1];
	}
	return 1;
}

int cf_subset(const struct cf_filter *base, const struct cf_filter *p,
	      struct seccomp_data *example, uint32_t actions[2],
	      struct cf_error *err)
{
	const struct cf_filter *in[2] = {base, p};
	struct subset_ctx s = {example, actions};
	int rc;

	if (!base || !p)
		return cf_err(err, -EINVAL, "no filter");
	rc = walk_cells(in, 2, subset_cell, &s);
	if (rc == 1)
		return 0;
	return rc ? walk_err(rc, err) : 1;
}

/* ---- diff -------------------------------------------------------------- */

struct cf_diffs {
	struct cf_arena arena;
	struct cf_diff_item *items;
	size_t n, cap;
	/* per item: the predicates and the truths of its atoms */
	struct diff_cell *cells;
	size_t capcells;
};

struct diff_cell {
	struct alg_pred *p[6];
	uint8_t *truth[6];
	size_t np[6];
};

static int abi_of(uint32_t audit, uint32_t nr)
{
	int first = -1;

	for (int i = 0; i < cf_narches; i++) {
		const struct cf_arch *ar = &cf_arches[i];

		if (!cf_arch_serves(ar, audit, cf_nr_filter_x32(nr)) ||
		    ar->table < 0)
			continue;
		if (first < 0)
			first = i;
	}
	return first;
}

static void hexs(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, v < 10 ? "%llu" : "0x%llx", (unsigned long long)v);
}

static const char *args_text(struct cf_arena *a, const struct alg_point *pt,
			     size_t cell)
{
	char buf[1024] = "";
	size_t idx[6], len = 0;

	cell_atoms(pt, cell, idx);
	for (unsigned i = 0; i < 6 && len < sizeof(buf) - 200; i++) {
		const struct alg_arg *ar = &pt->args[i];
		const struct alg_atom *at = &ar->atoms[idx[i]];
		char lo[24], hi[24];
		bool masked = false, w32 = true, holes = false;
		uint64_t alo = at->lo, ahi = at->hi;

		if (!ar->np)
			continue;
		for (size_t j = 0; j < ar->np; j++)
			w32 = w32 && ar->p[j].width == 32;
		if (w32) {
			alo &= UINT32_MAX;
			ahi &= UINT32_MAX;
		}
		hexs(lo, sizeof(lo), alo);
		hexs(hi, sizeof(hi), ahi);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s",
					len ? ", " : "");
		if (alo == ahi)
			len += (size_t)snprintf(
			    buf + len, sizeof(buf) - len, "a%u%s == %s", i,
			    w32 ? " (low 32 bits)" : "", lo);
		else
			len += (size_t)snprintf(
			    buf + len, sizeof(buf) - len, "a%u%s in [%s, %s]",
			    i, w32 ? " (low 32 bits)" : "", lo, hi);
		for (size_t j = 0;
		     alo != ahi && j < ar->np && len < sizeof(buf) - 100; j++) {
			const struct alg_pred *p = &ar->p[j];
			char v[24];
			bool hole = (p->op == CF_OP_EQ && !at->truth[j]) ||
				    (p->op == CF_OP_NE && at->truth[j]);

			if (hole && p->d > alo && p->d < ahi) {
				hexs(v, sizeof(v), p->d);
				len += (size_t)snprintf(
				    buf + len, sizeof(buf) - len, "%s%s",
				    holes ? ", " : " except ", v);
				holes = true;
			}
		}
		for (size_t j = 0; j < ar->np && len < sizeof(buf) - 100; j++) {
			char m[24], v[24];

			if (ar->p[j].op != CF_OP_MASKED_EQ || alo == ahi)
				continue;
			hexs(m, sizeof(m), ar->p[j].d);
			hexs(v, sizeof(v), ar->p[j].d2);
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s(a%u & %s) %s %s",
						masked ? ", " : " with ", i, m,
						at->truth[j] ? "==" : "!=", v);
			masked = true;
		}
	}
	return cf_arena_strndup(a, buf, strlen(buf));
}

struct diff_ctx {
	struct cf_diffs *out;
	/* the last item, extended while cells keep its decisions */
	bool open;
};

static int diff_cell(void *ctx, const struct alg_point *pt, size_t cell,
		     const struct seccomp_data *d, const uint32_t *dec)
{
	struct diff_ctx *c = ctx;
	struct cf_diffs *o = c->out;
	struct cf_diff_item *it;
	struct diff_cell *dc;
	size_t idx[6];
	int abi;

	if (dec[0] == dec[1])
		return 0;
	if (CF_GROW(o->items, o->cap, o->n + 1, 64) ||
	    CF_GROW(o->cells, o->capcells, o->n + 1, 64))
		return -ENOMEM;
	it = &o->items[o->n];
	dc = &o->cells[o->n];
	memset(it, 0, sizeof(*it));
	memset(dc, 0, sizeof(*dc));
	abi = abi_of(pt->audit, pt->nr);
	it->abi = abi;
	it->arch = pt->audit;
	it->nr_lo = pt->nr;
	it->nr_hi = pt->nr_hi;
	it->name = abi >= 0 && pt->nr == pt->nr_hi
		       ? cf_syscall_name(abi, pt->nr)
		       : NULL;
	it->example = *d;
	it->action_a = dec[0];
	it->action_b = dec[1];
	if (!(it->args = args_text(&o->arena, pt, cell)))
		return -ENOMEM;
	cell_atoms(pt, cell, idx);
	for (unsigned i = 0; i < 6; i++) {
		const struct alg_arg *ar = &pt->args[i];

		dc->np[i] = ar->np;
		if (!ar->np)
			continue;
		dc->p[i] = cf_arena_array(&o->arena, ar->np, sizeof(*ar->p));
		dc->truth[i] = cf_arena_alloc(&o->arena, ar->np);
		if (!dc->p[i] || !dc->truth[i])
			return -ENOMEM;
		memcpy(dc->p[i], ar->p, ar->np * sizeof(*ar->p));
		memcpy(dc->truth[i], ar->atoms[idx[i]].truth, ar->np);
	}
	o->n++;
	return 0;
}

int cf_diff(const struct cf_filter *a, const struct cf_filter *b,
	    struct cf_diffs **out, struct cf_error *err)
{
	const struct cf_filter *in[2] = {a, b};
	struct cf_diffs *o;
	struct diff_ctx c = {0};
	int rc;

	*out = NULL;
	if (!a || !b)
		return cf_err(err, -EINVAL, "no filter");
	if (!(o = calloc(1, sizeof(*o))))
		return cf_err(err, -ENOMEM, "out of memory");
	c.out = o;
	rc = walk_cells(in, 2, diff_cell, &c);
	if (rc) {
		cf_diffs_free(o);
		return walk_err(rc, err);
	}
	*out = o;
	return 0;
}

size_t cf_diffs_count(const struct cf_diffs *d)
{
	return d ? d->n : 0;
}

const struct cf_diff_item *cf_diffs_item(const struct cf_diffs *d, size_t i)
{
	return d && i < d->n ? &d->items[i] : NULL;
}

void cf_diffs_free(struct cf_diffs *d)
{
	if (!d)
		return;
	free(d->items);
	free(d->cells);
	cf_arena_release(&d->arena);
	free(d);
}

static uint8_t pred_eval(const struct alg_pred *p, uint64_t v)
{
	uint8_t st = ST_EQ;

	for (int bit = 63; bit >= 0; bit--)
		st = pred_step(p, st, (unsigned)bit, (unsigned)(v >> bit & 1));
	return pred_truth(p, st);
}

bool cf_diffs_match(const struct cf_diffs *o, size_t i,
		    const struct seccomp_data *d)
{
	const struct cf_diff_item *it = &o->items[i];
	const struct diff_cell *dc = &o->cells[i];

	if (d->arch != it->arch || (uint32_t)d->nr < it->nr_lo ||
	    (uint32_t)d->nr > it->nr_hi)
		return false;
	for (unsigned a = 0; a < 6; a++)
		for (size_t j = 0; j < dc->np[a]; j++)
			if (pred_eval(&dc->p[a][j], d->args[a]) !=
			    dc->truth[a][j])
				return false;
	return true;
}

/* ---- merge ------------------------------------------------------------- */

struct rule_out {
	uint32_t action;
	int sys;
	struct cf_cond conds[6];
	unsigned nconds;
};

struct merge {
	const struct cf_filter *const *in;
	size_t n;
	uint32_t def;
	int arches[64];
	size_t narches;
	struct rule_out *rules;
	size_t nrules, cap;
	struct cf_error *err;
};

static int add_rule(struct merge *m, const struct rule_out *r)
{
	if (CF_GROW(m->rules, m->cap, m->nrules + 1, 64))
		return -ENOMEM;
	m->rules[m->nrules++] = *r;
	return 0;
}

/* Candidate conditions on one argument: 0 <= pi < np the predicate pi
 * of the argument; np <= pi < 2 np its negation (where one operator
 * writes it: not MASKED_EQ); pi == 2 np "a == the atom's value" (singleton
 * atoms only). */
static int negate_op(uint8_t op)
{
	switch ((enum cf_op)op) {
	case CF_OP_NE:
		return CF_OP_EQ;
	case CF_OP_EQ:
		return CF_OP_NE;
	case CF_OP_LT:
		return CF_OP_GE;
	case CF_OP_GE:
		return CF_OP_LT;
	case CF_OP_LE:
		return CF_OP_GT;
	case CF_OP_GT:
		return CF_OP_LE;
	default:
		return -1;
	}
}

static bool cand_ok(const struct alg_arg *ar, size_t pi, size_t atom)
{
	const struct alg_atom *at = &ar->atoms[atom];

	if (pi < ar->np)
		return at->truth[pi];
	if (pi < 2 * ar->np)
		return !at->truth[pi - ar->np] &&
		       negate_op(ar->p[pi - ar->np].op) >= 0;
	return at->lo == at->hi;
}

static bool cand_holds(const struct alg_arg *ar, size_t pi, size_t atom_of_cell,
		       size_t atom)
{
	if (pi < ar->np)
		return ar->atoms[atom].truth[pi];
	if (pi < 2 * ar->np)
		return !ar->atoms[atom].truth[pi - ar->np];
	return atom == atom_of_cell;
}

struct cover {
	const struct alg_point *pt;
	const uint32_t *g;
	const uint8_t *free_; /* decided by an earlier rule */
	uint32_t action;
	size_t cell_idx[6];
	/* choice per argument: SIZE_MAX = any */
	size_t choice[6];
};

static bool box_valid(const struct cover *cv)
{
	for (size_t c = 0; c < cv->pt->ncells; c++) {
		size_t idx[6];
		bool in = true;

		cell_atoms(cv->pt, c, idx);
		for (unsigned i = 0; in && i < 6; i++)
			if (cv->choice[i] != SIZE_MAX)
				in = cand_holds(&cv->pt->args[i], cv->choice[i],
						cv->cell_idx[i], idx[i]);
		if (in && cv->g[c] != cv->action && !cv->free_[c])
			return false;
	}
	return true;
}

/* Chooses conditions for arguments from..5 with `left` more to place. */
static bool box_search(struct cover *cv, unsigned from, unsigned left,
		       unsigned *budget)
{
	if (!left)
		return box_valid(cv);
	for (unsigned i = from; i < 6; i++) {
		const struct alg_arg *ar = &cv->pt->args[i];

		for (size_t pi = 0; pi <= 2 * ar->np; pi++) {
			if (!cand_ok(ar, pi, cv->cell_idx[i]))
				continue;
			if (!*budget)
				return false;
			--*budget;
			cv->choice[i] = pi;
			if (box_search(cv, i + 1, left - 1, budget))
				return true;
			cv->choice[i] = SIZE_MAX;
		}
	}
	return false;
}

static struct cf_cond cond_of(const struct alg_arg *ar, unsigned arg, size_t pi,
			      size_t atom)
{
	if (pi == 2 * ar->np)
		return (struct cf_cond){(uint8_t)arg, CF_OP_EQ,
					ar->atoms[atom].lo, 0};
	if (pi >= ar->np)
		return (struct cf_cond){
		    (uint8_t)arg, (uint8_t)negate_op(ar->p[pi - ar->np].op),
		    ar->p[pi - ar->np].d, 0};
	return (struct cf_cond){(uint8_t)arg, ar->p[pi].op, ar->p[pi].d,
				ar->p[pi].d2};
}

/* g[c]: the merged decision of each cell of pt; true when all agree. */
static bool decide_cells(const struct merge *m, const struct alg_point *pt,
			 uint32_t *g, uint32_t *dec)
{
	bool constant = true;

	for (size_t c = 0; c < pt->ncells; c++) {
		struct seccomp_data d;

		cell_data(pt, c, &d);
		for (size_t f = 0; f < m->n; f++)
			dec[f] = eval_in(m->in[f], &d);
		g[c] = best_of(dec, m->n);
		constant = constant && g[c] == g[0];
	}
	return constant;
}

/* The most permissive action of a cell not yet written (not the default);
 * false when none is left. */
static bool next_action(const struct merge *m, const struct alg_point *pt,
			const uint32_t *g, const uint8_t *free_, uint32_t *a)
{
	bool any = false;

	for (size_t c = 0; c < pt->ncells; c++) {
		if (free_[c] || g[c] == m->def)
			continue;
		if (!any || cf_action_rank_cmp(g[c], *a) > 0) {
			*a = g[c];
			any = true;
		}
	}
	return any;
}

/* The box cv found: every cell of action a inside it is decided now. */
static void mark_box(const struct cover *cv, uint8_t *free_)
{
	const struct alg_point *pt = cv->pt;

	for (size_t x = 0; x < pt->ncells; x++) {
		size_t idx[6];
		bool in = true;

		if (cv->g[x] != cv->action)
			continue;
		cell_atoms(pt, x, idx);
		for (unsigned i = 0; in && i < 6; i++)
			if (cv->choice[i] != SIZE_MAX)
				in = cand_holds(&pt->args[i], cv->choice[i],
						cv->cell_idx[i], idx[i]);
		if (in)
			free_[x] = 1;
	}
}

/* One rule of action a for sys: the smallest box around cell c that
 * holds only cells of action a (or already written ones). */
static int cover_cell(struct merge *m, int sys, struct cover *cv, size_t c,
		      uint8_t *free_, unsigned *budget)
{
	struct rule_out r = {.action = cv->action, .sys = sys};
	bool found = false;
	int rc;

	cell_atoms(cv->pt, c, cv->cell_idx);
	for (unsigned i = 0; i < 6; i++)
		cv->choice[i] = SIZE_MAX;
	for (unsigned k = 1; !found && k <= 6; k++)
		found = box_search(cv, 0, k, budget);
	if (!found)
		return -ENOTSUP;
	for (unsigned i = 0; i < 6; i++)
		if (cv->choice[i] != SIZE_MAX)
			r.conds[r.nconds++] =
			    cond_of(&cv->pt->args[i], i, cv->choice[i],
				    cv->cell_idx[i]);
	rc = add_rule(m, &r);
	if (!rc)
		mark_box(cv, free_);
	return rc;
}

/* Rules for the cells of pt, most permissive action first. */
static int write_cells(struct merge *m, int sys, const struct alg_point *pt,
		       uint32_t *g, uint8_t *free_)
{
	/* boxes tried for the syscall, each checked against every cell:
	 * about 2^26 cell checks at most, then the search gives up
	 * (-ENOTSUP, never a guess) */
	unsigned budget = (unsigned)((1U << 26) / pt->ncells + 1);
	uint32_t a = 0;
	int rc = 0;

	while (!rc && next_action(m, pt, g, free_, &a))
		for (size_t c = 0; !rc && c < pt->ncells; c++) {
			struct cover cv = {pt, g, free_, a, {0}, {0}};

			if (!free_[c] && g[c] == a)
				rc = cover_cell(m, sys, &cv, c, free_, &budget);
		}
	return rc;
}

/* Rules for syscall sys from the cells of pt (its number on one ABI). */
static int write_sys(struct merge *m, int sys, const struct alg_point *pt)
{
	uint32_t *g = calloc(pt->ncells, sizeof(*g));
	uint8_t *free_ = calloc(pt->ncells, 1);
	uint32_t *dec = calloc(m->n, sizeof(*dec));
	int rc;

	if (!g || !free_ || !dec)
		rc = -ENOMEM;
	else if (decide_cells(m, pt, g, dec))
		/* also when it is the default: the name still counts for
		 * runc's ENOSYS threshold, as it did in the input */
		rc =
		    add_rule(m, &(struct rule_out){.action = g[0], .sys = sys});
	else
		rc = write_cells(m, sys, pt, g, free_);
	free(g);
	free(free_);
	free(dec);
	return rc;
}

static bool sys_seen(const struct merge *m, int sys, size_t upto_f,
		     size_t upto_r)
{
	for (size_t f = 0; f <= upto_f; f++) {
		const struct cf_ruleset *rs = &m->in[f]->rules;
		size_t end = f == upto_f ? upto_r : rs->nrules;

		for (size_t r = 0; r < end; r++)
			if (rs->rules[r].sys == sys)
				return true;
	}
	return false;
}

/* The ABI a name's rules are built on: the first of the result's ABIs
 * that has the name. */
static int ref_abi(const struct merge *m, int sys, int64_t *nr)
{
	for (size_t i = 0; i < m->narches; i++) {
		*nr = cf_sys_nr(m->arches[i], sys);
		if (*nr >= 0)
			return m->arches[i];
	}
	return -1;
}

static int merge_sys(struct merge *m, int sys)
{
	struct cf_arena a = {0};
	struct alg_point pt = {0};
	int64_t nr;
	int abi = ref_abi(m, sys, &nr);
	int rc;

	if (abi < 0)
		return 0;
	pt.audit = cf_arches[abi].audit_arch;
	pt.nr = pt.nr_hi = (uint32_t)nr;
	rc = point_build(&a, m->in, m->n, &pt);
	if (!rc)
		rc = write_sys(m, sys, &pt);
	if (rc == -ENOTSUP)
		rc = cf_err(m->err, -ENOTSUP,
			    "the union cannot be written in the Docker "
			    "dialect: the decisions of '%s' on %s are not a "
			    "list of rules with one condition per argument "
			    "over the inputs' conditions",
			    cf_sysinfo[sys].name, cf_arches[abi].name);
	point_free(&pt);
	cf_arena_release(&a);
	return rc;
}

static void add_arch(struct merge *m, int arch)
{
	for (size_t i = 0; i < m->narches; i++)
		if (m->arches[i] == arch)
			return;
	if (m->narches < CF_ARRAY_SIZE(m->arches))
		m->arches[m->narches++] = arch;
}

/* ---- the writer -------------------------------------------------------- */

static void write_action(FILE *f, const char *key, const char *ret_key,
			 uint32_t action)
{
	enum cf_action_kind kind = cf_action_kind_of(action);

	if (kind == CF_ACT__COUNT)
		return;
	fprintf(f, "\"%s\": \"%s\"", key, cf_action_json_name(kind));
	if (cf_action_has_data(kind))
		fprintf(f, ", \"%s\": %u", ret_key, action & CF_RET_DATA);
}

static void write_names(FILE *f, const struct merge *m, uint32_t action,
			bool *first_rule)
{
	bool any = false;

	for (size_t i = 0; i < m->nrules; i++) {
		const struct rule_out *r = &m->rules[i];

		if (r->nconds || r->action != action)
			continue;
		fprintf(f, "%s\"%s\"", any ? ", " : "",
			cf_sysinfo[r->sys].name);
		any = true;
	}
	(void)first_rule;
}

static bool action_done(const struct merge *m, size_t upto, uint32_t action)
{
	for (size_t i = 0; i < upto; i++)
		if (!m->rules[i].nconds && m->rules[i].action == action)
			return true;
	return false;
}

static int write_profile(const struct merge *m, char **json, size_t *len)
{
	FILE *f = open_memstream(json, len);
	bool first = true;

	if (!f)
		return -ENOMEM;
	fputs("{\n\t", f);
	write_action(f, "defaultAction", "defaultErrnoRet", m->def);
	fputs(",\n\t\"architectures\": [", f);
	for (size_t i = 0; i < m->narches; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "",
			cf_arches[m->arches[i]].oci);
	fputs("],\n\t\"syscalls\": [", f);
	/* unconditional rules, one per action, in order of first use */
	for (size_t i = 0; i < m->nrules; i++) {
		const struct rule_out *r = &m->rules[i];

		if (r->nconds || action_done(m, i, r->action))
			continue;
		fprintf(f, "%s\n\t\t{ \"names\": [", first ? "" : ",");
		write_names(f, m, r->action, &first);
		fputs("], ", f);
		write_action(f, "action", "errnoRet", r->action);
		fputs(" }", f);
		first = false;
	}
	for (size_t i = 0; i < m->nrules; i++) {
		const struct rule_out *r = &m->rules[i];

		if (!r->nconds)
			continue;
		fprintf(f, "%s\n\t\t{ \"names\": [\"%s\"], ", first ? "" : ",",
			cf_sysinfo[r->sys].name);
		write_action(f, "action", "errnoRet", r->action);
		fputs(", \"args\": [", f);
		for (unsigned j = 0; j < r->nconds; j++)
			fprintf(f,
				"%s{ \"index\": %u, \"value\": %llu, "
				"\"valueTwo\": %llu, \"op\": \"%s\" }",
				j ? ", " : "", r->conds[j].arg,
				(unsigned long long)r->conds[j].datum,
				(unsigned long long)r->conds[j].datum2,
				cf_op_name((enum cf_op)r->conds[j].op));
		fputs("] }", f);
		first = false;
	}
	fputs(first ? "]\n}\n" : "\n\t]\n}\n", f);
	if (fclose(f))
		return -ENOMEM;
	return 0;
}

/* ---- verification of the result --------------------------------------- */

struct verify_ctx {
	size_t n;
	struct cf_error *err;
};

static int verify_cell(void *ctx, const struct alg_point *pt, size_t cell,
		       const struct seccomp_data *d, const uint32_t *dec)
{
	struct verify_ctx *v = ctx;
	uint32_t want = best_of(dec, v->n), got = dec[v->n];
	char w[48], g[48];
	int abi = abi_of(d->arch, (uint32_t)d->nr);
	const char *name =
	    abi >= 0 ? cf_syscall_name(abi, (uint32_t)d->nr) : NULL;

	(void)pt;
	(void)cell;
	if (want == got)
		return 0;
	cf_action_str(want, w, sizeof(w));
	cf_action_str(got, g, sizeof(g));
	return cf_err(v->err, -ENOTSUP,
		      "the union cannot be written exactly in the Docker "
		      "dialect: on %s, %s%s%u (a0=0x%llx a1=0x%llx a2=0x%llx) "
		      "the union decides %s, the written profile would "
		      "decide %s (runc's ENOSYS stub and per-ABI decisions "
		      "follow from the names a profile lists; hint: "
		      "compile with --enosys=none, or change the input "
		      "order)",
		      abi >= 0 ? cf_arches[abi].name : "a foreign arch",
		      name ? name : "number ", name ? " = " : "",
		      (uint32_t)d->nr, (unsigned long long)d->args[0],
		      (unsigned long long)d->args[1],
		      (unsigned long long)d->args[2], w, g);
}

static int verify(const struct cf_filter *const *in, size_t n, const char *json,
		  size_t len, const struct cf_target *t, struct cf_error *err)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	const struct cf_filter **all = calloc(n + 1, sizeof(*all));
	struct verify_ctx v = {n, err};
	struct cf_target quiet = *t;
	int rc;

	if (!all)
		return cf_err(err, -ENOMEM, "out of memory");
	quiet.diag = NULL;
	quiet.strict = false;
	rc = cf_profile_parse(json, len, "(merged)", &p, err);
	if (!rc)
		rc = cf_compile(p, &quiet, &f, err);
	if (rc) {
		/* the writer's fault, not the inputs' (err may be NULL) */
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		rc = cf_err(err, -EPROTO,
			    "internal error: the merged profile "
			    "does not compile: %s",
			    msg);
		goto out;
	}
	memcpy(all, in, n * sizeof(*all));
	all[n] = f;
	rc = walk_cells(all, n + 1, verify_cell, &v);
	if (rc && rc != -ENOTSUP)
		rc = walk_err(rc, err);
out:
	cf_filter_free(f);
	cf_profile_free(p);
	free(all);
	return rc;
}

int cf_merge(const struct cf_filter *const *in, size_t n,
	     const struct cf_target *t, char **json, size_t *len,
	     struct cf_error *err)
{
	struct merge m = {.in = in, .n = n, .err = err};
	int rc = 0;

	*json = NULL;
	*len = 0;
	if (!n || !in || !t)
		return cf_err(err, -EINVAL, "nothing to merge");
	rc = cf_reserved_zero(t->reserved, CF_RESERVED_IN, "cf_target", err);
	if (rc)
		return rc;
	for (size_t f = 0; f < n; f++) {
		if (!in[f])
			return cf_err(err, -EINVAL, "no filter");
		if (in[f]->unconfined) {
			/* one input allows everything: so does the union */
			*json = strdup("{}\n");
			*len = *json ? 3 : 0;
			return *json ? 0
				     : cf_err(err, -ENOMEM, "out of memory");
		}
		if (in[f]->rules.native != t->native)
			return cf_err(err, -EINVAL,
				      "input %zu was compiled for another "
				      "native ABI",
				      f + 1);
	}
	m.def = in[0]->ir.default_action;
	for (size_t f = 1; f < n; f++)
		if (cf_action_rank_cmp(in[f]->ir.default_action, m.def) > 0)
			m.def = in[f]->ir.default_action;
	add_arch(&m, t->native);
	for (size_t f = 0; f < n; f++)
		for (size_t i = 0; i < in[f]->ir.nabis; i++)
			add_arch(&m, in[f]->ir.abis[i].arch);
	for (size_t f = 0; !rc && f < n; f++) {
		const struct cf_ruleset *rs = &in[f]->rules;

		for (size_t r = 0; !rc && r < rs->nrules; r++) {
			int sys = rs->rules[r].sys;

			if (sys >= 0 && !sys_seen(&m, sys, f, r))
				rc = merge_sys(&m, sys);
		}
	}
	if (rc) {
		free(m.rules);
		/* -ENOTSUP: merge_sys said why (walk_err would read it as
		 * -EOPNOTSUPP, the same number on Linux: --harden) */
		if (rc == -ENOTSUP)
			return rc;
		return rc == -ENOMEM ? cf_err(err, rc, "out of memory")
				     : walk_err(rc, err);
	}
	rc = write_profile(&m, json, len);
	free(m.rules);
	if (rc)
		return cf_err(err, rc, "out of memory");
	rc = verify(in, n, *json, *len, t, err);
	if (rc) {
		free(*json);
		*json = NULL;
		*len = 0;
	}
	return rc;
}
