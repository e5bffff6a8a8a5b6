/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile --stats: the generator's labels (cf_filter_parts) and the
 * command's report.
 *   - on every reference profile, native ABI and mode (default, --harden,
 *     --enosys=none) every instruction has one part, consistent with what
 *     it does: a RET is a return and only a RET is; a load of arch is the
 *     dispatch, a load of nr the search, a load of an argument word (or an
 *     AND) argument code; argument code names its ABI and syscall, which
 *     is one of the IR's with argument chains on that ABI;
 *   - compile --stats / --stats --json: the parts add up to the program's
 *     length (the -o file's size), per ABI and in total; --json needs
 *     --stats.
 */
#include "t.h"

#include "base.h"
#include "ir.h"
#include "filter.h"
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const natives[] = {"x86_64", "aarch64", "s390x", "ppc64le",
				      "x86"};

static bool has_chains(const struct cf_filter *f, int abi, int64_t nr)
{
	for (size_t a = 0; a < f->ir.nabis; a++) {
		const struct cf_ir_abi *x = &f->ir.abis[a];

		if (x->arch != abi)
			continue;
		for (size_t i = 0; i < x->nsys; i++)
			if (x->sys[i].nr == nr && x->sys[i].nchains)
				return true;
	}
	return false;
}

static void check_parts(const struct cf_filter *f, const char *what,
			unsigned long *bad, unsigned long *n)
{
	size_t len;
	const struct sock_filter *p = cf_filter_program(f, &len);
	struct cf_insn_part *parts = calloc(len + 1, sizeof(*parts));
	struct cf_error err;

	if (!parts || cf_filter_parts(f, parts, &err)) {
		t_fail(__FILE__, __LINE__, "%s: %s", what,
		       parts ? err.msg : "out of memory");
		free(parts);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		const struct cf_insn_part *q = &parts[i];
		uint16_t c = p[i].code;
		bool ret = BPF_CLASS(c) == BPF_RET, ok = true;

		(*n)++;
		if (ret != (q->part == CF_PART_RETURN))
			ok = false;
		if (c == (BPF_LD | BPF_W | BPF_ABS)) {
			if (p[i].k == 4)
				ok &= q->part == CF_PART_ARCH;
			else if (p[i].k == 0)
				ok &= q->part == CF_PART_SEARCH;
			else
				ok &= q->part == CF_PART_ARGS;
		}
		if (BPF_CLASS(c) == BPF_ALU)
			ok &= q->part == CF_PART_ARGS;
		if (q->part == CF_PART_ARGS)
			ok &= q->abi >= 0 && q->nr >= 0 &&
			      has_chains(f, q->abi, q->nr);
		if (q->part == CF_PART_SEARCH)
			ok &= q->abi >= 0;
		if (q->part == CF_PART_ARCH)
			ok &= q->abi == -1;
		if (!ok && (*bad)++ < 5)
			t_fail(
			    __FILE__, __LINE__,
			    "%s: instruction %zu (code 0x%x k 0x%x): part %d "
			    "abi %d nr %lld",
			    what, i, c, p[i].k, (int)q->part, q->abi,
			    (long long)q->nr);
	}
	free(parts);
}

TEST(stats_parts_label_every_instruction)
{
	unsigned long bad = 0, n = 0, args = 0;

	for (size_t i = 0; i < t_nfixtures; i++) {
		size_t len;
		char *text = t_fixture_read(t_fixtures[i], &len);

		if (!text)
			return;
		for (size_t k = 0; k < CF_ARRAY_SIZE(natives); k++)
			for (int mode = 0; mode < 3; mode++) {
				struct cf_target tg = {
				    .native = cf_abi_lookup(natives[k]),
				    .caps = cf_caps_docker_default(),
				    .kernel = 6 << 16 | 18,
				    .harden = mode == 1,
				    .enosys = mode == 2 ? CF_ENOSYS_NONE
							: CF_ENOSYS_RUNC};
				struct cf_profile *p;
				struct cf_filter *f = NULL;
				struct cf_error err;
				char what[160];

				if (tg.native < 0 ||
				    cf_profile_parse(text, len, t_fixtures[i],
						     &p, &err))
					continue;
				if (!cf_compile(p, &tg, &f, &err) &&
				    !cf_filter_unconfined(f)) {
					snprintf(what, sizeof(what),
						 "%s on %s mode %d",
						 t_fixtures[i], natives[k],
						 mode);
					check_parts(f, what, &bad, &n);
					args++;
				}
				cf_filter_free(f);
				cf_profile_free(p);
			}
		free(text);
	}
	CHECK_EQ(bad, 0);
	CHECK(args > 40);
	CHECK(n > 10000);
}

/* The number after key in text, or -1. */
static long after(const char *text, const char *key)
{
	const char *s = strstr(text, key);

	return s ? strtol(s + strlen(key), NULL, 10) : -1;
}

TEST(stats_cli_text_and_json)
{
	static struct cmd_res r;
	const char *shared = t_shared();
	char prof[4200], out[] = "/tmp/cf-stats-XXXXXX";
	struct stat st;
	long total, sum = 0;
	int fd;

	if (!shared || !cmd_binary_present())
		return;
	fd = mkstemp(out);
	if (fd < 0) {
		t_fail(__FILE__, __LINE__, "mkstemp: %s", strerror(errno));
		return;
	}
	close(fd);
	snprintf(prof, sizeof(prof), "%s/fixtures/profiles/docker-default.json",
		 shared);
	cmd_run(&r, (const char *const[]){"compile", "--native", "x86_64",
					  "--stats", prof, "-o", out, NULL});
	CHECK_EQ(r.status, 0);
	CHECK(stat(out, &st) == 0);
	total = after(r.out, "");
	CHECK_EQ(total * 8, (long)st.st_size);
	CHECK_CONTAINS(r.out, " instructions\nABI ");
	CHECK_CONTAINS(r.out, "\nx86_64 ");
	CHECK_CONTAINS(r.out, "\n(shared) ");
	CHECK_CONTAINS(r.out, "biggest argument bodies");
	CHECK_CONTAINS(r.out, "personality");
	cmd_run(&r, (const char *const[]){"compile", "--native", "x86_64",
					  "--stats", "--json", prof, "-o", out,
					  NULL});
	CHECK_EQ(r.status, 0);
	CHECK_EQ(after(r.out, "{\"instructions\": "), total);
	sum = after(r.out, "\"arch_dispatch\": ") +
	      after(r.out, "\"number_search\": ") +
	      after(r.out, "\"argument_code\": ") +
	      after(r.out, "\"returns\": ");
	CHECK_EQ(sum, total);
	CHECK_CONTAINS(r.out, "\"bodies\": [{\"abi\": ");
	CHECK_CONTAINS(r.out, "\"syscall\": \"socket\"");
	/* -o -: the program on stdout, the statistics on stderr */
	cmd_run(&r, (const char *const[]){"compile", "--native", "x86_64",
					  "--stats", "--json", prof, "-o", "-",
					  NULL});
	CHECK_EQ(r.status, 0);
	CHECK_EQ((long)r.out_len, total * 8);
	CHECK_CONTAINS(r.err, "{\"instructions\": ");
	cmd_run(&r, (const char *const[]){"compile", "--json", prof, "-o", out,
					  NULL});
	CHECK_EQ(r.status, 2);
	CHECK_CONTAINS(r.err, "--json goes with --stats");
	/* an unconfined profile: no program, no parts */
	cmd_run(&r,
		(const char *const[]){"compile", "--stats",
				      cmd_file("/tmp", "cf-stats-u.json", "{}"),
				      "-o", out, NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.out, "0 instructions (unconfined)");
	unlink("/tmp/cf-stats-u.json");
	unlink(out);
}
