/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test harness explains failures: a CHILD_CHECK that fails in a forked
 * child prints file:line, the test's name and the expression; a crash
 * prints the name of the test it happened in.
 */
#include "t.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn in a child with stderr into a pipe; returns what it wrote and
 * its wait status. */
static void stderr_of(void (*fn)(void), char *buf, size_t size, int *ws)
{
	int fds[2];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	buf[0] = 0;
	*ws = -1;
	if (pipe(fds))
		return;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		fn();
		_exit(0);
	}
	close(fds[1]);
	while (len + 1 < size &&
	       (n = read(fds[0], buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, ws, 0);
}

static void failing_child_check(void)
{
	int two = 2;

	CHILD_CHECK(1 + 1 == two + 1);
}
static const int failing_line = __LINE__ - 2; /* the CHILD_CHECK above */

TEST(harness_child_check_names_file_line_and_expression)
{
	char out[1024], want[256];
	int ws;

	stderr_of(failing_child_check, out, sizeof(out), &ws);
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == T_CHILD_FAILED);
	snprintf(want, sizeof(want),
		 "%s:%d: harness_child_check_names_file_line_and_expression: "
		 "in child: check failed: 1 + 1 == two + 1",
		 __FILE__, failing_line);
	CHECK_CONTAINS(out, want);
}

static void crashing(void)
{
	raise(SIGSEGV);
}

TEST(harness_crash_names_its_test)
{
	char out[4096];
	int ws;

	stderr_of(crashing, out, sizeof(out), &ws);
	CHECK_CONTAINS(out, "CRASH in test harness_crash_names_its_test ("
			    "tests/test_harness.c): signal 11");
	/* and it still crashes (or the sanitizer reports and exits) */
	CHECK(!(WIFEXITED(ws) && WEXITSTATUS(ws) == 0));
}
