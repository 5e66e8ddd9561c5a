/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6util.h"

#include <errno.h>
#include <string.h>

bool v6_table_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= V6_TABLE_NAME_MAX || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '#')
			return false;
	return true;
}

int v6_table_check(const char *s, struct v6_err *err)
{
	static const char *const system[] = { "unspec", "default", "main", "local" };
	uint32_t id;

	/* Callers keep the table as written, in V6_TABLE_NAME_MAX bytes: a
	 * number padded with zeros past that would be cut to another table. */
	if (strlen(s) >= V6_TABLE_NAME_MAX)
		goto bad;
	if (*s >= '0' && *s <= '9') {
		/* Not a number at all: the parser's message names the range. */
		if (v6_parse_u32(s, 1, UINT32_MAX, &id, "table", err) < 0)
			return -EINVAL;
		if (id >= 253 && id <= 255)
			goto bad;
		return 0;
	}
	if (!v6_table_name_ok(s))
		goto bad;
	for (size_t i = 0; i < sizeof(system) / sizeof(system[0]); i++)
		if (!strcmp(s, system[i]))
			goto bad;
	return 0;
bad:
	return v6_err_set(err, -EINVAL,
			  "table must be a number or a name of 1-%d bytes, not a system table: '%s'",
			  V6_TABLE_NAME_MAX - 1, s);
}
