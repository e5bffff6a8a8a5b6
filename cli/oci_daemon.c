/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_daemon.c - the recorder daemon of `callfence oci-hook`.
 *
 * Start (createRuntime): the hook forks twice (the daemon belongs to no
 * runtime process and holds none of the hook's pipes, which a runtime
 * reads until they close), the daemon locks STATE_DIR/ID, attaches the
 * recorder to the container's init and says "A" on a pipe; on failure it
 * says "E" and why. The hook exits 0 on "A" only: so the runtime goes on
 * only once nothing can be missed, and a container asked to be recorded
 * does not start unrecorded.
 *
 * End: when the container has ended the daemon writes the profile (temp
 * file + rename) or, when calls may be missing or the recording failed,
 * no profile but PATH.error saying why, writes one status line into its
 * state file and exits, which releases the lock. Stop (poststop) waits
 * for that lock and prints the status line.
 */
#include "oci_hook.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *oci_state_file(const char *dir, const char *id)
{
	char *path;

	if (!id[0] || id[0] == '.' || strlen(id) > 200)
		return NULL;
	for (const char *c = id; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && *c != '-' && *c != '_' &&
		    *c != '.')
			return NULL;
	if (asprintf(&path, "%s/%s", dir, id) < 0)
		return NULL;
	return path;
}

struct od_ctx {
	int ready_fd;
};

static void od_attached(void *ctx)
{
	struct od_ctx *c = ctx;

	if (write(c->ready_fd, "A", 1) < 0) {
		/* the hook is gone: the runtime failed it; record anyway */
	}
	close(c->ready_fd);
	c->ready_fd = -1;
}

/* The profile, or PATH.error; the status line into status. */
static void od_finish(const char *path, struct cf_record *obs,
		      const struct rec_result *res, bool ok, char *status,
		      size_t n)
{
	char why[512], *err_path = NULL, *json = NULL;
	struct cf_error err;
	size_t len = 0;

	if (asprintf(&err_path, "%s.error", path) < 0)
		err_path = NULL;
	if (ok && !res->lost &&
	    cf_record_json(obs, NULL, &json, &len, &err) == 0 &&
	    oci_path_write(path, json, len, why, sizeof(why)) == 0) {
		if (err_path)
			unlink(err_path);
		snprintf(status, n,
			 "ok: profile written to %s (%llu calls, %llu tasks)",
			 path, (unsigned long long)res->events,
			 (unsigned long long)res->tasks);
		free(json);
		free(err_path);
		return;
	}
	if (!ok || res->lost)
		snprintf(why, sizeof(why), "%s", res->why);
	else if (!json)
		snprintf(why, sizeof(why), "cannot make the profile: %s",
			 err.msg);
	free(json);
	snprintf(status, n, "error: %s%s; no profile written to %s",
		 res->lost ? "calls may be missing from the recording: " : "",
		 why, path);
	if (err_path) {
		char line[700], ignored[256];
		int l = snprintf(line, sizeof(line), "callfence oci-hook: %s\n",
				 status);

		oci_path_write(err_path, line, (size_t)l, ignored,
			       sizeof(ignored));
	}
	free(err_path);
}

/* Nothing of the runtime's stays open in the daemon: 0-2 go to
 * /dev/null, every other descriptor but keep1 and keep2 is closed. */
static void od_close_inherited(int keep1, int keep2)
{
	int lo = keep1 < keep2 ? keep1 : keep2, hi = keep1 ^ keep2 ^ lo;

	if (lo > 3)
		close_range(3, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
}

static void od_null_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* io.callfence.record.args=1 (od_checks refused anything but 0 and 1) */
static bool od_wants_args(const struct oci_state *s)
{
	return s->record_args && !strcmp(s->record_args, "1");
}

/* The daemon: never returns. */
static void __attribute__((noreturn))
od_daemon(const struct oci_state *s, const struct oci_hook_opts *o,
	  int ready_fd, int lock_fd)
{
	struct od_ctx ctx = {ready_fd};
	struct rec_result res;
	struct cf_record *obs = NULL;
	struct cf_error err;
	char status[900];
	int rc;

	od_null_stdio();
	od_close_inherited(ready_fd, lock_fd);
	signal(SIGPIPE, SIG_IGN);
	memset(&res, 0, sizeof(res));
	if (cf_record_new(&obs, &err) < 0) {
		snprintf(res.why, sizeof(res.why), "%s", err.msg);
		rc = -1;
	} else {
		rc = o->recorder->record((pid_t)s->pid, od_wants_args(s),
					 od_attached, &ctx, obs, &res);
	}
	if (ctx.ready_fd >= 0) { /* never attached: tell the hook why */
		dprintf(ctx.ready_fd, "E%s", res.why);
		close(ctx.ready_fd);
		_exit(1);
	}
	od_finish(s->record_path, obs, &res, rc == 0, status, sizeof(status));
	if (ftruncate(lock_fd, 0) == 0)
		dprintf(lock_fd, "%s\n", status);
	cf_record_free(obs);
	_exit(0); /* closing lock_fd releases the lock */
}

/* The state file, created and locked (by the daemon, after the forks:
 * flock locks belong to the open file, which the daemon alone keeps). */
static int od_lock(const char *file)
{
	int fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		      0600);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The first fork's child: a new session, the daemon, exit. */
static void __attribute__((noreturn))
od_spawn(const struct oci_state *s, const struct oci_hook_opts *o,
	 const char *file, int ready_fd)
{
	pid_t pid;
	int lock_fd;

	setsid();
	pid = fork();
	if (pid != 0)
		_exit(pid < 0 ? 1 : 0);
	lock_fd = od_lock(file);
	if (lock_fd < 0) {
		dprintf(ready_fd, "Ecannot lock '%s': %s", file,
			strerror(errno));
		_exit(1);
	}
	od_daemon(s, o, ready_fd, lock_fd);
}

/* The daemon's answer: 0 attached, -1 (printed) not. */
static int od_answer(int fd, const char *id)
{
	char buf[600];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1 &&
	       ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0 ||
		(n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	buf[len] = 0;
	if (len && buf[0] == 'A')
		return 0;
	cli_errorf("oci-hook: cannot record container %s: %s", id,
		   len ? buf + 1 : "the recorder ended before attaching");
	return -1;
}

static int od_checks(const struct oci_state *s, char *why, size_t n)
{
	if (s->pid <= 0) {
		snprintf(why, n, "the state has no pid (status '%s')",
			 s->status);
		return -1;
	}
	if (s->record_args && strcmp(s->record_args, "0") &&
	    strcmp(s->record_args, "1")) {
		snprintf(why, n, "%s='%s': must be 0 or 1", OCI_ANNOTATION_ARGS,
			 s->record_args);
		return -1;
	}
	if (oci_path_check(s->record_path, why, n) < 0)
		return -1;
	return 0;
}

int oci_hook_start(const struct oci_state *s, const struct oci_hook_opts *o)
{
	char why[512], *file = oci_state_file(o->state_dir, s->id);
	int p[2], rc;
	pid_t pid;

	if (!file) {
		cli_errorf("oci-hook: container id '%s' is not a safe file "
			   "name",
			   s->id);
		return CLI_FAIL;
	}
	if (od_checks(s, why, sizeof(why)) < 0) {
		cli_errorf("oci-hook: %s: %s", OCI_ANNOTATION_RECORD, why);
		free(file);
		return CLI_FAIL;
	}
	if ((mkdir(o->state_dir, 0700) < 0 && errno != EEXIST) ||
	    pipe2(p, O_CLOEXEC) < 0) {
		cli_errorf("oci-hook: '%s': %s", o->state_dir, strerror(errno));
		free(file);
		return CLI_FAIL;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		od_spawn(s, o, file, p[1]);
	}
	close(p[1]);
	free(file);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	rc = pid < 0 ? (cli_errorf("oci-hook: fork: %s", strerror(errno)), -1)
		     : od_answer(p[0], s->id);
	close(p[0]);
	return rc < 0 ? CLI_FAIL : CLI_OK;
}

/* Waits for the lock, at most seconds (SIGALRM interrupts flock). */
static void od_alarm(int sig)
{
	(void)sig;
}

static int od_wait_lock(int fd, unsigned seconds)
{
	struct sigaction sa;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = od_alarm; /* no SA_RESTART: flock returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
	rc = flock(fd, LOCK_EX);
	alarm(0);
	return rc < 0 ? -errno : 0;
}

int oci_hook_stop(const struct oci_state *s, const struct oci_hook_opts *o)
{
	char *file = oci_state_file(o->state_dir, s->id), line[1024];
	ssize_t n;
	int fd, rc;

	if (!file) {
		cli_errorf("oci-hook: container id '%s' is not a safe file "
			   "name",
			   s->id);
		return CLI_FAIL;
	}
	fd = open(file, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		cli_errorf("oci-hook: no recording of container %s was "
			   "started ('%s': %s)",
			   s->id, file, strerror(errno));
		free(file);
		return CLI_FAIL;
	}
	rc = od_wait_lock(fd, o->wait_seconds);
	if (rc < 0) {
		cli_errorf("oci-hook: container %s: the recorder is still "
			   "writing after %u s (%s); the profile goes to %s "
			   "when it is done",
			   s->id, o->wait_seconds, strerror(-rc),
			   s->record_path);
		close(fd);
		free(file);
		return CLI_FAIL;
	}
	n = pread(fd, line, sizeof(line) - 1, 0);
	line[n > 0 ? n : 0] = 0;
	line[strcspn(line, "\n")] = 0;
	unlink(file);
	close(fd);
	free(file);
	if (!strncmp(line, "ok:", 3))
		return CLI_OK;
	cli_errorf("oci-hook: container %s: %s", s->id,
		   line[0] ? line : "the recorder ended without a word");
	return CLI_FAIL;
}
