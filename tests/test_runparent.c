/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`, the supervisor's side: the pids limit against a root command that
 * tries to leave it, the signal proxy (every signal, stop/continue, the
 * command's signal state), and cf_run from two threads at once. Live: the
 * real binary (or cf_run) on the real kernel, asserting what the command
 * saw or could do.
 */
#include "t.h"

#include "callfence.h"
#include "base.h"
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RP_DOCKER_CAPS 0x00000000a80425fbULL

/* ---- helpers ----------------------------------------------------------- */

static char *rp_slurp(const char *path)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, off = 0;

	buf[0] = 0;
	if (fd < 0)
		return buf;
	while ((n = read(fd, buf + off, sizeof(buf) - 1 - (size_t)off)) > 0)
		off += n;
	close(fd);
	buf[off] = 0;
	return buf;
}

static bool rp_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static int rp_rm(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(p);
}

/* A fresh world-writable directory; the previous one is removed. */
static const char *rp_dir(void)
{
	static char dir[64];

	if (dir[0])
		nftw(dir, rp_rm, 16, FTW_DEPTH | FTW_PHYS);
	strcpy(dir, "/tmp/cf-rp-XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0777) < 0)
		return NULL;
	return dir;
}

static char *rp_path(const char *dir, const char *name)
{
	static char bufs[8][4200];
	static int i;
	char *b = bufs[i++ & 7];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

/* build/tests/run/<prog>, next to the callfence binary. */
static const char *rp_helper(const char *prog)
{
	static char bufs[4][4200];
	static int i;
	char bin[4096], *b = bufs[i++ & 3];

	snprintf(bin, sizeof(bin), "%s", t_callfence_bin());
	snprintf(b, sizeof(bufs[0]), "%s/tests/run/%s", dirname(bin), prog);
	return b;
}

static bool rp_ready(const char *prog)
{
	if (geteuid() != 0) {
		t_skip("needs root");
		return false;
	}
	if (access(t_callfence_bin(), X_OK) == 0 &&
	    access(rp_helper(prog), X_OK) == 0)
		return true;
	t_fail(__FILE__, __LINE__,
	       "%s or %s is missing (make check builds them)",
	       t_callfence_bin(), rp_helper(prog));
	return false;
}

/* The machine offers a pids controller (v1, or v2 with pids available). */
static bool rp_have_pids(void)
{
	static char mi[1 << 18];
	char v1[4096], v2[4096], self[4096], ctl[4200];
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, mi, sizeof(mi) - 1);

	if (fd >= 0)
		close(fd);
	mi[n > 0 ? n : 0] = 0;
	snprintf(self, sizeof(self), "%s", rp_slurp("/proc/self/cgroup"));
	cf_cgroup_locate(mi, self, v1, v2, sizeof(v1));
	snprintf(ctl, sizeof(ctl), "%s/cgroup.controllers", v2);
	if (v1[0] || (v2[0] && strstr(rp_slurp(ctl), "pids")))
		return true;
	t_skip("no pids cgroup controller on this machine (neither v1 nor "
	       "v2 offers it)");
	return false;
}

/* Polls (bounded, 10 s) until path exists. */
static bool rp_wait_for(const char *path)
{
	const struct timespec ms = {0, 10 * 1000 * 1000};

	for (int i = 0; i < 1000; i++) {
		if (rp_exists(path))
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

/* The state letter of /proc/PID/stat, polled (bounded, 10 s) until it is
 * one of want; returns the last seen. */
static char rp_state(pid_t pid, const char *want)
{
	const struct timespec ms = {0, 10 * 1000 * 1000};
	char path[64], st = '?';

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 1000; i++) {
		const char *p = strrchr(rp_slurp(path), ')');

		st = p && p[1] ? p[2] : '?';
		if (strchr(want, st))
			return st;
		nanosleep(&ms, NULL);
	}
	return st;
}

static bool rp_dead(pid_t pid)
{
	return strchr("ZX?", rp_state(pid, "ZX?")) != NULL;
}

typedef void (*rp_setup_fn)(void);

/* Starts `callfence run ARGS` in a process group of its own (so that stop
 * signals stop it: a group whose parent is in another group of the session
 * is not orphaned), stdout into out, stderr into out.err. */
static pid_t rp_spawn(const char *out, rp_setup_fn setup,
		      const char *const *args)
{
	char *argv[64], err[4200];
	size_t n = 0;
	pid_t pid;

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
		setpgid(0, 0);
		if (setup)
			setup();
		execv(argv[0], argv);
		_exit(97);
	}
	return pid;
}

static int rp_reap(pid_t pid)
{
	int ws = 0;

	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -1;
	return cf_run_exit_code(ws);
}

#define RP_CLI(out, ...)                                                       \
	rp_reap(rp_spawn(out, NULL, (const char *const[]){__VA_ARGS__, NULL}))

/* The "NAME errno E" line of a helper's output, or -1. */
static int rp_errno(const char *text, const char *name)
{
	char key[64];
	const char *p;
	int e = -1;

	snprintf(key, sizeof(key), "%s errno ", name);
	p = strstr(text, key);
	if (p && sscanf(p + strlen(key), "%d", &e) != 1)
		e = -1;
	return e;
}

/* forkbomb/cgescape's "forks N errno E": N (-1 if absent); the sleepers
 * listed after it must be gone (killed with the cgroup). */
static int rp_forks(const char *text)
{
	int forks = -1, e = -1;
	char *out = strdup(text), *s = strstr(out, "forks ");

	if (CHECK(s && sscanf(s, "forks %d errno %d", &forks, &e) == 2)) {
		CHECK_EQ(e, EAGAIN);
		for (char *l = strchr(s, '\n'); l && l[1];
		     l = strchr(l + 1, '\n'))
			CHECK(rp_dead((pid_t)atoi(l + 1)));
	}
	free(out);
	return forks;
}

/* No callfence.<pid>.* cgroup left in the pids hierarchies. */
static bool rp_no_cgroup_left(pid_t pid)
{
	const char *dirs[] = {"/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified",
			      "/sys/fs/cgroup"};
	char prefix[64];
	bool none = true;

	snprintf(prefix, sizeof(prefix), "callfence.%d.", (int)pid);
	for (size_t i = 0; i < CF_ARRAY_SIZE(dirs); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		while (d && (e = readdir(d)))
			none &= strncmp(e->d_name, prefix, strlen(prefix)) != 0;
		if (d)
			closedir(d);
	}
	return none;
}

/* ---- item 11: the pids limit holds against the command ----------------- */

TEST(run_pids_limit_holds_when_the_command_tries_to_leave_it)
{
	const char *d = rp_dir(), *out = rp_path(d, "out");
	const char *text;
	pid_t pid;

	if (!rp_ready("cgescape") || !rp_have_pids())
		return;
	mkdir(rp_path(d, "mnt"), 0755);
	/* unconfined: the profile must not be what stops the attempts */
	pid =
	    rp_spawn(out, NULL,
		     (const char *const[]){
			 "--security-opt", "seccomp=unconfined", "--pids-limit",
			 "5", rp_helper("cgescape"), rp_path(d, "mnt"), NULL});
	CHECK_EQ(rp_reap(pid), 0);
	text = rp_slurp(out);
	t_note("%s", text);
	/* the cgroup filesystems are read-only in its mount namespace */
	CHECK_EQ(rp_errno(text, "move-root"), EROFS);
	CHECK_EQ(rp_errno(text, "move-parent"), EROFS);
	/* on v2 "cmd" has no pids.max at all (pids is not enabled below
	 * the limit's cgroup) */
	if (strstr(text, "hierarchy v2") &&
	    rp_errno(text, "raise-own") == ENOENT)
		CHECK(true);
	else
		CHECK_EQ(rp_errno(text, "raise-own"), EROFS);
	CHECK_EQ(rp_errno(text, "raise-parent"), EROFS);
	CHECK_EQ(rp_errno(text, "mkdir-sibling"), EROFS);
	/* a cgroup namespace of its own (when user namespaces let it make
	 * one) reaches only its cgroup, below the one holding the limit */
	if (rp_errno(text, "userns-mount") != 0)
		t_note("user namespaces unavailable here: that escape was "
		       "not tried");
	/* itself + 4 children = 5: the limit held */
	CHECK_EQ(rp_forks(text), 4);
	CHECK(rp_no_cgroup_left(pid));
}

TEST(run_pids_limit_refuses_a_command_that_keeps_sys_admin)
{
	const char *d = rp_dir(), *out = rp_path(d, "out");
	char cmd[4400];
	static const char *const opts[][2] = {
	    {"--cap-add", "SYS_ADMIN"},
	    {"--cap-add", "ALL"},
	    {"--privileged", "--privileged"},
	};

	if (!rp_ready("cgescape"))
		return;
	snprintf(cmd, sizeof(cmd), "touch %s", rp_path(d, "ran"));
	for (size_t i = 0; i < CF_ARRAY_SIZE(opts); i++) {
		CHECK_EQ(RP_CLI(out, opts[i][0], opts[i][1], "--pids-limit",
				"5", "/bin/sh", "-c", cmd),
			 125);
		CHECK(!rp_exists(rp_path(d, "ran")));
		CHECK_CONTAINS(rp_slurp(rp_path(d, "out.err")),
			       "--pids-limit cannot hold against a command "
			       "that keeps CAP_SYS_ADMIN");
	}
	/* SYS_ADMIN dropped again: accepted */
	CHECK_EQ(RP_CLI(out, "--cap-add", "ALL", "--cap-drop", "SYS_ADMIN",
			"--pids-limit", "5", "/bin/sh", "-c", cmd),
		 0);
	CHECK(rp_exists(rp_path(d, "ran")));
}

/* ---- item 12: signals -------------------------------------------------- */

/* Runs sigreport under callfence catching sig, sends it to callfence
 * (sigqueue with value when value != 0, else kill), returns the report. */
static const char *rp_forward_one(int sig, int value)
{
	const char *d = rp_dir(), *out = rp_path(d, "out");
	char num[16];
	pid_t pid;
	int code;

	snprintf(num, sizeof(num), "%d", sig);
	pid = rp_spawn(
	    rp_path(d, "stdout"), NULL,
	    (const char *const[]){rp_helper("sigreport"), out, num, NULL});
	if (!CHECK(rp_wait_for(rp_path(d, "out.ready")))) {
		kill(pid, SIGKILL);
		rp_reap(pid);
		return "";
	}
	if (value)
		sigqueue(pid, sig, (union sigval){.sival_int = value});
	else
		kill(pid, sig);
	code = rp_reap(pid);
	if (code != 0)
		t_note("signal %d: callfence exit %d: %s", sig, code,
		       rp_slurp(rp_path(d, "stdout.err")));
	CHECK_EQ(code, 0);
	return rp_slurp(out);
}

TEST(run_forwards_every_signal_sent_with_kill_or_sigqueue)
{
	const int sigs[] = {SIGXCPU, SIGPROF, SIGVTALRM,
			    SIGIO,   SIGUSR1, SIGRTMAX};
	char want[64];

	if (!rp_ready("sigreport"))
		return;
	for (size_t i = 0; i < CF_ARRAY_SIZE(sigs); i++) {
		snprintf(want, sizeof(want), "got %d code %d value 0\n",
			 sigs[i], SI_USER);
		CHECK_STR(rp_forward_one(sigs[i], 0), want);
	}
	/* sigqueue: the value goes with it */
	snprintf(want, sizeof(want), "got %d code %d value 4242\n",
		 SIGRTMIN + 3, SI_QUEUE);
	CHECK_STR(rp_forward_one(SIGRTMIN + 3, 4242), want);
}

static void rp_stop_cont_check(int stopsig)
{
	const char *d = rp_dir();
	char cmd[4400];
	pid_t pid, child;
	int ws = 0;

	snprintf(cmd, sizeof(cmd),
		 "echo $$ > %s.tmp && mv %s.tmp %s; exec sleep 60",
		 rp_path(d, "pid"), rp_path(d, "pid"), rp_path(d, "pid"));
	pid = rp_spawn(rp_path(d, "out"), NULL,
		       (const char *const[]){"/bin/sh", "-c", cmd, NULL});
	if (!CHECK(rp_wait_for(rp_path(d, "pid")))) {
		kill(pid, SIGKILL);
		rp_reap(pid);
		return;
	}
	child = (pid_t)atoi(rp_slurp(rp_path(d, "pid")));
	kill(pid, stopsig);
	/* the command stops, then callfence */
	CHECK_EQ(rp_state(child, "T"), 'T');
	CHECK_EQ(waitpid(pid, &ws, WUNTRACED), pid);
	CHECK(WIFSTOPPED(ws) && WSTOPSIG(ws) == stopsig);
	/* SIGCONT to callfence resumes both */
	kill(pid, SIGCONT);
	CHECK_EQ(waitpid(pid, &ws, WCONTINUED), pid);
	CHECK(WIFCONTINUED(ws));
	CHECK(strchr("SR", rp_state(child, "SR")));
	kill(pid, SIGTERM);
	CHECK_EQ(rp_reap(pid), 143);
	CHECK(rp_dead(child));
}

TEST(run_stop_signals_stop_the_command_then_callfence)
{
	if (!rp_ready("sigreport"))
		return;
	rp_stop_cont_check(SIGTSTP);
	rp_stop_cont_check(SIGTTIN);
	rp_stop_cont_check(SIGTTOU);
}

static void rp_inherit_hostile(void)
{
	sigset_t term;

	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGUSR1);
	sigprocmask(SIG_BLOCK, &term, NULL);
}

/* The "Key:\tvalue" line of a /proc/PID/status text. */
static const char *rp_field(const char *status, const char *key)
{
	static char val[64];
	const char *p = strstr(status, key);

	val[0] = 0;
	if (p)
		snprintf(val, sizeof(val), "%.*s",
			 (int)strcspn(p + strlen(key), "\n"), p + strlen(key));
	return val;
}

TEST(run_command_starts_with_default_signal_state)
{
	const char *d = rp_dir(), *out = rp_path(d, "out");
	char status[8192];

	if (!rp_ready("sigreport"))
		return;
	/* callfence inherits SIGINT/SIGQUIT ignored, TERM/USR1 blocked */
	CHECK_EQ(rp_reap(rp_spawn(
		     out, rp_inherit_hostile,
		     (const char *const[]){"cat", "/proc/self/status", NULL})),
		 0);
	snprintf(status, sizeof(status), "%s", rp_slurp(out));
	CHECK_STR(rp_field(status, "SigIgn:\t"), "0000000000000000");
	CHECK_STR(rp_field(status, "SigBlk:\t"), "0000000000000000");
	CHECK_STR(rp_field(status, "SigCgt:\t"), "0000000000000000");
}

TEST(run_lib_command_starts_with_default_signal_state)
{
	const char *d = rp_dir();
	char cmd[4400], *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
	struct cf_run_opts o = {.argv = argv};
	struct sigaction ign, old;
	sigset_t usr2, oldmask;
	struct cf_error err;
	int code = -1;

	/* exec, so the status is cat's own, not a shell's */
	snprintf(cmd, sizeof(cmd), "exec cat /proc/self/status > %s",
		 rp_path(d, "out"));
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, &oldmask);
	CHECK_EQ(cf_run(&o, &code, &err), 0);
	CHECK_EQ(code, 0);
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	sigaction(SIGPIPE, &old, NULL);
	CHECK_STR(rp_field(rp_slurp(rp_path(d, "out")), "SigIgn:\t"),
		  "0000000000000000");
	CHECK_STR(rp_field(rp_slurp(rp_path(d, "out")), "SigBlk:\t"),
		  "0000000000000000");
}

/* ---- item 14: cf_run from several threads ------------------------------ */

static volatile sig_atomic_t rp_chld_count;

static void rp_on_chld(int sig)
{
	(void)sig;
	rp_chld_count++;
}

struct rp_job {
	const char *dir;
	char name[8];
	int64_t limit;
	int rc, code;
	char msg[512];
};

/* "ready", wait (bounded) for "go", so that both runs are under way at
 * the same time, then forkbomb under its own limit. */
static void *rp_job_run(void *arg)
{
	struct rp_job *j = arg;
	char cmd[8400];
	char *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
	struct cf_run_opts o = {.argv = argv,
				.pids_limit = j->limit,
				.set_caps = true,
				.caps = RP_DOCKER_CAPS};
	struct cf_error err;

	snprintf(cmd, sizeof(cmd),
		 ": > %s/%s.ready; i=0; while [ ! -e %s/go ] && [ $i -lt 1000 "
		 "]; do sleep 0.01; i=$((i+1)); done; exec %s > %s/%s.out",
		 j->dir, j->name, j->dir, rp_helper("forkbomb"), j->dir,
		 j->name);
	j->code = -1;
	j->rc = cf_run(&o, &j->code, &err);
	if (j->rc < 0)
		snprintf(j->msg, sizeof(j->msg), "%s", err.msg);
	return NULL;
}

TEST(run_lib_two_threads_each_get_their_own_limit)
{
	const char *d = rp_dir();
	struct rp_job jobs[2] = {{.dir = d, .name = "a", .limit = 4},
				 {.dir = d, .name = "b", .limit = 7}};
	struct sigaction h, cur, old;
	pthread_t th[2];
	char path[4200];
	bool ready;

	if (!rp_ready("forkbomb") || !rp_have_pids())
		return;
	memset(&h, 0, sizeof(h));
	h.sa_handler = rp_on_chld;
	sigaction(SIGCHLD, &h, &old);
	rp_chld_count = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, rp_job_run, &jobs[i]);
	ready = rp_wait_for(rp_path(d, "a.ready")) &&
		rp_wait_for(rp_path(d, "b.ready"));
	CHECK(ready);
	/* both commands are running: the host's handler is untouched */
	sigaction(SIGCHLD, NULL, &cur);
	CHECK(cur.sa_handler == rp_on_chld);
	close(open(rp_path(d, "go"), O_WRONLY | O_CREAT, 0644));
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	sigaction(SIGCHLD, NULL, &cur);
	CHECK(cur.sa_handler == rp_on_chld);
	/* and it ran: the commands' ends were SIGCHLDs like any child's */
	CHECK(rp_chld_count > 0);
	sigaction(SIGCHLD, &old, NULL);
	for (int i = 0; i < 2; i++) {
		if (jobs[i].rc < 0)
			t_note("job %s: %s", jobs[i].name, jobs[i].msg);
		CHECK_EQ(jobs[i].rc, 0);
		CHECK_EQ(jobs[i].code, 0);
		snprintf(path, sizeof(path), "%s/%s.out", d, jobs[i].name);
		/* forkbomb (sh exec'd it) + its children = the limit */
		CHECK_EQ(rp_forks(rp_slurp(path)), jobs[i].limit - 1);
	}
	CHECK(rp_no_cgroup_left(getpid()));
}

/* A library caller that ignores SIGCHLD: the kernel would reap the
 * command and its status; cf_run refuses rather than change the caller's
 * disposition or report a status it does not have. */
TEST(run_lib_refuses_while_sigchld_is_ignored)
{
	const char *d = rp_dir();
	char cmd[4400], *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
	struct cf_run_opts o = {.argv = argv};
	struct sigaction ign, old, cur;
	struct cf_error err;
	int code = -1, rc;

	snprintf(cmd, sizeof(cmd), "touch %s", rp_path(d, "ran"));
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGCHLD, &ign, &old);
	rc = cf_run(&o, &code, &err);
	sigaction(SIGCHLD, NULL, &cur);
	sigaction(SIGCHLD, &old, NULL);
	CHECK_EQ(rc, -EINVAL);
	CHECK_EQ(code, CF_RUN_EXIT_FAILED);
	CHECK_CONTAINS(err.msg, "SIGCHLD is ignored");
	CHECK(cur.sa_handler == SIG_IGN);
	CHECK(!rp_exists(rp_path(d, "ran")));
}
