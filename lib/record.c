/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.c - the backend-neutral part of `callfence record`: a set of
 * observed calls (ABI, number) -> a Docker-format profile (JSON text).
 *
 *   observations: open-addressing hash of (abi, nr) -> count
 *   writing:      names per ABI, each name judged against the base on
 *                 every ABI of the profile, then the JSON text
 *
 * The profile denies by default (SCMP_ACT_ERRNO, EPERM) and allows every
 * observed call by name. Docker's format has no per-ABI rule (includes.
 * arches selects the native ABI, not the call's), so a name observed on
 * one ABI is allowed on every ABI of the profile that has it.
 *
 * With a base filter nothing is allowed that the base does not allow: a
 * name is judged on every ABI of the profile where it exists (the IR of
 * the base, as cf_ir_eval reads it):
 *   - allowed whatever the arguments (every chain and the fallback allow)
 *     -> allowed;
 *   - allowed by some chains, every earlier chain allowing too, fallback
 *     denying, the same chains on every ABI -> those chains are copied as
 *     argument rules;
 *   - denied whatever the arguments, by one action on every ABI -> stays
 *     denied, with the base's action when it is not the default (clone3's
 *     ENOSYS, which glibc answers by falling back to clone);
 *   - anything else (allowed on one ABI only, an exception carved out of
 *     an allow) -> denied and reported (record-base-partial): fail closed.
 */
#include "base.h"
#include "action.h"
#include "syscalls.h"
#include "ruleset.h"
#include "ir.h"
#include "filter.h"
#include "record_obs.h"

#include <stdlib.h>
#include <string.h>

int cf_record_new(struct cf_record **out, struct cf_error *err)
{
	struct cf_record *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r)
		r->slots = calloc(256, sizeof(*r->slots));
	if (!r || !r->slots) {
		free(r);
		return cf_err(err, -ENOMEM, "out of memory");
	}
	r->cap = 256;
	*out = r;
	return 0;
}

void cf_record_free(struct cf_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->cap; i++)
		cf_rec_vals_free(&r->slots[i]);
	free(r->slots);
	free(r);
}

static size_t rec_hash(uint32_t abi, uint32_t nr, size_t cap)
{
	uint64_t h = ((uint64_t)abi << 32 | nr) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (cap - 1);
}

static struct rec_obs *rec_slot(struct rec_obs *slots, size_t cap, uint32_t abi,
				uint32_t nr)
{
	size_t i = rec_hash(abi, nr, cap);

	while (slots[i].used && (slots[i].abi != abi || slots[i].nr != nr))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int rec_grow(struct cf_record *r)
{
	size_t cap = r->cap * 2;
	struct rec_obs *s = calloc(cap, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < r->cap; i++)
		if (r->slots[i].used)
			*rec_slot(s, cap, r->slots[i].abi, r->slots[i].nr) =
			    r->slots[i];
	free(r->slots);
	r->slots = s;
	r->cap = cap;
	return 0;
}

struct rec_obs *cf_rec_obs_get(struct cf_record *r, uint32_t abi, uint32_t nr)
{
	struct rec_obs *o = rec_slot(r->slots, r->cap, abi, nr);

	if (!o->used) {
		if (2 * (r->n + 1) > r->cap) {
			if (rec_grow(r) < 0)
				return NULL;
			o = rec_slot(r->slots, r->cap, abi, nr);
		}
		*o = (struct rec_obs){1, abi, nr, 0, NULL};
		r->n++;
	}
	return o;
}

int cf_record_add(struct cf_record *r, int abi, uint32_t nr, uint64_t count)
{
	struct rec_obs *o;

	if (abi < 0 || abi >= cf_narches)
		return -EINVAL;
	o = cf_rec_obs_get(r, (uint32_t)abi, nr);
	if (!o)
		return -ENOMEM;
	o->count += count;
	return 0;
}

const char *cf_record_next(const struct cf_record *r, size_t *pos, int *abi,
			   uint32_t *nr, uint64_t *count)
{
	for (; *pos < r->cap; (*pos)++) {
		const struct rec_obs *o = &r->slots[*pos];
		const char *name;

		if (!o->used)
			continue;
		(*pos)++;
		*abi = (int)o->abi;
		*nr = o->nr;
		if (count)
			*count = o->count;
		name = cf_syscall_name((int)o->abi, o->nr);
		return name ? name : "";
	}
	return NULL;
}

/* ---- judging a name against the base ----------------------------------- */

enum rec_verdict {
	REC_ALLOW,   /* whatever the arguments */
	REC_CHAINS,  /* the allowing chains of chains_sys */
	REC_DENY,    /* whatever the arguments, with deny_action */
	REC_PARTIAL, /* cannot be written without allowing more: denied */
};

struct rec_judgement {
	enum rec_verdict v;
	const struct cf_ir_sys *chains_sys;
	uint32_t deny_action;
	int why_abi; /* the ABI that made it partial */
};

static bool rec_allows(uint32_t action)
{
	uint32_t a = action & CF_RET_ACTION_FULL;

	return a == CF_RET_ALLOW || a == CF_RET_LOG;
}

static bool rec_same_chains(const struct cf_ir_sys *a,
			    const struct cf_ir_sys *b)
{
	if (a->nchains != b->nchains || a->fallback != b->fallback)
		return false;
	for (size_t i = 0; i < a->nchains; i++) {
		const struct cf_ir_chain *x = &a->chains[i], *y = &b->chains[i];

		if (x->nconds != y->nconds || x->action != y->action)
			return false;
		for (unsigned j = 0; j < x->nconds; j++)
			if (!cf_cond_same_test(&x->conds[j], &y->conds[j]))
				return false;
	}
	return true;
}

/* One ABI's verdict on a syscall with its own decision in the base. */
static enum rec_verdict rec_sys_verdict(const struct cf_ir_sys *s)
{
	bool any_allow = false, all_allow = rec_allows(s->fallback);
	bool deny_seen = false;

	for (size_t i = 0; i < s->nchains; i++) {
		const struct cf_ir_chain *c = &s->chains[i];
		uint32_t used = 0;

		if (!rec_allows(c->action)) {
			all_allow = false;
			deny_seen = true;
			continue;
		}
		if (deny_seen)
			return REC_PARTIAL; /* an allow after an exception */
		for (unsigned j = 0; j < c->nconds; j++) {
			if (used >> c->conds[j].arg & 1)
				return REC_PARTIAL; /* needs an OR */
			used |= 1U << c->conds[j].arg;
		}
		any_allow = true;
	}
	if (all_allow)
		return REC_ALLOW;
	if (rec_allows(s->fallback))
		return REC_PARTIAL; /* allow but for some arguments */
	if (!any_allow) {
		/* every path denies: one action? */
		for (size_t i = 0; i < s->nchains; i++)
			if (s->chains[i].action != s->fallback)
				return REC_PARTIAL;
		return REC_DENY;
	}
	return REC_CHAINS;
}

/* The base's verdict on the name idx over the ABIs abis[0..n). */
static void rec_judge(const struct cf_filter *base, int idx, const int *abis,
		      size_t n, struct rec_judgement *j)
{
	bool first = true;

	memset(j, 0, sizeof(*j));
	j->why_abi = -1;
	for (size_t i = 0; i < n; i++) {
		int64_t nr = cf_sys_nr(abis[i], idx);
		struct seccomp_data d;
		const struct cf_ir_sys *s;
		struct rec_judgement one = {0};
		uint32_t act;

		if (nr < 0)
			continue;
		memset(&d, 0, sizeof(d));
		d.nr = (int)nr;
		d.arch = cf_arches[abis[i]].audit_arch;
		act = cf_ir_eval(&base->ir, &d, &s, NULL);
		if (!s) {
			one.v = rec_allows(act) ? REC_ALLOW : REC_DENY;
			one.deny_action = act;
		} else {
			one.v = rec_sys_verdict(s);
			one.chains_sys = s;
			one.deny_action = s->fallback;
		}
		if (first) {
			*j = one;
			j->why_abi = abis[i];
			first = false;
			continue;
		}
		if (one.v != j->v ||
		    (one.v == REC_DENY && one.deny_action != j->deny_action) ||
		    (one.v == REC_CHAINS &&
		     !rec_same_chains(one.chains_sys, j->chains_sys))) {
			j->v = REC_PARTIAL;
			j->why_abi = abis[i];
			return;
		}
	}
	if (j->v != REC_PARTIAL)
		j->why_abi = -1;
}

/* ---- writing ------------------------------------------------------------ */

struct rec_name {
	int idx;       /* cf_sysinfo index */
	uint32_t abis; /* bit per ABI index it was observed on */
	uint64_t count;
};

static int rec_name_cmp(const void *a, const void *b)
{
	return strcmp(cf_sysinfo[((const struct rec_name *)a)->idx].name,
		      cf_sysinfo[((const struct rec_name *)b)->idx].name);
}

void cf_rec_report(const struct cf_record_opts *o, const char *id,
		   const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	struct cf_diag d = {0};

	if (!o || !o->diag)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d.id = id;
	d.msg = msg;
	d.cls = cf_diag_class(id);
	o->diag(o->diag_ctx, &d);
}

static void rec_abi_list(const struct cf_record *r,
			 const struct cf_record_opts *o, int *abis, size_t *n)
{
	int host = cf_abi_host();
	uint64_t seen = 0;

	*n = 0;
	if (host >= 0) {
		abis[(*n)++] = host;
		seen |= 1ULL << host;
	}
	for (size_t i = 0; i < r->cap; i++) {
		const struct rec_obs *ob = &r->slots[i];

		if (ob->used && ob->abi < 64 && !(seen >> ob->abi & 1)) {
			seen |= 1ULL << ob->abi;
			abis[(*n)++] = (int)ob->abi;
		}
	}
	/* with a base: only the ABIs it has (the others stay killed as
	 * foreign, as under the base) */
	if (o && o->base) {
		size_t k = 0;

		for (size_t i = 0; i < *n; i++) {
			bool in = false;

			for (size_t b = 0; b < o->base->ir.nabis; b++)
				in = in || o->base->ir.abis[b].arch == abis[i];
			if (in || abis[i] == host)
				abis[k++] = abis[i];
			else
				cf_rec_report(
				    o, "record-base-denies",
				    "the workload made calls on %s, "
				    "an ABI the base profile does not "
				    "have: they stay denied",
				    cf_arches[abis[i]].name);
		}
		*n = k;
	}
	/* native first, then in table order */
	for (size_t i = 1; i < *n; i++)
		for (size_t k = i; k > 1 && abis[k] < abis[k - 1]; k--) {
			int t = abis[k];

			abis[k] = abis[k - 1];
			abis[k - 1] = t;
		}
}

/* clone3 folded into clone (record_args.c): clone is allowed with
 * clone3's flags even where the workload never called it (v has room). */
static void rec_add_clone(const struct cf_record *r, struct rec_name *v,
			  size_t *n)
{
	int clone = cf_sys_index("clone"), clone3 = cf_sys_index("clone3");
	size_t k, k3;

	if (clone < 0 || clone3 < 0 || !cf_rec_clone3_folded(r))
		return;
	for (k = 0; k < *n && v[k].idx != clone; k++)
		;
	for (k3 = 0; k3 < *n && v[k3].idx != clone3; k3++)
		;
	if (k == *n && k3 < *n)
		v[(*n)++] = (struct rec_name){clone, v[k3].abis, 0};
}

/* Every observed name (unknown numbers reported), merged over ABIs. */
static struct rec_name *rec_names(const struct cf_record *r,
				  const struct cf_record_opts *o, size_t *n)
{
	struct rec_name *v = calloc(r->n + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < r->cap; i++) {
		const struct rec_obs *ob = &r->slots[i];
		const char *name;
		int idx;
		size_t k;

		if (!ob->used)
			continue;
		name = cf_syscall_name((int)ob->abi, ob->nr);
		idx = name ? cf_sys_index(name) : -1;
		if (idx < 0) {
			cf_rec_report(o, "record-unknown-nr",
				      "the workload called number %u on %s, "
				      "which has no name there: not allowed",
				      ob->nr, cf_arches[ob->abi].name);
			continue;
		}
		for (k = 0; k < *n && v[k].idx != idx; k++)
			;
		if (k == *n)
			v[(*n)++] = (struct rec_name){idx, 0, 0};
		v[k].abis |= ob->abi < 32 ? 1U << ob->abi : 0;
		v[k].count += ob->count;
	}
	rec_add_clone(r, v, n);
	qsort(v, *n, sizeof(*v), rec_name_cmp);
	return v;
}

static void rec_abis_str(uint32_t mask, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (int i = 0; i < 32 && i < cf_narches; i++)
		if (mask >> i & 1)
			len += (size_t)snprintf(
			    buf + len, len < size ? size - len : 0, "%s%s",
			    len ? ", " : "", cf_arches[i].name);
}

static void rec_write_cond(FILE *f, const struct cf_cond *c, bool comma)
{
	fprintf(f,
		"%s\n\t\t\t\t{ \"index\": %u, \"value\": %llu, "
		"\"valueTwo\": %llu, \"op\": \"%s\" }",
		comma ? "," : "", c->arg, (unsigned long long)c->datum,
		(unsigned long long)c->datum2, cf_op_name((enum cf_op)c->op));
}

static void rec_write_chains(FILE *f, const char *name,
			     const struct cf_ir_sys *s)
{
	for (size_t i = 0; i < s->nchains; i++) {
		const struct cf_ir_chain *c = &s->chains[i];

		if (!rec_allows(c->action))
			continue;
		fprintf(f,
			",\n\t\t{\n\t\t\t\"names\": [\"%s\"],\n"
			"\t\t\t\"action\": \"SCMP_ACT_ALLOW\",\n"
			"\t\t\t\"args\": [",
			name);
		for (unsigned k = 0; k < c->nconds; k++)
			rec_write_cond(f, &c->conds[k], k > 0);
		fprintf(f, "%s]\n\t\t}", c->nconds ? "\n\t\t\t" : "");
	}
}

/* The base's denial, where it is not the default's EPERM: an errno (as
 * clone3's ENOSYS), a trap or a kill. Anything else stays EPERM. */
static void rec_write_deny(FILE *f, const char *name, uint32_t action)
{
	enum cf_action_kind kind = cf_action_kind_of(action);

	if (kind == CF_ACT_ERRNO) {
		fprintf(f,
			",\n\t\t{\n\t\t\t\"names\": [\"%s\"],\n"
			"\t\t\t\"action\": \"SCMP_ACT_ERRNO\",\n"
			"\t\t\t\"errnoRet\": %u\n\t\t}",
			name, action & CF_RET_DATA);
		return;
	}
	if (kind == CF_ACT_KILL_PROCESS || kind == CF_ACT_KILL_THREAD ||
	    kind == CF_ACT_TRAP)
		fprintf(f,
			",\n\t\t{\n\t\t\t\"names\": [\"%s\"],\n"
			"\t\t\t\"action\": \"%s\"\n\t\t}",
			name, cf_action_json_name(kind));
}

/* What is written for each name: the base's verdict, the argument rules. */
struct rec_plan {
	struct rec_name *names;
	struct rec_judgement *jd;
	struct rec_argplan *args;
	size_t n, nallow;
};

static void rec_plan_free(struct rec_plan *pl)
{
	for (size_t i = 0; pl->args && i < pl->n; i++)
		cf_rec_arg_plan_free(&pl->args[i]);
	free(pl->args);
	free(pl->names);
	free(pl->jd);
}

static void rec_report_args(const struct cf_record_opts *o, const char *nm,
			    const struct rec_argplan *ap)
{
	char what[256];
	size_t len = 0;

	what[0] = 0;
	for (unsigned a = 0; a < 6; a++)
		if (ap->alts[a] && len < sizeof(what))
			len += (size_t)snprintf(
			    what + len, sizeof(what) - len, "%sargument %u: %s",
			    len ? ", " : "", a,
			    ap->alts[a][0].datum == 0 &&
				    ap->alts[a][0].mask != ~0ULL &&
				    ap->alts[a][0].mask != 0xffffffffU
				? "no bit outside those seen"
				: "the values seen");
	cf_rec_report(o, "record-args", "%s: %zu argument rule%s (%s)", nm,
		      ap->nrules, ap->nrules == 1 ? "" : "s", what);
}

/* One name: its verdict under the base, then its argument rules. */
static int rec_plan_name(const struct cf_record *r,
			 const struct cf_record_opts *o, const int *abis,
			 size_t nabis, struct rec_plan *pl, size_t i)
{
	const char *nm = cf_sysinfo[pl->names[i].idx].name;
	struct rec_judgement *j = &pl->jd[i];
	char where[128], act[64];
	int rc;

	if (o && o->base)
		rec_judge(o->base, pl->names[i].idx, abis, nabis, j);
	else
		j->v = REC_ALLOW;
	rec_abis_str(pl->names[i].abis, where, sizeof(where));
	if (j->v == REC_ALLOW && !strcmp(nm, "clone3") &&
	    cf_rec_clone3_folded(r)) {
		j->v = REC_DENY;
		j->deny_action = CF_RET_ERRNO(ENOSYS);
		cf_rec_report(o, "record-args",
			      "clone3: answered ENOSYS (its flags are in "
			      "memory, which seccomp cannot read): libc falls "
			      "back to clone, whose rule has clone3's flags");
		return 0;
	}
	if (j->v == REC_ALLOW) {
		rc = cf_rec_arg_plan(r, o, pl->names[i].idx, abis, nabis,
				     &pl->args[i]);
		if (rc < 0)
			return rc;
		if (pl->args[i].nrules)
			rec_report_args(o, nm, &pl->args[i]);
		else
			pl->nallow++;
	} else if (j->v == REC_DENY)
		cf_rec_report(o, "record-base-denies",
			      "the workload called %s (%s), which the "
			      "base profile denies (%s): stays denied",
			      nm, where,
			      cf_action_str(j->deny_action, act, sizeof(act)));
	else if (j->v == REC_PARTIAL)
		cf_rec_report(o, "record-base-partial",
			      "the workload called %s (%s), which the "
			      "base profile allows only in a way a "
			      "profile of observed calls cannot copy "
			      "(on %s): denied; add a rule by hand",
			      nm, where,
			      j->why_abi >= 0 ? cf_arches[j->why_abi].name
					      : "?");
	return 0;
}

/* The rules after the one allowing names unconditionally, each starting
 * with ",". */
static void rec_write_rules(FILE *f, const struct rec_plan *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		const char *nm = cf_sysinfo[pl->names[i].idx].name;

		if (pl->jd[i].v == REC_ALLOW)
			cf_rec_arg_write(f, nm, &pl->args[i]);
		else if (pl->jd[i].v == REC_CHAINS)
			rec_write_chains(f, nm, pl->jd[i].chains_sys);
		else if (pl->jd[i].v == REC_DENY &&
			 pl->jd[i].deny_action != CF_RET_ERRNO(EPERM))
			rec_write_deny(f, nm, pl->jd[i].deny_action);
	}
}

/* Returns the offset of the first rule's leading "," when there is no
 * unconditional rule before it (the caller blanks it), else 0. */
static long rec_write_plan(FILE *f, const struct rec_plan *pl, const int *abis,
			   size_t nabis)
{
	long first = 0;

	fprintf(f, "{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
		   "\t\"defaultErrnoRet\": 1,\n\t\"architectures\": [");
	for (size_t i = 0; i < nabis; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "", cf_arches[abis[i]].oci);
	fprintf(f, "],\n\t\"syscalls\": [");
	if (pl->nallow) {
		fprintf(f, "\n\t\t{\n\t\t\t\"names\": [");
		for (size_t i = 0, k = 0; i < pl->n; i++)
			if (pl->jd[i].v == REC_ALLOW && !pl->args[i].nrules)
				fprintf(f, "%s\n\t\t\t\t\"%s\"", k++ ? "," : "",
					cf_sysinfo[pl->names[i].idx].name);
		fprintf(f, "\n\t\t\t],\n\t\t\t\"action\": "
			   "\"SCMP_ACT_ALLOW\"\n\t\t}");
	} else {
		first = ftell(f);
	}
	rec_write_rules(f, pl);
	fprintf(f, "\n\t]\n}\n");
	return first;
}

int cf_record_json(const struct cf_record *r, const struct cf_record_opts *o,
		   char **json, size_t *len, struct cf_error *err)
{
	int abis[64];
	size_t nabis;
	struct rec_plan pl = {0};
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = NULL;
	bool ok = true;

	*json = NULL;
	*len = 0;
	if (o && cf_reserved_zero(o->reserved, CF_RESERVED_IN, "cf_record_opts",
				  err))
		return -EINVAL;
	rec_abi_list(r, o, abis, &nabis);
	pl.names = rec_names(r, o, &pl.n);
	pl.jd = calloc(pl.n + 1, sizeof(*pl.jd));
	pl.args = calloc(pl.n + 1, sizeof(*pl.args));
	for (size_t i = 0; pl.names && pl.jd && pl.args && ok && i < pl.n; i++)
		ok = rec_plan_name(r, o, abis, nabis, &pl, i) == 0;
	if (ok && pl.names && pl.jd && pl.args)
		f = open_memstream(&buf, &blen);
	if (f) {
		long first = rec_write_plan(f, &pl, abis, nabis);

		ok = !ferror(f);
		ok = fclose(f) == 0 && ok;
		if (ok && first > 0 && (size_t)first < blen &&
		    buf[first] == ',')
			buf[first] = ' ';
	}
	rec_plan_free(&pl);
	if (!f || !ok) {
		free(buf);
		return cf_err(err, -ENOMEM, "out of memory");
	}
	*json = buf;
	*len = blen;
	return 0;
}
