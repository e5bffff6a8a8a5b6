#!/bin/sh
# tools/run-tests fails a test that exits non-zero or dies after printing a
# clean summary (a crash, a LeakSanitizer report), and under make asan a
# leak in libcallfence is not hidden by tests/lsan.supp.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fake TEST-NAME BODY: a test that prints a clean summary, then runs BODY
fake() {
	printf '#!/bin/sh\necho "1 passed, 0 failed, 0 skipped"\n%s\n' "$2" >"$tmp/$1"
	chmod +x "$tmp/$1"
}
fake clean 'exit 0'
fake exits1 'exit 1'
fake exits23 'exit 23'
fake segv 'kill -SEGV $$'
# runs NAME: the run-tests exit status and its last line
runs() {
	tools/run-tests "$tmp/$1" >"$tmp/out" 2>&1
	echo "$? $(tail -n 1 "$tmp/out")"
}
check "a clean test passes" test "$(runs clean)" = "0 1 passed, 0 failed"
check "exit 1 after the summary fails" test "$(runs exits1)" = "1 1 passed, 1 failed"
check "LeakSanitizer's exit 23 after the summary fails" \
	test "$(runs exits23)" = "1 1 passed, 1 failed"
check "SIGSEGV after the summary fails" test "$(runs segv)" = "1 1 passed, 1 failed"
check "the reason is printed" grep -q "killed by signal 11 after its summary" "$tmp/out"
check "one failing test among passing ones fails the run" \
	sh -c "! tools/run-tests '$tmp/clean' '$tmp/exits1' '$tmp/clean' >/dev/null"

# under ASan: a leak of libcallfence memory, with make check's LSAN_OPTIONS
# (the suppression file), must fail
case $CF_SAN in
*address*)
	cat >"$tmp/leak.c" <<'EOC'
#include <callfence.h>
#include <stdio.h>
int main(void)
{
	struct cf_profile *p;
	struct cf_error err;

	if (cf_profile_builtin(&p, &err) < 0)
		return 2;
	printf("1 passed, 0 failed, 0 skipped\n");
	fflush(stdout); /* as tests/main.c: the summary is out first */
	return 0;       /* p leaks */
}
EOC
	# shellcheck disable=SC2086
	if $CF_CC $CF_SAN -Iinclude -o "$tmp/leak" "$tmp/leak.c" "$CF_O/libcallfence.a"; then
		check "LSAN_OPTIONS names tests/lsan.supp" \
			sh -c "echo '${LSAN_OPTIONS:-}' | grep -q 'suppressions=.*tests/lsan.supp'"
		check "a leak in libcallfence fails run-tests despite the suppressions" \
			test "$(runs leak)" = "1 1 passed, 1 failed"
		check "LeakSanitizer reported it" grep -q "LeakSanitizer" "$tmp/out"
	else
		fail "cannot build the leaking program"
	fi ;;
*)
	t_skip=$((t_skip + 1))
	echo "skip: the leak check runs under make asan" ;;
esac
finish
