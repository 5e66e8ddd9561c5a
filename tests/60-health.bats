#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# v6kit-health in the namespace lab, against real user-mode tunnels.
#
#   h: the router (192.0.2.1, tunnel t6 2001:db8::2/64, conf file)
#   b: the broker (192.0.2.2, tunnel t6 2001:db8::1/64, the far end)

load helpers

setup() {
	requires root cmd:jq cmd:flock cmd:nft
	lab_setup
	export V6KIT_TUNNELS_DIR="$LAB_DIR/tunnels" V6KIT_STATEDIR="$LAB_DIR/state"
	export V6KIT_LOGGER="$LAB_DIR/logger" V6KIT_SRCROUTE_CONF="$LAB_DIR/srcroute.conf"
	# A dead far end costs each run this many seconds of ping.
	export V6KIT_HEALTH_PING_TIMEOUT=1
	mkdir -p "$V6KIT_TUNNELS_DIR"
	# syslog stand-in: one line per message, with its tag and priority.
	cat >"$V6KIT_LOGGER" <<-EOF
		#!/bin/sh
		printf '%s\n' "\$*" >>"$LAB_DIR/syslog"
	EOF
	chmod +x "$V6KIT_LOGGER"
	: >"$LAB_DIR/syslog"
	HEALTH=$TOP/scripts/sbin/v6kit-health
}

teardown() { lab_teardown; }

t64() {
	local h=$1
	shift
	tool tun6in4 -n "$(ns "$h")" "$@"
}

# health ARGS...: v6kit-health inside the router, the built tools first.
health() { in_ns h env PATH="$V6KIT_BIN:$PATH" "$HEALTH" "$@"; }

# lab KEY VALUE...: router and broker, the router's tunnel from its conf
# file with the extra keys given.
lab() {
	lab_ns h b
	lab_link h vh b vb
	lab_addr h vh 192.0.2.1/24
	lab_addr b vb 192.0.2.2/24
	# No router solicitations: the keepalive tests watch an idle tunnel.
	in_ns h sysctl -qw net.ipv6.conf.default.router_solicitations=0
	{
		echo "remote 192.0.2.2"
		echo "local 192.0.2.1"
		echo "address 2001:db8::2/64"
		echo "gateway 2001:db8::1"
		echo "mode user"
		while [ $# -ge 2 ]; do echo "$1 $2"; shift 2; done
	} >"$V6KIT_TUNNELS_DIR/t6.conf"
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::1/64
	t64 h up t6
}

pid_of() { t64 "$1" -j show t6 | jq -r '.[0].pid'; }
starts() { wc -l <"$V6KIT_STATEDIR/tun6in4/netns-$(ns h)/t6.starts"; }
# silence / unsilence: the broker drops every protocol-41 packet.
silence() {
	in_ns b nft add table inet cut
	in_ns b nft add chain inet cut in '{ type filter hook input priority 0 ; }'
	in_ns b nft add rule inet cut in ip protocol 41 counter drop
}
unsilence() { in_ns b nft delete table inet cut; }

@test "all OK: exit 0, one plugin line with perfdata, silent with -q, nothing logged" {
	lab
	run -0 health
	[ "${#lines[@]}" = 1 ]
	[[ "$output" == "OK - t6 OK: rta "*"ms, lost 0%|t6_rta="* ]]
	run -0 health -q
	[ -z "$output" ]
	run -0 health -j
	[ "$(jq -r '.status, .tunnels[0].name, .tunnels[0].up, .tunnels[0].loss_percent, .tunnels[0].check' <<<"$output" | paste -sd' ')" = \
		"OK t6 true 0 2001:db8::1" ]
	[ ! -s "$LAB_DIR/syslog" ]
}

@test "perfdata parses: rta and pl per tunnel in the plugin format" {
	lab
	# A second tunnel that is down gives a U value and 100% loss.
	printf 'remote 192.0.2.9\naddress 2001:db8:9::2/64\ngateway 2001:db8:9::1\nmode user\n' \
		>"$V6KIT_TUNNELS_DIR/t9.conf"
	run -2 health --dry-run
	local perf=${output#*|} item n=0
	[[ "$output" == "CRITICAL - "*"t9 CRITICAL: not up"*"|"* ]]
	for item in $perf; do
		# label=value[UOM];warn;crit;min[;max]
		[[ "$item" =~ ^(t6|t9)_(rta|pl)=([0-9.]+|U)(ms|%)\;[0-9.]*\;[0-9.]*\;[0-9.]*(\;[0-9.]*)?$ ]]
		n=$((n + 1))
	done
	[ "$n" = 4 ]
	[[ "$perf" == *"t6_pl=0%;40;80;0;100"* ]]
	[[ "$perf" == *"t9_rta=Ums;"* ]]
	[[ "$perf" == *"t9_pl=100%;"* ]]
}

@test "far end silenced: CRITICAL, restarted (logged once), OK on the next run" {
	lab
	local pid
	pid=$(pid_of h)
	silence
	run -2 health
	[[ "$output" == "CRITICAL - t6 CRITICAL: no traffic to 2001:db8::1 from 2001:db8::2"*"(restarted (restart 1, next no sooner than in 300 s))|"* ]]
	[ "$(pid_of h)" != "$pid" ]
	[ "$(starts)" = 2 ]
	[ "$(wc -l <"$LAB_DIR/syslog")" = 1 ]
	grep -q -- "-t v6kit-health -p daemon.warning -- t6: no traffic to 2001:db8::1.*restarted through tun6in4" "$LAB_DIR/syslog"
	unsilence
	run -0 health
	[[ "$output" == "OK - t6 OK"* ]]
	[ "$(wc -l <"$LAB_DIR/syslog")" = 2 ]
	grep -q "t6: carries traffic again" "$LAB_DIR/syslog"
	# Recovered: the next failure starts with a fresh backoff.
	[ "$(awk '$1 == "fails" { print $2 }' "$V6KIT_STATEDIR/health/t6")" = 0 ]
	run -0 health
	[ "$(wc -l <"$LAB_DIR/syslog")" = 2 ]
}

@test "a deleted tunnel is CRITICAL and brought back; so is a frozen daemon" {
	lab
	t64 h down t6
	run -2 health
	[[ "$output" == "CRITICAL - t6 CRITICAL: not up (restarted"* ]]
	run -0 health
	[[ "$output" == "OK - t6 OK"* ]]
	# A daemon that stops working while its device stays: the ping
	# fails, the restart replaces it, the tunnel works again.
	local pid
	pid=$(pid_of h)
	kill -STOP "$pid"
	V6KIT_HEALTH_BACKOFF=0 run -2 health
	[[ "$output" == *"no traffic"*"restarted"* ]]
	[ "$(pid_of h)" != "$pid" ]
	run -0 health
}

@test "healing stops at the restart guard: exit 2, the guard's message, tunnel untouched, never --force" {
	lab max-starts 2/600
	silence
	# Backoff 0 s: every run may try, so only the guard stops it.
	export V6KIT_HEALTH_BACKOFF=0
	run -2 health
	[[ "$output" == *"restarted"* ]]
	[ "$(starts)" = 2 ]
	local pid snap
	pid=$(pid_of h)
	snap=$(kernel_snapshot h)
	run -2 health
	[[ "$output" =~ "t6 CRITICAL: no traffic".*"(restart budget spent, next try in "[0-9]+" s)|" ]]
	# Refused before anything was taken down, and not forced.
	[ "$(pid_of h)" = "$pid" ]
	[ "$snap" = "$(kernel_snapshot h)" ]
	[ "$(starts)" = 2 ]
	run -2 health
	[[ "$output" == *"restart backed off, next try in"* ]]
	[ "$(starts)" = 2 ]
	# Logged once: the restart, then the refusal.
	[ "$(wc -l <"$LAB_DIR/syslog")" = 2 ]
	grep -q "t6: no traffic.*restart budget spent, next try in [0-9]* s (tun6in4 max-starts; not forced)" "$LAB_DIR/syslog"
	run -2 health --prom "$LAB_DIR/health.prom"
	grep -qx 'v6kit_tunnel_guard_blocked{tunnel="t6"} 1' "$LAB_DIR/health.prom"
	# A dry run says what the guard would answer.
	rm "$V6KIT_STATEDIR/health/t6"
	run -2 health --dry-run
	[[ "$output" =~ "(would not restart: t6: restart budget spent, may retry in "[0-9]+" s (2 starts in the last 600 s, max-starts 2/600; --force overrides) (dry run))|" ]]
}

@test "a dead far end gets backed-off restarts, doubling, not one per run" {
	lab max-starts 100/60
	silence
	export V6KIT_HEALTH_BACKOFF=8
	local pid t0=$SECONDS
	run -2 health
	[[ "$output" == *"(restarted (restart 1, next no sooner than in 8 s))"* ]]
	pid=$(pid_of h)
	run -2 health
	[[ "$output" =~ "(restart backed off, next try in "[1-8]" s)" ]]
	[ "$(pid_of h)" = "$pid" ]
	[ "$(starts)" = 2 ]
	# Past the first wait (the restart came a ping's time after t0).
	local left=$((11 - (SECONDS - t0)))
	[ "$left" -le 0 ] || sleep "$left"
	run -2 health
	[[ "$output" == *"(restarted (restart 2, next no sooner than in 16 s))"* ]]
	[ "$(starts)" = 3 ]
	run -2 health
	# Twice the first wait now: more than 8 s remain.
	[[ "$output" =~ "(restart backed off, next try in "([0-9]+)" s)" ]]
	[ "${BASH_REMATCH[1]}" -gt 8 ]
	[ "$(starts)" = 3 ]
	[ "$(grep -c restarted "$LAB_DIR/syslog")" = 2 ]
	# Capped: a fourth restart would wait 8 times the base, the cap wins.
	printf 'fails 3\nnext 0\n' >"$V6KIT_STATEDIR/health/t6"
	V6KIT_HEALTH_BACKOFF=300 V6KIT_HEALTH_BACKOFF_MAX=1000 run -2 health
	[[ "$output" == *"(restarted (restart 4, next no sooner than in 1000 s))"* ]]
}

@test "a drifted srcroute rule is re-applied (WARNING), then OK" {
	lab
	echo "2001:db8::2 dev t6 via 2001:db8::1" >"$V6KIT_SRCROUTE_CONF"
	in_ns h "$V6KIT_BIN/srcroute" apply -f "$V6KIT_SRCROUTE_CONF"
	run -0 health
	[[ "$output" == "OK - t6 OK"*", srcroute OK|"* ]]
	local rule
	rule=$(ip -n "$(ns h)" -6 rule show | grep "from 2001:db8::2")
	ip -n "$(ns h)" -6 rule del from 2001:db8::2
	run -1 health
	[[ "$output" == "WARNING - "*"srcroute WARNING (drift re-applied)|"* ]]
	[ "$(ip -n "$(ns h)" -6 rule show | grep "from 2001:db8::2")" = "$rule" ]
	grep -q "srcroute: the kernel drifted from $V6KIT_SRCROUTE_CONF; re-applied" "$LAB_DIR/syslog"
	run -0 health
}

@test "dry run reports and changes nothing" {
	lab
	echo "2001:db8::2 dev t6 via 2001:db8::1" >"$V6KIT_SRCROUTE_CONF"
	in_ns h "$V6KIT_BIN/srcroute" apply -f "$V6KIT_SRCROUTE_CONF"
	ip -n "$(ns h)" -6 rule del from 2001:db8::2
	silence
	local snap pid
	snap=$(kernel_snapshot h)
	pid=$(pid_of h)
	run -2 health --dry-run
	[[ "$output" == "CRITICAL - t6 CRITICAL: no traffic to 2001:db8::1 from 2001:db8::2 (lost 100%) (would restart (dry run)), srcroute WARNING (drift found, would re-apply (dry run))|"* ]]
	run -2 health --dry-run -j
	[ "$(jq -r '.dry_run, .tunnels[0].action, .srcroute.status' <<<"$output" | paste -sd' ')" = \
		"true would restart (dry run) WARNING" ]
	[ "$snap" = "$(kernel_snapshot h)" ]
	[ "$(pid_of h)" = "$pid" ]
	# A deleted tunnel is not brought back either.
	t64 h down t6
	snap=$(kernel_snapshot h)
	run -2 health --dry-run
	[[ "$output" == "CRITICAL - t6 CRITICAL: not up (would restart (dry run))"* ]]
	[ "$snap" = "$(kernel_snapshot h)" ]
	[ "$(t64 h -j show)" = "[]" ]
	[ ! -s "$LAB_DIR/syslog" ]
	[ -z "$(ls -A "$V6KIT_STATEDIR/health")" ]
	[ ! -e "$V6KIT_STATEDIR/tun6in4/netns-$(ns h)/t6.starts" ] ||
		[ "$(starts)" = 1 ]
}

@test "two concurrent runs: one refuses with UNKNOWN, the other completes" {
	lab
	silence
	# The silenced ping keeps the first run busy for a few seconds.
	lab_bg h env PATH="$V6KIT_BIN:$PATH" V6KIT_HEALTH_PING_TIMEOUT=4 "$HEALTH" --dry-run
	local first=$LAB_LAST_PID
	wait_for 10 sh -c "! flock -n '$V6KIT_RUNDIR/v6kit-health.lock' true"
	run --separate-stderr -3 health
	[ "$stderr" = "v6kit-health: another run holds $V6KIT_RUNDIR/v6kit-health.lock" ]
	[ "$output" = "UNKNOWN - another v6kit-health run is in progress (lock $V6KIT_RUNDIR/v6kit-health.lock)" ]
	wait "$first" || [ $? = 2 ]
	[[ "$(cat "$LAB_LAST_LOG")" == "CRITICAL - t6 CRITICAL"* ]]
	unsilence
	run -0 health
}

@test "--prom writes the figures atomically in the Prometheus text format" {
	lab
	run -0 health -q --prom "$LAB_DIR/health.prom"
	[ -z "$output" ]
	local p="$LAB_DIR/health.prom"
	grep -qx 'v6kit_tunnel_up{tunnel="t6"} 1' "$p"
	grep -qx 'v6kit_tunnel_loss_ratio{tunnel="t6"} 0' "$p"
	grep -qx 'v6kit_tunnel_restarts_total{tunnel="t6"} 0' "$p"
	grep -qx 'v6kit_tunnel_guard_blocked{tunnel="t6"} 0' "$p"
	grep -qx 'v6kit_tunnel_status{tunnel="t6"} 0' "$p"
	grep -qE '^v6kit_tunnel_rtt_seconds\{tunnel="t6"\} [0-9.e-]+$' "$p"
	local ts
	ts=$(awk '$1 == "v6kit_health_last_run_timestamp_seconds" { print $2 }' "$p")
	[ $(($(date +%s) - ts)) -lt 60 ]
	# Every sample line is NAME{LABELS} VALUE or NAME VALUE; TYPE lines name
	# gauges and counters only.
	! grep -vE '^(# (HELP|TYPE) .*|[a-z_]+(\{tunnel="[^"]+"\})? [-0-9.eNa]+)$' "$p"
	# No temporary file is left next to it.
	[ "$(ls "$LAB_DIR" | grep -c 'health.prom')" = 1 ]
	t64 h down t6
	run -2 health --dry-run --prom "$p"
	grep -qx 'v6kit_tunnel_up{tunnel="t6"} 0' "$p"
	grep -qx 'v6kit_tunnel_rtt_seconds{tunnel="t6"} NaN' "$p"
}

@test "tunnels defined by ifupdown are checked and healed from their run-directory file" {
	lab_ns h b
	lab_link h vh b vb
	lab_addr h vh 192.0.2.1/24
	lab_addr b vb 192.0.2.2/24
	mkdir -p "$V6KIT_RUNDIR/ifupdown"
	printf 'remote 192.0.2.2\naddress 2001:db8::2/64\ncheck 2001:db8::1\nmode user\n' \
		>"$V6KIT_RUNDIR/ifupdown/if6.conf"
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::1/64
	run -2 health
	[[ "$output" == "CRITICAL - if6 CRITICAL: not up (restarted"* ]]
	t64 h -j show if6 | jq -e '.[0].state == "up"'
}

@test "usage errors are UNKNOWN with one line naming the bad word" {
	run -3 "$HEALTH" --frobnicate
	[[ "${lines[-1]}" == "UNKNOWN - unknown option '--frobnicate'" ]]
	run -3 "$HEALTH" --prom
	[[ "${lines[-1]}" == "UNKNOWN - --prom needs a FILE" ]]
	run -3 "$HEALTH" --prom /nonexistent/dir/x.prom
	[[ "${lines[-1]}" == "UNKNOWN - --prom: no directory for '/nonexistent/dir/x.prom'" ]]
	V6KIT_HEALTH_BACKOFF=5m run -3 "$HEALTH"
	[[ "${lines[-1]}" == "UNKNOWN - V6KIT_HEALTH_BACKOFF must be a whole number: '5m'" ]]
	run -0 "$HEALTH" --help
	[[ "${lines[0]}" == "Usage: v6kit-health"* ]]
}

@test "the guard's history survives a reboot (run directory wiped)" {
	lab max-starts 2/600
	t64 h down t6
	t64 h up t6
	[ "$(starts)" = 2 ]
	# Reboot: every process and link gone, /run empty, /var/lib kept.
	t64 h down t6
	t64 b down t6
	rm -rf "$V6KIT_RUNDIR"
	mkdir -p "$V6KIT_RUNDIR"
	run --separate-stderr -75 t64 h restart t6
	[[ "$stderr" =~ "tun6in4: t6: restart budget spent, may retry in "[0-9]+" s" ]]
	[ "$(t64 h -j show)" = "[]" ]
	run -75 t64 h up t6
	run -2 health
	[[ "$output" == *"t6 CRITICAL: not up (restart budget spent, next try in "* ]]
}

# watch41: count, in the broker's input, protocol 41 from the router: every
# packet (counter p41) and keepalives (ka41: an inner ICMPv6 echo request,
# identifier 41, behind a 20-byte IPv4 header).  Counters, not a capture:
# nothing to start, nothing to lose.
watch41() {
	in_ns b nft -f - <<-'EOF'
		table inet watch {
			counter p41 { }
			counter ka41 { }
			chain in {
				type filter hook input priority -10;
				ip saddr 192.0.2.1 ip protocol 41 counter name p41
				ip saddr 192.0.2.1 ip protocol 41 @nh,480,8 128 @nh,512,16 41 counter name ka41
			}
		}
	EOF
}
count41() { in_ns b nft list counter inet watch "$1" | awk '$1 == "packets" { print $2 }'; }
# changes41 COUNTER SECS: "TIME COUNT" each time COUNTER moved within SECS
# seconds, polled every 100 ms.
changes41() {
	local end=$((SECONDS + $2)) last n
	last=$(count41 "$1")
	while [ "$SECONDS" -lt "$end" ]; do
		n=$(count41 "$1")
		[ "$n" = "$last" ] || echo "$(date +%s.%N) $n"
		last=$n
		sleep 0.1
	done
}

@test "keepalive: an idle tunnel sends protocol 41 at the configured interval" {
	lab keepalive 2
	watch41
	sleep 1
	local all ka
	all=$(changes41 p41 9)
	ka=$(grep -c . <<<"$all" || true)
	# Nine idle seconds at 2 s: 4 or 5 keepalives, never more than the
	# interval (plus polling and scheduling slack) without a packet, and
	# never much closer than the interval (one 250 ms tick early at most).
	[ "$ka" -ge 4 ]
	[ "$ka" -le 6 ]
	awk 'NR > 1 && ($1 - prev > 2.6 || $1 - prev < 1.4) { bad = 1 } { prev = $1 } END { exit bad }' <<<"$all"
	# All of them keepalives, one packet each time.
	[ "$(count41 ka41)" = "$(count41 p41)" ]
	awk '$2 - prev != 1 && NR > 1 { bad = 1 } { prev = $2 } END { exit bad }' <<<"$all"
	# The broker answers them: traffic both ways through the NAT state.
	[ "$(t64 h -j show t6 | jq '.[0].rx_packets')" -ge 4 ]
}

@test "keepalive: none without the key, none while traffic flows" {
	lab
	watch41
	sleep 5
	[ "$(count41 p41)" = 0 ]
	# With the key but busy: traffic every 0.5 s leaves no idle gap.
	t64 h down t6
	echo "keepalive 2" >>"$V6KIT_TUNNELS_DIR/t6.conf"
	t64 h up t6
	in_ns h ping -q -c 10 -i 0.5 2001:db8::1
	[ "$(count41 p41)" -ge 10 ]
	[ "$(count41 ka41)" = 0 ]
	# Idle again: keepalives resume.
	wait_for 5 sh -c "[ \"\$(ip netns exec '$(ns b)' nft list counter inet watch ka41 | awk '\$1 == \"packets\" { print \$2 }')\" -ge 1 ]"
}

@test "resume hook: after a resume (post) it runs the check, before suspend (pre) nothing" {
	# The hook as installed: @SBINDIR@ filled in, a stand-in for the check.
	mkdir -p "$LAB_DIR/sbin"
	printf '#!/bin/sh\necho "health $*" >>"%s/calls"\n' "$LAB_DIR" >"$LAB_DIR/sbin/v6kit-health"
	printf '#!/bin/sh\necho "systemctl $*" >>"%s/calls"\n' "$LAB_DIR" >"$LAB_DIR/sbin/systemctl"
	chmod +x "$LAB_DIR/sbin/v6kit-health" "$LAB_DIR/sbin/systemctl"
	sed "s|@SBINDIR@|$LAB_DIR/sbin|g" "$TOP/scripts/system-sleep/v6kit" >"$LAB_DIR/hook"
	chmod +x "$LAB_DIR/hook"
	run -0 env PATH="$LAB_DIR/sbin:$PATH" "$LAB_DIR/hook" pre suspend
	[ ! -e "$LAB_DIR/calls" ]
	run -0 env PATH="$LAB_DIR/sbin:$PATH" "$LAB_DIR/hook" post suspend
	[ -z "$output" ]
	if [ -d /run/systemd/system ]; then
		[ "$(cat "$LAB_DIR/calls")" = "systemctl start --no-block v6kit-health.service" ]
	else
		# Detached: wait for it.
		wait_for 5 test -s "$LAB_DIR/calls"
		[ "$(cat "$LAB_DIR/calls")" = "health -q" ]
	fi
	# Package removed, hook left behind: quiet, exit 0.
	rm "$LAB_DIR/sbin/v6kit-health" "$LAB_DIR/calls"
	run -0 env PATH="$LAB_DIR/sbin:$PATH" "$LAB_DIR/hook" post suspend
	[ ! -e "$LAB_DIR/calls" ]
}

@test "units: the timer fires every 5 minutes of the wall clock with a random delay; they verify" {
	requires cmd:systemd-analyze
	grep -qx 'OnCalendar=\*:0/5' "$TOP/scripts/systemd/v6kit-health.timer"
	grep -q '^RandomizedDelaySec=' "$TOP/scripts/systemd/v6kit-health.timer"
	! grep -q 'OnUnitActiveSec' "$TOP/scripts/systemd/v6kit-health.timer"
	grep -qx 'Type=oneshot' "$TOP/scripts/systemd/v6kit-health.service"
	grep -q '^TimeoutStartSec=' "$TOP/scripts/systemd/v6kit-health.service"
	mkdir -p "$LAB_DIR/units"
	local f
	for f in "$TOP"/scripts/systemd/v6kit-health.* "$TOP"/scripts/systemd/v6kit-keepalive@.service; do
		sed -e "s|@SBINDIR@/v6kit-health|$HEALTH|" -e "s|@SBINDIR@|$V6KIT_BIN|" \
			-e "s|@SYSCONFDIR@|/etc|" "$f" >"$LAB_DIR/units/${f##*/}"
	done
	# The template's BindsTo= names tun6in4@.service, another package part.
	printf '[Service]\nExecStart=%s/tun6in4 up %%i\n' "$V6KIT_BIN" >"$LAB_DIR/units/tun6in4@.service"
	cd "$LAB_DIR/units"
	run -0 systemd-analyze verify --man=no v6kit-health.service v6kit-health.timer v6kit-keepalive@t6.service
	[ -z "$output" ]
}

@test "a tunnel run by tun6in4@NAME.service is restarted through systemd, after asking the guard" {
	lab max-starts 2/600
	silence
	# systemctl stand-in: the unit is active; its restart is down and up.
	mkdir -p "$LAB_DIR/sbin" "$LAB_DIR/netns"
	cat >"$LAB_DIR/sbin/systemctl" <<-EOF
		#!/bin/sh
		echo "systemctl \$*" >>"$LAB_DIR/calls"
		case "\$1" in
		is-active) exit 0 ;;
		is-failed) exit 1 ;;
		restart) n=\${2#tun6in4@}; n=\${n%.service}; tun6in4 down "\$n" && exec tun6in4 up "\$n" ;;
		esac
	EOF
	chmod +x "$LAB_DIR/sbin/systemctl"
	# A private /run that says "systemd runs here", keeping /run/netns.
	local script='mount --rbind /run/netns "$0" && mount -t tmpfs tmpfs /run &&
		mkdir -p /run/netns /run/systemd/system && mount --move "$0" /run/netns && exec "$@"'
	run -2 in_ns h unshare -m sh -c "$script" "$LAB_DIR/netns" \
		env PATH="$LAB_DIR/sbin:$V6KIT_BIN:$PATH" "$HEALTH" -j
	[ "$(jq -r '.tunnels[0].action' <<<"$output")" = "restarted (restart 1, next no sooner than in 300 s)" ]
	[ "$(grep -c 'systemctl restart tun6in4@t6.service' "$LAB_DIR/calls")" = 1 ]
	[ "$(starts)" = 2 ]
	# The budget is spent: the guard refuses, systemd is not asked.
	rm "$V6KIT_STATEDIR/health/t6"
	run -2 in_ns h unshare -m sh -c "$script" "$LAB_DIR/netns" \
		env PATH="$LAB_DIR/sbin:$V6KIT_BIN:$PATH" "$HEALTH" -j
	[[ "$(jq -r '.tunnels[0].action' <<<"$output")" == "restart budget spent, next try in "*" s" ]]
	[ "$(grep -c 'systemctl restart' "$LAB_DIR/calls")" = 1 ]
	[ "$(starts)" = 2 ]
}
