# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154
# (sourced by scripts/demo: top, V6KIT_*, LAB_* and the helpers come from it,
# scripts/lab.sh and the chapters before)
# Chapter 4: is each tunnel fast and healthy?  A tunbench server out
# there; a throughput run and the cron health check (a ping from the
# tunnel's own address, monitoring-plugin exit codes) through each tunnel.
TB="$V6KIT_BIN/tunbench"
say "4. tunbench through each tunnel"
lab_bg internet "$TB" server -B "$WORLD"
wait_for 5 grep -q listening "$LAB_LAST_LOG" || die "the tunbench server did not start"
for t in he0:2001:db8:470::2 he1:2001:db8:5a::2; do
	src=${t#*:}
	say "$src through ${t%%:*}: TCP for 2 seconds"
	run "$TB" -n "$(ns router)" client "$WORLD" -B "$src" -t 2 -i 0
	say "health check of ${t%%:*} (exit 0 = OK)"
	run "$TB" -n "$(ns router)" ping "$WORLD" -I "$src" -c 3 -i 0.2
done
