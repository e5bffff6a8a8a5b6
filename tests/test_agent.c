/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp agent: SCMP_ACT_NOTIFY rules with a listenerPath under
 * callfence run, the listener and the container process state handed to
 * the agent (validated against the OCI state schema), callfence agent's
 * policy and its decisions reaching the command, and the fail-closed
 * cases (no agent, an agent that refuses: exit 125, nothing run).
 */
#include "t.h"

#include "callfence.h"
#include "cmd.h"
#include "tfiles.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>

/* ---- the policy (library) --------------------------------------------- */

TEST(agent_policy_decides_by_name_else_default)
{
	static const char pol[] =
	    "{\"default\": \"continue\",\n"
	    " \"syscalls\": {\"mkdir\": {\"errno\": \"EACCES\"},\n"
	    "              \"mkdirat\": {\"errno\": 13}, \"openat\": \"log\"}}";
	struct cf_agent_policy *p = NULL;
	struct cf_error err;
	int e = -1;

	if (!CHECK(cf_agent_policy_parse(pol, strlen(pol), "p.json", &p,
					 &err) == 0))
		return;
	CHECK_EQ(cf_agent_policy_decide(p, "mkdir", &e), CF_AGENT_ERRNO);
	CHECK_EQ(e, EACCES);
	CHECK_EQ(cf_agent_policy_decide(p, "mkdirat", &e), CF_AGENT_ERRNO);
	CHECK_EQ(e, 13);
	CHECK_EQ(cf_agent_policy_decide(p, "openat", &e), CF_AGENT_LOG);
	CHECK_EQ(cf_agent_policy_decide(p, "getpid", &e), CF_AGENT_CONTINUE);
	CHECK_EQ(cf_agent_policy_decide(p, NULL, &e), CF_AGENT_CONTINUE);
	cf_agent_policy_free(p);
}

struct bad_policy {
	const char *json, *pointer;
	unsigned line, col;
	const char *msg;
};

static const struct bad_policy bad_policies[] = {
    {"{\"syscalls\": {}}", "", 1, 1, "missing \"default\""},
    {"{\"default\": \"allow\"}", "/default", 1, 13, "unknown action"},
    {"{\"default\": \"log\",\n \"syscalls\": {\"mkdri\": \"log\"}}",
     "/syscalls/mkdri", 2, 15, "unknown syscall 'mkdri'"},
    {"{\"default\": \"log\", \"syscalls\": {\"mkdir\": {\"errno\": 0}}}",
     "/syscalls/mkdir", 1, 52, "1 to 4095"},
    {"{\"default\": {\"errno\": \"EBOGUS\"}}", "/default", 1, 23,
     "unknown errno name"},
    {"{\"default\": \"log\", \"sycalls\": {}}", "/sycalls", 1, 20,
     "unknown key"},
    {"{\"default\": {\"erno\": 1}}", "/default", 1, 13, "\"errno\""},
    {"[]", "", 1, 1, "an object"},
    {"{\"default\": \"log\",", "", 1, 19, ""},
};

TEST(agent_policy_errors_name_pointer_and_position)
{
	for (size_t i = 0; i < sizeof(bad_policies) / sizeof(bad_policies[0]);
	     i++) {
		const struct bad_policy *b = &bad_policies[i];
		struct cf_agent_policy *p = NULL;
		struct cf_error err;
		int rc;

		memset(&err, 0, sizeof(err));
		rc = cf_agent_policy_parse(b->json, strlen(b->json), "p.json",
					   &p, &err);
		CHECK_EQ(rc, -EINVAL);
		CHECK(p == NULL);
		CHECK_STR(err.file, "p.json");
		if (b->pointer[0])
			CHECK_STR(err.pointer, b->pointer);
		CHECK_EQ(err.line, b->line);
		CHECK_EQ(err.col, b->col);
		CHECK_CONTAINS(err.msg, b->msg);
	}
}

TEST(agent_state_parse_reads_runc_messages)
{
	static const char runc[] =
	    "{\"ociVersion\":\"1.0.2-dev\",\"fds\":[\"seccompFd\"],"
	    "\"pid\":4242,\"metadata\":\"m\",\"state\":{\"ociVersion\":"
	    "\"1.0.2-dev\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":"
	    "4242,\"bundle\":\"/b\"}}";
	static const char none[] = "{\"fds\":[\"other\"],\"pid\":1}";
	struct cf_agent_state st;
	struct cf_error err;

	if (CHECK(cf_agent_state_parse(runc, strlen(runc), &st, &err) == 0)) {
		CHECK_EQ(st.seccomp_fd, 0);
		CHECK_EQ(st.pid, 4242);
		CHECK_STR(st.id, "c1");
		CHECK_STR(st.metadata, "m");
	}
	CHECK_EQ(cf_agent_state_parse(none, strlen(none), &st, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "seccompFd");
	CHECK_EQ(cf_agent_state_parse(runc, 20, &st, &err), -EINVAL);
}

/* The runtime's container state, as the OCI hook and the agent read it:
 * the members, the annotations in order, pid 0 when absent; errors name
 * the file, line:col and the pointer, under /state for the agent. */
TEST(oci_state_parse_reads_the_runtime_state_strictly)
{
	static const char ok[] =
	    "{\"ociVersion\": \"1.2.0\", \"id\": \"c1\", \"status\": "
	    "\"stopped\",\n \"bundle\": \"/b\", \"annotations\": "
	    "{\"k1\": \"v1\", \"io.callfence.record\": \"/p.json\"}, "
	    "\"future\": [1, {\"x\": null}]}";
	static const char bad[] = "{\"ociVersion\": \"1\", \"id\": \"c\",\n "
				  "\"pid\": \"12\"}";
	static const char agent_bad[] =
	    "{\"fds\":[\"seccompFd\"],\"pid\":1,\"state\":{\"ociVersion\":"
	    "\"1\",\"id\":\"c1\",\"status\":\"creating\"}}";
	struct cf_oci_state st;
	struct cf_agent_state as;
	struct cf_error err;

	if (CHECK(cf_oci_state_parse(ok, strlen(ok), "state.json", &st, &err) ==
		  0)) {
		CHECK_STR(st.oci_version, "1.2.0");
		CHECK_STR(st.id, "c1");
		CHECK_STR(st.status, "stopped");
		CHECK_STR(st.bundle, "/b");
		CHECK_EQ(st.pid, 0);
		CHECK_EQ(st.nannotations, 2);
		if (st.nannotations == 2) {
			CHECK_STR(st.annotations[0], "k1");
			CHECK_STR(st.annotations[1], "v1");
			CHECK_STR(st.annotations[2], "io.callfence.record");
			CHECK_STR(st.annotations[3], "/p.json");
		}
		CHECK_EQ(st.reserved[0], 0);
	}
	cf_oci_state_free(&st);
	CHECK(st.id == NULL && st.priv == NULL);
	cf_oci_state_free(NULL);
	CHECK_EQ(cf_oci_state_parse(bad, strlen(bad), "state.json", &st, &err),
		 -EINVAL);
	CHECK_STR(err.file, "state.json");
	CHECK_STR(err.pointer, "/pid");
	CHECK_EQ(err.line, 2);
	CHECK_EQ(err.col, 9);
	CHECK_STR(err.msg, "must be a positive process id");
	CHECK(st.priv == NULL);
	CHECK_EQ(cf_agent_state_parse(agent_bad, strlen(agent_bad), &as, &err),
		 -EINVAL);
	CHECK_STR(err.pointer, "/state");
	CHECK_STR(err.msg, "required member 'bundle' is missing");
}

/* ---- callfence run + callfence agent ----------------------------------- */

/* One directory for the agent tests, removed when the test binary exits
 * (tfiles.c). */
static const char *agent_dir(void)
{
	static struct t_dir dir;

	if (!dir.path[0] && !t_fresh_dir(&dir, "agent"))
		return "";
	return dir.path;
}

/* The profile: mkdir and mkdirat go to the agent at dir/a.sock. */
static const char *agent_profile(const char *dir)
{
	char text[600];

	snprintf(text, sizeof(text),
		 "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
		 " \"listenerPath\": \"%s/a.sock\",\n"
		 " \"listenerMetadata\": \"from the test\",\n"
		 " \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"],\n"
		 "               \"action\": \"SCMP_ACT_NOTIFY\"}]}\n",
		 dir);
	return cmd_file(dir, "notify.json", text);
}

/* Starts callfence agent (stderr to dir/agent.log) and waits until its
 * socket accepts connections. Returns its pid, or -1. */
static pid_t agent_start(const char *dir, const char *policy)
{
	char sock[200], log[200], *bin = realpath(t_callfence_bin(), NULL);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/a.sock", dir);
	snprintf(log, sizeof(log), "%s/agent.log", dir);
	unlink(log);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl(bin ? bin : t_callfence_bin(), "callfence", "agent",
		      "--socket", sock, "--policy", policy, "--log", log,
		      (char *)NULL);
		_exit(127);
	}
	free(bin);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	/* no time limit to assert: the agent either listens or exits */
	for (int status; pid > 0;) {
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok = connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;

		close(s);
		if (ok)
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid)
			return -1;
		usleep(10000);
	}
	return -1;
}

/* SIGTERM: the agent exits 0 and removes its socket. */
static void agent_stop(pid_t pid, const char *dir)
{
	char sock[200];
	int status = -1;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(sock, sizeof(sock), "%s/a.sock", dir);
	CHECK(access(sock, F_OK) != 0);
}

static char *agent_log(const char *dir)
{
	static char buf[8192];
	char path[200];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/agent.log", dir);
	buf[0] = 0;
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

/* Polls (bounded, 10 s) until the agent's log in dir contains what. */
static bool agent_log_says(const char *dir, const char *what)
{
	const struct timespec ms = {0, 10 * 1000 * 1000};

	for (int i = 0; i < 1000; i++) {
		if (strstr(agent_log(dir), what))
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

/* The test directory, and opt the --security-opt of agent_profile in
 * it; NULL (nothing to test) without the binary or the directory. */
static const char *agent_setup(char *opt, size_t size)
{
	const char *dir = agent_dir();

	if (!cmd_binary_present() || !CHECK(dir[0]))
		return NULL;
	snprintf(opt, size, "seccomp=%s", agent_profile(dir));
	return dir;
}

/* `callfence run -- mkdir DIR/made` (made: its path) under agent_profile,
 * the agent answering by policy (the file DIR/name) and stopped after:
 * the run in r; the directory, or NULL when nothing ran. */
static const char *agent_mkdir(const char *name, const char *policy,
			       struct cmd_res *r, char *made, size_t size)
{
	char opt[300];
	const char *dir = agent_setup(opt, sizeof(opt));
	pid_t ag;

	if (!dir)
		return NULL;
	snprintf(made, size, "%s/made", dir);
	rmdir(made);
	ag = agent_start(dir, cmd_file(dir, name, policy));
	if (!CHECK(ag > 0))
		return NULL;
	cmd_run(r, (const char *[]){"run", "--security-opt", opt, "--", "mkdir",
				    made, NULL});
	/* the agent notices the command's end on its own: stopped earlier,
	 * it would not log it */
	CHECK(agent_log_says(dir, "no process left under the filter"));
	agent_stop(ag, dir);
	return dir;
}

TEST(agent_errno_reaches_the_command)
{
	const char *dir;
	char made[300];
	struct cmd_res r;

	dir = agent_mkdir("deny.json",
			  "{\"default\": \"continue\", \"syscalls\": {"
			  "\"mkdir\": {\"errno\": \"EACCES\"}, "
			  "\"mkdirat\": {\"errno\": \"EACCES\"}}}",
			  &r, made, sizeof(made));
	if (!dir)
		return;
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, "Permission denied");
	CHECK(access(made, F_OK) != 0);
	CHECK_CONTAINS(agent_log(dir), "listener received");
	CHECK_CONTAINS(agent_log(dir), " syscall=mkdir");
	CHECK_CONTAINS(agent_log(dir), "decision=errno(EACCES)");
	CHECK_CONTAINS(agent_log(dir), "container=callfence-run-");
}

TEST(agent_log_lets_the_call_run)
{
	const char *dir;
	char made[300];
	struct cmd_res r;

	dir = agent_mkdir("log.json",
			  "{\"default\": {\"errno\": \"EPERM\"}, "
			  "\"syscalls\": {\"mkdir\": \"log\", \"mkdirat\": "
			  "\"log\"}}",
			  &r, made, sizeof(made));
	if (!dir)
		return;
	CHECK_EQ(r.status, 0);
	CHECK(access(made, F_OK) == 0);
	rmdir(made);
	CHECK_CONTAINS(agent_log(dir), "decision=log");
	CHECK_CONTAINS(agent_log(dir), "no process left under the filter");
}

/* No agent at listenerPath, or a socket nobody listens on: exit 125, the
 * command never runs. */
TEST(agent_missing_or_refusing_stops_the_run)
{
	char opt[300], marker[300], cmd[400], sock[200];
	const char *dir = agent_setup(opt, sizeof(opt));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct cmd_res r;
	int s;

	if (!dir)
		return;
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	snprintf(cmd, sizeof(cmd), "touch %s", marker);
	snprintf(sock, sizeof(sock), "%s/a.sock", dir);
	unlink(sock);
	cmd_run(&r, (const char *[]){"run", "--security-opt", opt, "--",
				     "/bin/sh", "-c", cmd, NULL});
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "cannot reach the seccomp agent");
	CHECK_CONTAINS(r.err, "No such file or directory");
	CHECK(access(marker, F_OK) != 0);
	/* bound, never listening: connect() is refused */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	cmd_run(&r, (const char *[]){"run", "--security-opt", opt, "--",
				     "/bin/sh", "-c", cmd, NULL});
	close(s);
	unlink(sock);
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "Connection refused");
	CHECK(access(marker, F_OK) != 0);
}

/* A stand-in agent in a child: takes one message, checks its descriptor
 * is a seccomp listener (ID_VALID of a made-up id: ENOENT, where another
 * kind of fd says ENOTTY), writes the JSON to out. Exit 0 when so. */
static void fake_agent(int lsock, const char *out)
{
	char buf[8192];
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	uint64_t id = 0x5eed;
	int c = accept(lsock, NULL, NULL), fd = -1;
	ssize_t n;
	FILE *f;

	m.msg_control = u.b;
	m.msg_controllen = sizeof(u.b);
	n = recvmsg(c, &m, 0);
	if (n <= 0 || !CMSG_FIRSTHDR(&m))
		_exit(2);
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 ||
	    errno != ENOENT)
		_exit(3);
	f = fopen(out, "w");
	if (!f || fwrite(buf, 1, (size_t)n, f) != (size_t)n || fclose(f))
		_exit(4);
	_exit(0);
}

TEST(agent_state_message_validates_against_the_oci_schema)
{
	const char *dir, *shared = t_shared();
	char opt[300], sock[200], msg[200], schemas[300], check[400];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct cmd_res r;
	int s, status = -1;
	pid_t pid;

	if (!shared || !(dir = agent_setup(opt, sizeof(opt))))
		return;
	if (access("/usr/bin/python3", X_OK) ||
	    system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null")) {
		t_skip("/usr/bin/python3 with jsonschema is not installed");
		return;
	}
	snprintf(sock, sizeof(sock), "%s/a.sock", dir);
	snprintf(msg, sizeof(msg), "%s/state.json", dir);
	unlink(sock);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		   listen(s, 4) == 0))
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		fake_agent(s, msg);
	close(s);
	/* the stand-in closes the listener: a notified call would get
	 * ENOSYS, and true makes none */
	cmd_run(&r, (const char *[]){"run", "--security-opt", opt, "--", "true",
				     NULL});
	CHECK_EQ(r.status, 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	unlink(sock);
	snprintf(schemas, sizeof(schemas), "%s/data/schemas/oci", shared);
	snprintf(check, sizeof(check),
		 "/usr/bin/python3 tests/agent_state_check.py '%s' '%s' "
		 "'from the test' >/dev/null",
		 schemas, msg);
	CHECK_EQ(system(check), 0);
}

/* Fail closed on the policy: callfence agent exits 1 with the position,
 * and 2 for usage, never listening. */
TEST(agent_bad_policy_and_usage_exit_codes)
{
	const char *dir = agent_dir(), *pol;
	char sock[200];
	struct cmd_res r;

	if (!cmd_binary_present() || !CHECK(dir[0]))
		return;
	snprintf(sock, sizeof(sock), "%s/bad.sock", dir);
	pol = cmd_file(dir, "bad.json",
		       "{\"default\": \"log\",\n \"syscalls\": {\"mkdir\": "
		       "\"allow\"}}");
	cmd_run(&r, (const char *[]){"agent", "--socket", sock, "--policy", pol,
				     NULL});
	CHECK_EQ(r.status, 1);
	CHECK_CONTAINS(r.err, "bad.json:2:24: /syscalls/mkdir: unknown action");
	CHECK(access(sock, F_OK) != 0);
	cmd_run(&r, (const char *[]){"agent", "--policy", pol, NULL});
	CHECK_EQ(r.status, 2);
	CHECK_CONTAINS(r.err, "--socket and --policy are required");
}

/* Complain mode and an agent cannot share the one listener. */
TEST(agent_profile_refused_with_complain)
{
	char opt[300];
	struct cmd_res r;

	if (!agent_setup(opt, sizeof(opt)))
		return;
	cmd_run(&r, (const char *[]){"run", "--complain", "--security-opt", opt,
				     "--", "true", NULL});
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "one listener per filter stack");
}

/* The hand-over is rehearsed like every call callfence makes after the
 * install: sendmsg and read are among the own calls, and a profile that
 * denies one is refused before anything starts. */
static int agent_noop(void *ctx, int listener, int pid, struct cf_error *err)
{
	(void)ctx;
	(void)listener;
	(void)pid;
	(void)err;
	return 0;
}

TEST(agent_handover_is_rehearsed)
{
	const char *dir = agent_dir();
	char text[600], opt[300], marker[300], cmd[400];
	struct cf_run_opts o = {0};
	uint32_t nrs[64];
	size_t n;
	bool sendmsg = false, rd = false;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct cmd_res r;
	int s;

	o.agent = agent_noop;
	o.no_new_privs = true;
	n = cf_run_own_calls(&o, nrs, 64);
	for (size_t i = 0; i < n && i < 64; i++) {
		sendmsg = sendmsg || nrs[i] == SYS_sendmsg;
		rd = rd || nrs[i] == SYS_read;
	}
	CHECK(sendmsg && rd);
	if (!cmd_binary_present() || !CHECK(dir[0]))
		return;
	snprintf(
	    text, sizeof(text),
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
	    " \"listenerPath\": \"%s/nobody.sock\",\n"
	    " \"syscalls\": [{\"names\": [\"mkdir\"],\n"
	    "               \"action\": \"SCMP_ACT_NOTIFY\"},\n"
	    "  {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\"}]}\n",
	    dir);
	snprintf(opt, sizeof(opt), "seccomp=%s",
		 cmd_file(dir, "noread.json", text));
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	snprintf(cmd, sizeof(cmd), "touch %s", marker);
	/* a socket that listens (never accepts): the connection is made */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/nobody.sock", dir);
	unlink(sa.sun_path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	      listen(s, 4) == 0);
	cmd_run(&r, (const char *[]){"run", "--security-opt", opt, "--",
				     "/bin/sh", "-c", cmd, NULL});
	close(s);
	unlink(sa.sun_path);
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "allow sendmsg and read");
	CHECK_CONTAINS(r.err, "noread.json:5:");
	CHECK(access(marker, F_OK) != 0);
}
