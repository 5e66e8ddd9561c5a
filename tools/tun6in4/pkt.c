/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packet checks and builders for the user-mode 6in4 data plane.  Every
 * function reads only the bytes it is given, checking each length before
 * it looks, in a fixed order: outer header, addresses, inner header. */
#include "pkt.h"

#include <arpa/inet.h>
#include <string.h>

enum { IP4_MIN = 20, IP6_HDR = 40, PROTO_IPV6 = 41, ICMP6 = 58, TCP = 6, PTB_MIN_MTU = 1280 };

const char *t64_verdict_name(enum t64_verdict v)
{
	static const char *const names[T64_VERDICT_MAX] = {
		"pass", "short", "version", "protocol", "foreign source", "not for us",
		"fragment", "length", "inner source", "inner destination", "too big",
	};
	return v < T64_VERDICT_MAX ? names[v] : "?";
}

static uint16_t get16(const uint8_t *p) { return v6_get_be16(p); }
static void put16(uint8_t *p, uint16_t v) { v6_put_be16(p, v); }

/* RFC 4213 3.6 and RFC 4291 2.5: a decapsulator drops inner packets whose
 * source is unspecified, loopback, multicast or IPv4-mapped/compatible. */
static enum t64_verdict inner_addrs(const uint8_t *ip6)
{
	struct in6_addr s, d;
	const struct in6_addr *src = &s, *dst = &d;

	/* Copied out: packet bytes carry no alignment guarantee. */
	memcpy(&s, ip6 + 8, 16);
	memcpy(&d, ip6 + 24, 16);

	if (IN6_IS_ADDR_UNSPECIFIED(src) || IN6_IS_ADDR_LOOPBACK(src) ||
	    IN6_IS_ADDR_MULTICAST(src) || IN6_IS_ADDR_V4MAPPED(src) || IN6_IS_ADDR_V4COMPAT(src))
		return T64_DROP_INNER_SRC;
	if (IN6_IS_ADDR_UNSPECIFIED(dst) || IN6_IS_ADDR_LOOPBACK(dst) || IN6_IS_ADDR_V4MAPPED(dst))
		return T64_DROP_INNER_DST;
	return T64_PASS;
}

enum t64_verdict t64_inner_check(const uint8_t *ip6, size_t len)
{
	if (len < IP6_HDR)
		return T64_DROP_SHORT;
	if (ip6[0] >> 4 != 6)
		return T64_DROP_VERSION;
	/* A payload length of 0 would be a jumbogram (RFC 2675), which no
	 * IPv4 packet can carry. */
	if ((size_t)get16(ip6 + 4) + IP6_HDR != len)
		return T64_DROP_LENGTH;
	return inner_addrs(ip6);
}

enum t64_verdict t64_decap(const uint8_t *pkt, size_t len, struct in_addr remote,
			   struct in_addr local, size_t *inner_off, size_t *inner_len)
{
	size_t ihl, total;

	if (len < IP4_MIN)
		return T64_DROP_SHORT;
	if (pkt[0] >> 4 != 4)
		return T64_DROP_VERSION;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	total = get16(pkt + 2);
	if (ihl < IP4_MIN || total < ihl || total > len)
		return T64_DROP_SHORT;
	if (pkt[9] != PROTO_IPV6)
		return T64_DROP_PROTO;
	/* More-fragments set or a non-zero offset: the kernel reassembles
	 * before raw delivery, so this is malformed input. */
	if (get16(pkt + 6) & 0x3fff)
		return T64_DROP_FRAGMENT;
	/* RFC 4213 3.6: accept only packets from the configured remote. */
	if (memcmp(pkt + 12, &remote.s_addr, 4) != 0)
		return T64_DROP_FOREIGN;
	if (local.s_addr && memcmp(pkt + 16, &local.s_addr, 4) != 0)
		return T64_DROP_NOT_LOCAL;
	enum t64_verdict v = t64_inner_check(pkt + ihl, total - ihl);
	if (v != T64_PASS)
		return v;
	*inner_off = ihl;
	*inner_len = total - ihl;
	return T64_PASS;
}

enum t64_verdict t64_encap_check(const uint8_t *ip6, size_t len, unsigned mtu)
{
	enum t64_verdict v = t64_inner_check(ip6, len);

	if (v != T64_PASS)
		return v;
	return len > mtu ? T64_TOO_BIG : T64_PASS;
}

void t64_encap_hdr(uint8_t hdr[T64_IP4_HDR], struct in_addr src, struct in_addr dst,
		   uint8_t ttl, const uint8_t *ip6, size_t len, int df)
{
	memset(hdr, 0, T64_IP4_HDR);
	hdr[0] = 0x45;
	put16(hdr + 2, (uint16_t)(len + T64_IP4_HDR));
	hdr[6] = df ? 0x40 : 0;
	/* RFC 4213 3.3: TTL 0 means "inherit": the inner hop limit. */
	hdr[8] = ttl ? ttl : (len >= IP6_HDR && ip6[7] ? ip6[7] : 1);
	hdr[9] = PROTO_IPV6;
	memcpy(hdr + 12, &src.s_addr, 4);
	memcpy(hdr + 16, &dst.s_addr, 4);
	put16(hdr + 10, v6_csum(hdr, T64_IP4_HDR));
}

size_t t64_ip4_fragment(uint8_t (*out_hdr)[T64_IP4_HDR], size_t *off, size_t *len, size_t max,
			const uint8_t hdr[T64_IP4_HDR], size_t payload_len, unsigned pmtu,
			uint16_t id)
{
	/* RFC 791: every fragment but the last carries a multiple of 8. */
	size_t chunk = pmtu > T64_IP4_HDR + 8 ? ((size_t)pmtu - T64_IP4_HDR) & ~(size_t)7 : 0;
	size_t n = 0;

	if (!chunk || (hdr[6] & 0x40) || payload_len == 0)
		return 0;
	for (size_t at = 0; at < payload_len; at += chunk) {
		size_t l = payload_len - at < chunk ? payload_len - at : chunk;
		uint8_t *h = out_hdr[n];
		if (n == max || at / 8 > 0x1fff)
			return 0;
		memcpy(h, hdr, T64_IP4_HDR);
		put16(h + 2, (uint16_t)(T64_IP4_HDR + l));
		put16(h + 4, id);
		put16(h + 6, (uint16_t)((at + l < payload_len ? 0x2000 : 0) | (at / 8)));
		put16(h + 10, 0);
		put16(h + 10, v6_csum(h, T64_IP4_HDR));
		off[n] = at;
		len[n] = l;
		n++;
	}
	return n;
}

/* RFC 4443 2.4(e): no error about an error, and none to a multicast or
 * unspecified source. */
static int may_send_error(const uint8_t *pkt, size_t len)
{
	struct in6_addr s;
	const struct in6_addr *src = &s;

	memcpy(&s, pkt + 8, 16);

	if (IN6_IS_ADDR_MULTICAST(src) || IN6_IS_ADDR_UNSPECIFIED(src))
		return 0;
	/* Only a directly following ICMPv6 header is checked; errors behind
	 * extension headers are rare enough to answer. */
	if (pkt[6] == ICMP6 && len >= IP6_HDR + 1 && pkt[IP6_HDR] < 128)
		return 0;
	return 1;
}

size_t t64_ptb_build(uint8_t *out, size_t cap, const struct in6_addr *src,
		     const uint8_t *pkt, size_t len, uint32_t mtu)
{
	size_t quote, plen;

	if (cap < PTB_MIN_MTU || len < IP6_HDR || pkt[0] >> 4 != 6 || !may_send_error(pkt, len))
		return 0;
	/* RFC 4443 3.2: as much of the invoking packet as fits in 1280. */
	quote = len;
	if (quote > PTB_MIN_MTU - IP6_HDR - 8)
		quote = PTB_MIN_MTU - IP6_HDR - 8;
	plen = 8 + quote;
	memset(out, 0, IP6_HDR + 8);
	out[0] = 0x60;
	put16(out + 4, (uint16_t)plen);
	out[6] = ICMP6;
	out[7] = 255;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, pkt + 8, 16); /* back to the sender */
	uint8_t *icmp = out + IP6_HDR;
	icmp[0] = 2; /* Packet Too Big, code 0 */
	icmp[4] = (uint8_t)(mtu >> 24);
	icmp[5] = (uint8_t)(mtu >> 16);
	icmp[6] = (uint8_t)(mtu >> 8);
	icmp[7] = (uint8_t)mtu;
	memcpy(icmp + 8, pkt, quote);
	uint16_t c = v6_csum6(out + 8, out + 24, ICMP6, icmp, plen);
	put16(icmp + 2, c);
	return IP6_HDR + plen;
}

int t64_csum_complete(uint8_t *pkt, size_t len, unsigned csum_start, unsigned csum_offset)
{
	size_t at = (size_t)csum_start + csum_offset;

	if (len < IP6_HDR || csum_start < IP6_HDR || at + 2 > len || csum_start > len)
		return -1;
	/* The kernel seeded the field with the pseudo-header sum; summing
	 * from csum_start with it in place completes the checksum. */
	uint16_t c = v6_csum(pkt + csum_start, len - csum_start);
	/* RFC 768, RFC 8200 8.1: a UDP checksum that computes to zero is
	 * sent as all ones; zero means "none", which IPv6 receivers drop.
	 * For TCP both forms of one's complement zero verify alike. */
	put16(pkt + at, c ? c : 0xffff);
	return 0;
}

size_t t64_tso_segment(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len,
		       unsigned mss, unsigned i)
{
	size_t thl, hdrs, payload, off, seg;

	if (len < IP6_HDR + 20 || pkt[0] >> 4 != 6 || pkt[6] != TCP || mss == 0)
		return 0;
	thl = (size_t)(pkt[IP6_HDR + 12] >> 4) * 4;
	if (thl < 20 || IP6_HDR + thl > len)
		return 0;
	hdrs = IP6_HDR + thl;
	payload = len - hdrs;
	off = (size_t)i * mss;
	if (off >= payload && !(i == 0 && payload == 0))
		return 0;
	seg = payload - off < mss ? payload - off : mss;
	if (hdrs + seg > cap)
		return 0;
	memcpy(out, pkt, hdrs);
	memcpy(out + hdrs, pkt + hdrs + off, seg);
	put16(out + 4, (uint16_t)(thl + seg));
	uint8_t *tcp = out + IP6_HDR;
	uint32_t seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
	seq += (uint32_t)off;
	tcp[4] = (uint8_t)(seq >> 24);
	tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8);
	tcp[7] = (uint8_t)seq;
	/* FIN and PSH belong to the last segment only, CWR to the first. */
	if (off + seg < payload)
		tcp[13] &= (uint8_t)~0x09;
	if (i > 0)
		tcp[13] &= (uint8_t)~0x80;
	tcp[16] = tcp[17] = 0;
	put16(tcp + 16, v6_csum6(out + 8, out + 24, TCP, tcp,
				  thl + seg));
	return hdrs + seg;
}

unsigned t64_tcp6_mergeable(const uint8_t *pkt, size_t len)
{
	size_t thl;

	if (len < IP6_HDR + 20 || pkt[0] >> 4 != 6 || pkt[6] != TCP ||
	    (size_t)get16(pkt + 4) + IP6_HDR != len)
		return 0;
	thl = (size_t)(pkt[IP6_HDR + 12] >> 4) * 4;
	/* Only ACK (0x10) and PSH (0x08): SYN, FIN, RST, URG, ECE and CWR
	 * segments each carry meaning of their own and pass alone. */
	if (thl < 20 || IP6_HDR + thl >= len || (pkt[IP6_HDR + 13] & ~0x18) ||
	    !(pkt[IP6_HDR + 13] & 0x10))
		return 0;
	/* The stack will trust the merged packet's checksum, so each part is
	 * checked here first. */
	if (v6_csum6(pkt + 8, pkt + 24, TCP, pkt + IP6_HDR,
		      len - IP6_HDR) != 0)
		return 0;
	return (unsigned)(IP6_HDR + thl);
}

static uint32_t get32(const uint8_t *p)
{
	return v6_get_be32(p);
}

void t64_gro_begin(struct t64_gro *g, const uint8_t *pkt, size_t len, unsigned hdrs)
{
	memcpy(g->buf + T64_VNET_LEN, pkt, len);
	g->len = len;
	g->hdrs = hdrs;
	g->mss = (unsigned)(len - hdrs);
	g->segs = 1;
	g->next_seq = get32(pkt + IP6_HDR + 4) + g->mss;
	g->closed = (pkt[IP6_HDR + 13] & 0x08) != 0;
}

int t64_gro_add(struct t64_gro *g, const uint8_t *pkt, size_t len, unsigned hdrs)
{
	const uint8_t *h = g->buf + T64_VNET_LEN;
	size_t pay = len - hdrs;

	if (!g->len || g->closed || hdrs != g->hdrs || pay > g->mss ||
	    g->len + pay > (size_t)IP6_HDR + 65535 || T64_VNET_LEN + g->len + pay > g->cap)
		return 0;
	/* Same flow, class, hop limit; same ports, ack, window and options
	 * (timestamps included), and exactly the next sequence number. */
	if (memcmp(h, pkt, 4) || memcmp(h + 6, pkt + 6, 34) ||
	    memcmp(h + IP6_HDR, pkt + IP6_HDR, 4) || memcmp(h + IP6_HDR + 8, pkt + IP6_HDR + 8, 5) ||
	    memcmp(h + IP6_HDR + 14, pkt + IP6_HDR + 14, 2) ||
	    memcmp(h + IP6_HDR + 20, pkt + IP6_HDR + 20, hdrs - IP6_HDR - 20) ||
	    get32(pkt + IP6_HDR + 4) != g->next_seq)
		return 0;
	memcpy(g->buf + T64_VNET_LEN + g->len, pkt + hdrs, pay);
	g->len += pay;
	g->segs++;
	g->next_seq += (uint32_t)pay;
	if (pkt[IP6_HDR + 13] & 0x08) {
		g->buf[T64_VNET_LEN + IP6_HDR + 13] |= 0x08;
		g->closed = 1;
	}
	if (pay < g->mss)
		g->closed = 1;
	return 1;
}

static uint16_t tcp6_seed(const uint8_t *p, size_t plen)
{
	return (uint16_t)~v6_csum_fold(v6_csum_pseudo6(p + 8, p + 24, TCP, plen));
}

unsigned t64_tcp6_gro_seeded(const uint8_t *pkt, size_t len)
{
	size_t thl;

	if (len < IP6_HDR + 20 || pkt[0] >> 4 != 6 || pkt[6] != TCP ||
	    (size_t)get16(pkt + 4) + IP6_HDR != len)
		return 0;
	thl = (size_t)(pkt[IP6_HDR + 12] >> 4) * 4;
	if (thl < 20 || IP6_HDR + thl >= len || get16(pkt + IP6_HDR + 16) != tcp6_seed(pkt, len - IP6_HDR))
		return 0;
	return (unsigned)(IP6_HDR + thl);
}

void t64_vnet_tcp6(uint8_t vh[T64_VNET_LEN], unsigned hdrs, unsigned gso_size)
{
	/* struct virtio_net_hdr, little-endian (TUNSETVNETLE). */
	memset(vh, 0, T64_VNET_LEN);
	vh[0] = 1;                     /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
	vh[1] = 4;                     /* VIRTIO_NET_HDR_GSO_TCPV6 */
	vh[2] = (uint8_t)hdrs;         /* hdr_len */
	vh[3] = (uint8_t)(hdrs >> 8);
	vh[4] = (uint8_t)gso_size;     /* gso_size */
	vh[5] = (uint8_t)(gso_size >> 8);
	vh[6] = IP6_HDR;               /* csum_start */
	vh[8] = 16;                    /* csum_offset: the TCP checksum */
}

size_t t64_gro_end(struct t64_gro *g)
{
	uint8_t *v = g->buf, *p = g->buf + T64_VNET_LEN;
	size_t len = g->len;

	memset(v, 0, T64_VNET_LEN);
	if (g->segs > 1) {
		/* The checksum field holds the pseudo-header sum for the
		 * stack to finish. */
		size_t plen = len - IP6_HDR;
		t64_vnet_tcp6(v, g->hdrs, g->mss);
		put16(p + 4, (uint16_t)plen);
		put16(p + IP6_HDR + 16, tcp6_seed(p, plen));
	}
	g->len = 0;
	g->segs = 0;
	return T64_VNET_LEN + len;
}
