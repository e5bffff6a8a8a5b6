/* SPDX-License-Identifier: Apache-2.0 */
/* caps.c - capability names (linux/capability.h) and capability sets. */
#include "base.h"
#include "input.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

/* Docker's 14 default capabilities */
static const char *const docker_default[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",	       "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",	       "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",	   "CAP_AUDIT_WRITE",
};

int cf_cap_lookup(const char *name)
{
	const char *bare = name;

	if (!strncasecmp(name, "CAP_", 4))
		bare = name + 4;
	for (size_t i = 0; i < CF_ARRAY_SIZE(cap_names); i++)
		if (!strcasecmp(bare, cap_names[i] + 4))
			return (int)i;
	return -1;
}

const char *cf_cap_name(int cap)
{
	return cap >= 0 && (size_t)cap < CF_ARRAY_SIZE(cap_names)
		   ? cap_names[cap]
		   : NULL;
}

uint64_t cf_caps_docker_default(void)
{
	uint64_t set = 0;

	for (size_t i = 0; i < CF_ARRAY_SIZE(docker_default); i++)
		set |= 1ULL << cf_cap_lookup(docker_default[i]);
	return set;
}

/* The kernel's cap_last_cap, read once per process (it is fixed while the
 * kernel runs; `record` rehearses `run` 8 times, each asking for it: 4
 * system calls each). Only a value read is kept: without /proc, every
 * call tries again and falls back to the capabilities callfence knows. */
static int caps_last_read = -1;

uint64_t cf_caps_all(void)
{
	int last = __atomic_load_n(&caps_last_read, __ATOMIC_RELAXED);
	char text[16], *end;
	long v;

	if (last < 0 && cf_read_small("/proc/sys/kernel/cap_last_cap", text,
				      sizeof(text)) > 0) {
		v = strtol(text, &end, 10);
		if (end != text && v >= 0 && v <= CF_CAP_MAX) {
			last = (int)v;
			__atomic_store_n(&caps_last_read, last,
					 __ATOMIC_RELAXED);
		}
	}
	if (last < 0)
		last = (int)CF_ARRAY_SIZE(cap_names) - 1;
	return last == 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

static int cap_err(struct cf_error *err, const char *name)
{
	char hint[96];

	cf_did_you_mean(name, cap_names, CF_ARRAY_SIZE(cap_names), hint,
			sizeof(hint));
	return cf_err(err, -EINVAL, "unknown capability '%s'%s", name,
		      hint[0] ? hint : " (see capabilities(7))");
}

/* The capability named by the n bytes at s; -EINVAL (with a hint) when
 * there is none, or the name is empty or too long (then bad says why). */
static int cap_token(const char *s, size_t n, const char *bad,
		     struct cf_error *err)
{
	char name[64];
	int cap;

	if (n == 0 || n >= sizeof(name))
		return cf_err(err, -EINVAL, "%s", bad);
	memcpy(name, s, n);
	name[n] = 0;
	if ((cap = cf_cap_lookup(name)) < 0)
		return cap_err(err, name);
	return cap;
}

/* "default+CAP_X-CAP_Y": modifiers after a base set */
static int apply_mods(const char *s, uint64_t *caps, struct cf_error *err)
{
	while (*s) {
		char op = *s++, bad[96];
		size_t n = strcspn(s, "+-");
		int cap;

		snprintf(bad, sizeof(bad),
			 "bad capability set near '%c%.40s' (expected "
			 "+CAP_X or -CAP_X)",
			 op, s);
		if (op != '+' && op != '-')
			n = 0;
		if ((cap = cap_token(s, n, bad, err)) < 0)
			return cap;
		if (op == '+')
			*caps |= 1ULL << cap;
		else
			*caps &= ~(1ULL << cap);
		s += n;
	}
	return 0;
}

static int parse_list(const char *s, uint64_t *caps, struct cf_error *err)
{
	*caps = 0;
	while (*s) {
		char bad[96];
		size_t n = strcspn(s, ",");
		int cap;

		snprintf(bad, sizeof(bad),
			 "bad capability list '%.40s' (expected CAP_A,CAP_B)",
			 s);
		if ((cap = cap_token(s, n, bad, err)) < 0)
			return cap;
		*caps |= 1ULL << cap;
		s += n + (s[n] == ',');
	}
	return 0;
}

int cf_caps_parse(const char *spec, uint64_t *caps, struct cf_error *err)
{
	static const struct {
		const char *name;
		uint64_t (*set)(void);
	} bases[] = {{"default", cf_caps_docker_default}, {"all", cf_caps_all}};

	if (!strcmp(spec, "none")) {
		*caps = 0;
		return 0;
	}
	for (size_t i = 0; i < CF_ARRAY_SIZE(bases); i++) {
		size_t n = strlen(bases[i].name);

		if (!strncmp(spec, bases[i].name, n) &&
		    (spec[n] == 0 || spec[n] == '+' || spec[n] == '-')) {
			*caps = bases[i].set();
			return apply_mods(spec + n, caps, err);
		}
	}
	return parse_list(spec, caps, err);
}
