/* SPDX-License-Identifier: Apache-2.0 */
/* base.h - what every stage of libcallfence uses: the arena, errors with
 * a source location, warnings through the diagnostics callback, and
 * "did you mean" distances. Includes only the public header. */
#ifndef CF_BASE_H
#define CF_BASE_H

#include "callfence.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#define CF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CF_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Eight and four bytes at p (unaligned), as one number, and back. */
static inline uint64_t cf_load64(const void *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}
static inline uint32_t cf_load32(const void *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return w;
}
static inline void cf_store64(void *p, uint64_t w)
{
	memcpy(p, &w, 8);
}
static inline void cf_store32(void *p, uint32_t w)
{
	memcpy(p, &w, 4);
}

/* ---- util.c: arena and errors ------------------------------------------ */

/* A chunk of memory of the arena and of the generator's scratch
 * (gen_scratch.c): one layout, made and freed one way. */
struct cf_chunk {
	struct cf_chunk *link; /* the next (arena), the one below (scratch) */
	size_t pos;  /* the arena: bytes used; the scratch: its offset */
	size_t size; /* bytes of data */
	max_align_t data[];
};
/* A chunk of size bytes (data uninitialized) with pos and link; NULL on
 * OOM. */
struct cf_chunk *cf_chunk_new(size_t size, size_t pos, struct cf_chunk *link);
/* Frees chunk c and every chunk it links to. */
void cf_chunks_free(struct cf_chunk *c);

struct cf_arena {
	struct cf_chunk *head;
	size_t next_chunk; /* size of the next chunk; 0 = the first size */
};
/* Zeroed memory that lives until cf_arena_release; NULL on OOM. */
void *cf_arena_alloc(struct cf_arena *a, size_t n);
/* The first chunk holds about n bytes (an estimate of what the arena will
 * hold: one chunk that fits beats a series of doubling ones). */
void cf_arena_hint(struct cf_arena *a, size_t n);
/* Uninitialised memory aligned to align (a power of two <= 16). */
void *cf_arena_raw(struct cf_arena *a, size_t n, size_t align);
/* Zeroed array of n elements of size bytes; NULL on OOM or overflow. */
void *cf_arena_array(struct cf_arena *a, size_t n, size_t size);
/* The same, not zeroed: the caller writes each element before reading
 * it. */
void *cf_arena_array_raw(struct cf_arena *a, size_t n, size_t size);
char *cf_arena_strndup(struct cf_arena *a, const char *s, size_t n);
/* Small pieces taken from blocks of an arena (CF_ARENA_BLOCK bytes each)
 * by a pointer increment: the JSON reader's values and strings, the
 * profile's JSON pointers. A piece larger than a quarter block gets an
 * allocation of its own. Starts as {NULL, NULL, arena}. */
struct cf_arena_blocks {
	char *cur, *end;
	struct cf_arena *a;
};
#define CF_ARENA_BLOCK 4096
/* cf_arena_piece's slow path: a new block (or a piece of its own).
 * Defined here, where the compiler sees what it writes: as an extern (or
 * a cold) function in util.c, the JSON reader's string parsing was no
 * longer inlined (the parse of valueset-1000 5.25 M instructions instead
 * of 4.95 M, callgrind, 2026-12-04). */
static inline void *cf_arena_piece_refill(struct cf_arena_blocks *b, size_t n)
{
	char *m;

	if (n > CF_ARENA_BLOCK / 4)
		return cf_arena_raw(b->a, n, 16);
	m = cf_arena_raw(b->a, CF_ARENA_BLOCK, 16);
	if (!m)
		return NULL;
	b->cur = m + n;
	b->end = m + CF_ARENA_BLOCK;
	return m;
}
/* n uninitialised bytes aligned to align (a power of two <= 16); NULL on
 * OOM. */
static inline void *cf_arena_piece(struct cf_arena_blocks *b, size_t n,
				   size_t align)
{
	uintptr_t mask = (uintptr_t)(align - 1);
	uintptr_t at = ((uintptr_t)b->cur + mask) & ~mask;

	if (b->cur && at <= (uintptr_t)b->end && (uintptr_t)b->end - at >= n) {
		b->cur = (char *)at + n;
		return (void *)at;
	}
	return cf_arena_piece_refill(b, n);
}
char *cf_arena_printf(struct cf_arena *a, const char *fmt, ...) CF_PRINTF(2, 3);
char *cf_arena_vprintf(struct cf_arena *a, const char *fmt, va_list ap)
    CF_PRINTF(2, 0);
void cf_arena_release(struct cf_arena *a);
/* Frees a malloc'd object and the arena a inside it, which holds the
 * object's own data: the one way each cf_*_free of such an object ends. */
void cf_arena_free_owner(struct cf_arena *a, void *owner);

/* ---- util.c: growable arrays ------------------------------------------ */

/* The one way lib/ grows a malloc'd array (docs/internals.md, "One way to
 * do each thing"): capacities double from a first size, and a size that
 * does not fit in size_t is refused like a failed allocation, never
 * wrapped around. */

/* The capacity an array of cap elements grows to so that it holds need:
 * cap itself when it does, else first (at least 1) doubled until it does,
 * need itself where doubling would overflow. */
size_t cf_grow_cap(size_t cap, size_t need, size_t first);
/* realloc(p, n * size), NULL when n * size overflows (p is then left as it
 * was, as realloc leaves it on failure); n == 0 still returns a block. */
void *cf_realloc_array(void *p, size_t n, size_t size);
/* Room for need elements of size bytes in the malloc'd (or NULL) array *arr
 * of *cap elements: 0, or -ENOMEM with *arr and *cap unchanged. After 0,
 * *arr is non-NULL even for need 0. */
int cf_grow(void **arr, size_t *cap, size_t need, size_t size, size_t first);
#define CF_GROW(arr, cap, need, first)                                         \
	cf_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)), (first))

/* ---- util.c: hash indexes ---------------------------------------------- */

/* The one small hash map of lib/: an index over entries the caller keeps in
 * an array of its own, numbered from 1. A slot holds an entry's number, 0
 * when empty; open addressing with linear probing over a power-of-two
 * table kept at most half full; entries are never removed. */
typedef uint64_t cf_index_hash_fn(const void *ctx, int entry);
typedef bool cf_index_same_fn(const void *ctx, int entry, const void *key);
/* Room for n entries in the index *slot of *cap slots (first: the least
 * size, a power of two): when it grows, every entry is placed again by
 * hash(ctx, entry). 0, or -ENOMEM with *slot and *cap unchanged. */
int cf_index_reserve(int **slot, size_t *cap, size_t n, size_t first,
		     cf_index_hash_fn *hash, const void *ctx);
/* The slot of the entry that same(ctx, entry, key) accepts, among those of
 * hash h, else the empty slot where such an entry goes (cap > 0).
 * Inline, so that same is inlined at each caller: the generator looks up
 * every return it emits. */
static inline size_t cf_index_find(const int *slot, size_t cap, uint64_t h,
				   cf_index_same_fn *same, const void *ctx,
				   const void *key)
{
	size_t i = h & (cap - 1);

	while (slot[i] && !same(ctx, slot[i], key))
		i = (i + 1) & (cap - 1);
	return i;
}

/* A row of a table from names to numbers (mount flags, the classes of
 * diagnostic ids): one row type for the small tables searched by name. */
struct cf_name_num {
	const char *name;
	unsigned long num;
};

/* Sets err (if non-NULL) and returns code (a negative errno). */
int cf_err(struct cf_error *err, int code, const char *fmt, ...)
    CF_PRINTF(3, 4);
/* 0 when the n words of a caller-filled struct's reserved area are zero,
 * else -EINVAL naming the struct and the first non-zero word (docs/abi.md:
 * a field of a later version must not be silently ignored). */
int cf_reserved_zero(const uint64_t *r, size_t n, const char *what,
		     struct cf_error *err);
/* Same, with a source location. */
struct cf_loc {
	const char *file;
	const char *pointer;
	uint32_t line, col;
};
int cf_err_at(struct cf_error *err, int code, const struct cf_loc *loc,
	      const char *fmt, ...) CF_PRINTF(4, 5);
/* Sends a warning through t->diag (if set). */
void cf_warn(cf_diag_fn fn, void *ctx, const char *id, const struct cf_loc *loc,
	     const char *fmt, ...) CF_PRINTF(5, 6);

/* Edit distance for "did you mean" hints (case-insensitive). */
unsigned cf_edit_distance(const char *a, const char *b);
/* Best candidate within distance max(2, len/3), or NULL. */
const char *cf_closest(const char *s, const char *const *cands, size_t n);
/* Sort n numbers ascending in place (sort.h: the comparison inlined,
 * O(n log n) on any input). */
void cf_sort_u32(uint32_t *a, size_t n);
void cf_sort_u64(uint64_t *a, size_t n);

/* ---- seccomp(2) filter flags ------------------------------------------ */

/* X(name, bit, first kernel, a profile's "flags" may name it): the one
 * list of SECCOMP_FILTER_FLAG_* this library knows (the names without
 * their SECCOMP_FILTER_FLAG_ prefix). NEW_LISTENER and TSYNC_ESRCH follow
 * from the rules (listenerPath, SCMP_ACT_NOTIFY), never from "flags". */
#define CF_FILTER_FLAGS(X)                                                     \
	X(TSYNC, 0, "3.17", true)                                              \
	X(LOG, 1, "4.14", true)                                                \
	X(SPEC_ALLOW, 2, "4.17", true)                                         \
	X(NEW_LISTENER, 3, "5.0", false)                                       \
	X(TSYNC_ESRCH, 4, "5.7", false)                                        \
	X(WAIT_KILLABLE_RECV, 5, "5.19", true)

enum cf_filter_flag {
#define X(name, bit, since, in_profile) CF_FLAG_##name = 1U << (bit),
	CF_FILTER_FLAGS(X)
#undef X
};

/* Source position of a value: JSON pointer + line:col. */
struct cf_pos {
	const char *pointer; /* arena string, e.g. "/syscalls/3/args/0" */
	uint32_t line, col;
};

#endif
