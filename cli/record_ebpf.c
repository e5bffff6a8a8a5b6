/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_ebpf.c - the eBPF recorder (record_ebpf.h) and the `ebpf` backend
 * of `callfence record -- COMMAND`.
 *
 * The backend: load and attach the recorder (nothing followed yet) ->
 * start a child sharing memory (clone: CLONE_VM | CLONE_VFORK, a stack of
 * its own) that follows itself (its bit set in the mapped bitmap, no
 * system call): its next call is execve, the first one counted -> wait for
 * every descendant (callfence is their subreaper, so orphans come back to
 * it) -> detach and read the counts. The kernel side (ebpf/record.bpf.c) counts
 * per (ABI, number) in per-CPU arrays and counts whatever it could not
 * follow; any such loss fails the recording (record.h: res->lost).
 *
 * Built only with CF_HAVE_EBPF (the Makefile found clang, bpftool, libbpf
 * and BTF); otherwise every entry point says "not built in".
 */
#include "record_ebpf.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* = REC_ARG_KEEP of ebpf/record_maps.h (which needs the BPF types) */
#define RE_ARG_KEEP 257

void rec_ebpf_print_counts(const char *prefix, const struct rec_ebpf_counts *c)
{
	fprintf(stderr,
		"%s: ebpf: %llu calls, %llu processes, %llu threads; lost: "
		"%llu processes, %llu calls, %llu exits, %llu argument values",
		prefix, (unsigned long long)c->calls,
		(unsigned long long)c->processes,
		(unsigned long long)c->threads,
		(unsigned long long)c->lost_tasks,
		(unsigned long long)c->lost_calls,
		(unsigned long long)c->lost_exits,
		(unsigned long long)c->lost_args);
	if (c->clone3_unread)
		fprintf(stderr,
			" (%llu of them clone3 structs that could not be "
			"read)",
			(unsigned long long)c->clone3_unread);
	if (c->args_overflowed)
		fprintf(stderr,
			"; %llu arguments took more than %d distinct values "
			"(no condition; a flag word: no bit outside their "
			"union)",
			(unsigned long long)c->args_overflowed, RE_ARG_KEEP);
	if (c->unnumbered)
		fprintf(stderr,
			"; %llu calls with a number past every table "
			"(stay denied)",
			(unsigned long long)c->unnumbered);
	fputc('\n', stderr);
}

static volatile sig_atomic_t re_interrupted;

static void re_on_signal(int sig)
{
	(void)sig;
	re_interrupted = 1;
}

/* Installs (or, with old, restores) the handlers of the wait. */
static void re_wait_signals(struct sigaction *old, bool install)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = re_on_signal; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < CF_ARRAY_LEN(sigs); i++) {
		if (install)
			sigaction(sigs[i], &sa, &old[i]);
		else
			sigaction(sigs[i], &old[i], NULL);
	}
}

static double re_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int rec_ebpf_wait_pid(pid_t pid, double seconds)
{
	struct sigaction old[3];
	double end = re_now() + seconds;
	int fd, rc = -1, e = 0;

	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ESRCH ? 1 : -1;
	re_interrupted = 0;
	re_wait_signals(old, true);
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		double left = end - re_now();
		int ms = seconds <= 0  ? -1
			 : left > 3600 ? 3600000
				       : (int)(left * 1000) + 1;
		int n;

		if (re_interrupted) {
			rc = 2;
			break;
		}
		if (seconds > 0 && left <= 0) {
			rc = 0;
			break;
		}
		n = poll(&p, 1, ms);
		if (n > 0) {
			rc = 1;
			break;
		}
		if (n < 0 && errno != EINTR) {
			e = errno;
			break;
		}
	}
	re_wait_signals(old, false);
	close(fd);
	errno = e;
	return rc;
}

#ifndef CF_HAVE_EBPF

static const char re_not_built[] =
    "the eBPF recorder is not built in (this build found no clang, "
    "bpftool, libbpf or kernel BTF, or is not for x86-64)";

bool rec_ebpf_built(void)
{
	return false;
}

int rec_ebpf_open(const struct rec_ebpf_target *t, struct rec_ebpf **out,
		  char *why, size_t whylen)
{
	(void)t;
	*out = NULL;
	snprintf(why, whylen, "%s", re_not_built);
	return -1;
}

int rec_ebpf_follow(struct rec_ebpf *r, pid_t pid, char *why, size_t whylen)
{
	(void)r;
	(void)pid;
	snprintf(why, whylen, "%s", re_not_built);
	return -1;
}

int rec_ebpf_stop(struct rec_ebpf *r, struct cf_record *obs,
		  struct rec_result *res, struct rec_ebpf_counts *counts)
{
	(void)r;
	(void)obs;
	if (counts)
		memset(counts, 0, sizeof(*counts));
	snprintf(res->why, sizeof(res->why), "%s", re_not_built);
	return -1;
}

void rec_ebpf_close(struct rec_ebpf *r)
{
	(void)r;
}

static int re_run(char *const *argv, struct cf_record *obs,
		  struct rec_result *res)
{
	(void)argv;
	(void)obs;
	(void)res;
	cli_errorf("%s: use --backend ptrace", re_not_built);
	return -1;
}

#else /* CF_HAVE_EBPF */

#include <linux/bpf.h>
#include <linux/types.h>

#include "record_maps.h"
/* (after record_maps.h; callfence makes the bpf() calls itself and does
 * not link libbpf, whose libbpf.so, libelf.so and libz.so every command
 * would otherwise load) */
#include "record_ebpf_load.h"

_Static_assert(RE_ARG_KEEP == REC_ARG_KEEP, "record_maps.h: REC_ARG_KEEP");

#define RE_BTF "/sys/kernel/btf/vmlinux"
#define RE_PID_MAX "/proc/sys/kernel/pid_max"
#define RE_POSSIBLE_CPUS "/sys/devices/system/cpu/possible"

/* --args: a call whose arguments are recorded; its slots are
 * 6 * (its index) + argument */
struct re_argcall {
	int abi;     /* the library's ABI index */
	uint32_t nr; /* as the library numbers it (x32: with bit 30) */
};

struct rec_ebpf {
	struct re_bpf bpf;
	uint64_t *pids; /* the tasks bitmap, mapped */
	size_t pids_len;
	uint64_t followed; /* processes added by rec_ebpf_follow */
	uint64_t no_calls; /* rec_no_calls of the program, read back */
	bool args;
	size_t ncalls; /* --args: calls in argcalls */
	struct re_argcall argcalls[REC_ARG_SLOTS / 6];
};

bool rec_ebpf_built(void)
{
	return true;
}

static const char *re_hint(int e)
{
	if (e == EPERM || e == EACCES)
		return " (needs root: CAP_BPF and CAP_PERFMON, or "
		       "CAP_SYS_ADMIN)";
	if (e == EINVAL || e == ENOENT || e == ENOTSUP)
		return " (the recorder needs Linux 5.17 or later with BTF: "
		       "the kernel relocates and loads it)";
	return "";
}

/* For tests of the loss path (tests/live/record-ebpf.sh): room for N
 * followed processes only, so that it fills. */
static uint32_t re_test_max_tasks(void)
{
	const char *v = getenv("CALLFENCE_TEST_EBPF_MAX_TASKS");
	long n = v ? strtol(v, NULL, 10) : 0;

	return n > 0 && n < REC_MAX_PIDS ? (uint32_t)n : 0;
}

/* The library's index of each ABI of the BPF side, -1 if it has none. */
static void re_abis(int *abis)
{
	abis[REC_BPF_ABI_X86_64] = cf_abi_lookup("x86_64");
	abis[REC_BPF_ABI_I386] = cf_abi_lookup("x86");
	abis[REC_BPF_ABI_X32] = cf_abi_lookup("x32");
}

/* The spec of call nr (library numbering) on library ABI abi, from the
 * library (which arguments, their widths); false when none is recorded. */
static bool re_argspec(int abi, uint32_t nr, struct rec_argspec *sp)
{
	const char *name;

	memset(sp, 0, sizeof(*sp));
	sp->mask = (uint8_t)cf_record_arg_mask(abi, nr);
	if (!sp->mask)
		return false;
	for (unsigned a = 0; a < 6; a++)
		if (cf_record_arg_bits(abi, nr, a) == 32)
			sp->is32 |= (uint8_t)(1U << a);
	name = cf_syscall_name(abi, nr);
	sp->clone3 = name && !strcmp(name, "clone3");
	return true;
}

/* Maps len bytes of the BPF_F_MMAPABLE array fd; NULL on failure. */
static void *re_mmap(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* --args, once loaded: which arguments of which calls the kernel side
 * records (the library decides) and a slot for each, into the argspecs
 * map (mapped). 0 or -errno. */
static int re_setup_args(struct rec_ebpf *r)
{
	size_t len = REC_BPF_ABIS * REC_NR_SLOTS * sizeof(struct rec_argspec);
	struct rec_argspec *specs =
	    re_mmap(r->bpf.map_fd[RG_MAP_ARGSPECS], len);
	int abis[REC_BPF_ABIS], rc = 0;

	if (!specs)
		return -errno;
	re_abis(abis);
	for (uint32_t abi = 0; abi < REC_BPF_ABIS; abi++) {
		for (uint32_t nr = 0;
		     rc == 0 && abis[abi] >= 0 && nr < REC_NR_SLOTS; nr++) {
			uint32_t lnr =
			    abi == REC_BPF_ABI_X32 ? nr | REC_X32_BIT : nr;
			struct rec_argspec sp;

			if (!re_argspec(abis[abi], lnr, &sp))
				continue;
			if (r->ncalls == CF_ARRAY_LEN(r->argcalls)) {
				rc = -E2BIG;
				break;
			}
			sp.slot = (uint16_t)(6 * r->ncalls);
			r->argcalls[r->ncalls++] =
			    (struct re_argcall){abis[abi], lnr};
			specs[abi * REC_NR_SLOTS + nr] = sp;
		}
	}
	munmap(specs, len);
	return rc;
}

/* The number in a small /proc or /sys file (its first field), or dflt. */
static long re_read_number(const char *path, long dflt)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	long v;
	char *end;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return dflt;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	return end == buf ? dflt : v;
}

/* The words of the bitmap of followed processes: a bit for every pid
 * below the host's pid_max (at most REC_MAX_PIDS, the kernel's limit).
 * A pid_max raised during the recording can only make processes lost
 * (counted), never missed silently. */
static uint32_t re_pid_words(void)
{
	long n = re_read_number(RE_PID_MAX, REC_MAX_PIDS);

	if (n <= 0 || n > REC_MAX_PIDS)
		n = REC_MAX_PIDS;
	return (uint32_t)((n + 63) / 64);
}

/* The number of possible CPUs ("0-N" in RE_POSSIBLE_CPUS: x86's possible
 * CPUs are numbered from 0 without holes), the rows of a per-CPU value. */
static int re_possible_cpus(void)
{
	char buf[256];
	int fd = open(RE_POSSIBLE_CPUS, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	int last = -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* the highest number in a list of ranges "0-3,8-11" */
	for (char *p = buf; *p;) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9') {
			p++;
			continue;
		}
		v = strtoul(p, &end, 10);
		if (v < 65536 && (int)v > last)
			last = (int)v;
		p = end;
	}
	return last < 0 ? -EIO : last + 1;
}

/* bpf(2) on one element: lookup (cmd BPF_MAP_LOOKUP_ELEM), update,
 * next key. 0 or -errno. */
static int re_map_op(int cmd, int fd, const void *key, void *value,
		     uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	if (cmd == BPF_MAP_GET_NEXT_KEY)
		a.next_key = (uint64_t)(uintptr_t)value;
	else
		a.value = (uint64_t)(uintptr_t)value;
	a.flags = flags;
	int rc = re_bpf_sys(cmd, &a);

	return rc < 0 ? rc : 0;
}

/* The loader's inputs that depend on the recording: the read-only data
 * (scope, --args) and the size of the bitmap (the loader sizes the maps
 * of --args by it too). */
static void re_configure(struct re_config *c, const struct rec_ebpf_target *t)
{
	memset(c, 0, sizeof(*c));
	c->scope = (uint32_t)t->scope;
	c->mntns = t->mntns;
	c->args = t->args;
	c->test_max_new = re_test_max_tasks();
	c->pid_words = re_pid_words();
}

/* Maps the bitmap of followed processes (BPF_F_MMAPABLE) into r->pids. */
static int re_map_pids(struct rec_ebpf *r, uint32_t words)
{
	size_t len = (size_t)words * sizeof(uint64_t);
	void *p = re_mmap(r->bpf.map_fd[RG_MAP_TASKS], len);

	if (!p)
		return -1;
	r->pids = p;
	r->pids_len = len;
	return 0;
}

int rec_ebpf_open(const struct rec_ebpf_target *t, struct rec_ebpf **out,
		  char *why, size_t whylen)
{
	struct rec_ebpf *r;
	struct re_config c;
	const char *step = "map the process bitmap of";
	char load_why[256];
	int e;

	*out = NULL;
	if (access(RE_BTF, R_OK) < 0) {
		snprintf(why, whylen,
			 "the kernel has no BTF (" RE_BTF ": %s); CO-RE "
			 "needs CONFIG_DEBUG_INFO_BTF",
			 strerror(errno));
		return -1;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(why, whylen, "%s", strerror(ENOMEM));
		return -1;
	}
	re_configure(&c, t);
	r->args = t->args;
	e = re_bpf_load(&r->bpf, &c, load_why, sizeof(load_why));
	if (e < 0) {
		snprintf(why, whylen, "cannot load the BPF program: %s%s",
			 load_why, re_hint(-e));
		rec_ebpf_close(r);
		return -1;
	}
	errno = 0;
	if (re_map_pids(r, c.pid_words) < 0)
		goto fail;
	step = "set up argument recording for";
	if (r->args && (errno = -re_setup_args(r)) != 0)
		goto fail;
	step = "attach";
	if ((errno = -re_bpf_attach(&r->bpf)) != 0)
		goto fail;
	*out = r;
	return 0;
fail:
	e = errno ? errno : EINVAL;
	snprintf(why, whylen, "cannot %s the BPF program: %s%s", step,
		 strerror(e), re_hint(e));
	rec_ebpf_close(r);
	return -1;
}

/* Sets pid's bit in the bitmap of followed processes: 1 if it was not
 * set, 0 if it was, -1 past the bitmap. No system call: the held child
 * (re_spawn) follows itself with it. */
static int re_mark(struct rec_ebpf *r, pid_t pid)
{
	uint32_t tgid = (uint32_t)pid;
	uint64_t bit = 1ULL << (tgid % 64);

	if (pid <= 0 || tgid / 64 >= r->pids_len / sizeof(uint64_t))
		return -1;
	/* the kernel side sets bits of the same word: atomically */
	return !(__atomic_fetch_or(&r->pids[tgid / 64], bit, __ATOMIC_SEQ_CST) &
		 bit);
}

int rec_ebpf_follow(struct rec_ebpf *r, pid_t pid, char *why, size_t whylen)
{
	int rc = re_mark(r, pid);

	if (rc < 0) {
		snprintf(why, whylen,
			 "cannot follow process %d: past pid_max as it was "
			 "when the recorder was loaded",
			 (int)pid);
		return -1;
	}
	r->followed += (uint64_t)rc;
	return 0;
}

void rec_ebpf_close(struct rec_ebpf *r)
{
	if (!r)
		return;
	if (r->pids)
		munmap(r->pids, r->pids_len);
	re_bpf_close(&r->bpf);
	free(r);
}

/* The one entry of a per-CPU map whose value is size bytes (a multiple of
 * 8, as the kernel lays out per-CPU values): ncpu copies, in a buffer
 * the caller frees; NULL with *rc on failure. */
static void *re_percpu(int fd, size_t size, int ncpu, int *rc)
{
	uint32_t key = 0;
	void *v = calloc((size_t)ncpu, size);

	*rc = v ? re_map_op(BPF_MAP_LOOKUP_ELEM, fd, &key, v, 0) : -ENOMEM;
	if (*rc == 0)
		return v;
	free(v);
	return NULL;
}

/* The counters, summed over the CPUs' copies pc[0..ncpu), into c. */
static void re_sum_counters(const struct rec_ebpf *r,
			    const struct rec_calls *pc, int ncpu,
			    struct rec_ebpf_counts *c)
{
	uint64_t sum[REC_CNTS] = {0};

	for (int i = 0; i < ncpu; i++)
		for (int k = 0; k < REC_CNTS; k++)
			sum[k] += pc[i].cnt[k];
	c->processes = sum[REC_CNT_PROCESSES] + r->followed;
	c->threads = sum[REC_CNT_THREADS];
	c->unnumbered = sum[REC_CNT_UNNUMBERED];
	c->lost_tasks = sum[REC_CNT_LOST_TASKS];
	c->lost_calls = sum[REC_CNT_LOST_CALLS] + r->no_calls;
	c->lost_exits = sum[REC_CNT_LOST_EXITS];
	c->clone3_unread = sum[REC_CNT_CLONE3_UNREAD];
	c->lost_args = sum[REC_CNT_LOST_ARGS] + c->clone3_unread;
}

/* value of slot into obs */
static int re_add_value(struct rec_ebpf *r, struct cf_record *obs,
			uint32_t slot, uint64_t value)
{
	const struct re_argcall *call = &r->argcalls[slot / 6];

	if (slot / 6 >= r->ncalls)
		return -EPROTO;
	return cf_record_add_arg(obs, call->abi, call->nr, slot % 6, value);
}

/* --args: every value kept into obs; a slot that overflowed (on any CPU)
 * also adds the union of all its values over the CPUs (the library,
 * which got more values than it keeps, then knows every bit a flag word
 * used). */
static int re_read_args(struct rec_ebpf *r, const struct rec_calls *pc,
			int ncpu, struct cf_record *obs,
			struct rec_ebpf_counts *c)
{
	int fd = r->bpf.map_fd[RG_MAP_ARGVALS], rc = 0;
	struct rec_argkey k, next;
	const void *prev = NULL;

	while (rc == 0 &&
	       re_map_op(BPF_MAP_GET_NEXT_KEY, fd, prev, &next, 0) == 0) {
		k = next;
		prev = &k;
		rc = re_add_value(r, obs, k.slot, k.value);
	}
	for (uint32_t s = 0; rc == 0 && s < 6 * r->ncalls; s++) {
		struct rec_argstat st = {0, 0};

		for (int i = 0; i < ncpu; i++) {
			st.bits |= pc[i].arg[s].bits;
			st.overflow |= pc[i].arg[s].overflow;
		}
		if (st.overflow) {
			c->args_overflowed++;
			rc = re_add_value(r, obs, s, st.bits);
		}
	}
	return rc;
}

/* Every non-zero count of the CPUs' copies pc[0..ncpu) into obs; a count
 * on an ABI the library lacks is lost (c->lost_calls). */
static int re_add_calls(const struct rec_calls *pc, int ncpu,
			struct cf_record *obs, struct rec_ebpf_counts *c)
{
	int abis[REC_BPF_ABIS], rc = 0;

	re_abis(abis);
	for (uint32_t key = 0; rc == 0 && key < CF_ARRAY_LEN(pc->n); key++) {
		uint32_t abi = key / REC_NR_SLOTS, nr = key % REC_NR_SLOTS;
		uint64_t n = 0;

		for (int i = 0; i < ncpu; i++)
			n += pc[i].n[key];
		if (!n)
			continue;
		c->calls += n;
		if (abis[abi] < 0) {
			c->lost_calls += n;
			continue;
		}
		rc = cf_record_add(
		    obs, abis[abi],
		    abi == REC_BPF_ABI_X32 ? nr | REC_X32_BIT : nr, n);
	}
	return rc;
}

/* Everything the kernel side counted, from one read of the per-CPU
 * struct, into obs and c. 0 or -errno. */
static int re_read(struct rec_ebpf *r, struct cf_record *obs,
		   struct rec_ebpf_counts *c)
{
	int ncpu = re_possible_cpus(), rc = ncpu < 0 ? ncpu : 0;
	struct rec_calls *pc = NULL;

	if (rc == 0)
		rc = re_bpf_no_calls(&r->bpf, &r->no_calls);
	if (rc == 0)
		pc = re_percpu(r->bpf.map_fd[RG_MAP_CALLS], sizeof(*pc), ncpu,
			       &rc);
	if (!pc)
		return rc;
	re_sum_counters(r, pc, ncpu, c);
	rc = re_add_calls(pc, ncpu, obs, c);
	if (rc == 0 && r->args)
		rc = re_read_args(r, pc, ncpu, obs, c);
	free(pc);
	return rc;
}

static void re_result(const struct rec_ebpf_counts *c, struct rec_result *res)
{
	res->events += c->calls;
	res->tasks += c->processes + c->threads;
	if (!c->lost_tasks && !c->lost_calls && !c->lost_exits && !c->lost_args)
		return;
	res->lost = true;
	snprintf(
	    res->why, sizeof(res->why),
	    "the eBPF recorder lost %llu processes, %llu calls, %llu "
	    "exits and %llu argument values (maps full or busy%s)",
	    (unsigned long long)c->lost_tasks,
	    (unsigned long long)c->lost_calls,
	    (unsigned long long)c->lost_exits, (unsigned long long)c->lost_args,
	    c->clone3_unread ? ", or a clone3 struct it could not read" : "");
}

int rec_ebpf_stop(struct rec_ebpf *r, struct cf_record *obs,
		  struct rec_result *res, struct rec_ebpf_counts *counts)
{
	struct rec_ebpf_counts c;
	int rc;

	memset(&c, 0, sizeof(c));
	re_bpf_detach(&r->bpf);
	rc = re_read(r, obs, &c);
	rec_ebpf_close(r);
	if (counts)
		*counts = c;
	if (rc < 0) {
		snprintf(res->why, sizeof(res->why),
			 "cannot read the eBPF maps: %s", strerror(-rc));
		return -1;
	}
	re_result(&c, res);
	return 0;
}

/* Reaps every descendant (callfence is their subreaper); the command's
 * status into res. */
static void re_reap(pid_t child, struct rec_result *res)
{
	int st;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &st, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		if (pid == child)
			res->exit_code = cf_run_exit_code(st);
	}
}

/* The held child and its parent share memory (CLONE_VM | CLONE_VFORK)
 * until the child execs or exits: what the child reports is written
 * here. */
struct re_spawn {
	char *const *argv;
	struct rec_ebpf *r;
	int exec_errno;	 /* execve's errno; 0: it ran */
	bool unfollowed; /* its pid was past the bitmap: not run */
};

/* The child, on a stack of its own, its parent suspended: signals to the
 * parent go to it from now on; it follows itself (a bit set in the mapped
 * bitmap, no system call), so its next call, the first one counted, is
 * execve. */
static int re_child(void *arg)
{
	struct re_spawn *s = arg;
	pid_t self = getpid();

	/* this process: default handling (a forwarding handler here would
	 * send a signal sent to it back to itself, over and over, before
	 * its execve); the parent's handlers, in the memory shared until
	 * then: pass signals on to this pid */
	rec_forward_signals(0);
	rec_forward_to(self);
	if (re_mark(s->r, self) < 0) {
		s->unfollowed = true;
		_exit(CF_RUN_EXIT_FAILED);
	}
	execvp(s->argv[0], s->argv);
	s->exec_errno = errno;
	_exit(s->exec_errno == ENOENT ? CF_RUN_EXIT_NOT_FOUND
				      : CF_RUN_EXIT_CANNOT_RUN);
}

/* Starts the command followed from its execve: clone with CLONE_VM and
 * CLONE_VFORK (what vfork does, and glibc's posix_spawn), so neither the
 * page tables of callfence are copied for a child that only execs, nor
 * callfence's pages copied on write afterwards; unlike vfork, the child
 * runs on a stack of its own, where calling functions is defined. The
 * stack: room for execvp's copy of argv (a script's interpreter line)
 * and its PATH search; pages never touched cost nothing. Its pid, or -1
 * (errno). */
static pid_t re_spawn(struct re_spawn *s)
{
	size_t argc = 0, size;
	char *stack;
	pid_t pid;
	int e;

	while (s->argv[argc])
		argc++;
	/* whole pages: the top, where the stack starts, stays aligned */
	size =
	    (256 * 1024 + (argc + 2) * sizeof(char *) + 4095) & ~(size_t)4095;
	stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	pid =
	    clone(re_child, stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD, s);
	e = errno;
	munmap(stack, size);
	errno = e;
	return pid;
}

static int re_run(char *const *argv, struct cf_record *obs,
		  struct rec_result *res)
{
	struct rec_ebpf_target t = {.scope = REC_EBPF_TREE, .args = res->args};
	struct rec_ebpf_counts c;
	struct re_spawn s = {.argv = argv};
	char why[256];
	pid_t pid;

	if (rec_ebpf_open(&t, &s.r, why, sizeof(why)) < 0) {
		cli_errorf("cannot record with eBPF: %s (--backend ptrace "
			   "works without it)",
			   why);
		return -1;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	rec_forward_signals(-1);
	pid = re_spawn(&s);
	if (pid < 0 || s.unfollowed) {
		if (pid < 0)
			cli_errorf("cannot start the command: %s",
				   strerror(errno));
		else
			cli_errorf("recording failed: cannot follow process "
				   "%d: past pid_max as it was when the "
				   "recorder was loaded",
				   (int)pid);
		re_reap(pid, res);
		rec_forward_signals(0);
		rec_ebpf_close(s.r);
		return -1;
	}
	s.r->followed++;
	re_reap(pid, res);
	rec_forward_signals(0);
	res->exec_errno = s.exec_errno;
	if (rec_ebpf_stop(s.r, obs, res, &c) < 0) {
		cli_errorf("recording failed: %s", res->why);
		return -1;
	}
	rec_ebpf_print_counts("callfence record", &c);
	return 0;
}

#endif /* CF_HAVE_EBPF */

const struct rec_backend rec_backend_ebpf = {"ebpf", re_run};
