# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154
# (sourced by scripts/demo: top, V6KIT_*, LAB_* and the helpers come from it,
# scripts/lab.sh and the chapters before)
# Chapter 1: the world around the router.
#
#   internet  routes IPv4 between the router and the two brokers, and IPv6
#             between the brokers, the modem and 2001:db8:ffff::1 (a server
#             "out there").  Like real providers it drops IPv6 arriving from
#             a network with a source address that network does not own.
#   broker1   198.51.100.1, tunnel he0 2001:db8:470::/64, routes the LAN
#             prefix 2001:db8:470:1::/64 down the tunnel
#   broker2   203.0.113.1, tunnel he1 2001:db8:5a::/64
#   modem     native IPv6: treats 2001:db8:1::/64 as on-link towards the
#             router and resolves every address in it by Neighbor Discovery
#   router    the seed's host: eth0 IPv4 uplink 192.0.2.10, eth1 to the
#             modem, lan0 to the LAN
#   lan       a host with 2001:db8:1::100 (native) and 2001:db8:470:1::100
T64="$V6KIT_BIN/tun6in4"
WORLD=2001:db8:ffff::1

say "1. the internet, two tunnel brokers, a modem, the router and a LAN host"
lab_ns internet broker1 broker2 modem router lan
lab_link internet i-r router eth0
lab_link internet i-b1 broker1 up0
lab_link internet i-b2 broker2 up0
lab_link internet i-m modem up0
lab_link modem m0 router eth1
lab_link router lan0 lan h0
for h in internet broker1 broker2 modem router; do
	on "$h" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done

# IPv4: the router's uplink and the brokers' endpoints.
addr() { ip -n "$(ns "$1")" addr add "$3" dev "$2" ${4:+nodad}; }
addr internet i-r 192.0.2.1/24
addr internet i-b1 198.51.100.254/24
addr internet i-b2 203.0.113.254/24
addr broker1 up0 198.51.100.1/24
addr broker2 up0 203.0.113.1/24
ip -n "$(ns broker1)" route add default via 198.51.100.254
ip -n "$(ns broker2)" route add default via 203.0.113.254

# IPv6 between the providers.
addr internet lo "$WORLD/128" v6
addr internet i-b1 2001:db8:ff01::ffff/64 v6
addr internet i-b2 2001:db8:ff02::ffff/64 v6
addr internet i-m 2001:db8:ff03::ffff/64 v6
addr broker1 up0 2001:db8:ff01::1/64 v6
addr broker2 up0 2001:db8:ff02::1/64 v6
addr modem up0 2001:db8:ff03::1/64 v6
ip -n "$(ns broker1)" -6 route add default via 2001:db8:ff01::ffff
ip -n "$(ns broker2)" -6 route add default via 2001:db8:ff02::ffff
ip -n "$(ns modem)" -6 route add default via 2001:db8:ff03::ffff
ip -n "$(ns internet)" -6 route add 2001:db8:470::/48 via 2001:db8:ff01::1
ip -n "$(ns internet)" -6 route add 2001:db8:5a::/48 via 2001:db8:ff02::1
ip -n "$(ns internet)" -6 route add 2001:db8:1::/48 via 2001:db8:ff03::1
# Source filtering (BCP 38): each network may only send from its prefix.
prio=100
for f in i-b1:2001:db8:470::/48 i-b2:2001:db8:5a::/48 i-m:2001:db8:1::/48; do
	ip -n "$(ns internet)" -6 rule add iif "${f%%:*}" from "${f#*:}" lookup main prio "$prio"
	ip -n "$(ns internet)" -6 rule add iif "${f%%:*}" prohibit prio "$((prio + 1))"
	prio=$((prio + 10))
done

# The modem: the whole /64 is on-link towards the router.
addr modem m0 2001:db8:1::1/64 v6

# The brokers' ends of the tunnels, as a broker runs them.
say "the brokers' ends of he0 and he1 (user mode: this kernel may lack sit)"
# Each broker keeps its tunnel's state apart from the router's.
broker1() { V6KIT_RUNDIR="$LAB_DIR/broker1" V6KIT_STATEDIR="$LAB_DIR/broker1" "$T64" -n "$(ns broker1)" "$@"; }
broker2() { V6KIT_RUNDIR="$LAB_DIR/broker2" V6KIT_STATEDIR="$LAB_DIR/broker2" "$T64" -n "$(ns broker2)" "$@"; }
run broker1 up he0 remote 192.0.2.10 local 198.51.100.1 address 2001:db8:470::1/64
ip -n "$(ns broker1)" -6 route add 2001:db8:470:1::/64 via 2001:db8:470::2 dev he0
run broker2 up he1 remote 192.0.2.10 local 203.0.113.1 address 2001:db8:5a::1/64

# The LAN host: one native address (the modem's /64, answered for by the
# router's NDP proxy) and one from the tunnel broker's routed /64.  Its
# router is fe80::1 on lan0 (set by the interfaces file).
addr lan h0 2001:db8:1::100/64 v6
addr lan h0 2001:db8:470:1::100/64 v6
ip -n "$(ns lan)" -6 route add default via fe80::1 dev h0
# The modem's address is in the host's on-link /64 but sits beyond the router.
ip -n "$(ns lan)" -6 route add 2001:db8:1::1/128 via fe80::1 dev h0

# Until ifup, the router's interfaces are down, as at boot.
for l in lo eth0 eth1 lan0; do ip -n "$(ns router)" link set "$l" down; done
