#!/bin/sh
# callfence record --backend ebpf loads its BPF object with its own bpf()
# calls (cli/record_ebpf_load.c: BTF, maps, programs with their CO-RE
# relocation records, which the kernel applies), not through the light
# skeleton's loader program, which stays as a fallback:
#  1. by default, on this kernel, the direct load is used: no note of the
#     fallback, no loader program (BPF_PROG_TYPE_SYSCALL) and no
#     BPF_PROG_TEST_RUN among its bpf() calls (strace), and BPF_PROG_LOAD
#     passes the program's BTF (what the core_relos need);
#  2. CALLFENCE_EBPF_LOADER=direct (no fallback) records a workload's rare
#     call (sched_get_priority_max, ionice's ioprio_get) with nothing lost;
#  3. the light skeleton (CALLFENCE_EBPF_LOADER=skeleton) writes the same
#     profile for the same workload, with and without --args (the direct
#     load uses a second build of the program without --args' code);
#  4. when neither can load (unprivileged), the recording fails with 125,
#     no profile, and the reasons of both.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
live_need_root
live_need_cf_bin
live_need_ebpf_recorder
live_need_cmd python3
live_need_cmd strace
live_tmpdir
T=$LIVE_TMP
cd "$T"

# the workload: a rare call of its own, one of a child, and a few values
# of an argument --args records (socket's family)
cat >work.py <<'EOF'
import os, socket, subprocess
os.sched_get_priority_max(os.SCHED_FIFO)
socket.socket(socket.AF_UNIX).close()
subprocess.run(["ionice", "-p", str(os.getpid())], stdout=subprocess.DEVNULL, check=True)
EOF

# rec LOADER OUT [OPTIONS]: records work.py with that loader ("" for the
# default), the summary into OUT.log
rec() {
	loader=$1 out=$2
	shift 2
	CALLFENCE_EBPF_LOADER=$loader "$CF_BIN" record --backend ebpf "$@" -o "$out.json" -- python3 work.py 2>"$out.log" ||
		live_fail "recording with loader '$loader' $* failed: $(cat "$out.log")"
	grep -q 'callfence record: ebpf: .* lost: 0 processes, 0 calls, 0 exits, 0 argument values' "$out.log" ||
		live_fail "loader '$loader': lost something or no counts: $(cat "$out.log")"
}

# 1. the default is the direct load
CALLFENCE_EBPF_LOADER='' strace -f -e trace=bpf -o bpf.trace "$CF_BIN" record --backend ebpf -o default.json -- true 2>default.log ||
	live_fail "recording under strace failed: $(cat default.log)"
if grep -q 'light skeleton' default.log; then
	live_fail "the default fell back to the light skeleton: $(cat default.log)"
fi
if grep -q 'BPF_PROG_TEST_RUN\|BPF_PROG_TYPE_SYSCALL' bpf.trace; then
	live_fail "a loader program was loaded or run: $(grep -m2 'TEST_RUN\|TYPE_SYSCALL' bpf.trace)"
fi
# (strace does not print core_relos; the program's BTF is what they need)
grep -q 'BPF_BTF_LOAD' bpf.trace ||
	live_fail "no BPF_BTF_LOAD of the program's BTF"
grep -q 'BPF_PROG_LOAD.*prog_btf_fd=[1-9].*func_info_cnt=1' bpf.trace ||
	live_fail "no BPF_PROG_LOAD with the program's BTF: $(grep -m1 BPF_PROG_LOAD bpf.trace)"
echo "default: loaded directly ($(grep -c '^[0-9]* *bpf(' bpf.trace) bpf() calls, no loader program)"

# 2. the direct load records the rare calls
rec direct direct
for c in sched_get_priority_max ioprio_get socket; do
	grep -q "\"$c\"" direct.json || live_fail "$c is not in the profile of the direct load"
done
echo "direct: sched_get_priority_max, ioprio_get and socket recorded, nothing lost"

# 3. the light skeleton writes the same profiles
rec skeleton skeleton
cmp -s direct.json skeleton.json ||
	live_fail "the two loaders wrote different profiles: $(diff direct.json skeleton.json | head -5)"
rec direct direct-args --args
rec skeleton skeleton-args --args
cmp -s direct-args.json skeleton-args.json ||
	live_fail "with --args the two loaders wrote different profiles: $(diff direct-args.json skeleton-args.json | head -5)"
python3 -c '
import json, sys
rules = [a for s in json.load(open(sys.argv[1]))["syscalls"] if "socket" in s["names"] for a in s.get("args", [])]
sys.exit(not any(a["index"] == 0 and a["valueTwo"] == 1 for a in rules))' direct-args.json ||
	live_fail "--args: socket's family (AF_UNIX) is not in the profile"
echo "skeleton: the same profiles, with and without --args"

# 4. fail closed: when neither loader can load (no privilege here), the
# recording fails with 125, says why for both, and writes no profile
if command -v setpriv >/dev/null 2>&1; then
	live_rc setpriv --reuid=65534 --regid=65534 --clear-groups "$CF_BIN" record --backend ebpf -o "$T/none.json" -- true 2>none.log
	[ "$LIVE_RC" = 125 ] || live_fail "unprivileged: exit $LIVE_RC, not 125: $(cat none.log)"
	[ ! -e "$T/none.json" ] || live_fail "unprivileged: a profile was written"
	grep -q 'light skeleton: .*direct: ' none.log ||
		live_fail "unprivileged: the message does not name both loaders: $(cat none.log)"
	echo "neither loader: exit 125, no profile, both reasons given"
fi
