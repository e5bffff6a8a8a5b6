/* SPDX-License-Identifier: Apache-2.0 */
/* action.c - names of actions and comparison operators (from the X-macro
 * lists in action.h). */
#include "base.h"
#include "action.h"

/* Actions whose 16 data bits are part of the name: ERRNO(n), TRACE(n). */
static bool action_has_data(enum cf_action_kind kind)
{
	return kind == CF_ACT_ERRNO || kind == CF_ACT_TRACE;
}

const char *cf_action_str(uint32_t action, char *buf, size_t size)
{
	/* clang-format off */
	static const struct {
		uint32_t base;
		const char *name;
	} acts[] = {
#define X(e, s, v) [CF_ACT_##e] = { v, s },
		CF_ACTIONS(X)
#undef X
	};
	/* clang-format on */
	uint32_t data = action & CF_RET_DATA;

	if (!buf || !size)
		return buf;
	/* first match wins: KILL_THREAD comes before its alias KILL */
	for (size_t i = 0; i < CF_ARRAY_SIZE(acts); i++) {
		if ((action & CF_RET_ACTION_FULL) != acts[i].base)
			continue;
		if (action_has_data((enum cf_action_kind)i))
			snprintf(buf, size, "%s(%u)", acts[i].name, data);
		else if (data)
			snprintf(buf, size, "%s|0x%x", acts[i].name, data);
		else
			snprintf(buf, size, "%s", acts[i].name);
		return buf;
	}
	snprintf(buf, size, "0x%08x", action);
	return buf;
}

const char *cf_op_name(enum cf_op op)
{
	/* clang-format off */
	static const char *const names[] = {
		[CF_OP__NONE] = "(none)",
#define X(e, s) [CF_OP_##e] = s,
		CF_OPS(X)
#undef X
	};
	/* clang-format on */

	return (unsigned)op < CF_ARRAY_SIZE(names) ? names[op] : "(bad)";
}
