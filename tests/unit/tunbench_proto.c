/* tunbench control protocol: encode/decode round trips, every rejection
 * path, data framing, receiver accounting and argument parsers. */
#include "../../tools/tunbench/proto.h"
#include "unit.h"

#include <errno.h>
#include <math.h>

static struct tb_msg m, d;
static uint8_t buf[TB_MSG_MAX + 64];

static struct tb_msg hello(void)
{
	struct tb_msg h = { .type = TB_MSG_HELLO, .proto = TB_UDP, .streams = 4,
			    .duration_ms = 5000, .flags = TB_F_REVERSE, .len = 1470,
			    .window = 262144, .rate_bps = 1000000000ull };
	return h;
}

static int enc_dec(const struct tb_msg *in, struct tb_msg *out, struct v6_err *err)
{
	int n = tb_msg_encode(in, buf, sizeof(buf), err);
	return n < 0 ? n : tb_msg_decode(buf, (size_t)n, out, err);
}

static void roundtrips(void)
{
	struct v6_err err;

	m = hello();
	ok(enc_dec(&m, &d, &err) == 0, "HELLO round trip");
	ok(d.proto == TB_UDP && d.streams == 4 && d.duration_ms == 5000 && d.flags == TB_F_REVERSE &&
	   d.len == 1470 && d.window == 262144 && d.rate_bps == 1000000000ull,
	   "HELLO fields survive");

	memset(&m, 0, sizeof(m));
	m.type = TB_MSG_ACCEPT;
	m.cookie = 0x0123456789abcdefull;
	m.nports = 3;
	m.ports[0] = 1;
	m.ports[1] = 40000;
	m.ports[2] = 65535;
	ok(enc_dec(&m, &d, &err) == 0 && d.cookie == m.cookie && d.nports == 3 &&
	   d.ports[0] == 1 && d.ports[1] == 40000 && d.ports[2] == 65535, "ACCEPT round trip");

	memset(&m, 0, sizeof(m));
	m.type = TB_MSG_ERROR;
	m.code = TB_ERR_BUSY;
	snprintf(m.text, sizeof(m.text), "server busy");
	ok(enc_dec(&m, &d, &err) == 0 && d.code == TB_ERR_BUSY, "ERROR round trip");
	is_str(d.text, "server busy", "ERROR text");

	memset(&m, 0, sizeof(m));
	m.type = TB_MSG_RESULTS;
	m.nstats = TB_STREAMS_MAX;
	for (unsigned i = 0; i < TB_STREAMS_MAX; i++)
		m.stats[i] = (struct tb_stats){ .bytes = UINT64_MAX - i, .packets = i, .lost = 2,
						.jitter_ns = 12345, .write_ns = 7 };
	ok(enc_dec(&m, &d, &err) == 0 && d.nstats == TB_STREAMS_MAX &&
	   d.stats[63].bytes == UINT64_MAX - 63 && d.stats[5].packets == 5 &&
	   d.stats[9].jitter_ns == 12345 && d.stats[9].write_ns == 7,
	   "RESULTS with the most streams fits the size cap and round-trips");
}

static void rejections(void)
{
	struct v6_err err;
	uint8_t v, t;
	uint32_t plen;
	int n;

	m = hello();
	n = tb_msg_encode(&m, buf, sizeof(buf), &err);

	buf[0] = 'X';
	ok(tb_msg_decode(buf, (size_t)n, &d, &err) == -EBADMSG, "bad magic rejected");
	buf[0] = TB_MAGIC0;

	buf[2] = 2;
	ok(tb_msg_decode(buf, (size_t)n, &d, &err) == -EPROTONOSUPPORT, "other version rejected");
	ok(strstr(err.msg, "version 2") && strstr(err.msg, "speaks 1"), "version error names both: %s",
	   err.msg);
	ok(tb_hdr_decode(buf, TB_HDR_LEN, &v, &t, &plen, &err) == 0 && v == 2,
	   "header of another version still decodes, for a clear answer");
	buf[2] = TB_PROTO_VERSION;

	uint8_t big[TB_HDR_LEN] = { 'T', 'B', 1, TB_MSG_HELLO, 0xff, 0xff, 0xff, 0xff };
	ok(tb_hdr_decode(big, sizeof(big), &v, &t, &plen, &err) == -EMSGSIZE,
	   "4 GB length refused before anything is read");
	big[4] = 0; big[5] = 0; big[6] = (TB_PAYLOAD_MAX + 1) >> 8; big[7] = (TB_PAYLOAD_MAX + 1) & 0xff;
	ok(tb_hdr_decode(big, sizeof(big), &v, &t, &plen, &err) == -EMSGSIZE, "cap + 1 refused");
	ok(tb_hdr_decode(big, 7, &v, &t, &plen, &err) == -EBADMSG, "short header refused");

	ok(tb_msg_decode(buf, (size_t)n - 1, &d, &err) == -EBADMSG, "truncated message refused");

	/* A field that claims more bytes than the message has. */
	uint8_t over[] = { 'T', 'B', 1, TB_MSG_HELLO, 0, 0, 0, 4, 0, 1, 0, 200 };
	ok(tb_msg_decode(over, sizeof(over), &d, &err) == -EBADMSG, "field overrun refused");

	/* A u32 field with 3 bytes: wrong type. */
	uint8_t badlen[] = { 'T', 'B', 1, TB_MSG_ERROR, 0, 0, 0, 7, 0, 10, 0, 3, 1, 2, 3 };
	ok(tb_msg_decode(badlen, sizeof(badlen), &d, &err) == -EBADMSG, "wrong field length refused");

	/* Duplicate scalar. */
	uint8_t dup[] = { 'T', 'B', 1, TB_MSG_ERROR, 0, 0, 0, 16, 0, 10, 0, 4, 0, 0, 0, 1,
			  0, 10, 0, 4, 0, 0, 0, 2 };
	ok(tb_msg_decode(dup, sizeof(dup), &d, &err) == -EBADMSG, "repeated field refused");

	/* Missing required TEXT. */
	uint8_t missing[] = { 'T', 'B', 1, TB_MSG_ERROR, 0, 0, 0, 8, 0, 10, 0, 4, 0, 0, 0, 1 };
	ok(tb_msg_decode(missing, sizeof(missing), &d, &err) == -EBADMSG, "missing field refused");

	/* Unknown tag skipped, rest decodes. */
	uint8_t unk[] = { 'T', 'B', 1, TB_MSG_ERROR, 0, 0, 0, 22, 0x7f, 0x7f, 0, 2, 9, 9,
			  0, 10, 0, 4, 0, 0, 0, 1, 0, 11, 0, 4, 'a', 'b', 'c', 'd' };
	ok(tb_msg_decode(unk, sizeof(unk), &d, &err) == 0 && d.code == 1, "unknown tag skipped");

	/* Control bytes in text. */
	unk[29] = '\n';
	ok(tb_msg_decode(unk, sizeof(unk), &d, &err) == -EBADMSG, "unprintable text refused");

	uint8_t badtype[] = { 'T', 'B', 1, 99, 0, 0, 0, 0 };
	ok(tb_msg_decode(badtype, sizeof(badtype), &d, &err) == -EBADMSG, "unknown type refused");

	struct { const char *what; void (*f)(struct tb_msg *); } bad[] = {
		{ "0 streams", NULL }, { "65 streams", NULL }, { "0 duration", NULL },
		{ "UDP len 31", NULL }, { "UDP rate 0", NULL }, { "proto 3", NULL },
		{ "unknown flag", NULL }, { "TCP len 0", NULL },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = hello();
		switch (i) {
		case 0: m.streams = 0; break;
		case 1: m.streams = 65; break;
		case 2: m.duration_ms = 0; break;
		case 3: m.len = 31; break;
		case 4: m.rate_bps = 0; break;
		case 5: m.proto = 3; break;
		case 6: m.flags = 0x80; break;
		case 7: m.proto = TB_TCP; m.len = 0; break;
		}
		ok(enc_dec(&m, &d, &err) == -EBADMSG, "HELLO with %s refused", bad[i].what);
	}
	memset(&m, 0, sizeof(m));
	m.type = TB_MSG_ACCEPT;
	m.nports = 1;
	m.ports[0] = 0;
	ok(enc_dec(&m, &d, &err) == -EBADMSG, "port 0 refused");
}

static void framing(void)
{
	uint8_t g[TB_TCP_GREETING_LEN], u[TB_UDP_HDR_LEN];
	uint32_t idx;
	struct tb_udp_hdr h = { .cookie = 42, .seq = 1ull << 40, .send_ns = 99, .stream = 3,
				.kind = TB_UDP_FIN }, o;

	tb_greeting_encode(g, 0xfeed, 2);
	ok(tb_greeting_decode(g, 0xfeed, 4, &idx) == 0 && idx == 2, "greeting round trip");
	ok(tb_greeting_decode(g, 0xbeef, 4, &idx) < 0, "greeting with a wrong cookie refused");
	ok(tb_greeting_decode(g, 0xfeed, 2, &idx) < 0, "greeting for a stream beyond the test refused");
	tb_udp_hdr_encode(u, &h);
	ok(tb_udp_hdr_decode(u, sizeof(u), &o) == 0 && o.cookie == 42 && o.seq == 1ull << 40 &&
	   o.send_ns == 99 && o.stream == 3 && o.kind == TB_UDP_FIN, "UDP header round trip");
	ok(tb_udp_hdr_decode(u, sizeof(u) - 1, &o) < 0, "short datagram refused");
}

static void accounting(void)
{
	struct tb_seqtrack t = { 0 };
	/* Constant transit: no jitter. */
	for (uint64_t i = 0; i < 10; i++)
		tb_seqtrack_add(&t, i, i * 1000, i * 1000 + 500);
	ok(t.received == 10 && t.out_of_order == 0 && t.jitter_ns == 0, "steady stream: no jitter");
	/* One datagram 1600 ns late: |D| = 1600 enters as 1600/16 = 100 (RFC 3550 A.8). */
	tb_seqtrack_add(&t, 10, 10000, 10000 + 500 + 1600);
	ok(fabs(t.jitter_ns - 100) < 1e-9, "RFC 3550 jitter step: %g", t.jitter_ns);
	tb_seqtrack_add(&t, 12, 12000, 12600);
	tb_seqtrack_add(&t, 11, 11000, 12700);
	ok(t.out_of_order == 1 && t.received == 13, "late datagram counted out of order");
	ok(tb_lost(100, 90) == 10 && tb_lost(5, 7) == 0, "loss from sender's count, never negative");
}

static void parsers(void)
{
	struct v6_err err;
	uint64_t bps;
	uint32_t ms;
	double r, l;

	ok(tb_parse_rate("1g", &bps, &err) == 0 && bps == 1000000000ull, "1g");
	ok(tb_parse_rate("1.5M", &bps, &err) == 0 && bps == 1500000, "1.5M");
	ok(tb_parse_rate("64k", &bps, &err) == 0 && bps == 64000, "64k");
	ok(tb_parse_rate("10x", &bps, &err) < 0 && strstr(err.msg, "'10x'"), "bad rate quoted: %s",
	   err.msg);
	ok(tb_parse_rate("-1", &bps, &err) < 0, "negative rate refused");
	ok(tb_parse_rate("nan", &bps, &err) < 0, "nan rate refused");
	ok(tb_parse_secs("0.5", 100, 1000000, &ms, "time", &err) == 0 && ms == 500, "0.5 s");
	ok(tb_parse_secs("0.05", 100, 1000000, &ms, "time", &err) < 0, "below the floor refused");
	ok(tb_parse_secs("1e9", 100, 1000000, &ms, "time", &err) < 0, "huge time refused");
	ok(tb_parse_threshold("200,40%", &r, &l, "warning", &err) == 0 && r == 200 && l == 40,
	   "200,40%%");
	ok(tb_parse_threshold("0.5,0", &r, &l, "warning", &err) == 0 && r == 0.5 && l == 0, "0.5,0");
	ok(tb_parse_threshold("200", &r, &l, "warning", &err) < 0 && strstr(err.msg, "'200'"),
	   "threshold without loss refused: %s", err.msg);
	ok(tb_parse_threshold("200,101%", &r, &l, "warning", &err) < 0, "loss above 100%% refused");
}

int main(void)
{
	roundtrips();
	rejections();
	framing();
	accounting();
	parsers();
	return done_testing();
}
