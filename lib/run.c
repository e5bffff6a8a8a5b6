/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c - start a command under a finished program, the way runc starts a
 * container's process, and wait for it the way `docker run` does.
 *
 *   parent: validate, PATH candidates, pids cgroup, exec-status pipe,
 *           [block the forwarded signals], fork (+ pidfd)
 *   child:  default signal state, pdeathsig, cgroup + read-only cgroupfs,
 *           descriptors, [filter], bounding set, user, caps, [nnp,
 *           filter], execve   (run_child_steps: one line each)
 *   parent: read the exec-status pipe (EOF = execve happened), then wait
 *           (with the proxy: forwarding signals); clean up the cgroup
 *
 * The child only makes system calls on memory prepared before fork(): it
 * allocates nothing and parses nothing (but, with a pids limit, the
 * kernel's /proc/self/mountinfo of its new mount namespace, into a buffer
 * allocated before fork()), so the command either starts under
 * the requested filter or does not start at all.
 *
 * A filter installed early answers callfence's own remaining calls, and
 * an answer other than "run it" (SCMP_ACT_ERRNO with errnoRet 0 is a fake
 * success) could silently cancel a privilege drop. So every system call a
 * step makes goes through run_sys(), and before fork the steps after the
 * install point are rehearsed (run_rehearse): run_sys() then records each
 * call with its real arguments instead of making it, and the filter is
 * asked about every one. A step that made a system call past run_sys()
 * after the install point would escape that check: don't.
 */
#include "base.h"
#include "action.h"
#include "cgroup.h"
#include "run_calls.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define RUN_DEFAULT_PATH                                                       \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The 32-bit-id calls where an ABI has both (i386, arm), as glibc does. */
#ifdef SYS_setresuid32
#define RUN_SYS_SETRESUID SYS_setresuid32
#define RUN_SYS_SETRESGID SYS_setresgid32
#define RUN_SYS_SETGROUPS SYS_setgroups32
#else
#define RUN_SYS_SETRESUID SYS_setresuid
#define RUN_SYS_SETRESGID SYS_setresgid
#define RUN_SYS_SETGROUPS SYS_setgroups
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The child's steps, in order, and how a failure is named. */
#define RUN_STAGES(X)                                                          \
	X(PDEATHSIG, "setting the parent-death signal")                        \
	X(CGROUP, "joining the pids cgroup")                                   \
	X(FDS, "closing inherited file descriptors")                           \
	X(FILTER, "installing the seccomp filter")                             \
	X(LISTENER, "passing the seccomp listener to callfence")               \
	X(BOUNDING, "dropping the capability bounding set")                    \
	X(USER, "switching user")                                              \
	X(CAPS, "setting capabilities")                                        \
	X(NNP, "setting no_new_privs")                                         \
	X(EXEC, "executing")

enum run_stage {
#define X(e, s) RUN_##e,
	RUN_STAGES(X)
#undef X
};

static const char *const run_stage_names[] = {
#define X(e, s) s,
    RUN_STAGES(X)
#undef X
};

/* The child's progress, in a page shared with the parent: written with
 * plain stores, so a profile that denies write(2) or exit_group(2) after an
 * early install cannot hide why the start failed. execve replaces the
 * child's memory, so nothing is written after it succeeds. */
struct run_report {
	int32_t stage;	/* the step under way */
	int32_t failed; /* the step failed with err */
	int32_t err;	/* positive errno */
	char msg[480];
};

/* A system call of the child, as a rehearsal records it. */
struct run_call {
	long nr;
	unsigned long a[6];
	enum run_stage stage;
};

struct run_rehearsal {
	struct run_call *calls;
	size_t n, cap;
	enum run_stage stage; /* the step being rehearsed */
};

/* Complain mode and the seccomp agent: the listener fd goes to the parent
 * in one SCM_RIGHTS message, prepared before fork (the child only stores
 * the number); for an agent the child then waits for one byte back.
 * CMSG_SPACE(sizeof(int)), as a constant clang accepts as an array size:
 * the header, then the int padded to size_t. */
#define RUN_CMSG_SPACE (sizeof(struct cmsghdr) + sizeof(size_t))
_Static_assert(sizeof(struct cmsghdr) % sizeof(size_t) == 0, "cmsghdr");
struct run_listener {
	struct msghdr msg;
	struct iovec iov;
	char byte;
	union {
		size_t
		    align; /* struct cmsghdr's (it ends in a flexible array) */
		char buf[RUN_CMSG_SPACE];
	} cmsg;
	int fd; /* the child's listener, -1 = none yet */
};

struct run_ctx {
	const struct cf_run_opts *o;
	struct cf_arena arena;
	char **cands; /* execve candidates (PATH search done here) */
	size_t ncands;
	char *const *envp;
	uint64_t all_caps;   /* every capability up to cap_last_cap */
	uint64_t final_caps; /* effective = permitted after the user switch */
	struct __user_cap_header_struct cap_hdr; /* capset's arguments */
	struct __user_cap_data_struct cap_data[2];
	int max_fd; /* the descriptor limit, for the last-resort close loop */
	struct run_rehearsal *rh; /* before fork: record, don't call */
	struct cf_cgroup cg;
	int pipe[2]; /* exec-status: EOF when execve happened or the child died
		      */
	struct run_report *report; /* shared with the child */
	pid_t parent, child;
	int pidfd;   /* the child's (pidfd_open), -1 = none */
	int sock[2]; /* complain, agent: the listener's way to the parent */
	struct run_listener *lst; /* complain, agent: the child's message */
	int notify_fd;		  /* complain: the listener, in the parent */
	int sfd; /* signalfd of the forwarded signals, -1 = none */
	sigset_t fwd, old_mask;
	bool masked;
	struct sigaction old_chld;
	bool chld_set; /* the proxy set SIGCHLD from ignored to SIG_DFL */
};

/* ---- capabilities (raw capget/capset: no libcap) ------------------------ */

static int run_capget(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return 0;
}

uint64_t cf_run_invoker_caps(void)
{
	uint64_t eff = 0, prm = 0;

	return run_capget(&eff, &prm) < 0 ? 0 : eff;
}

int cf_run_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return CF_RUN_EXIT_FAILED;
}

/* ---- Docker's capability arithmetic ------------------------------------ */

/* Adds the named capabilities to *set; *all when "ALL" is among them. */
static int run_caps_names(const char *const *names, size_t n, uint64_t valid,
			  uint64_t *set, bool *all, struct cf_error *err)
{
	*set = 0;
	*all = false;
	for (size_t i = 0; i < n; i++) {
		int cap = cf_cap_lookup(names[i]);

		if (!strcasecmp(names[i], "ALL")) {
			*all = true;
			continue;
		}
		if (cap < 0 || cap > CF_CAP_MAX || !(valid >> cap & 1))
			return cf_err(err, -EINVAL,
				      "unknown capability: '%s' (see "
				      "capabilities(7); 'ALL' means all)",
				      names[i]);
		*set |= 1ULL << cap;
	}
	return 0;
}

int cf_run_caps(const char *const *add, size_t nadd, const char *const *drop,
		size_t ndrop, bool privileged, uint64_t *caps,
		struct cf_error *err)
{
	uint64_t all = cf_caps_all(), a = 0, d = 0;
	bool add_all = false, drop_all = false;
	int rc;

	if (privileged) {
		*caps = all;
		return 0;
	}
	rc = run_caps_names(drop, ndrop, all, &d, &drop_all, err);
	if (rc == 0)
		rc = run_caps_names(add, nadd, all, &a, &add_all, err);
	if (rc < 0)
		return rc;
	if (add_all)
		*caps = all & ~d;
	else if (drop_all)
		*caps = a;
	else
		*caps = ((cf_caps_docker_default() & ~d) | a) & all;
	return 0;
}

/* ---- before fork: validation and preparation --------------------------- */

static int run_check_privilege(const struct cf_run_opts *o, uint64_t all,
			       struct cf_error *err)
{
	uint64_t eff = 0, prm = 0, need = 0;

	run_capget(&eff, &prm);
	if (o->prog && !o->no_new_privs && !(eff >> CAP_SYS_ADMIN & 1))
		return cf_err(err, -EPERM,
			      "installing a seccomp filter without "
			      "no-new-privileges needs CAP_SYS_ADMIN (run as "
			      "root or set no-new-privileges)");
	if (o->set_caps)
		need |= 1ULL << CAP_SETPCAP;
	if (o->set_user &&
	    (o->uid != getuid() || o->gid != getgid() || o->ngroups))
		need |= 1ULL << CAP_SETUID | 1ULL << CAP_SETGID;
	if ((eff & need) != need)
		return cf_err(err, -EPERM,
			      "setting capabilities or the user needs "
			      "CAP_SETPCAP, CAP_SETUID and CAP_SETGID (run as "
			      "root, or leave out --cap-add/--cap-drop/"
			      "--privileged/--user)");
	if (o->set_caps && (o->caps & ~all))
		return cf_err(err, -EINVAL,
			      "capability set 0x%llx names capabilities this "
			      "kernel does not have",
			      (unsigned long long)o->caps);
	if (o->set_caps && (o->caps & ~prm))
		return cf_err(err, -EPERM,
			      "cannot give the command %s: callfence does not "
			      "hold it (permitted set 0x%llx)",
			      cf_cap_name(__builtin_ctzll(o->caps & ~prm)),
			      (unsigned long long)prm);
	return 0;
}

/* 3 .. 3 + n - 1 must be open now, before callfence opens its own
 * descriptors (which could otherwise take a free number in the range). */
static int run_check_fds(unsigned n, struct cf_error *err)
{
	struct rlimit rl;

	if (!n)
		return 0;
	if (n > INT_MAX - 3 ||
	    (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	     rl.rlim_cur != RLIM_INFINITY && (rlim_t)n + 3 > rl.rlim_cur))
		return cf_err(err, -EBADF,
			      "cannot preserve %u file descriptors: more than "
			      "the descriptor limit allows",
			      n);
	for (unsigned fd = 3; fd < 3 + n; fd++)
		if (fcntl((int)fd, F_GETFD) < 0)
			return cf_err(err, -EBADF,
				      "cannot preserve file descriptors 3..%u: "
				      "%u is not open (open them all, or "
				      "preserve fewer)",
				      n + 2, fd);
	return 0;
}

static int run_check(const struct cf_run_opts *o, struct run_ctx *c,
		     struct cf_error *err)
{
	int rc;

	if (getauxval(AT_SECURE))
		return cf_err(err, -EPERM,
			      "refusing to run: callfence was started "
			      "setuid, setgid or with file capabilities "
			      "(AT_SECURE), and run decides the command's "
			      "privileges from its own; remove those bits "
			      "(chmod u-s,g-s; setcap -r) and run it as root");
	if (!o->argv || !o->argv[0])
		return cf_err(err, -EINVAL, "no command given");
	if (o->prog) {
		rc = cf_bpf_verify(o->prog, o->prog_len, err);
		if (rc < 0)
			return rc;
	}
	if (o->pids_limit > 0 && o->pids_limit > (int64_t)1 << 40)
		return cf_err(err, -EINVAL, "pids limit %lld is too large",
			      (long long)o->pids_limit);
	c->all_caps = cf_caps_all();
	rc = run_check_fds(o->preserve_fds, err);
	if (rc < 0)
		return rc;
	return run_check_privilege(o, c->all_caps, err);
}

/* What the child will hand capset, and the limit its close loop uses. */
static void run_plan(struct run_ctx *c)
{
	const struct cf_run_opts *o = c->o;
	struct rlimit rl;
	uid_t euid = o->set_user ? o->uid : geteuid();

	/* Docker: a non-root user keeps only the bounding set */
	c->final_caps = euid == 0 ? o->caps : 0;
	c->cap_hdr.version = _LINUX_CAPABILITY_VERSION_3;
	c->cap_hdr.pid = 0;
	c->cap_data[0].effective = c->cap_data[0].permitted =
	    (uint32_t)c->final_caps;
	c->cap_data[1].effective = c->cap_data[1].permitted =
	    (uint32_t)(c->final_caps >> 32);
	c->max_fd = 65536;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1U << 20))
		c->max_fd = (int)rl.rlim_cur;
}

static int run_rehearse(struct run_ctx *c, struct cf_error *err);

static const char *run_getenv(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* The paths execve will try, in order (execvp's search, done before fork). */
static int run_candidates(struct run_ctx *c, struct cf_error *err)
{
	const char *name = c->o->argv[0], *path, *p;
	size_t n = 1;

	if (!*name)
		return 0; /* nothing to try: "not found" */
	if (strchr(name, '/')) {
		c->cands = cf_arena_array(&c->arena, 1, sizeof(char *));
		if (!c->cands)
			return cf_err(err, -ENOMEM, "out of memory");
		c->cands[c->ncands++] = (char *)name;
		return 0;
	}
	path = run_getenv(c->envp, "PATH");
	path = path ? path : RUN_DEFAULT_PATH;
	for (p = path; *p; p++)
		n += *p == ':';
	c->cands = cf_arena_array(&c->arena, n, sizeof(char *));
	if (!c->cands)
		return cf_err(err, -ENOMEM, "out of memory");
	for (p = path;; p++) {
		const char *e = strchrnul(p, ':');
		int len = (int)(e - p);

		c->cands[c->ncands] = cf_arena_printf(
		    &c->arena, "%.*s/%s", len ? len : 1, len ? p : ".", name);
		if (!c->cands[c->ncands++])
			return cf_err(err, -ENOMEM, "out of memory");
		if (!*e)
			break;
		p = e;
	}
	return 0;
}

/* --pids-limit holds only if the command cannot undo the read-only cgroup
 * mounts of its mount namespace: callfence needs CAP_SYS_ADMIN to make
 * them, and the command must not keep it (in any set it could regain it
 * from: the bounding set covers setuid and file capabilities). */
static int run_pids_cgroup(struct run_ctx *c, struct cf_error *err)
{
	const struct cf_run_opts *o = c->o;
	uint64_t eff = 0, prm = 0;

	run_capget(&eff, &prm);
	if (!(eff >> CAP_SYS_ADMIN & 1))
		return cf_err(err, -EPERM,
			      "--pids-limit needs CAP_SYS_ADMIN: callfence "
			      "keeps the command inside the limit with a "
			      "private mount namespace in which the cgroup "
			      "filesystems are read-only (run as root, or "
			      "leave out --pids-limit)");
	if ((o->set_caps ? o->caps : eff | prm) >> CAP_SYS_ADMIN & 1)
		return cf_err(err, -EPERM,
			      "--pids-limit cannot hold against a command "
			      "that keeps CAP_SYS_ADMIN: it could remount the "
			      "cgroup filesystem read-write and leave the "
			      "limit (drop it: no --privileged, no --cap-add "
			      "SYS_ADMIN, --cap-add ALL only with --cap-drop "
			      "SYS_ADMIN; or leave out --pids-limit)");
	return cf_cgroup_create(&c->cg, o->pids_limit, err);
}

/* The message that carries the listener (one byte and the fd). */
static void run_listener_msg(struct run_listener *l)
{
	struct cmsghdr *cm;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->iov.iov_base = &l->byte;
	l->iov.iov_len = 1;
	l->msg.msg_iov = &l->iov;
	l->msg.msg_iovlen = 1;
	l->msg.msg_control = l->cmsg.buf;
	l->msg.msg_controllen = sizeof(l->cmsg.buf);
	cm = (struct cmsghdr *)(void *)l->cmsg.buf;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
}

static bool run_wants_listener(const struct cf_run_opts *o)
{
	return o->complain || o->agent;
}

/* A listener needs someone to take it: complain's supervisor or an agent,
 * not both (the kernel gives one listener per filter stack). */
static int run_check_listener(const struct cf_run_opts *o, struct cf_error *err)
{
	if (o->complain && o->agent)
		return cf_err(err, -EINVAL,
			      "complain mode and a seccomp agent exclude "
			      "each other: the kernel gives one listener per "
			      "filter stack");
	if (o->prog && (o->filter_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
	    !run_wants_listener(o))
		return cf_err(err, -EINVAL,
			      "the filter asks for a seccomp listener "
			      "(SCMP_ACT_NOTIFY rules) and no agent takes it "
			      "(cf_run_opts.agent)");
	if (run_wants_listener(o) && !o->prog)
		return cf_err(err, -EINVAL,
			      "%s needs a filter (the profile means "
			      "unconfined)",
			      o->complain ? "complain mode"
					  : "a seccomp agent");
	return 0;
}

/* Complain mode, agent: the socketpair and the message that carries the
 * listener, before the rehearsal (which sees sendmsg's real arguments). */
static int run_listener_prepare(struct run_ctx *c, struct cf_error *err)
{
	struct run_listener *l;
	int rc = run_check_listener(c->o, err);

	if (rc < 0 || !run_wants_listener(c->o))
		return rc;
	l = cf_arena_array(&c->arena, 1, sizeof(*l));
	if (!l)
		return cf_err(err, -ENOMEM, "out of memory");
	run_listener_msg(l);
	c->lst = l;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->sock) < 0)
		return cf_err(err, -errno, "cannot create a socket pair: %s",
			      strerror(errno));
	return 0;
}

static int run_prepare(const struct cf_run_opts *o, struct run_ctx *c,
		       struct cf_error *err)
{
	int rc;

	c->envp = o->envp ? o->envp : environ;
	c->parent = getpid();
	rc = run_check(o, c, err);
	if (rc == 0)
		rc = run_candidates(c, err);
	if (rc == 0)
		rc = run_listener_prepare(c, err);
	if (rc == 0) {
		run_plan(c);
		rc = run_rehearse(c, err);
	}
	if (rc == 0 && o->pids_limit > 0)
		rc = run_pids_cgroup(c, err);
	if (rc == 0 && pipe2(c->pipe, O_CLOEXEC) < 0)
		rc = cf_err(err, -errno, "cannot create a pipe: %s",
			    strerror(errno));
	if (rc == 0) {
		c->report =
		    mmap(NULL, sizeof(*c->report), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (c->report == MAP_FAILED) {
			c->report = NULL;
			rc = cf_err(err, -errno, "cannot map memory: %s",
				    strerror(errno));
		}
	}
	return rc;
}

/* ---- the child --------------------------------------------------------- */

/* The child's system calls. In a rehearsal (before fork) the call is
 * recorded with its arguments and succeeds: getppid answers the parent,
 * execve "does not find" the candidate, so every path is tried. */
static long run_sys(const struct run_ctx *c, long nr, unsigned long a0,
		    unsigned long a1, unsigned long a2, unsigned long a3,
		    unsigned long a4, unsigned long a5)
{
	struct run_rehearsal *rh = c->rh;

	if (!rh)
		return syscall(nr, a0, a1, a2, a3, a4, a5);
	if (rh->n < rh->cap)
		rh->calls[rh->n] =
		    (struct run_call){nr, {a0, a1, a2, a3, a4, a5}, rh->stage};
	rh->n++; /* past cap: run_rehearse refuses */
	if (nr == SYS_getppid)
		return c->parent;
	if (nr == SYS_execve) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

static long run_prctl(const struct run_ctx *c, unsigned long op,
		      unsigned long a1, unsigned long a2)
{
	return run_sys(c, SYS_prctl, op, a1, a2, 0, 0, 0);
}

static int run_fail(struct run_report *r, enum run_stage stage, int e)
{
	r->stage = stage;
	r->err = e;
	__atomic_store_n(&r->failed, 1, __ATOMIC_RELEASE);
	return -1;
}

static int run_install(const struct run_ctx *c, struct run_report *r)
{
	struct cf_error err;
	unsigned flags = c->o->filter_flags;
	int rc;

	if (run_wants_listener(c->o))
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	rc = cf_install(c->o->prog, c->o->prog_len, flags, &err);
	if (rc == -EBUSY && run_wants_listener(c->o))
		snprintf(err.msg, sizeof(err.msg),
			 "%s: this process already has a seccomp listener (a "
			 "complain run, CRI-O, LXD), and the kernel allows "
			 "one per filter stack; run the command outside that "
			 "supervisor",
			 c->o->complain ? "complain mode" : "seccomp agent");
	if (rc < 0) {
		memcpy(r->msg, err.msg, sizeof(r->msg) - 1);
		return run_fail(r, RUN_FILTER, -rc);
	}
	if (run_wants_listener(c->o))
		c->lst->fd = rc;
	return 0;
}

/* Complain mode, agent: the listener to the parent, right after the
 * install (the only calls that must really run: a notified one would wait
 * for a supervisor that has no listener yet). For an agent the child then
 * waits for the parent's byte: the agent has the listener (EOF: it has
 * not, and the parent says why). It stays open in the child until execve
 * closes it (O_CLOEXEC). */
static int run_listener(const struct run_ctx *c, struct run_report *r)
{
	struct run_listener *l = c->lst;
	long n;

	/* the message's one header is cmsg.buf (run_listener_msg) */
	memcpy(CMSG_DATA((struct cmsghdr *)(void *)l->cmsg.buf), &l->fd,
	       sizeof(int));
	if (run_sys(c, SYS_sendmsg, (unsigned long)c->sock[1],
		    (unsigned long)(uintptr_t)&l->msg, MSG_NOSIGNAL, 0, 0,
		    0) < 0)
		return run_fail(r, RUN_LISTENER, errno);
	if (!c->o->agent)
		return 0;
	n = run_sys(c, SYS_read, (unsigned long)c->sock[1],
		    (unsigned long)(uintptr_t)&l->byte, 1, 0, 0, 0);
	if (n != 1)
		return run_fail(r, RUN_LISTENER, n < 0 ? errno : EPIPE);
	return 0;
}

static int run_pdeathsig(const struct run_ctx *c, struct run_report *r)
{
	if (run_prctl(c, PR_SET_PDEATHSIG, SIGKILL, 0) < 0)
		return run_fail(r, RUN_PDEATHSIG, errno);
	if (run_sys(c, SYS_getppid, 0, 0, 0, 0, 0, 0) != c->parent)
		_exit(CF_RUN_EXIT_FAILED); /* nobody left to report to */
	return 0;
}

/* /proc/self/fd, read with getdents64 into the stack: fd >= first gets
 * FD_CLOEXEC. -1 when /proc cannot tell. */
static int run_fds_proc(int first)
{
	uint64_t words[512]; /* dirent64 records are 8-byte aligned */
	char *buf = (char *)words;
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (dir < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(words))) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64 *d = (const void *)(buf + off);
			long fd = 0;
			const char *p = d->d_name;

			off += d->d_reclen;
			for (; *p >= '0' && *p <= '9' && fd < INT_MAX; p++)
				fd = fd * 10 + (*p - '0');
			if (p == d->d_name || *p || fd < first || fd == dir)
				continue;
			fcntl((int)fd, F_SETFD, FD_CLOEXEC);
		}
	}
	close(dir);
	return n < 0 ? -1 : 0;
}

/* Every descriptor from 3 + preserve_fds on is closed by execve (runc
 * closes them too); 3 .. 3 + preserve_fds - 1 are passed on. FD_CLOEXEC,
 * not close(): the exec-status pipe must stay open until execve. */
static int run_fds(const struct run_ctx *c, struct run_report *r)
{
	int first = 3 + (int)c->o->preserve_fds;

	for (int fd = 3; fd < first; fd++)
		if (fcntl(fd, F_SETFD, 0) < 0)
			return run_fail(r, RUN_FDS, errno);
	if (syscall(SYS_close_range, (unsigned)first, ~0U,
		    CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return run_fail(r, RUN_FDS, errno);
	/* before Linux 5.11: /proc, else every number up to the limit */
	if (run_fds_proc(first) == 0)
		return 0;
	for (int fd = first; fd < c->max_fd; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

static int run_bounding(const struct run_ctx *c, struct run_report *r)
{
	for (int cap = 0; cap <= CF_CAP_MAX; cap++) {
		if (!(c->all_caps >> cap & 1) || (c->o->caps >> cap & 1))
			continue;
		if (run_prctl(c, PR_CAPBSET_DROP, (unsigned long)cap, 0) < 0)
			return run_fail(r, RUN_BOUNDING, errno);
	}
	return 0;
}

static int run_user(const struct run_ctx *c, struct run_report *r)
{
	const struct cf_run_opts *o = c->o;

	_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t");
	if (o->set_caps && run_prctl(c, PR_SET_KEEPCAPS, 1, 0) < 0)
		return run_fail(r, RUN_USER, errno);
	if (run_sys(c, RUN_SYS_SETGROUPS, o->ngroups,
		    (unsigned long)(uintptr_t)o->groups, 0, 0, 0, 0) < 0 ||
	    run_sys(c, RUN_SYS_SETRESGID, o->gid, o->gid, o->gid, 0, 0, 0) <
		0 ||
	    run_sys(c, RUN_SYS_SETRESUID, o->uid, o->uid, o->uid, 0, 0, 0) < 0)
		return run_fail(r, RUN_USER, errno);
	if (o->set_caps && run_prctl(c, PR_SET_KEEPCAPS, 0, 0) < 0)
		return run_fail(r, RUN_USER, errno);
	/* credential changes clear the parent-death signal: set it again */
	return run_pdeathsig(c, r);
}

/* effective = permitted = final_caps (decided before fork: empty for a
 * non-root uid, as in Docker), inheritable and ambient empty */
static int run_caps(const struct run_ctx *c, struct run_report *r)
{
	if (run_sys(c, SYS_capset, (unsigned long)(uintptr_t)&c->cap_hdr,
		    (unsigned long)(uintptr_t)c->cap_data, 0, 0, 0, 0) < 0)
		return run_fail(r, RUN_CAPS, errno);
	if (run_prctl(c, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0) < 0 &&
	    errno != EINVAL)
		return run_fail(r, RUN_CAPS, errno);
	return 0;
}

static int run_nnp(const struct run_ctx *c, struct run_report *r)
{
	if (run_prctl(c, PR_SET_NO_NEW_PRIVS, 1, 0) < 0)
		return run_fail(r, RUN_NNP, errno);
	return 0;
}

static int run_cgroup(const struct run_ctx *c, struct run_report *r)
{
	const char *what = NULL;
	int rc = cf_cgroup_join(&c->cg);

	if (rc == 0 && c->cg.procs_fd >= 0)
		rc = cf_cgroup_seal(&c->cg, &what);
	if (rc < 0 && what) {
		size_t n = strnlen(what, sizeof(r->msg) - 40);

		memcpy(r->msg, what, n);
		memcpy(r->msg + n, " (making cgroupfs read-only)", 29);
	}
	return rc < 0 ? run_fail(r, RUN_CGROUP, -rc) : 0;
}

static bool run_want_early(const struct cf_run_opts *o)
{
	return o->prog && !o->no_new_privs;
}

static bool run_want_late(const struct cf_run_opts *o)
{
	return o->prog && o->no_new_privs;
}

static bool run_want_early_listener(const struct cf_run_opts *o)
{
	return run_want_early(o) && run_wants_listener(o);
}

static bool run_want_late_listener(const struct cf_run_opts *o)
{
	return run_want_late(o) && run_wants_listener(o);
}

static bool run_want_caps(const struct cf_run_opts *o)
{
	return o->set_caps;
}

static bool run_want_user(const struct cf_run_opts *o)
{
	return o->set_user;
}

static bool run_want_nnp(const struct cf_run_opts *o)
{
	return o->no_new_privs;
}

/* runc's order: without no_new_privs the filter goes in while
 * CAP_SYS_ADMIN is held; with it, as late as possible. */
static const struct run_step {
	enum run_stage stage;
	bool (*want)(const struct cf_run_opts *o); /* NULL = always */
	int (*fn)(const struct run_ctx *c, struct run_report *r);
} run_steps[] = {
    {RUN_PDEATHSIG, NULL, run_pdeathsig},
    {RUN_CGROUP, NULL, run_cgroup},
    {RUN_FDS, NULL, run_fds},
    {RUN_FILTER, run_want_early, run_install},
    {RUN_LISTENER, run_want_early_listener, run_listener},
    {RUN_BOUNDING, run_want_caps, run_bounding},
    {RUN_USER, run_want_user, run_user},
    {RUN_CAPS, run_want_caps, run_caps},
    {RUN_NNP, run_want_nnp, run_nnp},
    {RUN_FILTER, run_want_late, run_install},
    {RUN_LISTENER, run_want_late_listener, run_listener},
};

static bool run_step_wanted(const struct run_step *s,
			    const struct cf_run_opts *o)
{
	return !s->want || s->want(o);
}

static int run_child_steps(const struct run_ctx *c, struct run_report *r)
{
	for (size_t i = 0; i < CF_ARRAY_SIZE(run_steps); i++) {
		const struct run_step *s = &run_steps[i];

		if (!run_step_wanted(s, c->o))
			continue;
		r->stage = s->stage;
		if (s->fn(c, r) < 0)
			return -1;
	}
	r->stage = RUN_EXEC;
	return 0;
}

static bool run_exec_skip(int e)
{
	return e == ENOENT || e == ENOTDIR || e == ESTALE || e == ENODEV ||
	       e == ETIMEDOUT;
}

/* execvp's rules over the prepared candidates; returns the errno. */
static int run_exec(const struct run_ctx *c, struct run_report *r)
{
	bool eacces = false;
	int e = ENOENT;

	for (size_t i = 0; i < c->ncands; i++) {
		long rc = run_sys(c, SYS_execve,
				  (unsigned long)(uintptr_t)c->cands[i],
				  (unsigned long)(uintptr_t)c->o->argv,
				  (unsigned long)(uintptr_t)c->envp, 0, 0, 0);

		if (rc >= 0) {
			/* a filter's fake success: nothing was executed */
			snprintf(r->msg, sizeof(r->msg),
				 "execve returned %ld without running it (a "
				 "seccomp filter answered with a fake "
				 "success)",
				 rc);
			return EPERM;
		}
		e = errno;
		if (e == EACCES)
			eacces = true;
		else if (!run_exec_skip(e))
			return e;
	}
	return eacces ? EACCES : e;
}

/* ---- before fork: what the filter answers callfence's own calls -------- */

/* The number of arguments of the calls the steps make, and a name for
 * prctl's first. */
static int run_call_nargs(long nr)
{
	if (nr == SYS_prctl)
		return 5;
	if (nr == SYS_getppid)
		return 0;
	if (nr == SYS_capset || nr == RUN_SYS_SETGROUPS)
		return 2;
	return 3; /* setres[ug]id, execve */
}

static const char *run_prctl_name(unsigned long op)
{
	switch (op) {
	case PR_CAPBSET_DROP:
		return "PR_CAPBSET_DROP";
	case PR_SET_KEEPCAPS:
		return "PR_SET_KEEPCAPS";
	case PR_SET_PDEATHSIG:
		return "PR_SET_PDEATHSIG";
	case PR_CAP_AMBIENT:
		return "PR_CAP_AMBIENT";
	case PR_SET_NO_NEW_PRIVS:
		return "PR_SET_NO_NEW_PRIVS";
	default:
		return NULL;
	}
}

/* "prctl(PR_CAPBSET_DROP, 21, 0, 0, 0)"; pointers in hex. */
static void run_call_str(const struct run_call *k, char *buf, size_t size)
{
	const char *name = cf_syscall_name(cf_abi_host(), (uint32_t)k->nr);
	const char *op = k->nr == SYS_prctl ? run_prctl_name(k->a[0]) : NULL;
	bool ptrs = k->nr == SYS_execve || k->nr == SYS_capset ||
		    k->nr == SYS_sendmsg || k->nr == SYS_read;
	size_t off;

	snprintf(buf, size, "%s(", name ? name : "?");
	for (int i = 0; i < run_call_nargs(k->nr); i++) {
		off = strlen(buf);
		if (i == 0 && op)
			snprintf(buf + off, size - off, "%s", op);
		else
			snprintf(buf + off, size - off,
				 ptrs || (i == 1 && k->nr == RUN_SYS_SETGROUPS)
				     ? "%s0x%lx"
				     : "%s%lu",
				 i ? ", " : "", k->a[i]);
	}
	off = strlen(buf);
	snprintf(buf + off, size - off, ")");
}

/* What the answer does to the start. */
static const char *run_consequence(uint32_t ret, long nr)
{
	uint32_t act = ret & CF_RET_ACTION_FULL;

	if (act == CF_RET_ERRNO(0) && !(ret & CF_RET_DATA))
		return nr == SYS_execve
			   ? "a fake success: execve would \"succeed\" without "
			     "running the command"
			   : "a fake success: the call would not run but "
			     "report success, so the command would start "
			     "with privileges this step was to remove";
	if (act == CF_RET_ERRNO(0))
		return "the call would fail and the command would not start";
	if (act == CF_RET_TRACE(0))
		return "a tracer, or without one ENOSYS, would decide whether "
		       "it runs";
	if (act == CF_RET_NOTIFY)
		return "a listener would decide whether it runs";
	return "the start would be killed";
}

/* Where in the profile the answer comes from, when a cf_filter is given:
 * the rule's pointer and position in *loc, the default action in why. */
static const char *run_rule(const struct run_ctx *c,
			    const struct seccomp_data *d, uint32_t ret,
			    struct cf_loc *loc)
{
	struct cf_decision dec;

	memset(loc, 0, sizeof(*loc));
	if (!c->o->filter || cf_filter_decide(c->o->filter, d, &dec) < 0 ||
	    dec.action != ret)
		return "";
	if (dec.pointer) {
		loc->pointer = dec.pointer;
		loc->line = dec.line;
		loc->col = dec.col;
		return "";
	}
	return ret == CF_RET_ERRNO(0) ? " (the default action with "
					"defaultErrnoRet 0)"
				      : " (the default action)";
}

/* The program loads instruction_pointer: what it answers depends on where
 * in libc the call is made, which callfence cannot know. */
static bool run_prog_reads_ip(const struct sock_filter *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].code == (BPF_LD | BPF_W | BPF_ABS) &&
		    (p[i].k == 8 || p[i].k == 12))
			return true;
	return false;
}

/* A call of the listener's hand-over: complain reports the profile's own
 * answer, not the complain program's. */
static int run_judge_listener(const struct run_ctx *c,
			      const struct seccomp_data *d, const char *call,
			      char *action, struct cf_loc *loc,
			      struct cf_error *err)
{
	struct cf_decision dec;

	if (c->o->complain && c->o->filter &&
	    cf_filter_decide(c->o->filter, d, &dec) == 0) {
		cf_action_str(dec.action, action, 64);
		loc->pointer = dec.pointer;
		loc->line = dec.line;
		loc->col = dec.col;
	}
	if (c->o->complain)
		return cf_err_at(err, -EPERM, loc,
				 "cannot start '%s' in complain mode: the "
				 "profile answers %s with %s, and callfence "
				 "passes the seccomp listener to itself with "
				 "it right after installing the filter; allow "
				 "sendmsg",
				 c->o->argv[0], call, action);
	return cf_err_at(err, -EPERM, loc,
			 "cannot start '%s' with a seccomp agent: the "
			 "profile answers %s with %s, and right after "
			 "installing the filter callfence passes the "
			 "seccomp listener to itself (sendmsg) and waits "
			 "until the agent has it (read); allow sendmsg and "
			 "read",
			 c->o->argv[0], call, action);
}

static int run_judge(const struct run_ctx *c, const struct run_call *k,
		     struct cf_error *err)
{
	struct seccomp_data d, kd;
	struct cf_loc loc;
	uint32_t ret, act;
	char call[256], action[64];
	const char *why;

	memset(&d, 0, sizeof(d));
	d.nr = (int)k->nr;
	d.arch = cf_abi_audit_arch(cf_abi_host());
	for (int i = 0; i < 6; i++)
		d.args[i] = k->a[i];
	cf_seccomp_data_as_kernel(&d, &kd);
	ret = cf_bpf_run(c->o->prog, c->o->prog_len, &kd, NULL);
	act = ret & CF_RET_ACTION_FULL;
	if (act == CF_RET_ALLOW || act == CF_RET_LOG)
		return 0;
	/* complain: once the listener is the parent's, a call the profile
	 * denies waits for it and then runs: no fake success is possible */
	if (c->o->complain && k->stage != RUN_LISTENER && act == CF_RET_NOTIFY)
		return 0;
	run_call_str(k, call, sizeof(call));
	cf_action_str(ret, action, sizeof(action));
	why = run_rule(c, &d, ret, &loc);
	if (k->stage == RUN_LISTENER)
		return run_judge_listener(c, &d, call, action, &loc, err);
	if (k->stage == RUN_EXEC)
		return cf_err_at(err, -EPERM, &loc,
				 "cannot start '%s': the filter answers %s "
				 "with %s%s: %s; allow execve",
				 c->o->argv[0], call, action, why,
				 run_consequence(ret, k->nr));
	return cf_err_at(err, -EPERM, &loc,
			 "cannot start '%s': the filter answers %s with "
			 "%s%s, a call callfence makes after installing it "
			 "(%s; without no-new-privileges the filter goes in "
			 "first, as in runc): %s; allow the call, or set "
			 "no-new-privileges",
			 c->o->argv[0], call, action, why,
			 run_stage_names[k->stage],
			 run_consequence(ret, k->nr));
}

/* The child's steps after the install point, in rehearsal mode: every
 * call they make lands in rh. */
static void run_rehearse_steps(struct run_ctx *c, struct run_rehearsal *rh,
			       bool with_prog)
{
	struct run_report scratch;
	size_t i = 0, start = CF_ARRAY_SIZE(run_steps);
	struct cf_run_opts o = *c->o;
	const struct cf_run_opts *saved = c->o;

	if (with_prog && !o.prog)
		o.prog = (const struct sock_filter *)&scratch; /* not read */
	c->o = &o;
	for (; i < CF_ARRAY_SIZE(run_steps); i++)
		if (run_steps[i].stage == RUN_FILTER &&
		    run_step_wanted(&run_steps[i], c->o)) {
			start = i + 1;
			break;
		}
	memset(&scratch, 0, sizeof(scratch));
	c->rh = rh;
	for (i = start; i < CF_ARRAY_SIZE(run_steps); i++) {
		if (!run_step_wanted(&run_steps[i], c->o))
			continue;
		rh->stage = run_steps[i].stage;
		run_steps[i].fn(c, &scratch);
	}
	rh->stage = RUN_EXEC;
	run_exec(c, &scratch);
	c->rh = NULL;
	c->o = saved;
}

/* The child's steps after the install point, rehearsed for o as if
 * o->prog were set, into calls (cap of them). Returns how many. */
static size_t run_own_rehearsal(const struct cf_run_opts *o,
				struct run_call *calls, size_t cap)
{
	struct run_rehearsal rh = {.calls = calls, .cap = cap};
	static char *const none[] = {(char *)"/", NULL};
	struct run_listener lst; /* the hand-over's message, not sent */
	struct run_ctx c;

	memset(&c, 0, sizeof(c));
	run_listener_msg(&lst);
	c.lst = &lst;
	c.sock[0] = c.sock[1] = -1;
	c.o = o;
	c.cands = (char **)none; /* one candidate: execve once */
	c.ncands = 1;
	c.envp = none;
	c.parent = getpid();
	c.all_caps = cf_caps_all();
	run_plan(&c);
	run_rehearse_steps(&c, &rh, true);
	return rh.n < rh.cap ? rh.n : rh.cap;
}

#define RUN_OWN_CAP (2 * (CF_CAP_MAX + 1) + 32)

size_t cf_run_own_calls(const struct cf_run_opts *o, uint32_t *nrs, size_t max)
{
	struct run_call calls[RUN_OWN_CAP];
	size_t n = 0, ncalls;

	if (cf_reserved_zero(o->reserved, CF_RESERVED_IN, "cf_run_opts", NULL))
		return 0;
	ncalls = run_own_rehearsal(o, calls, CF_ARRAY_SIZE(calls));
	for (size_t i = 0; i < ncalls; i++) {
		bool seen = false;

		for (size_t k = 0; k < n && k < max; k++)
			seen = seen || nrs[k] == (uint32_t)calls[i].nr;
		if (seen)
			continue;
		if (n < max)
			nrs[n] = (uint32_t)calls[i].nr;
		n++;
	}
	return n;
}

void cf_run_own_calls_each(const struct cf_run_opts *o, cf_run_call_fn fn,
			   void *ctx)
{
	struct run_call calls[RUN_OWN_CAP];
	size_t ncalls;

	if (cf_reserved_zero(o->reserved, CF_RESERVED_IN, "cf_run_opts", NULL))
		return;
	ncalls = run_own_rehearsal(o, calls, CF_ARRAY_SIZE(calls));
	for (size_t i = 0; i < ncalls; i++) {
		uint64_t a[6];

		for (unsigned k = 0; k < 6; k++)
			a[k] = calls[i].a[k];
		fn(ctx, (uint32_t)calls[i].nr, a);
	}
}

/* Runs the child's steps after the install point in rehearsal mode, then
 * asks the program about every call they made. */
static int run_rehearse(struct run_ctx *c, struct cf_error *err)
{
	struct run_rehearsal rh = {.cap = 2 * (CF_CAP_MAX + 1) + 32};
	size_t i;
	int rc = 0;

	if (!c->o->prog)
		return 0;
	if (run_prog_reads_ip(c->o->prog, c->o->prog_len))
		return cf_err(err, -EINVAL,
			      "the program reads instruction_pointer: "
			      "callfence cannot tell what it answers the "
			      "calls callfence makes after installing it "
			      "(execve at least)");
	rh.cap += c->ncands;
	rh.calls = cf_arena_array(&c->arena, rh.cap, sizeof(*rh.calls));
	if (!rh.calls)
		return cf_err(err, -ENOMEM, "out of memory");
	run_rehearse_steps(c, &rh, false);
	if (rh.n > rh.cap)
		return cf_err(err, -EOVERFLOW,
			      "callfence's own calls after the install: more "
			      "than %zu (a bug)",
			      rh.cap);
	for (i = 0; i < rh.n && rc == 0; i++)
		rc = run_judge(c, &rh.calls[i], err);
	return rc;
}

/* The kernel's struct sigaction for rt_sigaction (glibc's wrapper refuses
 * the two signals it reserves for itself). */
struct run_ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* Every disposition back to SIG_DFL and an empty signal mask, whatever the
 * caller inherited or installed (an ignored SIGINT or SIGPIPE, a blocked
 * SIGTERM): the command starts as docker run's would. First thing in the
 * child, before any filter, so no profile has to allow it; also keeps a
 * fault after an early install from running a handler the caller had (a
 * sanitizer's, say). Raw rt_sigaction, as glibc's sigaction refuses the
 * two signals it keeps for itself; {handler, flags, restorer, mask} is the
 * layout of x86, arm64 and the other generic ABIs. */
static void run_child_signals(void)
{
	struct run_ksigaction dfl;
	uint64_t none = 0;

	memset(&dfl, 0, sizeof(dfl));
	dfl.handler = SIG_DFL;
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL,
				sizeof(dfl.mask));
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(none));
}

static void __attribute__((noreturn)) run_child(const struct run_ctx *c)
{
	run_child_signals();
	close(c->pipe[0]);
	if (run_child_steps(c, c->report) == 0)
		run_fail(c->report, RUN_EXEC, run_exec(c, c->report));
	_exit(CF_RUN_EXIT_FAILED);
}

/* ---- the parent -------------------------------------------------------- */

/* ---- signals: the proxy (forward_signals) ------------------------------ */

/* Every signal but these is forwarded, as by docker run's proxy: SIGCHLD
 * and SIGPIPE are about callfence's own children and writes, SIGURG is
 * out-of-band data (and Go's preemption signal); SIGKILL and SIGSTOP cannot
 * be caught. */
static bool run_forwarded(int sig)
{
	return sig != SIGCHLD && sig != SIGPIPE && sig != SIGURG &&
	       sig != SIGKILL && sig != SIGSTOP;
}

static bool run_stop_signal(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* The kernel reaps the children of a process that ignores SIGCHLD (SIG_IGN
 * or SA_NOCLDWAIT), and the exit status with them. The CLI is its own
 * process: it sets SIG_DFL while it runs the command. A library caller's
 * disposition is its own: cf_run refuses instead of changing it. */
static int run_sigchld(struct run_ctx *c, struct cf_error *err)
{
	struct sigaction cur, dfl;

	if (sigaction(SIGCHLD, NULL, &cur) < 0)
		return cf_err(err, -errno,
			      "cannot read the SIGCHLD "
			      "disposition: %s",
			      strerror(errno));
	if (cur.sa_handler != SIG_IGN && !(cur.sa_flags & SA_NOCLDWAIT))
		return 0;
	if (!c->o->forward_signals)
		return cf_err(err, -EINVAL,
			      "cannot run a command while SIGCHLD is ignored "
			      "(SIG_IGN or SA_NOCLDWAIT): the kernel would "
			      "reap it and its exit status; set SIGCHLD to "
			      "SIG_DFL or a handler that leaves other "
			      "children alone");
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, &dfl, &c->old_chld) < 0)
		return cf_err(err, -errno, "cannot set SIGCHLD: %s",
			      strerror(errno));
	c->chld_set = true;
	return 0;
}

/* Blocks every forwarded signal and reads them from a signalfd: blocked
 * before fork, so one that arrives while the child starts waits for the
 * command instead of killing callfence. */
static int run_block_signals(struct run_ctx *c, struct cf_error *err)
{
	int rc = run_sigchld(c, err);

	if (rc < 0 || !c->o->forward_signals)
		return rc;
	sigemptyset(&c->fwd);
	for (int sig = 1; sig < _NSIG; sig++)
		if (run_forwarded(sig))
			sigaddset(&c->fwd, sig); /* libc's own two: refused */
	if (sigprocmask(SIG_BLOCK, &c->fwd, &c->old_mask) < 0)
		return cf_err(err, -errno, "cannot block signals: %s",
			      strerror(errno));
	c->masked = true;
	c->sfd = signalfd(-1, &c->fwd, SFD_CLOEXEC | SFD_NONBLOCK);
	if (c->sfd < 0)
		return cf_err(err, -errno, "cannot create a signalfd: %s",
			      strerror(errno));
	return 0;
}

/* Signals that arrive after the command ended have nobody to go to: they
 * are dropped, not delivered to callfence when the mask is restored. */
static void run_restore_signals(struct run_ctx *c)
{
	struct signalfd_siginfo s[8];

	if (c->sfd >= 0) {
		while (read(c->sfd, s, sizeof(s)) > 0)
			;
		close(c->sfd);
		c->sfd = -1;
	}
	if (c->masked)
		sigprocmask(SIG_SETMASK, &c->old_mask, NULL);
	c->masked = false;
	if (c->chld_set)
		sigaction(SIGCHLD, &c->old_chld, NULL);
	c->chld_set = false;
}

static long run_pidfd_signal(int pidfd, int sig, siginfo_t *si)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, si, 0);
}

/* Sends one signal on; a sigqueue(3) value goes with it (as SI_QUEUE from
 * callfence), a kill(2) arrives as a kill(2) from callfence. */
static void run_send(const struct run_ctx *c, const struct signalfd_siginfo *s)
{
	int sig = (int)s->ssi_signo;
	siginfo_t si;

	if (s->ssi_code == SI_QUEUE) {
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = SI_QUEUE;
		si.si_pid = c->parent;
		si.si_uid = getuid();
		si.si_value.sival_ptr = (void *)(uintptr_t)s->ssi_ptr;
		if ((c->pidfd >= 0 &&
		     run_pidfd_signal(c->pidfd, sig, &si) == 0) ||
		    syscall(SYS_rt_sigqueueinfo, c->child, sig, &si) == 0)
			return;
	}
	if (c->pidfd < 0 || run_pidfd_signal(c->pidfd, sig, NULL) < 0)
		kill(c->child, sig);
}

/* SIGTSTP, SIGTTIN, SIGTTOU: callfence stops the way the signal's default
 * action would stop it (not at all in an orphaned process group, as the
 * kernel decides); SIGCONT resumes it and is then forwarded too. */
static void run_stop_self(int sig)
{
	struct sigaction dfl, old;
	sigset_t one;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&one);
	sigaddset(&one, sig);
	if (sigaction(sig, &dfl, &old) < 0)
		return;
	kill(getpid(), sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL); /* stops here */
	sigprocmask(SIG_BLOCK, &one, NULL);
	sigaction(sig, &old, NULL);
}

/* Forwards what was sent with kill(2), sigqueue(3), tgkill(2) (si_code <=
 * 0); the terminal's own signals (SI_KERNEL) already reach the command, as
 * it shares our process group. Stop signals stop the command first, then
 * callfence. */
static void run_forward(const struct run_ctx *c)
{
	struct signalfd_siginfo s[8];
	ssize_t n;

	while ((n = read(c->sfd, s, sizeof(s))) > 0)
		for (size_t i = 0; i < (size_t)n / sizeof(s[0]); i++) {
			if (s[i].ssi_code <= 0)
				run_send(c, &s[i]);
			if (run_stop_signal((int)s[i].ssi_signo))
				run_stop_self((int)s[i].ssi_signo);
		}
}

/* ---- complain mode: the supervisor ----------------------------------- */

/* The listener from the child; -1 when the child failed before sending
 * it (the report says why). */
static int run_recv_listener(struct run_ctx *c)
{
	union {
		size_t align;
		char buf[RUN_CMSG_SPACE];
	} u;
	char byte;
	struct iovec iov = {&byte, 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = u.buf,
			   .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cm;
	ssize_t n;
	int fd = -1;

	do
		n = recvmsg(c->sock[0], &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	cm = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* One notification: shown to the caller, then the call runs. A task that
 * died meanwhile (ENOENT) needs no answer. */
static void run_notify(const struct run_ctx *c)
{
	struct seccomp_notif n;
	struct seccomp_notif_resp r;

	memset(&n, 0, sizeof(n));
	if (ioctl(c->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &n) < 0)
		return;
	if (c->o->complain) /* set whenever there is a listener */
		c->o->complain(c->o->complain_ctx, &n);
	memset(&r, 0, sizeof(r));
	r.id = n.id;
	r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	ioctl(c->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

/* Until fd is readable (or hung up), answering notifications. */
static void run_serve_until(const struct run_ctx *c, int fd)
{
	struct pollfd p[2] = {{fd, POLLIN, 0}, {c->notify_fd, POLLIN, 0}};

	while (c->notify_fd >= 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[1].revents & POLLIN)
			run_notify(c);
		else if (p[1].revents)
			p[1].fd = -1; /* no task left under the filter */
		if (p[0].revents)
			return;
	}
}

/* ---- the child's life: fork, wait -------------------------------------- */

/* fork(), and a pidfd for the child where the kernel has pidfd_open: it
 * turns readable when the command ends (no SIGCHLD needed, none blocked
 * or caught) and signals sent through it cannot reach a recycled pid. */
static pid_t run_fork(struct run_ctx *c)
{
	pid_t pid = fork();

	if (pid > 0)
		c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return pid;
}

static int run_reap(pid_t pid, int flags)
{
	int ws = 0;
	pid_t r;

	while ((r = waitpid(pid, &ws, flags)) < 0)
		if (errno != EINTR)
			return -1;
	return r == 0 ? -2 : ws;
}

/* Waits for the command. The library waits in waitpid(pid) and touches
 * no signal state; the proxy polls the pidfd and the signalfd (without a
 * pidfd, it looks every 50 ms). */
static int run_wait(struct run_ctx *c)
{
	struct pollfd p[3] = {{c->pidfd, POLLIN, 0},
			      {c->sfd, POLLIN, 0},
			      {c->notify_fd, POLLIN, 0}};
	int ws;

	while (c->sfd >= 0 || p[2].fd >= 0) {
		if (poll(p, 3, c->pidfd >= 0 ? -1 : 50) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[1].revents & POLLIN)
			run_forward(c);
		if (p[2].revents & POLLIN)
			run_notify(c);
		else if (p[2].revents)
			p[2].fd = -1; /* no task left under the filter */
		if (c->pidfd >= 0 && p[0].revents)
			break;
		if (c->pidfd < 0 && (ws = run_reap(c->child, WNOHANG)) != -2)
			return ws;
	}
	return run_reap(c->child, 0);
}

static int run_report_error(const struct run_report *r, const char *cmd,
			    int *exit_code, struct cf_error *err)
{
	int e = r->err > 0 ? r->err : EIO;
	const char *stage = r->stage >= 0 && r->stage <= RUN_EXEC
				? run_stage_names[r->stage]
				: "starting";

	if (r->stage == RUN_EXEC && r->msg[0]) {
		*exit_code = CF_RUN_EXIT_FAILED;
		return cf_err(err, -e, "cannot run '%s': %s", cmd, r->msg);
	}
	if (r->stage == RUN_EXEC) {
		*exit_code = e == ENOENT || e == ENOTDIR
				 ? CF_RUN_EXIT_NOT_FOUND
				 : CF_RUN_EXIT_CANNOT_RUN;
		return cf_err(
		    err, -e, "cannot run '%s': %s%s", cmd, strerror(e),
		    e == ENOENT && !strchr(cmd, '/') ? " (not found in PATH)"
						     : "");
	}
	return cf_err(err, -e, "cannot start '%s': %s: %s%s%s", cmd, stage,
		      strerror(e), r->msg[0] ? ": " : "", r->msg);
}

/* Waits on the exec-status pipe: EOF when execve happened or the child
 * died; then the shared report tells which. */
static int run_exec_status(struct run_ctx *c, int *exit_code,
			   struct cf_error *err)
{
	struct run_report *r = c->report;
	char buf[1];
	ssize_t n;

	run_serve_until(c, c->pipe[0]);
	do
		n = read(c->pipe[0], buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	close(c->pipe[0]);
	c->pipe[0] = -1;
	if (!__atomic_load_n(&r->failed, __ATOMIC_ACQUIRE))
		return 0;
	run_reap(c->child, 0);
	r->msg[sizeof(r->msg) - 1] = 0;
	return run_report_error(r, c->o->argv[0], exit_code, err);
}

/* The child died before reaching execve (a profile that kills, or denies
 * exit, during the steps after an early install). */
static int run_died_early(const struct run_ctx *c, int ws, struct cf_error *err)
{
	int sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;

	return cf_err(err, -EPERM,
		      "cannot start '%s': %s: died of %s (the profile denies "
		      "a call callfence makes after installing it without "
		      "no-new-privileges; allow it or set no-new-privileges)",
		      c->o->argv[0], run_stage_names[c->report->stage],
		      sig ? strsignal(sig) : "exit");
}

/* ---- the seccomp agent ------------------------------------------------ */

/* The listener from the child goes to the caller's agent callback; the
 * child waits for one byte, sent only once the callback succeeded. When
 * it fails, the child is killed before it can run anything. A child that
 * failed before sending the listener reports it on the exec-status pipe. */
static int run_agent_handoff(struct run_ctx *c, struct cf_error *err)
{
	int fd = run_recv_listener(c), rc;
	char go = 1;

	if (fd < 0)
		return 0;
	cf_err(err, -EPROTO, "the seccomp agent did not take the listener");
	rc = c->o->agent(c->o->agent_ctx, fd, (int)c->child, err);
	close(fd);
	if (rc >= 0) {
		/* a child that died meanwhile: the pipe says why */
		if (send(c->sock[0], &go, 1, MSG_NOSIGNAL) < 0 &&
		    errno != EPIPE)
			rc = cf_err(err, -errno,
				    "cannot let the command start: %s",
				    strerror(errno));
		if (rc >= 0)
			return 0;
	}
	if (c->pidfd < 0 || run_pidfd_signal(c->pidfd, SIGKILL, NULL) < 0)
		kill(c->child, SIGKILL);
	run_reap(c->child, 0);
	return rc;
}

static int run_spawn(struct run_ctx *c, int *exit_code, struct cf_error *err)
{
	int rc, ws;

	if (!c->report) /* run_prepare failed: not reached */
		return cf_err(err, -EFAULT, "no report page");
	rc = run_block_signals(c, err);
	if (rc < 0)
		return rc;
	c->child = run_fork(c);
	if (c->child < 0)
		return cf_err(err, -errno, "cannot fork: %s", strerror(errno));
	if (c->child == 0)
		run_child(c);
	close(c->pipe[1]);
	c->pipe[1] = -1;
	if (run_wants_listener(c->o)) {
		close(c->sock[1]);
		c->sock[1] = -1;
		if (c->o->complain)
			c->notify_fd = run_recv_listener(c);
		else if ((rc = run_agent_handoff(c, err)) < 0)
			return rc;
	}
	rc = run_exec_status(c, exit_code, err);
	if (rc < 0)
		return rc;
	ws = run_wait(c);
	if (ws < 0)
		return cf_err(err, -errno, "cannot wait for '%s': %s",
			      c->o->argv[0], strerror(errno));
	if (c->report->stage != RUN_EXEC)
		return run_died_early(c, ws, err);
	*exit_code = cf_run_exit_code(ws);
	return 0;
}

int cf_run(const struct cf_run_opts *o, int *exit_code, struct cf_error *err)
{
	struct run_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.pipe[0] = c.pipe[1] = -1;
	c.pidfd = c.sfd = c.notify_fd = -1;
	c.sock[0] = c.sock[1] = -1;
	c.cg.procs_fd = -1;
	*exit_code = CF_RUN_EXIT_FAILED;
	rc = cf_reserved_zero(o->reserved, CF_RESERVED_IN, "cf_run_opts", err);
	if (rc)
		return rc;
	rc = run_prepare(o, &c, err);
	if (rc == 0)
		rc = run_spawn(&c, exit_code, err);
	run_restore_signals(&c);
	for (int i = 0; i < 2; i++) {
		if (c.pipe[i] >= 0)
			close(c.pipe[i]);
		if (c.sock[i] >= 0)
			close(c.sock[i]);
	}
	if (c.notify_fd >= 0)
		close(c.notify_fd);
	if (c.pidfd >= 0)
		close(c.pidfd);
	if (c.report)
		munmap(c.report, sizeof(*c.report));
	cf_cgroup_destroy(&c.cg, o->diag, o->diag_ctx);
	cf_arena_release(&c.arena);
	return rc;
}
