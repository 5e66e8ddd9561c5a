/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy's packet layer: NS validation layer by layer (RFC 4861 7.1.1),
 * the extension-header walk, NA and probe construction. */
#include "../../tools/ndproxy/ndproxy.h"
#include "unit.h"

#include <arpa/inet.h>
#include <string.h>

static struct in6_addr A(const char *s)
{
	struct in6_addr a;
	inet_pton(AF_INET6, s, &a);
	return a;
}

/* An NS for target from src to dst; exthdr (if non-zero) goes first with
 * an 8-byte body; opts appended verbatim.  Checksum fixed unless bad. */
static size_t ns(uint8_t *p, const char *src, const char *dst, const char *target, int hlim,
		 int code, const uint8_t *opts, size_t olen, uint8_t exthdr, bool bad_sum)
{
	struct in6_addr s = A(src), d = A(dst), t = A(target);
	size_t off = 40, icmp_len = 24 + olen;

	memset(p, 0, 200);
	p[0] = 0x60;
	p[7] = (uint8_t)hlim;
	memcpy(p + 8, &s, 16);
	memcpy(p + 24, &d, 16);
	p[6] = 58;
	if (exthdr) {
		p[6] = exthdr;
		p[40] = 58;
		p[41] = 0;
		off = 48;
	}
	uint8_t *icmp = p + off;
	icmp[0] = 135;
	icmp[1] = (uint8_t)code;
	memcpy(icmp + 8, &t, 16);
	if (olen)
		memcpy(icmp + 24, opts, olen);
	uint16_t sum = v6_csum6(&s, &d, IPPROTO_ICMPV6, icmp, icmp_len);
	if (bad_sum)
		sum ^= 0x5555;
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	size_t plen = off - 40 + icmp_len;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	return 40 + plen;
}

static const uint8_t slla[8] = { 1, 1, 2, 0, 0, 0, 0, 1 };

static void verdicts(void)
{
	uint8_t p[256];
	struct ndp_ns n;
	size_t len;
	const char *sol = "ff02::1:ff00:100", *tgt = "2001:db8:1::100", *src = "2001:db8:1::1";

	len = ns(p, src, sol, tgt, 255, 0, slla, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_OK, "a plain NS is valid");
	ok(n.has_slla && n.slla[5] == 1 && !n.dad, "source link-layer option read");
	char buf[64];
	is_str(inet_ntop(AF_INET6, &n.target, buf, sizeof(buf)), tgt, "target read");
	ok(ndp_parse_ns(p, len + 6, &n) == NDP_PKT_OK, "Ethernet padding after the payload ignored");
	ok(ndp_parse_ns(p, len - 1, &n) == NDP_PKT_TRUNCATED, "payload length beyond the data");
	ok(ndp_parse_ns(p, 30, &n) == NDP_PKT_NOT_NS, "shorter than an IPv6 header");
	len = ns(p, src, tgt, tgt, 255, 0, slla, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_OK, "unicast NS (unreachability probe) is valid");
	len = ns(p, src, sol, tgt, 64, 0, slla, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_HOPLIMIT, "hop limit 64");
	len = ns(p, src, sol, tgt, 255, 0, slla, 8, 0, true);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_CHECKSUM, "bad checksum");
	len = ns(p, src, sol, tgt, 255, 5, slla, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_CODE, "code 5");
	len = ns(p, src, "ff02::1:ff00:1", "ff02::1", 255, 0, slla, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_MCAST_TARGET, "multicast target");
	uint8_t zero_opt[8] = { 1, 0 };
	len = ns(p, src, sol, tgt, 255, 0, zero_opt, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_OPTION, "zero-length option");
	uint8_t long_opt[8] = { 14, 2 };
	len = ns(p, src, sol, tgt, 255, 0, long_opt, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_OPTION, "option running past the end");
	uint8_t fat_slla[16] = { 1, 2 };
	len = ns(p, src, sol, tgt, 255, 0, fat_slla, 16, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_OPTION, "16-byte link-layer option on Ethernet");
	uint8_t nonce[8] = { 14, 1, 1, 2, 3, 4, 5, 6 };
	len = ns(p, "::", sol, tgt, 255, 0, nonce, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_OK && n.dad, "DAD with a nonce option is valid");
	len = ns(p, "::", sol, tgt, 255, 0, slla, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_UNSPEC_SLLA, "DAD with a link-layer option");
	len = ns(p, "::", "ff02::1", tgt, 255, 0, NULL, 0, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_UNSPEC_DST, "DAD not to the solicited-node group");
	len = ns(p, src, "ff02::1", tgt, 255, 0, slla, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_DST_MISMATCH, "multicast NS to another group");
	len = ns(p, src, sol, tgt, 255, 0, slla, 8, 60, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_OK, "destination options header walked");
	len = ns(p, src, sol, tgt, 255, 0, slla, 8, 0, false);
	p[6] = 44; /* no room for a fragment header: nonsense */
	ok(ndp_parse_ns(p, len, &n) != NDP_PKT_OK, "bogus chain refused");
	len = ns(p, src, sol, tgt, 255, 0, slla, 8, 17, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_NOT_NS, "UDP is not an NS");

	/* Hand-made chains: destination options then hop-by-hop (illegal),
	 * and a first fragment carrying an NS. */
	uint8_t q[200] = { 0x60, 0, 0, 0, 0, 40, 60, 255 };
	q[40] = 0; q[41] = 0;  /* dstopts -> hop-by-hop */
	q[48] = 58; q[49] = 0; /* hop-by-hop -> ICMPv6 */
	q[56] = 135;
	ok(ndp_parse_ns(q, 80, &n) == NDP_PKT_EXTHDR, "hop-by-hop after another header");
	q[6] = 44;
	q[40] = 58; q[42] = 0; q[43] = 1; /* offset 0, more fragments */
	q[48] = 135;
	ok(ndp_parse_ns(q, 80, &n) == NDP_PKT_FRAGMENT, "a fragmented NS");
	q[43] = 8 | 1; /* not the first fragment */
	ok(ndp_parse_ns(q, 80, &n) == NDP_PKT_NOT_NS, "a later fragment is not recognisable");
	/* Eight destination-option headers in a row: too deep. */
	uint8_t r[200] = { 0x60, 0, 0, 0, 0, 96, 60, 255 };
	for (int i = 0; i < 9; i++)
		r[40 + 8 * i] = i < 8 ? 60 : 58;
	r[40 + 72] = 135;
	ok(ndp_parse_ns(r, 136, &n) == NDP_PKT_EXTHDR, "chain too long");
	is_str(ndp_verdict_name(NDP_PKT_HOPLIMIT), "hop_limit", "verdict names");
	/* RFC 4291 2.7 / RFC 4861 7.1.1: never a multicast source. */
	len = ns(p, "ff02::1", sol, tgt, 255, 0, slla, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_MCAST_SRC, "multicast source refused");
	len = ns(p, "ff05::2", tgt, tgt, 255, 0, slla, 8, 0, false);
	ok(ndp_parse_ns(p, len, &n) == NDP_PKT_MCAST_SRC, "multicast source refused on a unicast NS");
	is_str(ndp_verdict_name(NDP_PKT_MCAST_SRC), "multicast_source", "its counter name");
}

static void build(void)
{
	uint8_t p[NDP_NA_LEN], icmp[64];
	struct in6_addr src = A("fe80::1"), dst = A("2001:db8:1::1"), tgt = A("2001:db8:1::100"), t;
	const uint8_t mac[6] = { 2, 0, 0, 0, 0, 9 };

	size_t len = ndp_build_na(p, &src, &dst, &tgt, NDP_NA_SOLICITED | NDP_NA_ROUTER, mac);
	ok(len == 72 && p[7] == 255 && p[6] == 58 && p[5] == 32, "NA header: hop limit 255");
	ok(v6_csum6(&src, &dst, IPPROTO_ICMPV6, p + 40, 32) == 0, "NA checksum verifies");
	ok(p[40] == 136 && p[44] == 0xc0, "type 136, R and S set, O clear");
	ok(p[64] == 2 && p[65] == 1 && !memcmp(p + 66, mac, 6), "target link-layer option");
	ok(ndp_parse_na_icmp(p + 40, 32, 255, &t) == 0 && !memcmp(&t, &tgt, 16), "parses back");
	ok(ndp_parse_na_icmp(p + 40, 32, 254, &t) < 0, "NA with hop limit 254 refused");
	ok(ndp_parse_na_icmp(p + 40, 20, 255, &t) < 0, "short NA refused");
	memcpy(icmp, p + 40, 32);
	icmp[25] = 0;
	ok(ndp_parse_na_icmp(icmp, 32, 255, &t) < 0, "NA with a zero-length option refused");

	len = ndp_build_ns_icmp(icmp, &tgt, mac);
	ok(len == 32 && icmp[0] == 135 && icmp[24] == 1 && !memcmp(icmp + 26, mac, 6),
	   "probe NS with our link-layer address");
	struct in6_addr sn;
	char buf[64];
	ndp_solicited_node(&tgt, &sn);
	is_str(inet_ntop(AF_INET6, &sn, buf, sizeof(buf)), "ff02::1:ff00:100", "solicited-node");
}

int main(void)
{
	verdicts();
	build();
	return done_testing();
}
