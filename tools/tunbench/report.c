/* Output: iperf2-style lines for people, NDJSON with iperf3's field names
 * for scripts, each field written once through lib's emitter. */
#include "tunbench.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tb_format_bytes(double bytes, char *buf, size_t len)
{
	static const char *unit[] = { "Bytes", "KBytes", "MBytes", "GBytes", "TBytes" };
	int u = 0;
	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%6.*f %s", bytes < 10 && u ? 2 : 1, bytes, unit[u]);
}

void tb_format_bits(double bps, char *buf, size_t len)
{
	static const char *unit[] = { "bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec",
				      "Tbits/sec" };
	int u = 0;
	while (bps >= 1000 && u < 4) {
		bps /= 1000;
		u++;
	}
	snprintf(buf, len, "%6.*f %s", bps < 10 ? 2 : 1, bps, unit[u]);
}

static double rate(uint64_t bytes, double secs)
{
	return secs > 0 ? (double)bytes * 8 / secs : 0;
}

void tb_report_init(struct tb_report *r, struct v6_emit *e, const char *role, bool udp,
		    bool sender, struct tb_stream *streams, uint32_t n, uint64_t session)
{
	memset(r, 0, sizeof(*r));
	r->e = e;
	r->role = role;
	r->udp = udp;
	r->sender = sender;
	r->streams = streams;
	r->nstreams = n;
	r->session = session;
	r->start_ns = r->last_ns = tb_now_ns();
}

static void header(struct tb_report *r)
{
	if (r->header_done || v6_emit_json(r->e))
		return;
	r->header_done = true;
	if (r->session) /* the server: which client these lines are about */
		fprintf(r->e->out, "session %llu:\n", (unsigned long long)r->session);
	fprintf(r->e->out, "[ ID] Interval       Transfer     Bandwidth%s\n",
		r->udp && !r->sender ? "         Jitter   Lost/Total Datagrams" : "");
}

/* Per-interval UDP receiver figures (iperf2 prints them on its server). */
struct udp_iv {
	uint64_t packets, lost;
	double jitter_ms;
};

static void line(struct tb_report *r, const char *id, double t0, double t1, uint64_t bytes,
		 const char *json_key, const struct udp_iv *u)
{
	char b[32], bits[32], idbuf[8];
	double secs = t1 - t0;
	uint64_t expected = u ? u->packets + u->lost : 0;
	double pct = expected ? 100.0 * (double)u->lost / (double)expected : 0;

	if (v6_emit_json(r->e)) {
		v6_emit_object_open(r->e, json_key);
		if (strcmp(id, "SUM"))
			v6_emit_u64(r->e, "id", NULL, (uint64_t)atoi(id));
		v6_emit_double(r->e, "start", NULL, t0);
		v6_emit_double(r->e, "end", NULL, t1);
		v6_emit_double(r->e, "seconds", NULL, secs);
		v6_emit_u64(r->e, "bytes", NULL, bytes);
		v6_emit_double(r->e, "bits_per_second", NULL, rate(bytes, secs));
		v6_emit_bool(r->e, "sender", NULL, r->sender);
		if (u) {
			v6_emit_double(r->e, "jitter_ms", NULL, u->jitter_ms);
			v6_emit_u64(r->e, "lost_packets", NULL, u->lost);
			v6_emit_u64(r->e, "packets", NULL, expected);
			v6_emit_double(r->e, "lost_percent", NULL, pct);
		}
		v6_emit_object_close(r->e);
		return;
	}
	tb_format_bytes((double)bytes, b, sizeof(b));
	tb_format_bits(rate(bytes, secs), bits, sizeof(bits));
	snprintf(idbuf, sizeof(idbuf), "%3s", id);
	fprintf(r->e->out, "[%s] %5.2f-%5.2f sec  %s  %s", idbuf, t0, t1, b, bits);
	if (u)
		fprintf(r->e->out, "  %6.3f ms  %llu/%llu (%.2g%%)", u->jitter_ms,
			(unsigned long long)u->lost, (unsigned long long)expected, pct);
	fputc('\n', r->e->out);
}

void tb_report_interval(struct tb_report *r, uint64_t now_ns)
{
	double t0 = (double)(r->last_ns - r->start_ns) / 1e9, t1 = (double)(now_ns - r->start_ns) / 1e9;
	uint64_t sum = 0;
	struct udp_iv usum = { 0 }, u;
	bool udp_rx = r->udp && !r->sender;
	char id[12];

	if (now_ns <= r->last_ns)
		return;
	/* Concurrent sessions print whole reports, never interleaved. */
	flockfile(r->e->out);
	header(r);
	v6_emit_object_open(r->e, NULL);
	v6_emit_str(r->e, "event", NULL, "interval");
	v6_emit_str(r->e, "role", NULL, r->role);
	if (r->session)
		v6_emit_u64(r->e, "session", NULL, r->session);
	v6_emit_array_open(r->e, "streams");
	for (uint32_t i = 0; i < r->nstreams; i++) {
		struct tb_stream *s = &r->streams[i];
		uint64_t b = atomic_load_explicit(&s->live_bytes, memory_order_relaxed);
		snprintf(id, sizeof(id), "%u", i + 1);
		if (udp_rx) {
			/* Lost in this interval: sequence numbers it advanced over
			 * minus datagrams it brought (late ones count back). */
			uint64_t pk = atomic_load_explicit(&s->live_packets, memory_order_relaxed);
			uint64_t nx = atomic_load_explicit(&s->live_next_seq, memory_order_relaxed);
			uint64_t got = pk - r->last_packets[i], adv = nx - r->last_next[i];
			u.packets = got;
			u.lost = adv > got ? adv - got : 0;
			u.jitter_ms = (double)atomic_load_explicit(&s->live_jitter_ns,
								   memory_order_relaxed) / 1e6;
			r->last_packets[i] = pk;
			r->last_next[i] = nx;
			usum.packets += u.packets;
			usum.lost += u.lost;
			if (u.jitter_ms > usum.jitter_ms)
				usum.jitter_ms = u.jitter_ms;
		}
		line(r, id, t0, t1, b - r->last_bytes[i], NULL, udp_rx ? &u : NULL);
		sum += b - r->last_bytes[i];
		r->last_bytes[i] = b;
	}
	v6_emit_array_close(r->e);
	if (r->nstreams > 1 || v6_emit_json(r->e))
		line(r, "SUM", t0, t1, sum, "sum", udp_rx ? &usum : NULL);
	v6_emit_object_close(r->e);
	v6_emit_end(r->e);
	fflush(r->e->out);
	funlockfile(r->e->out);
	r->last_ns = now_ns;
}

static double secs_of(const struct tb_stats *s) { return (double)s->duration_ns / 1e9; }

/* One side's figures: "sender" or "receiver". */
static void side(struct tb_report *r, const char *key, const struct tb_stats *s, bool sent,
		 uint32_t id)
{
	char b[32], bits[32], idbuf[8];
	double secs = secs_of(s);

	if (v6_emit_json(r->e)) {
		v6_emit_object_open(r->e, key);
		v6_emit_double(r->e, "seconds", NULL, secs);
		v6_emit_u64(r->e, "bytes", NULL, s->bytes);
		v6_emit_double(r->e, "bits_per_second", NULL, rate(s->bytes, secs));
		if (sent && !r->udp)
			v6_emit_u64(r->e, "retransmits", NULL, s->retransmits);
		if (r->udp)
			v6_emit_u64(r->e, "packets", NULL, s->packets);
		v6_emit_object_close(r->e);
		return;
	}
	if (id)
		snprintf(idbuf, sizeof(idbuf), "%3u", id);
	else
		snprintf(idbuf, sizeof(idbuf), "SUM");
	tb_format_bytes((double)s->bytes, b, sizeof(b));
	tb_format_bits(rate(s->bytes, secs), bits, sizeof(bits));
	fprintf(r->e->out, "[%s] %5.2f-%5.2f sec  %s  %s", idbuf, 0.0, secs, b, bits);
	if (sent && !r->udp)
		fprintf(r->e->out, "  %5llu", (unsigned long long)s->retransmits);
	else
		fprintf(r->e->out, "       ");
	fprintf(r->e->out, "  %s\n", sent ? "sender" : "receiver");
}

static void udp_figures(struct tb_report *r, const char *key, const struct tb_stats *sent,
			const struct tb_stats *rcvd)
{
	uint64_t lost = tb_lost(sent->packets, rcvd->packets);
	double pct = sent->packets ? 100.0 * (double)lost / (double)sent->packets : 0;
	double jitter_ms = (double)rcvd->jitter_ns / 1e6;

	v6_emit_object_open(r->e, key);
	v6_emit_double(r->e, "jitter_ms", "  jitter %.3f ms", jitter_ms);
	v6_emit_u64(r->e, "lost_packets", "  lost %llu", lost);
	v6_emit_u64(r->e, "packets", "/%llu", sent->packets);
	v6_emit_double(r->e, "lost_percent", " (%.2g%%)", pct);
	v6_emit_u64(r->e, "out_of_order", "  out-of-order %llu", rcvd->out_of_order);
	double achieved = rate(rcvd->bytes, secs_of(rcvd));
	char bits[32];
	tb_format_bits(achieved, bits, sizeof(bits));
	v6_emit_double(r->e, "bits_per_second", NULL, achieved);
	if (!v6_emit_json(r->e))
		fprintf(r->e->out, "  received at %s\n", bits);
	v6_emit_object_close(r->e);
}

static void add_stats(struct tb_stats *sum, const struct tb_stats *s)
{
	sum->bytes += s->bytes;
	sum->packets += s->packets;
	sum->retransmits += s->retransmits;
	sum->out_of_order += s->out_of_order;
	sum->write_bytes += s->write_bytes;
	if (s->write_ns > sum->write_ns)
		sum->write_ns = s->write_ns;
	if (s->duration_ns > sum->duration_ns)
		sum->duration_ns = s->duration_ns;
	if (s->jitter_ns > sum->jitter_ns)
		sum->jitter_ns = s->jitter_ns; /* worst stream */
}

void tb_report_summary(struct tb_report *r, const struct tb_stats *sent,
		       const struct tb_stats *received, uint32_t n, bool wrote)
{
	struct tb_stats ss = { 0 }, rs = { 0 };
	char line_id[16];

	flockfile(r->e->out);
	if (!v6_emit_json(r->e)) {
		if (r->session)
			fprintf(r->e->out, "session %llu summary:\n", (unsigned long long)r->session);
		fprintf(r->e->out, "[ ID] Interval       Transfer     Bandwidth         Retr\n");
	}
	v6_emit_object_open(r->e, NULL);
	v6_emit_str(r->e, "event", NULL, "summary");
	v6_emit_str(r->e, "role", NULL, r->role);
	if (r->session)
		v6_emit_u64(r->e, "session", NULL, r->session);
	v6_emit_str(r->e, "protocol", NULL, r->udp ? "udp" : "tcp");
	v6_emit_u64(r->e, "num_streams", NULL, n);
	v6_emit_array_open(r->e, "streams");
	for (uint32_t i = 0; i < n; i++) {
		v6_emit_object_open(r->e, NULL);
		v6_emit_u64(r->e, "id", NULL, i + 1);
		side(r, "sender", &sent[i], true, i + 1);
		side(r, "receiver", &received[i], false, i + 1);
		if (r->udp) {
			snprintf(line_id, sizeof(line_id), "[%3u]", i + 1);
			v6_emit_text(r->e, line_id);
			udp_figures(r, "udp", &sent[i], &received[i]);
		}
		v6_emit_object_close(r->e);
		add_stats(&ss, &sent[i]);
		add_stats(&rs, &received[i]);
	}
	v6_emit_array_close(r->e);
	if (n > 1 || v6_emit_json(r->e)) {
		side(r, "sum_sent", &ss, true, 0);
		side(r, "sum_received", &rs, false, 0);
	}
	if (r->udp) {
		v6_emit_text(r->e, "[SUM]");
		udp_figures(r, "sum", &ss, &rs);
	}
	if (wrote) {
		double wsecs = (double)rs.write_ns / 1e9, disk = rate(rs.write_bytes, wsecs);
		double net = rate(rs.bytes, secs_of(&rs));
		char db[32], nb[32];
		v6_emit_object_open(r->e, "write");
		v6_emit_u64(r->e, "bytes", "disk: wrote %llu bytes", rs.write_bytes);
		v6_emit_double(r->e, "seconds", " in %.3f s (write and fdatasync)", wsecs);
		v6_emit_double(r->e, "bits_per_second", NULL, disk);
		v6_emit_double(r->e, "network_bits_per_second", NULL, net);
		v6_emit_object_close(r->e);
		if (!v6_emit_json(r->e)) {
			tb_format_bits(disk, db, sizeof(db));
			tb_format_bits(net, nb, sizeof(nb));
			fprintf(r->e->out, ": disk %s, network %s\n", db, nb);
		}
	}
	v6_emit_object_close(r->e);
	v6_emit_end(r->e);
	fflush(r->e->out);
	funlockfile(r->e->out);
}

void tb_report_error(struct v6_emit *e, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v6_cli_error("%s", msg);
	if (e && v6_emit_json(e)) {
		v6_emit_object_open(e, NULL);
		v6_emit_str(e, "event", NULL, "error");
		v6_emit_str(e, "error", NULL, msg);
		v6_emit_object_close(e);
		v6_emit_end(e);
		fflush(e->out);
	}
}
