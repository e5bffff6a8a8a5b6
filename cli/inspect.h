/* SPDX-License-Identifier: Apache-2.0 */
/* inspect.h - callfence inspect: probing the calling process's seccomp
 * filters without letting a probed syscall run (inspect_probe.c). */
#ifndef CF_CLI_INSPECT_H
#define CF_CLI_INSPECT_H

#include <stdbool.h>
#include <stdint.h>

enum probe_status {
	PROBE_OK = 0,	    /* every number of the range has a result */
	PROBE_UNSUPPORTED,  /* no probe for this ABI on this host */
	PROBE_INT80_FAULTS, /* int $0x80 faults: the kernel runs no i386 call */
	PROBE_LISTENER_BUSY,  /* a listener is present: the kernel said EBUSY */
	PROBE_INSTALL_FAILED, /* seccomp(2) refused the notify filter (err) */
	PROBE_FAILED,	      /* the probe could not finish (err, msg) */
};

#define PROBE_ALLOW 0x7fff0000U /* SECCOMP_RET_ALLOW */
/* not probed: the kernel exempts it from seccomp (x86_64 uretprobe,
 * uprobe); not a kernel action value */
#define PROBE_EXEMPT 0x7fff0001U

struct probe_abi {
	int abi;	 /* ABI index (cf_abi_*) */
	uint32_t lo, hi; /* numbers probed, as the kernel sees them */
	enum probe_status status;
	int err;	 /* errno for INSTALL_FAILED / FAILED */
	const char *msg; /* what failed (static) */
	uint32_t *act;	 /* hi - lo + 1 SECCOMP_RET_* results (malloc'd) */
};

/* The ABIs this host can probe (x86_64, x32, x86 on an x86_64 host), in
 * that order; *n gets their number. Ranges: each ABI's table plus 64. */
int probe_abis(struct probe_abi *out, int max);
/* Probes every number of a->lo..a->hi with all-zero arguments. */
void probe_run(struct probe_abi *a);

#endif
