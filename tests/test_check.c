/* SPDX-License-Identifier: Apache-2.0 */
/* callfence check: notes and warnings, --strict / --ignore, shadowed
 * rules, capability names, int arguments compared in 64 bits; the lints
 * every command shows; options matched whole in every command. Run
 * through the built binary, with decisions confirmed by the library. */
#include "t.h"

#include "callfence.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct res {
	int status; /* exit code, or -1 */
	char text[65536]; /* stdout then stderr */
};

static void ck_cmd(struct res *o, const char *const *args)
{
	const char *argv[32] = { t_callfence_bin() };
	int n = 1, pipefd[2], status;
	size_t len = 0;
	pid_t pid;

	while (n < 31 && args[n - 1])
		argv[n] = args[n - 1], n++;
	argv[n] = NULL;
	o->status = -1;
	o->text[0] = 0;
	if (pipe2(pipefd, O_CLOEXEC))
		return;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execv(argv[0], (char *const *)argv);
		_exit(126);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t r = read(pipefd[0], o->text + len,
				 sizeof(o->text) - 1 - len);

		if (r <= 0)
			break;
		len += (size_t)r;
	}
	o->text[len] = 0;
	close(pipefd[0]);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		o->status = WEXITSTATUS(status);
}

#define CMD(o, ...) ck_cmd(o, (const char *const[]){ __VA_ARGS__, NULL })

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
	struct seccomp_data d = { .nr = (int)nr,
				  .arch = cf_abi_audit_arch(
					  cf_abi_lookup("x86_64")) };
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
	struct seccomp_data d = { .nr = (int)nr,
				  .arch = cf_abi_audit_arch(
					  cf_abi_lookup("x86_64")) },
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
	static struct res o;
	const char *p;
	char *text, *v;
	size_t len;
	struct cf_profile *prof;
	struct cf_filter *f;
	struct cf_target t;
	struct cf_error err;
	uint64_t a[6] = { 0 }, low[6] = { 0 };
	int64_t nr;

	if (!ck_binary() || !(text = t_fixture_read("docker-default.json",
						    &len)))
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
	CHECK_EQ(decide(f, (uint32_t)nr, a), 0x7fff0000U); /* ALLOW */
	CHECK_EQ(decide(f, (uint32_t)nr, low), 0x00050001U); /* EPERM */
	CHECK_EQ(run_prog(f, (uint32_t)nr, a), 0x7fff0000U);
	CHECK_EQ(run_prog(f, (uint32_t)nr, low), 0x00050001U);
	cf_filter_free(f);
	cf_profile_free(prof);
	free(text);
}

/* Written so that upper bits can only deny: no bypass, the narrowing is
 * a note; a deny-list with EQ under an ALLOW default is bypassed. */
TEST(check_int_arg_hardened)
{
	static struct res o;
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

static const char shadow_profile[] =
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
	" {\"names\": [\"ptrace\", \"kill\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
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
	"\"args\": [{\"index\": 2, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}"
	"]}\n";

/* Rules that never apply: after an unconditional rule, before one,
 * covered by an earlier argument rule or by several, or never true. Not
 * warned: a rule some call reaches, one covered by rules of its own
 * action, and one the MASKED_EQ sample cannot settle. */
TEST(check_shadowed_rules)
{
	static struct res o;
	const char *p;

	if (!ck_binary() || !(p = ck_file("shadow.json", shadow_profile)))
		return;
	CMD(&o, "check", "--native", "x86_64", "--ignore", "absent-on-abi",
	    p);
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
	/* reached (6..10), redundant (same action), MASKED_EQ: silent */
	CHECK(!strstr(o.text, "/syscalls/4/names/0: this rule"));
	CHECK(!strstr(o.text, "/syscalls/5/names/0: this rule"));
	CHECK(!strstr(o.text, "/syscalls/10/names/0: this rule"));
	CHECK(!strstr(o.text, "'kill'"));
	CHECK_EQ(count(o.text, "[shadowed-rule]"), 5);
	/* a shadowed rule is not reported again as an overlap */
	CHECK(!strstr(o.text, "/syscalls/3: argument rules of 'mmap'"));
	CMD(&o, "check", "--strict", "--native", "x86_64", p);
	CHECK_EQ(o.status, 1);
}

/* compile and run show what check shows about rules (through the
 * target's diagnostics): shadowed and overlapping rules. */
TEST(check_rule_lints_in_every_command)
{
	static struct res o;
	char out[160];
	const char *p;

	if (!ck_binary() || !(p = ck_file("shadow.json", shadow_profile)))
		return;
	snprintf(out, sizeof(out), "%s/out.bpf", ck_dir);
	CMD(&o, "compile", "--native", "x86_64", p, "-o", out);
	CHECK_EQ(o.status, 0);
	CHECK_EQ(count(o.text, "[shadowed-rule]"), 5);
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
	/* run's own printer (cli/cmd_run.c) shows no ids */
	CHECK_EQ(count(o.text, ") never applies"), 5);
	CHECK_CONTAINS(o.text, "overlap with different actions");
}

/* includes/excludes caps are compared as exact strings by Docker. */
TEST(check_cap_never_matches)
{
	static struct res o;
	const char *p;

	if (!ck_binary())
		return;
	p = ck_file("caps.json",
		    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		    " {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", "
		    "\"includes\": {\"caps\": [\"SYS_ADMIN\"]}},\n"
		    " {\"names\": [\"umount2\"], \"action\": \"SCMP_ACT_ALLOW\","
		    " \"includes\": {\"caps\": [\"CAP_CHOWN\", "
		    "\"CAP_SYS_ADMN\"]}},\n"
		    " {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ALLOW\", "
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
	static struct res o;
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
	static struct res o;
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
