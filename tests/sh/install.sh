#!/bin/sh
# make install / make uninstall: the exact file list, modes and links, the
# pkg-config file, and a program built against the installed tree only
# (shared, static, and the static library inside a shared object).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
MAKE_CMD=${CF_MAKE:-make}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
v=$(hdr_version)
mk() { $MAKE_CMD -s --no-print-directory O="$CF_O" "$@" >"$tmp/make.log" 2>&1 || { cat "$tmp/make.log"; return 1; }; }

# ---- the file list ----
if ! mk install DESTDIR="$dest" PREFIX=/usr; then
	fail "make install DESTDIR=... PREFIX=/usr"; finish
fi
ok "make install DESTDIR=... PREFIX=/usr"
{
	echo usr/bin/callfence
	echo usr/include/callfence.h
	echo usr/lib/libcallfence.a
	echo usr/lib/libcallfence.so
	echo usr/lib/libcallfence.so.0
	echo "usr/lib/libcallfence.so.$v"
	echo usr/lib/pkgconfig/callfence.pc
	# one page per man/NAME.SECTION.scd (make man builds them)
	for f in man/*.scd; do
		[ -f "$f" ] || continue
		n=${f#man/}; n=${n%.scd}
		echo "usr/share/man/man${n##*.}/$n"
	done
	[ -f completion/callfence.bash ] &&
		echo usr/share/bash-completion/completions/callfence
	[ -f completion/_callfence ] &&
		echo usr/share/zsh/vendor-completions/_callfence
} | sort >"$tmp/want"
(cd "$dest" && find . ! -type d | sed 's|^\./||' | sort) >"$tmp/got"
if diff -u "$tmp/want" "$tmp/got"; then
	ok "installed exactly $(wc -l <"$tmp/want") files"
else
	fail "installed files differ from the list (- expected, + installed)"
fi
check "libcallfence.so.0 -> libcallfence.so.$v" \
	test "$(readlink "$dest/usr/lib/libcallfence.so.0")" = "libcallfence.so.$v"
check "libcallfence.so -> libcallfence.so.0" \
	test "$(readlink "$dest/usr/lib/libcallfence.so")" = libcallfence.so.0
check "callfence is 0755" test "$(stat -c %a "$dest/usr/bin/callfence")" = 755
bad=
for f in usr/include/callfence.h usr/lib/libcallfence.a "usr/lib/libcallfence.so.$v" \
	usr/lib/pkgconfig/callfence.pc; do
	[ "$(stat -c %a "$dest/$f")" = 644 ] || bad="$bad $f"
done
check "headers, libraries, .pc are 0644${bad:+ (not:$bad)}" test -z "$bad"
check "the .pc names the install paths and the version" \
	grep -qx "libdir=/usr/lib" "$dest/usr/lib/pkgconfig/callfence.pc"
check "the .pc has Version: $v" \
	grep -qx "Version: $v" "$dest/usr/lib/pkgconfig/callfence.pc"
check "the installed tool runs" \
	"$dest/usr/bin/callfence" --version

# ---- a program built against the installed tree only ----
if ! command -v pkg-config >/dev/null 2>&1; then
	skip "pkg-config is missing (Debian package pkg-config)"
else
	pc() {
		PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig \
			pkg-config "$@" callfence
	}
	flags=$(pc --cflags --libs)
	# shellcheck disable=SC2086 # word splitting of pkg-config's output
	if $CF_CC $CF_SAN -o "$tmp/embed" tests/sh/embed.c $flags; then
		ok "cc \$(pkg-config --cflags --libs callfence) against the installed tree"
		check "it needs libcallfence.so.0" \
			sh -c "readelf -d '$tmp/embed' | grep -q 'NEEDED.*\\[libcallfence.so.0\\]'"
		check "it compiles Docker's default and installs it in a child" \
			env LD_LIBRARY_PATH="$dest/usr/lib" "$tmp/embed"
	else
		fail "cc \$(pkg-config --cflags --libs callfence) against the installed tree"
	fi
	if [ -n "$CF_SAN" ]; then
		echo "skip: -static with sanitizers (no static sanitizer runtime); make check builds it"
		t_skip=$((t_skip + 1))
	else
		flags=$(pc --cflags --libs --static)
		# shellcheck disable=SC2086
		if $CF_CC -static -o "$tmp/embed-static" tests/sh/embed.c $flags; then
			ok "cc -static \$(pkg-config --cflags --libs --static callfence)"
			check "the static program has no dynamic section" \
				sh -c "! readelf -d '$tmp/embed-static' | grep -q NEEDED"
			check "the static program compiles and installs Docker's default" \
				"$tmp/embed-static"
		else
			fail "cc -static \$(pkg-config --cflags --libs --static callfence)"
		fi
	fi
	# libcallfence.a linked into a shared object (needs -fPIC objects)
	flags=$(pc --cflags)
	# shellcheck disable=SC2086
	if $CF_CC $CF_SAN -shared -fPIC -Dmain=embed_main -o "$tmp/plugin.so" \
		tests/sh/embed.c $flags "$dest/usr/lib/libcallfence.a"; then
		ok "libcallfence.a links into a shared object"
	else
		fail "libcallfence.a links into a shared object"
	fi
fi

# ---- other directories ----
dest2=$tmp/root2
if mk install DESTDIR="$dest2" PREFIX=/opt/cf BINDIR=/opt/cf/sbin \
	LIBDIR=/opt/cf/lib64 INCLUDEDIR=/opt/cf/inc MANDIR=/opt/cf/man; then
	missing=
	for f in opt/cf/sbin/callfence opt/cf/lib64/libcallfence.a \
		opt/cf/lib64/libcallfence.so.0 opt/cf/inc/callfence.h \
		opt/cf/lib64/pkgconfig/callfence.pc; do
		[ -e "$dest2/$f" ] || missing="$missing $f"
	done
	check "BINDIR, LIBDIR, INCLUDEDIR are honoured${missing:+ (missing:$missing)}" \
		test -z "$missing"
	check "the .pc follows LIBDIR and INCLUDEDIR" sh -c \
		"grep -qx libdir=/opt/cf/lib64 '$dest2/opt/cf/lib64/pkgconfig/callfence.pc' &&
		 grep -qx includedir=/opt/cf/inc '$dest2/opt/cf/lib64/pkgconfig/callfence.pc'"
	if ls man/*.1.scd >/dev/null 2>&1; then
		check "MANDIR is honoured" test -d "$dest2/opt/cf/man/man1"
	fi
	mk uninstall DESTDIR="$dest2" PREFIX=/opt/cf BINDIR=/opt/cf/sbin \
		LIBDIR=/opt/cf/lib64 INCLUDEDIR=/opt/cf/inc MANDIR=/opt/cf/man
	check "uninstall with the same directories removes everything" \
		test -z "$(find "$dest2" ! -type d)"
else
	fail "make install with BINDIR, LIBDIR, INCLUDEDIR, MANDIR"
fi
# leave the build's .pc with the default paths again
mk "$CF_O/callfence.pc" || true

# ---- uninstall ----
if mk uninstall DESTDIR="$dest" PREFIX=/usr; then
	left=$(cd "$dest" && find . ! -type d)
	check "make uninstall removes every installed file${left:+ (left: $left)}" \
		test -z "$left"
else
	fail "make uninstall DESTDIR=... PREFIX=/usr"
fi
finish
