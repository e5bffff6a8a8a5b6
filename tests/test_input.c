/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one input reader (lib/input.c): regular files, pipes, named FIFOs
 * with and without a writer, the size cap. A FIFO's writer here always
 * blocks in its own open(2) until the reader opens, so every case is
 * decided by the kernel's FIFO rules, not by timing; only "no writer at
 * all" waits, for the short wait these tests pass.
 */
#include "t.h"

#include "callfence.h"
#include "input.h"
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char in_tmp[64];

static const char *tmp_path(const char *name)
{
	static char buf[128];

	if (!in_tmp[0]) {
		strcpy(in_tmp, "/tmp/cf-input-XXXXXX");
		if (!mkdtemp(in_tmp))
			return NULL;
	}
	snprintf(buf, sizeof(buf), "%s/%s", in_tmp, name);
	return buf;
}

static void tmp_clean(const char *name)
{
	unlink(tmp_path(name));
	rmdir(in_tmp);
	in_tmp[0] = 0;
}

/* A child that opens path for writing (waiting for a reader, as writers
 * do), writes n bytes of text (repeated), and exits. */
static pid_t writer(const char *path, const char *text, size_t n)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd;

		alarm(30); /* a reader that left early: fail, don't hang */
		fd = open(path, O_WRONLY);
		if (fd < 0)
			_exit(1);
		for (size_t len = strlen(text), done = 0; done < n;) {
			size_t k = n - done < len ? n - done : len;
			ssize_t w = write(fd, text, k);

			if (w <= 0)
				_exit(2);
			done += (size_t)w;
		}
		_exit(0);
	}
	return pid;
}

static bool reaped_ok(pid_t pid)
{
	int st;

	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

TEST(input_regular_file_and_cap)
{
	const char *path = tmp_path("f");
	struct cf_error err;
	char *buf;
	size_t len;
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10))
		return;
	close(fd);
	CHECK_EQ(cf_read_path(path, &buf, &len, &err), 0);
	CHECK_EQ(len, 10);
	CHECK_STR(buf, "0123456789"); /* NUL-terminated */
	free(buf);
	/* the cap: max bytes are fine, one more is -EFBIG */
	CHECK_EQ(cf_read_path_wait(path, "profile", 10, 50, &buf, &len, &err),
		 0);
	free(buf);
	CHECK_EQ(cf_read_path_wait(path, "profile", 9, 50, &buf, &len, &err),
		 -EFBIG);
	CHECK(buf == NULL);
	CHECK_CONTAINS(err.msg, "larger than");
	CHECK_STR(err.file, path);
	tmp_clean("f");
	CHECK_EQ(cf_read_path(path, &buf, &len, &err), -ENOENT);
	CHECK_EQ(cf_read_path("/", &buf, &len, &err), -EISDIR);
}

TEST(input_fifo_without_writer_is_an_error)
{
	const char *path = tmp_path("fifo");
	struct cf_error err;
	char *buf = (char *)"x";
	size_t len;

	if (!path || !CHECK(mkfifo(path, 0600) == 0))
		return;
	CHECK_EQ(cf_read_path_wait(path, "profile", 1024, 50, &buf, &len, &err),
		 -ETIMEDOUT);
	CHECK(buf == NULL);
	CHECK_CONTAINS(err.msg, "no writer opened this FIFO");
	CHECK_STR(err.file, path);
	tmp_clean("fifo");
}

TEST(input_fifo_with_a_writer_never_reads_a_false_end)
{
	/* the writer is woken by our open but counts as a writer only once
	 * it runs: a read before that sees "no writer" and must not take it
	 * for the end; repeated to meet both orders */
	const char *path = tmp_path("fifo");
	struct cf_error err;
	unsigned good = 0, rounds = 40;
	char *buf;
	size_t len;

	if (!path || !CHECK(mkfifo(path, 0600) == 0))
		return;
	for (unsigned i = 0; i < rounds; i++) {
		pid_t w = writer(path, "{}", 2);
		int rc = cf_read_path_wait(path, "profile", 1024,
					   CF_FIFO_WAIT_MS, &buf, &len, &err);

		bool ok = rc == 0 && len == 2 && !strcmp(buf, "{}");

		if (!rc)
			free(buf);
		if (!CHECK(reaped_ok(w) && ok))
			break;
		good++;
	}
	CHECK_EQ(good, rounds);
	/* a writer that writes nothing: an empty input, at once */
	{
		pid_t w = writer(path, "", 0);

		CHECK_EQ(cf_read_path_wait(path, "profile", 1024,
					   CF_FIFO_WAIT_MS, &buf, &len, &err),
			 0);
		CHECK_EQ(len, 0);
		free(buf);
		CHECK(reaped_ok(w));
	}
	/* more than a pipe holds, and more than the cap */
	{
		pid_t w = writer(path, "0123456789abcdef", 1 << 20);
		int rc = cf_read_path_wait(path, "profile", 1 << 20,
					   CF_FIFO_WAIT_MS, &buf, &len, &err);

		if (CHECK(rc == 0)) {
			CHECK_EQ(len, 1 << 20);
			CHECK(buf &&
			      !memcmp(buf + len - 16, "0123456789abcdef", 16));
			free(buf);
		}
		CHECK(reaped_ok(w));
		w = writer(path, "0123456789abcdef", (1 << 16) + 1);
		CHECK_EQ(cf_read_path_wait(path, "profile", 1 << 16,
					   CF_FIFO_WAIT_MS, &buf, &len, &err),
			 -EFBIG);
		kill(w, SIGKILL); /* it may be blocked writing the rest */
		waitpid(w, NULL, 0);
	}
	tmp_clean("fifo");
}

TEST(input_pipe_and_profile_from_fd)
{
	static const char text[] =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}";
	struct cf_profile *p;
	struct cf_error err;
	int fds[2];

	if (!CHECK(pipe2(fds, O_CLOEXEC) == 0))
		return;
	CHECK(write(fds[1], text, sizeof(text) - 1) == sizeof(text) - 1);
	close(fds[1]);
	CHECK_EQ(cf_profile_load_fd(fds[0], "<stdin>", &p, &err), 0);
	close(fds[0]);
	if (p)
		CHECK_EQ(p->nsyscalls, 1);
	cf_profile_free(p);
	/* errors name the source given */
	if (!CHECK(pipe2(fds, O_CLOEXEC) == 0))
		return;
	CHECK(write(fds[1], "{\"x\": 1}", 8) == 8);
	close(fds[1]);
	CHECK(cf_profile_load_fd(fds[0], "<stdin>", &p, &err) < 0);
	close(fds[0]);
	CHECK_STR(err.file, "<stdin>");
	CHECK_STR(err.pointer, "/x");
}
