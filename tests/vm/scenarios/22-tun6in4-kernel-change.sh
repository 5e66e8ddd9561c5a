# SPDX-License-Identifier: GPL-2.0-or-later
# tun6in4 in kernel mode: what `change` and `reload` alter in place on a
# sit link (remote, ttl, mtu, with local, address and routes as in user
# mode), what they refuse, and a moved local kept for the next `up`.
# shellcheck shell=sh

if ! have_tool tun6in4; then
	skip "tun6in4 kernel-mode change and reload" "tun6in4 not built"
	exit 0
fi
vm_dirs

vm_pair
vm_addr b v4b 192.0.2.3/24

sit_field() {
	ip -n "$1" -d -j link show "$2" | jq -r ".[0].linkinfo.info_data.$3"
}
ifindex() { ip -n "$1" -j link show "$2" | jq '.[0].ifindex'; }
mtu() { ip -n "$1" -j link show "$2" | jq '.[0].mtu'; }

printf 'remote 192.0.2.2\nlocal 192.0.2.1\naddress 2001:db8:1::1/64\nmode kernel\n' \
	>"$V6KIT_TUNNELS_DIR/t0.conf"
check "up t0 from its conf (kernel)" tool tun6in4 -n a up t0
tool tun6in4 -n b up t0 remote 192.0.2.1 local 192.0.2.2 address 2001:db8:1::2/64 mode kernel \
	>/dev/null 2>&1
idx=$(ifindex a t0)

check "change ttl and mtu in place" tool tun6in4 -n a change t0 ttl 64 mtu 1400
check_eq "... on the sit link, same ifindex" "64 1400 $idx" \
	"$(sit_field a t0 ttl) $(mtu a t0) $(ifindex a t0)"
check "IPv6 ping across after the change" in_ns a ping -c 1 -W 5 2001:db8:1::2

# b's sit only accepts its remote: the far end moves to .3, a follows.
tool tun6in4 -n b down t0 >/dev/null 2>&1
tool tun6in4 -n b up t0 remote 192.0.2.1 local 192.0.2.3 address 2001:db8:1::2/64 mode kernel \
	>/dev/null 2>&1
check "change remote in place" tool tun6in4 -n a change t0 remote 192.0.2.3
check_eq "... on the sit link, local and ttl kept" "192.0.2.3 192.0.2.1 64 $idx" \
	"$(sit_field a t0 remote) $(sit_field a t0 local) $(sit_field a t0 ttl) $(ifindex a t0)"
check "IPv6 ping across the moved remote" in_ns a ping -c 1 -W 5 2001:db8:1::2

printf 'remote 192.0.2.3\nlocal 192.0.2.1\naddress 2001:db8:1::1/64\nmode kernel\nttl 32\nmtu 1300\n' \
	>"$V6KIT_TUNNELS_DIR/t0.conf"
check "reload applies ttl and mtu from the file" tool tun6in4 -n a reload t0
check_eq "... on the same sit link" "32 1300 $idx" \
	"$(sit_field a t0 ttl) $(mtu a t0) $(ifindex a t0)"
printf 'remote 192.0.2.3\nlocal 192.0.2.1\naddress 2001:db8:1::1/64\nmode user\ntable 100\n' \
	>"$V6KIT_TUNNELS_DIR/t0.conf"
check_status "reload refuses table and mode (exit 1)" 1 tool tun6in4 -n a reload t0
check_eq "... and leaves the link as it was" "32 1300 $idx" \
	"$(sit_field a t0 ttl) $(mtu a t0) $(ifindex a t0)"

printf 'remote 192.0.2.3\nlocal 192.0.2.1\naddress 2001:db8:1::1/64\nmode kernel\n' \
	>"$V6KIT_TUNNELS_DIR/t0.conf"
tool tun6in4 -n a down t0 >/dev/null 2>&1
tool tun6in4 -n a up t0 >/dev/null 2>&1
vm_addr a v4a 192.0.2.11/24
check "change local in place" tool tun6in4 -n a change t0 local 192.0.2.11
tool tun6in4 -n a down t0 >/dev/null 2>&1
check "a later up of the unchanged file" tool tun6in4 -n a up t0
check_eq "... uses the moved local" "192.0.2.11" "$(sit_field a t0 local)"
tool tun6in4 -n a down t0 >/dev/null 2>&1
tool tun6in4 -n b down t0 >/dev/null 2>&1
