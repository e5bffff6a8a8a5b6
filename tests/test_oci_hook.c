/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `callfence oci-hook` through the binary: the container state on stdin
 * (bad states refused with line, column and JSON pointer), unsafe profile
 * paths refused before anything starts, --install/--uninstall idempotent,
 * and a whole recording of a process standing in for a container's init:
 * the hook returns once the recorder holds it, everything it does after
 * is in the profile (nothing before), poststop waits for the profile; a
 * profile that cannot be written leaves PATH.error and a failing poststop.
 * The live test with Podman is tests/live/oci-hook.sh.
 */
#include "t.h"

#include "callfence.h"
#include "cmd.h"

#include <ftw.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int oh_rm(const char *p, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static char oh_last_dir[64];
static pid_t oh_dir_owner;

static void oh_dir_remove(void)
{
	if (oh_last_dir[0] && getpid() == oh_dir_owner)
		nftw(oh_last_dir, oh_rm, 16, FTW_DEPTH | FTW_PHYS);
	oh_last_dir[0] = 0;
}

/* A fresh directory (the previous one removed; the last one at exit, by
 * the process that made it, not by a forked child). */
static const char *oh_dir(void)
{
	if (!oh_dir_owner) {
		oh_dir_owner = getpid();
		atexit(oh_dir_remove);
	}
	oh_dir_remove();
	strcpy(oh_last_dir, "/tmp/cf-ocihook-XXXXXX");
	return mkdtemp(oh_last_dir);
}

/* Runs `callfence oci-hook --state-dir DIR/state [more]` with state on
 * stdin. */
static void oh_hook(struct cmd_res *r, const char *dir, const char *state,
		    const char *more)
{
	char sdir[128];
	struct cmd_env e = {0};

	snprintf(sdir, sizeof(sdir), "%s/state", dir);
	e.stdin_file = cmd_file(dir, "state.json", state);
	cmd_run_env(
	    r, &e,
	    (const char *const[]){"oci-hook", "--state-dir", sdir, more, NULL});
}

/* A state with id, status, pid (0: none) and the record annotation (NULL:
 * none) plus extra annotations text. */
static const char *oh_state(const char *id, const char *status, int pid,
			    const char *path, const char *extra)
{
	static char buf[2048];
	char pidm[32] = "";

	if (pid)
		snprintf(pidm, sizeof(pidm), "\"pid\": %d, ", pid);
	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\": \"1.0.2\", \"id\": \"%s\", \"status\": "
		 "\"%s\", %s\"bundle\": \"/b\", \"annotations\": {%s%s%s%s}}",
		 id, status, pidm, path ? "\"io.callfence.record\": \"" : "",
		 path ? path : "", path ? "\"" : "", extra ? extra : "");
	return buf;
}

TEST(oci_hook_leaves_containers_without_the_annotation_alone)
{
	static struct cmd_res r;
	const char *dir;

	if (!cmd_binary_present() || !CHECK(dir = oh_dir()))
		return;
	oh_hook(&r, dir, oh_state("c1", "creating", 1, NULL, NULL), NULL);
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.err, "");
	oh_hook(&r, dir, oh_state("c1", "stopped", 0, NULL, NULL), NULL);
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.err, "");
	oh_dir();
}

TEST(oci_hook_refuses_bad_states_saying_where)
{
	static const struct {
		const char *text, *says;
	} cases[] = {
	    {"", "line 1 col 1: invalid JSON: unexpected end of input"},
	    {"[1]", "line 1 col 1: the state must be a JSON object"},
	    {"{\"ociVersion\": \"1\", \"annotations\": []}",
	     "line 1 col 36: must be an object (at /annotations)"},
	    {"{\"ociVersion\": \"1\", \"annotations\": {\"a~/\": \"x\", "
	     "\"a~/\": \"y\"}}",
	     "member given twice (at /annotations/a~0~1)"},
	    {"{\"ociVersion\": \"1\", \"annotations\": {\"a\\u0000\": "
	     "\"x\"}}",
	     "\\u0000 in a key (at /annotations/a)"},
	    {"{\"ociVersion\": \"1\", \"id\": \"a\", \"status\": \"s\", "
	     "\"pid\": 2147483648, \"bundle\": \"/b\"}",
	     "must be a positive process id (at /pid)"},
	    {"{\"ociVersion\": \"1\", \"id\": \"a\", \"status\": \"s\"}",
	     "required member 'bundle' is missing"},
	    {"{\"ociVersion\": \"1\", \"status\": \"creating\", \"bundle\": "
	     "\"/b\"}",
	     "required member 'id' is missing"},
	    {"{\"ociVersion\": \"1\", \"id\": \"a\", \"status\": \"s\", "
	     "\"bundle\": \"/b\", \"pid\": -4}",
	     "must be a positive process id (at /pid)"},
	    {"{\"ociVersion\": \"1\", \"id\": \"a\", \"status\": \"s\", "
	     "\"bundle\": \"/b\", \"pid\": 1.5}",
	     "must be a positive process id (at /pid)"},
	    {"{\"ociVersion\": \"1\", \"id\": \"a\", \"id\": \"b\"}",
	     "member given twice (at /id)"},
	    {"{\"ociVersion\": \"1\", \"annotations\": "
	     "{\"io.callfence.record\": 5}}",
	     "must be a string (at /annotations/io.callfence.record)"},
	    {"{\"ociVersion\": \"1\", \"id\": \"a\", \"status\": \"s\", "
	     "\"bundle\": \"/b\"} x",
	     "line 1 col 63: invalid JSON: unexpected data after the JSON "
	     "value"},
	    {"{\"ociVersion\": \"1\", \"id\": \"a\\u0000b\"}",
	     "\\u0000 in a string (at /id)"},
	    {"{\"ociVersion\": \"1\",\n  \"id\": tru}", "line 2 col 9"},
	    {"{\"ociVersion\": \"1\", \"id\": \"a", "unterminated string"},
	};
	static struct cmd_res r;
	const char *dir;

	if (!cmd_binary_present() || !CHECK(dir = oh_dir()))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		oh_hook(&r, dir, cases[i].text, NULL);
		CHECK_EQ(r.status, 1);
		CHECK_CONTAINS(r.err, cases[i].says);
	}
	oh_dir();
}

/* The start stage refuses path: exit 1, why in the message, no daemon. */
static void oh_refused(const char *dir, const char *path, const char *extra,
		       const char *says)
{
	static struct cmd_res r;
	char sfile[160];

	oh_hook(&r, dir, oh_state("c2", "creating", (int)getpid(), path, extra),
		NULL);
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, says);
	snprintf(sfile, sizeof(sfile), "%s/state/c2", dir);
	CHECK(access(sfile, F_OK) != 0);
}

TEST(oci_hook_refuses_unsafe_paths_before_starting)
{
	const char *dir;
	char path[256], sub[200];

	if (!cmd_binary_present() || !CHECK(dir = oh_dir()))
		return;
	oh_refused(dir, "rel/p.json", NULL, "is not an absolute path");
	oh_refused(dir, "/tmp/../etc/p.json", NULL, "'..' component");
	oh_refused(dir, "/tmp//p.json", NULL, "empty, '.' or '..' component");
	oh_refused(dir, "/tmp/p/", NULL, "empty, '.' or '..' component");
	snprintf(sub, sizeof(sub), "%s/real", dir);
	CHECK_EQ(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "%s/link", dir);
	CHECK_EQ(symlink(sub, path), 0);
	snprintf(path, sizeof(path), "%s/link/p.json", dir);
	oh_refused(dir, path, NULL, "is a symbolic link, not a directory");
	snprintf(sub, sizeof(sub), "%s/open", dir);
	CHECK_EQ(mkdir(sub, 0755), 0);
	CHECK_EQ(chmod(sub, 0777), 0);
	snprintf(path, sizeof(path), "%s/open/p.json", dir);
	oh_refused(dir, path, NULL, "writable by group or others");
	snprintf(path, sizeof(path), "%s/real", dir);
	oh_refused(dir, path, NULL, "exists and is not a regular file");
	snprintf(path, sizeof(path), "%s/real/p.json", dir);
	oh_refused(dir, path, ", \"io.callfence.record.args\": \"yes\"",
		   "io.callfence.record.args='yes': must be 0 or 1");
	oh_dir();
}

TEST(oci_hook_refuses_odd_ids_statuses_and_a_stop_without_start)
{
	static struct cmd_res r;
	const char *dir;

	if (!cmd_binary_present() || !CHECK(dir = oh_dir()))
		return;
	oh_hook(&r, dir, oh_state("../x", "creating", 1, "/tmp/p.json", NULL),
		NULL);
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, "is not a safe file name");
	oh_hook(&r, dir, oh_state("c3", "running", 1, "/tmp/p.json", NULL),
		NULL);
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, "status 'running'");
	oh_hook(&r, dir, oh_state("c3", "stopped", 0, "/tmp/p.json", NULL),
		NULL);
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, "no recording of container c3 was started");
	oh_hook(&r, dir, oh_state("c3", "creating", 0, "/tmp/p.json", NULL),
		NULL);
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, "the state has no pid");
	oh_dir();
}

static char *oh_read(const char *path)
{
	FILE *f = fopen(path, "re");
	char *text = calloc(1, 65536);

	if (f && text)
		text[fread(text, 1, 65535, f)] = 0;
	if (f)
		fclose(f);
	if (!f) {
		free(text);
		return NULL;
	}
	return text;
}

TEST(oci_hook_install_and_uninstall_are_idempotent)
{
	static struct cmd_res r;
	const char *dir;
	char hooks[128], file[192], *first, *second;
	char *bin = realpath(t_callfence_bin(), NULL);

	if (!cmd_binary_present() || !CHECK(dir = oh_dir()) || !CHECK(bin))
		return;
	snprintf(hooks, sizeof(hooks), "%s/a/hooks.d", dir);
	snprintf(file, sizeof(file), "%s/callfence-record.json", hooks);
	cmd_run(&r, (const char *const[]){"oci-hook", "--install",
					  "--hooks-dir", hooks, NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.err, "written");
	first = oh_read(file);
	cmd_run(&r, (const char *const[]){"oci-hook", "--install",
					  "--hooks-dir", hooks, NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.err, "already up to date");
	second = oh_read(file);
	if (CHECK(first && second)) {
		CHECK_STR(first, second);
		CHECK_CONTAINS(first, "\"version\": \"1.0.0\"");
		CHECK_CONTAINS(first, bin);
		CHECK_CONTAINS(first, "[\"callfence\", \"oci-hook\"]");
		CHECK_CONTAINS(first, "\"^io\\\\.callfence\\\\.record$\"");
		CHECK_CONTAINS(first, "[\"createRuntime\", \"poststop\"]");
	}
	cmd_run(&r, (const char *const[]){"oci-hook", "--uninstall",
					  "--hooks-dir", hooks, NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.err, "removed");
	CHECK(access(file, F_OK) != 0);
	cmd_run(&r, (const char *const[]){"oci-hook", "--uninstall",
					  "--hooks-dir", hooks, NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.err, "was not there");
	cmd_run(&r, (const char *const[]){"oci-hook", "--install",
					  "--hooks-dir", "rel", NULL});
	CHECK_EQ(r.status, 2);
	free(first);
	free(second);
	free(bin);
	oh_dir();
}

/* What the stand-in init does once released (the default: one call). */
static void oh_work_default(void)
{
	syscall(SYS_sched_getscheduler, 0);
}

static void (*oh_work)(void) = oh_work_default;

/* A stand-in for a container's init: getsid (before the hook), waits on
 * go, then oh_work and exit. Returns its pid. */
static pid_t oh_init(int *go)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		syscall(SYS_getsid, 0);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		oh_work();
		_exit(0);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

/* Starts the hook for a stand-in init (container id, extra annotations
 * as oh_state takes them); 0 when it attached, else skipped or failed. */
static pid_t oh_start_as(const char *dir, const char *id, const char *path,
			 const char *extra, const char *rec, int *go)
{
	static struct cmd_res r;
	pid_t pid = oh_init(go);

	if (!CHECK(pid > 0))
		return -1;
	oh_hook(&r, dir, oh_state(id, "creating", (int)pid, path, extra), rec);
	if (r.status != 0 &&
	    (strstr(r.err, "Operation not permitted") ||
	     strstr(r.err, "not built in") || strstr(r.err, "BTF"))) {
		t_skip(r.err);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(*go);
		return -1;
	}
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.err, "");
	return r.status == 0 ? pid : -1;
}

static pid_t oh_start(const char *dir, const char *path, const char *rec,
		      int *go)
{
	return oh_start_as(dir, "c4", path, NULL, rec, go);
}

static void oh_end(pid_t pid, int go)
{
	int st = -1;

	CHECK_EQ(write(go, "g", 1), 1);
	close(go);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* One recording with recorder rec ("--recorder=NAME"). */
static void oh_records_from_attach_to_exit(const char *rec)
{
	static struct cmd_res r;
	const char *dir;
	char path[160], err_path[200], sfile[160], *json;
	int go;
	pid_t pid;

	if (!cmd_binary_present() || !CHECK(dir = oh_dir()))
		return;
	snprintf(path, sizeof(path), "%s/p.json", dir);
	snprintf(err_path, sizeof(err_path), "%s.error", path);
	cmd_file(dir, "p.json.error", "stale\n");
	if ((pid = oh_start(dir, path, rec, &go)) < 0)
		return;
	oh_end(pid, go);
	oh_hook(&r, dir, oh_state("c4", "stopped", 0, path, NULL), NULL);
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.err, "");
	json = oh_read(path);
	if (CHECK(json)) {
		CHECK_CONTAINS(json, "\"sched_getscheduler\"");
		CHECK_CONTAINS(json, "\"exit_group\"");
		CHECK(!strstr(json, "\"getsid\"")); /* before the hook */
		CHECK_CONTAINS(json, "\"defaultAction\": \"SCMP_ACT_ERRNO\"");
	}
	free(json);
	CHECK(access(err_path, F_OK) != 0); /* the stale one is gone */
	snprintf(sfile, sizeof(sfile), "%s/state/c4", dir);
	CHECK(access(sfile, F_OK) != 0);
	cmd_run(&r, (const char *const[]){"check", "--strict", path, NULL});
	CHECK_EQ(r.status, 0);
	oh_dir();
}

TEST(oci_hook_records_from_attach_to_exit_ptrace)
{
	oh_records_from_attach_to_exit("--recorder=ptrace");
}

TEST(oci_hook_records_from_attach_to_exit_ebpf)
{
	oh_records_from_attach_to_exit("--recorder=ebpf");
}

TEST(oci_hook_without_a_profile_leaves_an_error_file)
{
	static struct cmd_res r;
	const char *dir;
	char path[160], err_path[200], *text;
	int go;
	pid_t pid;

	if (!cmd_binary_present() || !CHECK(dir = oh_dir()))
		return;
	snprintf(path, sizeof(path), "%s/p.json", dir);
	snprintf(err_path, sizeof(err_path), "%s.error", path);
	if ((pid = oh_start(dir, path, NULL, &go)) < 0)
		return;
	CHECK_EQ(mkdir(path, 0755), 0); /* the profile cannot go there now */
	oh_end(pid, go);
	oh_hook(&r, dir, oh_state("c4", "stopped", 0, path, NULL), NULL);
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, "exists and is not a regular file");
	CHECK_CONTAINS(r.err, "no profile written to");
	text = oh_read(err_path);
	if (CHECK(text))
		CHECK_CONTAINS(text, "exists and is not a regular file");
	free(text);
	oh_dir();
}

static void oh_work_args(void)
{
	int fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);

	if (fd >= 0)
		close(fd);
	syscall(SYS_personality, 0xffffffffUL);
}

/* io.callfence.record.args=1: argument rules, with recorder rec. */
static void oh_args_give_rules(const char *rec)
{
	static struct cmd_res r;
	const char *dir, *args = ", \"io.callfence.record.args\": \"1\"";
	char path[160], *json;
	int go;
	pid_t pid;

	if (!cmd_binary_present() || !CHECK(dir = oh_dir()))
		return;
	snprintf(path, sizeof(path), "%s/p.json", dir);
	oh_work = oh_work_args;
	pid = oh_start_as(dir, "c5", path, args, rec, &go);
	oh_work = oh_work_default;
	if (pid < 0)
		return;
	oh_end(pid, go);
	oh_hook(&r, dir, oh_state("c5", "stopped", 0, path, args), NULL);
	CHECK_EQ(r.status, 0);
	json = oh_read(path);
	if (CHECK(json)) {
		CHECK_CONTAINS(json, "\"args\"");
		CHECK_CONTAINS(json, "\"personality\"");
		CHECK_CONTAINS(json, "\"socket\"");
		/* personality(0xffffffff), socket(AF_UNIX, SOCK_STREAM) */
		CHECK_CONTAINS(json, "\"valueTwo\": 4294967295, \"op\"");
		CHECK_CONTAINS(json, "\"index\": 0, \"value\": 4294967295, "
				     "\"valueTwo\": 1, \"op\"");
	}
	free(json);
	cmd_run(&r, (const char *const[]){"check", "--strict", path, NULL});
	CHECK_EQ(r.status, 0);
	oh_dir();
}

TEST(oci_hook_args_give_rules_ptrace)
{
	oh_args_give_rules("--recorder=ptrace");
}

/* the eBPF recorder keeps the values too (skipped where it cannot load) */
TEST(oci_hook_args_give_rules_ebpf)
{
	oh_args_give_rules("--recorder=ebpf");
}
