/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/lines.c: the config line iterator and word splitter. */
#include "unit.h"
#include "v6util.h"

#include <errno.h>

int main(void)
{
	struct v6_lines it;
	struct v6_err err;
	char *line, *w[4];

	const char *text = "# head\n\n   \t\nfrom 2001:db8::/48 dev a # tail\n\r\n  key value\nlast";
	v6_lines_init(&it, text, strlen(text), "t.conf");
	ok(v6_lines_next(&it, &line, &err) == 1 && it.lineno == 4 &&
	   !strcmp(line, "from 2001:db8::/48 dev a "), "comments and blank lines skipped, line 4 counted");
	ok(v6_line_split(line, w, 3) == 4 && !strcmp(w[3], "a"),
	   "more words than max: max + 1, the first extra word in words[max]");
	ok(v6_lines_next(&it, &line, &err) == 1 && it.lineno == 6 && v6_line_split(line, w, 3) == 2 &&
	   !strcmp(w[0], "key") && !strcmp(w[1], "value"), "CR-only line skipped; two words");
	ok(v6_lines_next(&it, &line, &err) == 1 && it.lineno == 7 && !strcmp(line, "last"),
	   "a last line without newline");
	ok(v6_lines_next(&it, &line, &err) == 0, "end");
	ok(v6_lines_next(&it, &line, &err) == 0, "end stays end");

	v6_lines_init(&it, "", 0, "t.conf");
	ok(v6_lines_next(&it, &line, &err) == 0, "empty text has no lines");

	v6_lines_init(&it, "a\nb\0c\n", 6, "t.conf");
	ok(v6_lines_next(&it, &line, &err) == 1, "line before the NUL");
	ok(v6_lines_next(&it, &line, &err) == -EINVAL, "a NUL byte is refused");
	is_str(err.msg, "t.conf:2: NUL byte in line", "with file:line");

	char big[3000];
	memset(big, 'x', sizeof(big));
	big[1023] = '\n'; /* line 1: 1023 bytes, the most allowed */
	v6_lines_init(&it, big, sizeof(big), "cmd");
	ok(v6_lines_next(&it, &line, &err) == 1 && strlen(line) == 1023, "1023-byte line accepted");
	ok(v6_lines_next(&it, &line, &err) == -EINVAL, "a longer line is refused");
	is_str(err.msg, "cmd:2: line longer than 1023 bytes", "with file:line and the limit");

	char words[] = "  a\tb  c ";
	ok(v6_line_split(words, w, 3) == 3 && !strcmp(w[0], "a") && !strcmp(w[2], "c"),
	   "split at any white space");
	char none[] = " \t";
	ok(v6_line_split(none, w, 3) == 0, "no words");
	return done_testing();
}
