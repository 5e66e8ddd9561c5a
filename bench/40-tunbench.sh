#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tunbench against iperf3 and iperf (2) in the same run, on loopback and on
# a veth path between two namespaces: one TCP stream, four TCP streams and
# UDP at 1 Gbit/s.  Reports Gbit/s, CPU seconds per GB moved (client and
# server together), the UDP rate achieved and its loss, then tunbench's
# ratio to the better peer.  Every run is bounded by -t SECS.
#
# `40-tunbench.sh copy`: a receiver that copies every byte on all sides
# (tunbench --write /dev/null on both ends, against iperf3 and iperf,
# which always copy): one and four TCP streams, and --bidir against
# iperf3 --bidir, summed over both directions.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lab.sh
. "$top/scripts/lab.sh"
# shellcheck source=bench/summary.sh
. "$top/bench/summary.sh"

TB=${V6KIT_BIN:-$top/build}/tunbench
MODE=${1:-default}
case "$MODE" in default | copy) ;; *) die "usage: $0 [copy]" ;; esac
# copy: the tunbench server copies what it receives to /dev/null.
TB_SERVER_ARGS=()
[ "$MODE" = copy ] && TB_SERVER_ARGS=(--write /dev/null)
SECS=${TB_BENCH_SECS:-5}
UDP_RATE=1000000000
UDP_LEN=1400
[ -x "$TB" ] || die "$TB not built (make)"
for c in iperf3 iperf jq; do command -v "$c" >/dev/null || die "needs $c (scripts/install-deps)"; done
TICKS=$(getconf CLK_TCK)
OUT=$LAB_TMP/out

# cpu_of PID: user+system seconds so far.
cpu_of() { awk -v t="$TICKS" '{ printf "%.3f\n", ($14 + $15) / t }' "/proc/$1/stat"; }

# timed HOST CMD...: run CMD inside HOST, output to $OUT; prints its CPU seconds.
timed() {
	local h=$1
	shift
	/usr/bin/python3 - "$(host "$h")" "$OUT" "$SECS" "$@" <<'EOF'
import resource, subprocess, sys
ns, out, secs, cmd = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
with open(out, "w") as f:
    p = subprocess.run(["ip", "netns", "exec", ns] + cmd, stdout=f, stderr=subprocess.STDOUT,
                       timeout=secs + 30)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (ru.ru_utime + ru.ru_stime))
sys.exit(p.returncode)
EOF
}

# listening HOST PROTO PORT: wait until something listens there.
listening() {
	local _
	for _ in $(seq 100); do
		if [ "$2" = tcp ]; then
			on "$1" ss -Hltn "sport = :$3" | grep -q . && return 0
		else
			on "$1" ss -Hlun "sport = :$3" | grep -q . && return 0
		fi
		sleep 0.05
	done
	die "no server on $1 $2/$3"
}

# server NAME HOST CMD...: start a server quietly; its pid goes to
# SRV_PID[NAME] once it listens.
declare -A SRV_PID
server() {
	local name=$1 h=$2
	shift 2
	LAB_BG_LOG="$LAB_TMP/$name.log" lab_bg "$h" "$@"
	SRV_LAST=$LAB_LAST_PID
}
server_pid() {
	SRV_PID[$1]=$SRV_LAST
	kill -0 "${SRV_PID[$1]}" 2>/dev/null || die "$1: server not running"
}
start_servers() {
	local h=$1
	server tunbench "$h" "$TB" server --max-rate 400g "${TB_SERVER_ARGS[@]}"
	listening "$h" tcp 5370 # tunbench's default port
	server_pid tunbench
	server iperf3 "$h" iperf3 -s -p 5202
	listening "$h" tcp 5202
	server_pid iperf3
	server iperf "$h" iperf -s -p 5203
	listening "$h" tcp 5203
	server_pid iperf
	server iperf-udp "$h" iperf -s -u -p 5204 -y C
	listening "$h" udp 5204
	server_pid iperf-udp
}

# run_one PATH CLIENTHOST DST TEST TOOL: one measurement, one result line.
# Results: "PATH TEST TOOL GBITS CPU_PER_GB UDP_RATE LOSS".
run_one() {
	local path=$1 ch=$2 dst=$3 test=$4 tool=$5 srv cpu0 cpu1 ccpu bytes bps loss=- rate=-
	local p=1 udp=0
	local bidir=0 tbw=()
	case "$test" in tcp4) p=4 ;; udp) udp=1 ;; bidir) bidir=1 ;; esac
	[ "$MODE" = copy ] && tbw=(--write /dev/null)
	srv=${SRV_PID[$tool]}
	[ "$tool" = iperf ] && [ "$udp" = 1 ] && srv=${SRV_PID[iperf-udp]}
	cpu0=$(cpu_of "$srv")
	case "$tool" in
	tunbench)
		if [ "$bidir" = 1 ]; then
			ccpu=$(timed "$ch" "$TB" client "$dst" -t "$SECS" --bidir -i 0 -j "${tbw[@]}")
			read -r bytes bps < <(grep '^{' "$OUT" | jq -r 'select(.event == "summary") |
				"\(.sum_bidir.bytes) \(.sum_received.bits_per_second + .sum_received_bidir_reverse.bits_per_second)"')
		elif [ "$udp" = 1 ]; then
			ccpu=$(timed "$ch" "$TB" client "$dst" -t "$SECS" -u -b "$UDP_RATE" -l "$UDP_LEN" -i 0 -j)
		else
			ccpu=$(timed "$ch" "$TB" client "$dst" -t "$SECS" -P "$p" -i 0 -j)
		fi
		[ "$bidir" = 1 ] ||
		read -r bytes bps loss < <(grep '^{' "$OUT" | jq -r 'select(.event == "summary") |
			"\(.sum_received.bytes) \(.sum_received.bits_per_second) \(.sum.lost_percent // "-" | if type == "number" then . * 1000 | round / 1000 else . end)"')
		;;
	iperf3)
		if [ "$bidir" = 1 ]; then
			ccpu=$(timed "$ch" iperf3 -c "$dst" -p 5202 -t "$SECS" --bidir -J)
			read -r bytes bps < <(jq -r '.end | "\(.sum_received.bytes + .sum_received_bidir_reverse.bytes) \(.sum_received.bits_per_second + .sum_received_bidir_reverse.bits_per_second)"' "$OUT")
		elif [ "$udp" = 1 ]; then
			ccpu=$(timed "$ch" iperf3 -c "$dst" -p 5202 -t "$SECS" -u -b "$UDP_RATE" -l "$UDP_LEN" -J)
			read -r bytes bps loss < <(jq -r --argjson l "$UDP_LEN" '.end.sum |
				"\((.packets - .lost_packets) * $l) \((.packets - .lost_packets) * $l * 8 / .seconds) \(.lost_percent * 1000 | round / 1000)"' "$OUT")
		else
			ccpu=$(timed "$ch" iperf3 -c "$dst" -p 5202 -t "$SECS" -P "$p" -J)
			read -r bytes bps < <(jq -r '.end.sum_received | "\(.bytes) \(.bits_per_second)"' "$OUT")
		fi
		;;
	iperf)
		if [ "$bidir" = 1 ]; then
			return 0 # compared with iperf3 --bidir only
		elif [ "$udp" = 1 ]; then
			local before
			before=$(grep -c '^[0-9]' "$LAB_TMP/iperf-udp.log" || true)
			ccpu=$(timed "$ch" iperf -c "$dst" -p 5204 -t "$SECS" -u -b "$UDP_RATE" -l "$UDP_LEN" -y C)
			# The receiver's figures are in the server's CSV line:
			# bytes, bits/s, jitter, lost, total, percent.
			for _ in $(seq 100); do
				[ "$(grep -c '^[0-9]' "$LAB_TMP/iperf-udp.log" || true)" -gt "$before" ] && break
				sleep 0.05
			done
			read -r bytes bps loss < <(grep '^[0-9]' "$LAB_TMP/iperf-udp.log" | tail -1 |
				awk -F, '{ print $8, $9, $13 }')
		else
			ccpu=$(timed "$ch" iperf -c "$dst" -p 5203 -t "$SECS" -P "$p" -y C)
			read -r bytes bps < <(grep -E '^[0-9]+,' "$OUT" | awk -F, '{ b += $8; r += $9 } END { print b, r }')
		fi
		;;
	esac
	cpu1=$(cpu_of "$srv")
	if [ "$udp" = 1 ]; then
		rate=$(awk -v r="$bps" 'BEGIN { printf "%.1f", r / 1e6 }')
	fi
	awk -v p="$path" -v t="$test" -v tool="$tool" -v b="$bytes" -v r="$bps" -v c0="$cpu0" \
		-v c1="$cpu1" -v cc="$ccpu" -v rate="$rate" -v loss="$loss" 'BEGIN {
		cpu = (c1 - c0) + cc
		printf "%-8s %-5s %-9s %7.2f %9.3f %9s %8s\n", p, t, tool, r / 1e9,
			(b > 0 ? cpu / (b / 1e9) : 0), rate, loss
	}' | tee -a "$LAB_TMP/results"
}

bench_path() {
	local path=$1 ch=$2 sh=$3 dst=$4 test tool
	start_servers "$sh"
	local tests="tcp1 tcp4 udp"
	[ "$MODE" = copy ] && tests="tcp1 tcp4 bidir"
	for test in $tests; do
		for tool in tunbench iperf3 iperf; do
			run_one "$path" "$ch" "$dst" "$test" "$tool" ||
				echo "$path $test $tool FAILED" | tee -a "$LAB_TMP/results"
		done
	done
}

lab_host l a b
lab_wire a a0 b b0
on a ip addr add 192.0.2.1/24 dev a0
on b ip addr add 192.0.2.2/24 dev b0

[ "$MODE" = copy ] && echo "copy mode: every receiver copies every byte (tunbench --write /dev/null)"
printf 'tunbench %s vs %s and %s, %s s per run, %s cores\n' "$("$TB" -V | awk '{ print $3 }')" \
	"$(iperf3 --version | head -1 | awk '{ print "iperf3 " $2 }')" \
	"$(iperf -v 2>&1 | awk '{ print "iperf " $3 }')" "$SECS" "$(nproc)"
printf '%-8s %-5s %-9s %7s %9s %9s %8s\n' path test tool Gbit/s cpu_s/GB udp_Mb/s loss%
bench_path loopback l l 127.0.0.1
bench_path veth a b 192.0.2.2

echo
echo "tunbench against the better peer (target: ratio >= 1; UDP within 1% of 1000 Mbit/s, loss <= iperf3's; CPU/GB <= iperf3's):"
awk '
	$4 == "FAILED" { next }
	{ key = $1 " " $2; g[key, $3] = $4; c[key, $3] = $5; u[key, $3] = $6; l[key, $3] = $7; keys[key] = 1 }
	END {
		for (k in keys) {
			best = g[k, "iperf3"] > g[k, "iperf"] + 0 ? g[k, "iperf3"] : g[k, "iperf"]
			peer = g[k, "iperf3"] > g[k, "iperf"] + 0 ? "iperf3" : "iperf"
			ratio = best > 0 ? g[k, "tunbench"] / best : 0
			cpu = c[k, "iperf3"] > 0 ? c[k, "tunbench"] / c[k, "iperf3"] : 0
			line = sprintf("%-15s throughput %.2fx %s  cpu/GB %.2fx iperf3", k, ratio, peer, cpu)
			miss = ""
			if (k ~ / udp$/) {
				dev = (u[k, "tunbench"] - 1000) / 10
				line = line sprintf("  rate %s Mbit/s (%+.2f%%)  loss %s%% vs iperf3 %s%%",
					u[k, "tunbench"], dev, l[k, "tunbench"], l[k, "iperf3"])
				if (dev < -1 || dev > 1) miss = miss " rate"
				if (l[k, "tunbench"] + 0 > l[k, "iperf3"] + 0) miss = miss " loss"
			} else if (ratio < 1) miss = miss " throughput"
			if (cpu > 1) miss = miss " cpu"
			print line (miss == "" ? "  ok" : "  MISS:" miss)
			printf "%s %s %.2f %s\n", k, peer, ratio, cpu >>figs
		}
	}' figs="$LAB_TMP/figures" "$LAB_TMP/results" | sort
# One summary line per path and test: the throughput ratio to the better peer.
while read -r path test peer ratio _; do
	bench_figure "$MODE: tunbench / $peer, $path $test (x)" "$ratio" '>=' 1
done <"$LAB_TMP/figures"
