/* SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0 */
/*
 * record.bpf.c - the kernel side of `callfence record --backend ebpf`
 * (CO-RE; vmlinux.h is generated from the build machine's BTF).
 *
 *   tp_btf/sys_enter           a followed task's call: count (ABI, nr)
 *   tp_btf/sched_process_fork  a followed process starts one: follow it
 *   tp_btf/sched_process_exit  the last thread of a process: forget it
 *
 * Followed processes are a hash of tgids; with a namespace or cgroup
 * scope a task is also followed when it is found in the scope at a call.
 * Everything that fails (map full, busy) is counted, never dropped silently.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "record_maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 rec_scope = REC_SCOPE_TREE;
const volatile __u64 rec_mntns;
const volatile __s32 rec_cgroup1_hier;
const volatile __u64 rec_cgroup1_id;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, REC_BPF_ABIS * REC_NR_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, REC_CNTS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, REC_MAX_TASKS);
	__type(key, __u32);
	__type(value, __u8);
} tasks SEC(".maps");

extern struct cgroup *bpf_task_get_cgroup1(struct task_struct *task,
					   int hierarchy_id) __ksym __weak;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym __weak;

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);

	if (v)
		*v += 1;
}

static __always_inline void follow(__u32 tgid)
{
	__u8 one = 1;

	if (bpf_map_update_elem(&tasks, &tgid, &one, BPF_NOEXIST) == 0)
		count(REC_CNT_PROCESSES);
	else if (!bpf_map_lookup_elem(&tasks, &tgid))
		count(REC_CNT_LOST_TASKS);
}

static __always_inline bool in_cgroup1(struct task_struct *t)
{
	struct cgroup *cg;
	__u64 id;

	if (!bpf_task_get_cgroup1) /* a kernel before 6.8 */
		return false;
	cg = bpf_task_get_cgroup1(t, rec_cgroup1_hier);
	if (!cg)
		return false;
	id = BPF_CORE_READ(cg, kn, id);
	bpf_cgroup_release(cg);
	return id == rec_cgroup1_id;
}

static __always_inline bool in_scope(struct task_struct *t)
{
	if (rec_scope == REC_SCOPE_MNTNS)
		return BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum) == rec_mntns;
	if (rec_scope == REC_SCOPE_CGROUP1)
		return in_cgroup1(t);
	return false;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(rec_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 abi = REC_BPF_ABI_X86_64, key;
	__u64 nr = (__u64)id;
	__u64 *v;

	if (!bpf_map_lookup_elem(&tasks, &tgid)) {
		if (rec_scope == REC_SCOPE_TREE || !in_scope(t))
			return 0;
		follow(tgid);
	}
	if (BPF_CORE_READ(t, thread_info.status) & REC_TS_COMPAT) {
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
	v = bpf_map_lookup_elem(&calls, &key);
	if (!v) {
		count(REC_CNT_LOST_CALLS);
		return 0;
	}
	*v += 1;
	count(REC_CNT_CALLS);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(rec_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);

	if (!bpf_map_lookup_elem(&tasks, &ptgid))
		return 0;
	if (ctgid == ptgid)
		count(REC_CNT_THREADS);
	else
		follow(ctgid);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(rec_exit, struct task_struct *p, bool group_dead)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	long rc;

	if (!group_dead)
		return 0;
	rc = bpf_map_delete_elem(&tasks, &tgid);
	if (rc && rc != -2 /* ENOENT: not followed */)
		count(REC_CNT_LOST_EXITS);
	return 0;
}
