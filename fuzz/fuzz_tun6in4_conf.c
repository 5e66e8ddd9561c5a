/* libFuzzer harness: tun6in4's config parser on arbitrary bytes. */
#include "../tools/tun6in4/conf.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct t64_conf c, back;
	struct v6_err err;
	char canon[1024], canon2[1024];

	t64_conf_defaults(&c);
	if (t64_conf_parse(&c, (const char *)data, size, "fuzz", &err) != 0)
		return 0;
	/* Whatever parses must hold the ranges the rest of the tool relies on. */
	if (c.mtu < T64_MTU_MIN || c.mtu > T64_MTU_MAX || c.ttl > 255 ||
	    c.naddr > T64_MAX_ADDRS || c.max_starts < 1 || c.max_starts_secs < 1)
		__builtin_trap();
	for (unsigned i = 0; i < c.naddr; i++)
		if (c.addr[i].addr.family != AF_INET6 || c.addr[i].len > 128)
			__builtin_trap();
	/* The canonical text (the state file) of a tunnel that passes the
	 * checks must read back to itself. */
	if (!c.name[0])
		snprintf(c.name, sizeof(c.name), "t0");
	if (t64_conf_check(&c, &err) != 0)
		return 0;
	t64_conf_canon(&c, canon, sizeof(canon));
	t64_conf_defaults(&back);
	if (t64_conf_parse(&back, canon, strlen(canon), "canon", &err) != 0)
		__builtin_trap();
	t64_conf_canon(&back, canon2, sizeof(canon2));
	if (strcmp(canon, canon2))
		__builtin_trap();
	return 0;
}
