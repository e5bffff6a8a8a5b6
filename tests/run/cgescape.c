/* SPDX-License-Identifier: Apache-2.0 */
/* Tries every way out of the pids limit it runs under, then forks up to 64
 * sleepers (each gone within a minute anyway). Prints one line per attempt,
 * "NAME errno E" (0: it worked), then "forks N errno E" and the sleepers'
 * pids. argv[1]: an empty directory to mount a cgroup filesystem on.
 *
 *   move-root      write our pid into the hierarchy root's cgroup.procs
 *   move-parent    ... into the parent cgroup's
 *   raise-own      write "max" into our cgroup's pids.max
 *   raise-parent   ... into the parent's
 *   mkdir-sibling  make a cgroup next to ours
 *   userns-mount   a user, mount and cgroup namespace of our own, the pids
 *                  hierarchy mounted there (root = our cgroup)
 *   userns-raise   write "max" into that mount's pids.max
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sleepers.h"

static char buf[1 << 16];

static const char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
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

static int put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		e = errno;
	close(fd);
	return e;
}

static void report(const char *name, int e)
{
	printf("%s errno %d\n", name, e);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char mnt[4096] = "", own[8192], parent[8192], path[8300], pid[32];
	char path_in[4096] = "";
	const char *s, *l;
	bool v2 = false;
	int e = 0;

	if (argc < 2)
		return 2;
	/* the pids hierarchy: a v1 mount with "pids", else cgroup2 */
	s = slurp("/proc/self/mountinfo");
	for (l = s; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
		char m[4096], fs[64], opts[1024];

		if (sscanf(l,
			   "%*s %*s %*s %*s %4095s %*s%*[^-]- %63s %*s %1023s",
			   m, fs, opts) != 3)
			continue;
		if (!strcmp(fs, "cgroup") && strstr(opts, "pids")) {
			snprintf(mnt, sizeof(mnt), "%s", m);
			v2 = false;
			break;
		}
		if (!strcmp(fs, "cgroup2") && !mnt[0]) {
			snprintf(mnt, sizeof(mnt), "%s", m);
			v2 = true;
		}
	}
	s = slurp("/proc/self/cgroup");
	for (l = s; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
		const char *p = strchr(l, ':'), *q = p ? strchr(p + 1, ':') : 0;

		if (!q)
			break;
		if ((v2 && p == l + 1 && l[0] == '0' && q == p + 1) ||
		    (!v2 && strstr(p, "pids") && strstr(p, "pids") < q)) {
			snprintf(path_in, sizeof(path_in), "%.*s",
				 (int)strcspn(q + 1, "\n"), q + 1);
			break;
		}
	}
	printf("hierarchy %s %s cgroup %s\n", v2 ? "v2" : "v1", mnt, path_in);
	snprintf(own, sizeof(own), "%s%s", mnt, path_in);
	snprintf(parent, sizeof(parent), "%s", own);
	if (strrchr(parent, '/'))
		*strrchr(parent, '/') = 0;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());

	snprintf(path, sizeof(path), "%s/cgroup.procs", mnt);
	report("move-root", put(path, pid));
	snprintf(path, sizeof(path), "%s/cgroup.procs", parent);
	report("move-parent", put(path, pid));
	snprintf(path, sizeof(path), "%s/pids.max", own);
	report("raise-own", put(path, "max"));
	snprintf(path, sizeof(path), "%s/pids.max", parent);
	report("raise-parent", put(path, "max"));
	snprintf(path, sizeof(path), "%s/escape", parent);
	report("mkdir-sibling", mkdir(path, 0755) < 0 ? errno : 0);

	e = 0;
	if (unshare(CLONE_NEWUSER) < 0)
		e = errno;
	if (!e)
		e = put("/proc/self/uid_map", "0 0 1");
	if (!e && unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
		e = errno;
	if (!e && mount("none", argv[1], v2 ? "cgroup2" : "cgroup", 0,
			v2 ? NULL : "pids") < 0)
		e = errno;
	report("userns-mount", e);
	if (!e) {
		snprintf(path, sizeof(path), "%s/pids.max", argv[1]);
		report("userns-raise", put(path, "max"));
	}

	return fork_sleepers();
}
