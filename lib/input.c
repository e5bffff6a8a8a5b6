/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input.c - the one reader of whole inputs (profiles, raw programs): regular
 * files, pipes, named FIFOs, /dev/fd/N, terminals; capped at CF_INPUT_MAX.
 *
 * A named FIFO is opened without blocking: open(2) of a FIFO for reading
 * otherwise waits, forever, for a writer to appear. A FIFO opened that way
 * reads as end-of-file while no writer has it open, also before the first
 * writer arrives (even one already waiting in its own open(2), which our
 * open wakes but which increments the writer count only when it runs), so
 * end-of-file is believed only once a writer has been seen: data arrived,
 * read(2) said EAGAIN (no data yet, a writer holds it), or poll(2) reported
 * POLLHUP (the kernel reports it only after a writer that came after our
 * open has gone). Until then callfence waits in poll(2) for at most
 * wait_ms; no writer within that time is an error, not a hang. Once a
 * writer has been seen, reading continues as long as the writer keeps the
 * FIFO open, as cat(1) would.
 */
#include "base.h"
#include "input.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct input {
	char *buf;
	size_t len, cap;
};

/* Room for at least one more byte, up to max + 1 (one byte past the cap
 * tells "too large" from "exactly max"). */
static int input_grow(struct input *in, size_t max)
{
	size_t cap;
	char *nb;

	if (in->len < in->cap)
		return 0;
	if (in->cap > max)
		return -EFBIG;
	cap = cf_grow_cap(in->cap, in->len + 1, 4096);
	if (cap > max + 1)
		cap = max + 1;
	nb = cf_realloc_array(in->buf, cap + 1, 1); /* + the NUL after it */
	if (!nb)
		return -ENOMEM;
	in->buf = nb;
	in->cap = cap;
	return 0;
}

static int input_fail(struct input *in, struct cf_error *err, int code,
		      const char *name, const char *what, int wait_ms)
{
	struct cf_loc loc = {name, NULL, 0, 0};

	free(in->buf);
	in->buf = NULL;
	if (code == -ENOMEM)
		return cf_err(err, code, "out of memory");
	if (code == -EFBIG)
		return cf_err_at(err, code, &loc,
				 "%s is larger than %u MiB (the limit)", what,
				 CF_INPUT_MAX >> 20);
	if (code == -ETIMEDOUT)
		return cf_err_at(
		    err, code, &loc,
		    "no writer opened this FIFO within %d.%d s, or "
		    "it closed without writing: nothing to read "
		    "(start the writer first, e.g. 'cmd > FIFO &')",
		    wait_ms / 1000, wait_ms % 1000 / 100);
	return cf_err_at(err, code, &loc, "cannot read %s: %s", what,
			 strerror(-code));
}

int cf_read_fd_wait(int fd, const char *name, const char *what, size_t max,
		    int wait_ms, char **out, size_t *len, struct cf_error *err)
{
	struct input in = {0};
	struct stat st;
	bool writer_seen, timed_out = false;
	int rc;

	*out = NULL;
	*len = 0;
	if (fstat(fd, &st))
		return input_fail(&in, err, -errno, name, what, 0);
	if (S_ISDIR(st.st_mode))
		return input_fail(&in, err, -EISDIR, name, what, 0);
	writer_seen = !S_ISFIFO(st.st_mode);
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		ssize_t n;

		rc = input_grow(&in, max);
		if (rc)
			return input_fail(&in, err, rc, name, what, 0);
		n = read(fd, in.buf + in.len, in.cap - in.len);
		if (n > 0) {
			in.len += (size_t)n;
			writer_seen = true;
			continue;
		}
		if (n == 0 && writer_seen)
			break;
		if (n == 0 && timed_out)
			return input_fail(&in, err, -ETIMEDOUT, name, what,
					  wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return input_fail(&in, err, -errno, name, what, 0);
		if (n < 0)
			writer_seen = true; /* EAGAIN: open by a writer */
		rc = poll(&pfd, 1, wait_ms);
		if (rc < 0 && errno != EINTR)
			return input_fail(&in, err, -errno, name, what, 0);
		if (rc > 0)
			writer_seen =
			    true; /* data, or a writer came and went */
		else if (rc == 0)
			timed_out = true;
	}
	in.buf[in.len] = 0;
	*out = in.buf;
	*len = in.len;
	return 0;
}

int cf_read_fd(int fd, const char *name, char **buf, size_t *len,
	       struct cf_error *err)
{
	return cf_read_fd_wait(fd, name, "input", CF_INPUT_MAX, CF_FIFO_WAIT_MS,
			       buf, len, err);
}

int cf_read_path_wait(const char *path, const char *what, size_t max,
		      int wait_ms, char **buf, size_t *len,
		      struct cf_error *err)
{
	struct cf_loc loc = {path, NULL, 0, 0};
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int rc;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return cf_err_at(err, -errno, &loc, "cannot open %s: %s", what,
				 strerror(errno));
	rc = cf_read_fd_wait(fd, path, what, max, wait_ms, buf, len, err);
	close(fd);
	return rc;
}

int cf_read_path(const char *path, char **buf, size_t *len,
		 struct cf_error *err)
{
	return cf_read_path_wait(path, "file", CF_INPUT_MAX, CF_FIFO_WAIT_MS,
				 buf, len, err);
}

ssize_t cf_read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t off = 0;
	ssize_t n = 0;
	int e;

	if (fd < 0)
		return -errno;
	while (off + 1 < size) {
		n = read(fd, buf + off, size - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	e = n < 0 ? errno : 0;
	close(fd);
	buf[off] = 0;
	return e ? -e : (ssize_t)off;
}
