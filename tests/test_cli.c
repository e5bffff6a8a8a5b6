/* SPDX-License-Identifier: Apache-2.0 */
/* The callfence command (not run: tests/test_run.c): exit codes, outputs,
 * and a compiled file the kernel accepts. */
#include "t.h"
#include "tfiles.h"

#include "callfence.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs build/callfence with args (NULL-terminated after first). */
static void cf_cmd(struct t_out *o, const char *first, ...)
{
	const char *argv[31] = {first};
	int n = 1;
	va_list ap;

	va_start(ap, first);
	while (n < 30 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	t_callfence(o, argv);
}

static char shared_profile[4096];

static const char *fixture(const char *name)
{
	const char *dir = t_shared();

	if (!dir)
		return NULL;
	snprintf(shared_profile, sizeof(shared_profile),
		 "%s/fixtures/profiles/%s", dir, name);
	return shared_profile;
}

static bool binary_present(void)
{
	if (access(t_callfence_bin(), X_OK) == 0)
		return true;
	t_fail(__FILE__, __LINE__, "%s is missing (make all first)",
	       t_callfence_bin());
	return false;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

TEST(cli_compile_raw_loads_in_the_kernel)
{
	static struct t_out o;
	const char *p;
	char path[] = "/tmp/cf-cli-XXXXXX";
	int fd;
	pid_t pid;

	if (!binary_present() || !(p = fixture("docker-default.json")))
		return;
	fd = mkstemp(path);
	close(fd);
	cf_cmd(&o, "compile", "--caps", "default", "--kernel", "6.18", p, "-o",
	       path, NULL);
	CHECK_EQ(o.status, 0);
	CHECK(file_size(path) > 0 && file_size(path) % 8 == 0);
	pid = fork();
	if (pid == 0) {
		static struct sock_filter insns[4096];
		int in = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = read(in, insns, sizeof(insns));
		struct sock_fprog prog = {(unsigned short)(n / 8), insns};

		CHILD_CHECK(n > 0);
		CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
		CHILD_CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
				    &prog) == 0);
		/* in force: kcmp is denied with EPERM, getpid works */
		CHILD_CHECK(syscall(SYS_kcmp, 0, 0, 0, 0, 0) == -1 &&
			    errno == EPERM);
		CHILD_CHECK(getpid() > 0);
		_exit(0);
	}
	CHECK_CHILD(pid);
	cf_cmd(&o, "disasm", path, NULL);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text, "   0: lda  arch");
	CHECK_CONTAINS(o.text, "ret  SCMP_ACT_ALLOW");
	cf_cmd(&o, "compile", "--format", "hex", p, "-o", path, NULL);
	CHECK_EQ(o.status, 0);
	cf_cmd(&o, "compile", "--format", "c", p, "-o", path, NULL);
	CHECK_EQ(o.status, 0);
	unlink(path);
}

TEST(cli_compile_unconfined_and_rejected)
{
	static struct t_out o;
	char dir[] = "/tmp/cf-cli-XXXXXX", prof[256], out[256];
	FILE *f;

	if (!binary_present() || !mkdtemp(dir))
		return;
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	snprintf(out, sizeof(out), "%s/out.bpf", dir);
	f = fopen(prof, "we");
	fputs("{}", f);
	fclose(f);
	cf_cmd(&o, "compile", prof, "-o", out, NULL);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text, "unconfined");
	CHECK_EQ(file_size(out), 0);
	unlink(out);
	f = fopen(prof, "we");
	fputs("{\"defaultAction\": \"SCMP_ACT_ALOW\"}", f);
	fclose(f);
	cf_cmd(&o, "compile", prof, "-o", out, NULL);
	CHECK_EQ(o.status, 1);
	CHECK_CONTAINS(o.text, "p.json:1:19: /defaultAction: unknown action "
			       "'SCMP_ACT_ALOW' (did you mean "
			       "'SCMP_ACT_ALLOW'?)");
	CHECK_EQ(file_size(out), -1);
	cf_cmd(&o, "compile", "/nonexistent/p.json", "-o", out, NULL);
	CHECK_EQ(o.status, 1);
	CHECK_CONTAINS(o.text, "cannot open profile");
	unlink(prof);
	rmdir(dir);
}

static size_t count_of(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *t = text; (t = strstr(t, needle)); t++)
		n++;
	return n;
}

/* What the parser notices (an unknown key, an errno name) reaches every
 * command through the one diagnostics callback, once each. */
TEST(cli_parse_warnings_reach_compile_run_and_check)
{
	static struct t_out o;
	char dir[] = "/tmp/cf-cli-XXXXXX", prof[256], out[256], opt[300];
	FILE *f;

	if (!binary_present() || !mkdtemp(dir))
		return;
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	snprintf(out, sizeof(out), "%s/out.bpf", dir);
	snprintf(opt, sizeof(opt), "seccomp=%s", prof);
	f = fopen(prof, "we");
	fputs("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"sycalls\": [],\n"
	      " \"syscalls\": [{\"names\": [\"kcmp\"], \"action\": "
	      "\"SCMP_ACT_ERRNO\", \"errno\": \"EPERM\"}]}",
	      f);
	fclose(f);
	cf_cmd(&o, "compile", prof, "-o", out, NULL);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text, "p.json:1:37: /sycalls: unknown key 'sycalls' "
			       "ignored (did you mean 'syscalls'?) "
			       "[unknown-key]");
	CHECK_CONTAINS(o.text, "p.json:2:15: /syscalls/0: errno name 'EPERM' "
			       "without errnoRet");
	cf_cmd(&o, "run", "--security-opt", opt, "--", "true", NULL);
	CHECK_EQ(o.status, 0);
	CHECK_EQ(count_of(o.text, "[unknown-key]"), 1);
	CHECK_EQ(count_of(o.text, "[errno-name]"), 1);
	cf_cmd(&o, "check", prof, NULL);
	CHECK_EQ(o.status, 0);
	CHECK_EQ(count_of(o.text, "[unknown-key]"), 1);
	CHECK_EQ(count_of(o.text, "[errno-name]"), 1);
	cf_cmd(&o, "check", "--ignore", "unknown-key", prof, NULL);
	CHECK_EQ(count_of(o.text, "[unknown-key]"), 0);
	unlink(out);
	unlink(prof);
	rmdir(dir);
}

TEST(cli_usage_and_hints)
{
	static struct t_out o;

	if (!binary_present())
		return;
	cf_cmd(&o, "compil", NULL);
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.text, "did you mean 'compile'?");
	cf_cmd(&o, "compile", "builtin", NULL);
	CHECK_EQ(o.status, 2);
	cf_cmd(&o, "compile", "--caps", "default+CAP_SYS_ADMN", "builtin", "-o",
	       "/dev/null", NULL);
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.text, "did you mean 'CAP_SYS_ADMIN'?");
	cf_cmd(&o, "--help", NULL);
	CHECK_EQ(o.status, 0);
	cf_cmd(&o, "explain", "builtin", NULL);
	CHECK_EQ(o.status, 2);
}

TEST(cli_explain_names_the_rule)
{
	static struct t_out o;
	const char *p;

	if (!binary_present() || !(p = fixture("docker-default.json")))
		return;
	cf_cmd(&o, "explain", "--caps", "default", "--kernel", "6.18", p,
	       "personality", "0xffffffff", NULL);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text, "personality (x86_64 nr 135): SCMP_ACT_ALLOW");
	CHECK_CONTAINS(o.text, "/syscalls/9/names/0");
	CHECK_CONTAINS(o.text, "kernel cache: no (the filter runs");
	cf_cmd(&o, "explain", p, "personality", "1", NULL);
	CHECK_CONTAINS(o.text, "SCMP_ACT_ERRNO(1)");
	cf_cmd(&o, "explain", p, "read", NULL);
	CHECK_CONTAINS(o.text, "kernel cache: yes");
	cf_cmd(&o, "explain", "--abi", "x32", p, "read", NULL);
	CHECK_CONTAINS(o.text, "kernel cache: no (the kernel keeps no cache");
	cf_cmd(&o, "explain", "--json", p, "getpid", NULL);
	CHECK_CONTAINS(o.text, "\"kernel_cache\": true");
	cf_cmd(&o, "explain", "--json", p, "clone3", NULL);
	CHECK_CONTAINS(o.text, "\"action\": \"SCMP_ACT_ERRNO(38)\"");
	cf_cmd(&o, "explain", "--caps", "default+CAP_SYS_ADMIN", p, "clone3",
	       NULL);
	CHECK_CONTAINS(o.text, "SCMP_ACT_ALLOW");
	cf_cmd(&o, "explain", "--abi", "aarch64", p, "read", NULL);
	CHECK_CONTAINS(o.text, "SCMP_ACT_KILL_THREAD");
	cf_cmd(&o, "explain", p, "nosuchcall", NULL);
	CHECK_EQ(o.status, 2);
	/* options after the arguments, as the synopsis writes them */
	cf_cmd(&o, "explain", p, "socket", "2", "--abi", "x86_64", "--caps",
	       "none", NULL);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text, "socket (x86_64 nr 41): SCMP_ACT_ALLOW");
	cf_cmd(&o, "explain", p, "socket", "40", "--abi", "x86", NULL);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text, "socket (x86 nr 359): SCMP_ACT_ERRNO(1)");
}

TEST(cli_check_and_default)
{
	static struct t_out o;
	const char *p;
	struct cf_profile *prof = NULL;
	struct cf_error err;

	if (!binary_present() || !(p = fixture("docker-default.json")))
		return;
	cf_cmd(&o, "check", p, NULL);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text, "[int-arg-bypass]");
	cf_cmd(&o, "check", "--strict", p, NULL);
	CHECK_EQ(o.status, 1);
	cf_cmd(&o, "check", "--json", p, NULL);
	CHECK_EQ(o.status, 0);
	CHECK(o.text[0] == '[');
	CHECK_CONTAINS(o.text, "\"id\": \"mux-unenforceable\"");
	cf_cmd(&o, "check", "builtin", NULL);
	CHECK_EQ(o.status, 0);
	cf_cmd(&o, "default", NULL);
	CHECK_EQ(o.status, 0);
	CHECK(cf_profile_parse(o.text, strlen(o.text), "default", &prof,
			       &err) == 0);
	cf_profile_free(prof);
}

/* Overlapping argument rules with different actions: reported with a call
 * both match; disjoint ones (and the fixtures) are not. */
TEST(cli_check_overlapping_rules)
{
	static struct t_out o;
	char dir[] = "/tmp/cf-cli-XXXXXX", prof[256];
	const char *p;
	FILE *f;

	if (!binary_present() || !mkdtemp(dir))
		return;
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	f = fopen(prof, "we");
	fputs("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
	      " {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\", "
	      "\"args\": [{\"index\": 0, \"value\": 1, \"op\": "
	      "\"SCMP_CMP_EQ\"}]},\n"
	      " {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_LOG\", "
	      "\"args\": [{\"index\": 1, \"value\": 2, \"op\": "
	      "\"SCMP_CMP_EQ\"}]},\n"
	      " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", "
	      "\"args\": [{\"index\": 0, \"value\": 2, \"op\": "
	      "\"SCMP_CMP_EQ\"}]},\n"
	      " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_LOG\", "
	      "\"args\": [{\"index\": 0, \"value\": 2, \"op\": "
	      "\"SCMP_CMP_GT\"}]}]}\n",
	      f);
	fclose(f);
	cf_cmd(&o, "check", prof, NULL);
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.text, "p.json:3:2: /syscalls/1: argument rules of "
			       "'kill' overlap with different actions: "
			       "kill(0x1, 0x2, 0x0, 0x0, 0x0, 0x0) matches "
			       "/syscalls/0 (SCMP_ACT_ALLOW) and this rule "
			       "(SCMP_ACT_LOG)");
	CHECK(!strstr(o.text, "'socket' overlap"));
	cf_cmd(&o, "check", "--strict", prof, NULL);
	CHECK_EQ(o.status, 1);
	unlink(prof);
	rmdir(dir);
	if (!(p = fixture("podman-default.json")))
		return;
	cf_cmd(&o, "check", p, NULL);
	CHECK(!strstr(o.text, "overlapping-rules"));
}

/* Every command's options go through one parser (cli/options.c): an
 * unknown option, a valued option without its value and a flag given a
 * value are refused in the same words, with the usage, and the command's
 * usage status (run and record: 125); -h and --help print the usage and
 * exit 0. Each row: a flag (merge and agent have none) and a valued
 * option of the command. */
TEST(cli_every_command_parses_options_alike)
{
	static const struct {
		const char *cmd, *flag, *valued;
		int usage;
	} rows[] = {
	    {"check", "--json", "--native", 2},
	    {"compile", "--stats", "--format", 2},
	    {"explain", "--json", "--abi", 2},
	    {"disasm", "--json", "--annotate", 2},
	    {"merge", NULL, "--output", 2},
	    {"diff", "--json", "--kernel", 2},
	    {"convert", "--audit", "--output", 2},
	    {"inspect", "--json", "--pid", 2},
	    {"audit-log", "--kmsg", "--since", 2},
	    {"agent", NULL, "--policy", 2},
	    {"record", "--args", "--backend", 125},
	    {"oci-hook", "--install", "--wait", 2},
	    {"run", "--privileged", "--user", 125},
	};
	static struct t_out o;
	char usage[64], want[96], flag_value[64];

	if (!binary_present())
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *cmd = rows[i].cmd;

		snprintf(usage, sizeof(usage), "usage: callfence %s", cmd);
		cf_cmd(&o, cmd, "--no-such-option", NULL);
		CHECK_EQ(o.status, rows[i].usage);
		CHECK_CONTAINS(o.text, "unknown option '--no-such-option'");
		CHECK_CONTAINS(o.text, usage);
		cf_cmd(&o, cmd, rows[i].valued, NULL);
		CHECK_EQ(o.status, rows[i].usage);
		snprintf(want, sizeof(want), "option '%s' needs a value",
			 rows[i].valued);
		CHECK_CONTAINS(o.text, want);
		if (rows[i].flag) {
			snprintf(flag_value, sizeof(flag_value), "%s=x",
				 rows[i].flag);
			cf_cmd(&o, cmd, flag_value, NULL);
			CHECK_EQ(o.status, rows[i].usage);
			snprintf(want, sizeof(want),
				 "option '%s' takes no value", rows[i].flag);
			CHECK_CONTAINS(o.text, want);
		}
		cf_cmd(&o, cmd, "--help", NULL);
		CHECK_EQ(o.status, 0);
		CHECK_CONTAINS(o.text, usage);
		cf_cmd(&o, cmd, "-h", NULL);
		CHECK_EQ(o.status, 0);
		CHECK_CONTAINS(o.text, usage);
	}
}
