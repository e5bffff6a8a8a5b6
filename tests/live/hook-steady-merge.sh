#!/bin/sh
# A container whose start-up differs from its steady state, recorded the
# way a user would: its start through the OCI hook (Podman, the annotation
# io.callfence.record=PATH), its steady state with `callfence record
# --container NAME` while a second instance runs detached, the two joined
# with `callfence merge`. Then:
#  - the workload (start-up, then rounds of steady work, exit 3) runs under
#    the merged profile with `podman run` and `docker run --security-opt
#    seccomp=` with the output and exit status it has unconfined;
#  - the start-up profile alone does not get it through its steady work
#    (a call only the steady state makes is denied), and neither does the
#    merged profile without one of those calls: the test can fail;
#  - the same with io.callfence.record.args=1 (the hook's argument rules).
#
# Podman runs with a containers.conf and storage.conf of this test
# (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF): its own storage, netns none
# and rlimits this VM grants (the defaults ask for more), runc (crun 1.8
# refuses cgroup v1 hosts like this one), the hook in a directory of the
# test. The environment reaches the `podman inspect` that `record
# --container` runs, so it finds the container.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

live_need_root
live_need_cmd podman podman
live_need_cmd runc runc
live_need_cmd python3 python3
live_need_cf_bin
live_need_ebpf_recorder

T=$(mktemp -d /tmp/cf-hooksteady.XXXXXX)
NAME=cf-live-steady-$$
IMAGE=cf-live-steady:$$
STEADY_PID=
cleanup() {
	[ -z "$STEADY_PID" ] || kill "$STEADY_PID" 2>/dev/null || true
	live_podman_clean "$T"
	if [ -n "${DOCKER:-}" ]; then
		$DOCKER rm -f "$NAME-docker" >/dev/null 2>&1 || true
		$DOCKER rmi -f "$IMAGE" >/dev/null 2>&1 || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT
# podman of this test only, from here on (cleanup's rm -a too)
live_podman "$T"
mkdir -p "$T/rootfs" "$T/ctl" "$T/out"

# The workload, /app.sh ROUNDS: start-up (a directory, a config file,
# chmod), then ROUNDS rounds of steady work that calls what the start-up
# never does (rename, symlink, readlink, statfs, utimensat, unlink), then
# exit 3. ROUNDS -1: a round every 0.1 s until /ctl/stop exists, each
# round printing "tick N" (the steady state recorded with --container).
live_busybox_rootfs "$T/rootfs"
cat >"$T/rootfs/app.sh" <<'EOF'
#!/bin/sh
set -e
mkdir -p /tmp/app
echo "config v1" >/tmp/app/conf
chmod 600 /tmp/app/conf
cat /tmp/app/conf
echo started
n=$1 i=0
while { [ "$n" -lt 0 ] && [ ! -e /ctl/stop ]; } || [ "$i" -lt "$n" ]; do
	echo "$i" >/tmp/app/cur
	mv /tmp/app/cur /tmp/app/last
	ln -sf last /tmp/app/link
	readlink /tmp/app/link
	stat -f /tmp/app >/dev/null
	touch -d "@$i" /tmp/app/last
	stat -c %Y /tmp/app/last
	i=$((i + 1))
	if [ "$n" -lt 0 ]; then
		echo "tick $i"
		sleep 0.1
	fi
done
echo "rounds $i"
exit 3
EOF
chmod 755 "$T/rootfs/app.sh"
tar -C "$T/rootfs" --numeric-owner -cf - . | podman import -q - "$IMAGE" >/dev/null ||
	live_fail "podman import failed"
live_docker
live_import_rootfs "$T/rootfs" "$IMAGE"

"$CF_BIN" oci-hook --install --hooks-dir "$T/hooks" >/dev/null ||
	live_fail "oci-hook --install failed"

# pod_run OUT ROUNDS [OPTION...]: /app.sh ROUNDS under podman run; OUT
# gets its output and "exit N"
pod_run() {
	out=$1 rounds=$2
	shift 2
	live_capture "$out" podman run --rm "$@" "$IMAGE" /app.sh "$rounds"
}
doc_run() { # doc_run OUT ROUNDS [OPTION...]: the same with docker run
	out=$1 rounds=$2
	shift 2
	# shellcheck disable=SC2086 # DOCKER is a word list
	live_capture "$out" $DOCKER run --rm --network none "$@" "$IMAGE" /app.sh "$rounds"
}
# the output and status unconfined: of the start-up alone (0 rounds) and
# of the start-up and 5 rounds of steady work
for rounds in 0 5; do
	pod_run "$T/out/want$rounds" "$rounds" --security-opt seccomp=unconfined
	[ "$(tail -n 2 "$T/out/want$rounds" | tr '\n' ' ')" = "rounds $rounds exit 3 " ] ||
		live_fail "the workload unconfined: $(cat "$T/out/want$rounds")"
	doc_run "$T/out/docker$rounds" "$rounds" --security-opt seccomp=unconfined
	cmp -s "$T/out/want$rounds" "$T/out/docker$rounds" ||
		live_fail "docker and podman run the workload differently unconfined: $(cat "$T/out/docker$rounds")"
done

# start_up PROFILE [ANNOTATION...]: the start-up (no steady round),
# recorded by the hook
start_up() {
	prof=$1
	shift
	anns="--annotation io.callfence.record=$prof"
	for a in "$@"; do anns="$anns --annotation $a"; done
	# shellcheck disable=SC2086 # anns is a word list
	pod_run "$T/out/start.out" 0 $anns
	[ -s "$prof" ] || live_fail "the hook wrote no profile at $prof: $(cat "$T/out/start.out" "$prof.error" 2>/dev/null)"
	cmp -s "$T/out/want0" "$T/out/start.out" ||
		live_fail "the recorded start-up: $(cat "$T/out/start.out")"
	"$CF_BIN" check --strict "$prof" >/dev/null 2>&1 ||
		live_fail "$prof fails check --strict"
}
start_up "$T/start.json"
start_up "$T/start-args.json" io.callfence.record.args=1
grep -q '"value"' "$T/start-args.json" ||
	live_fail "io.callfence.record.args=1 wrote no argument rule: $(cat "$T/start-args.json")"
live_log "start-up recorded by the hook (and with io.callfence.record.args=1)"

# steady ENGINE [RECORD OPTION...]: the steady state of a detached
# instance (ENGINE: podman or docker) recorded with `record --container`,
# from a few rounds after the recorder attached until the instance stops
steady() {
	engine=$1 name=$NAME-$1
	shift
	case $engine in
	podman) eng=podman opts= ;;
	*) eng="$DOCKER" opts="--network none" ;;
	esac
	rm -f "$T/ctl/stop"
	# shellcheck disable=SC2086 # eng and opts are word lists
	$eng run -d --name "$name" ${opts:-} -v "$T/ctl:/ctl" "$IMAGE" /app.sh -1 >/dev/null ||
		live_fail "$engine run -d failed"
	"$CF_BIN" record --container "$name" "$@" 2>"$T/steady.log" &
	STEADY_PID=$!
	ticks() { $eng logs "$name" 2>/dev/null | grep -c '^tick' || true; }
	live_wait_for grep -q "recording $engine container" "$T/steady.log" ||
		live_fail "the recorder did not attach: $(cat "$T/steady.log")"
	from=$(ticks)
	more_ticks() { [ "$(ticks)" -ge $((from + 3)) ]; }
	live_wait_for more_ticks ||
		live_fail "no three rounds while recorded: $(cat "$T/steady.log")"
	touch "$T/ctl/stop"
	wait "$STEADY_PID" || live_fail "record --container failed: $(cat "$T/steady.log")"
	STEADY_PID=
	grep -q 'the container exited' "$T/steady.log" ||
		live_fail "the recording did not end with the container: $(cat "$T/steady.log")"
	grep -q 'lost: 0 processes, 0 calls, 0 exits' "$T/steady.log" ||
		live_fail "the recorder lost something: $(cat "$T/steady.log")"
	live_log "$engine: steady state recorded with --container (it attached after round $from of $(ticks))"
	$eng rm -f "$name" >/dev/null
}
# record --container asks docker (this test's dockerd) first, then podman
export DOCKER_HOST="unix://$LIVE_DOCKER_SOCK"
steady podman -o "$T/steady.json"

# the calls only the steady state makes: in steady.json, not in start.json
steady_only=$(python3 - "$T/start.json" "$T/steady.json" <<'EOF'
import json, sys
def names(f):
    return {n for r in json.load(open(f))["syscalls"] for n in r["names"]}
print(" ".join(sorted(names(sys.argv[2]) - names(sys.argv[1]))))
EOF
)
live_log "calls of the steady state only: $steady_only"
case " $steady_only " in
*" rename"*) ;;
*) live_fail "the steady state's rename is not among its own calls: $steady_only" ;;
esac

# same_as_unconfined LABEL ROUNDS PROFILE: podman run and docker run of
# /app.sh ROUNDS under PROFILE do what they do unconfined
same_as_unconfined() {
	pod_run "$T/out/$1.podman" "$2" --security-opt "seccomp=$3"
	cmp -s "$T/out/want$2" "$T/out/$1.podman" ||
		live_fail "$1: podman run differs: $(diff "$T/out/want$2" "$T/out/$1.podman")"
	doc_run "$T/out/$1.docker" "$2" --security-opt "seccomp=$3"
	cmp -s "$T/out/want$2" "$T/out/$1.docker" ||
		live_fail "$1: docker run differs: $(diff "$T/out/want$2" "$T/out/$1.docker")"
}
# differs LABEL PROFILE WHY: podman run of /app.sh 5 under PROFILE does
# not do what it does unconfined
differs() {
	pod_run "$T/out/$1.podman" 5 --security-opt "seccomp=$2"
	! cmp -s "$T/out/want5" "$T/out/$1.podman" ||
		live_fail "$1: runs the same: $3"
	live_log "$1: $(grep -v '^exit' "$T/out/$1.podman" | tail -n 1), $(tail -n 1 "$T/out/$1.podman")"
}

differs steady.alone "$T/steady.json" "the steady state recording alone is enough: the start-up recording is not needed"
for kind in start start-args; do
	same_as_unconfined "$kind.start-up" 0 "$T/$kind.json"
	live_log "$kind: the start-up runs under its profile with podman run and docker run as unconfined"
	"$CF_BIN" merge -o "$T/$kind.merged.json" "$T/$kind.json" "$T/steady.json" ||
		live_fail "merge $kind.json steady.json failed"
	"$CF_BIN" check --strict "$T/$kind.merged.json" >/dev/null 2>&1 ||
		live_fail "$kind.merged.json fails check --strict"
	# the union holds both inputs and more than the start-up
	for p in "$kind.json" steady.json; do
		"$CF_BIN" check --subset "$T/$kind.merged.json" "$T/$p" >/dev/null ||
			live_fail "$kind.merged.json does not allow everything $p allows"
	done
	if "$CF_BIN" check --subset "$T/$kind.json" "$T/$kind.merged.json" >/dev/null; then
		live_fail "$kind.merged.json allows nothing more than $kind.json"
	fi
	same_as_unconfined "$kind.merged" 5 "$T/$kind.merged.json"
	live_log "$kind + steady merged ($(grep -c '"index"' "$T/$kind.merged.json" || true) argument conditions of $(grep -c '"index"' "$T/$kind.json" || true) left): start-up and 5 rounds run with podman run and docker run as unconfined"
	differs "$kind.alone" "$T/$kind.json" "the start-up profile alone is enough: the test proves nothing"
	live_without "$T/$kind.merged.json" "$T/$kind.less.json" rename renameat renameat2
	differs "$kind.less" "$T/$kind.less.json" "the merged profile without rename is enough: the test proves nothing"
done
# the steady state of a Docker instance, added to a copy of the hook's
# start-up recording with record --append (instead of merge)
cp "$T/start.json" "$T/start.appended.json"
steady docker --append -o "$T/start.appended.json"
"$CF_BIN" check --strict "$T/start.appended.json" >/dev/null 2>&1 ||
	live_fail "start.appended.json fails check --strict"
"$CF_BIN" check --subset "$T/start.appended.json" "$T/start.json" >/dev/null ||
	live_fail "record --append lost some of what start.json allowed"
same_as_unconfined appended 5 "$T/start.appended.json"
live_log "start + docker steady state appended: start-up and 5 rounds run with podman run and docker run as unconfined"
live_without "$T/start.appended.json" "$T/appended.less.json" rename renameat renameat2
differs appended.less "$T/appended.less.json" "the appended profile without rename is enough: the test proves nothing"
live_log "ok"
