/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bad-input sweep: several hundred malformed or hostile profiles and
 * command lines, generated from one small valid profile, each run through
 * the real `callfence run` on the kernel with tests/run/sweep_probe as the
 * command. Every case must end one of two ways:
 *
 *   refused   exit 125 and the probe never ran (its marker directory is
 *             absent), or
 *   confined  exactly as the library says the profile means: the probe's
 *             exit code (which carries its Seccomp: and CapEff: lines and
 *             the fate of one mkdir) and the marker agree with the
 *             decisions of the compiled filter's IR (cf_filter_decide) for
 *             every call the probe makes.
 *
 * A case the library refuses must be refused by the tool too: nothing the
 * library calls an error ever runs. Command-line cases are all invalid and
 * must be refused.
 */
#include "t.h"

#include <callfence.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the base profile and its generated variants ---------------------- */

/* Allows what run and the probe need, denies mkdir(…, 0700) with EACCES
 * by a rule (unless CAP_SYS_ADMIN), everything else EPERM. */
static const char base[] =
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
    "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\","
    "\"SCMP_ARCH_X32\"],"
    "\"syscalls\":[{\"names\":[\"execve\",\"execveat\",\"open\","
    "\"openat\",\"read\",\"write\",\"close\",\"close_range\","
    "\"exit_group\",\"exit\",\"capget\",\"capset\",\"prctl\","
    "\"setgroups\",\"setresuid\",\"setresgid\",\"setuid\",\"setgid\","
    "\"getpid\",\"getppid\",\"kill\",\"fcntl\",\"dup2\",\"dup3\","
    "\"rt_sigaction\",\"rt_sigprocmask\",\"chdir\",\"umask\"],"
    "\"action\":\"SCMP_ACT_ALLOW\"},"
    "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
    "\"errnoRet\":13,\"args\":[{\"index\":1,\"value\":448,"
    "\"op\":\"SCMP_CMP_EQ\"}],"
    "\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
    "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":0,"
    "\"op\":\"SCMP_CMP_MASKED_EQ\"}],"
    "\"includes\":{\"minKernel\":\"4.8\"}}]}";

struct sw_case {
	char *profile; /* NULL: the base profile */
	size_t len;
	const char *args[8]; /* extra run options, before the profile's */
	bool own_seccomp;    /* args carry their own --security-opt seccomp */
	bool must_refuse;    /* invalid by construction: never runs */
	char what[96];
};

struct sw_list {
	struct sw_case *c;
	size_t n, cap;
};

static struct sw_case *sw_add(struct sw_list *l, const char *what)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->c = realloc(l->c, l->cap * sizeof(*l->c));
		if (!l->c)
			abort();
	}
	struct sw_case *c = &l->c[l->n++];

	memset(c, 0, sizeof(*c));
	snprintf(c->what, sizeof(c->what), "%s", what);
	return c;
}

/* base[0..at) + ins + base[at+cut..] */
static struct sw_case *sw_splice(struct sw_list *l, const char *what, size_t at,
				 size_t cut, const char *ins)
{
	size_t bl = strlen(base), il = strlen(ins);
	struct sw_case *c = sw_add(l, what);

	c->len = bl - cut + il;
	c->profile = malloc(c->len + 1);
	memcpy(c->profile, base, at);
	memcpy(c->profile + at, ins, il);
	memcpy(c->profile + at + il, base + at + cut, bl - at - cut);
	c->profile[c->len] = 0;
	return c;
}

static struct sw_case *sw_text(struct sw_list *l, const char *what,
			       const char *text, size_t len)
{
	struct sw_case *c = sw_add(l, what);

	c->len = len;
	c->profile = malloc(len + 1);
	memcpy(c->profile, text, len);
	c->profile[len] = 0;
	return c;
}

/* The JSON type of a value's text: s(tring) n(umber) a(rray) o(bject)
 * b(ool) or z (null). */
static char sw_type(const char *v)
{
	return *v == '"'		? 's'
	       : *v == '['		? 'a'
	       : *v == '{'		? 'o'
	       : *v == 't' || *v == 'f' ? 'b'
	       : *v == 'n'		? 'z'
					: 'n';
}

/* End of the JSON value starting at s (the base is well-formed). */
static size_t sw_skip(const char *s, size_t i)
{
	int depth = 0;

	do {
		if (s[i] == '"') {
			for (i++; s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			i++;
		} else if (s[i] == '{' || s[i] == '[') {
			depth++, i++;
		} else if (s[i] == '}' || s[i] == ']') {
			depth--, i++;
		} else if (s[i] == ',' || s[i] == ':') {
			i++;
		} else {
			while (s[i] && !strchr(",:]}", s[i]))
				i++;
		}
	} while (depth > 0);
	return i;
}

struct sw_member {
	size_t key, key_end, val, val_end; /* key: the opening quote */
};

/* Every "key": value of the base, at any depth. */
static size_t sw_members(struct sw_member *m, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; base[i] && n < max; i++) {
		if (base[i] != '"')
			continue;
		size_t e = sw_skip(base, i);

		if (base[e] == ':') {
			m[n++] = (struct sw_member){i, e, e + 1,
						    sw_skip(base, e + 1)};
		}
		i = e - 1;
	}
	return n;
}

static void sw_gen_members(struct sw_list *l)
{
	static const char *const wrong[] = {
	    "\"x\"", "1",  "-1",      "1.5",  "true", "null",
	    "[]",    "{}", "[\"x\"]", "[{}]", "\"\"", "[null]"};
	static const char *const nums[] = {"-0",
					   "-1",
					   "1.0",
					   "1e0",
					   "01",
					   "+1",
					   "0x1",
					   "4096",
					   "4095",
					   "18446744073709551616",
					   "18446744073709551615",
					   "0"};
	struct sw_member m[128];
	size_t nm = sw_members(m, 128);
	char what[96], ins[512];

	for (size_t k = 0; k < nm; k++) {
		size_t kl = m[k].key_end - m[k].key - 2;
		const char *key = base + m[k].key + 1;
		const char *v = base + m[k].val;
		size_t vl = m[k].val_end - m[k].val;

		for (size_t w = 0; w < sizeof(wrong) / sizeof(*wrong); w++) {
			snprintf(what, sizeof(what), "%.*s = %s", (int)kl, key,
				 wrong[w]);
			char tw = sw_type(wrong[w]);

			/* another type is a decoding error, as in Go (null
			 * decodes to the zero value there: predicted only);
			 * a negative or fractional number never fits */
			sw_splice(l, what, m[k].val, vl, wrong[w])
			    ->must_refuse =
			    (tw != 'z' && tw != sw_type(v)) ||
			    (tw == 'n' && strcmp(wrong[w], "1") != 0);
		}
		if (*v >= '0' && *v <= '9') {
			for (size_t w = 0; w < sizeof(nums) / sizeof(*nums);
			     w++) {
				snprintf(what, sizeof(what), "%.*s = %s",
					 (int)kl, key, nums[w]);
				/* only plain digits, at most 2^64-1 */
				sw_splice(l, what, m[k].val, vl, nums[w])
				    ->must_refuse = w < 7 || w == 9;
			}
		}
		/* misspelt, shouted and repeated keys */
		snprintf(ins, sizeof(ins), "\"%.*s\"", (int)kl - 1, key + 1);
		snprintf(what, sizeof(what), "key %.*s misspelt", (int)kl, key);
		sw_splice(l, what, m[k].key, kl + 2, ins);
		snprintf(ins, sizeof(ins), "\"%.*sx\"", (int)kl, key);
		sw_splice(l, what, m[k].key, kl + 2, ins);
		snprintf(ins, sizeof(ins), "\"");
		for (size_t i = 0; i < kl; i++)
			ins[1 + i] =
			    (char)(key[i] >= 'a' && key[i] <= 'z' ? key[i] - 32
								  : key[i]);
		ins[1 + kl] = '"';
		ins[2 + kl] = 0;
		snprintf(what, sizeof(what), "key %.*s upper case", (int)kl,
			 key);
		sw_splice(l, what, m[k].key, kl + 2, ins);
		snprintf(ins, sizeof(ins), "\"%.*s\":%.*s,", (int)kl, key,
			 (int)vl, v);
		snprintf(what, sizeof(what), "key %.*s twice", (int)kl, key);
		sw_splice(l, what, m[k].key, 0, ins)->must_refuse = true;
		snprintf(ins, sizeof(ins), "\"%.*s\\u0000\"", (int)kl, key);
		snprintf(what, sizeof(what), "key %.*s with NUL", (int)kl, key);
		sw_splice(l, what, m[k].key, kl + 2, ins)->must_refuse = true;
	}
}

/* Every string value (keys excluded): NUL, space, case. */
static void sw_gen_strings(struct sw_list *l)
{
	char what[96];

	for (size_t i = 0; base[i]; i++) {
		if (base[i] != '"')
			continue;
		size_t e = sw_skip(base, i);

		if (base[e] != ':' && e - i > 2) {
			int n = (int)(e - i - 2);
			const char *s = base + i + 1;

			snprintf(what, sizeof(what), "'%.*s' + NUL", n, s);
			sw_splice(l, what, e - 1, 0, "\\u0000")->must_refuse =
			    true;
			snprintf(what, sizeof(what), "NUL + '%.*s'", n, s);
			sw_splice(l, what, i + 1, 0, "\\u0000")->must_refuse =
			    true;
			snprintf(what, sizeof(what), "'%.*s' + space", n, s);
			sw_splice(l, what, e - 1, 0, " ");
			snprintf(what, sizeof(what), "'%.*s' + x", n, s);
			sw_splice(l, what, e - 1, 0, "x");
		}
		i = e - 1;
	}
}

static void sw_gen_documents(struct sw_list *l)
{
	static const char *const docs[] = {
	    "",
	    " ",
	    "null",
	    "[]",
	    "\"x\"",
	    "1",
	    "{",
	    "}",
	    "{}x",
	    "{}{}",
	    "{\"syscalls\":[]}",
	    "{\"flags\":[]}",
	    "{\"architectures\":[\"SCMP_ARCH_X86_64\"]}",
	    "{\"defaultAction\":\"\"}",
	    "{\"defaultActoin\":\"SCMP_ACT_ERRNO\"}",
	    "{\"syscals\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}"
	    "]}",
	    "{\"defaultErrnoRet\":1}",
	    "{\"listenerPath\":\"/x\"}",
	    "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}",
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":["
	    "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
	    "{\"ociVersion\":\"1.0.2\"}",
	    "{\"ociVersion\":\"1.0.2\",\"linux\":\"x\"}",
	    "{\"ociVersion\":\"1.0.2\",\"linux\":{}}",
	    "{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":\"x\"}}",
	    "{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":null}}",
	    "{\"ociVersion\":\"1.0.2\",\"process\":{}}",
	    "{\"process\":\"x\"}",
	    "{\"linux\":{}}",
	    "{\"OCIVERSION\":\"1.0.2\",\"Linux\":[]}",
	    "\xef\xbb\xbf{}",
	    "{\"\\u0000\":1}",
	    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":0}",
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"execve\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0}]}",
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	    "[\"setresuid\",\"capset\"],\"action\":\"SCMP_ACT_ERRNO\","
	    "\"errnoRet\":0}]}",
	    "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"architectures\":"
	    "[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":[\"read\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	};
	char what[96], buf[4096];

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		snprintf(what, sizeof(what), "document %.60s", docs[i]);
		sw_text(l, what, docs[i], strlen(docs[i]))->must_refuse = true;
	}
	/* the base wrapped as an OCI config.json, right and wrong */
	static const char *const wraps[][2] = {
	    {"{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":", "}}"},
	    {"{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":",
	     "},"
	     "\"linux\":{}}"},
	    {"{\"ociVersion\":\"1.0.2\",\"linux\":{\"Seccomp\":", "}}"},
	    {"{\"process\":{},\"linux\":{\"seccomp\":", "}}"},
	    {"[", "]"},
	    {"", "x"},
	    {"", "{}"},
	    {" \n\t", " \n"},
	};
	for (size_t i = 0; i < sizeof(wraps) / sizeof(*wraps); i++) {
		int n = snprintf(buf, sizeof(buf), "%s%s%s", wraps[i][0], base,
				 wraps[i][1]);
		snprintf(what, sizeof(what), "wrapped %s...%s", wraps[i][0],
			 wraps[i][1]);
		/* a config.json needs ociVersion; one value per document */
		sw_text(l, what, buf, (size_t)n)->must_refuse =
		    i != 0 && i != 2 && i != 7;
	}
	/* extra top-level keys that once made it a config.json */
	static const char *const extra[] = {
	    "\"process\":\"x\",", "\"ociVersion\":\"1\",",
	    "\"PROCESS\":{},",	  "\"OciVersion\":\"1.0.2\",",
	    "\"linux\":\"x\",",	  "\"Linux\":{},",
	    "\"unknownKey\":1,",  "\"defaultActoin\":\"SCMP_ACT_ALLOW\","};
	for (size_t i = 0; i < sizeof(extra) / sizeof(*extra); i++) {
		snprintf(what, sizeof(what), "base + %s", extra[i]);
		/* config.json keys beside seccomp keys: ambiguous */
		sw_splice(l, what, 1, 0, extra[i])->must_refuse = i < 6;
	}
	/* every truncation, and a NUL byte inside the text */
	for (size_t at = 0; at < strlen(base); at += 7) {
		snprintf(what, sizeof(what), "truncated at %zu", at);
		sw_text(l, what, base, at)->must_refuse = true;
	}
	for (size_t at = 1; at < strlen(base); at += 97) {
		memcpy(buf, base, strlen(base) + 1);
		buf[at] = 0;
		snprintf(what, sizeof(what), "NUL byte at %zu", at);
		sw_text(l, what, buf, strlen(base))->must_refuse = true;
	}
}

/* Invalid command lines around a valid profile: each must be refused. */
static void sw_gen_options(struct sw_list *l)
{
	static const char *const opts[][5] = {
	    {"--priv"},
	    {"--privileg"},
	    {"--secur", "seccomp=builtin"},
	    {"--cap-ad", "CHOWN"},
	    {"--cap-add", "CAP_BOGUS"},
	    {"--cap-drop", "NOPE"},
	    {"--cap-add", ""},
	    {"--pids-limit", "abc"},
	    {"--pids-limit", "99999999999999999999"},
	    {"--user", "no-such-user-callfence"},
	    {"--user", "nobody:no-such-group-callfence"},
	    {"--user", "99999999999"},
	    {"--user", "a:b:c"},
	    {"--group-add", "no-such-group-callfence"},
	    {"--security-opt", "bogus"},
	    {"--security-opt", "seccomp"},
	    {"--security-opt", "apparmor=docker-default"},
	    {"--security-opt", "label=type:container_t"},
	    {"--security-opt", "no-new-privileges=maybe"},
	    {"--enosys=bogus"},
	    {"--enosys"},
	    {"--preserve-fds", "-1"},
	    {"--preserve-fds", "x"},
	    {"--bogus"},
	    {"-x"},
	    {"--security-opt", "seccomp=unconfined"},
	    {"--security-opt", "seccomp=builtin"},
	};
	static const char *const own[][5] = {
	    {"--security-opt", "seccomp="},
	    {"--security-opt", "seccomp=/nonexistent/callfence.json"},
	    {"--security-opt", "seccomp=/"},
	    {"--security-opt", "seccomp=/dev/null"},
	    {"--security-opt=seccomp="},
	};
	char what[96];

	for (size_t i = 0; i < sizeof(opts) / sizeof(*opts); i++) {
		snprintf(what, sizeof(what), "options %s %s", opts[i][0],
			 opts[i][1] ? opts[i][1] : "");
		struct sw_case *c = sw_add(l, what);

		memcpy(c->args, opts[i], sizeof(opts[i]));
		c->must_refuse = true;
	}
	for (size_t i = 0; i < sizeof(own) / sizeof(*own); i++) {
		snprintf(what, sizeof(what), "options %s %s", own[i][0],
			 own[i][1] ? own[i][1] : "");
		struct sw_case *c = sw_add(l, what);

		memcpy(c->args, own[i], sizeof(own[i]));
		c->own_seccomp = true;
		c->must_refuse = true;
	}
}

/* ---- the prediction: what the probe must see under the profile -------- */

enum { SW_REFUSED = -1, SW_UNPREDICTABLE = -2 };

/* The action for x86_64 call nr(a0, a1, a2), or ~0u if it depends on the
 * pointer arguments (checked with two pointer values). */
static uint32_t sw_decide(const struct cf_filter *f, int nr, uint64_t a1,
			  uint64_t a2)
{
	uint32_t act[2];

	for (int k = 0; k < 2; k++) {
		struct seccomp_data d = {
		    .nr = nr,
		    .arch = AUDIT_ARCH_X86_64,
		    .args = {k ? 0x7ffd12345000ull : 0x1000, a1, a2}};
		struct cf_decision dec;

		if (cf_filter_decide(f, &d, &dec) < 0)
			return ~0u;
		act[k] = dec.action;
	}
	return act[0] == act[1] ? act[0] : ~0u;
}

static bool sw_allowed(uint32_t a)
{
	a &= SECCOMP_RET_ACTION_FULL;
	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

static bool sw_kills(uint32_t a)
{
	a &= SECCOMP_RET_ACTION_FULL;
	return a == SECCOMP_RET_KILL_PROCESS || a == SECCOMP_RET_KILL_THREAD ||
	       a == SECCOMP_RET_TRAP;
}

/* What a denied call returns: -errno. */
static long sw_denied_ret(uint32_t a)
{
	if ((a & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
		return -(long)(a & SECCOMP_RET_DATA);
	return -ENOSYS; /* TRACE without a tracer */
}

/* The probe's exit code under f (sweep_probe.c), *marker whether its mkdir
 * really ran; SW_UNPREDICTABLE when a decision depends on a pointer. */
static int sw_predict(const struct cf_filter *f, bool *marker)
{
	enum {
		NR_READ = 0,
		NR_OPEN = 2,
		NR_CLOSE = 3,
		NR_EXECVE = 59,
		NR_EXIT = 60,
		NR_MKDIR = 83,
		NR_EXIT_GROUP = 231
	};
	uint32_t ex = sw_decide(f, NR_EXECVE, 0x2000, 0x3000);
	uint32_t mk = sw_decide(f, NR_MKDIR, 0700, 0);
	uint32_t op = sw_decide(f, NR_OPEN, 0, 0);
	uint32_t rd, cl;
	int result, seccomp = 2, capbad = 0, code;

	*marker = false;
	if (ex == ~0u || mk == ~0u || op == ~0u)
		return SW_UNPREDICTABLE;
	if (!sw_allowed(ex))
		return SW_REFUSED; /* never runs: run must refuse it */
	if (sw_kills(mk))
		return 159;
	if (sw_allowed(mk)) {
		result = 0;
		*marker = true;
	} else {
		long r = sw_denied_ret(mk);

		result = r == 0	    ? 0
			 : r == -1  ? 1
			 : r == -38 ? 2
			 : r == -13 ? 3
				    : 4;
	}
	if (sw_kills(op))
		return 159;
	if (sw_allowed(op)) {
		/* fd 3 (every other fd is closed), any buffer and size */
		rd = sw_decide(f, NR_READ, 0x4000, 8192);
		cl = sw_decide(f, NR_CLOSE, 0, 0);
		if (rd == ~0u || cl == ~0u)
			return SW_UNPREDICTABLE;
		if (sw_kills(rd) || sw_kills(cl))
			return 159;
		if (!sw_allowed(rd))
			seccomp = 3, capbad = 1;
	} else {
		seccomp = 3, capbad = 1;
	}
	code = 16 + capbad * 48 + seccomp * 8 + result;
	uint32_t eg = sw_decide(f, NR_EXIT_GROUP, 0, 0);
	uint32_t e1 = sw_decide(f, NR_EXIT, 0, 0);

	if (eg == ~0u || e1 == ~0u)
		return SW_UNPREDICTABLE;
	if (sw_allowed(eg))
		return code;
	if (sw_kills(eg))
		return 159;
	if (sw_allowed(e1))
		return code;
	if (sw_kills(e1))
		return 159;
	return 128 + SIGILL; /* __builtin_trap */
}

/* The library's verdict on a profile: SW_REFUSED, unconfined (code 16 and
 * the marker), or the prediction under the compiled filter. */
static int sw_expect(const struct sw_case *c, bool *marker)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	int code;

	*marker = false;
	if (cf_target_default(&t, &err) < 0)
		return SW_UNPREDICTABLE;
	if (cf_profile_parse(c->profile ? c->profile : base,
			     c->profile ? c->len : strlen(base), "sweep.json",
			     &p, &err) < 0)
		return SW_REFUSED;
	if (cf_compile(p, &t, &f, &err) < 0) {
		cf_profile_free(p);
		return SW_REFUSED;
	}
	if (cf_filter_unconfined(f)) {
		*marker = true;
		code = 16; /* Seccomp: 0, mkdir ok, Docker's caps */
	} else {
		code = sw_predict(f, marker);
	}
	cf_filter_free(f);
	cf_profile_free(p);
	return code;
}

/* ---- running a case ---------------------------------------------------- */

static char sw_dir[] = "/tmp/cf-sweep-XXXXXX";

static const char *sw_probe(void)
{
	static char path[4200];
	char bin[4096];

	snprintf(bin, sizeof(bin), "%s", t_callfence_bin());
	snprintf(path, sizeof(path), "%s/tests/run/sweep_probe", dirname(bin));
	return path;
}

/* Runs callfence on case i; returns its exit code (-1: did not finish in
 * 20 s, killed). stderr goes to dir/err.i. */
static int sw_run(const struct sw_case *c, size_t i, const char *marker)
{
	char prof[256], errf[256], opt[300], capeff[32];
	char *argv[32];
	size_t n = 0;
	pid_t pid;
	int ws = 0;

	snprintf(prof, sizeof(prof), "%s/p.%zu.json", sw_dir, i);
	snprintf(errf, sizeof(errf), "%s/err.%zu", sw_dir, i);
	snprintf(opt, sizeof(opt), "seccomp=%s", prof);
	snprintf(capeff, sizeof(capeff), "%016" PRIx64,
		 cf_caps_docker_default());
	FILE *fp = fopen(prof, "w");

	if (!fp)
		return -2;
	fwrite(c->profile ? c->profile : base, 1,
	       c->profile ? c->len : strlen(base), fp);
	fclose(fp);
	argv[n++] = (char *)t_callfence_bin();
	argv[n++] = (char *)"run";
	for (size_t k = 0; k < 8 && c->args[k]; k++)
		argv[n++] = (char *)c->args[k];
	if (!c->own_seccomp) {
		argv[n++] = (char *)"--security-opt";
		argv[n++] = opt;
	}
	argv[n++] = (char *)"--";
	argv[n++] = (char *)sw_probe();
	argv[n++] = (char *)marker;
	argv[n++] = capeff;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDWR);

		if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 ||
		    dup2(fd, 2) < 0)
			_exit(99);
		alarm(20);
		execv(argv[0], argv);
		_exit(97);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -2;
	if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGALRM)
		return -1;
	return cf_run_exit_code(ws);
}

static char *sw_slurp(const char *path)
{
	static char buf[512];
	FILE *fp = fopen(path, "r");
	size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;

	if (fp)
		fclose(fp);
	buf[n] = 0;
	for (char *s = buf; *s; s++)
		if (*s == '\n')
			*s = ' ';
	return buf;
}

TEST(sweep_bad_inputs_are_refused_or_confined_exactly)
{
	struct sw_list l = {0};
	size_t refused = 0, confined = 0, unpredictable = 0, bad = 0;

	if (geteuid() != 0) {
		t_skip("needs root (callfence run installs filters as root)");
		return;
	}
	if (access(sw_probe(), X_OK) != 0 ||
	    access(t_callfence_bin(), X_OK) != 0) {
		t_fail(__FILE__, __LINE__, "%s or %s missing (make check)",
		       sw_probe(), t_callfence_bin());
		return;
	}
	if (!mkdtemp(sw_dir)) {
		t_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
		return;
	}
	sw_add(&l, "the base profile");
	sw_gen_members(&l);
	sw_gen_strings(&l);
	sw_gen_documents(&l);
	sw_gen_options(&l);
	CHECK(l.n >= 300);

	for (size_t i = 0; i < l.n; i++) {
		const struct sw_case *c = &l.c[i];
		char marker[256], errf[256];
		bool want_marker = false, has_marker;
		int want =
		    c->must_refuse ? SW_REFUSED : sw_expect(c, &want_marker);
		int got;

		snprintf(marker, sizeof(marker), "%s/m.%zu", sw_dir, i);
		snprintf(errf, sizeof(errf), "%s/err.%zu", sw_dir, i);
		got = sw_run(c, i, marker);
		has_marker = access(marker, F_OK) == 0;
		/* refused: callfence's own failure (125), or, for a profile
		 * that denies execve itself, "cannot be invoked" (126) */
		if ((got == 125 || (got == 126 && !c->args[0])) &&
		    !has_marker) {
			refused++;
			if (want >= 0 && bad++ < 30)
				t_note("case %zu (%s): refused, though the "
				       "library accepts it: %s",
				       i, c->what, sw_slurp(errf));
			continue; /* stricter than the library is allowed */
		}
		if (want == SW_UNPREDICTABLE) {
			unpredictable++;
			CHECK(got != 125 || !has_marker);
			continue;
		}
		if (want == SW_REFUSED) {
			t_fail(__FILE__, __LINE__,
			       "case %zu (%s): ran (exit %d, marker %s) but "
			       "must be refused: %s",
			       i, c->what, got, has_marker ? "made" : "absent",
			       sw_slurp(errf));
			continue;
		}
		if (got != want || has_marker != want_marker)
			t_fail(__FILE__, __LINE__,
			       "case %zu (%s): exit %d marker %d, the IR says "
			       "exit %d marker %d: %s",
			       i, c->what, got, has_marker, want, want_marker,
			       sw_slurp(errf));
		else
			confined++;
	}
	t_note("%zu cases: %zu refused, %zu confined as predicted, %zu "
	       "unpredictable (pointer-dependent), %zu refused by the tool "
	       "though the library accepts them, %zu wrong",
	       l.n, refused, confined, unpredictable, bad,
	       l.n - refused - confined - unpredictable);
	for (size_t i = 0; i < l.n; i++)
		free(l.c[i].profile);
	free(l.c);
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", sw_dir);
	CHECK(system(cmd) == 0);
}
