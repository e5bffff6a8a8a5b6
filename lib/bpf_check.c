/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_check.c - the kernel's rules for a seccomp program, checked before a
 * program leaves the library: the classic-BPF checks every socket filter
 * passes (length, opcodes, jump ranges, constant division by zero, scratch
 * slots, the final return, scratch memory written before it is read) and
 * seccomp's narrower opcode set with its load rules.
 */
#include "base.h"

#include <stddef.h>

/* What seccomp accepts (the kernel's seccomp_check_filter list). */
static bool seccomp_code_ok(const struct sock_filter *in, size_t pc,
			    struct cf_error *err, int *rc)
{
	switch (in->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		if (in->k >= sizeof(struct seccomp_data) || in->k & 3) {
			*rc = cf_err(err, -EINVAL,
				     "instruction %zu: load at offset %u is "
				     "outside struct seccomp_data or not "
				     "32-bit aligned",
				     pc, in->k);
			return false;
		}
		return true;
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_ALU | BPF_ADD | BPF_K:
	case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K:
	case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	default:
		*rc = cf_err(err, -EINVAL,
			     "instruction %zu: opcode 0x%04x is not allowed in "
			     "seccomp filters",
			     pc, in->code);
		return false;
	}
}

static bool is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

static int jump_error(size_t pc, size_t target, size_t len,
		      struct cf_error *err)
{
	return cf_err(err, -EINVAL,
		      "instruction %zu: jump to %zu is past the last "
		      "instruction (%zu); jumps go forward to a return",
		      pc, target, len - 1);
}

/* The classic checks on one instruction. */
static int check_insn(const struct sock_filter *in, size_t pc, size_t len,
		      struct cf_error *err)
{
	uint16_t cls = BPF_CLASS(in->code);

	if (cls == BPF_ALU && BPF_SRC(in->code) == BPF_K &&
	    (BPF_OP(in->code) == BPF_DIV || BPF_OP(in->code) == BPF_MOD) &&
	    in->k == 0)
		return cf_err(err, -EINVAL,
			      "instruction %zu: division by constant zero", pc);
	if (cls == BPF_ALU && BPF_SRC(in->code) == BPF_K &&
	    (BPF_OP(in->code) == BPF_LSH || BPF_OP(in->code) == BPF_RSH) &&
	    in->k >= 32)
		return cf_err(err, -EINVAL,
			      "instruction %zu: shift by %u (at most 31)", pc,
			      in->k);
	if ((in->code == (BPF_LD | BPF_MEM) ||
	     in->code == (BPF_LDX | BPF_MEM) || cls == BPF_ST ||
	     cls == BPF_STX) &&
	    in->k >= BPF_MEMWORDS)
		return cf_err(err, -EINVAL,
			      "instruction %zu: scratch slot %u (there are %d)",
			      pc, in->k, BPF_MEMWORDS);
	if (in->code == (BPF_JMP | BPF_JA) && in->k >= len - pc - 1)
		return jump_error(pc, pc + 1 + (size_t)in->k, len, err);
	if (is_cond_jump(in->code) &&
	    (pc + in->jt + 1 >= len || pc + in->jf + 1 >= len))
		return jump_error(
		    pc, pc + 1 + (in->jt > in->jf ? in->jt : in->jf), len, err);
	return 0;
}

/* Scratch memory must be written before it is read, on every path (the
 * kernel's check_load_and_stores). */
static int check_memory(const struct sock_filter *f, size_t len,
			struct cf_error *err)
{
	uint16_t masks[CF_BPF_MAXINSNS];
	uint16_t valid = 0;

	for (size_t i = 0; i < len; i++)
		masks[i] = 0xffff;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &f[pc];

		valid &= masks[pc];
		if (BPF_CLASS(in->code) == BPF_ST ||
		    BPF_CLASS(in->code) == BPF_STX) {
			valid |= (uint16_t)(1U << in->k);
		} else if (in->code == (BPF_LD | BPF_MEM) ||
			   in->code == (BPF_LDX | BPF_MEM)) {
			if (!(valid & (1U << in->k)))
				return cf_err(
				    err, -EINVAL,
				    "instruction %zu: scratch slot %u "
				    "read before it is written",
				    pc, in->k);
		} else if (in->code == (BPF_JMP | BPF_JA)) {
			masks[pc + 1 + in->k] &= valid;
			valid = 0xffff;
		} else if (is_cond_jump(in->code)) {
			masks[pc + 1 + in->jt] &= valid;
			masks[pc + 1 + in->jf] &= valid;
			valid = 0xffff;
		}
	}
	return 0;
}

/* Does in read or write scratch memory? */
static bool uses_memory(const struct sock_filter *in)
{
	return BPF_CLASS(in->code) == BPF_ST ||
	       BPF_CLASS(in->code) == BPF_STX ||
	       in->code == (BPF_LD | BPF_MEM) ||
	       in->code == (BPF_LDX | BPF_MEM);
}

int cf_bpf_verify(const struct sock_filter *insns, size_t len,
		  struct cf_error *err)
{
	int rc = 0;
	bool memory = false;

	if (!insns || len == 0 || len > CF_BPF_MAXINSNS)
		return cf_err(err, -EINVAL,
			      "program of %zu instructions (the kernel takes 1 "
			      "to %d)",
			      len, CF_BPF_MAXINSNS);
	for (size_t pc = 0; pc < len; pc++) {
		if (!seccomp_code_ok(&insns[pc], pc, err, &rc))
			return rc;
		if ((rc = check_insn(&insns[pc], pc, len, err)))
			return rc;
		memory |= uses_memory(&insns[pc]);
	}
	if (BPF_CLASS(insns[len - 1].code) != BPF_RET)
		return cf_err(err, -EINVAL,
			      "instruction %zu: the program does not end with "
			      "a return",
			      len - 1);
	/* a program that never touches scratch memory reads none unwritten
	 * (the generator's never do: share3-1000's verify 20 k instructions
	 * instead of 37 k, callgrind) */
	return memory ? check_memory(insns, len, err) : 0;
}
