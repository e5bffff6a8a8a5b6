/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_runtime.c - the calls container runtimes make in the container's
 * init between installing its seccomp filter and execve of the container's
 * process: a recorded profile must allow them or `docker run` (runc) and
 * `podman run` (crun) cannot start the workload under it.
 *
 * Measured on this machine, not guessed: the tables below are the union
 * of 4 runs each of
 *     tools/measure-runtime-calls RUNTIME nnp
 *     tools/measure-runtime-calls RUNTIME no-nnp
 * (strace -ff of `RUNTIME run` of a busybox bundle with a filter; the
 * calls of the thread that installed it, and of threads it started, up to
 * execve), with runc 1.1.5+ds1 and crun 1.8.1 (Debian 12), Linux 6.18,
 * x86_64, on 2026-12-03. One entry per line: the name, and for calls
 * whose arguments `record --args` records, the raw arguments. A live
 * test (tests/live/record-runtimes.sh) measures again and fails on any
 * call missing here. Other versions may make other calls: measure them
 * with the script and compare.
 */
#include "record_runtime.h"

#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* BEGIN runc */
static const char *const rt_runc[] = {
    "capget",
    "capset",
    "chdir",
    "close",
    "epoll_ctl",
    "faccessat2",
    "fcntl 0x3 0x2 0x1",
    "fcntl 0x4 0x2 0x1",
    "fcntl 0x5 0x2 0x1",
    "fcntl 0x7 0x2 0x1",
    "fcntl 0x8 0x2 0x1",
    "fcntl 0x9 0x2 0x1",
    "fstat",
    "fstatfs",
    "futex",
    "getcwd",
    "getdents64",
    "getpid",
    "getppid",
    "newfstatat",
    "openat",
    "prctl 0x2f 0x3 0 0 0",
    "prctl 0x2f 0x3 0x1 0 0",
    "prctl 0x2f 0x3 0x10 0 0",
    "prctl 0x2f 0x3 0x11 0 0",
    "prctl 0x2f 0x3 0x12 0 0",
    "prctl 0x2f 0x3 0x13 0 0",
    "prctl 0x2f 0x3 0x14 0 0",
    "prctl 0x2f 0x3 0x15 0 0",
    "prctl 0x2f 0x3 0x16 0 0",
    "prctl 0x2f 0x3 0x17 0 0",
    "prctl 0x2f 0x3 0x18 0 0",
    "prctl 0x2f 0x3 0x19 0 0",
    "prctl 0x2f 0x3 0x1a 0 0",
    "prctl 0x2f 0x3 0x1b 0 0",
    "prctl 0x2f 0x3 0x1c 0 0",
    "prctl 0x2f 0x3 0x1e 0 0",
    "prctl 0x2f 0x3 0x1f 0 0",
    "prctl 0x2f 0x3 0x2 0 0",
    "prctl 0x2f 0x3 0x20 0 0",
    "prctl 0x2f 0x3 0x21 0 0",
    "prctl 0x2f 0x3 0x22 0 0",
    "prctl 0x2f 0x3 0x23 0 0",
    "prctl 0x2f 0x3 0x24 0 0",
    "prctl 0x2f 0x3 0x25 0 0",
    "prctl 0x2f 0x3 0x26 0 0",
    "prctl 0x2f 0x3 0x27 0 0",
    "prctl 0x2f 0x3 0x28 0 0",
    "prctl 0x2f 0x3 0x3 0 0",
    "prctl 0x2f 0x3 0x4 0 0",
    "prctl 0x2f 0x3 0x6 0 0",
    "prctl 0x2f 0x3 0x7 0 0",
    "prctl 0x2f 0x3 0x8 0 0",
    "prctl 0x2f 0x3 0x9 0 0",
    "prctl 0x2f 0x3 0xb 0 0",
    "prctl 0x2f 0x3 0xc 0 0",
    "prctl 0x2f 0x3 0xd 0 0",
    "prctl 0x2f 0x3 0xe 0 0",
    "prctl 0x2f 0x3 0xf 0 0",
    "prctl 0x8 0 0 0 0",
    "prctl 0x8 0x1 0 0 0",
    "read",
    "rt_sigreturn",
    "setgid",
    "setgroups",
    "setuid",
    "write",
    NULL,
};
/* END runc */

/* BEGIN crun */
static const char *const rt_crun[] = {
    "capset",
    "close",
    "prctl 0x2f 0x4 0 0 0",
    "prctl 0x8 0x1 0 0 0",
    "rt_sigaction",
    "rt_sigprocmask",
    "setresgid",
    "setresuid",
    "write",
    NULL,
};
/* END crun */

/* Measured in both runtimes' lists alike, kept once: how they apply the
 * bundle's process.capabilities (the same bundle for both): every
 * capability it does not keep dropped from the bounding set (prctl 0x18,
 * PR_CAPBSET_DROP), every one it keeps raised in the ambient set (prctl
 * 0x2f 0x2, PR_CAP_AMBIENT_RAISE). The live test reads this block as part
 * of each runtime's list, one entry per line (so clang-format is off). */
/* BEGIN runc, BEGIN crun */
/* clang-format off */
static const char *const rt_caps[] = {
    "prctl 0x18 0 0 0 0",
    "prctl 0x18 0x1 0 0 0",
    "prctl 0x18 0x10 0 0 0",
    "prctl 0x18 0x11 0 0 0",
    "prctl 0x18 0x12 0 0 0",
    "prctl 0x18 0x13 0 0 0",
    "prctl 0x18 0x14 0 0 0",
    "prctl 0x18 0x15 0 0 0",
    "prctl 0x18 0x16 0 0 0",
    "prctl 0x18 0x17 0 0 0",
    "prctl 0x18 0x18 0 0 0",
    "prctl 0x18 0x19 0 0 0",
    "prctl 0x18 0x1a 0 0 0",
    "prctl 0x18 0x1b 0 0 0",
    "prctl 0x18 0x1c 0 0 0",
    "prctl 0x18 0x1e 0 0 0",
    "prctl 0x18 0x1f 0 0 0",
    "prctl 0x18 0x2 0 0 0",
    "prctl 0x18 0x20 0 0 0",
    "prctl 0x18 0x21 0 0 0",
    "prctl 0x18 0x22 0 0 0",
    "prctl 0x18 0x23 0 0 0",
    "prctl 0x18 0x24 0 0 0",
    "prctl 0x18 0x25 0 0 0",
    "prctl 0x18 0x26 0 0 0",
    "prctl 0x18 0x27 0 0 0",
    "prctl 0x18 0x28 0 0 0",
    "prctl 0x18 0x3 0 0 0",
    "prctl 0x18 0x4 0 0 0",
    "prctl 0x18 0x6 0 0 0",
    "prctl 0x18 0x7 0 0 0",
    "prctl 0x18 0x8 0 0 0",
    "prctl 0x18 0x9 0 0 0",
    "prctl 0x18 0xb 0 0 0",
    "prctl 0x18 0xc 0 0 0",
    "prctl 0x18 0xd 0 0 0",
    "prctl 0x18 0xe 0 0 0",
    "prctl 0x18 0xf 0 0 0",
    "prctl 0x2f 0x2 0x1d 0 0",
    "prctl 0x2f 0x2 0x5 0 0",
    "prctl 0x2f 0x2 0xa 0 0",
    NULL,
};
/* clang-format on */
/* END runc, END crun */

static const struct rt_table {
	unsigned runtimes; /* REC_RT_*: whose calls these are */
	const char *const *calls;
} rt_tables[] = {
    {REC_RT_RUNC, rt_runc},
    {REC_RT_CRUN, rt_crun},
    {REC_RT_RUNC | REC_RT_CRUN, rt_caps},
};

int rec_runtimes_parse(const char *list, unsigned *out)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int rc = 0;

	*out = 0;
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "callfence"))
			*out |= REC_RT_CALLFENCE;
		else if (!strcmp(tok, "runc"))
			*out |= REC_RT_RUNC;
		else if (!strcmp(tok, "crun"))
			*out |= REC_RT_CRUN;
		else if (!strcmp(tok, "none"))
			;
		else {
			cli_errorf(
			    "--runtime: unknown runtime '%s' (callfence, "
			    "runc, crun, none; comma-separated)",
			    tok);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

/* The host's numbers the workload called itself (count > 0), gathered in
 * one pass: cf_record_next names each observation with a linear search
 * of the syscall table, and asking it again for every runtime entry took
 * about 1.5 ms of every recording (docs/record.md, "Start-up"). Numbers
 * from RT_SEEN_BITS up (o32 MIPS numbers start at 4000) are looked up one
 * by one. */
enum { RT_SEEN_BITS = 1024 };
struct rt_seen {
	const struct cf_record *obs;
	uint64_t bits[RT_SEEN_BITS / 64];
};

static void rt_seen_init(struct rt_seen *s, const struct cf_record *obs,
			 int host)
{
	size_t pos = 0;
	int abi;
	uint32_t n;
	uint64_t count;

	memset(s, 0, sizeof(*s));
	s->obs = obs;
	while (cf_record_next(obs, &pos, &abi, &n, &count))
		if (abi == host && n < RT_SEEN_BITS && count)
			s->bits[n / 64] |= 1ULL << (n % 64);
}

/* Was (host, nr) observed before the runtimes were added? */
static bool rt_seen(const struct rt_seen *s, int host, uint32_t nr)
{
	size_t pos = 0;
	int abi;
	uint32_t n;
	uint64_t count;

	if (nr < RT_SEEN_BITS)
		return s->bits[nr / 64] >> (nr % 64) & 1;
	while (cf_record_next(s->obs, &pos, &abi, &n, &count))
		if (abi == host && n == nr && count)
			return true;
	return false;
}

/* One entry: "name[ 0xA0 0xA1 ...]". */
static int rt_add_entry(struct cf_record *obs, const struct rt_seen *seen,
			bool args, const char *e, struct rec_rt_added *added)
{
	char name[64];
	size_t len = strcspn(e, " ");
	int host = cf_abi_host();
	int64_t nr;
	uint32_t mask;
	const char *p = e + len;

	if (len >= sizeof(name))
		return -1;
	memcpy(name, e, len);
	name[len] = 0;
	nr = cf_syscall_number(host, name);
	if (nr < 0)
		return 0; /* not on this ABI: nothing to allow */
	if (!rt_seen(seen, host, (uint32_t)nr))
		rec_rt_note(added, cf_syscall_name(host, (uint32_t)nr));
	if (cf_record_add(obs, host, (uint32_t)nr, 0) < 0)
		return -1;
	mask = args ? cf_record_arg_mask(host, (uint32_t)nr) : 0;
	for (unsigned a = 0; a < 6 && *p; a++) {
		char *end;
		unsigned long long v = strtoull(p, &end, 0);

		if (end == p)
			break;
		if (mask >> a & 1 &&
		    cf_record_add_arg(obs, host, (uint32_t)nr, a, v) < 0)
			return -1;
		p = end;
	}
	return 0;
}

void rec_rt_note(struct rec_rt_added *added, const char *name)
{
	for (size_t i = 0; i < added->n; i++)
		if (!strcmp(added->names[i], name))
			return;
	if (added->n < CF_ARRAY_LEN(added->names))
		added->names[added->n++] = name;
}

int rec_add_runtime_calls(struct cf_record *obs, bool args, unsigned which,
			  unsigned bit, struct rec_rt_added *added)
{
	struct rt_seen seen;

	added->n = 0;
	if (!(which & bit))
		return 0;
	rt_seen_init(&seen, obs, cf_abi_host());
	for (size_t t = 0; t < CF_ARRAY_LEN(rt_tables); t++) {
		if (!(rt_tables[t].runtimes & bit))
			continue;
		for (const char *const *e = rt_tables[t].calls; *e; e++)
			if (rt_add_entry(obs, &seen, args, *e, added) < 0)
				return -1;
	}
	return 0;
}
