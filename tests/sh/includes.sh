#!/bin/sh
# The include graph draws the pipeline (docs/internals.md, "What may
# include what"): each internal header and each library source includes
# only the headers its row below allows, so a stage cannot reach past its
# neighbour (the code generator cannot see the profile AST). A new header
# or library file needs a row here. Outside lib/: cli/ sees the public
# header and its own headers only; tests, fuzz, bench and tools may include
# any internal header. Every file also includes only headers it reads: an
# internal header whose declarations a file never names is a failure.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# FILE: the internal headers (lib/*.h) it may include directly.
# callfence.h (the public header) is allowed everywhere.
HEADERS='
base.h:
input.h: base.h
jptr.h:
json.h: base.h
action.h: base.h
profile.h: base.h action.h
syscalls.h: base.h
ruleset.h: base.h
ir.h: base.h ruleset.h syscalls.h
bpf_gen.h: ir.h
gen_values.h:
gen_unreached.h:
gen_scratch.h:
sort.h:
gen_internal.h: base.h action.h ir.h bpf_gen.h
filter.h: ruleset.h ir.h bpf_gen.h
reach.h: ir.h
algebra.h: base.h
cgroup.h: base.h
record_obs.h: base.h
run_calls.h: base.h
'
# Library sources, by stage.
SOURCES='
util.c: base.h sort.h
diag.c: base.h
version.c:
input.c: base.h input.h
jptr.c: jptr.h
json.c: base.h json.h
action.c: base.h action.h
errno_table.c: base.h action.h
caps.c: base.h input.h
target.c: base.h
profile_parse.c: base.h input.h json.h action.h profile.h jptr.h
builtin.c:
syscalls.c: base.h syscalls.h
syscalls_table.c: syscalls.h
catalog.c: syscalls.h
resolve.c: base.h action.h profile.h syscalls.h ruleset.h jptr.h
ir_build.c: base.h action.h syscalls.h ruleset.h ir.h
ir_eval.c: action.h syscalls.h ruleset.h ir.h
bpf_gen.c: base.h action.h bpf_gen.h gen_internal.h gen_scratch.h
gen_emit.c: action.h gen_internal.h gen_scratch.h
gen_args.c: action.h gen_internal.h gen_values.h gen_scratch.h sort.h
gen_fold.c: gen_internal.h gen_scratch.h syscalls.h
gen_search.c: action.h gen_internal.h gen_scratch.h gen_values.h
gen_share.c: gen_internal.h
gen_tails.c: gen_internal.h gen_scratch.h
gen_graph.c: action.h gen_internal.h gen_scratch.h gen_values.h
gen_link.c: gen_internal.h gen_unreached.h
gen_values.c: gen_values.h
gen_unreached.c: gen_unreached.h
gen_scratch.c: base.h gen_scratch.h
sys_weights.c: base.h bpf_gen.h
bpf_check.c: base.h
bpf_sim.c: syscalls.h
bpf_print.c: base.h
bpf_cache.c: base.h action.h syscalls.h
annotate.c: base.h action.h syscalls.h ruleset.h ir.h filter.h
compile.c: base.h action.h profile.h syscalls.h ruleset.h ir.h bpf_gen.h filter.h
check.c: base.h action.h profile.h syscalls.h ruleset.h ir.h filter.h reach.h jptr.h
reach.c: action.h syscalls.h ruleset.h ir.h reach.h
algebra.c: base.h action.h syscalls.h ruleset.h ir.h filter.h reach.h algebra.h
record.c: base.h action.h syscalls.h ruleset.h ir.h filter.h record_obs.h
record_args.c: base.h syscalls.h record_obs.h run_calls.h
audit.c: base.h json.h
agent_policy.c: base.h action.h json.h
oci_state.c: base.h json.h jptr.h
apply.c: base.h
run.c: base.h action.h cgroup.h run_calls.h
cgroup.c: base.h cgroup.h input.h
'
# FILE HEADER: headers a file must not see, even through other headers.
NEVER='
lib/bpf_gen.c profile.h
lib/bpf_gen.c json.h
lib/bpf_gen.c input.h
lib/gen_internal.h profile.h
lib/gen_internal.h json.h
lib/gen_internal.h input.h
lib/gen_emit.c profile.h
lib/gen_emit.c json.h
lib/gen_emit.c input.h
lib/gen_args.c profile.h
lib/gen_args.c json.h
lib/gen_args.c input.h
lib/gen_search.c profile.h
lib/gen_search.c json.h
lib/gen_search.c input.h
lib/gen_share.c profile.h
lib/gen_share.c json.h
lib/gen_share.c input.h
lib/gen_link.c profile.h
lib/gen_link.c json.h
lib/gen_link.c input.h
lib/ir_build.c profile.h
lib/ir_eval.c profile.h
lib/reach.c profile.h
lib/bpf_gen.h profile.h
lib/ir.h profile.h
lib/ruleset.h profile.h
lib/filter.h profile.h
'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# includes FILE: the quoted includes of FILE, one a line
includes() { sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"; }
# allowed TABLE NAME: the row of NAME, or "-" when it has none
allowed() {
	printf '%s\n' "$1" | awk -v n="$2:" '$1 == n { $1 = ""; print; f = 1 } END { if (!f) print "-" }'
}

# every include of FILE is in its row (ROW: the allowed headers)
check_row() {
	f=$1 row=$2 bad=
	for h in $(includes "$f"); do
		[ "$h" = callfence.h ] && continue
		case " $row " in *" $h "*) ;; *) bad="$bad $h" ;; esac
	done
	if [ -n "$bad" ]; then
		fail "$f includes$bad, which its row in tests/sh/includes.sh does not allow (allowed:${row:- none})"
	else
		echo "$f" >>"$tmp/rows-ok"
	fi
}

for f in lib/*.h; do
	row=$(allowed "$HEADERS" "${f#lib/}")
	if [ "$row" = - ]; then
		fail "$f has no row in tests/sh/includes.sh: add it with the headers it may include"
		continue
	fi
	check_row "$f" "$row"
done
for f in lib/*.c; do
	row=$(allowed "$SOURCES" "${f#lib/}")
	if [ "$row" = - ]; then
		fail "$f has no row in tests/sh/includes.sh: add it with the headers it may include"
		continue
	fi
	check_row "$f" "$row"
done
check "every lib/ file's includes are within its row ($(wc -l <"$tmp/rows-ok" 2>/dev/null || echo 0) files)" \
	test "$t_fail" -eq 0

# cli/ uses the public header, its own headers and the tool's eBPF
# program (ebpf/*.h, the generated skeleton and tools/gen-bpf-load's
# headers) only
bad=
for f in cli/*.c cli/*.h include/*.h; do
	[ -f "$f" ] || continue
	for h in $(includes "$f"); do
		[ "$h" = callfence.h ] && continue
		[ -f "cli/$h" ] && [ "${f%%/*}" = cli ] && continue
		[ "${f%%/*}" = cli ] && [ -f "ebpf/$h" ] && continue
		[ "${f%%/*}" = cli ] && case $h in *.skel.h | *.lskel.h | *.load.h) true ;; *) false ;; esac && continue
		bad="$bad $f:$h"
	done
done
check "cli/ and include/ include no internal header${bad:+ (not:$bad)}" test -z "$bad"

# no umbrella header, no file reaching for the old one
check "lib/cf.h is gone (per-stage headers instead)" test ! -e lib/cf.h
stale=$(grep -l '^#include "cf.h"' lib/*.[ch] cli/*.[ch] tests/*.[ch] tests/*/*.[ch] \
	fuzz/*.c bench/*.[ch] tools/*.c 2>/dev/null | tr '\n' ' ')
check "no file includes cf.h${stale:+ (still: $stale)}" test -z "$stale"

# the public header names no internal type: the code generator's options
# (cf_gen_opts) and the stages' structs can grow without an ABI change
leaked=$(grep -owE 'cf_(gen_opts|prog|ir|ir_[a-z]+|ruleset|rule|rule_src|cond|arena|json|p_[a-z]+|arch|sysinfo)' \
	include/callfence.h | sort -u | tr '\n' ' ')
check "include/callfence.h names no internal type${leaked:+ (it names: $leaked)}" \
	test -z "$leaked"

# closure FILE: every header FILE sees, directly or through others
closure() {
	: >"$tmp/seen"
	todo=$(includes "$1")
	while [ -n "$todo" ]; do
		next=
		for h in $todo; do
			grep -qx "$h" "$tmp/seen" && continue
			echo "$h" >>"$tmp/seen"
			[ -f "lib/$h" ] && next="$next $(includes "lib/$h")"
		done
		todo=$next
	done
	cat "$tmp/seen"
}
printf '%s\n' "$NEVER" | while read -r f h; do
	[ -n "$f" ] || continue
	if closure "$f" | grep -qx "$h"; then
		echo "$f sees $h" >>"$tmp/never"
	fi
done
if [ -s "$tmp/never" ]; then
	fail "a stage reaches past its neighbour: $(tr '\n' ';' <"$tmp/never")"
else
	ok "bpf_gen.c and gen_*.c see neither the profile AST nor JSON; the IR stages and the headers after resolution do not see profile.h"
fi

# names HEADER: a grep -E pattern of what HEADER declares (types, functions,
# variables, macros; X-macro enumerators as their prefix; gen_internal.h's
# names have no cf_ prefix)
names() {
	{
		sed -n 's/^\(struct\|enum\) \([a-z][a-z0-9_]*\) {.*/\2/p' "$1"
		sed -n 's/^#define \([A-Z][A-Z0-9_]*\).*/\1/p' "$1" | grep -v '_H$'
		sed -n 's/^[a-z].*[ *]\([a-z][a-z0-9_]*\)(.*/\1/p' "$1"
		sed -n 's/^extern .*[ *]\(cf_[a-z0-9_]*\)\(\[.*\)\{0,1\};/\1/p' "$1"
		sed -n 's/^[[:space:]]*\(CF_[A-Z0-9_]*\)[,=].*/\1/p' "$1"
		sed -n 's/.*\(CF_[A-Z]*_\)##.*/\1[A-Z0-9_]*/p' "$1"
	} | sort -u | paste -sd'|' -
}
for h in lib/*.h; do
	names "$h" >"$tmp/names.${h#lib/}"
done
unused=
for f in lib/*.[ch] tests/*.[ch] tests/*/*.[ch] fuzz/*.c bench/*.[ch] tools/*.c; do
	[ -f "$f" ] || continue
	for h in $(includes "$f"); do
		[ -s "$tmp/names.$h" ] || continue
		# base.h is every header's root (it brings the public types)
		case $f:$h in lib/*.h:base.h) continue ;; esac
		# comments and the include lines themselves do not count
		if ! sed -e 's|/\*.*\*/||g' -e 's|//.*||' -e '/#include/d' "$f" |
			grep -Eqw "$(cat "$tmp/names.$h")"; then
			unused="$unused $f:$h"
		fi
	done
done
check "every file names something of each internal header it includes${unused:+ (not:$unused)}" \
	test -z "$unused"

finish
