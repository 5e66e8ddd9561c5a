/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/err.c: messages and the exit class they carry. */
#include "unit.h"
#include "v6sys.h"

#include <errno.h>

int main(void)
{
	struct v6_err err;

	ok(v6_err_set(&err, -EINVAL, "bad %s", "x") == -EINVAL && err.status == V6_EXIT_USAGE,
	   "EINVAL: bad input, exit 1");
	is_str(err.msg, "bad x", "message formatted");
	ok(v6_err_set(&err, -ERANGE, "r") == -ERANGE && err.status == V6_EXIT_USAGE, "ERANGE: exit 1");
	ok(v6_err_set(&err, -ENOENT, "f: gone") == -ENOENT && err.status == V6_EXIT_RUNTIME,
	   "other errnos: runtime, exit 2");
	ok(v6_err_input(&err, -ENOENT) == -ENOENT && err.status == V6_EXIT_USAGE,
	   "marked as bad input, the errno kept");
	is_str(err.msg, "f: gone", "marking keeps the message");
	ok(v6_err_prefix(&err, -ENOENT, "ctx") == -ENOENT && err.status == V6_EXIT_USAGE,
	   "a prefix keeps the class");
	is_str(err.msg, "ctx: f: gone", "prefix");
	ok(v6_err_set(NULL, -EIO, "x") == -EIO && v6_err_input(NULL, -EIO) == -EIO, "NULL err");
	ok(v6_err_class(-EINVAL) == 1 && v6_err_class(-EPERM) == 2 && v6_err_class(-ENOMEM) == 2,
	   "v6_err_class");

	/* The reader of a configuration file keeps the real errno while a
	 * tool exits 1: the class travels in the error. */
	char *buf;
	size_t len;
	int rc = v6_file_read("/nonexistent/v6kit.conf", &buf, &len, &err);
	ok(rc == -ENOENT && err.status == V6_EXIT_RUNTIME, "the reader itself says runtime");
	ok(v6_err_input(&err, rc) == -ENOENT && err.status == V6_EXIT_USAGE,
	   "a config loader marks it bad input");
	return done_testing();
}
