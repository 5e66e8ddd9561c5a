#!/bin/bash
# srcroute apply vs the same changes as a shell script of `ip` commands and
# as `ip -batch`, in fresh namespaces with 10 uplinks, for N sources.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lab.sh
. "$top/scripts/lab.sh"
SR="$V6KIT_BIN/srcroute"
REPEAT=${REPEAT:-3}

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
	for i in "${!LAB_HOSTS[@]}"; do [ "${LAB_HOSTS[$i]}" = "$1" ] && unset "LAB_HOSTS[$i]"; done
	LAB_HOSTS=("${LAB_HOSTS[@]}")
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

# median of the arguments
# Timestamps are ${EPOCHREALTIME} in microseconds: no fork of date(1) lands in a figure.
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
ms() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e3 }'; }

bench_n() {
	local n=$1 conf="$LAB_TMP/conf.$1" t0 t1
	local -a t_script=() t_batch=() t_apply=() t_reapply=()
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
		t0=${EPOCHREALTIME/./}; "$SR" -n "$NS" apply -f "$conf" >/dev/null; t1=${EPOCHREALTIME/./}
		t_apply+=($((t1 - t0)))
		t0=${EPOCHREALTIME/./}; "$SR" -n "$NS" apply -f "$conf" >"$LAB_TMP/out"; t1=${EPOCHREALTIME/./}
		t_reapply+=($((t1 - t0)))
		[ "$(cat "$LAB_TMP/out")" = "0 changes" ] || die "re-apply changed something"
		"$SR" -n "$(host a)" check -f "$conf" >/dev/null || die "apply did not reach the file's state"
		drop_host a
	done
	local s b a ra
	s=$(median "${t_script[@]}"); b=$(median "${t_batch[@]}")
	a=$(median "${t_apply[@]}"); ra=$(median "${t_reapply[@]}")
	printf '%-6s %12s %12s %12s %12s %12s %12s %14s\n' "$n" "$(ms "$s")" "$(ms "$b")" "$(ms "$a")" \
		"$(ms "$ra")" "$(awk -v x="$s" -v y="$a" 'BEGIN { printf "%.1fx", x / y }')" \
		"$(awk -v x="$b" -v y="$a" 'BEGIN { printf "%.2fx", x / y }')" \
		"$(awk -v x="$ra" -v y="$a" 'BEGIN { printf "%.1f%%", 100 * x / y }')"
}

say "srcroute apply vs ip (10 uplinks, median of $REPEAT runs, milliseconds)"
printf '%-6s %12s %12s %12s %12s %12s %12s %14s\n' sources "sh+ip" "ip -batch" apply re-apply \
	"sh/apply" "batch/apply" "re-apply/apply"
for n in 100 1000; do bench_n "$n"; done
echo "targets: sh/apply >= 20x and batch/apply >= 1.00x at 1000 sources; re-apply/apply < 10%"
