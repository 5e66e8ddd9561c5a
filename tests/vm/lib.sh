# SPDX-License-Identifier: GPL-2.0-or-later
# Guest-side helpers for the VM scenarios (POSIX sh, busybox ash).  Init
# sources this file before each tests/vm/scenarios/NN-name.sh, so a scenario
# is a plain list of checks:
#
#     # vm-needs: PROG...      host programs to copy into the guest (optional)
#     # vm-modules: MOD...     kernel modules to load at boot (optional)
#     vm_ns a b
#     vm_link a eth0 b eth0
#     vm_addr a eth0 192.0.2.1/24
#     check "a reaches b" in_ns a ping -c 1 -W 2 192.0.2.2
#
# TAP numbering is shared by every scenario of the run (the count lives in
# /run/v6kit-vm/count); init prints the plan at the end.  Namespaces,
# background processes and leftovers are cleaned up after each scenario.
# Addresses: documentation ranges only.
#
# Not scripts/lab.sh, the lab of the tests, the demo and the benchmarks:
# the guest has busybox ash, not bash (no arrays, no bats), and the
# scenarios report TAP lines themselves; the functions mirror lab.sh's
# names (in_ns, wait_for, t, tool) so a check reads the same in both.
# shellcheck shell=sh

VM_COUNT=/run/v6kit-vm/count
# Seconds a single guest command may take before it counts as hung (TCG is
# slow: generous).
VM_CMD_TIMEOUT=${VM_CMD_TIMEOUT:-30}

# ---- TAP ----------------------------------------------------------------

tap_next() {
	TAP_N=$(($(cat "$VM_COUNT") + 1))
	echo "$TAP_N" >"$VM_COUNT"
}

# diag TEXT...: TAP comment lines, one per line of TEXT.
diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

ok() {
	tap_next
	echo "ok $TAP_N - $*"
}

# not_ok DESC [DIAG...]
not_ok() {
	_d=$1
	shift
	tap_next
	echo "not ok $TAP_N - $_d"
	[ $# -eq 0 ] || diag "$@"
	# Init shows the syslog after a scenario with failures.
	: >/run/v6kit-vm/failed
}

# skip DESC REASON: a test that could not run here (TAP "# SKIP").
skip() {
	tap_next
	echo "ok $TAP_N - $1 # SKIP $2"
}

# check DESC CMD...: ok when CMD succeeds; otherwise not ok with its output.
check() {
	_d=$1
	shift
	if _out=$("$@" 2>&1); then
		ok "$_d"
	else
		not_ok "$_d" "command (status $?): $*" "$_out"
	fi
}

# check_status DESC CODE CMD...: ok when CMD exits with exactly CODE.
check_status() {
	_d=$1 _want=$2
	shift 2
	_out=$("$@" 2>&1)
	_rc=$?
	if [ "$_rc" = "$_want" ]; then
		ok "$_d"
	else
		not_ok "$_d" "command: $*" "expected status $_want, got $_rc" "$_out"
	fi
}

# check_eq DESC WANT GOT: ok when two strings are equal.
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "expected: $2" "got:      $3"
	fi
}

# check_ge DESC MIN GOT: ok when the number GOT >= MIN.
check_ge() {
	if [ "${3:-0}" -ge "$2" ] 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1" "expected at least $2, got '${3:-}'"
	fi
}

# figure NAME VALUE UNIT: a measured figure (benchmarks); the host collects
# the "# bench:" lines.
figure() {
	echo "# bench: $1 = $2 $3"
}

# now: seconds since boot, to 10 ms.
now() {
	cut -d' ' -f1 /proc/uptime
}

# ---- commands -----------------------------------------------------------

# Debian's busybox runs its own applets before anything in PATH (shell and
# timeout alike), so its small `ip` would shadow iproute2's.  Every staged
# program in /usr/bin gets a function of its name, and t() resolves names
# to /usr/bin first.  A nested `sh -c '…ip…'` would get busybox's again:
# call functions instead, or spell /usr/bin/ip.
for _p in /usr/bin/*; do
	[ -x "$_p" ] || continue
	_p=${_p##*/}
	case "$_p" in
	*[!A-Za-z0-9_]*) continue ;;
	esac
	eval "$_p() { /usr/bin/$_p \"\$@\"; }"
done

# t CMD...: CMD under the command timeout.
t() {
	_c=$1
	shift
	[ -x "/usr/bin/$_c" ] && _c=/usr/bin/$_c
	timeout "$VM_CMD_TIMEOUT" "$_c" "$@"
}

# have_tool NAME: the v6kit tool NAME was built and staged.
have_tool() {
	[ -x "$V6KIT_BIN/$1" ]
}

# tool NAME ARGS...: run a v6kit tool under the timeout.
tool() {
	_t=$1
	shift
	t "$V6KIT_BIN/$_t" "$@"
}

# wait_for SECS CMD...: poll CMD every 100 ms until it succeeds; fail after
# SECS.  A condition, never a sleep-and-hope.
wait_for() {
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	echo "wait_for: timed out: $*" >&2
	return 1
}

# ---- namespace lab --------------------------------------------------------

# vm_ns NAME...: hosts with loopback up, IPv6 DAD off (addresses usable at
# once), forwarding off.
vm_ns() {
	for _n in "$@"; do
		ip netns add "$_n" || return 1
		ip -n "$_n" link set lo up
		in_ns "$_n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 >/dev/null
	done
}

# in_ns NS CMD...: run CMD inside NS under the timeout.
in_ns() {
	_ns=$1
	shift
	t ip netns exec "$_ns" "$@"
}

# vm_link A IFA B IFB: a veth pair between hosts A and B, both ends up.
vm_link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" &&
		ip -n "$1" link set "$2" up &&
		ip -n "$3" link set "$4" up
}

# vm_wire NS IFACE...: make veth ends behave like a real wire for raw-socket
# readers.  A veth hands the peer packets whose checksums the sender left
# to "hardware" (CHECKSUM_PARTIAL) and unsegmented GSO packets; a NIC would
# finish both before the wire.  Needs ethtool (# vm-needs: ethtool).
vm_wire() {
	_ns=$1
	shift
	for _i in "$@"; do
		in_ns "$_ns" ethtool -K "$_i" tx off gso off gro off >/dev/null 2>&1 || return 1
	done
}

# have_prog NAME: a host program was staged into the guest.
have_prog() {
	[ -x "/usr/bin/$1" ]
}

# vm_addr NS IFACE ADDR/LEN: an address usable at once.
vm_addr() {
	case "$3" in
	*:*) ip -n "$1" addr add "$3" dev "$2" nodad ;;
	*) ip -n "$1" addr add "$3" dev "$2" ;;
	esac
}

# vm_pair: hosts a and b joined by the veth v4a-v4b, 192.0.2.1/24 on a's
# end and 192.0.2.2/24 on b's: the IPv4 path every tunnel scenario rides.
vm_pair() {
	vm_ns a b &&
		vm_link a v4a b v4b &&
		vm_addr a v4a 192.0.2.1/24 &&
		vm_addr b v4b 192.0.2.2/24
}

# vm_dirs: the tools' run, state, tunnel and iproute2 directories under
# /tmp (emptied after each scenario), with the guest's rt_tables.
vm_dirs() {
	export V6KIT_RUNDIR=/tmp/run V6KIT_STATEDIR=/tmp/state V6KIT_TUNNELS_DIR=/tmp/tunnels \
		V6KIT_IPROUTE2_DIR=/tmp/iproute2
	mkdir -p "$V6KIT_RUNDIR" "$V6KIT_STATEDIR" "$V6KIT_TUNNELS_DIR" \
		"$V6KIT_IPROUTE2_DIR/rt_tables.d" || return 1
	cp /etc/iproute2/rt_tables "$V6KIT_IPROUTE2_DIR/" 2>/dev/null || true
}

# vm_forward NS: make NS a router.
vm_forward() {
	in_ns "$1" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1 >/dev/null
}

# vm_bg NS CMD...: start CMD in the background inside NS.  Sets VM_BG_PID
# and VM_BG_LOG (its output); init kills it after the scenario.
VM_BG_N=0
# shellcheck disable=SC2034 # VM_BG_PID is for the scenarios
vm_bg() {
	_ns=$1
	shift
	VM_BG_N=$((VM_BG_N + 1))
	VM_BG_LOG=/tmp/bg.$VM_BG_N.log
	ip netns exec "$_ns" "$@" >"$VM_BG_LOG" 2>&1 &
	VM_BG_PID=$!
}

# listening NS PORT: something in NS listens on TCP PORT.
listening() {
	in_ns "$1" netstat -ltn 2>/dev/null | grep -q ":$2 "
}

# check_tcp DESC FROM TO ADDR: a TCP transfer of 256 KiB of random bytes
# from host TO (busybox httpd on ADDR's port 8080) to host FROM (wget), ok
# when every byte arrives intact.
check_tcp() {
	_d=$1 _from=$2 _to=$3 _addr=$4 _www=/tmp/www.$3
	mkdir -p "$_www"
	[ -s "$_www/blob" ] || head -c 262144 /dev/urandom >"$_www/blob"
	if ! listening "$_to" 8080; then
		vm_bg "$_to" httpd -f -p 8080 -h "$_www"
		wait_for 10 listening "$_to" 8080
	fi
	case "$_addr" in
	*:*) _url="http://[$_addr]:8080/blob" ;;
	*) _url="http://$_addr:8080/blob" ;;
	esac
	_got=$(in_ns "$_from" wget -q -O - "$_url" 2>&1 | md5sum)
	_want=$(md5sum <"$_www/blob")
	if [ "$_got" = "$_want" ]; then
		ok "$_d"
	else
		not_ok "$_d" "wget $_url from $_from: md5 $_got, want $_want"
	fi
}

# link_stat NS IFACE COUNTER: a link counter (rx_packets, tx_packets, …).
link_stat() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# snmp6 NS FIELD: a per-namespace IPv6 counter from /proc/net/snmp6
# (Icmp6InEchos, Ip6InReceives, …).
snmp6() {
	# shellcheck disable=SC2016 # awk's own fields
	ip netns exec "$1" awk -v f="$2" '$1 == f { print $2 }' /proc/net/snmp6
}

# vm_reset: after a scenario, kill every process but init, remove every
# namespace and empty /tmp and /run/v6kit (state dirs), so the next
# scenario starts from a clean kernel and file system.  Init only.
vm_reset() {
	kill -KILL -1 2>/dev/null
	sleep 0.1
	ip -all netns delete 2>/dev/null
	rm -rf /tmp/* /tmp/.[!.]* /run/v6kit
	return 0
}
