# SPDX-License-Identifier: GPL-2.0-or-later
# The guest itself: the sit module is live, iproute2 makes sit links inside
# a namespace, IPv6 crosses a plain kernel 6in4 tunnel between two
# namespaces, and every staged v6kit tool runs (its libraries came along).
# shellcheck shell=sh

check "sit module is loaded" grep -qw '^sit' /proc/modules

vm_ns a b
check "ip link add type sit inside a namespace" \
	ip -n a link add s0 type sit local 192.0.2.1 remote 192.0.2.2 ttl 64
check_eq "the new link is a sit device" "sit" \
	"$(ip -n a -d -j link show s0 | jq -r '.[0].linkinfo.info_kind')"

# Both ends of a 6in4 tunnel over a veth, made with ip alone: the baseline
# every tunnel scenario stands on.
vm_link a v4a b v4b
vm_addr a v4a 192.0.2.1/24
vm_addr b v4b 192.0.2.2/24
ip -n b link add s0 type sit local 192.0.2.2 remote 192.0.2.1 ttl 64
ip -n a link set s0 up
ip -n b link set s0 up
vm_addr a s0 2001:db8:1::1/64
vm_addr b s0 2001:db8:1::2/64
check "IPv6 ping across a kernel sit tunnel" in_ns a ping -c 1 -W 5 2001:db8:1::2
check_ge "the far end's sit device counted the packet" 1 "$(link_stat b s0 rx_packets)"

while read -r t; do
	check "$t runs in the guest (--version)" t "$V6KIT_BIN/$t" --version </dev/null
done </v6kit/tools
