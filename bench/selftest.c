/* SPDX-License-Identifier: Apache-2.0 */
/*
 * selftest.c - `cf-bench selftest`: checks the measuring tools themselves
 * before `make bench` trusts them (no timings here).
 *
 * - the cache emulation on hand-made programs, one kernel rule each;
 * - on real programs (libseccomp's, for a profile given): every number the
 *   emulation calls cacheable is ALLOW for random arguments, and every
 *   number it calls argument-free decides the same for random arguments;
 * - the worst path of cache_paths on a hand-made program with a branch no
 *   argument can take, and on the real programs: no run with random or
 *   boundary arguments executes more instructions than it says.
 */
#include "bench.h"
#include "callfence.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#define ARCH_OFF offsetof(struct seccomp_data, arch)
#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARG0_OFF offsetof(struct seccomp_data, args)
#define IP_OFF offsetof(struct seccomp_data, instruction_pointer)
#define ALLOW SECCOMP_RET_ALLOW
#define EPERM_RET (SECCOMP_RET_ERRNO | 1)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static int passed, failed;

static void check(bool ok, const char *what)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: %s\n", what);
}

/* arch x86_64, nr 39 -> ALLOW; nr 40 -> a0 == 1 ? ALLOW : EPERM; else
 * EPERM; foreign arch -> KILL */
static const struct sock_filter prog_basic[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, ALLOW),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 40, 0, 3),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_OFF),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, ALLOW),
    BPF_STMT(BPF_RET | BPF_K, EPERM_RET),
};

/* JSET, AND, JA, JGE, JGT as the kernel models them */
static const struct sock_filter prog_ops[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x40000000, 6, 0),
    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 200, 4, 0),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 100, 1, 0),
    BPF_STMT(BPF_JMP | BPF_JA, 1),
    BPF_STMT(BPF_RET | BPF_K, ALLOW),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG), /* not ALLOW */
    BPF_STMT(BPF_RET | BPF_K, EPERM_RET),
};

/* instructions the kernel's emulation does not model */
static const struct sock_filter prog_tax[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
    BPF_STMT(BPF_MISC | BPF_TAX, 0),
    BPF_STMT(BPF_RET | BPF_K, ALLOW),
};
static const struct sock_filter prog_ip[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, IP_OFF),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
    BPF_STMT(BPF_RET | BPF_K, ALLOW),
};
static const struct sock_filter prog_reta[] = {
    BPF_STMT(BPF_LD | BPF_IMM, ALLOW),
    BPF_STMT(BPF_RET | BPF_A, 0),
};
/* an argument read whose outcome does not matter */
static const struct sock_filter prog_dead_arg[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_OFF),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 0),
    BPF_STMT(BPF_RET | BPF_K, ALLOW),
};

/* nr 5: a0 < 10 -> EPERM; a0 >= 10 -> (a0 >= 5: always) ALLOW; the
 * branch a0 >= 10 && a0 < 5 (two more instructions) cannot be taken */
static const struct sock_filter prog_infeasible[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 7),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_OFF),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 10, 0, 4),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 5, 2, 0),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_OFF),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),
    BPF_STMT(BPF_RET | BPF_K, ALLOW),
    BPF_STMT(BPF_RET | BPF_K, EPERM_RET),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
};

#define CA(p, nr, arch) cf_bpf_cacheable(p, N(p), arch, nr)

static void test_const_allow(void)
{
	check(CA(prog_basic, 39, AUDIT_ARCH_X86_64), "basic: 39 cacheable");
	check(!CA(prog_basic, 40, AUDIT_ARCH_X86_64), "basic: 40 reads a0");
	check(!CA(prog_basic, 41, AUDIT_ARCH_X86_64), "basic: 41 is EPERM");
	check(!CA(prog_basic, 39, AUDIT_ARCH_I386), "basic: i386 killed");
	check(CA(prog_ops, 100, 0), "ops: JGE taken");
	check(CA(prog_ops, 100 + 256, 0), "ops: AND keeps the low byte");
	check(!CA(prog_ops, 99, 0), "ops: JA to LOG is not ALLOW");
	check(!CA(prog_ops, 201, 0), "ops: JGT to EPERM");
	check(!CA(prog_ops, 0x40000064, 0), "ops: JSET to EPERM");
	check(!CA(prog_tax, 1, 0), "TAX is not modelled");
	check(!CA(prog_ip, 1, 0), "instruction_pointer is not constant");
	check(!CA(prog_reta, 1, 0), "RET A is not modelled");
	check(!CA(prog_dead_arg, 1, 0), "any argument load defeats it");
}

static void test_actions(void)
{
	uint32_t acts[4];
	bool dep;
	int n;

	n = cache_actions(prog_basic, N(prog_basic), 40, AUDIT_ARCH_X86_64,
			  acts, 4, &dep);
	check(n == 2 && dep, "actions: 40 gives ALLOW or EPERM");
	n = cache_actions(prog_basic, N(prog_basic), 39, AUDIT_ARCH_X86_64,
			  acts, 4, &dep);
	check(n == 1 && !dep && acts[0] == ALLOW, "actions: 39 is ALLOW");
	n = cache_actions(prog_dead_arg, N(prog_dead_arg), 1, 0, acts, 4, &dep);
	check(n == 1 && dep && acts[0] == ALLOW,
	      "actions: argument-free ALLOW that reads an argument");
	n = cache_actions(prog_tax, N(prog_tax), 5, 0, acts, 4, &dep);
	check(n == 1 && acts[0] == ALLOW, "actions: TAX is followed");
	n = cache_actions(prog_reta, N(prog_reta), 5, 0, acts, 4, &dep);
	check(n == 1 && acts[0] == ALLOW, "actions: RET A of a constant");
}

static void test_paths(void)
{
	uint32_t acts[4];
	unsigned longest = 0;
	bool dep;
	int n;

	n = cache_paths(prog_infeasible, N(prog_infeasible), 5, 0, acts, 4,
			&dep, &longest);
	check(n == 2 && longest == 6,
	      "paths: the branch no argument takes is not the worst");
	n = cache_actions(prog_infeasible, N(prog_infeasible), 5, 0, acts, 4,
			  &dep);
	check(n == 3, "paths: cache_actions follows every branch");
	n = cache_paths(prog_basic, N(prog_basic), 40, AUDIT_ARCH_X86_64, acts,
			4, &dep, &longest);
	check(n == 2 && longest == 8, "paths: basic 40 is 8 instructions");
}

/* An argument word near a constant the program compares with. */
static uint64_t boundary(const struct sock_filter *p, size_t len, uint64_t r)
{
	const struct sock_filter *f = &p[r % len];
	uint32_t k = f->k + (uint32_t)(r >> 32) % 3 - 1;

	return r & 0x100 ? (uint64_t)k << 32 | k : k;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random arguments must agree with what the analysis claims. */
static void check_program(const struct sock_filter *p, size_t len,
			  const char *name)
{
	static const uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386};
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned bad_cache = 0, bad_free = 0, bad_path = 0;
	char what[128];

	for (size_t a = 0; a < N(arches); a++) {
		for (uint32_t nr = 0; nr < 600; nr++) {
			uint32_t acts[4];
			unsigned worst = 0;
			bool dep, c = cf_bpf_cacheable(p, len, arches[a], nr);
			int n =
			    cache_actions(p, len, nr, arches[a], acts, 4, &dep);

			cache_paths(p, len, nr, arches[a], acts + 2, 2, &dep,
				    &worst);
			for (int i = 0; i < 12; i++) {
				struct seccomp_data d = {.nr = (int)nr,
							 .arch = arches[a]};
				unsigned count = 0;
				uint32_t r;

				for (int j = 0; j < 6; j++)
					d.args[j] =
					    i < 4 ? rnd(&seed) % 64
					    : i < 8
						? rnd(&seed)
						: boundary(p, len, rnd(&seed));
				r = cf_bpf_run(p, len, &d, &count);
				bad_cache += c && r != ALLOW;
				bad_free += n == 1 && r != acts[0];
				bad_path += count > worst;
			}
		}
	}
	snprintf(what, sizeof(what), "%s: cacheable numbers always ALLOW",
		 name);
	check(bad_cache == 0, what);
	snprintf(what, sizeof(what), "%s: argument-free numbers constant",
		 name);
	check(bad_free == 0, what);
	snprintf(what, sizeof(what), "%s: no run longer than the worst path",
		 name);
	check(bad_path == 0, what);
}

int bench_selftest(const char *profile, const struct sock_filter *cf,
		   size_t cf_len)
{
	test_const_allow();
	test_actions();
	test_paths();
	if (profile) {
		size_t len, n;
		char *json = bench_read_file(profile, &len), err[256];
		struct sock_filter *p;

		for (int layout = 0; layout <= 2; layout += 2) {
			bool ok =
			    lsc_compile(json, len, (enum lsc_layout)layout, &p,
					&n, err, sizeof(err)) == 0;

			check(ok, "libseccomp compiles the profile");
			if (!ok)
				continue;
			check(n > 0, "libseccomp program is not empty");
			check_program(p, n, layout ? "tree" : "linear");
			free(p);
		}
		free(json);
	}
	if (cf)
		check_program(cf, cf_len, "callfence");
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
