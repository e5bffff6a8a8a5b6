#!/bin/sh
# Recording overhead, side by side in one run (docs/record.md): a
# syscall-heavy workload plain, under `strace -f -o /dev/null`, and under
# `callfence record --backend ptrace`. Each is run RUNS times in turn
# (interleaved, so a slow moment of the machine hits all three); the table
# gives the median wall time and the ratio to plain.
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
	"$@" >/dev/null 2>&1
	t1=$(now)
	echo "$t1 - $t0" | bc >>"$tmp/$name"
}
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# bench KEY LABEL CMD...
bench() {
	key=$1 label=$2; shift 2
	k=0
	while [ $k -lt "$runs" ]; do
		run "$key.plain" "$@"
		run "$key.strace" strace -f -o /dev/null "$@"
		run "$key.record" "$cf" record -o "$tmp/p.json" -- "$@"
		k=$((k + 1))
	done
	strace -f -c -o "$tmp/c" "$@" >/dev/null 2>&1
	calls=$(awk '$NF == "total" {print $4}' "$tmp/c")
	p=$(median "$tmp/$key.plain")
	s=$(median "$tmp/$key.strace")
	r=$(median "$tmp/$key.record")
	printf '| %s | %s | %.3f | %.3f (%.1f×) | %.3f (%.1f×) |\n' "$label" \
		"$calls" "$p" "$s" "$(echo "$s / $p" | bc -l)" \
		"$r" "$(echo "$r / $p" | bc -l)"
}

echo "$files files, $runs runs each, median wall seconds; $(uname -r), $(nproc) CPUs"
echo
echo "| workload | calls | plain | strace -f -o /dev/null | callfence record (ptrace) |"
echo "|---|---|---|---|---|"
cd "$tmp"
bench tar "tar -cf t.tar tree" sh -c 'tar -cf t.tar tree && rm t.tar'
bench find "find tree + xargs stat" sh -c 'find tree -type f | xargs stat -c %s'
