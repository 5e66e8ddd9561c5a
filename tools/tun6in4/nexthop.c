/* Route and neighbour lookups over a plain rtnetlink socket: one request
 * each, answered synchronously, no capabilities needed. */
#include "nexthop.h"

#include <errno.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct req {
	struct nlmsghdr nh;
	union {
		struct rtmsg rt;
		struct ndmsg nd;
		struct ifinfomsg ifi;
	};
	char attrs[64];
};

static void add_attr(struct req *r, unsigned short type, const void *data, unsigned short len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Send one request and walk every message of the answer with cb, which
 * returns 1 when it found what it wanted. */
static int ask(int fd, struct req *r, int (*cb)(struct nlmsghdr *, void *), void *arg)
{
	static __thread uint32_t seq;
	char buf[16384];
	int found = 0;

	r->nh.nlmsg_seq = ++seq;
	if (send(fd, r, r->nh.nlmsg_len, 0) < 0)
		return -1;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->nh.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				return found ? 0 : -1;
			if (!found && cb(h, arg) == 1)
				found = 1;
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				return found ? 0 : -1;
		}
	}
}

struct route_ans {
	int oif;
	struct in_addr gw, src;
};

static int route_cb(struct nlmsghdr *h, void *arg)
{
	struct route_ans *a = arg;
	struct rtmsg *rt = NLMSG_DATA(h);
	int len = (int)RTM_PAYLOAD(h);

	if (h->nlmsg_type != RTM_NEWROUTE || rt->rtm_type != RTN_UNICAST)
		return 0;
	for (struct rtattr *at = RTM_RTA(rt); RTA_OK(at, len); at = RTA_NEXT(at, len)) {
		if (at->rta_type == RTA_OIF && RTA_PAYLOAD(at) >= 4)
			memcpy(&a->oif, RTA_DATA(at), 4);
		else if (at->rta_type == RTA_GATEWAY && RTA_PAYLOAD(at) >= 4)
			memcpy(&a->gw, RTA_DATA(at), 4);
		else if (at->rta_type == RTA_PREFSRC && RTA_PAYLOAD(at) >= 4)
			memcpy(&a->src, RTA_DATA(at), 4);
	}
	return a->oif > 0;
}

static int link_cb(struct nlmsghdr *h, void *arg)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	*(unsigned *)arg = ifi->ifi_type;
	return 1;
}

struct neigh_ans {
	int ifindex;
	struct in_addr dst;
	uint8_t mac[6];
};

static int neigh_cb(struct nlmsghdr *h, void *arg)
{
	struct neigh_ans *a = arg;
	struct ndmsg *nd = NLMSG_DATA(h);
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	int dst_ok = 0, mac_ok = 0;

	/* Not a STALE entry: our frames bypass the neighbour code, so only
	 * the raw socket's sends make the kernel re-confirm an address (a far
	 * end that came back with another one would otherwise stay unseen).
	 * While it probes, the kernel itself still sends to the entry. */
	if (h->nlmsg_type != RTM_NEWNEIGH || nd->ndm_ifindex != a->ifindex ||
	    !(nd->ndm_state & (NUD_REACHABLE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
		return 0;
	for (struct rtattr *at = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(at, len); at = RTA_NEXT(at, len)) {
		if (at->rta_type == NDA_DST && RTA_PAYLOAD(at) == 4)
			dst_ok = !memcmp(RTA_DATA(at), &a->dst, 4);
		else if (at->rta_type == NDA_LLADDR && RTA_PAYLOAD(at) == 6) {
			memcpy(a->mac, RTA_DATA(at), 6);
			mac_ok = 1;
		}
	}
	return dst_ok && mac_ok;
}

int t64_nexthop_get(struct in_addr remote, struct in_addr local, int oif,
		    struct t64_nexthop *out)
{
	struct route_ans ra = { 0 };
	struct neigh_ans na = { 0 };
	unsigned type = 0;
	struct req r;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int rc = -1;
	struct timeval tv = { .tv_sec = 1 };

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r.nh.nlmsg_type = RTM_GETROUTE;
	r.nh.nlmsg_flags = NLM_F_REQUEST;
	r.rt.rtm_family = AF_INET;
	r.rt.rtm_dst_len = 32;
	add_attr(&r, RTA_DST, &remote, 4);
	if (local.s_addr) {
		r.rt.rtm_src_len = 32;
		add_attr(&r, RTA_SRC, &local, 4);
	}
	if (oif > 0)
		add_attr(&r, RTA_OIF, &oif, 4);
	if (ask(fd, &r, route_cb, &ra) < 0)
		goto out;

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.nh.nlmsg_type = RTM_GETLINK;
	r.nh.nlmsg_flags = NLM_F_REQUEST;
	r.ifi.ifi_family = AF_UNSPEC;
	r.ifi.ifi_index = ra.oif;
	if (ask(fd, &r, link_cb, &type) < 0 || type != ARPHRD_ETHER)
		goto out;

	na.ifindex = ra.oif;
	na.dst = ra.gw.s_addr ? ra.gw : remote;
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	r.nh.nlmsg_type = RTM_GETNEIGH;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.nd.ndm_family = AF_INET;
	if (ask(fd, &r, neigh_cb, &na) < 0)
		goto out;

	out->ifindex = ra.oif;
	out->src = local.s_addr ? local : ra.src;
	memcpy(out->mac, na.mac, 6);
	rc = out->src.s_addr ? 0 : -1;
out:
	close(fd);
	return rc;
}
