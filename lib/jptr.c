/* SPDX-License-Identifier: Apache-2.0 */
/* JSON pointers (jptr.h). */
#include "jptr.h"

#include <string.h>

static size_t ndigits(size_t n)
{
	size_t nd = 1;

	while (n >= 10) {
		n /= 10;
		nd++;
	}
	return nd;
}

/* What a key's byte takes in its token: 0 the end (NUL), 2 for '~' and
 * '/' (escaped), else 1. A table, so that cf_jptr_len tests each byte
 * once. */
#define T1(c) ((c) == 0 ? 0 : (c) == '~' || (c) == '/' ? 2 : 1)
#define T4(c) T1(c), T1(c + 1), T1(c + 2), T1(c + 3)
#define T16(c) T4(c), T4(c + 4), T4(c + 8), T4(c + 12)
#define T64(c) T16(c), T16(c + 16), T16(c + 32), T16(c + 48)
static const unsigned char token_bytes[256] = {T64(0), T64(64), T64(128),
					       T64(192)};
#undef T64
#undef T16
#undef T4
#undef T1

size_t cf_jptr_len(size_t plen, const char *key, size_t index)
{
	unsigned char k;

	if (!key)
		return plen + 1 + ndigits(index);
	while ((k = token_bytes[(unsigned char)*key++]))
		plen += k;
	return plen + 1;
}

bool cf_jptr_plain(const char *key, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (token_bytes[(unsigned char)key[i]] != 1)
			return false;
	return true;
}

char *cf_jptr_digits(char *end, size_t index)
{
	do
		*--end = (char)('0' + index % 10);
	while (index /= 10);
	return end;
}

size_t cf_jptr_write(char *out, const char *parent, size_t plen,
		     const char *key, size_t index)
{
	char *o = out + plen;

	memmove(out, parent, plen);
	*o++ = '/';
	if (!key) {
		o += ndigits(index);
		cf_jptr_digits(o, index);
	}
	for (; key && *key; key++) {
		if (*key == '~' || *key == '/') {
			*o++ = '~';
			*o++ = *key == '~' ? '0' : '1';
		} else
			*o++ = *key;
	}
	*o = 0;
	return (size_t)(o - out);
}
