/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure packet functions of the user-mode data plane: no sockets, no state,
 * so unit tests and fuzzers feed them arbitrary bytes. */
#ifndef T64_PKT_H
#define T64_PKT_H

/* The checksums (v6_csum6...) and big-endian helpers live in lib. */
#include "v6util.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

enum t64_verdict {
	T64_PASS = 0,
	T64_DROP_SHORT,     /* shorter than the headers it claims */
	T64_DROP_VERSION,   /* not IPv4 outside / not IPv6 inside */
	T64_DROP_PROTO,     /* outer protocol is not 41 */
	T64_DROP_FOREIGN,   /* outer source is not the configured remote */
	T64_DROP_NOT_LOCAL, /* outer destination is not our local address */
	T64_DROP_FRAGMENT,  /* an unreassembled IPv4 fragment */
	T64_DROP_LENGTH,    /* inner payload length disagrees with the packet */
	T64_DROP_INNER_SRC, /* inner source no tunnel may carry */
	T64_DROP_INNER_DST,
	T64_TOO_BIG,        /* encap: larger than the tunnel MTU; answer with PTB */
	T64_VERDICT_MAX,
};

const char *t64_verdict_name(enum t64_verdict v);

/* Inbound (RFC 4213 3.6): check an IPv4 packet as a raw socket delivers it
 * and locate the IPv6 packet inside.  local 0 accepts any destination. */
enum t64_verdict t64_decap(const uint8_t *pkt, size_t len, struct in_addr remote,
			   struct in_addr local, size_t *inner_off, size_t *inner_len);

/* Check an inner IPv6 packet's own header: version, exact length, and
 * addresses that must never cross a tunnel.  Shared by both directions. */
enum t64_verdict t64_inner_check(const uint8_t *ip6, size_t len);

/* Outbound: may this IPv6 packet from the TUN device be sent through a
 * tunnel whose current MTU is mtu?  T64_TOO_BIG asks for a PTB. */
enum t64_verdict t64_encap_check(const uint8_t *ip6, size_t len, unsigned mtu);

/* RFC 4213 3.5: the IPv4 header in front of an IPv6 packet of len bytes:
 * protocol 41, DF when df, TTL ttl or, when ttl is 0, the inner hop limit.
 * A zero src leaves the choice to the kernel. */
#define T64_IP4_HDR 20
void t64_encap_hdr(uint8_t hdr[T64_IP4_HDR], struct in_addr src, struct in_addr dst,
		   uint8_t ttl, const uint8_t *ip6, size_t len, int df);

/* Split a tunnel packet (IPv4 header hdr, then payload_len bytes) into
 * IPv4 fragments of at most pmtu bytes, for a path below the IPv6 minimum
 * MTU (RFC 4213 3.2, RFC 791).  Fragment k gets header out_hdr[k] and the
 * payload bytes [off[k], off[k] + len[k]).  Returns the count, or 0 when
 * more than max would be needed or hdr has DF set. */
size_t t64_ip4_fragment(uint8_t (*out_hdr)[T64_IP4_HDR], size_t *off, size_t *len, size_t max,
			const uint8_t hdr[T64_IP4_HDR], size_t payload_len, unsigned pmtu,
			uint16_t id);

/* RFC 4443 3.2: build an ICMPv6 Packet Too Big from src to the sender of
 * the offending packet, quoting as much of it as fits in the IPv6 minimum
 * MTU.  Returns the length written into out (cap >= 1280), or 0 when no
 * error may be sent (RFC 4443 2.4(e): not for ICMPv6 errors, multicast or
 * unspecified sources). */
size_t t64_ptb_build(uint8_t *out, size_t cap, const struct in6_addr *src,
		     const uint8_t *pkt, size_t len, uint32_t mtu);

/* A GSO "super packet" from TUN (IFF_VNET_HDR, TSO6): IPv6 + TCP with a
 * payload of up to 64 KiB.  Cut segment i (payload bytes [i*mss, ...)) into
 * out: headers copied, sequence number, flags, payload length and the TCP
 * checksum fixed.  Returns its length or 0 when i is past the end or the
 * packet is not a plain IPv6/TCP packet. */
size_t t64_tso_segment(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len,
		       unsigned mss, unsigned i);
/* Fill in the TCP or UDP checksum of an IPv6 packet whose checksum the
 * kernel left for the device (virtio-net NEEDS_CSUM at csum_start). */
int t64_csum_complete(uint8_t *pkt, size_t len, unsigned csum_start, unsigned csum_offset);


/* Receive coalescing (GRO) for TUN writes with IFF_VNET_HDR: consecutive
 * in-order segments of one TCP flow become one super-packet that the stack
 * takes in a single write, the reverse of t64_tso_segment(). */
struct t64_gro {
	uint8_t *buf;      /* T64_VNET_LEN bytes of header room, then the packet */
	size_t cap;        /* bytes at buf */
	size_t len;        /* bytes of the IPv6 packet so far; 0: empty */
	unsigned hdrs;     /* IPv6 + TCP header bytes */
	unsigned mss;      /* payload bytes of the first segment */
	unsigned segs;
	uint32_t next_seq;
	int closed;        /* a short segment or PSH ends the run */
};
#define T64_VNET_LEN 10

/* A plain IPv6/TCP data segment (no extension headers, only ACK and PSH
 * set, some payload) whose TCP checksum is correct.  Returns the header
 * bytes (IPv6 + TCP) or 0. */
unsigned t64_tcp6_mergeable(const uint8_t *pkt, size_t len);
/* Start a run with pkt (t64_tcp6_mergeable() said hdrs). */
void t64_gro_begin(struct t64_gro *g, const uint8_t *pkt, size_t len, unsigned hdrs);
/* Append pkt when it continues the run exactly; 1 when taken, 0 if not. */
int t64_gro_add(struct t64_gro *g, const uint8_t *pkt, size_t len, unsigned hdrs);
/* A TCP super-packet the kernel's own GRO built from 6in4 packets before
 * our raw socket saw it: the TCP checksum field holds the pseudo-header
 * seed, not a checksum (the kernel checked every part).  Returns the
 * header bytes or 0. */
unsigned t64_tcp6_gro_seeded(const uint8_t *pkt, size_t len);
/* The virtio-net header for an IPv6/TCP super-packet: NEEDS_CSUM at the
 * TCP checksum, GSO TCPV6 with segments of gso_size payload bytes. */
void t64_vnet_tcp6(uint8_t vh[T64_VNET_LEN], unsigned hdrs, unsigned gso_size);
/* Finish the run: fills the virtio-net header and fixes the IPv6 length
 * and TCP checksum seed.  Returns the bytes to write from g->buf (header
 * included) and empties g. */
size_t t64_gro_end(struct t64_gro *g);

#endif
