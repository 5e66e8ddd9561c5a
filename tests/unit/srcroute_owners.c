/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for srcroute's owner records. */
#include "unit.h"
#include "../../tools/srcroute/srcroute.h"

#include <errno.h>

static struct v6_rule rule(const char *src, uint32_t prio, uint32_t table)
{
	struct v6_rule r = { .prio = prio, .table = table };
	struct v6_err err;

	v6_parse_prefix(src, V6_PARSE_ANY, &r.src, "source", &err);
	r.family = r.src.addr.family;
	return r;
}

int main(void)
{
	struct sr_owners o = { .path = "owners" };
	struct v6_err err;
	const char *text = "# comment\n"
			   "inet6 2001:db8::7 5000 1000 ifupdown-he0\n"
			   "inet 192.0.2.0/24 5008 1001 ifupdown-he1\n"
			   "inet6 2001:db8:1::/64 5064 1000 manual\n";

	ok(sr_owners_parse(&o, text, strlen(text), &err) == 0 && o.n == 3, "three records");
	struct v6_rule r = rule("2001:db8::7", 5000, 1000);
	is_str(sr_owners_lookup(&o, &r), "ifupdown-he0", "IPv6 /128 found");
	r = rule("192.0.2.0/24", 5008, 1001);
	is_str(sr_owners_lookup(&o, &r), "ifupdown-he1", "IPv4 prefix found");
	r = rule("2001:db8:1::/64", 5064, 1000);
	is_str(sr_owners_lookup(&o, &r), "manual", "IPv6 prefix found");
	r = rule("2001:db8::7", 5001, 1000);
	is_str(sr_owners_lookup(&o, &r), SR_OWNER_FILE, "another priority: the file's");
	r = rule("2001:db8::7", 5000, 1001);
	is_str(sr_owners_lookup(&o, &r), SR_OWNER_FILE, "another table: the file's");
	r = rule("2001:db8::8", 5000, 1000);
	is_str(sr_owners_lookup(&o, &r), SR_OWNER_FILE, "no record: the file's");
	sr_owners_free(&o);

	struct sr_owners e = { .path = "owners" };
	r = rule("2001:db8::7", 5000, 1000);
	ok(sr_owners_parse(&e, "", 0, &err) == 0 && e.n == 0, "empty file");
	is_str(sr_owners_lookup(&e, &r), SR_OWNER_FILE, "empty: everything is the file's");

	const char *bad[] = {
		"inet6 2001:db8::7 5000 1000\n", "inet7 2001:db8::7 5000 1000 x\n",
		"inet 2001:db8::7 5000 1000 x\n", "inet6 2001:db8::7 5000 1000 a/b\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sr_owners b = { .path = "owners" };
		ok(sr_owners_parse(&b, bad[i], strlen(bad[i]), &err) == -EINVAL &&
		   strstr(err.msg, "owners:1: not an owner record"), "refused: %s", bad[i]);
		sr_owners_free(&b);
	}
	return done_testing();
}
