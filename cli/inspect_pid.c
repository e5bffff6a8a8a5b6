/* SPDX-License-Identifier: Apache-2.0 */
/* inspect_pid.c - inspect --pid: reads another process's seccomp filter
 * programs (PTRACE_SECCOMP_GET_FILTER needs CAP_SYS_ADMIN and a reader
 * without a filter of its own) and evaluates the stack for every number
 * of an ABI, exactly, finding the numbers whose result depends on the
 * arguments (inspect_sym.c). The target is stopped only while its filters
 * are copied and always detached. */
#include "cli.h"
#include "inspect_pid.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#define CAP_SYS_ADMIN_BIT 21

/* "Seccomp" and "CapEff" of /proc/self/status */
static int self_status(int *mode, uint64_t *eff)
{
	char *buf = NULL, *p;
	size_t len;
	struct cf_error err;

	if (cf_read_path("/proc/self/status", &buf, &len, &err))
		return -1;
	p = strstr(buf, "\nSeccomp:");
	*mode = p ? atoi(p + 9) : -1;
	p = strstr(buf, "\nCapEff:");
	*eff = p ? strtoull(p + 8, NULL, 16) : 0;
	free(buf);
	return 0;
}

int pid_reader_ok(char *why, size_t size)
{
	int mode;
	uint64_t eff;

	if (self_status(&mode, &eff)) {
		snprintf(why, size, "cannot read /proc/self/status");
		return -1;
	}
	if (!(eff >> CAP_SYS_ADMIN_BIT & 1)) {
		snprintf(why, size,
			 "--pid needs CAP_SYS_ADMIN (the kernel's rule for "
			 "PTRACE_SECCOMP_GET_FILTER); run it as root, from "
			 "outside the inspected tree");
		return -1;
	}
	if (mode != 0) {
		snprintf(why, size,
			 "--pid needs a reader without a seccomp filter of its "
			 "own (this process runs in seccomp mode %d); run it "
			 "from outside the inspected tree, e.g. on the host",
			 mode);
		return -1;
	}
	return 0;
}

/* Waits for the stop PTRACE_INTERRUPT asked for; *sig gets a signal whose
 * delivery the stop reported instead (to deliver on detach). */
static int wait_stop(pid_t pid, int *sig)
{
	int st;

	*sig = 0;
	for (;;) {
		if (waitpid(pid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!WIFSTOPPED(st)) {
			errno = ESRCH; /* it ended */
			return -1;
		}
		if (st >> 16 == PTRACE_EVENT_STOP)
			return 0;
		/* a signal-delivery-stop: also a ptrace-stop */
		*sig = WSTOPSIG(st);
		return 0;
	}
}

/* The flags the kernel keeps for filter i (SECCOMP_FILTER_FLAG_LOG);
 * 0 where it cannot say. */
static uint64_t filter_flags(pid_t pid, unsigned long i)
{
	struct {
		uint64_t filter_off, flags;
	} md = {i, 0};

	if (ptrace(PTRACE_SECCOMP_GET_METADATA, pid, (void *)sizeof(md), &md) <
	    0)
		return 0;
	return md.flags;
}

static int copy_filters(pid_t pid, struct sym_stack *out, char *why,
			size_t size)
{
	for (unsigned long i = 0;; i++) {
		long n =
		    ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, NULL);
		struct sock_filter *p;
		void *grown;

		if (n < 0 && errno == ENOENT)
			return 0; /* past the oldest */
		if (n < 0 && errno == EINVAL && i == 0)
			return 0; /* not in filter mode */
		if (n <= 0 || n > CF_BPF_MAXINSNS) {
			snprintf(why, size,
				 "PTRACE_SECCOMP_GET_FILTER %lu of pid %d: %s",
				 i, (int)pid,
				 n < 0 ? strerror(errno) : "bad length");
			return -1;
		}
		p = calloc((size_t)n, sizeof(*p));
		grown =
		    p ? realloc(out->prog, (i + 1) * sizeof(*out->prog)) : NULL;
		if (grown)
			out->prog = grown;
		grown = grown ? realloc(out->len, (i + 1) * sizeof(*out->len))
			      : NULL;
		if (!grown) {
			free(p);
			snprintf(why, size, "out of memory");
			return -1;
		}
		out->len = grown;
		out->prog[i] = p;
		out->len[i] = (size_t)n;
		out->n = i + 1;
		grown = realloc(out->flags, (i + 1) * sizeof(*out->flags));
		if (grown)
			out->flags = grown;
		if (!grown ||
		    ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, p) != n) {
			snprintf(why, size,
				 "PTRACE_SECCOMP_GET_FILTER %lu of pid %d: %s",
				 i, (int)pid, strerror(errno));
			return -1;
		}
		out->flags[i] = filter_flags(pid, i);
	}
}

int pid_read_filters(pid_t pid, struct sym_stack *out, char *why, size_t size)
{
	int sig = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL)) {
		snprintf(why, size, "cannot attach to pid %d: %s%s", (int)pid,
			 strerror(errno),
			 errno == EPERM ? " (traced already, or Yama's "
					  "ptrace_scope forbids it)"
					: "");
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) || wait_stop(pid, &sig))
		snprintf(why, size, "cannot stop pid %d: %s", (int)pid,
			 strerror(errno));
	else
		rc = copy_filters(pid, out, why, size);
	/* detach always: it resumes the target (or leaves it in the
	 * group-stop it was in), delivering a signal the stop caught */
	ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)sig);
	for (size_t i = 0; rc == 0 && i < out->n; i++) {
		struct cf_error err;

		if (cf_bpf_verify(out->prog[i], out->len[i], &err)) {
			snprintf(why, size,
				 "filter %zu of pid %d does not verify", i,
				 (int)pid);
			rc = -1;
		}
	}
	if (rc)
		pid_stack_free(out);
	return rc;
}

void pid_stack_free(struct sym_stack *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->prog[i]);
	free(s->prog);
	free(s->len);
	free(s->flags);
	memset(s, 0, sizeof(*s));
}

static bool exempt(const struct probe_abi *a, uint32_t nr)
{
	const char *name = cf_syscall_name(a->abi, nr);

	return a->abi == cf_abi_lookup("x86_64") && a->lo == 0 && name &&
	       (!strcmp(name, "uretprobe") || !strcmp(name, "uprobe"));
}

static int add_dep(struct pid_abi *out, uint32_t nr, uint32_t zero,
		   struct sym_result *r)
{
	struct pid_argdep *grown =
	    realloc(out->dep, (out->ndep + 1) * sizeof(*out->dep));

	if (!grown)
		return -1;
	out->dep = grown;
	out->dep[out->ndep].nr = nr;
	out->dep[out->ndep].zero = zero;
	out->dep[out->ndep].r = *r;
	out->ndep++;
	return 0;
}

int pid_eval(const struct sym_stack *s, struct probe_abi *a,
	     struct pid_abi *out)
{
	static const uint64_t zero[6];
	uint32_t arch = cf_abi_audit_arch(a->abi);

	memset(out, 0, sizeof(*out));
	a->act = calloc(a->hi - a->lo + 1, sizeof(*a->act));
	if (!a->act)
		goto oom;
	for (uint32_t nr = a->lo; nr <= a->hi; nr++) {
		struct sym_result r;
		uint32_t *act = &a->act[nr - a->lo];

		*act = sym_stack_run(s, arch, nr, zero);
		if (exempt(a, nr))
			*act = PROBE_EXEMPT;
		if (sym_stack_walk(s, arch, nr, &r)) {
			sym_result_free(&r);
			goto oom;
		}
		if (*act != PROBE_EXEMPT &&
		    (sym_result_varies(&r) || !r.complete)) {
			if (add_dep(out, nr, *act, &r)) {
				sym_result_free(&r);
				goto oom;
			}
		} else {
			sym_result_free(&r);
		}
	}
	return 0;
oom:
	a->status = PROBE_FAILED;
	a->err = ENOMEM;
	a->msg = "out of memory";
	return -1;
}

void pid_abi_free(struct pid_abi *p)
{
	for (size_t i = 0; i < p->ndep; i++)
		sym_result_free(&p->dep[i].r);
	free(p->dep);
	memset(p, 0, sizeof(*p));
}
