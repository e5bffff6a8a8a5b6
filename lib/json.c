/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c - a small, strict RFC 8259 reader: one pass, arena memory, a
 * line:col for every value, numbers kept as source text so that they can
 * be read exactly (cf_json_u64) rather than through double.
 */
#include "base.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

#define CF_JSON_MAX_DEPTH 512

/* Scratch stacks: the elements of the open containers, copied into the
 * arena in one piece when a container closes. They start on the C stack
 * (cf_json_parse's frame) and move to the heap only for big documents. */
#define CF_JSON_ITEMS0 256
#define CF_JSON_MEMBERS0 64

/* A scratch stack of the elements of the open containers: starts in a
 * buffer on cf_json_parse2's stack, moves to the heap when it outgrows it. */
struct jstack {
	void *buf;
	size_t n, cap;
	bool heap;
};

struct jp {
	struct cf_arena_blocks nodes;	/* values, members' arrays, keys */
	struct cf_arena_blocks strings; /* string values */
	const char *s, *end, *line_start;
	const char *file;
	uint32_t line;
	unsigned depth;
	bool nul;     /* a \u0000 was read */
	bool escaped; /* a string took the slow path (parse_string) */
	bool fold;    /* CF_JSON_F_FOLD */
	struct cf_error *err;
	struct jstack items; /* struct cf_json *: open arrays' items */
	struct jstack mem;   /* struct cf_json_member: open objects' members */
};

static uint32_t col_of(const struct jp *p, const char *at)
{
	return (uint32_t)(at - p->line_start) + 1;
}

CF_PRINTF(3, 4)
static int jerr_set(struct jp *p, const char *at, const char *fmt, ...)
{
	struct cf_loc loc = {p->file, NULL, p->line, col_of(p, at)};
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cf_err_at(p->err, -EINVAL, &loc, "invalid JSON: %s", msg);
	return -EINVAL;
}

/* Error returns are literal codes, so that clang --analyze sees that an
 * error is never 0 (it does not follow variadic calls). */
#define jerr(...) (jerr_set(__VA_ARGS__), -EINVAL)

static int oom(struct jp *p)
{
	cf_err(p->err, -ENOMEM, "out of memory");
	return -ENOMEM;
}

/* Whitespace classes: 1 blank (space, tab, CR), 2 newline. */
#define W1(c) ((c) == '\n' ? 2 : (c) == ' ' || (c) == '\t' || (c) == '\r')
#define W4(c) W1(c), W1(c + 1), W1(c + 2), W1(c + 3)
#define W16(c) W4(c), W4(c + 4), W4(c + 8), W4(c + 12)
static const uint8_t ws_class[256] = {W16(0), W16(16), W16(32)};
#undef W16
#undef W4
#undef W1

/* The first of the eight bytes at q whose byte of mask (not 0) is not 0,
 * on a little-endian machine; elsewhere q itself, and the caller's byte
 * loop goes on from there (skip_plain's tests are exact for the first
 * byte they flag, but may flag later ones too: on a big-endian machine
 * the more significant). */
static inline const char *first_flagged(const char *q, uint64_t mask)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return q + __builtin_ctzll(mask) / 8;
#else
	(void)mask;
	return q;
#endif
}

/* Past the spaces at s (or before: skip_ws's loop goes on), eight bytes
 * at a time: the indentation after a newline. */
static inline const char *skip_spaces(const char *s, const char *end)
{
	while (end - s >= 8) {
		uint64_t other = cf_load64(s) ^ 0x2020202020202020ULL;

		if (other)
			return first_flagged(s, other);
		s += 8;
	}
	return s;
}

/* Whitespace, counting lines; the indentation after a newline through
 * skip_spaces. Gain of skip_spaces and of first_flagged in skip_plain: the
 * parse of valueset-1000 (169 KB, 65 KB of it whitespace) 7.81 M
 * instructions instead of 8.06 M (callgrind, cf-bench compile cf FILE 1
 * 1, 2026-12-04); against the byte loop: tests/test_speed.c,
 * speed_json_string_scan_every_offset, and tests/test_json.c. */
static inline void skip_ws(struct jp *p)
{
	const char *s = p->s, *end = p->end;
	uint8_t k;

	while (s < end && (k = ws_class[(unsigned char)*s])) {
		s++;
		if (k == 2) {
			p->line++;
			p->line_start = s;
			s = skip_spaces(s, end);
		}
	}
	p->s = s;
}

/* What is at p->s, for a message: "end of input", "'x'" or "byte 0xNN"
 * (into buf, at least 12 bytes). */
static const char *describe(const struct jp *p, char *buf)
{
	unsigned char c = p->s < p->end ? (unsigned char)*p->s : 0;

	if (p->s >= p->end)
		return "end of input";
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, 12, "'%c'", c);
	else
		snprintf(buf, 12, "byte 0x%02x", c);
	return buf;
}

static struct cf_json *new_value(struct jp *p, enum cf_json_type t)
{
	struct cf_json *v =
	    cf_arena_piece(&p->nodes, sizeof(*v), _Alignof(struct cf_json));

	if (v) {
		v->type = t;
		v->line = p->line;
		v->col = col_of(p, p->s);
		v->flags = 0;
		v->u.arr.items = NULL;
		v->u.arr.n = 0;
	}
	return v;
}

static int parse_value(struct jp *p, struct cf_json **out);

static int hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of a valid UTF-8 sequence at s (RFC 3629), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static int parse_escape(struct jp *p, char *o, size_t *olen)
{
	const char *at = p->s;
	uint32_t cp, lo;
	char c = p->end - p->s > 1 ? p->s[1] : 0;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *m = c ? strchr(from, c) : NULL;

	if (m) {
		*o = to[m - from];
		*olen = 1;
		p->s += 2;
		return 0;
	}
	if (c != 'u' || p->end - p->s < 6 || hex4(p->s + 2, &cp))
		return jerr(p, at, "bad escape sequence in string");
	p->s += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return jerr(p, at, "lone low surrogate \\u%04x in string", cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u' ||
		    hex4(p->s + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return jerr(p, at,
				    "high surrogate \\u%04x not followed by a "
				    "low surrogate",
				    cp);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p->s += 6;
	}
	p->nul |= !cp;
	*olen = put_utf8(o, cp);
	return 0;
}

/* Bytes a string holds as they are: printable ASCII but '"' and '\\'. */
#define P1(c) ((c) >= 0x20 && (c) < 0x80 && (c) != '"' && (c) != '\\')
#define P4(c) P1(c), P1(c + 1), P1(c + 2), P1(c + 3)
#define P16(c) P4(c), P4(c + 4), P4(c + 8), P4(c + 12)
#define P64(c) P16(c), P16(c + 16), P16(c + 32), P16(c + 48)
static const bool plain[256] = {P64(0), P64(64), P64(128), P64(192)};
#undef P64
#undef P16
#undef P4
#undef P1

/* The first byte at or after q that is '"', '\\', a control character or
 * non-ASCII (or end): eight bytes at a time, the stop byte in its word
 * found by first_flagged (byte by byte on a big-endian machine), the last
 * seven bytes of the input byte by byte. Gain of the eight bytes: the
 * JSON stage of Docker's profile 11.8 us instead of 13.0 with the byte loop
 * alone (cf-bench stages docker-default.json 1000, 5 interleaved rounds,
 * 2-core VM, 2026-12-04); the plain path against it: tests/test_speed.c,
 * speed_json_string_scan_every_offset. */
static const char *skip_plain(const char *q, const char *end)
{
	while (end - q >= 8) {
		uint64_t w = cf_load64(q), quote, bslash, ctl, stop;

		quote = w ^ 0x2222222222222222ULL;
		bslash = w ^ 0x5c5c5c5c5c5c5c5cULL;
		quote = (quote - 0x0101010101010101ULL) & ~quote;
		bslash = (bslash - 0x0101010101010101ULL) & ~bslash;
		ctl = (w - 0x2020202020202020ULL) | w; /* < 0x20 or >= 0x80 */
		stop = (quote | bslash | ctl) & 0x8080808080808080ULL;
		if (stop) {
			q = first_flagged(q, stop);
			break;
		}
		q += 8;
	}
	while (q < end && plain[(unsigned char)*q])
		q++;
	return q;
}

/* parse_string's slow path: the string at start (past its quote; p->s
 * there too) has escapes or non-ASCII bytes, or is bad. */
static int parse_string_slow(struct jp *p, struct cf_arena_blocks *b,
			     const char *start, const char **out,
			     size_t *outlen)
{
	const char *q;
	char *buf, *o;

	/* output is never longer */
	p->escaped = true;
	for (q = start; q < p->end && *q != '"'; q++)
		if (*q == '\\' && q + 1 < p->end)
			q++;
	buf = cf_arena_piece(b, (size_t)(q - start) + 1, 1);
	if (!buf)
		return oom(p);
	o = buf;
	while (p->s < p->end && *p->s != '"') {
		unsigned char c = (unsigned char)*p->s;
		size_t len = 0;

		if (c == '\\') {
			int rc = parse_escape(p, o, &len);

			if (rc)
				return rc;
			o += len;
			continue;
		}
		if (c < 0x20)
			return jerr(p, p->s,
				    c == '\n' ? "newline in string"
					      : "control character in string");
		len = utf8_len((const unsigned char *)p->s,
			       (const unsigned char *)p->end);
		if (!len)
			return jerr(p, p->s, "invalid UTF-8 in string");
		memcpy(o, p->s, len);
		o += len;
		p->s += len;
	}
	if (p->s >= p->end)
		return jerr(p, start - 1, "unterminated string");
	p->s++;
	*o = 0;
	*out = buf;
	*outlen = (size_t)(o - buf);
	return 0;
}

/* Parses a string at p->s (the opening quote) into b's memory. */
static inline int parse_string(struct jp *p, struct cf_arena_blocks *b,
			       const char **out, size_t *outlen)
{
	const char *start = ++p->s, *q = skip_plain(start, p->end);
	size_t n = (size_t)(q - start);
	char *buf;

	/* the fast path: plain bytes up to the closing quote */
	if (q == p->end || *q != '"')
		return parse_string_slow(p, b, start, out, outlen);
	buf = cf_arena_piece(b, n + 1, 1);
	if (!buf)
		return oom(p);
	memcpy(buf, start, n);
	buf[n] = 0;
	*out = buf;
	*outlen = n;
	p->s = q + 1;
	return 0;
}

static int parse_number(struct jp *p, struct cf_json *v)
{
	const char *s = p->s;

	if (s < p->end && *s == '-')
		s++;
	if (s >= p->end || *s < '0' || *s > '9')
		return jerr(p, p->s, "bad number");
	if (*s == '0' && s + 1 < p->end && s[1] >= '0' && s[1] <= '9')
		return jerr(p, p->s, "leading zero in number");
	while (s < p->end && *s >= '0' && *s <= '9')
		s++;
	if (s < p->end && *s == '.') {
		if (++s >= p->end || *s < '0' || *s > '9')
			return jerr(p, s, "expected digits after '.'");
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < p->end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < p->end && (*s == '+' || *s == '-'))
			s++;
		if (s >= p->end || *s < '0' || *s > '9')
			return jerr(p, s, "expected digits in exponent");
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	}
	v->u.num.text = p->s;
	v->u.num.len = (size_t)(s - p->s);
	p->s = s;
	return 0;
}

static int parse_literal(struct jp *p, struct cf_json *v)
{
	static const struct {
		const char *word;
		enum cf_json_type t;
	} lits[] = {{"true", CF_JSON_TRUE},
		    {"false", CF_JSON_FALSE},
		    {"null", CF_JSON_NULL}};

	for (size_t i = 0; i < CF_ARRAY_SIZE(lits); i++) {
		size_t n = strlen(lits[i].word);

		if ((size_t)(p->end - p->s) >= n &&
		    !memcmp(p->s, lits[i].word, n)) {
			v->type = lits[i].t;
			p->s += n;
			return 0;
		}
	}
	char what[12];

	return jerr(p, p->s, "unexpected %s (expected a value)",
		    describe(p, what));
}

/* Doubles a full scratch stack (the first heap copy leaves the initial
 * on-stack buffer behind); -ENOMEM when out of memory. */
static int jstack_grow(struct jp *p, struct jstack *st, size_t size)
{
	size_t ncap = cf_grow_cap(st->cap, st->cap + 1, 1);
	void *nb = cf_realloc_array(st->heap ? st->buf : NULL, ncap, size);

	if (!nb)
		return oom(p);
	if (!st->heap)
		memcpy(nb, st->buf, st->cap * size);
	st->buf = nb;
	st->cap = ncap;
	st->heap = true;
	return 0;
}

/* A new slot of size bytes on top of a scratch stack, for the caller to
 * fill; NULL when out of memory. */
static inline void *jstack_slot(struct jp *p, struct jstack *st, size_t size)
{
	if (st->n == st->cap && jstack_grow(p, st, size))
		return NULL;
	return (char *)st->buf + st->n++ * size;
}

/* Moves the elements above base of a scratch stack into the arena: the
 * array, and their count in *n. */
static void *jstack_settle(struct jp *p, struct jstack *st, size_t base,
			   size_t size, size_t *n)
{
	void *out;

	*n = st->n - base;
	st->n = base;
	if (!*n)
		return cf_arena_piece(&p->nodes, 1, 1);
	out = cf_arena_piece(&p->nodes, *n * size, sizeof(void *));
	if (out)
		memcpy(out, (char *)st->buf + base * size, *n * size);
	return out;
}

/* Past the opening bracket of an array or object: 1 if close follows at
 * once (consumed: the container is empty), else 0. */
static int open_container(struct jp *p, char close)
{
	p->s++;
	skip_ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return 1;
	}
	return 0;
}

/* After an element of an array or object: 0 past a ',' (another element
 * follows), 1 past close (the last one), else an error naming what ("array"
 * or "object") and its element. */
static int next_element(struct jp *p, char close, const char *what,
			const char *element)
{
	skip_ws(p);
	if (p->s < p->end && *p->s == ',') {
		p->s++;
		skip_ws(p);
		if (p->s < p->end && *p->s == close)
			return jerr(p, p->s, "trailing comma in %s", what);
		return 0;
	}
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return 1;
	}
	return jerr(p, p->s, "expected ',' or '%c' after %s", close, element);
}

/* Parses one element of a container and pushes it on its scratch stack
 * (a struct cf_json * or a struct cf_json_member), noting in v what it
 * holds. */
typedef int parse_element_fn(struct jp *p, struct cf_json *v);

/* The elements of the array or object v, up to close, into the arena: the
 * array of them in *out and their count in *n. */
static inline int parse_elements(struct jp *p, struct cf_json *v, char close,
				 struct jstack *st, size_t size,
				 parse_element_fn *parse_el, void **out,
				 size_t *n)
{
	const bool array = close == ']';
	size_t base = st->n;
	int rc = open_container(p, close);

	while (!rc && !(rc = parse_el(p, v)))
		rc = next_element(p, close, array ? "array" : "object",
				  array ? "array element" : "object member");
	if (rc < 0) {
		st->n = base;
		return rc;
	}
	*out = jstack_settle(p, st, base, size, n);
	return *out ? 0 : oom(p);
}

static int parse_item(struct jp *p, struct cf_json *v)
{
	struct cf_json *item, **slot;
	int rc = parse_value(p, &item);

	if (rc)
		return rc;
	if (item->type >= CF_JSON_ARRAY)
		v->flags |= CF_JSON_F_NESTED;
	slot = jstack_slot(p, &p->items, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = item;
	return 0;
}

static int parse_member(struct jp *p, struct cf_json *v)
{
	struct cf_json_member m, *slot;
	char what[12];
	int rc;

	(void)v;
	if (p->s >= p->end || *p->s != '"')
		return jerr(p, p->s, "expected a string key, found %s",
			    describe(p, what));
	m.line = p->line;
	m.col = col_of(p, p->s);
	p->escaped = false;
	if ((rc = parse_string(p, &p->nodes, &m.key, &m.keylen)))
		return rc;
	p->fold |= p->escaped;
	skip_ws(p);
	if (p->s >= p->end || *p->s != ':')
		return jerr(p, p->s, "expected ':' after object key");
	p->s++;
	if ((rc = parse_value(p, &m.val)))
		return rc;
	slot = jstack_slot(p, &p->mem, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = m;
	return 0;
}

static int parse_array(struct jp *p, struct cf_json *v)
{
	void *items = NULL;
	int rc = parse_elements(p, v, ']', &p->items, sizeof(struct cf_json *),
				parse_item, &items, &v->u.arr.n);

	v->u.arr.items = items;
	return rc;
}

/* The keys a and b, of n bytes each, are equal but for ASCII case, or
 * differ in a byte that is not a letter by 0x20 only. */
static bool same_but_case(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((a[i] | 0x20) != (b[i] | 0x20))
			return false;
	return true;
}

/* Whether two of the n members at m (their keys read on the fast path of
 * parse_string: printable ASCII) may have one key to Go's decoder (which
 * matches keys without regard to case): true for more than
 * CF_JSON_PAIRWISE members, uncompared. */
static bool keys_may_repeat(const struct cf_json_member *m, size_t n)
{
	if (n > CF_JSON_PAIRWISE)
		return true;
	for (size_t j = 1; j < n; j++)
		for (size_t i = 0; i < j; i++)
			if (m[i].keylen == m[j].keylen &&
			    same_but_case(m[i].key, m[j].key, m[j].keylen))
				return true;
	return false;
}

static int parse_object(struct jp *p, struct cf_json *v)
{
	void *members = NULL;
	int rc =
	    parse_elements(p, v, '}', &p->mem, sizeof(struct cf_json_member),
			   parse_member, &members, &v->u.obj.n);

	v->u.obj.m = members;
	if (!rc && !p->fold)
		p->fold = keys_may_repeat(v->u.obj.m, v->u.obj.n);
	return rc;
}

static int parse_value(struct jp *p, struct cf_json **out)
{
	struct cf_json *v;
	int rc;

	skip_ws(p);
	if (p->s >= p->end)
		return jerr(p, p->s,
			    "unexpected end of input (expected a "
			    "value)");
	v = new_value(p, CF_JSON_NULL);
	if (!v)
		return oom(p);
	*out = v;
	switch (*p->s) {
	case '{':
	case '[':
		if (++p->depth > CF_JSON_MAX_DEPTH)
			return jerr(p, p->s, "nesting deeper than %d",
				    CF_JSON_MAX_DEPTH);
		v->type = *p->s == '{' ? CF_JSON_OBJECT : CF_JSON_ARRAY;
		rc = *p->s == '{' ? parse_object(p, v) : parse_array(p, v);
		p->depth--;
		return rc;
	case '"':
		v->type = CF_JSON_STRING;
		return parse_string(p, &p->strings, &v->u.str.s, &v->u.str.len);
	case '-':
	case '0' ... '9':
		v->type = CF_JSON_NUMBER;
		return parse_number(p, v);
	default:
		return parse_literal(p, v);
	}
}

int cf_json_parse(struct cf_arena *a, const char *buf, size_t len,
		  const char *file, struct cf_json **out, struct cf_error *err)
{
	return cf_json_parse2(a, a, buf, len, file, out, err);
}

int cf_json_parse2(struct cf_arena *nodes, struct cf_arena *strings,
		   const char *buf, size_t len, const char *file,
		   struct cf_json **out, struct cf_error *err)
{
	struct cf_json *items0[CF_JSON_ITEMS0];
	struct cf_json_member mem0[CF_JSON_MEMBERS0];
	struct jp p = {{NULL, NULL, nodes},
		       {NULL, NULL, strings},
		       buf,
		       buf + len,
		       buf,
		       file,
		       1,
		       0,
		       false,
		       false,
		       false,
		       err,
		       {items0, 0, CF_JSON_ITEMS0, false},
		       {mem0, 0, CF_JSON_MEMBERS0, false}};
	int rc;

	*out = NULL;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		return jerr(&p, buf,
			    "byte order mark at the start (save the "
			    "file as UTF-8 without BOM)");
	if (len >= 2 && (!buf[0] || !buf[1] || !memcmp(buf, "\xff\xfe", 2) ||
			 !memcmp(buf, "\xfe\xff", 2)))
		return jerr(&p, buf,
			    "the input looks like UTF-16 or UTF-32 "
			    "(save the file as UTF-8)");
	rc = parse_value(&p, out);
	if (!rc) {
		skip_ws(&p);
		if (p.s < p.end)
			rc = jerr(&p, p.s,
				  "unexpected data after the JSON value");
		else
			(*out)->flags |= (p.nul ? CF_JSON_F_NUL : 0) |
					 (p.fold ? CF_JSON_F_FOLD : 0);
	}
	if (p.items.heap)
		free(p.items.buf);
	if (p.mem.heap)
		free(p.mem.buf);
	return rc;
}

int cf_json_u64(const struct cf_json *v, uint64_t *out)
{
	const char *s, *end;
	uint64_t val = 0;
	bool big;

	if (!v || v->type != CF_JSON_NUMBER)
		return -EINVAL;
	s = v->u.num.text;
	end = s + v->u.num.len;
	if (*s == '-') /* -0 too: Go's strconv.ParseUint refuses a sign */
		return -EDOM;
	/* 19 digits or fewer never exceed 2^64-1: no test for each (cf_json_u64
	 * of valueset-1000's 2001 numbers 105 k instructions instead of 133 k,
	 * callgrind, 2026-12-05) */
	big = end - s > 19;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (big && val > (UINT64_MAX - d) / 10)
			return -ERANGE;
		val = val * 10 + d;
	}
	if (s < end) /* a fraction or an exponent: not an exact integer */
		return -EDOM;
	*out = val;
	return 0;
}

const char *cf_json_type_name(enum cf_json_type t)
{
	static const char *const names[] = {
	    "null", "false", "true", "number", "string", "array", "object"};

	return (unsigned)t < CF_ARRAY_SIZE(names) ? names[t] : "?";
}

const struct cf_json *cf_json_get(const struct cf_json *o, const char *key)
{
	if (!o || o->type != CF_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < o->u.obj.n; i++)
		if (!strcmp(o->u.obj.m[i].key, key))
			return o->u.obj.m[i].val;
	return NULL;
}
