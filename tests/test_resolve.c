/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resolution and IR building, one small case a row: a profile, a target
 * (native x86_64, Docker's default capabilities or all of them), one call
 * (ABI, name or number, argument 0) and the action cf_filter_decide gives
 * it. Each row names what it holds: archMap sub-architectures,
 * includes/excludes by capability, same-index conditions split into rules
 * (ORed, as runc does), the socketcall/ipc twin of a socket or SysV IPC
 * call on x86, and runc's ENOSYS threshold (the largest number the
 * profile names on the ABI; x32's numbers carry the x32 bit).
 */
#include "t.h"

#include "callfence.h"

#include <errno.h>
#include <string.h>

#define P_HEAD "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
#define ARCHMAP                                                                \
	"\"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", "              \
	"\"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}], "

static const char *const profiles[] = {
    /* 0: getpid, no archMap: the native ABI only */
    P_HEAD "\"syscalls\": [{\"names\": [\"getpid\"], "
	   "\"action\": \"SCMP_ACT_ALLOW\"}]}",
    /* 1: getpid with x86 and x32 as sub-architectures */
    P_HEAD ARCHMAP "\"syscalls\": [{\"names\": [\"getpid\"], "
		   "\"action\": \"SCMP_ACT_ALLOW\"}]}",
    /* 2: ptrace only with CAP_SYS_PTRACE, kcmp only without SYS_ADMIN */
    P_HEAD "\"syscalls\": [{\"names\": [\"ptrace\"], "
	   "\"action\": \"SCMP_ACT_ALLOW\", \"includes\": "
	   "{\"caps\": [\"CAP_SYS_PTRACE\"]}}, {\"names\": [\"kcmp\"], "
	   "\"action\": \"SCMP_ACT_ALLOW\", \"excludes\": "
	   "{\"caps\": [\"CAP_SYS_ADMIN\"]}}]}",
    /* 3: personality(1) or personality(2): one index twice, ORed */
    P_HEAD "\"syscalls\": [{\"names\": [\"personality\"], "
	   "\"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	   "{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, "
	   "{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}]}",
    /* 4: socket and semget, on x86 too (socketcall and ipc twins) */
    P_HEAD ARCHMAP "\"syscalls\": [{\"names\": [\"socket\", \"semget\"], "
		   "\"action\": \"SCMP_ACT_ALLOW\"}]}",
    /* 5: as 1 with an ALLOW default: no ENOSYS stub */
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", " ARCHMAP
    "\"syscalls\": [{\"names\": [\"getpid\"], "
    "\"action\": \"SCMP_ACT_ERRNO\"}]}",
};

#define EPERM_RET 0x00050001U
#define ENOSYS_RET (0x00050000U | ENOSYS)
#define ALLOW_RET 0x7fff0000U
#define KILL_THREAD_RET 0x00000000U

static const struct resolve_case {
	const char *what;
	int profile;
	bool all_caps;
	const char *abi;
	const char *name; /* NULL: nr */
	uint32_t nr;	  /* without x32's bit; added for x32 */
	uint64_t a0;
	uint32_t want;
} cases[] = {
    {"native getpid allowed", 0, false, "x86_64", "getpid", 0, 0, ALLOW_RET},
    {"x86 not in the filter: killed", 0, false, "x86", "getpid", 0, 0,
     KILL_THREAD_RET},
    {"archMap adds x86", 1, false, "x86", "getpid", 0, 0, ALLOW_RET},
    {"archMap adds x32", 1, false, "x32", "getpid", 0, 0, ALLOW_RET},
    {"x32 below its threshold: default", 1, false, "x32", "read", 0, 0,
     EPERM_RET},
    {"x32 above its threshold: ENOSYS", 1, false, "x32", "getppid", 0, 0,
     ENOSYS_RET},
    {"native above the threshold: ENOSYS", 0, false, "x86_64", NULL, 500, 0,
     ENOSYS_RET},
    {"native below the threshold: default", 0, false, "x86_64", NULL, 38, 0,
     EPERM_RET},
    {"x32 above the threshold: ENOSYS", 1, false, "x32", NULL, 500, 0,
     ENOSYS_RET},
    {"ALLOW default: no stub", 5, false, "x86_64", NULL, 500, 0, ALLOW_RET},
    {"includes: cap missing", 2, false, "x86_64", "ptrace", 0, 0, EPERM_RET},
    {"includes: cap held", 2, true, "x86_64", "ptrace", 0, 0, ALLOW_RET},
    {"excludes: cap missing", 2, false, "x86_64", "kcmp", 0, 0, ALLOW_RET},
    /* the excluded rule names nothing: kcmp is above the threshold */
    {"excludes: cap held", 2, true, "x86_64", "kcmp", 0, 0, ENOSYS_RET},
    {"excluded rule: below the threshold", 2, true, "x86_64", "getpid", 0, 0,
     EPERM_RET},
    {"same index: first value", 3, false, "x86_64", "personality", 0, 1,
     ALLOW_RET},
    {"same index: second value", 3, false, "x86_64", "personality", 0, 2,
     ALLOW_RET},
    {"same index: neither", 3, false, "x86_64", "personality", 0, 3, EPERM_RET},
    {"x86 socket directly", 4, false, "x86", "socket", 0, 2, ALLOW_RET},
    {"socketcall twin SYS_SOCKET", 4, false, "x86", "socketcall", 0, 1,
     ALLOW_RET},
    {"socketcall SYS_CONNECT", 4, false, "x86", "socketcall", 0, 3, EPERM_RET},
    {"ipc twin SEMGET", 4, false, "x86", "ipc", 0, 2, ALLOW_RET},
    {"ipc SEMOP", 4, false, "x86", "ipc", 0, 1, EPERM_RET},
    {"x86_64 socket (no twin)", 4, false, "x86_64", "socket", 0, 2, ALLOW_RET},
};

static struct cf_filter *compile_case(const struct resolve_case *c)
{
	const char *text = profiles[c->profile];
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;

	cf_target_default(&t, &err);
	t.native = cf_abi_lookup("x86_64");
	t.kernel = 6 << 16 | 18;
	t.enosys = CF_ENOSYS_RUNC;
	t.caps = c->all_caps ? cf_caps_all() : cf_caps_docker_default();
	if (cf_profile_parse(text, strlen(text), c->what, &p, &err) ||
	    cf_compile(p, &t, &f, &err))
		t_fail(__FILE__, __LINE__, "%s: %s", c->what, err.msg);
	cf_profile_free(p);
	return f;
}

TEST(resolve_and_ir_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct resolve_case *c = &cases[i];
		int abi = cf_abi_lookup(c->abi);
		struct cf_filter *f = compile_case(c);
		struct seccomp_data d = {.arch = cf_abi_audit_arch(abi)};
		struct cf_decision out;
		int64_t nr =
		    c->name ? cf_syscall_number(abi, c->name) : (int64_t)c->nr;
		char got[64], want[64];

		if (!f || !CHECK(abi >= 0 && nr >= 0)) {
			cf_filter_free(f);
			continue;
		}
		if (!c->name && !strcmp(c->abi, "x32"))
			nr += 0x40000000;
		d.nr = (int)nr;
		d.args[0] = c->a0;
		if (CHECK(cf_filter_decide(f, &d, &out) == 0) &&
		    out.action != c->want)
			t_fail(__FILE__, __LINE__,
			       "%s: %s nr %lld a0 %llu: %s, "
			       "expected %s",
			       c->what, c->abi, (long long)nr,
			       (unsigned long long)c->a0,
			       cf_action_str(out.action, got, sizeof(got)),
			       cf_action_str(c->want, want, sizeof(want)));
		cf_filter_free(f);
	}
}
