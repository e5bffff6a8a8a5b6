/* SPDX-License-Identifier: Apache-2.0 */
/* json.h - the strict RFC 8259 reader: bytes -> a JSON tree whose every
 * value carries its line:col (json.c). */
#ifndef CF_JSON_H
#define CF_JSON_H

#include "base.h"

enum cf_json_type {
	CF_JSON_NULL,
	CF_JSON_FALSE,
	CF_JSON_TRUE,
	CF_JSON_NUMBER,
	CF_JSON_STRING,
	CF_JSON_ARRAY,
	CF_JSON_OBJECT,
};

struct cf_json;
struct cf_json_member {
	const char
	    *key; /* unescaped, NUL-terminated (may contain NUL: keylen) */
	size_t keylen;
	uint32_t line, col; /* of the key */
	struct cf_json *val;
};

struct cf_json {
	enum cf_json_type type;
	uint32_t line, col; /* 1-based, col counts bytes */
	/* CF_JSON_F_NUL (on the root only): a string or key somewhere holds
	 * U+0000 (written \u0000); CF_JSON_F_FOLD (on the root only): an
	 * object somewhere may repeat a key as a reader that matches keys
	 * without regard to case (Go's encoding/json) sees them: two of its
	 * keys are equal but for ASCII case, or a key has an escape or a
	 * non-ASCII character, or it has more than CF_JSON_PAIRWISE members
	 * (keys not compared); CF_JSON_F_NESTED (on arrays): an item is an
	 * array or an object. So that a reader looking for these need not walk
	 * every string and key. */
	uint32_t flags;
	union {
		struct {
			const char *text; /* the number's source text */
			size_t len;
		} num;
		struct {
			const char *s; /* unescaped UTF-8, NUL-terminated */
			size_t len;
		} str;
		struct {
			struct cf_json **items;
			size_t n;
		} arr;
		struct {
			struct cf_json_member *m;
			size_t n;
		} obj;
	} u;
};

#define CF_JSON_F_NUL 1U
#define CF_JSON_F_NESTED 2U
#define CF_JSON_F_FOLD 4U
/* Objects of up to this many members have their keys compared pair by
 * pair (the reader's CF_JSON_F_FOLD, the profile's duplicate check);
 * larger ones are sorted or flagged unseen. */
#define CF_JSON_PAIRWISE 16

/* Parses buf (must be valid UTF-8, one value, nesting <= 512) into arena
 * memory. Errors carry line:col and file. */
int cf_json_parse(struct cf_arena *a, const char *buf, size_t len,
		  const char *file, struct cf_json **out, struct cf_error *err);
/* Same, with the string values (only) in strings: nodes can then be
 * released while the strings live on. */
int cf_json_parse2(struct cf_arena *nodes, struct cf_arena *strings,
		   const char *buf, size_t len, const char *file,
		   struct cf_json **out, struct cf_error *err);
/* Exact unsigned 64-bit value of a number written with digits only, as
 * Go's strconv.ParseUint reads it: -EDOM if it has a sign (even -0), a
 * fraction or an exponent (even 1.0 or 1e2), -ERANGE if > 2^64-1, -EINVAL
 * if not a number. */
int cf_json_u64(const struct cf_json *v, uint64_t *out);
const char *cf_json_type_name(enum cf_json_type t);
/* The value of o's first member named key (compared as a C string), or
 * NULL when o is NULL, no object, or has no such member. */
const struct cf_json *cf_json_get(const struct cf_json *o, const char *key);

#endif
