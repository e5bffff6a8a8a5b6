/* SPDX-License-Identifier: Apache-2.0 */
/* syscalls.h - the generated tables: ABIs, syscall names, numbers,
 * argument widths (syscalls.c, syscalls_table.c). */
#ifndef CF_SYSCALLS_H
#define CF_SYSCALLS_H

#include "base.h"

struct cf_arch {
	const char *oci;  /* SCMP_ARCH_X86_64 */
	const char *name; /* x86_64 */
	const char *go;	  /* amd64, or NULL */
	int table;	  /* cf_tables[] index, -1 = unsupported */
	uint32_t audit_arch;
	bool big_endian;
	uint8_t cmp_bits;	       /* 32 or 64 */
	uint8_t ptr_bits;	       /* 32 or 64 */
	uint32_t nr_offset;	       /* added to table numbers */
	bool mux;		       /* socketcall/ipc multiplexing */
	int32_t socketcall_nr, ipc_nr; /* -1 if none (offset applied) */
};
extern const struct cf_arch cf_arches[];
extern const int cf_narches;

/* ---- x86_64 and x32: one audit arch, two ABIs --------------------------
 * AUDIT_ARCH_X86_64 is shared by x86_64 and x32, whose table numbers
 * carry CF_X32_BIT (its nr_offset). Two splits of a call's nr exist:
 * libseccomp's filter takes nr >= CF_X32_BIT as x32 (cf_nr_filter_x32);
 * runc's ENOSYS stub, which runs first, tests the bit (nr & CF_X32_BIT).
 * They disagree only for nr >= 0x80000000 without the bit. Every stage
 * picks the ABI of a call with these, nothing else. */
#define CF_AUDIT_ARCH_X86_64 0xc000003eU
#define CF_X32_BIT 0x40000000U

static inline bool cf_arch_is_x32(const struct cf_arch *a)
{
	return a->audit_arch == CF_AUDIT_ARCH_X86_64 &&
	       a->nr_offset == CF_X32_BIT;
}

/* libseccomp's split: nr goes to x32's side of AUDIT_ARCH_X86_64. */
static inline bool cf_nr_filter_x32(uint32_t nr)
{
	return nr >= CF_X32_BIT;
}

/* The ABI takes calls of audit arch audit; on AUDIT_ARCH_X86_64 only
 * those of its side (x32 true: x32's, else x86_64's). */
static inline bool cf_arch_serves(const struct cf_arch *a, uint32_t audit,
				  bool x32)
{
	return a->audit_arch == audit &&
	       (audit != CF_AUDIT_ARCH_X86_64 || cf_arch_is_x32(a) == x32);
}

/* Which multiplexer a syscall also goes through on an ABI with
 * socketcall/ipc (cf_arch.mux); the generated table writes the numbers. */
enum cf_mux_kind { CF_MUX_NONE = 0, CF_MUX_SOCKETCALL = 1, CF_MUX_IPC = 2 };

struct cf_sysinfo {
	const char *name;
	uint8_t nargs;	      /* 0..6, 0xff = unknown */
	uint8_t bits_lp64[6]; /* 16/32/64, 0xfe = pointer, 0 = unknown */
	uint8_t bits_ilp32[6];
	uint32_t introduced; /* (major << 16) | minor, 0 = unknown */
	int16_t mux_call;    /* socketcall/ipc call number, -1 = none */
	uint8_t mux_kind;    /* enum cf_mux_kind */
};
/* All syscall names, sorted by strcmp. */
extern const struct cf_sysinfo cf_sysinfo[];
extern const size_t cf_nsysinfo;
/* Per syscall table: the number (offset applied) of each cf_sysinfo name,
 * -1 where absent; and the table's largest number. */
extern const int32_t *const cf_table_nrs[];
extern const uint32_t cf_table_max[];
extern const int cf_ntables;
/* Index into cf_sysinfo, or -1. A perfect hash (generated with the
 * tables): FNV-1a of the name picks a bucket, the bucket's displacement
 * picks the one slot the name can be in. */
int cf_sys_index(const char *name);
#define CF_SYS_HASH_BUCKETS 256
#define CF_SYS_HASH_SLOTS 1024
extern const uint16_t cf_sys_hash_disp[CF_SYS_HASH_BUCKETS];
extern const int16_t cf_sys_hash_slot[CF_SYS_HASH_SLOTS];
/* Number on arch (offset applied) of cf_sysinfo[idx], or -1 if absent. */
int64_t cf_sys_nr(int arch, int idx);
/* Largest number (offset applied) of the arch's table. */
uint32_t cf_arch_max_nr(int arch);
/* Calls fn for every (name index, nr) of the arch, in number order. */
void cf_arch_foreach(int arch, void (*fn)(void *ctx, int idx, uint32_t nr),
		     void *ctx);
/* Argument width in bits on arch (16/32/64, pointers as the ABI's pointer
 * width), 0 if unknown. */
unsigned cf_sys_arg_bits(int arch, int idx, unsigned arg);

#endif
