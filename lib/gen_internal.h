/* SPDX-License-Identifier: Apache-2.0 */
/* gen_internal.h - what the generator's stage files share (bpf_gen.c,
 * gen_emit.c, gen_args.c, gen_search.c, gen_share.c, gen_link.c): a
 * pass's state (struct gen), its instruction list and labels, the tiny
 * emission helpers (inline: every pass calls them), and the functions one
 * stage file calls in another. Internal to the generator: nothing outside
 * these files includes it. */
#ifndef CF_GEN_INTERNAL_H
#define CF_GEN_INTERNAL_H

#include "base.h"
#include "action.h"
#include "ir.h"
#include "bpf_gen.h"

#include <stddef.h>

struct cf_scratch;

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
	/* the audit arch of the last search with a range that needs it
	 * (count_shared; high-word checks not counted) */
	uint32_t last_audit;
};

/* What the passes ask of an IR syscall again and again, kept for all
 * passes of one compile: the hash of its live chains and fallback (0:
 * not computed yet), and steps_arg and low32_conds of its live chains,
 * plus 3 (0: not computed yet; steps_arg by comparison width: [0] 32
 * bits, [1] 64). */
struct sys_facts {
	uint64_t hash;
	int8_t steps_arg[2];
	int8_t low32;
	/* on its 64-bit ABI (narrow_split): 0 not computed yet, 1 a value
	 * of its chains is over 32 bits, 2 none is, and then above: its
	 * decision with the high word over 0 */
	uint8_t narrow;
	uint32_t above;
	/* the last syscall whose live chains were found the same as these
	 * (gen_share.c, body_same), NULL */
	const struct cf_ir_sys *same_as;
	/* gen_args.c: its step function (nsteps steps) on the comparison
	 * width steps_wide (1: 64 bits), malloc'd (freed by
	 * cf_bpf_gen_opts), NULL until built */
	void *steps;
	uint32_t nsteps;
	uint8_t steps_wide;
	/* gen_graph.c: the instructions of its graph (a dry run) by
	 * g->size_first, plus 1 (0: not counted yet), when the run starts
	 * with graph_cur[] loaded */
	int8_t graph_cur[2];
	uint16_t graph_size[2];
};

/* The facts of each IR syscall by ABI and index in its syscalls. */
struct chain_hashes {
	const struct cf_ir *ir; /* NULL: none kept (out of memory) */
	struct sys_facts *by_abi[CF_ARRAY_SIZE(((struct cf_ir *)0)->abis)];
	struct sys_facts *block; /* the arrays of by_abi, one calloc */
};

/* build_ranges' ranges by audit arch, for all passes of one compile:
 * a pass asks for each search's ranges three times (count_shared twice,
 * emit_search), and they depend on the IR and the audit arch only. */
struct range_cache {
	size_t n;
	struct {
		uint32_t audit;
		struct grange *rg; /* malloc'd, freed by cf_bpf_gen_opts */
		size_t nrg;
	} e[8];
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
	int *rets; /* cf_index of the return labels by action */
	size_t nrets, caprets;
	struct grange *rg; /* build_ranges' ranges (push_range) */
	size_t nrg, caprg;
	/* the nrg ranges of the search: rg or g->ranges' copy */
	const struct grange *rv;
	int cur; /* accumulator state */
	bool oom;
	bool opt;	 /* the optimizations below (cf_gen_opts.plain unset) */
	bool value_runs; /* opt: lone values as JEQs (gen_values.c) */
	bool size_first; /* opt: the size-first retry (cf_bpf_gen_opts) */
	/* size first: the longest value run of the search being emitted
	 * (cf_value_run_max_sized of its lone values; 0: not known yet) */
	size_t value_run_max;
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
	bool share_tails;    /* opt: gen_tails.c before the link */
	bool arg_graph;	     /* opt: rules on several arguments as a graph */
	bool graph_steps;    /* opt: a graph node that returns as steps */
	/* opt, size first (cf_gen_opts.no_late_checks): high-word checks
	 * whose 32-bit code is ahead, emitted at the end of their search */
	bool late_checks;
	/* opt, size first (cf_gen_opts.no_x32_fold): x32's numbers
	 * folded onto x86_64's (gen_fold.c); fold_label: the fold's,
	 * where CF_GEN_FOLD leads (0: none) */
	bool x32_fold;
	/* opt, size first (cf_gen_opts.no_graph_one_run): a graph node's
	 * values emitted as one run of JEQs, counted as two (gen_graph.c,
	 * walk_word) */
	bool graph_one_run;
	/* opt, size first (cf_gen_opts.no_late_groups): late checks of one
	 * argument and decision above 2^32 as one high-word check and a
	 * chain of JEQs on the number (gen_search.c, emit_late_group) */
	bool late_groups;
	int fold_label;
	struct late_check {
		struct grange r;
		int label;
		size_t at; /* its JEQ's index */
		/* its high-word test: the argument, the decision above */
		int arg;
		uint32_t above;
	} * late;
	size_t nlate, caplate;
	struct shared *sh;
	size_t nsh, capsh;
	int *shared_index; /* cf_index of sh by body */
	size_t capshared_index;
	/* what the passes ask of each IR syscall (struct sys_facts: the
	 * hash of its live chains and fallback, steps_arg, low32_conds, its
	 * 32-bit fit), kept across passes (gen_mem.hashes; gen_share.c) */
	struct chain_hashes *hashes;
	struct range_cache *ranges; /* NULL: none kept */
	/* body_hash of recent (syscall, width, byte order): a range's code
	 * is looked up several times per search (gen_share.c) */
	struct body_memo {
		const struct cf_ir_sys *sys;
		uint8_t bits, big_endian;
		int entry; /* its entry in sh + 1, 0 until there is one */
		uint64_t h;
	} body_memo[256];
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
static inline bool sgrow(struct gen *g, void **p, size_t *cap, size_t need,
			 size_t size)
{
	/* (the room is there: no call, as every emit and label asks) */
	if (need <= *cap && *p)
		return true;
	if (cf_grow(p, cap, need, size, 64) == 0)
		return true;
	g->oom = true;
	return false;
}

#define SGROW(g, f, cnt)                                                       \
	sgrow(g, (void **)&(g)->f, &(g)->cap##f, (cnt), sizeof(*(g)->f))

/* ---- labels and emission (inline) ---------------------------------- */

static inline int meet(int a, int b)
{
	if (a == ST_TOP)
		return b;
	if (b == ST_TOP)
		return a;
	return a == b ? a : ST_UNK;
}

/* Label 0 is a dummy handed out on allocation failure. */
static inline int new_label(struct gen *g)
{
	if (!SGROW(g, lb, g->nlb + 1))
		return 0;
	g->lb[g->nlb] = (struct glabel){.state = ST_TOP};
	return (int)g->nlb++;
}

static inline uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	return x ^ (x >> 16);
}

static inline void emit(struct gen *g, uint16_t code, uint32_t k, int jt,
			int jf)
{
	if (!SGROW(g, in, g->n + 1))
		return;
	g->in[g->n++] = (struct ginsn){
	    code,    k,
	    jt,	     jf,
	    g->body, BPF_CLASS(code) == BPF_RET ? CF_PART_RETURN : g->part,
	    g->abi};
}

static inline void edge(struct gen *g, int l)
{
	if (l == NEXT)
		return;
	g->lb[l].state = meet(g->lb[l].state, g->cur);
	g->lb[l].refs++;
}

static inline void emit_ret(struct gen *g, uint32_t action)
{
	emit(g, BPF_RET | BPF_K, action, NEXT, NEXT);
	g->cur = ST_TOP;
}

static inline void emit_ja(struct gen *g, int l)
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
static inline void emit_jmp(struct gen *g, uint16_t op, uint32_t k, int jt,
			    int jf)
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

/* Where side l (a label, or NEXT) of instruction i lands, once the labels
 * are placed. */
static inline size_t label_target(const struct gen *g, size_t i, int l)
{
	return l == NEXT ? i + 1 : g->lb[l].pos;
}

static inline void place(struct gen *g, int l)
{
	g->lb[l].pos = g->n;
	g->cur = meet(g->lb[l].state, g->cur);
}

static inline void load(struct gen *g, uint32_t off)
{
	if (g->cur == (int)off)
		return;
	emit(g, BPF_LD | BPF_W | BPF_ABS, off, NEXT, NEXT);
	g->cur = (int)off;
}

/* small helpers of several stage files (inline: hot) */

/* Offset of the low (hi = false) or high 32-bit word of args[arg]. */
static inline uint32_t arg_off(const struct cf_arch *ar, unsigned arg, bool hi)
{
	return OFF_ARGS + 8 * arg + (hi != ar->big_endian ? 4 : 0);
}

/* Chains after the last one whose action differs from the fallback
 * change nothing; returns how many count (0 = argument-free). */
static inline size_t live_chains(const struct cf_ir_sys *s)
{
	size_t n = s->nchains;

	while (n && s->chains[n - 1].action == s->fallback)
		n--;
	return n;
}

static inline uint32_t eval_at(const struct cf_arch *ar,
			       const struct cf_ir_sys *s, size_t n, uint64_t v)
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

/* 1 = always true, 0 = always false, -1 = depends on the argument
 * (inline: the step tables ask it of every condition). */
static inline int cond_const(const struct cf_arch *ar, const struct cf_cond *c)
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

static inline unsigned ceil_log2(uint64_t n)
{
	unsigned d = 0;

	while (d < 63 && (1ULL << d) < n)
		d++;
	return d;
}

/* gen_emit.c: the return pool, argument comparisons, a syscall's code */
int ret_label(struct gen *g, uint32_t action);
bool gen_chain(struct gen *g, const struct cf_arch *ar,
	       const struct cf_ir_chain *c, int ok, int fail);
int low32_conds(const struct cf_ir_sys *s, size_t n);
void gen_sys(struct gen *g, const struct grange *r);
/* A search's split at k (A >= k goes right): lt, rt are the label of a
 * side that one jump decides, else NEXT; side(g, ctx, right) emits a side
 * that is not (the left one behind the jump, the right one at a label). */
typedef void split_side_fn(struct gen *g, const void *ctx, bool right);
void emit_split(struct gen *g, uint32_t k, int lt, int rt, split_side_fn *side,
		const void *ctx);

/* gen_args.c: step functions and residues */
int steps_arg(const struct cf_arch *ar, const struct cf_ir_sys *s, size_t n);
/* steps_arg and low32_conds of s's live chains (g->hashes' memo) */
int sys_steps_arg(struct gen *g, const struct cf_arch *ar,
		  const struct cf_ir_sys *s);
int sys_low32_conds(struct gen *g, const struct cf_ir_sys *s);
bool gen_sys_steps(struct gen *g, const struct grange *r);
bool gen_sys_resid(struct gen *g, const struct grange *r);
struct value_step;
void gen_value_steps(struct gen *g, const struct value_step *v, size_t n);

/* gen_share.c: code shared between ranges and searches */
struct sys_facts *sys_facts(struct gen *g, const struct cf_ir_sys *s);
struct shared *shared_of(struct gen *g, const struct grange *r, bool add);
int shared_label(struct gen *g, const struct grange *r);
int leaf_label(struct gen *g, const struct grange *r);
bool emit_shared_inline(struct gen *g, const struct grange *r);
bool narrow_shared(struct gen *g, const struct grange *r, struct grange *narrow,
		   uint32_t *above, int *arg, bool count);
bool emit_narrow_leaf(struct gen *g, const struct grange *r);
bool narrow_jumps_ahead(struct gen *g, const struct grange *r, int *arg,
			uint32_t *above);
int narrow_check_target(struct gen *g, const struct grange *r);

/* gen_fold.c: size first, x32's numbers folded onto x86_64's */
#define CF_GEN_FOLD 0x00010000U /* a range's decision: go to the fold */
struct fold_plan {
	struct grange *outer, *folded;
	size_t nouter, nfolded;
};
bool fold_ranges(struct gen *g, const struct grange *r, size_t n,
		 struct fold_plan *p);

/* gen_search.c: the search and the whole program */
void gen_program(struct gen *g, const struct cf_ir *ir);

/* gen_graph.c: a syscall's checks as the shortest of its decision graph
 * (word-equality rules) and gen_args.c's searches; false: neither */
bool gen_sys_graph(struct gen *g, const struct grange *r);

/* gen_tails.c: jumps into code that is the same land on one copy */
bool share_tails(struct gen *g);

/* gen_link.c: linking */
int link_prog(struct gen *g, struct cf_prog *out, bool *marks, bool *any,
	      struct cf_error *err);

#endif
