/* SPDX-License-Identifier: Apache-2.0 */
/*
 * diag.c - the diagnostic ids the library reports, each with its class:
 * a note is a documented property of the format that surprises nobody
 * who knows it; a warning is a decision a reader would not expect (a rule
 * that never applies, a name that never matches, a bypass). One row per
 * id: docs/errors.md lists the same ids.
 */
#include "base.h"

#include <string.h>

#define N CF_DIAG_NOTE
#define W CF_DIAG_WARNING
static const struct cf_name_num diag_ids[] = {
    {"absent-on-abi", N},	{"cap-never-matches", W},
    {"cgroup-cleanup", W},	{"errno-name", W},
    {"harden-upper-bits", W},	{"int-arg-bypass", W},
    {"int-arg-narrow", N},	{"key-case", N},
    {"minkernel-3part", N},	{"mux-unenforceable", N},
    {"overlapping-rules", W},	{"record-args", N},
    {"record-args-many", W},	{"record-base-denies", N},
    {"record-base-partial", W}, {"record-unknown-nr", W},
    {"same-as-default", N},	{"same-index-or", W},
    {"shadowed-rule", W},	{"unconfined", W},
    {"unknown-key", W},		{"unknown-syscall", W},
    {"unsupported-abi", N},
};
#undef N
#undef W

enum cf_diag_class cf_diag_class(const char *id)
{
	for (size_t i = 0; id && i < CF_ARRAY_SIZE(diag_ids); i++)
		if (!strcmp(diag_ids[i].name, id))
			return (enum cf_diag_class)diag_ids[i].num;
	return CF_DIAG_WARNING;
}

const char *cf_diag_class_name(enum cf_diag_class cls)
{
	return cls == CF_DIAG_NOTE ? "note" : "warning";
}

const char *cf_diag_id(size_t i)
{
	return i < CF_ARRAY_SIZE(diag_ids) ? diag_ids[i].name : NULL;
}

/* The one candidate s is a prefix of (an abbreviation), or NULL. */
static const char *completion(const char *s, const char *const *cands, size_t n)
{
	const char *found = NULL;
	size_t len = strlen(s);

	for (size_t i = 0; len && i < n; i++) {
		if (strncmp(cands[i], s, len))
			continue;
		if (found)
			return NULL;
		found = cands[i];
	}
	return found;
}

const char *cf_did_you_mean(const char *s, const char *const *cands, size_t n,
			    char *buf, size_t size)
{
	const char *best = s ? cf_closest(s, cands, n) : NULL;

	if (s && !best)
		best = completion(s, cands, n);

	if (!size)
		return buf;
	buf[0] = 0;
	if (best)
		snprintf(buf, size, " (did you mean '%s'?)", best);
	return buf;
}
