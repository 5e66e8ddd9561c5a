/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the user-mode data plane's packet functions on
 * arbitrary bytes, as a hostile peer or a confused stack could send them. */
#include "../tools/tun6in4/pkt.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000];
	static uint8_t gbuf[70000];
	struct in_addr remote = { htonl(0xc0000202) }, local = { htonl(0xc0000201) };
	struct in6_addr me = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	size_t off = 0, len = 0;

	if (t64_decap(data, size, remote, local, &off, &len) == T64_PASS &&
	    (off < 20 || off + len > size || len < 40))
		__builtin_trap();
	t64_encap_check(data, size, 1480);
	size_t n = t64_ptb_build(out, sizeof(out), &me, data, size, 1480);
	if (n > 1280 || (n && v6_csum6(out + 8, out + 24, 58, out + 40, n - 40) != 0))
		__builtin_trap();
	for (unsigned i = 0; i < 64; i++) {
		n = t64_tso_segment(out, 2048, data, size, 536, i);
		if (!n)
			break;
		if (n > 2048)
			__builtin_trap();
	}
	if (size >= 2) {
		uint8_t copy[4096];
		size_t l = size < sizeof(copy) ? size : sizeof(copy);
		memcpy(copy, data, l);
		t64_csum_complete(copy, l, data[0], data[1]);
	}
	/* Coalescing the input with itself: never beyond the buffer. */
	struct t64_gro g = { .buf = gbuf, .cap = sizeof(gbuf) };
	unsigned h = t64_tcp6_mergeable(data, size);
	if (h) {
		t64_gro_begin(&g, data, size, h);
		t64_gro_add(&g, data, size, h);
		if (t64_gro_end(&g) > sizeof(gbuf))
			__builtin_trap();
	}
	return 0;
}
