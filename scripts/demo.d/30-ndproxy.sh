#!/bin/bash
# Demo: the LAN behind the router.  The provider's modem treats the whole
# 2001:db8:1::/64 as on-link and resolves every address with Neighbor
# Discovery; the hosts are one hop further, behind the router.  ndproxy on
# the router answers for them, and the router forwards.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lab.sh disable=SC1091
. "$top/scripts/lab.sh"
NDP="${V6KIT_BIN:-$top/build}/ndproxy"
HOST_ADDR=2001:db8:1::100

say "ndproxy: building the lab (modem -- router -- lan host)"
lab_host modem router lan
lab_wire modem m0 router wan0
lab_wire router lan0 lan h0
on router sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$(host modem)" addr add 2001:db8:1::1/64 dev m0 nodad
ip -n "$(host lan)" addr add "$HOST_ADDR/64" dev h0 nodad
ip -n "$(host router)" -6 route add 2001:db8:1::1/128 dev wan0
ip -n "$(host router)" -6 route add 2001:db8:1::/64 dev lan0
for _ in $(seq 50); do
	ll=$(ip -n "$(host router)" -6 -o addr show dev lan0 scope link | awk '{print $4}' | cut -d/ -f1)
	[ -n "$ll" ] && break
	sleep 0.1
done
ip -n "$(host lan)" -6 route replace 2001:db8:1::1/128 via "$ll" dev h0
ip -n "$(host lan)" -6 route add default via "$ll" dev h0

say "without a proxy the modem cannot resolve the LAN host"
run on modem ping -c 1 -W 1 "$HOST_ADDR" || true
run on modem ip -6 neigh show "$HOST_ADDR"

conf="$LAB_TMP/ndproxy.conf"
cat >"$conf" <<CONF
# the ndppd.conf grammar: answer for the /64 once the host answered on lan0
proxy wan0 {
    router yes
    rule 2001:db8:1::/64 {
        iface lan0
    }
}
CONF
chmod 755 "$LAB_TMP"
chmod 644 "$conf"
say "the configuration (ndppd's own syntax)"
cat "$conf"
run "$NDP" -t -c "$conf"

say "start ndproxy on the router"
lab_bg router "$NDP" -v -c "$conf"
for _ in $(seq 50); do "$NDP" status >/dev/null 2>&1 && break; sleep 0.1; done
on modem ip -6 neigh flush dev m0
say "the modem now resolves the host to the router and reaches it"
run on modem ping -c 2 -W 2 "$HOST_ADDR"
run on modem ip -6 neigh show "$HOST_ADDR"
say "an address nobody has stays unanswered"
run on modem ping -c 1 -W 1 2001:db8:1::200 || true
say "what ndproxy knows"
run "$NDP" status
