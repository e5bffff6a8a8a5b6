/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`, the supervisor's side: the pids limit against a root command that
 * tries to leave it, the signal proxy (every signal, stop/continue, the
 * command's signal state), and cf_run from two threads at once. Live: the
 * real binary (or cf_run) on the real kernel, asserting what the command
 * saw or could do.
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
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RP_DOCKER_CAPS 0x00000000a80425fbULL

static struct t_dir rp_d; /* the directory of the test that runs */

/* ---- helpers ----------------------------------------------------------- */

static bool rp_ready(const char *prog)
{
	if (geteuid() != 0) {
		t_skip("needs root");
		return false;
	}
	if (access(t_callfence_bin(), X_OK) == 0 &&
	    access(t_run_helper(prog), X_OK) == 0)
		return true;
	t_fail(__FILE__, __LINE__,
	       "%s or %s is missing (make check builds them)",
	       t_callfence_bin(), t_run_helper(prog));
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
	snprintf(self, sizeof(self), "%s", t_slurp("/proc/self/cgroup"));
	cf_cgroup_locate(mi, self, v1, v2, sizeof(v1));
	snprintf(ctl, sizeof(ctl), "%s/cgroup.controllers", v2);
	if (v1[0] || (v2[0] && strstr(t_slurp(ctl), "pids")))
		return true;
	t_skip("no pids cgroup controller on this machine (neither v1 nor "
	       "v2 offers it)");
	return false;
}

typedef void (*rp_setup_fn)(void);

/* Starts `callfence run ARGS` in a process group of its own (so that stop
 * signals stop it: a group whose parent is in another group of the session
 * is not orphaned), stdout into out, stderr into out.err. */
static pid_t rp_spawn(const char *out, rp_setup_fn setup,
		      const char *const *args)
{
	struct t_spawn how = {.own_group = true, .setup = setup};

	return t_spawn_run(out, &how, args);
}

#define RP_CLI(out, ...)                                                       \
	t_reap_run(                                                            \
	    rp_spawn(out, NULL, (const char *const[]){__VA_ARGS__, NULL}))

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
			CHECK(t_proc_dead((pid_t)atoi(l + 1)));
	}
	free(out);
	return forks;
}

/* ---- item 11: the pids limit holds against the command ----------------- */

TEST(run_pids_limit_holds_when_the_command_tries_to_leave_it)
{
	const char *d = t_fresh_dir(&rp_d, "rp"), *out = t_join(d, "out");
	const char *text;
	pid_t pid;

	if (!rp_ready("cgescape") || !rp_have_pids())
		return;
	mkdir(t_join(d, "mnt"), 0755);
	/* unconfined: the profile must not be what stops the attempts */
	pid = rp_spawn(
	    out, NULL,
	    (const char *const[]){"--security-opt", "seccomp=unconfined",
				  "--pids-limit", "5", t_run_helper("cgescape"),
				  t_join(d, "mnt"), NULL});
	CHECK_EQ(t_reap_run(pid), 0);
	text = t_slurp(out);
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
	CHECK(t_no_cgroup_left(pid));
}

TEST(run_pids_limit_refuses_a_command_that_keeps_sys_admin)
{
	const char *d = t_fresh_dir(&rp_d, "rp"), *out = t_join(d, "out");
	char cmd[4400];
	static const char *const opts[][2] = {
	    {"--cap-add", "SYS_ADMIN"},
	    {"--cap-add", "ALL"},
	    {"--privileged", "--privileged"},
	};

	if (!rp_ready("cgescape"))
		return;
	snprintf(cmd, sizeof(cmd), "touch %s", t_join(d, "ran"));
	for (size_t i = 0; i < CF_ARRAY_SIZE(opts); i++) {
		CHECK_EQ(RP_CLI(out, opts[i][0], opts[i][1], "--pids-limit",
				"5", "/bin/sh", "-c", cmd),
			 125);
		CHECK(!t_exists(t_join(d, "ran")));
		CHECK_CONTAINS(t_slurp(t_join(d, "out.err")),
			       "--pids-limit cannot hold against a command "
			       "that keeps CAP_SYS_ADMIN");
	}
	/* SYS_ADMIN dropped again: accepted */
	CHECK_EQ(RP_CLI(out, "--cap-add", "ALL", "--cap-drop", "SYS_ADMIN",
			"--pids-limit", "5", "/bin/sh", "-c", cmd),
		 0);
	CHECK(t_exists(t_join(d, "ran")));
}

/* ---- item 12: signals -------------------------------------------------- */

/* Runs sigreport under callfence catching sig, sends it to callfence
 * (sigqueue with value when value != 0, else kill), returns the report. */
static const char *rp_forward_one(int sig, int value)
{
	const char *d = t_fresh_dir(&rp_d, "rp"), *out = t_join(d, "out");
	char num[16];
	pid_t pid;
	int code;

	snprintf(num, sizeof(num), "%d", sig);
	pid = rp_spawn(
	    t_join(d, "stdout"), NULL,
	    (const char *const[]){t_run_helper("sigreport"), out, num, NULL});
	if (!CHECK(t_wait_for(t_join(d, "out.ready")))) {
		kill(pid, SIGKILL);
		t_reap_run(pid);
		return "";
	}
	if (value)
		sigqueue(pid, sig, (union sigval){.sival_int = value});
	else
		kill(pid, sig);
	code = t_reap_run(pid);
	if (code != 0)
		t_note("signal %d: callfence exit %d: %s", sig, code,
		       t_slurp(t_join(d, "stdout.err")));
	CHECK_EQ(code, 0);
	return t_slurp(out);
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
	const char *d = t_fresh_dir(&rp_d, "rp");
	char cmd[4400];
	pid_t pid, child;
	int ws = 0;

	snprintf(cmd, sizeof(cmd),
		 "echo $$ > %s.tmp && mv %s.tmp %s; exec sleep 60",
		 t_join(d, "pid"), t_join(d, "pid"), t_join(d, "pid"));
	pid = rp_spawn(t_join(d, "out"), NULL,
		       (const char *const[]){"/bin/sh", "-c", cmd, NULL});
	if (!CHECK(t_wait_for(t_join(d, "pid")))) {
		kill(pid, SIGKILL);
		t_reap_run(pid);
		return;
	}
	child = (pid_t)atoi(t_slurp(t_join(d, "pid")));
	kill(pid, stopsig);
	/* the command stops, then callfence */
	CHECK_EQ(t_proc_state(child, "T"), 'T');
	CHECK_EQ(waitpid(pid, &ws, WUNTRACED), pid);
	CHECK(WIFSTOPPED(ws) && WSTOPSIG(ws) == stopsig);
	/* SIGCONT to callfence resumes both */
	kill(pid, SIGCONT);
	CHECK_EQ(waitpid(pid, &ws, WCONTINUED), pid);
	CHECK(WIFCONTINUED(ws));
	CHECK(strchr("SR", t_proc_state(child, "SR")));
	kill(pid, SIGTERM);
	CHECK_EQ(t_reap_run(pid), 143);
	CHECK(t_proc_dead(child));
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
	const char *d = t_fresh_dir(&rp_d, "rp"), *out = t_join(d, "out");
	char status[8192];

	if (!rp_ready("sigreport"))
		return;
	/* callfence inherits SIGINT/SIGQUIT ignored, TERM/USR1 blocked */
	CHECK_EQ(t_reap_run(rp_spawn(
		     out, rp_inherit_hostile,
		     (const char *const[]){"cat", "/proc/self/status", NULL})),
		 0);
	snprintf(status, sizeof(status), "%s", t_slurp(out));
	CHECK_STR(rp_field(status, "SigIgn:\t"), "0000000000000000");
	CHECK_STR(rp_field(status, "SigBlk:\t"), "0000000000000000");
	CHECK_STR(rp_field(status, "SigCgt:\t"), "0000000000000000");
}

TEST(run_lib_command_starts_with_default_signal_state)
{
	const char *d = t_fresh_dir(&rp_d, "rp");
	char cmd[4400], *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
	struct cf_run_opts o = {.argv = argv};
	struct sigaction ign, old;
	sigset_t usr2, oldmask;
	struct cf_error err;
	int code = -1;

	/* exec, so the status is cat's own, not a shell's */
	snprintf(cmd, sizeof(cmd), "exec cat /proc/self/status > %s",
		 t_join(d, "out"));
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
	CHECK_STR(rp_field(t_slurp(t_join(d, "out")), "SigIgn:\t"),
		  "0000000000000000");
	CHECK_STR(rp_field(t_slurp(t_join(d, "out")), "SigBlk:\t"),
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
		 j->dir, j->name, j->dir, t_run_helper("forkbomb"), j->dir,
		 j->name);
	j->code = -1;
	j->rc = cf_run(&o, &j->code, &err);
	if (j->rc < 0)
		snprintf(j->msg, sizeof(j->msg), "%s", err.msg);
	return NULL;
}

TEST(run_lib_two_threads_each_get_their_own_limit)
{
	const char *d = t_fresh_dir(&rp_d, "rp");
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
	ready = t_wait_for(t_join(d, "a.ready")) &&
		t_wait_for(t_join(d, "b.ready"));
	CHECK(ready);
	/* both commands are running: the host's handler is untouched */
	sigaction(SIGCHLD, NULL, &cur);
	CHECK(cur.sa_handler == rp_on_chld);
	close(open(t_join(d, "go"), O_WRONLY | O_CREAT, 0644));
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
		CHECK_EQ(rp_forks(t_slurp(path)), jobs[i].limit - 1);
	}
	CHECK(t_no_cgroup_left(getpid()));
}

/* A library caller that ignores SIGCHLD: the kernel would reap the
 * command and its status; cf_run refuses rather than change the caller's
 * disposition or report a status it does not have. */
TEST(run_lib_refuses_while_sigchld_is_ignored)
{
	const char *d = t_fresh_dir(&rp_d, "rp");
	char cmd[4400], *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
	struct cf_run_opts o = {.argv = argv};
	struct sigaction ign, old, cur;
	struct cf_error err;
	int code = -1, rc;

	snprintf(cmd, sizeof(cmd), "touch %s", t_join(d, "ran"));
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
	CHECK(!t_exists(t_join(d, "ran")));
}
