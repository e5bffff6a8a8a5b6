/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a profile document is (issue 9, items 1, 2 and 16): a seccomp
 * profile or an OCI config.json, decided from unambiguous evidence; "no
 * filter" only from a literal {}; profiles from FIFOs, pipes and standard
 * input; one seccomp= option. Library cases first (generated sweeps), then
 * the callfence binary, which must refuse without running the command.
 */
#include "t.h"

#include "callfence.h"
#include "base.h"
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- library ----------------------------------------------------------- */

static const char *const sec_keys[] = {
    "defaultAction", "defaultErrnoRet", "defaultErrno",
    "architectures", "archMap",		"syscalls",
    "flags",	     "listenerPath",	"listenerMetadata",
};
/* a value of the right type for each key, so only detection can refuse */
static const char *const sec_vals[] = {
    "\"SCMP_ACT_ERRNO\"",
    "1",
    "\"EPERM\"",
    "[\"SCMP_ARCH_X86_64\"]",
    "[]",
    "[{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]",
    "[]",
    "\"\"",
    "\"\"",
};
static const char *const oci_keys[] = {"ociVersion", "process", "linux"};
static const char *const oci_vals[] = {"\"1.0.2\"", "{}", "{\"seccomp\": {}}"};

#define SECCOMP_OK                                                             \
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "  \
	"[\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"

static int parse(const char *text, struct cf_profile **p, struct cf_error *err)
{
	memset(err, 0, sizeof(*err));
	*p = NULL;
	return cf_profile_parse(text, strlen(text), "p.json", p, err);
}

/* text must be refused (-EINVAL, a message, no profile); the message
 * contains want when want is given */
static bool refused(const char *text, const char *want)
{
	struct cf_profile *p;
	struct cf_error err;
	int rc = parse(text, &p, &err);
	bool ok = rc == -EINVAL && !p && err.msg[0] &&
		  (!want || strstr(err.msg, want));

	if (!CHECK(ok))
		t_note("%s: rc %d, %s: '%s' (want '%s')", text, rc,
		       p && cf_profile_unconfined(p) ? "no filter" : "filter",
		       err.msg, want ? want : "");
	cf_profile_free(p);
	return ok;
}

/* Spellings Go's decoder matches to key: as written, upper case, lower
 * case, and (where the key has an s or a k) with U+017F / U+212A. */
static size_t spellings(const char *key, char out[4][64])
{
	size_t n = 0, len = strlen(key);

	snprintf(out[n++], 64, "%s", key);
	for (size_t i = 0; i <= len; i++) {
		out[1][i] = (char)(key[i] >= 'a' && key[i] <= 'z' ? key[i] - 32
								  : key[i]);
		out[2][i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32
								  : key[i]);
	}
	n = 3;
	for (size_t i = 0; i < len; i++) {
		const char *u = key[i] == 's' || key[i] == 'S' ? "\xc5\xbf"
				: key[i] == 'k' || key[i] == 'K'
				    ? "\xe2\x84\xaa"
				    : NULL;
		if (u) {
			snprintf(out[n++], 64, "%.*s%s%s", (int)i, key, u,
				 key + i + 1);
			break;
		}
	}
	return n;
}

TEST(detect_seccomp_key_next_to_oci_key_is_refused)
{
	char buf[512], sp[4][64];
	unsigned cases = 0;

	/* every seccomp key x every config.json key x every spelling Go
	 * matches x both orders: never a config.json, never "no filter" */
	for (size_t s = 0; s < CF_ARRAY_SIZE(sec_keys); s++) {
		for (size_t o = 0; o < CF_ARRAY_SIZE(oci_keys); o++) {
			size_t n = spellings(oci_keys[o], sp);

			for (size_t k = 0; k < n; k++) {
				snprintf(buf, sizeof(buf),
					 "{\"%s\": %s, \"%s\": %s}",
					 sec_keys[s], sec_vals[s], sp[k],
					 oci_vals[o]);
				refused(buf, "OCI config.json key");
				snprintf(buf, sizeof(buf),
					 "{\"%s\": \"x\", \"%s\": %s}", sp[k],
					 sec_keys[s], sec_vals[s]);
				refused(buf, "OCI config.json key");
				cases += 2;
			}
		}
	}
	/* the reproduction, and a real config.json around it */
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"process\":\"x\","
		"\"syscalls\":[{\"names\":[\"getpid\"],\"action\":"
		"\"SCMP_ACT_ALLOW\"}]}",
		"'process'");
	refused("{\"ociVersion\": \"1.0.2\", \"process\": {}, \"linux\": "
		"{\"seccomp\": " SECCOMP_OK "}, \"syscalls\": []}",
		"move the profile into linux.seccomp");
	t_note("%u generated documents refused", cases);
}

TEST(detect_config_json_must_be_unambiguous)
{
	static const char *const bad[][2] = {
	    {"{\"ociVersion\": \"1\", \"linux\": \"x\"}", "'linux' must"},
	    {"{\"ociVersion\": \"1\", \"linux\": 1}", "'linux' must"},
	    {"{\"ociVersion\": \"1\", \"linux\": []}", "'linux' must"},
	    {"{\"ociVersion\": \"1\", \"linux\": null}", "'linux' must"},
	    {"{\"ociVersion\": \"1\", \"linux\": true}", "'linux' must"},
	    {"{\"ociVersion\": \"1\", \"process\": \"x\", \"linux\": "
	     "{\"seccomp\": " SECCOMP_OK "}}",
	     "'process' must"},
	    {"{\"ociVersion\": 1, \"linux\": {\"seccomp\": " SECCOMP_OK "}}",
	     "'ociVersion' must be a string"},
	    {"{\"ociVersion\": null, \"linux\": {\"seccomp\": " SECCOMP_OK "}}",
	     "'ociVersion' must be a string"},
	    /* no ociVersion: not a config.json; no seccomp key either */
	    {"{\"linux\": {\"seccomp\": " SECCOMP_OK "}}", "no 'ociVersion'"},
	    {"{\"process\": {}}", "no 'ociVersion'"},
	    {"{\"ociVersion\": \"1\"}", "without a 'linux' or 'process'"},
	    /* a config.json without a profile means no seccomp */
	    {"{\"ociVersion\": \"1\", \"process\": {}}", "seccomp=unconfined"},
	    {"{\"ociVersion\": \"1\", \"linux\": {}}", "seccomp=unconfined"},
	    {"{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": null}}",
	     "seccomp=unconfined"},
	    {"{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": \"x\"}}",
	     "'seccomp' must be an object"},
	    {"{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": []}}",
	     "'seccomp' must be an object"},
	    {"{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": 0}}",
	     "'seccomp' must be an object"},
	    /* two keys Go would both decode into one field */
	    {"{\"ociVersion\": \"1\", \"linux\": {}, \"Linux\": "
	     "{\"seccomp\": " SECCOMP_OK "}}",
	     "duplicate key 'Linux'"},
	    {"{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": " SECCOMP_OK
	     ", \"SECCOMP\": null}}",
	     "duplicate key 'SECCOMP'"},
	    /* the embedded profile follows the profile rules */
	    {"{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": "
	     "{\"architectures\": [\"SCMP_ARCH_X86_64\"]}}}",
	     "no 'defaultAction'"},
	};

	for (size_t i = 0; i < CF_ARRAY_SIZE(bad); i++)
		refused(bad[i][0], bad[i][1]);
}

TEST(detect_config_json_is_read_from_linux_seccomp)
{
	static const char *const good[] = {
	    "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"]}, "
	    "\"linux\": {\"seccomp\": " SECCOMP_OK "}}",
	    "{\"OCIVERSION\": \"1.0.2\", \"Linux\": {\"SECCOMP\": " SECCOMP_OK
	    "}, \"hostname\": \"x\"}",
	    "{\"ociVer\xc5\xbfion\": \"1.2.1\", \"linux\": {\"\xc5\xbf"
	    "eccomp\": " SECCOMP_OK "}}",
	};
	struct cf_profile *p;
	struct cf_error err;

	for (size_t i = 0; i < CF_ARRAY_SIZE(good); i++) {
		if (!CHECK(parse(good[i], &p, &err) == 0)) {
			t_note("%s: %s", good[i], err.msg);
			continue;
		}
		CHECK(!cf_profile_unconfined(p));
		CHECK_EQ(p->default_action, 0x00050001);
		if (CHECK(p->nsyscalls == 1) &&
		    !CHECK(p->syscalls[0].pos.pointer &&
			   strcasestr(p->syscalls[0].pos.pointer,
				      "eccomp/syscalls/0")))
			t_note("pointer %s", p->syscalls[0].pos.pointer);
		cf_profile_free(p);
	}
}

TEST(detect_no_filter_only_from_a_literal_empty_object)
{
	static const char *const empty[] = {
	    "{}",
	    " {}",
	    "{ }",
	    "\n\t{\r\n}\n",
	    "{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": {}}}",
	};
	static const char *const bad[][2] = {
	    {"{\"defaultActoin\": \"SCMP_ACT_ERRNO\"}",
	     "did you mean 'defaultAction'?"},
	    {"{\"syscals\": [{\"names\": [\"getpid\"], \"action\": "
	     "\"SCMP_ACT_ERRNO\"}]}",
	     "did you mean 'syscalls'?"},
	    {"{\"architectures\": [\"SCMP_ARCH_X86_64\"]}",
	     "no 'defaultAction'"},
	    {"{\"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"]}",
	     "no 'defaultAction'"},
	    {"{\"syscalls\": []}", "no 'defaultAction'"},
	    {"{\"defaultAction\": \"\"}", "'defaultAction' is empty"},
	    {"{\"defaultAction\": null}", "no 'defaultAction'"},
	    {"{\"defaultAction\": null, \"syscalls\": null}",
	     "no 'defaultAction'"},
	    {"{\"archMap\": []}", "no 'defaultAction'"},
	    {"{\"listenerPath\": \"\"}", "no 'defaultAction'"},
	    {"{\"comment\": \"allow all\"}", "unknown key 'comment'"},
	};
	struct cf_profile *p;
	struct cf_error err;
	char buf[256];

	for (size_t i = 0; i < CF_ARRAY_SIZE(empty); i++) {
		if (CHECK(parse(empty[i], &p, &err) == 0))
			CHECK(cf_profile_unconfined(p));
		cf_profile_free(p);
	}
	for (size_t i = 0; i < CF_ARRAY_SIZE(bad); i++)
		refused(bad[i][0], bad[i][1]);
	/* every seccomp key alone with a null value, and every misspelling
	 * one edit away (a letter dropped) alone: never "no filter" */
	for (size_t k = 0; k < CF_ARRAY_SIZE(sec_keys); k++) {
		size_t len = strlen(sec_keys[k]);

		snprintf(buf, sizeof(buf), "{\"%s\": null}", sec_keys[k]);
		refused(buf, "Docker would run the command with no seccomp");
		for (size_t i = 0; i < len; i++) {
			snprintf(buf, sizeof(buf), "{\"%.*s%s\": %s}", (int)i,
				 sec_keys[k], sec_keys[k] + i + 1, sec_vals[k]);
			refused(buf, "unknown key");
		}
	}
}

TEST(detect_keys_fold_like_go)
{
	/* Go folds U+017F to s and U+212A to k: Docker applies this rule */
	struct cf_profile *p;
	struct cf_error err;

	if (CHECK(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"\xc5\xbf"
			"yscalls\": [{\"names\": [\"getpid\"], \"action\": "
			"\"SCMP_ACT_ERRNO\"}]}",
			&p, &err) == 0)) {
		CHECK_EQ(p->nsyscalls, 1);
		cf_profile_free(p);
	}
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"proce\xc5\xbf"
		"\xc5\xbf\": {}}",
		"OCI config.json key");
	/* but not a key with a NUL inside: Go compares all of it */
	refused("{\"defaultAction\\u0000\": \"SCMP_ACT_ERRNO\"}", NULL);
}

/* ---- the callfence binary ---------------------------------------------- */

struct cmd {
	int status; /* exit code; -1: killed (the watchdog: it hung) */
	char text[16384];
};

/* Starts callfence with args, stdin from in_fd (or /dev/null), keep_fd
 * left open in it; output to a pipe. A 60 s alarm ends a hang. */
static pid_t cmd_start(const char *const *args, int in_fd, int keep_fd,
		       int *out)
{
	const char *argv[24] = {t_callfence_bin()};
	int p[2];
	pid_t pid;

	for (size_t i = 0; args[i] && i < 22; i++)
		argv[i + 1] = args[i];
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		dup2(in_fd >= 0 ? in_fd : nul, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		if (keep_fd >= 0)
			fcntl(keep_fd, F_SETFD, 0);
		alarm(60);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

static void cmd_finish(pid_t pid, int out, struct cmd *c)
{
	size_t len = 0;
	ssize_t n;
	int st;

	c->status = -1;
	while ((n = read(out, c->text + len, sizeof(c->text) - 1 - len)) > 0)
		len += (size_t)n;
	c->text[len] = 0;
	close(out);
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		c->status = WEXITSTATUS(st);
}

static void cmd_in(struct cmd *c, int in_fd, int keep_fd,
		   const char *const *args)
{
	int out;
	pid_t pid = cmd_start(args, in_fd, keep_fd, &out);

	cmd_finish(pid, pid > 0 ? out : -1, c);
}

#define CMD(c, ...)                                                            \
	cmd_in((c), -1, -1, (const char *const[]){__VA_ARGS__, NULL})

/* a pipe holding text, closed for writing: its read end */
static int text_pipe(const char *text)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -1;
	if (write(p[1], text, strlen(text)) != (ssize_t)strlen(text)) {
		close(p[0]);
		p[0] = -1;
	}
	close(p[1]);
	return p[0];
}

static char dir[64];

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(p);
}

static const char *fresh_dir(void)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	strcpy(dir, "/tmp/cf-detect-XXXXXX");
	return mkdtemp(dir);
}

static const char *in_dir(const char *name)
{
	static char bufs[4][128];
	static int i;
	char *b = bufs[i++ & 3];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

static const char *write_file(const char *name, const char *text)
{
	const char *path = in_dir(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		t_fail(__FILE__, __LINE__, "cannot write %s", path);
	if (fd >= 0)
		close(fd);
	return path;
}

static bool cli_ready(void)
{
	if (access(t_callfence_bin(), X_OK) == 0 && fresh_dir())
		return true;
	t_fail(__FILE__, __LINE__, "%s is missing (make all first)",
	       t_callfence_bin());
	return false;
}

static char opt[256];

static const char *seccomp_opt(const char *path)
{
	snprintf(opt, sizeof(opt), "seccomp=%s", path);
	return opt;
}

/* run, check and compile all refuse the profile, and run never starts
 * the command (it would create the marker) */
static void cli_refuses(const char *json, const char *want)
{
	const char *prof = write_file("p.json", json);
	const char *marker = in_dir("marker"), *bpf = in_dir("out.bpf");
	struct cmd c;

	unlink(marker);
	CMD(&c, "run", "--security-opt", seccomp_opt(prof), "touch", marker);
	if (!CHECK(c.status == 125 && access(marker, F_OK) != 0))
		t_note("run %s: %d, %s", json, c.status,
		       access(marker, F_OK) == 0 ? "the command ran" : c.text);
	CHECK_CONTAINS(c.text, want);
	CMD(&c, "check", prof);
	CHECK_EQ(c.status, 1);
	CHECK_CONTAINS(c.text, want);
	unlink(bpf);
	CMD(&c, "compile", prof, "-o", bpf);
	CHECK_EQ(c.status, 1);
	CHECK(access(bpf, F_OK) != 0);
}

TEST(detect_cli_refuses_ambiguous_and_no_filter_profiles)
{
	static const char *const bad[][2] = {
	    {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"process\":\"x\","
	     "\"syscalls\":[{\"names\":[\"execve\",\"touch\"],\"action\":"
	     "\"SCMP_ACT_ALLOW\"}]}",
	     "OCI config.json key 'process'"},
	    {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"OCIVERSION\":\"1\"}",
	     "OCI config.json key 'OCIVERSION'"},
	    {"{\"ociVersion\":\"1.0.2\",\"linux\":\"x\"}", "'linux' must"},
	    {"{\"ociVersion\":\"1.0.2\",\"process\":{},\"linux\":{}}",
	     "seccomp=unconfined"},
	    {"{\"defaultActoin\":\"SCMP_ACT_ERRNO\"}",
	     "did you mean 'defaultAction'?"},
	    {"{\"syscals\":[]}", "did you mean 'syscalls'?"},
	    {"{\"architectures\":[\"SCMP_ARCH_X86_64\"]}",
	     "Docker would run the command with no seccomp filter"},
	    {"{\"flags\":[]}", "no 'defaultAction'"},
	    {"{\"syscalls\":[]}", "no 'defaultAction'"},
	    {"{\"defaultAction\":\"\"}", "'defaultAction' is empty"},
	};

	if (!cli_ready())
		return;
	for (size_t i = 0; i < CF_ARRAY_SIZE(bad); i++)
		cli_refuses(bad[i][0], bad[i][1]);
}

TEST(detect_cli_empty_object_runs_unconfined_with_a_warning)
{
	struct cmd c;

	if (!cli_ready())
		return;
	CMD(&c, "run", "--security-opt", seccomp_opt(write_file("e", " { }\n")),
	    "grep", "Seccomp:", "/proc/self/status");
	CHECK_EQ(c.status, 0);
	CHECK_CONTAINS(c.text, "Seccomp:\t0");
	CHECK_CONTAINS(c.text, "warning");
}

TEST(detect_cli_one_seccomp_option)
{
	const char *marker;
	struct cmd c;

	if (!cli_ready())
		return;
	marker = in_dir("marker");
	CMD(&c, "run", "--security-opt", "seccomp=builtin", "--security-opt",
	    "seccomp=unconfined", "touch", marker);
	CHECK_EQ(c.status, 125);
	CHECK(access(marker, F_OK) != 0);
	CHECK_CONTAINS(c.text, "conflicting --security-opt seccomp=builtin "
			       "and seccomp=unconfined");
	CMD(&c, "run", "--security-opt", "seccomp:unconfined", "--security-opt",
	    "seccomp=builtin", "touch", marker);
	CHECK_EQ(c.status, 125);
	CHECK(access(marker, F_OK) != 0);
	/* the same profile twice is one choice */
	CMD(&c, "run", "--security-opt", "seccomp=builtin", "--security-opt",
	    "seccomp=builtin", "grep", "Seccomp:", "/proc/self/status");
	CHECK_EQ(c.status, 0);
	CHECK_CONTAINS(c.text, "Seccomp:\t2");
}

#define DENY_MKDIR                                                             \
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "  \
	"[\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"

TEST(detect_cli_fifo_without_writer_is_an_error_not_a_hang)
{
	const char *fifo, *marker;
	struct cmd run, check;
	int out_run, out_check;
	pid_t p_run, p_check;

	if (!cli_ready())
		return;
	fifo = in_dir("fifo");
	marker = in_dir("marker");
	if (!CHECK(mkfifo(fifo, 0600) == 0))
		return;
	/* both wait at once: the wait is paid once */
	p_run = cmd_start((const char *const[]){"run", "--security-opt",
						seccomp_opt(fifo), "touch",
						marker, NULL},
			  -1, -1, &out_run);
	p_check = cmd_start((const char *const[]){"check", fifo, NULL}, -1, -1,
			    &out_check);
	cmd_finish(p_run, out_run, &run);
	cmd_finish(p_check, out_check, &check);
	CHECK_EQ(run.status, 125);
	CHECK(access(marker, F_OK) != 0);
	CHECK_CONTAINS(run.text, "no writer opened this FIFO");
	CHECK_EQ(check.status, 1);
	CHECK_CONTAINS(check.text, "no writer opened this FIFO");
}

TEST(detect_cli_fifo_with_a_writer)
{
	const char *fifo;
	struct cmd c;
	pid_t w;
	int st;

	if (!cli_ready())
		return;
	fifo = in_dir("fifo");
	if (!CHECK(mkfifo(fifo, 0600) == 0))
		return;
	w = fork();
	if (w == 0) {
		int fd = open(fifo, O_WRONLY); /* waits for callfence */

		_exit(fd < 0 || write(fd, DENY_MKDIR, strlen(DENY_MKDIR)) < 0);
	}
	CMD(&c, "run", "--security-opt", seccomp_opt(fifo), "mkdir",
	    in_dir("d"));
	CHECK(c.status != 0 && c.status != 125); /* mkdir: EPERM */
	CHECK(access(in_dir("d"), F_OK) != 0);
	CHECK_CONTAINS(c.text, "Operation not permitted");
	CHECK(waitpid(w, &st, 0) == w && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST(detect_cli_dev_fd_pipe_and_stdin)
{
	char fdpath[32];
	struct cmd c;
	int fd;

	if (!cli_ready())
		return;
	/* seccomp=<(...): a pipe named /dev/fd/N */
	fd = text_pipe(DENY_MKDIR);
	snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fd);
	cmd_in(&c, -1, fd,
	       (const char *const[]){"run", "--security-opt",
				     seccomp_opt(fdpath), "mkdir", in_dir("d"),
				     NULL});
	close(fd);
	CHECK(c.status != 0 && c.status != 125);
	CHECK_CONTAINS(c.text, "Operation not permitted");
	CHECK(access(in_dir("d"), F_OK) != 0);
	/* - is standard input, for run, check, compile and explain */
	fd = text_pipe(DENY_MKDIR);
	cmd_in(&c, fd, -1,
	       (const char *const[]){"run", "--security-opt", "seccomp=-",
				     "grep", "Seccomp:", "/proc/self/status",
				     NULL});
	close(fd);
	CHECK_EQ(c.status, 0);
	CHECK_CONTAINS(c.text, "Seccomp:\t2");
	fd = text_pipe(DENY_MKDIR);
	cmd_in(&c, fd, -1, (const char *const[]){"check", "-", NULL});
	close(fd);
	CHECK_EQ(c.status, 0);
	fd = text_pipe(DENY_MKDIR);
	cmd_in(
	    &c, fd, -1,
	    (const char *const[]){"compile", "-", "-o", in_dir("o.bpf"), NULL});
	close(fd);
	CHECK_EQ(c.status, 0);
	CHECK(access(in_dir("o.bpf"), F_OK) == 0);
	fd = text_pipe(DENY_MKDIR);
	cmd_in(&c, fd, -1,
	       (const char *const[]){"explain", "-", "mkdir", NULL});
	close(fd);
	CHECK_EQ(c.status, 0);
	CHECK_CONTAINS(c.text, "ERRNO");
	/* and a bad profile on stdin is named as such */
	fd = text_pipe("{\"syscals\": []}");
	cmd_in(&c, fd, -1, (const char *const[]){"check", "-", NULL});
	close(fd);
	CHECK_EQ(c.status, 1);
	CHECK_CONTAINS(c.text, "<stdin>:1:2: /syscals");
	fresh_dir();
}
