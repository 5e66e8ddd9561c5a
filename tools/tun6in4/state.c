/* Runtime state under $V6KIT_RUNDIR/tun6in4/netns-COOKIE/: NAME.state (the
 * tunnel's parameters, mode and daemon pid), NAME.pid (written by the
 * daemon), NAME.starts (one start time a line, for the restart guard).
 * The directory is keyed by the network namespace's cookie, however the
 * namespace was entered, so same-named tunnels in different namespaces
 * never share state; unlike an inode number, a cookie is never reused, so
 * a namespace created later never inherits a deleted one's leftovers. */
#include "tun6in4.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef SO_NETNS_COOKIE
#define T64_SO_NETNS_COOKIE SO_NETNS_COOKIE
#else
#define T64_SO_NETNS_COOKIE 71
#endif

int t64_state_dir(char *buf, size_t len, struct v6_err *err)
{
	const char *run = getenv("V6KIT_RUNDIR");
	struct stat st;
	char tmp[4096];

	if (!run || !*run)
		run = "/run/v6kit";
	if (stat("/proc/self/ns/net", &st) < 0)
		return v6_err_set(err, -errno, "/proc/self/ns/net: %s", strerror(errno));
	unsigned long long id = (unsigned long long)st.st_ino;
	const char *kind = "net";
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint64_t cookie;
	socklen_t cl = sizeof(cookie);
	/* SO_NETNS_COOKIE (Linux 5.14); older kernels fall back to the inode. */
	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, T64_SO_NETNS_COOKIE, &cookie, &cl) == 0 &&
	    cl == sizeof(cookie)) {
		id = (unsigned long long)cookie;
		kind = "netns";
	}
	if (fd >= 0)
		close(fd);
	snprintf(tmp, sizeof(tmp), "%s", run);
	/* mkdir -p of the three levels; existing ones are fine. */
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return v6_err_set(err, -errno, "%s: %s", tmp, strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s/" T64_TOOL, run);
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return v6_err_set(err, -errno, "%s: %s", tmp, strerror(errno));
	snprintf(buf, len, "%s/%s-%llu", tmp, kind, id);
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return v6_err_set(err, -errno, "%s: %s", buf, strerror(errno));
	return 0;
}

int t64_state_path(const char *name, const char *ext, char *buf, size_t len,
		   struct v6_err *err)
{
	char dir[4096];
	int rc = t64_state_dir(dir, sizeof(dir), err);

	if (rc < 0)
		return rc;
	snprintf(buf, len, "%s/%s.%s", dir, name, ext);
	return 0;
}

/* Write path atomically: a reader sees the old file or the new one. */
static int write_atomic(const char *path, const char *text, struct v6_err *err)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid());
	if (!(f = fopen(tmp, "w")))
		return v6_err_set(err, -errno, "%s: %s", tmp, strerror(errno));
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return v6_err_set(err, -e, "%s: %s", path, strerror(e));
	}
	return 0;
}

int t64_state_write(const struct t64_state *s, const char *name, struct v6_err *err)
{
	char path[4200], text[1200];
	int rc = t64_state_path(name, "state", path, sizeof(path), err);

	if (rc < 0)
		return rc;
	snprintf(text, sizeof(text), "mode %s\npid %d\n%s", t64_mode_name(s->mode), (int)s->pid,
		 s->canon);
	return write_atomic(path, text, err);
}

int t64_state_read(const char *name, struct t64_state *s, struct v6_err *err)
{
	char path[4200], text[1200];
	size_t n;
	FILE *f;
	int rc = t64_state_path(name, "state", path, sizeof(path), err);

	if (rc < 0)
		return rc;
	memset(s, 0, sizeof(*s));
	if (!(f = fopen(path, "r")))
		return errno == ENOENT ? -ENOENT : v6_err_set(err, -errno, "%s: %s", path,
							      strerror(errno));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* The first two lines are ours; the rest is the canonical config. */
	char mode[16] = "";
	int pid = 0;
	if (sscanf(text, "mode %15s\npid %d\n", mode, &pid) != 2)
		return v6_err_set(err, -EIO, "%s: damaged state file", path);
	s->mode = !strcmp(mode, "kernel") ? T64_MODE_KERNEL : T64_MODE_USER;
	s->pid = pid;
	const char *rest = strchr(text, '\n');
	rest = rest ? strchr(rest + 1, '\n') : NULL;
	if (!rest)
		return v6_err_set(err, -EIO, "%s: damaged state file", path);
	snprintf(s->canon, sizeof(s->canon), "%s", rest + 1);
	t64_conf_defaults(&s->conf);
	if (t64_conf_parse(&s->conf, s->canon, strlen(s->canon), path, err) < 0)
		return -EIO;
	return 0;
}

void t64_state_remove(const char *name)
{
	char path[4200];

	if (t64_state_path(name, "state", path, sizeof(path), NULL) == 0)
		unlink(path);
	if (t64_state_path(name, "pid", path, sizeof(path), NULL) == 0)
		unlink(path);
	if (t64_state_path(name, "stats", path, sizeof(path), NULL) == 0)
		unlink(path);
	if (t64_state_path(name, "source", path, sizeof(path), NULL) == 0)
		unlink(path);
}

int t64_stats_write(const char *name, const struct t64_stats *st, struct v6_err *err)
{
	char path[4200], text[256];
	int rc = t64_state_path(name, "stats", path, sizeof(path), err);

	if (rc < 0)
		return rc;
	snprintf(text, sizeof(text), "rx_dropped %llu\ntx_dropped %llu\nptb_sent %llu\n",
		 (unsigned long long)st->rx_dropped, (unsigned long long)st->tx_dropped,
		 (unsigned long long)st->ptb_sent);
	return write_atomic(path, text, err);
}

int t64_stats_read(const char *name, struct t64_stats *st)
{
	char path[4200];
	unsigned long long a, b, c;
	FILE *f;
	int n;

	memset(st, 0, sizeof(*st));
	if (t64_state_path(name, "stats", path, sizeof(path), NULL) < 0 || !(f = fopen(path, "r")))
		return -ENOENT;
	n = fscanf(f, "rx_dropped %llu tx_dropped %llu ptb_sent %llu", &a, &b, &c);
	fclose(f);
	if (n != 3)
		return -EIO;
	*st = (struct t64_stats){ a, b, c };
	return 0;
}

unsigned t64_starts_in_window(const char *text, size_t len, uint32_t secs, time_t now,
			      time_t *oldest)
{
	unsigned count = 0;
	const char *end = text + len;

	*oldest = 0;
	for (const char *p = text; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char line[32];
		size_t l = (size_t)((eol ? eol : end) - p);
		char *e;

		if (l > 0 && l < sizeof(line)) {
			memcpy(line, p, l);
			line[l] = '\0';
			long long t = strtoll(line, &e, 10);
			/* A start in the future (clock stepped back) still counts. */
			if (*e == '\0' && t > (long long)now - secs) {
				count++;
				if (!*oldest || t < *oldest)
					*oldest = (time_t)t;
			}
		}
		p = eol ? eol + 1 : end;
	}
	return count;
}

static int starts_read(const char *name, char *text, size_t cap, size_t *len,
		       struct v6_err *err)
{
	char path[4200];
	FILE *f;
	int rc = t64_state_path(name, "starts", path, sizeof(path), err);

	*len = 0;
	if (rc < 0)
		return rc;
	if (!(f = fopen(path, "r")))
		return errno == ENOENT ? 0 : v6_err_set(err, -errno, "%s: %s", path,
							strerror(errno));
	*len = fread(text, 1, cap - 1, f);
	fclose(f);
	text[*len] = '\0';
	return 0;
}

int t64_starts_count(const char *name, uint32_t secs, time_t now, unsigned *count,
		     time_t *oldest, struct v6_err *err)
{
	char text[8192];
	size_t len;
	int rc = starts_read(name, text, sizeof(text), &len, err);

	if (rc < 0)
		return rc;
	*count = t64_starts_in_window(text, len, secs, now, oldest);
	return 0;
}

int t64_starts_record(const char *name, time_t now, struct v6_err *err)
{
	char text[8192], out[8300], path[4200];
	size_t len, off = 0;
	int rc = starts_read(name, text, sizeof(text), &len, err);

	if (rc < 0 || (rc = t64_state_path(name, "starts", path, sizeof(path), err)) < 0)
		return rc;
	/* Keep the newest starts only: the guard never looks back further
	 * than a day, and the file must not grow without bound. */
	const char *p = text;
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	while (lines >= 256 && (p = strchr(p, '\n'))) {
		p++;
		lines--;
	}
	if (!p)
		p = text + len;
	off = (size_t)snprintf(out, sizeof(out), "%.*s", (int)(text + len - p), p);
	snprintf(out + off, sizeof(out) - off, "%lld\n", (long long)now);
	return write_atomic(path, out, err);
}

bool t64_daemon_alive(pid_t pid)
{
	char path[64], buf[512];
	FILE *f;
	size_t n;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "PID (COMM) STATE ...": ours by name, and not a zombie that its
	 * parent has yet to reap. */
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (!open || !close || close[1] != ' ' || close[2] == 'Z' || close[2] == 'X')
		return false;
	return !strncmp(open + 1, T64_TOOL, strlen(T64_TOOL));
}
