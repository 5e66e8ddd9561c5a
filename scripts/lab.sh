# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Shell lab for the demo and the benchmarks (sourced, bash): network
# namespaces with a unique prefix, removed by a trap however the script ends.
# Documentation addresses only.

LAB_PREFIX="v6demo$$"
LAB_HOSTS=()
LAB_BG=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

lab_host() {
	local h
	for h in "$@"; do
		ip netns add "$LAB_PREFIX-$h"
		LAB_HOSTS+=("$h")
		ip -n "$LAB_PREFIX-$h" link set lo up
		ip netns exec "$LAB_PREFIX-$h" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
}
host() { printf '%s-%s' "$LAB_PREFIX" "$1"; }
on() { local h=$1; shift; ip netns exec "$(host "$h")" "$@"; }
lab_wire() {
	ip link add name "$2" netns "$(host "$1")" type veth peer name "$4" netns "$(host "$3")"
	ip -n "$(host "$1")" link set "$2" up
	ip -n "$(host "$3")" link set "$4" up
}
lab_bg() { local h=$1; shift; on "$h" "$@" 3>&- & LAB_BG+=($!); }
lab_cleanup() {
	local p h
	for p in "${LAB_BG[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${LAB_BG[@]}"; do wait "$p" 2>/dev/null || true; done
	for h in "${LAB_HOSTS[@]}"; do
		ip netns pids "$(host "$h")" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$(host "$h")" 2>/dev/null || true
	done
	LAB_HOSTS=()
	LAB_BG=()
	[ -n "${LAB_TMP:-}" ] && rm -rf "$LAB_TMP"
	return 0
}
trap lab_cleanup EXIT INT TERM
LAB_TMP=$(mktemp -d /tmp/v6kit-lab.XXXXXX)
# Table names the tools register stay inside the lab.
export V6KIT_IPROUTE2_DIR="$LAB_TMP/iproute2"
export V6KIT_RUNDIR="$LAB_TMP/run"
# The restart guard's history too (tun6in4 keeps it under /var/lib/v6kit).
export V6KIT_STATEDIR="$LAB_TMP/state"
mkdir -p "$V6KIT_IPROUTE2_DIR/rt_tables.d" "$V6KIT_RUNDIR" "$V6KIT_STATEDIR"
cp /etc/iproute2/rt_tables "$V6KIT_IPROUTE2_DIR/"
