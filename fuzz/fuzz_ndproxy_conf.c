/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: ndproxy's config parser on arbitrary bytes.  The
 * first byte picks the path, as wireguard-tools' config harness does:
 * even (seeds use 'f'), the rest is an ndppd-grammar file; odd ('a'), the
 * rest is the command line `-i UPSTREAM [-I|-a|-s] [-o DOWNSTREAM] -r
 * PREFIX...` as words split at NUL bytes: UPSTREAM, a method word
 * ("static", "iface" or "auto"), DOWNSTREAM, then the prefixes. */
#include "../tools/ndproxy/conf.c"
#include "fuzz_argv.h"

/* Whatever parses must satisfy what the daemon relies on. */
static void check_conf(const struct ndp_conf *conf)
{
	if (!conf->nproxies || conf->nwarn > NDP_MAX_WARN)
		__builtin_trap();
	for (size_t i = 0; i < conf->nproxies; i++) {
		const struct ndp_proxy *p = &conf->proxies[i];
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
}

static void file_mode(const uint8_t *data, size_t size)
{
	struct ndp_conf conf;
	struct v6_err err;

	if (ndp_conf_parse((const char *)data, size, "fuzz", &conf, &err) == 0) {
		check_conf(&conf);
		ndp_conf_free(&conf);
	}
}

static void argv_mode(const uint8_t *data, size_t size)
{
	struct fuzz_argv a;
	struct ndp_conf conf;
	struct v6_err err;

	if (fuzz_argv_split(&a, data, size) < 0)
		return;
	if (a.n >= 3) {
		enum ndp_method m = !strcmp(a.v[1], "iface") ? NDP_IFACE
				    : !strcmp(a.v[1], "auto") ? NDP_AUTO : NDP_STATIC;
		if (ndp_conf_cmdline(a.v[0], a.v + 3, (size_t)(a.n - 3), m, a.v[2], &conf,
				     &err) == 0) {
			check_conf(&conf);
			if (conf.proxies[0].nrules != (size_t)(a.n - 3))
				__builtin_trap(); /* one rule per -r PREFIX */
			ndp_conf_free(&conf);
		}
	}
	fuzz_argv_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_two_modes(data, size, file_mode, argv_mode);
}
