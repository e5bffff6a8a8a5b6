/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`: Docker's capability arithmetic, exit codes and cgroup discovery as
 * plain functions; then live runs, through cf_run with hand-written
 * programs and through the callfence binary, each asserting what the
 * command could observe (/proc/self/status, errno of harmless calls, files
 * it did or did not create).
 */
#include "t.h"
#include "tfiles.h"

#include "callfence.h"
#include "base.h"
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <libgen.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DOCKER_CAPS 0x00000000a80425fbULL

static struct t_dir rt_d; /* the directory of the test that runs */

/* ---- helpers ----------------------------------------------------------- */

/* The status line "Key:\tvalue" of a /proc/self/status dump, or "". */
static const char *rt_field(const char *status, const char *key)
{
	static char val[128];
	const char *p = status ? strstr(status, key) : NULL;
	size_t n;

	val[0] = 0;
	if (!p)
		return val;
	p += strlen(key);
	while (*p == ':' || *p == '\t' || *p == ' ')
		p++;
	n = strcspn(p, "\n");
	snprintf(val, sizeof(val), "%.*s", (int)n, p);
	return val;
}

static uint64_t rt_hex(const char *s)
{
	return strtoull(s, NULL, 16);
}

/* Runs the callfence binary with args, stdout and stderr into out and
 * out.err; as uid (if not 0) in the child. Returns its exit code. */
static int rt_cli_as(uid_t uid, const char *out, const char *const *args)
{
	return t_reap_run(
	    t_spawn_run(out, &(struct t_spawn){.uid = uid}, args));
}

static int rt_cli(const char *out, const char *const *args)
{
	return rt_cli_as(0, out, args);
}

#define CLI(out, ...) rt_cli(out, (const char *const[]){__VA_ARGS__, NULL})

static bool rt_have_helper(const char *prog)
{
	if (access(t_run_helper(prog), X_OK) == 0)
		return true;
	t_fail(__FILE__, __LINE__, "%s is missing (make check builds it)",
	       t_run_helper(prog));
	return false;
}

static bool rt_have_cli(void)
{
	if (access(t_callfence_bin(), X_OK) == 0 &&
	    access(t_run_helper("probe"), X_OK) == 0)
		return true;
	t_fail(__FILE__, __LINE__,
	       "%s or %s is missing (make all and the "
	       "run helpers first)",
	       t_callfence_bin(), t_run_helper("probe"));
	return false;
}

/* ---- hand-written programs for cf_run --------------------------------- */

#define RT_STMT(c, k) ((struct sock_filter){(c), 0, 0, (k)})

/* x86_64 only; syscalls in nrs return ret, the rest are allowed. */
static size_t rt_prog_deny(struct sock_filter *p, const int *nrs, size_t n,
			   uint32_t ret)
{
	return t_prog_listed(p, nrs, n, ret, SECCOMP_RET_ALLOW);
}

static int rt_lib(struct cf_run_opts *o, const char *cmd, struct cf_error *err)
{
	char *argv[] = {(char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL};
	int code = -1;

	o->argv = argv;
	cf_run(o, &code, err);
	return code;
}

/* ---- pure functions ---------------------------------------------------- */

/* cf_caps_all: every capability up to the kernel's cap_last_cap, the
 * same at every call (the value is read once per process) */
TEST(caps_all_is_cap_last_cap_at_every_call)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int last = -1;
	uint64_t want;

	if (!f || fscanf(f, "%d", &last) != 1 || last < 0 || last > 63) {
		if (f)
			fclose(f);
		t_skip("no /proc/sys/kernel/cap_last_cap");
		return;
	}
	fclose(f);
	want = last == 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
	for (int i = 0; i < 3; i++)
		CHECK_EQ(cf_caps_all(), want);
}

TEST(run_caps_docker_arithmetic)
{
	const char *chown[] = {"chown"}, *all[] = {"ALL"};
	const char *mixed[] = {"CAP_NET_RAW", "net_admin", "Cap_Sys_Admin"};
	const char *bad[] = {"CAP_NOPE"};
	struct cf_error err;
	uint64_t c = 0, every = cf_caps_all();

	CHECK_EQ(cf_run_caps(NULL, 0, NULL, 0, false, &c, &err), 0);
	CHECK_EQ(c, DOCKER_CAPS);
	CHECK_EQ(cf_run_caps(chown, 1, all, 1, false, &c, &err), 0);
	CHECK_EQ(c, 1ULL << CAP_CHOWN);
	CHECK_EQ(cf_run_caps(NULL, 0, all, 1, false, &c, &err), 0);
	CHECK_EQ(c, 0);
	CHECK_EQ(cf_run_caps(all, 1, chown, 1, false, &c, &err), 0);
	CHECK_EQ(c, every & ~(1ULL << CAP_CHOWN));
	/* ALL in both: add ALL wins (moby checks it first) */
	CHECK_EQ(cf_run_caps(all, 1, all, 1, false, &c, &err), 0);
	CHECK_EQ(c, every);
	CHECK_EQ(cf_run_caps(mixed + 1, 2, mixed, 1, false, &c, &err), 0);
	CHECK_EQ(c, (DOCKER_CAPS & ~(1ULL << CAP_NET_RAW)) |
			1ULL << CAP_NET_ADMIN | 1ULL << CAP_SYS_ADMIN);
	CHECK_EQ(cf_run_caps(bad, 1, NULL, 0, true, &c, &err), 0);
	CHECK_EQ(c, every);
	CHECK_EQ(cf_run_caps(bad, 1, NULL, 0, false, &c, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "CAP_NOPE");
}

TEST(run_exit_codes_follow_docker)
{
	CHECK_EQ(cf_run_exit_code(0), 0);
	CHECK_EQ(cf_run_exit_code(7 << 8), 7);
	CHECK_EQ(cf_run_exit_code(SIGSYS), 159);
	CHECK_EQ(cf_run_exit_code(SIGKILL), 137);
	CHECK_EQ(cf_run_exit_code(SIGSEGV | 0x80), 139); /* core dumped */
}

TEST(run_cgroup_locate)
{
	/* this machine: v1 pids + a v2 mount; and a cgroup namespace root */
	const char *mi =
	    "30 25 0:27 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup "
	    "rw,pids\n"
	    "31 25 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	    "32 25 0:29 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	const char *self = "8:pids:/a/b\n4:memory:/m\n0::/u\n";
	const char *mi2 = "40 1 0:30 /x /mnt/my\\040cg rw shared:5 - cgroup2 "
			  "none rw,nsdelegate\n";
	char v1[256], v2[256];

	cf_cgroup_locate(mi, self, v1, v2, sizeof(v1));
	CHECK_STR(v1, "/sys/fs/cgroup/pids/a/b");
	CHECK_STR(v2, "/sys/fs/cgroup/unified/u");
	cf_cgroup_locate(mi, "8:pids:/\n0::/\n", v1, v2, sizeof(v1));
	CHECK_STR(v1, "/sys/fs/cgroup/pids");
	CHECK_STR(v2, "/sys/fs/cgroup/unified");
	cf_cgroup_locate(mi2, "0::/x/svc\n", v1, v2, sizeof(v1));
	CHECK_STR(v1, "");
	CHECK_STR(v2, "/mnt/my cg/svc");
	cf_cgroup_locate(mi, "1:cpu:/\n", v1, v2, sizeof(v1));
	CHECK_STR(v1, "");
	CHECK_STR(v2, "");
}

/* ---- cf_run, live ------------------------------------------------------ */

TEST(run_lib_exit_codes)
{
	const char *d = t_fresh_dir(&rt_d, "run");
	struct cf_run_opts o = {0};
	struct cf_error err;
	char *missing[] = {(char *)"callfence-no-such-command", NULL};
	char *notexec[] = {t_join(d, "plain"), NULL};
	char *dir[] = {(char *)"/tmp", NULL};
	int code;

	CHECK_EQ(rt_lib(&o, "exit 0", &err), 0);
	CHECK_EQ(rt_lib(&o, "exit 7", &err), 7);
	CHECK_EQ(rt_lib(&o, "kill -SYS $$", &err), 159);
	CHECK_EQ(rt_lib(&o, "kill -TERM $$", &err), 143);
	o.argv = missing;
	CHECK_EQ(cf_run(&o, &code, &err), -ENOENT);
	CHECK_EQ(code, 127);
	CHECK_CONTAINS(err.msg, "not found in PATH");
	close(open(notexec[0], O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	o.argv = notexec;
	CHECK_EQ(cf_run(&o, &code, &err), -EACCES);
	CHECK_EQ(code, 126);
	o.argv = dir;
	CHECK_EQ(cf_run(&o, &code, &err), -EACCES);
	CHECK_EQ(code, 126);
	o.argv = NULL;
	CHECK_EQ(cf_run(&o, &code, &err), -EINVAL);
	CHECK_EQ(code, 125);
}

#ifdef __x86_64__
static const char rt_status_cmd[] =
    "grep -E '^(Seccomp|NoNewPrivs|Cap[A-Za-z]+|Uid|Gid|Groups):' "
    "/proc/self/status > %s";

static const char *rt_status(struct cf_run_opts *o, const char *d, int *code)
{
	char cmd[4400];
	struct cf_error err;

	snprintf(cmd, sizeof(cmd), rt_status_cmd, t_join(d, "status"));
	*code = rt_lib(o, cmd, &err);
	if (*code)
		t_note("cf_run: %s", err.msg);
	return t_slurp(t_join(d, "status"));
}

TEST(run_lib_docker_capability_model)
{
	struct sock_filter p[16];
	struct cf_run_opts o = {.set_caps = true, .caps = DOCKER_CAPS};
	const char *d = t_fresh_dir(&rt_d, "run"), *s;
	int code;

	if (!t_need_root())
		return;
	o.prog = p;
	o.prog_len = rt_prog_deny(p, NULL, 0, 0);
	s = rt_status(&o, d, &code);
	CHECK_EQ(code, 0);
	CHECK_STR(rt_field(s, "Seccomp"), "2");
	CHECK_STR(rt_field(s, "NoNewPrivs"), "0");
	CHECK_EQ(rt_hex(rt_field(s, "CapEff")), DOCKER_CAPS);
	CHECK_EQ(rt_hex(rt_field(s, "CapPrm")), DOCKER_CAPS);
	CHECK_EQ(rt_hex(rt_field(s, "CapBnd")), DOCKER_CAPS);
	CHECK_EQ(rt_hex(rt_field(s, "CapInh")), 0);
	CHECK_EQ(rt_hex(rt_field(s, "CapAmb")), 0);

	o.no_new_privs = true;
	o.caps = 1ULL << CAP_CHOWN;
	s = rt_status(&o, d, &code);
	CHECK_STR(rt_field(s, "NoNewPrivs"), "1");
	CHECK_STR(rt_field(s, "Seccomp"), "2");
	CHECK_EQ(rt_hex(rt_field(s, "CapEff")), 1ULL << CAP_CHOWN);
	CHECK_EQ(rt_hex(rt_field(s, "CapBnd")), 1ULL << CAP_CHOWN);
}

TEST(run_lib_non_root_user_keeps_only_bounding)
{
	static const uint32_t groups[] = {65534};
	struct cf_run_opts o = {.set_caps = true,
				.caps = DOCKER_CAPS,
				.set_user = true,
				.uid = 65534,
				.gid = 65534,
				.groups = groups,
				.ngroups = 1};
	const char *d = t_fresh_dir(&rt_d, "run"), *s;
	int code;

	if (!t_need_root())
		return;
	s = rt_status(&o, d, &code);
	CHECK_EQ(code, 0);
	CHECK_CONTAINS(rt_field(s, "Uid"), "65534\t65534\t65534\t65534");
	CHECK_CONTAINS(rt_field(s, "Gid"), "65534\t65534\t65534\t65534");
	CHECK_EQ(rt_hex(rt_field(s, "CapEff")), 0);
	CHECK_EQ(rt_hex(rt_field(s, "CapPrm")), 0);
	CHECK_EQ(rt_hex(rt_field(s, "CapBnd")), DOCKER_CAPS);
	CHECK_STR(rt_field(s, "Seccomp"), "0");
}

TEST(run_lib_filter_denies_chmod_only)
{
	static const int nrs[] = {SYS_chmod, SYS_fchmodat, 452 /* 2 */};
	struct sock_filter p[16];
	struct cf_run_opts o = {.prog = p};
	const char *d = t_fresh_dir(&rt_d, "run");
	char cmd[4400];
	struct cf_error err;
	struct stat st;

	o.prog_len = rt_prog_deny(p, nrs, 3, SECCOMP_RET_ERRNO | EPERM);
	if (!t_need_root())
		o.no_new_privs = true;
	snprintf(
	    cmd, sizeof(cmd),
	    "cd %s && touch f && mkdir d && mv f g && chmod 600 g 2>/dev/null",
	    d);
	CHECK_EQ(rt_lib(&o, cmd, &err), 1);
	CHECK(t_exists(t_join(d, "d")));
	CHECK(stat(t_join(d, "g"), &st) == 0 && (st.st_mode & 0777) != 0600);
}

static char err_last[512];

/* The command would create "ran"; every case must exit 125 without it. */
static void rt_fail_closed(struct cf_run_opts *o, const char *d, int want_rc)
{
	char cmd[4400];
	struct cf_error err;
	int code = 0, rc;
	char *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};

	snprintf(cmd, sizeof(cmd), "touch %s", t_join(d, "ran"));
	o->argv = argv;
	rc = cf_run(o, &code, &err);
	CHECK_EQ(code, 125);
	CHECK_EQ(rc, want_rc);
	CHECK(!t_exists(t_join(d, "ran")));
	CHECK(err.msg[0] != 0);
	snprintf(err_last, sizeof(err_last), "%s", err.msg);
}

TEST(run_lib_fail_closed)
{
	static const int nrs[] = {SYS_prctl};
	static const int quiet[] = {SYS_prctl, SYS_write, SYS_exit_group,
				    SYS_exit};
	struct sock_filter p[16];
	struct sock_filter bad[] = {RT_STMT(0xffff, 0)};
	struct cf_run_opts o = {
	    .prog = p, .set_caps = true, .caps = DOCKER_CAPS};
	const char *d = t_fresh_dir(&rt_d, "run");

	if (!t_need_root())
		return;
	/* an empty program */
	o.prog_len = 0;
	rt_fail_closed(&o, d, -EINVAL);
	/* a program the verifier or the kernel refuses */
	o.prog = bad;
	o.prog_len = 1;
	rt_fail_closed(&o, d, -EINVAL);
	/* installed early (no no_new_privs), it denies what run needs next */
	o.prog = p;
	o.prog_len = rt_prog_deny(p, nrs, 1, SECCOMP_RET_ERRNO | EPERM);
	rt_fail_closed(&o, d, -EPERM);
	CHECK_CONTAINS(err_last, "dropping the capability bounding set");
	/* ... and also write and exit: the shared report still tells */
	o.prog_len = rt_prog_deny(p, quiet, 4, SECCOMP_RET_ERRNO | EPERM);
	rt_fail_closed(&o, d, -EPERM);
	CHECK_CONTAINS(err_last, "dropping the capability bounding set");
	/* ... or kills it */
	o.prog_len = rt_prog_deny(p, nrs, 1, SECCOMP_RET_KILL_PROCESS);
	rt_fail_closed(&o, d, -EPERM);
	CHECK_CONTAINS(err_last, "the start would be killed");
	/* capabilities callfence does not hold */
	o.caps = 1ULL << 62;
	rt_fail_closed(&o, d, -EINVAL);
}

TEST(run_lib_refuses_filter_without_sys_admin_or_nnp)
{
	struct sock_filter p[16];
	struct cf_run_opts o = {.prog = p};
	const char *d = t_fresh_dir(&rt_d, "run");
	pid_t pid;
	int ws = 0;

	if (!t_need_root())
		return;
	o.prog_len = rt_prog_deny(p, NULL, 0, 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct __user_cap_header_struct h = {
		    _LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct c[2] = {{0}};

		syscall(SYS_capget, &h, c);
		c[0].effective &= ~(1U << CAP_SYS_ADMIN);
		char *argv[] = {(char *)"touch", t_join(d, "ran"), NULL};
		struct cf_error err;
		int code = 0, rc;

		if (syscall(SYS_capset, &h, c) < 0)
			_exit(99);
		o.argv = argv;
		rc = cf_run(&o, &code, &err);
		_exit(rc == -EPERM && code == 125 ? 0 : 1);
	}
	waitpid(pid, &ws, 0);
	CHECK_EQ(ws, 0);
	CHECK(!t_exists(t_join(d, "ran")));
}
#endif

/* Runs `sh -c 'echo $$ > pid; exec sleep 60'` under cf_run in a forked
 * caller; sends sig to the caller once the command runs. */
static int rt_signal_caller(int sig, pid_t *cmd_pid)
{
	const char *d = t_fresh_dir(&rt_d, "run");
	char cmd[4400];
	pid_t caller;
	int ws = 0;

	snprintf(cmd, sizeof(cmd),
		 "echo $$ > %s.tmp && mv %s.tmp %s; exec "
		 "sleep 60",
		 t_join(d, "pid"), t_join(d, "pid"), t_join(d, "pid"));
	fflush(NULL);
	caller = fork();
	if (caller == 0) {
		struct cf_run_opts o = {.forward_signals = true};
		struct cf_error err;

		_exit(rt_lib(&o, cmd, &err));
	}
	if (!CHECK(t_wait_for(t_join(d, "pid")))) {
		kill(caller, SIGKILL);
		waitpid(caller, &ws, 0);
		return -1;
	}
	*cmd_pid = (pid_t)atoi(t_slurp(t_join(d, "pid")));
	kill(caller, sig);
	waitpid(caller, &ws, 0);
	return ws;
}

TEST(run_lib_forwards_signals_and_never_leaves_the_command_alone)
{
	pid_t cmd = 0;
	int ws;

	ws = rt_signal_caller(SIGTERM, &cmd);
	CHECK(WIFEXITED(ws));
	CHECK_EQ(WEXITSTATUS(ws), 143); /* sleep died of the forwarded TERM */
	CHECK(cmd > 0 && t_proc_dead(cmd));
	ws = rt_signal_caller(SIGKILL, &cmd);
	CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	CHECK(cmd > 0 && t_proc_dead(cmd)); /* PR_SET_PDEATHSIG */
}

/* forkbomb's "forks N errno E" line and its sleepers' pids. */
static void rt_check_forkbomb(const char *text, int limit)
{
	int forks = -1, e = -1;
	char *out = strdup(text ? text : ""), *s = strstr(out, "forks ");

	if (CHECK(s && sscanf(s, "forks %d errno %d", &forks, &e) == 2)) {
		CHECK(forks < limit);
		CHECK_EQ(e, EAGAIN);
		for (char *l = strchr(s, '\n'); l && l[1];
		     l = strchr(l + 1, '\n'))
			CHECK(t_proc_dead((pid_t)atoi(l + 1)));
	}
	free(out);
}

TEST(run_lib_pids_limit_stops_a_fork_bomb)
{
	struct cf_run_opts o = {
	    .pids_limit = 5, .set_caps = true, .caps = DOCKER_CAPS};
	const char *d = t_fresh_dir(&rt_d, "run");
	char *argv[] = {(char *)"/bin/sh", (char *)"-c", NULL, NULL};
	char cmd[8400];
	struct cf_error err;
	int code = -1;

	if (!t_need_root() || !rt_have_helper("forkbomb"))
		return;
	snprintf(cmd, sizeof(cmd), "%s > %s", t_run_helper("forkbomb"),
		 t_join(d, "out"));
	argv[2] = cmd;
	o.argv = argv;
	if (cf_run(&o, &code, &err) < 0)
		t_note("%s", err.msg);
	CHECK_EQ(code, 0);
	rt_check_forkbomb(t_slurp(t_join(d, "out")), 5);
	CHECK(t_no_cgroup_left(getpid()));
}

/* ---- the callfence binary ---------------------------------------------- */

TEST(run_cli_seccomp_mode_and_docker_caps)
{
	const char *d = t_fresh_dir(&rt_d, "run"), *out = t_join(d, "out"), *s;
	char all[32];

	if (!t_need_root() || !rt_have_cli())
		return;
	CHECK_EQ(CLI(out, "--", "grep", "Seccomp", "/proc/self/status"), 0);
	CHECK_STR(rt_field(t_slurp(out), "Seccomp"), "2");
	CHECK_EQ(CLI(out, "--security-opt", "seccomp=unconfined", "grep",
		     "Seccomp", "/proc/self/status"),
		 0);
	CHECK_STR(rt_field(t_slurp(out), "Seccomp"), "0");
	CHECK_EQ(CLI(out, "cat", "/proc/self/status"), 0);
	s = t_slurp(out);
	CHECK_EQ(rt_hex(rt_field(s, "CapEff")), DOCKER_CAPS);
	CHECK_EQ(rt_hex(rt_field(s, "CapBnd")), DOCKER_CAPS);
	CHECK_EQ(rt_hex(rt_field(s, "CapInh")), 0);
	CHECK_STR(rt_field(s, "NoNewPrivs"), "0");
	CHECK_EQ(CLI(out, "--cap-drop", "ALL", "--cap-add", "chown", "cat",
		     "/proc/self/status"),
		 0);
	s = t_slurp(out);
	CHECK_EQ(rt_hex(rt_field(s, "CapEff")), 1);
	CHECK_EQ(rt_hex(rt_field(s, "CapBnd")), 1);
	CHECK_EQ(CLI(out, "--privileged", "cat", "/proc/self/status"), 0);
	s = t_slurp(out);
	snprintf(all, sizeof(all), "%016llx",
		 (unsigned long long)(cf_caps_all() & cf_run_invoker_caps()));
	CHECK_STR(rt_field(s, "CapEff"), all);
	CHECK_STR(rt_field(s, "Seccomp"), "0"); /* no profile named */
	CHECK_EQ(CLI(out, "--privileged", "--security-opt", "seccomp=builtin",
		     "--security-opt", "no-new-privileges", "cat",
		     "/proc/self/status"),
		 0);
	s = t_slurp(out);
	CHECK_STR(rt_field(s, "Seccomp"), "2");
	CHECK_STR(rt_field(s, "NoNewPrivs"), "1");
	CHECK_STR(rt_field(s, "CapBnd"), all);
}

TEST(run_cli_no_chmod_profile)
{
	const char *d = t_fresh_dir(&rt_d, "run"), *out = t_join(d, "out");
	char opt[4200], cmd[4400];
	const char *shared = t_shared();
	struct stat st;

	if (!shared || !rt_have_cli())
		return;
	snprintf(opt, sizeof(opt),
		 "seccomp=%s/fixtures/profiles/docker-labs-no-chmod.json",
		 shared);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && touch f && mkdir d && mv f g && ln -s g l && "
		 "chmod 600 g",
		 d);
	CHECK_EQ(CLI(out, "--security-opt", opt, "sh", "-c", cmd), 1);
	CHECK_CONTAINS(t_slurp(t_join(d, "out.err")),
		       "Operation not permitted");
	CHECK(t_exists(t_join(d, "d")) && t_exists(t_join(d, "l")));
	CHECK(stat(t_join(d, "g"), &st) == 0 && (st.st_mode & 0777) != 0600);
}

TEST(run_cli_builtin_cap_conditional_rules_and_enosys)
{
	const char *d = t_fresh_dir(&rt_d, "run"), *out = t_join(d, "out"), *s;
	const char *probe = t_run_helper("probe");

	if (!t_need_root() || !rt_have_cli())
		return;
	CHECK_EQ(CLI(out, probe, "unshare-user", "clone3", "nr1000",
		     "nfsservctl", "getpid", "clone-newuser"),
		 0);
	s = t_slurp(out);
	CHECK_CONTAINS(s, "unshare-user EPERM");
	CHECK_CONTAINS(s, "clone-newuser EPERM");
	CHECK_CONTAINS(s, "clone3 ENOSYS");
	CHECK_CONTAINS(s, "nr1000 ENOSYS");
	CHECK_CONTAINS(s, "nfsservctl EPERM"); /* below the threshold */
	CHECK_CONTAINS(s, "getpid ok");
	CHECK_EQ(CLI(out, "--cap-add", "SYS_ADMIN", probe, "unshare-user",
		     "clone3", "clone-newuser"),
		 0);
	s = t_slurp(out);
	CHECK_CONTAINS(s, "unshare-user ok");
	CHECK_CONTAINS(s, "clone-newuser ok");
	CHECK_CONTAINS(s, "clone3 EINVAL"); /* reached the kernel */
	CHECK_EQ(CLI(out, "--enosys=none", probe, "nr1000", "clone3"), 0);
	s = t_slurp(out);
	CHECK_CONTAINS(s, "nr1000 EPERM");
	CHECK_CONTAINS(s, "clone3 ENOSYS"); /* the profile's own rule */
}

/* --harden on the kernel: Docker's default lets socket(0x100000028, ...)
 * through to the kernel, which opens AF_VSOCK (40) or, without vsock,
 * answers EAFNOSUPPORT: anything but the filter's EPERM. Hardened, the
 * filter answers EPERM, as for socket(40, ...). Likewise AF_ALG (38). */
TEST(run_cli_hardened_int_args)
{
	const char *d = t_fresh_dir(&rt_d, "run"), *out = t_join(d, "out"), *s;
	const char *probe = t_run_helper("probe");
	char opt[4200];

	const char *shared = t_shared();

	if (!shared || !t_need_root() || !rt_have_cli())
		return;
	snprintf(opt, sizeof(opt),
		 "seccomp=%s/fixtures/profiles/docker-default.json", shared);
	CHECK_EQ(CLI(out, "--security-opt", opt, probe, "socket-vsock",
		     "socket-vsock-hi", "socket-alg-hi",
		     "personality-query-sext"),
		 0);
	s = t_slurp(out);
	CHECK_CONTAINS(s, "socket-vsock EPERM");
	CHECK(strstr(s, "socket-vsock-hi ") &&
	      !strstr(s, "socket-vsock-hi EPERM"));
	CHECK(strstr(s, "socket-alg-hi ") && !strstr(s, "socket-alg-hi EPERM"));
	CHECK_CONTAINS(s, "personality-query-sext EPERM");
	CHECK_EQ(CLI(out, "--harden", "--security-opt", opt, probe,
		     "socket-vsock", "socket-vsock-hi", "socket-alg-hi",
		     "personality-query-sext"),
		 0);
	s = t_slurp(out);
	CHECK_CONTAINS(s, "socket-vsock EPERM");
	CHECK_CONTAINS(s, "socket-vsock-hi EPERM");
	CHECK_CONTAINS(s, "socket-alg-hi EPERM");
	/* the documented change: the kernel reads 0xffffffff, a query */
	CHECK_CONTAINS(s, "personality-query-sext ok");
}

TEST(run_cli_i386_call_killed_without_x86)
{
	const char *d = t_fresh_dir(&rt_d, "run"), *out = t_join(d, "out");
	char opt[4200];
	FILE *f;

	if (!rt_have_cli())
		return;
	if (CLI(out, "--security-opt", "seccomp=unconfined",
		t_run_helper("int80")) != 0) {
		t_skip("int $0x80 does not work here even unconfined (this "
		       "VM's kernel faults it before any filter runs)");
		return;
	}
	CHECK_EQ(CLI(out, t_run_helper("int80")), 0);
	snprintf(opt, sizeof(opt), "seccomp=%s", t_join(d, "p.json"));
	f = fopen(t_join(d, "p.json"), "we");
	if (!CHECK(f))
		return;
	fputs("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
	      "[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": "
	      "[\"chmod\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
	      f);
	fclose(f);
	CHECK_EQ(CLI(out, "--security-opt", opt, t_run_helper("int80")), 159);
}

static void rt_cli_fail_closed(const char *d, const char *const *args)
{
	const char *out = t_join(d, "out");
	const char *argv[32];
	size_t n = 0;
	char ran[4200];

	snprintf(ran, sizeof(ran), "%s", t_join(d, "ran"));
	while (*args)
		argv[n++] = *args++;
	argv[n++] = "touch";
	argv[n++] = ran;
	argv[n] = NULL;
	CHECK_EQ(rt_cli(out, argv), 125);
	CHECK(!t_exists(ran));
	CHECK(strlen(t_slurp(t_join(d, "out.err"))) > 0);
}

#define FAILS(...)                                                             \
	rt_cli_fail_closed(d, (const char *const[]){__VA_ARGS__, NULL})

static const char *rt_profile(const char *d, const char *name, const char *json)
{
	static char opt[4][4300];
	static int i;
	char *o = opt[i++ & 3];
	FILE *f = fopen(t_join(d, name), "we");

	if (f) {
		fputs(json, f);
		fclose(f);
	}
	snprintf(o, sizeof(opt[0]), "seccomp=%s", t_join(d, name));
	return o;
}

TEST(run_cli_fail_closed)
{
	const char *d = t_fresh_dir(&rt_d, "run");

	if (!rt_have_cli())
		return;
	FAILS("--security-opt", "seccomp=/nonexistent/profile.json");
	FAILS("--security-opt", "seccomp=");
	FAILS("--security-opt", "seccomp");
	FAILS("--security-opt",
	      rt_profile(d, "bad.json", "{\"defaultAction\""));
	FAILS("--security-opt",
	      rt_profile(d, "act.json",
			 "{\"defaultAction\": \"SCMP_ACT_ALOW\"}"));
	FAILS("--security-opt",
	      rt_profile(d, "flag.json",
			 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
			 "[\"SECCOMP_FILTER_FLAG_NOPE\"]}"));
	FAILS("--security-opt", "apparmor=docker-default");
	FAILS("--security-opt", "no-new-privileges=maybe");
	FAILS("--cap-add", "CAP_NOPE");
	FAILS("--enosys=bogus");
	FAILS("--pids-limit", "many");
	FAILS("--user", "callfence-no-such-user");
	FAILS("--no-such-option");
}

TEST(run_cli_exit_codes)
{
	const char *d = t_fresh_dir(&rt_d, "run"), *out = t_join(d, "out");

	if (!rt_have_cli())
		return;
	CHECK_EQ(CLI(out, "callfence-no-such-command"), 127);
	CHECK_EQ(CLI(out, "/nonexistent/cmd"), 127);
	CHECK_EQ(CLI(out, "/etc/passwd"), 126);
	CHECK_EQ(CLI(out, "sh", "-c", "exit 3"), 3);
	CHECK_EQ(CLI(out, "sh", "-c", "kill -KILL $$"), 137);
}

TEST(run_cli_pids_limit)
{
	const char *d = t_fresh_dir(&rt_d, "run"), *out = t_join(d, "out");

	if (!t_need_root() || !rt_have_cli())
		return;
	CHECK_EQ(CLI(out, "--pids-limit", "5", t_run_helper("forkbomb")), 0);
	rt_check_forkbomb(t_slurp(out), 5);
}

TEST(run_cli_as_non_root)
{
	const char *d = t_fresh_dir(&rt_d, "run"), *out = t_join(d, "out"), *s;
	const char *const status[] = {"cat", "/proc/self/status", NULL};
	const char *const capadd[] = {"--cap-add", "CHOWN", "true", NULL};
	const char *const nnp0[] = {"--security-opt", "no-new-privileges=false",
				    "true", NULL};

	if (!t_need_root() || !rt_have_cli())
		return;
	CHECK_EQ(rt_cli_as(65534, out, status), 0);
	s = t_slurp(out);
	CHECK_STR(rt_field(s, "Seccomp"), "2");
	CHECK_STR(rt_field(s, "NoNewPrivs"), "1");
	CHECK_EQ(rt_cli_as(65534, out, capadd), 125);
	CHECK_CONTAINS(t_slurp(t_join(d, "out.err")), "need root");
	CHECK_EQ(rt_cli_as(65534, out, nnp0), 125);
}

TEST(run_cli_real_programs_under_builtin)
{
	const char *d = t_fresh_dir(&rt_d, "run"), *out = t_join(d, "out");
	char py[2048], cc[4400], tar[4400];

	if (!rt_have_cli())
		return;
	snprintf(
	    py, sizeof(py),
	    "import sqlite3, subprocess, threading\n"
	    "r = []\n"
	    "def w(i):\n"
	    "    c = sqlite3.connect(':memory:')\n"
	    "    c.execute('create table t(x)')\n"
	    "    c.executemany('insert into t values (?)', [(j,) for j in "
	    "range(100)])\n"
	    "    r.append(c.execute('select sum(x) from t').fetchone()[0])\n"
	    "ts = [threading.Thread(target=w, args=(i,)) for i in range(4)]\n"
	    "[t.start() for t in ts]; [t.join() for t in ts]\n"
	    "o = subprocess.run(['echo', 'sub'], capture_output=True, "
	    "text=True).stdout.strip()\n"
	    "print(sum(r), o)\n");
	CHECK_EQ(CLI(out,
		     access("/usr/bin/python3", X_OK) ? "python3"
						      : "/usr/bin/python3",
		     "-c", py),
		 0);
	CHECK_CONTAINS(t_slurp(out), "19800 sub");
	snprintf(cc, sizeof(cc),
		 "cd %s && printf '#include <stdio.h>\\nint main(void){puts("
		 "\"built\");return 0;}\\n' > h.c && gcc -O2 -o h h.c && ./h",
		 d);
	CHECK_EQ(CLI(out, "sh", "-c", cc), 0);
	CHECK_CONTAINS(t_slurp(out), "built");
	snprintf(tar, sizeof(tar),
		 "cd %s && mkdir -p t/a/b && echo x > t/a/b/f && "
		 "tar czf t.tgz t && tar tzf t.tgz",
		 d);
	CHECK_EQ(CLI(out, "sh", "-c", tar), 0);
	CHECK_CONTAINS(t_slurp(out), "t/a/b/f");
	t_fresh_dir(&rt_d, "run"); /* clean up */
}

/* ---- complain mode (--complain, cf_filter_complain) --------------------- */

/* Every number of every ABI of the filter, zero arguments: the complain
 * program answers ALLOW and LOG as the profile's does and USER_NOTIF for
 * everything else; the kernel's action cache is the same bitmap. */
static void rt_check_complain_program(const struct cf_filter *f)
{
	const struct sock_filter *p;
	struct sock_filter *cp = NULL;
	size_t n, cn = 0;
	struct cf_error err;
	static const char *const abis[] = {"x86_64", "x86", "x32"};

	p = cf_filter_program(f, &n);
	CHECK_EQ(cf_filter_complain(f, &cp, &cn, &err), 0);
	if (!cp)
		return;
	CHECK_EQ(cn, n);
	for (size_t a = 0; a < CF_ARRAY_SIZE(abis); a++) {
		int abi = cf_abi_lookup(abis[a]);
		uint32_t arch = cf_abi_audit_arch(abi);
		uint32_t base = a == 2 ? 0x40000000U : 0;
		uint8_t m1[1024 / 8], m2[1024 / 8];
		size_t bad = 0;

		for (uint32_t nr = base; nr < base + 1024; nr++) {
			struct seccomp_data d = {.nr = (int)nr, .arch = arch};
			uint32_t r1 = cf_bpf_run(p, n, &d, NULL);
			uint32_t r2 = cf_bpf_run(cp, cn, &d, NULL);
			uint32_t act = r1 & 0xffff0000U;
			bool keep =
			    act == SECCOMP_RET_ALLOW || act == SECCOMP_RET_LOG;

			bad += keep ? r2 != r1 : r2 != SECCOMP_RET_USER_NOTIF;
		}
		CHECK_EQ(bad, 0);
		CHECK_EQ(cf_bpf_cache_map(cp, cn, arch, base, m2, 1024),
			 cf_bpf_cache_map(p, n, arch, base, m1, 1024));
		CHECK(memcmp(m1, m2, sizeof(m1)) == 0);
	}
	free(cp);
}

TEST(run_complain_program_keeps_allow_and_the_cache)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	struct sock_filter *cp = (void *)1;
	size_t cn = 1;
	char *json;
	size_t len;

	CHECK_EQ(cf_target_default(&t, &err), 0);
	CHECK_EQ(cf_profile_builtin(&p, &err), 0);
	CHECK_EQ(cf_compile(p, &t, &f, &err), 0);
	if (f)
		rt_check_complain_program(f);
	cf_filter_free(f);
	cf_profile_free(p);
	f = NULL;
	p = NULL;
	json = t_fixture_read("docker-labs-no-chmod.json", &len);
	if (json && cf_profile_parse(json, len, NULL, &p, &err) == 0 &&
	    cf_compile(p, &t, &f, &err) == 0)
		rt_check_complain_program(f);
	cf_filter_free(f);
	cf_profile_free(p);
	free(json);
	/* unconfined: nothing to complain about */
	CHECK_EQ(cf_profile_parse("{}", 2, NULL, &p, &err), 0);
	CHECK_EQ(cf_compile(p, &t, &f, &err), 0);
	CHECK_EQ(cf_filter_complain(f, &cp, &cn, &err), -EINVAL);
	CHECK(cp == NULL && cn == 0);
	cf_filter_free(f);
	cf_profile_free(p);
}

/* Validates report against docs/complain.schema.json and asserts a
 * finding with every KEY=VALUE (tests/complain_check.py). */
static bool rt_complain_check(const char *report, const char *const *want)
{
	char *argv[16];
	size_t n = 0;
	pid_t pid;
	int ws;

	if (access("/usr/bin/python3", X_OK) ||
	    system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null")) {
		t_skip("/usr/bin/python3 with jsonschema is not installed");
		return true;
	}
	argv[n++] = (char *)"/usr/bin/python3";
	argv[n++] = (char *)"tests/complain_check.py";
	argv[n++] = (char *)"docs/complain.schema.json";
	argv[n++] = (char *)report;
	while (*want && n < 15)
		argv[n++] = (char *)*want++;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(97);
	}
	return pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) &&
	       WEXITSTATUS(ws) == 0;
}

#define COMPLAIN_CHECK(report, ...)                                            \
	CHECK(rt_complain_check(report,                                        \
				(const char *const[]){__VA_ARGS__, NULL}))

/* The files of a test of `run --complain`, in a fresh directory: the
 * report, the command's stdout and stderr (CLI's out and out.err) and
 * the option --complain=REPORT. */
struct rt_complain {
	const char *dir;
	char rep[4200], out[4200], errf[4200], copt[4300];
};

/* c for a complain test; false (nothing to test, after a failed check)
 * without the directory or the built CLI. */
static bool rt_complain_files(struct rt_complain *c)
{
	c->dir = t_fresh_dir(&rt_d, "run");
	if (!CHECK(c->dir) || !rt_have_cli())
		return false;
	snprintf(c->rep, sizeof(c->rep), "%s/report.json", c->dir);
	snprintf(c->out, sizeof(c->out), "%s/out", c->dir);
	snprintf(c->errf, sizeof(c->errf), "%s/out.err", c->dir);
	snprintf(c->copt, sizeof(c->copt), "--complain=%s", c->rep);
	return true;
}

/* --security-opt seccomp= of the shared profile that denies chmod with
 * EPERM into opt; false (skipped) without the shared fixtures. */
static bool rt_no_chmod_opt(char *opt, size_t size)
{
	const char *shared = t_shared();

	if (!shared)
		return false;
	snprintf(opt, size,
		 "seccomp=%s/fixtures/profiles/docker-labs-no-chmod.json",
		 shared);
	return true;
}

TEST(run_cli_complain_no_chmod_profile)
{
	struct rt_complain c;
	const char *d, *rep = c.rep, *out = c.out, *errf = c.errf;
	const char *copt = c.copt;
	char opt[4200], cmd[4400];
	struct stat st;

	if (!rt_no_chmod_opt(opt, sizeof(opt)) || !rt_complain_files(&c))
		return;
	d = c.dir;
	snprintf(cmd, sizeof(cmd), "cd %s && touch g && chmod 600 g", d);
	/* the call the profile denies runs, and is reported */
	CHECK_EQ(CLI(out, copt, "--security-opt", opt, "sh", "-c", cmd), 0);
	CHECK(stat(t_join(d, "g"), &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_CONTAINS(t_slurp(errf), "method: user-notification)");
	CHECK(strstr(t_slurp(errf), " chmod (nr ") ||
	      strstr(t_slurp(errf), " fchmodat (nr "));
	COMPLAIN_CHECK(rep, "syscall=chmod|fchmodat", "pointer=null",
		       "action=SCMP_ACT_ERRNO(1)", "errno=1");
	/* the same under no-new-privileges: the filter goes in last */
	CHECK_EQ(CLI(out, copt, "--security-opt", opt, "--security-opt",
		     "no-new-privileges", "sh", "-c", cmd),
		 0);
	COMPLAIN_CHECK(rep, "syscall=chmod|fchmodat", "pointer=null");
	/* stderr alone, without FILE */
	CHECK_EQ(CLI(out, "--complain", "--security-opt", opt, "sh", "-c", cmd),
		 0);
	CHECK(strstr(t_slurp(errf), " chmod (nr ") ||
	      strstr(t_slurp(errf), " fchmodat (nr "));
}

/* An explicit SCMP_ACT_ERRNO rule for mkdir on line 4 of the profile. */
static const char rt_mkdir_profile[] =
    "{\n"
    "  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
    "  \"syscalls\": [\n"
    "    {\"names\": [\"mkdir\", \"mkdirat\"], \"action\": "
    "\"SCMP_ACT_ERRNO\", \"errnoRet\": 13}\n"
    "  ]\n"
    "}\n";

TEST(run_cli_complain_names_the_rule)
{
	struct rt_complain c;
	const char *d, *rep = c.rep, *out = c.out, *errf = c.errf;
	const char *copt = c.copt, *prof;
	char cmd[4400];

	if (!rt_complain_files(&c))
		return;
	d = c.dir;
	prof = rt_profile(d, "mkdir.json", rt_mkdir_profile);
	snprintf(cmd, sizeof(cmd), "mkdir %s/made", d);
	/* without complain the rule denies */
	CHECK_EQ(CLI(out, "--security-opt", prof, "sh", "-c", cmd), 1);
	CHECK(!t_exists(t_join(d, "made")));
	CHECK_EQ(CLI(out, copt, "--security-opt", prof, "sh", "-c", cmd), 0);
	CHECK(t_exists(t_join(d, "made")));
	COMPLAIN_CHECK(rep, "syscall=mkdir|mkdirat", "rule=/syscalls/0",
		       "line=4", "action=SCMP_ACT_ERRNO(13)", "errno=13");
	CHECK_CONTAINS(t_slurp(errf), ":4:16: /syscalls/0/names/0");
	CHECK_CONTAINS(t_slurp(errf), "from the rule at /syscalls/0");
}

TEST(run_cli_complain_exit_codes_pass_through)
{
	struct rt_complain c;
	const char *rep = c.rep, *out = c.out, *copt = c.copt;

	if (!rt_complain_files(&c))
		return;
	CHECK_EQ(CLI(out, copt, "sh", "-c", "exit 7"), 7);
	COMPLAIN_CHECK(rep, NULL);
	CHECK_CONTAINS(t_slurp(rep), "\"exit_code\":7");
	CHECK_EQ(CLI(out, "--complain", "sh", "-c", "kill -KILL $$"), 137);
	CHECK_EQ(CLI(out, "--complain", "callfence-no-such-command"), 127);
	/* no filter, nothing to report on; an empty FILE name */
	CHECK_EQ(CLI(out, "--complain", "--security-opt", "seccomp=unconfined",
		     "true"),
		 125);
	CHECK_EQ(CLI(out, "--complain=", "true"), 125);
	/* FILE is checked before the command runs */
	CHECK_EQ(CLI(out, "--complain=/nonexistent/dir/r.json", "sh", "-c",
		     "echo ran"),
		 125);
	CHECK(!strstr(t_slurp(out), "ran"));
}

/* What stays checked under complain: the listener's hand-off (sendmsg
 * right after the install) must really run. */
TEST(run_cli_complain_needs_sendmsg)
{
	const char *d = t_fresh_dir(&rt_d, "run"), *out = t_join(d, "out");
	const char *prof = rt_profile(
	    d, "nosend.json",
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"sendmsg\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");

	if (!rt_have_cli())
		return;
	CHECK_EQ(CLI(out, "--security-opt", prof, "true"), 0);
	CHECK_EQ(CLI(out, "--complain", "--security-opt", prof, "true"), 125);
	CHECK_CONTAINS(t_slurp(t_join(d, "out.err")), "allow sendmsg");
}

/* A process with a listener cannot get a second one: refused (125) with
 * the reason, not run without a report. The ptrace fallback the issue
 * asks for is not implemented. */
/* The count of the finding for syscall name in a report, 0 if none. */
static long rt_finding_count(const char *report, const char *name)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "\"syscall\":\"%s\",\"count\":", name);
	p = report ? strstr(report, key) : NULL;
	return p ? strtol(p + strlen(key), NULL, 10) : 0;
}

/* The ptrace method (docs/diagnose.md, "Methods"): a complain run inside
 * a complain run cannot have a listener (EBUSY) and is traced instead;
 * the outer one reports what it sees, the script succeeds, the exit code
 * comes through both. */
TEST(run_cli_complain_nested_uses_ptrace)
{
	struct rt_complain c;
	const char *d, *outer = c.rep, *out = c.out, *errf = c.errf;
	const char *co = c.copt;
	char inner[4200], opt[4200], cmd[4400], ci[4300];
	struct stat st;

	if (!rt_no_chmod_opt(opt, sizeof(opt)) || !rt_complain_files(&c))
		return;
	d = c.dir;
	snprintf(inner, sizeof(inner), "%s/inner.json", d);
	snprintf(ci, sizeof(ci), "--complain=%s", inner);
	snprintf(cmd, sizeof(cmd), "cd %s && touch n && chmod 600 n; exit 3",
		 d);
	CHECK_EQ(CLI(out, co, "--security-opt", opt, t_callfence_bin(), "run",
		     ci, "--security-opt", opt, "sh", "-c", cmd),
		 3);
	CHECK(stat(t_join(d, "n"), &st) == 0 && (st.st_mode & 0777) == 0600);
	COMPLAIN_CHECK(inner, "method=ptrace", "syscall=chmod|fchmodat",
		       "pointer=null", "action=SCMP_ACT_ERRNO(1)", "errno=1",
		       "outer=null");
	/* the outer one sees the command's calls too (nothing of the
	 * inner run's stands between), and the inner run's ptrace */
	COMPLAIN_CHECK(outer, "method=user-notification",
		       "syscall=chmod|fchmodat");
	COMPLAIN_CHECK(outer, "syscall=ptrace");
	CHECK_CONTAINS(t_slurp(errf), "method: ptrace: callfence runs under "
				      "a seccomp filter already");
	CHECK_CONTAINS(t_slurp(errf), "method: user-notification)");
}

/* Under an enforcing run whose profile denies mkdir, a complain run
 * whose profile allows it says the outer filter denied it (exactly: the
 * outer probe gets the same errno), and the command sees the denial. */
TEST(run_cli_complain_names_an_outer_denial)
{
	struct rt_complain c;
	const char *d, *rep = c.rep, *out = c.out, *copt = c.copt;
	char deny[4300], allow[4300], cmd[4400];

	if (!rt_complain_files(&c))
		return;
	d = c.dir;
	snprintf(deny, sizeof(deny), "%s",
		 rt_profile(d, "mkdir.json", rt_mkdir_profile));
	snprintf(allow, sizeof(allow), "%s",
		 rt_profile(d, "allow.json",
			    "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}"));
	snprintf(cmd, sizeof(cmd), "mkdir %s/outer", d);
	CHECK_EQ(CLI(out, "--security-opt", deny, t_callfence_bin(), "run",
		     copt, "--security-opt", allow, "sh", "-c", cmd),
		 1);
	CHECK(!t_exists(t_join(d, "outer")));
	COMPLAIN_CHECK(rep, "method=ptrace", "syscall=mkdir|mkdirat",
		       "action=SCMP_ACT_ALLOW", "outer=SCMP_ACT_ERRNO(13)",
		       "certain=true");
	CHECK_CONTAINS(t_slurp(c.errf),
		       "denied by an outer filter: SCMP_ACT_ERRNO(13)");
}

/* A kill or a trap of the outer filter, seen by the probe. */
TEST(run_cli_complain_outer_kill_and_trap)
{
	static const char *const acts[] = {"SCMP_ACT_KILL_PROCESS",
					   "SCMP_ACT_TRAP"};
	struct rt_complain c;
	const char *d, *rep = c.rep, *out = c.out, *copt = c.copt;
	char prof[300], deny[4300], allow[4300], cmd[4400], want[64];

	if (!rt_complain_files(&c))
		return;
	d = c.dir;
	snprintf(allow, sizeof(allow), "%s",
		 rt_profile(d, "allow.json",
			    "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}"));
	snprintf(cmd, sizeof(cmd), "mkdir %s/k", d);
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		snprintf(prof, sizeof(prof),
			 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", "
			 "\"syscalls\": [{\"names\": [\"mkdir\", "
			 "\"mkdirat\"], \"action\": \"%s\"}]}",
			 acts[i]);
		snprintf(deny, sizeof(deny), "%s",
			 rt_profile(d, "deny.json", prof));
		/* sh reports its child's death by SIGSYS: 128 + 31 */
		CHECK_EQ(CLI(out, "--security-opt", deny, t_callfence_bin(),
			     "run", copt, "--security-opt", allow, "sh", "-c",
			     cmd),
			 159);
		snprintf(want, sizeof(want), "outer=%s", acts[i]);
		COMPLAIN_CHECK(rep, "method=ptrace", "syscall=mkdir|mkdirat",
			       want, "certain=true");
	}
}

/* Under `callfence record --backend ptrace` the command is traced
 * already: complain uses user notification and says why; one level
 * deeper (a listener too) nothing is left: 125, and why. */
TEST(run_cli_complain_under_record)
{
	struct rt_complain c;
	const char *d, *rep = c.rep, *out = c.out, *errf = c.errf;
	const char *copt = c.copt;
	char opt[4200], rec[4300], cmd[4400], *saved;

	if (!rt_no_chmod_opt(opt, sizeof(opt)) || !rt_complain_files(&c))
		return;
	d = c.dir;
	snprintf(rec, sizeof(rec), "%s/rec.json", d);
	snprintf(cmd, sizeof(cmd), "cd %s && touch r && chmod 600 r; exit 4",
		 d);
	/* LeakSanitizer stops the world with ptrace at exit, which cannot
	 * work in a traced process (make asan): no leak check in there */
	saved = getenv("ASAN_OPTIONS") ? strdup(getenv("ASAN_OPTIONS")) : NULL;
	setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
	CHECK_EQ(CLI(out, "--security-opt", "seccomp=unconfined",
		     t_callfence_bin(), "record", "--backend", "ptrace", "-o",
		     rec, t_callfence_bin(), "run", copt, "--security-opt", opt,
		     "sh", "-c", cmd),
		 4);
	COMPLAIN_CHECK(rep, "method=user-notification",
		       "syscall=chmod|fchmodat");
	CHECK_CONTAINS(t_slurp(errf), "ptrace is not available");
	CHECK_EQ(CLI(out, "--security-opt", "seccomp=unconfined",
		     t_callfence_bin(), "record", "--backend", "ptrace", "-o",
		     rec, t_callfence_bin(), "run", "--complain",
		     t_callfence_bin(), "run", "--complain", "true"),
		 125);
	CHECK_CONTAINS(t_slurp(errf), "complain mode: no method is available");
	if (saved)
		setenv("ASAN_OPTIONS", saved, 1);
	else
		unsetenv("ASAN_OPTIONS");
	free(saved);
}

/* The ptrace method follows threads, vfork (posix_spawn), fork, exec and
 * a group-stop (the parent sees its child stopped, then continues it),
 * and leaves the command's exit code alone. */
TEST(run_cli_complain_ptrace_follows_the_tree)
{
	static const char py[] =
	    "import os, signal, sys, threading\n"
	    "t = threading.Thread(target=lambda: os.chmod('a', 0o600))\n"
	    "t.start(); t.join()\n"
	    "p = os.posix_spawnp('chmod', ['chmod', '600', 'a'], os.environ)\n"
	    "assert os.waitpid(p, 0)[1] == 0\n"
	    "c = os.fork()\n"
	    "if c == 0:\n"
	    "    os.kill(os.getpid(), signal.SIGSTOP)\n"
	    "    os.execvp('sh', ['sh', '-c', 'exit 7'])\n"
	    "_, st = os.waitpid(c, os.WUNTRACED)\n"
	    "assert os.WIFSTOPPED(st)\n"
	    "os.kill(c, signal.SIGCONT)\n"
	    "_, st = os.waitpid(c, 0)\n"
	    "sys.exit(os.WEXITSTATUS(st) + 1)\n";
	struct rt_complain c;
	const char *d, *rep = c.rep, *out = c.out, *copt = c.copt;
	char opt[4200], cmd[4400];

	/* Debian's python3 (not a pyenv shim, whose own processes would
	 * be traced too): the same program on every machine */
	if (access("/usr/bin/python3", X_OK)) {
		t_skip("no /usr/bin/python3 (Debian package python3)");
		return;
	}
	if (!rt_no_chmod_opt(opt, sizeof(opt)) || !rt_complain_files(&c))
		return;
	d = c.dir;
	rt_profile(d, "tree.py", py); /* writes the script */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && touch a && exec /usr/bin/python3 tree.py", d);
	/* under the builtin profile: complain runs under a filter */
	CHECK_EQ(CLI(out, t_callfence_bin(), "run", copt, "--security-opt", opt,
		     "sh", "-c", cmd),
		 8);
	COMPLAIN_CHECK(rep, "method=ptrace", "syscall=chmod|fchmodat");
	/* the thread's chmod and the spawned chmod's: two calls */
	CHECK_EQ(rt_finding_count(t_slurp(rep), "chmod") +
		     rt_finding_count(t_slurp(rep), "fchmodat"),
		 2);
	/* a signal to callfence reaches the command (callfence is the
	 * parent of sh's parent, which runs the command) */
	CHECK_EQ(CLI(out, t_callfence_bin(), "run", copt, "--security-opt", opt,
		     "sh", "-c",
		     "kill -TERM $(awk '/^PPid/ {print $2}' /proc/$PPID/status)"
		     "; exec sleep 100"),
		 143);
}

/* A non-root invoker: no-new-privileges, the filter goes in last. */
TEST(run_cli_complain_as_non_root)
{
	struct rt_complain c;
	const char *d, *rep = c.rep, *out = c.out;
	char cmd[4400], prof[4400];
	const char *args[8];

	if (!t_need_root() || !rt_complain_files(&c))
		return;
	d = c.dir;
	snprintf(prof, sizeof(prof), "%s",
		 rt_profile(d, "mkdir.json", rt_mkdir_profile));
	snprintf(cmd, sizeof(cmd), "mkdir %s/byuser", d);
	args[0] = c.copt;
	args[1] = "--security-opt";
	args[2] = prof;
	args[3] = "sh";
	args[4] = "-c";
	args[5] = cmd;
	args[6] = NULL;
	CHECK_EQ(rt_cli_as(65534, out, args), 0);
	CHECK(t_exists(t_join(d, "byuser")));
	COMPLAIN_CHECK(rep, "syscall=mkdir|mkdirat", "rule=/syscalls/0",
		       "errno=13");
}
