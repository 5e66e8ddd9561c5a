/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: srcroute's config parser on arbitrary bytes.  The
 * first byte picks the path, as wireguard-tools' config harness does:
 * even (seeds use 'f'), the rest is a config file; odd ('a'), the rest is
 * the words after `srcroute add`, split at NUL bytes. */
#include "../tools/srcroute/conf.c"
#include "fuzz_argv.h"

/* What the planner relies on for every entry, from a file or argv. */
static void check_entry(const struct sr_entry *e)
{
	if (!e->dev[0] || e->from.len > v6_family_bits(e->from.addr.family) ||
	    (e->has_via && e->via.family != e->from.addr.family) || sr_entry_prio(e) < 1 ||
	    sr_entry_prio(e) > SR_PRIO_MAX || (e->table[0] && v6_table_check(e->table, NULL) < 0))
		__builtin_trap();
}

static void file_mode(const uint8_t *data, size_t size)
{
	struct sr_conf conf;
	struct v6_err err;

	if (sr_conf_parse((const char *)data, size, "fuzz", &conf, &err) == 0) {
		for (size_t i = 0; i < conf.n; i++) {
			check_entry(&conf.v[i]);
			if (conf.v[i].owner[0]) /* a file's entries take the verb's owner */
				__builtin_trap();
		}
	}
	sr_conf_free(&conf);
}

static void argv_mode(const uint8_t *data, size_t size)
{
	struct fuzz_argv a;
	struct sr_entry e = { 0 };
	struct v6_err err;

	if (fuzz_argv_split(&a, data, size) < 0)
		return;
	if (sr_parse_entry(a.v, a.n, &e, &err) == 0)
		check_entry(&e);
	else if (!err.msg[0])
		__builtin_trap(); /* every refusal says why */
	fuzz_argv_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_two_modes(data, size, file_mode, argv_mode);
}
