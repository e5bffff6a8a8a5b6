/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_disasm.c - callfence disasm: a raw program, readably; with
 * --annotate PROFILE, what each instruction is for. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char disasm_usage[] =
    "usage: callfence disasm [--json] FILE|-\n"
    "       callfence disasm --annotate PROFILE [--native ARCH] [--caps "
    "SPEC]\n"
    "                        [--kernel X.Y] [--enosys=runc|none] "
    "[--harden] [--json]\n"
    "                        FILE|-\n"
    "FILE holds a raw struct sock_filter array (callfence compile --format "
    "raw);\n"
    "- reads it from standard input. --annotate says what each instruction "
    "is\n"
    "for (rules and JSON pointers of PROFILE); FILE must be the program\n"
    "PROFILE compiles to with the same options, else nothing is printed.\n";

struct disasm_args {
	struct cf_target t;
	const char *annotate;
	bool json;
};

/* The target options come first: rows 0 to 4 go with --annotate only. */
#define DISASM_TARGET_ROWS 0x1fU

static const struct cli_opt disasm_opts[] = {
    CLI_TARGET_OPTS(struct disasm_args, t),
    CLI_FLAG("harden", struct disasm_args, t.harden),
    CLI_STRING("annotate", 0, struct disasm_args, annotate),
    CLI_FLAG("json", struct disasm_args, json),
    {NULL},
};

static const struct cli_cmd disasm_cmd = {disasm_usage, disasm_opts, CLI_USAGE,
					  false};

/* Cuts text into lines in place: line i of up to n into lines[i] (""
 * past the text's end). */
static void split_lines(char *text, const char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *nl = text ? strchr(text, '\n') : NULL;

		lines[i] = text ? text : "";
		if (nl)
			*nl = 0;
		text = nl ? nl + 1 : NULL;
	}
}

/* The listing, one line per instruction (malloc'd, cut in place). */
static const char **listing_lines(const struct sock_filter *insns, size_t n,
				  char **text)
{
	size_t size = 0;
	FILE *f = open_memstream(text, &size);
	const char **lines = calloc(n + 1, sizeof(*lines));

	if (!f || !lines || cf_bpf_disasm(insns, n, f) || fclose(f)) {
		if (f && lines)
			free(*text);
		cli_errorf("out of memory");
		free(lines);
		*text = NULL;
		return NULL;
	}
	split_lines(*text, lines, n);
	return lines;
}

/* One object per instruction: the listing's text with the fields (and
 * the annotation when notes is not NULL). */
static void print_json(const struct sock_filter *insns, size_t n,
		       const char **lines, const char **notes)
{
	fputs("[", stdout);
	for (size_t pc = 0; pc < n; pc++) {
		const char *colon = strchr(lines[pc], ':');

		printf("%s\n  {\"index\": %zu, \"code\": %u, \"jt\": %u, "
		       "\"jf\": %u, \"k\": %u, \"text\": ",
		       pc ? "," : "", pc, insns[pc].code, insns[pc].jt,
		       insns[pc].jf, insns[pc].k);
		cli_json_str(colon ? colon + 2 : lines[pc]);
		if (notes) {
			fputs(", \"annotation\": ", stdout);
			cli_json_str(notes[pc]);
		}
		putchar('}');
	}
	puts(n ? "\n]" : "]");
}

static int print_listing(const struct sock_filter *insns, size_t n, bool json,
			 const char *notes_text)
{
	char *text = NULL, *ncopy = NULL;
	const char **lines = listing_lines(insns, n, &text), **notes = NULL;
	int rc = -1;

	if (!lines)
		return -1;
	if (notes_text) {
		ncopy = strdup(notes_text);
		notes = calloc(n + 1, sizeof(*notes));
		if (!ncopy || !notes) {
			cli_errorf("out of memory");
			goto out;
		}
		split_lines(ncopy, notes, n);
	}
	if (json)
		print_json(insns, n, lines, notes);
	for (size_t pc = 0; !json && pc < n; pc++)
		if (notes)
			printf("%-40s ; %s\n", lines[pc], notes[pc]);
		else
			puts(lines[pc]);
	rc = 0;
out:
	free(notes);
	free(ncopy);
	free(lines);
	free(text);
	return rc;
}

/* FILE ("-": standard input) as a program; printed errors. */
static int read_program(const char *path, struct sock_filter **insns, size_t *n)
{
	bool std_in = !strcmp(path, "-");
	const char *name = std_in ? "standard input" : path;
	struct cf_error err;
	size_t len;
	char *buf;
	int rc;

	rc = std_in ? cf_read_fd(0, name, &buf, &len, &err)
		    : cf_read_path(path, &buf, &len, &err);
	if (rc) {
		cli_error(&err);
		return -1;
	}
	rc = cf_bpf_read_raw(buf, len, insns, n, &err);
	free(buf);
	if (rc) {
		snprintf(err.file, sizeof(err.file), "%s", name);
		cli_error(&err);
		return -1;
	}
	return 0;
}

/* Plain disasm: printed, then the kernel's verdict. */
static int disasm_plain(const char *path, bool json)
{
	struct sock_filter *insns;
	struct cf_error err;
	size_t n;
	int rc;

	if (read_program(path, &insns, &n))
		return CLI_FAIL;
	rc = cf_bpf_verify(insns, n, &err);
	if (print_listing(insns, n, json, NULL)) {
		free(insns);
		return CLI_FAIL;
	}
	free(insns);
	if (rc) {
		snprintf(err.file, sizeof(err.file), "%s",
			 strcmp(path, "-") ? path : "standard input");
		cli_error(&err);
		cli_errorf("the kernel would refuse this program");
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* Is insns (FILE) the program f holds? If not, says how they differ. */
static bool same_program(const struct cf_filter *f, const char *profile,
			 const char *path, const struct sock_filter *insns,
			 size_t n)
{
	size_t len = 0, i = 0;
	const struct sock_filter *p = cf_filter_program(f, &len);

	if (cf_filter_unconfined(f)) {
		cli_errorf("%s: the profile means unconfined (no program); "
			   "%s holds %zu instructions: nothing to annotate",
			   profile, path, n);
		return false;
	}
	while (i < n && i < len && !memcmp(&p[i], &insns[i], sizeof(*p)))
		i++;
	if (i == n && n == len)
		return true;
	cli_errorf("%s was not compiled from %s with these options: it has "
		   "%zu instructions, the profile compiles to %zu (first "
		   "difference at instruction %zu); annotate it with the "
		   "profile and the options (--native, --caps, --kernel, "
		   "--enosys, --harden) it was compiled with",
		   path, profile, n, len, i);
	return false;
}

static int disasm_annotated(const char *profile, const char *path,
			    struct cf_target *t, bool json)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct sock_filter *insns = NULL;
	struct cf_error err;
	char *notes = NULL;
	size_t n, nlen;
	int rc = CLI_FAIL;

	if (read_program(path, &insns, &n) || cli_load_profile(profile, &p))
		goto out;
	t->diag = NULL; /* check reports the profile's warnings */
	if (cf_compile(p, t, &f, &err)) {
		cli_error(&err);
		goto out;
	}
	if (!same_program(f, profile,
			  strcmp(path, "-") ? path
					    : "standard "
					      "input",
			  insns, n))
		goto out;
	if (cf_filter_annotate(f, &notes, &nlen, &err)) {
		cli_error(&err);
		goto out;
	}
	if (!print_listing(insns, n, json, notes))
		rc = CLI_OK;
out:
	free(notes);
	free(insns);
	cf_filter_free(f);
	cf_profile_free(p);
	return rc;
}

int cmd_disasm(int argc, char **argv)
{
	struct disasm_args a = {0};
	struct cli_parsed parsed;
	int first;

	if (cli_target_init(&a.t))
		return CLI_FAIL;
	first = cli_parse(&disasm_cmd, argc, argv, &a, &parsed);
	if (first < 0)
		return parsed.status;
	if (first != argc - 1 || !*argv[first]) {
		cli_errorf("disasm needs one FILE");
		fputs(disasm_usage, stderr);
		return CLI_USAGE;
	}
	if ((parsed.given & DISASM_TARGET_ROWS) && !a.annotate) {
		cli_errorf("--native, --caps, --kernel, --enosys and --harden "
			   "go with --annotate");
		return CLI_USAGE;
	}
	if (a.annotate && !strcmp(a.annotate, "-") &&
	    !strcmp(argv[first], "-")) {
		cli_errorf("PROFILE and FILE cannot both be standard input");
		return CLI_USAGE;
	}
	if (!a.annotate)
		return disasm_plain(argv[first], a.json);
	return disasm_annotated(a.annotate, argv[first], &a.t, a.json);
}
