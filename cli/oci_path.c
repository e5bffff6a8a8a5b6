/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_path.c - where the hook may write a profile. The path comes from an
 * annotation, which whoever starts the container sets (with CRI-O: a pod
 * spec), while the hook runs as root: a path through a directory someone
 * else can write to, or through a symlink, could make it overwrite any
 * file. So: absolute, clean, every directory on the way a real directory
 * owned by root or by us, writable by nobody else unless sticky (as /tmp
 * is: there rename cannot replace another user's file). The file is
 * written beside its final name and renamed into place, so a reader never
 * sees half a profile.
 */
#include "oci_hook.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* why = the message about path; evaluates to -1 */
#define OP_WHY(fmt, path) (snprintf(why, n, fmt, path), -1)

/* No "", "." or ".." component, no control character. */
static int op_clean(const char *path, char *why, size_t n)
{
	const char *c = path;

	if (path[0] != '/')
		return OP_WHY("'%s' is not an absolute path", path);
	if (strlen(path) >= PATH_MAX)
		return OP_WHY("'%.64s...' is too long", path);
	for (const char *q = path; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return OP_WHY("'%s' has a control character", path);
	while (*c) {
		const char *e = strchr(c + 1, '/');
		size_t len = e ? (size_t)(e - c - 1) : strlen(c + 1);

		if (len == 0 || (len == 1 && c[1] == '.') ||
		    (len == 2 && c[1] == '.' && c[2] == '.'))
			return OP_WHY(
			    "'%s' has an empty, '.' or '..' component", path);
		if (!e)
			break;
		c = e;
	}
	return 0;
}

/* A directory of the path: real, ours or root's, not writable by others
 * (unless sticky). */
static int op_dir_safe(const char *dir, char *why, size_t n)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		snprintf(why, n, "'%s': %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, n, "'%s' is %s, not a directory", dir,
			 S_ISLNK(st.st_mode) ? "a symbolic link" : "a file");
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(why, n, "'%s' belongs to uid %u, not to root", dir,
			 (unsigned)st.st_uid);
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(why, n,
			 "'%s' is writable by group or others and not sticky",
			 dir);
		return -1;
	}
	return 0;
}

int oci_path_check(const char *path, char *why, size_t n)
{
	char dir[PATH_MAX];
	struct stat st;

	if (op_clean(path, why, n) < 0)
		return -1;
	if (op_dir_safe("/", why, n) < 0)
		return -1;
	for (const char *c = strchr(path + 1, '/'); c; c = strchr(c + 1, '/')) {
		memcpy(dir, path, (size_t)(c - path));
		dir[c - path] = 0;
		if (op_dir_safe(dir, why, n) < 0)
			return -1;
	}
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return OP_WHY("'%s' exists and is not a regular file", path);
	return 0;
}

/* A new file beside the final name: O_EXCL, never through a link. */
static int op_temp(int dirfd, const char *base, char *tmp, size_t n)
{
	for (unsigned i = 0; i < 100; i++) {
		int fd;

		snprintf(tmp, n, ".%s.%d.%u.tmp", base, (int)getpid(), i);
		fd = openat(
		    dirfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

static int op_write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		data += w;
		len -= (size_t)w;
	}
	return fsync(fd) < 0 ? -errno : 0;
}

int oci_path_write(const char *path, const char *data, size_t len, char *why,
		   size_t n)
{
	char dir[PATH_MAX], tmp[NAME_MAX + 32];
	const char *base;
	int dirfd, fd, rc;

	if (oci_path_check(path, why, n) < 0)
		return -EPERM;
	base = strrchr(path, '/') + 1;
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0 || (fd = op_temp(dirfd, base, tmp, sizeof(tmp))) < 0) {
		rc = -errno;
		snprintf(why, n, "cannot create a file in '%s': %s", dir,
			 strerror(errno));
		if (dirfd >= 0)
			close(dirfd);
		return rc;
	}
	rc = op_write_all(fd, data, len);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && renameat(dirfd, tmp, dirfd, base) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(why, n, "cannot write '%s': %s", path, strerror(-rc));
		unlinkat(dirfd, tmp, 0);
	}
	close(dirfd);
	return rc;
}
