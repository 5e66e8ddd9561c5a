# Single-stream TCP through a 6in4 tunnel between two namespaces, in one
# guest: kernel sit on both sides vs tun6in4 user mode on both sides, with
# the plain IPv6 path over the same veth as the reference.  The veth ends
# behave like a real wire (no offloads), the same for every path.
# vm-needs: iperf3 ethtool
# vm-smp: 2
# shellcheck shell=sh

secs=${BENCH_SECS:-5}
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
vm_addr a v4a 192.0.2.1/24
vm_addr b v4b 192.0.2.2/24
vm_addr a v4a 2001:db8:ff::1/64
vm_addr b v4b 2001:db8:ff::2/64

# tcp_mbps DEST: iperf3 from a to DEST on b for $secs seconds; prints the
# received rate in Mbit/s and the sender's retransmits.
tcp_mbps() {
	vm_bg b iperf3 -s -1
	wait_for 10 listening b 5201 || return 1
	in_ns a iperf3 -6 -c "$1" -t "$secs" -J >/tmp/iperf.json 2>&1 || {
		cat /tmp/iperf.json >&2
		return 1
	}
	wait "$VM_BG_PID" 2>/dev/null
	jq -r '"\(.end.sum_received.bits_per_second / 1e6 | floor) \(.end.sum_sent.retransmits)"' \
		/tmp/iperf.json
}

# measure NAME DEST: one figure, one TAP line; sets MBPS.
measure() {
	if r=$(tcp_mbps "$2"); then
		ok "throughput measured: $1"
		figure "tcp_$1" "${r% *}" "Mbit/s (retransmits ${r#* })"
		MBPS=${r% *}
	else
		not_ok "throughput measured: $1"
		MBPS=0
	fi
}

measure native_veth 2001:db8:ff::2
native=$MBPS

tool tun6in4 -n a up t0 remote 192.0.2.2 local 192.0.2.1 address 2001:db8:1::1/64 mode kernel
tool tun6in4 -n b up t0 remote 192.0.2.1 local 192.0.2.2 address 2001:db8:1::2/64 mode kernel
measure kernel_sit 2001:db8:1::2
kernel=$MBPS
tool tun6in4 -n a down t0
tool tun6in4 -n b down t0

tool tun6in4 -n a up t1 remote 192.0.2.2 local 192.0.2.1 address 2001:db8:2::1/64 mode user
tool tun6in4 -n b up t1 remote 192.0.2.1 local 192.0.2.2 address 2001:db8:2::2/64 mode user
measure tun6in4_user 2001:db8:2::2
user=$MBPS
tool tun6in4 -n a down t1
tool tun6in4 -n b down t1

if [ "$kernel" -gt 0 ] && [ "$native" -gt 0 ]; then
	figure user_vs_kernel_sit "$(awk -v u="$user" -v k="$kernel" 'BEGIN { printf "%.2f", u / k }')" "x"
	figure kernel_sit_vs_native "$(awk -v k="$kernel" -v n="$native" 'BEGIN { printf "%.2f", k / n }')" "x"
	figure user_vs_native "$(awk -v u="$user" -v n="$native" 'BEGIN { printf "%.2f", u / n }')" "x"
fi
