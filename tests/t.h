/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal test harness: TEST() registers, CHECK() records, the runner
 * prints "N passed, N failed" (tests/main.c). */
#ifndef CF_T_H
#define CF_T_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*t_fn)(void);
void t_register(const char *name, t_fn fn, const char *file);
bool t_check(bool ok, const char *expr, const char *file, int line);
void t_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void t_skip(const char *why);
void t_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Directory of the shared fixtures ("../shared" unless CF_SHARED is set),
 * or NULL after t_skip (outside CI) / a failure (in CI, CI=true). */
const char *t_shared(void);
/* Reads ../shared/<rel> into a malloc'd NUL-terminated buffer, or NULL
 * (after skip/fail as t_shared). */
char *t_shared_read(const char *rel, size_t *len);
/* The reference profiles of ../shared/fixtures/profiles, by file name. */
extern const char *const t_fixtures[];
extern const size_t t_nfixtures;
/* Reads fixtures/profiles/<name> as t_shared_read does. */
char *t_fixture_read(const char *name, size_t *len);
/* Path of the built callfence binary (CF_BIN or build/callfence). */
const char *t_callfence_bin(void);
/* Names for failure messages: the ABIs of an audit arch ("x86_64/x32",
 * or the hex for an unknown one) and an action ("SCMP_ACT_ERRNO(1)");
 * both write into buf. */
/* What a diagnostics callback (cf_diag_fn) was given: t_diags_add, with
 * a struct t_diags as its context, appends "[id] msg\n" to text (cut at
 * its size) for each diagnostic and counts them in n. */
struct cf_diag;
struct t_diags {
	char text[8192];
	size_t n;
};
void t_diags_add(void *ctx, const struct cf_diag *d);
/* How many diagnostics with this id text holds. */
size_t t_diags_count(const struct t_diags *s, const char *id);
const char *t_arch_name(uint32_t audit, char *buf, size_t size);
const char *t_action_name(uint32_t action, char *buf, size_t size);
/* In a forked child: prints "file:line: test: in child: check failed:
 * expr" on stderr and ends the child with T_CHILD_FAILED. */
#define T_CHILD_FAILED 86
__attribute__((noreturn)) void t_child_fail(const char *expr, const char *file,
					    int line);
/* Waits for pid and records one check: it exited 0. Otherwise the failure
 * says how it ended (exit code, signal by name; T_CHILD_FAILED points at
 * the child's own message above). */
bool t_check_child(int pid, const char *what, const char *file, int line);

#define TEST(name)                                                             \
	static void name(void);                                                \
	__attribute__((constructor)) static void t_reg_##name(void)            \
	{                                                                      \
		t_register(#name, name, __FILE__);                             \
	}                                                                      \
	static void name(void)

#define CHECK(cond) t_check(!!(cond), #cond, __FILE__, __LINE__)
/* CHECK for forked children: a false cond ends the child, naming itself. */
#define CHILD_CHECK(cond)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			t_child_fail(#cond, __FILE__, __LINE__);               \
	} while (0)
#define CHECK_CHILD(pid) t_check_child((pid), #pid, __FILE__, __LINE__)
#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		uint64_t t_a_ = (uint64_t)(a), t_b_ = (uint64_t)(b);           \
		if (t_a_ != t_b_)                                              \
			t_fail(__FILE__, __LINE__,                             \
			       "%s == %s: 0x%" PRIx64 " != 0x%" PRIx64, #a,    \
			       #b, t_a_, t_b_);                                \
		else                                                           \
			t_check(true, #a, __FILE__, __LINE__);                 \
	} while (0)
#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *t_a_ = (a), *t_b_ = (b);                           \
		if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0)                 \
			t_fail(__FILE__, __LINE__, "%s == %s: '%s' != '%s'",   \
			       #a, #b, t_a_ ? t_a_ : "(null)",                 \
			       t_b_ ? t_b_ : "(null)");                        \
		else                                                           \
			t_check(true, #a, __FILE__, __LINE__);                 \
	} while (0)
#define CHECK_CONTAINS(hay, needle)                                            \
	do {                                                                   \
		const char *t_h_ = (hay), *t_n_ = (needle);                    \
		if (!t_h_ || !strstr(t_h_, t_n_))                              \
			t_fail(__FILE__, __LINE__,                             \
			       "'%s' does not contain '%s'",                   \
			       t_h_ ? t_h_ : "(null)", t_n_);                  \
		else                                                           \
			t_check(true, #hay, __FILE__, __LINE__);               \
	} while (0)

#endif
