/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`: Docker's capability arithmetic, exit codes and cgroup discovery as
 * plain functions; then live runs, through cf_run with hand-written
 * programs and through the callfence binary, each asserting what the
 * command could observe (/proc/self/status, errno of harmless calls, files
 * it did or did not create).
 */
#include "t.h"

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

/* ---- helpers ----------------------------------------------------------- */

static char *rt_slurp(const char *path)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, off = 0;

	buf[0] = 0;
	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf + off, sizeof(buf) - 1 - (size_t)off)) > 0)
		off += n;
	close(fd);
	buf[off] = 0;
	return buf;
}

static bool rt_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static int rt_rm(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(p);
}

/* A fresh world-writable directory (commands may run as nobody). */
static const char *rt_dir(void)
{
	static char dir[64];

	if (dir[0])
		nftw(dir, rt_rm, 16, FTW_DEPTH | FTW_PHYS);
	strcpy(dir, "/tmp/cf-run-XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0777) < 0)
		return NULL;
	return dir;
}

static char *rt_path(const char *dir, const char *name)
{
	static char bufs[4][4200];
	static int i;
	char *b = bufs[i++ & 3];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

/* build/tests/run/<prog>, next to the callfence binary. */
static const char *rt_helper(const char *prog)
{
	static char bufs[4][4200];
	static int i;
	char bin[4096], *b = bufs[i++ & 3];

	snprintf(bin, sizeof(bin), "%s", t_callfence_bin());
	snprintf(b, sizeof(bufs[0]), "%s/tests/run/%s", dirname(bin), prog);
	return b;
}

static bool rt_root(void)
{
	if (geteuid() == 0)
		return true;
	t_skip("needs root");
	return false;
}

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
	char *argv[64], err[4200];
	size_t n = 0;
	pid_t pid;
	int ws;

	argv[n++] = (char *)t_callfence_bin();
	argv[n++] = (char *)"run";
	while (*args && n < 62)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	snprintf(err, sizeof(err), "%s.err", out);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || fe < 0 || dup2(fd, 1) < 0 || dup2(fe, 2) < 0)
			_exit(99);
		if (uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
			    setresuid(uid, uid, uid)))
			_exit(98);
		execv(argv[0], argv);
		_exit(97);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -1;
	return cf_run_exit_code(ws);
}

static int rt_cli(const char *out, const char *const *args)
{
	return rt_cli_as(0, out, args);
}

#define CLI(out, ...) rt_cli(out, (const char *const[]){__VA_ARGS__, NULL})

static bool rt_have_helper(const char *prog)
{
	if (access(rt_helper(prog), X_OK) == 0)
		return true;
	t_fail(__FILE__, __LINE__, "%s is missing (make check builds it)",
	       rt_helper(prog));
	return false;
}

static bool rt_have_cli(void)
{
	if (access(t_callfence_bin(), X_OK) == 0 &&
	    access(rt_helper("probe"), X_OK) == 0)
		return true;
	t_fail(__FILE__, __LINE__,
	       "%s or %s is missing (make all and the "
	       "run helpers first)",
	       t_callfence_bin(), rt_helper("probe"));
	return false;
}

/* ---- hand-written programs for cf_run --------------------------------- */

#define RT_STMT(c, k) ((struct sock_filter){(c), 0, 0, (k)})
#define RT_JEQ(k, t, f)                                                        \
	((struct sock_filter){BPF_JMP | BPF_JEQ | BPF_K, t, f, k})

/* x86_64 only; syscalls in nrs return ret, the rest are allowed. */
static size_t rt_prog_deny(struct sock_filter *p, const int *nrs, size_t n,
			   uint32_t ret)
{
	size_t i = 0;

	p[i++] = RT_STMT(BPF_LD | BPF_W | BPF_ABS, 4);
	p[i++] = RT_JEQ(AUDIT_ARCH_X86_64, 1, 0);
	p[i++] = RT_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	p[i++] = RT_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
	for (size_t k = 0; k < n; k++)
		p[i++] = RT_JEQ((uint32_t)nrs[k], (uint8_t)(n - k), 0);
	p[i++] = RT_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	p[i++] = RT_STMT(BPF_RET | BPF_K, ret);
	return i;
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
	const char *d = rt_dir();
	struct cf_run_opts o = {0};
	struct cf_error err;
	char *missing[] = {(char *)"callfence-no-such-command", NULL};
	char *notexec[] = {rt_path(d, "plain"), NULL};
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

	snprintf(cmd, sizeof(cmd), rt_status_cmd, rt_path(d, "status"));
	*code = rt_lib(o, cmd, &err);
	if (*code)
		t_note("cf_run: %s", err.msg);
	return rt_slurp(rt_path(d, "status"));
}

TEST(run_lib_docker_capability_model)
{
	struct sock_filter p[16];
	struct cf_run_opts o = {.set_caps = true, .caps = DOCKER_CAPS};
	const char *d = rt_dir(), *s;
	int code;

	if (!rt_root())
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
	const char *d = rt_dir(), *s;
	int code;

	if (!rt_root())
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
	const char *d = rt_dir();
	char cmd[4400];
	struct cf_error err;
	struct stat st;

	o.prog_len = rt_prog_deny(p, nrs, 3, SECCOMP_RET_ERRNO | EPERM);
	if (!rt_root())
		o.no_new_privs = true;
	snprintf(
	    cmd, sizeof(cmd),
	    "cd %s && touch f && mkdir d && mv f g && chmod 600 g 2>/dev/null",
	    d);
	CHECK_EQ(rt_lib(&o, cmd, &err), 1);
	CHECK(rt_exists(rt_path(d, "d")));
	CHECK(stat(rt_path(d, "g"), &st) == 0 && (st.st_mode & 0777) != 0600);
}

static char err_last[512];

/* The command would create "ran"; every case must exit 125 without it. */
static void rt_fail_closed(struct cf_run_opts *o, const char *d, int want_rc)
{
	char cmd[4400];
	struct cf_error err;
	int code = 0, rc;
	char *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};

	snprintf(cmd, sizeof(cmd), "touch %s", rt_path(d, "ran"));
	o->argv = argv;
	rc = cf_run(o, &code, &err);
	CHECK_EQ(code, 125);
	CHECK_EQ(rc, want_rc);
	CHECK(!rt_exists(rt_path(d, "ran")));
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
	const char *d = rt_dir();

	if (!rt_root())
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
	const char *d = rt_dir();
	pid_t pid;
	int ws = 0;

	if (!rt_root())
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
		char *argv[] = {(char *)"touch", rt_path(d, "ran"), NULL};
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
	CHECK(!rt_exists(rt_path(d, "ran")));
}
#endif

/* Polls (bounded, 10 s) until path exists. */
static bool rt_wait_for(const char *path)
{
	const struct timespec ms = {0, 10 * 1000 * 1000};

	for (int i = 0; i < 1000; i++) {
		if (rt_exists(path))
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

/* Gone, or a zombie nobody reaps: either way not running. */
static bool rt_dead(pid_t pid)
{
	const struct timespec ms = {0, 10 * 1000 * 1000};
	char path[64], *s, *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 500; i++) {
		s = rt_slurp(path);
		if (!s)
			return true;
		p = strrchr(s, ')');
		if (p && (p[2] == 'Z' || p[2] == 'X'))
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

/* Runs `sh -c 'echo $$ > pid; exec sleep 60'` under cf_run in a forked
 * caller; sends sig to the caller once the command runs. */
static int rt_signal_caller(int sig, pid_t *cmd_pid)
{
	const char *d = rt_dir();
	char cmd[4400];
	pid_t caller;
	int ws = 0;

	snprintf(cmd, sizeof(cmd),
		 "echo $$ > %s.tmp && mv %s.tmp %s; exec "
		 "sleep 60",
		 rt_path(d, "pid"), rt_path(d, "pid"), rt_path(d, "pid"));
	fflush(NULL);
	caller = fork();
	if (caller == 0) {
		struct cf_run_opts o = {.forward_signals = true};
		struct cf_error err;

		_exit(rt_lib(&o, cmd, &err));
	}
	if (!CHECK(rt_wait_for(rt_path(d, "pid")))) {
		kill(caller, SIGKILL);
		waitpid(caller, &ws, 0);
		return -1;
	}
	*cmd_pid = (pid_t)atoi(rt_slurp(rt_path(d, "pid")));
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
	CHECK(cmd > 0 && rt_dead(cmd));
	ws = rt_signal_caller(SIGKILL, &cmd);
	CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	CHECK(cmd > 0 && rt_dead(cmd)); /* PR_SET_PDEATHSIG */
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
			CHECK(rt_dead((pid_t)atoi(l + 1)));
	}
	free(out);
}

/* No callfence.<pid>.* cgroup left in either hierarchy. */
static bool rt_no_cgroup_left(pid_t pid)
{
	const char *dirs[] = {"/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified"};
	char prefix[64];
	bool none = true;

	snprintf(prefix, sizeof(prefix), "callfence.%d.", (int)pid);
	for (size_t i = 0; i < 2; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		while (d && (e = readdir(d)))
			none &= strncmp(e->d_name, prefix, strlen(prefix)) != 0;
		if (d)
			closedir(d);
	}
	return none;
}

TEST(run_lib_pids_limit_stops_a_fork_bomb)
{
	struct cf_run_opts o = {
	    .pids_limit = 5, .set_caps = true, .caps = DOCKER_CAPS};
	const char *d = rt_dir();
	char *argv[] = {(char *)"/bin/sh", (char *)"-c", NULL, NULL};
	char cmd[8400];
	struct cf_error err;
	int code = -1;

	if (!rt_root() || !rt_have_helper("forkbomb"))
		return;
	snprintf(cmd, sizeof(cmd), "%s > %s", rt_helper("forkbomb"),
		 rt_path(d, "out"));
	argv[2] = cmd;
	o.argv = argv;
	if (cf_run(&o, &code, &err) < 0)
		t_note("%s", err.msg);
	CHECK_EQ(code, 0);
	rt_check_forkbomb(rt_slurp(rt_path(d, "out")), 5);
	CHECK(rt_no_cgroup_left(getpid()));
}

/* ---- the callfence binary ---------------------------------------------- */

TEST(run_cli_seccomp_mode_and_docker_caps)
{
	const char *d = rt_dir(), *out = rt_path(d, "out"), *s;
	char all[32];

	if (!rt_root() || !rt_have_cli())
		return;
	CHECK_EQ(CLI(out, "--", "grep", "Seccomp", "/proc/self/status"), 0);
	CHECK_STR(rt_field(rt_slurp(out), "Seccomp"), "2");
	CHECK_EQ(CLI(out, "--security-opt", "seccomp=unconfined", "grep",
		     "Seccomp", "/proc/self/status"),
		 0);
	CHECK_STR(rt_field(rt_slurp(out), "Seccomp"), "0");
	CHECK_EQ(CLI(out, "cat", "/proc/self/status"), 0);
	s = rt_slurp(out);
	CHECK_EQ(rt_hex(rt_field(s, "CapEff")), DOCKER_CAPS);
	CHECK_EQ(rt_hex(rt_field(s, "CapBnd")), DOCKER_CAPS);
	CHECK_EQ(rt_hex(rt_field(s, "CapInh")), 0);
	CHECK_STR(rt_field(s, "NoNewPrivs"), "0");
	CHECK_EQ(CLI(out, "--cap-drop", "ALL", "--cap-add", "chown", "cat",
		     "/proc/self/status"),
		 0);
	s = rt_slurp(out);
	CHECK_EQ(rt_hex(rt_field(s, "CapEff")), 1);
	CHECK_EQ(rt_hex(rt_field(s, "CapBnd")), 1);
	CHECK_EQ(CLI(out, "--privileged", "cat", "/proc/self/status"), 0);
	s = rt_slurp(out);
	snprintf(all, sizeof(all), "%016llx",
		 (unsigned long long)(cf_caps_all() & cf_run_invoker_caps()));
	CHECK_STR(rt_field(s, "CapEff"), all);
	CHECK_STR(rt_field(s, "Seccomp"), "0"); /* no profile named */
	CHECK_EQ(CLI(out, "--privileged", "--security-opt", "seccomp=builtin",
		     "--security-opt", "no-new-privileges", "cat",
		     "/proc/self/status"),
		 0);
	s = rt_slurp(out);
	CHECK_STR(rt_field(s, "Seccomp"), "2");
	CHECK_STR(rt_field(s, "NoNewPrivs"), "1");
	CHECK_STR(rt_field(s, "CapBnd"), all);
}

TEST(run_cli_no_chmod_profile)
{
	const char *d = rt_dir(), *out = rt_path(d, "out");
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
	CHECK_CONTAINS(rt_slurp(rt_path(d, "out.err")),
		       "Operation not permitted");
	CHECK(rt_exists(rt_path(d, "d")) && rt_exists(rt_path(d, "l")));
	CHECK(stat(rt_path(d, "g"), &st) == 0 && (st.st_mode & 0777) != 0600);
}

TEST(run_cli_builtin_cap_conditional_rules_and_enosys)
{
	const char *d = rt_dir(), *out = rt_path(d, "out"), *s;
	const char *probe = rt_helper("probe");

	if (!rt_root() || !rt_have_cli())
		return;
	CHECK_EQ(CLI(out, probe, "unshare-user", "clone3", "nr1000",
		     "nfsservctl", "getpid", "clone-newuser"),
		 0);
	s = rt_slurp(out);
	CHECK_CONTAINS(s, "unshare-user EPERM");
	CHECK_CONTAINS(s, "clone-newuser EPERM");
	CHECK_CONTAINS(s, "clone3 ENOSYS");
	CHECK_CONTAINS(s, "nr1000 ENOSYS");
	CHECK_CONTAINS(s, "nfsservctl EPERM"); /* below the threshold */
	CHECK_CONTAINS(s, "getpid ok");
	CHECK_EQ(CLI(out, "--cap-add", "SYS_ADMIN", probe, "unshare-user",
		     "clone3", "clone-newuser"),
		 0);
	s = rt_slurp(out);
	CHECK_CONTAINS(s, "unshare-user ok");
	CHECK_CONTAINS(s, "clone-newuser ok");
	CHECK_CONTAINS(s, "clone3 EINVAL"); /* reached the kernel */
	CHECK_EQ(CLI(out, "--enosys=none", probe, "nr1000", "clone3"), 0);
	s = rt_slurp(out);
	CHECK_CONTAINS(s, "nr1000 EPERM");
	CHECK_CONTAINS(s, "clone3 ENOSYS"); /* the profile's own rule */
}

/* --harden on the kernel: Docker's default lets socket(0x100000028, ...)
 * through to the kernel, which opens AF_VSOCK (40) or, without vsock,
 * answers EAFNOSUPPORT: anything but the filter's EPERM. Hardened, the
 * filter answers EPERM, as for socket(40, ...). Likewise AF_ALG (38). */
TEST(run_cli_hardened_int_args)
{
	const char *d = rt_dir(), *out = rt_path(d, "out"), *s;
	const char *probe = rt_helper("probe");
	char opt[4200];

	const char *shared = t_shared();

	if (!shared || !rt_root() || !rt_have_cli())
		return;
	snprintf(opt, sizeof(opt),
		 "seccomp=%s/fixtures/profiles/docker-default.json", shared);
	CHECK_EQ(CLI(out, "--security-opt", opt, probe, "socket-vsock",
		     "socket-vsock-hi", "socket-alg-hi",
		     "personality-query-sext"),
		 0);
	s = rt_slurp(out);
	CHECK_CONTAINS(s, "socket-vsock EPERM");
	CHECK(strstr(s, "socket-vsock-hi ") &&
	      !strstr(s, "socket-vsock-hi EPERM"));
	CHECK(strstr(s, "socket-alg-hi ") && !strstr(s, "socket-alg-hi EPERM"));
	CHECK_CONTAINS(s, "personality-query-sext EPERM");
	CHECK_EQ(CLI(out, "--harden", "--security-opt", opt, probe,
		     "socket-vsock", "socket-vsock-hi", "socket-alg-hi",
		     "personality-query-sext"),
		 0);
	s = rt_slurp(out);
	CHECK_CONTAINS(s, "socket-vsock EPERM");
	CHECK_CONTAINS(s, "socket-vsock-hi EPERM");
	CHECK_CONTAINS(s, "socket-alg-hi EPERM");
	/* the documented change: the kernel reads 0xffffffff, a query */
	CHECK_CONTAINS(s, "personality-query-sext ok");
}

TEST(run_cli_i386_call_killed_without_x86)
{
	const char *d = rt_dir(), *out = rt_path(d, "out");
	char opt[4200];
	FILE *f;

	if (!rt_have_cli())
		return;
	if (CLI(out, "--security-opt", "seccomp=unconfined",
		rt_helper("int80")) != 0) {
		t_skip("int $0x80 does not work here even unconfined (this "
		       "VM's kernel faults it before any filter runs)");
		return;
	}
	CHECK_EQ(CLI(out, rt_helper("int80")), 0);
	snprintf(opt, sizeof(opt), "seccomp=%s", rt_path(d, "p.json"));
	f = fopen(rt_path(d, "p.json"), "we");
	if (!CHECK(f))
		return;
	fputs("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
	      "[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": "
	      "[\"chmod\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
	      f);
	fclose(f);
	CHECK_EQ(CLI(out, "--security-opt", opt, rt_helper("int80")), 159);
}

static void rt_cli_fail_closed(const char *d, const char *const *args)
{
	const char *out = rt_path(d, "out");
	const char *argv[32];
	size_t n = 0;
	char ran[4200];

	snprintf(ran, sizeof(ran), "%s", rt_path(d, "ran"));
	while (*args)
		argv[n++] = *args++;
	argv[n++] = "touch";
	argv[n++] = ran;
	argv[n] = NULL;
	CHECK_EQ(rt_cli(out, argv), 125);
	CHECK(!rt_exists(ran));
	CHECK(strlen(rt_slurp(rt_path(d, "out.err"))) > 0);
}

#define FAILS(...)                                                             \
	rt_cli_fail_closed(d, (const char *const[]){__VA_ARGS__, NULL})

static const char *rt_profile(const char *d, const char *name, const char *json)
{
	static char opt[4][4300];
	static int i;
	char *o = opt[i++ & 3];
	FILE *f = fopen(rt_path(d, name), "we");

	if (f) {
		fputs(json, f);
		fclose(f);
	}
	snprintf(o, sizeof(opt[0]), "seccomp=%s", rt_path(d, name));
	return o;
}

TEST(run_cli_fail_closed)
{
	const char *d = rt_dir();

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
	const char *d = rt_dir(), *out = rt_path(d, "out");

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
	const char *d = rt_dir(), *out = rt_path(d, "out");

	if (!rt_root() || !rt_have_cli())
		return;
	CHECK_EQ(CLI(out, "--pids-limit", "5", rt_helper("forkbomb")), 0);
	rt_check_forkbomb(rt_slurp(out), 5);
}

TEST(run_cli_as_non_root)
{
	const char *d = rt_dir(), *out = rt_path(d, "out"), *s;
	const char *const status[] = {"cat", "/proc/self/status", NULL};
	const char *const capadd[] = {"--cap-add", "CHOWN", "true", NULL};
	const char *const nnp0[] = {"--security-opt", "no-new-privileges=false",
				    "true", NULL};

	if (!rt_root() || !rt_have_cli())
		return;
	CHECK_EQ(rt_cli_as(65534, out, status), 0);
	s = rt_slurp(out);
	CHECK_STR(rt_field(s, "Seccomp"), "2");
	CHECK_STR(rt_field(s, "NoNewPrivs"), "1");
	CHECK_EQ(rt_cli_as(65534, out, capadd), 125);
	CHECK_CONTAINS(rt_slurp(rt_path(d, "out.err")), "need root");
	CHECK_EQ(rt_cli_as(65534, out, nnp0), 125);
}

TEST(run_cli_real_programs_under_builtin)
{
	const char *d = rt_dir(), *out = rt_path(d, "out");
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
	CHECK_CONTAINS(rt_slurp(out), "19800 sub");
	snprintf(cc, sizeof(cc),
		 "cd %s && printf '#include <stdio.h>\\nint main(void){puts("
		 "\"built\");return 0;}\\n' > h.c && gcc -O2 -o h h.c && ./h",
		 d);
	CHECK_EQ(CLI(out, "sh", "-c", cc), 0);
	CHECK_CONTAINS(rt_slurp(out), "built");
	snprintf(tar, sizeof(tar),
		 "cd %s && mkdir -p t/a/b && echo x > t/a/b/f && "
		 "tar czf t.tgz t && tar tzf t.tgz",
		 d);
	CHECK_EQ(CLI(out, "sh", "-c", tar), 0);
	CHECK_CONTAINS(rt_slurp(out), "t/a/b/f");
	rt_dir(); /* clean up */
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

TEST(run_cli_complain_no_chmod_profile)
{
	const char *d = rt_dir();
	char rep[4200], out[4200], errf[4200]; /* rt_path's buffers rotate */
	char opt[4200], cmd[4400], copt[4300];
	const char *shared = t_shared();
	struct stat st;

	if (!shared || !rt_have_cli())
		return;
	snprintf(opt, sizeof(opt),
		 "seccomp=%s/fixtures/profiles/docker-labs-no-chmod.json",
		 shared);
	snprintf(rep, sizeof(rep), "%s", rt_path(d, "report.json"));
	snprintf(out, sizeof(out), "%s", rt_path(d, "out"));
	snprintf(errf, sizeof(errf), "%s", rt_path(d, "out.err"));
	snprintf(copt, sizeof(copt), "--complain=%s", rep);
	snprintf(cmd, sizeof(cmd), "cd %s && touch g && chmod 600 g", d);
	/* the call the profile denies runs, and is reported */
	CHECK_EQ(CLI(out, copt, "--security-opt", opt, "sh", "-c", cmd), 0);
	CHECK(stat(rt_path(d, "g"), &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_CONTAINS(rt_slurp(errf), "method: seccomp user notification");
	CHECK(strstr(rt_slurp(errf), " chmod (nr ") ||
	      strstr(rt_slurp(errf), " fchmodat (nr "));
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
	CHECK(strstr(rt_slurp(errf), " chmod (nr ") ||
	      strstr(rt_slurp(errf), " fchmodat (nr "));
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
	const char *d = rt_dir();
	char rep[4200], out[4200], errf[4200]; /* rt_path's buffers rotate */
	const char *prof = rt_profile(d, "mkdir.json", rt_mkdir_profile);
	char copt[4300], cmd[4400];

	if (!rt_have_cli())
		return;
	snprintf(rep, sizeof(rep), "%s", rt_path(d, "report.json"));
	snprintf(out, sizeof(out), "%s", rt_path(d, "out"));
	snprintf(errf, sizeof(errf), "%s", rt_path(d, "out.err"));
	snprintf(copt, sizeof(copt), "--complain=%s", rep);
	snprintf(cmd, sizeof(cmd), "mkdir %s/made", d);
	/* without complain the rule denies */
	CHECK_EQ(CLI(out, "--security-opt", prof, "sh", "-c", cmd), 1);
	CHECK(!rt_exists(rt_path(d, "made")));
	CHECK_EQ(CLI(out, copt, "--security-opt", prof, "sh", "-c", cmd), 0);
	CHECK(rt_exists(rt_path(d, "made")));
	COMPLAIN_CHECK(rep, "syscall=mkdir|mkdirat", "rule=/syscalls/0",
		       "line=4", "action=SCMP_ACT_ERRNO(13)", "errno=13");
	CHECK_CONTAINS(rt_slurp(errf), ":4:16: /syscalls/0/names/0");
	CHECK_CONTAINS(rt_slurp(errf), "from the rule at /syscalls/0");
}

TEST(run_cli_complain_exit_codes_pass_through)
{
	const char *d = rt_dir();
	char rep[4200], out[4200], errf[4200]; /* rt_path's buffers rotate */
	char copt[4300];

	if (!rt_have_cli())
		return;
	snprintf(rep, sizeof(rep), "%s", rt_path(d, "report.json"));
	snprintf(out, sizeof(out), "%s", rt_path(d, "out"));
	snprintf(errf, sizeof(errf), "%s", rt_path(d, "out.err"));
	snprintf(copt, sizeof(copt), "--complain=%s", rep);
	CHECK_EQ(CLI(out, copt, "sh", "-c", "exit 7"), 7);
	COMPLAIN_CHECK(rep, NULL);
	CHECK_CONTAINS(rt_slurp(rep), "\"exit_code\":7");
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
	CHECK(!strstr(rt_slurp(out), "ran"));
}

/* What stays checked under complain: the listener's hand-off (sendmsg
 * right after the install) must really run. */
TEST(run_cli_complain_needs_sendmsg)
{
	const char *d = rt_dir(), *out = rt_path(d, "out");
	const char *prof = rt_profile(
	    d, "nosend.json",
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"sendmsg\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");

	if (!rt_have_cli())
		return;
	CHECK_EQ(CLI(out, "--security-opt", prof, "true"), 0);
	CHECK_EQ(CLI(out, "--complain", "--security-opt", prof, "true"), 125);
	CHECK_CONTAINS(rt_slurp(rt_path(d, "out.err")), "allow sendmsg");
}

/* A process with a listener cannot get a second one: refused (125) with
 * the reason, not run without a report. The ptrace fallback the issue
 * asks for is not implemented. */
TEST(run_cli_complain_nested_is_refused)
{
	const char *d = rt_dir(), *out = rt_path(d, "out");

	if (!rt_have_cli())
		return;
	CHECK_EQ(CLI(out, "--complain", t_callfence_bin(), "run", "--complain",
		     "true"),
		 125);
	CHECK_CONTAINS(rt_slurp(rt_path(d, "out.err")),
		       "already has a seccomp listener");
}

/* A non-root invoker: no-new-privileges, the filter goes in last. */
TEST(run_cli_complain_as_non_root)
{
	const char *d = rt_dir();
	char rep[4200], out[4200], copt[4300], cmd[4400], prof[4400];
	const char *args[8];

	if (!rt_root() || !rt_have_cli())
		return;
	snprintf(prof, sizeof(prof), "%s",
		 rt_profile(d, "mkdir.json", rt_mkdir_profile));
	snprintf(rep, sizeof(rep), "%s", rt_path(d, "report.json"));
	snprintf(out, sizeof(out), "%s", rt_path(d, "out"));
	snprintf(copt, sizeof(copt), "--complain=%s", rep);
	snprintf(cmd, sizeof(cmd), "mkdir %s/byuser", d);
	args[0] = copt;
	args[1] = "--security-opt";
	args[2] = prof;
	args[3] = "sh";
	args[4] = "-c";
	args[5] = cmd;
	args[6] = NULL;
	CHECK_EQ(rt_cli_as(65534, out, args), 0);
	CHECK(rt_exists(rt_path(d, "byuser")));
	COMPLAIN_CHECK(rep, "syscall=mkdir|mkdirat", "rule=/syscalls/0",
		       "errno=13");
}
