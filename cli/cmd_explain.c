/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_explain.c - callfence explain: the action for one syscall and the
 * rule of the profile that decided it. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char explain_usage[] =
    "usage: callfence explain [--abi ABI] [--native ARCH] [--caps SPEC]\n"
    "                         [--kernel X.Y] [--enosys=runc|none] [--harden]\n"
    "                         [--json] PROFILE SYSCALL [ARG...]\n"
    "SYSCALL is a name or a number; ARGs are integers (decimal or 0x hex).\n";

static const struct cli_opt explain_opts[] = {
    CLI_STRING("abi", 0, struct cli_judge_args, value),
    CLI_TARGET_OPTS(struct cli_judge_args, t),
    CLI_FLAG("harden", struct cli_judge_args, t.harden),
    CLI_IGNORE_OPT,
    CLI_FLAG("json", struct cli_judge_args, json),
    {NULL},
};

static const struct cli_cmd explain_cmd = {explain_usage, explain_opts,
					   CLI_USAGE, false};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

/* A notified call's socket: the seccomp agent there decides it. */
static const char *agent_of(const struct cf_filter *f,
			    const struct cf_decision *dec)
{
	if ((dec->action & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_USER_NOTIF)
		return NULL;
	return cf_filter_listener(f, NULL);
}

static void print_json(const char *name, int abi, const struct seccomp_data *d,
		       const struct cf_decision *dec, uint32_t prog,
		       unsigned executed, bool cached, const char *agent)
{
	char a[64], b[64];

	printf("{\"syscall\": \"%s\", \"abi\": \"%s\", \"nr\": %d, "
	       "\"action\": \"%s\", \"why\": \"%s\", \"pointer\": ",
	       name ? name : "", cf_abi_name(abi), d->nr,
	       cf_action_str(dec->action, a, sizeof(a)), dec->why);
	if (dec->pointer)
		printf("\"%s\", \"line\": %u, \"column\": %u", dec->pointer,
		       dec->line, dec->col);
	else
		printf("null, \"line\": null, \"column\": null");
	fputs(", \"agent\": ", stdout);
	cli_json_fstr(stdout, agent);
	printf(", \"program_action\": \"%s\", \"instructions\": %u, "
	       "\"kernel_cache\": %s}\n",
	       cf_action_str(prog, b, sizeof(b)), executed,
	       cached ? "true" : "false");
}

static int explain(struct cf_filter *f, const char *file, int native, int abi,
		   const char *sys, char **args, int nargs, bool json)
{
	struct seccomp_data d = {0}, kd;
	struct cf_decision dec;
	const struct sock_filter *insns;
	const char *name = NULL;
	unsigned executed = 0;
	uint64_t v;
	uint32_t prog;
	size_t len;
	char a[64], b[64];
	bool cacheable, cached;

	if (!parse_u64(sys, &v)) {
		d.nr = (int)v;
		name = cf_syscall_name(abi, (uint32_t)v);
	} else {
		int64_t nr = cf_syscall_number(abi, sys);

		if (nr < 0) {
			cli_errorf("'%s' is not a syscall on %s", sys,
				   cf_abi_name(abi));
			return CLI_USAGE;
		}
		d.nr = (int)nr;
		name = sys;
	}
	for (int i = 0; i < nargs; i++) {
		if (i >= 6 || parse_u64(args[i], &v)) {
			cli_errorf("bad argument '%s' (at most 6 integers, "
				   "decimal or 0x hex)",
				   args[i]);
			return CLI_USAGE;
		}
		d.args[i] = v;
	}
	d.arch = cf_abi_audit_arch(abi);
	cf_filter_decide(f, &d, &dec);
	cf_seccomp_data_as_kernel(&d, &kd);
	insns = cf_filter_program(f, &len);
	prog = len ? cf_bpf_run(insns, len, &kd, &executed) : dec.action;
	/* Linux >= 5.11 allows such a call from a bitmap, filter not run */
	cacheable = len && cf_bpf_cacheable(insns, len, d.arch, (uint32_t)d.nr);
	cached = cacheable && cf_abi_kernel_caches(native, abi);
	if (json) {
		print_json(name, abi, &d, &dec, prog, executed, cached,
			   agent_of(f, &dec));
	} else {
		printf("%s (%s nr %d): %s\n", name ? name : "(unnamed)",
		       cf_abi_name(abi), d.nr,
		       cf_action_str(dec.action, a, sizeof(a)));
		printf("  why: %s\n", dec.why);
		if (agent_of(f, &dec))
			printf("  agent: the call goes to the seccomp agent at "
			       "'%s' (listenerPath), which decides it\n",
			       agent_of(f, &dec));
		if (dec.pointer)
			printf("  rule: %s:%u:%u %s\n", file, dec.line, dec.col,
			       dec.pointer);
		if (len)
			printf("  program: %s after %u of %zu instructions\n"
			       "  kernel cache: %s\n",
			       cf_action_str(prog, b, sizeof(b)), executed, len,
			       cached ? "yes (Linux >= 5.11 allows it without "
					"running the filter)"
			       : cacheable ? "no (the kernel keeps no cache "
					     "for this ABI)"
					   : "no (the filter runs on every "
					     "call)");
	}
	if (prog != dec.action) {
		cli_errorf("internal error: the program says %s, the IR %s",
			   cf_action_str(prog, b, sizeof(b)),
			   cf_action_str(dec.action, a, sizeof(a)));
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_explain(int argc, char **argv)
{
	struct cli_judge_args a = {0};
	struct cli_parsed parsed;
	struct cf_filter *f;
	int first, abi, rc;

	if (cli_target_init(&a.t))
		return CLI_FAIL;
	first = cli_parse(&explain_cmd, argc, argv, &a, &parsed);
	if (first < 0)
		return parsed.status;
	if (argc - first < 2) {
		cli_errorf("explain needs PROFILE and SYSCALL");
		fputs(explain_usage, stderr);
		return CLI_USAGE;
	}
	abi = a.value ? cf_abi_lookup(a.value) : a.t.native; /* --abi */
	if (abi < 0 || !cf_abi_supported(abi)) {
		cli_errorf("unknown or unsupported ABI '%s'", a.value);
		return CLI_USAGE;
	}
	if (!(f = cli_load_filter(argv[first], &a.t)))
		return CLI_FAIL;
	rc = explain(f, argv[first], a.t.native, abi, argv[first + 1],
		     argv + first + 2, argc - first - 2, a.json);
	cf_filter_free(f);
	return rc;
}
