#!/bin/sh
# tests/man.sh MANDIR BIN: the man pages built by `make man` render with no
# groff or man warnings, every command has its page (named in callfence(1)),
# every option a command's --help names is on its page, and every function
# of include/callfence.h is in libcallfence(3). Exit 0 pass, 1 fail, 77 skip.
mandir=${1:-build/man} bin=${2:-build/callfence}
fail=0 n=0
bad() { echo "  man: $*"; fail=1; }
[ -z "$CF_MAN_SKIP" ] || { echo "  man: skipped: $CF_MAN_SKIP"; exit 77; }
for tool in groff man; do
	command -v $tool >/dev/null || { echo "  man: skipped: no $tool"; exit 77; }
done
[ -x "$bin" ] || { bad "$bin missing"; exit 1; }
for page in "$mandir"/*.[0-9]; do
	[ -e "$page" ] || { bad "no pages in $mandir (make man)"; exit 1; }
	n=$((n + 1))
	out=$(LC_ALL=C.UTF-8 groff -ww -man -z "$page" 2>&1) || bad "$page: groff failed"
	[ -z "$out" ] || bad "$page: groff -ww: $out"
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) ||
		bad "$page: man -l failed"
	[ -z "$out" ] || bad "$page: man --warnings: $out"
done
cmds=$("$bin" list commands) || bad "'$bin list commands' failed"
for cmd in $cmds; do
	page=man/callfence-$cmd.1.scd
	[ -e "$mandir/callfence-$cmd.1" ] || bad "no page callfence-$cmd(1)"
	grep -q "^\*$cmd\*\$" man/callfence.1.scd ||
		bad "callfence(1) does not list '$cmd' under COMMANDS"
	for opt in $("$bin" "$cmd" --help | grep -oE -- '(^ *|\[|, |[A-Z] )--?[a-z][a-z-]*' |
		grep -oE -- '--?[a-z][a-z-]*' | sort -u); do
		grep -qF -- "*$opt" "$page" ||
			bad "$page: option '$opt' of 'callfence $cmd --help' is not described"
	done
done
for fn in $(grep -oE '\bcf_[a-z0-9_]+\(' include/callfence.h | tr -d '(' | sort -u); do
	grep -q "$fn" man/libcallfence.3.scd || bad "libcallfence(3) does not describe $fn"
done
[ -e "$mandir/callfence-profile.5" ] || bad "no callfence-profile(5)"
[ -e "$mandir/libcallfence.3" ] || bad "no libcallfence(3)"
echo "  man: $n pages checked"
exit $fail
