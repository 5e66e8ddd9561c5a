# SPDX-License-Identifier: GPL-2.0-or-later
# Many kernel-mode tunnels up, then down (BENCH_TUNNELS, default 1000):
# tun6in4 (one command per tunnel, each returning once its tunnel is
# usable) vs a shell script of ip commands doing the same (link, address,
# up; link del) vs one `ip -batch`.  Each tunnel needs its own local/remote
# pair: 4 local addresses x 250 remotes.  Under TCG every exec costs tens of
# milliseconds, so each phase stops at BENCH_PHASE_SECS (default 60) and
# the figure says how many tunnels it reached; rates stay comparable.
# vm-smp: 1
# shellcheck shell=sh

n=${BENCH_TUNNELS:-1000}
[ "$n" -le 1000 ] || n=1000
budget=${BENCH_PHASE_SECS:-60}
export V6KIT_RUNDIR=/tmp/run
mkdir -p "$V6KIT_RUNDIR"
vm_ns a
for l in 1 2 3 4; do
	vm_addr a lo "192.0.2.$l/32"
done

i=0
while [ "$i" -lt "$n" ]; do
	echo "m$i 192.0.2.$((i / 250 + 1)) 198.51.100.$((i % 250 + 1)) 2001:db8:$(printf %x "$i")::1/64"
	i=$((i + 1))
done >/tmp/tunnels

# elapsed START: seconds since START (from now()).
elapsed() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}
# sit_count: sit links in a, the fallback sit0 aside.
sit_count() {
	ip -n a -o link show type sit | grep -vc ' sit0@'
}

# Per-tunnel commands; each reads "NAME LOCAL REMOTE V6/LEN".
tun6in4_up() {
	"$V6KIT_BIN/tun6in4" -n a up "$1" remote "$3" local "$2" address "$4" mode kernel
}
tun6in4_down() {
	"$V6KIT_BIN/tun6in4" -n a down "$1"
}
ip_up() {
	/usr/bin/ip -n a link add "$1" type sit local "$2" remote "$3" ttl 255 &&
		/usr/bin/ip -n a addr add "$4" dev "$1" nodad &&
		/usr/bin/ip -n a link set "$1" up
}
ip_down() {
	/usr/bin/ip -n a link del "$1"
}

# phase NAME FUNC COUNT: FUNC for the first COUNT tunnels, within the
# budget.  Sets DONE (tunnels handled) and FAILED, prints the figure.
phase() {
	DONE=0 FAILED=0
	_t0=$(now)
	_stopped=""
	while read -r _name _local _remote _v6; do
		[ "$DONE" -lt "$3" ] || break
		"$2" "$_name" "$_local" "$_remote" "$_v6" >/dev/null 2>&1 || FAILED=$((FAILED + 1))
		DONE=$((DONE + 1))
		if [ $((DONE % 10)) = 0 ] &&
			awk -v a="$_t0" -v b="$(now)" -v l="$budget" 'BEGIN { exit !(b - a > l) }'; then
			[ "$DONE" -lt "$3" ] && _stopped=", stopped at the ${budget}s budget"
			break
		fi
	done </tmp/tunnels
	_s=$(elapsed "$_t0")
	figure "$1" "$_s" "s for $DONE tunnels ($(awk -v d="$DONE" -v s="$_s" \
		'BEGIN { printf "%.1f", (s > 0 ? d / s : 0) }') tunnels/s$_stopped)"
}

# leftovers: remove every tunnel link still there, untimed.
leftovers() {
	ip -n a -o link show type sit | awk -F'[ :@]+' '$2 != "sit0" { print "link del " $2 }' \
		>/tmp/batch.left
	/usr/bin/ip -n a -batch /tmp/batch.left >/dev/null 2>&1
	rm -rf "${V6KIT_RUNDIR:?}"/*
}

if have_tool tun6in4; then
	phase tun6in4_up tun6in4_up "$n"
	check_eq "tun6in4: every tunnel made is there" "$DONE 0" "$(sit_count) $FAILED"
	phase tun6in4_down tun6in4_down "$DONE"
	check_eq "tun6in4: every tunnel taken down is gone" "0" "$FAILED"
	leftovers
else
	skip "tun6in4: $n tunnels up and down" "tun6in4 not built"
fi

phase ip_script_up ip_up "$n"
check_eq "ip script: every tunnel made is there" "$DONE 0" "$(sit_count) $FAILED"
phase ip_script_down ip_down "$DONE"
check_eq "ip script: every tunnel taken down is gone" "0" "$FAILED"
leftovers

while read -r name local remote v6; do
	echo "link add $name type sit local $local remote $remote ttl 255"
	echo "addr add $v6 dev $name nodad"
	echo "link set $name up"
done </tmp/tunnels >/tmp/batch.up
while read -r name _; do
	echo "link del $name"
done </tmp/tunnels >/tmp/batch.down
t0=$(now)
/usr/bin/ip -n a -batch /tmp/batch.up >/dev/null 2>&1
figure ip_batch_up "$(elapsed "$t0")" "s for $n tunnels"
check_eq "ip -batch: $n tunnels up" "$n" "$(sit_count)"
t0=$(now)
/usr/bin/ip -n a -batch /tmp/batch.down >/dev/null 2>&1
figure ip_batch_down "$(elapsed "$t0")" "s for $n tunnels"
check_eq "ip -batch: $n tunnels down" "0" "$(sit_count)"
