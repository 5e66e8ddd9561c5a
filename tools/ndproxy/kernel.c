/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lookups in what netlink reported (pure: no sockets, no clock). */
#include "kernel.h"

#include <net/if.h>
#include <string.h>

const struct ndp_link *ndp_link_by_index(const struct ndp_kernel *k, int ifindex)
{
	for (size_t i = 0; i < k->nlinks; i++)
		if (k->links[i].ifindex == ifindex)
			return &k->links[i];
	return NULL;
}

const struct ndp_link *ndp_link_by_name(const struct ndp_kernel *k, const char *name)
{
	for (size_t i = 0; i < k->nlinks; i++)
		if (!strcmp(k->links[i].name, name))
			return &k->links[i];
	return NULL;
}

bool ndp_link_is_up(const struct ndp_link *l)
{
	return l && (l->flags & IFF_UP);
}

bool ndp_is_own(const struct ndp_kernel *k, const struct in6_addr *a)
{
	for (size_t i = 0; i < k->nown; i++)
		if (!memcmp(&k->own[i].addr, a, 16))
			return true;
	return false;
}

static uint32_t slot_of(const struct in6_addr *a)
{
	uint32_t w[4];
	memcpy(w, a, 16);
	return ((w[0] ^ w[1] ^ w[2] ^ w[3]) * 2654435761u >> 16) % NDP_UPNEIGH_SLOTS;
}

void ndp_upneigh_note(struct ndp_kernel *k, const struct in6_addr *a, int ifindex)
{
	uint32_t s = slot_of(a);
	k->upneigh[s].a = *a;
	k->upneigh[s].ifindex = ifindex;
}

void ndp_upneigh_forget(struct ndp_kernel *k, const struct in6_addr *a, int ifindex)
{
	uint32_t s = slot_of(a);
	if (k->upneigh[s].ifindex == ifindex && !memcmp(&k->upneigh[s].a, a, 16))
		k->upneigh[s].ifindex = 0;
}

bool ndp_upneigh_has(const struct ndp_kernel *k, const struct in6_addr *a, int ifindex)
{
	uint32_t s = slot_of(a);
	return k->upneigh[s].ifindex == ifindex && !memcmp(&k->upneigh[s].a, a, 16);
}
