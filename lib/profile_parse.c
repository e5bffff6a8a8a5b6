/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profile_parse.c - JSON tape (json.h) -> profile AST, 1:1 with the JSON.
 *
 * Keys match as Go's encoding/json matches them (Docker, runc and Podman
 * decode profiles with it): an exact key, else a case-insensitive one
 * (Go's folding, key_fold); unknown keys are ignored. What Go would read
 * differently from what the author meant is refused before that: a key
 * repeated in one object (also case-insensitively, also an unknown one)
 * and a string holding U+0000 (check_document). Every value keeps its JSON
 * pointer and line:col. Whether the document is a profile or an OCI
 * config.json, and whether it may mean "no filter", is decided at the
 * top (parse_root) from unambiguous evidence only.
 */
#include "base.h"
#include "input.h"
#include "json.h"
#include "action.h"
#include "profile.h"
#include "jptr.h"

#include <stdlib.h>
#include <string.h>

struct pp {
	struct cf_profile *p;
	struct cf_error *err;
	bool nul;		     /* the document holds a U+0000 somewhere */
	struct cf_arena_blocks ptrs; /* the JSON pointers' strings */
	/* the last action's and operator's index (name_index's hints) */
	size_t last_action, last_op;
};

/* A JSON pointer, built only when a position is kept or reported: each
 * level links to its parent and caches its string once built. */
struct jptr {
	struct jptr *parent;
	const char *key; /* member key as written; NULL: array index */
	size_t index;	 /* the array index, or the key's length */
	const char *str; /* NULL until built */
	size_t len;	 /* strlen(str) once built */
	bool plain;	 /* the key is known to be its own token */
};
#define JP_INDEX(parent, i) ((struct jptr){(parent), NULL, (i), NULL, 0, 0})
/* of the member m */
#define JP_KEY(parent, m)                                                      \
	((struct jptr){(parent), (m)->s, (m)->len, NULL, 0, 0})

typedef int (*field_fn)(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
			void *obj);
struct field {
	const char *name;
	size_t len; /* strlen(name) */
	field_fn fn;
};
#define FIELD(name, fn)                                                        \
	{                                                                      \
		name, sizeof(name) - 1, fn                                     \
	}

/* Whether the n bytes at a and at b are equal: for keys and names of a
 * few bytes, two overlapping words of each (none read past the n bytes)
 * are cheaper than a call of memcmp. Gain: the parse of valueset-1000
 * 4.83 M instructions instead of 4.93 M with memcmp in fields and
 * name_index (callgrind, cf-bench compile cf FILE 1 1, 2026-12-05). */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	if (n < 4)
		return !n || (a[0] == b[0] && a[n / 2] == b[n / 2] &&
			      a[n - 1] == b[n - 1]);
	if (n < 8)
		return cf_load32(a) == cf_load32(b) &&
		       cf_load32(a + n - 4) == cf_load32(b + n - 4);
	for (size_t i = 0; i + 8 < n; i += 8)
		if (cf_load64(a + i) != cf_load64(b + i))
			return false;
	return cf_load64(a + n - 8) == cf_load64(b + n - 8);
}

/* The n bytes at src copied to dst as same_bytes reads them: for the
 * few bytes of a JSON pointer, cheaper than a call of memcpy. Gain, with
 * jptr.plain (no cf_jptr_plain for a field's name): the parse of
 * valueset-1000 4.66 M instructions instead of 4.83 M (callgrind, as
 * above). */
static inline void copy_bytes(char *dst, const char *src, size_t n)
{
	if (n < 4) {
		if (n) {
			dst[0] = src[0];
			dst[n / 2] = src[n / 2];
			dst[n - 1] = src[n - 1];
		}
		return;
	}
	if (n < 8) {
		uint32_t head = cf_load32(src), tail = cf_load32(src + n - 4);

		cf_store32(dst, head);
		cf_store32(dst + n - 4, tail);
		return;
	}
	for (size_t i = 0; i + 8 < n; i += 8)
		cf_store64(dst + i, cf_load64(src + i));
	cf_store64(dst + n - 8, cf_load64(src + n - 8));
}

static const char *ptr_build(struct pp *pp, struct jptr *j);

/* parent + "/" + the key or the index (jptr.h), into the profile's
 * memory; cached in j. */
static inline const char *ptr_str(struct pp *pp, struct jptr *j)
{
	return j->str ? j->str : ptr_build(pp, j);
}

static struct cf_pos pos_of(struct pp *pp, const struct cf_jv *v,
			    struct jptr *ptr)
{
	return (struct cf_pos){ptr_str(pp, ptr), v->line, v->col};
}

/* Where the document has line:col, at the JSON pointer ptr. */
static struct cf_loc loc_at(struct pp *pp, uint32_t line, uint32_t col,
			    struct jptr *ptr)
{
	return (struct cf_loc){pp->p->file, ptr_str(pp, ptr), line, col};
}

/* Where a value is (v at ptr; v may be NULL). */
static struct cf_loc value_loc(struct pp *pp, const struct cf_jv *v,
			       struct jptr *ptr)
{
	return loc_at(pp, v ? v->line : 0, v ? v->col : 0, ptr);
}

/* Where a member's key is (m of the object at parent). */
static struct cf_loc key_loc(struct pp *pp, const struct cf_jv *m,
			     struct jptr *parent)
{
	struct jptr at = JP_KEY(parent, m);

	return loc_at(pp, m->line, m->col, &at);
}

/* -EINVAL, the message at loc followed by hint (may be ""): the one error
 * of the parser, by a value (perr) or by a key (key_err). */
CF_PRINTF(4, 5)
static int perr_hint(struct pp *pp, struct cf_loc loc, const char *hint,
		     const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cf_err_at(pp->err, -EINVAL, &loc, "%s%s", msg, hint);
}
#define perr(pp, v, ptr, ...)                                                  \
	perr_hint(pp, value_loc(pp, v, ptr), "", __VA_ARGS__)
#define key_err(pp, m, parent, ...)                                            \
	perr_hint(pp, key_loc(pp, m, parent), "", __VA_ARGS__)

/* A parse-time note (cf_lint_notes shows it); fmt as printf. */
CF_PRINTF(4, 5)
static void note(struct pp *pp, const char *id, struct cf_pos pos,
		 const char *fmt, ...)
{
	struct cf_p_note *n = cf_arena_alloc(&pp->p->arena, sizeof(*n));
	va_list ap;

	if (!n)
		return;
	va_start(ap, fmt);
	n->msg = cf_arena_vprintf(&pp->p->arena, fmt, ap);
	va_end(ap);
	n->id = id;
	n->pos = pos;
	n->next = pp->p->notes;
	pp->p->notes = n;
}

/* ptr_str's pointer when j's key is not its own token: it has a '~' or
 * a '/' to escape, or a NUL (where the key ends, as a C string). */
static const char *ptr_escaped(struct pp *pp, struct jptr *j,
			       const char *parent, size_t np)
{
	char *out =
	    cf_arena_piece(&pp->ptrs, cf_jptr_len(np, j->key, 0) + 1, 1);

	if (!out)
		return parent;
	j->len = cf_jptr_write(out, parent, np, j->key, 0);
	j->str = out;
	return out;
}

/* parent (np bytes) + "/" + the token tok (ntok bytes, its own token:
 * no escape) into the profile's memory, cached in j; parent when out of
 * memory. */
static inline const char *ptr_join(struct pp *pp, struct jptr *j,
				   const char *parent, size_t np,
				   const char *tok, size_t ntok)
{
	char *out = cf_arena_piece(&pp->ptrs, np + ntok + 2, 1);

	if (!out)
		return parent;
	copy_bytes(out, parent, np);
	out[np] = '/';
	copy_bytes(out + np + 1, tok, ntok);
	out[np + 1 + ntok] = 0;
	j->len = np + 1 + ntok;
	j->str = out;
	return out;
}

/* ptr_str's pointer when not built yet. A key that needs no escape and
 * an index's digits are copied as they are. Gain: the parse of
 * valueset-1000 6.07 M instructions instead of 6.20 M with
 * cf_jptr_len + cf_jptr_write for each, and 5.05 M instead of 5.18 M
 * with a block of pieces (cf_arena_piece) instead of a cf_arena_raw call for
 * each (callgrind, cf-bench compile cf FILE 1 1, 2026-12-04); the pointers
 * alike: tests/test_speed.c, speed_name_pointers_on_demand, and the error
 * tests. */
static const char *ptr_build(struct pp *pp, struct jptr *j)
{
	const char *parent, *tok = j->key;
	size_t np, ntok = j->index;
	char digits[CF_JPTR_DIGITS];

	parent = j->parent ? ptr_str(pp, j->parent) : "";
	np = j->parent ? j->parent->len : 0;
	if (tok && !j->plain && !cf_jptr_plain(tok, ntok))
		return ptr_escaped(pp, j, parent, np);
	if (!tok) {
		tok = cf_jptr_digits(digits + sizeof(digits), j->index);
		ntok = (size_t)(digits + sizeof(digits) - tok);
	}
	return ptr_join(pp, j, parent, np, tok, ntok);
}

static int wrong_type(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		      enum cf_json_type t)
{
	return perr(pp, v, ptr, "expected %s %s, found %s",
		    t == CF_JSON_ARRAY || t == CF_JSON_OBJECT ? "an" : "a",
		    cf_json_type_name(t), cf_json_type_name(v->type));
}

/* 0 if v is of type t, else the error saying so. */
static inline int want(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		       enum cf_json_type t)
{
	return v->type == t ? 0 : wrong_type(pp, v, ptr, t);
}

/* ---- keys as Go's decoder matches them ---------------------------------- */

/* Next character of a key folded as Go's encoding/json folds keys
 * (bytes.EqualFold: Unicode simple case folding). For matching and
 * duplicates only ASCII matters: ASCII letters fold to lower case, and the
 * two non-ASCII letters whose folding reaches ASCII are U+017F LATIN SMALL
 * LETTER LONG S ('s') and U+212A KELVIN SIGN ('k'); any other byte stands
 * for itself (no other letter can fold to a field name's letter, so other
 * non-ASCII case variants are compared exactly). Advances *i. */
static inline unsigned char key_fold(const char *s, size_t n, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];

	if (c < 0x80) {
		(*i)++;
		return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
	}
	if (c == 0xc5 && *i + 1 < n && (unsigned char)s[*i + 1] == 0xbf) {
		*i += 2; /* U+017F */
		return 's';
	}
	if (c == 0xe2 && *i + 2 < n && (unsigned char)s[*i + 1] == 0x84 &&
	    (unsigned char)s[*i + 2] == 0xaa) {
		*i += 3; /* U+212A */
		return 'k';
	}
	(*i)++;
	return c;
}

/* <0, 0, >0 as a's folded key sorts before, equals, after b's. */
static int key_fold_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0, j = 0;

	while (i < na && j < nb) {
		unsigned char x = key_fold(a, na, &i), y = key_fold(b, nb, &j);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return (i < na) - (j < nb);
}

/* false if the keys' first bytes already tell them apart (ASCII bytes
 * fold only by the 0x20 bit of a letter; a non-ASCII byte may be U+017F's
 * or U+212A's, so it proves nothing) */
static inline bool key_may_equal(const struct cf_jv *a, const struct cf_jv *b)
{
	unsigned char x = (unsigned char)a->s[0];
	unsigned char y = (unsigned char)b->s[0];

	return (x | y) >= 0x80 || (x | 0x20) == (y | 0x20);
}

static bool key_matches(const struct cf_jv *m, const char *name)
{
	return !key_fold_cmp(m->s, m->len, name, strlen(name));
}

/* fields' slow path, for a key that is no field's name as written: the
 * field it matches case-insensitively (with a note), else NULL (with a
 * note naming the unknown key). Not inlined: fields' loop keeps its
 * registers. */
static __attribute__((noinline)) const struct field *
field_folded(struct pp *pp, const struct cf_jv *m, struct jptr *cptr,
	     const struct field *f, size_t nf)
{
	struct cf_pos pos = {NULL, m->line, m->col};
	const char *names[32], *hint;
	char buf[128];

	for (size_t j = 0; j < nf; j++) {
		if (key_matches(m, f[j].name)) {
			pos.pointer = ptr_str(pp, cptr);
			note(pp, "key-case", pos,
			     "key '%s' matched '%s' "
			     "case-insensitively (as "
			     "Docker's decoder does)",
			     m->s, f[j].name);
			return &f[j];
		}
	}
	for (size_t j = 0; j < nf && j < CF_ARRAY_SIZE(names); j++)
		names[j] = f[j].name;
	hint = cf_did_you_mean(
	    m->s, names, nf < CF_ARRAY_SIZE(names) ? nf : CF_ARRAY_SIZE(names),
	    buf, sizeof(buf));
	pos.pointer = ptr_str(pp, cptr);
	note(pp, "unknown-key", pos, "unknown key '%s' ignored%s", m->s, hint);
	return NULL;
}

static int fields(struct pp *pp, const struct cf_jv *obj, struct jptr *ptr,
		  const struct field *f, size_t nf, void *target)
{
	int rc = want(pp, obj, ptr, CF_JSON_OBJECT);
	const struct cf_jv *m = obj + 1;

	for (size_t i = 0; !rc && i < obj->len; i++, m = cf_jv_next(m + 1)) {
		struct jptr child = JP_KEY(ptr, m), *cptr = &child;
		const struct field *hit = NULL;

		for (size_t j = 0; j < nf && !hit; j++)
			if (m->len == f[j].len && m->s[0] == f[j].name[0] &&
			    same_bytes(m->s, f[j].name, m->len))
				hit = &f[j];
		child.plain = hit != NULL; /* a field's name */
		if (!hit && !(hit = field_folded(pp, m, cptr, f, nf)))
			continue;
		if (m[1].type == CF_JSON_NULL)
			continue; /* Go leaves the field at its zero value */
		rc = hit->fn(pp, m + 1, cptr, target);
	}
	return rc;
}

/* ---- whole-document checks ---------------------------------------------- */

/* s[0..n) for a message: control characters (NUL among them) as \uXXXX,
 * at most 60 bytes of the text, "..." after a cut. */
static const char *shown(struct pp *pp, const char *s, size_t n)
{
	char *out = cf_arena_raw(&pp->p->arena, 60 * 6 + 4, 1), *o = out;
	size_t cut = n > 60 ? 60 : n;

	if (!out)
		return "";
	while (cut < n && cut && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--; /* not inside a UTF-8 sequence */
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			memcpy(o, "\\u00", 4);
			o[4] = "0123456789abcdef"[c >> 4];
			o[5] = "0123456789abcdef"[c & 15];
			o += 6;
		} else {
			*o++ = (char)c;
		}
	}
	strcpy(o, cut < n ? "..." : "");
	return out;
}

static const char nul_hint[] =
    " (Docker compares every byte, so 'CAP_CHOWN\\u0000' is not "
    "CAP_CHOWN there, while a reader of C strings stops at the NUL); "
    "remove the \\u0000";

/* Index of the first member of obj (more than a few members) whose key
 * repeats an earlier one, folded as key_fold; *first gets the earlier
 * one's key. obj->len if none. Sorting keeps hostile objects O(n log n). */
struct key_ref {
	const struct cf_jv *k;
	size_t idx;
};

static int key_ref_cmp(const void *x, const void *y)
{
	const struct key_ref *a = x, *b = y;
	int c = key_fold_cmp(a->k->s, a->k->len, b->k->s, b->k->len);

	return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

static bool key_ref_same(const struct key_ref *a, const struct key_ref *b)
{
	return !key_fold_cmp(a->k->s, a->k->len, b->k->s, b->k->len);
}

static int first_dup_sorted(struct pp *pp, const struct cf_jv *obj, size_t *dup,
			    const struct cf_jv **first)
{
	size_t n = obj->len;
	struct key_ref *r = malloc(n * sizeof(*r));
	const struct cf_jv *m = obj + 1;

	if (!r)
		return cf_err(pp->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++, m = cf_jv_next(m + 1))
		r[i] = (struct key_ref){m, i};
	qsort(r, n, sizeof(*r), key_ref_cmp);
	*dup = n;
	/* in a run of equal keys, sorted by position, the second is the
	 * run's earliest repeat and the first its original */
	for (size_t i = 1; i < n; i++)
		if (r[i].idx < *dup && key_ref_same(&r[i - 1], &r[i]) &&
		    (i < 2 || !key_ref_same(&r[i - 2], &r[i]))) {
			*dup = r[i].idx;
			*first = r[i - 1].k;
		}
	free(r);
	return 0;
}

static const char dup_hint[] =
    " (a repeated key is ambiguous: Docker's decoder merges both "
    "values, other readers keep one; keys match without regard to "
    "case); keep one";

static int check_value(struct pp *pp, const struct cf_jv *v, struct jptr *ptr);

static int check_object(struct pp *pp, const struct cf_jv *obj,
			struct jptr *ptr)
{
	const struct cf_jv *seen[CF_JSON_PAIRWISE], *m = obj + 1, *o = NULL;
	size_t n = obj->len, dup = n;
	int rc = 0;

	if (n > CF_JSON_PAIRWISE && (rc = first_dup_sorted(pp, obj, &dup, &o)))
		return rc;
	for (size_t j = 0; !rc && j < n; j++, m = cf_jv_next(m + 1)) {
		struct jptr child;

		if (pp->nul && memchr(m->s, 0, m->len))
			return perr_hint(pp, loc_at(pp, m->line, m->col, ptr),
					 nul_hint, "key '%s' contains U+0000",
					 shown(pp, m->s, m->len));
		for (size_t i = 0; n <= CF_JSON_PAIRWISE && i < j; i++)
			if (key_may_equal(seen[i], m) &&
			    !key_fold_cmp(seen[i]->s, seen[i]->len, m->s,
					  m->len)) {
				dup = j;
				o = seen[i];
				break;
			}
		if (n <= CF_JSON_PAIRWISE)
			seen[j] = m;
		if (dup == j && o) {
			struct jptr fptr = JP_KEY(ptr, o);

			return perr_hint(pp, key_loc(pp, m, ptr), dup_hint,
					 "duplicate key '%s', first at %u:%u "
					 "as %s",
					 shown(pp, m->s, m->len), o->line,
					 o->col, ptr_str(pp, &fptr));
		}
		if (pp->nul || m[1].type >= CF_JSON_ARRAY) {
			child = JP_KEY(ptr, m);
			rc = check_value(pp, m + 1, &child);
		}
	}
	return rc;
}

/* Refuses, in document order, what the profile's reader would take
 * differently from Go's: a string or key holding U+0000, a repeated key
 * (check_object). Anywhere in the document, known keys or not. */
static int check_value(struct pp *pp, const struct cf_jv *v, struct jptr *ptr)
{
	const struct cf_jv *it;
	int rc = 0;

	switch (v->type) {
	case CF_JSON_STRING:
		if (pp->nul && memchr(v->s, 0, v->len))
			return perr_hint(pp, value_loc(pp, v, ptr), nul_hint,
					 "string '%s' contains U+0000",
					 shown(pp, v->s, v->len));
		return 0;
	case CF_JSON_ARRAY:
		if (!pp->nul && !(v->flags & CF_JSON_F_NESTED))
			return 0; /* (names: nothing to look at) */
		it = v + 1;
		for (size_t i = 0; !rc && i < v->len;
		     i++, it = cf_jv_next(it)) {
			struct jptr child;

			/* (most items are names: no call for them) */
			if (!pp->nul && it->type < CF_JSON_ARRAY)
				continue;
			child = JP_INDEX(ptr, i);
			rc = check_value(pp, it, &child);
		}
		return rc;
	case CF_JSON_OBJECT:
		return check_object(pp, v, ptr);
	default:
		return 0;
	}
}

static int check_document(struct pp *pp, const struct cf_json_doc *d)
{
	struct jptr top = {NULL, NULL, 0, "", 0, 0};

	pp->nul = d->flags & CF_JSON_F_NUL;
	/* no U+0000 and no object whose keys may repeat: nothing to refuse.
	 * Gain: the parse of valueset-1000 7.14 M instructions instead of
	 * 7.62 M (callgrind, cf-bench compile cf FILE 1 1, 2026-12-04).
	 * The flag: tests/test_json.c,
	 * json_fold_flag_marks_objects_that_may_repeat_a_key; the refusals:
	 * tests/test_profile_strict.c. */
	if (!(d->flags & (CF_JSON_F_NUL | CF_JSON_F_FOLD)))
		return 0;
	return check_value(pp, d->v, &top);
}

static int get_u64(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		   uint64_t *out)
{
	int rc = want(pp, v, ptr, CF_JSON_NUMBER);

	if (rc)
		return rc;
	rc = cf_json_u64_text(v->s, v->len, out);
	if (rc == -ERANGE)
		return perr(pp, v, ptr,
			    "number %.*s is larger than 18446744073709551615 "
			    "(2^64-1)",
			    (int)v->len, v->s);
	if (rc && v->s[0] == '-')
		return perr(pp, v, ptr,
			    "number %.*s is not an unsigned integer: this "
			    "field takes no sign (Docker's decoder refuses "
			    "even -0; write 0)",
			    (int)v->len, v->s);
	if (rc)
		return perr(pp, v, ptr,
			    "number %.*s is not an unsigned integer: write it "
			    "with digits only (Docker's decoder refuses a "
			    "fraction or an exponent, even 1.0 or 1e2)",
			    (int)v->len, v->s);
	return 0;
}

static int get_errno(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		     uint32_t *out)
{
	uint64_t e;
	int rc = get_u64(pp, v, ptr, &e);

	if (rc)
		return rc;
	if (e >= 4095)
		return perr(pp, v, ptr,
			    "errno %llu is out of range (must be below 4095)",
			    (unsigned long long)e);
	*out = (uint32_t)e;
	return 0;
}

/* pos (may be NULL) gets each string's position; with lazy, pointers
 * are left NULL (built on demand from the array's pointer). Gain: the
 * parse stage of Docker's profile 19.0 us instead of 25.2, and a parse +
 * compile 72 us instead of 463 (26 page faults a compile, from the
 * arena outgrowing its hint) with every pointer built (cf-bench stages
 * docker-default.json 1000, 5 interleaved rounds, 2-core VM, 2026-12-04);
 * on-demand against eager: tests/test_speed.c,
 * speed_name_pointers_on_demand. */
static int get_strings(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		       const char ***out, struct cf_pos **pos, bool lazy,
		       size_t *n)
{
	struct cf_arena *a = &pp->p->arena;
	size_t cnt = v->len;
	int rc = want(pp, v, ptr, CF_JSON_ARRAY);
	size_t room = cnt ? cnt : 1, pos_size = pos ? sizeof(**pos) : 0;
	const struct cf_jv *s;
	void *base;

	if (rc)
		return rc;
	/* the positions and the strings in one piece (the positions first:
	 * the stricter alignment, if any); gain: the parse of valueset-1000
	 * 4.61 M instructions instead of 4.63 M with two (callgrind,
	 * 2026-12-05) */
	base = cf_arena_raw(a, room * (pos_size + sizeof(char *)),
			    _Alignof(struct cf_pos));
	if (!base)
		return cf_err(pp->err, -ENOMEM, "out of memory");
	if (pos)
		*pos = base;
	*out = (const char **)(void *)((char *)base + room * pos_size);
	s = v + 1;
	for (size_t i = 0; i < cnt; i++, s = cf_jv_next(s)) {

		if (s->type != CF_JSON_STRING) {
			struct jptr ichild = JP_INDEX(ptr, i);

			return want(pp, s, &ichild, CF_JSON_STRING);
		}
		(*out)[i] = s->s;
		if (pos && lazy) {
			(*pos)[i] = (struct cf_pos){NULL, s->line, s->col};
		} else if (pos) {
			struct jptr ichild = JP_INDEX(ptr, i);

			(*pos)[i] = pos_of(pp, s, &ichild);
		}
	}
	*n = cnt;
	return 0;
}

/* ---- actions and operators --------------------------------------------- */

/* The did-you-mean hint for an unknown s among cands, else " (otherwise)". */
static const char *hint_or(const char *s, const char *const *cands, size_t n,
			   const char *otherwise, char *buf, size_t size)
{
	if (!cf_did_you_mean(s, cands, n, buf, size)[0])
		snprintf(buf, size, " (%s)", otherwise);
	return buf;
}

static const char *const action_names[] = {
#define X(e, s, v) s,
    CF_ACTIONS(X)
#undef X
};
static const uint32_t action_values[] = {
#define X(e, s, v) v,
    CF_ACTIONS(X)
#undef X
};
static const char *const op_names[] = {
#define X(e, s) s,
    CF_OPS(X)
#undef X
};
/* A name's length and last byte in one number, so that a string is
 * compared only with the names (of an action, an operator) that end as it
 * does: of a string literal s, and of the n bytes at s (0, no name's, when
 * empty or longer than any). Gain: the parse of valueset-1000 4.63 M
 * instructions instead of 4.66 M with a length and a byte compared apart
 * (callgrind, cf-bench compile cf FILE 1 1, 2026-12-05). */
#define NAME_KEY(s) ((sizeof(s) - 1) << 8 | (unsigned char)(s)[sizeof(s) - 2])
static inline uint16_t name_key(const char *s, size_t n)
{
	return n && n < 256 ? (uint16_t)(n << 8 | (unsigned char)s[n - 1]) : 0;
}

/* their keys (NAME_KEY) */
static const uint16_t action_keys[] = {
#define X(e, s, v) NAME_KEY(s),
    CF_ACTIONS(X)
#undef X
};
static const uint16_t op_keys[] = {
#define X(e, s) NAME_KEY(s),
    CF_OPS(X)
#undef X
};

/* The index in names[n] (of the keys keys[n]) of the string v into *out
 * (which holds the last one found, tried first), else an
 * error: "unknown what" with a did-you-mean hint, or "expected". (v holds
 * no U+0000: check_document refused it.) */
static int name_index(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		      const char *const *names, const uint16_t *keys, size_t n,
		      const char *what, const char *expected, size_t *out)
{
	int rc = want(pp, v, ptr, CF_JSON_STRING);
	char buf[128];
	uint16_t key;
	size_t h = *out;

	if (rc)
		return rc;
	/* the last byte with the length: SCMP_ACT_* and SCMP_CMP_* names of
	 * one length differ there */
	key = name_key(v->s, v->len);
	/* rules repeat their action and operator: the last one first */
	if (h < n && key == keys[h] && same_bytes(v->s, names[h], v->len))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (key == keys[i] && same_bytes(v->s, names[i], v->len)) {
			*out = i;
			return 0;
		}
	}
	return perr(pp, v, ptr, "unknown %s '%s'%s", what, v->s,
		    hint_or(v->s, names, n, expected, buf, sizeof(buf)));
}

static int get_action(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		      enum cf_action_kind *out)
{
	size_t *i = &pp->last_action;
	int rc = name_index(pp, v, ptr, action_names, action_keys,
			    CF_ARRAY_SIZE(action_names), "action",
			    "expected one of SCMP_ACT_*", i);

	if (!rc)
		*out = (enum cf_action_kind) * i;
	return rc;
}

/* The errno of a rule ("errnoRet", "errno") or of the profile's default
 * action ("defaultErrnoRet", "defaultErrno"): the first member of what
 * reads either, so that one setter reads both numbers. */
struct errno_build {
	bool has_ret;
	uint32_t ret;
	int name_errno; /* the errno name's number, or -1 */
};

/* Does the action take an errno (its data)? */
static bool takes_errno(enum cf_action_kind k)
{
	return k == CF_ACT_ERRNO || k == CF_ACT_TRACE;
}

/* SECCOMP_RET value of an action with its errno data. */
static uint32_t action_value(enum cf_action_kind k, const struct errno_build *e)
{
	uint32_t data = 1; /* EPERM, as runc */

	if (!takes_errno(k))
		return action_values[k];
	if (e->has_ret)
		data = e->ret;
	else if (e->name_errno >= 0)
		data = (uint32_t)e->name_errno;
	return action_values[k] | data;
}

/* "errnoRet" or "defaultErrnoRet"; obj starts with a struct errno_build. */
static int errno_ret(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		     void *obj)
{
	struct errno_build *e = obj;

	e->has_ret = true;
	return get_errno(pp, v, ptr, &e->ret);
}

static int get_errno_name(struct pp *pp, const struct cf_jv *v,
			  struct jptr *ptr, const char **name, int *val)
{
	int rc = want(pp, v, ptr, CF_JSON_STRING);

	if (rc)
		return rc;
	*name = v->s;
	*val = cf_errno_lookup(v->s);
	if (*val < 0)
		return perr(pp, v, ptr,
			    "unknown errno name '%s' (expected a name such as "
			    "'EPERM' or 'ENOSYS')",
			    v->s);
	return 0;
}

/* ---- syscalls[].args[] -------------------------------------------------- */

static int arg_index(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		     void *obj)
{
	struct cf_p_arg *a = obj;
	uint64_t i;
	int rc = get_u64(pp, v, ptr, &i);

	if (rc)
		return rc;
	if (i > 5)
		return perr(pp, v, ptr,
			    "argument index %llu is out of range (syscalls "
			    "have arguments 0 to 5)",
			    (unsigned long long)i);
	a->index = (uint32_t)i;
	return 0;
}

static int arg_value(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		     void *obj)
{
	return get_u64(pp, v, ptr, &((struct cf_p_arg *)obj)->value);
}

static int arg_value_two(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
			 void *obj)
{
	return get_u64(pp, v, ptr, &((struct cf_p_arg *)obj)->value_two);
}

static int arg_op(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		  void *obj)
{
	struct cf_p_arg *a = obj;
	size_t *i = &pp->last_op;
	int rc =
	    name_index(pp, v, ptr, op_names, op_keys, CF_ARRAY_SIZE(op_names),
		       "operator", "expected one of SCMP_CMP_*", i);

	if (!rc)
		a->op = (enum cf_op)(*i + 1);
	return rc;
}

static const struct field arg_fields[] = {
    FIELD("index", arg_index),
    FIELD("value", arg_value),
    FIELD("valueTwo", arg_value_two),
    FIELD("op", arg_op),
};

/* ---- includes / excludes ------------------------------------------------ */

static int filter_caps(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		       void *obj)
{
	struct cf_p_filter *f = obj;

	return get_strings(pp, v, ptr, &f->caps, NULL, false, &f->ncaps);
}

static int filter_arches(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
			 void *obj)
{
	struct cf_p_filter *f = obj;

	return get_strings(pp, v, ptr, &f->arches, NULL, false, &f->narches);
}

static int filter_kernel(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
			 void *obj)
{
	struct cf_p_filter *f = obj;
	int rc = want(pp, v, ptr, CF_JSON_STRING);
	const char *s = v->s;
	int dots = 0;

	if (rc)
		return rc;
	for (const char *q = s; *q; q++)
		dots += *q == '.';
	if (cf_kernel_parse(s, &f->min_kernel_v, NULL) || dots > 2)
		return perr(pp, v, ptr,
			    "bad minKernel '%s' (expected \"X.Y\", e.g. "
			    "\"4.8\")",
			    s);
	f->min_kernel = s;
	if (dots == 2) {
		f->min_kernel_3part = true;
		note(pp, "minkernel-3part", pos_of(pp, v, ptr),
		     "minKernel '%s' has three parts: "
		     "compared on X.Y only (current Docker "
		     "rejects it; write \"X.Y\")",
		     s);
	}
	return 0;
}

static const struct field filter_fields[] = {
    FIELD("caps", filter_caps),
    FIELD("arches", filter_arches),
    FIELD("minKernel", filter_kernel),
};

/* ---- syscalls[] --------------------------------------------------------- */

struct sys_build {
	struct errno_build e; /* first: errno_ret reads it */
	struct cf_p_syscall *s;
	bool has_action, has_names;
	const struct cf_jv *action_v;
	const char *legacy;
	struct cf_pos legacy_pos;
	const char *names_ptr;
};

static int sys_names(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		     void *obj)
{
	struct sys_build *b = obj;

	b->has_names = true;
	b->names_ptr = ptr_str(pp, ptr);
	return get_strings(pp, v, ptr, &b->s->names, &b->s->name_pos, true,
			   &b->s->nnames);
}

static int sys_name(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		    void *obj)
{
	struct sys_build *b = obj;
	int rc = want(pp, v, ptr, CF_JSON_STRING);

	if (!rc && v->s[0]) {
		b->legacy = v->s;
		b->legacy_pos = pos_of(pp, v, ptr);
	}
	return rc;
}

static int sys_action(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		      void *obj)
{
	struct sys_build *b = obj;

	b->has_action = true;
	b->action_v = v;
	b->s->action_pos = (struct cf_pos){NULL, v->line, v->col};
	b->s->action_key = ptr->key;
	return get_action(pp, v, ptr, &b->s->action_kind);
}

static int sys_errno(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		     void *obj)
{
	struct sys_build *b = obj;

	return get_errno_name(pp, v, ptr, &b->s->errno_name, &b->e.name_errno);
}

static int sys_args(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		    void *obj)
{
	struct cf_p_syscall *s = ((struct sys_build *)obj)->s;
	const struct cf_jv *a;
	int rc = want(pp, v, ptr, CF_JSON_ARRAY);

	if (rc)
		return rc;
	s->args = cf_arena_array_raw(&pp->p->arena, v->len, sizeof(*s->args));
	if (!s->args)
		return cf_err(pp->err, -ENOMEM, "out of memory");
	s->nargs = v->len;
	s->args_key = ptr->key;
	s->args_key_len = ptr->index;
	a = v + 1;
	for (size_t i = 0; !rc && i < v->len; i++, a = cf_jv_next(a)) {
		struct jptr ichild = JP_INDEX(ptr, i), *iptr = &ichild;

		s->args[i] = (struct cf_p_arg){.pos = {NULL, a->line, a->col}};
		rc = fields(pp, a, iptr, arg_fields, CF_ARRAY_SIZE(arg_fields),
			    &s->args[i]);
		if (!rc && s->args[i].op == CF_OP__NONE)
			rc = perr(pp, a, iptr,
				  "argument condition without 'op' (e.g. "
				  "\"op\": \"SCMP_CMP_EQ\")");
	}
	return rc;
}

static int sys_comment(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		       void *obj)
{
	(void)pp;
	(void)ptr;
	if (v->type == CF_JSON_STRING)
		((struct sys_build *)obj)->s->comment = v->s;
	return 0;
}

/* A rule's "includes" or "excludes" object into f. */
static int read_filter(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		       struct cf_p_filter *f)
{
	f->pos = pos_of(pp, v, ptr);
	return fields(pp, v, ptr, filter_fields, CF_ARRAY_SIZE(filter_fields),
		      f);
}

static struct cf_p_syscall *rule_of(void *sys_build)
{
	return ((struct sys_build *)sys_build)->s;
}

static int sys_includes(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
			void *obj)
{
	return read_filter(pp, v, ptr, &rule_of(obj)->includes);
}

static int sys_excludes(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
			void *obj)
{
	return read_filter(pp, v, ptr, &rule_of(obj)->excludes);
}

static const struct field sys_fields[] = {
    FIELD("names", sys_names),	     FIELD("name", sys_name),
    FIELD("action", sys_action),     FIELD("errnoRet", errno_ret),
    FIELD("errno", sys_errno),	     FIELD("args", sys_args),
    FIELD("comment", sys_comment),   FIELD("includes", sys_includes),
    FIELD("excludes", sys_excludes),
};

/* s's action_pos with its pointer, in the profile's memory (for a note,
 * which keeps it). */
static struct cf_pos action_pos(struct pp *pp, const struct cf_p_syscall *s)
{
	struct cf_pos pos = s->action_pos;
	size_t n = cf_p_member_pointer(s, s->action_key, -1, NULL);
	char *out = cf_arena_raw(&pp->p->arena, n + 1, 1);

	if (out)
		cf_p_member_pointer(s, s->action_key, -1, out);
	pos.pointer = out;
	return pos;
}

static int finish_syscall(struct pp *pp, struct sys_build *b,
			  const struct cf_jv *v, struct jptr *ptr)
{
	struct cf_p_syscall *s = b->s;

	if (b->legacy && b->has_names && s->nnames)
		return perr(pp, v, ptr,
			    "both 'name' and 'names' are given (use 'names')");
	if (b->legacy) {
		s->names = cf_arena_alloc(&pp->p->arena, sizeof(char *));
		s->name_pos =
		    cf_arena_alloc(&pp->p->arena, sizeof(*s->name_pos));
		if (!s->names || !s->name_pos)
			return cf_err(pp->err, -ENOMEM, "out of memory");
		s->names[0] = b->legacy;
		s->name_pos[0] = b->legacy_pos;
		s->nnames = 1;
		s->legacy_name = true;
		s->names_ptr = b->legacy_pos.pointer;
	} else {
		s->names_ptr = b->names_ptr;
	}
	if (!b->has_action)
		return perr(pp, v, ptr,
			    "rule without 'action' (e.g. \"action\": "
			    "\"SCMP_ACT_ALLOW\")");
	if (!s->nnames)
		note(pp, "no-names", pos_of(pp, v, ptr),
		     "rule names no syscall: it has no effect");
	if (s->errno_name && !b->e.has_ret && takes_errno(s->action_kind)) {
		s->errno_name_used = true;
		note(pp, "errno-name", pos_of(pp, v, ptr),
		     "errno name '%s' without errnoRet: "
		     "honoured as Podman does; Docker "
		     "ignores names and would use EPERM",
		     s->errno_name);
	}
	if (b->e.has_ret && !takes_errno(s->action_kind))
		note(pp, "errno-ignored", action_pos(pp, s),
		     "errnoRet is ignored for this action (only "
		     "SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)");
	s->action = action_value(s->action_kind, &b->e);
	return 0;
}

/* ---- the profile -------------------------------------------------------- */

struct prof_build {
	struct errno_build e; /* first: errno_ret reads it */
	bool has_archmap, has_arches;
	const struct cf_jv *arches_v, *archmap_v;
};

#define NO_FILTER_HINT                                                         \
	"Docker would run the command with no seccomp filter; callfence "      \
	"refuses: only a profile written as {} or seccomp=unconfined "         \
	"means no filter"

static int prof_default(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
			void *obj)
{
	(void)obj;
	pp->p->has_default_action = true;
	pp->p->default_pos = pos_of(pp, v, ptr);
	if (v->type == CF_JSON_STRING && !v->len)
		return perr(pp, v, ptr,
			    "'defaultAction' is empty: " NO_FILTER_HINT);
	return get_action(pp, v, ptr, &pp->p->default_kind);
}

static int prof_default_errno(struct pp *pp, const struct cf_jv *v,
			      struct jptr *ptr, void *obj)
{
	struct prof_build *b = obj;

	return get_errno_name(pp, v, ptr, &pp->p->default_errno_name,
			      &b->e.name_errno);
}

static int abi_of(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		  int *out)
{
	const char *tokens[64];
	int n = cf_abi_count(), rc = want(pp, v, ptr, CF_JSON_STRING);
	char buf[128];

	if (rc)
		return rc;
	/* profiles name ABIs by their OCI token only, exactly */
	for (int i = 0; i < n; i++) {
		if (!strcmp(v->s, cf_abi_oci(i))) {
			*out = i;
			return 0;
		}
	}
	for (int i = 0; i < n && i < 64; i++)
		tokens[i] = cf_abi_oci(i);
	return perr(pp, v, ptr, "unknown architecture '%s'%s", v->s,
		    hint_or(v->s, tokens, (size_t)(n < 64 ? n : 64),
			    "expected an SCMP_ARCH_* token", buf, sizeof(buf)));
}

static int prof_arches(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		       void *obj)
{
	struct cf_profile *p = pp->p;
	struct prof_build *b = obj;
	const char **names;
	const struct cf_jv *it = v + 1;
	int rc = get_strings(pp, v, ptr, &names, &p->arch_pos, false,
			     &p->narchitectures);

	b->has_arches = p->narchitectures > 0;
	b->arches_v = v;
	if (rc)
		return rc;
	p->architectures =
	    cf_arena_array(&p->arena, p->narchitectures, sizeof(int));
	if (!p->architectures)
		return cf_err(pp->err, -ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < p->narchitectures;
	     i++, it = cf_jv_next(it)) {
		struct jptr ichild = JP_INDEX(ptr, i);

		ichild.str = p->arch_pos[i].pointer;
		ichild.len = ichild.str ? strlen(ichild.str) : 0;
		rc = abi_of(pp, it, &ichild, &p->architectures[i]);
	}
	return rc;
}

static int map_arch(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		    void *obj)
{
	struct cf_p_archmap *m = obj;

	m->arch = v->type == CF_JSON_STRING ? v->s : NULL;
	return abi_of(pp, v, ptr, &m->abi);
}

static int map_subs(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		    void *obj)
{
	struct cf_p_archmap *m = obj;
	const struct cf_jv *it;
	struct cf_pos *pos;
	int rc = get_strings(pp, v, ptr, &m->subs, &pos, true, &m->nsubs);

	if (rc)
		return rc;
	m->sub_abis = cf_arena_array(&pp->p->arena, m->nsubs, sizeof(int));
	if (!m->sub_abis)
		return cf_err(pp->err, -ENOMEM, "out of memory");
	it = v + 1;
	for (size_t i = 0; !rc && i < m->nsubs; i++, it = cf_jv_next(it)) {
		struct jptr ichild = JP_INDEX(ptr, i);

		rc = abi_of(pp, it, &ichild, &m->sub_abis[i]);
	}
	return rc;
}

static const struct field map_fields[] = {
    FIELD("architecture", map_arch),
    FIELD("subArchitectures", map_subs),
};

static int prof_archmap(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
			void *obj)
{
	struct cf_profile *p = pp->p;
	struct prof_build *b = obj;
	const struct cf_jv *it;
	int rc = want(pp, v, ptr, CF_JSON_ARRAY);

	if (rc)
		return rc;
	b->has_archmap = v->len > 0;
	b->archmap_v = v;
	p->archmap = cf_arena_array(&p->arena, v->len, sizeof(*p->archmap));
	if (!p->archmap)
		return cf_err(pp->err, -ENOMEM, "out of memory");
	p->narchmap = v->len;
	it = v + 1;
	for (size_t i = 0; !rc && i < v->len; i++, it = cf_jv_next(it)) {
		struct jptr ichild = JP_INDEX(ptr, i), *iptr = &ichild;

		p->archmap[i].abi = -1;
		p->archmap[i].pos = pos_of(pp, it, iptr);
		rc = fields(pp, it, iptr, map_fields, CF_ARRAY_SIZE(map_fields),
			    &p->archmap[i]);
	}
	return rc;
}

/* An index as decimal text, counted up a digit at a time: the pointers
 * /syscalls/N built with no division for each (cf_jptr_digits). Gain:
 * the parse of valueset-1000 3.21 M instructions instead of 3.27 M (callgrind,
 * cf-bench compile cf FILE 1 0, 2026-12-05). */
struct dec {
	char d[CF_JPTR_DIGITS];
	size_t n, len; /* the digits are d[n .. n + len) */
};
#define DEC_LAST (CF_JPTR_DIGITS - 1)
#define DEC_ZERO                                                               \
	{                                                                      \
		.d[DEC_LAST] = '0', .n = DEC_LAST, .len = 1                    \
	}

static void dec_next(struct dec *c)
{
	size_t i = c->n + c->len;

	while (i > c->n && c->d[i - 1] == '9')
		c->d[--i] = '0';
	if (i > c->n) {
		c->d[i - 1]++;
		return;
	}
	c->d[--c->n] = '1';
	c->len++;
}

static int prof_syscalls(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
			 void *obj)
{
	struct cf_profile *p = pp->p;
	const struct cf_jv *s;
	struct dec dec = DEC_ZERO;
	const char *base;
	size_t nb;
	int rc = want(pp, v, ptr, CF_JSON_ARRAY);

	(void)obj;
	if (rc)
		return rc;
	p->syscalls =
	    cf_arena_array_raw(&p->arena, v->len, sizeof(*p->syscalls));
	if (!p->syscalls)
		return cf_err(pp->err, -ENOMEM, "out of memory");
	p->nsyscalls = v->len;
	p->has_syscalls = true;
	s = v + 1;
	base = ptr_str(pp, ptr);
	nb = ptr->str ? ptr->len : strlen(base);
	for (size_t i = 0; !rc && i < v->len; i++, s = cf_jv_next(s)) {
		struct jptr ichild = JP_INDEX(ptr, i), *iptr = &ichild;
		struct sys_build b = {.e.name_errno = -1, .s = &p->syscalls[i]};

		ptr_join(pp, iptr, base, nb, dec.d + dec.n, dec.len);
		dec_next(&dec);
		*b.s = (struct cf_p_syscall){.pos = pos_of(pp, s, iptr)};
		rc = fields(pp, s, iptr, sys_fields, CF_ARRAY_SIZE(sys_fields),
			    &b);
		if (!rc)
			rc = finish_syscall(pp, &b, s, iptr);
	}
	return rc;
}

/* The flag a profile's "flags" may name, by its full name; 0 if none. */
static unsigned profile_flag(const char *name)
{
	static const struct {
		const char *name;
		unsigned value;
		bool in_profile;
	} flags[] = {
#define X(name, bit, since, in_profile)                                        \
	{"SECCOMP_FILTER_FLAG_" #name, CF_FLAG_##name, in_profile},
	    CF_FILTER_FLAGS(X)
#undef X
	};

	for (size_t j = 0; j < CF_ARRAY_SIZE(flags); j++)
		if (flags[j].in_profile && !strcmp(name, flags[j].name))
			return flags[j].value;
	return 0;
}

static int prof_flags(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
		      void *obj)
{
	const char **names = NULL;
	const struct cf_jv *it = v + 1;
	size_t n = 0;
	int rc = get_strings(pp, v, ptr, &names, NULL, false, &n);

	(void)obj;
	pp->p->has_flags = true;
	pp->p->flags = 0;
	for (size_t i = 0; !rc && i < n; i++, it = cf_jv_next(it)) {
		unsigned flag = profile_flag(names[i]);
		struct jptr ichild = JP_INDEX(ptr, i);

		if (!flag)
			return perr(pp, it, &ichild,
				    "unsupported flag '%s' (supported: "
				    "SECCOMP_FILTER_FLAG_TSYNC, _LOG, "
				    "_SPEC_ALLOW, _WAIT_KILLABLE_RECV)",
				    names[i]);
		pp->p->flags |= flag;
		if (flag == CF_FLAG_WAIT_KILLABLE_RECV)
			pp->p->wait_killable_pos = pos_of(pp, it, &ichild);
	}
	return rc;
}

/* A string member kept only when not empty ("" is as absent). */
static int nonempty_string(struct pp *pp, const struct cf_jv *v,
			   struct jptr *ptr, const char **slot)
{
	int rc = want(pp, v, ptr, CF_JSON_STRING);

	if (!rc && v->s[0])
		*slot = v->s;
	return rc;
}

static int prof_listener(struct pp *pp, const struct cf_jv *v, struct jptr *ptr,
			 void *obj)
{
	(void)obj;
	return nonempty_string(pp, v, ptr, &pp->p->listener_path);
}

static int prof_listener_metadata(struct pp *pp, const struct cf_jv *v,
				  struct jptr *ptr, void *obj)
{
	(void)obj;
	return nonempty_string(pp, v, ptr, &pp->p->listener_metadata);
}

static const struct field prof_fields[] = {
    FIELD("defaultAction", prof_default),
    FIELD("defaultErrnoRet", errno_ret),
    FIELD("defaultErrno", prof_default_errno),
    FIELD("architectures", prof_arches),
    FIELD("archMap", prof_archmap),
    FIELD("syscalls", prof_syscalls),
    FIELD("flags", prof_flags),
    FIELD("listenerPath", prof_listener),
    FIELD("listenerMetadata", prof_listener_metadata),
};

static int finish_profile(struct pp *pp, struct prof_build *b,
			  const struct cf_jv *root, struct jptr *ptr)
{
	struct cf_profile *p = pp->p;

	if (b->has_arches && b->has_archmap)
		return perr(pp, b->archmap_v, ptr,
			    "both 'architectures' and 'archMap' are given "
			    "(use one of them)");
	(void)root;
	p->unconfined = !p->has_default_action && p->nsyscalls == 0;
	if (!p->has_flags)
		p->flags = CF_FLAG_SPEC_ALLOW; /* runc >= 1.2 */
	if (p->default_errno_name && !b->e.has_ret &&
	    takes_errno(p->default_kind)) {
		p->default_errno_name_used = true;
		note(pp, "errno-name", p->default_pos,
		     "defaultErrno '%s' without "
		     "defaultErrnoRet: honoured as Podman "
		     "does; Docker would use EPERM",
		     p->default_errno_name);
	}
	p->default_action = action_value(p->default_kind, &b->e);
	return 0;
}

/* ---- what the document is: a profile or an OCI config.json ------------ */

/* a key of a seccomp profile (what fields() reads at the top) */
static bool is_seccomp_key(const struct cf_jv *m)
{
	for (size_t i = 0; i < CF_ARRAY_SIZE(prof_fields); i++)
		if (key_matches(m, prof_fields[i].name))
			return true;
	return false;
}

/* a key that only a config.json has at the top */
static bool is_oci_key(const struct cf_jv *m)
{
	return key_matches(m, "ociVersion") || key_matches(m, "process") ||
	       key_matches(m, "linux");
}

static const struct cf_jv *first_of(const struct cf_jv *obj,
				    bool (*is)(const struct cf_jv *))
{
	const struct cf_jv *m = obj + 1;

	for (size_t i = 0; i < obj->len; i++, m = cf_jv_next(m + 1))
		if (is(m))
			return m;
	return NULL;
}

/* The member of obj that Go would decode into the field name (*out NULL:
 * none). Two keys that both match (e.g. "linux" and "Linux") never get
 * here: check_document refused the repeated key. */
static int member(struct pp *pp, const struct cf_jv *obj, struct jptr *ptr,
		  const char *name, const struct cf_jv **out)
{
	const struct cf_jv *m = obj + 1;

	(void)pp, (void)ptr;
	*out = NULL;
	for (size_t i = 0; i < obj->len && !*out; i++, m = cf_jv_next(m + 1))
		if (key_matches(m, name))
			*out = m;
	return 0;
}

/* The profile resolved to "no filter" (no defaultAction, no syscalls): an
 * error unless it is an object with no members (Docker's {}). */
static int no_filter(struct pp *pp, const struct cf_jv *obj, struct jptr *ptr)
{
	const char *names[CF_ARRAY_SIZE(prof_fields)];
	const struct cf_jv *m;
	char buf[128];

	if (obj->len == 0)
		return 0;
	for (size_t i = 0; i < CF_ARRAY_SIZE(prof_fields); i++)
		names[i] = prof_fields[i].name;
	m = obj + 1;
	for (size_t i = 0; i < obj->len; i++, m = cf_jv_next(m + 1)) {
		if (is_seccomp_key(m))
			continue;
		return key_err(pp, m, ptr,
			       "unknown key '%s'%s and no 'defaultAction' "
			       "or 'syscalls': " NO_FILTER_HINT,
			       m->s,
			       cf_did_you_mean(m->s, names,
					       CF_ARRAY_SIZE(names), buf,
					       sizeof(buf)));
	}
	return perr(pp, obj, ptr,
		    "the profile has no 'defaultAction' and no 'syscalls' "
		    "rule: " NO_FILTER_HINT);
}

static int parse_profile(struct pp *pp, const struct cf_jv *obj,
			 struct jptr *ptr)
{
	struct prof_build b = {.e.name_errno = -1};
	int rc =
	    fields(pp, obj, ptr, prof_fields, CF_ARRAY_SIZE(prof_fields), &b);

	if (!rc)
		rc = finish_profile(pp, &b, obj, ptr);
	if (!rc && pp->p->unconfined)
		rc = no_filter(pp, obj, ptr);
	return rc;
}

#define NO_SECCOMP_HINT                                                        \
	": a runtime would run it with no seccomp filter; callfence "          \
	"refuses (to run without one, use seccomp=unconfined)"

/* A whole OCI config.json: the profile is linux.seccomp, which must be
 * there (null counts as absent, as in Go). */
static int parse_config(struct pp *pp, const struct cf_jv *root,
			const struct cf_jv *oci, struct jptr *top)
{
	const struct cf_jv *ver, *proc, *lin, *sec;
	struct jptr lptr, sptr;
	int rc = member(pp, root, top, "ociVersion", &ver);

	if (!rc)
		rc = member(pp, root, top, "process", &proc);
	if (!rc)
		rc = member(pp, root, top, "linux", &lin);
	if (rc)
		return rc;
	if (!ver) /* then oci is 'process' or 'linux' */
		return key_err(pp, oci, top,
			       "'%s' is an OCI config.json key, but there is "
			       "no 'ociVersion' and no seccomp key "
			       "('defaultAction', 'syscalls', ...): neither a "
			       "seccomp profile nor a config.json",
			       oci->s);
	if (ver[1].type != CF_JSON_STRING)
		return key_err(pp, ver, top,
			       "'ociVersion' must be a string, found %s",
			       cf_json_type_name(ver[1].type));
	if (proc && proc[1].type != CF_JSON_OBJECT)
		return key_err(pp, proc, top,
			       "a config.json's 'process' must be an object, "
			       "found %s",
			       cf_json_type_name(proc[1].type));
	if (lin && lin[1].type != CF_JSON_OBJECT)
		return key_err(pp, lin, top,
			       "a config.json's 'linux' must be an object, "
			       "found %s",
			       cf_json_type_name(lin[1].type));
	if (!lin && !proc)
		return key_err(pp, ver, top,
			       "'ociVersion' without a 'linux' or 'process' "
			       "object and without seccomp keys: neither a "
			       "seccomp profile nor an OCI config.json");
	if (!lin)
		return key_err(pp, ver, top,
			       "this OCI config.json has no 'linux' object, "
			       "so no seccomp profile" NO_SECCOMP_HINT);
	lptr = JP_KEY(top, lin);
	rc = member(pp, (lin + 1), &lptr, "seccomp", &sec);
	if (rc)
		return rc;
	if (!sec || sec[1].type == CF_JSON_NULL)
		return key_err(pp, lin, top,
			       "this OCI config.json has no 'linux.seccomp' "
			       "profile" NO_SECCOMP_HINT);
	sptr = JP_KEY(&lptr, sec);
	if (sec[1].type != CF_JSON_OBJECT)
		return key_err(pp, sec, &lptr,
			       "'seccomp' must be an object, found %s",
			       cf_json_type_name(sec[1].type));
	pp->p->from_config = true;
	return parse_profile(pp, (sec + 1), &sptr);
}

/* A top-level seccomp key makes a profile; a top-level 'ociVersion',
 * 'process' or 'linux' makes a config.json; both at once is refused. */
static int parse_root(struct pp *pp, const struct cf_jv *root)
{
	struct jptr top = {NULL, NULL, 0, "", 0, 0};
	const struct cf_jv *sec, *oci;

	if (root->type != CF_JSON_OBJECT)
		return perr(pp, root, &top,
			    "expected an object (a seccomp profile or an OCI "
			    "config.json), found %s",
			    cf_json_type_name(root->type));
	sec = first_of(root, is_seccomp_key);
	oci = first_of(root, is_oci_key);
	if (sec && oci)
		return key_err(pp, oci, &top,
			       "OCI config.json key '%s' next to seccomp "
			       "profile key '%s' (%u:%u): is this a profile "
			       "or a config.json? Remove '%s' from a profile, "
			       "or move the profile into linux.seccomp",
			       oci->s, sec->s, sec->line, sec->col, oci->s);
	if (oci)
		return parse_config(pp, root, oci, &top);
	return parse_profile(pp, root, &top);
}

int cf_profile_parse(const char *buf, size_t len, const char *file,
		     struct cf_profile **out, struct cf_error *err)
{
	struct cf_profile *p = calloc(1, sizeof(*p));
	struct pp pp = {p, err};
	struct cf_json_doc d;
	int rc;

	*out = NULL;
	if (!p)
		return cf_err(err, -ENOMEM, "out of memory");
	pp.ptrs.a = &p->arena;
	/* the AST, with the copy of the input that holds its strings (the
	 * reader's: strings end in place there), takes up to about 4 bytes
	 * per byte of JSON: held after a parse (mallinfo2, 2026-12-05) with
	 * this hint 72 KiB for Docker's profile, 0.65-0.70 MiB for
	 * valueset-1000 and actions-1000 (48 KiB and 0.82-0.85 MiB with the
	 * tree and its 2.5 bytes per byte; 3.5 here held 1.14 MiB for
	 * valueset-1000, a second chunk). Gain of a hint: a parse + compile
	 * of Docker's profile 73 us instead of 1.13 ms without one (30 page
	 * faults a compile instead of 0.1; cf-bench stages docker-default.json
	 * 1000, 3 interleaved rounds, 2-core VM, 2026-12-04). */
	cf_arena_hint(&p->arena, len * 4 + 1024);
	p->file = file ? cf_arena_strndup(&p->arena, file, strlen(file)) : NULL;
	/* the tape (malloc'd) lives only while the AST is built */
	rc = cf_json_read(&p->arena, buf, len, p->file, &d, err);
	if (!rc) {
		rc = check_document(&pp, &d);
		if (!rc)
			rc = parse_root(&pp, d.v);
		cf_json_doc_free(&d);
	}
	if (rc) {
		cf_profile_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* Reads a profile from the file name (by_path) or from fd (name names it
 * in messages), then parses it. */
static int load(bool by_path, int fd, const char *name, struct cf_profile **out,
		struct cf_error *err)
{
	char *buf;
	size_t len;
	int rc = by_path ? cf_read_path_wait(name, "profile", CF_INPUT_MAX,
					     CF_FIFO_WAIT_MS, &buf, &len, err)
			 : cf_read_fd_wait(fd, name, "profile", CF_INPUT_MAX,
					   CF_FIFO_WAIT_MS, &buf, &len, err);

	*out = NULL;
	if (rc)
		return rc;
	rc = cf_profile_parse(buf, len, name, out, err);
	free(buf);
	return rc;
}

int cf_profile_load(const char *path, struct cf_profile **out,
		    struct cf_error *err)
{
	return load(true, -1, path, out, err);
}

int cf_profile_load_fd(int fd, const char *name, struct cf_profile **out,
		       struct cf_error *err)
{
	return load(false, fd, name, out, err);
}

const char *cf_p_name_pointer(const struct cf_p_syscall *s, size_t n, char *buf,
			      size_t size)
{
	const char *base = s->names_ptr ? s->names_ptr : "";
	size_t nb = strlen(base), nd = 0, k = 0;
	char digits[24];

	if (!size)
		return buf;
	if (s->legacy_name) {
		nd = 0;
	} else {
		do {
			digits[nd++] = (char)('0' + n % 10);
			n /= 10;
		} while (n);
	}
	if (nb + nd + 2 > size) {
		buf[0] = 0;
		return buf;
	}
	memcpy(buf, base, nb);
	k = nb;
	if (nd)
		buf[k++] = '/';
	while (nd)
		buf[k++] = digits[--nd];
	buf[k] = 0;
	return buf;
}

size_t cf_p_member_pointer(const struct cf_p_syscall *s, const char *key,
			   long index, char *out)
{
	const char *base = s->pos.pointer ? s->pos.pointer : "";
	size_t nb = strlen(base), nk = strlen(key), n = nb + 1 + nk;

	/* key matched a field's name, which has no '~' nor '/': its own
	 * token */
	if (out) {
		memcpy(out, base, nb);
		out[nb] = '/';
		memcpy(out + nb + 1, key, nk + 1);
	}
	if (index < 0)
		return n;
	if (out)
		return cf_jptr_write(out, out, n, NULL, (size_t)index);
	return cf_jptr_len(n, NULL, (size_t)index);
}

bool cf_profile_unconfined(const struct cf_profile *p)
{
	return p->unconfined;
}

void cf_profile_free(struct cf_profile *p)
{
	if (p)
		cf_arena_free_owner(&p->arena, p);
}
