/* SPDX-License-Identifier: Apache-2.0 */
/* bpf_asm.h - the small filters cli/ writes by hand (inspect's probe,
 * complain mode's probe child, record's tracer): one spelling of their
 * loads, compares and returns, and of the x86_64 prologue they share. */
#ifndef CF_CLI_BPF_ASM_H
#define CF_CLI_BPF_ASM_H

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>

/* A = the 32-bit word at member of struct seccomp_data (+ byte offset) */
#define ASM_LOAD(member, plus)                                                 \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS,                                     \
		 offsetof(struct seccomp_data, member) + (plus))
/* A == k: jump over jt instructions, else over jf */
#define ASM_JEQ(k, jt, jf) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, jt, jf)
#define ASM_RET(k) BPF_STMT(BPF_RET | BPF_K, k)
/* A = the syscall number of an x86_64 call; a call of any other ABI
 * jumps over the next `other` instructions */
#define ASM_X86_64_NR(other)                                                   \
	ASM_LOAD(arch, 0), ASM_JEQ(AUDIT_ARCH_X86_64, 0, other), ASM_LOAD(nr, 0)

#endif
