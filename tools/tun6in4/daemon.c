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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define SLOT 2048          /* one segment or small packet */
#define BIG 65600          /* a GSO super-packet or an unsegmented maximum */
#define SOCKBUF (8 << 20)  /* absorb bursts of a fast sender */
#define VNET sizeof(struct virtio_net_hdr)

/* The local endpoint as the receiver checks it; `change local` moves it. */
static atomic_uint cur_local;
static atomic_ullong st_tx, st_rx, st_drop_in[T64_VERDICT_MAX], st_drop_out, st_ptb, st_txerr;

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

/* The IPv4 path MTU to the remote as the kernel knows it (0: not yet).
 * The receiver refreshes it when an ICMPv4 fragmentation-needed arrives,
 * the sender once a second, so a raised MTU is noticed when it expires. */
static atomic_uint path_mtu;
/* IPv4 identification for the fragments we make ourselves. */
static atomic_uint ip_id = 1;

static void refresh_pmtu(int fd)
{
	int pmtu = 0;
	socklen_t sl = sizeof(pmtu);

	if (getsockopt(fd, IPPROTO_IP, IP_MTU, &pmtu, &sl) == 0 && pmtu > 0)
		atomic_store(&path_mtu, (unsigned)pmtu);
}

struct out_batch {
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH][2];
	uint8_t hdr[BATCH][T64_IP4_HDR];
	uint8_t (*slot)[SLOT];
	unsigned n;
	bool raw;  /* some packet needs the raw socket (see queue_out) */
};

/* Frames for an Ethernet next hop go out on a packet socket that skips the
 * queueing discipline: the kernel's raw IPv4 path costs a route lookup,
 * the output hooks and a neighbour lookup per packet, about a quarter of
 * the daemon's time.  We write the whole IPv4 header already, so only the
 * link-layer destination is needed; it is looked up once a second, and
 * whenever it is unknown (or the link is not Ethernet) packets take the raw
 * socket, whose sends also make the kernel resolve the neighbour.  Only
 * the sending thread uses these. */
static int pkt_fd = -1;
static struct sockaddr_ll pkt_to;
static struct t64_nexthop nexthop;
static bool nexthop_ok;

static void pkt_open(void)
{
	int one = 1, buf = SOCKBUF;

	/* Protocol 0: the socket receives nothing, it only sends. */
	pkt_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (pkt_fd < 0)
		return;
	setsockopt(pkt_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	if (setsockopt(pkt_fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(pkt_fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
}

static void refresh_nexthop(const struct t64_conf *c)
{
	struct in_addr local = { .s_addr = atomic_load(&cur_local) };
	int oif = c->dev[0] ? (int)if_nametoindex(c->dev) : 0;

	nexthop_ok = pkt_fd >= 0 && t64_nexthop_get(c->remote, local, oif, &nexthop) == 0;
	if (nexthop_ok) {
		pkt_to = (struct sockaddr_ll){ .sll_family = AF_PACKET,
					       .sll_protocol = htons(ETH_P_IP),
					       .sll_ifindex = nexthop.ifindex,
					       .sll_halen = 6 };
		memcpy(pkt_to.sll_addr, nexthop.mac, 6);
	}
}

static void send_ptb(struct t64_daemon *d, const uint8_t *pkt, size_t len, uint32_t mtu)
{
	uint8_t out[VNET + 1280];
	const struct t64_conf *c = d->conf;
	size_t n, off = d->vnet_hdr ? VNET : 0;

	/* The error comes from the tunnel's own address (RFC 4443 2.2). */
	if (c->naddr == 0)
		return;
	memset(out, 0, off);
	n = t64_ptb_build(out + off, sizeof(out) - off, &c->addr[0].addr.v6, pkt, len, mtu);
	if (n && write(d->tun_fd, out, off + n) > 0)
		st_ptb++;
}

static void flush_out(struct t64_daemon *d, struct out_batch *b)
{
	unsigned i = 0;
	bool pkt = nexthop_ok && !b->raw;
	int fd = pkt ? pkt_fd : d->raw_fd;

	for (unsigned k = 0; k < b->n; k++) {
		b->msg[k].msg_hdr.msg_name = pkt ? &pkt_to : NULL;
		b->msg[k].msg_hdr.msg_namelen = pkt ? sizeof(pkt_to) : 0;
	}
	while (i < b->n) {
		int r = sendmmsg(fd, b->msg + i, b->n - i, 0);
		if (r > 0) {
			st_tx += (unsigned)r;
			i += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EMSGSIZE) {
			/* Larger than the outgoing device: learn, and tell. */
			refresh_pmtu(d->raw_fd);
			unsigned pmtu = atomic_load(&path_mtu);
			if (pmtu > T64_IP4_HDR)
				send_ptb(d, b->iov[i][1].iov_base, b->iov[i][1].iov_len,
					 pmtu - T64_IP4_HDR < T64_MTU_MIN ? T64_MTU_MIN
									   : pmtu - T64_IP4_HDR);
		} else if (r < 0 && errno != EAGAIN && errno != ENOBUFS) {
			/* Remote unreachable, ICMP errors: drop, keep going. */
			log_debug("send: %s", strerror(errno));
		}
		st_txerr++;
		i++;
	}
	b->n = 0;
	b->raw = false;
}

/* Queue one IPv6 packet; it must stay valid until the batch is flushed. */
static void queue_out(struct t64_daemon *d, struct out_batch *b, const uint8_t *pkt, size_t len)
{
	const struct t64_conf *c = d->conf;
	unsigned mtu = c->mtu, pmtu = atomic_load(&path_mtu);
	bool df = true;

	/* RFC 4213 3.2, as the kernel's sit does it: the tunnel MTU follows
	 * the IPv4 path; below the IPv6 minimum, IPv4 may fragment. */
	if (pmtu > T64_IP4_HDR && pmtu - T64_IP4_HDR < mtu) {
		mtu = pmtu - T64_IP4_HDR;
		if (mtu < T64_MTU_MIN) {
			mtu = T64_MTU_MIN;
			df = false;
		}
	}
	enum t64_verdict v = t64_encap_check(pkt, len, mtu);
	if (v == T64_TOO_BIG) {
		send_ptb(d, pkt, len, mtu);
		st_drop_out++;
		return;
	}
	if (v != T64_PASS) {
		st_drop_out++;
		return;
	}
	uint8_t hdr[T64_IP4_HDR];
	struct in_addr local = { .s_addr = atomic_load(&cur_local) };
	/* With `local any` the route's source goes into frames we send
	 * ourselves.  Packets without DF need an IPv4 identification the
	 * kernel's raw path chooses (RFC 6864 4.1), and a zero source its
	 * choice too: those take the raw socket. */
	if (!local.s_addr && nexthop_ok)
		local = nexthop.src;
	if (!df || !local.s_addr)
		b->raw = true;
	t64_encap_hdr(hdr, local, c->remote, (uint8_t)c->ttl, pkt, len, df);
	if (!df && len + T64_IP4_HDR > pmtu) {
		/* The kernel refuses IP_HDRINCL packets above the device MTU
		 * even without DF: fragment here. */
		enum { MAXFRAG = 8 };
		uint8_t fh[MAXFRAG][T64_IP4_HDR];
		size_t off[MAXFRAG], flen[MAXFRAG];
		size_t n = t64_ip4_fragment(fh, off, flen, MAXFRAG, hdr, len, pmtu,
					    (uint16_t)atomic_fetch_add(&ip_id, 1));
		if (!n) {
			st_drop_out++;
			return;
		}
		if (b->n + n > BATCH)
			flush_out(d, b);
		for (size_t k = 0; k < n; k++) {
			unsigned i = b->n++;
			memcpy(b->hdr[i], fh[k], T64_IP4_HDR);
			b->iov[i][0] = (struct iovec){ b->hdr[i], T64_IP4_HDR };
			b->iov[i][1] = (struct iovec){ (void *)(pkt + off[k]), flen[k] };
			b->msg[i].msg_hdr = (struct msghdr){ .msg_iov = b->iov[i], .msg_iovlen = 2 };
		}
		if (b->n == BATCH)
			flush_out(d, b);
		return;
	}
	unsigned i = b->n;
	memcpy(b->hdr[i], hdr, T64_IP4_HDR);
	b->iov[i][0] = (struct iovec){ b->hdr[i], T64_IP4_HDR };
	b->iov[i][1] = (struct iovec){ (void *)pkt, len };
	b->msg[i].msg_hdr = (struct msghdr){ .msg_iov = b->iov[i], .msg_iovlen = 2 };
	if (++b->n == BATCH)
		flush_out(d, b);
}

/* One TUN read: a plain packet, or a super-packet to cut into segments. */
static void tun_packet(struct t64_daemon *d, struct out_batch *b, uint8_t *buf, size_t n)
{
	struct virtio_net_hdr vh = { 0 };
	uint8_t *pkt = buf;

	if (d->vnet_hdr) {
		if (n < VNET)
			return;
		memcpy(&vh, buf, VNET);
		pkt += VNET;
		n -= VNET;
	}
	if (vh.gso_type == VIRTIO_NET_HDR_GSO_TCPV6) {
		/* Segments carry their own checksums; the seed left by the
		 * kernel is recomputed per segment. */
		for (unsigned i = 0;; i++) {
			size_t l = t64_tso_segment(b->slot[b->n], SLOT, pkt, n, vh.gso_size, i);
			if (!l)
				break;
			queue_out(d, b, b->slot[b->n], l);
		}
		return;
	}
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		st_drop_out++;
		return;
	}
	if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    t64_csum_complete(pkt, n, vh.csum_start, vh.csum_offset) < 0) {
		st_drop_out++;
		return;
	}
	if (n > SLOT) {
		/* Larger than a slot (tunnel MTU above 2 KiB): send it alone,
		 * before the next read reuses the buffer. */
		flush_out(d, b);
		queue_out(d, b, pkt, n);
		flush_out(d, b);
		return;
	}
	memcpy(b->slot[b->n], pkt, n);
	queue_out(d, b, b->slot[b->n], n);
}

static void *tun_to_net(void *arg)
{
	struct t64_daemon *d = arg;
	struct out_batch *b = calloc(1, sizeof(*b));
	uint8_t *big = malloc(BIG);

	if (!b || !big || !(b->slot = calloc(BATCH, SLOT)))
		fatalx("out of memory");
	fcntl(d->tun_fd, F_SETFL, fcntl(d->tun_fd, F_GETFL) | O_NONBLOCK);
	refresh_pmtu(d->raw_fd);
	pkt_open();
	refresh_nexthop(d->conf);
	time_t last = time(NULL);
	for (;;) {
		if (time(NULL) != last) {
			last = time(NULL);
			refresh_pmtu(d->raw_fd);
			/* A batch in progress is addressed as queued. */
			if (b->n)
				flush_out(d, b);
			refresh_nexthop(d->conf);
		}
		ssize_t n = read(d->tun_fd, big, BIG);
		if (n < 0) {
			if (errno == EAGAIN) {
				/* Nothing more queued: send what we have, then sleep
				 * until the stack hands us the next packet. */
				if (b->n)
					flush_out(d, b);
				struct pollfd p = { .fd = d->tun_fd, .events = POLLIN };
				poll(&p, 1, -1);
			} else if (errno != EINTR) {
				/* The device was deleted under us: the tunnel is
				 * gone, and so is its state. */
				log_warn("%s: read", d->conf->name);
				t64_state_remove(d->conf->name);
				_exit(2);
			}
			continue;
		}
		tun_packet(d, b, big, (size_t)n);
	}
	return NULL;
}

/* ---- network -> TUN ---- */

static void tun_write(struct t64_daemon *d, const uint8_t *p, size_t len)
{
	if (write(d->tun_fd, p, len) > 0)
		st_rx++;
}

static void gro_flush(struct t64_daemon *d, struct t64_gro *g)
{
	if (g->len) {
		size_t n = t64_gro_end(g);
		tun_write(d, g->buf, n);
	}
}

static void *net_to_tun(void *arg)
{
	struct t64_daemon *d = arg;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint8_t *bufs = malloc((size_t)BATCH * BIG);
	struct t64_gro g = { .buf = malloc(BIG + VNET), .cap = BIG + VNET };
	struct in_addr remote = d->conf->remote;

	if (!bufs || !g.buf)
		fatalx("out of memory");
	for (;;) {
		struct in_addr local = { .s_addr = atomic_load(&cur_local) };
		for (unsigned i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ bufs + (size_t)i * BIG, BIG };
			msg[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		/* A coalesced run stays open while packets keep coming; it goes
		 * up as soon as the socket has nothing more queued. */
		int n = recvmmsg(d->raw_fd, msg, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EAGAIN) {
			gro_flush(d, &g);
			n = recvmmsg(d->raw_fd, msg, BATCH, MSG_WAITFORONE, NULL);
		}
		if (n < 0) {
			/* Timeouts, and ICMP errors reported on the connected
			 * socket (remote unreachable): never fatal. */
			if (errno == EMSGSIZE)
				refresh_pmtu(d->raw_fd); /* ICMPv4 frag-needed arrived */
			else if (errno != EAGAIN && errno != EINTR)
				log_debug("receive: %s", strerror(errno));
			continue;
		}
		for (int i = 0; i < n; i++) {
			uint8_t *p = iov[i].iov_base;
			size_t off, len;
			enum t64_verdict v = t64_decap(p, msg[i].msg_len, remote, local, &off, &len);
			if (v != T64_PASS) {
				if (st_drop_in[v]++ == 0)
					log_info("dropped a packet: %s", t64_verdict_name(v));
				continue;
			}
			if (!d->vnet_hdr) {
				tun_write(d, p + off, len);
				continue;
			}
			/* Consecutive segments of one TCP flow go up as one. */
			unsigned hdrs = t64_tcp6_mergeable(p + off, len), seeded;
			if (!hdrs && len > d->conf->mtu &&
			    (seeded = t64_tcp6_gro_seeded(p + off, len))) {
				/* Already coalesced by the kernel's GRO (a NIC
				 * with GRO on): hand it up as the super-packet it
				 * is.  The segment size is not passed to raw
				 * sockets; the tunnel MTU's is the best guess. */
				gro_flush(d, &g);
				off -= VNET;
				t64_vnet_tcp6(p + off, seeded, d->conf->mtu - seeded);
				tun_write(d, p + off, len + VNET);
				continue;
			}
			if (hdrs && t64_gro_add(&g, p + off, len, hdrs))
				continue;
			gro_flush(d, &g);
			if (hdrs) {
				t64_gro_begin(&g, p + off, len, hdrs);
				continue;
			}
			/* The outer header has room for a zeroed virtio-net
			 * header just before the inner packet. */
			off -= VNET;
			memset(p + off, 0, VNET);
			tun_write(d, p + off, len + VNET);
		}
	}
	return NULL;
}

/* `change local`: re-read our state and swap the socket in place.  dup2()
 * replaces the file behind the descriptor both threads use in one step. */
static int reload(struct t64_daemon *d, struct t64_conf *live)
{
	struct t64_state s;
	struct v6_err err;
	int fd;

	if (t64_state_read(live->name, &s, &err) < 0) {
		log_warnx("reload: %s", err.msg);
		return -1;
	}
	struct t64_conf next = *live;
	next.local = s.conf.local;
	if ((fd = t64_raw_open(&next, &err)) < 0) {
		log_warnx("reload: %s", err.msg);
		return -1;
	}
	if (dup2(fd, d->raw_fd) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	live->local = next.local;
	atomic_store(&cur_local, next.local.s_addr);
	log_info("local endpoint moved");
	return 0;
}

static void wake(int sig) { (void)sig; }

/* The daemon parses packets from the network: keep only CAP_NET_RAW, which
 * `change local` needs for a new socket, and drop every other capability
 * from this process and anything it could execute.  It stays uid 0 so it
 * can still remove its own state files in the run directory. */
static void drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint32_t keep = 1u << CAP_NET_RAW;

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (cap != CAP_NET_RAW)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = keep;
	if (syscall(SYS_capset, &hdr, data) < 0)
		log_warn("capset");
}

static void publish_stats(const char *name)
{
	static unsigned long long last[3] = { ~0ull, 0, 0 };
	unsigned long long in = 0, now[3];
	struct t64_stats st;
	struct v6_err err;

	for (int v = 1; v < T64_VERDICT_MAX; v++)
		in += st_drop_in[v];
	now[0] = in;
	now[1] = st_drop_out;
	now[2] = st_ptb;
	if (!memcmp(now, last, sizeof(now)))
		return;
	memcpy(last, now, sizeof(now));
	st = (struct t64_stats){ .rx_dropped = now[0], .tx_dropped = now[1], .ptb_sent = now[2] };
	if (t64_stats_write(name, &st, &err) < 0)
		log_warnx("%s", err.msg);
}

int t64_daemon_run(struct t64_daemon *d)
{
	sigset_t set;
	pthread_t th[2];
	int sfd;
	struct t64_conf *live = (struct t64_conf *)d->conf;

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
	atomic_store(&cur_local, d->conf->local.s_addr);
	drop_capabilities();
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		fatal("signalfd");
	if (pthread_create(&th[0], NULL, tun_to_net, d) || pthread_create(&th[1], NULL, net_to_tun, d))
		fatalx("cannot start threads");
	t64_idle_start(d, &st_tx);
	log_info("%s: running (offloads %s)", d->conf->name, d->vnet_hdr ? "on" : "off");
	if (d->ready_fd >= 0) {
		ssize_t w = write(d->ready_fd, "1", 1);
		(void)w;
		close(d->ready_fd);
		d->ready_fd = -1;
	}
	for (;;) {
		struct signalfd_siginfo si;
		struct pollfd p = { .fd = sfd, .events = POLLIN };
		/* Once a second, publish the counters `show` reports. */
		if (poll(&p, 1, 1000) == 0) {
			publish_stats(d->conf->name);
			continue;
		}
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			int ok = reload(d, live) == 0;
			if (ok)
				pthread_kill(th[1], SIGUSR1);
			/* Tell `change` how it went. */
			if (si.ssi_pid > 0)
				kill((pid_t)si.ssi_pid, ok ? SIGUSR1 : SIGUSR2);
			continue;
		}
		break;
	}
	log_info("%s: stopping: %llu packets out, %llu in, %llu too big, %llu foreign dropped",
		 d->conf->name, (unsigned long long)st_tx, (unsigned long long)st_rx,
		 (unsigned long long)st_ptb, (unsigned long long)st_drop_in[T64_DROP_FOREIGN]);
	t64_state_remove(d->conf->name);
	return 0;
}
