/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a correct tunnel puts on the wire, checked message by message: a
 * flushed batch is reassembled the way the far end's IPv4 stack would,
 * and every IPv6 packet that comes out must be whole and intact.  Shared
 * by the unit test (tests/unit/tun6in4_dp.c) and the fuzz harnesses. */
#ifndef T64_DP_CHECK_H
#define T64_DP_CHECK_H

#include "../tools/tun6in4/dp.h"

#include <string.h>

struct dp_check {
	struct in_addr remote;
	/* Reassembly of one fragmented packet at a time: the batch keeps a
	 * packet's fragments together. */
	uint8_t frag[70000];
	size_t frag_have;   /* bytes of payload collected */
	unsigned frag_id;
	int in_frag;
	/* Check TCP/UDP checksums of every packet (all inputs were valid),
	 * or only of packets with this flow label (0: none). */
	int l4_all;
	unsigned l4_flow;
	/* Verdicts. */
	unsigned packets;   /* complete IPv6 packets seen */
	unsigned bad;       /* anything wrong */
	const char *why;
	/* Optional: each complete packet, for a caller comparing contents. */
	void (*seen)(struct dp_check *c, const uint8_t *pkt, size_t len);
	void *ctx;
};

static unsigned dpc_get16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

static int dpc_ip4_sum_ok(const uint8_t *h)
{
	uint32_t sum = 0;

	for (int i = 0; i < 20; i += 2)
		sum += dpc_get16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void dpc_fail(struct dp_check *c, const char *why)
{
	c->bad++;
	if (!c->why)
		c->why = why;
}

/* A complete IPv6 packet: its own length, and the TCP or UDP checksum
 * the sender computed (it is what corruption of a slot would break). */
static void dpc_inner(struct dp_check *c, const uint8_t *p, size_t len)
{
	if (t64_inner_check(p, len) != T64_PASS) {
		dpc_fail(c, "inner packet damaged");
		return;
	}
	unsigned flow = (unsigned)(p[1] & 0x0f) << 16 | (unsigned)p[2] << 8 | p[3];
	if ((c->l4_all || (c->l4_flow && flow == c->l4_flow)) && (p[6] == 6 || p[6] == 17) &&
	    v6_csum6(p + 8, p + 24, p[6], p + 40, len - 40) != 0) {
		dpc_fail(c, "inner checksum wrong");
		return;
	}
	c->packets++;
	if (c->seen)
		c->seen(c, p, len);
}

/* Message i's payload after its IPv4 header: the rest of a whole
 * packet's one iovec, or a fragment's second. */
static uint8_t *dpc_payload(const struct t64_tx *tx, unsigned i, size_t *len)
{
	const struct iovec *v = tx->iov[i];

	if (tx->msg[i].msg_hdr.msg_iovlen == 1) {
		*len = v[0].iov_len < 20 ? 0 : v[0].iov_len - 20;
		return (uint8_t *)v[0].iov_base + 20;
	}
	*len = v[1].iov_len;
	return v[1].iov_base;
}

static void dp_check_batch(struct dp_check *c, const struct t64_tx *tx)
{
	for (unsigned i = 0; i < tx->n; i++) {
		const struct iovec *v = tx->iov[i];
		const uint8_t *h = v[0].iov_base;
		size_t plen;
		const uint8_t *pl = dpc_payload(tx, i, &plen);
		size_t iovlen = tx->msg[i].msg_hdr.msg_iovlen;
		if (tx->msg[i].msg_hdr.msg_iov != v || (iovlen != 1 && iovlen != 2) ||
		    v[0].iov_len < 20 || (iovlen == 2 && v[0].iov_len != 20) || h[0] != 0x45 ||
		    !dpc_ip4_sum_ok(h) || h[9] != 41 ||
		    dpc_get16(h + 2) != 20 + plen || memcmp(h + 16, &c->remote, 4)) {
			dpc_fail(c, "outer header wrong");
			continue;
		}
		/* The packet a message belongs to starts with an IPv6 header
		 * (a PTB about it is addressed from there). */
		if (!tx->pkt[i] || tx->pkt[i][0] >> 4 != 6 ||
		    pl < tx->pkt[i] || pl + plen > tx->pkt[i] + tx->pkt_len[i])
			dpc_fail(c, "message outside its packet");
		unsigned fo = dpc_get16(h + 6), off = (fo & 0x1fff) * 8u, mf = fo & 0x2000;
		if (!mf && !off) {
			if (c->in_frag)
				dpc_fail(c, "fragments interleaved");
			c->in_frag = 0;
			dpc_inner(c, pl, plen);
			continue;
		}
		if (off == 0) {
			if (c->in_frag)
				dpc_fail(c, "fragments interleaved");
			c->in_frag = 1;
			c->frag_have = 0;
			c->frag_id = dpc_get16(h + 4);
		}
		if (!c->in_frag || dpc_get16(h + 4) != c->frag_id || off != c->frag_have ||
		    off + plen > sizeof(c->frag) || (h[6] & 0x40)) {
			dpc_fail(c, "fragment out of place");
			c->in_frag = 0;
			continue;
		}
		memcpy(c->frag + off, pl, plen);
		c->frag_have += plen;
		if (!mf) {
			c->in_frag = 0;
			dpc_inner(c, c->frag, c->frag_have);
		}
	}
	if (c->in_frag)
		dpc_fail(c, "a packet's fragments split across batches");
}

#endif
