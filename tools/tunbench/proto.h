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
#define TB_PROTO_VERSION 1
#define TB_HDR_LEN 8
#define TB_PAYLOAD_MAX 8192
#define TB_MSG_MAX (TB_HDR_LEN + TB_PAYLOAD_MAX)
#define TB_STREAMS_MAX 64
#define TB_TEXT_MAX 200
#define TB_DURATION_MAX_MS (24u * 3600 * 1000)
#define TB_UDP_LEN_MIN 32 /* room for the datagram header */
#define TB_UDP_LEN_MAX 65507
#define TB_TCP_LEN_MAX (1u << 20)

enum tb_msg_type {
	TB_MSG_HELLO = 1,  /* client -> server: the test wanted */
	TB_MSG_ACCEPT = 2, /* server -> client: cookie and data ports */
	TB_MSG_ERROR = 3,  /* either way: code and text, then close */
	TB_MSG_END = 4,    /* sender -> receiver: done, sender's figures */
	TB_MSG_RESULTS = 5 /* receiver -> sender: receiver's figures */
};

enum tb_proto { TB_TCP = 1, TB_UDP = 2 };

/* HELLO flags */
enum { TB_F_REVERSE = 1u << 0, TB_F_WRITE = 1u << 1 };

/* ERROR codes */
enum {
	TB_ERR_VERSION = 1,
	TB_ERR_BUSY = 2,
	TB_ERR_BAD_REQUEST = 3,
	TB_ERR_INTERNAL = 4,
};

/* Per-stream figures exchanged at the end; durations in nanoseconds. */
struct tb_stats {
	uint64_t bytes, packets, lost, out_of_order, retransmits;
	uint64_t jitter_ns, duration_ns, write_bytes, write_ns;
};
#define TB_STATS_WIRE_LEN (9 * 8)

struct tb_msg {
	uint8_t version; /* filled by decode */
	uint8_t type;
	/* HELLO */
	uint32_t proto, streams, duration_ms, flags, len, window;
	uint64_t rate_bps;
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
};

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
/* "10", "0.5" seconds into milliseconds within [min_ms, max_ms]. */
int tb_parse_secs(const char *s, uint32_t min_ms, uint32_t max_ms, uint32_t *ms, const char *what,
		  struct v6_err *err);
/* "RTT_MS,LOSS%" thresholds for ping. */
int tb_parse_threshold(const char *s, double *rtt_ms, double *loss_pct, const char *what,
		       struct v6_err *err);

#endif
