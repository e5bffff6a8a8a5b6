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

size_t cf_jptr_len(size_t plen, const char *key, size_t index)
{
	size_t n = 0;

	if (!key)
		return plen + 1 + ndigits(index);
	for (; key[n]; n++)
		plen += key[n] == '~' || key[n] == '/';
	return plen + 1 + n;
}

size_t cf_jptr_write(char *out, const char *parent, size_t plen,
		     const char *key, size_t index)
{
	char *o = out + plen;

	memmove(out, parent, plen);
	*o++ = '/';
	if (!key) {
		size_t nd = ndigits(index);

		for (size_t k = nd; k; k--, index /= 10)
			o[k - 1] = (char)('0' + index % 10);
		o += nd;
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
