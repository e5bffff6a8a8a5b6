/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_complain.c - `callfence run --complain[=FILE]`: the findings.
 *
 * cf_run hands every notification of the complain program's listener to
 * cli_complain_note, which asks the compiled filter (its IR) what the
 * profile would have answered and by which rule, and counts it; the
 * report (stderr, and FILE as JSON: docs/cli.md) comes after the command
 * ended. One finding per ABI, syscall number and deciding rule.
 */
#include "callfence.h"
#include "cli.h"
#include "complain.h"
#include "diagnose.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define X32_BIT 0x40000000U

struct finding {
	uint32_t arch, nr;
	int abi;	  /* -1 = unknown */
	const char *name; /* NULL = not in the ABI's table */
	uint64_t count;
	uint32_t pid; /* the example */
	uint64_t args[6];
	struct cf_decision dec;
	bool no_args;	/* audit-log: records carry no arguments */
	bool has_outer; /* a filter above callfence denied it: outer */
	struct complain_outer outer;
};

struct cli_complain {
	const struct cf_filter *filter;
	const char *file; /* the profile as named */
	struct finding *f;
	size_t n, cap;
	uint64_t dropped; /* notifications not recorded (out of memory) */
	enum complain_method method;
	const char *method_why;	 /* NULL: the default method */
	const char *who;	 /* "callfence run: complain" */
	const char *source;	 /* JSON method instead of the run's, or NULL */
	const char *source_text; /* its words in the text report */
	FILE *text;		 /* where the text report goes (stderr) */
	const char *extra;	 /* more top-level JSON members, or NULL */
};

struct cli_complain *cli_complain_new(const struct cf_filter *f,
				      const char *file)
{
	struct cli_complain *c = calloc(1, sizeof(*c));

	if (c) {
		c->filter = f;
		c->file = file;
		c->who = "callfence run: complain";
		c->text = stderr;
	}
	return c;
}

void cli_complain_free(struct cli_complain *c)
{
	if (c)
		free(c->f);
	free(c);
}

/* The ABI of (arch, nr): the one whose table names nr, else x32 for an
 * x86_64 number with the x32 bit, else the first with that audit arch. */
static int complain_abi(uint32_t arch, uint32_t nr, const char **name)
{
	int first = -1;

	*name = NULL;
	for (int i = 0; i < cf_abi_count(); i++) {
		if (cf_abi_audit_arch(i) != arch)
			continue;
		if ((*name = cf_syscall_name(i, nr)) != NULL)
			return i;
		if (first < 0)
			first = i;
	}
	if (arch == cf_abi_audit_arch(cf_abi_lookup("x86_64")) &&
	    (nr & X32_BIT))
		return cf_abi_lookup("x32");
	return first;
}

static bool same_decision(const struct cf_decision *a,
			  const struct cf_decision *b)
{
	return a->action == b->action && a->line == b->line &&
	       a->col == b->col &&
	       (a->pointer && b->pointer ? !strcmp(a->pointer, b->pointer)
					 : a->pointer == b->pointer);
}

void cli_complain_source(struct cli_complain *c, const char *who,
			 const char *method, const char *method_text,
			 FILE *text, const char *extra)
{
	c->who = who;
	c->source = method;
	c->source_text = method_text;
	c->text = text;
	c->extra = extra;
}

void cli_complain_method(struct cli_complain *c, enum complain_method m,
			 const char *why)
{
	c->method = m;
	c->method_why = why;
}

static bool same_finding(const struct finding *f, const struct seccomp_data *d,
			 const struct cf_decision *dec,
			 const struct complain_outer *outer)
{
	return f->arch == d->arch && f->nr == (uint32_t)d->nr &&
	       same_decision(&f->dec, dec) && f->has_outer == !!outer &&
	       (!outer || (f->outer.action == outer->action &&
			   f->outer.certain == outer->certain));
}

static void complain_add(struct cli_complain *c, const struct seccomp_data *d,
			 uint32_t pid, const struct cf_decision *dec,
			 const struct complain_outer *outer)
{
	struct finding *f;

	for (size_t i = 0; i < c->n; i++)
		if (same_finding(&c->f[i], d, dec, outer)) {
			c->f[i].count++;
			return;
		}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct finding *nf = realloc(c->f, cap * sizeof(*nf));

		if (!nf) {
			c->dropped++;
			return;
		}
		c->f = nf;
		c->cap = cap;
	}
	f = &c->f[c->n++];
	memset(f, 0, sizeof(*f));
	f->arch = d->arch;
	f->nr = (uint32_t)d->nr;
	f->abi = complain_abi(f->arch, f->nr, &f->name);
	f->count = 1;
	f->pid = pid;
	f->no_args = c->extra != NULL;
	memcpy(f->args, d->args, sizeof(f->args));
	f->dec = *dec;
	f->has_outer = outer != NULL;
	if (outer)
		f->outer = *outer;
}

void cli_complain_note(void *ctx, const struct seccomp_notif *n)
{
	cli_complain_add(ctx, &n->data, n->pid, NULL);
}

void cli_complain_add(struct cli_complain *c, const struct seccomp_data *d,
		      uint32_t pid, const struct cf_decision *given)
{
	struct cf_decision dec;

	if (given)
		dec = *given;
	else if (cf_filter_decide(c->filter, d, &dec) < 0)
		memset(&dec, 0, sizeof(dec));
	complain_add(c, d, pid, &dec, NULL);
}

static bool allows(uint32_t action)
{
	uint32_t a = action & SECCOMP_RET_ACTION_FULL;

	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

void cli_complain_call(struct cli_complain *c, const struct seccomp_data *d,
		       uint32_t pid, const struct complain_outer *outer)
{
	struct cf_decision dec;

	if (cf_filter_decide(c->filter, d, &dec) < 0)
		memset(&dec, 0, sizeof(dec));
	if (outer && allows(outer->action))
		outer = NULL;
	if (outer || !allows(dec.action))
		complain_add(c, d, pid, &dec, outer);
}

/* ---- the report -------------------------------------------------------- */

static const char *abi_name(const struct finding *f)
{
	return f->abi >= 0 ? cf_abi_name(f->abi) : "unknown";
}

/* The errno the call would have failed with, 0 = none (a kill, a trap). */
static int finding_errno(const struct finding *f)
{
	uint32_t act = f->dec.action & SECCOMP_RET_ACTION_FULL;

	if (act == SECCOMP_RET_ERRNO)
		return (int)(f->dec.action & SECCOMP_RET_DATA);
	if (act == SECCOMP_RET_TRACE || act == SECCOMP_RET_USER_NOTIF)
		return ENOSYS; /* no tracer, no listener: as under runc */
	return 0;
}

/* The rule's own pointer: "/syscalls/3" for "/syscalls/3/names/1". */
static const char *rule_pointer(const char *p, char *buf, size_t size)
{
	const char *cut = strstr(p, "/names/");

	if (!cut)
		cut = strstr(p, "/name");
	snprintf(buf, size, "%.*s", cut ? (int)(cut - p) : (int)strlen(p), p);
	return buf;
}

static void finding_suggest(const struct finding *f, const char *file,
			    char *buf, size_t size)
{
	char nm[64], rp[256];
	const char *why = f->dec.why ? f->dec.why : "";

	if (f->name)
		snprintf(nm, sizeof(nm), "'%s'", f->name);
	else
		snprintf(nm, sizeof(nm), "syscall %" PRIu32, f->nr);
	if (allows(f->dec.action))
		snprintf(buf, size,
			 "%s allows %s: a seccomp filter callfence itself "
			 "runs under denied it; change that filter (or run "
			 "outside it), not this profile",
			 file, nm);
	else if (f->dec.pointer && !strcmp(why, "argument rule"))
		snprintf(buf, size,
			 "the rule at %s (%s:%u:%u) denies %s for these "
			 "arguments: change its args, or its action",
			 rule_pointer(f->dec.pointer, rp, sizeof(rp)), file,
			 f->dec.line, f->dec.col, nm);
	else if (f->dec.pointer)
		snprintf(buf, size,
			 "remove %s from the rule at %s (%s:%u:%u), or change "
			 "that rule's action",
			 nm, rule_pointer(f->dec.pointer, rp, sizeof(rp)), file,
			 f->dec.line, f->dec.col);
	else if (strstr(why, "ABI not in the filter"))
		snprintf(buf, size,
			 "add SCMP_ARCH_%s to the profile's architectures "
			 "(or archMap)",
			 f->abi >= 0 ? cf_abi_oci(f->abi) + 10 : "?");
	else if (strstr(why, "runc's stub"))
		snprintf(buf, size,
			 "allow %s: it is newer than every syscall the "
			 "profile names, so runc answers ENOSYS; add it to "
			 "an SCMP_ACT_ALLOW rule (or leave it, if the "
			 "program falls back)",
			 nm);
	else
		snprintf(buf, size,
			 "allow %s: add it to the names of an SCMP_ACT_ALLOW "
			 "rule",
			 nm);
}

static const char *method_name(const struct cli_complain *c)
{
	if (c->source)
		return c->source;
	return c->method == COMPLAIN_PTRACE ? "ptrace" : "user-notification";
}

/* The errno of an outer ERRNO action, 0 for any other. */
static int outer_errno(const struct finding *f)
{
	if ((f->outer.action & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO)
		return 0;
	return (int)(f->outer.action & SECCOMP_RET_DATA);
}

static void text_outer(const struct finding *f, FILE *out)
{
	char act[64];
	int e = outer_errno(f);

	cf_action_str(f->outer.action, act, sizeof(act));
	fprintf(out, "    denied by an outer filter: %s", act);
	if (e)
		fprintf(out, " (%s)", strerror(e));
	fputs(f->outer.certain ? "\n"
			       : " -- or not denied and ENOSYS from the "
				 "kernel: cannot be told apart\n",
	      out);
}

static void report_text(const struct cli_complain *c, FILE *out)
{
	char act[64], sug[512];

	const char *why = c->source ? c->source_text : c->method_why;

	fprintf(out, "%s (method: %s%s%s): %zu finding%s\n", c->who,
		method_name(c), why && *why ? ": " : "", why ? why : "", c->n,
		c->n == 1 ? "" : "s");
	for (size_t i = 0; i < c->n; i++) {
		const struct finding *f = &c->f[i];

		cf_action_str(f->dec.action, act, sizeof(act));
		finding_suggest(f, c->file, sug, sizeof(sug));
		fprintf(out, "  %s %s (nr %" PRIu32 ") x%" PRIu64 ": %s",
			abi_name(f), f->name ? f->name : "?", f->nr & ~X32_BIT,
			f->count, act);
		if (finding_errno(f))
			fprintf(out, " (%s)", strerror(finding_errno(f)));
		if (f->dec.pointer)
			fprintf(out, ", %s:%u:%u: %s (%s)\n", c->file,
				f->dec.line, f->dec.col, f->dec.pointer,
				f->dec.why ? f->dec.why : "rule");
		else
			fprintf(out, ", %s: %s\n", c->file,
				f->dec.why ? f->dec.why : "default action");
		fprintf(out, "    e.g. pid %" PRIu32 ": %s(", f->pid,
			f->name ? f->name : "?");
		for (int a = 0; a < 6 && !f->no_args; a++)
			fprintf(out, "%s0x%" PRIx64, a ? ", " : "", f->args[a]);
		fputs(f->no_args ? "arguments not recorded)\n" : ")\n", out);
		if (f->has_outer)
			text_outer(f, out);
		fprintf(out, "    suggestion: %s\n", sug);
	}
	if (c->dropped)
		fprintf(out,
			"%s: %" PRIu64 " calls not recorded (out of memory)\n",
			c->who, c->dropped);
}

static void json_outer(const struct finding *f, FILE *out)
{
	char act[64];
	int e = outer_errno(f);

	if (!f->has_outer) {
		fputs("null", out);
		return;
	}
	cf_action_str(f->outer.action, act, sizeof(act));
	fputs("{\"action\":", out);
	cli_json_fstr(out, act);
	if (e)
		fprintf(out, ",\"errno\":%d", e);
	else
		fputs(",\"errno\":null", out);
	fprintf(out, ",\"certain\":%s}", f->outer.certain ? "true" : "false");
}

static void json_finding(const struct cli_complain *c, const struct finding *f,
			 FILE *out)
{
	char act[64], sug[512];
	int e = finding_errno(f);

	cf_action_str(f->dec.action, act, sizeof(act));
	finding_suggest(f, c->file, sug, sizeof(sug));
	fputs("{\"abi\":", out);
	cli_json_fstr(out, f->abi >= 0 ? cf_abi_name(f->abi) : NULL);
	fprintf(out, ",\"nr\":%" PRIu32 ",\"syscall\":", f->nr);
	cli_json_fstr(out, f->name);
	fprintf(out,
		",\"count\":%" PRIu64 ",\"example\":{\"pid\":%" PRIu32
		",\"args\":%s",
		f->count, f->pid, f->no_args ? "null" : "[");
	for (int a = 0; a < 6 && !f->no_args; a++)
		fprintf(out, "%s\"0x%" PRIx64 "\"", a ? "," : "", f->args[a]);
	fputs(f->no_args ? "},\"action\":" : "]},\"action\":", out);
	cli_json_fstr(out, act);
	if (e)
		fprintf(out, ",\"errno\":%d,\"errno_name\":", e);
	else
		fputs(",\"errno\":null,\"errno_name\":", out);
	cli_json_fstr(out, e ? strerrorname_np(e) : NULL);
	fputs(",\"decided_by\":{\"file\":", out);
	cli_json_fstr(out, c->file);
	fputs(",\"pointer\":", out);
	cli_json_fstr(out, f->dec.pointer);
	if (f->dec.pointer && f->dec.line)
		fprintf(out, ",\"line\":%u,\"col\":%u", f->dec.line,
			f->dec.col);
	else
		fputs(",\"line\":null,\"col\":null", out);
	fputs(",\"why\":", out);
	cli_json_fstr(out, f->dec.why ? f->dec.why : "");
	fputs("},\"outer_filter\":", out);
	json_outer(f, out);
	fputs(",\"suggestion\":", out);
	cli_json_fstr(out, sug);
	fputc('}', out);
}

static int report_json(const struct cli_complain *c, FILE *out,
		       const char *path, char *const *argv, int exit_code)
{
	fputs("{\"version\":1,\"method\":", out);
	cli_json_fstr(out, method_name(c));
	fputs(",\"method_reason\":", out);
	cli_json_fstr(out, c->source ? NULL : c->method_why);
	fputs(",\"profile\":", out);
	cli_json_fstr(out, c->file);
	fputs(",\"command\":[", out);
	for (size_t i = 0; argv[i]; i++) {
		fputs(i ? "," : "", out);
		cli_json_fstr(out, argv[i]);
	}
	fprintf(out, "],\"exit_code\":%d,\"unrecorded\":%" PRIu64 "%s%s",
		exit_code, c->dropped, c->extra && *c->extra ? "," : "",
		c->extra ? c->extra : "");
	fputs(",\"findings\":[", out);
	for (size_t i = 0; i < c->n; i++) {
		fputs(i ? ",\n" : "\n", out);
		json_finding(c, &c->f[i], out);
	}
	fputs("\n]}\n", out);
	if (fflush(out) != 0 || ferror(out)) {
		fprintf(stderr, "%s: cannot write the report '%s': %s\n",
			c->who, path, strerror(errno));
		return -1;
	}
	return 0;
}

int cli_complain_report(const struct cli_complain *c, FILE *json,
			const char *json_path, char *const *argv, int exit_code)
{
	report_text(c, c->text);
	return json ? report_json(c, json, json_path, argv, exit_code) : 0;
}
