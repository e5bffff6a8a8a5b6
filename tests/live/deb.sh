#!/bin/sh
# The Debian packages: dpkg-buildpackage -us -uc -b (nocheck: make check
# already ran) builds callfence, libcallfence0 and libcallfence-dev;
# lintian reports no error (its warnings are printed); the three install
# into a throwaway Debian 12 root (a container of the private dockerd, made
# once by debootstrap and kept as the image cf-live-debian:bookworm), where
# `callfence run -- true` works and a program built with
# `pkg-config --cflags --libs callfence` compiles Docker's default and
# installs it; then they purge cleanly.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
live_need_root
live_need_cmd dpkg-buildpackage dpkg-dev
live_need_cmd dh debhelper
live_need_cmd lintian lintian
live_need_cmd debootstrap debootstrap
live_need_cmd scdoc scdoc
live_docker
live_tmpdir
# (the tag changes when the root's packages do: libbpf1 for record's eBPF)
IMAGE=cf-live-debian:bookworm-bpf
MIRROR=${CF_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# ---- build, from a copy of the tree (the .debs land beside it) ----
mkdir "$LIVE_TMP/src"
cd "$LIVE_ROOT" || exit 1
if [ -d .git ] || [ -f .git ]; then
	git ls-files -z --cached --others --exclude-standard |
		grep -zv '^build' | tar --null -T - -cf - | tar -C "$LIVE_TMP/src" -xf -
else
	tar --exclude='./build*' -cf - . | tar -C "$LIVE_TMP/src" -xf -
fi
cd "$LIVE_TMP/src" || exit 1
live_log "dpkg-buildpackage -us -uc -b (log: $LIVE_TMP/build.log)"
if ! DEB_BUILD_OPTIONS=nocheck DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -us -uc -b >"$LIVE_TMP/build.log" 2>&1; then
	tail -n 40 "$LIVE_TMP/build.log" >&2
	live_fail "dpkg-buildpackage failed"
fi
cd "$LIVE_TMP" || exit 1
for p in callfence libcallfence0 libcallfence-dev; do
	ls ${p}_*.deb >/dev/null 2>&1 || live_fail "no $p package was built"
done
echo "built:" *.deb

# ---- lintian: no errors ----
lintian --tag-display-limit 0 ./*.changes >"$LIVE_TMP/lintian.txt" 2>&1 || true
echo "lintian:"
sed 's/^/  /' "$LIVE_TMP/lintian.txt"
if grep -q '^E: ' "$LIVE_TMP/lintian.txt"; then
	live_fail "lintian reports errors"
fi

# ---- a throwaway Debian 12 root ----
if ! $DOCKER image inspect "$IMAGE" >/dev/null 2>&1; then
	live_log "debootstrap bookworm (once; kept as the image $IMAGE)"
	if ! debootstrap --variant=minbase --include=gcc,libc6-dev,pkgconf,libbpf1,libelf1 \
		bookworm "$LIVE_TMP/root" "$MIRROR" >"$LIVE_TMP/debootstrap.log" 2>&1; then
		tail -n 20 "$LIVE_TMP/debootstrap.log" >&2
		live_fail "debootstrap from $MIRROR failed"
	fi
	rm -rf "$LIVE_TMP/root/var/cache/apt/archives/"*.deb
	live_import_rootfs "$LIVE_TMP/root" "$IMAGE"
	rm -rf "$LIVE_TMP/root"
fi

# ---- install and use them there ----
mkdir "$LIVE_TMP/in"
cp ./callfence_*.deb ./libcallfence0_*.deb ./libcallfence-dev_*.deb "$LIVE_TMP/in/"
cp "$LIVE_ROOT/tests/sh/embed.c" "$LIVE_TMP/in/"
cat >"$LIVE_TMP/in/inside.sh" <<'EOS'
set -eu
cd /in
echo "== dpkg -i"
dpkg -i ./*.deb
echo "== callfence run -- true"
callfence --version
callfence run -- true
echo "== the seccomp filter holds in the command"
s=$(callfence run -- grep '^Seccomp:' /proc/self/status)
echo "$s"
[ "$s" = "Seccomp:	2" ]
echo "== cc embed.c \$(pkg-config --cflags --libs callfence)"
cc -o /tmp/embed embed.c $(pkg-config --cflags --libs callfence)
/tmp/embed
echo "== the same, static"
cc -static -o /tmp/embed-static embed.c $(pkg-config --cflags --libs --static callfence)
/tmp/embed-static
echo "== dpkg --purge"
dpkg --purge callfence libcallfence-dev libcallfence0
left=$(ls /usr/bin/callfence /usr/include/callfence.h /usr/lib/*/libcallfence* 2>/dev/null || true)
[ -z "$left" ] || { echo "left after purge: $left"; exit 1; }
echo "inside: all good"
EOS
if ! $DOCKER run --rm --network none -v "$LIVE_TMP/in:/in" "$IMAGE" \
	sh /in/inside.sh; then
	live_fail "the packages did not install or work in $IMAGE"
fi
