/* SPDX-License-Identifier: Apache-2.0 */
/* The fork bomb of forkbomb.c and cgescape.c: forks up to 64 sleepers
 * (each gone within a minute anyway), prints "forks N errno E" and the
 * sleepers' pids, and leaves them behind for whoever cleans up. */
#ifndef CF_TESTS_RUN_SLEEPERS_H
#define CF_TESTS_RUN_SLEEPERS_H

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static int fork_sleepers(void)
{
	pid_t pids[64];
	int n = 0, e = 0;

	for (; n < 64; n++) {
		pids[n] = fork();
		if (pids[n] == 0) {
			alarm(60);
			pause();
			_exit(0);
		}
		if (pids[n] < 0) {
			e = errno;
			break;
		}
	}
	printf("forks %d errno %d\n", n, e);
	for (int i = 0; i < n; i++)
		printf("%d\n", (int)pids[i]);
	return 0;
}

#endif
