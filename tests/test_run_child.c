/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`, the child's side: what the filter answers callfence's own calls
 * after an early install (fake success must never cancel a privilege
 * drop), inherited descriptors, the user and groups and HOME docker run
 * would give, AppArmor/SELinux options of pasted command lines, and the
 * refusal to run setuid. Each asserts what the command could observe, or
 * that it did not run (a marker file it would have created).
 */
#include "t.h"
#include "tfiles.h"

#include "callfence.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <libgen.h>
#include <linux/audit.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------- */

static struct t_dir rc_d; /* the directory of the test that runs */

static void rc_write(const char *name, const char *text)
{
	FILE *f = fopen(t_join(rc_d.path, name), "we");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* "seccomp=<dir>/<name>" holding json. */
static const char *rc_profile(const char *name, const char *json)
{
	static char opt[4][4300];
	static int i;
	char *o = opt[i++ & 3];

	rc_write(name, json);
	snprintf(o, sizeof(opt[0]), "seccomp=%s", t_join(rc_d.path, name));
	return o;
}

/* The line "Key:\tvalue" of a /proc/self/status dump, without the key. */
static const char *rc_field(const char *status, const char *key)
{
	static char val[256];
	char k[64];
	const char *p;
	size_t n;

	snprintf(k, sizeof(k), "\n%s:", key);
	val[0] = 0;
	if (!strncmp(status, k + 1, strlen(k + 1)))
		p = status + strlen(k + 1);
	else if ((p = strstr(status, k)) != NULL)
		p += strlen(k);
	else
		return val;
	while (*p == '\t' || *p == ' ')
		p++;
	n = strcspn(p, "\n");
	while (n && p[n - 1] == ' ')
		n--;
	snprintf(val, sizeof(val), "%.*s", (int)n, p);
	return val;
}

struct rc_how {
	uid_t uid;	     /* run callfence as this uid (0: root) */
	const char *exe;     /* another callfence binary */
	const gid_t *groups; /* the invoker's groups (root only) */
	size_t ngroups;
	const char *fd_file; /* opened without O_CLOEXEC at fds 3, 9 */
};

/* Runs callfence run with args; stdout into <dir>/out, stderr into
 * <dir>/err. Returns its exit code (-1: could not run it). */
static int rc_cli_how(const struct rc_how *how, const char *const *args)
{
	char *argv[64];
	size_t n = 0;
	pid_t pid;
	int ws;
	char out[4200], err[4200];

	snprintf(out, sizeof(out), "%s", t_join(rc_d.path, "out"));
	snprintf(err, sizeof(err), "%s", t_join(rc_d.path, "err"));
	argv[n++] = (char *)(how->exe ? how->exe : t_callfence_bin());
	argv[n++] = (char *)"run";
	while (*args && n < 62)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(99);
		close(fo);
		close(fe);
		if (how->fd_file) {
			int fd = open(how->fd_file, O_RDONLY);

			if (fd < 0 || dup2(fd, 3) < 0 || dup2(fd, 9) < 0)
				_exit(99);
		}
		if (how->groups && setgroups(how->ngroups, how->groups) < 0)
			_exit(98);
		if (how->uid && (setgroups(0, NULL) ||
				 setresgid(how->uid, how->uid, how->uid) ||
				 setresuid(how->uid, how->uid, how->uid)))
			_exit(98);
		execv(argv[0], argv);
		_exit(97);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -1;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

#define CLI(...)                                                               \
	rc_cli_how(&(struct rc_how){0},                                        \
		   (const char *const[]){__VA_ARGS__, NULL})
#define CLI_HOW(how, ...)                                                      \
	rc_cli_how(how, (const char *const[]){__VA_ARGS__, NULL})

/* The command would create <dir>/ran: exit 125 and no marker. */
#define REFUSED(...)                                                           \
	do {                                                                   \
		remove(t_join(rc_d.path, "ran"));                              \
		CHECK_EQ(CLI(__VA_ARGS__, "touch", t_join(rc_d.path, "ran")),  \
			 125);                                                 \
		CHECK(!t_exists(t_join(rc_d.path, "ran")));                    \
	} while (0)

static bool rc_have_cli(void)
{
	if (access(t_callfence_bin(), X_OK) == 0)
		return true;
	t_fail(__FILE__, __LINE__, "%s is missing (make all first)",
	       t_callfence_bin());
	return false;
}

static const char rc_status[] =
    "grep -E '^(Uid|Gid|Groups|CapEff|Seccomp):' /proc/self/status; "
    "echo \"HOME:$HOME\"";

/* ---- item: fake success cannot cancel the privilege drop -------------- */

static const char *rc_one_rule(const char *call, const char *action,
			       const char *extra)
{
	static char json[512];

	snprintf(json, sizeof(json),
		 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
		 "[{\"names\": [\"%s\"], \"action\": \"%s\"%s}]}",
		 call, action, extra);
	return json;
}

TEST(run_child_fake_success_cannot_cancel_the_privilege_drop)
{
	static const char *const calls[] = {"setresuid", "setresgid",
					    "setgroups", "capset", "prctl"};
	const char *opt, *s;

	if (!t_need_root() || !rc_have_cli() || !t_fresh_dir(&rc_d, "runchild"))
		return;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		char want[64];

		opt = rc_profile("fake.json",
				 rc_one_rule(calls[i], "SCMP_ACT_ERRNO",
					     ", \"errnoRet\": 0"));
		REFUSED("--security-opt", opt, "--user", "nobody", "--cap-drop",
			"ALL");
		s = t_slurp(t_join(rc_d.path, "err"));
		snprintf(want, sizeof(want), " %s(", calls[i]);
		CHECK_CONTAINS(s, want);
		CHECK_CONTAINS(s, "SCMP_ACT_ERRNO(0)");
		CHECK_CONTAINS(s, "fake success");
		CHECK_CONTAINS(s, "fake.json:1:");
		CHECK_CONTAINS(s, "/syscalls/0");
		/* without --user, root still switches to root's entry */
		REFUSED("--security-opt", opt);
	}
	/* a real error, a trace, a kill: refused before fork too */
	REFUSED("--security-opt",
		rc_profile("e.json",
			   rc_one_rule("setgroups", "SCMP_ACT_ERRNO", "")),
		"--user", "nobody");
	CHECK_CONTAINS(t_slurp(t_join(rc_d.path, "err")), "would fail");
	REFUSED("--security-opt",
		rc_profile("t.json", rc_one_rule("capset", "SCMP_ACT_TRACE",
						 ", \"errnoRet\": 1")));
	CHECK_CONTAINS(t_slurp(t_join(rc_d.path, "err")), "tracer");
	REFUSED("--security-opt",
		rc_profile("k.json",
			   rc_one_rule("prctl", "SCMP_ACT_KILL_PROCESS", "")));
	CHECK_CONTAINS(t_slurp(t_join(rc_d.path, "err")), "killed");

	/* LOG lets the call run: nobody, no capabilities */
	opt = rc_profile("log.json",
			 rc_one_rule("setresuid", "SCMP_ACT_LOG", ""));
	CHECK_EQ(CLI("--security-opt", opt, "--user", "nobody", "--cap-drop",
		     "ALL", "sh", "-c", rc_status),
		 0);
	s = t_slurp(t_join(rc_d.path, "out"));
	CHECK_STR(rc_field(s, "Uid"), "65534\t65534\t65534\t65534");
	CHECK_STR(rc_field(s, "CapEff"), "0000000000000000");

	/* with no-new-privileges the filter goes in after the drop */
	opt = rc_profile("nnp.json", rc_one_rule("setresuid", "SCMP_ACT_ERRNO",
						 ", \"errnoRet\": 0"));
	CHECK_EQ(CLI("--security-opt", opt, "--security-opt",
		     "no-new-privileges", "--user", "nobody", "--cap-drop",
		     "ALL", "sh", "-c", rc_status),
		 0);
	s = t_slurp(t_join(rc_d.path, "out"));
	CHECK_STR(rc_field(s, "Uid"), "65534\t65534\t65534\t65534");
	CHECK_STR(rc_field(s, "CapEff"), "0000000000000000");
	CHECK_STR(rc_field(s, "Seccomp"), "2");
}

TEST(run_child_execve_fake_success_is_named)
{
	const char *opt, *s;

	if (!rc_have_cli() || !t_fresh_dir(&rc_d, "runchild"))
		return;
	/* Podman-style default, but answering 0: execve would "succeed" */
	opt =
	    rc_profile("d0.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
				  "\"defaultErrnoRet\": 0, \"syscalls\": "
				  "[{\"names\": [\"faccessat2\"], \"action\": "
				  "\"SCMP_ACT_ALLOW\"}]}");
	REFUSED("--security-opt", opt, "--security-opt", "no-new-privileges");
	s = t_slurp(t_join(rc_d.path, "err"));
	CHECK_CONTAINS(s, "execve(");
	CHECK_CONTAINS(s, "defaultErrnoRet 0");
	CHECK_CONTAINS(s, "without running the command");
	CHECK(!strstr(s, "Input/output error"));
	if (geteuid() == 0) {
		REFUSED("--security-opt", opt);
		CHECK_CONTAINS(t_slurp(t_join(rc_d.path, "err")),
			       "fake success");
	}
	/* a filter that answers getpid with 0 does not matter to the start */
	opt = rc_profile("gp.json", rc_one_rule("getpid", "SCMP_ACT_ERRNO",
						", \"errnoRet\": 0"));
	CHECK_EQ(CLI("--security-opt", opt, "true"), 0);
}

#ifdef __x86_64__
#define RC_STMT(c, k) ((struct sock_filter){(c), 0, 0, (k)})
#define RC_JEQ(k, t, f)                                                        \
	((struct sock_filter){BPF_JMP | BPF_JEQ | BPF_K, t, f, k})

/* Allows exactly nrs (x86_64), answers everything else with other. */
static size_t rc_allow_only(struct sock_filter *p, const int *nrs, size_t n,
			    uint32_t other)
{
	return t_prog_listed(p, nrs, n, SECCOMP_RET_ALLOW, other);
}

/* A static program that only calls exit_group(0). */
static const char *rc_exit0(void)
{
	static char bin[4200];
	char cmd[9000];

	snprintf(bin, sizeof(bin), "%s", t_join(rc_d.path, "exit0"));
	rc_write("exit0.c", "void _start(void)\n{\n\t__asm__ volatile(\"mov "
			    "$231, %eax\\n xor %edi, %edi\\n syscall\");\n}\n");
	snprintf(cmd, sizeof(cmd),
		 "cc -nostdlib -static -fno-stack-protector -o %s %s.c "
		 "2>/dev/null",
		 bin, bin);
	if (system(cmd) != 0) {
		t_skip("cannot build a static program with cc -nostdlib");
		return NULL;
	}
	chmod(bin, 0755);
	return bin;
}

/* Between an early install and the command's first instruction callfence
 * makes no call but those it puts to the filter first: a program that
 * allows only them (and exit_group, the command's one call) kills any
 * other, and the start still succeeds. */
TEST(run_child_lib_makes_only_the_rehearsed_calls)
{
	static const int only[] = {SYS_prctl,	  SYS_setgroups, SYS_setresgid,
				   SYS_setresuid, SYS_getppid,	 SYS_capset,
				   SYS_execve,	  SYS_exit_group};
	static const uint32_t groups[] = {65534};
	struct sock_filter p[32];
	struct cf_run_opts o = {.prog = p,
				.set_caps = true,
				.caps = 1ULL << 0,
				.set_user = true,
				.uid = 65534,
				.gid = 65534,
				.groups = groups,
				.ngroups = 1};
	struct cf_error err;
	const char *bin;
	char *argv[2] = {NULL, NULL};
	int code = -1;

	if (!t_need_root() || !t_fresh_dir(&rc_d, "runchild") ||
	    !(bin = rc_exit0()))
		return;
	argv[0] = (char *)bin;
	o.argv = argv;
	o.prog_len = rc_allow_only(p, only, 8, SECCOMP_RET_KILL_PROCESS);
	CHECK_EQ(cf_run(&o, &code, &err), 0);
	CHECK_EQ(code, 0);
	o.no_new_privs = true;
	CHECK_EQ(cf_run(&o, &code, &err), 0);
	CHECK_EQ(code, 0);
	/* and each of them is put to the filter: a fake success is refused */
	o.no_new_privs = false;
	for (size_t i = 0; i < 7; i++) {
		o.prog_len = rc_allow_only(
		    p, only + i, 1, SECCOMP_RET_ALLOW); /* swapped below */
		/* deny only[i] with ERRNO(0), allow the rest */
		p[o.prog_len - 2] = RC_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		p[o.prog_len - 1] = RC_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO);
		code = 0;
		CHECK_EQ(cf_run(&o, &code, &err), -EPERM);
		CHECK_EQ(code, 125);
		CHECK_CONTAINS(err.msg, "fake success");
	}
}

TEST(run_child_lib_refuses_a_program_reading_the_instruction_pointer)
{
	struct sock_filter p[] = {
	    RC_STMT(BPF_LD | BPF_W | BPF_ABS, 8),
	    RC_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	char *argv[] = {(char *)"true", NULL};
	struct cf_run_opts o = {
	    .prog = p, .prog_len = 2, .argv = argv, .no_new_privs = true};
	struct cf_error err;
	int code = 0;

	CHECK_EQ(cf_run(&o, &code, &err), -EINVAL);
	CHECK_EQ(code, 125);
	CHECK_CONTAINS(err.msg, "instruction_pointer");
}
#endif

/* ---- item: inherited descriptors --------------------------------------- */

TEST(run_child_closes_inherited_descriptors)
{
	static const char probe[] =
	    "for f in 3 9; do [ -e /proc/self/fd/$f ] && echo open$f; done; "
	    "true";
	struct rc_how how = {0};
	const char *s;

	if (!rc_have_cli() || !t_fresh_dir(&rc_d, "runchild"))
		return;
	rc_write("inherited", "secret\n");
	how.fd_file = t_join(rc_d.path, "inherited");
	CHECK_EQ(CLI_HOW(&how, "sh", "-c", probe), 0);
	s = t_slurp(t_join(rc_d.path, "out"));
	CHECK(!strstr(s, "open3"));
	CHECK(!strstr(s, "open9"));
	CHECK_EQ(CLI_HOW(&how, "--preserve-fds", "1", "sh", "-c", probe), 0);
	s = t_slurp(t_join(rc_d.path, "out"));
	CHECK_CONTAINS(s, "open3");
	CHECK(!strstr(s, "open9"));
	if (geteuid() == 0) {
		/* a root-opened descriptor never reaches an unprivileged
		 * command either */
		CHECK_EQ(CLI_HOW(&how, "--user", "nobody", "sh", "-c", probe),
			 0);
		CHECK(!strstr(t_slurp(t_join(rc_d.path, "out")), "open"));
	}
	/* 3..4 with 4 closed: refused, not "passed what there is" */
	CHECK_EQ(CLI_HOW(&how, "--preserve-fds", "2", "true"), 125);
	CHECK_CONTAINS(t_slurp(t_join(rc_d.path, "err")), "4 is not open");
	CHECK_EQ(CLI("--preserve-fds", "-1", "true"), 125);
	CHECK_EQ(CLI("--preserve-fds", "x", "true"), 125);
}

#ifdef __x86_64__
/* Runs cf_run in a forked caller that already runs under a filter making
 * close_range ENOSYS (a kernel before 5.11) and, with no_proc, opening a
 * directory EACCES (no /proc): the fallbacks must close the same
 * descriptors. Returns the command's output. */
static const char *rc_fds_fallback(bool no_proc)
{
	struct sock_filter p[] = {
	    RC_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
	    RC_JEQ(AUDIT_ARCH_X86_64, 1, 0),
	    RC_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	    RC_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	    RC_JEQ(436 /* close_range */, 0, 1),
	    RC_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	    RC_JEQ(SYS_openat, 0, 3),
	    RC_STMT(BPF_LD | BPF_W | BPF_ABS, 32), /* args[2], low word */
	    ((struct sock_filter){BPF_JMP | BPF_JSET | BPF_K, 0, 1,
				  no_proc ? O_DIRECTORY : 0}),
	    RC_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
	    RC_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fp = {sizeof(p) / sizeof(p[0]), p};
	char cmd[4400];
	pid_t pid;
	int ws = 0;

	snprintf(cmd, sizeof(cmd),
		 "for f in 3 9; do [ -e /proc/self/fd/$f ] && echo open$f; "
		 "done > %s; true",
		 t_join(rc_d.path, "out"));
	remove(t_join(rc_d.path, "out"));
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
		struct cf_run_opts o = {.argv = argv, .preserve_fds = 1};
		struct cf_error err;
		int fd = open(t_join(rc_d.path, "inherited"),
			      O_RDONLY | O_CREAT, 0644);
		int code = -1;

		if (fd < 0 || dup2(fd, 3) < 0 || dup2(fd, 9) < 0 ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
			_exit(99);
		/* the fallback really is taken */
		if (syscall(436, 3, 3, 0) == 0 || errno != ENOSYS)
			_exit(98);
		cf_run(&o, &code, &err);
		_exit(code);
	}
	waitpid(pid, &ws, 0);
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	return t_slurp(t_join(rc_d.path, "out"));
}

TEST(run_child_lib_closes_descriptors_without_close_range)
{
	const char *s;

	if (!t_fresh_dir(&rc_d, "runchild"))
		return;
	s = rc_fds_fallback(false); /* through /proc/self/fd */
	CHECK_CONTAINS(s, "open3");
	CHECK(!strstr(s, "open9"));
	s = rc_fds_fallback(true); /* every number up to the limit */
	CHECK_CONTAINS(s, "open3");
	CHECK(!strstr(s, "open9"));
}
#endif

/* ---- item: user, groups and HOME as docker run ------------------------- */

/* A user listed as a member of a group other than its primary one, from
 * the host's files (postgres in ssl-cert on the development machine). */
static bool rc_member(char *user, size_t ulen, gid_t *pgid, gid_t *sgid)
{
	FILE *f = fopen("/etc/group", "re");
	char line[4096];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *pw = strtok(NULL, ":");
		char *gid = strtok(NULL, ":"), *list = strtok(NULL, ":\n");
		struct passwd *p;

		(void)name;
		(void)pw;
		if (!gid || !list)
			continue;
		for (char *m = strtok(list, ","); m && !found;
		     m = strtok(NULL, ",")) {
			p = getpwnam(m);
			if (p && p->pw_gid != (gid_t)atoi(gid)) {
				snprintf(user, ulen, "%s", m);
				*pgid = p->pw_gid;
				*sgid = (gid_t)atoi(gid);
				found = true;
			}
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* Runs the status probe with args; returns the dump (or ""). */
static const char *rc_who(const struct rc_how *how, const char *const *args)
{
	const char *argv[32];
	size_t n = 0;
	int rc;

	while (*args)
		argv[n++] = *args++;
	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = rc_status;
	argv[n] = NULL;
	rc = rc_cli_how(how, argv);
	CHECK_EQ(rc, 0);
	if (rc)
		t_note("%s", t_slurp(t_join(rc_d.path, "err")));
	return rc ? "" : t_slurp(t_join(rc_d.path, "out"));
}

#define WHO(...)                                                               \
	rc_who(&(struct rc_how){0}, (const char *const[]){__VA_ARGS__, NULL})

TEST(run_child_user_groups_and_home_follow_docker)
{
	static const gid_t mine[] = {4242, 4343};
	struct rc_how invoker = {.groups = mine, .ngroups = 2};
	struct passwd *nobody = getpwnam("nobody");
	char user[256], spec[300], home[4200], want[64];
	gid_t pgid, sgid;
	const char *s;

	if (!t_need_root() || !rc_have_cli() || !t_fresh_dir(&rc_d, "runchild"))
		return;
	/* without --user: root's entry; the invoker's groups do not pass */
	s = rc_who(&invoker, (const char *const[]){NULL});
	CHECK_STR(rc_field(s, "Uid"), "0\t0\t0\t0");
	CHECK(!strstr(rc_field(s, "Groups"), "4242"));
	CHECK(!strstr(rc_field(s, "Groups"), "4343"));
	CHECK(strstr(rc_field(s, "Groups"), "0") != NULL);
	CHECK_STR(rc_field(s, "HOME"), "/root");
	/* a uid without an entry: gid 0, no other group, HOME / */
	if (!getpwuid(12345)) {
		s = WHO("--user", "12345");
		CHECK_STR(rc_field(s, "Uid"), "12345\t12345\t12345\t12345");
		CHECK_STR(rc_field(s, "Gid"), "0\t0\t0\t0");
		CHECK_STR(rc_field(s, "Groups"), "0");
		CHECK_STR(rc_field(s, "HOME"), "/");
		s = WHO("--user", "12345:777", "--group-add", "888",
			"--group-add", "888");
		CHECK_STR(rc_field(s, "Gid"), "777\t777\t777\t777");
		CHECK_STR(rc_field(s, "Groups"), "777 888");
	}
	if (nobody) {
		s = WHO("--user", "nobody");
		snprintf(home, sizeof(home), "%s", nobody->pw_dir);
		CHECK_STR(rc_field(s, "HOME"), home);
		snprintf(want, sizeof(want), "%u", (unsigned)nobody->pw_gid);
		CHECK_STR(rc_field(s, "Groups"), want);
		/* each group once, as runc <= 1.2 (Docker 20.10) passes it */
		s = WHO("--user", "nobody", "--group-add", want);
		CHECK_STR(rc_field(s, "Groups"), want);
	}
	if (!rc_member(user, sizeof(user), &pgid, &sgid)) {
		t_note("no user with a supplementary group in /etc/group: "
		       "NAME vs NAME:GROUP not compared");
		return;
	}
	/* NAME: its groups; NAME:GROUP and UID:GID: only the primary one */
	s = WHO("--user", user);
	snprintf(want, sizeof(want), "%u", (unsigned)sgid);
	CHECK(strstr(rc_field(s, "Groups"), want) != NULL);
	snprintf(spec, sizeof(spec), "%s:%u", user, (unsigned)pgid);
	s = WHO("--user", spec);
	snprintf(want, sizeof(want), "%u", (unsigned)pgid);
	CHECK_STR(rc_field(s, "Groups"), want);
	snprintf(spec, sizeof(spec), "%u:%u", (unsigned)getpwnam(user)->pw_uid,
		 (unsigned)pgid);
	s = WHO("--user", spec);
	CHECK_STR(rc_field(s, "Groups"), want);
	/* unknown names are errors, as in Docker */
	REFUSED("--user", "callfence-no-such-user");
	REFUSED("--user", "nobody:callfence-no-such-group");
	REFUSED("--group-add", "callfence-no-such-group");
	REFUSED("--user", "2147483648");
	REFUSED("--user", "nobody:nogroup:x");
}

/* ---- item: AppArmor and SELinux options of pasted command lines -------- */

TEST(run_child_mac_options_loosen_or_refuse)
{
	static const char *const ok[] = {"apparmor=unconfined", "label=disable",
					 "label:disable", "disable"};
	static const char *const no[] = {"apparmor=docker-default",
					 "apparmor=",
					 "apparmor",
					 "label=",
					 "label=type:spc_t",
					 "label=user:u",
					 "label=level:s0:c1",
					 "apparmor=Unconfined"};

	if (!rc_have_cli() || !t_fresh_dir(&rc_d, "runchild"))
		return;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		remove(t_join(rc_d.path, "ran"));
		CHECK_EQ(CLI("--security-opt", ok[i], "touch",
			     t_join(rc_d.path, "ran")),
			 0);
		CHECK(t_exists(t_join(rc_d.path, "ran")));
		CHECK_CONTAINS(t_slurp(t_join(rc_d.path, "err")),
			       "does not apply here");
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		REFUSED("--security-opt", no[i]);
		CHECK(t_slurp(t_join(rc_d.path, "err"))[0] != 0);
	}
}

/* ---- item: setuid, setgid, file capabilities --------------------------- */

/* A copy of the callfence binary with mode, owner and group. */
static const char *rc_copy(const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	static char path[4200];
	char cmd[9000];

	snprintf(path, sizeof(path), "%s", t_join(rc_d.path, name));
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", t_callfence_bin(), path);
	if (system(cmd) != 0 || chown(path, uid, gid) < 0 ||
	    chmod(path, mode) < 0)
		return NULL;
	return path;
}

/* Refused with 125 and the reason. Under ASan, LeakSanitizer cannot run
 * its exit check in a setuid process and turns the 125 into a 1 after the
 * refusal was printed. */
static void rc_refused_secure(const struct rc_how *how)
{
	int code;
	const char *err;

	remove(t_join(rc_d.path, "ran"));
	code = CLI_HOW(how, "touch", t_join(rc_d.path, "ran"));
	err = t_slurp(t_join(rc_d.path, "err"));
	if (code == 1 && strstr(err, "LeakSanitizer has encountered a fatal"))
		code = 125;
	CHECK_EQ(code, 125);
	CHECK(!t_exists(t_join(rc_d.path, "ran")));
	CHECK_CONTAINS(err, "AT_SECURE");
}

TEST(run_child_refuses_setuid_setgid_and_file_caps)
{
	struct rc_how how = {0};
	char cmd[9000];

	if (!t_need_root() || !rc_have_cli() || !t_fresh_dir(&rc_d, "runchild"))
		return;
	/* setuid to nobody, started by root: AT_SECURE (euid != ruid) */
	how.exe = rc_copy("cf-setuid", 65534, 0, 04755);
	if (!CHECK(how.exe))
		return;
	rc_refused_secure(&how);
	/* setgid */
	how.exe = rc_copy("cf-setgid", 0, 65534, 02755);
	rc_refused_secure(&how);
	/* the same copies without the bits run (the test is not vacuous) */
	how.exe = rc_copy("cf-plain", 65534, 65534, 0755);
	CHECK_EQ(CLI_HOW(&how, "touch", t_join(rc_d.path, "ran")), 0);
	CHECK(t_exists(t_join(rc_d.path, "ran")));
	remove(t_join(rc_d.path, "ran"));
	/* file capabilities, started by a non-root user */
	how.exe = rc_copy("cf-fcaps", 0, 0, 0755);
	snprintf(cmd, sizeof(cmd), "setcap cap_net_raw+ep '%s' 2>/dev/null",
		 how.exe);
	if (system(cmd) != 0) {
		t_note("setcap unavailable: file capabilities not tried");
		return;
	}
	how.uid = 65534;
	rc_refused_secure(&how);
	t_fresh_dir(&rc_d, "runchild"); /* clean up */
}
