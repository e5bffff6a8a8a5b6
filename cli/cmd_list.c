/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_list.c - callfence list: the names callfence knows (commands,
 * syscalls of an ABI, ABIs, capabilities), one per line for scripts and
 * shell completion, or as JSON. */
#include "cli.h"

#include <string.h>

static const char list_usage[] =
    "usage: callfence list [--json] [--abi ABI] commands|syscalls|abis|caps\n"
    "  commands   the commands of callfence\n"
    "  syscalls   the syscalls of ABI (default: this host's), by name\n"
    "  abis       the ABI names --native and --abi accept\n"
    "  caps       the capability names\n"
    "One name per line; --json gives numbers and other names too.\n";

struct list_opts {
	bool json;
	int abi;
	const char *abi_name;
};

static void list_sep(bool json, size_t i)
{
	if (json)
		fputs(i ? ",\n  " : "[\n  ", stdout);
}

static void list_end(bool json, size_t n)
{
	if (json)
		puts(n ? "\n]" : "[]");
}

static void list_commands(const struct list_opts *o)
{
	const char *name, *help;
	size_t i;

	for (i = 0; (name = cli_command(i, &help)); i++) {
		list_sep(o->json, i);
		if (!o->json) {
			puts(name);
			continue;
		}
		fputs("{\"name\": ", stdout);
		cli_json_str(name);
		fputs(", \"summary\": ", stdout);
		cli_json_str(help);
		putchar('}');
	}
	list_end(o->json, i);
}

/* One named entry: its name, or {"name": NAME, "KEY": VALUE} in JSON. */
static void list_named(const struct list_opts *o, size_t *n, const char *name,
		       const char *key, long value)
{
	list_sep(o->json, (*n)++);
	if (!o->json) {
		puts(name);
		return;
	}
	fputs("{\"name\": ", stdout);
	cli_json_str(name);
	printf(", \"%s\": %ld}", key, value);
}

static void list_syscalls(const struct list_opts *o)
{
	const char *name;
	size_t pos = 0, n = 0;
	uint32_t nr;

	while ((name = cf_syscall_next(o->abi, &pos, &nr)))
		list_named(o, &n, name, "nr", (long)nr);
	list_end(o->json, n);
}

static void list_abis(const struct list_opts *o)
{
	size_t n = 0;

	for (int abi = 0; abi < cf_abi_count(); abi++) {
		const char *go = cf_abi_go(abi);

		if (!o->json) {
			if (cf_abi_supported(abi))
				puts(cf_abi_name(abi));
			continue;
		}
		list_sep(true, n++);
		fputs("{\"name\": ", stdout);
		cli_json_str(cf_abi_name(abi));
		fputs(", \"oci\": ", stdout);
		cli_json_str(cf_abi_oci(abi));
		fputs(", \"go\": ", stdout);
		if (go)
			cli_json_str(go);
		else
			fputs("null", stdout);
		printf(", \"supported\": %s}",
		       cf_abi_supported(abi) ? "true" : "false");
	}
	list_end(o->json, n);
}

static void list_caps(const struct list_opts *o)
{
	size_t n = 0;

	for (int cap = 0; cap <= CF_CAP_MAX; cap++) {
		const char *name = cf_cap_name(cap);

		if (name)
			list_named(o, &n, name, "number", cap);
	}
	list_end(o->json, n);
}

static const struct {
	const char *name;
	void (*fn)(const struct list_opts *o);
} lists[] = {
    {"commands", list_commands},
    {"syscalls", list_syscalls},
    {"abis", list_abis},
    {"caps", list_caps},
};

/* Options by exact spelling only (no getopt abbreviations). Returns the
 * index of WHAT, or -1 after printing why (*rc: the exit code). */
static int list_parse(int argc, char **argv, struct list_opts *o, int *rc)
{
	int what = -1;

	*rc = CLI_USAGE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(list_usage, stdout);
			*rc = CLI_OK;
			return -1;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strncmp(a, "--abi=", 6)) {
			o->abi_name = a + 6;
		} else if (!strcmp(a, "--abi") && i + 1 < argc) {
			o->abi_name = argv[++i];
		} else if (a[0] == '-' || what >= 0) {
			cli_errorf("list: unexpected '%s'", a);
			fputs(list_usage, stderr);
			return -1;
		} else {
			for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]);
			     k++)
				if (!strcmp(a, lists[k].name))
					what = (int)k;
			if (what < 0) {
				cli_errorf("list: unknown list '%s' (commands, "
					   "syscalls, abis or caps)",
					   a);
				return -1;
			}
		}
	}
	if (what < 0) {
		cli_errorf("list needs what to list");
		fputs(list_usage, stderr);
	}
	return what;
}

int cmd_list(int argc, char **argv)
{
	struct list_opts o = {.abi = cf_abi_host()};
	int rc, what = list_parse(argc, argv, &o, &rc);

	if (what < 0)
		return rc;
	if (o.abi_name) {
		o.abi = cf_abi_lookup(o.abi_name);
		if (o.abi < 0 || !cf_abi_supported(o.abi)) {
			cli_errorf("unknown or unsupported ABI '%s' (see "
				   "'callfence list abis')",
				   o.abi_name);
			return CLI_USAGE;
		}
	}
	lists[what].fn(&o);
	if (fflush(stdout) || ferror(stdout)) {
		cli_errorf("cannot write: %m");
		return CLI_FAIL;
	}
	return CLI_OK;
}
