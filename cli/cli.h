/* SPDX-License-Identifier: Apache-2.0 */
/* cli.h - the callfence command: one cmd_<name> per subcommand. */
#ifndef CF_CLI_H
#define CF_CLI_H

#include "callfence.h"

/* exit codes of every command but run (SPEC §3) */
#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

int cmd_run(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_default(int argc, char **argv);
int cmd_list(int argc, char **argv);

/* main.c: the i-th command (its summary in *help), NULL past the last. */
const char *cli_command(size_t i, const char **help);

/* common.c */
void cli_error(const struct cf_error *err);
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn_diag(void *ctx, const struct cf_diag *d);
/* s as a JSON string (quoted, escaped) on stdout. */
void cli_json_str(const char *s);
/* "builtin" or a path. */
int cli_load_profile(const char *name, struct cf_profile **out);
/* Target options shared by compile/check/explain: returns 1 when opt was
 * one of them (and applied), 0 when not, -1 on a bad value. */
enum { CLI_OPT_NATIVE = 1000, CLI_OPT_CAPS, CLI_OPT_KERNEL, CLI_OPT_ENOSYS,
       CLI_OPT_STRICT, CLI_OPT_ABI, CLI_OPT_JSON, CLI_OPT_FORMAT };
int cli_target_opt(struct cf_target *t, int opt, const char *arg);
int cli_target_init(struct cf_target *t);

#endif
