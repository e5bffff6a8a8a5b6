/* SPDX-License-Identifier: Apache-2.0 */
/* json.h - the strict RFC 8259 reader: bytes -> a tape (or a tree) of
 * JSON values, each with its line:col (json.c). */
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

/* A value on the tape of a document (cf_json_read): the values in
 * document order, each container followed by its elements, an object's
 * member as its key (a CF_JSON_STRING node) followed by its value. */
struct cf_jv {
	/* a string or a key: its text, unescaped, NUL-terminated (may hold
	 * NUL: len); a number: its source text; else NULL */
	const char *s;
	/* a string's, a key's, a number's bytes; an array's items; an
	 * object's members */
	uint32_t len;
	uint32_t next; /* nodes to the one after this value (1: a scalar) */
	uint32_t line, col; /* 1-based, col counts bytes */
	uint8_t type;	    /* enum cf_json_type */
	uint8_t flags;	    /* CF_JSON_F_NESTED (an array's) */
};

/* The node after v's value: its next sibling, or what follows its
 * container's last element. */
static inline const struct cf_jv *cf_jv_next(const struct cf_jv *v)
{
	return v + v->next;
}

struct cf_json_doc {
	struct cf_jv *v; /* the tape (malloc'd); v[0] is the document's value */
	size_t n;
	uint32_t flags; /* CF_JSON_F_NUL, CF_JSON_F_FOLD */
};

/* Reads buf (as cf_json_parse) onto a tape: the strings and keys in a
 * copy of buf in strings; cf_json_doc_free frees the tape. */
int cf_json_read(struct cf_arena *strings, const char *buf, size_t len,
		 const char *file, struct cf_json_doc *out,
		 struct cf_error *err);
void cf_json_doc_free(struct cf_json_doc *d);

/* Parses buf (must be valid UTF-8, one value, nesting <= 512) into arena
 * memory. Errors carry line:col and file. */
int cf_json_parse(struct cf_arena *a, const char *buf, size_t len,
		  const char *file, struct cf_json **out, struct cf_error *err);
/* Same, with the string values and the keys in strings: nodes can then
 * be released while the strings live on. */
int cf_json_parse2(struct cf_arena *nodes, struct cf_arena *strings,
		   const char *buf, size_t len, const char *file,
		   struct cf_json **out, struct cf_error *err);
/* Exact unsigned 64-bit value of a number written with digits only, as
 * Go's strconv.ParseUint reads it: -EDOM if it has a sign (even -0), a
 * fraction or an exponent (even 1.0 or 1e2), -ERANGE if > 2^64-1, -EINVAL
 * if not a number. */
int cf_json_u64(const struct cf_json *v, uint64_t *out);
/* The same of a number's source text (len > 0 bytes at s). */
static inline int cf_json_u64_text(const char *s, size_t len, uint64_t *out)
{
	const char *end = s + len;
	uint64_t val = 0;
	bool big;

	if (*s == '-') /* -0 too: Go's strconv.ParseUint refuses a sign */
		return -EDOM;
	/* 19 digits or fewer never exceed 2^64-1: no test for each (cf_json_u64
	 * of valueset-1000's 2001 numbers 105 k instructions instead of 133 k,
	 * callgrind, 2026-12-05); inline, for the profile reader's numbers
	 * (its parse of valueset-1000 4.07 M instructions instead of 4.09 M
	 * with a call) */
	big = end - s > 19;
	for (; !big && s < end && (unsigned)(*s - '0') <= 9; s++)
		val = val * 10 + (unsigned)(*s - '0');
	for (; big && s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (val > (UINT64_MAX - d) / 10)
			return -ERANGE;
		val = val * 10 + d;
	}
	if (s < end) /* a fraction or an exponent: not an exact integer */
		return -EDOM;
	*out = val;
	return 0;
}
const char *cf_json_type_name(enum cf_json_type t);
/* The value of o's first member named key (compared as a C string), or
 * NULL when o is NULL, no object, or has no such member. */
const struct cf_json *cf_json_get(const struct cf_json *o, const char *key);

#endif
