/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oracle.c - the profile's documented meaning (SPEC §2, docs/semantics.md),
 * evaluated directly from the resolved ruleset, one call at a time. It
 * shares nothing with lib/ir_build.c or lib/ir_eval.c: no decision tables,
 * no sorting, no precomputed chains; every call walks the rules in profile
 * order. Only data is shared: the syscall table and arches.tsv (cf_arches).
 *
 *  1. runc's ENOSYS stub runs first: on the ABI the stub picks (on
 *     AUDIT_ARCH_X86_64 the 0x40000000 bit picks x32, else x86_64), a
 *     number above the largest number the profile names there returns
 *     ENOSYS, unless the default is ALLOW, LOG or TRACE. Socket/ipc names
 *     do not count on multiplexing ABIs. An ABI whose largest named number
 *     is 0 has no stub (runc's findLastSyscalls keeps no threshold of 0).
 *     On s390/s390x number 0 (setup) returns ENOSYS too, wherever the stub
 *     applies.
 *  2. libseccomp's filter: the ABI by audit arch (on x86_64's, nr >=
 *     0x40000000 is x32, except -1 when x86_64 is in the filter); not in
 *     the filter -> KILL_THREAD.
 *  3. the rules at that number (direct, or socketcall/ipc with a0 = the
 *     call number replacing the rule's own a0 conditions), dropping those
 *     whose action is the default: the first unconditional one decides;
 *     else the first argument rule in profile order whose conditions all
 *     hold; else the default action.
 */
#include "diff.h"
#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"

#include <string.h>

#define AUDIT_X86_64 0xc000003eU
#define X32_BIT 0x40000000U

/* runc's stub on s390/s390x also answers setup (number 0) with ENOSYS */
bool is_s390(int arch)
{
	uint32_t audit = cf_arches[arch].audit_arch;

	return audit == 0x80000016U || audit == 0x16U;
}

static bool arch_is_x32(int arch)
{
	return cf_arches[arch].audit_arch == AUDIT_X86_64 &&
	       cf_arches[arch].nr_offset == X32_BIT;
}

static bool enosys_default(uint32_t def)
{
	uint32_t kind = def & 0xffff0000U;

	return kind != SECCOMP_RET_ALLOW && kind != SECCOMP_RET_LOG &&
	       kind != SECCOMP_RET_TRACE;
}

static bool muxed_name(int arch, int sys)
{
	return cf_arches[arch].mux && cf_sysinfo[sys].mux_kind != CF_MUX_NONE;
}

void oracle_init(struct oracle *o, const struct cf_ruleset *rs)
{
	memset(o, 0, sizeof(*o));
	o->rs = rs;
	for (size_t i = 0; i < rs->narches; i++) {
		struct oracle_abi *a = &o->abis[o->nabis++];

		a->arch = rs->arches[i];
		if (rs->enosys != CF_ENOSYS_RUNC ||
		    !enosys_default(rs->default_action))
			continue;
		/* every name the resolved profile lists counts, whatever
		 * its action (same as default too) or conditions */
		for (size_t r = 0; r < rs->nrules; r++) {
			const struct cf_rule *ru = &rs->rules[r];
			int64_t nr;

			if (ru->sys < 0 || muxed_name(a->arch, ru->sys))
				continue;
			nr = cf_sys_nr(a->arch, ru->sys);
			if (nr > (int64_t)a->above)
				a->above = (uint32_t)nr;
		}
		/* runc starts from 0 and drops an ABI still at 0 */
		a->enosys = a->above != 0;
	}
}

bool oracle_cond(unsigned cmp_bits, const struct cf_cond *c, uint64_t arg)
{
	uint64_t m = cmp_bits == 32 ? 0xffffffffULL : ~0ULL;
	uint64_t a = arg & m, v = c->datum & m, v2 = c->datum2 & m;

	switch (c->op) {
	case CF_OP_NE:
		return a != v;
	case CF_OP_LT:
		return a < v;
	case CF_OP_LE:
		return a <= v;
	case CF_OP_EQ:
		return a == v;
	case CF_OP_GE:
		return a >= v;
	case CF_OP_GT:
		return a > v;
	case CF_OP_MASKED_EQ:
		return (a & v) == (v2 & v);
	}
	return false;
}

bool oracle_rule_at(int arch, const struct cf_rule *r, uint32_t nr, bool *muxed)
{
	const struct cf_arch *ar = &cf_arches[arch];
	int64_t direct;

	*muxed = false;
	if (r->sys < 0)
		return false;
	direct = cf_sys_nr(arch, r->sys);
	if (direct >= 0 && (uint32_t)direct == nr)
		return true;
	if (!muxed_name(arch, r->sys))
		return false;
	if (cf_sysinfo[r->sys].mux_kind == CF_MUX_SOCKETCALL
		? ar->socketcall_nr == (int64_t)nr
		: ar->ipc_nr == (int64_t)nr) {
		*muxed = true;
		return true;
	}
	return false;
}

static bool rule_holds(int arch, const struct cf_rule *r, bool muxed,
		       const struct seccomp_data *d)
{
	unsigned bits = cf_arches[arch].cmp_bits;

	if (muxed) {
		struct cf_cond c0 = {0, CF_OP_EQ,
				     (uint64_t)cf_sysinfo[r->sys].mux_call, 0};

		if (!oracle_cond(bits, &c0, d->args[0]))
			return false;
	}
	for (unsigned i = 0; i < r->nconds; i++) {
		if (muxed && r->conds[i].arg == 0)
			continue;
		if (!oracle_cond(bits, &r->conds[i], d->args[r->conds[i].arg]))
			return false;
	}
	return true;
}

static int find(const struct oracle *o, uint32_t audit, bool x32)
{
	for (size_t i = 0; i < o->nabis; i++) {
		int a = o->abis[i].arch;

		if (cf_arches[a].audit_arch != audit)
			continue;
		if (audit == AUDIT_X86_64 && arch_is_x32(a) != x32)
			continue;
		return (int)i;
	}
	return -1;
}

uint32_t oracle_decide(const struct oracle *o, const struct seccomp_data *d,
		       struct oracle_why *why)
{
	const struct cf_ruleset *rs = o->rs;
	uint32_t nr = (uint32_t)d->nr, ret = rs->default_action;
	struct oracle_why w = {.abi = -1};
	bool have = false;
	int stub, abi;

	/* 1. runc's stub */
	stub = find(o, d->arch, d->arch == AUDIT_X86_64 && (nr & X32_BIT));
	if (stub >= 0 && o->abis[stub].enosys &&
	    (nr > o->abis[stub].above ||
	     (nr == 0 && is_s390(o->abis[stub].arch)))) {
		w.enosys = true;
		w.abi = stub;
		ret = CF_RET_ERRNO(ENOSYS);
		goto out;
	}
	/* 2. the ABI */
	/* on x86_64's audit arch, nr >= 0x40000000 is x32, but for -1 (a
	 * tracer's skip), which libseccomp hands to x86_64 */
	abi = find(o, d->arch,
		   d->arch == AUDIT_X86_64 && nr >= X32_BIT &&
		       !(nr == UINT32_MAX && find(o, d->arch, false) >= 0));
	w.abi = abi;
	if (abi < 0) {
		ret = SECCOMP_RET_KILL_THREAD;
		goto out;
	}
	/* 3. the rules */
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct cf_rule *r = &rs->rules[i];
		int arch = o->abis[abi].arch;
		bool muxed;

		if (r->action == rs->default_action ||
		    !oracle_rule_at(arch, r, nr, &muxed))
			continue;
		if (!muxed && r->nconds == 0) {
			w.unconditional = true;
			ret = r->action;
			goto out;
		}
		if (!rule_holds(arch, r, muxed, d))
			continue;
		if (w.nmatch < CF_ARRAY_SIZE(w.matched)) {
			w.matched[w.nmatch] = r->action;
			w.midx[w.nmatch] = i;
			w.mmux[w.nmatch] = muxed;
		}
		if (w.nmatch && r->action != w.matched[0])
			w.actions_differ = true;
		w.nmatch++;
		if (!have)
			ret = r->action;
		have = true;
	}
out:
	if (why)
		*why = w;
	return ret;
}

/* ---- libseccomp's order among overlapping argument rules ---------------
 *
 * libseccomp has no action priority: the rules of one syscall become one
 * decision tree (db.c, _db_tree_add), each level a list of alternatives
 * kept sorted by _db_chain_lt, greatest first, and the program tries them
 * in that order, falling through to the next alternative when a subtree
 * fails. A node's key: the argument (x2, +1 for the high word of a 64-bit
 * compare), then the operator class (EQ/NE/MASKED_EQ 3, LT/LE 2, GT/GE 1),
 * then the datum's word (descending; ascending for LT/LE). A rule's nodes
 * are its conditions in argument order (the socketcall/ipc form has a0 ==
 * the call first); MASKED_EQ with an empty mask generates nothing, so a
 * rule made only of those is unconditional there.
 */
struct lnode {
	unsigned argprio, oppri;
	uint32_t datum;
	bool inv;
};

static unsigned lnodes(int arch, const struct cf_rule *r, bool muxed,
		       struct lnode *out)
{
	unsigned bits = cf_arches[arch].cmp_bits, n = 0;
	struct cf_cond c[6];
	unsigned nc = 0;

	if (muxed)
		c[nc++] = (struct cf_cond){
		    0, CF_OP_EQ, (uint64_t)cf_sysinfo[r->sys].mux_call, 0};
	for (unsigned i = 0; i < r->nconds; i++)
		if (!(muxed && r->conds[i].arg == 0) && nc < 6)
			c[nc++] = r->conds[i];
	for (unsigned a = 0; a < 6; a++) {
		for (unsigned i = 0; i < nc; i++) {
			uint64_t mask = ~0ULL, v = c[i].datum;
			struct lnode *nd;

			if (c[i].arg != a)
				continue;
			if (c[i].op == CF_OP_MASKED_EQ) {
				mask = c[i].datum;
				v = c[i].datum2 & mask;
				if (bits == 64 ? mask == 0
					       : (uint32_t)mask == 0)
					continue;
			}
			nd = &out[n++];
			nd->argprio = a * 2 + (bits == 64);
			nd->oppri =
			    c[i].op == CF_OP_LT || c[i].op == CF_OP_LE	 ? 2
			    : c[i].op == CF_OP_GT || c[i].op == CF_OP_GE ? 1
									 : 3;
			nd->inv = nd->oppri == 2;
			nd->datum =
			    bits == 64 ? (uint32_t)(v >> 32) : (uint32_t)v;
		}
	}
	return n;
}

/* > 0: a comes first in libseccomp's level order, < 0: b, 0: tie. */
static int lnode_cmp(const struct lnode *a, const struct lnode *b)
{
	if (a->argprio != b->argprio)
		return a->argprio > b->argprio ? 1 : -1;
	if (a->oppri != b->oppri)
		return a->oppri > b->oppri ? 1 : -1;
	if (a->datum != b->datum)
		return (a->datum > b->datum) != a->inv ? 1 : -1;
	return 0;
}

bool oracle_lsc_pick(const struct oracle *o, const struct seccomp_data *d,
		     const struct oracle_why *why, uint32_t *action)
{
	const struct cf_ruleset *rs = o->rs;
	struct lnode best[6], cur[6];
	unsigned nbest = 0;
	size_t n = why->nmatch < 8 ? why->nmatch : 8;
	bool have = false, tie = false;
	int arch;

	(void)d;
	if (why->abi < 0 || why->nmatch > 8)
		return false;
	arch = o->abis[why->abi].arch;
	for (size_t i = 0; i < n; i++) {
		const struct cf_rule *r = &rs->rules[why->midx[i]];
		unsigned nc = lnodes(arch, r, why->mmux[i], cur);
		int c = 0;

		if (nc == 0) {
			/* unconditional for libseccomp: the first wins */
			*action = r->action;
			return true;
		}
		if (have) {
			for (unsigned k = 0; !c && k < nc && k < nbest; k++)
				c = lnode_cmp(&cur[k], &best[k]);
			if (!c && nc != nbest)
				c = nc < nbest ? 1 : -1; /* shorter first */
		}
		if (!have || c > 0) {
			memcpy(best, cur, sizeof(best));
			nbest = nc;
			*action = r->action;
			tie = false;
			have = true;
		} else if (!c && r->action != *action) {
			tie = true;
		}
	}
	return have && !tie;
}
