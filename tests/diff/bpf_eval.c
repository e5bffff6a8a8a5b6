/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_eval.c - a second classic-BPF interpreter, written apart from
 * lib/bpf_sim.c so that a bug there cannot hide a mismatch: one switch over
 * the full opcode, nothing shared. Out-of-range loads, unknown opcodes,
 * jumps past the end and division by zero end the run with 0 and *bad.
 */
#include "diff.h"

#include <string.h>

uint32_t diff_bpf_eval(const struct sock_filter *prog, size_t len,
		       const struct seccomp_data *d, bool *bad)
{
	uint32_t A = 0, X = 0, M[16] = {0};
	unsigned char bytes[sizeof(*d)];
	size_t pc = 0;

	memcpy(bytes, d, sizeof(bytes));
	*bad = false;
	while (pc < len) {
		const struct sock_filter f = prog[pc++];
		uint32_t k = f.k;

		switch (f.code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k % 4 || k + 4 > sizeof(bytes))
				goto fail;
			memcpy(&A, bytes + k, 4);
			break;
		case BPF_LD | BPF_W | BPF_LEN:
			A = sizeof(bytes);
			break;
		case BPF_LDX | BPF_W | BPF_LEN:
			X = sizeof(bytes);
			break;
		case BPF_LD | BPF_IMM:
			A = k;
			break;
		case BPF_LDX | BPF_IMM:
			X = k;
			break;
		case BPF_LD | BPF_MEM:
			if (k >= 16)
				goto fail;
			A = M[k];
			break;
		case BPF_LDX | BPF_MEM:
			if (k >= 16)
				goto fail;
			X = M[k];
			break;
		case BPF_ST:
			if (k >= 16)
				goto fail;
			M[k] = A;
			break;
		case BPF_STX:
			if (k >= 16)
				goto fail;
			M[k] = X;
			break;
		case BPF_ALU | BPF_ADD | BPF_K:
			A += k;
			break;
		case BPF_ALU | BPF_ADD | BPF_X:
			A += X;
			break;
		case BPF_ALU | BPF_SUB | BPF_K:
			A -= k;
			break;
		case BPF_ALU | BPF_SUB | BPF_X:
			A -= X;
			break;
		case BPF_ALU | BPF_MUL | BPF_K:
			A *= k;
			break;
		case BPF_ALU | BPF_MUL | BPF_X:
			A *= X;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			A &= k;
			break;
		case BPF_ALU | BPF_AND | BPF_X:
			A &= X;
			break;
		case BPF_ALU | BPF_OR | BPF_K:
			A |= k;
			break;
		case BPF_ALU | BPF_OR | BPF_X:
			A |= X;
			break;
		case BPF_ALU | BPF_XOR | BPF_K:
			A ^= k;
			break;
		case BPF_ALU | BPF_XOR | BPF_X:
			A ^= X;
			break;
		case BPF_ALU | BPF_LSH | BPF_K:
			A <<= k & 31;
			break;
		case BPF_ALU | BPF_LSH | BPF_X:
			A <<= X & 31;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			A >>= k & 31;
			break;
		case BPF_ALU | BPF_RSH | BPF_X:
			A >>= X & 31;
			break;
		case BPF_ALU | BPF_NEG:
			A = 0 - A;
			break;
		case BPF_ALU | BPF_DIV | BPF_K:
		case BPF_ALU | BPF_DIV | BPF_X:
		case BPF_ALU | BPF_MOD | BPF_K:
		case BPF_ALU | BPF_MOD | BPF_X: {
			uint32_t v = BPF_SRC(f.code) == BPF_X ? X : k;

			if (!v)
				goto fail;
			A = BPF_OP(f.code) == BPF_DIV ? A / v : A % v;
			break;
		}
		case BPF_JMP | BPF_JA:
			if (k > len - pc)
				goto fail;
			pc += k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JEQ | BPF_X:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_X:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_X:
		case BPF_JMP | BPF_JSET | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_X: {
			uint32_t v = BPF_SRC(f.code) == BPF_X ? X : k;
			bool t;

			if (BPF_OP(f.code) == BPF_JEQ)
				t = A == v;
			else if (BPF_OP(f.code) == BPF_JGT)
				t = A > v;
			else if (BPF_OP(f.code) == BPF_JGE)
				t = A >= v;
			else
				t = (A & v) != 0;
			pc += t ? f.jt : f.jf;
			break;
		}
		case BPF_RET | BPF_K:
			return k;
		case BPF_RET | BPF_A:
			return A;
		case BPF_MISC | BPF_TAX:
			X = A;
			break;
		case BPF_MISC | BPF_TXA:
			A = X;
			break;
		default:
			goto fail;
		}
	}
fail:
	*bad = true;
	return 0;
}
