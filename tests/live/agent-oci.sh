#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The seccomp agent with real OCI runtimes: runc and crun run a busybox
# bundle whose linux.seccomp sends mkdir/mkdirat to `callfence agent`
# (SCMP_ACT_NOTIFY + listenerPath); the agent's decision reaches the
# container's process: EACCES with an errno policy, the directory made
# with a log policy, and the agent logs the container's id.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

live_need_root
live_need_cmd runc runc
live_need_cmd crun crun
live_need_busybox
live_need_cmd python3 python3
live_need_cf_bin

dir=$(mktemp -d /tmp/cf-agent-oci.XXXXXX)
sock=$dir/agent.sock
agent_pid=
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
	for c in cf-agent-runc cf-agent-crun; do
		runc delete -f "$c" >/dev/null 2>&1 || true
		crun delete -f "$c" >/dev/null 2>&1 || true
	done
	rm -rf "$dir"
}
trap cleanup EXIT

# crun refuses a hybrid cgroup layout whose v2 mount has controllers
# (here: hugetlb); bound to a v1 hierarchy of its own, it leaves v2 empty.
if [ -e /sys/fs/cgroup/unified/cgroup.controllers ] &&
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers &&
	! grep -q ' /sys/fs/cgroup/hugetlb ' /proc/mounts; then
	live_log "mounting the hugetlb controller as cgroup v1 (crun needs it)"
	mkdir -p /sys/fs/cgroup/hugetlb
	mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb ||
		live_skip_machine "cannot mount the hugetlb cgroup v1 hierarchy"
fi

# bundle: a busybox root and runc's default config with the NOTIFY rule
mkdir -p "$dir/bundle/rootfs/bin"
cp /bin/busybox "$dir/bundle/rootfs/bin/busybox"
(cd "$dir/bundle" && runc spec)
python3 - "$dir/bundle/config.json" "$sock" <<'PY'
import json, sys
path, sock = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/busybox", "sh", "-c",
                        "/bin/busybox mkdir /made; echo mkdir-rc=$?"]
c["root"]["readonly"] = False
c["linux"]["seccomp"] = {
    "defaultAction": "SCMP_ACT_ALLOW",
    "listenerPath": sock,
    "listenerMetadata": "agent-oci",
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    "syscalls": [{"names": ["mkdir", "mkdirat"],
                  "action": "SCMP_ACT_NOTIFY"}]}
json.dump(c, open(path, "w"), indent=1)
PY

start_agent() { # POLICY-JSON
	printf '%s\n' "$1" >"$dir/policy.json"
	rm -f "$dir/agent.log"
	"$CF_BIN" agent --socket "$sock" --policy "$dir/policy.json" \
		--log "$dir/agent.log" &
	agent_pid=$!
	while [ ! -S "$sock" ]; do
		kill -0 "$agent_pid" 2>/dev/null || live_fail "callfence agent exited"
		sleep 0.05
	done
}

stop_agent() {
	kill "$agent_pid"
	wait "$agent_pid" || live_fail "callfence agent: exit $? after SIGTERM"
	agent_pid=
	[ ! -e "$sock" ] || live_fail "the agent left its socket behind"
}

run_container() { # RUNTIME -> output in $dir/out
	rm -rf "$dir/bundle/rootfs/made"
	(cd "$dir/bundle" && timeout 60 "$1" run "cf-agent-$1") \
		</dev/null >"$dir/out" 2>&1 ||
		{ cat "$dir/out" >&2; live_fail "$1 run failed"; }
	"$1" delete -f "cf-agent-$1" >/dev/null 2>&1 || true
}

for rt in runc crun; do
	start_agent '{"default": "continue", "syscalls": {"mkdir": {"errno": "EACCES"}, "mkdirat": {"errno": "EACCES"}}}'
	run_container "$rt"
	stop_agent
	grep -q 'mkdir-rc=1' "$dir/out" || { cat "$dir/out" >&2; live_fail "$rt: mkdir was not refused"; }
	grep -q 'Permission denied' "$dir/out" || { cat "$dir/out" >&2; live_fail "$rt: no EACCES"; }
	[ ! -d "$dir/bundle/rootfs/made" ] || live_fail "$rt: the directory was made"
	grep -q "^container=cf-agent-$rt .*syscall=mkdir.* decision=errno(EACCES)" "$dir/agent.log" ||
		{ cat "$dir/agent.log" >&2; live_fail "$rt: the agent did not log the call"; }
	live_log "$rt: errno policy: mkdir got EACCES from the agent"

	start_agent '{"default": {"errno": "EPERM"}, "syscalls": {"mkdir": "log", "mkdirat": "log"}}'
	run_container "$rt"
	stop_agent
	grep -q 'mkdir-rc=0' "$dir/out" || { cat "$dir/out" >&2; live_fail "$rt: mkdir failed under a log policy"; }
	[ -d "$dir/bundle/rootfs/made" ] || live_fail "$rt: the directory is missing"
	grep -q "^container=cf-agent-$rt .*decision=log" "$dir/agent.log" ||
		{ cat "$dir/agent.log" >&2; live_fail "$rt: no log line"; }
	live_log "$rt: log policy: mkdir ran and was logged"
done
echo "agent-oci: runc and crun hand the listener to callfence agent; its decisions reach the container"
