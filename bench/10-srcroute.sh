#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# srcroute apply vs the same changes as a shell script of `ip` commands and
# as `ip -batch`, in fresh namespaces with 10 uplinks, for N sources.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lab.sh
. "$top/scripts/lab.sh"
SR="$V6KIT_BIN/srcroute"
REPEAT=${REPEAT:-5}
# bench/run collects figures through bench_figure; alone, there is no table.
if [ -f "$top/bench/summary.sh" ]; then
	# shellcheck source=/dev/null
	. "$top/bench/summary.sh"
else
	bench_figure() { :; }
fi

# A host with 10 uplinks up0..up9, each with an address and a gateway.
make_host() {
	lab_host "$1"
	local k
	for k in $(seq 0 9); do
		ip -n "$(host "$1")" link add name "up$k" type veth peer name "far$k"
		ip -n "$(host "$1")" link set "up$k" up
		ip -n "$(host "$1")" link set "far$k" up
		ip -n "$(host "$1")" addr add "2001:db8:$k::2/64" dev "up$k" nodad
	done
}
drop_host() {
	ip netns del "$(host "$1")"
	local i
	for i in "${!LAB_NS[@]}"; do [ "${LAB_NS[$i]}" = "$1" ] && unset "LAB_NS[$i]"; done
	LAB_NS=("${LAB_NS[@]}")
}

# N sources spread over the uplinks, tables numbered so that ip needs no names.
make_conf() {
	local n=$1 i k
	for i in $(seq 1 "$n"); do
		k=$((i % 10))
		printf '2001:db8:100:%x::%x dev up%d via 2001:db8:%d::1 table %d\n' \
			$((i / 256)) $((i % 256 + 1)) "$k" "$k" $((100 + k))
	done
}

# measure OUT CMD...: run CMD with its standard output in OUT; print its
# wall time and its CPU time (user + system, which the kernel accounts to
# the nanosecond in total), both in microseconds.  On a shared machine the
# CPU time is the steadier figure: waiting for a core does not count.
# posix_spawn (a vfork): a forked child would first tear down its copy of
# the measuring interpreter's memory at exec, on the command's account.
measure() {
	/usr/bin/python3 -c '
import os, sys, time
out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
t0 = time.monotonic_ns()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ,
                     file_actions=[(os.POSIX_SPAWN_DUP2, out, 1)])
_, status, ru = os.wait4(pid, 0)
t1 = time.monotonic_ns()
print((t1 - t0) // 1000, round((ru.ru_utime + ru.ru_stime) * 1e6))
sys.exit(os.waitstatus_to_exitcode(status))' "$@"
}

# syscalls OUT CMD...: the number of system calls CMD makes (strace -c).
syscalls() {
	local out=$1
	shift
	command -v strace >/dev/null || { echo n/a; return; }
	strace -f -c -o "$out.strace" "$@" >/dev/null
	awk '$NF == "total" { print $(NF - 2) + 0 }' "$out.strace"
}

# median of the arguments
# Timestamps are ${EPOCHREALTIME} in microseconds: no fork of date(1) lands in a figure.
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
ms() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e3 }'; }

bench_n() {
	local n=$1 conf="$LAB_TMP/conf.$1" t0 t1 w c
	local -a t_script=() t_batch=() t_apply=() t_reapply=() c_apply=() c_reapply=()
	make_conf "$n" >"$conf"
	# The equivalent commands, exactly as srcroute would issue them.
	make_host plan
	"$SR" -n "$(host plan)" apply -f "$conf" --dry-run | grep '^ip ' >"$LAB_TMP/cmds.$n"
	drop_host plan
	sed 's/^ip -6 //' "$LAB_TMP/cmds.$n" >"$LAB_TMP/batch.$n"
	{
		echo '#!/bin/sh'
		echo 'set -e'
		sed "s/^ip /ip -n \"\$NS\" /" "$LAB_TMP/cmds.$n"
	} >"$LAB_TMP/script.$n"
	# a rule per source; a default and an unreachable route per uplink
	[ "$(wc -l <"$LAB_TMP/cmds.$n")" -eq $((n + 20)) ] || die "unexpected plan size"

	for _ in $(seq "$REPEAT"); do
		# Namespace names are looked up before the clock starts: a $(...)
		# inside the timed span would add a fork to the figure.
		make_host s
		export NS; NS=$(host s)
		t0=${EPOCHREALTIME/./}; sh "$LAB_TMP/script.$n"; t1=${EPOCHREALTIME/./}
		t_script+=($((t1 - t0)))
		drop_host s

		make_host b
		NS=$(host b)
		t0=${EPOCHREALTIME/./}; ip -n "$NS" -6 -batch "$LAB_TMP/batch.$n"; t1=${EPOCHREALTIME/./}
		t_batch+=($((t1 - t0)))
		drop_host b

		make_host a
		NS=$(host a)
		read -r w c < <(measure "$LAB_TMP/out" "$SR" -n "$NS" apply -f "$conf")
		t_apply+=("$w"); c_apply+=("$c")
		read -r w c < <(measure "$LAB_TMP/out" "$SR" -n "$NS" apply -f "$conf")
		t_reapply+=("$w"); c_reapply+=("$c")
		[ "$(cat "$LAB_TMP/out")" = "0 changes" ] || die "re-apply changed something"
		"$SR" -n "$(host a)" check -f "$conf" >/dev/null || die "apply did not reach the file's state"
		drop_host a
	done
	# What starting any program costs here, for reading the CPU share.
	local -a c_start=()
	for _ in $(seq "$REPEAT"); do
		read -r w c < <(measure "$LAB_TMP/out" "$SR" --version)
		c_start+=("$c")
	done
	# System calls of one first apply and one re-apply, outside the timings.
	make_host a
	NS=$(host a)
	local sc_apply sc_reapply
	sc_apply=$(syscalls "$LAB_TMP/sc" "$SR" -n "$NS" apply -f "$conf")
	sc_reapply=$(syscalls "$LAB_TMP/sc" "$SR" -n "$NS" apply -f "$conf")
	drop_host a

	local s b a ra ca cra
	s=$(median "${t_script[@]}"); b=$(median "${t_batch[@]}")
	a=$(median "${t_apply[@]}"); ra=$(median "${t_reapply[@]}")
	ca=$(median "${c_apply[@]}"); cra=$(median "${c_reapply[@]}")
	local share_wall share_cpu share_sc
	share_wall=$(awk -v x="$ra" -v y="$a" 'BEGIN { printf "%.1f", 100 * x / y }')
	share_cpu=$(awk -v x="$cra" -v y="$ca" 'BEGIN { printf "%.1f", 100 * x / y }')
	share_sc=$(awk -v x="$sc_reapply" -v y="$sc_apply" 'BEGIN { if (y + 0 > 0) printf "%.1f", 100 * x / y; else print "n/a" }')
	printf '%-6s %12s %12s %12s %12s %12s %12s %14s %12s %12s %14s %16s\n' "$n" "$(ms "$s")" "$(ms "$b")" \
		"$(ms "$a")" "$(ms "$ra")" "$(awk -v x="$s" -v y="$a" 'BEGIN { printf "%.1fx", x / y }')" \
		"$(awk -v x="$b" -v y="$a" 'BEGIN { printf "%.2fx", x / y }')" "$share_wall%" \
		"$(ms "$ca")" "$(ms "$cra")" "$share_cpu%" "$sc_reapply/$sc_apply ($share_sc%)"
	if [ "$n" = 1000 ]; then
		bench_figure "srcroute sh+ip / apply, 1000 sources (x)" \
			"$(awk -v x="$s" -v y="$a" 'BEGIN { printf "%.1f", x / y }')" '>=' 20
		bench_figure "srcroute ip -batch / apply, 1000 sources (x)" \
			"$(awk -v x="$b" -v y="$a" 'BEGIN { printf "%.2f", x / y }')" '>=' 1.00
		bench_figure "srcroute re-apply / apply, 1000 sources, CPU user+sys (%)" "$share_cpu" '<=' 9.9
		bench_figure "srcroute re-apply / apply, 1000 sources, wall (%)" "$share_wall" - -
		bench_figure "srcroute re-apply / apply, 1000 sources, system calls (%)" "$share_sc" - -
		echo "process start alone (srcroute --version): $(ms "$(median "${c_start[@]}")") ms CPU," \
			"$(awk -v x="$(median "${c_start[@]}")" -v y="$ca" 'BEGIN { printf "%.1f", 100 * x / y }')% of the first apply"
	fi
}

say "srcroute apply vs ip (10 uplinks, median of $REPEAT runs, milliseconds; cpu is user+sys)"
printf '%-6s %12s %12s %12s %12s %12s %12s %14s %12s %12s %14s %16s\n' sources "sh+ip" "ip -batch" \
	apply re-apply "sh/apply" "batch/apply" "re-apply/apply" "apply cpu" "re-apply cpu" \
	"cpu re/apply" "syscalls re/apply"
for n in 100 1000; do bench_n "$n"; done
echo "targets at 1000 sources: sh/apply >= 20x, batch/apply >= 1.00x," \
	"re-apply/apply < 10% (CPU; wall time on a loaded machine is mostly waiting for a core)"
