/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_ebpf.h - the eBPF recorder of `callfence record` (cli/record_ebpf.c,
 * BPF program in ebpf/record.bpf.c): counts every system call that a target
 * makes, by (ABI, number), in kernel maps that cannot overflow, and counts
 * everything it could not follow ("lost"); with --args also argument
 * values. Needs root (CAP_BPF + CAP_PERFMON or CAP_SYS_ADMIN), Linux 5.17
 * with BTF (/sys/kernel/btf/vmlinux: the kernel relocates the program,
 * callfence reads no BTF) and an x86-64 build with clang, bpftool,
 * libbpf-dev and python3 (libbpf's headers; callfence makes its own
 * bpf() calls and does not link libbpf; tools/gen-bpf-load extracts
 * what they load from the object; record_ebpf_load.h); without them every
 * function below fails with a reason ("not built in", ...).
 *
 * Targets (struct rec_ebpf_target):
 *   REC_EBPF_TREE    processes added with rec_ebpf_follow (each with every
 *                    thread, the ones it has and the ones it starts) and
 *                    every process any of them starts after that;
 *   REC_EBPF_MNTNS   every task whose mount namespace has inode `mntns`
 *                    (stat(/proc/PID/ns/mnt).st_ino), plus every process
 *                    it starts (so unshare(CLONE_NEWNS) does not escape).
 * A task counts from its first system call after rec_ebpf_open returned
 * (REC_EBPF_TREE: after rec_ebpf_follow returned): start a command held
 * (blocked on a pipe, or stopped) and release it once followed, and no call
 * of it is missed.
 *
 * Typical use (the OCI hook: a container's init, held by runc, pid known):
 *   struct rec_ebpf_target t = {.scope = REC_EBPF_TREE};
 *   rec_ebpf_open(&t, &r, why, sizeof(why));  rec_ebpf_follow(r, pid, ...);
 *   ... release ...; rec_ebpf_wait_pid(pid, 0);
 *   rec_ebpf_stop(r, obs, &res, &counts);   // res.lost: write no profile
 *
 * Not thread-safe; one recorder per struct rec_ebpf, several may coexist.
 */
#ifndef CF_CLI_RECORD_EBPF_H
#define CF_CLI_RECORD_EBPF_H

#include "callfence.h"
#include "record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum rec_ebpf_scope {
	REC_EBPF_TREE = 0,
	REC_EBPF_MNTNS = 1,
};

struct rec_ebpf_target {
	enum rec_ebpf_scope scope;
	uint64_t mntns; /* REC_EBPF_MNTNS: inode of /proc/PID/ns/mnt */
	bool args;	/* also the values of cf_record_arg_mask's
			 * arguments (record --args) */
};

/* What the kernel side counted; every lost_* must be 0 for a profile. */
struct rec_ebpf_counts {
	uint64_t calls;		/* system calls counted */
	uint64_t processes;	/* processes followed (rec_ebpf_follow too) */
	uint64_t threads;	/* threads started by followed processes */
	uint64_t unnumbered;	/* calls with a number past every table (stay
				 * denied, like unknown numbers; not lost) */
	uint64_t lost_tasks;	/* new processes that could not be followed
				 * (map full or busy): their calls are missing */
	uint64_t lost_calls;	/* calls that could not be counted */
	uint64_t lost_exits;	/* exited processes that could not be forgotten
				 * (their pid, if reused, would be followed) */
	uint64_t lost_args;	/* argument values that could not be kept (a
				 * set too many for its map: its rule would be
				 * too narrow), clone3_unread included */
	uint64_t clone3_unread; /* clone3 calls whose struct could not be
				 * read: their flags are unknown (lost; no
				 * value is made up for them) */
	uint64_t args_overflowed; /* arguments with more distinct values
				   * than the kernel side keeps (257): no
				   * condition (a flag word: MASKED_EQ of
				   * the union of all of them) */
};

struct rec_ebpf;

/* true when this build has the eBPF recorder (says nothing of the
 * machine: rec_ebpf_open tells). */
bool rec_ebpf_built(void);

/* Loads and attaches the recorder for t. Returns 0, or -1 with a reason
 * in why (always terminated): "not built in", no BTF, not root, the
 * kernel refused the program (the direct load's errno and the last line
 * of the verifier's log, and the light skeleton's errno: its loader gives
 * no log; record_ebpf_load.h). */
int rec_ebpf_open(const struct rec_ebpf_target *t, struct rec_ebpf **out,
		  char *why, size_t whylen);

/* Follows process pid (all its threads) and everything it starts from now
 * on, with any scope. 0, or -1 with a reason in why. */
int rec_ebpf_follow(struct rec_ebpf *r, pid_t pid, char *why, size_t whylen);

/* Detaches, adds every counted call to obs (cf_record_add: ABI index of
 * the library, x32 numbers with bit 30), fills counts (may be NULL) and
 * res: events, tasks (processes + threads), and lost + why when any lost_*
 * is non-zero; with t->args, the argument values too (cf_record_add_arg).
 * Frees r (also on failure). Returns 0, or -1 with a reason
 * in res->why (obs may then hold part of the calls). */
int rec_ebpf_stop(struct rec_ebpf *r, struct cf_record *obs,
		  struct rec_result *res, struct rec_ebpf_counts *counts);

/* Detaches and frees without reading (error paths). NULL is a no-op. */
void rec_ebpf_close(struct rec_ebpf *r);

/* One line "ebpf: N calls, P processes, T threads; lost: ..." for the
 * summary on stderr, with prefix before it. */
void rec_ebpf_print_counts(const char *prefix, const struct rec_ebpf_counts *c);

/* Waits until process pid has exited, seconds have passed (<= 0: no
 * limit), or SIGINT/SIGTERM/SIGHUP arrived (handled during the wait).
 * Returns 1 exited (or was gone already), 0 time up, 2 interrupted, -1
 * with errno on failure. Not for a child of the caller: it waits, never
 * reaps. */
int rec_ebpf_wait_pid(pid_t pid, double seconds);

extern const struct rec_backend rec_backend_ebpf;

/* record_container.c: `record --container`: finds the running Docker (or
 * Podman) container name, records every task of its mount namespace until
 * it exits, seconds pass (> 0) or SIGINT, into obs and res (exit_code 0).
 * Returns 0, or -1 with the error printed. */
int rec_container_record(const char *name, double seconds,
			 struct cf_record *obs, struct rec_result *res);

#endif
