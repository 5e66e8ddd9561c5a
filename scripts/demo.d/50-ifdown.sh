# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154
# (sourced by scripts/demo: top, V6KIT_*, LAB_* and the helpers come from it,
# scripts/lab.sh and the chapters before)
# Chapter 5: shutdown.  ifdown -a takes every stanza down in reverse; the
# hook stops the NDP proxy, removes the stanzas' source routes and the
# tunnels.  The router must be exactly as before ifup.
say "5. ifdown -a"
run router ifdown -a -i /etc/network/interfaces --state-dir "$R/ifstate"
if [ "$(router_state)" != "$router_before" ]; then
	diff <(printf '%s\n' "$router_before") <(router_state) || true
	die "ifdown -a left the router different from before ifup"
fi
[ -z "$(ip netns pids "$(ns router)")" ] || die "processes left running in the router"
# What the tools keep in /run/v6kit must be gone too; lock files and
# registries emptied down to their comment header may stay, and the
# restart guard's history (*.starts) is meant to.
left=""
while IFS= read -r f; do
	grep -qv '^#' "$f" && left="$left $f"
done < <(find "$V6KIT_RUNDIR" -type f ! -name '*.starts')
[ -z "$left" ] || die "files left in the router's /run/v6kit:$left"
echo "the router is as it was before ifup: no tunnel, rule, route, address or process of v6kit"
broker1 down he0 >/dev/null
broker2 down he1 >/dev/null
