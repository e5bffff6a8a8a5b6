/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_check.c - callfence check: errors and surprises in profiles. */
#include "cli.h"

#include <string.h>

static const char check_usage[] =
    "usage: callfence check [--strict] [--json] [--ignore ID]... [--native "
    "ARCH]\n"
    "                       [--caps SPEC] [--kernel X.Y] [--harden] "
    "PROFILE...\n"
    "       callfence check --subset [--json] [--native ARCH] [--caps SPEC]\n"
    "                       [--kernel X.Y] [--enosys=runc|none] BASE PROFILE\n"
    "Exit 0: no errors (warnings allowed unless --strict; notes always);\n"
    "1: errors. --subset: 0 when every call PROFILE allows BASE allows too\n"
    "(each decision BASE's or stricter); 1 when not, with a counterexample\n"
    "call, or on errors; 2: usage.\n";

struct report {
	bool json;
	unsigned items;
	unsigned warnings; /* of the current profile, not ignored */
};

struct check_args {
	struct cf_target t;
	struct report r;
	bool subset;
};

static const struct cli_opt check_opts[] = {
    CLI_TARGET_OPTS(struct check_args, t),
    CLI_FLAG("harden", struct check_args, t.harden),
    CLI_FLAG("strict", struct check_args, t.strict),
    CLI_FLAG("json", struct check_args, r.json),
    CLI_FLAG("subset", struct check_args, subset),
    CLI_IGNORE_OPT,
    {NULL},
};

static const struct cli_cmd check_cmd = {check_usage, check_opts, CLI_USAGE,
					 false};

/* "severity" is kept for readers of the first format; "class" is the
 * same word: "error", "warning" or "note". */
static void json_item(struct report *r, const char *severity, const char *id,
		      const char *file, const char *pointer, unsigned line,
		      unsigned col, const char *msg)
{
	printf("%s\n  {\"severity\": ", r->items++ ? "," : "");
	cli_json_str(severity);
	printf(", \"class\": ");
	cli_json_str(severity);
	printf(", \"id\": ");
	cli_json_str(id);
	printf(", \"file\": ");
	cli_json_str(file);
	printf(", \"pointer\": ");
	if (pointer)
		cli_json_str(pointer);
	else
		printf("null");
	printf(", \"line\": %u, \"column\": %u, \"message\": ", line, col);
	cli_json_str(msg);
	putchar('}');
}

static void check_diag(void *ctx, const struct cf_diag *d)
{
	struct report *r = ctx;

	if (cli_diag_ignored(d->id))
		return;
	r->warnings += d->cls == CF_DIAG_WARNING;
	if (r->json)
		json_item(r, cf_diag_class_name(d->cls), d->id, d->file,
			  d->pointer, d->line, d->col, d->msg);
	else
		cli_warn_diag(NULL, d);
}

static void report_error(struct report *r, const struct cf_error *err,
			 const char *file)
{
	if (!r->json) {
		cli_error(err);
		return;
	}
	json_item(r, "error", "error", err->file[0] ? err->file : file,
		  err->pointer[0] ? err->pointer : NULL, err->line, err->col,
		  err->msg);
}

/* Returns 1 when the profile has errors (or warnings under --strict:
 * --strict is applied here, so that --ignore covers every id). */
static int check_one(struct report *r, const struct cf_target *t,
		     const char *path)
{
	struct cf_target lax = *t;
	struct cf_profile *p;
	struct cf_error err;
	int rc = cli_profile_open(path, &p, &err);

	if (rc) {
		report_error(r, &err, path);
		return 1;
	}
	lax.strict = false;
	r->warnings = 0;
	rc = cf_check(p, &lax, check_diag, r, &err);
	cf_profile_free(p);
	if (rc < 0) {
		report_error(r, &err, path);
		return 1;
	}
	return t->strict && r->warnings > 0;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = {0};
	struct cli_parsed parsed;
	int first, bad = 0;

	if (cli_target_init(&a.t))
		return CLI_FAIL;
	first = cli_parse(&check_cmd, argc, argv, &a, &parsed);
	if (first < 0)
		return parsed.status;
	if (a.subset) {
		if (a.t.harden) {
			cli_errorf(
			    "--subset does not take --harden: it "
			    "compares Docker's meaning (64-bit compares)");
			return CLI_USAGE;
		}
		if (argc - first != 2) {
			cli_errorf("check --subset needs BASE and PROFILE");
			fputs(check_usage, stderr);
			return CLI_USAGE;
		}
		return cli_subset(&a.t, argv[first], argv[first + 1], a.r.json);
	}
	if (first >= argc) {
		cli_errorf("check needs at least one PROFILE");
		fputs(check_usage, stderr);
		return CLI_USAGE;
	}
	if (a.r.json)
		putchar('[');
	for (int i = first; i < argc; i++)
		bad |= check_one(&a.r, &a.t, argv[i]);
	if (a.r.json)
		printf("%s]\n", a.r.items ? "\n" : "");
	return bad ? CLI_FAIL : CLI_OK;
}
