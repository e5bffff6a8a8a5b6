/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target (issue 11): bytes -> profile -> IR, then one program per
 * choice of the code generator's passes (lib/bpf_gen.h, cf_gen_opts): the
 * plain form, and every combination of no_value_runs, no_number_runs,
 * no_shared_tails, no_arg_graph and size_first (no_size_first with both
 * runs off, all_passes with value runs and shared tails off, no_graph_steps
 * with value runs off and argument graphs on, no_late_checks with size_first
 * and shared tails off, no_early_size_first with number runs and shared
 * tails off, no_x32_fold with size_first and value runs off,
 * no_graph_one_run with size_first and number runs off, no_late_groups
 * with size_first and shared tails on). Each program must
 * pass the kernel-rules checker and decide as cf_ir_eval on every number of the
 * filter's ABIs (and a few above each table, and a few of the ABIs it does not
 * serve), with arguments drawn from the profile's values and their neighbours
 * and from random words. A program may be refused only for its length
 * (-E2BIG); labelling (cf_gen_opts.label) must not change a program.
 */
#include "profile.h"
#include "syscalls.h"
#include "ir.h"
#include "bpf_gen.h"
#include "filter.h"
#include "fuzz_values.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the plain form and the 32 combinations of five pass switches */
#define NPROGS 33

struct progs {
	struct cf_prog p[NPROGS];
	bool made[NPROGS];
};

static struct cf_gen_opts opts_of(int i)
{
	if (i == NPROGS - 1)
		return (struct cf_gen_opts){.plain = true};
	return (struct cf_gen_opts){.no_value_runs = i & 1,
				    .no_number_runs = i >> 1 & 1,
				    .no_shared_tails = i >> 2 & 1,
				    .no_arg_graph = i >> 3 & 1,
				    .size_first = i >> 4 & 1,
				    .no_size_first = (i & 3) == 3,
				    .no_graph_steps = (i & 9) == 1,
				    .no_late_checks = (i & 20) == 20,
				    .no_x32_fold = (i & 17) == 17,
				    .no_graph_one_run = (i & 18) == 18,
				    .no_late_groups = (i & 20) == 16,
				    .no_early_size_first = (i & 6) == 6,
				    .all_passes = (i & 5) == 5};
}

/* Program i into ps (made[i] false when it is refused for its length);
 * a labelled generation gives the same instructions. */
static void make_prog(struct cf_arena *a, const struct cf_ir *ir, int i,
		      struct progs *ps)
{
	struct cf_gen_opts o = opts_of(i);
	struct cf_prog lab;
	struct cf_error err;
	int rc = cf_bpf_gen_opts(a, ir, &o, &ps->p[i], &err);

	if (rc == -E2BIG)
		return;
	if (rc || cf_bpf_verify(ps->p[i].insns, ps->p[i].len, NULL))
		abort();
	ps->made[i] = true;
	o.label = true;
	if (cf_bpf_gen_opts(a, ir, &o, &lab, &err) || lab.len != ps->p[i].len ||
	    memcmp(lab.insns, ps->p[i].insns, lab.len * sizeof(*lab.insns)))
		abort();
}

static void compare(const struct cf_ir *ir, const struct progs *ps,
		    const struct seccomp_data *d)
{
	uint32_t want = cf_ir_eval(ir, d, NULL, NULL);
	struct seccomp_data k;

	cf_seccomp_data_as_kernel(d, &k);
	for (int i = 0; i < NPROGS; i++) {
		unsigned executed = 0;

		if (ps->made[i] && (cf_bpf_run(ps->p[i].insns, ps->p[i].len, &k,
					       &executed) != want ||
				    executed > ps->p[i].len))
			abort();
	}
}

/* Every ABI with a table: the filter's own over their whole number range
 * and a few numbers above, the others at a few numbers. */
static void exercise(const struct cf_ir *ir, const struct progs *ps,
		     const struct values *vs, uint64_t seed)
{
	for (int abi = 0; abi < cf_abi_count(); abi++) {
		const struct cf_arch *ar = &cf_arches[abi];
		uint32_t top = ar->nr_offset + 4;
		struct seccomp_data d;

		if (!cf_abi_supported(abi))
			continue;
		for (size_t i = 0; i < ir->nabis; i++)
			if (ir->abis[i].arch == abi)
				top = cf_arch_max_nr(abi) + 24;
		memset(&d, 0, sizeof(d));
		d.arch = ar->audit_arch;
		for (uint32_t nr = ar->nr_offset; nr < top; nr++) {
			d.nr = (int)nr;
			for (int i = 0; i < 6; i++)
				d.args[i] = arg_value(vs, &seed, nr);
			compare(ir, ps, &d);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct values vs;
	struct cf_profile *p;
	struct cf_filter *f;
	struct cf_target t;
	struct cf_error err;
	uint64_t seed = size;

	if (cf_profile_parse((const char *)data, size, "fuzz", &p, &err))
		return 0;
	for (size_t i = 0; i < size; i++)
		seed = mix(seed + data[i]);
	cf_target_default(&t, &err);
	t.native = seed % 4 ? cf_abi_lookup("x86_64") : cf_abi_lookup("s390x");
	t.kernel = 6 << 16 | 18;
	if (cf_compile(p, &t, &f, &err) == 0) {
		if (!cf_filter_unconfined(f)) {
			struct cf_arena a = {0};
			struct progs ps;

			memset(&ps, 0, sizeof(ps));
			for (int i = 0; i < NPROGS; i++)
				make_prog(&a, &f->ir, i, &ps);
			vs.n = 0;
			collect(p, &vs);
			exercise(&f->ir, &ps, &vs, mix(seed));
			cf_arena_release(&a);
		}
		cf_filter_free(f);
	}
	cf_profile_free(p);
	return 0;
}
