/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_state.c - the container state of the runtime-spec (state.json:
 * ociVersion, id, status, pid, bundle, annotations), read strictly with
 * the JSON reader, for its two readers: the OCI hook, which gets it on
 * stdin (cf_oci_state_parse), and the seccomp agent, which gets it as the
 * "state" of the container process state a runtime sends with the
 * listener (cf_agent_state_parse). Strict: the state is one object whose
 * members have the schema's types; a member given twice (two readers
 * could take different ones) or a string holding U+0000 (a C reader
 * would cut it) is refused. Every error has line:col and the JSON
 * pointer of the value.
 */
#include "base.h"
#include "json.h"
#include "jptr.h"

#include <stdlib.h>
#include <string.h>

struct state_reader {
	const char *file;
	struct cf_arena *arena;
	struct cf_error *err;
};

/* -EINVAL at v's line:col, at pointer parent + "/" + key (parent when
 * key is NULL). */
static int state_err(const struct state_reader *r, const struct cf_json *v,
		     const char *parent, const char *key, const char *what)
{
	size_t plen = strlen(parent);
	size_t n = key ? cf_jptr_len(plen, key, 0) + 1 : 0;
	char *ptr = n ? malloc(n) : NULL;
	struct cf_loc loc = {r->file, ptr ? ptr : parent, v->line, v->col};
	int rc;

	if (ptr)
		cf_jptr_write(ptr, parent, plen, key, 0);
	rc = cf_err_at(r->err, -EINVAL, &loc, "%s", what);
	free(ptr);
	return rc;
}

/* A string member's value into *out; refused when given twice (*out
 * already set), not a string, or holding U+0000. */
static int state_str(const struct state_reader *r, const struct cf_json *v,
		     const char *parent, const char *key, const char **out)
{
	if (*out)
		return state_err(r, v, parent, key, "member given twice");
	if (v->type != CF_JSON_STRING)
		return state_err(r, v, parent, key, "must be a string");
	if (strlen(v->u.str.s) != v->u.str.len)
		return state_err(r, v, parent, key, "\\u0000 in a string");
	*out = v->u.str.s;
	return 0;
}

/* The key at i in o is the same as one before it. */
static bool state_dup_key(const struct cf_json *o, size_t i)
{
	const struct cf_json_member *m = &o->u.obj.m[i];

	for (size_t j = 0; j < i; j++)
		if (o->u.obj.m[j].keylen == m->keylen &&
		    !memcmp(o->u.obj.m[j].key, m->key, m->keylen))
			return true;
	return false;
}

/* "annotations": an object of strings, as key, value pairs. */
static int state_annotations(const struct state_reader *r,
			     const struct cf_json *v, const char *parent,
			     struct cf_oci_state *out)
{
	size_t plen = strlen(parent);
	char *ptr = malloc(cf_jptr_len(plen, "annotations", 0) + 1);
	const char **kv;
	int rc = 0;

	if (!ptr)
		return cf_err(r->err, -ENOMEM, "out of memory");
	cf_jptr_write(ptr, parent, plen, "annotations", 0);
	kv = cf_arena_array(r->arena, 2 * v->u.obj.n + 1, sizeof(*kv));
	if (!kv)
		rc = cf_err(r->err, -ENOMEM, "out of memory");
	for (size_t i = 0; kv && rc == 0 && i < v->u.obj.n; i++) {
		const struct cf_json_member *m = &v->u.obj.m[i];
		const char *value = NULL;

		if (strlen(m->key) != m->keylen)
			rc = state_err(r, m->val, ptr, m->key,
				       "\\u0000 in a key");
		else if (state_dup_key(v, i))
			rc = state_err(r, m->val, ptr, m->key,
				       "member given twice");
		else
			rc = state_str(r, m->val, ptr, m->key, &value);
		if (rc == 0) {
			kv[2 * i] = m->key;
			kv[2 * i + 1] = value;
		}
	}
	if (rc == 0) {
		out->annotations = kv;
		out->nannotations = v->u.obj.n;
	}
	free(ptr);
	return rc;
}

/* "pid": a positive process id. */
static int state_pid(const struct state_reader *r, const struct cf_json *v,
		     const char *parent, struct cf_oci_state *out)
{
	uint64_t n = 0;

	if (out->pid)
		return state_err(r, v, parent, "pid", "member given twice");
	if (v->type != CF_JSON_NUMBER || cf_json_u64(v, &n) < 0 || n == 0 ||
	    n > INT32_MAX)
		return state_err(r, v, parent, "pid",
				 "must be a positive process id");
	out->pid = (int)n;
	return 0;
}

static int state_member(const struct state_reader *r,
			const struct cf_json_member *m, const char *parent,
			struct cf_oci_state *out, bool *seen_ann)
{
	static const char *const strs[] = {"ociVersion", "id", "status",
					   "bundle"};
	const char **slots[] = {&out->oci_version, &out->id, &out->status,
				&out->bundle};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(m->key, strs[i]))
			return state_str(r, m->val, parent, m->key, slots[i]);
	if (!strcmp(m->key, "pid"))
		return state_pid(r, m->val, parent, out);
	if (strcmp(m->key, "annotations"))
		return 0; /* not in the schema: a later version's */
	if (*seen_ann)
		return state_err(r, m->val, parent, m->key,
				 "member given twice");
	*seen_ann = true;
	if (m->val->type != CF_JSON_OBJECT)
		return state_err(r, m->val, parent, m->key,
				 "must be an object");
	return state_annotations(r, m->val, parent, out);
}

/* v, at pointer parent, as a container state into out (its strings are
 * v's). */
static int state_read(const struct state_reader *r, const struct cf_json *v,
		      const char *parent, struct cf_oci_state *out)
{
	static const char *const required[] = {"ociVersion", "id", "status",
					       "bundle"};
	bool seen_ann = false;
	int rc = 0;

	if (v->type != CF_JSON_OBJECT)
		return state_err(r, v, parent, NULL,
				 "the state must be a JSON object");
	for (size_t i = 0; i < v->u.obj.n && rc == 0; i++)
		rc = state_member(r, &v->u.obj.m[i], parent, out, &seen_ann);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]) && !rc;
	     i++)
		if (!cf_json_get(v, required[i])) {
			char what[64];

			snprintf(what, sizeof(what),
				 "required member '%s' is missing",
				 required[i]);
			rc = state_err(r, v, parent, NULL, what);
		}
	return rc;
}

int cf_oci_state_parse(const char *buf, size_t len, const char *file,
		       struct cf_oci_state *out, struct cf_error *err)
{
	struct cf_arena *a = calloc(1, sizeof(*a));
	struct state_reader r = {file, a, err};
	struct cf_json *root = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!a)
		return cf_err(err, -ENOMEM, "out of memory");
	out->priv = a;
	if (file && !(r.file = cf_arena_strndup(a, file, strlen(file))))
		rc = cf_err(err, -ENOMEM, "out of memory");
	else
		rc = cf_json_parse(a, buf, len, r.file, &root, err);
	if (rc == 0)
		rc = root ? state_read(&r, root, "", out)
			  : cf_err(err, -EINVAL, "no JSON value");
	if (rc < 0)
		cf_oci_state_free(out);
	return rc;
}

void cf_oci_state_free(struct cf_oci_state *s)
{
	if (!s)
		return;
	if (s->priv)
		cf_arena_release(s->priv);
	free(s->priv);
	memset(s, 0, sizeof(*s));
}

/* ---- the container process state a runtime sends with the listener ---- */

static void state_copy(char *dst, size_t size, const struct cf_json *v)
{
	dst[0] = 0;
	if (v && v->type == CF_JSON_STRING)
		snprintf(dst, size, "%s", v->u.str.s);
}

/* "state", when there: a container state as the hook reads it. */
static int agent_state_of(struct cf_arena *a, const struct cf_json *root,
			  struct cf_agent_state *out, struct cf_error *err)
{
	const struct cf_json *v = cf_json_get(root, "state");
	struct state_reader r = {NULL, a, err};
	struct cf_oci_state st;
	int rc;

	if (!v)
		return 0;
	memset(&st, 0, sizeof(st));
	rc = state_read(&r, v, "/state", &st);
	if (rc == 0)
		snprintf(out->id, sizeof(out->id), "%s", st.id);
	return rc;
}

static int state_fill(struct cf_arena *a, const struct cf_json *root,
		      struct cf_agent_state *out, struct cf_error *err)
{
	const struct cf_json *fds = cf_json_get(root, "fds");
	const struct cf_json *pid = cf_json_get(root, "pid");
	uint64_t n = 0;

	if (root->type != CF_JSON_OBJECT || !fds || fds->type != CF_JSON_ARRAY)
		return cf_err(err, -EINVAL,
			      "not a container process state: no \"fds\" "
			      "array");
	for (size_t i = 0; i < fds->u.arr.n; i++)
		if (fds->u.arr.items[i]->type == CF_JSON_STRING &&
		    !strcmp(fds->u.arr.items[i]->u.str.s, "seccompFd"))
			out->seccomp_fd = (int)i;
	if (out->seccomp_fd < 0)
		return cf_err(err, -EINVAL,
			      "the state's \"fds\" has no \"seccompFd\"");
	if (pid && cf_json_u64(pid, &n) == 0 && n <= INT32_MAX)
		out->pid = (int)n;
	state_copy(out->metadata, sizeof(out->metadata),
		   cf_json_get(root, "metadata"));
	return agent_state_of(a, root, out, err);
}

int cf_agent_state_parse(const char *buf, size_t len,
			 struct cf_agent_state *out, struct cf_error *err)
{
	struct cf_arena a;
	struct cf_json *root;
	int rc;

	memset(out, 0, sizeof(*out));
	out->seccomp_fd = -1;
	memset(&a, 0, sizeof(a));
	rc = cf_json_parse(&a, buf, len, NULL, &root, err);
	if (rc == 0)
		rc = state_fill(&a, root, out, err);
	cf_arena_release(&a);
	return rc;
}
