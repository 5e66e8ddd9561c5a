# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154
# (sourced by scripts/demo: top, V6KIT_*, LAB_* and the helpers come from it,
# scripts/lab.sh and the chapters before)
# Chapter 2: the router boots.  Its /etc/network/interfaces brings up the
# IPv4 uplink, the LAN, the native IPv6 uplink with the NDP proxy, and two
# 6in4 tunnels with source routing, through the real ifup and v6kit's hook
# (installed, as `make install` does, in the four if-*.d directories).
#
# The router sees a private file system (a mount namespace per command,
# lab_router_view in scripts/lab.sh): the lab's directories over
# /etc/network, /etc/v6kit, /etc/iproute2, /run/v6kit and /var/lib/v6kit,
# and the built tools in /usr/local/sbin, on ifup's fixed PATH.  /etc
# itself is an overlay, so the machine's own /etc is never written.
R=$LAB_DIR/router
R_ETC=$R/etc
lab_router_view "$R"
lab_router_tools "$R" tun6in4 srcroute ndproxy tunbench
# ndproxy reads its configuration again as an unprivileged user.
chmod 755 "$LAB_DIR"
router() { on router "$R/enter" "$@"; }

cat >"$R_ETC/network/interfaces" <<'IFACES'
# The router's /etc/network/interfaces.

# IPv4 uplink: the tunnels' endpoint.
auto eth0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

# The LAN: the broker's routed /64, and the modem's /64 (see eth1).
auto lan0
iface lan0 inet6 manual
    up ip -6 addr add fe80::1/64 dev lan0 nodad
    up ip -6 addr add 2001:db8:470:1::1/64 dev lan0 nodad
    up ip -6 route add 2001:db8:1::/64 dev lan0
    down ip -6 route del 2001:db8:1::/64 dev lan0
    down ip -6 addr flush dev lan0 scope global
    down ip -6 addr del fe80::1/64 dev lan0

# Native IPv6 from the modem, which takes all of 2001:db8:1::/64 as on-link:
# ndproxy answers its Neighbor Solicitations for the LAN hosts.
auto eth1
iface eth1 inet6 manual
    up ip -6 addr add 2001:db8:1::2/128 dev eth1 nodad
    up ip -6 route add 2001:db8:1::1/128 dev eth1
    up ip -6 route add default via 2001:db8:1::1 dev eth1
    down ip -6 route del default via 2001:db8:1::1 dev eth1
    down ip -6 route del 2001:db8:1::1/128 dev eth1
    down ip -6 addr del 2001:db8:1::2/128 dev eth1
    ndproxy-rule 2001:db8:1::/64
    ndproxy-iface lan0

# Tunnel broker 1.  Its table 100 gets the tunnel's default route; traffic
# from its addresses (the router's and the LAN's) uses that table.
auto he0
iface he0 inet6 manual
    tun6in4-remote 198.51.100.1
    tun6in4-local 192.0.2.10
    tun6in4-address 2001:db8:470::2/64
    tun6in4-gateway 2001:db8:470::1
    tun6in4-table 100
    srcroute-from 2001:db8:470::2 2001:db8:470:1::/64

# Tunnel broker 2, the same way with table 101.
auto he1
iface he1 inet6 manual
    tun6in4-remote 203.0.113.1
    tun6in4-local 192.0.2.10
    tun6in4-address 2001:db8:5a::2/64
    tun6in4-gateway 2001:db8:5a::1
    tun6in4-table 101
    srcroute-from 2001:db8:5a::2
IFACES

say "2. the router's /etc/network/interfaces"
cat "$R_ETC/network/interfaces"
# shellcheck disable=SC2034 # compared in the last chapter
router_before=$(router_state)

say "ifup -a: every stanza in order, the hook at each phase"
run router ifup -a -i /etc/network/interfaces --state-dir "$R/ifstate"
say "what came up"
run router tun6in4 show
run router srcroute show
run ip -n "$(ns router)" -6 rule
run ip -n "$(ns router)" -6 route show table 100
run router ndproxy status -N eth1
