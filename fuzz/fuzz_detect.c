/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: what a document is, a seccomp profile or an OCI config.json,
 * and when it may mean "no filter". The parser's answer is checked against
 * the JSON tree, with key matching written again here (Go's folding):
 * - a document with a top-level seccomp key is never read as a config.json,
 *   and one read as a profile has no top-level config.json key;
 * - a config.json is read only with 'ociVersion' (a string) and a 'linux'
 *   object holding a 'seccomp' object;
 * - "no filter" only when the profile object (the root, or linux.seccomp)
 *   has no members: written as {};
 * - a refusal is a negative errno with a message.
 */
#include "base.h"
#include "json.h"
#include "profile.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sec_keys[] = {
    "defaultaction", "defaulterrnoret", "defaulterrno",
    "architectures", "archmap",		"syscalls",
    "flags",	     "listenerpath",	"listenermetadata",
};

/* key folded as Go folds it, if all of it folds to ASCII, into out */
static bool fold(const struct cf_json_member *m, char *out, size_t size)
{
	const unsigned char *k = (const unsigned char *)m->key;
	size_t n = 0;

	for (size_t i = 0; i < m->keylen; i++) {
		char c;

		if (i + 1 < m->keylen && k[i] == 0xc5 && k[i + 1] == 0xbf) {
			c = 's';
			i += 1;
		} else if (i + 2 < m->keylen && k[i] == 0xe2 &&
			   k[i + 1] == 0x84 && k[i + 2] == 0xaa) {
			c = 'k';
			i += 2;
		} else if (k[i] >= 0x80 || k[i] == 0) {
			return false;
		} else {
			c = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] + 32
							      : k[i]);
		}
		if (n + 1 >= size)
			return false;
		out[n++] = c;
	}
	out[n] = 0;
	return true;
}

static bool is(const struct cf_json_member *m, const char *lower)
{
	char buf[64];

	return fold(m, buf, sizeof(buf)) && !strcmp(buf, lower);
}

static bool has_seccomp_key(const struct cf_json *o)
{
	for (size_t i = 0; i < o->u.obj.n; i++)
		for (size_t j = 0; j < sizeof(sec_keys) / sizeof(*sec_keys);
		     j++)
			if (is(&o->u.obj.m[i], sec_keys[j]))
				return true;
	return false;
}

static const struct cf_json *get(const struct cf_json *o, const char *lower)
{
	if (!o || o->type != CF_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < o->u.obj.n; i++)
		if (is(&o->u.obj.m[i], lower))
			return o->u.obj.m[i].val;
	return NULL;
}

static void check(const struct cf_profile *p, const struct cf_json *root)
{
	const struct cf_json *ver = get(root, "ociversion");
	const struct cf_json *sec = get(get(root, "linux"), "seccomp");
	const struct cf_json *prof = p->from_config ? sec : root;

	if (!root || root->type != CF_JSON_OBJECT)
		abort();
	if (p->from_config) {
		if (has_seccomp_key(root) || !ver ||
		    ver->type != CF_JSON_STRING || !sec ||
		    sec->type != CF_JSON_OBJECT)
			abort();
	} else if (ver || get(root, "linux") || get(root, "process")) {
		abort();
	}
	if (p->unconfined && prof->u.obj.n != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_arena a = {0};
	struct cf_profile *p;
	struct cf_json *root = NULL;
	struct cf_error err;

	if (cf_profile_parse((const char *)data, size, "fuzz", &p, &err)) {
		if (err.code >= 0 || !err.msg[0])
			abort();
		return 0;
	}
	if (cf_json_parse(&a, (const char *)data, size, "fuzz", &root, &err))
		abort(); /* accepted as a profile, refused as JSON */
	check(p, root);
	cf_arena_release(&a);
	cf_profile_free(p);
	return 0;
}
