/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The data plane's batching, fragmenting and coalescing (see dp.h).  No
 * system call here but getrandom(); the daemon supplies the sending. */
#define _GNU_SOURCE
#include "dp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

enum { DP_IP6 = 40, DP_TCP = 6, DP_VNET = T64_VNET_LEN };

void t64_bucket_init(struct t64_bucket *b, uint32_t rate, uint32_t burst, uint64_t now_ms)
{
	*b = (struct t64_bucket){ .last_ms = now_ms, .tokens_milli = burst * 1000u,
				  .rate = rate, .burst = burst };
}

bool t64_bucket_take(struct t64_bucket *b, uint64_t now_ms)
{
	if (now_ms > b->last_ms) {
		/* rate tokens a second are rate thousandths a millisecond. */
		uint64_t add = (now_ms - b->last_ms) * b->rate;
		uint64_t t = b->tokens_milli + add;
		b->tokens_milli = t > (uint64_t)b->burst * 1000u ? b->burst * 1000u : (uint32_t)t;
		b->last_ms = now_ms;
	}
	if (b->tokens_milli < 1000)
		return false;
	b->tokens_milli -= 1000;
	return true;
}

int t64_tx_init(struct t64_tx *tx, unsigned mtu, uint8_t ttl, struct in_addr remote,
		t64_tx_flush_fn *flush, t64_tx_ptb_fn *ptb, void *ctx)
{
	memset(tx, 0, sizeof(*tx));
	tx->mtu = mtu;
	tx->ttl = ttl;
	tx->remote = remote;
	tx->flush = flush;
	tx->ptb = ptb;
	tx->ctx = ctx;
	/* Every packet that may pass fits a slot: nothing above the tunnel
	 * MTU is sent, and the MTU only ever shrinks below it.  The IPv4
	 * header goes in front, so a message is one contiguous buffer: the
	 * kernel imports one iovec per message instead of two. */
	tx->slot_size = (T64_IP4_HDR + mtu + 63u) & ~63u;
	if (!(tx->slots = malloc(tx->slot_size * T64_BATCH)))
		return -ENOMEM;
	t64_bucket_init(&tx->ptb_limit, T64_PTB_RATE, T64_PTB_BURST, 0);
	return 0;
}

void t64_tx_free(struct t64_tx *tx)
{
	free(tx->slots);
	tx->slots = NULL;
}

void t64_tx_flush(struct t64_tx *tx)
{
	if (tx->n)
		tx->flush(tx);
	tx->n = 0;
	tx->used = 0;
	tx->raw = false;
}

/* A keyed permutation of the 16-bit numbers (a four-round Feistel
 * network): a counter run through it never repeats within 65536
 * packets, as RFC 6864 4.1 asks of fragmented datagrams, yet follows no
 * sequence an off-path attacker could predict (RFC 7739 spirit).  Pure
 * random draws would not do: by the birthday bound they collide within a
 * few hundred packets, and reassembly would join fragments of two. */
static uint16_t permute16(uint16_t v, const uint32_t key[4])
{
	uint8_t l = (uint8_t)(v >> 8), r = (uint8_t)v;

	for (int i = 0; i < 4; i++) {
		uint32_t x = (r ^ key[i]) * 0x9e3779b1u;
		uint8_t f = (uint8_t)((x >> 24) ^ (x >> 13) ^ (key[i] >> 8));
		uint8_t t = r;
		r = l ^ f;
		l = t;
	}
	return (uint16_t)(l << 8 | r);
}

uint16_t t64_tx_next_id(struct t64_tx *tx)
{
	if (tx->id_ctr == 0) {
		/* A fresh key every 65536 identifications.  Should the pool be
		 * empty (very early boot), the clock still varies it. */
		if (getrandom(tx->id_key, sizeof(tx->id_key), GRND_NONBLOCK) != sizeof(tx->id_key))
			for (unsigned i = 0; i < 4; i++)
				tx->id_key[i] = tx->id_key[i] * 2654435761u + (uint32_t)tx->now_ms + i;
	}
	uint16_t id = permute16(tx->id_ctr, tx->id_key);
	tx->id_ctr = (uint16_t)(tx->id_ctr + 1);
	/* The kernel's raw path replaces an identification of 0 with its own,
	 * per fragment, which would split a packet's fragments apart. */
	return id ? id : t64_tx_next_id(tx);
}

void t64_tx_too_big(struct t64_tx *tx, const uint8_t *pkt, size_t len, uint32_t mtu)
{
	if (!t64_bucket_take(&tx->ptb_limit, tx->now_ms)) {
		tx->ptb_limited++;
		return;
	}
	tx->ptb(tx, pkt, len, mtu);
}

/* The MTU a packet must fit now, and whether IPv4 may fragment it. */
static unsigned effective_mtu(const struct t64_tx *tx, bool *df)
{
	unsigned mtu = tx->mtu;

	*df = true;
	/* RFC 4213 3.2, as the kernel's sit does it: the tunnel MTU follows
	 * the IPv4 path; below the IPv6 minimum, IPv4 may fragment. */
	if (tx->pmtu > T64_IP4_HDR && tx->pmtu - T64_IP4_HDR < mtu) {
		mtu = tx->pmtu - T64_IP4_HDR;
		if (mtu < T64_IP6_MIN_MTU) {
			mtu = T64_IP6_MIN_MTU;
			*df = false;
		}
	}
	return mtu;
}

/* A slot for the next packet, with room in the batch for all the
 * messages it may become; the packet goes at the returned address, which
 * has T64_IP4_HDR bytes of the slot before it and SLOT_CAP(tx) after.
 * Flushing happens here, between packets, never between taking a slot and
 * queueing its messages: a flush empties the batch, and every slot it
 * held is reused afterwards. */
#define SLOT_CAP(tx) ((tx)->slot_size - T64_IP4_HDR)
static uint8_t *take_slot(struct t64_tx *tx)
{
	if (tx->n + T64_MAXFRAG > T64_BATCH || tx->used == T64_BATCH)
		t64_tx_flush(tx);
	return tx->slots + tx->slot_size * tx->used + T64_IP4_HDR;
}

/* A whole packet, its IPv4 header already in front of it. */
static void add_whole(struct t64_tx *tx, uint8_t *pkt, size_t len)
{
	unsigned i = tx->n++;

	tx->iov[i][0] = (struct iovec){ pkt - T64_IP4_HDR, T64_IP4_HDR + len };
	tx->msg[i].msg_hdr = (struct msghdr){ .msg_iov = tx->iov[i], .msg_iovlen = 1 };
	tx->msg[i].msg_len = 0;
	tx->pkt[i] = pkt;
	tx->pkt_len[i] = len;
}

static void add_msg(struct t64_tx *tx, const uint8_t hdr[T64_IP4_HDR], const uint8_t *pkt,
		    size_t len, const uint8_t *part, size_t part_len)
{
	unsigned i = tx->n++;

	memcpy(tx->hdr[i], hdr, T64_IP4_HDR);
	tx->iov[i][0] = (struct iovec){ tx->hdr[i], T64_IP4_HDR };
	tx->iov[i][1] = (struct iovec){ (void *)part, part_len };
	tx->msg[i].msg_hdr = (struct msghdr){ .msg_iov = tx->iov[i], .msg_iovlen = 2 };
	tx->msg[i].msg_len = 0;
	tx->pkt[i] = pkt;
	tx->pkt_len[i] = len;
}

/* Queue the IPv6 packet in the slot take_slot() gave: it is checked, and
 * stays in the slot until the batch is sent. */
static void queue_slot(struct t64_tx *tx, uint8_t *pkt, size_t len)
{
	bool df;
	unsigned mtu = effective_mtu(tx, &df);
	enum t64_verdict v = t64_encap_check(pkt, len, mtu);
	uint8_t *hdr = pkt - T64_IP4_HDR; /* the slot's room in front */

	if (v != T64_PASS) {
		if (v == T64_TOO_BIG)
			t64_tx_too_big(tx, pkt, len, mtu);
		tx->dropped++;
		return;
	}
	/* Packets without DF need an IPv4 identification the kernel's raw
	 * path chooses (RFC 6864 4.1), and a zero source its choice too:
	 * those take the raw socket. */
	if (!df || !tx->src.s_addr)
		tx->raw = true;
	t64_encap_hdr(hdr, tx->src, tx->remote, tx->ttl, pkt, len, df);
	if (!df && len + T64_IP4_HDR > tx->pmtu) {
		/* The kernel refuses IP_HDRINCL packets above the device MTU
		 * even without DF: fragment here. */
		uint8_t fh[T64_MAXFRAG][T64_IP4_HDR];
		size_t off[T64_MAXFRAG], flen[T64_MAXFRAG];
		size_t n = t64_ip4_fragment(fh, off, flen, T64_MAXFRAG, hdr, len, tx->pmtu,
					    t64_tx_next_id(tx));
		if (!n) {
			tx->dropped++;
			return;
		}
		for (size_t k = 0; k < n; k++)
			add_msg(tx, fh[k], pkt, len, pkt + off[k], flen[k]);
	} else {
		add_whole(tx, pkt, len);
	}
	tx->used++;
	if (tx->n + T64_MAXFRAG > T64_BATCH)
		t64_tx_flush(tx);
}

/* How many segments a super-packet would be cut into, for counting drops. */
static unsigned long long tso_count(const uint8_t *pkt, size_t len, unsigned mss)
{
	size_t hdrs;

	if (len < DP_IP6 + 20 || mss == 0)
		return 1;
	hdrs = DP_IP6 + (size_t)(pkt[DP_IP6 + 12] >> 4) * 4;
	if (hdrs >= len)
		return 1;
	return (len - hdrs + mss - 1) / mss;
}

/* The length of a super-packet's first segment, 0 when it is no IPv6/TCP
 * packet t64_tso_segment() could cut. */
static size_t tso_first_len(const uint8_t *pkt, size_t len, unsigned mss)
{
	size_t hdrs;

	if (len < DP_IP6 + 20 || pkt[0] >> 4 != 6 || pkt[6] != DP_TCP || mss == 0)
		return 0;
	hdrs = DP_IP6 + (size_t)(pkt[DP_IP6 + 12] >> 4) * 4;
	if (hdrs < DP_IP6 + 20 || hdrs > len)
		return 0;
	return hdrs + (len - hdrs < mss ? len - hdrs : mss);
}

void t64_tx_read(struct t64_tx *tx, uint8_t *buf, size_t n)
{
	uint8_t flags, gso;
	unsigned gso_size, csum_start, csum_offset;
	uint8_t *pkt = buf + DP_VNET;

	if (n < DP_VNET) {
		tx->dropped++;
		return;
	}
	/* struct virtio_net_hdr, little-endian (TUNSETVNETLE). */
	flags = buf[0];
	gso = buf[1];
	gso_size = (unsigned)buf[4] | (unsigned)buf[5] << 8;
	csum_start = (unsigned)buf[6] | (unsigned)buf[7] << 8;
	csum_offset = (unsigned)buf[8] | (unsigned)buf[9] << 8;
	n -= DP_VNET;
	if (gso == 4 /* VIRTIO_NET_HDR_GSO_TCPV6 */) {
		/* Segments carry their own checksums; the seed left by the
		 * kernel is recomputed per segment. */
		for (unsigned i = 0;; i++) {
			uint8_t *slot = take_slot(tx);
			size_t l = t64_tso_segment(slot, SLOT_CAP(tx), pkt, n, gso_size, i);
			if (!l) {
				if (i == 0) {
					/* Not cut: segments larger than the tunnel
					 * MTU (the device's MTU raised by hand) or
					 * a malformed super-packet. */
					bool df;
					unsigned mtu = effective_mtu(tx, &df);
					if (tso_first_len(pkt, n, gso_size) > mtu)
						t64_tx_too_big(tx, pkt, n, mtu);
					tx->dropped += tso_count(pkt, n, gso_size);
				}
				break;
			}
			queue_slot(tx, slot, l);
		}
		return;
	}
	if (gso != 0) {
		tx->dropped++;
		return;
	}
	if ((flags & 1 /* NEEDS_CSUM */) && t64_csum_complete(pkt, n, csum_start, csum_offset) < 0) {
		tx->dropped++;
		return;
	}
	if (n > SLOT_CAP(tx)) {
		/* Above the tunnel MTU: refused before it is copied. */
		bool df;
		unsigned mtu = effective_mtu(tx, &df);
		if (t64_encap_check(pkt, n, mtu) == T64_TOO_BIG)
			t64_tx_too_big(tx, pkt, n, mtu);
		tx->dropped++;
		return;
	}
	uint8_t *slot = take_slot(tx);
	memcpy(slot, pkt, n);
	queue_slot(tx, slot, n);
}

/* ---- network -> TUN ---- */

int t64_rx_init(struct t64_rx *rx, unsigned mtu, struct in_addr remote, t64_rx_write_fn *write,
		void *ctx)
{
	memset(rx, 0, sizeof(*rx));
	rx->mtu = mtu;
	rx->remote = remote;
	rx->write = write;
	rx->ctx = ctx;
	rx->gro.cap = DP_VNET + DP_IP6 + 65535;
	if (!(rx->gro.buf = malloc(rx->gro.cap)) || !(rx->seg = malloc(DP_IP6 + 65535))) {
		free(rx->gro.buf);
		rx->gro.buf = NULL;
		return -ENOMEM;
	}
	return 0;
}

void t64_rx_free(struct t64_rx *rx)
{
	free(rx->gro.buf);
	free(rx->seg);
	rx->gro.buf = rx->seg = NULL;
}

void t64_rx_flush(struct t64_rx *rx)
{
	if (rx->gro.len) {
		size_t n = t64_gro_end(&rx->gro);
		rx->write(rx, rx->gro.buf, n);
	}
}

/* One decapsulated IPv6 packet: into the open run, a new run, or up as
 * it is. */
static void rx_inner(struct t64_rx *rx, uint8_t *pkt, size_t len, bool room_before)
{
	/* Consecutive segments of one TCP flow go up as one; the coalescer
	 * checks every part's checksum, and only what it built is marked
	 * for the stack to trust (NEEDS_CSUM, GSO).  Everything else goes up
	 * unmarked, so the stack verifies it as it would from a wire. */
	unsigned hdrs = t64_tcp6_mergeable(pkt, len);
	if (hdrs && t64_gro_add(&rx->gro, pkt, len, hdrs))
		return;
	t64_rx_flush(rx);
	if (hdrs) {
		t64_gro_begin(&rx->gro, pkt, len, hdrs);
		return;
	}
	if (room_before) {
		/* A zeroed virtio-net header just before the packet. */
		memset(pkt - DP_VNET, 0, DP_VNET);
		rx->write(rx, pkt - DP_VNET, len + DP_VNET);
	} else {
		uint8_t *f = rx->gro.buf;
		/* The run is empty after the flush: its buffer is free. */
		memset(f, 0, DP_VNET);
		memcpy(f + DP_VNET, pkt, len);
		rx->write(rx, f, len + DP_VNET);
	}
}

enum t64_verdict t64_rx_packet(struct t64_rx *rx, uint8_t *p, size_t n, bool kernel_gro)
{
	size_t off, len;
	enum t64_verdict v = t64_decap(p, n, rx->remote, rx->local, &off, &len);
	unsigned hdrs;

	if (v != T64_PASS) {
		rx->dropped[v]++;
		return v;
	}
	/* A packet claiming to be a super-packet already (its checksum field
	 * holding the pseudo-header seed) proves nothing by itself.  Only
	 * when the receiver showed that the kernel's GRO built it, which
	 * verified every part, is it cut into segments again, each with a
	 * checksum computed here, that go the usual way. */
	if (kernel_gro && len > rx->mtu && (hdrs = t64_tcp6_gro_seeded(p + off, len)) &&
	    hdrs < rx->mtu) {
		unsigned mss = rx->mtu - hdrs;
		for (unsigned i = 0;; i++) {
			size_t l = t64_tso_segment(rx->seg, DP_IP6 + 65535, p + off, len, mss, i);
			if (!l)
				break;
			rx_inner(rx, rx->seg, l, false);
		}
		return T64_PASS;
	}
	/* t64_decap() passed an outer header of at least 20 bytes: room for
	 * the virtio-net header. */
	rx_inner(rx, p + off, len, true);
	return T64_PASS;
}
