/* SPDX-License-Identifier: Apache-2.0 */
/* Test runner: runs every registered TEST (or those whose name contains
 * argv[1]) and ends with "N passed, N failed". */
#include "t.h"

#include "callfence.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct t_entry {
	const char *name, *file;
	t_fn fn;
};

static struct t_entry t_tests[4096];
static size_t t_ntests;
static unsigned t_cur_failures, t_cur_checks;
static bool t_cur_skipped;
static const char *t_cur_name, *t_cur_file;

void t_register(const char *name, t_fn fn, const char *file)
{
	if (t_ntests == sizeof(t_tests) / sizeof(t_tests[0])) {
		fprintf(stderr, "too many tests\n");
		abort();
	}
	t_tests[t_ntests++] = (struct t_entry){name, file, fn};
}

bool t_check(bool ok, const char *expr, const char *file, int line)
{
	t_cur_checks++;
	if (!ok) {
		t_cur_failures++;
		if (t_cur_failures <= 20)
			fprintf(stderr, "  %s:%d: %s: check failed: %s\n", file,
				line, t_cur_name, expr);
	}
	return ok;
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t_cur_checks++;
	t_cur_failures++;
	if (t_cur_failures > 20)
		return;
	fprintf(stderr, "  %s:%d: %s: ", file, line, t_cur_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void t_skip(const char *why)
{
	t_cur_skipped = true;
	fprintf(stderr, "  %s: skipped: %s\n", t_cur_name, why);
}

void t_note(const char *fmt, ...)
{
	va_list ap;

	printf("  %s: ", t_cur_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

const char *t_shared(void)
{
	const char *dir = getenv("CF_SHARED");
	const char *ci = getenv("CI");
	struct stat st;

	if (!dir)
		dir = "../shared";
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return dir;
	if (ci && strcmp(ci, "true") == 0)
		t_fail(__FILE__, __LINE__, "%s is missing (required in CI)",
		       dir);
	else
		t_skip("../shared is absent (set CF_SHARED)");
	return NULL;
}

const char *const t_fixtures[] = {
    "docker-default.json",	     "docker-labs-no-chmod.json",
    "moby-conditional-include.json", "podman-default.json",
    "runc-syscall-test1.json",	     "runc-syscall-test2.json",
};
const size_t t_nfixtures = sizeof(t_fixtures) / sizeof(t_fixtures[0]);

char *t_shared_read(const char *rel, size_t *len)
{
	const char *dir = t_shared();
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "rbe");
	if (!f) {
		t_fail(__FILE__, __LINE__, "cannot open %s", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		t_fail(__FILE__, __LINE__, "cannot read %s", path);
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = (size_t)n;
	return buf;
}

char *t_fixture_read(const char *name, size_t *len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "fixtures/profiles/%s", name);
	return t_shared_read(rel, len);
}

void t_diags_add(void *ctx, const struct cf_diag *d)
{
	struct t_diags *s = ctx;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "[%s] %s\n", d->id,
		 d->msg);
	s->n++;
}

size_t t_diags_count(const struct t_diags *s, const char *id)
{
	char tag[128];
	size_t n = 0;

	snprintf(tag, sizeof(tag), "[%s] ", id);
	for (const char *c = s->text; (c = strstr(c, tag)); c++)
		n += c == s->text || c[-1] == '\n';
	return n;
}

const char *t_arch_name(uint32_t audit, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (int abi = 0; abi < cf_abi_count(); abi++)
		if (cf_abi_audit_arch(abi) == audit && len + 1 < size)
			len +=
			    (size_t)snprintf(buf + len, size - len, "%s%s",
					     len ? "/" : "", cf_abi_name(abi));
	if (!len)
		snprintf(buf, size, "arch 0x%x", audit);
	return buf;
}

const char *t_action_name(uint32_t action, char *buf, size_t size)
{
	return cf_action_str(action, buf, size);
}

void t_child_fail(const char *expr, const char *file, int line)
{
	fprintf(stderr, "  %s:%d: %s: in child: check failed: %s\n", file, line,
		t_cur_name, expr);
	fflush(stderr);
	_exit(T_CHILD_FAILED);
}

bool t_check_child(int pid, const char *what, const char *file, int line)
{
	int ws;

	if (pid < 0 || waitpid(pid, &ws, 0) != pid) {
		t_fail(file, line, "child %s: %s", what,
		       pid < 0 ? "fork failed" : "waitpid failed");
		return false;
	}
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
		return t_check(true, what, file, line);
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == T_CHILD_FAILED)
		t_fail(file, line, "child %s: its check failed (above)", what);
	else if (WIFEXITED(ws))
		t_fail(file, line, "child %s exited %d", what, WEXITSTATUS(ws));
	else
		t_fail(file, line, "child %s killed by SIG%s", what,
		       WIFSIGNALED(ws) ? sigabbrev_np(WTERMSIG(ws)) : "?");
	return false;
}

/* A crash names its test: the handler writes the name (write(2) only),
 * puts back the handler it replaced (the sanitizers' report, or the
 * default action) and returns, so that a fault happens again; a signal
 * that was sent (abort, raise, kill) is sent again. */
static const int t_crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
static struct sigaction
    t_crash_old[sizeof(t_crash_signals) / sizeof(t_crash_signals[0])];

static void t_write_str(const char *s)
{
	ssize_t n = write(2, s, strlen(s));

	(void)n;
}

static void t_on_crash(int sig, siginfo_t *info, void *uctx)
{
	char num[12], *p = num + sizeof(num) - 1;
	unsigned v = (unsigned)sig;

	*p = 0;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	t_write_str("CRASH in test ");
	t_write_str(t_cur_name ? t_cur_name : "(none: between tests)");
	t_write_str(" (");
	t_write_str(t_cur_file ? t_cur_file : "?");
	t_write_str("): signal ");
	t_write_str(p);
	t_write_str("\n");
	for (size_t i = 0; i < sizeof(t_crash_old) / sizeof(t_crash_old[0]);
	     i++)
		if (t_crash_signals[i] == sig)
			sigaction(sig, &t_crash_old[i], NULL);
	(void)uctx;
	/* sent, not a fault: nothing happens again on return */
	if (info->si_code <= 0)
		raise(sig);
}

static void t_name_crashes(void)
{
	struct sigaction sa = {.sa_sigaction = t_on_crash,
			       .sa_flags = SA_SIGINFO};

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(t_crash_old) / sizeof(t_crash_old[0]);
	     i++)
		sigaction(t_crash_signals[i], &sa, &t_crash_old[i]);
}

const char *t_callfence_bin(void)
{
	const char *b = getenv("CF_BIN");

	return b ? b : "build/callfence";
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0, skipped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* the programs the tests run (mkdir, sh, python3) print their
	 * messages in the C locale, whatever the machine's; python3 makes
	 * the same calls on every run (no bytecode cache written by a first
	 * run, recorded, and read by the next, run under the recording) */
	setenv("LC_ALL", "C", 1);
	setenv("PYTHONDONTWRITEBYTECODE", "1", 1);
	t_name_crashes();
	for (size_t i = 0; i < t_ntests; i++) {
		struct t_entry *t = &t_tests[i];

		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		t_cur_name = t->name;
		t_cur_file = t->file;
		t_cur_failures = 0;
		t_cur_checks = 0;
		t_cur_skipped = false;
		t->fn();
		if (t_cur_failures) {
			failed++;
			printf("FAIL %s (%s)\n", t->name, t->file);
		} else if (t_cur_skipped) {
			skipped++;
			printf("SKIP %s\n", t->name);
		} else if (t_cur_checks == 0) {
			failed++;
			printf("FAIL %s: asserted nothing\n", t->name);
		} else {
			passed++;
			printf("ok   %s (%u checks)\n", t->name, t_cur_checks);
		}
	}
	printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
