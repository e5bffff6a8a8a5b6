/* SPDX-License-Identifier: Apache-2.0 */
/*
 * callfence.h - the one public header of libcallfence.
 *
 * Docker/OCI seccomp profiles -> resolved rules -> verified classic BPF.
 *
 * Conventions (docs/errors.md):
 * - fallible functions return 0 (or a count) on success and a negative errno
 *   on failure, and fill the caller-owned struct cf_error only on failure;
 * - the library never prints, never exits and keeps no mutable globals;
 *   warnings reach the caller through a cf_diag_fn callback;
 * - "caller frees with X" is stated on every function that hands out memory.
 *
 * Contract (what every declaration below relies on):
 * - Errors: each fallible function lists the codes it returns ("Errors:");
 *   -ENOMEM may come from any function that allocates, and a code named
 *   as "errno" is the failed system call's. The err argument may be NULL;
 *   a failure overwrites all of it, a success leaves it as it was.
 * - Borrowed pointers: a pointer argument is read during the call only,
 *   unless its description says it is kept. A returned const pointer is
 *   "static storage" (valid for the life of the process) or "memory of X"
 *   (valid until X is freed). A compiled filter keeps nothing of its
 *   profile or target: both may be freed right after cf_compile.
 * - Callbacks (cf_diag_fn, complain) run on the calling thread, during the
 *   call that was given them; the struct cf_diag (or seccomp_notif) and
 *   its strings are valid during the callback only.
 *
 * Threads, per family:
 * - errors, ABIs, syscall names, capabilities, targets, cf_kernel_parse,
 *   the BPF tools (verify, run, cache, write, read, disasm to a FILE that
 *   is not shared unlocked): pure functions of their arguments, callable
 *   from any number of threads at once;
 * - profiles and filters (parse, load, builtin, compile, check, decide,
 *   program): any number of threads on distinct objects, and on one object
 *   as long as every thread only reads it (compile, check, decide all
 *   read); freeing it while another thread uses it is not safe; diag
 *   callbacks run on the calling thread;
 * - cf_install: acts on every thread of the process (TSYNC): one call at
 *   a time;
 * - cf_run: any number of threads at once (each run has its own cgroup,
 *   pipe and report page and waits with waitpid on its own pid); it
 *   changes no signal disposition or mask unless forward_signals is set,
 *   which is for a single-threaded program that stands in for the command
 *   (the CLI). Not safe alongside: another thread that reaps any child
 *   (wait(), waitpid(-1)) can take the command's status; a SIGCHLD that
 *   is ignored makes cf_run refuse; another thread's fork() between our
 *   pipe2 and execve holds the exec-status pipe open until that child
 *   execs or exits; cf_run_caps and cf_run_exit_code are pure,
 *   cf_run_invoker_caps reads the calling thread's capabilities.
 */
#ifndef CALLFENCE_H
#define CALLFENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every function declared between this push and the pop at the end of the
 * header is the library's public API: the library is built with
 * -fvisibility=hidden, so only these are exported (docs/abi.md). */
#pragma GCC visibility push(default)

/* ---- version (docs/abi.md) --------------------------------------------- */

/* The version of this header. While MAJOR is 0, a MINOR release may change
 * the ABI; a PATCH release never does. */
#define CF_VERSION_MAJOR 0
#define CF_VERSION_MINOR 1
#define CF_VERSION_PATCH 0
#define CF_VERSION_NUM(major, minor, patch)                                    \
	(((major) << 16) | ((minor) << 8) | (patch))
#define CF_VERSION                                                             \
	CF_VERSION_NUM(CF_VERSION_MAJOR, CF_VERSION_MINOR, CF_VERSION_PATCH)

/* The version of the library actually loaded, "MAJOR.MINOR.PATCH" (static
 * storage); *num (may be NULL) receives it as CF_VERSION_NUM does. Pure. */
const char *cf_version(unsigned *num);

/* ---- errors and diagnostics ------------------------------------------- */

/* Caller-allocated, fixed size for the life of SOVERSION 0: its buffers
 * are the room for anything later versions report (docs/abi.md). */
struct cf_error {
	int code;	   /* negative errno: -EINVAL bad input, -ENOENT, ... */
	uint32_t line;	   /* 1-based; 0 = unknown */
	uint32_t col;	   /* 1-based; 0 = unknown */
	char file[256];	   /* "" = no file */
	char pointer[256]; /* JSON pointer of the offending value, "" = none */
	char msg[512];	   /* the failure first, then a hint */
};

/* The "did you mean" hint, one phrasing: " (did you mean 'X'?)" with the
 * closest candidate (or the only one s abbreviates), or "" when none is close;
 * written into buf, returns buf. */
const char *cf_did_you_mean(const char *s, const char *const *cands, size_t n,
			    char *buf, size_t size);

/* Formats "file:line:col: pointer: msg" into buf (truncated to size);
 * returns buf. */
const char *cf_error_str(const struct cf_error *err, char *buf, size_t size);

/* A note states a documented property of the format (names absent on an
 * ABI, argument rules socketcall bypasses, ...); a warning a decision a
 * reader would not expect (a shadowed rule, a name that never matches, a
 * bypass). docs/errors.md lists every id with its class. */
enum cf_diag_class { CF_DIAG_WARNING = 0, CF_DIAG_NOTE = 1 };

/* Handed by pointer to a callback, only ever read: later versions may
 * append members (docs/abi.md). */
struct cf_diag {
	const char *id;	     /* stable short id, e.g. "unknown-syscall" */
	const char *file;    /* may be NULL */
	const char *pointer; /* JSON pointer, may be NULL */
	uint32_t line, col;  /* 0 = unknown */
	const char *msg;
	enum cf_diag_class cls; /* cf_diag_class(id) */
};
typedef void (*cf_diag_fn)(void *ctx, const struct cf_diag *d);

/* The class of an id (an id the library does not know: warning). The
 * names these three return are static storage. */
enum cf_diag_class cf_diag_class(const char *id);
const char *cf_diag_class_name(enum cf_diag_class cls); /* "note" */
/* The i-th id the library can report (i from 0), NULL past the last. */
const char *cf_diag_id(size_t i);

/* ---- input ------------------------------------------------------------ */

/* The largest input callfence reads (a profile, a raw program). */
#define CF_INPUT_MAX (64U << 20)
/* How long a FIFO is waited for a writer before it is an error (ms). */
#define CF_FIFO_WAIT_MS 3000

/* Reads all of fd, a regular file, pipe, FIFO, terminal or device, into a
 * malloc'd buffer (NUL after the last byte): -EFBIG past CF_INPUT_MAX,
 * -ETIMEDOUT for a FIFO that no writer opened within CF_FIFO_WAIT_MS,
 * -EISDIR, -ENOMEM, or read(2)'s errno. name names the source in errors.
 * fd stays open. Caller frees *buf with free(). Any thread (one reader
 * per fd). */
int cf_read_fd(int fd, const char *name, char **buf, size_t *len,
	       struct cf_error *err);
/* Opens path (without blocking on a FIFO: see cf_read_fd) and reads it as
 * cf_read_fd does; -ENOENT and open(2)'s other errnos. Caller frees *buf
 * with free(). */
int cf_read_path(const char *path, char **buf, size_t *len,
		 struct cf_error *err);

/* ---- ABIs (one per OCI SCMP_ARCH_* token) ------------------------------ */

/* ABIs, syscall names and capabilities: pure functions of the generated
 * tables, any thread; every string returned is static storage; an ABI
 * index out of range gives NULL, 0, false or -1. */

int cf_abi_count(void);
/* OCI token or libseccomp name, case-insensitive; "i386", "arm64",
 * "amd64" accepted as aliases. Returns the ABI index or -1. */
int cf_abi_lookup(const char *name);
const char *cf_abi_name(int abi); /* libseccomp name: "x86_64" */
const char *cf_abi_oci(int abi);  /* "SCMP_ARCH_X86_64" */
const char *cf_abi_go(int abi);	  /* "amd64", or NULL */
uint32_t cf_abi_audit_arch(int abi);
bool cf_abi_supported(int abi); /* has a syscall table */
/* seccomp_data of this ABI holds 64-bit arguments big-endian (the high
 * word at the lower offset). */
bool cf_abi_big_endian(int abi);
int cf_abi_host(void); /* the ABI this library was built for */

/* Syscall number as the kernel sees it on abi (offsets applied), or -1. */
int64_t cf_syscall_number(int abi, const char *name);
/* Name of nr on abi, or NULL. */
const char *cf_syscall_name(int abi, uint32_t nr);
/* Every syscall of abi's table, in name order: start with *pos = 0 and
 * call again while it returns a name (static storage); *nr (may be NULL)
 * gets its number. NULL at the end, or for an ABI without a table. */
const char *cf_syscall_next(int abi, size_t *pos, uint32_t *nr);
/* The Linux release the syscall tables were generated from ("7.1.3"). */
const char *cf_syscall_table_linux(void);

/* ---- capabilities ------------------------------------------------------ */

#define CF_CAP_MAX 63
/* "CAP_CHOWN" or "chown", case-insensitive; -1 if unknown. */
int cf_cap_lookup(const char *name);
const char *cf_cap_name(int cap); /* "CAP_CHOWN", or NULL */
uint64_t cf_caps_docker_default(void);
/* Every capability up to the running kernel's cap_last_cap. */
uint64_t cf_caps_all(void);
/* default|all|none|default+CAP_X[+..]|default-CAP_X[-..]|CAP_A,CAP_B ("" =
 * none). Errors: -EINVAL (an unknown name or a bad form, with a hint). */
int cf_caps_parse(const char *spec, uint64_t *caps, struct cf_error *err);

/* ---- target: what a profile is resolved against ------------------------ */

/* Structs the caller fills (cf_target, cf_run_opts, cf_record_opts) end
 * in uint64_t reserved[CF_RESERVED_IN]; structs the library fills and a
 * later version may extend (cf_decision) in reserved[CF_RESERVED_OUT],
 * which the library zeroes. docs/abi.md. */
#define CF_RESERVED_IN 8
#define CF_RESERVED_OUT 4

enum cf_enosys {
	CF_ENOSYS_RUNC =
	    0,		/* runc's stub: numbers above the profile's largest */
	CF_ENOSYS_NONE, /* no special case (crun) */
};

struct cf_target {
	int native;	 /* ABI index */
	uint64_t caps;	 /* capability (bounding) set */
	uint32_t kernel; /* (major << 16) | minor */
	enum cf_enosys enosys;
	bool strict;	 /* warnings about names become errors */
	bool harden;	 /* decisions on C int arguments use only their
			  * low 32 bits, as the kernel reads them */
	cf_diag_fn diag; /* may be NULL */
	void *diag_ctx;
	/* For fields of later minor versions (docs/abi.md): must be zero
	 * (initialize with = {0} or cf_target_default); any other value is
	 * refused with -EINVAL by every function that takes the struct. */
	uint64_t reserved[CF_RESERVED_IN];
};

/* Zeroes *t (reserved included), then host ABI, Docker's default caps, the
 * running kernel, runc ENOSYS. Errors: -ENOTSUP (the host's ABI has no
 * syscall table; *t is filled all the same). Any thread. A target is
 * borrowed by the functions it is given to: read during the call only. */
int cf_target_default(struct cf_target *t, struct cf_error *err);
/* "6.18" or "4.8.0" -> (major << 16) | minor. Errors: -EINVAL. Pure. */
int cf_kernel_parse(const char *s, uint32_t *out, struct cf_error *err);

/* ---- profiles ---------------------------------------------------------- */

/* A parsed profile is immutable: any number of threads may read one
 * (compile, check) at once; distinct profiles are independent. */
struct cf_profile;

/* Parses a Docker/OCI profile (or a whole OCI config.json). file names the
 * source in errors and may be NULL. Caller frees with cf_profile_free.
 * The format is decided from unambiguous evidence (docs/semantics.md): a
 * top-level seccomp key makes a profile; 'ociVersion' with a 'linux' or
 * 'process' object and no seccomp key makes a config.json, whose profile
 * is linux.seccomp. Anything else, a config.json without linux.seccomp,
 * and any profile that would mean "no filter" other than one written as
 * an object with no members ({}) is -EINVAL. Errors: -EINVAL (bad JSON or
 * a bad profile: err has file, pointer, line:col and a hint), -ENOMEM.
 * buf and file are read during the call only (the profile copies what it
 * keeps). */
int cf_profile_parse(const char *buf, size_t len, const char *file,
		     struct cf_profile **out, struct cf_error *err);
/* cf_read_path + cf_profile_parse: a file, FIFO, pipe or /dev/fd/N.
 * Errors: those of both. */
int cf_profile_load(const char *path, struct cf_profile **out,
		    struct cf_error *err);
/* cf_read_fd + cf_profile_parse (e.g. fd 0 for standard input); name names
 * the source in errors. fd stays open. Errors: those of both. */
int cf_profile_load_fd(int fd, const char *name, struct cf_profile **out,
		       struct cf_error *err);
/* The built-in default profile. Caller frees with cf_profile_free.
 * Errors: -ENOMEM. */
int cf_profile_builtin(struct cf_profile **out, struct cf_error *err);
/* JSON text of the built-in profile (static storage). */
const char *cf_profile_builtin_json(size_t *len);
/* Where the built-in profile comes from, one line (static storage). */
const char *cf_profile_builtin_origin(void);
/* true when the profile means "no filter": it was written as {} (also as
 * linux.seccomp of a config.json); anything else that would mean no filter
 * is refused by the parser. */
bool cf_profile_unconfined(const struct cf_profile *p);
/* NULL is a no-op. Not while another thread uses p. */
void cf_profile_free(struct cf_profile *p);
/* The audit variant of the profile in buf (read as cf_profile_parse reads
 * it; a config.json's linux.seccomp): every denying action (SCMP_ACT_ERRNO,
 * SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS,
 * SCMP_ACT_TRAP) of defaultAction and of the rules becomes SCMP_ACT_LOG
 * without its errno (defaultErrnoRet, errnoRet); the rest is written back
 * as it was. *json (malloc'd, NUL-terminated, *jlen bytes) reads back as
 * a profile. Errors as cf_profile_parse's; -ENOMEM. */
int cf_profile_audit(const char *buf, size_t len, const char *file, char **json,
		     size_t *jlen, struct cf_error *err);

/* ---- compilation ------------------------------------------------------- */

/* A compiled filter is immutable and owns all it reports: any number of
 * threads may read one (program, decide, parts, complain, algebra) at
 * once; distinct filters are independent. */
struct cf_filter;

/* Resolves p against t and compiles it. The program has passed
 * cf_bpf_verify. Caller frees with cf_filter_free. p and t are read
 * during the call only: the filter stands alone (free p when you like);
 * t->diag is called during the call only. Errors: -EINVAL (t's reserved
 * words, an unknown native ABI, a profile runc refuses, --strict names),
 * -ENOTSUP (the native ABI has no syscall table; SCMP_ACT_NOTIFY),
 * -E2BIG (too many architectures; a program above CF_BPF_MAXINSNS),
 * -ENOMEM. */
int cf_compile(const struct cf_profile *p, const struct cf_target *t,
	       struct cf_filter **out, struct cf_error *err);
/* NULL is a no-op. Not while another thread uses f. */
void cf_filter_free(struct cf_filter *f);
/* No program: the profile means unconfined. */
bool cf_filter_unconfined(const struct cf_filter *f);
/* The program (memory of f; NULL with *len 0 when unconfined). */
const struct sock_filter *cf_filter_program(const struct cf_filter *f,
					    size_t *len);
/* SECCOMP_FILTER_FLAG_* to install with (TSYNC always included;
 * NEW_LISTENER when SCMP_ACT_NOTIFY rules apply). */
unsigned cf_filter_flags(const struct cf_filter *f);
/* The seccomp agent's socket (the profile's listenerPath) when
 * SCMP_ACT_NOTIFY rules apply to the target, else NULL; *metadata (may be
 * NULL) gets listenerMetadata, NULL when absent or "". Memory of f. */
const char *cf_filter_listener(const struct cf_filter *f,
			       const char **metadata);

struct cf_decision {
	uint32_t action; /* SECCOMP_RET_* value */
	const char
	    *pointer; /* JSON pointer of the deciding rule, NULL = default */
	uint32_t line, col;
	const char *why; /* "default action", "foreign ABI", ... */
	uint64_t reserved[CF_RESERVED_OUT]; /* zeroed (docs/abi.md) */
};
/* Decides d by the compiler's IR (not the BPF program). Returns 0 (it
 * cannot fail); out->pointer is memory of f (valid until cf_filter_free,
 * also after the profile is freed), out->why static storage. */
int cf_filter_decide(const struct cf_filter *f, const struct seccomp_data *d,
		     struct cf_decision *out);
/* Complain mode (docs/diagnose.md): f's program with every return that is
 * not ALLOW or LOG -- a rule's, the default action's, runc's ENOSYS stub,
 * the kill of an unlisted ABI -- turned into SECCOMP_RET_USER_NOTIF; the
 * ALLOW and LOG returns are f's own, so the kernel's action cache keeps
 * every number it keeps for f. What f would have answered a notified call
 * is cf_filter_decide(f, ...). Caller frees *prog with free(). -EINVAL
 * for an unconfined filter, -ENOMEM. */
int cf_filter_complain(const struct cf_filter *f, struct sock_filter **prog,
		       size_t *len, struct cf_error *err);

/* Which part of the program an instruction belongs to (compile --stats). */
enum cf_part {
	CF_PART_ARCH,	/* the audit-arch dispatch (and its kill) */
	CF_PART_SEARCH, /* loading nr, the search over syscall numbers */
	CF_PART_ARGS,	/* a syscall's argument code */
	CF_PART_RETURN, /* a return (of the pool, or of a syscall's code) */
};
struct cf_insn_part {
	enum cf_part part;
	int abi;    /* ABI index; -1: shared by all (dispatch, pool returns).
		     * A search serves every ABI of its audit arch (x86_64's
		     * serves x32's numbers too): the first of them */
	int64_t nr; /* the syscall whose code it is (ARGS, and RETURN inside
		     * it), as numbered on abi; -1 otherwise */
};
/* The part of every instruction of f's program: out has room for the
 * program's length (cf_filter_program). The generator labels what it
 * emits. Errors: -EINVAL (f is unconfined), -ENOMEM. */
int cf_filter_parts(const struct cf_filter *f, struct cf_insn_part *out,
		    struct cf_error *err);
/* What each instruction of f's program is for (callfence disasm
 * --annotate, docs/cli.md): one line per instruction, in program order,
 * each ended by '\n', without the instruction itself -- the dispatch's
 * ABI, the range of numbers a search instruction sees, the ABI and
 * syscall(s) whose code it is, the argument word a compare reads and the
 * rules (JSON pointers, actions) whose conditions it tests, who reaches a
 * return. Derived from the program, cf_filter_parts and the resolved
 * rules. Caller frees *text with free() (NUL-terminated, *len bytes).
 * Errors: -EINVAL (f is unconfined), -ENOMEM. */
int cf_filter_annotate(const struct cf_filter *f, char **text, size_t *len,
		       struct cf_error *err);

/* ---- check ------------------------------------------------------------- */

/* Resolves and compiles p against t, reporting every note and warning
 * through fn (docs/errors.md; fn may be NULL: count only). Returns the
 * number of warnings (notes not counted), or a negative errno on error. Rules
 * that never apply (shadowed-rule) and int arguments a caller can widen past
 * the filter (int-arg-bypass) are searched exhaustively, for every operator, up
 * to a bound on the conditions per argument; past it the search samples and
 * reports only what it proves (silence is possible, a false warning not).
 * Errors: those of cf_compile. p and t are read during the call only; fn
 * is called during it. */
int cf_check(const struct cf_profile *p, const struct cf_target *t,
	     cf_diag_fn fn, void *ctx, struct cf_error *err);

/* ---- profile algebra (lib/algebra.c, docs/cli.md) --------------------- */

/* The algebra reads its filters (any thread, any number at once) and
 * keeps none of them: results own their memory.
 *
 * Exact, on compiled filters: every call (arch, number, arguments) is
 * decided as cf_filter_decide would, runc's ENOSYS stub and the kill of a
 * foreign arch included; nothing is sampled. Decisions are ordered as the
 * kernel orders them: KILL_PROCESS < KILL_THREAD < TRAP < ERRNO <
 * USER_NOTIF < TRACE < LOG < ALLOW. Errors of all three: -E2BIG (a syscall
 * with more argument classes than the algebra enumerates, docs/errors.md),
 * -EINVAL (a NULL filter; cf_merge: no input, or one compiled for
 * another native ABI than t's), -ENOMEM. */

/* A Docker-format profile (malloc'd JSON, caller frees *json with free())
 * that, compiled for t, gives every call the most permissive decision of
 * in[0..n) (ties: the first input's errno); all inputs compiled for t.
 * The result is compiled and checked against the inputs before it is
 * returned: -ENOTSUP with the reason and a call that shows it when the
 * union cannot be written exactly (one condition per argument per rule,
 * rules by name for every ABI at once, the ENOSYS stub a profile's names
 * imply). An unconfined input gives "{}". Errors: also -ENOTSUP (not
 * exactly writable: the reason in err), -EPROTO (the written profile did
 * not compile back to the union: a bug, reported rather than returned). */
int cf_merge(const struct cf_filter *const *in, size_t n,
	     const struct cf_target *t, char **json, size_t *len,
	     struct cf_error *err);

/* 1 when every call's decision under p is base's or of a lower rank
 * (the same rank with another errno does not hold); 0 when not, with
 * *example (may be NULL) a call that shows it and actions[0], actions[1]
 * (may be NULL) base's and p's decisions of it; a negative errno. */
int cf_subset(const struct cf_filter *base, const struct cf_filter *p,
	      struct seccomp_data *example, uint32_t actions[2],
	      struct cf_error *err);

/* The calls a and b decide differently, as classes: one arch, a range of
 * numbers, one class of arguments each. Caller frees with cf_diffs_free.
 * An item and its strings are memory of the cf_diffs (not of a or b). */
struct cf_diffs;
struct cf_diff_item {
	int abi;	       /* ABI index of the call, -1 if none */
	uint32_t arch;	       /* audit arch */
	uint32_t nr_lo, nr_hi; /* numbers, inclusive */
	const char *name;      /* when nr_lo == nr_hi names a syscall */
	const char *args;      /* "" = any, else "a0 == 1, a1 in [2, 0xff]" */
	struct seccomp_data example; /* a call of the class */
	uint32_t action_a, action_b;
};
int cf_diff(const struct cf_filter *a, const struct cf_filter *b,
	    struct cf_diffs **out, struct cf_error *err);
size_t cf_diffs_count(const struct cf_diffs *d);
/* The i-th class (memory of d), NULL past the last. */
const struct cf_diff_item *cf_diffs_item(const struct cf_diffs *d, size_t i);
void cf_diffs_free(struct cf_diffs *d);

/* ---- actions ----------------------------------------------------------- */

/* "SCMP_ACT_ERRNO(1)", "SCMP_ACT_ALLOW", ... into buf; returns buf. Pure. */
const char *cf_action_str(uint32_t action, char *buf, size_t size);

/* ---- BPF tools --------------------------------------------------------- */

#define CF_BPF_MAXINSNS 4096

/* The BPF tools read insns during the call only and keep nothing: pure,
 * any thread (a FILE is the caller's to lock). */

/* The kernel's rules for seccomp programs (opcodes, jumps, returns, size,
 * loads within struct seccomp_data, scratch memory written before read).
 * Errors: -EINVAL (the first rule broken, its instruction in err). */
int cf_bpf_verify(const struct sock_filter *insns, size_t len,
		  struct cf_error *err);
/* Runs a verified program; *executed (may be NULL) counts instructions.
 * d is read as the kernel hands it to a filter: see
 * cf_seccomp_data_as_kernel. */
uint32_t cf_bpf_run(const struct sock_filter *insns, size_t len,
		    const struct seccomp_data *d, unsigned *executed);
/* One BPF_ALU instruction of cf_bpf_run, for tools that walk programs
 * their own way: *a op= v, op the instruction's BPF_OP (BPF_NEG ignores
 * v), with the kernel's arithmetic (a shift uses the low five bits of v).
 * false: the program ends there returning 0 (division or modulo by 0),
 * or op is no ALU operation. */
bool cf_bpf_alu(uint16_t op, uint32_t *a, uint32_t v);
/* The data a kernel of in->arch's byte order hands a filter for the call
 * in describes (argument values as numbers), as this host reads 32-bit
 * words: where the ABI's byte order is not the host's (a big-endian ABI
 * on x86_64), the two halves of every argument change places. An unknown
 * arch is taken as the host's order. */
void cf_seccomp_data_as_kernel(const struct seccomp_data *in,
			       struct seccomp_data *out);
/* Human-readable listing. Errors: -EIO (writing out failed). */
int cf_bpf_disasm(const struct sock_filter *insns, size_t len, FILE *out);

/* The kernel's per-syscall action cache (Linux >= 5.11), emulated: when
 * a filter is attached the kernel runs it for every number of its native
 * and compat ABI with only nr and arch known (seccomp_is_const_allow:
 * loads of nr and arch, JA, JEQ/JGE/JGT/JSET and AND with constants, RET
 * of a constant; anything else stops it); a number that reaches exactly
 * RET SECCOMP_RET_ALLOW is afterwards allowed without running the filter.
 * cf_bpf_cacheable answers for one (arch, nr). */
bool cf_bpf_cacheable(const struct sock_filter *insns, size_t len,
		      uint32_t arch, uint32_t nr);
/* Clears bitmap (nbits bits, caller-owned) and sets bit i when number
 * first + i is cacheable on arch; returns how many are. */
size_t cf_bpf_cache_map(const struct sock_filter *insns, size_t len,
			uint32_t arch, uint32_t first, uint8_t *bitmap,
			size_t nbits);
/* Does a kernel whose native ABI is native keep a cache for abi? (Its
 * native ABI and its compat one: x86 on x86_64, arm on aarch64, ...; never
 * x32.) */
bool cf_abi_kernel_caches(int native, int abi);

enum cf_bpf_format { CF_BPF_RAW, CF_BPF_C, CF_BPF_HEX };
/* Errors: -EINVAL (an unknown format), -EIO (writing out failed). */
int cf_bpf_write(const struct sock_filter *insns, size_t len,
		 enum cf_bpf_format fmt, FILE *out, struct cf_error *err);
/* Reads a raw program (the struct sock_filter array as the kernel takes
 * it). Caller frees *out with free(). Errors: -EINVAL (a length that is
 * not a whole number of instructions, or 0 or more than CF_BPF_MAXINSNS
 * of them), -ENOMEM. */
int cf_bpf_read_raw(const void *buf, size_t len, struct sock_filter **out,
		    size_t *n, struct cf_error *err);

/* ---- installing -------------------------------------------------------- */

/* seccomp(SECCOMP_SET_MODE_FILTER, flags | TSYNC): on every thread of the
 * process or on none. Verifies first. Does not set no_new_privs: without it
 * and without CAP_SYS_ADMIN the kernel refuses (-EACCES). Returns 0, or with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER the listener fd (O_CLOEXEC; TSYNC_ESRCH
 * is added); -EINVAL bad program or flags, -EAGAIN a thread cannot take the
 * filter (nothing installed), -EACCES, -ENOMEM, -EBUSY. Acts on the whole
 * process: one call at a time. */
int cf_install(const struct sock_filter *insns, size_t len, unsigned flags,
	       struct cf_error *err);

/* ---- running a command the way `docker run` does (run.c) -------------- */

/* docker run's own exit codes; otherwise the command's status, 128+N for
 * signal N (159: killed by seccomp). */
#define CF_RUN_EXIT_FAILED 125	   /* callfence itself failed */
#define CF_RUN_EXIT_CANNOT_RUN 126 /* command found but cannot be invoked */
#define CF_RUN_EXIT_NOT_FOUND 127  /* command not found */

/* Everything is decided before fork: the program is compiled and verified,
 * PATH candidates are built, the cgroup exists. In the child, in runc's
 * order: join the pids cgroup; without no_new_privs install the filter
 * (needs CAP_SYS_ADMIN, still held); drop the bounding set; switch user;
 * effective = permitted = caps (empty for a non-root uid), inheritable and
 * ambient empty; with no_new_privs set it and install the filter; execve.
 * Descriptors from 3 + preserve_fds on are closed by execve.
 * Before fork, every call the child will make after installing the filter
 * (prctl, setgroups, setres[ug]id, getppid, capset after an early install;
 * execve always) is put to the program with its real arguments: any
 * answer but ALLOW or LOG refuses the start (-EPERM), since a fake success
 * (ERRNO 0) would skip a privilege drop or execve. Refuses (-EPERM) when
 * the process is AT_SECURE (setuid, setgid, file capabilities). */
struct cf_run_opts {
	char *const *argv; /* argv[0] without '/' is searched in PATH */
	char *const *envp; /* NULL = the caller's environment */
	const struct sock_filter *prog; /* NULL = no filter (unconfined) */
	size_t prog_len;
	unsigned filter_flags; /* SECCOMP_FILTER_FLAG_* (TSYNC added) */
	bool no_new_privs;
	bool set_caps; /* false: leave every capability set as it is */
	uint64_t caps; /* bounding = effective = permitted */
	bool set_user;
	uint32_t uid, gid;
	const uint32_t *groups; /* supplementary groups (set_user) */
	size_t ngroups;
	int64_t pids_limit;   /* > 0: pids cgroup (v2 or v1) limit */
	bool forward_signals; /* the signal proxy: for a process that is the
				 command's stand-in, like the CLI (below) */
	cf_diag_fn diag;      /* warnings (cgroup cleanup); may be NULL */
	void *diag_ctx;
	unsigned preserve_fds; /* pass 3 .. 3 + n - 1 (must be open) */
	/* the filter prog comes from (may be NULL): refusals name the rule */
	const struct cf_filter *filter;
	/* Complain mode (docs/diagnose.md), NULL = off: prog is a
	 * cf_filter_complain program, installed with
	 * SECCOMP_FILTER_FLAG_NEW_LISTENER; the child passes the listener to
	 * the calling process (SCM_RIGHTS) with sendmsg right after the
	 * install -- the one call after it that must be allowed -- and
	 * cf_run hands every notification to complain (on the calling
	 * thread), then answers SECCOMP_USER_NOTIF_FLAG_CONTINUE: the call
	 * runs. Until the command ends; a process that already has a
	 * listener gets -EBUSY (not started). Linux 5.5. */
	void (*complain)(void *ctx, const struct seccomp_notif *n);
	void *complain_ctx;
	/* The seccomp agent (docs/run.md), NULL = none; required when
	 * filter_flags holds SECCOMP_FILTER_FLAG_NEW_LISTENER (a profile's
	 * SCMP_ACT_NOTIFY rules: cf_filter_flags, cf_filter_listener) and
	 * complain is NULL; not with complain (-EINVAL). The child passes the
	 * listener to the calling process (sendmsg) right after the install,
	 * then waits (read) until agent(agent_ctx, listener, pid, err) has
	 * returned 0: the callback hands the listener on (cf_run closes its
	 * own copy afterwards); pid is the command's. A negative return stops
	 * the start: the child is killed and cf_run returns it with err as the
	 * callback filled it (exit code 125). The rehearsal covers sendmsg
	 * and read. Linux 5.5. */
	int (*agent)(void *ctx, int listener, int pid, struct cf_error *err);
	void *agent_ctx;
	/* must be zero (= {0}): see struct cf_target; non-zero is -EINVAL */
	uint64_t reserved[CF_RESERVED_IN];
};

/* Runs o->argv and waits for it. *exit_code is always set (docker run's
 * codes above). Returns 0 when the command ran, or a negative errno with err
 * filled: -EINVAL bad options, -EPERM the caller lacks a capability the
 * options need, -ENOENT/-EACCES/... the command could not be executed (or a
 * cgroup could not be made), and any errno of a failed step in the child.
 * On failure the command never started. The command starts with every
 * signal at SIG_DFL and an empty mask. Without forward_signals the caller's
 * signal state is left alone (SIGCHLD ignored: -EINVAL, not run). With it
 * (the CLI): every signal but SIGCHLD, SIGPIPE and SIGURG is blocked while
 * the command runs and, when sent with kill(2)/sigqueue(3)/tgkill(2), is
 * sent on to it (a sigqueue value with it); SIGTSTP/SIGTTIN/SIGTTOU stop
 * the command, then the caller; SIGCONT resumes both; an ignored SIGCHLD
 * is set to SIG_DFL meanwhile; mask and SIGCHLD are restored afterwards.
 * The command dies with the calling thread (PR_SET_PDEATHSIG). With
 * pids_limit the caller needs CAP_SYS_ADMIN and caps must not hold it
 * (-EPERM otherwise): the command runs in a private mount namespace with
 * read-only cgroup filesystems, under callfence.<pid>.<random>/cmd; what
 * is left in it is killed and both cgroups are removed. */
int cf_run(const struct cf_run_opts *o, int *exit_code, struct cf_error *err);

/* Docker's capability arithmetic (moby's TweakCapabilities): privileged ->
 * every capability; else "ALL" in add -> all but drop; "ALL" in drop ->
 * only add; else docker's default - drop + add. Names with or without CAP_,
 * case-insensitive; unknown names (or beyond cap_last_cap) are -EINVAL.
 * Pure. */
int cf_run_caps(const char *const *add, size_t nadd, const char *const *drop,
		size_t ndrop, bool privileged, uint64_t *caps,
		struct cf_error *err);
/* The calling thread's effective capability set (0 if unknown). */
uint64_t cf_run_invoker_caps(void);
/* Wait status -> docker run's code: status, or 128 + signal. Pure. */
int cf_run_exit_code(int wstatus);

/* The calls cf_run makes itself after installing the filter, execve
 * included (what its rehearsal puts to the program), for options o as if
 * o->prog were set (prog is not read; argv need not be set): host-ABI
 * numbers, each once, in the order first made, into nrs (up to max).
 * Returns how many there are (more than max: only max written); 0 (never
 * a valid count: execve is always made) when o->reserved is not zero. */
size_t cf_run_own_calls(const struct cf_run_opts *o, uint32_t *nrs, size_t max);

/* ---- the reference seccomp agent's policy (agent_policy.c) ------------ */

/* What callfence agent answers a notification (docs/cli.md): the call
 * runs (CONTINUE), runs and is reported (LOG), or fails with an errno
 * without running (ERRNO). */
enum cf_agent_action { CF_AGENT_CONTINUE, CF_AGENT_LOG, CF_AGENT_ERRNO };
struct cf_agent_policy;
/* Parses a policy: {"default": ACTION, "syscalls": {NAME: ACTION, ...}},
 * ACTION "continue", "log" or {"errno": NAME or 1..4095}; names must be
 * in some ABI's table. -EINVAL with file, pointer and line:col; -ENOMEM.
 * Caller frees with cf_agent_policy_free. */
int cf_agent_policy_parse(const char *buf, size_t len, const char *file,
			  struct cf_agent_policy **out, struct cf_error *err);
/* The action for the call named name (NULL: a number without a name: the
 * default); *errnum (may be NULL) gets the errno of CF_AGENT_ERRNO. */
enum cf_agent_action cf_agent_policy_decide(const struct cf_agent_policy *p,
					    const char *name, int *errnum);
void cf_agent_policy_free(struct cf_agent_policy *p);
/* A runtime's container process state message (runtime-spec: runc,
 * crun, callfence run): which of the message's descriptors is the
 * listener ("seccompFd" in "fds"), "pid", "state"."id" and "metadata"
 * ("" when absent; cut at the buffer's size). -EINVAL: not JSON, or no
 * "seccompFd"; the library zeroes reserved. */
struct cf_agent_state {
	int seccomp_fd; /* index in "fds" */
	int pid;	/* 0 = absent */
	char id[256];
	char metadata[256];
	uint64_t reserved[CF_RESERVED_OUT];
};
int cf_agent_state_parse(const char *buf, size_t len,
			 struct cf_agent_state *out, struct cf_error *err);

/* The container state a runtime hands an OCI hook on stdin (runtime-spec
 * state.json), read strictly: one JSON object; "ociVersion", "id",
 * "status" and "bundle" strings (required), "pid" a positive integer,
 * "annotations" an object of strings; a member given twice or a string
 * holding U+0000 is refused (-EINVAL with line:col, the JSON pointer and
 * what is wrong; file names the input in errors, may be NULL). The
 * strings live until cf_oci_state_free; the library zeroes reserved. The
 * "state" of cf_agent_state_parse's message is read the same way. */
struct cf_oci_state {
	const char *oci_version, *id, *status, *bundle;
	int pid; /* 0 = absent (poststop) */
	size_t nannotations;
	const char *const *annotations; /* key, value, key, value, ... */
	void *priv;			/* the library's */
	uint64_t reserved[CF_RESERVED_OUT];
};
int cf_oci_state_parse(const char *buf, size_t len, const char *file,
		       struct cf_oci_state *out, struct cf_error *err);
/* Releases what cf_oci_state_parse kept and zeroes s; s may be NULL. */
void cf_oci_state_free(struct cf_oci_state *s);

/* ---- recording: observed calls -> a profile (record.c) ---------------- */

/* A set of observed calls, each an (ABI, number) with a count. A backend
 * (ptrace, eBPF, ...) fills it; cf_record_json turns it into a profile.
 * One thread at a time per set; distinct sets are independent. Caller
 * frees with cf_record_free. Errors of cf_record_new: -ENOMEM. */
struct cf_record;
int cf_record_new(struct cf_record **out, struct cf_error *err);
/* Adds count calls of nr on abi (nr as the kernel sees it: x32 numbers
 * with bit 30). -EINVAL for an unknown ABI index, -ENOMEM. */
int cf_record_add(struct cf_record *r, int abi, uint32_t nr, uint64_t count);
/* Argument values (`record --args`, docs/record.md). cf_record_arg_mask:
 * the arguments of nr on abi whose values a backend records (bit i =
 * argument i; 0 = none, also for an unknown ABI or number): clone's
 * flags, clone3's (argument 0 is a pointer: pass clone_args.flags |
 * clone_args.exit_signal read from it, the word clone would take),
 * personality, socket's domain and type, ioctl's request, prctl's option,
 * fcntl's command, mmap's and mprotect's protection. A backend recording
 * arguments passes, for every call it adds with cf_record_add, each
 * argument of the mask to cf_record_add_arg (the register as the call
 * made it; the library keeps the low 32 bits of a 32-bit argument, as
 * the kernel reads it). A call with a mask but no values added (or
 * added with count 0 only) gets no argument rule. -EINVAL for an
 * argument not in the mask, -ENOMEM. */
uint32_t cf_record_arg_mask(int abi, uint32_t nr);
/* How many low bits of argument arg of nr on abi cf_record_add_arg keeps
 * (as the kernel reads it): 32 or 64; 0 for an argument not in
 * cf_record_arg_mask. For a backend that compares values before adding
 * them (the eBPF recorder counts distinct values in the kernel). */
unsigned cf_record_arg_bits(int abi, uint32_t nr, unsigned arg);
int cf_record_add_arg(struct cf_record *r, int abi, uint32_t nr, unsigned arg,
		      uint64_t value);
/* The calls cf_run makes after installing the filter for options o (as
 * cf_run_own_calls), added to r on the host ABI with count 0 and the
 * values of their recorded arguments (prctl's options, ...), so that a
 * profile with argument rules still lets cf_run start the workload.
 * -EINVAL when o->reserved is not zero, -ENOMEM. */
int cf_record_add_run_calls(struct cf_record *r, const struct cf_run_opts *o);
/* Every observation, in no particular order: start with *pos = 0 and call
 * again while it returns non-NULL; it returns the call's name on its ABI
 * (static storage), or "" for a number without one; count may be NULL. */
const char *cf_record_next(const struct cf_record *r, size_t *pos, int *abi,
			   uint32_t *nr, uint64_t *count);
void cf_record_free(struct cf_record *r);

struct cf_record_opts {
	/* NULL, or the base compiled for the target the profile is for:
	 * nothing is allowed that the base does not allow */
	const struct cf_filter *base;
	/* record-unknown-nr, record-base-denies, record-base-partial,
	 * record-args, record-args-many */
	cf_diag_fn diag;
	void *diag_ctx;
	/* argument values: more distinct values than this in an argument
	 * (0 = 16; at most 256) and the argument gets no condition
	 * (record-args-many) */
	unsigned max_arg_values;
	/* must be zero (= {0}): see struct cf_target; non-zero is -EINVAL */
	uint64_t reserved[CF_RESERVED_IN];
};

/* The profile of r as Docker-format JSON: defaultAction SCMP_ACT_ERRNO
 * (EPERM); architectures: the host ABI, then every ABI observed (with a
 * base, only those the base has); one SCMP_ACT_ALLOW rule naming every
 * observed call (a name observed on one ABI is allowed on every ABI of
 * the profile: the format has no per-ABI rule); with a base, the base's
 * argument rules for calls it allows only with some arguments and the
 * base's action for calls it denies with something other than EPERM.
 * Numbers without a name stay denied (reported). o may be NULL. Caller
 * frees *json with free(). Errors: -EINVAL (o's reserved words), -ENOMEM.
 * o->base is read during the call only. */
int cf_record_json(const struct cf_record *r, const struct cf_record_opts *o,
		   char **json, size_t *len, struct cf_error *err);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
