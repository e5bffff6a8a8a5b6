/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_sim.c - a userspace interpreter of seccomp classic BPF.
 *
 * Loads read struct seccomp_data at byte offsets, 32 bits at a time, in
 * host byte order, as the kernel does. Arithmetic is the kernel's: a
 * shift by X uses the low five bits of X (the checker refuses constant
 * shifts of 32 or more), and a division by X = 0 ends the program with 0
 * (the check the kernel's conversion of classic BPF emits); the live tests
 * compare both with the running kernel.
 *
 * Safe on any input: an unknown opcode, a load outside the data, a jump
 * past the end, a scratch slot beyond 16 or running off the end all stop
 * the run with 0 (KILL_THREAD). Jumps only go forward, so a run executes
 * at most len instructions.
 */
#include "syscalls.h"

#include <string.h>

struct vm {
	uint32_t a, x;
	uint32_t mem[BPF_MEMWORDS];
	const struct seccomp_data *d;
};

static bool load_word(const struct seccomp_data *d, uint32_t off, uint32_t *out)
{
	if (!d || off & 3 || off > sizeof(*d) - 4)
		return false;
	memcpy(out, (const char *)d + off, 4);
	return true;
}

/* BPF_LD / BPF_LDX: the value the instruction loads. */
static bool load(const struct vm *vm, const struct sock_filter *in, uint32_t *v)
{
	switch (in->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		return load_word(vm->d, in->k, v);
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
		*v = sizeof(struct seccomp_data);
		return true;
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
		*v = in->k;
		return true;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
		if (in->k >= BPF_MEMWORDS)
			return false;
		*v = vm->mem[in->k];
		return true;
	default:
		return false;
	}
}

bool cf_bpf_alu(uint16_t op, uint32_t *a, uint32_t v)
{
	switch (op) {
	case BPF_ADD:
		*a += v;
		break;
	case BPF_SUB:
		*a -= v;
		break;
	case BPF_MUL:
		*a *= v;
		break;
	case BPF_DIV:
		if (!v)
			return false;
		*a /= v;
		break;
	case BPF_MOD:
		if (!v)
			return false;
		*a %= v;
		break;
	case BPF_OR:
		*a |= v;
		break;
	case BPF_AND:
		*a &= v;
		break;
	case BPF_XOR:
		*a ^= v;
		break;
	case BPF_LSH:
		*a <<= v & 31;
		break;
	case BPF_RSH:
		*a >>= v & 31;
		break;
	case BPF_NEG:
		*a = -*a;
		break;
	default:
		return false;
	}
	return true;
}

static bool jump(uint16_t op, uint32_t a, uint32_t v, bool *taken)
{
	switch (op) {
	case BPF_JEQ:
		*taken = a == v;
		break;
	case BPF_JGT:
		*taken = a > v;
		break;
	case BPF_JGE:
		*taken = a >= v;
		break;
	case BPF_JSET:
		*taken = (a & v) != 0;
		break;
	default:
		return false;
	}
	return true;
}

enum step { STEP_NEXT, STEP_RET, STEP_BAD };

/* Executes in; *pc already points past it and moves on jumps (it may then
 * lie past the end, which ends the run). */
static enum step step(struct vm *vm, const struct sock_filter *in, size_t *pc,
		      uint32_t *ret)
{
	uint32_t src = BPF_SRC(in->code) == BPF_X ? vm->x : in->k;
	uint32_t v;
	bool taken;

	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
	case BPF_LDX:
		if (!load(vm, in, &v))
			return STEP_BAD;
		*(BPF_CLASS(in->code) == BPF_LD ? &vm->a : &vm->x) = v;
		return STEP_NEXT;
	case BPF_ST:
	case BPF_STX:
		if (in->k >= BPF_MEMWORDS)
			return STEP_BAD;
		vm->mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? vm->a : vm->x;
		return STEP_NEXT;
	case BPF_ALU:
		return cf_bpf_alu(BPF_OP(in->code), &vm->a, src) ? STEP_NEXT
								 : STEP_BAD;
	case BPF_JMP:
		if (BPF_OP(in->code) == BPF_JA)
			*pc += in->k;
		else if (jump(BPF_OP(in->code), vm->a, src, &taken))
			*pc += taken ? in->jt : in->jf;
		else
			return STEP_BAD;
		return STEP_NEXT;
	case BPF_RET:
		*ret = BPF_RVAL(in->code) == BPF_A ? vm->a : in->k;
		return STEP_RET;
	default: /* BPF_MISC */
		if (in->code == (BPF_MISC | BPF_TAX))
			vm->x = vm->a;
		else if (in->code == (BPF_MISC | BPF_TXA))
			vm->a = vm->x;
		else
			return STEP_BAD;
		return STEP_NEXT;
	}
}

uint32_t cf_bpf_run(const struct sock_filter *insns, size_t len,
		    const struct seccomp_data *d, unsigned *executed)
{
	struct vm vm = {.d = d};
	uint32_t ret = 0;
	unsigned count = 0;
	size_t pc = 0;

	/* pc grows by at most 2^32 per step: no overflow before it passes
	 * len on a 64-bit size_t; on 32 bits the check below catches it */
	while (insns && pc < len) {
		const struct sock_filter *in = &insns[pc];
		enum step s;

		pc++;
		count++;
		s = step(&vm, in, &pc, &ret);
		if (s == STEP_RET)
			break;
		if (s == STEP_BAD || pc < (size_t)(in - insns) + 1) {
			ret = 0;
			break;
		}
	}
	if (executed)
		*executed = count;
	return ret;
}

void cf_seccomp_data_as_kernel(const struct seccomp_data *in,
			       struct seccomp_data *out)
{
	const uint16_t probe = 1;
	bool host_be = *(const uint8_t *)&probe == 0;
	bool abi_be = host_be;

	*out = *in;
	for (int i = 0; i < cf_narches; i++)
		if (cf_arches[i].audit_arch == in->arch) {
			abi_be = cf_arches[i].big_endian;
			break;
		}
	/* the value's two 32-bit halves are where a kernel of the ABI's
	 * byte order puts them, as this host reads words */
	if (abi_be != host_be)
		for (int i = 0; i < 6; i++)
			out->args[i] = in->args[i] << 32 | in->args[i] >> 32;
}
