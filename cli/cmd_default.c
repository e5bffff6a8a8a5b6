/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_default.c - callfence default: the built-in profile as JSON. */
#include "cli.h"

#include <string.h>

int cmd_default(int argc, char **argv)
{
	size_t len;
	const char *json = cf_profile_builtin_json(&len);

	if (argc > 1 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: callfence default\n"
		     "Prints the built-in profile (Docker's current default, "
		     "as callfence writes it).");
		return CLI_OK;
	}
	if (argc > 1) {
		cli_errorf("default takes no arguments");
		return CLI_USAGE;
	}
	if (fwrite(json, 1, len, stdout) != len || fflush(stdout)) {
		cli_errorf("cannot write: %m");
		return CLI_FAIL;
	}
	return CLI_OK;
}
