/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cf.h - libcallfence internals shared between pipeline stages.
 *
 *   json.c            bytes -> JSON tree with positions      (cf_json_*)
 *   profile_parse.c   JSON tree -> profile AST (1:1)         (cf_profile)
 *   syscalls.c        generated tables: ABIs, names, numbers (cf_arch,
 * cf_sys_*) target.c          caps, kernel version, host ABI resolve.c AST +
 * target -> ruleset (by name)       (cf_ruleset) ir_build.c        ruleset ->
 * per-ABI decision tables      (cf_ir)
 *                     --harden marks int-argument conditions  (cf_ir_harden)
 *   ir_eval.c         direct evaluation of the IR             (cf_ir_eval)
 *   bpf_gen.c         IR -> program                           (cf_bpf_gen)
 *   bpf_check.c bpf_sim.c bpf_print.c   kernel rules, interpreter, listing
 *   bpf_cache.c       the kernel's action cache, emulated
 *   compile.c         the pipeline's outline (cf_compile, cf_check)
 *   check.c reach.c   lints; which calls reach an argument rule
 *   algebra.c         merge, diff, subset on compiled filters (exact)
 *   apply.c           seccomp(2) installation
 */
#ifndef CF_INTERNAL_H
#define CF_INTERNAL_H

#include "callfence.h"

#include <errno.h>
#include <stdarg.h>

#define CF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CF_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- util.c: arena and errors ------------------------------------------ */

struct cf_arena_chunk;
struct cf_arena {
	struct cf_arena_chunk *head;
	size_t next_chunk; /* size of the next chunk; 0 = the first size */
};
/* Zeroed memory that lives until cf_arena_release; NULL on OOM. */
void *cf_arena_alloc(struct cf_arena *a, size_t n);
/* The first chunk holds about n bytes (an estimate of what the arena will
 * hold: one chunk that fits beats a series of doubling ones). */
void cf_arena_hint(struct cf_arena *a, size_t n);
/* Uninitialised memory aligned to align (a power of two <= 16). */
void *cf_arena_raw(struct cf_arena *a, size_t n, size_t align);
void *cf_arena_array(struct cf_arena *a, size_t n, size_t size);
char *cf_arena_strndup(struct cf_arena *a, const char *s, size_t n);
char *cf_arena_printf(struct cf_arena *a, const char *fmt, ...) CF_PRINTF(2, 3);
void cf_arena_release(struct cf_arena *a);

/* Sets err (if non-NULL) and returns code (a negative errno). */
int cf_err(struct cf_error *err, int code, const char *fmt, ...)
    CF_PRINTF(3, 4);
/* 0 when the n words of a caller-filled struct's reserved area are zero,
 * else -EINVAL naming the struct and the first non-zero word (docs/abi.md:
 * a field of a later version must not be silently ignored). */
int cf_reserved_zero(const uint64_t *r, size_t n, const char *what,
		     struct cf_error *err);
/* Same, with a source location. */
struct cf_loc {
	const char *file;
	const char *pointer;
	uint32_t line, col;
};
int cf_err_at(struct cf_error *err, int code, const struct cf_loc *loc,
	      const char *fmt, ...) CF_PRINTF(4, 5);
/* Sends a warning through t->diag (if set). */
void cf_warn(cf_diag_fn fn, void *ctx, const char *id, const struct cf_loc *loc,
	     const char *fmt, ...) CF_PRINTF(5, 6);

/* Edit distance for "did you mean" hints (case-insensitive). */
unsigned cf_edit_distance(const char *a, const char *b);
/* Best candidate within distance max(2, len/3), or NULL. */
const char *cf_closest(const char *s, const char *const *cands, size_t n);

/* ---- input.c: whole inputs (cf_read_fd with a cap and a FIFO wait) ---- */

/* what names the contents in messages ("profile"). */
int cf_read_fd_wait(int fd, const char *name, const char *what, size_t max,
		    int wait_ms, char **buf, size_t *len, struct cf_error *err);
int cf_read_path_wait(const char *path, const char *what, size_t max,
		      int wait_ms, char **buf, size_t *len,
		      struct cf_error *err);

/* ---- json.c: strict RFC 8259 reader ------------------------------------ */

enum cf_json_type {
	CF_JSON_NULL,
	CF_JSON_FALSE,
	CF_JSON_TRUE,
	CF_JSON_NUMBER,
	CF_JSON_STRING,
	CF_JSON_ARRAY,
	CF_JSON_OBJECT,
};

struct cf_json;
struct cf_json_member {
	const char
	    *key; /* unescaped, NUL-terminated (may contain NUL: keylen) */
	size_t keylen;
	uint32_t line, col; /* of the key */
	struct cf_json *val;
};

struct cf_json {
	enum cf_json_type type;
	uint32_t line, col; /* 1-based, col counts bytes */
	/* CF_JSON_F_NUL (on the root only): a string or key somewhere holds
	 * U+0000 (written \u0000); CF_JSON_F_NESTED (on arrays): an item is
	 * an array or an object. So that a reader looking for either need
	 * not walk every string. */
	uint32_t flags;
	union {
		struct {
			const char *text; /* the number's source text */
			size_t len;
		} num;
		struct {
			const char *s; /* unescaped UTF-8, NUL-terminated */
			size_t len;
		} str;
		struct {
			struct cf_json **items;
			size_t n;
		} arr;
		struct {
			struct cf_json_member *m;
			size_t n;
		} obj;
	} u;
};

#define CF_JSON_F_NUL 1U
#define CF_JSON_F_NESTED 2U

/* Parses buf (must be valid UTF-8, one value, nesting <= 512) into arena
 * memory. Errors carry line:col and file. */
int cf_json_parse(struct cf_arena *a, const char *buf, size_t len,
		  const char *file, struct cf_json **out, struct cf_error *err);
/* Same, with the string values (only) in strings: nodes can then be
 * released while the strings live on. */
int cf_json_parse2(struct cf_arena *nodes, struct cf_arena *strings,
		   const char *buf, size_t len, const char *file,
		   struct cf_json **out, struct cf_error *err);
/* Exact unsigned 64-bit value of a number written with digits only, as
 * Go's strconv.ParseUint reads it: -EDOM if it has a sign (even -0), a
 * fraction or an exponent (even 1.0 or 1e2), -ERANGE if > 2^64-1, -EINVAL
 * if not a number. */
int cf_json_u64(const struct cf_json *v, uint64_t *out);
const char *cf_json_type_name(enum cf_json_type t);

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

/* ---- profile AST (profile_parse.c) ------------------------------------- */

/* Source position of a value: JSON pointer + line:col. */
struct cf_pos {
	const char *pointer; /* arena string, e.g. "/syscalls/3/args/0" */
	uint32_t line, col;
};

struct cf_p_arg {
	uint32_t index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	enum cf_op op;
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
	struct cf_pos pos;	  /* /syscalls/N */
	struct cf_pos action_pos; /* /syscalls/N/action */
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
	/* notes the parser leaves for check: unknown keys, key case, errno
	 * names, "X.Y.Z" kernels, ... (most recent first) */
	struct cf_p_note *notes;
};

/* JSON pointer of s->names[n] into buf ("/syscalls/3/names/0"); returns
 * buf. */
const char *cf_p_name_pointer(const struct cf_p_syscall *s, size_t n, char *buf,
			      size_t size);

/* ---- syscalls.c: generated tables -------------------------------------- */

struct cf_arch {
	const char *oci;  /* SCMP_ARCH_X86_64 */
	const char *name; /* x86_64 */
	const char *go;	  /* amd64, or NULL */
	int table;	  /* cf_tables[] index, -1 = unsupported */
	uint32_t audit_arch;
	bool big_endian;
	uint8_t cmp_bits;	       /* 32 or 64 */
	uint8_t ptr_bits;	       /* 32 or 64 */
	uint32_t nr_offset;	       /* added to table numbers */
	bool mux;		       /* socketcall/ipc multiplexing */
	int32_t socketcall_nr, ipc_nr; /* -1 if none (offset applied) */
};
extern const struct cf_arch cf_arches[];
extern const int cf_narches;

struct cf_sysinfo {
	const char *name;
	uint8_t nargs;	      /* 0..6, 0xff = unknown */
	uint8_t bits_lp64[6]; /* 16/32/64, 0xfe = pointer, 0 = unknown */
	uint8_t bits_ilp32[6];
	uint32_t introduced; /* (major << 16) | minor, 0 = unknown */
	int16_t mux_call;    /* socketcall/ipc call number, -1 = none */
	uint8_t mux_kind;    /* 0 none, 1 socketcall, 2 ipc */
};
/* All syscall names, sorted by strcmp. */
extern const struct cf_sysinfo cf_sysinfo[];
extern const size_t cf_nsysinfo;
/* Per syscall table: the number (offset applied) of each cf_sysinfo name,
 * -1 where absent; and the table's largest number. */
extern const int32_t *const cf_table_nrs[];
extern const uint32_t cf_table_max[];
extern const int cf_ntables;
/* Index into cf_sysinfo, or -1. A perfect hash (generated with the
 * tables): FNV-1a of the name picks a bucket, the bucket's displacement
 * picks the one slot the name can be in. */
int cf_sys_index(const char *name);
#define CF_SYS_HASH_BUCKETS 256
#define CF_SYS_HASH_SLOTS 1024
extern const uint16_t cf_sys_hash_disp[CF_SYS_HASH_BUCKETS];
extern const int16_t cf_sys_hash_slot[CF_SYS_HASH_SLOTS];
/* Number on arch (offset applied) of cf_sysinfo[idx], or -1 if absent. */
int64_t cf_sys_nr(int arch, int idx);
/* Largest number (offset applied) of the arch's table. */
uint32_t cf_arch_max_nr(int arch);
/* Calls fn for every (name index, nr) of the arch, in number order. */
void cf_arch_foreach(int arch, void (*fn)(void *ctx, int idx, uint32_t nr),
		     void *ctx);
/* Argument width in bits on arch (16/32/64, pointers as the ABI's pointer
 * width), 0 if unknown. */
unsigned cf_sys_arg_bits(int arch, int idx, unsigned arg);

/* ---- target.c ---------------------------------------------------------- */

uint32_t cf_kernel_running(void); /* (major << 16) | minor, 0 if unknown */

/* ---- resolve.c: AST + target -> ruleset -------------------------------- */

struct cf_cond {
	uint8_t arg;	 /* 0..5 */
	uint8_t op;	 /* enum cf_op */
	uint64_t datum;	 /* value; the mask for MASKED_EQ */
	uint64_t datum2; /* valueTwo for MASKED_EQ */
	/* --harden (cf_ir_harden): on a 64-bit-compare ABI, compare only the
	 * low 32 bits of argument, datum and mask, as on a 32-bit ABI (last:
	 * positional initializers leave it 0) */
	uint8_t low32;
};

struct cf_rule {
	int sys; /* cf_sysinfo index, -1 if unknown name */
	uint32_t action;
	const char *name;
	/* shared by the rules of one profile rule (filter's memory) */
	const struct cf_cond *conds;
	uint32_t src_name; /* index into src->names */
	uint8_t nconds;
	bool split;	      /* came from a same-index split */
	bool same_as_default; /* dropped from the filter (runc skips it) but
			       * still counts for the ENOSYS threshold */
	struct cf_pos pos;    /* of the name in the profile (filter's memory) */
	/* the profile's rule: valid only while the profile lives (resolve,
	 * check); a compiled filter does not keep the profile */
	const struct cf_p_syscall *src;
};

struct cf_ruleset {
	uint32_t default_action;
	int native;
	int arches[32]; /* ABI indexes, native first, no duplicates */
	size_t narches;
	struct cf_rule *rules; /* in profile order */
	size_t nrules;
	unsigned flags;
	bool unconfined;
	enum cf_enosys enosys;
	/* with NOTIFY rules: the profile's listenerPath, listenerMetadata */
	const char *listener_path, *listener_metadata;
};

/* Resolves p for t into arena memory. Warnings go to t->diag. */
int cf_resolve(struct cf_arena *a, const struct cf_profile *p,
	       const struct cf_target *t, struct cf_ruleset *out,
	       struct cf_error *err);

/* ---- ir_build.c: ruleset -> per-ABI decision tables -------------------- */

/* One argument predicate chain: all conds true -> action. Conditions are
 * stored as written; the ABI's comparison width is applied by readers
 * (cf_ir_cond_match) and by code generation. */
struct cf_ir_chain {
	struct cf_cond conds[6];
	uint8_t nconds;
	uint32_t action;
	const struct cf_rule *rule;
};

/* A syscall with its own decision: chains in order (first match wins),
 * then fallback. */
struct cf_ir_sys {
	uint32_t nr; /* as the kernel sees it */
	int sys;     /* cf_sysinfo index, -1 = synthetic */
	struct cf_ir_chain *chains;
	size_t nchains;
	uint32_t fallback;		     /* action when no chain matches */
	const struct cf_rule *fallback_rule; /* NULL = the default action */
};

struct cf_ir_abi {
	int arch;	       /* cf_arches index */
	struct cf_ir_sys *sys; /* sorted by nr, unique */
	size_t nsys;
	bool enosys; /* nr > enosys_above -> ERRNO(ENOSYS) */
	uint32_t enosys_above;
};

struct cf_ir {
	uint32_t default_action;
	struct cf_ir_abi abis[32]; /* native first */
	size_t nabis;
	unsigned flags;
};

int cf_ir_build(struct cf_arena *a, const struct cf_ruleset *rs,
		struct cf_ir *out, struct cf_error *err);

/* --harden: every condition on an argument the kernel reads as 32 bits
 * or fewer (cf_sys_arg_bits 16/32) on a 64-bit-compare ABI gets low32
 * set. A datum (or MASKED_EQ mask/value) whose upper half is neither 0
 * nor the sign extension of its low half is warned about
 * (harden-upper-bits) through fn: only its low 32 bits count. */
void cf_ir_harden(struct cf_ir *ir, const char *file, cf_diag_fn fn, void *ctx);
/* Does c compare all 64 bits on ar (else only the low 32)? */
static inline bool cf_cond_wide(const struct cf_arch *ar,
				const struct cf_cond *c)
{
	return ar->cmp_bits == 64 && !c->low32;
}

/* Direct evaluation of the IR (the reference for code generation).
 * chain and sys (may be NULL) receive what decided. */
uint32_t cf_ir_eval(const struct cf_ir *ir, const struct seccomp_data *d,
		    const struct cf_ir_sys **sys,
		    const struct cf_ir_chain **chain);
/* abi's entry for number nr (binary search), or NULL. */
const struct cf_ir_sys *cf_ir_find_sys(const struct cf_ir_abi *abi,
				       uint32_t nr);
/* Does the condition hold for a 64-bit argument on this arch? */
bool cf_ir_cond_match(const struct cf_arch *arch, const struct cf_cond *c,
		      uint64_t argval);

/* ---- bpf_gen.c: IR -> program ------------------------------------------ */

struct cf_prog {
	struct sock_filter *insns; /* arena memory */
	size_t len;
	/* cf_gen_opts.label: the part of each instruction (arena memory),
	 * else NULL */
	struct cf_insn_part *parts;
};

/* Emits a program for ir into arena memory. Does not verify (the caller
 * runs cf_bpf_verify). */
int cf_bpf_gen(struct cf_arena *a, const struct cf_ir *ir, struct cf_prog *out,
	       struct cf_error *err);

/* Code generation choices. plain: a balanced search by count, chains as
 * written, nothing folded or shared -- the simple form the optimized
 * programs are tested against (tests/test_opt.c). */
struct cf_gen_opts {
	bool plain;
	bool label; /* fill cf_prog.parts (the program is the same) */
};
int cf_bpf_gen_opts(struct cf_arena *a, const struct cf_ir *ir,
		    const struct cf_gen_opts *o, struct cf_prog *out,
		    struct cf_error *err);

/* sys_weights.c: relative call frequencies by name (bench/mix.tsv) for
 * the weighted search. */
struct cf_sys_weight {
	const char *name;
	uint32_t weight;
};
extern const struct cf_sys_weight cf_sys_weights[];
extern const size_t cf_nsys_weights;

/* ---- compile.c --------------------------------------------------------- */

struct cf_filter {
	struct cf_arena arena;
	struct cf_ruleset rules;
	struct cf_ir ir;
	struct cf_prog prog;
	bool unconfined;
	unsigned flags;
};

/* ---- reach.c: which calls reach an argument rule ----------------------- */

#define CF_VALS_MAX 512
/* Values of one argument; exact: they tell every condition apart. */
struct cf_vals {
	uint64_t v[CF_VALS_MAX];
	size_t n;
	bool exact;
};
void cf_vals_add(struct cf_vals *c, uint64_t v);
/* Adds the points {d, d + 1} of ch's conditions on arg (MASKED_EQ: a
 * sample, exact = false); with only, those on which only holds. */
void cf_vals_points(struct cf_vals *c, const struct cf_arch *ar,
		    const struct cf_ir_chain *ch, unsigned arg,
		    const struct cf_ir_chain *only);
/* Do ch's conditions on arg hold for v? */
bool cf_chain_holds_on(const struct cf_arch *ar, const struct cf_ir_chain *c,
		       unsigned arg, uint64_t v);

/* The bit walk's scratch (about 150 KiB): cf_walk_new, cf_walk_free. */
struct cf_walk;
struct cf_walk *cf_walk_new(void); /* NULL on OOM: the points alone */
void cf_walk_free(struct cf_walk *w);
/* The walk's values of arg over all of s's conditions on it (64-bit ABI);
 * pair: also telling apart the value with its upper half cleared. False
 * where there is no MASKED_EQ (the points are exact then) or the walk
 * gives up (more than 512 combinations, 64 conditions, or *work). */
bool cf_walk_sys(struct cf_walk *w, const struct cf_ir_sys *s, unsigned arg,
		 bool pair, struct cf_vals *out, size_t *work);

enum cf_reach {
	CF_REACHED,	 /* some call reaches the chain */
	CF_SHADOWED,	 /* its calls are all decided by earlier chains */
	CF_NEVER_HOLDS,	 /* no call satisfies it */
	CF_REACH_UNKNOWN /* not proven either way (budget, sample) */
};
/* --harden: s's conditions on arg compare the low word only. */
bool cf_low32_arg(const struct cf_ir_sys *s, unsigned arg);
/* Does some call on which also (may be NULL) holds reach s->chains[j]?
 * w may be NULL (the points alone); work: the budget left. */
enum cf_reach cf_chain_reach(const struct cf_arch *ar,
			     const struct cf_ir_sys *s, size_t j,
			     const struct cf_ir_chain *also, struct cf_walk *w,
			     size_t *work);

/* ---- check.c ----------------------------------------------------------- */

/* What every command reports about a compiled filter's rules: rules that
 * never apply (shadowed-rule) and overlapping argument rules. No-op when
 * fn is NULL. p: the profile f was compiled from. */
void cf_lint_rules(const struct cf_profile *p, const struct cf_filter *f,
		   cf_diag_fn fn, void *ctx);

/* ---- algebra.c --------------------------------------------------------- */

/* <0, 0, >0 as a is stricter than, as permissive as, more permissive than
 * b (the action only, not its data). */
int cf_action_rank_cmp(uint32_t a, uint32_t b);
/* Does the call d belong to the i-th class of o? (tests) */
bool cf_diffs_match(const struct cf_diffs *o, size_t i,
		    const struct seccomp_data *d);

/* ---- cgroup.c: the pids cgroup of `run` -------------------------------- */

/* dir: callfence.<pid>.<rand> with pids.max = limit ("" = none); inner:
 * dir/cmd, the command's cgroup, no limit of its own; procs_fd: inner's
 * cgroup.procs (O_WRONLY|O_CLOEXEC, -1 = none); scratch: CF_CGROUP_SCRATCH
 * bytes for cf_cgroup_seal. */
struct cf_cgroup {
	char dir[4096];
	char inner[4200];
	int procs_fd;
	bool v2;
	char *scratch;
};
#define CF_CGROUP_SCRATCH (512 * 1024)
/* From the text of /proc/self/mountinfo and /proc/self/cgroup: the pids
 * hierarchy directory of this process on v1 (v1, "" if none) and its v2
 * directory (v2, "" if none). */
void cf_cgroup_locate(const char *mountinfo, const char *self_cgroup, char *v1,
		      char *v2, size_t size);
/* Makes <pids dir>/callfence.<pid>.<random> (mkdir's EEXIST draws again:
 * no shared counter, no two runs share one) with pids.max = limit, and the
 * command's cgroup "cmd" inside it (v2 if it offers pids, else v1): the
 * limit sits above any cgroup namespace the command can create. Undo with
 * cf_cgroup_destroy. Thread-safe. */
int cf_cgroup_create(struct cf_cgroup *cg, int64_t limit, struct cf_error *err);
/* In the child: moves the calling process in. Async-signal-safe. */
int cf_cgroup_join(const struct cf_cgroup *cg);
/* In the child, after joining: a private mount namespace (MS_PRIVATE,
 * recursively) in which every cgroup and cgroup2 mount is read-only, so a
 * command without CAP_SYS_ADMIN can neither leave the cgroup nor raise a
 * limit. Parses /proc/self/mountinfo of the new namespace into cg->scratch
 * (no allocation). Returns 0 or a negative errno; *what names the step
 * (a mount point in cg->scratch, or a fixed string). */
int cf_cgroup_seal(const struct cf_cgroup *cg, const char **what);
/* Kills what is left in it, removes it. Warns through fn on failure. */
void cf_cgroup_destroy(struct cf_cgroup *cg, cf_diag_fn fn, void *ctx);

#endif
