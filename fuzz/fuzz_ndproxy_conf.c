/* libFuzzer harness: ndproxy's config parser (ndppd grammar) on arbitrary
 * bytes. */
#include "../tools/ndproxy/conf.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndp_conf conf;
	struct v6_err err;

	if (ndp_conf_parse((const char *)data, size, "fuzz", &conf, &err) == 0) {
		/* Whatever parses must satisfy what the daemon relies on. */
		if (!conf.nproxies || conf.nwarn > NDP_MAX_WARN)
			__builtin_trap();
		for (size_t i = 0; i < conf.nproxies; i++) {
			const struct ndp_proxy *p = &conf.proxies[i];
			if (!p->iface[0] || !p->nrules || p->nrules > 65535 || p->ttl_ms < 1000)
				__builtin_trap();
			for (size_t j = 0; j < p->nrules; j++) {
				const struct ndp_rule *r = &p->rules[j];
				if (r->prefix.len > 128 || r->prefix.addr.family != AF_INET6 ||
				    (r->method == NDP_IFACE && !r->iface[0]) ||
				    ndp_rule_match(p, &r->prefix.addr.v6) == NULL)
					__builtin_trap();
			}
		}
		ndp_conf_free(&conf);
	}
	return 0;
}
