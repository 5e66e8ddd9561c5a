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

int main(void)
{
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
