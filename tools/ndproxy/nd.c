/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Neighbor Discovery packets, pure functions over bytes.
 *
 * Validation runs in layers, in a fixed order, and stops at the first
 * failure with the reason it is counted under: IPv6 header and payload
 * length, the extension-header chain, then RFC 4861 7.1.1 for the NS
 * itself.  Nothing here trusts a length it has not checked. */
#include "ndproxy.h"

#include <string.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>

static const char *const verdict_names[NDP_PKT__N] = {
	[NDP_PKT_OK] = "ok",
	[NDP_PKT_NOT_NS] = "not_ns",
	[NDP_PKT_TRUNCATED] = "truncated",
	[NDP_PKT_EXTHDR] = "bad_ext_header",
	[NDP_PKT_FRAGMENT] = "fragmented",
	[NDP_PKT_HOPLIMIT] = "hop_limit",
	[NDP_PKT_CHECKSUM] = "checksum",
	[NDP_PKT_CODE] = "code",
	[NDP_PKT_LENGTH] = "short_icmp",
	[NDP_PKT_MCAST_TARGET] = "multicast_target",
	[NDP_PKT_OPTION] = "bad_option",
	[NDP_PKT_UNSPEC_DST] = "dad_not_solicited_node",
	[NDP_PKT_UNSPEC_SLLA] = "dad_with_slla",
	[NDP_PKT_DST_MISMATCH] = "wrong_multicast_dst",
	[NDP_PKT_MCAST_SRC] = "multicast_source",
};

const char *ndp_verdict_name(enum ndp_verdict v)
{
	return v < NDP_PKT__N ? verdict_names[v] : "?";
}

void ndp_solicited_node(const struct in6_addr *target, struct in6_addr *out)
{
	/* RFC 4291 2.7.1: ff02::1:ffXX:XXXX from the low 24 bits. */
	static const uint8_t base[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	memcpy(out->s6_addr, base, 13);
	memcpy(out->s6_addr + 13, target->s6_addr + 13, 3);
}

static bool is_unspec(const struct in6_addr *a)
{
	static const struct in6_addr zero;
	return !memcmp(a, &zero, sizeof(zero));
}

/* Walk the extension headers after the fixed header: where the ICMPv6
 * message starts, or a verdict.  Fragments are refused (RFC 6980: NDP
 * messages must not be fragmented). */
static enum ndp_verdict walk_chain(const uint8_t *pkt, size_t end, size_t *icmp_off)
{
	uint8_t next = pkt[6];
	size_t off = 40;

	for (int hops = 0;; hops++) {
		if (next == IPPROTO_ICMPV6) {
			*icmp_off = off;
			return NDP_PKT_OK;
		}
		if (hops >= 8)
			return NDP_PKT_EXTHDR;
		switch (next) {
		case IPPROTO_HOPOPTS:
			/* RFC 8200 4.1: only directly after the IPv6 header. */
			if (hops)
				return NDP_PKT_EXTHDR;
			/* fall through */
		case IPPROTO_DSTOPTS:
		case IPPROTO_ROUTING: {
			if (off + 8 > end)
				return NDP_PKT_EXTHDR;
			size_t hlen = ((size_t)pkt[off + 1] + 1) * 8;
			if (off + hlen > end)
				return NDP_PKT_EXTHDR;
			/* A routing header still to be processed means we are not
			 * the final destination. */
			if (next == IPPROTO_ROUTING && pkt[off + 3] != 0)
				return NDP_PKT_EXTHDR;
			next = pkt[off];
			off += hlen;
			break;
		}
		case IPPROTO_FRAGMENT:
			if (off + 8 > end)
				return NDP_PKT_EXTHDR;
			/* Only a first fragment can be recognised as an NS at all. */
			if ((pkt[off + 2] << 8 | (pkt[off + 3] & 0xf8)) == 0 && pkt[off] == IPPROTO_ICMPV6 &&
			    off + 8 < end && pkt[off + 8] == ND_NEIGHBOR_SOLICIT)
				return NDP_PKT_FRAGMENT;
			return NDP_PKT_NOT_NS;
		default:
			return NDP_PKT_NOT_NS;
		}
	}
}

enum ndp_verdict ndp_parse_ns(const uint8_t *pkt, size_t len, struct ndp_ns *ns)
{
	size_t end, off, icmp_len;
	enum ndp_verdict v;
	const uint8_t *icmp;

	memset(ns, 0, sizeof(*ns));
	if (len < 40 || (pkt[0] >> 4) != 6)
		return NDP_PKT_NOT_NS;
	end = 40 + (size_t)v6_get_be16(pkt + 4);
	if (end > len)
		return NDP_PKT_TRUNCATED;
	/* Anything after the payload length (Ethernet padding) is ignored. */
	if ((v = walk_chain(pkt, end, &off)) != NDP_PKT_OK)
		return v;
	if (off + 1 > end || pkt[off] != ND_NEIGHBOR_SOLICIT)
		return NDP_PKT_NOT_NS;
	icmp = pkt + off;
	icmp_len = end - off;
	memcpy(&ns->src, pkt + 8, 16);
	memcpy(&ns->dst, pkt + 24, 16);

	/* RFC 4861 7.1.1, in its order. */
	if (pkt[7] != 255)
		return NDP_PKT_HOPLIMIT;
	if (icmp_len < 4 || v6_csum6(&ns->src, &ns->dst, IPPROTO_ICMPV6, icmp, icmp_len) != 0)
		return NDP_PKT_CHECKSUM;
	if (icmp[1] != 0)
		return NDP_PKT_CODE;
	if (icmp_len < 24)
		return NDP_PKT_LENGTH;
	/* RFC 4291 2.7: a multicast address is never a source; RFC 4861
	 * 7.1.1 admits only a unicast or the unspecified one. */
	if (ns->src.s6_addr[0] == 0xff)
		return NDP_PKT_MCAST_SRC;
	memcpy(&ns->target, icmp + 8, 16);
	if (ns->target.s6_addr[0] == 0xff)
		return NDP_PKT_MCAST_TARGET;
	for (size_t o = 24; o < icmp_len;) {
		size_t olen;
		if (o + 2 > icmp_len || icmp[o + 1] == 0)
			return NDP_PKT_OPTION;
		olen = (size_t)icmp[o + 1] * 8;
		if (o + olen > icmp_len)
			return NDP_PKT_OPTION;
		if (icmp[o] == ND_OPT_SOURCE_LINKADDR) {
			/* Ethernet: the option is exactly 8 bytes (RFC 2464 8). */
			if (olen != 8)
				return NDP_PKT_OPTION;
			ns->has_slla = true;
			memcpy(ns->slla, icmp + o + 2, 6);
		}
		o += olen;
	}
	ns->dad = is_unspec(&ns->src);
	if (ns->dad) {
		struct in6_addr sn;
		ndp_solicited_node(&ns->target, &sn);
		if (memcmp(&sn, &ns->dst, 16))
			return NDP_PKT_UNSPEC_DST;
		if (ns->has_slla)
			return NDP_PKT_UNSPEC_SLLA;
	} else if (ns->dst.s6_addr[0] == 0xff) {
		/* A multicast NS goes to the target's solicited-node group
		 * (RFC 4861 7.2.2); any other group is not asking about it. */
		struct in6_addr sn;
		ndp_solicited_node(&ns->target, &sn);
		if (memcmp(&sn, &ns->dst, 16))
			return NDP_PKT_DST_MISMATCH;
	}
	return NDP_PKT_OK;
}

size_t ndp_build_na(uint8_t *buf, const struct in6_addr *src, const struct in6_addr *dst,
		    const struct in6_addr *target, unsigned flags, const uint8_t tlla[6])
{
	uint8_t *icmp = buf + 40;

	memset(buf, 0, NDP_NA_LEN);
	buf[0] = 0x60;
	buf[5] = 32; /* payload length */
	buf[6] = IPPROTO_ICMPV6;
	buf[7] = 255; /* RFC 4861 7.1.2: receivers insist on it */
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
	icmp[0] = ND_NEIGHBOR_ADVERT;
	icmp[4] = (uint8_t)flags;
	memcpy(icmp + 8, target, 16);
	icmp[24] = ND_OPT_TARGET_LINKADDR;
	icmp[25] = 1;
	memcpy(icmp + 26, tlla, 6);
	v6_put_be16(icmp + 2, v6_csum6(src, dst, IPPROTO_ICMPV6, icmp, 32));
	return NDP_NA_LEN;
}

size_t ndp_build_ns_icmp(uint8_t *buf, const struct in6_addr *target, const uint8_t slla[6])
{
	memset(buf, 0, NDP_NS_ICMP_LEN);
	buf[0] = ND_NEIGHBOR_SOLICIT;
	memcpy(buf + 8, target, 16);
	buf[24] = ND_OPT_SOURCE_LINKADDR;
	buf[25] = 1;
	memcpy(buf + 26, slla, 6);
	return NDP_NS_ICMP_LEN;
}

int ndp_parse_na_icmp(const uint8_t *icmp, size_t len, int hoplimit, struct in6_addr *target)
{
	/* RFC 4861 7.1.2; the kernel has verified the checksum already. */
	if (hoplimit != 255 || len < 24 || icmp[0] != ND_NEIGHBOR_ADVERT || icmp[1] != 0)
		return -1;
	for (size_t o = 24; o < len;) {
		if (o + 2 > len || icmp[o + 1] == 0 || o + (size_t)icmp[o + 1] * 8 > len)
			return -1;
		o += (size_t)icmp[o + 1] * 8;
	}
	memcpy(target, icmp + 8, 16);
	if (target->s6_addr[0] == 0xff)
		return -1;
	return 0;
}
