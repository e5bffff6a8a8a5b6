/* SPDX-License-Identifier: Apache-2.0 */
/* action.h - the words a profile and a filter share: return actions,
 * comparison operators (action.c) and errno names (errno_table.c,
 * generated). */
#ifndef CF_ACTION_H
#define CF_ACTION_H

#include "base.h"

/* ---- actions ----------------------------------------------------------- */

/* The kernel's SECCOMP_RET_* values, named here because an older
 * <linux/seccomp.h> lacks the newer ones. The action is the upper 16 bits
 * (CF_RET_ACTION_FULL), ERRNO's errno and TRACE's message the lower 16. */
#define CF_RET_ACTION_FULL 0xffff0000U
#define CF_RET_DATA 0x0000ffffU
#define CF_RET_KILL_PROCESS 0x80000000U
#define CF_RET_KILL_THREAD 0x00000000U
#define CF_RET_TRAP 0x00030000U
#define CF_RET_ERRNO(e) (0x00050000U | ((uint32_t)(e)&CF_RET_DATA))
#define CF_RET_NOTIFY 0x7fc00000U /* SECCOMP_RET_USER_NOTIF */
#define CF_RET_TRACE(msg) (0x7ff00000U | ((uint32_t)(msg)&CF_RET_DATA))
#define CF_RET_LOG 0x7ffc0000U
#define CF_RET_ALLOW 0x7fff0000U

/* X(enum, JSON name, SECCOMP_RET base). The first entry of a base names
 * it: KILL_THREAD comes before its alias KILL. */
#define CF_ACTIONS(X)                                                          \
	X(KILL_PROCESS, "SCMP_ACT_KILL_PROCESS", CF_RET_KILL_PROCESS)          \
	X(KILL_THREAD, "SCMP_ACT_KILL_THREAD", CF_RET_KILL_THREAD)             \
	X(KILL, "SCMP_ACT_KILL", CF_RET_KILL_THREAD)                           \
	X(TRAP, "SCMP_ACT_TRAP", CF_RET_TRAP)                                  \
	X(ERRNO, "SCMP_ACT_ERRNO", CF_RET_ERRNO(0))                            \
	X(NOTIFY, "SCMP_ACT_NOTIFY", CF_RET_NOTIFY)                            \
	X(TRACE, "SCMP_ACT_TRACE", CF_RET_TRACE(0))                            \
	X(LOG, "SCMP_ACT_LOG", CF_RET_LOG)                                     \
	X(ALLOW, "SCMP_ACT_ALLOW", CF_RET_ALLOW)

enum cf_action_kind {
#define X(e, s, v) CF_ACT_##e,
	CF_ACTIONS(X)
#undef X
	    CF_ACT__COUNT
};

/* The kind of an action value (its first CF_ACTIONS entry), or
 * CF_ACT__COUNT for a value no action has. */
enum cf_action_kind cf_action_kind_of(uint32_t action);
/* The JSON name of a kind ("SCMP_ACT_ERRNO"). */
const char *cf_action_json_name(enum cf_action_kind kind);
/* ERRNO(n) and TRACE(n): the 16 data bits are part of the action. */
bool cf_action_has_data(enum cf_action_kind kind);

/* ---- comparison operators ---------------------------------------------- */

/* X(enum, JSON name) — order as libseccomp's enum scmp_compare (1..7) */
#define CF_OPS(X)                                                              \
	X(NE, "SCMP_CMP_NE")                                                   \
	X(LT, "SCMP_CMP_LT")                                                   \
	X(LE, "SCMP_CMP_LE")                                                   \
	X(EQ, "SCMP_CMP_EQ")                                                   \
	X(GE, "SCMP_CMP_GE")                                                   \
	X(GT, "SCMP_CMP_GT")                                                   \
	X(MASKED_EQ, "SCMP_CMP_MASKED_EQ")

enum cf_op {
	CF_OP__NONE = 0,
#define X(e, s) CF_OP_##e,
	CF_OPS(X)
#undef X
	    CF_OP__COUNT
};
const char *cf_op_name(enum cf_op op);

/* ---- errno names (errno_table.c, generated) ---------------------------- */

int cf_errno_lookup(const char *name); /* "EPERM" -> 1, -1 if unknown */
const char *cf_errno_name(int e);      /* 1 -> "EPERM", NULL if unknown */

#endif
