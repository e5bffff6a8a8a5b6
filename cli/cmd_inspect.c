/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_inspect.c - callfence inspect: the seccomp filters, no_new_privs and
 * capabilities of the process tree it runs in, each ABI's blocked syscalls
 * found by probing (inspect_probe.c: no probed call runs), and how that
 * compares with a profile. */
#include "cli.h"
#include "inspect.h"
#include "inspect_pid.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

static const char inspect_usage[] =
    "usage: callfence inspect [--pid PID [--disasm]] [--json] [--compare "
    "PROFILE [--caps SPEC]]\n"
    "Reports this process's seccomp mode and filters, no_new_privs, its\n"
    "capabilities and, per ABI, every syscall number its filters block\n"
    "(probed with all-zero arguments; no probed call runs).\n"
    "  --pid PID          process PID instead, exactly: its filter programs\n"
    "                     read with ptrace and evaluated, argument-dependent\n"
    "                     decisions listed with their conditions (needs\n"
    "                     CAP_SYS_ADMIN and no seccomp filter of its own)\n"
    "  --disasm           with --pid: also list each filter program\n"
    "  --json             one JSON object (docs/cli.md)\n"
    "  --compare PROFILE  compile PROFILE for this host and compare\n"
    "  --caps SPEC        capabilities to compile it with (default: this\n"
    "                     process's bounding set)\n"
    "exit: 0 done (with --compare: the process runs PROFILE), 1 failure or\n"
    "differences, 2 usage\n";

struct inspect_args {
	bool json, disasm;
	const char *compare, *pid;
	uint64_t caps;
};

/* --caps's row: the bounding set is compared unless it is given */
#define INSPECT_CAPS_ROW 2

static const struct cli_opt inspect_opts[] = {
    CLI_FLAG("json", struct inspect_args, json),
    CLI_STRING("compare", 0, struct inspect_args, compare),
    CLI_OPT("caps", 0, CLI_VALUE, cli_set_caps, struct inspect_args, caps),
    CLI_STRING("pid", 0, struct inspect_args, pid),
    CLI_FLAG("disasm", struct inspect_args, disasm),
    {NULL},
};

static const struct cli_cmd inspect_cmd = {inspect_usage, inspect_opts,
					   CLI_USAGE, false};

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
	int pid;		      /* --pid, or 0 */
	struct sym_stack stack;	      /* --pid: its filters */
	struct pid_abi dep[MAX_ABIS]; /* --pid: argument-dependent */
};

static int read_status(const char *path, struct status *st)
{
	char *buf = NULL, *line;
	size_t len;
	struct cf_error err;

	st->seccomp = st->filters = st->nnp = -1;
	memset(st->caps, 0, sizeof(st->caps));
	if (cf_read_path(path, &buf, &len, &err)) {
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
	case SECCOMP_RET_TRACE:
		snprintf(buf, size, "TRACE(%u)", a & 0xffff);
		return buf;
	case SECCOMP_RET_LOG:
		return "LOG";
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

/* ---- argument-dependent (--pid) ------------------------------------ */

/* c's condition as text (malloc'd; NULL when out of memory) */
static char *case_text(const struct sym_case *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	sym_case_print(c, m);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "ALLOW if args[0] == 1 || args[0] == 2": one line per result */
static void print_dep_cases(const struct sym_result *r)
{
	char buf[64];

	for (size_t i = 0; i < r->n; i++) {
		size_t alts = 0;
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = r->cases[j].ret == r->cases[i].ret;
		if (seen)
			continue;
		for (size_t j = i; j < r->n; j++)
			alts += r->cases[j].ret == r->cases[i].ret;
		printf("      %s if",
		       action_name(r->cases[i].ret, buf, sizeof(buf)));
		for (size_t j = i, k = 0; j < r->n; j++) {
			char *t;
			bool paren;

			if (r->cases[j].ret != r->cases[i].ret)
				continue;
			t = case_text(&r->cases[j]);
			paren = alts > 1 && t && strstr(t, " && ");
			printf("%s%s%s%s", k++ ? " || " : " ", paren ? "(" : "",
			       t ? t : "?", paren ? ")" : "");
			free(t);
		}
		printf("\n");
	}
	if (!r->complete)
		printf("      (and more: too many paths to list)\n");
}

static void print_dep_text(const struct pid_abi *d, int abi)
{
	char buf[64];

	if (!d->ndep)
		return;
	printf("  argument-dependent (%zu):\n", d->ndep);
	for (size_t i = 0; i < d->ndep; i++) {
		const char *name = cf_syscall_name(abi, d->dep[i].nr);

		printf("    %s (nr %u): %s for all-zero arguments\n",
		       name ? name : "(unnamed)", d->dep[i].nr,
		       action_name(d->dep[i].zero, buf, sizeof(buf)));
		print_dep_cases(&d->dep[i].r);
	}
}

static void print_dep_json(const struct pid_abi *d, int abi)
{
	char buf[64];

	printf(", \"arg_dependent\": [");
	for (size_t i = 0; i < d->ndep; i++) {
		const struct pid_argdep *e = &d->dep[i];

		printf("%s{\"nr\": %u, \"name\": ", i ? ", " : "", e->nr);
		cli_json_fstr(stdout, cf_syscall_name(abi, e->nr));
		printf(", \"zero_args\": \"%s\", \"complete\": %s, "
		       "\"cases\": [",
		       action_name(e->zero, buf, sizeof(buf)),
		       e->r.complete ? "true" : "false");
		for (size_t j = 0; j < e->r.n; j++) {
			char *t = case_text(&e->r.cases[j]);

			printf(
			    "%s{\"action\": \"%s\", \"when\": ", j ? ", " : "",
			    action_name(e->r.cases[j].ret, buf, sizeof(buf)));
			cli_json_str(t ? t : "?");
			printf("}");
			free(t);
		}
		printf("]}");
	}
	printf("]");
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
	if (in->pid) {
		printf("evaluated: the %zu filter program%s of pid %d, read "
		       "with ptrace, for every number (blocked: all-zero "
		       "arguments) and every argument value\n",
		       in->stack.n, in->stack.n == 1 ? "" : "s", in->pid);
		for (size_t i = 0; i < in->stack.n; i++)
			if (in->stack.flags[i] & SECCOMP_FILTER_FLAG_LOG)
				printf(
				    "filter %zu: SECCOMP_FILTER_FLAG_LOG (the "
				    "kernel logs every action but ALLOW)\n",
				    i);
	} else
		printf("probe: each number once with all-zero arguments; no "
		       "probed call runs; LOG and TRACE cannot be told from "
		       "ALLOW and are reported as allowed\n");
	if (!in->nabis)
		printf("syscalls: not probed: probing is implemented for "
		       "x86_64 hosts\n");
	for (int i = 0; i < in->nabis; i++) {
		print_abi_text(&in->abis[i]);
		if (in->pid && in->abis[i].status == PROBE_OK)
			print_dep_text(&in->dep[i], in->abis[i].abi);
	}
}

/* ---- JSON ----------------------------------------------------------- */

static void print_abi_json(const struct probe_abi *a, const struct pid_abi *dep)
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
	printf("]");
	if (dep)
		print_dep_json(dep, a->abi);
	printf("}");
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
	if (in->pid) {
		printf("}, \"pid\": %d, \"probe\": {\"method\": \"ptrace\", "
		       "\"programs\": %zu, \"arguments\": \"all\", "
		       "\"log_trace_as_allow\": false}, \"filter_flags\": [",
		       in->pid, in->stack.n);
		for (size_t i = 0; i < in->stack.n; i++)
			printf("%s[%s]", i ? ", " : "",
			       in->stack.flags[i] & SECCOMP_FILTER_FLAG_LOG
				   ? "\"LOG\""
				   : "");
		printf("], \"abis\": {");
	} else
		printf("}, \"probe\": {\"method\": \"user-notification\", "
		       "\"arguments\": \"zero\", \"log_trace_as_allow\": "
		       "true}, \"abis\": {");
	for (int i = 0; i < in->nabis; i++) {
		printf(i ? ", " : "");
		print_abi_json(&in->abis[i], in->pid ? &in->dep[i] : NULL);
	}
	printf("}");
}

/* ---- compare -------------------------------------------------------- */

struct cmp {
	const char *profile;
	uint64_t caps;
	int diffs, unknown;
	bool json;
	const struct sym_stack *observed; /* --pid: exact comparison */
};

static void report_diff(struct cmp *c, const struct probe_abi *a, uint32_t nr,
			const char *obs, uint32_t want, const char *when)
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
		printf(", \"observed\": \"%s\", \"profile\": \"%s\"", obs,
		       action_name(want, b1, sizeof(b1)));
		if (when) {
			printf(", \"when\": ");
			cli_json_str(when);
		}
		printf("}");
	} else {
		printf("  %s: %s (nr %u): observed %s, %s says %s%s%s\n",
		       cf_abi_name(a->abi), name ? name : "(unnamed)", nr, obs,
		       c->profile, action_name(want, b1, sizeof(b1)),
		       when ? " when " : "", when ? when : "");
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
				    want, NULL);
	}
}

/* One number, exactly: some arguments get different results. */
static int compare_nr_exact(struct cmp *c, const struct sym_stack *prof,
			    const struct probe_abi *a, uint32_t nr)
{
	uint32_t arch = cf_abi_audit_arch(a->abi);
	struct sym_result o, p;
	int rc = 0;

	if (sym_stack_walk(c->observed, arch, nr, &o) |
	    sym_stack_walk(prof, arch, nr, &p))
		rc = -1;
	for (size_t i = 0; !rc && i < o.n; i++)
		for (size_t j = 0; !rc && j < p.n; j++) {
			char buf[32], *when;
			struct sym_case both;

			if (o.cases[i].ret == p.cases[j].ret)
				continue;
			rc = sym_case_and(&o.cases[i], &p.cases[j], &both);
			if (rc) {
				rc = rc < 0 ? -1 : 0;
				continue;
			}
			when = case_text(&both);
			free(both.atoms);
			report_diff(
			    c, a, nr,
			    action_name(o.cases[i].ret, buf, sizeof(buf)),
			    p.cases[j].ret,
			    when && strcmp(when, "always") ? when : NULL);
			free(when);
			rc = 1;
		}
	sym_result_free(&o);
	sym_result_free(&p);
	return rc;
}

static void compare_abi_exact(struct cmp *c, const struct cf_filter *f,
			      const struct probe_abi *a)
{
	size_t len = 0;
	struct sock_filter *insns = NULL;
	struct sym_stack prof = {&insns, &len, 0};

	if (!cf_filter_unconfined(f)) {
		insns = (struct sock_filter *)cf_filter_program(f, &len);
		prof.n = 1;
	}
	if (a->status != PROBE_OK) {
		c->unknown++;
		return;
	}
	for (uint32_t nr = a->lo; nr <= a->hi; nr++)
		if (a->act[nr - a->lo] != PROBE_EXEMPT &&
		    compare_nr_exact(c, &prof, a, nr) < 0)
			c->unknown++;
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

static int compare(const struct inspect *in, const char *profile, uint64_t caps,
		   bool json)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	struct cmp c = {profile, caps, 0, 0, json, in->pid ? &in->stack : NULL};
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
		if (in->pid)
			compare_abi_exact(&c, f, &in->abis[i]);
		else
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

/* --pid: the process's status and its filters, evaluated */
static int inspect_pid(struct inspect *in, const char *arg)
{
	char *end, path[64], why[512];
	long pid;

	errno = 0;
	pid = strtol(arg, &end, 10);
	if (errno || *end || end == arg || pid <= 0 || pid > INT32_MAX) {
		cli_errorf("--pid: '%s' is not a process id", arg);
		return CLI_USAGE;
	}
	in->pid = (int)pid;
	if (pid_reader_ok(why, sizeof(why))) {
		cli_errorf("inspect: %s", why);
		return CLI_FAIL;
	}
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if (read_status(path, &in->st))
		return CLI_FAIL;
	if (in->st.seccomp == 1) {
		cli_errorf("inspect: pid %ld runs in seccomp strict mode "
			   "(only read, write, _exit and sigreturn): there is "
			   "no filter to read",
			   pid);
		return CLI_FAIL;
	}
	if (pid_read_filters((pid_t)pid, &in->stack, why, sizeof(why))) {
		cli_errorf("inspect: %s", why);
		return CLI_FAIL;
	}
	in->nabis = probe_abis(in->abis, MAX_ABIS);
	for (int i = 0; i < in->nabis; i++)
		if (pid_eval(&in->stack, &in->abis[i], &in->dep[i])) {
			cli_errorf("inspect: out of memory");
			return CLI_FAIL;
		}
	return CLI_OK;
}

/* --disasm: every program of the stack, most recent first */
static void print_programs(const struct sym_stack *s, bool json)
{
	printf(json ? ", \"programs\": [" : "");
	for (size_t i = 0; i < s->n; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (m) {
			cf_bpf_disasm(s->prog[i], s->len[i], m);
			if (fclose(m)) {
				free(buf);
				buf = NULL;
			}
		}
		if (json) {
			printf("%s{\"index\": %zu, \"insns\": %zu, "
			       "\"disasm\": ",
			       i ? ", " : "", i, s->len[i]);
			cli_json_str(buf);
			printf("}");
		} else {
			printf("filter %zu (%zu instructions%s):\n%s", i,
			       s->len[i], i ? "" : ", the most recent",
			       buf ? buf : "");
		}
		free(buf);
	}
	printf(json ? "]" : "");
}

static void inspect_free(struct inspect *in)
{
	for (int i = 0; i < in->nabis; i++) {
		free(in->abis[i].act);
		pid_abi_free(&in->dep[i]);
	}
	pid_stack_free(&in->stack);
}

int cmd_inspect(int argc, char **argv)
{
	struct inspect in;
	struct inspect_args a = {0};
	struct cli_parsed parsed;
	bool have_caps;
	int first, rc = CLI_OK;

	first = cli_parse(&inspect_cmd, argc, argv, &a, &parsed);
	if (first < 0)
		return parsed.status;
	have_caps = parsed.given & 1U << INSPECT_CAPS_ROW;
	if (first < argc) {
		cli_errorf("inspect takes no arguments ('%s')", argv[first]);
		return CLI_USAGE;
	}
	if ((have_caps && !a.compare) || (a.disasm && !a.pid)) {
		cli_errorf("%s", a.disasm && !a.pid
				     ? "--disasm needs --pid PID"
				     : "--caps needs --compare PROFILE");
		return CLI_USAGE;
	}
	memset(&in, 0, sizeof(in));
	if (a.pid) {
		rc = inspect_pid(&in, a.pid);
	} else if (read_status("/proc/self/status", &in.st)) {
		rc = CLI_FAIL;
	} else {
		in.nabis = probe_abis(in.abis, MAX_ABIS);
		for (int i = 0; i < in.nabis; i++)
			probe_run(&in.abis[i]);
	}
	if (rc == CLI_OK) {
		if (a.json)
			print_json_head(&in);
		else
			print_text(&in);
		if (a.disasm)
			print_programs(&in.stack, a.json);
		if (a.compare)
			rc = compare(&in, a.compare,
				     have_caps ? a.caps : in.st.caps[CAP_BND],
				     a.json);
		if (a.json)
			printf("}\n");
	}
	inspect_free(&in);
	return rc;
}
