# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The namespace lab of the tests, the demo and the benchmarks (sourced,
# bash): network namespaces whose names carry a unique prefix, veth links
# between them, background processes tracked by pid, a private directory
# for everything the tools write, the router's private view of /etc, and
# one cleanup that removes all of it.
#
# tests/helpers.bash sets LAB_BATS=1, sources this file and adds the bats
# glue (a lab per test: lab_setup/lab_teardown).  A script that sources it
# (scripts/demo, bench/NN-*.sh) gets its lab at once, removed however the
# script ends, and the narration helpers say, run and die.
# tests/vm/lib.sh stays apart: it runs inside the VM under busybox ash,
# without bash (see there).  Documentation addresses only.

LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The tools under test: build/ normally, build-asan/ for the sanitizer run.
V6KIT_BIN=${V6KIT_BIN:-$LAB_TOP/build}
# Seconds any single lab command run through t may take before it counts
# as hung.
LAB_TIMEOUT=${LAB_TIMEOUT:-30}

# t CMD...: run with the lab's timeout.
t() { timeout --kill-after=5 "$LAB_TIMEOUT" "$@"; }

# lab_init PREFIX: a new, empty lab.  Namespace names start with PREFIX, so
# parallel or leftover runs never collide; table names, run-time state and
# logs go to LAB_DIR, never the host's /etc or /run.
lab_init() {
	LAB_PREFIX=$1
	LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/v6kit-lab.XXXXXX")
	LAB_NS=()
	LAB_PIDS=()
	export V6KIT_IPROUTE2_DIR="$LAB_DIR/iproute2"
	export V6KIT_RUNDIR="$LAB_DIR/run"
	mkdir -p "$V6KIT_IPROUTE2_DIR/rt_tables.d" "$V6KIT_RUNDIR"
	cp /etc/iproute2/rt_tables "$V6KIT_IPROUTE2_DIR/" 2>/dev/null || true
}

# lab_cleanup: stop the lab's processes (TERM, then KILL after 5 s),
# anything else still running in its namespaces, delete the namespaces and
# LAB_DIR.  Safe to call twice.
lab_cleanup() {
	local pid h
	for pid in "${LAB_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${LAB_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for h in "${LAB_NS[@]}"; do
		ip netns pids "$(ns "$h")" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$(ns "$h")" 2>/dev/null || true
	done
	LAB_PIDS=()
	LAB_NS=()
	[ -n "${LAB_DIR:-}" ] && rm -rf "$LAB_DIR"
	return 0
}

# ns HOST: the real namespace name of a lab host.
ns() { printf '%s-%s' "$LAB_PREFIX" "$1"; }

# lab_ns HOST...: create hosts with loopback up, IPv6 DAD off (addresses
# usable at once; tests of DAD turn it back on), forwarding off.
lab_ns() {
	local h n
	for h in "$@"; do
		n=$(ns "$h")
		ip netns add "$n"
		LAB_NS+=("$h")
		ip -n "$n" link set lo up
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
}

# on HOST CMD...: run CMD inside a lab host, for as long as it takes
# (a transfer, a whole ifup -a).
on() {
	local h=$1
	shift
	ip netns exec "$(ns "$h")" "$@"
}

# in_ns HOST CMD...: run CMD inside a lab host, under the timeout.
in_ns() {
	local h=$1
	shift
	t ip netns exec "$(ns "$h")" "$@"
}

# lab_link A IFA B IFB: a veth pair between hosts A and B, both ends up.
# Returns once both ends are operationally up with their link-local
# address, so a later snapshot never catches the link mid-change.
lab_link() {
	ip link add name "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")"
	ip -n "$(ns "$1")" link set "$2" up
	ip -n "$(ns "$3")" link set "$4" up
	lab_link_settled "$1" "$2"
	lab_link_settled "$3" "$4"
}

# lab_link_settled HOST IFACE: wait until IFACE is up and has fe80::/64.
lab_link_settled() {
	wait_for 10 sh -c "ip -n '$(ns "$1")' -o link show dev '$2' | grep -q 'state UP' &&
		ip -n '$(ns "$1")' -6 -o addr show dev '$2' scope link | grep -q 'fe80::'"
}

# lab_addr HOST IFACE ADDR/LEN: add an address that is usable at once.
lab_addr() {
	case "$3" in
	*:*) ip -n "$(ns "$1")" addr add "$3" dev "$2" nodad ;;
	*) ip -n "$(ns "$1")" addr add "$3" dev "$2" ;;
	esac
}

# lab_forward HOST: make HOST a router.
lab_forward() {
	in_ns "$1" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1
}

# lab_bg HOST CMD...: start CMD in the background inside HOST and remember
# its pid for the cleanup.  Its output goes to $LAB_BG_LOG when set (give
# it on the call: LAB_BG_LOG=FILE lab_bg ...), else to $LAB_DIR/bg.N.log.
# Sets LAB_LAST_PID (CMD's own pid) and LAB_LAST_LOG.  fd 3 is closed, so
# bats does not wait for the process.
lab_bg() {
	local h=$1 log=${LAB_BG_LOG:-$LAB_DIR/bg.${#LAB_PIDS[@]}.log}
	shift
	ip netns exec "$(ns "$h")" "$@" >"$log" 2>&1 3>&- &
	LAB_LAST_PID=$!
	# shellcheck disable=SC2034 # for the caller
	LAB_LAST_LOG=$log
	LAB_PIDS+=("$LAB_LAST_PID")
}

# wait_for SECS CMD...: poll CMD (a condition, not a sleep-and-hope) every
# 50 ms until it succeeds; fail after SECS.
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 20; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "wait_for: timed out after ${secs}s: $*" >&2
	return 1
}

# ---- the router's view of the file system ------------------------------

# lab_router_view DIR: make DIR/enter, a command that runs its arguments
# in a private mount namespace (each ip netns exec gets a fresh one) that
# looks like an installed Debian router: DIR/etc/network over /etc/network
# (DIR/etc/network/interfaces, and v6kit's ifupdown hook alone in the four
# if-*.d directories), DIR/etc/v6kit over /etc/v6kit, $V6KIT_IPROUTE2_DIR
# over /etc/iproute2, $V6KIT_RUNDIR over /run/v6kit, DIR/sbin (see
# lab_router_tools) over /usr/local/sbin, on ifupdown's fixed PATH, and
# DIR/state over /var/lib/v6kit.  /etc itself is a throw-away overlay, so
# mount points can be made without writing to the machine's own /etc.
# DIR/ifstate is for ifup's --state-dir.
lab_router_view() {
	local dir=$1 d
	mkdir -p "$dir/etc/network" "$dir/etc/v6kit/tunnels" "$dir/sbin" "$dir/state" \
		"$dir/ifstate" "$dir/overlay"
	for d in if-pre-up.d if-up.d if-down.d if-post-down.d; do
		install -D -m 755 "$LAB_TOP/scripts/ifupdown/v6kit" "$dir/etc/network/$d/v6kit"
	done
	cat >"$dir/enter" <<-EOF
		#!/bin/sh
		set -eu
		# Upper and work directories of its own: two commands at once (ifup A &
		# ifup B) must not share an overlay work directory.
		o=\$(mktemp -d "$dir/overlay/run.XXXXXX")
		mkdir "\$o/up" "\$o/work"
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=\$o/up,workdir=\$o/work" /etc
		mkdir -p /etc/v6kit /etc/iproute2
		mount --bind "$dir/etc/network" /etc/network
		mount --bind "$dir/etc/v6kit" /etc/v6kit
		mount --bind "$V6KIT_IPROUTE2_DIR" /etc/iproute2
		mount -t tmpfs tmpfs /run
		mkdir -p /run/v6kit
		mount --bind "$V6KIT_RUNDIR" /run/v6kit
		mount --bind "$dir/sbin" /usr/local/sbin
		# The restart guard's history persists under /var/lib/v6kit: the
		# lab's own, so runs never count against each other or the host.
		mount -t tmpfs tmpfs /var/lib
		mkdir -p /var/lib/v6kit
		mount --bind "$dir/state" /var/lib/v6kit
		exec "\$@"
	EOF
	chmod 755 "$dir/enter"
}

# lab_router_tools DIR TOOL...: put built tools on the router's PATH.
lab_router_tools() {
	local dir=$1 tool
	shift
	for tool in "$@"; do ln -sf "$V6KIT_BIN/$tool" "$dir/sbin/$tool"; done
}

# ---- scripts: the demo and the benchmarks ------------------------------

[ -n "${LAB_BATS:-}" ] && return 0

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# The benchmarks' names for ns, lab_ns, lab_link and LAB_DIR (LAB_TMP).
host() { ns "$@"; }
lab_host() { lab_ns "$@"; }
lab_wire() { lab_link "$@"; }

trap lab_cleanup EXIT
trap 'exit 130' INT TERM
lab_init "v6demo$$"
# shellcheck disable=SC2034 # for the benchmarks
LAB_TMP=$LAB_DIR
# The restart guard's history too (tun6in4 keeps it under /var/lib/v6kit).
export V6KIT_STATEDIR="$LAB_DIR/state"
mkdir -p "$V6KIT_STATEDIR"
