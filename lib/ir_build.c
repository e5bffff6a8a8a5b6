/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ir_build.c - ruleset (by name) -> per-ABI decision tables (by number).
 *
 * The rules are grouped by syscall once (by_sys); for each ABI of the
 * filter:
 *   1. every rule becomes an entry at its syscall number on that ABI (names
 *      absent there add nothing); on multiplexing ABIs a socket/ipc rule
 *      also becomes an entry at socketcall/ipc with a0 == the call number;
 *   2. entries are grouped by number, in profile order; rules whose action
 *      equals the default are dropped (runc skips them); a number with
 *      one syscall's own rules decides as on the ABI before that had
 *      them, and takes that decision, chains and all (decide_units);
 *   3. precedence: an unconditional rule makes the syscall unconditional
 *      (the first such rule decides), as in libseccomp; otherwise the
 *      argument chains are tried in profile order. libseccomp orders a
 *      syscall's rules in a tree by argument index, operator and value
 *      instead, so where two rules with different actions match one call
 *      the two can differ: `check` warns (overlapping-rules);
 *   4. runc's ENOSYS stub: numbers above the largest number the profile
 *      names on the ABI return ENOSYS (docs/semantics.md); on s390x so
 *      does number 0. Like runc's findLastSyscalls, an ABI whose largest
 *      named number is 0 (only `read` on x86_64) gets no stub at all.
 */
#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"

#include <stdlib.h>
#include <string.h>

/* Numbers of one ABI span at most this many values (the tables span about
 * 550): entries are counting-sorted over that range. Gain: the IR stage of
 * Docker's profile 7.0 us instead of 33.3 with qsort alone (cf-bench
 * stages docker-default.json 1000, 5 interleaved rounds, 2-core VM,
 * 2026-12-04). The qsort branch is not reached from the tables (every
 * number is in its ABI's range); the result against a stable sort's:
 * tests/test_speed.c, speed_ir_sorted_as_a_stable_sort. */
#define CF_SORT_SPAN 1024

/* Small on purpose: a compile sorts a few hundred per ABI. */
struct entry {
	uint32_t nr;
	uint32_t seq; /* index into the ruleset's rules (a unit's: its
		       * syscall's in by_sys), | CF_MUXED */
};
/* the rule reached through socketcall/ipc, with a0 == its call number */
#define CF_MUXED 0x80000000U

/* A syscall of the ruleset, for every ABI: the rules on it are grouped
 * once per compile (by_sys), not once per ABI (x86_64, x86 and x32 name
 * mostly the same syscalls). */
struct sys_slot {
	/* its rules but the default's: idx[at..at + n) */
	uint32_t at, n;
	/* its decision on an earlier ABI (decide_units), NULL */
	const struct cf_ir_sys *kept;
};

/* The ruleset's syscalls and their rules (by_sys), in the order they are
 * first named: slot[k] is syms[k]'s. Only the syscalls named have a
 * slot, found through a table of uint16_t by cf_sysinfo index while the
 * rules are grouped (a calloc of 1 KiB instead of 8 KiB of slots:
 * callgrind counts memset's rep stosb a byte at a time). */
struct by_sys {
	struct sys_slot *slot; /* nsyms of them */
	uint32_t *idx;	       /* rule indexes, by syscall, in order */
	int *syms;	       /* the named syscalls, as first named */
	uint32_t *seqs; /* room for one number's entries (by_sys_init: links) */
	size_t nsyms;
	size_t nmuxed; /* of them multiplexed (socketcall, ipc) */
	void *block;   /* the arrays above, one allocation */
};

struct abi_build {
	const struct cf_rule *rules; /* the ruleset's */
	struct by_sys *by;
	/* units: (number, syscall | CF_MUXED), one per syscall with rules
	 * (and one more at socketcall/ipc for a multiplexed one) */
	struct entry *e;
	size_t n;
	/* largest counted number (ENOSYS threshold); 0 = no stub, as in
	 * runc, which starts from 0 and keeps no threshold of 0 */
	uint32_t max;
	int socketcall, ipc; /* cf_sysinfo indexes */
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	uint32_t xs = x->seq & ~CF_MUXED, ys = y->seq & ~CF_MUXED;

	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return xs < ys ? -1 : xs > ys;
}

static void count_nr(struct abi_build *b, uint32_t nr)
{
	if (nr > b->max)
		b->max = nr;
}

static void add_entry(struct abi_build *b, uint32_t nr, uint32_t seq)
{
	b->e[b->n++] = (struct entry){nr, seq};
}

/* (seq: an entry's, a rule index | CF_MUXED) */
static const struct cf_rule *rule_of(const struct abi_build *b, uint32_t seq)
{
	return &b->rules[seq & ~CF_MUXED];
}

static int32_t mux_call_of(const struct abi_build *b, uint32_t seq)
{
	return seq & CF_MUXED ? cf_sysinfo[rule_of(b, seq)->sys].mux_call : -1;
}

/* cf_sysinfo index of the number's own name */
static int sys_of(const struct abi_build *b, uint32_t seq)
{
	int sys = rule_of(b, seq)->sys;

	if (!(seq & CF_MUXED))
		return sys;
	return cf_sysinfo[sys].mux_kind == CF_MUX_SOCKETCALL ? b->socketcall
							     : b->ipc;
}

/* The chain of rule r (not multiplexed). */
static inline struct cf_ir_chain rule_chain(const struct cf_rule *r)
{
	return (struct cf_ir_chain){.conds = r->conds,
				    .nconds = r->nconds,
				    .action = r->action,
				    .rule = r};
}

/* Writes the chain of an entry into c; -ENOMEM. Its conditions are the
 * rule's own, not a copy (a chain is 24 bytes instead of 208 with six
 * conditions in it: actions-1000's IR 0.55 MB smaller; `callfence
 * compile` of valueset-1000 418 page faults instead of 514, and in a loop
 * of compiles share3-1000's heap back under glibc's trim threshold, 0.5
 * faults a compile instead of 76; `cf-bench compile`, 2026-12-04). The
 * multiplexed form, in a's memory: a0 becomes the call number, the
 * rule's other conditions are compared against the multiplexer's own
 * arguments. */
static int chain_of(struct cf_arena *a, const struct abi_build *b, uint32_t seq,
		    struct cf_ir_chain *c)
{
	const struct cf_rule *r = rule_of(b, seq);
	int32_t mux_call = mux_call_of(b, seq);
	struct cf_cond *own;
	uint8_t n = 0;

	*c = rule_chain(r);
	if (mux_call < 0)
		return 0;
	own = cf_arena_array_raw(a, CF_CHAIN_CONDS, sizeof(*own));
	if (!own)
		return -ENOMEM;
	own[n++] = (struct cf_cond){0, CF_OP_EQ, (uint32_t)mux_call, 0};
	for (unsigned i = 0; i < r->nconds; i++)
		if (r->conds[i].arg != 0 && n < CF_CHAIN_CONDS)
			own[n++] = r->conds[i];
	c->conds = own;
	c->nconds = n;
	return 0;
}

/* The units of ABI arch into b (every syscall named, in the order of
 * by->syms: sort_entries puts them in order): a syscall with rules at its
 * number, a multiplexed one also at socketcall/ipc. */
static void collect(int arch, struct abi_build *b)
{
	const struct cf_arch *ar = &cf_arches[arch];
	const int32_t *nrs = cf_table_nrs[ar->table]; /* a supported ABI */

	for (size_t i = 0; i < b->by->nsyms; i++) {
		int sys = b->by->syms[i];
		const struct cf_sysinfo *si = &cf_sysinfo[sys];
		int64_t nr = nrs[sys];
		bool muxed = ar->mux && si->mux_kind != CF_MUX_NONE;

		/* libseccomp resolves muxed names to pseudo numbers there:
		 * they do not move runc's ENOSYS threshold */
		if (nr >= 0 && !muxed)
			count_nr(b, (uint32_t)nr);
		if (!b->by->slot[i].n)
			continue; /* the default's rules only */
		if (nr >= 0)
			add_entry(b, (uint32_t)nr, (uint32_t)i);
		if (muxed) {
			int32_t mnr = si->mux_kind == CF_MUX_SOCKETCALL
					  ? ar->socketcall_nr
					  : ar->ipc_nr;

			if (mnr >= 0)
				add_entry(b, (uint32_t)mnr,
					  (uint32_t)i | CF_MUXED);
		}
	}
}

/* Merges the ascending rule indexes x[0..n) (| mux) into the m entries
 * of out, ascending by rule index (room behind them), from the back. */
static void merge_seqs(uint32_t *out, size_t m, const uint32_t *x, size_t n,
		       uint32_t mux)
{
	size_t w = m + n;

	while (n) {
		if (m && (out[m - 1] & ~CF_MUXED) > x[n - 1])
			out[--w] = out[--m];
		else
			out[--w] = x[--n] | mux;
	}
}

/* The entries of units u[0..k) (one number, k > 1: socketcall's,
 * aliases) into out, in profile order (a rule is at most once at a
 * number); returns how many. Each unit's rule indexes are ascending
 * already: merged, not sorted (share3-1000's 14.6 k instructions of
 * qsort, callgrind). */
static size_t unit_entries(const struct abi_build *b, const struct entry *u,
			   size_t k, uint32_t *out)
{
	size_t m = 0;

	for (size_t i = 0; i < k; i++) {
		const struct sys_slot *sl = &b->by->slot[u[i].seq & ~CF_MUXED];

		merge_seqs(out, m, &b->by->idx[sl->at], sl->n,
			   u[i].seq & CF_MUXED);
		m += sl->n;
	}
	return m;
}

/* Decision of syscall number nr from its entries seqs[0..n) | mux (in
 * order). */
static int decide_sys(struct cf_arena *a, const struct cf_ruleset *rs,
		      const struct abi_build *b, uint32_t nr,
		      const uint32_t *seqs, size_t n, uint32_t mux,
		      struct cf_ir_sys *out)
{
	out->nr = nr;
	out->sys = sys_of(b, seqs[0] | mux);
	out->fallback = rs->default_action;
	out->fallback_rule = NULL;
	out->chains = NULL;
	out->nchains = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t seq = seqs[i] | mux;
		const struct cf_rule *r = rule_of(b, seq);

		/* a multiplexed entry always has its a0 condition */
		if (!(seq & CF_MUXED) && r->nconds == 0) {
			out->fallback = r->action;
			out->fallback_rule = r;
			return 0;
		}
	}
	out->nchains = n;
	/* not zeroed: each chain is written whole below (chain_of) */
	out->chains = cf_arena_array_raw(a, n, sizeof(*out->chains));
	if (!out->chains)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t seq = seqs[i] | mux;

		/* (most: a syscall's own rule, its chain inline) */
		if (!(seq & CF_MUXED))
			out->chains[i] = rule_chain(rule_of(b, seq));
		else if (chain_of(a, b, seq, &out->chains[i]))
			return -ENOMEM;
	}
	return 0;
}

/* The decision of the number of units u[0..k) into s; -ENOMEM. One unit, a
 * syscall's own rules (not multiplexed), decides alike on every ABI but for the
 * number: an ABI after the first copies that decision, its chains too, instead
 * of deciding again (x86_64, x86 and x32 name mostly the same syscalls). The
 * generator tells such syscalls alike by their chains' address (gen_share.c);
 * --harden copies shared chains before it changes them (cf_ir_harden). */
static int decide_units(struct cf_arena *a, const struct cf_ruleset *rs,
			const struct abi_build *b, const struct entry *u,
			size_t k, struct cf_ir_sys *s)
{
	struct sys_slot *one = &b->by->slot[u->seq & ~CF_MUXED];
	/* (k == 1 is a precaution: the tables have no two names at one
	 * number, so only socketcall/ipc's numbers have several units, and
	 * they are the same on every ABI that has them; a mutation without
	 * it cannot be caught) */
	struct sys_slot *sl = k == 1 && !(u->seq & CF_MUXED) ? one : NULL;
	int rc;

	if (sl && sl->kept) {
		*s = *sl->kept;
		s->nr = u->nr;
		return 0;
	}
	if (k == 1) /* its rules as they are */
		rc = decide_sys(a, rs, b, u->nr, &b->by->idx[one->at], one->n,
				u->seq & CF_MUXED, s);
	else
		rc = decide_sys(a, rs, b, u->nr, b->by->seqs,
				unit_entries(b, u, k, b->by->seqs), 0, s);
	if (rc)
		return -ENOMEM;
	if (sl && (s->nchains || s->fallback != rs->default_action))
		sl->kept = s; /* (build_abi keeps s) */
	return 0;
}

static bool enosys_applies(const struct cf_ruleset *rs)
{
	uint32_t kind = rs->default_action & CF_RET_ACTION_FULL;

	return rs->enosys == CF_ENOSYS_RUNC && kind != CF_RET_ALLOW &&
	       kind != CF_RET_LOG && kind != CF_RET_TRACE(0);
}

static bool s390_setup_stub(int arch)
{
	uint32_t audit = cf_arches[arch].audit_arch;

	return audit == 0x80000016U /* S390X */ || audit == 0x16U /* S390 */;
}

/* Orders e[0..n) by number, profile order within a number, into out: a
 * counting sort over the ABI's number range (a few hundred numbers), so
 * linear in the rules; qsort only if a number falls outside the table's
 * range. Returns the number of distinct numbers. */
static size_t sort_entries(int arch, const struct entry *e, size_t n,
			   struct entry *out)
{
	uint32_t lo = cf_arches[arch].nr_offset;
	uint32_t span = cf_arch_max_nr(arch) - lo + 1;
	uint32_t start[CF_SORT_SPAN + 1];
	size_t distinct = 0;

	bool outside = span > CF_SORT_SPAN;

	/* counted and checked in one sweep (a number outside: qsort) */
	if (!outside)
		memset(start, 0, (span + 1) * sizeof(*start));
	for (size_t i = 0; i < n && !outside; i++) {
		uint32_t k = e[i].nr - lo;

		outside = e[i].nr < lo || k >= span;
		distinct += !start[outside ? 0 : k + 1]++;
	}
	if (outside) {
		memcpy(out, e, n * sizeof(*e));
		qsort(out, n, sizeof(*out), cmp_entry);
		distinct = 0;
		for (size_t i = 0; i < n; i++)
			distinct += !i || out[i].nr != out[i - 1].nr;
		return distinct;
	}
	for (uint32_t k = 0; k < span; k++)
		start[k + 1] += start[k];
	for (size_t i = 0; i < n; i++)
		out[start[e[i].nr - lo]++] = e[i];
	return distinct;
}

/* e: room for 2 * cap entries (cap: the syscalls + the multiplexed ones):
 * the units, then sorted */
static int build_abi(struct cf_arena *a, const struct cf_ruleset *rs, int arch,
		     struct entry *e, size_t cap, struct by_sys *by,
		     struct cf_ir_abi *out, struct cf_error *err)
{
	size_t i = 0, distinct;
	struct abi_build b = {.rules = rs->rules,
			      .by = by,
			      .e = e,
			      .socketcall = cf_sys_index("socketcall"),
			      .ipc = cf_sys_index("ipc")};
	struct entry *sorted = e + cap;

	out->arch = arch;
	collect(arch, &b);
	distinct = sort_entries(arch, b.e, b.n, sorted);
	if (enosys_applies(rs) && b.max != 0) {
		out->enosys = true;
		out->enosys_above = b.max;
	}
	/* decide_sys writes every field of the entries it keeps; one more
	 * for the s390 stub */
	out->sys = cf_arena_raw(a, (distinct + 1) * sizeof(*out->sys),
				_Alignof(struct cf_ir_sys));
	if (!out->sys)
		goto oom;
	if (out->enosys && s390_setup_stub(arch)) {
		/* runc's stub on s390/s390x: nr 0 (setup, which the kernel
		 * uses to pass large numbers it does not know) -> ENOSYS,
		 * before the filter proper */
		out->sys[out->nsys++] = (struct cf_ir_sys){
		    .nr = 0, .sys = -1, .fallback = CF_RET_ERRNO(ENOSYS)};
		while (i < b.n && sorted[i].nr == 0)
			i++;
	}
	while (i < b.n) {
		size_t j = i;
		struct cf_ir_sys *s = &out->sys[out->nsys];

		while (j < b.n && sorted[j].nr == sorted[i].nr)
			j++;
		/* runc's stub answers above the threshold before the
		 * filter proper sees the call */
		if (!(out->enosys && sorted[i].nr > out->enosys_above)) {
			if (decide_units(a, rs, &b, &sorted[i], j - i, s))
				goto oom;
			if (s->nchains || s->fallback != rs->default_action)
				out->nsys++;
			else
				memset(s, 0, sizeof(*s));
		}
		i = j;
	}
	return 0;
oom:
	return cf_err(err, -ENOMEM, "out of memory");
}

/* by's arrays in one block (by->block): the slots, then the uint32_t
 * and int arrays, each room for n (every rule names one syscall). */
static bool by_sys_alloc(struct by_sys *by, size_t n)
{
	size_t si = n * sizeof(*by->slot);
	size_t ss = si + n * sizeof(*by->idx);
	size_t sq = ss + n * sizeof(*by->syms);
	char *b = malloc(sq + n * sizeof(*by->seqs));

	*by = (struct by_sys){.block = b};
	if (!b)
		return false;
	by->slot = (struct sys_slot *)(void *)b;
	by->idx = (uint32_t *)(void *)(b + si);
	by->syms = (int *)(void *)(b + ss);
	by->seqs = (uint32_t *)(void *)(b + sq);
	return true;
}

/* The slot of rule r's syscall (a new one at its first rule), by pos
 * (cf_sysinfo index -> slot + 1), NULL for an unknown name. */
static struct sys_slot *slot_of_rule(struct by_sys *by, uint16_t *pos,
				     const struct cf_rule *r)
{
	if (r->sys < 0)
		return NULL;
	if (!pos[r->sys]) {
		by->slot[by->nsyms] = (struct sys_slot){0, 0, NULL};
		by->syms[by->nsyms++] = r->sys;
		by->nmuxed += cf_sysinfo[r->sys].mux_kind != CF_MUX_NONE;
		pos[r->sys] = (uint16_t)by->nsyms;
	}
	return &by->slot[pos[r->sys] - 1];
}

/* The syscalls rs names and their rules, into by (malloc'd: by_sys_free);
 * false without memory. */
static bool by_sys_init(const struct cf_ruleset *rs, struct by_sys *by)
{
	uint32_t at = 0;
	/* (the tables have 518 syscalls: a uint16_t holds slot + 1) */
	uint16_t *pos =
	    cf_nsysinfo < UINT16_MAX ? calloc(cf_nsysinfo, sizeof(*pos)) : NULL;

	if (!by_sys_alloc(by, rs->nrules ? rs->nrules : 1) || !pos) {
		free(pos);
		return false;
	}
	/* each syscall's rules as a list, the last first (at: its head + 1,
	 * seqs: the links; seqs is free until decide_units), then laid out
	 * in order: one sweep of the rules instead of two */
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct cf_rule *r = &rs->rules[i];
		struct sys_slot *sl = slot_of_rule(by, pos, r);

		if (!sl || r->same_as_default)
			continue;
		sl->n++;
		by->seqs[i] = sl->at;
		sl->at = (uint32_t)i + 1;
	}
	for (size_t k = 0; k < by->nsyms; k++) {
		struct sys_slot *sl = &by->slot[k];
		uint32_t w = at + sl->n;

		for (uint32_t l = sl->at; l; l = by->seqs[l - 1])
			by->idx[--w] = l - 1;
		sl->at = at;
		at += sl->n;
	}
	free(pos);
	return true;
}

static void by_sys_free(struct by_sys *by)
{
	free(by->block);
}

int cf_ir_build(struct cf_arena *a, const struct cf_ruleset *rs,
		struct cf_ir *out, struct cf_error *err)
{
	struct entry *e = NULL;
	struct by_sys by = {0};
	size_t cap;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->default_action = rs->default_action;
	out->flags = rs->flags;
	if (by_sys_init(rs, &by)) {
		/* a unit per syscall, one more for a multiplexed one;
		 * zeroed, though collect writes the units sort_entries reads
		 * and it the ones build_abi reads: clang's analyzer does not
		 * follow the counting sort */
		cap = by.nsyms + by.nmuxed + 1;
		e = calloc(2 * cap, sizeof(*e));
	}
	if (!e) {
		by_sys_free(&by);
		return cf_err(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; !rc && i < rs->narches; i++) {
		rc = build_abi(a, rs, rs->arches[i], e, cap, &by, &out->abis[i],
			       err);
		if (!rc)
			out->nabis++;
	}
	by_sys_free(&by);
	free(e);
	return rc;
}

/* ---- --harden: conditions on C int arguments see only the low word ---- */

/* Is v's upper half 0 or the sign extension of its low half? */
static bool upper_plain(uint64_t v)
{
	uint32_t hi = (uint32_t)(v >> 32);

	return hi == 0 || (hi == UINT32_MAX && (v & 0x80000000U));
}

struct harden_seen {
	const void **p;
	size_t n, cap;
};

/* Has key been warned about? Notes it (no OOM path: a failed note only
 * repeats the warning). */
static bool seen_once(struct harden_seen *h, const void *key)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->p[i] == key)
			return true;
	if (CF_GROW(h->p, h->cap, h->n + 1, 16))
		return false;
	h->p[h->n++] = key;
	return false;
}

static void warn_upper(const struct cf_ir_chain *c, const struct cf_cond *cd,
		       const char *file, cf_diag_fn fn, void *ctx,
		       struct harden_seen *seen)
{
	const struct cf_rule_src *src = c->rule ? c->rule->src : NULL;
	const struct cf_pos *pa = NULL;
	const void *key = cd;
	struct cf_loc loc = {file, NULL, 0, 0};
	uint64_t v =
	    cd->op == CF_OP_MASKED_EQ ? cd->datum2 & cd->datum : cd->datum;

	if (upper_plain(cd->datum) && upper_plain(v))
		return;
	for (size_t i = 0; src && i < src->nargs; i++)
		if (src->args[i].arg == cd->arg &&
		    src->args[i].datum == cd->datum &&
		    src->args[i].op == cd->op)
			pa = &src->args_pos[i];
	if (pa) {
		key = pa;
		loc = (struct cf_loc){file, pa->pointer, pa->line, pa->col};
	} else if (src) {
		key = src;
		loc = (struct cf_loc){file, src->pos.pointer, src->pos.line,
				      src->pos.col};
	}
	if (seen_once(seen, key))
		return;
	cf_warn(fn, ctx, "harden-upper-bits", &loc,
		"--harden: argument %u of '%s' is a 32-bit int, but the "
		"rule's %s 0x%llx has an upper half that is neither 0 nor a "
		"sign extension; the kernel reads only the low 32 bits, so "
		"the rule is compared on those: %s 0x%x",
		cd->arg, c->rule ? c->rule->name : "?",
		cd->op == CF_OP_MASKED_EQ ? "mask" : "value",
		(unsigned long long)(upper_plain(cd->datum) ? v : cd->datum),
		cd->op == CF_OP_MASKED_EQ ? "mask" : "value",
		(uint32_t)(upper_plain(cd->datum) ? v : cd->datum));
}

/* c's conditions made its own (in a's memory), to be changed; NULL on
 * OOM. */
static struct cf_cond *own_conds(struct cf_arena *a, struct cf_ir_chain *c)
{
	struct cf_cond *own = cf_arena_array_raw(a, c->nconds, sizeof(*own));

	if (own) {
		memcpy(own, c->conds, c->nconds * sizeof(*own));
		c->conds = own;
	}
	return own;
}

/* --harden on chain c of syscall sys: its conditions on 32-bit int
 * arguments compare the low word; -ENOMEM. */
static int harden_chain(struct cf_arena *ar, int arch, int sys,
			struct cf_ir_chain *c, const char *file, cf_diag_fn fn,
			void *ctx, struct harden_seen *seen)
{
	struct cf_cond *own = NULL;

	for (unsigned i = 0; i < c->nconds; i++) {
		unsigned bits = cf_sys_arg_bits(arch, sys, c->conds[i].arg);

		if (bits != 16 && bits != 32)
			continue;
		if (!own && !(own = own_conds(ar, c)))
			return -ENOMEM;
		own[i].low32 = 1;
		warn_upper(c, &own[i], file, fn, ctx, seen);
	}
	return 0;
}

/* s's chains made its own (in a's memory), to be changed: cf_ir_build
 * shares a syscall's chains between ABIs (decide_units), and x86's must
 * stay as written. -ENOMEM. */
static int unshare_chains(struct cf_arena *a, struct cf_ir_sys *s)
{
	struct cf_ir_chain *c = cf_arena_array_raw(a, s->nchains, sizeof(*c));

	if (!c)
		return -ENOMEM;
	memcpy(c, s->chains, s->nchains * sizeof(*c));
	s->chains = c;
	return 0;
}

/* --harden on the chains of s on ABI arch; -ENOMEM. */
static int harden_sys(struct cf_arena *ar, int arch, struct cf_ir_sys *s,
		      const char *file, cf_diag_fn fn, void *ctx,
		      struct harden_seen *seen)
{
	if (s->sys < 0 || !s->nchains)
		return 0;
	if (unshare_chains(ar, s))
		return -ENOMEM;
	for (size_t j = 0; j < s->nchains; j++)
		if (harden_chain(ar, arch, s->sys, &s->chains[j], file, fn, ctx,
				 seen))
			return -ENOMEM;
	return 0;
}

int cf_ir_harden(struct cf_arena *ar, struct cf_ir *ir, const char *file,
		 cf_diag_fn fn, void *ctx)
{
	struct harden_seen seen = {0};
	int rc = 0;

	for (size_t a = 0; !rc && a < ir->nabis; a++) {
		const struct cf_ir_abi *abi = &ir->abis[a];

		if (cf_arches[abi->arch].cmp_bits != 64)
			continue; /* only low words are compared there */
		for (size_t k = 0; !rc && k < abi->nsys; k++)
			rc = harden_sys(ar, abi->arch, &abi->sys[k], file, fn,
					ctx, &seen);
	}
	free(seen.p);
	return rc;
}
