/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jptr.h - JSON pointers (RFC 6901), the one way every stage writes them:
 * a parent pointer + "/" + one reference token, the token being an object
 * key escaped ('~' as "~0", '/' as "~1") or an array index in decimal.
 */
#ifndef CF_JPTR_H
#define CF_JPTR_H

#include <stdbool.h>
#include <stddef.h>

/* room for an index's digits (2^64 - 1 has 20) */
#define CF_JPTR_DIGITS 24

/* The length of parent (plen bytes) + "/" + the token of key, or of index
 * when key is NULL; without the terminating NUL. */
size_t cf_jptr_len(size_t plen, const char *key, size_t index);
/* Writes that pointer and a NUL into out (cf_jptr_len + 1 bytes); returns
 * its length. */
size_t cf_jptr_write(char *out, const char *parent, size_t plen,
		     const char *key, size_t index);

/* Whether the n bytes at key are their own token: no '~', '/' or NUL. */
bool cf_jptr_plain(const char *key, size_t n);
/* Writes the digits of index (its token) backwards from end; returns where
 * they start. */
char *cf_jptr_digits(char *end, size_t index);

#endif
