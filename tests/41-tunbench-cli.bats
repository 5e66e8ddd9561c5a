#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# tunbench's command line: help, one-line usage errors per verb (ping's as
# monitoring-plugin UNKNOWN), -J, -p before and after the verb, check_icmp's
# -H and -s, mtu's IPv6 floor, -v and ENOBUFS, the default port, and a
# client that reaches iperf3 or another server.

load helpers
load tunbench

setup() { lab_setup; }
teardown() { lab_teardown; }

PORT=5370 # tunbench's default

# usage_error VERB TOKEN ARGS...: `tunbench ARGS` fails with 1, nothing on
# stdout and one stderr line naming VERB and quoting TOKEN.
usage_error() {
	local verb=$1 token=$2
	shift 2
	run --separate-stderr t "$(TB)" "$@"
	[ "$status" = 1 ] || fail "tunbench $*: exit $status, want 1"
	[ -z "$output" ] || fail "tunbench $*: stdout '$output'"
	[ "${#stderr_lines[@]}" = 1 ] || fail "tunbench $*: stderr '$stderr'"
	[[ "$stderr" == "tunbench: $verb: "*"'$token'"*". Try 'tunbench help $verb'." ]] ||
		fail "tunbench $*: stderr '$stderr' does not quote '$token'"
}

# ping_unknown TOKEN ARGS...: `tunbench ping ARGS` exits 3 with one
# "PING UNKNOWN - " line on stdout and one on stderr, both quoting TOKEN.
ping_unknown() {
	local token=$1
	shift
	run --separate-stderr t "$(TB)" ping "$@"
	[ "$status" = 3 ] || fail "tunbench ping $*: exit $status, want 3"
	[ "${#lines[@]}" = 1 ] && [[ "$output" == "PING UNKNOWN - "*"'$token'"* ]] ||
		fail "tunbench ping $*: stdout '$output'"
	[ "${#stderr_lines[@]}" = 1 ] && [[ "$stderr" == "tunbench: ping: "*"'$token'"* ]] ||
		fail "tunbench ping $*: stderr '$stderr'"
}

@test "tunbench help, help VERB and VERB -h" {
	run -0 "$(TB)" help
	assert_output --partial "Commands:"
	for v in server client ping mtu; do
		assert_output --regexp "  $v +[a-z]"
	done
	run -0 "$(TB)" help ping
	assert_line --index 0 --partial "tunbench [OPTIONS] ping { HOST | -H HOST }"
	assert_output --partial "-s SRC"
	help=$output
	run -0 "$(TB)" ping -h
	[ "$output" = "$help" ]
	run -0 "$(TB)" ping 2001:db8::1 --bogus --help
	[ "$output" = "$help" ]
	run -0 "$(TB)" help client
	assert_output --partial "[-J]"
	assert_output --partial "default $PORT"
	run -0 "$(TB)" help mtu
	assert_output --partial "-v       one line per probe"
	run --separate-stderr -1 "$(TB)" help bogus
	[ "$stderr" = "tunbench: help: unknown command 'bogus'. Try 'tunbench help'." ]
}

@test "tunbench: each verb's misuse is one line naming the token, exit 1" {
	usage_error server --bogus server --bogus
	usage_error server x server -p x
	usage_error server extra server extra
	usage_error server 10x server --max-rate 10x
	usage_error client -Z client 2001:db8::1 -Z
	usage_error client abc client 2001:db8::1 -t abc
	usage_error client 2001:db8::2 client 2001:db8::1 2001:db8::2
	usage_error client 99 client 2001:db8::1 -P 99
	usage_error client -R client 2001:db8::1 --bidir -R
	usage_error client -p client 2001:db8::1 -p
	usage_error mtu -q mtu -q 2001:db8::1
	usage_error mtu abc mtu 2001:db8::1 --min abc
	usage_error mtu 1400 mtu 2001:db8::1 --min 1400 --max 1300
	usage_error mtu 2001:db8::2 mtu 2001:db8::1 2001:db8::2
	usage_error server -p server -p
	usage_error mtu -I mtu 2001:db8::1 -I
	# No verb yet: the line names the tool only.
	run --separate-stderr -1 "$(TB)" bogus
	[ "$stderr" = "tunbench: unknown command 'bogus'. Try 'tunbench help'." ]
	# A missing HOST has no token to quote, but is one line too.
	run --separate-stderr -1 "$(TB)" client
	[ "$stderr" = "tunbench: client: missing HOST. Try 'tunbench help client'." ]
}

@test "tunbench ping: usage and threshold errors are PING UNKNOWN, exit 3" {
	ping_unknown -x -x 2001:db8::1
	ping_unknown -c 2001:db8::1 -c
	ping_unknown abc 2001:db8::1 -c abc
	ping_unknown 20001 2001:db8::1 -c 20001
	ping_unknown 200 2001:db8::1 -w 200
	ping_unknown 600,10% 2001:db8::1 -w 600,10%
	ping_unknown 2001:db8::2 -H 2001:db8::1 2001:db8::2
	ping_unknown 2001:db8::3 -H 2001:db8::1 -H 2001:db8::3
	ping_unknown 2001:db8::9 2001:db8::1 -s 2001:db8::5 -I 2001:db8::9
	# A shared option's error after the verb is the plugin's UNKNOWN too.
	ping_unknown -n 2001:db8::1 -n
	ping_unknown --netns 2001:db8::1 --netns
	run --separate-stderr -3 "$(TB)" ping
	[ "$output" = "PING UNKNOWN - missing HOST" ]
	# The tool names itself (not "ping: ...", which reads like iputils).
	[ "$stderr" = "tunbench: ping: missing HOST. Try 'tunbench help ping'." ]
	# With -j the status is the JSON object a script reads.
	run --separate-stderr -3 "$(TB)" -j ping 2001:db8::1 -c abc
	[ "$(jq -r '.status + " " + (.exit | tostring)' <<<"$output")" = "UNKNOWN 3" ]
	[[ "$(jq -r .error <<<"$output")" == *"'abc'"* ]]
}

@test "tunbench ping -H HOST -s SRC: check_icmp's spellings" {
	requires root cmd:jq
	two_hosts
	run -0 in_ns a "$(TB)" ping -H 2001:db8:1::2 -s 2001:db8:1::1 -c 2 -i 0.01 -j
	[ "$(jq -r '.host + " " + .source + " " + (.received | tostring)' <<<"$output")" = \
		"2001:db8:1::2 2001:db8:1::1 2" ]
	run -0 in_ns a "$(TB)" ping -H 192.0.2.2 -s 192.0.2.1 -c 1
	assert_output --regexp '^PING OK - 192\.0\.2\.2 rta'
	# -s is a source address like -I: one this host lacks is UNKNOWN.
	run -3 in_ns a "$(TB)" ping -H 2001:db8:1::2 -s 2001:db8:1::99 -c 1
	assert_output --partial "PING UNKNOWN"
	assert_output --partial "2001:db8:1::99"
}

@test "tunbench: -J is -j, -p after client/server is PORT, -p before the verb is pretty JSON" {
	requires root cmd:jq
	two_hosts
	start_server b -p 5999 -J
	run --separate-stderr -0 in_ns a "$(TB)" client 2001:db8:1::2 -p 5999 -t 0.3 -i 0 -J
	J=$(jq -c 'select(.event == "summary") | keys' <<<"$output")
	[ -n "$J" ]
	run --separate-stderr -0 in_ns a "$(TB)" client 2001:db8:1::2 -p 5999 -t 0.3 -i 0 -j
	[ "$(jq -c 'select(.event == "summary") | keys' <<<"$output")" = "$J" ]
	run --separate-stderr -0 in_ns a "$(TB)" client 2001:db8:1::2 -p 5999 -t 0.3 -i 0 --json
	[ "$(jq -c 'select(.event == "summary") | keys' <<<"$output")" = "$J" ]
	# The server's -J: its reports are JSON too.
	grep -q '^{"event":' "$SERVER_LOG"
	# Before the verb, -p is --pretty: indented JSON, several lines per object.
	run --separate-stderr -0 in_ns a "$(TB)" -p client 2001:db8:1::2 -p 5999 -t 0.3 -i 0
	[ "${#lines[@]}" -gt 5 ]
	[ "$(jq -s 'map(select(.event == "summary")) | length' <<<"$output")" = 1 ]
}

@test "tunbench: the default port is $PORT, on the server and the client" {
	requires root cmd:ss
	two_hosts
	start_server b
	run -0 in_ns b ss -Hltn "sport = :$PORT"
	assert_output --partial ":$PORT"
	run -0 in_ns b ss -Hltn "sport = :5201"
	assert_output ""
	run -0 in_ns a "$(TB)" client 2001:db8:1::2 -t 0.3 -i 0
	assert_output --partial "receiver"
}

@test "tunbench client: an iperf3 server is named as such, exit 2, without waiting" {
	requires root cmd:iperf3 cmd:ss
	two_hosts
	lab_bg b iperf3 -s -p 5201 -1
	wait_for 10 in_ns b sh -c 'ss -Hltn "sport = :5201" | grep -q .'
	SECONDS=0
	run --separate-stderr in_ns a "$(TB)" client 2001:db8:1::2 -p 5201 -t 1
	[ "$status" = 2 ]
	[ "$stderr" = "tunbench: 2001:db8:1::2 port 5201 is not a tunbench server (it looks like iperf3)" ]
	[ "$SECONDS" -lt 5 ]
}

@test "tunbench client: a server that is not tunbench is named as such, exit 2" {
	requires root cmd:ss cmd:jq
	two_hosts
	lab_bg b /usr/bin/python3 -c '
import socket
l = socket.socket(socket.AF_INET6)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("::", 2222)); l.listen(4)
while True:
    c, _ = l.accept()
    c.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
    try:
        c.recv(4096)
    except OSError:
        pass
    c.close()
'
	wait_for 10 in_ns b sh -c 'ss -Hltn "sport = :2222" | grep -q .'
	run --separate-stderr in_ns a "$(TB)" client 2001:db8:1::2 -p 2222 -t 1
	[ "$status" = 2 ]
	[ "$stderr" = "tunbench: 2001:db8:1::2 port 2222 is not a tunbench server" ]
	run --separate-stderr in_ns a "$(TB)" client 2001:db8:1::2 -p 2222 -t 1 -j
	[ "$status" = 2 ]
	[ "$(jq -r 'select(.event == "error") | .error' <<<"$output")" = \
		"2001:db8:1::2 port 2222 is not a tunbench server" ]
}

@test "tunbench mtu: --min below 1280 is refused for an IPv6 host (RFC 8200 5), not for IPv4" {
	requires root cmd:jq
	two_hosts
	run --separate-stderr in_ns a "$(TB)" mtu 2001:db8:1::2 --min 1000
	[ "$status" = 1 ]
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" == "tunbench: mtu: "*"1280"*"'1000'"* ]]
	# An address literal is refused before any socket: even without the
	# privilege an ICMP socket needs, the answer is the usage error.
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$(TB)" mtu 2001:db8:1::2 --min 1000
	[ "$status" = 1 ]
	[[ "$stderr" == "tunbench: mtu: "*"'1000'"* ]]
	run -0 in_ns a "$(TB)" -j mtu 192.0.2.2 --min 1000 --max 1100
	[ "$(jq .mtu <<<"$output")" = 1100 ]
	run -0 in_ns a "$(TB)" -j mtu 2001:db8:1::2 --min 1280 --max 1300
	[ "$(jq .mtu <<<"$output")" = 1300 ]
}

@test "tunbench mtu -v: one line per probe, size and result" {
	requires root cmd:jq
	two_hosts
	run --separate-stderr -0 in_ns a "$(TB)" -j mtu 2001:db8:1::2 --max 1400 -v
	probes=$(jq .probes <<<"$output")
	[ "$probes" -gt 1 ]
	[ "${#stderr_lines[@]}" = "$probes" ]
	[[ "${stderr_lines[0]}" == "tunbench: mtu: probe 1280 bytes: reply in "*" ms" ]]
	[[ "${stderr_lines[-1]}" == "tunbench: mtu: probe 1400 bytes: reply in "*" ms" ]]
	# Without -v, nothing on stderr.
	run --separate-stderr -0 in_ns a "$(TB)" mtu 2001:db8:1::2 --max 1400
	[ -z "$stderr" ]
}

@test "tunbench mtu: a probe our own qdisc drops (ENOBUFS) is lost, not an error" {
	requires root cmd:tc cmd:jq
	two_hosts
	# tbf drops what exceeds its bucket at enqueue: sendto() gets ENOBUFS
	# (IP_RECVERR is set) for every IPv4 packet above 1386 bytes.
	in_ns a tc qdisc add dev a0 root tbf rate 1gbit burst 1400 limit 100000 ||
		skip "needs the tbf qdisc"
	run --separate-stderr in_ns a "$(TB)" -j -v mtu 192.0.2.2 --min 1280 --max 1500
	[ "$status" = 3 ] || fail "exit $status: $stderr"
	[ "$(jq -c '[.mtu, .black_hole]' <<<"$output")" = "[1386,true]" ]
	[[ "$stderr" == *"probe 1388 bytes: lost (No buffer space available)"* ]]
}
