/* SPDX-License-Identifier: Apache-2.0 */
/*
 * callfence agent --socket PATH --policy FILE [--log FILE]
 *
 * A reference seccomp agent (runtime-spec "listenerPath"): it listens on a
 * unix socket, takes from each runtime that connects (runc, crun,
 * callfence run) the container process state and the seccomp listener
 * (SCM_RIGHTS), then answers every notification of every container it
 * holds by its policy (lib/agent_policy.c, docs/cli.md): let the call
 * run, let it run and log it, or fail it with an errno. One poll loop;
 * SIGTERM and SIGINT end it cleanly.
 */
#include "agent.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define AGENT_MAX 256		 /* runtimes connecting, containers held */
#define AGENT_MSG_MAX (1U << 20) /* a state message, at most */
#define AGENT_FDS_MAX 8		 /* descriptors one message may carry */

/* A runtime's connection, its message arriving. */
struct agent_conn {
	int fd;
	char *buf;
	size_t len, cap;
	int fds[AGENT_FDS_MAX];
	size_t nfds;
};

/* A container's listener. */
struct agent_box {
	int fd;
	int pid;
	char id[256];
};

struct agent {
	struct cf_agent_policy *policy;
	const char *path;
	FILE *log;
	int lsock, sfd;
	struct agent_conn conns[AGENT_MAX];
	size_t nconns;
	struct agent_box boxes[AGENT_MAX];
	size_t nboxes;
};

static const char agent_usage[] =
    "usage: callfence agent --socket PATH --policy FILE [--log FILE]\n"
    "  --socket PATH   the unix socket runtimes hand listeners to (a\n"
    "                  profile's listenerPath)\n"
    "  --policy FILE   what to answer: {\"default\": ACTION, \"syscalls\":\n"
    "                  {NAME: ACTION}}, ACTION \"continue\", \"log\" or\n"
    "                  {\"errno\": NAME|N} (docs/cli.md)\n"
    "  --log FILE      append the log there (default: standard error)\n"
    "exit: 0 stopped by SIGTERM or SIGINT, 1 failure, 2 usage\n";

/* agent's options, into struct agent_args */
struct agent_args {
	const char *socket, *policy, *log;
};

static const struct cli_opt agent_options[] = {
    CLI_STRING("socket", 0, struct agent_args, socket),
    CLI_STRING("policy", 0, struct agent_args, policy),
    CLI_STRING("log", 0, struct agent_args, log),
    {NULL},
};

static const struct cli_cmd agent_cmd = {agent_usage, agent_options, CLI_USAGE,
					 false};

/* ---- the log ----------------------------------------------------------- */

/* An id as one token: spaces and control bytes become '?'. */
static void agent_put_id(FILE *out, const char *id)
{
	for (; *id; id++)
		fputc((unsigned char)*id <= ' ' ? '?' : *id, out);
}

static void agent_log_call(const struct agent *ag, const struct agent_box *b,
			   const struct seccomp_notif *n, const char *abi,
			   const char *name, const char *decision)
{
	fputs("container=", ag->log);
	agent_put_id(ag->log, b->id);
	fprintf(ag->log, " pid=%u abi=%s syscall=", n->pid, abi);
	if (name)
		fputs(name, ag->log);
	else
		fprintf(ag->log, "%d", n->data.nr);
	fputs(" args=", ag->log);
	for (int i = 0; i < 6; i++)
		fprintf(ag->log, "%s0x%llx", i ? "," : "",
			(unsigned long long)n->data.args[i]);
	fprintf(ag->log, " decision=%s\n", decision);
	fflush(ag->log);
}

static void agent_log_box(const struct agent *ag, const struct agent_box *b,
			  const char *what)
{
	fputs("container=", ag->log);
	agent_put_id(ag->log, b->id);
	fprintf(ag->log, " pid=%d %s\n", b->pid, what);
	fflush(ag->log);
}

/* ---- notifications ----------------------------------------------------- */

/* The ABI of a call (x32 shares x86_64's audit arch: the name decides)
 * and its name there; NULL name for a number without one. */
static const char *agent_syscall(const struct seccomp_data *d, const char **abi)
{
	*abi = "unknown";
	for (int i = 0; i < cf_abi_count(); i++) {
		const char *name;

		if (!cf_abi_supported(i) || cf_abi_audit_arch(i) != d->arch)
			continue;
		*abi = cf_abi_name(i);
		name = cf_syscall_name(i, (uint32_t)d->nr);
		if (name)
			return name;
	}
	return NULL;
}

/* One notification: decided by the policy, checked still valid (the task
 * may have died and its pid been reused: nothing is logged or answered
 * for it then), answered. The agent never reads the task's memory. */
static void agent_notify(const struct agent *ag, const struct agent_box *b)
{
	struct seccomp_notif n;
	struct seccomp_notif_resp r;
	const char *abi, *name;
	char decision[64];
	int e = 0;
	enum cf_agent_action act;

	memset(&n, 0, sizeof(n));
	if (ioctl(b->fd, SECCOMP_IOCTL_NOTIF_RECV, &n) < 0)
		return; /* ENOENT: the task is gone already */
	name = agent_syscall(&n.data, &abi);
	act = cf_agent_policy_decide(ag->policy, name, &e);
	if (ioctl(b->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) < 0)
		return;
	memset(&r, 0, sizeof(r));
	r.id = n.id;
	if (act == CF_AGENT_ERRNO) {
		const char *en = strerrorname_np(e);

		r.error = -e;
		snprintf(decision, sizeof(decision), "errno(%s)",
			 en ? en : "?");
		if (!en)
			snprintf(decision, sizeof(decision), "errno(%d)", e);
	} else {
		r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		snprintf(decision, sizeof(decision), "%s",
			 act == CF_AGENT_LOG ? "log" : "continue");
	}
	if (act != CF_AGENT_CONTINUE)
		agent_log_call(ag, b, &n, abi, name, decision);
	ioctl(b->fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

/* ---- runtimes handing over listeners ---------------------------------- */

static void agent_conn_close(struct agent *ag, size_t i)
{
	struct agent_conn *c = &ag->conns[i];

	for (size_t k = 0; k < c->nfds; k++)
		if (c->fds[k] >= 0)
			close(c->fds[k]);
	close(c->fd);
	free(c->buf);
	ag->conns[i] = ag->conns[--ag->nconns];
}

/* The descriptors of one SCM_RIGHTS message, after those already held. */
static void agent_take_fds(struct agent_conn *c, struct msghdr *m)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm;
	     cm = CMSG_NXTHDR(m, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t k = 0; k < n; k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int),
			       sizeof(fd));
			if (c->nfds < AGENT_FDS_MAX)
				c->fds[c->nfds++] = fd;
			else
				close(fd);
		}
	}
}

/* Reads what is there: 1 more to come, 0 end of stream, -1 error. */
static int agent_conn_read(struct agent_conn *c)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(AGENT_FDS_MAX * sizeof(int))];
	} u;
	struct iovec iov;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (c->cap - c->len < 4096) {
		char *nb = c->cap >= AGENT_MSG_MAX
			       ? NULL
			       : realloc(c->buf, c->cap * 2 + 8192);

		if (!nb)
			return -1;
		c->buf = nb;
		c->cap = c->cap * 2 + 8192;
	}
	iov.iov_base = c->buf + c->len;
	iov.iov_len = c->cap - c->len - 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	n = recvmsg(c->fd, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 1 : -1;
	agent_take_fds(c, &m);
	c->len += (size_t)n;
	return n > 0;
}

/* A complete state with its listener: the container is held from now on. */
static bool agent_adopt(struct agent *ag, struct agent_conn *c,
			const struct cf_agent_state *st)
{
	struct agent_box *b;

	if (st->seccomp_fd >= (int)c->nfds || ag->nboxes >= AGENT_MAX)
		return false;
	b = &ag->boxes[ag->nboxes++];
	b->fd = c->fds[st->seccomp_fd];
	c->fds[st->seccomp_fd] = -1;
	b->pid = st->pid;
	snprintf(b->id, sizeof(b->id), "%s", st->id[0] ? st->id : "?");
	agent_log_box(ag, b, "listener received");
	return true;
}

static void agent_conn_ready(struct agent *ag, size_t i)
{
	struct agent_conn *c = &ag->conns[i];
	struct cf_agent_state st;
	struct cf_error err;
	int more = agent_conn_read(c);

	if (more >= 0 && c->len &&
	    cf_agent_state_parse(c->buf, c->len, &st, &err) == 0) {
		if (!agent_adopt(ag, c, &st))
			fprintf(ag->log,
				"agent: a runtime's message: no listener "
				"among its %zu descriptors, or %d containers "
				"held already; dropped\n",
				c->nfds, AGENT_MAX);
		agent_conn_close(ag, i);
		return;
	}
	if (more > 0)
		return;
	/* a bare connect (a probe) is no runtime: dropped silently */
	if (c->len || c->nfds)
		fprintf(ag->log, "agent: a runtime closed without a valid "
				 "state message; dropped\n");
	agent_conn_close(ag, i);
}

static void agent_accept(struct agent *ag)
{
	int fd = accept4(ag->lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (ag->nconns >= AGENT_MAX) {
		close(fd);
		return;
	}
	memset(&ag->conns[ag->nconns], 0, sizeof(ag->conns[0]));
	ag->conns[ag->nconns++].fd = fd;
}

/* ---- setup ------------------------------------------------------------- */

static int agent_policy(struct agent *ag, const char *file)
{
	struct cf_error err;
	char *buf = NULL;
	size_t len = 0;
	int rc = cf_read_path(file, &buf, &len, &err);

	if (rc == 0)
		rc = cf_agent_policy_parse(buf, len, file, &ag->policy, &err);
	free(buf);
	if (rc < 0) {
		cli_error(&err);
		return CLI_FAIL;
	}
	return 0;
}

/* A socket at path that nobody answers is a leftover: replaced. */
static int agent_listen(struct agent *ag)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;

	if (strlen(ag->path) >= sizeof(sa.sun_path)) {
		cli_errorf("--socket '%s': too long for a unix socket (at "
			   "most 107 bytes)",
			   ag->path);
		return CLI_USAGE;
	}
	memcpy(sa.sun_path, ag->path, strlen(ag->path) + 1);
	ag->lsock =
	    socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ag->lsock < 0)
		goto fail;
	if (lstat(ag->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			cli_errorf("--socket '%s': exists and is not a socket",
				   ag->path);
			return CLI_FAIL;
		}
		if (connect(ag->lsock, (struct sockaddr *)&sa, sizeof(sa)) ==
		    0) {
			cli_errorf("--socket '%s': another agent listens "
				   "there",
				   ag->path);
			return CLI_FAIL;
		}
		unlink(ag->path);
	}
	if (bind(ag->lsock, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ag->lsock, 64) < 0)
		goto fail;
	return 0;
fail:
	cli_errorf("cannot listen on '%s': %s", ag->path, strerror(errno));
	return CLI_FAIL;
}

static int agent_signals(struct agent *ag)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (ag->sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0) {
		cli_errorf("cannot set up signals: %s", strerror(errno));
		return CLI_FAIL;
	}
	return 0;
}

/* ---- the loop ---------------------------------------------------------- */

static void agent_box_drop(struct agent *ag, size_t i)
{
	agent_log_box(ag, &ag->boxes[i], "no process left under the filter");
	close(ag->boxes[i].fd);
	ag->boxes[i] = ag->boxes[--ag->nboxes];
}

/* Serves until SIGTERM or SIGINT. */
static int agent_loop(struct agent *ag)
{
	struct pollfd p[2 + 2 * AGENT_MAX];

	for (;;) {
		size_t n = 2, nc = ag->nconns, nb = ag->nboxes;

		p[0] = (struct pollfd){ag->sfd, POLLIN, 0};
		p[1] = (struct pollfd){ag->lsock, POLLIN, 0};
		for (size_t i = 0; i < nc; i++)
			p[n++] = (struct pollfd){ag->conns[i].fd, POLLIN, 0};
		for (size_t i = 0; i < nb; i++)
			p[n++] = (struct pollfd){ag->boxes[i].fd, POLLIN, 0};
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			cli_errorf("poll: %s", strerror(errno));
			return CLI_FAIL;
		}
		if (p[0].revents)
			return CLI_OK;
		/* backwards: closing swaps the last into place */
		for (size_t i = nb; i-- > 0;) {
			if (p[2 + nc + i].revents & POLLIN)
				agent_notify(ag, &ag->boxes[i]);
			else if (p[2 + nc + i].revents)
				agent_box_drop(ag, i);
		}
		for (size_t i = nc; i-- > 0;)
			if (p[2 + i].revents)
				agent_conn_ready(ag, i);
		if (p[1].revents)
			agent_accept(ag);
	}
}

static void agent_cleanup(struct agent *ag)
{
	while (ag->nconns)
		agent_conn_close(ag, ag->nconns - 1);
	for (size_t i = 0; i < ag->nboxes; i++)
		close(ag->boxes[i].fd);
	if (ag->lsock >= 0) {
		close(ag->lsock);
		unlink(ag->path);
	}
	if (ag->sfd >= 0)
		close(ag->sfd);
	if (ag->log && ag->log != stderr)
		fclose(ag->log);
	cf_agent_policy_free(ag->policy);
}

/* The options into a: 0, or -1 with the exit status in *status. */
static int agent_parse(int argc, char **argv, struct agent_args *a, int *status)
{
	struct cli_parsed parsed;
	int first = cli_parse(&agent_cmd, argc, argv, a, &parsed);

	*status = parsed.status;
	if (first < 0)
		return -1;
	if (first < argc || !a->socket || !a->policy) {
		cli_errorf("agent: %s", first < argc
					    ? "unexpected argument"
					    : "--socket and --policy are "
					      "required");
		fputs(agent_usage, stderr);
		*status = CLI_USAGE;
		return -1;
	}
	return 0;
}

int cmd_agent(int argc, char **argv)
{
	struct agent_args a = {0};
	struct agent *ag;
	int rc;

	if (agent_parse(argc, argv, &a, &rc))
		return rc;
	if (!(ag = calloc(1, sizeof(*ag)))) {
		cli_errorf("out of memory");
		return CLI_FAIL;
	}
	ag->lsock = ag->sfd = -1;
	ag->log = stderr;
	ag->path = a.socket;
	rc = agent_policy(ag, a.policy);
	if (rc == 0 && a.log && !(ag->log = fopen(a.log, "ae"))) {
		ag->log = stderr;
		cli_errorf("cannot open the log '%s': %s", a.log,
			   strerror(errno));
		rc = CLI_FAIL;
	}
	if (rc == 0)
		rc = agent_signals(ag);
	if (rc == 0)
		rc = agent_listen(ag);
	if (rc == 0)
		rc = agent_loop(ag);
	agent_cleanup(ag);
	free(ag);
	return rc;
}
