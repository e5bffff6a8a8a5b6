/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SCMP_ACT_NOTIFY and SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV are refused
 * where runc refuses them: in the library (one place,
 * resolution, so compile/check/explain/run agree) with runc's reasons and
 * in runc's order, and by check, compile, explain and run with their
 * documented exit codes, the command never started.
 */
#include "t.h"

#include "callfence.h"
#include "cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CF_ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

struct refusal {
	const char *json;
	int code;
	const char *pointer;
	unsigned line, col;
	const char *msg; /* a substring */
};

/* One line each: the column is the byte offset + 1. */
static const struct refusal refusals[] = {
    {"{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"syscalls\":[{\"names\":"
     "[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
     -EINVAL, "/defaultAction", 1, 18, "cannot be the default action"},
    {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/a\","
     "\"syscalls\":[{\"names\":[\"read\",\"write\"],"
     "\"action\":\"SCMP_ACT_NOTIFY\"}]}",
     -EINVAL, "/syscalls/0/names/1", 1, 84, "on 'write' is refused"},
    /* runc looks at write before the default action */
    {"{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"syscalls\":[{\"names\":"
     "[\"write\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
     -EINVAL, "/syscalls/0/names/0", 1, 58, "'write'"},
    {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
     "[\"getpid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
     -EINVAL, "/syscalls/0/action", 1, 76, "without 'listenerPath'"},
    {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":["
     "\"SECCOMP_FILTER_FLAG_LOG\","
     "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],\"syscalls\":[]}",
     -EINVAL, "/flags/1", 1, 70, "EINVAL"},
    /* with a NOTIFY rule the flag is legal, NOTIFY itself is not */
    {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":["
     "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],\"syscalls\":[{"
     "\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
     -EINVAL, "/syscalls/0/action", 1, 127, "without 'listenerPath'"},
    /* a config.json's seccomp object: pointers under /linux/seccomp */
    {"{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":{\"defaultAction\":"
     "\"SCMP_ACT_NOTIFY\"}}}",
     -EINVAL, "/linux/seccomp/defaultAction", 1, 59,
     "cannot be the default action"},
};

static struct cf_target target(void)
{
	struct cf_target t = {0};

	t.native = cf_abi_lookup("x86_64");
	t.caps = cf_caps_docker_default();
	t.kernel = 6 << 16 | 18;
	return t;
}

static void ignore_diag(void *ctx, const struct cf_diag *d)
{
	(void)ctx;
	(void)d;
}

TEST(notify_refused_in_resolution_with_location)
{
	for (size_t i = 0; i < CF_ARRAY_SIZE_T(refusals); i++) {
		const struct refusal *r = &refusals[i];
		struct cf_target t = target();
		struct cf_profile *p;
		struct cf_filter *f = NULL;
		struct cf_error err;
		int rc = cf_profile_parse(r->json, strlen(r->json), "n.json",
					  &p, &err);

		if (!CHECK(rc == 0)) {
			t_note("case %zu: %s", i, err.msg);
			continue;
		}
		rc = cf_compile(p, &t, &f, &err);
		CHECK_EQ(rc, r->code);
		CHECK(f == NULL);
		if (rc) {
			CHECK_STR(err.pointer, r->pointer);
			CHECK_EQ(err.line, r->line);
			CHECK_EQ(err.col, r->col);
			CHECK_CONTAINS(err.msg, r->msg);
			CHECK_CONTAINS(err.file, "n.json");
		}
		cf_filter_free(f);
		/* check reports the same error */
		memset(&err, 0, sizeof(err));
		rc = cf_check(p, &t, ignore_diag, NULL, &err);
		CHECK_EQ(rc, r->code);
		CHECK_CONTAINS(err.msg, r->msg);
		cf_profile_free(p);
	}
}

/* What runc never sees is not refused: rules Docker drops for the target,
 * and a listenerPath without NOTIFY (runc ignores it). NOTIFY rules with a
 * listenerPath go to a seccomp agent (test_agent.c). */
static const char *const accepted[] = {
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"listenerPath\":\"/run/a.sock\","
    "\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
    "[\"write\"],\"action\":\"SCMP_ACT_NOTIFY\",\"includes\":{\"caps\":"
    "[\"CAP_SYS_ADMIN\"]}}]}",
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
    "[\"getpid\"],\"action\":\"SCMP_ACT_NOTIFY\",\"excludes\":{\"arches\":"
    "[\"amd64\"]}}]}",
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"listenerPath\":\"/run/a\","
    "\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":["
    "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_LOG\"],"
    "\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
};

TEST(notify_not_seen_by_runc_is_accepted)
{
	for (size_t i = 0; i < CF_ARRAY_SIZE_T(accepted); i++) {
		struct cf_target t = target();
		struct cf_profile *p;
		struct cf_filter *f = NULL;
		struct cf_error err;

		if (!CHECK(cf_profile_parse(accepted[i], strlen(accepted[i]),
					    "a.json", &p, &err) == 0))
			continue;
		if (!CHECK(cf_compile(p, &t, &f, &err) == 0))
			t_note("case %zu: %s", i, err.msg);
		cf_filter_free(f);
		cf_profile_free(p);
	}
}

/* check exits 1, compile exits 1 and writes nothing, run exits 125 and
 * never starts the command; each prints the file, pointer and reason. */
TEST(notify_refused_by_check_compile_and_run)
{
	char dir[] = "/tmp/cf-notify.XXXXXX";
	char marker[600], out[600], opt[700], cmd[700];
	struct cmd_res r;

	if (!cmd_binary_present() || !CHECK(mkdtemp(dir)))
		return;
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	snprintf(out, sizeof(out), "%s/out.bpf", dir);
	snprintf(cmd, sizeof(cmd), "touch %s", marker);
	for (size_t i = 0; i < CF_ARRAY_SIZE_T(refusals); i++) {
		const char *prof = cmd_file(dir, "p.json", refusals[i].json);

		snprintf(opt, sizeof(opt), "seccomp=%s", prof);
		cmd_run(&r, (const char *[]){"check", prof, NULL});
		CHECK_EQ(r.status, 1);
		CHECK_CONTAINS(r.err, refusals[i].pointer);
		CHECK_CONTAINS(r.err, refusals[i].msg);
		cmd_run(&r, (const char *[]){"compile", prof, "-o", out, NULL});
		CHECK_EQ(r.status, 1);
		CHECK_CONTAINS(r.err, "p.json:1:");
		CHECK_CONTAINS(r.err, refusals[i].msg);
		CHECK(access(out, F_OK) != 0);
		cmd_run(&r, (const char *[]){"explain", prof, "getpid", NULL});
		CHECK_EQ(r.status, 1);
		CHECK_CONTAINS(r.err, refusals[i].msg);
		cmd_run(&r, (const char *[]){"run", "--security-opt", opt, "--",
					     "/bin/sh", "-c", cmd, NULL});
		CHECK_EQ(r.status, 125);
		CHECK_CONTAINS(r.err, refusals[i].msg);
		CHECK(access(marker, F_OK) != 0);
		unlink(marker);
		unlink(out);
		unlink(prof);
	}
	rmdir(dir);
}
