#!/bin/sh
# Recording overhead, side by side in one run (docs/record.md): a
# syscall-heavy workload plain, under `strace -f -o /dev/null`, under
# `callfence record --backend ptrace` and `--backend ebpf` (where it works:
# root, BTF, built in). Each is run RUNS times in turn (interleaved, so a
# slow moment of the machine hits all of them); the table gives the median
# wall time, the ratio to plain, and what each recorder lost over all runs
# (ptrace: runs that failed for a loss; ebpf: processes + calls + exits +
# argument values its maps could not hold; strace stops every call, so it
# has no such count).
#
#   bench/record.sh [CALLFENCE] [RUNS]        (make bench-record)
#
# Workloads: tar of a generated tree (FILES files in nested directories,
# written to a file), and find + stat over the same tree.
set -eu
cf=$(realpath "${1:-build/callfence}")
runs=${2:-7}
files=${FILES:-2000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v strace >/dev/null || { echo "bench/record.sh: needs strace" >&2; exit 77; }

# the tree: files/100 directories of 100 files, 1 KiB each
i=0
while [ $i -lt $((files / 100)) ]; do
	mkdir -p "$tmp/tree/d$i/e"
	j=0
	while [ $j -lt 100 ]; do
		head -c 1024 /dev/zero >"$tmp/tree/d$i/e/f$j"
		j=$((j + 1))
	done
	i=$((i + 1))
done

now() { date +%s.%N; }
# run NAME CMD...: one timed run, appended to $tmp/NAME
run() {
	name=$1; shift
	t0=$(now)
	"$@" >/dev/null 2>>"$tmp/$name.err"
	t1=$(now)
	echo "$t1 - $t0" | bc >>"$tmp/$name"
}
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# the eBPF backend where it works, else why not
ebpf=yes
if ! why=$("$cf" record --backend ebpf -o /dev/null -- true 2>&1 >/dev/null); then
	ebpf=$(echo "$why" | grep -m1 -o 'ebpf: .*\|callfence: .*' | cut -c1-80)
fi

# lost NAME: what the recorder of NAME lost over its runs
lost() {
	case $1 in
	*.ptrace) grep -c 'calls may be missing' "$tmp/$1.err" || true ;;
	*.ebpf) grep -o 'lost: [0-9]* processes, [0-9]* calls, [0-9]* exits, [0-9]* argument values' "$tmp/$1.err" |
		awk '{n += $2 + $4 + $6 + $8} END {print n + 0}' ;;
	esac
}

# bench KEY LABEL CMD...
bench() {
	key=$1 label=$2; shift 2
	k=0
	while [ $k -lt "$runs" ]; do
		run "$key.plain" "$@"
		run "$key.strace" strace -f -o /dev/null "$@"
		run "$key.ptrace" "$cf" record --backend ptrace -o "$tmp/p.json" -- "$@"
		if [ "$ebpf" = yes ]; then
			run "$key.ebpf" "$cf" record --backend ebpf -o "$tmp/e.json" -- "$@"
		fi
		k=$((k + 1))
	done
	strace -f -c -o "$tmp/c" "$@" >/dev/null 2>&1
	calls=$(awk '$NF == "total" {print $4}' "$tmp/c")
	p=$(median "$tmp/$key.plain")
	s=$(median "$tmp/$key.strace")
	r=$(median "$tmp/$key.ptrace")
	if [ "$ebpf" = yes ]; then
		e=$(median "$tmp/$key.ebpf")
		ecol=$(printf '%.3f (%.2f×), lost %s' "$e" "$(echo "$e / $p" | bc -l)" "$(lost "$key.ebpf")")
	else
		ecol="n/a ($ebpf)"
	fi
	printf '| %s | %s | %.3f | %.3f (%.2f×) | %.3f (%.2f×), lost %s | %s |\n' "$label" \
		"$calls" "$p" "$s" "$(echo "$s / $p" | bc -l)" \
		"$r" "$(echo "$r / $p" | bc -l)" "$(lost "$key.ptrace")" "$ecol"
}

echo "$files files, $runs runs each, median wall seconds; $(uname -r), $(nproc) CPUs"
echo
echo "| workload | calls | plain | strace -f -o /dev/null | record --backend ptrace | record --backend ebpf |"
echo "|---|---|---|---|---|---|"
cd "$tmp"
bench true "true (start-up cost only)" true
bench tar "tar -cf t.tar tree" sh -c 'tar -cf t.tar tree && rm t.tar'
bench find "find tree + xargs stat" sh -c 'find tree -type f | xargs stat -c %s'
