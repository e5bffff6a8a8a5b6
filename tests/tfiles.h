/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tfiles.h - files, directories and processes for the tests that run
 * commands (test_run*.c, test_record.c, test_detect.c): one copy of each
 * helper. Buffers returned are static and rotate (see each function), so
 * a result is good until that many later calls.
 */
#ifndef CF_TESTS_TFILES_H
#define CF_TESTS_TFILES_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A file's text (at most 64 KiB; "" when it cannot be read); two
 * rotating buffers. */
char *t_slurp(const char *path);
bool t_exists(const char *path);
/* A file's whole text, malloc'd (the caller frees it); "" (malloc'd too)
 * when it cannot be read, NULL only when memory runs out. */
char *t_read_all(const char *path);
/* dir/name; eight rotating buffers. */
char *t_join(const char *dir, const char *name);
/* A fresh world-writable directory /tmp/cf-<tag>-XXXXXX (commands may run
 * as nobody); *slot holds the caller's current one, which is removed
 * first. Every directory made is removed when the test binary exits.
 * NULL on failure. */
struct t_dir {
	char path[64];
};
const char *t_fresh_dir(struct t_dir *slot, const char *tag);
/* build/tests/run/<prog>, next to the callfence binary; four rotating
 * buffers. */
const char *t_run_helper(const char *prog);
/* true as root, else skips the test ("needs root") and returns false. */
bool t_need_root(void);
/* Polls (bounded, 10 s) until path exists. */
bool t_wait_for(const char *path);
/* The state letter of /proc/PID/stat, polled (bounded, 10 s) until it is
 * one of want ('?': no such process); returns the last seen. */
char t_proc_state(pid_t pid, const char *want);
/* Gone, or a zombie nobody reaps: either way not running. */
bool t_proc_dead(pid_t pid);
/* No callfence.<pid>.* cgroup left in the pids hierarchies. */
bool t_no_cgroup_left(pid_t pid);

/* How t_spawn_run starts `callfence run`: as uid (0: as this process),
 * in a process group of its own, after setup() (NULL: none). */
struct t_spawn {
	uid_t uid;
	bool own_group;
	void (*setup)(void);
};
/* Starts `callfence run ARGS` (NULL-terminated), stdout into out, stderr
 * into out.err, as how says (NULL: plainly). Returns its pid or -1. */
pid_t t_spawn_run(const char *out, const struct t_spawn *how,
		  const char *const *args);
/* Waits for pid; its exit code as a shell shows it (cf_run_exit_code),
 * -1 if it cannot be waited for. */
int t_reap_run(pid_t pid);

/* The callfence binary's exit code (-1: killed, not started) and its
 * stdout and stderr, merged as a terminal shows them. */
struct t_out {
	int status;
	char text[65536];
};
/* Runs t_callfence_bin() with args (NULL-terminated, at most 30). */
void t_callfence(struct t_out *o, const char *const *args);

/* A hand-written program for cf_run (x86_64; any other ABI is killed):
 * the syscalls in nrs (n < 255) return listed, every other one rest.
 * Returns its length (n + 6 instructions into p). */
size_t t_prog_listed(struct sock_filter *p, const int *nrs, size_t n,
		     uint32_t listed, uint32_t rest);

#endif
