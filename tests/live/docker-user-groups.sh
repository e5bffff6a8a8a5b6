#!/bin/sh
# --user and --group-add side by side with the real docker run: a busybox
# image carrying copies of this host's /etc/passwd and /etc/group (callfence
# reads the host's), the same options on both sides, and the Uid, Gid and
# Groups lines of /proc/self/status plus HOME compared for every form:
# no --user, NAME, UID, NAME:GROUP, UID:GID, a uid and a gid without an
# entry, an empty user or group part, --group-add by name and number (and
# twice), and the forms both must refuse.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
live_need_root
live_need_cf_bin
live_tmpdir
live_busybox_rootfs "$LIVE_TMP/root"
cp /etc/passwd "$LIVE_TMP/root/etc/passwd"
cp /etc/group "$LIVE_TMP/root/etc/group"
live_docker
IMAGE=cf-live-usergroups:test
live_import_rootfs "$LIVE_TMP/root" "$IMAGE"
trap '$DOCKER rmi -f "$IMAGE" >/dev/null 2>&1; rm -rf "$LIVE_TMP"' EXIT

# shellcheck disable=SC2016 # expanded by the container's shell
PROBE='grep -E "^(Uid|Gid|Groups):" /proc/self/status; echo "HOME=$HOME"'

# A user that is a member of a group other than its own (postgres in
# ssl-cert here), and its primary gid, to try NAME against NAME:GROUP.
member=$(awk -F: '$4 != "" { n = split($4, m, ","); for (i = 1; i <= n; i++) print m[i] }' /etc/group |
	while read -r u; do
		if grep -q "^$u:" /etc/passwd; then echo "$u"; break; fi
	done)
# one user's uid and gid, for UID:GID
if [ -n "$member" ]; then
	muid=$(awk -F: -v u="$member" '$1 == u { print $3 }' /etc/passwd)
	mgid=$(awk -F: -v u="$member" '$1 == u { print $4 }' /etc/passwd)
else
	live_log "no user with a supplementary group in /etc/group: NAME vs NAME:GROUP compared on nobody only"
	member=nobody muid=65534 mgid=65534
fi
grep -q '^12345:' /etc/passwd && live_fail "uid 12345 has an entry here; pick another"

fails=0 n=0
# compare "ARGS..." : runs the probe under both with ARGS.
compare() {
	n=$((n + 1))
	d=$($DOCKER run --rm --network none "$@" "$IMAGE" sh -c "$PROBE" 2>"$LIVE_TMP/d.err")
	drc=$?
	c=$("$CF_BIN" run "$@" sh -c "$PROBE" 2>"$LIVE_TMP/c.err")
	crc=$?
	if [ "$drc" != 0 ] || [ "$crc" != 0 ]; then
		live_log "FAIL [$*]: docker exit $drc ($(cat "$LIVE_TMP/d.err")), callfence exit $crc ($(cat "$LIVE_TMP/c.err"))"
		fails=$((fails + 1))
	elif [ "$d" != "$c" ]; then
		live_log "FAIL [$*]: docker and callfence differ"
		printf 'docker:\n%s\ncallfence:\n%s\n' "$d" "$c" >&2
		fails=$((fails + 1))
	else
		echo "same [$*]: $(echo "$c" | tr '\n\t' '  ')"
	fi
}

# refused "ARGS...": both must refuse (non-zero), and callfence with 125.
refused() {
	n=$((n + 1))
	$DOCKER run --rm --network none "$@" "$IMAGE" true >/dev/null 2>&1
	drc=$?
	"$CF_BIN" run "$@" true 2>"$LIVE_TMP/c.err"
	crc=$?
	if [ "$drc" = 0 ] || [ "$crc" != 125 ]; then
		live_log "FAIL [$*]: docker exit $drc, callfence exit $crc (both must refuse)"
		fails=$((fails + 1))
	else
		echo "both refuse [$*] (docker $drc, callfence $crc: $(cat "$LIVE_TMP/c.err"))"
	fi
}

set +e
compare
compare --user root
compare --user 0
compare --user nobody
compare --user nobody:
compare --user "$member"
compare --user "$member:$mgid"
compare --user "$member:$(awk -F: -v g="$mgid" '$3 == g { print $1; exit }' /etc/group)"
compare --user "$muid"
compare --user "$muid:$mgid"
compare --user 12345
compare --user 12345:777
compare --user :5
compare --user nobody:tty
compare --user nobody --group-add tty --group-add 5 --group-add 77 --group-add 77
compare --group-add "$(awk -F: '$1 == "ssl-cert" || $1 == "tty" { print $1; exit }' /etc/group)"
compare --user "$member" --group-add "$mgid"
refused --user callfence-no-such-user
refused --user nobody:callfence-no-such-group
refused --group-add callfence-no-such-group
refused --user 2147483648
refused --user -1
set -e

echo "$n forms compared, $fails differ"
[ "$fails" -eq 0 ]
