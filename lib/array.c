/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int v6_resize(void *pv, size_t n, size_t size)
{
	void *v, *nv;

	if (!n || n > SIZE_MAX / size)
		return -ENOMEM;
	/* pv is the address of the caller's typed pointer: copy the pointer
	 * out and back rather than write it through a void **. */
	memcpy(&v, pv, sizeof(v));
	if (!(nv = realloc(v, n * size)))
		return -ENOMEM;
	memcpy(pv, &nv, sizeof(nv));
	return 0;
}

int v6_grow(void *pv, size_t *cap, size_t need, size_t size)
{
	size_t nc;

	if (need <= *cap)
		return 0;
	/* Doubling keeps a run of appends linear; 8 is a few netlink replies. */
	for (nc = *cap ? *cap : 8; nc < need; nc *= 2)
		if (nc > SIZE_MAX / 2)
			return -ENOMEM;
	if (v6_resize(pv, nc, size) < 0)
		return -ENOMEM;
	*cap = nc;
	return 0;
}

int v6_append(void *pv, size_t *n, size_t *cap, const void *elem, size_t size)
{
	char *v;

	if (*n == SIZE_MAX || v6_grow(pv, cap, *n + 1, size) < 0)
		return -ENOMEM;
	memcpy(&v, pv, sizeof(v));
	memcpy(v + *n * size, elem, size);
	(*n)++;
	return 0;
}
