/* SPDX-License-Identifier: Apache-2.0 */
/* Man pages and shell completion, checked by two scripts (tests/man.sh,
 * tests/completion.sh) against the built tool: pages render without
 * warnings and cover every command, option and API function; completion
 * offers what each case needs. `make check` builds the pages first (CF_MAN:
 * man/man.mk). A script that cannot run here (no groff, no bash) skips,
 * except in CI, where that is a failure. */
#include "t.h"

#include <stdlib.h>
#include <sys/wait.h>

static void run_script(const char *script, const char *args)
{
	char cmd[2048];
	int st, code;
	const char *ci = getenv("CI");

	snprintf(cmd, sizeof(cmd), "sh %s %s", script, args);
	fflush(stdout);
	st = system(cmd);
	code = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (code == 77 && !(ci && !strcmp(ci, "true"))) {
		t_skip("a tool the script needs is missing");
		return;
	}
	if (code != 0)
		t_fail(__FILE__, __LINE__, "'%s' exited %d", cmd, code);
	else
		CHECK(true);
}

TEST(docs_man_pages_render_and_cover_everything)
{
	const char *dir = getenv("CF_MAN");
	char args[1024];

	snprintf(args, sizeof(args), "'%s' '%s'", dir ? dir : "build/man",
		 t_callfence_bin());
	run_script("tests/man.sh", args);
}

TEST(docs_shell_completion)
{
	char args[1024];

	snprintf(args, sizeof(args), "'%s'", t_callfence_bin());
	run_script("tests/completion.sh", args);
}
