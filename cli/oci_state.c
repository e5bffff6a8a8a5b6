/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_state.c - the container state a runtime gives a hook on stdin
 * (runtime-spec, state.json), read by the library (cf_oci_state_parse,
 * the reader the seccomp agent's state goes through too); here only
 * callfence's annotations are picked out and an error is put the hook's
 * way ("line L col C: what (at PTR)").
 */
#include "oci_hook.h"

#include <stdio.h>
#include <string.h>

/* The value of annotation key, or NULL. */
static const char *os_annotation(const struct cf_oci_state *st, const char *key)
{
	for (size_t i = 0; i < st->nannotations; i++)
		if (!strcmp(st->annotations[2 * i], key))
			return st->annotations[2 * i + 1];
	return NULL;
}

int oci_state_parse(const char *text, size_t len, struct oci_state *s)
{
	struct cf_error err;

	memset(s, 0, sizeof(*s));
	if (cf_oci_state_parse(text, len, NULL, &s->st, &err) < 0) {
		if (err.line)
			snprintf(s->err, sizeof(s->err),
				 "line %u col %u: %s%s%s%s", err.line, err.col,
				 err.msg, err.pointer[0] ? " (at " : "",
				 err.pointer, err.pointer[0] ? ")" : "");
		else
			snprintf(s->err, sizeof(s->err), "%s", err.msg);
		return -1;
	}
	s->id = s->st.id;
	s->status = s->st.status;
	s->bundle = s->st.bundle;
	s->pid = s->st.pid;
	s->record_path = os_annotation(&s->st, OCI_ANNOTATION_RECORD);
	s->record_args = os_annotation(&s->st, OCI_ANNOTATION_ARGS);
	return 0;
}

void oci_state_free(struct oci_state *s)
{
	cf_oci_state_free(&s->st);
	memset(s, 0, sizeof(*s));
}
