/* SPDX-License-Identifier: GPL-2.0-or-later */
/* v6kit helpers for 6in4 (RFC 4213) "sit" links over libnl-route-3's sit
 * API, and interface counters.  Like the rest of lib/: 0 or -errno plus a
 * message, never printing or exiting. */
#ifndef V6SIT_H
#define V6SIT_H

#include "v6nl.h"

struct v6_sit {
	char name[16];
	struct in_addr local;  /* INADDR_ANY: any local address */
	struct in_addr remote;
	uint8_t ttl;           /* 0: inherit the inner hop limit */
	uint8_t tos;
	bool pmtudisc;         /* set DF and follow the IPv4 path MTU */
	int link;              /* underlying device index, 0 for none */
	unsigned mtu;          /* 0: the kernel's default */
};

/* Create a sit link with NLM_F_CREATE|NLM_F_EXCL.  A kernel without sit
 * support answers -EOPNOTSUPP. */
int v6_sit_create(struct v6_nl *nl, const struct v6_sit *p, struct v6_err *err);
/* Read a sit link's tunnel parameters; -ENODEV when absent, -EMEDIUMTYPE
 * when NAME exists but is not a sit link. */
int v6_sit_get(struct v6_nl *nl, const char *name, struct v6_sit *out, struct v6_err *err);
/* Change local, remote and ttl of an existing sit link in one request, the
 * other tunnel parameters kept as they are.  The kernel resets every
 * tunnel parameter a change request leaves out, so the whole set is sent
 * again. */
int v6_sit_change(struct v6_nl *nl, const char *name, struct in_addr local,
		  struct in_addr remote, uint8_t ttl, struct v6_err *err);

struct v6_link_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped, tx_dropped;
};

/* The kernel's 64-bit counters of a link (IFLA_STATS64). */
int v6_link_stats(struct v6_nl *nl, const char *name, struct v6_link_stats *out,
		  struct v6_err *err);

#endif
