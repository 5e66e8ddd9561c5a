# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers the chapters share (sourced first).

# router_state: what ifdown must give back exactly: links, addresses,
# rules and routes of every table.
router_state() {
	local n
	n=$(ns router)
	ip -n "$n" -o link | sed 's/^[0-9]*: //; s/ qlen [0-9]*//'
	ip -n "$n" -o addr | sed 's/^[0-9]*: //; s/valid_lft.*//'
	ip -n "$n" -4 rule
	ip -n "$n" -6 rule
	ip -n "$n" -4 route show table all
	ip -n "$n" -6 route show table all | grep -v '^local fe80' || true
}

# ping6 HOST FROM TO: one echo, with what happened.
ping6() {
	on "$1" ping -6 -n -q -c 1 -W 3 -I "$2" "$3" >/dev/null
}
