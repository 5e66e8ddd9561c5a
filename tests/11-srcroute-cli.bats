#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# srcroute's command line: every verb's help, misuse answered with one line
# that names the word, options after the verb, JSON keys, the program name.

load helpers
bats_require_minimum_version 1.5.0

SRC0=2001:db8:a::2
VERBS="add del show apply check flush"

setup() {
	requires root
	lab_setup
	lab_ns host far0
	lab_link host sixxs0 far0 tun0
	lab_addr host sixxs0 "$SRC0/64"
	lab_addr far0 tun0 2001:db8:a::1/64
	CONF="$LAB_DIR/srcroute.conf"
	echo "$SRC0 dev sixxs0 via 2001:db8:a::1" >"$CONF"
}

teardown() { lab_teardown; }

sr() { tool srcroute -n "$(ns host)" "$@"; }

# What srcroute could have touched: rules, routes of any protocol but the
# kernel's own (which come and go as links settle), table names and state.
sr_snapshot() {
	local n
	n=$(ns host)
	ip -n "$n" -4 rule
	ip -n "$n" -6 rule
	ip -n "$n" -4 route show table all | grep -v 'proto kernel' || true
	ip -n "$n" -6 route show table all | grep -v 'proto kernel' || true
	find "$V6KIT_IPROUTE2_DIR" "$V6KIT_RUNDIR" -printf '%p %s\n' | sort
}

# misuse RC LINE ARGS...: srcroute ARGS exits RC with exactly LINE on
# standard error, nothing on standard output, and the kernel untouched.
misuse() {
	local want_rc=$1 want=$2 before
	shift 2
	before=$(sr_snapshot)
	run --separate-stderr sr "$@"
	[ "$status" -eq "$want_rc" ] || fail "exit $status, want $want_rc for: $*: $stderr"
	[ "$stderr" = "$want" ] || fail "for: $*
got:  $stderr
want: $want"
	[ -z "$output" ] || fail "stdout for: $*: $output"
	local after
	after=$(sr_snapshot)
	[ "$after" = "$before" ] || fail "kernel changed by: $*: $(diff <(echo "$before") <(echo "$after"))"
}

# usage VERB MESSAGE ARGS...: the one-line usage error of VERB.
usage() {
	local verb=$1 msg=$2
	shift 2
	misuse 1 "srcroute: $verb: $msg. Try 'srcroute help $verb'." "$@"
}

@test "VERB --help and VERB -h print that verb's help, exit 0 and touch nothing, whatever else is on the line" {
	local verb flag before
	before=$(sr_snapshot)
	for verb in $VERBS; do
		for flag in --help -h; do
			run --separate-stderr sr "$verb" "$flag"
			assert_success
			[ -z "$stderr" ] || fail "$verb $flag wrote to stderr: $stderr"
			assert_line --index 0 --regexp "^Usage: srcroute \[OPTIONS\] $verb( |\$)"
			assert_line --partial "Where:"
		done
	done
	# Formerly a bad address and a usage error; and words that would act.
	run -0 sr del --help
	run -0 sr add --help
	run -0 sr add "$SRC0" dev sixxs0 --help
	run -0 sr del "$SRC0" -h
	run -0 sr apply -f "$CONF" --help
	run -0 sr flush owner all --help
	run -0 sr add --bogus -h
	[ "$(sr_snapshot)" = "$before" ] || fail "a help request changed the kernel"
	[ -z "$(ls -A "$V6KIT_RUNDIR")" ] || fail "a help request wrote state"
}

@test "help, help VERB and help bogus" {
	run --separate-stderr sr help
	assert_success
	assert_line --index 0 "Usage: srcroute [OPTIONS] COMMAND [ARGUMENTS]"
	assert_line "  apply  make the kernel match FILE"
	assert_line "Options (before or after COMMAND, unless the command uses the letter):"
	run --separate-stderr sr help add
	assert_success
	assert_line --index 0 --partial "Usage: srcroute [OPTIONS] add FROM dev IFACE [via GW] [table { NAME | ID }]"
	assert_line --partial "  OWNER  1-32 of A-Z a-z 0-9 _ . : - (default: manual)"
	misuse 1 "srcroute: help: unknown command 'bogus'. Try 'srcroute help'." help bogus
	misuse 1 "srcroute: unknown command 'bogus'. Try 'srcroute help'." bogus
}

@test "an unknown option after each verb: one line naming it" {
	local verb
	for verb in $VERBS; do
		usage "$verb" "unknown option '--bogus'" "$verb" --bogus
		usage "$verb" "unknown option '-x'" "$verb" -x
	done
	# Options of apply that check does not take.
	usage check "unknown option '--dry-run'" check -f "$CONF" --dry-run
	usage check "unknown option '--wait'" check -f "$CONF" --wait 3
}

@test "a bad word after each verb: one line naming it" {
	usage add "unknown word 'bogus' (expected dev, via, table, prio, fallthrough or owner)" \
		add "$SRC0" dev sixxs0 bogus
	usage add "source must be an IPv4 or IPv6 address or prefix: 'bogus'" add bogus dev sixxs0
	usage add "owner 'all' is reserved for flush and show" add "$SRC0" dev sixxs0 owner all
	usage add "wait must be 0-3600: 'x'" add "$SRC0" dev sixxs0 --wait x
	usage del "unexpected word 'bogus'" del "$SRC0" bogus
	usage del "source must be an IPv4 or IPv6 address or prefix: 'bogus'" del bogus
	usage del "owner must be 1-32 of A-Z a-z 0-9 _ . : -: 'a/b'" del "$SRC0" owner a/b
	usage show "unexpected word 'bogus'" show bogus
	usage apply "unexpected word 'bogus'" apply -f "$CONF" bogus
	usage apply "wait must be 0-3600: '3601'" apply -f "$CONF" --wait 3601
	usage check "unexpected word 'bogus'" check -f "$CONF" bogus
	usage flush "unexpected word 'bogus'" flush bogus
	usage flush "unexpected word 'bogus'" flush bogus owner all
}

@test "a missing argument: one line naming what is missing" {
	usage add "missing 'FROM'" add
	usage add "missing 'dev IFACE' for source '$SRC0'" add "$SRC0"
	usage add "'via' needs a value" add "$SRC0" dev sixxs0 via
	usage add "option '--wait' needs a value" add "$SRC0" dev sixxs0 --wait
	usage del "missing 'FROM'" del
	usage del "'owner' needs a value" del "$SRC0" owner
	usage show "'dev' needs a value" show dev
	usage show "'owner' needs a value" show owner
	usage apply "option '-f' needs a value" apply -f
	usage apply "option '--wait' needs a value" apply --wait
	usage apply "'owner' needs a value" apply -f "$CONF" owner
	usage check "'owner' needs a value" check -f "$CONF" owner
	usage flush "'owner' needs a value" flush owner
}

@test "global options after the verb: -j, -v, -4 and -n" {
	run -0 tool srcroute apply -f "$CONF" -n "$(ns host)" -j
	[ "$(jq -c 'keys' <<<"$output")" = '["changes","commands","dry_run"]' ]
	[ "$(jq .changes <<<"$output")" = 3 ]
	run -0 sr show -j
	[ "$(jq -r '.[0].from' <<<"$output")" = "$SRC0" ]
	run -0 sr show -4 --json
	[ "$output" = "[]" ]
	run -0 sr check -f "$CONF" --pretty
	[ "$(jq -c '[keys, .differences]' <<<"$output")" = '[["commands","differences","dry_run"],0]' ]
}

@test "JSON: one verb's objects have the same keys whatever the outcome" {
	local keys='["changes","commands","dry_run"]'
	run -0 sr -j apply -f "$CONF" --dry-run
	[ "$(jq -c keys <<<"$output")" = "$keys" ]
	[ "$(jq .dry_run <<<"$output")" = true ]
	run -0 sr -j apply -f "$CONF"
	[ "$(jq -c '[keys, .changes, (.commands | length)]' <<<"$output")" = "[$keys,3,3]" ]
	run -0 sr -j apply -f "$CONF"
	[ "$(jq -c '[keys, .changes, .commands]' <<<"$output")" = "[$keys,0,[]]" ]
	# check: in step, and drifted (exit 3).
	run -0 sr -j check -f "$CONF"
	[ "$(jq -c '[keys, .differences]' <<<"$output")" = '[["commands","differences","dry_run"],0]' ]
	ip -n "$(ns host)" -6 rule del from "$SRC0" priority 5000
	run -3 sr -j check -f "$CONF"
	[ "$(jq -c '[keys, .differences]' <<<"$output")" = '[["commands","differences","dry_run"],1]' ]
	run -0 sr apply -f "$CONF"
	# add, del (also with nothing to do) and flush.
	run -0 sr -j add 2001:db8:a::3 dev sixxs0 via 2001:db8:a::1
	[ "$(jq -c '[keys, .changes]' <<<"$output")" = "[$keys,1]" ]
	run -0 sr -j del 2001:db8:a::3
	[ "$(jq -c '[keys, .changes]' <<<"$output")" = "[$keys,1]" ]
	run --separate-stderr -0 sr -j del 2001:db8:a::3
	[ "$(jq -c '[keys, .changes]' <<<"$output")" = "[$keys,0]" ]
	run -0 sr -j flush
	[ "$(jq -c '[keys, .changes]' <<<"$output")" = "[$keys,3]" ]
	# show: every documented key, null where there is no value.
	run -0 sr add "$SRC0" dev sixxs0 table 77 owner t
	ip -n "$(ns host)" -6 route del default table 77 proto 150
	run -0 sr -j show
	[ "$(jq -c '.[0] | keys' <<<"$output")" = \
		'["dev","fallthrough","family","from","owner","prio","route","route_owner","table","table_id","via"]' ]
	[ "$(jq -c '.[0] | [.dev, .via, .route, .route_owner]' <<<"$output")" = '[null,null,false,null]' ]
}

@test "messages name srcroute, even when it runs under another name" {
	ln -s "$V6KIT_BIN/srcroute" "$LAB_DIR/sr-other"
	run --separate-stderr t "$LAB_DIR/sr-other" bogus
	assert_failure 1
	[ "$stderr" = "srcroute: unknown command 'bogus'. Try 'srcroute help'." ]
	run --separate-stderr t "$LAB_DIR/sr-other" del
	[ "$stderr" = "srcroute: del: missing 'FROM'. Try 'srcroute help del'." ]
	run -0 t "$LAB_DIR/sr-other" --help
	assert_line --index 0 "Usage: srcroute [OPTIONS] COMMAND [ARGUMENTS]"
	run -0 t "$LAB_DIR/sr-other" -V
	assert_output --regexp '^srcroute \(v6kit\) '
}

@test "a missing configuration file exits 1 naming it, for apply and check" {
	misuse 1 "srcroute: $LAB_DIR/none.conf: No such file or directory" apply -f "$LAB_DIR/none.conf"
	misuse 1 "srcroute: $LAB_DIR/none.conf: No such file or directory" check -f "$LAB_DIR/none.conf"
	misuse 1 "srcroute: $LAB_DIR/none.conf: No such file or directory" apply -f "$LAB_DIR/none.conf" --wait 1
	mkdir "$LAB_DIR/dir.conf"
	run --separate-stderr sr apply -f "$LAB_DIR/dir.conf"
	assert_failure 1
	[[ "$stderr" == "srcroute: $LAB_DIR/dir.conf: "* ]] || fail "$stderr"
	# The default file, when this machine has none.
	if [ ! -e /etc/v6kit/srcroute.conf ]; then
		misuse 1 "srcroute: /etc/v6kit/srcroute.conf: No such file or directory" apply
		misuse 1 "srcroute: /etc/v6kit/srcroute.conf: No such file or directory" check
	fi
}

@test "-v with --wait says what it waits for; without -v it says nothing" {
	run --separate-stderr -0 sr -v apply -f "$CONF" --wait 5
	[ "${stderr_lines[0]}" = "srcroute: waiting up to 5 s for sixxs0 to be up with a route" ] ||
		fail "stderr: $stderr"
	run -0 sr flush
	run --separate-stderr -0 sr apply -f "$CONF" --wait 5
	[ -z "$stderr" ] || fail "without -v: $stderr"
	run --separate-stderr -0 sr add 2001:db8:a::3 dev sixxs0 via 2001:db8:a::1 --wait 3 -v
	[ "${stderr_lines[0]}" = "srcroute: waiting up to 3 s for sixxs0 to be up with a route" ] ||
		fail "stderr: $stderr"
	# A file naming one device for many sources waits for it once.
	printf '2001:db8:a::%x dev sixxs0 via 2001:db8:a::1\n' $(seq 16 40) >"$LAB_DIR/many.conf"
	run --separate-stderr -0 sr -v apply -f "$LAB_DIR/many.conf" --wait 5 owner many
	[ "$(grep -c 'waiting up to' <<<"$stderr")" = 1 ] || fail "stderr: $stderr"
}

@test "without root, a command that changes the kernel says it needs root; reading ones do not" {
	local snap
	snap=$(sr_snapshot)
	for verb in "add $SRC0 dev sixxs0" "del $SRC0" "flush"; do
		# shellcheck disable=SC2086 # the verb's words
		run --separate-stderr as_user srcroute -n "$(ns host)" $verb
		assert_failure 2
		assert_equal "$stderr" "srcroute: network namespace '$(ns host)': Operation not permitted (needs root)"
	done
	# CAP_NET_ADMIN is what the hint asks for; what is missing then (entering
	# a namespace needs CAP_SYS_ADMIN) is not root's.
	run --separate-stderr as_user net_admin srcroute -n "$(ns host)" add "$SRC0" dev sixxs0
	assert_failure 2
	assert_equal "$stderr" "srcroute: network namespace '$(ns host)': Operation not permitted"
	# A file the user may not read: apply wants root anyway; for check it is
	# the file's business, not root's.
	chmod 600 "$CONF"
	run --separate-stderr as_user srcroute apply -f "$CONF"
	assert_failure 1
	assert_equal "$stderr" "srcroute: $CONF: Permission denied (needs root)"
	run --separate-stderr as_user srcroute check -f "$CONF"
	assert_failure 1
	assert_equal "$stderr" "srcroute: $CONF: Permission denied"
	[ "$snap" = "$(sr_snapshot)" ]
}
