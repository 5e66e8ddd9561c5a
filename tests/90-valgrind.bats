#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind memcheck over srcroute's main paths: zero errors, zero leaks.

load helpers

setup() {
	requires root not-sanitized cmd:valgrind
	lab_setup
	lab_ns host
	lab_link host sixxs0 host peer0
	lab_addr host sixxs0 2001:db8:a::2/64
	CONF="$LAB_DIR/srcroute.conf"
	printf '2001:db8:a::2 dev sixxs0 via 2001:db8:a::1\n192.0.2.2 dev sixxs0\n' >"$CONF"
}

teardown() { lab_teardown; }

# vg ARGS...: srcroute under memcheck; exit 99 on any error or leak.
vg() {
	t valgrind -q --error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		"$V6KIT_BIN/srcroute" -n "$(ns host)" "$@"
}

@test "valgrind: apply, re-apply, check, show, add, del, flush" {
	run vg apply -f "$CONF"
	assert_success
	run vg apply -f "$CONF"
	assert_success
	assert_output "0 changes"
	run vg check -f "$CONF"
	assert_success
	run vg -j show
	assert_success
	run vg show dev sixxs0
	assert_success
	run vg add 2001:db8:a::3 dev sixxs0 via 2001:db8:a::1
	assert_success
	run vg del 2001:db8:a::3
	assert_success
	run vg apply -f "$CONF" --dry-run --wait 1
	assert_success
	run vg flush
	assert_success
}

@test "valgrind: error paths (bad file, missing device, rollback, drift)" {
	printf '2001:db8:a::2 dev sixxs0 prio 0\n' >"$LAB_DIR/bad.conf"
	run vg apply -f "$LAB_DIR/bad.conf"
	assert_failure 1
	printf '2001:db8:a::2 dev nosuch0\n' >"$LAB_DIR/nodev.conf"
	run vg apply -f "$LAB_DIR/nodev.conf"
	assert_failure 2
	ip -n "$(ns host)" link add name down0 type veth peer name down1
	printf '2001:db8:a::2 dev sixxs0\n2001:db8:e::1 dev down0\n' >"$LAB_DIR/down.conf"
	run vg apply -f "$LAB_DIR/down.conf"
	assert_failure 2
	run vg check -f "$CONF"
	assert_failure 3
	run vg nosuchverb
	assert_failure 1
}
