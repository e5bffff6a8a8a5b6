/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The classic-BPF tools: the interpreter (every opcode class, instruction
 * counts, robustness on unchecked programs), the checker (each of the
 * kernel's rules, accepted and refused), the listing and the export formats
 * (golden text), the raw reader, and the names of actions and operators.
 */
#include "t.h"

#include "action.h"

#include <stddef.h>
#include <stdlib.h>

#define LEN(p) (sizeof(p) / sizeof((p)[0]))
#define ST(code, k) BPF_STMT(code, k)
#define JMP(code, k, jt, jf) BPF_JUMP(code, k, jt, jf)
#define RET_ALLOW ST(BPF_RET | BPF_K, 0x7fff0000U)

/* Offsets of the halves of 64-bit fields: host byte order. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LO(off) ((off) + 4)
#define HI(off) (off)
#else
#define LO(off) (off)
#define HI(off) ((off) + 4)
#endif
#define ARG(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define IP offsetof(struct seccomp_data, instruction_pointer)

static struct seccomp_data sample_data(void)
{
	struct seccomp_data d = {.nr = 39, .arch = 0xc000003eU};

	d.instruction_pointer = 0x0000000100000002ULL;
	for (int i = 0; i < 6; i++)
		d.args[i] =
		    0x1111111100000000ULL * (uint64_t)(i + 1) + (uint64_t)i;
	return d;
}

/* Runs p, checks the result and the instruction count. */
#define RUN(p, d, want, count)                                                 \
	do {                                                                   \
		unsigned n_ = 0;                                               \
		CHECK_EQ(cf_bpf_run(p, LEN(p), d, &n_), want);                 \
		CHECK_EQ(n_, count);                                           \
	} while (0)

TEST(sim_loads_seccomp_data_fields)
{
	struct seccomp_data d = sample_data();
	const struct sock_filter nr[] = {ST(BPF_LD | BPF_W | BPF_ABS, 0),
					 ST(BPF_RET | BPF_A, 0)};
	const struct sock_filter arch[] = {ST(BPF_LD | BPF_W | BPF_ABS, 4),
					   ST(BPF_RET | BPF_A, 0)};
	const struct sock_filter iplo[] = {ST(BPF_LD | BPF_W | BPF_ABS, LO(IP)),
					   ST(BPF_RET | BPF_A, 0)};
	const struct sock_filter iphi[] = {ST(BPF_LD | BPF_W | BPF_ABS, HI(IP)),
					   ST(BPF_RET | BPF_A, 0)};
	const struct sock_filter a5lo[] = {
	    ST(BPF_LD | BPF_W | BPF_ABS, LO(ARG(5))), ST(BPF_RET | BPF_A, 0)};
	const struct sock_filter a5hi[] = {
	    ST(BPF_LD | BPF_W | BPF_ABS, HI(ARG(5))), ST(BPF_RET | BPF_A, 0)};
	const struct sock_filter len[] = {ST(BPF_LD | BPF_W | BPF_LEN, 0),
					  ST(BPF_RET | BPF_A, 0)};
	const struct sock_filter xlen[] = {ST(BPF_LDX | BPF_W | BPF_LEN, 0),
					   ST(BPF_MISC | BPF_TXA, 0),
					   ST(BPF_RET | BPF_A, 0)};

	RUN(nr, &d, 39, 2);
	RUN(arch, &d, 0xc000003eU, 2);
	RUN(iplo, &d, 2, 2);
	RUN(iphi, &d, 1, 2);
	RUN(a5lo, &d, 5, 2);
	RUN(a5hi, &d, 0x66666666U, 2);
	RUN(len, &d, sizeof(struct seccomp_data), 2);
	RUN(xlen, &d, 64, 3);
	CHECK_EQ(cf_bpf_verify(a5hi, LEN(a5hi), NULL), 0);
	CHECK_EQ(cf_bpf_verify(xlen, LEN(xlen), NULL), 0);
}

/* One ALU operation with a constant and with X: a op b. */
static uint32_t alu_k(uint16_t op, uint32_t a, uint32_t b, unsigned *n)
{
	const struct sock_filter p[] = {ST(BPF_LD | BPF_IMM, a),
					ST(BPF_ALU | op | BPF_K, b),
					ST(BPF_RET | BPF_A, 0)};

	return cf_bpf_run(p, LEN(p), NULL, n);
}

static uint32_t alu_x(uint16_t op, uint32_t a, uint32_t b, unsigned *n)
{
	const struct sock_filter p[] = {
	    ST(BPF_LDX | BPF_IMM, b), ST(BPF_LD | BPF_IMM, a),
	    ST(BPF_ALU | op | BPF_X, 0), ST(BPF_RET | BPF_A, 0)};

	return cf_bpf_run(p, LEN(p), NULL, n);
}

TEST(sim_alu_operations)
{
	static const struct {
		uint16_t op;
		uint32_t a, b, want;
	} cases[] = {
	    {BPF_ADD, 0xfffffffeU, 3, 1},
	    {BPF_SUB, 1, 2, 0xffffffffU},
	    {BPF_MUL, 0x10000, 0x10001, 0x10000},
	    {BPF_DIV, 100, 7, 14},
	    {BPF_DIV, 0xffffffffU, 2, 0x7fffffffU},
	    {BPF_MOD, 100, 7, 2},
	    {BPF_AND, 0xf0f0, 0xff00, 0xf000},
	    {BPF_OR, 0xf0f0, 0x0f00, 0xfff0},
	    {BPF_XOR, 0xf0f0, 0xff00, 0x0ff0},
	    {BPF_LSH, 1, 31, 0x80000000U},
	    {BPF_RSH, 0x80000000U, 31, 1},
	};

	for (size_t i = 0; i < LEN(cases); i++) {
		unsigned n = 0;

		CHECK_EQ(alu_k(cases[i].op, cases[i].a, cases[i].b, &n),
			 cases[i].want);
		CHECK_EQ(n, 3);
		CHECK_EQ(alu_x(cases[i].op, cases[i].a, cases[i].b, &n),
			 cases[i].want);
		CHECK_EQ(n, 4);
	}
}

TEST(sim_alu_kernel_corner_cases)
{
	const struct sock_filter neg[] = {ST(BPF_LD | BPF_IMM, 5),
					  ST(BPF_ALU | BPF_NEG, 0),
					  ST(BPF_RET | BPF_A, 0)};
	/* the division by X = 0 ends the program with 0; the rest never runs */
	const struct sock_filter div0[] = {
	    ST(BPF_LDX | BPF_IMM, 0), ST(BPF_LD | BPF_IMM, 100),
	    ST(BPF_ALU | BPF_DIV | BPF_X, 0), RET_ALLOW};
	unsigned n = 0;

	RUN(neg, NULL, 0xfffffffbU, 3);
	RUN(div0, NULL, 0, 3);
	CHECK_EQ(cf_bpf_verify(div0, LEN(div0), NULL), 0);
	/* shifts by X use its low five bits, as the kernel (JIT or not) */
	CHECK_EQ(alu_x(BPF_LSH, 1, 33, &n), 2);
	CHECK_EQ(alu_x(BPF_LSH, 1, 32, &n), 1);
	CHECK_EQ(alu_x(BPF_RSH, 0x80, 35, &n), 0x10);
	CHECK_EQ(n, 4);
}

/* jop a ? b: 1 if taken, 2 if not. */
static uint32_t jump_k(uint16_t op, uint32_t a, uint32_t b, unsigned *n)
{
	const struct sock_filter p[] = {
	    ST(BPF_LD | BPF_IMM, a), JMP(BPF_JMP | op | BPF_K, b, 1, 0),
	    ST(BPF_RET | BPF_K, 2), ST(BPF_RET | BPF_K, 1)};

	return cf_bpf_run(p, LEN(p), NULL, n);
}

static uint32_t jump_x(uint16_t op, uint32_t a, uint32_t b, unsigned *n)
{
	const struct sock_filter p[] = {
	    ST(BPF_LD | BPF_IMM, a), ST(BPF_LDX | BPF_IMM, b),
	    JMP(BPF_JMP | op | BPF_X, 0, 0, 1), ST(BPF_RET | BPF_K, 1),
	    ST(BPF_RET | BPF_K, 2)};

	return cf_bpf_run(p, LEN(p), NULL, n);
}

TEST(sim_conditional_jumps)
{
	static const struct {
		uint16_t op;
		uint32_t a, b, want;
	} cases[] = {
	    {BPF_JEQ, 5, 5, 1},		  {BPF_JEQ, 5, 6, 2},
	    {BPF_JGT, 6, 5, 1},		  {BPF_JGT, 5, 5, 2},
	    {BPF_JGT, 0x80000000U, 1, 1}, /* unsigned */
	    {BPF_JGE, 5, 5, 1},		  {BPF_JGE, 4, 5, 2},
	    {BPF_JSET, 6, 2, 1},	  {BPF_JSET, 6, 9, 2},
	};

	for (size_t i = 0; i < LEN(cases); i++) {
		unsigned n = 0;

		CHECK_EQ(jump_k(cases[i].op, cases[i].a, cases[i].b, &n),
			 cases[i].want);
		CHECK_EQ(n, 3);
		CHECK_EQ(jump_x(cases[i].op, cases[i].a, cases[i].b, &n),
			 cases[i].want);
		CHECK_EQ(n, 4);
	}
}

TEST(sim_ja_memory_and_registers)
{
	const struct sock_filter p[] = {
	    ST(BPF_LD | BPF_IMM, 7),	      /* 0 */
	    ST(BPF_ST, 3),		      /* 1: M[3] = 7 */
	    ST(BPF_MISC | BPF_TAX, 0),	      /* 2: x = 7 */
	    ST(BPF_ALU | BPF_ADD | BPF_X, 0), /* 3: a = 14 */
	    ST(BPF_STX, 15),		      /* 4: M[15] = 7 */
	    ST(BPF_JMP | BPF_JA, 2),	      /* 5 -> 8 */
	    ST(BPF_RET | BPF_K, 1),	      /* 6 */
	    ST(BPF_RET | BPF_K, 2),	      /* 7 */
	    ST(BPF_LDX | BPF_MEM, 3),	      /* 8: x = 7 */
	    ST(BPF_ALU | BPF_MUL | BPF_X, 0), /* 9: a = 98 */
	    ST(BPF_LDX | BPF_IMM, 1),	      /* 10 */
	    ST(BPF_MISC | BPF_TXA, 0),	      /* 11: a = 1 */
	    ST(BPF_LD | BPF_MEM, 15),	      /* 12: a = 7 */
	    ST(BPF_RET | BPF_A, 0),	      /* 13 */
	};
	const struct sock_filter ret_k[] = {ST(BPF_RET | BPF_K, 0x00050001U),
					    ST(BPF_RET | BPF_K, 2)};

	CHECK_EQ(cf_bpf_verify(p, LEN(p), NULL), 0);
	RUN(p, NULL, 7, 12);
	RUN(ret_k, NULL, 0x00050001U, 1);
	CHECK_EQ(cf_bpf_run(p, LEN(p), NULL, NULL), 7);
}

/* Unchecked programs end with 0 instead of reading or jumping outside. */
TEST(sim_never_leaves_the_program_or_the_data)
{
	struct seccomp_data d = sample_data();
	const struct sock_filter far_load[] = {
	    ST(BPF_LD | BPF_W | BPF_ABS, 0xfffffffcU), RET_ALLOW};
	const struct sock_filter odd_load[] = {ST(BPF_LD | BPF_W | BPF_ABS, 62),
					       RET_ALLOW};
	const struct sock_filter byte_load[] = {ST(BPF_LD | BPF_B | BPF_ABS, 0),
						RET_ALLOW};
	const struct sock_filter far_jump[] = {
	    ST(BPF_JMP | BPF_JA, 0xffffffffU), RET_ALLOW};
	const struct sock_filter far_cond[] = {
	    JMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 200, 200), RET_ALLOW};
	const struct sock_filter slot[] = {ST(BPF_ST, 16), RET_ALLOW};
	const struct sock_filter no_ret[] = {ST(BPF_LD | BPF_IMM, 1),
					     ST(BPF_LD | BPF_IMM, 2)};
	const struct sock_filter bad_code[] = {ST(0xffff, 0), RET_ALLOW};

	RUN(far_load, &d, 0, 1);
	RUN(odd_load, &d, 0, 1);
	RUN(byte_load, &d, 0, 1);
	RUN(far_jump, &d, 0, 1);
	RUN(far_cond, &d, 0, 1);
	RUN(slot, &d, 0, 1);
	RUN(no_ret, &d, 0, 2);
	RUN(bad_code, &d, 0, 1);
	CHECK_EQ(cf_bpf_run(no_ret, 0, &d, NULL), 0);
}

/* ---- the checker --------------------------------------------------------- */

TEST(verify_accepts_good_programs)
{
	const struct sock_filter arch_check[] = {
	    ST(BPF_LD | BPF_W | BPF_ABS, 4),
	    JMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003eU, 1, 0),
	    ST(BPF_RET | BPF_K, 0),
	    ST(BPF_LD | BPF_W | BPF_ABS, 0),
	    JMP(BPF_JMP | BPF_JGE | BPF_K, 400, 0, 1),
	    ST(BPF_RET | BPF_K, 0x00050026U),
	    RET_ALLOW,
	};
	/* memory written on both branches before the join */
	const struct sock_filter both[] = {
	    JMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
	    ST(BPF_ST, 0),
	    ST(BPF_JMP | BPF_JA, 1),
	    ST(BPF_STX, 0),
	    ST(BPF_LD | BPF_MEM, 0),
	    ST(BPF_RET | BPF_A, 0),
	};
	/* the last word of the data, the longest jumps */
	const struct sock_filter edges[] = {
	    ST(BPF_LD | BPF_W | BPF_ABS, 60),
	    ST(BPF_JMP | BPF_JA, 1),
	    JMP(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 1),
	    ST(BPF_ALU | BPF_LSH | BPF_K, 31),
	    RET_ALLOW,
	};

	CHECK_EQ(cf_bpf_verify(arch_check, LEN(arch_check), NULL), 0);
	CHECK_EQ(cf_bpf_verify(both, LEN(both), NULL), 0);
	CHECK_EQ(cf_bpf_verify(edges, LEN(edges), NULL), 0);
}

TEST(verify_rejects_each_bad_form)
{
	static const struct {
		const char *what;
		struct sock_filter p[4];
		size_t len;
		const char *msg;
	} bad[] = {
	    {"unknown opcode",
	     {ST(0x00ff, 0), RET_ALLOW},
	     2,
	     "instruction 0: opcode 0x00ff"},
	    {"classic but not seccomp",
	     {ST(BPF_LD | BPF_B | BPF_ABS, 0), RET_ALLOW},
	     2,
	     "not allowed in seccomp"},
	    {"mod",
	     {ST(BPF_ALU | BPF_MOD | BPF_K, 3), RET_ALLOW},
	     2,
	     "instruction 0: opcode 0x0094"},
	    {"indirect load",
	     {ST(BPF_LD | BPF_W | BPF_IND, 0), RET_ALLOW},
	     2,
	     "not allowed"},
	    {"ret x", {ST(BPF_RET | BPF_X, 0)}, 1, "not allowed"},
	    {"cond jump out",
	     {JMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 2), RET_ALLOW, RET_ALLOW},
	     3,
	     "instruction 0: jump to 3 is past the last instruction (2)"},
	    {"jt out",
	     {ST(BPF_LD | BPF_IMM, 0), JMP(BPF_JMP | BPF_JGT | BPF_X, 1, 1, 0),
	      RET_ALLOW},
	     3,
	     "instruction 1: jump"},
	    {"ja out",
	     {ST(BPF_JMP | BPF_JA, 1), RET_ALLOW},
	     2,
	     "instruction 0: jump"},
	    {"ja wraps",
	     {ST(BPF_JMP | BPF_JA, 0xffffffffU), RET_ALLOW},
	     2,
	     "instruction 0: jump to 4294967296"},
	    {"no return",
	     {ST(BPF_LD | BPF_IMM, 0)},
	     1,
	     "instruction 0: the program does not end with a return"},
	    {"unaligned",
	     {ST(BPF_LD | BPF_W | BPF_ABS, 2), RET_ALLOW},
	     2,
	     "instruction 0: load at offset 2"},
	    {"beyond data",
	     {ST(BPF_LD | BPF_W | BPF_ABS, 64), RET_ALLOW},
	     2,
	     "instruction 0: load at offset 64"},
	    {"ldx abs",
	     {ST(BPF_LDX | BPF_W | BPF_ABS, 0), RET_ALLOW},
	     2,
	     "not allowed"},
	    {"mem before write",
	     {ST(BPF_LD | BPF_MEM, 3), RET_ALLOW},
	     2,
	     "instruction 0: scratch slot 3 read before"},
	    {"mem on one branch",
	     {JMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), ST(BPF_ST, 1),
	      ST(BPF_LDX | BPF_MEM, 1), RET_ALLOW},
	     4,
	     "instruction 2: scratch slot 1"},
	    {"slot 16",
	     {ST(BPF_ST, 16), RET_ALLOW},
	     2,
	     "instruction 0: scratch slot 16"},
	    {"div by 0",
	     {ST(BPF_ALU | BPF_DIV | BPF_K, 0), RET_ALLOW},
	     2,
	     "instruction 0: division by constant zero"},
	    {"shift 32",
	     {ST(BPF_ALU | BPF_LSH | BPF_K, 32), RET_ALLOW},
	     2,
	     "instruction 0: shift by 32"},
	};

	for (size_t i = 0; i < LEN(bad); i++) {
		struct cf_error err = {0};
		int rc = cf_bpf_verify(bad[i].p, bad[i].len, &err);

		if (rc != -EINVAL || !strstr(err.msg, bad[i].msg))
			t_fail(__FILE__, __LINE__, "%s: rc %d, '%s'",
			       bad[i].what, rc, err.msg);
		else
			CHECK(true);
	}
}

TEST(verify_program_length_limits)
{
	struct sock_filter *p = calloc(CF_BPF_MAXINSNS + 1, sizeof(*p));
	struct cf_error err;

	if (!CHECK(p))
		return;
	for (size_t i = 0; i <= CF_BPF_MAXINSNS; i++)
		p[i] = (struct sock_filter)RET_ALLOW;
	CHECK_EQ(cf_bpf_verify(p, CF_BPF_MAXINSNS, NULL), 0);
	CHECK_EQ(cf_bpf_verify(p, CF_BPF_MAXINSNS + 1, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "4097 instructions");
	CHECK_EQ(cf_bpf_verify(p, 0, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "0 instructions");
	CHECK_EQ(cf_bpf_verify(NULL, 1, NULL), -EINVAL);
	/* the longest jump there is: from 0 over 4094 to the last */
	p[0] = (struct sock_filter)ST(BPF_JMP | BPF_JA, CF_BPF_MAXINSNS - 2);
	CHECK_EQ(cf_bpf_verify(p, CF_BPF_MAXINSNS, NULL), 0);
	CHECK_EQ(cf_bpf_run(p, CF_BPF_MAXINSNS, NULL, NULL), 0x7fff0000U);
	p[0].k++;
	CHECK_EQ(cf_bpf_verify(p, CF_BPF_MAXINSNS, NULL), -EINVAL);
	free(p);
}

/* Random programs: whatever the checker accepts runs to a return in at
 * most len instructions, and never reports 0 executed. */
TEST(verify_then_run_random_programs)
{
	static const uint16_t codes[] = {
	    BPF_LD | BPF_W | BPF_ABS,
	    BPF_LD | BPF_IMM,
	    BPF_LD | BPF_MEM,
	    BPF_LDX | BPF_IMM,
	    BPF_LDX | BPF_MEM,
	    BPF_ST,
	    BPF_STX,
	    BPF_ALU | BPF_ADD | BPF_X,
	    BPF_ALU | BPF_DIV | BPF_X,
	    BPF_ALU | BPF_RSH | BPF_K,
	    BPF_ALU | BPF_NEG,
	    BPF_JMP | BPF_JA,
	    BPF_JMP | BPF_JEQ | BPF_K,
	    BPF_JMP | BPF_JSET | BPF_X,
	    BPF_RET | BPF_K,
	    BPF_RET | BPF_A,
	    BPF_MISC | BPF_TAX,
	    BPF_MISC | BPF_TXA,
	};
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned accepted = 0;

	for (int round = 0; round < 20000; round++) {
		struct sock_filter p[12];
		size_t len = 1 + round % LEN(p);
		struct seccomp_data d = sample_data();
		unsigned n = 0;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 6364136223846793005ULL + 1;
			p[i].code = codes[(seed >> 33) % LEN(codes)];
			p[i].jt = (uint8_t)((seed >> 20) % 4);
			p[i].jf = (uint8_t)((seed >> 24) % 4);
			p[i].k = (uint32_t)(seed >> 40) % 20 * 4;
		}
		if (cf_bpf_verify(p, len, NULL))
			continue;
		accepted++;
		d.nr = (int)(seed % 7);
		cf_bpf_run(p, len, &d, &n);
		if (n == 0 || n > len)
			t_fail(__FILE__, __LINE__, "round %d: %u executed",
			       round, n);
	}
	t_note("%u of 20000 random programs accepted", accepted);
	CHECK(accepted > 100);
}

/* ---- listing and export ------------------------------------------------- */

static const struct sock_filter listing_prog[] = {
    ST(BPF_LD | BPF_W | BPF_ABS, 4),
    JMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003eU, 1, 0),
    ST(BPF_RET | BPF_K, 0x80000000U),
    ST(BPF_LD | BPF_W | BPF_ABS, 0),
    JMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 3),
    ST(BPF_LD | BPF_W | BPF_ABS, HI(ARG(1))),
    JMP(BPF_JMP | BPF_JSET | BPF_X, 0, 2, 0),
    ST(BPF_RET | BPF_K, 0x00050001U),
    RET_ALLOW,
    ST(BPF_RET | BPF_A, 0),
};

/* Text written by fn into a memory stream (caller frees). */
static char *capture(int (*fn)(const struct sock_filter *, size_t, FILE *),
		     const struct sock_filter *p, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	if (fn(p, len, f))
		fputs("(error)", f);
	fclose(f);
	return buf;
}

static int write_c(const struct sock_filter *p, size_t len, FILE *f)
{
	return cf_bpf_write(p, len, CF_BPF_C, f, NULL);
}

static int write_hex(const struct sock_filter *p, size_t len, FILE *f)
{
	return cf_bpf_write(p, len, CF_BPF_HEX, f, NULL);
}

TEST(disasm_golden)
{
	char *text = capture(cf_bpf_disasm, listing_prog, LEN(listing_prog));

	CHECK_STR(text, "   0: lda  arch\n"
			"   1: jeq  #0xc000003e, 3, 2   ; x86_64\n"
			"   2: ret  SCMP_ACT_KILL_PROCESS\n"
			"   3: lda  nr\n"
			"   4: jeq  #0x27, 5, 8\n"
			"   5: lda  args[1].hi\n"
			"   6: jset x, 9, 7\n"
			"   7: ret  SCMP_ACT_ERRNO(1)\n"
			"   8: ret  SCMP_ACT_ALLOW\n"
			"   9: ret  a\n");
	free(text);
}

TEST(disasm_every_opcode_and_odd_operands)
{
	const struct sock_filter p[] = {
	    ST(BPF_LD | BPF_W | BPF_ABS, LO(IP)),
	    ST(BPF_LD | BPF_W | BPF_ABS, LO(ARG(0))),
	    ST(BPF_LD | BPF_W | BPF_ABS, 2),
	    ST(BPF_LD | BPF_W | BPF_ABS, 64),
	    ST(BPF_LD | BPF_W | BPF_LEN, 0),
	    ST(BPF_LDX | BPF_W | BPF_LEN, 0),
	    ST(BPF_LD | BPF_IMM, 16),
	    ST(BPF_LDX | BPF_MEM, 15),
	    ST(BPF_ST, 1),
	    ST(BPF_STX, 2),
	    ST(BPF_ALU | BPF_SUB | BPF_K, 1),
	    ST(BPF_ALU | BPF_RSH | BPF_X, 0),
	    ST(BPF_ALU | BPF_NEG, 0),
	    ST(BPF_JMP | BPF_JA, 3),
	    ST(BPF_MISC | BPF_TAX, 0),
	    ST(BPF_MISC | BPF_TXA, 0),
	    ST(BPF_LD | BPF_B | BPF_IND, 3),
	    ST(0x00ff, 9),
	    ST(BPF_RET | BPF_K, 0x7ff00002U),
	};
	char *text = capture(cf_bpf_disasm, p, LEN(p));

	CHECK_STR(text, "   0: lda  instruction_pointer.lo\n"
			"   1: lda  args[0].lo\n"
			"   2: lda  [2]\n"
			"   3: lda  [64]\n"
			"   4: lda  #len\n"
			"   5: ldx  #len\n"
			"   6: lda  #0x10\n"
			"   7: ldx  M[15]\n"
			"   8: st   M[1]\n"
			"   9: stx  M[2]\n"
			"  10: sub  #0x1\n"
			"  11: rsh  x\n"
			"  12: neg\n"
			"  13: ja   17\n"
			"  14: tax\n"
			"  15: txa\n"
			"  16: ldb  [x + 3]\n"
			"  17: ???  code=0x00ff jt=0 jf=0 k=0x9\n"
			"  18: ret  SCMP_ACT_TRACE(2)\n");
	free(text);
}

TEST(disasm_names_abis_only_after_an_arch_load)
{
	const struct sock_filter p[] = {
	    ST(BPF_LD | BPF_W | BPF_ABS, 0),
	    JMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003eU, 0, 0),
	    ST(BPF_LD | BPF_W | BPF_ABS, 4),
	    JMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40000003U, 0, 0),
	    JMP(BPF_JMP | BPF_JEQ | BPF_K, 0x12345678U, 0, 0),
	    RET_ALLOW,
	};
	char *text = capture(cf_bpf_disasm, p, LEN(p));

	CHECK_STR(text, "   0: lda  nr\n"
			"   1: jeq  #0xc000003e, 2, 2\n"
			"   2: lda  arch\n"
			"   3: jeq  #0x40000003, 4, 4   ; x86\n"
			"   4: jeq  #0x12345678, 5, 5\n"
			"   5: ret  SCMP_ACT_ALLOW\n");
	free(text);
}

TEST(write_hex_and_c_golden)
{
	char *hex = capture(write_hex, listing_prog, 3);
	char *c = capture(write_c, listing_prog, 3);

	CHECK_STR(hex, "0020 00 00 00000004\n"
		       "0015 01 00 c000003e\n"
		       "0006 00 00 80000000\n");
	CHECK_STR(c, "/* callfence: 3 instructions; struct sock_filter is in "
		     "<linux/filter.h> */\n"
		     "static const struct sock_filter filter[] = {\n"
		     "\t{ 0x0020,   0,   0, 0x00000004 }, /*    0: lda  arch "
		     "*/\n"
		     "\t{ 0x0015,   1,   0, 0xc000003e }, /*    1: jeq  "
		     "#0xc000003e, 3, 2   ; x86_64 */\n"
		     "\t{ 0x0006,   0,   0, 0x80000000 }, /*    2: ret  "
		     "SCMP_ACT_KILL_PROCESS */\n"
		     "};\n");
	free(hex);
	free(c);
	CHECK_EQ(
	    cf_bpf_write(listing_prog, 1, (enum cf_bpf_format)7, stdout, NULL),
	    -EINVAL);
}

TEST(raw_round_trip)
{
	char *buf = NULL;
	size_t size = 0, n = 0;
	FILE *f = open_memstream(&buf, &size);
	struct sock_filter *back = NULL;
	struct cf_error err;

	if (!CHECK(f))
		return;
	CHECK_EQ(
	    cf_bpf_write(listing_prog, LEN(listing_prog), CF_BPF_RAW, f, &err),
	    0);
	fclose(f);
	CHECK_EQ(size, sizeof(listing_prog));
	CHECK(!memcmp(buf, listing_prog, sizeof(listing_prog)));
	CHECK_EQ(cf_bpf_read_raw(buf, size, &back, &n, &err), 0);
	CHECK_EQ(n, LEN(listing_prog));
	CHECK(back && !memcmp(back, listing_prog, sizeof(listing_prog)));
	free(back);
	free(buf);
}

TEST(raw_reader_rejects_bad_sizes)
{
	static char bytes[(CF_BPF_MAXINSNS + 1) * 8];
	struct sock_filter *p = (struct sock_filter *)1;
	size_t n = 5;
	struct cf_error err;

	CHECK_EQ(cf_bpf_read_raw(bytes, 7, &p, &n, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "not a multiple of 8");
	CHECK(p == NULL && n == 0);
	CHECK_EQ(cf_bpf_read_raw(bytes, 0, &p, &n, &err), -EINVAL);
	CHECK_EQ(cf_bpf_read_raw(bytes, sizeof(bytes), &p, &n, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "4097 instructions");
	CHECK_EQ(cf_bpf_read_raw(bytes, sizeof(bytes) - 8, &p, &n, &err), 0);
	CHECK_EQ(n, CF_BPF_MAXINSNS);
	free(p);
}

/* ---- names --------------------------------------------------------------- */

TEST(action_names)
{
	static const struct {
		uint32_t action;
		const char *name;
	} cases[] = {
	    {0x00000000U, "SCMP_ACT_KILL_THREAD"},
	    {0x80000000U, "SCMP_ACT_KILL_PROCESS"},
	    {0x00030000U, "SCMP_ACT_TRAP"},
	    {0x00050001U, "SCMP_ACT_ERRNO(1)"},
	    {0x00050026U, "SCMP_ACT_ERRNO(38)"},
	    {0x00050000U, "SCMP_ACT_ERRNO(0)"},
	    {0x7fc00000U, "SCMP_ACT_NOTIFY"},
	    {0x7ff00001U, "SCMP_ACT_TRACE(1)"},
	    {0x7ffc0000U, "SCMP_ACT_LOG"},
	    {0x7fff0000U, "SCMP_ACT_ALLOW"},
	    {0x7fff0005U, "SCMP_ACT_ALLOW|0x5"},
	    {0x12340000U, "0x12340000"},
	    {0xffffffffU, "0xffffffff"},
	};
	char buf[64], tiny[9];

	for (size_t i = 0; i < LEN(cases); i++)
		CHECK_STR(cf_action_str(cases[i].action, buf, sizeof(buf)),
			  cases[i].name);
	CHECK_STR(cf_action_str(0x7fff0000U, tiny, sizeof(tiny)), "SCMP_ACT");
}

TEST(operator_names)
{
	CHECK_STR(cf_op_name(CF_OP_NE), "SCMP_CMP_NE");
	CHECK_STR(cf_op_name(CF_OP_EQ), "SCMP_CMP_EQ");
	CHECK_STR(cf_op_name(CF_OP_MASKED_EQ), "SCMP_CMP_MASKED_EQ");
	CHECK_STR(cf_op_name(CF_OP__NONE), "(none)");
	CHECK_STR(cf_op_name((enum cf_op)99), "(bad)");
	CHECK_EQ(CF_OP_NE, 1);
	CHECK_EQ(CF_OP_MASKED_EQ, 7);
}
