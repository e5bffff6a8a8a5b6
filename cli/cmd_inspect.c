/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_inspect.c - callfence inspect: the seccomp filters, no_new_privs and
 * capabilities of the process tree it runs in, each ABI's blocked syscalls
 * found by probing (inspect_probe.c: no probed call runs), and how that
 * compares with a profile. */
#include "cli.h"
#include "inspect.h"

#include <errno.h>
#include <getopt.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

static const char inspect_usage[] =
    "usage: callfence inspect [--json] [--compare PROFILE [--caps SPEC]]\n"
    "Reports this process's seccomp mode and filters, no_new_privs, its\n"
    "capabilities and, per ABI, every syscall number its filters block\n"
    "(probed with all-zero arguments; no probed call runs).\n"
    "  --json             one JSON object (docs/cli.md)\n"
    "  --compare PROFILE  compile PROFILE for this host and compare\n"
    "  --caps SPEC        capabilities to compile it with (default: this\n"
    "                     process's bounding set)\n"
    "exit: 0 done (with --compare: the process runs PROFILE), 1 failure or\n"
    "differences, 2 usage\n";

enum { OPT_COMPARE = 2000 };

static const struct option inspect_opts[] = {
    {"json", no_argument, NULL, CLI_OPT_JSON},
    {"compare", required_argument, NULL, OPT_COMPARE},
    {"caps", required_argument, NULL, CLI_OPT_CAPS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

enum { CAP_INH, CAP_PRM, CAP_EFF, CAP_BND, CAP_AMB, NCAPSETS };
static const char *const capset_key[NCAPSETS] = {"CapInh", "CapPrm", "CapEff",
						 "CapBnd", "CapAmb"};
static const char *const capset_name[NCAPSETS] = {
    "inheritable", "permitted", "effective", "bounding", "ambient"};

struct status {
	int seccomp, filters; /* -1: not reported by this kernel */
	int nnp;
	uint64_t caps[NCAPSETS];
};

#define MAX_ABIS 4

struct inspect {
	struct status st;
	struct probe_abi abis[MAX_ABIS];
	int nabis;
};

static int read_status(struct status *st)
{
	char *buf = NULL, *line;
	size_t len;
	struct cf_error err;

	st->seccomp = st->filters = st->nnp = -1;
	memset(st->caps, 0, sizeof(st->caps));
	if (cf_read_path("/proc/self/status", &buf, &len, &err)) {
		cli_error(&err);
		return -1;
	}
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		*v++ = 0;
		if (!strcmp(line, "Seccomp"))
			st->seccomp = atoi(v);
		else if (!strcmp(line, "Seccomp_filters"))
			st->filters = atoi(v);
		else if (!strcmp(line, "NoNewPrivs"))
			st->nnp = atoi(v);
		for (int i = 0; i < NCAPSETS; i++)
			if (!strcmp(line, capset_key[i]))
				st->caps[i] = strtoull(v, NULL, 16);
	}
	free(buf);
	return 0;
}

/* The kernel's view of a profile's result, as a probe can see it: LOG and
 * TRACE rank below USER_NOTIF and look allowed; ERRNO is capped at 4095;
 * TRAP's data is not compared. */
static uint32_t as_probed(uint32_t a)
{
	uint32_t act = a & SECCOMP_RET_ACTION_FULL, data = a & 0xffff;

	switch (act) {
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_ALLOW:
		return PROBE_ALLOW;
	case SECCOMP_RET_ERRNO:
		return act | (data > 4095 ? 4095 : data);
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_USER_NOTIF:
		return act;
	case SECCOMP_RET_KILL_THREAD:
		return act;
	default:
		return SECCOMP_RET_KILL_PROCESS;
	}
}

static bool blocked_act(uint32_t a)
{
	return a != PROBE_ALLOW && a != PROBE_EXEMPT;
}

/* TRAP without its data (the probe reports it, as_probed drops it) */
static uint32_t trap_plain(uint32_t a)
{
	return (a & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRAP
		   ? SECCOMP_RET_TRAP
		   : a;
}

static const char *action_name(uint32_t a, char *buf, size_t size)
{
	switch (a & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		return "KILL_PROCESS";
	case SECCOMP_RET_KILL_THREAD:
		return "KILL_THREAD";
	case SECCOMP_RET_TRAP:
		return "TRAP";
	case SECCOMP_RET_ERRNO:
		snprintf(buf, size, "ERRNO(%u)", a & 0xffff);
		return buf;
	case SECCOMP_RET_USER_NOTIF:
		return "USER_NOTIF";
	case SECCOMP_RET_ALLOW:
		return "ALLOW";
	default:
		snprintf(buf, size, "0x%08x", a);
		return buf;
	}
}

static const char *status_key(enum probe_status s)
{
	static const char *const k[] = {
	    [PROBE_OK] = "probed",
	    [PROBE_UNSUPPORTED] = "unsupported",
	    [PROBE_INT80_FAULTS] = "int80-faults",
	    [PROBE_LISTENER_BUSY] = "listener-present",
	    [PROBE_INSTALL_FAILED] = "refused",
	    [PROBE_FAILED] = "failed",
	};

	return k[s];
}

static const char *status_text(const struct probe_abi *a, char *buf,
			       size_t size)
{
	switch (a->status) {
	case PROBE_INT80_FAULTS:
		return "not probed: int $0x80 faults on this kernel before any "
		       "seccomp filter runs (no IA32 emulation), so no i386 "
		       "call can run here, confined or not";
	case PROBE_LISTENER_BUSY:
		return "not known: a seccomp notification listener is already "
		       "present (the kernel allows one per filter stack, so "
		       "this probe cannot stack its own); run 'callfence "
		       "inspect' where no listener is installed";
	case PROBE_UNSUPPORTED:
		return "not probed: probing is implemented for x86_64 hosts";
	default:
		snprintf(buf, size, "not known: %s%s%s",
			 a->msg ? a->msg : "probe failed", a->err ? ": " : "",
			 a->err ? strerror(a->err) : "");
		return buf;
	}
}

/* ---- text ----------------------------------------------------------- */

static void print_caps(uint64_t set)
{
	bool first = true;

	for (int c = 0; c <= CF_CAP_MAX; c++) {
		const char *n = cf_cap_name(c);

		if (!(set >> c & 1))
			continue;
		printf(first ? " " : ",");
		first = false;
		if (n)
			printf("%s", n);
		else
			printf("cap_%d", c);
	}
	if (first)
		printf(" (none)");
	printf("\n");
}

static void print_abi_text(const struct probe_abi *a)
{
	char buf[512];
	uint32_t n = a->hi - a->lo + 1, blocked = 0;

	printf("%s (numbers %u..%u):", cf_abi_name(a->abi), a->lo, a->hi);
	if (a->status != PROBE_OK) {
		printf(" %s\n", status_text(a, buf, sizeof(buf)));
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		blocked += blocked_act(a->act[i]);
	printf(" %u of %u numbers blocked\n", blocked, n);
	for (uint32_t i = 0; i < n; i++)
		if (a->act[i] == PROBE_EXEMPT)
			printf(
			    "  not probed: %s (nr %u): Linux >= 6.13 runs it "
			    "past every seccomp filter\n",
			    cf_syscall_name(a->abi, a->lo + i), a->lo + i);
	/* one line per distinct action, in the order first seen */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t act = a->act[i];
		bool seen = !blocked_act(act);

		for (uint32_t j = 0; j < i && !seen; j++)
			seen = a->act[j] == act;
		if (seen)
			continue;
		printf("  %s", action_name(act, buf, sizeof(buf)));
		if ((act & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
			printf(" (%s)", strerror((int)(act & 0xffff)));
		printf(":");
		for (uint32_t j = i; j < n; j++) {
			const char *name;

			if (a->act[j] != act)
				continue;
			name = cf_syscall_name(a->abi, a->lo + j);
			if (name)
				printf(" %s", name);
			else
				printf(" %u", a->lo + j);
		}
		printf("\n");
	}
}

static void print_text(const struct inspect *in)
{
	static const char *const mode[] = {"disabled", "strict", "filter"};
	const struct status *st = &in->st;

	printf("seccomp: %s", st->seccomp >= 0 && st->seccomp <= 2
				  ? mode[st->seccomp]
				  : "unknown");
	if (st->filters >= 0)
		printf(", %d filter%s", st->filters,
		       st->filters == 1 ? "" : "s");
	printf("\nno_new_privs: %s\n", st->nnp == 1 ? "yes" : "no");
	printf("capabilities:\n");
	for (int i = 0; i < NCAPSETS; i++) {
		printf("  %s:", capset_name[i]);
		print_caps(st->caps[i]);
	}
	printf("probe: each number once with all-zero arguments; no probed "
	       "call runs; LOG and TRACE cannot be told from ALLOW and are "
	       "reported as allowed\n");
	if (!in->nabis)
		printf("syscalls: not probed: probing is implemented for "
		       "x86_64 hosts\n");
	for (int i = 0; i < in->nabis; i++)
		print_abi_text(&in->abis[i]);
}

/* ---- JSON ----------------------------------------------------------- */

static void print_abi_json(const struct probe_abi *a)
{
	char buf[512];
	bool first = true;

	printf("\"%s\": {\"status\": \"%s\", \"first\": %u, \"last\": %u, ",
	       cf_abi_name(a->abi), status_key(a->status), a->lo, a->hi);
	if (a->status != PROBE_OK) {
		printf("\"error\": ");
		cli_json_str(status_text(a, buf, sizeof(buf)));
		printf(", \"blocked\": null}");
		return;
	}
	printf("\"blocked\": [");
	for (uint32_t i = 0; i <= a->hi - a->lo; i++) {
		const char *name = cf_syscall_name(a->abi, a->lo + i);

		if (!blocked_act(a->act[i]))
			continue;
		printf("%s{\"nr\": %u, \"name\": ", first ? "" : ", ",
		       a->lo + i);
		if (name)
			cli_json_str(name);
		else
			printf("null");
		printf(", \"action\": \"%s\"}",
		       action_name(a->act[i], buf, sizeof(buf)));
		first = false;
	}
	printf("], \"exempt\": [");
	first = true;
	for (uint32_t i = 0; i <= a->hi - a->lo; i++) {
		if (a->act[i] != PROBE_EXEMPT)
			continue;
		printf("%s%u", first ? "" : ", ", a->lo + i);
		first = false;
	}
	printf("]}");
}

static void print_caps_json(uint64_t set)
{
	bool first = true;

	printf("[");
	for (int c = 0; c <= CF_CAP_MAX; c++) {
		char n[16];

		if (!(set >> c & 1))
			continue;
		printf(first ? "" : ", ");
		first = false;
		snprintf(n, sizeof(n), "cap_%d", c);
		cli_json_str(cf_cap_name(c) ? cf_cap_name(c) : n);
	}
	printf("]");
}

static void print_json_head(const struct inspect *in)
{
	const struct status *st = &in->st;

	printf("{\"seccomp\": %d, \"filters\": %d, \"no_new_privs\": %s, "
	       "\"caps\": {",
	       st->seccomp, st->filters < 0 ? 0 : st->filters,
	       st->nnp == 1 ? "true" : "false");
	for (int i = 0; i < NCAPSETS; i++) {
		printf("%s\"%s\": ", i ? ", " : "", capset_name[i]);
		print_caps_json(st->caps[i]);
	}
	printf("}, \"probe\": {\"method\": \"user-notification\", "
	       "\"arguments\": \"zero\", \"log_trace_as_allow\": true}, "
	       "\"abis\": {");
	for (int i = 0; i < in->nabis; i++) {
		printf(i ? ", " : "");
		print_abi_json(&in->abis[i]);
	}
	printf("}");
}

/* ---- compare -------------------------------------------------------- */

struct cmp {
	const char *profile;
	uint64_t caps;
	int diffs, unknown;
	bool json;
};

static void report_diff(struct cmp *c, const struct probe_abi *a, uint32_t nr,
			const char *obs, uint32_t want)
{
	char b1[32];
	const char *name = cf_syscall_name(a->abi, nr);

	if (c->json) {
		printf("%s{\"abi\": \"%s\", \"nr\": %u, \"name\": ",
		       c->diffs ? ", " : "", cf_abi_name(a->abi), nr);
		if (name)
			cli_json_str(name);
		else
			printf("null");
		printf(", \"observed\": \"%s\", \"profile\": \"%s\"}", obs,
		       action_name(want, b1, sizeof(b1)));
	} else {
		printf("  %s: %s (nr %u): observed %s, %s says %s\n",
		       cf_abi_name(a->abi), name ? name : "(unnamed)", nr, obs,
		       c->profile, action_name(want, b1, sizeof(b1)));
	}
	c->diffs++;
}

static void compare_abi(struct cmp *c, const struct cf_filter *f,
			const struct probe_abi *a)
{
	const struct sock_filter *insns;
	size_t len = 0;
	char buf[32];

	insns = cf_filter_unconfined(f) ? NULL : cf_filter_program(f, &len);
	if (a->status != PROBE_OK) {
		c->unknown++;
		return;
	}
	for (uint32_t i = 0; i <= a->hi - a->lo; i++) {
		struct seccomp_data d = {0}, kd;
		uint32_t want = PROBE_ALLOW;

		if (a->act[i] == PROBE_EXEMPT)
			continue;

		d.nr = (int)(a->lo + i);
		d.arch = cf_abi_audit_arch(a->abi);
		if (len) {
			cf_seccomp_data_as_kernel(&d, &kd);
			want = as_probed(cf_bpf_run(insns, len, &kd, NULL));
		}
		if (want != trap_plain(a->act[i]))
			report_diff(c, a, a->lo + i,
				    action_name(a->act[i], buf, sizeof(buf)),
				    want);
	}
}

/* "Docker's default capabilities", "+CAP_SYS_ADMIN", or a list */
static void caps_words(uint64_t caps, char *buf, size_t size)
{
	uint64_t def = cf_caps_docker_default();
	size_t n = (size_t)snprintf(buf, size, "Docker's default capabilities");

	for (int c = 0; c <= CF_CAP_MAX && n < size; c++) {
		const char *name = cf_cap_name(c);

		if (((caps ^ def) >> c & 1) && name)
			n += (size_t)snprintf(buf + n, size - n, " %c%s",
					      caps >> c & 1 ? '+' : '-', name);
	}
}

static int compare(struct inspect *in, const char *profile, uint64_t caps,
		   bool json)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	struct cmp c = {profile, caps, 0, 0, json};
	char words[1024];
	bool unconfined;

	if (cli_target_init(&t))
		return CLI_FAIL;
	t.caps = caps;
	if (cli_load_profile(profile, &p))
		return CLI_FAIL;
	if (cf_compile(p, &t, &f, &err)) {
		cli_error(&err);
		cf_profile_free(p);
		return CLI_FAIL;
	}
	unconfined = cf_filter_unconfined(f);
	caps_words(caps, words, sizeof(words));
	if (json) {
		printf(", \"compare\": {\"profile\": ");
		cli_json_str(profile);
		printf(", \"caps\": ");
		print_caps_json(caps);
		printf(", \"differences\": [");
	} else {
		printf("compared with %s, %s:\n", profile, words);
	}
	if (unconfined != (in->st.seccomp == 0) && !json)
		printf("  seccomp: observed %d, %s means %s\n", in->st.seccomp,
		       profile, unconfined ? "no filter" : "a filter");
	c.diffs += unconfined != (in->st.seccomp == 0);
	for (int i = 0; i < in->nabis; i++)
		compare_abi(&c, f, &in->abis[i]);
	if (json)
		printf("], \"match\": %s, \"complete\": %s}",
		       c.diffs ? "false" : "true",
		       c.unknown ? "false" : "true");
	else if (!c.diffs)
		printf("this process runs %s, with %s%s\n", profile, words,
		       c.unknown ? " (on the ABIs that could be probed)" : "");
	else
		printf("%d difference%s\n", c.diffs, c.diffs == 1 ? "" : "s");
	cf_filter_free(f);
	cf_profile_free(p);
	return c.diffs ? CLI_FAIL : CLI_OK;
}

int cmd_inspect(int argc, char **argv)
{
	struct inspect in;
	const char *profile = NULL;
	uint64_t caps = 0;
	bool json = false, have_caps = false;
	int opt, rc = CLI_OK;
	struct cf_error err;

	optind = 1;
	while ((opt = cli_getopt(argc, argv, "h", inspect_opts, NULL)) != -1) {
		if (opt == CLI_OPT_JSON) {
			json = true;
		} else if (opt == OPT_COMPARE) {
			profile = optarg;
		} else if (opt == CLI_OPT_CAPS) {
			if (cf_caps_parse(optarg, &caps, &err)) {
				cli_error(&err);
				return CLI_USAGE;
			}
			have_caps = true;
		} else if (opt == 'h') {
			fputs(inspect_usage, stdout);
			return CLI_OK;
		} else {
			fputs(inspect_usage, stderr);
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		cli_errorf("inspect takes no arguments ('%s')", argv[optind]);
		return CLI_USAGE;
	}
	if (have_caps && !profile) {
		cli_errorf("--caps needs --compare PROFILE");
		return CLI_USAGE;
	}
	if (read_status(&in.st))
		return CLI_FAIL;
	in.nabis = probe_abis(in.abis, MAX_ABIS);
	for (int i = 0; i < in.nabis; i++)
		probe_run(&in.abis[i]);
	if (json)
		print_json_head(&in);
	else
		print_text(&in);
	if (profile)
		rc = compare(&in, profile,
			     have_caps ? caps : in.st.caps[CAP_BND], json);
	if (json)
		printf("}\n");
	for (int i = 0; i < in.nabis; i++)
		free(in.abis[i].act);
	return rc;
}
