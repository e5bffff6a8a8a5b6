/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The built-in profile (data/builtin.json, embedded by tools/gen-builtin)
 * means exactly what Docker's current default means: for every native ABI
 * with a table, every ABI of the filter, every syscall number, argument
 * values around every datum, and three capability contexts, both compile to
 * the same decisions (IR) and their programs return the same actions.
 */
#include "t.h"

#include "base.h"
#include "profile.h"
#include "syscalls.h"
#include "filter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const uint64_t arg_values[] = {
    0,	1,  8,	0x20000, 0x20008,    0xffffffff, 0x1ffffffff, 37,	  38,
    39, 40, 41, 0x11,	 0x10000011, 0x7e020000, 0x100000000, UINT64_MAX,
};

struct tally {
	unsigned long comparisons, differences;
};

static void compare_vector(const struct cf_filter *a, const struct cf_filter *b,
			   const struct seccomp_data *d, struct tally *t)
{
	struct cf_decision da, db;
	size_t la, lb;
	const struct sock_filter *pa = cf_filter_program(a, &la);
	const struct sock_filter *pb = cf_filter_program(b, &lb);
	uint32_t ra = cf_bpf_run(pa, la, d, NULL),
		 rb = cf_bpf_run(pb, lb, d, NULL);

	cf_filter_decide(a, d, &da);
	cf_filter_decide(b, d, &db);
	t->comparisons += 2;
	if (ra != rb || da.action != db.action) {
		if (t->differences++ < 10)
			t_fail(__FILE__, __LINE__,
			       "arch 0x%x nr %d a0 0x%llx: builtin %08x/%08x, "
			       "docker %08x/%08x",
			       d->arch, d->nr, (unsigned long long)d->args[0],
			       ra, da.action, rb, db.action);
	}
}

static void compare_nr(const struct cf_filter *a, const struct cf_filter *b,
		       const struct cf_arch *ar, uint32_t nr, struct tally *t)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = ar->audit_arch};

	compare_vector(a, b, &d, t);
	for (size_t i = 0; i < CF_ARRAY_SIZE(arg_values); i++) {
		for (int arg = 0; arg < 2; arg++) {
			d.args[arg] = arg_values[i];
			compare_vector(a, b, &d, t);
			d.args[arg] = 0;
		}
	}
}

static void compare_abi(const struct cf_filter *a, const struct cf_filter *b,
			int arch, struct tally *t)
{
	const struct cf_arch *ar = &cf_arches[arch];
	uint32_t max = cf_arch_max_nr(arch) + 16;

	for (uint32_t nr = ar->nr_offset; nr <= max; nr++)
		compare_nr(a, b, ar, nr, t);
	/* arm's private calls (0x0f0000 + n) lie apart from the table */
	if (!strcmp(ar->name, "arm"))
		for (uint32_t nr = 0x0f0000; nr <= 0x0f0010; nr++)
			compare_nr(a, b, ar, nr, t);
}

static int compile(const char *text, size_t len, const char *name,
		   const struct cf_target *t, struct cf_filter **f)
{
	struct cf_profile *p;
	struct cf_error err;
	int rc = cf_profile_parse(text, len, name, &p, &err);

	*f = NULL;
	if (!rc) {
		rc = cf_compile(p, t, f, &err);
		cf_profile_free(p);
	}
	return rc;
}

TEST(builtin_equals_docker_default)
{
	size_t dlen, blen;
	char *docker = t_fixture_read("docker-default.json", &dlen);
	const char *builtin = cf_profile_builtin_json(&blen);
	struct tally t = {0};
	unsigned natives = 0, rejected = 0;

	if (!docker)
		return;
	for (int native = 0; native < cf_narches; native++) {
		uint64_t caps[3] = {cf_caps_docker_default(),
				    cf_caps_docker_default() | 1ULL << 21,
				    cf_caps_all()};

		if (!cf_abi_supported(native))
			continue;
		natives++;
		for (int c = 0; c < 3; c++) {
			struct cf_target tg = {.native = native,
					       .caps = caps[c],
					       .kernel = 6 << 16 | 18};
			struct cf_filter *fa, *fb;
			int ra = compile(builtin, blen, "builtin", &tg, &fa);
			int rb = compile(docker, dlen, "docker", &tg, &fb);

			/* both may refuse alike: on s390x the archMap adds
			 * s390, for which there is no syscall table */
			if (ra || rb) {
				CHECK_EQ(ra, rb);
				rejected++;
				cf_filter_free(fa);
				cf_filter_free(fb);
				continue;
			}
			CHECK_EQ(fa->ir.nabis, fb->ir.nabis);
			for (size_t i = 0; i < fa->ir.nabis; i++) {
				CHECK_EQ(fa->ir.abis[i].arch,
					 fb->ir.abis[i].arch);
				compare_abi(fa, fb, fa->ir.abis[i].arch, &t);
			}
			/* a foreign ABI */
			{
				struct seccomp_data d = {.nr = 0,
							 .arch = 0x12345678};

				compare_vector(fa, fb, &d, &t);
			}
			cf_filter_free(fa);
			cf_filter_free(fb);
		}
	}
	free(docker);
	t_note("%u native ABIs x 3 capability contexts: %lu comparisons, %lu "
	       "differences; %u contexts rejected by both alike",
	       natives, t.comparisons, t.differences, rejected);
	CHECK_EQ(t.differences, 0);
	CHECK(natives >= 10);
}

/* Runs cmd followed by the name of a temporary file (where the command
 * writes) and compares that file with the committed one, byte for byte. */
static void check_generated(const char *cmd, const char *committed)
{
	char out[] = "/tmp/cf-builtin-XXXXXX";
	char line[1024];
	int fd = mkstemp(out);
	FILE *a, *b;
	int ca, cb;

	if (!CHECK(fd >= 0))
		return;
	close(fd);
	snprintf(line, sizeof(line), "%s%s", cmd, out);
	CHECK_EQ(system(line), 0);
	a = fopen(out, "re");
	b = fopen(committed, "re");
	if (CHECK(a && b)) {
		do {
			ca = fgetc(a);
			cb = fgetc(b);
		} while (ca == cb && ca != EOF);
		if (!CHECK(ca == cb))
			t_note("%s is stale: run make builtin", committed);
	}
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	unlink(out);
}

/* lib/builtin.c is what tools/gen-builtin makes of data/builtin.json. */
TEST(builtin_generated_file_is_current)
{
	if (access("/usr/bin/python3", X_OK)) {
		t_skip("python3 is not installed");
		return;
	}
	check_generated("tools/gen-builtin data/builtin.json ",
			"lib/builtin.c");
}

/* ---- the parsed form (generated at build time: build/gen/builtin_data.c) */

/* Field-by-field equality of two parsed profiles; the first difference is
 * left in diff_msg. */
static char diff_msg[512];

static bool differ(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool differ(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(diff_msg, sizeof(diff_msg), fmt, ap);
	va_end(ap);
	return false;
}

static bool same_str(const char *a, const char *b, const char *what, size_t i)
{
	if ((!a && !b) || (a && b && !strcmp(a, b)))
		return true;
	return differ("%s [%zu]: '%s' vs '%s'", what, i, a ? a : "(null)",
		      b ? b : "(null)");
}

static bool same_pos(struct cf_pos a, struct cf_pos b, const char *what,
		     size_t i)
{
	if (!same_str(a.pointer, b.pointer, what, i))
		return false;
	if (a.line == b.line && a.col == b.col)
		return true;
	return differ("%s [%zu]: %u:%u vs %u:%u", what, i, a.line, a.col,
		      b.line, b.col);
}

static bool same_strs(const char **a, size_t na, const char **b, size_t nb,
		      const char *what, size_t i)
{
	if (na != nb) {
		return differ("%s [%zu]: %zu vs %zu entries", what, i, na, nb);
	}
	for (size_t n = 0; n < na; n++)
		if (!same_str(a[n], b[n], what, i))
			return false;
	return true;
}

#define SAME(x, what, i) ((x) || differ("%s [%zu]: %s", what, (size_t)(i), #x))

static bool same_filter(const struct cf_p_filter *a,
			const struct cf_p_filter *b, size_t i)
{
	return same_strs(a->caps, a->ncaps, b->caps, b->ncaps, "caps", i) &&
	       same_strs(a->arches, a->narches, b->arches, b->narches, "arches",
			 i) &&
	       same_str(a->min_kernel, b->min_kernel, "minKernel", i) &&
	       SAME(a->min_kernel_v == b->min_kernel_v, "minKernel", i) &&
	       SAME(a->min_kernel_3part == b->min_kernel_3part, "minKernel",
		    i) &&
	       same_pos(a->pos, b->pos, "filter pos", i);
}

static bool same_syscall(const struct cf_p_syscall *a,
			 const struct cf_p_syscall *b, size_t i)
{
	if (!same_strs(a->names, a->nnames, b->names, b->nnames, "names", i))
		return false;
	for (size_t n = 0; n < a->nnames; n++)
		if (!same_pos(a->name_pos[n], b->name_pos[n], "name pos", i))
			return false;
	if (!same_str(a->names_ptr, b->names_ptr, "names pointer", i) ||
	    !SAME(a->legacy_name == b->legacy_name, "name", i) ||
	    !SAME(a->action == b->action, "action", i) ||
	    !SAME(a->action_kind == b->action_kind, "action", i) ||
	    !same_str(a->errno_name, b->errno_name, "errno", i) ||
	    !SAME(a->errno_name_used == b->errno_name_used, "errno", i) ||
	    !SAME(a->nargs == b->nargs, "args", i))
		return false;
	for (size_t n = 0; n < a->nargs; n++) {
		const struct cf_p_arg *x = &a->args[n], *y = &b->args[n];

		if (!SAME(x->index == y->index && x->value == y->value &&
			      x->value_two == y->value_two && x->op == y->op,
			  "arg", i) ||
		    !same_pos(x->pos, y->pos, "arg pos", i))
			return false;
	}
	return same_filter(&a->includes, &b->includes, i) &&
	       same_filter(&a->excludes, &b->excludes, i) &&
	       same_str(a->comment, b->comment, "comment", i) &&
	       same_pos(a->pos, b->pos, "syscall pos", i) &&
	       same_pos(a->action_pos, b->action_pos, "action pos", i) &&
	       same_str(a->action_key, b->action_key, "action key", i) &&
	       same_str(a->args_key, b->args_key, "args key", i) &&
	       SAME(a->args_key_len == b->args_key_len, "args key length", i);
}

static bool same_profile(const struct cf_profile *a, const struct cf_profile *b)
{
	const struct cf_p_note *na = a->notes, *nb = b->notes;
	size_t n = 0;

	if (!same_str(a->file, b->file, "file", 0) ||
	    !SAME(a->has_default_action == b->has_default_action &&
		      a->default_action == b->default_action &&
		      a->default_kind == b->default_kind,
		  "defaultAction", 0) ||
	    !same_pos(a->default_pos, b->default_pos, "defaultAction pos", 0) ||
	    !same_str(a->default_errno_name, b->default_errno_name,
		      "defaultErrno", 0) ||
	    !SAME(a->default_errno_name_used == b->default_errno_name_used,
		  "defaultErrno", 0) ||
	    !SAME(a->narchitectures == b->narchitectures, "architectures", 0) ||
	    !SAME(a->narchmap == b->narchmap, "archMap", 0) ||
	    !SAME(a->nsyscalls == b->nsyscalls, "syscalls", 0) ||
	    !SAME(a->has_syscalls == b->has_syscalls &&
		      a->has_flags == b->has_flags && a->flags == b->flags &&
		      a->unconfined == b->unconfined,
		  "flags", 0) ||
	    !same_str(a->listener_path, b->listener_path, "listenerPath", 0))
		return false;
	for (size_t i = 0; i < a->narchitectures; i++)
		if (!SAME(a->architectures[i] == b->architectures[i],
			  "architectures", i) ||
		    !same_pos(a->arch_pos[i], b->arch_pos[i], "arch pos", i))
			return false;
	for (size_t i = 0; i < a->narchmap; i++) {
		const struct cf_p_archmap *x = &a->archmap[i],
					  *y = &b->archmap[i];

		if (!same_str(x->arch, y->arch, "archMap", i) ||
		    !SAME(x->abi == y->abi, "archMap", i) ||
		    !same_strs(x->subs, x->nsubs, y->subs, y->nsubs,
			       "subArchitectures", i) ||
		    !same_pos(x->pos, y->pos, "archMap pos", i))
			return false;
		for (size_t s = 0; s < x->nsubs; s++)
			if (!SAME(x->sub_abis[s] == y->sub_abis[s],
				  "subArchitectures", i))
				return false;
	}
	for (size_t i = 0; i < a->nsyscalls; i++)
		if (!same_syscall(&a->syscalls[i], &b->syscalls[i], i))
			return false;
	for (; na && nb; na = na->next, nb = nb->next, n++)
		if (!same_str(na->id, nb->id, "note", n) ||
		    !same_str(na->msg, nb->msg, "note", n) ||
		    !same_pos(na->pos, nb->pos, "note pos", n))
			return false;
	return SAME(!na && !nb, "notes", n);
}

/* What the library compiles for "builtin" (its generated parsed form) is the
 * fast path of a parse; the plain path is the parser on the embedded text:
 * both give the same profile, field by field. */
TEST(builtin_parsed_form_equals_a_fresh_parse)
{
	size_t len;
	const char *text = cf_profile_builtin_json(&len);
	struct cf_profile *a = NULL, *b = NULL;
	struct cf_error err;

	CHECK_EQ(cf_profile_builtin(&a, &err), 0);
	CHECK_EQ(cf_profile_parse(text, len, "builtin", &b, &err), 0);
	if (a && b && CHECK(a->nsyscalls > 30 && a->narchmap > 5) &&
	    CHECK(b->nsyscalls > 10 && b->syscalls[10].nargs > 0)) {
		if (!CHECK(same_profile(a, b)))
			t_note("first difference: %s", diff_msg);
		/* the comparison has teeth: one changed field is found */
		b->syscalls[3].name_pos[1].col++;
		CHECK(!same_profile(a, b));
		CHECK(strstr(diff_msg, "name pos [3]") != NULL);
		b->syscalls[3].name_pos[1].col--;
		b->syscalls[10].args[0].value ^= 1ULL << 40;
		CHECK(!same_profile(a, b));
	}
	cf_profile_free(a);
	cf_profile_free(b);
}
