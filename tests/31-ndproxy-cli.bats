#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ndproxy's command line: help, usage errors, exit statuses, global options
# before and after `status`, and configuration files in every brace style.

load helpers

setup() { lab_setup; }
teardown() { lab_teardown; }

# misuse TOKEN ARGS...: ndproxy ARGS is a usage error: exit 1, nothing on
# stdout, one line on stderr naming TOKEN and where to look.
misuse() {
	local token=$1
	shift
	run --separate-stderr tool ndproxy "$@"
	[ "$status" = 1 ] || fail "ndproxy $*: exit $status, not 1"
	[ -z "$output" ] || fail "ndproxy $*: stdout: $output"
	[ "${#stderr_lines[@]}" = 1 ] || fail "ndproxy $*: not one stderr line: $stderr"
	[[ "$stderr" == "ndproxy: "*"'$token'"*". Try 'ndproxy help"*"'." ]] ||
		fail "ndproxy $*: '$token' not named: $stderr"
}

# One upstream link for a daemon in the router, whose status is asked
# from outside the namespace with -n.
ndp_router() {
	requires root
	lab_ns modem router
	lab_link modem m0 router r0
	lab_link modem m1 router r1
	lab_link modem m2 router r2
}
ndp_running() { tool ndproxy -n "$(ns router)" status -j | jq -e '.proxies | all(.listening)'; }
# keys: every path of the JSON document on stdin, one per line, sorted.
keys() { jq -r '[paths | map(tostring) | join(".")] | sort[]'; }

@test "ndproxy cli: help, help status, status --help and -h on stdout, exit 0" {
	run --separate-stderr tool ndproxy help
	assert_success
	[ -z "$stderr" ]
	assert_line --regexp '^  status +the running daemon'
	assert_line --regexp '^  help +'
	# The daemon has no command: both of its forms are in the list.
	assert_line '       ndproxy [-c FILE] [-d] [-v] [-p PIDFILE] [-n NETNS] [-N NAME] [-t]'
	assert_line --partial 'ndproxy -i UPSTREAM -r PREFIX [-r PREFIX]... [-s | -I DOWNSTREAM | -a]'
	assert_line "-p before a command is the PIDFILE (ndppd); after 'status' it is pretty JSON."
	local all=$output
	run --separate-stderr tool ndproxy -h
	assert_success
	[ -z "$stderr" ]
	assert_equal "$output" "$all"
	run --separate-stderr tool ndproxy --help
	assert_equal "$output" "$all"

	run --separate-stderr tool ndproxy help status
	assert_success
	[ -z "$stderr" ]
	assert_line --index 0 'Usage: ndproxy [OPTIONS] status [-j] [-p] [-N NAME]'
	assert_line --partial '-N NAME'
	local one=$output
	local a
	for a in "status -h" "status --help" "status -j --help" "-j status -h" "status -N x -h"; do
		# shellcheck disable=SC2086
		run --separate-stderr tool ndproxy $a
		assert_success
		[ -z "$stderr" ]
		assert_equal "$output" "$one"
	done
}

@test "ndproxy cli: each misuse is exit 1 and one stderr line naming the bad word" {
	misuse -x -x
	misuse --bogus --bogus
	misuse bogus bogus
	misuse -c -c
	misuse -n -n
	misuse -x status -x
	misuse extra status extra
	misuse -N status -N
	misuse --instance status --instance
	misuse bogus help bogus
	misuse extra help status extra
	# Daemon options before a command.
	misuse -d -d status
	misuse -p -p "$LAB_DIR/pid" status
	misuse -t -t help
	misuse -c -c "$LAB_DIR/conf" status
	# Options of status without a command (the daemon).
	misuse -j -j -i eth0 -r 2001:db8::/64
	misuse --pretty --pretty -c "$LAB_DIR/conf"
	# The daemon's own combinations.
	misuse -a -s -a -i eth0 -r 2001:db8::/64
	misuse -i -c "$LAB_DIR/conf" -i eth0
	misuse -r -r 2001:db8::/64
	misuse -I -I eth1
	misuse extra -c "$LAB_DIR/conf" extra
	# The exact line, once.
	run --separate-stderr tool ndproxy status -x
	assert_equal "$stderr" "ndproxy: status: unknown option '-x'. Try 'ndproxy help status'."
	run --separate-stderr tool ndproxy -d status
	assert_equal "$stderr" "ndproxy: daemon option '-d' before command 'status'. Try 'ndproxy help'."
}

@test "ndproxy cli: a missing or unreadable configuration is exit 1 naming the file" {
	run --separate-stderr tool ndproxy -t -c "$LAB_DIR/missing.conf"
	assert_equal "$status" 1
	[ "${#stderr_lines[@]}" = 1 ]
	assert_equal "$stderr" "ndproxy: $LAB_DIR/missing.conf: No such file or directory"
	# The daemon's start is the same check.
	run --separate-stderr tool ndproxy -c "$LAB_DIR/missing.conf"
	assert_equal "$status" 1
	assert_equal "$stderr" "ndproxy: $LAB_DIR/missing.conf: No such file or directory"
	mkdir "$LAB_DIR/dir.conf"
	run --separate-stderr tool ndproxy -t -c "$LAB_DIR/dir.conf"
	assert_equal "$status" 1
	assert_equal "$stderr" "ndproxy: $LAB_DIR/dir.conf: is a directory"
	# A runtime failure keeps 2: no daemon to ask.
	run --separate-stderr tool ndproxy status
	assert_equal "$status" 2
}

@test "ndproxy cli: messages and help say ndproxy whatever the program is called" {
	ln -s "$V6KIT_BIN/ndproxy" "$LAB_DIR/ndppd"
	run --separate-stderr t "$LAB_DIR/ndppd" -x
	assert_equal "$status" 1
	assert_equal "$stderr" "ndproxy: unknown option '-x'. Try 'ndproxy help'."
	run --separate-stderr t "$LAB_DIR/ndppd" status extra
	assert_equal "$stderr" "ndproxy: status: unexpected argument 'extra'. Try 'ndproxy help status'."
	run --separate-stderr t "$LAB_DIR/ndppd" -t -c "$LAB_DIR/missing.conf"
	assert_equal "$stderr" "ndproxy: $LAB_DIR/missing.conf: No such file or directory"
	run --separate-stderr t "$LAB_DIR/ndppd" help
	assert_line --index 0 'Usage: ndproxy [OPTIONS] COMMAND [ARGUMENTS]'
	run --separate-stderr t "$LAB_DIR/ndppd" -V
	assert_output --regexp '^ndproxy \(v6kit\) '
}

@test "ndproxy cli: -j status, status -j, status -p and status -P give the same JSON keys" {
	ndp_router
	lab_bg router "$V6KIT_BIN/ndproxy" -n "$(ns router)" -i r0 -r 2001:db8:1::/64 -s
	wait_for 10 ndp_running
	local n
	n=$(ns router)
	run --separate-stderr tool ndproxy -j -n "$n" status
	assert_success
	[ -z "$stderr" ]
	[ "${#lines[@]}" = 1 ]
	local want
	want=$(keys <<<"$output")
	[ -n "$want" ]
	assert_equal "$(jq -r '.proxies[0].rules[0].prefix' <<<"$output")" 2001:db8:1::/64
	local a
	for a in "-n $n status -j" "status -j -n $n" "--json -n $n status" "status --netns $n --json" \
		"-n $n status -p" "status -p -n $n" "-n $n status --pretty" "-n $n status -P" \
		"-n $n status -j -p"; do
		# shellcheck disable=SC2086
		run --separate-stderr tool ndproxy $a
		assert_success
		[ -z "$stderr" ] || fail "ndproxy $a: $stderr"
		assert_equal "$(keys <<<"$output")" "$want"
		case "$a" in
		*-p* | *-P*) [ "${#lines[@]}" -gt 5 ] || fail "ndproxy $a: not indented" ;;
		*) [ "${#lines[@]}" = 1 ] || fail "ndproxy $a: not one line" ;;
		esac
	done
	# -v before or after the command says which socket is asked.
	run --separate-stderr tool ndproxy -v -n "$n" status -j
	assert_success
	assert_equal "$stderr" "ndproxy: asking the control socket $V6KIT_RUNDIR/ndproxy.$n.sock"
	run --separate-stderr tool ndproxy -n "$n" status -v
	assert_success
	assert_equal "$stderr" "ndproxy: asking the control socket $V6KIT_RUNDIR/ndproxy.$n.sock"
	assert_line --partial "proxy r0 listening"
}

@test "ndproxy cli: braces on their own lines and one-line blocks: -t is OK, the daemon serves the rules" {
	ndp_router
	cat >"$LAB_DIR/ndproxy.conf" <<-EOF
	# Braces on lines of their own.
	proxy r0
	{
	    router no
	    rule 2001:db8:1::/64
	    {
	        static
	    }
	    rule 2001:db8:2::/64 { iface r2 }   # a one-line rule
	}
	proxy r1 { rule 2001:db8:3::/64 { auto autovia yes } }
	EOF
	chmod 755 "$LAB_DIR"
	chmod 644 "$LAB_DIR/ndproxy.conf"
	run --separate-stderr tool ndproxy -t -c "$LAB_DIR/ndproxy.conf"
	assert_success
	assert_output "configuration OK"
	[ -z "$stderr" ]
	lab_bg router "$V6KIT_BIN/ndproxy" -n "$(ns router)" -c "$LAB_DIR/ndproxy.conf"
	wait_for 10 ndp_running
	run tool ndproxy -n "$(ns router)" status -j
	assert_success
	jq -e '[.proxies[] | .iface + ":" + (.router | tostring) + ":" +
		([.rules[] | .prefix + " " + .method + " " + (.iface // "")] | join(","))] ==
		["r0:false:2001:db8:1::/64 static ,2001:db8:2::/64 iface r2",
		 "r1:true:2001:db8:3::/64 auto "]' <<<"$output"
	# A misplaced brace names file:line and the brace.
	printf 'proxy r0\n{\n    rule 2001:db8:1::/64 { static }\n}\n{\n}\n' >"$LAB_DIR/bad.conf"
	run --separate-stderr tool ndproxy -t -c "$LAB_DIR/bad.conf"
	assert_equal "$status" 1
	assert_equal "$stderr" "ndproxy: $LAB_DIR/bad.conf:5: '{' without a keyword before it"
	printf 'proxy r0\n{\n    rule 2001:db8:1::/64\n    {\n        static\n}\n' >"$LAB_DIR/bad.conf"
	run --separate-stderr tool ndproxy -t -c "$LAB_DIR/bad.conf"
	assert_equal "$status" 1
	assert_equal "$stderr" "ndproxy: $LAB_DIR/bad.conf:2: '{' without a matching '}'"
}

@test "ndproxy cli: the man page's SYNOPSIS is the forms help prints; both pages lint clean" {
	requires cmd:mandoc
	run -0 tool ndproxy help
	local forms
	# The daemon's forms, the status form, then help's own.
	forms=$(sed -n '3,5p' <<<"$output"
		tool ndproxy help status | sed -n '1s/^Usage: //p'
		sed -n '2p' <<<"$output")
	run diff <(tr -s ' \n\t' ' ' <<<"$forms") \
		<(mandoc -Tascii "$TOP/man/ndproxy.8" | col -bx | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' |
			sed '1d;$d' | tr -s ' \n\t' ' ')
	assert_success
	# The rule for -p is written once, in OPTIONS.
	mandoc -Tascii "$TOP/man/ndproxy.8" | col -bx | sed -n '/^OPTIONS/,/^ *Daemon$/p' |
		tr -s ' \n' ' ' | grep -q 'before a command is the pidfile (ndppd), after status it is pretty JSON'
	run mandoc -Tlint -W warning "$TOP/man/ndproxy.8" "$TOP/man/ndproxy.conf.5"
	assert_output ""
}

@test "ndproxy cli: the daemon without root says it needs root; status does not" {
	requires root
	lab_ns router
	run --separate-stderr as_user ndproxy -n "$(ns router)" -i lo -r 2001:db8:1::/64
	assert_failure 2
	assert_equal "$stderr" "ndproxy: network namespace '$(ns router)': Operation not permitted (needs root)"
	# Without -n: the first thing it may not do is take the instance lock.
	run --separate-stderr as_user ndproxy -i lo -r 2001:db8:1::/64
	assert_failure 2
	[[ "$stderr" == "ndproxy: $V6KIT_RUNDIR"*": Permission denied (needs root)" ]] || fail "$stderr"
	# status asks the daemon's socket: who may is the socket's business.
	run --separate-stderr as_user ndproxy -n "$(ns router)" status
	assert_failure 2
	assert_equal "$stderr" "ndproxy: $V6KIT_RUNDIR/ndproxy.$(ns router).sock: Permission denied (root or the socket's group may ask)"
}
