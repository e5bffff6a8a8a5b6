/* SPDX-License-Identifier: Apache-2.0 */
/*
 * callfence record [-o PROFILE] [--backend ptrace] [--base builtin|PROFILE]
 *                  [--] COMMAND [ARG...]
 *
 * options -> backend runs the command into a cf_record -> the calls
 * `callfence run` makes itself after installing a filter are added ->
 * cf_record_json (against the base, if any) -> PROFILE, then a summary on
 * stderr. Exit: the command's status (128+N: signal N); 125 when the
 * recording failed (no profile written); 126/127 when the command could
 * not be executed (nothing recorded, no profile written).
 */
#include "callfence.h"

#include "cli.h"
#include "record.h"
#include "record_ebpf.h"
#include "record_merge.h"
#include "record_runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REC_DEFAULT_OUT "profile.json"

static const struct rec_backend *const rec_backends[] = {
    &rec_backend_ptrace,
    &rec_backend_ebpf,
};

static const char rec_usage[] =
    "usage: callfence record [OPTIONS] [--] COMMAND [ARG...]\n"
    "       callfence record [OPTIONS] --container ID|NAME [--duration S]\n"
    "  -o, --output PROFILE      where the profile goes "
    "(default " REC_DEFAULT_OUT "; - for stdout)\n"
    "  --backend ptrace|ebpf     how calls are observed (default ebpf as\n"
    "                            root with BTF where built in, else ptrace)\n"
    "  --base builtin|PROFILE    allow nothing the base profile denies\n"
    "  --allow-loss              write the profile even if the recorder\n"
    "                            lost calls or processes (never by default)\n"
    "  --container ID|NAME       record a running Docker or Podman container\n"
    "                            (ebpf) until it exits or --duration passes\n"
    "  --duration S              with --container: stop after S seconds\n"
    "  --args                    argument rules from the values seen "
    "(clone,\n"
    "                            socket, ioctl, prctl, ...: docs/record.md)\n"
    "  --max-values N            more distinct values than N: no condition "
    "on\n"
    "                            that argument (default 16)\n"
    "  --append                  merge into the existing PROFILE exactly "
    "(as\n"
    "                            callfence merge does)\n"
    "  --runtime LIST            add the calls these runtimes make after "
    "the\n"
    "                            filter: callfence,runc,crun (default), "
    "none\n"
    "exit: the command's status (128+N: killed by signal N); 125 the\n"
    "recording failed or lost something, 126/127 the command could not be\n"
    "run (no profile); --container: 0, or 125\n";

struct rec_args {
	const char *out;
	const struct rec_backend *backend;
	const char *base;
	bool allow_loss;
	const char *container;
	double duration;
	bool args, append;
	unsigned max_values;
	unsigned runtimes; /* REC_RT_* */
};

/* The default backend: ebpf where it can work (built in, root, BTF), else
 * ptrace, saying why. */
static const struct rec_backend *rec_default_backend(void)
{
	const char *why = NULL;

	if (!rec_ebpf_built())
		why = "not built in";
	else if (geteuid() != 0)
		why = "needs root";
	else if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		why = "the kernel has no BTF";
	if (!why)
		return &rec_backend_ebpf;
	fprintf(stderr, "callfence record: note: backend ptrace (ebpf: %s)\n",
		why);
	return &rec_backend_ptrace;
}

/* --container's and --duration's values, and their consistency (first:
 * the first operand). */
static int rec_parse_container(int argc, int first, struct rec_args *a)
{
	if (!a->container) {
		if (a->duration > 0) {
			cli_errorf("--duration goes with --container");
			return -1;
		}
		if (first >= argc) {
			cli_errorf("no command given");
			return -1;
		}
		return 0;
	}
	if (first < argc) {
		cli_errorf("--container records a running container: no "
			   "command goes with it");
		return -1;
	}
	if (a->backend && a->backend != &rec_backend_ebpf) {
		cli_errorf("--container needs --backend ebpf");
		return -1;
	}
	a->backend = &rec_backend_ebpf;
	return 0;
}

static int rec_set_duration(void *out, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v > 0) || v > 1e7) {
		cli_errorf("--duration '%s': not a number of seconds above 0",
			   arg);
		return -1;
	}
	*(double *)out = v;
	return 0;
}

static int rec_set_max(void *out, const char *s)
{
	if (cli_uint(s, 1, 256, out) == 0)
		return 0;
	cli_errorf("--max-values: '%s' is not a number from 1 to 256", s);
	return -1;
}

static int rec_set_backend(void *out, const char *name)
{
	for (size_t i = 0; i < CF_ARRAY_LEN(rec_backends); i++)
		if (!strcmp(name, rec_backends[i]->name)) {
			*(const struct rec_backend **)out = rec_backends[i];
			return 0;
		}
	cli_errorf("unknown backend '%s' (there are: ptrace, ebpf)", name);
	return -1;
}

static int rec_set_runtimes(void *out, const char *list)
{
	return rec_runtimes_parse(list, out);
}

static const struct cli_opt rec_opts[] = {
    CLI_STRING("output", 'o', struct rec_args, out),
    CLI_OPT("backend", 0, CLI_VALUE, rec_set_backend, struct rec_args, backend),
    CLI_STRING("base", 0, struct rec_args, base),
    CLI_FLAG("allow-loss", struct rec_args, allow_loss),
    CLI_STRING("container", 0, struct rec_args, container),
    CLI_OPT("duration", 0, CLI_VALUE, rec_set_duration, struct rec_args,
	    duration),
    CLI_FLAG("args", struct rec_args, args),
    CLI_FLAG("append", struct rec_args, append),
    CLI_OPT("runtime", 0, CLI_VALUE, rec_set_runtimes, struct rec_args,
	    runtimes),
    CLI_OPT("max-values", 0, CLI_VALUE, rec_set_max, struct rec_args,
	    max_values),
    {NULL},
};

/* COMMAND's own options follow it */
static const struct cli_cmd rec_cmd = {rec_usage, rec_opts, CF_RUN_EXIT_FAILED,
				       true};

/* The options into a: the index of COMMAND (argc with --container), or -1
 * with the exit status in *status. */
static int rec_parse(int argc, char **argv, struct rec_args *a, int *status)
{
	struct cli_parsed parsed;
	int first;

	a->out = REC_DEFAULT_OUT;
	a->runtimes = REC_RT_ALL;
	first = cli_parse(&rec_cmd, argc, argv, a, &parsed);
	*status = parsed.status;
	if (first < 0)
		return -1;
	*status = CF_RUN_EXIT_FAILED;
	if (a->append && !strcmp(a->out, "-")) {
		cli_errorf("--append needs a file to merge into (-o PROFILE, "
			   "not -)");
		return -1;
	}
	if (rec_parse_container(argc, first, a) < 0) {
		fputs(rec_usage, stderr);
		return -1;
	}
	if (!a->backend)
		a->backend = rec_default_backend();
	return first;
}

/* The base compiled for the target `callfence run` uses by default. */
static int rec_base(const char *name, struct cf_filter **out)
{
	struct cf_target t;
	struct cf_error err;

	*out = NULL;
	if (cf_target_default(&t, &err) < 0) {
		cli_error(&err);
		return -1;
	}
	if (!(*out = cli_load_filter(name, &t)))
		return -1;
	if (cf_filter_unconfined(*out)) {
		cf_filter_free(*out);
		*out = NULL; /* {}: allows everything, so no limit */
	}
	return 0;
}

/* The calls `callfence run` makes after installing the filter, for every
 * combination of the options that change them, added to obs (host ABI);
 * the ones the workload did not make itself are listed in added. */
static size_t rec_add_run_calls(struct cf_record *obs, bool args,
				uint32_t *added, size_t max)
{
	uint32_t nrs[64];
	size_t nadded = 0;
	int host = cf_abi_host();
	uint64_t caps = cf_caps_docker_default();

	for (unsigned combo = 0; combo < 8; combo++) {
		struct cf_run_opts o;
		size_t n;

		memset(&o, 0, sizeof(o));
		o.set_caps = combo & 1;
		o.set_user = combo & 2;
		o.no_new_privs = combo & 4;
		o.caps = caps;
		n = cf_run_own_calls(&o, nrs, CF_ARRAY_LEN(nrs));
		for (size_t i = 0; i < n && i < CF_ARRAY_LEN(nrs); i++) {
			bool seen = false;
			size_t pos = 0;
			int abi;
			uint32_t nr;

			for (size_t k = 0; k < nadded; k++)
				seen = seen || added[k] == nrs[i];
			while (!seen &&
			       cf_record_next(obs, &pos, &abi, &nr, NULL))
				seen = abi == host && nr == nrs[i];
			if (seen)
				continue;
			if (nadded < max)
				added[nadded++] = nrs[i];
			if (!args)
				cf_record_add(obs, host, nrs[i], 0);
		}
		/* --args: with the values of their arguments (prctl's) */
		if (args)
			cf_record_add_run_calls(obs, &o);
	}
	return nadded;
}

/* Every selected runtime's calls, callfence run's first. */
static int rec_add_runtimes(struct cf_record *obs, bool args, unsigned which,
			    struct rec_rt_added added[3])
{
	memset(added, 0, 3 * sizeof(*added));
	if (which & REC_RT_CALLFENCE) {
		uint32_t nrs[64];
		size_t n = rec_add_run_calls(obs, args, nrs, CF_ARRAY_LEN(nrs));

		for (size_t i = 0; i < n && i < CF_ARRAY_LEN(nrs); i++)
			rec_rt_note(&added[0],
				    cf_syscall_name(cf_abi_host(), nrs[i]));
	}
	if (rec_add_runtime_calls(obs, args, which, REC_RT_RUNC, &added[1]) <
		0 ||
	    rec_add_runtime_calls(obs, args, which, REC_RT_CRUN, &added[2]) < 0)
		return -1;
	return 0;
}

struct rec_summary {
	size_t base_denied;
	size_t arg_rules, arg_many; /* names with argument rules; fallbacks */
};

static void rec_diag(void *ctx, const struct cf_diag *d)
{
	struct rec_summary *s = ctx;

	if (!strcmp(d->id, "record-base-denies") ||
	    !strcmp(d->id, "record-base-partial"))
		s->base_denied++;
	else if (!strcmp(d->id, "record-args"))
		s->arg_rules++;
	else if (!strcmp(d->id, "record-args-many"))
		s->arg_many++;
	fprintf(stderr, "callfence record: %s: %s [%s]\n",
		cf_diag_class_name(d->cls), d->msg, d->id);
}

/* What each runtime's calls added to the profile (--runtime). */
static void rec_print_runtimes(FILE *f, unsigned which,
			       const struct rec_rt_added added[3])
{
	static const char *const what[3] = {
	    "callfence run's own calls after installing the filter",
	    "runc's calls after installing the filter (measured)",
	    "crun's calls after installing the filter (measured)",
	};
	static const unsigned bits[3] = {REC_RT_CALLFENCE, REC_RT_RUNC,
					 REC_RT_CRUN};

	for (int r = 0; r < 3; r++) {
		if (!(which & bits[r])) {
			fprintf(f,
				"callfence record: not added (--runtime): "
				"%s\n",
				what[r]);
			continue;
		}
		fprintf(f, "callfence record: added for %s:", what[r]);
		for (size_t i = 0; i < added[r].n; i++)
			fprintf(f, " %s", added[r].names[i]);
		fprintf(f, "%s\n", added[r].n ? "" : " none (all observed)");
	}
}

static void rec_print_summary(FILE *f, const struct cf_record *obs,
			      const struct rec_result *res,
			      const struct rec_args *a,
			      const struct rec_rt_added added[3], double secs,
			      const struct rec_summary *s)
{
	const char *out = a->out;
	size_t per_abi[64] = {0}, pos = 0;
	int abi;
	uint32_t nr;
	uint64_t count;

	while (cf_record_next(obs, &pos, &abi, &nr, &count))
		if (count && abi >= 0 && abi < 64)
			per_abi[abi]++;
	fprintf(f, "callfence record: %llu calls, %llu tasks, %.3f s",
		(unsigned long long)res->events, (unsigned long long)res->tasks,
		secs);
	for (int i = 0; i < 64 && i < cf_abi_count(); i++)
		if (per_abi[i])
			fprintf(f, "; %zu syscalls on %s", per_abi[i],
				cf_abi_name(i));
	fputc('\n', f);
	rec_print_runtimes(f, a->runtimes, added);
	if (res->nnp)
		fprintf(f, "callfence record: the workload ran with "
			   "no_new_privs (no CAP_SYS_ADMIN): setuid and "
			   "file capabilities gained it nothing\n");
	if (res->args)
		fprintf(f,
			"callfence record: argument rules: %zu calls (above); "
			"%zu arguments allowed whatever their value (more "
			"distinct values than --max-values)\n",
			s->arg_rules, s->arg_many);
	if (s->base_denied)
		fprintf(f,
			"callfence record: %zu calls stay denied "
			"by the base profile (above)\n",
			s->base_denied);
	fprintf(f, "callfence record: profile written to %s\n",
		strcmp(out, "-") ? out : "standard output");
}

/* The summary in one write to stderr, not one per fprintf (stderr is
 * unbuffered: about 45 writes); straight to stderr if no memory. */
static void rec_summarize(const struct cf_record *obs,
			  const struct rec_result *res,
			  const struct rec_args *a,
			  const struct rec_rt_added added[3], double secs,
			  const struct rec_summary *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	rec_print_summary(f ? f : stderr, obs, res, a, added, secs, s);
	if (!f)
		return;
	if (fclose(f) == 0)
		fwrite(text, 1, len, stderr);
	free(text);
}

static double rec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rec_finish(const struct rec_args *a, struct cf_record *obs,
		      const struct cf_filter *base,
		      const struct rec_result *res, double secs)
{
	struct rec_summary s = {0};
	struct cf_record_opts ro = {base, rec_diag, &s, a->max_values, {0}};
	static struct rec_rt_added added[3];
	struct cf_error err;
	char *json;
	size_t len;
	bool merged = false;
	int rc;

	if (rec_add_runtimes(obs, res->args, a->runtimes, added) < 0) {
		cli_errorf("out of memory");
		return CF_RUN_EXIT_FAILED;
	}
	if (cf_record_json(obs, &ro, &json, &len, &err) < 0) {
		cli_error(&err);
		return CF_RUN_EXIT_FAILED;
	}
	if (a->append && rec_append(a->out, &json, &len, &merged) < 0) {
		free(json);
		return CF_RUN_EXIT_FAILED;
	}
	/* a failed write leaves the old profile (or none), never half */
	rc = cli_write_out(a->out, json, len);
	free(json);
	if (rc < 0)
		return CF_RUN_EXIT_FAILED;
	rec_summarize(obs, res, a, added, secs, &s);
	if (a->append)
		fprintf(stderr, "callfence record: %s\n",
			merged ? "merged with what the profile allowed before "
				 "(exact union, as callfence merge)"
			       : "--append: no profile there yet: the "
				 "recording alone");
	return res->exit_code;
}

int cmd_record(int argc, char **argv)
{
	struct rec_args a = {0};
	struct rec_result res;
	struct cf_record *obs = NULL;
	struct cf_filter *base = NULL;
	struct cf_error err;
	double t0;
	int first, code = CF_RUN_EXIT_FAILED;

	first = rec_parse(argc, argv, &a, &code);
	if (first < 0)
		return code;
	code = CF_RUN_EXIT_FAILED;
	if (a.base && rec_base(a.base, &base) < 0)
		return CF_RUN_EXIT_FAILED;
	if (cf_record_new(&obs, &err) < 0) {
		cli_error(&err);
		cf_filter_free(base);
		return CF_RUN_EXIT_FAILED;
	}
	memset(&res, 0, sizeof(res));
	res.args = a.args;
	t0 = rec_now();
	if (a.container
		? rec_container_record(a.container, a.duration, obs, &res) < 0
		: a.backend->run(argv + first, obs, &res) < 0)
		goto out;
	if (res.exec_errno) {
		cli_errorf("cannot run '%s': %s (no profile written)",
			   argv[first], strerror(res.exec_errno));
		code = res.exec_errno == ENOENT ? CF_RUN_EXIT_NOT_FOUND
						: CF_RUN_EXIT_CANNOT_RUN;
		goto out;
	}
	if (res.lost && !a.allow_loss) {
		cli_errorf("calls may be missing from the recording: %s (no "
			   "profile written; --allow-loss writes it anyway)",
			   res.why);
		goto out;
	}
	if (res.lost)
		fprintf(stderr,
			"callfence record: warning: %s; the profile may lack "
			"calls the workload makes (--allow-loss)\n",
			res.why);
	code = rec_finish(&a, obs, base, &res, rec_now() - t0);
out:
	cf_record_free(obs);
	cf_filter_free(base);
	return code;
}
