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

/* Distinct values kept per argument; one more marks the set as too many
 * for any rule (cf_record_opts.max_arg_values is at most this). */
#define CF_REC_KEEP_VALUES 256

struct rec_vals {
	uint64_t *v; /* distinct, unsorted */
	uint32_t n, cap;
	bool overflow; /* more than CF_REC_KEEP_VALUES were seen */
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

#endif
