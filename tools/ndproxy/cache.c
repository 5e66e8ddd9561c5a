/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The neighbour cache: entries in one growable array, found through a
 * seeded hash (chains of indices, O(1) lookups), ordered by deadline in a
 * binary heap so the event loop sleeps exactly until the next one.  The
 * size is bounded (RFC 6583: a scan of a /64 must not exhaust memory);
 * the caller evicts the earliest deadline when it is full. */
#include "ndproxy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = { "pending", "valid", "invalid", "refresh" };

const char *ndp_state_name(enum ndp_state s)
{
	return (unsigned)s < 4 ? state_names[s] : "?";
}

static uint32_t hash(const struct ndp_cache *c, const struct in6_addr *a)
{
	uint32_t w[4];
	uint64_t h = c->seed;

	memcpy(w, a, 16);
	for (int i = 0; i < 4; i++) {
		h ^= w[i];
		h *= 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return (uint32_t)(h >> 32);
}

int ndp_cache_init(struct ndp_cache *c, uint32_t max, uint32_t seed)
{
	memset(c, 0, sizeof(*c));
	c->max = max;
	c->seed = seed;
	c->nbuckets = 64;
	if (!(c->buckets = calloc(c->nbuckets, sizeof(*c->buckets))))
		return -ENOMEM;
	return 0;
}

void ndp_cache_free(struct ndp_cache *c)
{
	free(c->v);
	free(c->buckets);
	free(c->heap);
	memset(c, 0, sizeof(*c));
}

struct ndp_entry *ndp_cache_find(const struct ndp_cache *c, const struct in6_addr *target)
{
	uint32_t i = c->buckets[hash(c, target) & (c->nbuckets - 1)];

	while (i) {
		struct ndp_entry *e = &c->v[i - 1];
		if (!memcmp(&e->target, target, 16))
			return e;
		i = e->hnext;
	}
	return NULL;
}

static void heap_swap(struct ndp_cache *c, uint32_t a, uint32_t b)
{
	uint32_t t = c->heap[a];
	c->heap[a] = c->heap[b];
	c->heap[b] = t;
	c->v[c->heap[a]].heap = a;
	c->v[c->heap[b]].heap = b;
}

static int64_t key(const struct ndp_cache *c, uint32_t pos)
{
	return c->v[c->heap[pos]].deadline;
}

static void heap_fix(struct ndp_cache *c, uint32_t pos)
{
	while (pos && key(c, pos) < key(c, (pos - 1) / 2)) {
		heap_swap(c, pos, (pos - 1) / 2);
		pos = (pos - 1) / 2;
	}
	for (;;) {
		uint32_t l = 2 * pos + 1, r = l + 1, m = pos;
		if (l < c->n && key(c, l) < key(c, m))
			m = l;
		if (r < c->n && key(c, r) < key(c, m))
			m = r;
		if (m == pos)
			break;
		heap_swap(c, pos, m);
		pos = m;
	}
}

static int rehash(struct ndp_cache *c, uint32_t nb)
{
	uint32_t *b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (uint32_t pos = 0; pos < c->n; pos++) {
		uint32_t i = c->heap[pos];
		uint32_t h = hash(c, &c->v[i].target) & (nb - 1);
		c->v[i].hnext = b[h];
		b[h] = i + 1;
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = nb;
	return 0;
}

struct ndp_entry *ndp_cache_add(struct ndp_cache *c, const struct in6_addr *target,
				int64_t deadline)
{
	struct ndp_entry *e;
	uint32_t i, h;

	if (c->n >= c->max)
		return NULL;
	if (!c->free_head && c->used == c->cap) {
		/* Grow by half: doubling would leave up to half the array
		 * allocated and unused at the cap. */
		uint32_t ncap = c->cap ? c->cap + c->cap / 2 : 64;
		if (ncap > c->max)
			ncap = c->max;
		if (v6_resize(&c->v, ncap, sizeof(*c->v)) < 0 ||
		    v6_resize(&c->heap, ncap, sizeof(*c->heap)) < 0)
			return NULL;
		c->cap = ncap;
	}
	if (c->n >= c->nbuckets && c->nbuckets < (1u << 30) && rehash(c, c->nbuckets * 2) < 0)
		return NULL;
	/* Recycled slots first; fresh ones are taken in order, so pages of
	 * the array beyond the high-water mark are never touched. */
	if (c->free_head) {
		i = c->free_head - 1;
		c->free_head = c->v[i].hnext;
	} else {
		i = c->used++;
	}
	e = &c->v[i];
	memset(e, 0, sizeof(*e));
	e->target = *target;
	e->deadline = deadline;
	h = hash(c, target) & (c->nbuckets - 1);
	e->hnext = c->buckets[h];
	c->buckets[h] = i + 1;
	e->heap = c->n;
	c->heap[c->n++] = i;
	heap_fix(c, e->heap);
	return e;
}

void ndp_cache_set_deadline(struct ndp_cache *c, struct ndp_entry *e, int64_t deadline)
{
	e->deadline = deadline;
	heap_fix(c, e->heap);
}

void ndp_cache_remove(struct ndp_cache *c, struct ndp_entry *e)
{
	uint32_t i = (uint32_t)(e - c->v), pos = e->heap;
	uint32_t *link = &c->buckets[hash(c, &e->target) & (c->nbuckets - 1)];

	while (*link != i + 1)
		link = &c->v[*link - 1].hnext;
	*link = e->hnext;
	if (pos != c->n - 1) {
		heap_swap(c, pos, c->n - 1);
		c->n--;
		heap_fix(c, pos);
	} else {
		c->n--;
	}
	e->hnext = c->free_head;
	c->free_head = i + 1;
}

struct ndp_entry *ndp_cache_earliest(const struct ndp_cache *c)
{
	return c->n ? &c->v[c->heap[0]] : NULL;
}

uint32_t ndp_cache_sweep(struct ndp_cache *c, ndp_cache_visit_fn fn, void *ctx)
{
	uint32_t removed = 0;

	for (uint32_t i = 0; i < c->used; i++) {
		struct ndp_entry *e = &c->v[i];
		/* A free slot's heap field is stale: only live entries sit in
		 * the heap's first n positions, each at its own. */
		if (e->heap >= c->n || c->heap[e->heap] != i)
			continue;
		if (fn(e, ctx)) {
			ndp_cache_remove(c, e);
			removed++;
		}
	}
	return removed;
}
