/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_disasm.c - callfence disasm: a raw program, readably. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char disasm_usage[] = "usage: callfence disasm [--json] FILE\n"
				   "FILE holds a raw struct sock_filter array "
				   "(callfence compile --format raw).\n";

/* One object per instruction: the listing's text with the fields. */
static int disasm_json(const struct sock_filter *insns, size_t n)
{
	char *text = NULL, *line;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f || cf_bpf_disasm(insns, n, f) || fclose(f)) {
		cli_errorf("out of memory");
		free(text);
		return -1;
	}
	line = text;
	fputs("[", stdout);
	for (size_t pc = 0; pc < n && line; pc++) {
		char *nl = strchr(line, '\n'), *colon;

		if (nl)
			*nl = 0;
		colon = strchr(line, ':');
		printf("%s\n  {\"index\": %zu, \"code\": %u, \"jt\": %u, "
		       "\"jf\": %u, \"k\": %u, \"text\": ",
		       pc ? "," : "", pc, insns[pc].code, insns[pc].jt,
		       insns[pc].jf, insns[pc].k);
		cli_json_str(colon ? colon + 2 : line);
		putchar('}');
		line = nl ? nl + 1 : NULL;
	}
	puts(n ? "\n]" : "]");
	free(text);
	return 0;
}

int cmd_disasm(int argc, char **argv)
{
	bool json = false;

	struct sock_filter *insns;
	struct cf_error err;
	size_t len, n;
	char *buf;
	int rc;

	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(disasm_usage, stdout);
		return CLI_OK;
	}
	if (argc == 3 && !strcmp(argv[1], "--json")) {
		json = true;
		argv[1] = argv[2];
		argc = 2;
	}
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
		fputs(disasm_usage, stderr);
		return CLI_USAGE;
	}
	if (cf_read_path(argv[1], &buf, &len, &err)) {
		cli_error(&err);
		return CLI_FAIL;
	}
	rc = cf_bpf_read_raw(buf, len, &insns, &n, &err);
	free(buf);
	if (rc) {
		snprintf(err.file, sizeof(err.file), "%s", argv[1]);
		cli_error(&err);
		return CLI_FAIL;
	}
	rc = cf_bpf_verify(insns, n, &err);
	if (!json)
		cf_bpf_disasm(insns, n, stdout);
	else if (disasm_json(insns, n)) {
		free(insns);
		return CLI_FAIL;
	}
	free(insns);
	if (rc) {
		snprintf(err.file, sizeof(err.file), "%s", argv[1]);
		cli_error(&err);
		cli_errorf("the kernel would refuse this program");
		return CLI_FAIL;
	}
	return CLI_OK;
}
