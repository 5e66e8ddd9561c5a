/* Process plumbing: daemonizing with a readiness pipe, the pidfile. */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

/* Fork into the background; the parent waits until the child says it is
 * ready (or dies), so `ndproxy -d` fails with the child's setup errors. */
int ndp_daemonize(int *ready_fd, struct v6_err *err)
{
	int p[2], null;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return v6_err_set(err, -errno, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0)
		return v6_err_set(err, -errno, "fork: %s", strerror(errno));
	if (pid > 0) {
		char c;
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? V6_EXIT_OK : V6_EXIT_RUNTIME);
	}
	close(p[0]);
	setsid();
	if (chdir("/") < 0)
		return v6_err_set(err, -errno, "chdir /: %s", strerror(errno));
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		/* stderr stays until ready, so early fatal errors reach the user. */
		if (null > 2)
			close(null);
	}
	*ready_fd = p[1];
	return 0;
}

void ndp_daemon_ready(int ready_fd)
{
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (ready_fd >= 0) {
		if (write(ready_fd, "1", 1) < 0)
			log_warn("readiness pipe");
		close(ready_fd);
	}
}

int ndp_pidfile_write(const char *path, struct v6_err *err)
{
	char buf[32];
	int fd, n;

	/* 0644 whatever the umask: readable by all, writable by root only. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return v6_err_set(err, -errno, "pidfile %s: %s", path, strerror(errno));
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (fchmod(fd, 0644) < 0 || write(fd, buf, (size_t)n) != n) {
		int e = errno;
		close(fd);
		return v6_err_set(err, -e, "pidfile %s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}
