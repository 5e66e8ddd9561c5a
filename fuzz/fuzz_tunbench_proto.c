/* libFuzzer harness: tunbench's control message decoder on arbitrary bytes. */
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
	/* ... and re-encodes to something that decodes the same way. */
	int n = tb_msg_encode(&m, buf, sizeof(buf), &err);
	if (n < 0 || tb_msg_decode(buf, (size_t)n, &again, &err) < 0 || again.type != m.type ||
	    again.nports != m.nports || again.nstats != m.nstats || again.code != m.code ||
	    again.streams != m.streams || again.rate_bps != m.rate_bps)
		__builtin_trap();
	return 0;
}
