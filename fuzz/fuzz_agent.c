/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the seccomp agent's inputs, the policy file and a runtime's
 * state message (lib/agent_policy.c). Asserted beyond "no crash":
 * - a refused policy is -EINVAL/-ENOMEM with a message and no policy;
 * - an accepted one decides every name of the input's own table and NULL
 *   with one of the three actions, an errno in 1..4095 exactly for ERRNO;
 * - a parsed state names a descriptor index >= 0 and NUL-terminated ids.
 */
#include "callfence.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_decision(const struct cf_agent_policy *p, const char *name)
{
	int e = -1;
	enum cf_agent_action a = cf_agent_policy_decide(p, name, &e);

	if (a != CF_AGENT_CONTINUE && a != CF_AGENT_LOG && a != CF_AGENT_ERRNO)
		abort();
	if ((a == CF_AGENT_ERRNO) != (e >= 1 && e <= 4095))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct cf_agent_policy *p = NULL;
	struct cf_agent_state st;
	struct cf_error err;
	size_t pos = 0;
	const char *name;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = cf_agent_policy_parse(buf, size, "f.json", &p, &err);
	if (rc < 0 && ((rc != -EINVAL && rc != -ENOMEM) || p || !err.msg[0]))
		abort();
	if (rc == 0) {
		if (!p)
			abort();
		check_decision(p, NULL);
		while ((name = cf_syscall_next(cf_abi_host(), &pos, NULL)))
			check_decision(p, name);
		cf_agent_policy_free(p);
	}
	if (cf_agent_state_parse(buf, size, &st, &err) == 0 &&
	    (st.seccomp_fd < 0 || !memchr(st.id, 0, sizeof(st.id)) ||
	     !memchr(st.metadata, 0, sizeof(st.metadata))))
		abort();
	return 0;
}
