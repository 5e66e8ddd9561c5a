#!/bin/bash
# Demo: a 6in4 tunnel from a "broker" namespace to the host, as a tunnel
# broker would hand out.  This kernel may have no sit: tun6in4 then brings
# the tunnel up in user mode and says so.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lab.sh
. "$top/scripts/lab.sh"
T64="$V6KIT_BIN/tun6in4"

say "tun6in4: building the lab (host, broker) joined by IPv4 only"
lab_host host broker
lab_wire host eth0 broker wan0
ip -n "$(host host)" addr add 192.0.2.10/24 dev eth0
ip -n "$(host broker)" addr add 192.0.2.1/24 dev wan0
# Somewhere on the broker's IPv6 network for the host to reach.
ip -n "$(host broker)" addr add 2001:db8:ffff::1/128 dev lo
run ip -n "$(host host)" -6 route

conf="$LAB_TMP/tunnels"
mkdir -p "$conf"
cat >"$conf/he0.conf" <<CONF
# the host's side, as the broker's web page gives it
remote   192.0.2.1
local    192.0.2.10
address  2001:db8:1::2/64
gateway  2001:db8:1::1
default-route yes
CONF
say "the host's tunnel configuration ($conf/he0.conf)"
cat "$conf/he0.conf"

say "the broker's end"
run "$T64" -n "$(host broker)" up he0 remote 192.0.2.10 local 192.0.2.1 \
	address 2001:db8:1::1/64
say "the host's end, from its file; up returns when the tunnel is usable"
V6KIT_TUNNELS_DIR="$conf" run "$T64" -n "$(host host)" up he0
run ip -n "$(host host)" -6 route show default

say "IPv6 through IPv4: the host pings the broker's network"
run on host ping -c 3 -i 0.2 2001:db8:ffff::1
say "a second up changes nothing"
V6KIT_TUNNELS_DIR="$conf" run "$T64" -n "$(host host)" up he0
say "what tun6in4 runs (JSON for scripts)"
run "$T64" -n "$(host host)" show
run "$T64" -n "$(host host)" -j -p show he0

say "the host's IPv4 address changes: move the endpoint, keep the tunnel"
ip -n "$(host host)" addr add 192.0.2.77/24 dev eth0
run "$T64" -n "$(host host)" change he0 local 192.0.2.77
"$T64" -n "$(host broker)" down he0
"$T64" -n "$(host broker)" up he0 remote 192.0.2.77 local 192.0.2.1 address 2001:db8:1::1/64
run on host ping -c 2 -i 0.2 2001:db8:ffff::1

say "down removes the tunnel with its routes; a second down is fine"
run "$T64" -n "$(host host)" down he0
run "$T64" -n "$(host host)" down he0
run ip -n "$(host host)" -6 route show default
"$T64" -n "$(host broker)" down he0
lab_cleanup
