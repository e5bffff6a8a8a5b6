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
