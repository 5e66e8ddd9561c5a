/* Process plumbing: privilege drop with capabilities kept through raw
 * prctl/capset system calls (no libcap), daemonizing with a readiness
 * pipe, systemd's notify protocol without libsystemd, the pidfile. */
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

int ndp_drop_privileges(const char *user, bool keep_admin, struct v6_err *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	uint32_t keep = 1u << CAP_NET_RAW;
	struct passwd *pw;

	if (keep_admin)
		keep |= 1u << CAP_NET_ADMIN;
	if (!(pw = getpwnam(user)))
		return v6_err_set(err, -ENOENT, "user '%s': no such user", user);
	if (pw->pw_uid == 0)
		return v6_err_set(err, -EINVAL, "user '%s': refusing to run as root", user);
	/* Shrink the bounding set while we still may, so nothing we exec
	 * (nothing, today) could regain the rest. */
	for (int cap = 0; cap <= 63; cap++) {
		if (cap < 32 && (keep & (1u << cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return v6_err_set(err, -errno, "dropping capability %d: %s", cap,
					  strerror(errno));
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(1, &pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return v6_err_set(err, -errno, "switching to user '%s': %s", user, strerror(errno));
	data[0].effective = data[0].permitted = keep;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return v6_err_set(err, -errno, "capset: %s", strerror(errno));
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	log_info("running as %s with CAP_NET_RAW%s", user, keep_admin ? " and CAP_NET_ADMIN" : "");
	return 0;
}

/* systemd's sd_notify protocol: datagrams to $NOTIFY_SOCKET.  Connected
 * at start, while we may still reach a socket only root can open. */
static int notify_fd = -1;

void ndp_notify_open(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path) ||
	    (path[0] != '/' && path[0] != '@'))
		return;
	strcpy(sa.sun_path, path);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (connect(notify_fd, (struct sockaddr *)&sa, len) < 0) {
		log_warn("notify socket %s", path);
		close(notify_fd);
		notify_fd = -1;
	}
}

void ndp_notify(const char *state)
{
	if (notify_fd >= 0 && send(notify_fd, state, strlen(state), MSG_NOSIGNAL) < 0)
		log_warn("notify");
}

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
