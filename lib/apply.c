/* SPDX-License-Identifier: Apache-2.0 */
/* apply.c - installing a finished, verified program with seccomp(2). */
#include "cf.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC (1UL << 0)
#endif

int cf_install(const struct sock_filter *insns, size_t len, unsigned flags,
	       struct cf_error *err)
{
	struct sock_fprog prog = { (unsigned short)len,
				   (struct sock_filter *)insns };
	long rc;
	int rc2 = cf_bpf_verify(insns, len, err);

	if (rc2)
		return rc2;
	flags |= SECCOMP_FILTER_FLAG_TSYNC;
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (rc > 0)
		return cf_err(err, -EAGAIN,
			      "thread %ld cannot take the filter (TSYNC): it "
			      "runs an incompatible filter or a different "
			      "no_new_privs setting; nothing was installed",
			      rc);
	if (rc == 0)
		return 0;
	switch (errno) {
	case EACCES:
		return cf_err(err, -EACCES,
			      "seccomp refused: set no_new_privs first "
			      "(prctl PR_SET_NO_NEW_PRIVS) or hold "
			      "CAP_SYS_ADMIN");
	case EINVAL:
		return cf_err(err, -EINVAL,
			      "seccomp refused the filter or flags 0x%x (is "
			      "a flag unsupported by this kernel?)",
			      flags);
	default:
		return cf_err(err, -errno, "seccomp: %s", strerror(errno));
	}
}
