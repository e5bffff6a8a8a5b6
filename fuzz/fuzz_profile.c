/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: bytes -> JSON -> profile AST. Beyond "no crash": an accepted
 * profile's notes and positions are well-formed, and a rejected one has a
 * message. Against an oracle written apart from the parser (on the JSON
 * tree): an accepted document has no repeated key in any object (keys
 * folded as Go folds them), no U+0000 in any string or key, and digits
 * only in the unsigned fields; a "duplicate key" refusal has a repeat.
 */
#include "base.h"
#include "json.h"
#include "action.h"
#include "profile.h"

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

/* Next code point of a key, folded: ASCII letters to lower case, U+017F
 * to 's', U+212A to 'k' (Go's folding reaches ASCII from these alone). */
static uint32_t fold_cp(const unsigned char *s, size_t n, size_t *i)
{
	uint32_t c = s[*i];
	size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

	if (*i + len > n)
		abort(); /* the reader let invalid UTF-8 through */
	for (size_t k = 1; k < len; k++)
		c = c << 8 | s[*i + k];
	*i += len;
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c == 0xc5bf)
		return 's';
	if (c == 0xe284aa)
		return 'k';
	return c;
}

static bool same_key(const struct cf_json_member *a,
		     const struct cf_json_member *b)
{
	size_t i = 0, j = 0;

	while (i < a->keylen && j < b->keylen)
		if (fold_cp((const unsigned char *)a->key, a->keylen, &i) !=
		    fold_cp((const unsigned char *)b->key, b->keylen, &j))
			return false;
	return i == a->keylen && j == b->keylen;
}

/* m's key folded equals name (lower case ASCII) */
static bool key_is(const struct cf_json_member *m, const char *name)
{
	size_t i = 0, k = 0;

	while (i < m->keylen)
		if (fold_cp((const unsigned char *)m->key, m->keylen, &i) !=
		    (unsigned char)name[k++])
			return false;
	return !name[k];
}

static const struct cf_json *get(const struct cf_json *obj, const char *name)
{
	if (!obj || obj->type != CF_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->u.obj.n; i++)
		if (key_is(&obj->u.obj.m[i], name))
			return obj->u.obj.m[i].val;
	return NULL;
}

static void digits_only(const struct cf_json *v)
{
	if (!v || v->type != CF_JSON_NUMBER)
		return;
	for (size_t k = 0; k < v->u.num.len; k++)
		if (v->u.num.text[k] < '0' || v->u.num.text[k] > '9')
			abort();
}

/* The unsigned fields the profile reads take digits only (-0, 1.0 and
 * 1e2 are refused, as Go refuses them). */
static void unsigned_fields(const struct cf_json *root)
{
	const struct cf_json *sys;

	if (get(root, "ociversion") || get(root, "process"))
		root = get(get(root, "linux"), "seccomp");
	digits_only(get(root, "defaulterrnoret"));
	sys = get(root, "syscalls");
	for (size_t i = 0;
	     sys && sys->type == CF_JSON_ARRAY && i < sys->u.arr.n; i++) {
		const struct cf_json *r = sys->u.arr.items[i];
		const struct cf_json *args = get(r, "args");

		digits_only(get(r, "errnoret"));
		for (size_t j = 0;
		     args && args->type == CF_JSON_ARRAY && j < args->u.arr.n;
		     j++) {
			digits_only(get(args->u.arr.items[j], "index"));
			digits_only(get(args->u.arr.items[j], "value"));
			digits_only(get(args->u.arr.items[j], "valuetwo"));
		}
	}
}

/* Counts repeats and NULs; with strict, aborts on them. */
static unsigned oracle(const struct cf_json *v, bool strict)
{
	unsigned bad = 0;

	switch (v->type) {
	case CF_JSON_STRING:
		bad = memchr(v->u.str.s, 0, v->u.str.len) != NULL;
		break;
	case CF_JSON_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++)
			bad += oracle(v->u.arr.items[i], strict);
		break;
	case CF_JSON_OBJECT:
		for (size_t i = 0; i < v->u.obj.n; i++) {
			const struct cf_json_member *m = &v->u.obj.m[i];

			bad += memchr(m->key, 0, m->keylen) != NULL;
			for (size_t j = 0; j < i; j++)
				bad += same_key(&v->u.obj.m[j], m);
			bad += oracle(m->val, strict);
		}
		break;
	default:
		break;
	}
	if (strict && bad)
		abort();
	return bad;
}

/* The bytes as a JSON tree (NULL if the reader refuses them). */
static unsigned oracle_bytes(const uint8_t *data, size_t size, bool strict)
{
	struct cf_arena a = {0};
	struct cf_json *root;
	unsigned bad = 0;

	if (!cf_json_parse(&a, (const char *)data, size, NULL, &root, NULL)) {
		bad = oracle(root, strict);
		if (strict)
			unsigned_fields(root);
	}
	cf_arena_release(&a);
	return bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_profile *p;
	struct cf_error err;

	if (cf_profile_parse((const char *)data, size, "fuzz", &p, &err)) {
		if (!err.msg[0] || err.code >= 0)
			abort();
		if ((!strncmp(err.msg, "duplicate key '", 15) ||
		     ((!strncmp(err.msg, "string '", 8) ||
		       !strncmp(err.msg, "key '", 5)) &&
		      strstr(err.msg, "' contains U+0000"))) &&
		    !oracle_bytes(data, size, false))
			abort(); /* refused for a repeat that is not there */
		return 0;
	}
	oracle_bytes(data, size, true);
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
			if (s->args[j].index > 5 ||
			    s->args[j].op == CF_OP__NONE)
				abort();
	}
	if (p->unconfined != (!p->has_default_action && p->nsyscalls == 0))
		abort();
	cf_profile_free(p);
	return 0;
}
