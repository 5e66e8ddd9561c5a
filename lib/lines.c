/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6util.h"

#include <errno.h>
#include <string.h>

void v6_lines_init(struct v6_lines *it, const char *text, size_t len, const char *source)
{
	memset(it, 0, sizeof(*it));
	it->p = text;
	it->end = text + len;
	it->source = source;
}

int v6_lines_next(struct v6_lines *it, char **line, struct v6_err *err)
{
	while (it->p < it->end) {
		const char *eol = memchr(it->p, '\n', (size_t)(it->end - it->p));
		size_t l = (size_t)((eol ? eol : it->end) - it->p);
		char *hash, *s;

		it->lineno++;
		if (l >= sizeof(it->buf))
			return v6_err_set(err, -EINVAL, "%s:%u: line longer than %zu bytes",
					  it->source, it->lineno, sizeof(it->buf) - 1);
		/* A NUL would end the line early and hide the rest from the
		 * parser: refuse it rather than read half a line. */
		if (memchr(it->p, '\0', l))
			return v6_err_set(err, -EINVAL, "%s:%u: NUL byte in line", it->source,
					  it->lineno);
		memcpy(it->buf, it->p, l);
		it->buf[l] = '\0';
		it->p = eol ? eol + 1 : it->end;
		if ((hash = strchr(it->buf, '#')))
			*hash = '\0';
		for (s = it->buf; *s && strchr(V6_LINE_SPACE, *s); s++)
			;
		if (*s) {
			*line = it->buf;
			return 1;
		}
	}
	return 0;
}

int v6_line_split(char *line, char **words, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *w = strtok_r(line, V6_LINE_SPACE, &save); w && n <= max;
	     w = strtok_r(NULL, V6_LINE_SPACE, &save))
		words[n++] = w;
	return n;
}
