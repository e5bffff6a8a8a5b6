/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup.h - the pids cgroup of `run` (cgroup.c, used by run.c). */
#ifndef CF_CGROUP_H
#define CF_CGROUP_H

#include "base.h"

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
