/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The built-in profile (data/builtin.json, embedded by tools/gen-builtin)
 * means exactly what Docker's current default means: for every native ABI
 * with a table, every ABI of the filter, every syscall number, argument
 * values around every datum, and three capability contexts, both compile to
 * the same decisions (IR) and their programs return the same actions.
 */
#include "t.h"

#include "cf.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const uint64_t arg_values[] = {
	0, 1, 8, 0x20000, 0x20008, 0xffffffff, 0x1ffffffff, 37, 38, 39, 40,
	41, 0x11, 0x10000011, 0x7e020000, 0x100000000, UINT64_MAX,
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
	uint32_t ra = cf_bpf_run(pa, la, d, NULL), rb = cf_bpf_run(pb, lb, d, NULL);

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
	struct seccomp_data d = { .nr = (int)nr, .arch = ar->audit_arch };

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
	struct tally t = { 0 };
	unsigned natives = 0, rejected = 0;

	if (!docker)
		return;
	for (int native = 0; native < cf_narches; native++) {
		uint64_t caps[3] = { cf_caps_docker_default(),
				     cf_caps_docker_default() | 1ULL << 21,
				     cf_caps_all() };

		if (!cf_abi_supported(native))
			continue;
		natives++;
		for (int c = 0; c < 3; c++) {
			struct cf_target tg = { .native = native,
						.caps = caps[c],
						.kernel = 6 << 16 | 18 };
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
				CHECK_EQ(fa->ir.abis[i].arch, fb->ir.abis[i].arch);
				compare_abi(fa, fb, fa->ir.abis[i].arch, &t);
			}
			/* a foreign ABI */
			{
				struct seccomp_data d = { .nr = 0,
							  .arch = 0x12345678 };

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

/* lib/builtin.c is what tools/gen-builtin makes of data/builtin.json. */
TEST(builtin_generated_file_is_current)
{
	char out[] = "/tmp/cf-builtin-XXXXXX";
	char cmd[512];
	int fd = mkstemp(out), rc;
	FILE *a, *b;
	int ca, cb;

	if (fd < 0 || access("/usr/bin/python3", X_OK)) {
		if (fd >= 0) {
			close(fd);
			unlink(out);
		}
		t_skip("python3 is not installed");
		return;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "tools/gen-builtin data/builtin.json %s",
		 out);
	rc = system(cmd);
	CHECK_EQ(rc, 0);
	a = fopen(out, "re");
	b = fopen("lib/builtin.c", "re");
	if (CHECK(a && b)) {
		do {
			ca = fgetc(a);
			cb = fgetc(b);
		} while (ca == cb && ca != EOF);
		CHECK(ca == cb);
	}
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	unlink(out);
}
