/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.c - lints: what a profile means that its author may not expect.
 * Everything is reported through the caller's diagnostic callback; the
 * profile is also compiled, so every compile error is a check error.
 */
#include "cf.h"

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

	l->count++;
	l->fn(l->ctx, d);
}

static struct cf_loc loc_of(const struct lint *l, const struct cf_pos *pos)
{
	return (struct cf_loc){ l->p->file, pos->pointer, pos->line, pos->col };
}

static void lint_notes(struct lint *l)
{
	for (const struct cf_p_note *n = l->p->notes; n; n = n->next) {
		struct cf_loc loc = loc_of(l, &n->pos);

		cf_warn(counting_diag, l, n->id, &loc, "%s", n->msg);
	}
}

static bool muxed_anywhere(const struct cf_ruleset *rs, int sys)
{
	if (sys < 0 || !cf_sysinfo[sys].mux_kind)
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
	const struct cf_p_syscall *s = r->src;
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

/* Per profile rule and name: argument widths, multiplexers. */
static void lint_args(struct lint *l, const struct cf_ruleset *rs,
		      const struct cf_rule *r)
{
	const struct cf_arch *native = &cf_arches[rs->native];
	const struct cf_p_syscall *s = r->src;

	if (r->sys < 0)
		return;
	for (size_t i = 0; i < s->nargs; i++) {
		const struct cf_p_arg *a = &s->args[i];
		struct cf_loc loc = loc_of(l, &a->pos);
		unsigned bits = cf_sys_arg_bits(rs->native, r->sys, a->index);

		if (native->cmp_bits == 64 && bits == 32 &&
		    (a->op == CF_OP_EQ || a->op == CF_OP_NE))
			cf_warn(counting_diag, l, "int-arg-upper-half", &loc,
				"%s on argument %u of '%s', a 32-bit int: the "
				"kernel does not clear the upper 32 bits, so a "
				"caller can set them to make the comparison "
				"fail; mask with SCMP_CMP_MASKED_EQ 0xffffffff",
				cf_op_name(a->op), a->index, r->name);
	}
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
			    (cf_arches[arch].mux && cf_sysinfo[r->sys].mux_kind))
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

/* ---- overlapping argument rules with different actions ---------------
 * callfence (like the SPEC) takes the first matching rule in profile
 * order; libseccomp merges a syscall's rules into a tree ordered by
 * argument index, operator and datum, so under runc another of the
 * matching rules can decide. The lint looks for a call that both rules
 * match, from values made of the conditions' data. */

static size_t candidates(const struct cf_ir_chain *a, const struct cf_ir_chain *b,
			 unsigned arg, uint64_t *out, size_t max)
{
	const struct cf_ir_chain *ch[2] = { a, b };
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

static bool chain_holds_on(const struct cf_arch *ar,
			   const struct cf_ir_chain *c, unsigned arg,
			   uint64_t v)
{
	for (size_t i = 0; i < c->nconds; i++)
		if (c->conds[i].arg == arg &&
		    !cf_ir_cond_match(ar, &c->conds[i], v))
			return false;
	return true;
}

/* A call both chains match, into args; false if none was found. */
static bool overlap(const struct cf_arch *ar, const struct cf_ir_chain *a,
		    const struct cf_ir_chain *b, uint64_t args[6])
{
	for (unsigned arg = 0; arg < 6; arg++) {
		uint64_t cand[2 + 6 * 12];
		size_t n = candidates(a, b, arg, cand, CF_ARRAY_SIZE(cand));
		size_t k = 0;

		while (k < n && !(chain_holds_on(ar, a, arg, cand[k]) &&
				  chain_holds_on(ar, b, arg, cand[k])))
			k++;
		if (k == n)
			return false;
		args[arg] = cand[k];
	}
	return true;
}

static void warn_overlap(struct lint *l, const struct cf_ir_chain *first,
			 const struct cf_ir_chain *later, const uint64_t args[6])
{
	struct cf_loc loc = loc_of(l, &later->rule->src->pos);
	char a1[64], a2[64], call[160];
	int off = 0;

	for (int i = 0; i < 6 && off < (int)sizeof(call); i++)
		off += snprintf(call + off, sizeof(call) - (size_t)off,
				"%s0x%llx", i ? ", " : "",
				(unsigned long long)args[i]);
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

/* Once per pair of profile rules, on the native ABI. */
static void lint_overlaps(struct lint *l, const struct cf_filter *f)
{
	const struct cf_ir_abi *abi = &f->ir.abis[0];
	const struct cf_arch *ar = &cf_arches[abi->arch];

	for (size_t k = 0; k < abi->nsys; k++) {
		const struct cf_ir_sys *s = &abi->sys[k];
		unsigned reported = 0;

		for (size_t j = 1; j < s->nchains && reported < 4; j++) {
			const struct cf_ir_chain *b = &s->chains[j];

			for (size_t i = 0; i < j; i++) {
				const struct cf_ir_chain *a = &s->chains[i];
				uint64_t args[6];

				if (a->action == b->action ||
				    a->rule->src == b->rule->src ||
				    !overlap(ar, a, b, args))
					continue;
				warn_overlap(l, a, b, args);
				reported++;
				break;
			}
		}
	}
}

int cf_check(const struct cf_profile *p, const struct cf_target *t,
	     cf_diag_fn fn, void *ctx, struct cf_error *err)
{
	struct lint l = { p, t, fn, ctx, 0 };
	struct cf_target tt = *t;
	struct cf_filter *f;
	int rc;

	tt.diag = counting_diag;
	tt.diag_ctx = &l;
	lint_notes(&l);
	if (p->unconfined) {
		struct cf_loc loc = { p->file, "", 0, 0 };

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
	if (f->ir.nabis)
		lint_overlaps(&l, f);
	cf_filter_free(f);
	return l.count;
}
