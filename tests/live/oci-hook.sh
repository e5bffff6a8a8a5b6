#!/bin/sh
# callfence oci-hook with Podman: a container run with the annotation
# io.callfence.record=PATH gets its profile, recorded from its start, when
# it exits; the profile passes `check --strict`; the same container command
# under `podman run` and `docker run --security-opt seccomp=PROFILE` gives
# the same output; without a call it needs (one of the workload's, one of
# the runtime's after it installs the filter) it breaks. The states Podman
# gives the hooks validate against the runtime-spec state schema.
#
# Podman runs with the configuration of live_podman (lib.sh): its own
# storage, netns none, rlimits this VM grants, runc, and the hook
# installed into the test's own hooks directory.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

live_need_root
live_need_cmd podman podman
live_need_cmd runc runc
live_need_cmd python3 python3
python3 -c 'import jsonschema' 2>/dev/null ||
	live_skip "python3 jsonschema is missing (Debian package python3-jsonschema)"
SCHEMA=$LIVE_ROOT/../shared/data/schemas/oci/state-schema.json
[ -r "$SCHEMA" ] || live_skip "$SCHEMA is missing (the shared data)"
live_need_cf_bin

T=$(mktemp -d /tmp/cf-ocihook.XXXXXX)
cleanup() {
	live_podman_clean "$T"
	rm -rf "$T"
}
trap cleanup EXIT
live_podman "$T"

mkdir -p "$T/rootfs" "$T/out" "$T/states"
live_busybox_rootfs "$T/rootfs"
tar -C "$T/rootfs" --numeric-owner -cf - . | podman import - cf-busybox >/dev/null ||
	live_fail "podman import failed"

# a second hook beside ours keeps the states Podman gives (for the schema)
cat >"$T/save-state" <<EOF
#!/bin/sh
cat >"\$(mktemp "$T/states/state.XXXXXX")"
EOF
chmod 755 "$T/save-state"
cat >"$T/hooks/save-state.json" <<EOF
{"version": "1.0.0", "hook": {"path": "$T/save-state"},
 "when": {"annotations": {"^io\\\\.callfence\\\\.record\$": ".*"}},
 "stages": ["createRuntime", "poststop"]}
EOF

WORK='mkdir /tmp/w && cd /tmp/w && echo hello >a && chmod 600 a &&
ls -l a | cut -c1-10 && cat a && cp a b && sort b && rm -r /tmp/w && echo done'

# validate_state FILE: FILE holds a state the runtime-spec schema accepts
validate_state() {
	python3 - "$SCHEMA" "$1" <<'EOF'
import json, os, sys, warnings
import jsonschema
warnings.simplefilter("ignore")
schema = json.load(open(sys.argv[1]))
base = "file://" + os.path.dirname(os.path.abspath(sys.argv[1])) + "/"
resolver = jsonschema.RefResolver(base, schema)
jsonschema.validate(json.load(open(sys.argv[2])), schema, resolver=resolver)
EOF
}

# record_with RECORDER: install the hook for it, record the container,
# check the profile, run it under podman and docker
record_with() {
	PROFILE=$T/out/$1.json
	rm -f "$T"/states/state.*
	"$CF_BIN" oci-hook --install --recorder "$1" --hooks-dir "$T/hooks" ||
		live_fail "oci-hook --install failed"
	"$CF_BIN" oci-hook --install --recorder "$1" --hooks-dir "$T/hooks" 2>&1 |
		grep -q "already up to date" || live_fail "--install is not idempotent"
	podman run --rm --annotation "io.callfence.record=$PROFILE" cf-busybox \
		sh -c "$WORK" >"$T/rec.out" 2>"$T/rec.err" ||
		{ cat "$T/rec.err" >&2; live_fail "the recorded run failed"; }
	[ -s "$PROFILE" ] || live_fail "no profile at $PROFILE after podman run returned"
	[ ! -e "$PROFILE.error" ] || live_fail "$PROFILE.error: $(cat "$PROFILE.error")"
	printf -- '-rw-------\nhello\nhello\ndone\n' | cmp -s - "$T/rec.out" ||
		live_fail "unexpected output of the recorded run: $(cat "$T/rec.out")"
	"$CF_BIN" check --strict "$PROFILE" || live_fail "check --strict refuses the profile"
	live_log "recorded: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["syscalls"][0]["names"]))' "$PROFILE") syscalls"

	# the states Podman gave, against the runtime-spec schema
	n=0
	for s in "$T"/states/state.*; do
		validate_state "$s" || live_fail "$s does not validate"
		n=$((n + 1))
	done
	[ "$n" -eq 2 ] || live_fail "expected 2 states (createRuntime, poststop), got $n"

	podman run --rm --security-opt "seccomp=$PROFILE" cf-busybox sh -c "$WORK" \
		>"$T/podman.out" 2>&1 || live_fail "podman run under the profile failed: $(cat "$T/podman.out")"
	cmp -s "$T/rec.out" "$T/podman.out" || live_fail "podman: other output: $(cat "$T/podman.out")"

	$DOCKER run --rm --network none --security-opt "seccomp=$PROFILE" \
		cf-busybox-ocihook sh -c "$WORK" >"$T/docker.out" 2>&1 ||
		live_fail "docker run under the profile failed: $(cat "$T/docker.out")"
	cmp -s "$T/rec.out" "$T/docker.out" || live_fail "docker: other output: $(cat "$T/docker.out")"

	live_log "$1: recorded by the hook, runs under podman and docker"
}

live_docker
live_import_rootfs "$T/rootfs" cf-busybox-ocihook
# ebpf where this build and kernel have it (the hook refuses to start the
# container otherwise: then say so and go on with ptrace)
if "$CF_BIN" record --backend ebpf -o "$T/probe.json" -- true 2>"$T/probe.err"; then
	record_with ebpf
else
	live_log "no eBPF recorder here: $(tail -n 1 "$T/probe.err")"
fi
record_with ptrace

# without a call the workload needs (chmod's) or the runtime needs after
# installing the filter (runc's capset), the container does not do its work
for calls in "chmod fchmodat fchmodat2" capset; do
	# shellcheck disable=SC2086 # calls is a word list
	live_without "$PROFILE" "$T/less.json" $calls
	if podman run --rm --security-opt "seccomp=$T/less.json" cf-busybox \
		sh -c "$WORK" >"$T/less.out" 2>&1 &&
		cmp -s "$T/rec.out" "$T/less.out"; then
		live_fail "the container still works without $calls"
	fi
	live_log "without $calls: $(tail -n 1 "$T/less.out")"
done

"$CF_BIN" oci-hook --uninstall --hooks-dir "$T/hooks" || live_fail "--uninstall failed"
[ ! -e "$T/hooks/callfence-record.json" ] || live_fail "--uninstall left the file"
live_log "ok"
