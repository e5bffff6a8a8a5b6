/* SPDX-License-Identifier: Apache-2.0 */
/* options.c - every command's options: a table of struct cli_opt (name,
 * value, setter, member) per command, parsed by cli_parse on getopt_long
 * with Docker's rules (whole names only) and one wording for every
 * refusal. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* getopt_long's value for the i-th row of a table (above every letter) */
#define ROW_VAL 256
/* rows a table may have (bits of cli_parsed.given) */
#define MAX_ROWS 32

/* The option text getopt_long just parsed: "--name" or "--name=value". */
static const char *long_text(char **argv, const char *arg)
{
	const char *last = argv[optind - 1];

	return arg && arg == last && optind >= 2 ? argv[optind - 2] : last;
}

static void long_names(const struct option *longopts, const char **names,
		       char (*buf)[40], size_t max, size_t *n)
{
	for (*n = 0; longopts[*n].name && *n < max; (*n)++) {
		snprintf(buf[*n], sizeof(buf[*n]), "--%s", longopts[*n].name);
		names[*n] = buf[*n];
	}
}

/* Refuses what getopt_long lets through or words its own way: unique
 * abbreviations ("--priv" for "--privileged": Docker takes whole names
 * only) and unknown options, with a did-you-mean. */
static int cli_getopt(int argc, char **argv, const char *shortopts,
		      const struct option *longopts, int *longindex)
{
	char opts[64], buf[64][40], hint[96];
	const char *names[64], *text;
	size_t n, len, lead = shortopts[0] == '+' || shortopts[0] == '-';
	int index = -1, c;

	snprintf(opts, sizeof(opts), "%.*s:%s", (int)lead, shortopts,
		 shortopts + lead);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, &index);
	if (longindex)
		*longindex = index;
	if (c == -1)
		return c;
	text = long_text(argv, optarg);
	len = strcspn(text, "=");
	if (c != '?' && c != ':' && index >= 0 &&
	    strlen(longopts[index].name) == len - 2 &&
	    !strncmp(text + 2, longopts[index].name, len - 2))
		return c;
	if (c != '?' && c != ':' && index >= 0)
		goto unknown; /* an abbreviation: unknown, as in Docker */
	if (c == ':') {
		cli_errorf("option '%s' needs a value", text);
		return '?';
	}
	if (c != '?')
		return c;
	if (optopt && strncmp(text, "--", 2)) {
		cli_errorf("unknown option '-%c'", optopt);
		return '?';
	}
	if (optopt) {
		cli_errorf("option '%.*s' takes no value", (int)len, text);
		return '?';
	}
unknown:
	long_names(longopts, names, buf, CF_ARRAY_LEN(names), &n);
	snprintf(opts, sizeof(opts), "%.*s", (int)len, text);
	cf_did_you_mean(opts, names, n, hint, sizeof(hint));
	cli_errorf("unknown option '%s'%s", opts,
		   hint[0] ? hint : " (see --help)");
	return '?';
}

int cli_set_true(void *field, const char *value)
{
	(void)value;
	*(bool *)field = true;
	return 0;
}

int cli_set_string(void *field, const char *value)
{
	*(const char **)field = value;
	return 0;
}

int cli_set_append(void *list, const char *value)
{
	struct cli_list *l = list;

	l->v[l->n++] = value;
	return 0;
}

int cli_uint(const char *s, unsigned long lo, unsigned long hi, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *s < '0' || *s > '9' || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* cmd's table as getopt_long's rows and short options, --help last;
 * false when it has more than MAX_ROWS rows. */
static bool getopt_rows(const struct cli_cmd *cmd, struct option *rows,
			char *letters)
{
	static const int has_arg[] = {
	    [CLI_NO_VALUE] = no_argument,
	    [CLI_VALUE] = required_argument,
	    [CLI_OPTIONAL_VALUE] = optional_argument,
	};
	size_t n = 0;

	if (cmd->in_order)
		*letters++ = '+';
	for (; cmd->opts[n].name && n < MAX_ROWS; n++) {
		const struct cli_opt *o = &cmd->opts[n];

		rows[n] = (struct option){o->name, has_arg[o->value], NULL,
					  ROW_VAL + (int)n};
		if (!o->letter)
			continue;
		*letters++ = o->letter;
		for (int i = 0; i < (int)o->value; i++)
			*letters++ = ':';
	}
	rows[n++] = (struct option){"help", no_argument, NULL, 'h'};
	rows[n] = (struct option){NULL, 0, NULL, 0};
	strcpy(letters, "h");
	return !cmd->opts[n - 1].name;
}

/* The row getopt_long's c stands for, or NULL ('?': refused). */
static const struct cli_opt *row_of(const struct cli_cmd *cmd, int c)
{
	if (c >= ROW_VAL)
		return &cmd->opts[c - ROW_VAL];
	for (const struct cli_opt *o = cmd->opts; c != '?' && o->name; o++)
		if (o->letter == c)
			return o;
	return NULL;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *args,
	      struct cli_parsed *res)
{
	struct option rows[MAX_ROWS + 2];
	char letters[3 * MAX_ROWS + 3];
	const struct cli_opt *o;
	int c;

	res->status = cmd->refused;
	res->given = 0;
	if (!getopt_rows(cmd, rows, letters)) {
		cli_errorf("internal error: more than %d options", MAX_ROWS);
		return -1;
	}
	res->status = CLI_OK;
	optind = 1;
	while ((c = cli_getopt(argc, argv, letters, rows, NULL)) != -1) {
		if (c == 'h') {
			fputs(cmd->usage, stdout);
			return -1;
		}
		res->status = cmd->refused;
		if (!(o = row_of(cmd, c))) {
			fputs(cmd->usage, stderr);
			return -1;
		}
		if (o->set((char *)args + o->off, optarg))
			return -1;
		res->status = CLI_OK;
		res->given |= 1ULL << (o - cmd->opts);
	}
	return optind;
}
