/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_args.c - `callfence record --args`: which arguments of which
 * calls are recorded, and their distinct values.
 *
 * Recorded are the arguments whose rules matter and are safe to pin to
 * the values a workload used: clone's flags (clone3's, read from its
 * struct clone_args, go to clone: see docs/record.md), personality,
 * socket's domain and type, ioctl's request, prctl's option, fcntl's
 * command, mmap's and mprotect's protection. Values are kept as the
 * kernel reads them: a 32-bit (int) argument, or any argument on a
 * 32-bit ABI, by its low 32 bits.
 */
#include "base.h"
#include "syscalls.h"
#include "record_obs.h"
#include "run_calls.h"

#include <stdlib.h>
#include <string.h>

struct rec_argdef {
	const char *name;
	uint8_t mask, flags;
	bool clone3;
};

static const struct rec_argdef rec_argdefs[] = {
    {"clone", 1U << 0, 1U << 0, false},
    {"clone3", 1U << 0, 1U << 0, true},
    {"fcntl", 1U << 1, 0, false},
    {"fcntl64", 1U << 1, 0, false},
    {"ioctl", 1U << 1, 0, false},
    {"mmap", 1U << 2, 1U << 2, false},
    {"mmap2", 1U << 2, 1U << 2, false},
    {"mprotect", 1U << 2, 1U << 2, false},
    {"personality", 1U << 0, 0, false},
    {"pkey_mprotect", 1U << 2, 1U << 2, false},
    {"prctl", 1U << 0, 0, false},
    {"socket", 1U << 0 | 1U << 1, 0, false},
};

bool cf_rec_argspec(int abi, int idx, struct cf_rec_argspec *out)
{
	const char *name;

	memset(out, 0, sizeof(*out));
	if (abi < 0 || abi >= cf_narches || idx < 0 ||
	    (size_t)idx >= cf_nsysinfo)
		return false;
	name = cf_sysinfo[idx].name;
	/* s390's clone takes the stack first, the flags second: its rule
	 * would not fit the other ABIs' (rules are by name): not recorded */
	if (!strcmp(name, "clone") && !strncmp(cf_arches[abi].name, "s390", 4))
		return false;
	for (size_t i = 0; i < CF_ARRAY_SIZE(rec_argdefs); i++)
		if (!strcmp(rec_argdefs[i].name, name)) {
			out->mask = rec_argdefs[i].mask;
			out->flags = rec_argdefs[i].flags;
			out->clone3 = rec_argdefs[i].clone3;
			return true;
		}
	return false;
}

unsigned cf_rec_arg_bits(int abi, int idx, unsigned arg)
{
	const struct cf_sysinfo *s = &cf_sysinfo[idx];
	uint8_t b;

	if (cf_arches[abi].cmp_bits == 32 || arg >= 6)
		return 32;
	b = cf_arches[abi].ptr_bits == 64 ? s->bits_lp64[arg]
					  : s->bits_ilp32[arg];
	return b == 32 || b == 16 ? 32 : 64;
}

static int rec_name_idx(int abi, uint32_t nr)
{
	const char *name;

	if (abi < 0 || abi >= cf_narches)
		return -1;
	name = cf_syscall_name(abi, nr);
	return name ? cf_sys_index(name) : -1;
}

uint32_t cf_record_arg_mask(int abi, uint32_t nr)
{
	struct cf_rec_argspec sp;

	return cf_rec_argspec(abi, rec_name_idx(abi, nr), &sp) ? sp.mask : 0;
}

unsigned cf_record_arg_bits(int abi, uint32_t nr, unsigned arg)
{
	int idx = rec_name_idx(abi, nr);
	struct cf_rec_argspec sp;

	if (arg >= 6 || !cf_rec_argspec(abi, idx, &sp) || !(sp.mask >> arg & 1))
		return 0;
	return cf_rec_arg_bits(abi, idx, arg);
}

static int rec_vals_add(struct rec_vals *vs, uint64_t value)
{
	vs->bits |= value;
	for (uint32_t i = 0; i < vs->n; i++)
		if (vs->v[i] == value)
			return 0;
	if (vs->n >= CF_REC_KEEP_VALUES) {
		vs->overflow = true;
		return 0;
	}
	if (CF_GROW(vs->v, vs->cap, vs->n + 1, 4))
		return -ENOMEM;
	vs->v[vs->n++] = value;
	return 0;
}

int cf_record_add_arg(struct cf_record *r, int abi, uint32_t nr, unsigned arg,
		      uint64_t value)
{
	int idx = rec_name_idx(abi, nr);
	struct cf_rec_argspec sp;
	struct rec_obs *o;

	if (abi < 0 || abi >= cf_narches || arg >= 6 ||
	    !cf_rec_argspec(abi, idx, &sp) || !(sp.mask >> arg & 1))
		return -EINVAL;
	o = cf_rec_obs_get(r, (uint32_t)abi, nr);
	if (!o)
		return -ENOMEM;
	if (!o->args) {
		o->args = calloc(6, sizeof(*o->args));
		if (!o->args)
			return -ENOMEM;
	}
	if (cf_rec_arg_bits(abi, idx, arg) == 32)
		value &= 0xffffffffU;
	return rec_vals_add(&o->args[arg], value);
}

void cf_rec_vals_free(struct rec_obs *o)
{
	if (!o->args)
		return;
	for (unsigned i = 0; i < 6; i++)
		free(o->args[i].v);
	free(o->args);
	o->args = NULL;
}

/* ---- rules from values -------------------------------------------------- */

/* Flag words with up to this many distinct values get one EQ rule per
 * value (so PROT_READ|PROT_WRITE and PROT_READ|PROT_EXEC do not make
 * PROT_WRITE|PROT_EXEC); above, one MASKED_EQ allowing no bit outside
 * their union. */
#define REC_FLAGS_EQ_MAX 8
/* Rules one name may get (the product of its arguments' alternatives);
 * above, the argument with the most alternatives goes unconditioned. */
#define REC_MAX_RULES 64
#define REC_DEFAULT_MAX_VALUES 16

/* The values of argument arg of every observation of idx (clone3's too,
 * for clone when folded) into one set; false when some observation has
 * none (then the argument cannot be conditioned). */
static bool rec_gather(const struct cf_record *r, int idx, unsigned arg,
		       bool with_clone3, struct rec_vals *out)
{
	int clone3 = with_clone3 ? cf_sys_index("clone3") : -1;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < r->cap; i++) {
		const struct rec_obs *ob = &r->slots[i];
		int oi;

		if (!ob->used)
			continue;
		oi = rec_name_idx((int)ob->abi, ob->nr);
		if (oi != idx && (oi != clone3 || clone3 < 0))
			continue;
		if (!ob->args ||
		    (!ob->args[arg].n && !ob->args[arg].overflow)) {
			free(out->v);
			return false;
		}
		out->bits |= ob->args[arg].bits;
		out->overflow |= ob->args[arg].overflow;
		for (uint32_t k = 0; k < ob->args[arg].n; k++)
			if (rec_vals_add(out, ob->args[arg].v[k]) < 0) {
				out->overflow = true;
				break;
			}
	}
	return true;
}

bool cf_rec_clone3_folded(const struct cf_record *r)
{
	struct rec_vals v;
	int idx = cf_sys_index("clone3");
	bool ok;

	if (idx < 0 || !rec_gather(r, idx, 0, false, &v))
		return false;
	/* clone takes the low 32 bits only (CLONE_CLEAR_SIGHAND and
	 * CLONE_INTO_CGROUP are clone3's) */
	ok = (v.n || v.overflow) && !(v.bits >> 32);
	free(v.v);
	return ok;
}

/* Is argument arg of idx 32-bit on any ABI of the profile? Then it is
 * compared on its low half, as the kernel reads it. */
static bool rec_arg_is_int(int idx, unsigned arg, const int *abis, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cf_arches[abis[i]].cmp_bits == 64 &&
		    cf_rec_arg_bits(abis[i], idx, arg) == 32)
			return true;
	return false;
}

/* One argument's alternatives from its values, or none (reported). */
static int rec_alts(const struct cf_record_opts *o, int idx, unsigned arg,
		    bool flags, bool is_int, struct rec_vals *v,
		    struct rec_argplan *p)
{
	unsigned max =
	    o && o->max_arg_values ? o->max_arg_values : REC_DEFAULT_MAX_VALUES;
	uint64_t all = is_int ? 0xffffffffU : ~0ULL;
	bool masked = flags && (v->overflow || v->n > REC_FLAGS_EQ_MAX);

	if (max > CF_REC_KEEP_VALUES)
		max = CF_REC_KEEP_VALUES;
	if (!v->n && !v->overflow)
		return 0; /* nothing seen: no condition */
	if (!masked && (v->overflow || v->n > max)) {
		cf_rec_report(o, "record-args-many",
			      "%s: argument %u took more than %u distinct "
			      "values: allowed whatever it is",
			      cf_sysinfo[idx].name, arg, max);
		return 0;
	}
	p->alts[arg] = calloc(masked ? 1 : v->n, sizeof(struct rec_alt));
	if (!p->alts[arg])
		return -ENOMEM;
	if (masked) {
		p->alts[arg][0] = (struct rec_alt){all & ~v->bits, 0};
		p->nalts[arg] = 1;
		return 0;
	}
	cf_sort_u64(v->v, v->n);
	for (uint32_t k = 0; k < v->n; k++)
		p->alts[arg][k] = (struct rec_alt){all, v->v[k] & all};
	p->nalts[arg] = v->n;
	return 0;
}

/* Too many rules: the argument with the most alternatives goes. */
static void rec_cap_rules(const struct cf_record_opts *o, int idx,
			  struct rec_argplan *p)
{
	for (;;) {
		unsigned worst = 6;

		p->nrules = 1;
		for (unsigned a = 0; a < 6; a++)
			if (p->alts[a]) {
				p->nrules *= p->nalts[a];
				if (worst == 6 || p->nalts[a] > p->nalts[worst])
					worst = a;
			}
		if (worst == 6) {
			p->nrules = 0;
			return;
		}
		if (p->nrules <= REC_MAX_RULES)
			return;
		cf_rec_report(
		    o, "record-args-many",
		    "%s: %zu combinations of argument values, more "
		    "than %d rules: argument %u allowed whatever it is",
		    cf_sysinfo[idx].name, p->nrules, REC_MAX_RULES, worst);
		free(p->alts[worst]);
		p->alts[worst] = NULL;
		p->nalts[worst] = 0;
	}
}

int cf_rec_arg_plan(const struct cf_record *r, const struct cf_record_opts *o,
		    int idx, const int *abis, size_t nabis,
		    struct rec_argplan *p)
{
	struct cf_rec_argspec sp;
	bool fold =
	    !strcmp(cf_sysinfo[idx].name, "clone") && cf_rec_clone3_folded(r);

	memset(p, 0, sizeof(*p));
	if (!cf_rec_argspec(abis[0], idx, &sp) || sp.clone3)
		return 0;
	for (unsigned a = 0; a < 6; a++) {
		struct rec_vals v;
		int rc;

		if (!(sp.mask >> a & 1) || !rec_gather(r, idx, a, fold, &v))
			continue;
		rc = rec_alts(o, idx, a, sp.flags >> a & 1,
			      rec_arg_is_int(idx, a, abis, nabis), &v, p);
		free(v.v);
		if (rc < 0) {
			cf_rec_arg_plan_free(p);
			return rc;
		}
	}
	rec_cap_rules(o, idx, p);
	return 0;
}

void cf_rec_arg_plan_free(struct rec_argplan *p)
{
	for (unsigned a = 0; a < 6; a++)
		free(p->alts[a]);
	memset(p, 0, sizeof(*p));
}

static void rec_write_alt(FILE *f, unsigned arg, const struct rec_alt *a,
			  bool comma)
{
	if (a->mask == ~0ULL)
		fprintf(f,
			"%s\n\t\t\t\t{ \"index\": %u, \"value\": %llu, "
			"\"op\": \"SCMP_CMP_EQ\" }",
			comma ? "," : "", arg, (unsigned long long)a->datum);
	else
		fprintf(f,
			"%s\n\t\t\t\t{ \"index\": %u, \"value\": %llu, "
			"\"valueTwo\": %llu, \"op\": \"SCMP_CMP_MASKED_EQ\" }",
			comma ? "," : "", arg, (unsigned long long)a->mask,
			(unsigned long long)a->datum);
}

/* Every combination of the arguments' alternatives, one rule each. */
void cf_rec_arg_write(FILE *f, const char *name, const struct rec_argplan *p)
{
	for (size_t k = 0; k < p->nrules; k++) {
		size_t rest = k;
		bool comma = false;

		fprintf(f,
			",\n\t\t{\n\t\t\t\"names\": [\"%s\"],\n"
			"\t\t\t\"action\": \"SCMP_ACT_ALLOW\",\n"
			"\t\t\t\"args\": [",
			name);
		for (unsigned a = 0; a < 6; a++) {
			if (!p->alts[a])
				continue;
			rec_write_alt(f, a, &p->alts[a][rest % p->nalts[a]],
				      comma);
			rest /= p->nalts[a];
			comma = true;
		}
		fprintf(f, "\n\t\t\t]\n\t\t}");
	}
}

/* ---- callfence run's own calls ------------------------------------------ */

struct rec_run_add {
	struct cf_record *r;
	int host, rc;
};

static void rec_run_call(void *ctx, uint32_t nr, const uint64_t a[6])
{
	struct rec_run_add *ra = ctx;
	uint32_t mask = cf_record_arg_mask(ra->host, nr);

	if (ra->rc == 0)
		ra->rc = cf_record_add(ra->r, ra->host, nr, 0);
	for (unsigned k = 0; k < 6 && ra->rc == 0; k++)
		if (mask >> k & 1)
			ra->rc =
			    cf_record_add_arg(ra->r, ra->host, nr, k, a[k]);
}

int cf_record_add_run_calls(struct cf_record *r, const struct cf_run_opts *o)
{
	struct rec_run_add ra = {r, cf_abi_host(), 0};

	if (cf_reserved_zero(o->reserved, CF_RESERVED_IN, "cf_run_opts", NULL))
		return -EINVAL;
	if (ra.host < 0)
		return -ENOTSUP;
	cf_run_own_calls_each(o, rec_run_call, &ra);
	return ra.rc;
}
