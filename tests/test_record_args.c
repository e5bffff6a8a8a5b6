/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `record --args`: which arguments are recorded (cf_record_arg_mask),
 * their values as the kernel reads them (cf_record_add_arg), the argument
 * rules cf_record_json writes from them, and the binary end to end.
 */
#include "t.h"

#include "callfence.h"

#include "cmd.h"
#include "tfiles.h"

#include <errno.h>
#include <linux/audit.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>

static uint32_t ra_nr(const char *abi, const char *name)
{
	return (uint32_t)cf_syscall_number(cf_abi_lookup(abi), name);
}

TEST(record_args_mask_names_the_recorded_arguments)
{
	int x64 = cf_abi_lookup("x86_64"), x86 = cf_abi_lookup("x86");

	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "socket")), 3);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "clone")), 1);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "clone3")), 1);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "personality")), 1);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "ioctl")), 2);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "fcntl")), 2);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "prctl")), 1);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "mmap")), 4);
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "mprotect")), 4);
	CHECK_EQ(cf_record_arg_mask(x86, ra_nr("x86", "mmap2")), 4);
	CHECK_EQ(cf_record_arg_mask(x86, ra_nr("x86", "fcntl64")), 2);
	/* none: other calls, unknown numbers, unknown ABIs */
	CHECK_EQ(cf_record_arg_mask(x64, ra_nr("x86_64", "read")), 0);
	CHECK_EQ(cf_record_arg_mask(x64, 4000), 0);
	CHECK_EQ(cf_record_arg_mask(9999, 0), 0);
	CHECK_EQ(cf_record_arg_mask(-1, 0), 0);
}

/* The widths a backend masks with before comparing values: int
 * arguments 32 on x86-64, flag words of type unsigned long 64, every
 * argument 32 on x86; 0 outside the mask. */
TEST(record_args_bits_are_the_kernels_widths)
{
	int x64 = cf_abi_lookup("x86_64"), x86 = cf_abi_lookup("x86");

	CHECK_EQ(cf_record_arg_bits(x64, ra_nr("x86_64", "socket"), 0), 32);
	CHECK_EQ(cf_record_arg_bits(x64, ra_nr("x86_64", "socket"), 1), 32);
	CHECK_EQ(cf_record_arg_bits(x64, ra_nr("x86_64", "personality"), 0),
		 32);
	CHECK_EQ(cf_record_arg_bits(x64, ra_nr("x86_64", "clone"), 0), 64);
	CHECK_EQ(cf_record_arg_bits(x64, ra_nr("x86_64", "mmap"), 2), 64);
	CHECK_EQ(cf_record_arg_bits(x86, ra_nr("x86", "clone"), 0), 32);
	CHECK_EQ(cf_record_arg_bits(x86, ra_nr("x86", "mmap2"), 2), 32);
	CHECK_EQ(cf_record_arg_bits(x64, ra_nr("x86_64", "socket"), 2), 0);
	CHECK_EQ(cf_record_arg_bits(x64, ra_nr("x86_64", "read"), 0), 0);
	CHECK_EQ(cf_record_arg_bits(x64, ra_nr("x86_64", "socket"), 6), 0);
	CHECK_EQ(cf_record_arg_bits(-1, 0, 0), 0);
}

TEST(record_args_add_refuses_arguments_not_recorded)
{
	struct cf_record *r;
	struct cf_error err;
	int x64 = cf_abi_lookup("x86_64");

	if (!CHECK(cf_record_new(&r, &err) == 0))
		return;
	CHECK_EQ(cf_record_add_arg(r, x64, ra_nr("x86_64", "socket"), 0, 1), 0);
	CHECK_EQ(cf_record_add_arg(r, x64, ra_nr("x86_64", "socket"), 2, 0),
		 -EINVAL);
	CHECK_EQ(cf_record_add_arg(r, x64, ra_nr("x86_64", "read"), 0, 0),
		 -EINVAL);
	CHECK_EQ(cf_record_add_arg(r, x64, ra_nr("x86_64", "socket"), 6, 0),
		 -EINVAL);
	CHECK_EQ(cf_record_add_arg(r, 9999, 0, 0, 0), -EINVAL);
	cf_record_free(r);
}

/* ---- rules --------------------------------------------------------------- */

/* The profile of r, compiled for the host; its JSON in *json_out. */
static struct cf_filter *ra_profile(const struct cf_record *r, unsigned max,
				    struct t_diags *dg, char **json_out)
{
	struct cf_record_opts o = {NULL, t_diags_add, dg, max, {0}};
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	size_t len;

	*json_out = NULL;
	if (!CHECK(cf_record_json(r, &o, json_out, &len, &err) == 0))
		return NULL;
	CHECK_EQ(cf_profile_parse(*json_out, len, "rec.json", &p, &err), 0);
	CHECK_EQ(cf_target_default(&t, &err), 0);
	t.strict = true;
	if (p)
		CHECK_EQ(cf_compile(p, &t, &f, &err), 0);
	cf_profile_free(p);
	return f;
}

static uint32_t ra_decide(const struct cf_filter *f, const char *abi,
			  const char *name, unsigned arg, uint64_t v)
{
	int i = cf_abi_lookup(abi);
	struct seccomp_data d = {0};
	struct cf_decision dec;

	d.nr = (int)cf_syscall_number(i, name);
	d.arch = cf_abi_audit_arch(i);
	d.args[arg] = v;
	if (cf_filter_decide(f, &d, &dec) < 0)
		return 0xdeadbeef;
	return dec.action;
}

/* count calls of name on abi with argument arg = v (and the rest 0) */
static void ra_call(struct cf_record *r, const char *abi, const char *name,
		    unsigned arg, uint64_t v)
{
	int i = cf_abi_lookup(abi);
	uint32_t nr = ra_nr(abi, name), mask = cf_record_arg_mask(i, nr);

	CHECK_EQ(cf_record_add(r, i, nr, 1), 0);
	for (unsigned k = 0; k < 6; k++)
		if (mask >> k & 1)
			CHECK_EQ(
			    cf_record_add_arg(r, i, nr, k, k == arg ? v : 0),
			    0);
}

static void ra_count(void *ctx, const struct cf_diag *d)
{
	t_note("%s: %s", d->id, d->msg); /* says why on failure */
	(*(unsigned *)ctx)++;
}

/* The profile's notes and warnings under strict (int-arg-* included). */
static unsigned ra_findings(const char *json)
{
	struct cf_profile *p = NULL;
	struct cf_target t;
	struct cf_error err;
	unsigned n = 0;

	CHECK_EQ(cf_profile_parse(json, strlen(json), "rec.json", &p, &err), 0);
	CHECK_EQ(cf_target_default(&t, &err), 0);
	t.strict = true;
	if (p)
		CHECK(cf_check(p, &t, ra_count, &n, &err) >= 0);
	cf_profile_free(p);
	return n;
}

#define ALLOW SECCOMP_RET_ALLOW
#define EPERM_ (SECCOMP_RET_ERRNO | 1)

/* One recording under test: the record, the profile cf_record_json
 * writes from it (ra_compile), that profile compiled for the host and
 * the diagnostics it gave. */
struct ra_rec {
	struct cf_record *r;
	struct cf_filter *f;
	char *json;
	struct t_diags dg;
};

/* An empty recording in c; false (after a failed check) without one. */
static bool ra_open(struct ra_rec *c)
{
	struct cf_error err;

	memset(c, 0, sizeof(*c));
	return CHECK(cf_record_new(&c->r, &err) == 0);
}

/* The profile of c's recording with the distinct-value threshold max
 * (0: the default), compiled afresh (the diagnostics too): c->f, or NULL
 * after a failed check. */
static struct cf_filter *ra_compile(struct ra_rec *c, unsigned max)
{
	cf_filter_free(c->f);
	free(c->json);
	memset(&c->dg, 0, sizeof(c->dg));
	c->f = ra_profile(c->r, max, &c->dg, &c->json);
	return CHECK(c->f) ? c->f : NULL;
}

static void ra_close(struct ra_rec *c)
{
	cf_filter_free(c->f);
	free(c->json);
	cf_record_free(c->r);
}

/* The decision of x86_64's name with argument arg = v under c's profile. */
static uint32_t ra_x64(const struct ra_rec *c, const char *name, unsigned arg,
		       uint64_t v)
{
	return ra_decide(c->f, "x86_64", name, arg, v);
}

TEST(record_args_socket_and_personality_get_eq_rules)
{
	struct ra_rec c;

	if (!ra_open(&c))
		return;
	ra_call(c.r, "x86_64", "socket", 0, AF_UNIX);
	ra_call(c.r, "x86_64", "personality", 0, 0xffffffff);
	ra_call(c.r, "x86_64", "read", 0, 0);
	if (ra_compile(&c, 0)) {
		CHECK_EQ(ra_x64(&c, "socket", 0, AF_UNIX), ALLOW);
		CHECK_EQ(ra_x64(&c, "socket", 0, AF_INET), EPERM_);
		/* the kernel reads an int's low half: upper garbage changes
		 * nothing */
		CHECK_EQ(ra_x64(&c, "socket", 0, 0x100000000ULL | AF_UNIX),
			 ALLOW);
		CHECK_EQ(ra_x64(&c, "socket", 0, 0x100000000ULL | AF_INET),
			 EPERM_);
		CHECK_EQ(ra_x64(&c, "personality", 0, 0xffffffff), ALLOW);
		CHECK_EQ(ra_x64(&c, "personality", 0, 0), EPERM_);
		CHECK_EQ(ra_x64(&c, "read", 0, 12345), ALLOW);
		CHECK_CONTAINS(c.dg.text,
			       "[record-args] socket: 1 argument rule");
		CHECK_CONTAINS(c.dg.text,
			       "[record-args] personality: 1 argument rule");
		CHECK_EQ(ra_findings(c.json), 0);
	}
	ra_close(&c);
}

TEST(record_args_flag_words_eq_then_union_mask)
{
	struct ra_rec c;
	static const uint64_t many[] = {0x1,  0x2,  0x4,   0x10, 0x20,
					0x40, 0x80, 0x100, 0x3,	 0x5};

	if (!ra_open(&c))
		return;
	/* few protections: exactly those (R|W and R|X do not make W|X) */
	ra_call(c.r, "x86_64", "mmap", 2, PROT_READ | PROT_WRITE);
	ra_call(c.r, "x86_64", "mmap", 2, PROT_READ | PROT_EXEC);
	ra_call(c.r, "x86_64", "mmap", 2, PROT_READ | PROT_WRITE);
	/* many clone flag words: no bit outside their union */
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		ra_call(c.r, "x86_64", "clone", 0, many[i]);
	if (ra_compile(&c, 0)) {
		CHECK_EQ(ra_x64(&c, "mmap", 2, PROT_READ | PROT_WRITE), ALLOW);
		CHECK_EQ(ra_x64(&c, "mmap", 2, PROT_READ | PROT_EXEC), ALLOW);
		CHECK_EQ(ra_x64(&c, "mmap", 2, PROT_WRITE | PROT_EXEC), EPERM_);
		CHECK_EQ(ra_x64(&c, "mmap", 2, PROT_READ), EPERM_);
		CHECK_EQ(ra_x64(&c, "clone", 0, 0x1f7), ALLOW);
		CHECK_EQ(ra_x64(&c, "clone", 0, 0), ALLOW);
		CHECK_EQ(ra_x64(&c, "clone", 0, 0x200), EPERM_);
		CHECK_EQ(ra_x64(&c, "clone", 0, CLONE_NEWUSER), EPERM_);
		/* clone's flags are 64-bit: a high bit is not ignored */
		CHECK_EQ(ra_x64(&c, "clone", 0, 1ULL << 40), EPERM_);
		CHECK_CONTAINS(c.dg.text, "clone: 1 argument rule (argument "
					  "0: no bit outside those seen)");
		CHECK_CONTAINS(c.dg.text, "mmap: 2 argument rules");
		CHECK_EQ(ra_findings(c.json), 0);
	}
	ra_close(&c);
}

TEST(record_args_too_many_values_fall_back_and_are_reported)
{
	struct ra_rec c;

	if (!ra_open(&c))
		return;
	for (uint64_t v = 0; v < 20; v++)
		ra_call(c.r, "x86_64", "ioctl", 1, 0x5400 + v);
	for (uint64_t v = 0; v < 3; v++)
		ra_call(c.r, "x86_64", "prctl", 0, v + 1);
	/* the default threshold: 16 */
	if (ra_compile(&c, 0)) {
		CHECK_EQ(ra_x64(&c, "ioctl", 1, 0xdead), ALLOW);
		CHECK_EQ(ra_x64(&c, "prctl", 0, 4), EPERM_);
		CHECK_EQ(t_diags_count(&c.dg, "record-args-many"), 1);
		CHECK_CONTAINS(c.dg.text,
			       "[record-args-many] ioctl: argument "
			       "1 took more than 16 distinct values");
	}
	/* a lower one */
	if (ra_compile(&c, 2)) {
		CHECK_EQ(ra_x64(&c, "prctl", 0, 4), ALLOW);
		CHECK_EQ(t_diags_count(&c.dg, "record-args-many"), 2);
	}
	/* a higher one: the 20 values exactly */
	if (ra_compile(&c, 32)) {
		CHECK_EQ(ra_x64(&c, "ioctl", 1, 0x5413), ALLOW);
		CHECK_EQ(ra_x64(&c, "ioctl", 1, 0xdead), EPERM_);
		CHECK_EQ(t_diags_count(&c.dg, "record-args-many"), 0);
	}
	ra_close(&c);
}

TEST(record_args_clone3_goes_to_clone)
{
	struct ra_rec c;
	uint64_t thread = 0x3d0f00;

	if (!ra_open(&c))
		return;
	ra_call(c.r, "x86_64", "clone3", 0, thread);
	if (ra_compile(&c, 0)) {
		/* clone3: ENOSYS, whatever its (unreadable) struct; clone:
		 * its flags, though never called */
		CHECK_EQ(ra_x64(&c, "clone3", 0, 0),
			 SECCOMP_RET_ERRNO | ENOSYS);
		CHECK_EQ(ra_x64(&c, "clone", 0, thread), ALLOW);
		CHECK_EQ(ra_x64(&c, "clone", 0, CLONE_NEWUSER), EPERM_);
	}
	/* a flag only clone3 has (CLONE_CLEAR_SIGHAND): clone cannot stand
	 * in, clone3 is allowed whatever its flags */
	ra_call(c.r, "x86_64", "clone3", 0, 1ULL << 32);
	if (ra_compile(&c, 0)) {
		CHECK_EQ(ra_x64(&c, "clone3", 0, 0), ALLOW);
		CHECK_EQ(ra_x64(&c, "clone", 0, thread), EPERM_);
	}
	ra_close(&c);
}

TEST(record_args_calls_without_values_stay_unconditional)
{
	struct ra_rec c;

	if (!ra_open(&c))
		return;
	/* recorded without --args */
	CHECK_EQ(cf_record_add(c.r, cf_abi_lookup("x86_64"),
			       ra_nr("x86_64", "socket"), 1),
		 0);
	/* one ABI with values, another without: no condition either */
	ra_call(c.r, "x86_64", "personality", 0, 8);
	CHECK_EQ(cf_record_add(c.r, cf_abi_lookup("x86"),
			       ra_nr("x86", "personality"), 1),
		 0);
	if (ra_compile(&c, 0)) {
		CHECK_EQ(ra_x64(&c, "socket", 0, AF_INET), ALLOW);
		CHECK_EQ(ra_x64(&c, "personality", 0, 0), ALLOW);
	}
	CHECK(!strstr(c.dg.text, "record-args"));
	ra_close(&c);
}

TEST(record_args_run_calls_keep_run_working)
{
	struct ra_rec c;
	struct cf_run_opts o;

	if (!ra_open(&c))
		return;
	ra_call(c.r, "x86_64", "prctl", 0, 15); /* PR_SET_NAME */
	memset(&o, 0, sizeof(o));
	o.set_caps = true;
	o.caps = cf_caps_docker_default();
	CHECK_EQ(cf_record_add_run_calls(c.r, &o), 0);
	if (ra_compile(&c, 0)) {
		/* the workload's option, callfence run's, nothing else */
		CHECK_EQ(ra_x64(&c, "prctl", 0, 15), ALLOW);
		CHECK_EQ(ra_x64(&c, "prctl", 0, 24), ALLOW);
		CHECK_EQ(ra_x64(&c, "prctl", 0, 47), ALLOW);
		CHECK_EQ(ra_x64(&c, "prctl", 0, 22), EPERM_);
		CHECK_EQ(ra_x64(&c, "capset", 0, 0), ALLOW);
	}
	o.reserved[0] = 1;
	CHECK_EQ(cf_record_add_run_calls(c.r, &o), -EINVAL);
	ra_close(&c);
}

/* ---- the binary --------------------------------------------------------- */

/* Where a test of the binary records: a fresh directory (removed when the
 * test binary exits or the next test makes its own), the profile's path
 * in it and the --security-opt that runs under that profile. */
struct ra_files {
	char dir[64];
	char prof[80];
	char opt[96];
};

/* fs for a test of the binary; false when there is no binary or no
 * directory, or (skipped) when needs_root and this is not root. */
static bool ra_files(struct ra_files *fs, bool needs_root)
{
	static struct t_dir dir;

	if (!cmd_binary_present() || !t_fresh_dir(&dir, "recargs"))
		return false;
	if (needs_root && geteuid() != 0) {
		t_skip("`callfence run` of the profile needs root");
		return false;
	}
	snprintf(fs->dir, sizeof(fs->dir), "%s", dir.path);
	snprintf(fs->prof, sizeof(fs->prof), "%s/p.json", dir.path);
	snprintf(fs->opt, sizeof(fs->opt), "seccomp=%s", fs->prof);
	return true;
}

/* The decision of x86_64's name with argument 0 = v under the profile at
 * path. */
static uint32_t ra_decide_file(const char *path, const char *name, uint64_t v)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	uint32_t d = 0xdeadbeef;

	if (CHECK(cf_profile_load(path, &p, &err) == 0) &&
	    CHECK(cf_target_default(&t, &err) == 0) &&
	    CHECK(cf_compile(p, &t, &f, &err) == 0))
		d = ra_decide(f, "x86_64", name, 0, v);
	cf_filter_free(f);
	cf_profile_free(p);
	return d;
}

TEST(record_args_socket_inet_denied_workload_runs)
{
	static struct cmd_res rec, run, chk;
	struct ra_files fs;
	const char *helper = t_run_helper("sockpers"), *prof = fs.prof;
	const char *opt = fs.opt;

	if (!ra_files(&fs, true))
		return;
	cmd_run(&rec, (const char *const[]){"record", "--args", "-o", prof,
					    "--", helper, NULL});
	CHECK_EQ(rec.status, 0);
	CHECK_CONTAINS(rec.err, "socket: 1 argument rule");
	CHECK_CONTAINS(rec.err, "personality: 1 argument rule");
	CHECK_CONTAINS(rec.err, "argument rules: ");
	cmd_run(&run, (const char *const[]){"run", "--security-opt", opt, "--",
					    helper, NULL});
	CHECK_EQ(run.status, 0);
	CHECK_STR(run.out, rec.out);
	cmd_run(&run, (const char *const[]){"run", "--security-opt", opt, "--",
					    helper, "inet", NULL});
	CHECK_EQ(run.status, 0);
	CHECK_CONTAINS(run.out, "inet: Operation not permitted");
	cmd_run(&chk, (const char *const[]){"check", "--strict", prof, NULL});
	CHECK_EQ(chk.status, 0);
	CHECK_STR(chk.err, "");
	/* bad --max-values: usage, nothing run */
	cmd_run(&rec, (const char *const[]){"record", "--max-values", "0", "--",
					    helper, NULL});
	CHECK_EQ(rec.status, 125);
	CHECK_CONTAINS(rec.err, "--max-values: '0' is not a number");
}

/* A clone3 whose struct cannot be read (the same rule for the eBPF
 * recorder, tests/live/record-ebpf.sh, and the OCI hook's ptrace one, on
 * the same rec_ptrace_args): its flags are a lost value, so the recording
 * is lost (125, nothing written) rather than clone3 allowed whatever its
 * flags; --allow-loss writes the profile with a warning. */
TEST(record_args_unreadable_clone3_is_a_loss)
{
	static struct cmd_res rec;
	struct ra_files fs;
	const char *helper = t_run_helper("sockpers"), *prof = fs.prof;

	if (!ra_files(&fs, false))
		return;
	cmd_run(&rec, (const char *const[]){"record", "--backend", "ptrace",
					    "--args", "-o", prof, "--", helper,
					    "clone3-bad", NULL});
	CHECK_EQ(rec.status, 125);
	CHECK_CONTAINS(rec.out, "clone3: Bad address");
	CHECK_CONTAINS(rec.err, "cannot read clone3's struct clone_args");
	CHECK_CONTAINS(rec.err, "no profile written");
	CHECK(access(prof, F_OK) != 0);
	cmd_run(&rec,
		(const char *const[]){"record", "--backend", "ptrace", "--args",
				      "--allow-loss", "-o", prof, "--", helper,
				      "clone3-bad", NULL});
	CHECK_EQ(rec.status, 0);
	CHECK_CONTAINS(rec.err, "warning: cannot read clone3's struct");
	CHECK(access(prof, F_OK) == 0);
	/* without --args nothing is read: no loss */
	cmd_run(&rec,
		(const char *const[]){"record", "--backend", "ptrace", "-o",
				      prof, "--", helper, "clone3-bad", NULL});
	CHECK_EQ(rec.status, 0);
	CHECK_STR(strstr(rec.err, "lost") ? "lost" : "", "");
}

/* --append: the exact union with what the file allowed; refused (file
 * untouched) when it cannot be written */
TEST(record_append_merges_exactly_or_refuses)
{
	static struct cmd_res r;
	struct ra_files fs;
	const char *prof = fs.prof, *dir = fs.dir;
	char *before, *after;
	struct cf_error err;
	size_t len;

	if (!ra_files(&fs, false))
		return;
	/* a profile allowing only getpid: the union keeps it */
	cmd_file(dir, "p.json",
		 "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
		 "[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": "
		 "[\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": "
		 "[\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		 "[{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}]}");
	cmd_run(&r, (const char *const[]){"record", "--append", "-o", prof,
					  "--", "true", NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.err, "merged with what the profile allowed before");
	CHECK_EQ(ra_decide_file(prof, "getpid", 0), ALLOW);
	CHECK_EQ(ra_decide_file(prof, "execve", 0), ALLOW);
	CHECK_EQ(ra_decide_file(prof, "socket", 2), ALLOW);
	CHECK_EQ(ra_decide_file(prof, "socket", 1), EPERM_);
	CHECK_EQ(ra_decide_file(prof, "mount", 0), EPERM_);
	/* with x86 in the file: read allowed on x86_64 only cannot be
	 * written by name: nothing written, the file as it was */
	cmd_file(dir, "p.json",
		 "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
		 "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"], \"syscalls\": "
		 "[{\"names\": [\"getpid\"], \"action\": "
		 "\"SCMP_ACT_ALLOW\"}]}");
	before = NULL;
	CHECK_EQ(cf_read_path(prof, &before, &len, &err), 0);
	cmd_run(&r, (const char *const[]){"record", "--append", "-o", prof,
					  "--", "true", NULL});
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "cannot be merged exactly");
	CHECK_CONTAINS(r.err, "nothing written");
	after = NULL;
	CHECK_EQ(cf_read_path(prof, &after, &len, &err), 0);
	CHECK_STR(after, before);
	free(before);
	free(after);
	/* clone3's ENOSYS (libc's way back to clone) survives a merge with
	 * a recording that denies it with EPERM, in either order */
	cmd_file(dir, "p.json",
		 "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
		 "[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": "
		 "[\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", "
		 "\"errnoRet\": 38}]}");
	cmd_run(&r, (const char *const[]){"record", "--append", "-o", prof,
					  "--", "true", NULL});
	CHECK_EQ(r.status, 0);
	CHECK_EQ(ra_decide_file(prof, "clone3", 0), SECCOMP_RET_ERRNO | ENOSYS);
	/* a program that starts a thread (glibc's clone3) into a file that
	 * never mentions clone3 */
	cmd_file(dir, "p.json",
		 "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
		 "\"syscalls\": [{\"names\": [\"getpid\"], "
		 "\"action\": \"SCMP_ACT_ALLOW\"}]}");
	cmd_run(&r, (const char *const[]){"record", "--args", "--append", "-o",
					  prof, "--", t_run_helper("threads"),
					  NULL});
	CHECK_EQ(r.status, 0);
	CHECK_EQ(ra_decide_file(prof, "clone3", 0), SECCOMP_RET_ERRNO | ENOSYS);
	CHECK_EQ(ra_decide_file(prof, "getpid", 0), ALLOW);
	/* no file to merge into on stdout */
	cmd_run(&r, (const char *const[]){"record", "--append", "-o", "-", "--",
					  "true", NULL});
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "--append needs a file");
}

/* --runtime: whose calls between the filter and execve are added */
TEST(record_runtime_chooses_the_added_calls)
{
	static struct cmd_res r;
	struct ra_files fs;
	const char *prof = fs.prof;

	if (!ra_files(&fs, false))
		return;
	/* default: callfence run's, runc's and crun's (setuid: runc's;
	 * setresuid: callfence's and crun's) */
	cmd_run(&r, (const char *const[]){"record", "-o", prof, "--", "true",
					  NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.err, "added for runc's calls after installing the "
			      "filter (measured):");
	CHECK_CONTAINS(r.err, "added for crun's calls");
	CHECK_EQ(ra_decide_file(prof, "setuid", 0), ALLOW);
	CHECK_EQ(ra_decide_file(prof, "setresuid", 0), ALLOW);
	CHECK_EQ(ra_decide_file(prof, "capset", 0), ALLOW);
	/* crun only: its calls, not runc's */
	cmd_run(&r, (const char *const[]){"record", "--runtime", "crun", "-o",
					  prof, "--", "true", NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.err, "not added (--runtime): runc's");
	CHECK_EQ(ra_decide_file(prof, "setresuid", 0), ALLOW);
	CHECK_EQ(ra_decide_file(prof, "setuid", 0), EPERM_);
	/* none: what `true` called, nothing else */
	cmd_run(&r, (const char *const[]){"record", "--runtime", "none", "-o",
					  prof, "--", "true", NULL});
	CHECK_EQ(r.status, 0);
	CHECK_EQ(ra_decide_file(prof, "capset", 0), EPERM_);
	CHECK_EQ(ra_decide_file(prof, "execve", 0), ALLOW);
	cmd_run(&r, (const char *const[]){"record", "--runtime", "docker", "--",
					  "true", NULL});
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "--runtime: unknown runtime 'docker'");
}

/* strace's log of callfence's own writes (not its child's) while it runs
 * args; false (skipped) without strace. */
static bool ra_strace_writes(const char *log, const char *const *args)
{
	const char *argv[24] = {"strace", "-qq", "-s",
				"65536",  "-e",	 "trace=write",
				"-o",	  log,	 t_callfence_bin()};
	size_t n = 9;
	int st;
	pid_t pid;

	while (n < 23 && *args)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execvp("strace", (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) == 127) {
		t_skip("no strace");
		return false;
	}
	return true;
}

/* The summary reaches stderr in one write (it was one per fprintf,
 * about 45, with stderr unbuffered): every line of it in the write that
 * ends it. */
TEST(record_summary_is_one_write)
{
	struct ra_files fs;
	char log[128];
	char *text, *w;
	size_t writes = 0;

	if (!ra_files(&fs, false))
		return;
	snprintf(log, sizeof(log), "%s/strace.log", fs.dir);
	if (!ra_strace_writes(
		log, (const char *const[]){"record", "--backend", "ptrace",
					   "-o", fs.prof, "--", "true", NULL}))
		return;
	text = t_slurp(log); /* a static buffer */
	for (const char *c = text; (c = strstr(c, "write(2, ")); c++)
		writes++;
	w = strstr(text, "profile written to");
	CHECK(w != NULL);
	if (w) {
		char *start = w, *nl = strchr(w, '\n');

		while (start > text && start[-1] != '\n')
			start--;
		if (nl)
			*nl = 0; /* that write's line of the log */
		CHECK(strstr(start, "write(2, \"callfence record: ") == start);
		CHECK(strstr(start, " calls, ") != NULL);
		CHECK(strstr(start, "added for callfence run's own calls") !=
		      NULL);
		CHECK(strstr(start, "added for runc's calls") != NULL);
		CHECK(strstr(start, "added for crun's calls") != NULL);
	}
	/* ptrace's count line, a note, and the summary: a handful, not 45 */
	CHECK(writes >= 1 && writes <= 6);
}

/* The summary line of runc's added calls lists name iff the recording
 * did not see the workload call it (rt_seen). */
static bool runc_added_lists(const char *err, const char *name)
{
	const char *line = strstr(err, "added for runc's calls");
	const char *end = line ? strchr(line, '\n') : NULL;
	char want[64];

	snprintf(want, sizeof(want), " %s ", name);
	for (const char *c = line; c && (c = strstr(c, want)); c++)
		if (!end || c < end)
			return true;
	return false;
}

/* A runtime call the workload made itself is not listed as added: sh's
 * `cd /` calls chdir (runc's list has it); true does not. */
TEST(record_runtime_lists_only_calls_the_workload_did_not_make)
{
	static struct cmd_res r;
	struct ra_files fs;
	const char *prof = fs.prof;

	if (!ra_files(&fs, false))
		return;
	cmd_run(&r, (const char *const[]){"record", "-o", prof, "--", "true",
					  NULL});
	CHECK_EQ(r.status, 0);
	CHECK(runc_added_lists(r.err, "chdir"));
	cmd_run(&r, (const char *const[]){"record", "-o", prof, "--", "sh",
					  "-c", "cd /", NULL});
	CHECK_EQ(r.status, 0);
	CHECK(!runc_added_lists(r.err, "chdir"));
	CHECK(runc_added_lists(r.err, "setuid"));
	CHECK_EQ(ra_decide_file(prof, "chdir", 0), ALLOW);
}

/* json (a recorded profile) has a clone rule for flags value. */
static bool clone_rule(const char *json, unsigned long value)
{
	char want[128];

	snprintf(want, sizeof(want),
		 "{ \"index\": 0, \"value\": %lu, \"op\": \"SCMP_CMP_EQ\" }",
		 value);
	for (const char *c = json; (c = strstr(c, "\"names\": [\"clone\"],"));
	     c++) {
		const char *end = strstr(c, "]\n");

		if (end && strstr(c, want) && strstr(c, want) < end)
			return true;
	}
	return false;
}

/* clone3's flags come from the tracee's memory (rec_clone3_word): a
 * thread's and a spawn's clone3 (flags | exit_signal) give clone rules,
 * under which the recorded program runs again (clone3 ENOSYS, glibc
 * falls back to clone). */
TEST(record_args_reads_clone3_flags_from_the_tracee)
{
	static struct cmd_res rec, run;
	struct ra_files fs;
	const char *prof = fs.prof, *opt = fs.opt;
	const unsigned long thread = CLONE_VM | CLONE_FS | CLONE_FILES |
				     CLONE_SIGHAND | CLONE_THREAD |
				     CLONE_SYSVSEM | CLONE_SETTLS |
				     CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	const unsigned long spawn = CLONE_VM | CLONE_VFORK | SIGCHLD;
	const char *helper = t_run_helper("threads"), *json;

	if (!ra_files(&fs, true))
		return;
	cmd_run(&rec, (const char *const[]){"record", "--args", "-o", prof,
					    "--", helper, NULL});
	CHECK_EQ(rec.status, 0);
	CHECK_STR(rec.out, "joined\n");
	CHECK_CONTAINS(rec.err, "clone3: answered ENOSYS");
	json = t_slurp(prof);
	CHECK(clone_rule(json, thread));
	CHECK(clone_rule(json, spawn));
	cmd_run(&run, (const char *const[]){"run", "--security-opt", opt, "--",
					    helper, NULL});
	CHECK_EQ(run.status, 0);
	CHECK_STR(run.out, "joined\n");
}
