/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_merge.c - `record --append`: the new observations merged into
 * the existing profile exactly, by the library's algebra (cf_merge): the
 * result allows exactly what either allows, per ABI, argument conditions
 * included; when that cannot be written in Docker's format, nothing is
 * written and the reason is given.
 */
#include "record_merge.h"

#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cf_filter *rm_compile(const char *json, size_t len,
				    const char *name, const struct cf_target *t)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_error err;

	if (cf_profile_parse(json, len, name, &p, &err) < 0 ||
	    cf_compile(p, t, &f, &err) < 0) {
		cli_error(&err);
		f = NULL;
	}
	cf_profile_free(p);
	return f;
}

static struct cf_filter *rm_load(const char *path, const struct cf_target *t)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_error err;

	if (cf_profile_load(path, &p, &err) < 0 ||
	    cf_compile(p, t, &f, &err) < 0) {
		cli_error(&err);
		f = NULL;
	}
	cf_profile_free(p);
	return f;
}

/* Which input goes first: cf_merge gives a call both deny with different
 * errnos the first input's errno. ENOSYS is what libc falls back on
 * (clone3's, from --args or the base): the input answering ENOSYS where
 * the other answers another errno goes first. Returns 1 to swap. */
static int rm_enosys_first(struct cf_filter *in[2])
{
	int host = cf_abi_host();
	int wins[2] = {0, 0};

	for (uint32_t nr = 0; nr < 1024; nr++) {
		struct seccomp_data d = {0};
		struct cf_decision x, y;

		if (!cf_syscall_name(host, nr))
			continue;
		d.nr = (int)nr;
		d.arch = cf_abi_audit_arch(host);
		if (cf_filter_decide(in[0], &d, &x) < 0 ||
		    cf_filter_decide(in[1], &d, &y) < 0 ||
		    (x.action & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO ||
		    (y.action & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO ||
		    x.action == y.action)
			continue;
		wins[0] += (x.action & SECCOMP_RET_DATA) == ENOSYS;
		wins[1] += (y.action & SECCOMP_RET_DATA) == ENOSYS;
	}
	return wins[1] > 0 && wins[0] == 0;
}

/* cf_merge of in[0], in[1]; on -ENOTSUP also of in[1], in[0] (the
 * merge's search for rules depends on the order of its inputs; the
 * result is checked exact either way, only ties between two denials'
 * errnos go the other way). */
static int rm_merge(struct cf_filter *in[2], const struct cf_target *t,
		    char **out, size_t *olen, bool *swapped)
{
	const struct cf_filter *rev[2] = {in[1], in[0]};
	struct cf_error err, err2;
	int rc;

	*swapped = false;
	rc = cf_merge((const struct cf_filter *const *)in, 2, t, out, olen,
		      &err);
	if (rc == -ENOTSUP && cf_merge(rev, 2, t, out, olen, &err2) == 0) {
		*swapped = true;
		return 0;
	}
	if (rc < 0)
		cli_error(&err);
	return rc;
}

int rec_append(const char *path, char **json, size_t *len, bool *merged)
{
	struct cf_filter *in[2] = {NULL, NULL};
	struct cf_target t;
	struct cf_error err;
	char *out = NULL;
	size_t olen = 0;
	bool swapped;
	int rc = -1;

	*merged = false;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0; /* nothing to append to: the recording alone */
	if (cf_target_default(&t, &err) < 0) {
		cli_error(&err);
		return -1;
	}
	/* runc's ENOSYS stub answers numbers above a profile's largest name:
	 * two recordings differ there only in the errno of a denial, which
	 * the union cannot keep per input; merged without it, the result's
	 * own stub applies when it runs */
	t.enosys = CF_ENOSYS_NONE;
	/* the file first (where both deny a call with different errnos, its
	 * errno wins: cf_merge's ties go to the first input), unless only the
	 * new recording answers something ENOSYS */
	in[0] = rm_load(path, &t);
	in[1] = in[0] ? rm_compile(*json, *len, "the new recording", &t) : NULL;
	if (in[1] && rm_enosys_first(in)) {
		struct cf_filter *x = in[0];

		in[0] = in[1];
		in[1] = x;
	}
	if (in[1] && rm_merge(in, &t, &out, &olen, &swapped) == 0) {
		free(*json);
		*json = out;
		*len = olen;
		*merged = true;
		rc = 0;
		if (swapped)
			fprintf(stderr, "callfence record: merged in the other "
					"order (the first cannot be written): "
					"where both deny a call with different "
					"errnos, the other one's is kept\n");
	}
	cf_filter_free(in[0]);
	cf_filter_free(in[1]);
	if (rc < 0)
		cli_errorf("--append: '%s' and the new recording cannot be "
			   "merged exactly (above): nothing written, '%s' "
			   "left as it was",
			   path, path);
	return rc;
}
