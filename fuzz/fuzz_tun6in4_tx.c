/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the daemon's outbound batching (dp.c) over a sequence
 * of TUN reads, with the IPv4 fragmenter and TSO segmentation inside.  The
 * input picks the tunnel MTU and path MTU, then carries records: raw
 * TUN frames (virtio-net header + packet, length-prefixed) or recipes for
 * valid UDP packets and TCP super-packets of a chosen size.  Every flushed
 * batch is reassembled and each packet in it must be whole; those made
 * from recipes must also arrive intact (their checksums verify). */
#define _GNU_SOURCE
#include "../tools/tun6in4/pkt.c"
#include "../tools/tun6in4/dp.c"
#include "tun6in4_dp_check.h"

#include <stdio.h>

static struct dp_check chk;

static void flush(struct t64_tx *tx)
{
	dp_check_batch(&chk, tx);
	if (chk.bad) {
		fprintf(stderr, "dp check: %s\n", chk.why);
		__builtin_trap();
	}
	/* Slots are reused after a flush: anything still pointing into one
	 * would read this. */
	for (unsigned i = 0; i < tx->n; i++) {
		size_t len;
		memset(dpc_payload(tx, i, &len), 0xa5, len);
	}
}

static void ptb(struct t64_tx *tx, const uint8_t *pkt, size_t len, uint32_t mtu)
{
	uint8_t out[1280];
	struct in6_addr me = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };

	if (mtu < 1280 || mtu > tx->mtu || len <= mtu)
		__builtin_trap();
	t64_ptb_build(out, sizeof(out), &me, pkt, len, mtu);
}

#define RECIPE_FLOW 0xabcdeu

/* A valid packet behind a virtio-net header: UDP of pay bytes, or (kind
 * bit 1) a TCP super-packet cut at an MSS from kind's upper bits. */
static size_t recipe(uint8_t *f, size_t pay, unsigned kind)
{
	uint8_t *p = f + 10;
	bool tcp = kind & 2;
	size_t l4 = (tcp ? 20 : 8) + pay;

	if (l4 > 65535)
		l4 = 65535, pay = l4 - (tcp ? 20 : 8);
	memset(f, 0, 10 + 40 + 20);
	p[0] = 0x60 | RECIPE_FLOW >> 16;
	p[2] = (RECIPE_FLOW >> 8) & 0xff;
	p[3] = RECIPE_FLOW & 0xff;
	p[4] = (uint8_t)(l4 >> 8);
	p[5] = (uint8_t)l4;
	p[6] = tcp ? 6 : 17;
	p[7] = 64;
	p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;
	p[24] = 0x20, p[25] = 0x01, p[26] = 0x0d, p[27] = 0xb8, p[39] = 2;
	uint8_t *t = p + 40;
	/* Bytes that differ from packet to packet, copied from a pattern made
	 * once (a loop here would cost the fuzzer most of its time). */
	static uint8_t pattern[65536 + 256];
	if (!pattern[1])
		for (size_t i = 0; i < sizeof(pattern); i++)
			pattern[i] = (uint8_t)(i * 13 + i / 251 + 1);
	memcpy(t + (tcp ? 20 : 8), pattern + kind, pay);
	unsigned ck;
	if (tcp) {
		t[12] = 5 << 4;
		t[13] = 0x10;
		t[4] = (uint8_t)kind;
		ck = 16;
		/* gso_size from the kind, 1..~2 KiB and beyond */
		unsigned mss = 200 + (kind >> 2) * 37;
		f[1] = 4;
		f[4] = (uint8_t)mss;
		f[5] = (uint8_t)(mss >> 8);
	} else {
		t[4] = (uint8_t)(l4 >> 8);
		t[5] = (uint8_t)l4;
		ck = 6;
	}
	uint16_t c = v6_csum6(p + 8, p + 24, p[6], t, l4);
	t[ck] = (uint8_t)(c >> 8);
	t[ck + 1] = (uint8_t)c;
	return 10 + 40 + l4;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct t64_tx tx;
	static uint8_t frame[70000];

	if (size < 4)
		return 0;
	unsigned mtu = 1280 + ((unsigned)data[0] << 8 | data[1]) % (65515 - 1280 + 1);
	unsigned pmtu = data[2] ? 552 + (unsigned)data[2] * 8 : 0;
	memset(&chk, 0, sizeof(chk));
	chk.remote.s_addr = htonl(0xc0000202);
	/* Slots for the largest MTU, made once; the MTU only sets limits. */
	if (!tx.slots && t64_tx_init(&tx, 65515, 0, chk.remote, flush, ptb, NULL) < 0)
		return 0;
	tx.mtu = mtu;
	tx.ttl = data[3];
	tx.now_ms = 0;
	t64_bucket_init(&tx.ptb_limit, T64_PTB_RATE, T64_PTB_BURST, 0);
	tx.src.s_addr = htonl(0xc0000201);
	tx.pmtu = pmtu;
	data += 4;
	size -= 4;
	chk.l4_flow = RECIPE_FLOW;
	while (size >= 3) {
		size_t l = (size_t)data[1] << 8 | data[2], n;
		unsigned kind = data[0];
		data += 3;
		size -= 3;
		tx.now_ms += 7;
		if (kind & 1) {
			/* A recipe: l bytes of payload; kind picks TCP with GSO. */
			n = recipe(frame, l, kind);
			t64_tx_read(&tx, frame, n);
			continue;
		}
		if (l > size)
			l = size;
		/* A copy: the reader may change its buffer. */
		memcpy(frame, data, l);
		/* Raw frames never claim a recipe's flow label. */
		if (l >= 14 && ((unsigned)(frame[11] & 0x0f) << 16 | (unsigned)frame[12] << 8 |
				frame[13]) == RECIPE_FLOW)
			frame[13] ^= 1;
		t64_tx_read(&tx, frame, l);
		data += l;
		size -= l;
	}
	t64_tx_flush(&tx);
	return 0;
}
