/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.c - what the kernel's per-syscall action cache (Linux >= 5.11) makes
 * of a program, emulated in userspace.
 *
 * When a filter is attached, the kernel (kernel/seccomp.c,
 * seccomp_cache_prepare_bitmap) runs the original classic-BPF program once
 * for every syscall number of the native and the compat ABI with only the
 * number and the AUDIT_ARCH value known. The emulation understands exactly:
 * loads of nr and arch (32-bit absolute), JA, JEQ/JGE/JGT/JSET against a
 * constant, AND with a constant and RET with a constant. Anything else (a
 * load of an argument or of the instruction pointer, an X-register
 * operation, scratch memory, RET A) makes the number non-cacheable; so does
 * any return other than exactly SECCOMP_RET_ALLOW. A cacheable number then
 * never runs the filter again: the kernel allows it from a bitmap.
 *
 * That rule is the library's (cf_bpf_cacheable, lib/bpf_cache.c), which
 * cf-bench and selftest.c call. cache_actions() here is a wider analysis
 * for the report: every action the program can return for (nr, arch) when
 * arguments are free.
 */
#include "bench.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>

#define OFF_NR offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)
#define OFF_ARGS offsetof(struct seccomp_data, args)

/* ---- every reachable action, arguments free --------------------------- */

struct val {
	uint32_t known; /* 0 or 1; a full word, so the struct has no padding */
	uint32_t v;
	uint32_t src; /* cache_paths: 1 + the argument word loaded, or 0 */
};

/* cache_paths: what the compares taken so far say of an argument word */
struct range {
	uint32_t lo, hi;
};

#define ARG_WORDS 12 /* six 64-bit arguments, two words each */

struct state {
	struct val a, x, m[BPF_MEMWORDS];
	struct range word[ARG_WORDS];
};

struct walk {
	const struct sock_filter *prog;
	size_t n;
	uint32_t nr, arch;
	bool feasible; /* follow a branch on an argument word only if the
			* compares before it allow it (cache_paths) */
	uint32_t *out;
	int max, count;
	bool argdep, unsupported;
	/* visited (pc, state) pairs: open addressing on a hash, with the
	 * longest path (instructions executed) from there to a return */
	uint64_t *seen;
	unsigned *longest;
	size_t seen_cap, seen_len;
};

/* FNV-1a over the program counter and the state (which has no padding). */
static uint64_t state_hash(size_t pc, const struct state *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(pc); i++)
		h = (h ^ ((pc >> (8 * i)) & 0xff)) * 1099511628211ULL;
	for (size_t i = 0; i < sizeof(*s); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h | 1; /* 0 marks an empty slot */
}

static void grow(struct walk *w)
{
	size_t cap = w->seen_cap ? w->seen_cap * 2 : 4096, i;
	uint64_t *t = calloc(cap, sizeof(*t));
	unsigned *l = calloc(cap, sizeof(*l));

	if (!t || !l)
		abort();
	for (size_t j = 0; j < w->seen_cap; j++) {
		if (!w->seen[j])
			continue;
		for (i = w->seen[j] & (cap - 1); t[i]; i = (i + 1) & (cap - 1))
			;
		t[i] = w->seen[j];
		l[i] = w->longest[j];
	}
	free(w->seen);
	free(w->longest);
	w->seen = t;
	w->longest = l;
	w->seen_cap = cap;
}

/* The slot of (pc, s): *found says whether it was visited before. A hash
 * collision can only skip a path, which the callers accept: the hash is
 * 64 bits. */
static size_t slot(struct walk *w, size_t pc, const struct state *s,
		   bool *found)
{
	uint64_t h = state_hash(pc, s);
	size_t i;

	if (w->seen_len * 2 >= w->seen_cap)
		grow(w);
	for (i = h & (w->seen_cap - 1); w->seen[i];
	     i = (i + 1) & (w->seen_cap - 1)) {
		if (w->seen[i] == h) {
			*found = true;
			return i;
		}
	}
	w->seen[i] = h;
	w->seen_len++;
	*found = false;
	return i;
}

static void add_action(struct walk *w, uint32_t act)
{
	for (int i = 0; i < w->count && i < w->max; i++)
		if (w->out[i] == act)
			return;
	if (w->count < w->max)
		w->out[w->count] = act;
	w->count++;
}

static struct val load_abs(struct walk *w, const struct state *s, uint32_t k)
{
	uint32_t word = (k - OFF_ARGS) / 4;

	if (k == OFF_NR)
		return (struct val){true, w->nr, 0};
	if (k == OFF_ARCH)
		return (struct val){true, w->arch, 0};
	w->argdep = true;
	if (!w->feasible || k < OFF_ARGS || k % 4 || word >= ARG_WORDS)
		return (struct val){false, 0, 0};
	if (s->word[word].lo == s->word[word].hi)
		return (struct val){true, s->word[word].lo, word + 1};
	return (struct val){false, 0, word + 1};
}

/* The accumulator holds an argument word: what taking (or not) a compare
 * of it with k says of it. false when the branch cannot be taken. Masked
 * compares (JSET) say nothing here. */
static bool refine(struct state *s, uint16_t op, uint32_t k, bool taken)
{
	struct range *r = &s->word[s->a.src - 1];
	uint32_t lo = r->lo, hi = r->hi;

	if (op == BPF_JEQ && taken) {
		if (k < lo || k > hi)
			return false;
		lo = hi = k;
	} else if (op == BPF_JEQ) {
		if (lo == hi && lo == k)
			return false;
		lo += lo == k;
		hi -= hi == k;
	} else if (op == BPF_JGT && taken) {
		if (k >= hi)
			return false;
		lo = lo > k ? lo : k + 1;
	} else if (op == BPF_JGT) {
		if (lo > k)
			return false;
		hi = hi < k ? hi : k;
	} else if (op == BPF_JGE && taken) {
		if (k > hi)
			return false;
		lo = lo > k ? lo : k;
	} else if (op == BPF_JGE) {
		if (k == 0 || lo >= k)
			return false;
		hi = hi < k - 1 ? hi : k - 1;
	}
	r->lo = lo;
	r->hi = hi;
	if (lo == hi)
		s->a = (struct val){true, lo, s->a.src};
	return true;
}

static struct val alu(uint16_t op, struct val a, struct val b)
{
	if (op == BPF_NEG)
		return (struct val){a.known, -a.v};
	if (!a.known || !b.known)
		return (struct val){false, 0};
	switch (op) {
	case BPF_ADD:
		return (struct val){true, a.v + b.v};
	case BPF_SUB:
		return (struct val){true, a.v - b.v};
	case BPF_MUL:
		return (struct val){true, a.v * b.v};
	case BPF_DIV:
		return (struct val){b.v != 0, b.v ? a.v / b.v : 0};
	case BPF_MOD:
		return (struct val){b.v != 0, b.v ? a.v % b.v : 0};
	case BPF_OR:
		return (struct val){true, a.v | b.v};
	case BPF_AND:
		return (struct val){true, a.v & b.v};
	case BPF_XOR:
		return (struct val){true, a.v ^ b.v};
	case BPF_LSH:
		return (struct val){true, b.v < 32 ? a.v << b.v : 0};
	case BPF_RSH:
		return (struct val){true, b.v < 32 ? a.v >> b.v : 0};
	}
	return (struct val){false, 0};
}

static int jump_result(uint16_t op, struct val a, struct val b)
{
	if (!a.known || !b.known)
		return -1; /* both ways */
	switch (op) {
	case BPF_JEQ:
		return a.v == b.v;
	case BPF_JGT:
		return a.v > b.v;
	case BPF_JGE:
		return a.v >= b.v;
	case BPF_JSET:
		return (a.v & b.v) != 0;
	}
	return -1;
}

static unsigned walk_from(struct walk *w, size_t pc, struct state s);

/* The longest path from the jump at pc to a return, the jump included. */
static unsigned walk_jump(struct walk *w, size_t pc, struct state *s)
{
	const struct sock_filter *f = &w->prog[pc];
	struct val b =
	    BPF_SRC(f->code) == BPF_X ? s->x : (struct val){true, f->k};
	unsigned taken = 0, not_taken = 0;
	int r;

	if (BPF_OP(f->code) == BPF_JA)
		return 1 + walk_from(w, pc + 1 + f->k, *s);
	r = jump_result(BPF_OP(f->code), s->a, b);
	if (r < 0 && w->feasible && s->a.src && b.known) {
		struct state t = *s, nt = *s;

		if (refine(&t, BPF_OP(f->code), b.v, true))
			taken = walk_from(w, pc + 1 + f->jt, t);
		if (refine(&nt, BPF_OP(f->code), b.v, false))
			not_taken = walk_from(w, pc + 1 + f->jf, nt);
		return 1 + (taken > not_taken ? taken : not_taken);
	}
	if (r != 0)
		taken = walk_from(w, pc + 1 + f->jt, *s);
	if (r != 1)
		not_taken = walk_from(w, pc + 1 + f->jf, *s);
	return 1 + (taken > not_taken ? taken : not_taken);
}

/* One straight-line instruction; false when the walk must stop here. */
static bool step(struct walk *w, const struct sock_filter *f, struct state *s)
{
	struct val k = {true, f->k};

	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		s->a = load_abs(w, s, f->k);
		return true;
	case BPF_LD | BPF_W | BPF_LEN:
		s->a = (struct val){true, 64};
		return true;
	case BPF_LDX | BPF_W | BPF_LEN:
		s->x = (struct val){true, 64};
		return true;
	case BPF_LD | BPF_IMM:
		s->a = k;
		return true;
	case BPF_LDX | BPF_IMM:
		s->x = k;
		return true;
	case BPF_LD | BPF_MEM:
		s->a = s->m[f->k % BPF_MEMWORDS];
		return true;
	case BPF_LDX | BPF_MEM:
		s->x = s->m[f->k % BPF_MEMWORDS];
		return true;
	case BPF_ST:
		s->m[f->k % BPF_MEMWORDS] = s->a;
		return true;
	case BPF_STX:
		s->m[f->k % BPF_MEMWORDS] = s->x;
		return true;
	case BPF_MISC | BPF_TAX:
		s->x = s->a;
		return true;
	case BPF_MISC | BPF_TXA:
		s->a = s->x;
		return true;
	}
	if (BPF_CLASS(f->code) == BPF_ALU) {
		s->a = alu(BPF_OP(f->code), s->a,
			   BPF_SRC(f->code) == BPF_X ? s->x : k);
		return true;
	}
	w->unsupported = true;
	return false;
}

/* The longest path from pc to a return (instructions executed), every
 * branch on an unknown value followed both ways; memoized per (pc, state).
 * The program is a DAG (the verifier allows forward jumps only). */
static unsigned walk_from(struct walk *w, size_t pc, struct state s)
{
	struct state entry = s;
	size_t entry_pc = pc;
	bool found;
	size_t at = slot(w, pc, &s, &found);
	unsigned len = 0;

	if (found)
		return w->longest[at];
	for (; pc < w->n; pc++) {
		const struct sock_filter *f = &w->prog[pc];

		len++;
		if (f->code == (BPF_RET | BPF_K)) {
			add_action(w, f->k);
			break;
		}
		if (f->code == (BPF_RET | BPF_A)) {
			if (!s.a.known)
				w->unsupported = true;
			add_action(w, s.a.v);
			break;
		}
		if (BPF_CLASS(f->code) == BPF_JMP) {
			len += walk_jump(w, pc, &s) - 1;
			break;
		}
		if (!step(w, f, &s))
			break;
	}
	if (pc >= w->n)
		w->unsupported = true; /* ran off the end */
	/* the table may have grown (moved) in the walk */
	w->longest[slot(w, entry_pc, &entry, &found)] = len;
	return len;
}

static int walk_program(const struct sock_filter *prog, size_t n, uint32_t nr,
			uint32_t arch, uint32_t *out, int max, bool *argdep,
			unsigned *longest)
{
	struct walk w = {.prog = prog,
			 .n = n,
			 .nr = nr,
			 .arch = arch,
			 .feasible = longest != NULL,
			 .out = out,
			 .max = max};
	struct state s;
	unsigned len;

	memset(&s, 0, sizeof(s));
	s.a.known = true; /* A and X start at 0 */
	s.x.known = true;
	for (int i = 0; i < ARG_WORDS && w.feasible; i++)
		s.word[i].hi = UINT32_MAX;
	len = walk_from(&w, 0, s);
	free(w.seen);
	free(w.longest);
	*argdep = w.argdep;
	if (longest)
		*longest = len;
	return w.unsupported ? -1 : w.count;
}

int cache_paths(const struct sock_filter *prog, size_t n, uint32_t nr,
		uint32_t arch, uint32_t *out, int max, bool *argdep,
		unsigned *longest)
{
	return walk_program(prog, n, nr, arch, out, max, argdep, longest);
}

int cache_actions(const struct sock_filter *prog, size_t n, uint32_t nr,
		  uint32_t arch, uint32_t *out, int max, bool *argdep)
{
	return walk_program(prog, n, nr, arch, out, max, argdep, NULL);
}
