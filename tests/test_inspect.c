/* SPDX-License-Identifier: Apache-2.0 */
/* callfence inspect under callfence run: the blocked syscalls it reports
 * are exactly the compiler's decisions (zero arguments) for the profile
 * and capabilities the command runs with, and no probed call runs. */
#include "t.h"
#include "cmd.h"
#include "tfiles.h"

#include "callfence.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define BIG (1 << 20)

/* The kernel runs i386 calls: int $0x80 in a child does not fault. */
static bool int80_runs(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		long ret = 20; /* i386 getpid */

		signal(SIGSEGV, SIG_DFL);
		__asm__ volatile("int $0x80"
				 : "+a"(ret)
				 :
				 : "memory", "r8", "r9", "r10", "r11");
		_exit(ret > 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The "blocked" list the compiler's program gives abi for zero arguments
 * over first..last, in inspect's format; uretprobe/uprobe (x86_64) are
 * exempt from seccomp and left out. Returns the number of entries. */
static int expected(const struct cf_filter *f, int abi, uint32_t first,
		    uint32_t last, char *out, size_t size)
{
	const struct sock_filter *insns = NULL;
	size_t len = 0, n = 0;
	int count = 0;

	if (!cf_filter_unconfined(f))
		insns = cf_filter_program(f, &len);
	n += (size_t)snprintf(out + n, size - n, "\"blocked\": [");
	for (uint32_t nr = first; nr <= last && n < size; nr++) {
		struct seccomp_data d = {0}, kd;
		const char *name = cf_syscall_name(abi, nr);
		uint32_t a = SECCOMP_RET_ALLOW, act;

		if (abi == cf_abi_lookup("x86_64") && name &&
		    (!strcmp(name, "uretprobe") || !strcmp(name, "uprobe")))
			continue;
		d.nr = (int)nr;
		d.arch = cf_abi_audit_arch(abi);
		cf_seccomp_data_as_kernel(&d, &kd);
		if (len)
			a = cf_bpf_run(insns, len, &kd, NULL);
		act = a & SECCOMP_RET_ACTION_FULL;
		if (act == SECCOMP_RET_ALLOW || act == SECCOMP_RET_LOG ||
		    act == SECCOMP_RET_TRACE)
			continue;
		n += (size_t)snprintf(out + n, size - n,
				      "%s{\"nr\": %u, \"name\": %s%s%s, "
				      "\"action\": \"",
				      count ? ", " : "", nr, name ? "\"" : "",
				      name ? name : "null", name ? "\"" : "");
		if (act == SECCOMP_RET_ERRNO)
			n += (size_t)snprintf(out + n, size - n, "ERRNO(%u)\"}",
					      a & 0xffff);
		else
			n += (size_t)snprintf(
			    out + n, size - n, "%s\"}",
			    act == SECCOMP_RET_KILL_PROCESS  ? "KILL_PROCESS"
			    : act == SECCOMP_RET_KILL_THREAD ? "KILL_THREAD"
			    : act == SECCOMP_RET_TRAP	     ? "TRAP"
							     : "?");
		count++;
	}
	snprintf(out + n, size - n, "]");
	return count;
}

/* The "blocked": [...] of abi in inspect's JSON output, or NULL. */
static char *blocked_of(const char *json, const char *abi, uint32_t *first,
			uint32_t *last)
{
	char key[64];
	const char *p, *b, *e;

	snprintf(key, sizeof(key), "\"%s\": {\"status\": \"probed\"", abi);
	p = strstr(json, key);
	if (!p || sscanf(strstr(p, "\"first\""), "\"first\": %u, \"last\": %u",
			 first, last) != 2)
		return NULL;
	b = strstr(p, "\"blocked\": [");
	e = b ? strchr(b, ']') : NULL;
	return e ? strndup(b, (size_t)(e - b + 1)) : NULL;
}

/* Runs callfence run RUNOPTS -- callfence inspect --json; returns the
 * JSON (malloc'd) or NULL. */
static char *inspect_under(const char *const *runopts)
{
	char dir[] = "/tmp/cf-inspect-XXXXXX", out[600];
	const char *args[24];
	struct cmd_env env = {0};
	struct cmd_res *r = calloc(1, sizeof(*r));
	char *bin = realpath(t_callfence_bin(), NULL);
	size_t n = 0;
	char *json = NULL;

	if (!r || !bin || !mkdtemp(dir))
		goto out;
	snprintf(out, sizeof(out), "%s/out.json", dir);
	cmd_file(dir, "out.json", "");
	args[n++] = "run";
	while (*runopts && n < 18)
		args[n++] = *runopts++;
	args[n++] = "--";
	args[n++] = bin;
	args[n++] = "inspect";
	args[n++] = "--json";
	args[n] = NULL;
	env.stdout_file = out;
	cmd_run_env(r, &env, args);
	if (r->status != 0)
		t_fail(__FILE__, __LINE__, "inspect exited %d: %s", r->status,
		       r->err);
	else
		json = t_read_all(out);
	unlink(out);
	rmdir(dir);
out:
	free(bin);
	free(r);
	return json;
}

/* inspect --json under `run --security-opt seccomp=DIR/p.json` (profile
 * written there), and profile parsed into *p: the JSON (malloc'd) or
 * NULL. */
static char *inspect_profile(const char *dir, const char *profile,
			     struct cf_profile **p)
{
	char opt[600];
	const char *args[4] = {"--security-opt", opt, NULL};
	struct cf_error err;
	char *json;

	snprintf(opt, sizeof(opt), "seccomp=%s",
		 cmd_file(dir, "p.json", profile));
	json = inspect_under(args);
	CHECK_EQ(cf_profile_parse(profile, strlen(profile), "p.json", p, &err),
		 0);
	return json;
}

/* Every probed ABI's list equals the compiler's for profile p and caps. */
static void check_lists(const char *json, struct cf_profile *p, uint64_t caps,
			int *total)
{
	static const char *const abis[] = {"x86_64", "x32", "x86"};
	struct cf_target t;
	struct cf_filter *f = NULL;
	struct cf_error err;
	char *want = malloc(BIG);

	*total = 0;
	CHECK_EQ(cf_target_default(&t, &err), 0);
	t.caps = caps;
	t.diag = NULL;
	if (!want || !CHECK(cf_compile(p, &t, &f, &err) == 0)) {
		free(want);
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		uint32_t first, last;
		char *got = blocked_of(json, abis[i], &first, &last);

		if (i == 2 && !int80_runs()) {
			CHECK_CONTAINS(json, "\"x86\": {\"status\": "
					     "\"int80-faults\"");
			t_note("x86: int $0x80 faults on this kernel");
			continue;
		}
		if (!CHECK(got != NULL))
			continue;
		*total +=
		    expected(f, cf_abi_lookup(abis[i]), first, last, want, BIG);
		CHECK_STR(got, want);
		free(got);
	}
	cf_filter_free(f);
	free(want);
}

static bool root(void)
{
	if (geteuid() == 0)
		return true;
	t_skip("callfence run with its default capabilities needs root");
	return false;
}

TEST(inspect_lists_exactly_what_the_builtin_profile_denies)
{
	const char *none[] = {NULL};
	const char *admin[] = {"--cap-add", "SYS_ADMIN", NULL};
	struct cf_profile *p = NULL;
	struct cf_error err;
	char *json, *json2;
	int n1 = 0, n2 = 0;

	if (!cmd_binary_present() || !root())
		return;
	CHECK_EQ(cf_profile_builtin(&p, &err), 0);
	json = inspect_under(none);
	json2 = inspect_under(admin);
	if (json && json2) {
		CHECK_CONTAINS(json, "{\"seccomp\": 2, \"filters\": 1, ");
		check_lists(json, p, cf_caps_docker_default(), &n1);
		check_lists(json2, p,
			    cf_caps_docker_default() |
				1ULL << cf_cap_lookup("CAP_SYS_ADMIN"),
			    &n2);
		CHECK(n1 > 100);
		CHECK(n2 < n1); /* mount, umount2, setns, ... now allowed */
		CHECK_CONTAINS(json,
			       "\"name\": \"mount\", \"action\": \"ERRNO(1)\"");
		CHECK(!strstr(json2, "\"name\": \"mount\""));
		CHECK_CONTAINS(
		    json, "\"name\": \"clone3\", \"action\": \"ERRNO(38)\"");
	}
	free(json);
	free(json2);
	cf_profile_free(p);
}

/* Under no filter every probe reached the supervisor: a probe that ran
 * would have come back with its own errno (EFAULT, EINVAL, ...) and be
 * listed, or ended the probe (exit, reboot as root), or touched files. */
TEST(inspect_unconfined_lists_nothing_and_runs_no_probe)
{
	const char *unconf[] = {"--security-opt", "seccomp=unconfined", NULL};
	char *json;

	if (!cmd_binary_present() || !root())
		return;
	json = inspect_under(unconf);
	if (json) {
		CHECK_CONTAINS(json, "{\"seccomp\": 0, \"filters\": 0, ");
		CHECK_CONTAINS(json, "\"x86_64\": {\"status\": \"probed\", "
				     "\"first\": 0, \"last\": ");
		CHECK(!strstr(json, "\"nr\": "));
		CHECK(!strstr(json, "\"status\": \"failed\""));
	}
	free(json);
}

/* A profile denying reboot, kexec_load, unlink and mkdir by errno 13, all
 * else allowed: exactly those are listed, every other call reached the
 * supervisor, and a marker file in the working directory is untouched. */
TEST(inspect_probes_dangerous_calls_without_running_them)
{
	static const char profile[] =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
	    "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], "
	    "\"syscalls\": [{\"names\": [\"reboot\", \"kexec_load\", "
	    "\"unlink\", \"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"errnoRet\": 13}]}";
	char dir[] = "/tmp/cf-inspect-XXXXXX", marker[600];
	struct cf_profile *p = NULL;
	struct stat before, after;
	char *json = NULL;
	int n = 0;

	if (!cmd_binary_present() || !root() || !CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	cmd_file(dir, "marker", "x");
	CHECK_EQ(stat(marker, &before), 0);
	json = inspect_profile(dir, profile, &p);
	if (json && p) {
		check_lists(json, p, cf_caps_docker_default(), &n);
		CHECK_CONTAINS(json, "{\"nr\": 169, \"name\": \"reboot\", "
				     "\"action\": \"ERRNO(13)\"}");
		CHECK_CONTAINS(
		    json, "\"name\": \"mkdir\", \"action\": \"ERRNO(13)\"");
	}
	CHECK_EQ(stat(marker, &after), 0);
	CHECK_EQ(after.st_ino, before.st_ino);
	free(json);
	cf_profile_free(p);
	unlink(marker);
	unlink(t_join(dir, "p.json"));
	CHECK_EQ(rmdir(dir), 0); /* nothing else appeared */
}

TEST(inspect_usage_errors)
{
	struct cmd_res *r = calloc(1, sizeof(*r));
	const char *a1[] = {"inspect", "--caps", "default", NULL};
	const char *a2[] = {"inspect", "extra", NULL};
	const char *a3[] = {"inspect", "--compare", "/nonexistent.json", NULL};

	if (!r || !cmd_binary_present()) {
		free(r);
		return;
	}
	cmd_run(r, a1);
	CHECK_EQ(r->status, 2);
	CHECK_CONTAINS(r->err, "--caps needs --compare");
	cmd_run(r, a2);
	CHECK_EQ(r->status, 2);
	cmd_run(r, a3);
	CHECK_EQ(r->status, 1);
	free(r);
}

/* --compare says whether the observation matches a profile */
TEST(inspect_compare_names_the_profile_or_the_differences)
{
	struct cmd_res *r = calloc(1, sizeof(*r));
	char *bin = realpath(t_callfence_bin(), NULL);
	const char *same[] = {"run",	   "--",      bin, "inspect",
			      "--compare", "builtin", NULL};
	const char *diff[] = {"run",	"--cap-add", "SYS_ADMIN", "--",
			      bin,	"inspect",   "--compare", "builtin",
			      "--caps", "default",   NULL};

	if (r && bin && cmd_binary_present() && root()) {
		cmd_run(r, same);
		CHECK_EQ(r->status, 0);
		CHECK_CONTAINS(r->out, "this process runs builtin, with "
				       "Docker's default capabilities");
		cmd_run(r, diff);
		CHECK_EQ(r->status, 1);
		CHECK_CONTAINS(r->out, "x86_64: mount (nr 165): observed "
				       "ALLOW, builtin says ERRNO(1)");
	}
	free(bin);
	free(r);
}

/* TRAP, KILL_THREAD and KILL_PROCESS told apart (each ends a probe thread
 * or process, and the probe goes on); LOG looks allowed. */
TEST(inspect_tells_trap_kill_thread_and_kill_process_apart)
{
	static const char profile[] =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
	    "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], "
	    "\"syscalls\": ["
	    "{\"names\": [\"acct\"], \"action\": \"SCMP_ACT_TRAP\"}, "
	    "{\"names\": [\"vhangup\"], \"action\": \"SCMP_ACT_KILL_THREAD\"}, "
	    "{\"names\": [\"syslog\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}, "
	    "{\"names\": [\"swapon\"], \"action\": \"SCMP_ACT_LOG\"}]}";
	char dir[] = "/tmp/cf-inspect-XXXXXX";
	struct cf_profile *p = NULL;
	char *json = NULL;
	int n = 0;

	if (!cmd_binary_present() || !root() || !CHECK(mkdtemp(dir) != NULL))
		return;
	json = inspect_profile(dir, profile, &p);
	if (json && p) {
		check_lists(json, p, cf_caps_docker_default(), &n);
		CHECK_EQ(n, 6); /* three on x86_64, three on x32 */
		CHECK_CONTAINS(json, "{\"nr\": 163, \"name\": \"acct\", "
				     "\"action\": \"TRAP\"}");
		CHECK_CONTAINS(json, "{\"nr\": 153, \"name\": \"vhangup\", "
				     "\"action\": \"KILL_THREAD\"}");
		CHECK_CONTAINS(json, "{\"nr\": 103, \"name\": \"syslog\", "
				     "\"action\": \"KILL_PROCESS\"}");
		CHECK(!strstr(json, "\"swapon\""));
	}
	free(json);
	cf_profile_free(p);
	unlink(t_join(dir, "p.json"));
	rmdir(dir);
}

/* A listener already in the stack: the kernel refuses the probe's (EBUSY);
 * inspect says so and lists nothing as known, and exits 0. */
TEST(inspect_reports_a_present_listener)
{
	struct sock_filter allow[] = {
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {1, allow};
	char *bin = realpath(t_callfence_bin(), NULL);
	int po[2], status = -1;
	char *out = malloc(BIG);
	size_t len = 0;
	ssize_t k;
	pid_t pid;

	if (!bin || !out || !cmd_binary_present() ||
	    !CHECK(pipe2(po, O_CLOEXEC) == 0)) {
		free(bin);
		free(out);
		return;
	}
	pid = fork();
	if (pid == 0) {
		long fd;

		dup2(po[1], 1);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(3);
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		/* keep the listener open across exec (it is O_CLOEXEC) */
		if (fd < 0 || dup((int)fd) < 0)
			_exit(4);
		execl(bin, bin, "inspect", "--json", (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	while ((k = read(po[0], out + len, BIG - 1 - len)) > 0)
		len += (size_t)k;
	out[len] = 0;
	close(po[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_CONTAINS(out, "\"x86_64\": {\"status\": \"listener-present\"");
	CHECK_CONTAINS(out, "\"x32\": {\"status\": \"listener-present\"");
	CHECK_CONTAINS(out,
		       "a seccomp notification listener is already present");
	CHECK(!strstr(out, "\"nr\": "));
	free(bin);
	free(out);
}
