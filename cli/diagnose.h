/* SPDX-License-Identifier: Apache-2.0 */
/* diagnose.h - commands that help find why a profile breaks a program
 * (docs/diagnose.md): convert --audit (cmd_convert.c) and audit-log
 * (cmd_audit_log.c). */
#ifndef CF_CLI_DIAGNOSE_H
#define CF_CLI_DIAGNOSE_H

int cmd_convert(int argc, char **argv);
int cmd_audit_log(int argc, char **argv);

#endif
