#!/bin/sh
# The golden files tests/golden/NAME.annotated (callfence disasm
# --annotate of the built-in profile and of every reference profile, made
# by tools/golden) are what the build makes now: a change in the shape of
# a program shows up here, as a diff to review. `make golden` makes them
# again (docs/internals.md).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
: "${CF_BIN:=$CF_O/callfence}"
: "${CF_SHARED:=../shared}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -d "$CF_SHARED/fixtures/profiles" ]; then
	skip "no $CF_SHARED/fixtures/profiles: the reference profiles"
	finish
fi
if ! CF_BIN=$CF_BIN CF_SHARED=$CF_SHARED tools/golden "$tmp/now" >"$tmp/log" 2>&1; then
	cat "$tmp/log"
	fail "tools/golden could not annotate every reference profile"
	finish
fi
# count FILE...: how many of them exist
count() { n=0; for f; do [ -e "$f" ] && n=$((n + 1)); done; echo "$n"; }
n=$(count "$tmp"/now/*.annotated)
check "$n annotated programs made (the built-in and every reference profile)" \
	test "$n" -eq $(($(count "$CF_SHARED"/fixtures/profiles/*.json) + 1))
for f in "$tmp"/now/*.annotated; do
	name=$(basename "$f")
	if [ ! -f "tests/golden/$name" ]; then
		fail "tests/golden/$name is missing: run make golden and review the diff"
	elif diff -u "tests/golden/$name" "$f" >"$tmp/diff"; then
		ok "tests/golden/$name is what the build makes"
	else
		cat "$tmp/diff"
		fail "tests/golden/$name differs from what the build makes (above, + now): run make golden and review the diff"
	fi
done
for f in tests/golden/*.annotated; do
	[ -f "$tmp/now/$(basename "$f")" ] ||
		fail "$f has no reference profile any more: run make golden and review the diff"
done
finish
