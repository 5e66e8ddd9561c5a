/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/file.c: the one whole-file reader and its one limit. */
#include "unit.h"
#include "v6sys.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file of `size` bytes of comment lines ("#...\n"). */
static void write_comments(const char *path, size_t size)
{
	FILE *f = fopen(path, "w");
	char line[64];

	memset(line, 'x', sizeof(line));
	line[0] = '#';
	line[sizeof(line) - 1] = '\n';
	for (size_t left = size; left;) {
		size_t n = left < sizeof(line) ? left : sizeof(line);
		fwrite(line + sizeof(line) - n, 1, n, f);
		left -= n;
	}
	fclose(f);
}

int main(void)
{
	char dir[] = "/tmp/v6kit-unit.XXXXXX", path[256], *buf;
	struct v6_err err;
	size_t len;

	ok(mkdtemp(dir) != NULL, "scratch dir");
	snprintf(path, sizeof(path), "%s/small.conf", dir);
	FILE *f = fopen(path, "w");
	fputs("remote 192.0.2.1\n", f);
	fclose(f);
	ok(v6_file_read(path, &buf, &len, &err) == 0 && len == 17 && buf[len] == '\0' &&
	   !strcmp(buf, "remote 192.0.2.1\n"), "reads a whole file, NUL-terminated");
	free(buf);

	snprintf(path, sizeof(path), "%s/empty.conf", dir);
	fclose(fopen(path, "w"));
	ok(v6_file_read(path, &buf, &len, &err) == 0 && len == 0 && buf && buf[0] == '\0',
	   "an empty file is an empty string, not NULL");
	free(buf);

	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	ok(v6_file_read(path, &buf, &len, &err) == -ENOENT && !buf && !len &&
	   !strncmp(err.msg, path, strlen(path)), "a missing file is -ENOENT naming the file");
	ok(v6_file_read(dir, &buf, &len, &err) == -EISDIR && strstr(err.msg, dir) &&
	   strstr(err.msg, "is a directory"), "a directory is -EISDIR naming it");

	/* The one limit: exactly V6_FILE_MAX is read, one byte more is not.
	 * 1 MiB and 64 KiB, the limits of the readers this one replaced,
	 * are far below it. */
	snprintf(path, sizeof(path), "%s/max.conf", dir);
	write_comments(path, V6_FILE_MAX);
	ok(v6_file_read(path, &buf, &len, &err) == 0 && len == V6_FILE_MAX &&
	   buf[len - 1] == '\n' && buf[len] == '\0', "a file of exactly V6_FILE_MAX bytes is read");
	free(buf);
	write_comments(path, V6_FILE_MAX + 1);
	ok(v6_file_read(path, &buf, &len, &err) == -EFBIG && !buf, "one byte more is -EFBIG");
	char want[300];
	snprintf(want, sizeof(want), "%s: larger than 16 MiB", path);
	is_str(err.msg, want, "the error names the file and the limit");
	unlink(path);

	snprintf(path, sizeof(path), "%s/secret.conf", dir);
	fclose(fopen(path, "w"));
	chmod(path, 0);
	if (geteuid() != 0) {
		ok(v6_file_read(path, &buf, &len, &err) == -EACCES && strstr(err.msg, path),
		   "an unreadable file is -EACCES naming it");
	} else {
		ok(1, "# skip unreadable file: root reads it anyway");
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/small.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/empty.conf", dir);
	unlink(path);
	rmdir(dir);
	return done_testing();
}
