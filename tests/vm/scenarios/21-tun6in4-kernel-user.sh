# SPDX-License-Identifier: GPL-2.0-or-later
# tun6in4 kernel mode on one side, user mode (TUN device and raw socket
# daemon) on the other, on a kernel where both work: the two data planes
# must interoperate in both directions, and then with the roles swapped.
# vm-needs: ethtool
# shellcheck shell=sh

if ! have_tool tun6in4; then
	skip "tun6in4 kernel mode against user mode" "tun6in4 not built"
	exit 0
fi
if ! have_prog ethtool; then
	skip "tun6in4 kernel mode against user mode" "ethtool not installed on the host"
	exit 0
fi
vm_dirs

vm_pair
# The user-mode side reads the wire through a raw socket: give it what a
# real link carries (complete checksums, no GSO), not veth shortcuts.
vm_wire a v4a
vm_wire b v4b

# pair KERNEL_NS USER_NS: t0 in kernel mode in the first, user mode in the
# second.
pair() {
	_k=$1 _u=$2
	check "up in kernel mode ($_k)" tool tun6in4 -n "$_k" up t0 \
		remote "$(peer_v4 "$_k")" local "$(own_v4 "$_k")" address "$(own_v6 "$_k")/64" mode kernel
	check "up in user mode ($_u)" tool tun6in4 -n "$_u" up t0 \
		remote "$(peer_v4 "$_u")" local "$(own_v4 "$_u")" address "$(own_v6 "$_u")/64" mode user
	check_eq "modes as asked: kernel sit on $_k, user tun on $_u" "kernel sit user tun" \
		"$(tool tun6in4 -n "$_k" -j show t0 | jq -r '.[0].mode') \
$(ip -n "$_k" -d -j link show t0 | jq -r '.[0].linkinfo.info_kind') \
$(tool tun6in4 -n "$_u" -j show t0 | jq -r '.[0].mode') \
$(ip -n "$_u" -d -j link show t0 | jq -r '.[0].linkinfo.info_kind')"
	_pid=$(tool tun6in4 -n "$_u" -j show t0 | jq -r '.[0].pid')
	check "the user-mode daemon of $_u runs" kill -0 "$_pid"
}
own_v4() { [ "$1" = a ] && echo 192.0.2.1 || echo 192.0.2.2; }
peer_v4() { [ "$1" = a ] && echo 192.0.2.2 || echo 192.0.2.1; }
own_v6() { [ "$1" = a ] && echo 2001:db8:1::1 || echo 2001:db8:1::2; }

pair a b
check "ping kernel side -> user side" in_ns a ping -c 2 -i 0.2 -W 5 2001:db8:1::2
check "ping user side -> kernel side" in_ns b ping -c 2 -i 0.2 -W 5 2001:db8:1::1
check_tcp "TCP kernel side -> user side, every byte intact" b a 2001:db8:1::1
check_tcp "TCP user side -> kernel side, every byte intact" a b 2001:db8:1::2
check_ge "the kernel side's sit counted the user side's packets" 4 "$(link_stat a t0 rx_packets)"

check "down on the user side" tool tun6in4 -n b down t0
check "... stops its daemon" sh -c "! kill -0 $_pid"
check "... and removes its TUN device" sh -c '! /usr/bin/ip -n b link show t0'
check "down on the kernel side" tool tun6in4 -n a down t0

# Roles swapped: user mode in a, kernel mode in b.
pair b a
check "swapped: ping kernel side -> user side" in_ns b ping -c 2 -i 0.2 -W 5 2001:db8:1::1
check "swapped: ping user side -> kernel side" in_ns a ping -c 2 -i 0.2 -W 5 2001:db8:1::2
check_tcp "swapped: TCP user side -> kernel side, every byte intact" a b 2001:db8:1::2
check "down on both sides" sh -c "$V6KIT_BIN/tun6in4 -n a down t0 && $V6KIT_BIN/tun6in4 -n b down t0"
