/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal TAP producer for C unit tests (no root, no kernel). */
#ifndef V6_UNIT_H
#define V6_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_n, unit_failed;

#define ok(cond, ...)                                                          \
	do {                                                                   \
		unit_n++;                                                      \
		if (cond) {                                                    \
			printf("ok %d - ", unit_n);                            \
		} else {                                                       \
			unit_failed++;                                         \
			printf("not ok %d - %s:%d: ", unit_n, __FILE__, __LINE__); \
		}                                                              \
		printf(__VA_ARGS__);                                           \
		putchar('\n');                                                 \
	} while (0)

#define is_str(got, want, ...) \
	do { const char *g_ = (got), *w_ = (want); \
	     ok(g_ && !strcmp(g_, w_), __VA_ARGS__); \
	     if (!g_ || strcmp(g_, w_)) printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_); } while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", unit_n);
	return unit_failed ? 1 : 0;
}

#endif
