#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ndproxy against ndppd (Debian package) and the kernel's own proxy_ndp, in
# the same run, on the lab modem -- router -- host.  bench/ndproxy-load
# (built from bench/ndproxy-load.c) sends NS from the modem at fixed rates,
# cycling over K targets, and times the NAs.
#
# Figures: highest rate with <= 0.1% loss; p50/p99 at 1k and 10k NS/s; RSS;
# idle wake-ups per second; in iface mode, first-answer latency and memory
# per cached target; at scale, 100,000 distinct targets at 20k NS/s, once
# needing a probe each and once from the cache, then idle CPU and RSS with
# the cache full.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lab.sh disable=SC1091
source "$top/scripts/lab.sh"
# shellcheck source=bench/summary.sh disable=SC1091
source "$top/bench/summary.sh"
BIN=${V6KIT_BIN:-$top/build}
LOAD=$BIN/ndproxy-load
K=${NDP_BENCH_TARGETS:-4096}           # targets cycled through (kernel proxy entries)
CACHED=${NDP_BENCH_CACHED:-16384}      # targets cached in the iface-mode memory figure
RATES=${NDP_BENCH_RATES:-"2500 5000 10000 20000 40000 60000 80000 100000 125000 150000 200000 250000 300000"}
SCALE=${NDP_BENCH_SCALE:-100000}        # distinct targets in the scale case
SCALE_RATE=${NDP_BENCH_SCALE_RATE:-20000}
IDLE_SECS=5

if [ ! -x "$BIN/ndproxy" ] || [ ! -x "$LOAD" ]; then die "build first: make"; fi
command -v ndppd >/dev/null || die "ndppd not installed (scripts/install-deps)"

lab_host modem router host
lab_wire modem m0 router r0
lab_wire router r1 host h0
on router sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$(host modem)" addr add 2001:db8:1::1/64 dev m0 nodad
ip -n "$(host router)" -6 route add 2001:db8:1::1/128 dev r0
ip -n "$(host router)" -6 route add 2001:db8:1::/64 dev r1
for _ in $(seq 50); do
	ll=$(ip -n "$(host router)" -6 -o addr show dev r1 scope link | awk '{print $4}' | cut -d/ -f1)
	[ -n "$ll" ] && break
	sleep 0.1
done
ip -n "$(host host)" -6 route add default via "$ll" dev h0
# Downstream, the iface-mode targets 2001:db8:1::2:0 onwards (and the scale
# case's 2001:db8:1::100:0 onwards) answer through a static ndproxy on the
# host: adding thousands of addresses to a link takes the kernel minutes
# (its address list is sorted on insert).
printf '%s\n' 'proxy h0 {' '    rule 2001:db8:1::2:0/112 {' '        static' '    }' \
	'    rule 2001:db8:1::100:0/104 {' '        static' '    }' '}' >"$LAB_TMP/responder.conf"
ip netns exec "$(host host)" "$BIN/ndproxy" -c "$LAB_TMP/responder.conf" \
	-n "$(host host)" >"$LAB_TMP/responder.log" 2>&1 3>&- &
LAB_PIDS+=($!)

# load RATE COUNT [BASE] [K]: one JSON line from the generator.
load() {
	on modem "$LOAD" -i m0 -s 2001:db8:1::1 -t "${3:-2001:db8:1::1:0}" -k "${4:-$K}" \
		-r "$1" -c "$2" -w 1000
}
jf() { jq -r "$1" <<<"$2"; }

# ladder: the highest rate of $RATES whose loss stays <= 0.1% (a failed
# step is tried once more, against noise from other load on the machine).
ladder() {
	local best=0 r res ok
	for r in $RATES; do
		ok=0
		for _ in 1 2; do
			res=$(load "$r" "$r")
			if jq -e '.loss_pct <= 0.1' <<<"$res" >/dev/null; then ok=1; break; fi
		done
		echo "    $r NS/s: $(jf '"\(.answered)/\(.sent) answered, loss \(.loss_pct)%, p50 \(.p50_us) us"' "$res")" >&2
		[ "$ok" = 1 ] || break
		best=$r
	done
	echo "$best"
}

# rss PID: resident kB now; hwm PID: peak.
rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/{print $2}' "/proc/$1/status"; }
# wakeups PID: context switches per second over IDLE_SECS without traffic.
wakeups() {
	local a b
	a=$(awk '/ctxt_switches/{s += $2} END {print s}' "/proc/$1/status")
	sleep "$IDLE_SECS"
	b=$(awk '/ctxt_switches/{s += $2} END {print s}' "/proc/$1/status")
	awk -v a="$a" -v b="$b" -v s="$IDLE_SECS" 'BEGIN {printf "%.1f", (b - a) / s}'
}
# start NAME CMD...: a daemon in the router; sets PID.
start() {
	local name=$1
	shift
	# A simple command, not a function: `ip netns exec` execs the daemon,
	# so $! is the daemon itself.
	ip netns exec "$(host router)" "$@" >"$LAB_TMP/$name.log" 2>&1 3>&- &
	PID=$!
	LAB_PIDS+=("$PID")
	sleep 1
	kill -0 "$PID" 2>/dev/null || { cat "$LAB_TMP/$name.log" >&2; die "$name did not start"; }
}
stop() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
declare -A R

measure_static() {
	local who=$1 res
	# Latency first, on a fresh daemon: the ladder's overloaded last step
	# must not leave anything behind that the latency figures would pay.
	res=$(load 1000 3000)
	R[$who.p50_1k]=$(jf .p50_us "$res")
	R[$who.p99_1k]=$(jf .p99_us "$res")
	R[$who.loss_1k]=$(jf .loss_pct "$res")
	res=$(load 10000 20000)
	R[$who.p50_10k]=$(jf .p50_us "$res")
	R[$who.p99_10k]=$(jf .p99_us "$res")
	R[$who.loss_10k]=$(jf .loss_pct "$res")
	echo "  $who: zero-loss ladder" >&2
	R[$who.zl]=$(ladder)
}

# ---- static: ndproxy, ndppd, kernel --------------------------------------
echo "== static mode, $K targets cycled"
start ndproxy "$BIN/ndproxy" -i r0 -r 2001:db8:1::/64 -s
R[ndproxy.rss0]=$(rss "$PID")
R[ndproxy.idle]=$(wakeups "$PID")
measure_static ndproxy
R[ndproxy.rss]=$(rss "$PID")
R[ndproxy.hwm]=$(hwm "$PID")
R[ndproxy.idle_after]=$(wakeups "$PID")
stop

printf 'proxy r0 {\n    rule 2001:db8:1::/64 {\n        static\n    }\n}\n' >"$LAB_TMP/ndppd-static.conf"
start ndppd ndppd -c "$LAB_TMP/ndppd-static.conf"
R[ndppd.rss0]=$(rss "$PID")
R[ndppd.idle]=$(wakeups "$PID")
measure_static ndppd
R[ndppd.rss]=$(rss "$PID")
R[ndppd.hwm]=$(hwm "$PID")
R[ndppd.idle_after]=$(wakeups "$PID")
stop

# The kernel: proxy entries for the same targets, answered without delay.
on router sysctl -qw net.ipv6.conf.r0.proxy_ndp=1 net.ipv6.neigh.r0.proxy_delay=0
for ((i = 0; i < K; i++)); do
	printf 'neigh add proxy 2001:db8:1::1:%x dev r0\n' "$i"
done >"$LAB_TMP/proxy-entries"
ip -n "$(host router)" -batch "$LAB_TMP/proxy-entries"
measure_static kernel
ip -n "$(host router)" -6 neigh flush proxy dev r0 2>/dev/null || true
on router sysctl -qw net.ipv6.conf.r0.proxy_ndp=0

# ---- iface mode: first answers and memory per cached target ---------------
echo "== iface mode, $CACHED targets"
iface() {
	local who=$1 res before after
	before=$(rss "$PID")
	# Each target asked once: every answer is a first answer.
	res=$(load 500 2000 2001:db8:1::2:0 2000)
	R[$who.first_p50]=$(jf .p50_us "$res")
	R[$who.first_p99]=$(jf .p99_us "$res")
	R[$who.first_loss]=$(jf .loss_pct "$res")
	res=$(load 5000 "$CACHED" 2001:db8:1::2:0 "$CACHED")
	R[$who.cached_answered]=$(jf .answered "$res")
	sleep 1
	after=$(rss "$PID")
	# Per target answered (what a daemon confirmed is what it holds).
	R[$who.per_target]=$(awk -v a="$after" -v b="$before" -v n="${R[$who.cached_answered]}" \
		'BEGIN {printf "%.0f", (a - b) * 1024 / n}')
	R[$who.idle_cached]=$(wakeups "$PID")
}
cat >"$LAB_TMP/ndproxy-iface.conf" <<EOF
probe-rate 100000
proxy r0 {
    rule 2001:db8:1::/64 {
        iface r1
    }
}
EOF
start ndproxy "$BIN/ndproxy" -c "$LAB_TMP/ndproxy-iface.conf"
iface ndproxy
R[ndproxy.cached]=$("$BIN/ndproxy" status -j | jq .cache.entries)
stop
printf 'proxy r0 {\n    rule 2001:db8:1::/64 {\n        iface r1\n    }\n}\n' >"$LAB_TMP/ndppd-iface.conf"
start ndppd ndppd -c "$LAB_TMP/ndppd-iface.conf"
iface ndppd
stop

# ---- scale: iface mode, SCALE distinct targets -----------------------------
echo "== iface mode at scale, $SCALE distinct targets at $SCALE_RATE NS/s"
# cpu_pct PID: CPU share of one core over IDLE_SECS, every thread counted.
cpu_pct() {
	local a b tick
	tick=$(getconf CLK_TCK)
	a=$(awk '{print $14 + $15}' "/proc/$1/stat")
	sleep "$IDLE_SECS"
	b=$(awk '{print $14 + $15}' "/proc/$1/stat")
	awk -v a="$a" -v b="$b" -v t="$tick" -v s="$IDLE_SECS" 'BEGIN {printf "%.2f", 100 * (b - a) / t / s}'
}
scale() {
	local who=$1 res
	# First pass: every target is new, so each needs a probe downstream
	# before it is answered.  Second pass: the same targets, cached.
	res=$(load "$SCALE_RATE" "$SCALE" 2001:db8:1::100:0 "$SCALE")
	R[$who.s1_loss]=$(jf .loss_pct "$res")
	R[$who.s1_p99]=$(jf .p99_us "$res")
	echo "    first pass: $(jf '"\(.answered)/\(.sent) answered, p50 \(.p50_us) us"' "$res")" >&2
	res=$(load "$SCALE_RATE" "$SCALE" 2001:db8:1::100:0 "$SCALE")
	R[$who.s2_loss]=$(jf .loss_pct "$res")
	R[$who.s2_p99]=$(jf .p99_us "$res")
	echo "    second pass: $(jf '"\(.answered)/\(.sent) answered, p50 \(.p50_us) us"' "$res")" >&2
	sleep 1
	R[$who.s_rss]=$(rss "$PID")
	R[$who.s_cpu]=$(cpu_pct "$PID")
	R[$who.s_wake]=$(wakeups "$PID")
}
# The bench raises cache-size above the 100k targets; the default stays.
printf '%s\n' 'probe-rate 100000' 'cache-size 131072' 'proxy r0 {' \
	'    rule 2001:db8:1::/64 {' '        iface r1' '    }' '}' >"$LAB_TMP/ndproxy-scale.conf"
start ndproxy "$BIN/ndproxy" -c "$LAB_TMP/ndproxy-scale.conf"
scale ndproxy
R[ndproxy.s_cached]=$("$BIN/ndproxy" status -j | jq .cache.entries)
stop
start ndppd ndppd -c "$LAB_TMP/ndppd-iface.conf"
scale ndppd
stop

# ---- report ---------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b}'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
	if (v == "n/a") {print "n/a"; exit}
	ok = (op == ">=") ? v + 0 >= t + 0 : v + 0 <= t + 0; print ok ? "met" : "MISSED" }'; }
echo
printf '%-34s %12s %12s %12s\n' "" ndproxy ndppd kernel
row() { printf '%-34s %12s %12s %12s\n' "$1" "${R[ndproxy.$2]:--}" "${R[ndppd.$2]:--}" "${R[kernel.$2]:--}"; }
row "zero-loss rate (NS/s, <=0.1%)" zl
row "p50 at 1k NS/s (us)" p50_1k
row "p99 at 1k NS/s (us)" p99_1k
row "loss at 1k NS/s (%)" loss_1k
row "p50 at 10k NS/s (us)" p50_10k
row "p99 at 10k NS/s (us)" p99_10k
row "loss at 10k NS/s (%)" loss_10k
row "RSS at start (kB)" rss0
row "RSS after load (kB)" rss
row "peak RSS (kB)" hwm
row "idle wake-ups/s (fresh)" idle
row "idle wake-ups/s (after load)" idle_after
row "iface: first answer p50 (us)" first_p50
row "iface: first answer p99 (us)" first_p99
row "iface: first-answer loss (%)" first_loss
row "iface: targets answered of $CACHED" cached_answered
row "iface: bytes per cached target" per_target
row "iface: idle wake-ups/s, cache full" idle_cached
row "scale: first-pass loss (%)" s1_loss
row "scale: first-pass p99 (us)" s1_p99
row "scale: cached-pass loss (%)" s2_loss
row "scale: cached-pass p99 (us)" s2_p99
row "scale: RSS, cache full (kB)" s_rss
row "scale: idle CPU, cache full (%)" s_cpu
row "scale: idle wake-ups/s, cache full" s_wake
echo
zl=$(ratio "${R[ndproxy.zl]}" "${R[ndppd.zl]}")
lat=$(ratio "${R[ndproxy.p50_1k]}" "${R[kernel.p50_1k]}")
echo "zero-loss rate ndproxy/ndppd: ${zl}x (target >= 2.5x: $(verdict "$zl" '>=' 2.5))"
echo "p50 at 1k ndproxy/kernel: ${lat}x (target <= 1.5x: $(verdict "$lat" '<=' 1.5))"
echo "RSS ndproxy ${R[ndproxy.hwm]} kB vs ndppd ${R[ndppd.hwm]} kB peak (target <=: $(verdict "${R[ndproxy.hwm]}" '<=' "${R[ndppd.hwm]}"))"
echo "idle wake-ups/s ndproxy: ${R[ndproxy.idle_after]} (target <= 1: $(verdict "${R[ndproxy.idle_after]}" '<=' 1))"
echo "bytes per cached target ndproxy: ${R[ndproxy.per_target]} (target <= 128: $(verdict "${R[ndproxy.per_target]}" '<=' 128)), ${R[ndproxy.cached]} cached"
echo "scale: ndproxy lost ${R[ndproxy.s1_loss]}% / ${R[ndproxy.s2_loss]}% (first / cached pass), ndppd ${R[ndppd.s1_loss]}% / ${R[ndppd.s2_loss]}%; ${R[ndproxy.s_cached]} cached"
echo "machine load during the run: $(cut -d' ' -f1-3 /proc/loadavg)"

bench_figure "zero-loss rate ndproxy/ndppd (x)" "$zl" '>=' 2.5
bench_figure "p50 at 1k NS/s ndproxy/kernel (x)" "$lat" '<=' 1.5
bench_figure "peak RSS ndproxy (kB; target: ndppd's)" "${R[ndproxy.hwm]}" '<=' "${R[ndppd.hwm]}"
bench_figure "idle wake-ups/s ndproxy" "${R[ndproxy.idle_after]}" '<=' 1
bench_figure "bytes per cached target ndproxy" "${R[ndproxy.per_target]}" '<=' 128
bench_figure "scale $SCALE @ $SCALE_RATE/s: first-pass loss ndproxy (%)" "${R[ndproxy.s1_loss]}" '<=' 0.1
bench_figure "scale $SCALE @ $SCALE_RATE/s: cached-pass loss ndproxy (%)" "${R[ndproxy.s2_loss]}" '<=' 0.1
bench_figure "scale $SCALE @ $SCALE_RATE/s: first-pass loss ndppd (%)" "${R[ndppd.s1_loss]}" - -
bench_figure "scale $SCALE @ $SCALE_RATE/s: cached-pass loss ndppd (%)" "${R[ndppd.s2_loss]}" - -
bench_figure "scale: ndproxy RSS with the cache full (kB)" "${R[ndproxy.s_rss]}" - -
bench_figure "scale: ndproxy idle CPU with the cache full (%)" "${R[ndproxy.s_cpu]}" - -
