# SPDX-License-Identifier: GPL-2.0-or-later
# tunbench's lab for its bats files: load helpers, then this.

TB() { echo "$V6KIT_BIN/tunbench"; }

# a -- b on one link, IPv6 and IPv4.
two_hosts() {
	lab_ns a b
	lab_link a a0 b b0
	lab_addr a a0 2001:db8:1::1/64
	lab_addr b b0 2001:db8:1::2/64
	lab_addr a a0 192.0.2.1/24
	lab_addr b b0 192.0.2.2/24
}

# start_server HOST ARGS...: tunbench server in HOST, ready when it
# returns; SERVER_LOG and SERVER_PID name it.
start_server() {
	local h=$1
	shift
	lab_bg "$h" "$(TB)" server "$@"
	SERVER_LOG=$LAB_LAST_LOG
	SERVER_PID=$LAB_LAST_PID
	wait_for 10 grep -q "listening" "$SERVER_LOG"
}
