/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.h - the backends of `callfence record`: each runs a command,
 * fills a cf_record with every call it makes (ABI, number) and says how
 * the command ended. cmd_record.c turns the observations into a profile
 * with the library (cf_record_json); a backend knows nothing of profiles.
 */
#ifndef CF_CLI_RECORD_H
#define CF_CLI_RECORD_H

#include "callfence.h"

#include <stdint.h>
#include <sys/types.h>

struct rec_result {
	bool args; /* in (--args): values of cf_record_arg_mask's arguments */
	int exit_code;	 /* the command's status, 128+N for signal N */
	int exec_errno;	 /* the command could not be executed (0 = it ran) */
	uint64_t events; /* calls observed */
	uint64_t tasks;	 /* processes and threads followed */
	bool nnp;	 /* the workload ran with no_new_privs */
	bool lost;	 /* something may have escaped: say so, write nothing */
	char why[256];	 /* with lost: what */
};

struct rec_backend {
	const char *name;
	/* Runs argv (argv[0] searched in PATH) and records it into obs.
	 * Returns 0 when the command ran (or could not be executed: see
	 * exec_errno), or -1 with a message printed when the recording
	 * itself failed. */
	int (*run)(char *const *argv, struct cf_record *obs,
		   struct rec_result *res);
};

extern const struct rec_backend rec_backend_ptrace;

/* record_ptrace.c: SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to callfence
 * (by kill, not the terminal) are passed on to process child; child < 0:
 * they are held back (until the child is known); 0: default handling. */
void rec_forward_signals(pid_t child);
/* Only where the installed handlers pass signals on (the process's own
 * handlers stay as they are). */
void rec_forward_to(pid_t child);

/* record_ptrace.c: once the command is gone, reads the errno its child
 * side wrote to errfd (CLOEXEC pipe: nothing = execve succeeded) into
 * res->exec_errno. */
void rec_exec_status(int errfd, struct rec_result *res);

/* record_ptrace.c: what a ptrace recorder (record's, oci-hook's) keeps
 * while it counts calls into obs; arch and abi: the last audit arch seen
 * and its ABI index (nearly every call of a workload has the same). */
struct rec_ptrace {
	struct cf_record *obs;
	struct rec_result *res;
	bool args; /* --args: argument values too */
	uint32_t arch;
	int abi, x32;
};
void rec_ptrace_init(struct rec_ptrace *r, struct cf_record *obs,
		     struct rec_result *res, bool args);
/* The call task pid is stopped at (audit arch, number nr, arguments args)
 * counted into r->obs, with --args its values; an arch callfence does not
 * know is a loss (res->lost, res->why). 0, or -ENOMEM. */
int rec_ptrace_call(struct rec_ptrace *r, pid_t pid, uint32_t arch, uint32_t nr,
		    const uint64_t *args);

/* record_ptrace.c: --args of a stopped tracee's call nr (library ABI abi,
 * arguments args) into obs: the values cf_record_arg_mask asks for;
 * clone3's flags word read from the tracee's struct clone_args. A struct
 * that cannot be read is a lost value (res->lost, like the eBPF
 * recorder's): no value is made up for it, since all ones would allow
 * clone3 whatever its flags. -ENOMEM on no memory. */
int rec_ptrace_args(pid_t pid, int abi, uint32_t nr, const uint64_t *args,
		    struct cf_record *obs, struct rec_result *res);

#endif
