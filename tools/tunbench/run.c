/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One test once its data streams are connected, the same for client and
 * server: run the streams, print intervals, exchange END and RESULTS on
 * the control connection, print the summary. */
#include "tunbench.h"
#include "run.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

static bool all_done(const struct tb_run *r)
{
	for (uint32_t i = 0; i < r->n; i++)
		if (!atomic_load(&r->streams[i].done))
			return false;
	return true;
}

static void stop_all(struct tb_run *r)
{
	atomic_store(&r->stop, true);
	for (uint32_t i = 0; i < r->n; i++)
		tb_stream_join(&r->streams[i]);
}

static int fail(struct tb_run *r, int rc, const char *fmt, const char *detail)
{
	snprintf(r->err, sizeof(r->err), fmt, detail);
	stop_all(r);
	return rc;
}

/* A stream that failed (a write to disk, a reset) fails the test: the
 * peer hears it as an ERROR instead of figures that look fine. */
static int stream_failure(struct tb_run *r)
{
	for (uint32_t i = 0; i < r->n; i++)
		if (r->streams[i].error)
			return fail(r, r->streams[i].error, "%s", r->streams[i].errmsg);
	return 0;
}

/* Wait for the control connection to be readable, at most until the next
 * interval tick; prints intervals as they fall due.  1: readable. */
static int tick(struct tb_run *r, struct tb_report *rep, uint64_t *next_tick)
{
	uint64_t now = tb_now_ns(), wait_ns = 100000000u;

	if (r->interval_ms && now >= *next_tick) {
		tb_report_interval(rep, now);
		*next_tick += (uint64_t)r->interval_ms * 1000000;
		if (*next_tick < now)
			*next_tick = now + (uint64_t)r->interval_ms * 1000000;
	}
	if (r->interval_ms && *next_tick - now < wait_ns)
		wait_ns = *next_tick > now ? *next_tick - now : 0;
	struct pollfd p = { .fd = r->ctl, .events = POLLIN };
	int rc = poll(&p, 1, (int)(wait_ns / 1000000) + 1);
	return rc > 0 ? 1 : 0;
}

static void final_interval(struct tb_run *r, struct tb_report *rep)
{
	uint64_t now = tb_now_ns(), moved = 0;
	for (uint32_t i = 0; i < r->n; i++)
		moved += atomic_load(&r->streams[i].live_bytes) - rep->last_bytes[i];
	/* The tail since the last tick, unless nothing moved in it or it is
	 * a sliver (a rate over a few ms of shutdown says nothing). */
	if (r->interval_ms && moved && now - rep->last_ns > (uint64_t)r->interval_ms * 200000)
		tb_report_interval(rep, now);
}

static bool senders_done(const struct tb_run *r)
{
	for (uint32_t i = 0; i < r->n; i++)
		if (r->streams[i].sender && !atomic_load(&r->streams[i].done))
			return false;
	return true;
}

/* END from this end carries the figures of the streams it sends, RESULTS
 * those of the streams it receives; both carry its CPU so far. */
static int send_figures(struct tb_run *r, uint8_t type, const struct tb_cpu_mark *m0)
{
	struct tb_cpu_mark m1;
	struct v6_err err;
	int rc;

	tb_cpu_mark(&m1);
	tb_cpu_since(m0, &m1, &r->cpu_local);
	memset(&r->msg, 0, sizeof(r->msg));
	r->msg.type = type;
	r->msg.nstats = r->n;
	for (uint32_t i = 0; i < r->n; i++)
		if (r->streams[i].sender == (type == TB_MSG_END))
			r->msg.stats[i] = r->streams[i].st;
	r->msg.has_cpu = true;
	r->msg.cpu = r->cpu_local;
	if ((rc = tb_ctl_send(r->ctl, &r->msg, &err)) < 0)
		return fail(r, rc, "%s", err.msg);
	return 0;
}

static void take_cpu(struct tb_run *r)
{
	if (r->msg.has_cpu) {
		r->cpu_remote = r->msg.cpu;
		r->have_remote_cpu = true;
	}
}

/* Both ends run the same steps; in one direction one of them has nothing
 * to do at each step.  Each end sends END when its senders finish and
 * RESULTS once the peer's END came and its receivers drained, so neither
 * waits for the other in a circle:
 *   senders done -> END;  peer's END -> drain -> RESULTS;  peer's RESULTS. */
int tb_run_test(struct tb_run *r)
{
	struct tb_report rep;
	struct tb_cpu_mark m0;
	struct v6_err err;
	uint64_t start = tb_now_ns(), next_tick;
	bool we_send = false, we_recv = false, sent_end = false, peer_end = false;
	int rc;

	tb_cpu_mark(&m0);
	atomic_store(&r->stop, false);
	for (uint32_t i = 0; i < r->n; i++) {
		r->streams[i].stop = &r->stop;
		r->streams[i].start_ns = start;
		we_send |= r->streams[i].sender;
		we_recv |= !r->streams[i].sender;
	}
	for (uint32_t i = 0; i < r->n; i++)
		if ((rc = tb_stream_start(&r->streams[i])) < 0)
			return fail(r, rc, "%s", r->streams[i].errmsg);
	tb_report_init(&rep, r->e, r->role, r->udp, r->streams, r->n, r->session, r->omit_ns);
	next_tick = start + (uint64_t)r->interval_ms * 1000000;

	uint64_t deadline = start + r->duration_ns + (uint64_t)TB_GRACE_MS * 1000000;
	while (!(sent_end || !we_send) || !(peer_end || !we_recv)) {
		if (we_send && !sent_end && senders_done(r)) {
			if ((rc = stream_failure(r)) < 0)
				return rc;
			if ((rc = send_figures(r, TB_MSG_END, &m0)) < 0)
				return rc;
			sent_end = true;
			continue;
		}
		if (tb_now_ns() > deadline)
			return fail(r, -ETIMEDOUT, "%s", "the sender never finished");
		if (!tick(r, &rep, &next_tick))
			continue;
		rc = tb_ctl_recv(r->ctl, &r->msg, 1000, &err);
		if (rc < 0)
			return fail(r, rc, "peer: %s", err.msg);
		if (r->msg.type == TB_MSG_ERROR)
			return fail(r, -ECONNABORTED, "peer aborted: %s", r->msg.text);
		if (r->msg.type != TB_MSG_END || !we_recv || peer_end || r->msg.nstats != r->n)
			return fail(r, -EPROTO, "%s", "peer sent an unexpected message");
		for (uint32_t i = 0; i < r->n; i++)
			if (!r->streams[i].sender)
				r->sent[i] = r->msg.stats[i];
		take_cpu(r);
		peer_end = true;
	}
	if (we_recv) {
		/* TCP ends with EOF right behind END; UDP stragglers get a
		 * moment (a lost FIN must not hang us). */
		uint64_t drain = tb_now_ns() + (r->udp ? 1000000000u : (uint64_t)TB_GRACE_MS * 1000000);
		while (!all_done(r) && tb_now_ns() < drain) {
			struct pollfd p = { .fd = -1 };
			poll(&p, 0, 10);
		}
	}
	stop_all(r);
	final_interval(r, &rep);
	if ((rc = stream_failure(r)) < 0)
		return rc;
	for (uint32_t i = 0; i < r->n; i++) {
		struct tb_stream *s = &r->streams[i];
		if (s->sender) {
			r->sent[i] = s->st;
		} else {
			s->st.lost = tb_lost(r->sent[i].packets, s->st.packets);
			r->received[i] = s->st;
		}
	}
	if (we_recv && (rc = send_figures(r, TB_MSG_RESULTS, &m0)) < 0)
		return rc;
	if (we_send) {
		if ((rc = tb_ctl_recv(r->ctl, &r->msg, TB_GRACE_MS, &err)) < 0)
			return fail(r, rc, "waiting for results: %s", err.msg);
		if (r->msg.type == TB_MSG_ERROR)
			return fail(r, -ECONNABORTED, "peer: %s", r->msg.text);
		if (r->msg.type != TB_MSG_RESULTS || r->msg.nstats != r->n)
			return fail(r, -EPROTO, "%s", "peer sent malformed results");
		for (uint32_t i = 0; i < r->n; i++)
			if (r->streams[i].sender)
				r->received[i] = r->msg.stats[i];
		take_cpu(r);
	}
	tb_report_summary(&rep, r->sent, r->received, r->n, r->wrote, &r->cpu_local,
			  r->have_remote_cpu ? &r->cpu_remote : NULL);
	if (r->final_block)
		tb_report_final(&rep, r->sent, r->received, r->n, r->wrote ? r->write_target : NULL,
				&r->cpu_local, r->have_remote_cpu ? &r->cpu_remote : NULL);
	return 0;
}
