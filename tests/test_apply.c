/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cf_install and the BPF tools against the real kernel, each case in a
 * forked child: a filter takes effect; TSYNC filters a thread that already
 * runs, and a TSYNC that cannot apply is refused cleanly (nothing
 * installed); no_new_privs, flags and listeners; the checker accepts
 * exactly what the kernel accepts (samples and random programs); the
 * interpreter computes what the kernel computes (random programs whose
 * result comes back as an errno).
 */
#include "t.h"

#include "callfence.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
		CHILD_CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0);
		CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
		CHILD_CHECK(cf_install(deny_personality, 4, 0, &err) == 0);
		pthread_barrier_wait(&installed);
		pthread_barrier_wait(&checked);
		pthread_join(t, NULL);
		CHILD_CHECK(thread_saw == 77);
		CHILD_CHECK(probe() == 77);
		_exit(0);
	}
	CHECK_CHILD(pid);
}

static void *lone_filter_thread(void *arg)
{
	/* a filter on this thread only: the threads now differ */
	struct sock_fprog prog = {4, (struct sock_filter *)deny_personality};

	(void)arg;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return (void *)1;
	pthread_barrier_wait(&installed);
	pthread_barrier_wait(&checked);
	return NULL;
}

/* In a child whose second thread has a filter of its own: cf_install
 * with flags is refused (-EAGAIN, TSYNC named) and installs nothing on
 * the calling thread. */
static void tsync_refused(unsigned flags)
{
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t t;
		struct cf_error err;
		int rc;

		pthread_barrier_init(&installed, NULL, 2);
		pthread_barrier_init(&checked, NULL, 2);
		CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
		CHILD_CHECK(
		    pthread_create(&t, NULL, lone_filter_thread, NULL) == 0);
		pthread_barrier_wait(&installed);
		rc = cf_install(deny_personality, 4, flags, &err);
		CHILD_CHECK(rc == -EAGAIN && strstr(err.msg, "TSYNC"));
		CHILD_CHECK(probe() == 0);
		pthread_barrier_wait(&checked);
		pthread_join(t, NULL);
		_exit(0);
	}
	CHECK_CHILD(pid);
}

TEST(install_refuses_when_tsync_cannot_apply)
{
	tsync_refused(0);
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

		CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
		CHILD_CHECK(cf_install(bad, 2, 0, &err) == -EINVAL &&
			    strstr(err.msg, "aligned"));
		CHILD_CHECK(probe() == 0);
		_exit(0);
	}
	CHECK_CHILD(pid);
}

TEST(install_filter_takes_effect)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct cf_error err;

		CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
		CHILD_CHECK(probe() == 0);
		CHILD_CHECK(cf_install(deny_personality, 4, 0, &err) == 0);
		/* denied with the filter's errno, the rest still works, and
		 * the kernel reports filter mode */
		CHILD_CHECK(probe() == 77);
		CHILD_CHECK(getppid() > 0);
		CHILD_CHECK(prctl(PR_GET_SECCOMP) == 2);
		_exit(0);
	}
	CHECK_CHILD(pid);
}

TEST(install_without_nnp_or_cap_sys_admin_is_eacces)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct cf_error err;
		int rc;

		/* as root, losing uid 0 clears the effective capabilities */
		CHILD_CHECK(geteuid() != 0 ||
			    setresuid(65534, 65534, 65534) == 0);
		rc = cf_install(deny_personality, 4, 0, &err);
		CHILD_CHECK(rc == -EACCES && strstr(err.msg, "no_new_privs"));
		CHILD_CHECK(probe() == 0);
		_exit(0);
	}
	CHECK_CHILD(pid);
}

TEST(install_flags)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct cf_error err;

		CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
		CHILD_CHECK(
		    cf_install(deny_personality, 4, 1U << 20, &err) ==
			-EINVAL &&
		    strstr(err.msg, "unknown seccomp filter flags 0x100000"));
		CHILD_CHECK(cf_install(deny_personality, 4,
				       SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
				       &err) == -EINVAL &&
			    strstr(err.msg, "NEW_LISTENER"));
		CHILD_CHECK(probe() == 0);
		CHILD_CHECK(cf_install(deny_personality, 4,
				       SECCOMP_FILTER_FLAG_LOG |
					   SECCOMP_FILTER_FLAG_SPEC_ALLOW,
				       &err) == 0);
		CHILD_CHECK(probe() == 77);
		_exit(0);
	}
	CHECK_CHILD(pid);
}

TEST(install_with_listener_returns_its_fd)
{
	static const struct sock_filter allow[] = {
	    BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U),
	};
	pid_t pid = fork();

	if (pid == 0) {
		struct cf_error err;
		int fd;

		CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
		fd = cf_install(allow, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER,
				&err);
		CHILD_CHECK(fd > 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
		/* one listener per filter chain */
		CHILD_CHECK(cf_install(allow, 1,
				       SECCOMP_FILTER_FLAG_NEW_LISTENER,
				       &err) == -EBUSY);
		_exit(0);
	}
	CHECK_CHILD(pid);
}

/* TSYNC_ESRCH: the kernel says ESRCH instead of a thread id */
TEST(install_with_listener_refuses_when_tsync_cannot_apply)
{
	tsync_refused(SECCOMP_FILTER_FLAG_NEW_LISTENER);
}

/* Does the kernel take p (flags 0, no_new_privs set)? The child reports
 * through shared memory: once p is installed, any syscall may kill it. */
static bool kernel_accepts(const struct sock_filter *p, size_t len)
{
	int *verdict = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	bool ok;
	pid_t pid;

	if (verdict == MAP_FAILED)
		return false;
	*verdict = -1;
	pid = fork();
	if (pid == 0) {
		struct sock_fprog prog = {(unsigned short)len,
					  (struct sock_filter *)p};

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(1);
		__atomic_store_n(verdict,
				 syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
					 0, &prog) == 0,
				 __ATOMIC_SEQ_CST);
		_exit(0);
	}
	child_status(pid);
	ok = __atomic_load_n(verdict, __ATOMIC_SEQ_CST) == 1;
	munmap(verdict, sizeof(int));
	return ok;
}

static void agree(const char *what, const struct sock_filter *p, size_t len)
{
	struct cf_error err = {0};
	bool ours = cf_bpf_verify(p, len, &err) == 0;
	bool kernel = kernel_accepts(p, len);

	if (ours != kernel) {
		t_fail(__FILE__, __LINE__, "%s: checker %s (%s), kernel %s",
		       what, ours ? "accepts" : "rejects", err.msg,
		       kernel ? "accepts" : "rejects");
		cf_bpf_disasm(p, len, stderr);
	} else
		CHECK(true);
}

#define ALLOW BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U)
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The checker and the kernel agree on accept/reject, sample by sample. */
TEST(checker_agrees_with_the_kernel)
{
	static const struct {
		const char *what;
		struct sock_filter p[4];
		unsigned short len;
	} samples[] = {
	    {"good",
	     {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
	      BPF_STMT(BPF_RET | BPF_K, 0x00050001U), ALLOW},
	     4},
	    {"jump out",
	     {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0), ALLOW},
	     3},
	    {"jump to last",
	     {BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 1, 2, 1), ALLOW, ALLOW},
	     3},
	    {"ja out", {BPF_STMT(BPF_JMP | BPF_JA, 1), ALLOW}, 2},
	    {"ja to last", {BPF_STMT(BPF_JMP | BPF_JA, 1), ALLOW, ALLOW}, 3},
	    {"ja wraps", {BPF_STMT(BPF_JMP | BPF_JA, 0xffffffffU), ALLOW}, 2},
	    {"ja with x", {BPF_STMT(BPF_JMP | BPF_JA | BPF_X, 0), ALLOW}, 2},
	    {"no return", {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)}, 1},
	    {"ret x", {BPF_STMT(BPF_RET | BPF_X, 0)}, 1},
	    {"unaligned", {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), ALLOW}, 2},
	    {"beyond data", {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), ALLOW}, 2},
	    {"ancillary",
	     {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0xfffff000U), ALLOW},
	     2},
	    {"last word", {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 60), ALLOW}, 2},
	    {"ldx abs", {BPF_STMT(BPF_LDX | BPF_W | BPF_ABS, 0), ALLOW}, 2},
	    {"half load", {BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), ALLOW}, 2},
	    {"byte load", {BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), ALLOW}, 2},
	    {"ind load", {BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), ALLOW}, 2},
	    {"msh", {BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), ALLOW}, 2},
	    {"div by 0", {BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), ALLOW}, 2},
	    {"div by x", {BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0), ALLOW}, 2},
	    {"mod", {BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), ALLOW}, 2},
	    {"neg x", {BPF_STMT(BPF_ALU | BPF_NEG | BPF_X, 0), ALLOW}, 2},
	    {"shift 31", {BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 31), ALLOW}, 2},
	    {"shift 32", {BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 32), ALLOW}, 2},
	    {"mem unset", {BPF_STMT(BPF_LD | BPF_MEM, 3), ALLOW}, 2},
	    {"mem set",
	     {BPF_STMT(BPF_ST, 3), BPF_STMT(BPF_LDX | BPF_MEM, 3), ALLOW},
	     3},
	    {"mem one branch",
	     {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), BPF_STMT(BPF_ST, 1),
	      BPF_STMT(BPF_LDX | BPF_MEM, 1), ALLOW},
	     4},
	    {"mem after ja",
	     {BPF_STMT(BPF_STX, 2), BPF_STMT(BPF_JMP | BPF_JA, 0),
	      BPF_STMT(BPF_LD | BPF_MEM, 2), ALLOW},
	     4},
	    {"mem dead after ret",
	     {BPF_STMT(BPF_ST, 0), ALLOW, BPF_STMT(BPF_LD | BPF_MEM, 0), ALLOW},
	     4},
	    {"slot 16", {BPF_STMT(BPF_ST, 16), ALLOW}, 2},
	    {"st with mode", {BPF_STMT(BPF_ST | BPF_MEM, 1), ALLOW}, 2},
	    {"ld len", {BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0), ALLOW}, 2},
	    {"ldx len", {BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0), ALLOW}, 2},
	    {"ld imm half", {BPF_STMT(BPF_LD | BPF_H | BPF_IMM, 0), ALLOW}, 2},
	    {"ret a",
	     {BPF_STMT(BPF_LD | BPF_IMM, 0x7fff0000U),
	      BPF_STMT(BPF_RET | BPF_A, 0)},
	     2},
	    {"empty", {ALLOW}, 0},
	};

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		agree(samples[i].what, samples[i].p, samples[i].len);
}

TEST(checker_agrees_with_the_kernel_on_length)
{
	static struct sock_filter p[CF_BPF_MAXINSNS + 1];

	for (size_t i = 0; i <= CF_BPF_MAXINSNS; i++)
		p[i] = (struct sock_filter)ALLOW;
	agree("4096 instructions", p, CF_BPF_MAXINSNS);
	agree("4097 instructions", p, CF_BPF_MAXINSNS + 1);
	p[0] =
	    (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, CF_BPF_MAXINSNS - 2);
	agree("longest ja", p, CF_BPF_MAXINSNS);
	p[0].k++;
	agree("ja one too far", p, CF_BPF_MAXINSNS);
}

static uint64_t next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 16;
}

/* Random programs, mostly of seccomp's opcodes, some of classic BPF's
 * others and some of no opcode at all, with small operands: about half of
 * them are accepted. */
TEST(checker_agrees_with_the_kernel_on_random_programs)
{
	static const uint16_t codes[] = {
	    BPF_LD | BPF_W | BPF_ABS,
	    BPF_LD | BPF_IMM,
	    BPF_LD | BPF_MEM,
	    BPF_LDX | BPF_MEM,
	    BPF_ST,
	    BPF_STX,
	    BPF_ALU | BPF_DIV | BPF_K,
	    BPF_ALU | BPF_LSH | BPF_K,
	    BPF_ALU | BPF_ADD | BPF_X,
	    BPF_JMP | BPF_JA,
	    BPF_JMP | BPF_JEQ | BPF_K,
	    BPF_JMP | BPF_JGE | BPF_X,
	    BPF_RET | BPF_K,
	    BPF_RET | BPF_A,
	    BPF_MISC | BPF_TAX,
	    BPF_LD | BPF_B | BPF_ABS,
	    BPF_ALU | BPF_MOD | BPF_X,
	    BPF_LDX | BPF_W | BPF_LEN,
	};
	uint64_t seed = 42;
	unsigned accepted = 0, total = 400;

	for (unsigned round = 0; round < total; round++) {
		struct sock_filter p[6];
		size_t len = 1 + next_rand(&seed) % 6;
		char what[32];

		for (size_t i = 0; i < len; i++) {
			uint64_t r = next_rand(&seed);

			p[i].code = r % 16 == 0 ? (uint16_t)(r >> 8)
						: codes[r % N(codes)];
			p[i].jt = (uint8_t)(r >> 20) % 4;
			p[i].jf = (uint8_t)(r >> 24) % 4;
			p[i].k = (uint32_t)(r >> 28) % 18 * 2;
			if (i == len - 1 && r % 5)
				p[i].code = BPF_RET | BPF_K;
		}
		snprintf(what, sizeof(what), "random program %u", round);
		accepted += cf_bpf_verify(p, len, NULL) == 0;
		agree(what, p, len);
	}
	t_note("%u of %u accepted", accepted, total);
	CHECK(accepted > total / 10 && accepted < total - total / 10);
}

/* ---- the interpreter against the kernel ---------------------------------- */

/* A random computation over the syscall's arguments: forward jumps, every
 * ALU operation (shifts and divisions by X included), scratch memory. Its
 * result returns as ERRNO(0x400 | (A & 0x3ff)) for getppid, so the kernel
 * tells what it computed; a division by X = 0 kills instead. */
static size_t random_computation(uint64_t *seed, struct sock_filter *p)
{
	static const uint16_t ops[] = {
	    BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND,
	    BPF_OR,  BPF_XOR, BPF_LSH, BPF_RSH, BPF_NEG,
	};
	static const uint32_t offs[] = {0,  4,	16, 20, 24, 28, 32,
					36, 40, 44, 48, 52, 56, 60};
	const size_t body = 20;
	size_t n = 0;

	p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
	p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      SYS_getppid, 1, 0);
	p[n++] = (struct sock_filter)ALLOW;
	for (unsigned i = 0; i < 4; i++) { /* M[i] = a word of args[i] */
		p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						      16 + 8 * i);
		p[n++] = (struct sock_filter)BPF_STMT(BPF_ST, i);
	}
	for (size_t i = 0; i < body; i++) {
		uint64_t r = next_rand(seed);
		uint32_t k = (uint32_t)(r >> 24);
		uint16_t op = ops[r % N(ops)];
		struct sock_filter *in = &p[n++];

		*in = (struct sock_filter)BPF_STMT(0, k % 4);
		switch ((r >> 8) % 12) {
		case 0: /* nr, arch, args (not the instruction pointer) */
			in->code = BPF_LD | BPF_W | BPF_ABS;
			in->k = offs[k % N(offs)];
			break;
		case 1:
			in->code = BPF_LD | BPF_MEM;
			break;
		case 2:
			in->code = BPF_LDX | BPF_MEM;
			break;
		case 3:
			in->code = BPF_ST;
			break;
		case 4:
			in->code = BPF_STX;
			break;
		case 5:
			in->code = BPF_LDX | BPF_IMM;
			in->k = k % 40;
			break;
		case 6:
			in->code =
			    r & 1 ? BPF_MISC | BPF_TAX : BPF_MISC | BPF_TXA;
			break;
		case 7:
			in->code = r & 1 ? BPF_LD | BPF_W | BPF_LEN
					 : BPF_LDX | BPF_W | BPF_LEN;
			break;
		case 8: /* a forward jump within the body or to its end */
			in->code = BPF_JMP | (uint16_t)(0x10 * (1 + k % 4)) |
				   (r & 1 ? BPF_X : BPF_K);
			in->k = k % 3 ? k % 64 : k;
			in->jt = (uint8_t)((r >> 40) % (body - i));
			in->jf = (uint8_t)((r >> 48) % (body - i));
			break;
		default:
			in->code = BPF_ALU | op |
				   (r & 1 && op != BPF_NEG ? BPF_X : BPF_K);
			in->k = op == BPF_LSH || op == BPF_RSH ? k % 32
				: op == BPF_DIV		       ? 1 + k % 100
							       : k;
			break;
		}
	}
	p[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x3ff);
	p[n++] =
	    (struct sock_filter)BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 0x00050400U);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	return n;
}

/* What the kernel makes of getppid(args) under p: the errno, or -signal. */
static int kernel_result(const struct sock_filter *p, size_t len,
			 const uint64_t *args)
{
	int fds[2], got = -1000, status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1000;
	pid = fork();
	if (pid == 0) {
		struct sock_fprog prog = {(unsigned short)len,
					  (struct sock_filter *)p};
		int e;

		close(fds[0]);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(1);
		e = syscall(SYS_getppid, args[0], args[1], args[2], args[3],
			    args[4], args[5]) < 0
			? errno
			: 0;
		_exit(write(fds[1], &e, sizeof(e)) == sizeof(e) ? 0 : 2);
	}
	close(fds[1]);
	if (pid > 0 && waitpid(pid, &status, 0) == pid) {
		if (WIFSIGNALED(status))
			got = -WTERMSIG(status);
		else if (read(fds[0], &got, sizeof(got)) != sizeof(got))
			got = -1000;
	}
	close(fds[0]);
	return got;
}

TEST(sim_agrees_with_the_kernel)
{
	uint64_t seed = 7;
	unsigned killed = 0, total = 150;
	int host = cf_abi_host();

	for (unsigned round = 0; round < total; round++) {
		struct sock_filter p[64];
		size_t len = random_computation(&seed, p);
		struct seccomp_data d = {.nr = SYS_getppid};
		struct cf_error err;
		uint32_t sim;
		int want, got;

		d.arch = cf_abi_audit_arch(host);
		for (int i = 0; i < 6; i++)
			d.args[i] = round % 3 ? next_rand(&seed) << 20 |
						    next_rand(&seed)
					      : next_rand(&seed) % 5;
		if (cf_bpf_verify(p, len, &err)) {
			t_fail(__FILE__, __LINE__, "round %u: %s", round,
			       err.msg);
			continue;
		}
		sim = cf_bpf_run(p, len, &d, NULL);
		want = sim ? (int)(sim & 0xffff) : -SIGSYS;
		got = kernel_result(p, len, (const uint64_t *)d.args);
		killed += sim == 0;
		if (got != want)
			t_fail(__FILE__, __LINE__,
			       "round %u: interpreter %d, kernel %d", round,
			       want, got);
		else
			CHECK(true);
	}
	t_note("%u of %u programs divided by zero", killed, total);
}

/* A shift by X of 32 or more uses the low five bits of X, in the kernel,
 * in cf_bpf_run and in cf_bpf_alu (which inspect --pid's walk folds
 * constants with): a walk of its own that gave 0 told a different story
 * from the kernel. The program returns ERRNO(the shifted value) for
 * getppid. */
TEST(shift_by_x_of_32_or_more_uses_the_low_five_bits)
{
	static const struct {
		uint16_t op;
		uint32_t a, x, want;
	} cases[] = {
	    {BPF_LSH, 1, 32, 1},
	    {BPF_LSH, 8, 33, 16},
	    {BPF_LSH, 1, 0xffffffe7U, 128},
	    {BPF_RSH, 0x800, 35, 0x100},
	    {BPF_RSH, 0x80000000U, 63, 1},
	    {BPF_RSH, 0x40, 0xffffffe1U, 0x20},
	};
	const uint64_t args[6] = {0};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sock_filter p[] = {
		    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			     offsetof(struct seccomp_data, nr)),
		    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 1, 0),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		    BPF_STMT(BPF_LD | BPF_IMM, cases[i].a),
		    BPF_STMT(BPF_LDX | BPF_IMM, cases[i].x),
		    BPF_STMT(BPF_ALU | cases[i].op | BPF_X, 0),
		    BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
		    BPF_STMT(BPF_RET | BPF_A, 0),
		};
		struct seccomp_data d = {.nr = SYS_getppid};
		uint32_t a = cases[i].a;

		CHECK(cf_bpf_alu(cases[i].op, &a, cases[i].x));
		CHECK_EQ(a, cases[i].want);
		CHECK_EQ(cf_bpf_run(p, 8, &d, NULL),
			 SECCOMP_RET_ERRNO | cases[i].want);
		CHECK_EQ(kernel_result(p, 8, args), (int)cases[i].want);
	}
}
