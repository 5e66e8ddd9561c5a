/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: tun6in4's config parser on arbitrary bytes.  The
 * first byte picks the path, as wireguard-tools' config harness does:
 * even (seeds use 'f'), the rest is a config file; odd ('a'), the rest is
 * the KEY VALUE words after `tun6in4 up NAME`, split at NUL bytes. */
#include "../tools/tun6in4/conf.c"
#include "fuzz_argv.h"

/* Whatever parses must hold the ranges the rest of the tool relies on,
 * and the canonical text (the state file) of a tunnel that passes the
 * checks must read back to itself. */
static void check_conf(struct t64_conf *c)
{
	struct t64_conf back;
	struct v6_err err;
	char canon[1024], canon2[1024];

	if (c->mtu < T64_MTU_MIN || c->mtu > T64_MTU_MAX || c->ttl > 255 ||
	    c->naddr > T64_MAX_ADDRS || c->max_starts < 1 || c->max_starts_secs < 1 ||
	    (c->table[0] && v6_table_check(c->table, NULL) < 0))
		__builtin_trap();
	for (unsigned i = 0; i < c->naddr; i++)
		if (c->addr[i].addr.family != AF_INET6 || c->addr[i].len > 128)
			__builtin_trap();
	if (!c->name[0])
		snprintf(c->name, sizeof(c->name), "t0");
	if (t64_conf_check(c, &err) != 0)
		return;
	t64_conf_canon(c, canon, sizeof(canon));
	t64_conf_defaults(&back);
	if (t64_conf_parse(&back, canon, strlen(canon), "canon", &err) != 0)
		__builtin_trap();
	t64_conf_canon(&back, canon2, sizeof(canon2));
	if (strcmp(canon, canon2))
		__builtin_trap();
}

static void file_mode(const uint8_t *data, size_t size)
{
	struct t64_conf c;
	struct v6_err err;

	t64_conf_defaults(&c);
	if (t64_conf_parse(&c, (const char *)data, size, "fuzz", &err) == 0)
		check_conf(&c);
}

/* As `up NAME KEY VALUE...` hands each pair to t64_conf_set (from_file
 * false: file-only keys are refused there). */
static void argv_mode(const uint8_t *data, size_t size)
{
	struct fuzz_argv a;
	struct t64_conf c;
	struct v6_err err;
	int i;

	if (fuzz_argv_split(&a, data, size) < 0)
		return;
	t64_conf_defaults(&c);
	for (i = 0; i < a.n; i += 2)
		if (t64_conf_set(&c, a.v[i], i + 1 < a.n ? a.v[i + 1] : NULL, false, &err) < 0)
			break;
	if (i >= a.n)
		check_conf(&c);
	fuzz_argv_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_two_modes(data, size, file_mode, argv_mode);
}
