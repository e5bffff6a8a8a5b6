/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_obs.h - the observation set of `callfence record` (struct
 * cf_record) as record.c and record_args.c share it: an open-addressing
 * hash of (ABI, number) -> count, each entry with the distinct values of
 * the arguments --args records (record_args.c).
 */
#ifndef CF_RECORD_OBS_H
#define CF_RECORD_OBS_H

#include "base.h"

#include <stdio.h>

/* Distinct values kept per argument; one more marks the set as too many
 * for any rule (cf_record_opts.max_arg_values is at most this). */
#define CF_REC_KEEP_VALUES 256

struct rec_vals {
	uint64_t *v; /* distinct, unsorted */
	uint32_t n;
	size_t cap;
	bool overflow; /* more than CF_REC_KEEP_VALUES were seen */
	uint64_t bits; /* the union of every value seen, overflow or not */
};

struct rec_obs {
	uint32_t used; /* 0 = empty slot */
	uint32_t abi;
	uint32_t nr;
	uint64_t count;
	struct rec_vals *args; /* [6], NULL until a value is added */
};

struct cf_record {
	struct rec_obs *slots;
	size_t cap, n; /* cap: a power of two */
};

/* The entry of (abi, nr), created (count 0) if absent; NULL: -ENOMEM. */
struct rec_obs *cf_rec_obs_get(struct cf_record *r, uint32_t abi, uint32_t nr);

/* What --args records of a syscall (by cf_sysinfo index) on an ABI. */
struct cf_rec_argspec {
	uint8_t mask;  /* bit i: argument i is recorded */
	uint8_t flags; /* bit i: argument i is a flag word (MASKED_EQ when
			  its values are many) */
	bool clone3;   /* argument 0 is clone_args.flags | exit_signal */
};
bool cf_rec_argspec(int abi, int idx, struct cf_rec_argspec *out);
/* Bits of argument arg of idx on abi as the kernel reads it (32 or 64). */
unsigned cf_rec_arg_bits(int abi, int idx, unsigned arg);

void cf_rec_vals_free(struct rec_obs *o);
/* A diagnostic to o->diag (none when o or o->diag is NULL). */
void cf_rec_report(const struct cf_record_opts *o, const char *id,
		   const char *fmt, ...) CF_PRINTF(3, 4);

/* ---- the argument rules of one name (record_args.c) ------------------- */

/* One argument's alternatives: "arg & mask == datum" each (EQ on a 64-bit
 * argument: mask all ones). */
struct rec_alt {
	uint64_t mask, datum;
};

struct rec_argplan {
	struct rec_alt *alts[6]; /* NULL: the argument is not conditioned */
	uint32_t nalts[6];
	size_t nrules; /* the product of the nalts; 0: allow unconditionally */
};

/* The rules of the name idx from its observations on the ABIs abis[0..n)
 * of the profile (diags through o); clone's include clone3's when
 * cf_rec_clone3_folded. -ENOMEM. */
int cf_rec_arg_plan(const struct cf_record *r, const struct cf_record_opts *o,
		    int idx, const int *abis, size_t nabis,
		    struct rec_argplan *p);
void cf_rec_arg_write(FILE *f, const char *name, const struct rec_argplan *p);
void cf_rec_arg_plan_free(struct rec_argplan *p);
/* clone3 was recorded with its flags, all of which clone can take: it is
 * answered ENOSYS (libc falls back to clone, whose rule has its flags). */
bool cf_rec_clone3_folded(const struct cf_record *r);

#endif
