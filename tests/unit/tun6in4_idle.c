/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the idle keepalive engine: when a keepalive is due, and
 * the packet it sends; plus the file-only keys that configure it. */
#include "unit.h"
#include "../../tools/tun6in4/idle.h"
#include "../../tools/tun6in4/pkt.h"
#include "../../tools/tun6in4/tun6in4.h"

#include <arpa/inet.h>

/* Parse a literal config text. */
#define PARSE(c, text, err) t64_conf_parse(c, text, strlen(text), "t.conf", err)

int main(void)
{
	struct t64_idle k;
	struct t64_conf c;
	struct v6_err err;
	uint8_t buf[128];

	/* Interval 2 s, sampled every 250 ms. */
	t64_idle_init(&k, 2, 100, 0);
	ok(!t64_idle_due(&k, 100, 1500), "idle 1.5 s of 2: not yet");
	ok(t64_idle_due(&k, 100, 1750), "idle 1.75 s: due one tick early, so no gap exceeds 2 s");
	ok(!t64_idle_due(&k, 100, 2000), "right after a keepalive: not again");
	ok(t64_idle_due(&k, 100, 3500), "the next one 1.75 s later");
	ok(!t64_idle_due(&k, 101, 5000), "traffic left: not idle");
	ok(!t64_idle_due(&k, 101, 6500), "1.5 s after the traffic: not yet");
	ok(t64_idle_due(&k, 101, 6750), "1.75 s after the traffic: due");
	ok(k.seq == 3, "each keepalive counts");
	t64_idle_init(&k, 0, 0, 0);
	ok(!t64_idle_due(&k, 0, 1000000), "interval 0: never");

	/* The packet: echo request from the first address to `check`. */
	t64_conf_defaults(&c);
	ok(PARSE(&c, "remote 192.0.2.2\naddress 2001:db8::2/64\ngateway 2001:db8::1\n"
			  "check 2001:db8:ffff::1\nkeepalive 25\n", &err) == 0,
	   "check and keepalive parse from a file");
	ok(c.keepalive == 25 && c.has_check, "their values");
	size_t n = t64_idle_packet(&c, 7, buf, sizeof(buf));
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, buf + 8, s, sizeof(s));
	inet_ntop(AF_INET6, buf + 24, d, sizeof(d));
	ok(n == 56 && buf[0] >> 4 == 6 && buf[6] == 58 && buf[40] == 128 && buf[47] == 7 &&
	   (buf[4] << 8 | buf[5]) == 16, "an ICMPv6 echo request, 16 bytes, seq 7");
	is_str(s, "2001:db8::2", "from the tunnel's address");
	is_str(d, "2001:db8:ffff::1", "to the check address");
	ok(t64_inner_check(buf, n) == T64_PASS, "a packet the far end's decapsulation accepts");
	ok(v6_csum6(buf + 8, buf + 24, 58, buf + 40, 16) == 0, "a valid ICMPv6 checksum");
	c.has_check = false;
	t64_idle_packet(&c, 0, buf, sizeof(buf));
	inet_ntop(AF_INET6, buf + 24, d, sizeof(d));
	is_str(d, "2001:db8::1", "without check: to the gateway");
	c.has_gateway = false;
	c.naddr = 0;
	n = t64_idle_packet(&c, 0, buf, sizeof(buf));
	inet_ntop(AF_INET6, buf + 24, d, sizeof(d));
	ok(n == 40 && buf[6] == 59, "without an address: an empty packet, No Next Header");
	is_str(d, "ff02::1", "to all nodes on the link");
	ok(t64_idle_packet(&c, 0, buf, 32) == 0, "too small a buffer: nothing");

	/* File-only: the command line refuses them. */
	t64_conf_defaults(&c);
	ok(t64_conf_set(&c, "check", "2001:db8::1", false, &err) < 0, "check is file-only");
	ok(t64_conf_set(&c, "keepalive", "30", false, &err) < 0, "keepalive is file-only");
	ok(PARSE(&c, "keepalive 3601\n", &err) < 0, "keepalive above 3600");
	is_str(err.msg, "t.conf:1: keepalive must be 0-3600: '3601'", "names the line and value");
	ok(PARSE(&c, "check 2001:db8::/64\n", &err) < 0, "check is one address");
	is_str(err.msg, "t.conf:1: check must be an IPv6 address: '2001:db8::/64'", "its error");
	/* They are not part of what identifies a running tunnel. */
	char a[1024], b[1024];
	t64_conf_defaults(&c);
	PARSE(&c, "name t6\nremote 192.0.2.2\n", &err);
	t64_conf_canon(&c, a, sizeof(a));
	PARSE(&c, "check 2001:db8::1\nkeepalive 9\n", &err);
	t64_conf_canon(&c, b, sizeof(b));
	is_str(b, a, "canonical text without check and keepalive");
	return done_testing();
}
