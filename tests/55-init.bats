#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# /etc/init.d/v6kit and the systemd units, as `make install` puts them
# under a DESTDIR.  The init script runs inside a lab namespace with its
# tunnels directory, run directory and defaults file private to the test;
# systemd is not PID 1 here, so the units are checked with systemd-analyze.

load helpers

setup_file() {
	DEST="$BATS_FILE_TMPDIR/root"
	make -s -C "$TOP" install DESTDIR="$DEST" >/dev/null
	export DEST INIT="$DEST/etc/init.d/v6kit" UNITS="$DEST/lib/systemd/system"
}

setup() {
	requires root
	lab_setup
	# ndproxy reads its file again as an unprivileged user on reload.
	chmod 755 "$LAB_DIR"
	mkdir -p "$LAB_DIR/tunnels"
	cat >"$LAB_DIR/default" <<-EOF
		WAIT=10
		SRCROUTE_CONF=$LAB_DIR/srcroute.conf
		NDPROXY_CONF=$LAB_DIR/ndproxy.conf
	EOF
}

teardown() { lab_teardown; }

# v6kit VERB: the installed init script under dash, inside the host.
v6kit() {
	in_ns host env V6KIT_SBINDIR="$V6KIT_BIN" V6KIT_DEFAULTS="$LAB_DIR/default" \
		V6KIT_TUNNELS_DIR="$LAB_DIR/tunnels" dash "$INIT" "$@"
}

# lab_tunnels N: host and broker joined by IPv4; the broker serves N 6in4
# tunnels he0..he(N-1), each from its own IPv4 address, and the host has a
# tun6in4.conf(5) file for each.
lab_tunnels() {
	local i
	lab_ns host broker
	lab_link host eth0 broker wan0
	lab_addr host eth0 192.0.2.10/24
	for ((i = 0; i < $1; i++)); do
		lab_addr broker wan0 "192.0.2.$((i + 1))/24"
		V6KIT_RUNDIR="$LAB_DIR/broker" tool tun6in4 -n "$(ns broker)" up "he$i" \
			remote 192.0.2.10 local "192.0.2.$((i + 1))" address "2001:db8:$i::1/64" >/dev/null 2>&1
		cat >"$LAB_DIR/tunnels/he$i.conf" <<-EOF
			remote   192.0.2.$((i + 1))
			local    192.0.2.10
			address  2001:db8:$i::2/64
			gateway  2001:db8:$i::1
		EOF
	done
}

write_srcroute() {
	local i
	: >"$LAB_DIR/srcroute.conf"
	for ((i = 0; i < $1; i++)); do
		echo "2001:db8:$i::2 dev he$i via 2001:db8:$i::1" >>"$LAB_DIR/srcroute.conf"
	done
}

write_ndproxy() {
	cat >"$LAB_DIR/ndproxy.conf" <<-EOF
		proxy eth0 {
		    rule $1 {
		        static
		    }
		}
	EOF
	chmod 644 "$LAB_DIR/ndproxy.conf"
}

# host_state: links, addresses, rules and routes of the host (links by
# name from sysfs: `ip link` may trip over the machine's other namespaces
# coming and going).
host_state() {
	in_ns host ls /sys/class/net
	ip -n "$(ns host)" -o addr
	ip -n "$(ns host)" -6 rule
	ip -n "$(ns host)" -4 route show table all
	ip -n "$(ns host)" -6 route show table all
}
ifindex() { ip -n "$(ns host)" -o link show dev "$1" | cut -d: -f1; }
ndproxy_pid() { cat "$V6KIT_RUNDIR/ndproxy.pid"; }
owned_rules() { ip -n "$(ns host)" -6 rule | grep -E 'proto (150|v6kit-srcroute)' || true; }

@test "init: start brings up every tunnel, then srcroute, then ndproxy; status 0" {
	lab_tunnels 2
	write_srcroute 2
	write_ndproxy 2001:db8:0::/64
	run v6kit status
	assert_equal "$status" 3
	run v6kit start
	assert_success
	assert_output --partial "tunnel he0 up"
	assert_output --partial "tunnel he1 up"
	assert_output --partial "ndproxy started"
	# Both tunnels carry traffic, and each source leaves through its own.
	in_ns host ping -c 1 -W 5 -I 2001:db8:0::2 2001:db8:0::1 >/dev/null
	in_ns host ping -c 1 -W 5 -I 2001:db8:1::2 2001:db8:1::1 >/dev/null
	run owned_rules
	assert_output --partial "from 2001:db8::2 lookup"
	assert_output --partial "from 2001:db8:1::2 lookup"
	kill -0 "$(ndproxy_pid)"
	run v6kit status
	assert_success
	assert_output --partial "source routing matches"
	assert_output --regexp "ndproxy running \(pid [0-9]+\)"
	# status needs no root.
	install -m 755 "$INIT" "$LAB_DIR/init"
	run in_ns host setpriv --reuid=65534 --regid=65534 --clear-groups env V6KIT_SBINDIR="$V6KIT_BIN" \
		V6KIT_DEFAULTS="$LAB_DIR/default" V6KIT_TUNNELS_DIR="$LAB_DIR/tunnels" dash "$LAB_DIR/init" status
	assert_success
	assert_output --partial "ndproxy running"
}

@test "init: stop undoes start in reverse and is idempotent; status 3" {
	lab_tunnels 2
	write_srcroute 2
	write_ndproxy 2001:db8:0::/64
	v6kit start
	pid=$(ndproxy_pid)
	run v6kit stop
	assert_success
	run kill -0 "$pid"
	assert_failure
	run ip -n "$(ns host)" -o link show type tun
	assert_output ""
	run owned_rules
	assert_output ""
	run v6kit stop
	assert_success
	run v6kit status
	assert_equal "$status" 3
	assert_output --partial "not running"
}

@test "init: reload re-applies srcroute.conf and reloads ndproxy, never restarts a tunnel" {
	lab_tunnels 1
	write_srcroute 1
	write_ndproxy 2001:db8:0::/64
	v6kit start
	idx=$(ifindex he0)
	pid=$(ndproxy_pid)
	# Drift: the rule is gone.  reload puts it back.
	ip -n "$(ns host)" -6 rule del from 2001:db8::2 proto 150
	run v6kit status
	assert_equal "$status" 1
	assert_output --partial "DIFFERS"
	write_ndproxy 2001:db8:99::/64
	run v6kit reload
	assert_success
	run owned_rules
	assert_output --partial "from 2001:db8::2 lookup"
	# ndproxy re-read its file in place: same process, the new rule.
	wait_for 10 sh -c "'$V6KIT_BIN/ndproxy' status -n '$(ns host)' -j |
		jq -e '[.. | .prefix? // empty] | index(\"2001:db8:99::/64\")'"
	assert_equal "$(ndproxy_pid)" "$pid"
	# The tunnel is the same link: not taken down, no broker restart spent.
	assert_equal "$(ifindex he0)" "$idx"
	run v6kit force-reload
	assert_success
	assert_equal "$(ifindex he0)" "$idx"
}

@test "init: restart takes everything down and brings it back" {
	lab_tunnels 1
	write_srcroute 1
	write_ndproxy 2001:db8:0::/64
	v6kit start
	idx=$(ifindex he0)
	pid=$(ndproxy_pid)
	run v6kit restart
	assert_success
	assert_output --partial "tunnel he0 down"
	assert_output --partial "tunnel he0 up"
	[ "$(ifindex he0)" != "$idx" ]
	[ "$(ndproxy_pid)" != "$pid" ]
	run v6kit status
	assert_success
}

@test "init: status is 1 when a started tunnel or ndproxy has died" {
	lab_tunnels 1
	write_ndproxy 2001:db8:0::/64
	v6kit start
	tool tun6in4 -n "$(ns host)" down he0
	run v6kit status
	assert_equal "$status" 1
	assert_output --partial "tunnel he0 DOWN"
	kill "$(ndproxy_pid)"
	wait_for 10 sh -c "! kill -0 $(ndproxy_pid)"
	run v6kit status
	assert_equal "$status" 1
	assert_output --partial "ndproxy NOT running"
}

@test "init: a tunnel that was up before start is left up by stop" {
	lab_tunnels 2
	in_ns host env V6KIT_TUNNELS_DIR="$LAB_DIR/tunnels" "$V6KIT_BIN/tun6in4" up he1 >/dev/null 2>&1
	idx=$(ifindex he1)
	run v6kit start
	assert_success
	assert_output --partial "tunnel he1 is already up"
	v6kit stop
	assert_equal "$(ifindex he1)" "$idx"
	run ip -n "$(ns host)" link show dev he0
	assert_failure
}

@test "init: one broken tunnel fails start (exit 1) but the others come up" {
	lab_tunnels 1
	# A tunnel to a broker that never answers: its local address is absent.
	printf 'remote 192.0.2.99\nlocal 198.51.100.7\naddress 2001:db8:7::2/64\n' \
		>"$LAB_DIR/tunnels/he7.conf"
	echo "WAIT=1" >>"$LAB_DIR/default"
	run v6kit start
	assert_equal "$status" 1
	assert_output --partial "tunnel he7 failed to come up"
	in_ns host ping -c 1 -W 5 2001:db8:0::1 >/dev/null
	run v6kit status
	assert_equal "$status" 1
}

@test "init: LSB exit codes for bad usage, no root, missing tools, bad config, not running" {
	lab_tunnels 1
	run v6kit
	assert_equal "$status" 2
	assert_output --partial "Usage:"
	run v6kit frobnicate
	assert_equal "$status" 2
	assert_line "v6kit: unknown action 'frobnicate'"
	run v6kit reload
	assert_equal "$status" 7
	assert_output --partial "not running"
	# A copy an unprivileged user can read (the DESTDIR is root's own).
	install -m 755 "$INIT" "$LAB_DIR/init"
	run in_ns host setpriv --reuid=65534 --regid=65534 --clear-groups \
		env V6KIT_SBINDIR="$V6KIT_BIN" V6KIT_DEFAULTS="$LAB_DIR/default" dash "$LAB_DIR/init" start
	assert_equal "$status" 4
	assert_output --partial "must be root"
	run in_ns host env V6KIT_SBINDIR=/nonexistent V6KIT_DEFAULTS="$LAB_DIR/default" dash "$INIT" start
	assert_equal "$status" 5
	assert_output --partial "/nonexistent/tun6in4 is not installed"
	# A typo in ndproxy.conf: exit 6 naming the file, nothing started.
	printf 'proxy eth0 {\n    bogus yes\n}\n' >"$LAB_DIR/ndproxy.conf"
	before=$(host_state)
	run v6kit start
	assert_equal "$status" 6
	assert_output --partial "$LAB_DIR/ndproxy.conf"
	assert_equal "$(host_state)" "$before"
	run v6kit status
	assert_equal "$status" 3
}

@test "init: the script is POSIX sh and shellcheck clean" {
	requires cmd:shellcheck
	run shellcheck -s sh "$TOP/scripts/init.d/v6kit"
	assert_success
	run dash -n "$INIT"
	assert_success
	run head -c 2 "$INIT"
	assert_output "#!"
	grep -q '^### BEGIN INIT INFO' "$INIT"
	grep -q '^# Provides: *v6kit$' "$INIT"
}

# verify_root: the DESTDIR tree plus what the units use from the system
# (each Exec*= program not installed by v6kit, and systemd's targets), so
# `systemd-analyze --root` judges v6kit's units and binaries only.
verify_root() {
	local p
	grep -ho '^Exec[A-Za-z]*=[-@+!:]*/[^ ]*' "$UNITS"/* | sed 's/^[^=]*=[-@+!:]*//' | sort -u |
		while read -r p; do
			[ -e "$DEST$p" ] || [ ! -e "$p" ] || install -D "$p" "$DEST$p"
		done
	# Beside, not among, v6kit's units.
	mkdir -p "$DEST/etc/systemd/system"
	for p in /lib/systemd/system/*.target; do
		[ -e "$UNITS/${p##*/}" ] || cp "$p" "$DEST/etc/systemd/system/"
	done
}

# unit_names: every installed unit, templates as NAME@i.
unit_names() {
	local f
	for f in "$UNITS"/*.service "$UNITS"/*.target "$UNITS"/*.timer; do
		[ -f "$f" ] || continue
		f=${f##*/}
		case "$f" in *@.*) f="${f%@.*}@i.${f##*.}" ;; esac
		echo "$f"
	done
}

@test "systemd-analyze verify passes every unit with the installed binaries" {
	requires cmd:systemd-analyze
	verify_root
	mapfile -t units < <(unit_names)
	[ "${#units[@]}" -ge 5 ]
	printf '%s\n' "${units[@]}" | grep -qx 'tun6in4@i.service'
	cd "$UNITS"
	run systemd-analyze verify --man=no --root="$DEST" "${units[@]}"
	assert_success
	assert_output ""
	# The check bites: without the installed ndproxy the unit fails.
	mv "$DEST/usr/local/sbin/ndproxy" "$BATS_TEST_TMPDIR/ndproxy"
	run systemd-analyze verify --man=no --root="$DEST" ndproxy.service
	mv "$BATS_TEST_TMPDIR/ndproxy" "$DEST/usr/local/sbin/ndproxy"
	assert_failure
	assert_output --partial "/usr/local/sbin/ndproxy"
}

@test "units: a native v6kit.service shadows the init script in systemd's generator" {
	local gen=/lib/systemd/system-generators/systemd-sysv-generator
	[ -x "$gen" ] || skip "needs systemd-sysv-generator"
	mkdir -p "$BATS_TEST_TMPDIR"/{with,without}/{n,e,l}
	SYSTEMD_SYSVINIT_PATH="$DEST/etc/init.d" SYSTEMD_UNIT_PATH="$UNITS" \
		"$gen" "$BATS_TEST_TMPDIR"/with/{n,e,l}
	[ ! -e "$BATS_TEST_TMPDIR/with/l/v6kit.service" ]
	# Without the native unit the generator would make one.
	SYSTEMD_SYSVINIT_PATH="$DEST/etc/init.d" SYSTEMD_UNIT_PATH="$BATS_TEST_TMPDIR" \
		"$gen" "$BATS_TEST_TMPDIR"/without/{n,e,l}
	[ -e "$BATS_TEST_TMPDIR/without/l/v6kit.service" ]
}

@test "units: restart guard, readiness, ordering, shared state in tmpfiles.d" {
	run grep -h '^RuntimeDirectory' "$UNITS"/*
	assert_output ""
	t="$UNITS/tun6in4@.service"
	grep -qx 'Type=notify' "$t"
	grep -qx 'ExecStart=/usr/local/sbin/tun6in4 up %i --foreground' "$t"
	grep -qx 'ExecReload=/usr/local/sbin/tun6in4 reload %i' "$t"
	grep -qx 'ExecStop=/usr/local/sbin/tun6in4 down %i' "$t"
	grep -qx 'RemainAfterExit=yes' "$t"
	grep -qx 'Restart=on-failure' "$t"
	grep -Eqx 'RestartPreventExitStatus=(.* )?75( .*)?' "$t"
	grep -qx 'Before=v6kit.target' "$t"
	for u in srcroute ndproxy; do
		grep -Eqx 'After=.*v6kit\.target.*' "$UNITS/$u.service"
		grep -Eqx 'After=network-online\.target.*' "$UNITS/$u.service"
		grep -qx 'Wants=network-online.target' "$UNITS/$u.service"
	done
	grep -qx 'ExecStart=/usr/local/sbin/srcroute apply --wait 60' "$UNITS/srcroute.service"
	grep -qx 'ExecStop=/usr/local/sbin/srcroute flush' "$UNITS/srcroute.service"
	n="$UNITS/ndproxy.service"
	grep -qx 'Type=notify' "$n"
	grep -q '^ExecStartPre=/usr/local/sbin/ndproxy -t ' "$n"
	grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$n"
	grep -qx 'ReadWritePaths=/run/v6kit' "$n"
	run grep -h '^d ' "$DEST/usr/lib/tmpfiles.d/v6kit.conf"
	assert_output --partial "/run/v6kit"
	assert_output --partial "/var/lib/v6kit"
}

@test "systemd-analyze security: ndproxy.service stays at exposure 3.0 or better" {
	requires cmd:systemd-analyze
	verify_root
	cd "$UNITS"
	# --threshold is in tenths: 30 is an exposure of 3.0.
	run systemd-analyze security --offline=yes --root="$DEST" --threshold=30 ndproxy.service
	assert_success
	score=$(sed -n 's/.*Overall exposure level for ndproxy.service: \([0-9.]*\).*/\1/p' <<<"$output")
	echo "exposure $score" >&3
	[ -n "$score" ]
	awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'
	# Every capability the daemon keeps, and only those.
	grep -qx 'CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN CAP_SETUID CAP_SETGID CAP_SETPCAP' \
		ndproxy.service
}

@test "v6kit.service starts one tun6in4@NAME per tunnel file, then v6kit.target" {
	mkdir -p "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/tunnels"
	touch "$BATS_TEST_TMPDIR/tunnels/he0.conf" "$BATS_TEST_TMPDIR/tunnels/sixxs-1.conf" \
		"$BATS_TEST_TMPDIR/tunnels/README"
	printf '#!/bin/sh\necho "systemctl $*" >>"%s/calls"\n' "$BATS_TEST_TMPDIR" \
		>"$BATS_TEST_TMPDIR/bin/systemctl"
	chmod 755 "$BATS_TEST_TMPDIR/bin/systemctl"
	# The command line as systemd hands it to sh: $$ and %% unescaped.
	cmd=$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'$/\1/p" "$UNITS/v6kit.service")
	[ -n "$cmd" ]
	cmd=${cmd//'$$'/'$'}
	cmd=${cmd//'%%'/'%'}
	cmd=${cmd//'/etc/v6kit/tunnels'/"$BATS_TEST_TMPDIR/tunnels"}
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" dash -c "$cmd"
	run cat "$BATS_TEST_TMPDIR/calls"
	assert_output "systemctl start --no-block tun6in4@he0.service
systemctl start --no-block tun6in4@sixxs-1.service
systemctl start --no-block v6kit.target"
}

# notify_listener: systemd's side of the notify protocol, a datagram socket
# at $LAB_DIR/notify whose messages go to $LAB_DIR/notify.log.
notify_listener() {
	lab_bg host /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        log.write(s.recv(4096).decode() + "\n")
        log.flush()
' "$LAB_DIR/notify" "$LAB_DIR/notify.log"
	wait_for 10 test -S "$LAB_DIR/notify"
}

# unit_cmd UNIT KEY: the unit's KEY= command line with %i for he0.
unit_cmd() { sed -n "s/^$2=//p" "$UNITS/$1" | sed 's/%i/he0/g'; }

@test "tun6in4@he0.service as systemd runs it: READY=1 when usable, ExecStop takes it down" {
	requires cmd:python3
	lab_tunnels 1
	notify_listener
	start=$(unit_cmd tun6in4@.service ExecStart)
	stop=$(unit_cmd tun6in4@.service ExecStop)
	# The installed paths, pointed at the tools under test.
	start=${start//\/usr\/local\/sbin\//$V6KIT_BIN/}
	stop=${stop//\/usr\/local\/sbin\//$V6KIT_BIN/}
	# shellcheck disable=SC2086 # the unit's command line, split as systemd does
	lab_bg host env NOTIFY_SOCKET="$LAB_DIR/notify" V6KIT_TUNNELS_DIR="$LAB_DIR/tunnels" $start
	main=$LAB_LAST_PID
	wait_for 20 grep -q 'READY=1' "$LAB_DIR/notify.log"
	# Ready means usable: the broker answers at once.
	in_ns host ping -c 1 -W 5 2001:db8:0::1 >/dev/null
	# User mode: the data plane is the main process, still running.
	if ip -n "$(ns host)" -d -o link show dev he0 | grep -q 'tun type tun'; then
		kill -0 "$main"
		echo "user mode: main process $main runs the data plane" >&3
	fi
	# shellcheck disable=SC2086
	in_ns host $stop
	run ip -n "$(ns host)" link show dev he0
	assert_failure
	wait_for 10 sh -c "! kill -0 $main"
}

@test "ndproxy.service as systemd runs it: ExecStartPre checks, READY=1, ExecReload re-reads" {
	requires cmd:python3
	lab_tunnels 1
	write_ndproxy 2001:db8:0::/64
	notify_listener
	conf="$LAB_DIR/ndproxy.conf"
	cmd() { unit_cmd ndproxy.service "$1" | sed "s|/usr/local/sbin/|$V6KIT_BIN/|; s|/etc/v6kit/ndproxy.conf|$conf|"; }
	# shellcheck disable=SC2046 # the unit's command lines, split as systemd does
	run in_ns host $(cmd ExecStartPre)
	assert_success
	# shellcheck disable=SC2046
	lab_bg host env NOTIFY_SOCKET="$LAB_DIR/notify" $(cmd ExecStart)
	main=$LAB_LAST_PID
	wait_for 20 grep -q 'READY=1' "$LAB_DIR/notify.log"
	kill -0 "$main"
	write_ndproxy 2001:db8:99::/64
	# ExecReload=/bin/kill -HUP $MAINPID
	[ "$(unit_cmd ndproxy.service ExecReload)" = '/bin/kill -HUP $MAINPID' ]
	/bin/kill -HUP "$main"
	wait_for 10 sh -c "'$V6KIT_BIN/ndproxy' status -n '$(ns host)' -j |
		jq -e '[.. | .prefix? // empty] | index(\"2001:db8:99::/64\")'"
	kill -0 "$main"
	# A broken file fails ExecStartPre, so systemd never starts the daemon.
	printf 'proxy eth0 {\n    bogus yes\n}\n' >"$conf"
	# shellcheck disable=SC2046
	run in_ns host $(cmd ExecStartPre)
	assert_failure
	assert_output --partial "$conf"
}
