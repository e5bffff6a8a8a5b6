/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_algebra.c - callfence merge, callfence diff and check --subset: the
 * exact profile algebra (cf_merge, cf_diff, cf_subset). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char merge_usage[] =
    "usage: callfence merge [--native ARCH] [--caps SPEC] [--kernel X.Y]\n"
    "                       [--enosys=runc|none] [-o FILE|-] PROFILE "
    "PROFILE...\n"
    "Writes a profile that gives every call the most permissive decision\n"
    "of the inputs (ALLOW > LOG > TRACE > ERRNO > TRAP > KILL_THREAD >\n"
    "KILL_PROCESS; ties: the first input's errno), exactly, for the\n"
    "target. Exit 0: written; 1: an input is rejected or the result\n"
    "cannot be written exactly (nothing written); 2: usage.\n";

static const char diff_usage[] =
    "usage: callfence diff [--native ARCH] [--caps SPEC] [--kernel X.Y]\n"
    "                      [--enosys=runc|none] [--json] A B\n"
    "Lists, per ABI, the calls A and B decide differently: syscalls or\n"
    "number ranges, argument classes, both decisions and an example call\n"
    "(--json: one JSON document, see docs/cli.md).\n"
    "Exit 0: listed (nothing when they agree); 1: an input is rejected;\n"
    "2: usage.\n";

static const struct cli_opt merge_opts[] = {
    CLI_TARGET_OPTS(struct cli_judge_args, t),
    CLI_STRING("output", 'o', struct cli_judge_args, value),
    {NULL},
};

static const struct cli_opt diff_opts[] = {
    CLI_TARGET_OPTS(struct cli_judge_args, t),
    CLI_FLAG("json", struct cli_judge_args, json),
    {NULL},
};

static const struct cli_cmd merge_cmd = {merge_usage, merge_opts, CLI_USAGE,
					 false};
static const struct cli_cmd diff_cmd = {diff_usage, diff_opts, CLI_USAGE,
					false};

static int load_all(char **paths, size_t n, const struct cf_target *t,
		    struct cf_filter **out)
{
	for (size_t i = 0; i < n; i++)
		if (!(out[i] = cli_load_filter(paths[i], t)))
			return -1;
	return 0;
}

static void free_all(struct cf_filter **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cf_filter_free(f[i]);
	free(f);
}

/* Parses the options; returns the index of the first operand, or -1
 * (exit status in *status). */
static int parse_opts(int argc, char **argv, const struct cli_cmd *cmd,
		      struct cli_judge_args *a, int *status)
{
	struct cli_parsed parsed;
	int first;

	if (cli_target_init(&a->t)) {
		*status = CLI_FAIL;
		return -1;
	}
	/* the inputs' notes and warnings are check's business */
	a->t.diag = NULL;
	first = cli_parse(cmd, argc, argv, a, &parsed);
	*status = parsed.status;
	return first;
}

int cmd_merge(int argc, char **argv)
{
	struct cli_judge_args a = {.value = "-"}; /* --output */
	struct cf_filter **f;
	struct cf_error err;
	char *json = NULL;
	size_t len = 0, n;
	int status = CLI_OK, first;

	first = parse_opts(argc, argv, &merge_cmd, &a, &status);
	if (first < 0)
		return status;
	if (argc - first < 2) {
		cli_errorf("merge needs at least two PROFILEs");
		fputs(merge_usage, stderr);
		return CLI_USAGE;
	}
	n = (size_t)(argc - first);
	if (!(f = calloc(n, sizeof(*f)))) {
		cli_errorf("out of memory");
		return CLI_FAIL;
	}
	if (load_all(argv + first, n, &a.t, f)) {
		free_all(f, n);
		return CLI_FAIL;
	}
	if (cf_merge((const struct cf_filter *const *)f, n, &a.t, &json, &len,
		     &err)) {
		cli_error(&err);
		status = CLI_FAIL;
	} else if (cli_write_out(a.value, json, len)) {
		status = CLI_FAIL;
	}
	free(json);
	free_all(f, n);
	return status;
}

static void print_call(const struct cf_diff_item *it)
{
	const struct seccomp_data *d = &it->example;
	const char *name =
	    it->abi >= 0 ? cf_syscall_name(it->abi, (uint32_t)d->nr) : NULL;

	if (name)
		printf("%s(", name);
	else
		printf("syscall(%u, ", (uint32_t)d->nr);
	for (unsigned i = 0; i < 6; i++)
		printf(i ? ", 0x%llx" : "0x%llx",
		       (unsigned long long)d->args[i]);
	putchar(')');
}

static void print_item(const struct cf_diff_item *it, const char *a,
		       const char *b)
{
	char x[48], y[48];

	if (it->name)
		printf("  %s", it->name);
	else if (it->nr_lo == it->nr_hi)
		printf("  number %u", it->nr_lo);
	else
		printf("  numbers %u-%u", it->nr_lo, it->nr_hi);
	printf(" %s: %s %s, %s %s; e.g. ",
	       it->args[0] ? it->args : "(any arguments)", a,
	       cf_action_str(it->action_a, x, sizeof(x)), b,
	       cf_action_str(it->action_b, y, sizeof(y)));
	print_call(it);
	putchar('\n');
}

/* The example call as JSON: {"abi", "arch", "nr", "name", "args"};
 * arguments as hex strings (64-bit values do not fit a JSON number). */
static void json_call(const struct cf_diff_item *it)
{
	const struct seccomp_data *d = &it->example;
	const char *name =
	    it->abi >= 0 ? cf_syscall_name(it->abi, (uint32_t)d->nr) : NULL;

	fputs("{\"abi\": ", stdout);
	if (it->abi >= 0)
		cli_json_str(cf_abi_name(it->abi));
	else
		fputs("null", stdout);
	printf(", \"arch\": \"0x%08x\", \"nr\": %u, \"name\": ", d->arch,
	       (uint32_t)d->nr);
	if (name)
		cli_json_str(name);
	else
		fputs("null", stdout);
	fputs(", \"args\": [", stdout);
	for (unsigned i = 0; i < 6; i++)
		printf(i ? ", \"0x%llx\"" : "\"0x%llx\"",
		       (unsigned long long)d->args[i]);
	fputs("]}", stdout);
}

static void json_action(const char *key, uint32_t action)
{
	char x[48];

	printf("\"%s\": ", key);
	cli_json_str(cf_action_str(action, x, sizeof(x)));
}

/* One class: the fields the text line prints. */
static void json_item(const struct cf_diff_item *it)
{
	fputs("{\"name\": ", stdout);
	if (it->name)
		cli_json_str(it->name);
	else
		fputs("null", stdout);
	printf(", \"nr_lo\": %u, \"nr_hi\": %u, \"args\": ", it->nr_lo,
	       it->nr_hi);
	cli_json_str(it->args ? it->args : "");
	fputs(", ", stdout);
	json_action("a", it->action_a);
	fputs(", ", stdout);
	json_action("b", it->action_b);
	fputs(", \"example\": ", stdout);
	json_call(it);
	putchar('}');
}

/* {"a": A, "b": B, "abis": [{"abi", "arch", "classes": [...]}]}: the
 * same groups and classes, in the same order, as the text output. */
static void diff_json(const struct cf_diffs *d, const char *a, const char *b)
{
	int last_abi = -2;
	uint32_t last_arch = 0;
	size_t n = cf_diffs_count(d);

	fputs("{\"a\": ", stdout);
	cli_json_str(a);
	fputs(", \"b\": ", stdout);
	cli_json_str(b);
	fputs(", \"abis\": [", stdout);
	for (size_t i = 0; i < n; i++) {
		const struct cf_diff_item *it = cf_diffs_item(d, i);

		if (it->abi != last_abi || it->arch != last_arch) {
			if (i)
				fputs("\n  ]},", stdout);
			fputs("\n {\"abi\": ", stdout);
			if (it->abi >= 0)
				cli_json_str(cf_abi_name(it->abi));
			else
				fputs("null", stdout);
			printf(", \"arch\": \"0x%08x\", \"classes\": [",
			       it->arch);
			last_abi = it->abi;
			last_arch = it->arch;
		} else {
			putchar(',');
		}
		fputs("\n  ", stdout);
		json_item(it);
	}
	fputs(n ? "\n  ]}\n]}\n" : "]}\n", stdout);
}

int cmd_diff(int argc, char **argv)
{
	struct cli_judge_args a = {0};
	struct cf_filter **f;
	struct cf_diffs *d = NULL;
	struct cf_error err;
	int status = CLI_OK, first;
	int last_abi = -2;
	uint32_t last_arch = 0;

	first = parse_opts(argc, argv, &diff_cmd, &a, &status);
	if (first < 0)
		return status;
	if (argc - first != 2) {
		cli_errorf("diff needs two PROFILEs");
		fputs(diff_usage, stderr);
		return CLI_USAGE;
	}
	if (!(f = calloc(2, sizeof(*f)))) {
		cli_errorf("out of memory");
		return CLI_FAIL;
	}
	if (load_all(argv + first, 2, &a.t, f)) {
		free_all(f, 2);
		return CLI_FAIL;
	}
	if (cf_diff(f[0], f[1], &d, &err)) {
		cli_error(&err);
		free_all(f, 2);
		return CLI_FAIL;
	}
	if (a.json)
		diff_json(d, argv[first], argv[first + 1]);
	else if (cf_diffs_count(d))
		printf("A = %s, B = %s\n", argv[first], argv[first + 1]);
	for (size_t i = 0; !a.json && i < cf_diffs_count(d); i++) {
		const struct cf_diff_item *it = cf_diffs_item(d, i);

		if (it->abi != last_abi || it->arch != last_arch) {
			if (it->abi >= 0)
				printf("%s:\n", cf_abi_name(it->abi));
			else
				printf("arch 0x%08x:\n", it->arch);
			last_abi = it->abi;
			last_arch = it->arch;
		}
		print_item(it, "A", "B");
	}
	if (fflush(stdout)) {
		cli_errorf("cannot write standard output: %m");
		status = CLI_FAIL;
	}
	cf_diffs_free(d);
	free_all(f, 2);
	return status;
}

int cli_subset(const struct cf_target *target, const char *base, const char *p,
	       bool json)
{
	struct cf_target t = *target;
	struct cf_filter *f[2] = {NULL, NULL};
	struct seccomp_data ex;
	uint32_t act[2];
	struct cf_error err;
	int rc, status;

	t.diag = NULL;
	t.strict = false;
	if (!(f[0] = cli_load_filter(base, &t)) ||
	    !(f[1] = cli_load_filter(p, &t))) {
		cf_filter_free(f[0]);
		return CLI_FAIL;
	}
	rc = cf_subset(f[0], f[1], &ex, act, &err);
	if (rc < 0) {
		cli_error(&err);
		status = CLI_FAIL;
	} else if (rc == 1) {
		if (json)
			fputs("{\"holds\": true}\n", stdout);
		else
			printf("%s is a subset of %s\n", p, base);
		status = CLI_OK;
	} else {
		struct cf_diff_item it = {.abi = -1, .example = ex};
		char x[48], y[48];

		status = CLI_FAIL;
		for (int i = 0; i < cf_abi_count(); i++) {
			if (cf_abi_audit_arch(i) != ex.arch ||
			    !cf_abi_supported(i))
				continue;
			if (ex.arch == 0xc000003eU &&
			    (!strcmp(cf_abi_name(i), "x32")) !=
				((uint32_t)ex.nr >= 0x40000000U))
				continue;
			it.abi = i;
			break;
		}
		if (json) {
			fputs("{\"holds\": false, \"example\": ", stdout);
			json_call(&it);
			fputs(", ", stdout);
			json_action("base", act[0]);
			fputs(", ", stdout);
			json_action("profile", act[1]);
			fputs("}\n", stdout);
			goto out;
		}
		printf("%s is not a subset of %s: on %s, ", p, base,
		       it.abi >= 0 ? cf_abi_name(it.abi) : "a foreign arch");
		print_call(&it);
		printf(" is %s under %s but %s under %s\n",
		       cf_action_str(act[1], y, sizeof(y)), p,
		       cf_action_str(act[0], x, sizeof(x)), base);
	}
out:
	if (fflush(stdout)) {
		cli_errorf("cannot write standard output: %m");
		status = CLI_FAIL;
	}
	cf_filter_free(f[0]);
	cf_filter_free(f[1]);
	return status;
}
