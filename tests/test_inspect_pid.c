/* SPDX-License-Identifier: Apache-2.0 */
/* callfence inspect --pid on a command running under callfence run with a
 * profile that has argument rules, LOG, TRACE, TRAP and KILL and the flag
 * SECCOMP_FILTER_FLAG_LOG (run honours both LOG and the flag): the blocked
 * lists equal the compiler's decisions (cf_filter_decide) for every
 * number, the argument-dependent syscalls are listed with their
 * conditions, and the target is left running, neither traced nor
 * stopped. */
#include "t.h"
#include "cmd.h"
#include "tfiles.h"

#include "callfence.h"

#include <dirent.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define BIG (1 << 20)

static const char profile[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,\n"
    " \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],\n"
    " \"syscalls\": [\n"
    "  {\"names\": [\"read\", \"write\", \"exit\", \"exit_group\",\n"
    "   \"rt_sigreturn\", \"restart_syscall\", \"nanosleep\",\n"
    "   \"clock_nanosleep\", \"brk\", \"mmap\", \"munmap\", \"mprotect\",\n"
    "   \"close\", \"fstat\", \"newfstatat\", \"openat\", \"execve\",\n"
    "   \"arch_prctl\", \"set_tid_address\", \"set_robust_list\", \"rseq\",\n"
    "   \"prlimit64\", \"getrandom\", \"access\", \"pread64\",\n"
    "   \"rt_sigaction\", \"rt_sigprocmask\", \"futex\", \"uname\",\n"
    "   \"lseek\", \"readlink\", \"statx\", \"fcntl\", \"ioctl\"],\n"
    "   \"action\": \"SCMP_ACT_ALLOW\"},\n"
    "  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "   \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "   \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "   \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    "  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_LOG\"},\n"
    "  {\"names\": [\"chown\"], \"action\": \"SCMP_ACT_TRACE\",\n"
    "   \"errnoRet\": 7},\n"
    "  {\"names\": [\"acct\"], \"action\": \"SCMP_ACT_TRAP\"},\n"
    "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}\n"
    " ]}\n";

/* field of /proc/pid/status ("State"), or "" */
static void status_field(pid_t pid, const char *key, char *out, size_t size)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	out[0] = 0;
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    line[strlen(key)] == ':') {
			snprintf(out, size, "%s", line + strlen(key) + 2);
			out[strcspn(out, "\n")] = 0;
		}
	if (f)
		fclose(f);
}

/* The child of parent that runs "sleep" under a filter (waits for it). */
static pid_t find_target(pid_t parent)
{
	for (int tries = 0; tries < 1000; tries++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		pid_t found = 0;

		while (d && (e = readdir(d)) && !found) {
			char path[300], comm[64] = "", sec[16];
			int pp = 0;
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%s/stat",
				 e->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fscanf(f, "%*d (%63[^)]) %*c %d", comm, &pp) == 2 &&
			    pp == parent && !strcmp(comm, "sleep")) {
				status_field(atoi(e->d_name), "Seccomp", sec,
					     sizeof(sec));
				if (!strcmp(sec, "2"))
					found = atoi(e->d_name);
			}
			fclose(f);
		}
		if (d)
			closedir(d);
		if (found)
			return found;
		usleep(10000);
	}
	return 0;
}

/* inspect's name for a decision's action */
static void action_text(uint32_t a, char *buf, size_t size)
{
	uint32_t act = a & SECCOMP_RET_ACTION_FULL, data = a & 0xffff;

	snprintf(buf, size, "%s",
		 act == SECCOMP_RET_KILL_PROCESS  ? "KILL_PROCESS"
		 : act == SECCOMP_RET_KILL_THREAD ? "KILL_THREAD"
		 : act == SECCOMP_RET_TRAP	  ? "TRAP"
		 : act == SECCOMP_RET_LOG	  ? "LOG"
		 : act == SECCOMP_RET_USER_NOTIF  ? "USER_NOTIF"
						  : "?");
	if (act == SECCOMP_RET_ERRNO)
		snprintf(buf, size, "ERRNO(%u)", data);
	if (act == SECCOMP_RET_TRACE)
		snprintf(buf, size, "TRACE(%u)", data);
}

/* The "blocked" list cf_filter_decide gives abi over first..last for
 * all-zero arguments, in inspect's format (uretprobe and uprobe, which
 * the kernel exempts, left out). */
static void expected(const struct cf_filter *f, int abi, uint32_t first,
		     uint32_t last, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "\"blocked\": [");
	int count = 0;

	for (uint32_t nr = first; nr <= last && n < size; nr++) {
		struct seccomp_data d = {0};
		struct cf_decision dec;
		const char *name = cf_syscall_name(abi, nr);
		char act[32];

		if (abi == cf_abi_lookup("x86_64") && name &&
		    (!strcmp(name, "uretprobe") || !strcmp(name, "uprobe")))
			continue;
		d.nr = (int)nr;
		d.arch = cf_abi_audit_arch(abi);
		if (cf_filter_decide(f, &d, &dec) ||
		    dec.action == SECCOMP_RET_ALLOW)
			continue;
		action_text(dec.action, act, sizeof(act));
		n += (size_t)snprintf(out + n, size - n,
				      "%s{\"nr\": %u, \"name\": %s%s%s, "
				      "\"action\": \"%s\"}",
				      count++ ? ", " : "", nr, name ? "\"" : "",
				      name ? name : "null", name ? "\"" : "",
				      act);
	}
	snprintf(out + n, size - n, "]");
}

static void check_abi(const char *json, const struct cf_filter *f,
		      const char *abi, char *want)
{
	char key[64];
	const char *p, *b, *e;
	uint32_t first, last;

	snprintf(key, sizeof(key), "\"%s\": {\"status\": \"probed\"", abi);
	p = strstr(json, key);
	if (!CHECK(p != NULL) ||
	    !CHECK(sscanf(strstr(p, "\"first\""), "\"first\": %u, \"last\": %u",
			  &first, &last) == 2))
		return;
	b = strstr(p, "\"blocked\": [");
	e = b ? strchr(b, ']') : NULL;
	if (!CHECK(e != NULL))
		return;
	expected(f, cf_abi_lookup(abi), first, last, want, BIG);
	CHECK(strlen(want) == (size_t)(e - b + 1) &&
	      !strncmp(want, b, (size_t)(e - b + 1)));
}

/* The compiler's answer for one call of x86_64. */
static uint32_t decide(const struct cf_filter *f, const char *name, uint64_t a0)
{
	struct seccomp_data d = {0};
	struct cf_decision dec = {0};
	int abi = cf_abi_lookup("x86_64");

	d.nr = (int)cf_syscall_number(abi, name);
	d.arch = cf_abi_audit_arch(abi);
	d.args[0] = a0;
	cf_filter_decide(f, &d, &dec);
	return dec.action;
}

/* The profile's own decisions agree with the conditions inspect prints. */
static void check_conditions(const char *json, const struct cf_filter *f)
{
	const char *x64 = strstr(json, "\"x86_64\": {"), *x32;
	const char *dep = x64 ? strstr(x64, "\"arg_dependent\": [") : NULL;

	x32 = strstr(json, "\"x32\": {");
	if (!CHECK(dep != NULL) || !CHECK(x32 != NULL) || !CHECK(dep < x32))
		return;
	CHECK_CONTAINS(dep, "{\"nr\": 41, \"name\": \"socket\", "
			    "\"zero_args\": \"ERRNO(1)\", \"complete\": true");
	CHECK_CONTAINS(dep, "{\"action\": \"ALLOW\", \"when\": \"args[0] == "
			    "1\"}");
	CHECK_CONTAINS(dep, "{\"nr\": 135, \"name\": \"personality\", "
			    "\"zero_args\": \"ALLOW\", \"complete\": true");
	CHECK_CONTAINS(dep, "{\"action\": \"ALLOW\", \"when\": \"args[0] == "
			    "8\"}");
	CHECK_CONTAINS(dep, "{\"action\": \"ALLOW\", \"when\": \"args[0] == "
			    "0\"}");
	/* the wording follows the program: 0 and 8 are JEQs (value runs) */
	CHECK_CONTAINS(dep, "{\"action\": \"ERRNO(1)\", \"when\": \"args[0] "
			    "<= 0xffffffff && args[0] != 0 && args[0] != 8\"}");
	/* exactly these two on x86_64 */
	CHECK(!strstr(strstr(dep, "\"personality\"") + 1, "\"nr\": ") ||
	      strstr(strstr(dep, "\"personality\"") + 1, "\"nr\": ") > x32);
	/* the same conditions, asked of the compiler */
	CHECK_EQ(decide(f, "socket", 1), SECCOMP_RET_ALLOW);
	CHECK_EQ(decide(f, "socket", 2), SECCOMP_RET_ERRNO | 1);
	CHECK_EQ(decide(f, "socket", 1ULL << 32 | 1), SECCOMP_RET_ERRNO | 1);
	CHECK_EQ(decide(f, "personality", 8), SECCOMP_RET_ALLOW);
	CHECK_EQ(decide(f, "personality", 7), SECCOMP_RET_ERRNO | 1);
	CHECK_EQ(decide(f, "personality", 9), SECCOMP_RET_ERRNO | 1);
}

static pid_t start_run(const char *file)
{
	char *bin = realpath(t_callfence_bin(), NULL);
	char opt[600];
	pid_t pid;

	snprintf(opt, sizeof(opt), "seccomp=%s", file);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		execl(bin, bin, "run", "--security-opt", "no-new-privileges",
		      "--security-opt", opt, "--", "/bin/sleep", "1000",
		      (char *)NULL);
		_exit(127);
	}
	free(bin);
	return pid;
}

/* inspect --pid target --json [--compare compare]: the output */
static char *inspect_pid(pid_t target, const char *dir, const char *compare,
			 int *status)
{
	char pid[16], out[600];
	const char *args[] = {"inspect",
			      "--pid",
			      pid,
			      "--json",
			      compare ? "--compare" : "--disasm",
			      compare,
			      NULL};
	struct cmd_env env = {0};
	struct cmd_res *r = calloc(1, sizeof(*r));
	char *json = NULL;

	snprintf(pid, sizeof(pid), "%d", (int)target);
	snprintf(out, sizeof(out), "%s/out.json", dir);
	cmd_file(dir, "out.json", "");
	env.stdout_file = out;
	if (!r)
		return NULL;
	cmd_run_env(r, &env, args);
	*status = r->status;
	json = t_read_all(out);
	unlink(out);
	free(r);
	return json;
}

static void check_target_untouched(pid_t target)
{
	char state[64], tracer[32];

	status_field(target, "State", state, sizeof(state));
	status_field(target, "TracerPid", tracer, sizeof(tracer));
	CHECK(state[0] == 'S' || state[0] == 'R');
	CHECK_STR(tracer, "0");
	CHECK_EQ(kill(target, 0), 0);
}

/* --compare with --pid: the profile it runs matches; the builtin differs
 * on socket, with the condition. */
static void check_compare(pid_t target, const char *dir, const char *file)
{
	int status = -1;
	char *json = inspect_pid(target, dir, file, &status);

	CHECK_EQ(status, 0);
	if (json)
		CHECK_CONTAINS(json, "\"match\": true, \"complete\": true}");
	free(json);
	json = inspect_pid(target, dir, "builtin", &status);
	CHECK_EQ(status, 1);
	if (json) {
		CHECK_CONTAINS(json, "{\"abi\": \"x86_64\", \"nr\": 41, "
				     "\"name\": \"socket\", \"observed\": "
				     "\"ERRNO(1)\", \"profile\": \"ALLOW\", "
				     "\"when\": \"args[0].hi >= 1\"}");
		CHECK_CONTAINS(json, "\"match\": false");
	}
	free(json);
	check_target_untouched(target);
}

TEST(inspect_pid_evaluates_the_stack_exactly_with_argument_conditions)
{
	char dir[] = "/tmp/cf-inspect-pid-XXXXXX";
	const char *file;
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	char *json = NULL, *want = malloc(BIG);
	pid_t run, target;
	int status = -1;

	if (!cmd_binary_present() || !want || !mkdtemp(dir)) {
		free(want);
		return;
	}
	if (geteuid() != 0) {
		t_skip("inspect --pid needs CAP_SYS_ADMIN");
		free(want);
		return;
	}
	file = cmd_file(dir, "p.json", profile);
	CHECK_EQ(cf_profile_parse(profile, strlen(profile), file, &p, &err), 0);
	CHECK_EQ(cf_target_default(&t, &err), 0);
	t.diag = NULL;
	CHECK_EQ(cf_compile(p, &t, &f, &err), 0);
	run = start_run(file);
	target = run > 0 ? find_target(run) : 0;
	if (CHECK(target > 0) && f) {
		json = inspect_pid(target, dir, NULL, &status);
		CHECK_EQ(status, 0);
		check_target_untouched(target);
	}
	if (json && f) {
		char needle[64];

		snprintf(needle, sizeof(needle), "\"pid\": %d, ", (int)target);
		CHECK_CONTAINS(json, needle);
		CHECK_CONTAINS(json, "{\"seccomp\": 2, \"filters\": 1, ");
		CHECK_CONTAINS(json, "\"method\": \"ptrace\", \"programs\": 1");
		/* run installed it with the flag: the kernel says so */
		CHECK_CONTAINS(json, "\"filter_flags\": [[\"LOG\"]]");
		/* --disasm: the program as read back */
		CHECK_CONTAINS(json, "\"programs\": [{\"index\": 0, ");
		CHECK_CONTAINS(json, "ret  SCMP_ACT_KILL_PROCESS");
		check_abi(json, f, "x86_64", want);
		check_abi(json, f, "x32", want);
		check_abi(json, f, "x86", want);
		CHECK_CONTAINS(json, "\"name\": \"kill\", \"action\": \"LOG\"");
		CHECK_CONTAINS(json,
			       "\"name\": \"chown\", \"action\": \"TRACE(7)\"");
		CHECK_CONTAINS(json,
			       "\"name\": \"acct\", \"action\": \"TRAP\"");
		CHECK_CONTAINS(json, "\"name\": \"mkdir\", \"action\": "
				     "\"KILL_PROCESS\"");
		check_conditions(json, f);
	}
	if (target > 0)
		check_compare(target, dir, file);
	if (run > 0) {
		kill(run, SIGTERM);
		waitpid(run, NULL, 0);
	}
	free(json);
	free(want);
	cf_filter_free(f);
	cf_profile_free(p);
	unlink(file);
	rmdir(dir);
}

/* Bad ids are usage errors; a reader under a filter, or one that cannot
 * attach, fails with the reason. */
TEST(inspect_pid_refuses_clearly)
{
	struct cmd_res *r = calloc(1, sizeof(*r));
	const char *bad[] = {"inspect", "--pid", "12x", NULL};
	const char *gone[] = {"inspect", "--pid", "2147483600", NULL};
	char *bin = realpath(t_callfence_bin(), NULL);
	const char *nested[] = {"run",	   "--cap-add", "SYS_ADMIN", "--", bin,
				"inspect", "--pid",	"1",	     NULL};

	if (!r || !bin || !cmd_binary_present()) {
		free(r);
		free(bin);
		return;
	}
	cmd_run(r, bad);
	CHECK_EQ(r->status, 2);
	CHECK_CONTAINS(r->err, "--pid: '12x' is not a process id");
	if (geteuid() == 0) {
		cmd_run(r, gone);
		CHECK_EQ(r->status, 1);
		CHECK_CONTAINS(r->err, "/proc/2147483600/status: cannot open");
		cmd_run(r, nested);
		CHECK_EQ(r->status, 1);
		CHECK_CONTAINS(r->err, "needs a reader without a seccomp "
				       "filter of its own");
	}
	free(bin);
	free(r);
}

/* A filter that shifts by X = 33 and 35 (the kernel uses X's low five
 * bits): getppid is ERRNO(5) unless args[0].lo is 1. */
static const struct sock_filter shift_by_x[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 11),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 9),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 7, 0),
    BPF_STMT(BPF_LD | BPF_IMM, 8),
    BPF_STMT(BPF_LDX | BPF_IMM, 33),
    BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0), /* 16 */
    BPF_STMT(BPF_LDX | BPF_IMM, 35),
    BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0), /* 2 */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 5),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* A child that installs shift_by_x, checks the kernel's answers and
 * sleeps (exit 3: the kernel did not answer as the test expects). */
static pid_t start_shifting_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sock_fprog prog = {sizeof(shift_by_x) /
					      sizeof(shift_by_x[0]),
					  (struct sock_filter *)shift_by_x};
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(2);
		if (syscall(SYS_getppid, 0) != -1 || errno != 5 ||
		    syscall(SYS_getppid, 1) < 0)
			_exit(3);
		execl("/bin/sleep", "sleep", "1000", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* inspect --pid walks arithmetic as the kernel runs it: a shift by X of
 * 32 or more is by X & 31 (a walk that made it 0 listed getppid as
 * allowed whatever its arguments). */
TEST(inspect_pid_walks_shifts_by_x_as_the_kernel)
{
	char dir[] = "/tmp/cf-inspect-shift-XXXXXX";
	char needle[200];
	char *json = NULL;
	pid_t target;
	int status = -1, child = -1;

	if (!cmd_binary_present() || !mkdtemp(dir))
		return;
	if (geteuid() != 0) {
		t_skip("inspect --pid needs CAP_SYS_ADMIN");
		rmdir(dir);
		return;
	}
	target = start_shifting_sleeper();
	if (CHECK(target > 0) && CHECK(find_target(getpid()) == target))
		json = inspect_pid(target, dir, NULL, &status);
	CHECK_EQ(status, 0);
	snprintf(needle, sizeof(needle),
		 "{\"nr\": %d, \"name\": \"getppid\", \"zero_args\": "
		 "\"ERRNO(5)\", \"complete\": true, \"cases\": [{\"action\": "
		 "\"ALLOW\", \"when\": \"args[0].lo == 1\"}, {\"action\": "
		 "\"ERRNO(5)\", \"when\": \"args[0].lo != 1\"}]}",
		 SYS_getppid);
	if (json)
		CHECK_CONTAINS(json, needle);
	if (target > 0) {
		kill(target, SIGKILL);
		waitpid(target, &child, 0);
		/* killed: it got past the kernel's checks to sleep */
		CHECK(WIFSIGNALED(child));
	}
	free(json);
	rmdir(dir);
}
