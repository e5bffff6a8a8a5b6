/* SPDX-License-Identifier: Apache-2.0 */
/* action.h - the words a profile and a filter share: return actions,
 * comparison operators (action.c) and errno names (errno_table.c,
 * generated). */
#ifndef CF_ACTION_H
#define CF_ACTION_H

#include "base.h"

/* ---- actions ----------------------------------------------------------- */

/* X(enum, JSON name, SECCOMP_RET base) */
#define CF_ACTIONS(X)                                                          \
	X(KILL_PROCESS, "SCMP_ACT_KILL_PROCESS", 0x80000000U)                  \
	X(KILL_THREAD, "SCMP_ACT_KILL_THREAD", 0x00000000U)                    \
	X(KILL, "SCMP_ACT_KILL", 0x00000000U)                                  \
	X(TRAP, "SCMP_ACT_TRAP", 0x00030000U)                                  \
	X(ERRNO, "SCMP_ACT_ERRNO", 0x00050000U)                                \
	X(NOTIFY, "SCMP_ACT_NOTIFY", 0x7fc00000U)                              \
	X(TRACE, "SCMP_ACT_TRACE", 0x7ff00000U)                                \
	X(LOG, "SCMP_ACT_LOG", 0x7ffc0000U)                                    \
	X(ALLOW, "SCMP_ACT_ALLOW", 0x7fff0000U)

enum cf_action_kind {
#define X(e, s, v) CF_ACT_##e,
	CF_ACTIONS(X)
#undef X
	    CF_ACT__COUNT
};

#define CF_RET_ACTION_FULL 0xffff0000U
#define CF_RET_DATA 0x0000ffffU
#define CF_RET_KILL_THREAD 0x00000000U
#define CF_RET_ALLOW 0x7fff0000U
#define CF_RET_ERRNO(e) (0x00050000U | ((uint32_t)(e)&0xffffU))

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
