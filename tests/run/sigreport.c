/* SPDX-License-Identifier: Apache-2.0 */
/* Catches the signals named on its command line (numbers), creates
 * OUT.ready, waits (at most 60 s) for one of them and writes
 * "got SIG code CODE value VALUE" to OUT. Usage: sigreport OUT SIG... */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got_sig, got_code;
static volatile long got_value;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_code = si->si_code;
	got_value = si->si_code == SI_QUEUE ? (long)si->si_value.sival_int : 0;
	got_sig = sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t all, none;
	char ready[4200];
	FILE *f;
	int fd;

	if (argc < 3)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&all);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (int i = 2; i < argc; i++)
		if (sigaction(atoi(argv[i]), &sa, NULL) < 0)
			return 3;
	snprintf(ready, sizeof(ready), "%s.ready", argv[1]);
	fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return 4;
	close(fd);
	alarm(60);
	sigdelset(&all, SIGALRM);
	for (int i = 2; i < argc; i++)
		sigdelset(&all, atoi(argv[i]));
	while (!got_sig)
		sigsuspend(&all);
	f = fopen(argv[1], "w");
	if (!f)
		return 5;
	fprintf(f, "got %d code %d value %ld\n", (int)got_sig, (int)got_code,
		(long)got_value);
	return fclose(f) == 0 ? 0 : 6;
}
