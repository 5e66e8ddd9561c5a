/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for srcroute's entry grammar and file checks. */
#include "unit.h"
#include "../../tools/srcroute/srcroute.h"

#include <errno.h>

static int parse(const char *text, struct sr_conf *c, struct v6_err *err)
{
	return sr_conf_parse(text, strlen(text), "t.conf", c, err);
}

int main(void)
{
	struct sr_conf c;
	struct v6_err err;
	char buf[V6_ADDRSTRLEN];

	ok(parse("# comment\n\n2001:db8:a::2 dev sixxs0 via 2001:db8:a::1 # tail\n"
		 "2001:db8:b::/64 dev sixxs1 table uplink prio 300\n"
		 "192.0.2.10 dev sixxs1 table 77\n", &c, &err) == 0 && c.n == 3,
	   "three entries, comments and blank lines skipped");
	ok(c.v[0].line == 3 && c.v[0].has_via && !strcmp(c.v[0].dev, "sixxs0"), "first entry");
	is_str(v6_addr_str(&c.v[0].via, buf, sizeof(buf)), "2001:db8:a::1", "gateway kept");
	is_str(sr_entry_table(&c.v[0]), "sixxs0", "table defaults to the device name");
	ok(sr_entry_prio(&c.v[0]) == SR_PRIO_BASE, "/128 gets the base priority");
	ok(sr_entry_prio(&c.v[1]) == 300, "explicit prio wins");
	c.v[1].has_prio = false;
	ok(sr_entry_prio(&c.v[1]) == SR_PRIO_BASE + 64, "/64 sorts after the /128s inside it");
	ok(sr_entry_prio(&c.v[2]) == SR_PRIO_BASE && c.v[2].from.addr.family == AF_INET,
	   "IPv4 /32 also gets the base");
	sr_conf_free(&c);

	struct { const char *text, *want; } bad[] = {
		{ "2001:db8::1 dev\n", "t.conf:1: 'dev' needs a value" },
		{ "2001:db8::1\n", "t.conf:1: missing 'dev IFACE' for source '2001:db8::1'" },
		{ "\n2001:db8::zz dev a\n", "t.conf:2: source must be an IPv4 or IPv6 address or prefix: '2001:db8::zz'" },
		{ "2001:db8::1 dev a prio 0\n", "t.conf:1: prio must be 1-32765: '0'" },
		{ "2001:db8::1 dev a prio 40000\n", "t.conf:1: prio must be 1-32765: '40000'" },
		{ "2001:db8::1 dev a prio abc\n", "t.conf:1: prio must be 1-32765: 'abc'" },
		{ "192.0.2.1 dev a via 2001:db8::1\n", "t.conf:1: gateway must be an IPv4 address like the source: '2001:db8::1'" },
		{ "2001:db8::1 dev a via 192.0.2.1\n", "t.conf:1: gateway must be an IPv6 address like the source: '192.0.2.1'" },
		{ "2001:db8::1 dev a lookup 5\n", "t.conf:1: unknown word 'lookup' (expected dev, via, table, prio, fallthrough or owner)" },
		{ "2001:db8::1 dev a dev b\n", "t.conf:1: 'dev' given twice: 'b'" },
		{ "2001:db8::1 dev abcdefghijklmnop\n", "t.conf:1: dev must be 1-15 bytes long: 'abcdefghijklmnop'" },
		{ "2001:db8::1 dev a table main\n", "t.conf:1: table must be a number or a name of 1-63 bytes, not a system table: 'main'" },
		{ "2001:db8::1 dev a table 254\n", "t.conf:1: table must be a number or a name of 1-63 bytes, not a system table: '254'" },
		{ "2001:db8::1/64 dev a\n", "t.conf:1: source has host bits set beyond /64: '2001:db8::1/64'" },
		{ "2001:db8::1 dev a\n2001:db8::1 dev b\n", "t.conf:2: source '2001:db8::1' already given at line 1" },
		{ "2001:db8::1 dev a via 2001:db8::9\n2001:db8::2 dev a via 2001:db8::8\n",
		  "t.conf:2: table 'a' already routes through another device or gateway at line 1; give this entry a table of its own" },
		{ "2001:db8::1 dev a table t\n2001:db8::2 dev b table t\n",
		  "t.conf:2: table 't' already routes through another device or gateway at line 1; give this entry a table of its own" },
		{ "2001:db8::1 dev a fallthrough fallthrough\n", "t.conf:1: 'fallthrough' given twice" },
		{ "2001:db8::1 dev a owner x\n",
		  "t.conf:1: 'owner' belongs on the command line, not in a file: 'x'" },
		{ "2001:db8::1 dev a\n2001:db8::2 dev a fallthrough\n",
		  "t.conf:2: table 'a' is closed (no fallthrough) at line 1; give both entries the same 'fallthrough' or separate tables" },
		{ "2001:db8::1 dev a fallthrough\n2001:db8::2 dev a\n",
		  "t.conf:2: table 'a' is open (fallthrough) at line 1; give both entries the same 'fallthrough' or separate tables" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i].text, &c, &err);
		ok(rc == -EINVAL, "refused: %s", bad[i].want);
		if (rc == -EINVAL)
			is_str(err.msg, bad[i].want, "message for case %zu", i);
		sr_conf_free(&c);
	}

	ok(parse("2001:db8::1 fallthrough dev a prio 7\n2001:db8::2 dev a fallthrough\n"
		 "192.0.2.1 dev a\n", &c, &err) == 0 && c.n == 3,
	   "fallthrough anywhere after the source; per table and family");
	ok(c.n == 3 && c.v[0].fallthrough && c.v[1].fallthrough && !c.v[2].fallthrough &&
	   c.v[0].prio == 7 && !strcmp(c.v[0].dev, "a"), "fallthrough is a flag without a value");
	sr_conf_free(&c);

	/* The command line's words: owner NAME. */
	struct sr_entry e = { 0 };
	char *w1[] = { "2001:db8::1", "dev", "a", "owner", "ifupdown-he0.1:x_y", "fallthrough" };
	ok(sr_parse_entry(w1, 6, &e, &err) == 0 && !strcmp(e.owner, "ifupdown-he0.1:x_y") &&
	   e.fallthrough, "owner and fallthrough on the command line");
	char *w2[] = { "2001:db8::1", "dev", "a", "owner", "a/b" };
	ok(sr_parse_entry(w2, 5, &e, &err) == -EINVAL, "owner with a slash refused");
	is_str(err.msg, "owner must be 1-32 of A-Z a-z 0-9 _ . : -: 'a/b'", "owner message");
	char *w3[] = { "2001:db8::1", "dev", "a", "owner", "all" };
	ok(sr_parse_entry(w3, 5, &e, &err) == -EINVAL, "owner 'all' is reserved for entries");
	ok(sr_parse_owner("all", true, &err) == 0, "owner 'all' where allowed");
	ok(sr_parse_owner("abcdefghijabcdefghijabcdefghijab", false, &err) == 0 &&
	   sr_parse_owner("abcdefghijabcdefghijabcdefghijabc", false, &err) == -EINVAL &&
	   sr_parse_owner("", false, &err) == -EINVAL, "owner is 1-32 bytes");
	char *w4[] = { "2001:db8::1", "dev", "a", "owner", "x", "owner", "y" };
	ok(sr_parse_entry(w4, 7, &e, &err) == -EINVAL && !strcmp(err.msg, "'owner' given twice: 'y'"),
	   "owner given twice");

	ok(parse("2001:db8::1 dev a\n192.0.2.1 dev a\n", &c, &err) == 0,
	   "one device may carry both families in its table");
	sr_conf_free(&c);
	ok(parse("2001:db8::1 dev a table 5\n2001:db8::2 dev a table 6 via 2001:db8::7\n", &c, &err) == 0,
	   "two gateways on one device with their own tables");
	sr_conf_free(&c);
	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(parse(big, &c, &err) == -EINVAL && strstr(err.msg, "t.conf:1: line longer"), "overlong line");
	sr_conf_free(&c);
	ok(sr_conf_parse("a\0b", 3, "t.conf", &c, &err) == -EINVAL && strstr(err.msg, "NUL"), "NUL byte");
	sr_conf_free(&c);
	/* An unreadable file keeps its errno and exits 1 through err.status
	 * (the loader no longer rewrites the errno to EINVAL). */
	ok(sr_conf_load("/nonexistent/srcroute.conf", &c, &err) == -ENOENT &&
	   err.status == V6_EXIT_USAGE && strstr(err.msg, "/nonexistent/srcroute.conf"),
	   "a missing file: -ENOENT, bad input, named");
	ok(sr_conf_load("/", &c, &err) == -EISDIR && err.status == V6_EXIT_USAGE,
	   "a directory: -EISDIR, bad input");
	return done_testing();
}
