/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_scratch.c - the code generator's scratch: a stack of zeroed blocks
 * in chunks, so that a syscall's tables are freed behind its code, every
 * pass reuses the memory of the one before, and the filter's arena holds
 * only the program.
 *
 * What it guarantees: a block stays valid and untouched until the stack
 * is rewound to a mark taken before it (or reset); live blocks never
 * overlap. Offsets (top, marks) count as if every block were in one
 * buffer: a chunk starts at the offset where the stack stood when it was
 * needed, and the reset replaces the chunks by one of the largest top
 * seen, so a pass like the last one runs in one chunk. A chunk popped by
 * a rewind is kept as the spare, so a loop that crosses a chunk's end
 * does not call malloc each time.
 *
 * Why not the filter's arena (issue 11, compile speed): the generator
 * runs up to five passes, each allocating its tables anew; in the
 * filter's arena they summed to about 6 MB on a 1,000-rule profile,
 * which glibc gave back to the kernel at cf_filter_free and the next
 * compile faulted in again (docs/performance.md, "Compile speed").
 */
#include "base.h"
#include "gen_scratch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SCRATCH_ALIGN _Alignof(max_align_t)
#define SCRATCH_CHUNK_MIN (16 * 1024)

static size_t align_up(size_t x)
{
	return (x + SCRATCH_ALIGN - 1) & ~(SCRATCH_ALIGN - 1);
}

/* A chunk of at least size bytes for the stack's top at base: the spare
 * when it is large enough, else a new one. */
static struct cf_chunk *chunk_for(struct cf_scratch *s, size_t base,
				  size_t size)
{
	struct cf_chunk *c = s->spare;

	if (c && c->size >= size) {
		s->spare = NULL;
		c->pos = base;
		c->link = s->cur;
	} else {
		size_t want = s->cur ? 2 * s->cur->size : SCRATCH_CHUNK_MIN;

		c = cf_chunk_new(want < size ? size : want, base, s->cur);
		if (!c)
			return NULL;
	}
	s->cur = c;
	return c;
}

void *cf_scratch_raw(struct cf_scratch *s, size_t n, size_t size)
{
	struct cf_chunk *c = s->cur;
	size_t bytes, off;
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	bytes = n && size ? n * size : 1;
	off = align_up(s->top);
	if (off < s->top || bytes > SIZE_MAX / 2 - off)
		return NULL;
	if (!c || off - c->pos + bytes > c->size) {
		c = chunk_for(s, off, bytes);
		if (!c)
			return NULL;
	}
	p = (char *)c->data + (off - c->pos);
	s->top = off + bytes;
	if (s->top > s->peak)
		s->peak = s->top;
	return p;
}

void *cf_scratch_array(struct cf_scratch *s, size_t n, size_t size)
{
	void *p = cf_scratch_raw(s, n, size);

	if (p)
		memset(p, 0, n && size ? n * size : 1);
	return p;
}

void cf_scratch_rewind(struct cf_scratch *s, size_t mark)
{
	while (s->cur && s->cur->link && s->cur->pos >= mark) {
		struct cf_chunk *c = s->cur;

		s->cur = c->link;
		if (s->spare && s->spare->size >= c->size) {
			free(c);
		} else {
			free(s->spare);
			s->spare = c;
		}
	}
	if (mark < s->top)
		s->top = mark;
}

void cf_scratch_reset(struct cf_scratch *s)
{
	cf_scratch_rewind(s, 0);
	if (s->cur && s->peak > s->cur->size) {
		struct cf_chunk *c = cf_chunk_new(s->peak, 0, NULL);

		if (c) {
			free(s->cur);
			s->cur = c;
		}
	}
	free(s->spare);
	s->spare = NULL;
	s->top = 0;
	s->peak = 0;
}

void cf_scratch_release(struct cf_scratch *s)
{
	cf_chunks_free(s->cur);
	free(s->spare);
	*s = (struct cf_scratch){0};
}
