/* SPDX-License-Identifier: GPL-2.0-or-later */
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
		    struct tb_stream *streams, uint32_t n, uint64_t session, uint64_t omit_ns)
{
	bool fwd = false, rev = false;

	memset(r, 0, sizeof(*r));
	r->e = e;
	r->role = role;
	r->udp = udp;
	r->streams = streams;
	r->nstreams = n;
	r->session = session;
	r->omit_ns = omit_ns;
	for (uint32_t i = 0; i < n; i++) {
		fwd |= !streams[i].rev;
		rev |= streams[i].rev;
	}
	r->bidir = fwd && rev;
	r->start_ns = r->last_ns = tb_now_ns();
}

static bool any_udp_rx(const struct tb_report *r)
{
	for (uint32_t i = 0; i < r->nstreams; i++)
		if (r->udp && !r->streams[i].sender)
			return true;
	return false;
}

static void header(struct tb_report *r)
{
	if (r->header_done || v6_emit_json(r->e))
		return;
	r->header_done = true;
	if (r->session) /* the server: which client these lines are about */
		fprintf(r->e->out, "session %llu:\n", (unsigned long long)r->session);
	fprintf(r->e->out, "[ ID]%s Interval       Transfer     Bandwidth%s\n",
		r->bidir ? "[Role]" : "",
		any_udp_rx(r) ? "         Jitter   Lost/Total Datagrams" : "");
}

/* "[TX-C]": this end transmits, and this end is the client (iperf3). */
static const char *role_tag(const struct tb_report *r, bool sender)
{
	bool client = !strcmp(r->role, "client");
	if (!r->bidir)
		return "";
	return sender ? (client ? "[TX-C]" : "[TX-S]") : (client ? "[RX-C]" : "[RX-S]");
}

/* Per-interval UDP receiver figures (iperf2 prints them on its server). */
struct udp_iv {
	uint64_t packets, lost;
	double jitter_ms;
};

static void line(struct tb_report *r, const char *id, double t0, double t1, uint64_t bytes,
		 const char *json_key, bool sender, bool omitted, const struct udp_iv *u)
{
	char b[32], bits[32], idbuf[16];
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
		v6_emit_bool(r->e, "sender", NULL, sender);
		if (omitted)
			v6_emit_bool(r->e, "omitted", NULL, true);
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
	fprintf(r->e->out, "[%s]%s %5.2f-%5.2f sec  %s  %s", idbuf, role_tag(r, sender), t0, t1, b,
		bits);
	if (u)
		fprintf(r->e->out, "  %6.3f ms  %llu/%llu (%.2g%%)", u->jitter_ms,
			(unsigned long long)u->lost, (unsigned long long)expected, pct);
	fputs(omitted ? "  (omitted)\n" : "\n", r->e->out);
}

void tb_report_interval(struct tb_report *r, uint64_t now_ns)
{
	double t0 = (double)(r->last_ns - r->start_ns) / 1e9, t1 = (double)(now_ns - r->start_ns) / 1e9;
	uint64_t sum[2] = { 0, 0 };
	struct udp_iv usum[2] = { { 0 }, { 0 } }, u;
	bool sender_of[2] = { false, false }, udp_rx_of[2] = { false, false };
	bool omitted = r->omit_ns && now_ns <= r->start_ns + r->omit_ns;
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
		bool udp_rx = r->udp && !s->sender;
		int d = r->bidir && s->rev;
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
			usum[d].packets += u.packets;
			usum[d].lost += u.lost;
			if (u.jitter_ms > usum[d].jitter_ms)
				usum[d].jitter_ms = u.jitter_ms;
		}
		line(r, id, t0, t1, b - r->last_bytes[i], NULL, s->sender, omitted,
		     udp_rx ? &u : NULL);
		sum[d] += b - r->last_bytes[i];
		sender_of[d] = s->sender;
		udp_rx_of[d] = udp_rx;
		r->last_bytes[i] = b;
	}
	v6_emit_array_close(r->e);
	if (r->nstreams > 1 || v6_emit_json(r->e))
		for (int d = 0; d < (r->bidir ? 2 : 1); d++)
			line(r, "SUM", t0, t1, sum[d], d ? "sum_bidir_reverse" : "sum", sender_of[d],
			     omitted, udp_rx_of[d] ? &usum[d] : NULL);
	v6_emit_object_close(r->e);
	v6_emit_end(r->e);
	fflush(r->e->out);
	funlockfile(r->e->out);
	r->last_ns = now_ns;
}

static double secs_of(const struct tb_stats *s) { return (double)s->duration_ns / 1e9; }

/* One side's figures: "sender" or "receiver". */
static void side(struct tb_report *r, const char *key, const struct tb_stats *s, bool sent,
		 uint32_t id, bool this_end_sends)
{
	char b[32], bits[32], idbuf[16];
	double secs = secs_of(s), t0 = (double)r->omit_ns / 1e9;

	if (v6_emit_json(r->e)) {
		v6_emit_object_open(r->e, key);
		v6_emit_double(r->e, "start", NULL, t0);
		v6_emit_double(r->e, "end", NULL, t0 + secs);
		v6_emit_double(r->e, "seconds", NULL, secs);
		v6_emit_u64(r->e, "bytes", NULL, s->bytes);
		v6_emit_double(r->e, "bits_per_second", NULL, rate(s->bytes, secs));
		if (sent && !r->udp)
			v6_emit_u64(r->e, "retransmits", NULL, s->retransmits);
		if (r->udp)
			v6_emit_u64(r->e, "packets", NULL, s->packets);
		v6_emit_bool(r->e, "sender", NULL, sent);
		v6_emit_object_close(r->e);
		return;
	}
	if (id)
		snprintf(idbuf, sizeof(idbuf), "%3u", id);
	else
		snprintf(idbuf, sizeof(idbuf), "SUM");
	tb_format_bytes((double)s->bytes, b, sizeof(b));
	tb_format_bits(rate(s->bytes, secs), bits, sizeof(bits));
	fprintf(r->e->out, "[%s]%s %5.2f-%5.2f sec  %s  %s", idbuf, role_tag(r, this_end_sends), t0,
		t0 + secs, b, bits);
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

/* Sums per direction: [0] client -> server (or the only direction), [1]
 * server -> client in a bidirectional test. */
static void sums(const struct tb_report *r, const struct tb_stats *sent,
		 const struct tb_stats *received, uint32_t n, struct tb_stats ss[2],
		 struct tb_stats rs[2])
{
	memset(ss, 0, 2 * sizeof(*ss));
	memset(rs, 0, 2 * sizeof(*rs));
	for (uint32_t i = 0; i < n; i++) {
		int d = r->bidir && r->streams[i].rev;
		add_stats(&ss[d], &sent[i]);
		add_stats(&rs[d], &received[i]);
	}
}

static double pct(uint32_t cp) { return cp / 100.0; }

/* iperf3's cpu_utilization_percent (host = this end), and the machines'
 * busy share, the figure that tells whether a small box kept up. */
static void cpu_figures(struct tb_report *r, const struct tb_cpu *l, const struct tb_cpu *rm)
{
	v6_emit_object_open(r->e, "cpu_utilization_percent");
	v6_emit_double(r->e, "host_total", "CPU: this end %.1f%%",
		       pct(l->user_cp + l->system_cp));
	v6_emit_double(r->e, "host_user", " (user %.1f%%", pct(l->user_cp));
	v6_emit_double(r->e, "host_system", ", system %.1f%%)", pct(l->system_cp));
	v6_emit_double(r->e, "host_machine_busy", ", machine %.1f%% busy", pct(l->machine_cp));
	v6_emit_u64(r->e, "host_cpus", " of %llu CPUs", l->ncpus);
	if (rm) {
		v6_emit_double(r->e, "remote_total", "; remote end %.1f%%",
			       pct(rm->user_cp + rm->system_cp));
		v6_emit_double(r->e, "remote_user", " (user %.1f%%", pct(rm->user_cp));
		v6_emit_double(r->e, "remote_system", ", system %.1f%%)", pct(rm->system_cp));
		v6_emit_double(r->e, "remote_machine_busy", ", machine %.1f%% busy",
			       pct(rm->machine_cp));
		v6_emit_u64(r->e, "remote_cpus", " of %llu CPUs", rm->ncpus);
	}
	v6_emit_object_close(r->e);
	if (!v6_emit_json(r->e))
		fputc('\n', r->e->out);
}

const char *tb_write_limit(const struct tb_stream *streams, uint32_t n, const struct tb_cpu *cpu)
{
	double disk = 0, thread = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct tb_stream *s = &streams[i];
		double d = (double)s->st.duration_ns;
		if (s->write_fd < 0 || d <= 0)
			continue;
		if ((double)s->st.write_ns / d > disk)
			disk = (double)s->st.write_ns / d;
		if ((double)s->thread_cpu_ns / d > thread)
			thread = (double)s->thread_cpu_ns / d;
	}
	/* A receiver that spends half its time in write() waits for the
	 * disk; one whose thread (or the machine) is nearly always on a CPU
	 * is held by the CPU; otherwise data did not come faster. */
	if (disk >= 0.5)
		return "disk";
	if (thread >= 0.85 || (cpu && cpu->machine_cp >= 9000))
		return "cpu";
	return "network";
}

static void write_figures(struct tb_report *r, const struct tb_stats *rs, const struct tb_cpu *cpu)
{
	double wsecs = (double)rs->write_ns / 1e9, disk = rate(rs->write_bytes, wsecs);
	double net = rate(rs->bytes, secs_of(rs));
	bool nosync = false;
	char db[32], nb[32];

	for (uint32_t i = 0; i < r->nstreams; i++)
		nosync |= r->streams[i].write_fd >= 0 && r->streams[i].write_nosync;
	v6_emit_object_open(r->e, "write");
	v6_emit_u64(r->e, "bytes", "disk: wrote %llu bytes", rs->write_bytes);
	v6_emit_double(r->e, "seconds", nosync ? " in %.3f s (write, no sync: a device or pipe)"
					       : " in %.3f s (write and fdatasync)", wsecs);
	v6_emit_bool(r->e, "synced", NULL, !nosync);
	v6_emit_double(r->e, "bits_per_second", NULL, disk);
	v6_emit_double(r->e, "network_bits_per_second", NULL, net);
	const char *limit = tb_write_limit(r->streams, r->nstreams, cpu);
	v6_emit_str(r->e, "limit", NULL, limit);
	v6_emit_object_close(r->e);
	if (!v6_emit_json(r->e)) {
		tb_format_bits(disk, db, sizeof(db));
		tb_format_bits(net, nb, sizeof(nb));
		fprintf(r->e->out, ": disk %s, network %s, limited by the %s\n", db, nb, limit);
	}
}

void tb_report_summary(struct tb_report *r, const struct tb_stats *sent,
		       const struct tb_stats *received, uint32_t n, bool wrote,
		       const struct tb_cpu *local, const struct tb_cpu *remote)
{
	struct tb_stats ss[2], rs[2];
	char line_id[16];
	static const char *keys[2][2] = { { "sum_sent", "sum_received" },
					  { "sum_sent_bidir_reverse", "sum_received_bidir_reverse" } };

	flockfile(r->e->out);
	if (!v6_emit_json(r->e)) {
		if (r->session)
			fprintf(r->e->out, "session %llu summary:\n", (unsigned long long)r->session);
		fprintf(r->e->out, "[ ID]%s Interval       Transfer     Bandwidth         Retr\n",
			r->bidir ? "[Role]" : "");
	}
	v6_emit_object_open(r->e, NULL);
	v6_emit_str(r->e, "event", NULL, "summary");
	v6_emit_str(r->e, "role", NULL, r->role);
	if (r->session)
		v6_emit_u64(r->e, "session", NULL, r->session);
	v6_emit_str(r->e, "protocol", NULL, r->udp ? "udp" : "tcp");
	v6_emit_u64(r->e, "num_streams", NULL, r->bidir ? n / 2 : n);
	v6_emit_bool(r->e, "bidir", NULL, r->bidir);
	v6_emit_double(r->e, "omit", NULL, (double)r->omit_ns / 1e9);
	v6_emit_array_open(r->e, "streams");
	for (uint32_t i = 0; i < n; i++) {
		bool mine = r->streams[i].sender;
		v6_emit_object_open(r->e, NULL);
		v6_emit_u64(r->e, "id", NULL, i + 1);
		v6_emit_bool(r->e, "bidir_reverse", NULL, r->bidir && r->streams[i].rev);
		side(r, "sender", &sent[i], true, i + 1, mine);
		side(r, "receiver", &received[i], false, i + 1, mine);
		if (r->udp) {
			snprintf(line_id, sizeof(line_id), "[%3u]", i + 1);
			v6_emit_text(r->e, line_id);
			udp_figures(r, "udp", &sent[i], &received[i]);
		}
		v6_emit_object_close(r->e);
	}
	v6_emit_array_close(r->e);
	sums(r, sent, received, n, ss, rs);
	for (int d = 0; d < (r->bidir ? 2 : 1); d++) {
		bool mine = false;
		for (uint32_t i = 0; i < n; i++)
			if ((r->bidir && r->streams[i].rev) == d)
				mine = r->streams[i].sender;
		if (n > 1 || v6_emit_json(r->e)) {
			side(r, keys[d][0], &ss[d], true, 0, mine);
			side(r, keys[d][1], &rs[d], false, 0, mine);
		}
		if (r->udp) {
			v6_emit_text(r->e, "[SUM]");
			udp_figures(r, d ? "sum_bidir_reverse" : "sum", &ss[d], &rs[d]);
		}
	}
	if (r->bidir) {
		struct tb_stats both = rs[0];
		add_stats(&both, &rs[1]);
		char b[32];
		double bps = rate(both.bytes, secs_of(&both));
		v6_emit_object_open(r->e, "sum_bidir");
		v6_emit_u64(r->e, "bytes", NULL, both.bytes);
		v6_emit_double(r->e, "bits_per_second", NULL, bps);
		v6_emit_object_close(r->e);
		if (!v6_emit_json(r->e)) {
			tb_format_bits(bps, b, sizeof(b));
			fprintf(r->e->out, "both directions: %s received\n", b);
		}
	}
	if (local)
		cpu_figures(r, local, remote);
	if (wrote) {
		struct tb_stats w = { 0 };
		for (uint32_t i = 0; i < n; i++)
			if (r->streams[i].write_fd >= 0)
				add_stats(&w, &received[i]);
		write_figures(r, &w, local);
	}
	v6_emit_object_close(r->e);
	v6_emit_end(r->e);
	fflush(r->e->out);
	funlockfile(r->e->out);
}

void tb_report_final(struct tb_report *r, const struct tb_stats *sent,
		     const struct tb_stats *received, uint32_t n, const char *write_target,
		     const struct tb_cpu *local, const struct tb_cpu *remote)
{
	struct tb_stats ss[2], rs[2], w = { 0 };
	char b[32];
	double up = 0, down = 0;

	(void)sent;
	sums(r, sent, received, n, ss, rs);
	/* Each direction as its receiver counted it. */
	if (r->bidir) {
		up = rate(rs[0].bytes, secs_of(&rs[0]));
		down = rate(rs[1].bytes, secs_of(&rs[1]));
	} else if (n && r->streams[0].rev) {
		down = rate(rs[0].bytes, secs_of(&rs[0]));
	} else {
		up = rate(rs[0].bytes, secs_of(&rs[0]));
	}
	flockfile(r->e->out);
	if (!v6_emit_json(r->e))
		fputs("---- result ----\n", r->e->out);
	v6_emit_object_open(r->e, NULL);
	v6_emit_str(r->e, "event", NULL, "final");
	bool has_up = r->bidir || !(n && r->streams[0].rev), has_down = r->bidir || !has_up;
	if (has_up) {
		tb_format_bits(up, b, sizeof(b));
		v6_emit_double(r->e, "upload_bits_per_second", NULL, up);
		if (!v6_emit_json(r->e))
			fprintf(r->e->out, "upload   (client -> server): %s\n", b);
	}
	if (has_down) {
		tb_format_bits(down, b, sizeof(b));
		v6_emit_double(r->e, "download_bits_per_second", NULL, down);
		if (!v6_emit_json(r->e))
			fprintf(r->e->out, "download (server -> client): %s\n", b);
	}
	if (r->bidir) {
		tb_format_bits(up + down, b, sizeof(b));
		v6_emit_double(r->e, "total_bits_per_second", NULL, up + down);
		if (!v6_emit_json(r->e))
			fprintf(r->e->out, "sum of both directions:      %s\n", b);
	}
	snprintf(b, sizeof(b), "%.1f%%", pct(local->user_cp + local->system_cp));
	v6_emit_double(r->e, "client_cpu_percent", NULL, pct(local->user_cp + local->system_cp));
	v6_emit_double(r->e, "client_machine_busy_percent", NULL, pct(local->machine_cp));
	if (!v6_emit_json(r->e))
		fprintf(r->e->out, "client CPU: tunbench %s, machine %.1f%% busy (%u CPUs)\n", b,
			pct(local->machine_cp), local->ncpus);
	if (remote) {
		v6_emit_double(r->e, "server_cpu_percent", NULL,
			       pct(remote->user_cp + remote->system_cp));
		v6_emit_double(r->e, "server_machine_busy_percent", NULL, pct(remote->machine_cp));
		if (!v6_emit_json(r->e))
			fprintf(r->e->out, "server CPU: tunbench %.1f%%, machine %.1f%% busy (%u CPUs)\n",
				pct(remote->user_cp + remote->system_cp), pct(remote->machine_cp),
				remote->ncpus);
	}
	if (write_target) {
		for (uint32_t i = 0; i < n; i++)
			if (r->streams[i].write_fd >= 0)
				add_stats(&w, &received[i]);
		double disk = rate(w.write_bytes, (double)w.write_ns / 1e9);
		const char *limit = tb_write_limit(r->streams, n, local);
		v6_emit_double(r->e, "write_bits_per_second", NULL, disk);
		v6_emit_str(r->e, "write_limit", NULL, limit);
		tb_format_bits(disk, b, sizeof(b));
		if (!v6_emit_json(r->e))
			fprintf(r->e->out, "disk (%s): %s, limited by the %s\n", write_target, b, limit);
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
