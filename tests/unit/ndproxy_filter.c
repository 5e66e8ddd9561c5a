/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy's upstream socket filter, run by the kernel itself: attached to
 * one end of an AF_UNIX datagram socketpair (the filter sees each
 * datagram from byte 0, like a SOCK_DGRAM packet socket sees the IPv6
 * header), fed packets, compared with the pure NS parser. */
#include "../../tools/ndproxy/ndproxy.h"
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sv[2];

/* Does the kernel let this packet through the filter? */
static int passes(const uint8_t *pkt, size_t len)
{
	uint8_t buf[4096];

	if (send(sv[0], pkt, len, 0) != (ssize_t)len)
		return -1;
	ssize_t n = recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	return n == (ssize_t)len ? 1 : -1;
}

static struct in6_addr A(const char *s)
{
	struct in6_addr a;
	inet_pton(AF_INET6, s, &a);
	return a;
}

/* IPv6 header + nexthdrs chain (each an 8-byte header) + an upper layer
 * of type proto: a checksummed NS with SLLA for 58/135, else 16 bytes. */
static size_t build(uint8_t *p, const uint8_t *chain, int nchain, uint8_t proto, uint8_t icmp_type)
{
	struct in6_addr s = A("2001:db8:1::1"), t = A("2001:db8:1::a"), d;
	size_t off = 40, ulen;

	ndp_solicited_node(&t, &d);
	memset(p, 0, 512);
	p[0] = 0x60;
	p[7] = 255;
	memcpy(p + 8, &s, 16);
	memcpy(p + 24, &d, 16);
	p[6] = nchain ? chain[0] : proto;
	for (int i = 0; i < nchain; i++, off += 8) {
		p[off] = i + 1 < nchain ? chain[i + 1] : proto;
		p[off + 1] = 0;
	}
	if (proto == IPPROTO_ICMPV6) {
		uint8_t *icmp = p + off;
		icmp[0] = icmp_type;
		memcpy(icmp + 8, &t, 16);
		icmp[24] = 1;
		icmp[25] = 1;
		memcpy(icmp + 26, "\x02\x00\x00\x00\x00\x01", 6);
		ulen = 32;
		uint16_t sum = v6_csum6(&s, &d, IPPROTO_ICMPV6, icmp, ulen);
		icmp[2] = (uint8_t)(sum >> 8);
		icmp[3] = (uint8_t)sum;
	} else {
		ulen = 16;
	}
	size_t plen = off - 40 + ulen;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	return off + ulen;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

int main(void)
{
	struct sock_filter prog[NDP_FILTER_MAX];
	size_t n = ndp_filter_build(prog, 0);
	struct sock_fprog fp = { .len = (unsigned short)n, .filter = prog };
	uint8_t p[512];
	size_t len;
	struct ndp_ns ns;

	ok(n > 0 && n <= NDP_FILTER_MAX, "the program assembles (%zu instructions)", n);
	ok(ndp_filter_build(prog, 14) > 0, "it assembles behind an Ethernet header too");
	ndp_filter_build(prog, 0);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0 ||
	    setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0) {
		ok(0, "socketpair with the filter attached: %s", strerror(errno));
		return done_testing();
	}

	len = build(p, NULL, 0, IPPROTO_ICMPV6, 135);
	ok(ndp_parse_ns(p, len, &ns) == NDP_PKT_OK && passes(p, len) == 1, "a valid NS passes");
	len = build(p, NULL, 0, IPPROTO_UDP, 0);
	ok(passes(p, len) == 0, "UDP is dropped in the kernel");
	len = build(p, NULL, 0, IPPROTO_TCP, 0);
	ok(passes(p, len) == 0, "TCP is dropped");
	len = build(p, NULL, 0, IPPROTO_ESP, 0);
	ok(passes(p, len) == 0, "ESP is dropped");
	len = build(p, NULL, 0, IPPROTO_ICMPV6, 128);
	ok(passes(p, len) == 0, "an echo request is dropped");
	len = build(p, NULL, 0, IPPROTO_ICMPV6, 136);
	ok(passes(p, len) == 0, "a Neighbor Advertisement is dropped");

	static const uint8_t dst[] = { IPPROTO_DSTOPTS }, hop_dst[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS },
			     frag[] = { IPPROTO_FRAGMENT }, dst_hop[] = { IPPROTO_DSTOPTS, IPPROTO_HOPOPTS };
	len = build(p, dst, 1, IPPROTO_ICMPV6, 135);
	ok(ndp_parse_ns(p, len, &ns) == NDP_PKT_OK && passes(p, len) == 1,
	   "an NS behind a destination-options header passes");
	len = build(p, hop_dst, 2, IPPROTO_ICMPV6, 135);
	ok(ndp_parse_ns(p, len, &ns) == NDP_PKT_OK && passes(p, len) == 1,
	   "an NS behind hop-by-hop and destination options passes");
	len = build(p, hop_dst, 2, IPPROTO_UDP, 0);
	ok(passes(p, len) == 0, "UDP behind extension headers is dropped");
	len = build(p, frag, 1, IPPROTO_UDP, 0);
	ok(passes(p, len) == 0, "a UDP fragment is dropped (the fragment test once accepted it)");
	len = build(p, frag, 1, IPPROTO_ICMPV6, 135);
	ok(ndp_parse_ns(p, len, &ns) == NDP_PKT_FRAGMENT && passes(p, len) == 1,
	   "a first fragment of an NS passes, to be counted as fragmented");
	p[42] = 0x01; /* fragment offset 32 */
	ok(ndp_parse_ns(p, len, &ns) == NDP_PKT_NOT_NS && passes(p, len) == 0,
	   "a later fragment is dropped");
	len = build(p, dst_hop, 2, IPPROTO_ICMPV6, 135);
	ok(ndp_parse_ns(p, len, &ns) == NDP_PKT_EXTHDR && passes(p, len) == 1,
	   "a misplaced hop-by-hop header passes, to be counted");
	{
		uint8_t chain[NDP_FILTER_EXTHDRS + 1];
		memset(chain, IPPROTO_DSTOPTS, sizeof(chain));
		len = build(p, chain, NDP_FILTER_EXTHDRS, IPPROTO_ICMPV6, 135);
		ok(ndp_parse_ns(p, len, &ns) == NDP_PKT_OK && passes(p, len) == 1,
		   "an NS behind %d extension headers passes", NDP_FILTER_EXTHDRS);
		len = build(p, chain, NDP_FILTER_EXTHDRS + 1, IPPROTO_ICMPV6, 135);
		ok(ndp_parse_ns(p, len, &ns) == NDP_PKT_EXTHDR && passes(p, len) == 0,
		   "one more header is dropped");
	}
	len = build(p, NULL, 0, IPPROTO_ICMPV6, 135);
	p[0] = 0x45;
	ok(passes(p, len) == 0, "not IPv6: dropped");
	len = build(p, NULL, 0, IPPROTO_ICMPV6, 135);
	ok(passes(p, 39) == 0, "shorter than an IPv6 header: dropped");
	p[4] = p[5] = 0; /* an empty payload, the NS type byte as padding */
	ok(ndp_parse_ns(p, 41, &ns) == NDP_PKT_NOT_NS && passes(p, 41) == 0,
	   "the type byte must lie inside the payload length");

	/* Random packets: mutations of an NS, of UDP and of extension-header
	 * chains, each checked both ways against the parser. */
	unsigned leaked = 0, lost = 0, accepted = 0, total = 20000;
	for (unsigned i = 0; i < total; i++) {
		static const uint8_t protos[] = { IPPROTO_ICMPV6, IPPROTO_UDP, IPPROTO_TCP };
		uint8_t chain[3];
		int nchain = (int)(rnd() % 4);
		for (int j = 0; j < nchain; j++) {
			static const uint8_t kinds[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS,
							 IPPROTO_ROUTING, IPPROTO_FRAGMENT };
			chain[j] = kinds[rnd() % 4];
		}
		len = build(p, chain, nchain, protos[rnd() % 3], rnd() % 4 ? 135 : (uint8_t)rnd());
		unsigned flips = rnd() % 4;
		for (unsigned f = 0; f < flips; f++)
			p[rnd() % (len + 8)] = (uint8_t)rnd();
		if (rnd() % 8 == 0)
			len = rnd() % (len + 1);
		enum ndp_verdict v = ndp_parse_ns(p, len, &ns);
		int got = passes(p, len);
		if (got == 1 && v == NDP_PKT_NOT_NS)
			leaked++;
		if (got != 1 && v == NDP_PKT_OK)
			lost++;
		accepted += got == 1;
	}
	ok(leaked == 0, "random packets: none the parser calls not-an-NS passes (%u of %u did)",
	   leaked, total);
	ok(lost == 0, "random packets: no valid NS is dropped (%u of %u were)", lost, total);
	ok(accepted > total / 20, "random packets: the sample holds NS (%u passed)", accepted);
	close(sv[0]);
	close(sv[1]);
	return done_testing();
}
