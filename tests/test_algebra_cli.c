/* SPDX-License-Identifier: Apache-2.0 */
/* callfence merge, diff and check --subset as a user runs them: exit
 * codes, what is written, the counterexample. The exactness itself is
 * tested in tests/diff/test_algebra.c. */
#include "cmd.h"

static char dir[] = "/tmp/cf-alg-XXXXXX";

static bool setup(void)
{
	return cmd_binary_present() && (dir[12] != 'X' || mkdtemp(dir));
}

static const char *fixture_path(const char *name)
{
	static char p[2][4096];
	static unsigned next;
	const char *s = t_shared();
	char *o = p[next++ % 2];

	if (!s)
		return NULL;
	snprintf(o, sizeof(p[0]), "%s/fixtures/profiles/%s", s, name);
	return o;
}

TEST(algebra_cli_merge_docker_podman)
{
	struct cmd_res r;
	const char *d, *p;
	char out[600];

	if (!setup() || !(d = fixture_path("docker-default.json")) ||
	    !(p = fixture_path("podman-default.json")))
		return;
	snprintf(out, sizeof(out), "%s/merged.json", dir);
	cmd_run(&r, (const char *[]){"merge", d, p, "-o", out, NULL});
	CHECK_EQ(r.status, 0);
	/* the union contains both ... */
	cmd_run(&r, (const char *[]){"check", "--subset", out, d, NULL});
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "is a subset of"));
	/* ... and allows what only Podman allows */
	cmd_run(&r, (const char *[]){"explain", out, "mount", NULL});
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "SCMP_ACT_ALLOW"));
	/* the written profile passes check and the merged file compiles */
	cmd_run(&r, (const char *[]){"check", out, NULL});
	CHECK_EQ(r.status, 0);
	/* neither default contains the other: exit 1, a counterexample */
	cmd_run(&r, (const char *[]){"check", "--subset", d, p, NULL});
	CHECK_EQ(r.status, 1);
	CHECK(strstr(r.out, "is not a subset of") && strstr(r.out, " under "));
	cmd_run(&r, (const char *[]){"diff", d, p, NULL});
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "  mount (any arguments): A SCMP_ACT_ERRNO(1), B "
			    "SCMP_ACT_ALLOW"));
	CHECK(strstr(r.out, "x86_64:\n"));
	/* a profile against itself: no difference, a subset */
	cmd_run(&r, (const char *[]){"diff", d, d, NULL});
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.out_len, 0);
	cmd_run(&r, (const char *[]){"check", "--subset", d, d, NULL});
	CHECK_EQ(r.status, 0);
}

TEST(algebra_cli_merge_refuses_and_writes_nothing)
{
	struct cmd_res r;
	const char *a, *b;
	char out[600];

	if (!setup())
		return;
	a = cmd_file(
	    dir, "a.json",
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\":"
	    " [\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": "
	    "[\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	b = cmd_file(
	    dir, "b.json",
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\":"
	    " [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"], \"syscalls\": "
	    "[{\"names\": [\"write\"], \"action\": "
	    "\"SCMP_ACT_ALLOW\"}]}");
	snprintf(out, sizeof(out), "%s/none.json", dir);
	unlink(out);
	cmd_run(&r, (const char *[]){"merge", "--native", "x86_64", a, b, "-o",
				     out, NULL});
	CHECK_EQ(r.status, 1);
	CHECK(strstr(r.err, "cannot be written exactly"));
	CHECK(access(out, F_OK) != 0);
	/* A is a subset of nothing that kills x86_64's read */
	cmd_run(&r, (const char *[]){"check", "--subset", "--native", "x86_64",
				     b, a, NULL});
	CHECK_EQ(r.status, 1);
	CHECK(strstr(r.out, "read("));
}

TEST(algebra_cli_usage)
{
	struct cmd_res r;

	if (!setup())
		return;
	cmd_run(&r, (const char *[]){"merge", "builtin", NULL});
	CHECK_EQ(r.status, 2);
	cmd_run(&r, (const char *[]){"diff", "builtin", NULL});
	CHECK_EQ(r.status, 2);
	cmd_run(&r, (const char *[]){"check", "--subset", "builtin", NULL});
	CHECK_EQ(r.status, 2);
	cmd_run(&r, (const char *[]){"check", "--subset", "--json", "builtin",
				     "builtin", NULL});
	CHECK_EQ(r.status, 2);
	cmd_run(&r, (const char *[]){"check", "--subset", "--harden", "builtin",
				     "builtin", NULL});
	CHECK_EQ(r.status, 2);
	cmd_run(&r, (const char *[]){"merge", "builtin", "/nonexistent/p.json",
				     NULL});
	CHECK_EQ(r.status, 1);
	CHECK(strstr(r.err, "/nonexistent/p.json"));
	cmd_run(&r, (const char *[]){"merge", "--bogus", "builtin", "builtin",
				     NULL});
	CHECK_EQ(r.status, 2);
	/* merging the builtin with itself gives it back, decision for
	 * decision */
	cmd_run(&r, (const char *[]){"merge", "builtin", "builtin", "-o",
				     "/tmp/cf-alg-self.json", NULL});
	CHECK_EQ(r.status, 0);
	cmd_run(&r, (const char *[]){"diff", "builtin", "/tmp/cf-alg-self.json",
				     NULL});
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.out_len, 0);
	unlink("/tmp/cf-alg-self.json");
}
