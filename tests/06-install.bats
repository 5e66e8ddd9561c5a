#!/usr/bin/env bats
# make install / uninstall honour DESTDIR, PREFIX and the directory knobs.

load helpers

setup() {
	# The sanitizer pass would rebuild into build-asan/; once is enough.
	requires not-sanitized
	DEST=$(mktemp -d "${BATS_TMPDIR:-/tmp}/v6kit-install.XXXXXX")
}

teardown() { rm -rf "$DEST"; }

@test "make install puts tools, man pages and protocol names under DESTDIR" {
	run make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/opt/v6 SBINDIR=/opt/v6/xsbin \
		MANDIR=/opt/v6/man SYSCONFDIR=/opt/v6/etc
	assert_success
	[ -x "$DEST/opt/v6/xsbin/srcroute" ]
	[ -f "$DEST/opt/v6/man/man8/srcroute.8" ]
	run cat "$DEST/opt/v6/etc/iproute2/rt_protos.d/v6kit.conf"
	assert_output --regexp $'(^|\n)150\tv6kit-srcroute($|\n)'
	run "$DEST/opt/v6/xsbin/srcroute" --version
	assert_success
	# Nothing lands outside DESTDIR.
	[ ! -e /opt/v6/xsbin/srcroute ]
	run make -s -C "$TOP" uninstall DESTDIR="$DEST" PREFIX=/opt/v6 SBINDIR=/opt/v6/xsbin \
		MANDIR=/opt/v6/man SYSCONFDIR=/opt/v6/etc
	assert_success
	run find "$DEST" -type f
	assert_output ""
}

@test "the default prefix is /usr/local with SYSCONFDIR /etc" {
	run make -s -C "$TOP" install DESTDIR="$DEST"
	assert_success
	[ -x "$DEST/usr/local/sbin/srcroute" ]
	[ -f "$DEST/usr/local/share/man/man8/srcroute.8" ]
	[ -f "$DEST/etc/iproute2/rt_protos.d/v6kit.conf" ]
}
