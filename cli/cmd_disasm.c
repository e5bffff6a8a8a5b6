/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_disasm.c - callfence disasm: a raw program, readably. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char disasm_usage[] = "usage: callfence disasm FILE\n"
				   "FILE holds a raw struct sock_filter array "
				   "(callfence compile --format raw).\n";

int cmd_disasm(int argc, char **argv)
{
	struct sock_filter *insns;
	struct cf_error err;
	size_t len, n;
	char *buf;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs(disasm_usage, stdout);
		return CLI_OK;
	}
	if (argc != 2) {
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
	cf_bpf_disasm(insns, n, stdout);
	free(insns);
	if (rc) {
		snprintf(err.file, sizeof(err.file), "%s", argv[1]);
		cli_error(&err);
		cli_errorf("the kernel would refuse this program");
		return CLI_FAIL;
	}
	return CLI_OK;
}
