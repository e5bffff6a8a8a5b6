/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_audit_log.c - callfence audit-log: the kernel's seccomp audit
 * records (/dev/kmsg, or an auditd log / dmesg text) as the complain
 * report (run_complain.c), each call mapped to the rule of --profile that
 * decides it. Says when records may have been dropped. */
#include "cli.h"
#include "diagnose.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char audit_log_usage[] =
    "usage: callfence audit-log [--since TIME] [--profile PROFILE] "
    "[--json FILE]\n"
    "                           [--kmsg | --file AUDITLOG]\n"
    "Reports the kernel's seccomp audit records (type=1326, SECCOMP) as\n"
    "callfence run --complain does: per ABI and syscall, how often, and\n"
    "with --profile the rule (or default) of PROFILE that decides it.\n"
    "  --since TIME       only records from TIME on: @EPOCH, N[smhd] (that\n"
    "                     long ago) or 'YYYY-MM-DD HH:MM:SS' (local time)\n"
    "  --profile PROFILE  map every call to PROFILE's decision and rule\n"
    "  --json FILE        also write the report as JSON (the complain\n"
    "                     schema, docs/complain.schema.json; - = stdout)\n"
    "  --kmsg             read /dev/kmsg (the default)\n"
    "  --file AUDITLOG    read an auditd log or saved kernel log instead\n"
    "exit: 0 reported, 1 failure, 2 usage\n";

struct alog {
	struct cli_complain *c;
	const struct cf_filter *f; /* --profile, or NULL */
	double since;		   /* epoch seconds; < 0: all */
	uint64_t records, older, malformed, allowed, suppressed, lost;
	uint64_t overrun; /* /dev/kmsg: records overwritten before read */
};

/* ---- parsing a record ---------------------------------------------- */

/* The value of " key=" in line (NUL-terminated at the next blank into
 * buf), or NULL. */
static const char *field(const char *line, const char *key, char *buf,
			 size_t size)
{
	size_t klen = strlen(key);

	for (const char *p = line; (p = strstr(p, key)) != NULL; p += klen) {
		size_t n;

		if ((p != line && p[-1] != ' ') || p[klen] != '=')
			continue;
		p += klen + 1;
		n = strcspn(p, " \n\x1d");
		if (n >= size)
			return NULL;
		memcpy(buf, p, n);
		buf[n] = 0;
		return buf;
	}
	return NULL;
}

static bool number(const char *s, int base, uint64_t max, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, base);
	return !errno && !*end && *out <= max;
}

/* "audit(1700000000.123:45)" -> 1700000000.123 */
static bool stamp(const char *line, double *ts)
{
	const char *p = strstr(line, "audit(");
	char *end;

	if (!p)
		return false;
	*ts = strtod(p + 6, &end);
	return end != p + 6 && *end == ':';
}

/* Counters of dropped records: "N callbacks suppressed" (printk rate
 * limiting of kauditd's messages), "audit_lost=N" (the kernel's count of
 * records it could not queue). */
static bool drop_line(struct alog *a, const char *line, double when)
{
	const char *p = strstr(line, " callbacks suppressed");
	char buf[32];
	uint64_t n;

	if (a->since >= 0 && when >= 0 && when < a->since)
		return p || strstr(line, "audit_lost=");

	if (p && strstr(line, "audit")) {
		while (p > line && p[-1] >= '0' && p[-1] <= '9')
			p--;
		a->suppressed += strtoull(p, NULL, 10);
		return true;
	}
	if (number(field(line, "audit_lost", buf, sizeof(buf)), 10, UINT64_MAX,
		   &n)) {
		a->lost = n > a->lost ? n : a->lost;
		return true;
	}
	return false;
}

/* A seccomp record: into the findings, or counted as malformed/older. */
static void record(struct alog *a, const char *line)
{
	char b1[32], b2[32], b3[32], b4[32];
	uint64_t arch, nr, code, pid = 0;
	struct seccomp_data d = {0};
	struct cf_decision dec = {0};
	double ts = 0;
	bool timed = stamp(line, &ts);

	a->records++;
	if (!number(field(line, "arch", b1, sizeof(b1)), 16, UINT32_MAX,
		    &arch) ||
	    !number(field(line, "syscall", b2, sizeof(b2)), 10, UINT32_MAX,
		    &nr) ||
	    !number(field(line, "code", b3, sizeof(b3)), 16, UINT32_MAX,
		    &code) ||
	    (field(line, "pid", b4, sizeof(b4)) &&
	     !number(b4, 10, UINT32_MAX, &pid)) ||
	    (a->since >= 0 && !timed)) {
		a->malformed++;
		return;
	}
	if (a->since >= 0 && ts < a->since) {
		a->older++;
		return;
	}
	d.arch = (uint32_t)arch;
	d.nr = (int)nr;
	if (a->f && cf_filter_decide(a->f, &d, &dec) == 0) {
		if (dec.action == SECCOMP_RET_ALLOW) {
			a->allowed++;
			return;
		}
	} else {
		dec.action = (uint32_t)code;
		dec.why = "the kernel's record (no --profile)";
	}
	cli_complain_add(a->c, &d, (uint32_t)pid, &dec);
}

/* when: the line's time (epoch seconds) where the source gives one
 * outside the record (/dev/kmsg), else -1 */
static void line_in(struct alog *a, const char *line, double when)
{
	if (drop_line(a, line, when))
		return;
	if (strstr(line, "type=1326") || strstr(line, "type=SECCOMP"))
		record(a, line);
}

/* ---- sources -------------------------------------------------------- */

/* /dev/kmsg: one record per read(2), "PRIO,SEQ,USEC,FLAGS;MESSAGE\n"
 * (continuation lines after it); non-blocking, so it ends at the newest. */
static int read_kmsg(struct alog *a)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char buf[8192];
	struct timespec rt, mono;
	double boot;

	/* kmsg stamps are microseconds of the monotonic clock */
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	boot = (double)(rt.tv_sec - mono.tv_sec) +
	       (double)(rt.tv_nsec - mono.tv_nsec) / 1e9;

	if (fd < 0) {
		cli_errorf("audit-log: cannot open /dev/kmsg: %m (it needs "
			   "CAP_SYSLOG where kernel.dmesg_restrict is 1; or "
			   "give --file with a saved log)");
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		char *msg;

		if (n < 0 && errno == EPIPE) {
			a->overrun++;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf[n] = 0;
		msg = strchr(buf, ';');
		if (msg) {
			unsigned long long usec = 0;

			msg[strcspn(msg, "\n")] = 0;
			if (sscanf(buf, "%*u,%*u,%llu", &usec) != 1)
				usec = 0;
			line_in(a, msg + 1,
				usec ? boot + (double)usec / 1e6 : -1);
		}
	}
	close(fd);
	return 0;
}

static int read_file(struct alog *a, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;

	if (!f) {
		cli_errorf("audit-log: cannot open '%s': %m", path);
		return -1;
	}
	while (getline(&line, &cap, f) > 0)
		line_in(a, line, -1);
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

/* ---- options -------------------------------------------------------- */

static int parse_since(const char *s, double *out)
{
	char *end;
	struct tm tm = {0};
	double v;

	if (*s == '@') {
		*out = strtod(s + 1, &end);
		return end != s + 1 && !*end ? 0 : -1;
	}
	v = strtod(s, &end);
	if (end != s && v >= 0 && end[0] && !end[1] && strchr("smhd", *end)) {
		double unit = *end == 's'   ? 1
			      : *end == 'm' ? 60
			      : *end == 'h' ? 3600
					    : 86400;

		*out = (double)time(NULL) - v * unit;
		return 0;
	}
	end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (!end)
		end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || *end)
		return -1;
	tm.tm_isdst = -1;
	*out = (double)mktime(&tm);
	return 0;
}

/* What may be missing, on stderr. */
static void say_drops(const struct alog *a, bool kmsg)
{
	if (a->suppressed || a->lost || a->overrun)
		fprintf(stderr,
			"callfence audit-log: records may have been dropped: "
			"%" PRIu64 " kernel log messages suppressed by rate "
			"limiting, audit_lost=%" PRIu64 ", %" PRIu64
			" records overwritten before they were read\n",
			a->suppressed, a->lost, a->overrun);
	if (kmsg)
		fprintf(stderr,
			"callfence audit-log: note: without auditd the kernel "
			"rate-limits these records in its log; counts are "
			"lower bounds\n");
	if (a->malformed)
		fprintf(stderr,
			"callfence audit-log: %" PRIu64 " seccomp record%s "
			"skipped: malformed (no arch, syscall or code, or no "
			"time with --since)\n",
			a->malformed, a->malformed == 1 ? "" : "s");
	if (a->allowed)
		fprintf(stderr,
			"callfence audit-log: %" PRIu64 " record%s left out: "
			"the profile allows the call with all-zero arguments "
			"(records carry no arguments; another filter, or an "
			"argument rule, decided)\n",
			a->allowed, a->allowed == 1 ? "" : "s");
}

struct audit_args {
	const char *since, *profile, *json, *file;
	bool kmsg;
};

static const struct cli_opt audit_log_opts[] = {
    CLI_STRING("since", 0, struct audit_args, since),
    CLI_STRING("profile", 0, struct audit_args, profile),
    CLI_STRING("json", 0, struct audit_args, json),
    CLI_FLAG("kmsg", struct audit_args, kmsg),
    CLI_STRING("file", 0, struct audit_args, file),
    {NULL},
};

static const struct cli_cmd audit_log_cmd = {audit_log_usage, audit_log_opts,
					     CLI_USAGE, false};

/* The options into o: -1 to go on, else the exit status. */
static int audit_log_args(int argc, char **argv, struct audit_args *o)
{
	struct cli_parsed parsed;
	int first = cli_parse(&audit_log_cmd, argc, argv, o, &parsed);

	if (first < 0)
		return parsed.status;
	if (first < argc || (o->kmsg && o->file)) {
		cli_errorf("%s", first < argc
				     ? "audit-log takes no arguments"
				     : "--kmsg and --file: give one source");
		return CLI_USAGE;
	}
	return -1;
}

static struct cf_filter *compile_profile(const char *name)
{
	struct cf_target t;

	return cli_target_init(&t) ? NULL : cli_load_filter(name, &t);
}

/* The report: text on stdout, JSON into o->json. */
static int audit_report(struct alog *a, const struct audit_args *o, char **argv)
{
	char extra[512];
	FILE *jf = NULL;
	int rc;

	snprintf(extra, sizeof(extra),
		 "\"records\":{\"source\":\"%s\",\"seen\":%" PRIu64
		 ",\"older\":%" PRIu64 ",\"malformed\":%" PRIu64
		 ",\"allowed\":%" PRIu64 ",\"suppressed\":%" PRIu64
		 ",\"audit_lost\":%" PRIu64 ",\"overwritten\":%" PRIu64
		 ",\"may_be_incomplete\":%s}",
		 o->file ? "file" : "kmsg", a->records, a->older, a->malformed,
		 a->allowed, a->suppressed, a->lost, a->overrun,
		 a->suppressed || a->lost || a->overrun || !o->file ? "true"
								    : "false");
	cli_complain_source(a->c, "callfence audit-log", "kernel-audit-log",
			    "the kernel's seccomp audit records", stdout,
			    extra);
	if (o->json && strcmp(o->json, "-") && !(jf = fopen(o->json, "w"))) {
		cli_errorf("audit-log: cannot write '%s': %m", o->json);
		return CLI_FAIL;
	}
	if (o->json && !jf)
		jf = stdout;
	rc = cli_complain_report(a->c, jf, o->json, argv, 0);
	if (jf && jf != stdout && fclose(jf))
		rc = -1;
	return rc ? CLI_FAIL : CLI_OK;
}

int cmd_audit_log(int argc, char **argv)
{
	struct audit_args o = {0};
	struct alog a = {0};
	struct cf_filter *f = NULL;
	int rc = audit_log_args(argc, argv, &o);

	if (rc >= 0)
		return rc;
	a.since = -1;
	if (o.since && parse_since(o.since, &a.since)) {
		cli_errorf("--since: '%s' is not a time (give @EPOCH, N[smhd] "
			   "or 'YYYY-MM-DD HH:MM:SS')",
			   o.since);
		return CLI_USAGE;
	}
	if (o.profile && !(f = compile_profile(o.profile)))
		return CLI_FAIL;
	a.f = f;
	a.c = cli_complain_new(f, o.profile ? o.profile : "(none)");
	if (!a.c) {
		cf_filter_free(f);
		cli_errorf("out of memory");
		return CLI_FAIL;
	}
	/* findings carry no arguments from the start */
	cli_complain_source(a.c, "callfence audit-log", "kernel-audit-log", "",
			    stdout, "");
	rc = o.file ? read_file(&a, o.file) : read_kmsg(&a);
	if (rc == 0) {
		rc = audit_report(&a, &o, argv);
		say_drops(&a, !o.file);
	} else {
		rc = CLI_FAIL;
	}
	cli_complain_free(a.c);
	cf_filter_free(f);
	return rc;
}
