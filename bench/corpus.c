/* SPDX-License-Identifier: Apache-2.0 */
/*
 * corpus.c - cf-bench corpus PROFILE [cf|lsc]: what bench/corpus.py needs
 * of one profile of the corpus, every program compiled once.
 *
 *   cf      callfence's program (runc's ENOSYS stub, the default) and with
 *           the stub off (CF_ENOSYS_NONE, `--enosys=none`): length, or the
 *           refusal's message
 *   lsc     libseccomp's linear and tree programs (bench/lsc.c): length,
 *           the length of runc's ENOSYS stub for the profile, how many of
 *           the profile's names libseccomp does not know
 *
 * and for every program the worst executed path: the most instructions
 * any path executes for a number whose paths read an argument (the
 * argument-checked syscalls), and for the other numbers. Paths are those
 * of cache_paths (bench/cache.c): x86_64, x86 and x32, numbers below 1024,
 * the number and arch known, every branch on an argument followed both
 * ways (an upper bound: a path may be infeasible). Both compilers are
 * measured alike.
 *
 * Output: "key<TAB>value" lines; nothing here judges a number.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>

#define CORPUS_MAX_NR 1024

static const struct {
	uint32_t audit, base;
} corpus_abis[] = {
    {AUDIT_ARCH_X86_64, 0},
    {AUDIT_ARCH_I386, 0},
    {AUDIT_ARCH_X86_64, 0x40000000U}, /* x32 */
};

/* Prints NAME.len, NAME.argworst (0: no number reads an argument),
 * NAME.argchecked (how many numbers do) and NAME.argfree_worst. */
static void report_paths(const char *name, const struct prog *p)
{
	unsigned arg_worst = 0, free_worst = 0, checked = 0;

	for (size_t a = 0; a < sizeof(corpus_abis) / sizeof(corpus_abis[0]);
	     a++) {
		for (uint32_t nr = 0; nr < CORPUS_MAX_NR; nr++) {
			uint32_t acts[4];
			unsigned longest = 0;
			bool argdep = false;

			cache_paths(p->insns, p->len, corpus_abis[a].base + nr,
				    corpus_abis[a].audit, acts, 4, &argdep,
				    &longest);
			if (argdep) {
				checked++;
				if (longest > arg_worst)
					arg_worst = longest;
			} else if (longest > free_worst) {
				free_worst = longest;
			}
		}
	}
	printf("%s.len\t%zu\n", name, p->len);
	printf("%s.argworst\t%u\n", name, arg_worst);
	printf("%s.argchecked\t%u\n", name, checked);
	printf("%s.argfree_worst\t%u\n", name, free_worst);
}

static void corpus_cf(const char *file, const char *json, size_t len)
{
	static const char *const names[2] = {"cf", "cf_none"};
	char msg[1024];

	for (int none = 0; none < 2; none++) {
		struct prog p = {0};

		if (bench_cf_compile(json, len, file, none, &p, msg,
				     sizeof(msg)) < 0) {
			for (char *c = msg; *c; c++)
				*c = *c == '\n' || *c == '\t' ? ' ' : *c;
			printf("%s.refused\t%s\n", names[none], msg);
			continue;
		}
		report_paths(names[none], &p);
		free(p.insns);
	}
}

static void corpus_lsc(const char *json, size_t len)
{
	static const char *const names[2] = {"lin", "tree"};
	static const enum lsc_layout layouts[2] = {LSC_LINEAR, LSC_TREE};
	char msg[1024];

	for (int i = 0; i < 2; i++) {
		struct prog p = {0};
		struct lsc_info info;

		if (lsc_compile_info(json, len, layouts[i], &p.insns, &p.len,
				     &info, msg, sizeof(msg)) < 0) {
			printf("%s.error\t%s\n", names[i], msg);
			free(p.insns);
			continue;
		}
		report_paths(names[i], &p);
		if (i == 0) {
			printf("runc_stub\t%zu\n", info.runc_stub_len);
			printf("unknown_names\t%zu\n", info.unknown_names);
		}
		free(p.insns);
	}
}

int cmd_corpus(int argc, char **argv)
{
	const char *only = argc > 3 ? argv[3] : "";
	size_t len;
	char *json = bench_read_file(argv[2], &len);

	if (strcmp(only, "lsc") != 0)
		corpus_cf(argv[2], json, len);
	if (strcmp(only, "cf") != 0)
		corpus_lsc(json, len);
	free(json);
	return 0;
}
