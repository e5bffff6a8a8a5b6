/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decision tables: tests/decisions/<name>.dt, one behaviour per row.
 *
 *   profile shared:fixtures/profiles/docker-default.json   (or a repo path)
 *   profile inline                                          (JSON up to "end")
 *   context native=x86_64 caps=default kernel=6.18 enosys=runc
 *   ABI SYSCALL|NR [A0..A5] -> ACTION                       (a vector)
 *   ABI SYSCALL ... -> ACTION nolive                        (interpreter only)
 *   reject MESSAGE-SUBSTRING                                (compile must fail)
 *
 * Each vector runs through the compiled program (cf_bpf_run) and the IR
 * (cf_filter_decide); x86_64 and x86 vectors then run on the real kernel in
 * a forked child (x86 through int $0x80). There the filter under test sits
 * on top of an older "marker" filter returning ERRNO(4000) for everything:
 * an ALLOW of the filter under test shows up as -4000 and no syscall ever
 * executes, while its ERRNO(n) wins (the newest filter wins ties) and its
 * KILL/TRAP kill the child with SIGSYS.
 */
#include "t.h"

#include "callfence.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARKER_ERRNO 4000

struct dt {
	const char *file;
	unsigned line;
	char *profile_text; /* malloc'd */
	char profile_name[256];
	struct cf_target t;
	struct cf_filter *f;
	bool compiled;
	unsigned vectors, live;
};

static void dt_diag(void *ctx, const struct cf_diag *d)
{
	(void)ctx;
	(void)d;
}

static bool parse_action(const char *s, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t base;
		bool data;
	} acts[] = {
	    {"ALLOW", 0x7fff0000U, false},
	    {"LOG", 0x7ffc0000U, false},
	    {"KILL_PROCESS", 0x80000000U, false},
	    {"KILL_THREAD", 0, false},
	    {"KILL", 0, false},
	    {"TRAP", 0x00030000U, false},
	    {"NOTIFY", 0x7fc00000U, false},
	    {"ERRNO", 0x00050000U, true},
	    {"TRACE", 0x7ff00000U, true},
	};

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		size_t n = strlen(acts[i].name);

		if (strncmp(s, acts[i].name, n))
			continue;
		if (!acts[i].data && s[n] == 0) {
			*out = acts[i].base;
			return true;
		}
		if (acts[i].data && s[n] == '(') {
			char *end;
			unsigned long v = strtoul(s + n + 1, &end, 0);

			if (*end != ')' || end[1] || v > 0xffff)
				return false;
			*out = acts[i].base | (uint32_t)v;
			return true;
		}
	}
	return false;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = 0;
		if (len)
			*len = (size_t)n;
	}
	return buf;
}

static void dt_reset(struct dt *d)
{
	cf_filter_free(d->f);
	d->f = NULL;
	d->compiled = false;
}

/* "context native=x86_64 caps=default kernel=6.18 enosys=runc" */
static bool dt_context(struct dt *d, char *args)
{
	struct cf_error err;
	char *tok, *save = NULL;

	dt_reset(d);
	cf_target_default(&d->t, &err);
	d->t.native = cf_abi_lookup("x86_64");
	d->t.kernel = 6 << 16 | 18;
	d->t.diag = dt_diag;
	for (tok = strtok_r(args, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *v = strchr(tok, '=');
		int rc = 0;

		if (!v)
			return false;
		*v++ = 0;
		if (!strcmp(tok, "native"))
			rc = (d->t.native = cf_abi_lookup(v)) < 0 ? -1 : 0;
		else if (!strcmp(tok, "caps"))
			rc = cf_caps_parse(v, &d->t.caps, &err);
		else if (!strcmp(tok, "kernel"))
			rc = cf_kernel_parse(v, &d->t.kernel, &err);
		else if (!strcmp(tok, "enosys"))
			d->t.enosys = !strcmp(v, "none") ? CF_ENOSYS_NONE
							 : CF_ENOSYS_RUNC;
		else
			return false;
		if (rc)
			return false;
	}
	return true;
}

static int dt_compile(struct dt *d, struct cf_error *err)
{
	struct cf_profile *p;
	int rc;

	if (d->compiled)
		return 0;
	rc = cf_profile_parse(d->profile_text, strlen(d->profile_text),
			      d->profile_name, &p, err);
	if (rc)
		return rc;
	rc = cf_compile(p, &d->t, &d->f, err);
	cf_profile_free(p);
	d->compiled = !rc;
	return rc;
}

static long raw_call(bool i386, long nr, const uint64_t *a)
{
	long ret;

	if (!i386)
		return syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
#if defined(__x86_64__)
	{
		/* i386 ABI through int $0x80: eax=nr, ebx ecx edx esi edi ebp;
		 * step over the red zone before touching the stack */
		register long r9 asm("r9") = (long)a[5];

		asm volatile("sub $128, %%rsp\n\t"
			     "push %%rbp\n\t"
			     "mov %%r9, %%rbp\n\t"
			     "int $0x80\n\t"
			     "pop %%rbp\n\t"
			     "add $128, %%rsp"
			     : "=a"(ret), "+r"(r9)
			     : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]),
			       "S"(a[3]), "D"(a[4])
			     : "memory", "cc", "r8", "r10", "r11");
		if (ret < 0 && ret > -4096) {
			errno = (int)-ret;
			ret = -1;
		}
	}
#else
	errno = ENOSYS;
	ret = -1;
#endif
	return ret;
}

static int install(const struct sock_filter *insns, size_t len)
{
	struct sock_fprog prog = {(unsigned short)len,
				  (struct sock_filter *)insns};

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* What the child saw: written to shared memory, since the child cannot
 * make a system call (not even exit) once both filters are in place. */
struct live_result {
	volatile int done;
	volatile int err; /* errno, 0 when the call returned >= 0 */
};

/* Child: marker filter, then the filter under test, then the call; the
 * parent reads the result and kills the child. */
static void live_child(const struct sock_filter *insns, size_t len, bool i386,
		       long nr, const uint64_t *a, struct live_result *res)
{
	/* lets seccomp(2) through, so that the filter under test can be
	 * installed on top of it */
	struct sock_filter marker[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_RET | BPF_K, 0x00050000U | MARKER_ERRNO),
	};
	long r;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || install(marker, 4) ||
	    install(insns, len))
		_exit(250);
	r = raw_call(i386, nr, a);
	res->err = r >= 0 ? 0 : errno;
	__atomic_store_n(&res->done, 1, __ATOMIC_SEQ_CST);
	for (;;)
		; /* no system call can end this process: the parent does */
}

/* Runs the child; returns its wait status, or -1 with *err set when it
 * reported a result. */
static int live_run(const struct sock_filter *insns, size_t len, bool i386,
		    long nr, const uint64_t *a, int *err)
{
	struct live_result *res =
	    mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = 0;
	pid_t pid;

	if (res == MAP_FAILED)
		return -2;
	memset(res, 0, sizeof(*res));
	pid = fork();
	if (pid == 0)
		live_child(insns, len, i386, nr, a, res);
	if (pid < 0) {
		munmap(res, sizeof(*res));
		return -2;
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (__atomic_load_n(&res->done, __ATOMIC_SEQ_CST)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			*err = res->err;
			status = -1;
			break;
		}
		sched_yield();
	}
	munmap(res, sizeof(*res));
	return status;
}

/* Does int $0x80 reach the kernel's i386 entry here? Some kernels are
 * built or booted without IA32 emulation: then it faults (SIGSEGV) before
 * seccomp sees anything, and i386 vectors run in the interpreter only. */
static bool i386_works(void)
{
	static int works = -1;
	uint64_t a[6] = {0};
	int status;
	pid_t pid;

	if (works >= 0)
		return works;
	pid = fork();
	if (pid == 0) {
		/* the default SIGSEGV action, set with the raw system call so
		 * that a sanitizer's handler does not report the probe */
		struct {
			void *handler;
			unsigned long flags;
			void *restorer;
			uint64_t mask;
		} dfl = {0};

		syscall(SYS_rt_sigaction, SIGSEGV, &dfl, NULL,
			sizeof(dfl.mask));
		_exit(raw_call(true, 20 /* getpid */, a) > 0 ? 0 : 1);
	}
	works = pid > 0 && waitpid(pid, &status, 0) == pid &&
		WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!works)
		t_note("int $0x80 does not work on this machine (no IA32 "
		       "emulation): i386 vectors run in the interpreter only");
	return works;
}

static bool want_live(const char *abi, const uint64_t *a, uint32_t expect)
{
	bool i386 = !strcmp(abi, "x86");

	if (strcmp(abi, "x86_64") && !i386)
		return false;
	if (i386 && !i386_works())
		return false;
	if ((expect & 0xffff0000U) == 0x7fc00000U)
		return false; /* NOTIFY: needs a listener */
	for (int i = 0; i < 6 && i386; i++)
		if (a[i] > 0xffffffffU)
			return false;
	return true;
}

static void dt_live(struct dt *d, const char *abi, long nr, const uint64_t *a,
		    uint32_t expect)
{
	size_t len;
	const struct sock_filter *insns = cf_filter_program(d->f, &len);
	uint32_t kind = expect & 0xffff0000U;
	int status, got_errno = 0;
	int want_errno = -1; /* -1: killed by SIGSYS */

	if (kind == 0x00050000U)
		want_errno = (int)(expect & 0xffff);
	else if (kind >= 0x7fc00000U && kind != 0x80000000U)
		want_errno = MARKER_ERRNO;
	status = live_run(insns, len, !strcmp(abi, "x86"), nr, a, &got_errno);
	if (status == -2) {
		t_fail(d->file, (int)d->line, "fork/mmap failed");
		return;
	}
	d->live++;
	if (want_errno < 0) {
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
			t_fail(d->file, (int)d->line,
			       "kernel: expected SIGSYS, got status 0x%x",
			       status);
		else
			t_check(true, "killed", d->file, (int)d->line);
		return;
	}
	if (status != -1) {
		t_fail(d->file, (int)d->line,
		       "kernel: expected errno %d, child ended (status 0x%x)",
		       want_errno, status);
		return;
	}
	if (got_errno != want_errno)
		t_fail(d->file, (int)d->line,
		       "kernel: expected errno %d, got %d", want_errno,
		       got_errno);
	else
		t_check(true, "kernel errno", d->file, (int)d->line);
}

static void dt_vector(struct dt *d, char *line)
{
	char *arrow = strstr(line, "->"), *tok, *save = NULL;
	char abi[32], act[64], flag[16] = "";
	uint64_t a[6] = {0};
	struct seccomp_data sd = {0};
	struct cf_decision dec;
	struct cf_error err;
	int abi_i, n = 0;
	uint32_t expect, got;
	long nr;
	char buf[64], buf2[64];

	if (!arrow || sscanf(arrow + 2, "%63s %15s", act, flag) < 1 ||
	    !parse_action(act, &expect)) {
		t_fail(d->file, (int)d->line, "bad vector line");
		return;
	}
	*arrow = 0;
	tok = strtok_r(line, " \t", &save);
	snprintf(abi, sizeof(abi), "%s", tok ? tok : "");
	abi_i = cf_abi_lookup(abi);
	tok = strtok_r(NULL, " \t", &save);
	if (abi_i < 0 || !tok) {
		t_fail(d->file, (int)d->line, "bad ABI or syscall");
		return;
	}
	if (isdigit((unsigned char)tok[0]))
		nr = (long)strtoull(tok, NULL, 0);
	else if ((nr = (long)cf_syscall_number(abi_i, tok)) < 0) {
		t_fail(d->file, (int)d->line, "'%s' not on %s", tok, abi);
		return;
	}
	while ((tok = strtok_r(NULL, " \t", &save)) && n < 6)
		a[n++] = strtoull(tok, NULL, 0);
	if (dt_compile(d, &err)) {
		t_fail(d->file, (int)d->line, "compile: %s",
		       cf_error_str(&err, buf, sizeof(buf)));
		return;
	}
	sd.nr = (int)nr;
	sd.arch = cf_abi_audit_arch(abi_i);
	memcpy(sd.args, a, sizeof(a));
	d->vectors++;
	if (cf_filter_unconfined(d->f)) {
		got = 0x7fff0000U;
	} else {
		size_t len;
		const struct sock_filter *p = cf_filter_program(d->f, &len);

		got = cf_bpf_run(p, len, &sd, NULL);
	}
	if (got != expect)
		t_fail(d->file, (int)d->line, "program: %s, expected %s",
		       cf_action_str(got, buf, sizeof(buf)),
		       cf_action_str(expect, buf2, sizeof(buf2)));
	cf_filter_decide(d->f, &sd, &dec);
	if (dec.action != expect)
		t_fail(d->file, (int)d->line, "IR: %s, expected %s",
		       cf_action_str(dec.action, buf, sizeof(buf)),
		       cf_action_str(expect, buf2, sizeof(buf2)));
	else
		t_check(true, "decision", d->file, (int)d->line);
	if (strcmp(flag, "nolive") && !cf_filter_unconfined(d->f) &&
	    want_live(abi, a, expect))
		dt_live(d, abi, nr, a, expect);
}

static void dt_reject(struct dt *d, const char *needle)
{
	struct cf_error err;
	char buf[1024];

	dt_reset(d);
	if (!dt_compile(d, &err)) {
		t_fail(d->file, (int)d->line, "accepted, expected rejection");
		return;
	}
	CHECK_CONTAINS(cf_error_str(&err, buf, sizeof(buf)), needle);
}

static bool dt_profile(struct dt *d, FILE *f, char *arg)
{
	char line[4096];
	size_t cap = 0, len = 0;

	dt_reset(d);
	free(d->profile_text);
	d->profile_text = NULL;
	if (!strncmp(arg, "shared:", 7)) {
		const char *dir = t_shared();
		char path[4096];

		if (!dir)
			return false;
		snprintf(path, sizeof(path), "%s/%s", dir, arg + 7);
		snprintf(d->profile_name, sizeof(d->profile_name), "%s", path);
		d->profile_text = read_file(path, NULL);
		return d->profile_text != NULL;
	}
	if (strcmp(arg, "inline")) {
		snprintf(d->profile_name, sizeof(d->profile_name), "%s", arg);
		d->profile_text = read_file(arg, NULL);
		return d->profile_text != NULL;
	}
	snprintf(d->profile_name, sizeof(d->profile_name), "%s:%u", d->file,
		 d->line + 1);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		d->line++;
		if (!strcmp(line, "end\n"))
			return d->profile_text != NULL;
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			d->profile_text = realloc(d->profile_text, cap);
			if (!d->profile_text)
				return false;
		}
		memcpy(d->profile_text + len, line, n + 1);
		len += n;
	}
	return false;
}

static void run_dt(const char *path)
{
	struct dt d = {.file = path};
	char line[4096];
	FILE *f = fopen(path, "re");

	if (!f) {
		t_fail(path, 0, "cannot open");
		return;
	}
	{
		char ctx[] = "";

		dt_context(&d, ctx);
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *nl = strchr(line, '\n');

		d.line++;
		if (nl)
			*nl = 0;
		if (strchr(s, '#'))
			*strchr(s, '#') = 0;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			continue;
		if (!strncmp(s, "profile ", 8)) {
			if (!dt_profile(&d, f, s + 8)) {
				if (strncmp(s + 8, "shared:", 7))
					t_fail(path, (int)d.line,
					       "bad profile");
				break;
			}
		} else if (!strncmp(s, "context", 7)) {
			if (!dt_context(&d, s + 7))
				t_fail(path, (int)d.line, "bad context");
		} else if (!strncmp(s, "reject ", 7)) {
			dt_reject(&d, s + 7);
		} else {
			dt_vector(&d, s);
		}
	}
	fclose(f);
	t_note("%s: %u vectors, %u on the kernel", path, d.vectors, d.live);
	dt_reset(&d);
	free(d.profile_text);
}

TEST(decision_tables)
{
	DIR *dir = opendir("tests/decisions");
	struct dirent *e;
	char *names[256];
	size_t n = 0;

	if (!CHECK(dir != NULL))
		return;
	while ((e = readdir(dir)) && n < 256) {
		size_t l = strlen(e->d_name);

		if (l > 3 && !strcmp(e->d_name + l - 3, ".dt"))
			names[n++] = strdup(e->d_name);
	}
	closedir(dir);
	CHECK(n > 0);
	for (size_t i = 0; i < n; i++) {
		char path[512];

		snprintf(path, sizeof(path), "tests/decisions/%s", names[i]);
		run_dt(path);
		free(names[i]);
	}
}
