# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154
# (sourced by scripts/demo: top, V6KIT_*, LAB_* and the helpers come from it,
# scripts/lab.sh and the chapters before)
# Chapter 3: every address answers through the uplink it belongs to.  The
# internet drops what arrives from a network with a source that network
# does not own, so a reply that took the wrong uplink would be lost.
say "3. from the server out there ($WORLD), through each uplink"
n_ok=0
for target in 2001:db8:470::2:he0 2001:db8:5a::2:he1 2001:db8:470:1::100:he0 2001:db8:1::100:eth1; do
	a=${target%:*}
	via=${target##*:}
	case "$a" in
	2001:db8:470:1::100 | 2001:db8:1::100) what="the LAN host" ;;
	*) what="the router" ;;
	esac
	if ping6 internet "$WORLD" "$a"; then
		printf '  %-22s %-13s reached, and its reply came back through %s\n' "$a" "($what)" "$via"
		n_ok=$((n_ok + 1))
	else
		die "$a ($what) did not answer through $via"
	fi
done

say "the router's own traffic leaves from each tunnel's address through that tunnel"
for src in 2001:db8:470::2 2001:db8:5a::2 2001:db8:1::2; do
	ping6 router "$src" "$WORLD" || die "ping from $src failed"
	printf '  from %-16s ok\n' "$src"
done

say "the LAN host reaches the world from both its addresses"
for src in 2001:db8:470:1::100 2001:db8:1::100; do
	ping6 lan "$src" "$WORLD" || die "ping from the LAN host's $src failed"
	printf '  from %-20s ok\n' "$src"
done
run on modem ip -6 neigh show 2001:db8:1::100
