/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6util.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

int v6_err_class(int rc)
{
	return rc == -EINVAL || rc == -ERANGE ? V6_EXIT_USAGE : V6_EXIT_RUNTIME;
}

int v6_err_input(struct v6_err *err, int rc)
{
	if (err)
		err->status = V6_EXIT_USAGE;
	return rc;
}

int v6_err_set(struct v6_err *err, int rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->status = v6_err_class(rc);
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}

int v6_err_prefix(struct v6_err *err, int rc, const char *fmt, ...)
{
	if (err) {
		char head[256], old[sizeof(err->msg)];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(head, sizeof(head), fmt, ap);
		va_end(ap);
		memcpy(old, err->msg, sizeof(old));
		/* Two bounded steps: gcc 12 cannot prove one "%s: %s" fits. */
		int n = snprintf(err->msg, sizeof(err->msg), "%s: ", head);
		if (n > 0 && (size_t)n < sizeof(err->msg))
			snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, "%.*s",
				 (int)(sizeof(err->msg) - (size_t)n - 1), old);
	}
	return rc;
}
