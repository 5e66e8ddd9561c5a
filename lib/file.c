#include "v6util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int v6_file_read(const char *path, size_t max, char **out, size_t *outlen, struct v6_err *err)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;
	int rc = 0;

	*out = NULL;
	*outlen = 0;
	if (!f)
		return v6_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = v6_err_set(err, -EISDIR, "%s: is a directory", path);
		goto out;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536 + 1);
			if (!nb) {
				rc = v6_err_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			buf = nb;
			cap += 65536;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		if (!r)
			break;
		len += r;
		if (len > max) {
			rc = v6_err_set(err, -EFBIG, "%s: larger than %zu bytes", path, max);
			goto out;
		}
	}
	if (ferror(f))
		rc = v6_err_set(err, -EIO, "%s: read error", path);
out:
	fclose(f);
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
