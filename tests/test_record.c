/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `record`: the library's observations -> profile (decided back through
 * the compiler: what was observed is allowed, nothing else is; the base
 * limits it), cf_run_own_calls, and round trips through the binary:
 * record a workload, run it under the profile with `callfence run`, same
 * output and status; without one call it needs, it fails.
 */
#include "t.h"
#include "tfiles.h"

#include "callfence.h"
#include "cmd.h"
#include "syscalls.h"

#include <ftw.h>
#include <linux/audit.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

/* ---- library ----------------------------------------------------------- */

/* The profile of obs (base may be NULL), compiled for the host. */
static struct cf_filter *rc_profile(const struct cf_record *obs,
				    const struct cf_filter *base,
				    struct t_diags *dg, char **json_out)
{
	struct cf_record_opts o = {base, t_diags_add, dg};
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	char *json;
	size_t len;

	json = NULL;
	if (!CHECK(cf_record_json(obs, &o, &json, &len, &err) == 0) || !json)
		return NULL;
	CHECK_EQ(cf_profile_parse(json, len, "rec.json", &p, &err), 0);
	CHECK_EQ(cf_target_default(&t, &err), 0);
	t.strict = true;
	if (p)
		CHECK_EQ(cf_compile(p, &t, &f, &err), 0);
	cf_profile_free(p);
	if (json_out)
		*json_out = json;
	else
		free(json);
	return f;
}

static uint32_t rc_decide(const struct cf_filter *f, const char *abi,
			  const char *name, uint64_t a0)
{
	int i = cf_abi_lookup(abi);
	struct seccomp_data d = {0};
	struct cf_decision dec;

	d.nr = (int)cf_syscall_number(i, name);
	d.arch = cf_abi_audit_arch(i);
	d.args[0] = a0;
	if (cf_filter_decide(f, &d, &dec) < 0)
		return 0xdeadbeef;
	return dec.action;
}

static void rc_add(struct cf_record *r, const char *abi, const char *name)
{
	int i = cf_abi_lookup(abi);

	CHECK_EQ(cf_record_add(r, i, (uint32_t)cf_syscall_number(i, name), 1),
		 0);
}

TEST(record_lib_allows_exactly_the_observed_calls)
{
	struct cf_record *r;
	struct cf_error err;
	struct t_diags dg = {{0}, 0};
	struct cf_filter *f;
	char *json = NULL;

	if (!CHECK(cf_record_new(&r, &err) == 0))
		return;
	rc_add(r, "x86_64", "read");
	rc_add(r, "x86_64", "write");
	rc_add(r, "x86_64", "write");
	rc_add(r, "x86", "getpid");
	rc_add(r, "x32", "openat");
	CHECK_EQ(cf_record_add(r, cf_abi_lookup("x86_64"), 4000, 1), 0);
	CHECK_EQ(cf_record_add(r, 9999, 0, 1), (uint64_t)-EINVAL);
	f = rc_profile(r, NULL, &dg, &json);
	if (!CHECK(f))
		goto out;
	CHECK_CONTAINS(json, "\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", "
			     "\"SCMP_ARCH_X32\"");
	CHECK_EQ(rc_decide(f, "x86_64", "read", 0), SECCOMP_RET_ALLOW);
	CHECK_EQ(rc_decide(f, "x86_64", "write", 0), SECCOMP_RET_ALLOW);
	CHECK_EQ(rc_decide(f, "x86", "getpid", 0), SECCOMP_RET_ALLOW);
	CHECK_EQ(rc_decide(f, "x32", "openat", 0), SECCOMP_RET_ALLOW);
	CHECK_EQ(rc_decide(f, "x86_64", "mount", 0), SECCOMP_RET_ERRNO | 1);
	CHECK_EQ(rc_decide(f, "x86_64", "chmod", 0), SECCOMP_RET_ERRNO | 1);
	/* the unknown number is reported, not allowed */
	CHECK_CONTAINS(dg.text, "[record-unknown-nr] the workload called "
				"number 4000 on x86_64");
	CHECK_EQ(dg.n, 1);
	cf_filter_free(f);
out:
	free(json);
	cf_record_free(r);
}

/* cf_syscall_name (a search of each table's numbers in order) names every
 * number of every table as a search of the names does: the first name
 * with that number; numbers no name has, none. */
TEST(syscall_name_agrees_with_a_search_of_the_names)
{
	size_t bad = 0, checked = 0;

	for (int a = 0; a < cf_narches; a++) {
		int t = cf_arches[a].table;
		uint32_t lo = t < 0			? 0
			      : cf_table_max[t] > 65536 ? 0x40000000
							: 0;

		for (uint32_t nr = lo; t >= 0 && nr <= cf_table_max[t] + 2;
		     nr++) {
			const char *want = NULL, *got = cf_syscall_name(a, nr);

			for (size_t i = 0; i < cf_nsysinfo && !want; i++)
				if (cf_table_nrs[t][i] >= 0 &&
				    (uint32_t)cf_table_nrs[t][i] == nr)
					want = cf_sysinfo[i].name;
			checked++;
			if ((want == NULL) != (got == NULL) ||
			    (want && strcmp(want, got)))
				bad++;
		}
	}
	CHECK(checked > 5000);
	CHECK(bad == 0);
}

TEST(record_lib_walks_observations_with_counts)
{
	struct cf_record *r;
	struct cf_error err;
	size_t pos = 0, seen = 0;
	uint64_t count, total = 0;
	const char *name;
	int abi;
	uint32_t nr;

	if (!CHECK(cf_record_new(&r, &err) == 0))
		return;
	/* enough distinct numbers to make the table grow */
	for (uint32_t i = 0; i < 1000; i++)
		CHECK_EQ(cf_record_add(r, cf_abi_lookup("x86_64"), i, i + 1),
			 0);
	while ((name = cf_record_next(r, &pos, &abi, &nr, &count))) {
		seen++;
		total += count;
		CHECK_EQ(count, nr + 1);
		if (nr == 0)
			CHECK_STR(name, "read");
		if (nr == 999)
			CHECK_STR(name, "");
	}
	CHECK_EQ(seen, 1000);
	CHECK_EQ(total, 1000 * 1001 / 2);
	cf_record_free(r);
}

static struct cf_filter *rc_builtin(void)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;

	CHECK_EQ(cf_profile_builtin(&p, &err), 0);
	CHECK_EQ(cf_target_default(&t, &err), 0);
	if (p)
		CHECK_EQ(cf_compile(p, &t, &f, &err), 0);
	cf_profile_free(p);
	return f;
}

TEST(record_lib_base_limits_the_profile)
{
	struct cf_record *r;
	struct cf_error err;
	struct t_diags dg = {{0}, 0};
	struct cf_filter *base = rc_builtin(), *f;
	char *json = NULL;

	if (!base || !CHECK(cf_record_new(&r, &err) == 0)) {
		cf_filter_free(base);
		return;
	}
	rc_add(r, "x86_64", "read");
	rc_add(r, "x86_64", "mount");
	rc_add(r, "x86_64", "clone");
	rc_add(r, "x86_64", "clone3");
	f = rc_profile(r, base, &dg, &json);
	if (!CHECK(f))
		goto out;
	CHECK_EQ(rc_decide(f, "x86_64", "read", 0), SECCOMP_RET_ALLOW);
	/* the base denies mount: reported, denied */
	CHECK_CONTAINS(dg.text, "[record-base-denies] the workload called "
				"mount (x86_64), which the base profile "
				"denies");
	CHECK_EQ(rc_decide(f, "x86_64", "mount", 0), SECCOMP_RET_ERRNO | 1);
	/* the base allows clone without namespace flags only: so does the
	 * recorded profile */
	CHECK_EQ(rc_decide(f, "x86_64", "clone", 0x11), SECCOMP_RET_ALLOW);
	CHECK_EQ(rc_decide(f, "x86_64", "clone", CLONE_NEWUSER),
		 SECCOMP_RET_ERRNO | 1);
	CHECK_EQ(rc_decide(base, "x86_64", "clone", CLONE_NEWUSER),
		 SECCOMP_RET_ERRNO | 1);
	/* clone3 keeps the base's ENOSYS (glibc falls back to clone) */
	CHECK_EQ(rc_decide(f, "x86_64", "clone3", 0),
		 SECCOMP_RET_ERRNO | ENOSYS);
	cf_filter_free(f);
out:
	free(json);
	cf_filter_free(base);
	cf_record_free(r);
}

TEST(record_lib_run_own_calls_follow_the_options)
{
	struct cf_run_opts o;
	uint32_t nrs[64];
	size_t n;
	bool has_exec = false, has_setresuid = false, has_capset = false;

	memset(&o, 0, sizeof(o));
	o.set_caps = true;
	o.set_user = true;
	o.caps = cf_caps_docker_default();
	n = cf_run_own_calls(&o, nrs, 64);
	for (size_t i = 0; i < n && i < 64; i++) {
		has_exec |= nrs[i] == SYS_execve;
		has_setresuid |= nrs[i] == SYS_setresuid;
		has_capset |= nrs[i] == SYS_capset;
		for (size_t k = 0; k < i; k++)
			CHECK(nrs[k] != nrs[i]); /* each once */
	}
	CHECK(has_exec && has_setresuid && has_capset);
	CHECK_EQ(nrs[n - 1], SYS_execve);
	/* no_new_privs: the filter goes in last, only execve follows */
	o.no_new_privs = true;
	CHECK_EQ(cf_run_own_calls(&o, nrs, 64), 1);
	CHECK_EQ(nrs[0], SYS_execve);
	/* max bounds what is written, not the count */
	o.no_new_privs = false;
	CHECK_EQ(cf_run_own_calls(&o, nrs, 1), n);
}

/* ---- the binary -------------------------------------------------------- */

static struct t_dir rc_d; /* the directory of the test that runs */

static bool rc_ready(void)
{
	if (!cmd_binary_present())
		return false;
	if (geteuid() != 0) {
		t_skip("the round trips run `callfence run` as root");
		return false;
	}
	return true;
}

static const char rc_script[] = "set -e\n"
				"mkdir -p d\n"
				"echo hello > d/a\n"
				"chmod 600 d/a\n"
				"stat -c %a d/a\n"
				"cat d/a\n"
				"ln -s a d/b\n"
				"ls d\n"
				"rm -r d\n"
				"echo done\n";

/* record PROFILE -- argv in dir; returns the status, r filled. */
static int rc_record(struct cmd_res *r, const char *dir,
		     const char *const *extra, const char *const *argv)
{
	/* ptrace here: the eBPF backend (the default as root) has its round
	 * trips in tests/live/record-ebpf.sh */
	const char *args[32] = {"record", "-o", "p.json", "--backend",
				"ptrace"};
	size_t n = 5;
	struct cmd_env e = {0};

	for (; extra && *extra && n < 20; extra++)
		args[n++] = *extra;
	args[n++] = "--";
	for (; *argv && n < 31; argv++)
		args[n++] = *argv;
	args[n] = NULL;
	e.cwd = dir;
	cmd_run_env(r, &e, args);
	return r->status;
}

static int rc_run(struct cmd_res *r, const char *dir, const char *profile,
		  const char *const *argv)
{
	char opt[4200];
	const char *args[32] = {"run", "--security-opt", opt};
	size_t n = 3;
	struct cmd_env e = {0};

	snprintf(opt, sizeof(opt), "seccomp=%s", profile);
	args[n++] = "--";
	for (; *argv && n < 31; argv++)
		args[n++] = *argv;
	args[n] = NULL;
	e.cwd = dir;
	cmd_run_env(r, &e, args);
	return r->status;
}

/* Copy of the profile text without the lines naming any of names. */
static char *rc_without(const char *json, const char *const *names)
{
	char *out = calloc(1, strlen(json) + 1), *o = out;
	const char *p = json;

	while (out && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
		bool drop = false;
		char q[64];

		for (const char *const *n = names; *n; n++) {
			snprintf(q, sizeof(q), "\"%s\"", *n);
			drop = drop || (memmem(p, len, q, strlen(q)) &&
					!memmem(p, len, "names", 5));
		}
		if (!drop) {
			memcpy(o, p, len);
			o += len;
		}
		p += len;
	}
	/* a name dropped last in its array leaves "x",\n ]: no comma */
	for (char *c = out ? strstr(out, ",\n") : NULL; c;
	     c = strstr(c + 1, ",\n")) {
		size_t ws = strspn(c + 2, " \t");

		if (c[2 + ws] == ']')
			*c = ' ';
	}
	return out;
}

static char *rc_read(const char *path)
{
	char *buf = NULL;
	size_t len;
	struct cf_error err;

	if (cf_read_path(path, &buf, &len, &err) < 0)
		return NULL;
	return buf;
}

static bool rc_valid(const char *json)
{
	struct cf_profile *p = NULL;
	struct cf_error err;
	bool ok =
	    cf_profile_parse(json, strlen(json), "less.json", &p, &err) == 0;

	cf_profile_free(p);
	return ok;
}

/* Record argv, run it under the result: same output, same status; the
 * profile passes check --strict; without the names in needed, it fails. */
static void rc_round_trip_with(const char *dir, const char *const *extra,
			       const char *const *argv,
			       const char *const *needed)
{
	static struct cmd_res rec, run, chk;
	char path[256], cut[256];
	char *json, *less;
	FILE *f;

	rc_record(&rec, dir, extra, argv);
	snprintf(path, sizeof(path), "%s/p.json", dir);
	CHECK_CONTAINS(rec.err, "profile written to p.json");
	CHECK_CONTAINS(rec.err, "added for callfence run's own calls");
	rc_run(&run, dir, path, argv);
	CHECK_EQ(run.status, rec.status);
	CHECK_STR(run.out, rec.out);
	if (run.status != rec.status)
		t_note("record: %s\nrun: %s", rec.err, run.err);
	cmd_run(&chk, (const char *const[]){"check", "--strict", path, NULL});
	CHECK_EQ(chk.status, 0);
	json = rc_read(path);
	if (!CHECK(json))
		return;
	less = rc_without(json, needed);
	snprintf(cut, sizeof(cut), "%s/less.json", dir);
	f = fopen(cut, "we");
	if (CHECK(f && less)) {
		fputs(less, f);
		fclose(f);
		CHECK(strlen(less) < strlen(json));
		/* still a valid profile: the workload fails for the call */
		CHECK(rc_valid(less));
		rc_run(&run, dir, cut, argv);
		CHECK(run.status != rec.status || strcmp(run.out, rec.out));
		CHECK(run.status != 125);
	}
	free(less);
	free(json);
}

/* Both ways: names only, and with argument rules (--args). */
static void rc_round_trip(const char *dir, const char *const *argv,
			  const char *const *needed)
{
	static const char *const args[] = {"--args", NULL};

	rc_round_trip_with(dir, NULL, argv, needed);
	rc_round_trip_with(dir, args, argv, needed);
}

TEST(record_round_trip_shell_script)
{
	const char *dir;
	static const char *const chmods[] = {"chmod", "fchmod", "fchmodat",
					     "fchmodat2", NULL};
	static struct cmd_res r;

	if (!rc_ready() || !(dir = t_fresh_dir(&rc_d, "record")))
		return;
	cmd_file(dir, "w.sh", rc_script);
	rc_round_trip(dir, (const char *const[]){"sh", "w.sh", NULL}, chmods);
	/* the output was the script's */
	rc_record(&r, dir, NULL, (const char *const[]){"sh", "w.sh", NULL});
	CHECK_STR(r.out, "600\nhello\na\nb\ndone\n");
	CHECK_EQ(r.status, 0);
	t_fresh_dir(&rc_d, "record");
}

TEST(record_round_trip_tar)
{
	const char *dir;
	static const char *const opens[] = {"openat", "open", NULL};
	static const char *const tar[] = {
	    "sh", "-c", "tar -cf t.tar t && tar -tf t.tar | sort && rm t.tar",
	    NULL};
	char sub[256];

	if (!rc_ready() || !(dir = t_fresh_dir(&rc_d, "record")))
		return;
	if (access("/bin/tar", X_OK) && access("/usr/bin/tar", X_OK)) {
		t_skip("no tar on this machine");
		return;
	}
	snprintf(sub, sizeof(sub), "%s/t", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/t/y", dir);
	mkdir(sub, 0755);
	cmd_file(dir, "t/x", "x\n");
	cmd_file(dir, "t/y/z", "z\n");
	rc_round_trip(dir, tar, opens);
	t_fresh_dir(&rc_d, "record");
}

TEST(record_exit_status_passes_through)
{
	const char *dir;
	static struct cmd_res r;
	char path[256];

	if (!cmd_binary_present() || !(dir = t_fresh_dir(&rc_d, "record")))
		return;
	snprintf(path, sizeof(path), "%s/p.json", dir);
	CHECK_EQ(rc_record(&r, dir, NULL,
			   (const char *const[]){"sh", "-c", "exit 3", NULL}),
		 3);
	CHECK_EQ(access(path, R_OK), 0);
	unlink(path);
	/* killed by a signal: 128 + N, and still a profile */
	CHECK_EQ(
	    rc_record(&r, dir, NULL,
		      (const char *const[]){"sh", "-c", "kill -TERM $$", NULL}),
	    143);
	CHECK_EQ(access(path, R_OK), 0);
	unlink(path);
	/* not found: 127, nothing written */
	CHECK_EQ(rc_record(&r, dir, NULL,
			   (const char *const[]){"/nonexistent/cmd", NULL}),
		 127);
	CHECK_CONTAINS(r.err, "no profile written");
	CHECK(access(path, F_OK) != 0);
	/* a bad option: 125, nothing run */
	CHECK_EQ(rc_record(&r, dir,
			   (const char *const[]){"--backend", "bogus", NULL},
			   (const char *const[]){"touch", "x", NULL}),
		 125);
	CHECK_CONTAINS(r.err, "unknown backend 'bogus'");
	t_fresh_dir(&rc_d, "record");
}

/* -o naming a device (a null device made here: /dev/null itself would be
 * lost if this broke) is written in place, never renamed over. */
TEST(record_output_device_written_in_place)
{
	const char *dir;
	static struct cmd_res r;
	char dev[256];
	struct stat st;

	if (!cmd_binary_present() || !(dir = t_fresh_dir(&rc_d, "record")))
		return;
	snprintf(dev, sizeof(dev), "%s/null", dir);
	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) < 0) {
		t_skip("cannot make a device node (not root)");
		return;
	}
	cmd_run(&r, (const char *const[]){"record", "--backend", "ptrace", "-o",
					  dev, "--", "true", NULL});
	CHECK_EQ(r.status, 0);
	CHECK(stat(dev, &st) == 0 && S_ISCHR(st.st_mode));
	/* merge and convert write through the same writer */
	cmd_run(&r, (const char *const[]){"merge", "-o", dev, "builtin",
					  "builtin", NULL});
	CHECK_EQ(r.status, 0);
	CHECK(stat(dev, &st) == 0 && S_ISCHR(st.st_mode));
	t_fresh_dir(&rc_d, "record");
}

/* -o where no file can be made: record, merge and convert (one writer)
 * fail with the same message, leaving nothing behind. */
TEST(record_merge_convert_output_unwritable_fail_alike)
{
	const char *dir;
	static struct cmd_res r;
	char out[256], want[300];
	const char *const cmds[][8] = {
	    {"record", "--backend", "ptrace", "-o", out, "--", "true", NULL},
	    {"merge", "-o", out, "builtin", "builtin", NULL},
	    {"convert", "--audit", "-o", out, "builtin", NULL},
	};

	if (!cmd_binary_present() || !(dir = t_fresh_dir(&rc_d, "record")))
		return;
	snprintf(out, sizeof(out), "%s/missing/p.json", dir);
	snprintf(want, sizeof(want), "cannot create a file beside '%s'", out);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		cmd_run(&r, cmds[i]);
		CHECK_EQ(r.status, i ? 1 : 125);
		CHECK_CONTAINS(r.err, want);
		CHECK(!t_exists(out));
	}
	t_fresh_dir(&rc_d, "record");
}

TEST(record_base_denies_and_reports)
{
	const char *dir;
	static struct cmd_res r;
	char path[256];
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;

	if (!rc_ready() || !(dir = t_fresh_dir(&rc_d, "record")))
		return;
	if (access("/usr/bin/unshare", X_OK)) {
		t_skip("no unshare(1) on this machine");
		return;
	}
	CHECK_EQ(
	    rc_record(&r, dir, (const char *const[]){"--base", "builtin", NULL},
		      (const char *const[]){"sh", "-c",
					    "unshare -m true; echo ok", NULL}),
	    0);
	CHECK_CONTAINS(r.err, "the workload called unshare (x86_64), which "
			      "the base profile denies");
	snprintf(path, sizeof(path), "%s/p.json", dir);
	CHECK_EQ(cf_profile_load(path, &p, &err), 0);
	CHECK_EQ(cf_target_default(&t, &err), 0);
	if (p && CHECK(cf_compile(p, &t, &f, &err) == 0) && f) {
		CHECK_EQ(rc_decide(f, "x86_64", "unshare", CLONE_NEWNS),
			 SECCOMP_RET_ERRNO | 1);
		CHECK_EQ(rc_decide(f, "x86_64", "execve", 0),
			 SECCOMP_RET_ALLOW);
	}
	cf_filter_free(f);
	cf_profile_free(p);
	t_fresh_dir(&rc_d, "record");
}

TEST(record_i386_call_recorded_under_x86)
{
	const char *dir;
	static struct cmd_res r;
	char helper[4200], bin[4096], path[256];
	char *json;

	if (!rc_ready() || !(dir = t_fresh_dir(&rc_d, "record")))
		return;
	snprintf(bin, sizeof(bin), "%s", t_callfence_bin());
	*strrchr(bin, '/') = 0;
	snprintf(helper, sizeof(helper), "%s/tests/run/int80", bin);
	cmd_run(&r, (const char *const[]){"run", "--security-opt",
					  "seccomp=unconfined", helper, NULL});
	if (r.status != 0) {
		t_skip("int $0x80 does not work here even unconfined (this "
		       "VM's kernel faults it before any filter runs)");
		t_fresh_dir(&rc_d, "record");
		return;
	}
	CHECK_EQ(rc_record(&r, dir, NULL, (const char *const[]){helper, NULL}),
		 0);
	CHECK_CONTAINS(r.err, "syscalls on x86");
	snprintf(path, sizeof(path), "%s/p.json", dir);
	json = rc_read(path);
	CHECK_CONTAINS(json, "\"SCMP_ARCH_X86\"");
	free(json);
	rc_run(&r, dir, path, (const char *const[]){helper, NULL});
	CHECK_EQ(r.status, 0);
	t_fresh_dir(&rc_d, "record");
}

TEST(record_follows_threads_and_subprocesses)
{
	const char *dir;
	static const char *const needed[] = {"wait4", "waitid", NULL};
	static const char py[] =
	    "import threading, subprocess, os\n"
	    "out = []\n"
	    "def work(i):\n"
	    "    fd = os.open('f%d' % i, os.O_CREAT | os.O_WRONLY, 0o600)\n"
	    "    os.write(fd, b'x' * i)\n"
	    "    os.close(fd)\n"
	    "    out.append(os.stat('f%d' % i).st_size)\n"
	    "    os.unlink('f%d' % i)\n"
	    "ts = [threading.Thread(target=work, args=(i,)) for i in "
	    "range(4)]\n"
	    "[t.start() for t in ts]\n"
	    "[t.join() for t in ts]\n"
	    "print(sorted(out))\n"
	    "r = subprocess.run(['sh', '-c', 'echo sub; exit 4'])\n"
	    "print('status', r.returncode)\n";
	static struct cmd_res r;

	if (!rc_ready() || !(dir = t_fresh_dir(&rc_d, "record")))
		return;
	if (access("/usr/bin/python3", X_OK)) {
		t_skip("no /usr/bin/python3 on this machine");
		return;
	}
	cmd_file(dir, "w.py", py);
	/* without wait4/waitid the subprocess cannot be reaped */
	rc_round_trip(dir,
		      (const char *const[]){"/usr/bin/python3", "w.py", NULL},
		      needed);
	rc_record(&r, dir, NULL,
		  (const char *const[]){"/usr/bin/python3", "w.py", NULL});
	CHECK_STR(r.out, "[0, 1, 2, 3]\nsub\nstatus 4\n");
	/* the threads and the subprocess were followed */
	CHECK_CONTAINS(r.err, " tasks, ");
	CHECK(!strstr(r.err, " 1 tasks, "));
	t_fresh_dir(&rc_d, "record");
}

TEST(record_signal_to_record_reaches_the_command)
{
	const char *dir;
	static struct cmd_res r;
	char path[256];
	char *json;

	if (!cmd_binary_present() || !(dir = t_fresh_dir(&rc_d, "record")))
		return;
	/* the shell sends SIGTERM to record (its parent), which passes it on;
	 * the command dies in a call (kill, execve or nanosleep): 143 and a
	 * profile that has what it saw */
	CHECK_EQ(rc_record(&r, dir, NULL,
			   (const char *const[]){"sh", "-c",
						 "kill -TERM $PPID; exec sleep "
						 "100",
						 NULL}),
		 143);
	snprintf(path, sizeof(path), "%s/p.json", dir);
	json = rc_read(path);
	CHECK_CONTAINS(json, "\"kill\"");
	free(json);
	t_fresh_dir(&rc_d, "record");
}

/* The calls added for `callfence run` are the ones it needs: without one
 * of them (a call `true` never makes), run refuses to start the command. */
TEST(record_adds_exactly_what_run_needs)
{
	const char *dir;
	static const char *const setresuid[] = {"setresuid", NULL};
	static struct cmd_res r;
	char path[256], cut[256];
	char *json, *less;
	FILE *f;

	if (!rc_ready() || !(dir = t_fresh_dir(&rc_d, "record")))
		return;
	CHECK_EQ(rc_record(&r, dir, NULL, (const char *const[]){"true", NULL}),
		 0);
	CHECK_CONTAINS(r.err, "setresuid");
	snprintf(path, sizeof(path), "%s/p.json", dir);
	CHECK_EQ(rc_run(&r, dir, path, (const char *const[]){"true", NULL}), 0);
	json = rc_read(path);
	less = json ? rc_without(json, setresuid) : NULL;
	snprintf(cut, sizeof(cut), "%s/less.json", dir);
	f = fopen(cut, "we");
	if (CHECK(f && less)) {
		fputs(less, f);
		fclose(f);
		CHECK(rc_valid(less));
		CHECK_EQ(
		    rc_run(&r, dir, cut, (const char *const[]){"true", NULL}),
		    125);
		CHECK_CONTAINS(r.err, "a call callfence makes after "
				      "installing it");
	} else if (f) {
		fclose(f);
	}
	free(less);
	free(json);
	t_fresh_dir(&rc_d, "record");
}
