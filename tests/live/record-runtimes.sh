#!/bin/sh
# `callfence record` and the container runtimes: the calls runc and crun
# make between installing the filter and execve, measured again
# (tools/measure-runtime-calls) and compared with the table the recorder
# adds (cli/record_runtime.c); then a workload recorded on the host runs
# under its profile with `runc run`, `crun run` and `docker run` with the
# same output, and does not start without the runtimes' calls.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
live_need_root
live_need_cmd strace
live_need_cmd jq
live_need_cmd runc
live_need_cmd crun
live_need_cf_bin
live_tmpdir
table="$LIVE_ROOT/cli/record_runtime.c"

# 1. every call measured now is in the table
for rt in runc crun; do
	sed -n "/BEGIN $rt/,/END $rt/p" "$table" |
		sed -n 's/^ *"\(.*\)",$/\1/p' | sort -u >"$LIVE_TMP/$rt.table"
	[ -s "$LIVE_TMP/$rt.table" ] || live_fail "no $rt table in $table"
	for mode in nnp no-nnp; do
		"$LIVE_ROOT/tools/measure-runtime-calls" "$rt" "$mode" >"$LIVE_TMP/m" ||
			live_fail "tools/measure-runtime-calls $rt $mode failed"
		[ -s "$LIVE_TMP/m" ] || live_fail "$rt $mode: nothing measured"
		missing=$(comm -23 "$LIVE_TMP/m" "$LIVE_TMP/$rt.table")
		[ -z "$missing" ] ||
			live_fail "$rt ($mode) now makes calls the table lacks (measure again: tools/measure-runtime-calls $rt $mode): $(echo "$missing" | tr '\n' ' ')"
		live_log "$rt $mode: $(wc -l <"$LIVE_TMP/m") calls, all in the table"
	done
done

# 2. a workload recorded on the host runs in containers under its profile
live_busybox_rootfs "$LIVE_TMP/root"
work='echo start; mkdir /tmp/d; echo x >/tmp/d/f; chmod 600 /tmp/d/f; cat /tmp/d/f; ls /tmp/d; rm -r /tmp/d; echo end'
want=$(/bin/busybox sh -c "$work")
"$CF_BIN" record --args -o "$LIVE_TMP/p.json" -- /bin/busybox sh -c "$work" >/dev/null 2>"$LIVE_TMP/rec.err" ||
	live_fail "record failed: $(cat "$LIVE_TMP/rec.err")"
"$CF_BIN" record --args --runtime callfence -o "$LIVE_TMP/own.json" -- /bin/busybox sh -c "$work" >/dev/null 2>&1 ||
	live_fail "record --runtime callfence failed"
"$CF_BIN" check --strict "$LIVE_TMP/p.json" || live_fail "the profile fails check --strict"

# an OCI bundle whose linux.seccomp is the profile (Docker's format is
# the OCI one for these fields)
bundle() { # bundle DIR PROFILE NNP
	mkdir -p "$1"
	(cd "$1" && runc spec)
	jq --slurpfile p "$2" --argjson nnp "$3" --arg w "$work" \
		--arg root "$LIVE_TMP/root" \
		'.process.terminal = false | .root.path = $root | .process.args = ["/bin/sh", "-c", $w]
		| .process.noNewPrivileges = $nnp | .root.readonly = false
		| .linux.seccomp = $p[0]' "$1/config.json" >"$1/c" && mv "$1/c" "$1/config.json"
}
n=0
for rt in runc crun; do
	for nnp in true false; do
		n=$((n + 1))
		bundle "$LIVE_TMP/b$n" "$LIVE_TMP/p.json" "$nnp"
		got=$("$rt" run --bundle "$LIVE_TMP/b$n" "cf-live-rec-$$-$n" 2>&1) ||
			live_fail "$rt (noNewPrivileges $nnp) under the recorded profile: $got"
		[ "$got" = "$want" ] || live_fail "$rt (noNewPrivileges $nnp): '$got', not '$want'"
		n=$((n + 1))
		bundle "$LIVE_TMP/b$n" "$LIVE_TMP/own.json" "$nnp"
		if got=$("$rt" run --bundle "$LIVE_TMP/b$n" "cf-live-rec-$$-$n" 2>&1) &&
			[ "$got" = "$want" ]; then
			[ "$nnp" = true ] ||
				live_fail "$rt (noNewPrivileges false) ran without its own calls in the profile: the test proves nothing"
		fi
		"$rt" delete -f "cf-live-rec-$$-$n" >/dev/null 2>&1 || true
	done
	live_log "$rt: the workload runs under the recorded profile"
done

live_docker
live_import_rootfs "$LIVE_TMP/root" cf-live-busybox:record
got=$($DOCKER run --rm --network none --security-opt "seccomp=$LIVE_TMP/p.json" \
	cf-live-busybox:record /bin/sh -c "$work" 2>&1) ||
	live_fail "docker run under the recorded profile: $got"
[ "$got" = "$want" ] || live_fail "docker run: '$got', not '$want'"
if $DOCKER run --rm --network none --security-opt "seccomp=$LIVE_TMP/own.json" \
	cf-live-busybox:record /bin/sh -c "$work" >/dev/null 2>&1; then
	live_fail "docker run started under a profile without runc's calls: the test proves nothing"
fi
$DOCKER rmi cf-live-busybox:record >/dev/null
live_log "docker run: the workload runs under the recorded profile, not without runc's calls"
