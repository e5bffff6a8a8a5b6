# shellcheck shell=sh
# Helpers for the shell tests of tests/sh/ (run by tools/run-tests from
# make check): each prints "ok: ..." / "FAIL: ..." / "skip: ..." lines and
# ends with "N passed, N failed, N skipped" like the C test binaries.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
: "${CF_O:=build}"
: "${CF_CC:=cc}"
: "${CF_SAN:=}"
t_pass=0 t_fail=0 t_skip=0

ok() { t_pass=$((t_pass + 1)); echo "ok: $*"; }
fail() { t_fail=$((t_fail + 1)); echo "FAIL: $*"; }
# A skip for a missing tool is a failure in CI (.ci/run installs it).
skip() {
	if [ "${CI:-}" = true ]; then
		fail "$* (CI=true: .ci/run installs what this needs)"
	else
		t_skip=$((t_skip + 1)); echo "skip: $*"
	fi
}
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	d=$1; shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}
finish() {
	echo "$t_pass passed, $t_fail failed, $t_skip skipped"
	[ "$t_fail" -eq 0 ]
	exit $?
}
hdr_version() {
	v=
	for p in MAJOR MINOR PATCH; do
		n=$(sed -n "s/^#define CF_VERSION_$p \\([0-9]*\\)\$/\\1/p" include/callfence.h)
		v=$v${v:+.}$n
	done
	echo "$v"
}
