/* SPDX-License-Identifier: Apache-2.0 */
/* action.c - names of actions and comparison operators (from the X-macro
 * lists in action.h). */
#include "base.h"
#include "action.h"

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

bool cf_action_has_data(enum cf_action_kind kind)
{
	return kind == CF_ACT_ERRNO || kind == CF_ACT_TRACE;
}

enum cf_action_kind cf_action_kind_of(uint32_t action)
{
	size_t i = 0;

	/* first match wins: KILL_THREAD comes before its alias KILL */
	while (i < CF_ARRAY_SIZE(acts) &&
	       (action & CF_RET_ACTION_FULL) != acts[i].base)
		i++;
	return (enum cf_action_kind)i;
}

const char *cf_action_json_name(enum cf_action_kind kind)
{
	return (unsigned)kind < CF_ARRAY_SIZE(acts) ? acts[kind].name : NULL;
}

const char *cf_action_str(uint32_t action, char *buf, size_t size)
{
	enum cf_action_kind kind = cf_action_kind_of(action);
	uint32_t data = action & CF_RET_DATA;

	if (!buf || !size)
		return buf;
	if (kind == CF_ACT__COUNT)
		snprintf(buf, size, "0x%08x", action);
	else if (cf_action_has_data(kind))
		snprintf(buf, size, "%s(%u)", acts[kind].name, data);
	else if (data)
		snprintf(buf, size, "%s|0x%x", acts[kind].name, data);
	else
		snprintf(buf, size, "%s", acts[kind].name);
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
