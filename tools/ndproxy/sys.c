/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process plumbing: instance names and their files, daemonizing with a
 * readiness pipe that carries setup errors back to the parent, the
 * pidfile, the instance lock, claims on upstream interfaces, and the
 * helper that removes the pidfile and control socket at exit. */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int ndp_instance_check(const char *name, struct v6_err *err)
{
	if (!v6_name_ok(name, 32)) {
		char shown[140];
		ndp_vis(shown, sizeof(shown), name);
		return v6_err_set(err, -EINVAL,
				  "instance name must be 1-32 of " V6_NAME_CHARS ": '%s'", shown);
	}
	return 0;
}

int ndp_instance_path(char *buf, size_t len, const char *netns, const char *instance,
		      const char *suffix)
{
	int n = snprintf(buf, len, "%s/ndproxy%s%s%s%s.%s", v6_rundir(), netns ? "." : "",
			 netns ? netns : "", instance ? "@" : "", instance ? instance : "", suffix);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- daemonizing ---------------------------------------------------- */

/* Fork into the background; the parent waits until the child reports
 * readiness ("0") or a setup error (exit status digit, then the message),
 * prints the error itself and exits with that status: `ndproxy -d` fails
 * visibly even where syslog goes nowhere (no /dev/log). */
int ndp_daemonize(int *ready_fd, struct v6_err *err)
{
	int p[2], null;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return v6_err_set(err, -errno, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0)
		return v6_err_set(err, -errno, "fork: %s", strerror(errno));
	if (pid > 0) {
		char msg[600];
		size_t n = 0;
		ssize_t r;

		close(p[1]);
		while (n < sizeof(msg) - 1 && (r = read(p[0], msg + n, sizeof(msg) - 1 - n)) != 0) {
			if (r < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			n += (size_t)r;
		}
		msg[n] = '\0';
		if (n >= 1 && msg[0] == '0')
			_exit(V6_EXIT_OK);
		if (n >= 2 && (msg[0] == '1' || msg[0] == '2')) {
			fprintf(stderr, "ndproxy: %s\n", msg + 1);
			_exit(msg[0] - '0');
		}
		fprintf(stderr, "ndproxy: the daemon exited during setup\n");
		_exit(V6_EXIT_RUNTIME);
	}
	close(p[0]);
	setsid();
	if (chdir("/") < 0)
		return v6_err_set(err, -errno, "chdir /: %s", strerror(errno));
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	*ready_fd = p[1];
	return 0;
}

static int setup_ready_fd = -1;

void ndp_setup_pipe(int ready_fd)
{
	setup_ready_fd = ready_fd;
}

void ndp_setup_fail(int status, const char *fmt, ...)
{
	char msg[512], out[sizeof(msg) + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s", msg);
	if (setup_ready_fd >= 0) {
		int n = snprintf(out, sizeof(out), "%d%s", status, msg);
		if (write(setup_ready_fd, out, (size_t)n) < 0)
			log_warn("readiness pipe");
	}
	exit(status);
}

void ndp_daemon_ready(void)
{
	if (setup_ready_fd >= 0) {
		if (write(setup_ready_fd, "0", 1) < 0)
			log_warn("readiness pipe");
		close(setup_ready_fd);
		setup_ready_fd = -1;
	}
}

/* ---- files ---------------------------------------------------------- */

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

int ndp_mkdir_for(const char *path, struct v6_err *err)
{
	char dir[300];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if (!(slash = strrchr(dir, '/')) || slash == dir)
		return 0;
	*slash = '\0';
	return v6_mkdirs(dir, err);
}

/* Does a live daemon answer on sock_path?  One on its way out may still
 * accept a connection, but never replies. */
static bool answers(const char *sock_path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	bool yes = false;
	char c;

	if (fd < 0)
		return false;
	if (strlen(sock_path) < sizeof(sa.sun_path)) {
		strcpy(sa.sun_path, sock_path);
		yes = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		      write(fd, "text\n", 5) == 5 && poll(&pf, 1, 1000) == 1 && read(fd, &c, 1) == 1;
	}
	close(fd);
	return yes;
}

/* One daemon per instance: an flock held for the process's life (and its
 * cleanup helper's), so two starts can never both pass.  The file itself
 * stays; removing a lock file races with the next start.  A holder whose
 * control socket does not answer is an instance on its way out (its
 * helper still cleaning up, and closing sockets can take the kernel a
 * while): worth a wait of up to 10 s, as a restart right after a crash
 * would otherwise fail. */
int ndp_lock_instance(const char *path, const char *sock_path, const char *what, int *fd_out,
		      struct v6_err *err)
{
	int fd, rc;

	if ((rc = ndp_mkdir_for(path, err)) < 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return v6_err_set(err, -errno, "%s: %s", path, strerror(errno));
	int64_t give_up = v6_mono_ms() + 10000;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		if (e == EWOULDBLOCK && v6_mono_ms() < give_up && !answers(sock_path)) {
			usleep(50000);
			continue;
		}
		close(fd);
		if (e == EWOULDBLOCK)
			return v6_err_set(err, -EADDRINUSE, "%s is already running", what);
		return v6_err_set(err, -e, "%s: %s", path, strerror(e));
	}
	*fd_out = fd;
	return 0;
}

/* ---- upstream claims -------------------------------------------------- */

/* An upstream link is answered for by one daemon only.  The claim is an
 * abstract AF_UNIX address: scoped to the network namespace like the
 * interface itself, released by the kernel however the daemon ends, and
 * taken without any file the unprivileged daemon could not create at a
 * reload.  A second address carries the instance name for the message. */
#define CLAIM_PREFIX "v6kit/ndproxy/upstream/"

static int bind_abstract(const char *name, int *fd_out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	int fd;

	if (n + 1 > sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path + 1, name, n);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	*fd_out = fd;
	return 0;
}

/* Which instance holds iface's claim, from the kernel's list of unix
 * sockets in this namespace; "" for the unnamed one, NULL if unknown. */
static const char *claim_holder(const char *iface, char *buf, size_t len)
{
	char line[512], want[128];
	FILE *f = fopen("/proc/net/unix", "re");
	const char *found = NULL;

	if (!f)
		return NULL;
	snprintf(want, sizeof(want), "@" CLAIM_PREFIX "%s/by/", iface);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, want);
		if (!p)
			continue;
		p += strlen(want);
		p[strcspn(p, "\n")] = '\0';
		snprintf(buf, len, "%s", p);
		found = buf;
		break;
	}
	fclose(f);
	return found;
}

int ndp_claim_upstream(const char *iface, const char *instance, int fds[2], struct v6_err *err)
{
	char name[128], holder[64];
	const char *who;
	int rc;

	snprintf(name, sizeof(name), CLAIM_PREFIX "%s", iface);
	for (int tries = 0; (rc = bind_abstract(name, &fds[0])) < 0; tries++) {
		if (rc != -EADDRINUSE)
			return v6_err_set(err, rc, "claiming upstream %s: %s", iface, strerror(-rc));
		who = claim_holder(iface, holder, sizeof(holder));
		/* Our own instance name, while we hold its lock: a predecessor
		 * still closing its sockets on the way out. */
		if (who && !strcmp(who, instance ? instance : "") && tries < 200) {
			usleep(50000);
			continue;
		}
		if (who && *who)
			return v6_err_set(err, -EADDRINUSE,
					  "upstream interface %s is already answered for by ndproxy "
					  "instance '%s'", iface, who);
		return v6_err_set(err, -EADDRINUSE,
				  "upstream interface %s is already answered for by %s", iface,
				  who ? "the unnamed ndproxy instance" : "another ndproxy");
	}
	/* Nothing after "by/": the unnamed instance. */
	snprintf(name, sizeof(name), CLAIM_PREFIX "%s/by/%s", iface, instance ? instance : "");
	if (bind_abstract(name, &fds[1]) < 0)
		fds[1] = -1; /* only the message suffers */
	return 0;
}

void ndp_claim_release(int fds[2])
{
	for (int i = 0; i < 2; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* ---- cleanup at exit ------------------------------------------------ */

/* After the privilege drop the daemon can no longer remove what it made
 * in root's directories.  As OpenBSD's daemons leave that to a part that
 * keeps its privileges, a small helper forked before the drop waits for
 * the daemon to go (its end of a pipe closes, however the daemon ends),
 * removes the pidfile and control socket, and exits.  It keeps uid 0 for
 * the directory permissions but no capability at all, holds no socket
 * but the instance lock (so no new instance starts until it is done),
 * and ignores the signals a service manager sends the whole group. */
int ndp_cleanup_helper(const char *ctl_path, const char *pidfile, int lock_fd,
		       struct v6_err *err)
{
	int p[2];
	pid_t pid, daemon_pid = getpid();

	if (pipe2(p, O_CLOEXEC) < 0)
		return v6_err_set(err, -errno, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return v6_err_set(err, -e, "fork: %s", strerror(e));
	}
	if (pid > 0) {
		close(p[0]);
		return 0; /* p[1] stays open in the daemon until it ends */
	}
	/* The pipe closes when the daemon's files are being closed, not
	 * when all are: a pidfd says when the process is gone entirely, so
	 * the next start finds its upstream claims free. */
	int pidfd = (int)syscall(SYS_pidfd_open, daemon_pid, 0);

	sigset_t all;
	char c;

	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* Everything else goes: packet sockets (and their allmulti), the
	 * daemon's end of this pipe, netlink. */
	int keep[3] = { p[0], lock_fd, pidfd };
	for (int i = 0; i < 3; i++) /* sorted, -1s first */
		for (int j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];
				keep[i] = keep[j];
				keep[j] = t;
			}
	unsigned from = 3;
	for (int i = 0; i < 3; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0u, 0);
	prctl(PR_SET_NAME, "ndproxy-cleanup", 0, 0, 0);
	if (v6_service_drop_caps(0, NULL) < 0)
		_exit(V6_EXIT_RUNTIME); /* never linger with more than asked */
	for (;;) {
		ssize_t r = read(p[0], &c, 1);
		if (r == 0 || (r < 0 && errno != EINTR))
			break;
	}
	if (pidfd >= 0) {
		struct pollfd pf = { .fd = pidfd, .events = POLLIN };
		while (poll(&pf, 1, 5000) < 0 && errno == EINTR)
			;
	}
	if (ctl_path && ctl_path[0])
		unlink(ctl_path);
	if (pidfile)
		unlink(pidfile);
	_exit(V6_EXIT_OK);
}
