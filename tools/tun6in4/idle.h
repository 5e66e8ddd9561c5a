/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Idle keepalive: one protocol-41 packet whenever a tunnel has sent
 * nothing for its `keepalive` interval, so a NAT router's protocol-41
 * state (kept 60-300 s) and a broker's idle timer never expire. */
#ifndef T64_IDLE_H
#define T64_IDLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct t64_conf;
struct t64_daemon;

/* How often the transmit counter is sampled; a keepalive leaves one tick
 * early so the gap between two packets never exceeds the interval. */
#define T64_IDLE_TICK_MS 250

struct t64_idle {
	uint32_t interval_ms;
	uint64_t seen;          /* transmit counter at the last sample */
	long long idle_since;   /* ms: when it last moved, or the last keepalive */
	uint16_t seq;
};

/* Pure: start watching at now_ms with counter tx. */
void t64_idle_init(struct t64_idle *k, uint32_t interval_s, uint64_t tx, long long now_ms);
/* Pure: feed a sample; true when a keepalive must leave now (the caller
 * sends it, and the next interval starts). */
bool t64_idle_due(struct t64_idle *k, uint64_t tx, long long now_ms);
/* Pure: the inner IPv6 packet of a keepalive: an ICMPv6 Echo Request from
 * the tunnel's first address to `check`, else the gateway, else ff02::1;
 * without an address, an empty packet (RFC 8200 4.7: No Next Header).
 * Returns its length (cap >= 64), 0 when it does not fit. */
size_t t64_idle_packet(const struct t64_conf *c, uint16_t seq, uint8_t *buf, size_t cap);
/* Send one keepalive on a connected IP_HDRINCL protocol-41 socket. */
int t64_idle_send(int raw_fd, const struct t64_conf *c, uint16_t seq);
/* User mode: a thread that watches *tx (the daemon's packets-out counter)
 * and sends through d->raw_fd; nothing when the conf has no keepalive. */
void t64_idle_start(struct t64_daemon *d, atomic_ullong *tx);

#endif
