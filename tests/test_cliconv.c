/* SPDX-License-Identifier: Apache-2.0 */
/* The command-line conventions every command keeps (issue 14): --version
 * says what the tool carries, -h and --help work on every command, a
 * command that prints a result can print it as JSON, and `callfence list`
 * names what shell completion offers. */
#include "t.h"

#include "callfence.h"

#include <stdlib.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

struct res {
	int status; /* exit code, or -1 */
	char text[1 << 17];
};

/* Runs "callfence ARGS" through the shell; stdout only unless ARGS
 * redirect. */
static void cf_sh(struct res *r, const char *args)
{
	char cmd[1024];
	size_t len = 0, got;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' %s", t_callfence_bin(), args);
	r->status = -1;
	r->text[0] = 0;
	if (!(p = popen(cmd, "r")))
		return;
	while ((got = fread(r->text + len, 1, sizeof(r->text) - 1 - len, p)))
		len += got;
	r->text[len] = 0;
	st = pclose(p);
	if (st != -1 && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TEST(cliconv_version_names_table_and_builtin_origin)
{
	static struct res r;
	char want[128];

	cf_sh(&r, "--version");
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.text, "callfence ");
	snprintf(want, sizeof(want), "syscall table: Linux %s\n",
		 cf_syscall_table_linux());
	CHECK_CONTAINS(r.text, want);
	CHECK_CONTAINS(r.text, "built-in profile: Docker's default");
	CHECK_EQ(count_lines(r.text), 3);
	cf_sh(&r, "--version --json");
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.text, "\"syscall_table_linux\": \"7.1.3\"");
	CHECK_CONTAINS(r.text, "\"builtin_profile\": \"Docker's default");
	cf_sh(&r, "--version --bogus 2>/dev/null");
	CHECK_EQ(r.status, 2);
}

/* The release in lib/catalog.c is the one the generated table was made
 * from (its first line). */
TEST(cliconv_table_release_matches_generated_table)
{
	FILE *f = fopen("lib/syscalls_table.c", "r");
	char line[256] = "", want[64];

	if (!f) {
		t_skip("lib/syscalls_table.c not found (run from the tree)");
		return;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	snprintf(want, sizeof(want), "the Linux %s syscall tables",
		 cf_syscall_table_linux());
	CHECK_CONTAINS(line, want);
}

TEST(cliconv_help_on_every_command)
{
	static const char *const forms[] = {"-h", "--help"};
	static struct res r, cmds;
	char args[128], *save = NULL, *name;

	cf_sh(&cmds, "list commands");
	CHECK_EQ(cmds.status, 0);
	CHECK(count_lines(cmds.text) >= 7);
	for (name = strtok_r(cmds.text, "\n", &save); name;
	     name = strtok_r(NULL, "\n", &save)) {
		for (size_t i = 0; i < 2; i++) {
			snprintf(args, sizeof(args), "%s %s", name, forms[i]);
			cf_sh(&r, args);
			if (r.status != 0 || strncmp(r.text, "usage: ", 7))
				t_fail(
				    __FILE__, __LINE__,
				    "'callfence %s': exit %d, output '%.60s'",
				    args, r.status, r.text);
			else
				CHECK(true);
		}
		snprintf(args, sizeof(args), "help %s", name);
		cf_sh(&r, args);
		CHECK_EQ(r.status, 0);
		CHECK(!strncmp(r.text, "usage: ", 7));
	}
	cf_sh(&r, "-h");
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.text, "  list ");
	/* the two commands that had only --help */
	cf_sh(&r, "default -h");
	CHECK(r.status == 0 && !strncmp(r.text, "usage: ", 7));
	cf_sh(&r, "disasm -h");
	CHECK(r.status == 0 && !strncmp(r.text, "usage: ", 7));
}

TEST(cliconv_list_syscalls_abis_caps)
{
	static struct res r;
	size_t pos = 0, n = 0;
	uint32_t nr = 0;
	const char *name;
	int x32 = cf_abi_lookup("x32");

	/* the API: every name of the table, numbers as cf_syscall_number */
	while ((name = cf_syscall_next(x32, &pos, &nr))) {
		n++;
		if ((int64_t)nr != cf_syscall_number(x32, name))
			t_fail(__FILE__, __LINE__, "%s: %u", name, nr);
	}
	CHECK(n > 300);
	pos = 0;
	CHECK(!cf_syscall_next(cf_abi_lookup("s390"), &pos, NULL));
	CHECK(!cf_syscall_next(-1, &pos, NULL));

	cf_sh(&r, "list syscalls --abi x32");
	CHECK_EQ(r.status, 0);
	CHECK_EQ(count_lines(r.text), n);
	CHECK_CONTAINS(r.text, "\nopenat\n");
	cf_sh(&r, "list --json --abi=aarch64 syscalls");
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.text, "{\"name\": \"openat\", \"nr\": 56}");
	CHECK(!strstr(r.text, "\"open\""));
	cf_sh(&r, "list abis");
	CHECK_EQ(r.status, 0);
	CHECK(!strncmp(r.text, "x86_64\nx86\nx32\n", 15));
	CHECK(!strstr(r.text, "s390\n")); /* no table: --native refuses it */
	cf_sh(&r, "list --json abis");
	CHECK_CONTAINS(r.text,
		       "\"name\": \"s390\", \"oci\": \"SCMP_ARCH_S390\", "
		       "\"go\": \"s390\", \"supported\": false");
	cf_sh(&r, "list caps");
	CHECK_EQ(r.status, 0);
	CHECK(!strncmp(r.text, "CAP_CHOWN\n", 10));
	CHECK_CONTAINS(r.text, "\nCAP_SYS_ADMIN\n");
	cf_sh(&r, "list --json commands");
	CHECK_CONTAINS(r.text, "{\"name\": \"run\", \"summary\": ");
	cf_sh(&r, "list 2>&1");
	CHECK_EQ(r.status, 2);
	cf_sh(&r, "list sycalls 2>&1");
	CHECK_EQ(r.status, 2);
	CHECK_CONTAINS(r.text, "unknown list 'sycalls'");
	cf_sh(&r, "list --abi s390 syscalls 2>&1");
	CHECK_EQ(r.status, 2);
	cf_sh(&r, "list --js abis 2>&1"); /* no abbreviations */
	CHECK_EQ(r.status, 2);
}

TEST(cliconv_disasm_json)
{
	static struct res r;
	char path[] = "/tmp/cf-cliconv-XXXXXX", args[256];
	int fd = mkstemp(path);

	if (fd < 0) {
		t_fail(__FILE__, __LINE__, "mkstemp");
		return;
	}
	close(fd);
	snprintf(args, sizeof(args), "compile builtin -o %s", path);
	cf_sh(&r, args);
	CHECK_EQ(r.status, 0);
	snprintf(args, sizeof(args), "disasm --json %s", path);
	cf_sh(&r, args);
	CHECK_EQ(r.status, 0);
	CHECK(!strncmp(r.text,
		       "[\n  {\"index\": 0, \"code\": 32, \"jt\": 0, "
		       "\"jf\": 0, \"k\": 4, \"text\": \"lda  arch\"}",
		       60));
	CHECK_CONTAINS(r.text, "\"text\": \"ret  SCMP_ACT_ALLOW\"}");
	CHECK(strlen(r.text) > 2 &&
	      !strcmp(r.text + strlen(r.text) - 2, "]\n"));
	snprintf(args, sizeof(args), "disasm --jsn %s 2>&1", path);
	cf_sh(&r, args);
	CHECK_EQ(r.status, 2);
	unlink(path);
}

/* On a terminal too, callfence prints no colour or other escape sequence
 * (so NO_COLOR holds however it is set): stdout and stderr on a pty. */
static void on_pty(const char *const *args, char *buf, size_t size)
{
	int master, status;
	size_t len = 0;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);

	buf[0] = 0;
	if (pid < 0)
		return;
	if (pid == 0) {
		unsetenv("NO_COLOR");
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	for (;;) {
		ssize_t r = read(master, buf + len, size - 1 - len);

		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = 0;
	close(master);
	waitpid(pid, &status, 0);
}

TEST(cliconv_no_escape_sequences_on_a_terminal)
{
	static char buf[1 << 16];
	char path[] = "/tmp/cf-cliconv-XXXXXX";
	const char *bin = t_callfence_bin();
	const char *const cases[][6] = {
	    {bin, "--help", NULL},
	    {bin, "check", path, NULL},
	    {bin, "explain", "builtin", "openat", NULL},
	    {bin, "compile", path, "-o", "/dev/null", NULL},
	    {bin, "list", "abis", NULL},
	    {bin, "nosuch", NULL},
	};
	static const char profile[] =
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"bogus\": 1,\n"
	    " \"syscalls\": [{\"names\": [\"nosuchcall\"], "
	    "\"action\": \"SCMP_ACT_ALLOW\"}]}\n";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, profile, sizeof(profile) - 1) < 0) {
		t_fail(__FILE__, __LINE__, "cannot write %s", path);
		return;
	}
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		on_pty(cases[i], buf, sizeof(buf));
		CHECK(buf[0] != 0);
		if (strchr(buf, '\033'))
			t_fail(__FILE__, __LINE__, "'%s %s': escape in '%s'",
			       cases[i][1], cases[i][2] ? cases[i][2] : "",
			       buf);
		else
			CHECK(true);
	}
	on_pty(cases[1], buf, sizeof(buf));
	CHECK_CONTAINS(buf, "warning");
	unlink(path);
}
