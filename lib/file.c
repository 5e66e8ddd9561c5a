/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int v6_file_read(const char *path, char **out, size_t *outlen, struct v6_err *err)
{
	enum { CHUNK = 64 * 1024 };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;
	int fd, rc = 0;

	*out = NULL;
	*outlen = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return v6_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = v6_err_set(err, -EISDIR, "%s: is a directory", path);
		goto out;
	}
	for (;;) {
		if (cap - len < 4096) {
			/* One byte past the limit tells "exactly the limit" from "more". */
			size_t want = cap + CHUNK > V6_FILE_MAX + 1 ? V6_FILE_MAX + 1 : cap + CHUNK;
			char *nb = want > cap ? realloc(buf, want + 1) : buf;
			if (!nb) {
				rc = v6_err_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			buf = nb;
			cap = want;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = v6_err_set(err, -errno, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (!r)
			break;
		len += (size_t)r;
		if (len > V6_FILE_MAX) {
			rc = v6_err_set(err, -EFBIG, "%s: larger than %u MiB", path, V6_FILE_MAX >> 20);
			goto out;
		}
	}
out:
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	if (!buf && !(buf = malloc(1)))
		return v6_err_set(err, -ENOMEM, "out of memory");
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}
