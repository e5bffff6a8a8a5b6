/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_state.c - the container state a runtime gives a hook on stdin
 * (runtime-spec, state.json): ociVersion, id, status, pid, bundle,
 * annotations. A small strict JSON reader: the whole text must be one
 * JSON object (RFC 8259), members are checked against the schema's types,
 * a duplicated member is refused (two readers could take different ones).
 */
#include "oci_hook.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OS_MAX_DEPTH 64

struct os_reader {
	const char *text, *p, *end;
	struct oci_state *st;
	char ptr[200]; /* JSON pointer of the value being read */
};

static void os_failf(struct os_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the failure (the first one counts); evaluates to -1. */
#define OS_FAIL(r, ...) (os_failf((r), __VA_ARGS__), -1)

static void os_failf(struct os_reader *r, const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	char what[160];
	va_list ap;

	if (r->st->err[0])
		return; /* the first error counts */
	for (const char *q = r->text; q < r->p && q < r->end; q++, col++)
		if (*q == '\n') {
			line++;
			col = 0;
		}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->st->err, sizeof(r->st->err), "line %u col %u: %s%s%s%s",
		 line, col, what, r->ptr[0] ? " (at " : "", r->ptr,
		 r->ptr[0] ? ")" : "");
}

static void os_ws(struct os_reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
				 *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int os_hex4(struct os_reader *r, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++, r->p++) {
		char c = r->p < r->end ? *r->p : 0;

		*out <<= 4;
		if (c >= '0' && c <= '9')
			*out |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*out |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*out |= (unsigned)(c - 'A' + 10);
		else
			return OS_FAIL(r, "bad \\u escape");
	}
	return 0;
}

/* \uXXXX (a surrogate pair too) as UTF-8 into buf; returns its length. */
static int os_unicode(struct os_reader *r, char *buf)
{
	unsigned cp, lo;

	if (os_hex4(r, &cp) < 0)
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return OS_FAIL(r, "lone low surrogate in \\u escape");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
			return OS_FAIL(r, "high surrogate without its pair");
		r->p += 2;
		if (os_hex4(r, &lo) < 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return OS_FAIL(r, "bad surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		return OS_FAIL(r, "\\u0000 in a string");
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | cp >> 18);
	buf[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	buf[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	buf[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int os_escape(struct os_reader *r, char *buf)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;

	if (r->p >= r->end)
		return OS_FAIL(r, "unterminated string");
	if (*r->p == 'u') {
		r->p++;
		return os_unicode(r, buf);
	}
	k = strchr(from, *r->p);
	if (!k || !*r->p)
		return OS_FAIL(r, "bad escape '\\%c'", *r->p);
	buf[0] = to[k - from];
	r->p++;
	return 1;
}

/* A string at r->p; its value malloc'd into *out (NULL: only checked). */
static int os_string(struct os_reader *r, char **out)
{
	size_t cap = (size_t)(r->end - r->p) + 1, len = 0;
	char *buf = out ? malloc(cap) : NULL, tmp[4];

	if (out && !buf)
		return OS_FAIL(r, "out of memory");
	if (r->p >= r->end || *r->p != '"') {
		free(buf);
		return OS_FAIL(r, "expected a string");
	}
	for (r->p++;;) {
		int n = 1;

		if (r->p >= r->end || (unsigned char)*r->p < 0x20) {
			free(buf);
			return OS_FAIL(r,
				       r->p >= r->end
					   ? "unterminated string"
					   : "control character in a string");
		}
		if (*r->p == '"')
			break;
		if (*r->p == '\\') {
			r->p++;
			n = os_escape(r, tmp);
			if (n < 0) {
				free(buf);
				return -1;
			}
		} else {
			tmp[0] = *r->p++;
		}
		if (buf)
			memcpy(buf + len, tmp, (size_t)n);
		len += (size_t)n;
	}
	r->p++;
	if (buf) {
		buf[len] = 0;
		*out = buf;
	}
	return 0;
}

static int os_digits(struct os_reader *r)
{
	const char *start = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > start ? 0 : OS_FAIL(r, "expected a digit");
}

/* A number; *is_int: no fraction, no exponent. */
static int os_number(struct os_reader *r, bool *is_int)
{
	*is_int = true;
	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
		r->p++;
	else if (os_digits(r) < 0)
		return -1;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		*is_int = false;
		if (os_digits(r) < 0)
			return -1;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		*is_int = false;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (os_digits(r) < 0)
			return -1;
	}
	return 0;
}

static int os_value(struct os_reader *r, int depth);

/* [ value, ... ] or { "key": value, ... } with each value skipped. */
static int os_container(struct os_reader *r, int depth)
{
	bool obj = *r->p == '{';
	char close = obj ? '}' : ']';

	if (depth > OS_MAX_DEPTH)
		return OS_FAIL(r, "nested deeper than %d", OS_MAX_DEPTH);
	r->p++;
	os_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		os_ws(r);
		if (obj) {
			if (os_string(r, NULL) < 0)
				return -1;
			os_ws(r);
			if (r->p >= r->end || *r->p++ != ':')
				return OS_FAIL(r, "expected ':'");
		}
		if (os_value(r, depth + 1) < 0)
			return -1;
		os_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return 0;
		}
		return OS_FAIL(r, "expected ',' or '%c'", close);
	}
}

static int os_literal(struct os_reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n))
		return OS_FAIL(r, "not a JSON value");
	r->p += n;
	return 0;
}

/* Any value, checked and skipped. */
static int os_value(struct os_reader *r, int depth)
{
	bool is_int;

	os_ws(r);
	if (r->p >= r->end)
		return OS_FAIL(r, "unexpected end of input");
	switch (*r->p) {
	case '{':
	case '[':
		return os_container(r, depth);
	case '"':
		return os_string(r, NULL);
	case 't':
		return os_literal(r, "true");
	case 'f':
		return os_literal(r, "false");
	case 'n':
		return os_literal(r, "null");
	default:
		if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
			return os_number(r, &is_int);
		return OS_FAIL(r, "not a JSON value");
	}
}

/* A member's key (into *key, malloc'd) and the ':' after it. */
static int os_key(struct os_reader *r, char **key)
{
	os_ws(r);
	if (os_string(r, key) < 0)
		return -1;
	os_ws(r);
	if (r->p >= r->end || *r->p != ':') {
		free(*key);
		*key = NULL;
		return OS_FAIL(r, "expected ':'");
	}
	r->p++;
	os_ws(r);
	return 0;
}

/* Stores a string member into *slot (a duplicate is refused). */
static int os_store(struct os_reader *r, char **slot)
{
	if (*slot)
		return OS_FAIL(r, "member given twice");
	if (r->p >= r->end || *r->p != '"')
		return OS_FAIL(r, "must be a string");
	return os_string(r, slot);
}

/* One member of annotations: keeps ours, checks the others. */
static int os_annotation(struct os_reader *r, const char *key)
{
	char *ignored = NULL;
	int rc;

	if (!strcmp(key, OCI_ANNOTATION_RECORD))
		return os_store(r, &r->st->record_path);
	if (!strcmp(key, OCI_ANNOTATION_ARGS))
		return os_store(r, &r->st->record_args);
	rc = os_store(r, &ignored);
	free(ignored);
	return rc;
}

/* {"key": "value", ...}; member of the state named name. */
static int os_annotations(struct os_reader *r)
{
	size_t base = strlen(r->ptr);

	if (r->p >= r->end || *r->p != '{')
		return OS_FAIL(r, "must be an object");
	r->p++;
	os_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		int rc;

		if (os_key(r, &key) < 0)
			return -1;
		snprintf(r->ptr + base, sizeof(r->ptr) - base, "/%s", key);
		rc = os_annotation(r, key);
		free(key);
		r->ptr[base] = 0;
		if (rc < 0)
			return -1;
		os_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return 0;
		}
		return OS_FAIL(r, "expected ',' or '}'");
	}
}

static int os_pid(struct os_reader *r)
{
	const char *start = r->p;
	bool is_int;

	if (r->st->pid != -1)
		return OS_FAIL(r, "member given twice");
	if (os_number(r, &is_int) < 0)
		return -1;
	if (!is_int || *start == '-' || r->p - start > 9) {
		r->p = start;
		return OS_FAIL(r, "must be a positive process id");
	}
	r->st->pid = strtoll(start, NULL, 10);
	if (r->st->pid <= 0) {
		r->p = start;
		return OS_FAIL(r, "must be a positive process id");
	}
	return 0;
}

static int os_member(struct os_reader *r, const char *key, bool *seen_ver,
		     bool *seen_ann)
{
	if (!strcmp(key, "id"))
		return os_store(r, &r->st->id);
	if (!strcmp(key, "status"))
		return os_store(r, &r->st->status);
	if (!strcmp(key, "bundle"))
		return os_store(r, &r->st->bundle);
	if (!strcmp(key, "pid"))
		return os_pid(r);
	if (!strcmp(key, "ociVersion") || !strcmp(key, "annotations")) {
		bool *seen = key[0] == 'o' ? seen_ver : seen_ann;

		if (*seen)
			return OS_FAIL(r, "member given twice");
		*seen = true;
		if (key[0] == 'a')
			return os_annotations(r);
		return os_string(r, NULL) < 0 ? OS_FAIL(r, "must be a string")
					      : 0;
	}
	return os_value(r, 1);
}

static int os_object(struct os_reader *r, bool *seen_ver)
{
	bool seen_ann = false;

	if (r->p >= r->end || *r->p != '{')
		return OS_FAIL(r, "the state must be a JSON object");
	r->p++;
	os_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		int rc;

		if (os_key(r, &key) < 0)
			return -1;
		snprintf(r->ptr, sizeof(r->ptr), "/%s", key);
		rc = os_member(r, key, seen_ver, &seen_ann);
		free(key);
		if (rc < 0)
			return -1;
		r->ptr[0] = 0;
		os_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return 0;
		}
		return OS_FAIL(r, "expected ',' or '}'");
	}
}

int oci_state_parse(const char *text, size_t len, struct oci_state *s)
{
	struct os_reader r = {text, text, text + len, s, ""};
	bool seen_ver = false;
	const char *missing = NULL;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	os_ws(&r);
	if (os_object(&r, &seen_ver) < 0)
		return -1;
	os_ws(&r);
	if (r.p != r.end)
		return OS_FAIL(&r, "text after the state object");
	if (!seen_ver)
		missing = "ociVersion";
	else if (!s->id)
		missing = "id";
	else if (!s->status)
		missing = "status";
	else if (!s->bundle)
		missing = "bundle";
	if (missing)
		return OS_FAIL(&r, "required member '%s' is missing", missing);
	return 0;
}

void oci_state_free(struct oci_state *s)
{
	free(s->id);
	free(s->status);
	free(s->bundle);
	free(s->record_path);
	free(s->record_args);
	memset(s, 0, sizeof(*s));
}
