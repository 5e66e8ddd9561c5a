#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# make install / uninstall honour DESTDIR, PREFIX and the directory knobs,
# list every file they install, and uninstall removes exactly those.

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

@test "make install lists every file it installs; uninstall removes exactly those" {
	run make -s -C "$TOP" install DESTDIR="$DEST"
	assert_success
	refute_output --partial "system user"
	listed=$(grep "^$DEST/" <<<"$output" | sort)
	assert_equal "$listed" "$(find "$DEST" -type f | sort)"
	# The boot layer: init script, defaults, units, tmpfiles, sysusers, license, examples.
	for f in etc/init.d/v6kit etc/default/v6kit lib/systemd/system/v6kit.service \
		lib/systemd/system/v6kit.target lib/systemd/system/tun6in4@.service \
		lib/systemd/system/srcroute.service lib/systemd/system/ndproxy.service \
		usr/lib/tmpfiles.d/v6kit.conf usr/lib/sysusers.d/v6kit.conf \
		usr/local/share/doc/v6kit/LICENSE usr/local/share/doc/v6kit/examples/srcroute.conf \
		usr/local/share/doc/v6kit/examples/ndproxy.conf \
		usr/local/share/doc/v6kit/examples/tunnels/he0.conf; do
		[ -f "$DEST/$f" ] || fail "not installed: $f"
	done
	[ -x "$DEST/etc/init.d/v6kit" ]
	[ -d "$DEST/etc/v6kit/tunnels" ]
	# Installed files name the installed tools, not placeholders.
	run grep -rl '@[A-Z]*DIR@' "$DEST"
	assert_output ""
	grep -qx 'ExecStart=/usr/local/sbin/tun6in4 up %i --foreground' \
		"$DEST/lib/systemd/system/tun6in4@.service"
	grep -q '^SBIN=${V6KIT_SBINDIR:-/usr/local/sbin}$' "$DEST/etc/init.d/v6kit"
	run make -s -C "$TOP" uninstall DESTDIR="$DEST"
	assert_success
	run find "$DEST" -type f
	assert_output ""
	run find "$DEST" -path '*doc/v6kit*'
	assert_output ""
}

@test "systemd directories follow their knobs; the unit paths follow SBINDIR" {
	run make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/usr SBINDIR=/usr/sbin \
		SYSTEMDUNITDIR=/usr/lib/systemd/system DOCDIR=/usr/share/doc/v6kit-tools
	assert_success
	grep -qx 'ExecStart=/usr/sbin/srcroute apply --wait 60' "$DEST/usr/lib/systemd/system/srcroute.service"
	[ -f "$DEST/usr/share/doc/v6kit-tools/examples/srcroute.conf" ]
	[ ! -e "$DEST/lib/systemd/system" ]
}

# The scripts other parts of the tree add: each goes where CONTRACTS says,
# found by wildcard; without them install still works (the test above).
@test "hooks, helper scripts, timers and examples are installed by wildcard" {
	tree="$BATS_TEST_TMPDIR/tree"
	mkdir -p "$tree"
	(cd "$TOP" && git ls-files -z scripts man LICENSE | xargs -0 cp --parents -t "$tree")
	mkdir -p "$tree"/scripts/{sbin,ifupdown,system-sleep,dhclient,ppp,examples/cron.d}
	for f in sbin/v6kit-health ifupdown/v6kit system-sleep/v6kit dhclient/v6kit ppp/v6kit; do
		printf '#!/bin/sh\n# %s\nexec @SBINDIR@/tun6in4 show\n' "$f" >"$tree/scripts/$f"
	done
	printf '[Timer]\nOnCalendar=*:0/5\n' >"$tree/scripts/systemd/v6kit-health.timer"
	printf '*/5 * * * * root true\n' >"$tree/scripts/examples/cron.d/v6kit"
	cd "$tree"
	run env B="$V6KIT_BIN" PREFIX=/usr BINDIR=/usr/bin SBINDIR=/usr/sbin MANDIR=/usr/share/man \
		SYSCONFDIR=/etc DOCDIR=/usr/share/doc/v6kit SYSTEMDUNITDIR=/lib/systemd/system \
		SYSTEMSLEEPDIR=/lib/systemd/system-sleep TMPFILESDIR=/usr/lib/tmpfiles.d \
		SYSUSERSDIR=/usr/lib/sysusers.d SBIN_TOOLS="srcroute" BIN_TOOLS="" DESTDIR="$DEST" \
		scripts/install-files install
	assert_success
	for p in pre-up up down post-down; do
		[ -x "$DEST/etc/network/if-$p.d/v6kit" ] || fail "no if-$p.d hook"
	done
	[ -x "$DEST/usr/sbin/v6kit-health" ]
	[ -x "$DEST/lib/systemd/system-sleep/v6kit" ]
	[ -f "$DEST/etc/dhcp/dhclient-exit-hooks.d/v6kit" ]
	[ -x "$DEST/etc/ppp/ip-up.d/v6kit" ]
	[ -f "$DEST/lib/systemd/system/v6kit-health.timer" ]
	[ -f "$DEST/usr/share/doc/v6kit/examples/cron.d/v6kit" ]
	grep -qx 'exec /usr/sbin/tun6in4 show' "$DEST/etc/network/if-up.d/v6kit"
	run env B="$V6KIT_BIN" PREFIX=/usr BINDIR=/usr/bin SBINDIR=/usr/sbin MANDIR=/usr/share/man \
		SYSCONFDIR=/etc DOCDIR=/usr/share/doc/v6kit SYSTEMDUNITDIR=/lib/systemd/system \
		SYSTEMSLEEPDIR=/lib/systemd/system-sleep TMPFILESDIR=/usr/lib/tmpfiles.d \
		SYSUSERSDIR=/usr/lib/sysusers.d SBIN_TOOLS="srcroute" BIN_TOOLS="" DESTDIR="$DEST" \
		scripts/install-files uninstall
	assert_success
	run find "$DEST" -type f
	assert_output ""
}

@test "an edited /etc/default/v6kit survives install and uninstall" {
	make -s -C "$TOP" install DESTDIR="$DEST" >/dev/null
	echo 'WAIT=5' >>"$DEST/etc/default/v6kit"
	run make -s -C "$TOP" install DESTDIR="$DEST"
	assert_output --partial "kept $DEST/etc/default/v6kit"
	run make -s -C "$TOP" uninstall DESTDIR="$DEST"
	assert_output --partial "kept $DEST/etc/default/v6kit (changed)"
	run find "$DEST" -type f
	assert_output "$DEST/etc/default/v6kit"
}

# A root install onto the machine itself (no DESTDIR) creates the system
# user; run against a private copy of /etc so the host stays untouched.
@test "make install as root without DESTDIR creates the system user v6kit" {
	requires root cmd:adduser
	mkdir -p "$DEST/etc" "$DEST/root"
	cp -a /etc/. "$DEST/etc/"
	run unshare --mount --propagation private sh -c '
		set -e
		mount --bind "$1/etc" /etc
		# Hides a running systemd: no daemon-reload or tmpfiles on the host.
		mount -t tmpfs tmpfs /run
		getent passwd v6kit && userdel v6kit >/dev/null 2>&1 || true
		getent group v6kit && groupdel v6kit >/dev/null 2>&1 || true
		make -s -C "$2" install PREFIX="$1/root/usr" SYSCONFDIR="$1/root/etc" \
			SYSTEMDUNITDIR="$1/root/units" SYSTEMSLEEPDIR="$1/root/sleep" \
			TMPFILESDIR="$1/root/tmpfiles" SYSUSERSDIR="$1/root/sysusers"
		echo "passwd: $(getent passwd v6kit)"
		echo "group: $(getent group v6kit)"
		make -s -C "$2" install PREFIX="$1/root/usr" SYSCONFDIR="$1/root/etc" \
			SYSTEMDUNITDIR="$1/root/units" SYSTEMSLEEPDIR="$1/root/sleep" \
			TMPFILESDIR="$1/root/tmpfiles" SYSUSERSDIR="$1/root/sysusers"
	' sh "$DEST" "$TOP"
	assert_success
	assert_output --partial "created system user and group v6kit"
	assert_output --regexp 'passwd: v6kit:x:[0-9]+:[0-9]+:[^:]*:/nonexistent:/usr/sbin/nologin'
	assert_output --regexp 'group: v6kit:x:[0-9]+:'
	# Once only: the second install finds the user.
	[ "$(grep -c 'created system user' <<<"$output")" = 1 ]
}
