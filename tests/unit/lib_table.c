/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/table.c: the one rule for tables a tool fills. */
#include "unit.h"
#include "v6util.h"

#include <errno.h>

/* v6util.h is the pure side: including it brings no file or system I/O. */
#if defined(V6SYS_H) || defined(V6_FILE_MAX) || defined(V6_RUNDIR_DEFAULT)
#error "v6util.h declares file or system I/O"
#endif

int main(void)
{
	struct v6_err err;
	const char *good[] = { "1", "100", "252", "256", "4294967295", "uplink", "he-net_0.v6",
			       "a/b", "sixxs0", "t" };
	const char *bad[] = { "", "0", "253", "254", "255", "4294967296", "0x10", "main", "local",
			      "default", "unspec", "two words", "tab\tbed", "a#b", "1abc", "caf\xc3\xa9" };
	char longest[64], toolong[65];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(v6_table_check(good[i], &err) == 0, "table '%s' accepted", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(v6_table_check(bad[i], &err) == -EINVAL && strstr(err.msg, bad[i]),
		   "table '%s' refused, quoted in the message", bad[i]);
	is_str((v6_table_check("0x10", &err), err.msg), "table must be 1-4294967295: '0x10'",
	       "a word starting with a digit is a number: its range is named");
	is_str((v6_table_check("main", &err), err.msg),
	       "table must be a number or a name of 1-63 bytes, not a system table: 'main'",
	       "one message for every refusal");
	memset(longest, 'x', sizeof(longest));
	longest[63] = '\0';
	memset(toolong, 'x', sizeof(toolong));
	toolong[64] = '\0';
	ok(v6_table_check(longest, &err) == 0, "a 63-byte name (rt_tables' name buffer) accepted");
	ok(v6_table_check(toolong, &err) == -EINVAL, "a 64-byte name refused");
	memset(longest, '0', sizeof(longest));
	memcpy(longest + 61, "80", 3);
	ok(v6_table_check(longest, &err) == 0, "a 63-byte number with leading zeros accepted");
	memset(toolong, '0', sizeof(toolong));
	memcpy(toolong + 62, "80", 3);
	ok(v6_table_check(toolong, &err) == -EINVAL && strstr(err.msg, "1-63 bytes"),
	   "a 64-byte number refused: stored in 64 bytes it would become table 0 or 8");
	ok(v6_table_name_ok("main"), "main is a name (only filling it is refused)");
	ok(!v6_table_name_ok("100"), "a number is not a name");
	return done_testing();
}
