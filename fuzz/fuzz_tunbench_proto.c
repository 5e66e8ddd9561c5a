/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: tunbench's control message decoder on arbitrary bytes. */
#include "../tools/tunbench/hmac.c"
#include "../tools/tunbench/proto.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tb_msg m, again;
	static uint8_t buf[TB_MSG_MAX];
	struct v6_err err;
	struct tb_udp_hdr h;

	tb_udp_hdr_decode(data, size, &h);
	if (tb_msg_decode(data, size, &m, &err) < 0)
		return 0;
	/* Whatever decodes respects the caps the server relies on ... */
	if (m.nports > TB_STREAMS_MAX || m.nstats > TB_STREAMS_MAX ||
	    strnlen(m.text, sizeof(m.text)) > TB_TEXT_MAX || size > TB_MSG_MAX)
		__builtin_trap();
	if (m.type == TB_MSG_HELLO &&
	    (m.streams < 1 || m.streams > TB_STREAMS_MAX || m.duration_ms > TB_DURATION_MAX_MS))
		__builtin_trap();
	/* The data path's pacing arithmetic on what a HELLO may ask for: a
	 * float-to-integer overflow here aborts this UBSan build. */
	if (m.type == TB_MSG_HELLO && m.proto == TB_UDP) {
		double pkt_ns;
		unsigned burst;
		tb_udp_pace(m.len, m.rate_bps / m.streams, &pkt_ns, &burst);
		uint64_t due = (uint64_t)((double)TB_TIME_MAX_NS / pkt_ns) + 1;
		if (burst < 1 || burst > 32 || due == 0)
			__builtin_trap();
	}
	/* ... and re-encodes to something that decodes the same way. */
	int n = tb_msg_encode(&m, buf, sizeof(buf), &err);
	if (n < 0 || tb_msg_decode(buf, (size_t)n, &again, &err) < 0 || again.type != m.type ||
	    again.nports != m.nports || again.nstats != m.nstats || again.code != m.code ||
	    again.streams != m.streams || again.rate_bps != m.rate_bps || again.tos != m.tos ||
	    again.omit_ms != m.omit_ms || strcmp(again.cc, m.cc) || again.has_cpu != m.has_cpu ||
	    memcmp(again.nonce, m.nonce, sizeof(m.nonce)) || memcmp(again.auth, m.auth, sizeof(m.auth)))
		__builtin_trap();
	return 0;
}
