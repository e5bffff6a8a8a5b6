/* SPDX-License-Identifier: Apache-2.0 */
/*
 * callfence run [OPTIONS] [--] COMMAND [ARG...]
 *
 * docker run's option spelling and capability model, without the engine:
 * options -> capability set -> profile compiled against it -> cf_run.
 * Every failure before the command starts exits 125 (docker run's code).
 */
#include "callfence.h"

#if __has_include("cli.h")
#include "cli.h"
#else
int cmd_run(int argc, char **argv);
#endif

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define RUN_MAX_GROUPS 256

struct run_args {
	const char *seccomp; /* as named; NULL = not named (builtin) */
	int nnp;	     /* -1 = not given */
	const char **add, **drop;
	size_t nadd, ndrop;
	bool privileged;
	int64_t pids_limit;
	const char *user;
	enum cf_enosys enosys;
};

struct run_user {
	uint32_t uid, gid;
	uint32_t groups[RUN_MAX_GROUPS];
	size_t ngroups;
};

static const char run_usage[] =
    "usage: callfence run [OPTIONS] [--] COMMAND [ARG...]\n"
    "  --security-opt seccomp=PROFILE|builtin|unconfined  (default builtin)\n"
    "  --security-opt no-new-privileges[=true|false]\n"
    "  --cap-add CAP, --cap-drop CAP   repeatable; ALL; CAP_ optional\n"
    "  --privileged                    every capability; seccomp only if "
    "named\n"
    "  --pids-limit N                  at most N processes (cgroup pids)\n"
    "  -u, --user UID[:GID]            names or numbers\n"
    "  --enosys=runc|none              ENOSYS for syscalls newer than the "
    "profile\n"
    "exit: 125 callfence failed, 126 cannot invoke, 127 not found, else the\n"
    "command's status (128+N: killed by signal N; 159: by seccomp)\n";

static int __attribute__((format(printf, 1, 2))) run_error(const char *fmt, ...)
{
	va_list ap;

	fputs("callfence run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CF_RUN_EXIT_FAILED;
}

static int run_cf_error(const struct cf_error *err)
{
	char buf[1200];

	return run_error("%s", cf_error_str(err, buf, sizeof(buf)));
}

static void run_warn(void *ctx, const struct cf_diag *d)
{
	(void)ctx;
	fputs("callfence run: warning: ", stderr);
	if (d->file && d->line)
		fprintf(stderr, "%s:%u:%u: ", d->file, d->line, d->col);
	else if (d->file)
		fprintf(stderr, "%s: ", d->file);
	if (d->pointer && *d->pointer)
		fprintf(stderr, "%s: ", d->pointer);
	fprintf(stderr, "%s\n", d->msg);
}

/* ---- option parsing ---------------------------------------------------- */

/* Go's strconv.ParseBool, which Docker uses. */
static int run_parse_bool(const char *s)
{
	static const char *const t[] = {"1", "t", "T", "true", "TRUE", "True"};
	static const char *const f[] = {"0",	 "f",	  "F",
					"false", "FALSE", "False"};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!strcmp(s, t[i]))
			return 1;
		if (!strcmp(s, f[i]))
			return 0;
	}
	return -1;
}

/* "key=value" or the older "key:value"; *val NULL when there is none. */
static size_t run_split_opt(const char *opt, const char **val)
{
	size_t k = strcspn(opt, "=:");

	*val = opt[k] ? opt + k + 1 : NULL;
	return k;
}

static int run_security_opt(struct run_args *a, const char *opt)
{
	const char *val;
	size_t k = run_split_opt(opt, &val);

	if (k == 17 && !strncmp(opt, "no-new-privileges", k)) {
		a->nnp = val ? run_parse_bool(val) : 1;
		if (a->nnp < 0)
			return run_error(
			    "invalid --security-opt '%s': "
			    "no-new-privileges takes true or false",
			    opt);
		return 0;
	}
	if (k == 7 && !strncmp(opt, "seccomp", k)) {
		if (!val || !*val)
			return run_error("invalid --security-opt '%s': give "
					 "seccomp=PROFILE, seccomp=builtin or "
					 "seccomp=unconfined",
					 opt);
		a->seccomp = val;
		return 0;
	}
	return run_error("unsupported --security-opt '%s' (callfence knows "
			 "seccomp= and no-new-privileges)",
			 opt);
}

static int run_pids(struct run_args *a, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return run_error("invalid --pids-limit '%s': expected an "
				 "integer",
				 s);
	a->pids_limit = v; /* <= 0: unlimited, as in Docker */
	return 0;
}

static int run_enosys(struct run_args *a, const char *s)
{
	if (!strcmp(s, "runc"))
		a->enosys = CF_ENOSYS_RUNC;
	else if (!strcmp(s, "none"))
		a->enosys = CF_ENOSYS_NONE;
	else if (!strcmp(s, "kernel"))
		return run_error("--enosys=%s is not implemented yet (use runc "
				 "or none)",
				 s);
	else
		return run_error("invalid --enosys '%s' (runc or none)", s);
	return 0;
}

enum {
	OPT_SECOPT = 256,
	OPT_CAPADD,
	OPT_CAPDROP,
	OPT_PRIV,
	OPT_PIDS,
	OPT_ENOSYS
};

static const struct option run_options[] = {
    {"security-opt", required_argument, NULL, OPT_SECOPT},
    {"cap-add", required_argument, NULL, OPT_CAPADD},
    {"cap-drop", required_argument, NULL, OPT_CAPDROP},
    {"privileged", no_argument, NULL, OPT_PRIV},
    {"pids-limit", required_argument, NULL, OPT_PIDS},
    {"user", required_argument, NULL, 'u'},
    {"enosys", required_argument, NULL, OPT_ENOSYS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int run_option(struct run_args *a, int c, const char *arg)
{
	switch (c) {
	case OPT_SECOPT:
		return run_security_opt(a, arg);
	case OPT_CAPADD:
		a->add[a->nadd++] = arg;
		return 0;
	case OPT_CAPDROP:
		a->drop[a->ndrop++] = arg;
		return 0;
	case OPT_PRIV:
		a->privileged = true;
		return 0;
	case OPT_PIDS:
		return run_pids(a, arg);
	case 'u':
		a->user = arg;
		return 0;
	case OPT_ENOSYS:
		return run_enosys(a, arg);
	case 'h':
		fputs(run_usage, stdout);
		exit(0);
	default:
		fputs(run_usage, stderr);
		return CF_RUN_EXIT_FAILED;
	}
}

/* Returns the index of COMMAND in argv, or -125. */
static int run_parse(struct run_args *a, int argc, char **argv)
{
	int c, rc;

	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+u:h", run_options, NULL)) != -1)
		if ((rc = run_option(a, c, optarg)) != 0)
			return -rc;
	if (optind >= argc) {
		fputs(run_usage, stderr);
		return -run_error("%s", "no command given");
	}
	return optind;
}

/* ---- user -------------------------------------------------------------- */

static bool run_number(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (!len || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = (uint32_t)v;
	return v <= UINT32_MAX - 1;
}

static int run_group(const char *s, uint32_t *gid)
{
	struct group *g;

	if (run_number(s, strlen(s), gid))
		return 0;
	g = getgrnam(s);
	if (!g)
		return run_error("unable to find group '%s': no matching "
				 "entries in group file",
				 s);
	*gid = g->gr_gid;
	return 0;
}

/* Docker's rules: UID or name; the passwd entry (if any) gives the primary
 * group and the supplementary groups; without one the group is 0. */
static int run_user(const char *spec, struct run_user *u)
{
	char name[256];
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	struct passwd *pw;
	int n = RUN_MAX_GROUPS;

	if (len >= sizeof(name))
		return run_error("invalid --user '%s'", spec);
	memcpy(name, spec, len);
	name[len] = 0;
	if (run_number(name, len, &u->uid))
		pw = getpwuid(u->uid);
	else if (!(pw = getpwnam(name)))
		return run_error("unable to find user '%s': no matching "
				 "entries in passwd file",
				 name);
	u->uid = pw ? pw->pw_uid : u->uid;
	u->gid = pw ? pw->pw_gid : 0;
	if (colon && run_group(colon + 1, &u->gid))
		return CF_RUN_EXIT_FAILED;
	if (pw &&
	    getgrouplist(pw->pw_name, u->gid, (gid_t *)u->groups, &n) >= 0)
		u->ngroups = (size_t)n;
	return 0;
}

/* ---- profile ----------------------------------------------------------- */

static int run_load(const char *name, struct cf_profile **p,
		    struct cf_error *err)
{
	if (!name || !strcmp(name, "builtin"))
		return cf_profile_builtin(p, err);
	return cf_profile_load(name, p, err);
}

/* Compiles the profile against the final capability set; *f stays NULL
 * when there is to be no filter. */
static int run_filter(const struct run_args *a, uint64_t caps,
		      struct cf_filter **f)
{
	struct cf_profile *p = NULL;
	struct cf_target t;
	struct cf_error err;

	*f = NULL;
	if ((a->privileged && !a->seccomp) ||
	    (a->seccomp && !strcmp(a->seccomp, "unconfined")))
		return 0;
	if (cf_target_default(&t, &err) < 0 || run_load(a->seccomp, &p, &err))
		return run_cf_error(&err);
	t.caps = caps;
	t.enosys = a->enosys;
	t.diag = run_warn;
	if (cf_compile(p, &t, f, &err) < 0) {
		cf_profile_free(p);
		return run_cf_error(&err);
	}
	cf_profile_free(p);
	if (cf_filter_unconfined(*f))
		fprintf(stderr,
			"callfence run: warning: profile '%s' means "
			"unconfined: no seccomp filter\n",
			a->seccomp);
	return 0;
}

/* ---- capabilities and privileges --------------------------------------- */

static bool run_has_all(const char **caps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(caps[i], "ALL"))
			return true;
	return false;
}

/* Root: Docker's model. Anyone else: capabilities stay as they are (none
 * in effect), cap options are refused, and a filter needs no_new_privs. */
static int run_privs(const struct run_args *a, struct cf_run_opts *o)
{
	uint64_t need = 1ULL << CAP_SYS_ADMIN | 1ULL << CAP_SETPCAP;
	uint64_t inv = cf_run_invoker_caps();
	struct cf_error err;

	o->no_new_privs = a->nnp == 1;
	if ((inv & need) == need) {
		o->set_caps = true;
		if (cf_run_caps(a->add, a->nadd, a->drop, a->ndrop,
				a->privileged, &o->caps, &err) < 0)
			return run_cf_error(&err);
		/* "every capability" means every one callfence holds (a
		 * sandbox may have taken some); named ones must be held */
		if (a->privileged || run_has_all(a->add, a->nadd))
			o->caps &= inv;
		return 0;
	}
	if (a->nadd || a->ndrop || a->privileged)
		return run_error("%s", "--cap-add, --cap-drop and --privileged "
				       "need root (callfence runs without "
				       "CAP_SYS_ADMIN and CAP_SETPCAP)");
	if (a->nnp == 0 && !(a->seccomp && !strcmp(a->seccomp, "unconfined")))
		return run_error("%s", "no-new-privileges=false needs root: "
				       "without CAP_SYS_ADMIN a seccomp filter "
				       "requires no-new-privileges");
	o->caps = inv;
	o->no_new_privs =
	    !(a->seccomp && !strcmp(a->seccomp, "unconfined")) || a->nnp == 1;
	return 0;
}

static int run_setup(const struct run_args *a, struct run_user *u,
		     struct cf_run_opts *o, struct cf_filter **f)
{
	int rc = run_privs(a, o);

	if (rc)
		return rc;
	if (a->user) {
		rc = run_user(a->user, u);
		if (rc)
			return rc;
		o->set_user = true;
		o->uid = u->uid;
		o->gid = u->gid;
		o->groups = u->groups;
		o->ngroups = u->ngroups;
	}
	o->pids_limit = a->pids_limit;
	o->forward_signals = true; /* callfence stands in for the command */
	o->diag = run_warn;
	rc = run_filter(a, o->caps, f);
	if (rc || !*f || cf_filter_unconfined(*f))
		return rc;
	o->prog = cf_filter_program(*f, &o->prog_len);
	o->filter_flags = cf_filter_flags(*f);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {.nnp = -1, .enosys = CF_ENOSYS_RUNC};
	struct cf_run_opts o = {0};
	struct cf_filter *f = NULL;
	struct run_user u = {0};
	struct cf_error err;
	int rc, code;

	a.add = calloc((size_t)argc + 1, sizeof(*a.add));
	a.drop = calloc((size_t)argc + 1, sizeof(*a.drop));
	if (!a.add || !a.drop) {
		rc = run_error("%s", "out of memory");
		goto out;
	}
	rc = run_parse(&a, argc, argv);
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	o.argv = argv + rc;
	rc = run_setup(&a, &u, &o, &f);
	if (rc)
		goto out;
	fflush(NULL);
	if (cf_run(&o, &code, &err) < 0)
		run_cf_error(&err);
	rc = code;
out:
	if (f)
		cf_filter_free(f);
	free(a.add);
	free(a.drop);
	return rc;
}
