/* SPDX-License-Identifier: Apache-2.0 */
/* filter.h - a compiled filter: its ruleset, IR and program
 * (compile.c), and the lints every command reports on it (check.c). */
#ifndef CF_FILTER_H
#define CF_FILTER_H

#include "ruleset.h"
#include "ir.h"
#include "bpf_gen.h"

struct cf_filter {
	struct cf_arena arena;
	struct cf_ruleset rules;
	struct cf_ir ir;
	struct cf_prog prog;
	bool unconfined;
	unsigned flags;
};

/* What every command reports about a profile as read (the parser's notes:
 * unknown keys, key case, errno names, "X.Y.Z" kernels, ...): every
 * compile sends them through its callback first. No-op when fn is NULL. */
void cf_lint_notes(const struct cf_profile *p, cf_diag_fn fn, void *ctx);

/* What every command reports about a compiled filter's rules: rules that
 * never apply (shadowed-rule) and overlapping argument rules. No-op when
 * fn is NULL. p: the profile f was compiled from. */
void cf_lint_rules(const struct cf_profile *p, const struct cf_filter *f,
		   cf_diag_fn fn, void *ctx);

#endif
