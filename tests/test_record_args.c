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

struct ra_diags {
	char text[8192];
	size_t many;
};

static void ra_diag(void *ctx, const struct cf_diag *d)
{
	struct ra_diags *s = ctx;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "[%s] %s\n", d->id,
		 d->msg);
	s->many += !strcmp(d->id, "record-args-many");
}

/* The profile of r, compiled for the host; its JSON in *json_out. */
static struct cf_filter *ra_profile(const struct cf_record *r, unsigned max,
				    struct ra_diags *dg, char **json_out)
{
	struct cf_record_opts o = {NULL, ra_diag, dg, max, {0}};
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

TEST(record_args_socket_and_personality_get_eq_rules)
{
	struct cf_record *r;
	struct cf_error err;
	struct ra_diags dg = {{0}, 0};
	struct cf_filter *f;
	char *json = NULL;

	if (!CHECK(cf_record_new(&r, &err) == 0))
		return;
	ra_call(r, "x86_64", "socket", 0, AF_UNIX);
	ra_call(r, "x86_64", "personality", 0, 0xffffffff);
	ra_call(r, "x86_64", "read", 0, 0);
	f = ra_profile(r, 0, &dg, &json);
	if (!CHECK(f))
		goto out;
	CHECK_EQ(ra_decide(f, "x86_64", "socket", 0, AF_UNIX), ALLOW);
	CHECK_EQ(ra_decide(f, "x86_64", "socket", 0, AF_INET), EPERM_);
	/* the kernel reads an int's low half: upper garbage changes nothing */
	CHECK_EQ(ra_decide(f, "x86_64", "socket", 0, 0x100000000ULL | AF_UNIX),
		 ALLOW);
	CHECK_EQ(ra_decide(f, "x86_64", "socket", 0, 0x100000000ULL | AF_INET),
		 EPERM_);
	CHECK_EQ(ra_decide(f, "x86_64", "personality", 0, 0xffffffff), ALLOW);
	CHECK_EQ(ra_decide(f, "x86_64", "personality", 0, 0), EPERM_);
	CHECK_EQ(ra_decide(f, "x86_64", "read", 0, 12345), ALLOW);
	CHECK_CONTAINS(dg.text, "[record-args] socket: 1 argument rule");
	CHECK_CONTAINS(dg.text, "[record-args] personality: 1 argument rule");
	CHECK_EQ(ra_findings(json), 0);
	cf_filter_free(f);
out:
	free(json);
	cf_record_free(r);
}

TEST(record_args_flag_words_eq_then_union_mask)
{
	struct cf_record *r;
	struct cf_error err;
	struct ra_diags dg = {{0}, 0};
	struct cf_filter *f;
	char *json = NULL;
	static const uint64_t many[] = {0x1,  0x2,  0x4,   0x10, 0x20,
					0x40, 0x80, 0x100, 0x3,	 0x5};

	if (!CHECK(cf_record_new(&r, &err) == 0))
		return;
	/* few protections: exactly those (R|W and R|X do not make W|X) */
	ra_call(r, "x86_64", "mmap", 2, PROT_READ | PROT_WRITE);
	ra_call(r, "x86_64", "mmap", 2, PROT_READ | PROT_EXEC);
	ra_call(r, "x86_64", "mmap", 2, PROT_READ | PROT_WRITE);
	/* many clone flag words: no bit outside their union */
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		ra_call(r, "x86_64", "clone", 0, many[i]);
	f = ra_profile(r, 0, &dg, &json);
	if (!CHECK(f))
		goto out;
	CHECK_EQ(ra_decide(f, "x86_64", "mmap", 2, PROT_READ | PROT_WRITE),
		 ALLOW);
	CHECK_EQ(ra_decide(f, "x86_64", "mmap", 2, PROT_READ | PROT_EXEC),
		 ALLOW);
	CHECK_EQ(ra_decide(f, "x86_64", "mmap", 2, PROT_WRITE | PROT_EXEC),
		 EPERM_);
	CHECK_EQ(ra_decide(f, "x86_64", "mmap", 2, PROT_READ), EPERM_);
	CHECK_EQ(ra_decide(f, "x86_64", "clone", 0, 0x1f7), ALLOW);
	CHECK_EQ(ra_decide(f, "x86_64", "clone", 0, 0), ALLOW);
	CHECK_EQ(ra_decide(f, "x86_64", "clone", 0, 0x200), EPERM_);
	CHECK_EQ(ra_decide(f, "x86_64", "clone", 0, CLONE_NEWUSER), EPERM_);
	/* clone's flags are 64-bit: a high bit is not ignored */
	CHECK_EQ(ra_decide(f, "x86_64", "clone", 0, 1ULL << 40), EPERM_);
	CHECK_CONTAINS(dg.text, "clone: 1 argument rule (argument 0: no bit "
				"outside those seen)");
	CHECK_CONTAINS(dg.text, "mmap: 2 argument rules");
	CHECK_EQ(ra_findings(json), 0);
	cf_filter_free(f);
out:
	free(json);
	cf_record_free(r);
}

TEST(record_args_too_many_values_fall_back_and_are_reported)
{
	struct cf_record *r;
	struct cf_error err;
	struct ra_diags dg = {{0}, 0};
	struct cf_filter *f;
	char *json = NULL;

	if (!CHECK(cf_record_new(&r, &err) == 0))
		return;
	for (uint64_t v = 0; v < 20; v++)
		ra_call(r, "x86_64", "ioctl", 1, 0x5400 + v);
	for (uint64_t v = 0; v < 3; v++)
		ra_call(r, "x86_64", "prctl", 0, v + 1);
	/* the default threshold: 16 */
	f = ra_profile(r, 0, &dg, &json);
	if (CHECK(f)) {
		CHECK_EQ(ra_decide(f, "x86_64", "ioctl", 1, 0xdead), ALLOW);
		CHECK_EQ(ra_decide(f, "x86_64", "prctl", 0, 4), EPERM_);
		CHECK_EQ(dg.many, 1);
		CHECK_CONTAINS(dg.text, "[record-args-many] ioctl: argument 1 "
					"took more than 16 distinct values");
	}
	cf_filter_free(f);
	free(json);
	/* a lower one */
	memset(&dg, 0, sizeof(dg));
	f = ra_profile(r, 2, &dg, &json);
	if (CHECK(f)) {
		CHECK_EQ(ra_decide(f, "x86_64", "prctl", 0, 4), ALLOW);
		CHECK_EQ(dg.many, 2);
	}
	cf_filter_free(f);
	free(json);
	/* a higher one: the 20 values exactly */
	memset(&dg, 0, sizeof(dg));
	f = ra_profile(r, 32, &dg, &json);
	if (CHECK(f)) {
		CHECK_EQ(ra_decide(f, "x86_64", "ioctl", 1, 0x5413), ALLOW);
		CHECK_EQ(ra_decide(f, "x86_64", "ioctl", 1, 0xdead), EPERM_);
		CHECK_EQ(dg.many, 0);
	}
	cf_filter_free(f);
	free(json);
	cf_record_free(r);
}

TEST(record_args_clone3_goes_to_clone)
{
	struct cf_record *r;
	struct cf_error err;
	struct ra_diags dg = {{0}, 0};
	struct cf_filter *f;
	char *json = NULL;
	uint64_t thread = 0x3d0f00;

	if (!CHECK(cf_record_new(&r, &err) == 0))
		return;
	ra_call(r, "x86_64", "clone3", 0, thread);
	f = ra_profile(r, 0, &dg, &json);
	if (!CHECK(f))
		goto out;
	/* clone3: ENOSYS, whatever its (unreadable) struct; clone: its
	 * flags, though never called */
	CHECK_EQ(ra_decide(f, "x86_64", "clone3", 0, 0),
		 SECCOMP_RET_ERRNO | ENOSYS);
	CHECK_EQ(ra_decide(f, "x86_64", "clone", 0, thread), ALLOW);
	CHECK_EQ(ra_decide(f, "x86_64", "clone", 0, CLONE_NEWUSER), EPERM_);
	cf_filter_free(f);
	free(json);
	/* a flag only clone3 has (CLONE_CLEAR_SIGHAND): clone cannot stand
	 * in, clone3 is allowed whatever its flags */
	ra_call(r, "x86_64", "clone3", 0, 1ULL << 32);
	f = ra_profile(r, 0, &dg, &json);
	if (CHECK(f)) {
		CHECK_EQ(ra_decide(f, "x86_64", "clone3", 0, 0), ALLOW);
		CHECK_EQ(ra_decide(f, "x86_64", "clone", 0, thread), EPERM_);
	}
	cf_filter_free(f);
out:
	free(json);
	cf_record_free(r);
}

TEST(record_args_calls_without_values_stay_unconditional)
{
	struct cf_record *r;
	struct cf_error err;
	struct ra_diags dg = {{0}, 0};
	struct cf_filter *f;
	char *json = NULL;
	int x64 = cf_abi_lookup("x86_64");

	if (!CHECK(cf_record_new(&r, &err) == 0))
		return;
	/* recorded without --args */
	CHECK_EQ(cf_record_add(r, x64, ra_nr("x86_64", "socket"), 1), 0);
	/* one ABI with values, another without: no condition either */
	ra_call(r, "x86_64", "personality", 0, 8);
	CHECK_EQ(cf_record_add(r, cf_abi_lookup("x86"),
			       ra_nr("x86", "personality"), 1),
		 0);
	f = ra_profile(r, 0, &dg, &json);
	if (CHECK(f)) {
		CHECK_EQ(ra_decide(f, "x86_64", "socket", 0, AF_INET), ALLOW);
		CHECK_EQ(ra_decide(f, "x86_64", "personality", 0, 0), ALLOW);
	}
	CHECK(!strstr(dg.text, "record-args"));
	cf_filter_free(f);
	free(json);
	cf_record_free(r);
}

TEST(record_args_run_calls_keep_run_working)
{
	struct cf_record *r;
	struct cf_error err;
	struct ra_diags dg = {{0}, 0};
	struct cf_filter *f;
	char *json = NULL;
	struct cf_run_opts o;

	if (!CHECK(cf_record_new(&r, &err) == 0))
		return;
	ra_call(r, "x86_64", "prctl", 0, 15); /* PR_SET_NAME */
	memset(&o, 0, sizeof(o));
	o.set_caps = true;
	o.caps = cf_caps_docker_default();
	CHECK_EQ(cf_record_add_run_calls(r, &o), 0);
	f = ra_profile(r, 0, &dg, &json);
	if (CHECK(f)) {
		/* the workload's option, callfence run's, nothing else */
		CHECK_EQ(ra_decide(f, "x86_64", "prctl", 0, 15), ALLOW);
		CHECK_EQ(ra_decide(f, "x86_64", "prctl", 0, 24), ALLOW);
		CHECK_EQ(ra_decide(f, "x86_64", "prctl", 0, 47), ALLOW);
		CHECK_EQ(ra_decide(f, "x86_64", "prctl", 0, 22), EPERM_);
		CHECK_EQ(ra_decide(f, "x86_64", "capset", 0, 0), ALLOW);
	}
	o.reserved[0] = 1;
	CHECK_EQ(cf_record_add_run_calls(r, &o), -EINVAL);
	cf_filter_free(f);
	free(json);
	cf_record_free(r);
}

/* ---- the binary --------------------------------------------------------- */

TEST(record_args_socket_inet_denied_workload_runs)
{
	static struct cmd_res rec, run, chk;
	char dir[] = "/tmp/cf-recargs-XXXXXX", helper[4200], prof[64];
	char opt[128];

	if (!cmd_binary_present() || !mkdtemp(dir))
		return;
	if (geteuid() != 0) {
		t_skip("`callfence run` of the profile needs root");
		rmdir(dir);
		return;
	}
	snprintf(helper, sizeof(helper), "%s", t_callfence_bin());
	*strrchr(helper, '/') = 0;
	strcat(helper, "/tests/run/sockpers");
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	snprintf(opt, sizeof(opt), "seccomp=%s", prof);
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
	unlink(prof);
	rmdir(dir);
}

/* A clone3 whose struct cannot be read (the same rule for the eBPF
 * recorder, tests/live/record-ebpf.sh, and the OCI hook's ptrace one, on
 * the same rec_ptrace_args): its flags are a lost value, so the recording
 * is lost (125, nothing written) rather than clone3 allowed whatever its
 * flags; --allow-loss writes the profile with a warning. */
TEST(record_args_unreadable_clone3_is_a_loss)
{
	static struct cmd_res rec;
	char dir[] = "/tmp/cf-recc3-XXXXXX", prof[64];
	const char *helper;

	if (!cmd_binary_present() || !mkdtemp(dir))
		return;
	helper = t_run_helper("sockpers");
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
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
	unlink(prof);
	rmdir(dir);
}

/* The decision of name (arguments 0) under the profile at path. */
static uint32_t ra_decide_file(const char *path, const char *name)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	uint32_t d = 0xdeadbeef;

	if (cf_profile_load(path, &p, &err) == 0 &&
	    cf_target_default(&t, &err) == 0 &&
	    cf_compile(p, &t, &f, &err) == 0)
		d = ra_decide(f, "x86_64", name, 0, 0);
	cf_filter_free(f);
	cf_profile_free(p);
	return d;
}

/* --append: the exact union with what the file allowed; refused (file
 * untouched) when it cannot be written */
TEST(record_append_merges_exactly_or_refuses)
{
	static struct cmd_res r;
	char dir[] = "/tmp/cf-recappend-XXXXXX", prof[64], *before, *after;
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	size_t len;

	if (!cmd_binary_present() || !mkdtemp(dir))
		return;
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
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
	CHECK_EQ(cf_profile_load(prof, &p, &err), 0);
	CHECK_EQ(cf_target_default(&t, &err), 0);
	if (p && CHECK(cf_compile(p, &t, &f, &err) == 0)) {
		CHECK_EQ(ra_decide(f, "x86_64", "getpid", 0, 0), ALLOW);
		CHECK_EQ(ra_decide(f, "x86_64", "execve", 0, 0), ALLOW);
		CHECK_EQ(ra_decide(f, "x86_64", "socket", 0, 2), ALLOW);
		CHECK_EQ(ra_decide(f, "x86_64", "socket", 0, 1), EPERM_);
		CHECK_EQ(ra_decide(f, "x86_64", "mount", 0, 0), EPERM_);
	}
	cf_filter_free(f);
	cf_profile_free(p);
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
	CHECK_EQ(ra_decide_file(prof, "clone3"), SECCOMP_RET_ERRNO | ENOSYS);
	if (access("/usr/bin/python3", X_OK) == 0) {
		cmd_file(dir, "p.json",
			 "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
			 "\"syscalls\": [{\"names\": [\"getpid\"], "
			 "\"action\": \"SCMP_ACT_ALLOW\"}]}");
		cmd_run(&r, (const char *const[]){
				"record", "--args", "--append", "-o", prof,
				"--", "/usr/bin/python3", "-c",
				"import threading as t; x = t.Thread("
				"target=print); x.start(); x.join()",
				NULL});
		CHECK_EQ(r.status, 0);
		CHECK_EQ(ra_decide_file(prof, "clone3"),
			 SECCOMP_RET_ERRNO | ENOSYS);
		CHECK_EQ(ra_decide_file(prof, "getpid"), ALLOW);
	}
	/* no file to merge into on stdout */
	cmd_run(&r, (const char *const[]){"record", "--append", "-o", "-", "--",
					  "true", NULL});
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "--append needs a file");
	unlink(prof);
	rmdir(dir);
}

/* --runtime: whose calls between the filter and execve are added */
TEST(record_runtime_chooses_the_added_calls)
{
	static struct cmd_res r;
	char dir[] = "/tmp/cf-recrt-XXXXXX", prof[64];

	if (!cmd_binary_present() || !mkdtemp(dir))
		return;
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	/* default: callfence run's, runc's and crun's (setuid: runc's;
	 * setresuid: callfence's and crun's) */
	cmd_run(&r, (const char *const[]){"record", "-o", prof, "--", "true",
					  NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.err, "added for runc's calls after installing the "
			      "filter (measured):");
	CHECK_CONTAINS(r.err, "added for crun's calls");
	CHECK_EQ(ra_decide_file(prof, "setuid"), ALLOW);
	CHECK_EQ(ra_decide_file(prof, "setresuid"), ALLOW);
	CHECK_EQ(ra_decide_file(prof, "capset"), ALLOW);
	/* crun only: its calls, not runc's */
	cmd_run(&r, (const char *const[]){"record", "--runtime", "crun", "-o",
					  prof, "--", "true", NULL});
	CHECK_EQ(r.status, 0);
	CHECK_CONTAINS(r.err, "not added (--runtime): runc's");
	CHECK_EQ(ra_decide_file(prof, "setresuid"), ALLOW);
	CHECK_EQ(ra_decide_file(prof, "setuid"), EPERM_);
	/* none: what `true` called, nothing else */
	cmd_run(&r, (const char *const[]){"record", "--runtime", "none", "-o",
					  prof, "--", "true", NULL});
	CHECK_EQ(r.status, 0);
	CHECK_EQ(ra_decide_file(prof, "capset"), EPERM_);
	CHECK_EQ(ra_decide_file(prof, "execve"), ALLOW);
	cmd_run(&r, (const char *const[]){"record", "--runtime", "docker", "--",
					  "true", NULL});
	CHECK_EQ(r.status, 125);
	CHECK_CONTAINS(r.err, "--runtime: unknown runtime 'docker'");
	unlink(prof);
	rmdir(dir);
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
	char dir[] = "/tmp/cf-recclone3-XXXXXX", prof[64], opt[128];
	const unsigned long thread = CLONE_VM | CLONE_FS | CLONE_FILES |
				     CLONE_SIGHAND | CLONE_THREAD |
				     CLONE_SYSVSEM | CLONE_SETTLS |
				     CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	const unsigned long spawn = CLONE_VM | CLONE_VFORK | SIGCHLD;
	const char *helper, *json;

	if (!cmd_binary_present() || !mkdtemp(dir))
		return;
	if (geteuid() != 0) {
		t_skip("`callfence run` of the profile needs root");
		rmdir(dir);
		return;
	}
	helper = t_run_helper("threads");
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	snprintf(opt, sizeof(opt), "seccomp=%s", prof);
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
	unlink(prof);
	rmdir(dir);
}
