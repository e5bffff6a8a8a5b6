/* SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0 */
/*
 * record.bpf.c - the kernel side of `callfence record --backend ebpf`
 * (CO-RE; vmlinux.h is generated from the build machine's BTF).
 *
 *   raw_tp/sys_enter           a followed task's call: count (ABI, nr);
 *                              --args: the distinct values of the
 *                              arguments the library records
 *   raw_tp/sched_process_fork  a followed process starts one: follow it;
 *                              one not followed starts one: forget its
 *                              pid (an exited followed process had it)
 *
 * Raw tracepoints, not tp_btf: a tp_btf program names its tracepoint by
 * its BTF type, which the kernel finds by a linear search of its BTF
 * (about 125 000 types) at every load; a raw tracepoint is attached by
 * name. The programs read the same arguments (pt_regs through a probe
 * read). Two programs, not three: a sched_process_exit program cleared
 * the bit of a process when it exited, and cost a load, a verification,
 * an attach and a detach per recording; the fork program clears a reused
 * pid's bit instead (docs/record.md, "Start-up").
 *
 * Built twice: as is, and with REC_CALLS_ONLY (no --args code: 152
 * instructions instead of 878 for the kernel to check at each recording
 * without --args, docs/record.md "Sixth round"); the maps and data are
 * the same in both, so cli/record_ebpf.c reads either alike.
 *
 * Followed processes are a bitmap of tgids; with a namespace scope a
 * task is also followed when it is found in the scope at a call.
 * Everything that fails (map full, busy) is counted, never dropped silently.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "record_maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The kernel's types, as far as the program reads them: CO-RE matches a
 * type by its name without the ___cf suffix, and relocates each field by
 * name. With vmlinux.h's own task_struct and pt_regs the program's BTF
 * held every type they reach (30 KiB the loader loads and the kernel
 * checks at each recording; docs/record.md, "Fourth round"). */
struct ns_common___cf {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct mnt_namespace___cf {
	struct ns_common___cf ns;
} __attribute__((preserve_access_index));

struct nsproxy___cf {
	struct mnt_namespace___cf *mnt_ns;
} __attribute__((preserve_access_index));

struct thread_info___cf {
	__u32 status;
} __attribute__((preserve_access_index));

struct task_struct___cf {
	struct thread_info___cf thread_info;
	int tgid;
	struct nsproxy___cf *nsproxy;
} __attribute__((preserve_access_index));

struct pt_regs___cf {
	unsigned long bx, cx, dx, si, di, bp, r10, r8, r9;
} __attribute__((preserve_access_index));

const volatile __u32 rec_scope = REC_SCOPE_TREE;
const volatile __u64 rec_mntns;
const volatile bool rec_args;
/* tests/live/record-ebpf.sh's loss test: the kernel side follows at most
 * this many processes in all, besides the first (0: no limit) */
const volatile __u32 rec_test_max_new;

/* calls: a per-CPU array of ONE entry, a struct of every count (calls
 * per slot, the counters, --args' per-slot unions): a per-CPU array
 * allocates per-CPU memory entry by entry (3072 allocations for the
 * calls: 0.3 ms of every start-up), and is read back with one lookup per
 * entry; one entry is one allocation, one read. One map, not three: each
 * map is a BPF_MAP_CREATE at every recording (and code in the light
 * skeleton's loader program, the fallback; docs/record.md, "Fourth
 * round"). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rec_calls);
} calls SEC(".maps");

/* counted if the lookup of `calls` ever failed (it cannot: index 0 of a
 * one-entry array): read back as lost calls */
__u64 rec_no_calls;

/* tasks: the followed processes, a bitmap of thread-group ids (bit
 * tgid % 64 of word tgid / 64). The loader gets max_entries from
 * cli/record_ebpf.c: the host's pid_max / 64, so every process that can
 * exist has its bit and none can fail to be followed for want of room;
 * 4 KiB for pid_max 32768 (a hash of 65536 processes: 1 MiB of buckets
 * initialised at load). Mmapable: rec_ebpf_follow sets a bit in place. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, REC_MAX_PIDS / 64);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} tasks SEC(".maps");

/* --args: the distinct values of each slot: up to REC_ARG_KEEP each, a
 * few more when CPUs race (allocated as they come). Its buckets are not:
 * 4 MiB allocated and initialised at load, so without --args the loader
 * gets max_entries 1 from cli/record_ebpf.c (unused: rec_args is false). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, REC_ARGVALS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rec_argkey);
	__type(value, __u8);
} argvals SEC(".maps");

/* --args: how many values each slot keeps in argvals. Indexed, as
 * rec_calls.arg, by the slot masked with REC_ARG_MASK after a check that
 * it is below REC_ARG_SLOTS and a barrier (so that clang keeps the mask):
 * the verifier bounds the register clang indexes with by the mask, not by
 * the check, which clang may test on another copy of the slot. */
#define REC_ARG_MASK 511
__u32 rec_argcount[REC_ARG_MASK + 1];
_Static_assert(REC_ARG_SLOTS <= REC_ARG_MASK + 1, "rec_argcount");
_Static_assert(__builtin_offsetof(struct rec_calls, arg) == 0 &&
		   (REC_ARG_MASK + 1) * sizeof(struct rec_argstat) <=
		       sizeof(struct rec_calls),
	       "rec_calls.arg: a masked index stays in the value");

/* --args: rec_argspecs (record_maps.h), written by cli/record_ebpf.c
 * after load. A map, not read-only data: 24 KiB in the read-only data
 * were copied into the loader, then into the map, and mapped, at every
 * recording; a recording without --args gets max_entries 1 (unused:
 * rec_args is false). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, REC_BPF_ABIS * REC_NR_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct rec_argspec);
} argspecs SEC(".maps");

static __u32 zero;

/* This CPU's counts; NULL never happens (counted in rec_no_calls). */
static __always_inline struct rec_calls *counts(void)
{
	struct rec_calls *c = bpf_map_lookup_elem(&calls, &zero);

	if (!c)
		__sync_fetch_and_add(&rec_no_calls, 1);
	return c;
}

static __always_inline void count(__u32 which)
{
	struct rec_calls *c = counts();

	if (c && which < REC_CNTS)
		c->cnt[which] += 1;
}

/* rec_test_max_new: processes the kernel side has followed */
__u64 rec_test_live;

/* The word of tgid's bit; NULL past pid_max as it was at load. */
static __always_inline __u64 *task_word(__u32 tgid)
{
	__u32 w = tgid / 64;

	return bpf_map_lookup_elem(&tasks, &w);
}

static __always_inline bool followed(__u32 tgid)
{
	__u64 *w = task_word(tgid);

	return w && (*w >> (tgid % 64) & 1);
}

/* A pid past the bitmap (pid_max raised during the recording) is a lost
 * process, counted. */
static __always_inline void follow(__u32 tgid)
{
	__u64 *w = task_word(tgid), bit = 1ULL << (tgid % 64);

	if (!w ||
	    (rec_test_max_new && rec_test_live + 1 >= rec_test_max_new)) {
		count(REC_CNT_LOST_TASKS);
		return;
	}
	if (__sync_fetch_and_or(w, bit) & bit)
		return; /* another CPU followed it meanwhile */
	count(REC_CNT_PROCESSES);
	if (rec_test_max_new)
		__sync_fetch_and_add(&rec_test_live, 1);
}

/* A process not followed started tgid. A followed process that exited
 * leaves its bit set; a pid is reused only by a new process, which every
 * way of starting one (fork, vfork, clone, clone3, kernel threads) passes
 * through sched_process_fork before the new process first runs: so the
 * bit is cleared before a call of the new process can be counted
 * (tests/live/record-ebpf-pid-reuse.sh). Threads keep their tgid. */
static __always_inline void forget(__u32 tgid)
{
	__u64 *w = task_word(tgid), bit = 1ULL << (tgid % 64);

	if (w && (*w & bit))
		__sync_fetch_and_and(w, ~bit);
}

static __always_inline bool in_scope(struct task_struct___cf *t)
{
	if (rec_scope == REC_SCOPE_MNTNS)
		return BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum) == rec_mntns;
	return false;
}

#ifndef REC_CALLS_ONLY
/* One value of a slot: kept if new and there is room; else the slot
 * overflowed (more than REC_ARG_KEEP distinct values) or, when the map
 * refused it, the value is lost (counted). */
static __always_inline void add_value(__u32 slot, __u64 value)
{
	struct rec_argkey k = {.slot = slot, .value = value};
	struct rec_argstat *st;
	struct rec_calls *c;
	__u8 one = 1;
	long rc;

	if (bpf_map_lookup_elem(&argvals, &k))
		return;
	if (slot >= REC_ARG_SLOTS) {
		count(REC_CNT_LOST_ARGS);
		return;
	}
	barrier_var(slot);
	slot &= REC_ARG_MASK; /* (unchanged: below REC_ARG_SLOTS) */
	c = counts();
	if (!c)
		return; /* (counted: rec_no_calls) */
	st = &c->arg[slot];
	st->bits |= value;
	if (rec_argcount[slot] >= REC_ARG_KEEP) {
		st->overflow = 1;
		return;
	}
	rc = bpf_map_update_elem(&argvals, &k, &one, BPF_NOEXIST);
	if (rc == 0)
		__sync_fetch_and_add(&rec_argcount[slot], 1);
	else if (rc != -17 /* EEXIST: another CPU added it meanwhile */)
		count(REC_CNT_LOST_ARGS);
}

/* clone3's flags word as clone would take it: clone_args.flags |
 * clone_args.exit_signal (all u64 fields on every ABI), kept as a value
 * of slot. Unreadable (bpf_probe_read_user does not fault pages in): a
 * lost value, counted; none is made up, since all ones would allow clone3
 * whatever its flags (docs/record.md). */
static __always_inline void add_clone3_word(__u32 slot, __u64 ptr)
{
	__u64 ca[5];

	if (bpf_probe_read_user(ca, sizeof(ca), (const void *)ptr) < 0) {
		count(REC_CNT_CLONE3_UNREAD);
		return;
	}
	add_value(slot, ca[0] | ca[4]);
}

/* --args: the recorded arguments of the call key (abi * slots + nr),
 * from the registers of its ABI (i386: bx, cx, dx, si, di, bp). */
static __always_inline void record_args(struct pt_regs___cf *regs, __u32 abi,
					__u32 key)
{
	const struct rec_argspec *sp = bpf_map_lookup_elem(&argspecs, &key);
	__u8 mask, is32;
	__u32 slot;
	__u64 a[6];

	if (!sp) { /* (key is below max_entries with --args) */
		count(REC_CNT_LOST_ARGS);
		return;
	}
	mask = sp->mask;
	is32 = sp->is32;
	slot = sp->slot;
	if (!mask)
		return;
	if (abi == REC_BPF_ABI_I386) {
		a[0] = BPF_CORE_READ(regs, bx);
		a[1] = BPF_CORE_READ(regs, cx);
		a[2] = BPF_CORE_READ(regs, dx);
		a[3] = BPF_CORE_READ(regs, si);
		a[4] = BPF_CORE_READ(regs, di);
		a[5] = BPF_CORE_READ(regs, bp);
	} else {
		a[0] = BPF_CORE_READ(regs, di);
		a[1] = BPF_CORE_READ(regs, si);
		a[2] = BPF_CORE_READ(regs, dx);
		a[3] = BPF_CORE_READ(regs, r10);
		a[4] = BPF_CORE_READ(regs, r8);
		a[5] = BPF_CORE_READ(regs, r9);
	}
	if (sp->clone3) {
		add_clone3_word(slot, a[0]);
		return;
	}
#pragma unroll
	for (int i = 0; i < 6; i++) {
		if (!(mask >> i & 1))
			continue;
		add_value(slot + i, is32 >> i & 1 ? (__u32)a[i] : a[i]);
	}
}

#endif /* REC_CALLS_ONLY */

SEC("raw_tp/sys_enter")
int BPF_PROG(rec_sys_enter, struct pt_regs___cf *regs, long id)
{
	struct task_struct___cf *t =
	    (struct task_struct___cf *)bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 abi = REC_BPF_ABI_X86_64, key;
	__u64 nr = (__u64)id;
	struct rec_calls *c;

	if (!followed(tgid)) {
		if (rec_scope == REC_SCOPE_TREE || !in_scope(t))
			return 0;
		follow(tgid);
	}
	/* a trusted task pointer: read directly, no probe-read helper */
	if (t->thread_info.status & REC_TS_COMPAT) {
		abi = REC_BPF_ABI_I386;
	} else if (nr & REC_X32_BIT) {
		abi = REC_BPF_ABI_X32;
		nr &= ~(__u64)REC_X32_BIT;
	}
	if (nr >= REC_NR_SLOTS) {
		count(REC_CNT_UNNUMBERED);
		return 0;
	}
	key = abi * REC_NR_SLOTS + (__u32)nr;
	c = counts();
	if (!c)
		return 0;
	if (key >= REC_BPF_ABIS * REC_NR_SLOTS) {
		c->cnt[REC_CNT_LOST_CALLS] += 1;
		return 0;
	}
	c->n[key] += 1; /* (the total is their sum: no second count per call) */
#ifndef REC_CALLS_ONLY
	if (rec_args)
		record_args(regs, abi, key);
#endif
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(rec_fork, struct task_struct___cf *parent,
	     struct task_struct___cf *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);

	if (!followed(ptgid)) {
		forget(ctgid);
		return 0;
	}
	if (ctgid == ptgid)
		count(REC_CNT_THREADS);
	else
		follow(ctgid);
	return 0;
}
