/* SPDX-License-Identifier: Apache-2.0 */
/* gen_scratch.h - the code generator's scratch (gen_scratch.c): memory a
 * generation pass needs only while it runs (step tables, bit sets, value
 * tables), kept apart from the filter's arena, which receives only the
 * final program. Allocation is a stack: cf_scratch_rewind frees what was
 * allocated since a mark, cf_scratch_reset everything, keeping memory
 * for the next pass. */
#ifndef CF_GEN_SCRATCH_H
#define CF_GEN_SCRATCH_H

#include <stddef.h>

struct cf_chunk;

struct cf_scratch {
	struct cf_chunk *cur;	/* the top of the stack, NULL */
	struct cf_chunk *spare; /* the last chunk popped, kept */
	size_t top;  /* offset of the stack's top, as in one buffer */
	size_t peak; /* the most top has been since the last reset */
};

/* The offset to rewind to: what is allocated after it is freed. */
static inline size_t cf_scratch_mark(const struct cf_scratch *s)
{
	return s->top;
}
/* n zeroed elements of size bytes, aligned for any type; NULL on OOM. */
void *cf_scratch_array(struct cf_scratch *s, size_t n, size_t size);
/* The same, not zeroed: for arrays written before they are read. */
void *cf_scratch_raw(struct cf_scratch *s, size_t n, size_t size);
/* Frees what was allocated since mark (cf_scratch_mark; stack order). */
void cf_scratch_rewind(struct cf_scratch *s, size_t mark);
/* Frees everything; what remains is one chunk that holds the last peak
 * (on OOM, the chunks there were). */
void cf_scratch_reset(struct cf_scratch *s);
/* Frees the memory itself. */
void cf_scratch_release(struct cf_scratch *s);

#endif
