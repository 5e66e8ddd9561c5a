# SPDX-License-Identifier: GPL-2.0-or-later
# Idle keepalives for a kernel-mode tunnel: `tun6in4 keepalive NAME` beside
# a sit link sends an echo request through the tunnel's endpoints whenever
# the link has been idle for the conf's `keepalive` seconds, and exits
# when the tunnel goes down.
# shellcheck shell=sh

if ! have_tool tun6in4; then
	skip "tun6in4 kernel keepalive" "tun6in4 not built"
	exit 0
fi
vm_dirs

vm_pair
printf 'remote 192.0.2.2\nlocal 192.0.2.1\naddress 2001:db8:1::1/64\ngateway 2001:db8:1::2\nmode kernel\nkeepalive 2\n' \
	>"$V6KIT_TUNNELS_DIR/t0.conf"
check "up from a conf with keepalive 2 (a)" tool tun6in4 -n a up t0
check "far end (b)" tool tun6in4 -n b up t0 remote 192.0.2.1 local 192.0.2.2 \
	address 2001:db8:1::2/64 mode kernel

# echoes NS: echo requests NS's IPv6 stack received so far.
echoes() { snmp6 "$1" Icmp6InEchos; }

sleep 1
e0=$(echoes b)
sleep 4
check_eq "without the keepalive process an idle sit tunnel sends nothing" "$e0" "$(echoes b)"

vm_bg a "$V6KIT_BIN/tun6in4" keepalive t0
ka=$VM_BG_PID
sleep 1
e0=$(echoes b)
sleep 6
e1=$(echoes b)
check_ge "idle 6 s at keepalive 2: at least 2 echo requests reach the far end" 2 $((e1 - e0))
check "and not a flood" test $((e1 - e0)) -le 4

check "down ends the keepalive process" tool tun6in4 -n a down t0
check "it exits by itself" wait_for 5 sh -c "[ ! -e /proc/$ka ] || grep -q '^State:.*Z' /proc/$ka/status"
