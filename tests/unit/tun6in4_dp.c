/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
/* Unit tests for the data plane's batching, fragmenting, segmenting and
 * coalescing (tools/tun6in4/dp.c): the code the daemon's threads run,
 * driven here with fake send and write callbacks. */
#include "unit.h"
#include "../../fuzz/tun6in4_dp_check.h"

#include <arpa/inet.h>
#include <stdlib.h>

/* ---- packets ---- */

/* An IPv6/UDP packet of total length len whose payload is tagged with
 * tag, with a valid checksum. */
static size_t udp6(uint8_t *p, size_t len, unsigned tag)
{
	size_t plen = len - 40;

	memset(p, 0, 48);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = 17;
	p[7] = 64;
	inet_pton(AF_INET6, "2001:db8::1", p + 8);
	inet_pton(AF_INET6, "2001:db8::2", p + 24);
	p[40] = 0x30; p[41] = 0x39; p[42] = 0x14; p[43] = 0x51;
	p[44] = (uint8_t)(plen >> 8);
	p[45] = (uint8_t)plen;
	for (size_t i = 8; i < plen; i++)
		p[40 + i] = (uint8_t)(tag * 31 + i);
	uint16_t c = v6_csum6(p + 8, p + 24, 17, p + 40, plen);
	p[46] = (uint8_t)(c >> 8);
	p[47] = (uint8_t)c;
	return len;
}

/* An IPv6/TCP segment (20-byte header) with a valid checksum. */
static size_t tcp6(uint8_t *p, uint32_t seq, uint8_t flags, size_t pay)
{
	size_t plen = 20 + pay;

	memset(p, 0, 60);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = 6;
	p[7] = 64;
	inet_pton(AF_INET6, "2001:db8::2", p + 8);
	inet_pton(AF_INET6, "2001:db8::1", p + 24);
	uint8_t *t = p + 40;
	t[0] = 0x14; t[1] = 0x51; t[2] = 0x30; t[3] = 0x39;
	t[4] = (uint8_t)(seq >> 24); t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8); t[7] = (uint8_t)seq;
	t[11] = 1;
	t[12] = 5 << 4;
	t[13] = flags;
	t[15] = 0xff;
	for (size_t i = 0; i < pay; i++)
		t[20 + i] = (uint8_t)(seq + i);
	uint16_t c = v6_csum6(p + 8, p + 24, 6, t, plen);
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
	return 40 + plen;
}

/* A TUN read: virtio-net header (gso TCPV6 with gso_size when gso), then
 * the packet. */
static size_t tun_frame(uint8_t *buf, const uint8_t *pkt, size_t len, unsigned gso_size)
{
	memset(buf, 0, T64_VNET_LEN);
	if (gso_size) {
		buf[1] = 4;
		buf[4] = (uint8_t)gso_size;
		buf[5] = (uint8_t)(gso_size >> 8);
	}
	memcpy(buf + T64_VNET_LEN, pkt, len);
	return T64_VNET_LEN + len;
}

/* ---- the fake sender ---- */

struct sink {
	struct dp_check chk;
	unsigned flushes;
	unsigned ptbs;
	uint32_t ptb_mtu;
	uint8_t ptb_dst[16];
	/* Tags of UDP packets in the order they left. */
	unsigned tags[4096];
	unsigned ntags;
	size_t tcp_bytes;
	uint16_t ids[4096];
	unsigned nids;
	/* Messages that were one buffer (header in front of the packet),
	 * and fragments (two). */
	unsigned one_iov, two_iov;
};

static void seen(struct dp_check *c, const uint8_t *p, size_t len)
{
	struct sink *s = c->ctx;

	if (p[6] == 17 && len > 48 && s->ntags < 4096)
		s->tags[s->ntags++] = p[48]; /* tag * 31 + 8 */
	if (p[6] == 6)
		s->tcp_bytes += len - 40 - (size_t)(p[52] >> 4) * 4;
}

static void fake_flush(struct t64_tx *tx)
{
	struct sink *s = tx->ctx;

	s->flushes++;
	for (unsigned i = 0; i < tx->n; i++) {
		const uint8_t *h = tx->iov[i][0].iov_base;
		if (tx->msg[i].msg_hdr.msg_iovlen == 1)
			s->one_iov++;
		else
			s->two_iov++;
		if ((h[6] & 0x3f) == 0x20 && (h[7] == 0) && s->nids < 4096) /* first fragments */
			s->ids[s->nids++] = (uint16_t)(h[4] << 8 | h[5]);
	}
	dp_check_batch(&s->chk, tx);
	/* The slots are reused from here on: scribble over them, so that a
	 * message left pointing into one would carry garbage. */
	memset(tx->slots, 0xa5, tx->slot_size * tx->used);
}

static void fake_ptb(struct t64_tx *tx, const uint8_t *pkt, size_t len, uint32_t mtu)
{
	struct sink *s = tx->ctx;

	(void)len;
	s->ptbs++;
	s->ptb_mtu = mtu;
	memcpy(s->ptb_dst, pkt + 8, 16);
	tx->ptb_sent++;
}

static void sink_init(struct sink *s, struct t64_tx *tx, unsigned mtu)
{
	memset(s, 0, sizeof(*s));
	s->chk.remote.s_addr = htonl(0xc0000202);
	s->chk.seen = seen;
	s->chk.l4_all = 1;
	s->chk.ctx = s;
	t64_tx_init(tx, mtu, 255, s->chk.remote, fake_flush, fake_ptb, s);
	tx->src.s_addr = htonl(0xc0000201);
}

/* ---- receive side ---- */

struct up {
	unsigned frames, marked;
	size_t bytes;
	uint8_t last_vh[T64_VNET_LEN];
};

static void fake_write(struct t64_rx *rx, const uint8_t *f, size_t len)
{
	struct up *u = rx->ctx;

	u->frames++;
	u->marked += f[0] != 0 || f[1] != 0;
	u->bytes += len - T64_VNET_LEN;
	memcpy(u->last_vh, f, T64_VNET_LEN);
}

/* Wrap an IPv6 packet in IPv4 protocol 41 from 192.0.2.2 to 192.0.2.1. */
static size_t ip4(uint8_t *p, const uint8_t *in, size_t len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)((len + 20) >> 8);
	p[3] = (uint8_t)(len + 20);
	p[8] = 255;
	p[9] = 41;
	inet_pton(AF_INET, "192.0.2.2", p + 12);
	inet_pton(AF_INET, "192.0.2.1", p + 16);
	memmove(p + 20, in, len);
	return len + 20;
}

int main(void)
{
	static uint8_t pkt[70000], buf[70000];
	static struct t64_tx tx;
	static struct sink s;

	/* ---- item: fragments never point at a reused slot ---- */
	/* A path MTU of 1200: every 1280-byte packet leaves as 2 fragments.
	 * Packets of mixed sizes make batches fill at every offset, so some
	 * packet always arrives with too little room for its fragments. */
	sink_init(&s, &tx, 1480);
	tx.pmtu = 1200;
	unsigned sent = 0;
	for (unsigned i = 0; i < 1000; i++) {
		size_t len = udp6(pkt, i % 3 ? 1280 : 100 + i % 50, i);
		t64_tx_read(&tx, buf, tun_frame(buf, pkt, len, 0));
		sent++;
	}
	t64_tx_flush(&tx);
	ok(s.chk.bad == 0, "path MTU 1200: every packet whole and intact after fragmenting (%s)",
	   s.chk.why ? s.chk.why : "ok");
	ok(s.chk.packets == sent && tx.dropped == 0, "all %u sent, none dropped (%u, %llu)", sent,
	   s.chk.packets, (unsigned long long)tx.dropped);
	{
		unsigned in_order = s.ntags == sent;
		for (unsigned i = 0; in_order && i < sent; i++)
			in_order = s.tags[i] == (uint8_t)(i * 31 + 8);
		ok(in_order, "in order");
	}
	ok(s.flushes > 1000 / 40, "across many batches (%u)", s.flushes);
	ok(s.two_iov == 2 * 666 && s.one_iov == 1000 - 666,
	   "fragments carry a header of their own, whole packets one in front (%u, %u)", s.two_iov,
	   s.one_iov);

	/* RFC 7739: identifications not sequential; RFC 6864 4.1: none
	 * repeats within 65535 (0 is never used: the kernel would replace
	 * it). */
	{
		static unsigned char hit[65536];
		unsigned dup = 0, seqn = 0;
		tx.id_ctr = 0; /* a fresh key */
		uint16_t prev = t64_tx_next_id(&tx);
		hit[prev] = 1;
		for (unsigned i = 1; i < 65535; i++) {
			uint16_t id = t64_tx_next_id(&tx);
			dup += hit[id]++ != 0;
			seqn += id == (uint16_t)(prev + 1);
			prev = id;
		}
		ok(dup == 0 && hit[0] == 0 && seqn < 20,
		   "65535 identifications: %u repeats, %u in sequence, 0 %s", dup, seqn,
		   hit[0] ? "used" : "unused");
	}
	{
		unsigned seq = 0, same = 0;
		for (unsigned i = 1; i < s.nids; i++) {
			seq += s.ids[i] == (uint16_t)(s.ids[i - 1] + 1);
			same += s.ids[i] == s.ids[i - 1];
		}
		ok(s.nids > 600 && seq < 5 && same == 0,
		   "fragment ids unpredictable: %u ids, %u sequential pairs, %u repeats", s.nids, seq,
		   same);
	}
	t64_tx_free(&tx);

	/* ---- item: every MTU carries bulk TCP; drops are counted ---- */
	const unsigned mtus[] = { 1280, 1480, 9000, 65515 };
	for (unsigned k = 0; k < 4; k++) {
		unsigned mtu = mtus[k], mss = mtu - 60;
		sink_init(&s, &tx, mtu);
		size_t pay = 65535 - 20 - 100;
		size_t len = tcp6(pkt, 1000, 0x18, pay);
		t64_tx_read(&tx, buf, tun_frame(buf, pkt, len, mss));
		t64_tx_flush(&tx);
		ok(s.chk.bad == 0 && s.tcp_bytes == pay && tx.dropped == 0,
		   "mtu %u: a 64 KiB super-packet leaves as %u intact segments (%zu of %zu bytes, %llu dropped%s%s)",
		   mtu, s.chk.packets, s.tcp_bytes, pay, (unsigned long long)tx.dropped,
		   s.chk.why ? ", " : "", s.chk.why ? s.chk.why : "");
		/* A plain packet of exactly the MTU. */
		len = udp6(pkt, mtu, 7);
		t64_tx_read(&tx, buf, tun_frame(buf, pkt, len, 0));
		t64_tx_flush(&tx);
		ok(s.chk.bad == 0 && tx.dropped == 0 && s.ntags == 1, "mtu %u: a packet of %u bytes passes",
		   mtu, mtu);
		ok(s.two_iov == 0 && s.one_iov == s.chk.packets,
		   "mtu %u: every unfragmented message is one buffer, header in front (%u of %u)", mtu,
		   s.one_iov, s.chk.packets);
		t64_tx_free(&tx);
	}
	/* Segments above the tunnel MTU (the device's MTU raised by hand):
	 * refused with a PTB, each would-be segment counted. */
	sink_init(&s, &tx, 1480);
	{
		size_t len = tcp6(pkt, 1, 0x10, 9000);
		t64_tx_read(&tx, buf, tun_frame(buf, pkt, len, 3000));
		t64_tx_flush(&tx);
		ok(s.chk.packets == 0 && tx.dropped == 3 && s.ptbs == 1 && s.ptb_mtu == 1480,
		   "segments larger than the MTU: 3 drops counted, one PTB (%llu, %u)",
		   (unsigned long long)tx.dropped, s.ptbs);
		len = udp6(pkt, 1481, 1);
		t64_tx_read(&tx, buf, tun_frame(buf, pkt, len, 0));
		ok(tx.dropped == 4 && s.ptbs == 2, "a plain packet above the MTU: counted, PTB");
		t64_tx_read(&tx, buf, 3);
		ok(tx.dropped == 5, "a runt TUN read is counted");
		tun_frame(buf, pkt, udp6(pkt, 200, 1), 0);
		buf[1] = 5; /* GSO UDP L4: not ours to cut */
		t64_tx_read(&tx, buf, T64_VNET_LEN + 200);
		ok(tx.dropped == 6 && s.ntags == 0, "a GSO type we do not cut is counted");
	}
	t64_tx_free(&tx);

	/* ---- item: PTB rate limit and its destination ---- */
	sink_init(&s, &tx, 1480);
	tx.now_ms = 5000;
	t64_bucket_init(&tx.ptb_limit, T64_PTB_RATE, T64_PTB_BURST, tx.now_ms);
	for (unsigned i = 0; i < 1000; i++) {
		size_t len = udp6(pkt, 1500, i);
		t64_tx_read(&tx, buf, tun_frame(buf, pkt, len, 0));
	}
	ok(s.ptbs == T64_PTB_BURST && tx.dropped == 1000 && tx.ptb_limited == 1000 - T64_PTB_BURST,
	   "RFC 4443 2.4(f): 1000 oversize packets at once, %u PTBs (burst %u)", s.ptbs,
	   T64_PTB_BURST);
	tx.now_ms += 1000;
	for (unsigned i = 0; i < 1000; i++) {
		size_t len = udp6(pkt, 1500, i);
		t64_tx_read(&tx, buf, tun_frame(buf, pkt, len, 0));
	}
	ok(s.ptbs == T64_PTB_BURST + T64_PTB_RATE, "a second later, %u more (%u)", T64_PTB_RATE,
	   s.ptbs - T64_PTB_BURST);
	/* A send the kernel refuses reports the whole packet: message i of a
	 * fragmented packet still names the packet's start. */
	tx.pmtu = 1200;
	udp6(pkt, 1280, 3);
	t64_tx_read(&tx, buf, tun_frame(buf, pkt, 1280, 0));
	ok(tx.n == 2 && tx.pkt[1] == tx.pkt[0] && tx.pkt_len[1] == 1280 &&
	   !memcmp(tx.pkt[1] + 8, pkt + 8, 16),
	   "each fragment's message names its whole packet, whose source the PTB goes to");
	tx.now_ms += 10000;
	t64_tx_too_big(&tx, tx.pkt[1], tx.pkt_len[1], 1280);
	ok(!memcmp(s.ptb_dst, pkt + 8, 16), "a PTB for a refused fragment goes to the sender");
	t64_tx_free(&tx);

	/* ---- item: only what the daemon coalesced is marked ---- */
	{
		static struct t64_rx rx;
		struct up u = { 0 };
		struct in_addr remote = { htonl(0xc0000202) };
		t64_rx_init(&rx, 1480, remote, fake_write, &u);
		/* A forged "kernel GRO" packet: above the MTU, checksum field
		 * holding the pseudo-header seed. */
		uint8_t *in = pkt + 20;
		size_t len = tcp6(in, 1, 0x10, 3000);
		/* Replace the checksum with the seed over the whole length. */
		in[56] = in[57] = 0;
		uint16_t full = v6_csum6(in + 8, in + 24, 6, in + 40, len - 40);
		(void)full;
		{
			/* seed = ~csum(pseudo-header only) */
			uint8_t zero[4000] = { 0 };
			uint16_t c = v6_csum6(in + 8, in + 24, 6, zero, len - 40);
			uint16_t seed = (uint16_t)~c;
			in[56] = (uint8_t)(seed >> 8);
			in[57] = (uint8_t)seed;
		}
		ok(t64_tcp6_gro_seeded(in, len) != 0, "(the forged packet carries the seed)");
		size_t m = ip4(pkt, in, len);
		ok(t64_rx_packet(&rx, pkt, m, false) == T64_PASS, "it passes decapsulation");
		t64_rx_flush(&rx);
		ok(u.frames == 1 && u.marked == 0,
		   "but goes up unmarked: the stack verifies its checksum");
		/* The same bytes, when the receiver proved the kernel's GRO
		 * built them: cut again, checksummed here, coalesced by us. */
		memset(&u, 0, sizeof(u));
		m = ip4(pkt, in, len);
		t64_rx_packet(&rx, pkt, m, true);
		t64_rx_flush(&rx);
		ok(u.frames == 1 && u.marked == 1 && u.bytes == len,
		   "a proven kernel GRO packet: re-cut and coalesced by the daemon (%u frames)",
		   u.frames);
		/* With SYN set it can never be coalesced: plain segments. */
		in[53] |= 0x02;
		memset(&u, 0, sizeof(u));
		m = ip4(pkt, in, len);
		t64_rx_packet(&rx, pkt, m, true);
		t64_rx_flush(&rx);
		ok(u.frames == 3 && u.marked == 0, "with SYN: %u unmarked segments", u.frames);
		/* SYN and RST never join a run, and never come out marked. */
		memset(&u, 0, sizeof(u));
		static uint8_t q[3][2000];
		size_t l0 = ip4(q[0], (tcp6(pkt + 20, 100, 0x10, 1000), pkt + 20), 1060);
		size_t l1 = ip4(q[1], (tcp6(pkt + 20, 1100, 0x14, 1000), pkt + 20), 1060);
		size_t l2 = ip4(q[2], (tcp6(pkt + 20, 2100, 0x12, 1000), pkt + 20), 1060);
		t64_rx_packet(&rx, q[0], l0, false);
		t64_rx_packet(&rx, q[1], l1, false);
		t64_rx_packet(&rx, q[2], l2, false);
		t64_rx_flush(&rx);
		ok(u.frames == 3 && u.marked == 0, "a segment, then RST, then SYN|ACK: three unmarked frames");
		/* Control: three in-order data segments become one marked frame. */
		memset(&u, 0, sizeof(u));
		for (unsigned i = 0; i < 3; i++) {
			size_t l = ip4(q[i], (tcp6(pkt + 20, 100 + 1000 * i, 0x10, 1000), pkt + 20),
				       1060);
			t64_rx_packet(&rx, q[i], l, false);
		}
		t64_rx_flush(&rx);
		ok(u.frames == 1 && u.marked == 1 && u.last_vh[0] == 1 && u.last_vh[1] == 4 &&
		   u.bytes == 40 + 20 + 3000, "(control: its own run of three goes up as one, marked)");
		t64_rx_free(&rx);
	}

	/* ---- the token bucket ---- */
	{
		struct t64_bucket b;
		unsigned got = 0;
		t64_bucket_init(&b, 10, 5, 0);
		for (uint64_t t = 0; t <= 2000; t += 10)
			got += t64_bucket_take(&b, t);
		ok(got >= 5 + 19 && got <= 5 + 21, "10/s with a burst of 5 over 2 s: %u", got);
	}
	return done_testing();
}
