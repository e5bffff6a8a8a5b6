/* SPDX-License-Identifier: Apache-2.0 */
/* A program that embeds libcallfence as a user of the installed library
 * would (tests/sh/install.sh builds it against `make install`'s tree with
 * pkg-config, shared and static): it compiles Docker's default profile,
 * installs it in a forked child and shows that the filter holds there.
 * Exit 0 when everything held; otherwise a message and exit 1. */
#include <callfence.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what, const struct cf_error *err)
{
	char buf[1024];

	fprintf(stderr, "embed: %s: %s\n", what,
		err ? cf_error_str(err, buf, sizeof(buf)) : strerror(errno));
	return 1;
}

/* In the child: install, then add_key (not in Docker's allow list) must
 * fail with EPERM, getpid must still work. */
static int child(const struct cf_filter *f)
{
	const struct sock_filter *prog;
	struct cf_error err;
	size_t len;
	long r;

	prog = cf_filter_program(f, &len);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail("prctl", NULL);
	if (cf_install(prog, len, cf_filter_flags(f), &err) < 0)
		return fail("cf_install", &err);
	r = syscall(SYS_add_key, NULL, NULL, NULL, 0, 0);
	if (r != -1 || errno != EPERM) {
		fprintf(stderr,
			"embed: add_key under the filter: %ld (%s), "
			"expected EPERM\n",
			r, strerror(errno));
		return 1;
	}
	if (getpid() <= 0)
		return fail("getpid", NULL);
	return 0;
}

int main(void)
{
	struct cf_profile *p = NULL;
	struct cf_filter *f = NULL;
	struct cf_target t;
	struct cf_error err;
	unsigned num;
	int status;
	pid_t pid;

	if (strcmp(cf_version(&num), "") == 0 || num != CF_VERSION) {
		fprintf(stderr, "embed: library %s (0x%x), header 0x%x\n",
			cf_version(NULL), num, CF_VERSION);
		return 1;
	}
	if (cf_profile_builtin(&p, &err) < 0)
		return fail("cf_profile_builtin", &err);
	if (cf_target_default(&t, &err) < 0)
		return fail("cf_target_default", &err);
	if (cf_compile(p, &t, &f, &err) < 0)
		return fail("cf_compile", &err);
	cf_profile_free(p);
	if (cf_filter_unconfined(f)) {
		fprintf(stderr,
			"embed: Docker's default compiled to no filter\n");
		return 1;
	}
	pid = fork();
	if (pid < 0)
		return fail("fork", NULL);
	if (pid == 0)
		_exit(child(f));
	if (waitpid(pid, &status, 0) != pid)
		return fail("waitpid", NULL);
	cf_filter_free(f);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "embed: child ended with status 0x%x\n",
			status);
		return 1;
	}
	printf("embed: libcallfence %s: Docker's default installed and held\n",
	       cf_version(NULL));
	return 0;
}
