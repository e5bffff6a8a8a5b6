/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_sim.c - a userspace interpreter of seccomp classic BPF.
 *
 * Loads read struct seccomp_data at byte offsets, 32 bits at a time, in
 * host byte order, as the kernel does. Safe on any input: out-of-range
 * loads, jumps and scratch slots end the run with KILL_THREAD (0).
 */
#include "cf.h"

#include <string.h>

static bool load_word(const struct seccomp_data *d, uint32_t off,
		      uint32_t *out)
{
	if (off & 3 || off > sizeof(*d) - 4)
		return false;
	memcpy(out, (const char *)d + off, 4);
	return true;
}

/* 32-bit arithmetic as the kernel runs it: a shift by X uses the low five
 * bits of X (the checker refuses constant shifts of 32 or more), and a
 * division by X = 0 ends the program with 0 (the kernel's conversion of
 * classic BPF emits exactly that check). */
static bool alu(uint16_t op, uint32_t *a, uint32_t v)
{
	switch (op) {
	case BPF_ADD: *a += v; break;
	case BPF_SUB: *a -= v; break;
	case BPF_MUL: *a *= v; break;
	case BPF_DIV: if (!v) return false; *a /= v; break;
	case BPF_MOD: if (!v) return false; *a %= v; break;
	case BPF_OR: *a |= v; break;
	case BPF_AND: *a &= v; break;
	case BPF_XOR: *a ^= v; break;
	case BPF_LSH: *a <<= v & 31; break;
	case BPF_RSH: *a >>= v & 31; break;
	case BPF_NEG: *a = -*a; break;
	default: return false;
	}
	return true;
}

static bool jump(uint16_t op, uint32_t a, uint32_t v, bool *taken)
{
	switch (op) {
	case BPF_JEQ: *taken = a == v; break;
	case BPF_JGT: *taken = a > v; break;
	case BPF_JGE: *taken = a >= v; break;
	case BPF_JSET: *taken = (a & v) != 0; break;
	default: return false;
	}
	return true;
}

uint32_t cf_bpf_run(const struct sock_filter *insns, size_t len,
		    const struct seccomp_data *d, unsigned *executed)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	unsigned count = 0;
	size_t pc = 0;

	while (pc < len) {
		const struct sock_filter *in = &insns[pc++];
		uint32_t src = BPF_SRC(in->code) == BPF_X ? x : in->k;
		bool taken;

		count++;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v;
			uint16_t mode = BPF_MODE(in->code);

			if (BPF_SIZE(in->code) != BPF_W)
				goto bad;
			if (mode == BPF_ABS) {
				if (BPF_CLASS(in->code) != BPF_LD ||
				    !load_word(d, in->k, &v))
					goto bad;
			} else if (mode == BPF_IMM) {
				v = in->k;
			} else if (mode == BPF_MEM) {
				if (in->k >= BPF_MEMWORDS)
					goto bad;
				v = mem[in->k];
			} else if (mode == BPF_LEN) {
				v = sizeof(*d);
			} else {
				goto bad;
			}
			if (BPF_CLASS(in->code) == BPF_LD)
				a = v;
			else
				x = v;
			break;
		}
		case BPF_ST:
		case BPF_STX:
			if (in->k >= BPF_MEMWORDS)
				goto bad;
			mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			if (!alu(BPF_OP(in->code), &a, src))
				goto bad;
			break;
		case BPF_JMP:
			if (BPF_OP(in->code) == BPF_JA) {
				if (in->k >= len - pc)
					goto bad;
				pc += in->k;
				break;
			}
			if (!jump(BPF_OP(in->code), a, src, &taken))
				goto bad;
			pc += taken ? in->jt : in->jf;
			break;
		case BPF_RET:
			if (executed)
				*executed = count;
			return BPF_RVAL(in->code) == BPF_A ? a : in->k;
		case BPF_MISC:
			if (in->code == (BPF_MISC | BPF_TAX))
				x = a;
			else if (in->code == (BPF_MISC | BPF_TXA))
				a = x;
			else
				goto bad;
			break;
		default:
			goto bad;
		}
	}
bad:
	if (executed)
		*executed = count;
	return 0;
}
