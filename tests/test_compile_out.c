/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile -o: "-" is standard output; symbolic links are followed (the
 * link stays, its target gets the program); devices and FIFOs are written
 * in place, never replaced; new files get 0666 & ~umask; a regular file is
 * replaced atomically, keeping its mode, and a failed write leaves it as
 * it was.
 */
#include "t.h"

#include "cmd.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

struct tdir {
	char path[64];
};

static bool tdir_make(struct tdir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/cf-out.XXXXXX");
	return CHECK(mkdtemp(d->path) != NULL);
}

static const char *tdir_at(const struct tdir *d, const char *name)
{
	static char bufs[4][256];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", d->path, name);
	return b;
}

/* Names in the directory (a leftover temporary file shows up here). */
static unsigned tdir_count(const struct tdir *d)
{
	DIR *dir = opendir(d->path);
	struct dirent *e;
	unsigned n = 0;

	while (dir && (e = readdir(dir)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (dir)
		closedir(dir);
	return n;
}

static void tdir_remove(const struct tdir *d)
{
	DIR *dir = opendir(d->path);
	struct dirent *e;

	while (dir && (e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlink(tdir_at(d, e->d_name));
	if (dir)
		closedir(dir);
	rmdir(d->path);
}

/* malloc'd contents of a file, or NULL */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb)
				break;
			buf = nb;
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);

		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

/* The builtin program in hex, compiled to a fresh regular file. */
static char *reference(const struct tdir *d, size_t *len)
{
	struct cmd_res r;
	const char *ref = tdir_at(d, "ref.hex");
	char *text;

	cmd_run(&r, (const char *[]){"compile", "--format", "hex", "builtin",
				     "-o", ref, NULL});
	CHECK_EQ(r.status, 0);
	text = slurp(ref, len);
	CHECK(text && *len > 100);
	unlink(ref);
	return text;
}

static bool same_file(const char *path, const char *text, size_t len)
{
	size_t n;
	char *got = slurp(path, &n);
	bool same = got && n == len && !memcmp(got, text, len);

	free(got);
	return same;
}

TEST(compile_out_dash_is_stdout)
{
	struct tdir d;
	struct cmd_res r;
	struct cmd_env e = {0};
	struct stat st;
	size_t len;
	char *ref;

	if (!cmd_binary_present() || !tdir_make(&d))
		return;
	ref = reference(&d, &len);
	e.cwd = d.path;
	cmd_run_env(&r, &e,
		    (const char *[]){"compile", "--format", "hex", "builtin",
				     "-o", "-", NULL});
	CHECK_EQ(r.status, 0);
	CHECK(ref && r.out_len == len && !memcmp(r.out, ref, len));
	CHECK_EQ(tdir_count(&d), 0); /* no file named "-" */
	/* a failing standard output is an error, not a silent success */
	e.stdout_file = "/dev/full";
	cmd_run_env(&r, &e,
		    (const char *[]){"compile", "builtin", "-o", "-", NULL});
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, "cannot write 'standard output'");
	CHECK_EQ(tdir_count(&d), 0);
	/* a link to /proc/self/fd/1 (what /dev/stdout is) names the open
	 * file: appended to (here opened with >>), the link kept */
	cmd_file(d.path, "log", "head\n");
	CHECK(symlink("/proc/self/fd/1", tdir_at(&d, "stdout")) == 0);
	e.stdout_file = tdir_at(&d, "log");
	e.stdout_append = true;
	cmd_run_env(&r, &e,
		    (const char *[]){"compile", "--format", "hex", "builtin",
				     "-o", tdir_at(&d, "stdout"), NULL});
	CHECK_EQ(r.status, 0);
	{
		size_t n;
		char *log = slurp(tdir_at(&d, "log"), &n);

		CHECK(ref && log && n == len + 5 && !memcmp(log, "head\n", 5) &&
		      !memcmp(log + 5, ref, len));
		free(log);
	}
	CHECK(lstat(tdir_at(&d, "stdout"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_EQ(tdir_count(&d), 2);
	free(ref);
	tdir_remove(&d);
}

TEST(compile_out_follows_symlinks)
{
	struct tdir d;
	struct cmd_res r;
	struct cmd_env e = {.umask = 022 + 1};
	struct stat st;
	char text[512];
	ssize_t n;
	size_t len;
	char *ref;

	if (!cmd_binary_present() || !tdir_make(&d))
		return;
	ref = reference(&d, &len);
	/* an existing target, through a relative link */
	cmd_file(d.path, "target", "old\n");
	CHECK(chmod(tdir_at(&d, "target"), 0640) == 0);
	CHECK(symlink("target", tdir_at(&d, "link")) == 0);
	cmd_run_env(&r, &e,
		    (const char *[]){"compile", "--format", "hex", "builtin",
				     "-o", tdir_at(&d, "link"), NULL});
	CHECK_EQ(r.status, 0);
	CHECK(lstat(tdir_at(&d, "link"), &st) == 0 && S_ISLNK(st.st_mode));
	n = readlink(tdir_at(&d, "link"), text, sizeof(text) - 1);
	CHECK(n == 6 && !memcmp(text, "target", 6));
	CHECK(ref && same_file(tdir_at(&d, "target"), ref, len));
	/* the replaced file keeps its mode */
	CHECK(stat(tdir_at(&d, "target"), &st) == 0 &&
	      (st.st_mode & 07777) == 0640);
	/* a dangling link, absolute, through a second link: the name at
	 * the end of the chain is created */
	CHECK(symlink(tdir_at(&d, "new"), tdir_at(&d, "dangling")) == 0);
	CHECK(symlink("dangling", tdir_at(&d, "chain")) == 0);
	cmd_run_env(&r, &e,
		    (const char *[]){"compile", "--format", "hex", "builtin",
				     "-o", tdir_at(&d, "chain"), NULL});
	CHECK_EQ(r.status, 0);
	CHECK(lstat(tdir_at(&d, "chain"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(lstat(tdir_at(&d, "dangling"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(ref && same_file(tdir_at(&d, "new"), ref, len));
	CHECK(stat(tdir_at(&d, "new"), &st) == 0 &&
	      (st.st_mode & 07777) == 0644);
	/* nothing else was left behind */
	CHECK_EQ(tdir_count(&d), 5);
	/* a loop is an error */
	CHECK(symlink("loop2", tdir_at(&d, "loop1")) == 0);
	CHECK(symlink("loop1", tdir_at(&d, "loop2")) == 0);
	cmd_run(&r, (const char *[]){"compile", "builtin", "-o",
				     tdir_at(&d, "loop1"), NULL});
	CHECK_EQ(r.status, 1);
	CHECK_EQ(tdir_count(&d), 7);
	free(ref);
	tdir_remove(&d);
}

TEST(compile_out_new_file_mode_follows_umask)
{
	static const struct {
		int mask;
		unsigned mode;
	} cases[] = {
	    {0, 0666}, {022, 0644}, {027, 0640}, {077, 0600}, {0222, 0444}};
	struct tdir d;
	struct cmd_res r;
	struct stat st;

	if (!cmd_binary_present() || !tdir_make(&d))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cmd_env e = {.umask = cases[i].mask + 1};
		const char *out = tdir_at(&d, "out.bpf");

		cmd_run_env(
		    &r, &e,
		    (const char *[]){"compile", "builtin", "-o", out, NULL});
		CHECK_EQ(r.status, 0);
		if (CHECK(stat(out, &st) == 0))
			CHECK_EQ(st.st_mode & 07777, cases[i].mode);
		unlink(out);
	}
	tdir_remove(&d);
}

TEST(compile_out_failed_write_keeps_old_file)
{
	struct tdir d;
	struct cmd_res r;
	struct cmd_env e = {.fsize = 1024};
	struct stat st;

	if (!cmd_binary_present() || !tdir_make(&d))
		return;
	cmd_file(d.path, "old.bpf", "old contents\n");
	CHECK(chmod(tdir_at(&d, "old.bpf"), 0604) == 0);
	/* the builtin program is over 2 KiB: the write fails at 1 KiB */
	cmd_run_env(&r, &e,
		    (const char *[]){"compile", "builtin", "-o",
				     tdir_at(&d, "old.bpf"), NULL});
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, "cannot write");
	CHECK(same_file(tdir_at(&d, "old.bpf"), "old contents\n", 13));
	CHECK(stat(tdir_at(&d, "old.bpf"), &st) == 0 &&
	      (st.st_mode & 07777) == 0604);
	CHECK_EQ(tdir_count(&d), 1); /* the temporary file is gone */
	tdir_remove(&d);
}

/* A FIFO is written into, not replaced. The test holds it open for
 * reading and writing, so callfence's open does not wait for a reader
 * and the program (under the pipe's 64 KiB) fits without blocking. */
TEST(compile_out_fifo_written_in_place)
{
	struct tdir d;
	struct cmd_res r;
	struct stat st;
	const char *fifo;
	char *ref, *buf;
	size_t len, got = 0;
	int fd;

	if (!cmd_binary_present() || !tdir_make(&d))
		return;
	ref = reference(&d, &len);
	fifo = tdir_at(&d, "fifo");
	if (!CHECK(mkfifo(fifo, 0600) == 0) ||
	    !CHECK((fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC)) >= 0)) {
		free(ref);
		tdir_remove(&d);
		return;
	}
	cmd_run(&r, (const char *[]){"compile", "--format", "hex", "builtin",
				     "-o", fifo, NULL});
	CHECK_EQ(r.status, 0);
	CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
	buf = malloc(len + 1);
	while (buf && got <= len) {
		ssize_t n = read(fd, buf + got, len + 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	CHECK(ref && buf && got == len && !memcmp(buf, ref, len));
	close(fd);
	/* nobody reads it: an error at once, not a hang */
	cmd_run(&r, (const char *[]){"compile", "builtin", "-o", fifo, NULL});
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, "nothing reads it");
	CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
	free(buf);
	free(ref);
	CHECK_EQ(tdir_count(&d), 1);
	tdir_remove(&d);
}

/* As root: a character device is written in place. First a private node
 * with /dev/null's numbers (so that a regression replaces that node, not
 * the machine's /dev/null), then, only if that held, /dev/null itself. */
TEST(compile_out_device_written_in_place)
{
	struct tdir d;
	struct cmd_res r;
	struct stat st;
	const char *node;

	if (geteuid() != 0) {
		t_skip("needs root (mknod, and /dev/null's directory)");
		return;
	}
	if (!cmd_binary_present() || !tdir_make(&d))
		return;
	node = tdir_at(&d, "null");
	if (!CHECK(mknod(node, S_IFCHR | 0666, makedev(1, 3)) == 0)) {
		tdir_remove(&d);
		return;
	}
	cmd_run(&r, (const char *[]){"compile", "builtin", "-o", node, NULL});
	CHECK_EQ(r.status, 0);
	CHECK(lstat(node, &st) == 0 && S_ISCHR(st.st_mode) &&
	      st.st_rdev == makedev(1, 3));
	CHECK_EQ(tdir_count(&d), 1);
	if (!S_ISCHR(st.st_mode)) {
		tdir_remove(&d);
		return;
	}
	if (lstat("/dev/null", &st) || !S_ISCHR(st.st_mode)) {
		t_fail(__FILE__, __LINE__,
		       "/dev/null is not a character device before the test "
		       "(something else replaced it): not writing it");
		tdir_remove(&d);
		return;
	}
	cmd_run(&r, (const char *[]){"compile", "builtin", "-o", "/dev/null",
				     NULL});
	CHECK_EQ(r.status, 0);
	CHECK(lstat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) &&
	      st.st_rdev == makedev(1, 3));
	tdir_remove(&d);
}
