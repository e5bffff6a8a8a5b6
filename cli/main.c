/* SPDX-License-Identifier: Apache-2.0 */
/* main.c - the callfence command table. */
#include "agent.h"
#include "cli.h"
#include "diagnose.h"

#include <malloc.h>
#include <string.h>

#define CALLFENCE_VERSION "0.1.0"

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
    {"run", cmd_run, "run a command under a seccomp profile, as docker run"},
    {"compile", cmd_compile, "compile a profile to a BPF program"},
    {"check", cmd_check, "report errors and surprises in profiles"},
    {"explain", cmd_explain, "which rule decides a syscall, and how"},
    {"inspect", cmd_inspect, "the seccomp filters this process runs under"},
    {"disasm", cmd_disasm, "print a raw BPF program readably"},
    {"default", cmd_default, "print the built-in profile (JSON)"},
    {"merge", cmd_merge,
     "merge profiles exactly: the union of what they allow"},
    {"diff", cmd_diff, "the calls two profiles decide differently"},
    {"list", cmd_list, "list commands, syscalls, ABIs or capabilities"},
    {"record", cmd_record, "record a command's calls into a profile"},
    {"oci-hook", cmd_oci_hook,
     "OCI hook: record a container from its start into a profile"},
    {"audit-log", cmd_audit_log,
     "the kernel's seccomp audit records, mapped to a profile's rules"},
    {"convert", cmd_convert,
     "write a variant of a profile (--audit: log what it denies)"},
    {"agent", cmd_agent, "a seccomp agent: answer NOTIFY calls by a policy"},
};

const char *cli_command(size_t i, const char **help)
{
	if (i >= sizeof(cmds) / sizeof(cmds[0]))
		return NULL;
	*help = cmds[i].help;
	return cmds[i].name;
}

static const char version_usage[] = "usage: callfence --version [--json]\n";

/* The version, the syscall table's Linux release and the built-in
 * profile's origin. */
static int version(int argc, char **argv)
{
	bool json = argc == 3 && !strcmp(argv[2], "--json");

	if (argc > 2 && !json) {
		fputs(version_usage, stderr);
		return CLI_USAGE;
	}
	if (!json) {
		printf("callfence %s\n"
		       "syscall table: Linux %s\n"
		       "built-in profile: %s\n",
		       CALLFENCE_VERSION, cf_syscall_table_linux(),
		       cf_profile_builtin_origin());
		return CLI_OK;
	}
	fputs("{\"version\": ", stdout);
	cli_json_str(CALLFENCE_VERSION);
	fputs(", \"syscall_table_linux\": ", stdout);
	cli_json_str(cf_syscall_table_linux());
	fputs(", \"builtin_profile\": ", stdout);
	cli_json_str(cf_profile_builtin_origin());
	puts("}");
	return CLI_OK;
}

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: callfence <command> [options] [args]\n\n"
	    "       callfence --help | --version [--json] | help COMMAND\n\n"
	    "commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	fprintf(out, "\n'callfence <command> --help' describes a command; "
		     "'man callfence' has everything.\n");
}

static const struct cmd *find(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static int unknown(const char *name)
{
	const char *names[sizeof(cmds) / sizeof(cmds[0])];
	char hint[96];

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		names[i] = cmds[i].name;
	cf_did_you_mean(name, names, sizeof(cmds) / sizeof(cmds[0]), hint,
			sizeof(hint));
	cli_errorf("'%s' is not a command%s", name,
		   hint[0] ? hint : " (see 'callfence --help')");
	return CLI_USAGE;
}

/* Memory a stage frees stays in the heap for the next stage to reuse,
 * instead of going back to the kernel (malloc's default for blocks past
 * 128 KiB: mapped apart, unmapped when freed) and being faulted in again
 * a page at a time: the JSON tree of a large profile is freed before the
 * IR and the programs are made. Page faults of `callfence compile`
 * (/usr/bin/time %R): valueset-1000 689 -> 515, actions-1000 698 -> 527,
 * gen-1000 806 -> 595, Docker's default 148 -> 149; whole-process CPU
 * 0.82x and 0.83x of before on the first two, Docker's default 1.01x
 * (30 alternating runs each, 2026-12-04). A page fault costs about 10 us
 * on this 2-core VM (a loop touching 600 fresh pages). Blocks past
 * 32 MiB are still mapped apart, and a heap with more than 32 MiB free
 * at its top is still trimmed. */
static void keep_freed_memory(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	keep_freed_memory();
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return version(argc, argv);
	if (!strcmp(argv[1], "help")) {
		static char help_opt[] = "--help";
		char *help[] = {argc > 2 ? argv[2] : argv[1], help_opt, NULL};

		if (argc < 3) {
			usage(stdout);
			return CLI_OK;
		}
		c = find(argv[2]);
		return c ? c->fn(2, help) : unknown(argv[2]);
	}
	c = find(argv[1]);
	if (!c)
		return unknown(argv[1]);
	return c->fn(argc - 1, argv + 1);
}
