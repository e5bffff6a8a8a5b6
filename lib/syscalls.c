/* SPDX-License-Identifier: Apache-2.0 */
/* syscalls.c - lookups over the generated tables (syscalls_table.c). */
#include "base.h"
#include "syscalls.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The hash tools/gen-tables places the names with (keep them equal). */
int cf_sys_index(const char *name)
{
	uint32_t h = 2166136261U, x;
	const unsigned char *s = (const unsigned char *)name;
	int idx;

	for (; *s; s++)
		h = (h ^ *s) * 16777619U;
	x = (h ^ cf_sys_hash_disp[h % CF_SYS_HASH_BUCKETS] * 0x9e3779b9U) *
	    0x85ebca6bU;
	idx = cf_sys_hash_slot[x >> 22];
	return idx >= 0 && !strcmp(name, cf_sysinfo[idx].name) ? idx : -1;
}

int64_t cf_sys_nr(int arch, int idx)
{
	int t;

	if (arch < 0 || arch >= cf_narches || idx < 0 ||
	    (size_t)idx >= cf_nsysinfo)
		return -1;
	t = cf_arches[arch].table;
	return t < 0 ? -1 : cf_table_nrs[t][idx];
}

uint32_t cf_arch_max_nr(int arch)
{
	int t = cf_arches[arch].table;

	return t < 0 ? 0 : cf_table_max[t];
}

void cf_arch_foreach(int arch, void (*fn)(void *ctx, int idx, uint32_t nr),
		     void *ctx)
{
	int t = cf_arches[arch].table;
	uint32_t prev = 0;
	bool first = true;

	if (t < 0)
		return;
	/* tables are small: repeated minimum search keeps no state */
	for (;;) {
		int best = -1;

		for (size_t i = 0; i < cf_nsysinfo; i++) {
			int32_t nr = cf_table_nrs[t][i];

			if (nr < 0 || (!first && (uint32_t)nr <= prev))
				continue;
			if (best < 0 || nr < cf_table_nrs[t][best])
				best = (int)i;
		}
		if (best < 0)
			return;
		prev = (uint32_t)cf_table_nrs[t][best];
		first = false;
		fn(ctx, best, prev);
	}
}

unsigned cf_sys_arg_bits(int arch, int idx, unsigned arg)
{
	const struct cf_arch *a = &cf_arches[arch];
	const struct cf_sysinfo *s;
	uint8_t b;

	if (idx < 0 || (size_t)idx >= cf_nsysinfo || arg >= 6)
		return 0;
	s = &cf_sysinfo[idx];
	/* x32 and mips n32 use the 64-bit kernel's prototypes */
	b = a->cmp_bits == 64 || cf_arch_is_x32(a) ||
		    !strcmp(a->name, "mips64n32") ||
		    !strcmp(a->name, "mipsel64n32")
		? s->bits_lp64[arg]
		: s->bits_ilp32[arg];
	if (b == 0xfe)
		return a->ptr_bits;
	return b;
}

int cf_abi_count(void)
{
	return cf_narches;
}

int cf_abi_lookup(const char *name)
{
	static const struct {
		const char *alias, *name;
	} aliases[] = {
	    {"i386", "x86"}, {"arm64", "aarch64"}, {"amd64", "x86_64"}};

	if (!name)
		return -1;
	for (size_t i = 0; i < CF_ARRAY_SIZE(aliases); i++)
		if (!strcasecmp(name, aliases[i].alias))
			name = aliases[i].name;
	for (int i = 0; i < cf_narches; i++)
		if (!strcasecmp(name, cf_arches[i].oci) ||
		    !strcasecmp(name, cf_arches[i].name))
			return i;
	return -1;
}

static bool abi_ok(int abi)
{
	return abi >= 0 && abi < cf_narches;
}

const char *cf_abi_name(int abi)
{
	return abi_ok(abi) ? cf_arches[abi].name : NULL;
}

const char *cf_abi_oci(int abi)
{
	return abi_ok(abi) ? cf_arches[abi].oci : NULL;
}

const char *cf_abi_go(int abi)
{
	return abi_ok(abi) ? cf_arches[abi].go : NULL;
}

uint32_t cf_abi_audit_arch(int abi)
{
	return abi_ok(abi) ? cf_arches[abi].audit_arch : 0;
}

bool cf_abi_supported(int abi)
{
	return abi_ok(abi) && cf_arches[abi].table >= 0;
}

bool cf_abi_big_endian(int abi)
{
	return abi_ok(abi) && cf_arches[abi].big_endian;
}

/* The ABI this library is built for, by its name in cf_arches. */
#if defined(__x86_64__) && defined(__ILP32__)
#define CF_HOST_ABI "x32"
#elif defined(__x86_64__)
#define CF_HOST_ABI "x86_64"
#elif defined(__i386__)
#define CF_HOST_ABI "x86"
#elif defined(__aarch64__)
#define CF_HOST_ABI "aarch64"
#elif defined(__arm__)
#define CF_HOST_ABI "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define CF_HOST_ABI "riscv64"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CF_HOST_ABI "ppc64le"
#elif defined(__powerpc64__)
#define CF_HOST_ABI "ppc64"
#elif defined(__powerpc__)
#define CF_HOST_ABI "ppc"
#elif defined(__s390x__)
#define CF_HOST_ABI "s390x"
#elif defined(__loongarch64)
#define CF_HOST_ABI "loongarch64"
#endif

int cf_abi_host(void)
{
#ifdef CF_HOST_ABI
	return cf_abi_lookup(CF_HOST_ABI);
#else
	return -1; /* a machine without a syscall table here */
#endif
}

int64_t cf_syscall_number(int abi, const char *name)
{
	return abi_ok(abi) && name ? cf_sys_nr(abi, cf_sys_index(name)) : -1;
}

/* A table's numbers in order (each with its name's index; of names with
 * one number, the first, as a search of the names finds): built at the
 * table's first cf_syscall_name and kept for the process. A recording
 * names about 2000 calls; a linear search of the 518 names for each was
 * most of the user time of `callfence record -- true` (docs/record.md,
 * "Fourth round"). */
struct sys_by_nr {
	size_t n;
	struct {
		uint32_t nr, idx;
	} e[];
};
#define SYS_BY_NR_TABLES 32
static struct sys_by_nr *sys_by_nr[SYS_BY_NR_TABLES];

static int sys_by_nr_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b; /* nr, idx */

	return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0])
			    : (x[1] > y[1]) - (x[1] < y[1]);
}

/* Table t's numbers in order, or NULL without memory. Threads that race
 * build one each; the first published is kept. */
static const struct sys_by_nr *sys_by_nr_get(int t)
{
	struct sys_by_nr *p = __atomic_load_n(&sys_by_nr[t], __ATOMIC_ACQUIRE);
	struct sys_by_nr *expected = NULL;

	if (p)
		return p;
	p = malloc(sizeof(*p) + cf_nsysinfo * sizeof(p->e[0]));
	if (!p)
		return NULL;
	p->n = 0;
	for (size_t i = 0; i < cf_nsysinfo; i++)
		if (cf_table_nrs[t][i] >= 0) {
			p->e[p->n].nr = (uint32_t)cf_table_nrs[t][i];
			p->e[p->n++].idx = (uint32_t)i;
		}
	qsort(p->e, p->n, sizeof(p->e[0]), sys_by_nr_cmp);
	if (__atomic_compare_exchange_n(&sys_by_nr[t], &expected, p, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return p;
	free(p);
	return expected;
}

const char *cf_syscall_name(int abi, uint32_t nr)
{
	const struct sys_by_nr *p;
	size_t lo = 0, hi;
	int t;

	if (!abi_ok(abi) || (t = cf_arches[abi].table) < 0)
		return NULL;
	if (t >= SYS_BY_NR_TABLES || !(p = sys_by_nr_get(t))) {
		for (size_t i = 0; i < cf_nsysinfo; i++) /* no memory */
			if (cf_table_nrs[t][i] >= 0 &&
			    (uint32_t)cf_table_nrs[t][i] == nr)
				return cf_sysinfo[i].name;
		return NULL;
	}
	for (hi = p->n; lo < hi;) { /* the first entry with e.nr >= nr */
		size_t mid = lo + (hi - lo) / 2;

		if (p->e[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n && p->e[lo].nr == nr ? cf_sysinfo[p->e[lo].idx].name
					      : NULL;
}
