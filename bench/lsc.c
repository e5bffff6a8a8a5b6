/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lsc.c - the competitor: a Docker/OCI profile compiled by libseccomp the
 * way the Docker + runc pipeline does it, end to end from JSON text.
 *
 *   json-c parse (as Go's encoding/json: keys case-insensitive)
 *   -> Docker's resolution for amd64 (archMap, includes/excludes against
 *      Docker's 14 default capabilities and the running kernel)
 *   -> seccomp_init(default), seccomp_arch_add per ABI,
 *      seccomp_rule_add_array per name (runc's matchCall: unknown names and
 *      rules with the default action skipped; an argument index used twice
 *      splits the rule into one rule per condition)
 *   -> seccomp_export_bpf into a memory fd, read back.
 *
 * runc's own ENOSYS stub (patchbpf) is not added: the comparison is between
 * compilers. lsc_compile_info says how long it would be (runc_stub_len
 * below, worked out from how runc's generateEnosysStub builds it) and
 * whether every name is in this libseccomp's table. Errors are reported,
 * never worked around.
 */
#include "bench.h"

#include <errno.h>
#include <stdarg.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <json-c/json.h>

#define LSC_MAX_ARCHES 4

struct lsc {
	scmp_filter_ctx ctx;
	uint32_t defact;
	unsigned kernel; /* major << 16 | minor */
	/* per ABI added: its token and the largest number a rule names
	 * (runc's findLastSyscalls: every rule, whatever its action) */
	uint32_t arch[LSC_MAX_ARCHES];
	int max_nr[LSC_MAX_ARCHES];
	size_t narch;
	size_t unknown_names;
	char *err;
	size_t errsz;
};

static const char *const docker_caps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",	       "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",	       "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",	   "CAP_AUDIT_WRITE",
};

static int __attribute__((format(printf, 2, 3)))
fail(struct lsc *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->err, l->errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/* Go's encoding/json matches keys case-insensitively. */
static json_object *get(json_object *o, const char *key)
{
	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	json_object_object_foreach(o, k, v)
	{
		if (strcasecmp(k, key) == 0)
			return v;
	}
	return NULL;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_string)
		   ? json_object_get_string(v)
		   : NULL;
}

static size_t arr_len(json_object *a)
{
	return a && json_object_is_type(a, json_type_array)
		   ? json_object_array_length(a)
		   : 0;
}

static bool in_str_array(json_object *a, const char *s)
{
	for (size_t i = 0; i < arr_len(a); i++) {
		const char *v =
		    json_object_get_string(json_object_array_get_idx(a, i));
		if (v && strcmp(v, s) == 0)
			return true;
	}
	return false;
}

static bool has_cap(const char *name)
{
	for (size_t i = 0; i < sizeof(docker_caps) / sizeof(docker_caps[0]);
	     i++)
		if (strcasecmp(docker_caps[i], name) == 0)
			return true;
	return false;
}

static unsigned kernel_version(const char *s)
{
	unsigned maj = 0, min = 0;

	if (sscanf(s, "%u.%u", &maj, &min) < 1)
		return 0;
	return maj << 16 | min;
}

static int parse_action(struct lsc *l, const char *s, json_object *ret,
			uint32_t *act)
{
	uint32_t e = ret ? (uint32_t)json_object_get_int64(ret) : EPERM;

	if (!s)
		return fail(l, "%s", "missing action");
	if (!strcmp(s, "SCMP_ACT_KILL") || !strcmp(s, "SCMP_ACT_KILL_THREAD"))
		*act = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(s, "SCMP_ACT_KILL_PROCESS"))
		*act = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(s, "SCMP_ACT_TRAP"))
		*act = SCMP_ACT_TRAP;
	else if (!strcmp(s, "SCMP_ACT_ERRNO"))
		*act = SCMP_ACT_ERRNO(e);
	else if (!strcmp(s, "SCMP_ACT_TRACE"))
		*act = SCMP_ACT_TRACE(e);
	else if (!strcmp(s, "SCMP_ACT_ALLOW"))
		*act = SCMP_ACT_ALLOW;
	else if (!strcmp(s, "SCMP_ACT_LOG"))
		*act = SCMP_ACT_LOG;
	else if (!strcmp(s, "SCMP_ACT_NOTIFY"))
		*act = SCMP_ACT_NOTIFY;
	else
		return fail(l, "unknown action '%s'", s);
	return 0;
}

static const enum scmp_compare ops[] = {
    SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE,	  SCMP_CMP_EQ,
    SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ,
};
static const char *const op_names[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	"SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

static int parse_arg(struct lsc *l, json_object *a, struct scmp_arg_cmp *c)
{
	const char *op = get_str(a, "op");

	memset(c, 0, sizeof(*c));
	c->arg = (unsigned)json_object_get_int64(get(a, "index"));
	c->datum_a = json_object_get_uint64(get(a, "value"));
	c->datum_b = json_object_get_uint64(get(a, "valueTwo"));
	for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(op, op_names[i]) == 0) {
			c->op = ops[i];
			return c->arg < 6 ? 0 : fail(l, "%s", "bad index");
		}
	}
	return fail(l, "unknown operator '%s'", op ? op : "(none)");
}

/* Docker's includes/excludes for amd64 and the default capabilities. */
static bool included(struct lsc *l, json_object *sc)
{
	json_object *inc = get(sc, "includes"), *exc = get(sc, "excludes");
	json_object *caps;
	const char *mk;

	if (arr_len(get(exc, "arches")) &&
	    in_str_array(get(exc, "arches"), "amd64"))
		return false;
	caps = get(exc, "caps");
	for (size_t i = 0; i < arr_len(caps); i++)
		if (has_cap(json_object_get_string(
			json_object_array_get_idx(caps, i))))
			return false;
	if (arr_len(get(inc, "arches")) &&
	    !in_str_array(get(inc, "arches"), "amd64"))
		return false;
	caps = get(inc, "caps");
	for (size_t i = 0; i < arr_len(caps); i++)
		if (!has_cap(json_object_get_string(
			json_object_array_get_idx(caps, i))))
			return false;
	mk = get_str(inc, "minKernel");
	return !mk || l->kernel >= kernel_version(mk);
}

static bool index_repeats(const struct scmp_arg_cmp *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (c[i].arg == c[j].arg)
				return true;
	return false;
}

/* What runc's findLastSyscalls sees of one name, and whether libseccomp
 * knows it at all. */
static void note_name(struct lsc *l, const char *name)
{
	if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
		l->unknown_names++;
	for (size_t i = 0; i < l->narch; i++) {
		int nr = seccomp_syscall_resolve_name_arch(l->arch[i], name);

		if (nr > l->max_nr[i])
			l->max_nr[i] = nr;
	}
}

static int add_name(struct lsc *l, const char *name, uint32_t act,
		    const struct scmp_arg_cmp *c, size_t nc)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc = 0;

	if (nr == __NR_SCMP_ERROR)
		return 0; /* runc: unknown names are ignored */
	if (nc == 0 || !index_repeats(c, nc)) {
		rc = seccomp_rule_add_array(l->ctx, act, nr, (unsigned)nc, c);
	} else {
		for (size_t i = 0; i < nc && rc == 0; i++)
			rc = seccomp_rule_add_array(l->ctx, act, nr, 1, &c[i]);
	}
	if (rc < 0)
		return fail(l, "seccomp_rule_add_array(%s) failed: %s", name,
			    strerror(-rc));
	return 0;
}

static int add_syscall(struct lsc *l, json_object *sc)
{
	json_object *names = get(sc, "names"), *args = get(sc, "args");
	struct scmp_arg_cmp c[6];
	size_t nc = arr_len(args);
	uint32_t act;

	if (!included(l, sc))
		return 0;
	if (parse_action(l, get_str(sc, "action"), get(sc, "errnoRet"), &act))
		return -1;
	if (get_str(sc, "name"))
		note_name(l, get_str(sc, "name"));
	for (size_t i = 0; i < arr_len(names); i++)
		note_name(l, json_object_get_string(
				 json_object_array_get_idx(names, i)));
	if (act == l->defact)
		return 0; /* runc skips rules with the default action */
	if (nc > 6)
		return fail(l, "%s", "more than 6 conditions");
	for (size_t i = 0; i < nc; i++)
		if (parse_arg(l, json_object_array_get_idx(args, i), &c[i]))
			return -1;
	if (get_str(sc, "name"))
		return add_name(l, get_str(sc, "name"), act, c, nc);
	for (size_t i = 0; i < arr_len(names); i++)
		if (add_name(l,
			     json_object_get_string(
				 json_object_array_get_idx(names, i)),
			     act, c, nc))
			return -1;
	return 0;
}

static int add_arch(struct lsc *l, const char *oci)
{
	const char *p = strncmp(oci, "SCMP_ARCH_", 10) == 0 ? oci + 10 : oci;
	char name[32];
	uint32_t token;
	size_t i;

	for (i = 0; p[i] && i < sizeof(name) - 1; i++)
		name[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
	name[i] = '\0';
	token = seccomp_arch_resolve_name(name);
	if (token == 0)
		return fail(l, "unknown architecture '%s'", oci);
	for (i = 0; i < l->narch && l->arch[i] != token; i++)
		;
	if (i == l->narch && l->narch < LSC_MAX_ARCHES) {
		l->arch[l->narch] = token; /* as runc's config.Architectures */
		l->max_nr[l->narch++] = 0;
	}
	if (seccomp_arch_exist(l->ctx, token) == 0)
		return 0;
	if (seccomp_arch_add(l->ctx, token) < 0)
		return fail(l, "seccomp_arch_add failed for '%s'", oci);
	return 0;
}

/* archMap: the native entry and its sub-architectures; or
 * "architectures" as listed. */
static int add_arches(struct lsc *l, json_object *root)
{
	json_object *map = get(root, "archMap");
	json_object *list = get(root, "architectures");

	for (size_t i = 0; i < arr_len(map); i++) {
		json_object *e = json_object_array_get_idx(map, i);
		json_object *subs = get(e, "subArchitectures");
		const char *a = get_str(e, "architecture");

		if (!a || strcmp(a, "SCMP_ARCH_X86_64") != 0)
			continue;
		if (add_arch(l, a))
			return -1;
		for (size_t j = 0; j < arr_len(subs); j++)
			if (add_arch(l,
				     json_object_get_string(
					 json_object_array_get_idx(subs, j))))
				return -1;
	}
	for (size_t i = 0; i < arr_len(list); i++)
		if (add_arch(l, json_object_get_string(
				    json_object_array_get_idx(list, i))))
			return -1;
	return 0;
}

static int build(struct lsc *l, json_object *root, enum lsc_layout layout)
{
	json_object *sys = get(root, "syscalls");

	if (parse_action(l, get_str(root, "defaultAction"),
			 get(root, "defaultErrnoRet"), &l->defact))
		return -1;
	l->ctx = seccomp_init(l->defact);
	if (!l->ctx)
		return fail(l, "%s", "seccomp_init failed");
	if (seccomp_attr_set(l->ctx, SCMP_FLTATR_CTL_NNP, 0) < 0 ||
	    seccomp_attr_set(l->ctx, SCMP_FLTATR_CTL_OPTIMIZE,
			     layout == LSC_TREE ? 2 : 1) < 0)
		return fail(l, "%s", "seccomp_attr_set failed");
	if (add_arches(l, root))
		return -1;
	for (size_t i = 0; i < arr_len(sys); i++)
		if (add_syscall(l, json_object_array_get_idx(sys, i)))
			return -1;
	return 0;
}

static int export_prog(struct lsc *l, struct sock_filter **prog, size_t *n)
{
	int fd = memfd_create("lsc-bpf", MFD_CLOEXEC);
	off_t size;
	int rc = -1;

	if (fd < 0)
		return fail(l, "%s", "memfd_create failed");
	if (seccomp_export_bpf(l->ctx, fd) < 0) {
		fail(l, "%s", "seccomp_export_bpf failed");
		goto out;
	}
	size = lseek(fd, 0, SEEK_END);
	*prog = malloc(size > 0 ? (size_t)size : 1);
	if (size <= 0 || !*prog ||
	    pread(fd, *prog, (size_t)size, 0) != (ssize_t)size) {
		fail(l, "%s", "reading the exported program failed");
		goto out;
	}
	*n = (size_t)size / sizeof(struct sock_filter);
	rc = 0;
out:
	close(fd);
	return rc;
}

/* The instructions runc's ENOSYS stub (libcontainer/seccomp/patchbpf,
 * generateEnosysStub) puts in front of libseccomp's program, 0 when runc
 * adds none (a permissive default action, or defaultErrnoRet ENOSYS).
 * Per audit arch listed, a jump from the arch dispatch, and for each one
 * with a largest number a section: load nr, then one JGT per ABI (x86_64
 * with x32: JSET on the x32 bit first; x86_64 or x32 alone: a JSET too),
 * and a jump into the filter; long forms where a jump would pass 255
 * (never, for three ABIs, but counted as runc would). */
static size_t runc_stub_len(const struct lsc *l, json_object *root)
{
	json_object *eret = get(root, "defaultErrnoRet");
	const char *def = get_str(root, "defaultAction");
	size_t group_abis[2] = {0, 0}, group_end[2] = {0, 0}, tail = 2;
	bool group_listed[2] = {false, false};

	if (eret && json_object_get_int64(eret) == ENOSYS)
		return 0;
	if (!def || !strcmp(def, "SCMP_ACT_ALLOW") ||
	    !strcmp(def, "SCMP_ACT_LOG") || !strcmp(def, "SCMP_ACT_TRACE"))
		return 0;
	for (size_t i = 0; i < l->narch; i++) {
		size_t g = l->arch[i] == SCMP_ARCH_X86 ? 1 : 0;

		group_listed[g] = true; /* x86_64 and x32 share an audit arch */
		group_abis[g] += l->max_nr[i] > 0;
	}
	for (size_t g = 0; g < 2; g++) {
		size_t base = tail - 1;

		if (!group_abis[g])
			continue;
		if (group_abis[g] == 2)
			tail += 1 + (base + 2 <= 255 ? 4 : 5);
		else
			tail += 1 + (base + 1 <= 255 ? 2 : 3) + (g == 0);
		group_end[g] = tail;
	}
	tail++; /* the jump into the filter for any other arch */
	for (size_t g = 0; g < 2; g++)
		if (group_listed[g])
			tail += tail - group_end[g] <= 255 ? 1 : 2;
	return tail + 1; /* load arch */
}

static unsigned running_kernel(void)
{
	struct utsname u;

	return uname(&u) == 0 ? kernel_version(u.release) : 0;
}

int lsc_compile(const char *json, size_t len, enum lsc_layout layout,
		struct sock_filter **prog, size_t *n, char *err, size_t errsz)
{
	return lsc_compile_info(json, len, layout, prog, n, NULL, err, errsz);
}

int lsc_compile_info(const char *json, size_t len, enum lsc_layout layout,
		     struct sock_filter **prog, size_t *n,
		     struct lsc_info *info, char *err, size_t errsz)
{
	struct lsc l = {.err = err, .errsz = errsz};
	struct json_tokener *tok = json_tokener_new();
	json_object *root;
	int rc = -1;

	*prog = NULL;
	l.kernel = running_kernel();
	root = tok ? json_tokener_parse_ex(tok, json, (int)len) : NULL;
	if (!root) {
		fail(&l, "%s", "json-c could not parse the profile");
		goto out;
	}
	rc = build(&l, root, layout);
	if (rc == 0)
		rc = export_prog(&l, prog, n);
	if (rc == 0 && info) {
		info->runc_stub_len = runc_stub_len(&l, root);
		info->unknown_names = l.unknown_names;
	}
out:
	if (l.ctx)
		seccomp_release(l.ctx);
	if (root)
		json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	return rc;
}
