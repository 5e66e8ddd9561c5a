/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The data path: one thread per stream, TCP or UDP, sending or receiving.
 * Buffers are allocated once per stream and bounded (TB_STREAM_BUF_MAX),
 * so a server's memory per client has a fixed ceiling. */
#define _GNU_SOURCE
#include "tunbench.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TB_RECV_BUF (256u * 1024)
#define TB_WRITE_BUF (1024u * 1024)
#define TB_RCVLOWAT (256 * 1024)
#define TB_UDP_BATCH 64
#define TB_UDP_RING_MAX (1u << 20) /* receive batch memory per stream */
#define TB_POLL_NS (200u * 1000000) /* how often blocked calls look at stop */

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = TB_POLL_NS / 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void fail(struct tb_stream *s, int rc, const char *what)
{
	if (s->error)
		return;
	s->error = rc;
	snprintf(s->errmsg, sizeof(s->errmsg), "stream %u: %s: %s", s->idx + 1, what,
		 strerror(-rc));
}

static bool stopped(const struct tb_stream *s)
{
	return atomic_load_explicit(s->stop, memory_order_relaxed);
}

/* -O: the figures start once the stream is omit_ns into the test; what
 * came before is remembered and taken off at the end. */
static inline void omit_check(struct tb_stream *s, uint64_t now, uint64_t bytes, uint64_t packets)
{
	if (s->omitted || now < s->start_ns + s->omit_ns)
		return;
	s->omitted = true;
	s->omit_bytes = bytes;
	s->omit_packets = packets;
	s->omit_at_ns = now;
}

static void omit_apply(struct tb_stream *s)
{
	if (!s->omit_ns)
		return;
	if (!s->omitted) { /* ended inside the omitted seconds */
		s->omit_bytes = s->st.bytes;
		s->omit_packets = s->st.packets;
		s->omit_at_ns = s->end_ns;
	}
	s->st.bytes -= s->omit_bytes;
	s->st.packets -= s->omit_packets < s->st.packets ? s->omit_packets : s->st.packets;
	s->start_ns = s->omit_at_ns > s->start_ns ? s->omit_at_ns : s->start_ns;
}

/* --write: every write checked; its time is the disk's, kept apart. */
static int store(struct tb_stream *s, const void *buf, size_t n)
{
	uint64_t t0 = tb_now_ns();
	size_t off = 0;

	/* The server's --max-write counts every stream of the test. */
	if (s->write_used && s->write_cap &&
	    atomic_fetch_add_explicit(s->write_used, n, memory_order_relaxed) + n > s->write_cap) {
		char what[96];
		snprintf(what, sizeof(what), "the server's --max-write of %llu bytes",
			 (unsigned long long)s->write_cap);
		fail(s, -EFBIG, what);
		return -1;
	}

	while (off < n) {
		ssize_t w = write(s->write_fd, (const char *)buf + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail(s, -errno, s->write_path);
			return -1;
		}
		off += (size_t)w;
	}
	s->st.write_bytes += n;
	s->st.write_ns += tb_now_ns() - t0;
	return 0;
}

static void store_finish(struct tb_stream *s)
{
	uint64_t t0 = tb_now_ns();
	/* A device or a pipe has nothing to sync (and /dev/null says EINVAL). */
	if (s->write_fd < 0 || s->error || s->write_nosync)
		return;
	if (fdatasync(s->write_fd) < 0)
		fail(s, -errno, s->write_path);
	s->st.write_ns += tb_now_ns() - t0;
}

static void tcp_send(struct tb_stream *s)
{
	char *buf = malloc(s->len);
	uint64_t deadline = s->start_ns + s->duration_ns, bytes = 0;

	if (!buf) {
		fail(s, -ENOMEM, "buffer");
		return;
	}
	/* The stream is one 64-byte pattern repeated end to end (a short
	 * send resumes where it stopped), so --write files can be checked. */
	for (uint32_t i = 0; i < s->len; i++)
		buf[i] = (char)('0' + i % 64);
	size_t off = 0, span = s->len - s->len % 64 ? s->len - s->len % 64 : s->len;
	for (;;) {
		uint64_t now = tb_now_ns();
		if (stopped(s) || now >= deadline)
			break;
		omit_check(s, now, bytes, 0);
		ssize_t w = send(s->fd, buf + off, span - off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail(s, -errno, "send");
			break;
		}
		off = (off + (size_t)w) % span;
		bytes += (uint64_t)w;
		atomic_store_explicit(&s->live_bytes, bytes, memory_order_relaxed);
	}
	s->end_ns = tb_now_ns();
	s->st.bytes = bytes;

	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	if (getsockopt(s->fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0)
		s->st.retransmits = ti.tcpi_total_retrans;
	shutdown(s->fd, SHUT_WR);
	free(buf);
}

static void tcp_recv(struct tb_stream *s)
{
	/* --write: writes of up to 1 MiB; on tmpfs they moved ~40% more per
	 * receiving thread than 64 KiB ones (see tunbench(1), write size). */
	size_t want = s->write_fd >= 0 ? TB_WRITE_BUF : TB_RECV_BUF;
	size_t cap = s->len > want ? s->len : want;
	char *buf = malloc(cap);
	uint64_t bytes = 0;

	if (!buf) {
		fail(s, -ENOMEM, "buffer");
		return;
	}
	/* Nothing keeps the bytes unless --write does: MSG_TRUNC makes TCP
	 * drop them in the kernel instead of copying them out (tcp(7)). */
	int flags = s->write_fd >= 0 ? 0 : MSG_TRUNC;
	/* A receiver this quick wakes for every few segments; waking for
	 * 256 KiB at a time (or the 200 ms timeout, or EOF) cut CPU per GB
	 * by about a quarter on a veth path and lifted loopback by half
	 * (128 KiB did less there).  The kernel caps it at half the receive
	 * buffer, so a small -w cannot stall the stream. */
	int lowat = TB_RCVLOWAT;
	setsockopt(s->fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat));

	s->end_ns = s->start_ns;
	for (;;) {
		ssize_t r = recv(s->fd, buf, cap, flags);
		if (r > 0) {
			omit_check(s, s->end_ns, bytes, 0);
			bytes += (uint64_t)r;
			atomic_store_explicit(&s->live_bytes, bytes, memory_order_relaxed);
			s->end_ns = tb_now_ns();
			if (s->write_fd >= 0 && store(s, buf, (size_t)r) < 0)
				break;
			continue;
		}
		if (r == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			if (stopped(s))
				break;
			continue;
		}
		fail(s, -errno, "receive");
		break;
	}
	s->st.bytes = bytes;
	store_finish(s);
	free(buf);
}

/* A burst of n datagrams laid end to end in buf, in one UDP GSO send
 * (the kernel cuts it every len bytes); returns datagrams sent. */
static int send_gso(int fd, uint8_t *buf, unsigned n, uint32_t len)
{
	char ctl[CMSG_SPACE(sizeof(uint16_t))] = { 0 };
	struct iovec iov = { buf, (size_t)n * len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	uint16_t seg = (uint16_t)len;

	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	ssize_t w = sendmsg(fd, &mh, 0);
	return w < 0 ? -1 : (int)(w / len);
}

/* The sender paces to the rate in small bursts (sendmmsg): a burst is
 * at most ~200 us of traffic, so queues see a smooth stream. */
static void udp_send(struct tb_stream *s)
{
	struct mmsghdr msgs[32];
	struct iovec iov[32];
	uint8_t *buf = calloc(32, s->len);
	double pkt_ns;
	uint64_t sent = 0, refused = 0, deadline;
	bool gso;
	unsigned burst;

	if (!buf) {
		fail(s, -ENOMEM, "buffer");
		return;
	}
	tb_udp_pace(s->len, s->rate_bps, &pkt_ns, &burst);
	/* UDP GSO (one send, the kernel cuts the datagrams) halves the
	 * sender's CPU at high rates.  Only where bursts are the plan: a
	 * path that sees the burst as one packet (netfilter, a qdisc on a
	 * veth) should not see slow streams that way. */
	gso = burst > 1 && s->len * 32 <= 65000;
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < 32; i++) {
		iov[i].iov_base = buf + (size_t)i * s->len;
		iov[i].iov_len = s->len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	s->start_ns = tb_now_ns();
	deadline = s->start_ns + s->duration_ns;
	while (!stopped(s)) {
		uint64_t now = tb_now_ns();
		if (now >= deadline)
			break;
		uint64_t due = (uint64_t)((double)(now - s->start_ns) / pkt_ns) + 1;
		if (due <= sent) {
			/* Nothing due: sleep until a whole burst is (or the end). */
			uint64_t at = s->start_ns + (uint64_t)((double)(sent + burst - 1) * pkt_ns);
			if (at > deadline)
				at = deadline;
			if (at > now + TB_POLL_NS) /* slow rates: still look at stop */
				at = now + TB_POLL_NS;
			struct timespec ts = { .tv_sec = (time_t)(at / 1000000000u),
					       .tv_nsec = (long)(at % 1000000000u) };
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			continue;
		}
		omit_check(s, now, sent * s->len, sent);
		unsigned n = (unsigned)(due - sent);
		n = n > 32 ? 32 : n;
		for (unsigned i = 0; i < n; i++) {
			struct tb_udp_hdr h = { .cookie = s->cookie, .seq = sent + i, .send_ns = now,
						.stream = s->idx, .kind = TB_UDP_DATA };
			tb_udp_hdr_encode(iov[i].iov_base, &h);
		}
		int r = gso && n > 1 ? send_gso(s->fd, buf, n, s->len) : sendmmsg(s->fd, msgs, n, 0);
		if (r < 0 && gso && n > 1 &&
		    (errno == EINVAL || errno == EIO || errno == ENOPROTOOPT || errno == EMSGSIZE)) {
			/* No UDP GSO here (or datagrams above the MTU, which
			 * only fragmentation can carry): batch with sendmmsg. */
			gso = false;
			continue;
		}
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS)
				continue;
			if (errno == ECONNREFUSED && ++refused < 100)
				continue; /* an ICMP error for an earlier datagram */
			fail(s, -errno, "send");
			break;
		}
		sent += (uint64_t)r;
		atomic_store_explicit(&s->live_bytes, sent * s->len, memory_order_relaxed);
	}
	s->end_ns = tb_now_ns();
	s->st.packets = sent;
	s->st.bytes = sent * s->len;
	/* A few FINs: the receiver stops early on the first, and the control
	 * channel's END covers the case where all are lost. */
	struct tb_udp_hdr fin = { .cookie = s->cookie, .seq = sent, .stream = s->idx,
				  .kind = TB_UDP_FIN };
	tb_udp_hdr_encode(buf, &fin);
	for (int i = 0; i < 3; i++)
		if (send(s->fd, buf, TB_UDP_HDR_LEN, 0) < 0)
			break;
	free(buf);
}

static void udp_hello(struct tb_stream *s)
{
	uint8_t b[TB_UDP_HDR_LEN];
	struct tb_udp_hdr h = { .cookie = s->cookie, .stream = s->idx, .kind = TB_UDP_HELLO };
	tb_udp_hdr_encode(b, &h);
	if (send(s->fd, b, sizeof(b), 0) < 0) {
		/* Lost hellos are retried; nothing else to do. */
	}
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (!a)
		return true;
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

/* Reverse UDP, server side: learn where to send from the client's hello. */
static int udp_await_hello(struct tb_stream *s)
{
	uint64_t deadline = tb_now_ns() + (uint64_t)TB_HANDSHAKE_MS * 1000000;
	uint8_t b[TB_UDP_HDR_LEN];

	while (!stopped(s) && tb_now_ns() < deadline) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct tb_udp_hdr h;
		ssize_t r = recvfrom(s->fd, b, sizeof(b), 0, (struct sockaddr *)&ss, &sl);
		if (r < 0)
			continue;
		if (tb_udp_hdr_decode(b, (size_t)r, &h) == 0 && h.cookie == s->cookie &&
		    h.stream == s->idx && h.kind == TB_UDP_HELLO && same_host(s->peer, &ss)) {
			if (connect(s->fd, (struct sockaddr *)&ss, sl) < 0) {
				fail(s, -errno, "connect");
				return -1;
			}
			return 0;
		}
	}
	fail(s, -ETIMEDOUT, "waiting for the client's UDP hello");
	return -1;
}

static void udp_recv(struct tb_stream *s)
{
	unsigned batch = TB_UDP_RING_MAX / s->len;
	batch = batch < 1 ? 1 : batch > TB_UDP_BATCH ? TB_UDP_BATCH : batch;
	struct mmsghdr msgs[TB_UDP_BATCH];
	struct iovec iov[TB_UDP_BATCH];
	uint8_t *buf = malloc((size_t)batch * s->len);
	uint64_t bytes = 0, last_hello = 0;
	bool fin = false, any = false;

	if (!buf) {
		fail(s, -ENOMEM, "buffer");
		return;
	}
	memset(msgs, 0, sizeof(msgs));
	for (unsigned i = 0; i < batch; i++) {
		iov[i].iov_base = buf + (size_t)i * s->len;
		iov[i].iov_len = s->len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	s->end_ns = s->start_ns;
	while (!fin) {
		if (!any && s->need_hello && tb_now_ns() - last_hello > 100000000u) {
			udp_hello(s);
			last_hello = tb_now_ns();
		}
		/* WAITFORONE: timestamps taken when data arrives, not when a
		 * whole batch has piled up (that would fake jitter). */
		int n = recvmmsg(s->fd, msgs, batch, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == ECONNREFUSED) {
				if (stopped(s))
					break;
				continue;
			}
			fail(s, -errno, "receive");
			break;
		}
		uint64_t now = tb_now_ns();
		for (int i = 0; i < n; i++) {
			struct tb_udp_hdr h;
			size_t len = msgs[i].msg_len;
			if (tb_udp_hdr_decode(iov[i].iov_base, len, &h) < 0 || h.cookie != s->cookie ||
			    h.stream != s->idx)
				continue; /* stray datagram */
			if (h.kind == TB_UDP_FIN) {
				fin = true;
				continue;
			}
			if (h.kind != TB_UDP_DATA)
				continue;
			if (!any)
				s->start_ns = now;
			any = true;
			omit_check(s, now, bytes, s->seq.received);
			tb_seqtrack_add(&s->seq, h.seq, h.send_ns, now);
			bytes += len;
			s->end_ns = now;
			if (s->write_fd >= 0 && store(s, iov[i].iov_base, len) < 0)
				fin = true;
		}
		atomic_store_explicit(&s->live_bytes, bytes, memory_order_relaxed);
		atomic_store_explicit(&s->live_packets, s->seq.received, memory_order_relaxed);
		atomic_store_explicit(&s->live_next_seq, s->seq.next_seq, memory_order_relaxed);
		atomic_store_explicit(&s->live_jitter_ns, (uint64_t)s->seq.jitter_ns,
				      memory_order_relaxed);
	}
	s->st.bytes = bytes;
	s->st.packets = s->seq.received;
	s->st.out_of_order = s->seq.out_of_order;
	s->st.jitter_ns = (uint64_t)s->seq.jitter_ns;
	store_finish(s);
	free(buf);
}

/* Per-stream socket options a test asks for, on both ends' sockets so
 * that ACKs carry the same TOS as the data. */
static int stream_options(struct tb_stream *s)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int rc;

	if (s->tos && getsockname(s->fd, (struct sockaddr *)&ss, &sl) == 0) {
		int tos = (int)s->tos;
		/* A v6 socket may carry v4-mapped traffic: set both. */
		rc = setsockopt(s->fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
		if (ss.ss_family == AF_INET6)
			rc = setsockopt(s->fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
		if (rc < 0) {
			fail(s, -errno, "TOS");
			return -1;
		}
	}
	if (s->cc && !s->udp &&
	    setsockopt(s->fd, IPPROTO_TCP, TCP_CONGESTION, s->cc, (socklen_t)strlen(s->cc)) < 0) {
		fail(s, -errno, "congestion control");
		return -1;
	}
	if (s->pace_bps && s->sender && !s->udp) {
		/* socket(7): bytes per second; 64 bits since Linux 4.20. */
		uint64_t bytes = s->pace_bps / 8 ? s->pace_bps / 8 : 1;
		if (setsockopt(s->fd, SOL_SOCKET, SO_MAX_PACING_RATE, &bytes, sizeof(bytes)) < 0) {
			uint32_t b32 = bytes > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)bytes;
			if (setsockopt(s->fd, SOL_SOCKET, SO_MAX_PACING_RATE, &b32, sizeof(b32)) < 0) {
				fail(s, -errno, "pacing rate");
				return -1;
			}
		}
	}
	return 0;
}

static void *stream_main(void *arg)
{
	struct tb_stream *s = arg;

	set_timeouts(s->fd);
	if (stream_options(s) < 0) {
		atomic_store(&s->done, true);
		return NULL;
	}
	if (!s->start_ns)
		s->start_ns = tb_now_ns();
	if (s->udp && s->sender && s->need_hello && udp_await_hello(s) < 0) {
		atomic_store(&s->done, true);
		return NULL;
	}
	if (s->udp)
		s->sender ? udp_send(s) : udp_recv(s);
	else
		s->sender ? tcp_send(s) : tcp_recv(s);
	omit_apply(s);
	s->st.duration_ns = s->end_ns > s->start_ns ? s->end_ns - s->start_ns : 0;
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
		s->thread_cpu_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	atomic_store(&s->done, true);
	return NULL;
}

int tb_stream_start(struct tb_stream *s)
{
	int rc = pthread_create(&s->thread, NULL, stream_main, s);
	if (rc) {
		fail(s, -rc, "thread");
		atomic_store(&s->done, true);
		return -rc;
	}
	s->started = true;
	return 0;
}

void tb_stream_join(struct tb_stream *s)
{
	if (s->started)
		pthread_join(s->thread, NULL);
	s->started = false;
}
