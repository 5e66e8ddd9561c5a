#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# C unit tests (no root, no kernel): every binary built from tests/unit/.

load helpers

@test "unit tests: every tests/unit program passes" {
	local src bin n=0
	for src in "$TOP"/tests/unit/*.c; do
		bin="$V6KIT_BIN/unit/$(basename "${src%.c}")"
		[ -x "$bin" ] || fail "unit test not built: $bin"
		run t "$bin"
		echo "$output"
		assert_success
		refute_output --partial "not ok"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}
