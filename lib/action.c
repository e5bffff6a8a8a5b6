/* SPDX-License-Identifier: Apache-2.0 */
/* action.c - names of actions and comparison operators. */
#include "cf.h"

const char *cf_action_str(uint32_t action, char *buf, size_t size)
{
	static const struct {
		uint32_t base;
		const char *name;
		bool data;
	} acts[] = {
		{ 0x80000000U, "SCMP_ACT_KILL_PROCESS", false },
		{ 0x00000000U, "SCMP_ACT_KILL_THREAD", false },
		{ 0x00030000U, "SCMP_ACT_TRAP", false },
		{ 0x00050000U, "SCMP_ACT_ERRNO", true },
		{ 0x7fc00000U, "SCMP_ACT_NOTIFY", false },
		{ 0x7ff00000U, "SCMP_ACT_TRACE", true },
		{ 0x7ffc0000U, "SCMP_ACT_LOG", false },
		{ 0x7fff0000U, "SCMP_ACT_ALLOW", false },
	};

	for (size_t i = 0; i < CF_ARRAY_SIZE(acts); i++) {
		if ((action & CF_RET_ACTION_FULL) != acts[i].base)
			continue;
		if (acts[i].data)
			snprintf(buf, size, "%s(%u)", acts[i].name,
				 action & CF_RET_DATA);
		else if (action & CF_RET_DATA)
			snprintf(buf, size, "%s|0x%x", acts[i].name,
				 action & CF_RET_DATA);
		else
			snprintf(buf, size, "%s", acts[i].name);
		return buf;
	}
	snprintf(buf, size, "0x%08x", action);
	return buf;
}

const char *cf_op_name(enum cf_op op)
{
	static const char *const names[] = {
		[CF_OP__NONE] = "(none)",
#define X(e, s) [CF_OP_##e] = s,
		CF_OPS(X)
#undef X
	};

	return (unsigned)op < CF_ARRAY_SIZE(names) ? names[op] : "(bad)";
}
