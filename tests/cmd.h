/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd.h - runs the built callfence binary for CLI-level tests: stdout and
 * stderr apart, a chosen umask, the exit status. Header-only (static
 * functions), for test files that need no more than that.
 */
#ifndef CF_TESTS_CMD_H
#define CF_TESTS_CMD_H

#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct cmd_res {
	int status;	 /* exit code, or -1 (killed, not started) */
	char out[16384]; /* stdout (truncated) */
	size_t out_len;	 /* bytes read from stdout (may include NULs) */
	char err[16384]; /* stderr (truncated) */
};

/* Reads both pipes to their end (poll, so neither can fill up). */
static void cmd_drain(int fo, int fe, struct cmd_res *r)
{
	size_t elen = 0;
	struct pollfd p[2] = {{fo, POLLIN, 0}, {fe, POLLIN, 0}};
	int open_fds = 2;

	while (open_fds > 0 && poll(p, 2, -1) >= 0) {
		for (int i = 0; i < 2; i++) {
			char buf[4096], *dst = i ? r->err : r->out;
			size_t *len = i ? &elen : &r->out_len;
			size_t cap = i ? sizeof(r->err) : sizeof(r->out);
			ssize_t n;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			for (ssize_t k = 0; k < n && *len + 1 < cap; k++)
				dst[(*len)++] = buf[k];
		}
	}
	r->out[r->out_len < sizeof(r->out) ? r->out_len : 0] = 0;
	r->err[elen] = 0;
}

/* How the child starts: every field 0/NULL = inherited. */
struct cmd_env {
	int umask;		 /* the umask + 1 (0: inherited) */
	const char *cwd;	 /* working directory */
	const char *stdout_file; /* stdout opened O_WRONLY on this file */
	bool stdout_append;	 /* ... with O_APPEND (the shell's >>) */
	long fsize;		 /* RLIMIT_FSIZE in bytes, SIGXFSZ ignored */
	const char *stdin_file;	 /* stdin opened O_RDONLY on this file */
};

static void cmd_child_env(const struct cmd_env *e)
{
	if (!e)
		return;
	if (e->umask)
		umask((mode_t)(e->umask - 1));
	if (e->cwd && chdir(e->cwd))
		_exit(127);
	if (e->fsize) {
		struct rlimit rl = {(rlim_t)e->fsize, (rlim_t)e->fsize};

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl))
			_exit(127);
	}
	if (e->stdin_file) {
		int fd = open(e->stdin_file, O_RDONLY);

		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(127);
		close(fd);
	}
	if (e->stdout_file) {
		int fd = open(e->stdout_file,
			      O_WRONLY | (e->stdout_append ? O_APPEND : 0));

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		close(fd);
	}
}

/* Runs callfence with args (NULL-terminated, without argv[0]) in the
 * environment e (NULL: inherited). */
static void cmd_run_env(struct cmd_res *r, const struct cmd_env *e,
			const char *const *args)
{
	/* absolute, so that e->cwd does not lose it */
	char *bin = realpath(t_callfence_bin(), NULL);
	const char *argv[32] = {bin ? bin : t_callfence_bin()};
	int po[2], pe[2], status;
	size_t n = 1;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	while (n < 31 && args[n - 1]) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	if (pipe2(po, O_CLOEXEC)) {
		free(bin);
		return;
	}
	if (pipe2(pe, O_CLOEXEC)) {
		close(po[0]);
		close(po[1]);
		free(bin);
		return;
	}
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		cmd_child_env(e);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	free(bin);
	close(po[1]);
	close(pe[1]);
	cmd_drain(po[0], pe[0], r);
	close(po[0]);
	close(pe[0]);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->status = WEXITSTATUS(status);
}

static void cmd_run(struct cmd_res *r, const char *const *args)
{
	cmd_run_env(r, NULL, args);
}

/* Writes text to dir/name; returns the path (static buffer, one of 8). */
static const char *cmd_file(const char *dir, const char *name, const char *text)
{
	static char paths[8][512];
	static unsigned next;
	char *p = paths[next++ % 8];
	FILE *f;

	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		return p;
	fputs(text, f);
	fclose(f);
	return p;
}

static bool cmd_binary_present(void)
{
	if (access(t_callfence_bin(), X_OK) == 0)
		return true;
	t_fail(__FILE__, __LINE__, "%s is missing (make all first)",
	       t_callfence_bin());
	return false;
}

#endif
