/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile.c - the pipeline's outline: resolve -> IR -> BPF -> verify, and
 * the questions asked of a compiled filter (decide, check).
 */
#include "base.h"
#include "action.h"
#include "profile.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "bpf_gen.h"
#include "filter.h"

#include <stdlib.h>
#include <string.h>

static int compile_into(struct cf_filter *f, const struct cf_profile *p,
			const struct cf_target *t, struct cf_error *err)
{
	int rc;

	cf_lint_notes(p, t->diag, t->diag_ctx);
	rc = cf_resolve(&f->arena, p, t, &f->rules, err);
	if (rc)
		return rc;
	f->unconfined = f->rules.unconfined;
	if (f->unconfined)
		return 0;
	f->flags = f->rules.flags | CF_FLAG_TSYNC;
	rc = cf_ir_build(&f->arena, &f->rules, &f->ir, err);
	if (!rc && t->harden)
		rc = cf_ir_harden(&f->arena, &f->ir, p->file, t->diag,
				  t->diag_ctx);
	if (!rc)
		rc = cf_bpf_gen(&f->arena, &f->ir, &f->prog, err);
	if (rc == -E2BIG && err && p->file) /* too long: name the profile */
		snprintf(err->file, sizeof(err->file), "%s", p->file);
	if (!rc)
		rc = cf_bpf_verify(f->prog.insns, f->prog.len, err);
	if (!rc)
		cf_lint_rules(p, f, t->diag, t->diag_ctx);
	return rc;
}

int cf_compile(const struct cf_profile *p, const struct cf_target *t,
	       struct cf_filter **out, struct cf_error *err)
{
	struct cf_filter *f = calloc(1, sizeof(*f));
	int rc;

	*out = NULL;
	if (!f)
		return cf_err(err, -ENOMEM, "out of memory");
	rc = cf_reserved_zero(t->reserved, CF_RESERVED_IN, "cf_target", err);
	if (rc) {
		free(f);
		return rc;
	}
	rc = compile_into(f, p, t, err);
	if (rc) {
		cf_filter_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

void cf_filter_free(struct cf_filter *f)
{
	if (f)
		cf_arena_free_owner(&f->arena, f);
}

bool cf_filter_unconfined(const struct cf_filter *f)
{
	return f->unconfined;
}

const struct sock_filter *cf_filter_program(const struct cf_filter *f,
					    size_t *len)
{
	*len = f->prog.len;
	return f->prog.insns;
}

unsigned cf_filter_flags(const struct cf_filter *f)
{
	return f->flags;
}

const char *cf_filter_listener(const struct cf_filter *f, const char **metadata)
{
	if (metadata)
		*metadata = f->rules.listener_metadata;
	return f->rules.listener_path;
}

static void decide_from_rule(const struct cf_rule *r, struct cf_decision *out)
{
	const struct cf_pos *pos = &r->pos;

	out->pointer = pos->pointer;
	out->line = pos->line;
	out->col = pos->col;
}

static bool abi_listed(const struct cf_ir *ir, const struct seccomp_data *d)
{
	bool x32 = cf_nr_filter_x32((uint32_t)d->nr);

	for (size_t i = 0; i < ir->nabis; i++)
		if (cf_arch_serves(&cf_arches[ir->abis[i].arch], d->arch, x32))
			return true;
	return false;
}

int cf_filter_decide(const struct cf_filter *f, const struct seccomp_data *d,
		     struct cf_decision *out)
{
	const struct cf_ir_sys *sys = NULL;
	const struct cf_ir_chain *chain = NULL;

	memset(out, 0, sizeof(*out));
	if (f->unconfined) {
		out->action = CF_RET_ALLOW;
		out->why = "unconfined: no filter";
		return 0;
	}
	out->action = cf_ir_eval(&f->ir, d, &sys, &chain);
	if (chain) {
		decide_from_rule(chain->rule, out);
		out->why = "argument rule";
	} else if (sys && sys->fallback_rule) {
		decide_from_rule(sys->fallback_rule, out);
		out->why = sys->nchains ? "no argument rule matched: default"
					: "syscall rule";
	} else if (sys && sys->sys < 0 && !sys->nchains) {
		out->why = "s390 setup (number 0): ENOSYS (runc's stub)";
	} else if (sys) {
		out->why = "no argument rule matched: default action";
	} else if (!abi_listed(&f->ir, d)) {
		out->why = "ABI not in the filter: killed";
	} else if (out->action != f->ir.default_action) {
		out->why = "above the profile's largest syscall number: "
			   "ENOSYS (runc's stub)";
	} else {
		out->why = "default action";
	}
	return 0;
}

/* Complain mode (docs/diagnose.md). The decisions are made: the program's
 * returns are where they land, including those only code generation
 * makes (runc's ENOSYS stub, the kill of an ABI the filter does not
 * list). Rewriting the returns catches every one of them with one rule,
 * and the IR -- which cf_filter_decide reads -- keeps the rule or default
 * behind each call. ALLOW and LOG returns are untouched, so the kernel's
 * action cache (cf_bpf_cache_map) keeps exactly the numbers it kept. */
static bool complain_keeps(uint32_t k)
{
	uint32_t act = k & CF_RET_ACTION_FULL;

	return act == CF_RET_ALLOW || act == CF_RET_LOG;
}

int cf_filter_complain(const struct cf_filter *f, struct sock_filter **prog,
		       size_t *len, struct cf_error *err)
{
	struct sock_filter *p;

	*prog = NULL;
	*len = 0;
	if (f->unconfined)
		return cf_err(err, -EINVAL,
			      "the profile means unconfined: nothing to "
			      "complain about");
	p = malloc(f->prog.len * sizeof(*p));
	if (!p)
		return cf_err(err, -ENOMEM, "out of memory");
	memcpy(p, f->prog.insns, f->prog.len * sizeof(*p));
	for (size_t i = 0; i < f->prog.len; i++) {
		if (p[i].code == (BPF_RET | BPF_A)) {
			free(p);
			return cf_err(err, -EINVAL,
				      "instruction %zu returns A: cannot "
				      "tell what it denies",
				      i);
		}
		if (p[i].code == (BPF_RET | BPF_K) && !complain_keeps(p[i].k))
			p[i].k = CF_RET_NOTIFY;
	}
	if (cf_bpf_verify(p, f->prog.len, err) < 0) {
		free(p);
		return cf_err(
		    err, -EINVAL,
		    "the complain program fails verification (a bug)");
	}
	*prog = p;
	*len = f->prog.len;
	return 0;
}

int cf_filter_parts(const struct cf_filter *f, struct cf_insn_part *out,
		    struct cf_error *err)
{
	const struct cf_gen_opts o = {.label = true};
	struct cf_arena a = {0};
	struct cf_prog p = {0};
	int rc;

	if (f->unconfined)
		return cf_err(err, -EINVAL,
			      "no program: the filter is "
			      "unconfined");
	/* the generator is deterministic: the same program, labelled */
	rc = cf_bpf_gen_opts(&a, &f->ir, &o, &p, err);
	if (rc)
		goto out;
	if (!p.parts || !p.insns || p.len != f->prog.len ||
	    memcmp(p.insns, f->prog.insns, p.len * sizeof(*p.insns))) {
		rc = cf_err(err, -EINVAL,
			    "internal error: the labelled "
			    "program differs from the compiled one");
		goto out;
	}
	memcpy(out, p.parts, p.len * sizeof(*out));
out:
	cf_arena_release(&a);
	return rc;
}
