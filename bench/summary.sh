# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# One line per figure into $BENCH_SUMMARY, so `make bench` can end with a
# single table of every figure, its target and whether it was met.

# bench_figure WHAT VALUE OP TARGET: OP is >=, <= or "-" (reported, no target).
bench_figure() {
	local what=$1 value=$2 op=$3 target=$4 verdict
	verdict=$(awk -v v="$value" -v op="$op" -v t="$target" 'BEGIN {
		if (op == "-") { print "-"; exit }
		if (v == "" || v == "n/a" || v !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) { print "n/a"; exit }
		ok = (op == ">=") ? v + 0 >= t + 0 : v + 0 <= t + 0
		print ok ? "met" : "MISSED" }')
	[ "$op" = "-" ] && target="-" || target="$op $target"
	printf '%s\t%s\t%s\t%s\t%s\n' "${BENCH_NAME:-bench}" "$what" "$value" "$target" "$verdict" \
		>>"${BENCH_SUMMARY:-/dev/null}"
}
