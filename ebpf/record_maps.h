/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_maps.h - what ebpf/record.bpf.c and cli/record_ebpf.c agree on:
 * the layout of the maps and the meaning of the configuration.
 */
#ifndef CF_EBPF_RECORD_MAPS_H
#define CF_EBPF_RECORD_MAPS_H

/* calls: a per-CPU array of one struct rec_calls (below): n, 64-bit
 * counts, index abi * REC_NR_SLOTS + nr (nr without the x32 bit); numbers
 * >= REC_NR_SLOTS count as unnumbered. cnt: the counters. arg: --args'
 * per-slot unions.
 * Every x86 table ends below 1024 (x32's highest is 547). */
#define REC_NR_SLOTS 1024
#define REC_BPF_ABI_X86_64 0
#define REC_BPF_ABI_I386 1
#define REC_BPF_ABI_X32 2
#define REC_BPF_ABIS 3

/* the counters (rec_calls.cnt) */
#define REC_CNT_CALLS 0 /* unused: the calls are the sum of `calls` */
#define REC_CNT_PROCESSES 1
#define REC_CNT_THREADS 2
#define REC_CNT_UNNUMBERED 3
#define REC_CNT_LOST_TASKS 4
#define REC_CNT_LOST_CALLS 5
#define REC_CNT_LOST_EXITS 6
#define REC_CNT_LOST_ARGS 7	 /* argument values that could not be kept */
#define REC_CNT_CLONE3_UNREAD 8 /* clone3 structs that could not be read
				  (lost values too) */
#define REC_CNTS 9

/* --args (rec_args): argspecs[abi * REC_NR_SLOTS + nr] says which
 * arguments of the call are recorded (cf_record_arg_mask), which of them
 * the kernel reads as 32-bit (cf_record_arg_bits), and whether argument 0
 * is clone3's struct; argument a of the call has value slot `slot + a`.
 * Per slot: argvals holds up to REC_ARG_KEEP distinct values,
 * rec_argcount how many, rec_calls.arg (per CPU) the union of every value
 * seen and whether more than REC_ARG_KEEP distinct ones came. REC_ARG_KEEP is one more
 * than the library uses (cf_record_opts.max_arg_values is at most 256),
 * so a set that overflowed here overflows there too. */
#define REC_ARG_SLOTS 384 /* 64 calls with 6 arguments each */
#define REC_ARG_KEEP 257
struct rec_argspec {
	__u8 mask;
	__u8 is32;
	__u8 clone3;
	__u8 pad;
	__u16 slot;
	__u16 pad2;
};
struct rec_argkey {
	__u32 slot;
	__u32 pad;
	__u64 value;
};
struct rec_argstat {
	__u64 bits;
	__u64 overflow;
};

struct rec_calls { /* (arg first: record.bpf.c indexes it with the slot
		     masked to 9 bits, which the verifier checks against
		     the whole value) */
	struct rec_argstat arg[REC_ARG_SLOTS];
	__u64 cnt[REC_CNTS];
	__u64 n[REC_BPF_ABIS * REC_NR_SLOTS];
};
/* the kernel's largest per-CPU value (PCPU_MIN_UNIT_SIZE) */
_Static_assert(sizeof(struct rec_calls) <= 32768, "rec_calls too large");
/* argvals: room for every slot's REC_ARG_KEEP values, twice (CPUs race);
 * its max_entries without --args: 1 (cli/record_ebpf.c) */
#define REC_ARGVALS_MAX (REC_ARG_SLOTS * 2 * REC_ARG_KEEP)

/* tasks: a bitmap of the followed processes' tgids, one 64-bit word per
 * 64 pids; max_entries at load: the host's pid_max / 64, rounded up. The
 * object's: PID_MAX_LIMIT on 64-bit (2^22: 512 KiB). */
#define REC_MAX_PIDS 4194304

/* scope (read-only data of the program) */
#define REC_SCOPE_TREE 0
#define REC_SCOPE_MNTNS 1

/* x86: bit 30 of an x32 call's number; TS_COMPAT in thread_info.status
 * (arch/x86/include/asm/thread_info.h), set on int $0x80 / sysenter /
 * 32-bit syscall entry before the sys_enter tracepoint runs */
#define REC_X32_BIT 0x40000000U
#define REC_TS_COMPAT 0x0002U

#endif
