#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The ifupdown hook (scripts/ifupdown/v6kit) driven by the real ifup and
# ifdown.  The router is a lab namespace; every command there runs in a
# private mount namespace (ip netns exec) where test directories are
# mounted over /etc/network (interfaces file and the four hook dirs holding
# only our hook), /etc/v6kit, /etc/iproute2, /run/v6kit and /usr/local/sbin
# (symlinks to the built tools, on ifupdown's fixed PATH).  /etc gets a
# throw-away overlay first so mount points can be made without touching the
# host.  The hook sees none of this file's environment.
#
# No sit on this kernel: tunnels run in user mode; the far ends are broker
# namespaces with tun6in4 too.
#
#   b1 (192.0.2.1, he0 2001:db8:470::1)    --w1/v1--  r (192.0.2.10)
#   b2 (198.51.100.1, he1 2001:db8:471::1) --w2/v2--  r (198.51.100.10)

load helpers

setup() {
	requires root cmd:ifup cmd:ifdown cmd:run-parts
	lab_setup
	lab_ns r b1 b2
	lab_link r v1 b1 w1
	lab_link r v2 b2 w2
	lab_addr r v1 192.0.2.10/24
	lab_addr b1 w1 192.0.2.1/24
	lab_addr r v2 198.51.100.10/24
	lab_addr b2 w2 198.51.100.1/24

	# The router's private view of the file system, set up anew for every
	# command (lab_router_view in scripts/lab.sh).
	ETC=$LAB_DIR/etc
	lab_router_view "$LAB_DIR"
	install_tools tun6in4 srcroute ndproxy
	export V6KIT_TUNNELS_DIR="$ETC/v6kit/tunnels"
}

teardown() { lab_teardown; }

# install_tools TOOL...: put the built tools on the router's PATH.
install_tools() { lab_router_tools "$LAB_DIR" "$@"; }

# in_router CMD...: CMD in the router with its private mounts.
in_router() { in_ns r "$LAB_DIR/enter" "$@"; }
rifup() { in_router ifup -i /etc/network/interfaces --state-dir "$LAB_DIR/ifstate" "$@"; }
rifdown() { in_router ifdown -i /etc/network/interfaces --state-dir "$LAB_DIR/ifstate" "$@"; }

# interfaces: the router's /etc/network/interfaces from stdin.
interfaces() { cat >"$ETC/network/interfaces"; }

# broker N: the far end of tunnel heN (N = 0 or 1), its state kept apart
# from the router's.
broker() {
	local V6KIT_RUNDIR=$LAB_DIR/broker-run
	export V6KIT_RUNDIR
	case "$1" in
	0) tool tun6in4 -n "$(ns b1)" up he0 remote 192.0.2.10 local 192.0.2.1 \
		address 2001:db8:470::1/64 ;;
	1) tool tun6in4 -n "$(ns b2)" up he1 remote 198.51.100.10 local 198.51.100.1 \
		address 2001:db8:471::1/64 ;;
	esac
}

t64r() { tool tun6in4 -n "$(ns r)" "$@"; }
has_link() { ip -n "$(ns r)" link show dev "$1" >/dev/null 2>&1; }
# no_link NAME: a function, as `! cmd` alone never fails a bats test.
no_link() { ! has_link "$1"; }
# gone PID: the process has exited.
gone() { ! kill -0 "$1" 2>/dev/null; }
# hook_files: what the hook keeps in the run dir.
hook_files() { find "$V6KIT_RUNDIR/ifupdown" -type f 2>/dev/null | sort; }
# tunnel_state: tun6in4's files for running tunnels (its start log is history).
tunnel_state() { find "$V6KIT_RUNDIR/tun6in4" -type f ! -name '*.starts' 2>/dev/null | sort; }


# The example of v6kit-ifupdown(5), with srcroute-from when wanted.
example_he0() {
	cat <<-EOF
		auto he0
		iface he0 inet6 manual
		    tun6in4-remote 192.0.2.1
		    tun6in4-local 192.0.2.10
		    tun6in4-address 2001:db8:470::2/64
		    tun6in4-gateway 2001:db8:470::1
		    tun6in4-table 100
	EOF
	[ "${1:-}" != srcroute ] ||
		echo "    srcroute-from 2001:db8:470::2 2001:db8:470:1::/64"
}
example_he1() {
	cat <<-EOF
		auto he1
		iface he1 inet6 manual
		    tun6in4-remote 198.51.100.1
		    tun6in4-local 198.51.100.10
		    tun6in4-address 2001:db8:471::2/64
		    tun6in4-gateway 2001:db8:471::1
		    tun6in4-table 101
	EOF
	[ "${1:-}" != srcroute ] || echo "    srcroute-from 2001:db8:471::2"
}

# Rules and routes the router holds, for "nothing left behind".
router_routing() {
	ip -n "$(ns r)" -6 rule
	ip -n "$(ns r)" -6 route show table all | grep -v -e '^local ' -e '^multicast ' -e 'fe80::' || true
	ip -n "$(ns r)" -o link | sed 's/ qlen [0-9]*//; s/^[0-9]*: //'
}

@test "inline tun6in4-KEY options: ifup writes the conf, brings the tunnel up; ifdown removes all" {
	broker 0
	example_he0 | interfaces
	local before
	before=$(router_routing)
	run -0 rifup he0
	refute_output --partial "v6kit:"
	# A complete tun6in4.conf(5) from the stanza, used by tun6in4 up -f.
	run -0 grep -v '^#' "$V6KIT_RUNDIR/ifupdown/he0.conf"
	assert_output "address 2001:db8:470::2/64
gateway 2001:db8:470::1
local 192.0.2.10
remote 192.0.2.1
table 100"
	run -0 t64r -j show he0
	[ "$(jq -r '.[0] | "\(.state) \(.local) \(.remote)"' <<<"$output")" = "up 192.0.2.10 192.0.2.1" ]
	# The tunnel carries traffic to the broker, and its table got the route.
	in_ns r ping -c 2 -i 0.2 -W 5 2001:db8:470::1
	run -0 ip -n "$(ns r)" -6 route show table 100
	assert_output --partial "default via 2001:db8:470::1 dev he0"
	run -0 rifdown he0
	refute_output --partial "v6kit:"
	no_link he0
	[ -z "$(hook_files)" ]
	[ -z "$(tunnel_state)" ]
	[ "$(router_routing)" = "$before" ]
}

@test "the inline example with srcroute-from: rules per source, owner ifupdown-he0, flushed on ifdown" {
	broker 0
	example_he0 srcroute | interfaces
	local before
	before=$(router_routing)
	# ifup -v shows what the hook runs.
	run -0 rifup -v he0
	assert_line "v6kit: iface he0: tun6in4 up -f /run/v6kit/ifupdown/he0.conf"
	assert_line "v6kit: iface he0: srcroute add 2001:db8:470::2 dev he0 via 2001:db8:470::1 table 100 owner ifupdown-he0"
	assert_line "v6kit: iface he0: srcroute add 2001:db8:470:1::/64 dev he0 via 2001:db8:470::1 table 100 owner ifupdown-he0"
	run -0 tool srcroute -n "$(ns r)" -j show
	[ "$(jq -r '[.[] | select(.owner == "ifupdown-he0") | .from] | sort | join(" ")' <<<"$output")" = \
		"2001:db8:470:1::/64 2001:db8:470::2" ]
	run -0 ip -n "$(ns r)" -6 rule
	assert_output --partial "from 2001:db8:470::2 lookup 100"
	assert_output --partial "from 2001:db8:470:1::/64 lookup 100"
	# Replies from the tunnel's address leave through the tunnel.
	in_ns r ping -c 2 -i 0.2 -W 5 -I 2001:db8:470::2 2001:db8:470::1
	run -0 rifdown he0
	refute_output --partial "v6kit:"
	[ "$(router_routing)" = "$before" ]
}

@test "tun6in4 NAME takes the keys from /etc/v6kit/tunnels/NAME.conf" {
	broker 0
	printf 'remote 192.0.2.1\nlocal 192.0.2.10\naddress 2001:db8:470::2/64\n' \
		>"$ETC/v6kit/tunnels/he0.conf"
	printf 'auto he0\niface he0 inet6 manual\n    tun6in4 he0\n' | interfaces
	run -0 rifup he0
	in_ns r ping -c 2 -i 0.2 -W 5 2001:db8:470::1
	# Nothing written for a tunnel that has its own file.
	[ ! -e "$V6KIT_RUNDIR/ifupdown/he0.conf" ]
	run -0 rifdown he0
	no_link he0
	[ -z "$(tunnel_state)" ]
}

@test "ifup -a: two tunnels; the --all/meta calls are no-ops; ifdown -a removes both" {
	broker 0
	broker 1
	{ example_he0; example_he1; } | interfaces
	run -0 rifup -a
	refute_output --partial "v6kit:"
	in_ns r ping -c 1 -W 5 2001:db8:470::1
	in_ns r ping -c 1 -W 5 2001:db8:471::1
	run -0 rifdown -a
	no_link he0
	no_link he1
	[ -z "$(hook_files)" ]
}

@test "ifup -a: two tunnels with srcroute-from on each" {
	broker 0
	broker 1
	{ example_he0 srcroute; example_he1 srcroute; } | interfaces
	local before
	before=$(router_routing)
	# ifupdown itself would take lo down with ifdown -a.
	run -0 rifup -a --no-loopback
	run -0 tool srcroute -n "$(ns r)" -j show
	[ "$(jq -r '[.[] | "\(.owner) \(.from)"] | sort | join(",")' <<<"$output")" = \
		"ifupdown-he0 2001:db8:470:1::/64,ifupdown-he0 2001:db8:470::2,ifupdown-he1 2001:db8:471::2" ]
	in_ns r ping -c 1 -W 5 -I 2001:db8:470::2 2001:db8:470::1
	in_ns r ping -c 1 -W 5 -I 2001:db8:471::2 2001:db8:471::1
	# One default route per table, whoever put it there.
	[ "$(ip -n "$(ns r)" -6 route show table 100 | grep -c '^default via')" = 1 ]
	[ "$(ip -n "$(ns r)" -6 route show table 101 | grep -c '^default via')" = 1 ]
	run -0 rifdown -a --no-loopback
	[ "$(router_routing)" = "$before" ]
}

@test "srcroute-from on a stanza without a tunnel, with srcroute-via, -table and -fallthrough" {
	cat <<-EOF | interfaces
		iface v1 inet6 manual
		    srcroute-from 2001:db8:5::/64
		    srcroute-via fe80::1
		    srcroute-table 120
		    srcroute-fallthrough yes
	EOF
	local before
	before=$(router_routing)
	run -0 rifup v1
	run -0 tool srcroute -n "$(ns r)" -j show
	[ "$(jq -c '[.[] | {from, dev, via, table, fallthrough, owner}]' <<<"$output")" = \
		'[{"from":"2001:db8:5::/64","dev":"v1","via":"fe80::1","table":"120","fallthrough":true,"owner":"ifupdown-v1"}]' ]
	run -0 rifdown v1
	run -0 tool srcroute -n "$(ns r)" -j show
	[ "$(jq length <<<"$output")" = 0 ]
	# ifdown sets the manual link down; bring it back for the comparison.
	ip -n "$(ns r)" link set v1 up
	lab_link_settled r v1
	[ "$(router_routing)" = "$before" ]
	# A bad yes/no is named.
	sed -i 's/fallthrough yes/fallthrough sometimes/' "$ETC/network/interfaces"
	run -1 rifup v1
	assert_line "v6kit: iface v1: srcroute-fallthrough must be yes or no: 'sometimes'"
}

@test "ifup he0 & ifup he1 in parallel both succeed" {
	broker 0
	broker 1
	{ example_he0; example_he1; } | interfaces
	rifup he0 >"$LAB_DIR/he0.out" 2>&1 &
	local p0=$!
	rifup he1 >"$LAB_DIR/he1.out" 2>&1 &
	local p1=$!
	wait "$p0" || { cat "$LAB_DIR/he0.out"; false; }
	wait "$p1" || { cat "$LAB_DIR/he1.out"; false; }
	in_ns r ping -c 1 -W 5 2001:db8:470::1
	in_ns r ping -c 1 -W 5 2001:db8:471::1
	rifdown he0 & p0=$!
	rifdown he1 & p1=$!
	wait "$p0"
	wait "$p1"
	no_link he0
	no_link he1
	[ -z "$(hook_files)" ]
}

@test "ifup he0 & ifup he1 in parallel with srcroute-from: both tables and rules" {
	broker 0
	broker 1
	# No table given: srcroute picks a free table for each under its lock.
	{ example_he0 srcroute; example_he1 srcroute; } | sed '/tun6in4-table/d' | interfaces
	rifup he0 >"$LAB_DIR/he0.out" 2>&1 &
	local p0=$!
	rifup he1 >"$LAB_DIR/he1.out" 2>&1 &
	local p1=$!
	wait "$p0" || { cat "$LAB_DIR/he0.out"; false; }
	wait "$p1" || { cat "$LAB_DIR/he1.out"; false; }
	in_ns r ping -c 1 -W 5 -I 2001:db8:470::2 2001:db8:470::1
	in_ns r ping -c 1 -W 5 -I 2001:db8:471::2 2001:db8:471::1
	run -0 tool srcroute -n "$(ns r)" -j show
	[ "$(jq '[.[] | .table] | unique | length' <<<"$output")" = 2 ]
	rifdown he0
	rifdown he1
}

@test "unrelated stanzas: the hook exits 0 and touches nothing" {
	printf 'iface v1 inet manual\niface lo inet loopback\n' | interfaces
	local before
	before=$(router_routing)
	run -0 rifup v1
	assert_output ""
	run -0 rifup lo
	[ "$(router_routing)" = "$before" ]
	[ ! -e "$V6KIT_RUNDIR/ifupdown" ]
	# Every phase, and ifup -a's meta calls, straight through the hook
	# with nothing but ifupdown's variables.
	local mode phase
	for phase in start/pre-up start/post-up stop/pre-down stop/post-down; do
		mode=${phase%/*}
		run -0 in_router env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin IFACE=v1 LOGICAL=v1 \
			ADDRFAM=inet METHOD=manual MODE="$mode" PHASE="${phase#*/}" VERBOSITY=1 \
			/etc/network/if-up.d/v6kit
		assert_output ""
		run -0 in_router env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin IFACE=--all LOGICAL=auto \
			ADDRFAM=meta METHOD=none MODE="$mode" PHASE="${phase#*/}" VERBOSITY=1 \
			IF_TUN6IN4_REMOTE=nonsense /etc/network/if-up.d/v6kit
		assert_output ""
	done
	[ "$(router_routing)" = "$before" ]
	[ ! -e "$V6KIT_RUNDIR/ifupdown" ]
}

@test "a broken tun6in4 option fails the ifup naming stanza and option; nothing left behind" {
	broker 0
	example_he0 | sed 's/tun6in4-table 100/tun6in4-mtu 99/' | interfaces
	local before
	before=$(router_routing)
	run -1 rifup he0
	assert_line "v6kit: iface he0: tun6in4-mtu: mtu must be 1280-65515: '99'"
	no_link he0
	[ -z "$(hook_files)" ]
	[ -z "$(tunnel_state)" ]
	[ "$(router_routing)" = "$before" ]
	# A misspelt key is named too.
	example_he0 | sed 's/tun6in4-gateway/tun6in4-gatway/' | interfaces
	run -1 rifup he0
	assert_line --partial "v6kit: iface he0: tun6in4-gatway: unknown key 'gatway'"
	[ "$(router_routing)" = "$before" ]
	# So is a misspelt option of the hook's own.
	example_he0 srcroute | sed 's/srcroute-from/srcroute-form/' | interfaces
	run -1 rifup he0
	assert_line --partial "v6kit: iface he0: unknown option 'srcroute-form' (expected srcroute-from,"
	[ "$(router_routing)" = "$before" ]
	[ -z "$(hook_files)" ]
	# ifupdown recorded nothing, and a fixed file comes up.
	example_he0 | interfaces
	run -0 rifup he0
	run -0 rifdown he0
}

@test "a failure in post-up takes down the tunnel that pre-up made" {
	broker 0
	{ example_he0; echo "    ndproxy-rule 2001:db8:470:1::/64"; echo "    ndproxy-auto maybe"; } | interfaces
	local before
	before=$(router_routing)
	run -1 rifup he0
	assert_line "v6kit: iface he0: ndproxy-auto must be yes or no: 'maybe'"
	no_link he0
	[ -z "$(hook_files)" ]
	[ -z "$(tunnel_state)" ]
	[ "$(router_routing)" = "$before" ]
}

@test "a failure in post-up leaves up a tunnel that existed before the ifup" {
	broker 0
	t64r up he0 remote 192.0.2.1 local 192.0.2.10 address 2001:db8:470::2/64 \
		gateway 2001:db8:470::1 table 100
	{ example_he0; echo "    ndproxy-rule 2001:db8:470:1::/64"; echo "    ndproxy-auto maybe"; } | interfaces
	run -1 rifup he0
	assert_line "v6kit: iface he0: ndproxy-auto must be yes or no: 'maybe'"
	has_link he0
	in_ns r ping -c 1 -W 5 2001:db8:470::1
	t64r down he0
}

@test "ifdown after the stanza was edited still removes what ifup made" {
	broker 0
	example_he0 | interfaces
	run -0 rifup he0
	printf 'iface he0 inet6 manual
' | interfaces
	run -0 rifdown he0
	refute_output --partial "v6kit:"
	no_link he0
	[ -z "$(hook_files)" ]
	[ -z "$(tunnel_state)" ]
}

@test "a bad srcroute-from fails in post-up: tunnel and earlier entries undone" {
	broker 0
	example_he0 | sed '$a\    srcroute-from 2001:db8:470::2 2001:db8:470:1::/64 not-an-address' | interfaces
	local before
	before=$(router_routing)
	run -1 rifup he0
	assert_line --partial "v6kit: iface he0: srcroute-from not-an-address:"
	no_link he0
	[ -z "$(hook_files)" ]
	[ "$(router_routing)" = "$before" ]
	run -0 tool srcroute -n "$(ns r)" -j show
	[ "$(jq length <<<"$output")" = 0 ]
}

@test "ifdown twice: the second (forced) run of the down phases is quiet and changes nothing" {
	broker 0
	example_he0 | interfaces
	local before
	before=$(router_routing)
	run -0 rifup he0
	run -0 rifdown he0
	refute_output --partial "v6kit:"
	run -0 rifdown he0
	refute_output --partial "v6kit:"
	run -0 rifdown --force he0
	refute_output --partial "v6kit:"
	[ "$(router_routing)" = "$before" ]
	[ -z "$(hook_files)" ]
}

@test "ndproxy options on two stanzas: two instances side by side, status reaches each, stopped on ifdown" {
	in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
	cat <<-EOF | interfaces
		iface v1 inet6 manual
		    ndproxy-rule 2001:db8:1::/64
		iface v2 inet6 manual
		    ndproxy-rule 2001:db8:2::/64 2001:db8:3::/64
		    ndproxy-static yes
	EOF
	run -0 rifup v1
	run -0 rifup v2
	local p1 p2
	p1=$(cat "$V6KIT_RUNDIR/ifupdown/ndproxy-v1.pid")
	p2=$(cat "$V6KIT_RUNDIR/ifupdown/ndproxy-v2.pid")
	[ "$p1" != "$p2" ]
	[ "$(cat "/proc/$p1/comm")" = ndproxy ]
	[ "$(cat "/proc/$p2/comm")" = ndproxy ]
	run -0 in_router ndproxy status -N v1 -j
	[ "$(jq -r '[.. | strings | select(test("^2001:db8:[123]::/64$"))] | unique | join(" ")' <<<"$output")" = \
		"2001:db8:1::/64" ]
	run -0 in_router ndproxy status -N v2 -j
	[ "$(jq -r '[.. | strings | select(test("^2001:db8:[123]::/64$"))] | unique | join(" ")' <<<"$output")" = \
		"2001:db8:2::/64 2001:db8:3::/64" ]
	run -0 rifdown v1
	run -0 rifdown v2
	gone "$p1"
	gone "$p2"
	[ -z "$(hook_files)" ]
}

@test "ndproxy-conf FILE and ndproxy-iface; conflicting ndproxy options are named" {
	in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
	cat >"$ETC/v6kit/ndproxy-v1.conf" <<-EOF
		proxy v1 {
		    rule 2001:db8:7::/64 {
		        static
		    }
		}
	EOF
	cat <<-EOF | interfaces
		iface v1 inet6 manual
		    ndproxy-conf /etc/v6kit/ndproxy-v1.conf
		iface v2 inet6 manual
		    ndproxy-rule 2001:db8:8::/64
		    ndproxy-iface v1
	EOF
	run -0 rifup v1
	run -0 rifup v2
	run -0 in_router ndproxy status -N v1 -j
	assert_output --partial "2001:db8:7::/64"
	run -0 in_router ndproxy status -N v2 -j
	assert_output --partial "2001:db8:8::/64"
	run -0 rifdown v1
	run -0 rifdown v2
	[ -z "$(hook_files)" ]
	cat <<-EOF | interfaces
		iface v2 inet6 manual
		    ndproxy-rule 2001:db8:8::/64
		    ndproxy-iface v1
		    ndproxy-auto yes
		iface v1 inet6 manual
		    ndproxy-conf /etc/v6kit/ndproxy-v1.conf
		    ndproxy-rule 2001:db8:8::/64
	EOF
	run -1 rifup v2
	assert_line "v6kit: iface v2: ndproxy-iface, ndproxy-auto and ndproxy-static exclude each other"
	run -1 rifup v1
	assert_line "v6kit: iface v1: ndproxy-conf excludes ndproxy-rule, -iface, -auto and -static"
	[ -z "$(hook_files)" ]
	# No daemon left running in the router.
	# shellcheck disable=SC2143 # `! grep -q` would not fail a bats test
	[ -z "$(ip netns pids "$(ns r)" | xargs -r ps -o comm= -p | grep -x ndproxy)" ]
}

@test "the plain style: pre-up tun6in4 up he0 / post-down tun6in4 down he0" {
	broker 0
	printf 'remote 192.0.2.1\nlocal 192.0.2.10\naddress 2001:db8:470::2/64\n' \
		>"$ETC/v6kit/tunnels/he0.conf"
	cat <<-EOF | interfaces
		iface he0 inet6 manual
		    pre-up tun6in4 up he0
		    post-down tun6in4 down he0
	EOF
	run -0 rifup he0
	in_ns r ping -c 2 -i 0.2 -W 5 2001:db8:470::1
	run -0 rifdown he0
	no_link he0
	[ -z "$(tunnel_state)" ]
}

@test "v6kit-update-endpoint NAME...: run for each name after up, a failure never fails the ifup" {
	broker 0
	# A recording stand-in for the installed script (shipped separately).
	cat >"$LAB_DIR/sbin/v6kit-update-endpoint" <<-EOF
		#!/bin/sh
		echo "\$1" >>"$LAB_DIR/endpoint.log"
		[ "\$1" != he1 ] || { echo "broker said badauth" >&2; exit 1; }
	EOF
	chmod 755 "$LAB_DIR/sbin/v6kit-update-endpoint"
	{ example_he0; echo "    v6kit-update-endpoint he0 he1"; } | interfaces
	run -0 rifup he0
	assert_line "v6kit: iface he0: v6kit-update-endpoint he1 failed (ignored): broker said badauth"
	[ "$(cat "$LAB_DIR/endpoint.log")" = "he0
he1" ]
	has_link he0
	rm "$LAB_DIR/sbin/v6kit-update-endpoint"
	run -0 rifdown he0
	# Not installed: nothing to run, nothing said.
	run -0 rifup he0
	refute_output --partial "v6kit:"
	run -0 rifdown he0
}

@test "tools not installed: the hook exits 0 quietly and does nothing" {
	rm -f "$LAB_DIR/sbin/"*
	# None of the tools is reachable on ifupdown's PATH in the router.
	run -127 in_router env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		sh -c 'command -v tun6in4 || command -v srcroute || command -v ndproxy'
	assert_output ""
	{ example_he0 srcroute; echo "    ndproxy-rule 2001:db8:1::/64"; } | interfaces
	local before
	before=$(router_routing)
	run -0 rifup he0
	refute_output --partial "v6kit:"
	no_link he0
	[ ! -e "$V6KIT_RUNDIR/ifupdown" ]
	run -0 rifdown he0
	refute_output --partial "v6kit:"
	[ "$(router_routing)" = "$before" ]
}

@test "example stanzas: each file parses, every option is documented; the v4tunnel migration comes up" {
	local f i opt n=0
	for f in "$TOP"/scripts/examples/interfaces*; do
		run -0 ifquery -i "$f" --list
		for opt in $(for i in $output; do ifquery -i "$f" "$i"; done | sed -n 's/^\(tun6in4\|srcroute\|ndproxy\|v6kit\)\([a-z-]*\):.*/\1\2/p' | sort -u); do
			case "$opt" in
			tun6in4-*) grep -q "^\.Cm $opt " "$TOP/man/v6kit-ifupdown.5" ||
				grep -q "^\.It Cm ${opt#tun6in4-} " "$TOP/man/tun6in4.conf.5" ;;
			*) grep -q "^\.It Cm $opt " "$TOP/man/v6kit-ifupdown.5" ;;
			esac || { echo "undocumented option '$opt' in $f"; false; }
			n=$((n + 1))
		done
	done
	[ "$n" -ge 8 ]
	broker 0
	sed 's/203\.0\.113\.1/192.0.2.1/' "$TOP/scripts/examples/interfaces-v4tunnel" | interfaces
	run -0 rifup he0
	run -0 ip -n "$(ns r)" -6 route show default
	assert_output --partial "default via 2001:db8:470::1 dev he0"
	in_ns r ping -c 1 -W 5 2001:db8:470::2
	in_ns r ping -c 1 -W 5 2001:db8:470::1
	run -0 rifdown he0
	no_link he0
}
