/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply.c - installing a finished, verified program with seccomp(2).
 *
 * Always with SECCOMP_FILTER_FLAG_TSYNC: the kernel then installs the
 * filter on every thread of the process or on none, so a failure leaves
 * nothing half-installed. No_new_privs is the caller's business: without
 * it, and without CAP_SYS_ADMIN in the task's user namespace, the kernel
 * refuses with EACCES.
 */
#include "base.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif

/* The filter flags this library knows, with the kernel that added each. */
static const struct {
	unsigned flag;
	const char *name;
	const char *since;
} filter_flags[] = {
#define X(name, bit, since, in_profile) {CF_FLAG_##name, #name, since},
    CF_FILTER_FLAGS(X)
#undef X
};

static unsigned known_flags(void)
{
	unsigned all = 0;

	for (size_t i = 0; i < CF_ARRAY_SIZE(filter_flags); i++)
		all |= filter_flags[i].flag;
	return all;
}

/* "SPEC_ALLOW (Linux 4.17), LOG (Linux 4.14)": the flags beyond TSYNC. */
static void flag_list(unsigned flags, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 1; i < CF_ARRAY_SIZE(filter_flags); i++) {
		int n;

		if (!(flags & filter_flags[i].flag))
			continue;
		n = snprintf(buf + off, size - off,
			     "%sSECCOMP_FILTER_FLAG_%s "
			     "(Linux %s)",
			     off ? ", " : "", filter_flags[i].name,
			     filter_flags[i].since);
		if (n < 0 || (size_t)n >= size - off)
			break;
		off += (size_t)n;
	}
}

/* Combinations the kernel refuses with a bare EINVAL, explained. */
static int check_flags(unsigned flags, struct cf_error *err)
{
	if (flags & ~known_flags())
		return cf_err(err, -EINVAL, "unknown seccomp filter flags 0x%x",
			      flags & ~known_flags());
	if ((flags & CF_FLAG_WAIT_KILLABLE_RECV) &&
	    !(flags & CF_FLAG_NEW_LISTENER))
		return cf_err(err, -EINVAL,
			      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a "
			      "listener (SECCOMP_FILTER_FLAG_NEW_LISTENER)");
	return 0;
}

static int install_error(int e, unsigned flags, struct cf_error *err)
{
	char list[256];

	switch (e) {
	case EACCES:
		return cf_err(err, -EACCES,
			      "seccomp refused the filter: set no_new_privs "
			      "first (prctl PR_SET_NO_NEW_PRIVS) or hold "
			      "CAP_SYS_ADMIN");
	case EINVAL:
		flag_list(flags, list, sizeof(list));
		return cf_err(err, -EINVAL,
			      "seccomp refused the filter flags 0x%x%s%s%s",
			      flags, list[0] ? " (does this kernel know " : "",
			      list, list[0] ? "?)" : "");
	case ESRCH:
		return cf_err(err, -EAGAIN,
			      "a thread cannot take the filter (TSYNC): it "
			      "runs a different filter stack or no_new_privs "
			      "setting; nothing was installed");
	case ENOMEM:
		return cf_err(err, -ENOMEM,
			      "seccomp refused the filter: the filters of "
			      "this thread would exceed the kernel's limit of "
			      "32768 instructions (or out of memory)");
	case EBUSY:
		return cf_err(err, -EBUSY,
			      "seccomp refused the filter: a listener already "
			      "exists for this thread's filters");
	default:
		return cf_err(err, -e, "seccomp: %s", strerror(e));
	}
}

int cf_install(const struct sock_filter *insns, size_t len, unsigned flags,
	       struct cf_error *err)
{
	struct sock_fprog prog;
	long rc;
	int e = cf_bpf_verify(insns, len, err);

	if (e)
		return e;
	flags |= CF_FLAG_TSYNC;
	/* a listener fd and a TSYNC thread id would both be positive */
	if (flags & CF_FLAG_NEW_LISTENER)
		flags |= CF_FLAG_TSYNC_ESRCH;
	e = check_flags(flags, err);
	if (e)
		return e;
	prog.len = (unsigned short)len;
	prog.filter = (struct sock_filter *)insns;
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (rc < 0)
		return install_error(errno, flags, err);
	if (rc > 0 && !(flags & CF_FLAG_NEW_LISTENER))
		return cf_err(err, -EAGAIN,
			      "thread %ld cannot take the filter (TSYNC): it "
			      "runs a different filter stack or no_new_privs "
			      "setting; nothing was installed",
			      rc);
	return (int)rc;
}
