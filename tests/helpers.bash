# SPDX-License-Identifier: GPL-2.0-or-later
# The bats side of the namespace lab in scripts/lab.sh (namespaces, veth
# links, background processes, the router's view, cleanup; shared with
# the demo and the benchmarks): a fresh lab per test, a `requires` guard,
# a timeout around every command, cleanup even when a test fails.
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
# The lab without the scripts' part (bats has its own run).
# shellcheck disable=SC2034 # read by scripts/lab.sh
LAB_BATS=1
# shellcheck source=scripts/lab.sh
. "$TOP/scripts/lab.sh"

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

# lab_setup: a lab of this test's own; its namespace names carry the
# pid and test number.
lab_setup() {
	lab_init "v6k$$-${BATS_TEST_NUMBER:-0}"
}

lab_teardown() {
	lab_cleanup
}

# tool NAME ARGS...: run a built v6kit tool under the timeout.
tool() {
	local name=$1
	shift
	t "$V6KIT_BIN/$name" "$@"
}

# as_user [CAP] TOOL ARGS...: TOOL run as nobody, with no capability or
# with CAP alone (e.g. net_admin) when the first word is a capability.
as_user() {
	local -a caps=()
	case "$1" in
	net_* | sys_*) caps=(--inh-caps="+$1" --ambient-caps="+$1") && shift ;;
	esac
	local name=$1
	shift
	t setpriv --reuid=65534 --regid=65534 --clear-groups "${caps[@]}" "$V6KIT_BIN/$name" "$@"
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
