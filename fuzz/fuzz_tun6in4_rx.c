/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the daemon's inbound path (dp.c) over several IPv4
 * packets in a row: decapsulation, then receive coalescing across them.
 * Whatever goes up marked for the stack to trust (NEEDS_CSUM + GSO) must
 * be the daemon's own coalescing of segments whose checksums verified:
 * cut again at its gso_size, every segment must carry a valid checksum
 * and only ACK/PSH (never SYN, RST or FIN). */
#define _GNU_SOURCE
#include "../tools/tun6in4/pkt.c"
#include "../tools/tun6in4/dp.c"

static void write_up(struct t64_rx *rx, const uint8_t *f, size_t len)
{
	static uint8_t copy[70000], seg[70000];

	(void)rx;
	if (len < DP_VNET + DP_IP6 || len > DP_VNET + DP_IP6 + 65535)
		__builtin_trap();
	if (f[0] == 0 && f[1] == 0)
		return;
	if (f[0] != 1 || f[1] != 4)
		__builtin_trap();
	size_t n = len - DP_VNET;
	unsigned gso = (unsigned)f[4] | (unsigned)f[5] << 8;
	memcpy(copy, f + DP_VNET, n);
	/* Complete the seeded checksum, as the stack would. */
	if (t64_csum_complete(copy, n, 40, 16) < 0)
		__builtin_trap();
	for (unsigned i = 0;; i++) {
		size_t l = t64_tso_segment(seg, sizeof(seg), copy, n, gso, i);
		if (!l)
			break;
		if (v6_csum6(seg + 8, seg + 24, 6, seg + 40, l - 40) != 0 || (seg[53] & ~0x18))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct t64_rx rx;
	static uint8_t pkt[70000];
	struct in_addr remote = { htonl(0xc0000202) };

	if (!rx.gro.buf && t64_rx_init(&rx, 1480, remote, write_up, NULL) < 0)
		return 0;
	if (size < 1)
		return 0;
	rx.mtu = 1280 + (unsigned)data[0] * 64;
	rx.local.s_addr = htonl(0xc0000201);
	data++;
	size--;
	/* Length-prefixed packets; a zero length means "socket empty". */
	while (size >= 2) {
		size_t l = (size_t)(data[0] & 0x7f) << 8 | data[1];
		data += 2;
		size -= 2;
		if (l == 0) {
			t64_rx_flush(&rx);
			continue;
		}
		if (l > size)
			l = size;
		memcpy(pkt, data, l);
		/* The length's top bit: the receiver vouched for kernel GRO. */
		t64_rx_packet(&rx, pkt, l, data[-2] & 0x80);
		data += l;
		size -= l;
	}
	t64_rx_flush(&rx);
	return 0;
}
