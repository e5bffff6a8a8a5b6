/* SPDX-License-Identifier: Apache-2.0 */
/* callfence audit-log: canned kernel and auditd records become the
 * complain report, mapped to the profile's rules; malformed lines are
 * skipped and counted, never a crash; drop evidence is reported; and,
 * live where /dev/kmsg holds the records, the whole audit workflow:
 * convert --audit, run, audit-log --kmsg --since finds the call. */
#include "t.h"
#include "cmd.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char profile[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
    " \"syscalls\": [\n"
    "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
    "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "   \"errnoRet\": 13}\n"
    " ]}\n";

/* auditd's format (enriched: a GS byte before the upper-case fields),
 * the kernel log's, drop evidence, and lines that are not records or are
 * broken. */
static const char canned[] =
    "type=SECCOMP msg=audit(1764790000.123:45): auid=4294967295 uid=0 "
    "pid=1234 comm=\"mkdir\" exe=\"/usr/bin/mkdir\" sig=0 arch=c000003e "
    "syscall=83 compat=0 ip=0x7f0 code=0x7ffc0000\x1d"
    "AUID=\"unset\" UID=\"root\"\n"
    "type=SECCOMP msg=audit(1764790001.000:46): pid=1235 arch=c000003e "
    "syscall=83 compat=0 code=0x7ffc0000\n"
    "[12345.678] audit: type=1326 audit(1764790002.5:47): pid=99 "
    "comm=\"chmod\" arch=c000003e syscall=268 compat=0 code=0x50001\n"
    "[12346.000] kauditd_printk_skb: 7 callbacks suppressed\n"
    "type=SECCOMP msg=audit(1764790003.0:48): pid=5 arch=c000003e "
    "syscall=notanumber code=0x7ffc0000\n"
    "type=SECCOMP msg=audit(1764790003.0:49): pid=5 arch=zz syscall=1\n"
    "type=SECCOMP msg=audit(1764790003.0:50): arch=c000003e syscall=0 "
    "code=0x7ffc0000\n"
    "type=SECCOMP garbage\n"
    "\x01\x02\xff type=1326 \n"
    "not a record at all\n"
    "[1.0] audit: audit_lost=3 audit_rate_limit=0 "
    "audit_backlog_limit=64\n"
    "type=SECCOMP msg=audit(1764790004.0:51): pid=7 arch=40000003 "
    "syscall=15 compat=1 code=0x7ffc0000\n";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	if (f && buf)
		buf[fread(buf, 1, (1 << 16) - 1, f)] = 0;
	if (f)
		fclose(f);
	return buf;
}

TEST(audit_log_maps_canned_records_to_the_profile)
{
	char dir[] = "/tmp/cf-auditlog-XXXXXX", json[600];
	struct cmd_res *r = calloc(1, sizeof(*r));
	const char *log, *prof;
	char *out;

	if (!r || !cmd_binary_present() || !mkdtemp(dir)) {
		free(r);
		return;
	}
	log = cmd_file(dir, "audit.log", canned);
	prof = cmd_file(dir, "p.json", profile);
	snprintf(json, sizeof(json), "%s/report.json", dir);
	cmd_run(r, (const char *[]){"audit-log", "--file", log, "--profile",
				    prof, "--json", json, NULL});
	CHECK_EQ(r->status, 0);
	/* mkdir: twice, by the rule; fchmodat: runc's stub (newer than any
	 * call the profile names); chmod on x86: an ABI the profile lacks */
	CHECK_CONTAINS(r->out, "x86_64 mkdir (nr 83) x2: SCMP_ACT_ERRNO(13)");
	CHECK_CONTAINS(r->out, "/syscalls/1/names/0 (syscall rule)");
	CHECK_CONTAINS(r->out, "x86_64 fchmodat (nr 268) x1: "
			       "SCMP_ACT_ERRNO(38)");
	CHECK_CONTAINS(r->out, "ENOSYS (runc's stub)");
	CHECK_CONTAINS(r->out, "x86 chmod (nr 15) x1: SCMP_ACT_KILL_THREAD");
	CHECK_CONTAINS(r->out, "add SCMP_ARCH_X86 to the profile's "
			       "architectures");
	CHECK_CONTAINS(r->err, "records may have been dropped: 7 kernel log "
			       "messages suppressed by rate limiting, "
			       "audit_lost=3");
	/* notanumber, arch=zz (no code), "garbage", the binary line */
	CHECK_CONTAINS(r->err, "4 seccomp records skipped: malformed");
	/* read (nr 0) is allowed by the profile: left out, counted */
	CHECK_CONTAINS(r->err, "1 record left out: the profile allows");
	out = slurp(json);
	if (out) {
		CHECK_CONTAINS(out, "\"method\":\"kernel-audit-log\"");
		CHECK_CONTAINS(out, "\"records\":{\"source\":\"file\",\"seen\":"
				    "9,\"older\":0,\"malformed\":4,\"allowed\":"
				    "1,\"suppressed\":7,\"audit_lost\":3,");
		CHECK_CONTAINS(out, "\"may_be_incomplete\":true}");
		CHECK_CONTAINS(out,
			       "{\"abi\":\"x86_64\",\"nr\":83,\"syscall\":"
			       "\"mkdir\",\"count\":2,\"example\":{\"pid\":"
			       "1234,\"args\":null},\"action\":\"SCMP_"
			       "ACT_ERRNO(13)\",\"errno\":13,");
		CHECK_CONTAINS(out, "\"pointer\":\"/syscalls/1/names/0\","
				    "\"line\":4,");
	}
	free(out);
	/* the report follows the complain schema */
	if (!access("/usr/bin/python3", X_OK) &&
	    !system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null")) {
		char cmd[800];

		snprintf(cmd, sizeof(cmd),
			 "/usr/bin/python3 tests/complain_check.py "
			 "docs/complain.schema.json %s syscall=mkdir",
			 json);
		CHECK_EQ(system(cmd), 0);
	} else {
		t_note("schema not checked: no python3 with jsonschema");
	}
	/* --since between the records */
	cmd_run(r, (const char *[]){"audit-log", "--file", log, "--profile",
				    prof, "--since", "@1764790001.5", NULL});
	CHECK_EQ(r->status, 0);
	CHECK(!strstr(r->out, "mkdir"));
	CHECK_CONTAINS(r->out, "fchmodat (nr 268) x1");
	unlink(json);
	unlink(log);
	unlink(prof);
	rmdir(dir);
	free(r);
}

TEST(audit_log_refuses_clearly)
{
	struct cmd_res *r = calloc(1, sizeof(*r));

	if (!r || !cmd_binary_present()) {
		free(r);
		return;
	}
	cmd_run(r, (const char *[]){"audit-log", "--since", "yesterday", NULL});
	CHECK_EQ(r->status, 2);
	CHECK_CONTAINS(r->err, "--since: 'yesterday' is not a time");
	cmd_run(r,
		(const char *[]){"audit-log", "--kmsg", "--file", "x", NULL});
	CHECK_EQ(r->status, 2);
	cmd_run(r, (const char *[]){"audit-log", "--file",
				    "/nonexistent/audit.log", NULL});
	CHECK_EQ(r->status, 1);
	CHECK_CONTAINS(r->err, "cannot open '/nonexistent/audit.log'");
	/* without --profile: the kernel's action, no rule */
	cmd_run(r, (const char *[]){"audit-log", "--file", "/dev/null", NULL});
	CHECK_EQ(r->status, 0);
	CHECK_CONTAINS(r->out, ": 0 findings");
	free(r);
}

/* auditd running takes the records off the kernel log */
static bool auditd_running(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	while (d && (e = readdir(d)) && !found) {
		char path[300], comm[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f && fgets(comm, sizeof(comm), f))
			found = !strcmp(comm, "auditd\n");
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static bool live_possible(void)
{
	char *logged = slurp("/proc/sys/kernel/seccomp/actions_logged");
	bool ok = logged && strstr(logged, "log");

	free(logged);
	if (!ok)
		t_skip("'log' is not in kernel.seccomp.actions_logged");
	else if (geteuid() != 0 || access("/dev/kmsg", R_OK))
		t_skip("/dev/kmsg is not readable (root needed)");
	else if (access("/usr/bin/ionice", X_OK))
		t_skip("no /usr/bin/ionice to make the logged call");
	else if (auditd_running())
		t_skip("auditd runs: the records are in its log, not kmsg");
	else
		return true;
	return false;
}

/* The documented workflow, live: the audit variant of a profile that
 * denies ioprio_get by a rule logs the call, the command runs on, and
 * audit-log --kmsg --since maps the record to that rule. */
TEST(audit_log_finds_a_logged_call_in_kmsg)
{
	char dir[] = "/tmp/cf-auditlive-XXXXXX", audit[600], since[32];
	static const char orig[] =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
	    "  {\"names\": [\"ioprio_get\"], \"action\": \"SCMP_ACT_ERRNO\","
	    " \"errnoRet\": 1}]}\n";
	struct cmd_res *r = calloc(1, sizeof(*r));
	const char *prof;
	char opt[640];

	if (!r || !cmd_binary_present() || !live_possible() || !mkdtemp(dir)) {
		free(r);
		return;
	}
	prof = cmd_file(dir, "orig.json", orig);
	snprintf(audit, sizeof(audit), "%s/audit.json", dir);
	snprintf(opt, sizeof(opt), "seccomp=%s", audit);
	snprintf(since, sizeof(since), "@%lld", (long long)time(NULL) - 1);
	cmd_run(
	    r, (const char *[]){"convert", "--audit", "-o", audit, prof, NULL});
	CHECK_EQ(r->status, 0);
	/* Without auditd the kernel rate-limits its records (printk: a
	 * burst of 10 per 5 s), and tests running beside this one log
	 * calls too: a record dropped that way is tried again, after the
	 * limit's interval, up to three times. */
	for (int attempt = 0; attempt < 3; attempt++) {
		if (attempt)
			sleep(6);
		cmd_run(r,
			(const char *[]){"run", "--security-opt", opt, "--",
					 "/usr/bin/ionice", "-p", "1", NULL});
		CHECK_EQ(r->status, 0); /* logged, not denied: ionice runs */
		cmd_run(r, (const char *[]){"audit-log", "--kmsg", "--since",
					    since, "--profile", prof, NULL});
		if (strstr(r->out, " ioprio_get (nr 252) x"))
			break;
	}
	CHECK_EQ(r->status, 0);
	CHECK_CONTAINS(r->out, "x86_64 ioprio_get (nr 252) x");
	CHECK_CONTAINS(r->out, "SCMP_ACT_ERRNO(1) (Operation not permitted), ");
	CHECK_CONTAINS(r->out, "orig.json:2:14: /syscalls/0/names/0 (syscall "
			       "rule)");
	CHECK_CONTAINS(r->err, "without auditd the kernel rate-limits");
	unlink(audit);
	unlink(prof);
	rmdir(dir);
	free(r);
}
