/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the user-mode data plane's pure packet functions:
 * decapsulation checks, encapsulation checks, Packet Too Big, TSO
 * segmentation and receive coalescing. */
#include "unit.h"
#include "../../tools/tun6in4/pkt.h"

#include <arpa/inet.h>
#include <stdlib.h>

static struct in_addr v4(const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	return a;
}

/* An IPv6 packet: 40-byte header, next header nh, plen payload bytes. */
static size_t ip6(uint8_t *p, const char *src, const char *dst, uint8_t nh, size_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 64;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	for (size_t i = 0; i < plen; i++)
		p[40 + i] = (uint8_t)(i * 7);
	return 40 + plen;
}

/* Wrap an IPv6 packet in IPv4 protocol 41. */
static size_t ip4(uint8_t *p, const char *src, const char *dst, const uint8_t *in, size_t len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)((len + 20) >> 8);
	p[3] = (uint8_t)(len + 20);
	p[6] = 0x40; /* DF */
	p[8] = 255;
	p[9] = 41;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	memcpy(p + 20, in, len);
	return len + 20;
}

/* An IPv6/TCP packet with a valid checksum and payload bytes from seed. */
static size_t tcp6(uint8_t *p, uint32_t seq, uint8_t flags, size_t pay, unsigned seed)
{
	size_t len = ip6(p, "2001:db8::1", "2001:db8::2", 6, 32 + pay);
	uint8_t *t = p + 40;

	memset(t, 0, 32);
	t[0] = 0x30; t[1] = 0x39; t[2] = 0x14; t[3] = 0x51; /* ports 12345 -> 5201 */
	t[4] = (uint8_t)(seq >> 24); t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8); t[7] = (uint8_t)seq;
	t[11] = 1;                 /* ack */
	t[12] = 8 << 4;            /* 32-byte header: 12 bytes of options */
	t[13] = flags;
	t[15] = 0xff;              /* window */
	t[20] = 1; t[21] = 1; t[22] = 8; t[23] = 10; t[27] = 42; /* NOP NOP TS */
	for (size_t i = 0; i < pay; i++)
		t[32 + i] = (uint8_t)(seed + i);
	uint16_t c = v6_csum6(p + 8, p + 24, 6, t, len - 40);
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
	return len;
}

static uint32_t seq_of(const uint8_t *p)
{
	return (uint32_t)p[44] << 24 | (uint32_t)p[45] << 16 | (uint32_t)p[46] << 8 | p[47];
}

static int csum_ok(const uint8_t *p, size_t len)
{
	return v6_csum6(p + 8, p + 24, p[6], p + 40, len - 40) == 0;
}

/* RFC 1071 as written: 16-bit big-endian words, carries folded back. */
static uint16_t csum6_ref(const uint8_t *src, const uint8_t *dst, uint8_t next, const uint8_t *d,
			  size_t len)
{
	uint64_t s = 0;

	for (int i = 0; i < 16; i += 2)
		s += (unsigned)(src[i] << 8 | src[i + 1]) + (unsigned)(dst[i] << 8 | dst[i + 1]);
	s += (len >> 16) + (len & 0xffff) + next;
	for (size_t i = 0; i < len; i++)
		s += i & 1 ? d[i] : (unsigned)d[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

int main(void)
{
	static uint8_t in[70000], out[70000], pkt[70000];
	struct in_addr remote = v4("192.0.2.2"), local = v4("192.0.2.1"), any = { 0 };
	size_t off = 0, len = 0, n;

	/* ---- the checksum: every length and alignment, and carry-heavy data ---- */
	{
		unsigned bad = 0;
		uint32_t x = 12345;
		for (size_t i = 0; i < 4096; i++) {
			x = x * 1103515245u + 12345u;
			pkt[i] = (uint8_t)(x >> 16);
		}
		for (size_t a = 0; a < 8; a++)
			for (size_t l = 0; l < 600; l++)
				bad += v6_csum6(pkt + 100, pkt + 200, 6, pkt + 1000 + a, l) !=
				       csum6_ref(pkt + 100, pkt + 200, 6, pkt + 1000 + a, l);
		memset(in, 0xff, 65536);
		for (size_t l = 65500; l <= 65536; l += 7)
			bad += v6_csum6(in, in, 255, in + 1, l) != csum6_ref(in, in, 255, in + 1, l);
		ok(bad == 0, "RFC 1071 checksum agrees with the byte-wise sum (%u differ)", bad);
	}

	/* ---- decap ---- */
	n = ip6(in, "2001:db8::2", "2001:db8::1", 59, 16);
	size_t m = ip4(pkt, "192.0.2.2", "192.0.2.1", in, n);
	ok(t64_decap(pkt, m, remote, local, &off, &len) == T64_PASS && off == 20 && len == n,
	   "a packet from the remote decapsulates");
	ok(t64_decap(pkt, m, remote, any, &off, &len) == T64_PASS, "local any accepts");
	ok(t64_decap(pkt, m, v4("192.0.2.9"), local, &off, &len) == T64_DROP_FOREIGN,
	   "RFC 4213 3.6: another source is dropped");
	ok(t64_decap(pkt, m, remote, v4("192.0.2.7"), &off, &len) == T64_DROP_NOT_LOCAL,
	   "another destination is dropped");
	ok(t64_decap(pkt, 19, remote, local, &off, &len) == T64_DROP_SHORT, "short outer");
	ok(t64_decap(pkt, m - 1, remote, local, &off, &len) == T64_DROP_SHORT,
	   "total length beyond the data");
	pkt[9] = 4;
	ok(t64_decap(pkt, m, remote, local, &off, &len) == T64_DROP_PROTO, "not protocol 41");
	pkt[9] = 41;
	pkt[6] = 0x20;
	ok(t64_decap(pkt, m, remote, local, &off, &len) == T64_DROP_FRAGMENT, "a fragment");
	pkt[6] = 0x40;
	pkt[0] = 0x65;
	ok(t64_decap(pkt, m, remote, local, &off, &len) == T64_DROP_VERSION, "outer version");
	pkt[0] = 0x44;
	ok(t64_decap(pkt, m, remote, local, &off, &len) == T64_DROP_SHORT, "IHL below 5");
	pkt[0] = 0x45;
	pkt[20] = 0x40;
	ok(t64_decap(pkt, m, remote, local, &off, &len) == T64_DROP_VERSION, "inner version");
	pkt[20] = 0x60;
	pkt[25] = 17;
	ok(t64_decap(pkt, m, remote, local, &off, &len) == T64_DROP_LENGTH,
	   "inner payload length disagrees");
	pkt[25] = 16;
	ok(t64_decap(pkt, 40, remote, local, &off, &len) == T64_DROP_SHORT, "truncated inner");

	const char *bad_src[] = { "::", "::1", "ff02::1", "::ffff:192.0.2.1", "::192.0.2.1" };
	for (size_t i = 0; i < 5; i++) {
		n = ip6(in, bad_src[i], "2001:db8::1", 59, 0);
		m = ip4(pkt, "192.0.2.2", "192.0.2.1", in, n);
		ok(t64_decap(pkt, m, remote, local, &off, &len) == T64_DROP_INNER_SRC,
		   "inner source %s dropped", bad_src[i]);
	}
	n = ip6(in, "2001:db8::2", "::1", 59, 0);
	m = ip4(pkt, "192.0.2.2", "192.0.2.1", in, n);
	ok(t64_decap(pkt, m, remote, local, &off, &len) == T64_DROP_INNER_DST, "inner dst ::1");

	/* ---- encap ---- */
	n = ip6(in, "2001:db8::1", "2001:db8::2", 59, 1440);
	ok(t64_encap_check(in, n, 1480) == T64_PASS, "1480 bytes fit a 1480 tunnel");
	n = ip6(in, "2001:db8::1", "2001:db8::2", 59, 1460);
	ok(t64_encap_check(in, n, 1480) == T64_TOO_BIG, "1500 bytes do not");
	ok(t64_encap_check(in, n - 1, 1480) == T64_DROP_LENGTH, "length mismatch dropped");
	ok(t64_encap_check(in, 20, 1480) == T64_DROP_SHORT, "short dropped");

	/* ---- Packet Too Big ---- */
	struct in6_addr me;
	inet_pton(AF_INET6, "2001:db8::1", &me);
	n = ip6(in, "2001:db8:9::5", "2001:db8::2", 17, 1460);
	m = t64_ptb_build(out, sizeof(out), &me, in, n, 1480);
	ok(m == 1280, "RFC 4443 3.2: PTB fills exactly the minimum MTU");
	ok(out[0] >> 4 == 6 && out[6] == 58 && out[40] == 2 && out[41] == 0, "ICMPv6 type 2 code 0");
	ok(out[44] == 0 && out[45] == 0 && out[46] == 0x05 && out[47] == 0xc8, "MTU field 1480");
	ok(!memcmp(out + 24, in + 8, 16) && !memcmp(out + 8, &me, 16),
	   "sent to the packet's source, from our address");
	ok(!memcmp(out + 48, in, 1280 - 48), "quotes the start of the packet");
	ok(csum_ok(out, m), "ICMPv6 checksum is valid");
	n = ip6(in, "2001:db8:9::5", "2001:db8::2", 17, 100);
	ok(t64_ptb_build(out, sizeof(out), &me, in, n, 1480) == 40 + 8 + n,
	   "a short packet is quoted whole");
	n = ip6(in, "ff02::1", "2001:db8::2", 17, 1460);
	ok(t64_ptb_build(out, sizeof(out), &me, in, n, 1480) == 0, "RFC 4443 2.4(e): not to multicast");
	n = ip6(in, "2001:db8:9::5", "2001:db8::2", 58, 1460);
	in[40] = 1;
	ok(t64_ptb_build(out, sizeof(out), &me, in, n, 1480) == 0, "no error about an error");
	in[40] = 128;
	ok(t64_ptb_build(out, sizeof(out), &me, in, n, 1480) == 1280, "but an echo request gets one");

	/* ---- TSO segmentation ---- */
	n = tcp6(in, 1000, 0x18 | 0x01, 3000, 3);
	ok(csum_ok(in, n), "test packet checksum");
	size_t total = 0;
	unsigned segs = 0;
	uint32_t want_seq = 1000;
	int all_ok = 1;
	for (unsigned i = 0; (m = t64_tso_segment(out, 2048, in, n, 1400, i)); i++, segs++) {
		all_ok &= csum_ok(out, m) && seq_of(out) == want_seq &&
			  !memcmp(out + 72, in + 72 + total, m - 72);
		int last = total + (m - 72) == 3000;
		all_ok &= last ? (out[53] & 0x09) == 0x09 : (out[53] & 0x09) == 0;
		want_seq += (uint32_t)(m - 72);
		total += m - 72;
	}
	ok(segs == 3 && total == 3000 && all_ok,
	   "3000 bytes at mss 1400: 3 segments, sequence, payload, FIN/PSH on the last, checksums");
	ok(t64_tso_segment(out, 100, in, n, 1400, 0) == 0, "refuses a too small buffer");
	n = ip6(in, "2001:db8::1", "2001:db8::2", 17, 100);
	ok(t64_tso_segment(out, 2048, in, n, 1400, 0) == 0, "only TCP");

	/* ---- checksum completion ---- */
	n = tcp6(in, 1, 0x10, 500, 1);
	memcpy(pkt, in, n);
	{
		/* What the kernel hands over: the pseudo-header sum, uncomplemented. */
		static const uint8_t zero[600];
		uint16_t full = v6_csum6(pkt + 8, pkt + 24, 6,
					  zero, n - 40);
		pkt[56] = (uint8_t)(~full >> 8);
		pkt[57] = (uint8_t)~full;
	}
	ok(t64_csum_complete(pkt, n, 40, 16) == 0 && !memcmp(pkt, in, n),
	   "NEEDS_CSUM completion gives the real checksum");
	ok(t64_csum_complete(pkt, n, 40, (unsigned)n) < 0, "offset beyond the packet refused");

	/* ---- IPv4 header ---- */
	uint8_t h4[20];
	n = ip6(in, "2001:db8::1", "2001:db8::2", 59, 100);
	in[7] = 33;
	t64_encap_hdr(h4, local, remote, 255, in, n, 1);
	ok(h4[0] == 0x45 && h4[2] == 0 && h4[3] == 160 && h4[6] == 0x40 && h4[8] == 255 &&
	   h4[9] == 41 && !memcmp(h4 + 12, &local, 4) && !memcmp(h4 + 16, &remote, 4),
	   "RFC 4213 3.5: version, length, DF, TTL, protocol 41, addresses");
	{
		uint32_t sum = 0;
		for (int i = 0; i < 20; i += 2)
			sum += (uint32_t)(h4[i] << 8 | h4[i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		ok(sum == 0xffff, "header checksum verifies");
	}
	t64_encap_hdr(h4, any, remote, 0, in, n, 0);
	ok(h4[8] == 33 && h4[6] == 0 && !memcmp(h4 + 12, "\0\0\0\0", 4),
	   "RFC 4213 3.3: ttl 0 inherits the hop limit; no DF; source left to the kernel");

	/* ---- IPv4 fragmentation below the IPv6 minimum MTU ---- */
	{
		uint8_t fh[8][20];
		size_t fo[8], fl[8];
		n = ip6(in, "2001:db8::1", "2001:db8::2", 59, 1240); /* 1280 bytes */
		t64_encap_hdr(h4, local, remote, 64, in, n, 0);
		size_t k = t64_ip4_fragment(fh, fo, fl, 8, h4, n, 1200, 0x1234);
		ok(k == 2 && fo[0] == 0 && fl[0] == 1176 && fo[1] == 1176 && fl[1] == 104,
		   "RFC 791: 1280 bytes over a 1200 path: 1176 (a multiple of 8) + 104");
		ok(fh[0][6] == 0x20 && fh[0][7] == 0 && fh[1][6] == 0 && fh[1][7] == 1176 / 8,
		   "MF on the first, offsets in 8-byte units");
		ok(fh[0][4] == 0x12 && fh[0][5] == 0x34 && fh[1][4] == 0x12 && fh[1][5] == 0x34,
		   "one identification for both");
		ok(fh[0][2] == (1196 >> 8) && fh[0][3] == (1196 & 0xff) && fh[1][3] == 124,
		   "total lengths");
		int sums_ok = 1;
		for (size_t f = 0; f < k; f++) {
			uint32_t sum = 0;
			for (int i = 0; i < 20; i += 2)
				sum += (uint32_t)(fh[f][i] << 8 | fh[f][i + 1]);
			while (sum >> 16)
				sum = (sum & 0xffff) + (sum >> 16);
			sums_ok &= sum == 0xffff;
		}
		ok(sums_ok, "each fragment's header checksum verifies");
		t64_encap_hdr(h4, local, remote, 64, in, n, 1);
		ok(t64_ip4_fragment(fh, fo, fl, 8, h4, n, 1200, 1) == 0, "never with DF");
		t64_encap_hdr(h4, local, remote, 64, in, n, 0);
		ok(t64_ip4_fragment(fh, fo, fl, 1, h4, n, 1200, 1) == 0, "not beyond max fragments");
		ok(t64_ip4_fragment(fh, fo, fl, 8, h4, n, 20, 1) == 0, "not for an absurd MTU");
	}

	/* ---- receive coalescing ---- */
	struct t64_gro g = { .buf = malloc(70000), .cap = 70000 };
	uint8_t s1[2000], s2[2000], s3[2000], s4[2000];
	size_t l1 = tcp6(s1, 5000, 0x10, 1000, 0), l2 = tcp6(s2, 6000, 0x10, 1000, 1000 % 256);
	size_t l3 = tcp6(s3, 7000, 0x18, 500, 2000 % 256), l4 = tcp6(s4, 9999, 0x10, 1000, 0);
	unsigned h = t64_tcp6_mergeable(s1, l1);
	ok(h == 72, "a plain ACK data segment can be merged");
	t64_gro_begin(&g, s1, l1, h);
	ok(t64_gro_add(&g, s2, l2, h) == 1, "the next segment joins");
	ok(t64_gro_add(&g, s4, l4, h) == 0, "a gap does not");
	ok(t64_gro_add(&g, s3, l3, h) == 1, "a short PSH segment ends the run");
	ok(t64_gro_add(&g, s4, l4, h) == 0, "nothing after PSH");
	m = t64_gro_end(&g);
	uint8_t *v = g.buf, *p = g.buf + T64_VNET_LEN;
	ok(m == T64_VNET_LEN + 72 + 2500, "one packet of 2500 bytes");
	ok(v[0] == 1 && v[1] == 4 && v[2] == 72 && v[4] == (1000 & 0xff) && v[5] == 1000 >> 8 &&
	   v[6] == 40 && v[8] == 16, "virtio-net header: NEEDS_CSUM, TCPV6, hdr_len, gso_size");
	ok(p[4] == (2532 >> 8) && p[5] == (2532 & 0xff) && (p[53] & 0x08), "length and PSH");
	ok(!memcmp(p + 72, s1 + 72, 1000) && !memcmp(p + 1072, s2 + 72, 1000) &&
	   !memcmp(p + 2072, s3 + 72, 500), "payloads in order");
	ok(t64_tcp6_gro_seeded(p, m - T64_VNET_LEN) == 72,
	   "a super-packet carrying the pseudo-header seed is recognised");
	ok(t64_tcp6_gro_seeded(s1, l1) == 0, "a packet with a real checksum is not");
	ok(t64_csum_complete(p, m - T64_VNET_LEN, 40, 16) == 0 && csum_ok(p, m - T64_VNET_LEN),
	   "checksum seed completes to a valid checksum");
	ok(t64_tcp6_gro_seeded(p, m - T64_VNET_LEN) == 0, "nor once completed");
	t64_gro_begin(&g, s1, l1, h);
	m = t64_gro_end(&g);
	ok(m == T64_VNET_LEN + l1 && g.buf[0] == 0 && g.buf[1] == 0 &&
	   !memcmp(g.buf + T64_VNET_LEN, s1, l1), "a run of one goes up unchanged");
	s2[50] ^= 1;
	ok(t64_tcp6_mergeable(s2, l2) == 0, "a bad checksum is not merged");
	s2[50] ^= 1;
	t64_gro_begin(&g, s1, l1, h);
	s2[51] = 9; /* another ack number */
	ok(t64_gro_add(&g, s2, l2, h) == 0, "a different ack does not join");
	t64_gro_end(&g);
	n = tcp6(in, 1, 0x02, 10, 0);
	ok(t64_tcp6_mergeable(in, n) == 0, "SYN is never merged");
	free(g.buf);

	/* A UDP checksum completed from the kernel's seed is never 0 (which
	 * IPv6 receivers drop): over every value of one payload word, one
	 * computes to zero and must be sent as 0xffff. */
	{
		unsigned zero = 0, ones = 0, bad = 0;
		for (unsigned w = 0; w < 65536; w++) {
			n = ip6(in, "2001:db8::1", "2001:db8::2", 17, 24);
			in[44] = 0;
			in[45] = 24;
			in[56] = (uint8_t)(w >> 8);
			in[57] = (uint8_t)w;
			/* The seed: the pseudo-header sum, as NEEDS_CSUM leaves it. */
			in[46] = in[47] = 0;
			uint8_t z[24] = { 0 };
			uint16_t seed = (uint16_t)~v6_csum6(in + 8, in + 24, 17, z, 24);
			in[46] = (uint8_t)(seed >> 8);
			in[47] = (uint8_t)seed;
			t64_csum_complete(in, n, 40, 6);
			zero += in[46] == 0 && in[47] == 0;
			ones += in[46] == 0xff && in[47] == 0xff;
			bad += v6_csum6(in + 8, in + 24, 17, in + 40, 24) != 0;
		}
		ok(zero == 0 && ones >= 1 && bad == 0,
		   "RFC 768: a UDP checksum of zero goes out as 0xffff (%u zero, %u 0xffff, %u bad)",
		   zero, ones, bad);
	}
	return done_testing();
}
