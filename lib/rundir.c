/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6sys.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* An empty variable counts as unset, as in the shell's ${VAR:-default}
 * that the scripts use for the same variables. */
static const char *env_dir(const char *var, const char *dflt)
{
	const char *dir = getenv(var);

	return dir && *dir ? dir : dflt;
}

const char *v6_rundir(void)
{
	return env_dir("V6KIT_RUNDIR", V6_RUNDIR_DEFAULT);
}

const char *v6_statedir(void)
{
	return env_dir("V6KIT_STATEDIR", V6_STATEDIR_DEFAULT);
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14; older headers lack it */
#endif

int v6_netns_key(int sock, char *buf, size_t len, struct v6_err *err)
{
	struct stat st;
	uint64_t cookie;
	socklen_t cl = sizeof(cookie);
	int fd = sock >= 0 ? sock : socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool got;

	/* A cookie is never reused, so a namespace created later never
	 * inherits a deleted one's state; older kernels have only the
	 * namespace's inode. */
	got = fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &cl) == 0 &&
	      cl == sizeof(cookie);
	if (fd >= 0 && fd != sock)
		close(fd);
	if (got) {
		snprintf(buf, len, "netns-%llu", (unsigned long long)cookie);
		return 0;
	}
	if (stat("/proc/self/ns/net", &st) < 0)
		return v6_err_set(err, -errno, "/proc/self/ns/net: %s", strerror(errno));
	snprintf(buf, len, "net-%llu", (unsigned long long)st.st_ino);
	return 0;
}

int v6_mkdirs(const char *path, struct v6_err *err)
{
	char p[4096];
	size_t n = strlen(path);

	if (!n || n >= sizeof(p))
		return v6_err_set(err, -ENAMETOOLONG, "directory path too long: '%s'", path);
	memcpy(p, path, n + 1);
	for (char *s = p + 1;; s++) {
		if ((*s && *s != '/') || (*s == '/' && s[-1] == '/'))
			continue;
		char c = *s;
		struct stat st;
		*s = '\0';
		if (mkdir(p, 0755) < 0) {
			int e = errno;
			if (e != EEXIST)
				return v6_err_set(err, -e, "%s: %s", p, strerror(e));
			/* EEXIST also for a file or a dangling link: only a
			 * directory will do. */
			if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
				return v6_err_set(err, -ENOTDIR, "%s: %s", p, strerror(ENOTDIR));
		}
		*s = c;
		if (!c)
			return 0;
	}
}
