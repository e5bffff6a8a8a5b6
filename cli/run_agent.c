/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_agent.c - callfence run hands the seccomp listener to the agent at
 * the profile's listenerPath, as runc does: one message on a unix stream
 * socket, the container process state as JSON in its data and the
 * listener in SCM_RIGHTS; then the connection is closed.
 *
 * callfence run has no container; the state says (docs/run.md):
 *   id           "callfence-run-PID"
 *   status       "creating" (runc's: the command has not started yet)
 *   pid          the command's pid
 *   bundle       callfence's working directory (the command's)
 *   annotations  "callfence.command" (argv[0]), "callfence.profile"
 */
#include "agent.h"

#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int __attribute__((format(printf, 1, 2)))
agent_run_error(const char *fmt, ...)
{
	va_list ap;

	fputs("callfence run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CF_RUN_EXIT_FAILED;
}

static int agent_connect(struct cli_run_agent *a)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int e;

	if (strlen(a->path) >= sizeof(sa.sun_path))
		return agent_run_error(
		    "seccomp agent '%s' (listenerPath of %s): the path is "
		    "too long for a unix socket (at most 107 bytes)",
		    a->path, a->profile);
	memcpy(sa.sun_path, a->path, strlen(a->path) + 1);
	a->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (a->sock < 0)
		return agent_run_error("cannot create a socket for the seccomp "
				       "agent '%s': %s",
				       a->path, strerror(errno));
	if (connect(a->sock, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	e = errno;
	fprintf(stderr,
		"callfence run: cannot reach the seccomp agent at '%s' "
		"(listenerPath of %s): %s; the command was not started "
		"(hint: %s)\n",
		a->path, a->profile, strerror(e),
		e == ENOENT || e == ECONNREFUSED
		    ? "start one first, e.g. callfence agent --socket PATH "
		      "--policy FILE"
		    : "check the path and its permissions");
	return CF_RUN_EXIT_FAILED;
}

/* The container process state (runtime-spec's ContainerProcessState):
 * malloc'd, *len bytes. */
static char *agent_state(const struct cli_run_agent *a, int pid, size_t *len)
{
	char *buf = NULL, cwd[PATH_MAX];
	FILE *m = open_memstream(&buf, len);

	if (!m)
		return NULL;
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "/");
	fprintf(m, "{\"ociVersion\":\"%s\",\"fds\":[\"%s\"],\"pid\":%d,",
		CLI_AGENT_OCI_VERSION, CLI_AGENT_SECCOMP_FD, pid);
	if (a->metadata) {
		fputs("\"metadata\":", m);
		cli_json_fstr(m, a->metadata);
		fputc(',', m);
	}
	fprintf(m,
		"\"state\":{\"ociVersion\":\"%s\",\"id\":\"callfence-run-%d\","
		"\"status\":\"creating\",\"pid\":%d,\"bundle\":",
		CLI_AGENT_OCI_VERSION, pid, pid);
	cli_json_fstr(m, cwd);
	fputs(",\"annotations\":{\"callfence.command\":", m);
	cli_json_fstr(m, a->command);
	fputs(",\"callfence.profile\":", m);
	cli_json_fstr(m, a->profile);
	fputs("}}}", m);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* cf_run's agent callback: the state and the listener in one message. */
static int agent_send(void *ctx, int listener, int pid, struct cf_error *err)
{
	struct cli_run_agent *a = ctx;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;
	size_t len = 0;
	char *state = agent_state(a, pid, &len);
	ssize_t n;
	int e;

	if (!state) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return err->code = -ENOMEM;
	}
	iov.iov_base = state;
	iov.iov_len = len;
	memset(&u, 0, sizeof(u));
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &listener, sizeof(int));
	do
		n = sendmsg(a->sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	e = n < 0 ? errno : EPIPE;
	free(state);
	/* as runc: one message, then the connection closes (an agent may
	 * read until end of stream) */
	cli_run_agent_close(a);
	if (n == (ssize_t)len)
		return 0;
	err->code = -e;
	snprintf(err->msg, sizeof(err->msg),
		 "cannot hand the seccomp listener to the agent at '%s': %s; "
		 "the command was not started",
		 a->path,
		 e == EPIPE || e == ECONNRESET ? "it closed the connection"
					       : strerror(e));
	return err->code;
}

int cli_run_agent_setup(struct cli_run_agent *a, const struct cf_filter *f,
			const char *profile, bool complain,
			struct cf_run_opts *o)
{
	a->sock = -1;
	a->path = f ? cf_filter_listener(f, &a->metadata) : NULL;
	if (!a->path)
		return 0;
	a->profile = profile;
	a->command = o->argv[0];
	if (complain)
		return agent_run_error(
		    "--complain cannot run a profile whose SCMP_ACT_NOTIFY "
		    "rules go to a seccomp agent ('%s', listenerPath of %s): "
		    "the kernel gives one listener per filter stack",
		    a->path, profile);
	if (agent_connect(a))
		return CF_RUN_EXIT_FAILED;
	o->agent = agent_send;
	o->agent_ctx = a;
	return 0;
}

void cli_run_agent_close(struct cli_run_agent *a)
{
	if (a->sock >= 0)
		close(a->sock);
	a->sock = -1;
}
