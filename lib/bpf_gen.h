/* SPDX-License-Identifier: Apache-2.0 */
/* bpf_gen.h - the code generator: IR -> classic BPF program (bpf_gen.c),
 * with the call frequencies of its weighted search (sys_weights.c). It
 * sees the IR, not the profile. */
#ifndef CF_BPF_GEN_H
#define CF_BPF_GEN_H

#include "ir.h"

struct cf_prog {
	struct sock_filter *insns; /* arena memory */
	size_t len;
	/* cf_gen_opts.label: the part of each instruction (arena memory),
	 * else NULL */
	struct cf_insn_part *parts;
};

/* Emits a program for ir into arena memory. Does not verify (the caller
 * runs cf_bpf_verify). */
int cf_bpf_gen(struct cf_arena *a, const struct cf_ir *ir, struct cf_prog *out,
	       struct cf_error *err);

/* Code generation choices. plain: a balanced search by count, chains as
 * written, nothing folded or shared -- the simple form the optimized
 * programs are tested against (tests/test_opt.c). Internal on purpose:
 * the generator grows options, so this struct never reaches callfence.h
 * (tests/sh/includes.sh); public callers choose through cf_compile and
 * cf_filter_parts, and a new public choice would be a bit flag. */
struct cf_gen_opts {
	bool plain;
	bool label; /* fill cf_prog.parts (the program is the same) */
	/* the passes of the optimized form, each switchable alone (off:
	 * the program decides the same, tests/test_opt.c) */
	bool no_value_runs;    /* lone argument values as JEQs (gen_values.c) */
	bool no_number_runs;   /* no number chains in the speed-first search */
	bool no_shared_bodies; /* code of several ranges emitted once */
	bool no_drop_unreached; /* keep instructions no path reaches */
	bool no_shared_tails;	/* code that is the same not shared */
	bool no_arg_graph;	/* rules on several arguments as written */
	bool no_graph_steps; /* graph nodes that return: JEQs, no step search */
	bool no_late_checks; /* size first: high-word checks behind the JEQ */
	bool no_x32_fold;    /* size first: x32's numbers searched apart */
	bool no_graph_one_run; /* size first: graph values split by a JGE */
	bool no_late_groups;   /* size first: each late check loads its word */
	bool no_size_first;    /* over 4096: no size-first retry */
	bool size_first;       /* only the size-first layout */
	bool all_passes; /* never skip a pass (gen_speed_first's margin) */
	bool no_early_size_first; /* no size-first layout before the rest */
};
int cf_bpf_gen_opts(struct cf_arena *a, const struct cf_ir *ir,
		    const struct cf_gen_opts *o, struct cf_prog *out,
		    struct cf_error *err);

/* sys_weights.c: relative call frequencies by name (bench/mix.tsv) for
 * the weighted search. */
struct cf_sys_weight {
	const char *name;
	uint32_t weight;
};
extern const struct cf_sys_weight cf_sys_weights[];
extern const size_t cf_nsys_weights;

#endif
