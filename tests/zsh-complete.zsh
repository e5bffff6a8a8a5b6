# zsh -f tests/zsh-complete.zsh COMPDIR LINE...: for each LINE, the
# candidates zsh's completion system offers for LINE followed by TAB, one
# "N:candidate" row each (N: the LINE's position, from 1), from one
# interactive zsh on a pseudo-terminal (zsh/zpty) with COMPDIR first in
# fpath (ZCOMPDUMP: where compinit keeps its dump, which takes seconds to
# make the first time). compadd is wrapped to print what each call adds.
# tests/completion.sh runs it.
zmodload zsh/zpty || exit 77
compdir=$1 out= chunk= n=0
shift
zpty z zsh -f -i
zpty -w z "PROMPT='' RPROMPT=''; fpath=(${(q)compdir} \$fpath)"
zpty -w z "autoload -U compinit; compinit -u -d ${(q)ZCOMPDUMP:-${TMPDIR:-/tmp}/zcompdump}"
zpty -w z 'bindkey -e; unsetopt autolist listambiguous; zstyle ":completion:*" insert-tab false'
# one line, no tabs: a tab typed into the shell would complete
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a hits; local h r; builtin compadd -A hits "$@"; r=$?; for h in $hits; do print -r -- "H""IT:$h"; done; builtin compadd "$@"; return r; }'
# TAB completes, then marks the end of what it printed
zpty -w z 'cf-complete() { zle complete-word; print -r -- "CF""_END" }; zle -N cf-complete; bindkey "^I" cf-complete'
for line; do
	n=$((n + 1)) out=
	zpty -w -n z "$line"$'\t'
	while zpty -r z chunk; do
		out+=$chunk
		[[ $out == *CF_END* ]] && break
	done
	zpty -w -n z $'\C-e\C-u'
	print -r -- "$out" | grep -ao 'HIT:[^[:cntrl:]]*' | sed "s/^HIT:/$n:/" | sort -u
done
zpty -d z
