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
	cf_filter_free(f);
	return l.count;
}
