/* SPDX-License-Identifier: Apache-2.0 */
/* diagnose.h - commands that help find why a profile breaks a program
 * (docs/diagnose.md): convert --audit (cmd_convert.c) and audit-log
 * (cmd_audit_log.c). */
#ifndef CF_CLI_DIAGNOSE_H
#define CF_CLI_DIAGNOSE_H

#include "callfence.h"

#include <stdio.h>

int cmd_convert(int argc, char **argv);
int cmd_audit_log(int argc, char **argv);

/* run_complain.c, shared with audit-log: one call seen (d: arch, nr and
 * arguments; pid: the caller) goes into the findings, decided by given,
 * or by the collector's filter when given is NULL. */
struct cli_complain;
void cli_complain_add(struct cli_complain *c, const struct seccomp_data *d,
		      uint32_t pid, const struct cf_decision *given);
/* Who reports ("callfence audit-log"), the JSON method, its words in the
 * text report, where the text goes, and extra top-level JSON members
 * (`"records": {...}`; NULL: none; when set, findings carry no
 * arguments). Default: callfence run's complain mode. */
void cli_complain_source(struct cli_complain *c, const char *who,
			 const char *method, const char *method_text,
			 FILE *text, const char *extra);

#endif
