/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6sys.h"

#include <time.h>

/* clock_gettime() cannot fail with a valid clock id and pointer: these
 * clocks exist on every kernel v6kit runs on (COARSE since 2.6.32). */
static struct timespec now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts;
}

int64_t v6_mono_ms(void)
{
	struct timespec ts = now(CLOCK_MONOTONIC);

	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t v6_mono_ns(void)
{
	struct timespec ts = now(CLOCK_MONOTONIC);

	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t v6_mono_coarse_ms(void)
{
	struct timespec ts = now(CLOCK_MONOTONIC_COARSE);

	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
