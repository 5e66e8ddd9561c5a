/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Internet checksum (RFC 1071) for IPv4 headers, ICMP, and the
 * upper-layer checksums of IPv6 (RFC 8200 8.1).  tun6in4's data plane
 * sums every byte of every packet here at least once. */
#include "v6util.h"

#include <arpa/inet.h>
#include <string.h>

/* RFC 1071 2(B) and 2(C): the sum may be taken over words of any width in
 * the host's byte order and folded at the end, then swapped once.  Four
 * independent 64-bit accumulators of 32-bit words: no carry to propagate
 * per word (each holds 2^32 words before it could overflow), and the adds
 * run in parallel.  Returns the sum of big-endian 16-bit words, folded to
 * 16 bits. */
static inline uint16_t sum16(const uint8_t *p, size_t len)
{
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, acc;

	for (; len >= 16; p += 16, len -= 16) {
		uint32_t w[4];
		/* memcpy: packet bytes carry no alignment guarantee. */
		memcpy(w, p, 16);
		a0 += w[0];
		a1 += w[1];
		a2 += w[2];
		a3 += w[3];
	}
	for (; len >= 4; p += 4, len -= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		a0 += w;
	}
	/* Each is below 2^62 for any length a size_t holds in practice
	 * (2^32 words), so these additions cannot lose a carry. */
	acc = (a0 & 0xffffffffu) + (a0 >> 32) + (a1 & 0xffffffffu) + (a1 >> 32) +
	      (a2 & 0xffffffffu) + (a2 >> 32) + (a3 & 0xffffffffu) + (a3 >> 32);
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* RFC 1071 4.1: an odd last byte is padded with a zero byte. */
		uint8_t last[2] = { p[0], 0 };
		uint16_t w;
		memcpy(&w, last, 2);
		acc += w;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return ntohs((uint16_t)acc);
}

uint32_t v6_csum_add(uint32_t sum, const void *data, size_t len)
{
	return sum + sum16(data, len);
}

uint32_t v6_csum_pseudo6(const void *src, const void *dst, uint8_t next, size_t len)
{
	/* RFC 8200 8.1: source, destination, a 32-bit upper-layer length,
	 * three zero bytes and the next header. */
	uint32_t sum = (uint32_t)sum16(src, 16) + sum16(dst, 16);

	return sum + (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + next;
}

uint16_t v6_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t v6_csum(const void *data, size_t len)
{
	return v6_csum_fold(sum16(data, len));
}

uint16_t v6_csum6(const void *src, const void *dst, uint8_t next, const void *data, size_t len)
{
	return v6_csum_fold(v6_csum_pseudo6(src, dst, next, len) + sum16(data, len));
}
