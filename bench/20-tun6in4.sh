#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tun6in4's user-mode data plane against the native veth IPv6 path between
# the same two namespaces, in the same run: single-stream TCP throughput
# (iperf3), packets/s, daemon CPU seconds per GB, four streams, the CPU
# share at a paced 1 Gbit/s, UDP delivered packets/s; the same CPU figures
# for a reference build (T64_BASE, a git revision, default the data plane
# before its second performance round) built from this repository's
# history, its runs alternating with this build's so that load from
# elsewhere hits both alike; then the time of up+down for 100 user-mode
# tunnels.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lab.sh
. "$top/scripts/lab.sh"
# shellcheck source=bench/summary.sh
. "$top/bench/summary.sh"
T64="$V6KIT_BIN/tun6in4"
SECS=${SECS:-5}
NTUN=${NTUN:-100}
command -v iperf3 >/dev/null || die "iperf3 not found"
command -v jq >/dev/null || die "jq not found"
TICK=$(getconf CLK_TCK)
T64_BASE=${T64_BASE-d1cb219}
PACED=${PACED:-1G}

# base_build REV: tun6in4 of revision REV built apart; prints its path.
base_build() {
	local dir="$LAB_TMP/base"
	git -C "$top" rev-parse -q --verify "$1^{commit}" >/dev/null 2>&1 || return 1
	mkdir -p "$dir"
	git -C "$top" archive "$1" | tar -x -C "$dir" || return 1
	make -C "$dir" -s -j2 build/tun6in4 >"$LAB_TMP/base-build.log" 2>&1 || return 1
	echo "$dir/build/tun6in4"
}
BASE_T64=
if [ -n "$T64_BASE" ]; then
	BASE_T64=$(base_build "$T64_BASE") || { echo "reference build of $T64_BASE failed: skipped"; BASE_T64=; }
fi

lab_host a b
lab_wire a va b vb
ip -n "$(host a)" addr add 192.0.2.1/24 dev va
ip -n "$(host b)" addr add 192.0.2.2/24 dev vb
ip -n "$(host a)" addr add 2001:db8:9::1/64 dev va nodad
ip -n "$(host b)" addr add 2001:db8:9::2/64 dev vb nodad
# tunnels_up BIN / tunnels_down BIN: the a<->b tunnel made by BIN.
# Builds with a restart guard (max-starts) are told that these starts are
# the benchmark's own: the tunnels are switched more often than it allows.
tunnels_up() {
	local force=()
	"$1" --help 2>&1 | grep -q -- '--force' && force=(--force)
	"$1" -n "$(host a)" up t6 mode user remote 192.0.2.2 local 192.0.2.1 address 2001:db8::1/64 \
		"${force[@]}"
	"$1" -n "$(host b)" up t6 mode user remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64 \
		"${force[@]}"
	pid_a=$("$1" -n "$(host a)" -j show t6 | jq '.[0].pid')
	pid_b=$("$1" -n "$(host b)" -j show t6 | jq '.[0].pid')
}
tunnels_down() {
	"$1" -n "$(host a)" down t6
	"$1" -n "$(host b)" down t6
}
# use BIN: the tunnel of BIN is the one up (switching takes a few ms).
UP=
use() {
	[ "$UP" = "$1" ] && return 0
	[ -n "$UP" ] && tunnels_down "$UP"
	tunnels_up "$1"
	UP=$1
}
use "$T64"

# cpu_ticks: user+system clock ticks of both daemons, every thread counted.
cpu_ticks() {
	local p sum=0 f
	for p in "$pid_a" "$pid_b"; do
		read -r -a f <"/proc/$p/stat"
		# Fields 14 and 15 (utime, stime), counted after "(comm)".
		sum=$((sum + f[13] + f[14]))
	done
	echo "$sum"
}
veth_packets() { ip -n "$(host a)" -j -s link show va | jq '.[0].stats64.tx.packets + .[0].stats64.rx.packets'; }

# iperf3_json ARGS...: one bounded client run against a fresh server in b.
iperf3_json() {
	on b iperf3 -s -1 >/dev/null 2>&1 &
	local srv=$!
	local i
	for i in $(seq 50); do
		on b ss -ltn | grep -q ':5201 ' && break
		sleep 0.1
	done
	on a timeout $((SECS + 20)) iperf3 -J -t "$SECS" "$@"
	wait "$srv" || true
}

tcp_run() {
	local dst=$1 j c0 c1 p0 p1
	shift
	c0=$(cpu_ticks)
	p0=$(veth_packets)
	j=$(iperf3_json -c "$dst" "$@")
	c1=$(cpu_ticks)
	p1=$(veth_packets)
	jq -r --argjson c "$((c1 - c0))" --argjson tick "$TICK" --argjson p "$((p1 - p0))" '
		.end.sum_received as $r |
		"\($r.bits_per_second / 1e9) \($r.bytes) \($r.seconds) \($p) \($c / $tick)"' <<<"$j"
}

# Native, tunnel and the reference build's tunnel alternate, REPEAT rounds,
# so load from elsewhere on the machine hits all alike; the medians are
# reported.  CPU per GB is taken per run and its median reported.
REPEAT=${REPEAT:-3}
echo "single-stream TCP, ${SECS}s each, namespaces a -> b, $REPEAT runs of each, alternating${BASE_T64:+ (with the reference build $T64_BASE)}"
native=() tunnel=() ratios=() base=()
for _ in $(seq "$REPEAT"); do
	read -r ng _ ns np _ < <(tcp_run 2001:db8:9::2)
	use "$T64"
	read -r tg tb ts tp tc < <(tcp_run 2001:db8::2)
	native+=("$ng $ns $np")
	tunnel+=("$tg $tb $ts $tp $tc $(awk -v c="$tc" -v b="$tb" 'BEGIN { printf "%.4f", c / (b / 1e9) }')")
	ratios+=("$(awk -v n="$ng" -v t="$tg" 'BEGIN { printf "%.1f", 100 * t / n }')")
	if [ -n "$BASE_T64" ]; then
		use "$BASE_T64"
		read -r bg bb _ _ bc < <(tcp_run 2001:db8::2)
		base+=("$bg $bb $bc $(awk -v c="$bc" -v b="$bb" 'BEGIN { printf "%.4f", c / (b / 1e9) }')")
	fi
done
use "$T64"
# median_of FIELD LINES...: the line whose FIELD is the median.
median_of() {
	local field=$1
	shift
	printf '%s\n' "$@" | sort -g -k "$field" | sed -n "$(( ($# + 1) / 2 ))p"
}
read -r native_gbps native_secs native_pkts < <(median_of 1 "${native[@]}")
read -r tun_gbps _ tun_secs tun_pkts _ _ < <(median_of 1 "${tunnel[@]}")
read -r _ _ _ _ _ cpu_gb < <(median_of 6 "${tunnel[@]}")
each_gb=$(printf '%s\n' "${tunnel[@]}" | awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $6 }')
awk -v ng="$native_gbps" -v tg="$tun_gbps" -v np="$native_pkts" -v ns="$native_secs" \
	-v tp="$tun_pkts" -v ts="$tun_secs" -v gb="$cpu_gb" -v eachgb="$each_gb" \
	-v each="${ratios[*]}" 'BEGIN {
	printf "  native veth IPv6      %7.2f Gbit/s  %9.0f packets/s (veth GSO super-packets)\n", ng, np / ns
	printf "  tun6in4 user mode     %7.2f Gbit/s  %9.0f packets/s (IPv4, both directions)\n", tg, tp / ts
	printf "  ratio tunnel/native   %7.1f %%  (medians; each pair: %s %%; target >= 15 %%)\n", 100 * tg / ng, each
	printf "  daemon CPU            %7.2f s per GB (both ends, median; each run: %s)\n", gb, eachgb
}'
ratio1=$(awk -v n="$native_gbps" -v t="$tun_gbps" 'BEGIN { printf "%.1f", 100 * t / n }')
cpu_gb=$(awk -v g="$cpu_gb" 'BEGIN { printf "%.2f", g }')
bench_figure "1-stream TCP, user mode / native veth (%)" "$ratio1" '>=' 30

echo "four streams (-P 4), ${SECS}s each"
read -r n4 _ < <(tcp_run 2001:db8:9::2 -P 4)
read -r t4 _ < <(tcp_run 2001:db8::2 -P 4)
ratio4=$(awk -v n="$n4" -v t="$t4" 'BEGIN { printf "%.1f", 100 * t / n }')
printf '  native %.2f Gbit/s, tunnel %.2f Gbit/s: %s %%\n' "$n4" "$t4" "$ratio4"
bench_figure "4-stream TCP, user mode / native veth (%)" "$ratio4" - -

# paced_share: CPU of both daemons, in % of one core, carrying a TCP stream
# paced at $PACED (iperf3 -b), the rate a user's uplink may have.
paced_share() {
	local gbps _b secs _p cpu
	read -r gbps _b secs _p cpu < <(tcp_run 2001:db8::2 -b "$PACED")
	awk -v c="$cpu" -v s="$secs" -v g="$gbps" 'BEGIN { printf "%.1f %.2f\n", 100 * c / s, g }'
}
shares=() base_shares=()
for _ in $(seq "$REPEAT"); do
	use "$T64"
	shares+=("$(paced_share)")
	if [ -n "$BASE_T64" ]; then
		use "$BASE_T64"
		base_shares+=("$(paced_share)")
	fi
done
use "$T64"
read -r share paced_gbps < <(median_of 1 "${shares[@]}")
printf '  paced at %s: %.2f Gbit/s carried, daemons %s %% of one core (both ends, median of %s)\n' \
	"$PACED" "$paced_gbps" "$share" "$REPEAT"
bench_figure "CPU share at a paced $PACED (% of one core, both daemons)" "$share" - -

tun_rx() { ip -n "$(host b)" -j -s link show t6 | jq '.[0].stats64.rx.packets'; }
echo "UDP, 1200-byte datagrams, unlimited rate, ${SECS}s, through the tunnel"
r0=$(tun_rx)
j=$(iperf3_json -c 2001:db8::2 -u -b 0 -l 1200 -w 8M)
r1=$(tun_rx)
jq -r --argjson rx "$((r1 - r0))" '.end.sum as $s |
	"  sent \($s.packets) datagrams in \($s.seconds | floor) s\n" +
	"  tunnel delivered \(($rx / $s.seconds) | floor) packets/s into the far stack\n" +
	"  iperf3 received  \((($s.packets - $s.lost_packets) / $s.seconds) | floor) packets/s (\($s.lost_percent | floor) % lost end to end)"' <<<"$j"
tunnels_down "$T64"
UP=

# The reference build's figures, measured above in the same rounds.
if [ -n "$BASE_T64" ]; then
	read -r _ _ _ base_gb < <(median_of 4 "${base[@]}")
	read -r base_share _ < <(median_of 1 "${base_shares[@]}")
	base_gb=$(awk -v g="$base_gb" 'BEGIN { printf "%.2f", g }')
	base_each=$(printf '%s\n' "${base[@]}" | awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $4 }')
	cpu_ratio=$(awk -v n="$cpu_gb" -v o="$base_gb" 'BEGIN { printf "%.2f", n / o }')
	share_ratio=$(awk -v n="$share" -v o="$base_share" 'BEGIN { printf "%.2f", n / o }')
	echo "reference build $T64_BASE, alternating with the runs above"
	printf '  daemon CPU: %s s per GB now, %s s per GB for %s (each run: %s): %sx\n' \
		"$cpu_gb" "$base_gb" "$T64_BASE" "$base_each" "$cpu_ratio"
	printf '  paced at %s: %s %% now, %s %% for %s: %sx\n' "$PACED" "$share" "$base_share" \
		"$T64_BASE" "$share_ratio"
	bench_figure "daemon CPU s/GB, now / $T64_BASE (x)" "$cpu_ratio" '<=' 0.45
	bench_figure "CPU share at a paced $PACED, now / $T64_BASE (x)" "$share_ratio" - -
else
	bench_figure "daemon CPU s/GB (no reference build)" "$cpu_gb" - -
fi

# The kernel's own cost of the link leg (bench/tun6in4-floor.c): the
# packets the single stream put on the veth, sent and received through the
# daemons' socket calls with nothing else done, at the stream's packet
# rate.  Counted per GB of TCP payload (1408 bytes in each 1500-byte
# packet), it is a floor under both daemons' CPU per GB that no change to
# their code can go below; only fewer, larger packets could.
FLOOR="$V6KIT_BIN/tun6in4-floor"
if [ -x "$FLOOR" ]; then
	mac_b=$(ip -n "$(host b)" -j link show vb | jq -r '.[0].address')
	pps=$(awk -v g="$tun_gbps" 'BEGIN { printf "%d", g * 1e9 / 8 / 1500 }')
	floors=()
	for _ in $(seq "$REPEAT"); do
		on b "$FLOOR" recv 192.0.2.1 192.0.2.2 $((SECS + 1)) >"$LAB_TMP/floor-recv" &
		fr=$!
		sleep 0.3
		read -r _ us_send < <(on a "$FLOOR" send va "$mac_b" 192.0.2.1 192.0.2.2 "$SECS" "$pps")
		wait "$fr"
		read -r _ us_recv <"$LAB_TMP/floor-recv"
		floors+=("$(awk -v s="$us_send" -v r="$us_recv" 'BEGIN { printf "%.4f", (s + r) * 1e3 / 1408 }')")
	done
	floor_gb=$(printf '%s\n' "${floors[@]}" | sort -g | sed -n "$(( (REPEAT + 1) / 2 ))p")
	echo "kernel floor of the link leg at $pps packets/s (send + receive, no tunnel logic)"
	printf '  %.2f s per GB (median; each run: %s)\n' "$floor_gb" "${floors[*]}"
	if [ -n "$BASE_T64" ]; then
		floor_ratio=$(awk -v f="$floor_gb" -v o="$base_gb" 'BEGIN { printf "%.2f", f / o }')
		printf '  %sx the CPU per GB of %s\n' "$floor_ratio" "$T64_BASE"
		bench_figure "kernel floor of the link leg s/GB / $T64_BASE (x)" "$floor_ratio" - -
	else
		bench_figure "kernel floor of the link leg (s/GB)" "$(printf '%.2f' "$floor_gb")" - -
	fi
fi

echo "up + down of $NTUN user-mode tunnels in one namespace"
lab_host many
ip -n "$(host many)" link add eth0 type veth peer name eth1
ip -n "$(host many)" link set eth0 up
ip -n "$(host many)" link set eth1 up
ip -n "$(host many)" addr add 192.0.2.1/24 dev eth0
t0=$EPOCHREALTIME
for i in $(seq 0 $((NTUN - 1))); do
	"$T64" -n "$(host many)" up "b$i" mode user remote 192.0.2.2 \
		address "2001:db8:$(printf %x "$i")::1/64" 2>/dev/null
done
t1=$EPOCHREALTIME
n=$("$T64" -n "$(host many)" -j show | jq '[.[] | select(.state == "up")] | length')
for i in $(seq 0 $((NTUN - 1))); do
	"$T64" -n "$(host many)" down "b$i"
done
t2=$EPOCHREALTIME
left=$(ip -n "$(host many)" -o link show type tun | wc -l)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$NTUN" -v up="$n" -v left="$left" 'BEGIN {
	printf "  up   %6.2f s (%.1f ms each), %d running\n", b - a, 1000 * (b - a) / n, up
	printf "  down %6.2f s (%.1f ms each), %d TUN devices left\n", c - b, 1000 * (c - b) / n, left
}'
