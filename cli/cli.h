/* SPDX-License-Identifier: Apache-2.0 */
/* cli.h - the callfence command: one cmd_<name> per subcommand. */
#ifndef CF_CLI_H
#define CF_CLI_H

#include "callfence.h"

#include <stdarg.h>
#include <stddef.h>

/* exit codes of every command but run (SPEC §3) */
#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

/* main.c's table: cmd_<name>(argc, argv) with argv[0] the command's name;
 * returns the exit status */
typedef int cli_command_fn(int argc, char **argv);
cli_command_fn cmd_run, cmd_compile, cmd_check, cmd_explain, cmd_inspect,
    cmd_disasm, cmd_default, cmd_list, cmd_record, cmd_oci_hook, cmd_merge,
    cmd_diff;
/* check --subset BASE P: exit status (0 holds, 1 not or error). */
int cli_subset(const struct cf_target *t, const char *base, const char *p,
	       bool json);

/* main.c: the i-th command (its summary in *help), NULL past the last. */
const char *cli_command(size_t i, const char **help);

/* common.c */
/* Writes buf to path ("-": standard output) through a temporary file
 * renamed over it, a device or FIFO in place (record, merge, convert);
 * 0, or -1 (printed). */
int cli_write_out(const char *path, const char *buf, size_t len);
/* Two close-on-exec pipes, or -1 (errno set) with neither left open. */
int cli_two_pipes(int a[2], int b[2]);
/* Writes buf to an existing non-regular file (a device, a FIFO) in
 * place; 0 or -errno. */
int cli_write_in_place(const char *path, const char *buf, size_t len);
void cli_error(const struct cf_error *err);
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_verrorf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));
/* What messages start with instead of "callfence" (run: "callfence run"). */
void cli_set_msg_prefix(const char *prefix);
/* Prints a diagnostic unless --ignore named its id. */
void cli_warn_diag(void *ctx, const struct cf_diag *d);
bool cli_diag_ignored(const char *id);
#define CF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* "builtin", "-" (standard input: a callfence extension; Docker's CLI
 * opens a file named "-") or a path (file, FIFO, /dev/fd/N). Fills err. */
int cli_profile_open(const char *name, struct cf_profile **out,
		     struct cf_error *err);
/* s as a JSON string (quoted, escaped) on stdout; NULL as "". */
void cli_json_str(const char *s);
/* s as a JSON string on out; NULL as null. */
void cli_json_fstr(FILE *out, const char *s);
/* cli_profile_open, printing the error. */
int cli_load_profile(const char *name, struct cf_profile **out);
/* The profile name (as cli_profile_open takes it) compiled for t (a filter
 * stands alone: the profile is freed); NULL after printing why not. */
struct cf_filter *cli_load_filter(const char *name, const struct cf_target *t);
int cli_target_init(struct cf_target *t);

/* ---- options (options.c) ----------------------------------------------- */

/* One option of a command: --name (and -letter unless 0), the value it
 * takes, and what it does: set(field, value), field being the member at
 * off of the command's arguments struct (value NULL when none was given).
 * set returns 0, or nonzero after printing why the value is refused. */
enum cli_value { CLI_NO_VALUE, CLI_VALUE, CLI_OPTIONAL_VALUE };
struct cli_opt {
	const char *name;
	char letter;
	enum cli_value value;
	int (*set)(void *field, const char *value);
	size_t off;
};
/* clang-format off */
#define CLI_OPT(name, letter, value, set, type, member)                        \
	{name, letter, value, set, offsetof(type, member)}
/* --name [VALUE]: set(args, value), args the whole arguments struct */
#define CLI_CALL(name, value, set) {name, 0, value, set, 0}
/* --name: the bool member becomes true */
#define CLI_FLAG(name, type, member)                                           \
	CLI_OPT(name, 0, CLI_NO_VALUE, cli_set_true, type, member)
/* --name VALUE (-letter VALUE): the const char * member points to VALUE */
#define CLI_STRING(name, letter, type, member)                                 \
	CLI_OPT(name, letter, CLI_VALUE, cli_set_string, type, member)
/* --name VALUE, repeatable: VALUE appended to the struct cli_list member */
#define CLI_LIST(name, type, member)                                           \
	CLI_OPT(name, 0, CLI_VALUE, cli_set_append, type, member)
/* The options of the commands that judge profiles for a target (merge,
 * diff, explain): the target (CLI_TARGET_OPTS), --json where offered,
 * and the one value option each has of its own (merge: --output FILE,
 * explain: --abi ABI; none for diff). */
struct cli_judge_args {
	struct cf_target t;
	const char *value;
	bool json;
};

/* --native, --caps, --kernel, --enosys into the struct cf_target member */
#define CLI_TARGET_OPTS(type, member)                                          \
	CLI_OPT("native", 0, CLI_VALUE, cli_set_native, type, member.native),\
	CLI_OPT("caps", 0, CLI_VALUE, cli_set_caps, type, member.caps),        \
	CLI_OPT("kernel", 0, CLI_VALUE, cli_set_kernel, type, member.kernel),  \
	CLI_OPT("enosys", 0, CLI_VALUE, cli_set_enosys, type, member.enosys)
/* --ignore ID: a diagnostic id every printer of the command passes over */
#define CLI_IGNORE_OPT CLI_CALL("ignore", CLI_VALUE, cli_set_ignore)
/* clang-format on */
int cli_set_true(void *field, const char *value);
int cli_set_string(void *field, const char *value);
/* The values of a repeatable option: v has room for one per argument. */
struct cli_list {
	const char **v;
	size_t n;
};
int cli_set_append(void *list, const char *value);
/* s as a decimal number from lo to hi, digits only (no sign, no blanks):
 * 0, or -1 (nothing printed). */
int cli_uint(const char *s, unsigned long lo, unsigned long hi, unsigned *out);
int cli_set_native(void *native, const char *value);
int cli_set_caps(void *caps, const char *value);
int cli_set_kernel(void *kernel, const char *value);
int cli_set_enosys(void *enosys, const char *value);
int cli_set_ignore(void *unused, const char *id);

/* A command's options: its table (ending with a NULL name; --help and -h
 * are added), its usage (printed by --help on stdout, after a refused
 * option on stderr), the exit status of a refused option or value
 * (CLI_USAGE; 125 for run and record), and whether options end at the
 * first operand (a COMMAND's own options follow it). */
struct cli_cmd {
	const char *usage;
	const struct cli_opt *opts;
	int refused;
	bool in_order;
};
struct cli_parsed {
	int status;	/* when cli_parse returned -1: the exit status */
	uint64_t given; /* bit i: opts[i] was given */
};
/* Parses argv's options (from argv[1], as getopt_long with whole names
 * only) into args. Returns the index of the first operand, or -1: after
 * --help (status 0) or a refusal, printed (status cmd->refused). */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *args,
	      struct cli_parsed *res);

/* run_user.c: docker run's --user and --group-add against passwd and group
 * files. Errors are printed ("callfence run: ..."); returns 0 or -1. */
struct cli_run_user {
	uint32_t uid, gid;
	uint32_t *groups; /* the primary gid first; malloc'd */
	size_t ngroups;
	char *home; /* HOME for the command; malloc'd */
};
int cli_run_user(const char *spec, const char *const *add, size_t nadd,
		 const char *passwd, const char *group, struct cli_run_user *u);
/* The home of the first passwd entry with uid, "/" if none (malloc'd). */
char *cli_run_home(uint32_t uid, const char *passwd);
void cli_run_user_free(struct cli_run_user *u);

/* run_complain.c: `run --complain`, the findings (docs/cli.md). f: the
 * compiled profile, file: the profile as named (both outlive the
 * collector). cli_complain_note is a cf_run_opts.complain callback. */
struct cli_complain;
struct cli_complain *cli_complain_new(const struct cf_filter *f,
				      const char *file);
void cli_complain_note(void *ctx, const struct seccomp_notif *n);
/* The report on stderr, and as JSON into json (may be NULL; opened
 * before the command ran, named json_path in errors): 0, or -1 (printed)
 * when it cannot be written. */
int cli_complain_report(const struct cli_complain *c, FILE *json,
			const char *json_path, char *const *argv,
			int exit_code);
void cli_complain_free(struct cli_complain *c);

#endif
