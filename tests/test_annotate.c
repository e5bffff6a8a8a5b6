/* SPDX-License-Identifier: Apache-2.0 */
/*
 * disasm --annotate and cf_filter_annotate: what each instruction is for.
 *   - a profile with argument rules on two ABIs (x86_64, x86): the
 *     compares of personality's code name exactly the rule whose value
 *     they test (8 and its boundaries: /syscalls/1/args/0 ALLOW;
 *     0xffffffff: /syscalls/2/args/0 ERRNO(22)), clone's masked compare
 *     /syscalls/3/args/0, on both ABIs; the dispatch names the ABIs, the
 *     search its ranges, the default action's return /defaultAction;
 *     every instruction gets one annotation (text, --json, stdin);
 *   - FILE not compiled from PROFILE with these options (another profile,
 *     another native ABI, another ENOSYS mode) is refused: exit 1,
 *     nothing on stdout; bad input and usage errors;
 *   - on every reference profile, native ABI and mode: one line per
 *     instruction, "unreached" exactly for instructions no path reaches,
 *     every compare of argument code reads one load, and names a rule
 *     when that load is of an argument.
 */
#include "t.h"

#include "base.h"
#include "cmd.h"

#include <stdlib.h>

static const char two_abis[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
    " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],\n"
    " \"syscalls\": [\n"
    "  {\"names\": [\"getpid\", \"read\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
    "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "   \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "   \"errnoRet\": 22, \"args\": [{\"index\": 0, \"value\": 4294967295,\n"
    "   \"op\": \"SCMP_CMP_EQ\"}]},\n"
    "  {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "   \"args\": [{\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0,\n"
    "   \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}\n";

struct paths {
	char dir[64], prof[128], prog[128], other[128];
};

static bool setup(struct paths *p)
{
	static struct cmd_res r;

	snprintf(p->dir, sizeof(p->dir), "/tmp/cf-annot-XXXXXX");
	if (!cmd_binary_present() || !mkdtemp(p->dir)) {
		t_fail(__FILE__, __LINE__, "mkdtemp failed");
		return false;
	}
	snprintf(p->prof, sizeof(p->prof), "%s",
		 cmd_file(p->dir, "two.json", two_abis));
	snprintf(p->prog, sizeof(p->prog), "%s/two.bpf", p->dir);
	snprintf(p->other, sizeof(p->other), "%s/other.bpf", p->dir);
	cmd_run(&r, (const char *const[]){"compile", "--native", "x86_64",
					  "--kernel", "6.8", p->prof, "-o",
					  p->prog, NULL});
	return CHECK(r.status == 0);
}

static void cleanup(const struct paths *p)
{
	char path[200];

	for (int i = 0; i < 5; i++) {
		static const char *const names[] = {"two.json", "two.bpf",
						    "other.bpf", "bad.json",
						    "short.bpf"};

		snprintf(path, sizeof(path), "%s/%s", p->dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/u.json", p->dir);
	unlink(path);
	rmdir(p->dir);
}

static size_t count(const char *text, const char *s)
{
	size_t n = 0;

	for (const char *q = text; (q = strstr(q, s)); q += strlen(s))
		n++;
	return n;
}

/* Checks the compares of personality's code that serves abi (its label
 * "x86_64 personality: arg0.lo ", or a list of ABIs when the code is
 * shared, "x86_64 personality, x86 personality: arg0.lo "): each names
 * the one rule whose value it tests. */
static void check_personality(const char *out, const char *abi)
{
	static const char key[] = " personality: arg0.lo ";
	char first[64], other[64];
	unsigned allow = 0, deny = 0;

	snprintf(first, sizeof(first), "; %s personality", abi);
	snprintf(other, sizeof(other), ", %s personality", abi);
	for (const char *q = out; q && *q;
	     q = strchr(q, '\n'), q = q ? q + 1 : q) {
		const char *nl = strchr(q, '\n'), *op;
		char line[1024];
		unsigned long k;

		snprintf(line, sizeof(line), "%.*s",
			 (int)(nl ? nl - q : (long)strlen(q)), q);
		op = strstr(line, key);
		if (!op || (!strstr(line, first) && !strstr(line, other)))
			continue;
		op += strlen(key);
		k = strtoul(strchr(op, ' ') + 1, NULL, 0);
		if (k >= 7 && k <= 9) {
			allow++;
			CHECK_CONTAINS(line,
				       "<- personality /syscalls/1/args/0 "
				       "(SCMP_ACT_ALLOW)");
			CHECK(!strstr(line, "/syscalls/2"));
		} else if (k >= 0xfffffffeUL) {
			deny++;
			CHECK_CONTAINS(line,
				       "<- personality /syscalls/2/args/0 "
				       "(SCMP_ACT_ERRNO(22))");
			CHECK(!strstr(line, "/syscalls/1"));
		}
	}
	if (!CHECK(allow > 0) || !CHECK(deny > 0))
		t_note("%s: %u compares for 8, %u for 0xffffffff", abi, allow,
		       deny);
}

TEST(annotate_names_the_rule_of_each_compare_on_two_abis)
{
	static struct cmd_res r, in;
	struct paths p;
	struct stat st;

	if (!setup(&p))
		return;
	CHECK(stat(p.prog, &st) == 0);
	cmd_run(&r, (const char *const[]){"disasm", "--annotate", p.prof,
					  "--native", "x86_64", "--kernel",
					  "6.8", p.prog, NULL});
	CHECK_EQ(r.status, 0);
	CHECK(r.out_len + 1 < sizeof(r.out));
	CHECK_EQ(count(r.out, "\n"), (size_t)st.st_size / 8);
	check_personality(r.out, "x86_64");
	check_personality(r.out, "x86");
	/* one copy of clone's check serves both ABIs (gen_tails.c) */
	CHECK_CONTAINS(r.out, "; x86_64 clone, x86 clone: arg0.lo & 0x7e020000 "
			      "<- clone /syscalls/3/args/0 (SCMP_ACT_ALLOW)");
	CHECK_CONTAINS(r.out, "x86_64 personality: load arg0.hi");
	CHECK_CONTAINS(r.out, "; dispatch: arch == 0xc000003e (x86_64)");
	CHECK_CONTAINS(r.out, "; dispatch: arch == 0x40000003 (x86)");
	CHECK_CONTAINS(r.out, "; x86_64 search nr 0..");
	CHECK_CONTAINS(r.out, "default action /defaultAction");
	CHECK_CONTAINS(r.out, "; return SCMP_ACT_KILL_THREAD: an ABI not in "
			      "the filter");
	CHECK(!strstr(r.out, "unreached"));
	/* the same from standard input, and as JSON */
	cmd_run_env(&in, &(struct cmd_env){.stdin_file = p.prog},
		    (const char *const[]){"disasm", "--annotate", p.prof,
					  "--native", "x86_64", "--kernel",
					  "6.8", "-", NULL});
	CHECK_EQ(in.status, 0);
	CHECK_STR(in.out, r.out);
	cmd_run(&r, (const char *const[]){"disasm", "--json", "--annotate",
					  p.prof, "--native", "x86_64",
					  "--kernel", "6.8", p.prog, NULL});
	CHECK_EQ(r.status, 0);
	CHECK_EQ(count(r.out, "\"annotation\": \""), (size_t)st.st_size / 8);
	CHECK_CONTAINS(r.out, "personality /syscalls/2/args/0 "
			      "(SCMP_ACT_ERRNO(22))\"}");
	cleanup(&p);
}

/* disasm --annotate with extra arguments: exit 1, nothing printed, the
 * refusal on stderr. */
static void check_refused(const char *prof, const char *prog, const char *opt1,
			  const char *opt2)
{
	static struct cmd_res r;

	cmd_run(&r,
		(const char *const[]){"disasm", "--annotate", prof, "--kernel",
				      "6.8", opt1, opt2, prog, NULL});
	CHECK_EQ(r.status, 1);
	CHECK_EQ(r.out_len, 0);
	CHECK_CONTAINS(r.err, "was not compiled from");
	CHECK_CONTAINS(r.err, "first difference at instruction");
}

TEST(annotate_refuses_a_program_the_profile_does_not_compile_to)
{
	static struct cmd_res r;
	struct paths p;

	if (!setup(&p))
		return;
	/* another profile */
	cmd_run(&r, (const char *const[]){"compile", "--native", "x86_64",
					  "--kernel", "6.8", "builtin", "-o",
					  p.other, NULL});
	CHECK_EQ(r.status, 0);
	check_refused(p.prof, p.other, "--native", "x86_64");
	/* the same profile compiled with other options */
	check_refused(p.prof, p.prog, "--native", "x86");
	check_refused(p.prof, p.prog, "--enosys", "none");
	check_refused(p.prof, p.prog, "--harden", "--native=x86_64");
	cleanup(&p);
}

/* Runs args; checks the exit status and that stderr holds msg. */
static void check_error(const char *const *args, int status, const char *msg)
{
	static struct cmd_res r;

	cmd_run(&r, args);
	CHECK_EQ(r.status, status);
	if (!CHECK(strstr(r.err, msg) != NULL))
		t_note("stderr: %s", r.err);
	CHECK_EQ(r.out_len, 0);
}

TEST(annotate_bad_input_and_usage)
{
	struct paths p;
	const char *bad, *unconf, *shortp;

	if (!setup(&p))
		return;
	bad = cmd_file(p.dir, "bad.json",
		       "{\"defaultAction\": \"SCMP_ACT_"
		       "ALLOW\",\n \"syscalls\": [1]}");
	unconf = cmd_file(p.dir, "u.json", "{}");
	shortp = cmd_file(p.dir, "short.bpf", "12345");
	check_error((const char *const[]){"disasm", "--annotate", p.prof,
					  "/nonexistent/prog", NULL},
		    1, "/nonexistent/prog");
	check_error(
	    (const char *const[]){"disasm", "--annotate", p.prof, shortp, NULL},
	    1, "short.bpf");
	check_error(
	    (const char *const[]){"disasm", "--annotate", bad, p.prog, NULL}, 1,
	    "bad.json:2:");
	check_error(
	    (const char *const[]){"disasm", "--annotate", unconf, p.prog, NULL},
	    1, "means unconfined");
	check_error(
	    (const char *const[]){"disasm", "--annotate", "-", "-", NULL}, 2,
	    "cannot both be standard input");
	check_error(
	    (const char *const[]){"disasm", "--native", "x86", p.prog, NULL}, 2,
	    "go with --annotate");
	check_error((const char *const[]){"disasm", "--annotate", p.prof, NULL},
		    2, "disasm needs one FILE");
	check_error((const char *const[]){"disasm", p.prog, "--annotate", NULL},
		    2, "usage: callfence disasm");
	check_error((const char *const[]){"disasm", "--annotate", p.prof,
					  "--kernel", "x", p.prog, NULL},
		    2, "");
	check_error(
	    (const char *const[]){"disasm", "--annotat", p.prof, p.prog, NULL},
	    2, "--annotate");
	cleanup(&p);
}

/* Instructions some path from the first reaches (jumps go forward). */
static void reachable(const struct sock_filter *p, size_t len, bool *seen)
{
	memset(seen, 0, len);
	seen[0] = true;
	for (size_t pc = 0; pc < len; pc++) {
		uint16_t c = p[pc].code;

		if (!seen[pc] || BPF_CLASS(c) == BPF_RET)
			continue;
		if (c == (BPF_JMP | BPF_JA))
			seen[pc + 1 + p[pc].k] = true;
		else if (BPF_CLASS(c) == BPF_JMP)
			seen[pc + 1 + p[pc].jt] = seen[pc + 1 + p[pc].jf] =
			    true;
		else
			seen[pc + 1] = true;
	}
}

/* One filter: a line per instruction; "unreached" exactly where no path
 * leads; every compare of argument code reads one load and names a
 * rule. Returns the number of bad lines. */
static unsigned check_filter(const struct cf_filter *f, const char *what)
{
	size_t len, tlen, pc = 0;
	const struct sock_filter *p = cf_filter_program(f, &len);
	struct cf_insn_part *parts = calloc(len, sizeof(*parts));
	bool *seen = calloc(len, 1);
	char *text = NULL, *line;
	struct cf_error err;
	unsigned bad = 0;

	if (!parts || !seen || cf_filter_parts(f, parts, &err) ||
	    cf_filter_annotate(f, &text, &tlen, &err)) {
		t_fail(__FILE__, __LINE__, "%s: %s", what, err.msg);
		bad++;
		goto out;
	}
	reachable(p, len, seen);
	CHECK_EQ(strlen(text), tlen);
	for (line = text; *line && pc < len; pc++) {
		char *nl = strchr(line, '\n');
		bool cmp = BPF_CLASS(p[pc].code) == BPF_JMP &&
			   p[pc].code != (BPF_JMP | BPF_JA);
		bool ok = true;

		if (!nl)
			break;
		*nl = 0;
		ok &= !strncmp(line, "unreached", 9) == !seen[pc];
		/* a compare of an argument word names the rules it tests */
		if (seen[pc] && cmp && parts[pc].part == CF_PART_ARGS)
			ok &= !strstr(line, "several") &&
			      (!strstr(line, ": arg") || strstr(line, " <- "));
		if (!ok && bad++ < 5)
			t_fail(__FILE__, __LINE__, "%s: instruction %zu: %s",
			       what, pc, line);
		line = nl + 1;
	}
	if (pc != len || *line)
		bad += !CHECK(pc == len && !*line);
out:
	free(text);
	free(seen);
	free(parts);
	return bad;
}

static const char *const natives[] = {"x86_64", "aarch64", "s390x", "ppc64le",
				      "x86"};

static unsigned check_fixture(const char *name, const char *text, size_t len,
			      unsigned *n)
{
	unsigned bad = 0;

	for (size_t k = 0; k < CF_ARRAY_SIZE(natives); k++)
		for (int mode = 0; mode < 3; mode++) {
			struct cf_target tg = {
			    .native = cf_abi_lookup(natives[k]),
			    .caps = cf_caps_docker_default(),
			    .kernel = 6 << 16 | 18,
			    .harden = mode == 1,
			    .enosys =
				mode == 2 ? CF_ENOSYS_NONE : CF_ENOSYS_RUNC};
			struct cf_profile *p = NULL;
			struct cf_filter *f = NULL;
			struct cf_error err;
			char what[160];

			snprintf(what, sizeof(what), "%s on %s mode %d", name,
				 natives[k], mode);
			if (!cf_profile_parse(text, len, name, &p, &err) &&
			    !cf_compile(p, &tg, &f, &err) &&
			    !cf_filter_unconfined(f)) {
				bad += check_filter(f, what);
				(*n)++;
			}
			cf_filter_free(f);
			cf_profile_free(p);
		}
	return bad;
}

TEST(annotate_every_reference_profile)
{
	unsigned bad = 0, n = 0;
	struct cf_profile *p;
	struct cf_filter *f = NULL;
	struct cf_target tg;
	struct cf_error err;
	char *text;
	size_t len;

	for (size_t i = 0; i < t_nfixtures; i++) {
		text = t_fixture_read(t_fixtures[i], &len);
		if (!text)
			return;
		bad += check_fixture(t_fixtures[i], text, len, &n);
		free(text);
	}
	CHECK_EQ(bad, 0);
	CHECK(n > 60);
	/* an unconfined filter has nothing to annotate */
	text = (char *)"x";
	cf_target_default(&tg, NULL);
	if (CHECK(!cf_profile_parse("{}", 2, NULL, &p, &err)) &&
	    CHECK(!cf_compile(p, &tg, &f, &err))) {
		CHECK_EQ(cf_filter_annotate(f, &text, &len, &err), -EINVAL);
		CHECK(text == NULL);
	}
	cf_filter_free(f);
	cf_profile_free(p);
}
