/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_policy.c - the policy of callfence's reference seccomp agent
 * (docs/cli.md, "callfence agent"): JSON -> a table of syscall names and
 * what to answer their notifications.
 *
 *   {"default": "continue",
 *    "syscalls": {"mkdir": {"errno": "EACCES"}, "openat": "log"}}
 *
 * An action is "continue" (the call runs), "log" (the call runs, and the
 * agent reports it) or {"errno": NAME or 1..4095} (the call fails with
 * that errno, without running). Every error names the file, the JSON
 * pointer and line:col.
 */
#include "base.h"
#include "action.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

#define AGENT_ERRNO_MAX 4095 /* the kernel's MAX_ERRNO */

struct agent_rule {
	const char *name;
	enum cf_agent_action action;
	int errnum;
};

struct cf_agent_policy {
	struct cf_arena arena;
	struct agent_rule dflt;
	struct agent_rule *rules; /* sorted by name */
	size_t nrules;
};

static int policy_err(const char *file, const struct cf_json *v,
		      const char *pointer, struct cf_error *err,
		      const char *what)
{
	struct cf_loc loc = {file, pointer, v ? v->line : 0, v ? v->col : 0};

	return cf_err_at(err, -EINVAL, &loc, "%s", what);
}

/* {"errno": NAME or number} */
static int policy_errno(const struct cf_json *v, const char *file,
			const char *pointer, int *out, struct cf_error *err)
{
	const struct cf_json *e;
	uint64_t n = 0;

	if (v->u.obj.n != 1 || strcmp(v->u.obj.m[0].key, "errno"))
		return policy_err(file, v, pointer, err,
				  "an action object has exactly one member, "
				  "\"errno\" (hint: {\"errno\": \"EACCES\"})");
	e = v->u.obj.m[0].val;
	if (e->type == CF_JSON_STRING) {
		int k = cf_errno_lookup(e->u.str.s);

		if (k <= 0)
			return policy_err(file, e, pointer, err,
					  "unknown errno name (hint: EPERM, "
					  "EACCES, ENOSYS, or a number)");
		*out = k;
		return 0;
	}
	if (e->type != CF_JSON_NUMBER || cf_json_u64(e, &n) < 0 || n == 0 ||
	    n > AGENT_ERRNO_MAX)
		return policy_err(file, e, pointer, err,
				  "errno must be a name or a number from 1 to "
				  "4095 (0 would report success for a call "
				  "that did not run: use \"continue\" to let "
				  "it run)");
	*out = (int)n;
	return 0;
}

static int policy_action(const struct cf_json *v, const char *file,
			 const char *pointer, struct agent_rule *r,
			 struct cf_error *err)
{
	r->errnum = 0;
	if (v->type == CF_JSON_OBJECT) {
		r->action = CF_AGENT_ERRNO;
		return policy_errno(v, file, pointer, &r->errnum, err);
	}
	if (v->type == CF_JSON_STRING && !strcmp(v->u.str.s, "continue")) {
		r->action = CF_AGENT_CONTINUE;
		return 0;
	}
	if (v->type == CF_JSON_STRING && !strcmp(v->u.str.s, "log")) {
		r->action = CF_AGENT_LOG;
		return 0;
	}
	return policy_err(file, v, pointer, err,
			  "unknown action: expected \"continue\", \"log\" or "
			  "{\"errno\": NAME or number}");
}

/* A name some ABI's table knows. */
static bool policy_known_name(const char *name)
{
	for (int abi = 0; abi < cf_abi_count(); abi++)
		if (cf_abi_supported(abi) && cf_syscall_number(abi, name) >= 0)
			return true;
	return false;
}

static int rule_cmp(const void *a, const void *b)
{
	return strcmp(((const struct agent_rule *)a)->name,
		      ((const struct agent_rule *)b)->name);
}

static int policy_syscalls(struct cf_agent_policy *p, const struct cf_json *v,
			   const char *file, struct cf_error *err)
{
	char ptr[300];

	if (v->type != CF_JSON_OBJECT)
		return policy_err(file, v, "/syscalls", err,
				  "\"syscalls\" must be an object: syscall "
				  "name -> action");
	p->rules = cf_arena_array(&p->arena, v->u.obj.n + 1, sizeof(*p->rules));
	if (!p->rules)
		return cf_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < v->u.obj.n; i++) {
		const struct cf_json_member *m = &v->u.obj.m[i];
		struct agent_rule *r = &p->rules[i];
		int rc;

		snprintf(ptr, sizeof(ptr), "/syscalls/%s", m->key);
		if (strlen(m->key) != m->keylen || !policy_known_name(m->key)) {
			struct cf_loc loc = {file, ptr, m->line, m->col};

			return cf_err_at(err, -EINVAL, &loc,
					 "unknown syscall '%s' (no ABI's "
					 "table has it)",
					 m->key);
		}
		r->name = m->key;
		rc = policy_action(m->val, file, ptr, r, err);
		if (rc < 0)
			return rc;
	}
	p->nrules = v->u.obj.n;
	qsort(p->rules, p->nrules, sizeof(*p->rules), rule_cmp);
	for (size_t i = 1; i < p->nrules; i++)
		if (!strcmp(p->rules[i].name, p->rules[i - 1].name)) {
			snprintf(ptr, sizeof(ptr), "/syscalls/%s",
				 p->rules[i].name);
			return policy_err(file, v, ptr, err,
					  "a syscall is named twice");
		}
	return 0;
}

static int policy_build(struct cf_agent_policy *p, const struct cf_json *root,
			const char *file, struct cf_error *err)
{
	bool has_default = false;
	int rc = 0;

	if (root->type != CF_JSON_OBJECT)
		return policy_err(file, root, "", err,
				  "an agent policy is an object with "
				  "\"default\" and \"syscalls\"");
	for (size_t i = 0; i < root->u.obj.n && rc == 0; i++) {
		const struct cf_json_member *m = &root->u.obj.m[i];
		char ptr[300];

		snprintf(ptr, sizeof(ptr), "/%s", m->key);
		if (!strcmp(m->key, "default")) {
			has_default = true;
			rc = policy_action(m->val, file, "/default", &p->dflt,
					   err);
		} else if (!strcmp(m->key, "syscalls")) {
			rc = policy_syscalls(p, m->val, file, err);
		} else {
			struct cf_loc loc = {file, ptr, m->line, m->col};

			rc = cf_err_at(err, -EINVAL, &loc,
				       "unknown key '%s' (an agent policy has "
				       "\"default\" and \"syscalls\")",
				       m->key);
		}
	}
	if (rc == 0 && !has_default)
		rc = policy_err(file, root, "", err,
				"missing \"default\": the action for every "
				"call \"syscalls\" does not name (hint: "
				"\"default\": \"log\")");
	return rc;
}

int cf_agent_policy_parse(const char *buf, size_t len, const char *file,
			  struct cf_agent_policy **out, struct cf_error *err)
{
	struct cf_agent_policy *p = calloc(1, sizeof(*p));
	struct cf_json *root;
	int rc;

	*out = NULL;
	if (!p)
		return cf_err(err, -ENOMEM, "out of memory");
	if (file) {
		file = cf_arena_strndup(&p->arena, file, strlen(file));
		if (!file) {
			cf_agent_policy_free(p);
			return cf_err(err, -ENOMEM, "out of memory");
		}
	}
	rc = cf_json_parse(&p->arena, buf, len, file, &root, err);
	if (rc == 0)
		rc = policy_build(p, root, file, err);
	if (rc < 0) {
		cf_agent_policy_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

enum cf_agent_action cf_agent_policy_decide(const struct cf_agent_policy *p,
					    const char *name, int *errnum)
{
	const struct agent_rule *r = NULL;
	struct agent_rule key = {name, CF_AGENT_CONTINUE, 0};

	if (name && p->nrules)
		r = bsearch(&key, p->rules, p->nrules, sizeof(*p->rules),
			    rule_cmp);
	if (!r)
		r = &p->dflt;
	if (errnum)
		*errnum = r->errnum;
	return r->action;
}

void cf_agent_policy_free(struct cf_agent_policy *p)
{
	if (p)
		cf_arena_free_owner(&p->arena, p);
}
