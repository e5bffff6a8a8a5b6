/* SPDX-License-Identifier: Apache-2.0 */
/* threads: starts a thread and spawns itself (glibc makes both with
 * clone3: the spawn's exit_signal is SIGCHLD), waits for both and prints
 * "joined". A subject of record --args (tests/test_record_args.c):
 * clone3's flags are read from the tracee's memory. */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static void *work(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	static int token;
	static char as_child[] = "child";
	char *child[] = {argv[0], as_child, NULL};
	pthread_t t;
	void *back = NULL;
	pid_t pid;
	int status = -1;

	if (argc > 1 && !strcmp(argv[1], "child"))
		return 0;
	if (pthread_create(&t, NULL, work, &token) || pthread_join(t, &back) ||
	    back != &token)
		return 1;
	if (posix_spawn(&pid, argv[0], NULL, NULL, child, NULL) ||
	    waitpid(pid, &status, 0) != pid || status != 0)
		return 2;
	printf("joined\n");
	return 0;
}
