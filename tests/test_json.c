/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON reader: conformance, exact numbers, error positions. */
#include "t.h"

#include "base.h"
#include "json.h"

#include <dirent.h>
#include <stdlib.h>

static int parse(const char *text, struct cf_json **out, struct cf_error *err,
		 struct cf_arena *a)
{
	return cf_json_parse(a, text, strlen(text), "t.json", out, err);
}

TEST(json_accepts_valid_documents)
{
	static const char *const ok[] = {
	    "{}",
	    "[]",
	    "0",
	    "-0",
	    "1.5e-3",
	    "\"\\u00e9\\ud83d\\ude00\"",
	    " {\"a\": [1, 2, {\"b\": null}], \"c\": true, \"d\": false} ",
	    "\"caf\xc3\xa9\"",
	    "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
	};
	struct cf_arena a = {0};
	struct cf_json *v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK(parse(ok[i], &v, NULL, &a) == 0);
	cf_arena_release(&a);
}

TEST(json_rejects_invalid_documents_with_positions)
{
	static const struct {
		const char *text;
		uint32_t line, col;
		const char *msg;
	} bad[] = {
	    {"{\"a\": 1,}", 1, 9, "trailing comma"},
	    {"[1 2]", 1, 4, "expected ','"},
	    {"{\n  \"a\": tru\n}", 2, 8, "expected a value"},
	    {"01", 1, 1, "leading zero"},
	    {"\"a\nb\"", 1, 3, "newline in string"},
	    {"\"\\ud800\"", 1, 2, "surrogate"},
	    {"\"\xff\"", 1, 2, "UTF-8"},
	    {"{} x", 1, 4, "after the JSON value"},
	    {"", 1, 1, "end of input"},
	    {"\"abc", 1, 1, "unterminated"},
	    {"\"\\", 1, 1, ""}, /* escape at the end: found by fuzzing */
	    {"// comment\n{}", 1, 1, "expected a value"},
	    {"1.", 1, 3, "digits after"},
	};
	struct cf_arena a = {0};
	struct cf_json *v;
	struct cf_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!CHECK(parse(bad[i].text, &v, &err, &a) == -EINVAL))
			continue;
		CHECK_EQ(err.line, bad[i].line);
		if (bad[i].msg[0]) {
			CHECK_EQ(err.col, bad[i].col);
			CHECK_CONTAINS(err.msg, bad[i].msg);
		}
		CHECK_STR(err.file, "t.json");
	}
	cf_arena_release(&a);
}

TEST(json_nesting_limit)
{
	char deep[2100];
	struct cf_arena a = {0};
	struct cf_json *v;
	struct cf_error err;

	memset(deep, '[', 1024);
	memset(deep + 1024, ']', 1024);
	deep[2048] = 0;
	CHECK(parse(deep, &v, &err, &a) == -EINVAL);
	CHECK_CONTAINS(err.msg, "nesting");
	memset(deep, '[', 500);
	memset(deep + 500, ']', 500);
	deep[1000] = 0;
	CHECK(parse(deep, &v, &err, &a) == 0);
	cf_arena_release(&a);
}

TEST(json_exact_u64)
{
	static const struct {
		const char *text;
		int rc;
		uint64_t v;
	} cases[] = {
	    {"0", 0, 0},
	    {"-0", -EDOM, 0}, /* Go's ParseUint: no sign */
	    {"4294967296", 0, 4294967296ULL},
	    {"9223372036854775808", 0, 9223372036854775808ULL},
	    {"18446744073709551615", 0, UINT64_MAX},
	    {"18446744073709551616", -ERANGE, 0},
	    {"99999999999999999999999", -ERANGE, 0},
	    {"-1", -EDOM, 0},
	    {"1.0", -EDOM, 0},
	    {"1e2", -EDOM, 0},
	    {"18446744073709551614", 0, UINT64_MAX - 1},
	};
	struct cf_arena a = {0};
	struct cf_json *v;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = 0;

		if (!CHECK(parse(cases[i].text, &v, NULL, &a) == 0))
			continue;
		CHECK_EQ(cf_json_u64(v, &got), cases[i].rc);
		if (cases[i].rc == 0)
			CHECK_EQ(got, cases[i].v);
	}
	cf_arena_release(&a);
}

/* Inputs that once crashed a fuzz target must be rejected cleanly. */
TEST(json_fuzz_regressions)
{
	DIR *d = opendir("tests/regress");
	struct dirent *e;
	unsigned n = 0;

	if (!CHECK(d != NULL))
		return;
	while ((e = readdir(d))) {
		char path[512];
		struct cf_profile *p = NULL;
		struct cf_error err;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "tests/regress/%s", e->d_name);
		CHECK(cf_profile_load(path, &p, &err) < 0);
		cf_profile_free(p);
		n++;
	}
	closedir(d);
	CHECK(n > 0);
}

/* cf_json_get: an object's first member of that name, NULL otherwise. */
TEST(json_get_finds_a_member_by_name)
{
	struct cf_arena a = {0};
	struct cf_json *v = NULL, *arr = NULL;
	const struct cf_json *got;

	if (!CHECK(parse("{\"a\": 1, \"b\": \"x\", \"a\": 2, \"c\": {\"d\": "
			 "true}}",
			 &v, NULL, &a) == 0) ||
	    !CHECK(parse("[{\"a\": 1}]", &arr, NULL, &a) == 0)) {
		cf_arena_release(&a);
		return;
	}
	got = cf_json_get(v, "a");
	CHECK(got && got->type == CF_JSON_NUMBER && got->u.num.len == 1 &&
	      got->u.num.text[0] == '1');
	got = cf_json_get(v, "b");
	CHECK(got && got->type == CF_JSON_STRING && !strcmp(got->u.str.s, "x"));
	got = cf_json_get(cf_json_get(v, "c"), "d");
	CHECK(got && got->type == CF_JSON_TRUE);
	CHECK(cf_json_get(v, "z") == NULL);
	CHECK(cf_json_get(v, "") == NULL);
	CHECK(cf_json_get(arr, "a") == NULL); /* an array has no members */
	CHECK(cf_json_get(NULL, "a") == NULL);
	CHECK(cf_json_get(cf_json_get(v, "z"), "a") == NULL);
	cf_arena_release(&a);
}

/* CF_JSON_F_FOLD, on the root: set when an object may repeat a key to a
 * reader that matches keys without regard to case (two keys equal but for
 * ASCII case, a key with an escape or a non-ASCII byte, more than 16
 * members), at any depth; never for distinct plain keys. The profile
 * reader's repeated-key check runs only with it (or CF_JSON_F_NUL). */
TEST(json_fold_flag_marks_objects_that_may_repeat_a_key)
{
	static const struct {
		const char *text;
		bool fold;
	} cases[] = {
	    {"{\"names\": 1, \"action\": 2, \"args\": 3}", false},
	    {"{\"index\": 1, \"value\": 2, \"op\": 3, \"valueTwo\": 4}", false},
	    {"[{\"a\": 1}, {\"a\": 1}, {\"b\": {\"a\": [{\"a\": 0}]}}]", false},
	    {"{\"a\": \"A\", \"b\": [\"\\u00e9\"]}", false}, /* values only */
	    {"{\"ab\": 1, \"aB\": 2}", true},
	    {"{\"x\": [{\"y\": {\"Key\": 1, \"kEY\": 2}}]}", true},
	    {"{\"a\": 1, \"a\": 2}", true},
	    {"{\"\": 1, \"\": 2}", true},
	    {"{\"@\": 1, \"`\": 2}", true}, /* not letters: still compared */
	    {"{\"\\u0061\": 1}", true},	    /* an escape */
	    {"{\"\xc5\xbf\": 1}", true},    /* U+017F folds to 's' */
	    {"{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0,"
	     "\"i\":0,\"j\":0,\"k\":0,\"l\":0,\"m\":0,\"n\":0,\"o\":0,\"p\":0}",
	     false}, /* 16 members: compared */
	    {"{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0,"
	     "\"i\":0,\"j\":0,\"k\":0,\"l\":0,\"m\":0,\"n\":0,\"o\":0,\"p\":0,"
	     "\"q\":0}",
	     true}, /* 17: not compared */
	};
	struct cf_arena a = {0};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cf_json *v = NULL;

		if (!CHECK(parse(cases[i].text, &v, NULL, &a) == 0))
			continue;
		if (!CHECK((v->flags & CF_JSON_F_FOLD) ? cases[i].fold
						       : !cases[i].fold))
			t_note("%s", cases[i].text);
	}
	cf_arena_release(&a);
}

/* The tape: values in document order, a container's len its elements and
 * next the nodes up to what follows it, a member as its key then its
 * value; strings end in place in the copy (the input is left as it was). */
TEST(json_tape_holds_the_document_in_order)
{
	static const char text[] = "{\"a\": [1, \"x\\ty\", {\"b\": null}],\n"
				   " \"c\": [], \"d\": -2.5e1}";
	struct cf_arena a = {0};
	struct cf_json_doc d;
	const struct cf_jv *v, *arr;

	if (!CHECK(cf_json_read(&a, text, strlen(text), "t.json", &d, NULL) ==
		   0))
		return;
	v = d.v;
	CHECK(d.n == 12 && v[0].type == CF_JSON_OBJECT && v[0].len == 3);
	CHECK(v[0].next == 12 && cf_jv_next(v) == v + d.n);
	CHECK(v[1].type == CF_JSON_STRING && !strcmp(v[1].s, "a"));
	arr = &v[2];
	CHECK(arr->type == CF_JSON_ARRAY && arr->len == 3 && arr->next == 6);
	CHECK(arr->flags & CF_JSON_F_NESTED);
	CHECK(arr[1].type == CF_JSON_NUMBER && arr[1].len == 1);
	CHECK(arr[2].type == CF_JSON_STRING && arr[2].len == 3 &&
	      !strcmp(arr[2].s, "x\ty"));
	CHECK(arr[3].type == CF_JSON_OBJECT && arr[3].len == 1 &&
	      arr[3].next == 3 && arr[5].type == CF_JSON_NULL);
	v = cf_jv_next(arr); /* "c" */
	CHECK(!strcmp(v->s, "c") && v->line == 2 && v->col == 2);
	CHECK(v[1].type == CF_JSON_ARRAY && v[1].len == 0 &&
	      !(v[1].flags & CF_JSON_F_NESTED) && v[1].next == 1);
	v = cf_jv_next(v + 1); /* "d" */
	CHECK(v[1].type == CF_JSON_NUMBER && v[1].len == 6 &&
	      !memcmp(v[1].s, "-2.5e1", 6));
	CHECK(!d.flags && text[3] == '"');
	cf_json_doc_free(&d);
	CHECK(d.v == NULL);
	cf_arena_release(&a);
}

/* Line:col after the whitespace runs that the reader skips by different
 * paths (skip_line after ',' and brackets, skip_ws elsewhere): a newline
 * and spaces, more than 8 and 16 spaces, tabs, CRLF, blank lines, spaces
 * around ':'. */
TEST(json_positions_after_whitespace_runs)
{
	static const char text[] =
	    "[\n 1,\n\t\"a\",\r\n\r\n                    2 ,  {\"k\"  :   3,\n"
	    "                  \"l\":\t4}\n\n]";
	static const struct {
		uint32_t line, col;
	} want[] = {{1, 1},  {2, 2},  {3, 2},  {5, 21}, {5, 26},
		    {5, 27}, {5, 36}, {6, 19}, {6, 24}};
	struct cf_arena a = {0};
	struct cf_json_doc d;
	struct cf_error err;

	if (!CHECK(cf_json_read(&a, text, strlen(text), "t.json", &d, NULL) ==
		   0))
		return;
	if (CHECK(d.n == CF_ARRAY_SIZE(want)))
		for (size_t i = 0; i < d.n; i++) {
			CHECK_EQ(d.v[i].line, want[i].line);
			CHECK_EQ(d.v[i].col, want[i].col);
		}
	cf_json_doc_free(&d);
	CHECK(cf_json_read(&a, "[1,\n  ", 6, "t.json", &d, &err) == -EINVAL);
	CHECK(err.line == 2 && err.col == 3);
	CHECK_CONTAINS(err.msg, "end of input");
	CHECK(cf_json_read(&a, "{\"a\"\n :\n\n 1\n ,\n}", 16, "t.json", &d,
			   &err) == -EINVAL);
	CHECK(err.line == 6 && err.col == 1);
	CHECK_CONTAINS(err.msg, "trailing comma");
	cf_arena_release(&a);
}
