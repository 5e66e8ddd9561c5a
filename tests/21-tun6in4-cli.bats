#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# tun6in4's command line: help, options before or after the verb, one-line
# usage errors, the shape of show -j and what -v says about waits.  Most
# of it needs neither root nor namespaces; what does brings up a user-mode
# tunnel in the lab (this kernel has no sit).
#
#   a (192.0.2.1)  --va/vb--  b (192.0.2.2)

load helpers

VERBS=(up down change reload show restart keepalive)

setup() {
	# Nothing here may reach the host's own tunnels or state.
	export V6KIT_TUNNELS_DIR="$BATS_TEST_TMPDIR/tunnels"
	export V6KIT_RUNDIR="$BATS_TEST_TMPDIR/run"
	export V6KIT_STATEDIR="$BATS_TEST_TMPDIR/state"
	mkdir -p "$V6KIT_TUNNELS_DIR" "$V6KIT_RUNDIR" "$V6KIT_STATEDIR"
}

teardown() {
	[ -z "${LAB_DIR:-}" ] || lab_teardown
}

t64() { tool tun6in4 "$@"; }

# usage_cases "ARGS|TOKEN"...: each tun6in4 ARGS is the usage error of its
# first word (the verb) naming TOKEN, as usage_line checks.
usage_cases() {
	local c
	for c; do
		# shellcheck disable=SC2086 # ARGS are words
		run --separate-stderr t64 ${c%%|*}
		usage_line "${c%%[ |]*}" "${c#*|}"
	done
}

# usage_line VERB TOKEN: the last run failed with exit 1 and printed exactly
# one line on stderr and nothing on stdout: VERB's usage error naming TOKEN
# (TOKEN empty: naming nothing in particular).
usage_line() {
	[ "$status" = 1 ] || fail "exit $status, not 1: $stderr"
	[ -z "$output" ] || fail "stdout: $output"
	[ "${#stderr_lines[@]}" = 1 ] || fail "not one line: $stderr"
	[[ "$stderr" == "tun6in4: $1: "*". Try 'tun6in4 help $1'." ]] || fail "$stderr"
	[ -z "$2" ] || [[ "$stderr" == *"'$2'"* ]] || fail "'$2' not named: $stderr"
}

@test "help lists every verb; help VERB, VERB -h and VERB --help print that verb's usage" {
	run --separate-stderr -0 t64 help
	[ -z "$stderr" ]
	[[ "${lines[0]}" == "Usage: tun6in4 [OPTIONS] COMMAND [ARGUMENTS]" ]]
	local v h help
	for v in "${VERBS[@]}"; do
		grep -q "^  $v  " <<<"$output" || fail "help does not list $v"
	done
	refute_output --partial "Where:"
	help=$output
	run --separate-stderr -0 t64 -h
	[ "$output" = "$help" ]
	run --separate-stderr -0 t64 --help
	[ "$output" = "$help" ]
	for v in "${VERBS[@]}"; do
		run --separate-stderr -0 t64 help "$v"
		[ -z "$stderr" ]
		[[ "${lines[0]}" == "Usage: tun6in4 [OPTIONS] $v"* ]] || fail "help $v: ${lines[0]}"
		# The meaning of the verb's arguments, in its own help.
		grep -q '^  [A-Z-]' <<<"$output" || fail "help $v has no details"
		help=$output
		for h in -h --help; do
			run --separate-stderr -0 t64 "$v" "$h"
			[ -z "$stderr" ] && [ "$output" = "$help" ] || fail "$v $h differs from help $v"
			run --separate-stderr -0 t64 "$v" t6 "$h"
			[ "$output" = "$help" ] || fail "$v t6 $h differs from help $v"
		done
	done
	# Each verb's help holds what the old "Where:" block said about it.
	run -0 t64 help up
	assert_output --partial "max-starts  refuse more than N starts in SECS seconds"
	assert_output --partial "--foreground"
	run -0 t64 help change
	assert_output --partial "in kernel mode also remote, ttl, mtu"
	run -0 t64 help restart
	assert_output --partial "--dry-run"
	run -0 t64 help keepalive
	assert_output --partial "--once"
}

@test "VERB --help does nothing else: no conf file is opened, no state written" {
	# A FIFO blocks whoever opens it: a verb that looked up its conf file
	# would hang until the timeout.
	local v
	for v in t6 --bogus --help; do
		mkfifo "$V6KIT_TUNNELS_DIR/$v.conf"
	done
	run timeout 2 "$V6KIT_BIN/tun6in4" up t6
	[ "$status" = 124 ] || fail "the FIFO did not block 'up t6': $status"
	for v in up restart keepalive reload down show change; do
		run --separate-stderr -0 timeout 5 "$V6KIT_BIN/tun6in4" "$v" t6 --help
		[[ "${lines[0]}" == "Usage: tun6in4 [OPTIONS] $v"* ]]
		run --separate-stderr -0 timeout 5 "$V6KIT_BIN/tun6in4" "$v" -h
		run --separate-stderr -0 timeout 5 "$V6KIT_BIN/tun6in4" "$v" --bogus --help
	done
	# An unknown option is never taken for a NAME to read NAME.conf of.
	run --separate-stderr timeout 5 "$V6KIT_BIN/tun6in4" up --bogus
	usage_line up --bogus
	run --separate-stderr timeout 5 "$V6KIT_BIN/tun6in4" restart --bogus
	usage_line restart --bogus
	run --separate-stderr timeout 5 "$V6KIT_BIN/tun6in4" keepalive --bogus
	usage_line keepalive --bogus
	[ -z "$(find "$V6KIT_RUNDIR" "$V6KIT_STATEDIR" -mindepth 1)" ]
}

@test "help of an unknown verb, an unknown verb, help with two words: exit 1, one line" {
	run --separate-stderr -1 t64 help bogus
	[ -z "$output" ]
	[ "$stderr" = "tun6in4: help: unknown command 'bogus'. Try 'tun6in4 help'." ]
	run --separate-stderr -1 t64 bogus
	[ "$stderr" = "tun6in4: unknown command 'bogus'. Try 'tun6in4 help'." ]
	run --separate-stderr -1 t64 help up down
	[ "${#stderr_lines[@]}" = 1 ] && [[ "$stderr" == *"'down'"* ]]
	# A shared option without its value, before the verb or after it.
	run --separate-stderr -1 t64 --netns
	[ "$stderr" = "tun6in4: option '--netns' needs a value. Try 'tun6in4 help'." ]
	run --separate-stderr -1 t64 -n
	[ "$stderr" = "tun6in4: option '-n' needs a value. Try 'tun6in4 help'." ]
	run --separate-stderr -1 t64 show -n
	[ "$stderr" = "tun6in4: show: option '-n' needs a value. Try 'tun6in4 help show'." ]
	run --separate-stderr -1 t64 --bogus show
	[ "$stderr" = "tun6in4: unknown option '--bogus'. Try 'tun6in4 help'." ]
}

@test "an unknown option after any verb is one usage line naming it; nothing is done" {
	local cases=(
		"up --bogus|--bogus"
		"up t6 --bogus|--bogus"
		"up t6 remote 192.0.2.2 -x|-x"
		"up t6 remote 192.0.2.2 --wait 3 --frob|--frob"
		"down -x|-x"
		"down t6 --frob|--frob"
		"change -z|-z"
		"change t6 -q 1|-q"
		"change t6 mtu 1400 --now|--now"
		"reload --nope|--nope"
		"reload t6 -k|-k"
		"show -x|-x"
		"show t6 --all|--all"
		"restart --frob|--frob"
		"restart t6 --frob|--frob"
		"restart -f x.conf -Z|-Z"
		"keepalive t6 --twice|--twice"
		"keepalive -q|-q"
	)
	usage_cases "${cases[@]}"
	[ -z "$(find "$V6KIT_RUNDIR" "$V6KIT_STATEDIR" -mindepth 1)" ]
}

@test "a missing or extra argument is one usage line, never the whole usage" {
	local cases=(
		"up|"
		"up t6 --wait|--wait"
		"up -f|-f"
		"up t6 remote|remote"
		"up t6 --wait soon|soon"
		"up t6 -f t6.conf|t6"
		"up -f t6.conf remote 192.0.2.2|remote"
		"down|"
		"down t6 t7|t7"
		"change|"
		"change t6|t6"
		"change t6 mtu|mtu"
		"reload|"
		"reload t6 t7|t7"
		"show t6 t7|t7"
		"restart|"
		"restart -f|-f"
		"restart t6 --wait|--wait"
		"restart t6 t7|t7"
		"restart t6 -f t6.conf|t6"
		"keepalive|"
		"keepalive -f|-f"
		"keepalive t6 t7|t7"
	)
	usage_cases "${cases[@]}"
}

@test "the program calls itself tun6in4 whatever it was started as" {
	ln -s "$V6KIT_BIN/tun6in4" "$BATS_TEST_TMPDIR/t64-other"
	run --separate-stderr -1 "$BATS_TEST_TMPDIR/t64-other" down -x
	[ "$stderr" = "tun6in4: down: unknown option '-x'. Try 'tun6in4 help down'." ]
	run --separate-stderr -1 "$BATS_TEST_TMPDIR/t64-other" frob
	[ "$stderr" = "tun6in4: unknown command 'frob'. Try 'tun6in4 help'." ]
	run -0 "$BATS_TEST_TMPDIR/t64-other" help down
	[ "${lines[0]}" = "Usage: tun6in4 [OPTIONS] down NAME" ]
	refute_output --partial t64-other
	# Not through a link either: a copy under another name, by relative path.
	cp "$V6KIT_BIN/tun6in4" "$BATS_TEST_TMPDIR/6in4"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr -1 ./6in4 show --nope
	[ "$stderr" = "tun6in4: show: unknown option '--nope'. Try 'tun6in4 help show'." ]
}

two_hosts() {
	lab_ns a b
	lab_link a va b vb
	lab_addr a va 192.0.2.1/24
	lab_addr b vb 192.0.2.2/24
}

@test "-j, -p and -n after show: JSON of the namespace's tunnels, [] for none" {
	requires root
	lab_setup
	lab_ns a
	run --separate-stderr -0 t64 show -j -n "$(ns a)"
	[ "$output" = "[]" ] && [ -z "$stderr" ]
	run -0 t64 show --json --netns "$(ns a)"
	[ "$output" = "[]" ]
	run -0 t64 -n "$(ns a)" show -p
	[ "$output" = "[]" ]
	run -0 t64 show -n "$(ns a)"
	[ "$output" = "" ]
	# A NAME and an option in either order.
	run --separate-stderr -2 t64 show t6 -n "$(ns a)" -j
	[ "$stderr" = "tun6in4: t6: not up" ] && [ -z "$output" ]
}

@test "show -j: every documented key in every object, null when unset" {
	requires root
	lab_setup
	two_hosts
	t64 -n "$(ns a)" up t6 remote 192.0.2.2 local 192.0.2.1 address 2001:db8::1/64
	t64 -n "$(ns a)" up t7 remote 192.0.2.2 local 192.0.2.1 address 2001:db8:7::1/64 \
		gateway 2001:db8:7::2 table 100
	run -0 t64 show -n "$(ns a)" -j
	local j=$output
	local keys="addresses default_route gateway local mode mtu name pid ptb_sent remote rx_bytes"
	keys+=" rx_dropped rx_packets state table ttl tx_bytes tx_dropped tx_packets"
	[ "$(jq -r '.[0] | keys | join(" ")' <<<"$j")" = "$keys" ]
	[ "$(jq -r '.[1] | keys | join(" ")' <<<"$j")" = "$keys" ]
	[ "$(jq -c '.[0] | [.name, .table, .gateway]' <<<"$j")" = '["t6",null,null]' ]
	[ "$(jq -c '.[1] | [.name, .table, .gateway]' <<<"$j")" = '["t7","100","2001:db8:7::2"]' ]
	[ "$(jq '.[0].pid | type' <<<"$j")" = '"number"' ]
	# Each key is described in the man page.
	local k
	for k in $keys; do
		sed -n '/^\.It Cm show/,/^\.El/p' "$TOP/man/tun6in4.8" | grep -q "^\.It Sy .*\<$k\>" ||
			fail "$k not in tun6in4(8)"
	done
	# Text mode prints no placeholder for what is unset.
	run -0 t64 -n "$(ns a)" show t6
	refute_output --partial "table"
	refute_output --partial "gateway"
}

@test "-v after up --wait and restart says what is waited for" {
	requires root
	lab_setup
	two_hosts
	local up=(up t6 remote 192.0.2.2 local 192.0.2.9 address 2001:db8::1/64 mode user)
	# Without -v the wait is silent; the error says what was missing.
	run --separate-stderr -2 t64 -n "$(ns a)" "${up[@]}" --wait 1
	[ "$stderr" = "tun6in4: t6: local 192.0.2.9: not an address of this host after --wait 1 s" ]
	# The address comes while up waits for it.  The budget is generous: it
	# also covers the daemon's start and the link coming up, which take
	# seconds of their own under the sanitizers on a busy machine.
	lab_bg a sh -c "sleep 1; ip addr add 192.0.2.9/24 dev va"
	run --separate-stderr t64 "${up[@]}" --wait 15 -v -n "$(ns a)"
	[ "$status" = 0 ] || fail "exit $status: $stderr"
	[ "${stderr_lines[0]}" = "tun6in4: t6: waiting up to 15 s for local address 192.0.2.9" ] ||
		fail "$stderr"
	[[ "$stderr" == *"tun6in4: t6: up (user mode)"* ]]
	# restart: the old daemon's exit and the new one's start.
	printf 'remote 192.0.2.2\nlocal 192.0.2.9\naddress 2001:db8::1/64\nmode user\n' >"$LAB_DIR/t6.conf"
	t64 -n "$(ns a)" down t6
	t64 -n "$(ns a)" up -f "$LAB_DIR/t6.conf"
	run --separate-stderr -0 t64 -n "$(ns a)" restart -f "$LAB_DIR/t6.conf" --wait 3 -v
	[[ "$stderr" == *"tun6in4: t6: waiting up to 5 s for the tunnel daemon (pid "*") to exit"* ]]
	[[ "$stderr" == *"tun6in4: t6: waiting up to 5 s for the tunnel daemon (pid "*") to start"* ]]
	run --separate-stderr -0 t64 -n "$(ns a)" restart -f "$LAB_DIR/t6.conf" --wait 3
	[ -z "$stderr" ]
}

@test "without root, up, down and the other changing verbs say they need root; show does not" {
	lab_setup
	lab_ns a
	# restart and keepalive read the conf first: one nobody may read.
	export V6KIT_TUNNELS_DIR="$LAB_DIR/tunnels"
	mkdir -p "$V6KIT_TUNNELS_DIR"
	chmod 755 "$LAB_DIR"
	printf 'remote 192.0.2.2\naddress 2001:db8::1/64\n' >"$V6KIT_TUNNELS_DIR/t6.conf"
	local snap
	snap=$(kernel_snapshot a)
	for verb in "up t6 remote 192.0.2.2 address 2001:db8::1/64" "down t6" "change t6 mtu 1400" \
		"reload t6" "restart t6" "keepalive t6 --once"; do
		# shellcheck disable=SC2086 # the verb's words
		run --separate-stderr as_user tun6in4 -n "$(ns a)" $verb
		assert_failure 2
		assert_equal "$stderr" "tun6in4: network namespace '$(ns a)': Operation not permitted (needs root)"
	done
	run --separate-stderr as_user net_admin tun6in4 -n "$(ns a)" up t6 remote 192.0.2.2
	assert_failure 2
	assert_equal "$stderr" "tun6in4: network namespace '$(ns a)': Operation not permitted"
	run --separate-stderr as_user tun6in4 -n "$(ns a)" show
	assert_failure 2
	assert_equal "$stderr" "tun6in4: network namespace '$(ns a)': Operation not permitted"
	[ "$snap" = "$(kernel_snapshot a)" ]
}
