/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_gen.c - IR -> classic BPF, deciding exactly as cf_ir_eval does.
 *
 *   ld arch; one jeq per audit arch (native first); ret KILL_THREAD
 *   per audit arch: ld nr; a balanced binary search (jge) over the ranges
 *     of syscall numbers that share one decision: argument-free ranges
 *     jump straight to a return, a syscall with argument chains runs them
 *     (first match wins, then its fallback)
 *   a pool of returns, one per distinct action
 *
 * Code is emitted as a list of instructions whose jumps name labels, all
 * forward. link() lays the list out; a conditional jump whose target is
 * more than 255 instructions away gets a trampoline right behind it: a
 * copy of the RET it aims at, or a JA (32-bit offset). Trampolines move
 * other targets farther, so link() repeats until nothing changes. Far
 * jumps into the return pool thus become inline returns: a return is
 * shared wherever a jump reaches it.
 *
 * The accumulator's content is tracked through labels (the meet over the
 * incoming edges) so that a word already loaded is not loaded again.
 * Argument-free decisions never load an argument: the kernel's per-syscall
 * action cache relies on that (tests/test_opt.c checks it with
 * cf_bpf_cacheable).
 *
 * That is the plain form (cf_gen_opts.plain), kept simple on purpose: the
 * optimized one must decide exactly like it (tests/test_opt.c). The
 * optimized form (the default) differs in:
 *   - layout: the native ABI's search comes last, after the others', so
 *     that its check needs no trampoline while the others are short;
 *   - the search over syscall numbers is weighted by call frequency
 *     (sys_weights.c, by name) and depth-bounded: at most
 *     ceil(log2(room)) levels, where a range takes one unit of the
 *     deepest level and a syscall with argument checks two (aligned), so
 *     it sits a level higher; [X][nr][X] is one JEQ;
 *   - argument checks: chains that test one argument with interval
 *     operators become a step function of it, searched by words (high
 *     word first); chains of one action (an OR) are searched by their
 *     most tested argument, with the other conditions as shared residues;
 *   - returns: a far jump to a pool return lands on the nearest RET of the
 *     same action ahead; syscall code that still jumped far gets its own
 *     returns in a second pass when enough of them did (shorter wins);
 *     before the layout, a RET whose ways in can all reach the nearest RET
 *     of its action ahead is dropped and they lead there (merge_rets);
 *   - value runs (gen_values.c; cf_gen_opts.no_value_runs): in a search
 *     over an argument word, lone values (one value wide, between steps
 *     that decide alike: an allow-list) are one JEQ each, where a node's
 *     run is no deeper than its balanced search; else the node splits at
 *     its middle lone value;
 *   - number chains (cf_gen_opts.no_number_runs): a node of the weighted
 *     search over a few ranges may be a chain instead: its exceptions
 *     (ranges that do not decide as most of its ranges) one after
 *     another, one JEQ per syscall or lone number, a JGE or two per wider
 *     range (emit_chain); taken when the chain is shorter than the
 *     node's search, fits its depth and the node has at most
 *     1/CHAIN_COLD_SHARE of the native ABI's calls (emit_wtree_chain);
 *   - shared bodies (cf_gen_opts.no_shared_bodies): the code of a
 *     syscall with checks depends only on its live chains, fallback and
 *     the ABI's width (body_same); code that several ranges need (many
 *     syscalls with one rule set, x86_64 and x32, x86 and x32) is emitted
 *     once, where its last use is emitted; the searches' earlier uses
 *     jump ahead to it (a JA where the search falls through to it), so
 *     every jump stays forward (emit_shared_inline); on a 64-bit ABI,
 *     a syscall whose chains test one argument against values below
 *     2^32 (and whose code is its own) is a high-word check and the
 *     32-bit code that x86 or x32 needs for the same rules
 *     (emit_narrow_leaf): x86_64 runs on x86's or x32's low-word code;
 *   - unreached code (gen_unreached.c; cf_gen_opts.no_drop_unreached):
 *     after the link, instructions no path reaches (a pool return whose
 *     jumps all got a copy next to them) are dropped;
 *   - size first (cf_gen_opts.no_size_first, .size_first): a program over
 *     the kernel's limit is generated again with code shared between
 *     searches, lone values as JEQ runs of up to CF_VALUE_RUN_MAX
 *     whatever the depth, and the number search balanced by count down
 *     to chains of at most SIZE_CHAIN_MAX compares (emit_number_chains);
 *     a large one (over a quarter of the limit) tries that layout too.
 *     The shortest program wins; a refusal gives the length of the
 *     shortest.
 *
 * Memory: every pass links its program into gen_mem.programs; the
 * shortest is copied to the caller's arena at the end, so the filter's
 * arena holds the program only. A pass's tables (step tables, bit sets,
 * value runs) come from the scratch stack gen_mem.tables
 * (gen_scratch.c): rewound behind each syscall's code and each value
 * run, reset after each pass; arrays that grow (instructions, labels,
 * ranges, returns) are malloc'd and freed by gen_pass. actions-1000,
 * in process: 641 page faults and 11.5 ms a compile before, 5 and
 * 2.4 ms after (docs/performance.md, "Compile speed").
 *
 * Labels (cf_gen_opts.label, for compile --stats): every instruction
 * carries the part being emitted (g->part: dispatch, search, a syscall's
 * argument code, returns) and its ABI; link() copies them to
 * cf_prog.parts, trampolines taking their instruction's. Labelling does
 * not change the program.
 *
 * --harden: conditions marked low32 (cf_ir_harden) compare the low word
 * only; a syscall whose conditions are all marked is generated on a
 * 32-bit view of its ABI (gen_sys_checks), a mix runs its chains as
 * written.
 */
#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "bpf_gen.h"
#include "gen_values.h"
#include "gen_unreached.h"
#include "gen_scratch.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define NEXT (-1)   /* jump target: the instruction that follows */
#define ST_TOP (-2) /* accumulator state: no path reaches this point */
#define ST_UNK (-1) /* accumulator state: unknown; >= 0: loaded from k */

#define OFF_NR ((int)offsetof(struct seccomp_data, nr))
#define OFF_ARCH ((int)offsetof(struct seccomp_data, arch))
#define OFF_ARGS ((uint32_t)offsetof(struct seccomp_data, args))

struct ginsn {
	uint16_t code;
	uint32_t k;
	int jt, jf;   /* label ids (JA: jt), NEXT */
	int body;     /* the syscall code it belongs to (opt), -1 */
	uint8_t part; /* enum cf_part (--stats); RETs are CF_PART_RETURN */
	int16_t abi;  /* cf_arches index of its search or code, -1 */
};

/* What a body (a syscall's code) is: for cf_prog.parts. */
struct gbody {
	int16_t abi;
	uint32_t nr;
};

struct glabel {
	size_t pos; /* instruction index once placed */
	int state;  /* meet of the accumulator over incoming edges */
	unsigned refs;
	bool is_ret; /* the pool's return of action */
	bool local;  /* is_ret, placed where its scope closes */
	uint32_t action;
};

/* Syscall numbers lo..hi share one decision: action, or sys's chains. */
struct grange {
	uint32_t lo, hi;
	uint32_t action;
	const struct cf_ir_sys *sys;
	const struct cf_arch *arch;
};

struct shared {
	struct grange r; /* the first range with this code */
	uint64_t h;
	bool multi;    /* needed by the searches of two audit arches */
	int label;     /* 0 until a search jumps to it */
	unsigned uses; /* ranges that need this code (all searches) */
	unsigned seen; /* share_inline: uses met so far */
	bool placed;   /* its code is emitted */
};

struct gen {
	struct cf_arena *a; /* the linked programs (gen_mem.programs) */
	/* a pass's tables (step tables, bit sets, value tables): a stack,
	 * rewound behind each syscall's code, reset after the pass */
	struct cf_scratch *tmp;
	struct ginsn *in;
	size_t n, capin;
	struct glabel *lb;
	size_t nlb, caplb;
	int *rets; /* open-addressing table action -> label, 0 = empty */
	size_t nrets, caprets;
	struct grange *rg;
	size_t nrg, caprg;
	int cur; /* accumulator state */
	bool oom;
	bool opt;	 /* the optimizations below (cf_gen_opts.plain unset) */
	bool value_runs; /* opt: lone values as JEQs (gen_values.c) */
	bool size_first; /* opt: the size-first retry (cf_bpf_gen_opts) */
	bool number_runs; /* opt: cold nodes of the search as chains */
	/* opt: returns of one syscall's checks, placed behind them */
	int scope[8];
	size_t nscope;
	bool in_scope;
	int body; /* number of the syscall code being emitted */
	size_t nbody;
	const bool *scoped; /* by body: give it a scope (second pass) */
	bool scope_all;	    /* every body gets a scope (sharing pass) */
	/* opt, sharing pass: syscall code that several searches need (x86
	 * and x32 compare alike) is emitted once, behind every search */
	bool share;
	/* opt (cf_gen_opts.no_shared_bodies): code that several ranges
	 * need is emitted once, at its last use, the others jump to it */
	bool share_inline;
	bool drop_unreached; /* opt: gen_unreached.c after the link */
	struct shared *sh;
	size_t nsh, capsh;
	int *shared_index; /* open addressing: index + 1 into sh, 0 = empty */
	size_t capshared_index;
	uint32_t *weight_sums;	   /* opt: prefix sums of the ranges' weights */
	uint64_t calls_total;	   /* opt: the native ABI's calls, weighted */
	uint8_t *units;		   /* opt: units of the ranges (1 or 2) */
	uint32_t *fl, *fr;	   /* opt: scratch for emit_wtree (lazily) */
	uint32_t *two_unit_counts; /* opt: prefix counts of 2-unit ranges */
	size_t capweight_sums, capunits, capfl, capfr, captwo_unit_counts;
	int *widx;	/* opt: cf_sysinfo index of each cf_sys_weights */
	size_t *newpos; /* opt: merge_rets' renumbering (scratch) */
	size_t capnewpos;
	/* labelling (cf_gen_opts.label: --stats): the part and ABI of
	 * what is being emitted, and what each body is */
	uint8_t part;
	int16_t abi;
	bool label;
	struct gbody *bods;
	size_t capbods;
};

/* Growing arrays of a pass: malloc'd, freed by gen_pass (not in the
 * filter's arena: they grow by copying, and five passes would leave five
 * copies of everything there). */
static bool sgrow(struct gen *g, void **p, size_t *cap, size_t need,
		  size_t size)
{
	if (cf_grow(p, cap, need, size, 64) == 0)
		return true;
	g->oom = true;
	return false;
}

#define SGROW(g, f, cnt)                                                       \
	sgrow(g, (void **)&(g)->f, &(g)->cap##f, (cnt), sizeof(*(g)->f))

/* ---- labels and emission ------------------------------------------- */

static int meet(int a, int b)
{
	if (a == ST_TOP)
		return b;
	if (b == ST_TOP)
		return a;
	return a == b ? a : ST_UNK;
}

/* Label 0 is a dummy handed out on allocation failure. */
static int new_label(struct gen *g)
{
	if (!SGROW(g, lb, g->nlb + 1))
		return 0;
	g->lb[g->nlb] = (struct glabel){.state = ST_TOP};
	return (int)g->nlb++;
}

static uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	return x ^ (x >> 16);
}

static bool rets_grow(struct gen *g)
{
	size_t ncap = g->caprets ? g->caprets * 2 : 16;
	int *nt = calloc(ncap, sizeof(*nt));

	if (!nt) {
		g->oom = true;
		return false;
	}
	for (size_t i = 0; i < g->caprets; i++) {
		int l = g->rets[i];
		size_t h;

		if (!l)
			continue;
		h = hash32(g->lb[l].action) & (ncap - 1);
		while (nt[h])
			h = (h + 1) & (ncap - 1);
		nt[h] = l;
	}
	free(g->rets);
	g->rets = nt;
	g->caprets = ncap;
	return true;
}

static int ret_label(struct gen *g, uint32_t action);

/* A return label of the open scope: placed right behind the syscall's
 * code, so that its jumps reach it without trampolines. */
static int scope_label(struct gen *g, uint32_t action)
{
	int l;

	for (size_t i = 0; i < g->nscope; i++)
		if (g->lb[g->scope[i]].action == action)
			return g->scope[i];
	if (g->nscope == CF_ARRAY_SIZE(g->scope))
		return -1;
	l = new_label(g);
	if (!l)
		return 0;
	g->lb[l].is_ret = true;
	g->lb[l].local = true;
	g->lb[l].action = action;
	g->scope[g->nscope++] = l;
	return l;
}

static void scope_open(struct gen *g)
{
	g->in_scope =
	    g->opt && (g->scope_all || (g->scoped && g->scoped[g->nbody]));
	g->body = (int)g->nbody++;
	g->nscope = 0;
}

static void place(struct gen *g, int l);
static void emit_ret(struct gen *g, uint32_t action);

/* Ends a syscall's code: its fallback return (a scope label's, when it
 * has one), then the scope's other returns that are used. */
static void scope_close(struct gen *g, uint32_t fallback)
{
	bool done = false;

	g->in_scope = false;
	for (size_t i = 0; i < g->nscope; i++) {
		int l = g->scope[i];

		if (g->lb[l].action != fallback ||
		    (!g->lb[l].refs && g->cur == ST_TOP))
			continue;
		place(g, l);
		emit_ret(g, fallback);
		done = true;
	}
	if (!done && g->cur != ST_TOP)
		emit_ret(g, fallback);
	for (size_t i = 0; i < g->nscope; i++) {
		int l = g->scope[i];

		if (g->lb[l].action == fallback || !g->lb[l].refs)
			continue;
		place(g, l);
		emit_ret(g, g->lb[l].action);
	}
	g->nscope = 0;
}

/* The pool's return label for action (or the open scope's). */
static int ret_label(struct gen *g, uint32_t action)
{
	size_t h;
	int l;

	if (g->in_scope && (l = scope_label(g, action)) >= 0)
		return l;

	if ((g->nrets + 1) * 2 > g->caprets && !rets_grow(g))
		return 0;
	h = hash32(action) & (g->caprets - 1);
	while ((l = g->rets[h]) != 0) {
		if (g->lb[l].action == action)
			return l;
		h = (h + 1) & (g->caprets - 1);
	}
	l = new_label(g);
	if (!l)
		return 0;
	g->lb[l].is_ret = true;
	g->lb[l].action = action;
	g->rets[h] = l;
	g->nrets++;
	return l;
}

static void emit(struct gen *g, uint16_t code, uint32_t k, int jt, int jf)
{
	if (!SGROW(g, in, g->n + 1))
		return;
	g->in[g->n++] = (struct ginsn){
	    code,    k,
	    jt,	     jf,
	    g->body, BPF_CLASS(code) == BPF_RET ? CF_PART_RETURN : g->part,
	    g->abi};
}

static void edge(struct gen *g, int l)
{
	if (l == NEXT)
		return;
	g->lb[l].state = meet(g->lb[l].state, g->cur);
	g->lb[l].refs++;
}

static void emit_ret(struct gen *g, uint32_t action)
{
	emit(g, BPF_RET | BPF_K, action, NEXT, NEXT);
	g->cur = ST_TOP;
}

static void emit_ja(struct gen *g, int l)
{
	if (g->lb[l].is_ret) {
		emit_ret(g, g->lb[l].action);
		return;
	}
	emit(g, BPF_JMP | BPF_JA, 0, l, NEXT);
	edge(g, l);
	g->cur = ST_TOP;
}

/* Conditional jump (op: BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET). */
static void emit_jmp(struct gen *g, uint16_t op, uint32_t k, int jt, int jf)
{
	if (jt == jf) {
		if (jt != NEXT)
			emit_ja(g, jt);
		return;
	}
	emit(g, BPF_JMP | op | BPF_K, k, jt, jf);
	edge(g, jt);
	edge(g, jf);
	if (jt != NEXT && jf != NEXT)
		g->cur = ST_TOP;
}

static void place(struct gen *g, int l)
{
	g->lb[l].pos = g->n;
	g->cur = meet(g->lb[l].state, g->cur);
}

static void load(struct gen *g, uint32_t off)
{
	if (g->cur == (int)off)
		return;
	emit(g, BPF_LD | BPF_W | BPF_ABS, off, NEXT, NEXT);
	g->cur = (int)off;
}

static void emit_and(struct gen *g, uint32_t mask)
{
	emit(g, BPF_ALU | BPF_AND | BPF_K, mask, NEXT, NEXT);
	g->cur = ST_UNK;
}

/* ---- argument comparisons ------------------------------------------ */

/* Offset of the low (hi = false) or high 32-bit word of args[arg]. */
static uint32_t arg_off(const struct cf_arch *ar, unsigned arg, bool hi)
{
	return OFF_ARGS + 8 * arg + (hi != ar->big_endian ? 4 : 0);
}

/* 1 = always true, 0 = always false, -1 = depends on the argument. */
static int cond_const(const struct cf_arch *ar, const struct cf_cond *c)
{
	uint64_t w = cf_cond_wide(ar, c) ? UINT64_MAX : UINT32_MAX;
	uint64_t d = c->datum & w;

	switch ((enum cf_op)c->op) {
	case CF_OP_GE:
		return d == 0 ? 1 : -1;
	case CF_OP_LT:
		return d == 0 ? 0 : -1;
	case CF_OP_LE:
		return d == w ? 1 : -1;
	case CF_OP_GT:
		return d == w ? 0 : -1;
	case CF_OP_MASKED_EQ:
		return d == 0 ? 1 : -1;
	default:
		return -1;
	}
}

/* (A & mask) == val for one word, mask != 0, val within mask. */
static void cmp_masked(struct gen *g, uint32_t off, uint32_t mask, uint32_t val,
		       int pass, int fail)
{
	load(g, off);
	if (val == 0)
		emit_jmp(g, BPF_JSET, mask, fail, pass);
	else if (val == mask && !(mask & (mask - 1)))
		emit_jmp(g, BPF_JSET, mask, pass, fail);
	else {
		if (mask != UINT32_MAX)
			emit_and(g, mask);
		emit_jmp(g, BPF_JEQ, val, pass, fail);
	}
}

/* One word compare: A op k, or its negation (LT = !GE, LE = !GT). */
static void cmp_word(struct gen *g, enum cf_op op, uint32_t k, int pass,
		     int fail)
{
	switch (op) {
	case CF_OP_EQ:
		emit_jmp(g, BPF_JEQ, k, pass, fail);
		break;
	case CF_OP_NE:
		emit_jmp(g, BPF_JEQ, k, fail, pass);
		break;
	case CF_OP_GT:
		emit_jmp(g, BPF_JGT, k, pass, fail);
		break;
	case CF_OP_GE:
		emit_jmp(g, BPF_JGE, k, pass, fail);
		break;
	case CF_OP_LT:
		emit_jmp(g, BPF_JGE, k, fail, pass);
		break;
	case CF_OP_LE:
		emit_jmp(g, BPF_JGT, k, fail, pass);
		break;
	default:
		break;
	}
}

/* High words: A > dh -> above, A < dh -> below, equal -> next insn. */
static void hi_split(struct gen *g, uint32_t dh, int above, int below)
{
	if (dh == UINT32_MAX) {
		emit_jmp(g, BPF_JEQ, dh, NEXT, below);
	} else if (dh == 0) {
		emit_jmp(g, BPF_JGT, 0, above, NEXT);
	} else {
		emit_jmp(g, BPF_JGT, dh, above, NEXT);
		emit_jmp(g, BPF_JEQ, dh, NEXT, below);
	}
}

static void cond64(struct gen *g, const struct cf_arch *ar,
		   const struct cf_cond *c, int pass, int fail)
{
	uint32_t hi = arg_off(ar, c->arg, true),
		 lo = arg_off(ar, c->arg, false);
	uint32_t dh = (uint32_t)(c->datum >> 32), dl = (uint32_t)c->datum;
	enum cf_op op = (enum cf_op)c->op;

	switch (op) {
	case CF_OP_EQ:
		load(g, hi);
		emit_jmp(g, BPF_JEQ, dh, NEXT, fail);
		break;
	case CF_OP_NE:
		load(g, hi);
		emit_jmp(g, BPF_JEQ, dh, NEXT, pass);
		break;
	case CF_OP_GT:
	case CF_OP_GE:
		load(g, hi);
		/* a >= (dh:0) and a > (dh:~0) depend on the high word only */
		if ((op == CF_OP_GE && dl == 0) ||
		    (op == CF_OP_GT && dl == UINT32_MAX)) {
			cmp_word(g, op, dh, pass, fail);
			return;
		}
		hi_split(g, dh, pass, fail);
		break;
	case CF_OP_LT:
	case CF_OP_LE:
		load(g, hi);
		if ((op == CF_OP_LT && dl == 0) ||
		    (op == CF_OP_LE && dl == UINT32_MAX)) {
			cmp_word(g, op, dh, pass, fail);
			return;
		}
		hi_split(g, dh, fail, pass);
		break;
	case CF_OP_MASKED_EQ: {
		uint64_t m = c->datum, v = c->datum2 & m;
		uint32_t mh = (uint32_t)(m >> 32), ml = (uint32_t)m;

		if (mh)
			cmp_masked(g, hi, mh, (uint32_t)(v >> 32),
				   ml ? NEXT : pass, fail);
		if (ml)
			cmp_masked(g, lo, ml, (uint32_t)v, pass, fail);
		return;
	}
	default:
		return;
	}
	load(g, lo);
	cmp_word(g, op, dl, pass, fail);
}

static void cond32(struct gen *g, const struct cf_arch *ar,
		   const struct cf_cond *c, int pass, int fail)
{
	uint32_t lo = arg_off(ar, c->arg, false);

	if (c->op == CF_OP_MASKED_EQ) {
		uint32_t m = (uint32_t)c->datum;

		cmp_masked(g, lo, m, (uint32_t)c->datum2 & m, pass, fail);
		return;
	}
	load(g, lo);
	cmp_word(g, (enum cf_op)c->op, (uint32_t)c->datum, pass, fail);
}

/* Emits chain c: all conditions true -> ok, else -> fail. Returns false
 * when the chain always matches (code after it is unreachable). */
static bool gen_chain(struct gen *g, const struct cf_arch *ar,
		      const struct cf_ir_chain *c, int ok, int fail)
{
	int last = -1;

	for (unsigned i = 0; i < c->nconds; i++) {
		int k = cond_const(ar, &c->conds[i]);

		if (k == 0)
			return true; /* never matches: no code */
		if (k < 0)
			last = (int)i;
	}
	if (last < 0) {
		emit_ja(g, ok);
		return false;
	}
	for (int i = 0; i <= last; i++) {
		const struct cf_cond *cd = &c->conds[i];
		int pass;

		if (cond_const(ar, cd) > 0)
			continue;
		pass = i == last ? ok : new_label(g);
		if (cf_cond_wide(ar, cd))
			cond64(g, ar, cd, pass, fail);
		else
			cond32(g, ar, cd, pass, fail);
		if (i != last)
			place(g, pass);
	}
	return true;
}

/* Chains after the last one whose action differs from the fallback
 * change nothing; returns how many count (0 = argument-free). */
static size_t live_chains(const struct cf_ir_sys *s)
{
	size_t n = s->nchains;

	while (n && s->chains[n - 1].action == s->fallback)
		n--;
	return n;
}

static bool gen_sys_steps(struct gen *g, const struct grange *r);
static bool gen_sys_resid(struct gen *g, const struct grange *r);

/* --harden: conditions marked low32 compare as on a 32-bit ABI. 1: all
 * of s's live ones are (the searches below then run on a 32-bit view of
 * the ABI), 0: none, -1: a mix (only chains as written handle it). */
static int low32_conds(const struct cf_ir_sys *s, size_t n)
{
	bool any = false, all = true;

	for (size_t i = 0; i < n; i++)
		for (unsigned j = 0; j < s->chains[i].nconds; j++) {
			any |= s->chains[i].conds[j].low32 != 0;
			all &= s->chains[i].conds[j].low32 != 0;
		}
	return !any ? 0 : all ? 1 : -1;
}

static void gen_sys_checks(struct gen *g, const struct grange *r)
{
	const struct cf_ir_sys *s = r->sys;
	size_t n = live_chains(s);
	int low32 = r->arch->cmp_bits == 64 ? low32_conds(s, n) : 0;
	struct cf_arch narrow;
	struct grange rn;
	if (low32 > 0) {
		narrow = *r->arch;
		narrow.cmp_bits = 32;
		rn = *r;
		rn.arch = &narrow;
		r = &rn;
	}
	scope_open(g);
	if (g->opt && low32 >= 0 &&
	    (gen_sys_steps(g, r) || gen_sys_resid(g, r))) {
		scope_close(g, s->fallback);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int fail = new_label(g);
		int ok = ret_label(g, s->chains[i].action);

		if (!gen_chain(g, r->arch, &s->chains[i], ok, fail)) {
			if (g->opt)
				scope_close(g, s->fallback);
			return;
		}
		place(g, fail);
	}
	if (g->opt)
		scope_close(g, s->fallback);
	else
		emit_ret(g, s->fallback);
}

/* A syscall's code; the tables it needed are freed behind it (nothing
 * of them outlives the code: labels and instructions are elsewhere). */
static void gen_sys_code(struct gen *g, const struct grange *r)
{
	size_t mark = cf_scratch_mark(g->tmp);

	gen_sys_checks(g, r);
	cf_scratch_rewind(g->tmp, mark);
}

/* A syscall's code, labelled as such (cf_gen_opts.label). */
static void gen_sys(struct gen *g, const struct grange *r)
{
	uint8_t part = g->part;
	int16_t abi = g->abi;

	g->part = CF_PART_ARGS;
	g->abi = (int16_t)(r->arch - cf_arches);
	/* scope_open numbers the body g->nbody */
	if (g->label && SGROW(g, bods, g->nbody + 1))
		g->bods[g->nbody] = (struct gbody){g->abi, r->sys->nr};
	gen_sys_code(g, r);
	g->part = part;
	g->abi = abi;
}

/* ---- opt: one argument's step function ----------------------------- */

/* When every live chain of a syscall tests one argument only, with
 * interval operators (EQ NE LT LE GE GT; conditions that are constant on
 * the ABI aside), the decision is a step function of that argument: it
 * can change only where some condition's truth changes. It is computed
 * by evaluating the chains (cf_ir_cond_match, first match wins) at every
 * such point, and emitted as a search over the value's words: the high
 * word first on 64-bit ABIs, the low word under each high value that
 * needs it. */

struct step {
	uint64_t lo; /* the step runs from lo to the next step's lo - 1 */
	uint32_t action;
	int lab; /* >= 0: code at this label decides instead (residue) */
};

struct vtab {
	struct value_step *v;
	size_t n;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t eval_at(const struct cf_arch *ar, const struct cf_ir_sys *s,
			size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++) {
		const struct cf_ir_chain *c = &s->chains[i];
		bool ok = true;

		/* conditions on other arguments are constant: any value
		 * gives their truth */
		for (unsigned j = 0; ok && j < c->nconds; j++)
			ok = cf_ir_cond_match(ar, &c->conds[j], v);
		if (ok)
			return c->action;
	}
	return s->fallback;
}

/* The argument all non-constant conditions test, -1 if there is none or
 * more than one, or a MASKED_EQ. */
static int steps_arg(const struct cf_arch *ar, const struct cf_ir_sys *s,
		     size_t n)
{
	int arg = -1;

	for (size_t i = 0; i < n; i++)
		for (unsigned j = 0; j < s->chains[i].nconds; j++) {
			const struct cf_cond *c = &s->chains[i].conds[j];

			if (cond_const(ar, c) >= 0)
				continue;
			if (c->op == CF_OP_MASKED_EQ ||
			    (arg >= 0 && arg != c->arg))
				return -1;
			arg = c->arg;
		}
	return arg;
}

/* The first of chains 0..n-1 each of one EQ: (value at the ABI's width,
 * chain) sorted, so that the points, sorted too, find theirs in one
 * sweep. NULL if another condition is there (eval_at then). Measured
 * (callgrind, cf_profile_parse + cf_compile of `cf-bench compile cf` on
 * build/bench/corpus-speed/valueset-2000.json of bench/corpus.py
 * --speed): 248.4 M -> 84.3 M instructions (valueset-1000: 44.6 M ->
 * 29.4 M); programs byte-identical on the corpus. */
struct eq_first {
	uint64_t v;
	size_t chain;
};

static int cmp_eq_first(const void *a, const void *b)
{
	const struct eq_first *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->chain < y->chain ? -1 : x->chain > y->chain;
}

static struct eq_first *eq_firsts(struct gen *g, const struct cf_arch *ar,
				  const struct cf_ir_sys *s, size_t n)
{
	uint64_t w = ar->cmp_bits == 64 ? UINT64_MAX : UINT32_MAX;
	struct eq_first *e;

	for (size_t i = 0; i < n; i++)
		if (s->chains[i].nconds != 1 ||
		    s->chains[i].conds[0].op != CF_OP_EQ)
			return NULL;
	e = cf_scratch_array(g->tmp, n ? n : 1, sizeof(*e));
	for (size_t i = 0; e && i < n; i++)
		e[i] = (struct eq_first){s->chains[i].conds[0].datum & w, i};
	if (e)
		qsort(e, n, sizeof(*e), cmp_eq_first);
	return e;
}

static size_t build_steps(struct gen *g, const struct cf_arch *ar,
			  const struct cf_ir_sys *s, size_t n,
			  struct step **out)
{
	struct eq_first *eq = eq_firsts(g, ar, s, n);
	size_t e = 0;
	uint64_t w = ar->cmp_bits == 64 ? UINT64_MAX : UINT32_MAX;
	size_t np = 1, ns = 0;
	uint64_t *pt;
	struct step *st;

	for (size_t i = 0; i < n; i++)
		np += 2 * s->chains[i].nconds;
	pt = cf_scratch_array(g->tmp, np, sizeof(*pt));
	st = cf_scratch_array(g->tmp, np, sizeof(*st));
	if (!pt || !st) {
		g->oom = true;
		return 0;
	}
	np = 0;
	pt[np++] = 0;
	for (size_t i = 0; i < n; i++)
		for (unsigned j = 0; j < s->chains[i].nconds; j++) {
			const struct cf_cond *c = &s->chains[i].conds[j];
			uint64_t d = c->datum & w;

			if (cond_const(ar, c) >= 0)
				continue;
			switch ((enum cf_op)c->op) {
			case CF_OP_EQ:
			case CF_OP_NE:
				pt[np++] = d;
				if (d < w)
					pt[np++] = d + 1;
				break;
			case CF_OP_LT:
			case CF_OP_GE:
				pt[np++] = d;
				break;
			default: /* LE, GT */
				if (d < w)
					pt[np++] = d + 1;
				break;
			}
		}
	qsort(pt, np, sizeof(*pt), cmp_u64);
	for (size_t i = 0; i < np; i++) {
		uint32_t act;

		if (i && pt[i] == pt[i - 1])
			continue;
		while (eq && e < n && eq[e].v < pt[i])
			e++;
		act = !eq ? eval_at(ar, s, n, pt[i])
		      : e < n && eq[e].v == pt[i]
			  ? s->chains[eq[e].chain].action
			  : s->fallback;
		if (ns && st[ns - 1].action == act)
			continue;
		st[ns++] = (struct step){pt[i], act, -1};
	}
	*out = st;
	return ns;
}

/* The 64-bit step function as a high-word table whose split entries name
 * low-word tables. */
static size_t split_hi(struct gen *g, const struct step *st, size_t ns,
		       struct value_step *hv, struct vtab *tabs)
{
	const uint64_t W = UINT32_MAX;
	size_t nh = 0, nt = 0, k = 0;
	uint64_t h = 0;

	while (h <= W && !g->oom) {
		uint64_t base = h << 32;
		uint64_t end = k + 1 < ns ? st[k + 1].lo - 1 : UINT64_MAX;

		if (end >= (base | W)) {
			uint64_t H =
			    (end & W) == W ? end >> 32 : (end >> 32) - 1;

			hv[nh++] = (struct value_step){
			    (uint32_t)h, st[k].action, -1, st[k].lab};
			h = H + 1;
		} else {
			size_t t = k, m = 0;
			struct value_step *v;

			while (t < ns && st[t].lo <= (base | W))
				t++;
			v = cf_scratch_array(g->tmp, t - k, sizeof(*v));
			if (!v) {
				g->oom = true;
				return 0;
			}
			for (size_t q = k; q < t; q++)
				v[m++] = (struct value_step){
				    q == k ? 0 : (uint32_t)st[q].lo,
				    st[q].action, -1, st[q].lab};
			tabs[nt] = (struct vtab){v, m};
			hv[nh++] =
			    (struct value_step){(uint32_t)h, 0, (int)nt++, -1};
			h++;
		}
		while (h <= W && k + 1 < ns && st[k + 1].lo <= h << 32)
			k++;
	}
	return nh;
}

static void emit_vtree(struct gen *g, const struct vtab *tabs,
		       const struct value_step *v, size_t i, size_t j,
		       uint32_t lo_off);

static void emit_vleaf(struct gen *g, const struct vtab *tabs,
		       const struct value_step *v, uint32_t lo_off)
{
	if (v->lab >= 0) {
		emit_ja(g, v->lab);
		return;
	}
	if (v->sub < 0) {
		emit_ret(g, v->action);
		return;
	}
	load(g, lo_off);
	emit_vtree(g, tabs, tabs[v->sub].v, 0, tabs[v->sub].n - 1, lo_off);
}

static int vleaf_label(struct gen *g, const struct value_step *v)
{
	if (v->lab >= 0)
		return v->lab;
	return v->sub < 0 ? ret_label(g, v->action) : NEXT;
}

static unsigned ceil_log2(uint64_t n);

/* The value-runs pass (gen_values.c) on v[i..j]: its lone values as
 * JEQs, then the search over the rest (true), when that is no deeper
 * than a balanced search of v[i..j] (speed first), or when there are at
 * most CF_VALUE_RUN_MAX of them (size first). Else false, nothing
 * emitted, and *split is where a JGE divides them in halves. */
static bool emit_value_run(struct gen *g, const struct vtab *tabs,
			   const struct value_step *v, size_t i, size_t j,
			   uint32_t lo_off, size_t *split)
{
	size_t n = j - i + 1, nlone = 0, nrest, mark = cf_scratch_mark(g->tmp);
	size_t *lone = cf_scratch_array(g->tmp, n, sizeof(*lone));
	struct value_step *rest = cf_scratch_array(g->tmp, n, sizeof(*rest));
	bool run = false;

	if (!lone || !rest)
		g->oom = run = true;
	else
		nlone = cf_value_lone(v + i, n, lone, rest, &nrest);
	if (!nlone) {
		/* nothing (or out of memory) */
	} else if (g->size_first ? nlone > CF_VALUE_RUN_MAX
				 : nlone + ceil_log2(nrest) > ceil_log2(n)) {
		/* at the middle lone value: it starts the right half, and
		 * both halves keep theirs */
		if (nlone > 1)
			*split = i + lone[nlone / 2];
	} else {
		for (size_t k = 0; k < nlone; k++)
			emit_jmp(g, BPF_JEQ, v[i + lone[k]].lo,
				 vleaf_label(g, &v[i + lone[k]]), NEXT);
		emit_vtree(g, tabs, rest, 0, nrest - 1, lo_off);
		run = true;
	}
	cf_scratch_rewind(g->tmp, mark); /* lone and rest */
	return run;
}

/* Search over v[i..j] with the value in A: lone values as JEQ runs
 * (g->value_runs), else balanced by count. [X][v][X] with a single value
 * v in the middle is one JEQ. */
static void emit_vtree(struct gen *g, const struct vtab *tabs,
		       const struct value_step *v, size_t i, size_t j,
		       uint32_t lo_off)
{
	size_t mid = i + (j - i + 1) / 2;
	int lt, rt;

	if (i == j) {
		emit_vleaf(g, tabs, &v[i], lo_off);
		return;
	}
	if (g->value_runs && emit_value_run(g, tabs, v, i, j, lo_off, &mid))
		return;
	if (j == i + 2 && v[i].sub < 0 && v[j].sub < 0 &&
	    v[i].action == v[j].action && v[i].lab == v[j].lab &&
	    v[i + 1].lo + 1 == v[j].lo) {
		int x = vleaf_label(g, &v[i]);

		rt = vleaf_label(g, &v[i + 1]);
		emit_jmp(g, BPF_JEQ, v[i + 1].lo, rt, x);
		if (rt == NEXT)
			emit_vleaf(g, tabs, &v[i + 1], lo_off);
		return;
	}
	lt = mid - 1 == i ? vleaf_label(g, &v[i]) : NEXT;
	rt = mid == j ? vleaf_label(g, &v[j]) : NEXT;
	if (lt != NEXT && rt != NEXT) {
		emit_jmp(g, BPF_JGE, v[mid].lo, rt, lt);
	} else if (lt != NEXT) {
		emit_jmp(g, BPF_JGE, v[mid].lo, NEXT, lt);
		emit_vtree(g, tabs, v, mid, j, lo_off);
	} else if (rt != NEXT) {
		emit_jmp(g, BPF_JGE, v[mid].lo, rt, NEXT);
		emit_vtree(g, tabs, v, i, mid - 1, lo_off);
	} else {
		rt = new_label(g);
		emit_jmp(g, BPF_JGE, v[mid].lo, rt, NEXT);
		emit_vtree(g, tabs, v, i, mid - 1, lo_off);
		place(g, rt);
		emit_vtree(g, tabs, v, mid, j, lo_off);
	}
}

static void emit_steps(struct gen *g, const struct cf_arch *ar, unsigned arg,
		       const struct step *st, size_t ns);

/* Emits r's syscall as a step function; false (nothing emitted) when its
 * chains are not of that shape. */
static bool gen_sys_steps(struct gen *g, const struct grange *r)
{
	const struct cf_arch *ar = r->arch;
	const struct cf_ir_sys *s = r->sys;
	size_t n = live_chains(s), ns;
	int arg = steps_arg(ar, s, n);
	struct step *st;

	if (arg < 0)
		return false;
	ns = build_steps(g, ar, s, n, &st);
	if (g->oom)
		return true;
	emit_steps(g, ar, (unsigned)arg, st, ns);
	return true;
}

/* The search over a step function of args[arg]. */
static void emit_steps(struct gen *g, const struct cf_arch *ar, unsigned arg,
		       const struct step *st, size_t ns)
{
	size_t nh;
	struct value_step *hv;
	struct vtab *tabs;

	/* a step can give a constant high-word run and a split one */
	hv = cf_scratch_array(g->tmp, 2 * ns, sizeof(*hv));
	tabs = cf_scratch_array(g->tmp, ns, sizeof(*tabs));
	if (!hv || !tabs) {
		g->oom = true;
		return;
	}
	if (ar->cmp_bits != 64) {
		for (size_t i = 0; i < ns; i++)
			hv[i] = (struct value_step){
			    (uint32_t)st[i].lo, st[i].action, -1, st[i].lab};
		load(g, arg_off(ar, arg, false));
		emit_vtree(g, tabs, hv, 0, ns - 1, 0);
		return;
	}
	nh = split_hi(g, st, ns, hv, tabs);
	if (g->oom)
		return;
	load(g, arg_off(ar, arg, true));
	emit_vtree(g, tabs, hv, 0, nh - 1, arg_off(ar, arg, false));
}

/* ---- opt: a step function with residues ---------------------------- */

/* When every live chain of a syscall has the same action X, the chains
 * are an OR: their order and the order of their conditions do not
 * matter. Chains without an interval condition on the argument tested
 * most (k) run first, as written; the others are decided by a search
 * over args[k] whose leaves are X, the fallback, or the residue: the
 * chains whose conditions on k hold there, with their other conditions
 * (code shared by every leaf with the same residue, behind the search). */

static bool interval_on(const struct cf_arch *ar, const struct cf_cond *c,
			unsigned k)
{
	return c->arg == k && c->op != CF_OP_MASKED_EQ && cond_const(ar, c) < 0;
}

/* Does chain c hold for args[k] = v as far as its interval conditions on
 * k go? */
static bool holds_on_k(const struct cf_arch *ar, const struct cf_ir_chain *c,
		       unsigned k, uint64_t v)
{
	for (unsigned j = 0; j < c->nconds; j++)
		if (interval_on(ar, &c->conds[j], k) &&
		    !cf_ir_cond_match(ar, &c->conds[j], v))
			return false;
	return true;
}

/* Has chain c a condition that is neither constant-true nor an interval
 * condition on k? */
static bool has_rest(const struct cf_arch *ar, const struct cf_ir_chain *c,
		     unsigned k)
{
	for (unsigned j = 0; j < c->nconds; j++)
		if (!interval_on(ar, &c->conds[j], k) &&
		    cond_const(ar, &c->conds[j]) <= 0)
			return true;
	return false;
}

static bool never(const struct cf_arch *ar, const struct cf_ir_chain *c)
{
	for (unsigned j = 0; j < c->nconds; j++)
		if (cond_const(ar, &c->conds[j]) == 0)
			return true;
	return false;
}

/* Chain c without its interval conditions on k (k > 5: all kept). */
static struct cf_ir_chain rest_of(const struct cf_arch *ar,
				  const struct cf_ir_chain *c, unsigned k)
{
	struct cf_ir_chain t = *c;

	t.nconds = 0;
	for (unsigned j = 0; j < c->nconds; j++)
		if (!interval_on(ar, &c->conds[j], k))
			t.conds[t.nconds++] = c->conds[j];
	return t;
}

/* Emits chains cs[0..n) (conditions on k dropped when drop): a match
 * jumps to X's return. Returns false when one always matches. */
static bool emit_or(struct gen *g, const struct cf_arch *ar,
		    const struct cf_ir_chain *const *cs, size_t n, unsigned k,
		    uint32_t x)
{
	for (size_t i = 0; i < n; i++) {
		struct cf_ir_chain t = rest_of(ar, cs[i], k);
		int fail = new_label(g);

		if (!gen_chain(g, ar, &t, ret_label(g, x), fail))
			return false;
		place(g, fail);
	}
	return true;
}

static bool gen_sys_resid(struct gen *g, const struct grange *r)
{
	const struct cf_arch *ar = r->arch;
	const struct cf_ir_sys *s = r->sys;
	uint64_t w = ar->cmp_bits == 64 ? UINT64_MAX : UINT32_MAX;
	size_t n = live_chains(s), nk = 0, nrest = 0, np = 1, ns = 0, nres = 0;
	size_t words, cnt[6] = {0};
	const struct cf_ir_chain **ck, **cr;
	uint32_t x = n ? s->chains[0].action : 0;
	uint64_t *pt, *bits, *cur;
	int *labs;
	struct step *st;
	unsigned k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct cf_ir_chain *c = &s->chains[i];

		if (c->action != x)
			return false;
		for (unsigned j = 0; j < c->nconds; j++)
			for (unsigned a = 0; a < 6; a++)
				cnt[a] += interval_on(ar, &c->conds[j], a);
	}
	for (unsigned a = 1; a < 6; a++)
		if (cnt[a] > cnt[k])
			k = a;
	if (n < 2 || cnt[k] < 2)
		return false;
	ck = cf_scratch_array(g->tmp, n, sizeof(*ck));
	cr = cf_scratch_array(g->tmp, n, sizeof(*cr));
	if (!ck || !cr)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		const struct cf_ir_chain *c = &s->chains[i];
		bool on_k = false;

		if (never(ar, c))
			continue;
		for (unsigned j = 0; j < c->nconds; j++)
			on_k |= interval_on(ar, &c->conds[j], k);
		if (on_k) {
			ck[nk++] = c;
			np += 2 * c->nconds;
		} else {
			cr[nrest++] = c;
		}
	}
	/* the chains without a say on k, as they are */
	if (!emit_or(g, ar, cr, nrest, 6, x))
		return true;
	words = (nk + 63) / 64;
	pt = cf_scratch_array(g->tmp, np, sizeof(*pt));
	st = cf_scratch_array(g->tmp, np, sizeof(*st));
	bits = cf_scratch_array(g->tmp, np * words, sizeof(*bits));
	labs = cf_scratch_array(g->tmp, np, sizeof(*labs));
	cur = cf_scratch_array(g->tmp, words, sizeof(*cur));
	if (!pt || !st || !bits || !labs || !cur)
		goto oom;
	np = 0;
	pt[np++] = 0;
	for (size_t i = 0; i < nk; i++)
		for (unsigned j = 0; j < ck[i]->nconds; j++) {
			const struct cf_cond *c = &ck[i]->conds[j];
			uint64_t d = c->datum & w;

			if (!interval_on(ar, c, k))
				continue;
			if (c->op == CF_OP_EQ || c->op == CF_OP_NE ||
			    c->op == CF_OP_LT || c->op == CF_OP_GE)
				pt[np++] = d;
			if ((c->op == CF_OP_EQ || c->op == CF_OP_NE ||
			     c->op == CF_OP_LE || c->op == CF_OP_GT) &&
			    d < w)
				pt[np++] = d + 1;
		}
	qsort(pt, np, sizeof(*pt), cmp_u64);
	for (size_t i = 0; i < np; i++) {
		bool all = false, any = false;
		struct step e = {pt[i], s->fallback, -1};
		size_t q;

		if (i && pt[i] == pt[i - 1])
			continue;
		memset(cur, 0, words * sizeof(*cur));
		for (size_t c = 0; c < nk && !all; c++) {
			if (!holds_on_k(ar, ck[c], k, pt[i]))
				continue;
			if (!has_rest(ar, ck[c], k))
				all = true;
			cur[c / 64] |= 1ULL << (c % 64);
			any = true;
		}
		if (all) {
			e.action = x;
		} else if (any) {
			for (q = 0; q < nres; q++)
				if (!memcmp(bits + q * words, cur,
					    words * sizeof(*cur)))
					break;
			if (q == nres) {
				memcpy(bits + q * words, cur,
				       words * sizeof(*cur));
				labs[nres++] = new_label(g);
			}
			e.lab = labs[q];
			e.action = 0;
		}
		if (ns && st[ns - 1].action == e.action &&
		    st[ns - 1].lab == e.lab)
			continue;
		st[ns++] = e;
	}
	emit_steps(g, ar, k, st, ns);
	/* the residues */
	for (size_t q = 0; q < nres && !g->oom; q++) {
		place(g, labs[q]);
		for (size_t c = 0; c < nk; c++) {
			struct cf_ir_chain t;
			int fail;

			if (!(bits[q * words + c / 64] & (1ULL << (c % 64))))
				continue;
			t = rest_of(ar, ck[c], k);
			fail = new_label(g);
			if (!gen_chain(g, ar, &t, ret_label(g, x), fail))
				break;
			place(g, fail);
		}
		if (g->cur != ST_TOP)
			emit_ja(g, ret_label(g, s->fallback));
	}
	return true;
oom:
	g->oom = true;
	return true;
}
/* ---- syscall-number ranges ----------------------------------------- */

static void push_range(struct gen *g, uint32_t lo, uint32_t hi, uint32_t action,
		       const struct cf_ir_sys *sys, const struct cf_arch *ar)
{
	struct grange *last = g->nrg ? &g->rg[g->nrg - 1] : NULL;

	if (!sys && last && !last->sys && last->action == action &&
	    last->hi + 1 == lo) {
		last->hi = hi;
		return;
	}
	if (!SGROW(g, rg, g->nrg + 1))
		return;
	g->rg[g->nrg++] = (struct grange){lo, hi, action, sys, ar};
}

/* Numbers lo..hi without an entry: runc's stub (sa), else the default, or
 * a kill when no ABI of the filter owns them (fa). */
static void push_gap(struct gen *g, const struct cf_ir *ir, uint64_t lo,
		     uint64_t hi, const struct cf_ir_abi *fa,
		     const struct cf_ir_abi *sa)
{
	uint32_t base = fa ? ir->default_action : CF_RET_KILL_THREAD;
	uint32_t enosys = CF_RET_ERRNO(ENOSYS);

	if (lo > hi)
		return;
	if (!sa || !sa->enosys || hi <= sa->enosys_above) {
		push_range(g, (uint32_t)lo, (uint32_t)hi, base, NULL, NULL);
	} else if (lo > sa->enosys_above) {
		push_range(g, (uint32_t)lo, (uint32_t)hi, enosys, NULL, NULL);
	} else {
		push_range(g, (uint32_t)lo, sa->enosys_above, base, NULL, NULL);
		push_range(g, sa->enosys_above + 1, (uint32_t)hi, enosys, NULL,
			   NULL);
	}
}

static void push_interval(struct gen *g, const struct cf_ir *ir, uint32_t lo,
			  uint32_t hi, const struct cf_ir_abi *fa,
			  const struct cf_ir_abi *sa)
{
	uint64_t at = lo;
	size_t i = 0, end = fa ? fa->nsys : 0;

	/* first entry >= lo */
	while (i < end) {
		size_t m = i + (end - i) / 2;

		if (fa->sys[m].nr < lo)
			i = m + 1;
		else
			end = m;
	}
	for (; fa && i < fa->nsys && fa->sys[i].nr <= hi; i++) {
		const struct cf_ir_sys *s = &fa->sys[i];

		if (s->nr > at)
			push_gap(g, ir, at, s->nr - 1, fa, sa);
		if (live_chains(s))
			push_range(g, s->nr, s->nr, 0, s, &cf_arches[fa->arch]);
		else
			push_range(g, s->nr, s->nr, s->fallback, NULL, NULL);
		at = (uint64_t)s->nr + 1;
	}
	push_gap(g, ir, at, hi, fa, sa);
}

/* All of nr's 32-bit space for one audit arch, as ranges. */
static void build_ranges(struct gen *g, const struct cf_ir *ir, uint32_t audit)
{
	g->nrg = 0;
	if (audit == CF_AUDIT_ARCH_X86_64) {
		const struct cf_ir_abi *x64 = cf_ir_find_abi(ir, audit, false);
		const struct cf_ir_abi *x32 = cf_ir_find_abi(ir, audit, true);

		/* libseccomp splits at CF_X32_BIT (cf_nr_filter_x32) but
		 * hands -1 (a tracer's skip) to x86_64; runc's stub tests
		 * the bit, so the two disagree on [half, half + bit) */
		const uint32_t bit = CF_X32_BIT, half = 0x80000000U;

		push_interval(g, ir, 0, bit - 1, x64, x64);
		push_interval(g, ir, bit, half - 1, x32, x32);
		push_interval(g, ir, half, half + bit - 1, x32, x64);
		push_interval(g, ir, half + bit, UINT32_MAX - 1, x32, x32);
		push_interval(g, ir, UINT32_MAX, UINT32_MAX, x64 ? x64 : x32,
			      x32);
	} else {
		const struct cf_ir_abi *abi = cf_ir_find_abi(ir, audit, false);

		push_interval(g, ir, 0, UINT32_MAX, abi, abi);
	}
}

/* ---- opt: syscall code shared between searches ----------------------- */

static uint64_t mix64(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

/* Code of a syscall with checks depends on its live chains, fallback
 * and the ABI's comparison width and byte order only. */
static uint64_t body_hash(const struct grange *r)
{
	const struct cf_ir_sys *s = r->sys;
	size_t n = live_chains(s);
	uint64_t h = mix64(r->arch->cmp_bits, r->arch->big_endian);

	h = mix64(mix64(h, s->fallback), n);
	for (size_t i = 0; i < n; i++) {
		const struct cf_ir_chain *c = &s->chains[i];

		h = mix64(mix64(h, c->action), c->nconds);
		for (unsigned j = 0; j < c->nconds; j++)
			h = mix64(mix64(mix64(h, c->conds[j].arg * 16u +
						     c->conds[j].op +
						     c->conds[j].low32 * 256u),
					c->conds[j].datum),
				  c->conds[j].datum2);
	}
	return h;
}

static bool body_same(const struct grange *a, const struct grange *b)
{
	size_t n = live_chains(a->sys);

	if (a->arch->cmp_bits != b->arch->cmp_bits ||
	    a->arch->big_endian != b->arch->big_endian ||
	    a->sys->fallback != b->sys->fallback || n != live_chains(b->sys))
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct cf_ir_chain *x = &a->sys->chains[i],
					 *y = &b->sys->chains[i];

		if (x->action != y->action || x->nconds != y->nconds)
			return false;
		for (unsigned j = 0; j < x->nconds; j++)
			if (!cf_cond_same_test(&x->conds[j], &y->conds[j]) ||
			    x->conds[j].low32 != y->conds[j].low32)
				return false;
	}
	return true;
}

/* The entry for r's code; with add, notes r's search (new entries as
 * needed). */
static struct shared *shared_of(struct gen *g, const struct grange *r, bool add)
{
	uint64_t h = body_hash(r);
	size_t i;

	if (add && (g->nsh + 1) * 2 > g->capshared_index) {
		size_t cap = g->capshared_index ? g->capshared_index * 2 : 64;
		int *t = calloc(cap, sizeof(*t));

		if (!t) {
			g->oom = true;
			return NULL;
		}
		for (size_t k = 0; k < g->nsh; k++) {
			for (i = g->sh[k].h & (cap - 1); t[i];
			     i = (i + 1) & (cap - 1))
				;
			t[i] = (int)k + 1;
		}
		free(g->shared_index);
		g->shared_index = t;
		g->capshared_index = cap;
	}
	if (!g->capshared_index)
		return NULL;
	for (i = h & (g->capshared_index - 1); g->shared_index[i];
	     i = (i + 1) & (g->capshared_index - 1)) {
		struct shared *e = &g->sh[g->shared_index[i] - 1];

		if (e->h == h && body_same(&e->r, r)) {
			if (add && e->r.arch->audit_arch != r->arch->audit_arch)
				e->multi = true;
			e->uses += add;
			return e;
		}
	}
	if (!add || !SGROW(g, sh, g->nsh + 1))
		return NULL;
	g->sh[g->nsh] = (struct shared){*r, h, false, 0, 1, 0, false};
	g->shared_index[i] = (int)++g->nsh;
	return &g->sh[g->nsh - 1];
}

/* The label of r's shared code, or NEXT when r's code is its own. */
static int shared_label(struct gen *g, const struct grange *r)
{
	struct shared *e;

	if (!g->share || !r->sys || !live_chains(r->sys))
		return NEXT;
	e = shared_of(g, r, false);
	if (!e || !e->multi)
		return NEXT;
	if (!e->label)
		e->label = new_label(g);
	return e->label;
}

/* share_inline: r's entry when its code is needed by several ranges
 * and not emitted yet, else NULL. */
static struct shared *inline_entry(struct gen *g, const struct grange *r)
{
	struct shared *e;

	if (!g->share_inline || g->share || !r->sys || !live_chains(r->sys))
		return NULL;
	e = shared_of(g, r, false);
	return e && e->uses > 1 && !e->placed ? e : NULL;
}

/* Where a search jumps for r: its return, its shared code, or NEXT (its
 * code follows). A use of shared code before its last jumps ahead to it;
 * the last use gets NEXT: its code follows (emit_leaf). */
static int leaf_label(struct gen *g, const struct grange *r)
{
	struct shared *e;

	if (!r->sys)
		return ret_label(g, r->action);
	e = inline_entry(g, r);
	if (e && e->seen + 1 < e->uses) {
		e->seen++;
		if (!e->label)
			e->label = new_label(g);
		return e->label;
	}
	return shared_label(g, r);
}

/* share_inline: r's code when it is shared, at its last use (earlier
 * uses jump ahead to it); false when r's code is its own. */
static bool emit_shared_inline(struct gen *g, const struct grange *r)
{
	struct shared *e = inline_entry(g, r);

	if (!e)
		return false;
	if (!e->label)
		e->label = new_label(g);
	if (++e->seen < e->uses) {
		emit_ja(g, e->label);
		return true;
	}
	place(g, e->label);
	e->placed = true;
	gen_sys(g, r);
	return true;
}

/* ---- opt: x86_64 code on the 32-bit code of x86 and x32 -------------- */

/* A 32-bit ABI of the same byte order as ar, or NULL. */
static const struct cf_arch *narrow_arch(const struct cf_arch *ar)
{
	for (int i = 0; i < cf_narches; i++)
		if (cf_arches[i].cmp_bits == 32 &&
		    cf_arches[i].big_endian == ar->big_endian)
			return &cf_arches[i];
	return NULL;
}

/* share_inline: on a 64-bit ABI, r's chains test one argument with
 * interval operators on values below 2^32. With the high word 0 they
 * decide as on a 32-bit ABI; above, as at 2^32 (*above). *narrow: r on
 * that 32-bit ABI, whose code (x86's, x32's) the high-word check can
 * share. False when r does not qualify. */
static bool narrow_split(const struct grange *r, struct grange *narrow,
			 uint32_t *above, int *arg)
{
	const struct cf_ir_sys *s = r->sys;
	size_t n = s ? live_chains(s) : 0;

	if (!n || r->arch->cmp_bits != 64 || low32_conds(s, n) != 0)
		return false;
	*arg = steps_arg(r->arch, s, n);
	if (*arg < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		for (unsigned j = 0; j < s->chains[i].nconds; j++)
			if (s->chains[i].conds[j].datum > UINT32_MAX)
				return false;
	*narrow = *r;
	narrow->arch = narrow_arch(r->arch);
	*above = eval_at(r->arch, s, n, 1ULL << 32);
	return narrow->arch != NULL;
}

/* Whether r's code is its high-word check and a jump into 32-bit code
 * that another ABI needs too (its own code alone, the 32-bit code
 * needed elsewhere); with count, notes the use. */
static bool narrow_shared(struct gen *g, const struct grange *r,
			  struct grange *narrow, uint32_t *above, int *arg,
			  bool count)
{
	struct shared *own, *e;

	if (!g->share_inline || g->share ||
	    !narrow_split(r, narrow, above, arg))
		return false;
	own = shared_of(g, r, false);
	e = shared_of(g, narrow, false);
	if (!own || own->uses != 1 || !e || e->uses < (count ? 1u : 2u))
		return false;
	if (count)
		shared_of(g, narrow, true);
	return true;
}

/* r's high-word check, then the shared 32-bit code (emit_leaf). */
static bool emit_narrow_leaf(struct gen *g, const struct grange *r)
{
	struct grange narrow;
	struct shared *e;
	uint32_t above;
	int arg, to = NEXT;
	uint8_t part = g->part;
	int16_t abi = g->abi;

	if (!narrow_shared(g, r, &narrow, &above, &arg, false))
		return false;
	/* the code as the 32-bit ABI that needs it has it (labels) */
	e = shared_of(g, &narrow, false);
	if (e)
		narrow = e->r;
	/* a use before the last: the check jumps there (no JA) */
	e = inline_entry(g, &narrow);
	if (e && e->seen + 1 < e->uses) {
		e->seen++;
		if (!e->label)
			e->label = new_label(g);
		to = e->label;
	}
	/* the check is a body of its own (labels: r's code) */
	g->part = CF_PART_ARGS;
	g->abi = (int16_t)(r->arch - cf_arches);
	if (g->label && SGROW(g, bods, g->nbody + 1))
		g->bods[g->nbody] = (struct gbody){g->abi, r->sys->nr};
	g->body = (int)g->nbody++;
	load(g, arg_off(r->arch, (unsigned)arg, true));
	emit_jmp(g, BPF_JGE, 1, ret_label(g, above), to);
	g->body = -1;
	g->part = part;
	g->abi = abi;
	if (to == NEXT && !emit_shared_inline(g, &narrow))
		gen_sys(g, &narrow);
	return true;
}

/* ---- the search ------------------------------------------------------ */

static void emit_leaf(struct gen *g, const struct grange *r)
{
	int l = r->sys ? shared_label(g, r) : NEXT;

	if (emit_shared_inline(g, r) || (r->sys && emit_narrow_leaf(g, r)))
		;
	else if (l != NEXT)
		emit_ja(g, l);
	else if (r->sys)
		gen_sys(g, r);
	else
		emit_ret(g, r->action);
	g->body = -1;
}

/* Decides ranges r[i..j] (contiguous, ascending) with nr in A. */
static void emit_tree(struct gen *g, const struct grange *r, size_t i, size_t j)
{
	size_t mid;
	int lt, rt;

	if (i == j) {
		emit_leaf(g, &r[i]);
		return;
	}
	mid = i + (j - i + 1) / 2;
	lt = mid - 1 == i && !r[i].sys ? ret_label(g, r[i].action) : NEXT;
	rt = mid == j && !r[j].sys ? ret_label(g, r[j].action) : NEXT;
	if (lt != NEXT && rt != NEXT) {
		emit_jmp(g, BPF_JGE, r[mid].lo, rt, lt);
	} else if (lt != NEXT) {
		emit_jmp(g, BPF_JGE, r[mid].lo, NEXT, lt);
		emit_tree(g, r, mid, j);
	} else if (rt != NEXT) {
		emit_jmp(g, BPF_JGE, r[mid].lo, rt, NEXT);
		emit_tree(g, r, i, mid - 1);
	} else {
		rt = new_label(g);
		emit_jmp(g, BPF_JGE, r[mid].lo, rt, NEXT);
		emit_tree(g, r, i, mid - 1);
		place(g, rt);
		emit_tree(g, r, mid, j);
	}
}

/* ---- opt: number chains ---------------------------------------------- */

/* A node r[i..j] of a search, as a chain: the ranges that do not decide
 * as its background (the argument-free action of most of its ranges) are
 * its exceptions, tested one after another -- a syscall with argument
 * checks or a one-number range by one JEQ, a wider range by two JGEs
 * (one at either end of the node, where the node's bound is known) --
 * and whatever matches none gets the background. Syscalls with argument
 * checks come first, then lone numbers, then wide ranges ascending: a
 * number below a wide range's start matches no exception left, so it
 * gets the background at once. libseccomp's linear program costs one
 * JEQ per syscall; a chain never costs more than that. */

#define CHAIN_NODE_MAX (4 * CF_VALUE_RUN_MAX) /* ranges of a chain node */
/* a chain node of the speed-first search has at most this share of the
 * native ABI's calls (cf_sys_weights) */
#define CHAIN_COLD_SHARE 16

struct number_chain {
	uint32_t background;
	size_t ncompares; /* the longest path: the background's */
	size_t nbodies;	  /* syscalls with argument checks, tested first */
};

static bool in_background(const struct grange *r, uint32_t background)
{
	return !r->sys && r->action == background;
}

/* The chain of r[i..j] (at most CHAIN_NODE_MAX ranges): the background
 * that leaves the fewest compares. */
static struct number_chain plan_chain(const struct grange *r, size_t i,
				      size_t j)
{
	struct number_chain best = {0, SIZE_MAX, 0};

	for (size_t c = i; c <= j; c++) {
		struct number_chain ch = {r[c].action, 0, 0};

		if (r[c].sys)
			continue;
		for (size_t q = i; q <= j; q++) {
			if (in_background(&r[q], ch.background))
				continue;
			ch.nbodies += r[q].sys != NULL;
			ch.ncompares +=
			    r[q].lo == r[q].hi || q == i || q == j ? 1 : 2;
		}
		if (ch.ncompares < best.ncompares)
			best = ch;
	}
	return best;
}

/* The JGE(s) of r[q], a wide exception of the node r[i..j]: past its
 * end the chain goes on at next, below its start the background. */
static void emit_chain_wide(struct gen *g, const struct grange *r, size_t q,
			    size_t i, size_t j, int next, int background)
{
	int target = ret_label(g, r[q].action), after;

	if (q == i) { /* nr >= r[q].lo is known */
		emit_jmp(g, BPF_JGE, r[q].hi + 1, next, target);
	} else if (q == j) { /* nr <= r[q].hi is known */
		emit_jmp(g, BPF_JGE, r[q].lo, target, background);
	} else {
		after = next == NEXT ? new_label(g) : next;
		emit_jmp(g, BPF_JGE, r[q].hi + 1, after, NEXT);
		emit_jmp(g, BPF_JGE, r[q].lo, target, background);
		if (next == NEXT)
			place(g, after);
	}
}

/* Emits r[i..j] as the chain ch: the exceptions in their order, then
 * the code of the syscalls with argument checks (unless shared). */
static void emit_chain(struct gen *g, const struct grange *r, size_t i,
		       size_t j, const struct number_chain *ch)
{
	int background = ret_label(g, ch->background);
	size_t mark = cf_scratch_mark(g->tmp);
	int *bodies = cf_scratch_array(g->tmp, j - i + 1, sizeof(*bodies));
	size_t left = ch->ncompares;

	if (!bodies) {
		g->oom = true;
		return;
	}
	for (int pass = 0; pass < 3; pass++) {
		for (size_t q = i; q <= j; q++) {
			int order = r[q].sys ? 0 : r[q].lo == r[q].hi ? 1 : 2;
			int next, to;

			if (order != pass ||
			    in_background(&r[q], ch->background))
				continue;
			left -= order < 2 || q == i || q == j ? 1 : 2;
			next = left ? NEXT : background;
			if (order == 2) {
				emit_chain_wide(g, r, q, i, j, next,
						background);
				continue;
			}
			to = leaf_label(g, &r[q]);
			if (to == NEXT) /* its own code, behind the chain */
				to = bodies[q - i] = new_label(g);
			emit_jmp(g, BPF_JEQ, r[q].lo, to, next);
		}
	}
	for (size_t q = i; q <= j; q++) {
		if (!bodies[q - i])
			continue;
		place(g, bodies[q - i]);
		emit_leaf(g, &r[q]);
	}
	cf_scratch_rewind(g->tmp, mark);
}

/* Speed first (g->number_runs): r[i..j] as a chain when that is shorter
 * than its search, takes at most depth levels (a syscall with argument
 * checks one level higher) and no number of it is called often (the
 * background pays every compare); true when emitted. */
static bool emit_wtree_chain(struct gen *g, const struct grange *r, size_t i,
			     size_t j, unsigned depth)
{
	struct number_chain ch;
	uint64_t calls =
	    g->weight_sums[j + 1] - g->weight_sums[i] - (j - i + 1);

	if (!g->number_runs || j - i >= CHAIN_NODE_MAX ||
	    calls * CHAIN_COLD_SHARE > g->calls_total)
		return false;
	ch = plan_chain(r, i, j);
	if (ch.ncompares > depth || ch.ncompares >= j - i ||
	    (ch.nbodies && ch.nbodies >= depth))
		return false;
	emit_chain(g, r, i, j, &ch);
	return true;
}

/* ---- opt: the weighted search ---------------------------------------- */

#define NATIVE_MULT 16 /* a call of the native ABI weighs 16 of a sharer's */

/* Weights of g->rg: 1 per range, plus the call frequency (cf_sys_weights)
 * of every number in it, a sharer's (x32 in x86_64's search) at 1/16 of
 * the native ABI's (g->weight_sums: prefix sums). Units bound the depth: a
 * range takes 1 unit of the deepest level, a syscall with argument checks 2
 * (aligned), so that it sits a level higher (g->units). */
static bool weigh_ranges(struct gen *g, const struct cf_ir *ir, uint32_t audit)
{
	size_t n = g->nrg;

	if (!SGROW(g, weight_sums, n + 1) || !SGROW(g, units, n + 1) ||
	    !SGROW(g, two_unit_counts, n + 1))
		return false;
	if (!g->widx) {
		g->widx =
		    cf_scratch_array(g->tmp, cf_nsys_weights, sizeof(*g->widx));
		if (!g->widx) {
			g->oom = true;
			return false;
		}
		for (size_t w = 0; w < cf_nsys_weights; w++) {
			g->widx[w] = cf_sys_index(cf_sys_weights[w].name);
			g->calls_total +=
			    NATIVE_MULT * (uint64_t)cf_sys_weights[w].weight;
		}
	}
	g->weight_sums[0] = g->two_unit_counts[0] = 0;
	for (size_t i = 0; i < n; i++) {
		g->weight_sums[i + 1] = 1;
		g->units[i] = g->rg[i].sys ? 2 : 1;
		g->two_unit_counts[i + 1] =
		    g->two_unit_counts[i] + (g->rg[i].sys ? 1 : 0);
	}
	for (size_t k = 0; k < ir->nabis; k++) {
		const struct cf_ir_abi *abi = &ir->abis[k];
		uint32_t mult = k == 0 ? NATIVE_MULT : 1;

		if (cf_arches[abi->arch].audit_arch != audit)
			continue;
		for (size_t w = 0; w < cf_nsys_weights; w++) {
			int idx = g->widx[w];
			int64_t nr = idx < 0 ? -1 : cf_sys_nr(abi->arch, idx);
			size_t lo = 0, hi = n;

			if (nr < 0)
				continue;
			while (hi - lo > 1) { /* last range with lo <= nr */
				size_t m = lo + (hi - lo) / 2;

				if (g->rg[m].lo <= (uint64_t)nr)
					lo = m;
				else
					hi = m;
			}
			g->weight_sums[lo + 1] +=
			    (uint32_t)(cf_sys_weights[w].weight * mult);
		}
	}
	for (size_t i = 0; i < n; i++)
		g->weight_sums[i + 1] += g->weight_sums[i];
	return true;
}

/* Room taken by a run of leaves of units 1 and 2 when each 2 must start
 * at an even position: the least 2^d that holds it is the least depth of
 * a search tree over them with every leaf within its bound (mirrored, the
 * same holds from the right). */
static uint64_t room_add(uint64_t x, uint64_t u)
{
	return ((x + u - 1) & ~(u - 1)) + u;
}

static unsigned ceil_log2(uint64_t n)
{
	unsigned d = 0;

	while (d < 63 && (1ULL << d) < n)
		d++;
	return d;
}

/* Upper bound of the room of r[i..j-1]: units, plus one pad per 2. */
static uint64_t room_ub(const struct gen *g, size_t i, size_t j)
{
	return (j - i) + 2 * (g->two_unit_counts[j] - g->two_unit_counts[i]);
}

/* r[i..j] is [X][one number][X]: one JEQ decides it. */
static bool is_lone_middle(const struct grange *r, size_t i, size_t j)
{
	return j == i + 2 && !r[i].sys && !r[j].sys &&
	       r[i].action == r[j].action && r[i + 1].lo == r[i + 1].hi;
}

/* Decides r[i..j] with nr in A in at most depth levels (when the units
 * allow it), splitting where the weights balance best. */
static void emit_wtree(struct gen *g, const struct grange *r, size_t i,
		       size_t j, unsigned depth)
{
	uint64_t half = depth ? 1ULL << (depth - 1) : 0;
	uint64_t wl = g->weight_sums[i], wr = g->weight_sums[j + 1];
	uint64_t best = UINT64_MAX, bestu = UINT64_MAX, rl, rr;
	size_t mid = i + 1, lo, hi, w0, w1;
	unsigned dl, dr;
	int lt, rt;

	if (i == j) {
		emit_leaf(g, &r[i]);
		return;
	}
	if (emit_wtree_chain(g, r, i, j, depth))
		return;
	if (is_lone_middle(r, i, j)) { /* [X][nr][X]: one JEQ */
		int x = ret_label(g, r[i].action);

		rt = leaf_label(g, &r[i + 1]);
		emit_jmp(g, BPF_JEQ, r[i + 1].lo, rt, x);
		if (rt == NEXT)
			emit_leaf(g, &r[i + 1]);
		return;
	}
	/* room of a run lies between its units and its units plus one pad
	 * per 2-unit range: a split whose sides' upper bounds fit is
	 * feasible; the best balance of weights among those by binary
	 * search */
	lo = i + 1;
	hi = j;
	while (lo < hi) { /* least m whose right side surely fits */
		size_t m = lo + (hi - lo) / 2;

		if (room_ub(g, m, j + 1) <= half)
			hi = m;
		else
			lo = m + 1;
	}
	w0 = lo;
	w1 = j;
	if (room_ub(g, lo, j + 1) > half)
		w1 = 0;	  /* none */
	while (w0 < w1) { /* greatest m whose left side surely fits */
		size_t m = w0 + (w1 - w0 + 1) / 2;

		if (room_ub(g, i, m) <= half)
			w0 = m;
		else
			w1 = m - 1;
	}
	hi = w1;
	if (hi >= lo && room_ub(g, i, hi) <= half) {
		w0 = lo;
		w1 = hi;
		while (w0 < w1) { /* first m with 2 weight_sums[m] >= wl + wr */
			size_t m = w0 + (w1 - w0) / 2;

			if (2 * g->weight_sums[m] >= wl + wr)
				w1 = m;
			else
				w0 = m + 1;
		}
		mid = w0;
		if (mid > lo && 2 * g->weight_sums[mid] >= wl + wr &&
		    2 * g->weight_sums[mid] - wl - wr >
			wl + wr - 2 * g->weight_sums[mid - 1])
			mid--;
		rl = room_ub(g, i, mid);
		rr = room_ub(g, mid, j + 1);
	} else {
		uint32_t *fl, *fr;

		if (!SGROW(g, fl, g->nrg + 1) || !SGROW(g, fr, g->nrg + 1))
			return;
		fl = g->fl;
		fr = g->fr;
		/* fl[m]: room of r[i..m-1]; fr[m]: room of r[m..j] */
		fl[i] = 0;
		for (size_t m = i; m <= j; m++)
			fl[m + 1] = (uint32_t)room_add(fl[m], g->units[m]);
		fr[j + 1] = 0;
		for (size_t m = j + 1; m-- > i;)
			fr[m] = (uint32_t)room_add(fr[m + 1], g->units[m]);
		for (size_t m = i + 1; m <= j; m++) {
			uint64_t ul = fl[m], ur = fr[m];
			uint64_t u = ul > ur ? ul : ur;
			uint64_t l = g->weight_sums[m] - wl,
				 r2 = wr - g->weight_sums[m];
			uint64_t d = l > r2 ? l - r2 : r2 - l;

			if (u > half) {
				/* infeasible: the least unbalanced counts */
				if (best == UINT64_MAX && u < bestu) {
					bestu = u;
					mid = m;
				}
				continue;
			}
			if (d < best) {
				best = d;
				mid = m;
			}
		}
		rl = fl[mid];
		rr = fr[mid];
	}
	dl = depth ? depth - 1 : 0;
	dr = dl;
	if ((1ULL << dl) < rl)
		dl = ceil_log2(rl);
	if ((1ULL << dr) < rr)
		dr = ceil_log2(rr);
	lt = mid - 1 == i ? leaf_label(g, &r[i]) : NEXT;
	rt = mid == j ? leaf_label(g, &r[j]) : NEXT;
	if (lt != NEXT && rt != NEXT) {
		emit_jmp(g, BPF_JGE, r[mid].lo, rt, lt);
	} else if (lt != NEXT) {
		emit_jmp(g, BPF_JGE, r[mid].lo, NEXT, lt);
		emit_wtree(g, r, mid, j, dr);
	} else if (rt != NEXT) {
		emit_jmp(g, BPF_JGE, r[mid].lo, rt, NEXT);
		emit_wtree(g, r, i, mid - 1, dl);
	} else {
		rt = new_label(g);
		emit_jmp(g, BPF_JGE, r[mid].lo, rt, NEXT);
		emit_wtree(g, r, i, mid - 1, dl);
		place(g, rt);
		emit_wtree(g, r, mid, j, dr);
	}
}

/* The size-first search of r[i..j]: chains of at most SIZE_CHAIN_MAX
 * compares, split by a JGE at the middle range while longer. */
#define SIZE_CHAIN_MAX (2 * CF_VALUE_RUN_MAX)

static void emit_number_chains(struct gen *g, const struct grange *r, size_t i,
			       size_t j)
{
	size_t mid = i + (j - i + 1) / 2;
	int right;

	if (i == j) {
		emit_leaf(g, &r[i]);
		return;
	}
	if (j - i < CHAIN_NODE_MAX) {
		struct number_chain ch = plan_chain(r, i, j);

		if (ch.ncompares <= SIZE_CHAIN_MAX && ch.ncompares <= j - i) {
			emit_chain(g, r, i, j, &ch);
			return;
		}
	}
	right = new_label(g);
	emit_jmp(g, BPF_JGE, r[mid].lo, right, NEXT);
	emit_number_chains(g, r, i, mid - 1);
	place(g, right);
	emit_number_chains(g, r, mid, j);
}

static void emit_search(struct gen *g, const struct cf_ir *ir, uint32_t audit)
{
	uint64_t room = 0;

	build_ranges(g, ir, audit);
	if (g->oom)
		return;
	if (!g->opt) {
		emit_tree(g, g->rg, 0, g->nrg - 1);
		return;
	}
	if (g->size_first) {
		emit_number_chains(g, g->rg, 0, g->nrg - 1);
		return;
	}
	if (!weigh_ranges(g, ir, audit))
		return;
	for (size_t i = 0; i < g->nrg; i++)
		room = room_add(room, g->units[i]);
	emit_wtree(g, g->rg, 0, g->nrg - 1, ceil_log2(room));
}

static void gen_program(struct gen *g, const struct cf_ir *ir)
{
	uint32_t audits[32];
	int labels[32];
	size_t na = 0;
	int kill;

	for (size_t i = 0; i < ir->nabis && i < 32; i++) {
		uint32_t au = cf_arches[ir->abis[i].arch].audit_arch;
		size_t j = 0;

		while (j < na && audits[j] != au)
			j++;
		if (j == na)
			audits[na++] = au;
	}
	g->cur = ST_UNK;
	g->part = CF_PART_ARCH;
	g->abi = -1;
	load(g, (uint32_t)OFF_ARCH);
	kill = ret_label(g, CF_RET_KILL_THREAD);
	/* opt: the last arch's search follows its check, the native one's
	 * comes last, so that no check needs a trampoline in the usual
	 * case of a native search longer than the others */
	for (size_t i = 0; i < na; i++) {
		bool last = i + 1 == na;

		labels[i] = new_label(g);
		emit_jmp(g, BPF_JEQ, audits[i],
			 g->opt && last ? NEXT : labels[i], last ? kill : NEXT);
	}
	if (!na)
		emit_ret(g, CF_RET_KILL_THREAD);
	/* sharing: count the syscall code of every search first */
	for (size_t i = 0; (g->share || g->share_inline) && i < na && !g->oom;
	     i++) {
		build_ranges(g, ir, audits[i]);
		for (size_t q = 0; q < g->nrg && !g->oom; q++)
			if (g->rg[q].sys && live_chains(g->rg[q].sys))
				shared_of(g, &g->rg[q], true);
	}
	/* then the 64-bit code that can run on another ABI's 32-bit code */
	for (size_t i = 0; g->share_inline && i < na && !g->oom; i++) {
		build_ranges(g, ir, audits[i]);
		for (size_t q = 0; q < g->nrg && !g->oom; q++) {
			struct grange narrow;
			uint32_t above;
			int arg;

			if (g->rg[q].sys)
				narrow_shared(g, &g->rg[q], &narrow, &above,
					      &arg, true);
		}
	}
	for (size_t k = 0; k < na && !g->oom; k++) {
		size_t i = g->opt ? na - 1 - k : k;

		place(g, labels[i]);
		g->part = CF_PART_SEARCH;
		for (size_t q = ir->nabis; q-- > 0;)
			if (cf_arches[ir->abis[q].arch].audit_arch == audits[i])
				g->abi = (int16_t)ir->abis[q].arch;
		load(g, (uint32_t)OFF_NR);
		emit_search(g, ir, audits[i]);
	}
	g->part = CF_PART_RETURN;
	g->abi = -1;
	/* the shared syscall code, behind every search */
	for (size_t q = 0; q < g->nsh && !g->oom; q++) {
		if (!g->sh[q].label || g->sh[q].placed)
			continue;
		place(g, g->sh[q].label);
		g->sh[q].placed = true;
		gen_sys(g, &g->sh[q].r);
		g->body = -1;
	}
	/* the return pool, in order of first use */
	for (size_t l = 1; l < g->nlb; l++) {
		if (!g->lb[l].is_ret || g->lb[l].local || !g->lb[l].refs)
			continue;
		place(g, (int)l);
		emit_ret(g, g->lb[l].action);
	}
}

/* ---- linking --------------------------------------------------------- */

static bool is_cond(const struct ginsn *in)
{
	return BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) != BPF_JA;
}

static size_t target(const struct gen *g, size_t i, int l)
{
	return l == NEXT ? i + 1 : g->lb[l].pos;
}

/* opt: a jump to a pool return that is out of reach may land on the
 * nearest RET of the same action ahead -- another syscall's return, a
 * trampoline copy -- instead of getting a copy of its own. */
struct lk {
	size_t *addr;
	uint8_t *dst; /* [2 * i + s]: jump offset of side s of instruction i */
	uint8_t *tr;  /* trampolines: bit 0 jt's, bit 1 jf's */
	int *key;     /* label -> action index (opt, return labels), -1 */
	int *rkey;    /* instruction -> action index of its RET, -1 */
	size_t *last; /* by action index: nearest RET ahead (sweep) */
	size_t nacts;
};

static int side_key(const struct gen *g, const struct lk *k, size_t i,
		    unsigned s)
{
	int l = s ? g->in[i].jf : g->in[i].jt;

	return k->key && l != NEXT ? k->key[l] : -1;
}

/* Small indexes for actions: open addressing over at most n actions. */
struct acts {
	uint32_t *action;
	int *idx; /* index + 1, 0 = empty slot */
	size_t cap, n;
};

static bool acts_init(struct acts *t, size_t n)
{
	t->cap = 16;
	while (t->cap < 2 * n)
		t->cap *= 2;
	t->n = 0;
	t->action = calloc(t->cap, sizeof(*t->action));
	t->idx = calloc(t->cap, sizeof(*t->idx));
	return t->action && t->idx;
}

static void acts_free(struct acts *t)
{
	free(t->action);
	free(t->idx);
}

/* The index of action (a new one if add), or -1. */
static int acts_index(struct acts *t, uint32_t action, bool add)
{
	size_t h = hash32(action) & (t->cap - 1);

	while (t->idx[h] && t->action[h] != action)
		h = (h + 1) & (t->cap - 1);
	if (!t->idx[h] && add) {
		t->action[h] = action;
		t->idx[h] = (int)++t->n;
	}
	return t->idx[h] - 1;
}

/* Action indexes for the return labels and the RETs (opt). */
static bool collect_keys(struct gen *g, struct lk *k)
{
	size_t nl = g->nlb, nret = 0;
	struct acts t;

	if (!g->opt)
		return true;
	for (size_t l = 0; l < nl; l++)
		nret += g->lb[l].is_ret;
	k->key = calloc(nl, sizeof(*k->key));
	k->rkey = calloc(g->n + 1, sizeof(*k->rkey));
	if (!acts_init(&t, nret) || !k->key || !k->rkey) {
		acts_free(&t);
		return false;
	}
	for (size_t l = 0; l < nl; l++)
		k->key[l] = g->lb[l].is_ret
				? acts_index(&t, g->lb[l].action, true)
				: -1;
	for (size_t u = 0; u < g->n; u++)
		k->rkey[u] = g->in[u].code == (BPF_RET | BPF_K)
				 ? acts_index(&t, g->in[u].k, false)
				 : -1;
	k->nacts = t.n;
	acts_free(&t);
	k->last = calloc(k->nacts + 1, sizeof(*k->last));
	return k->last != NULL;
}

/* One backward sweep: where every side lands; false when a side needed a
 * new trampoline (addresses change: sweep again). */
static bool sweep_jumps(struct gen *g, struct lk *k)
{
	bool stable = true;

	for (size_t a = 0; a < k->nacts; a++)
		k->last[a] = SIZE_MAX;
	for (size_t u = g->n; u-- > 0;) {
		const struct ginsn *in = &g->in[u];
		size_t au = k->addr[u];

		if (in->code == (BPF_RET | BPF_K)) {
			if (k->rkey && k->last && k->rkey[u] >= 0)
				k->last[k->rkey[u]] = au;
			continue;
		}
		if (!is_cond(in))
			continue;
		for (unsigned s = 0; s < 2; s++) {
			size_t to = k->addr[target(g, u, s ? in->jf : in->jt)];
			int a = side_key(g, k, u, s);

			if (!(k->tr[u] & (1u << s)) && to - au - 1 > 255) {
				if (a >= 0 && k->last &&
				    k->last[a] != SIZE_MAX &&
				    k->last[a] - au - 1 <= 255) {
					to = k->last[a];
				} else {
					k->tr[u] |= (uint8_t)(1u << s);
					stable = false;
				}
			}
			if (k->tr[u] & (1u << s))
				to = au + 1 + (s ? (k->tr[u] & 1) : 0);
			k->dst[2 * u + s] = (uint8_t)(to - au - 1);
		}
		for (unsigned s = 2; s-- > 0;) {
			int a = side_key(g, k, u, s);

			if ((k->tr[u] & (1u << s)) && a >= 0 && k->last)
				k->last[a] = au + 1 + k->dst[2 * u + s];
		}
	}
	return stable;
}

/* Lays out g->in with trampolines until every conditional jump
 * reaches. */
static int layout(struct gen *g, struct lk *k)
{
	for (size_t i = 0; i < g->n; i++) {
		if (!is_cond(&g->in[i]))
			continue;
		for (unsigned s = 0; s < 2; s++) {
			size_t t = target(g, i, s ? g->in[i].jf : g->in[i].jt);

			if (t <= i || t >= g->n)
				return -EINVAL;
		}
	}
	do {
		k->addr[0] = 0;
		for (size_t i = 0; i < g->n; i++)
			k->addr[i + 1] =
			    k->addr[i] + 1 + (k->tr[i] & 1) + (k->tr[i] >> 1);
	} while (!sweep_jumps(g, k));
	return 0;
}

/* The trampoline at address at for side s of instruction i. */
static struct sock_filter tramp(const struct gen *g, const struct lk *k,
				size_t i, unsigned s, size_t at)
{
	size_t t = target(g, i, s ? g->in[i].jf : g->in[i].jt);
	const struct ginsn *to = &g->in[t];

	if (BPF_CLASS(to->code) == BPF_RET)
		return (struct sock_filter)BPF_STMT(to->code, to->k);
	return (struct sock_filter)BPF_JUMP(
	    BPF_JMP | BPF_JA, (uint32_t)(k->addr[t] - at - 1), 0, 0);
}

/* Bodies (syscall code) with a jump to a pool return that needed a
 * trampoline: worth a scope of their own. true if there are enough. */
static bool mark_bodies(const struct gen *g, const struct lk *k, bool *marks)
{
	size_t far = 0;

	for (size_t i = 0; i < g->n; i++)
		for (unsigned s = 0; s < 2; s++)
			if ((k->tr[i] & (1u << s)) && g->in[i].body >= 0 &&
			    side_key(g, k, i, s) >= 0) {
				marks[g->in[i].body] = true;
				far++;
			}
	/* a handful is not worth generating the program twice */
	return far >= 16;
}

/* opt: fewer RETs. Going backwards, a RET whose every way in -- labels,
 * and the fall-through of a conditional jump before it -- can as well
 * reach the nearest RET of the same action ahead (within MERGE_REACH
 * instructions of the farthest jump into it) goes away, and its ways in
 * lead there instead. The layout adds a trampoline where a jump still
 * falls short, so the program stays correct whatever the distances. */
#define MERGE_REACH 160

/* The nearest kept RET of an action, during merge_rets' backward pass. */
struct ahead {
	uint32_t action;
	size_t at; /* instruction index */
	int label; /* a label on it, 0 = none yet */
	bool used;
};

static bool merge_rets(struct gen *g)
{
	size_t n = g->n, w = 0, nret = 0, ndrop = 0;
	size_t *minsrc;
	int *head, *next;
	bool *drop, *fall;
	struct acts acts = {0};
	struct ahead *t;
	bool ok;

	if (!g->opt || n < 2)
		return true;
	for (size_t u = 0; u < n; u++)
		nret += g->in[u].code == (BPF_RET | BPF_K);
	if (nret < 2)
		return true;
	minsrc = malloc((n + 1) * sizeof(*minsrc));
	head = calloc(n + 1, sizeof(*head));
	next = calloc(g->nlb + 1, sizeof(*next));
	drop = calloc(n + 1, 1);
	fall = calloc(n + 1, 1);
	t = calloc(nret, sizeof(*t));
	ok = minsrc && head && next && drop && fall && t &&
	     acts_init(&acts, nret) && SGROW(g, newpos, n + 1);
	if (!ok)
		goto out;
	for (size_t u = 0; u <= n; u++)
		minsrc[u] = SIZE_MAX;
	/* labels by position; the farthest jump into every instruction;
	 * instructions entered by falling through something that is not a
	 * conditional jump (a load, an ALU step) */
	for (size_t l = 1; l < g->nlb; l++)
		if (g->lb[l].pos <= n) {
			next[l] = head[g->lb[l].pos];
			head[g->lb[l].pos] = (int)l;
		}
	for (size_t i = 0; i < n; i++) {
		const struct ginsn *in = &g->in[i];

		if (is_cond(in) || BPF_CLASS(in->code) == BPF_JMP) {
			for (unsigned sd = 0; sd < (is_cond(in) ? 2u : 1u);
			     sd++) {
				size_t to = target(g, i, sd ? in->jf : in->jt);

				if (to <= n && i < minsrc[to])
					minsrc[to] = i;
			}
		} else if (BPF_CLASS(in->code) != BPF_RET) {
			fall[i + 1] = true;
		}
	}
	for (size_t u = n; u-- > 1;) {
		struct ginsn *pv = &g->in[u - 1];
		struct ahead *a;

		if (g->in[u].code != (BPF_RET | BPF_K))
			continue;
		a = &t[acts_index(&acts, g->in[u].k, true)];
		if (fall[u] || !a->used ||
		    (minsrc[u] != SIZE_MAX &&
		     a->at - minsrc[u] > MERGE_REACH) ||
		    (is_cond(pv) && pv->jt == NEXT && pv->jf == NEXT)) {
			*a = (struct ahead){g->in[u].k, u, head[u], true};
			continue;
		}
		if (!a->label) {
			a->label = new_label(g);
			if (!a->label) {
				ok = false;
				goto out;
			}
			g->lb[a->label].pos = a->at;
		}
		/* the label of a RET is a return label of its action */
		g->lb[a->label].is_ret = true;
		g->lb[a->label].action = a->action;
		if (is_cond(pv) && (pv->jt == NEXT || pv->jf == NEXT)) {
			if (pv->jt == NEXT)
				pv->jt = a->label;
			else
				pv->jf = a->label;
			g->lb[a->label].refs++;
		}
		for (int l = head[u]; l; l = next[l]) {
			g->lb[l].pos = a->at;
			g->lb[l].is_ret = true;
			g->lb[l].action = a->action;
		}
		if (minsrc[u] < minsrc[a->at])
			minsrc[a->at] = minsrc[u];
		drop[u] = true;
		ndrop++;
	}
	if (!ndrop)
		goto out;
	/* new index of every instruction (labels move with them; none is on
	 * a dropped one now), then the instructions themselves */
	for (size_t u = 0; u <= n; u++) {
		g->newpos[u] = w;
		if (u < n && !drop[u])
			g->in[w++] = g->in[u];
	}
	for (size_t l = 1; l < g->nlb; l++)
		if (g->lb[l].pos <= n)
			g->lb[l].pos = g->newpos[g->lb[l].pos];
	g->n = w;
out:
	free(minsrc);
	free(head);
	free(next);
	free(drop);
	free(fall);
	free(t);
	acts_free(&acts);
	return ok;
}

/* The part of instruction in, at address at, and of the n - 1
 * trampolines behind it (returns, or jumps of its own part). */
static void label_insn(const struct gen *g, const struct ginsn *in,
		       struct cf_insn_part *parts, size_t at, size_t n)
{
	int64_t nr = in->body >= 0 && (size_t)in->body < g->nbody && g->bods
			 ? (int64_t)g->bods[in->body].nr
			 : -1;

	parts[at] = (struct cf_insn_part){in->part, in->abi, nr};
	for (size_t t = 1; t < n; t++)
		parts[at + t] = parts[at];
}

/* The instructions laid out by layout(), trampolines included, into p
 * (and their labels into parts, unless NULL). */
static void write_insns(const struct gen *g, const struct lk *k,
			struct sock_filter *p, struct cf_insn_part *parts)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct ginsn *in = &g->in[i];
		struct sock_filter *f = &p[k->addr[i]];
		size_t at = k->addr[i] + 1;

		*f = (struct sock_filter){in->code, 0, 0, in->k};
		if (parts)
			label_insn(g, in, parts, k->addr[i],
				   1 + (k->tr[i] & 1) + (k->tr[i] >> 1));
		if (BPF_CLASS(in->code) == BPF_JMP && !is_cond(in)) {
			f->k = (uint32_t)(k->addr[target(g, i, in->jt)] - at);
			continue;
		}
		if (!is_cond(in))
			continue;
		for (unsigned s = 0; s < 2; s++) {
			uint8_t off = k->dst[2 * i + s];

			if (k->tr[i] & (1u << s)) {
				p[at] = tramp(g, k, i, s, at);
				if (parts && BPF_CLASS(p[at].code) == BPF_RET)
					parts[at].part = CF_PART_RETURN;
				at++;
			}
			if (s)
				f->jf = off;
			else
				f->jt = off;
		}
	}
}

static int link_prog(struct gen *g, struct cf_prog *out, bool *marks, bool *any,
		     struct cf_error *err)
{
	struct lk k = {0};
	struct sock_filter *p;
	size_t len;

	int rc = 0;

	if (!merge_rets(g))
		return cf_err(err, -ENOMEM, "out of memory");
	k.addr = calloc(g->n + 1, sizeof(*k.addr));
	k.dst = calloc(2 * g->n + 1, sizeof(*k.dst));
	k.tr = calloc(g->n + 1, 1);
	if (!k.addr || !k.dst || !k.tr || !collect_keys(g, &k)) {
		rc = cf_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (layout(g, &k) < 0) {
		rc = cf_err(err, -EINVAL, "internal error: bad jump target");
		goto out;
	}
	len = k.addr[g->n];
	if (marks)
		*any = mark_bodies(g, &k, marks);
	out->insns = NULL;
	out->len = len;
	p = cf_arena_array(g->a, len, sizeof(*p));
	out->parts =
	    g->label ? cf_arena_array(g->a, len, sizeof(*out->parts)) : NULL;
	if (!p || (g->label && !out->parts)) {
		rc = cf_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	write_insns(g, &k, p, out->parts);
	if (g->drop_unreached)
		len = cf_gen_drop_unreached(p, out->parts, len);
	out->len = len;
	/* the final length: what the drop left (tests/test_opt.c,
	 * opt_limit_checks_the_final_length) */
	if (len > CF_BPF_MAXINSNS) {
		rc = cf_err(err, -E2BIG,
			    "the filter needs %zu BPF instructions, more than "
			    "the kernel's limit of %d; use fewer argument "
			    "rules or fewer architectures",
			    len, CF_BPF_MAXINSNS);
		goto out;
	}
	out->insns = p;
out:
	free(k.addr);
	free(k.dst);
	free(k.tr);
	free(k.key);
	free(k.rkey);
	free(k.last);
	return rc;
}

/* ---- entry point ----------------------------------------------------- */

static int check_ir(const struct cf_ir *ir, struct cf_error *err)
{
	if (ir->nabis > CF_ARRAY_SIZE(ir->abis))
		return cf_err(err, -EINVAL, "internal error: %zu ABIs",
			      ir->nabis);
	for (size_t i = 0; i < ir->nabis; i++) {
		const struct cf_ir_abi *abi = &ir->abis[i];

		if (abi->arch < 0 || abi->arch >= cf_narches)
			return cf_err(err, -EINVAL,
				      "internal error: ABI index %d",
				      abi->arch);
		for (size_t j = 0; j < abi->nsys; j++) {
			const struct cf_ir_sys *s = &abi->sys[j];

			if (j && s->nr <= abi->sys[j - 1].nr)
				return cf_err(err, -EINVAL,
					      "internal error: syscall "
					      "numbers not sorted");
			for (size_t c = 0; c < s->nchains; c++)
				for (unsigned k = 0; k < s->chains[c].nconds;
				     k++) {
					const struct cf_cond *cd =
					    &s->chains[c].conds[k];

					if (cd->arg > 5 || cd->op == 0 ||
					    cd->op >= CF_OP__COUNT)
						return cf_err(
						    err, -EINVAL,
						    "internal error: bad "
						    "condition");
				}
		}
	}
	return 0;
}

int cf_bpf_gen(struct cf_arena *a, const struct cf_ir *ir, struct cf_prog *out,
	       struct cf_error *err)
{
	const struct cf_gen_opts o = {.plain = false};

	return cf_bpf_gen_opts(a, ir, &o, out, err);
}

/* Where the passes of one cf_bpf_gen_opts put things: every linked
 * program (the shortest is copied to the caller's arena at the end), and
 * the scratch of the pass running (reset after each). */
struct gen_mem {
	struct cf_arena programs;
	struct cf_scratch tables;
};

/* One generation and link; frees the generator's scratch. */
static int gen_pass(struct gen *g, const struct cf_ir *ir, struct cf_prog *out,
		    bool **marks, bool *any, struct cf_error *err)
{
	int rc = -ENOMEM;

	new_label(g); /* label 0: the dummy */
	if (!g->oom)
		gen_program(g, ir);
	if (!g->oom && marks && g->opt && g->nbody) {
		*marks = calloc(g->nbody, sizeof(**marks)); /* caller frees */
		if (!*marks)
			g->oom = true;
	}
	if (g->oom)
		rc = cf_err(err, -ENOMEM, "out of memory");
	else
		rc = link_prog(g, out, marks ? *marks : NULL, any, err);
	free(g->weight_sums);
	free(g->units);
	free(g->two_unit_counts);
	free(g->fl);
	free(g->fr);
	free(g->sh);
	free(g->shared_index);
	free(g->newpos);
	free(g->bods);
	free(g->in);
	free(g->lb);
	free(g->rg);
	free(g->rets);
	cf_scratch_reset(g->tmp);
	return rc;
}

/* Keeps the shorter of *best (rc) and p (rc2); returns the kept rc. */
static int keep_shorter(struct cf_prog *best, int rc, const struct cf_prog *p,
			int rc2)
{
	if (rc2 == 0 && (rc < 0 || p->len < best->len)) {
		*best = *p;
		return 0;
	}
	if (rc < 0 && rc2 < 0 && p->len < best->len) {
		best->len = p->len;
		return rc2;
	}
	return rc;
}

/* A generator for one pass of cf_bpf_gen_opts. */
static struct gen gen_init(struct gen_mem *m, const struct cf_gen_opts *o)
{
	return (struct gen){.a = &m->programs,
			    .tmp = &m->tables,
			    .opt = !o->plain,
			    .value_runs = !o->plain && !o->no_value_runs,
			    .number_runs = !o->plain && !o->no_number_runs,
			    .share_inline = !o->plain && !o->no_shared_bodies,
			    .drop_unreached =
				!o->plain && !o->no_drop_unreached,
			    .body = -1,
			    .label = o->label};
}

/* The size-first layout: code shared between searches, no returns
 * copied behind syscall code, lone numbers and values as JEQ runs
 * whatever their depth. */
static int gen_size_first(struct gen_mem *m, const struct cf_ir *ir,
			  const struct cf_gen_opts *o, struct cf_prog *out,
			  struct cf_error *err)
{
	struct gen g = gen_init(m, o);

	g.share = true;
	g.size_first = true;
	return gen_pass(&g, ir, out, NULL, NULL, err);
}

/* The speed-first passes: the weighted search, then (when they help)
 * returns behind the syscall code that jumped far for them, and code
 * shared between searches. */
static int gen_speed_first(struct gen_mem *m, const struct cf_ir *ir,
			   const struct cf_gen_opts *o, struct cf_prog *out,
			   struct cf_error *err, bool *sized)
{
	struct gen g = gen_init(m, o);
	struct cf_prog p2 = {0};
	bool *marks = NULL, any = false;
	size_t len1;
	int rc = gen_pass(&g, ir, out, &marks, &any, err), rc2;

	len1 = out->len;
	/* nothing below shortens a program by half */
	if (!g.opt || (rc < 0 && rc != -E2BIG) || len1 > 2 * CF_BPF_MAXINSNS) {
		free(marks);
		return rc;
	}
	if (any) {
		g = gen_init(m, o);
		g.scoped = marks;
		rc2 = gen_pass(&g, ir, &p2, NULL, NULL, err);
		rc = keep_shorter(out, rc, &p2, rc2);
	}
	if (len1 > CF_BPF_MAXINSNS / 8) {
		/* a large program: syscall code shared between searches, at
		 * the price of a jump into it */
		g = gen_init(m, o);
		g.scope_all = true;
		g.share = true;
		rc2 = gen_pass(&g, ir, &p2, NULL, NULL, err);
		rc = keep_shorter(out, rc, &p2, rc2);
		/* and the size-first layout, when it is shorter still */
		if (!o->no_size_first) {
			rc2 = gen_size_first(m, ir, o, &p2, err);
			rc = keep_shorter(out, rc, &p2, rc2);
			*sized = true;
		}
	}
	free(marks);
	return rc;
}

/* The passes cf_bpf_gen_opts runs, in m; the shortest program in out. */
static int gen_shortest(struct gen_mem *m, const struct cf_ir *ir,
			const struct cf_gen_opts *o, struct cf_prog *out,
			struct cf_error *err)
{
	struct cf_prog p2 = {0};
	int rc, rc2;
	bool sized = false; /* the size-first layout was tried already */

	rc = o->size_first ? -E2BIG
			   : gen_speed_first(m, ir, o, out, err, &sized);
	if (rc == -E2BIG && !o->plain && !o->no_size_first && !sized) {
		/* never refuse what fits (the generator is deterministic:
		 * a second size-first pass would give the same program;
		 * valueset-2000.json, refused: 84.3 M -> 73.4 M) */
		rc2 = gen_size_first(m, ir, o, &p2, err);
		rc = o->size_first ? (*out = p2, rc2)
				   : keep_shorter(out, rc, &p2, rc2);
	}
	if (rc < 0 && rc != -E2BIG)
		return rc;
	if (rc < 0)
		return cf_err(err, -E2BIG,
			      "the filter needs %zu BPF instructions, more "
			      "than the kernel's limit of %d; use fewer "
			      "argument rules or fewer architectures",
			      out->len, CF_BPF_MAXINSNS);
	return 0;
}

/* Copies the program (and its labels) into a. */
static int copy_prog(struct cf_arena *a, struct cf_prog *out,
		     struct cf_error *err)
{
	struct sock_filter *p = cf_arena_array(a, out->len, sizeof(*p));
	struct cf_insn_part *parts =
	    out->parts ? cf_arena_array(a, out->len, sizeof(*parts)) : NULL;

	if (!p || (out->parts && !parts))
		return cf_err(err, -ENOMEM, "out of memory");
	memcpy(p, out->insns, out->len * sizeof(*p));
	if (parts)
		memcpy(parts, out->parts, out->len * sizeof(*parts));
	out->insns = p;
	out->parts = parts;
	return 0;
}

int cf_bpf_gen_opts(struct cf_arena *a, const struct cf_ir *ir,
		    const struct cf_gen_opts *o, struct cf_prog *out,
		    struct cf_error *err)
{
	struct gen_mem m = {0};
	int rc = check_ir(ir, err);

	if (rc < 0)
		return rc;
	*out = (struct cf_prog){0};
	rc = gen_shortest(&m, ir, o, out, err);
	if (rc == 0)
		rc = copy_prog(a, out, err);
	if (rc < 0) {
		out->insns = NULL; /* m's memory, released below */
		out->parts = NULL;
	}
	cf_arena_release(&m.programs);
	cf_scratch_release(&m.tables);
	return rc;
}
