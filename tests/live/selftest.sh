#!/bin/sh
# The live-check helpers themselves: a busybox root imported into the
# private dockerd runs a command, and callfence runs one on this kernel.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
live_need_root
live_need_cf_bin
"$CF_BIN" run -- true || live_fail "callfence run -- true failed"
live_tmpdir
live_busybox_rootfs "$LIVE_TMP/root"
live_docker
live_import_rootfs "$LIVE_TMP/root" cf-live-busybox:selftest
got=$($DOCKER run --rm --network none cf-live-busybox:selftest /bin/sh -c 'echo ok')
$DOCKER rmi cf-live-busybox:selftest >/dev/null
[ "$got" = ok ] || live_fail "busybox container printed '$got', not ok"
