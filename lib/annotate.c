/* SPDX-License-Identifier: Apache-2.0 */
/*
 * annotate.c - what each instruction of a compiled program is for
 * (callfence disasm --annotate, cf_filter_annotate).
 *
 * Derived after the fact, so that it holds whatever shape the generator
 * gives the program:
 *   - the generator's labels (cf_filter_parts) say which instructions are
 *     the arch dispatch, the number search, argument code and returns;
 *   - the program is stepped through its dispatch and search for every
 *     number of every ABI's table (and for every boundary the search
 *     compares with): where a number leaves the search is the code that
 *     decides it, and the numbers that pass an instruction of the search
 *     give its range (exact: the extremes are boundaries);
 *   - argument code is annotated with every (ABI, syscall) whose entry
 *     reaches it, a data flow over the program says which load (and
 *     mask) a compare reads, and the IR's chains of those syscalls say
 *     which rules compare that argument with that value (or a boundary
 *     next to it), with their JSON pointers and actions.
 */
#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "filter.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NR_OFF 0U
#define ARCH_OFF 4U
#define ARGS_OFF 16U
#define MAX_SHOWN 8 /* names and pointers listed per instruction */
#define MAX_REFS 64 /* rules collected per instruction (sorted) */

/* What the accumulator holds when an instruction starts. */
enum acc_kind { ACC_UNREACHED, ACC_LOAD, ACC_OTHER };
struct acc_src {
	uint8_t kind;
	uint32_t off;  /* the seccomp_data offset loaded */
	uint32_t mask; /* ANDed with it since (all ones: none) */
};

/* A (ABI, number) whose search ends in argument code. */
struct entry {
	int abi;
	uint32_t nr;
	size_t pc;
};

struct annot {
	const struct cf_filter *f;
	const struct sock_filter *insns;
	size_t len;
	struct cf_insn_part *parts;
	struct acc_src *acc;
	/* the search: range of the numbers passing each instruction */
	uint32_t *nr_lo, *nr_hi;
	bool *nr_seen;
	/* table numbers decided by a return reached from the search, per
	 * instruction and filter ABI (len * nabis) */
	uint32_t *direct;
	bool *foreign; /* a return reached by an arch not in the filter */
	struct entry *entries;
	size_t nentries, cap;
	/* (ABI, number) whose search ends in a return */
	struct entry *directs;
	size_t ndirects, dcap;
	uint64_t *reach; /* len * words: entries reaching an instruction */
	size_t words;
	FILE *out;
};

static bool is_part(const struct annot *an, size_t pc, enum cf_part p)
{
	return pc < an->len && an->parts[pc].part == p;
}

/* ---- the accumulator's source: a forward data flow ------------------- */

static void acc_merge(struct acc_src *to, const struct acc_src *from)
{
	if (to->kind == ACC_UNREACHED)
		*to = *from;
	else if (to->kind != from->kind || to->off != from->off ||
		 to->mask != from->mask)
		to->kind = ACC_OTHER;
}

static struct acc_src acc_after(const struct sock_filter *in, struct acc_src s)
{
	const struct acc_src other = {ACC_OTHER, 0, 0};

	if (in->code == (BPF_LD | BPF_W | BPF_ABS))
		return (struct acc_src){ACC_LOAD, in->k, 0xffffffffU};
	if (in->code == (BPF_ALU | BPF_AND | BPF_K) && s.kind == ACC_LOAD) {
		s.mask &= in->k;
		return s;
	}
	if (BPF_CLASS(in->code) == BPF_LD || BPF_CLASS(in->code) == BPF_ALU ||
	    in->code == (BPF_MISC | BPF_TXA))
		return other;
	return s;
}

/* The instructions that may run after the one at pc (none after a
 * return): their indexes into to, their number returned. */
static int successors(const struct sock_filter *in, size_t pc, size_t to[2])
{
	if (BPF_CLASS(in->code) == BPF_RET)
		return 0;
	if (in->code == (BPF_JMP | BPF_JA)) {
		to[0] = pc + 1 + in->k;
		return 1;
	}
	if (BPF_CLASS(in->code) == BPF_JMP) {
		to[0] = pc + 1 + in->jt;
		to[1] = pc + 1 + in->jf;
		return 2;
	}
	to[0] = pc + 1;
	return 1;
}

static void acc_flow(struct annot *an)
{
	an->acc[0] = (struct acc_src){ACC_OTHER, 0, 0};
	for (size_t pc = 0; pc < an->len; pc++) {
		const struct sock_filter *in = &an->insns[pc];
		struct acc_src s;
		size_t to[2];
		int n;

		if (an->acc[pc].kind == ACC_UNREACHED)
			continue;
		s = acc_after(in, an->acc[pc]);
		n = successors(in, pc, to);
		for (int i = 0; i < n; i++)
			if (to[i] < an->len)
				acc_merge(&an->acc[to[i]], &s);
	}
}

/* ---- stepping the dispatch and the search ---------------------------- */

/* Is the jump at in taken with A = a? */
static bool jump_taken(const struct sock_filter *in, uint32_t a)
{
	switch (BPF_OP(in->code)) {
	case BPF_JEQ:
		return a == in->k;
	case BPF_JGT:
		return a > in->k;
	case BPF_JGE:
		return a >= in->k;
	case BPF_JSET:
		return (a & in->k) != 0;
	default:
		return true;
	}
}

/* Steps (arch, nr) through the dispatch and the search; returns the first
 * instruction of another part (an->len if the walk stops: an instruction
 * the search does not use). Records the range of each search
 * instruction passed when record is set. */
static size_t step_search(struct annot *an, uint32_t arch, uint32_t nr,
			  bool record)
{
	uint32_t a = 0;
	size_t pc = 0;

	while (is_part(an, pc, CF_PART_ARCH) ||
	       is_part(an, pc, CF_PART_SEARCH)) {
		const struct sock_filter *in = &an->insns[pc];

		if (record && an->parts[pc].part == CF_PART_SEARCH) {
			if (!an->nr_seen[pc] || nr < an->nr_lo[pc])
				an->nr_lo[pc] = nr;
			if (!an->nr_seen[pc] || nr > an->nr_hi[pc])
				an->nr_hi[pc] = nr;
			an->nr_seen[pc] = true;
		}
		if (in->code == (BPF_LD | BPF_W | BPF_ABS))
			a = in->k == ARCH_OFF ? arch : in->k == NR_OFF ? nr : 0;
		else if (in->code == (BPF_ALU | BPF_AND | BPF_K))
			a &= in->k;
		else if (in->code == (BPF_JMP | BPF_JA))
			pc += in->k;
		else if (BPF_CLASS(in->code) == BPF_JMP &&
			 BPF_SRC(in->code) == BPF_K)
			pc += jump_taken(in, a) ? in->jt : in->jf;
		else
			return an->len;
		pc++;
	}
	return pc;
}

/* Every number the search tells apart: 0, the largest, and each constant
 * it compares with and its neighbours. Caller frees. */
static uint32_t *search_probes(const struct annot *an, size_t *n)
{
	uint32_t *v = malloc((3 * an->len + 2) * sizeof(*v));
	size_t k = 0;

	if (!v)
		return NULL;
	v[k++] = 0;
	v[k++] = 0xffffffffU;
	for (size_t pc = 0; pc < an->len; pc++) {
		const struct sock_filter *in = &an->insns[pc];

		if (!is_part(an, pc, CF_PART_SEARCH) ||
		    BPF_CLASS(in->code) != BPF_JMP)
			continue;
		v[k++] = in->k - 1;
		v[k++] = in->k;
		v[k++] = in->k + 1;
	}
	cf_sort_u32(v, k);
	*n = k;
	return v;
}

static int search_ranges(struct annot *an)
{
	size_t n;
	uint32_t *probes = search_probes(an, &n);

	if (!probes)
		return -ENOMEM;
	for (size_t i = 0; i < an->f->ir.nabis; i++) {
		uint32_t arch = cf_arches[an->f->ir.abis[i].arch].audit_arch;

		for (size_t j = 0; j < n; j++)
			if (!j || probes[j] != probes[j - 1])
				step_search(an, arch, probes[j], true);
	}
	free(probes);
	return 0;
}

/* ---- where each syscall's search ends -------------------------------- */

static int add_entry(struct entry **v, size_t *n, size_t *cap, int abi,
		     uint32_t nr, size_t pc)
{
	if (CF_GROW(*v, *cap, *n + 1, 64))
		return -ENOMEM;
	(*v)[(*n)++] = (struct entry){abi, nr, pc};
	return 0;
}

/* Every number of every filter ABI's table: an entry when its search
 * ends in argument code, a count when it ends in a return. */
static int find_entries(struct annot *an)
{
	const struct cf_ir *ir = &an->f->ir;
	size_t pc;

	for (size_t i = 0; i < ir->nabis; i++) {
		int abi = ir->abis[i].arch;
		uint32_t arch = cf_arches[abi].audit_arch, nr;
		size_t pos = 0;

		while (cf_syscall_next(abi, &pos, &nr)) {
			int rc = 0;

			pc = step_search(an, arch, nr, false);
			if (is_part(an, pc, CF_PART_RETURN)) {
				an->direct[pc * ir->nabis + i]++;
				rc = add_entry(&an->directs, &an->ndirects,
					       &an->dcap, abi, nr, pc);
			} else if (is_part(an, pc, CF_PART_ARGS)) {
				rc = add_entry(&an->entries, &an->nentries,
					       &an->cap, abi, nr, pc);
			}
			if (rc)
				return rc;
		}
	}
	/* an arch no filter lists: 0 is no audit arch */
	pc = step_search(an, 0, 0, false);
	if (pc < an->len)
		an->foreign[pc] = true;
	return 0;
}

static void mark_successors(struct annot *an, size_t pc, size_t word,
			    uint64_t bit)
{
	size_t to[2];
	int n = successors(&an->insns[pc], pc, to);

	for (int i = 0; i < n; i++)
		if (to[i] < an->len)
			an->reach[to[i] * an->words + word] |= bit;
}

/* Which entries reach each instruction of argument code (jumps go
 * forward only: one pass per entry). */
static void reach_flow(struct annot *an)
{
	for (size_t e = 0; e < an->nentries; e++) {
		size_t word = e / 64;
		uint64_t bit = UINT64_C(1) << (e % 64);

		an->reach[an->entries[e].pc * an->words + word] |= bit;
		for (size_t pc = an->entries[e].pc; pc < an->len; pc++)
			if (an->reach[pc * an->words + word] & bit)
				mark_successors(an, pc, word, bit);
	}
}

/* ---- text ------------------------------------------------------------ */

static bool reaches(const struct annot *an, size_t pc, size_t e)
{
	return an->reach[pc * an->words + e / 64] >> (e % 64) & 1;
}

static const struct cf_ir_sys *entry_sys(const struct annot *an,
					 const struct entry *e)
{
	for (size_t i = 0; i < an->f->ir.nabis; i++)
		if (an->f->ir.abis[i].arch == e->abi)
			return cf_ir_find_sys(&an->f->ir.abis[i], e->nr);
	return NULL;
}

static const char *sys_name(int abi, uint32_t nr)
{
	const char *n = cf_syscall_name(abi, nr);

	return n ? n : "?";
}

/* "x86_64 socket, x32 socket" (the entries reaching pc); false when
 * none does. */
static bool print_callers(struct annot *an, size_t pc)
{
	size_t shown = 0, more = 0;

	for (size_t e = 0; e < an->nentries; e++) {
		if (!reaches(an, pc, e))
			continue;
		if (shown == MAX_SHOWN) {
			more++;
			continue;
		}
		fprintf(an->out, "%s%s %s", shown ? ", " : "",
			cf_arches[an->entries[e].abi].name,
			sys_name(an->entries[e].abi, an->entries[e].nr));
		shown++;
	}
	if (more)
		fprintf(an->out, " and %zu more", more);
	return shown > 0;
}

static bool reached_by_entries(const struct annot *an, size_t pc)
{
	for (size_t w = 0; w < an->words; w++)
		if (an->reach[pc * an->words + w])
			return true;
	return false;
}

/* "nr", "arch", "arg0.lo", "arg2.hi" for a load of off on abi. */
static void print_field(FILE *o, int abi, uint32_t off)
{
	bool big = abi >= 0 && cf_arches[abi].big_endian;

	if (off == NR_OFF)
		fputs("nr", o);
	else if (off == ARCH_OFF)
		fputs("arch", o);
	else if (off >= ARGS_OFF && off < ARGS_OFF + 48 && off % 4 == 0)
		fprintf(o, "arg%u.%s", (off - ARGS_OFF) / 8,
			((off - ARGS_OFF) % 8 == 0) != big ? "lo" : "hi");
	else
		fprintf(o, "seccomp_data+%u", off);
}

static void print_num(FILE *o, uint32_t v)
{
	fprintf(o, v < 0x10000 ? "%u" : "0x%x", v);
}

static const char *jump_op(uint16_t code)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ:
		return "==";
	case BPF_JGT:
		return ">";
	case BPF_JGE:
		return ">=";
	case BPF_JSET:
		return "&";
	default:
		return "?";
	}
}

/* The first ABI of the reaching entries (for the byte order of a
 * load's name), or the label's. */
static int abi_at(const struct annot *an, size_t pc)
{
	for (size_t e = 0; e < an->nentries; e++)
		if (reaches(an, pc, e))
			return an->entries[e].abi;
	return an->parts[pc].abi;
}

/* "arg0.lo & 0xff == 3": what a compare at pc tests. */
static void print_compare(struct annot *an, size_t pc, int abi)
{
	const struct sock_filter *in = &an->insns[pc];
	const struct acc_src *s = &an->acc[pc];

	if (s->kind != ACC_LOAD) {
		fputs("A (of several loads)", an->out);
	} else {
		print_field(an->out, abi, s->off);
		if (s->mask != 0xffffffffU) {
			fputs(" & ", an->out);
			print_num(an->out, s->mask);
		}
	}
	fprintf(an->out, " %s ", jump_op(in->code));
	print_num(an->out, in->k);
}

/* ---- the rules an instruction serves ---------------------------------- */

struct rule_ref {
	const char *pointer;
	const char *name; /* the rule's syscall name */
	uint32_t action;
};
struct rule_refs {
	struct rule_ref ref[MAX_REFS];
	size_t n, more;
};

static void add_ref(struct rule_refs *rs, const char *pointer, const char *name,
		    uint32_t action)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->ref[i].pointer, pointer) &&
		    rs->ref[i].action == action)
			return;
	if (rs->n == MAX_REFS)
		rs->more++;
	else
		rs->ref[rs->n++] = (struct rule_ref){pointer, name, action};
}

static const char *rule_pointer(const struct cf_rule *r)
{
	return r->src ? r->src->pos.pointer : r->pos.pointer;
}

/* Is condition j of c, a chain of number nr, the call-number prefix the
 * IR puts before the conditions of a rule multiplexed through socketcall
 * or ipc? */
static bool mux_prefix(const struct cf_ir_chain *c, size_t j, int abi,
		       uint32_t nr)
{
	const struct cf_arch *ar = &cf_arches[abi];

	return j == 0 && ar->mux && c->rule->sys >= 0 &&
	       cf_sysinfo[c->rule->sys].mux_kind != 0 &&
	       ((int64_t)nr == ar->socketcall_nr || (int64_t)nr == ar->ipc_nr);
}

/* The pointer of condition j of c: its "args" entry, or the name that
 * made the call-number prefix. */
static const char *cond_pointer(const struct cf_ir_chain *c, size_t j, int abi,
				uint32_t nr)
{
	const struct cf_rule_src *src = c->rule->src;
	const struct cf_cond *x = &c->conds[j];

	if (mux_prefix(c, j, abi, nr) || !src)
		return c->rule->pos.pointer;
	for (size_t i = 0; i < src->nargs; i++)
		if (src->args[i].arg == x->arg && src->args[i].op == x->op &&
		    src->args[i].datum == x->datum &&
		    src->args[i].datum2 == x->datum2 && src->args_pos)
			return src->args_pos[i].pointer;
	return rule_pointer(c->rule);
}

/* Does condition c compare (word hi/lo of) argument arg with k, or with a
 * boundary next to it, or with mask? */
static bool cond_tests(const struct cf_cond *c, int abi, unsigned arg, bool hi,
		       uint32_t mask, uint32_t k)
{
	uint32_t v[2];
	int n = 0;

	if (c->arg != arg || (hi && !cf_cond_wide(&cf_arches[abi], c)))
		return false;
	v[n++] = hi ? (uint32_t)(c->datum >> 32) : (uint32_t)c->datum;
	if (c->op == CF_OP_MASKED_EQ) {
		if (mask != 0xffffffffU && v[0] == mask)
			return true;
		v[n++] = hi ? (uint32_t)(c->datum2 >> 32) : (uint32_t)c->datum2;
	}
	for (int i = 0; i < n; i++)
		if (k == v[i] || k == v[i] + 1 || k == v[i] - 1)
			return true;
	return false;
}

/* The rules of the entries reaching pc whose conditions the compare at
 * pc tests (any = every rule with a condition on that argument). */
static void compare_refs(const struct annot *an, size_t pc, bool any,
			 struct rule_refs *rs)
{
	const struct acc_src *s = &an->acc[pc];
	unsigned arg = (s->off - ARGS_OFF) / 8;

	for (size_t e = 0; e < an->nentries; e++) {
		int abi = an->entries[e].abi;
		bool hi =
		    ((s->off - ARGS_OFF) % 8 == 0) == cf_arches[abi].big_endian;
		const struct cf_ir_sys *sys = entry_sys(an, &an->entries[e]);

		if (!reaches(an, pc, e) || !sys)
			continue;
		for (size_t c = 0; c < sys->nchains; c++) {
			const struct cf_ir_chain *ch = &sys->chains[c];

			for (size_t j = 0; j < ch->nconds; j++)
				if (any ? ch->conds[j].arg == arg
					: cond_tests(&ch->conds[j], abi, arg,
						     hi, s->mask,
						     an->insns[pc].k))
					add_ref(
					    rs,
					    cond_pointer(ch, j, abi, sys->nr),
					    ch->rule->name, ch->action);
		}
	}
}

static int cmp_ref(const void *a, const void *b)
{
	const struct rule_ref *x = a, *y = b;

	/* "/syscalls/9" before "/syscalls/10" */
	return strverscmp(x->pointer, y->pointer);
}

/* The first MAX_SHOWN rules in profile order: "socket /syscalls/1/args/0
 * (SCMP_ACT_ALLOW)", or only the pointers (a return's action is its
 * own). */
static void print_refs(FILE *o, struct rule_refs *rs, bool with_action)
{
	char act[64];
	size_t shown = rs->n < MAX_SHOWN ? rs->n : MAX_SHOWN;

	qsort(rs->ref, rs->n, sizeof(rs->ref[0]), cmp_ref);
	for (size_t i = 0; i < shown; i++)
		if (with_action)
			fprintf(
			    o, "%s%s %s (%s)", i ? ", " : "", rs->ref[i].name,
			    rs->ref[i].pointer,
			    cf_action_str(rs->ref[i].action, act, sizeof(act)));
		else
			fprintf(o, "%s%s", i ? ", " : "", rs->ref[i].pointer);
	if (rs->n - shown + rs->more)
		fprintf(o, " and %zu more", rs->n - shown + rs->more);
}

static void print_compare_rules(struct annot *an, size_t pc)
{
	struct rule_refs rs = {0};
	const struct acc_src *s = &an->acc[pc];

	if (s->kind != ACC_LOAD || s->off < ARGS_OFF || s->off >= ARGS_OFF + 48)
		return;
	compare_refs(an, pc, false, &rs);
	if (rs.n) {
		fputs(" <- ", an->out);
	} else {
		compare_refs(an, pc, true, &rs);
		if (!rs.n)
			return;
		fprintf(an->out,
			" <- a rule on arg%u: ", (s->off - ARGS_OFF) / 8);
	}
	print_refs(an->out, &rs, true);
}

/* The rules (or the default action) of the entries reaching pc that
 * decide with its action. */
static void return_refs(const struct annot *an, size_t pc, struct rule_refs *rs)
{
	uint32_t k = an->insns[pc].k;

	for (size_t d = 0; d < an->ndirects; d++) {
		const struct cf_ir_sys *sys = entry_sys(an, &an->directs[d]);

		if (an->directs[d].pc == pc && sys && sys->fallback == k &&
		    sys->fallback_rule)
			add_ref(rs, rule_pointer(sys->fallback_rule),
				sys->fallback_rule->name, k);
	}

	for (size_t e = 0; e < an->nentries; e++) {
		const struct cf_ir_sys *sys = entry_sys(an, &an->entries[e]);

		if (!reaches(an, pc, e) || !sys)
			continue;
		for (size_t c = 0; c < sys->nchains; c++)
			if (sys->chains[c].action == k)
				add_ref(rs, rule_pointer(sys->chains[c].rule),
					sys->chains[c].rule->name, k);
		if (sys->fallback == k && sys->fallback_rule)
			add_ref(rs, rule_pointer(sys->fallback_rule),
				sys->fallback_rule->name, k);
	}
}

/* "x86_64 250, x86 240": table numbers the search sends straight to
 * pc; false when none. */
static bool print_direct(struct annot *an, size_t pc, const char *sep)
{
	const struct cf_ir *ir = &an->f->ir;
	int shown = 0;

	for (size_t i = 0; i < ir->nabis; i++) {
		uint32_t n = an->direct[pc * ir->nabis + i];

		if (n)
			fprintf(an->out, "%s%s %u", shown++ ? ", " : sep,
				cf_arches[ir->abis[i].arch].name, n);
	}
	if (shown)
		fputs(" syscalls by number", an->out);
	return shown > 0;
}

static bool any_enosys(const struct cf_ir *ir)
{
	for (size_t i = 0; i < ir->nabis; i++)
		if (ir->abis[i].enosys)
			return true;
	return false;
}

/* "return ACTION: who comes here; whose rules decide so". */
static void annotate_return(struct annot *an, size_t pc)
{
	const struct cf_ir *ir = &an->f->ir;
	uint32_t k = an->insns[pc].k;
	struct rule_refs rs = {0};
	const char *sep = ": ";
	char act[64];

	fprintf(an->out, "return %s",
		an->insns[pc].code == (BPF_RET | BPF_K)
		    ? cf_action_str(k, act, sizeof(act))
		    : "A");
	if (an->foreign[pc]) {
		fprintf(an->out, "%san ABI not in the filter", sep);
		sep = "; ";
	}
	if (print_direct(an, pc, sep))
		sep = "; ";
	if (reached_by_entries(an, pc)) {
		fprintf(an->out, "%sfrom ", sep);
		print_callers(an, pc);
		sep = "; ";
	}
	return_refs(an, pc, &rs);
	if (rs.n) {
		fputs(" <- ", an->out);
		print_refs(an->out, &rs, false);
	}
	if (k == ir->default_action)
		fprintf(an->out, "%sdefault action /defaultAction", sep);
	else if (k == CF_RET_ERRNO(ENOSYS) && any_enosys(ir))
		fprintf(an->out, "%srunc's ENOSYS stub", sep);
}

static void annotate_dispatch(struct annot *an, size_t pc)
{
	const struct sock_filter *in = &an->insns[pc];
	const struct cf_ir *ir = &an->f->ir;
	int shown = 0;

	fputs("dispatch: ", an->out);
	if (in->code == (BPF_LD | BPF_W | BPF_ABS)) {
		fputs("load ", an->out);
		print_field(an->out, -1, in->k);
		return;
	}
	if (BPF_CLASS(in->code) != BPF_JMP || in->code == (BPF_JMP | BPF_JA))
		return;
	print_compare(an, pc, -1);
	if (an->acc[pc].kind != ACC_LOAD || an->acc[pc].off != ARCH_OFF)
		return;
	for (size_t i = 0; i < ir->nabis; i++)
		if (cf_arches[ir->abis[i].arch].audit_arch == in->k)
			fprintf(an->out, "%s%s", shown++ ? "/" : " (",
				cf_arches[ir->abis[i].arch].name);
	fputs(shown ? ")" : " (no ABI of the filter)", an->out);
}

static void annotate_search(struct annot *an, size_t pc)
{
	const struct sock_filter *in = &an->insns[pc];
	int abi = an->parts[pc].abi;

	fprintf(an->out, "%s search",
		abi >= 0 ? cf_arches[abi].name : "shared");
	if (!an->nr_seen[pc]) {
		fputs(", unreached", an->out);
		return;
	}
	fputs(" nr ", an->out);
	print_num(an->out, an->nr_lo[pc]);
	fputs("..", an->out);
	print_num(an->out, an->nr_hi[pc]);
	if (in->code == (BPF_LD | BPF_W | BPF_ABS)) {
		fputs(": load ", an->out);
		print_field(an->out, abi, in->k);
	} else if (BPF_CLASS(in->code) == BPF_JMP &&
		   in->code != (BPF_JMP | BPF_JA)) {
		fputs(": ", an->out);
		print_compare(an, pc, abi);
		if (BPF_OP(in->code) == BPF_JEQ && abi >= 0 &&
		    cf_syscall_name(abi, in->k))
			fprintf(an->out, " (%s)", cf_syscall_name(abi, in->k));
	}
}

static void annotate_args(struct annot *an, size_t pc)
{
	const struct sock_filter *in = &an->insns[pc];
	int abi = abi_at(an, pc);

	if (!print_callers(an, pc))
		fputs("unreached argument code", an->out);
	if (in->code == (BPF_LD | BPF_W | BPF_ABS)) {
		fputs(": load ", an->out);
		print_field(an->out, abi, in->k);
	} else if (in->code == (BPF_ALU | BPF_AND | BPF_K)) {
		fputs(": ", an->out);
		print_compare(an, pc, abi);
		fputs(" (mask)", an->out);
	} else if (BPF_CLASS(in->code) == BPF_JMP &&
		   in->code != (BPF_JMP | BPF_JA)) {
		fputs(": ", an->out);
		print_compare(an, pc, abi);
		print_compare_rules(an, pc);
	}
}

/* What an instruction's comment says, by its part. */
static void (*const annotate_part[])(struct annot *an, size_t pc) = {
    [CF_PART_ARCH] = annotate_dispatch,
    [CF_PART_SEARCH] = annotate_search,
    [CF_PART_ARGS] = annotate_args,
    [CF_PART_RETURN] = annotate_return,
};

static void annotate_insn(struct annot *an, size_t pc)
{
	if (an->acc[pc].kind == ACC_UNREACHED) {
		fputs("unreached: no path leads here\n", an->out);
		return;
	}
	if ((size_t)an->parts[pc].part < CF_ARRAY_SIZE(annotate_part))
		annotate_part[an->parts[pc].part](an, pc);
	else
		fputs("?", an->out);
	fputc('\n', an->out);
}

/* ---- the whole ---------------------------------------------------------- */

static int annot_alloc(struct annot *an)
{
	size_t n = an->len, nabis = an->f->ir.nabis;

	an->parts = calloc(n, sizeof(*an->parts));
	an->acc = calloc(n, sizeof(*an->acc));
	an->nr_lo = calloc(n, sizeof(*an->nr_lo));
	an->nr_hi = calloc(n, sizeof(*an->nr_hi));
	an->nr_seen = calloc(n, sizeof(*an->nr_seen));
	an->direct = calloc(n * (nabis ? nabis : 1), sizeof(*an->direct));
	an->foreign = calloc(n, sizeof(*an->foreign));
	return an->parts && an->acc && an->nr_lo && an->nr_hi && an->nr_seen &&
		       an->direct && an->foreign
		   ? 0
		   : -ENOMEM;
}

static void annot_free(struct annot *an)
{
	free(an->parts);
	free(an->acc);
	free(an->nr_lo);
	free(an->nr_hi);
	free(an->nr_seen);
	free(an->direct);
	free(an->foreign);
	free(an->entries);
	free(an->directs);
	free(an->reach);
}

static int annot_analyse(struct annot *an, struct cf_error *err)
{
	int rc = annot_alloc(an);

	if (!rc)
		rc = cf_filter_parts(an->f, an->parts, err);
	if (rc)
		return rc;
	acc_flow(an);
	if (search_ranges(an) || find_entries(an))
		return -ENOMEM;
	an->words = (an->nentries + 63) / 64;
	if (!an->words)
		return 0; /* no argument code: nothing reaches anything */
	if (!an->len || an->words > SIZE_MAX / sizeof(*an->reach) / an->len)
		return -ENOMEM;
	an->reach = calloc(an->len * an->words, sizeof(*an->reach));
	if (!an->reach)
		return -ENOMEM;
	reach_flow(an);
	return 0;
}

int cf_filter_annotate(const struct cf_filter *f, char **text, size_t *len,
		       struct cf_error *err)
{
	struct annot an = {.f = f};
	int rc;

	*text = NULL;
	*len = 0;
	if (f->unconfined || !f->prog.len)
		return cf_err(err, -EINVAL,
			      "no program: the filter is unconfined");
	an.insns = f->prog.insns;
	an.len = f->prog.len;
	rc = annot_analyse(&an, err);
	if (!rc) {
		an.out = open_memstream(text, len);
		if (!an.out)
			rc = -ENOMEM;
	}
	for (size_t pc = 0; !rc && pc < an.len; pc++)
		annotate_insn(&an, pc);
	if (an.out && (fclose(an.out) || rc)) {
		free(*text);
		*text = NULL;
		*len = 0;
		rc = rc ? rc : -ENOMEM;
	}
	annot_free(&an);
	if (rc == -ENOMEM)
		return cf_err(err, rc, "out of memory");
	return rc;
}
