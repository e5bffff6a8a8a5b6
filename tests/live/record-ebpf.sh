#!/bin/sh
# callfence record --backend ebpf, round trips against the real kernel:
#  1. a shell script (mkdir, write, chmod, stat, read, rm; exit 3), tar of
#     a tree, and a Python program with threads and a subprocess are
#     recorded; each runs under its profile with callfence run with the
#     same output and exit status; the profile passes check --strict; the
#     recorder lost nothing; without one call the workload needs
#     (mkdir / getdents64) it fails.
#  2. --container on a running busybox container (the private dockerd):
#     recorded while it works, merged with a recording of the same command
#     started by runc (the runtime Docker uses here) from a bundle of the
#     same root, the merged profile runs the container under docker run
#     --security-opt seccomp= with the same output; --duration stops a
#     recording of a container that keeps running; --args records clone's
#     flags in a running container.
#  Between them, --args: ebpf and ptrace write the same profile for the
#  same workload (socket AF_UNIX, personality(0xffffffff), 300 distinct
#  values); socket(AF_INET) is denied under the result.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
live_need_root
live_need_cf_bin
live_need_ebpf_recorder
live_need_cmd python3
live_tmpdir
T=$LIVE_TMP
cd "$T"

# no_loss LOG: the recorder's count line says nothing was lost
no_loss() {
	grep -q 'callfence record: ebpf: .* lost: 0 processes, 0 calls, 0 exits' "$1" ||
		live_fail "the recorder lost something or printed no counts: $(cat "$1")"
}

# round_trip NAME NEEDED -- CMD...: record, compare, check, remove NEEDED
round_trip() {
	name=$1 needed=$2
	shift 3
	live_rc "$@" >"$name.plain" 2>&1
	want=$LIVE_RC
	live_rc "$CF_BIN" record --backend ebpf -o "$name.json" -- "$@" >"$name.rec" 2>"$name.log"
	[ "$LIVE_RC" = "$want" ] || live_fail "$name: record exited $LIVE_RC, the command $want: $(cat "$name.log")"
	cmp -s "$name.plain" "$name.rec" || live_fail "$name: output differs under record"
	no_loss "$name.log"
	"$CF_BIN" check --strict "$name.json" >/dev/null 2>&1 ||
		live_fail "$name: the profile fails check --strict: $("$CF_BIN" check --strict "$name.json" 2>&1 | tail -3)"
	live_rc "$CF_BIN" run --security-opt "seccomp=$name.json" -- "$@" >"$name.run" 2>&1
	[ "$LIVE_RC" = "$want" ] || live_fail "$name: under the profile exited $LIVE_RC, not $want: $(tail -3 "$name.run")"
	cmp -s "$name.plain" "$name.run" || live_fail "$name: output differs under the profile"
	# shellcheck disable=SC2086 # needed is a word list
	live_without "$name.json" "$name.less.json" $needed
	live_rc "$CF_BIN" run --security-opt "seccomp=$name.less.json" -- "$@" >"$name.less" 2>&1
	if [ "$LIVE_RC" = "$want" ] && cmp -s "$name.plain" "$name.less"; then
		live_fail "$name: runs the same without $needed"
	fi
	echo "$name: recorded ($(grep -o '[0-9]* calls, [0-9]* processes' "$name.log")), runs the same under the profile (exit $want), fails without $needed"
}

cat >script.sh <<'EOF'
set -e
mkdir -p d
echo hello > d/a
chmod 600 d/a
stat -c %a d/a
cat d/a
rm -r d
echo done
exit 3
EOF
round_trip script "mkdir mkdirat" -- sh script.sh

mkdir -p tree/a/b tree/c
for i in 1 2 3 4 5; do echo "$i" >"tree/a/b/f$i"; echo "$i" >"tree/c/g$i"; done
round_trip tar getdents64 -- sh -c 'tar -cf t.tar tree && tar -tf t.tar | sort && rm t.tar'

cat >threads.py <<'EOF'
import subprocess, threading
out = []
def work(i):
    out.append(i * i)
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(out))
print(subprocess.run(["echo", "child"], capture_output=True, text=True).stdout.strip())
EOF
round_trip python "clone3 clone" -- python3 threads.py

# A loss fails the recording: a hash of 1 followed process
# (CALLFENCE_TEST_EBPF_MAX_TASKS, a knob for this test) cannot hold the
# script's children; 125, nothing written, the loss printed; --allow-loss
# writes the profile with a warning.
live_rc env CALLFENCE_TEST_EBPF_MAX_TASKS=1 "$CF_BIN" record --backend ebpf -o lossy.json -- sh script.sh >/dev/null 2>lossy.log
[ "$LIVE_RC" = 125 ] || live_fail "a lossy recording exited $LIVE_RC, not 125: $(cat lossy.log)"
[ ! -e lossy.json ] || live_fail "a lossy recording wrote a profile"
grep -q 'lost: [1-9][0-9]* processes' lossy.log || live_fail "the loss is not printed: $(cat lossy.log)"
grep -q 'no profile written; --allow-loss' lossy.log || live_fail "no clear message for the loss: $(cat lossy.log)"
live_rc env CALLFENCE_TEST_EBPF_MAX_TASKS=1 "$CF_BIN" record --backend ebpf --allow-loss -o lossy.json -- sh script.sh >/dev/null 2>lossy.log
[ "$LIVE_RC" = 3 ] || live_fail "--allow-loss: exited $LIVE_RC, not the command's 3: $(cat lossy.log)"
[ -s lossy.json ] || live_fail "--allow-loss wrote no profile"
grep -q 'warning: .*lost' lossy.log || live_fail "--allow-loss: no warning: $(cat lossy.log)"
echo "loss: a full map fails the recording (125, no profile); --allow-loss writes it with a warning"

# A clone3 whose struct clone_args cannot be read (an unmapped address:
# the kernel answers EFAULT): its flags are a lost value, as with the
# ptrace recorders (tests/test_record_args.c), so 125 and no profile,
# never clone3 allowed whatever its flags; --allow-loss writes it.
cat >clone3bad.py <<'EOF'
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print("clone3", libc.syscall(435, ctypes.c_void_p(8), ctypes.c_size_t(88)), ctypes.get_errno())
EOF
live_rc "$CF_BIN" record --backend ebpf --args -o c3.json -- python3 clone3bad.py >c3.out 2>c3.log
[ "$LIVE_RC" = 125 ] || live_fail "an unreadable clone3 struct: exited $LIVE_RC, not 125: $(cat c3.log)"
grep -q 'clone3 -1 14' c3.out || live_fail "the workload's clone3 did not fail with EFAULT: $(cat c3.out)"
[ ! -e c3.json ] || live_fail "an unreadable clone3 struct: a profile was written"
grep -q '1 of them clone3 structs that could not be read' c3.log || live_fail "the unread clone3 struct is not counted: $(cat c3.log)"
"$CF_BIN" record --backend ebpf --args --allow-loss -o c3.json -- python3 clone3bad.py >/dev/null 2>c3.log ||
	live_fail "--allow-loss with an unreadable clone3 struct failed: $(cat c3.log)"
grep -q 'warning: .*clone3 struct' c3.log || live_fail "--allow-loss: no warning about clone3: $(cat c3.log)"
echo "an unreadable clone3 struct is a lost value (125, no profile); --allow-loss writes it with a warning"

# ---- --args ----------------------------------------------------------------
# A workload calling socket(AF_UNIX, ...) and personality(0xffffffff),
# recorded with --args by both backends: the same profile, JSON for JSON;
# under callfence run socket(AF_INET, ...) is then denied (EPERM) while
# the AF_UNIX workload runs the same. "many" makes 300 distinct ioctl
# requests and mprotect protections, more than the kernel side keeps
# (257) and the library (256): ioctl's request gets no condition,
# mprotect's flag word one MASKED_EQ of the union of all 300, on both.
cat >args.py <<'EOF'
import ctypes, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
mode = sys.argv[1]
try:
    socket.socket(socket.AF_INET if mode == "inet" else socket.AF_UNIX,
                  socket.SOCK_STREAM).close()
    print(mode, "socket ok")
except OSError as e:
    print(mode, "socket errno", e.errno)
print("personality", libc.personality(0xffffffff) >= 0)
# protections: 290 in bits 0-16, then 10 with a high bit each (the last
# ones are past what any side keeps: only the union says they came)
PROTS = [(i << 8) | 1 for i in range(290)] + \
        [(1 << k) | 1 for k in (17, 18, 19, 20, 21, 22, 23, 27, 28, 29)]
if mode == "many":
    for i, prot in enumerate(PROTS):
        libc.ioctl(-1, 0x7f000 + i)
        libc.mprotect(None, 4096, prot)
EOF
# same_profile A B: the two profiles are the same JSON (python3)
same_profile() {
	python3 - "$1" "$2" <<'EOF' || live_fail "ptrace and ebpf --args profiles differ: $(cat args.diff)"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
if a != b:
    ra = {json.dumps(r) for r in a["syscalls"]}
    rb = {json.dumps(r) for r in b["syscalls"]}
    open("args.diff", "w").write("ptrace only: %s\nebpf only: %s\n" % (ra - rb, rb - ra))
    sys.exit(1)
EOF
}
# Both recordings see the same calls only if python3 does the same on
# each run: no bytecode cache written by the first and read by the next.
export PYTHONDONTWRITEBYTECODE=1
for mode in unix many; do
	"$CF_BIN" record --backend ebpf --args -o "args-$mode.e.json" -- python3 args.py $mode >"args-$mode.e.out" 2>"args-$mode.e.log" ||
		live_fail "record --backend ebpf --args ($mode) failed: $(cat "args-$mode.e.log")"
	no_loss "args-$mode.e.log"
	grep -q ', 0 argument values' "args-$mode.e.log" || live_fail "argument values lost ($mode): $(cat "args-$mode.e.log")"
	"$CF_BIN" record --backend ptrace --args -o "args-$mode.p.json" -- python3 args.py $mode >"args-$mode.p.out" 2>"args-$mode.p.log" ||
		live_fail "record --backend ptrace --args ($mode) failed: $(cat "args-$mode.p.log")"
	cmp -s "args-$mode.e.out" "args-$mode.p.out" || live_fail "the workload's output differs between the backends"
	same_profile "args-$mode.p.json" "args-$mode.e.json"
	"$CF_BIN" check --strict "args-$mode.e.json" >/dev/null 2>&1 ||
		live_fail "args-$mode.e.json fails check --strict: $("$CF_BIN" check --strict "args-$mode.e.json" 2>&1 | tail -3)"
done
python3 - args-unix.e.json <<'EOF' || live_fail "no socket/personality argument rules: $(cat args-unix.e.json)"
import json, sys
rules = json.load(open(sys.argv[1]))["syscalls"]
# the distinct values recorded for argument INDEX of NAME: several rules
# may share one (socket(AF_UNIX, ...) with two type words when the C
# library also opens a socket of its own, e.g. to nscd)
def vals(name, index):
    return sorted({a["valueTwo"] if a["op"] == "SCMP_CMP_MASKED_EQ" else a["value"]
                   for r in rules if name in r["names"] for a in r.get("args", [])
                   if a["index"] == index})
assert vals("socket", 0) == [1], vals("socket", 0)  # AF_UNIX only
assert vals("personality", 0) == [0xffffffff], vals("personality", 0)
assert not [r for r in rules if "socket" in r["names"] and "args" not in r]
EOF
out=$("$CF_BIN" run --security-opt seccomp=args-unix.e.json -- python3 args.py unix 2>&1) ||
	live_fail "the AF_UNIX workload fails under its --args profile: $out"
[ "$out" = "$(cat args-unix.e.out)" ] || live_fail "the AF_UNIX workload prints otherwise under its profile: $out"
out=$("$CF_BIN" run --security-opt seccomp=args-unix.e.json -- python3 args.py inet 2>&1) || true
case $out in
"inet socket errno 1"*) ;;
*) live_fail "socket(AF_INET) is not denied (EPERM) under the --args profile: $out" ;;
esac
python3 - args-many.e.json <<'EOF' || live_fail "300 values: wrong rules: $(cat args-many.e.json)"
import json, sys
rules = json.load(open(sys.argv[1]))["syscalls"]
ioctl = [r for r in rules if "ioctl" in r["names"]]
assert ioctl and not [r for r in ioctl if "args" in r], ioctl  # any request
mp = [r for r in rules if "mprotect" in r["names"]]
assert len(mp) == 1 and mp[0]["args"][0]["op"] == "SCMP_CMP_MASKED_EQ", mp
union = 0
for i in range(290):
    union |= (i << 8) | 1
for k in (17, 18, 19, 20, 21, 22, 23, 27, 28, 29):
    union |= 1 << k
assert mp[0]["args"][0]["value"] & union == 0, mp  # every one allowed
EOF
grep -q '2 arguments took more than 257 distinct values' args-many.e.log ||
	live_fail "the overflow is not reported: $(cat args-many.e.log)"
echo "--args: ebpf and ptrace write the same profiles (socket AF_UNIX + personality 0xffffffff; 300 values: ioctl unconditioned, mprotect MASKED_EQ of the union); AF_INET denied (EPERM) under callfence run"

# ---- 2. --container --------------------------------------------------------
live_need_cmd runc
live_busybox_rootfs "$T/root"
live_docker
IMAGE=cf-live-record:test
live_import_rootfs "$T/root" "$IMAGE"
C1=cf-live-record-$$-a C2=cf-live-record-$$-b
trap '$DOCKER rm -f "$C1" "$C2" >/dev/null 2>&1; $DOCKER rmi -f "$IMAGE" >/dev/null 2>&1; rm -rf "$LIVE_TMP"' EXIT
export DOCKER_HOST=unix://$LIVE_DOCKER_SOCK

# The workload: 25 rounds of work; its output is the same on every run.
# shellcheck disable=SC2016 # expanded by the container's shell
WORK='i=0; while [ $i -lt 25 ]; do mkdir -p /tmp/d; echo $i > /tmp/d/f; chmod 600 /tmp/d/f; cat /tmp/d/f >/dev/null; rm -r /tmp/d; sleep 0.1; i=$((i+1)); done; echo done $i'

# The recorded instance starts its work when the recorder says it has
# attached (the file /ctl/go, made from here), however long the recorder
# takes to start on this machine.
mkdir ctl
$DOCKER run -d --name "$C1" --network none -v "$T/ctl:/ctl" "$IMAGE" \
	sh -c "until [ -e /ctl/go ]; do sleep 0.1; done; $WORK" >/dev/null
"$CF_BIN" record --container "$C1" -o steady.json 2>steady.log &
rec_pid=$!
live_wait_for grep -q 'recording docker container' steady.log ||
	live_fail "record --container did not attach: $(cat steady.log)"
touch ctl/go
wait "$rec_pid" || live_fail "record --container failed: $(cat steady.log)"
no_loss steady.log
grep -q 'the container exited' steady.log || live_fail "the recording did not end with the container: $(cat steady.log)"
grep -q 'holds only what ran during the recording' steady.log || live_fail "the summary does not say it saw only the steady state"
grep -q '"chmod"\|"fchmodat"' steady.json || live_fail "the steady state recording lacks chmod: $(cat steady.json)"
[ "$($DOCKER logs "$C1")" = "done 25" ] || live_fail "the recorded container's output: $($DOCKER logs "$C1")"
"$CF_BIN" check --strict steady.json >/dev/null 2>&1 || live_fail "steady.json fails check --strict"
echo "--container: recorded a running container until it exited, 0 lost"

# The start: the same command started by runc from a bundle of the same
# root, recorded as a process tree (runc's calls after it installs a
# filter and the command's start are in it).
mkdir bundle
cp -a "$T/root" bundle/rootfs
(cd bundle && runc spec)
python3 - "$WORK" <<'EOF'
import json, sys
c = json.load(open("bundle/config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["sh", "-c", sys.argv[1]]
c["root"]["readonly"] = False
json.dump(c, open("bundle/config.json", "w"))
EOF
"$CF_BIN" record --backend ebpf -o start.json -- runc run --bundle bundle "cf-live-rec-$$" >start.out 2>start.log ||
	live_fail "recording runc run failed: $(cat start.log)"
no_loss start.log
"$CF_BIN" merge -o merged.json start.json steady.json || live_fail "merge failed"
"$CF_BIN" check --strict merged.json >/dev/null 2>&1 || live_fail "merged.json fails check --strict"
out=$($DOCKER run --rm --network none --security-opt "seccomp=$T/merged.json" "$IMAGE" sh -c "$WORK" 2>&1) ||
	live_fail "docker run under the merged profile failed: $out"
[ "$out" = "done 25" ] || live_fail "docker run under the merged profile printed: $out"
echo "merged (runc start + steady state): docker run --security-opt seccomp= runs the container, same output"

# --duration: a container that keeps running
$DOCKER run -d --name "$C2" --network none "$IMAGE" sh -c 'while :; do cat /etc/passwd >/dev/null; sleep 0.2; done' >/dev/null
"$CF_BIN" record --container "$C2" --duration 2 -o dur.json 2>dur.log ||
	live_fail "record --container --duration failed: $(cat dur.log)"
grep -q 'duration passed' dur.log || live_fail "--duration did not end the recording: $(cat dur.log)"
no_loss dur.log
[ "$($DOCKER inspect -f '{{.State.Running}}' "$C2")" = true ] || live_fail "the container stopped"
grep -q '"nanosleep"\|"clock_nanosleep"' dur.json || live_fail "the --duration recording lacks the sleep: $(cat dur.json)"
echo "--container --duration 2: stopped after 2 s, the container runs on"

# --container --args: the container's shell forks cat (clone with its
# flags), so clone gets an argument rule
"$CF_BIN" record --container "$C2" --args --duration 2 -o cargs.json 2>cargs.log ||
	live_fail "record --container --args failed: $(cat cargs.log)"
no_loss cargs.log
python3 - cargs.json <<'EOF' || live_fail "--container --args: no clone argument rule: $(cat cargs.json)"
import json, sys
rules = json.load(open(sys.argv[1]))["syscalls"]
clone = [r for r in rules if "clone" in r["names"]]
assert clone and all("args" in r for r in clone), clone
EOF
"$CF_BIN" check --strict cargs.json >/dev/null 2>&1 || live_fail "cargs.json fails check --strict"
echo "--container --args: clone recorded with its flags"
