/* SPDX-License-Identifier: Apache-2.0 */
/* The profile parser: dialects, Go's key matching, errors with places. */
#include "t.h"

#include "profile.h"

#include <stdlib.h>

static struct cf_profile *parse(const char *text, struct cf_error *err)
{
	struct cf_profile *p = NULL;

	if (cf_profile_parse(text, strlen(text), "p.json", &p, err))
		return NULL;
	return p;
}

static bool has_note(const struct cf_profile *p, const char *id,
		     const char *ptr)
{
	for (const struct cf_p_note *n = p->notes; n; n = n->next)
		if (!strcmp(n->id, id) &&
		    (!ptr || !strcmp(n->pos.pointer, ptr)))
			return true;
	return false;
}

TEST(profile_fixtures_parse)
{
	static const struct {
		const char *file;
		size_t nsyscalls;
		uint32_t def;
	} fx[] = {
	    {"docker-default.json", 33, 0x00050001},
	    {"podman-default.json", 40, 0x00050026},
	    {"runc-syscall-test1.json", 8, 0x00050001},
	    {"runc-syscall-test2.json", 1, 0x00050006},
	    {"docker-labs-no-chmod.json", 305, 0x00050001},
	    {"moby-conditional-include.json", 3, 0x00050001},
	};

	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		size_t len;
		char *text = t_fixture_read(fx[i].file, &len);
		struct cf_profile *p = NULL;
		struct cf_error err;

		if (!text)
			return;
		if (CHECK(cf_profile_parse(text, len, fx[i].file, &p, &err) ==
			  0)) {
			CHECK_EQ(p->nsyscalls, fx[i].nsyscalls);
			CHECK_EQ(p->default_action, fx[i].def);
		}
		cf_profile_free(p);
		free(text);
	}
}

TEST(profile_keys_match_like_go)
{
	struct cf_error err;
	struct cf_profile *p =
	    parse("{\"DEFAULTACTION\": \"SCMP_ACT_ALLOW\", \"sycalls\": [],\n"
		  " \"syscalls\": [{\"Names\": [\"kcmp\"], \"action\": "
		  "\"SCMP_ACT_ERRNO\"}]}",
		  &err);

	if (!CHECK(p != NULL))
		return;
	CHECK(p->has_default_action);
	CHECK_EQ(p->default_action, 0x7fff0000);
	CHECK(has_note(p, "key-case", "/DEFAULTACTION"));
	CHECK(has_note(p, "unknown-key", "/sycalls"));
	CHECK(has_note(p, "key-case", "/syscalls/0/Names"));
	CHECK_EQ(p->syscalls[0].nnames, 1);
	cf_profile_free(p);
}

TEST(profile_oci_config_json)
{
	struct cf_error err;
	struct cf_profile *p = parse(
	    "{\"ociVersion\": \"1.0.2\", \"process\": {}, \"linux\": "
	    "{\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", "
	    "\"architectures\": [\"SCMP_ARCH_X86_64\"], \"syscalls\": "
	    "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_BOGUS\"}]}}}",
	    &err);

	CHECK(p == NULL);
	CHECK_STR(err.pointer, "/linux/seccomp/syscalls/0/action");
	CHECK_CONTAINS(err.msg, "unknown action 'SCMP_ACT_BOGUS'");
	/* no linux.seccomp: a runtime runs it unconfined; callfence refuses
	 * (tests/test_detect.c has the rest) */
	p = parse("{\"ociVersion\": \"1.0.2\", \"linux\": {}}", &err);
	CHECK(p == NULL);
	CHECK_CONTAINS(err.msg, "no 'linux.seccomp'");
	cf_profile_free(p);
}

TEST(profile_errors_name_file_pointer_line_col)
{
	struct cf_error err;
	char buf[1024];

	CHECK(
	    parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
		  " \"syscalls\": [\n"
		  "  {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALOW\"}]}",
		  &err) == NULL);
	CHECK_STR(cf_error_str(&err, buf, sizeof(buf)),
		  "p.json:3:33: /syscalls/0/action: unknown action "
		  "'SCMP_ACT_ALOW' (did you mean 'SCMP_ACT_ALLOW'?)");
	CHECK(parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		    "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
		    "\"args\": [{\"index\": 0, \"value\": 1.5, \"op\": "
		    "\"SCMP_CMP_EQ\"}]}]}",
		    &err) == NULL);
	CHECK_STR(err.pointer, "/syscalls/0/args/0/value");
	CHECK_CONTAINS(err.msg, "not an unsigned integer");
	CHECK(parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		    "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
		    "\"args\": [{\"index\": 0, \"value\": 1, \"op\": "
		    "\"SCMP_CMP_EQQ\"}]}]}",
		    &err) == NULL);
	CHECK_CONTAINS(err.msg, "did you mean 'SCMP_CMP_EQ'?");
	CHECK(parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
		    "\"architectures\": [\"SCMP_ARCH_X86_46\"]}",
		    &err) == NULL);
	CHECK_CONTAINS(err.msg, "did you mean 'SCMP_ARCH_X86_64'?");
	CHECK(parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"flags\": "
		    "[\"SECCOMP_FILTER_FLAG_NOPE\"]}",
		    &err) == NULL);
	CHECK_CONTAINS(err.msg, "unsupported flag");
	CHECK(parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		    "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", "
		    "\"errno\": \"ENOPE\"}]}",
		    &err) == NULL);
	CHECK_CONTAINS(err.msg, "unknown errno name 'ENOPE'");
	CHECK(parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		    "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
		    "\"includes\": {\"minKernel\": \"four\"}}]}",
		    &err) == NULL);
	CHECK_CONTAINS(err.msg, "bad minKernel");
	CHECK(parse("{\"defaultAction\": 1}", &err) == NULL);
	CHECK_CONTAINS(err.msg, "expected a string, found number");
}

TEST(profile_flags_and_errno_names)
{
	struct cf_error err;
	struct cf_profile *p = parse(
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrno\": "
	    "\"ENOSYS\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
	    "\"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": "
	    "\"4.14.0\"}}]}",
	    &err);

	if (!CHECK(p != NULL))
		return;
	CHECK_EQ(p->default_action, 0x00050026);
	CHECK(has_note(p, "errno-name", NULL));
	CHECK(has_note(p, "minkernel-3part", NULL));
	CHECK_EQ(p->syscalls[0].includes.min_kernel_v, 4 << 16 | 14);
	CHECK_EQ(p->flags, 4); /* absent flags: SPEC_ALLOW */
	cf_profile_free(p);
	p = parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"flags\": "
		  "[\"SECCOMP_FILTER_FLAG_LOG\"]}",
		  &err);
	if (CHECK(p != NULL))
		CHECK_EQ(p->flags, 2);
	cf_profile_free(p);
}

/* Each rule's pointer /syscalls/N (a decimal counter in prof_syscalls) and
 * its names' pointer, across the carries 9 -> 10, 99 -> 100 and
 * 109 -> 110, the key as written ("SysCalls" matched as "syscalls"). */
TEST(profile_rule_pointers_count_up)
{
	size_t n = 121, cap = 128 + n * 64, len;
	char *text = malloc(cap), want[64];
	struct cf_profile *p;
	struct cf_error err;

	if (!CHECK(text))
		return;
	len = (size_t)snprintf(text, cap,
			       "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
			       "\"SysCalls\": [");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%s{\"names\": [\"read\"], \"action\": "
					"\"SCMP_ACT_ALLOW\"}",
					i ? ", " : "");
	snprintf(text + len, cap - len, "]}");
	p = parse(text, &err);
	if (CHECK(p) && CHECK(p->nsyscalls == n))
		for (size_t i = 0; i < n; i++) {
			snprintf(want, sizeof(want), "/SysCalls/%zu", i);
			CHECK_STR(p->syscalls[i].pos.pointer, want);
			snprintf(want, sizeof(want), "/SysCalls/%zu/names", i);
			CHECK_STR(p->syscalls[i].names_ptr, want);
		}
	cf_profile_free(p);
	free(text);
}
