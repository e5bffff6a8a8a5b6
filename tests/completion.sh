#!/bin/sh
# tests/completion.sh BIN: bash completion registers for callfence and
# completes commands, options (every option of each command's --help),
# capability names, --security-opt forms, ABI names and syscall names of
# the chosen ABI; the zsh completion loads through compinit. Exit 0 pass,
# 1 fail, 77 skip.
bin=${1:-build/callfence}
dir=$(cd "$(dirname "$bin")" && pwd)
command -v bash >/dev/null || { echo "  completion: skipped: no bash"; exit 77; }
[ -x "$bin" ] || { echo "  completion: $bin missing"; exit 1; }
# the tests complete the word "callfence": the binary under test first in PATH
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
ln -s "$dir/$(basename "$bin")" "$tmp/callfence"

PATH="$tmp:$PATH" bash --norc --noprofile -c '
fail=0
. completion/callfence.bash
case $(complete -p callfence) in
*"-F _callfence"*) ;;
*) echo "  completion: complete -p callfence: $(complete -p callfence)"; fail=1 ;;
esac
# has LINE WORD...: completing LINE offers every WORD
# hasnt LINE WORD...: it offers none of them
reply() { COMP_LINE=$1; COMP_POINT=${#1}; COMPREPLY=(); _callfence callfence; }
has() {
	local line=$1 w; shift; reply "$line"
	for w; do
		[[ " ${COMPREPLY[*]} " == *" $w "* ]] ||
			{ echo "  completion: \"$line\" lacks \"$w\" (got: ${COMPREPLY[*]:0:20})"; fail=1; }
	done
}
hasnt() {
	local line=$1 w; shift; reply "$line"
	for w; do
		[[ " ${COMPREPLY[*]} " != *" $w "* ]] ||
			{ echo "  completion: \"$line\" offers \"$w\""; fail=1; }
	done
}
cmds=$(callfence list commands)
has "callfence " $cmds --version --help
has "callfence help " $cmds
has "callfence com" compile
hasnt "callfence com" check run
has "callfence run --cap-add SYS_A" SYS_ADMIN
has "callfence run --cap-drop " ALL CHOWN NET_RAW SYS_ADMIN
has "callfence run --cap-add CAP_NET_R" CAP_NET_RAW
has "callfence run --security-opt " seccomp=builtin seccomp=unconfined seccomp=- no-new-privileges
has "callfence run --security-opt seccomp=bu" builtin
has "callfence run --security-opt seccomp=un" unconfined
has "callfence run --security-opt seccomp=tests/man" tests/man.sh
has "callfence run --privileged --security-opt no" no-new-privileges no-new-privileges=true
has "callfence compile --native aa" aarch64
has "callfence explain --abi SCMP_ARCH_" 
has "callfence explain --abi " x86_64 x86 x32 aarch64 arm
hasnt "callfence explain --abi " s390
has "callfence compile --format " raw c hex
has "callfence compile --enosys=" runc none
has "callfence compile -o " -
has "callfence check builtin --i" --ignore
has "callfence list " commands syscalls abis caps
has "callfence explain builtin ope" openat open
has "callfence explain --abi aarch64 builtin ope" openat
hasnt "callfence explain --abi aarch64 builtin ope" open
has "callfence explain --abi=x86 builtin socketc" socketcall
hasnt "callfence explain builtin socketc" socketcall
has "callfence explain builtin " 
has "callfence explain bu" builtin
# every option of each command s --help is offered after "-"
for c in $cmds; do
	opts=$(callfence $c --help | grep -oE -- "(^ *|\[|, |[A-Z] )--?[a-z][a-z-]*" |
		grep -oE -- "--?[a-z][a-z-]*" | sort -u)
	has "callfence $c -" $opts --help -h
done
exit $fail
' || exit 1

# zsh: "LINE|WORD..." offers every WORD; "LINE|!WORD" does not offer WORD.
# One interactive zsh (tests/zsh-complete.zsh) completes every LINE: that
# _callfence loads through compinit is part of it.
zcases='callfence |run compile check explain disasm default list help
callfence com|compile !check
callfence help d|default disasm
callfence run --cap-add SYS_AD|SYS_ADMIN
callfence run --cap-drop CAP_NET_R|CAP_NET_RAW
callfence run --security-opt |seccomp= no-new-privileges
callfence run --security-opt seccomp=bu|builtin
callfence compile --native aarc|aarch64
callfence compile --format |raw c hex
callfence check --i|--ignore
callfence list |commands syscalls abis caps
callfence explain --abi aarch64 builtin ope|openat !open
callfence explain --abi x86 builtin socketc|socketcall'
if command -v zsh >/dev/null; then
	zsh -n completion/_callfence || { echo "  completion: zsh: syntax"; exit 1; }
	# shellcheck disable=SC2001 # per line, not per string
	lines=$(echo "$zcases" | sed 's/|.*//')
	old_ifs=$IFS; IFS='
'
	# shellcheck disable=SC2086 # one argument per line
	# compinit's dump is kept beside the binary: made once, reused after
	got=$(PATH="$tmp:$PATH" ZCOMPDUMP="$dir/zcompdump" timeout 120 \
		zsh -f tests/zsh-complete.zsh "$PWD/completion" $lines) ||
		{ echo "  completion: zsh: tests/zsh-complete.zsh failed"; exit 1; }
	IFS=$old_ifs
	n=0 zfail=0
	echo "$zcases" | {
		while IFS='|' read -r line words; do
			n=$((n + 1))
			mine=" $(echo "$got" | sed -n "s/^$n://p" | tr '\n' ' ')"
			for w in $words; do
				case "$w" in
				!*) case "$mine" in *" ${w#!} "*)
					echo "  completion: zsh: \"$line\" offers \"${w#!}\""
					zfail=1 ;; esac ;;
				*) case "$mine" in *" $w "*) ;; *)
					echo "  completion: zsh: \"$line\" lacks \"$w\" (got:$mine)"
					zfail=1 ;; esac ;;
				esac
			done
		done
		exit $zfail
	} || exit 1
else
	echo "  completion: zsh absent: its file not tried"
fi
echo "  completion: bash and zsh cases passed"
