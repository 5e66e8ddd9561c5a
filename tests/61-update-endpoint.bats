#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# v6kit-update-endpoint against a stand-in broker (tests/endpoint/broker.py)
# on 127.0.0.1 inside the lab host, which answers from a script and records
# every request.  Tunnels are user mode (this kernel has no sit).
#
#   a (192.0.2.1, t6 2001:db8::1/64)  --va/vb--  b (192.0.2.2, t6 2001:db8::2/64)

load helpers

KEY=s3cr3t-Upd4te-K3y
USER_=alice-he

setup() {
	requires root cmd:curl
	lab_setup
	export V6KIT_TUNNELS_DIR="$LAB_DIR/tunnels" V6KIT_STATEDIR="$LAB_DIR/state"
	export V6KIT_TUN6IN4="$V6KIT_BIN/tun6in4"
	# Retries without waiting; the fake logger keeps what syslog would get.
	export V6KIT_UPDATE_BACKOFF=0 V6KIT_UPDATE_TRIES=3 V6KIT_LOGGER="$LAB_DIR/logger"
	mkdir -p "$V6KIT_TUNNELS_DIR" "$LAB_DIR/broker" "$LAB_DIR/keys"
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s/syslog"\n' "$LAB_DIR" >"$V6KIT_LOGGER"
	chmod +x "$V6KIT_LOGGER"
	printf '%s\n' "$KEY" >"$LAB_DIR/keys/t6"
	chmod 600 "$LAB_DIR/keys/t6"
	lab_ns a b
	lab_link a va b vb
	lab_addr a va 192.0.2.1/24
	lab_addr b vb 192.0.2.2/24
}

teardown() { lab_teardown; }

t64() {
	local h=$1
	shift
	tool tun6in4 -n "$(ns "$h")" "$@"
}

upd() { in_ns a "$TOP/scripts/sbin/v6kit-update-endpoint" "$@"; }

# broker ANSWER...: start the stand-in broker in host a with these answers
# and write t6's conf pointing at it.
broker() {
	printf '%s\n' "$@" >"$LAB_DIR/broker/script"
	lab_bg a /usr/bin/python3 "$TOP/tests/endpoint/broker.py" "$LAB_DIR/broker"
	BROKER_PID=$LAB_LAST_PID
	wait_for 10 test -s "$LAB_DIR/broker/port"
	cat >"$V6KIT_TUNNELS_DIR/t6.conf" <<-EOF
		remote 192.0.2.2
		local 192.0.2.1
		address 2001:db8::1/64
		mode user
		update-url http://127.0.0.1:$(cat "$LAB_DIR/broker/port")/nic/update
		update-tunnel 123456
		update-user $USER_
		update-key $LAB_DIR/keys/t6
	EOF
}

requests() { cat "$LAB_DIR/broker/requests" 2>/dev/null || true; }
nrequests() { requests | wc -l; }
local_of() { t64 a -j show t6 | jq -r '.[0].local'; }

@test "good: one request with hostname, myip and the credentials; cached; exit 0" {
	broker "200 good 192.0.2.1"
	run -0 upd t6
	[ "$(nrequests)" = 1 ]
	[ "$(requests)" = "/nic/update?hostname=123456&myip=192.0.2.1 $USER_:$KEY" ]
	grep -q "good 192.0.2.1" "$LAB_DIR/syslog"
	# Unchanged IPv4: nothing sent again.
	run -0 upd t6
	[ "$(nrequests)" = 1 ]
	# --force sends anyway.
	run -0 upd --force t6
	[ "$(nrequests)" = 2 ]
}

@test "nochg is success and changes nothing locally" {
	broker "200 nochg 192.0.2.1"
	t64 a up t6
	run -0 upd t6
	[ "$(nrequests)" = 1 ]
	[ "$(local_of)" = 192.0.2.1 ]
	run -0 upd t6
	[ "$(nrequests)" = 1 ]
}

@test "badauth, nohost, !yours, abuse: permanent, one request, no retry until the conf or key changes" {
	local answer
	for answer in badauth nohost '!yours' abuse; do
		rm -rf "$V6KIT_STATEDIR" "$LAB_DIR/broker/requests"
		kill "$BROKER_PID" 2>/dev/null || true
		rm -f "$LAB_DIR/broker/port"
		broker "200 $answer" "200 good 192.0.2.1"
		run -3 upd t6
		assert_output --partial "$answer"
		[ "$(nrequests)" = 1 ]
		# Remembered: a later run does not ask again.
		run -3 upd t6
		assert_output --partial "refused"
		[ "$(nrequests)" = 1 ]
	done
	# A changed key file lifts it.
	touch -d '1 hour ago' "$LAB_DIR/keys/t6"
	run -0 upd t6
	[ "$(nrequests)" = 2 ]
}

@test "-ERROR: texts are shown verbatim and not retried" {
	broker "200 -ERROR: IP is not ICMP pingable. Please make sure ICMP is not blocked."
	run -2 upd t6
	assert_output --partial "-ERROR: IP is not ICMP pingable. Please make sure ICMP is not blocked."
	[ "$(nrequests)" = 1 ]
	grep -qF -- "-ERROR: IP is not ICMP pingable" "$LAB_DIR/syslog"
}

@test "HTTP 500 then good: retried with backoff, success" {
	broker "500 oops" "200 good 192.0.2.1"
	run -0 upd t6
	[ "$(nrequests)" = 2 ]
	assert_output --partial "HTTP 500"
}

@test "garbage body and a dropped connection: retried a bounded number of times, exit 2" {
	broker "200 <html>hello</html>"
	# Backoff doubles: 1 s, then 2 s.
	V6KIT_UPDATE_BACKOFF=1 run -2 upd t6
	[ "$(nrequests)" = 3 ]
	assert_output --partial "unexpected answer (HTTP 200): '<html>hello</html>'"
	assert_line --partial "try 1: unexpected answer"
	assert_line --partial "retrying in 1 s"
	assert_line --partial "retrying in 2 s"
	assert_line --partial "failed after 3 tries"
	kill "$BROKER_PID"
	rm -f "$LAB_DIR/broker/port" "$LAB_DIR/broker/requests"
	broker close
	run -2 upd t6
	[ "$(nrequests)" = 3 ]
	# Nothing was cached: the next run asks again.
	[ ! -e "$V6KIT_STATEDIR/update-endpoint/t6.last" ]
}

@test "unreachable broker (a closed port): exit 2 after the tries, nothing cached" {
	broker "200 good 192.0.2.1"
	sed -i 's|^update-url .*|update-url http://127.0.0.1:9/nic/update|' "$V6KIT_TUNNELS_DIR/t6.conf"
	run -2 upd t6
	assert_output --partial "failed after 3 tries"
	[ "$(nrequests)" = 0 ]
	[ ! -e "$V6KIT_STATEDIR/update-endpoint/t6.last" ]
}

@test "credentials never on a command line (ps during a slow answer) or in the logs" {
	broker "sleep 3 200 good 192.0.2.1"
	upd t6 >"$LAB_DIR/out" 2>&1 &
	local pid=$! seen=0 i
	for i in $(seq 40); do
		ps -eo args >"$LAB_DIR/ps.$i"
		grep -q 'curl -K' "$LAB_DIR/ps.$i" && seen=$((seen + 1))
		sleep 0.05
	done
	wait "$pid"
	# The poll did catch curl running, and never the key or the user.
	[ "$seen" -gt 0 ]
	run -1 grep -l -e "$KEY" -e "$USER_" "$LAB_DIR"/ps.*
	run -1 grep -q -e "$KEY" -e "$USER_" "$LAB_DIR/out" "$LAB_DIR/syslog"
	run -1 grep -rq -e "$KEY" "$V6KIT_STATEDIR"
	# The logs did get the run's messages (the check above looked somewhere).
	grep -q "good 192.0.2.1" "$LAB_DIR/syslog"
	[ "$(requests)" = "/nic/update?hostname=123456&myip=192.0.2.1 $USER_:$KEY" ]
}

@test "a key file readable by group or others is refused before sending" {
	broker "200 good 192.0.2.1"
	chmod 640 "$LAB_DIR/keys/t6"
	run -1 upd t6
	assert_output --partial "chmod 600"
	chmod 604 "$LAB_DIR/keys/t6"
	run -1 upd t6
	[ "$(nrequests)" = 0 ]
}

@test "a private (RFC 1918) or shared (RFC 6598) IPv4 omits myip; --ip overrides detection" {
	broker "200 good 198.51.100.7"
	run -0 upd --ip 10.1.2.3 t6
	run -0 upd --ip 100.64.0.9 t6
	run -0 upd --ip 203.0.113.5 t6
	run requests
	assert_line -n 0 "/nic/update?hostname=123456 $USER_:$KEY"
	assert_line -n 1 "/nic/update?hostname=123456 $USER_:$KEY"
	assert_line -n 2 "/nic/update?hostname=123456&myip=203.0.113.5 $USER_:$KEY"
	run -1 upd --ip 203.0.113 t6
	assert_output --partial "'203.0.113'"
}

@test "tun6in4 change only after success; a later up and reload use the new address" {
	broker "200 badauth"
	t64 a up t6
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64
	# The lease moved a to 192.0.2.11.
	ip -n "$(ns a)" addr del 192.0.2.1/24 dev va
	lab_addr a va 192.0.2.11/24
	run -3 upd t6
	[ "$(local_of)" = 192.0.2.1 ]
	kill "$BROKER_PID"
	rm -rf "$LAB_DIR/broker/port" "$LAB_DIR/broker/requests" "$V6KIT_STATEDIR"
	broker "200 good 192.0.2.11"
	run -0 upd t6
	assert_output --partial "moved from 192.0.2.1 to 192.0.2.11"
	[ "$(requests)" = "/nic/update?hostname=123456&myip=192.0.2.11 $USER_:$KEY" ]
	[ "$(local_of)" = 192.0.2.11 ]
	t64 b down t6
	t64 b up t6 remote 192.0.2.11 local 192.0.2.2 address 2001:db8::2/64
	in_ns a ping -c 2 -i 0.2 -W 5 2001:db8::2
	# The file still says 192.0.2.1: up and reload keep the moved address.
	run -0 t64 a up t6
	assert_output --partial "nothing changed"
	run -0 t64 a reload t6
	[ "$(local_of)" = 192.0.2.11 ]
	t64 a down t6
	run -0 t64 a up t6
	[ "$(local_of)" = 192.0.2.11 ]
	in_ns a ping -c 2 -i 0.2 -W 5 2001:db8::2
	# Run again: unchanged, nothing sent, nothing moved.
	run -0 upd t6
	[ "$(nrequests)" = 1 ]
}

@test "behind NAT: an address that is not this host's leaves local alone" {
	broker "200 good 203.0.113.9"
	t64 a up t6
	run -0 upd --ip 203.0.113.9 t6
	assert_output --partial "not an address of this host"
	[ "$(local_of)" = 192.0.2.1 ]
}

@test "bad usage and config: one line, exit 1, nothing sent" {
	broker "200 good 192.0.2.1"
	run -1 upd
	assert_output --partial "missing tunnel NAME"
	run -1 upd --bogus t6
	assert_output --partial "'--bogus'"
	run -1 upd nosuch
	assert_output --partial "nosuch"
	sed -i '/^update-user/d' "$V6KIT_TUNNELS_DIR/t6.conf"
	run -1 upd t6
	assert_output --partial "missing 'update-user USER'"
	[ "$(nrequests)" = 0 ]
}

@test "behind NAT: update-ip-command's address is reported and its changes detected; local stays" {
	broker "200 good 203.0.113.50"
	t64 a up t6
	printf '#!/bin/sh\necho 203.0.113.50\n' >"$LAB_DIR/myip"
	chmod +x "$LAB_DIR/myip"
	echo "update-ip-command $LAB_DIR/myip" >>"$V6KIT_TUNNELS_DIR/t6.conf"
	run -0 upd t6
	run -0 upd t6
	sed -i 's/50/51/' "$LAB_DIR/myip"
	run -0 upd t6
	run requests
	assert_line -n 0 "/nic/update?hostname=123456&myip=203.0.113.50 $USER_:$KEY"
	assert_line -n 1 "/nic/update?hostname=123456&myip=203.0.113.51 $USER_:$KEY"
	[ "${#lines[@]}" = 2 ]
	[ "$(local_of)" = 192.0.2.1 ]
	printf '#!/bin/sh\necho no idea\n' >"$LAB_DIR/myip"
	run -2 upd t6
	assert_output --partial "printed no IPv4 address"
}

@test "triggers: the dhclient exit hook (sourced; new address only) and the ppp ip-up hook run --all" {
	broker "200 good 192.0.2.1"
	# A second tunnel without update keys is not touched by --all.
	printf 'remote 192.0.2.2\n' >"$V6KIT_TUNNELS_DIR/t7.conf"
	local hookenv=(env "PATH=$TOP/scripts/sbin:$PATH")
	# Sourced like dhclient-script does: it must not exit the caller.
	run -0 in_ns a "${hookenv[@]}" reason=RENEW new_ip_address=192.0.2.1 old_ip_address=192.0.2.1 \
		sh -c '. "$1"; echo after-hook' sh "$TOP/scripts/dhclient/v6kit"
	assert_output after-hook
	run -0 in_ns a "${hookenv[@]}" reason=EXPIRE sh -c '. "$1"; echo after-hook' sh "$TOP/scripts/dhclient/v6kit"
	sleep 1
	[ "$(nrequests)" = 0 ]
	run -0 in_ns a "${hookenv[@]}" reason=BOUND new_ip_address=192.0.2.1 \
		sh -c '. "$1"; echo after-hook' sh "$TOP/scripts/dhclient/v6kit"
	assert_output after-hook
	wait_for 10 sh -c "[ \$(wc -l <'$LAB_DIR/broker/requests') = 1 ]"
	# pppd: a new session; the address is unchanged, so nothing is sent
	# unless the cache is gone.
	rm -rf "$V6KIT_STATEDIR/update-endpoint"
	run -0 in_ns a "${hookenv[@]}" "$TOP/scripts/ppp/v6kit" ppp0 /dev/ttyS0 115200 192.0.2.1 198.51.100.1 ""
	wait_for 10 sh -c "[ \$(wc -l <'$LAB_DIR/broker/requests') = 2 ]"
	run -0 upd --all
	sleep 0.5
	[ "$(nrequests)" = 2 ]
	run -1 upd --all t6
}

@test "--help shows the usage and exits 0" {
	run -0 upd --help
	assert_line -n 0 --partial "Usage: v6kit-update-endpoint [--ip V4] [--force] NAME"
}

@test "an inline ifupdown tunnel's conf under \$V6KIT_RUNDIR/ifupdown is found, and by --all" {
	broker "200 good 192.0.2.1"
	mkdir -p "$V6KIT_RUNDIR/ifupdown"
	mv "$V6KIT_TUNNELS_DIR/t6.conf" "$V6KIT_RUNDIR/ifupdown/t6.conf"
	run -0 upd t6
	[ "$(nrequests)" = 1 ]
	run -0 upd --all --force
	[ "$(nrequests)" = 2 ]
}

@test "local any: the broker is told, the tunnel's local stays any" {
	broker "200 good 192.0.2.11"
	sed -i 's/^local .*/local any/' "$V6KIT_TUNNELS_DIR/t6.conf"
	t64 a up t6
	lab_addr a va 192.0.2.11/24
	run -0 upd --ip 192.0.2.11 t6
	[ "$(nrequests)" = 1 ]
	[ "$(local_of)" = any ]
}

@test "a key with quotes, backslashes, spaces and a CRLF ending reaches the broker intact" {
	broker "200 good 192.0.2.1"
	printf '%s\r\n' 'k "e\y" $x' >"$LAB_DIR/keys/t6"
	run -0 upd t6
	[ "$(requests)" = "/nic/update?hostname=123456&myip=192.0.2.1 $USER_:k \"e\\y\" \$x" ]
}

@test "which addresses are sent as myip: the RFC 1918 and 6598 boundaries" {
	broker "200 good 198.51.100.7"
	local a want
	while read -r a want; do
		rm -f "$LAB_DIR/broker/requests"
		run -0 upd --ip "$a" t6
		if [ "$want" = yes ]; then
			[ "$(requests)" = "/nic/update?hostname=123456&myip=$a $USER_:$KEY" ]
		else
			[ "$(requests)" = "/nic/update?hostname=123456 $USER_:$KEY" ]
		fi
	done <<-EOF
		172.15.255.1 yes
		172.16.0.1 no
		172.31.255.1 no
		172.32.0.1 yes
		192.168.1.1 no
		100.63.255.1 yes
		100.64.0.1 no
		100.127.255.1 no
		100.128.0.1 yes
		169.254.1.1 no
		127.0.0.2 no
		224.0.0.1 no
		198.51.100.9 yes
	EOF
}
