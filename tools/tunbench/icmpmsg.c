/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Echo probes on the wire: encoding the request, classifying what comes
 * back.  No sockets here. */
#include "icmpmsg.h"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/socket.h>

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

const char *tb_icmp_kind_name(enum tb_icmp_kind k)
{
	static const char *names[] = { "not ours", "echo reply", "too big", "unreachable",
				       "time exceeded" };
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

void tb_icmp_echo_encode(uint8_t *buf, size_t len, int family, uint16_t ident, uint16_t seq,
			 uint64_t send_ns)
{
	uint64_t magic = TB_PROBE_MAGIC;

	memset(buf, 0, len);
	buf[0] = family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	buf[4] = (uint8_t)(ident >> 8);
	buf[5] = (uint8_t)ident;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	/* Host order: only this host reads them back. */
	memcpy(buf + 8, &send_ns, 8);
	memcpy(buf + 16, &magic, 8);
	for (size_t i = 24; i < len; i++)
		buf[i] = (uint8_t)i;
}

static bool seq_wanted(const struct tb_icmp_expect *x, uint16_t seq)
{
	return x->seq < 0 || seq == (uint16_t)x->seq;
}

/* The packet an ICMP error quotes (RFC 4443 2.4(c), RFC 792): is it one of
 * our echo requests?  IPv6: the fixed header and ICMPv6 right after it (our
 * probes carry no extension headers). */
static bool quoted_probe(const struct tb_icmp_expect *x, const uint8_t *p, size_t len,
			 uint16_t *seq)
{
	size_t ip;

	if (x->family == AF_INET6) {
		if (len < 40 || p[0] >> 4 != 6 || p[6] != IPPROTO_ICMPV6)
			return false;
		ip = 40;
	} else {
		if (len < 20 || p[0] >> 4 != 4 || p[9] != IPPROTO_ICMP)
			return false;
		ip = (size_t)(p[0] & 0xf) * 4;
		if (ip < 20)
			return false;
	}
	/* RFC 792: the quote holds 64 bits of the datagram past its header. */
	if (len < ip + TB_ICMP_ECHO_HDR)
		return false;
	p += ip;
	if (p[0] != (x->family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO) || p[1] != 0)
		return false;
	if (x->check_id && get16(p + 4) != x->ident)
		return false;
	*seq = get16(p + 6);
	return true;
}

enum tb_icmp_kind tb_icmp_classify(const uint8_t *buf, size_t len, const struct tb_icmp_expect *x,
				   struct tb_icmp_info *info)
{
	bool v6 = x->family == AF_INET6;
	uint16_t seq;

	if (!v6 && x->ip_header) {
		size_t ihl = len ? (size_t)(buf[0] & 0xf) * 4 : 0;
		if (len < 20 || buf[0] >> 4 != 4 || ihl < 20 || len < ihl)
			return TB_ICMP_NOT_OURS;
		buf += ihl;
		len -= ihl;
	}
	if (len < TB_ICMP_ECHO_HDR)
		return TB_ICMP_NOT_OURS;
	uint8_t type = buf[0], code = buf[1];
	const uint8_t *inner = buf + TB_ICMP_ECHO_HDR;
	size_t inner_len = len - TB_ICMP_ECHO_HDR;

	if (type == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY)) {
		uint64_t magic;
		if (code != 0 || len < TB_ICMP_ECHO_HDR + TB_PROBE_PAYLOAD_MIN)
			return TB_ICMP_NOT_OURS;
		if (x->check_id && get16(buf + 4) != x->ident)
			return TB_ICMP_NOT_OURS;
		memcpy(&magic, buf + 16, 8);
		if (magic != TB_PROBE_MAGIC)
			return TB_ICMP_NOT_OURS;
		seq = get16(buf + 6);
		if (!seq_wanted(x, seq))
			return TB_ICMP_NOT_OURS; /* a late reply to an earlier probe */
		info->seq = seq;
		memcpy(&info->send_ns, buf + 8, 8);
		return TB_ICMP_ECHO_REPLY;
	}
	enum tb_icmp_kind kind;
	if (v6 && type == ICMP6_PACKET_TOO_BIG && code == 0) {
		/* RFC 4443 3.2: the MTU of the next-hop link. */
		info->mtu = (uint32_t)get16(buf + 4) << 16 | get16(buf + 6);
		kind = TB_ICMP_TOO_BIG;
	} else if (!v6 && type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
		/* RFC 1191 4: next-hop MTU in the low 16 bits. */
		info->mtu = get16(buf + 6);
		kind = TB_ICMP_TOO_BIG;
	} else if (type == (v6 ? ICMP6_DST_UNREACH : ICMP_DEST_UNREACH)) {
		kind = TB_ICMP_UNREACH;
	} else if (type == (v6 ? ICMP6_TIME_EXCEEDED : ICMP_TIME_EXCEEDED)) {
		kind = TB_ICMP_TIME_EXCEEDED;
	} else {
		return TB_ICMP_NOT_OURS;
	}
	if (!quoted_probe(x, inner, inner_len, &seq) || !seq_wanted(x, seq))
		return TB_ICMP_NOT_OURS;
	info->seq = seq;
	return kind;
}
