#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ndproxy on a three-host lab: modem -- router (ndproxy, forwarding) -- host.
# The modem treats 2001:db8:1::/64 as on-link on m0; the host 2001:db8:1::100
# sits one hop further, behind the router.

load helpers

setup() { lab_setup; }
teardown() { lab_teardown; }

PROBE="$BATS_TEST_DIRNAME/ndproxy/nsprobe.py"

# ndp_lab: the three hosts, addresses and routes (no ndproxy yet).
ndp_lab() {
	requires root
	lab_ns modem router host
	lab_link modem m0 router r0
	lab_link router r1 host h0
	lab_forward router
	lab_addr modem m0 2001:db8:1::1/64
	lab_addr host h0 2001:db8:1::100/128
	ip -n "$(ns router)" -6 route add 2001:db8:1::1/128 dev r0
	wait_for 10 router_ll r1
	ip -n "$(ns host)" -6 route add default via "$(router_ll r1)" dev h0
	wait_for 10 router_ll r0
	RMAC=$(ip -n "$(ns router)" -j link show r0 | jq -r '.[0].address')
}

# The LAN /64 routed to the host side (what `auto` looks up).
ndp_lan_route() { ip -n "$(ns router)" -6 route add 2001:db8:1::/64 dev r1; }

router_ll() {
	local a
	a=$(ip -n "$(ns router)" -6 -j addr show dev "$1" scope link | jq -r '.[0].addr_info[0].local // empty')
	[ -n "$a" ] && echo "$a"
}

# ndp_start ARGS...: ndproxy in the router; waits for its status socket.
ndp_start() {
	lab_bg router "$V6KIT_BIN/ndproxy" -v "$@"
	NDP_PID=$LAB_LAST_PID
	NDP_LOG=$LAB_LAST_LOG
	wait_for 10 ndp_listening
}
# jq -e passes on empty input, so every check on daemon or probe output
# goes through these, which fail when there is none.
ndp_jq() {
	local o
	o=$(tool ndproxy status -j) && [ -n "$o" ] || return 1
	jq -e "$@" <<<"$o"
}
pjq() { [ -n "$output" ] && jq -e "$@" <<<"$output"; }
ndp_listening() { ndp_jq '.proxies | all(.listening)'; }
ndp_status() { tool ndproxy status -j; }
ndp_counter() { ndp_status | jq -r ".counters$1"; }

# probe CASE:TARGET...: nsprobe from the modem, one JSON line per case.
probe() {
	requires scapy
	in_ns modem /usr/bin/python3 "$PROBE" m0 "${PROBE_SRC:-2001:db8:1::1}" --dmac="$RMAC" "$@"
}

# modem_reaches ADDR: ping and a TCP exchange from the modem.
modem_reaches() {
	in_ns modem ip -6 neigh flush dev m0
	in_ns modem ping -c 2 -W 2 "$1"
	lab_bg host /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 8080)); s.listen(1)
c, _ = s.accept(); c.sendall(c.recv(100).upper())'
	wait_for 10 host_listening
	run in_ns modem /usr/bin/python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], 8080), timeout=5)
c.sendall(b"hello"); print(c.recv(100).decode())' "$1"
	assert_success
	assert_output HELLO
	# The modem resolved the host to the router's link-layer address.
	in_ns modem ip -6 neigh show "$1" dev m0 | grep -q "lladdr $RMAC"
}

host_listening() { in_ns host ss -Hltn | grep -q ':8080 '; }

# allmulti IFACE: is the flag set in the kernel (ip link shows only what
# a user set, not what packet sockets asked for)?
allmulti() { [ $(($(in_ns router cat "/sys/class/net/$1/flags") & 0x200)) != 0 ]; }

no_wired_routes() { [ -z "$(ip -n "$(ns router)" -6 route show proto 152)" ]; }

write_conf() { cat >"$LAB_DIR/ndproxy.conf"; chmod 755 "$LAB_DIR"; chmod 644 "$LAB_DIR/ndproxy.conf"; }

@test "ndproxy: -t reads ndppd.conf files unchanged" {
	local f
	for f in /usr/share/doc/ndppd/ndppd.conf-dist "$BATS_TEST_DIRNAME"/ndproxy/ndppd-*.conf; do
		[ -e "$f" ] || continue
		run tool ndproxy -t -c "$f"
		assert_success
		assert_line "configuration OK"
	done
	run tool ndproxy -t -c "$BATS_TEST_DIRNAME/ndproxy/ndppd-compact.conf"
	assert_output --partial "ndppd-compact.conf:6: rule 2001:db8:6::/64 has no method, taken as static"
}

@test "ndproxy: config errors name file:line and the token, exit 1" {
	run tool ndproxy -t -c "$BATS_TEST_DIRNAME/ndproxy/bad-unknown-key.conf"
	assert_failure 1
	assert_output "ndproxy: $BATS_TEST_DIRNAME/ndproxy/bad-unknown-key.conf:3: unknown proxy option 'rulez'"
	printf 'proxy eth0 {\n router maybe\n rule 2001:db8::/64 { static }\n}\n' >"$LAB_DIR/c"
	run tool ndproxy -t -c "$LAB_DIR/c"
	assert_failure 1
	assert_output "ndproxy: $LAB_DIR/c:2: 'router' must be yes or no: 'maybe'"
	printf 'proxy eth0 {\n rule 2001:db8::/64 { static\n auto }\n}\n' >"$LAB_DIR/c"
	run tool ndproxy -t -c "$LAB_DIR/c"
	assert_failure 1
	assert_output --partial "$LAB_DIR/c:3: only one of static, iface and auto"
	run tool ndproxy -t -i eth0 -r 2001:db8::/200 -s
	assert_failure 1
	assert_output --partial "2001:db8::/200"
	run tool ndproxy -c "$LAB_DIR/c" -i eth0 -r 2001:db8::/64
	assert_failure 1
	# A file that cannot be read is bad input too.
	run tool ndproxy -t -c "$LAB_DIR/missing"
	assert_failure 1
	assert_output "ndproxy: $LAB_DIR/missing: No such file or directory"
}

@test "ndproxy: static from the command line: modem reaches the host; NA per RFC 4861 7.2.4" {
	ndp_lab
	ndp_lan_route
	ndp_start -i r0 -r 2001:db8:1::/64 -s
	modem_reaches 2001:db8:1::100
	run probe valid:2001:db8:1::a unicast:2001:db8:1::b dad:2001:db8:1::c
	assert_success
	local ll
	ll=$(router_ll r0)
	# Multicast and unicast NS both answered, to the solicitor, S=1 R=1 O=0,
	# hop limit 255, link-local source, our MAC in the TLLA option.
	pjq -s --arg ll "$ll" --arg mac "$RMAC" 'map(select(.case != "dad")) |
		length == 2 and all(.answered and .dst == "2001:db8:1::1" and .S == 1 and .R == 1 and
		.O == 0 and .hlim == 255 and .src == $ll and .tlla == $mac)'
	[ "$(echo "$output" | jq -s '[.[] | select(.answered)] | length')" = 2 ]
	# DAD for a static prefix: never answered.
	pjq 'select(.case == "dad") | .answered == false'
	[ "$(ndp_counter '.not_answered.dad_static')" = 1 ]
	[ "$(ndp_counter .answered)" -ge 3 ]
}

@test "ndproxy: static from a config file, router/override/na-source options" {
	ndp_lab
	ndp_lan_route
	write_conf <<-EOF
	proxy r0 {
	    router no
	    override yes
	    na-source target
	    rule 2001:db8:1::/64 {
	        static
	    }
	}
	EOF
	ndp_start -c "$LAB_DIR/ndproxy.conf"
	modem_reaches 2001:db8:1::100
	run probe valid:2001:db8:1::a
	pjq '.answered and .R == 0 and .O == 1 and .S == 1 and .src == "2001:db8:1::a"'
	ndp_jq '.config == "'"$LAB_DIR/ndproxy.conf"'" and .proxies[0].rules[0].method == "static"'
}

@test "ndproxy: iface mode answers after the host did, stays silent for an absent host" {
	ndp_lab
	ndp_lan_route
	# -i and -I the same link is refused.
	run tool ndproxy -t -i r1 -r 2001:db8:1::/64 -I r1
	assert_failure 1
	ndp_start -i r0 -r 2001:db8:1::/64 -I r1
	ndp_jq --arg mac "$RMAC" '(.interfaces | map(.name + ":" + .role)) == ["r0:upstream", "r1:downstream"]
		and .interfaces[0].listening and .interfaces[0].mac == $mac and .interfaces[1].up'
	modem_reaches 2001:db8:1::100
	ndp_jq '.cache.list[] | select(.target == "2001:db8:1::100") |
		.state == "valid" and .iface == "r1" and .age_s >= 0'
	run probe valid:2001:db8:1::200
	pjq '.answered == false'
	ndp_jq '.cache.list[] | select(.target == "2001:db8:1::200") | .state == "pending" or .state == "invalid"'
	[ "$(ndp_counter .probes_sent)" -ge 2 ]
	[ "$(ndp_counter .probes_answered)" -ge 1 ]
}

@test "ndproxy: auto mode follows the kernel route, ignores targets without one" {
	ndp_lab
	write_conf <<-EOF
	proxy r0 {
	    rule 2001:db8::/32 {
	        auto
	    }
	}
	EOF
	ndp_start -c "$LAB_DIR/ndproxy.conf"
	# No route yet: nothing happens, nothing crashes.
	run probe valid:2001:db8:1::100
	pjq '.answered == false'
	[ "$(ndp_counter '.not_answered.no_route')" -ge 1 ]
	kill -0 "$NDP_PID"
	# The route appears: followed live, no restart.
	ndp_lan_route
	modem_reaches 2001:db8:1::100
	ndp_jq '.cache.list[] | select(.target == "2001:db8:1::100") | .iface == "r1"'
	# The route goes: what was learnt from it goes too, live.
	ip -n "$(ns router)" -6 route del 2001:db8:1::/64 dev r1
	wait_for 5 ndp_jq '.cache.entries == 0'
	local before
	before=$(ndp_counter '.not_answered.no_route')
	run probe valid:2001:db8:1::100
	pjq '.answered == false'
	[ "$(ndp_counter '.not_answered.no_route')" = $((before + 1)) ]
	# A target routed back out of the upstream link is not answered.
	ip -n "$(ns router)" -6 route add 2001:db8:9::/64 dev r0
	run probe valid:2001:db8:9::5
	pjq '.answered == false'
}

@test "ndproxy: auto from the command line" {
	ndp_lab
	ndp_lan_route
	ndp_start -i r0 -r 2001:db8:1::/64 -a
	modem_reaches 2001:db8:1::100
	ndp_jq '.proxies[0].rules[0].method == "auto"'
}

@test "ndproxy: DAD answered only for confirmed targets, never creates state" {
	ndp_lab
	ndp_lan_route
	ndp_start -i r0 -r 2001:db8:1::/64 -I r1
	run probe dad:2001:db8:1::100
	pjq '.answered == false'
	ndp_jq '.cache.entries == 0 and .counters.probes_sent == 0'
	[ "$(ndp_counter '.not_answered.dad_unconfirmed')" = 1 ]
	run probe valid:2001:db8:1::100
	pjq '.answered'
	# Confirmed now: a DAD NS is answered to all-nodes with S=0.
	run probe dad:2001:db8:1::100
	pjq '.answered and .dst == "ff02::1" and .S == 0 and .ether_dst == "33:33:00:00:00:01"'
}

@test "ndproxy: malformed NS corpus: no answer, counted by reason, daemon keeps running" {
	ndp_lab
	ndp_lan_route
	ndp_start -i r0 -r 2001:db8:1::/64 -s
	local cases=(hop_limit checksum code short_icmp multicast_target bad_option dad_with_slla
		dad_not_solicited_node wrong_multicast_dst fragmented bad_ext_header truncated)
	local args=() i=16 c
	for c in "${cases[@]}"; do
		args+=("$c:2001:db8:1::$(printf '%x' $i)")
		i=$((i + 1))
	done
	run probe "${args[@]}" exthdr:2001:db8:1::ee
	assert_success
	[ "$(echo "$output" | jq -s '[.[] | select(.answered)] | map(.case)' -c)" = '["exthdr"]' ]
	kill -0 "$NDP_PID"
	local st
	st=$(ndp_status)
	[ -n "$st" ]
	for c in "${cases[@]}"; do
		echo "$st" | jq -e --arg c "$c" '.counters.dropped[$c] == 1' || fail "$c not counted"
	done
	echo "$st" | jq -e '.counters.invalid == 12 and .counters.answered == 1'
}

@test "ndproxy: never answers for its own addresses or the upstream link's" {
	ndp_lab
	ndp_lan_route
	lab_addr router r1 2001:db8:1::53/128
	ndp_start -i r0 -r 2001:db8:1::/64 -s
	# The modem asks for the host: its own address is now known upstream.
	in_ns modem ping -c 1 -W 2 2001:db8:1::100
	run probe valid:2001:db8:1::53 valid:2001:db8:1::1
	pjq -s 'all(.answered == false)'
	[ "$(ndp_counter '.not_answered.own_address')" = 1 ]
	[ "$(ndp_counter '.not_answered.on_upstream_link')" = 1 ]
}

@test "ndproxy: autowire routes appear, go on expiry and at exit; stale ones removed at start" {
	ndp_lab
	# A route left by a crashed run.
	ip -n "$(ns router)" -6 route add 2001:db8:1::77/128 dev r1 proto 152
	ip -n "$(ns router)" -6 route add 2001:db8:1::/64 dev r1 metric 2048
	write_conf <<-EOF
	proxy r0 {
	    autowire yes
	    keepalive no
	    ttl 2000
	    rule 2001:db8:1::/64 {
	        iface r1
	    }
	}
	EOF
	ndp_start -c "$LAB_DIR/ndproxy.conf"
	[ -z "$(ip -n "$(ns router)" -6 route show proto 152)" ]
	run probe valid:2001:db8:1::100
	pjq '.answered'
	run ip -n "$(ns router)" -6 route show proto 152
	assert_output --partial "2001:db8:1::100 dev r1"
	ndp_jq '.counters.routes_wired == 1 and (.cache.list[0].wired)'
	grep CapEff /proc/"$NDP_PID"/status | grep -q 0000000000003000
	# ttl 2 s without keepalive: the entry and its route go.
	wait_for 10 no_wired_routes
	run probe valid:2001:db8:1::100
	pjq '.answered'
	[ -n "$(ip -n "$(ns router)" -6 route show proto 152)" ]
	kill -TERM "$NDP_PID"
	wait_for 10 bash -c "! kill -0 $NDP_PID"
	[ -z "$(ip -n "$(ns router)" -6 route show proto 152)" ]
}

@test "ndproxy: interfaces deleted, re-created, renamed, down/up under a running daemon" {
	ndp_lab
	ndp_lan_route
	ndp_start -i r0 -r 2001:db8:1::/64 -I r1
	modem_reaches 2001:db8:1::100
	# Downstream link deleted and re-created (new ifindex).
	ip -n "$(ns router)" link del r1
	ndp_jq '.cache.entries == 0 and .proxies[0].rules[0].iface_present == false and
		.interfaces[1].present == false'
	lab_link router r1 host h0
	lab_addr host h0 2001:db8:1::100/128
	wait_for 10 router_ll r1
	ip -n "$(ns host)" -6 route add default via "$(router_ll r1)" dev h0
	ip -n "$(ns router)" -6 route add 2001:db8:1::/64 dev r1
	modem_reaches 2001:db8:1::100
	# Upstream deleted: not listening, no exit, no busy loop.
	ip -n "$(ns router)" link del r0
	wait_for 5 ndp_jq '.proxies[0].listening == false'
	local t0 t1
	t0=$(awk '{print $14 + $15}' /proc/"$NDP_PID"/stat)
	sleep 1
	t1=$(awk '{print $14 + $15}' /proc/"$NDP_PID"/stat)
	[ $((t1 - t0)) -le 5 ] # clock ticks of CPU in that second
	# Comes back under another name first, then renamed to r0.
	ip link add r0x netns "$(ns router)" type veth peer name m0 netns "$(ns modem)"
	ip -n "$(ns modem)" link set m0 up
	lab_addr modem m0 2001:db8:1::1/64
	ip -n "$(ns router)" link set r0x up
	ndp_jq '.proxies[0].listening == false'
	ip -n "$(ns router)" link set r0x down
	ip -n "$(ns router)" link set r0x name r0
	ip -n "$(ns router)" link set r0 up
	ip -n "$(ns router)" -6 route replace 2001:db8:1::1/128 dev r0
	wait_for 5 ndp_listening
	RMAC=$(ip -n "$(ns router)" -j link show r0 | jq -r '.[0].address')
	wait_for 10 router_ll r0
	modem_reaches 2001:db8:1::100
	# Down: stops listening; up: serves again.
	ip -n "$(ns router)" link set r0 down
	wait_for 5 ndp_jq '.proxies[0].listening == false'
	ip -n "$(ns router)" link set r0 up
	wait_for 5 ndp_listening
	ip -n "$(ns router)" -6 route replace 2001:db8:1::1/128 dev r0
	modem_reaches 2001:db8:1::100
	kill -0 "$NDP_PID"
}

@test "ndproxy: SIGHUP reloads a good config keeping the cache, refuses a bad one" {
	ndp_lab
	ndp_lan_route
	write_conf <<-EOF
	proxy r0 {
	    rule 2001:db8:1::/64 {
	        iface r1
	    }
	}
	EOF
	ndp_start -c "$LAB_DIR/ndproxy.conf"
	run probe valid:2001:db8:1::100
	pjq '.answered'
	# Good: a new rule, the cached host still applies.
	write_conf <<-EOF
	proxy r0 {
	    router no
	    rule 2001:db8:1::/64 {
	        iface r1
	    }
	    rule 2001:db8:2::/64 {
	        static
	    }
	}
	EOF
	kill -HUP "$NDP_PID"
	wait_for 5 ndp_jq '.counters.reloads == 1 and .proxies[0].listening'
	ndp_jq '(.proxies[0].rules | length) == 2 and .proxies[0].router == false'
	ndp_jq '.cache.list[] | select(.target == "2001:db8:1::100") | .state == "valid"'
	local sent
	sent=$(ndp_counter .probes_sent)
	run probe valid:2001:db8:1::100 valid:2001:db8:2::5
	pjq -s 'all(.answered and .R == 0)'
	# Answered from the kept entry, without a new probe.
	[ "$(ndp_counter .probes_sent)" = "$sent" ]
	# Bad: refused with file:line in the log, old configuration kept.
	write_conf <<-EOF
	proxy r0 {
	    rule 2001:db8:1::/64 { bogus }
	}
	EOF
	kill -HUP "$NDP_PID"
	wait_for 5 grep -q "reload refused, old configuration kept: $LAB_DIR/ndproxy.conf:2: unknown rule option 'bogus'" "$NDP_LOG"
	ndp_jq '(.proxies[0].rules | length) == 2 and .counters.reloads == 2'
	run probe valid:2001:db8:2::6
	pjq '.answered'
}

@test "ndproxy: privileges dropped; allmulti undone at exit" {
	ndp_lab
	ndp_lan_route
	ndp_start -i r0 -r 2001:db8:1::/64 -s
	local uid
	uid=$(id -u nobody)
	grep -E "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid" /proc/"$NDP_PID"/status
	# CAP_NET_RAW (bit 13) and nothing else, bounding set included.
	grep -E '^CapEff:\s+0000000000002000' /proc/"$NDP_PID"/status
	grep -E '^CapPrm:\s+0000000000002000' /proc/"$NDP_PID"/status
	grep -E '^CapBnd:\s+0000000000002000' /proc/"$NDP_PID"/status
	allmulti r0
	modem_reaches 2001:db8:1::100
	kill -TERM "$NDP_PID"
	wait_for 10 bash -c "! kill -0 $NDP_PID"
	run allmulti r0
	assert_failure
	grep -q exiting "$NDP_LOG"
}

@test "ndproxy: -d daemonizes with a 0644 pidfile and notifies systemd" {
	ndp_lab
	ndp_lan_route
	lab_bg router /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
for _ in range(2):
    print(s.recv(100).decode(), flush=True)' "$LAB_DIR/notify"
	wait_for 5 test -S "$LAB_DIR/notify"
	local nlog=$LAB_LAST_LOG
	run in_ns router env NOTIFY_SOCKET="$LAB_DIR/notify" V6KIT_RUNDIR="$V6KIT_RUNDIR" \
		"$V6KIT_BIN/ndproxy" -d -p "$LAB_DIR/ndproxy.pid" -i r0 -r 2001:db8:1::/64 -s
	assert_success
	local pid
	pid=$(cat "$LAB_DIR/ndproxy.pid")
	LAB_PIDS+=("$pid")
	[ "$(stat -c %a "$LAB_DIR/ndproxy.pid")" = 644 ]
	[ "$(ndp_status | jq .pid)" = "$pid" ]
	wait_for 5 grep -q READY=1 "$nlog"
	modem_reaches 2001:db8:1::100
	kill -TERM "$pid"
	wait_for 5 grep -q STOPPING=1 "$nlog"
}

@test "ndproxy: status without a daemon fails with exit 2" {
	run tool ndproxy status -j
	assert_failure 2
	assert_output --partial "is ndproxy running?"
	run tool ndproxy status -x
	assert_failure 1
}

@test "ndproxy: probe rate limit and a bounded cache" {
	ndp_lab
	write_conf <<-EOF
	probe-rate 1
	cache-size 16
	proxy r0 {
	    rule 2001:db8:1::/64 {
	        iface r1
	    }
	}
	EOF
	ndp_start -c "$LAB_DIR/ndproxy.conf"
	# One probe per second: the second new target within it is not probed.
	run probe valid:2001:db8:1::201 valid:2001:db8:1::202
	[ "$(ndp_counter '.not_answered.probe_rate_limit')" -ge 1 ]
	ndp_jq '.cache.entries == 1'
	kill "$NDP_PID"
	wait_for 10 bash -c "! kill -0 $NDP_PID"
	# A scan of 200 absent targets fills at most 16 entries.
	sed -i 's/probe-rate 1/probe-rate 100000/' "$LAB_DIR/ndproxy.conf"
	ndp_start -c "$LAB_DIR/ndproxy.conf"
	run in_ns modem "$V6KIT_BIN/ndproxy-load" -i m0 -s 2001:db8:1::1 -t 2001:db8:1::3:0 \
		-k 200 -r 2000 -c 200 -w 100
	assert_success
	pjq '.answered == 0'
	ndp_jq '.cache.entries == 16 and .cache.max == 16 and .counters.evictions == 184'
	kill -0 "$NDP_PID"
}

@test "ndproxy: -n NETNS for the daemon and status; status text" {
	ndp_lab
	ndp_lan_route
	lab_bg router "$V6KIT_BIN/ndproxy" -n "$(ns router)" -i r0 -r 2001:db8:1::/64 -s
	NDP_PID=$LAB_LAST_PID
	wait_for 10 bash -c "$V6KIT_BIN/ndproxy -n $(ns router) status -j | jq -se 'length == 1'"
	[ -S "$V6KIT_RUNDIR/ndproxy.$(ns router).sock" ]
	run tool ndproxy status
	assert_failure 2
	modem_reaches 2001:db8:1::100
	run tool ndproxy -n "$(ns router)" status
	assert_success
	assert_line --partial "proxy r0 listening"
	assert_line --partial "rule 2001:db8:1::/64 static"
	assert_output --regexp "NS seen [1-9]"
}

@test "ndproxy: the NA goes to whoever asked this time" {
	ndp_lab
	ndp_lan_route
	ndp_start -i r0 -r 2001:db8:1::/64 -I r1
	run probe valid:2001:db8:1::100
	pjq '.answered and .dst == "2001:db8:1::1"'
	PROBE_SRC=2001:db8:1::2 run probe valid:2001:db8:1::100 unicast:2001:db8:1::100
	pjq -s 'length == 2 and all(.answered and .dst == "2001:db8:1::2")'
}

@test "ndproxy: an upstream interface missing at start is waited for" {
	ndp_lab
	ndp_lan_route
	wait_for 10 router_ll r0
	lab_bg router "$V6KIT_BIN/ndproxy" -i up9 -r 2001:db8:1::/64 -s
	NDP_PID=$LAB_LAST_PID
	wait_for 10 ndp_jq '.proxies[0].listening == false'
	kill -0 "$NDP_PID"
	ip -n "$(ns router)" link set r0 name up9
	ip -n "$(ns router)" -6 route replace 2001:db8:1::1/128 dev up9
	wait_for 5 ndp_listening
	modem_reaches 2001:db8:1::100
}

@test "ndproxy: keepalive refreshes a present host; deadtime caches an absent one" {
	ndp_lab
	ndp_lan_route
	write_conf <<-EOF
	proxy r0 {
	    ttl 1000
	    deadtime 60000
	    timeout 100
	    retries 1
	    keepalive yes
	    rule 2001:db8:1::/64 {
	        iface r1
	    }
	}
	EOF
	ndp_start -c "$LAB_DIR/ndproxy.conf"
	run probe valid:2001:db8:1::100 valid:2001:db8:1::200
	pjq -s '.[0].answered and (.[1].answered | not)'
	# The host is asked again when its ttl runs out, answers, stays valid.
	wait_for 10 ndp_jq '.counters.probes_answered >= 2'
	ndp_jq '.cache.list[] | select(.target == "2001:db8:1::100") | .state == "valid" or .state == "refresh"'
	# The absent one: two probes (retries 1), then negative for deadtime.
	wait_for 10 ndp_jq '.cache.list[] | select(.target == "2001:db8:1::200") | .state == "invalid"'
	run probe valid:2001:db8:1::200
	pjq '.answered == false'
	[ "$(ndp_counter '.not_answered.negative_cache')" = 1 ]
	ndp_jq '.counters.probe_timeouts == 1'
}

@test "ndproxy: a spoofed NS from a proxied address never silences answers for it" {
	ndp_lab
	ndp_lan_route
	ndp_start -i r0 -r 2001:db8:1::/64 -s
	# An NS whose source is the host's address, for another target...
	PROBE_SRC=2001:db8:1::100 run probe valid:2001:db8:1::a
	assert_success
	# ...and one for the router's own address, which makes the kernel
	# create a STALE neighbour entry for the host on the upstream link.
	PROBE_SRC=2001:db8:1::100 run probe "valid:$(router_ll r0)"
	assert_success
	wait_for 5 bash -c "ip -n $(ns router) -6 neigh show 2001:db8:1::100 dev r0 | grep -q lladdr"
	# An attacker who also answers the kernel's probe makes it REACHABLE.
	ip -n "$(ns router)" -6 neigh replace 2001:db8:1::100 lladdr 02:00:00:00:00:66 dev r0 nud reachable
	run probe valid:2001:db8:1::100
	pjq '.answered'
	[ "$(ndp_counter '.not_answered.on_upstream_link')" = 0 ]
}

@test "ndproxy: a UDP flood on the upstream link never reaches the daemon" {
	ndp_lab
	ndp_lan_route
	write_conf <<-EOF
	proxy r0 {
	    promiscuous yes
	    rule 2001:db8:1::/64 {
	        static
	    }
	}
	EOF
	ndp_start -c "$LAB_DIR/ndproxy.conf"
	allmulti r0
	# The modem never needs to ask again during the flood.
	ip -n "$(ns modem)" -6 neigh replace 2001:db8:1::100 lladdr "$RMAC" dev m0 nud permanent
	local before after rx0 rx1
	before=$(ndp_counter .received)
	[[ "$before" =~ ^[0-9]+$ ]]
	rx0=$(in_ns router cat /sys/class/net/r0/statistics/rx_packets)
	in_ns modem /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(20000):
    try:
        s.sendto(b"flood", ("2001:db8:1::100", 9))
    except OSError:
        pass'
	rx1=$(in_ns router cat /sys/class/net/r0/statistics/rx_packets)
	[ $((rx1 - rx0)) -ge 20000 ]
	after=$(ndp_counter .received)
	echo "upstream rx $((rx1 - rx0)) packets, daemon received $((after - before))"
	[ "$after" = "$before" ]
	# The counter does count what the filter lets in: one NS.
	run probe valid:2001:db8:1::a
	pjq '.answered'
	[ "$(ndp_counter .received)" = $((before + 1)) ]
}

# no_devlog CMD...: run CMD where syslog reaches nobody.
no_devlog() {
	unshare -m sh -c '[ ! -e /dev/log ] || mount --bind /dev/null /dev/log; exec "$@"' sh "$@"
}

@test "ndproxy: -d prints setup errors and exits non-zero, even without /dev/log; -t checks the user" {
	ndp_lab
	chmod 755 "$LAB_DIR"
	write_conf <<-EOF
	user nosuchuser
	proxy r0 {
	    rule 2001:db8:1::/64 {
	        static
	    }
	}
	EOF
	run tool ndproxy -t -c "$LAB_DIR/ndproxy.conf"
	assert_failure 1
	assert_output "ndproxy: user 'nosuchuser': no such user"
	run no_devlog ip netns exec "$(ns router)" "$V6KIT_BIN/ndproxy" -d -c "$LAB_DIR/ndproxy.conf"
	assert_failure 1
	assert_output "ndproxy: user 'nosuchuser': no such user"
	# An unwritable pidfile: found by the daemon after the fork.
	run no_devlog ip netns exec "$(ns router)" "$V6KIT_BIN/ndproxy" -d -p "$LAB_DIR/none/x.pid" \
		-i r0 -r 2001:db8:1::/64
	assert_failure 2
	assert_output "ndproxy: pidfile $LAB_DIR/none/x.pid: No such file or directory"
	[ ! -e "$V6KIT_RUNDIR/ndproxy.sock" ]
	# A second instance.
	run no_devlog ip netns exec "$(ns router)" "$V6KIT_BIN/ndproxy" -d -p "$LAB_DIR/a.pid" \
		-i r0 -r 2001:db8:1::/64
	assert_success
	LAB_PIDS+=("$(cat "$LAB_DIR/a.pid")")
	run no_devlog ip netns exec "$(ns router)" "$V6KIT_BIN/ndproxy" -d -p "$LAB_DIR/b.pid" \
		-i r0 -r 2001:db8:1::/64
	assert_failure 2
	assert_output "ndproxy: ndproxy (unnamed instance) is already running"
	[ ! -e "$LAB_DIR/b.pid" ]
}

@test "ndproxy: -d with a relative -c and -p: the pidfile lands there and SIGHUP reloads" {
	ndp_lab
	ndp_lan_route
	write_conf <<-EOF
	proxy r0 {
	    rule 2001:db8:1::/64 {
	        static
	    }
	}
	EOF
	cd "$LAB_DIR"
	run in_ns router env V6KIT_RUNDIR="$V6KIT_RUNDIR" "$V6KIT_BIN/ndproxy" -d -c ndproxy.conf -p ndproxy.pid
	assert_success
	local pid
	pid=$(cat "$LAB_DIR/ndproxy.pid")
	LAB_PIDS+=("$pid")
	ndp_jq --arg c "$LAB_DIR/ndproxy.conf" '.config == $c'
	write_conf <<-EOF
	proxy r0 {
	    rule 2001:db8:1::/64 {
	        static
	    }
	    rule 2001:db8:2::/64 {
	        static
	    }
	}
	EOF
	kill -HUP "$pid"
	wait_for 5 ndp_jq '.counters.reloads == 1 and (.proxies[0].rules | length) == 2'
}

@test "ndproxy: pidfile and control socket are removed at exit after the privilege drop" {
	ndp_lab
	ndp_lan_route
	chmod 755 "$LAB_DIR"
	local pid helper sock="$V6KIT_RUNDIR/ndproxy.sock"
	run in_ns router env V6KIT_RUNDIR="$V6KIT_RUNDIR" "$V6KIT_BIN/ndproxy" -d -i r0 -r 2001:db8:1::/64
	assert_success
	# -d without -p: the default pidfile.
	pid=$(cat "$V6KIT_RUNDIR/ndproxy.pid")
	LAB_PIDS+=("$pid")
	[ -S "$sock" ]
	grep -E "^Uid:\s+$(id -u nobody)\s" /proc/"$pid"/status
	# The helper that removes them keeps no capability at all.
	helper=$(tr -d " " </proc/"$pid"/task/"$pid"/children)
	[ -n "$helper" ]
	grep -E '^CapEff:\s+0000000000000000' /proc/"$helper"/status
	grep -E '^CapBnd:\s+0000000000000000' /proc/"$helper"/status
	kill -TERM "$pid"
	wait_for 15 bash -c "[ ! -e '$sock' ] && [ ! -e '$V6KIT_RUNDIR/ndproxy.pid' ]"
	wait_for 15 bash -c "! kill -0 $helper"
	# Even when the daemon is killed outright.
	ndp_start -p "$LAB_DIR/fg.pid" -i r0 -r 2001:db8:1::/64
	[ -S "$sock" ] && [ -e "$LAB_DIR/fg.pid" ]
	kill -KILL "$NDP_PID"
	wait_for 15 bash -c "[ ! -e '$sock' ] && [ ! -e '$LAB_DIR/fg.pid' ]"
	# A start right after a crash waits for the helper (the kernel may
	# take a while closing the dead daemon's sockets), whose cleanup never
	# removes the new daemon's socket.
	ndp_start -i r0 -r 2001:db8:1::/64
	kill -KILL "$NDP_PID"
	lab_bg router "$V6KIT_BIN/ndproxy" -v -i r0 -r 2001:db8:1::/64
	NDP_PID=$LAB_LAST_PID
	wait_for 25 ndp_listening || { cat "$LAB_LAST_LOG"; false; }
	sleep 0.5
	[ -S "$sock" ]
	ndp_listening
}

@test "ndproxy: idle control clients never delay status; each has a deadline; long requests answered" {
	ndp_lab
	ndp_start -i r0 -r 2001:db8:1::/64
	local sock="$V6KIT_RUNDIR/ndproxy.sock"
	# Twelve clients connect and say nothing.
	lab_bg router /usr/bin/python3 -c '
import socket, sys, time
cs = []
for i in range(12):
    c = socket.socket(socket.AF_UNIX)
    c.connect(sys.argv[1])
    cs.append(c)
print("connected", flush=True)
t0 = time.monotonic()
for c in cs:
    c.settimeout(10)
    assert c.recv(10) == b""
print("closed after %.1f" % (time.monotonic() - t0), flush=True)' "$sock"
	local idle_log=$LAB_LAST_LOG
	wait_for 5 grep -q connected "$idle_log"
	local t0 t1
	t0=$(date +%s%N)
	run tool ndproxy status -j
	t1=$(date +%s%N)
	assert_success
	pjq '.pid > 0'
	echo "status took $(((t1 - t0) / 1000000)) ms"
	[ $(((t1 - t0) / 1000000)) -lt 1000 ]
	# The idle ones are dropped at their deadline (2 s), not held forever.
	wait_for 8 grep -q "closed after" "$idle_log"
	# A request longer than 15 bytes gets its answer, not a reset.
	run in_ns router /usr/bin/python3 -c '
import socket, sys
c = socket.socket(socket.AF_UNIX)
c.connect(sys.argv[1])
c.sendall(b"json" + b" x" * 200 + b"\n")
data = b""
while True:
    b = c.recv(65536)
    if not b:
        break
    data += b
print(data.decode())' "$sock"
	assert_success
	pjq '.pid > 0 and (.proxies | length) == 1'
}

@test "ndproxy: the control socket is 0660 and group v6kit may read status" {
	ndp_lab
	chmod 755 "$LAB_DIR"
	# A private /etc/group with v6kit in it, for the daemon only.
	local gid=64999
	cp /etc/group "$LAB_DIR/group"
	echo "v6kit:x:$gid:" >>"$LAB_DIR/group"
	lab_bg router unshare -m sh -c 'mount --bind "$0" /etc/group && exec "$@"' "$LAB_DIR/group" \
		"$V6KIT_BIN/ndproxy" -v -i r0 -r 2001:db8:1::/64
	NDP_PID=$LAB_LAST_PID
	wait_for 10 ndp_listening
	local sock="$V6KIT_RUNDIR/ndproxy.sock"
	[ "$(stat -c '%a %u %g' "$sock")" = "660 0 $gid" ]
	run setpriv --reuid=65534 --regid=65534 --groups="$gid" "$V6KIT_BIN/ndproxy" status -j
	assert_success
	pjq '.pid > 0'
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$V6KIT_BIN/ndproxy" status -j
	assert_failure 2
	assert_output --partial "Permission denied"
}

@test "ndproxy: SIGHUP tells systemd RELOADING=1 with MONOTONIC_USEC, then READY=1" {
	ndp_lab
	write_conf <<-EOF
	proxy r0 {
	    rule 2001:db8:1::/64 {
	        static
	    }
	}
	EOF
	lab_bg router /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
for _ in range(3):
    print(s.recv(200).decode().replace("\n", " "), flush=True)' "$LAB_DIR/notify"
	wait_for 5 test -S "$LAB_DIR/notify"
	local nlog=$LAB_LAST_LOG
	lab_bg router env NOTIFY_SOCKET="$LAB_DIR/notify" "$V6KIT_BIN/ndproxy" -c "$LAB_DIR/ndproxy.conf"
	NDP_PID=$LAB_LAST_PID
	wait_for 5 grep -q READY=1 "$nlog"
	kill -HUP "$NDP_PID"
	wait_for 5 bash -c "[ \$(wc -l <'$nlog') = 3 ]"
	run cat "$nlog"
	assert_line --index 0 "READY=1"
	assert_line --index 1 --regexp '^RELOADING=1 MONOTONIC_USEC=[0-9]+$'
	assert_line --index 2 "READY=1"
	# The timestamp is CLOCK_MONOTONIC in microseconds, i.e. near now.
	local usec now
	usec=$(sed -n 2p "$nlog" | sed 's/.*MONOTONIC_USEC=//')
	now=$(/usr/bin/python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000)')
	[ $((now - usec)) -ge 0 ] && [ $((now - usec)) -lt 60000000 ]
}

@test "ndproxy: named instances side by side; status -N reaches each; an upstream is answered for once" {
	ndp_lab
	lab_link modem m1 router r2
	run tool ndproxy -N 'bad/name' status
	assert_failure 1
	assert_output --partial "instance name must be 1-32 of"
	lab_bg router "$V6KIT_BIN/ndproxy" -N he0 -i r0 -r 2001:db8:1::/64 -s
	lab_bg router "$V6KIT_BIN/ndproxy" --instance he1 -i r2 -r 2001:db8:2::/64 -s
	wait_for 10 bash -c "'$V6KIT_BIN/ndproxy' status -N he0 -j | jq -e '.proxies[0].listening'"
	wait_for 10 bash -c "'$V6KIT_BIN/ndproxy' -N he1 status -j | jq -e '.proxies[0].listening'"
	run tool ndproxy status --instance he0 -j
	pjq '.instance == "he0" and .proxies[0].iface == "r0"'
	run tool ndproxy -N he1 status -j
	pjq '.instance == "he1" and .proxies[0].iface == "r2"'
	[ -S "$V6KIT_RUNDIR/ndproxy@he0.sock" ] && [ -S "$V6KIT_RUNDIR/ndproxy@he1.sock" ]
	# The unnamed instance is another one again.
	run tool ndproxy status -j
	assert_failure 2
	# Same instance twice.
	run in_ns router "$V6KIT_BIN/ndproxy" -N he0 -i r0 -r 2001:db8:1::/64
	assert_failure 2
	assert_output "ndproxy: ndproxy instance 'he0' is already running"
	# Another instance on a link already served.
	run in_ns router "$V6KIT_BIN/ndproxy" -N other -i r0 -r 2001:db8:9::/64
	assert_failure 2
	assert_output "ndproxy: upstream interface r0 is already answered for by ndproxy instance 'he0'"
	run in_ns router "$V6KIT_BIN/ndproxy" -d -i r2 -r 2001:db8:9::/64
	assert_failure 2
	assert_output "ndproxy: upstream interface r2 is already answered for by ndproxy instance 'he1'"
	[ ! -e "$V6KIT_RUNDIR/ndproxy.sock" ]
	# A reload may not take a link another instance serves.
	write_conf <<-EOF
	proxy r3 {
	    rule 2001:db8:3::/64 {
	        static
	    }
	}
	EOF
	lab_bg router "$V6KIT_BIN/ndproxy" -N he3 -c "$LAB_DIR/ndproxy.conf"
	local pid3=$LAB_LAST_PID log3=$LAB_LAST_LOG
	wait_for 10 bash -c "'$V6KIT_BIN/ndproxy' -N he3 status -j | jq -e '.instance == \"he3\"'"
	write_conf <<-EOF
	proxy r3 {
	    rule 2001:db8:3::/64 {
	        static
	    }
	}
	proxy r0 {
	    rule 2001:db8:4::/64 {
	        static
	    }
	}
	EOF
	kill -HUP "$pid3"
	wait_for 5 grep -q "reload refused, old configuration kept: upstream interface r0 is already answered for by ndproxy instance 'he0'" "$log3"
	run tool ndproxy -N he3 status -j
	pjq '(.proxies | map(.iface)) == ["r3"]'
}
