/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_gen.c - IR -> classic BPF, deciding exactly as cf_ir_eval does.
 *
 * The generator's files, in the order a pass uses them (gen_internal.h
 * holds what they share: struct gen, the instruction list and labels,
 * the inline emission helpers, the cross-file functions):
 *   bpf_gen.c     entry point: checks the IR, runs the passes (speed
 *                 first, then size first when over the limit) and keeps
 *                 the shortest program; nothing else decides;
 *   gen_search.c  gen_program: the dispatch on arch, the ranges of
 *                 syscall numbers that share one decision (they cover
 *                 every number) and the search over them: balanced
 *                 (plain), weighted and depth-bounded, number chains;
 *   gen_fold.c    opt, size first: x32's numbers folded onto x86_64's
 *                 (an AND clears the x32 bit before one search of both);
 *   gen_share.c   opt: a syscall's code emitted once for every range or
 *                 search that needs the same code; x86_64 on the 32-bit
 *                 code of x86 or x32 (only where the high word decides);
 *   gen_emit.c    labels, the return pool and scopes, argument
 *                 comparisons, a syscall's chains as written (first
 *                 match wins, then its fallback; opt: a chain that an
 *                 earlier one shadows gets no code);
 *   gen_graph.c   opt: a syscall's rules on several arguments, all word
 *                 equalities, as one decision graph (a JEQ per value,
 *                 each word loaded once per path), when no longer than
 *                 the chains;
 *   gen_args.c    opt: a syscall's checks as a step function of one
 *                 argument, or searched by one argument with the other
 *                 conditions as residues (gen_values.c: lone values);
 *   gen_tails.c   opt: code that is the same (an instruction and all it
 *                 runs after it) kept once: jumps into a copy land on
 *                 the last one (hash-consing of the code graph);
 *   gen_link.c    the layout: merged returns, trampolines for far jumps
 *                 (every jump forward, none over 255), the cf_prog;
 *                 then gen_unreached.c drops what no path reaches.
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
 * copy of the RET it aims at, or a JA (32-bit offset). Every jump goes
 * forward, so link() lays the list out in one sweep from the end: what
 * an instruction jumps to is placed before it is, and its distances are
 * final. Far jumps into the return pool thus become inline returns: a
 * return is shared wherever a jump reaches it.
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
 *   - layout: each audit arch's check right before its search, the
 *     native one first (its calls fall through the check), the others
 *     behind it, so that the 32-bit code x86_64 shares with x86
 *     (gen_tails.c) is near the searches that jump to it (issue 11's
 *     corpus: 23 -> 21 profiles longer than what runc loads, Docker's
 *     default 267 -> 268 with the same paths);
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
 *   - argument graphs (gen_graph.c; cf_gen_opts.no_arg_graph): rules of
 *     any actions on several arguments whose conditions are equalities
 *     of whole words branch on one word at a time (the most tested),
 *     one JEQ per value, first match wins below every branch;
 *     recorder-mix-500 3,632 -> 1,660 instructions (libseccomp's linear
 *     program: 2,667), valueset-2arg-1000 refused (4,892) -> 3,994;
 *     a node whose values all return one action is searched as a step
 *     function (cf_gen_opts.no_graph_steps) when no longer, so an ipc or
 *     socketcall call shares the multiplexed syscall's code through the
 *     shared tails (valueset-100 392 -> 367, share3-300 416 -> 380);
 *   - shared tails (gen_tails.c; cf_gen_opts.no_shared_tails): before
 *     the link, every instruction's code graph is numbered and jumps
 *     into a copy land on the last copy; what nothing reaches goes.
 *     It finds what the passes above do not know is the same: syscalls
 *     with one rule set in any layout, x86_64's argument code and x32's,
 *     x86_64's low-word code behind its high-word check and x86's;
 *     share3-1000 1,371 -> 739 instructions, valueset-3000 refused
 *     (4,194) -> 3,218, Docker's default 272 -> 267;
 *   - unreached code (gen_unreached.c; cf_gen_opts.no_drop_unreached):
 *     after the link, instructions no path reaches (a pool return whose
 *     jumps all got a copy next to them) are dropped;
 *   - size first (cf_gen_opts.no_size_first, .size_first): a program over
 *     the kernel's limit is generated again in libseccomp's manner: the
 *     number search as runs of ranges, each a chain of at most
 *     SIZE_CHAIN_MAX compares and SIZE_CHAIN_BODIES syscalls with
 *     checks, evened out and searched by JGEs (emit_size_first_search);
 *     a syscall's code right behind its JEQ in the chain (the longest
 *     code first; x86_64's high-word checks that jump into a later
 *     search's 32-bit code behind a later run: late checks,
 *     cf_gen_opts.no_late_checks; those of one argument and one
 *     decision above 2^32 as one high-word check and a JEQ per syscall
 *     on the number, cf_gen_opts.no_late_groups), code several searches
 *     need at its last use; lone
 *     values as JEQ runs of up to half a search's lone values, at least
 *     2 * CF_VALUE_RUN_MAX (cf_value_run_max_sized: libseccomp tests
 *     them one after another), a graph node's as one run
 *     (cf_gen_opts.no_graph_one_run; counted as two for the choice of
 *     the graph); the x86_64 audit arch's numbers folded
 *     (gen_fold.c, cf_gen_opts.no_x32_fold): the syscalls with checks
 *     and the numbers that decide unlike their partner (the number with
 *     the x32 bit flipped) searched as they are, the rest behind an AND
 *     that clears the bit, one search for x86_64 and x32 (the corpus:
 *     programs longer than runc's 3 -> 1, than libseccomp's linear
 *     program with --enosys=none 8 -> 1). A large one (over an eighth of the
 * limit, or over linear_floor) tries that layout too, right after the weighted
 * search, and skips the passes between when it is clearly shorter
 * (gen_speed_first; cf_gen_opts.all_passes). A profile of many chains
 * (EARLY_SIZE_FIRST_CHAINS) is generated size first before anything else, and
 * when that fits and is large it is the program: the weighted search is not run
 * (gen_early_size_first; cf_gen_opts.no_early_size_first). The shortest program
 * wins; a refusal gives the length of the shortest.
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
#include "bpf_gen.h"
#include "gen_internal.h"
#include "gen_scratch.h"

#include <stdlib.h>
#include <string.h>

/* ---- entry point ----------------------------------------------------- */

/* A chain array whose conditions passed (check_ir). */
struct checked {
	const struct cf_ir_chain *chains;
	size_t n;
};

/* Are s's conditions valid? Checked once per chain array and length:
 * the last array of each slot of seen passed, and cf_ir_build gives a
 * syscall one array on the ABIs where its rules are the same. */
static bool conds_valid(const struct cf_ir_sys *s, struct checked seen[64])
{
	struct checked *k =
	    &seen[(uintptr_t)s->chains / sizeof(*s->chains) % 64];

	if (!s->nchains || (k->chains == s->chains && k->n == s->nchains))
		return true;
	for (size_t c = 0; c < s->nchains; c++)
		for (unsigned i = 0; i < s->chains[c].nconds; i++) {
			const struct cf_cond *cd = &s->chains[c].conds[i];

			if (cd->arg > 5 || cd->op == 0 ||
			    cd->op >= CF_OP__COUNT)
				return false;
		}
	*k = (struct checked){s->chains, s->nchains};
	return true;
}

/* Checks ir; *nchains: its chains, over all ABIs. */
static int check_ir(const struct cf_ir *ir, size_t *nchains,
		    struct cf_error *err)
{
	struct checked seen[64] = {0};
	size_t n = 0;

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
			n += s->nchains;
			if (!conds_valid(s, seen))
				return cf_err(err, -EINVAL,
					      "internal error: bad condition");
		}
	}
	*nchains = n;
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
	struct chain_hashes hashes; /* of the IR's syscalls */
	struct range_cache ranges;  /* of its audit arches */
	size_t nchains;		    /* of the IR, over all ABIs */
	/* the instruction list and the labels, kept from one pass to the
	 * next (each pass writes an entry before it reads it): a second
	 * pass grows neither (valueset-1000: 39 reallocs, 104 K
	 * instructions a compile, most of them memcpy) */
	struct ginsn *in;
	struct glabel *lb;
	size_t capin, caplb;
};

/* m->hashes for ir: one zeroed block on the heap, not in the programs'
 * arena (an arena grown past malloc's mmap threshold costs a mapping and
 * its page faults at every compile: share3-1000, 64 a compile). Without
 * memory the hashes are computed each time. */
static void hashes_init(struct gen_mem *m, const struct cf_ir *ir)
{
	size_t total = 0;

	for (size_t i = 0; i < ir->nabis; i++)
		total += ir->abis[i].nsys;
	m->hashes.block = calloc(total ? total : 1, sizeof(*m->hashes.block));
	if (!m->hashes.block)
		return;
	total = 0;
	for (size_t i = 0; i < ir->nabis; i++) {
		m->hashes.by_abi[i] = m->hashes.block + total;
		total += ir->abis[i].nsys;
	}
	m->hashes.ir = ir;
}

static void hashes_free(struct gen_mem *m)
{
	size_t total = 0;

	for (size_t i = 0; m->hashes.ir && i < m->hashes.ir->nabis; i++)
		total += m->hashes.ir->abis[i].nsys;
	for (size_t i = 0; i < total; i++)
		free(m->hashes.block[i].steps);
	free(m->hashes.block);
}

/* One generation and link; frees the generator's scratch but the
 * instructions and labels, which go back to m for the next pass. */
static int gen_pass(struct gen_mem *m, struct gen *g, const struct cf_ir *ir,
		    struct cf_prog *out, bool **marks, bool *any,
		    struct cf_error *err)
{
	int rc = -ENOMEM;

	g->in = m->in;
	g->capin = m->capin;
	g->lb = m->lb;
	g->caplb = m->caplb;
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
	free(g->late);
	m->in = g->in;
	m->capin = g->capin;
	m->lb = g->lb;
	m->caplb = g->caplb;
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

/* Late checks are grouped (gen_search.c, emit_late_group) for an IR of
 * at least this many chains (over all ABIs), a profile whose program is
 * large (as EARLY_SIZE_FIRST_CHAINS): there the size-first layout is the
 * program anyway. On a small one it competes with the weighted search,
 * and grouped it won with longer argument paths: actions-30 211 -> 199
 * instructions, worst argument-checked path 18 -> 24 (libseccomp's
 * tree: 18), valueset-30 296 -> 274, 19 -> 28 (19). */
#define LATE_GROUP_CHAINS 512

/* A generator for one pass of cf_bpf_gen_opts. */
static struct gen gen_init(struct gen_mem *m, const struct cf_gen_opts *o)
{
	return (struct gen){.a = &m->programs,
			    .tmp = &m->tables,
			    .hashes = &m->hashes,
			    .ranges = &m->ranges,
			    .opt = !o->plain,
			    .value_runs = !o->plain && !o->no_value_runs,
			    .number_runs = !o->plain && !o->no_number_runs,
			    .share_inline = !o->plain && !o->no_shared_bodies,
			    .drop_unreached =
				!o->plain && !o->no_drop_unreached,
			    .share_tails = !o->plain && !o->no_shared_tails,
			    .arg_graph = !o->plain && !o->no_arg_graph,
			    .graph_steps = !o->plain && !o->no_graph_steps,
			    .late_checks = !o->plain && !o->no_late_checks,
			    .x32_fold = !o->plain && !o->no_x32_fold,
			    .graph_one_run = !o->plain && !o->no_graph_one_run,
			    .late_groups = !o->plain && !o->no_late_groups &&
					   m->nchains >= LATE_GROUP_CHAINS,
			    .body = -1,
			    .label = o->label};
}

/* A size-first program of at most this many instructions is generated
 * again without late checks (gen_search.c, emit_chain_late) and without
 * the fold (gen_fold.c), the shorter kept: on the corpus only gen-20 was
 * longer with late checks (167 -> 168), and a pass of a small program
 * costs little. Of the 334 such compiles of the corpus, its growth
 * profiles, the fixtures and 300 random profiles (--enosys=runc and
 * none), one was longer folded (465 -> 472) and is 465 so; a third pass
 * (late checks without the fold) would save 9 instructions in all. */
#define LATE_CHECKS_BOTH (CF_BPF_MAXINSNS / 8)

/* One size-first pass, with late checks and the fold as asked (and as
 * cf_gen_opts allows). */
static int size_first_pass(struct gen_mem *m, const struct cf_ir *ir,
			   const struct cf_gen_opts *o, bool late, bool fold,
			   struct cf_prog *out, struct cf_error *err)
{
	struct gen g = gen_init(m, o);

	g.size_first = true;
	g.late_checks &= late;
	g.x32_fold &= fold;
	return gen_pass(m, &g, ir, out, NULL, NULL, err);
}

/* The size-first layout: chains of numbers with the syscall code behind
 * each JEQ (x86_64's high-word checks that jump into later code at the
 * end of their search: late checks), code several searches need at its
 * last use, no returns copied behind syscall code, long runs of lone
 * values, x32's numbers folded onto x86_64's. */
static int gen_size_first(struct gen_mem *m, const struct cf_ir *ir,
			  const struct cf_gen_opts *o, struct cf_prog *out,
			  struct cf_error *err)
{
	struct cf_prog p2 = {0};
	int rc = size_first_pass(m, ir, o, true, true, out, err), rc2;

	if (o->no_late_checks || (rc < 0 && rc != -E2BIG) ||
	    out->len > LATE_CHECKS_BOTH)
		return rc;
	rc2 = size_first_pass(m, ir, o, false, false, &p2, err);
	return keep_shorter(out, rc, &p2, rc2);
}

/* The size-first program of a compile, generated at most once: early
 * (gen_early_size_first), then by gen_speed_first or gen_shortest when
 * they need it. */
struct sized {
	struct cf_prog prog;
	int rc;
	bool run;  /* generated */
	bool used; /* compared with the weighted search's program */
};

static int size_first_once(struct gen_mem *m, const struct cf_ir *ir,
			   const struct cf_gen_opts *o, struct sized *sp,
			   struct cf_error *err)
{
	if (!sp->run) {
		sp->rc = gen_size_first(m, ir, o, &sp->prog, err);
		sp->run = true;
	}
	return sp->rc;
}

/* The least a linear layout of ir takes (libseccomp's, which runc
 * loads, plus nothing for arguments): per ABI a load, a check and a
 * return, and a JEQ per syscall with its own decision. A speed-first
 * program longer than that tries the size-first layout too, and the
 * shorter is kept; one below it keeps its speed (Docker's default: 268
 * instructions against a floor of 1,000). */
static size_t linear_floor(const struct cf_ir *ir)
{
	size_t len = 0;

	for (size_t i = 0; i < ir->nabis; i++)
		len += 3 + ir->abis[i].nsys;
	return len;
}

/* The speed-first passes: the weighted search, then (when they help)
 * returns behind the syscall code that jumped far for them, and code
 * shared between searches. A large program (over an eighth of the limit
 * or the linear floor) tries the size-first layout first: when that fits
 * and is shorter than the weighted search by more than 1/64 of it, the
 * two passes between are not run (about half a large profile's
 * generation; docs/performance.md, "Compile speed, fewer passes").
 * Measured with every pass run and each pass's length printed, on 1,500
 * random profiles of the corpus' shapes (bench/corpus_shapes.py: 0-250
 * plain syscalls, 5-50 checked, 10-1,000 values, shared by 1-6, 1-4
 * actions, 1-2 arguments, 1-3 ABIs) and 150 of 1,000-4,000 values: the
 * skip was taken for 1,384 and 117, and neither pass was ever shorter
 * there; on the corpus never. A size-first layout over the limit does
 * not skip them: with value runs, shared bodies and tails off
 * (tests/test_opt.c, opt_size_first_fits_what_speed_first_refuses) the
 * shared-code pass fits (4,071) where it does not (5,406). */
static int gen_speed_first(struct gen_mem *m, const struct cf_ir *ir,
			   const struct cf_gen_opts *o, struct cf_prog *out,
			   struct cf_error *err, struct sized *sp)
{
	struct gen g = gen_init(m, o);
	struct cf_prog p2 = {0};
	bool *marks = NULL, any = false;
	size_t len1;
	int rc = gen_pass(m, &g, ir, out, &marks, &any, err), rc2;
	bool large;

	len1 = out->len;
	/* nothing below shortens a program by half */
	if (!g.opt || (rc < 0 && rc != -E2BIG) || len1 > 2 * CF_BPF_MAXINSNS) {
		free(marks);
		return rc;
	}
	large = len1 > CF_BPF_MAXINSNS / 8 || len1 > linear_floor(ir);
	if (large && !o->no_size_first) {
		rc2 = size_first_once(m, ir, o, sp, err);
		rc = keep_shorter(out, rc, &sp->prog, rc2);
		sp->used = true;
		/* (one within 1/64 of the weighted search's length, or
		 * over the limit, still tries the other two: they may fit) */
		if (!o->all_passes && rc == 0 && out->len + len1 / 64 < len1) {
			free(marks);
			return rc;
		}
	}
	if (any) {
		g = gen_init(m, o);
		g.scoped = marks;
		rc2 = gen_pass(m, &g, ir, &p2, NULL, NULL, err);
		rc = keep_shorter(out, rc, &p2, rc2);
	}
	if (large) {
		/* a large program: syscall code shared between searches, at
		 * the price of a jump into it */
		g = gen_init(m, o);
		g.scope_all = true;
		g.share = true;
		rc2 = gen_pass(m, &g, ir, &p2, NULL, NULL, err);
		rc = keep_shorter(out, rc, &p2, rc2);
	}
	free(marks);
	return rc;
}

/* Chains (over all ABIs) from which a profile is likely to be large
 * (gen_early_size_first): of 2,940 compiles (the corpus, its growth
 * profiles, the fixtures and 1,400 random profiles of its shapes,
 * --enosys=runc and none; docs/performance.md, branch h-speed7), 20
 * with this many were not large (one size-first pass spent in vain),
 * 2,228 were; Docker's default has 27. */
#define EARLY_SIZE_FIRST_CHAINS 512

/* A profile likely to be large (EARLY_SIZE_FIRST_CHAINS) is generated
 * size first before anything else; when that fits and is longer than
 * the smaller of an eighth of the limit and the linear floor (so the
 * weighted search, never shorter there, makes the program large), it is
 * the program (true) and the weighted search is not run:
 * gen_speed_first would keep it, since on every large profile measured
 * whose size-first layout fits, that layout is shorter than the
 * weighted search by more than the 1/64 of its margin (2,832 of the
 * 2,940 compiles above, by 2.4 % at least: gen-2000; the random ones by
 * 3.1 % at least). Else (false) the passes run as before, the
 * size-first program kept for them in *sp. cf_gen_opts.all_passes or
 * .no_early_size_first: not tried. */
static bool gen_early_size_first(struct gen_mem *m, const struct cf_ir *ir,
				 const struct cf_gen_opts *o, struct sized *sp,
				 struct cf_error *err)
{
	size_t floor = linear_floor(ir), large = CF_BPF_MAXINSNS / 8;

	if (o->plain || o->size_first || o->no_size_first || o->all_passes ||
	    o->no_early_size_first || m->nchains < EARLY_SIZE_FIRST_CHAINS)
		return false;
	return size_first_once(m, ir, o, sp, err) == 0 &&
	       sp->prog.len > (floor < large ? floor : large);
}

/* The passes cf_bpf_gen_opts runs, in m; the shortest program in out. */
static int gen_shortest(struct gen_mem *m, const struct cf_ir *ir,
			const struct cf_gen_opts *o, struct cf_prog *out,
			struct cf_error *err)
{
	struct sized sp = {0};
	int rc, rc2;

	if (gen_early_size_first(m, ir, o, &sp, err)) {
		*out = sp.prog;
		return 0;
	}
	rc = o->size_first ? -E2BIG : gen_speed_first(m, ir, o, out, err, &sp);
	if (rc == -E2BIG && !o->plain && !o->no_size_first && !sp.used) {
		/* never refuse what fits (the generator is deterministic:
		 * a second size-first pass would give the same program;
		 * valueset-2000.json, refused: 84.3 M -> 73.4 M) */
		rc2 = size_first_once(m, ir, o, &sp, err);
		rc = o->size_first ? (*out = sp.prog, rc2)
				   : keep_shorter(out, rc, &sp.prog, rc2);
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
	int rc = check_ir(ir, &m.nchains, err);

	if (rc < 0)
		return rc;
	*out = (struct cf_prog){0};
	hashes_init(&m, ir);
	rc = gen_shortest(&m, ir, o, out, err);
	if (rc == 0)
		rc = copy_prog(a, out, err);
	if (rc < 0) {
		out->insns = NULL; /* m's memory, released below */
		out->parts = NULL;
	}
	cf_arena_release(&m.programs);
	cf_scratch_release(&m.tables);
	hashes_free(&m);
	free(m.in);
	free(m.lb);
	for (size_t i = 0; i < m.ranges.n; i++)
		free(m.ranges.e[i].rg);
	return rc;
}
