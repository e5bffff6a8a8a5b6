/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pids cgroup behind `run --pids-limit`: find the pids hierarchy (cgroup
 * v2 when it offers the controller, else v1), make a cgroup holding the
 * limit with the command's cgroup inside it, keep the command from leaving
 * it (a private mount namespace with the cgroup filesystems read-only), and
 * remove both afterwards, killing whatever the command left.
 */
#include "base.h"
#include "cgroup.h"
#include "input.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CG_FILE_MAX (256 * 1024)

static int cg_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	e = errno;
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -(n < 0 ? e : EIO);
}

/* Is word one of the sep-separated tokens of list[0..len)? */
static bool cg_has_token(const char *list, size_t len, const char *word,
			 char sep)
{
	size_t wl = strlen(word);

	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && list[j] != sep && list[j] != '\n')
			j++;
		if (j - i == wl && !memcmp(list + i, word, wl))
			return true;
		i = j + 1;
	}
	return false;
}

/* Copies a mountinfo field, undoing its octal escapes ("\040"). */
static void cg_unescape(char *dst, size_t size, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' &&
		    s[i + 1] <= '3') {
			dst[o++] =
			    (char)(((s[i + 1] - '0') << 6) |
				   ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
			i += 3;
			continue;
		}
		dst[o++] = s[i];
	}
	dst[o] = 0;
}

/* The path of this process in the hierarchy whose /proc/self/cgroup
 * controller field is ctl ("" for v2), or NULL. */
static const char *cg_self_path(const char *self, const char *ctl, size_t *len)
{
	for (const char *l = self, *e; *l; l = e + !!*e) {
		const char *c = strchr(l, ':'), *p;

		e = strchr(l, '\n');
		e = e ? e : l + strlen(l);
		if (!c || c > e || !(p = strchr(c + 1, ':')) || p > e)
			continue;
		if ((*ctl &&
		     cg_has_token(c + 1, (size_t)(p - c - 1), ctl, ',')) ||
		    (!*ctl && p == c + 1 && l[0] == '0')) {
			*len = (size_t)(e - p - 1);
			return p + 1;
		}
	}
	return NULL;
}

/* Splits a mountinfo line into its space-separated fields. */
static size_t cg_fields(const char *l, const char *end, const char **f,
			size_t *fl, size_t max)
{
	size_t n = 0;

	while (l < end && n < max) {
		const char *s = l;

		while (l < end && *l != ' ')
			l++;
		f[n] = s;
		fl[n++] = (size_t)(l - s);
		l++;
	}
	return n;
}

/* dir = mount point + (path relative to the mount's root). */
static void cg_join_path(char *dir, size_t size, const char *root,
			 size_t rootlen, const char *mnt, size_t mntlen,
			 const char *path, size_t pathlen)
{
	char r[4096], m[4096];
	size_t rl;

	cg_unescape(r, sizeof(r), root, rootlen);
	cg_unescape(m, sizeof(m), mnt, mntlen);
	rl = strlen(r);
	if (rl > 1 && pathlen >= rl && !memcmp(path, r, rl)) {
		path += rl;
		pathlen -= rl;
	}
	if (pathlen == 1 && path[0] == '/')
		pathlen = 0;
	snprintf(dir, size, "%s%.*s", m, (int)pathlen, path);
}

void cf_cgroup_locate(const char *mountinfo, const char *self_cgroup, char *v1,
		      char *v2, size_t size)
{
	const char *f[64], *p1, *p2, *end;
	size_t fl[64], n, l1 = 0, l2 = 0;

	v1[0] = v2[0] = 0;
	p1 = cg_self_path(self_cgroup, "pids", &l1);
	p2 = cg_self_path(self_cgroup, "", &l2);
	for (const char *l = mountinfo; l && *l; l = end + !!*end) {
		size_t dash = 0;

		end = strchr(l, '\n');
		end = end ? end : l + strlen(l);
		n = cg_fields(l, end, f, fl, CF_ARRAY_SIZE(f));
		for (size_t i = 6; i < n && !dash; i++)
			if (fl[i] == 1 && f[i][0] == '-')
				dash = i;
		if (!dash || dash + 3 >= n)
			continue;
		if (p2 && !v2[0] && fl[dash + 1] == 7 &&
		    !memcmp(f[dash + 1], "cgroup2", 7))
			cg_join_path(v2, size, f[3], fl[3], f[4], fl[4], p2,
				     l2);
		if (p1 && !v1[0] && fl[dash + 1] == 6 &&
		    !memcmp(f[dash + 1], "cgroup", 6) &&
		    cg_has_token(f[dash + 3], fl[dash + 3], "pids", ','))
			cg_join_path(v1, size, f[3], fl[3], f[4], fl[4], p1,
				     l1);
	}
}

/* Does the v2 directory let a child cgroup use pids? Tries to enable it. */
static bool cg_v2_has_pids(const char *dir)
{
	char path[4200], buf[1024];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	n = cf_read_small(path, buf, sizeof(buf));
	if (n >= 0 && cg_has_token(buf, (size_t)n, "pids", ' '))
		return true;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	n = cf_read_small(path, buf, sizeof(buf));
	if (n < 0 || !cg_has_token(buf, (size_t)n, "pids", ' '))
		return false;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	return cg_write(path, "+pids") == 0;
}

static int cg_locate_self(char *base, size_t size, bool *v2,
			  struct cf_error *err)
{
	char *mi = malloc(CG_FILE_MAX), self[8192], v1dir[4000];
	ssize_t n;

	if (!mi)
		return cf_err(err, -ENOMEM, "out of memory");
	n = cf_read_small("/proc/self/mountinfo", mi, CG_FILE_MAX);
	if (n >= 0)
		n = cf_read_small("/proc/self/cgroup", self, sizeof(self));
	if (n < 0) {
		free(mi);
		return cf_err(err, (int)n, "cannot read /proc/self: %s",
			      strerror((int)-n));
	}
	cf_cgroup_locate(mi, self, v1dir, base, size);
	free(mi);
	*v2 = base[0] && cg_v2_has_pids(base);
	if (*v2)
		return 0;
	if (!v1dir[0])
		return cf_err(err, -ENOTSUP,
			      "--pids-limit needs the pids cgroup controller "
			      "(neither cgroup v2 nor v1 offers it here)");
	snprintf(base, size, "%s", v1dir);
	return 0;
}

static int cg_fail(struct cf_cgroup *cg, int code, const char *what,
		   const char *dir, struct cf_error *err)
{
	cf_err(err, code, "cannot %s '%s': %s", what, dir, strerror(-code));
	if (cg->procs_fd >= 0)
		close(cg->procs_fd);
	cg->procs_fd = -1;
	if (cg->inner[0])
		rmdir(cg->inner);
	rmdir(cg->dir);
	cg->dir[0] = cg->inner[0] = 0;
	free(cg->scratch);
	cg->scratch = NULL;
	return code;
}

/* mkdir base/callfence.<pid>.<random>: a name no other run (thread,
 * process, earlier pid of the same number) holds; EEXIST draws again. */
static int cg_mkdir_unique(struct cf_cgroup *cg, const char *base)
{
	for (int tries = 0; tries < 16; tries++) {
		uint64_t r = 0;

		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -(errno ? errno : EIO);
		snprintf(cg->dir, sizeof(cg->dir), "%s/callfence.%ld.%016llx",
			 base, (long)getpid(), (unsigned long long)r);
		if (mkdir(cg->dir, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int cf_cgroup_create(struct cf_cgroup *cg, int64_t limit, struct cf_error *err)
{
	char base[4000], path[4300], num[32];
	int rc;

	cg->dir[0] = cg->inner[0] = 0;
	cg->procs_fd = -1;
	cg->scratch = NULL;
	rc = cg_locate_self(base, sizeof(base), &cg->v2, err);
	if (rc < 0)
		return rc;
	rc = cg_mkdir_unique(cg, base);
	if (rc < 0) {
		cf_err(err, rc, "cannot create a cgroup in '%s': %s", base,
		       strerror(-rc));
		cg->dir[0] = 0;
		return rc;
	}
	cg->scratch = malloc(CF_CGROUP_SCRATCH);
	if (!cg->scratch)
		return cg_fail(cg, -ENOMEM, "allocate memory for", cg->dir,
			       err);
	/* the limit on the outer cgroup; the command lives in "cmd" below
	 * it, so no cgroup namespace it makes can reach the limit */
	snprintf(path, sizeof(path), "%s/pids.max", cg->dir);
	snprintf(num, sizeof(num), "%lld", (long long)limit);
	rc = cg_write(path, num);
	if (rc < 0)
		return cg_fail(cg, rc, "set pids.max in", cg->dir, err);
	snprintf(cg->inner, sizeof(cg->inner), "%s/cmd", cg->dir);
	if (mkdir(cg->inner, 0755) < 0) {
		rc = -errno;
		cg->inner[0] = 0;
		return cg_fail(cg, rc, "create cgroup", cg->dir, err);
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->inner);
	cg->procs_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (cg->procs_fd < 0)
		return cg_fail(cg, -errno, "open cgroup.procs of", cg->inner,
			       err);
	return 0;
}

int cf_cgroup_join(const struct cf_cgroup *cg)
{
	if (cg->procs_fd < 0)
		return 0;
	if (write(cg->procs_fd, "0", 1) != 1)
		return -errno;
	return 0;
}

/* ---- cf_cgroup_seal: runs in the child, so no allocation, no stdio ---- */

/* The per-mount flags of a mountinfo options field, kept on remount. */
static unsigned long cg_mnt_flags(const char *o, size_t len)
{
	static const struct cf_name_num fl[] = {
	    {"nosuid", MS_NOSUID},	     {"nodev", MS_NODEV},
	    {"noexec", MS_NOEXEC},	     {"noatime", MS_NOATIME},
	    {"nodiratime", MS_NODIRATIME},   {"relatime", MS_RELATIME},
	    {"strictatime", MS_STRICTATIME},
	};
	unsigned long f = 0;

	for (size_t i = 0; i < CF_ARRAY_SIZE(fl); i++)
		if (cg_has_token(o, len, fl[i].name, ','))
			f |= fl[i].num;
	return f;
}

/* Reads path whole into buf; -E2BIG if it does not fit. */
static int cg_read_all(const char *path, char *buf, size_t size)
{
	ssize_t n = cf_read_small(path, buf, size);

	if (n < 0)
		return (int)n;
	return (size_t)n + 1 >= size ? -E2BIG : 0;
}

/* Remounts the mount of one mountinfo line read-only if it is a cgroup
 * filesystem. The mount point is unescaped into mnt. */
static int cg_seal_line(const char *l, const char *end, char *mnt, size_t size,
			const char **what)
{
	const char *f[64];
	size_t fl[64], n, dash = 0;
	unsigned long flags;

	n = cg_fields(l, end, f, fl, CF_ARRAY_SIZE(f));
	for (size_t i = 6; i < n && !dash; i++)
		if (fl[i] == 1 && f[i][0] == '-')
			dash = i;
	if (!dash || dash + 1 >= n)
		return n > 6 ? 0 : -EPROTO;
	if (!(fl[dash + 1] == 6 && !memcmp(f[dash + 1], "cgroup", 6)) &&
	    !(fl[dash + 1] == 7 && !memcmp(f[dash + 1], "cgroup2", 7)))
		return 0;
	cg_unescape(mnt, size, f[4], fl[4]);
	*what = mnt;
	flags = cg_mnt_flags(f[5], fl[5]);
	if (mount(NULL, mnt, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags,
		  NULL) < 0)
		return -errno;
	return 0;
}

int cf_cgroup_seal(const struct cf_cgroup *cg, const char **what)
{
	char *mi = cg->scratch, *mnt;
	size_t half = CF_CGROUP_SCRATCH - 4096;
	int rc;

	*what = "creating a mount namespace";
	if (!mi)
		return -EINVAL;
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	/* nothing mounted on the host later (a rw cgroup mount, say)
	 * propagates in, and nothing done here propagates out */
	*what = "making the mounts private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	*what = "reading /proc/self/mountinfo";
	mnt = mi + half;
	rc = cg_read_all("/proc/self/mountinfo", mi, half);
	if (rc < 0)
		return rc;
	for (const char *l = mi, *end; *l; l = end + !!*end) {
		end = strchrnul(l, '\n');
		rc = cg_seal_line(l, end, mnt, 4096, what);
		if (rc < 0)
			return rc;
	}
	*what = NULL;
	return 0;
}

/* Sends SIGKILL to every process listed; returns how many were listed. */
static int cg_kill_all(const char *procs)
{
	char buf[8192] = "";
	ssize_t n = cf_read_small(procs, buf, sizeof(buf));
	int count = 0;

	if (n < 0)
		return (int)n;
	for (char *p = buf, *e; *p; p = e) {
		long pid = strtol(p, &e, 10);

		if (e == p)
			break;
		if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
			count++;
		else if (pid > 0)
			count += errno != ESRCH;
	}
	return count;
}

void cf_cgroup_destroy(struct cf_cgroup *cg, cf_diag_fn fn, void *ctx)
{
	const struct timespec ms = {0, 1000 * 1000};
	char procs[4300];
	int left = 0;

	if (cg->procs_fd >= 0)
		close(cg->procs_fd);
	cg->procs_fd = -1;
	free(cg->scratch);
	cg->scratch = NULL;
	if (!cg->dir[0])
		return;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->inner);
	/* bounded: about two seconds for the leftovers to die */
	for (int i = 0; i < 2000 && cg->inner[0]; i++) {
		left = cg_kill_all(procs);
		if (left <= 0 && rmdir(cg->inner) == 0)
			break;
		if (left <= 0 && errno != EBUSY)
			break;
		nanosleep(&ms, NULL);
	}
	rmdir(cg->dir);
	if (access(cg->dir, F_OK) == 0)
		cf_warn(fn, ctx, "cgroup-cleanup", NULL,
			"cannot remove cgroup '%s' (%d processes left)",
			cg->dir, left);
	cg->dir[0] = cg->inner[0] = 0;
}
