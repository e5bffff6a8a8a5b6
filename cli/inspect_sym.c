/* SPDX-License-Identifier: Apache-2.0 */
/* inspect_sym.c - inspect --pid: every outcome of a seccomp filter stack
 * for one (arch, nr), by walking each program symbolically: nr and arch
 * are constants, the other words of struct seccomp_data (arguments,
 * instruction pointer) are unknowns; a conditional jump on an unknown
 * forks the walk and records the test taken on each side; a test the
 * recorded ones already decide is not forked, so impossible paths are not
 * reported. The stack's outcomes are the feasible combinations of its
 * programs' outcomes, each decided as the kernel decides (sym_stack_run). */
#include "inspect_sym.h"

#include "callfence.h"

#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ATOMS 64   /* tests on one path */
#define MAX_CASES 4096 /* outcomes of one program, or of the stack */
#define DATA_WORDS 16  /* struct seccomp_data is 64 bytes */

enum { SV_CONST, SV_WORD, SV_OPAQUE };

/* A register's value: a constant (v), (word off & v), or something
 * computed from word off that the walk does not follow. */
struct sval {
	uint8_t kind, off;
	uint32_t v;
};

struct regs {
	struct sval a, x, m[BPF_MEMWORDS];
};

struct path {
	struct sym_atom a[MAX_ATOMS];
	size_t n;
};

struct walk {
	const struct sock_filter *p;
	size_t len;
	uint32_t arch, nr;
	struct sym_result *out;
	int err;
};

/* ---- the kernel's combination --------------------------------------- */

static bool known_action(uint32_t act)
{
	switch (act) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_USER_NOTIF:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return true;
	default:
		return false;
	}
}

/* The result as the kernel acts on it. */
static uint32_t as_kernel(uint32_t ret)
{
	uint32_t act = ret & SECCOMP_RET_ACTION_FULL;

	if (!known_action(act))
		return SECCOMP_RET_KILL_PROCESS;
	if (act == SECCOMP_RET_ERRNO && (ret & SECCOMP_RET_DATA) > 4095)
		return SECCOMP_RET_ERRNO | 4095;
	return ret;
}

/* seccomp_run_filters: a strictly lower (signed) action replaces. */
static uint32_t stricter(uint32_t best, uint32_t ret)
{
	int32_t b = (int32_t)(best & SECCOMP_RET_ACTION_FULL);
	int32_t r = (int32_t)(ret & SECCOMP_RET_ACTION_FULL);

	return r < b ? ret : best;
}

uint32_t sym_stack_run(const struct sym_stack *s, uint32_t arch, uint32_t nr,
		       const uint64_t args[6])
{
	struct seccomp_data d = {0}, kd;
	uint32_t best = SECCOMP_RET_ALLOW;

	d.nr = (int)nr;
	d.arch = arch;
	for (int i = 0; i < 6; i++)
		d.args[i] = args[i];
	cf_seccomp_data_as_kernel(&d, &kd);
	for (size_t i = 0; i < s->n; i++)
		best = stricter(best,
				cf_bpf_run(s->prog[i], s->len[i], &kd, NULL));
	return as_kernel(best);
}

/* ---- deciding a test from the tests already taken ------------------- */

static int decide_range(uint64_t lo, uint64_t hi, const struct sym_atom *q)
{
	switch (q->op) {
	case BPF_JEQ:
		if (q->k & ~q->mask || q->k < lo || q->k > hi)
			return 0;
		return lo == hi ? 1 : -1;
	case BPF_JGT:
		return lo > q->k ? 1 : hi <= q->k ? 0 : -1;
	case BPF_JGE:
		return lo >= q->k ? 1 : hi < q->k ? 0 : -1;
	default: /* BPF_JSET */
		if (!(q->k & q->mask))
			return 0;
		return lo == hi ? (lo & q->k) != 0 : -1;
	}
}

/* Whether q (taken as not negated) holds given the n atoms as (skipping
 * skip[i] when skip is set): 1, 0, or -1 not decided. */
static int decide(const struct sym_atom *as, size_t n, const bool *skip,
		  const struct sym_atom *q)
{
	uint64_t lo = 0, hi = q->mask;

	for (size_t i = 0; i < n; i++) {
		const struct sym_atom *a = &as[i];

		if ((skip && skip[i]) || a->off != q->off ||
		    a->opaque != q->opaque ||
		    (!a->opaque && a->mask != q->mask))
			continue;
		if (a->op == q->op && a->k == q->k)
			return !a->neg;
		if (a->opaque)
			continue;
		if (a->op == BPF_JEQ && !a->neg)
			lo = hi = a->k;
		else if (a->op == BPF_JGT && !a->neg)
			lo = lo > (uint64_t)a->k + 1 ? lo : (uint64_t)a->k + 1;
		else if (a->op == BPF_JGT)
			hi = hi < a->k ? hi : a->k;
		else if (a->op == BPF_JGE && !a->neg)
			lo = lo > a->k ? lo : a->k;
		else if (a->op == BPF_JGE && a->k)
			hi = hi < a->k - 1U ? hi : a->k - 1U;
	}
	if (q->opaque)
		return -1;
	return decide_range(lo, hi, q);
}

/* ---- one program ---------------------------------------------------- */

static int emit(struct walk *w, const struct path *pa, uint32_t ret)
{
	struct sym_result *r = w->out;
	struct sym_case *c, *grown;

	if (r->n >= MAX_CASES) {
		r->complete = false;
		return 0;
	}
	grown = realloc(r->cases, (r->n + 1) * sizeof(*r->cases));
	if (!grown)
		return -1;
	r->cases = grown;
	c = &r->cases[r->n];
	c->n = pa->n;
	c->ret = ret;
	c->atoms = pa->n ? malloc(pa->n * sizeof(*c->atoms)) : NULL;
	if (pa->n && !c->atoms)
		return -1;
	if (pa->n)
		memcpy(c->atoms, pa->a, pa->n * sizeof(*c->atoms));
	r->n++;
	return 0;
}

static struct sval konst(uint32_t v)
{
	return (struct sval){SV_CONST, 0, v};
}

static struct sval load_abs(const struct walk *w, uint32_t k)
{
	if (k == offsetof(struct seccomp_data, nr))
		return konst(w->nr);
	if (k == offsetof(struct seccomp_data, arch))
		return konst(w->arch);
	return (struct sval){SV_WORD, (uint8_t)k, 0xffffffffU};
}

static void load(const struct walk *w, struct regs *r,
		 const struct sock_filter *i)
{
	struct sval *dst = BPF_CLASS(i->code) == BPF_LD ? &r->a : &r->x;

	switch (BPF_MODE(i->code)) {
	case BPF_ABS:
		*dst = load_abs(w, i->k);
		break;
	case BPF_MEM:
		*dst = r->m[i->k % BPF_MEMWORDS];
		break;
	case BPF_LEN:
		*dst = konst(sizeof(struct seccomp_data));
		break;
	default: /* BPF_IMM */
		*dst = konst(i->k);
	}
}

/* A op= src; 1 when the program ends here returning 0. */
static int alu(struct regs *r, const struct sock_filter *i)
{
	uint8_t op = BPF_OP(i->code);
	struct sval s = BPF_SRC(i->code) == BPF_X ? r->x : konst(i->k);

	if (op == BPF_NEG)
		s = konst(0);
	/* the interpreter's arithmetic (cf_bpf_alu): one ALU for both */
	if (r->a.kind == SV_CONST && s.kind == SV_CONST)
		return !cf_bpf_alu(op, &r->a.v, s.v);
	if (r->a.kind == SV_WORD && s.kind == SV_CONST && op == BPF_AND) {
		r->a.v &= s.v;
		return 0;
	}
	if (r->a.kind == SV_CONST)
		r->a.off = s.off;
	r->a.kind = SV_OPAQUE;
	return 0;
}

static bool jump_const(uint8_t op, uint32_t a, uint32_t k)
{
	switch (op) {
	case BPF_JEQ:
		return a == k;
	case BPF_JGT:
		return a > k;
	case BPF_JGE:
		return a >= k;
	default:
		return (a & k) != 0;
	}
}

static void walk_from(struct walk *w, size_t pc, struct regs r,
		      struct path *pa);

/* A conditional jump at pc - 1: the next pc, or forks (returns 0: the
 * caller's path ends here). */
static size_t jump(struct walk *w, size_t pc, const struct regs *r,
		   const struct sock_filter *i, struct path *pa)
{
	struct sval s = BPF_SRC(i->code) == BPF_X ? r->x : konst(i->k);
	struct sym_atom q = {0};
	int d;

	q.op = BPF_OP(i->code);
	if (r->a.kind == SV_CONST && s.kind == SV_CONST)
		return pc + (jump_const(q.op, r->a.v, s.v) ? i->jt : i->jf);
	q.off = r->a.kind == SV_CONST ? s.off : r->a.off;
	q.opaque = r->a.kind != SV_WORD || s.kind != SV_CONST;
	q.mask = q.opaque ? 0 : r->a.v;
	q.k = s.kind == SV_CONST ? s.v : 0;
	d = decide(pa->a, pa->n, NULL, &q);
	if (d >= 0)
		return pc + (d ? i->jt : i->jf);
	if (pa->n >= MAX_ATOMS) {
		w->out->complete = false;
		return 0;
	}
	pa->a[pa->n++] = q;
	walk_from(w, pc + i->jt, *r, pa);
	pa->a[pa->n - 1].neg = true;
	walk_from(w, pc + i->jf, *r, pa);
	pa->n--;
	return 0;
}

static void walk_from(struct walk *w, size_t pc, struct regs r, struct path *pa)
{
	while (pc < w->len && !w->err) {
		const struct sock_filter *i = &w->p[pc++];

		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
		case BPF_LDX:
			load(w, &r, i);
			break;
		case BPF_ST:
			r.m[i->k % BPF_MEMWORDS] = r.a;
			break;
		case BPF_STX:
			r.m[i->k % BPF_MEMWORDS] = r.x;
			break;
		case BPF_ALU:
			if (alu(&r, i)) {
				w->err = emit(w, pa, 0);
				return;
			}
			break;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX)
				r.x = r.a;
			else
				r.a = r.x;
			break;
		case BPF_RET:
			if (BPF_RVAL(i->code) == BPF_K || r.a.kind == SV_CONST)
				w->err = emit(
				    w, pa,
				    BPF_RVAL(i->code) == BPF_K ? i->k : r.a.v);
			else
				w->out->complete = false;
			return;
		default: /* BPF_JMP */
			if (BPF_OP(i->code) == BPF_JA)
				pc += i->k;
			else if (!(pc = jump(w, pc, &r, i, pa)))
				return;
		}
	}
}

static int walk_prog(const struct sock_filter *p, size_t len, uint32_t arch,
		     uint32_t nr, struct sym_result *out)
{
	struct walk w = {p, len, arch, nr, out, 0};
	struct regs r;
	struct path *pa = calloc(1, sizeof(*pa));

	memset(&r, 0, sizeof(r));
	out->cases = NULL;
	out->n = 0;
	out->complete = true;
	if (!pa)
		return -1;
	walk_from(&w, 0, r, pa);
	free(pa);
	return w.err;
}

/* ---- the stack ------------------------------------------------------ */

struct combine {
	const struct sym_result *per;
	size_t nprog;
	struct walk w; /* w.out: the stack's result */
	struct path acc;
};

/* Adds c's atoms to acc; false when they contradict it. */
static bool conjoin(struct path *acc, const struct sym_case *c, bool *full)
{
	for (size_t i = 0; i < c->n; i++) {
		int d = decide(acc->a, acc->n, NULL, &c->atoms[i]);

		if (d >= 0 && d == c->atoms[i].neg)
			return false;
		if (d >= 0)
			continue;
		if (acc->n >= MAX_ATOMS) {
			*full = true;
			return false;
		}
		acc->a[acc->n++] = c->atoms[i];
	}
	return true;
}

static void combine_from(struct combine *cb, size_t idx, uint32_t best)
{
	const struct sym_result *r;

	if (idx == cb->nprog) {
		if (!cb->w.err)
			cb->w.err = emit(&cb->w, &cb->acc, as_kernel(best));
		return;
	}
	r = &cb->per[idx];
	for (size_t i = 0; i < r->n && !cb->w.err; i++) {
		size_t keep = cb->acc.n;
		bool full = false;

		if (conjoin(&cb->acc, &r->cases[i], &full))
			combine_from(cb, idx + 1,
				     stricter(best, r->cases[i].ret));
		if (full)
			cb->w.out->complete = false;
		cb->acc.n = keep;
	}
}

int sym_stack_walk(const struct sym_stack *s, uint32_t arch, uint32_t nr,
		   struct sym_result *out)
{
	struct sym_result *per = calloc(s->n ? s->n : 1, sizeof(*per));
	struct combine *cb = calloc(1, sizeof(*cb));
	bool complete = true;
	int rc = -1;

	out->cases = NULL;
	out->n = 0;
	out->complete = true;
	if (!per || !cb)
		goto done;
	for (size_t i = 0; i < s->n; i++) {
		if (walk_prog(s->prog[i], s->len[i], arch, nr, &per[i]))
			goto done;
		complete = complete && per[i].complete;
	}
	cb->per = per;
	cb->nprog = s->n;
	cb->w.out = out;
	combine_from(cb, 0, SECCOMP_RET_ALLOW);
	rc = cb->w.err;
	out->complete = out->complete && complete;
done:
	for (size_t i = 0; per && i < s->n; i++)
		sym_result_free(&per[i]);
	free(per);
	free(cb);
	return rc;
}

int sym_case_and(const struct sym_case *a, const struct sym_case *b,
		 struct sym_case *out)
{
	struct path *acc = calloc(1, sizeof(*acc));
	bool full = false, ok;

	memset(out, 0, sizeof(*out));
	if (!acc)
		return -1;
	ok = conjoin(acc, a, &full) && conjoin(acc, b, &full);
	if (ok && acc->n) {
		out->atoms = malloc(acc->n * sizeof(*out->atoms));
		if (!out->atoms) {
			free(acc);
			return -1;
		}
		memcpy(out->atoms, acc->a, acc->n * sizeof(*out->atoms));
		out->n = acc->n;
	}
	free(acc);
	/* too many tests to tell: taken as overlapping, the tests of a */
	if (full)
		return sym_case_and(a, &(struct sym_case){NULL, 0, 0}, out);
	return ok ? 0 : 1;
}

bool sym_result_varies(const struct sym_result *r)
{
	for (size_t i = 1; i < r->n; i++)
		if (r->cases[i].ret != r->cases[0].ret)
			return true;
	return false;
}

void sym_result_free(struct sym_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->cases[i].atoms);
	free(r->cases);
	r->cases = NULL;
	r->n = 0;
}

/* ---- printing ------------------------------------------------------- */

static void print_num(FILE *out, uint64_t v)
{
	fprintf(out, v < 4096 ? "%llu" : "0x%llx", (unsigned long long)v);
}

/* "args[2]" for the word pair of an argument, "args[2].hi" for a word */
static void print_word(FILE *out, uint8_t off, bool whole)
{
	const char *half = off % 8 ? "hi" : "lo";

	if (off >= offsetof(struct seccomp_data, args))
		fprintf(out, "args[%u]", (unsigned)(off - 16) / 8);
	else
		fprintf(out, "instruction_pointer");
	if (!whole)
		fprintf(out, ".%s", half);
}

static const char *op_text(const struct sym_atom *a)
{
	switch (a->op) {
	case BPF_JEQ:
		return a->neg ? "!=" : "==";
	case BPF_JGT:
		return a->neg ? "<=" : ">";
	case BPF_JGE:
		return a->neg ? "<" : ">=";
	default:
		return a->neg ? "==" : "!=";
	}
}

/* What a case's tests say about one word (& mask): a range and values
 * it is not. */
struct var {
	uint8_t off;
	uint32_t mask;
	uint64_t lo, hi;
	uint32_t ne[MAX_ATOMS];
	size_t nne;
};

static bool ranged(const struct sym_atom *a)
{
	return !a->opaque && a->op != BPF_JSET;
}

/* The variables of c in order of first test; returns their number. */
static size_t collect_vars(const struct sym_case *c, struct var *v)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct sym_atom *a = &c->atoms[i];
		size_t k = 0;

		if (!ranged(a))
			continue;
		while (k < n && (v[k].off != a->off || v[k].mask != a->mask))
			k++;
		if (k == n) {
			v[n] =
			    (struct var){a->off, a->mask, 0, a->mask, {0}, 0};
			n++;
		}
		if (a->op == BPF_JEQ && a->neg)
			v[k].ne[v[k].nne++] = a->k;
		else if (a->op == BPF_JEQ)
			v[k].lo = v[k].hi = a->k;
		else if (a->op == BPF_JGT && !a->neg && a->k + 1ULL > v[k].lo)
			v[k].lo = a->k + 1ULL;
		else if (a->op == BPF_JGT && a->k < v[k].hi)
			v[k].hi = a->k;
		else if (a->op == BPF_JGE && !a->neg && a->k > v[k].lo)
			v[k].lo = a->k;
		else if (a->op == BPF_JGE && a->neg && a->k - 1ULL < v[k].hi)
			v[k].hi = a->k - 1ULL;
	}
	return n;
}

/* "args[0]", "args[0].hi" or "(args[1].lo & 0xff)" */
static void print_operand(FILE *out, const struct var *v, bool whole)
{
	if (v->mask == 0xffffffffU) {
		print_word(out, v->off, whole);
		return;
	}
	fprintf(out, "(");
	print_word(out, v->off, false);
	fprintf(out, " & ");
	print_num(out, v->mask);
	fprintf(out, ")");
}

static void sep(FILE *out, bool *first)
{
	fprintf(out, *first ? "" : " && ");
	*first = false;
}

/* v's tests; base: an argument's upper half, when v is its lower half
 * and the upper one is known (then v prints as the whole argument). */
static void print_var(FILE *out, const struct var *v, bool whole, uint64_t base,
		      bool *first)
{
	uint64_t max = whole ? 0xffffffffU : v->mask;

	if (v->lo == v->hi) {
		sep(out, first);
		print_operand(out, v, whole);
		fprintf(out, " == ");
		print_num(out, base | v->lo);
		return;
	}
	if (v->lo > 0 || (whole && base)) {
		sep(out, first);
		print_operand(out, v, whole);
		fprintf(out, " >= ");
		print_num(out, base | v->lo);
	}
	if (v->hi < max || whole) {
		sep(out, first);
		print_operand(out, v, whole);
		fprintf(out, " <= ");
		print_num(out, base | v->hi);
	}
	for (size_t i = 0; i < v->nne; i++) {
		if (v->ne[i] < v->lo || v->ne[i] > v->hi)
			continue;
		sep(out, first);
		print_operand(out, v, whole);
		fprintf(out, " != ");
		print_num(out, base | v->ne[i]);
	}
}

/* a test that no range describes: a JSET, or on an opaque value */
static void print_atom(FILE *out, const struct sym_atom *a)
{
	if (a->opaque) {
		fprintf(out, "f(");
		print_word(out, a->off, false);
		fprintf(out, ") %s ", op_text(a));
		print_num(out, a->k);
		return;
	}
	fprintf(out, "(");
	print_word(out, a->off, false);
	fprintf(out, " & ");
	print_num(out, a->k & a->mask);
	fprintf(out, ") %s 0", op_text(a));
}

/* The index of the variable holding the other half of argument word v
 * (full mask, pinned when it is the upper half), or -1. */
static long half_of(const struct var *vars, size_t n, const struct var *v)
{
	bool lo = v->off % 8 == 0;

	if (v->off < offsetof(struct seccomp_data, args) ||
	    v->mask != 0xffffffffU)
		return -1;
	for (size_t k = 0; k < n; k++) {
		const struct var *w = &vars[k];

		if (w->mask == 0xffffffffU &&
		    w->off == (lo ? v->off + 4 : v->off - 4) &&
		    (lo ? w->lo == w->hi : v->lo == v->hi))
			return (long)k;
	}
	return -1;
}

static bool atom_seen(const struct sym_case *c, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!memcmp(&c->atoms[j], &c->atoms[i], sizeof(c->atoms[i])))
			return true;
	return false;
}

void sym_case_print(const struct sym_case *c, FILE *out)
{
	struct var *v = calloc(c->n ? c->n : 1, sizeof(*v));
	bool first = true;
	size_t n;

	if (!v)
		return;
	n = collect_vars(c, v);
	for (size_t k = 0; k < n; k++) {
		long h = half_of(v, n, &v[k]);

		if (h >= 0 && v[k].off % 8) /* printed with its lower half */
			continue;
		if (h >= 0)
			print_var(out, &v[k], true, v[h].lo << 32, &first);
		else
			print_var(out, &v[k], false, 0, &first);
	}
	for (size_t i = 0; i < c->n; i++) {
		if (ranged(&c->atoms[i]) || atom_seen(c, i))
			continue;
		sep(out, &first);
		print_atom(out, &c->atoms[i]);
	}
	if (first)
		fprintf(out, "always");
	free(v);
}
