/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fast paths of a compile keep their meaning: the perfect hash finds
 * every name and nothing else, names' JSON pointers built on demand equal
 * the eager ones, the arena's alignment and hints, the JSON reader's
 * scratch stacks past their on-stack size, and compiles of profiles of
 * every size.
 */
#include "t.h"

#include "base.h"
#include "json.h"
#include "profile.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "reach.h"
#include "filter.h"

#include <stdint.h>
#include <stdlib.h>

TEST(speed_sys_index_perfect_hash)
{
	static const char *const absent[] = {
	    "",	     "r", "rea",	 "readd",   "READ", "read ",
	    "bogus", "_", "socketcall2", "clone33", "x",
	};
	char buf[64];

	for (size_t i = 0; i < cf_nsysinfo; i++)
		CHECK_EQ(cf_sys_index(cf_sysinfo[i].name), i);
	for (size_t i = 0; i < CF_ARRAY_SIZE(absent); i++)
		CHECK_EQ(cf_sys_index(absent[i]), -1);
	/* every name with its last byte changed or dropped */
	for (size_t i = 0; i < cf_nsysinfo; i++) {
		size_t n = strlen(cf_sysinfo[i].name);
		int got;

		memcpy(buf, cf_sysinfo[i].name, n + 1);
		buf[n - 1] ^= 0x20;
		got = cf_sys_index(buf);
		CHECK(got < 0 || !strcmp(cf_sysinfo[got].name, buf));
		buf[n - 1] = 0;
		got = cf_sys_index(buf);
		CHECK(got < 0 || !strcmp(cf_sysinfo[got].name, buf));
	}
}

static struct cf_profile *parse(const char *text)
{
	struct cf_profile *p = NULL;
	struct cf_error err;

	if (cf_profile_parse(text, strlen(text), "p.json", &p, &err))
		t_fail(__FILE__, __LINE__, "parse: %s", err.msg);
	return p;
}

TEST(speed_name_pointers_on_demand)
{
	char buf[128];
	struct cf_profile *p = parse(
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"SYSCALLS\": ["
	    "{\"names\": [\"read\", \"write\"], \"action\": "
	    "\"SCMP_ACT_ALLOW\"},"
	    "{\"name\": \"close\", \"action\": \"SCMP_ACT_ALLOW\"},"
	    "{\"Names\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\","
	    "\"i\",\"j\",\"k\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	struct cf_profile *oci;

	if (!CHECK(p != NULL) || !CHECK(p->nsyscalls == 3))
		goto out;
	/* a key-case note's pointer is built from the cached parents */
	CHECK(p->notes != NULL);
	for (const struct cf_p_note *n = p->notes; n; n = n->next)
		if (!strcmp(n->id, "key-case"))
			CHECK(!strcmp(n->pos.pointer, "/SYSCALLS") ||
			      !strcmp(n->pos.pointer, "/SYSCALLS/2/Names"));
	CHECK_STR(cf_p_name_pointer(&p->syscalls[0], 0, buf, sizeof(buf)),
		  "/SYSCALLS/0/names/0");
	CHECK_STR(cf_p_name_pointer(&p->syscalls[0], 1, buf, sizeof(buf)),
		  "/SYSCALLS/0/names/1");
	CHECK_STR(cf_p_name_pointer(&p->syscalls[1], 0, buf, sizeof(buf)),
		  "/SYSCALLS/1/name");
	CHECK_STR(cf_p_name_pointer(&p->syscalls[2], 10, buf, sizeof(buf)),
		  "/SYSCALLS/2/Names/10");
	CHECK_EQ(p->syscalls[2].name_pos[10].line, 1);
	/* too small a buffer: empty, never cut */
	CHECK_STR(cf_p_name_pointer(&p->syscalls[2], 10, buf, 12), "");
	oci = parse("{\"ociVersion\": \"1.0\", \"linux\": {\"seccomp\": "
		    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		    "[{\"names\": [\"read\"], \"action\": "
		    "\"SCMP_ACT_ALLOW\"}]}}}");
	if (CHECK(oci != NULL))
		CHECK_STR(
		    cf_p_name_pointer(&oci->syscalls[0], 0, buf, sizeof(buf)),
		    "/linux/seccomp/syscalls/0/names/0");
	cf_profile_free(oci);
	/* RFC 6901 escapes in keys: '~' -> "~0", '/' -> "~1" */
	oci = parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		    "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
		    "\"a/b~c\": {\"x\": 1}}]}");
	if (CHECK(oci != NULL) && CHECK(oci->notes != NULL))
		CHECK_STR(oci->notes->pos.pointer, "/syscalls/0/a~1b~0c");
	cf_profile_free(oci);
out:
	cf_profile_free(p);
}

TEST(speed_arena_alignment_and_hints)
{
	struct cf_arena a = {0};
	char *s = cf_arena_strndup(&a, "abc", 3);
	char *t = cf_arena_strndup(&a, "de", 2);
	uint64_t *u = cf_arena_raw(&a, sizeof(*u), sizeof(*u));
	void *z = cf_arena_alloc(&a, 40);
	void *big;

	CHECK_STR(s, "abc");
	CHECK_STR(t, "de");
	CHECK(t == s + 4); /* strings are packed */
	CHECK_EQ((uintptr_t)u % sizeof(*u), 0);
	CHECK_EQ((uintptr_t)z % _Alignof(max_align_t), 0);
	CHECK(z && !memcmp(z, (char[40]){0}, 40));
	big = cf_arena_alloc(&a, 1 << 20); /* a one-off block */
	CHECK(big != NULL);
	s = cf_arena_strndup(&a, "f", 1); /* the chunk is still used */
	CHECK(s > (char *)z && s < (char *)z + 4096);
	cf_arena_release(&a);
	cf_arena_hint(&a, 200000);
	for (int i = 0; i < 1000; i++)
		CHECK(cf_arena_raw(&a, 150, 8) != NULL);
	cf_arena_release(&a);
}

/* Containers bigger than the reader's on-stack scratch, nested. */
TEST(speed_json_big_containers)
{
	size_t n = 3000, cap = n * 40 + 64, off = 0;
	char *text = malloc(cap);
	struct cf_arena a = {0};
	struct cf_json *v;
	struct cf_error err;

	if (!CHECK(text != NULL))
		return;
	off += (size_t)snprintf(text + off, cap - off, "[");
	for (size_t i = 0; i < n; i++)
		off +=
		    (size_t)snprintf(text + off, cap - off,
				     "%s{\"k%zu\": [%zu, \"s%zu\"], \"x\": {}}",
				     i ? "," : "", i, i, i);
	off += (size_t)snprintf(text + off, cap - off, "]");
	if (CHECK(cf_json_parse(&a, text, off, "t.json", &v, &err) == 0) &&
	    CHECK(v->u.arr.n == n)) {
		const struct cf_json *last = v->u.arr.items[n - 1];
		char key[32];
		uint64_t num = 0;

		snprintf(key, sizeof(key), "k%zu", n - 1);
		CHECK_EQ(last->u.obj.n, 2);
		CHECK_STR(last->u.obj.m[0].key, key);
		CHECK_EQ(last->u.obj.m[0].val->u.arr.n, 2);
		CHECK(cf_json_u64(last->u.obj.m[0].val->u.arr.items[0], &num) ==
		      0);
		CHECK_EQ(num, n - 1);
		CHECK_STR(last->u.obj.m[1].key, "x");
		CHECK_EQ(last->u.obj.m[1].val->u.obj.n, 0);
	}
	/* one object with many members */
	off = 0;
	off += (size_t)snprintf(text + off, cap - off, "{");
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off,
					"%s\"m%zu\": %zu", i ? "," : "", i, i);
	off += (size_t)snprintf(text + off, cap - off, "}");
	if (CHECK(cf_json_parse(&a, text, off, "t.json", &v, &err) == 0) &&
	    CHECK(v->u.obj.n == n))
		CHECK_STR(v->u.obj.m[n - 1].key, "m2999");
	/* an error deep inside a big container still has its position */
	text[off - 2] = ',';
	CHECK(cf_json_parse(&a, text, off, "t.json", &v, &err) == -EINVAL);
	CHECK_EQ(err.line, 1);
	cf_arena_release(&a);
	free(text);
}

/* Profiles of 1 to 3000 rules on every name compile (or are rejected for
 * size) the same way: the fast paths have no size limits of their own. */
TEST(speed_compile_many_rules)
{
	static const size_t sizes[] = {1, 60, 700, 3000};

	for (size_t k = 0; k < CF_ARRAY_SIZE(sizes); k++) {
		size_t n = sizes[k], cap = n * 160 + 256, off = 0;
		char *text = malloc(cap);
		struct cf_profile *p = NULL;
		struct cf_filter *f = NULL;
		struct cf_target t;
		struct cf_error err;
		int rc;

		if (!CHECK(text != NULL))
			return;
		off += (size_t)snprintf(
		    text + off, cap - off,
		    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": "
		    "[{\"architecture\": \"SCMP_ARCH_X86_64\", "
		    "\"subArchitectures\": [\"SCMP_ARCH_X86\", "
		    "\"SCMP_ARCH_X32\"]}], \"syscalls\": [");
		for (size_t i = 0; i < n; i++)
			off += (size_t)snprintf(
			    text + off, cap - off,
			    "%s{\"names\": [\"%s\"], \"action\": "
			    "\"SCMP_ACT_%s\"}",
			    i ? "," : "", cf_sysinfo[i % cf_nsysinfo].name,
			    i % 7 ? "ALLOW" : "LOG");
		off += (size_t)snprintf(text + off, cap - off, "]}");
		CHECK(cf_profile_parse(text, off, "p.json", &p, &err) == 0);
		CHECK(cf_target_default(&t, &err) == 0);
		t.native = cf_abi_lookup("x86_64");
		rc = p ? cf_compile(p, &t, &f, &err) : -1;
		CHECK(rc == 0);
		if (f) {
			struct seccomp_data d = {.arch = 0xc000003eU};
			struct cf_decision dec;

			/* cf_sysinfo[3], "accept", is rule 3 (an ALLOW) */
			d.nr = (int)cf_syscall_number(t.native,
						      cf_sysinfo[3].name);
			cf_filter_decide(f, &d, &dec);
			CHECK_EQ(dec.action, n > 3 ? 0x7fff0000U : 0x50001U);
		}
		cf_filter_free(f);
		cf_profile_free(p);
		free(text);
	}
}

/* ---- the JSON reader's eight-byte string scan (lib/json.c) ------------- */

/* One string of n plain bytes with tok at offset k, parsed, against what
 * the reader must make of it (want, wantlen: NULL when it must refuse). */
static void scan_case(size_t n, size_t k, const char *tok, const char *want,
		      size_t wantlen)
{
	char text[128], exp[128];
	struct cf_arena a = {0};
	struct cf_json *v = NULL;
	struct cf_error err;
	size_t off = 0, eoff = 0;
	int rc;

	text[off++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (i == k) {
			memcpy(text + off, tok, strlen(tok));
			off += strlen(tok);
			memcpy(exp + eoff, want ? want : "", wantlen);
			eoff += wantlen;
		}
		text[off++] = (char)('a' + i % 26);
		exp[eoff++] = (char)('a' + i % 26);
	}
	text[off++] = '"';
	rc = cf_json_parse(&a, text, off, "s.json", &v, &err);
	if (!want)
		CHECK(rc == -EINVAL);
	else if (CHECK(rc == 0) && CHECK(v->type == CF_JSON_STRING))
		CHECK(v->u.str.len == eoff && !memcmp(v->u.str.s, exp, eoff));
	cf_arena_release(&a);
}

/* The scan reads eight bytes at a time until a quote, backslash, control
 * or non-ASCII byte, then byte by byte: each kind of byte at every offset
 * of strings of 1 to 40 bytes (every alignment and both sides of an
 * eight-byte block) reads as the byte loop alone reads it. */
TEST(speed_json_string_scan_every_offset)
{
	for (size_t n = 1; n <= 40; n++)
		for (size_t k = 0; k < n; k++) {
			scan_case(n, k, "\\\"", "\"", 1);
			scan_case(n, k, "\\\\", "\\", 1);
			scan_case(n, k, "\\u0001", "\001", 1);
			scan_case(n, k, "\xc3\xa9", "\xc3\xa9", 2);
			scan_case(n, k, "\x7f", "\x7f", 1);
			scan_case(n, k, "\x1f", NULL, 0);
			scan_case(n, k, "\xff", NULL, 0);
		}
}

/* ---- the profile reader's two arenas (lib/profile_parse.c) ------------- */

static bool same_tree(const struct cf_json *a, const struct cf_json *b)
{
	if (a->type != b->type || a->line != b->line || a->col != b->col ||
	    a->flags != b->flags)
		return false;
	switch (a->type) {
	case CF_JSON_STRING:
		return a->u.str.len == b->u.str.len &&
		       !memcmp(a->u.str.s, b->u.str.s, a->u.str.len);
	case CF_JSON_NUMBER:
		return a->u.num.len == b->u.num.len &&
		       !memcmp(a->u.num.text, b->u.num.text, a->u.num.len);
	case CF_JSON_ARRAY:
		if (a->u.arr.n != b->u.arr.n)
			return false;
		for (size_t i = 0; i < a->u.arr.n; i++)
			if (!same_tree(a->u.arr.items[i], b->u.arr.items[i]))
				return false;
		return true;
	case CF_JSON_OBJECT:
		if (a->u.obj.n != b->u.obj.n)
			return false;
		for (size_t i = 0; i < a->u.obj.n; i++)
			if (strcmp(a->u.obj.m[i].key, b->u.obj.m[i].key) ||
			    !same_tree(a->u.obj.m[i].val, b->u.obj.m[i].val))
				return false;
		return true;
	default: /* null, false, true: the type says all */
		return true;
	}
}

/* The tree in an arena of its own and the strings in the profile's (as
 * cf_profile_parse reads) is the tree of one arena, on every fixture. */
TEST(speed_json_two_arenas_same_tree)
{
	for (size_t i = 0; i < t_nfixtures; i++) {
		size_t len;
		char *text = t_fixture_read(t_fixtures[i], &len);
		struct cf_arena one = {0}, nodes = {0}, strings = {0};
		struct cf_json *a, *b;
		struct cf_error err;

		if (!text)
			return;
		if (CHECK(cf_json_parse(&one, text, len, "f", &a, &err) == 0) &&
		    CHECK(cf_json_parse2(&nodes, &strings, text, len, "f", &b,
					 &err) == 0) &&
		    !CHECK(same_tree(a, b)))
			t_note("%s: the trees differ", t_fixtures[i]);
		cf_arena_release(&one);
		cf_arena_release(&nodes);
		cf_arena_release(&strings);
		free(text);
	}
}

/* ---- the IR's counting sort (lib/ir_build.c) --------------------------- */

static bool ir_sorted(const struct cf_ir *ir)
{
	for (size_t a = 0; a < ir->nabis; a++) {
		const struct cf_ir_abi *ab = &ir->abis[a];

		for (size_t i = 0; i < ab->nsys; i++) {
			const struct cf_ir_sys *s = &ab->sys[i];

			if (i && s->nr <= ab->sys[i - 1].nr)
				return false;
			for (size_t c = 1; c < s->nchains; c++)
				if (s->chains[c].rule < s->chains[c - 1].rule)
					return false;
		}
	}
	return true;
}

/* What a stable sort by number gives, written plainly: each ABI's numbers
 * strictly ascending, and a number's chains in the order of their rules
 * (the ruleset's order, the profile's), on every fixture compiled for
 * x86_64 (x86 and x32 too) and aarch64 (arm too). */
TEST(speed_ir_sorted_as_a_stable_sort)
{
	static const char *const natives[] = {"x86_64", "aarch64"};

	for (size_t i = 0; i < t_nfixtures; i++)
		for (size_t k = 0; k < CF_ARRAY_SIZE(natives); k++) {
			size_t len;
			char *text = t_fixture_read(t_fixtures[i], &len);
			struct cf_profile *p = NULL;
			struct cf_filter *f = NULL;
			struct cf_target t;
			struct cf_error err;

			if (!text)
				return;
			cf_target_default(&t, &err);
			t.native = cf_abi_lookup(natives[k]);
			if (!CHECK(cf_profile_parse(text, len, "f", &p, &err) ==
				   0))
				t_note("%s: %s", t_fixtures[i], err.msg);
			else if (!CHECK(cf_compile(p, &t, &f, &err) == 0))
				t_note("%s for %s: %s", t_fixtures[i],
				       natives[k], err.msg);
			else if (!CHECK(ir_sorted(&f->ir)))
				t_note("%s for %s: not sorted stably",
				       t_fixtures[i], natives[k]);
			cf_filter_free(f);
			cf_profile_free(p);
			free(text);
		}
}

/* ---- the shadowed-rule lint's equality fast path (reach.c) ------------
 * cf_eq_reach against the general walk (cf_chain_reach, exact for chains
 * 0..63 without MASKED_EQ) on random equality-only syscalls: few values
 * and arguments so that chains repeat, cover and conflict; datums whose
 * low words agree tell 32-bit-compare ABIs apart; --harden's low32 on
 * some of one argument's conditions (mixed widths: declined). */

static uint32_t eq_rand(uint32_t *seed)
{
	*seed = *seed * 1103515245U + 12345U;
	return *seed >> 16;
}

static void eq_random_sys(uint32_t *seed, struct cf_ir_chain *ch,
			  struct cf_cond (*cbuf)[CF_CHAIN_CONDS], size_t n,
			  bool low32)
{
	static const uint64_t vals[] = {0, 1, 2, 0x100000001ULL, 0xffffffffULL};

	for (size_t j = 0; j < n; j++) {
		unsigned args = eq_rand(seed) % 8; /* subset of args 0..2 */

		memset(&ch[j], 0, sizeof(ch[j]));
		ch[j].conds = cbuf[j];
		for (unsigned a = 0; a < 3; a++)
			if (args >> a & 1)
				cbuf[j][ch[j].nconds++] = (struct cf_cond){
				    a, CF_OP_EQ, vals[eq_rand(seed) % 5], 0,
				    (uint8_t)(low32 && a == 1 &&
					      eq_rand(seed) % 8)};
	}
}

TEST(speed_eq_reach_matches_the_walk)
{
	struct cf_ir_chain ch[40];
	struct cf_cond cbuf[40][CF_CHAIN_CONDS];
	enum cf_reach fast[40];
	struct cf_walk *w = cf_walk_new();
	uint32_t seed = 7;
	unsigned shadowed = 0, reached = 0, declined = 0;

	CHECK(w != NULL);
	for (int round = 0; w && round < 400; round++) {
		size_t n = 1 + eq_rand(&seed) % CF_ARRAY_SIZE(ch);
		struct cf_ir_sys s = {.chains = ch, .nchains = n};
		const struct cf_arch *ar = &cf_arches[round % cf_narches];

		eq_random_sys(&seed, ch, cbuf, n, round % 3 == 0);
		if (!cf_eq_reach(ar, &s, fast)) { /* widths differ */
			declined++;
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			size_t work = SIZE_MAX;
			enum cf_reach r =
			    cf_chain_reach(ar, &s, j, NULL, w, &work);

			if (r != fast[j])
				t_fail(__FILE__, __LINE__,
				       "%s round %d chain %zu: walk %d, "
				       "fast %d",
				       ar->name, round, j, (int)r,
				       (int)fast[j]);
			shadowed += r == CF_SHADOWED;
			reached += r == CF_REACHED;
		}
	}
	/* both answers, and the refusal, exercised */
	CHECK(shadowed > 100 && reached > 100 && declined > 10);
	cf_walk_free(w);
}

TEST(speed_eq_reach_declines_other_operators)
{
	struct cf_cond c0[1] = {{0, CF_OP_EQ, 1, 0, 0}},
		       c1[2] = {{1, CF_OP_EQ, 1, 0, 0}, {1, CF_OP_EQ, 2, 0, 0}};
	struct cf_ir_chain ch[2] = {{.conds = c0, .nconds = 1},
				    {.conds = c1, .nconds = 2}};
	struct cf_ir_sys s = {.chains = ch, .nchains = 2};
	enum cf_reach out[2];

	CHECK(!cf_eq_reach(&cf_arches[0], &s, out)); /* argument twice */
	ch[1].nconds = 1;
	c1[0].op = CF_OP_NE;
	CHECK(!cf_eq_reach(&cf_arches[0], &s, out));
	c1[0] = (struct cf_cond){0, CF_OP_EQ, 1, 0, 1};
	CHECK(!cf_eq_reach(&cf_arches[0], &s, out)); /* widths differ */
	c1[0].low32 = 0;
	CHECK(cf_eq_reach(&cf_arches[0], &s, out));
	CHECK(out[0] == CF_REACHED && out[1] == CF_SHADOWED);
}

/* cf_eq_disjoint (the overlapping-rules lint's first test) says disjoint
 * only where no value matches both, on every ABI, at both widths. */
TEST(speed_eq_disjoint_is_exact)
{
	static const uint64_t vals[] = {0, 1, 0x100000001ULL, 0xffffffffULL,
					0x1ffffffffULL};
	struct cf_cond ca[1], cb[1];
	struct cf_ir_chain a = {.conds = ca, .nconds = 1},
			   b = {.conds = cb, .nconds = 1};
	unsigned disjoint = 0, meet = 0;

	for (int ai = 0; ai < cf_narches; ai++)
		for (unsigned m = 0; m < 25 * 4; m++) {
			const struct cf_arch *ar = &cf_arches[ai];
			bool both = false;

			ca[0] =
			    (struct cf_cond){0, CF_OP_EQ, vals[m % 5], 0, 0};
			cb[0] = (struct cf_cond){0, CF_OP_EQ, vals[m / 5 % 5],
						 0, 0};
			ca[0].low32 = (uint8_t)(m / 25 & 1);
			cb[0].low32 = (uint8_t)(m / 50 & 1);
			for (size_t k = 0; k < CF_ARRAY_SIZE(vals); k++)
				both |=
				    cf_ir_cond_match(ar, &a.conds[0],
						     vals[k]) &&
				    cf_ir_cond_match(ar, &b.conds[0], vals[k]);
			if (cf_eq_disjoint(ar, &a, &b)) {
				CHECK(!both);
				disjoint++;
			} else {
				CHECK(both);
				meet++;
			}
		}
	CHECK(disjoint > 0 && meet > 0);
}

/* ---- the bit walk is exhaustive (reach.c, sig_run) ---------------------
 * For every value v of an argument, some value the walk returns gives
 * every condition the truth it has on v (and, in pair mode, on v with
 * its upper half cleared too). Random conditions on one argument, one per
 * chain, with data built from a few bits (runs of bits where every datum
 * is 0 or 1 alike, which the walk takes as one step, and bits where they
 * differ), probed with the data, their neighbours, and values with bits
 * set inside those runs. */

static const uint64_t walk_bits[] = {0, 1, 2, 5, 16, 31, 32, 33, 47, 62, 63};

static uint64_t walk_rand64(uint32_t *seed)
{
	uint64_t v = 0;

	for (unsigned k = eq_rand(seed) % 4; k-- > 0;)
		v |=
		    1ULL << walk_bits[eq_rand(seed) % CF_ARRAY_SIZE(walk_bits)];
	return eq_rand(seed) % 5 ? v : (uint64_t)eq_rand(seed) << 8;
}

static void walk_random_sys(uint32_t *seed, struct cf_ir_chain *ch,
			    struct cf_cond (*cbuf)[CF_CHAIN_CONDS], size_t n)
{
	for (size_t j = 0; j < n; j++) {
		uint8_t op =
		    (uint8_t)(j == 0 ? CF_OP_MASKED_EQ : 1 + eq_rand(seed) % 7);

		memset(&ch[j], 0, sizeof(ch[j]));
		ch[j].conds = cbuf[j];
		ch[j].nconds = 1;
		cbuf[j][0] = (struct cf_cond){0, op, walk_rand64(seed),
					      walk_rand64(seed), 0};
		if (op == CF_OP_MASKED_EQ)
			cbuf[j][0].datum2 &= cbuf[j][0].datum;
	}
}

/* The truth of each chain on v, as bits. */
static uint64_t walk_truth(const struct cf_arch *ar, const struct cf_ir_sys *s,
			   uint64_t v)
{
	uint64_t t = 0;

	for (size_t j = 0; j < s->nchains; j++)
		t |= (uint64_t)cf_chain_holds_on(ar, &s->chains[j], 0, v) << j;
	return t;
}

static bool walk_covers(const struct cf_arch *ar, const struct cf_ir_sys *s,
			const struct cf_vals *c, bool pair, uint64_t v)
{
	uint64_t want = walk_truth(ar, s, v);
	uint64_t want_low = walk_truth(ar, s, v & UINT32_MAX);

	for (size_t k = 0; k < c->n; k++)
		if (walk_truth(ar, s, c->v[k]) == want &&
		    (!pair ||
		     walk_truth(ar, s, c->v[k] & UINT32_MAX) == want_low))
			return true;
	return false;
}

static uint64_t walk_probe(uint32_t *seed, const struct cf_ir_sys *s)
{
	const struct cf_cond *c =
	    &s->chains[eq_rand(seed) % s->nchains].conds[0];
	uint64_t v = eq_rand(seed) % 2 ? c->datum : walk_rand64(seed);

	switch (eq_rand(seed) % 4) {
	case 0:
		return v + 1;
	case 1:
		return v - 1;
	case 2:
		return v | walk_rand64(seed);
	default:
		return v;
	}
}

/* One round's random syscall on the ABI round picks, and the walk's
 * values for all its conditions in c; false when that ABI compares 32
 * bits or the walk gives up. */
struct walk_case {
	struct cf_ir_chain ch[8];
	struct cf_cond cbuf[8][CF_CHAIN_CONDS];
	struct cf_ir_sys s;
	const struct cf_arch *ar;
	struct cf_vals c;
};

static bool walk_round(struct cf_walk *w, uint32_t *seed, int round, bool pair,
		       struct walk_case *r)
{
	size_t work = SIZE_MAX;

	r->s = (struct cf_ir_sys){.chains = r->ch,
				  .nchains = 1 + eq_rand(seed) % 8};
	r->ar = &cf_arches[round % cf_narches];
	walk_random_sys(seed, r->ch, r->cbuf, r->s.nchains);
	return r->ar->cmp_bits == 64 &&
	       cf_walk_sys(w, &r->s, 0, pair, &r->c, &work);
}

TEST(speed_bit_walk_is_exhaustive)
{
	static struct walk_case r;
	struct cf_walk *w = cf_walk_new();
	uint32_t seed = 11;
	unsigned walked = 0, probes = 0;

	CHECK(w != NULL);
	for (int round = 0; w && round < 300; round++) {
		bool pair = round % 2;

		if (!walk_round(w, &seed, round, pair, &r))
			continue;
		walked++;
		for (int k = 0; k < 200; k++, probes++) {
			uint64_t v = walk_probe(&seed, &r.s);

			if (!walk_covers(r.ar, &r.s, &r.c, pair, v)) {
				t_fail(__FILE__, __LINE__,
				       "round %d (%zu conditions, pair %d): "
				       "no walk value acts as 0x%llx does",
				       round, r.s.nchains, pair,
				       (unsigned long long)v);
				break;
			}
		}
	}
	CHECK(walked > 100);
	t_note("%u walks, %u probes", walked, probes);
	cf_walk_free(w);
}

/* The shadow lint's answers on those random syscalls (the walk with a
 * chain's conditions needed, its dead states dropped) against the walk's
 * values for all conditions at once, which the test above shows
 * exhaustive: chain j is reached iff some value makes it hold and no
 * earlier chain hold. */
static enum cf_reach walk_oracle(const struct cf_arch *ar,
				 const struct cf_ir_sys *s,
				 const struct cf_vals *c, size_t j)
{
	enum cf_reach r = CF_NEVER_HOLDS;

	for (size_t k = 0; k < c->n; k++) {
		uint64_t t = walk_truth(ar, s, c->v[k]);

		if (!(t >> j & 1))
			continue;
		if (!(t & ((1ULL << j) - 1)))
			return CF_REACHED;
		r = CF_SHADOWED;
	}
	return r;
}

TEST(speed_bit_walk_reach_is_exact)
{
	static struct walk_case r;
	struct cf_walk *w = cf_walk_new();
	uint32_t seed = 5;
	unsigned seen[4] = {0};

	CHECK(w != NULL);
	for (int round = 0; w && round < 300; round++) {
		if (!walk_round(w, &seed, round, false, &r))
			continue;
		for (size_t j = 0; j < r.s.nchains; j++) {
			size_t work = SIZE_MAX;
			enum cf_reach got =
			    cf_chain_reach(r.ar, &r.s, j, NULL, w, &work);
			enum cf_reach want = walk_oracle(r.ar, &r.s, &r.c, j);

			seen[want]++;
			if (got != want)
				t_fail(__FILE__, __LINE__,
				       "round %d chain %zu of %zu: lint %d, "
				       "values %d",
				       round, j, r.s.nchains, (int)got,
				       (int)want);
		}
	}
	/* reached, shadowed and never-holding chains all met */
	CHECK(seen[CF_REACHED] > 50 && seen[CF_SHADOWED] > 20 &&
	      seen[CF_NEVER_HOLDS] > 5);
	t_note("reached %u, shadowed %u, never %u", seen[CF_REACHED],
	       seen[CF_SHADOWED], seen[CF_NEVER_HOLDS]);
	cf_walk_free(w);
}
