/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The user-mode data plane: a TUN device for the IPv6 side and a raw IPv4
 * socket for protocol 41, one thread per direction so both cores work.
 * System calls are batched (recvmmsg/sendmmsg, several packets per
 * wake-up); with IFF_VNET_HDR the kernel hands over TCP super-packets of up
 * to 64 KiB which are cut into MTU-sized segments here, so one TUN read
 * carries many packets. */
#define _GNU_SOURCE
#include "tun6in4.h"
#include "idle.h"
#include "log.h"
#include "pkt.h"
#include "nexthop.h"
#include "dp.h"
#include "service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define BATCH T64_BATCH
#define BIG 65600          /* a GSO super-packet or an unsegmented maximum */
#define SOCKBUF (8 << 20)  /* absorb bursts of a fast sender */
#define VNET sizeof(struct virtio_net_hdr)

/* What more than one thread touches: set before the threads start, or
 * atomic.  The two packet counters sit on lines of their own, each
 * written by one direction only. */
struct t64_shared {
	struct t64_daemon *d;           /* descriptors and configuration */
	atomic_uint local;              /* the local endpoint; `change local` moves it */
	/* The IPv4 path MTU to the remote as the kernel knows it (0: not
	 * yet).  The receiver refreshes it when an ICMPv4
	 * fragmentation-needed arrives, the sender once a second, so a
	 * raised MTU is noticed when it expires. */
	atomic_uint path_mtu;
	alignas(64) atomic_ullong sent; /* packets out; the keepalive thread reads it */
	alignas(64) atomic_ullong received;
};

/* TUN -> network: the sending thread's own, but for its per-packet
 * logic's counters (dp.h), which are atomic for the main thread. */
struct t64_tx_thread {
	struct t64_shared *sh;
	struct t64_tx dp;
	uint8_t *big;                   /* one TUN read */
	/* The packet socket and where its frames go; see pkt_open(). */
	int pkt_fd;
	struct sockaddr_ll pkt_to;
	struct t64_nexthop nexthop;
	bool nexthop_ok;
};

enum { RX_CTL = CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(int)) };

/* Network -> TUN: the receiving thread's own, but for dp's counters. */
struct t64_rx_thread {
	struct t64_shared *sh;
	struct t64_rx dp;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	union {
		struct cmsghdr align;
		uint8_t buf[RX_CTL];
	} ctl[BATCH];
	uint8_t *bufs;                  /* BATCH buffers of BIG bytes */
	/* ingress_mtu()'s answer for one device, a second old at most. */
	int mtu_index;
	unsigned mtu;
	time_t mtu_time;
};

int t64_tun_open(const char *name, bool *vnet_hdr, struct v6_err *err)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return v6_err_set(err, -errno, "/dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		/* An existing TUN device of someone else's answers EBUSY, a
		 * device of another kind EINVAL. */
		return v6_err_set(err, e == EINVAL || e == EBUSY ? -EEXIST : -e,
				  "%s: cannot create TUN device: %s", name,
				  e == EINVAL || e == EBUSY ? "name in use" : strerror(e));
	}
	/* TSO6 lets the stack send 64 KiB TCP segments in one read; CSUM is
	 * its precondition.  Without them one read is one packet. */
	int le = 1;
	/* Little-endian virtio-net headers on every host, as pkt.c writes. */
	*vnet_hdr = ioctl(fd, TUNSETVNETLE, &le) == 0 &&
		    ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO6) == 0;
	if (!*vnet_hdr) {
		close(fd);
		return v6_err_set(err, -EOPNOTSUPP, "%s: TUN offloads: %s", name, strerror(errno));
	}
	return fd;
}

int t64_raw_open(const struct t64_conf *c, struct v6_err *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPV6);
	int val, buf = SOCKBUF;
	char a[INET_ADDRSTRLEN];
	struct timeval tv = { .tv_sec = 1 };

	if (fd < 0)
		return v6_err_set(err, -errno, "raw IPv4 socket for protocol 41: %s", strerror(errno));
	if (c->dev[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->dev, strlen(c->dev)) < 0)
		goto fail_dev;
	if (c->local.s_addr) {
		sa.sin_addr = c->local;
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			goto fail_local;
	}
	/* Connected: the kernel itself drops protocol 41 from anyone but
	 * the remote (RFC 4213 3.6), and decap checks again. */
	sa.sin_addr = c->remote;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return v6_err_set(err, -e, "remote %s: %s",
				  inet_ntop(AF_INET, &c->remote, a, sizeof(a)), strerror(e));
	}
	/* We write the IPv4 header (t64_encap_hdr): the kernel's raw path for
	 * that is shorter than building one per packet.  PMTU discovery stays
	 * on for the socket so ICMPv4 fragmentation-needed from the path
	 * lowers the route's MTU and is reported to us (RFC 4213 3.2). */
	val = 1;
	if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &val, sizeof(val)) < 0) {
		int e = errno;
		close(fd);
		return v6_err_set(err, -e, "raw socket: IP_HDRINCL: %s", strerror(e));
	}
	val = IP_PMTUDISC_DO;
	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &val, sizeof(val));
	/* The device each packet came in on, and whether it was reassembled:
	 * together they tell the kernel's GRO super-packets (see
	 * kernel_gro()). */
	val = 1;
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &val, sizeof(val));
	setsockopt(fd, IPPROTO_IP, IP_RECVFRAGSIZE, &val, sizeof(val));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	/* A bounded wait, so the receiver notices a socket swapped by
	 * `change local` even when the old one stays silent. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
fail_dev: {
	int e = errno;
	close(fd);
	return v6_err_set(err, -e, "dev %s: %s", c->dev, strerror(e));
}
fail_local: {
	int e = errno;
	close(fd);
	return v6_err_set(err, -e, "local %s: %s", inet_ntop(AF_INET, &c->local, a, sizeof(a)),
			  e == EADDRNOTAVAIL ? "not an address of this host" : strerror(e));
}
}

/* ---- TUN -> network ---- */

static void refresh_pmtu(struct t64_shared *sh)
{
	int pmtu = 0;
	socklen_t sl = sizeof(pmtu);

	if (getsockopt(sh->d->raw_fd, IPPROTO_IP, IP_MTU, &pmtu, &sl) == 0 && pmtu > 0)
		atomic_store(&sh->path_mtu, (unsigned)pmtu);
}

/* Frames for an Ethernet next hop go out on a packet socket that skips the
 * queueing discipline: the kernel's raw IPv4 path costs a route lookup,
 * the output hooks and a neighbour lookup per packet, about a quarter of
 * the daemon's time.  We write the whole IPv4 header already, so only the
 * link-layer destination is needed; it is looked up once a second, and
 * whenever it is unknown (or the link is not Ethernet) packets take the raw
 * socket, whose sends also make the kernel resolve the neighbour.
 * Opened before the privilege drop (a forced send buffer needs
 * CAP_NET_ADMIN, which the daemon then gives up); -1 when it cannot be. */
static int pkt_open(void)
{
	int one = 1, buf = SOCKBUF;

	/* Protocol 0: the socket receives nothing, it only sends. */
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	return fd;
}

static void refresh_nexthop(struct t64_tx_thread *t)
{
	const struct t64_conf *c = t->sh->d->conf;
	struct in_addr local = { .s_addr = atomic_load(&t->sh->local) };
	int oif = c->dev[0] ? (int)if_nametoindex(c->dev) : 0;

	t->nexthop_ok = t->pkt_fd >= 0 && t64_nexthop_get(c->remote, local, oif, &t->nexthop) == 0;
	if (t->nexthop_ok) {
		t->pkt_to = (struct sockaddr_ll){ .sll_family = AF_PACKET,
						  .sll_protocol = htons(ETH_P_IP),
						  .sll_ifindex = t->nexthop.ifindex,
						  .sll_halen = 6 };
		memcpy(t->pkt_to.sll_addr, t->nexthop.mac, 6);
	}
}

/* t64_tx_ptb_fn: the error comes from the tunnel's own address (RFC 4443
 * 2.2), back to the packet's IPv6 source. */
static void send_ptb(struct t64_tx *tx, const uint8_t *pkt, size_t len, uint32_t mtu)
{
	struct t64_tx_thread *t = tx->ctx;
	struct t64_daemon *d = t->sh->d;
	uint8_t out[VNET + 1280];
	const struct t64_conf *c = d->conf;
	size_t n;

	if (c->naddr == 0)
		return;
	memset(out, 0, VNET);
	n = t64_ptb_build(out + VNET, sizeof(out) - VNET, &c->addr[0].addr.v6, pkt, len, mtu);
	if (n && write(d->tun_fd, out, VNET + n) > 0)
		tx->ptb_sent++;
}

/* t64_tx_flush_fn: one sendmmsg() per batch, on the packet socket when the
 * next hop is known and every header is complete. */
static void flush_out(struct t64_tx *tx)
{
	struct t64_tx_thread *t = tx->ctx;
	struct t64_shared *sh = t->sh;
	unsigned i = 0;
	bool pkt = t->nexthop_ok && !tx->raw;
	int fd = pkt ? t->pkt_fd : sh->d->raw_fd;

	for (unsigned k = 0; k < tx->n; k++) {
		tx->msg[k].msg_hdr.msg_name = pkt ? &t->pkt_to : NULL;
		tx->msg[k].msg_hdr.msg_namelen = pkt ? sizeof(t->pkt_to) : 0;
	}
	while (i < tx->n) {
		int r = sendmmsg(fd, tx->msg + i, tx->n - i, 0);
		if (r > 0) {
			atomic_fetch_add_explicit(&sh->sent, (unsigned)r, memory_order_relaxed);
			i += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EMSGSIZE) {
			/* Larger than the outgoing device: learn, and tell the
			 * sender of the whole packet, not of a fragment. */
			refresh_pmtu(sh);
			unsigned pmtu = atomic_load(&sh->path_mtu);
			if (pmtu > T64_IP4_HDR)
				t64_tx_too_big(tx, tx->pkt[i], tx->pkt_len[i],
					       pmtu - T64_IP4_HDR < T64_MTU_MIN ? T64_MTU_MIN
										 : pmtu - T64_IP4_HDR);
		} else if (r < 0 && errno != EAGAIN && errno != ENOBUFS) {
			/* Remote unreachable, ICMP errors: drop, keep going. */
			log_debug("send: %s", strerror(errno));
		}
		tx->dropped++;
		/* The rest of that packet's fragments cannot help now. */
		const uint8_t *p = tx->pkt[i];
		do
			i++;
		while (i < tx->n && tx->pkt[i] == p);
	}
}

/* Refresh what the packet logic needs to know of the world. */
static void tx_refresh(struct t64_tx_thread *t)
{
	struct in_addr local = { .s_addr = atomic_load(&t->sh->local) };

	/* With `local any` the route's source goes into frames we send
	 * ourselves; 0 leaves it to the kernel's raw path. */
	if (!local.s_addr && t->nexthop_ok)
		local = t->nexthop.src;
	t->dp.src = local;
	t->dp.pmtu = atomic_load(&t->sh->path_mtu);
	t->dp.now_ms = (uint64_t)v6_mono_coarse_ms();
}

static void *tun_to_net(void *arg)
{
	struct t64_tx_thread *t = arg;
	struct t64_daemon *d = t->sh->d;
	uint8_t *big = t->big;

	fcntl(d->tun_fd, F_SETFL, fcntl(d->tun_fd, F_GETFL) | O_NONBLOCK);
	refresh_pmtu(t->sh);
	refresh_nexthop(t);
	time_t last = time(NULL);
	for (;;) {
		if (time(NULL) != last) {
			last = time(NULL);
			refresh_pmtu(t->sh);
			/* A batch in progress is addressed as queued. */
			t64_tx_flush(&t->dp);
			refresh_nexthop(t);
		}
		ssize_t n = read(d->tun_fd, big, BIG);
		if (n < 0) {
			if (errno == EAGAIN) {
				/* Nothing more queued: send what we have, then sleep
				 * until the stack hands us the next packet. */
				t64_tx_flush(&t->dp);
				struct pollfd p = { .fd = d->tun_fd, .events = POLLIN };
				poll(&p, 1, -1);
			} else if (errno != EINTR) {
				/* The device was deleted under us: the tunnel is
				 * gone, and so is its state. */
				log_warn("%s: read", d->conf->name);
				t64_stats_stopped(d->stats_fd);
				t64_state_remove(d->conf->name);
				_exit(2);
			}
			continue;
		}
		tx_refresh(t);
		t64_tx_read(&t->dp, big, (size_t)n);
	}
	return NULL;
}

/* ---- network -> TUN ---- */

/* t64_rx_write_fn */
static void tun_write(struct t64_rx *rx, const uint8_t *p, size_t len)
{
	struct t64_rx_thread *r = rx->ctx;

	if (write(r->sh->d->tun_fd, p, len) > 0)
		atomic_fetch_add_explicit(&r->sh->received, 1, memory_order_relaxed);
}

/* The MTU of the device with that index, looked up again after a second. */
static unsigned ingress_mtu(struct t64_rx_thread *r, int ifindex)
{
	struct ifreq ifr = { 0 };

	if (ifindex == r->mtu_index && time(NULL) == r->mtu_time)
		return r->mtu;
	r->mtu_index = ifindex;
	r->mtu_time = time(NULL);
	r->mtu = 0;
	if (if_indextoname((unsigned)ifindex, ifr.ifr_name) &&
	    ioctl(r->sh->d->raw_fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		r->mtu = (unsigned)ifr.ifr_mtu;
	return r->mtu;
}

/* Did the kernel's GRO build this packet from several?  A NIC with GRO on
 * merges 6in4 TCP segments before a raw socket sees them (checking each
 * one's checksum).  No single packet is larger than the device it came in
 * on, unless it was reassembled from fragments, which anyone can send. */
static bool kernel_gro(struct t64_rx_thread *r, struct msghdr *m, size_t len)
{
	int ifindex = 0;
	bool reassembled = false;

	if (len <= r->dp.mtu + T64_IP4_HDR)
		return false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != IPPROTO_IP)
			continue;
		if (c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ifindex = pi.ipi_ifindex;
		} else if (c->cmsg_type == IP_RECVFRAGSIZE) {
			reassembled = true;
		}
	}
	if (reassembled || ifindex <= 0)
		return false;
	unsigned mtu = ingress_mtu(r, ifindex);
	return mtu && len > mtu;
}

/* How long the receiver lets packets gather once it has drained the
 * socket under load: 500 us, 0.6 MB at 10 Gbit/s, far below the socket
 * buffer (SOCKBUF), and within the delay common NICs add by default. */
#define RX_NAP_NS 500000L

static void *net_to_tun(void *arg)
{
	struct t64_rx_thread *r = arg;
	struct t64_daemon *d = r->sh->d;
	struct mmsghdr *msg = r->msg;
	bool napped = false;

	for (unsigned i = 0; i < BATCH; i++) {
		r->iov[i] = (struct iovec){ r->bufs + (size_t)i * BIG, BIG };
		msg[i].msg_hdr = (struct msghdr){ .msg_iov = &r->iov[i], .msg_iovlen = 1,
						  .msg_control = r->ctl[i].buf,
						  .msg_controllen = RX_CTL };
	}
	for (;;) {
		r->dp.local.s_addr = atomic_load(&r->sh->local);
		/* A coalesced run stays open while packets keep coming; it goes
		 * up as soon as the socket has nothing more queued. */
		int n = recvmmsg(d->raw_fd, msg, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EAGAIN && !napped) {
			/* Drained while busy: hand up what we have, then let the
			 * next packets gather for RX_NAP_NS before looking again,
			 * as a NIC's interrupt coalescing does.  Asleep in
			 * recvmmsg() instead, the thread would be woken for
			 * nearly every packet, and under a TCP stream those
			 * wake-ups cost more than anything else it does.  Only
			 * packets that arrive during the nap wait for it; after an
			 * idle nap the thread blocks and the next packet wakes it
			 * at once. */
			t64_rx_flush(&r->dp);
			nanosleep(&(struct timespec){ 0, RX_NAP_NS }, NULL);
			napped = true;
			continue;
		}
		if (n >= 0)
			napped = false;
		if (n < 0 && errno == EAGAIN) {
			napped = false;
			t64_rx_flush(&r->dp);
			n = recvmmsg(d->raw_fd, msg, BATCH, MSG_WAITFORONE, NULL);
		}
		if (n < 0) {
			/* Timeouts, and ICMP errors reported on the connected
			 * socket (remote unreachable): never fatal. */
			if (errno == EMSGSIZE)
				refresh_pmtu(r->sh); /* ICMPv4 frag-needed arrived */
			else if (errno != EAGAIN && errno != EINTR)
				log_debug("receive: %s", strerror(errno));
			continue;
		}
		for (int i = 0; i < n; i++) {
			bool gro = kernel_gro(r, &msg[i].msg_hdr, msg[i].msg_len);
			/* The kernel shortened it to what it wrote; nothing else
			 * of the header changes. */
			msg[i].msg_hdr.msg_controllen = RX_CTL;
			enum t64_verdict v = t64_rx_packet(&r->dp, r->iov[i].iov_base, msg[i].msg_len, gro);
			if (v != T64_PASS && r->dp.dropped[v] == 1)
				log_info("dropped a packet: %s", t64_verdict_name(v));
		}
	}
	return NULL;
}

/* `change local`: the new socket, made by `change` and passed with the
 * request, swapped in place.  dup2() replaces the file behind the
 * descriptor both threads use in one step. */
static int move_local(struct t64_shared *sh, struct t64_conf *live, const char *arg, int sock,
		      struct v6_err *err)
{
	struct t64_daemon *d = sh->d;
	struct t64_conf next = *live;
	int type = 0;
	socklen_t tl = sizeof(type);

	if (t64_conf_set(&next, "local", arg, false, err) < 0)
		return -EINVAL;
	if (sock < 0 || getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_RAW)
		return v6_err_set(err, -EINVAL, "no raw socket came with the request");
	if (dup2(sock, d->raw_fd) < 0)
		return v6_err_set(err, -errno, "dup2: %s", strerror(errno));
	live->local = next.local;
	atomic_store(&sh->local, next.local.s_addr);
	log_info("%s: local endpoint moved to %s", live->name, arg);
	return 0;
}

/* One request on the control socket: "local V4|any" with the new socket;
 * the answer is "ok" or "error: WHY".  A client gets a second to speak. */
static void serve_ctl(struct t64_shared *sh, struct t64_conf *live, pthread_t receiver)
{
	struct t64_daemon *d = sh->d;
	char req[128], reply[600];
	struct v6_err err;
	int sock = -1, c = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return;
	struct pollfd p = { .fd = c, .events = POLLIN };
	if (poll(&p, 1, 1000) != 1 || t64_ctl_receive(c, req, sizeof(req), &sock) < 0) {
		close(c);
		return;
	}
	req[strcspn(req, "\n")] = '\0';
	if (!strncmp(req, "local ", 6)) {
		if (move_local(sh, live, req + 6, sock, &err) == 0) {
			/* Interrupt the receiver's wait: it takes the new socket. */
			pthread_kill(receiver, SIGUSR1);
			snprintf(reply, sizeof(reply), "ok");
		} else {
			log_warnx("change: %s", err.msg);
			snprintf(reply, sizeof(reply), "error: %s", err.msg);
		}
	} else {
		snprintf(reply, sizeof(reply), "error: unknown request");
	}
	if (sock >= 0)
		close(sock);
	send(c, reply, strlen(reply), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(c);
}

static void wake(int sig) { (void)sig; }

/* last: what was published before, { ~0ull } at first. */
static void publish_stats(int fd, struct t64_tx *tx, struct t64_rx *rx, unsigned long long last[3])
{
	unsigned long long in = 0, now[3];

	for (int v = 1; v < T64_VERDICT_MAX; v++)
		in += rx->dropped[v];
	now[0] = in;
	now[1] = tx->dropped;
	now[2] = tx->ptb_sent;
	if (!memcmp(now, last, sizeof(now)))
		return;
	memcpy(last, now, sizeof(now));
	t64_stats_put(fd, &(struct t64_stats){ .rx_dropped = now[0], .tx_dropped = now[1],
					       .ptb_sent = now[2] });
}

/* Everything that needs root happens here, then the daemon becomes the
 * unprivileged service user with no capability at all: its sockets are
 * open, `change local` passes it a new one, and the one file it writes
 * later is open already and its own. */
static int setup_privileged(struct t64_daemon *d, struct t64_tx_thread *t, struct v6_err *err)
{
	uid_t uid;
	gid_t gid;
	const char *user;
	bool fell_back;
	int rc;

	v6_service_notify_open();
	t->pkt_fd = pkt_open();
	if ((rc = v6_service_user(NULL, &uid, &gid, &user, &fell_back, err)) < 0)
		return rc;
	if ((d->ctl_fd = t64_ctl_listen(d->conf->name, err)) < 0)
		return d->ctl_fd;
	if ((d->stats_fd = t64_stats_open(d->conf->name, uid, gid, err)) < 0)
		return d->stats_fd;
	return v6_service_drop(NULL, 0, err);
}

int t64_daemon_run(struct t64_daemon *d)
{
	sigset_t set;
	pthread_t th[2];
	int sfd;
	struct t64_conf *live = (struct t64_conf *)d->conf;
	struct v6_err err;
	unsigned long long published[3] = { ~0ull, 0, 0 };
	/* Apart on the heap: the threads outlive this function's return
	 * until the process exits, and no line of one thread's data is
	 * another's. */
	struct t64_shared *sh = aligned_alloc(64, sizeof(*sh));
	struct t64_tx_thread *tx = aligned_alloc(64, (sizeof(*tx) + 63) & ~(size_t)63);
	struct t64_rx_thread *rx = aligned_alloc(64, (sizeof(*rx) + 63) & ~(size_t)63);

	if (!sh || !tx || !rx)
		fatalx("out of memory");
	memset(sh, 0, sizeof(*sh));
	memset(tx, 0, sizeof(*tx));
	memset(rx, 0, sizeof(*rx));
	sh->d = d;
	tx->sh = rx->sh = sh;
	tx->pkt_fd = -1;
	atomic_store(&sh->local, d->conf->local.s_addr);

	d->ctl_fd = d->stats_fd = -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before the threads start, so only signalfd sees them. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* SIGUSR1 interrupts the receiver's wait after a socket swap; no
	 * SA_RESTART, so its recvmmsg returns EINTR and takes the new one. */
	struct sigaction sa = { .sa_handler = wake };
	sigaction(SIGUSR1, &sa, NULL);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		fatal("signalfd");
	if (setup_privileged(d, tx, &err) < 0) {
		/* Never run on with more privileges than asked for. */
		log_warnx("%s: %s", d->conf->name, err.msg);
		t64_stats_stopped(d->stats_fd);
		t64_state_remove(d->conf->name);
		return 2;
	}
	if (t64_tx_init(&tx->dp, d->conf->mtu, (uint8_t)d->conf->ttl, d->conf->remote, flush_out,
			send_ptb, tx) < 0 ||
	    t64_rx_init(&rx->dp, d->conf->mtu, d->conf->remote, tun_write, rx) < 0 ||
	    !(tx->big = malloc(BIG)) || !(rx->bufs = malloc((size_t)BATCH * BIG)))
		fatalx("out of memory");
	if (pthread_create(&th[0], NULL, tun_to_net, tx) || pthread_create(&th[1], NULL, net_to_tun, rx))
		fatalx("cannot start threads");
	t64_idle_start(d, &sh->sent);
	log_info("%s: running (offloads %s)", d->conf->name, d->vnet_hdr ? "on" : "off");
	if (d->ready_fd >= 0) {
		ssize_t w = write(d->ready_fd, "1", 1);
		(void)w;
		close(d->ready_fd);
		d->ready_fd = -1;
	}
	/* The link is up, its addresses past DAD and both directions run. */
	v6_service_notify("READY=1");
	for (;;) {
		struct signalfd_siginfo si;
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
				       { .fd = d->ctl_fd, .events = POLLIN } };
		/* Once a second, publish the counters `show` reports. */
		if (poll(p, 2, 1000) <= 0) {
			publish_stats(d->stats_fd, &tx->dp, &rx->dp, published);
			continue;
		}
		if (p[1].revents & POLLIN)
			serve_ctl(sh, live, th[1]);
		if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			/* Nothing is reread on a signal, and nobody is signalled
			 * back: `change` has a channel of its own. */
			log_info("%s: SIGHUP ignored; use '" T64_TOOL " change'", d->conf->name);
			continue;
		}
		break;
	}
	v6_service_notify("STOPPING=1");
	log_info("%s: stopping: %llu packets out, %llu in, %llu too big, %llu foreign dropped",
		 d->conf->name, (unsigned long long)atomic_load(&sh->sent),
		 (unsigned long long)atomic_load(&sh->received), (unsigned long long)tx->dp.ptb_sent,
		 (unsigned long long)rx->dp.dropped[T64_DROP_FOREIGN]);
	/* The state files are root's: mark ours stopped, and let the next
	 * tun6in4 command remove them (state.c). */
	t64_stats_stopped(d->stats_fd);
	t64_state_remove(d->conf->name);
	return 0;
}
