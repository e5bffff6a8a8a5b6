/* SPDX-License-Identifier: Apache-2.0 */
/* audit.c - cf_profile_audit: the "audit" variant of a profile. Every
 * action that denies (SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD,
 * SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP), the default action's and the
 * rules', becomes SCMP_ACT_LOG and loses its errno (defaultErrnoRet,
 * errnoRet); everything else is written back as it was, in its order.
 * With a default action of SCMP_ACT_LOG runc emits no ENOSYS stub, so the
 * calls the stub answered ENOSYS are logged and run too. */
#include "base.h"
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool denies(const struct cf_json *v)
{
	static const char *const deny[] = {
	    "SCMP_ACT_ERRNO",	     "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
	    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
	};

	if (!v || v->type != CF_JSON_STRING)
		return false;
	for (size_t i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (!strcmp(v->u.str.s, deny[i]))
			return true;
	return false;
}

struct writer {
	FILE *f;
	const struct cf_json *profile; /* the object to rewrite */
};

static void put_str(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void indent(FILE *f, int depth)
{
	fputc('\n', f);
	for (int i = 0; i < depth; i++)
		fputc('\t', f);
}

static void put_value(struct writer *w, const struct cf_json *v, int depth,
		      bool rule);

/* An object's members; in the profile and in its rules a denying action
 * is written as SCMP_ACT_LOG and the errno that went with it left out. */
static void put_object(struct writer *w, const struct cf_json *v, int depth,
		       bool rule)
{
	bool prof = v == w->profile, first = true;
	bool deny = (prof && denies(cf_json_get(v, "defaultAction"))) ||
		    (rule && denies(cf_json_get(v, "action")));
	const char *act = prof ? "defaultAction" : "action";
	const char *ret = prof ? "defaultErrnoRet" : "errnoRet";

	fputc('{', w->f);
	for (size_t i = 0; i < v->u.obj.n; i++) {
		const struct cf_json_member *m = &v->u.obj.m[i];

		if (deny && (prof || rule) && !strcmp(m->key, ret))
			continue;
		fputs(first ? "" : ",", w->f);
		first = false;
		indent(w->f, depth + 1);
		put_str(w->f, m->key, m->keylen);
		fputs(": ", w->f);
		if (deny && (prof || rule) && !strcmp(m->key, act))
			fputs("\"SCMP_ACT_LOG\"", w->f);
		else
			put_value(w, m->val, depth + 1,
				  prof && !strcmp(m->key, "syscalls"));
	}
	if (!first)
		indent(w->f, depth);
	fputc('}', w->f);
}

/* rule: v is (an item of) the profile's syscalls */
static void put_value(struct writer *w, const struct cf_json *v, int depth,
		      bool rule)
{
	switch (v->type) {
	case CF_JSON_NULL:
		fputs("null", w->f);
		break;
	case CF_JSON_FALSE:
		fputs("false", w->f);
		break;
	case CF_JSON_TRUE:
		fputs("true", w->f);
		break;
	case CF_JSON_NUMBER:
		fwrite(v->u.num.text, 1, v->u.num.len, w->f);
		break;
	case CF_JSON_STRING:
		put_str(w->f, v->u.str.s, v->u.str.len);
		break;
	case CF_JSON_ARRAY:
		fputc('[', w->f);
		for (size_t i = 0; i < v->u.arr.n; i++) {
			fputs(i ? "," : "", w->f);
			indent(w->f, depth + 1);
			put_value(w, v->u.arr.items[i], depth + 1, rule);
		}
		if (v->u.arr.n)
			indent(w->f, depth);
		fputc(']', w->f);
		break;
	default:
		put_object(w, v, depth, rule);
		break;
	}
}

/* The profile object: the root, or linux.seccomp of an OCI config.json. */
static const struct cf_json *profile_object(const struct cf_json *root)
{
	if (cf_json_get(root, "process"))
		return cf_json_get(cf_json_get(root, "linux"), "seccomp");
	return root;
}

int cf_profile_audit(const char *buf, size_t len, const char *file, char **json,
		     size_t *jlen, struct cf_error *err)
{
	struct cf_arena tree = {0};
	struct cf_profile *p = NULL;
	struct cf_json *root;
	struct writer w = {NULL, NULL};
	int rc;

	*json = NULL;
	*jlen = 0;
	rc = cf_profile_parse(buf, len, file, &p, err);
	cf_profile_free(p);
	if (!rc)
		rc = cf_json_parse(&tree, buf, len, file, &root, err);
	if (rc) {
		cf_arena_release(&tree);
		return rc;
	}
	w.profile = profile_object(root);
	w.f = open_memstream(json, jlen);
	if (!w.f) {
		cf_arena_release(&tree);
		return cf_err(err, -ENOMEM, "out of memory");
	}
	put_value(&w, root, 0, false);
	fputc('\n', w.f);
	rc = fclose(w.f) ? cf_err(err, -ENOMEM, "out of memory") : 0;
	cf_arena_release(&tree);
	/* fail closed: what is written must read back as a profile */
	if (!rc && (rc = cf_profile_parse(*json, *jlen, file, &p, err)) == 0)
		cf_profile_free(p);
	if (rc) {
		free(*json);
		*json = NULL;
		*jlen = 0;
	}
	return rc;
}
