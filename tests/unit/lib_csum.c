/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/csum.c: the Internet checksum against known values
 * and against a plain word-by-word reference. */
#include "unit.h"
#include "v6util.h"

#include <arpa/inet.h>
#include <stdlib.h>

/* RFC 1071 1(4)'s definition, one big-endian 16-bit word at a time. */
static uint16_t ref(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void test_rfc1071(void)
{
	/* RFC 1071 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2. */
	const uint8_t ex[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ok(v6_csum_add(0, ex, 8) == 0xddf2, "RFC 1071 example: sum 0x%x",
	   (unsigned)v6_csum_add(0, ex, 8));
	ok(v6_csum_add(0x10000, ex, 8) == 0x1ddf2, "added to the running sum unfolded");
	ok(v6_csum(ex, 8) == (uint16_t)~0xddf2, "RFC 1071 example: checksum 0x%04x",
	   v6_csum(ex, 8));
	ok(v6_csum_fold(0x2ddf0) == 0x220d, "fold adds the carry back and complements");
	ok(v6_csum_fold(0) == 0xffff && v6_csum(ex, 0) == 0xffff, "nothing sums to 0, checksum ffff");
}

static void test_ipv4_header(void)
{
	/* A captured IPv4 header with its checksum b861 (a textbook value). */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	ok(v6_csum(h, 20) == 0, "a header with a correct checksum sums to 0");
	h[10] = h[11] = 0;
	ok(v6_csum(h, 20) == 0xb861, "its checksum computes to b861");
}

static void test_icmp6_echo(void)
{
	/* ICMPv6 echo request 2001:db8::1 -> 2001:db8::2, id 0x1234, seq 1,
	 * payload "abcd": the kernel filled in 4d48 for a raw ICMPv6 socket
	 * (captured on lo: 80004d481234000161626364). */
	struct in6_addr s, d;
	uint8_t icmp[12] = { 128, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, 'a', 'b', 'c', 'd' };

	inet_pton(AF_INET6, "2001:db8::1", &s);
	inet_pton(AF_INET6, "2001:db8::2", &d);
	uint16_t c = v6_csum6(&s, &d, IPPROTO_ICMPV6, icmp, sizeof(icmp));
	ok(c == 0x4d48, "ICMPv6 echo: checksum 0x%04x, want 0x4d48", c);
	v6_put_be16(icmp + 2, c);
	ok(v6_csum6(&s, &d, IPPROTO_ICMPV6, icmp, sizeof(icmp)) == 0,
	   "with the checksum in place it verifies to 0");
	ok(v6_csum_pseudo6(&s, &d, IPPROTO_ICMPV6, sizeof(icmp)) ==
	   0x2001 + 0x0db8 + 1 + 0x2001 + 0x0db8 + 2 + 12 + 58,
	   "pseudo-header: addresses, length, next header (RFC 8200 8.1)");
	ok(v6_csum_pseudo6(&s, &d, 6, 0x12345) ==
	   0x2001 + 0x0db8 + 1 + 0x2001 + 0x0db8 + 2 + 0x1 + 0x2345 + 6,
	   "pseudo-header: a length above 65535 counts both halves");
}

static void test_against_reference(void)
{
	uint8_t buf[1600];
	int bad = 0, bad_split = 0, bad_odd = 0;

	srand(1);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	memset(buf + 1200, 0xff, 200); /* long carry chains */
	/* Every length and alignment the unrolled loops and the tail treat
	 * differently. */
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 1500; len += len < 80 ? 1 : 37) {
			bad += v6_csum(buf + off, len) != ref(buf + off, len, 0);
			/* Split at an even offset, summed in pieces. */
			size_t cut = (len / 3) & ~(size_t)1;
			uint32_t s = v6_csum_add(v6_csum_add(0, buf + off, cut), buf + off + cut,
						 len - cut);
			bad_split += v6_csum_fold(s) != ref(buf + off, len, 0);
			bad_odd += (len & 1) && v6_csum(buf + off, len) != ref(buf + off, len - 1,
									   (uint32_t)buf[off + len - 1] << 8);
		}
	ok(!bad, "lengths 0-1500 at offsets 0-7 agree with the reference (%d differ)", bad);
	ok(!bad_split, "a sum in two pieces equals the sum in one (%d differ)", bad_split);
	ok(!bad_odd, "an odd last byte counts as the high byte of a word (%d differ)", bad_odd);

	uint8_t ones[4096];
	memset(ones, 0xff, sizeof(ones));
	ok(v6_csum(ones, sizeof(ones)) == 0 && v6_csum_add(0, ones, sizeof(ones)) == 0xffff,
	   "all ones: one's complement zero, no carry lost");
}

int main(void)
{
	test_rfc1071();
	test_ipv4_header();
	test_icmp6_echo();
	test_against_reference();
	return done_testing();
}
