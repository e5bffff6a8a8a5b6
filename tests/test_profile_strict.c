/* SPDX-License-Identifier: Apache-2.0 */
/* What the profile reader refuses because Go's decoder (Docker's) would
 * read it otherwise or an author cannot have meant it: U+0000 in a string
 * or key, a repeated key, an unsigned number not written with digits
 * only; and the reader's own input checks. */
#include "t.h"

#include "base.h"
#include "profile.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int sp_parse(const char *text, struct cf_profile **p,
		    struct cf_error *err)
{
	*p = NULL;
	return cf_profile_parse(text, strlen(text), "p.json", p, err);
}

/* line:col (1-based, bytes) of text[off] */
static void sp_linecol(const char *text, size_t off, uint32_t *line,
		       uint32_t *col)
{
	size_t ls = 0;

	*line = 1;
	for (size_t i = 0; i < off; i++)
		if (text[i] == '\n') {
			(*line)++;
			ls = i + 1;
		}
	*col = (uint32_t)(off - ls + 1);
}

/* tmpl with its k-th '@' replaced by ins and the other '@' removed
 * (k < 0: all removed); *at gets the offset of the opening quote of the
 * string the k-th '@' is in. */
static char *sp_fill(const char *tmpl, int k, const char *ins, size_t *at)
{
	char *out = malloc(strlen(tmpl) * 2 + 64), *o = out;
	int m = 0;

	for (const char *s = tmpl; *s; s++) {
		if (*s != '@') {
			*o++ = *s;
			continue;
		}
		if (m++ != k)
			continue;
		for (char *q = o - 1; q >= out; q--)
			if (*q == '"') {
				*at = (size_t)(q - out);
				break;
			}
		memcpy(o, ins, strlen(ins));
		o += strlen(ins);
	}
	*o = 0;
	return out;
}

/* Every string of a Docker-style profile, each in its turn with U+0000:
 * refused, with the string's pointer (a key's: its object's) and place. */
static const char nul_tmpl[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO@\", \"defaultErrnoRet\": 1,\n"
    " \"architectures\": [\"SCMP_ARCH_X86_64@\"],\n"
    " \"flags\": [\"SECCOMP_FILTER_FLAG_LOG@\"],\n"
    " \"listenerPath\": \"/run/l@\",\n"
    " \"syscalls@\": [\n"
    "  {\"names\": [\"chown@\", \"fchown\"], \"action@\": "
    "\"SCMP_ACT_ALLOW@\",\n"
    "   \"comment\": \"c@\",\n"
    "   \"excludes\": {\"caps\": [\"CAP_CHOWN@\"], \"arches\": "
    "[\"amd64@\"]}},\n"
    "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "   \"args\": [{\"index\": 0, \"value\": 8, \"op\": "
    "\"SCMP_CMP_EQ@\"}],\n"
    "   \"includes\": {\"caps\": [\"CAP_SYS_ADMIN@\"], \"minKernel\": "
    "\"4.8@\"}},\n"
    "  {\"name\": \"kcmp@\", \"action\": \"SCMP_ACT_ERRNO\", \"errno\": "
    "\"EPERM@\",\n"
    "   \"x@\": [\"y@\", {\"z\": \"@w\"}]}\n"
    " ]}";
static const char *const nul_ptrs[] = {
    "/defaultAction",
    "/architectures/0",
    "/flags/0",
    "/listenerPath",
    "", /* key "syscalls\0": its object's pointer */
    "/syscalls/0/names/0",
    "/syscalls/0", /* key "action\0" */
    "/syscalls/0/action",
    "/syscalls/0/comment",
    "/syscalls/0/excludes/caps/0",
    "/syscalls/0/excludes/arches/0",
    "/syscalls/1/args/0/op",
    "/syscalls/1/includes/caps/0",
    "/syscalls/1/includes/minKernel",
    "/syscalls/2/name",
    "/syscalls/2/errno",
    "/syscalls/2", /* unknown key "x\0" */
    "/syscalls/2/x/0",
    "/syscalls/2/x/1/z",
};

TEST(strict_nul_in_any_string_is_refused)
{
	struct cf_profile *p;
	struct cf_error err;
	size_t at = 0;
	char *text = sp_fill(nul_tmpl, -1, "", &at);

	/* the template itself is a good profile: each refusal below is the
	 * NUL's doing */
	CHECK(sp_parse(text, &p, &err) == 0);
	cf_profile_free(p);
	free(text);
	for (int k = 0; k < (int)CF_ARRAY_SIZE(nul_ptrs); k++) {
		static const char *const ins[] = {"\\u0000", "\\u0000x"};

		for (size_t i = 0; i < CF_ARRAY_SIZE(ins); i++) {
			uint32_t line, col;

			text = sp_fill(nul_tmpl, k, ins[i], &at);
			sp_linecol(text, at, &line, &col);
			if (!CHECK(sp_parse(text, &p, &err) == -EINVAL)) {
				t_note("accepted: %s", nul_ptrs[k]);
			} else {
				CHECK_STR(err.pointer, nul_ptrs[k]);
				CHECK_EQ(err.line, line);
				CHECK_EQ(err.col, col);
				CHECK_STR(err.file, "p.json");
				CHECK_CONTAINS(err.msg, "contains U+0000");
				CHECK_CONTAINS(err.msg, "\\u0000'");
			}
			cf_profile_free(p);
			free(text);
		}
	}
}

/* The rest of the format's strings: archMap, defaultErrno, OCI. */
TEST(strict_nul_in_archmap_and_config_json)
{
	static const struct {
		const char *tmpl;
		const char *ptrs[3];
	} cases[] = {
	    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": "
	     "[{\"architecture\": \"SCMP_ARCH_X86_64@\", "
	     "\"subArchitectures\": [\"SCMP_ARCH_X86@\"]}], "
	     "\"defaultErrno\": \"EPERM@\"}",
	     {"/archMap/0/architecture", "/archMap/0/subArchitectures/0",
	      "/defaultErrno"}},
	    {"{\"ociVersion\": \"1.0.2@\", \"process\": {\"args\": "
	     "[\"sh@\"]}, \"linux\": {\"seccomp\": {\"defaultAction\": "
	     "\"SCMP_ACT_ERRNO@\"}}}",
	     {"/ociVersion", "/process/args/0",
	      "/linux/seccomp/defaultAction"}},
	};

	for (size_t c = 0; c < CF_ARRAY_SIZE(cases); c++) {
		struct cf_profile *p;
		struct cf_error err;
		size_t at = 0;
		char *text = sp_fill(cases[c].tmpl, -1, "", &at);

		CHECK(sp_parse(text, &p, &err) == 0);
		cf_profile_free(p);
		free(text);
		for (int k = 0; k < 3; k++) {
			text = sp_fill(cases[c].tmpl, k, "\\u0000", &at);
			if (CHECK(sp_parse(text, &p, &err) == -EINVAL)) {
				CHECK_STR(err.pointer, cases[c].ptrs[k]);
				CHECK_CONTAINS(err.msg, "contains U+0000");
			}
			cf_profile_free(p);
			free(text);
		}
	}
}

/* The example: on the old reader "CAP_CHOWN\u0000" matched
 * CAP_CHOWN and dropped a deny rule Docker keeps. */
TEST(strict_nul_cap_does_not_drop_a_rule)
{
	struct cf_profile *p;
	struct cf_error err;
	char buf[1024], want[1024];
	const char *text =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"chown\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"excludes\": {\"caps\": [\"CAP_CHOWN\\u0000\"]}}]}";

	CHECK(sp_parse(text, &p, &err) == -EINVAL);
	snprintf(want, sizeof(want), "p.json:1:%d: /syscalls/0/excludes/caps/0",
		 (int)(strstr(text, "\"CAP_CHOWN") - text + 1));
	CHECK_STR(
	    cf_error_str(&err, buf, sizeof(buf)),
	    strcat(want,
		   ": string "
		   "'CAP_CHOWN\\u0000' contains U+0000 (Docker compares every "
		   "byte, so 'CAP_CHOWN\\u0000' is not CAP_CHOWN there, while "
		   "a reader of C strings stops at the NUL); remove the "
		   "\\u0000"));
	cf_profile_free(p);
}

/* ---- duplicate keys ------------------------------------------------------ */

struct dup_case {
	const char *text;
	const char *k1, *k2; /* the two keys as written, quoted (k2 is
			      * searched after k1) */
	const char *p1, *p2; /* their pointers */
};

static const struct dup_case dups[] = {
    /* the case: syscalls twice */
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
     " \"syscalls\": [{\"names\": [\"chown\"], \"action\": "
     "\"SCMP_ACT_ERRNO\"}],\n"
     " \"syscalls\": []}",
     "\"syscalls\"", "\"syscalls\"", "/syscalls", "/syscalls"},
    /* keys match case-insensitively, so these are one key */
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [], "
     "\"Syscalls\": []}",
     "\"syscalls\"", "\"Syscalls\"", "/syscalls", "/Syscalls"},
    {"{\"DefaultAction\": \"SCMP_ACT_ALLOW\",\n\"defaultACTION\": "
     "\"SCMP_ACT_ERRNO\"}",
     "\"DefaultAction\"", "\"defaultACTION\"", "/DefaultAction",
     "/defaultACTION"},
    /* Go folds U+017F (long s) to 's' and U+212A (Kelvin) to 'k' */
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [], "
     "\"\xc5\xbfyscalls\": []}",
     "\"syscalls\"", "\"\xc5\xbfyscalls\"", "/syscalls", "/\xc5\xbfyscalls"},
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
     "[\"chown\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\": "
     "{\"minKernel\": \"4.8\", \"min\\u212aernel\": \"9.9\"}}]}",
     "\"minKernel\"", "\"min\\u212aernel\"", "/syscalls/0/includes/minKernel",
     "/syscalls/0/includes/min\xe2\x84\xaa"
     "ernel"},
    /* unknown keys repeat too, and anywhere */
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"x\": 1, \"X\": 2}", "\"x\"",
     "\"X\"", "/x", "/X"},
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"x\": {\"a\": {\"b\": 1, "
     "\"b\": 2}}}",
     "\"b\"", "\"b\"", "/x/a/b", "/x/a/b"},
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
     "[\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
     "[{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\",\n"
     "\"value\": 9}]}]}",
     "\"value\"", "\"value\"", "/syscalls/0/args/0/value",
     "/syscalls/0/args/0/value"},
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
     "[\"chown\"], \"names\": [\"kcmp\"], \"action\": "
     "\"SCMP_ACT_ERRNO\"}]}",
     "\"names\"", "\"names\"", "/syscalls/0/names", "/syscalls/0/names"},
    /* a key with '/' and '~' keeps RFC 6901 escapes in both pointers */
    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"a/~\": 1, \"A/~\": 2}",
     "\"a/~\"", "\"A/~\"", "/a~1~0", "/A~1~0"},
    /* in a whole OCI config.json, outside linux.seccomp as well */
    {"{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"], "
     "\"cwd\": \"/\", \"cwd\": \"/tmp\"}, \"linux\": {\"seccomp\": "
     "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}}}",
     "\"cwd\"", "\"cwd\"", "/process/cwd", "/process/cwd"},
};

TEST(strict_duplicate_keys_name_both_places)
{
	for (size_t i = 0; i < CF_ARRAY_SIZE(dups); i++) {
		const char *text = dups[i].text;
		const char *at1 = strstr(text, dups[i].k1);
		const char *at2 = at1 ? strstr(at1 + 1, dups[i].k2) : NULL;
		struct cf_profile *p;
		struct cf_error err;
		uint32_t l1, c1, l2, c2;
		char want[256];

		if (!CHECK(at1 && at2))
			continue;
		sp_linecol(text, (size_t)(at1 - text), &l1, &c1);
		sp_linecol(text, (size_t)(at2 - text), &l2, &c2);
		if (!CHECK(sp_parse(text, &p, &err) == -EINVAL)) {
			t_note("accepted: %s", text);
			cf_profile_free(p);
			continue;
		}
		CHECK_STR(err.file, "p.json");
		CHECK_STR(err.pointer, dups[i].p2);
		CHECK_EQ(err.line, l2);
		CHECK_EQ(err.col, c2);
		CHECK_CONTAINS(err.msg, "duplicate key");
		snprintf(want, sizeof(want), "first at %u:%u as %s ", l1, c1,
			 dups[i].p1);
		CHECK_CONTAINS(err.msg, want);
	}
}

/* Distinct keys are not duplicates: different names, names that only look
 * alike, non-ASCII letters Go's folding cannot take to a field name. */
TEST(strict_distinct_keys_are_accepted)
{
	static const char *const ok[] = {
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"name\": "
	    "\"kcmp\", \"names\": [], \"action\": \"SCMP_ACT_ERRNO\"}]}",
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"x\": {\"\xc3\xa9\": 1, "
	    "\"\xc3\x89\": 2, \"s\": 3, \"k\": 4, \"ss\": 5}}",
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"x\": [{\"a\": 1}, "
	    "{\"a\": 1}]}",
	};

	for (size_t i = 0; i < CF_ARRAY_SIZE(ok); i++) {
		struct cf_profile *p;
		struct cf_error err;

		if (!CHECK(sp_parse(ok[i], &p, &err) == 0))
			t_note("%s", err.msg);
		cf_profile_free(p);
	}
}

/* Big objects go through the sorted check: the earliest repeat (in the
 * document) is the one reported, with its first occurrence; no false
 * repeat among many distinct keys. */
TEST(strict_duplicate_keys_in_big_objects)
{
	char *text = malloc(1 << 16);
	struct cf_profile *p;
	struct cf_error err;
	size_t off;

	for (int dup = -1; dup < 3; dup++) {
		off = (size_t)sprintf(text, "{\"defaultAction\": "
					    "\"SCMP_ACT_ALLOW\", \"x\": {");
		for (int i = 0; i < 400; i++) {
			int k = i;

			/* member 300 repeats 17 (as K17), member 200
			 * repeats 250, member 350 repeats 17 again */
			if (dup >= 0 && i == 300)
				k = 17;
			if (dup >= 1 && i == 250)
				k = 200;
			if (dup >= 2 && i == 350)
				k = 17;
			off += (size_t)sprintf(text + off, "%s\"%s%d\": %d",
					       i ? ", " : "",
					       i == 300 ? "K" : "k", k, i);
		}
		strcpy(text + off, "}}");
		if (dup < 0) {
			CHECK(sp_parse(text, &p, &err) == 0);
			cf_profile_free(p);
			continue;
		}
		if (!CHECK(sp_parse(text, &p, &err) == -EINVAL)) {
			cf_profile_free(p);
			continue;
		}
		CHECK_CONTAINS(err.msg, "duplicate key");
		if (dup == 0) {
			CHECK_STR(err.pointer, "/x/K17");
			CHECK_CONTAINS(err.msg, "as /x/k17 ");
		} else {
			CHECK_STR(err.pointer, "/x/k200");
			CHECK_CONTAINS(err.msg, "as /x/k200 ");
		}
	}
	free(text);
}

/* Go matches the long s and the Kelvin sign to 's' and 'k': so does
 * callfence (the old reader ignored these keys: rules Docker applies). */
TEST(strict_keys_fold_like_go)
{
	struct cf_profile *p;
	struct cf_error err;

	if (CHECK(sp_parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", "
			   "\"\xc5\xbfy\xc5\xbf"
			   "calls\": [{\"names\": "
			   "[\"kcmp\"], \"action\": \"SCMP_ACT_ERRNO\", "
			   "\"includes\": {\"min\xe2\x84\xaa"
			   "ernel\": "
			   "\"4.8\"}}]}",
			   &p, &err) == 0)) {
		CHECK_EQ(p->nsyscalls, 1);
		if (p->nsyscalls == 1)
			CHECK_EQ(p->syscalls[0].includes.min_kernel_v,
				 4 << 16 | 8);
	}
	cf_profile_free(p);
}

/* ---- unsigned numbers ---------------------------------------------------- */

/* Go's decoder reads these fields with strconv.ParseUint: digits only. */
TEST(strict_unsigned_fields_take_digits_only)
{
	static const char *const fields[] = {
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": @}",
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"errnoRet\": @}]}",
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"args\": [{\"index\": @, \"value\": 8, \"op\": "
	    "\"SCMP_CMP_EQ\"}]}]}",
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"args\": [{\"index\": 0, \"value\": @, \"op\": "
	    "\"SCMP_CMP_EQ\"}]}]}",
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"args\": [{\"index\": 0, \"value\": 8, \"valueTwo\": @, "
	    "\"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}",
	};
	static const struct {
		const char *num;
		const char *msg; /* "" = accepted */
	} nums[] = {
	    {"0", ""},
	    {"1", ""},
	    {"-0", "takes no sign"},
	    {"-1", "takes no sign"},
	    {"-0.0", "takes no sign"},
	    {"1e0", "digits only"},
	    {"1E0", "digits only"},
	    {"0e5", "digits only"},
	    {"1.0", "digits only"},
	    {"0.0", "digits only"},
	    {"1e-0", "digits only"},
	    /* not JSON at all: the reader refuses them */
	    {"+1", "invalid JSON"},
	    {"01", "invalid JSON"},
	    {"00", "invalid JSON"},
	    {"0x1", "invalid JSON"},
	    {".5", "invalid JSON"},
	    {"1.", "invalid JSON"},
	    {"Infinity", "invalid JSON"},
	    {"NaN", "invalid JSON"},
	    {"- 1", "invalid JSON"},
	    {"1_0", "invalid JSON"},
	};

	for (size_t f = 0; f < CF_ARRAY_SIZE(fields); f++) {
		for (size_t i = 0; i < CF_ARRAY_SIZE(nums); i++) {
			struct cf_profile *p;
			struct cf_error err;
			size_t at;
			char *text = sp_fill(fields[f], 0, nums[i].num, &at);
			int rc = sp_parse(text, &p, &err);

			if (!nums[i].msg[0]) {
				CHECK(rc == 0);
			} else if (CHECK(rc == -EINVAL)) {
				CHECK_CONTAINS(err.msg, nums[i].msg);
				CHECK(err.line == 1 && err.col > 1);
			} else {
				t_note("accepted %s in %s", nums[i].num,
				       fields[f]);
			}
			cf_profile_free(p);
			free(text);
		}
	}
}

/* ---- the reader's own input checks ----------------------------------------
 */

TEST(strict_reader_refuses_hostile_input)
{
	static const struct {
		const char *text;
		size_t len; /* 0: strlen */
		const char *msg;
	} bad[] = {
	    {"\xef\xbb\xbf{}", 0, "byte order mark"},
	    {"\xff\xfe{\0}\0", 6, "UTF-16"},
	    {"{\0\"\0}\0", 6, "UTF-16"},
	    {"{}\0", 3, "after the JSON value"},
	    {"{} {}", 0, "after the JSON value"},
	    {"{\"a\": \"\xc0\x80\"}", 0, "invalid UTF-8"}, /* overlong NUL */
	    {"{\"a\": \"\xed\xa0\x80\"}", 0, "invalid UTF-8"}, /* surrogate */
	    {"{\"a\": \"\xf4\x90\x80\x80\"}", 0, "invalid UTF-8"},
	    {"{\"a\": \"\\udc00\"}", 0, "lone low surrogate"},
	    {"{\"a\": \"\\ud800x\"}", 0, "high surrogate"},
	    {"{\"a\": \"\\ud800\\u0041\"}", 0, "high surrogate"},
	    {"{\"a\": \"\x01\"}", 0, "control character"},
	    {"{\"a\": \"\\x41\"}", 0, "bad escape"},
	    {"{\"a\": tru}", 0, "unexpected 't'"},
	    {"{\"a\": \x01}", 0, "unexpected byte 0x01"},
	    {"{'a': 1}", 0, "found '''"},
	};

	for (size_t i = 0; i < CF_ARRAY_SIZE(bad); i++) {
		struct cf_profile *p = NULL;
		struct cf_error err;
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);

		if (CHECK(cf_profile_parse(bad[i].text, len, "p.json", &p,
					   &err) == -EINVAL)) {
			CHECK_CONTAINS(err.msg, "invalid JSON");
			CHECK_CONTAINS(err.msg, bad[i].msg);
			CHECK(err.line >= 1 && err.col >= 1);
		}
		cf_profile_free(p);
	}
}

/* A name with a terminal escape reaches messages as \u001b, never raw. */
TEST(strict_messages_escape_control_characters)
{
	struct cf_profile *p;
	struct cf_error err;

	CHECK(sp_parse("{\"defaultAction\": \"SCMP_ACT_\\u001b[2J\\u009b0m"
		       "\\n\"}",
		       &p, &err) == -EINVAL);
	CHECK_CONTAINS(err.msg, "'SCMP_ACT_\\u001b[2J\\u009b0m\\u000a'");
	CHECK(!strchr(err.msg, '\x1b') && !strchr(err.msg, '\n') &&
	      !strstr(err.msg, "\xc2\x9b"));
	cf_profile_free(p);
	CHECK(sp_parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"a\\u001b\": "
		       "[1 2]}",
		       &p, &err) == -EINVAL);
	CHECK(sp_parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"a\\u001b\": "
		       "{\"b\": 1, \"b\": 2}}",
		       &p, &err) == -EINVAL);
	CHECK_STR(err.pointer, "/a\\u001b/b");
	cf_profile_free(p);
}

/* Nesting: 512 levels are read (and checked) without trouble, 513 are
 * refused, and a deep document with a repeat deep inside is refused. */
TEST(strict_deep_documents)
{
	size_t n = 600, off;
	char *text = malloc(n * 8 + 256);
	struct cf_profile *p;
	struct cf_error err;

	for (int depth = 510; depth <= 513; depth += 3) {
		/* the root object is one level, "x" and its arrays the rest */
		off = (size_t)sprintf(text, "{\"defaultAction\": "
					    "\"SCMP_ACT_ALLOW\", \"x\": ");
		for (int i = 0; i < depth - 2; i++)
			text[off++] = '[';
		off += (size_t)sprintf(text + off, "{\"a\": 1, \"A\": 2}");
		for (int i = 0; i < depth - 2; i++)
			text[off++] = ']';
		strcpy(text + off, "}");
		if (CHECK(sp_parse(text, &p, &err) == -EINVAL))
			CHECK_CONTAINS(err.msg, depth <= 512 ? "duplicate key"
							     : "nesting");
		cf_profile_free(p);
	}
	free(text);
}

/* ---- through the binary: refused, exit 125, the command not run --------- */

static int sp_run(const char *profile, const char *marker)
{
	char opt[4200], cmd[4200];
	pid_t pid;
	int ws;

	snprintf(opt, sizeof(opt), "seccomp=%s", profile);
	snprintf(cmd, sizeof(cmd), "echo ran > %s", marker);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(99);
		execl(t_callfence_bin(), t_callfence_bin(), "run",
		      "--security-opt", opt, "--", "/bin/sh", "-c", cmd,
		      (char *)NULL);
		_exit(97);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws))
		return -1;
	return WEXITSTATUS(ws);
}

TEST(strict_run_refuses_before_running)
{
	static const char *const bad[] = {
	    /* fake success for mkdir on the old reader */
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"errnoRet\": -0}]}",
	    /* the deny rule dropped on the old reader */
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"chown\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"excludes\": {\"caps\": [\"CAP_CHOWN\\u0000\"]}}]}",
	    /* the deny rules replaced on the old reader */
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	    "[{\"names\": [\"chown\"], \"action\": \"SCMP_ACT_ERRNO\"}], "
	    "\"Syscalls\": []}",
	};
	const char *good = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", "
			   "\"syscalls\": [{\"names\": [\"kcmp\"], \"action\": "
			   "\"SCMP_ACT_ERRNO\"}]}";
	char dir[] = "/tmp/cf-strict-XXXXXX", prof[256], marker[256];
	FILE *f;

	if (access(t_callfence_bin(), X_OK)) {
		t_fail(__FILE__, __LINE__, "%s is missing", t_callfence_bin());
		return;
	}
	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	for (size_t i = 0; i <= CF_ARRAY_SIZE(bad); i++) {
		bool control = i == CF_ARRAY_SIZE(bad);
		int rc;

		f = fopen(prof, "we");
		if (!CHECK(f != NULL))
			break;
		fputs(control ? good : bad[i], f);
		fclose(f);
		unlink(marker);
		rc = sp_run(prof, marker);
		if (control) {
			/* the same run with a good profile does run (where
			 * this machine lets callfence install a filter) */
			if (rc == 0)
				CHECK(access(marker, F_OK) == 0);
			else
				t_note("control run exited %d", rc);
			continue;
		}
		CHECK_EQ(rc, 125);
		CHECK(access(marker, F_OK) != 0);
	}
	unlink(marker);
	unlink(prof);
	rmdir(dir);
}

/* Warnings too: `check` on a profile whose unknown key holds a terminal
 * escape prints it as \u001b, never the raw byte. */
TEST(strict_check_warnings_escape_control_characters)
{
	char dir[] = "/tmp/cf-strict-XXXXXX", prof[256], cmd[1024];
	char out[8192];
	size_t n;
	FILE *f;

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	f = fopen(prof, "we");
	if (!CHECK(f != NULL))
		return;
	fputs("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
	      "[{\"names\": [\"read\\u001b[2J\"], \"action\": "
	      "\"SCMP_ACT_ALLOW\", \"x\\u001b]0;pwned\\u0007\": 1}]}",
	      f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s check %s 2>&1", t_callfence_bin(), prof);
	f = popen(cmd, "re");
	n = f ? fread(out, 1, sizeof(out) - 1, f) : 0;
	out[n] = 0;
	if (f)
		pclose(f);
	CHECK_CONTAINS(out, "x\\u001b]0;pwned\\u0007");
	CHECK_CONTAINS(out, "read\\u001b[2J");
	CHECK(!memchr(out, 0x1b, n) && !memchr(out, 0x07, n));
	unlink(prof);
	rmdir(dir);
}

/* A long key is cut in messages, never inside a UTF-8 sequence. */
TEST(strict_long_keys_cut_on_character_boundaries)
{
	char key[80], text[300];
	struct cf_profile *p;
	struct cf_error err;
	const unsigned char *m;

	memset(key, 'a', 59);
	strcpy(key + 59, "\xc3\xa9xyz"); /* an e-acute on bytes 59-60 */
	snprintf(
	    text, sizeof(text),
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"%s\": 1, \"%s\": 2}",
	    key, key);
	if (!CHECK(sp_parse(text, &p, &err) == -EINVAL))
		return;
	CHECK_CONTAINS(err.msg, "duplicate key 'aaaa");
	CHECK_CONTAINS(err.msg, "a...'");
	for (m = (const unsigned char *)err.msg; *m; m++)
		if (*m == 0xc3)
			CHECK(*++m == 0xa9);
		else
			CHECK(*m < 0x80);
}

/* Keys, actions and operators one byte off a known name (in its first,
 * middle or last word: the reader compares names a word at a time) are
 * not that name; the JSON pointers of the messages are whole (written a
 * word at a time too). */
TEST(strict_distinct_names_one_byte_off)
{
	static const struct {
		const char *rule, *pointer, *msg;
	} cases[] = {
	    {"\"names\": [\"read\"], \"axtion\": \"SCMP_ACT_ALLOW\"",
	     "/syscalls/0", "rule without 'action'"},
	    {"\"names\": [\"read\"], \"actiom\": \"SCMP_ACT_ALLOW\"",
	     "/syscalls/0", "rule without 'action'"},
	    {"\"names\": [\"read\"], \"action\": \"SCMP_ACX_ALLOW\"",
	     "/syscalls/0/action", "unknown action 'SCMP_ACX_ALLOW'"},
	    {"\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALXOW\"",
	     "/syscalls/0/action", "unknown action 'SCMP_ACT_ALXOW'"},
	    {"\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
	     "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMX_EQ\"}]",
	     "/syscalls/0/args/0/op", "unknown operator 'SCMP_CMX_EQ'"},
	    {"\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
	     "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_XASKED_EQ\"}]",
	     "/syscalls/0/args/0/op", "unknown operator 'SCMP_CMP_XASKED_EQ'"},
	};

	for (size_t i = 0; i < CF_ARRAY_SIZE(cases); i++) {
		char text[400];
		struct cf_profile *p;
		struct cf_error err;

		snprintf(
		    text, sizeof(text),
		    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		    "[{%s}]}",
		    cases[i].rule);
		if (!CHECK(sp_parse(text, &p, &err) == -EINVAL))
			continue;
		CHECK_STR(err.pointer, cases[i].pointer);
		CHECK_CONTAINS(err.msg, cases[i].msg);
	}
}
