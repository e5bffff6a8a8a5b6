/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resolve.c - profile AST + target -> ruleset, as Docker's setupSeccomp and
 * runc's rule conversion do it:
 *   archMap (native entry only) / architectures -> the ABI list;
 *   includes/excludes (arches by Go name, caps against the bounding set,
 *   minKernel against the target kernel) -> the rules that apply;
 *   conditions with a repeated argument index -> one rule per condition.
 * Names are kept by name (with their cf_sysinfo index); numbers are the
 * IR builder's business.
 */
#include "base.h"
#include "action.h"
#include "profile.h"
#include "syscalls.h"
#include "ruleset.h"
#include "jptr.h"

#include <string.h>

/* moby's native-arch lookup never matches these ABIs (arches.tsv notes) */
static bool archmap_blind(int abi)
{
	const char *oci = cf_arches[abi].oci;

	return !strcmp(oci, "SCMP_ARCH_MIPSEL") ||
	       !strcmp(oci, "SCMP_ARCH_LOONGARCH64");
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (s && !strcmp(list[i], s))
			return true;
	return false;
}

/* Docker compares capability names as strings with the bounding set's
 * "CAP_*" names: "SYS_ADMIN" or "cap_sys_admin" never match. */
static bool cap_held(uint64_t caps, const char *name)
{
	for (int i = 0; i <= CF_CAP_MAX; i++) {
		const char *n = cf_cap_name(i);

		if ((caps >> i & 1) && n && !strcmp(n, name))
			return true;
	}
	return false;
}

static struct cf_loc pos_loc(const struct cf_profile *p,
			     const struct cf_pos *pos)
{
	return (struct cf_loc){p->file, pos->pointer, pos->line, pos->col};
}

/* JSON pointers of names are short: "/linux/seccomp/syscalls/N/names/M" */
#define CF_NAME_PTR_MAX 128

static struct cf_loc name_loc(const struct cf_profile *p,
			      const struct cf_p_syscall *s, size_t n, char *buf)
{
	struct cf_loc loc = pos_loc(p, &s->name_pos[n]);

	loc.pointer = cf_p_name_pointer(s, n, buf, CF_NAME_PTR_MAX);
	return loc;
}

/* Where s's action is. The key "action" as written matches by case only
 * (at most 6 letters of 3 bytes): its pointer fits in buf. */
static struct cf_loc action_loc(const struct cf_profile *p,
				const struct cf_p_syscall *s, char *buf)
{
	struct cf_loc loc = pos_loc(p, &s->action_pos);

	cf_p_member_pointer(s, s->action_key, -1, buf);
	loc.pointer = buf;
	return loc;
}

/* An ABI without a syscall table (s390: Linux 7.1 has no 31-bit compat
 * any more) cannot be native; as an extra ABI it is left out with a
 * warning, so its calls are killed like those of any ABI not listed. */
static int add_arch(struct cf_ruleset *rs, const struct cf_profile *p,
		    const struct cf_target *t, int abi,
		    const struct cf_pos *pos, struct cf_error *err)
{
	struct cf_loc loc = pos ? pos_loc(p, pos) : (struct cf_loc){0};

	for (size_t i = 0; i < rs->narches; i++)
		if (rs->arches[i] == abi)
			return 0;
	if (!cf_abi_supported(abi) && abi == rs->native)
		return cf_err_at(
		    err, -ENOTSUP, &loc,
		    "architecture '%s' is not supported (no syscall "
		    "table for it)",
		    cf_arches[abi].oci);
	if (!cf_abi_supported(abi)) {
		cf_warn(t->diag, t->diag_ctx, "unsupported-abi", &loc,
			"architecture '%s' has no syscall table (Linux 7.1 "
			"has none for it): left out of the filter, so its "
			"calls are killed",
			cf_arches[abi].oci);
		return 0;
	}
	if (cf_arches[abi].big_endian != cf_arches[rs->native].big_endian)
		return cf_err_at(err, -EINVAL, &loc,
				 "architecture '%s' has a different byte order "
				 "than the native '%s' (libseccomp and the "
				 "kernel cannot mix them in one filter)",
				 cf_arches[abi].oci, cf_arches[rs->native].oci);
	if (rs->narches == CF_ARRAY_SIZE(rs->arches))
		return cf_err_at(err, -E2BIG, &loc, "too many architectures");
	rs->arches[rs->narches++] = abi;
	return 0;
}

static int resolve_arches(struct cf_ruleset *rs, const struct cf_profile *p,
			  const struct cf_target *t, struct cf_error *err)
{
	int rc = add_arch(rs, p, t, rs->native, NULL, err);

	for (size_t i = 0; !rc && i < p->narchitectures; i++)
		rc = add_arch(rs, p, t, p->architectures[i], &p->arch_pos[i],
			      err);
	for (size_t i = 0; !rc && i < p->narchmap; i++) {
		const struct cf_p_archmap *m = &p->archmap[i];

		if (m->abi != rs->native || archmap_blind(rs->native))
			continue;
		for (size_t j = 0; !rc && j < m->nsubs; j++)
			if (m->sub_abis[j] >= 0)
				rc = add_arch(rs, p, t, m->sub_abis[j], &m->pos,
					      err);
	}
	return rc;
}

/* Docker's includes/excludes test; true when the rule applies. */
static bool rule_applies(const struct cf_p_syscall *s,
			 const struct cf_target *t)
{
	const char *go = cf_arches[t->native].go;
	const struct cf_p_filter *ex = &s->excludes, *in = &s->includes;

	if (ex->narches && in_list(ex->arches, ex->narches, go))
		return false;
	for (size_t i = 0; i < ex->ncaps; i++)
		if (cap_held(t->caps, ex->caps[i]))
			return false;
	if (ex->min_kernel && t->kernel >= ex->min_kernel_v)
		return false;
	if (in->narches && !in_list(in->arches, in->narches, go))
		return false;
	for (size_t i = 0; i < in->ncaps; i++)
		if (!cap_held(t->caps, in->caps[i]))
			return false;
	if (in->min_kernel && t->kernel < in->min_kernel_v)
		return false;
	return true;
}

static bool repeats_index(const struct cf_p_syscall *s)
{
	unsigned seen = 0;

	for (size_t i = 0; i < s->nargs; i++) {
		if (seen >> s->args[i].index & 1)
			return true;
		seen |= 1U << s->args[i].index;
	}
	return false;
}

static struct cf_cond to_cond(const struct cf_p_arg *a)
{
	return (struct cf_cond){(uint8_t)a->index, (uint8_t)a->op, a->value,
				a->value_two};
}

/* memcpy of n bytes, inline up to 32 (the pointers and keys resolve
 * copies are mostly 4 to 24 bytes, and a call of libc's memcpy costs
 * more than such a copy): words that may overlap, each read before any
 * is written. */
static inline void copy_short(char *to, const char *from, size_t n)
{
	uint64_t w[4];
	uint32_t h[2];

	if (n > 32) {
		memcpy(to, from, n);
	} else if (n >= 16) {
		memcpy(&w[0], from, 8);
		memcpy(&w[1], from + 8, 8);
		memcpy(&w[2], from + n - 16, 8);
		memcpy(&w[3], from + n - 8, 8);
		memcpy(to, &w[0], 8);
		memcpy(to + 8, &w[1], 8);
		memcpy(to + n - 16, &w[2], 8);
		memcpy(to + n - 8, &w[3], 8);
	} else if (n >= 8) {
		memcpy(&w[0], from, 8);
		memcpy(&w[1], from + n - 8, 8);
		memcpy(to, &w[0], 8);
		memcpy(to + n - 8, &w[1], 8);
	} else if (n >= 4) {
		memcpy(&h[0], from, 4);
		memcpy(&h[1], from + n - 4, 4);
		memcpy(to, &h[0], 4);
		memcpy(to + n - 4, &h[1], 4);
	} else {
		for (size_t i = 0; i < n; i++)
			to[i] = from[i];
	}
}

/* Digits of index i (a rule has a few names or arguments: mostly one). */
static inline size_t index_digits(size_t i)
{
	return i < 10 ? 1 : cf_jptr_len(0, NULL, i) - 1;
}

/* The digits of index i, written backwards from end: one digit inline
 * (most indexes). */
static inline void index_write(char *end, size_t i)
{
	if (i < 10)
		end[-1] = (char)('0' + i);
	else
		cf_jptr_digits(end, i);
}

/* The JSON pointer of name n of s, written at *at (room enough): the
 * names array's pointer (base, blen bytes) + "/" + n, or the legacy
 * "name"'s pointer. */
static const char *name_ptr(char **at, const struct cf_p_syscall *s,
			    const char *base, size_t blen, size_t n)
{
	char *out = *at;

	char *end = out + blen;

	copy_short(out, base, blen);
	if (!s->legacy_name) {
		*end = '/';
		end += 1 + index_digits(n);
		index_write(end, n);
	}
	*end = 0;
	*at = end + 1;
	return out;
}

/* What resolve_rules keeps of a profile rule, in one piece of the
 * filter's arena (rule_mem): its rule_src, its arguments' positions and
 * conditions, then the strings, the positions' pointers and the names'
 * pointers. Gain: resolve of valueset-1000 626 k instructions instead of
 * 808 k with an allocation for each of them (callgrind, cf-bench compile
 * cf FILE 1 1, 2026-12-05). */
struct rule_mem {
	struct cf_rule_src *src;
	struct cf_pos *args_pos; /* NULL without arguments */
	struct cf_cond *conds;	 /* the same */
	char *chars;
	size_t nb; /* bytes of the rule's pointer with its NUL, 0: none */
};

union rule_mem_align {
	struct cf_rule_src src;
	struct cf_pos pos;
	struct cf_cond cond;
};

static size_t align_up(size_t n, size_t align)
{
	return (n + align - 1) & ~(align - 1);
}

/* Bytes of pos's pointer with its NUL (0 without one). */
static size_t pointer_size(const struct cf_pos *pos)
{
	return pos->pointer ? strlen(pos->pointer) + 1 : 0;
}

/* Bytes of the pointers of s's arguments with their NULs, "/syscalls/N"
 * taking nb. */
static size_t args_chars(const struct cf_p_syscall *s, size_t nb)
{
	size_t chars = s->nargs * (nb + s->args_key_len + 3);

	for (size_t i = 0; i < s->nargs; i++)
		chars += index_digits(i);
	return chars;
}

/* The pointers of s's arguments into m (rule_mem's room), from the copy
 * of "/syscalls/N" (base, nb bytes): base + "/" + "args" as written +
 * "/" + the index (the parser leaves them NULL, cf_p_arg). Gain, with
 * the parser's pointers of "args" and "action" left unbuilt and name_ptr
 * writing directly: a whole compile of valueset-1000 6.23 M
 * instructions instead of 6.54 M (callgrind, cf-bench compile cf FILE 1
 * 0, 2026-12-05). */
static void args_pointers(struct rule_mem *m, const struct cf_p_syscall *s,
			  const char *base, size_t nb)
{
	size_t nk = s->args_key_len;

	for (size_t i = 0; i < s->nargs; i++) {
		char *o = m->chars;

		m->args_pos[i] = s->args[i].pos;
		m->args_pos[i].pointer = o;
		copy_short(o, base, nb);
		o[nb] = '/';
		copy_short(o + nb + 1, s->args_key, nk);
		o += nb + nk + 2;
		o[-1] = '/';
		o += index_digits(i);
		*o = 0;
		index_write(o, i);
		m->chars = o + 1;
	}
}

/* m's piece for rule s, with names bytes for its names' pointers, from
 * b's blocks (a rule's piece is mostly under 200 bytes: one pointer
 * increment instead of a cf_arena_raw call each); false on OOM. */
static bool rule_mem(struct cf_arena_blocks *b, const struct cf_p_syscall *s,
		     size_t names, struct rule_mem *m)
{
	size_t at_pos = align_up(sizeof(*m->src), _Alignof(struct cf_pos));
	size_t at_conds = align_up(at_pos + s->nargs * sizeof(struct cf_pos),
				   _Alignof(struct cf_cond));
	size_t at_chars = at_conds + s->nargs * sizeof(struct cf_cond);
	size_t nb = pointer_size(&s->pos);
	size_t chars = names + nb + args_chars(s, nb ? nb - 1 : 0);
	char *base;

	base =
	    cf_arena_piece(b, at_chars + chars, _Alignof(union rule_mem_align));
	if (!base)
		return false;
	m->nb = nb;
	m->src = (struct cf_rule_src *)(void *)base;
	m->args_pos =
	    s->nargs ? (struct cf_pos *)(void *)(base + at_pos) : NULL;
	m->conds =
	    s->nargs ? (struct cf_cond *)(void *)(base + at_conds) : NULL;
	m->chars = base + at_chars;
	return true;
}

/* A copy of pos whose pointer (nb bytes with its NUL, 0: none) goes to
 * *chars (room enough). */
static void copy_pos(char **chars, struct cf_pos *to, const struct cf_pos *pos,
		     size_t nb)
{
	*to = *pos;
	if (nb) {
		to->pointer = *chars;
		copy_short(*chars, pos->pointer, nb);
		*chars += nb;
	}
}

/* What the later stages keep of profile rule index (s) into m: its
 * conditions (as written) and the positions, copied. */
static const struct cf_rule_src *
rule_src(struct rule_mem *m, const struct cf_p_syscall *s, size_t index)
{
	struct cf_rule_src *src = m->src;
	char *base = m->chars;
	size_t nb = m->nb;

	copy_pos(&m->chars, &src->pos, &s->pos, nb);
	args_pointers(m, s, base, nb ? nb - 1 : 0);
	for (size_t i = 0; i < s->nargs; i++)
		m->conds[i] = to_cond(&s->args[i]);
	src->index = (uint32_t)index;
	src->args = m->conds;
	src->args_pos = m->args_pos;
	src->nargs = s->nargs;
	return src;
}

/* The rule of name n of s (sys: its cf_sysinfo index, ptr: its pointer)
 * with all of src's conditions; it keeps copies of what explain needs:
 * the filter outlives the profile. -ENOMEM. */
static int name_rule(struct cf_arena *a, const struct cf_ruleset *rs,
		     const struct cf_p_syscall *s,
		     const struct cf_rule_src *src, size_t n, int sys,
		     const char *ptr, struct cf_rule *r)
{
	*r = (struct cf_rule){
	    .sys = sys,
	    .action = s->action,
	    .name = sys >= 0
			? cf_sysinfo[sys].name
			: cf_arena_strndup(a, s->names[n], strlen(s->names[n])),
	    .conds = src->args,
	    .src_name = (uint32_t)n,
	    .nconds = (uint8_t)s->nargs,
	    .same_as_default = s->action == rs->default_action,
	    .pos = {ptr, s->name_pos[n].line, s->name_pos[n].col},
	    .src = src};
	return r->name ? 0 : -ENOMEM;
}

/* The rules of name_rule's rule, written at rs's end: that rule, or
 * with split one per condition (split: a repeated index, so two or more;
 * rs has room). */
static void emit(struct cf_ruleset *rs, bool split)
{
	struct cf_rule *at = &rs->rules[rs->nrules];
	const struct cf_cond *conds = at->conds;
	size_t n = at->nconds;

	if (!split) {
		rs->nrules++;
		return;
	}
	at->split = true;
	at->nconds = 1;
	for (size_t c = 1; c < n; c++) {
		at[c] = at[0];
		at[c].conds = &conds[c];
	}
	rs->nrules += n;
}

static void warn_unknown(const struct cf_profile *p, const struct cf_target *t,
			 const struct cf_p_syscall *s, size_t n)
{
	char buf[CF_NAME_PTR_MAX];
	struct cf_loc loc = name_loc(p, s, n, buf);

	cf_warn(t->diag, t->diag_ctx, "unknown-syscall", &loc,
		"unknown syscall '%s' (not in the Linux 7.1 tables): ignored",
		s->names[n]);
}

/* The names of the last profile rule looked up, with their cf_sysinfo
 * indexes: a rule names mostly what the rule before it named, at the
 * same place (share3-1000, actions-1000, valueset-1000: 96-98 % of
 * their names), and one strcmp costs a quarter of cf_sys_index's hash
 * and strcmp. */
#define NEAR_NAMES 64
struct near_names {
	const struct cf_p_syscall *s;
	int sys[NEAR_NAMES];
};

/* cf_sys_index of name n of s, through and into k. */
static int sys_index_near(struct near_names *k, const struct cf_p_syscall *s,
			  size_t n)
{
	const char *name = s->names[n];
	int sys;

	if (n >= NEAR_NAMES)
		return cf_sys_index(name);
	if (k->s && n < k->s->nnames && k->s->names[n][0] == name[0] &&
	    !strcmp(k->s->names[n], name))
		sys = k->sys[n];
	else
		sys = cf_sys_index(name);
	k->sys[n] = sys;
	return sys;
}

static int resolve_rules(struct cf_arena *a, struct cf_ruleset *rs,
			 const struct cf_profile *p, const struct cf_target *t,
			 struct cf_error *err)
{
	size_t cap = 0;
	struct near_names near;
	struct cf_arena_blocks blk = {NULL, NULL, a};

	near.s = NULL;
	for (size_t i = 0; i < p->nsyscalls; i++) {
		const struct cf_p_syscall *s = &p->syscalls[i];

		cap += s->nnames * (s->nargs ? s->nargs : 1);
	}
	rs->rules = cf_arena_raw(a, (cap ? cap : 1) * sizeof(*rs->rules),
				 _Alignof(struct cf_rule));
	if (!rs->rules)
		return cf_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nsyscalls; i++) {
		const struct cf_p_syscall *s = &p->syscalls[i];
		bool split = repeats_index(s);
		const struct cf_rule_src *src;
		const char *base = s->names_ptr ? s->names_ptr : "";
		size_t blen;
		char *ptrs;
		struct rule_mem m;

		if (!s->nnames || !rule_applies(s, t))
			continue;
		/* the names' pointers, in one block */
		blen = strlen(base);
		if (!rule_mem(&blk, s,
			      s->nnames *
				  (cf_jptr_len(blen, NULL, s->nnames - 1) + 1),
			      &m))
			return cf_err(err, -ENOMEM, "out of memory");
		src = rule_src(&m, s, i);
		ptrs = m.chars;
		for (size_t n = 0; n < s->nnames; n++) {
			int sys = sys_index_near(&near, s, n);
			const char *ptr = name_ptr(&ptrs, s, base, blen, n);

			if (sys < 0) {
				char buf[CF_NAME_PTR_MAX];
				struct cf_loc loc = name_loc(p, s, n, buf);

				if (t->strict)
					return cf_err_at(
					    err, -EINVAL, &loc,
					    "unknown syscall '%s' (--strict)",
					    s->names[n]);
				warn_unknown(p, t, s, n);
			}
			if (name_rule(a, rs, s, src, n, sys, ptr,
				      &rs->rules[rs->nrules]))
				return cf_err(err, -ENOMEM, "out of memory");
			emit(rs, split);
		}
		near.s = s;
	}
	return 0;
}

/* -EINVAL with why, at pos in the profile. */
static int refuse_at(const struct cf_profile *p, const struct cf_pos *pos,
		     struct cf_error *err, const char *why)
{
	struct cf_loc loc = pos_loc(p, pos);

	return cf_err_at(err, -EINVAL, &loc, "%s", why);
}

static bool is_notify(uint32_t action)
{
	return (action & CF_RET_ACTION_FULL) == CF_RET_NOTIFY;
}

/* SCMP_ACT_NOTIFY hands calls to a seccomp agent: the filter is installed
 * with a listener, which goes to the agent at listenerPath (cf_run's
 * agent, docs/run.md). Refused where runc refuses, in its order: a NOTIFY
 * rule on write, NOTIFY as the default, a NOTIFY rule without
 * listenerPath; then WAIT_KILLABLE_RECV, which seccomp() takes only with
 * a listener. The rules are those that apply to the target: Docker drops
 * the others before runc sees the profile. With NOTIFY rules the ruleset
 * keeps the listener's path and metadata and asks for a listener. */
static int check_notify(struct cf_arena *a, struct cf_ruleset *rs,
			const struct cf_profile *p, struct cf_error *err)
{
	const struct cf_rule *first = NULL;

	for (size_t i = 0; i < rs->nrules; i++) {
		const struct cf_rule *r = &rs->rules[i];

		if (!is_notify(r->action))
			continue;
		if (!first)
			first = r;
		if (strcmp(r->name, "write"))
			continue;
		return refuse_at(p, &r->pos, err,
				 "SCMP_ACT_NOTIFY on 'write' is refused, as "
				 "runc refuses it: the starting process must "
				 "write to its parent to hand the listener to "
				 "a seccomp agent, and that write would wait "
				 "for the agent forever (hint: give 'write' "
				 "another action)");
	}
	if (is_notify(rs->default_action))
		return refuse_at(
		    p, &p->default_pos, err,
		    "SCMP_ACT_NOTIFY cannot be the default action "
		    "(runc refuses it too): every call the profile "
		    "does not name, 'write' among them, would wait "
		    "for a seccomp agent (hint: default to "
		    "SCMP_ACT_ERRNO and notify only the calls an "
		    "agent handles)");
	if (first) {
		char buf[CF_NAME_PTR_MAX];
		struct cf_loc loc =
		    action_loc(p, &p->syscalls[first->src->index], buf);

		if (!p->listener_path)
			return cf_err_at(
			    err, -EINVAL, &loc,
			    "SCMP_ACT_NOTIFY without 'listenerPath' is "
			    "refused, as runc refuses it: no seccomp agent "
			    "would receive the notifications, and the "
			    "kernel would answer '%s' with ENOSYS (hint: "
			    "SCMP_ACT_ERRNO answers with a fixed errno)",
			    first->name);
		/* the filter outlives the profile: copies */
		rs->listener_path = cf_arena_strndup(a, p->listener_path,
						     strlen(p->listener_path));
		rs->listener_metadata =
		    p->listener_metadata
			? cf_arena_strndup(a, p->listener_metadata,
					   strlen(p->listener_metadata))
			: NULL;
		if (!rs->listener_path ||
		    (p->listener_metadata && !rs->listener_metadata))
			return cf_err(err, -ENOMEM, "out of memory");
		rs->flags |= CF_FLAG_NEW_LISTENER;
		return 0;
	}
	if (rs->flags & CF_FLAG_WAIT_KILLABLE_RECV)
		return refuse_at(p, &p->wait_killable_pos, err,
				 "flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV "
				 "needs a seccomp listener, and no rule uses "
				 "SCMP_ACT_NOTIFY: seccomp() refuses the flag "
				 "without one (EINVAL), so runc (>= 1.2) "
				 "cannot start the container either (hint: "
				 "remove the flag)");
	return 0;
}

int cf_resolve(struct cf_arena *a, const struct cf_profile *p,
	       const struct cf_target *t, struct cf_ruleset *out,
	       struct cf_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (t->native < 0 || t->native >= cf_narches ||
	    !cf_abi_supported(t->native))
		return cf_err(err, -EINVAL, "unsupported native architecture");
	out->native = t->native;
	out->enosys = t->enosys;
	out->unconfined = p->unconfined;
	if (p->unconfined)
		return 0;
	if (!p->has_default_action) {
		struct cf_loc loc = {p->file, "", 0, 0};

		return cf_err_at(err, -EINVAL, &loc,
				 "missing 'defaultAction' (a profile with "
				 "syscalls needs one)");
	}
	out->default_action = p->default_action;
	out->flags = p->flags;
	rc = resolve_arches(out, p, t, err);
	if (!rc)
		rc = resolve_rules(a, out, p, t, err);
	if (!rc)
		rc = check_notify(a, out, p, err);
	return rc;
}
