/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ir_eval.c - direct evaluation of the IR: the reference semantics that
 * code generation (bpf_gen.c) must reproduce for every input.
 *
 * Which ABI decides a call (runc's ENOSYS stub + libseccomp's filter):
 * - the audit arch picks the ABIs sharing it; a foreign arch is killed
 *   (SECCOMP_RET_KILL_THREAD), whatever the default action;
 * - AUDIT_ARCH_X86_64 is shared by x86_64 and x32. libseccomp splits them
 *   with an unsigned compare: nr >= 0x40000000 is x32, below is x86_64.
 *   runc's ENOSYS stub, which runs first, splits them on the bit instead:
 *   nr & 0x40000000 selects x32's threshold, otherwise x86_64's. The two
 *   disagree only for nr >= 0x80000000 without the bit, which the stub
 *   treats as x86_64 (ENOSYS when x86_64 has a threshold) and libseccomp
 *   as x32 (killed when x32 is not in the filter);
 * - x32 numbers carry the 0x40000000 offset in the IR already, so nr is
 *   always compared as the full 32-bit value;
 * - an ABI without a threshold (abi->enosys false: an ALLOW/LOG/TRACE
 *   default, --enosys=none, or, as runc's findLastSyscalls, a largest
 *   named number of 0) has no stub: every number reaches the filter.
 *
 * Argument comparisons (libseccomp's db.c):
 * - 64-bit-compare ABIs: unsigned 64-bit comparison of args[i] with datum;
 * - 32-bit-compare ABIs (cmp_bits 32): libseccomp keeps the datum and the
 *   mask in 32-bit fields and loads only the low word of the argument, so
 *   only the low 32 bits of argument, datum and mask take part;
 * - --harden (cf_cond.low32, cf_ir_harden): a condition on an argument
 *   the kernel reads as a C int, on a 64-bit-compare ABI, is compared as
 *   on a 32-bit-compare ABI (low 32 bits of argument, datum and mask);
 * - SCMP_CMP_MASKED_EQ: runc passes the OCI `value` as libseccomp's first
 *   datum and `valueTwo` as the second; libseccomp makes the first the mask
 *   and the second the expected value, and masks the expected value too
 *   (_db_node_mask_fixup). So with cf_cond.datum = value and .datum2 =
 *   valueTwo: (arg & datum) == (datum2 & datum).
 *
 * d->args[] hold the argument values (as the ABI's registers give them),
 * not the byte image the kernel hands to BPF: on big-endian ABIs the
 * caller of cf_bpf_run lays the words out, not this function.
 */
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"

const struct cf_ir_abi *cf_ir_find_abi(const struct cf_ir *ir, uint32_t audit,
				       bool x32)
{
	for (size_t i = 0; i < ir->nabis; i++)
		if (cf_arch_serves(&cf_arches[ir->abis[i].arch], audit, x32))
			return &ir->abis[i];
	return NULL;
}

const struct cf_ir_sys *cf_ir_find_sys(const struct cf_ir_abi *abi, uint32_t nr)
{
	size_t lo = 0, hi = abi->nsys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (abi->sys[mid].nr == nr)
			return &abi->sys[mid];
		if (abi->sys[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool cf_ir_cond_match(const struct cf_arch *arch, const struct cf_cond *c,
		      uint64_t argval)
{
	uint64_t width = cf_cond_wide(arch, c) ? UINT64_MAX : UINT32_MAX;
	uint64_t a = argval & width, d = c->datum & width;

	switch ((enum cf_op)c->op) {
	case CF_OP_NE:
		return a != d;
	case CF_OP_LT:
		return a < d;
	case CF_OP_LE:
		return a <= d;
	case CF_OP_EQ:
		return a == d;
	case CF_OP_GE:
		return a >= d;
	case CF_OP_GT:
		return a > d;
	case CF_OP_MASKED_EQ:
		return (a & d) == (c->datum2 & d);
	default:
		return false;
	}
}

static uint32_t eval_sys(const struct cf_ir_abi *abi, const struct cf_ir_sys *s,
			 const struct seccomp_data *d,
			 const struct cf_ir_chain **chain)
{
	const struct cf_arch *ar = &cf_arches[abi->arch];

	for (size_t i = 0; i < s->nchains; i++) {
		const struct cf_ir_chain *c = &s->chains[i];
		bool ok = true;

		for (unsigned j = 0; ok && j < c->nconds; j++)
			ok = cf_ir_cond_match(ar, &c->conds[j],
					      d->args[c->conds[j].arg % 6]);
		if (ok) {
			if (chain)
				*chain = c;
			return c->action;
		}
	}
	return s->fallback;
}

uint32_t cf_ir_eval(const struct cf_ir *ir, const struct seccomp_data *d,
		    const struct cf_ir_sys **sys,
		    const struct cf_ir_chain **chain)
{
	uint32_t nr = (uint32_t)d->nr, audit = d->arch;
	const struct cf_ir_abi *fa, *sa;
	const struct cf_ir_sys *s;

	if (sys)
		*sys = NULL;
	if (chain)
		*chain = NULL;
	/* fa decides in libseccomp's filter, sa owns runc's stub */
	/* libseccomp hands x86_64's nr -1 (how a tracer skips a call; the
	 * filter runs again after it) to x86_64's filter, not to x32's */
	fa = cf_ir_find_abi(
	    ir, audit,
	    cf_nr_filter_x32(nr) &&
		!(nr == UINT32_MAX && cf_ir_find_abi(ir, audit, false)));
	sa = cf_ir_find_abi(ir, audit, nr & CF_X32_BIT);
	s = fa ? cf_ir_find_sys(fa, nr) : NULL;
	if (sa && sa->enosys && nr > sa->enosys_above && !s)
		return CF_RET_ERRNO(ENOSYS);
	if (!fa)
		return CF_RET_KILL_THREAD;
	if (!s)
		return ir->default_action;
	if (sys)
		*sys = s;
	return eval_sys(fa, s, d, chain);
}
