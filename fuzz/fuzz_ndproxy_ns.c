/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: ndproxy's NS parser and validator on arbitrary bytes
 * (an IPv6 packet as the packet socket delivers it), and the NA parser. */
#include "../tools/ndproxy/nd.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndp_ns ns;
	struct in6_addr t;
	enum ndp_verdict v = ndp_parse_ns(data, size, &ns);

	if (v >= NDP_PKT__N)
		__builtin_trap();
	if (v == NDP_PKT_OK) {
		/* What passes must be what the answer path relies on. */
		if (size < 64 || data[7] != 255 || ns.target.s6_addr[0] == 0xff ||
		    (ns.dad && ns.has_slla))
			__builtin_trap();
		uint8_t na[NDP_NA_LEN];
		ndp_build_na(na, &ns.dst, &ns.src, &ns.target, NDP_NA_SOLICITED, ns.slla);
		if (v6_csum6(&ns.dst, &ns.src, IPPROTO_ICMPV6, na + 40, 32) != 0)
			__builtin_trap();
	}
	ndp_parse_na_icmp(data, size, 255, &t);
	return 0;
}
