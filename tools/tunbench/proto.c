/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench control protocol and data framing: pure functions only, so the
 * unit tests and the fuzzer can run them without sockets. */
#include "proto.h"
#include "hmac.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum tb_tag {
	TAG_PROTO = 1,
	TAG_STREAMS = 2,
	TAG_DURATION = 3,
	TAG_FLAGS = 4,
	TAG_LEN = 5,
	TAG_WINDOW = 6,
	TAG_RATE = 7,
	TAG_COOKIE = 8,
	TAG_PORT = 9,  /* repeated, one per stream in order */
	TAG_CODE = 10,
	TAG_TEXT = 11,
	TAG_STATS = 12, /* repeated, one per stream in order */
	TAG_TOS = 13,
	TAG_OMIT = 14,
	TAG_CC = 15,
	TAG_NONCE = 16,
	TAG_AUTH = 17,
	TAG_CPU = 18,
	TAG_LAST = 18
};

/* The one type each tag has; a field whose length disagrees is rejected. */
static int tag_len(unsigned tag)
{
	switch (tag) {
	case TAG_RATE: case TAG_COOKIE: return 8;
	case TAG_TEXT: return -1; /* 0..TB_TEXT_MAX */
	case TAG_CC: return -2;   /* 1..TB_CC_MAX */
	case TAG_STATS: return TB_STATS_WIRE_LEN;
	case TAG_NONCE: return TB_NONCE_LEN;
	case TAG_AUTH: return TB_AUTH_LEN;
	case TAG_CPU: return TB_CPU_WIRE_LEN;
	default: return 4;
	}
}

static void put16(uint8_t *p, uint16_t v) { v6_put_be16(p, v); }
static void put32(uint8_t *p, uint32_t v) { v6_put_be32(p, v); }
static void put64(uint8_t *p, uint64_t v) { v6_put_be64(p, v); }
static uint16_t get16(const uint8_t *p) { return v6_get_be16(p); }
static uint32_t get32(const uint8_t *p) { return v6_get_be32(p); }
static uint64_t get64(const uint8_t *p) { return v6_get_be64(p); }

const char *tb_msg_type_name(unsigned type)
{
	static const char *names[] = { "?", "HELLO", "ACCEPT", "ERROR", "END", "RESULTS",
					"CHALLENGE", "AUTH" };
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

int tb_hdr_decode(const uint8_t *buf, size_t len, uint8_t *version, uint8_t *type,
		  uint32_t *payload_len, struct v6_err *err)
{
	if (len < TB_HDR_LEN)
		return v6_err_set(err, -EBADMSG, "short header (%zu bytes)", len);
	if (buf[0] != TB_MAGIC0 || buf[1] != TB_MAGIC1)
		return v6_err_set(err, -EBADMSG, "not a tunbench peer (bad magic)");
	*version = buf[2];
	*type = buf[3];
	*payload_len = get32(buf + 4);
	/* The cap holds for every version: nothing is allocated from it. */
	if (*payload_len > TB_PAYLOAD_MAX)
		return v6_err_set(err, -EMSGSIZE, "message of %u bytes exceeds the %u-byte limit",
				  *payload_len, TB_PAYLOAD_MAX);
	return 0;
}

static int put_field(uint8_t *buf, size_t cap, size_t *off, unsigned tag, const void *val,
		     size_t vlen, struct v6_err *err)
{
	if (*off + 4 + vlen > cap)
		return v6_err_set(err, -EMSGSIZE, "message too large to encode");
	put16(buf + *off, tag);
	put16(buf + *off + 2, vlen);
	memcpy(buf + *off + 4, val, vlen);
	*off += 4 + vlen;
	return 0;
}

static int put_u32(uint8_t *buf, size_t cap, size_t *off, unsigned tag, uint32_t v,
		   struct v6_err *err)
{
	uint8_t b[4];
	put32(b, v);
	return put_field(buf, cap, off, tag, b, 4, err);
}

static int put_u64(uint8_t *buf, size_t cap, size_t *off, unsigned tag, uint64_t v,
		   struct v6_err *err)
{
	uint8_t b[8];
	put64(b, v);
	return put_field(buf, cap, off, tag, b, 8, err);
}

static void stats_encode(uint8_t *b, const struct tb_stats *s)
{
	const uint64_t v[9] = { s->bytes, s->packets, s->lost, s->out_of_order, s->retransmits,
				s->jitter_ns, s->duration_ns, s->write_bytes, s->write_ns };
	for (int i = 0; i < 9; i++)
		put64(b + 8 * i, v[i]);
}

static void stats_decode(const uint8_t *b, struct tb_stats *s)
{
	uint64_t *v[9] = { &s->bytes, &s->packets, &s->lost, &s->out_of_order, &s->retransmits,
			   &s->jitter_ns, &s->duration_ns, &s->write_bytes, &s->write_ns };
	for (int i = 0; i < 9; i++)
		*v[i] = get64(b + 8 * i);
}

int tb_msg_encode(const struct tb_msg *m, uint8_t *buf, size_t cap, struct v6_err *err)
{
	size_t off = TB_HDR_LEN;
	size_t lim = cap < TB_MSG_MAX ? cap : TB_MSG_MAX;
	int rc = 0;

	if (lim < TB_HDR_LEN)
		return v6_err_set(err, -EMSGSIZE, "buffer too small");
	switch (m->type) {
	case TB_MSG_HELLO:
		if ((rc = put_u32(buf, lim, &off, TAG_PROTO, m->proto, err)) ||
		    (rc = put_u32(buf, lim, &off, TAG_STREAMS, m->streams, err)) ||
		    (rc = put_u32(buf, lim, &off, TAG_DURATION, m->duration_ms, err)) ||
		    (rc = put_u32(buf, lim, &off, TAG_FLAGS, m->flags, err)) ||
		    (rc = put_u32(buf, lim, &off, TAG_LEN, m->len, err)) ||
		    (rc = put_u32(buf, lim, &off, TAG_WINDOW, m->window, err)) ||
		    (rc = put_u64(buf, lim, &off, TAG_RATE, m->rate_bps, err)) ||
		    (rc = put_u32(buf, lim, &off, TAG_TOS, m->tos, err)) ||
		    (rc = put_u32(buf, lim, &off, TAG_OMIT, m->omit_ms, err)))
			return rc;
		if (m->cc[0] && (rc = put_field(buf, lim, &off, TAG_CC, m->cc,
						strnlen(m->cc, TB_CC_MAX), err)))
			return rc;
		break;
	case TB_MSG_CHALLENGE:
		if ((rc = put_field(buf, lim, &off, TAG_NONCE, m->nonce, TB_NONCE_LEN, err)))
			return rc;
		break;
	case TB_MSG_AUTH:
		if ((rc = put_field(buf, lim, &off, TAG_AUTH, m->auth, TB_AUTH_LEN, err)))
			return rc;
		break;
	case TB_MSG_ACCEPT:
		if ((rc = put_u64(buf, lim, &off, TAG_COOKIE, m->cookie, err)))
			return rc;
		if (m->nports > TB_STREAMS_MAX)
			return v6_err_set(err, -EINVAL, "too many ports");
		for (uint32_t i = 0; i < m->nports; i++)
			if ((rc = put_u32(buf, lim, &off, TAG_PORT, m->ports[i], err)))
				return rc;
		break;
	case TB_MSG_ERROR: {
		size_t tl = strnlen(m->text, TB_TEXT_MAX);
		if ((rc = put_u32(buf, lim, &off, TAG_CODE, m->code, err)) ||
		    (rc = put_field(buf, lim, &off, TAG_TEXT, m->text, tl, err)))
			return rc;
		break;
	}
	case TB_MSG_END:
	case TB_MSG_RESULTS:
		if (m->nstats > TB_STREAMS_MAX)
			return v6_err_set(err, -EINVAL, "too many streams");
		for (uint32_t i = 0; i < m->nstats; i++) {
			uint8_t b[TB_STATS_WIRE_LEN];
			stats_encode(b, &m->stats[i]);
			if ((rc = put_field(buf, lim, &off, TAG_STATS, b, sizeof(b), err)))
				return rc;
		}
		if (m->has_cpu) {
			uint8_t b[TB_CPU_WIRE_LEN];
			put32(b, m->cpu.user_cp);
			put32(b + 4, m->cpu.system_cp);
			put32(b + 8, m->cpu.machine_cp);
			put32(b + 12, m->cpu.ncpus);
			if ((rc = put_field(buf, lim, &off, TAG_CPU, b, sizeof(b), err)))
				return rc;
		}
		break;
	default:
		return v6_err_set(err, -EINVAL, "unknown message type %u", m->type);
	}
	buf[0] = TB_MAGIC0;
	buf[1] = TB_MAGIC1;
	buf[2] = TB_PROTO_VERSION;
	buf[3] = m->type;
	put32(buf + 4, (uint32_t)(off - TB_HDR_LEN));
	return (int)off;
}

static bool printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* Which fields each message must carry (bit per tag). */
static uint32_t required(unsigned type)
{
	switch (type) {
	case TB_MSG_HELLO:
		return 1u << TAG_PROTO | 1u << TAG_STREAMS | 1u << TAG_DURATION | 1u << TAG_LEN;
	case TB_MSG_ACCEPT: return 1u << TAG_COOKIE | 1u << TAG_PORT;
	case TB_MSG_ERROR: return 1u << TAG_CODE | 1u << TAG_TEXT;
	case TB_MSG_END: case TB_MSG_RESULTS: return 1u << TAG_STATS;
	case TB_MSG_CHALLENGE: return 1u << TAG_NONCE;
	case TB_MSG_AUTH: return 1u << TAG_AUTH;
	}
	return 0;
}

/* Which fields belong to each message; others are skipped like unknown
 * tags, so a decoded message holds only what its type defines. */
static uint32_t allowed(unsigned type)
{
	switch (type) {
	case TB_MSG_HELLO:
		return 1u << TAG_PROTO | 1u << TAG_STREAMS | 1u << TAG_DURATION | 1u << TAG_FLAGS |
		       1u << TAG_LEN | 1u << TAG_WINDOW | 1u << TAG_RATE | 1u << TAG_TOS |
		       1u << TAG_OMIT | 1u << TAG_CC;
	case TB_MSG_END: case TB_MSG_RESULTS: return 1u << TAG_STATS | 1u << TAG_CPU;
	default: return required(type);
	}
}

bool tb_cc_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > TB_CC_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Every numeric field of a HELLO within its protocol range, so nothing
 * later converts or multiplies an unchecked value. */
static int hello_check(const struct tb_msg *m, struct v6_err *err)
{
	if (m->proto != TB_TCP && m->proto != TB_UDP)
		return v6_err_set(err, -EINVAL, "unknown protocol %u", m->proto);
	if (m->streams < 1 || m->streams > TB_STREAMS_MAX)
		return v6_err_set(err, -EINVAL, "streams must be 1-%u: %u", TB_STREAMS_MAX, m->streams);
	if ((m->flags & TB_F_BIDIR) && m->streams > TB_STREAMS_MAX / 2)
		return v6_err_set(err, -EINVAL, "streams with --bidir must be 1-%u: %u",
				  TB_STREAMS_MAX / 2, m->streams);
	if (m->duration_ms < 1 || m->duration_ms > TB_DURATION_MAX_MS)
		return v6_err_set(err, -EINVAL, "duration out of range: %u ms", m->duration_ms);
	/* -O runs in addition to -t: together within the longest test. */
	if ((uint64_t)m->omit_ms + m->duration_ms > TB_DURATION_MAX_MS)
		return v6_err_set(err, -EINVAL, "duration %u ms plus omitted %u ms exceed %u ms",
				  m->duration_ms, m->omit_ms, TB_DURATION_MAX_MS);
	if (m->flags & ~(uint32_t)TB_F_ALL)
		return v6_err_set(err, -EINVAL, "unknown flags 0x%x", m->flags);
	if ((m->flags & TB_F_BIDIR) && (m->flags & TB_F_REVERSE))
		return v6_err_set(err, -EINVAL, "bidirectional and reverse at once");
	if (m->proto == TB_UDP && (m->len < TB_UDP_LEN_MIN || m->len > TB_UDP_LEN_MAX))
		return v6_err_set(err, -EINVAL, "UDP length must be %u-%u: %u", TB_UDP_LEN_MIN,
				  TB_UDP_LEN_MAX, m->len);
	if (m->proto == TB_TCP && (m->len < 1 || m->len > TB_TCP_LEN_MAX))
		return v6_err_set(err, -EINVAL, "TCP length must be 1-%u: %u", TB_TCP_LEN_MAX, m->len);
	if (m->proto == TB_UDP && m->rate_bps == 0)
		return v6_err_set(err, -EINVAL, "UDP needs a rate");
	if (m->rate_bps > TB_RATE_MAX)
		return v6_err_set(err, -EINVAL, "rate must be at most %llu bits/s: %llu",
				  (unsigned long long)TB_RATE_MAX, (unsigned long long)m->rate_bps);
	if (m->window > TB_WINDOW_MAX)
		return v6_err_set(err, -EINVAL, "window too large: %u", m->window);
	if (m->tos > 255)
		return v6_err_set(err, -EINVAL, "TOS must be 0-255: %u", m->tos);
	return 0;
}

static int stats_check(const struct tb_stats *s, struct v6_err *err)
{
	if (s->duration_ns > TB_TIME_MAX_NS || s->write_ns > TB_TIME_MAX_NS ||
	    s->jitter_ns > TB_TIME_MAX_NS)
		return v6_err_set(err, -EBADMSG, "stream figures with a time out of range");
	return 0;
}

int tb_hello_admit(const struct tb_msg *h, const struct tb_caps *c, struct v6_err *err)
{
	uint32_t conns = h->streams * (h->flags & TB_F_BIDIR ? 2 : 1);

	if (h->rate_bps > c->max_rate_bps)
		return v6_err_set(err, -EPERM, "rate %llu bits/s exceeds this server's limit of %llu",
				  (unsigned long long)h->rate_bps,
				  (unsigned long long)c->max_rate_bps);
	if ((uint64_t)h->duration_ms + h->omit_ms > c->max_duration_ms)
		return v6_err_set(err, -EPERM, "test of %.1f s exceeds this server's limit of %.1f s",
				  (h->duration_ms + (double)h->omit_ms) / 1000,
				  c->max_duration_ms / 1000.0);
	if (conns > c->max_streams)
		return v6_err_set(err, -EPERM, "%u streams exceed this server's limit of %u", conns,
				  c->max_streams);
	if (h->window > c->max_window)
		return v6_err_set(err, -EPERM, "window of %u bytes exceeds this server's limit of %u",
				  h->window, c->max_window);
	if (h->tos && !c->allow_tos)
		return v6_err_set(err, -EPERM, "this server does not set TOS for clients");
	return 0;
}

void tb_auth_proof(const void *secret, size_t slen, const uint8_t nonce[TB_NONCE_LEN],
		   uint8_t out[TB_AUTH_LEN])
{
	uint8_t msg[sizeof(TB_AUTH_LABEL) - 1 + TB_NONCE_LEN];

	memcpy(msg, TB_AUTH_LABEL, sizeof(TB_AUTH_LABEL) - 1);
	memcpy(msg + sizeof(TB_AUTH_LABEL) - 1, nonce, TB_NONCE_LEN);
	tb_hmac_sha256(secret, slen, msg, sizeof(msg), out);
}

int tb_msg_decode(const uint8_t *buf, size_t len, struct tb_msg *m, struct v6_err *err)
{
	uint32_t plen, seen = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = tb_hdr_decode(buf, len, &m->version, &m->type, &plen, err)) < 0)
		return rc;
	if (m->version != TB_PROTO_VERSION)
		return v6_err_set(err, -EPROTONOSUPPORT,
				  "peer speaks protocol version %u, this tunbench speaks %u",
				  m->version, TB_PROTO_VERSION);
	if (!required(m->type))
		return v6_err_set(err, -EBADMSG, "unknown message type %u", m->type);
	if (len != TB_HDR_LEN + (size_t)plen)
		return v6_err_set(err, -EBADMSG, "length field says %u bytes, got %zu", plen,
				  len - TB_HDR_LEN);
	for (size_t off = TB_HDR_LEN; off < len;) {
		if (len - off < 4)
			return v6_err_set(err, -EBADMSG, "truncated field header");
		unsigned tag = get16(buf + off), flen = get16(buf + off + 2);
		const uint8_t *v = buf + off + 4;
		if (flen > len - off - 4)
			return v6_err_set(err, -EBADMSG, "field %u overruns the message", tag);
		off += 4 + flen;
		if (tag == 0 || tag > TAG_LAST || !(allowed(m->type) & 1u << tag))
			continue; /* a later version's field, or another message's */
		int want = tag_len(tag);
		if (want >= 0 ? (int)flen != want
			      : want == -1 ? flen > TB_TEXT_MAX : flen < 1 || flen > TB_CC_MAX)
			return v6_err_set(err, -EBADMSG, "field %u has bad length %u", tag, flen);
		bool repeated = tag == TAG_PORT || tag == TAG_STATS;
		if (!repeated && (seen & 1u << tag))
			return v6_err_set(err, -EBADMSG, "field %u repeated", tag);
		seen |= 1u << tag;
		switch (tag) {
		case TAG_PROTO: m->proto = get32(v); break;
		case TAG_STREAMS: m->streams = get32(v); break;
		case TAG_DURATION: m->duration_ms = get32(v); break;
		case TAG_FLAGS: m->flags = get32(v); break;
		case TAG_LEN: m->len = get32(v); break;
		case TAG_WINDOW: m->window = get32(v); break;
		case TAG_RATE: m->rate_bps = get64(v); break;
		case TAG_COOKIE: m->cookie = get64(v); break;
		case TAG_CODE:
			m->code = get32(v);
			if (m->code < 1 || m->code > TB_ERR_MAX)
				return v6_err_set(err, -EBADMSG, "bad error code %u", m->code);
			break;
		case TAG_TOS: m->tos = get32(v); break;
		case TAG_OMIT: m->omit_ms = get32(v); break;
		case TAG_CC:
			memcpy(m->cc, v, flen);
			m->cc[flen] = 0;
			if (!tb_cc_name_ok(m->cc))
				return v6_err_set(err, -EBADMSG, "bad congestion control name");
			break;
		case TAG_NONCE: memcpy(m->nonce, v, TB_NONCE_LEN); break;
		case TAG_AUTH: memcpy(m->auth, v, TB_AUTH_LEN); break;
		case TAG_CPU:
			m->has_cpu = true;
			m->cpu.user_cp = get32(v);
			m->cpu.system_cp = get32(v + 4);
			m->cpu.machine_cp = get32(v + 8);
			m->cpu.ncpus = get32(v + 12);
			if (m->cpu.user_cp > TB_CPU_MAX || m->cpu.system_cp > TB_CPU_MAX ||
			    m->cpu.machine_cp > 10000 || m->cpu.ncpus > 100000)
				return v6_err_set(err, -EBADMSG, "CPU figures out of range");
			break;
		case TAG_PORT: {
			uint32_t p = get32(v);
			if (m->nports >= TB_STREAMS_MAX)
				return v6_err_set(err, -EBADMSG, "more than %u ports", TB_STREAMS_MAX);
			if (p < 1 || p > 65535)
				return v6_err_set(err, -EBADMSG, "bad port %u", p);
			m->ports[m->nports++] = (uint16_t)p;
			break;
		}
		case TAG_TEXT:
			if (!printable(v, flen))
				return v6_err_set(err, -EBADMSG, "text field is not printable");
			memcpy(m->text, v, flen);
			m->text[flen] = 0;
			break;
		case TAG_STATS:
			if (m->nstats >= TB_STREAMS_MAX)
				return v6_err_set(err, -EBADMSG, "more than %u stream figures",
						  TB_STREAMS_MAX);
			stats_decode(v, &m->stats[m->nstats]);
			if (stats_check(&m->stats[m->nstats++], err) < 0)
				return -EBADMSG;
			break;
		}
	}
	if ((seen & required(m->type)) != required(m->type))
		return v6_err_set(err, -EBADMSG, "%s lacks a required field", tb_msg_type_name(m->type));
	if (m->type == TB_MSG_HELLO)
		return hello_check(m, err) < 0 ? -EBADMSG : 0;
	return 0;
}

/* ---- data framing ---------------------------------------------------- */

enum tb_server_kind tb_server_greeting_classify(const uint8_t *buf, size_t len)
{
	if (len < 1)
		return TB_SERVER_MORE;
	if (buf[0] != TB_MAGIC0) {
		bool iperf3 = buf[0] == TB_IPERF3_PARAM_EXCHANGE || buf[0] == TB_IPERF3_ACCESS_DENIED ||
			      buf[0] == TB_IPERF3_SERVER_ERROR;
		return iperf3 ? TB_SERVER_IPERF3 : TB_SERVER_FOREIGN;
	}
	if (len < 2)
		return TB_SERVER_MORE;
	return buf[1] == TB_MAGIC1 ? TB_SERVER_TUNBENCH : TB_SERVER_FOREIGN;
}

void tb_greeting_encode(uint8_t *buf, uint64_t cookie, uint32_t stream)
{
	buf[0] = 'T';
	buf[1] = 'B';
	buf[2] = 'D';
	buf[3] = TB_PROTO_VERSION;
	put64(buf + 4, cookie);
	put32(buf + 12, stream);
}

int tb_greeting_decode(const uint8_t *buf, uint64_t cookie, uint32_t nstreams, uint32_t *stream)
{
	if (buf[0] != 'T' || buf[1] != 'B' || buf[2] != 'D' || buf[3] != TB_PROTO_VERSION ||
	    get64(buf + 4) != cookie)
		return -EBADMSG;
	*stream = get32(buf + 12);
	return *stream < nstreams ? 0 : -EBADMSG;
}

void tb_udp_hdr_encode(uint8_t *buf, const struct tb_udp_hdr *h)
{
	put64(buf, h->cookie);
	put64(buf + 8, h->seq);
	put64(buf + 16, h->send_ns);
	put32(buf + 24, h->stream);
	put32(buf + 28, h->kind);
}

int tb_udp_hdr_decode(const uint8_t *buf, size_t len, struct tb_udp_hdr *h)
{
	if (len < TB_UDP_HDR_LEN)
		return -EBADMSG;
	h->cookie = get64(buf);
	h->seq = get64(buf + 8);
	h->send_ns = get64(buf + 16);
	h->stream = get32(buf + 24);
	h->kind = get32(buf + 28);
	return h->kind <= TB_UDP_HELLO ? 0 : -EBADMSG;
}

void tb_udp_pace(uint32_t len, uint64_t rate_bps, double *pkt_ns, unsigned *burst)
{
	/* Decode bounds keep rate_bps <= TB_RATE_MAX and len >= 32, so
	 * pkt_ns >= 0.64 and the burst below fits; clamp before converting
	 * anyway, since a double out of range is undefined as an integer. */
	double ns = (double)len * 8 * 1e9 / (double)(rate_bps ? rate_bps : 1);
	double b = ns > 0 ? 200000.0 / ns : 32;
	*pkt_ns = ns;
	*burst = b < 1 ? 1 : b > 32 ? 32 : (unsigned)b;
}

/* ---- receiver accounting --------------------------------------------- */

void tb_seqtrack_add(struct tb_seqtrack *t, uint64_t seq, uint64_t send_ns, uint64_t recv_ns)
{
	t->received++;
	if (seq < t->next_seq)
		t->out_of_order++; /* arrived after a later one */
	else
		t->next_seq = seq + 1;
	/* RFC 3550 A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si), J += (|D| - J) / 16.
	 * The clocks' offset cancels out in the difference. */
	int64_t transit = (int64_t)(recv_ns - send_ns);
	if (t->have_transit) {
		double d = fabs((double)(transit - t->last_transit_ns));
		t->jitter_ns += (d - t->jitter_ns) / 16.0;
	}
	t->have_transit = true;
	t->last_transit_ns = transit;
}

uint64_t tb_lost(uint64_t sent, uint64_t received)
{
	return sent > received ? sent - received : 0;
}

/* ---- argument parsers ------------------------------------------------ */

static int parse_decimal(const char *s, double *out)
{
	char *end;
	if (!s || !*s || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -EINVAL;
	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || !isfinite(*out))
		return -EINVAL;
	return (int)(end - s);
}

int tb_parse_rate(const char *s, uint64_t *bps, struct v6_err *err)
{
	double v;
	int n = parse_decimal(s, &v);
	double mult = 1;

	if (n < 0)
		goto bad;
	switch (s[n]) {
	case 0: break;
	case 'k': case 'K': mult = 1e3; n++; break;
	case 'm': case 'M': mult = 1e6; n++; break;
	case 'g': case 'G': mult = 1e9; n++; break;
	default: goto bad;
	}
	if (s[n])
		goto bad;
	v *= mult;
	if (v < 1 || v > 400e9)
		goto bad;
	*bps = (uint64_t)v;
	return 0;
bad:
	return v6_err_set(err, -EINVAL, "rate must be 1-400G bits/s (suffix k, m, g): '%s'",
			  s ? s : "");
}

int tb_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out, const char *what,
		  struct v6_err *err)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = s && *s >= '0' && *s <= '9' ? strtoull(s, &end, 10) : 0;
	if (!s || errno || end == s)
		goto bad;
	switch (*end) {
	case 0: break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: goto bad;
	}
	if (*end || v > max >> shift || v << shift < min)
		goto bad;
	*out = v << shift;
	return 0;
bad:
	return v6_err_set(err, -EINVAL, "%s must be %llu-%llu bytes (suffix K, M, G): '%s'", what,
			  (unsigned long long)min, (unsigned long long)max, s ? s : "");
}

int tb_parse_secs(const char *s, uint32_t min_ms, uint32_t max_ms, uint32_t *ms, const char *what,
		  struct v6_err *err)
{
	double v;
	int n = parse_decimal(s, &v);

	if (n < 0 || s[n] || v * 1000 < min_ms || v * 1000 > max_ms)
		return v6_err_set(err, -EINVAL, "%s must be %g-%g seconds: '%s'", what,
				  min_ms / 1000.0, max_ms / 1000.0, s ? s : "");
	*ms = (uint32_t)(v * 1000 + 0.5);
	return 0;
}

int tb_parse_threshold(const char *s, double *rtt_ms, double *loss_pct, const char *what,
		       struct v6_err *err)
{
	const char *orig = s;
	double r, l;
	int n = parse_decimal(s, &r);

	if (n < 0 || s[n] != ',')
		goto bad;
	s += n + 1;
	n = parse_decimal(s, &l);
	if (n < 0 || (s[n] && strcmp(s + n, "%")) || l > 100 || r > 3600e3)
		goto bad;
	*rtt_ms = r;
	*loss_pct = l;
	return 0;
bad:
	return v6_err_set(err, -EINVAL, "%s must be RTT_MS,LOSS%% (e.g. 200,40%%): '%s'", what,
			  orig ? orig : "");
}
