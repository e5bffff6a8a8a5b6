/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_container.c - `callfence record --container ID|NAME`: the calls of
 * a running Docker or Podman container, with the eBPF recorder.
 *
 *   `docker inspect` (else `podman inspect`) -> .State.Pid -> the inode of
 *   /proc/PID/ns/mnt -> record every task of that mount namespace (and
 *   whatever it starts) until the container's first process exits,
 *   --duration passes, or SIGINT/SIGTERM/SIGHUP.
 *
 * The mount namespace, not the PID namespace, tells the container's tasks
 * apart: a --pid=host container still has a mount namespace of its own,
 * and on cgroup v1 hosts the v2 cgroup id is the same for every container.
 */
#include "record_ebpf.h"

#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs `tool inspect --type container -f {{.State.Pid}} name`; its pid
 * into *pid. Returns 0, or -1 (tool missing, failed: its stderr went to
 * err, up to errlen). */
static int rcn_inspect(const char *tool, const char *name, long *pid, char *err,
		       size_t errlen)
{
	const char *argv[] = {tool, "inspect",	      "--type", "container",
			      "-f", "{{.State.Pid}}", name,	NULL};
	char out[64] = "";
	int op[2], ep[2], st;
	ssize_t n, m = 0;
	pid_t child;

	err[0] = 0;
	if (cli_two_pipes(op, ep) < 0)
		return -1;
	fflush(NULL);
	child = fork();
	if (child == 0) {
		dup2(op[1], 1);
		dup2(ep[1], 2);
		close(op[0]);
		close(ep[0]);
		execvp(tool, (char *const *)argv);
		fprintf(stderr, "%s: %s", tool, strerror(errno));
		_exit(127);
	}
	close(op[1]);
	close(ep[1]);
	while (child > 0 && (size_t)m < sizeof(out) - 1 &&
	       (n = read(op[0], out + m, sizeof(out) - 1 - (size_t)m)) > 0)
		m += n;
	out[m] = 0;
	n = child > 0 ? read(ep[0], err, errlen - 1) : -1;
	err[n > 0 ? n : 0] = 0;
	err[strcspn(err, "\n")] = 0;
	close(op[0]);
	close(ep[0]);
	if (child < 0 || waitpid(child, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return -1;
	*pid = strtol(out, NULL, 10);
	return 0;
}

/* The container's first process as the host sees it (Docker first, then
 * Podman), or -1 with the error printed. */
static pid_t rcn_pid(const char *name, const char **engine)
{
	static const char *const tools[] = {"docker", "podman"};
	char errs[2][256];
	long pid = -1;

	for (size_t i = 0; i < CF_ARRAY_LEN(tools); i++) {
		if (rcn_inspect(tools[i], name, &pid, errs[i],
				sizeof(errs[i])) < 0)
			continue;
		*engine = tools[i];
		if (pid <= 0) {
			cli_errorf("container '%s' (%s) is not running", name,
				   tools[i]);
			return -1;
		}
		return (pid_t)pid;
	}
	cli_errorf("no running container '%s': docker: %s; podman: %s", name,
		   errs[0][0] ? errs[0] : "failed",
		   errs[1][0] ? errs[1] : "failed");
	return -1;
}

/* Inode of the mount namespace of pid; -1 with the error printed, also
 * when it is callfence's own (that would record the whole host). */
static int rcn_mntns(pid_t pid, uint64_t *ino)
{
	char path[64];
	struct stat st, self;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	if (stat(path, &st) < 0 || stat("/proc/self/ns/mnt", &self) < 0) {
		cli_errorf("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_ino == self.st_ino) {
		cli_errorf("process %d shares callfence's mount namespace: "
			   "recording it would record the whole host",
			   (int)pid);
		return -1;
	}
	*ino = st.st_ino;
	return 0;
}

static const char *const rcn_ended[] = {"--duration passed",
					"the container exited", "interrupted"};

int rec_container_record(const char *name, double seconds,
			 struct cf_record *obs, struct rec_result *res)
{
	struct rec_ebpf_target t = {.scope = REC_EBPF_MNTNS, .args = res->args};
	struct rec_ebpf_counts c;
	struct rec_ebpf *r;
	const char *engine = "";
	char why[256];
	pid_t pid;
	int end;

	pid = rcn_pid(name, &engine);
	if (pid < 0 || rcn_mntns(pid, &t.mntns) < 0)
		return -1;
	if (rec_ebpf_open(&t, &r, why, sizeof(why)) < 0) {
		cli_errorf("cannot record container '%s': %s", name, why);
		return -1;
	}
	fprintf(stderr,
		"callfence record: recording %s container '%s' (pid %d, mount "
		"namespace %llu) until it exits%s; SIGINT stops\n",
		engine, name, (int)pid, (unsigned long long)t.mntns,
		seconds > 0 ? " or --duration passes" : "");
	end = rec_ebpf_wait_pid(pid, seconds);
	if (rec_ebpf_stop(r, obs, res, &c) < 0 || end < 0) {
		cli_errorf("recording failed: %s",
			   end < 0 ? strerror(errno) : res->why);
		return -1;
	}
	rec_ebpf_print_counts("callfence record", &c);
	fprintf(stderr,
		"callfence record: stopped: %s. The profile holds only what "
		"ran during the recording, not the container's start: merge "
		"it with a recording of the start (callfence merge)\n",
		rcn_ended[end]);
	res->exit_code = 0;
	return 0;
}
