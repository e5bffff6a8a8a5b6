/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jptr.h - JSON pointers (RFC 6901), the one way every stage writes them:
 * a parent pointer + "/" + one reference token, the token being an object
 * key escaped ('~' as "~0", '/' as "~1") or an array index in decimal.
 */
#ifndef CF_JPTR_H
#define CF_JPTR_H

#include <stddef.h>

/* The length of parent (plen bytes) + "/" + the token of key, or of index
 * when key is NULL; without the terminating NUL. */
size_t cf_jptr_len(size_t plen, const char *key, size_t index);
/* Writes that pointer and a NUL into out (cf_jptr_len + 1 bytes); returns
 * its length. */
size_t cf_jptr_write(char *out, const char *parent, size_t plen,
		     const char *key, size_t index);

#endif
