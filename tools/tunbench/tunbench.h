/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench: throughput, health and path-MTU checks for tunnels. */
#ifndef TUNBENCH_H
#define TUNBENCH_H

#include "cli.h"
#include "proto.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

/* Not iperf3's 5201, so neither tool reaches the other by default; 5370
 * lies in an unassigned IANA range (5365-5396). */
#define TB_DEFAULT_PORT 5370
#define TB_TCP_LEN_DEFAULT (128u * 1024)
#define TB_HANDSHAKE_MS 10000 /* idle or garbage control connections */
#define TB_GRACE_MS 10000     /* past the test's duration before giving up */
/* UDP socket buffers unless -w: at 1 Gbit/s, 32 MB rides out ~150 ms of a
 * receiver thread kept off the CPU, where 4 MB lost datagrams. */
#define TB_UDP_BUF_DEFAULT (32u << 20)

/* Server caps by default (see tb_caps): a public server's worth. */
#define TB_SERVER_MAX_RATE 1000000000ull /* 1 Gbit/s */
#define TB_SERVER_MAX_MS 60000
#define TB_SERVER_MAX_STREAMS 16
#define TB_SERVER_MAX_WINDOW (16u << 20)
#define TB_SERVER_MAX_WRITE (1ull << 30)

int tb_cmd_server(struct v6_cli *cli, int argc, char **argv);
int tb_cmd_client(struct v6_cli *cli, int argc, char **argv);
int tb_cmd_ping(struct v6_cli *cli, int argc, char **argv);
int tb_ping_on_usage(const struct v6_cli *cli, const char *msg);
int tb_cmd_mtu(struct v6_cli *cli, int argc, char **argv);

/* ---- net.c: sockets and time ---- */
uint64_t tb_now_ns(void);
/* Resolve HOST (literal or name) and PORT. */
int tb_resolve(const char *host, uint16_t port, int family, struct sockaddr_storage *ss,
	       socklen_t *len, struct v6_err *err);
const char *tb_sockaddr_str(const struct sockaddr *sa, char *buf, size_t len);
uint16_t tb_sockaddr_port(const struct sockaddr *sa);
void tb_sockaddr_set_port(struct sockaddr *sa, uint16_t port);
/* Read or write exactly n bytes within timeout_ms; 0, -ETIMEDOUT, -EPIPE (EOF) or -errno. */
int tb_read_full(int fd, void *buf, size_t n, int timeout_ms);
int tb_write_full(int fd, const void *buf, size_t n, int timeout_ms);
/* One control message, bounded in size and time.  A peer of another
 * protocol version gets -EPROTONOSUPPORT with a message naming both. */
int tb_ctl_recv(int fd, struct tb_msg *m, int timeout_ms, struct v6_err *err);
/* Before the first message from a server: tunbench, iperf3 or something
 * else, from its first bytes (left unread).  0, or -errno with err set. */
int tb_ctl_peek_server(int fd, int timeout_ms, enum tb_server_kind *kind, struct v6_err *err);
int tb_ctl_send(int fd, const struct tb_msg *m, struct v6_err *err);
int tb_ctl_send_error(int fd, uint32_t code, const char *text);
/* force: past rmem_max/wmem_max when root; only for our own user's sizes. */
void tb_set_window(int fd, uint32_t window, bool force);
/* After an ERROR: FIN, drain what the peer still sends (bounded), close. */
void tb_ctl_linger_close(int fd);
#define TB_SECRET_MAX 1024
/* The shared secret: FILE's bytes, one trailing newline dropped. */
int tb_read_secret(const char *path, uint8_t *buf, size_t *len, struct v6_err *err);
uint64_t tb_random64(void);
/* CPU use between two marks: this process and the whole machine. */
struct tb_cpu_mark {
	uint64_t wall_ns, user_us, sys_us, busy_ticks, total_ticks;
};
void tb_cpu_mark(struct tb_cpu_mark *m);
void tb_cpu_since(const struct tb_cpu_mark *a, const struct tb_cpu_mark *b, struct tb_cpu *c);
/* 0 when NAME is in tcp_allowed_congestion_control, else -EPERM/-errno. */
int tb_cc_allowed(const char *name, struct v6_err *err);

/* ---- stream.c: one data stream per thread ---- */
struct tb_stream {
	int fd;
	uint32_t idx;
	bool sender, udp;
	bool rev; /* data flows server -> client (-R, or --bidir's second half) */
	bool need_hello; /* reverse UDP: the client announces itself */
	/* Server side: the control peer; a UDP hello from another address is
	 * ignored, or a spoofed hello could aim our sender at a bystander. */
	const struct sockaddr_storage *peer;
	uint32_t len;
	uint64_t rate_bps; /* per stream, UDP */
	uint64_t duration_ns;
	uint64_t cookie;
	int write_fd; /* -1: received data is dropped */
	const char *write_path;
	bool write_nosync; /* a device or pipe, maybe shared by all streams */
	_Atomic uint64_t *write_used; /* server: bytes written by the test */
	uint64_t write_cap;           /* 0: none */
	uint64_t pace_bps;            /* TCP: SO_MAX_PACING_RATE, 0 none */
	uint32_t tos;                 /* IP_TOS / IPV6_TCLASS, 0 untouched */
	const char *cc;               /* TCP_CONGESTION, NULL default */
	uint64_t omit_ns;             /* left out of the figures at the start */
	/* omitted part, taken when the stream passes omit_ns */
	bool omitted;
	uint64_t omit_bytes, omit_packets, omit_at_ns, omit_lost_base;
	atomic_bool *stop;
	/* live, read by the reporter */
	_Atomic uint64_t live_bytes;
	_Atomic uint64_t live_packets, live_next_seq, live_jitter_ns; /* UDP receiver */
	atomic_bool done;
	/* final */
	struct tb_stats st;
	struct tb_seqtrack seq;
	uint64_t start_ns, end_ns;
	uint64_t thread_cpu_ns; /* this stream's thread, for the --write verdict */
	int error; /* -errno, 0 ok */
	char errmsg[160];
	pthread_t thread;
	bool started;
};

int tb_stream_start(struct tb_stream *s);
void tb_stream_join(struct tb_stream *s);

/* ---- report.c: iperf2-style lines, NDJSON with iperf3 names ---- */
struct tb_report {
	struct v6_emit *e;
	const char *role; /* "client" or "server" */
	bool udp, bidir;
	uint32_t nstreams;
	struct tb_stream *streams;
	uint64_t start_ns, last_ns, omit_ns;
	uint64_t last_bytes[TB_STREAMS_MAX];
	uint64_t last_packets[TB_STREAMS_MAX], last_next[TB_STREAMS_MAX];
	uint64_t session;
	bool header_done;
};
void tb_report_init(struct tb_report *r, struct v6_emit *e, const char *role, bool udp,
		    struct tb_stream *streams, uint32_t n, uint64_t session, uint64_t omit_ns);
void tb_report_interval(struct tb_report *r, uint64_t now_ns);
/* sent and received: per-stream figures from each end; remote may be NULL. */
void tb_report_summary(struct tb_report *r, const struct tb_stats *sent,
		       const struct tb_stats *received, uint32_t n, bool wrote,
		       const struct tb_cpu *local, const struct tb_cpu *remote);
/* The client's closing block: each direction, their sum, both ends' CPU
 * and, with --write, the disk and what limited the test. */
void tb_report_final(struct tb_report *r, const struct tb_stats *sent,
		     const struct tb_stats *received, uint32_t n, const char *write_target,
		     const struct tb_cpu *local, const struct tb_cpu *remote);
/* Which of disk, cpu or network limited a --write receiver. */
const char *tb_write_limit(const struct tb_stream *streams, uint32_t n, const struct tb_cpu *cpu);
void tb_report_error(struct v6_emit *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tb_format_bytes(double bytes, char *buf, size_t len);
void tb_format_bits(double bps, char *buf, size_t len);

/* ---- icmp.c: echo probes shared by ping and mtu ---- */
struct tb_icmp {
	int fd;
	int family;
	bool raw;
	uint16_t ident;
	struct sockaddr_storage dst;
	socklen_t dstlen;
};
enum tb_probe_result { TB_PROBE_REPLY, TB_PROBE_TIMEOUT, TB_PROBE_TOOBIG, TB_PROBE_UNREACH };
/* src: address or interface name or NULL.  dontfrag: set DF / IPV6_DONTFRAG
 * and ignore the cached path MTU (probe mode). */
int tb_icmp_open(struct tb_icmp *ic, const char *host, const char *src, bool dontfrag,
		 struct v6_err *err);
void tb_icmp_close(struct tb_icmp *ic);
/* Send an echo request of `size` bytes of IP packet (header included). */
int tb_icmp_send(struct tb_icmp *ic, uint16_t seq, size_t size, struct v6_err *err);
/* Wait until deadline for a reply to seq (any seq when seq < 0); returns a
 * tb_probe_result, *rtt_ns for replies, *mtu for Packet Too Big. */
int tb_icmp_wait(struct tb_icmp *ic, int seq, uint64_t deadline_ns, uint16_t *got_seq,
		 uint64_t *send_ns, uint32_t *mtu);

#endif
