/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen.c - random valid Docker/OCI profiles: random ABIs (as
 * "architectures" or as an archMap), default actions and errno values,
 * rules of 0-6 conditions over every operator (same-index pairs too),
 * names reused across rules so that one syscall gets overlapping rules
 * with different actions, socket/ipc names for the multiplexing ABIs,
 * includes/excludes on caps, arches and minKernel. Deterministic for a
 * seed (xorshift64*).
 */
#include "diff.h"
#include "base.h"
#include "syscalls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t gen_next(struct gen_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static unsigned below(struct gen_rng *r, unsigned n)
{
	return (unsigned)(gen_next(r) % n);
}

static bool chance(struct gen_rng *r, unsigned percent)
{
	return below(r, 100) < percent;
}

static const char *const hot_names[] = {
    "read",   "write",	    "openat",  "socket",      "connect", "semop",
    "ipc",    "socketcall", "clone",   "personality", "futex",	 "mmap",
    "ioctl",  "kill",	    "accept4", "sendmsg",     "shmget",	 "msgrcv",
    "getpid", "close",	    "fcntl",   "prctl",	      "bind",	 "recvfrom",
};

static const char *const actions[] = {
    "SCMP_ACT_ALLOW",	    "SCMP_ACT_ERRNO",	     "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
    "SCMP_ACT_LOG",	    "SCMP_ACT_TRACE",	     "SCMP_ACT_ERRNO",
    "SCMP_ACT_ALLOW",
};

static const char *const ops[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	"SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

static const char *const caps[] = {"CAP_SYS_ADMIN", "CAP_CHOWN",
				   "CAP_NET_ADMIN", "CAP_SYS_PTRACE"};
static const char *const goarches[] = {"amd64", "386",	 "arm64",
				       "arm",	"s390x", "ppc64le"};
static const char *const kernels[] = {"4.8", "5.4", "6.18", "7.2", "4.14.0"};

static uint64_t value(struct gen_rng *r)
{
	static const uint64_t pool[] = {
	    0,
	    1,
	    2,
	    3,
	    5,
	    8,
	    17,
	    144,
	    0x7f,
	    0x80,
	    0xff,
	    0x100,
	    0x7fffffff,
	    0x80000000,
	    0xfffffffe,
	    0xffffffff,
	    0x100000000,
	    0x100000001,
	    0x1ffffffff,
	    0xffffffff00000000ULL,
	    0x8000000000000000ULL,
	    0xfffffffffffffffeULL,
	    UINT64_MAX,
	};

	uint64_t hi;

	switch (below(r, 5)) {
	case 0:
		return below(r, 64);
	case 1:
		return gen_next(r);
	case 2:
		hi = below(r, 4);
		return hi << 32 | below(r, 300);
	default:
		return pool[below(r, CF_ARRAY_SIZE(pool))];
	}
}

static bool newer_abi(int a)
{
	static const char *const names[] = {"loongarch64", "m68k", "sh",
					    "sheb"};

	for (size_t i = 0; i < CF_ARRAY_SIZE(names); i++)
		if (!strcmp(cf_arches[a].name, names[i]))
			return true;
	return false;
}

/* Supported ABIs with the native's byte order (rarely another). */
static int pick_abi(struct gen_rng *r, int native)
{
	for (int tries = 0; tries < 64; tries++) {
		int a = (int)below(r, (unsigned)cf_narches);

		if (!cf_abi_supported(a))
			continue;
		if (cf_arches[a].big_endian != cf_arches[native].big_endian &&
		    !chance(r, 3))
			continue;
		/* ABIs newer than libseccomp 2.5.4 (it refuses the whole
		 * filter): seldom, so that most profiles reach it */
		if (newer_abi(a) && !chance(r, 25))
			continue;
		return a;
	}
	return native;
}

/* Sub-ABIs that go with a native, as Docker's archMap lists them. */
static int buddy_abi(struct gen_rng *r, int native)
{
	static const char *const pairs[][3] = {
	    {"x86_64", "x86", "x32"},
	    {"aarch64", "arm", "arm"},
	    {"s390x", "s390x", "s390x"},
	    {"ppc64le", "ppc64le", "ppc64le"},
	    {"mips64", "mips", "mips64n32"},
	    {"mipsel64", "mipsel", "mipsel64n32"},
	    {"riscv64", "riscv64", "riscv64"},
	    {"x86", "x86", "x86"},
	    {"arm", "arm", "arm"},
	};

	for (size_t i = 0; i < CF_ARRAY_SIZE(pairs); i++)
		if (!strcmp(pairs[i][0], cf_arches[native].name))
			return cf_abi_lookup(pairs[i][1 + below(r, 2)]);
	return pick_abi(r, native);
}

static const char *pick_name(struct gen_rng *r, const char **used, size_t nused)
{
	if (nused && chance(r, 35))
		return used[below(r, (unsigned)nused)];
	if (chance(r, 40))
		return hot_names[below(r, CF_ARRAY_SIZE(hot_names))];
	if (chance(r, 2))
		return "no_such_syscall";
	return cf_sysinfo[below(r, (unsigned)cf_nsysinfo)].name;
}

static void str_list(FILE *f, const char *const *pool, size_t n,
		     struct gen_rng *r)
{
	unsigned k = 1 + below(r, 2);

	fputc('[', f);
	for (unsigned i = 0; i < k; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "",
			pool[below(r, (unsigned)n)]);
	fputc(']', f);
}

static void filter(FILE *f, struct gen_rng *r, const char *key)
{
	bool first = true;

	fprintf(f, ",\"%s\":{", key);
	if (chance(r, 50)) {
		fprintf(f, "\"caps\":");
		str_list(f, caps, CF_ARRAY_SIZE(caps), r);
		first = false;
	}
	if (chance(r, 40)) {
		fprintf(f, "%s\"arches\":", first ? "" : ",");
		str_list(f, goarches, CF_ARRAY_SIZE(goarches), r);
		first = false;
	}
	if (first || chance(r, 20))
		fprintf(f, "%s\"minKernel\":\"%s\"", first ? "" : ",",
			kernels[below(r, CF_ARRAY_SIZE(kernels))]);
	fputc('}', f);
}

static void action(FILE *f, struct gen_rng *r, const char *key,
		   const char *retkey)
{
	const char *a = actions[below(r, CF_ARRAY_SIZE(actions))];

	fprintf(f, "\"%s\":\"%s\"", key, a);
	if ((strstr(a, "ERRNO") || strstr(a, "TRACE")) && chance(r, 70))
		fprintf(f, ",\"%s\":%u", retkey,
			chance(r, 50) ? below(r, 4) : below(r, 4095));
}

static void rule(FILE *f, struct gen_rng *r, const char **used, size_t *nused)
{
	unsigned nnames = 1 + below(r, 3), nargs;
	unsigned w = below(r, 100);
	int last = -1;

	nargs = w < 30 ? 0 : w < 60 ? 1 : w < 80 ? 2 : 3 + below(r, 4);
	fprintf(f, "{\"names\":[");
	for (unsigned i = 0; i < nnames; i++) {
		const char *n = pick_name(r, used, *nused);

		fprintf(f, "%s\"%s\"", i ? "," : "", n);
		if (*nused < 64)
			used[(*nused)++] = n;
	}
	fprintf(f, "],");
	action(f, r, "action", "errnoRet");
	if (nargs) {
		fprintf(f, ",\"args\":[");
		for (unsigned i = 0; i < nargs; i++) {
			/* one draw per statement: the order of the
			 * profiles must not depend on the compiler */
			unsigned op = below(r, CF_ARRAY_SIZE(ops));
			int idx = last >= 0 && chance(r, 20) ? last
							     : (int)below(r, 6);
			uint64_t v = value(r);
			uint64_t v2 = op == 6 && chance(r, 80) ? value(r) : 0;

			last = idx;
			fprintf(f,
				"%s{\"index\":%d,\"value\":%llu,\"valueTwo\":"
				"%llu,\"op\":\"%s\"}",
				i ? "," : "", idx, (unsigned long long)v,
				(unsigned long long)v2, ops[op]);
		}
		fputc(']', f);
	}
	if (chance(r, 12))
		filter(f, r, "includes");
	if (chance(r, 8))
		filter(f, r, "excludes");
	fputc('}', f);
}

static void abis(FILE *f, struct gen_rng *r, int native)
{
	unsigned n = below(r, 4);
	int a, b;

	if (chance(r, 30)) {
		/* an archMap: the native entry and another one */
		fprintf(f,
			",\"archMap\":[{\"architecture\":\"%s\","
			"\"subArchitectures\":[",
			cf_arches[native].oci);
		for (unsigned i = 0; i < n; i++)
			fprintf(f, "%s\"%s\"", i ? "," : "",
				cf_arches[buddy_abi(r, native)].oci);
		a = pick_abi(r, native);
		b = pick_abi(r, native);
		fprintf(f,
			"]},{\"architecture\":\"%s\","
			"\"subArchitectures\":[\"%s\"]}]",
			cf_arches[a].oci, cf_arches[b].oci);
		return;
	}
	if (!n && chance(r, 50))
		return;
	fprintf(f, ",\"architectures\":[");
	for (unsigned i = 0; i < n; i++) {
		a = chance(r, 60) ? buddy_abi(r, native) : pick_abi(r, native);
		fprintf(f, "%s\"%s\"", i ? "," : "", cf_arches[a].oci);
	}
	fputc(']', f);
}

char *gen_profile(struct gen_rng *r, int native, uint64_t *capset)
{
	const char *used[64];
	size_t nused = 0, len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	unsigned nrules = below(r, 13);

	if (!f)
		return NULL;
	fputc('{', f);
	action(f, r, "defaultAction", "defaultErrnoRet");
	abis(f, r, native);
	fprintf(f, ",\"syscalls\":[");
	for (unsigned i = 0; i < nrules; i++) {
		if (i)
			fputc(',', f);
		rule(f, r, used, &nused);
	}
	fprintf(f, "]}");
	fclose(f);
	switch (below(r, 3)) {
	case 0:
		*capset = cf_caps_docker_default();
		break;
	case 1:
		*capset = cf_caps_docker_default() | 1ULL << 21;
		break;
	default:
		*capset = cf_caps_all();
	}
	return buf;
}
