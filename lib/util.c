/* SPDX-License-Identifier: Apache-2.0 */
/* Arena allocation, error values, warnings and "did you mean" hints. */
#include "base.h"
#include "sort.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct cf_chunk *cf_chunk_new(size_t size, size_t pos, struct cf_chunk *link)
{
	struct cf_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	c = malloc(sizeof(*c) + size);
	if (c)
		*c = (struct cf_chunk){link, pos, size};
	return c;
}

void cf_chunks_free(struct cf_chunk *c)
{
	while (c) {
		struct cf_chunk *link = c->link;

		free(c);
		c = link;
	}
}

/* Chunks double from CF_CHUNK_FIRST to CF_CHUNK_MAX, so that a small
 * compile asks malloc for little more than it uses: memory that a compile
 * never touches still moves glibc's heap top, and what lies above its trim
 * threshold goes back to the kernel on free and page-faults again in the
 * next compile. Callers that can estimate their needs size the first chunk
 * (cf_arena_hint). Gain, against chunks of CF_CHUNK_MAX from the start: a
 * two-name profile holds 12 KiB instead of 64 KiB and its filter 12 KiB
 * instead of 67 KiB (mallinfo2, 2026-12-04); speed the same (Docker's
 * parse + compile 71.8 us against 72.7, cf-bench stages, 5 rounds). A
 * hint sized by a guess was removed from cf_compile: it gained nothing on
 * Docker's profile and cost 2 MiB and 520 page faults a compile on
 * bench/gen-profile.py 1000 (22.9 ms a compile without it, 40.7 with). */
#define CF_CHUNK_FIRST (4 * 1024)
#define CF_CHUNK_MAX (64 * 1024)
/* what malloc adds to a block (glibc: one size word, 16-byte granules) */
#define CF_MALLOC_OVERHEAD 16

static void *arena_new_chunk(struct cf_arena *a, size_t n)
{
	struct cf_chunk *c;
	size_t block = a->next_chunk ? a->next_chunk : CF_CHUNK_FIRST;
	size_t size = block - sizeof(*c) - CF_MALLOC_OVERHEAD;

	if (size < n)
		size = n;
	/* a big one-off block goes behind the current chunk so the
	 * current chunk's free space stays usable */
	if (a->head && n > CF_CHUNK_MAX / 2) {
		c = cf_chunk_new(size, n, a->head->link);
		if (!c)
			return NULL;
		a->head->link = c;
	} else {
		c = cf_chunk_new(size, n, a->head);
		if (!c)
			return NULL;
		a->head = c;
		a->next_chunk = block < CF_CHUNK_MAX ? block * 2 : block;
	}
	return c->data;
}

void cf_arena_hint(struct cf_arena *a, size_t n)
{
	size_t block =
	    (n + sizeof(struct cf_chunk) + CF_MALLOC_OVERHEAD + 4095) &
	    ~(size_t)4095;

	if (!a->head && block > CF_CHUNK_FIRST)
		a->next_chunk = block;
}

void *cf_arena_raw(struct cf_arena *a, size_t n, size_t align)
{
	struct cf_chunk *c = a->head;

	if (c) {
		size_t off = (c->pos + align - 1) & ~(align - 1);

		if (off <= c->size && c->size - off >= n) {
			c->pos = off + n;
			return (char *)c->data + off;
		}
	}
	return arena_new_chunk(a, n);
}

void *cf_arena_alloc(struct cf_arena *a, size_t n)
{
	void *p = cf_arena_raw(a, n, _Alignof(max_align_t));

	if (p)
		memset(p, 0, n);
	return p;
}

void *cf_arena_array_raw(struct cf_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return cf_arena_raw(a, n && size ? n * size : 1, _Alignof(max_align_t));
}

void *cf_arena_array(struct cf_arena *a, size_t n, size_t size)
{
	void *p = cf_arena_array_raw(a, n, size);

	if (p)
		memset(p, 0, n && size ? n * size : 1);
	return p;
}

char *cf_arena_strndup(struct cf_arena *a, const char *s, size_t n)
{
	char *p = cf_arena_raw(a, n + 1, 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

char *cf_arena_vprintf(struct cf_arena *a, const char *fmt, va_list ap)
{
	va_list again;
	int n;
	char *p;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	p = n < 0 ? NULL : cf_arena_alloc(a, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, again);
	va_end(again);
	return p;
}

char *cf_arena_printf(struct cf_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = cf_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void cf_arena_release(struct cf_arena *a)
{
	cf_chunks_free(a->head);
	a->head = NULL;
	a->next_chunk = 0;
}

void cf_arena_free_owner(struct cf_arena *a, void *owner)
{
	cf_arena_release(a);
	free(owner);
}

/* ---- growable arrays ---------------------------------------------------- */

size_t cf_grow_cap(size_t cap, size_t need, size_t first)
{
	size_t ncap = cap ? cap : first ? first : 1;

	if (need <= cap)
		return cap;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return need;
		ncap *= 2;
	}
	return ncap;
}

void *cf_realloc_array(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (size && n > SIZE_MAX / size)
		return NULL;
	bytes = n * size;
	return realloc(p, bytes ? bytes : 1);
}

int cf_grow(void **arr, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t ncap;
	void *np;

	if (need <= *cap && *arr)
		return 0;
	ncap = cf_grow_cap(*cap, need, first);
	np = cf_realloc_array(*arr, ncap, size);
	if (!np)
		return -ENOMEM;
	*arr = np;
	*cap = ncap;
	return 0;
}

/* ---- hash indexes ------------------------------------------------------- */

int cf_index_reserve(int **slot, size_t *cap, size_t n, size_t first,
		     cf_index_hash_fn *hash, const void *ctx)
{
	size_t ncap;
	int *t;

	if (n <= *cap / 2)
		return 0;
	if (n > SIZE_MAX / 4)
		return -ENOMEM;
	ncap = cf_grow_cap(*cap, 2 * n, first);
	t = calloc(ncap, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < *cap; i++) {
		size_t k;

		if (!(*slot)[i])
			continue;
		for (k = hash(ctx, (*slot)[i]) & (ncap - 1); t[k];
		     k = (k + 1) & (ncap - 1))
			;
		t[k] = (*slot)[i];
	}
	free(*slot);
	*slot = t;
	*cap = ncap;
	return 0;
}

/* ---- errors ------------------------------------------------------------- */

static void cf_copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = 0;
}

/* Control characters (C0, DEL, C1) a profile may carry in a name, key or
 * pointer must not reach a terminal through a message: each becomes
 * \u00XX, in place (truncated to size). */
static void cf_escape_controls(char *s, size_t size)
{
	char tmp[1024];
	size_t n = strlen(s), o = 0, i = 0;

	while (i < n && (unsigned char)s[i] >= 0x20 && s[i] != 0x7f &&
	       !((unsigned char)s[i] == 0xc2 &&
		 (unsigned char)s[i + 1] >= 0x80 &&
		 (unsigned char)s[i + 1] <= 0x9f))
		i++;
	if (i == n || n >= sizeof(tmp))
		return;
	memcpy(tmp, s, n + 1);
	o = i;
	while (i < n && o + 7 < size) {
		unsigned char c = (unsigned char)tmp[i++];

		if (c == 0xc2 && (unsigned char)tmp[i] >= 0x80 &&
		    (unsigned char)tmp[i] <= 0x9f)
			c = (unsigned char)tmp[i++];
		else if (c >= 0x20 && c != 0x7f) {
			s[o++] = (char)c;
			continue;
		}
		memcpy(s + o, "\\u00", 4);
		s[o + 4] = "0123456789abcdef"[c >> 4];
		s[o + 5] = "0123456789abcdef"[c & 15];
		o += 6;
	}
	s[o] = 0;
}

CF_PRINTF(4, 0)
static int cf_verr(struct cf_error *err, int code, const struct cf_loc *loc,
		   const char *fmt, va_list ap)
{
	if (!err)
		return code;
	memset(err, 0, sizeof(*err));
	err->code = code;
	if (loc) {
		cf_copy(err->file, sizeof(err->file), loc->file);
		cf_copy(err->pointer, sizeof(err->pointer), loc->pointer);
		err->line = loc->line;
		err->col = loc->col;
	}
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	cf_escape_controls(err->msg, sizeof(err->msg));
	cf_escape_controls(err->pointer, sizeof(err->pointer));
	return code;
}

int cf_err(struct cf_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = cf_verr(err, code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int cf_reserved_zero(const uint64_t *r, size_t n, const char *what,
		     struct cf_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (r[i])
			return cf_err(
			    err, -EINVAL,
			    "struct %s: reserved[%zu] is not zero: "
			    "it is for a field of a later libcallfence "
			    "than this %s; zero the struct (= {0}) "
			    "before filling it",
			    what, i, cf_version(NULL));
	return 0;
}

int cf_err_at(struct cf_error *err, int code, const struct cf_loc *loc,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = cf_verr(err, code, loc, fmt, ap);
	va_end(ap);
	return code;
}

const char *cf_error_str(const struct cf_error *err, char *buf, size_t size)
{
	size_t off = 0;

	if (!size)
		return buf;
	buf[0] = 0;
#define CF_APPEND(...)                                                         \
	do {                                                                   \
		int n_ = snprintf(buf + off, size - off, __VA_ARGS__);         \
		if (n_ > 0)                                                    \
			off = (size_t)n_ < size - off ? off + (size_t)n_       \
						      : size - 1;              \
	} while (0)
	if (err->file[0]) {
		CF_APPEND("%s:", err->file);
		if (err->line)
			CF_APPEND("%u:%u:", err->line, err->col);
		CF_APPEND(" ");
	}
	if (err->pointer[0])
		CF_APPEND("%s: ", err->pointer);
	CF_APPEND("%s", err->msg);
#undef CF_APPEND
	return buf;
}

void cf_warn(cf_diag_fn fn, void *ctx, const char *id, const struct cf_loc *loc,
	     const char *fmt, ...)
{
	char msg[768], ptr[256];
	struct cf_diag d = {.id = id, .msg = msg, .cls = cf_diag_class(id)};
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cf_escape_controls(msg, sizeof(msg));
	if (loc) {
		d.file = loc->file;
		d.pointer = loc->pointer;
		if (loc->pointer) {
			cf_copy(ptr, sizeof(ptr), loc->pointer);
			cf_escape_controls(ptr, sizeof(ptr));
			d.pointer = ptr;
		}
		d.line = loc->line;
		d.col = loc->col;
	}
	fn(ctx, &d);
}

unsigned cf_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[128];

	if (la >= CF_ARRAY_SIZE(row) || lb >= CF_ARRAY_SIZE(row))
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned cost = tolower((unsigned char)a[i - 1]) !=
					tolower((unsigned char)b[j - 1]);
			unsigned best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *cf_closest(const char *s, const char *const *cands, size_t n)
{
	const char *best = NULL;
	unsigned best_d = 1000, limit = (unsigned)strlen(s) / 3;

	if (limit < 2)
		limit = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned d = cf_edit_distance(s, cands[i]);

		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

CF_SORT_DEFINE(sort_u32, uint32_t, CF_SORT_LESS_VALUE)
CF_SORT_DEFINE(sort_u64, uint64_t, CF_SORT_LESS_VALUE)

void cf_sort_u32(uint32_t *a, size_t n)
{
	sort_u32(a, n);
}

void cf_sort_u64(uint64_t *a, size_t n)
{
	sort_u64(a, n);
}
