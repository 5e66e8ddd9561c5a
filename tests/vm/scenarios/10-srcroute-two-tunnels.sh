# SPDX-License-Identifier: GPL-2.0-or-later
# The seed's two-tunnel host on real sit tunnels: "host" has net0 holding
# the default routes (to "isp") and two 6in4 tunnels, sixxs0 and sixxs1,
# through isp to two far ends fe0 and fe1.  srcroute gives each tunnel
# address its own table; traffic from each tunnel address must leave
# through its own tunnel (counted at the far ends) and unbound traffic must
# still take net0.  Every far end and isp answer for the same destination,
# so only the counters say which way a packet went.  The host's tunnels are
# made by tun6in4 in kernel mode when it is built (the seed's whole story,
# with tun6in4's default-route no), by ip otherwise; the far ends by ip.
# shellcheck shell=sh

if ! have_tool srcroute; then
	skip "srcroute on sit tunnels" "srcroute not built"
	exit 0
fi

vm_dirs

DST=2001:db8:ee::1
SRC0=2001:db8:a::2
SRC1=2001:db8:b::2
NET0=2001:db8:ff::1

vm_ns host isp fe0 fe1
vm_link host net0 isp i0
vm_link isp i1 fe0 e0
vm_link isp i2 fe1 e0
vm_forward isp
vm_addr host net0 192.0.2.1/24
vm_addr isp i0 192.0.2.254/24
vm_addr isp i1 198.51.100.1/28
vm_addr fe0 e0 198.51.100.2/28
vm_addr isp i2 198.51.100.17/28
vm_addr fe1 e0 198.51.100.18/28
ip -n host -4 route add default via 192.0.2.254
ip -n fe0 -4 route add default via 198.51.100.1
ip -n fe1 -4 route add default via 198.51.100.17
vm_addr host net0 "$NET0/64"
vm_addr isp i0 2001:db8:ff::fe/64
ip -n host -6 route add default via 2001:db8:ff::fe dev net0

# tunnel NS IFACE LOCAL REMOTE ADDR/LEN
tunnel() {
	ip -n "$1" link add "$2" type sit local "$3" remote "$4" ttl 64 &&
		ip -n "$1" link set "$2" up &&
		vm_addr "$1" "$2" "$5"
}
# host_tunnel IFACE REMOTE ADDR/LEN
host_tunnel() {
	if have_tool tun6in4; then
		check "$1 up with tun6in4 (kernel mode)" tool tun6in4 -n host up "$1" \
			remote "$2" local 192.0.2.1 address "$3" mode kernel
	else
		check "$1 made with ip (tun6in4 not built)" tunnel host "$1" 192.0.2.1 "$2" "$3"
	fi
}
host_tunnel sixxs0 198.51.100.2 "$SRC0/64"
tunnel fe0 tun 198.51.100.2 192.0.2.1 2001:db8:a::1/64
host_tunnel sixxs1 198.51.100.18 "$SRC1/64"
tunnel fe1 tun 198.51.100.18 192.0.2.1 2001:db8:b::1/64
# The same destination everywhere, so a wrong path still gets an answer
# and only the counters below can tell.
for n in isp fe0 fe1; do
	vm_addr "$n" lo "$DST/128"
done

check "sixxs0 carries IPv6 to fe0 (on-link ping)" in_ns host ping -c 1 -W 5 2001:db8:a::1
check "sixxs1 carries IPv6 to fe1 (on-link ping)" in_ns host ping -c 1 -W 5 2001:db8:b::1

# pings FROM: echo requests that host sends to DST from FROM ("" = let the
# kernel choose); prints "isp fe0 fe1", how many each far end received.
pings() {
	_b_isp=$(snmp6 isp Icmp6InEchos)
	_b_fe0=$(snmp6 fe0 Icmp6InEchos)
	_b_fe1=$(snmp6 fe1 Icmp6InEchos)
	# -w bounds the run when no answer can come back (a wrong path).
	if [ -n "$1" ]; then
		in_ns host ping -c 2 -i 0.2 -W 1 -w 3 -I "$1" "$DST" >/dev/null 2>&1
	else
		in_ns host ping -c 2 -i 0.2 -W 1 -w 3 "$DST" >/dev/null 2>&1
	fi
	echo "$(($(snmp6 isp Icmp6InEchos) - _b_isp)) $(($(snmp6 fe0 Icmp6InEchos) - _b_fe0))" \
		"$(($(snmp6 fe1 Icmp6InEchos) - _b_fe1))"
}

# Without srcroute both tunnel addresses follow the default route: the
# later checks would fail on a host without source routing.
check_eq "before apply: traffic from sixxs0's address takes net0" "2 0 0" "$(pings "$SRC0")"

cat >/tmp/srcroute.conf <<CONF
# the seed's two tunnels, one table each
$SRC0 dev sixxs0 via 2001:db8:a::1
$SRC1 dev sixxs1 via 2001:db8:b::1
CONF
check "srcroute apply -f sets up both tunnels" tool srcroute -n host apply -f /tmp/srcroute.conf
check "srcroute check finds the kernel matching the file" \
	tool srcroute -n host check -f /tmp/srcroute.conf

check_eq "traffic from sixxs0's address reaches only fe0" "0 2 0" "$(pings "$SRC0")"
check_eq "traffic from sixxs1's address reaches only fe1" "0 0 2" "$(pings "$SRC1")"
check_eq "unbound traffic still takes net0" "2 0 0" "$(pings "")"
check_eq "traffic from net0's address takes net0" "2 0 0" "$(pings "$NET0")"
check_ge "fe0's sit device received the tunnelled packets" 2 "$(link_stat fe0 tun rx_packets)"
check_eq "the host's IPv6 default route is still on net0 alone" "net0" \
	"$(ip -n host -6 -j route show default | jq -r '[.[].dev] | join(" ")')"

check_eq "show -j lists one rule per tunnel" "sixxs0 sixxs1" \
	"$(tool srcroute -n host -j show | jq -r '[.[].dev] | sort | join(" ")')"

check "srcroute flush removes the rules" tool srcroute -n host flush
check_eq "after flush: traffic from sixxs0's address takes net0 again" "2 0 0" "$(pings "$SRC0")"
