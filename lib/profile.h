/* SPDX-License-Identifier: Apache-2.0 */
/* profile.h - the profile AST: the JSON tree read 1:1 into a profile,
 * with the source position of every value (profile_parse.c). Read by
 * resolution (resolve.c) and by the lints (check.c) only: later stages see
 * the ruleset. */
#ifndef CF_PROFILE_H
#define CF_PROFILE_H

#include "base.h"
#include "action.h"

struct cf_p_arg {
	uint32_t index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	enum cf_op op;
	/* line:col; the pointer is NULL, built on demand by
	 * cf_p_member_pointer(s, s->args_key, N, ...) */
	struct cf_pos pos;
};

struct cf_p_filter {
	const char **caps; /* as written */
	size_t ncaps;
	const char **arches; /* as written (Go names) */
	size_t narches;
	const char *min_kernel; /* as written, or NULL */
	uint32_t min_kernel_v;	/* (major << 16) | minor; 0 if absent */
	bool min_kernel_3part;	/* "X.Y.Z" form (warned by check) */
	struct cf_pos pos;
};

struct cf_p_syscall {
	const char **names; /* "names" entries, or the legacy "name" */
	/* line:col of each name; the pointers are NULL, built on demand by
	 * cf_p_name_pointer (a profile has hundreds of names) */
	struct cf_pos *name_pos;
	size_t nnames;
	const char *names_ptr; /* pointer of "names" (or of "name") */
	bool legacy_name;      /* came from "name" */
	uint32_t action; /* SECCOMP_RET_* value, errno/trace data applied */
	enum cf_action_kind action_kind;
	const char *errno_name; /* "errno" string as written, or NULL */
	bool errno_name_used;	/* name honoured because errnoRet absent */
	struct cf_p_arg *args;
	size_t nargs;
	struct cf_p_filter includes, excludes;
	const char *comment;
	struct cf_pos pos; /* /syscalls/N */
	/* /syscalls/N/action: line:col; the pointer is NULL, built on
	 * demand by cf_p_member_pointer(s, s->action_key, -1, ...) */
	struct cf_pos action_pos;
	/* the keys of "action" and "args" as written (Go's decoder matches
	 * keys case-insensitively), NULL if absent */
	const char *action_key;
	const char *args_key;
	size_t args_key_len;
};

struct cf_p_archmap {
	const char *arch; /* OCI token as written */
	int abi;	  /* -1 if unknown */
	const char **subs;
	int *sub_abis;
	size_t nsubs;
	struct cf_pos pos;
};

struct cf_p_note {
	const char *id;
	struct cf_pos pos;
	const char *msg;
	struct cf_p_note *next;
};

struct cf_profile {
	struct cf_arena arena;
	const char *file; /* NULL for builtin/buffer */
	bool has_default_action;
	uint32_t default_action; /* with defaultErrnoRet applied */
	enum cf_action_kind default_kind;
	struct cf_pos default_pos;
	const char *default_errno_name;
	bool default_errno_name_used;
	int *architectures; /* ABI indexes ("architectures") */
	struct cf_pos *arch_pos;
	size_t narchitectures;
	struct cf_p_archmap *archmap;
	size_t narchmap;
	struct cf_p_syscall *syscalls;
	size_t nsyscalls;
	bool has_syscalls;
	bool has_flags;
	unsigned flags; /* SECCOMP_FILTER_FLAG_* from "flags" */
	const char *listener_path;
	const char *listener_metadata;	 /* NULL = none */
	struct cf_pos wait_killable_pos; /* of the WAIT_KILLABLE_RECV flag */
	bool unconfined;
	bool from_config; /* linux.seccomp of an OCI config.json */
	/* what the parser noticed: unknown keys, key case, errno names,
	 * "X.Y.Z" kernels, ... (most recent first); every compile sends them
	 * through the diagnostics callback (cf_lint_notes) */
	struct cf_p_note *notes;
};

/* JSON pointer of s->names[n] into buf ("/syscalls/3/names/0"); returns
 * buf. */
const char *cf_p_name_pointer(const struct cf_p_syscall *s, size_t n, char *buf,
			      size_t size);

/* JSON pointer of s's member key (as written), followed by "/index" if
 * index >= 0 ("/syscalls/3/ARGS/0"), into out (room for the length + 1)
 * unless out is NULL; returns its length. */
size_t cf_p_member_pointer(const struct cf_p_syscall *s, const char *key,
			   long index, char *out);

#endif
