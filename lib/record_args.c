/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_args.c - `callfence record --args`: which arguments of which
 * calls are recorded, and their distinct values.
 *
 * Recorded are the arguments whose rules matter and are safe to pin to
 * the values a workload used: clone's flags (clone3's, read from its
 * struct clone_args, go to clone: see docs/record.md), personality,
 * socket's domain and type, ioctl's request, prctl's option, fcntl's
 * command, mmap's and mprotect's protection. Values are kept as the
 * kernel reads them: a 32-bit (int) argument, or any argument on a
 * 32-bit ABI, by its low 32 bits.
 */
#include "base.h"
#include "syscalls.h"
#include "record_obs.h"

#include <stdlib.h>
#include <string.h>

struct rec_argdef {
	const char *name;
	uint8_t mask, flags;
	bool clone3;
};

static const struct rec_argdef rec_argdefs[] = {
    {"clone", 1U << 0, 1U << 0, false},
    {"clone3", 1U << 0, 1U << 0, true},
    {"fcntl", 1U << 1, 0, false},
    {"fcntl64", 1U << 1, 0, false},
    {"ioctl", 1U << 1, 0, false},
    {"mmap", 1U << 2, 1U << 2, false},
    {"mmap2", 1U << 2, 1U << 2, false},
    {"mprotect", 1U << 2, 1U << 2, false},
    {"personality", 1U << 0, 0, false},
    {"pkey_mprotect", 1U << 2, 1U << 2, false},
    {"prctl", 1U << 0, 0, false},
    {"socket", 1U << 0 | 1U << 1, 0, false},
};

bool cf_rec_argspec(int abi, int idx, struct cf_rec_argspec *out)
{
	const char *name;

	memset(out, 0, sizeof(*out));
	if (abi < 0 || abi >= cf_narches || idx < 0 ||
	    (size_t)idx >= cf_nsysinfo)
		return false;
	name = cf_sysinfo[idx].name;
	/* s390's clone takes the stack first, the flags second: its rule
	 * would not fit the other ABIs' (rules are by name): not recorded */
	if (!strcmp(name, "clone") && !strncmp(cf_arches[abi].name, "s390", 4))
		return false;
	for (size_t i = 0; i < CF_ARRAY_SIZE(rec_argdefs); i++)
		if (!strcmp(rec_argdefs[i].name, name)) {
			out->mask = rec_argdefs[i].mask;
			out->flags = rec_argdefs[i].flags;
			out->clone3 = rec_argdefs[i].clone3;
			return true;
		}
	return false;
}

unsigned cf_rec_arg_bits(int abi, int idx, unsigned arg)
{
	const struct cf_sysinfo *s = &cf_sysinfo[idx];
	uint8_t b;

	if (cf_arches[abi].cmp_bits == 32 || arg >= 6)
		return 32;
	b = cf_arches[abi].ptr_bits == 64 ? s->bits_lp64[arg]
					  : s->bits_ilp32[arg];
	return b == 32 || b == 16 ? 32 : 64;
}

static int rec_name_idx(int abi, uint32_t nr)
{
	const char *name;

	if (abi < 0 || abi >= cf_narches)
		return -1;
	name = cf_syscall_name(abi, nr);
	return name ? cf_sys_index(name) : -1;
}

uint32_t cf_record_arg_mask(int abi, uint32_t nr)
{
	struct cf_rec_argspec sp;

	return cf_rec_argspec(abi, rec_name_idx(abi, nr), &sp) ? sp.mask : 0;
}

static int rec_vals_add(struct rec_vals *vs, uint64_t value)
{
	for (uint32_t i = 0; i < vs->n; i++)
		if (vs->v[i] == value)
			return 0;
	if (vs->n >= CF_REC_KEEP_VALUES) {
		vs->overflow = true;
		return 0;
	}
	if (vs->n == vs->cap) {
		uint32_t cap = vs->cap ? 2 * vs->cap : 4;
		uint64_t *v = realloc(vs->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		vs->v = v;
		vs->cap = cap;
	}
	vs->v[vs->n++] = value;
	return 0;
}

int cf_record_add_arg(struct cf_record *r, int abi, uint32_t nr, unsigned arg,
		      uint64_t value)
{
	int idx = rec_name_idx(abi, nr);
	struct cf_rec_argspec sp;
	struct rec_obs *o;

	if (abi < 0 || abi >= cf_narches || arg >= 6 ||
	    !cf_rec_argspec(abi, idx, &sp) || !(sp.mask >> arg & 1))
		return -EINVAL;
	o = cf_rec_obs_get(r, (uint32_t)abi, nr);
	if (!o)
		return -ENOMEM;
	if (!o->args) {
		o->args = calloc(6, sizeof(*o->args));
		if (!o->args)
			return -ENOMEM;
	}
	if (cf_rec_arg_bits(abi, idx, arg) == 32)
		value &= 0xffffffffU;
	return rec_vals_add(&o->args[arg], value);
}

void cf_rec_vals_free(struct rec_obs *o)
{
	if (!o->args)
		return;
	for (unsigned i = 0; i < 6; i++)
		free(o->args[i].v);
	free(o->args);
	o->args = NULL;
}
