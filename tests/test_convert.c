/* SPDX-License-Identifier: Apache-2.0 */
/* convert --audit (cf_profile_audit): for every reference profile, every
 * call the original denies (ERRNO, KILL, TRAP, runc's ENOSYS stub) is LOG
 * in the audit variant and every other call keeps its decision: checked
 * exactly with cf_diff and cf_subset, and number by number with
 * cf_filter_decide; the written variant passes `callfence check`. */
#include "t.h"
#include "cmd.h"

#include "callfence.h"

#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

static const char mixed[] =
    "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\",\n"
    " \"syscalls\": [\n"
    "  {\"names\": [\"read\", \"write\", \"exit_group\"],\n"
    "   \"action\": \"SCMP_ACT_ALLOW\"},\n"
    "  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "   \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    "  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "   \"errnoRet\": 13,\n"
    "   \"args\": [{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_TRAP\"},\n"
    "  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_LOG\"},\n"
    "  {\"names\": [\"rmdir\"], \"action\": \"SCMP_ACT_KILL_THREAD\"}\n"
    " ]}\n";

static bool denies(uint32_t a)
{
	a &= SECCOMP_RET_ACTION_FULL;
	return a == SECCOMP_RET_ERRNO || a == SECCOMP_RET_TRAP ||
	       a == SECCOMP_RET_KILL_THREAD || a == SECCOMP_RET_KILL_PROCESS;
}

static uint32_t table_max(int abi)
{
	size_t pos = 0;
	uint32_t nr, max = 0;

	while (cf_syscall_next(abi, &pos, &nr))
		max = nr > max ? nr : max;
	return max;
}

/* runc and libseccomp kill a call of an ABI the filter does not list (x32
 * numbers without SCMP_ARCH_X32, numbers past 0x40000000 on x86_64) for
 * any profile text; runc's stub answered part of them ENOSYS, and with
 * the stub gone (a LOG default) they are killed: documented. */
static bool abi_kill(const struct cf_filter *f, const struct seccomp_data *d)
{
	struct cf_decision dec;

	return !cf_filter_decide(f, d, &dec) && dec.why &&
	       !strcmp(dec.why, "ABI not in the filter: killed");
}

/* runc's stub answers ENOSYS for numbers above the largest it counts for
 * an ABI, before any rule: a call a rule allows but the stub answered
 * (x86's direct semget, 393, in a profile whose largest counted x86 call
 * is older) runs in the variant, allowed by its rule, not logged:
 * documented (docs/diagnose.md). */
static bool stub_masked_allow(const struct cf_filter *orig,
			      const struct seccomp_data *d, uint32_t b)
{
	struct cf_decision dec;

	return b == SECCOMP_RET_ALLOW && !cf_filter_decide(orig, d, &dec) &&
	       dec.why && strstr(dec.why, "(runc's stub)");
}

static int masked; /* calls stub_masked_allow accepted */

/* A denial became LOG, an ABI kill stayed one, anything else stayed. */
static bool audited(const struct cf_filter *orig, const struct cf_filter *audit,
		    const struct seccomp_data *d, uint32_t a, uint32_t b)
{
	if (abi_kill(audit, d))
		return true;
	if (stub_masked_allow(orig, d, b))
		return ++masked > 0;
	return denies(a) ? b == SECCOMP_RET_LOG : b == a;
}

/* Every number of each ABI (table + 64), all-zero and all-ones
 * arguments, by cf_filter_decide. */
static void check_numbers(const struct cf_filter *orig,
			  const struct cf_filter *audit, int *denied)
{
	static const char *const abis[] = {"x86_64", "x32", "x86"};

	for (size_t i = 0; i < 3; i++) {
		int abi = cf_abi_lookup(abis[i]);
		uint32_t lo = i == 1 ? 0x40000000U : 0;
		uint32_t hi = table_max(abi) + 64; /* x32: with bit 30 */

		for (uint32_t nr = lo; nr <= hi; nr++)
			for (int fill = 0; fill < 2; fill++) {
				struct seccomp_data d;
				struct cf_decision a, b;

				memset(&d, 0, sizeof(d));
				memset(d.args, fill ? 0xff : 0, sizeof(d.args));
				d.nr = (int)nr;
				d.arch = cf_abi_audit_arch(abi);
				if (cf_filter_decide(orig, &d, &a) ||
				    cf_filter_decide(audit, &d, &b)) {
					CHECK(!"cf_filter_decide failed");
					return;
				}
				*denied += denies(a.action);
				if (!audited(orig, audit, &d, a.action,
					     b.action)) {
					t_fail(__FILE__, __LINE__,
					       "%s nr %u: 0x%08x became 0x%08x",
					       abis[i], nr, a.action, b.action);
					return;
				}
			}
	}
}

/* Exactly, over all calls (classes of cf_diff): the original and the
 * variant differ only where a denial became LOG; the variant and an
 * all-LOG profile (every x86 ABI listed) differ only where the variant
 * allows, logs, traces or notifies, or kills an unlisted ABI's call. */
static void check_exact(const struct cf_filter *orig,
			const struct cf_filter *audit,
			const struct cf_filter *all_log)
{
	struct cf_diffs *d = NULL;
	struct cf_error err;

	for (int pass = 0; pass < 2; pass++) {
		if (!CHECK(cf_diff(pass ? audit : orig, pass ? all_log : audit,
				   &d, &err) == 0))
			return;
		for (size_t i = 0; i < cf_diffs_count(d); i++) {
			const struct cf_diff_item *it = cf_diffs_item(d, i);
			uint32_t act = it->action_a & SECCOMP_RET_ACTION_FULL;
			bool ok =
			    pass ? !denies(act) || abi_kill(audit, &it->example)
				 : audited(orig, audit, &it->example,
					   it->action_a, it->action_b);

			if (!ok) {
				t_fail(
				    __FILE__, __LINE__,
				    "pass %d: %s (%u..%u) %s: 0x%08x, 0x%08x",
				    pass, it->name ? it->name : "?", it->nr_lo,
				    it->nr_hi, it->args, it->action_a,
				    it->action_b);
				break;
			}
		}
		cf_diffs_free(d);
	}
}

static struct cf_filter *compile_text(const char *buf, size_t len,
				      const char *name)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;

	if (!CHECK(cf_profile_parse(buf, len, name, &p, &err) == 0))
		return NULL;
	CHECK_EQ(cf_target_default(&t, &err), 0);
	t.diag = NULL;
	CHECK_EQ(cf_compile(p, &t, &f, &err), 0);
	cf_profile_free(p);
	return f;
}

static void check_profile(const char *name, const char *buf, size_t len,
			  const struct cf_filter *all_log)
{
	char *json = NULL;
	size_t jlen = 0;
	struct cf_error err;
	struct cf_filter *orig, *audit;
	int denied = 0;

	if (!CHECK(cf_profile_audit(buf, len, name, &json, &jlen, &err) == 0))
		return;
	CHECK(!strstr(json, "defaultErrnoRet") ||
	      !strstr(json, "\"defaultAction\": \"SCMP_ACT_LOG\""));
	orig = compile_text(buf, len, name);
	audit = compile_text(json, jlen, name);
	if (orig && audit && !cf_filter_unconfined(orig)) {
		check_numbers(orig, audit, &denied);
		check_exact(orig, audit, all_log);
		CHECK(denied > 0);
	}
	cf_filter_free(orig);
	cf_filter_free(audit);
	free(json);
}

TEST(audit_variant_logs_exactly_what_the_profile_denies)
{
	static const char log[] =
	    "{\"defaultAction\": \"SCMP_ACT_LOG\", \"architectures\": "
	    "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}";
	struct cf_filter *all_log = compile_text(log, strlen(log), "log");
	size_t len;
	const char *b = cf_profile_builtin_json(&len);

	if (!all_log)
		return;
	check_profile("builtin", b, len, all_log);
	check_profile("mixed", mixed, strlen(mixed), all_log);
	for (size_t i = 0; i < t_nfixtures; i++) {
		char *buf = t_fixture_read(t_fixtures[i], &len);

		if (!buf)
			break;
		check_profile(t_fixtures[i], buf, len, all_log);
		free(buf);
	}
	cf_filter_free(all_log);
	if (masked)
		t_note("%d calls allowed by a rule behind runc's ENOSYS stub "
		       "are allowed, not logged, in the audit variant",
		       masked);
}

/* The written variant passes `callfence check`; errnoRet and
 * defaultErrnoRet of what became LOG are gone; usage and input errors. */
TEST(convert_audit_cli)
{
	char dir[] = "/tmp/cf-convert-XXXXXX", out[600];
	struct cmd_res *r = calloc(1, sizeof(*r));
	const char *file;

	if (!r || !cmd_binary_present() || !mkdtemp(dir)) {
		free(r);
		return;
	}
	file = cmd_file(dir, "p.json", mixed);
	snprintf(out, sizeof(out), "%s/audit.json", dir);
	cmd_run(r,
		(const char *[]){"convert", "--audit", "-o", out, file, NULL});
	CHECK_EQ(r->status, 0);
	cmd_run(r, (const char *[]){"check", out, NULL});
	CHECK_EQ(r->status, 0);
	cmd_run(r, (const char *[]){"convert", "--audit", file, NULL});
	CHECK_EQ(r->status, 0);
	CHECK_CONTAINS(r->out, "\"defaultAction\": \"SCMP_ACT_LOG\"");
	CHECK(!strstr(r->out, "errnoRet"));
	CHECK(!strstr(r->out, "SCMP_ACT_TRAP"));
	CHECK(!strstr(r->out, "SCMP_ACT_KILL"));
	CHECK_CONTAINS(r->out, "\"action\": \"SCMP_ACT_ALLOW\"");
	cmd_run(r, (const char *[]){"convert", file, NULL});
	CHECK_EQ(r->status, 2);
	CHECK_CONTAINS(r->err, "convert needs a conversion: --audit");
	file =
	    cmd_file(dir, "bad.json", "{\"defaultAction\": \"SCMP_ACT_NOPE\"}");
	cmd_run(r, (const char *[]){"convert", "--audit", file, NULL});
	CHECK_EQ(r->status, 1);
	CHECK_CONTAINS(r->err, "bad.json:1:");
	CHECK_CONTAINS(r->err, "/defaultAction");
	unlink(out);
	unlink(file);
	unlink(cmd_file(dir, "p.json", ""));
	rmdir(dir);
	free(r);
}
