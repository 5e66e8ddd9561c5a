# SPDX-License-Identifier: GPL-2.0-or-later
# Single-stream TCP through a 6in4 tunnel between two namespaces, in one
# guest: kernel sit on both sides vs tun6in4 user mode on both sides, with
# the plain IPv6 path over the same veth as the reference.  The veth ends
# behave like a real wire (no offloads), the same for every path.  Runs
# are interleaved (BENCH_REPS rounds of BENCH_SECS each, default 3 x 5 s)
# and the median is reported: TCG on a busy host is noisy.
# vm-needs: iperf3 ethtool
# vm-smp: 2
# shellcheck shell=sh

secs=${BENCH_SECS:-5}
reps=${BENCH_REPS:-3}
if ! have_prog iperf3 || ! have_prog ethtool; then
	skip "throughput: kernel sit vs user mode" "iperf3 or ethtool not installed on the host"
	exit 0
fi
export V6KIT_RUNDIR=/tmp/run
mkdir -p "$V6KIT_RUNDIR"

vm_ns a b
vm_link a v4a b v4b
vm_wire a v4a
vm_wire b v4b
vm_addr a v4a 2001:db8:ff::1/64
vm_addr b v4b 2001:db8:ff::2/64
# One IPv4 pair per tunnel: a sit link and a raw socket on the same pair
# would both take each other's packets.
vm_addr a v4a 192.0.2.1/24
vm_addr a v4a 192.0.2.11/24
vm_addr b v4b 192.0.2.2/24
vm_addr b v4b 192.0.2.12/24
# kernel sit: made by tun6in4 when built, by ip otherwise (same link).
sit_pair() {
	ip -n a link add t0 type sit local 192.0.2.1 remote 192.0.2.2 ttl 255 &&
		ip -n b link add t0 type sit local 192.0.2.2 remote 192.0.2.1 ttl 255 &&
		ip -n a link set t0 up && ip -n b link set t0 up &&
		vm_addr a t0 2001:db8:1::1/64 && vm_addr b t0 2001:db8:1::2/64
}
if have_tool tun6in4; then
	user=1
	check "kernel sit tunnel up" sh -c "$V6KIT_BIN/tun6in4 -n a up t0 remote 192.0.2.2 \
local 192.0.2.1 address 2001:db8:1::1/64 mode kernel && $V6KIT_BIN/tun6in4 -n b up t0 \
remote 192.0.2.1 local 192.0.2.2 address 2001:db8:1::2/64 mode kernel"
	check "user-mode tunnel up" sh -c "$V6KIT_BIN/tun6in4 -n a up t1 remote 192.0.2.12 \
local 192.0.2.11 address 2001:db8:2::1/64 mode user && $V6KIT_BIN/tun6in4 -n b up t1 \
remote 192.0.2.11 local 192.0.2.12 address 2001:db8:2::2/64 mode user"
else
	user=0
	check "kernel sit tunnel up (ip; tun6in4 not built)" sit_pair
	skip "throughput measured: tun6in4_user" "tun6in4 not built"
fi

# tcp_mbps DEST: iperf3 from a to DEST on b for $secs seconds; prints
# "Mbit/s retransmits", or "0 -" when the run failed.
tcp_mbps() {
	vm_bg b iperf3 -s -1
	if ! wait_for 10 listening b 5201 ||
		! in_ns a iperf3 -6 -c "$1" -t "$secs" -J >/tmp/iperf.json 2>&1; then
		echo "0 -"
		return
	fi
	wait "$VM_BG_PID" 2>/dev/null
	jq -r '"\(.end.sum_received.bits_per_second / 1e6 | floor) \(.end.sum_sent.retransmits)"' \
		/tmp/iperf.json
}

: >/tmp/native
: >/tmp/kernel
: >/tmp/user
r=0
while [ "$r" -lt "$reps" ]; do
	tcp_mbps 2001:db8:ff::2 >>/tmp/native
	tcp_mbps 2001:db8:1::2 >>/tmp/kernel
	[ "$user" = 0 ] || tcp_mbps 2001:db8:2::2 >>/tmp/user
	r=$((r + 1))
done

# median FILE: the median rate of FILE's runs; report NAME FILE adds the
# figure and a TAP line (every run must have moved data).
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }'
}
report() {
	_runs=$(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $1 }' "$2")
	_retr=$(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $2 }' "$2")
	figure "tcp_$1" "$(median "$2")" "Mbit/s median (runs: $_runs; retransmits: $_retr)"
	if grep -q '^0 ' "$2"; then
		not_ok "throughput measured: $1" "a run moved no data: $_runs"
	else
		ok "throughput measured: $1 ($reps runs)"
	fi
}
report native_veth /tmp/native
report kernel_sit /tmp/kernel
[ "$user" = 0 ] || report tun6in4_user /tmp/user
native=$(median /tmp/native)
kernel=$(median /tmp/kernel)
[ "$user" = 0 ] || user=$(median /tmp/user)
if [ "$kernel" -gt 0 ] && [ "$native" -gt 0 ]; then
	figure kernel_sit_vs_native "$(awk -v k="$kernel" -v n="$native" 'BEGIN { printf "%.2f", k / n }')" "x"
	if [ "$user" -gt 0 ]; then
		figure user_vs_kernel_sit "$(awk -v u="$user" -v k="$kernel" 'BEGIN { printf "%.2f", u / k }')" "x"
		figure user_vs_native "$(awk -v u="$user" -v n="$native" 'BEGIN { printf "%.2f", u / n }')" "x"
	fi
fi
