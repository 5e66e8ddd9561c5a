#!/bin/bash
# Demo: the two-tunnel host.  Native IPv6 on net0 holds the default route;
# sixxs0 and sixxs1 lead to two tunnel far ends.  Replies from each tunnel
# address must leave through its own tunnel.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lab.sh
. "$top/scripts/lab.sh"
SR="$V6KIT_BIN/srcroute"
DEST=2001:db8:ffff::1

say "srcroute: building the lab (host, isp, far0, far1)"
lab_host host isp far0 far1
lab_wire host net0 isp up0
lab_wire host sixxs0 far0 tun0
lab_wire host sixxs1 far1 tun1
ip -n "$(host host)" addr add 2001:db8:1::2/64 dev net0 nodad
ip -n "$(host isp)" addr add 2001:db8:1::1/64 dev up0 nodad
ip -n "$(host host)" addr add 2001:db8:a::2/64 dev sixxs0 nodad
ip -n "$(host far0)" addr add 2001:db8:a::1/64 dev tun0 nodad
ip -n "$(host host)" addr add 2001:db8:b::2/64 dev sixxs1 nodad
ip -n "$(host far1)" addr add 2001:db8:b::1/64 dev tun1 nodad
ip -n "$(host host)" -6 route add default via 2001:db8:1::1 dev net0
for f in isp:up0 far0:tun0 far1:tun1; do
	ip -n "$(host "${f%:*}")" addr add "$DEST/128" dev "${f#*:}" nodad
done

conf="$LAB_TMP/srcroute.conf"
cat >"$conf" <<CONF
# replies from each tunnel address leave through its tunnel
2001:db8:a::2  dev sixxs0  via 2001:db8:a::1
2001:db8:b::2  dev sixxs1
CONF
say "the configuration"
cat "$conf"

say "what apply would do"
run "$SR" -n "$(host host)" apply -f "$conf" --dry-run
say "apply it"
run "$SR" -n "$(host host)" apply -f "$conf"
run "$SR" -n "$(host host)" show
run ip -n "$(host host)" -6 rule

echos() { on "$1" nstat -az Icmp6InEchos | awk '$1 == "Icmp6InEchos" { print $2 }'; }
say "ping $DEST from each source; which far end got the echo?"
for src in 2001:db8:a::2 2001:db8:b::2 2001:db8:1::2; do
	declare -A before=()
	for f in isp far0 far1; do before[$f]=$(echos "$f"); done
	on host ping -6 -q -c 1 -W 2 -I "$src" "$DEST" >/dev/null || die "ping from $src failed"
	for f in isp far0 far1; do
		[ "$(echos "$f")" -gt "${before[$f]}" ] && printf '  from %-14s -> arrived at %s\n' "$src" "$f"
	done
done

say "idempotent: a second apply changes nothing; check agrees"
run "$SR" -n "$(host host)" apply -f "$conf"
run "$SR" -n "$(host host)" check -f "$conf"
say "flush removes what srcroute made, nothing else"
run "$SR" -n "$(host host)" flush
