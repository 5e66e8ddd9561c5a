#!/bin/bash
# Demo: is the tunnel fast enough, is it alive, what fits through it?
# A 6in4 tunnel between the host and a broker (tun6in4, user mode when the
# kernel has no sit); tunbench measures through it, checks it the way cron
# would (a ping from the tunnel's own address) and finds its MTU.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lab.sh
. "$top/scripts/lab.sh"
TB="$V6KIT_BIN/tunbench"
T64="$V6KIT_BIN/tun6in4"
[ -x "$T64" ] || die "tun6in4 not built"

say "tunbench: a 6in4 tunnel between host and broker (IPv4 underneath)"
lab_host host broker
lab_wire host eth0 broker wan0
ip -n "$(host host)" addr add 192.0.2.10/24 dev eth0
ip -n "$(host broker)" addr add 192.0.2.1/24 dev wan0
ip -n "$(host broker)" addr add 2001:db8:ffff::1/128 dev lo
"$T64" -n "$(host broker)" up he0 remote 192.0.2.10 local 192.0.2.1 \
	address 2001:db8:1::1/64 >/dev/null
run "$T64" -n "$(host host)" up he0 remote 192.0.2.1 local 192.0.2.10 \
	address 2001:db8:1::2/64 gateway 2001:db8:1::1 default-route yes

say "a tunbench server on the broker's side (several clients may test at once)"
lab_bg broker "$TB" server -B 2001:db8:ffff::1 >"$LAB_TMP/server.log" 2>&1
for _ in $(seq 100); do
	grep -q listening "$LAB_TMP/server.log" && break
	sleep 0.05
done
grep -q listening "$LAB_TMP/server.log" || die "the server did not start"

say "TCP through the tunnel, 3 seconds"
run "$TB" -n "$(host host)" client 2001:db8:ffff::1 -t 3
say "UDP at the tunnel's 60 Mbit/s peak: jitter, loss, reordering"
run "$TB" -n "$(host host)" client 2001:db8:ffff::1 -u -b 60m -t 2 -i 0
say "receive and store on disk at once (-R --write): network and disk rates apart"
run "$TB" -n "$(host host)" client 2001:db8:ffff::1 -R -t 2 -i 0 --write "$LAB_TMP/received.dat"
say "the same for scripts: NDJSON with iperf3's field names"
"$TB" -n "$(host host)" client 2001:db8:ffff::1 -t 1 -i 0 -j |
	jq -c 'select(.event == "summary") | {sum_sent, sum_received}'

say "the cron health check: ping from the tunnel's own address (exit 0 = OK)"
run "$TB" -n "$(host host)" ping 2001:db8:ffff::1 -I 2001:db8:1::2
say "the path MTU through the tunnel (6in4 over 1500-byte Ethernet: 1480)"
run "$TB" -n "$(host host)" mtu 2001:db8:ffff::1

"$T64" -n "$(host host)" down he0 >/dev/null
"$T64" -n "$(host broker)" down he0 >/dev/null
lab_cleanup
