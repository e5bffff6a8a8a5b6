/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cf-bench - callfence against libseccomp, side by side (make bench).
 *
 *   cf-bench compile cf|lin|tree PROFILE [MAX_REPS [BUDGET_MS]]
 *       end-to-end compile time, JSON text -> loadable program
 *   cf-bench stages PROFILE [REPS]
 *       where a compile's time goes: cold, end to end, target cached, per
 *       stage, page faults (bench/stages.c)
 *   cf-bench prog PROFILE MIX.tsv
 *       program length, instructions executed, the kernel's cache
 *   cf-bench kernel PROFILE [ROUNDS]
 *       ns per syscall under each program, installed in forked children
 *   cf-bench start [ROUNDS]
 *       what `callfence run` adds for the built-in profile, piece by piece,
 *       each round in a fresh child: target, profile, compile, attach
 *   cf-bench dump cf|lin|tree PROFILE
 *       disassembly of one program
 *   cf-bench selftest [PROFILE]
 *       checks the cache emulation (bench/selftest.c)
 *   cf-bench corpus PROFILE [cf|lsc]
 *       lengths and worst argument-checked paths of every program for one
 *       profile of the corpus (bench/corpus.c, bench/corpus.py)
 *
 * Output is "key<TAB>value" lines for bench/run.py; nothing here judges a
 * number against a goal.
 */
#include "bench.h"
#include "callfence.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#define NPROGS 3
static const char *const prog_names[NPROGS] = {"lin", "tree", "cf"};

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "cf-bench: %s: %s\n", what, msg);
	exit(1);
}

/* ---- compiling -------------------------------------------------------- */

/* JSON text -> program through callfence's public API. What a timed run
 * contains: cf_profile_parse of the text already in memory (the file is
 * read once, outside), cf_target_default in every run (uname(2) and
 * Docker's default capabilities: a runtime could keep it; `cf-bench
 * stages` shows that figure too), cf_compile (resolve, IR, code, verify),
 * cf_filter_program, cf_filter_free and cf_profile_free. Only the first
 * run copies the program out. */
int bench_cf_compile(const char *json, size_t len, const char *file,
		     bool no_enosys, struct prog *out, char *msg, size_t msgsz)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	const struct sock_filter *insns;
	int rc;

	rc = cf_profile_parse(json, len, file, &p, &err);
	if (rc == 0)
		rc = cf_target_default(&t, &err);
	if (no_enosys)
		t.enosys = CF_ENOSYS_NONE;
	if (rc == 0)
		rc = cf_compile(p, &t, &f, &err);
	if (rc == 0 && cf_filter_unconfined(f)) {
		snprintf(err.msg, sizeof(err.msg), "profile means unconfined");
		err.file[0] = err.pointer[0] = '\0';
		err.line = err.col = 0;
		rc = -EINVAL;
	}
	if (rc == 0 && out) {
		insns = cf_filter_program(f, &out->len);
		out->insns = malloc(out->len * sizeof(*insns));
		if (!out->insns)
			abort();
		memcpy(out->insns, insns, out->len * sizeof(*insns));
	}
	if (rc < 0 && msg)
		cf_error_str(&err, msg, msgsz);
	cf_filter_free(f);
	cf_profile_free(p);
	return rc;
}

static int compile_one(const char *which, const char *json, size_t len,
		       const char *file, struct prog *out, char *msg,
		       size_t msgsz)
{
	struct prog tmp;
	int rc;

	if (strcmp(which, "cf") == 0)
		return bench_cf_compile(json, len, file, false, out, msg,
					msgsz);
	rc = lsc_compile(json, len,
			 strcmp(which, "tree") == 0 ? LSC_TREE : LSC_LINEAR,
			 &tmp.insns, &tmp.len, msg, msgsz);
	if (rc == 0 && out)
		*out = tmp;
	else
		free(tmp.insns);
	return rc;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Times compiles until max_reps or the budget is spent (at least 3 runs
 * unless one run alone takes more than half the budget). The first run
 * also gives the length; a compiler that rejects the profile is still timed
 * (to its error), and the error is reported. Also the minor page faults
 * per timed compile (memory malloc gave back to the kernel and took again:
 * on this VM they cost more than the instructions, docs/performance.md). */
static int cmd_compile(int argc, char **argv)
{
	long reps = argc > 4 ? atol(argv[4]) : 1000;
	double budget = (argc > 5 ? atof(argv[5]) : 1000) * 1e6;
	double *t = calloc(2 * ((size_t)reps + 2), sizeof(double));
	double *cpu; /* CPU time of the same runs */
	struct prog pr = {0};
	char msg[1024];
	size_t len;
	char *json = bench_read_file(argv[3], &len);
	uint64_t start = bench_now_ns(), cpu0 = bench_cpu_ns();
	long i = 1, faults0;

	if (!t)
		abort();
	cpu = t + reps + 2;
	if (compile_one(argv[2], json, len, argv[3], &pr, msg, sizeof(msg)))
		printf("error\t%s\n", msg);
	else
		printf("len\t%zu\n", pr.len);
	t[0] = (double)(bench_now_ns() - start);
	cpu[0] = (double)(bench_cpu_ns() - cpu0);
	free(pr.insns);
	faults0 = minor_faults();
	if (t[0] > budget / 2)
		goto out;
	for (i = 0; i < reps; i++) { /* the first run was a warm-up */
		uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();

		compile_one(argv[2], json, len, argv[3], NULL, NULL, 0);
		t[i] = (double)(bench_now_ns() - t0);
		cpu[i] = (double)(bench_cpu_ns() - c0);
		if (i >= 2 && (double)(bench_now_ns() - start) > budget) {
			i++;
			break;
		}
	}
out:
	printf("faults_per_compile\t%.1f\n",
	       (double)(minor_faults() - faults0) / (double)i);
	printf("runs\t%ld\n", i);
	printf("median_ns\t%.0f\n", bench_median(t, (size_t)i));
	printf("median_cpu_ns\t%.0f\n", bench_median(cpu, (size_t)i));
	free(t);
	free(json);
	return 0;
}

static void compile_all(const char *file, struct prog p[NPROGS])
{
	size_t len;
	char *json = bench_read_file(file, &len);
	char msg[1024];

	for (int i = 0; i < NPROGS; i++)
		if (compile_one(prog_names[i], json, len, file, &p[i], msg,
				sizeof(msg)))
			die(prog_names[i], msg);
	free(json);
}

/* ---- the ABIs compared ------------------------------------------------ */

struct abi {
	const char *name; /* libseccomp/callfence name */
	uint32_t audit;
	uint32_t base; /* x32: 0x40000000 */
	bool cached;   /* has a kernel cache bitmap (native, compat) */
};

static const struct abi abis[] = {
    {"x86_64", AUDIT_ARCH_X86_64, 0, true},
    {"x86", AUDIT_ARCH_I386, 0, true},
    {"x32", AUDIT_ARCH_X86_64, 0x40000000U, false},
};
#define NABIS (sizeof(abis) / sizeof(abis[0]))
#define MAX_NR 1024

static bool nr_named(const struct abi *a, uint32_t nr)
{
	int i = cf_abi_lookup(a->name);

	return i >= 0 && cf_syscall_name(i, a->base + nr) != NULL;
}

/* 1 + the largest named number of the ABI (offset removed). */
static uint32_t nr_limit(const struct abi *a)
{
	uint32_t lim = 0;

	for (uint32_t nr = 0; nr < MAX_NR; nr++)
		if (nr_named(a, nr))
			lim = nr + 1;
	return lim;
}

static unsigned run_count(const struct prog *p, const struct abi *a,
			  uint32_t nr, const uint64_t args[6], uint32_t *act)
{
	struct seccomp_data d;
	unsigned n = 0;

	memset(&d, 0, sizeof(d));
	d.nr = (int)(a->base + nr);
	d.arch = a->audit;
	if (args)
		memcpy(d.args, args, sizeof(d.args));
	*act = cf_bpf_run(p->insns, p->len, &d, &n);
	return n;
}

/* ---- prog: lengths, instructions executed, cache ---------------------- */

struct mix {
	char name[64];
	double count;
};

static size_t read_mix(const char *path, struct mix *m, size_t max)
{
	FILE *f = fopen(path, "re");
	char line[256];
	size_t n = 0;

	if (!f)
		die(path, strerror(errno));
	while (n < max && fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s %lf", m[n].name, &m[n].count) == 2)
			n++;
	}
	fclose(f);
	return n;
}

/* Argument-free: every path, arguments free, returns the same action. */
static bool arg_free(const struct prog *p, const struct abi *a, uint32_t nr,
		     uint32_t *act)
{
	uint32_t acts[4] = {0};
	bool dep;
	int n = cache_actions(p->insns, p->len, a->base + nr, a->audit, acts, 4,
			      &dep);

	*act = acts[0];
	return n == 1;
}

static void describe(const struct abi *a, uint32_t nr, char *buf, size_t size)
{
	const char *n = cf_syscall_name(cf_abi_lookup(a->name), a->base + nr);

	if (n)
		snprintf(buf, size, "%s:%s", a->name, n);
	else
		snprintf(buf, size, "%s:%u", a->name, nr);
}

static void report_argfree(const struct prog *p, const char *name,
			   const struct mix *m, size_t nm)
{
	double sum = 0, w = 0;
	unsigned worst = 0;
	char worst_at[96] = "-";
	uint32_t act;
	int x86_64 = cf_abi_lookup("x86_64");

	/* every number below MAX_NR on every ABI, named or not */
	for (size_t a = 0; a < NABIS; a++) {
		for (uint32_t nr = 0; nr < MAX_NR; nr++) {
			unsigned c;

			if (!arg_free(p, &abis[a], nr, &act))
				continue;
			c = run_count(p, &abis[a], nr, NULL, &act);
			if (c > worst) {
				worst = c;
				describe(&abis[a], nr, worst_at,
					 sizeof(worst_at));
			}
		}
	}
	for (size_t i = 0; i < nm; i++) {
		int64_t nr = cf_syscall_number(x86_64, m[i].name);

		if (nr < 0 || !arg_free(p, &abis[0], (uint32_t)nr, &act))
			continue;
		sum += m[i].count *
		       run_count(p, &abis[0], (uint32_t)nr, NULL, &act);
		w += m[i].count;
	}
	printf("%s.argfree_worst\t%u\n", name, worst);
	printf("%s.argfree_worst_at\t%s\n", name, worst_at);
	printf("%s.argfree_mean\t%.2f\n", name, w > 0 ? sum / w : 0);
}

struct argcase {
	const char *sys;
	uint64_t a0, a1, a2;
};

static const struct argcase argcases[] = {
    {"clone", 0x1200011, 0, 0},	 /* fork() */
    {"clone", 0x3d0f00, 0, 0},	 /* pthread_create() */
    {"clone", 0x10000000, 0, 0}, /* CLONE_NEWUSER: denied */
    {"socket", 2, 1, 0},	 /* AF_INET, SOCK_STREAM */
    {"socket", 16, 3, 9},	 /* AF_NETLINK */
    {"socket", 38, 1, 0},	 /* boundary */
    {"socket", 40, 1, 0},	 /* AF_VSOCK: denied */
    {"socket", 45, 1, 0},
    {"personality", 0, 0, 0},
    {"personality", 8, 0, 0},
    {"personality", 0x20000, 0, 0},
    {"personality", 0x20008, 0, 0},
    {"personality", 0xffffffff, 0, 0},
    {"personality", 3, 0, 0}, /* denied */
};

static void report_argchecked(const struct prog *p, const char *name)
{
	unsigned worst = 0, per[3] = {0};
	const char *syss[3] = {"clone", "socket", "personality"};
	uint32_t act;

	for (size_t a = 0; a < 2; a++) { /* x86_64 and x86 */
		int abi = cf_abi_lookup(abis[a].name);

		for (size_t i = 0; i < sizeof(argcases) / sizeof(argcases[0]);
		     i++) {
			const struct argcase *c = &argcases[i];
			uint64_t args[6] = {c->a0, c->a1, c->a2};
			int64_t nr = cf_syscall_number(abi, c->sys);
			unsigned n;

			if (nr < 0)
				continue;
			n = run_count(p, &abis[a], (uint32_t)nr, args, &act);
			worst = n > worst ? n : worst;
			for (int s = 0; s < 3; s++)
				if (!strcmp(syss[s], c->sys) && n > per[s])
					per[s] = n;
		}
	}
	printf("%s.argcheck_worst\t%u\n", name, worst);
	for (int s = 0; s < 3; s++)
		printf("%s.argcheck_%s\t%u\n", name, syss[s], per[s]);
}

/* The kernel's cache: of the numbers whose decision is an argument-free
 * ALLOW, how many does seccomp_is_const_allow() accept? */
static void report_cache(const struct prog *p, const char *name)
{
	unsigned allow_free = 0, cacheable = 0, missed = 0;
	uint32_t act;

	for (size_t a = 0; a < NABIS; a++) {
		uint32_t lim = nr_limit(&abis[a]);

		if (!abis[a].cached)
			continue;
		for (uint32_t nr = 0; nr < lim; nr++) {
			bool free_allow = arg_free(p, &abis[a], nr, &act) &&
					  act == SECCOMP_RET_ALLOW;
			bool c = cf_bpf_cacheable(p->insns, p->len,
						  abis[a].audit, nr);

			allow_free += free_allow;
			cacheable += c;
			missed += free_allow && !c;
		}
	}
	printf("%s.cache_argfree_allow\t%u\n", name, allow_free);
	printf("%s.cache_cacheable\t%u\n", name, cacheable);
	printf("%s.cache_missed\t%u\n", name, missed);
}

static int cmd_prog(int argc, char **argv)
{
	struct prog p[NPROGS];
	struct mix *m = calloc(1024, sizeof(*m));
	size_t nm;

	if (argc < 4 || !m)
		return 2;
	nm = read_mix(argv[3], m, 1024);
	compile_all(argv[2], p);
	for (int i = 0; i < NPROGS; i++) {
		struct cf_error err;

		if (cf_bpf_verify(p[i].insns, p[i].len, &err) < 0)
			die(prog_names[i], err.msg);
		printf("%s.len\t%zu\n", prog_names[i], p[i].len);
		report_argfree(&p[i], prog_names[i], m, nm);
		report_argchecked(&p[i], prog_names[i]);
		report_cache(&p[i], prog_names[i]);
		free(p[i].insns);
	}
	free(m);
	return 0;
}

/* ---- kernel: ns per syscall under each program ------------------------ */

struct probe {
	const char *name;
	long nr;
	long a0;
};

static const struct probe probes[] = {
    {"personality", SYS_personality, 0xffffffffL},
    {"kcmp", SYS_kcmp, 0},
    {"nr1000", 1000, 0},
    {"getppid", SYS_getppid, 0},
};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))
/* and one more result per child: the seccomp() call that attaches the
 * program (the kernel checks it, translates it to eBPF, JITs it and works
 * out its constant-action bitmap), in ns */
#define NRES (NPROBES + 1)
#define ITERS 20000

struct variant {
	char name[32];
	struct prog p; /* len 0 = no filter */
};

static double time_probe(const struct probe *pr)
{
	uint64_t t0;

	for (int i = 0; i < ITERS / 10; i++)
		syscall(pr->nr, pr->a0, 0, 0, 0, 0);
	t0 = bench_now_ns();
	for (int i = 0; i < ITERS; i++)
		syscall(pr->nr, pr->a0, 0, 0, 0, 0);
	return (double)(bench_now_ns() - t0) / ITERS;
}

/* In a child: install v, time every probe, write the results to fd. */
static void child_measure(const struct variant *v, int fd)
{
	double r[NRES];
	uint64_t t0;
	struct sock_fprog fp = {(unsigned short)v->p.len, v->p.insns};

	cpu_set_t cpus;

	/* one CPU for every child: no migrations inside a timing */
	CPU_ZERO(&cpus);
	CPU_SET(sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(3);
	t0 = bench_now_ns();
	if (v->p.len && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				SECCOMP_FILTER_FLAG_SPEC_ALLOW, &fp))
		_exit(4);
	r[NPROBES] = (double)(bench_now_ns() - t0);
	for (size_t i = 0; i < NPROBES; i++)
		r[i] = time_probe(&probes[i]);
	if (write(fd, r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(5);
	_exit(0);
}

static int measure(const struct variant *v, double r[NRES])
{
	int fds[2], st;
	pid_t pid;
	ssize_t got;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_measure(v, fds[1]);
	}
	close(fds[1]);
	got = read(fds[0], r, sizeof(double) * NRES);
	close(fds[0]);
	waitpid(pid, &st, 0);
	return got == (ssize_t)(sizeof(double) * NRES) ? 0 : -1;
}

/* The cache defeated: one leading load of args[0] (low word), ignored. */
static struct prog defeat(const struct prog *p)
{
	struct prog d = {malloc((p->len + 1) * sizeof(*p->insns)), p->len + 1};

	if (!d.insns)
		abort();
	d.insns[0] = (struct sock_filter)BPF_STMT(
	    BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args));
	memcpy(d.insns + 1, p->insns, p->len * sizeof(*p->insns));
	return d;
}

static size_t make_variants(const char *file, struct variant *v)
{
	static struct sock_filter allow1[] = {
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct prog p[NPROGS], floor1 = {allow1, 1};
	size_t n = 0;

	compile_all(file, p);
	v[n++] = (struct variant){"none", {NULL, 0}};
	v[n++] = (struct variant){"floor1", floor1};
	v[n] = (struct variant){"floor2", defeat(&floor1)};
	n++;
	for (int i = 0; i < NPROGS; i++) {
		v[n].p = p[i];
		snprintf(v[n++].name, sizeof(v->name), "%s", prog_names[i]);
		v[n].p = defeat(&p[i]);
		snprintf(v[n++].name, sizeof(v->name), "%s_defeat",
			 prog_names[i]);
	}
	return n;
}

static int cmd_kernel(int argc, char **argv)
{
	int rounds = argc > 3 ? atoi(argv[3]) : 15;
	struct variant v[16];
	size_t nv = make_variants(argv[2], v);
	double *res = calloc(nv * NRES * (size_t)rounds, sizeof(double));

	if (!res)
		abort();
	/* rounds interleave the variants, so drift hits them all alike */
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < nv; i++) {
			double t[NRES];

			if (measure(&v[i], t))
				die(v[i].name, "measuring in a child failed");
			for (size_t k = 0; k < NRES; k++)
				res[(i * NRES + k) * (size_t)rounds +
				    (size_t)r] = t[k];
		}
	}
	for (size_t i = 0; i < nv; i++)
		for (size_t k = 0; k < NRES; k++)
			printf(
			    "kernel.%s.%s\t%.1f\n", v[i].name,
			    k < NPROBES ? probes[k].name : "attach",
			    bench_median(res + (i * NRES + k) * (size_t)rounds,
					 (size_t)rounds));
	free(res);
	for (size_t i = 2; i < nv; i++) /* none and floor1 own nothing */
		free(v[i].p.insns);
	return 0;
}

static int cmd_dump(int argc, char **argv)
{
	struct prog p[NPROGS];

	(void)argc;
	compile_all(argv[3], p);
	for (int i = 0; i < NPROGS; i++) {
		if (strcmp(prog_names[i], argv[2]) == 0)
			cf_bpf_disasm(p[i].insns, p[i].len, stdout);
		free(p[i].insns);
	}
	return 0;
}

/* The measuring tools checked on hand-made programs and on the three
 * programs for PROFILE (callfence's only when it compiles). */
static int cmd_selftest(int argc, char **argv)
{
	struct prog cf = {0};
	char msg[1024];
	size_t len;
	char *json;
	int rc;

	if (argc < 3)
		return bench_selftest(NULL, NULL, 0);
	json = bench_read_file(argv[2], &len);
	if (bench_cf_compile(json, len, argv[2], false, &cf, msg, sizeof(msg)))
		printf("note: callfence does not compile it: %s\n", msg);
	rc = bench_selftest(argv[2], cf.insns, cf.len);
	free(cf.insns);
	free(json);
	return rc;
}

/* ---- start: the pieces of `callfence run`'s builtin start -------------- */

enum { ST_TARGET, ST_PROFILE, ST_COMPILE, ST_ATTACH, ST_N };
static const char *const st_names[ST_N] = {"target", "profile", "compile",
					   "attach"};

/* The built-in profile as `run` gets it (its parsed form, generated at build
 * time) or, with parse, by parsing its embedded text (the plain path). */
static int start_profile(bool parse, struct cf_profile **p,
			 struct cf_error *err)
{
	size_t len;
	const char *text;

	if (!parse)
		return cf_profile_builtin(p, err);
	text = cf_profile_builtin_json(&len);
	return cf_profile_parse(text, len, "builtin", p, err);
}

/* In a child that has compiled nothing yet: the steps `callfence run` takes
 * for seccomp=builtin, timed one by one, as `run` takes them. */
static void start_child(int fd, bool parse)
{
	double r[ST_N];
	struct cf_target t;
	struct cf_profile *p;
	struct cf_filter *f;
	struct cf_error err;
	const struct sock_filter *insns;
	struct sock_fprog fp;
	size_t n;
	uint64_t t0 = bench_now_ns(), t1, t2, t3, t4;

	if (cf_target_default(&t, &err))
		_exit(3);
	t1 = bench_now_ns();
	if (start_profile(parse, &p, &err))
		_exit(3);
	t2 = bench_now_ns();
	if (cf_compile(p, &t, &f, &err))
		_exit(3);
	cf_profile_free(p);
	t3 = bench_now_ns();
	insns = cf_filter_program(f, &n);
	fp =
	    (struct sock_fprog){(unsigned short)n, (struct sock_filter *)insns};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, cf_filter_flags(f),
		    &fp))
		_exit(4);
	t4 = bench_now_ns();
	r[ST_TARGET] = (double)(t1 - t0);
	r[ST_PROFILE] = (double)(t2 - t1);
	r[ST_COMPILE] = (double)(t3 - t2);
	r[ST_ATTACH] = (double)(t4 - t3);
	if (write(fd, r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(5);
	_exit(0);
}

/* One fresh child's pieces of the start (start_child) into r. */
static void start_round(bool parse, double r[ST_N])
{
	int fds[2], st;
	pid_t pid;
	ssize_t got;

	if (pipe2(fds, O_CLOEXEC))
		die("start", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		start_child(fds[1], parse);
	}
	close(fds[1]);
	got = read(fds[0], r, sizeof(double) * ST_N);
	close(fds[0]);
	waitpid(pid, &st, 0);
	if (got != (ssize_t)(sizeof(double) * ST_N))
		die("start", "the child failed");
}

/* start [ROUNDS]: the medians of each piece; rounds alternate with ones that
 * parse the built-in profile's text (start.parsed.*), the plain path that
 * its generated parsed form replaces (docs/internals.md, simplicity budget). */
static int cmd_start(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 101;
	double *res;
	size_t nr;

	if (rounds < 1)
		rounds = 1;
	nr = (size_t)rounds;
	res = calloc(nr * ST_N * 2, sizeof(double));
	if (!res)
		abort();
	for (size_t i = 0; i < nr; i++)
		for (int parse = 0; parse < 2; parse++) {
			double r[ST_N];

			start_round(parse, r);
			for (size_t k = 0; k < ST_N; k++)
				res[((size_t)parse * ST_N + k) * nr + i] = r[k];
		}
	for (int parse = 0; parse < 2; parse++)
		for (size_t k = 0; k < ST_N; k++)
			printf("start.%s%s\t%.1f\n", parse ? "parsed." : "",
			       st_names[k],
			       bench_median(
				   res + ((size_t)parse * ST_N + k) * nr, nr));
	free(res);
	return 0;
}

/* The heap policy of every measurement, for both compilers alike: "keep"
 * (the default) sets what callfence's command sets at its start
 * (cli/main.c: keep_freed_memory), so that memory a compile frees stays
 * in the heap for the next one; "glibc" (CF_BENCH_HEAP=glibc) leaves
 * glibc's adaptive thresholds, under which a loop of compiles can give
 * the top of the heap back after each and fault it in again in the next
 * (225 faults a compile on actions-1000, about 10 us each on this VM:
 * docs/performance.md, "The heap in the compile loop"). */
static void heap_policy(void)
{
	const char *h = getenv("CF_BENCH_HEAP");

	if (h && !strcmp(h, "glibc"))
		return;
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

int main(int argc, char **argv)
{
	heap_policy();
	if (argc >= 2 && strcmp(argv[1], "selftest") == 0)
		return cmd_selftest(argc, argv);
	if (argc >= 4 && strcmp(argv[1], "compile") == 0)
		return cmd_compile(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "stages") == 0)
		return cmd_stages(argc, argv);
	if (argc >= 4 && strcmp(argv[1], "prog") == 0)
		return cmd_prog(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "kernel") == 0)
		return cmd_kernel(argc, argv);
	if (argc >= 4 && strcmp(argv[1], "dump") == 0)
		return cmd_dump(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "start") == 0)
		return cmd_start(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "corpus") == 0)
		return cmd_corpus(argc, argv);
	fprintf(stderr, "usage: cf-bench compile cf|lin|tree PROFILE [REPS "
			"[BUDGET_MS]]\n"
			"       cf-bench stages PROFILE [REPS]\n"
			"       cf-bench prog PROFILE MIX.tsv\n"
			"       cf-bench kernel PROFILE [ROUNDS]\n"
			"       cf-bench dump cf|lin|tree PROFILE\n"
			"       cf-bench start [ROUNDS]\n"
			"       cf-bench corpus PROFILE [cf|lsc]\n"
			"       cf-bench selftest [PROFILE]\n");
	return 2;
}
