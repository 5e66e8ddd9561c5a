#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# tunbench: client/server over loopback and the lab, loss accounting, -j,
# --write, ping's plugin statuses, source-bound pings, the MTU search and
# black holes, and a server that outlives bad clients.

load helpers
load tunbench

setup() { lab_setup; }
teardown() { lab_teardown; }

# client HOST ARGS...: run a client inside HOST.
client() {
	local h=$1
	shift
	in_ns "$h" "$(TB)" client "$@"
}

# The JSON lines of $output or a log (stderr's notices mixed in dropped).
json_of() { grep '^{' "$@"; }
summary() { json_of <<<"$output" | jq -c 'select(.event == "summary")'; }

# netem is not built into every kernel: skip with the reason.
requires_netem() {
	requires cmd:tc
	ip netns exec "$(ns a)" tc qdisc add dev a0 root netem delay 1ms 2>/dev/null ||
		skip "needs the sch_netem qdisc (not in this kernel)"
	ip netns exec "$(ns a)" tc qdisc del dev a0 root
}

# nft_drop HOST HOOK RULE: add a counting drop rule in an inet table.
nft_drop() {
	in_ns "$1" nft add table inet tb
	in_ns "$1" nft add chain inet tb c "{ type filter hook $2 priority 0 ; }"
	in_ns "$1" nft add rule inet tb c "$3" counter drop
}

nft_dropped() {
	in_ns "$1" nft -j list table inet tb | jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets] | add'
}

# send_raw HOST HOSTADDR PORT PYTHON-BYTES: connect and write bytes, print
# whatever comes back before the server closes.
send_raw() {
	in_ns "$1" /usr/bin/python3 - "$2" "$3" "$4" <<'EOF'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=15)
s.sendall(eval(sys.argv[3]))
data = b""
try:
    while True:
        d = s.recv(4096)
        if not d:
            break
        data += d
except OSError:
    pass
print(data.decode(errors="replace"))
EOF
}

@test "tunbench: TCP over loopback, -j summary and intervals with iperf3 names" {
	requires root cmd:jq
	lab_ns a
	start_server a -p 5301
	run client a ::1 -p 5301 -t 1 -i 0.5 -j
	assert_success
	[ "$(jq -s '[.[] | select(.event == "interval")] | length' <<<"$output")" -ge 2 ]
	s=$(summary)
	[ "$(jq '.sum_received.bytes' <<<"$s")" -gt 0 ]
	[ "$(jq '.sum_received.bytes == .sum_sent.bytes' <<<"$s")" = true ]
	[ "$(jq '.sum_sent.retransmits | type' <<<"$s")" = '"number"' ]
	[ "$(jq '.sum_received.bits_per_second > 0' <<<"$s")" = true ]
	refute_output --partial NaN
}

@test "tunbench: text output has iperf2-style lines and a SUM line with -P" {
	requires root
	two_hosts
	start_server b
	run client a 2001:db8:1::2 -t 1 -P 2
	assert_success
	assert_output --partial "[ ID] Interval       Transfer     Bandwidth"
	assert_output --regexp '\[  2\] +0\.00- *1\.0[0-9] sec'
	assert_output --regexp '\[SUM\] .* sender'
	assert_output --regexp '\[SUM\] .* receiver'
}

@test "tunbench: -P streams across the lab, every byte accounted per stream" {
	requires root cmd:jq
	two_hosts
	start_server b -j
	run client a 2001:db8:1::2 -t 1 -P 3 -j
	assert_success
	s=$(summary)
	[ "$(jq '.num_streams' <<<"$s")" = 3 ]
	[ "$(jq '[.streams[] | select(.receiver.bytes > 0 and .receiver.bytes == .sender.bytes)] | length' <<<"$s")" = 3 ]
	# The server reported the same test as receiver.
	wait_for 5 grep -q '"event":"summary"' "$SERVER_LOG"
	[ "$(json_of "$SERVER_LOG" | jq -s '[.[] | select(.event == "summary")][0].sum_received.bytes')" = \
		"$(jq '.sum_received.bytes' <<<"$s")" ]
}

@test "tunbench: -R makes the server send, over IPv4 too" {
	requires root cmd:jq
	two_hosts
	start_server b
	run client a 192.0.2.2 -t 1 -R -j
	assert_success
	[ "$(jq -s '[.[] | select(.event == "interval")][0].streams[0].sender' <<<"$output")" = false ]
	[ "$(jq '.sum_received.bytes > 0' <<<"$(summary)")" = true ]
	grep -q "TCP, 1 stream, 1000 ms, reverse" "$SERVER_LOG"
}

@test "tunbench: UDP paced to the set rate, no loss on a clean link, in both directions" {
	requires root cmd:jq
	two_hosts
	start_server b
	run client a 2001:db8:1::2 -u -b 20m -t 1 -j
	assert_success
	s=$(summary)
	# Paced to 20 Mbit/s: within 10% (the sender's own count).
	[ "$(jq '.sum_sent.bits_per_second > 18e6 and .sum_sent.bits_per_second < 22e6' <<<"$s")" = true ]
	[ "$(jq '.sum.lost_packets' <<<"$s")" = 0 ]
	[ "$(jq '.sum.packets > 1000' <<<"$s")" = true ]
	[ "$(jq '.sum.jitter_ms | type' <<<"$s")" = '"number"' ]
	# Datagrams fill a 1500-byte frame: 1450 bytes over IPv6, 1470 over IPv4.
	[ "$(jq '.sum_sent.bytes == .sum.packets * 1450' <<<"$s")" = true ]
	run client a 192.0.2.2 -u -b 1m -t 0.5 -j
	assert_success
	[ "$(jq '.sum_sent.bytes == .sum.packets * 1470' <<<"$(summary)")" = true ]
	# Datagrams above the link MTU at a rate that sends bursts: GSO cannot
	# cut them, so the sender falls back to plain batches (fragmented).
	run client a 192.0.2.2 -u -b 200m -l 2000 -t 0.5 -j
	assert_success
	[ "$(jq '.sum.packets > 1000 and .sum.lost_packets == 0' <<<"$(summary)")" = true ]
	run client a 2001:db8:1::2 -u -b 10m -t 1 -R -P 2 -j
	assert_success
	s=$(summary)
	[ "$(jq '.sum.lost_packets' <<<"$s")" = 0 ]
	[ "$(jq '[.streams[] | select(.receiver.packets > 0)] | length' <<<"$s")" = 2 ]
}

@test "tunbench: client -B SRC, -w WINDOW and -l LEN; server -B ADDR listens there only" {
	requires root cmd:jq
	two_hosts
	lab_addr a a0 2001:db8:1::11/64
	start_server b -B 2001:db8:1::2 -p 5301
	run client a 2001:db8:1::2 -p 5301 -B 2001:db8:1::11 -w 256K -t 1 -j
	assert_success
	grep -q "session 1 from 2001:db8:1::11:" "$SERVER_LOG"
	run client a 2001:db8:1::2 -p 5301 -u -b 1m -l 200 -t 1 -j
	assert_success
	s=$(summary)
	[ "$(jq '.sum_sent.bytes == .sum.packets * 200 and .sum.packets > 100' <<<"$s")" = true ]
	# Bound to the IPv6 address: the IPv4 one has nothing listening.
	run client a 192.0.2.2 -p 5301 -t 1
	assert_failure 2
	assert_output --partial "Connection refused"
}

@test "tunbench: UDP loss counted exactly when the lab drops every 10th datagram" {
	requires root cmd:jq cmd:nft
	two_hosts
	start_server b
	# Only data datagrams (not the small hellos and FINs) are dropped.
	nft_drop b input 'udp dport != 5370 udp length > 200 numgen inc mod 10 == 0'
	run client a 2001:db8:1::2 -u -b 10m -t 1 -j
	assert_success
	s=$(summary)
	dropped=$(nft_dropped b)
	[ "$dropped" -gt 50 ]
	[ "$(jq '.sum.lost_packets' <<<"$s")" = "$dropped" ]
	[ "$(jq '.sum.lost_percent > 9 and .sum.lost_percent < 11' <<<"$s")" = true ]
	# Receiving end on the client (-R): the intervals show the loss as it happens.
	nft_drop a input 'udp sport != 5370 udp length > 200 numgen inc mod 10 == 0'
	run client a 2001:db8:1::2 -u -b 10m -t 2 -R -j
	assert_success
	dropped=$(nft_dropped a)
	[ "$(jq '.sum.lost_packets' <<<"$(summary)")" = "$dropped" ]
	iv=$(json_of <<<"$output" | jq -s '[.[] | select(.event == "interval") | .sum.lost_packets] | add')
	[ "$iv" -gt 0 ] && [ "$iv" -le "$dropped" ]
}

@test "tunbench: UDP loss through netem loss 10%" {
	requires root cmd:jq
	two_hosts
	requires_netem
	start_server b
	in_ns a tc qdisc add dev a0 root netem loss 10%
	run client a 2001:db8:1::2 -u -b 10m -t 2 -j
	assert_success
	[ "$(jq '.sum.lost_percent > 5 and .sum.lost_percent < 15' <<<"$(summary)")" = true ]
}

@test "tunbench: --write stores exactly the bytes received, network and disk apart" {
	requires root cmd:jq
	two_hosts
	mkdir "$LAB_DIR/srv"
	# Past the default 1 GB cap, which a fast machine reaches in one second.
	start_server b --write "$LAB_DIR/srv" --max-write 64G
	run client a 2001:db8:1::2 -t 1 -R --write "$LAB_DIR/got" -j
	assert_success
	s=$(summary)
	size=$(stat -c %s "$LAB_DIR/got")
	[ "$size" -gt 0 ]
	[ "$(jq '.sum_received.bytes' <<<"$s")" = "$size" ]
	[ "$(jq '.write.bytes' <<<"$s")" = "$size" ]
	[ "$(jq '.write.bits_per_second > 0 and .write.network_bits_per_second > 0' <<<"$s")" = true ]
	# Byte for byte the sender's stream: one 64-byte pattern end to end.
	/usr/bin/python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
p = bytes(48 + i % 64 for i in range(64))
sys.exit(0 if d == (p * (len(d) // 64 + 1))[:len(d)] else 1)' "$LAB_DIR/got"
	# The server side, forward direction.
	run client a 2001:db8:1::2 -t 1 -j
	assert_success
	f=$(ls "$LAB_DIR"/srv/tunbench-*-1.dat)
	[ "$(jq '.sum_received.bytes' <<<"$(summary)")" = "$(stat -c %s "$f")" ]
}

@test "tunbench: a failed --write fails the run, in every output mode" {
	requires root cmd:jq
	[ -e /dev/full ] || skip "needs /dev/full"
	two_hosts
	start_server b
	run client a 2001:db8:1::2 -t 1 -R --write /dev/full -j
	assert_failure 2
	assert_output --partial '"event":"error"'
	assert_output --partial "No space left"
	run client a 2001:db8:1::2 -t 1 -R --write /dev/full
	assert_failure 2
}

@test "tunbench: the server's failed --write reaches the client as a failure" {
	requires root cmd:unshare
	two_hosts
	mkdir "$LAB_DIR/small"
	# A 1 MB file system, mounted only in the server's own mount namespace.
	# shellcheck disable=SC2016 # expanded by the inner sh
	lab_bg b unshare -m sh -c 'mount -t tmpfs -o size=1m none "$1" && exec "$2" server --write "$1"' \
		sh "$LAB_DIR/small" "$(TB)"
	wait_for 10 grep -q "listening" "$LAB_LAST_LOG"
	run client a 2001:db8:1::2 -t 1 -j
	assert_failure 2
	assert_output --partial "No space left on device"
	assert_output --partial '"event":"error"'
}

@test "tunbench: no server is a runtime error with a JSON error object" {
	requires root cmd:jq
	two_hosts
	run client a 2001:db8:1::2 -p 5999 -t 1 -j
	assert_failure 2
	[ "$(json_of <<<"$output" | jq -r 'select(.event == "error") | .error' | grep -c "Connection refused")" = 1 ]
}

@test "tunbench: bad arguments are usage errors quoting the token" {
	requires root
	run "$(TB)" client ::1 -P 65
	assert_failure 1
	assert_output --partial "'65'"
	run "$(TB)" client ::1 -b 10x -u
	assert_failure 1
	assert_output --partial "'10x'"
	run "$(TB)" client ::1 -S 256
	assert_failure 1
	assert_output --partial "'256'"
	run "$(TB)" client ::1 -C 'Cubic!'
	assert_failure 1
	assert_output --partial "'Cubic!'"
	run "$(TB)" client ::1 -O soon
	assert_failure 1
	assert_output --partial "'soon'"
	run "$(TB)" client ::1 --bidir -R
	assert_failure 1
	run "$(TB)" client ::1 --bidir -P 33
	assert_failure 1
	run "$(TB)" client ::1 --write /tmp/x
	assert_failure 1
	run "$(TB)" client ::1 --secret-file "$LAB_DIR/none"
	assert_failure 1
	assert_output --partial "$LAB_DIR/none"
	run "$(TB)" server --max-rate 10x
	assert_failure 1
	assert_output --partial "'10x'"
	run "$(TB)" server --max-write 1T
	assert_failure 1
	assert_output --partial "'1T'"
	run "$(TB)" server --write "$LAB_DIR/missing"
	assert_failure 1
	assert_output --partial "$LAB_DIR/missing"
	run "$(TB)" server -p 0
	assert_failure 1
	run "$(TB)" bogus
	assert_failure 1
}

@test "tunbench: the server serves several clients at once" {
	requires root cmd:jq
	two_hosts
	start_server b
	lab_bg a "$(TB)" client 2001:db8:1::2 -t 2 -j
	first=$LAB_LAST_PID
	first_log=$LAB_LAST_LOG
	wait_for 5 grep -q "session 1 from" "$SERVER_LOG"
	run client a 2001:db8:1::2 -t 1 -j
	assert_success
	wait "$first"
	[ "$(jq -s '[.[] | select(.event == "summary")] | length' "$first_log")" = 1 ]
}

@test "tunbench: --max-clients refuses the one too many with a clear message" {
	requires root
	two_hosts
	start_server b --max-clients 1
	lab_bg a "$(TB)" client 2001:db8:1::2 -t 3
	wait_for 5 grep -q "session 1 from" "$SERVER_LOG"
	run client a 2001:db8:1::2 -t 1
	assert_failure 2
	assert_output --partial "busy"
}

@test "tunbench: --once serves one test and exits 0; a stray connection is not that test" {
	requires root
	two_hosts
	start_server b --once
	run send_raw a 2001:db8:1::2 5370 "b'not a test'"
	run client a 2001:db8:1::2 -t 1
	assert_success
	# Exited (a zombie until waited for): then its status must be 0.
	wait_for 5 bash -c "! kill -0 $SERVER_PID || grep -q '^[0-9]* ([^)]*) Z' /proc/$SERVER_PID/stat"
	wait "$SERVER_PID"
}

@test "tunbench: the server survives garbage, a huge length and another version" {
	requires root
	two_hosts
	start_server b
	run send_raw a 2001:db8:1::2 5370 "b'GET / HTTP/1.0\r\n\r\n'"
	assert_success
	run send_raw a 2001:db8:1::2 5370 "b'TB\x01\x01\xff\xff\xff\xff' + b'x' * 100"
	assert_success
	# An old peer hears which versions meet.
	run send_raw a 2001:db8:1::2 5370 "b'TB\x01\x01\x00\x00\x00\x00'"
	assert_success
	assert_output --partial "version 1, this tunbench speaks 2"
	# A well-formed HELLO asking for more than the caps allow.
	run send_raw a 2001:db8:1::2 5370 "(lambda f: b'TB\x02\x01' + len(f).to_bytes(4, 'big') + f)(
		b'\x00\x01\x00\x04\x00\x00\x00\x01' + b'\x00\x02\x00\x04\x00\x00\x00\x41' +
		b'\x00\x03\x00\x04\x00\x00\x03\xe8' + b'\x00\x05\x00\x04\x00\x00\x10\x00')"
	assert_success
	assert_output --partial "streams must be 1-64: 65"
	grep -q "not a tunbench peer" "$SERVER_LOG"
	grep -q "exceeds the 8192-byte limit" "$SERVER_LOG"
	run client a 2001:db8:1::2 -t 1
	assert_success
	kill -0 "$SERVER_PID"
}

@test "tunbench: a client of another protocol version fails with a clear message" {
	requires root
	two_hosts
	# A fake server that answers in protocol version 9.
	lab_bg b /usr/bin/python3 -c '
import socket
l = socket.socket(socket.AF_INET6); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("::", 5370)); l.listen(1); print("listening", flush=True)
c, _ = l.accept(); c.recv(100); c.sendall(b"TB\x09\x02\x00\x00\x00\x00"); c.close()'
	wait_for 10 grep -q listening "$LAB_LAST_LOG"
	run client a 2001:db8:1::2 -t 1
	assert_failure 2
	assert_output --partial "protocol version 9, this tunbench speaks 2"
}

@test "tunbench: idle half-open connections time out and do not block others" {
	requires root
	two_hosts
	start_server b
	lab_bg a /usr/bin/python3 -c '
import socket, time
s = socket.create_connection(("2001:db8:1::2", 5370)); print("connected", flush=True)
s.settimeout(30)
try:
    print("closed by server" if s.recv(10) == b"" else "data", flush=True)
except socket.timeout:
    print("still open", flush=True)'
	idle_log=$LAB_LAST_LOG
	wait_for 5 grep -q connected "$idle_log"
	run client a 2001:db8:1::2 -t 1
	assert_success
	wait_for 15 grep -q "closed by server" "$idle_log"
	grep -q "dropped: timed out" "$SERVER_LOG"
}

@test "tunbench: a client vanishing mid-test ends its session only" {
	requires root
	two_hosts
	start_server b
	lab_bg a "$(TB)" client 2001:db8:1::2 -t 20
	victim=$LAB_LAST_PID
	wait_for 5 grep -q "0.00- 1.0" "$LAB_LAST_LOG"
	kill -KILL "$victim"
	wait_for 15 grep -q "session 1 from .*: peer" "$SERVER_LOG"
	run client a 2001:db8:1::2 -t 1
	assert_success
	kill -0 "$SERVER_PID"
}

# ---- a server on a public address ----------------------------------------

# hello_bytes PROTO STREAMS MS LEN RATE [EXTRA]: a protocol-2 HELLO as a
# python bytes expression, for send_raw.
hello_bytes() {
	echo "(lambda f: b'TB\x02\x01' + len(f).to_bytes(4, 'big') + f)(
		b'\x00\x01\x00\x04' + ($1).to_bytes(4, 'big') + b'\x00\x02\x00\x04' + ($2).to_bytes(4, 'big') +
		b'\x00\x03\x00\x04' + ($3).to_bytes(4, 'big') + b'\x00\x05\x00\x04' + ($4).to_bytes(4, 'big') +
		b'\x00\x07\x00\x08' + ($5).to_bytes(8, 'big') + ${6:-b''})"
}

@test "tunbench: a HELLO asking for 2^64-1 bits/s is refused at decode, with an ERROR" {
	requires root
	two_hosts
	start_server b --max-rate 400g
	run send_raw a 2001:db8:1::2 5370 "$(hello_bytes 2 1 1000 1470 '2**64-1')"
	assert_success
	assert_output --partial "rate must be at most 400000000000 bits/s: 18446744073709551615"
	# Also as TCP pacing, and the server (a UBSan build aborts on the
	# conversion) still serves.
	run send_raw a 2001:db8:1::2 5370 "$(hello_bytes 1 1 1000 1000 '2**64-1')"
	assert_output --partial "rate must be at most"
	run client a 2001:db8:1::2 -t 0.5 -u -b 10m
	assert_success
	kill -0 "$SERVER_PID"
}

@test "tunbench: server caps refuse rate, time, streams, window and TOS beyond them, naming the cap" {
	requires root
	two_hosts
	start_server b --max-rate 100m --max-time 5 --max-streams 4 --max-window 1M --no-tos
	run client a 2001:db8:1::2 -t 1 -u -b 200m
	assert_failure 2
	assert_output --partial "rate 200000000 bits/s exceeds this server's limit of 100000000"
	run client a 2001:db8:1::2 -t 1 -b 200m
	assert_failure 2
	assert_output --partial "exceeds this server's limit"
	run client a 2001:db8:1::2 -t 4 -O 2
	assert_failure 2
	assert_output --partial "test of 6.0 s exceeds this server's limit of 5.0 s"
	run client a 2001:db8:1::2 -t 1 -P 5
	assert_failure 2
	assert_output --partial "5 streams exceed this server's limit of 4"
	run client a 2001:db8:1::2 -t 1 -P 3 --bidir
	assert_failure 2
	assert_output --partial "6 streams exceed this server's limit of 4"
	run client a 2001:db8:1::2 -t 1 -w 2M
	assert_failure 2
	assert_output --partial "window of 2097152 bytes exceeds"
	run client a 2001:db8:1::2 -t 1 -S 0xb8
	assert_failure 2
	assert_output --partial "does not set TOS"
	# Within the caps all is well.
	run client a 2001:db8:1::2 -t 1 -u -b 100m -P 2 --bidir
	assert_success
}

@test "tunbench: the default caps suit a public server (1 Gbit/s, 60 s, 16 streams)" {
	requires root
	two_hosts
	start_server b
	run client a 2001:db8:1::2 -t 1 -u -b 2g
	assert_failure 2
	assert_output --partial "limit of 1000000000"
	run client a 2001:db8:1::2 -t 61
	assert_failure 2
	assert_output --partial "limit of 60.0 s"
	run client a 2001:db8:1::2 -t 1 -P 17
	assert_failure 2
	assert_output --partial "limit of 16"
}

@test "tunbench: --max-write ends a test that would write more, and the client hears why" {
	requires root
	two_hosts
	mkdir "$LAB_DIR/srv"
	start_server b --write "$LAB_DIR/srv" --max-write 1M
	run client a 2001:db8:1::2 -t 2 -P 2
	assert_failure 2
	assert_output --partial "the server's --max-write of 1048576 bytes"
	total=$(cat "$LAB_DIR"/srv/* | wc -c)
	[ "$total" -le 1048576 ]
}

@test "tunbench: a client-requested window is never forced past rmem_max on a root server" {
	requires root
	rmax=$(cat /proc/sys/net/core/rmem_max)
	[ "$rmax" -lt $((8 << 20)) ] || skip "rmem_max is $rmax: nothing to force past"
	two_hosts
	start_server b --max-window 16M
	lab_bg a "$(TB)" client 2001:db8:1::2 -t 3 -w 16M
	client_log=$LAB_LAST_LOG
	wait_for 5 grep -q "0.00- 1.0" "$client_log"
	# The server's data socket: its receive buffer (rb) within 2 x rmem_max
	# (the kernel doubles what it is given); SO_RCVBUFFORCE would give 32M.
	rb=$(in_ns b ss -Htmn state established '( sport != :5370 )' | grep -o 'rb[0-9]*' | head -1)
	[ -n "$rb" ]
	[ "${rb#rb}" -le $((2 * rmax)) ]
	wait_for 10 grep -q receiver "$client_log"
}

@test "tunbench: --write never follows a symlink planted under the name it will use" {
	requires root
	two_hosts
	mkdir "$LAB_DIR/srv"
	echo precious >"$LAB_DIR/victim"
	# Every name the next seconds could produce, and the old fixed one.
	ln -s "$LAB_DIR/victim" "$LAB_DIR/srv/tunbench-1-1.dat"
	now=$(date -u +%s)
	for i in $(seq 0 15); do
		ln -s "$LAB_DIR/victim" "$LAB_DIR/srv/tunbench-$(date -u -d "@$((now + i))" +%Y%m%dT%H%M%SZ)-1-1.dat"
	done
	# Past the default 1 GB cap, which a fast machine reaches in one second.
	start_server b --write "$LAB_DIR/srv" --max-write 64G
	run client a 2001:db8:1::2 -t 1
	assert_failure 2
	assert_output --partial "File exists"
	[ "$(cat "$LAB_DIR/victim")" = precious ]
	# The next session gets a name nobody planted, created mode 0600.
	run client a 2001:db8:1::2 -t 1
	assert_success
	f=$(find "$LAB_DIR/srv" -type f -name 'tunbench-*-2-1.dat')
	[ "$(stat -c %a "$f")" = 600 ]
	[ "$(cat "$LAB_DIR/victim")" = precious ]
}

@test "tunbench: --secret-file: the right secret runs, a wrong or missing one is refused, the secret never on the wire" {
	requires root cmd:tcpdump
	two_hosts
	printf 'correct-horse-battery\n' >"$LAB_DIR/secret"
	printf 'wrong-horse\n' >"$LAB_DIR/wrong"
	start_server b --secret-file "$LAB_DIR/secret"
	capture a a0 --immediate-mode tcp port 5370
	run client a 2001:db8:1::2 -t 0.5 --secret-file "$LAB_DIR/secret"
	assert_success
	capture_stop
	run grep -ac 'correct-horse' "$LAB_DIR/a0.pcap"
	assert_output 0
	# The capture saw the control connection, handshake included.
	[ "$(pcap_count "$LAB_DIR/a0.pcap")" -ge 8 ]
	run client a 2001:db8:1::2 -t 0.5 --secret-file "$LAB_DIR/wrong"
	assert_failure 2
	assert_output --partial "authentication failed"
	run client a 2001:db8:1::2 -t 0.5
	assert_failure 2
	assert_output --partial "asks for a shared secret: use --secret-file"
	grep -q "authentication failed: wrong shared secret" "$SERVER_LOG"
	kill -0 "$SERVER_PID"
	# A stranger does not count as the test of a --once server.
	start_server b -p 5202 --once --secret-file "$LAB_DIR/secret"
	run client a 2001:db8:1::2 -p 5202 -t 0.5 --secret-file "$LAB_DIR/wrong"
	assert_failure 2
	run client a 2001:db8:1::2 -p 5202 -t 0.5 --secret-file "$LAB_DIR/secret"
	assert_success
	wait "$SERVER_PID"
}

@test "tunbench: an oversize control message is answered with an ERROR before the close" {
	requires root
	two_hosts
	start_server b
	run send_raw a 2001:db8:1::2 5370 "b'TB\x02\x01\x00\x01\x00\x00' + b'x' * 70000"
	assert_success
	assert_output --partial "message of 65536 bytes exceeds the 8192-byte limit"
}

@test "tunbench: stray data connections do not stall the handshake" {
	requires root
	two_hosts
	start_server b
	# A client by hand: HELLO for a reverse TCP test, then five silent
	# connections to the data port before the real one.  The old server
	# read each stray's greeting in turn, 2 s apiece.
	run in_ns a /usr/bin/python3 -c '
import socket, struct, time
def field(tag, v): return struct.pack(">HH", tag, len(v)) + v
body = b"".join(field(t, struct.pack(">I", v)) for t, v in ((1, 1), (2, 1), (3, 1000), (4, 1), (5, 1000)))
c = socket.create_connection(("2001:db8:1::2", 5370), timeout=20)
c.sendall(b"TB\x02\x01" + struct.pack(">I", len(body)) + body)
hdr = c.recv(8, socket.MSG_WAITALL)
acc = c.recv(struct.unpack(">I", hdr[4:])[0], socket.MSG_WAITALL)
off, cookie, port = 0, None, None
while off < len(acc):
    tag, ln = struct.unpack(">HH", acc[off:off + 4])
    v = acc[off + 4:off + 4 + ln]
    off += 4 + ln
    if tag == 8: cookie = v
    if tag == 9: port = struct.unpack(">I", v)[0]
t0 = time.monotonic()
strays = [socket.create_connection(("2001:db8:1::2", port)) for _ in range(5)]
d = socket.create_connection(("2001:db8:1::2", port), timeout=20)
d.sendall(b"TBD\x02" + cookie + struct.pack(">I", 0))
d.recv(1)
print("first data after %.2f s" % (time.monotonic() - t0))'
	assert_success
	secs=$(grep -o 'after [0-9.]*' <<<"$output" | cut -d' ' -f2)
	# Generous for a loaded machine; the old server needed 10 s.
	awk -v s="$secs" 'BEGIN { exit !(s < 4) }'
}

# ---- round 2: both ways, CPU, pacing, omit, TOS, congestion control -------

# nft_count HOST: count IPv6 packets and bytes a -> b and b -> a on HOST's
# input and output hooks (the network header onwards).
nft_count_setup() {
	in_ns a nft add table inet tbc
	in_ns a nft add chain inet tbc out "{ type filter hook output priority 0 ; }"
	in_ns a nft add chain inet tbc in "{ type filter hook input priority 0 ; }"
	in_ns a nft add rule inet tbc out ip6 daddr 2001:db8:1::2 tcp dport != 5370 tcp sport != 5370 counter
	in_ns a nft add rule inet tbc in ip6 saddr 2001:db8:1::2 tcp dport != 5370 tcp sport != 5370 counter
}

# nft_payload CHAIN: TCP payload bytes through CHAIN: every IPv6 packet
# (a GSO or GRO one included) has 40 bytes of IPv6 and 32 of TCP header
# with timestamps, whether it carries data or is a bare ACK.
nft_payload() {
	in_ns a nft -j list chain inet tbc "$1" |
		jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .bytes - 72 * .packets] | add'
}

@test "tunbench: --bidir moves bytes both ways at once, each direction as the kernel counted it" {
	requires root cmd:jq cmd:nft
	two_hosts
	start_server b
	nft_count_setup
	run client a 2001:db8:1::2 -t 3 --bidir -P 2 -j
	assert_success
	s=$(summary)
	[ "$(jq '.bidir' <<<"$s")" = true ]
	up=$(jq '.sum_received.bytes' <<<"$s")
	down=$(jq '.sum_received_bidir_reverse.bytes' <<<"$s")
	[ "$(jq '.sum_sent_bidir_reverse.bytes == .sum_received_bidir_reverse.bytes' <<<"$s")" = true ]
	[ "$(jq '.sum_bidir.bytes' <<<"$s")" = $((up + down)) ]
	out=$(nft_payload out)
	in=$(nft_payload in)
	echo "report up $up down $down; kernel out $out in $in"
	awk -v a="$up" -v b="$out" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d / a < 0.02) }'
	awk -v a="$down" -v b="$in" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d / a < 0.02) }'
	# At once: every whole interval moved data both ways.
	[ "$(jq -s '[.[] | select(.event == "interval") | select(.sum.bytes > 0 and .sum_bidir_reverse.bytes > 0)] | length' <<<"$output")" -ge 2 ]
	grep -q "bidirectional" "$SERVER_LOG"
}

@test "tunbench: CPU of both ends within range, and the machine's busy share rises beside a busy loop" {
	requires root cmd:jq
	two_hosts
	start_server b
	run client a 2001:db8:1::2 -t 2 -u -b 1m -j
	assert_success
	s=$(summary)
	jq -e '.cpu_utilization_percent | (.host_total >= 0 and .host_total <= 100 * .host_cpus and
		.remote_total >= 0 and .remote_total <= 100 * .remote_cpus and
		(.host_user + .host_system - .host_total | fabs) < 0.02 and
		.host_machine_busy >= 0 and .host_machine_busy <= 100 and
		.remote_machine_busy >= 0 and .remote_machine_busy <= 100)' <<<"$s"
	quiet=$(jq '.cpu_utilization_percent.host_machine_busy' <<<"$s")
	awk -v q="$quiet" 'BEGIN { exit !(q < 90) }' || skip "the machine is already $quiet% busy"
	# A busy loop on every CPU, bounded in time.
	loops=()
	for _ in $(seq "$(nproc)"); do
		timeout 6 sh -c 'while :; do :; done' 3>&- &
		loops+=("$!")
	done
	run client a 2001:db8:1::2 -t 2 -u -b 1m -j
	kill "${loops[@]}" 2>/dev/null || true
	wait "${loops[@]}" || true
	assert_success
	busy=$(jq '.cpu_utilization_percent.host_machine_busy' <<<"$(summary)")
	echo "quiet $quiet% busy $busy%"
	awk -v q="$quiet" -v b="$busy" 'BEGIN { exit !(b > q && b >= 90) }'
}

@test "tunbench: -b 200m paces TCP within 10% over 3 s" {
	requires root cmd:jq
	two_hosts
	start_server b
	run client a 2001:db8:1::2 -t 3 -b 200m -j
	assert_success
	bps=$(jq '.sum_received.bits_per_second' <<<"$(summary)")
	echo "$bps bits/s"
	awk -v b="$bps" 'BEGIN { exit !(b > 180e6 && b < 220e6) }'
	# The server paces its own sending the same way.
	run client a 2001:db8:1::2 -t 3 -b 200m -R -j
	assert_success
	bps=$(jq '.sum_received.bits_per_second' <<<"$(summary)")
	awk -v b="$bps" 'BEGIN { exit !(b > 180e6 && b < 220e6) }'
}

@test "tunbench: -O 2 leaves the first seconds out and moves the summary's start" {
	requires root cmd:jq
	two_hosts
	start_server b
	run client a 2001:db8:1::2 -t 1 -O 2 -j
	assert_success
	s=$(summary)
	[ "$(jq '.omit' <<<"$s")" = 2 ]
	[ "$(jq '.sum_received.start' <<<"$s")" = 2 ]
	jq -e '.sum_received.seconds > 0.8 and .sum_received.seconds < 1.5' <<<"$s"
	[ "$(jq -s '[.[] | select(.event == "interval" and .sum.omitted == true)] | length' <<<"$output")" -ge 1 ]
	# The same without -O: the summary starts at 0.
	run client a 2001:db8:1::2 -t 1 -j
	[ "$(jq '.sum_received.start' <<<"$(summary)")" = 0 ]
}

@test "tunbench: -S 0xb8 marks both ends' packets on the wire" {
	requires root cmd:tcpdump
	two_hosts
	start_server b
	capture b b0 --immediate-mode "ip6 and tcp and (ip6[0:2] & 0x0ff0) == 0x0b80"
	run client a 2001:db8:1::2 -t 1 -S 0xb8
	assert_success
	capture_stop
	# Data from the client and ACKs from the server's data socket.
	[ "$(pcap_count "$LAB_DIR/b0.pcap" src host 2001:db8:1::1)" -gt 10 ]
	[ "$(pcap_count "$LAB_DIR/b0.pcap" src host 2001:db8:1::2)" -gt 10 ]
}

@test "tunbench: -C takes only what tcp_allowed_congestion_control allows, on both ends" {
	requires root
	two_hosts
	run client a 2001:db8:1::2 -t 1 -C nosuch
	assert_failure 1
	assert_output --partial "congestion control 'nosuch' is not allowed here"
	start_server b
	# A client that skips its own check meets the server's.
	run send_raw a 2001:db8:1::2 5370 "$(hello_bytes 1 1 1000 1000 0 "b'\x00\x0f\x00\x06nosuch'")"
	assert_output --partial "congestion control 'nosuch' is not allowed here"
	allowed=$(cut -d' ' -f1 /proc/sys/net/ipv4/tcp_allowed_congestion_control)
	run client a 2001:db8:1::2 -t 1 -C "$allowed"
	assert_success
}

@test "tunbench: --write /dev/null copies every byte, shared by all streams, no sync" {
	requires root cmd:jq
	two_hosts
	mkdir "$LAB_DIR/srv"
	start_server b --write /dev/null
	run client a 2001:db8:1::2 -t 1 -R -P 4 --write /dev/null -j
	assert_success
	s=$(summary)
	jq -e '.write.bytes == .sum_received.bytes and .write.bytes > 0 and .write.synced == false and
		.write.bits_per_second > 0 and (.write.limit | type) == "string"' <<<"$s"
	[ ! -e /dev/null.1 ]
	# The server copies to /dev/null too.
	run client a 2001:db8:1::2 -t 1 -P 2 -j
	assert_success
	wait_for 5 grep -q 'no sync: a device or pipe' "$SERVER_LOG"
	# A pipe: the reader gets every stream's bytes.
	mkfifo "$LAB_DIR/fifo"
	timeout 30 sh -c 'wc -c <"$1" >"$2"' sh "$LAB_DIR/fifo" "$LAB_DIR/count" 3>&- &
	reader=$!
	run client a 2001:db8:1::2 -t 1 -R -P 2 --write "$LAB_DIR/fifo" -j
	wait "$reader"
	assert_success
	[ "$(cat "$LAB_DIR/count")" = "$(jq '.sum_received.bytes' <<<"$(summary)")" ]
}

@test "tunbench: the one-paste check prints each direction, the sum, both CPUs and the disk" {
	requires root
	two_hosts
	start_server b
	run client a 2001:db8:1::2 --bidir -t 1 --write "$LAB_DIR/got"
	assert_success
	block=$(sed -n '/^---- result ----$/,$p' <<<"$output")
	assert_regex "$block" 'upload   \(client -> server\): +[0-9.]+ [MG]bits/sec'
	assert_regex "$block" 'download \(server -> client\): +[0-9.]+ [MG]bits/sec'
	assert_regex "$block" 'sum of both directions: +[0-9.]+ [MG]bits/sec'
	assert_regex "$block" 'client CPU: tunbench [0-9.]+%, machine [0-9.]+% busy'
	assert_regex "$block" 'server CPU: tunbench [0-9.]+%, machine [0-9.]+% busy'
	assert_regex "$block" "disk \\($LAB_DIR/got\\): +[0-9.]+ [KMGT]?bits/sec, limited by the (disk|cpu|network)"
	[ -s "$LAB_DIR/got" ]
}

# ---- ping -----------------------------------------------------------------

@test "tunbench ping: OK with check_icmp perfdata, -j without NaN" {
	requires root cmd:jq
	two_hosts
	run in_ns a "$(TB)" ping 2001:db8:1::2 -c 3 -i 0.01
	assert_success
	assert_output --regexp '^PING OK - 2001:db8:1::2 rta [0-9.]+ms lost 0%\|rta=[0-9.]+ms;200\.000;500\.000;0 pl=0%;40;80;0 rtmin=[0-9.]+ms;;;0 rtmax=[0-9.]+ms;;;0 jitter=[0-9.]+ms;;;0$'
	run in_ns a "$(TB)" ping 192.0.2.2 -c 3 -i 0.01 -j
	assert_success
	[ "$(jq -r '.status' <<<"$output")" = OK ]
	[ "$(jq '.received' <<<"$output")" = 3 ]
}

@test "tunbench ping: WARNING when the RTT crosses -w, CRITICAL when it crosses -C" {
	requires root cmd:jq
	two_hosts
	run in_ns a "$(TB)" ping 2001:db8:1::2 -c 2 -i 0.01 -w 0.0001,40% -j
	assert_failure 1
	[ "$(jq -r '.status' <<<"$output")" = WARNING ]
	run in_ns a "$(TB)" ping 2001:db8:1::2 -c 2 -i 0.01 -w 0.0001,40% -C 0.0002,80%
	assert_failure 2
	assert_output --partial "PING CRITICAL"
}

@test "tunbench ping: WARNING at 50% loss, CRITICAL at 100% (lab drops echo requests)" {
	requires root cmd:jq cmd:nft
	two_hosts
	nft_drop b input 'icmpv6 type echo-request numgen inc mod 2 == 0'
	run in_ns a "$(TB)" ping 2001:db8:1::2 -c 4 -i 0.01 -W 1 -j
	assert_failure 1
	[ "$(jq -r '.status' <<<"$output")" = WARNING ]
	[ "$(jq '.loss_percent' <<<"$output")" = 50 ]
	in_ns b nft add rule inet tb c icmpv6 type echo-request drop
	run in_ns a "$(TB)" ping 2001:db8:1::2 -c 4 -i 0.01 -W 0.3 -j
	assert_failure 2
	[ "$(jq -r '.status' <<<"$output")" = CRITICAL ]
	[ "$(jq '.rta_ms' <<<"$output")" = null ]
}

@test "tunbench ping: statuses through netem delay" {
	requires root cmd:jq
	two_hosts
	requires_netem
	in_ns a tc qdisc add dev a0 root netem delay 300ms
	run in_ns a "$(TB)" ping 2001:db8:1::2 -c 2 -i 0.01 -W 2 -j
	assert_failure 1
	[ "$(jq -r '.status' <<<"$output")" = WARNING ]
}

@test "tunbench ping: CRITICAL to an unreachable host, UNKNOWN for a foreign source" {
	requires root cmd:jq
	two_hosts
	run in_ns a "$(TB)" ping 2001:db8:99::1 -c 2 -i 0.01 -W 0.2
	assert_failure 2
	assert_output --partial "PING CRITICAL"
	run in_ns a "$(TB)" ping 2001:db8:1::2 -I 2001:db8:1::99 -c 1
	assert_failure 3
	assert_output --partial "PING UNKNOWN"
	assert_output --partial "not an address of this host"
	run in_ns a "$(TB)" ping 2001:db8:1::2 -c 1 -w 1,bad
	assert_failure 3
}

# as_nobody HOST CMD...: run CMD in HOST without root's privileges.
as_nobody() {
	local h=$1
	shift
	in_ns "$h" setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

@test "tunbench ping without root: datagram ICMP sockets, or UNKNOWN saying why" {
	requires root cmd:setpriv cmd:jq
	two_hosts
	in_ns a sysctl -qw net.ipv4.ping_group_range="0 0"
	run as_nobody a "$(TB)" ping 2001:db8:1::2 -c 1
	assert_failure 3
	assert_output --partial "ping_group_range"
	in_ns a sysctl -qw net.ipv4.ping_group_range="0 65534"
	run as_nobody a "$(TB)" ping 2001:db8:1::2 -c 2 -i 0.01 -j
	assert_success
	[ "$(jq '.received' <<<"$output")" = 2 ]
	run as_nobody a "$(TB)" ping 192.0.2.2 -c 2 -i 0.01 -j
	assert_success
	[ "$(jq '.received' <<<"$output")" = 2 ]
}

@test "tunbench ping -I SRC leaves through the interface that owns SRC" {
	requires root cmd:tcpdump
	# a has its default route through b (a0) and a tunnel-like path through c (a1).
	lab_ns a b c
	lab_link a a0 b b0
	lab_link a a1 c c0
	lab_addr a a0 2001:db8:1::1/64
	lab_addr b b0 2001:db8:1::2/64
	lab_addr a a1 2001:db8:2::1/64
	lab_addr c c0 2001:db8:2::2/64
	lab_addr b lo 2001:db8:ff::1/128
	lab_addr c lo 2001:db8:ff::1/128
	ip -n "$(ns a)" -6 route add default via 2001:db8:1::2 dev a0
	ip -n "$(ns a)" -6 route add default via 2001:db8:2::2 dev a1 metric 2000
	capture c c0 icmp6
	run in_ns a "$(TB)" ping 2001:db8:ff::1 -I 2001:db8:2::1 -c 2 -i 0.01
	assert_success
	# Both echo requests reached c (the capture writes each packet as it comes).
	wait_for 5 bash -c "[ \$(tcpdump -n -r '$LAB_DIR/c0.pcap' 'ip6[40] == 128' 2>/dev/null | wc -l) = 2 ]"
	capture_stop
	# By interface name too.
	run in_ns a "$(TB)" ping 2001:db8:ff::1 -I a1 -c 1
	assert_success
}

# ---- mtu ------------------------------------------------------------------

# a -- r1 ==1480== r2 -- b
mtu_lab() {
	lab_ns a r1 r2 b
	lab_link a a0 r1 r1a
	lab_link r1 r1b r2 r2a
	lab_link r2 r2b b b0
	ip -n "$(ns r1)" link set r1b mtu 1480
	ip -n "$(ns r2)" link set r2a mtu 1480
	lab_addr a a0 2001:db8:1::1/64
	lab_addr r1 r1a 2001:db8:1::2/64
	lab_addr r1 r1b 2001:db8:2::1/64
	lab_addr r2 r2a 2001:db8:2::2/64
	lab_addr r2 r2b 2001:db8:3::1/64
	lab_addr b b0 2001:db8:3::2/64
	lab_addr a a0 192.0.2.1/24
	lab_addr r1 r1a 192.0.2.2/24
	lab_addr r1 r1b 198.51.100.1/24
	lab_addr r2 r2a 198.51.100.2/24
	lab_addr r2 r2b 203.0.113.1/24
	lab_addr b b0 203.0.113.2/24
	ip -n "$(ns a)" -4 route add default via 192.0.2.2
	ip -n "$(ns r1)" -4 route add 203.0.113.0/24 via 198.51.100.2
	ip -n "$(ns r2)" -4 route add 192.0.2.0/24 via 198.51.100.1
	ip -n "$(ns b)" -4 route add default via 203.0.113.1
	lab_forward r1
	lab_forward r2
	ip -n "$(ns a)" -6 route add default via 2001:db8:1::2
	ip -n "$(ns r1)" -6 route add 2001:db8:3::/64 via 2001:db8:2::2
	ip -n "$(ns r2)" -6 route add 2001:db8:1::/64 via 2001:db8:2::1
	ip -n "$(ns b)" -6 route add default via 2001:db8:3::1
}

@test "tunbench mtu: finds 1480 through a 1480-byte link" {
	requires root cmd:jq
	mtu_lab
	run in_ns a "$(TB)" mtu 2001:db8:3::2 -j
	assert_success
	[ "$(jq '.mtu' <<<"$output")" = 1480 ]
	[ "$(jq '.black_hole' <<<"$output")" = false ]
	run in_ns a "$(TB)" mtu 2001:db8:3::2
	assert_success
	assert_output "path MTU to 2001:db8:3::2: 1480"
	# IPv4: DF probes answered by Fragmentation Needed.
	run in_ns a "$(TB)" mtu 203.0.113.2 --min 576 -j
	assert_success
	[ "$(jq '.mtu' <<<"$output")" = 1480 ]
	# A clean 1500-byte path reports 1500.
	run in_ns a "$(TB)" mtu 2001:db8:1::2 -j
	assert_success
	[ "$(jq '.mtu' <<<"$output")" = 1500 ]
}

@test "tunbench mtu without root: Packet Too Big through the socket's error queue" {
	requires root cmd:setpriv cmd:jq
	mtu_lab
	in_ns a sysctl -qw net.ipv4.ping_group_range="0 65534"
	run as_nobody a "$(TB)" mtu 2001:db8:3::2 -j
	assert_success
	[ "$(jq '.mtu' <<<"$output")" = 1480 ]
	[ "$(jq '.black_hole' <<<"$output")" = false ]
}

@test "tunbench mtu: Packet Too Big dropped on the way is a black hole" {
	requires root cmd:jq cmd:nft
	mtu_lab
	nft_drop r1 output 'icmpv6 type packet-too-big'
	run in_ns a "$(TB)" mtu 2001:db8:3::2 -j
	assert_failure 3
	[ "$(jq '.black_hole' <<<"$output")" = true ]
	[ "$(jq '.mtu' <<<"$output")" = 1480 ]
	[ "$(nft_dropped r1)" -gt 0 ]
}

@test "tunbench mtu: an unreachable host is a runtime error" {
	requires root
	mtu_lab
	run in_ns a "$(TB)" mtu 2001:db8:99::1 --min 1280 --max 1300
	assert_failure 2
	run in_ns a "$(TB)" mtu 2001:db8:3::2 --min 1500 --max 1400
	assert_failure 1
}

# help_forms: each command's forms as `tunbench help COMMAND` prints them
# (wrapped lines joined), one a line, without "tunbench [OPTIONS] ".
help_forms() {
	local v
	for v in $("$(TB)" help | sed -n '/^Commands:/,/^Options/p' | awk '/^  [a-z]/ && $1 != "help" { print $1 }'); do
		"$(TB)" help "$v" | awk 'NR == 1 || /^ / { print; next } { exit }'
	done | sed 's/^Usage: //' | tr -s ' \n' '  ' | sed 's/ *tunbench \[OPTIONS\] /\n/g' | sed '/^$/d; s/ *$//' | awk 1
}

@test "tunbench: the man page's SYNOPSIS forms are those of help COMMAND" {
	requires cmd:mandoc
	[ "$(help_forms | wc -l)" -ge 4 ]
	run diff <(help_forms) \
		<(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$TOP/man/tunbench.1" |
			sed -n '/^\.Bl -item/,/^\.El/p' | grep -v '^\.')
	assert_success
	run mandoc -Tlint -W warning "$TOP/man/tunbench.1"
	assert_output ""
}

# vg HOST CMD...: tunbench under memcheck inside HOST; exit 99 on any error or leak.
vg() {
	local h=$1
	shift
	in_ns "$h" valgrind -q --error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible "$(TB)" "$@"
}

@test "tunbench under valgrind: server --once, TCP and UDP clients, ping, mtu" {
	requires root not-sanitized cmd:valgrind
	two_hosts
	lab_bg b valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible "$(TB)" server --once
	server=$LAB_LAST_PID
	wait_for 20 grep -q "listening" "$LAB_LAST_LOG"
	run vg a client 2001:db8:1::2 -t 1 -P 2 -j
	assert_success
	wait_for 20 bash -c "! kill -0 $server || grep -q '^[0-9]* ([^)]*) Z' /proc/$server/stat"
	wait "$server"
	start_server b
	run vg a client 2001:db8:1::2 -t 1 -u -b 5m -R
	assert_success
	run vg a ping 2001:db8:1::2 -c 2 -i 0.01
	assert_success
	run vg a mtu 2001:db8:1::2 --max 1400
	assert_success
}
