/* SPDX-License-Identifier: Apache-2.0 */
/* gen_unreached.h - the code generator's last pass (gen_unreached.c):
 * instructions that no path of a linked program reaches are dropped.
 * Pure: it works on the linked instructions, bpf_gen.c calls it. */
#ifndef CF_GEN_UNREACHED_H
#define CF_GEN_UNREACHED_H

#include <stddef.h>

struct sock_filter;
struct cf_insn_part;

/* Drops the instructions of p[0..n-1] that no path from the first one
 * reaches, shortening the jumps over them, and the matching entries of
 * parts (NULL: none). Jumps must be forward and in range (a linked
 * program). Returns the new length; n when nothing is dropped or memory
 * is short (the program is then unchanged). */
size_t cf_gen_drop_unreached(struct sock_filter *p, struct cf_insn_part *parts,
			     size_t n);

#endif
