/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The differential suite (issue 4): every profile is decided three ways —
 * callfence's program (in two interpreters) and IR, an independent oracle of
 * the documented semantics (SPEC §2, docs/semantics.md) evaluated from the
 * resolved ruleset, and libseccomp 2.5.4 driven as runc drives it (in two
 * interpreters, linear and binary-tree layouts).
 *
 *   bpf_eval.c   a second, deliberately plain classic-BPF interpreter
 *   oracle.c     direct evaluation of the ruleset (not through ir_build.c)
 *   ref_lsc.c    the ruleset through libseccomp + runc's ENOSYS stub
 *   gen.c        random Docker/OCI profiles (JSON text)
 *   test_diff.c  inputs, the three-way comparison, the report
 */
#ifndef CF_DIFF_H
#define CF_DIFF_H

#include "ruleset.h"

/* ---- bpf_eval.c --------------------------------------------------------- */

/* Runs prog on the bytes of d (host order, as the kernel loads words).
 * Anything malformed returns 0 (kill) and sets *bad. */
uint32_t diff_bpf_eval(const struct sock_filter *prog, size_t len,
		       const struct seccomp_data *d, bool *bad);

/* ---- oracle.c ----------------------------------------------------------- */

struct oracle_abi {
	int arch;	/* cf_arches index */
	bool enosys;	/* runc's stub has a threshold here */
	uint32_t above; /* the threshold (largest named number) */
};

struct oracle {
	const struct cf_ruleset *rs;
	struct oracle_abi abis[32];
	size_t nabis;
};

/* What decided a call, for classifying disagreements. */
struct oracle_why {
	int abi;	     /* index into o->abis, -1 = foreign */
	bool enosys;	     /* runc's stub answered */
	size_t nmatch;	     /* argument rules that matched */
	bool actions_differ; /* ... with more than one action among them */
	uint32_t matched[8]; /* their actions (first 8), profile order */
	size_t midx[8];	     /* their rules (index into the ruleset) */
	bool mmux[8];	     /* ... matched in the socketcall/ipc form */
	bool unconditional;  /* an unconditional rule decided */
};

void oracle_init(struct oracle *o, const struct cf_ruleset *rs);
/* runc's stub answers s390/s390x number 0 (setup) with ENOSYS too */
bool is_s390(int arch);
uint32_t oracle_decide(const struct oracle *o, const struct seccomp_data *d,
		       struct oracle_why *why);
/* The action libseccomp's decision tree picks among the matching
 * argument rules of why (its level order, db.c: higher argument first,
 * EQ/NE/MASKED_EQ before LT/LE before GT/GE, then by datum). Returns false
 * when that order does not decide (rules merged in the tree). */
bool oracle_lsc_pick(const struct oracle *o, const struct seccomp_data *d,
		     const struct oracle_why *why, uint32_t *action);
/* Does the condition hold on an ABI comparing cmp_bits wide? */
bool oracle_cond(unsigned cmp_bits, const struct cf_cond *c, uint64_t arg);
/* Is rule r present at nr on arch (directly or multiplexed)? Sets
 * *muxed for the socketcall/ipc form. */
bool oracle_rule_at(int arch, const struct cf_rule *r, uint32_t nr,
		    bool *muxed);

/* ---- ref_lsc.c ---------------------------------------------------------- */

struct lsc_ref {
	struct sock_filter *prog[2]; /* linear, binary tree (NULL: refused) */
	size_t len[2];
	char why[2][160]; /* why libseccomp refused */
	/* per filter ABI: numbers not compared (older table) */
	struct {
		int arch;
		uint32_t skip[64];
		size_t nskip;
	} abis[32];
	size_t nabis;
	/* names libseccomp 2.5.4 does not know (for the report) */
	const char *unknown[64];
	size_t nunknown;
};

/* Compiles the resolved ruleset with libseccomp as runc does. Returns 0
 * when at least one layout compiled. */
int lsc_ref_build(struct lsc_ref *l, const struct cf_ruleset *rs);
void lsc_ref_free(struct lsc_ref *l);
bool lsc_ref_skipped(const struct lsc_ref *l, uint32_t audit, uint32_t nr);
/* runc's ENOSYS stub (patchbpf) in front of a libseccomp program:
 * returns true and *ret when the stub answers. */
bool runc_stub(const struct oracle *o, const struct seccomp_data *d,
	       uint32_t *ret);

/* ---- gen.c -------------------------------------------------------------- */

struct gen_rng {
	uint64_t s;
};
uint64_t gen_next(struct gen_rng *r);
/* A random profile for native ABI `native` into buf (malloc'd, caller
 * frees); *caps receives a random capability context. */
char *gen_profile(struct gen_rng *r, int native, uint64_t *caps);

#endif
