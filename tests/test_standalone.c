/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A compiled filter owns what it needs: once its profile is freed, its
 * decisions (explain) still name the deciding rule's JSON pointer and
 * line:col, and nothing it holds points into the profile (the rules keep
 * copies, check reaches the profile through an index). Run under ASan
 * (make asan), a read of the freed profile is a crash.
 */
#include "t.h"
#include "callfence.h"
#include "base.h"
#include "profile.h"
#include "ruleset.h"
#include "filter.h"

#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A profile with a plain rule, an argument rule whose upper half --harden
 * warns about (so the warning's position is read at compile time), and a
 * same-index split (two conditions on argument 0: two rules). */
static const char standalone_json[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
    " \"architectures\": [\"SCMP_ARCH_X86_64\"],\n"
    " \"syscalls\": [\n"
    "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
    "  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "   \"args\": [{\"index\": 0, \"value\": 4294967298, \"op\": "
    "\"SCMP_CMP_EQ\"}]},\n"
    "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "   \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},\n"
    "            {\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}\n"
    " ]}\n";

static size_t warnings;
static char warned_at[64];

static void count_warning(void *ctx, const struct cf_diag *d)
{
	(void)ctx;
	if (strcmp(d->id, "harden-upper-bits"))
		return;
	warnings++;
	snprintf(warned_at, sizeof(warned_at), "%s %u:%u",
		 d->pointer ? d->pointer : "-", d->line, d->col);
}

/* Is q inside the string s (its bytes and NUL)? */
static bool inside_str(const void *q, const char *s)
{
	return s && (const char *)q >= s && (const char *)q <= s + strlen(s);
}

/* Does q point into what the profile's rules hold: the syscalls array,
 * an argument array, or one of their strings? */
static bool into_profile(const struct cf_profile *p, const void *q)
{
	const char *c = q;

	if (!q)
		return false;
	if (c >= (const char *)p->syscalls &&
	    c < (const char *)(p->syscalls + p->nsyscalls))
		return true;
	for (size_t i = 0; i < p->nsyscalls; i++) {
		const struct cf_p_syscall *s = &p->syscalls[i];

		if (s->nargs && c >= (const char *)s->args &&
		    c < (const char *)(s->args + s->nargs))
			return true;
		if (inside_str(q, s->pos.pointer) ||
		    inside_str(q, s->names_ptr) ||
		    inside_str(q, s->action_pos.pointer))
			return true;
		for (size_t n = 0; n < s->nnames; n++)
			if (inside_str(q, s->names[n]))
				return true;
		for (size_t a = 0; a < s->nargs; a++)
			if (inside_str(q, s->args[a].pos.pointer))
				return true;
	}
	return false;
}

/* How many pointers of f's rules point into p (0 for a filter that
 * stands alone). */
static size_t pointers_into(const struct cf_profile *p,
			    const struct cf_filter *f)
{
	size_t bad = 0;

	for (size_t i = 0; i < f->rules.nrules; i++) {
		const struct cf_rule *r = &f->rules.rules[i];
		const void *held[] = {r->name,
				      r->conds,
				      r->pos.pointer,
				      r->src,
				      r->src ? r->src->pos.pointer : NULL,
				      r->src ? r->src->args : NULL};

		for (size_t k = 0; k < CF_ARRAY_SIZE(held); k++)
			bad += into_profile(p, held[k]);
		for (size_t a = 0; r->src && a < r->src->nargs; a++)
			bad += into_profile(p, r->src->args_pos[a].pointer);
	}
	return bad;
}

static struct cf_decision decide(const struct cf_filter *f, uint32_t nr,
				 uint64_t arg0)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = AUDIT_ARCH_X86_64};
	struct cf_decision dec;

	d.args[0] = arg0;
	CHECK_EQ(cf_filter_decide(f, &d, &dec), 0);
	return dec;
}

TEST(filter_outlives_its_profile)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err = {0};
	struct cf_decision dec;

	CHECK_EQ(cf_target_default(&t, &err), 0);
	t.native = cf_abi_lookup("x86_64");
	t.harden = true;
	t.diag = count_warning;
	warnings = 0;
	CHECK_EQ(cf_profile_parse(standalone_json, strlen(standalone_json),
				  "standalone.json", &p, &err),
		 0);
	if (!p)
		return;
	CHECK_EQ(cf_compile(p, &t, &f, &err), 0);
	if (!f) {
		cf_profile_free(p);
		return;
	}
	/* --harden's warning located the argument while the profile lived */
	CHECK_EQ(warnings, 1);
	CHECK_STR(warned_at, "/syscalls/1/args/0 6:13");
	CHECK(f->rules.nrules >= 5);
	CHECK_EQ(pointers_into(p, f), 0);
	cf_profile_free(p);

	/* write (1): the plain rule, by its name's pointer and line:col */
	dec = decide(f, 1, 0);
	CHECK_EQ(dec.action, 0x7fff0000U);
	CHECK_STR(dec.pointer, "/syscalls/0/names/1");
	CHECK_EQ(dec.line, 4);
	CHECK_STR(dec.why, "syscall rule");
	/* socket (41) hardened: only the low half (2) counts */
	dec = decide(f, 41, 2);
	CHECK_EQ(dec.action, 0x7fff0000U);
	CHECK_STR(dec.pointer, "/syscalls/1/names/0");
	CHECK_EQ(dec.line, 5);
	CHECK_STR(dec.why, "argument rule");
	/* personality (135): the split's second rule */
	dec = decide(f, 135, 8);
	CHECK_EQ(dec.action, 0x7fff0000U);
	CHECK_STR(dec.pointer, "/syscalls/2/names/0");
	CHECK_EQ(dec.line, 7);
	dec = decide(f, 135, 9);
	CHECK_EQ(dec.action, 0x00050001U);
	CHECK_STR(dec.why, "no argument rule matched: default action");
	/* the rules' copies of the profile rule's positions are whole */
	for (size_t i = 0; i < f->rules.nrules; i++) {
		const struct cf_rule_src *s = f->rules.rules[i].src;

		CHECK(!strncmp(s->pos.pointer, "/syscalls/", 10));
		for (size_t a = 0; a < s->nargs; a++)
			CHECK(strstr(s->args_pos[a].pointer, "/args/") != NULL);
	}
	cf_filter_free(f);
}
