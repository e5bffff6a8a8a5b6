/* SPDX-License-Identifier: Apache-2.0 */
/*
 * callfence oci-hook [--state-dir DIR] [--wait S] [--recorder auto|ebpf|ptrace]
 * callfence oci-hook --install|--uninstall [--hooks-dir DIR]
 *
 * The OCI hook that records a container from its start. A runtime runs it
 * with the container's state (runtime-spec state.json) on stdin; without
 * the annotation io.callfence.record it does nothing. With it: at
 * createRuntime ("creating") it starts the recorder daemon (oci_daemon.c)
 * and returns once the daemon holds the container; at poststop
 * ("stopped") it waits for the daemon to write the profile.
 * Exit: 0 ok, 1 failure (the runtime then fails createRuntime, so the
 * container does not start unrecorded), 2 usage.
 */
#include "oci_hook.h"

#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OH_MAX_STATE (1 << 20)
#define OH_DEFAULT_WAIT 60

static const struct oci_recorder *const oh_recorders[] = {
    &oci_recorder_auto,
    &oci_recorder_ebpf,
    &oci_recorder_ptrace,
};

static const char oh_usage[] =
    "usage: callfence oci-hook [OPTIONS]   (a runtime gives the state on "
    "stdin)\n"
    "       callfence oci-hook --install|--uninstall [--hooks-dir DIR] "
    "[--recorder R]\n"
    "  --install            write the hooks.d file Podman and CRI-O read\n"
    "  --uninstall          remove it\n"
    "  --hooks-dir DIR      where (default " OCI_DEFAULT_HOOKS_DIR ")\n"
    "  --recorder auto|ebpf|ptrace  how the container is recorded "
    "(default auto:\n"
    "                       ebpf where it loads, else ptrace)\n"
    "  --state-dir DIR      the recorders' lock files (default " OCI_STATE_DIR
    ")\n"
    "  --wait SECONDS       poststop: how long to wait for the profile "
    "(default 60)\n"
    "annotations: io.callfence.record=PATH (absolute) records the "
    "container into\n"
    "PATH; io.callfence.record.args=1 adds argument rules\n";

enum oh_mode { OH_HOOK, OH_INSTALL, OH_UNINSTALL };

struct oh_args {
	enum oh_mode mode;
	bool recorder_given; /* --install: put it into the hook's arguments */
	const char *hooks_dir;
	struct oci_hook_opts hook;
};

static int oh_set_recorder(void *out, const char *name)
{
	for (size_t i = 0; i < CF_ARRAY_LEN(oh_recorders); i++)
		if (!strcmp(name, oh_recorders[i]->name)) {
			*(const struct oci_recorder **)out = oh_recorders[i];
			return 0;
		}
	cli_errorf("oci-hook: unknown recorder '%s' (auto, ebpf or ptrace)",
		   name);
	return -1;
}

static int oh_set_wait(void *out, const char *arg)
{
	if (cli_uint(arg, 1, 86400, out) == 0)
		return 0;
	cli_errorf("oci-hook: --wait '%s': a number of seconds, 1 to 86400",
		   arg);
	return -1;
}

/* --install and --uninstall: the last one given counts */
static int oh_set_install(void *mode, const char *unused)
{
	(void)unused;
	*(enum oh_mode *)mode = OH_INSTALL;
	return 0;
}

static int oh_set_uninstall(void *mode, const char *unused)
{
	(void)unused;
	*(enum oh_mode *)mode = OH_UNINSTALL;
	return 0;
}

static const struct cli_opt oh_opts[] = {
    CLI_OPT("install", 0, CLI_NO_VALUE, oh_set_install, struct oh_args, mode),
    CLI_OPT("uninstall", 0, CLI_NO_VALUE, oh_set_uninstall, struct oh_args,
	    mode),
    CLI_STRING("hooks-dir", 0, struct oh_args, hooks_dir),
    CLI_OPT("recorder", 0, CLI_VALUE, oh_set_recorder, struct oh_args,
	    hook.recorder),
    CLI_STRING("state-dir", 0, struct oh_args, hook.state_dir),
    CLI_OPT("wait", 0, CLI_VALUE, oh_set_wait, struct oh_args,
	    hook.wait_seconds),
    {NULL},
};

static const struct cli_cmd oh_cmd = {oh_usage, oh_opts, CLI_USAGE, false};

static int oh_parse(int argc, char **argv, struct oh_args *a, int *status)
{
	struct cli_parsed parsed;
	int first;

	a->mode = OH_HOOK;
	a->hooks_dir = OCI_DEFAULT_HOOKS_DIR;
	a->hook.state_dir = OCI_STATE_DIR;
	a->hook.wait_seconds = OH_DEFAULT_WAIT;
	first = cli_parse(&oh_cmd, argc, argv, a, &parsed);
	*status = parsed.status;
	if (first < 0)
		return -1;
	*status = CLI_USAGE;
	a->recorder_given = a->hook.recorder;
	if (!a->recorder_given)
		a->hook.recorder = oh_recorders[0];
	if (first < argc) {
		cli_errorf("oci-hook: unexpected argument '%s'", argv[first]);
		fputs(oh_usage, stderr);
		return -1;
	}
	if (a->hooks_dir[0] != '/' || a->hook.state_dir[0] != '/') {
		cli_errorf("oci-hook: --hooks-dir and --state-dir must be "
			   "absolute");
		return -1;
	}
	return 0;
}

static int oh_install(const struct oh_args *a)
{
	char prog[PATH_MAX];
	bool changed;
	int rc;

	if (a->mode == OH_UNINSTALL) {
		rc = oci_uninstall(a->hooks_dir, &changed);
		if (rc == 0)
			fprintf(stderr, "callfence oci-hook: %s/%s %s\n",
				a->hooks_dir, OCI_HOOK_FILE,
				changed ? "removed" : "was not there");
		return rc < 0 ? CLI_FAIL : CLI_OK;
	}
	if (!realpath("/proc/self/exe", prog)) {
		cli_errorf("oci-hook --install: where is this program? %s",
			   strerror(errno));
		return CLI_FAIL;
	}
	rc = oci_install(a->hooks_dir, prog,
			 a->recorder_given ? a->hook.recorder->name : NULL,
			 &changed);
	if (rc == 0)
		fprintf(stderr, "callfence oci-hook: %s/%s %s (runs %s)\n",
			a->hooks_dir, OCI_HOOK_FILE,
			changed ? "written" : "already up to date", prog);
	return rc < 0 ? CLI_FAIL : CLI_OK;
}

/* The whole of stdin (at most OH_MAX_STATE bytes), malloc'd. */
static char *oh_read_stdin(size_t *len)
{
	size_t cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	*len = 0;
	while (buf) {
		if (*len == cap) {
			char *nb =
			    cap < OH_MAX_STATE ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(0, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			return buf;
		*len += (size_t)n;
	}
	return NULL;
}

static int oh_hook(const struct oh_args *a)
{
	struct oci_state s;
	size_t len;
	char *text = oh_read_stdin(&len);
	int rc;

	if (!text) {
		cli_errorf("oci-hook: cannot read the container state on "
			   "stdin (at most %d bytes): %s",
			   OH_MAX_STATE, errno ? strerror(errno) : "too long");
		return CLI_FAIL;
	}
	rc = oci_state_parse(text, len, &s);
	free(text);
	if (rc < 0) {
		cli_errorf("oci-hook: the container state on stdin: %s "
			   "(a runtime-spec state.json object was expected)",
			   s.err);
		oci_state_free(&s);
		return CLI_FAIL;
	}
	if (!s.record_path)
		rc = CLI_OK; /* not for us */
	else if (!strcmp(s.status, "creating") || !strcmp(s.status, "created"))
		rc = oci_hook_start(&s, &a->hook);
	else if (!strcmp(s.status, "stopped"))
		rc = oci_hook_stop(&s, &a->hook);
	else {
		cli_errorf("oci-hook: nothing to do for a container in status "
			   "'%s' (the hook belongs to createRuntime and "
			   "poststop: see --install)",
			   s.status);
		rc = CLI_FAIL;
	}
	oci_state_free(&s);
	return rc;
}

int cmd_oci_hook(int argc, char **argv)
{
	struct oh_args a;
	int status;

	memset(&a, 0, sizeof(a));
	if (oh_parse(argc, argv, &a, &status) < 0)
		return status;
	if (a.mode != OH_HOOK)
		return oh_install(&a);
	return oh_hook(&a);
}
