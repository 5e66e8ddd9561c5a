/* libFuzzer harness: srcroute's config parser on arbitrary bytes. */
#include "../tools/srcroute/conf.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sr_conf conf;
	struct v6_err err;

	if (sr_conf_parse((const char *)data, size, "fuzz", &conf, &err) == 0) {
		/* Whatever parses must satisfy what the planner relies on. */
		for (size_t i = 0; i < conf.n; i++) {
			const struct sr_entry *e = &conf.v[i];
			if (!e->dev[0] || e->from.len > v6_family_bits(e->from.addr.family) ||
			    (e->has_via && e->via.family != e->from.addr.family) ||
			    sr_entry_prio(e) < 1 || sr_entry_prio(e) > SR_PRIO_MAX ||
			    e->owner[0] /* a file's entries take the verb's owner */)
				__builtin_trap();
		}
	}
	sr_conf_free(&conf);
	return 0;
}
