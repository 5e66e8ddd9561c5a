# SPDX-License-Identifier: GPL-2.0-or-later
# ndproxy on the stock kernel: the modem treats 2001:db8:1::/64 as on-link,
# the host sits behind the router.  In static and in iface mode the modem
# resolves the host to the router's link-layer address through ndproxy and
# reaches it (ping, a checksummed TCP transfer).
# shellcheck shell=sh

if ! have_tool ndproxy; then
	skip "ndproxy on the stock kernel" "ndproxy not built"
	exit 0
fi

vm_dirs
HOSTA=2001:db8:1::100

vm_ns modem router host
vm_link modem m0 router r0
vm_link router r1 host h0
vm_forward router
vm_addr modem m0 2001:db8:1::1/64
vm_addr host h0 "$HOSTA/128"
ip -n router -6 route add 2001:db8:1::1/128 dev r0
ip -n router -6 route add 2001:db8:1::/64 dev r1

router_ll() {
	ip -n router -6 -o addr show dev r1 scope link | awk '{print $4}' | cut -d/ -f1 | grep .
}
wait_for 10 router_ll
ip -n host -6 route add default via "$(router_ll)" dev h0

check "without a proxy the modem cannot reach the host" \
	sh -c '! ip netns exec modem ping -c 1 -W 1 '"$HOSTA"' >/dev/null 2>&1'

serving() { tool ndproxy status -j | jq -e '.proxies | all(.listening)'; }
rmac=$(ip -n router -o link show r0 | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/')

# mode NAME ARGS...: start ndproxy with ARGS, check the modem reaches the host
# through it, stop it.
mode() {
	_m=$1
	shift
	ip -n modem -6 neigh flush dev m0
	vm_bg router "$V6KIT_BIN/ndproxy" -v "$@"
	if ! wait_for 10 serving; then
		not_ok "$_m: ndproxy serves" "$(cat "$VM_BG_LOG")"
		return 0
	fi
	# The daemon's own pid: vm_bg's is a subshell's (ip is a function here).
	_pid=$(tool ndproxy status -j | jq .pid)
	check "$_m: the modem pings the host" in_ns modem ping -c 2 -W 3 "$HOSTA"
	check_eq "$_m: the modem resolved the host to the router" "$rmac" \
		"$(ip -n modem -6 neigh show "$HOSTA" dev m0 | awk '{print $3}')"
	check_tcp "$_m: TCP from modem to host" modem host "$HOSTA"
	check_ge "$_m: status counts the answers" 1 "$(tool ndproxy status -j | jq .counters.answered)"
	if [ "$_m" = iface ]; then
		in_ns modem ping -c 1 -W 1 2001:db8:1::200 >/dev/null 2>&1
		check_eq "iface: an absent host is not answered for" "" \
			"$(ip -n modem -6 neigh show 2001:db8:1::200 | grep lladdr)"
		check_ge "iface: it was solicited downstream" 1 \
			"$(tool ndproxy status -j | jq .counters.probes_sent)"
	fi
	kill "$_pid"
	wait_for 10 gone "$_pid"
}
gone() { ! kill -0 "$1" 2>/dev/null; }

mode static -i r0 -r 2001:db8:1::/64 -s
mode iface -i r0 -r 2001:db8:1::/64 -I r1
