/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.c - lints: what a profile means that its author may not expect.
 * Everything is reported through the caller's diagnostic callback; the
 * profile is also compiled, so every compile error is a check error. The
 * rule lints (shadowed and overlapping rules) run in every compile that
 * has a callback (cf_lint_rules); reach.c answers which calls reach a
 * rule.
 */
#include "base.h"
#include "action.h"
#include "profile.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "filter.h"
#include "reach.h"
#include "jptr.h"

#include <stdlib.h>
#include <string.h>

struct lint {
	const struct cf_profile *p;
	const struct cf_target *t;
	cf_diag_fn fn;
	void *ctx;
	int count;
};

static void counting_diag(void *ctx, const struct cf_diag *d)
{
	struct lint *l = ctx;

	l->count += d->cls == CF_DIAG_WARNING;
	if (l->fn)
		l->fn(l->ctx, d);
}

static struct cf_loc loc_of(const struct lint *l, const struct cf_pos *pos)
{
	return (struct cf_loc){l->p->file, pos->pointer, pos->line, pos->col};
}

void cf_lint_notes(const struct cf_profile *p, cf_diag_fn fn, void *ctx)
{
	for (const struct cf_p_note *n = p->notes; fn && n; n = n->next) {
		struct cf_loc loc = {p->file, n->pos.pointer, n->pos.line,
				     n->pos.col};

		cf_warn(fn, ctx, n->id, &loc, "%s", n->msg);
	}
}

static bool muxed_anywhere(const struct cf_ruleset *rs, int sys)
{
	if (sys < 0 || cf_sysinfo[sys].mux_kind == CF_MUX_NONE)
		return false;
	for (size_t i = 0; i < rs->narches; i++)
		if (cf_arches[rs->arches[i]].mux)
			return true;
	return false;
}

/* The first ruleset rule made from each profile rule (rules of one
 * profile rule are adjacent). */
static bool first_of_source(const struct cf_ruleset *rs,
			    const struct cf_rule *r)
{
	return r == &rs->rules[0] || (r - 1)->src != r->src;
}

/* Per profile rule: same-index OR, dropped rules. */
static void lint_rule(struct lint *l, const struct cf_rule *r)
{
	const struct cf_rule_src *s = r->src;
	struct cf_loc loc = loc_of(l, &s->pos);
	char act[64];

	if (r->split)
		cf_warn(counting_diag, l, "same-index-or", &loc,
			"conditions repeat an argument index: runc turns "
			"each of the %zu conditions into a rule of its own, "
			"so they are ORed, not ANDed",
			s->nargs);
	if (r->same_as_default)
		cf_warn(counting_diag, l, "same-as-default", &loc,
			"rule action %s equals the default action: runc drops "
			"the rule (it still counts for the ENOSYS threshold)",
			cf_action_str(r->action, act, sizeof(act)));
}

/* Per profile rule and name: multiplexers (argument widths: int_args). */
static void lint_args(struct lint *l, const struct cf_ruleset *rs,
		      const struct cf_rule *r)
{
	const struct cf_rule_src *s = r->src;

	if (r->sys < 0)
		return;
	if (s->nargs && muxed_anywhere(rs, r->sys)) {
		struct cf_loc loc = loc_of(l, &s->pos);

		cf_warn(counting_diag, l, "mux-unenforceable", &loc,
			"argument rules on '%s' cannot be enforced through "
			"socketcall/ipc (i386 and other multiplexing ABIs): "
			"there the rule matches on the call number alone",
			r->name);
	}
}

static void lint_absent(struct lint *l, const struct cf_ruleset *rs)
{
	for (size_t a = 0; a < rs->narches; a++) {
		int arch = rs->arches[a];
		char list[256] = "";
		size_t n = 0, shown = 0, off = 0;

		for (size_t i = 0; i < rs->nrules; i++) {
			const struct cf_rule *r = &rs->rules[i];
			int len;

			if (r->sys < 0 || cf_sys_nr(arch, r->sys) >= 0 ||
			    (cf_arches[arch].mux &&
			     cf_sysinfo[r->sys].mux_kind != CF_MUX_NONE))
				continue;
			if (i && rs->rules[i - 1].sys == r->sys)
				continue;
			n++;
			len = snprintf(list + off, sizeof(list) - off, "%s%s",
				       off ? ", " : "", r->name);
			if (len > 0 && (size_t)len < sizeof(list) - off) {
				off += (size_t)len;
				shown++;
			} else {
				list[off] = 0; /* whole names only */
			}
		}
		if (n)
			cf_warn(counting_diag, l, "absent-on-abi", NULL,
				"%zu syscall name%s not on %s (no rule there): "
				"%s%s",
				n, n == 1 ? " is" : "s are",
				cf_arches[arch].name, list,
				shown < n ? ", ..." : "");
	}
}

/* ---- capability names --------------------------------------------------
 * Docker compares includes/excludes caps as strings with the bounding
 * set's "CAP_*" names: "SYS_ADMIN" or "cap_sys_admin" never match, so
 * such an includes entry disables the rule and an excludes entry never
 * excludes it, whatever --cap-add says. */

/* parent + "/caps/" + i into buf (jptr.h); parent alone when that does
 * not fit. */
static const char *caps_ptr(char *buf, size_t size, const char *parent,
			    size_t i)
{
	size_t plen = parent ? strlen(parent) : 0;
	size_t clen = cf_jptr_len(plen, "caps", 0);

	if (cf_jptr_len(clen, NULL, i) >= size)
		return parent;
	clen = cf_jptr_write(buf, parent ? parent : "", plen, "caps", 0);
	cf_jptr_write(buf, buf, clen, NULL, i);
	return buf;
}

static bool cap_exact(const char *name)
{
	for (int i = 0; i <= CF_CAP_MAX; i++) {
		const char *n = cf_cap_name(i);

		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

static void lint_caps_of(struct lint *l, const struct cf_p_filter *f,
			 bool includes)
{
	const char *names[CF_CAP_MAX + 1];
	size_t n = 0;

	for (int i = 0; i <= CF_CAP_MAX; i++)
		if (cf_cap_name(i))
			names[n++] = cf_cap_name(i);
	for (size_t i = 0; i < f->ncaps; i++) {
		const char *c = f->caps[i];
		int cap = cf_cap_lookup(c);
		char ptr[300], hint[96];
		struct cf_loc loc = loc_of(l, &f->pos);

		if (cap_exact(c))
			continue;
		if (cap >= 0) {
			const char *exact = cf_cap_name(cap);

			cf_did_you_mean(exact, &exact, 1, hint, sizeof(hint));
		} else
			cf_did_you_mean(c, names, n, hint, sizeof(hint));
		loc.pointer = caps_ptr(ptr, sizeof(ptr), f->pos.pointer, i);
		cf_warn(counting_diag, l, "cap-never-matches", &loc,
			"capability '%s' never matches: Docker compares the "
			"names exactly with the kernel's 'CAP_*' names, so "
			"this %s%s",
			c,
			includes ? "rule never applies, whatever the "
				   "capabilities"
				 : "entry never excludes the rule",
			hint);
	}
}

static void lint_caps(struct lint *l)
{
	for (size_t i = 0; i < l->p->nsyscalls; i++) {
		lint_caps_of(l, &l->p->syscalls[i].includes, true);
		lint_caps_of(l, &l->p->syscalls[i].excludes, false);
	}
}

/* ---- overlapping argument rules with different actions ---------------
 * callfence (like the SPEC) takes the first matching rule in profile
 * order; libseccomp merges a syscall's rules into a tree ordered by
 * argument index, operator and datum, so under runc another of the
 * matching rules can decide. The lint looks for a call that both rules
 * match, from values made of the conditions' data. */

static size_t candidates(const struct cf_ir_chain *a,
			 const struct cf_ir_chain *b, unsigned arg,
			 uint64_t *out, size_t max)
{
	const struct cf_ir_chain *ch[2] = {a, b};
	size_t n = 0;

	out[n++] = 0;
	out[n++] = ~0ULL;
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < ch[k]->nconds && n + 6 <= max; i++) {
			const struct cf_cond *c = &ch[k]->conds[i];
			uint64_t v = c->op == CF_OP_MASKED_EQ
					 ? c->datum2 & c->datum
					 : c->datum;

			if (c->arg != arg)
				continue;
			out[n++] = v;
			out[n++] = v + 1;
			out[n++] = v - 1;
			out[n++] = v ^ 0xffffffff00000000ULL;
			out[n++] = v | ~c->datum; /* MASKED_EQ: free bits set */
			out[n++] = c->datum2;
		}
	}
	return n;
}

/* A call both chains match, into args; false if none was found. */
static bool overlap(const struct cf_arch *ar, const struct cf_ir_chain *a,
		    const struct cf_ir_chain *b, uint64_t args[6])
{
	for (unsigned arg = 0; arg < 6; arg++) {
		uint64_t cand[2 + 6 * 12];
		size_t n = candidates(a, b, arg, cand, CF_ARRAY_SIZE(cand));
		size_t k = 0;

		while (k < n && !(cf_chain_holds_on(ar, a, arg, cand[k]) &&
				  cf_chain_holds_on(ar, b, arg, cand[k])))
			k++;
		if (k == n)
			return false;
		args[arg] = cand[k];
	}
	return true;
}

static void warn_overlap(struct lint *l, const struct cf_ir_chain *first,
			 const struct cf_ir_chain *later,
			 const uint64_t args[6])
{
	struct cf_loc loc = loc_of(l, &later->rule->src->pos);
	char a1[64], a2[64], call[160];
	int off = 0;

	for (int i = 0; i < 6 && off < (int)sizeof(call); i++)
		off +=
		    snprintf(call + off, sizeof(call) - (size_t)off, "%s0x%llx",
			     i ? ", " : "", (unsigned long long)args[i]);
	cf_warn(counting_diag, l, "overlapping-rules", &loc,
		"argument rules of '%s' overlap with different actions: "
		"%s(%s) matches %s (%s) and this rule (%s); callfence takes "
		"the first in profile order; runc + libseccomp decide by "
		"their rule tree (argument index, operator, value), so "
		"there this rule may win: make the rules disjoint",
		later->rule->name, later->rule->name, call,
		first->rule->src->pos.pointer,
		cf_action_str(first->action, a1, sizeof(a1)),
		cf_action_str(later->action, a2, sizeof(a2)));
}

/* ---- rules that never apply (reach.c says which calls reach one) ---- */

/* conditions evaluated per compile at most (a few ms); past it, silence */
#define CF_SHADOW_BUDGET (1U << 23)

struct shadow {
	uint32_t abis;	  /* bit per filter ABI where the rule never applies */
	uint32_t present; /* bit per filter ABI where it has an entry */
	const struct cf_rule *by; /* what decides instead, NULL: nothing */
	bool unconditional;	  /* by is an unconditional rule */
};

/* Can no call satisfy r's conditions? */
static bool never_holds(const struct cf_arch *ar, const struct cf_rule *r,
			struct cf_walk *w, size_t *work)
{
	struct cf_ir_chain c = {
	    .conds = r->conds, .nconds = r->nconds, .rule = r};
	struct cf_ir_sys one = {.chains = &c, .nchains = 1};

	if (!r->nconds || r->nconds > CF_CHAIN_CONDS)
		return false;
	return cf_chain_reach(ar, &one, 0, NULL, w, work) == CF_NEVER_HOLDS;
}

/* libseccomp agrees here: the first unconditional rule of a syscall
 * decides it; rules added after it are dropped, rules before it cleared.
 * A rule of the same action is redundant, unless its conditions never
 * hold (then it is reported as such). */
static void shadow_unconditional(const struct cf_ruleset *rs, size_t ai,
				 const struct cf_ir_abi *abi, struct shadow *sh,
				 struct cf_walk *w, size_t *work)
{
	const struct cf_arch *ar = &cf_arches[abi->arch];

	for (size_t i = 0; i < rs->nrules; i++) {
		const struct cf_rule *r = &rs->rules[i];
		const struct cf_ir_sys *s;
		int64_t nr;

		if (r->sys < 0 || r->same_as_default ||
		    (nr = cf_sys_nr(abi->arch, r->sys)) < 0 ||
		    (ar->mux && cf_sysinfo[r->sys].mux_kind != CF_MUX_NONE))
			continue;
		sh[i].present |= 1U << ai;
		s = cf_ir_find_sys(abi, (uint32_t)nr);
		if (!s || s->nchains || !s->fallback_rule ||
		    s->fallback_rule == r)
			continue;
		if (s->fallback != r->action) {
			sh[i].by = s->fallback_rule;
			sh[i].unconditional = true;
		} else if (never_holds(ar, r, w, work)) {
			sh[i].by = NULL;
		} else {
			continue;
		}
		sh[i].abis |= 1U << ai;
	}
}

static void shadow_chains(const struct cf_ruleset *rs, size_t ai,
			  const struct cf_ir_sys *s, const struct cf_arch *ar,
			  struct shadow *sh, struct cf_walk *w, size_t *work)
{
	enum cf_reach *eq;

	if (!s->nchains)
		return;
	eq = malloc(s->nchains * sizeof(*eq));
	for (size_t j = 0; j < s->nchains; j++)
		if (s->chains[j].rule->sys != s->sys)
			goto out; /* socketcall/ipc: mux-unenforceable says it
				   */
	if (eq && !cf_eq_reach(ar, s, eq)) {
		free(eq);
		eq = NULL;
	}
	for (size_t j = 0; j < s->nchains; j++) {
		const struct cf_ir_chain *b = &s->chains[j];
		struct shadow *x = &sh[b->rule - rs->rules];
		enum cf_reach r =
		    eq ? eq[j] : cf_chain_reach(ar, s, j, NULL, w, work);
		const struct cf_rule *by = NULL;

		if (r == CF_REACHED || r == CF_REACH_UNKNOWN)
			continue;
		/* what decides instead: an earlier chain of another action
		 * that some call of this one reaches (none: redundant) */
		for (size_t i = 0; i < j && r == CF_SHADOWED && !by; i++)
			if (s->chains[i].action != b->action &&
			    cf_chain_reach(ar, s, i, b, w, work) == CF_REACHED)
				by = s->chains[i].rule;
		if (r == CF_SHADOWED && !by)
			continue; /* redundant (same action), or unnamed */
		x->abis |= 1U << ai;
		x->by = by;
	}
out:
	free(eq);
}

static void abi_list(const struct cf_ruleset *rs, uint32_t mask, char *buf,
		     size_t size)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < rs->narches && off < size; i++)
		if (mask >> i & 1)
			off += (size_t)snprintf(buf + off, size - off, "%s%s",
						off ? ", " : "",
						cf_arches[rs->arches[i]].name);
}

static void warn_shadow(struct lint *l, const struct cf_ruleset *rs,
			const struct cf_rule *r, const struct shadow *x)
{
	struct cf_loc loc = {l->p->file, r->pos.pointer, r->pos.line,
			     r->pos.col};
	char act[64], act2[64], abis[160], where[200] = "";

	cf_action_str(r->action, act, sizeof(act));
	if (x->abis != x->present) {
		abi_list(rs, x->abis, abis, sizeof(abis));
		snprintf(where, sizeof(where), " on %s", abis);
	}
	if (!x->by) {
		cf_warn(counting_diag, l, "shadowed-rule", &loc,
			"this rule for '%s' (%s) never applies%s: no call "
			"satisfies all its conditions",
			r->name, act, where);
		return;
	}
	cf_action_str(x->by->action, act2, sizeof(act2));
	if (x->unconditional)
		cf_warn(counting_diag, l, "shadowed-rule", &loc,
			"this rule for '%s' (%s) never applies%s: the "
			"unconditional rule %s (%u:%u, %s) decides every call "
			"of '%s', wherever it stands (as in runc + libseccomp)",
			r->name, act, where, x->by->pos.pointer,
			x->by->pos.line, x->by->pos.col, act2, r->name);
	else
		cf_warn(counting_diag, l, "shadowed-rule", &loc,
			"this rule for '%s' (%s) never applies%s: every call "
			"it matches is decided first by %s (%u:%u, %s), as "
			"callfence takes the first matching rule (runc + "
			"libseccomp order a syscall's argument rules by "
			"argument instead, so there it may decide some calls): "
			"make the rules disjoint",
			r->name, act, where, x->by->pos.pointer,
			x->by->pos.line, x->by->pos.col, act2);
}

/* Once per pair of profile rules, on the native ABI. */
static void lint_overlaps(struct lint *l, const struct cf_filter *f,
			  const struct shadow *sh)
{
	const struct cf_ir_abi *abi = &f->ir.abis[0];
	const struct cf_arch *ar = &cf_arches[abi->arch];

	for (size_t k = 0; k < abi->nsys; k++) {
		const struct cf_ir_sys *s = &abi->sys[k];
		unsigned reported = 0;

		for (size_t j = 1; j < s->nchains && reported < 4; j++) {
			const struct cf_ir_chain *b = &s->chains[j];

			if (sh && sh[b->rule - f->rules.rules].abis & 1)
				continue; /* shadowed-rule says more */
			for (size_t i = 0; i < j; i++) {
				const struct cf_ir_chain *a = &s->chains[i];
				uint64_t args[6];

				/* cf_eq_disjoint first (callgrind, the rule
				 * lints of `callfence compile` on bench
				 * corpus actions-1000.json: 47.0 M -> 7.2 M
				 * instructions) */
				if (a->action == b->action ||
				    a->rule->src == b->rule->src ||
				    cf_eq_disjoint(ar, a, b) ||
				    !overlap(ar, a, b, args))
					continue;
				warn_overlap(l, a, b, args);
				reported++;
				break;
			}
		}
	}
}

void cf_lint_rules(const struct cf_profile *p, const struct cf_filter *f,
		   cf_diag_fn fn, void *ctx)
{
	struct lint l = {p, NULL, fn, ctx, 0};
	const struct cf_ruleset *rs = &f->rules;
	struct shadow *sh;
	struct cf_walk *w;
	size_t work = CF_SHADOW_BUDGET;

	if (!fn || f->unconfined || !f->ir.nabis)
		return;
	sh = calloc(rs->nrules ? rs->nrules : 1, sizeof(*sh));
	w = cf_walk_new(); /* NULL: the points alone */
	for (size_t ai = 0; sh && ai < f->ir.nabis; ai++) {
		const struct cf_ir_abi *abi = &f->ir.abis[ai];

		shadow_unconditional(rs, ai, abi, sh, w, &work);
		for (size_t k = 0; k < abi->nsys; k++)
			shadow_chains(rs, ai, &abi->sys[k],
				      &cf_arches[abi->arch], sh, w, &work);
	}
	for (size_t i = 0; sh && i < rs->nrules; i++)
		if (sh[i].abis)
			warn_shadow(&l, rs, &rs->rules[i], &sh[i]);
	lint_overlaps(&l, f, sh);
	cf_walk_free(w);
	free(sh);
}

/* ---- int arguments compared in 64 bits --------------------------------
 * The kernel reads a C int argument as its low 32 bits; the filter of a
 * 64-bit ABI compares all 64. For a call x let x' be x with that
 * argument's upper half cleared: the call as the kernel reads it. A
 * bypass is an x the filter allows whose x' it denies; a narrowing an x
 * decided otherwise than x' with no bypass. The argument's values come
 * from the bit walk in pair mode (one per combination of truth values of
 * the conditions on x and on x' together), the other arguments' from the
 * plain walk (without MASKED_EQ, from the halves of the conditions'
 * points {d, d + 1} and their successors: exact as well, cheaper): every
 * call of the search space is decided by the IR evaluator, so the search
 * is exhaustive, and every value reported is one the evaluator decides
 * so. Where a walk gives up, the points are a sample and a bypass may go
 * unreported, never invented. */

#define CF_INT_BUDGET (1U << 18)

static bool allowing(uint32_t action)
{
	uint32_t k = action & CF_RET_ACTION_FULL;

	return k == CF_RET_ALLOW || k == CF_RET_LOG;
}

struct witness {
	bool found;
	uint64_t x[6];
	uint32_t dec, dec_low; /* decisions of x and x' */
	const struct cf_ir_chain *by, *by_low;
};

struct int_search {
	const struct cf_ir *ir;
	const struct cf_ir_abi *abi;
	const struct cf_ir_sys *s;
	unsigned arg;
	struct cf_vals c[6]; /* c[arg]: the low halves */
	struct cf_vals hi;   /* the upper halves of c[arg] */
	struct witness bypass, narrow;
	bool pairs;	  /* c[arg] holds whole values (the walk's) */
	uint32_t lows[4]; /* distinct bypassing low halves */
	size_t nlows;
	size_t budget;
	bool exact;
	/* repeated subtrees: the tries below each depth, and the memo
	 * (NULL: every subtree is walked) */
	size_t leaves[7];
	struct int_memo *memo;
	/* with the memo: the chains whose conditions on arg hold on x[arg]
	 * and on x'[arg] (its low half) */
	uint64_t hx, hxl;
};

/* ---- the search's repeated subtrees -------------------------------------
 * Below depth k a try's decisions depend only on which chains the values
 * chosen before k keep (each chain's conditions on those arguments hold)
 * and, once chosen, on arg's value. A subtree met again in that state
 * gives the same decisions as the first time, for other values of the
 * arguments before it, so nothing the search keeps can come from it: not
 * the first bypass, the first narrowing or a later one whose x' is
 * allowed, nor a new bypassing low half. It is skipped, its tries still
 * counted against the budget, so every search ends where it did when
 * each was tried (the same warnings and notes, byte for byte).
 * `callfence check --strict` of gen-1000: 5.77 G instructions before,
 * nearly all in the int-arg lint's evaluations (callgrind). */
#define INT_SEEN_SLOTS 16384

struct int_seen {
	uint64_t kept, xa;
	uint32_t stamp;
	uint8_t k, xa_set;
};

/* One per lint, shared by its searches; made by the first search of more
 * than INT_MEMO_MIN tries (calloc'd: about 410 KiB), so that a profile
 * whose searches are all small, as Docker's default's are, never pays
 * for it. */
#define INT_MEMO_MIN 4096

struct int_memo {
	struct int_seen seen[INT_SEEN_SLOTS];
	uint32_t now; /* the current search's stamp */
	/* per argument and candidate, the chains whose conditions on that
	 * argument hold (bit j: chain j; not kept for arg) */
	uint64_t keep[6][CF_VALS_MAX];
};

/* Was (k, kept, xa) met before in this search? Records it if not (while
 * there is room). */
static bool int_seen_before(struct int_search *q, unsigned k, uint64_t kept,
			    uint64_t xa, bool xa_set)
{
	uint64_t h = (kept * 0x9e3779b97f4a7c15ULL) ^
		     (xa * 0xc2b2ae3d27d4eb4fULL) ^
		     ((uint64_t)(k << 1 | xa_set) * 0x165667b19e3779f9ULL);
	size_t i = (size_t)(h >> 40) & (INT_SEEN_SLOTS - 1);

	for (size_t probe = 0; probe < 16; probe++) {
		struct int_seen *e =
		    &q->memo->seen[(i + probe) & (INT_SEEN_SLOTS - 1)];

		if (e->stamp != q->memo->now) {
			*e = (struct int_seen){kept, xa, q->memo->now,
					       (uint8_t)k, xa_set};
			return false;
		}
		if (e->kept == kept && e->xa == xa && e->k == k &&
		    e->xa_set == xa_set)
			return true;
	}
	return false; /* full here: walked again, as without the table */
}

/* The tries below each depth: the product of the later arguments'
 * candidates (saturating). */
static size_t int_count(const struct int_search *q, unsigned k)
{
	size_t n = 0;

	if (k != q->arg)
		return q->c[k].n;
	for (size_t i = 0; q->pairs && i < q->c[k].n; i++)
		n += (q->c[k].v[i] >> 32) != 0;
	for (size_t h = 0; !q->pairs && h < q->hi.n; h++)
		n += (q->hi.v[h] & UINT32_MAX) ? q->c[k].n : 0;
	return n;
}

/* The chains of q's syscall whose conditions on arg hold on v (bit j:
 * chain j; at most 64 chains, int_prepare). */
static uint64_t int_holding(const struct int_search *q, unsigned arg,
			    uint64_t v)
{
	const struct cf_arch *ar = &cf_arches[q->abi->arch];
	uint64_t m = 0;

	for (size_t j = 0; j < q->s->nchains; j++)
		m |= (uint64_t)cf_chain_holds_on(ar, &q->s->chains[j], arg, v)
		     << j;
	return m;
}

/* Fills leaves and, for a search of more than INT_MEMO_MIN tries, the
 * memo's keep for the candidates now in q, and empties the memo (a new
 * stamp). q->memo stays NULL for a small search, past 64 chains, or when
 * the memo cannot be allocated. */
static void int_prepare(struct int_search *q, struct int_memo **memo)
{
	q->leaves[6] = 1;
	for (unsigned k = 6; k-- > 0;) {
		size_t c = int_count(q, k);

		q->leaves[k] = c && q->leaves[k + 1] > SIZE_MAX / c
				   ? SIZE_MAX
				   : c * q->leaves[k + 1];
	}
	q->memo = NULL;
	if (q->leaves[0] <= INT_MEMO_MIN || q->s->nchains > 64)
		return;
	if (!*memo)
		*memo = calloc(1, sizeof(**memo));
	q->memo = *memo;
	if (!q->memo)
		return;
	if (++q->memo->now == 0) {
		memset(q->memo->seen, 0, sizeof(q->memo->seen));
		q->memo->now = 1;
	}
	for (unsigned k = 0; k < 6; k++)
		for (size_t i = 0; k != q->arg && i < q->c[k].n; i++)
			q->memo->keep[k][i] = int_holding(q, k, q->c[k].v[i]);
}

static void halves_of(struct int_search *q, const struct cf_ir_chain *ch)
{
	for (size_t i = 0; i < ch->nconds; i++) {
		const struct cf_cond *k = &ch->conds[i];
		uint64_t pts[6] = {k->datum, k->datum + 1, 0, 0, 0, 0};
		size_t n = 2;

		if (k->arg != q->arg)
			continue;
		if (k->op == CF_OP_MASKED_EQ) {
			uint64_t want = k->datum2 & k->datum;

			pts[0] = want;
			pts[1] = want | ~k->datum;
			pts[2] = want ^ k->datum;
			n = 3;
			q->exact = false;
		}
		for (size_t j = 0; j < n; j++) {
			cf_vals_add(&q->c[q->arg], pts[j] & UINT32_MAX);
			cf_vals_add(&q->c[q->arg], (pts[j] + 1) & UINT32_MAX);
			cf_vals_add(&q->hi, pts[j] >> 32);
			cf_vals_add(&q->hi, (pts[j] >> 32) + 1);
		}
	}
}

static void int_try(struct int_search *q, const uint64_t x[6])
{
	struct seccomp_data d = {.nr = (int)q->s->nr,
				 .arch = cf_arches[q->abi->arch].audit_arch};
	const struct cf_ir_chain *by, *by_low;
	struct witness *w;
	uint32_t dec, dec_low;

	memcpy(d.args, x, sizeof(d.args));
	dec = cf_ir_eval(q->ir, &d, NULL, &by);
	d.args[q->arg] &= UINT32_MAX;
	dec_low = cf_ir_eval(q->ir, &d, NULL, &by_low);
	if (dec == dec_low)
		return;
	w = allowing(dec) && !allowing(dec_low) ? &q->bypass : &q->narrow;
	if (w == &q->bypass && q->nlows < CF_ARRAY_SIZE(q->lows)) {
		size_t i = 0;

		while (i < q->nlows && q->lows[i] != (uint32_t)d.args[q->arg])
			i++;
		if (i == q->nlows)
			q->lows[q->nlows++] = (uint32_t)d.args[q->arg];
	}
	if (w->found &&
	    !(w == &q->narrow && allowing(dec_low) && !allowing(w->dec_low)))
		return;
	*w = (struct witness){true, {0}, dec, dec_low, by, by_low};
	memcpy(w->x, x, sizeof(w->x));
}

/* With the memo: arg's value chosen, v. */
static void int_chose(struct int_search *q, uint64_t v)
{
	q->hx = q->memo ? int_holding(q, q->arg, v) : 0;
	q->hxl = q->memo ? int_holding(q, q->arg, v & UINT32_MAX) : 0;
}

/* The decision of the first chain in m (the syscall's fallback if none),
 * as the evaluator decides the syscall when exactly m's chains hold. */
static uint32_t int_first(const struct int_search *q, uint64_t m)
{
	return m ? q->s->chains[__builtin_ctzll(m)].action : q->s->fallback;
}

/* A try. With the memo the chains kept tell whether x and x' are
 * decided alike, without evaluating them (callfence check --strict
 * gen-1000: 0.91 G -> 0.46 G instructions); a pair decided apart is
 * evaluated by int_try, so every witness is the evaluator's. */
static void int_leaf(struct int_search *q, const uint64_t x[6], uint64_t kept)
{
	q->budget--;
	if (q->memo &&
	    int_first(q, kept & q->hx) == int_first(q, kept & q->hxl))
		return;
	int_try(q, x);
}

/* Every combination of the candidates of arguments k.. (x[0..k) set;
 * kept: the chains their values keep; xa_set: x[arg] is among them). */
static void int_walk(struct int_search *q, uint64_t x[6], unsigned k,
		     uint64_t kept, bool xa_set)
{
	if (!q->budget) {
		q->exact = false;
		return;
	}
	if (k && q->memo &&
	    int_seen_before(q, k, kept, xa_set ? x[q->arg] : 0, xa_set)) {
		if (q->leaves[k] > q->budget) {
			q->budget = 0;
			q->exact = false;
		} else {
			q->budget -= q->leaves[k];
		}
		return;
	}
	if (k == 6) {
		int_leaf(q, x, kept);
		return;
	}
	if (k != q->arg) {
		for (size_t i = 0; i < q->c[k].n; i++) {
			x[k] = q->c[k].v[i];
			int_walk(q, x, k + 1,
				 kept & (q->memo ? q->memo->keep[k][i] : 0),
				 xa_set);
		}
		return;
	}
	for (size_t i = 0; q->pairs && i < q->c[k].n; i++) {
		x[k] = q->c[k].v[i];
		if (!(x[k] >> 32))
			continue;
		int_chose(q, x[k]);
		int_walk(q, x, k + 1, kept, true);
	}
	for (size_t h = 0; !q->pairs && h < q->hi.n; h++)
		for (size_t l = 0; l < q->c[k].n; l++) {
			if (!(q->hi.v[h] & UINT32_MAX))
				continue; /* x == x' */
			x[k] = (q->hi.v[h] & UINT32_MAX) << 32 | q->c[k].v[l];
			int_chose(q, x[k]);
			int_walk(q, x, k + 1, kept, true);
		}
}

static bool cond_on(const struct cf_ir_sys *s, unsigned arg)
{
	for (size_t j = 0; j < s->nchains; j++)
		for (size_t i = 0; i < s->chains[j].nconds; i++)
			if (s->chains[j].conds[i].arg == arg)
				return true;
	return false;
}

/* Where a rule compares arg: its condition's position, else the rule's. */
static struct cf_loc arg_loc(const struct lint *l, const struct cf_ir_chain *c,
			     unsigned arg)
{
	const struct cf_rule_src *src = c->rule->src;

	for (size_t i = 0; i < src->nargs; i++)
		if (src->args[i].arg == arg)
			return loc_of(l, &src->args_pos[i]);
	return loc_of(l, &src->pos);
}

static const char *who(const struct cf_ir_chain *c)
{
	return c ? c->rule->src->pos.pointer : "the default action";
}

static void call_str(const struct int_search *q, const uint64_t x[6], char *buf,
		     size_t size)
{
	unsigned n = cf_sysinfo[q->s->sys].nargs;
	int off = snprintf(buf, size, "%s(", cf_sysinfo[q->s->sys].name);

	if (n > 6)
		n = 6;
	if (n <= q->arg)
		n = q->arg + 1;
	for (unsigned i = 0; i < n && off > 0 && (size_t)off < size; i++)
		off += snprintf(buf + off, size - (size_t)off, "%s0x%llx",
				i ? ", " : "", (unsigned long long)x[i]);
	if (off > 0 && (size_t)off < size)
		snprintf(buf + off, size - (size_t)off, ")");
}

static void warn_bypass(struct lint *l, const struct int_search *q)
{
	const struct witness *w = &q->bypass;
	const struct cf_ir_chain *at = w->by ? w->by : w->by_low;
	struct cf_loc loc = at ? arg_loc(l, at, q->arg) : (struct cf_loc){0};
	char call[200], a1[64], a2[64], more[120] = "";
	uint32_t low = (uint32_t)w->x[q->arg];
	int off = 0;

	call_str(q, w->x, call, sizeof(call));
	for (size_t i = 0; i < q->nlows; i++)
		if (q->lows[i] != low && off >= 0 && (size_t)off < sizeof(more))
			off += snprintf(more + off, sizeof(more) - (size_t)off,
					"%s%u",
					off ? ", "
					    : "; the same holds "
					      "for ",
					q->lows[i]);
	cf_warn(counting_diag, l, "int-arg-bypass", &loc,
		"%s on %s is allowed (%s, by %s), but argument %u of '%s' is "
		"a 32-bit int: the kernel reads it as %u (0x%x), which the "
		"profile denies (%s, by %s)%s. Setting the upper 32 bits "
		"bypasses the rule: deny values above 0xffffffff first, or "
		"compare the low half only (SCMP_CMP_MASKED_EQ, mask "
		"0xffffffff), or use --harden",
		call, cf_arches[q->abi->arch].name,
		cf_action_str(w->dec, a1, sizeof(a1)), who(w->by), q->arg,
		cf_sysinfo[q->s->sys].name, low, low,
		cf_action_str(w->dec_low, a2, sizeof(a2)), who(w->by_low),
		more);
}

static void note_narrow(struct lint *l, const struct int_search *q)
{
	const struct witness *w = &q->narrow;
	const struct cf_ir_chain *at = w->by_low ? w->by_low : w->by;
	struct cf_loc loc = at ? arg_loc(l, at, q->arg) : (struct cf_loc){0};
	char call[200], a1[64], a2[64];
	uint32_t low = (uint32_t)w->x[q->arg];

	call_str(q, w->x, call, sizeof(call));
	cf_warn(counting_diag, l, "int-arg-narrow", &loc,
		"argument %u of '%s' is a 32-bit int compared in 64 bits on "
		"%s: setting its upper half can only deny more, never allow "
		"more (e.g. %s gets %s, by %s, though the kernel reads %u "
		"(0x%x), which gets %s, by %s); a program passing garbage "
		"upper bits is refused",
		q->arg, cf_sysinfo[q->s->sys].name,
		cf_arches[q->abi->arch].name, call,
		cf_action_str(w->dec, a1, sizeof(a1)), who(w->by), low, low,
		cf_action_str(w->dec_low, a2, sizeof(a2)), who(w->by_low));
}

/* Values of argument k for the search: the walk's (exact), or a sample. */
static void int_cands(struct int_search *q, struct cf_walk *w, unsigned k,
		      size_t *work)
{
	const struct cf_arch *ar = &cf_arches[q->abi->arch];
	const struct cf_ir_sys *s = q->s;

	if (cf_walk_sys(w, s, k, k == q->arg, &q->c[k], work)) {
		q->pairs |= k == q->arg;
		return;
	}
	q->c[k].n = 0;
	q->c[k].exact = true;
	cf_vals_add(&q->c[k], 0);
	if (k == q->arg) {
		cf_vals_add(&q->c[k], UINT32_MAX);
		cf_vals_add(&q->hi, 1);
		cf_vals_add(&q->hi, UINT32_MAX);
		for (size_t j = 0; j < s->nchains; j++)
			halves_of(q, &s->chains[j]);
		return;
	}
	for (size_t j = 0; j < s->nchains; j++)
		cf_vals_points(&q->c[k], ar, &s->chains[j], k, NULL);
	q->exact &= q->c[k].exact;
}

static void int_arg(struct lint *l, const struct cf_ir *ir,
		    const struct cf_ir_abi *abi, const struct cf_ir_sys *s,
		    unsigned arg, struct cf_walk *w, size_t *work,
		    struct int_memo **memo)
{
	struct int_search q = {.ir = ir,
			       .abi = abi,
			       .s = s,
			       .arg = arg,
			       .budget = CF_INT_BUDGET,
			       .exact = true};
	uint64_t x[6] = {0};

	/* the points first; the walk where they are not exhaustive */
	for (unsigned k = 0; k < 6; k++)
		int_cands(&q, NULL, k, work);
	int_prepare(&q, memo);
	int_walk(&q, x, 0, UINT64_MAX, false);
	if (!q.bypass.found && !q.exact && w) {
		memset(&q.narrow, 0, sizeof(q.narrow));
		memset(q.c, 0, sizeof(q.c));
		memset(&q.hi, 0, sizeof(q.hi));
		q.budget = CF_INT_BUDGET;
		q.exact = true;
		for (unsigned k = 0; k < 6; k++)
			int_cands(&q, w, k, work);
		int_prepare(&q, memo);
		int_walk(&q, x, 0, UINT64_MAX, false);
	}
	if (q.bypass.found)
		warn_bypass(l, &q);
	else if (q.narrow.found)
		note_narrow(l, &q);
}

static void lint_int_args(struct lint *l, const struct cf_filter *f)
{
	struct cf_walk *w = cf_walk_new(); /* NULL: the points alone */
	struct int_memo *memo = NULL;	   /* made by a large search */
	size_t work = CF_SHADOW_BUDGET;

	for (size_t a = 0; a < f->ir.nabis; a++) {
		const struct cf_ir_abi *abi = &f->ir.abis[a];

		if (cf_arches[abi->arch].cmp_bits != 64)
			continue;
		for (size_t k = 0; k < abi->nsys; k++) {
			const struct cf_ir_sys *s = &abi->sys[k];
			bool direct = s->sys >= 0;

			for (size_t j = 0; j < s->nchains; j++)
				direct &= s->chains[j].rule->sys == s->sys;
			for (unsigned arg = 0; direct && arg < 6; arg++)
				if (cf_sys_arg_bits(abi->arch, s->sys, arg) ==
					32 &&
				    cond_on(s, arg) && !cf_low32_arg(s, arg))
					int_arg(l, &f->ir, abi, s, arg, w,
						&work, &memo);
		}
	}
	cf_walk_free(w);
	free(memo);
}

int cf_check(const struct cf_profile *p, const struct cf_target *t,
	     cf_diag_fn fn, void *ctx, struct cf_error *err)
{
	struct lint l = {p, t, fn, ctx, 0};
	struct cf_target tt = *t;
	struct cf_filter *f;
	int rc;

	rc = cf_reserved_zero(t->reserved, CF_RESERVED_IN, "cf_target", err);
	if (rc)
		return rc;
	tt.diag = counting_diag;
	tt.diag_ctx = &l;
	lint_caps(&l);
	if (p->unconfined) {
		cf_lint_notes(p, counting_diag, &l);
		struct cf_loc loc = {p->file, "", 0, 0};

		cf_warn(counting_diag, &l, "unconfined", &loc,
			"the profile has neither 'defaultAction' nor "
			"'syscalls': it means NO seccomp filter at all");
		return l.count;
	}
	rc = cf_compile(p, &tt, &f, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < f->rules.nrules; i++) {
		const struct cf_rule *r = &f->rules.rules[i];
		bool first = first_of_source(&f->rules, r);

		if (first)
			lint_rule(&l, r);
		/* once per name: split rules of a name are adjacent */
		if (first || (r - 1)->src_name != r->src_name)
			lint_args(&l, &f->rules, r);
	}
	lint_absent(&l, &f->rules);
	lint_int_args(&l, f);
	cf_filter_free(f);
	return l.count;
}
