/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cf_install on the real kernel, each case in a forked child: TSYNC
 * filters a thread that already runs, and a TSYNC that cannot apply is
 * refused cleanly (nothing installed).
 */
#include "t.h"

#include "callfence.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* personality(0xffffffff) only queries; the filter makes it fail with
 * ERRNO(77) so that the effect is unmistakable. */
static const struct sock_filter deny_personality[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_personality, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0x00050000U | 77),
	BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U),
};

static int probe(void)
{
	return syscall(SYS_personality, 0xffffffffUL) < 0 ? errno : 0;
}

static pthread_barrier_t installed, checked;
static int thread_saw;

static void *other_thread(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&installed);
	thread_saw = probe();
	pthread_barrier_wait(&checked);
	return NULL;
}

static int child_status(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(install_tsync_filters_running_threads)
{
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t t;
		struct cf_error err;

		pthread_barrier_init(&installed, NULL, 2);
		pthread_barrier_init(&checked, NULL, 2);
		if (pthread_create(&t, NULL, other_thread, NULL))
			_exit(10);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    cf_install(deny_personality, 4, 0, &err))
			_exit(11);
		pthread_barrier_wait(&installed);
		pthread_barrier_wait(&checked);
		pthread_join(t, NULL);
		_exit(thread_saw == 77 && probe() == 77 ? 0 : 12);
	}
	CHECK_EQ(child_status(pid), 0);
}

static void *lone_filter_thread(void *arg)
{
	/* a filter on this thread only: the threads now differ */
	struct sock_fprog prog = { 4, (struct sock_filter *)deny_personality };

	(void)arg;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return (void *)1;
	pthread_barrier_wait(&installed);
	pthread_barrier_wait(&checked);
	return NULL;
}

TEST(install_refuses_when_tsync_cannot_apply)
{
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t t;
		struct cf_error err;
		int rc;

		pthread_barrier_init(&installed, NULL, 2);
		pthread_barrier_init(&checked, NULL, 2);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    pthread_create(&t, NULL, lone_filter_thread, NULL))
			_exit(10);
		pthread_barrier_wait(&installed);
		rc = cf_install(deny_personality, 4, 0, &err);
		/* refused, and this thread has no filter */
		if (rc != -EAGAIN || !strstr(err.msg, "TSYNC") || probe() != 0)
			_exit(11);
		pthread_barrier_wait(&checked);
		pthread_join(t, NULL);
		_exit(0);
	}
	CHECK_EQ(child_status(pid), 0);
}

TEST(install_verifies_first)
{
	static const struct sock_filter bad[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 3), /* unaligned */
		BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U),
	};
	pid_t pid = fork();

	if (pid == 0) {
		struct cf_error err;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(10);
		_exit(cf_install(bad, 2, 0, &err) == -EINVAL &&
				      strstr(err.msg, "aligned") &&
				      probe() == 0
			      ? 0
			      : 11);
	}
	CHECK_EQ(child_status(pid), 0);
}

/* The checker and the kernel agree on accept/reject, sample by sample. */
TEST(checker_agrees_with_the_kernel)
{
	static const struct {
		const char *what;
		struct sock_filter p[4];
		unsigned short len;
	} samples[] = {
		{ "good", { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
			    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
			    BPF_STMT(BPF_RET | BPF_K, 0x00050001U),
			    BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 4 },
		{ "jump out", { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
				BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0),
				BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 3 },
		{ "ja out", { BPF_STMT(BPF_JMP | BPF_JA, 1),
			      BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 2 },
		{ "no return", { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0) }, 1 },
		{ "unaligned", { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
				 BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 2 },
		{ "beyond data", { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
				   BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 2 },
		{ "last word", { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 60),
				 BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 2 },
		{ "div by 0", { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
				BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 2 },
		{ "mod", { BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3),
			   BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 2 },
		{ "byte load", { BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
				 BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 2 },
		{ "mem unset", { BPF_STMT(BPF_LD | BPF_MEM, 3),
				 BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 2 },
		{ "mem set", { BPF_STMT(BPF_ST, 3),
			       BPF_STMT(BPF_LDX | BPF_MEM, 3),
			       BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 3 },
		{ "slot 16", { BPF_STMT(BPF_ST, 16),
			       BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 2 },
		{ "ld len", { BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
			      BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U) }, 2 },
		{ "ret a", { BPF_STMT(BPF_LD | BPF_IMM, 0x7fff0000U),
			     BPF_STMT(BPF_RET | BPF_A, 0) }, 2 },
	};

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		bool ours = cf_bpf_verify(samples[i].p, samples[i].len,
					  NULL) == 0;
		pid_t pid = fork();
		int kernel;

		if (pid == 0) {
			struct sock_fprog prog = {
				samples[i].len,
				(struct sock_filter *)samples[i].p
			};

			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
			_exit(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
				      &prog) == 0
				      ? 0
				      : 1);
		}
		kernel = child_status(pid) == 0;
		if (ours != kernel)
			t_fail(__FILE__, __LINE__,
			       "%s: checker %s, kernel %s", samples[i].what,
			       ours ? "accepts" : "rejects",
			       kernel ? "accepts" : "rejects");
		else
			CHECK(true);
	}
}
