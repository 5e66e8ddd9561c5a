/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy's links.c without a kernel: route-netlink messages written to a
 * socket pair stand in for events; what they do to struct ndp_kernel and
 * the flags reported to the daemon are checked. */
#include "../../tools/ndproxy/links.h"
#include "log.h"
#include "unit.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int peer;
static uint8_t msg[512] __attribute__((aligned(8)));
static size_t msglen;

/* Start a message of type with a family header of hdrlen bytes. */
static void *start(uint16_t type, size_t hdrlen)
{
	struct nlmsghdr *h = (struct nlmsghdr *)msg;

	memset(msg, 0, sizeof(msg));
	h->nlmsg_type = type;
	h->nlmsg_len = (uint32_t)NLMSG_LENGTH(hdrlen);
	msglen = NLMSG_ALIGN(h->nlmsg_len);
	return NLMSG_DATA(h);
}

static void attr(uint16_t type, const void *data, size_t len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	struct rtattr *rta = (struct rtattr *)(msg + msglen);

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	msglen += RTA_ALIGN(rta->rta_len);
	h->nlmsg_len = (uint32_t)msglen;
}

/* Send what was built as one event; the report for it. */
static unsigned event(struct ndp_netlink *net)
{
	if (send(peer, msg, msglen, 0) != (ssize_t)msglen)
		return ~0u;
	return ndp_links_event(net);
}

static unsigned link_msg(struct ndp_netlink *net, uint16_t type, int ifindex, const char *name,
			 unsigned flags)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 5 };
	struct ifinfomsg *ifi = start(type, sizeof(*ifi));

	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	attr(IFLA_IFNAME, name, strlen(name) + 1);
	attr(IFLA_ADDRESS, mac, 6);
	return event(net);
}

static unsigned addr_msg(struct ndp_netlink *net, uint16_t type, int ifindex, const char *a,
			 unsigned char scope)
{
	struct ifaddrmsg *ifa = start(type, sizeof(*ifa));
	struct in6_addr v;

	inet_pton(AF_INET6, a, &v);
	ifa->ifa_family = AF_INET6;
	ifa->ifa_index = (unsigned)ifindex;
	ifa->ifa_scope = scope;
	attr(IFA_ADDRESS, &v, 16);
	return event(net);
}

static unsigned route_msg(struct ndp_netlink *net, int family, uint8_t protocol, uint8_t table)
{
	struct rtmsg *rt = start(RTM_NEWROUTE, sizeof(*rt));

	rt->rtm_family = (unsigned char)family;
	rt->rtm_protocol = protocol;
	rt->rtm_table = table;
	rt->rtm_dst_len = 64;
	return event(net);
}

static unsigned neigh_msg(struct ndp_netlink *net, uint16_t type, int ifindex, const char *a,
			  uint16_t state)
{
	struct ndmsg *nd = start(type, sizeof(*nd));
	struct in6_addr v;

	inet_pton(AF_INET6, a, &v);
	nd->ndm_family = AF_INET6;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = state;
	attr(NDA_DST, &v, 16);
	return event(net);
}

int main(void)
{
	static struct ndp_netlink net;
	const struct ndp_link *l;
	struct in6_addr a, ll;
	int sv[2];

	log_init("ndproxy_links", false, 0);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) < 0)
		return 2;
	net.evfd = sv[0];
	peer = sv[1];

	ok(link_msg(&net, RTM_NEWLINK, 5, "r0", IFF_UP) == NDP_NL_LINKS,
	   "a new link is reported as a link change");
	l = ndp_link_by_name(&net.k, "r0");
	ok(l && l->ifindex == 5 && l->has_mac && l->mac[5] == 5 && ndp_link_is_up(l),
	   "and recorded with its index, MAC and state");
	ok(link_msg(&net, RTM_NEWLINK, 5, "up0", 0) == NDP_NL_LINKS &&
		   !ndp_link_by_name(&net.k, "r0") && !ndp_link_is_up(ndp_link_by_name(&net.k, "up0")),
	   "a rename or a link going down is one too, and replaces what was known");
	ok(net.link_events == 2 && net.k.nlinks == 1, "link messages are counted, links not doubled");

	inet_pton(AF_INET6, "fe80::5", &ll);
	inet_pton(AF_INET6, "2001:db8:1::5", &a);
	ok(addr_msg(&net, RTM_NEWADDR, 5, "fe80::5", RT_SCOPE_LINK) == 0 &&
		   addr_msg(&net, RTM_NEWADDR, 5, "2001:db8:1::5", RT_SCOPE_UNIVERSE) == 0,
	   "addresses are no link change");
	l = ndp_link_by_index(&net.k, 5);
	ok(ndp_is_own(&net.k, &a) && ndp_is_own(&net.k, &ll) && l->has_ll &&
		   !memcmp(&l->ll, &ll, 16),
	   "both are our own; the link-local one is the link's NA source");
	addr_msg(&net, RTM_NEWADDR, 5, "2001:db8:1::5", RT_SCOPE_UNIVERSE);
	ok(net.k.nown == 2, "an address reported again is listed once");
	addr_msg(&net, RTM_DELADDR, 5, "fe80::5", RT_SCOPE_LINK);
	ok(!ndp_is_own(&net.k, &ll) && !ndp_link_by_index(&net.k, 5)->has_ll,
	   "a deleted address is no longer ours, nor the link's source");

	ok(route_msg(&net, AF_INET6, RTPROT_BOOT, RT_TABLE_MAIN) == NDP_NL_ROUTES,
	   "a route change is reported");
	ok(route_msg(&net, AF_INET6, V6_PROTO_NDPROXY, RT_TABLE_MAIN) == 0,
	   "our own autowired routes are not");
	ok(route_msg(&net, AF_INET6, RTPROT_KERNEL, RT_TABLE_LOCAL) == 0,
	   "nor the local table's");
	ok(route_msg(&net, AF_INET, RTPROT_BOOT, RT_TABLE_MAIN) == 0, "nor IPv4 routes");

	/* No link is watched: a confirmed neighbour asks no route (the
	 * request socket is not even open here). */
	inet_pton(AF_INET6, "2001:db8:1::9", &a);
	ok(neigh_msg(&net, RTM_NEWNEIGH, 5, "2001:db8:1::9", NUD_REACHABLE) == 0 &&
		   !ndp_upneigh_has(&net.k, &a, 5),
	   "a neighbour on a link not listened on is not noted");
	ndp_upneigh_note(&net.k, &a, 5);
	neigh_msg(&net, RTM_NEWNEIGH, 5, "2001:db8:1::9", NUD_FAILED);
	ok(!ndp_upneigh_has(&net.k, &a, 5), "a failed neighbour is forgotten");
	ndp_upneigh_note(&net.k, &a, 5);
	neigh_msg(&net, RTM_DELNEIGH, 5, "2001:db8:1::9", 0);
	ok(!ndp_upneigh_has(&net.k, &a, 5), "so is a deleted one");

	ok(link_msg(&net, RTM_DELLINK, 5, "up0", 0) == NDP_NL_LINKS && net.k.nlinks == 0,
	   "a link gone is reported and forgotten");
	ok(ndp_links_event(&net) == 0, "nothing to read: nothing reported");
	close(sv[1]);
	net.evfd = -1;
	close(sv[0]);
	free(net.k.links);
	free(net.k.own);
	free(net.watch);
	return done_testing();
}
