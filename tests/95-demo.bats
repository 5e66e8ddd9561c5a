#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo` runs as part of `make check`: the whole story (two brokers,
# the router's interfaces file through the real ifup and v6kit's hook,
# source routing, the NDP proxy, a LAN host, tunbench, ifdown -a) must
# succeed, stay under two minutes and leave nothing behind.

load helpers

@test "make demo: the whole host end to end, nothing left behind" {
	requires root cmd:ifup cmd:ifdown cmd:run-parts not-sanitized
	start=$(date +%s)
	run timeout --kill-after=10 180 "$TOP/scripts/demo"
	secs=$(($(date +%s) - start))
	echo "demo took ${secs}s" >&3
	assert_success
	assert_output --partial "2001:db8:470:1::100    (the LAN host) reached, and its reply came back through he0"
	assert_output --partial "2001:db8:1::100        (the LAN host) reached, and its reply came back through eth1"
	assert_output --partial "2001:db8:5a::2         (the router)  reached, and its reply came back through he1"
	assert_output --regexp "PING OK .*"
	assert_output --partial "the router is as it was before ifup"
	assert_output --partial "no namespace, link, process or file left behind"
	# The demo's own checks, checked from outside: its namespaces and files.
	prefix=$(sed -n 's/^demo: lab namespaces \(.*\)-\*, files in .*/\1/p' <<<"$output")
	dir=$(sed -n 's/^demo: lab namespaces .*, files in \(.*\)$/\1/p' <<<"$output")
	[ -n "$prefix" ] && [ -n "$dir" ]
	run ip netns list
	refute_output --partial "$prefix-"
	[ ! -e "$dir" ]
	# Slack for a loaded machine; alone it takes about 15 s.
	[ "$secs" -lt 120 ]
}
