/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_maps.h - what ebpf/record.bpf.c and cli/record_ebpf.c agree on:
 * the layout of the maps and the meaning of the configuration.
 */
#ifndef CF_EBPF_RECORD_MAPS_H
#define CF_EBPF_RECORD_MAPS_H

/* calls: a per-CPU array of 64-bit counts, index abi * REC_NR_SLOTS + nr
 * (nr without the x32 bit); numbers >= REC_NR_SLOTS count as unnumbered.
 * Every x86 table ends below 1024 (x32's highest is 547). */
#define REC_NR_SLOTS 1024
#define REC_BPF_ABI_X86_64 0
#define REC_BPF_ABI_I386 1
#define REC_BPF_ABI_X32 2
#define REC_BPF_ABIS 3

/* counters: a per-CPU array of 64-bit counts */
#define REC_CNT_CALLS 0
#define REC_CNT_PROCESSES 1
#define REC_CNT_THREADS 2
#define REC_CNT_UNNUMBERED 3
#define REC_CNT_LOST_TASKS 4
#define REC_CNT_LOST_CALLS 5
#define REC_CNT_LOST_EXITS 6
#define REC_CNTS 7

/* tasks: a hash of the followed processes (tgid -> 1) */
#define REC_MAX_TASKS 65536

/* scope (read-only data of the program) */
#define REC_SCOPE_TREE 0
#define REC_SCOPE_MNTNS 1
#define REC_SCOPE_CGROUP1 2

/* x86: bit 30 of an x32 call's number; TS_COMPAT in thread_info.status
 * (arch/x86/include/asm/thread_info.h), set on int $0x80 / sysenter /
 * 32-bit syscall entry before the sys_enter tracepoint runs */
#define REC_X32_BIT 0x40000000U
#define REC_TS_COMPAT 0x0002U

#endif
