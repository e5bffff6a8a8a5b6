/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_hook.h - `callfence oci-hook`: the OCI hook that records a container
 * from its start (cmd_oci_hook.c), its parts and its recorders.
 *
 *   createRuntime: state on stdin -> annotation io.callfence.record=PATH?
 *     -> PATH safe? -> fork a daemon -> it attaches a recorder to the
 *     container's init -> "attached" on a pipe -> the hook exits 0
 *   the container runs; the daemon records everything it does
 *   the container's init exits -> the daemon writes PATH (temp + rename)
 *     or PATH.error (lost events, recording failed) -> releases its lock
 *   poststop: waits for that lock (bounded), reports the daemon's status
 */
#ifndef CF_CLI_OCI_HOOK_H
#define CF_CLI_OCI_HOOK_H

#include "callfence.h"

#include "record.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OCI_ANNOTATION_RECORD "io.callfence.record"
#define OCI_ANNOTATION_ARGS "io.callfence.record.args"
#define OCI_DEFAULT_HOOKS_DIR "/etc/containers/oci/hooks.d"
#define OCI_HOOK_FILE "callfence-record.json"
#define OCI_STATE_DIR "/run/callfence-oci-hook"

/* oci_state.c: the container state a runtime writes on a hook's stdin
 * (runtime-spec state.json), as the library reads it (cf_oci_state_parse):
 * the strings live in st. */
struct oci_state {
	struct cf_oci_state st;
	const char *id;
	const char *status;
	const char *bundle;
	long long pid;		 /* 0: absent (poststop) */
	const char *record_path; /* annotation io.callfence.record, or NULL */
	const char *record_args; /* annotation io.callfence.record.args */
	char err[1400]; /* with a failure: "line L col C: what (at PTR)" */
};
/* Parses text (len bytes) into s. 0, or -1 with s->err set: not JSON,
 * not an object, a required member (ociVersion, id, status, bundle)
 * missing or of the wrong type, pid not a positive integer. */
int oci_state_parse(const char *text, size_t len, struct oci_state *s);
void oci_state_free(struct oci_state *s);

/* oci_path.c: where the profile may go. */
/* 0 when path is absolute, clean (no "", ".", ".." component, no
 * control character) and every directory on it is a real directory
 * (no symlink) owned by root or by us and writable by nobody else
 * unless sticky (/tmp); else -1 with why set. */
int oci_path_check(const char *path, char *why, size_t n);
/* Writes len bytes to path atomically (a temporary file in its
 * directory, then rename), after checking it again. 0 or -errno (why
 * set). */
int oci_path_write(const char *path, const char *data, size_t len, char *why,
		   size_t n);

/* oci_install.c: the hooks.d file Podman and CRI-O read. */
/* Writes DIR/callfence-record.json for the hook program prog (absolute),
 * run with --recorder recorder unless that is NULL; an identical file is
 * left alone. 0 (changed or not: *changed says), or -1 with a message
 * printed. */
int oci_install(const char *dir, const char *prog, const char *recorder,
		bool *changed);
int oci_uninstall(const char *dir, bool *changed);
/* The hooks.d JSON text (malloc'd). */
char *oci_install_json(const char *prog, const char *recorder);

/* A recorder of a container: records every call of the container whose
 * init process is pid (with args: the argument values cf_record_arg_mask
 * names too), from the moment attached() is called (it must be called
 * only once nothing the container does can escape), until the
 * container's init has exited. Fills obs and res (events, tasks, lost
 * with why). Returns 0, or -1 with why set when it could not record. */
struct oci_recorder {
	const char *name;
	int (*record)(pid_t pid, bool args, void (*attached)(void *ctx),
		      void *ctx, struct cf_record *obs, struct rec_result *res);
};
extern const struct oci_recorder oci_recorder_ptrace;
extern const struct oci_recorder oci_recorder_ebpf; /* oci_ebpf.c */
/* eBPF where it loads, else ptrace */
extern const struct oci_recorder oci_recorder_auto;

/* oci_daemon.c: the two stages. */
struct oci_hook_opts {
	const char *state_dir; /* OCI_STATE_DIR unless overridden */
	const struct oci_recorder *recorder;
	unsigned wait_seconds; /* poststop: how long to wait for the profile */
};
/* createRuntime (and prestart): start the daemon, return once attached.
 * Exit status for the hook: 0, or 1 with a message printed. */
int oci_hook_start(const struct oci_state *s, const struct oci_hook_opts *o);
/* poststop: wait for the daemon of s->id, report how it ended. */
int oci_hook_stop(const struct oci_state *s, const struct oci_hook_opts *o);
/* The state file of container id under dir (malloc'd), NULL when the id
 * is not a safe file name. */
char *oci_state_file(const char *dir, const char *id);

#endif
