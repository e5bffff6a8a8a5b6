/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_cache.c - the kernel's per-syscall action cache (Linux >= 5.11),
 * emulated.
 *
 * When a filter is attached, the kernel (kernel/seccomp.c,
 * seccomp_cache_prepare_bitmap) runs the program once for every syscall
 * number of its native and compat ABI with only the number and the
 * AUDIT_ARCH value known (seccomp_is_const_allow). That run understands
 * exactly: 32-bit absolute loads of nr and arch, JA, JEQ/JGE/JGT/JSET
 * against a constant, AND with a constant, RET of a constant. Anything
 * else -- a load of an argument or of the instruction pointer, an X
 * register operation, scratch memory, RET A -- makes the number
 * non-cacheable, and so does any return other than exactly
 * SECCOMP_RET_ALLOW. A cacheable number never runs the filter again: the
 * kernel allows it from a bitmap.
 */
#include "base.h"
#include "action.h"
#include "syscalls.h"

#include <stddef.h>
#include <string.h>

bool cf_bpf_cacheable(const struct sock_filter *insns, size_t len,
		      uint32_t arch, uint32_t nr)
{
	uint32_t a = 0;

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &insns[pc];
		bool res;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k == offsetof(struct seccomp_data, nr))
				a = nr;
			else if (f->k == offsetof(struct seccomp_data, arch))
				a = arch;
			else
				return false; /* argument or IP: not constant */
			continue;
		case BPF_RET | BPF_K:
			return f->k == CF_RET_ALLOW;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K:
			res = a == f->k;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			res = a >= f->k;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			res = a > f->k;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			res = (a & f->k) != 0;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			continue;
		default:
			return false; /* not modelled by the kernel */
		}
		pc += res ? f->jt : f->jf;
	}
	return false; /* ran off the end: the kernel warns */
}

size_t cf_bpf_cache_map(const struct sock_filter *insns, size_t len,
			uint32_t arch, uint32_t first, uint8_t *bitmap,
			size_t nbits)
{
	size_t n = 0;

	memset(bitmap, 0, (nbits + 7) / 8);
	for (size_t i = 0; i < nbits; i++) {
		if (!cf_bpf_cacheable(insns, len, arch, first + (uint32_t)i))
			continue;
		bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
		n++;
	}
	return n;
}

/* Kernels build a bitmap for their native ABI and, with CONFIG_COMPAT,
 * for one compat ABI (SECCOMP_ARCH_COMPAT): never for x32 or mips n32. */
static const char *const compat_of[][2] = {
    {"x86_64", "x86"},	    {"aarch64", "arm"}, {"s390x", "s390"},
    {"ppc64", "ppc"},	    {"mips64", "mips"}, {"mipsel64", "mipsel"},
    {"parisc64", "parisc"},
};

bool cf_abi_kernel_caches(int native, int abi)
{
	if (native < 0 || native >= cf_narches || abi < 0 || abi >= cf_narches)
		return false;
	if (abi == native)
		return true;
	for (size_t i = 0; i < CF_ARRAY_SIZE(compat_of); i++)
		if (!strcmp(cf_arches[native].name, compat_of[i][0]) &&
		    !strcmp(cf_arches[abi].name, compat_of[i][1]))
			return true;
	return false;
}
