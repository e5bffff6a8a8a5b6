# shellcheck shell=sh
# Shell helpers for the live checks (tests/live/*.sh, run by tools/check-live).
# Source it:   . "$(dirname "$0")/lib.sh"
#
# A live test exits 0 on pass, 77 on skip (after saying why), anything else
# on failure. In CI (CI=true) .ci/run installs every package the live tests
# use, so a missing command is a failure there; only a machine reason (no
# root, a kernel without a feature) may skip.

set -eu
# Messages (strerror's, coreutils'), sort order and number formats as in
# the C locale, whatever the machine's: the tests compare them.
export LC_ALL=C

LIVE_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${CF_BIN:=$LIVE_ROOT/build/callfence}"

live_log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }

live_fail() {
	live_log "FAIL: $*"
	exit 1
}

# Skip for a reason that .ci/run could have fixed (a missing package, a
# missing fixture): allowed outside CI only.
live_skip() {
	if [ "${CI:-}" = true ]; then
		live_fail "would skip, but CI=true forbids it: $*"
	fi
	echo "live-skip: $*"
	exit 77
}

# Skip because of the machine itself (not root, a kernel feature missing):
# allowed everywhere, CI included.
live_skip_machine() {
	echo "live-skip: $*"
	exit 77
}

# live_need_cmd CMD [PACKAGE]: CMD must be on PATH (skip outside CI, fail
# in CI, naming the Debian package .ci/run installs it from).
live_need_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	live_skip "$1 is missing (Debian package ${2:-$1})"
}

live_need_root() {
	[ "$(id -u)" = 0 ] || live_skip_machine "needs root"
}

# A private dockerd of the live checks: no bridge, no iptables, its own
# data and exec roots and socket, so it disturbs no other docker on the
# machine. Started once and left running for the next test (stop it with
# live_docker_stop). Sets DOCKER to the client command that talks to it.
LIVE_DOCKER_SOCK=/run/cf-live-docker.sock
LIVE_DOCKER_PID=/run/cf-live-docker.pid
LIVE_DOCKER_LOG=/run/cf-live-docker.log
live_docker() {
	live_need_root
	live_need_cmd dockerd docker.io
	[ -x /usr/bin/docker ] || live_skip "/usr/bin/docker is missing (Debian package docker.io)"
	DOCKER="/usr/bin/docker -H unix://$LIVE_DOCKER_SOCK"
	if $DOCKER version >/dev/null 2>&1; then
		return 0
	fi
	live_log "starting a private dockerd (log: $LIVE_DOCKER_LOG)"
	# setsid: the daemon outlives this test and ignores its signals.
	setsid dockerd --bridge=none --iptables=false --ip-masq=false \
		--ip-forward=false \
		--data-root /var/lib/cf-live-docker \
		--exec-root /run/cf-live-docker \
		-H "unix://$LIVE_DOCKER_SOCK" \
		--pidfile "$LIVE_DOCKER_PID" \
		</dev/null >"$LIVE_DOCKER_LOG" 2>&1 &
	i=0
	while ! $DOCKER version >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -gt 120 ]; then
			tail -n 20 "$LIVE_DOCKER_LOG" >&2 || true
			live_fail "dockerd did not answer on $LIVE_DOCKER_SOCK within 60 s"
		fi
		sleep 0.5
	done
}

# Stops the private dockerd if it runs (by its pidfile).
live_docker_stop() {
	[ -s "$LIVE_DOCKER_PID" ] || return 0
	pid=$(cat "$LIVE_DOCKER_PID")
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 0
	kill "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}

# live_import_rootfs DIR TAG: DIR's tree as the docker image TAG.
live_import_rootfs() {
	[ -n "${DOCKER:-}" ] || live_docker
	tar -C "$1" --numeric-owner -cf - . | $DOCKER import - "$2" >/dev/null
}

# live_busybox_rootfs DIR: a minimal root in DIR from busybox-static's
# /bin/busybox, one symlink per applet.
live_busybox_rootfs() {
	live_need_busybox
	mkdir -p "$1/bin" "$1/sbin" "$1/usr/bin" "$1/usr/sbin" "$1/etc" \
		"$1/tmp" "$1/proc" "$1/sys" "$1/dev" "$1/root"
	chmod 1777 "$1/tmp"
	cp /bin/busybox "$1/bin/busybox"
	for a in $(/bin/busybox --list-full); do
		[ -e "$1/$a" ] || ln -s /bin/busybox "$1/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$1/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$1/etc/group"
}

# live_tmpdir: a fresh directory, removed when the test exits.
live_tmpdir() {
	LIVE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cf-live.XXXXXX")
	trap 'rm -rf "$LIVE_TMP"' EXIT
}

# live_need_cf_bin: the callfence under test ($CF_BIN) is built.
live_need_cf_bin() {
	[ -x "$CF_BIN" ] || live_fail "$CF_BIN is not built (make all)"
}

# live_need_busybox: a static /bin/busybox (the containers' root).
live_need_busybox() {
	[ -x /bin/busybox ] || live_skip "/bin/busybox is missing (Debian package busybox-static)"
	if ldd /bin/busybox >/dev/null 2>&1; then
		live_skip "/bin/busybox is dynamically linked (install busybox-static)"
	fi
}

# live_need_ebpf_recorder: the kernel has BTF and $CF_BIN has the eBPF
# recorder built in (record --backend ebpf, record --container).
live_need_ebpf_recorder() {
	[ -r /sys/kernel/btf/vmlinux ] ||
		live_skip_machine "the kernel has no BTF (/sys/kernel/btf/vmlinux): no eBPF recorder"
	if "$CF_BIN" record --backend ebpf -o /dev/null -- true 2>&1 | grep -q 'not built in'; then
		live_skip "callfence was built without the eBPF recorder (clang, bpftool, libbpf-dev)"
	fi
}

# live_rc CMD...: runs CMD and sets LIVE_RC to its exit status; the test
# goes on whatever it is (set -e does not end it). Redirect the call to
# keep CMD's output: live_rc CMD >OUT 2>ERR.
live_rc() {
	LIVE_RC=0
	"$@" || LIVE_RC=$?
}

# live_capture OUT CMD...: CMD's stdout and stderr into OUT, then a last
# line "exit N", so that two runs compare (output and status) with cmp.
live_capture() {
	live_capture_out=$1
	shift
	live_rc "$@" >"$live_capture_out" 2>&1
	echo "exit $LIVE_RC" >>"$live_capture_out"
}

# live_wait_for CMD...: polls CMD every 0.1 s until it succeeds; returns
# 1 after 60 s (a bound for a stuck machine, not a timing assertion).
live_wait_for() {
	live_wait_i=0
	until "$@"; do
		live_wait_i=$((live_wait_i + 1))
		[ "$live_wait_i" -le 600 ] || return 1
		sleep 0.1
	done
}

# live_without PROFILE OUT NAME...: OUT is PROFILE with the syscalls
# NAME... taken out of every rule (a rule left without names goes); fails
# the test when none of them is in PROFILE (python3).
live_without() {
	python3 - "$@" <<'PY' || live_fail "cannot take $3... out of $1"
import json, sys
src, dst, names = sys.argv[1], sys.argv[2], set(sys.argv[3:])
p = json.load(open(src))
gone = 0
for r in p["syscalls"]:
    keep = [n for n in r["names"] if n not in names]
    gone += len(r["names"]) - len(keep)
    r["names"] = keep
p["syscalls"] = [r for r in p["syscalls"] if r["names"]]
if not gone:
    sys.exit("none of %s is in %s" % (sorted(names), src))
json.dump(p, open(dst, "w"), indent=1)
PY
}

# live_podman DIR: podman of this test only from here on (exported
# CONTAINERS_CONF and CONTAINERS_STORAGE_CONF, files in DIR): its storage
# in DIR, netns none and rlimits this VM grants (the defaults ask for
# more), runc (crun 1.8 refuses cgroup v1 hosts), cgroupfs, hooks from
# DIR/hooks. Nothing of /etc/containers is read or touched. Undo with
# live_podman_clean DIR.
live_podman() {
	mkdir -p "$1/hooks"
	cat >"$1/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$1/storage"
runroot = "$1/run"
CONF
	cat >"$1/containers.conf" <<CONF
[containers]
netns = "none"
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
hooks_dir = ["$1/hooks"]
CONF
	export CONTAINERS_CONF="$1/containers.conf" CONTAINERS_STORAGE_CONF="$1/storage.conf"
}

# live_podman_clean DIR: removes the containers and images of the podman
# live_podman DIR set up, and unmounts its storage (for a trap).
live_podman_clean() {
	if [ -s "$1/storage.conf" ]; then # else podman's default storage
		podman rm -a -f >/dev/null 2>&1 || true
		podman rmi -a -f >/dev/null 2>&1 || true
	fi
	umount -R "$1/storage/overlay" 2>/dev/null || true
}
