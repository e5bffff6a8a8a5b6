#!/bin/sh
# callfence inspect inside a docker run busybox container (a static build
# of callfence copied into the image): one filter that blocks mount with
# EPERM under Docker's default profile, a shorter list without mount with
# --cap-add SYS_ADMIN, no filter and nothing blocked with
# seccomp=unconfined; --compare against the built-in profile is printed.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
live_need_root
live_need_cf_bin
B=$LIVE_ROOT/build
live_tmpdir
live_busybox_rootfs "$LIVE_TMP/root"
# static, without the eBPF recorder (libbpf has no static build here):
# record_ebpf.c compiled again without CF_HAVE_EBPF
objs=
for o in "$B"/cli/*.o; do
	[ "$o" = "$B/cli/record_ebpf.o" ] || objs="$objs $o"
done
cc -std=gnu11 -D_GNU_SOURCE -I"$LIVE_ROOT/include" -I"$LIVE_ROOT/lib" -c \
	-o "$LIVE_TMP/record_ebpf.o" "$LIVE_ROOT/cli/record_ebpf.c" ||
	live_fail "cannot compile cli/record_ebpf.c without eBPF"
# shellcheck disable=SC2086 # objs: a list of object files
cc -static -o "$LIVE_TMP/root/bin/callfence" $objs "$LIVE_TMP/record_ebpf.o" \
	"$B/libcallfence-internal.a" ||
	live_skip "cannot link callfence statically (libc6-dev)"
live_docker
IMAGE=cf-live-inspect:test
live_import_rootfs "$LIVE_TMP/root" "$IMAGE"
trap '$DOCKER rmi -f "$IMAGE" >/dev/null 2>&1; rm -rf "$LIVE_TMP"' EXIT

run() { $DOCKER run --rm --network none "$@"; }

# The comparison is printed, not required to match: Docker 28.2.2 here
# (runc with its own libseccomp) differs from callfence's newer built-in
# profile on syscalls added since (mseal, *xattrat, ...) and on x32.
run "$IMAGE" callfence inspect --compare builtin | grep -E '^(seccomp|x86_64|x32|x86) |^this process|^  x|differences$' || true
d=$(run "$IMAGE" callfence inspect --json)
case $d in
'{"seccomp": 2, "filters": 1, '*) ;;
*) live_fail "docker default: not one filter: $(echo "$d" | cut -c1-200)" ;;
esac
case $d in
*'"name": "mount", "action": "ERRNO(1)"'*) ;;
*) live_fail "docker default: mount is not listed as ERRNO(1)" ;;
esac
a=$(run --cap-add SYS_ADMIN "$IMAGE" callfence inspect --json)
case $a in
*'"name": "mount", "action"'*) live_fail "--cap-add SYS_ADMIN: mount still blocked" ;;
esac
[ ${#a} -lt ${#d} ] || live_fail "--cap-add SYS_ADMIN: the list did not shrink"
echo "docker default: mount ERRNO(1); with SYS_ADMIN: allowed, list shorter"

json=$(run --security-opt seccomp=unconfined "$IMAGE" callfence inspect --json)
case $json in
'{"seccomp": 0, "filters": 0, '*) ;;
*) live_fail "unconfined: seccomp is not 0: $(echo "$json" | cut -c1-200)" ;;
esac
case $json in
*'"nr": '*) live_fail "unconfined: something is listed as blocked" ;;
esac
echo "unconfined: seccomp 0, nothing blocked"
