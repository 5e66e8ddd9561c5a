#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# tun6in4 in the namespace lab.  This kernel has no sit, so every tunnel
# here runs in user mode (TUN + raw socket, a daemon per tunnel); kernel
# mode is exercised on a stock kernel by tests/vm/.
#
#   a (192.0.2.1, t6 2001:db8::1/64)  --va/vb--  b (192.0.2.2, t6 2001:db8::2/64)

load helpers

setup() {
	requires root
	lab_setup
	export V6KIT_TUNNELS_DIR="$LAB_DIR/tunnels"
	mkdir -p "$V6KIT_TUNNELS_DIR"
}

teardown() {
	umount "$LAB_DIR/pin ns" 2>/dev/null || true
	lab_teardown
}

# t64 HOST ARGS...: tun6in4 inside a lab host.
t64() {
	local h=$1
	shift
	tool tun6in4 -n "$(ns "$h")" "$@"
}

two_hosts() {
	lab_ns a b
	lab_link a va b vb
	lab_addr a va 192.0.2.1/24
	lab_addr b vb 192.0.2.2/24
}

# pair [ARGS for a...]: a user-mode tunnel t6 on each side.
pair() {
	t64 a up t6 remote 192.0.2.2 local 192.0.2.1 address 2001:db8::1/64 "$@"
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64
}

jshow() { t64 "$1" -j show "${@:2}"; }
daemon_pid() { jshow "$1" "$2" | jq -r '.[0].pid'; }
ifindex() { ip -n "$(ns "$1")" -j link show "$2" | jq '.[0].ifindex'; }
# state_dir HOST: where tun6in4 keeps HOST's state, keyed by the network
# namespace's cookie (SO_NETNS_COOKIE).
state_dir() {
	printf '%s/tun6in4/netns-%s' "$V6KIT_RUNDIR" "$(in_ns "$1" /usr/bin/python3 -c '
import socket, struct
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print(struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 71, 8))[0])')"
}
# Files tun6in4 keeps for running tunnels (the restart log is history).
state_files() { find "$V6KIT_RUNDIR" -type f ! -name '*.starts' | sort; }

# send41 HOST OUTER_SRC OUTER_DST INNER_SRC INNER_DST [BAD]: one protocol-41
# packet carrying an ICMPv6 echo request, crafted with scapy; BAD=len makes
# the inner payload length lie.
send41() {
	in_ns "$1" /usr/bin/python3 - "$2" "$3" "$4" "$5" "${6:-}" <<-'EOF'
		import sys, logging
		logging.getLogger("scapy").setLevel(logging.ERROR)
		from scapy.all import IP, IPv6, ICMPv6EchoRequest, Raw, send, conf
		conf.verb = 0
		osrc, odst, isrc, idst, bad = sys.argv[1:6]
		inner = bytes(IPv6(src=isrc, dst=idst) / ICMPv6EchoRequest(id=4213, data=b"x" * 32))
		if bad == "len":
		    # Payload length 16 in front of 40 bytes of payload.
		    inner = inner[:4] + b"\x00\x10" + inner[6:]
		send(IP(src=osrc, dst=odst, proto=41) / Raw(inner))
	EOF
}

# A TCP sink printing "BYTES SHA256" of what it received, and a source
# sending N pseudo-random bytes, printing the same of what it sent.
TCP_SINK='
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
c, _ = s.accept()
h, n = hashlib.sha256(), 0
while True:
    d = c.recv(65536)
    if not d:
        break
    h.update(d)
    n += len(d)
print(n, h.hexdigest(), flush=True)'
TCP_SOURCE='
import hashlib, random, socket, sys
n = int(sys.argv[3])
data = random.Random(4213).randbytes(n)
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
c.sendall(data)
c.shutdown(socket.SHUT_WR)
c.recv(1)
print(n, hashlib.sha256(data).hexdigest())'

# echo_requests_seen FILE: ICMPv6 echo requests with our id in a capture.
echo_requests_seen() {
	pcap_count "$1" 'icmp6 and ip6[40] == 128'
}

@test "user mode: IPv6 ping and a TCP transfer across, counters and show -j" {
	two_hosts
	run -0 pair
	in_ns a ping -c 2 -i 0.2 -W 5 2001:db8::2
	in_ns b ping -c 2 -i 0.2 -W 5 2001:db8::1
	# A bounded TCP transfer: 4 MiB through the tunnel, checked end to end.
	lab_bg b /usr/bin/python3 -c "$TCP_SINK" 2001:db8::2 5201
	wait_for 10 in_ns b sh -c 'ss -ltn | grep -q ":5201 "'
	run -0 in_ns a /usr/bin/python3 -c "$TCP_SOURCE" 2001:db8::2 5201 4194304
	local sent=$output
	wait_for 10 grep -q . "$LAB_LAST_LOG"
	[ "$(cat "$LAB_LAST_LOG")" = "$sent" ]
	[[ "$sent" == "4194304 "* ]]
	run -0 jshow a t6
	local j=$output
	[ "$(jq -r '.[0] | "\(.name) \(.mode) \(.state) \(.local) \(.remote) \(.ttl) \(.mtu) \(.default_route)"' <<<"$j")" = \
		"t6 user up 192.0.2.1 192.0.2.2 255 1480 false" ]
	[ "$(jq '.[0].addresses | index("2001:db8::1/64") != null' <<<"$j")" = true ]
	[ "$(jq '.[0].tx_bytes' <<<"$j")" -ge 4194304 ]
	[ "$(jshow b t6 | jq '.[0].rx_bytes')" -ge 4194304 ]
	[ "$(jq '.[0].rx_packets' <<<"$j")" -ge 2 ]
	# The daemon behind it is the one in the pidfile, inside a's namespace.
	local pid
	pid=$(jq '.[0].pid' <<<"$j")
	[ "$(cat "$(state_dir a)/t6.pid")" = "$pid" ]
	[ "$(readlink "/proc/$pid/ns/net")" = "$(ip netns exec "$(ns a)" readlink /proc/self/ns/net)" ]
	# It parses packets from the network with no capability at all.
	[ "$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")" = 0000000000000000 ]
	[ "$(awk '/^CapBnd:/ { print $2 }' "/proc/$pid/status")" = 0000000000000000 ]
	[ "$(ip -n "$(ns a)" -j link show t6 | jq -r '.[0].ifalias')" = "v6kit:tun6in4" ]
}

@test "mode auto falls back to user mode with a one-line notice; mode kernel fails cleanly" {
	two_hosts
	run --separate-stderr -0 t64 a up t6 remote 192.0.2.2 address 2001:db8::1/64
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "${stderr_lines[0]}" == "tun6in4: t6: this kernel has no sit support; using user mode" ]]
	[ "$(jshow a t6 | jq -r '.[0].mode')" = user ]
	ip -n "$(ns a)" -d link show t6 | grep -q "tun type tun"
	local snap
	snap=$(kernel_snapshot a)
	run -2 t64 a up t7 remote 192.0.2.2 mode kernel
	assert_output --partial "t7"
	[ "$snap" = "$(kernel_snapshot a)" ]
	[ ! -e "$(state_dir a)/t7.state" ]
}

@test "protocol 41 from anyone but the remote, and malformed inner packets, are dropped" {
	requires scapy
	two_hosts
	lab_addr b vb 192.0.2.3/24
	pair
	capture a t6 icmp6
	# Control: the right source gets through, so the path itself works.
	send41 b 192.0.2.2 192.0.2.1 2001:db8::2 2001:db8::1
	wait_for 10 sh -c "[ \"\$(tcpdump -n -r '$LAB_DIR/t6.pcap' 'icmp6 and ip6[40] == 128' 2>/dev/null | wc -l)\" -ge 1 ]"
	# A foreign sender (another IPv4 address on b) and a lying inner length.
	send41 b 192.0.2.3 192.0.2.1 2001:db8::2 2001:db8::1
	send41 b 192.0.2.2 192.0.2.1 2001:db8::2 2001:db8::1 len
	# A second good packet after them: once it is in, the bad ones had
	# their chance, in order, through the same path.
	send41 b 192.0.2.2 192.0.2.1 2001:db8::2 2001:db8::1
	wait_for 10 sh -c "[ \"\$(tcpdump -n -r '$LAB_DIR/t6.pcap' 'icmp6 and ip6[40] == 128' 2>/dev/null | wc -l)\" -ge 2 ]"
	capture_stop
	[ "$(echo_requests_seen "$LAB_DIR/t6.pcap")" = 2 ]
	# The kernel already refuses the foreign source on the connected
	# socket; the malformed one is the daemon's, and it counts it.
	wait_for 5 sh -c "[ \"\$('$V6KIT_BIN/tun6in4' -n '$(ns a)' -j show t6 | jq '.[0].rx_dropped')\" -ge 1 ]"
}

@test "Packet Too Big: a 1500-byte packet routed into a 1480 tunnel is refused with PTB" {
	two_hosts
	lab_ns c
	lab_link c vc a vac
	lab_addr c vc 2001:db8:c::2/64
	lab_addr a vac 2001:db8:c::1/64
	lab_forward a
	ip -n "$(ns c)" -6 route add default via 2001:db8:c::1
	pair
	ip -n "$(ns b)" -6 route add 2001:db8:c::/64 dev t6
	in_ns c ping -c 1 -W 5 -s 1000 2001:db8::2
	# 1452 bytes of ICMP data make a 1500-byte IPv6 packet.
	run in_ns c ping -c 1 -W 2 -M do -s 1452 2001:db8::2
	assert_output --partial "mtu=1480"
	[ "$(ip -n "$(ns c)" -6 route get 2001:db8::2 | grep -o 'mtu [0-9]*')" = "mtu 1480" ]
}

# routed_pair MTU: a -- r -- b with an IPv4 link of MTU bytes between r
# and b, a user-mode tunnel t6 across.
routed_pair() {
	lab_ns a r b
	lab_link a va r ra
	lab_link r rb b vb
	lab_addr a va 192.0.2.1/24
	lab_addr r ra 192.0.2.254/24
	lab_addr r rb 198.51.100.254/24
	lab_addr b vb 198.51.100.2/24
	ip -n "$(ns r)" link set rb mtu "$1"
	ip -n "$(ns b)" link set vb mtu "$1"
	lab_forward r
	ip -n "$(ns a)" route add default via 192.0.2.254
	ip -n "$(ns b)" route add default via 198.51.100.254
	t64 a up t6 remote 198.51.100.2 local 192.0.2.1 address 2001:db8::1/64
	t64 b up t6 remote 192.0.2.1 local 198.51.100.2 address 2001:db8::2/64
	in_ns a ping -c 1 -W 5 -s 1000 2001:db8::2
}

@test "ICMPv4 fragmentation-needed from the path lowers the tunnel MTU: PTB from the daemon" {
	routed_pair 1400
	# The first big packet dies at r, which tells a's kernel the path
	# MTU; the next ones get a Packet Too Big from the daemon: 1400 - 20.
	run in_ns a ping -c 3 -i 0.3 -W 1 -M do -s 1432 2001:db8::2
	assert_output --partial "mtu=1380"
	wait_for 5 sh -c "[ \"\$('$V6KIT_BIN/tun6in4' -n '$(ns a)' -j show t6 | jq '.[0].ptb_sent')\" -ge 1 ]"
	run -0 in_ns a ping -c 1 -W 5 -M do -s 1300 2001:db8::2
	[ "$(ip -n "$(ns a)" -6 route get 2001:db8::2 | grep -o 'mtu [0-9]*')" = "mtu 1380" ]
}

@test "a path MTU below 1300: the tunnel keeps 1280 and lets IPv4 fragment (RFC 4213 3.2)" {
	routed_pair 1200
	run in_ns a ping -c 3 -i 0.3 -W 1 -M do -s 1432 2001:db8::2
	assert_output --partial "mtu=1280"
	# A 1280-byte IPv6 packet still crosses, as two IPv4 fragments.
	run -0 in_ns a ping -c 2 -i 0.3 -W 5 -M do -s 1232 2001:db8::2
}

@test "change NAME local moves the endpoint on the same link and daemon" {
	two_hosts
	pair
	local idx pid
	idx=$(ifindex a t6)
	pid=$(daemon_pid a t6)
	lab_addr a va 192.0.2.11/24
	run -0 t64 a change t6 local 192.0.2.11
	[ "$(jshow a t6 | jq -r '.[0].local')" = 192.0.2.11 ]
	[ "$(ifindex a t6)" = "$idx" ]
	[ "$(daemon_pid a t6)" = "$pid" ]
	# b accepts only its remote: a ping through proves a sends from .11.
	t64 b down t6
	t64 b up t6 remote 192.0.2.11 local 192.0.2.2 address 2001:db8::2/64
	in_ns a ping -c 2 -i 0.2 -W 5 2001:db8::2
	# An address this host does not have is refused; nothing moves.
	run -2 t64 a change t6 local 192.0.2.99
	assert_output --partial "192.0.2.99"
	[ "$(jshow a t6 | jq -r '.[0].local')" = 192.0.2.11 ]
	in_ns a ping -c 1 -W 5 2001:db8::2
	run -1 t64 a change t6 local 2001:db8::9
	run -0 t64 a change t6 local 192.0.2.11
	assert_output --partial "nothing changed"
}

@test "restart guard: a start beyond max-starts exits 75 and creates nothing; --force overrides" {
	two_hosts
	local i
	for i in 1 2; do
		t64 a up t6 remote 192.0.2.2 address 2001:db8::1/64 max-starts 2/60
		t64 a down t6
	done
	local snap
	snap=$(kernel_snapshot a)
	run --separate-stderr -75 t64 a up t6 remote 192.0.2.2 address 2001:db8::1/64 max-starts 2/60
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" == *"t6: started 2 times in the last 60 s"*"may retry in "*" s"* ]]
	[ "$snap" = "$(kernel_snapshot a)" ]
	run -0 t64 a up t6 remote 192.0.2.2 address 2001:db8::1/64 max-starts 2/60 --force
	ip -n "$(ns a)" link show t6
	# Another name has its own count.
	run -0 t64 a up t7 remote 192.0.2.2 address 2001:db8:7::1/64 max-starts 2/60
}

@test "atomic up: a failure half-way leaves the kernel, the state and the processes as before" {
	two_hosts
	# The gateway's host route cannot be added: one already exists.
	ip -n "$(ns a)" -6 route add 2001:db8:2::1/128 dev va
	local snap files
	snap=$(kernel_snapshot a)
	files=$(state_files)
	run -2 t64 a up t1 remote 192.0.2.2 local 192.0.2.1 address 2001:db8:2::2/64 gateway 2001:db8:2::1
	assert_output --partial "t1"
	[ "$snap" = "$(kernel_snapshot a)" ]
	[ "$files" = "$(state_files)" ]
	[ -z "$(ip netns pids "$(ns a)")" ]
	# A local address the host does not have: refused before anything.
	run -2 t64 a up t1 remote 192.0.2.2 local 192.0.2.99 address 2001:db8:2::2/64
	assert_output --partial "local 192.0.2.99: not an address of this host"
	[ "$snap" = "$(kernel_snapshot a)" ]
	# A table that already routes by default elsewhere.
	ip -n "$(ns a)" -6 route add default dev va table 100
	snap=$(kernel_snapshot a)
	run -2 t64 a up t1 remote 192.0.2.2 address 2001:db8:2::2/64 table 100
	[ "$snap" = "$(kernel_snapshot a)" ]
	[ -z "$(ip netns pids "$(ns a)")" ]
	[ "$files" = "$(state_files)" ]
}

@test "up and down are idempotent; down never removes a device tun6in4 did not create" {
	two_hosts
	pair
	local idx pid
	idx=$(ifindex a t6)
	pid=$(daemon_pid a t6)
	run -0 t64 a up t6 remote 192.0.2.2 local 192.0.2.1 address 2001:db8::1/64
	assert_output --partial "already up"
	[ "$(ifindex a t6)" = "$idx" ]
	[ "$(daemon_pid a t6)" = "$pid" ]
	run -2 t64 a up t6 remote 192.0.2.2 local 192.0.2.1 address 2001:db8::1/64 mtu 1400
	assert_output --partial "different parameters"
	[ "$(ip -n "$(ns a)" -j link show t6 | jq '.[0].mtu')" = 1480 ]
	run -0 t64 a down t6
	run ip -n "$(ns a)" link show t6
	assert_failure
	# Gone, or at most a zombie waiting for its parent to reap it.
	[ ! -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
	[ ! -e "$(state_dir a)/t6.state" ] && [ ! -e "$(state_dir a)/t6.pid" ]
	run -0 t64 a down t6
	assert_output --partial "not up"
	# Someone else's devices of the same name are never touched.
	ip -n "$(ns a)" tuntap add foreign0 mode tun
	ip -n "$(ns a)" link set foreign0 alias "someone:else"
	run -2 t64 a down foreign0
	ip -n "$(ns a)" link show foreign0
	run -2 t64 a up foreign0 remote 192.0.2.2
	assert_output --partial "not created by tun6in4"
	[ "$(ip -n "$(ns a)" -j link show foreign0 | jq -r '.[0].ifalias')" = "someone:else" ]
	run -2 t64 a down va
	ip -n "$(ns a)" link show va
}

@test "a daemon that died is cleaned up by the next up; it survives the far end restarting" {
	two_hosts
	pair
	in_ns a ping -c 1 -W 5 2001:db8::2
	local pid
	pid=$(daemon_pid a t6)
	# The far end goes away and comes back (a restart), the IPv4 path
	# breaks and heals: the daemon keeps running and traffic resumes.
	t64 b down t6
	run in_ns a ping -c 1 -W 1 2001:db8::2
	assert_failure
	ip -n "$(ns a)" addr del 192.0.2.1/24 dev va
	run in_ns a ping -c 1 -W 1 2001:db8::2
	assert_failure
	lab_addr a va 192.0.2.1/24
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64 --force
	in_ns a ping -c 2 -i 0.2 -W 5 2001:db8::2
	[ "$(daemon_pid a t6)" = "$pid" ]
	# Kill the daemon behind tun6in4's back: the TUN device goes with it,
	# show says down, and up starts afresh.
	kill -KILL "$pid"
	wait_for 5 sh -c "! ip -n '$(ns a)' link show t6"
	[ "$(jshow a | jq -r '.[0].state')" = down ]
	run -0 t64 a up t6 remote 192.0.2.2 local 192.0.2.1 address 2001:db8::1/64
	in_ns a ping -c 1 -W 5 2001:db8::2
}

@test "two tunnels on one host, each with its own routes, table and state" {
	two_hosts
	lab_addr a va 192.0.2.11/24
	lab_addr b vb 192.0.2.12/24
	t64 a up sixxs0 remote 192.0.2.2 local 192.0.2.1 address 2001:db8:a::2/64 \
		gateway 2001:db8:a::1 table 100
	t64 a up sixxs1 remote 192.0.2.12 local 192.0.2.11 address 2001:db8:b::2/64 \
		gateway 2001:db8:b::1 table 101
	t64 b up far0 remote 192.0.2.1 local 192.0.2.2 address 2001:db8:a::1/64
	t64 b up far1 remote 192.0.2.11 local 192.0.2.12 address 2001:db8:b::1/64
	[ "$(ip -n "$(ns a)" -6 route show table 100 default)" = "default via 2001:db8:a::1 dev sixxs0 proto 151 metric 1024 pref medium" ]
	[ "$(ip -n "$(ns a)" -6 route show table 101 default)" = "default via 2001:db8:b::1 dev sixxs1 proto 151 metric 1024 pref medium" ]
	# default-route no: the main table's default stays as it was (none).
	[ -z "$(ip -n "$(ns a)" -6 route show default)" ]
	in_ns a ping -c 1 -W 5 2001:db8:a::1
	in_ns a ping -c 1 -W 5 2001:db8:b::1
	[ "$(jshow a | jq -r '[.[].name] | join(" ")')" = "sixxs0 sixxs1" ]
	t64 a down sixxs0
	[ -z "$(ip -n "$(ns a)" -6 route show table 100)" ]
	[ -n "$(ip -n "$(ns a)" -6 route show table 101)" ]
	in_ns a ping -c 1 -W 5 2001:db8:b::1
	# default-route yes puts the default into the main table.
	t64 a up sixxs2 remote 192.0.2.2 local 192.0.2.1 address 2001:db8:c::2/64 \
		gateway 2001:db8:c::1 default-route yes
	[ "$(ip -n "$(ns a)" -6 route show default)" = "default via 2001:db8:c::1 dev sixxs2 proto 151 metric 1024 pref medium" ]
}

@test "same-named tunnels in two namespaces keep apart: state, daemons, down" {
	two_hosts
	pair
	[ "$(ls -d "$V6KIT_RUNDIR"/tun6in4/netns-* | wc -l)" = 2 ]
	[ -e "$(state_dir a)/t6.state" ] && [ -e "$(state_dir b)/t6.state" ]
	[ "$(daemon_pid a t6)" != "$(daemon_pid b t6)" ]
	t64 a down t6
	[ "$(jshow b t6 | jq -r '.[0].state')" = up ]
	ip -n "$(ns b)" link show t6
	[ "$(jshow a)" = "[]" ]
}

@test "config files: up NAME reads NAME.conf, up -f FILE; errors name file:line" {
	two_hosts
	cat >"$V6KIT_TUNNELS_DIR/he0.conf" <<-EOF
		# Hurricane-style tunnel
		remote 192.0.2.2
		local 192.0.2.1      # our side
		address 2001:db8::1/64
		mtu 1472
	EOF
	run -0 t64 a up he0
	[ "$(jshow a he0 | jq -r '.[0] | "\(.mtu) \(.local)"')" = "1472 192.0.2.1" ]
	cat >"$LAB_DIR/other.conf" <<-EOF
		name he1
		remote 192.0.2.2
		address 2001:db8:1::1/64
	EOF
	run -0 t64 a up -f "$LAB_DIR/other.conf"
	ip -n "$(ns a)" link show he1
	cat >"$LAB_DIR/bad.conf" <<-EOF
		remote 192.0.2.2

		tunnel-broker he
	EOF
	local snap
	snap=$(kernel_snapshot a)
	run --separate-stderr -1 t64 a up -f "$LAB_DIR/bad.conf"
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" == "tun6in4: $LAB_DIR/bad.conf:3: unknown key 'tunnel-broker'"* ]]
	[ "$snap" = "$(kernel_snapshot a)" ]
	run -1 t64 a up missing0
	assert_output --partial "missing0.conf"
	# The name: NAME's file may not name another tunnel; -f FILE without a
	# name key is named by FILE's base name, which must be an interface name.
	printf 'name he9\nremote 192.0.2.2\n' >"$V6KIT_TUNNELS_DIR/he2.conf"
	run --separate-stderr -1 t64 a up he2
	assert_equal "$stderr" "tun6in4: $V6KIT_TUNNELS_DIR/he2.conf: name 'he9' does not match the tunnel he2"
	run --separate-stderr -1 t64 a restart he2
	assert_equal "$stderr" "tun6in4: $V6KIT_TUNNELS_DIR/he2.conf: name 'he9' does not match the tunnel he2"
	printf 'remote 192.0.2.2\naddress 2001:db8:2::1/64\n' >"$LAB_DIR/far-too-long-name.conf"
	run --separate-stderr -1 t64 a up -f "$LAB_DIR/far-too-long-name.conf"
	assert_equal "$stderr" "tun6in4: $LAB_DIR/far-too-long-name.conf: tunnel name must be 1-15 bytes long: 'far-too-long-name'"
	[ "$snap" = "$(kernel_snapshot a)" ]
	cp "$LAB_DIR/far-too-long-name.conf" "$LAB_DIR/he3.conf"
	run -0 t64 a up -f "$LAB_DIR/he3.conf"
	ip -n "$(ns a)" link show he3
}

@test "bad input: one-line error quoting the token, exit 1, nothing changed" {
	two_hosts
	local snap
	snap=$(kernel_snapshot a)
	local -a cases=(
		"t6 remote 192.0.2|remote must be an IPv4 address: '192.0.2'"
		"t6 remote 2001:db8::1|remote must be an IPv4 address: '2001:db8::1'"
		"t6 remote any|remote must be an IPv4 address: 'any'"
		"t6 remote 192.0.2.2 local 192.0.2.256|local must be an IPv4 address: '192.0.2.256'"
		"t6 remote 192.0.2.2 local anywhere|local must be an IPv4 address: 'anywhere'"
		"t6 remote 192.0.2.2 address 2001:db8::1/129|address must be an IPv6 address or prefix: '2001:db8::1/129'"
		"t6 remote 192.0.2.2 address 192.0.2.9/24|address must be an IPv6 address or prefix: '192.0.2.9/24'"
		"t6 remote 192.0.2.2 gateway 2001:db8::/64|gateway must be an IPv6 address: '2001:db8::/64'"
		"t6 remote 192.0.2.2 mtu 1279|mtu must be 1280-65515: '1279'"
		"t6 remote 192.0.2.2 mtu 65516|mtu must be 1280-65515: '65516'"
		"t6 remote 192.0.2.2 ttl 256|ttl must be 0-255: '256'"
		"t6 remote 192.0.2.2 ttl x|ttl must be 0-255: 'x'"
		"abcdefghijklmnop remote 192.0.2.2|tunnel name must be 1-15 bytes long: 'abcdefghijklmnop'"
		"t6 remote 192.0.2.2 default-route maybe|default-route must be yes or no: 'maybe'"
		"t6 remote 192.0.2.2 mode fast|mode must be auto, kernel or user: 'fast'"
		"t6 remote 192.0.2.2 max-starts 4|max-starts must be N/SECS with N 1-1000 and SECS 1-86400: '4'"
		"t6 remote 192.0.2.2 colour blue|unknown key 'colour'"
		"t6 local 192.0.2.1|t6: missing 'remote V4'"
		"t6 remote 192.0.2.2 address 2001:db8::1/64 table nosuchtable|nosuchtable"
	)
	local c
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		run --separate-stderr -1 t64 a up ${c%%|*}
		[ "${#stderr_lines[@]}" = 1 ] || fail "not one line for '${c%%|*}': $stderr"
		[[ "$stderr" == *"${c#*|}"* ]] || fail "for '${c%%|*}': $stderr"
	done
	run -1 t64 a down abcdefghijklmnop
	run -1 t64 a change t6 local nowhere
	[ "$snap" = "$(kernel_snapshot a)" ]
	[ -z "$(state_files)" ]
}

@test "-F keeps the daemon in the foreground; SIGTERM takes the tunnel down" {
	two_hosts
	lab_bg a "$V6KIT_BIN/tun6in4" up t6 remote 192.0.2.2 local 192.0.2.1 \
		address 2001:db8::1/64 -F
	local pid=$LAB_LAST_PID
	wait_for 10 sh -c "[ \"\$('$V6KIT_BIN/tun6in4' -n '$(ns a)' -j show t6 | jq -r '.[0].state')\" = up ]"
	[ "$(daemon_pid a t6)" = "$pid" ]
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64
	in_ns a ping -c 1 -W 5 2001:db8::2
	kill -TERM "$pid"
	wait_for 10 sh -c "! ip -n '$(ns a)' link show t6"
	[ "$(jshow a)" = "[]" ]
}

# t64_forms: the synopsis forms of `tun6in4 help` and of `help VERB` for
# each verb it lists, one a line, blanks squeezed.
t64_forms() {
	local v
	{
		"$V6KIT_BIN/tun6in4" help
		"$V6KIT_BIN/tun6in4" help | sed -n '/^Commands:/,/^Options/p' | sed '1d;$d' |
			awk '$1 != "help" { print $1 }' | while read -r v; do
			"$V6KIT_BIN/tun6in4" help "$v"
		done
	} | awk '/^Usage: / { sub(/^Usage: /, ""); print; p = 1; next } !/^ / { p = 0 } p' |
		tr -s ' \n' ' ' | sed 's/ tun6in4 /\ntun6in4 /g; s/ $//'
}

@test "the man page's SYNOPSIS is the forms of help and help VERB; both man pages lint clean" {
	requires cmd:mandoc
	run diff <(t64_forms) \
		<(mandoc -Tascii "$TOP/man/tun6in4.8" | col -bx | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' |
			sed '1d;$d' | tr -s ' \n' ' ' | sed 's/^ //; s/ tun6in4 /\ntun6in4 /g; s/ $//')
	assert_success
	# Every verb is there, each of up's three forms too.
	[ "$(t64_forms | grep -c '^tun6in4 \[OPTIONS\] up ')" = 3 ]
	[ "$(t64_forms | grep -c "^tun6in4 ")" = 11 ]
	run mandoc -Tlint -W warning "$TOP/man/tun6in4.8" "$TOP/man/tun6in4.conf.5"
	assert_output ""
}

@test "outer TTL: 255 by default, the inner hop limit with ttl 0; dev binds the socket" {
	two_hosts
	t64 a up t6 remote 192.0.2.2 local 192.0.2.1 address 2001:db8::1/64 dev va
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64
	# Immediate mode: every packet is in the file when the capture stops.
	capture b vb --immediate-mode "ip proto 41"
	in_ns a ping -c 1 -W 5 2001:db8::2
	t64 a down t6
	t64 a up t6 remote 192.0.2.2 local 192.0.2.1 address 2001:db8::1/64 ttl 0
	in_ns a ping -c 1 -W 5 -t 7 2001:db8::2
	capture_stop
	run -0 tcpdump -n -v -r "$LAB_DIR/vb.pcap" "ip src 192.0.2.1"
	[ "$(grep -c 'ttl 255' <<<"$output")" -ge 1 ]
	[ "$(grep -c 'ttl 7,' <<<"$output")" -ge 1 ]
	# A device that does not exist: refused before anything is made.
	local snap
	snap=$(kernel_snapshot a)
	run -2 t64 a up t7 remote 192.0.2.2 dev nosuch0
	assert_output --partial "nosuch0"
	[ "$snap" = "$(kernel_snapshot a)" ]
}

@test "a user-mode tunnel whose device is deleted by hand stops its daemon and state" {
	two_hosts
	pair
	local pid
	pid=$(daemon_pid a t6)
	ip -n "$(ns a)" link del t6
	wait_for 5 sh -c "[ ! -e /proc/$pid ] || grep -q '^State:.*Z' /proc/$pid/status"
	[ "$(jshow a)" = "[]" ]
	run -0 t64 a up t6 remote 192.0.2.2 local 192.0.2.1 address 2001:db8::1/64
	in_ns a ping -c 1 -W 5 2001:db8::2
}

# transfer HOST_FROM HOST_TO ADDR BYTES: a TCP transfer through the tunnel,
# checked end to end (byte count and SHA-256 on both sides).
transfer() {
	lab_bg "$2" /usr/bin/python3 -c "$TCP_SINK" "$3" 5201
	local sink=$LAB_LAST_LOG
	wait_for 10 in_ns "$2" sh -c 'ss -ltn | grep -q ":5201 "'
	run -0 in_ns "$1" /usr/bin/python3 -c "$TCP_SOURCE" "$3" 5201 "$4"
	local sent=$output
	wait_for 30 grep -q . "$sink"
	[ "$(cat "$sink")" = "$sent" ]
	[[ "$sent" == "$4 "* ]]
}

# tcp_csum_errors HOST: TCP segments HOST's stack refused for a bad checksum.
tcp_csum_errors() {
	in_ns "$1" awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 }
		else print $c["InCsumErrors"] }' /proc/net/snmp
}

# udp_csum_errors HOST: UDP over IPv6 HOST's stack refused for a bad checksum.
udp_csum_errors() {
	in_ns "$1" awk '$1 == "Udp6InCsumErrors" { print $2 }' /proc/net/snmp6
}

# Datagrams of N random sizes (1000-1232 bytes), each carrying its own
# SHA-256; the sink counts what arrives and what is damaged, until 2 s of
# silence.
UDP_SOURCE='
import hashlib, random, socket, sys
r = random.Random(7739)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(int(sys.argv[3])):
    body = r.randbytes(r.randint(1000 - 32, 1232 - 32))
    try:
        s.sendto(hashlib.sha256(body).digest() + body, (sys.argv[1], int(sys.argv[2])))
    except OSError:
        pass'
UDP_SINK='
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(30)
n = bad = 0
while True:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    s.settimeout(2)
    n += 1
    bad += hashlib.sha256(d[32:]).digest() != d[:32]
print("received", n, "damaged", bad, flush=True)'

@test "a path MTU below 1300 with many packets in flight: fragments intact, unpredictable ids" {
	routed_pair 1200
	# The first full-size packet teaches a's kernel the 1200 path.
	run in_ns a ping -c 2 -i 0.3 -W 1 -M do -s 1432 2001:db8::2
	capture b vb --immediate-mode "ip proto 41 and ip[6:2] & 0x1fff = 0 and ip[6] & 0x20 != 0"
	local errs
	errs=$(tcp_csum_errors b)
	# 4 MiB of bulk TCP: every 1280-byte packet leaves as two IPv4
	# fragments; small packets in between (the last segment of each
	# super-packet, a flood of pings) make batches fill at every offset.
	lab_bg a ping -f -c 3000 -s 100 2001:db8::2
	transfer a b 2001:db8::2 4194304
	# UDP of sizes either side of the 1180 bytes that need fragmenting:
	# one packet takes one message or two, so a batch fills at every
	# offset.
	local udp_errs
	udp_errs=$(udp_csum_errors b)
	lab_bg b /usr/bin/python3 -c "$UDP_SINK" 2001:db8::2 5202
	local sink=$LAB_LAST_LOG
	wait_for 10 in_ns b sh -c 'ss -lun | grep -q ":5202 "'
	in_ns a /usr/bin/python3 -c "$UDP_SOURCE" 2001:db8::2 5202 20000
	capture_stop
	wait_for 10 grep -q "^received [1-9]" "$sink"
	# A fragment sent from a reused slot carries another packet's bytes:
	# b's daemon drops it for its length, or b's TCP or UDP for its
	# checksum; what arrives is what was sent.
	[ "$(tcp_csum_errors b)" = "$errs" ]
	[ "$(udp_csum_errors b)" = "$udp_errs" ]
	[ "$(jshow b t6 | jq '.[0].rx_dropped')" = 0 ]
	grep -q "damaged 0$" "$sink"
	# RFC 7739: identifications of a's first fragments follow no sequence.
	local ids seq total
	ids=$(tcpdump -n -v -r "$LAB_DIR/vb.pcap" 'ip src 192.0.2.1' 2>/dev/null |
		grep -o ', id [0-9]*,' | grep -o '[0-9]*')
	total=$(wc -l <<<"$ids")
	seq=$(awk 'NR > 1 && $1 == p + 1 { n++ } { p = $1 } END { print n + 0 }' <<<"$ids")
	[ "$total" -ge 1000 ]
	[ "$seq" -le 5 ]
}

@test "large MTUs carry bulk TCP: 9000 and 65515 on links to match" {
	local mtu
	for mtu in 9000 65515; do
		lab_setup_pair_mtu "$mtu"
		transfer a b 2001:db8::2 8388608
		[ "$(jshow a t6 | jq -r '.[0] | "\(.mtu) \(.tx_dropped)"')" = "$mtu 0" ]
		t64 a down t6
		t64 b down t6
	done
}

# lab_setup_pair_mtu MTU: hosts a and b (created once) on a veth link of
# MTU + 20, a user-mode tunnel t6 of MTU across.
lab_setup_pair_mtu() {
	[ -n "$(ip netns list | grep -F "$(ns a)")" ] || two_hosts
	ip -n "$(ns a)" link set va mtu $(($1 + 20))
	ip -n "$(ns b)" link set vb mtu $(($1 + 20))
	pair mtu "$1"
	t64 b down t6
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64 mtu "$1"
	in_ns a ping -c 1 -W 5 2001:db8::2
}

@test "segments the tunnel cannot carry are counted and answered with PTB; TCP recovers" {
	two_hosts
	pair
	# The device's MTU raised by hand beyond the tunnel's: the stack hands
	# the daemon super-packets of 9000-byte segments.
	ip -n "$(ns a)" link set t6 mtu 9000
	ip -n "$(ns b)" link set t6 mtu 9000
	transfer a b 2001:db8::2 4194304
	# The first window (some 7 segments of one super-packet) is refused
	# and counted segment by segment, answered with a PTB; before,
	# a super-packet that could not be cut vanished uncounted and only a
	# later single packet was (1 drop).
	wait_for 5 sh -c "[ \"\$('$V6KIT_BIN/tun6in4' -n '$(ns a)' -j show t6 | jq '.[0].tx_dropped')\" -ge 4 ]"
	[ "$(jshow a t6 | jq '.[0].ptb_sent')" -ge 1 ]
}

@test "Packet Too Big is rate-limited (RFC 4443 2.4(f))" {
	two_hosts
	pair
	# IPV6_PMTUDISC_PROBE ignores the learned path MTU, so every one of
	# 400 datagrams reaches the daemon too big.
	ip -n "$(ns a)" link set t6 mtu 9000
	local start end
	start=$(date +%s)
	in_ns a /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, 23, 3)  # IPV6_MTU_DISCOVER: IPV6_PMTUDISC_PROBE
for i in range(400):
    s.sendto(b"x" * 1900, ("2001:db8::2", 9))'
	end=$(date +%s)
	wait_for 5 sh -c "[ \"\$('$V6KIT_BIN/tun6in4' -n '$(ns a)' -j show t6 | jq '.[0].tx_dropped')\" -ge 400 ]"
	sleep 1.2
	local ptb
	ptb=$(jshow a t6 | jq '.[0].ptb_sent')
	[ "$ptb" -ge 1 ]
	# A burst of 20, then 20 a second.
	[ "$ptb" -le $((20 + 20 * (end - start + 2))) ]
	[ "$ptb" -lt 400 ]
}

@test "SIGHUP from an admin's shell is not answered with a signal; change still works" {
	two_hosts
	pair
	local pid
	pid=$(daemon_pid a t6)
	# Before, the daemon sent SIGUSR1/SIGUSR2 back to the sender: a shell
	# died of it.
	run -0 t sh -c "kill -HUP $pid; sleep 1; echo alive"
	[ "$output" = alive ]
	[ "$(daemon_pid a t6)" = "$pid" ]
	lab_addr a va 192.0.2.11/24
	run -0 t64 a change t6 local 192.0.2.11
	[ "$(jshow a t6 | jq -r '.[0].local')" = 192.0.2.11 ]
	# The channel is root's alone.
	[ "$(stat -c '%U %a' "$(state_dir a)/t6.ctl")" = "root 600" ]
	t64 b down t6
	t64 b up t6 remote 192.0.2.11 local 192.0.2.2 address 2001:db8::2/64
	in_ns a ping -c 2 -i 0.2 -W 5 2001:db8::2
}

@test "the daemon runs as the service user without capabilities" {
	two_hosts
	pair
	local pid user uid gid
	pid=$(daemon_pid a t6)
	user=$(getent passwd v6kit >/dev/null && echo v6kit || echo nobody)
	uid=$(id -u "$user")
	gid=$(id -g "$user")
	[ "$uid" != 0 ]
	[ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" = "$uid $uid $uid $uid" ]
	[ "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" = "$gid $gid $gid $gid" ]
	for f in CapEff CapPrm CapBnd CapAmb CapInh; do
		[ "$(awk "/^$f:/ { print \$2 }" "/proc/$pid/status")" = 0000000000000000 ]
	done
	[ "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$pid/status")" = 1 ]
	# The file it keeps writing is its own.
	[ "$(stat -c %u "$(state_dir a)/t6.stats")" = "$uid" ]
	# With exactly these credentials a root-only file stays unreadable.
	echo secret >"$LAB_DIR/shadow"
	chmod 600 "$LAB_DIR/shadow"
	chmod 755 "$LAB_DIR"
	run setpriv --reuid "$uid" --regid "$gid" --clear-groups --inh-caps=-all \
		--bounding-set=-all cat "$LAB_DIR/shadow"
	assert_failure
	assert_output --partial "Permission denied"
	# The tunnel works, counters included, and moves its endpoint: the
	# new socket comes from `change`.
	in_ns a ping -c 2 -i 0.2 -W 5 2001:db8::2
	[ "$(jshow a t6 | jq '.[0].tx_dropped')" = 0 ]
	lab_addr a va 192.0.2.11/24
	t64 a change t6 local 192.0.2.11
	t64 b down t6
	t64 b up t6 remote 192.0.2.11 local 192.0.2.2 address 2001:db8::2/64
	in_ns a ping -c 2 -i 0.2 -W 5 2001:db8::2
	[ "$(daemon_pid a t6)" = "$pid" ]
}

@test "stale netns-COOKIE state directories go once their namespace is gone" {
	two_hosts
	pair
	lab_ns x
	lab_link x vx a vax
	lab_addr x vx 203.0.113.1/24
	t64 x up t7 remote 203.0.113.2 address 2001:db8:7::1/64
	local dir pid
	dir=$(state_dir x)
	pid=$(daemon_pid x t7)
	[ -e "$dir/t7.state" ]
	# The daemon dies without cleaning up, then the namespace goes.
	kill -KILL "$pid"
	wait_for 5 sh -c "[ ! -e /proc/$pid ] || grep -q '^State:.*Z' /proc/$pid/status"
	ip netns del "$(ns x)"
	run -0 t64 a show
	[ ! -e "$dir" ] || fail "$dir kept: $(ls -l "$dir"; cat "$dir"/*.pid)"
	# Live namespaces keep theirs, and a namespace kept only by a mount
	# (no process in it) counts as live.
	[ -e "$(state_dir a)/t6.state" ] && [ -e "$(state_dir b)/t6.state" ]
	lab_ns y
	local ydir
	ydir=$(state_dir y)
	mkdir -p "$ydir"
	run -0 t64 a show
	[ -d "$ydir" ]
	# Kept alive by a bind mount elsewhere (a path with a space), then not.
	touch "$LAB_DIR/pin ns"
	mount --bind "/run/netns/$(ns y)" "$LAB_DIR/pin ns"
	ip netns del "$(ns y)"
	run -0 t64 a show
	[ -d "$ydir" ]
	umount "$LAB_DIR/pin ns"
	run -0 t64 a down t6
	[ ! -e "$ydir" ]
}

# notify_listener: a fake systemd notify socket at $LAB_DIR/notify; on
# READY=1 it checks at once that the tunnel carries traffic.
NOTIFY_LISTENER='
import os, socket, subprocess, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    msg = s.recv(4096).decode()
    for line in msg.split("\n"):
        if line == "READY=1":
            r = subprocess.run(["ip", "netns", "exec", sys.argv[2], "ping", "-c", "1", "-W", "2",
                                "2001:db8::2"], capture_output=True)
            print("READY=1", "carries" if r.returncode == 0 else "broken", flush=True)
        elif line:
            print(line, flush=True)'

@test "up --foreground: READY=1 once the tunnel carries traffic; SIGTERM removes it" {
	two_hosts
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64
	lab_bg a /usr/bin/python3 -c "$NOTIFY_LISTENER" "$LAB_DIR/notify" "$(ns a)"
	local log=$LAB_LAST_LOG
	wait_for 10 grep -q listening "$log"
	NOTIFY_SOCKET=$LAB_DIR/notify lab_bg a "$V6KIT_BIN/tun6in4" up t6 remote 192.0.2.2 \
		local 192.0.2.1 address 2001:db8::1/64 --foreground
	local pid=$LAB_LAST_PID
	wait_for 15 grep -q "READY=1" "$log"
	[ "$(grep -c READY=1 "$log")" = 1 ]
	grep -q "READY=1 carries" "$log"
	# The data plane runs in this very process.
	[ "$(daemon_pid a t6)" = "$pid" ]
	kill -TERM "$pid"
	wait_for 10 sh -c "! ip -n '$(ns a)' link show t6"
	wait_for 5 grep -q "STOPPING=1" "$log"
	[ "$(jshow a)" = "[]" ]
	# Started any other way under systemd, the daemon says READY=1 itself.
	NOTIFY_SOCKET=$LAB_DIR/notify t64 a up t6 remote 192.0.2.2 local 192.0.2.1 \
		address 2001:db8::1/64
	wait_for 10 sh -c "[ \"\$(grep -c 'READY=1 carries' '$log')\" = 2 ]"
	# Already up: --foreground says so (READY=1) and exits 0.
	run -0 env NOTIFY_SOCKET="$LAB_DIR/notify" "$V6KIT_BIN/tun6in4" -n "$(ns a)" up t6 \
		remote 192.0.2.2 local 192.0.2.1 address 2001:db8::1/64 --foreground
	wait_for 10 sh -c "[ \"\$(grep -c 'READY=1 carries' '$log')\" = 3 ]"
	t64 a down t6
	# Bad input: exit 1 before anything, and no READY=1.
	run -1 env NOTIFY_SOCKET="$LAB_DIR/notify" "$V6KIT_BIN/tun6in4" -n "$(ns a)" up t6 \
		remote 192.0.2 --foreground
	[ "$(grep -c READY=1 "$log")" = 3 ]
	run -0 tool tun6in4 help up
	assert_output --partial "--foreground"
}

# history HOST NAME: the restart guard's history of NAME in HOST.
history() { printf '%s/tun6in4/netns-%s/%s.starts' "$V6KIT_STATEDIR" "$(ns "$1")" "$2"; }

@test "restart: asks the guard before taking anything down; exit 75 leaves the tunnel running" {
	two_hosts
	printf 'remote 192.0.2.2\nlocal 192.0.2.1\naddress 2001:db8::1/64\nmax-starts 2/600\n' \
		>"$V6KIT_TUNNELS_DIR/t6.conf"
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64
	t64 a up t6
	local pid
	pid=$(daemon_pid a t6)
	run --separate-stderr -0 t64 a restart t6 --dry-run
	[ "$output" = "t6: restart allowed: 1 of 2 starts used in the last 600 s" ]
	run -0 t64 a restart t6
	[ "$(daemon_pid a t6)" != "$pid" ]
	in_ns a ping -c 1 -W 5 2001:db8::2
	[ "$(wc -l <"$(history a t6)")" = 2 ]
	# The budget is spent: refused with one line, nothing taken down.
	pid=$(daemon_pid a t6)
	local snap
	snap=$(kernel_snapshot a)
	run --separate-stderr -75 t64 a restart t6
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" =~ ^"tun6in4: t6: restart budget spent, may retry in "(59[0-9]|600)" s (2 starts in the last 600 s, max-starts 2/600; --force overrides)"$ ]]
	[ "$snap" = "$(kernel_snapshot a)" ]
	[ "$(daemon_pid a t6)" = "$pid" ]
	in_ns a ping -c 1 -W 5 2001:db8::2
	run -75 t64 a restart t6 --dry-run
	# --force overrides.
	run -0 t64 a restart t6 --force
	[ "$(daemon_pid a t6)" != "$pid" ]
	[ "$(wc -l <"$(history a t6)")" = 3 ]
}

@test "restart: a tunnel that is down is started; -f FILE; bad input leaves everything alone" {
	two_hosts
	printf 'remote 192.0.2.2\naddress 2001:db8::1/64\n' >"$LAB_DIR/x6.conf"
	run -0 t64 a restart -f "$LAB_DIR/x6.conf"
	[ "$(jshow a x6 | jq -r '.[0].state')" = up ]
	local snap
	snap=$(kernel_snapshot a)
	run -1 t64 a restart nosuch
	assert_output --partial "$V6KIT_TUNNELS_DIR/nosuch.conf: No such file or directory"
	run -1 t64 a restart
	assert_output "tun6in4: restart: missing NAME or -f FILE. Try 'tun6in4 help restart'."
	run -1 t64 a restart x6 --wait
	assert_output --partial "'--wait' needs a value"
	run -1 t64 a restart x6 --frob
	assert_output "tun6in4: restart: unknown option '--frob'. Try 'tun6in4 help restart'."
	printf 'remote 192.0.2.2\nkeepalive often\n' >"$V6KIT_TUNNELS_DIR/x6.conf"
	run -1 t64 a restart x6
	assert_output --partial "$V6KIT_TUNNELS_DIR/x6.conf:2: keepalive must be 0-3600: 'often'"
	[ "$snap" = "$(kernel_snapshot a)" ]
	[ "$(jshow a x6 | jq -r '.[0].state')" = up ]
}

@test "check and keepalive: file-only keys, checked, never compared with a running tunnel" {
	two_hosts
	local f=$V6KIT_TUNNELS_DIR/t6.conf
	printf 'remote 192.0.2.2\naddress 2001:db8::1/64\ncheck 2001:db8::2\nkeepalive 30\n' >"$f"
	run -0 t64 a up t6
	# Changing them is not "different parameters": up is a no-op.
	printf 'remote 192.0.2.2\naddress 2001:db8::1/64\ncheck 2001:db8::99\nkeepalive 0\n' >"$f"
	run -0 t64 a up t6
	assert_output --partial "already up, nothing changed"
	run -1 t64 a up t7 remote 192.0.2.2 check 2001:db8::2
	assert_output --partial "unknown key 'check'"
	run -1 t64 a up t7 remote 192.0.2.2 keepalive 30
	assert_output --partial "unknown key 'keepalive'"
	local bad
	for bad in "check 192.0.2.1|check must be an IPv6 address: '192.0.2.1'" \
		"check ff02::1|check must be a unicast IPv6 address: 'ff02::1'" \
		"check ::|check must be a unicast IPv6 address: '::'" \
		"keepalive 3601|keepalive must be 0-3600: '3601'" \
		"keepalive -1|keepalive must be 0-3600: '-1'"; do
		printf 'remote 192.0.2.2\n%s\n' "${bad%%|*}" >"$V6KIT_TUNNELS_DIR/t8.conf"
		run -1 t64 a up t8
		[ "$output" = "tun6in4: $V6KIT_TUNNELS_DIR/t8.conf:2: ${bad#*|}" ]
	done
	[ "$(jshow a | jq length)" = 1 ]
}

@test "the restart history lives under V6KIT_STATEDIR and survives a wiped run directory" {
	two_hosts
	export V6KIT_STATEDIR=$LAB_DIR/state
	t64 a up t6 remote 192.0.2.2 address 2001:db8::1/64 max-starts 2/600
	t64 a down t6
	t64 a up t6 remote 192.0.2.2 address 2001:db8::1/64 max-starts 2/600
	t64 a down t6
	[ "$(wc -l <"$(history a t6)")" = 2 ]
	[ -z "$(find "$V6KIT_RUNDIR" -name '*.starts')" ]
	rm -rf "$V6KIT_RUNDIR"
	run -75 t64 a up t6 remote 192.0.2.2 address 2001:db8::1/64 max-starts 2/600
	# Another namespace's tunnel of the same name counts on its own.
	run -0 t64 b up t6 remote 192.0.2.1 address 2001:db8::2/64 max-starts 2/600
}

@test "keepalive verb: --once sends one protocol-41 packet; user mode leaves it to the daemon" {
	two_hosts
	printf 'remote 192.0.2.2\nlocal 192.0.2.1\naddress 2001:db8::1/64\ngateway 2001:db8::2\n' \
		>"$V6KIT_TUNNELS_DIR/t6.conf"
	# Nothing else on the idle tunnel: no router solicitations.
	in_ns a sysctl -qw net.ipv6.conf.default.router_solicitations=0
	t64 a up t6
	capture b vb --immediate-mode "ip proto 41"
	run -0 t64 a keepalive t6 --once
	wait_for 5 sh -c "tcpdump -n -r '$LAB_DIR/vb.pcap' 2>/dev/null | grep -q 'echo request, id 41'"
	capture_stop
	run --separate-stderr -0 tcpdump -n -r "$LAB_DIR/vb.pcap"
	[ "${#lines[@]}" = 1 ]
	[[ "$output" == *"192.0.2.1 > 192.0.2.2: IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 41, seq 0, length 16"* ]]
	# Without the key the loop has nothing to do.
	run -1 t64 a keepalive t6
	assert_output "tun6in4: t6: no 'keepalive SECONDS' in its configuration"
	echo "keepalive 20" >>"$V6KIT_TUNNELS_DIR/t6.conf"
	run -0 t64 a keepalive t6
	assert_output "tun6in4: t6: user mode: the tunnel's daemon sends the keepalives"
	run -1 t64 a keepalive nosuch
	assert_output --partial "$V6KIT_TUNNELS_DIR/nosuch.conf: No such file or directory"
	t64 a down t6
	run -2 t64 a keepalive -f "$V6KIT_TUNNELS_DIR/t6.conf" --once
	assert_output "tun6in4: t6: not up"
}

# conf_a [KEY VALUE lines]: a's tunnel t6 in the tunnels directory.
conf_a() {
	printf 'remote 192.0.2.2\nlocal 192.0.2.1\nmode user\n%s\n' "$*" >"$V6KIT_TUNNELS_DIR/t6.conf"
}
routes6() { ip -n "$(ns "$1")" -6 route show dev "$2" proto 151 | sort; }

@test "change: address, gateway and default-route in place; user mode refuses mtu, ttl, remote by name" {
	export V6KIT_STATEDIR="$LAB_DIR/state"
	two_hosts
	pair gateway 2001:db8::2
	local idx pid snap
	idx=$(ifindex a t6)
	pid=$(daemon_pid a t6)
	run -0 t64 a change t6 address 2001:db8:1::1/64 gateway 2001:db8:1::2 default-route yes
	run -0 in_ns a ip -6 -o addr show dev t6 scope global
	assert_output --partial "2001:db8:1::1/64"
	refute_output --partial "2001:db8::1/64"
	run routes6 a t6
	assert_output --partial "2001:db8:1::2 metric"
	assert_output --partial "default via 2001:db8:1::2"
	refute_output --partial "2001:db8::2 metric"
	[ "$(ifindex a t6)" = "$idx" ]
	[ "$(daemon_pid a t6)" = "$pid" ]
	[ "$(jshow a t6 | jq -r '.[0].gateway')" = 2001:db8:1::2 ]
	# Traffic flows with the new address.
	t64 b down t6
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8:1::2/64
	in_ns a ping -c 2 -i 0.2 -W 5 2001:db8:1::2
	run -0 t64 a change t6 default-route no
	run routes6 a t6
	refute_output --partial "default"
	snap=$(kernel_snapshot a)
	run -1 t64 a change t6 mtu 1400 ttl 64 address 2001:db8:2::1/64
	assert_output "tun6in4: t6: ttl, mtu cannot change in place in user mode; restart the tunnel"
	run -1 t64 a change t6 remote 192.0.2.3
	assert_output --partial "remote cannot change in place"
	run -1 t64 a change t6 mtu
	run -1 t64 a change t6 mtu 99
	assert_output --partial "'99'"
	run -1 t64 a change t6 name t7
	[ "$snap" = "$(kernel_snapshot a)" ]
	[ "$(daemon_pid a t6)" = "$pid" ]
}

@test "reload re-reads the conf: in-place keys applied, restart keys refused by name, tunnel untouched" {
	export V6KIT_STATEDIR="$LAB_DIR/state"
	two_hosts
	conf_a "address 2001:db8::1/64"
	t64 a up t6
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64
	local pid snap
	pid=$(daemon_pid a t6)
	run -0 t64 a reload t6
	assert_output --partial "nothing changed"
	conf_a "address 2001:db8::1/64
address 2001:db8:5::1/64
gateway 2001:db8::2
default-route yes"
	run -0 t64 a reload t6
	run -0 in_ns a ip -6 -o addr show dev t6 scope global
	assert_output --partial "2001:db8:5::1/64"
	run routes6 a t6
	assert_output --partial "default via 2001:db8::2"
	[ "$(daemon_pid a t6)" = "$pid" ]
	in_ns a ping -c 1 -W 5 2001:db8::2
	# mtu and table need a restart: nothing of the file is applied.
	snap=$(kernel_snapshot a)
	conf_a "address 2001:db8::1/64
gateway 2001:db8::2
default-route yes
mtu 1400
table 100"
	run -1 t64 a reload t6
	assert_output "tun6in4: t6: mtu, table cannot change in place in user mode; restart the tunnel"
	[ "$snap" = "$(kernel_snapshot a)" ]
	# A broken file: file:line, exit 1, nothing changed.
	printf 'remote 192.0.2.2\nmtu huge\n' >"$V6KIT_TUNNELS_DIR/t6.conf"
	run -1 t64 a reload t6
	assert_output --partial "t6.conf:2: mtu must be 1280-65515: 'huge'"
	[ "$snap" = "$(kernel_snapshot a)" ]
	run -2 t64 a reload t9
	assert_output "tun6in4: t9: not up"
	run -1 t64 a reload
	[ "$(daemon_pid a t6)" = "$pid" ]
}

@test "reload re-reads the -f file the tunnel came up from (an ifupdown stanza's)" {
	export V6KIT_STATEDIR="$LAB_DIR/state"
	two_hosts
	mkdir -p "$V6KIT_RUNDIR/ifupdown"
	local f="$V6KIT_RUNDIR/ifupdown/t6.conf"
	printf 'remote 192.0.2.2\nlocal 192.0.2.1\naddress 2001:db8::1/64\n' >"$f"
	# A same-named file in the tunnels directory is not the one.
	conf_a "address 2001:db8:9::1/64"
	t64 a up -f "$f"
	printf 'remote 192.0.2.2\nlocal 192.0.2.1\naddress 2001:db8:7::1/64\n' >"$f"
	run -0 t64 a reload t6
	run -0 in_ns a ip -6 -o addr show dev t6 scope global
	assert_output --partial "2001:db8:7::1/64"
	refute_output --partial "2001:db8:9::1"
	# down forgets where the tunnel came from, with the rest of its state.
	t64 a down t6
	[ -z "$(find "$V6KIT_RUNDIR/tun6in4" -type f ! -name '*.starts')" ]
	run -2 t64 a reload t6
}

@test "a local moved by change is used by later up, reload and restarts until the file's local is edited" {
	export V6KIT_STATEDIR="$LAB_DIR/state"
	two_hosts
	conf_a "address 2001:db8::1/64"
	t64 a up t6
	t64 b up t6 remote 192.0.2.11 local 192.0.2.2 address 2001:db8::2/64
	ip -n "$(ns a)" addr del 192.0.2.1/24 dev va
	lab_addr a va 192.0.2.11/24
	run -0 t64 a change t6 local 192.0.2.11
	[ "$(cat "$V6KIT_STATEDIR/tun6in4/t6.local")" = "local 192.0.2.11
file-local 192.0.2.1" ]
	# The file still says 192.0.2.1.
	run -0 t64 a up t6
	assert_output --partial "nothing changed"
	run -0 t64 a reload t6
	assert_output --partial "nothing changed"
	t64 a down t6
	run -0 t64 a up t6
	[ "$(jshow a t6 | jq -r '.[0].local')" = 192.0.2.11 ]
	in_ns a ping -c 1 -W 5 2001:db8::2
	# The administrator's edit wins: the override is dropped.
	lab_addr a va 192.0.2.12/24
	sed -i 's/^local .*/local 192.0.2.12/' "$V6KIT_TUNNELS_DIR/t6.conf"
	run -0 t64 a reload t6
	[ "$(jshow a t6 | jq -r '.[0].local')" = 192.0.2.12 ]
	[ ! -e "$V6KIT_STATEDIR/tun6in4/t6.local" ]
	t64 a down t6
	run -0 t64 a up t6
	[ "$(jshow a t6 | jq -r '.[0].local')" = 192.0.2.12 ]
	# A tunnel from the command line keeps no override.
	t64 a down t6
	t64 a up t6 remote 192.0.2.2 local 192.0.2.11 address 2001:db8::1/64
	run -0 t64 a change t6 local 192.0.2.12
	[ ! -e "$V6KIT_STATEDIR/tun6in4/t6.local" ]
}

@test "change failing half-way (the new gateway's route exists) leaves the kernel and state as they were" {
	export V6KIT_STATEDIR="$LAB_DIR/state"
	two_hosts
	pair gateway 2001:db8::2 default-route yes
	ip -n "$(ns a)" -6 route add 2001:db8:1::2/128 dev va
	local snap state
	snap=$(kernel_snapshot a)
	state=$(jshow a t6 | jq -c '.[0] | {local, remote, gateway, default_route, addresses, pid}')
	run -2 t64 a change t6 address 2001:db8:1::1/64 gateway 2001:db8:1::2
	assert_output --partial "t6:"
	[ "$snap" = "$(kernel_snapshot a)" ]
	[ "$state" = "$(jshow a t6 | jq -c '.[0] | {local, remote, gateway, default_route, addresses, pid}')" ]
	in_ns a ping -c 1 -W 5 2001:db8::2
}

@test "a moved local whose address is gone, while the file's is back, gives way to the file" {
	export V6KIT_STATEDIR="$LAB_DIR/state"
	two_hosts
	conf_a "address 2001:db8::1/64"
	t64 a up t6
	t64 b up t6 remote 192.0.2.1 local 192.0.2.2 address 2001:db8::2/64
	lab_addr a va 192.0.2.11/24
	t64 a change t6 local 192.0.2.11
	t64 a down t6
	# A reboot, and DHCP handed out 192.0.2.1 again.
	ip -n "$(ns a)" addr del 192.0.2.11/24 dev va
	run -0 t64 a up t6
	[ "$(jshow a t6 | jq -r '.[0].local')" = 192.0.2.1 ]
	[ ! -e "$V6KIT_STATEDIR/tun6in4/t6.local" ]
	in_ns a ping -c 1 -W 5 2001:db8::2
}
