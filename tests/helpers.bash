# SPDX-License-Identifier: GPL-2.0-or-later
# Shared test lab for every v6kit bats file: fresh network namespaces and
# veth links per test, background processes tracked by pid, a `requires`
# guard, a timeout around every command, cleanup even when a test fails.
#
# Use:   load helpers
#        setup()    { lab_setup; }
#        teardown() { lab_teardown; }
# Addresses are documentation ranges only: 2001:db8::/32, 192.0.2.0/24,
# 198.51.100.0/24, 203.0.113.0/24.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# The tools under test: build/ normally, build-asan/ for the sanitizer run.
V6KIT_BIN=${V6KIT_BIN:-$TOP/build}
# Seconds any single lab command may take before it counts as hung.
LAB_TIMEOUT=${LAB_TIMEOUT:-30}

# requires WHAT...: skip with a reason when the machine lacks it.  An
# unknown requirement is a bug in the test, so it fails loudly.
requires() {
	local r
	for r in "$@"; do
		case "$r" in
		root) [ "$(id -u)" = 0 ] || skip "needs root" ;;
		module:*) modprobe -q "${r#module:}" 2>/dev/null ||
			[ -d "/sys/module/${r#module:}" ] || skip "needs kernel module ${r#module:}" ;;
		cmd:*) command -v "${r#cmd:}" >/dev/null || skip "needs ${r#cmd:}" ;;
		scapy) /usr/bin/python3 -c 'import scapy' 2>/dev/null || skip "needs python3-scapy" ;;
		not-sanitized) [ -z "${V6KIT_SANITIZED:-}" ] || skip "not under sanitizers" ;;
		*) echo "requires: unknown requirement '$r'" >&2; return 1 ;;
		esac
	done
}

# t CMD...: run with the lab's timeout.
t() { timeout --kill-after=5 "$LAB_TIMEOUT" "$@"; }

# lab_setup: per-test state; every namespace name carries a unique prefix
# so parallel or leftover runs never collide.
lab_setup() {
	LAB_ID="v6k$$-${BATS_TEST_NUMBER:-0}"
	LAB_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/v6kit-lab.XXXXXX")
	LAB_NS=()
	LAB_PIDS=()
	# Table names go to a private iproute2 dir, never the host's /etc.
	export V6KIT_IPROUTE2_DIR="$LAB_DIR/iproute2"
	mkdir -p "$V6KIT_IPROUTE2_DIR/rt_tables.d"
	cp /etc/iproute2/rt_tables "$V6KIT_IPROUTE2_DIR/" 2>/dev/null || true
	export V6KIT_RUNDIR="$LAB_DIR/run"
	mkdir -p "$V6KIT_RUNDIR"
}

lab_teardown() {
	local pid ns
	for pid in "${LAB_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${LAB_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	done
	for ns in "${LAB_NS[@]}"; do
		# Kill anything still running inside, then the namespace.
		ip netns pids "$(ns "$ns")" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$(ns "$ns")" 2>/dev/null || true
	done
	[ -n "${LAB_DIR:-}" ] && rm -rf "$LAB_DIR"
	return 0
}

# ns SHORT: the real namespace name of a lab host.
ns() { printf '%s-%s' "$LAB_ID" "$1"; }

# lab_ns SHORT...: create hosts with loopback up, IPv6 DAD off (tests want
# addresses usable at once; tests of DAD turn it back on), forwarding off.
lab_ns() {
	local s n
	for s in "$@"; do
		n=$(ns "$s")
		ip netns add "$n"
		LAB_NS+=("$s")
		ip -n "$n" link set lo up
		in_ns "$s" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
}

# in_ns SHORT CMD...: run CMD inside a lab host, under the timeout.
in_ns() {
	local s=$1
	shift
	t ip netns exec "$(ns "$s")" "$@"
}

# lab_link A IFA B IFB: a veth pair between hosts A and B, both ends up.
# Returns once both ends are operationally up with their link-local
# address, so a later kernel_snapshot never catches the link mid-change.
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

# lab_bg HOST CMD...: start CMD in the background inside HOST, remember its
# pid for teardown; output goes to $LAB_DIR/bg.N.log.  Sets LAB_LAST_PID.
lab_bg() {
	local s=$1 log
	shift
	log="$LAB_DIR/bg.${#LAB_PIDS[@]}.log"
	ip netns exec "$(ns "$s")" "$@" >"$log" 2>&1 3>&- &
	LAB_LAST_PID=$!
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

# tool NAME ARGS...: run a built v6kit tool under the timeout.
tool() {
	local name=$1
	shift
	t "$V6KIT_BIN/$name" "$@"
}

# capture HOST IFACE FILTER: start tcpdump writing to $LAB_DIR/IFACE.pcap;
# returns once it is listening.
capture() {
	local f="$LAB_DIR/$2.pcap"
	lab_bg "$1" tcpdump -n -U -i "$2" -w "$f" "${@:3}"
	wait_for 10 grep -q "listening on" "$LAB_LAST_LOG"
	CAPTURE_PID=$LAB_LAST_PID
}

# capture_stop: stop the last capture, flush it to disk.
capture_stop() {
	kill -INT "$CAPTURE_PID" 2>/dev/null || true
	wait "$CAPTURE_PID" 2>/dev/null || true
}

# pcap_count FILE FILTER...: packets in FILE matching FILTER.
pcap_count() {
	local f=$1
	shift
	tcpdump -n -r "$f" "$@" 2>/dev/null | wc -l
}

# kernel_snapshot HOST: rules, routes in every table, links and addresses,
# for asserting that a failed command left the kernel exactly as it was.
kernel_snapshot() {
	local n
	n=$(ns "$1")
	{
		ip -n "$n" -4 rule
		ip -n "$n" -6 rule
		ip -n "$n" -4 route show table all
		ip -n "$n" -6 route show table all
		ip -n "$n" -o link | sed 's/ qlen [0-9]*//'
		ip -n "$n" -o addr
	} 2>&1
}

# Persistent state (tun6in4's restart history, the health check's backoff)
# goes to a directory of this test run, never the host's /var/lib/v6kit;
# a test that needs its own sets V6KIT_STATEDIR itself.
export V6KIT_STATEDIR=${V6KIT_STATEDIR:-${BATS_RUN_TMPDIR:-${BATS_TMPDIR:-/tmp}}/v6kit-state}
