/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_convert.c - callfence convert --audit: a profile's audit variant
 * (cf_profile_audit: what it denies is logged and allowed instead). */
#include "cli.h"
#include "diagnose.h"

#include <stdlib.h>
#include <string.h>

static const char convert_usage[] =
    "usage: callfence convert --audit [-o FILE|-] PROFILE\n"
    "Writes a variant of PROFILE (a file, builtin, or - for standard input).\n"
    "  --audit            the audit variant: every action that denies\n"
    "                     (SCMP_ACT_ERRNO, _KILL, _KILL_THREAD,\n"
    "                     _KILL_PROCESS, _TRAP), default or rule, becomes\n"
    "                     SCMP_ACT_LOG, without its errno; with a LOG\n"
    "                     default runc adds no ENOSYS stub\n"
    "  -o, --output FILE  write to FILE (default: standard output)\n"
    "exit: 0 written, 1 failure, 2 usage\n";

struct convert_args {
	bool audit;
	const char *output;
};

static const struct cli_opt convert_opts[] = {
    CLI_FLAG("audit", struct convert_args, audit),
    CLI_STRING("output", 'o', struct convert_args, output),
    {NULL},
};

static const struct cli_cmd convert_cmd = {convert_usage, convert_opts,
					   CLI_USAGE, false};

/* The profile's text: "builtin", "-" or a path. */
static int read_profile(const char *name, char **buf, size_t *len,
			struct cf_error *err)
{
	if (!strcmp(name, "builtin")) {
		const char *b = cf_profile_builtin_json(len);

		*buf = strndup(b, *len);
		return *buf ? 0 : -1;
	}
	if (!strcmp(name, "-"))
		return cf_read_fd(0, "standard input", buf, len, err);
	return cf_read_path(name, buf, len, err);
}

int cmd_convert(int argc, char **argv)
{
	struct convert_args a = {.output = "-"};
	struct cli_parsed parsed;
	char *buf = NULL, *json = NULL;
	size_t len = 0, jlen = 0;
	struct cf_error err = {0};
	int first, rc = CLI_FAIL;

	first = cli_parse(&convert_cmd, argc, argv, &a, &parsed);
	if (first < 0)
		return parsed.status;
	if (!a.audit || first != argc - 1) {
		cli_errorf("%s", !a.audit
				     ? "convert needs a conversion: --audit"
				     : "convert takes one PROFILE");
		fputs(convert_usage, stderr);
		return CLI_USAGE;
	}
	if (read_profile(argv[first], &buf, &len, &err)) {
		if (err.msg[0])
			cli_error(&err);
		else
			cli_errorf("out of memory");
	} else if (cf_profile_audit(buf, len, argv[first], &json, &jlen,
				    &err)) {
		cli_error(&err);
	} else if (!cli_write_out(a.output, json, jlen)) {
		rc = CLI_OK;
	}
	free(buf);
	free(json);
	return rc;
}
