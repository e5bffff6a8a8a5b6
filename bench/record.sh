#!/bin/sh
# Recording overhead, side by side in one run (docs/record.md): a
# syscall-heavy workload plain, under `strace -f -o /dev/null`, under
# `callfence record --backend ptrace` and `--backend ebpf` (where it works:
# root, BTF, built in). Each is run RUNS times in turn (interleaved, so a
# slow moment of the machine hits all of them).
#
#   bench/record.sh [CALLFENCE] [RUNS]        (make bench-record)
#   BASELINE=OLD/callfence bench/record.sh ...
#
# BASELINE adds a column "ebpf (baseline)": another build's `record
# --backend ebpf`, run in the same interleaved rounds (a change to the
# recorder measured against the one before it, side by side).
#
# Two tables:
#  1. wall time: median (ratio to plain's median) and the range over the
#     runs, and what each recorder lost over all runs (ptrace: runs that
#     failed for a loss; ebpf: processes + calls + exits + argument values
#     its maps could not hold; strace stops every call, it has no count);
#  2. CPU time (user + system of the whole tree, medians), split into what
#     the goal "ebpf <= 1.2x plain" mixes: a fixed start-up cost (the
#     `true` row: recorder minus plain) and a cost per system call (the
#     rest of a workload's overhead divided by its calls), and the ratio
#     of the short workload and of the same workload 5 times in one
#     recording (the fixed cost paid once).
#
# Workloads: tar of a generated tree (FILES files in nested directories,
# written to a file), find + stat over the same tree, and tar 5 times.
set -eu
cf=$(realpath "${1:-build/callfence}")
runs=${2:-7}
files=${FILES:-2000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v strace >/dev/null || { echo "bench/record.sh: needs strace" >&2; exit 77; }
command -v python3 >/dev/null || { echo "bench/record.sh: needs python3" >&2; exit 77; }

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

# run NAME CMD...: one run; "wall cpu" appended to $tmp/NAME (cpu: user +
# system of CMD and everything it started, from getrusage)
run() {
	name=$1
	shift
	python3 - "$tmp/$name" "$@" 2>>"$tmp/$name.err" <<'EOF'
import resource, subprocess, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
c0, t0 = cpu(), time.monotonic()
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL)
t1, c1 = time.monotonic(), cpu()
with open(sys.argv[1], "a") as f:
    f.write("%.6f %.6f\n" % (t1 - t0, c1 - c0))
EOF
}
# pick FILE COLUMN median|min|max
pick() {
	awk -v c="$2" '{print $c}' "$1" | sort -n | awk -v w="$3" '{a[NR]=$1}
		END {print w == "min" ? a[1] : w == "max" ? a[NR] : a[int((NR+1)/2)]}'
}
ratio() { echo "$1 / $2" | bc -l; }

# the eBPF backend where it works, else why not
ebpf=yes
if ! why=$("$cf" record --backend ebpf -o /dev/null -- true 2>&1 >/dev/null); then
	ebpf=$(echo "$why" | grep -m1 -o 'ebpf: .*\|callfence: .*' | cut -c1-80)
fi
recorders="strace ptrace"
[ "$ebpf" != yes ] || recorders="$recorders ebpf"
baseline=${BASELINE:+$(realpath "$BASELINE")}
[ -z "$baseline" ] || [ "$ebpf" != yes ] || recorders="$recorders base"

# lost NAME: what the recorder of NAME lost over its runs
lost() {
	case $1 in
	*.ptrace) grep -c 'calls may be missing' "$tmp/$1.err" || true ;;
	*.ebpf | *.base) grep -o 'lost: [0-9]* processes, [0-9]* calls, [0-9]* exits, [0-9]* argument values' "$tmp/$1.err" |
		awk '{n += $2 + $4 + $6 + $8} END {print n + 0}' ;;
	esac
}

# cell KEY REC: median wall (ratio) and range, for table 1
cell() {
	m=$(pick "$tmp/$1.$2" 1 median)
	printf '%.3f (%.2f×) %.3f–%.3f' "$m" "$(ratio "$m" "$(pick "$tmp/$1.plain" 1 median)")" \
		"$(pick "$tmp/$1.$2" 1 min)" "$(pick "$tmp/$1.$2" 1 max)"
	case $2 in
	ptrace | ebpf | base) printf ', lost %s' "$(lost "$1.$2")" ;;
	esac
}

# bench KEY LABEL CMD...: RUNS interleaved runs, one row of table 1
bench() {
	key=$1 label=$2
	shift 2
	k=0
	while [ $k -lt "$runs" ]; do
		run "$key.plain" "$@"
		run "$key.strace" strace -f -o /dev/null "$@"
		run "$key.ptrace" "$cf" record --backend ptrace -o "$tmp/p.json" -- "$@"
		if [ "$ebpf" = yes ]; then
			run "$key.ebpf" "$cf" record --backend ebpf -o "$tmp/e.json" -- "$@"
		fi
		if [ -n "$baseline" ] && [ "$ebpf" = yes ]; then
			run "$key.base" "$baseline" record --backend ebpf -o "$tmp/b.json" -- "$@"
		fi
		k=$((k + 1))
	done
	strace -f -c -o "$tmp/c" "$@" >/dev/null 2>&1
	awk '$NF == "total" {print $4}' "$tmp/c" >"$tmp/$key.calls"
	printf '| %s | %s | %.3f %.3f–%.3f' "$label" "$(cat "$tmp/$key.calls")" \
		"$(pick "$tmp/$key.plain" 1 median)" "$(pick "$tmp/$key.plain" 1 min)" \
		"$(pick "$tmp/$key.plain" 1 max)"
	for r in strace ptrace ebpf ${baseline:+base}; do
		if [ -s "$tmp/$key.$r" ]; then
			printf ' | %s' "$(cell "$key" "$r")"
		else
			printf ' | n/a (%s)' "$ebpf"
		fi
	done
	echo " |"
}

# cost REC: one row of table 2
cost() {
	r=$1
	cpu() { pick "$tmp/$1.$2" 2 median; }
	fixed=$(echo "$(cpu true "$r") - $(cpu true plain)" | bc -l)
	# per call: the overhead beyond the fixed cost, per call made
	percall() {
		echo "($(cpu "$1" "$r") - $(cpu "$1" plain) - $fixed) / $(cat "$tmp/$1.calls") * 1000000000" | bc -l
	}
	label=$r
	[ "$r" != base ] || label="ebpf (baseline)"
	printf '| %s | %.3f | %.0f | %.0f | %.0f | %.2f× | %.2f× |\n' "$label" "$fixed" \
		"$(percall tar)" "$(percall find)" "$(percall tar5)" \
		"$(ratio "$(cpu tar "$r")" "$(cpu tar plain)")" \
		"$(ratio "$(cpu tar5 "$r")" "$(cpu tar5 plain)")"
}

[ -z "$baseline" ] || echo "baseline: $baseline"
echo "$files files, $runs runs each, interleaved; $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Wall seconds: median (ratio to plain's median) and min–max over the runs"
echo
echo "| workload | calls | plain | strace -f -o /dev/null | record --backend ptrace | record --backend ebpf |${baseline:+ ebpf (baseline) |}"
echo "|---|---|---|---|---|---|${baseline:+---|}"
cd "$tmp"
bench true "true (start-up cost only)" true
bench tar "tar -cf t.tar tree" sh -c 'tar -cf t.tar tree && rm t.tar'
bench find "find tree + xargs stat" sh -c 'find tree -type f | xargs stat -c %s'
bench tar5 "tar -cf t.tar tree, 5 times" sh -c 'for i in 1 2 3 4 5; do tar -cf t.tar tree && rm t.tar; done'
echo
echo "CPU (user + system, medians): fixed start-up cost, cost per system call, ratio to plain"
echo
echo "| recorder | start-up s | ns per call, tar | ns per call, find | ns per call, tar ×5 | CPU ratio, tar | CPU ratio, tar ×5 |"
echo "|---|---|---|---|---|---|---|"
for r in $recorders; do
	cost "$r"
done
echo
echo "(load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
