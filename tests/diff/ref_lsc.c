/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ref_lsc.c - the reference compiler: callfence's resolved ruleset (so that
 * Docker's resolution is not what is compared) handed to libseccomp the way
 * runc's patchbpf/seccomp code does it:
 *   seccomp_init(default); the native ABI (or, cross-compiling, the
 *   target's, with the host's removed) and the profile's ABIs with
 *   seccomp_arch_add; per rule, the name resolved with
 *   seccomp_syscall_resolve_name (unknown: skipped), rules whose action is
 *   the default skipped, seccomp_rule_add_array (not _exact, so libseccomp
 *   adds the socketcall/ipc forms); an index repeated within a rule has
 *   already split it (cf_resolve does it as runc does);
 *   seccomp_export_bpf to a memfd, in the default linear layout and as a
 *   binary tree (SCMP_FLTATR_CTL_OPTIMIZE = 2).
 * runc's ENOSYS stub is runc_stub() below, with thresholds computed from
 * callfence's syscall table (SPEC §2), so libseccomp's older table shifts
 * nothing but the numbers it lacks, which are listed per ABI and skipped.
 */
#include "diff.h"
#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define AUDIT_X86_64 0xc000003eU
#define X32_BIT 0x40000000U

static enum scmp_compare lsc_op(uint8_t op)
{
	switch (op) {
	case CF_OP_NE:
		return SCMP_CMP_NE;
	case CF_OP_LT:
		return SCMP_CMP_LT;
	case CF_OP_LE:
		return SCMP_CMP_LE;
	case CF_OP_EQ:
		return SCMP_CMP_EQ;
	case CF_OP_GE:
		return SCMP_CMP_GE;
	case CF_OP_GT:
		return SCMP_CMP_GT;
	default:
		return SCMP_CMP_MASKED_EQ;
	}
}

static uint32_t token_of(int arch)
{
	return seccomp_arch_resolve_name(cf_arches[arch].name);
}

static void skip_nr(struct lsc_ref *l, size_t a, int64_t nr)
{
	if (nr < 0)
		return;
	for (size_t i = 0; i < l->abis[a].nskip; i++)
		if (l->abis[a].skip[i] == (uint32_t)nr)
			return;
	if (l->abis[a].nskip < CF_ARRAY_SIZE(l->abis[a].skip))
		l->abis[a].skip[l->abis[a].nskip++] = (uint32_t)nr;
}

static void note_unknown(struct lsc_ref *l, const char *name)
{
	for (size_t i = 0; i < l->nunknown; i++)
		if (!strcmp(l->unknown[i], name))
			return;
	if (l->nunknown < CF_ARRAY_SIZE(l->unknown))
		l->unknown[l->nunknown++] = name;
}

/* Numbers where libseccomp's table and callfence's disagree on an ABI: a
 * name 2.5.4 does not know at all (also its socketcall/ipc form), does
 * not have on that ABI, or numbers differently. */
static void find_skips(struct lsc_ref *l, const struct cf_ruleset *rs)
{
	l->nabis = rs->narches;
	for (size_t a = 0; a < rs->narches; a++) {
		int arch = rs->arches[a];
		const struct cf_arch *ar = &cf_arches[arch];
		uint32_t tok = token_of(arch);

		l->abis[a].arch = arch;
		if (!tok)
			continue; /* libseccomp refuses the filter anyway */
		for (size_t i = 0; i < rs->nrules; i++) {
			const struct cf_rule *r = &rs->rules[i];
			int64_t cnr;
			int lnr;
			bool muxed;

			if (r->sys < 0)
				continue;
			muxed = ar->mux &&
				cf_sysinfo[r->sys].mux_kind != CF_MUX_NONE;
			cnr = cf_sys_nr(arch, r->sys);
			lnr = tok ? seccomp_syscall_resolve_name_arch(tok,
								      r->name)
				  : __NR_SCMP_ERROR;
			if (lnr == __NR_SCMP_ERROR) {
				skip_nr(l, a, cnr);
				if (muxed)
					skip_nr(l, a,
						cf_sysinfo[r->sys].mux_kind ==
							CF_MUX_SOCKETCALL
						    ? ar->socketcall_nr
						    : ar->ipc_nr);
				if (cnr >= 0 || muxed)
					note_unknown(l, r->name);
			} else if (lnr >= 0 && lnr != cnr) {
				skip_nr(l, a, cnr);
				skip_nr(l, a, lnr);
				note_unknown(l, r->name);
			} else if (lnr < 0 && cnr >= 0 && !muxed) {
				/* a pseudo number: absent there in 2.5.4's
				 * table (socket/ipc names on multiplexing
				 * ABIs resolve to pseudo numbers, and
				 * seccomp_rule_add adds their direct form) */
				skip_nr(l, a, cnr);
				note_unknown(l, r->name);
			}
		}
	}
}

bool lsc_ref_skipped(const struct lsc_ref *l, uint32_t audit, uint32_t nr)
{
	for (size_t a = 0; a < l->nabis; a++) {
		const struct cf_arch *ar = &cf_arches[l->abis[a].arch];

		if (ar->audit_arch != audit)
			continue;
		for (size_t i = 0; i < l->abis[a].nskip; i++)
			if (l->abis[a].skip[i] == nr)
				return true;
	}
	return false;
}

static int export(scmp_filter_ctx ctx, struct sock_filter **prog, size_t *n)
{
	int fd = memfd_create("cf-diff-lsc", MFD_CLOEXEC);
	off_t size;
	int rc;

	if (fd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	size = lseek(fd, 0, SEEK_END);
	*prog = size > 0 ? malloc((size_t)size) : NULL;
	if (!*prog || pread(fd, *prog, (size_t)size, 0) != (ssize_t)size) {
		free(*prog);
		*prog = NULL;
		close(fd);
		return -EIO;
	}
	*n = (size_t)size / sizeof(**prog);
	close(fd);
	return 0;
}

static int add_arches(scmp_filter_ctx ctx, const struct cf_ruleset *rs,
		      char *why, size_t whysz)
{
	uint32_t host = seccomp_arch_native();
	bool want_host = false;

	for (size_t a = 0; a < rs->narches; a++)
		want_host |= token_of(rs->arches[a]) == host;
	/* cross-compiling: the host's ABI goes first (libseccomp then
	 * forgets its byte order), unless the profile has it */
	if (!want_host) {
		int rc = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);

		if (rc < 0) {
			snprintf(why, whysz, "seccomp_arch_remove(native): %s",
				 strerror(-rc));
			return -1;
		}
	}
	for (size_t a = 0; a < rs->narches; a++) {
		uint32_t tok = token_of(rs->arches[a]);
		int rc;

		if (!tok) {
			snprintf(why, whysz,
				 "libseccomp 2.5.4 does not know "
				 "the ABI %s",
				 cf_arches[rs->arches[a]].name);
			return -1;
		}
		if (tok == host)
			continue;
		rc = seccomp_arch_add(ctx, tok);
		if (rc < 0 && rc != -EEXIST) {
			snprintf(why, whysz, "seccomp_arch_add(%s): %s",
				 cf_arches[rs->arches[a]].name, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const struct cf_ruleset *rs,
		     char *why, size_t whysz)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct cf_rule *r = &rs->rules[i];
		struct scmp_arg_cmp c[6];
		int nr, rc;

		/* runc: the default action is skipped, unknown names are
		 * ignored */
		if (r->action == rs->default_action || r->sys < 0)
			continue;
		nr = seccomp_syscall_resolve_name(r->name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		for (unsigned j = 0; j < r->nconds; j++)
			c[j] = (struct scmp_arg_cmp){
			    .arg = r->conds[j].arg,
			    .op = lsc_op(r->conds[j].op),
			    .datum_a = r->conds[j].datum,
			    .datum_b = r->conds[j].datum2,
			};
		rc = seccomp_rule_add_array(ctx, r->action, nr, r->nconds, c);
		if (rc < 0) {
			snprintf(why, whysz,
				 "seccomp_rule_add(%s, rule %zu): %s", r->name,
				 i, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static void build_layout(struct lsc_ref *l, const struct cf_ruleset *rs,
			 int layout)
{
	char *why = l->why[layout];
	size_t whysz = sizeof(l->why[layout]);
	scmp_filter_ctx ctx = seccomp_init(rs->default_action);
	int rc;

	if (!ctx) {
		snprintf(why, whysz, "seccomp_init refused the default action");
		return;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, layout ? 2 : 1);
	if (rc < 0) {
		snprintf(why, whysz, "SCMP_FLTATR_CTL_OPTIMIZE: %s",
			 strerror(-rc));
		goto out;
	}
	if (add_arches(ctx, rs, why, whysz) || add_rules(ctx, rs, why, whysz))
		goto out;
	rc = export(ctx, &l->prog[layout], &l->len[layout]);
	if (rc < 0)
		snprintf(why, whysz, "seccomp_export_bpf: %s", strerror(-rc));
	/* libseccomp writes the instructions in the target's byte order */
	if (!rc && cf_arches[rs->native].big_endian !=
		       (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__))
		for (size_t i = 0; i < l->len[layout]; i++) {
			struct sock_filter *in = &l->prog[layout][i];

			in->code = __builtin_bswap16(in->code);
			in->k = __builtin_bswap32(in->k);
		}
out:
	seccomp_release(ctx);
}

int lsc_ref_build(struct lsc_ref *l, const struct cf_ruleset *rs)
{
	memset(l, 0, sizeof(*l));
	find_skips(l, rs);
	for (int layout = 0; layout < 2; layout++)
		build_layout(l, rs, layout);
	return l->prog[0] || l->prog[1] ? 0 : -1;
}

void lsc_ref_free(struct lsc_ref *l)
{
	free(l->prog[0]);
	free(l->prog[1]);
	memset(l, 0, sizeof(*l));
}

/* runc's stub picks the ABI by audit arch and, on x86_64's, by the x32
 * bit (not by nr >= the bit as libseccomp does). */
bool runc_stub(const struct oracle *o, const struct seccomp_data *d,
	       uint32_t *ret)
{
	uint32_t nr = (uint32_t)d->nr;
	bool x32 = d->arch == AUDIT_X86_64 && (nr & X32_BIT);

	for (size_t i = 0; i < o->nabis; i++) {
		const struct oracle_abi *a = &o->abis[i];
		const struct cf_arch *ar = &cf_arches[a->arch];

		if (ar->audit_arch != d->arch)
			continue;
		if (d->arch == AUDIT_X86_64 &&
		    (ar->nr_offset == X32_BIT) != x32)
			continue;
		if (a->enosys &&
		    (nr > a->above || (nr == 0 && is_s390(a->arch)))) {
			*ret = CF_RET_ERRNO(ENOSYS);
			return true;
		}
		return false;
	}
	return false;
}
