/* SPDX-License-Identifier: Apache-2.0 */
/*
 * callfence run [OPTIONS] [--] COMMAND [ARG...]
 *
 * docker run's option spelling and capability model, without the engine:
 * options -> capability set -> profile compiled against it -> cf_run.
 * Every failure before the command starts exits 125 (docker run's code).
 */
#include "callfence.h"

#include "agent.h"
#include "cli.h"
#include "complain.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

#define RUN_PASSWD "/etc/passwd"
#define RUN_GROUP "/etc/group"

struct run_args {
	const char *seccomp;	   /* as named; NULL = not named (builtin) */
	int nnp;		   /* -1 = not given */
	struct cli_list add, drop; /* --cap-add, --cap-drop */
	bool privileged;
	int64_t pids_limit;
	const char *user;
	enum cf_enosys enosys;
	bool harden;
	struct cli_list group_add;
	unsigned preserve_fds;
	bool complain;
	const char *complain_file; /* NULL = stderr only */
};

static const char run_usage[] =
    "usage: callfence run [OPTIONS] [--] COMMAND [ARG...]\n"
    "  --security-opt seccomp=PROFILE|builtin|unconfined  (default builtin;\n"
    "                                  PROFILE may be a FIFO or - for stdin)\n"
    "  --security-opt no-new-privileges[=true|false]\n"
    "  --cap-add CAP, --cap-drop CAP   repeatable; ALL; CAP_ optional\n"
    "  --privileged                    every capability; seccomp only if "
    "named\n"
    "  --pids-limit N                  at most N processes (cgroup pids)\n"
    "  -u, --user USER[:GROUP]         names or numbers (/etc/passwd, "
    "/etc/group)\n"
    "  --group-add GROUP               repeatable; a name or a number\n"
    "  --preserve-fds N                pass descriptors 3..N+2 (others "
    "close)\n"
    "  --enosys=runc|none              ENOSYS for syscalls newer than the "
    "profile\n"
    "  --complain[=FILE]               report what the profile would deny, "
    "deny\n"
    "                                  nothing (FILE: the report as JSON)\n"
    "  --harden                        decide on C int arguments by their "
    "low 32 bits\n"
    "  --ignore ID                     repeatable; silence the profile's "
    "notes or\n"
    "                                  warnings with this id "
    "(docs/errors.md)\n"
    "exit: 125 callfence failed, 126 cannot invoke, 127 not found, else the\n"
    "command's status (128+N: killed by signal N; 159: by seccomp)\n";

static int __attribute__((format(printf, 1, 2))) run_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verrorf(fmt, ap);
	va_end(ap);
	return CF_RUN_EXIT_FAILED;
}

static int run_cf_error(const struct cf_error *err)
{
	cli_error(err);
	return CF_RUN_EXIT_FAILED;
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

/* AppArmor and SELinux options of a pasted docker/podman command line:
 * those that only loosen confinement are accepted and ignored (callfence
 * applies neither, the command keeps callfence's own); any that asks for
 * confinement callfence cannot give is refused. Docker reads a bare
 * "disable" as label=disable. */
static int run_security_opt_mac(const char *opt, size_t k, const char *val)
{
	bool apparmor = k == 8 && !strncmp(opt, "apparmor", k);

	if (!strcmp(opt, "disable"))
		val = "disable";
	if (val && !strcmp(val, apparmor ? "unconfined" : "disable")) {
		fprintf(stderr,
			"callfence run: warning: --security-opt %s does not "
			"apply here: callfence sets no %s (the command keeps "
			"callfence's own, if any)\n",
			opt, apparmor ? "AppArmor profile" : "SELinux label");
		return 0;
	}
	return run_error("unsupported --security-opt '%s': callfence cannot "
			 "apply %s, so it cannot give the confinement this "
			 "asks for (only %s is accepted, and ignored)",
			 opt,
			 apparmor ? "an AppArmor profile" : "an SELinux label",
			 apparmor ? "apparmor=unconfined" : "label=disable");
}

static int run_security_opt(void *args, const char *opt)
{
	struct run_args *a = args;
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
		/* Docker takes the last; a second, different profile is
		 * more likely a mistake than a choice: refuse it */
		if (a->seccomp && strcmp(a->seccomp, val))
			return run_error("conflicting --security-opt "
					 "seccomp=%s and seccomp=%s: give one "
					 "(docker run would take the last)",
					 a->seccomp, val);
		a->seccomp = val;
		return 0;
	}
	if (!strcmp(opt, "disable") || (k == 5 && !strncmp(opt, "label", k)) ||
	    (k == 8 && !strncmp(opt, "apparmor", k)))
		return run_security_opt_mac(opt, k, val);
	return run_error("unsupported --security-opt '%s' (callfence knows "
			 "seccomp=, no-new-privileges, apparmor=unconfined "
			 "and label=disable)",
			 opt);
}

static int run_pids(void *limit, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return run_error("invalid --pids-limit '%s': expected an "
				 "integer",
				 s);
	*(int64_t *)limit = v; /* <= 0: unlimited, as in Docker */
	return 0;
}

static int run_preserve_fds(void *fds, const char *s)
{
	if (cli_uint(s, 0, 1U << 20, fds) == 0)
		return 0;
	return run_error("invalid --preserve-fds '%s': expected a number of "
			 "descriptors (0 to %u)",
			 s, 1U << 20);
}

static int run_enosys(void *enosys, const char *s)
{
	if (!strcmp(s, "runc"))
		*(enum cf_enosys *)enosys = CF_ENOSYS_RUNC;
	else if (!strcmp(s, "none"))
		*(enum cf_enosys *)enosys = CF_ENOSYS_NONE;
	else if (!strcmp(s, "kernel"))
		return run_error("--enosys=%s is not implemented yet (use runc "
				 "or none)",
				 s);
	else
		return run_error("invalid --enosys '%s' (runc or none)", s);
	return 0;
}

/* --complain[=FILE] */
static int run_set_complain(void *args, const char *file)
{
	struct run_args *a = args;

	if (file && !*file)
		return run_error("%s", "--complain=: give a file name for the "
				       "JSON report, or none");
	a->complain = true;
	a->complain_file = file;
	return 0;
}

static const struct cli_opt run_options[] = {
    CLI_CALL("security-opt", CLI_VALUE, run_security_opt),
    CLI_LIST("cap-add", struct run_args, add),
    CLI_LIST("cap-drop", struct run_args, drop),
    CLI_FLAG("privileged", struct run_args, privileged),
    CLI_OPT("pids-limit", 0, CLI_VALUE, run_pids, struct run_args, pids_limit),
    CLI_STRING("user", 'u', struct run_args, user),
    CLI_OPT("enosys", 0, CLI_VALUE, run_enosys, struct run_args, enosys),
    CLI_FLAG("harden", struct run_args, harden),
    CLI_LIST("group-add", struct run_args, group_add),
    CLI_OPT("preserve-fds", 0, CLI_VALUE, run_preserve_fds, struct run_args,
	    preserve_fds),
    CLI_CALL("complain", CLI_OPTIONAL_VALUE, run_set_complain),
    CLI_IGNORE_OPT,
    {NULL},
};

/* COMMAND's own options follow it */
static const struct cli_cmd run_cmd = {run_usage, run_options,
				       CF_RUN_EXIT_FAILED, true};

/* Returns the index of COMMAND in argv, or -1 with the exit status in
 * *status (0 after --help). */
static int run_parse(struct run_args *a, int argc, char **argv, int *status)
{
	struct cli_parsed parsed;
	int first = cli_parse(&run_cmd, argc, argv, a, &parsed);

	*status = parsed.status;
	if (first < 0)
		return -1;
	if (first >= argc) {
		fputs(run_usage, stderr);
		*status = run_error("%s", "no command given");
		return -1;
	}
	return first;
}

/* ---- user and environment -------------------------------------------- */

/* envp with HOME replaced (docker run's HOME follows the user). */
static char **run_env(const char *home)
{
	size_t n = 0, k = 0;
	char **env, *h;

	while (environ && environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	h = malloc(strlen(home) + 6);
	if (!env || !h) {
		free(env);
		free(h);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "HOME=", 5))
			env[k++] = environ[i];
	strcpy(h, "HOME=");
	strcat(h, home);
	env[k] = h;
	return env;
}

static void run_env_free(char **env)
{
	size_t n = 0;

	if (!env)
		return;
	while (env[n + 1])
		n++;
	free(env[n]); /* HOME=, the last one */
	free(env);
}

/* ---- profile ----------------------------------------------------------- */

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
	if (cf_target_default(&t, &err) < 0 ||
	    cli_profile_open(a->seccomp ? a->seccomp : "builtin", &p, &err))
		return run_cf_error(&err);
	t.caps = caps;
	t.enosys = a->enosys;
	t.harden = a->harden;
	t.diag = cli_warn_diag;
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
		if (cf_run_caps(a->add.v, a->add.n, a->drop.v, a->drop.n,
				a->privileged, &o->caps, &err) < 0)
			return run_cf_error(&err);
		/* "every capability" means every one callfence holds (a
		 * sandbox may have taken some); named ones must be held */
		if (a->privileged || run_has_all(a->add.v, a->add.n))
			o->caps &= inv;
		return 0;
	}
	if (a->add.n || a->drop.n || a->privileged)
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

/* Root (Docker's model): the user is decided as docker run decides it,
 * root's own entry when --user is not given, so the invoker's groups never
 * pass through. Anyone else stays who they are unless --user says. */
static int run_identity(const struct run_args *a, struct cli_run_user *u,
			struct cf_run_opts *o, char ***env)
{
	const char *home;
	char *own = NULL;

	if (a->user || o->set_caps) {
		if (cli_run_user(a->user ? a->user : "", a->group_add.v,
				 a->group_add.n, RUN_PASSWD, RUN_GROUP, u) < 0)
			return CF_RUN_EXIT_FAILED;
		o->set_user = true;
		o->uid = u->uid;
		o->gid = u->gid;
		o->groups = u->groups;
		o->ngroups = u->ngroups;
		home = u->home;
	} else if (a->group_add.n) {
		return run_error("%s", "--group-add needs root, or --user");
	} else {
		home = own = cli_run_home((uint32_t)getuid(), RUN_PASSWD);
	}
	*env = home ? run_env(home) : NULL;
	free(own);
	if (!*env)
		return run_error("%s", "out of memory");
	o->envp = *env;
	return 0;
}

static int run_setup(const struct run_args *a, struct cli_run_user *u,
		     char ***env, struct cf_run_opts *o, struct cf_filter **f)
{
	int rc = run_privs(a, o);

	if (rc)
		return rc;
	rc = run_identity(a, u, o, env);
	if (rc)
		return rc;
	o->preserve_fds = a->preserve_fds;
	o->pids_limit = a->pids_limit;
	o->forward_signals = true; /* callfence stands in for the command */
	o->diag = cli_warn_diag;
	rc = run_filter(a, o->caps, f);
	if (rc == 0 && a->complain && (!*f || cf_filter_unconfined(*f)))
		return run_error("%s", "--complain needs a seccomp profile: "
				       "this one means unconfined (no filter "
				       "to report on)");
	if (rc || !*f || cf_filter_unconfined(*f))
		return rc;
	o->prog = cf_filter_program(*f, &o->prog_len);
	o->filter_flags = cf_filter_flags(*f);
	o->filter = *f;
	return 0;
}

/* --complain: the complain program in place of the profile's, and the
 * collector that reads the notifications. */
static int run_complain_setup(const struct run_args *a, struct cf_run_opts *o,
			      struct sock_filter **prog,
			      struct cli_complain **cc, FILE **json)
{
	struct cf_error err;

	/* FILE is opened now: one that cannot be written stops the run
	 * before the command starts, not after it ran */
	if (a->complain_file && !(*json = fopen(a->complain_file, "we")))
		return run_error("cannot write the complain report '%s': %s",
				 a->complain_file, strerror(errno));

	if (cf_filter_complain(o->filter, prog, &o->prog_len, &err) < 0)
		return run_cf_error(&err);
	*cc = cli_complain_new(o->filter, a->seccomp ? a->seccomp : "builtin");
	if (!*cc)
		return run_error("%s", "out of memory");
	o->prog = *prog;
	o->complain = cli_complain_note;
	o->complain_ctx = *cc;
	return 0;
}

/* cf_run, its refusal printed; the exit code either way. */
static int run_exec(const struct cf_run_opts *o, void *arg)
{
	const struct run_args *a = arg;
	struct cf_error err;
	int code;

	if (cf_run(o, &code, &err) < 0) {
		/* a refusal that names a rule: of the profile run loaded */
		if (err.pointer[0] && !err.file[0])
			snprintf(err.file, sizeof(err.file), "%s",
				 a->seccomp ? a->seccomp : "builtin");
		run_cf_error(&err);
	}
	return code;
}

/* ---- complain: the method ---------------------------------------------- */

/* callfence already runs under a seccomp filter (unknown counts as yes:
 * the ptrace method sees what such a filter denies, the other not) */
static bool run_under_filter(void)
{
	return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0;
}

static bool run_user_notif_available(void)
{
	uint32_t act = SECCOMP_RET_USER_NOTIF;

	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act) == 0;
}

#define RUN_WHY_FILTERED                                                       \
	"callfence runs under a seccomp filter already; this method also "     \
	"sees the calls that filter denies"
#define RUN_WHY_BUSY                                                           \
	"a seccomp listener exists already (EBUSY: one per filter stack)"
#define RUN_WHY_NO_NOTIF "the kernel has no SECCOMP_RET_USER_NOTIF"
#define RUN_WHY_NO_PTRACE                                                      \
	"ptrace is not available (the command would be traced already, or "    \
	"ptrace is forbidden); calls a filter above callfence denies are not " \
	"seen"

/* The user-notification method: 0 ran, -EBUSY no listener (nothing
 * ran), else -1 with the refusal printed (nothing ran). */
static int run_complain_notify(const struct run_args *a,
			       const struct cf_run_opts *o, int *code)
{
	struct cf_error err;
	int rc = cf_run(o, code, &err);

	if (rc == 0 || rc == -EBUSY)
		return rc;
	if (err.pointer[0] && !err.file[0])
		snprintf(err.file, sizeof(err.file), "%s",
			 a->seccomp ? a->seccomp : "builtin");
	run_cf_error(&err);
	return -1;
}

/* The ptrace method: o without the filter. 0 ran, -1 failed (printed),
 * or 1 with *err: ptrace is not available (nothing ran). */
static int run_complain_ptrace(const struct run_args *a,
			       const struct cf_run_opts *o,
			       struct cli_complain *cc, int *code, int *err)
{
	struct cf_run_opts po = *o;
	int rc;

	po.prog = NULL;
	po.prog_len = 0;
	po.filter_flags = 0;
	po.filter = NULL;
	po.complain = NULL;
	po.complain_ctx = NULL;
	rc = complain_ptrace_run(&po, cc, run_exec, (void *)a, code);
	if (rc == 0 || rc == -ECANCELED)
		return rc ? -1 : 0;
	*err = -rc;
	return 1;
}

/* Chooses the method (docs/diagnose.md, "Methods"), runs the command;
 * 0 when it ran (report it), -1 when not (*code 125, said). */
static int run_complain(const struct run_args *a, const struct cf_run_opts *o,
			struct cli_complain *cc, int *code)
{
	bool filtered = run_under_filter(), notif = run_user_notif_available();
	const char *why = filtered ? RUN_WHY_FILTERED : RUN_WHY_NO_NOTIF;
	int rc = notif ? -EBUSY : -ENOSYS, prc, perr = 0;

	*code = CF_RUN_EXIT_FAILED;
	if (!filtered && notif) {
		if ((rc = run_complain_notify(a, o, code)) != -EBUSY)
			return rc;
		why = RUN_WHY_BUSY;
	}
	cli_complain_method(cc, COMPLAIN_PTRACE, why);
	prc = run_complain_ptrace(a, o, cc, code, &perr);
	if (prc <= 0)
		return prc;
	if (filtered && notif) {
		cli_complain_method(cc, COMPLAIN_USER_NOTIF, RUN_WHY_NO_PTRACE);
		if ((rc = run_complain_notify(a, o, code)) != -EBUSY)
			return rc;
	}
	*code = run_error("complain mode: no method is available: %s, and "
			  "ptrace cannot trace the command (%s: it is traced "
			  "already, or ptrace is forbidden); run without "
			  "--complain, or outside that supervisor or tracer",
			  rc == -EBUSY ? "this process already has a seccomp "
					 "listener (a complain run, CRI-O, "
					 "LXD; the kernel allows one per "
					 "filter stack)"
				       : "the kernel has no user notification",
			  strerror(perr));
	return -1;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {.nnp = -1, .enosys = CF_ENOSYS_RUNC};
	struct cf_run_opts o = {0};
	struct cf_filter *f = NULL;
	struct cli_run_agent agent = {.sock = -1};
	struct cli_run_user u = {0};
	struct cli_complain *cc = NULL;
	struct sock_filter *cprog = NULL;
	FILE *json = NULL;
	char **env = NULL;
	int rc, code;

	cli_set_msg_prefix("callfence run");
	/* before reading anything: a setuid callfence would read profiles
	 * (and report their contents) with privileges the invoker lacks */
	if (getauxval(AT_SECURE))
		return run_error("%s", "refusing to run: callfence was started "
				       "setuid, setgid or with file "
				       "capabilities (AT_SECURE); remove those "
				       "(chmod u-s,g-s; setcap -r) and run it "
				       "as root");
	a.add.v = calloc((size_t)argc + 1, sizeof(*a.add.v));
	a.drop.v = calloc((size_t)argc + 1, sizeof(*a.drop.v));
	a.group_add.v = calloc((size_t)argc + 1, sizeof(*a.group_add.v));
	if (!a.add.v || !a.drop.v || !a.group_add.v) {
		rc = run_error("%s", "out of memory");
		goto out;
	}
	rc = run_parse(&a, argc, argv, &code);
	if (rc < 0) {
		rc = code;
		goto out;
	}
	o.argv = argv + rc;
	rc = run_setup(&a, &u, &env, &o, &f);
	if (rc == 0)
		rc = cli_run_agent_setup(&agent, f, a.seccomp, a.complain, &o);
	if (rc == 0 && a.complain)
		rc = run_complain_setup(&a, &o, &cprog, &cc, &json);
	if (rc)
		goto out;
	fflush(NULL);
	if (!cc) {
		code = run_exec(&o, &a);
	} else if (run_complain(&a, &o, cc, &code) == 0) {
		/* the command's status stands, even if FILE cannot be
		 * written (that is said on stderr) */
		cli_complain_report(cc, json, a.complain_file, o.argv, code);
	}
	rc = code;
out:
	cli_run_agent_close(&agent);
	cli_complain_free(cc);
	free(cprog);
	if (json)
		fclose(json);
	if (f)
		cf_filter_free(f);
	cli_run_user_free(&u);
	run_env_free(env);
	free(a.add.v);
	free(a.drop.v);
	free(a.group_add.v);
	return rc;
}
