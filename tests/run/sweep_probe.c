/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sweep_probe MARKER CAPEFF - the command of the bad-input sweep
 * (tests/test_sweep.c). Freestanding (no libc, built -nostdlib -static), so
 * the only system calls it makes are the ones below and the test can predict
 * each one's fate from the compiler's IR:
 *
 *   mkdir(MARKER, 0700)          the probe, and the proof the command ran
 *   open("/proc/self/status")    read its Seccomp: and CapEff: lines
 *   read, close
 *   exit_group(code), exit(code) then a fault if both are denied
 *
 * Exit code = 16 + (CapEff != CAPEFF) * 48 + seccomp * 8 + result, where
 * seccomp is the Seccomp: value (3: the file could not be read) and result
 * is mkdir's: 0 ok, 1 EPERM, 2 ENOSYS, 3 EACCES, 4 any other errno.
 * x86_64 only.
 */

#define SYS_read 0
#define SYS_open 2
#define SYS_close 3
#define SYS_exit 60
#define SYS_mkdir 83
#define SYS_exit_group 231

static long sys3(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static const char *find(const char *hay, long n, const char *key)
{
	for (long i = 0; i < n; i++) {
		long k = 0;

		while (key[k] && i + k < n && hay[i + k] == key[k])
			k++;
		if (!key[k])
			return hay + i + k;
	}
	return 0;
}

static int mkdir_result(long r)
{
	switch (r) {
	case 0:
		return 0;
	case -1:
		return 1; /* EPERM */
	case -38:
		return 2; /* ENOSYS */
	case -13:
		return 3; /* EACCES */
	default:
		return 4;
	}
}

__attribute__((used)) static void probe_main(long *sp)
{
	char **argv = (char **)(sp + 1);
	static char buf[8192];
	int result, seccomp = 3, capbad = 1;
	long fd, n = 0, r;

	if (sp[0] < 3)
		sys3(SYS_exit_group, 99, 0, 0);
	result = mkdir_result(sys3(SYS_mkdir, (long)argv[1], 0700, 0));
	fd = sys3(SYS_open, (long)"/proc/self/status", 0, 0);
	if (fd >= 0) {
		while (n < (long)sizeof(buf) &&
		       (r = sys3(SYS_read, fd, (long)buf + n,
				 (long)sizeof(buf) - n)) > 0)
			n += r;
		sys3(SYS_close, fd, 0, 0);
		const char *s = find(buf, n, "Seccomp:\t");
		const char *c = find(buf, n, "CapEff:\t");

		if (s && *s >= '0' && *s <= '2')
			seccomp = *s - '0';
		if (c) {
			const char *want = argv[2];
			long k = 0;

			while (want[k] && c[k] == want[k])
				k++;
			capbad = want[k] != 0 || c[k] != '\n';
		}
	}
	int code = 16 + capbad * 48 + seccomp * 8 + result;

	sys3(SYS_exit_group, code, 0, 0);
	sys3(SYS_exit, code, 0, 0);
	__builtin_trap();
}

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call probe_main\n"
	"	hlt\n");
