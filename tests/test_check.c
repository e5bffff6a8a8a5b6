/* SPDX-License-Identifier: Apache-2.0 */
/* callfence check: notes and warnings, --strict / --ignore, shadowed
 * rules, capability names, int arguments compared in 64 bits; the lints
 * every command shows; options matched whole in every command. Run
 * through the built binary, with decisions confirmed by the library. */
#include "t.h"
#include "tfiles.h"

#include "callfence.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CMD(o, ...) t_callfence(o, (const char *const[]){__VA_ARGS__, NULL})

static char ck_dir[64];

/* Writes text to <tmp dir>/name; returns the path (static, 4 in turn). */
static const char *ck_file(const char *name, const char *text)
{
	static char paths[4][128];
	static int turn;
	char *p = paths[turn++ & 3];
	FILE *f;

	if (!ck_dir[0]) {
		strcpy(ck_dir, "/tmp/cf-check-XXXXXX");
		if (!mkdtemp(ck_dir))
			return NULL;
	}
	snprintf(p, sizeof(paths[0]), "%s/%s", ck_dir, name);
	f = fopen(p, "we");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	return p;
}

static bool ck_binary(void)
{
	if (access(t_callfence_bin(), X_OK) == 0)
		return true;
	t_fail(__FILE__, __LINE__, "%s is missing (make all first)",
	       t_callfence_bin());
	return false;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* x86_64, Docker's capabilities, a fixed kernel: what the tests compile
 * for, whatever the host. */
static void ck_target(struct cf_target *t)
{
	struct cf_error err;

	CHECK_EQ(cf_target_default(t, &err), 0);
	t->native = cf_abi_lookup("x86_64");
	t->kernel = 6U << 16 | 18;
	t->diag = NULL;
}

static uint32_t decide(const struct cf_filter *f, uint32_t nr,
		       const uint64_t *args)
{
	struct seccomp_data d = {
	    .nr = (int)nr, .arch = cf_abi_audit_arch(cf_abi_lookup("x86_64"))};
	struct cf_decision dec;

	memcpy(d.args, args, sizeof(d.args));
	if (cf_filter_decide(f, &d, &dec))
		return 0xdead;
	return dec.action;
}

/* The program's own answer for the same call. */
static uint32_t run_prog(const struct cf_filter *f, uint32_t nr,
			 const uint64_t *args)
{
	struct seccomp_data d = {.nr = (int)nr,
				 .arch = cf_abi_audit_arch(
				     cf_abi_lookup("x86_64"))},
			    k;
	size_t len;
	const struct sock_filter *prog = cf_filter_program(f, &len);

	memcpy(d.args, args, sizeof(d.args));
	cf_seccomp_data_as_kernel(&d, &k);
	return cf_bpf_run(prog, len, &k, NULL);
}

/* Docker's default profile: exactly one warning, int-arg-bypass on its
 * socket rule, whose value the filter really allows (IR evaluator and
 * program) while the profile denies what the kernel reads from it. */
TEST(check_docker_default_one_warning)
{
	static struct t_out o;
	const char *p;
	char *text, *v;
	size_t len;
	struct cf_profile *prof;
	struct cf_filter *f;
	struct cf_target t;
	struct cf_error err;
	uint64_t a[6] = {0}, low[6] = {0};
	int64_t nr;

	if (!ck_binary() ||
	    !(text = t_fixture_read("docker-default.json", &len)))
		return;
	p = ck_file("docker.json", text);
	CMD(&o, "check", "--json", "--native", "x86_64", p);
	CHECK_EQ(o.status, 0);
	CHECK_EQ(count(o.text, "\"class\": \"warning\""), 1);
	CHECK_EQ(count(o.text, "\"class\": \"error\""), 0);
	CHECK(count(o.text, "\"class\": \"note\"") > 0);
	CHECK_CONTAINS(o.text, "\"class\": \"warning\", \"id\": "
			       "\"int-arg-bypass\", \"file\"");
	CHECK_CONTAINS(o.text, "\"pointer\": \"/syscalls/4/args/0\"");
	CHECK_CONTAINS(o.text, "\"id\": \"int-arg-narrow\"");
	CHECK(!strstr(o.text, "int-arg-upper-half"));
	/* --strict fails on the warning only; --ignore silences it */
	CMD(&o, "check", "--strict", "--native", "x86_64", p);
	CHECK_EQ(o.status, 1);
	CMD(&o, "check", "--strict", "--ignore", "int-arg-bypass", "--native",
	    "x86_64", p);
	CHECK_EQ(o.status, 0);
	CHECK(!strstr(o.text, "int-arg-bypass"));
	CHECK_CONTAINS(o.text, "callfence: note: ");
	/* the value: socket(0x1xxxxxxxx, ...) */
	CMD(&o, "check", "--native", "x86_64", p);
	v = strstr(o.text, "socket(0x");
	CHECK(v != NULL);
	if (!v) {
		free(text);
		return;
	}
	a[0] = strtoull(v + 7, NULL, 16);
	low[0] = a[0] & 0xffffffffULL;
	CHECK(a[0] >> 32 != 0);
	CHECK(low[0] == 38 || low[0] == 40); /* AF_ALG, AF_VSOCK */
	CHECK_EQ(cf_profile_parse(text, len, "docker.json", &prof, &err), 0);
	ck_target(&t);
	CHECK_EQ(cf_compile(prof, &t, &f, &err), 0);
	nr = cf_syscall_number(t.native, "socket");
	CHECK_EQ(decide(f, (uint32_t)nr, a), 0x7fff0000U);   /* ALLOW */
	CHECK_EQ(decide(f, (uint32_t)nr, low), 0x00050001U); /* EPERM */
	CHECK_EQ(run_prog(f, (uint32_t)nr, a), 0x7fff0000U);
	CHECK_EQ(run_prog(f, (uint32_t)nr, low), 0x00050001U);
	cf_filter_free(f);
	cf_profile_free(prof);
	free(text);
}

/* A search large enough for the int-arg lint's memo of repeated
 * subtrees (over 4,096 tries: about 17,000 here), whose only bypass lies
 * in a late subtree: socket is allowed for 40 (type, protocol) pairs,
 * the last one only with a domain other than AF_VSOCK. Every earlier
 * type leaves other chains standing than the last one does, so the memo
 * must not take them for the same subtree; the witness is the one a walk
 * of every combination finds first. */
TEST(check_int_arg_search_finds_a_late_bypass)
{
	static char text[16384];
	static struct t_diags d;
	size_t n = 0;
	struct cf_profile *p;
	struct cf_target t;
	struct cf_error err;

	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
			      "\"syscalls\": [\n");
	for (int i = 1; i <= 40; i++)
		n += (size_t)snprintf(
		    text + n, sizeof(text) - n,
		    " {\"names\": [\"socket\"], \"action\": "
		    "\"SCMP_ACT_ALLOW\", \"args\": [%s{\"index\": 1, "
		    "\"value\": %d, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": "
		    "2, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}]}%s\n",
		    i == 40 ? "{\"index\": 0, \"value\": 40, \"op\": "
			      "\"SCMP_CMP_NE\"}, "
			    : "",
		    i, 100 + i, i == 40 ? "]}" : ",");
	CHECK(n < sizeof(text));
	memset(&d, 0, sizeof(d));
	CHECK_EQ(cf_profile_parse(text, n, "late.json", &p, &err), 0);
	if (!p)
		return;
	ck_target(&t);
	CHECK(cf_check(p, &t, t_diags_add, &d, &err) >= 0);
	CHECK_EQ(t_diags_count(&d, "int-arg-bypass"), 1);
	CHECK_CONTAINS(d.text, "socket(0x100000028, 0x28, 0x8c) on x86_64 "
			       "is allowed");
	cf_profile_free(p);
}

/* Written so that upper bits can only deny: no bypass, the narrowing is
 * a note; a deny-list with EQ under an ALLOW default is bypassed. */
TEST(check_int_arg_hardened)
{
	static struct t_out o;
	const char *p;

	if (!ck_binary())
		return;
	p = ck_file("hard.json",
		    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		    " {\"names\": [\"read\", \"write\"], \"action\": "
		    "\"SCMP_ACT_ALLOW\"},\n"
		    " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\","
		    " \"args\": [{\"index\": 0, \"value\": 38, \"op\": "
		    "\"SCMP_CMP_LT\"}]},\n"
		    " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\","
		    " \"args\": [{\"index\": 0, \"value\": 39, \"op\": "
		    "\"SCMP_CMP_EQ\"}]},\n"
		    " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\","
		    " \"args\": [{\"index\": 0, \"value\": 41, \"op\": "
		    "\"SCMP_CMP_EQ\"}]},\n"
		    " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\","
		    " \"args\": [{\"index\": 0, \"value\": 44, \"op\": "
		    "\"SCMP_CMP_EQ\"}]}]}\n");
	CMD(&o, "check", "--strict", "--native", "x86_64", p);
	CHECK_EQ(o.status, 0);
	CHECK(!strstr(o.text, "int-arg-bypass"));
	CHECK_CONTAINS(o.text, "[int-arg-narrow]");
	CHECK_EQ(count(o.text, "warning:"), 0);
	/* deny-list: socket(0x1_0000_0028) passes the EQ 40 deny */
	p = ck_file("deny.json",
		    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		    " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\","
		    " \"args\": [{\"index\": 0, \"value\": 40, \"op\": "
		    "\"SCMP_CMP_EQ\"}]}]}\n");
	CMD(&o, "check", "--native", "x86_64", p);
	CHECK_CONTAINS(o.text, "/syscalls/0/args/0: socket(0x100000028, 0x0, "
			       "0x0) on x86_64 is allowed (SCMP_ACT_ALLOW, by "
			       "the default action), but argument 0 of "
			       "'socket' is a 32-bit int: the kernel reads it "
			       "as 40 (0x28), which the profile denies "
			       "(SCMP_ACT_ERRNO(1), by /syscalls/0)");
	/* a 64-bit argument (mmap's length) is not an int: nothing */
	p = ck_file("long.json",
		    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		    " {\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\","
		    " \"args\": [{\"index\": 1, \"value\": 4096, \"op\": "
		    "\"SCMP_CMP_GT\"}]}]}\n");
	CMD(&o, "check", "--native", "x86_64", p);
	CHECK(!strstr(o.text, "int-arg-"));
}

/* check --harden verifies the hardened meaning: Docker's default has no
 * int-arg-bypass left (nor a narrowing), and a value with a stray upper
 * half is a harden-upper-bits warning. */
TEST(check_harden)
{
	static struct t_out o;
	const char *shared = t_shared(), *p;
	char prof[4200];

	if (!ck_binary() || !shared)
		return;
	snprintf(prof, sizeof(prof), "%s/fixtures/profiles/docker-default.json",
		 shared);
	CMD(&o, "check", "--native", "x86_64", prof);
	CHECK_CONTAINS(o.text, "[int-arg-bypass]");
	CHECK_CONTAINS(o.text, "or use --harden [int-arg-bypass]");
	CMD(&o, "check", "--harden", "--strict", "--native", "x86_64", prof);
	CHECK_EQ(o.status, 0);
	CHECK(!strstr(o.text, "int-arg-"));
	CHECK(!strstr(o.text, "harden-upper-bits"));
	p = ck_file("upper.json",
		    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		    " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\","
		    " \"args\": [{\"index\": 0, \"value\": 4294967336, "
		    "\"op\": \"SCMP_CMP_EQ\"}]}]}\n");
	CMD(&o, "check", "--native", "x86_64", p);
	CHECK(!strstr(o.text, "harden-upper-bits"));
	CMD(&o, "check", "--harden", "--native", "x86_64", p);
	CHECK_CONTAINS(o.text, "/syscalls/0/args/0: --harden: argument 0 of "
			       "'socket' is a 32-bit int, but the rule's value "
			       "0x100000028 has an upper half");
	CHECK_CONTAINS(o.text, "[harden-upper-bits]");
	CMD(&o, "check", "--harden", "--strict", "--native", "x86_64", p);
	CHECK_EQ(o.status, 1);
}

static const char shadow_profile[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
    " {\"names\": [\"ptrace\", \"kill\"], \"action\": "
    "\"SCMP_ACT_ALLOW\"},\n"
    " {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\", "
    "\"errnoRet\": 38, \"args\": [{\"index\": 0, \"value\": 16, \"op\": "
    "\"SCMP_CMP_EQ\"}]},\n"
    " {\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
    "[{\"index\": 2, \"value\": 10, \"op\": \"SCMP_CMP_GT\"}]},\n"
    " {\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_KILL\", \"args\": "
    "[{\"index\": 2, \"value\": 40, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    " {\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_LOG\", \"args\": "
    "[{\"index\": 2, \"value\": 5, \"op\": \"SCMP_CMP_GT\"}]},\n"
    " {\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
    "[{\"index\": 2, \"value\": 20, \"op\": \"SCMP_CMP_GE\"}]},\n"
    " {\"names\": [\"close\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
    "[{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    " {\"names\": [\"close\"], \"action\": \"SCMP_ACT_KILL\"},\n"
    " {\"names\": [\"munmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
    "[{\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_LT\"}]},\n"
    " {\"names\": [\"brk\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
    "[{\"index\": 0, \"value\": 255, \"op\": \"SCMP_CMP_MASKED_EQ\", "
    "\"valueTwo\": 1}]},\n"
    " {\"names\": [\"brk\"], \"action\": \"SCMP_ACT_KILL\", \"args\": "
    "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    " {\"names\": [\"mprotect\"], \"action\": \"SCMP_ACT_ALLOW\", "
    "\"args\": [{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_LE\"}]},\n"
    " {\"names\": [\"mprotect\"], \"action\": \"SCMP_ACT_ALLOW\", "
    "\"args\": [{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_GT\"}]},\n"
    " {\"names\": [\"mprotect\"], \"action\": \"SCMP_ACT_KILL\", "
    "\"args\": [{\"index\": 2, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    " {\"names\": [\"brk\"], \"action\": \"SCMP_ACT_KILL\", \"args\": "
    "[{\"index\": 0, \"value\": 257, \"op\": \"SCMP_CMP_GT\"}]}"
    "]}\n";

/* Rules that never apply: after an unconditional rule, before one,
 * covered by an earlier argument rule (MASKED_EQ too) or by several, or
 * never true. Not warned: a rule some call reaches (a0 > 257 with a
 * low byte other than 1), one covered by rules of its own action. */
TEST(check_shadowed_rules)
{
	static struct t_out o;
	const char *p;

	if (!ck_binary() || !(p = ck_file("shadow.json", shadow_profile)))
		return;
	CMD(&o, "check", "--native", "x86_64", "--ignore", "absent-on-abi", p);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text,
		       "shadow.json:3:13: /syscalls/1/names/0: this rule for "
		       "'ptrace' (SCMP_ACT_ERRNO(38)) never applies: the "
		       "unconditional rule /syscalls/0/names/0 (2:13, "
		       "SCMP_ACT_ALLOW) decides every call of 'ptrace'");
	CHECK_CONTAINS(o.text,
		       "/syscalls/3/names/0: this rule for 'mmap' "
		       "(SCMP_ACT_KILL_THREAD) never applies: every call it "
		       "matches is decided first by /syscalls/2/names/0 (4:13, "
		       "SCMP_ACT_ALLOW)");
	CHECK_CONTAINS(o.text, "/syscalls/6/names/0: this rule for 'close' "
			       "(SCMP_ACT_ALLOW) never applies: the "
			       "unconditional rule /syscalls/7/names/0");
	CHECK_CONTAINS(o.text, "/syscalls/8/names/0: this rule for 'munmap' "
			       "(SCMP_ACT_ALLOW) never applies: no call "
			       "satisfies all its conditions");
	/* covered by two rules together (a1 <= 9 or a1 > 9) */
	CHECK_CONTAINS(o.text, "/syscalls/13/names/0: this rule for "
			       "'mprotect' (SCMP_ACT_KILL_THREAD) never "
			       "applies");
	/* (a0 & 0xff) == 1 covers a0 == 1 */
	CHECK_CONTAINS(o.text, "/syscalls/10/names/0: this rule for 'brk' "
			       "(SCMP_ACT_KILL_THREAD) never applies: every "
			       "call it matches is decided first by "
			       "/syscalls/9/names/0");
	/* reached (6..10 and a0 > 257), redundant (same action): silent */
	CHECK(!strstr(o.text, "/syscalls/4/names/0: this rule"));
	CHECK(!strstr(o.text, "/syscalls/5/names/0: this rule"));
	CHECK(!strstr(o.text, "/syscalls/14/names/0: this rule"));
	CHECK(!strstr(o.text, "'kill'"));
	CHECK_EQ(count(o.text, "[shadowed-rule]"), 6);
	/* a shadowed rule is not reported again as an overlap */
	CHECK(!strstr(o.text, "/syscalls/3: argument rules of 'mmap'"));
	CMD(&o, "check", "--strict", "--native", "x86_64", p);
	CHECK_EQ(o.status, 1);
}

/* compile and run show what check shows about rules (through the
 * target's diagnostics): shadowed and overlapping rules. */
TEST(check_rule_lints_in_every_command)
{
	static struct t_out o;
	char out[160];
	const char *p;

	if (!ck_binary() || !(p = ck_file("shadow.json", shadow_profile)))
		return;
	snprintf(out, sizeof(out), "%s/out.bpf", ck_dir);
	CMD(&o, "compile", "--native", "x86_64", p, "-o", out);
	CHECK_EQ(o.status, 0);
	CHECK_EQ(count(o.text, "[shadowed-rule]"), 6);
	CHECK_CONTAINS(o.text, "[overlapping-rules]");
	CMD(&o, "compile", "--ignore", "shadowed-rule", "--native", "x86_64", p,
	    "-o", out);
	CHECK_EQ(o.status, 0);
	CHECK(!strstr(o.text, "[shadowed-rule]"));
	CHECK_CONTAINS(o.text, "[overlapping-rules]");
	if (geteuid() != 0) {
		t_skip("run needs root");
		return;
	}
	{
		char opt[200];

		snprintf(opt, sizeof(opt), "seccomp=%s", p);
		CMD(&o, "run", "--security-opt", opt, "--", "/bin/true");
	}
	CHECK_CONTAINS(o.text, "callfence run: warning: ");
	CHECK_EQ(count(o.text, "[shadowed-rule]"), 6);
	CHECK_CONTAINS(o.text, "[overlapping-rules]");
}

/* includes/excludes caps are compared as exact strings by Docker. */
TEST(check_cap_never_matches)
{
	static struct t_out o;
	const char *p;

	if (!ck_binary())
		return;
	p = ck_file("caps.json",
		    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		    " {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", "
		    "\"includes\": {\"caps\": [\"SYS_ADMIN\"]}},\n"
		    " {\"names\": [\"umount2\"], \"action\": "
		    "\"SCMP_ACT_ALLOW\","
		    " \"includes\": {\"caps\": [\"CAP_CHOWN\", "
		    "\"CAP_SYS_ADMN\"]}},\n"
		    " {\"names\": [\"ptrace\"], \"action\": "
		    "\"SCMP_ACT_ALLOW\", "
		    "\"excludes\": {\"caps\": [\"cap_sys_ptrace\"]}}]}\n");
	CMD(&o, "check", "--native", "x86_64", p);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text, "caps.json:2:63: /syscalls/0/includes/caps/0: "
			       "capability 'SYS_ADMIN' never matches");
	CHECK_CONTAINS(o.text, "this rule never applies, whatever the "
			       "capabilities (did you mean 'CAP_SYS_ADMIN'?) "
			       "[cap-never-matches]");
	CHECK_CONTAINS(o.text, "/syscalls/1/includes/caps/1: capability "
			       "'CAP_SYS_ADMN' never matches");
	CHECK_CONTAINS(o.text, "/syscalls/2/excludes/caps/0: capability "
			       "'cap_sys_ptrace' never matches");
	CHECK_CONTAINS(o.text, "never excludes the rule (did you mean "
			       "'CAP_SYS_PTRACE'?)");
	CHECK(!strstr(o.text, "'CAP_CHOWN' never"));
	CMD(&o, "check", "--strict", "--native", "x86_64", p);
	CHECK_EQ(o.status, 1);
}

/* Notes never fail --strict; every id can be ignored; an unknown id is a
 * usage error with a hint. */
TEST(check_notes_and_ignore)
{
	static struct t_out o;
	const char *p;

	if (!ck_binary())
		return;
	p = ck_file("notes.json",
		    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		    " {\"names\": [\"read\", \"chown32\"], \"action\": "
		    "\"SCMP_ACT_ALLOW\"},\n"
		    " {\"names\": [\"write\"], \"action\": "
		    "\"SCMP_ACT_ERRNO\"}]}\n");
	CMD(&o, "check", "--strict", "--native", "x86_64", p);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text, "callfence: note: ");
	CHECK_CONTAINS(o.text, "[absent-on-abi]");
	CHECK_CONTAINS(o.text, "[same-as-default]");
	CMD(&o, "check", "--json", "--native", "x86_64", p);
	CHECK_CONTAINS(o.text, "\"class\": \"note\", \"id\": "
			       "\"absent-on-abi\"");
	CMD(&o, "check", "--ignore", "absent-on-abi", "--ignore",
	    "same-as-default", "--native", "x86_64", p);
	CHECK_EQ(o.status, 0);
	CHECK(!strstr(o.text, "absent-on-abi"));
	CHECK(!strstr(o.text, "same-as-default"));
	CMD(&o, "check", "--ignore", "shadowed-rul", p);
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.text, "unknown diagnostic id 'shadowed-rul' (did "
			       "you mean 'shadowed-rule'?)");
	/* a warning under --strict --ignore of another id still fails */
	p = ck_file("unknown.json",
		    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		    " {\"names\": [\"nosuchcall\"], \"action\": "
		    "\"SCMP_ACT_ALLOW\"}]}\n");
	CMD(&o, "check", "--strict", "--ignore", "absent-on-abi", p);
	CHECK_EQ(o.status, 1);
	CMD(&o, "check", "--strict", "--ignore", "unknown-syscall", p);
	CHECK_EQ(o.status, 0);
}

/* Long options only by their whole name, in every command (getopt_long
 * would take any unique prefix; Docker does not). */
TEST(cli_no_abbreviated_options)
{
	static struct t_out o;
	char marker[160], script[200];
	const char *p;

	if (!ck_binary() || !(p = ck_file("ok.json", "{\"defaultAction\": "
						     "\"SCMP_ACT_ALLOW\"}")))
		return;
	snprintf(marker, sizeof(marker), "%s/ran", ck_dir);
	snprintf(script, sizeof(script), "touch %s", marker);
	CMD(&o, "run", "--priv", "--", "/bin/sh", "-c", script);
	CHECK_EQ(o.status, 125);
	CHECK_CONTAINS(o.text, "unknown option '--priv' (did you mean "
			       "'--privileged'?)");
	CHECK(access(marker, F_OK) != 0);
	CMD(&o, "run", "--security=seccomp=unconfined", "--", "/bin/sh", "-c",
	    script);
	CHECK_EQ(o.status, 125);
	CHECK(access(marker, F_OK) != 0);
	CMD(&o, "check", "--stric", p);
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.text, "unknown option '--stric' (did you mean "
			       "'--strict'?)");
	CMD(&o, "compile", "--nat=x86_64", p, "-o", "/dev/null");
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.text, "unknown option '--nat' (did you mean "
			       "'--native'?)");
	CMD(&o, "explain", "--ab", "x86", p, "read");
	CHECK_EQ(o.status, 2);
	CMD(&o, "check", "--strictt", p);
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.text, "(did you mean '--strict'?)");
	/* whole names still work */
	CMD(&o, "check", "--strict", "--native=x86_64", p);
	CHECK_EQ(o.status, 0);
	CMD(&o, "check", "--native");
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.text, "option '--native' needs a value");
}

/* ---- the analyses against brute force ----------------------------------
 * Random socket profiles (its three arguments are C ints) whose
 * comparison data lie in {0, 1, 2, 5, 7, 2^32, 2^32 + 3, 2^33} and whose
 * SCMP_CMP_MASKED_EQ masks use only bits 0-2, 32 and 33: on such data
 * every condition is constant on the pieces a small grid of values visits
 * (h << 32 | l, h in {0..6, 0xffffffff}, l in {0..9, 16..23, 0xffffffff}:
 * every interval between data points with every pattern of the masked
 * bits), so deciding every call of the grid through the library's
 * evaluator is ground truth for "this rule decides some call" and
 * "setting upper bits gets a denied call through". check must report
 * exactly those. */

struct prop_rule {
	uint32_t action;
	const char *json_action;
	unsigned nconds;
	unsigned arg[2], op[2];
	uint64_t v[2], v2[2];
};

static const char *const prop_ops[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};

static bool prop_holds(unsigned op, uint64_t a, uint64_t v, uint64_t v2)
{
	switch (op) {
	case 6:
		return (a & v) == (v2 & v);
	case 0:
		return a != v;
	case 1:
		return a < v;
	case 2:
		return a <= v;
	case 3:
		return a == v;
	case 4:
		return a >= v;
	default:
		return a > v;
	}
}

static uint64_t prop_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const uint64_t prop_grid_h[] = {0, 1, 2, 3, 4, 5, 6, 0xffffffffULL};
static const uint64_t prop_grid_l[] = {0,
				       1,
				       2,
				       3,
				       4,
				       5,
				       6,
				       7,
				       8,
				       9,
				       16,
				       17,
				       18,
				       19,
				       20,
				       21,
				       22,
				       23,
				       0xffffffffULL};
#define PROP_GRID (CF_ARRAY_SIZE_T(prop_grid_h) * CF_ARRAY_SIZE_T(prop_grid_l))
#define CF_ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t prop_val(size_t i)
{
	return prop_grid_h[i / CF_ARRAY_SIZE_T(prop_grid_l)] << 32 |
	       prop_grid_l[i % CF_ARRAY_SIZE_T(prop_grid_l)];
}

struct prop_diags {
	char shadowed[16]; /* per rule: shadowed-rule reported */
	char bypass[6], narrow[6];
	unsigned other;
};

static void prop_collect(void *ctx, const struct cf_diag *d)
{
	struct prop_diags *pd = ctx;
	unsigned k;

	if (!strcmp(d->id, "shadowed-rule") && d->pointer &&
	    sscanf(d->pointer, "/syscalls/%u", &k) == 1 && k < 16)
		pd->shadowed[k] = 1;
	else if (!strcmp(d->id, "int-arg-bypass") && d->pointer)
		pd->bypass[strstr(d->msg, "argument 1 of")   ? 1
			   : strstr(d->msg, "argument 0 of") ? 0
							     : 2] = 1;
	else if (!strcmp(d->id, "int-arg-narrow"))
		pd->narrow[strstr(d->msg, "argument 1 of")   ? 1
			   : strstr(d->msg, "argument 0 of") ? 0
							     : 2] = 1;
	else
		pd->other++;
}

static bool prop_allowing(uint32_t a)
{
	return (a & 0xffff0000U) == 0x7fff0000U ||
	       (a & 0xffff0000U) == 0x7ffc0000U;
}

TEST(check_analyses_match_brute_force)
{
	static const uint64_t data[] = {
	    0, 1, 2, 5, 7, 1ULL << 32, (1ULL << 32) + 3, 1ULL << 33};
	static const uint64_t masks[] = {
	    1, 3, 5, 7, 0x100000001ULL, 0x300000000ULL, 0x100000007ULL};
	static const uint64_t twos[] = {0,
					1,
					2,
					5,
					7,
					1ULL << 32,
					(1ULL << 32) + 5,
					(1ULL << 33) + 1,
					3ULL << 32};
	static const struct {
		const char *json;
		uint32_t ret;
	} acts[] = {{"SCMP_ACT_ALLOW", 0x7fff0000U},
		    {"SCMP_ACT_LOG", 0x7ffc0000U},
		    {"SCMP_ACT_ERRNO", 0x00050001U},
		    {"SCMP_ACT_KILL", 0}};
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned mismatches = 0, shadowed = 0, bypasses = 0;
	struct cf_target t;
	int64_t nr;

	ck_target(&t);
	nr = cf_syscall_number(t.native, "socket");
	for (int round = 0; round < 150; round++) {
		struct prop_rule r[6];
		unsigned n = 1 + (unsigned)(prop_rand(&seed) % 5);
		bool def_allow = prop_rand(&seed) % 3 == 0;
		char json[4096];
		int off;
		struct cf_profile *p;
		struct cf_filter *f;
		struct cf_error err;
		struct prop_diags pd = {{0}, {0}, {0}, 0};
		bool decides[6] = {0}, differs[6] = {0}, sat[6] = {0};
		bool tb[3] = {0}, tn[3] = {0};

		off = snprintf(json, sizeof(json),
			       "{\"defaultAction\": \"%s\", \"syscalls\": [",
			       def_allow ? "SCMP_ACT_ALLOW" : "SCMP_ACT_ERRNO");
		for (unsigned i = 0; i < n; i++) {
			unsigned a = (unsigned)(prop_rand(&seed) % 4);

			r[i].action = acts[a].ret;
			r[i].json_action = acts[a].json;
			r[i].nconds = (unsigned)(prop_rand(&seed) % 3);
			if (prop_rand(&seed) % 4)
				r[i].nconds += !r[i].nconds;
			r[i].arg[0] = (unsigned)(prop_rand(&seed) % 2);
			r[i].arg[1] = !r[i].arg[0];
			off += snprintf(json + off, sizeof(json) - (size_t)off,
					"%s{\"names\": [\"socket\"], "
					"\"action\":"
					" \"%s\", \"args\": [",
					i ? ", " : "", r[i].json_action);
			for (unsigned c = 0; c < r[i].nconds; c++) {
				r[i].op[c] = (unsigned)(prop_rand(&seed) % 7);
				r[i].v[c] = data[prop_rand(&seed) %
						 CF_ARRAY_SIZE_T(data)];
				r[i].v2[c] = 0;
				if (r[i].op[c] == 6) {
					uint64_t m = prop_rand(&seed);

					r[i].v[c] = masks[m % 7];
					r[i].v2[c] = twos[(m >> 8) % 9];
				}
				off += snprintf(
				    json + off, sizeof(json) - (size_t)off,
				    "%s{\"index\": %u, \"value\": %llu, "
				    "\"valueTwo\": %llu, \"op\": \"%s\"}",
				    c ? ", " : "", r[i].arg[c],
				    (unsigned long long)r[i].v[c],
				    (unsigned long long)r[i].v2[c],
				    prop_ops[r[i].op[c]]);
			}
			off += snprintf(json + off, sizeof(json) - (size_t)off,
					"]}");
		}
		snprintf(json + off, sizeof(json) - (size_t)off, "]}");
		if (cf_profile_parse(json, strlen(json), "p.json", &p, &err)) {
			t_fail(__FILE__, __LINE__, "%s: %s", json, err.msg);
			return;
		}
		if (cf_check(p, &t, prop_collect, &pd, &err) < 0 ||
		    cf_compile(p, &t, &f, &err)) {
			t_fail(__FILE__, __LINE__, "%s: %s", json, err.msg);
			cf_profile_free(p);
			return;
		}
		for (size_t i = 0; i < PROP_GRID; i++)
			for (size_t j = 0; j < PROP_GRID; j++) {
				struct seccomp_data d = {
				    .nr = (int)nr,
				    .arch = cf_abi_audit_arch(t.native)};
				struct cf_decision dec, low;
				unsigned k;

				d.args[0] = prop_val(i);
				d.args[1] = prop_val(j);
				cf_filter_decide(f, &d, &dec);
				for (unsigned q = 0; q < n; q++) {
					bool ok = true;

					for (unsigned c = 0; c < r[q].nconds;
					     c++)
						ok &= prop_holds(
						    r[q].op[c],
						    d.args[r[q].arg[c]],
						    r[q].v[c], r[q].v2[c]);
					sat[q] |= ok;
					differs[q] |=
					    ok && dec.action != r[q].action;
				}
				if (dec.pointer &&
				    sscanf(dec.pointer, "/syscalls/%u", &k) ==
					1 &&
				    k < 6)
					decides[k] = true;
				for (unsigned a = 0; a < 2; a++) {
					struct seccomp_data e = d;

					e.args[a] &= 0xffffffffULL;
					cf_filter_decide(f, &e, &low);
					if (prop_allowing(dec.action) &&
					    !prop_allowing(low.action))
						tb[a] = true;
					else if (dec.action != low.action)
						tn[a] = true;
				}
			}
		for (unsigned q = 0; q < n; q++) {
			bool dropped = r[q].action ==
				       (def_allow ? 0x7fff0000U : 0x00050001U);
			bool want =
			    !dropped && !decides[q] && (!sat[q] || differs[q]);

			shadowed += want;
			if (want != (bool)pd.shadowed[q]) {
				mismatches++;
				t_fail(__FILE__, __LINE__,
				       "rule %u: shadowed-rule %s, brute force "
				       "%s: %s",
				       q, pd.shadowed[q] ? "reported" : "not",
				       want ? "shadowed" : "not", json);
			}
		}
		for (unsigned a = 0; a < 2; a++) {
			bypasses += tb[a];
			if (tb[a] != (bool)pd.bypass[a] ||
			    (!tb[a] && tn[a]) != (bool)pd.narrow[a]) {
				mismatches++;
				t_fail(__FILE__, __LINE__,
				       "arg %u: bypass %d/%d narrow %d/%d "
				       "(reported/brute force): %s",
				       a, pd.bypass[a], tb[a], pd.narrow[a],
				       tn[a], json);
			}
		}
		cf_filter_free(f);
		cf_profile_free(p);
		if (mismatches > 3)
			return;
	}
	CHECK_EQ(mismatches, 0);
	/* the sample holds both kinds */
	CHECK(shadowed > 10);
	CHECK(bypasses > 10);
	t_note("%u shadowed rules, %u bypassable arguments", shadowed,
	       bypasses);
}

/* cf_check without a callback counts: Docker's default has one warning. */
TEST(check_counts_without_a_callback)
{
	struct cf_profile *p = NULL;
	struct cf_target t;
	struct cf_error err;
	size_t len;
	char *text = t_fixture_read("docker-default.json", &len);

	if (!text)
		return;
	if (CHECK(cf_target_default(&t, &err) == 0) &&
	    CHECK(cf_profile_parse(text, len, "docker-default.json", &p,
				   &err) == 0))
		CHECK_EQ(cf_check(p, &t, NULL, NULL, &err), 1);
	cf_profile_free(p);
	free(text);
}
