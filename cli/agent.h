/* SPDX-License-Identifier: Apache-2.0 */
/* agent.h - the seccomp agent: callfence run's hand-over of the listener
 * (run_agent.c) and the reference agent, callfence agent (cmd_agent.c). */
#ifndef CF_CLI_AGENT_H
#define CF_CLI_AGENT_H

#include "callfence.h"

/* The OCI runtime-spec version callfence's state messages follow (the
 * one that added listenerPath and the container process state). */
#define CLI_AGENT_OCI_VERSION "1.0.2"
/* The name of the listener in the message's "fds" (runtime-spec). */
#define CLI_AGENT_SECCOMP_FD "seccompFd"

/* callfence run's side: connected to listenerPath before the command is
 * forked, so a missing or refusing agent stops the run (exit 125) before
 * anything starts. */
struct cli_run_agent {
	const char *path;     /* the profile's listenerPath */
	const char *metadata; /* listenerMetadata, NULL = none */
	const char *profile;  /* as named on the command line */
	const char *command;  /* argv[0] */
	int sock;	      /* -1 = not connected */
};

int cmd_agent(int argc, char **argv);

/* When f sends calls to an agent: connects, and sets o->agent. Returns 0
 * or 125 (the message printed). */
int cli_run_agent_setup(struct cli_run_agent *a, const struct cf_filter *f,
			const char *profile, bool complain,
			struct cf_run_opts *o);
void cli_run_agent_close(struct cli_run_agent *a);

#endif
