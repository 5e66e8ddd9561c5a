/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy's cache: O(1) find, the deadline heap, the bound, removal. */
#include "../../tools/ndproxy/ndproxy.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static struct in6_addr addr(uint32_t i)
{
	struct in6_addr a = { { { 0x20, 0x01, 0x0d, 0xb8, 0, 1 } } };
	a.s6_addr[12] = (uint8_t)(i >> 24);
	a.s6_addr[13] = (uint8_t)(i >> 16);
	a.s6_addr[14] = (uint8_t)(i >> 8);
	a.s6_addr[15] = (uint8_t)i;
	return a;
}

static bool heap_ok(const struct ndp_cache *c)
{
	for (uint32_t i = 1; i < c->n; i++)
		if (c->v[c->heap[i]].deadline < c->v[c->heap[(i - 1) / 2]].deadline ||
		    c->v[c->heap[i]].heap != i)
			return false;
	return true;
}

struct sweep_count {
	uint32_t visits, seen_twice;
	uint8_t *seen;
};

/* Removes targets whose low byte is odd; counts every visit. */
static bool odd_ones(struct ndp_entry *e, void *arg)
{
	struct sweep_count *sc = arg;
	uint32_t id = (uint32_t)e->target.s6_addr[14] << 8 | e->target.s6_addr[15];

	sc->visits++;
	sc->seen_twice += sc->seen[id]++ != 0;
	return e->target.s6_addr[15] & 1;
}

/* One pass, each entry visited once, whatever removal does to the heap. */
static void sweep(void)
{
	struct ndp_cache c;
	const uint32_t N = 20000;
	struct sweep_count sc = { .seen = calloc(65536, 1) };

	ndp_cache_init(&c, N, 7);
	srand(3);
	for (uint32_t i = 0; i < N; i++) {
		struct in6_addr a = addr(i);
		ndp_cache_add(&c, &a, rand() % 1000);
	}
	/* Some slots free and reused, as in a running daemon. */
	for (uint32_t i = 0; i < N; i += 7) {
		struct in6_addr a = addr(i);
		ndp_cache_remove(&c, ndp_cache_find(&c, &a));
	}
	uint32_t live = c.n, odd = 0;
	for (uint32_t i = 0; i < N; i++) {
		struct in6_addr a = addr(i);
		odd += ndp_cache_find(&c, &a) && (i & 1);
	}
	uint32_t removed = ndp_cache_sweep(&c, odd_ones, &sc);
	ok(sc.visits == live && sc.seen_twice == 0,
	   "sweep visits each of %u entries once (%u visits, %u repeats)", live, sc.visits,
	   sc.seen_twice);
	ok(removed == odd && c.n == live - odd && heap_ok(&c), "removed the %u odd ones, heap ordered",
	   odd);
	bool right = true;
	for (uint32_t i = 0; i < N; i++) {
		struct in6_addr a = addr(i);
		bool want = i % 7 && !(i & 1);
		right &= (ndp_cache_find(&c, &a) != NULL) == want;
	}
	ok(right, "exactly the others remain findable");
	sc.visits = 0;
	memset(sc.seen, 0, 65536);
	ok(ndp_cache_sweep(&c, odd_ones, &sc) == 0 && sc.visits == c.n, "a second sweep sees %u", c.n);
	free(sc.seen);
	ndp_cache_free(&c);
}

int main(void)
{
	sweep();
	struct ndp_cache c;
	const uint32_t N = 5000;

	ok(ndp_cache_init(&c, N, 42) == 0, "init");
	ok(ndp_cache_earliest(&c) == NULL, "empty");
	srand(1);
	for (uint32_t i = 0; i < N; i++) {
		struct in6_addr a = addr(i);
		if (!ndp_cache_add(&c, &a, rand() % 100000))
			break;
	}
	ok(c.n == N, "filled to the bound");
	struct in6_addr extra = addr(N);
	ok(ndp_cache_add(&c, &extra, 1) == NULL, "full: refuses more");
	ok(heap_ok(&c), "heap ordered");
	bool all = true;
	for (uint32_t i = 0; i < N; i++) {
		struct in6_addr a = addr(i);
		struct ndp_entry *e = ndp_cache_find(&c, &a);
		all &= e && !memcmp(&e->target, &a, 16);
	}
	ok(all, "every entry found");
	ok(ndp_cache_find(&c, &extra) == NULL, "absent entry not found");
	/* Remove every other one, then drain in deadline order. */
	for (uint32_t i = 0; i < N; i += 2) {
		struct in6_addr a = addr(i);
		ndp_cache_remove(&c, ndp_cache_find(&c, &a));
	}
	ok(c.n == N / 2 && heap_ok(&c), "half removed, heap still ordered");
	struct in6_addr a1 = addr(1);
	ok(ndp_cache_find(&c, &a1) != NULL && ndp_cache_find(&c, &(struct in6_addr){ 0 }) == NULL,
	   "survivors found");
	struct ndp_entry *e = ndp_cache_find(&c, &a1);
	ndp_cache_set_deadline(&c, e, -5);
	ok(ndp_cache_earliest(&c) == e, "moved to the front");
	int64_t last = -1000;
	bool sorted = true;
	while ((e = ndp_cache_earliest(&c))) {
		sorted &= e->deadline >= last;
		last = e->deadline;
		ndp_cache_remove(&c, e);
	}
	ok(sorted && c.n == 0, "drained in deadline order");
	/* Slots are reused: refilling does not grow the arrays. */
	uint32_t cap = c.cap;
	for (uint32_t i = 0; i < N; i++) {
		struct in6_addr a = addr(i + 7);
		ndp_cache_add(&c, &a, i);
	}
	ok(c.cap == cap && c.n == N, "slots reused");
	ok(sizeof(struct ndp_entry) <= 112, "entry is %zu bytes", sizeof(struct ndp_entry));
	is_str(ndp_state_name(NDP_VALID), "valid", "state names");
	ndp_cache_free(&c);
	return done_testing();
}
