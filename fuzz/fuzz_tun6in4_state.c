/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: tun6in4's readers of its runtime files, which `show`
 * and `down` trust after any crash or a stray edit.  The first byte
 * picks the reader: even, NAME.state; odd, NAME.stats. */
/* state.c wants GNU extensions, and conf.c comes first. */
#define _GNU_SOURCE
#include "../tools/tun6in4/conf.c"
#include "../tools/tun6in4/state.c"
#include "fuzz_argv.h"

static void state_mode(const uint8_t *data, size_t size)
{
	struct t64_state s;
	struct v6_err err;

	if (t64_state_parse((const char *)data, size, "fuzz", &s, &err) < 0)
		return;
	if ((s.mode != T64_MODE_KERNEL && s.mode != T64_MODE_USER) ||
	    !memchr(s.canon, '\0', sizeof(s.canon)))
		__builtin_trap();
	/* What was read is what the state says: its config reads back. */
	struct t64_conf again;
	t64_conf_defaults(&again);
	if (t64_conf_parse(&again, s.canon, strlen(s.canon), "canon", &err) < 0)
		__builtin_trap();
}

static void stats_mode(const uint8_t *data, size_t size)
{
	struct t64_stats st, back;
	char text[128];

	if (t64_stats_parse((const char *)data, size, &st) < 0)
		return;
	/* The record the daemon would write for these counters reads back. */
	int n = snprintf(text, sizeof(text), STATS_FMT, (unsigned long long)st.rx_dropped,
			 (unsigned long long)st.tx_dropped, (unsigned long long)st.ptb_sent);
	if (n <= 0 || t64_stats_parse(text, (size_t)n, &back) < 0 ||
	    memcmp(&st, &back, sizeof(st)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_two_modes(data, size, state_mode, stats_mode);
}
