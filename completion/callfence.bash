# bash completion for callfence(1)                      -*- shell-script -*-
# SPDX-License-Identifier: Apache-2.0
# Install as /usr/share/bash-completion/completions/callfence, or source it.
# Names that callfence knows (commands, syscalls, ABIs, capabilities) come
# from `callfence list`; options are listed here, per command (tests/
# completion.sh checks them against each command's --help).

_callfence_opts_run='--security-opt --cap-add --cap-drop --privileged
	--pids-limit --user -u --group-add --preserve-fds --enosys --complain
	--complain= --harden --ignore --help -h'
_callfence_opts_compile='--native --caps --kernel --enosys --harden --strict --stats --json --format
	--output -o --help -h'
_callfence_opts_check='--native --caps --kernel --enosys --harden --strict --ignore
	--json --subset --help -h'
_callfence_opts_audit_log='--since --profile --json --kmsg --file --help -h'
_callfence_opts_convert='--audit --output -o --help -h'
_callfence_opts_merge='--native --caps --kernel --enosys --output -o --help -h'
_callfence_opts_diff='--native --caps --kernel --enosys --json --help -h'
_callfence_opts_explain='--abi --native --caps --kernel --enosys --harden --json
	--help -h'
_callfence_opts_inspect='--json --compare --caps --pid --disasm --help -h'
_callfence_opts_disasm='--annotate --native --caps --kernel --enosys --harden --json --help -h'
_callfence_opts_default='--help -h'
_callfence_opts_list='--json --abi --help -h'
_callfence_opts_record='--output -o --backend --base --args --max-values --append --runtime --help -h'
_callfence_opts_oci_hook='--install --uninstall --hooks-dir --recorder
	--state-dir --wait --help -h'
_callfence_opts_record+=' --allow-loss --container --duration'
_callfence_opts_agent='--socket --policy --log --help -h'

# Candidates in "$2" (a word list) matching the current word "$1"; a prefix
# up to the last '=' or ':' of the word is left out, as bash splits words
# there (COMP_WORDBREAKS).
_callfence_reply()
{
	local cur=$1 pre='' w
	if [[ $cur == *[=:]* && $COMP_WORDBREAKS == *[=:]* ]]; then
		pre=${cur%"${cur##*[=:]}"}
	fi
	COMPREPLY=()
	for w in $2; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("${w#"$pre"}")
	done
}

_callfence_files()
{
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$1")
	compopt -o filenames 2>/dev/null
}

# seccomp=PROFILE: the named profiles, then files
_callfence_seccomp()
{
	_callfence_reply "$1" "seccomp=builtin seccomp=unconfined seccomp=-"
	_callfence_files "${1#seccomp=}"
}

_callfence_caps()
{
	local c out=ALL
	for c in $("$1" list caps 2>/dev/null); do
		out+=" ${c#CAP_}"
		[[ ${2^^} == CAP_* ]] && out+=" $c"
	done
	echo "$out"
}

_callfence()
{
	local bin=$1 line=${COMP_LINE:0:COMP_POINT} cur prev cmd='' abi=''
	local -a words
	local i nargs=0

	# words split on blanks only: "--security-opt seccomp=x" stays whole
	read -ra words <<<"$line"
	if [[ $line == *[[:blank:]] || ${#words[@]} -eq 0 ]]; then
		words+=('')
	fi
	cur=${words[-1]}
	prev=${words[-2]-}
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		if [[ -z $cmd && ${words[i]} != -* ]]; then
			cmd=${words[i]}
		elif [[ -n $cmd && ${words[i - 1]} == --abi ]]; then
			abi=${words[i]}
		elif [[ -n $cmd && ${words[i]} == --abi=* ]]; then
			abi=${words[i]#--abi=}
		fi
	done

	if [[ -z $cmd ]]; then
		_callfence_reply "$cur" "$("$bin" list commands 2>/dev/null) help --help -h --version"
		return
	fi
	if [[ $cmd == help ]]; then
		_callfence_reply "$cur" "$("$bin" list commands 2>/dev/null)"
		return
	fi

	# an option's value
	case $prev in
	--cap-add | --cap-drop)
		_callfence_reply "$cur" "$(_callfence_caps "$bin" "$cur")"
		return ;;
	--security-opt)
		if [[ $cur == seccomp=* ]]; then
			_callfence_seccomp "$cur"
			return
		fi
		_callfence_reply "$cur" "seccomp=builtin seccomp=unconfined
			seccomp=- seccomp= no-new-privileges
			no-new-privileges=true no-new-privileges=false
			apparmor=unconfined label=disable"
		[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] &&
			compopt -o nospace 2>/dev/null
		return ;;
	--native | --abi)
		_callfence_reply "$cur" "$("$bin" list abis 2>/dev/null)"
		return ;;
	--format)
		_callfence_reply "$cur" "raw c hex"
		return ;;
	--caps)
		_callfence_reply "$cur" "default all none default+CAP_ default-CAP_"
		compopt -o nospace 2>/dev/null
		return ;;
	--enosys)
		_callfence_reply "$cur" "runc none"
		return ;;
	--backend)
		_callfence_reply "$cur" "ptrace ebpf"
		return ;;
	--container)
		_callfence_reply "$cur" "$(docker ps --format '{{.Names}}' 2>/dev/null)"
		return ;;
	--duration)
		return ;;
	--recorder)
		_callfence_reply "$cur" "auto ebpf ptrace"
		return ;;
	--hooks-dir | --state-dir)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		compopt -o filenames 2>/dev/null
		return ;;
	--base)
		_callfence_reply "$cur" builtin
		_callfence_files "$cur"
		return ;;
	-o | --output)
		_callfence_reply "$cur" "-"
		_callfence_files "$cur"
		return ;;
	--compare)
		_callfence_reply "$cur" builtin
		_callfence_files "$cur"
		return ;;
	--socket | --policy | --log)
		_callfence_files "$cur"
		return ;;
	-u | --user)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		return ;;
	--group-add)
		mapfile -t COMPREPLY < <(compgen -g -- "$cur")
		return ;;
	--kernel | --pids-limit | --preserve-fds | --ignore | --wait)
		return ;;
	--profile | --annotate)
		_callfence_reply "$cur" "builtin -"
		_callfence_files "$cur"
		return ;;
	--file)
		_callfence_files "$cur"
		return ;;
	--json)
		# a value only for audit-log (a flag elsewhere)
		[[ $cmd == audit-log ]] && { _callfence_files "$cur"; return; } ;;
	--since)
		return ;;
	--pid)
		mapfile -t COMPREPLY < <(compgen -W "$(cd /proc && ls -d [0-9]* 2>/dev/null)" -- "$cur")
		return ;;
	esac
	case $cur in
	seccomp=*)
		_callfence_seccomp "$cur"
		return ;;
	--enosys=*)
		_callfence_reply "$cur" "--enosys=runc --enosys=none"
		return ;;
	--complain=*)
		mapfile -t COMPREPLY < <(compgen -f -P --complain= -- "${cur#--complain=}")
		return ;;
	--abi=*)
		_callfence_reply "$cur" "$("$bin" list abis 2>/dev/null | sed 's/^/--abi=/')"
		return ;;
	-*)
		local v=_callfence_opts_${cmd//-/_}
		_callfence_reply "$cur" "${!v-}"
		return ;;
	esac

	# operands
	for ((i = 2; i < ${#words[@]} - 1; i++)); do
		case ${words[i]} in
		--abi | --native | --caps | --kernel | --enosys | --format | \
			--ignore | -o | --output | --compare | --backend | --base | \
			--container | --duration | --pid | --since | --profile | --file | \
			--annotate) ((i++)) ;;
		-*) ;;
		*) ((nargs++)) ;;
		esac
	done
	case $cmd in
	run | record) [[ $nargs -eq 0 ]] && mapfile -t COMPREPLY < <(compgen -c -- "$cur") ;;
	compile | check | merge | diff | convert) _callfence_reply "$cur" builtin; _callfence_files "$cur" ;;
	explain)
		if [[ $nargs -eq 0 ]]; then
			_callfence_reply "$cur" builtin
			_callfence_files "$cur"
		elif [[ $nargs -eq 1 ]]; then
			_callfence_reply "$cur" "$("$bin" list syscalls ${abi:+--abi "$abi"} 2>/dev/null)"
		fi ;;
	disasm) _callfence_reply "$cur" "-"; _callfence_files "$cur" ;;
	list) [[ $nargs -eq 0 ]] && _callfence_reply "$cur" "commands syscalls abis caps" ;;
	esac
}
complete -F _callfence callfence
