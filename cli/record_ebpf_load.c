/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record_ebpf_load.c - loading the eBPF recorder's object: directly, from
 * what tools/gen-bpf-load extracted at build time, or through the light
 * skeleton's loader program (record_ebpf_load.h).
 *
 * Why direct: the light skeleton's loader is a program of its own (417
 * instructions) that the kernel verifies, and then runs once, at every
 * recording, to make the calls below; 1.9-2.0 ms of CPU per recording
 * (docs/record.md, "Fifth round"). The calls themselves are the same:
 * the program BTF, the maps, the read-only data written and frozen (the
 * verifier then treats it as constants and drops the code of what is
 * off), the programs with their map fds patched in and their CO-RE
 * relocation records, which the kernel applies against its own BTF.
 */
#ifdef CF_HAVE_EBPF

#include "record_ebpf_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "record_calls.load.h"

#pragma GCC diagnostic push /* bpftool's code: void * arithmetic */
#pragma GCC diagnostic ignored "-Wpointer-arith"
#include "record.lskel.h"
#pragma GCC diagnostic pop

_Static_assert(sizeof(struct record_bpf__rodata) == RG_RODATA_SIZE,
	       "the skeleton's .rodata is the generated one");
_Static_assert(RG_VAR_REC_NO_CALLS + 8 <= RG_BSS_SIZE, "rec_no_calls");
/* the object without --args (rgc_) lays out its maps and data as the
 * other (rg_): the rest of the recorder reads either alike */
_Static_assert(
    RGC_MAPS == RG_MAPS && RGC_MAP_CALLS == RG_MAP_CALLS &&
	RGC_MAP_TASKS == RG_MAP_TASKS && RGC_MAP_RODATA == RG_MAP_RODATA &&
	RGC_MAP_BSS == RG_MAP_BSS && RGC_RODATA_SIZE == RG_RODATA_SIZE &&
	RGC_BSS_SIZE == RG_BSS_SIZE && RGC_VAR_REC_SCOPE == RG_VAR_REC_SCOPE &&
	RGC_VAR_REC_MNTNS == RG_VAR_REC_MNTNS &&
	RGC_VAR_REC_ARGS == RG_VAR_REC_ARGS &&
	RGC_VAR_REC_TEST_MAX_NEW == RG_VAR_REC_TEST_MAX_NEW &&
	RGC_VAR_REC_NO_CALLS == RG_VAR_REC_NO_CALLS && RGC_PROGS == RG_PROGS &&
	RGC_PROG_REC_SYS_ENTER == RG_PROG_REC_SYS_ENTER &&
	RGC_PROG_REC_FORK == RG_PROG_REC_FORK && RGC_MAX_INSNS <= RG_MAX_INSNS,
    "record_calls.load.h: the layout of record.load.h");

/* One of the two builds of the object (tools/gen-bpf-load's header). */
struct rl_object {
	const struct rg_map *maps;
	uint32_t used; /* RG_MAPS_USED: a bit per map the programs use */
	const unsigned char *btf;
	uint32_t btf_size;
	const struct rg_prog *progs;
};

/* with --args */
static const struct rl_object rl_full = {rg_maps, RG_MAPS_USED, rg_btf,
					 sizeof(rg_btf), rg_progs};
/* without: REC_CALLS_ONLY, 152 instructions instead of 878 to check; its
 * programs do not refer to the maps of --args, which are not created */
static const struct rl_object rl_calls = {rgc_maps, RGC_MAPS_USED, rgc_btf,
					  sizeof(rgc_btf), rgc_progs};

#define RL_ENV "CALLFENCE_EBPF_LOADER"

static uint64_t rl_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int re_bpf_sys(int cmd, union bpf_attr *a)
{
	long rc = syscall(SYS_bpf, cmd, a, sizeof(*a));

	return rc < 0 ? -errno : (int)rc;
}

/* The read-only data of the program for c, as the object lays it out. */
static void rl_rodata(const struct re_config *c, unsigned char *ro)
{
	memset(ro, 0, RG_RODATA_SIZE);
	memcpy(ro + RG_VAR_REC_SCOPE, &c->scope, sizeof(c->scope));
	memcpy(ro + RG_VAR_REC_MNTNS, &c->mntns, sizeof(c->mntns));
	memcpy(ro + RG_VAR_REC_ARGS, &c->args, sizeof(c->args));
	memcpy(ro + RG_VAR_REC_TEST_MAX_NEW, &c->test_max_new,
	       sizeof(c->test_max_new));
}

/* max_entries of map i for c: the bitmap sized by pid_max; without
 * --args, one entry for the maps of --args (unused: rec_args is false;
 * 1 instead of 262 144 hash buckets and 3072 specs) */
static uint32_t rl_max_entries(const struct re_config *c, int i)
{
	if (i == RG_MAP_TASKS)
		return c->pid_words;
	if (!c->args && (i == RG_MAP_ARGVALS || i == RG_MAP_ARGSPECS))
		return 1;
	return rg_maps[i].max_entries;
}

/* ---- direct ----------------------------------------------------------- */

static int rl_map_create(const struct rl_object *o, const struct re_config *c,
			 int i)
{
	const struct rg_map *m = &o->maps[i];
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = m->type;
	a.key_size = m->key_size;
	a.value_size = m->value_size;
	a.max_entries = rl_max_entries(c, i);
	a.map_flags = m->flags;
	snprintf(a.map_name, sizeof(a.map_name), "%s", m->name);
	return re_bpf_sys(BPF_MAP_CREATE, &a);
}

/* writes the read-only data into its map and freezes it */
static int rl_rodata_set(int fd, const struct re_config *c)
{
	unsigned char ro[RG_RODATA_SIZE];
	uint32_t key = 0;
	union bpf_attr a;
	int rc;

	rl_rodata(c, ro);
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = rl_ptr(&key);
	a.value = rl_ptr(ro);
	rc = re_bpf_sys(BPF_MAP_UPDATE_ELEM, &a);
	if (rc < 0)
		return rc;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	return re_bpf_sys(BPF_MAP_FREEZE, &a);
}

static int rl_btf_load(const struct rl_object *o)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.btf = rl_ptr(o->btf);
	a.btf_size = o->btf_size;
	return re_bpf_sys(BPF_BTF_LOAD, &a);
}

/* p's instructions with the maps' fds put where the object refers to a
 * map (BPF_PSEUDO_MAP_FD) or to a variable in one (BPF_PSEUDO_MAP_VALUE:
 * the fd, and the offset in the second half of the instruction) */
static void rl_patch(const struct rg_prog *p, const int *map_fd,
		     struct bpf_insn *insns)
{
	memcpy(insns, p->insns, p->ninsns * sizeof(*insns));
	for (uint32_t i = 0; i < p->nfixups; i++) {
		const struct rg_fixup *f = &p->fixups[i];
		struct bpf_insn *in = &insns[f->insn];

		in->src_reg =
		    f->off < 0 ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
		in->imm = map_fd[f->map];
		if (f->off >= 0)
			in[1].imm = f->off;
	}
}

/* BPF_PROG_LOAD of p, relocated by the kernel (core_relos against its
 * BTF; func_info gives the program its BTF, which the relocation needs);
 * with log, the verifier's log into it */
static int rl_prog_load(const struct rg_prog *p, const int *map_fd, int btf_fd,
			char *log, size_t loglen)
{
	struct bpf_insn insns[RG_MAX_INSNS];
	union bpf_attr a;

	rl_patch(p, map_fd, insns);
	memset(&a, 0, sizeof(a));
	a.prog_type = p->type;
	a.insn_cnt = p->ninsns;
	a.insns = rl_ptr(insns);
	a.license = rl_ptr(rg_license);
	snprintf(a.prog_name, sizeof(a.prog_name), "%s", p->name);
	a.prog_btf_fd = (uint32_t)btf_fd;
	a.func_info_rec_size = sizeof(struct bpf_func_info);
	a.func_info = rl_ptr(p->func);
	a.func_info_cnt = p->nfunc;
	a.core_relos = rl_ptr(p->relos);
	a.core_relo_cnt = p->nrelos;
	a.core_relo_rec_size = sizeof(struct bpf_core_relo);
	if (log) {
		a.log_buf = rl_ptr(log);
		a.log_size = (uint32_t)loglen;
		a.log_level = 1;
	}
	return re_bpf_sys(BPF_PROG_LOAD, &a);
}

/* the last line of the verifier's log of p, into why after its errno */
static void rl_prog_why(const struct rg_prog *p, const int *map_fd, int btf_fd,
			int e, char *why, size_t whylen)
{
	size_t len = 1 << 16;
	char *log = calloc(1, len), *last;
	int fd = log ? rl_prog_load(p, map_fd, btf_fd, log, len) : -1;

	if (fd >= 0)
		close(fd);
	while (log && *log && log[strlen(log) - 1] == '\n')
		log[strlen(log) - 1] = '\0';
	last = log ? strrchr(log, '\n') : NULL;
	snprintf(why, whylen, "BPF_PROG_LOAD %s: %s%s%s", p->name, strerror(-e),
		 log && *log ? ": " : "", log ? (last ? last + 1 : log) : "");
	free(log);
}

static int rl_load_maps(struct re_bpf *b, const struct rl_object *o,
			const struct re_config *c, char *why, size_t whylen)
{
	int rc;

	for (int i = 0; i < RG_MAPS; i++) {
		if (!(o->used >> i & 1))
			continue; /* (its fd stays 0: none) */
		rc = rl_map_create(o, c, i);
		if (rc < 0) {
			snprintf(why, whylen, "BPF_MAP_CREATE %s: %s",
				 o->maps[i].name, strerror(-rc));
			return rc;
		}
		b->map_fd[i] = rc;
	}
	rc = rl_rodata_set(b->map_fd[RG_MAP_RODATA], c);
	if (rc < 0)
		snprintf(why, whylen, "writing the read-only data: %s",
			 strerror(-rc));
	return rc;
}

static int rl_load_direct(struct re_bpf *b, const struct re_config *c,
			  char *why, size_t whylen)
{
	const struct rl_object *o = c->args ? &rl_full : &rl_calls;
	int btf_fd = rl_btf_load(o), rc;

	if (btf_fd < 0) {
		snprintf(why, whylen, "BPF_BTF_LOAD: %s", strerror(-btf_fd));
		return btf_fd;
	}
	rc = rl_load_maps(b, o, c, why, whylen);
	for (int i = 0; rc >= 0 && i < RG_PROGS; i++) {
		rc = rl_prog_load(&o->progs[i], b->map_fd, btf_fd, NULL, 0);
		if (rc < 0)
			rl_prog_why(&o->progs[i], b->map_fd, btf_fd, rc, why,
				    whylen);
		else
			b->prog_fd[i] = rc;
	}
	close(btf_fd); /* the programs hold their BTF */
	return rc < 0 ? rc : 0;
}

/* ---- the light skeleton ----------------------------------------------- */

static int rl_load_skeleton(struct re_bpf *b, const struct re_config *c,
			    char *why, size_t whylen)
{
	struct record_bpf *s = record_bpf__open();
	struct bpf_map_desc *d[RG_MAPS];
	int rc;

	if (!s) {
		snprintf(why, whylen, "light skeleton: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	b->skel = s;
	d[RG_MAP_CALLS] = &s->maps.calls;
	d[RG_MAP_TASKS] = &s->maps.tasks;
	d[RG_MAP_ARGVALS] = &s->maps.argvals;
	d[RG_MAP_ARGSPECS] = &s->maps.argspecs;
	d[RG_MAP_RODATA] = &s->maps.rodata;
	d[RG_MAP_BSS] = &s->maps.bss;
	rl_rodata(c, (unsigned char *)s->rodata);
	for (int i = 0; i < RG_MAPS; i++)
		if (i != RG_MAP_RODATA && i != RG_MAP_BSS)
			d[i]->max_entries = rl_max_entries(c, i);
	rc = record_bpf__load(s);
	if (rc < 0) {
		snprintf(why, whylen, "light skeleton: %s", strerror(-rc));
		return rc;
	}
	for (int i = 0; i < RG_MAPS; i++)
		b->map_fd[i] = d[i]->map_fd;
	b->prog_fd[RG_PROG_REC_SYS_ENTER] = s->progs.rec_sys_enter.prog_fd;
	b->prog_fd[RG_PROG_REC_FORK] = s->progs.rec_fork.prog_fd;
	return 0;
}

/* ---- both ------------------------------------------------------------- */

/* closes the fds b holds (the skeleton's: by the skeleton) */
void re_bpf_close(struct re_bpf *b)
{
	re_bpf_detach(b);
	if (b->skel) {
		record_bpf__destroy(b->skel);
	} else {
		for (int i = 0; i < RG_PROGS; i++)
			if (b->prog_fd[i] > 0)
				close(b->prog_fd[i]);
		for (int i = 0; i < RG_MAPS; i++)
			if (b->map_fd[i] > 0)
				close(b->map_fd[i]);
	}
	memset(b, 0, sizeof(*b));
}

int re_bpf_load(struct re_bpf *b, const struct re_config *c, char *why,
		size_t whylen)
{
	const char *only = getenv(RL_ENV);
	char direct[160] = "";
	int rc = 0, e;

	if (!only || strcmp(only, "skeleton") != 0) {
		rc = rl_load_direct(b, c, direct, sizeof(direct));
		if (rc == 0 || (only && !strcmp(only, "direct"))) {
			snprintf(why, whylen, "%s", direct);
			return rc;
		}
		re_bpf_close(b);
	}
	e = rl_load_skeleton(b, c, why, whylen);
	if (e == 0 && rc < 0)
		fprintf(stderr,
			"callfence: note: ebpf: loaded by the light "
			"skeleton's loader (the direct load failed: %s)\n",
			direct);
	if (e < 0 && rc < 0) {
		size_t n = strlen(why);

		snprintf(why + n, whylen - n, "; direct: %s", direct);
	}
	return e;
}

int re_bpf_attach(struct re_bpf *b)
{
	for (int i = 0; i < RG_PROGS; i++) {
		union bpf_attr a;
		int fd;

		memset(&a, 0, sizeof(a));
		a.raw_tracepoint.name = rl_ptr(rg_progs[i].attach);
		a.raw_tracepoint.prog_fd = (uint32_t)b->prog_fd[i];
		fd = re_bpf_sys(BPF_RAW_TRACEPOINT_OPEN, &a);
		if (fd < 0)
			return fd;
		b->link_fd[i] = fd;
	}
	return 0;
}

void re_bpf_detach(struct re_bpf *b)
{
	for (int i = 0; i < RG_PROGS; i++) {
		if (b->link_fd[i] > 0)
			close(b->link_fd[i]);
		b->link_fd[i] = 0;
	}
}

int re_bpf_no_calls(const struct re_bpf *b, uint64_t *n)
{
	unsigned char bss[RG_BSS_SIZE];
	uint32_t key = 0;
	union bpf_attr a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)b->map_fd[RG_MAP_BSS];
	a.key = rl_ptr(&key);
	a.value = rl_ptr(bss);
	rc = re_bpf_sys(BPF_MAP_LOOKUP_ELEM, &a);
	if (rc == 0)
		memcpy(n, bss + RG_VAR_REC_NO_CALLS, sizeof(*n));
	return rc < 0 ? rc : 0;
}

#else
typedef int re_bpf_not_built; /* (ISO C: a unit is not empty) */
#endif /* CF_HAVE_EBPF */
