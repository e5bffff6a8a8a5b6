/* SPDX-License-Identifier: Apache-2.0 */
/* callfence merge, diff and check --subset as a user runs them: exit
 * codes, what is written, the counterexample. The exactness itself is
 * tested in tests/diff/test_algebra.c. */
#include "cmd.h"

static char dir[] = "/tmp/cf-alg-XXXXXX";

/* The directory is made once; a flag, not the template's letters, says
 * so (mkdtemp may well put an 'X' where the template had one: 1 run in
 * 62 then left every test after the first asserting nothing). */
static bool setup(void)
{
	static bool made;

	if (!made)
		made = mkdtemp(dir) != NULL;
	return cmd_binary_present() && CHECK(made);
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
				     NULL});
	CHECK_EQ(r.status, 2);
	cmd_run(&r, (const char *[]){"merge", "--json", "builtin", "builtin",
				     NULL});
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

/* Two small profiles: P allows write whatever a0 is, Q only write(1, ...). */
static const char p_text[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "
    "[\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}\n";
static const char q_text[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "
    "[\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"write\"], "
    "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, "
    "\"op\": \"SCMP_CMP_EQ\"}]}]}\n";

/* Feeds text to python3's json.load; its exit status (0: valid JSON). */
static int json_valid(const char *text)
{
	char sh[1200];
	const char *f = cmd_file(dir, "doc.json", text);
	int st;

	snprintf(sh, sizeof(sh),
		 "/usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' "
		 "< '%s'",
		 f);
	st = system(sh);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(algebra_cli_diff_json)
{
	static struct cmd_res r, txt;
	const char *p, *q;

	if (!setup())
		return;
	p = cmd_file(dir, "p.json", p_text);
	q = cmd_file(dir, "q.json", q_text);
	cmd_run(&txt,
		(const char *[]){"diff", "--native", "x86_64", p, q, NULL});
	CHECK_EQ(txt.status, 0);
	CHECK_CONTAINS(txt.out, "  write a0 in [0, 0xffffffffffffffff] except "
				"1: A SCMP_ACT_ALLOW, B SCMP_ACT_ERRNO(1); "
				"e.g. write(0x0, ");
	cmd_run(&r, (const char *[]){"diff", "--json", "--native", "x86_64", p,
				     q, NULL});
	CHECK_EQ(r.status, 0);
	/* the same class as the text: range, arguments, decisions, call */
	CHECK_CONTAINS(r.out, "\"abis\": [\n {\"abi\": \"x86_64\", "
			      "\"arch\": \"0xc000003e\", \"classes\": [");
	CHECK_CONTAINS(r.out,
		       "{\"name\": \"write\", \"nr_lo\": 1, \"nr_hi\": "
		       "1, \"args\": \"a0 in [0, 0xffffffffffffffff] "
		       "except 1\", \"a\": \"SCMP_ACT_ALLOW\", \"b\": "
		       "\"SCMP_ACT_ERRNO(1)\", \"example\": {\"abi\": "
		       "\"x86_64\", \"arch\": \"0xc000003e\", \"nr\": 1, "
		       "\"name\": \"write\", \"args\": [\"0x0\", ");
	CHECK(strstr(r.out, "\"a\": \"") && strstr(r.out, "p.json\""));
	CHECK(!strstr(r.out, "\"name\": \"read\""));
	if (access("/usr/bin/python3", X_OK))
		t_skip("no /usr/bin/python3: the documents are not parsed");
	else
		CHECK_EQ(json_valid(r.out), 0);
	/* every ABI of the default target: one group each, valid JSON */
	cmd_run(&r, (const char *[]){"diff", "--json", p, q, NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.out, "\"abi\": \"x86_64\"");
	if (!access("/usr/bin/python3", X_OK))
		CHECK_EQ(json_valid(r.out), 0);
	/* no difference: an empty list */
	cmd_run(&r, (const char *[]){"diff", "--json", p, p, NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.out, "\"abis\": []}\n");
	if (!access("/usr/bin/python3", X_OK))
		CHECK_EQ(json_valid(r.out), 0);
}

TEST(algebra_cli_subset_json)
{
	static struct cmd_res r;
	const char *p, *q;

	if (!setup())
		return;
	p = cmd_file(dir, "p.json", p_text);
	q = cmd_file(dir, "q.json", q_text);
	cmd_run(&r,
		(const char *[]){"check", "--subset", "--json", p, q, NULL});
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.out, "{\"holds\": true}\n");
	cmd_run(&r, (const char *[]){"check", "--subset", "--json", "--native",
				     "x86_64", q, p, NULL});
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.out,
		       "{\"holds\": false, \"example\": {\"abi\": "
		       "\"x86_64\", \"arch\": \"0xc000003e\", \"nr\": 1, "
		       "\"name\": \"write\", \"args\": [");
	CHECK_CONTAINS(r.out, "\"base\": \"SCMP_ACT_ERRNO(1)\", \"profile\": "
			      "\"SCMP_ACT_ALLOW\"}\n");
	/* the example is a real counterexample: a0 is not 1 */
	CHECK(!strstr(r.out, "\"args\": [\"0x1\""));
	if (!access("/usr/bin/python3", X_OK))
		CHECK_EQ(json_valid(r.out), 0);
	/* errors stay errors: exit 1, nothing on stdout */
	cmd_run(&r, (const char *[]){"check", "--subset", "--json", p,
				     "/nonexistent/q.json", NULL});
	CHECK_EQ(r.status, 1);
	CHECK_EQ(r.out_len, 0);
}

/* run --ignore ID silences the profile's diagnostic; an unknown id is
 * refused (125) before anything runs. */
TEST(run_cli_ignore)
{
	static struct cmd_res r;
	const char *w;
	char opt[700], ran[600];

	if (!setup())
		return;
	w = cmd_file(dir, "w.json",
		     "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
		     "[{\"names\": [\"nosuchcall\"], \"action\": "
		     "\"SCMP_ACT_ERRNO\"}]}\n");
	snprintf(opt, sizeof(opt), "seccomp=%s", w);
	snprintf(ran, sizeof(ran), "%s/ran", dir);
	unlink(ran);
	cmd_run(&r,
		(const char *[]){"run", "--security-opt", "no-new-privileges",
				 "--security-opt", opt, "echo", "hi", NULL});
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.out, "hi\n");
	CHECK_CONTAINS(r.err, "[unknown-syscall]");
	cmd_run(&r,
		(const char *[]){"run", "--ignore", "unknown-syscall",
				 "--security-opt", "no-new-privileges",
				 "--security-opt", opt, "echo", "hi", NULL});
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.out, "hi\n");
	CHECK(!strstr(r.err, "unknown-syscall"));
	/* another id leaves the warning */
	cmd_run(&r,
		(const char *[]){"run", "--ignore", "shadowed-rule",
				 "--security-opt", "no-new-privileges",
				 "--security-opt", opt, "echo", "hi", NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.err, "[unknown-syscall]");
	cmd_run(&r,
		(const char *[]){"run", "--ignore", "bogus", "--security-opt",
				 "no-new-privileges", "--security-opt", opt,
				 "touch", ran, NULL});
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "unknown diagnostic id 'bogus'");
	CHECK(access(ran, F_OK) != 0);
	cmd_run(&r, (const char *[]){"run", "--ignore", "unknown-sycall",
				     "true", NULL});
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "unknown-syscall");
}
