#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# srcroute on the seed's host: native IPv6 on net0 (the main table's default
# route) and two tunnels, sixxs0 and sixxs1, each with a far end of its own.
#
#   isp  (2001:db8:1::1)  --net0--   host  --sixxs0--  far0 (2001:db8:a::1)
#                                          --sixxs1--  far1 (2001:db8:b::1)
# Every far end also holds 2001:db8:ffff::1 and 198.51.100.1, so which one
# received a packet tells which way it left the host.

load helpers
bats_require_minimum_version 1.5.0

DEST6=2001:db8:ffff::1
DEST4=198.51.100.1
SRC0=2001:db8:a::2
SRC1=2001:db8:b::2
SRCNET=2001:db8:1::2

setup() {
	requires root
	lab_setup
	lab_ns host isp far0 far1
	lab_link host net0 isp up0
	lab_link host sixxs0 far0 tun0
	lab_link host sixxs1 far1 tun1
	lab_addr host net0 2001:db8:1::2/64
	lab_addr isp up0 2001:db8:1::1/64
	lab_addr host sixxs0 2001:db8:a::2/64
	lab_addr far0 tun0 2001:db8:a::1/64
	lab_addr host sixxs1 2001:db8:b::2/64
	lab_addr far1 tun1 2001:db8:b::1/64
	lab_addr host sixxs0 192.0.2.2/28
	lab_addr far0 tun0 192.0.2.1/28
	lab_addr host net0 203.0.113.2/24
	lab_addr isp up0 203.0.113.1/24
	ip -n "$(ns host)" -6 route add default via 2001:db8:1::1 dev net0
	ip -n "$(ns host)" -4 route add default via 203.0.113.1 dev net0
	# On the link itself, so an on-link route's neighbour lookup is answered.
	local far
	for far in isp:up0 far0:tun0 far1:tun1; do
		lab_addr "${far%:*}" "${far#*:}" "$DEST6/128"
		lab_addr "${far%:*}" "${far#*:}" "$DEST4/32"
	done
	CONF="$LAB_DIR/srcroute.conf"
	cat >"$CONF" <<-EOF
		# the seed's two tunnels
		$SRC0 dev sixxs0 via 2001:db8:a::1
		$SRC1 dev sixxs1            # on-link through the tunnel
	EOF
}

teardown() { lab_teardown; }

sr() { tool srcroute -n "$(ns host)" "$@"; }

# Echo requests a far end has received so far (per-namespace SNMP counter).
echos_at() {
	in_ns "$1" nstat -az "$2" | awk -v k="$2" '$1 == k { print $2 }'
}

route_dev() {
	ip -n "$(ns host)" "$1" -j route get "$2" from "$3" | jq -r '.[0].dev'
}

@test "apply: each tunnel source resolves through its own table, others through main" {
	run sr apply -f "$CONF"
	assert_success
	# a rule, a default route and a closing unreachable route per source
	assert_output "6 changes"
	[ "$(route_dev -6 "$DEST6" "$SRC0")" = sixxs0 ]
	[ "$(route_dev -6 "$DEST6" "$SRC1")" = sixxs1 ]
	[ "$(route_dev -6 "$DEST6" "$SRCNET")" = net0 ]
	run ip -n "$(ns host)" -6 -j route get "$DEST6" from "$SRC0"
	[ "$(jq -r '.[0].gateway' <<<"$output")" = 2001:db8:a::1 ]
	[ "$(jq -r '.[0].table' <<<"$output")" = sixxs0 ] || [ "$(jq -r '.[0].table' <<<"$output")" = 1000 ]
}

@test "apply: traffic from each source really leaves through its own tunnel" {
	run sr apply -f "$CONF"
	assert_success
	local src far other
	for src in "$SRC0:far0" "$SRC1:far1" "$SRCNET:isp"; do
		far=${src##*:}
		src=${src%:*}
		declare -A before
		for other in isp far0 far1; do before[$other]=$(echos_at "$other" Icmp6InEchos); done
		run in_ns host ping -6 -c 1 -W 2 -I "$src" "$DEST6"
		assert_success
		for other in isp far0 far1; do
			local now
			now=$(echos_at "$other" Icmp6InEchos)
			if [ "$other" = "$far" ]; then
				[ "$now" -eq $((before[$other] + 1)) ] || fail "$other got no echo from $src"
			else
				[ "$now" -eq "${before[$other]}" ] || fail "$other got an echo from $src"
			fi
		done
	done
}

@test "apply: IPv4 sources work the same way" {
	echo "192.0.2.2 dev sixxs0 via 192.0.2.1" >>"$CONF"
	run sr apply -f "$CONF"
	assert_success
	[ "$(route_dev -4 "$DEST4" 192.0.2.2)" = sixxs0 ]
	[ "$(route_dev -4 "$DEST4" 203.0.113.2)" = net0 ]
	local before
	before=$(echos_at far0 IcmpInEchos)
	run in_ns host ping -4 -c 1 -W 2 -I 192.0.2.2 "$DEST4"
	assert_success
	[ "$(echos_at far0 IcmpInEchos)" -eq $((before + 1)) ]
}

@test "apply: a second run with the same file sends no change to the kernel" {
	run sr apply -f "$CONF"
	assert_success
	lab_bg host stdbuf -oL ip monitor rule route
	local mpid=$LAB_LAST_PID log=$LAB_LAST_LOG i seen=
	# ip monitor has subscribed once it reports a marker route of ours.
	for i in $(seq 100); do
		ip -n "$(ns host)" -6 route replace 2001:db8:77::/64 dev net0
		if grep -q '^2001:db8:77::/64' "$log"; then seen=1; break; fi
		sleep 0.1
	done
	[ -n "$seen" ] || fail "ip monitor never started"
	local n0
	n0=$(wc -l <"$log")
	run sr apply -f "$CONF"
	assert_success
	assert_output "0 changes"
	# Events arrive in order: once the marker's deletion is seen, anything
	# apply sent would have been printed before it.
	ip -n "$(ns host)" -6 route del 2001:db8:77::/64 dev net0
	wait_for 10 grep -q "^Deleted 2001:db8:77::" "$log"
	kill "$mpid"
	run bash -c "sed -n '$((n0 + 1)),\$p' '$log' | grep -v '^2001:db8:77::/64'"
	assert_output --regexp '^Deleted 2001:db8:77::/64[^
]*$'
}

@test "apply: priorities are deterministic and the more specific source comes first" {
	cat >"$CONF" <<-EOF
		2001:db8:a::/64 dev sixxs0 via 2001:db8:a::1
		$SRC1 dev sixxs1
		2001:db8:a::5 dev sixxs1 table sixxs1
	EOF
	run sr apply -f "$CONF"
	assert_success
	local first second
	first=$(ip -n "$(ns host)" -6 -j rule | jq -c '[.[] | select(.protocol == "150") | {src, srclen, priority}] | sort_by(.src)')
	# Same entries in another order give the same priorities.
	run sr flush
	assert_success
	tac "$CONF" >"$CONF.rev"
	run sr apply -f "$CONF.rev"
	assert_success
	second=$(ip -n "$(ns host)" -6 -j rule | jq -c '[.[] | select(.protocol == "150") | {src, srclen, priority}] | sort_by(.src)')
	[ "$first" = "$second" ]
	# The /128 inside the /64 must win: it needs the lower priority.
	[ "$(jq -r '.[] | select(.src == "2001:db8:a::5") | .priority' <<<"$first")" -lt \
	  "$(jq -r '.[] | select(.src == "2001:db8:a::") | .priority' <<<"$first")" ]
	[ "$(route_dev -6 "$DEST6" 2001:db8:a::5)" = sixxs1 ]
	[ "$(route_dev -6 "$DEST6" 2001:db8:a::7)" = sixxs0 ]
}

@test "apply: explicit prio and numeric or named tables; new names registered atomically" {
	printf '200\tuplink\n' >>"$V6KIT_IPROUTE2_DIR/rt_tables"
	cat >"$CONF" <<-EOF
		$SRC0 dev sixxs0 via 2001:db8:a::1 table uplink prio 100
		$SRC1 dev sixxs1 table 4242 prio 101
		2001:db8:c::/48 dev sixxs1 via 2001:db8:b::1 table brandnew
	EOF
	run sr apply -f "$CONF"
	assert_success
	run ip -n "$(ns host)" -6 -j rule
	[ "$(jq -r '.[] | select(.src == "'"$SRC0"'") | "\(.priority) \(.table)"' <<<"$output")" = "100 200" ]
	[ "$(jq -r '.[] | select(.src == "'"$SRC1"'") | "\(.priority) \(.table)"' <<<"$output")" = "101 4242" ]
	run cat "$V6KIT_IPROUTE2_DIR/rt_tables.d/v6kit.conf"
	assert_output --regexp $'(^|\n)1000\tbrandnew($|\n)'
	refute_output --partial uplink
	run sr -j show
	[ "$(jq -r '.[] | select(.from == "2001:db8:c::/48") | .table' <<<"$output")" = brandnew ]
	[ "$(jq -r '.[] | select(.from == "'"$SRC0"'") | .table' <<<"$output")" = uplink ]
	# No temporary files are left behind by the atomic write.
	run ls "$V6KIT_IPROUTE2_DIR/rt_tables.d"
	assert_output v6kit.conf
}

@test "apply: a free table id avoids ids already used in the kernel" {
	ip -n "$(ns host)" -6 route add default dev net0 table 1000
	run sr apply -f "$CONF"
	assert_success
	run cat "$V6KIT_IPROUTE2_DIR/rt_tables.d/v6kit.conf"
	assert_output --partial $'1001\tsixxs0'
	assert_output --partial $'1002\tsixxs1'
	# The foreign route in table 1000 is untouched.
	run ip -n "$(ns host)" -6 route show table 1000
	assert_output --partial "default dev net0"
}

@test "apply: entries removed from the file are removed from the kernel" {
	run sr apply -f "$CONF"
	assert_success
	sed -i "/$SRC1/d" "$CONF"
	run sr -v apply -f "$CONF"
	assert_success
	assert_output --partial "ip -6 rule del from $SRC1"
	assert_output --partial "ip -6 route del default dev sixxs1"
	assert_output --partial "ip -6 route del unreachable default table sixxs1"
	assert_output --partial "3 changes"
	[ "$(route_dev -6 "$DEST6" "$SRC1")" = net0 ]
	[ "$(route_dev -6 "$DEST6" "$SRC0")" = sixxs0 ]
}

@test "apply: a changed gateway replaces the table's route in place" {
	run sr apply -f "$CONF"
	assert_success
	sed -i "s/via 2001:db8:a::1/via 2001:db8:a::9/" "$CONF"
	run sr apply -f "$CONF"
	assert_success
	assert_output "1 changes"
	run ip -n "$(ns host)" -6 -j route show table all proto 150
	[ "$(jq -r '[.[] | select(.dev == "sixxs0")] | length' <<<"$output")" = 1 ]
	[ "$(jq -r '.[] | select(.dev == "sixxs0") | .gateway' <<<"$output")" = 2001:db8:a::9 ]
}

@test "ownership: hand-made rules and routes, even identical ones, are never touched" {
	# Identical-looking objects made by hand, without srcroute's protocol.
	ip -n "$(ns host)" -6 rule add from "$SRC0" lookup 1000 priority 5000
	ip -n "$(ns host)" -6 rule add from 2001:db8:dd::1 lookup 77 priority 5000
	ip -n "$(ns host)" -6 route add default dev sixxs1 table 77
	ip -n "$(ns host)" -4 rule add from 192.0.2.99 lookup 78 priority 5000
	local foreign
	foreign=$(kernel_snapshot host)
	run sr apply -f "$CONF"
	assert_success
	run sr apply -f /dev/null
	assert_success
	run sr add 2001:db8:dd::1 dev sixxs0
	assert_success
	run sr del 2001:db8:dd::1
	assert_success
	run sr del "$SRC0"
	assert_success
	run sr flush
	assert_success
	[ "$(kernel_snapshot host)" = "$foreign" ]
}

@test "apply is transactional: a kernel failure rolls back what the run changed" {
	ip -n "$(ns host)" link add name down0 type veth peer name down1
	local before
	before=$(kernel_snapshot host)
	cat >>"$CONF" <<-EOF
		2001:db8:e::1 dev down0
	EOF
	run sr apply -f "$CONF"
	assert_failure 2
	assert_output --partial "$CONF:4: ip -6 route add default dev down0"
	assert_output --partial "nothing was changed"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(kernel_snapshot host)" = "$before" ]
	[ ! -e "$V6KIT_IPROUTE2_DIR/rt_tables.d/v6kit.conf" ]
}

@test "apply is transactional when it replaces and prunes too" {
	run sr apply -f "$CONF"
	assert_success
	ip -n "$(ns host)" link add name down0 type veth peer name down1
	local before
	before=$(kernel_snapshot host)
	cat >"$CONF" <<-EOF
		$SRC0 dev sixxs0 via 2001:db8:a::9
		2001:db8:e::1 dev down0
	EOF
	run sr apply -f "$CONF"
	assert_failure 2
	[ "$(kernel_snapshot host)" = "$before" ]
}

@test "apply --dry-run prints ip commands that do exactly what apply does" {
	# Numbered tables: a dry run registers no names, so ip could not read them.
	cat >"$CONF" <<-EOF
		$SRC0 dev sixxs0 via 2001:db8:a::1 table 1000
		$SRC1 dev sixxs1 table 1001
	EOF
	local before
	before=$(kernel_snapshot host)
	run sr apply -f "$CONF" --dry-run
	assert_success
	assert_line "ip -6 route add default via 2001:db8:a::1 dev sixxs0 table 1000 proto 150 metric 1024"
	assert_line "ip -6 rule add from $SRC0 lookup 1000 priority 5000 proto 150"
	assert_line "ip -6 route add unreachable default table 1000 proto 150 metric 4294967295"
	assert_line "6 changes (dry run)"
	[ "$(kernel_snapshot host)" = "$before" ]
	[ ! -e "$V6KIT_IPROUTE2_DIR/rt_tables.d/v6kit.conf" ]
	# Feed the printed commands to ip; srcroute must then find nothing to do.
	grep '^ip -6 ' <<<"$output" | sed 's/^ip -6 //' >"$LAB_DIR/batch"
	[ "$(wc -l <"$LAB_DIR/batch")" = 6 ]
	run ip -n "$(ns host)" -6 -batch "$LAB_DIR/batch"
	assert_success
	run sr check -f "$CONF"
	assert_success
}

@test "apply --wait waits for a device that appears and comes up later" {
	echo "2001:db8:f::1 dev late0" >>"$CONF"
	run sr apply -f "$CONF"
	assert_failure 2
	assert_output "srcroute: $CONF:4: late0: no such device"
	# Create the device only after apply has started waiting.
	( sleep 1; ip -n "$(ns host)" link add name late0 type veth peer name late1;
	  sleep 0.5; ip -n "$(ns host)" link set late0 up ) &
	run sr apply -f "$CONF" --wait 10
	wait
	assert_success
	assert_output "9 changes"
	[ "$(route_dev -6 "$DEST6" 2001:db8:f::1)" = late0 ]
}

@test "apply --wait gives up after SECS with a clear message and changes nothing" {
	echo "2001:db8:f::1 dev never0" >>"$CONF"
	local before
	before=$(kernel_snapshot host)
	run sr apply -f "$CONF" --wait 1
	assert_failure 2
	assert_output "srcroute: never0: not up after --wait 1 s"
	[ "$(kernel_snapshot host)" = "$before" ]
}

@test "check: 0 when the kernel matches, 3 with the difference when it drifted" {
	run sr check -f "$CONF"
	assert_failure 3
	run sr apply -f "$CONF"
	assert_success
	run sr check -f "$CONF"
	assert_success
	assert_output "0 differences"
	ip -n "$(ns host)" -6 rule del from "$SRC1" priority 5000 protocol 150
	run sr check -f "$CONF"
	assert_failure 3
	assert_line "ip -6 rule add from $SRC1 lookup sixxs1 priority 5000 proto 150"
	assert_line "1 differences"
	run sr -j check -f "$CONF"
	assert_failure 3
	[ "$(jq -r '.differences' <<<"$output")" = 1 ]
}

@test "add: creates an entry; repeating it changes nothing; a conflicting one is refused" {
	run sr add "$SRC0" dev sixxs0 via 2001:db8:a::1
	assert_success
	assert_output "3 changes"
	[ "$(route_dev -6 "$DEST6" "$SRC0")" = sixxs0 ]
	run sr add "$SRC0" dev sixxs0 via 2001:db8:a::1
	assert_success
	assert_output "0 changes"
	[ "$(ip -n "$(ns host)" -6 -j rule | jq '[.[] | select(.src == "'"$SRC0"'")] | length')" = 1 ]
	local before
	before=$(kernel_snapshot host)
	run sr add "$SRC0" dev sixxs1
	assert_failure 2
	assert_output --partial "source '$SRC0' is already routed by table"
	run sr add 2001:db8:a::3 dev sixxs1 table sixxs0
	assert_failure 2
	assert_output --partial "table sixxs0 already has a default route via 2001:db8:a::1 dev sixxs0 that srcroute made for source $SRC0 of owner 'manual'"
	[ "$(kernel_snapshot host)" = "$before" ]
	run sr -j add "$SRC1" dev sixxs1 --wait 2
	assert_success
	[ "$(jq -r .changes <<<"$output")" = 3 ]
}

@test "del: removes the rule, and the table's route with its last user" {
	cat >"$CONF" <<-EOF
		$SRC0 dev sixxs0 via 2001:db8:a::1
		2001:db8:a::3 dev sixxs0 via 2001:db8:a::1
	EOF
	run sr apply -f "$CONF"
	assert_success
	run sr del "$SRC0"
	assert_success
	assert_output "1 changes"
	[ "$(route_dev -6 "$DEST6" 2001:db8:a::3)" = sixxs0 ]
	run sr del 2001:db8:a::3
	assert_success
	assert_output "3 changes"
	run ip -n "$(ns host)" -6 route show table all proto 150
	assert_output ""
	run sr del 2001:db8:a::3
	assert_success
	assert_output --partial "nothing to do"
}

@test "flush removes everything srcroute owns, and -4/-6 limit it to one family" {
	echo "192.0.2.2 dev sixxs0 via 192.0.2.1" >>"$CONF"
	run sr apply -f "$CONF"
	assert_success
	run sr -6 flush
	assert_success
	assert_output "6 changes"
	[ "$(ip -n "$(ns host)" -6 -j rule | jq '[.[] | select(.protocol == "150")] | length')" = 0 ]
	[ "$(ip -n "$(ns host)" -4 -j rule | jq -r '.[] | select(.protocol == "150") | .src')" = 192.0.2.2 ]
	run sr flush
	assert_success
	assert_output "3 changes"
	run ip -n "$(ns host)" -4 route show table all proto 150
	assert_output ""
}

@test "show: text is config syntax, -j is JSON, dev filters" {
	echo "192.0.2.2 dev sixxs0 via 192.0.2.1" >>"$CONF"
	run sr apply -f "$CONF"
	assert_success
	run sr show
	assert_success
	assert_line "$SRC0 dev sixxs0 via 2001:db8:a::1 table sixxs0 prio 5000  # owner file"
	assert_line "$SRC1 dev sixxs1 table sixxs1 prio 5000  # owner file"
	# What show prints is a config that describes the same state.
	printf '%s\n' "$output" >"$LAB_DIR/shown.conf"
	run sr check -f "$LAB_DIR/shown.conf"
	assert_success
	run sr -j show
	assert_success
	[ "$(jq length <<<"$output")" = 3 ]
	[ "$(jq -r '.[] | select(.from == "'"$SRC1"'") | .via' <<<"$output")" = null ]
	[ "$(jq -r '.[] | select(.from == "192.0.2.2") | .family' <<<"$output")" = inet ]
	run sr -j show dev sixxs1
	[ "$(jq -r '[.[].from] | join(",")' <<<"$output")" = "$SRC1" ]
	run sr -j -p show dev sixxs1
	[ "${#lines[@]}" -gt 3 ]
	[ "$(jq -r '.[0].prio' <<<"$output")" = 5000 ]
}

@test "bad input: one-line error naming the token, documented exit code, kernel untouched" {
	local before
	before=$(kernel_snapshot host)
	check_bad() {
		local want_rc=$1 want_msg=$2
		shift 2
		run sr "$@"
		[ "$status" -eq "$want_rc" ] || fail "exit $status, want $want_rc for: $*: $output"
		[ "${lines[0]}" = "$want_msg" ] || fail "got '${lines[0]}', want '$want_msg'"
		[ "$(kernel_snapshot host)" = "$before" ] || fail "kernel changed by: $*"
	}
	check_bad 2 "srcroute: sixxs9: no such device" add "$SRC0" dev sixxs9
	check_bad 1 "srcroute: add: source must be an IPv4 or IPv6 address or prefix: '2001:db8::zz/64'. Try 'srcroute help add'." \
		add 2001:db8::zz/64 dev sixxs0
	check_bad 1 "srcroute: add: prio must be 1-32765: '99999'. Try 'srcroute help add'." add "$SRC0" dev sixxs0 prio 99999
	check_bad 1 "srcroute: add: gateway must be an IPv4 address like the source: '2001:db8:a::1'. Try 'srcroute help add'." \
		add 192.0.2.2 dev sixxs0 via 2001:db8:a::1
	check_bad 1 "srcroute: $LAB_DIR/nonexistent.conf: No such file or directory" \
		apply -f "$LAB_DIR/nonexistent.conf"
	printf '%s dev sixxs0\n%s dev sixxs1\n' "$SRC0" "$SRC0" >"$LAB_DIR/dup.conf"
	check_bad 1 "srcroute: $LAB_DIR/dup.conf:2: source '$SRC0' already given at line 1" \
		apply -f "$LAB_DIR/dup.conf"
	printf '%s dev sixxs0\n%s dev sixxs9\n' "$SRC0" "$SRC1" >"$LAB_DIR/nodev.conf"
	check_bad 2 "srcroute: $LAB_DIR/nodev.conf:2: sixxs9: no such device" apply -f "$LAB_DIR/nodev.conf"
	printf '%s dev sixxs0 prio x\n' "$SRC0" >"$LAB_DIR/prio.conf"
	check_bad 1 "srcroute: $LAB_DIR/prio.conf:1: prio must be 1-32765: 'x'" check -f "$LAB_DIR/prio.conf"
	check_bad 1 "srcroute: unknown command 'ad'. Try 'srcroute help'." ad "$SRC0" dev sixxs0
	check_bad 1 "srcroute: apply: wait must be 0-3600: '-1'. Try 'srcroute help apply'." apply -f "$CONF" --wait -1
	check_bad 1 "srcroute: del: missing 'FROM'. Try 'srcroute help del'." del
	check_bad 1 "srcroute: flush: 'owner' needs a value. Try 'srcroute help flush'." flush owner
	check_bad 1 "srcroute: apply: 'owner' needs a value. Try 'srcroute help apply'." apply -f "$CONF" owner
	check_bad 1 "srcroute: show: unexpected word 'sixxs0'. Try 'srcroute help show'." show sixxs0
	check_bad 1 "srcroute: add: unknown word 'fallthru' (expected dev, via, table, prio, fallthrough or owner). Try 'srcroute help add'." \
		add "$SRC0" dev sixxs0 fallthru
	check_bad 2 "srcroute: network namespace 'v6kit-no-such-ns': No such file or directory" \
		-n v6kit-no-such-ns show
}

@test "unreadable config file: exit 1, nothing changed" {
	cp "$CONF" "$LAB_DIR/locked.conf"
	chmod 000 "$LAB_DIR/locked.conf"
	# root reads anything; drop to nobody for the read test.
	run t setpriv --reuid=nobody --regid=nogroup --clear-groups "$V6KIT_BIN/srcroute" check -f "$LAB_DIR/locked.conf"
	assert_failure 1
	assert_output "srcroute: $LAB_DIR/locked.conf: Permission denied"
}

@test "help and version go to stdout and exit 0; each command's help matches the man page" {
	run mandoc -Tascii -O width=200 "$TOP/man/srcroute.8"
	local man
	man=$(printf '%s\n' "$output" | sed 's/.\x08//g' | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | tr -s ' ')
	run tool srcroute --help
	assert_success
	assert_line --index 0 "Usage: srcroute [OPTIONS] COMMAND [ARGUMENTS]"
	local verbs form n=0
	verbs=$(printf '%s\n' "$output" | sed -n '/^Commands:/,/^Options/p' | awk 'NF && $1 != "Commands:" && $1 != "Options" && $1 != "help" { print $1 }')
	for verb in $verbs; do
		run tool srcroute help "$verb"
		assert_success
		# A synopsis form: its Usage line and the lines continuing it.
		form=$(printf '%s\n' "$output" | awk 'NR == 1 || /^       / { print; next } { exit }' |
			sed 's/^Usage: //' | tr -s ' \n' ' ' | sed 's/ $//')
		[[ "$man" == *"$form"* ]] || fail "man page SYNOPSIS lacks: $form"
		n=$((n + 1))
	done
	[ "$n" = 6 ] || fail "compared $n commands, want 6"
	[[ "$man" == *"srcroute help [COMMAND]"* ]] || fail "man page SYNOPSIS lacks help"
	run mandoc -Tlint -W warning "$TOP/man/srcroute.8"
	assert_success
	assert_output ""
	run tool srcroute -V
	assert_success
	assert_output --regexp '^srcroute \(v6kit\) [0-9]+\.[0-9]+\.[0-9]+$'
}

# ---- srcroute beside tun6in4, owners, fail closed ----------------------
# A user-mode 6in4 tunnel he0 from host to far0 over the sixxs0/tun0 link's
# IPv4 addresses: its far end is far0, the main table's uplink is isp.
TUN_GW=2001:db8:c::1
# A source the tunnel routes for, on lo so that it outlives the tunnel.
SRCLO=2001:db8:a0::2

t64() {
	local h=$1
	shift
	tool tun6in4 -n "$(ns "$h")" "$@"
}

# he0_up ARGS...: the host's side with ARGS; the far side once.
he0_up() {
	t64 host up he0 mode user remote 192.0.2.1 local 192.0.2.2 address 2001:db8:c::2/64 "$@"
	if ! ip -n "$(ns far0)" link show he0 >/dev/null 2>&1; then
		t64 far0 up he0 mode user remote 192.0.2.2 local 192.0.2.1 address "$TUN_GW/64"
		ip -n "$(ns far0)" -6 route add 2001:db8:a0::/64 dev he0
	fi
}

# unicast default routes in table T (family -6), one "PROTO DEV" a line
defaults_in() {
	ip -n "$(ns host)" -6 -j route show table "$1" | jq -r '.[] | select(.dst == "default" and (.type // "unicast") == "unicast") | "\(.protocol) \(.dev)"'
}

@test "tun6in4 table first, then srcroute: the tunnel's default route serves the entry" {
	he0_up gateway "$TUN_GW" table 100
	[ "$(defaults_in 100)" = "tun6in4 he0" ] || [ "$(defaults_in 100)" = "151 he0" ]
	run sr add "$SRC0" dev he0 via "$TUN_GW" table 100
	assert_success
	# the rule and the closing route; the default route is tun6in4's
	assert_output "2 changes"
	[ "$(defaults_in 100 | wc -l)" = 1 ]
	[ "$(route_dev -6 "$DEST6" "$SRC0")" = he0 ]
	run sr add "$SRC0" dev he0 via "$TUN_GW" table 100
	assert_output "0 changes"
	run sr -j show
	[ "$(jq -r '.[0] | "\(.dev) \(.via) \(.route_owner) \(.owner)"' <<<"$output")" = "he0 $TUN_GW tun6in4 manual" ]
	# Not equivalent (on-link instead of via): one line naming the owner.
	local before
	before=$(kernel_snapshot host)
	run sr add 2001:db8:a::9 dev he0 via 2001:db8:c::9 table 100
	assert_failure 2
	assert_output "srcroute: table 100 already has a default route via $TUN_GW dev he0 owned by tun6in4; give this entry the same 'dev' and 'via' (or no 'via') to share it, or another table"
	run sr add 2001:db8:a::9 dev net0 table 100
	assert_failure 2
	assert_output --partial "owned by tun6in4"
	[ "$(kernel_snapshot host)" = "$before" ]
	# Without 'via', the tunnel's route via its far end serves too.
	run sr add 2001:db8:a::9 dev he0 table 100
	assert_success
	assert_output "1 changes"
	[ "$(defaults_in 100 | wc -l)" = 1 ]
	run sr del 2001:db8:a::9
	assert_success
	# Flushing srcroute leaves tun6in4's route, and the reverse.
	run sr flush owner manual
	assert_success
	[ "$(defaults_in 100 | wc -l)" = 1 ]
	run sr add "$SRC0" dev he0 via "$TUN_GW" table 100
	assert_success
	run t64 host down he0
	assert_success
	# The link took the default route with it; srcroute's objects stay.
	[ -z "$(defaults_in 100)" ]
	[ "$(ip -n "$(ns host)" -6 -j rule | jq '[.[] | select(.src == "'"$SRC0"'")] | length')" = 1 ]
	run ip -n "$(ns host)" -6 route show table 100
	assert_output --partial "unreachable default"
	# tun6in4 puts the default route back when the tunnel returns.
	he0_up gateway "$TUN_GW" table 100
	[ "$(defaults_in 100 | wc -l)" = 1 ]
	run sr add "$SRC0" dev he0 via "$TUN_GW" table 100
	assert_output "0 changes"
	[ "$(route_dev -6 "$DEST6" "$SRC0")" = he0 ]
}

@test "tun6in4 without gateway shares its on-link default route; a file apply and check agree" {
	he0_up table 100
	printf '%s dev he0 table 100\n' "$SRC0" >"$LAB_DIR/t100.conf"
	run sr apply -f "$LAB_DIR/t100.conf"
	assert_success
	assert_output "2 changes"
	run sr check -f "$LAB_DIR/t100.conf"
	assert_success
	# Down and up again: tun6in4 restores the route, srcroute finds no drift.
	t64 host down he0
	he0_up table 100
	run sr check -f "$LAB_DIR/t100.conf"
	assert_success
	run sr apply -f "$LAB_DIR/t100.conf"
	assert_output "0 changes"
	[ "$(defaults_in 100 | wc -l)" = 1 ]
	# Emptying the file removes srcroute's objects and only those.
	run sr apply -f /dev/null
	assert_success
	assert_output "2 changes"
	[ "$(defaults_in 100 | wc -l)" = 1 ]
}

@test "srcroute's route in a table makes tun6in4 up fail with one line naming srcroute" {
	run sr add "$SRC0" dev net0 via 2001:db8:1::1 table 100
	assert_success
	local before files
	before=$(kernel_snapshot host)
	run t64 host up he0 mode user remote 192.0.2.1 local 192.0.2.2 address 2001:db8:c::2/64 gateway "$TUN_GW" table 100
	assert_failure 2
	assert_output "tun6in4: he0: table 100 already has a default route via 2001:db8:1::1 dev net0 owned by srcroute; remove srcroute's entries for that table (see 'srcroute show'), or use another table"
	[ "$(kernel_snapshot host)" = "$before" ]
	# A route made by hand is named too.
	ip -n "$(ns host)" -6 route add default dev net0 table 101
	run t64 host up he0 mode user remote 192.0.2.1 local 192.0.2.2 address 2001:db8:c::2/64 table 101
	assert_failure 2
	assert_output "tun6in4: he0: table 101 already has a default route dev net0 owned by protocol 3; remove it ('ip -6 route del default' in that table), or use another table"
}

@test "srcroute add --wait racing tun6in4 up into the same table: both succeed, one default route" {
	local i
	for i in 1 2 3; do
		lab_bg host "$V6KIT_BIN/srcroute" add "$SRC0" dev he0 via "$TUN_GW" table 100 --wait 20
		local pid=$LAB_LAST_PID log=$LAB_LAST_LOG
		he0_up gateway "$TUN_GW" table 100
		wait "$pid" || fail "srcroute add failed: $(cat "$log")"
		[ "$(defaults_in 100 | wc -l)" = 1 ] || fail "defaults in table 100: $(defaults_in 100)"
		[ "$(route_dev -6 "$DEST6" "$SRC0")" = he0 ]
		run sr check -f /dev/null owner manual
		assert_failure 3
		t64 host down he0
		sr flush owner manual >/dev/null
	done
}

@test "fail closed: with the tunnel gone its source is refused, never sent out the main uplink" {
	ip -n "$(ns host)" addr add "$SRCLO/128" dev lo
	he0_up gateway "$TUN_GW" table 100
	run sr add "$SRCLO" dev he0 via "$TUN_GW" table 100
	assert_success
	local far isp
	far=$(echos_at far0 Icmp6InEchos)
	run in_ns host ping -6 -c 1 -W 5 -I "$SRCLO" "$DEST6"
	assert_success
	[ "$(echos_at far0 Icmp6InEchos)" -eq $((far + 1)) ]
	run t64 host down he0
	assert_success
	isp=$(echos_at isp Icmp6InEchos)
	local udp
	udp=$(echos_at isp Udp6NoPorts)
	run in_ns host ping -6 -c 1 -W 2 -I "$SRCLO" "$DEST6"
	assert_failure
	run ip -n "$(ns host)" -6 route get "$DEST6" from "$SRCLO"
	assert_failure
	assert_output --partial "No route to host"
	run in_ns host /usr/bin/python3 -c '
import errno, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
try:
    s.sendto(b"x", (sys.argv[2], 9))
except OSError as e:
    print(errno.errorcode[e.errno])
    sys.exit(1)' "$SRCLO" "$DEST6"
	assert_failure
	assert_output --regexp '^E(HOST|NET)UNREACH$'
	sleep 0.5
	[ "$(echos_at isp Icmp6InEchos)" -eq "$isp" ] || fail "an echo from $SRCLO left through the main uplink"
	[ "$(echos_at isp Udp6NoPorts)" -eq "$udp" ] || fail "a datagram from $SRCLO left through the main uplink"
	# With fallthrough the same traffic takes the main table's uplink:
	# the counters above would have seen a leak.
	run sr flush owner manual
	assert_success
	he0_up gateway "$TUN_GW" table 100
	run sr add "$SRCLO" dev he0 via "$TUN_GW" table 100 fallthrough
	assert_success
	assert_output "1 changes"
	run ip -n "$(ns host)" -6 route show table 100
	refute_output --partial unreachable
	t64 host down he0
	run in_ns host ping -6 -c 1 -W 2 -I "$SRCLO" "$DEST6"
	[ "$(echos_at isp Icmp6InEchos)" -eq $((isp + 1)) ]
}

@test "fallthrough in the file and on the command line; a table is closed or open for all its entries" {
	cat >"$CONF" <<-EOF
		$SRC0 dev sixxs0 via 2001:db8:a::1 fallthrough
		192.0.2.2 dev sixxs0 via 192.0.2.1
	EOF
	run sr apply -f "$CONF"
	assert_success
	run ip -n "$(ns host)" -6 route show table all proto 150
	refute_output --partial unreachable
	run ip -n "$(ns host)" -4 route show table all proto 150
	assert_output --partial "unreachable default table 1000 metric 4294967295"
	run sr -j show
	[ "$(jq -r '.[] | select(.from == "'"$SRC0"'") | .fallthrough' <<<"$output")" = true ]
	run sr show
	assert_line "$SRC0 dev sixxs0 via 2001:db8:a::1 table sixxs0 prio 5000 fallthrough  # owner file"
	printf '%s\n' "$output" >"$LAB_DIR/shown.conf"
	run sr check -f "$LAB_DIR/shown.conf"
	assert_success
	# Another entry of the same table must agree.
	run sr add 2001:db8:a::7 dev sixxs0 via 2001:db8:a::1
	assert_failure 2
	assert_output "srcroute: table sixxs0 lets traffic fall through for owner 'file'; add 'fallthrough' to this entry or give it another table"
	printf '%s dev sixxs1\n%s dev sixxs1 fallthrough\n' "$SRC1" 2001:db8:b::7 >"$LAB_DIR/mixed.conf"
	run sr apply -f "$LAB_DIR/mixed.conf"
	assert_failure 1
	assert_output "srcroute: $LAB_DIR/mixed.conf:2: table 'sixxs1' is closed (no fallthrough) at line 1; give both entries the same 'fallthrough' or separate tables"
}

@test "owners: apply, check and flush of the file keep stanza entries, and the reverse" {
	run sr apply -f "$CONF"
	assert_success
	run sr add 2001:db8:a::7 dev sixxs0 via 2001:db8:a::1 owner ifupdown-sixxs0
	assert_success
	assert_output "1 changes"
	run sr apply -f "$CONF"
	assert_output "0 changes"
	run sr check -f "$CONF"
	assert_success
	run sr -j show
	[ "$(jq -r '.[] | select(.from == "2001:db8:a::7") | .owner' <<<"$output")" = ifupdown-sixxs0 ]
	[ "$(jq -r '.[] | select(.from == "'"$SRC0"'") | .owner' <<<"$output")" = file ]
	run sr show owner ifupdown-sixxs0
	assert_output "2001:db8:a::7 dev sixxs0 via 2001:db8:a::1 table sixxs0 prio 5000  # owner ifupdown-sixxs0"
	# The stanza's delete and flush leave the file's entries alone.
	run sr del "$SRC0" owner ifupdown-sixxs0
	assert_success
	assert_output --partial "no rule of owner 'ifupdown-sixxs0' for source '$SRC0'"
	# An empty file removes the file's entries; the shared table stays for the stanza.
	run sr apply -f /dev/null
	assert_success
	assert_output "4 changes"
	[ "$(route_dev -6 "$DEST6" 2001:db8:a::7)" = sixxs0 ]
	[ "$(route_dev -6 "$DEST6" "$SRC0")" = net0 ]
	run sr flush
	assert_output "0 changes"
	run sr apply -f "$CONF"
	assert_success
	run sr flush owner ifupdown-sixxs0
	assert_success
	assert_output "1 changes"
	[ "$(route_dev -6 "$DEST6" "$SRC0")" = sixxs0 ]
	# One source, one owner: the conflict names the owner and what to do.
	run sr add "$SRC1" dev sixxs1 owner ifupdown-sixxs1
	assert_failure 2
	assert_output "srcroute: source '$SRC1' is already routed by table sixxs1 priority 5000 for owner 'file'; 'srcroute del $SRC1 owner file' first"
	run sr add 2001:db8:b::7 dev sixxs1 owner ifupdown-sixxs1
	assert_success
	echo "2001:db8:b::7 dev sixxs1" >>"$CONF"
	run sr apply -f "$CONF"
	assert_failure 2
	assert_output "srcroute: $CONF:4: source '2001:db8:b::7' is already routed by table sixxs1 priority 5000 for owner 'ifupdown-sixxs1'; 'srcroute del 2001:db8:b::7 owner ifupdown-sixxs1' first"
	run sr flush owner all
	assert_success
	[ "$(ip -n "$(ns host)" -6 -j rule | jq '[.[] | select(.protocol == "150")] | length')" = 0 ]
	[ -z "$(ip -n "$(ns host)" -6 route show table all proto 150)" ]
	# Bad owners are refused before anything happens.
	run sr add 2001:db8:b::8 dev sixxs1 owner 'bad/name'
	assert_failure 1
	assert_output "srcroute: add: owner must be 1-32 of A-Z a-z 0-9 _ . : -: 'bad/name'. Try 'srcroute help add'."
	echo "2001:db8:b::9 dev sixxs1 owner x" >"$LAB_DIR/owner.conf"
	run sr apply -f "$LAB_DIR/owner.conf"
	assert_failure 1
	assert_output "srcroute: $LAB_DIR/owner.conf:1: 'owner' belongs on the command line, not in a file: 'x'"
}

@test "owners survive in the run directory; without it every rule is the file's" {
	run sr add 2001:db8:a::7 dev sixxs0 owner ifupdown-sixxs0
	assert_success
	run bash -c "cat '$V6KIT_RUNDIR'/srcroute/net*/owners"
	assert_output --partial "inet6 2001:db8:a::7 5000 1000 ifupdown-sixxs0"
	run sr del 2001:db8:a::7 owner ifupdown-sixxs0
	assert_success
	run bash -c "grep -c ifupdown '$V6KIT_RUNDIR'/srcroute/net*/owners"
	assert_output 0
}

@test "concurrent adds for different devices with new tables all succeed" {
	local i
	for i in 1 2 3 4 5; do
		lab_bg host "$V6KIT_BIN/srcroute" add "2001:db8:a::1$i" dev sixxs0 table "n$i-a" owner a
		local p1=$LAB_LAST_PID l1=$LAB_LAST_LOG
		lab_bg host "$V6KIT_BIN/srcroute" add "2001:db8:b::1$i" dev sixxs1 table "n$i-b" owner b
		local p2=$LAB_LAST_PID l2=$LAB_LAST_LOG
		wait "$p1" || fail "first add: $(cat "$l1")"
		wait "$p2" || fail "second add: $(cat "$l2")"
	done
	run cut -f1 "$V6KIT_IPROUTE2_DIR/rt_tables.d/v6kit.conf"
	[ "$(grep -c '^[0-9]' <<<"$output")" = 10 ]
	[ "$(grep '^[0-9]' <<<"$output" | sort -u | wc -l)" = 10 ]
	for i in 1 2 3 4 5; do
		[ "$(route_dev -6 "$DEST6" "2001:db8:a::1$i")" = sixxs0 ]
		[ "$(route_dev -6 "$DEST6" "2001:db8:b::1$i")" = sixxs1 ]
	done
}

@test "tun6in4 up --wait waits for a local address that appears late (DHCP at boot)" {
	( sleep 1; ip -n "$(ns host)" addr add 192.0.2.7/28 dev sixxs0 ) &
	run t64 host up he0 mode user remote 192.0.2.1 local 192.0.2.7 address 2001:db8:c::2/64 --wait 15
	wait
	assert_success
	ip -n "$(ns host)" link show he0 >/dev/null
	t64 host down he0
	# Not there within the budget: one line naming it, nothing made.
	local before
	before=$(kernel_snapshot host)
	run t64 host up he0 mode user remote 192.0.2.1 local 192.0.2.8 address 2001:db8:c::2/64 --wait 1
	assert_failure 2
	assert_output "tun6in4: he0: local 192.0.2.8: not an address of this host after --wait 1 s"
	[ "$(kernel_snapshot host)" = "$before" ]
	run t64 host up he0 mode user remote 192.0.2.1 local 192.0.2.8 address 2001:db8:c::2/64
	assert_failure 2
	assert_output "tun6in4: he0: local 192.0.2.8: not an address of this host (--wait SECS waits for it)"
}

@test "a re-apply notices what the file does not show: a table renumbered in rt_tables, a drifted kernel" {
	printf '200\tuplink\n' >>"$V6KIT_IPROUTE2_DIR/rt_tables"
	echo "$SRC0 dev sixxs0 via 2001:db8:a::1 table uplink" >"$CONF"
	run sr apply -f "$CONF"
	assert_success
	assert_output "3 changes"
	run sr apply -f "$CONF"
	assert_output "0 changes"
	# Same file, same kernel; only the name now means another table.
	sed -i 's/^200\tuplink$/201\tuplink/' "$V6KIT_IPROUTE2_DIR/rt_tables"
	run sr check -f "$CONF"
	assert_failure 3
	run sr apply -f "$CONF"
	assert_success
	assert_output "6 changes"
	[ "$(ip -n "$(ns host)" -6 -j rule | jq -r '.[] | select(.src == "'"$SRC0"'") | .table')" = 201 ]
	run sr apply -f "$CONF"
	assert_output "0 changes"
	# A route of ours removed by hand is put back.
	ip -n "$(ns host)" -6 route del default table 201 proto 150 metric 1024
	run sr apply -f "$CONF"
	assert_output "1 changes"
	# A device replaced by another of the same name (new index).
	ip -n "$(ns host)" link del sixxs1
	ip -n "$(ns host)" link add name sixxs1 type veth peer name tun9
	ip -n "$(ns host)" link set sixxs1 up
	echo "$SRC1 dev sixxs1" >>"$CONF"
	run sr apply -f "$CONF"
	assert_success
	ip -n "$(ns host)" link del sixxs1
	ip -n "$(ns host)" link add name sixxs1 type veth peer name tun8
	ip -n "$(ns host)" link set sixxs1 up
	run sr check -f "$CONF"
	assert_failure 3
}

@test "a re-apply after a stamp still reads every rule: one deleted, changed or added behind srcroute's back is repaired" {
	local n=40 i
	: >"$CONF"
	for i in $(seq 1 $n); do
		echo "2001:db8:a::$(printf %x $((i + 16))) dev sixxs0 via 2001:db8:a::1" >>"$CONF"
	done
	run -0 sr apply -f "$CONF"
	assert_output "$((n + 2)) changes"
	# The stamp serves: -v says so.
	run --separate-stderr -0 sr -v apply -f "$CONF"
	assert_output "0 changes"
	[ "$stderr" = "srcroute: $CONF and the kernel are as the last run left them" ] ||
		fail "stderr: $stderr"
	local rules
	rules() { ip -n "$(ns host)" -6 rule show proto 150 | sort; }
	local want
	want=$(rules)
	# One rule in the middle of the list, deleted by hand.
	ip -n "$(ns host)" -6 rule del from 2001:db8:a::24 priority 5000
	run --separate-stderr -0 sr -v apply -f "$CONF"
	assert_output --partial "1 changes"
	[ "$stderr" = "" ] || fail "stderr: $stderr"
	[ "$(rules)" = "$want" ]
	run -0 sr apply -f "$CONF"
	assert_output "0 changes"
	# Its table changed by hand (same source and priority).
	ip -n "$(ns host)" -6 rule del from 2001:db8:a::30 priority 5000
	ip -n "$(ns host)" -6 rule add from 2001:db8:a::30 priority 5000 table 42 proto 150
	run sr check -f "$CONF"
	assert_failure 3
	run -0 sr apply -f "$CONF"
	assert_output "2 changes"
	[ "$(rules)" = "$want" ]
	# A rule of protocol 150 the file does not name, added by hand.
	ip -n "$(ns host)" -6 rule add from 2001:db8:a::999 priority 5000 table 42 proto 150
	run -0 sr apply -f "$CONF"
	assert_output "1 changes"
	[ "$(rules)" = "$want" ]
	run --separate-stderr -0 sr -v apply -f "$CONF"
	assert_output "0 changes"
	[ -n "$stderr" ] || fail "the stamp of a repairing run should serve the next"
}

# A route of srcroute's (protocol 150) that is in table 100 before tun6in4
# adds its own: added from the moment he0 comes up, by raw netlink, while
# tun6in4 is still adding the tunnel's eight addresses.
SPIN_ROUTE='
import os, socket, struct, sys, time
RTM_NEWROUTE, F = 24, 0x1 | 0x4 | 0x400 | 0x200  # REQUEST ACK CREATE EXCL
end = time.monotonic() + 20
print("ready", flush=True)
while time.monotonic() < end:
    try:
        idx = socket.if_nametoindex("he0")
        break
    except OSError:
        pass
else:
    sys.exit("he0 never appeared")
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
def attr(t, v):
    return struct.pack("HHI", 8, t, v)
body = struct.pack("BBBBBBBBI", 10, 0, 0, 0, 100, 150, 0, 1, 0)
body += attr(15, 100) + attr(4, idx) + attr(6, 1024)
msg = struct.pack("IHHII", 16 + len(body), RTM_NEWROUTE, F, 1, 0) + body
while time.monotonic() < end:
    s.send(msg)
    err = struct.unpack("i", s.recv(4096)[16:20])[0]
    if err == 0:
        print("added")
        sys.exit(0)
    if err == -17:
        print("lost")
        sys.exit(0)
sys.exit("gave up")'

@test "srcroute's equivalent route already in the table serves tun6in4 up table T" {
	requires cmd:strace
	lab_bg host /usr/bin/python3 -c "$SPIN_ROUTE"
	local pid=$LAB_LAST_PID log=$LAB_LAST_LOG a addrs=()
	wait_for 20 grep -q ready "$log"
	for a in 2 3 4 5 6 7 8 9; do addrs+=(address "2001:db8:c::$a/64"); done
	# Give the spinner the better odds on a busy machine: tun6in4 yields
	# at every system call it makes (strace), and at a low priority.
	# (LeakSanitizer cannot run under ptrace.)
	run t env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" nice -n 19 strace -o /dev/null \
		"$V6KIT_BIN/tun6in4" -n "$(ns host)" up he0 mode user \
		remote 192.0.2.1 local 192.0.2.2 "${addrs[@]}" table 100
	wait "$pid" || fail "spinner: $(cat "$log")"
	[ "$(tail -n 1 "$log")" = added ] || skip "tun6in4 added its route first this time"
	assert_success
	# One default route, srcroute's, serving both.
	[ "$(defaults_in 100)" = "150 he0" ]
	run sr add "$SRC0" dev he0 table 100
	assert_success
	assert_output "2 changes"
	[ "$(route_dev -6 "$DEST6" "$SRC0")" = he0 ]
	# srcroute's route goes with its last entry; tun6in4 made none to keep.
	run t64 host down he0
	assert_success
}

@test "add --wait retries until the gateway routes, sleeping in between" {
	requires cmd:/usr/bin/time
	# The gateway becomes reachable only when the address appears.
	( sleep 1.5; ip -n "$(ns host)" addr add 2001:db8:99::2/64 dev sixxs0 nodad ) &
	run t /usr/bin/time -f "cpu %U %S" "$V6KIT_BIN/srcroute" -n "$(ns host)" add "$SRC0" dev sixxs0 \
		via 2001:db8:99::1 --wait 15
	wait
	assert_success
	assert_line "3 changes"
	# Its own failed tries must not wake it: no busy loop for 1.5 s.
	local cpu
	cpu=$(awk '$1 == "cpu" { print $2 + $3 }' <<<"$output")
	awk -v c="$cpu" 'BEGIN { exit !(c < 0.5) }' || fail "used $cpu s of CPU while waiting"
	# Never reachable: the kernel's reason, and that the wait ran out.
	run sr add 2001:db8:a::9 dev sixxs0 via 2001:db8:98::1 table 4321 --wait 1
	assert_failure 2
	assert_output --partial "No route to host; nothing was changed (still so when --wait ran out)"
}
