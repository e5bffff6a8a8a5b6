/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --harden (cf_target.harden, cf_ir_harden): decisions on C int arguments
 * use only their low 32 bits on 64-bit-compare ABIs.
 *   - Docker's default: socket(0x100000028, SOCK_STREAM, 0) (AF_VSOCK with
 *     the upper half set) is allowed by default and denied hardened, by
 *     the IR evaluator and by the program; likewise AF_ALG (38);
 *   - on every reference profile, every native ABI and every ABI of the
 *     filter, --harden changes no decision for a call whose int arguments
 *     have a zero upper half: exhaustive over the boundary values of
 *     every condition of every syscall (cartesian product over the
 *     arguments the syscall tests);
 *   - with sign-extended int arguments it changes only the decisions
 *     docs/semantics.md lists (Docker's personality(0xffffffff) rule);
 *   - the hardened program decides like the hardened IR on all of them;
 *   - default mode is untouched: no condition is marked low32.
 * (The live run on the kernel is in test_run.c; check --harden in
 * test_check.c.)
 */
#include "t.h"

#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "bpf_gen.h"
#include "filter.h"
#include "conds.h"

#include <stdlib.h>

static const char *const natives[] = {
    "x86_64", "aarch64", "s390x", "ppc64le", "mips64", "riscv64", "x86",
};

/* quiet: a profile the native ABI cannot take (byte order) is no
 * failure; the caller compares what compiled */
static struct cf_filter *compile_q(const char *text, size_t len,
				   const char *name, int native, bool harden,
				   bool quiet)
{
	struct cf_target tg = {.native = native,
			       .caps = cf_caps_docker_default(),
			       .kernel = 6 << 16 | 18,
			       .harden = harden};
	struct cf_profile *p;
	struct cf_filter *f = NULL;
	struct cf_error err;

	if (cf_profile_parse(text, len, name, &p, &err)) {
		t_fail(__FILE__, __LINE__, "%s: %s", name, err.msg);
		return NULL;
	}
	if (cf_compile(p, &tg, &f, &err)) {
		if (!quiet)
			t_fail(__FILE__, __LINE__, "%s: %s", name, err.msg);
		f = NULL;
	}
	cf_profile_free(p);
	return f;
}

static struct cf_filter *compile_text(const char *text, size_t len,
				      const char *name, int native, bool harden)
{
	return compile_q(text, len, name, native, harden, false);
}

static uint32_t prog_run(const struct cf_filter *f,
			 const struct seccomp_data *d)
{
	struct seccomp_data k;

	cf_seccomp_data_as_kernel(d, &k);
	return cf_bpf_run(f->prog.insns, f->prog.len, &k, NULL);
}

static struct seccomp_data call(int abi, const char *sys, uint64_t a0,
				uint64_t a1, uint64_t a2)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.arch = cf_arches[abi].audit_arch;
	d.nr = (int)cf_sys_nr(abi, cf_sys_index(sys));
	d.args[0] = a0;
	d.args[1] = a1;
	d.args[2] = a2;
	return d;
}

TEST(harden_vsock_docker_default)
{
	size_t len;
	char *text = t_fixture_read("docker-default.json", &len);
	static const char *const n64[] = {"x86_64", "aarch64", "s390x",
					  "ppc64le", "riscv64"};

	if (!text)
		return;
	for (size_t k = 0; k < CF_ARRAY_SIZE(n64); k++) {
		int native = cf_abi_lookup(n64[k]);
		struct cf_filter *fd, *fh;
		struct seccomp_data vsock_hi, alg_hi, vsock, inet, inet_hi;

		if (native < 0 || !cf_abi_supported(native))
			continue;
		fd = compile_text(text, len, "docker-default.json", native,
				  false);
		fh = compile_text(text, len, "docker-default.json", native,
				  true);
		if (!fd || !fh) {
			cf_filter_free(fd);
			cf_filter_free(fh);
			break;
		}
		vsock_hi = call(native, "socket", 0x100000028ULL, 1, 0);
		alg_hi = call(native, "socket", 0x100000026ULL, 5, 0);
		vsock = call(native, "socket", 40, 1, 0);
		inet = call(native, "socket", 2, 1, 0);
		inet_hi = call(native, "socket", 0xffffffff00000002ULL, 1, 0);
		/* default mode: Docker's (and runc's) bypass */
		CHECK_EQ(cf_ir_eval(&fd->ir, &vsock_hi, NULL, NULL),
			 CF_RET_ALLOW);
		CHECK_EQ(prog_run(fd, &vsock_hi), CF_RET_ALLOW);
		CHECK_EQ(cf_ir_eval(&fd->ir, &alg_hi, NULL, NULL),
			 CF_RET_ALLOW);
		CHECK_EQ(prog_run(fd, &alg_hi), CF_RET_ALLOW);
		/* hardened: as the kernel reads it, 40 and 38: denied */
		CHECK_EQ(cf_ir_eval(&fh->ir, &vsock_hi, NULL, NULL),
			 CF_RET_ERRNO(EPERM));
		CHECK_EQ(prog_run(fh, &vsock_hi), CF_RET_ERRNO(EPERM));
		CHECK_EQ(cf_ir_eval(&fh->ir, &alg_hi, NULL, NULL),
			 CF_RET_ERRNO(EPERM));
		CHECK_EQ(prog_run(fh, &alg_hi), CF_RET_ERRNO(EPERM));
		/* the plain values decide as before */
		CHECK_EQ(prog_run(fd, &vsock), CF_RET_ERRNO(EPERM));
		CHECK_EQ(prog_run(fh, &vsock), CF_RET_ERRNO(EPERM));
		CHECK_EQ(prog_run(fd, &inet), CF_RET_ALLOW);
		CHECK_EQ(prog_run(fh, &inet), CF_RET_ALLOW);
		/* AF_INET with garbage upper bits: the kernel opens AF_INET */
		CHECK_EQ(prog_run(fh, &inet_hi), CF_RET_ALLOW);
		cf_filter_free(fd);
		cf_filter_free(fh);
	}
	free(text);
}

/* ---- exhaustive: default against hardened ------------------------------ */

#define MAXV 96

struct vals {
	uint64_t v[MAXV];
	size_t n;
};

static void vals_add(struct vals *x, uint64_t v)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i] == v)
			return;
	if (x->n < MAXV)
		x->v[x->n++] = v;
	else
		t_fail(__FILE__, __LINE__, "more than %d values", MAXV);
}

enum upper { ZERO, SEXT };

struct tally {
	unsigned long vectors, diffs, prog_diffs, sext_diffs, low32;
	const char *what;
};

static uint64_t canon(uint64_t v, enum upper u)
{
	uint32_t lo = (uint32_t)v;

	if (u == SEXT && (lo & 0x80000000U))
		return 0xffffffff00000000ULL | lo;
	return lo;
}

static void one(const struct cf_filter *fd, const struct cf_filter *fh,
		const struct seccomp_data *d, enum upper u, struct tally *t,
		const char *abi, const char *sys)
{
	uint32_t a = cf_ir_eval(&fd->ir, d, NULL, NULL);
	uint32_t b = cf_ir_eval(&fh->ir, d, NULL, NULL);
	char an[48], bn[48];

	t->vectors++;
	if (prog_run(fh, d) != b || prog_run(fd, d) != a) {
		if (t->prog_diffs++ < 5)
			t_fail(__FILE__, __LINE__,
			       "%s: %s %s(0x%llx, 0x%llx, 0x%llx): a program "
			       "decides unlike its IR",
			       t->what, abi, sys,
			       (unsigned long long)d->args[0],
			       (unsigned long long)d->args[1],
			       (unsigned long long)d->args[2]);
	}
	if (a == b)
		return;
	if (u == SEXT) {
		t->sext_diffs++;
		if (getenv("CF_HARDEN_LIST"))
			fprintf(stderr,
				"harden-changes: %s %s %s(0x%llx, 0x%llx, "
				"0x%llx): %s -> %s\n",
				t->what, abi, sys,
				(unsigned long long)d->args[0],
				(unsigned long long)d->args[1],
				(unsigned long long)d->args[2],
				t_action_name(a, an, sizeof(an)),
				t_action_name(b, bn, sizeof(bn)));
		/* documented: Docker's personality(0xffffffff) rule */
		if (strcmp(sys, "personality") && t->diffs++ < 5)
			t_fail(__FILE__, __LINE__,
			       "%s: %s %s(0x%llx): an undocumented change",
			       t->what, abi, sys,
			       (unsigned long long)d->args[0]);
		return;
	}
	if (t->diffs++ < 5)
		t_fail(__FILE__, __LINE__,
		       "%s: %s %s(0x%llx, 0x%llx, 0x%llx, 0x%llx): default "
		       "%s, hardened %s",
		       t->what, abi, sys, (unsigned long long)d->args[0],
		       (unsigned long long)d->args[1],
		       (unsigned long long)d->args[2],
		       (unsigned long long)d->args[3],
		       t_action_name(a, an, sizeof(an)),
		       t_action_name(b, bn, sizeof(bn)));
}

/* Every combination of the values of the tested arguments. */
static void product(const struct cf_filter *fd, const struct cf_filter *fh,
		    struct seccomp_data *d, const struct vals *v, unsigned arg,
		    enum upper u, struct tally *t, const char *abi,
		    const char *sys)
{
	if (arg == 6) {
		one(fd, fh, d, u, t, abi, sys);
		return;
	}
	if (!v[arg].n) {
		product(fd, fh, d, v, arg + 1, u, t, abi, sys);
		return;
	}
	for (size_t i = 0; i < v[arg].n; i++) {
		d->args[arg] = v[arg].v[i];
		product(fd, fh, d, v, arg + 1, u, t, abi, sys);
	}
	d->args[arg] = 0;
}

static void compare_sys(const struct cf_filter *fd, const struct cf_filter *fh,
			const struct cf_ir_abi *abi, const struct cf_ir_sys *s,
			const struct cf_ir_sys *sh, enum upper u,
			struct tally *t)
{
	struct vals v[6];
	struct seccomp_data d;
	double combos = 1;

	memset(v, 0, sizeof(v));
	for (size_t i = 0; i < s->nchains; i++)
		for (unsigned j = 0; j < s->chains[i].nconds; j++) {
			const struct cf_cond *c = &s->chains[i].conds[j];
			unsigned bits =
			    s->sys >= 0
				? cf_sys_arg_bits(abi->arch, s->sys, c->arg)
				: 64;
			bool narrow = bits == 16 || bits == 32;
			uint64_t x[T_COND_VALUES];

			t->low32 += sh->chains[i].conds[j].low32;
			/* default mode never marks a condition */
			if (c->low32)
				t_fail(__FILE__, __LINE__,
				       "%s: low32 without --harden", t->what);
			t_cond_values(c, t_satisfy(c, NULL), x);
			for (size_t q = 0; q < CF_ARRAY_SIZE(x); q++)
				vals_add(&v[c->arg],
					 narrow ? canon(x[q], u) : x[q]);
			if (narrow) {
				vals_add(&v[c->arg], canon(0x7fffffff, u));
				vals_add(&v[c->arg], canon(0x80000000, u));
			}
		}
	for (unsigned a = 0; a < 6; a++)
		combos *= v[a].n ? (double)v[a].n : 1;
	if (combos > 2e6) {
		t_fail(__FILE__, __LINE__, "%s: %.0f combinations", t->what,
		       combos);
		return;
	}
	memset(&d, 0, sizeof(d));
	d.arch = cf_arches[abi->arch].audit_arch;
	d.nr = (int)s->nr;
	product(fd, fh, &d, v, 0, u, t, cf_arches[abi->arch].name,
		s->sys >= 0 ? cf_sysinfo[s->sys].name : "?");
}

static void compare_profile(const char *name, enum upper u, struct tally *t)
{
	size_t len;
	char *text = t_fixture_read(name, &len);

	if (!text)
		return;
	for (size_t k = 0; k < CF_ARRAY_SIZE(natives); k++) {
		int native = cf_abi_lookup(natives[k]);
		struct cf_filter *fd, *fh;
		char what[160];

		if (native < 0 || !cf_abi_supported(native))
			continue;
		fd = compile_q(text, len, name, native, false, true);
		/* what compiles by default compiles hardened */
		fh = fd ? compile_text(text, len, name, native, true) : NULL;
		snprintf(what, sizeof(what), "%s on %s", name, natives[k]);
		t->what = what;
		if (fd && fh && !fd->unconfined) {
			CHECK_EQ(fd->ir.nabis, fh->ir.nabis);
			for (size_t a = 0; a < fd->ir.nabis; a++) {
				const struct cf_ir_abi *abi = &fd->ir.abis[a];

				CHECK_EQ(abi->nsys, fh->ir.abis[a].nsys);
				for (size_t i = 0;
				     i < abi->nsys && i < fh->ir.abis[a].nsys;
				     i++)
					compare_sys(fd, fh, abi, &abi->sys[i],
						    &fh->ir.abis[a].sys[i], u,
						    t);
			}
		}
		cf_filter_free(fd);
		cf_filter_free(fh);
	}
	free(text);
}

TEST(harden_changes_nothing_for_zero_upper_halves)
{
	struct tally t = {0};

	for (size_t i = 0; i < t_nfixtures; i++)
		compare_profile(t_fixtures[i], ZERO, &t);
	CHECK_EQ(t.diffs, 0);
	CHECK_EQ(t.prog_diffs, 0);
	/* not vacuous: int conditions were hardened and tried */
	CHECK(t.low32 > 100);
	CHECK(t.vectors > 10000);
	printf("  %lu calls, %lu hardened conditions\n", t.vectors, t.low32);
}

TEST(harden_sign_extended_changes_are_the_documented_ones)
{
	struct tally t = {0};
	size_t len;
	char *text;
	struct cf_filter *fd, *fh;
	struct seccomp_data d;
	int x86_64 = cf_abi_lookup("x86_64");

	for (size_t i = 0; i < t_nfixtures; i++)
		compare_profile(t_fixtures[i], SEXT, &t);
	CHECK_EQ(t.diffs, 0);
	CHECK_EQ(t.prog_diffs, 0);
	CHECK(t.sext_diffs > 0);
	/* the one in docs/semantics.md */
	text = t_fixture_read("docker-default.json", &len);
	if (!text)
		return;
	fd = compile_text(text, len, "d", x86_64, false);
	fh = compile_text(text, len, "d", x86_64, true);
	if (fd && fh) {
		d = call(x86_64, "personality", UINT64_MAX, 0, 0);
		CHECK_EQ(cf_ir_eval(&fd->ir, &d, NULL, NULL),
			 CF_RET_ERRNO(EPERM));
		CHECK_EQ(cf_ir_eval(&fh->ir, &d, NULL, NULL), CF_RET_ALLOW);
		CHECK_EQ(prog_run(fh, &d), CF_RET_ALLOW);
	}
	cf_filter_free(fd);
	cf_filter_free(fh);
	free(text);
}

/* A datum whose upper half is neither 0 nor a sign extension is warned
 * about and compared on its low word. */
static unsigned nwarn;
static char lastwarn[1024];

static void warn_fn(void *ctx, const struct cf_diag *d)
{
	(void)ctx;
	if (strcmp(d->id, "harden-upper-bits"))
		return;
	nwarn++;
	snprintf(lastwarn, sizeof(lastwarn), "%s %s",
		 d->pointer ? d->pointer : "", d->msg);
}

TEST(harden_upper_bits_warning)
{
	static const char prof[] =
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
	    " {\"names\": [\"socket\", \"socketpair\"], \"action\": "
	    "\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": "
	    "4294967337, \"op\": \"SCMP_CMP_EQ\"}]},\n"
	    " {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
	    " \"args\": [{\"index\": 0, \"value\": 18446744073709551615, "
	    "\"op\": \"SCMP_CMP_EQ\"}]}]}\n";
	int native = cf_abi_lookup("x86_64");
	struct cf_target tg = {.native = native,
			       .caps = cf_caps_docker_default(),
			       .kernel = 6 << 16 | 18,
			       .diag = warn_fn};
	struct cf_profile *p;
	struct cf_filter *f;
	struct cf_error err;
	struct seccomp_data d;

	if (cf_profile_parse(prof, sizeof(prof) - 1, "w.json", &p, &err)) {
		t_fail(__FILE__, __LINE__, "%s", err.msg);
		return;
	}
	nwarn = 0;
	CHECK_EQ(cf_compile(p, &tg, &f, &err), 0);
	CHECK_EQ(nwarn, 0); /* not without --harden */
	d = call(native, "socket", 41, 0, 0);
	CHECK_EQ(prog_run(f, &d), CF_RET_ERRNO(EPERM));
	cf_filter_free(f);
	tg.harden = true;
	CHECK_EQ(cf_compile(p, &tg, &f, &err), 0);
	/* once for the rule (two names, three ABIs), none for -1 */
	CHECK_EQ(nwarn, 1);
	CHECK_CONTAINS(lastwarn, "/syscalls/0/args/0 --harden: argument 0 of "
				 "'socket' is a 32-bit int, but the rule's "
				 "value 0x100000029");
	CHECK_CONTAINS(lastwarn, "value 0x29");
	CHECK_EQ(prog_run(f, &d), CF_RET_ALLOW);
	CHECK_EQ(cf_ir_eval(&f->ir, &d, NULL, NULL), CF_RET_ALLOW);
	d = call(native, "personality", 0xffffffffULL, 0, 0);
	CHECK_EQ(prog_run(f, &d), CF_RET_ALLOW);
	cf_filter_free(f);
	cf_profile_free(p);
}

/* The hardening pass only marks conditions: the hardened IR with its
 * marks cleared generates the default program, byte for byte, on every
 * reference profile and native ABI (default mode is untouched; the
 * before/after comparison against the generator before --harden is in
 * the commit that added it). */
TEST(harden_marks_only)
{
	unsigned n = 0;

	for (size_t i = 0; i < t_nfixtures; i++) {
		size_t len;
		char *text = t_fixture_read(t_fixtures[i], &len);

		if (!text)
			return;
		for (size_t k = 0; k < CF_ARRAY_SIZE(natives); k++) {
			int native = cf_abi_lookup(natives[k]);
			struct cf_filter *fd, *fh;
			struct cf_arena a = {0};
			struct cf_prog p;
			struct cf_error err;

			if (native < 0 || !cf_abi_supported(native))
				continue;
			fd = compile_q(text, len, t_fixtures[i], native, false,
				       true);
			fh = fd ? compile_text(text, len, t_fixtures[i], native,
					       true)
				: NULL;
			if (fh && !fh->unconfined) {
				for (size_t x = 0; x < fh->ir.nabis; x++)
					for (size_t y = 0;
					     y < fh->ir.abis[x].nsys; y++) {
						struct cf_ir_sys *s =
						    &fh->ir.abis[x].sys[y];

						/* (the filter's own memory,
						 * its arena's) */
						for (size_t c = 0;
						     c < s->nchains; c++)
							for (unsigned j = 0;
							     j < s->chains[c]
								     .nconds;
							     j++)
								((struct cf_cond
								      *)&s
								     ->chains[c]
								     .conds[j])
								    ->low32 = 0;
					}
				CHECK_EQ(cf_bpf_gen(&a, &fh->ir, &p, &err), 0);
				CHECK_EQ(p.len, fd->prog.len);
				CHECK(p.len == fd->prog.len &&
				      !memcmp(p.insns, fd->prog.insns,
					      p.len * sizeof(*p.insns)));
				n++;
			}
			cf_arena_release(&a);
			cf_filter_free(fd);
			cf_filter_free(fh);
		}
		free(text);
	}
	CHECK(n > 20);
}

/* The chains of name on the filter's ABI oci, NULL without them. */
static const struct cf_ir_sys *ir_sys_of(const struct cf_filter *f,
					 const char *oci, const char *name)
{
	int abi = cf_abi_lookup(oci);

	for (size_t x = 0; abi >= 0 && x < f->ir.nabis; x++)
		for (size_t y = 0;
		     f->ir.abis[x].arch == abi && y < f->ir.abis[x].nsys; y++)
			if (f->ir.abis[x].sys[y].sys == cf_sys_index(name))
				return &f->ir.abis[x].sys[y];
	return NULL;
}

/* cf_ir_build gives kill's rules one chain array on x86_64, x86 and
 * x32; --harden marks x86_64's conditions on its int signal and leaves
 * x86's and x32's (which compare low words only) as written. */
TEST(harden_leaves_shared_chains_of_x86_alone)
{
	static const char text[] =
	    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
	    "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
	    "\"syscalls\":[{\"names\":[\"kill\"],\"action\":"
	    "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":9,"
	    "\"op\":\"SCMP_CMP_EQ\"}]}]}";
	int native = cf_abi_lookup("x86_64");
	struct cf_filter *fd =
	    compile_text(text, sizeof(text) - 1, "kill", native, false);
	struct cf_filter *fh =
	    compile_text(text, sizeof(text) - 1, "kill", native, true);
	const struct cf_ir_sys *d64, *d32, *dx32, *h64, *h32, *hx32;

	if (!fd || !fh)
		goto out;
	d64 = ir_sys_of(fd, "x86_64", "kill");
	d32 = ir_sys_of(fd, "x86", "kill");
	dx32 = ir_sys_of(fd, "x32", "kill");
	h64 = ir_sys_of(fh, "x86_64", "kill");
	h32 = ir_sys_of(fh, "x86", "kill");
	hx32 = ir_sys_of(fh, "x32", "kill");
	CHECK(d64 && d32 && dx32 && h64 && h32 && hx32);
	if (!d64 || !d32 || !dx32 || !h64 || !h32 || !hx32)
		goto out;
	CHECK(d64->chains == d32->chains && d64->chains == dx32->chains);
	CHECK_EQ(d64->chains[0].conds[0].low32, 0);
	CHECK(h64->chains != h32->chains && h64->chains != hx32->chains);
	CHECK_EQ(h64->chains[0].conds[0].low32, 1);
	CHECK_EQ(hx32->chains[0].conds[0].low32, 0);
	CHECK_EQ(h32->chains[0].conds[0].low32, 0);
	CHECK_EQ(h32->chains[0].conds[0].datum, 9);
out:
	cf_filter_free(fd);
	cf_filter_free(fh);
}
