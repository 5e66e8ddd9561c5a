/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The user-mode data plane's per-packet logic without system calls: the
 * daemon's two threads feed it what they read and give it callbacks for
 * what it must send, so unit tests and fuzzers drive exactly the code the
 * daemon runs, batch boundaries, fragmentation and coalescing included. */
/* struct mmsghdr: include with _GNU_SOURCE defined. */
#ifndef T64_DP_H
#define T64_DP_H

#include "pkt.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define T64_BATCH 64
/* RFC 8200 5: the IPv6 minimum link MTU. */
#define T64_IP6_MIN_MTU 1280u
/* Fragments one packet may need: a 1280-byte packet over the smallest
 * IPv4 path MTU Linux accepts (552, net.ipv4.route.min_pmtu) takes 3. */
#define T64_MAXFRAG 8

/* A token bucket: at most burst at once, rate a second on average. */
struct t64_bucket {
	uint64_t last_ms;
	uint32_t tokens_milli; /* thousandths of a token */
	uint32_t rate, burst;
};
void t64_bucket_init(struct t64_bucket *b, uint32_t rate, uint32_t burst, uint64_t now_ms);
bool t64_bucket_take(struct t64_bucket *b, uint64_t now_ms);

/* RFC 4443 2.4(f): Packet Too Big, per second and at once. */
#define T64_PTB_RATE 20
#define T64_PTB_BURST 20

struct t64_tx;
/* Send tx->msg[0 .. tx->n); tx->pkt[i]/pkt_len[i] name the whole IPv6
 * packet message i carries (fragments included).  A whole packet is one
 * iovec, its IPv4 header written into the slot just in front of it; a
 * fragment is two, hdr[i] and its part of the packet.  The batch is
 * emptied after the call returns. */
typedef void t64_tx_flush_fn(struct t64_tx *tx);
/* Write a Packet Too Big about pkt to the TUN device. */
typedef void t64_tx_ptb_fn(struct t64_tx *tx, const uint8_t *pkt, size_t len, uint32_t mtu);

/* TUN -> network: IPv6 packets (and TSO super-packets) in, IPv4 messages
 * out, sent sendmmsg() batches of up to T64_BATCH at a time. */
struct t64_tx {
	/* Set once. */
	unsigned mtu;              /* the tunnel MTU */
	uint8_t ttl;
	struct in_addr remote;
	t64_tx_flush_fn *flush;
	t64_tx_ptb_fn *ptb;
	void *ctx;
	/* Refreshed by the caller before each t64_tx_read(). */
	unsigned pmtu;             /* IPv4 path MTU to remote, 0: unknown */
	struct in_addr src;        /* outer source; 0: the kernel chooses */
	uint64_t now_ms;           /* a monotonic clock, for the PTB limit */
	/* The batch: message i sends iov[i][0], or, for a fragment, hdr[i]
	 * then part of pkt[i]. */
	struct mmsghdr msg[T64_BATCH];
	struct iovec iov[T64_BATCH][2];
	uint8_t hdr[T64_BATCH][T64_IP4_HDR];
	const uint8_t *pkt[T64_BATCH];
	size_t pkt_len[T64_BATCH];
	unsigned n;                /* messages queued */
	unsigned used;             /* slots holding queued packets */
	bool raw;                  /* some message needs the raw socket */
	/* One slot per packet in the batch, slot_size bytes apart: room for
	 * an IPv4 header, then a packet of up to mtu bytes. */
	uint8_t *slots;
	size_t slot_size;
	/* Unpredictable IPv4 identifications for our own fragments. */
	uint32_t id_key[4];
	uint16_t id_ctr;
	struct t64_bucket ptb_limit;
	/* Counters, read by another thread. */
	_Atomic unsigned long long dropped, ptb_sent, ptb_limited;
};

/* 0, or -ENOMEM.  Slots are sized for mtu. */
int t64_tx_init(struct t64_tx *tx, unsigned mtu, uint8_t ttl, struct in_addr remote,
		t64_tx_flush_fn *flush, t64_tx_ptb_fn *ptb, void *ctx);
void t64_tx_free(struct t64_tx *tx);
/* One TUN read: a virtio-net header, then a packet or a TSO super-packet.
 * buf may be changed (checksum completion) and is not used afterwards. */
void t64_tx_read(struct t64_tx *tx, uint8_t *buf, size_t n);
/* Send what is queued. */
void t64_tx_flush(struct t64_tx *tx);
/* A PTB through the rate limit (also for sends the kernel refused). */
void t64_tx_too_big(struct t64_tx *tx, const uint8_t *pkt, size_t len, uint32_t mtu);
/* The next fragment identification: unpredictable, and none repeats
 * within 65536 of them. */
uint16_t t64_tx_next_id(struct t64_tx *tx);

/* Network -> TUN: decapsulate, coalesce consecutive TCP segments of one
 * flow, write to TUN with a virtio-net header. */
struct t64_rx;
typedef void t64_rx_write_fn(struct t64_rx *rx, const uint8_t *frame, size_t len);

struct t64_rx {
	unsigned mtu;
	struct in_addr remote, local;  /* local 0: any */
	t64_rx_write_fn *write;
	void *ctx;
	struct t64_gro gro;
	uint8_t *seg;                   /* a segment cut from a kernel GRO packet */
	_Atomic unsigned long long dropped[T64_VERDICT_MAX];
};
int t64_rx_init(struct t64_rx *rx, unsigned mtu, struct in_addr remote, t64_rx_write_fn *write,
		void *ctx);
void t64_rx_free(struct t64_rx *rx);
/* One IPv4 packet as the raw socket delivered it, with room for
 * T64_VNET_LEN bytes before the inner packet (the outer header has it).
 * kernel_gro: the receiver proved that the kernel's own GRO built it
 * (larger than the device it came in on could carry, and not reassembled
 * from fragments), so the kernel verified every part.  Returns the
 * verdict (drops are counted). */
enum t64_verdict t64_rx_packet(struct t64_rx *rx, uint8_t *pkt, size_t len, bool kernel_gro);
/* Nothing more queued: hand up the open run. */
void t64_rx_flush(struct t64_rx *rx);

#endif
