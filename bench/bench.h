/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench.h - shared pieces of the benchmark programs (bench/).
 *
 * The benchmarks are measuring tools, not part of libcallfence: they may
 * print, exit and link libseccomp and json-c.
 */
#ifndef CF_BENCH_H
#define CF_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

/* ---- lsc.c: libseccomp driven the way Docker + runc drive it ---------- */

enum lsc_layout {
	LSC_LINEAR = 0, /* libseccomp's default (what runc loads) */
	LSC_TREE = 2,	/* SCMP_FLTATR_CTL_OPTIMIZE = 2: binary tree */
};

/* JSON text -> program: json-c parse, Docker's resolution for amd64 with
 * Docker's default capabilities and the running kernel, libseccomp rules as
 * runc adds them, seccomp_export_bpf into a memory fd. *prog is malloc'd
 * (caller frees). Returns 0, or -1 with a message in err. */
int lsc_compile(const char *json, size_t len, enum lsc_layout layout,
		struct sock_filter **prog, size_t *n, char *err, size_t errsz);

struct lsc_info {
	/* instructions of runc's ENOSYS stub in front of the program (0:
	 * runc adds none) */
	size_t runc_stub_len;
	/* names of included rules that are not in this libseccomp's table
	 * (libseccomp drops them, callfence may know them) */
	size_t unknown_names;
};

/* lsc_compile, and what runc adds to the program (info may be NULL). */
int lsc_compile_info(const char *json, size_t len, enum lsc_layout layout,
		     struct sock_filter **prog, size_t *n,
		     struct lsc_info *info, char *err, size_t errsz);

/* ---- cache.c: the kernel's constant-action cache, emulated ------------ */

/* The kernel's seccomp_is_const_allow() is the library's
 * cf_bpf_cacheable (include/callfence.h). */

/* Every action prog can return for (nr, arch) with the arguments and the
 * instruction pointer free (all paths followed, feasible or not). Returns
 * the number of distinct actions (at most max stored in out), or -1 when
 * the program uses an instruction this analysis does not model. *argdep
 * says whether any path read an argument or the instruction pointer. */
int cache_actions(const struct sock_filter *prog, size_t n, uint32_t nr,
		  uint32_t arch, uint32_t *out, int max, bool *argdep);
/* The same walk, and *longest (not NULL): the most instructions a path
 * executes, the worst case over argument values. A branch on an argument
 * word is followed only where the equality and order compares taken
 * before on the same word allow it (an interval per 32-bit word); masked
 * compares (JSET, or a word changed by ALU) are followed both ways, so
 * the figure is exact for programs of plain compares and an upper bound
 * otherwise. The actions found are then those of feasible paths. */
int cache_paths(const struct sock_filter *prog, size_t n, uint32_t nr,
		uint32_t arch, uint32_t *out, int max, bool *argdep,
		unsigned *longest);

/* ---- selftest.c ------------------------------------------------------- */

/* Checks the cache emulation on hand-made programs and, with a profile,
 * on libseccomp's programs for it (and on cf, cf_len when non-NULL).
 * Prints "N passed, N failed"; returns 0 when nothing failed. */
int bench_selftest(const char *profile, const struct sock_filter *cf,
		   size_t cf_len);

/* ---- cf-bench.c, corpus.c -------------------------------------------- */

struct prog {
	struct sock_filter *insns; /* malloc'd */
	size_t len;
};

/* JSON text -> callfence's program through the public API (host ABI,
 * Docker's default capabilities, the running kernel; runc's ENOSYS stub
 * unless no_enosys). out may be NULL. Returns 0, or < 0 with the error
 * in msg. */
int bench_cf_compile(const char *json, size_t len, const char *file,
		     bool no_enosys, struct prog *out, char *msg, size_t msgsz);

/* corpus.c: cf-bench corpus PROFILE [cf|lsc] */
int cmd_corpus(int argc, char **argv);

/* ---- util ------------------------------------------------------------- */

/* stages.c: cf-bench stages PROFILE [REPS] */
int cmd_stages(int argc, char **argv);

uint64_t bench_now_ns(void);
/* CPU time of the process (CLOCK_PROCESS_CPUTIME_ID), ns: what a
 * compile costs on a machine shared with other work. */
uint64_t bench_cpu_ns(void);
/* Sorts v and returns its median. */
double bench_median(double *v, size_t n);
/* Reads a whole file (NUL-terminated, malloc'd), or exits with a message. */
char *bench_read_file(const char *path, size_t *len);

#endif
