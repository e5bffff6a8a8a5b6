/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_unreached.c - the unreached-code pass (cf_gen_opts.no_drop_unreached
 * turns it off): the linker copies a return next to a jump that cannot
 * reach the pool's (more than 255 instructions away), so the pool's
 * return may end up with no way in; such instructions are dropped.
 *
 * What it guarantees: every path runs the same instructions in the same
 * order as before. Jumps go forward only, so one sweep from the first
 * instruction finds every reached one; an instruction no path reaches is
 * never executed, and a jump's offset shrinks by the number of dropped
 * instructions it skips, so it lands on the same instruction.
 */
#include "gen_unreached.h"

#include <linux/filter.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "callfence.h"

/* The instruction a jump of p[i] reaches by offset off, or n when it
 * leaves the program. */
static size_t reached(size_t i, uint32_t off, size_t n)
{
	return off < n - i - 1 ? i + 1 + off : n;
}

static void mark_successors(const struct sock_filter *p, size_t i, size_t n,
			    bool *seen)
{
	const struct sock_filter *in = &p[i];
	size_t t[2] = {n, n};

	if (BPF_CLASS(in->code) == BPF_RET)
		return;
	if (BPF_CLASS(in->code) != BPF_JMP)
		t[0] = i + 1;
	else if (BPF_OP(in->code) == BPF_JA)
		t[0] = reached(i, in->k, n);
	else {
		t[0] = reached(i, in->jt, n);
		t[1] = reached(i, in->jf, n);
	}
	for (unsigned s = 0; s < 2; s++)
		if (t[s] < n)
			seen[t[s]] = true;
}

/* p[i]'s jumps, offsets counted in the kept instructions (newpos: the
 * new index of each instruction, newpos[n] the new length). */
static void shorten_jumps(struct sock_filter *in, size_t i, size_t n,
			  const size_t *newpos)
{
	if (BPF_CLASS(in->code) != BPF_JMP)
		return;
	if (BPF_OP(in->code) == BPF_JA) {
		in->k =
		    (uint32_t)(newpos[reached(i, in->k, n)] - newpos[i] - 1);
		return;
	}
	in->jt = (uint8_t)(newpos[reached(i, in->jt, n)] - newpos[i] - 1);
	in->jf = (uint8_t)(newpos[reached(i, in->jf, n)] - newpos[i] - 1);
}

/* Marks what the reached instructions reach, in one forward sweep (a
 * jump goes forward: p[i] is marked, or not, when the sweep gets to it),
 * and numbers the reached ones (newpos). The number reached. */
static size_t sweep_reached(const struct sock_filter *p, size_t n, bool *seen,
			    size_t *newpos)
{
	size_t w = 0;

	seen[0] = true;
	for (size_t i = 0; i < n; i++) {
		newpos[i] = w;
		if (!seen[i])
			continue;
		w++;
		mark_successors(p, i, n, seen);
	}
	newpos[n] = w;
	return w;
}

size_t cf_gen_drop_unreached(struct sock_filter *p, struct cf_insn_part *parts,
			     size_t n)
{
	bool *seen = n ? calloc(n, sizeof(*seen)) : NULL;
	/* (newpos: every element written before it is read) */
	size_t *newpos = n ? malloc((n + 1) * sizeof(*newpos)) : NULL;
	size_t w;

	if (!seen || !newpos) {
		free(seen);
		free(newpos);
		return n;
	}
	w = sweep_reached(p, n, seen, newpos);
	for (size_t i = 0; w < n && i < n; i++) {
		if (!seen[i])
			continue;
		shorten_jumps(&p[i], i, n, newpos);
		p[newpos[i]] = p[i];
		if (parts)
			parts[newpos[i]] = parts[i];
	}
	free(seen);
	free(newpos);
	return w;
}
