# SPDX-License-Identifier: GPL-2.0-or-later
# tun6in4 in kernel mode on a kernel with sit: two namespaces a and b
# joined by a veth with documentation IPv4 addresses, a tunnel on each
# side.  IPv6 ping and TCP across, `show -j`, `change local`, atomic failure,
# `up` idempotence, `down` cleanup and ownership, and `mode auto` picking
# the kernel.
# shellcheck shell=sh

if ! have_tool tun6in4; then
	skip "tun6in4 kernel mode" "tun6in4 not built"
	exit 0
fi
vm_dirs

vm_pair

# kind NS IFACE: the link's kind as the kernel reports it.
kind() {
	ip -n "$1" -d -j link show "$2" | jq -r '.[0].linkinfo.info_kind'
}
# sit_field NS IFACE FIELD: a sit parameter from the kernel (local, remote, ttl).
sit_field() {
	ip -n "$1" -d -j link show "$2" | jq -r ".[0].linkinfo.info_data.$3"
}
# snapshot NS: links, addresses, routes and rules, for "nothing changed".
snapshot() {
	{
		ip -n "$1" -o link | sed 's/ qlen [0-9]*//'
		ip -n "$1" -o addr
		ip -n "$1" -6 route show table all
		ip -n "$1" -6 rule
	} 2>&1
}
# state_files: tun6in4's runtime state files, anywhere under the run dir.
state_files() {
	find "$V6KIT_RUNDIR" -type f 2>/dev/null | grep -v '\.starts$' | sort
}

check "up in kernel mode (a)" tool tun6in4 -n a up t0 remote 192.0.2.2 local 192.0.2.1 \
	address 2001:db8:1::1/64 mode kernel
check "up in kernel mode (b)" tool tun6in4 -n b up t0 remote 192.0.2.1 local 192.0.2.2 \
	address 2001:db8:1::2/64 mode kernel
check_eq "the kernel made a sit link" "sit" "$(kind a t0)"
check_eq "sit endpoints, ttl 255 and mtu 1480 by default" "192.0.2.1 192.0.2.2 255 1480" \
	"$(sit_field a t0 local) $(sit_field a t0 remote) $(sit_field a t0 ttl) \
$(ip -n a -j link show t0 | jq -r '.[0].mtu')"
check_eq "the link carries the owner alias" "v6kit:tun6in4" \
	"$(ip -n a -j link show t0 | jq -r '.[0].ifalias')"
check "no user-mode daemon runs for a kernel tunnel" sh -c '! pidof tun6in4'

check "IPv6 ping a -> b through the sit tunnel" in_ns a ping -c 2 -i 0.2 -W 5 2001:db8:1::2
check "IPv6 ping b -> a through the sit tunnel" in_ns b ping -c 2 -i 0.2 -W 5 2001:db8:1::1
check_tcp "TCP transfer through the sit tunnel, every byte intact" a b 2001:db8:1::2

show=$(tool tun6in4 -n a -j show t0)
check_eq "show -j: name, mode, state, endpoints, ttl, mtu" \
	"t0 kernel up 192.0.2.1 192.0.2.2 255 1480" \
	"$(printf '%s' "$show" | jq -r '.[0] | "\(.name) \(.mode) \(.state) \(.local) \(.remote) \(.ttl) \(.mtu)"')"
check_eq "show -j: the tunnel address" "true" \
	"$(printf '%s' "$show" | jq '.[0].addresses | index("2001:db8:1::1/64") != null')"
check_ge "show -j: rx counter matches the traffic" 4 "$(printf '%s' "$show" | jq '.[0].rx_packets')"
check_ge "show -j: tx counter matches the traffic" 4 "$(printf '%s' "$show" | jq '.[0].tx_packets')"

before=$(ip -n a -j link show t0 | jq '.[0].ifindex')
check "up again with the same parameters succeeds" tool tun6in4 -n a up t0 remote 192.0.2.2 \
	local 192.0.2.1 address 2001:db8:1::1/64 mode kernel
check_eq "... and leaves the same link in place" "$before" \
	"$(ip -n a -j link show t0 | jq '.[0].ifindex')"
check_status "up again with other parameters is refused (exit 2)" 2 \
	tool tun6in4 -n a up t0 remote 192.0.2.3 local 192.0.2.1 address 2001:db8:1::1/64 mode kernel

# A dynamic IPv4 address changes: a moves its endpoint, b follows it with a
# new tunnel.  b's sit accepts only packets from its remote, so a ping
# that gets through proves a sends from the new address.
vm_addr a v4a 192.0.2.11/24
check "change local moves the endpoint" tool tun6in4 -n a change t0 local 192.0.2.11
check_eq "... in the kernel, on the same link" "192.0.2.11 $before" \
	"$(sit_field a t0 local) $(ip -n a -j link show t0 | jq '.[0].ifindex')"
check_eq "... and show -j reports it" "192.0.2.11" \
	"$(tool tun6in4 -n a -j show t0 | jq -r '.[0].local')"
tool tun6in4 -n b down t0 >/dev/null 2>&1
check "b follows with remote 192.0.2.11" tool tun6in4 -n b up t0 remote 192.0.2.11 \
	local 192.0.2.2 address 2001:db8:1::2/64 mode kernel --force
check "IPv6 ping from the moved endpoint" in_ns a ping -c 1 -W 5 2001:db8:1::2

# Atomic failure: the gateway route cannot be added (one to the same
# destination already exists), so up must exit 2 and leave no link, state
# or route behind.
ip -n a -6 route add 2001:db8:2::1/128 dev v4a
snap=$(snapshot a)
files=$(state_files)
check_status "up failing half-way exits 2" 2 tool tun6in4 -n a up t1 remote 192.0.2.2 \
	local 192.0.2.1 address 2001:db8:2::2/64 gateway 2001:db8:2::1 mode kernel
check_eq "... and leaves the kernel exactly as it was" "$snap" "$(snapshot a)"
check_eq "... and no state behind" "$files" "$(state_files)"

# auto: this kernel has sit, so auto must not fall back to user mode.
check "up with mode auto" tool tun6in4 -n a up t2 remote 192.0.2.2 local 192.0.2.1 \
	address 2001:db8:3::1/64
check_eq "auto picked the kernel" "kernel sit" \
	"$(tool tun6in4 -n a -j show t2 | jq -r '.[0].mode') $(kind a t2)"

check "down removes a kernel tunnel" tool tun6in4 -n a down t2
check "... the link is gone" sh -c '! /usr/bin/ip -n a link show t2'
check_eq "... with its address and routes" "" "$(ip -n a -6 route show table all | grep -w t2)"
check "down of a missing tunnel exits 0" tool tun6in4 -n a down t2
# gateway and default-route yes on a sit link: the far end is on-link, and
# a destination behind it (b's loopback) is reached through the default
# route the tunnel installed; down takes the routes away.  (One sit link
# per local/remote pair: t2 is gone by now.)
vm_addr b lo 2001:db8:ee::1/128
tool tun6in4 -n b up t3 remote 192.0.2.1 local 192.0.2.2 address 2001:db8:4::2/64 mode kernel \
	>/dev/null 2>&1
check "up with gateway and default-route yes" tool tun6in4 -n a up t3 remote 192.0.2.2 \
	local 192.0.2.1 address 2001:db8:4::1/64 gateway 2001:db8:4::2 default-route yes mode kernel
check_eq "the default route goes through the tunnel's gateway" "2001:db8:4::2 t3" \
	"$(ip -n a -6 -j route show default | jq -r '.[] | "\(.gateway) \(.dev)"')"
check "a destination behind the far end is reached through it" \
	in_ns a ping -c 1 -W 5 2001:db8:ee::1
check "down t3" tool tun6in4 -n a down t3
check_eq "... takes its default route away" "" "$(ip -n a -6 route show default)"
tool tun6in4 -n b down t3 >/dev/null 2>&1

# Parameters reach the sit link itself: ttl 0 (inherit the inner hop
# limit), a smaller mtu, and dev binding the tunnel to the underlying link.
check "up with ttl 0, mtu 1400 and dev" tool tun6in4 -n a up t4 remote 192.0.2.2 \
	local 192.0.2.1 address 2001:db8:5::1/64 ttl 0 mtu 1400 dev v4a mode kernel
check_eq "the kernel link has ttl 0 (inherit), mtu 1400, v4a underneath" "0 1400 v4a" \
	"$(ip -n a -d -j link show t4 | jq -r '.[0] | "\(.linkinfo.info_data.ttl) \(.mtu) \(.link)"')"
tool tun6in4 -n a down t4 >/dev/null 2>&1

ip -n a link add hand0 type sit local 192.0.2.1 remote 192.0.2.9
tool tun6in4 -n a down hand0 >/dev/null 2>&1
check "down leaves a sit link it did not create" ip -n a link show hand0
check "down t0 on both sides" sh -c "$V6KIT_BIN/tun6in4 -n a down t0 && $V6KIT_BIN/tun6in4 -n b down t0"
check_eq "no tunnel, no state left" ":" \
	"$(ip -n a -o link show type sit | grep -v -e hand0 -e sit0 | tr -d '\n'):$(state_files)"
