/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* memmem */
/* tunbench control protocol: encode/decode round trips, every rejection
 * path, data framing, receiver accounting and argument parsers. */
#include "../../tools/tunbench/hmac.h"
#include "../../tools/tunbench/proto.h"
#include "unit.h"

#include <errno.h>
#include <math.h>
#include <string.h>

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

	buf[2] = 1;
	ok(tb_msg_decode(buf, (size_t)n, &d, &err) == -EPROTONOSUPPORT, "older version rejected");
	ok(strstr(err.msg, "version 1") && strstr(err.msg, "speaks 2"), "version error names both: %s",
	   err.msg);
	ok(tb_hdr_decode(buf, TB_HDR_LEN, &v, &t, &plen, &err) == 0 && v == 1,
	   "header of another version still decodes, for a clear answer");
	buf[2] = TB_PROTO_VERSION;

	uint8_t big[TB_HDR_LEN] = { 'T', 'B', TB_PROTO_VERSION, TB_MSG_HELLO, 0xff, 0xff, 0xff, 0xff };
	ok(tb_hdr_decode(big, sizeof(big), &v, &t, &plen, &err) == -EMSGSIZE,
	   "4 GB length refused before anything is read");
	big[4] = 0; big[5] = 0; big[6] = (TB_PAYLOAD_MAX + 1) >> 8; big[7] = (TB_PAYLOAD_MAX + 1) & 0xff;
	ok(tb_hdr_decode(big, sizeof(big), &v, &t, &plen, &err) == -EMSGSIZE, "cap + 1 refused");
	ok(tb_hdr_decode(big, 7, &v, &t, &plen, &err) == -EBADMSG, "short header refused");

	ok(tb_msg_decode(buf, (size_t)n - 1, &d, &err) == -EBADMSG, "truncated message refused");

	/* A field that claims more bytes than the message has. */
	uint8_t over[] = { 'T', 'B', TB_PROTO_VERSION, TB_MSG_HELLO, 0, 0, 0, 4, 0, 1, 0, 200 };
	ok(tb_msg_decode(over, sizeof(over), &d, &err) == -EBADMSG, "field overrun refused");

	/* A u32 field with 3 bytes: wrong type. */
	uint8_t badlen[] = { 'T', 'B', TB_PROTO_VERSION, TB_MSG_ERROR, 0, 0, 0, 7, 0, 10, 0, 3, 1, 2, 3 };
	ok(tb_msg_decode(badlen, sizeof(badlen), &d, &err) == -EBADMSG, "wrong field length refused");

	/* Duplicate scalar. */
	uint8_t dup[] = { 'T', 'B', TB_PROTO_VERSION, TB_MSG_ERROR, 0, 0, 0, 16, 0, 10, 0, 4, 0, 0, 0, 1,
			  0, 10, 0, 4, 0, 0, 0, 2 };
	ok(tb_msg_decode(dup, sizeof(dup), &d, &err) == -EBADMSG, "repeated field refused");

	/* Missing required TEXT. */
	uint8_t missing[] = { 'T', 'B', TB_PROTO_VERSION, TB_MSG_ERROR, 0, 0, 0, 8, 0, 10, 0, 4, 0, 0, 0, 1 };
	ok(tb_msg_decode(missing, sizeof(missing), &d, &err) == -EBADMSG, "missing field refused");

	/* Unknown tag skipped, rest decodes. */
	uint8_t unk[] = { 'T', 'B', TB_PROTO_VERSION, TB_MSG_ERROR, 0, 0, 0, 22, 0x7f, 0x7f, 0, 2, 9, 9,
			  0, 10, 0, 4, 0, 0, 0, 1, 0, 11, 0, 4, 'a', 'b', 'c', 'd' };
	ok(tb_msg_decode(unk, sizeof(unk), &d, &err) == 0 && d.code == 1, "unknown tag skipped");

	/* Control bytes in text. */
	unk[29] = '\n';
	ok(tb_msg_decode(unk, sizeof(unk), &d, &err) == -EBADMSG, "unprintable text refused");

	uint8_t badtype[] = { 'T', 'B', TB_PROTO_VERSION, 99, 0, 0, 0, 0 };
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

/* Every numeric field of every message is bounded at decode time: a
 * HELLO asking for 2^64-1 bits/s (which a UBSan build of the server
 * aborted on when converting it) never reaches the data path. */
static void numeric_bounds(void)
{
	struct v6_err err;

	m = hello();
	m.rate_bps = UINT64_MAX;
	ok(enc_dec(&m, &d, &err) == -EBADMSG && strstr(err.msg, "rate"),
	   "huge rate_bps refused at decode: %s", err.msg);
	m.rate_bps = TB_RATE_MAX + 1;
	ok(enc_dec(&m, &d, &err) == -EBADMSG, "rate just above the bound refused");
	m.rate_bps = TB_RATE_MAX;
	ok(enc_dec(&m, &d, &err) == 0 && d.rate_bps == TB_RATE_MAX, "rate at the bound accepted");
	m = hello();
	m.proto = TB_TCP;
	m.len = 131072;
	m.rate_bps = UINT64_MAX;
	ok(enc_dec(&m, &d, &err) == -EBADMSG, "huge TCP pacing rate refused");

	struct { const char *what; int field; uint64_t v; } bad[] = {
		{ "TOS 256", 0, 256 },           { "omit past 24 h with the duration", 1, TB_DURATION_MAX_MS - 4999ull },
		{ "window 64 MiB + 1", 2, TB_WINDOW_MAX + 1ull }, { "duration 24 h + 1 ms", 3, TB_DURATION_MAX_MS + 1ull },
		{ "--bidir with 33 streams", 4, 33 }, { "--bidir with reverse", 5, 0 },
		{ "TCP len 1 MiB + 1", 6, TB_TCP_LEN_MAX + 1ull }, { "UDP len 65508", 7, 65508 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = hello();
		switch (bad[i].field) {
		case 0: m.tos = (uint32_t)bad[i].v; break;
		case 1: m.omit_ms = (uint32_t)bad[i].v; break;
		case 2: m.window = (uint32_t)bad[i].v; break;
		case 3: m.duration_ms = (uint32_t)bad[i].v; break;
		case 4: m.flags = TB_F_BIDIR; m.streams = (uint32_t)bad[i].v; break;
		case 5: m.flags = TB_F_BIDIR | TB_F_REVERSE; break;
		case 6: m.proto = TB_TCP; m.len = (uint32_t)bad[i].v; break;
		case 7: m.len = (uint32_t)bad[i].v; break;
		}
		ok(enc_dec(&m, &d, &err) == -EBADMSG, "HELLO with %s refused", bad[i].what);
	}
	m = hello();
	m.flags = TB_F_BIDIR;
	m.streams = 32;
	m.tos = 0xb8;
	m.omit_ms = 2000;
	snprintf(m.cc, sizeof(m.cc), "cubic");
	ok(enc_dec(&m, &d, &err) == 0 && d.tos == 0xb8 && d.omit_ms == 2000 && !strcmp(d.cc, "cubic") &&
	   d.flags == TB_F_BIDIR, "HELLO with --bidir, TOS, omit and congestion control round-trips");
	snprintf(m.cc, sizeof(m.cc), "Cubic!");
	ok(enc_dec(&m, &d, &err) == -EBADMSG, "congestion control name outside [a-z0-9_-] refused");

	memset(&m, 0, sizeof(m));
	m.type = TB_MSG_ERROR;
	m.code = 0;
	snprintf(m.text, sizeof(m.text), "x");
	ok(enc_dec(&m, &d, &err) == -EBADMSG, "error code 0 refused");
	m.code = UINT32_MAX;
	ok(enc_dec(&m, &d, &err) == -EBADMSG, "error code 2^32-1 refused");

	memset(&m, 0, sizeof(m));
	m.type = TB_MSG_END;
	m.nstats = 1;
	m.stats[0].duration_ns = UINT64_MAX;
	ok(enc_dec(&m, &d, &err) == -EBADMSG, "stream figures with a duration of 2^64-1 ns refused");
	m.stats[0].duration_ns = 1000;
	m.stats[0].jitter_ns = TB_TIME_MAX_NS + 1;
	ok(enc_dec(&m, &d, &err) == -EBADMSG, "jitter beyond the time bound refused");
	m.stats[0].jitter_ns = 0;
	m.has_cpu = true;
	m.cpu = (struct tb_cpu){ .user_cp = 1234, .system_cp = 99, .machine_cp = 10001, .ncpus = 2 };
	ok(enc_dec(&m, &d, &err) == -EBADMSG, "machine busy share above 100%% refused");
	m.cpu.machine_cp = 5000;
	ok(enc_dec(&m, &d, &err) == 0 && d.has_cpu && d.cpu.user_cp == 1234 && d.cpu.system_cp == 99 &&
	   d.cpu.machine_cp == 5000 && d.cpu.ncpus == 2, "CPU figures round-trip");
}

static void challenge(void)
{
	struct v6_err err;
	uint8_t nonce[TB_NONCE_LEN], a[TB_AUTH_LEN], b[TB_AUTH_LEN];

	memset(&m, 0, sizeof(m));
	m.type = TB_MSG_CHALLENGE;
	for (unsigned i = 0; i < TB_NONCE_LEN; i++)
		m.nonce[i] = (uint8_t)(i * 7);
	ok(enc_dec(&m, &d, &err) == 0 && !memcmp(d.nonce, m.nonce, TB_NONCE_LEN),
	   "CHALLENGE round trip");
	memcpy(nonce, m.nonce, sizeof(nonce));
	memset(&m, 0, sizeof(m));
	m.type = TB_MSG_AUTH;
	tb_auth_proof("s3cret", 6, nonce, m.auth);
	int n = tb_msg_encode(&m, buf, sizeof(buf), &err);
	ok(n > 0 && !memmem(buf, (size_t)n, "s3cret", 6), "the secret itself is not on the wire");
	ok(tb_msg_decode(buf, (size_t)n, &d, &err) == 0 && !memcmp(d.auth, m.auth, TB_AUTH_LEN),
	   "AUTH round trip");
	tb_auth_proof("s3cret", 6, nonce, a);
	tb_auth_proof("s3creT", 6, nonce, b);
	ok(!tb_equal_ct(a, b, sizeof(a)), "another secret gives another proof");
	nonce[0] ^= 1;
	tb_auth_proof("s3cret", 6, nonce, b);
	ok(!tb_equal_ct(a, b, sizeof(a)), "another nonce gives another proof (no replay)");
}

static void caps(void)
{
	struct v6_err err;
	struct tb_caps c = { .max_rate_bps = 1000000000ull, .max_duration_ms = 60000,
			     .max_streams = 16, .max_window = 16u << 20, .allow_tos = true };

	m = hello();
	ok(tb_hello_admit(&m, &c, &err) == 0, "a modest test is admitted");
	m.rate_bps = 2000000000ull;
	ok(tb_hello_admit(&m, &c, &err) == -EPERM && strstr(err.msg, "2000000000"),
	   "rate above the cap refused: %s", err.msg);
	m = hello();
	m.duration_ms = 59000;
	m.omit_ms = 2000;
	ok(tb_hello_admit(&m, &c, &err) == -EPERM && strstr(err.msg, "61.0 s"),
	   "duration plus omitted seconds above the cap refused: %s", err.msg);
	m = hello();
	m.streams = 9;
	m.flags = TB_F_BIDIR;
	ok(tb_hello_admit(&m, &c, &err) == -EPERM && strstr(err.msg, "18 streams"),
	   "--bidir counts both directions' streams: %s", err.msg);
	m = hello();
	m.window = 32u << 20;
	ok(tb_hello_admit(&m, &c, &err) == -EPERM, "window above the cap refused");
	m = hello();
	m.tos = 0xb8;
	c.allow_tos = false;
	ok(tb_hello_admit(&m, &c, &err) == -EPERM, "TOS refused when the server does not allow it");
}

/* RFC 4231 section 4 test vectors, and FIPS 180-4's "abc". */
static void hmac(void)
{
	static const struct { const char *key, *data, *mac; int keyrep, datarep; } tv[] = {
		/* 4.2 */ { "0b", "4869205468657265",
			    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 20, 1 },
		/* 4.3 */ { "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
			    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 1, 1 },
		/* 4.4 */ { "aa", "dd",
			    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 20, 50 },
		/* 4.6: truncated to 128 bits in the RFC; compare the prefix */
		{ "0c", "546573742057697468205472756e636174696f6e",
		  "a3b6167473100ee06e0c796c2955552b", 20, 1 },
		/* 4.7: a key longer than the block is hashed first */
		{ "aa", "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579"
			"202d2048617368204b6579204669727374",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 131, 1 },
	};
	uint8_t key[200], data[200], out[TB_SHA256_LEN];
	char hex[2 * TB_SHA256_LEN + 1];

	for (unsigned i = 0; i < sizeof(tv) / sizeof(tv[0]); i++) {
		size_t kl = 0, dl = 0, kh = strlen(tv[i].key) / 2, dh = strlen(tv[i].data) / 2;
		for (int r = 0; r < tv[i].keyrep; r++)
			for (size_t j = 0; j < kh; j++)
				sscanf(tv[i].key + 2 * j, "%2hhx", &key[kl++]);
		for (int r = 0; r < tv[i].datarep; r++)
			for (size_t j = 0; j < dh; j++)
				sscanf(tv[i].data + 2 * j, "%2hhx", &data[dl++]);
		tb_hmac_sha256(key, kl, data, dl, out);
		for (int j = 0; j < TB_SHA256_LEN; j++)
			sprintf(hex + 2 * j, "%02x", out[j]);
		ok(!strncmp(hex, tv[i].mac, strlen(tv[i].mac)), "RFC 4231 HMAC-SHA256 vector %u", i + 1);
	}
	struct tb_sha256 c;
	tb_sha256_init(&c);
	tb_sha256_update(&c, "abc", 3);
	tb_sha256_final(&c, out);
	for (int j = 0; j < TB_SHA256_LEN; j++)
		sprintf(hex + 2 * j, "%02x", out[j]);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256 of abc");
	uint8_t x[TB_AUTH_LEN] = { 0 }, y[TB_AUTH_LEN] = { 0 };
	y[31] = 1;
	ok(tb_equal_ct(x, x, sizeof(x)) && !tb_equal_ct(x, y, sizeof(x)), "constant-time compare");
}

static void server_greeting(void)
{
	static const uint8_t param_exchange[] = { 9 }, denied[] = { 0xff }, http[] = "HTTP/1.1 400",
			     ssh[] = "SSH-2.0-x", tb[] = { 'T', 'B', 2, 2 }, tx[] = { 'T', 'X' };

	ok(tb_server_greeting_classify(tb, 0) == TB_SERVER_MORE, "nothing yet: more");
	ok(tb_server_greeting_classify(tb, 1) == TB_SERVER_MORE, "'T' alone: more");
	ok(tb_server_greeting_classify(tb, sizeof(tb)) == TB_SERVER_TUNBENCH, "TB: tunbench");
	ok(tb_server_greeting_classify(tb, 2) == TB_SERVER_TUNBENCH, "TB of any version");
	ok(tb_server_greeting_classify(param_exchange, 1) == TB_SERVER_IPERF3,
	   "iperf3 PARAM_EXCHANGE");
	ok(tb_server_greeting_classify(denied, 1) == TB_SERVER_IPERF3, "iperf3 ACCESS_DENIED (-1)");
	ok(tb_server_greeting_classify(http, 12) == TB_SERVER_FOREIGN, "an HTTP answer");
	ok(tb_server_greeting_classify(ssh, 9) == TB_SERVER_FOREIGN, "an SSH banner");
	ok(tb_server_greeting_classify(tx, 2) == TB_SERVER_FOREIGN, "'T' then not 'B'");
}

int main(void)
{
	server_greeting();
	roundtrips();
	rejections();
	framing();
	accounting();
	parsers();
	numeric_bounds();
	challenge();
	caps();
	hmac();
	return done_testing();
}
