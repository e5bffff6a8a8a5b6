/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_runtime.h - the calls each runtime makes between installing the
 * filter and execve, which `callfence record` adds to the profile
 * (record_runtime.c: runc's and crun's, measured; callfence run's come
 * from the library, cf_run_own_calls).
 */
#ifndef CF_CLI_RECORD_RUNTIME_H
#define CF_CLI_RECORD_RUNTIME_H

#include "callfence.h"

#include <stdbool.h>
#include <stddef.h>

enum {
	REC_RT_CALLFENCE = 1U << 0,
	REC_RT_RUNC = 1U << 1,
	REC_RT_CRUN = 1U << 2,
	REC_RT_ALL = REC_RT_CALLFENCE | REC_RT_RUNC | REC_RT_CRUN,
};

/* Names a runtime added that the workload had not called itself. */
struct rec_rt_added {
	const char *names[128]; /* static strings */
	size_t n;
};

/* "callfence,runc,crun" | "none" -> REC_RT_* bits; -1 (printed). */
int rec_runtimes_parse(const char *list, unsigned *out);
/* The measured calls of the runtime bit (REC_RT_RUNC or REC_RT_CRUN, when
 * in which) added to obs (host ABI, count 0; with args, the values of
 * the recorded arguments); added: those not observed before. -1: out of
 * memory. */
int rec_add_runtime_calls(struct cf_record *obs, bool args, unsigned which,
			  unsigned bit, struct rec_rt_added *added);
void rec_rt_note(struct rec_rt_added *added, const char *name);

#endif
