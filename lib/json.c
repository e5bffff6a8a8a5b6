/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c - a small, strict RFC 8259 reader: one pass onto a tape (the
 * values in document order in one array, no allocation for each), the
 * strings ending in place in a copy of the input, a line:col for every
 * value, numbers kept as source text so that they can be read exactly
 * (cf_json_u64) rather than through double. The tree of cf_json_parse is
 * built from the tape.
 *
 * Gain of the tape over the tree it replaced (recursive, a piece of arena
 * for each value and each string, the elements through scratch stacks):
 * the profile reader's parse of valueset-1000 4.13 M instructions instead
 * of 4.61 M (callgrind, cf-bench compile cf FILE 1 1, 2026-12-05); of
 * that, the copy of the input counts 1 instruction a byte (valgrind counts
 * each step of memcpy's rep movsb).
 */
#include "base.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CF_JSON_MAX_DEPTH 512
/* The copy of the input that the reader reads ends in this many NUL
 * bytes: the scans of strings and of indentation load 8 or 16 bytes
 * anywhere up to the end, with no test of the end (a NUL stops them).
 * Gain, with skip_ws's test of the one space after a ':': the parse of
 * valueset-1000 3.40 M instructions instead of 3.55 M (callgrind,
 * cf-bench compile cf FILE 1 0, 2026-12-05). */
#define JSON_PAD 16

/* Inlined whatever the compiler's estimate: read_key and close_container
 * (called from two places each). Gain: the parse of valueset-1000 4.13 M
 * instructions instead of 4.31 M as plain static functions (callgrind,
 * cf-bench compile cf FILE 1 1, 2026-12-05). */
#define JSON_INLINE inline __attribute__((always_inline))

/* The reader's state: the input's copy it reads (strings end in place
 * there), the tape it writes, the open containers. */
struct jp {
	const char *s, *end, *line_start;
	char *text; /* the copy s reads */
	const char *file;
	uint32_t line;
	unsigned depth; /* open containers */
	bool nul;	/* a \u0000 was read */
	bool fold;	/* CF_JSON_F_FOLD */
	struct cf_error *err;
	struct cf_jv *v;	 /* the tape */
	struct cf_jv *top, *lim; /* its next free node, its end */
	/* the innermost open container, or NULL (not looked up on p->open
	 * for each element: valueset-1000's parse 0.03 M instructions less) */
	struct cf_jv *inner;
	uint32_t open[CF_JSON_MAX_DEPTH]; /* the open containers' nodes */
	/* the innermost open object's keys: a bit for each key's length and
	 * first byte (folded), all bits when two keys had one (key_bit);
	 * keys[d]: those of the container at depth d - 1 while deeper ones
	 * are open */
	uint64_t kbits;
	uint64_t keys[CF_JSON_MAX_DEPTH];
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
 * at a time: the indentation after a newline. (The NULs of the copy's
 * padding stop it: no test of the end.) */
static inline const char *skip_spaces(const char *s)
{
	for (;;) {
		uint64_t other = cf_load64(s) ^ 0x2020202020202020ULL;

		if (other)
			return first_flagged(s, other);
		s += 8;
	}
}

/* Past the whitespace at s, counting lines; the indentation after a
 * newline through skip_spaces. Gain of skip_spaces and of first_flagged
 * in skip_plain: the parse of valueset-1000 (169 KB, 65 KB of it
 * whitespace) 7.81 M instructions instead of 8.06 M (callgrind, cf-bench
 * compile cf FILE 1 1, 2026-12-04); against the byte loop:
 * tests/test_speed.c, speed_json_string_scan_every_offset, and
 * tests/test_json.c. Inlined at each place: not inlining the loop past
 * the first two tests cost 0.08 M instructions more on valueset-1000. */
static inline const char *skip_ws(struct jp *p, const char *s)
{
	uint8_t k;

	/* (the copy ends in a NUL, which is no whitespace: no test of end for
	 * each byte) */
	if ((unsigned char)*s > ' ')
		return s;
	/* the one space after a ':' */
	if (*s == ' ' && (unsigned char)s[1] > ' ')
		return s + 1;
	while ((k = ws_class[(unsigned char)*s])) {
		s++;
		if (k == 2) {
			p->line++;
			p->line_start = s;
			s = skip_spaces(s);
		}
	}
	return s;
}

/* skip_ws where a pretty-printed document has a newline and the next
 * line's indentation: after a ',' or an opening bracket, before a closing
 * one. Gain (only there: in skip_ws, at every place, the first test costs
 * more than it saves): the parse of valueset-1000 3.03 M instructions
 * instead of 3.14 M, share3-1000 1.12 M instead of 1.17 M (callgrind,
 * cf-bench compile cf FILE 1 0, 2026-12-05). */
static inline const char *skip_line(struct jp *p, const char *s)
{
	if (*s == '\n') {
		p->line++;
		p->line_start = ++s;
		s = skip_spaces(s);
		if ((unsigned char)*s > ' ')
			return s;
	}
	return skip_ws(p, s);
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

/* Doubles the tape; -ENOMEM when out of memory. */
static int tape_grow(struct jp *p)
{
	size_t n = (size_t)(p->top - p->v), cap = (size_t)(p->lim - p->v);
	size_t ncap = cf_grow_cap(cap, cap + 1, 256);
	struct cf_jv *nv = cf_realloc_array(p->v, ncap, sizeof(*nv));

	if (!nv)
		return oom(p);
	p->v = nv;
	p->top = nv + n;
	p->lim = nv + ncap;
	p->inner = p->depth ? nv + p->open[p->depth - 1] : NULL;
	return 0;
}

/* A new node of type t at the end of the tape, at s; NULL when out of
 * memory. */
static inline struct cf_jv *push(struct jp *p, const char *s,
				 enum cf_json_type t)
{
	struct cf_jv *v;

	if (p->top == p->lim && tape_grow(p))
		return NULL;
	v = p->top++;
	v->s = NULL;
	v->len = 0;
	v->next = 1;
	v->line = p->line;
	v->col = col_of(p, s);
	v->type = (uint8_t)t;
	v->flags = 0;
	return v;
}

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

#ifndef __SSE2__
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
 * found by first_flagged (byte by byte on a big-endian machine); the
 * NULs of the copy's padding (JSON_PAD) stop it at the end. Gain of the eight
 * bytes: the JSON stage of Docker's profile 11.8 us instead of 13.0 with the
 * byte loop alone (cf-bench stages docker-default.json 1000, 5 interleaved
 * rounds, 2-core VM, 2026-12-04); the plain path against it:
 * tests/test_speed.c, speed_json_string_scan_every_offset. */
static const char *skip_plain_words(const char *q)
{
	for (;;) {
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
	while (plain[(unsigned char)*q]) /* (NUL: not plain) */
		q++;
	return q;
}
#define skip_plain skip_plain_words
#else
/* skip_plain sixteen bytes at a time (SSE2, every x86-64): a byte is a
 * stop byte if it is '"' or '\\', or below 0x20 as a signed byte (a
 * control character, or non-ASCII: 0x80 and above; the padding's NULs
 * too). Gain over skip_plain_words: the parse of valueset-1000 3.55 M
 * instructions instead of 3.74 M (callgrind, cf-bench compile cf FILE 1
 * 0, 2026-12-05). */
static inline const char *skip_plain(const char *q)
{
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1f);

	for (;;) {
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)q);
		/* the plain bytes: above 0x1f as signed bytes, no quote, no
		 * backslash */
		__m128i plain =
		    _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(w, quote),
						  _mm_cmpeq_epi8(w, bslash)),
				     _mm_cmpgt_epi8(w, ctl));
		unsigned m = (unsigned)_mm_movemask_epi8(plain) ^ 0xffffU;

		if (m)
			return q + (size_t)__builtin_ctz(m);
		q += 16;
	}
}
#endif

/* Where the byte at q (of the copy that p->s reads) may be written. */
static inline char *writable(const struct jp *p, const char *q)
{
	return p->text + (q - (const char *)p->text);
}

/* parse_string's slow path: the string at start (past its quote; p->s
 * there too) has escapes or non-ASCII bytes, or is bad. Decoded in place:
 * what it writes is never longer than what it has read. */
static int parse_string_slow(struct jp *p, const char *start, const char **out,
			     uint32_t *outlen)
{
	char *buf = writable(p, start), *o = buf;

	while (p->s < p->end && *p->s != '"') {
		unsigned char c = (unsigned char)*p->s;
		size_t len = 0;
		char esc[4];

		if (c == '\\') {
			int rc = parse_escape(p, esc, &len);

			if (rc)
				return rc;
			memcpy(o, esc, len);
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
		memmove(o, p->s, len);
		o += len;
		p->s += len;
	}
	if (p->s >= p->end)
		return jerr(p, start - 1, "unterminated string");
	p->s++;
	*o = 0;
	*out = buf;
	*outlen = (uint32_t)(o - buf);
	return 0;
}

/* Parses a string (a key if key) at *sp (the opening quote): it ends in
 * place, its closing quote becoming its NUL (no piece of memory, no copy
 * of its own). *sp goes past it. */
static inline int parse_string(struct jp *p, const char **sp, const char **out,
			       uint32_t *outlen, bool key)
{
	const char *start = *sp + 1, *q = skip_plain(start);
	int rc;

	/* the fast path: plain bytes up to the closing quote (the copy's NUL
	 * at the end is none) */
	if (*q != '"') {
		/* a key with an escape or a non-ASCII byte: CF_JSON_F_FOLD */
		p->fold |= key;
		p->s = start;
		rc = parse_string_slow(p, start, out, outlen);
		*sp = p->s;
		return rc;
	}
	*writable(p, q) = 0;
	*out = start;
	*outlen = (uint32_t)(q - start);
	*sp = q + 1;
	return 0;
}

#define DIGIT(c) ((c) >= '0' && (c) <= '9')

/* A number at *sp (the input's copy ends in a NUL: no test of the end
 * before each byte); *sp goes past it. */
static inline int parse_number(struct jp *p, struct cf_jv *v, const char **sp)
{
	const char *s = *sp;

	if (*s == '-')
		s++;
	if (!DIGIT(*s))
		return jerr(p, *sp, "bad number");
	if (*s == '0' && DIGIT(s[1]))
		return jerr(p, *sp, "leading zero in number");
	while (DIGIT(*s))
		s++;
	if (*s == '.') {
		s++;
		if (!DIGIT(*s))
			return jerr(p, s, "expected digits after '.'");
		while (DIGIT(*s))
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!DIGIT(*s))
			return jerr(p, s, "expected digits in exponent");
		while (DIGIT(*s))
			s++;
	}
	v->s = *sp;
	v->len = (uint32_t)(s - *sp);
	*sp = s;
	return 0;
}

static int parse_literal(struct jp *p, struct cf_jv *v)
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
			v->type = (uint8_t)lits[i].t;
			p->s += n;
			return 0;
		}
	}
	char what[12];

	return jerr(p, p->s, "unexpected %s (expected a value)",
		    describe(p, what));
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

/* Whether two members of the object obj (their keys read on the fast path
 * of parse_string: printable ASCII) may have one key to Go's decoder
 * (which matches keys without regard to case): true for more than
 * CF_JSON_PAIRWISE members, uncompared. */
static bool keys_may_repeat(const struct cf_jv *obj)
{
	struct {
		const char *key;
		size_t keylen;
	} m[CF_JSON_PAIRWISE];
	const struct cf_jv *k = obj + 1;
	size_t n = obj->len;

	if (n > CF_JSON_PAIRWISE)
		return true;
	for (size_t j = 0; j < n; j++, k = cf_jv_next(k + 1)) {
		m[j].key = k->s;
		m[j].keylen = k->len;
	}
	for (size_t j = 1; j < n; j++)
		for (size_t i = 0; i < j; i++)
			if (m[i].keylen == m[j].keylen &&
			    same_but_case(m[i].key, m[j].key, m[j].keylen))
				return true;
	return false;
}

/* A key's bit among its object's (jp.keys): keys equal but for ASCII case
 * have one, so that keys_may_repeat compares the keys of an object only
 * when two of them do (or it has more than CF_JSON_PAIRWISE). Gain: the
 * parse of valueset-1000 4.09 M instructions instead of 4.13 M comparing
 * every object's keys (callgrind, cf-bench compile cf FILE 1 1,
 * 2026-12-05); keys_may_repeat alone: tests/test_json.c,
 * json_fold_flag_marks_objects_that_may_repeat_a_key. */
static inline uint64_t key_bit(const struct cf_jv *k)
{
	return 1ULL << ((k->len * 7 + ((unsigned char)k->s[0] | 0x20)) & 63);
}

/* A member's key at *sp (past the whitespace), the ':' after it and the
 * whitespace after that. (The copy's NUL at the end is no '"', ':', ','
 * or closing bracket: no test of the end before these.) */
static JSON_INLINE int read_key(struct jp *p, const char **sp)
{
	const char *s = *sp;
	uint64_t bit;
	struct cf_jv *k;
	char what[12];
	int rc;

	if (*s != '"') {
		p->s = s;
		return jerr(p, s, "expected a string key, found %s",
			    describe(p, what));
	}
	k = push(p, s, CF_JSON_STRING);
	if (!k)
		return -ENOMEM;
	if ((rc = parse_string(p, &s, &k->s, &k->len, true)))
		return rc;
	bit = key_bit(k);
	p->kbits = p->kbits & bit ? ~0ULL : p->kbits | bit;
	if (*s != ':') /* (mostly right after the key) */
		s = skip_ws(p, s);
	if (*s != ':')
		return jerr(p, s, "expected ':' after object key");
	s++;
	/* mostly one space, then the value */
	*sp = *s == ' ' && (unsigned char)s[1] > ' ' ? s + 1 : skip_ws(p, s);
	return 0;
}

/* The innermost open container closes (its closing bracket read). */
static JSON_INLINE void close_container(struct jp *p)
{
	struct cf_jv *c = p->inner;

	p->depth--;
	p->inner = p->depth ? p->v + p->open[p->depth - 1] : NULL;
	c->next = (uint32_t)(p->top - c);
	if (c->type == CF_JSON_OBJECT && !p->fold &&
	    (c->len > CF_JSON_PAIRWISE || p->kbits == ~0ULL))
		p->fold = keys_may_repeat(c);
	p->kbits = p->keys[p->depth];
}

/* An array or an object opens at *sp: 0 when it closes at once (empty),
 * 1 when an element follows (an object's key read), *sp past the
 * whitespace before it. */
static int open_container(struct jp *p, struct cf_jv *v, const char **sp)
{
	const char *s = *sp;
	char close = *s == '{' ? '}' : ']';

	if (p->depth >= CF_JSON_MAX_DEPTH)
		return jerr(p, s, "nesting deeper than %d", CF_JSON_MAX_DEPTH);
	if (p->inner && p->inner->type == CF_JSON_ARRAY)
		p->inner->flags |= CF_JSON_F_NESTED;
	v->type = close == '}' ? CF_JSON_OBJECT : CF_JSON_ARRAY;
	p->keys[p->depth] = p->kbits;
	p->kbits = 0;
	p->open[p->depth++] = (uint32_t)(v - p->v);
	p->inner = v;
	s = skip_line(p, s + 1);
	*sp = s;
	if (*s == close) {
		*sp = s + 1;
		close_container(p);
		return 0;
	}
	if (close == '}') {
		int rc = read_key(p, sp);

		return rc ? rc : 1;
	}
	return 1;
}

/* One value at *sp (past the whitespace: cf_json_read, read_key,
 * open_container and next_element skip it): 0 when it is whole, 1 when
 * it opened a container whose first element follows. */
static inline int read_value(struct jp *p, const char **sp)
{
	struct cf_jv *v;
	int rc;

	v = push(p, *sp, CF_JSON_NULL);
	if (!v)
		return -ENOMEM;
	switch (**sp) {
	case '{':
	case '[':
		return open_container(p, v, sp);
	case '"':
		v->type = CF_JSON_STRING;
		return parse_string(p, sp, &v->s, &v->len, false);
	case '-':
	case '0' ... '9':
		v->type = CF_JSON_NUMBER;
		return parse_number(p, v, sp);
	case 0: /* the copy's NUL at the end, or a NUL of the input */
		if (*sp >= p->end)
			return jerr(p, *sp,
				    "unexpected end of input (expected a "
				    "value)");
		break;
	default:
		break;
	}
	p->s = *sp;
	rc = parse_literal(p, v);
	*sp = p->s;
	return rc;
}

/* After an element of the innermost open container: 0 past a ',' (and,
 * in an object, the next key) and the whitespace after it, 1 past its
 * closing bracket, else an error naming what and its element. */
static int next_element(struct jp *p, const char **sp)
{
	struct cf_jv *c = p->inner;
	bool obj = c->type == CF_JSON_OBJECT;
	char close = obj ? '}' : ']';
	const char *s = *sp;

	/* mostly a ',' at once; else a newline before the closing bracket */
	if (*s != ',')
		s = skip_line(p, s);
	c->len++;
	if (*s == ',') {
		s = skip_line(p, s + 1);
		*sp = s;
		if (*s == close)
			return jerr(p, s, "trailing comma in %s",
				    obj ? "object" : "array");
		return obj ? read_key(p, sp) : 0;
	}
	if (*s == close) {
		*sp = s + 1;
		close_container(p);
		return 1;
	}
	return jerr(p, s, "expected ',' or '%c' after %s", close,
		    obj ? "object member" : "array element");
}

/* The document onto the tape: one loop, no call for each nesting (the
 * open containers on p->open), the elements of a container written where
 * they are read (no scratch copy). The cursor s is the loop's (a register,
 * not p->s, which the tape's and the strings' stores might overwrite for
 * all the compiler knows); p->s gets it for the slow paths and at the end.
 * Gain, with the tape's end as a pointer (p->top): the parse of
 * valueset-1000 3.27 M instructions instead of 3.40 M (callgrind, as
 * above). The line and its start in locals too cost 0.03 M more (more
 * registers spilled). */
static int read_tape(struct jp *p)
{
	const char *s = skip_ws(p, p->s);
	int rc;

	for (;;) {
		while ((rc = read_value(p, &s)) == 1)
			;
		if (rc < 0)
			return rc;
		do {
			if (!p->depth) {
				p->s = s;
				return 0;
			}
		} while ((rc = next_element(p, &s)) == 1);
		if (rc < 0)
			return rc;
	}
}

/* The reader's checks of the whole input before its values: no byte
 * order mark, no UTF-16 or UTF-32. */
static int check_encoding(struct jp *p, const char *buf, size_t len)
{
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		return jerr(p, buf,
			    "byte order mark at the start (save the "
			    "file as UTF-8 without BOM)");
	if (len >= 2 && (!buf[0] || !buf[1] || !memcmp(buf, "\xff\xfe", 2) ||
			 !memcmp(buf, "\xfe\xff", 2)))
		return jerr(p, buf,
			    "the input looks like UTF-16 or UTF-32 "
			    "(save the file as UTF-8)");
	if (len >= UINT32_MAX / 2)
		return jerr(p, buf, "the input is larger than 2 GiB");
	return 0;
}

int cf_json_read(struct cf_arena *strings, const char *buf, size_t len,
		 const char *file, struct cf_json_doc *out,
		 struct cf_error *err)
{
	struct jp p = {.s = buf,
		       .end = buf + len,
		       .line_start = buf,
		       .file = file,
		       .line = 1,
		       .err = err};
	int rc = check_encoding(&p, buf, len);

	*out = (struct cf_json_doc){NULL, 0, 0};
	if (rc)
		return rc;
	/* about one node for each 8 bytes of a pretty-printed profile */
	p.v = cf_realloc_array(NULL, len / 8 + 16, sizeof(*p.v));
	p.top = p.v;
	p.lim = p.v ? p.v + len / 8 + 16 : NULL;
	p.text = cf_arena_raw(strings, len + JSON_PAD, 1);
	if (!p.v || !p.text) {
		free(p.v);
		return oom(&p);
	}
	if (len)
		memcpy(p.text, buf, len);
	/* a sentinel: no test of the end before each byte */
	memset(p.text + len, 0, JSON_PAD);
	p.s = p.line_start = p.text;
	p.end = p.text + len;
	rc = read_tape(&p);
	p.s = skip_ws(&p, p.s);
	if (!rc && p.s < p.end)
		rc = jerr(&p, p.s, "unexpected data after the JSON value");
	if (rc) {
		free(p.v);
		return rc;
	}
	*out = (struct cf_json_doc){p.v, (size_t)(p.top - p.v),
				    (p.nul ? CF_JSON_F_NUL : 0) |
					(p.fold ? CF_JSON_F_FOLD : 0)};
	return 0;
}

void cf_json_doc_free(struct cf_json_doc *d)
{
	free(d->v);
	*d = (struct cf_json_doc){NULL, 0, 0};
}

/* ---- the tree (cf_json_parse) from the tape ----------------------------- */

static struct cf_json *tree_value(struct cf_arena_blocks *b,
				  const struct cf_jv *v);

/* The items or members of the container v into t. */
static int tree_elements(struct cf_arena_blocks *b, struct cf_json *t,
			 const struct cf_jv *v)
{
	bool obj = v->type == CF_JSON_OBJECT;
	size_t size =
	    obj ? sizeof(struct cf_json_member) : sizeof(struct cf_json *);
	void *arr =
	    cf_arena_piece(b, v->len ? v->len * size : 1, sizeof(void *));
	const struct cf_jv *e = v + 1;

	if (!arr)
		return -ENOMEM;
	t->u.arr.n = v->len; /* (obj.n alike) */
	t->u.arr.items = arr;
	if (obj)
		t->u.obj.m = arr;
	for (size_t i = 0; i < v->len; i++) {
		struct cf_json *val = tree_value(b, obj ? e + 1 : e);

		if (!val)
			return -ENOMEM;
		if (obj)
			t->u.obj.m[i] = (struct cf_json_member){
			    e->s, e->len, e->line, e->col, val};
		else
			t->u.arr.items[i] = val;
		e = cf_jv_next(obj ? e + 1 : e);
	}
	return 0;
}

static struct cf_json *tree_value(struct cf_arena_blocks *b,
				  const struct cf_jv *v)
{
	struct cf_json *t =
	    cf_arena_piece(b, sizeof(*t), _Alignof(struct cf_json));

	if (!t)
		return NULL;
	*t = (struct cf_json){.type = (enum cf_json_type)v->type,
			      .line = v->line,
			      .col = v->col,
			      .flags = v->flags};
	if (v->type == CF_JSON_STRING || v->type == CF_JSON_NUMBER) {
		t->u.str.s = v->s; /* (num.text alike) */
		t->u.str.len = v->len;
	}
	if (v->type >= CF_JSON_ARRAY && tree_elements(b, t, v))
		return NULL;
	return t;
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
	struct cf_arena_blocks b = {NULL, NULL, nodes};
	struct cf_json_doc d;
	int rc = cf_json_read(strings, buf, len, file, &d, err);

	*out = NULL;
	if (rc)
		return rc;
	*out = tree_value(&b, d.v);
	if (*out)
		(*out)->flags |= d.flags;
	cf_json_doc_free(&d);
	return *out ? 0 : cf_err(err, -ENOMEM, "out of memory");
}

int cf_json_u64(const struct cf_json *v, uint64_t *out)
{
	if (!v || v->type != CF_JSON_NUMBER)
		return -EINVAL;
	return cf_json_u64_text(v->u.num.text, v->u.num.len, out);
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
