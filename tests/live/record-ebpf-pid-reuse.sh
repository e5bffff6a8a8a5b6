#!/bin/sh
# callfence record --backend ebpf forgets a followed process's pid once
# the pid is reused by a process it does not follow (ebpf/record.bpf.c:
# the fork program clears the new process's bit when its parent is not
# followed; the bit of a process that exited is otherwise left set).
#  1. control: ionice run by the recorded workload is seen (ioprio_get is
#     in the profile), so the call is one the recorder can see;
#  2. a recorded workload starts a child, which exits; the test, outside
#     the recording, forces the child's pid onto a new process of its own
#     (/proc/sys/kernel/ns_last_pid) that runs ionice while the recording
#     is still on: ioprio_get must not be in the profile.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
live_need_root
live_need_cf_bin
live_need_ebpf_recorder
live_need_cmd ionice
[ -w /proc/sys/kernel/ns_last_pid ] ||
	live_skip_machine "/proc/sys/kernel/ns_last_pid is not writable: a pid cannot be chosen"
live_tmpdir
T=$LIVE_TMP
cd "$T"

# 1. the call is visible when the workload makes it
"$CF_BIN" record --backend ebpf -o seen.json -- sh -c 'ionice -p $$ >/dev/null' 2>seen.log ||
	live_fail "recording ionice failed: $(cat seen.log)"
grep -q '"ioprio_get"' seen.json ||
	live_fail "ioprio_get made by the recorded workload is not in its profile"

# 2. the workload: a child that writes its pid and exits, then a wait on a
#    fifo (no further process started while the test reuses the pid)
mkfifo go
"$CF_BIN" record --backend ebpf -o reuse.json -- \
	sh -c 'sh -c "echo \$\$ >child.pid"; read x <go' 2>reuse.log &
rec=$!
live_wait_for test -s child.pid || live_fail "the recorded child wrote no pid: $(cat reuse.log)"
pid=$(cat child.pid)
live_wait_for sh -c "! test -e /proc/$pid" || live_fail "the recorded child $pid did not go"
# a new process of this (unrecorded) shell gets pid: retried, since any
# other process on the host may take the pid between the write and the fork
tries=0
: >got
while [ "$(cat got)" != "$pid" ] && [ $tries -lt 100 ]; do
	echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
	sh -c 'echo $$ >got; exec ionice -p $$ >/dev/null'
	tries=$((tries + 1))
done
echo x >go
wait $rec || live_fail "the recording failed: $(cat reuse.log)"
[ "$(cat got)" = "$pid" ] ||
	live_skip_machine "pid $pid was taken by other processes $tries times: no reuse forced"
grep -q 'lost: 0 processes, 0 calls' reuse.log ||
	live_fail "the recorder lost something: $(cat reuse.log)"
! grep -q '"ioprio_get"' reuse.json ||
	live_fail "a process that reused pid $pid of an exited recorded child was recorded (ioprio_get in the profile)"
echo "pid $pid of a recorded child that exited, reused by an unrecorded process ($tries tries): not recorded"
