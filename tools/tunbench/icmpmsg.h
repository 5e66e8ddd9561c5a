/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench's echo probes on the wire: the request it sends and what an
 * ICMP or ICMPv6 message received on the probe socket means for it.  Pure,
 * so a unit test and a fuzzer can call it without a socket. */
#ifndef TUNBENCH_ICMPMSG_H
#define TUNBENCH_ICMPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TB_PROBE_MAGIC 0x7462656e63687631ull /* "tbenchv1" */
#define TB_ICMP_ECHO_HDR 8
#define TB_PROBE_PAYLOAD_MIN 16 /* send time and magic */

enum tb_icmp_kind {
	TB_ICMP_NOT_OURS,     /* malformed, someone else's, or another probe's */
	TB_ICMP_ECHO_REPLY,   /* the reply to the probe expected */
	TB_ICMP_TOO_BIG,      /* ICMPv6 Packet Too Big / ICMP Fragmentation Needed */
	TB_ICMP_UNREACH,      /* any other Destination Unreachable */
	TB_ICMP_TIME_EXCEEDED /* hop limit reached on the way */
};

struct tb_icmp_expect {
	int family;     /* AF_INET or AF_INET6 */
	bool ip_header; /* raw IPv4 sockets: the IP header comes first */
	bool check_id;  /* raw sockets; ping sockets rewrite the identifier */
	uint16_t ident;
	int seq;        /* the probe waited for, -1 for any */
};

struct tb_icmp_info {
	uint16_t seq;     /* of the probe the message is about */
	uint32_t mtu;     /* TB_ICMP_TOO_BIG: the next hop's MTU */
	uint64_t send_ns; /* TB_ICMP_ECHO_REPLY: from the echoed payload */
};

/* One message as recv() returned it.  Validated in layers: outer IP
 * header (raw IPv4), length, type and code, then our echo request quoted
 * inside an error, or identifier, magic and sequence of a reply. */
enum tb_icmp_kind tb_icmp_classify(const uint8_t *buf, size_t len, const struct tb_icmp_expect *x,
				   struct tb_icmp_info *info);

/* An echo request of len bytes (at least TB_ICMP_ECHO_HDR +
 * TB_PROBE_PAYLOAD_MIN), checksum left zero. */
void tb_icmp_echo_encode(uint8_t *buf, size_t len, int family, uint16_t ident, uint16_t seq,
			 uint64_t send_ns);

const char *tb_icmp_kind_name(enum tb_icmp_kind k);

#endif
