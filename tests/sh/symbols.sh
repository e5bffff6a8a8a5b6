#!/bin/sh
# The exported symbols of each library built are exactly the functions of
# include/callfence.h: the version script lists each once, the shared
# library exports each (versioned) and nothing else, the static library
# defines each as a global and nothing else (the rest is local after
# objcopy --localize-hidden).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
: "${CF_SOVERSION:=0}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
v=$(hdr_version)
so=$CF_O/libcallfence.so.$v
a=$CF_O/libcallfence.a

# same NAME LIST-FILE: the list equals the header's, or a diff naming the
# difference (- only in the header, + only in NAME)
same() {
	if diff -u "$tmp/header" "$2" >"$tmp/diff"; then
		ok "$1: exactly the $(wc -l <"$tmp/header") functions of include/callfence.h"
	else
		fail "$1 differs from the header's functions (- header only, + $1 only):"
		sed -n '/^[-+][^-+]/p' "$tmp/diff"
	fi
}

tools/abi-symbols header >"$tmp/header"
check "the header declares functions" test -s "$tmp/header"
tools/abi-symbols map >"$tmp/map"
same "abi/libcallfence.map" "$tmp/map"
if [ ! -f "$so" ] || [ ! -f "$a" ]; then
	fail "$so and $a are built by make all"
	finish
fi
tools/abi-symbols so "$so" >"$tmp/so-versioned"
sed 's/@.*//' "$tmp/so-versioned" | sort -u >"$tmp/so"
same "$so exports" "$tmp/so"
unversioned=$(grep -v '@CALLFENCE_[0-9][0-9.]*$' "$tmp/so-versioned" || true)
check "every exported symbol has a CALLFENCE_ version${unversioned:+ (not: $unversioned)}" \
	test -z "$unversioned"
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check "soname is libcallfence.so.$CF_SOVERSION (got $soname)" \
	test "$soname" = "libcallfence.so.$CF_SOVERSION"
tools/abi-symbols a "$a" >"$tmp/a"
same "$a defines" "$tmp/a"
members=$(ar t "$a" | wc -l)
check "$a is one relocatable object (has $members)" test "$members" -eq 1
finish
