/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_calls.h - the calls cf_run makes after installing the filter, with
 * their arguments (run.c), for record_args.c: a profile recorded with
 * argument rules must still let `callfence run` start the workload.
 */
#ifndef CF_RUN_CALLS_H
#define CF_RUN_CALLS_H

#include "base.h"

typedef void (*cf_run_call_fn)(void *ctx, uint32_t nr, const uint64_t a[6]);
/* Every call (host ABI) in the order made, repeats included; nothing when
 * o->reserved is not zero. */
void cf_run_own_calls_each(const struct cf_run_opts *o, cf_run_call_fn fn,
			   void *ctx);

#endif
