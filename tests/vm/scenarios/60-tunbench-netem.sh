# SPDX-License-Identifier: GPL-2.0-or-later
# tunbench through netem (a module on the stock kernel, absent from the
# development one): UDP loss counted exactly as netem dropped it, and ping's
# plugin statuses through netem delay and loss.  A prio qdisc on a's link
# steers only the traffic under test into netem: tunbench's data datagrams
# and ICMPv6 echo requests.  Neighbour discovery, the control connection and
# the UDP hellos and FINs bypass it, so netem's counters are exactly what
# the test lost, and deterministic loss (every other request) stays so.
# vm-needs: tc
# vm-modules: sch_netem sch_prio cls_u32
# shellcheck shell=sh

if ! have_tool tunbench; then
	skip "tunbench through netem" "tunbench not built"
	exit 0
fi
if ! have_prog tc; then
	skip "tunbench through netem" "tc not installed on the host"
	exit 0
fi

LEN=1000 # UDP payload: IPv6 payload length LEN + 8 selects data datagrams
vm_ns a b
vm_link a a0 b b0
vm_addr a a0 2001:db8:1::1/64
vm_addr b b0 2001:db8:1::2/64

# Band 1:2 for everything (priomap), band 1:3 (netem, handle 30:) only for
# what the filters pick.  u32 offsets count from the IPv6 header.
qdiscs() {
	tc -n a qdisc add dev a0 root handle 1: prio bands 3 \
		priomap 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 &&
		tc -n a qdisc add dev a0 parent 1:3 handle 30: netem &&
		tc -n a filter add dev a0 parent 1: protocol ipv6 prio 1 u32 \
			match ip6 protocol 17 0xff match u16 $((LEN + 8)) 0xffff at 4 flowid 1:3 &&
		tc -n a filter add dev a0 parent 1: protocol ipv6 prio 2 u32 \
			match ip6 protocol 58 0xff match u8 128 0xff at 40 flowid 1:3
}
check "a prio qdisc with a netem band and two filters" qdiscs

# netem ARGS...: a fresh netem (zero counters) with ARGS in band 1:3.
netem() {
	tc -n a qdisc del dev a0 parent 1:3 handle 30: &&
		tc -n a qdisc add dev a0 parent 1:3 handle 30: netem "$@"
}
# netem_stat: the netem qdisc's counters, "PASSED DROPPED" (packets).
netem_stat() {
	tc -n a -s -j qdisc show dev a0 | jq -r '.[] | select(.handle == "30:") | "\(.packets) \(.drops)"'
}
tb() {
	_ns=$1
	shift
	in_ns "$_ns" "$V6KIT_BIN/tunbench" "$@"
}

# ---- UDP loss ---------------------------------------------------------------

vm_bg b "$V6KIT_BIN/tunbench" server
if ! wait_for 10 grep -q listening "$VM_BG_LOG"; then
	not_ok "tunbench server listens" "$(cat "$VM_BG_LOG")"
	exit 0
fi
netem loss 10%
err0=$(snmp6 b Udp6InErrors)
out=$(tb a client 2001:db8:1::2 -u -b 4m -l "$LEN" -t 1 -i 0 -j 2>&1)
rc=$?
s=$(printf '%s\n' "$out" | grep '^{' | jq -c 'select(.event == "summary")')
read -r passed drops <<EOF
$(netem_stat)
EOF
err=$(($(snmp6 b Udp6InErrors) - err0))
lost=$(printf '%s' "$s" | jq '.sum.lost_packets')
sent=$(printf '%s' "$s" | jq '.sum.packets')
diag "UDP through netem loss 10%: sent $sent, netem passed $passed dropped $drops," \
	"receiver errors $err, tunbench lost_packets $lost"
check_eq "UDP client through netem loss 10% succeeds" "0" "$rc"
# Every data datagram went through netem and nothing else did: the filter
# picks what the loss figure is compared with.
check_eq "netem saw exactly the datagrams the client sent" "$sent" "$((passed + drops))"
# 10% of ~500 datagrams: about 50 (fewer than 15: odds below 1e-9).
check_ge "netem dropped a share of them" 15 "$drops"
check_eq "lost_packets is what netem dropped (plus receive errors)" "$((drops + err))" "$lost"
check "lost_percent is lost_packets over packets" \
	jq -e '.sum.lost_percent - 100 * .sum.lost_packets / .sum.packets | fabs < 0.01' <<EOF
$s
EOF

# ---- ping statuses ------------------------------------------------------------

# ping_case DESC EXIT STATUS JQ-COND NETEM-ARGS... -- PING-ARGS...: tunbench
# ping from a to b through netem, checked for its exit code, status word
# and a condition on its -j object.
ping_case() {
	_d=$1 _x=$2 _st=$3 _cond=$4
	shift 4
	_na=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_na="$_na $1"
		shift
	done
	shift
	# shellcheck disable=SC2086 # netem arguments, one per word
	if ! netem $_na; then
		not_ok "$_d: netem$_na"
		return 0
	fi
	_out=$(tb a ping 2001:db8:1::2 -j "$@" 2>&1)
	_rc=$?
	_j=$(printf '%s\n' "$_out" | grep '^{')
	check_eq "$_d: exit $_x, $_st" "$_x $_st" "$_rc $(printf '%s' "$_j" | jq -r .status)"
	if printf '%s' "$_j" | jq -e "$_cond" >/dev/null 2>&1; then
		ok "$_d: $_cond"
	else
		not_ok "$_d: $_cond" "$_out"
	fi
}

ping_case "ping, no impairment" 0 OK '.rta_ms < 200 and .loss_percent == 0' \
	-- -c 3 -i 0.2 -W 2
ping_case "ping through netem delay 250ms" 1 WARNING \
	'.rta_ms >= 250 and .rta_ms < 500 and .loss_percent == 0' \
	delay 250ms -- -c 3 -i 0.2 -W 2
ping_case "ping through netem delay 600ms" 2 CRITICAL \
	'.rta_ms >= 600 and .loss_percent == 0' \
	delay 600ms -- -c 3 -i 0.2 -W 2
# Gilbert-Elliott 4-state loss with p13 = p31 = 100%: every other request is
# lost, exactly 50%, between warning (40%) and critical (80%).
ping_case "ping through netem loss 50% (every other request)" 1 WARNING \
	'.loss_percent == 50 and .sent == 4 and .received == 2' \
	loss state 100% 100% -- -c 4 -i 0.2 -W 1
check_eq "netem passed two requests and dropped two" "2 2" "$(netem_stat)"
ping_case "ping through netem loss 100%" 2 CRITICAL \
	'.loss_percent == 100 and .received == 0' \
	loss 100% -- -c 2 -i 0.2 -W 0.5
