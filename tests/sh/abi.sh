#!/bin/sh
# The ABI of the built libcallfence.so equals the committed baseline
# (tools/abi-check: abidw/abidiff from abigail-tools), and the check would
# catch a change: a baseline with one function fewer and one with a public
# struct member more both differ.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
so=$CF_O/libcallfence.so.$(hdr_version)
if ! command -v abidiff >/dev/null 2>&1; then
	skip "abidiff is missing (Debian package abigail-tools)"
	finish
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if tools/abi-check "$so" >"$tmp/out" 2>&1; then
	ok "$so has the ABI of abi/libcallfence.abi"
else
	cat "$tmp/out"
	fail "$so differs from abi/libcallfence.abi (see docs/abi.md)"
fi
# a baseline that had one more function: the build "removed" it
awk '/<elf-function-symbols>/ { print; print "    <elf-symbol name='"'"'cf_gone'"'"' type='"'"'func-type'"'"' binding='"'"'global-binding'"'"' visibility='"'"'default-visibility'"'"' is-defined='"'"'yes'"'"'/>"; next } { print }' \
	abi/libcallfence.abi >"$tmp/more.abi"
check "a removed function fails the check" \
	sh -c "! tools/abi-check '$so' '$tmp/more.abi' >/dev/null 2>&1"
# a baseline whose struct cf_error had one member fewer: the build "added" it
awk '/<class-decl name=.cf_error./ { inclass = 1 }
     inclass && /<data-member/ && !done { skip = 1; done = 1 }
     skip { if (/<\/data-member>/) skip = 0; next }
     { print }' abi/libcallfence.abi >"$tmp/layout.abi"
if cmp -s abi/libcallfence.abi "$tmp/layout.abi"; then
	fail "could not edit struct cf_error in the baseline copy"
else
	check "a changed public struct fails the check" \
		sh -c "! tools/abi-check '$so' '$tmp/layout.abi' >/dev/null 2>&1"
fi
finish
