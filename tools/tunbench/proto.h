/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench's control protocol: pure encode/decode, no sockets.
 *
 * Every message is an 8-byte header followed by typed fields:
 *   magic "TB" (2) | version (1) | type (1) | payload length (4, big endian)
 *   field: tag (2) | length (2) | value
 * The header layout never changes between versions, so a peer of another
 * version can always be recognised and told so.  Lengths are capped before
 * anything is allocated (iperf3's CVEs came from trusting them), every tag
 * has one fixed type, and unknown tags are skipped so a later minor
 * addition does not break an older peer. */
#ifndef TUNBENCH_PROTO_H
#define TUNBENCH_PROTO_H

#include "v6util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TB_MAGIC0 'T'
#define TB_MAGIC1 'B'
/* 2: CHALLENGE/AUTH (shared secret), bidirectional tests, TCP pacing,
 * omitted seconds, TOS, congestion control, CPU figures. */
#define TB_PROTO_VERSION 2
#define TB_HDR_LEN 8
#define TB_PAYLOAD_MAX 8192
#define TB_MSG_MAX (TB_HDR_LEN + TB_PAYLOAD_MAX)
#define TB_STREAMS_MAX 64
#define TB_TEXT_MAX 200
#define TB_DURATION_MAX_MS (24u * 3600 * 1000)
#define TB_UDP_LEN_MIN 32 /* room for the datagram header */
#define TB_UDP_LEN_MAX 65507
#define TB_TCP_LEN_MAX (1u << 20)
#define TB_WINDOW_MAX (64u << 20)
#define TB_RATE_MAX 400000000000ull /* 400 Gbit/s: bounds every rate field */
/* Times in figures: the longest test plus its grace, twice over. */
#define TB_TIME_MAX_NS (2ull * 2 * TB_DURATION_MAX_MS * 1000000)
#define TB_CC_MAX 15 /* TCP_CA_NAME_MAX - 1 */
#define TB_NONCE_LEN 32
#define TB_AUTH_LEN 32
#define TB_CPU_MAX 100000000u /* centi-percent: 10,000 CPUs busy */

enum tb_msg_type {
	TB_MSG_HELLO = 1,  /* client -> server: the test wanted */
	TB_MSG_ACCEPT = 2, /* server -> client: cookie and data ports */
	TB_MSG_ERROR = 3,  /* either way: code and text, then close */
	TB_MSG_END = 4,    /* sender -> receiver: done, sender's figures */
	TB_MSG_RESULTS = 5, /* receiver -> sender: receiver's figures */
	TB_MSG_CHALLENGE = 6, /* server -> client: nonce, when a secret is set */
	TB_MSG_AUTH = 7    /* client -> server: HMAC-SHA256(secret, nonce) */
};

enum tb_proto { TB_TCP = 1, TB_UDP = 2 };

/* HELLO flags */
enum { TB_F_REVERSE = 1u << 0, TB_F_WRITE = 1u << 1, TB_F_BIDIR = 1u << 2 };
#define TB_F_ALL (TB_F_REVERSE | TB_F_WRITE | TB_F_BIDIR)

/* ERROR codes */
enum {
	TB_ERR_VERSION = 1,
	TB_ERR_BUSY = 2,
	TB_ERR_BAD_REQUEST = 3,
	TB_ERR_INTERNAL = 4,
	TB_ERR_AUTH = 5,   /* no or a wrong proof of the shared secret */
	TB_ERR_POLICY = 6, /* well-formed, but beyond the server's caps */
	TB_ERR_MAX = 1000  /* decode bound; later codes stay readable */
};

/* Per-stream figures exchanged at the end; durations in nanoseconds. */
struct tb_stats {
	uint64_t bytes, packets, lost, out_of_order, retransmits;
	uint64_t jitter_ns, duration_ns, write_bytes, write_ns;
};
#define TB_STATS_WIRE_LEN (9 * 8)

/* CPU use of one end over the test, in hundredths of a percent: the
 * process (user, system; 100% = one CPU busy) and the whole machine's busy
 * share (0-10000, all CPUs together). */
struct tb_cpu {
	uint32_t user_cp, system_cp, machine_cp, ncpus;
};
#define TB_CPU_WIRE_LEN (4 * 4)

struct tb_msg {
	uint8_t version; /* filled by decode */
	uint8_t type;
	/* HELLO */
	uint32_t proto, streams, duration_ms, flags, len, window;
	uint32_t tos, omit_ms;
	uint64_t rate_bps;  /* UDP: the rate; TCP: pacing, 0 none */
	char cc[TB_CC_MAX + 1]; /* congestion control, "" default */
	/* CHALLENGE and AUTH */
	uint8_t nonce[TB_NONCE_LEN], auth[TB_AUTH_LEN];
	/* ACCEPT */
	uint64_t cookie;
	uint32_t nports;
	uint16_t ports[TB_STREAMS_MAX];
	/* ERROR */
	uint32_t code;
	char text[TB_TEXT_MAX + 1];
	/* END and RESULTS */
	uint32_t nstats;
	struct tb_stats stats[TB_STREAMS_MAX];
	bool has_cpu;
	struct tb_cpu cpu;
};

/* What a server allows a client to ask for.  Every request field that
 * costs the server something is checked here, so an option added later
 * gets its cap here too. */
struct tb_caps {
	uint64_t max_rate_bps;   /* UDP rate and TCP pacing, all streams */
	uint32_t max_duration_ms; /* -t plus -O */
	uint32_t max_streams;    /* connections: -P, doubled by --bidir */
	uint32_t max_window;     /* socket buffer asked for (never forced) */
	bool allow_tos;
};
/* 0, or -EPERM with a message naming the field, the value and the cap. */
int tb_hello_admit(const struct tb_msg *hello, const struct tb_caps *caps, struct v6_err *err);

/* The header alone: checks magic and the length cap.  A version other than
 * ours is reported through *version, not as an error, so the caller can
 * answer with a clear message. */
int tb_hdr_decode(const uint8_t *buf, size_t len, uint8_t *version, uint8_t *type,
		  uint32_t *payload_len, struct v6_err *err);
/* A whole message of our version: header plus payload_len bytes. */
int tb_msg_decode(const uint8_t *buf, size_t len, struct tb_msg *m, struct v6_err *err);
/* Encode m into buf (at least TB_MSG_MAX); returns the length or -errno. */
int tb_msg_encode(const struct tb_msg *m, uint8_t *buf, size_t cap, struct v6_err *err);
const char *tb_msg_type_name(unsigned type);

/* What the first bytes a server sent on the control connection say about
 * it.  A tunbench server's first message starts with the magic; iperf3's
 * server answers a client's cookie with a single state byte
 * (PARAM_EXCHANGE, or ACCESS_DENIED / SERVER_ERROR as signed -1 / -2). */
enum tb_server_kind {
	TB_SERVER_MORE,     /* too few bytes to tell */
	TB_SERVER_TUNBENCH, /* "TB": a tunbench server, of any version */
	TB_SERVER_IPERF3,   /* an iperf3 state byte */
	TB_SERVER_FOREIGN   /* anything else */
};
#define TB_IPERF3_PARAM_EXCHANGE 9
#define TB_IPERF3_ACCESS_DENIED 0xff
#define TB_IPERF3_SERVER_ERROR 0xfe
enum tb_server_kind tb_server_greeting_classify(const uint8_t *buf, size_t len);

/* ---- data-path framing ---------------------------------------------- */

/* First bytes on every TCP data connection. */
#define TB_TCP_GREETING_LEN 16
void tb_greeting_encode(uint8_t *buf, uint64_t cookie, uint32_t stream);
int tb_greeting_decode(const uint8_t *buf, uint64_t cookie, uint32_t nstreams, uint32_t *stream);

/* Header of every UDP datagram. */
#define TB_UDP_HDR_LEN 32
enum { TB_UDP_DATA = 0, TB_UDP_FIN = 1, TB_UDP_HELLO = 2 };
struct tb_udp_hdr {
	uint64_t cookie, seq, send_ns;
	uint32_t stream, kind;
};
void tb_udp_hdr_encode(uint8_t *buf, const struct tb_udp_hdr *h);
int tb_udp_hdr_decode(const uint8_t *buf, size_t len, struct tb_udp_hdr *h);

/* The proof a client sends: HMAC-SHA256(secret, TB_AUTH_LABEL || nonce),
 * so the secret itself never crosses the wire. */
#define TB_AUTH_LABEL "tunbench v2 auth"
void tb_auth_proof(const void *secret, size_t slen, const uint8_t nonce[TB_NONCE_LEN],
		   uint8_t out[TB_AUTH_LEN]);
/* A congestion control name as the kernel spells them: [a-z0-9_-]. */
bool tb_cc_name_ok(const char *s);

/* UDP pacing: nanoseconds between datagrams and datagrams per burst (a
 * burst is at most ~200 us of traffic, 1-32 datagrams). */
void tb_udp_pace(uint32_t len, uint64_t rate_bps, double *pkt_ns, unsigned *burst);

/* ---- receiver-side accounting (pure, unit-tested) ------------------- */

/* Sequence and jitter tracking for one UDP stream (RFC 3550 A.8 jitter). */
struct tb_seqtrack {
	uint64_t received, out_of_order, next_seq;
	bool have_transit;
	int64_t last_transit_ns;
	double jitter_ns;
};
void tb_seqtrack_add(struct tb_seqtrack *t, uint64_t seq, uint64_t send_ns, uint64_t recv_ns);
/* Lost = sent - received, never negative (duplicates are not losses). */
uint64_t tb_lost(uint64_t sent, uint64_t received);

/* "100m", "1.5G", "64k" bits per second (1000-based, as iperf). */
int tb_parse_rate(const char *s, uint64_t *bps, struct v6_err *err);
/* "256K", "4M", "1G" bytes (1024-based, as iperf's -w) within [min, max]. */
int tb_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out, const char *what,
		  struct v6_err *err);
/* "10", "0.5" seconds into milliseconds within [min_ms, max_ms]. */
int tb_parse_secs(const char *s, uint32_t min_ms, uint32_t max_ms, uint32_t *ms, const char *what,
		  struct v6_err *err);
/* "RTT_MS,LOSS%" thresholds for ping. */
int tb_parse_threshold(const char *s, double *rtt_ms, double *loss_pct, const char *what,
		       struct v6_err *err);

#endif
