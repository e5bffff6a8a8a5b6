/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_ebpf.c - the eBPF container recorder of `callfence oci-hook`, on the
 * recorder of record_ebpf.h: every task in the container's mount
 * namespace (the one the container's init is in at createRuntime), every
 * process those start, and the init itself with everything it starts
 * (REC_EBPF_MNTNS plus rec_ebpf_follow). A container sharing the host's
 * mount namespace is recorded as the init's process tree only (never the
 * whole host). The recording ends when the init has exited; anything the
 * kernel side could not count makes res->lost, so no profile is written.
 *
 * With io.callfence.record.args=1 the kernel side also keeps the distinct
 * values of the arguments the library records (cf_record_arg_mask), as
 * `record --args --backend ebpf` does.
 *
 * "auto" (the default): eBPF where it loads (root, BTF, a build with it),
 * else the ptrace recorder.
 */
#include "oci_hook.h"

#include "record_ebpf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The recorder for the container whose init is pid, attached. */
static int oe_open(pid_t pid, bool args, struct rec_ebpf **r, char *why,
		   size_t n)
{
	struct rec_ebpf_target t = {.scope = REC_EBPF_MNTNS, .args = args};
	struct stat mine, theirs;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/mnt", &mine) < 0) {
		snprintf(why, n, "'%s': %s", path, strerror(errno));
		return -1;
	}
	t.mntns = (uint64_t)theirs.st_ino;
	if (theirs.st_ino == mine.st_ino && theirs.st_dev == mine.st_dev)
		t.scope = REC_EBPF_TREE; /* the host's: the init's tree only */
	if (rec_ebpf_open(&t, r, why, n) < 0)
		return -1;
	if (rec_ebpf_follow(*r, pid, why, n) < 0) {
		rec_ebpf_close(*r);
		return -1;
	}
	return 0;
}

/* Attached: until the init has exited, then the counts. */
static int oe_run(struct rec_ebpf *r, pid_t pid, void (*attached)(void *ctx),
		  void *ctx, struct cf_record *obs, struct rec_result *res)
{
	int waited;

	attached(ctx);
	waited = rec_ebpf_wait_pid(pid, 0);
	if (waited != 1) {
		int e = errno;

		rec_ebpf_close(r);
		snprintf(res->why, sizeof(res->why),
			 "the recorder stopped before the container ended (%s)",
			 waited == 2 ? "a signal" : strerror(e));
		return -1;
	}
	return rec_ebpf_stop(r, obs, res, NULL);
}

static int oe_record(pid_t pid, bool args, void (*attached)(void *ctx),
		     void *ctx, struct cf_record *obs, struct rec_result *res)
{
	struct rec_ebpf *r = NULL;

	if (oe_open(pid, args, &r, res->why, sizeof(res->why)) < 0)
		return -1;
	return oe_run(r, pid, attached, ctx, obs, res);
}

static int oe_auto(pid_t pid, bool args, void (*attached)(void *ctx), void *ctx,
		   struct cf_record *obs, struct rec_result *res)
{
	struct rec_ebpf *r = NULL;

	if (oe_open(pid, args, &r, res->why, sizeof(res->why)) < 0) {
		res->why[0] = 0;
		return oci_recorder_ptrace.record(pid, args, attached, ctx, obs,
						  res);
	}
	return oe_run(r, pid, attached, ctx, obs, res);
}

const struct oci_recorder oci_recorder_ebpf = {"ebpf", oe_record};
const struct oci_recorder oci_recorder_auto = {"auto", oe_auto};
