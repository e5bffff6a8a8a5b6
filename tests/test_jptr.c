/* SPDX-License-Identifier: Apache-2.0 */
/* JSON pointers (lib/jptr.h): keys escaped as RFC 6901 says, indexes in
 * decimal, lengths that match what is written. */
#include "t.h"

#include "jptr.h"

TEST(jptr_tokens_escaped_and_counted)
{
	static const struct {
		const char *parent, *key;
		size_t index;
		const char *want;
	} cases[] = {
	    {"", "syscalls", 0, "/syscalls"},
	    {"/syscalls", NULL, 0, "/syscalls/0"},
	    {"/syscalls", NULL, 12345, "/syscalls/12345"},
	    {"/syscalls/3", "names", 0, "/syscalls/3/names"},
	    {"", "a/b", 0, "/a~1b"},
	    {"/x", "~", 0, "/x/~0"},
	    {"", "~/~", 0, "/~0~1~0"},
	    {"", "", 0, "/"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[64];
		size_t plen = strlen(cases[i].parent);
		size_t len = cf_jptr_len(plen, cases[i].key, cases[i].index);
		size_t wrote = cf_jptr_write(out, cases[i].parent, plen,
					     cases[i].key, cases[i].index);

		CHECK_STR(out, cases[i].want);
		CHECK_EQ(len, strlen(cases[i].want));
		CHECK_EQ(wrote, len);
	}
}

TEST(jptr_appends_in_place)
{
	char buf[32] = "/syscalls";
	size_t n = cf_jptr_write(buf, buf, 9, NULL, 7);

	n = cf_jptr_write(buf, buf, n, "args", 0);
	CHECK_STR(buf, "/syscalls/7/args");
	CHECK_EQ(n, strlen("/syscalls/7/args"));
}

/* The pieces the profile reader builds its pointers from: a key that is
 * its own token, an index's digits. */
TEST(jptr_plain_keys_and_digits)
{
	char buf[CF_JPTR_DIGITS], want[32];
	const char *d;

	CHECK(cf_jptr_plain("names", 5));
	CHECK(cf_jptr_plain("", 0));
	CHECK(cf_jptr_plain("a~b", 1)); /* only n bytes are looked at */
	CHECK(!cf_jptr_plain("a~b", 3));
	CHECK(!cf_jptr_plain("a/b", 3));
	CHECK(!cf_jptr_plain("a\0b", 3));
	d = cf_jptr_digits(buf + sizeof(buf), 0);
	CHECK(d == buf + sizeof(buf) - 1 && *d == '0');
	d = cf_jptr_digits(buf + sizeof(buf), 1203);
	CHECK(buf + sizeof(buf) - d == 4 && !memcmp(d, "1203", 4));
	snprintf(want, sizeof(want), "%zu", (size_t)SIZE_MAX);
	d = cf_jptr_digits(buf + sizeof(buf), SIZE_MAX);
	CHECK((size_t)(buf + sizeof(buf) - d) == strlen(want) &&
	      !memcmp(d, want, strlen(want)));
}
