/* SPDX-License-Identifier: GPL-2.0-or-later */
/* For harnesses that fuzz a parser's command-line path: the input becomes
 * argv, split at NUL bytes, as a shell would hand the words over (a word
 * can hold anything but NUL); and the two-mode entry point. */
#ifndef FUZZ_ARGV_H
#define FUZZ_ARGV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ARGV_MAX 64

struct fuzz_argv {
	char *buf; /* owns the words */
	char *v[FUZZ_ARGV_MAX + 1];
	int n;
};

/* Returns 0, or -1 when out of memory; free with fuzz_argv_free(). */
static int fuzz_argv_split(struct fuzz_argv *a, const uint8_t *data, size_t size)
{
	a->n = 0;
	if (!(a->buf = malloc(size + 1)))
		return -1;
	memcpy(a->buf, data, size);
	a->buf[size] = '\0';
	for (size_t i = 0; i <= size && a->n < FUZZ_ARGV_MAX;) {
		a->v[a->n++] = a->buf + i;
		i += strlen(a->buf + i) + 1;
		if (i > size)
			break;
	}
	a->v[a->n] = NULL;
	return 0;
}

static void fuzz_argv_free(struct fuzz_argv *a)
{
	free(a->buf);
}

/* A harness with two paths into one parser, as wireguard-tools' config
 * harness has: the first byte picks one (even or odd), the rest is its
 * input. */
static int fuzz_two_modes(const uint8_t *data, size_t size,
			  void (*even)(const uint8_t *, size_t), void (*odd)(const uint8_t *, size_t))
{
	if (size)
		(data[0] & 1 ? odd : even)(data + 1, size - 1);
	return 0;
}

#endif
