/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: bytes -> JSON -> profile AST. Beyond "no crash": an accepted
 * profile's notes and positions are well-formed, and a rejected one has a
 * message.
 */
#include "cf.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_pos(const struct cf_pos *pos)
{
	if (pos->pointer && pos->pointer[0] && pos->pointer[0] != '/')
		abort();
	if (pos->pointer && pos->pointer[0] && pos->line == 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_profile *p;
	struct cf_error err;

	if (cf_profile_parse((const char *)data, size, "fuzz", &p, &err)) {
		if (!err.msg[0] || err.code >= 0)
			abort();
		return 0;
	}
	for (const struct cf_p_note *n = p->notes; n; n = n->next) {
		if (!n->id || !n->msg)
			abort();
		check_pos(&n->pos);
	}
	for (size_t i = 0; i < p->nsyscalls; i++) {
		const struct cf_p_syscall *s = &p->syscalls[i];

		check_pos(&s->pos);
		for (size_t j = 0; j < s->nnames; j++)
			check_pos(&s->name_pos[j]);
		for (size_t j = 0; j < s->nargs; j++)
			if (s->args[j].index > 5 || s->args[j].op == CF_OP__NONE)
				abort();
	}
	if (p->unconfined != (!p->has_default_action && p->nsyscalls == 0))
		abort();
	cf_profile_free(p);
	return 0;
}
