/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runtime state under $V6KIT_RUNDIR/tun6in4/netns-COOKIE/: NAME.state (the
 * tunnel's parameters, mode and daemon pid), NAME.pid (written by the
 * daemon), NAME.stats (its counters).  The restart guard's history,
 * NAME.starts (one start time a line), is persistent state instead (see
 * t64_history_path()).
 * The directory is keyed by the network namespace's cookie, however the
 * namespace was entered, so same-named tunnels in different namespaces
 * never share state; unlike an inode number, a cookie is never reused, so
 * a namespace created later never inherits a deleted one's leftovers. */
#define _GNU_SOURCE
#include "tun6in4.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>

static void prune_stale(const char *top, const char *mine);

int t64_state_dir(char *buf, size_t len, struct v6_err *err)
{
	char tmp[4096], key[64];
	int rc;

	if ((rc = v6_netns_key(-1, key, sizeof(key), err)) < 0)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s/" T64_TOOL, v6_rundir());
	snprintf(buf, len, "%s/%s", tmp, key);
	if ((rc = v6_mkdirs(buf, err)) < 0)
		return rc;
	if (!strncmp(key, "netns-", 6))
		prune_stale(tmp, buf);
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

static bool user_stopped(const char *name, const struct t64_state *s);

int t64_state_parse(const char *bytes, size_t len, const char *source, struct t64_state *s,
		    struct v6_err *err)
{
	char text[1200];

	/* As much as a state file of ours can hold; text ends at a NUL. */
	if (len > sizeof(text) - 1)
		len = sizeof(text) - 1;
	memcpy(text, bytes, len);
	text[len] = '\0';
	memset(s, 0, sizeof(*s));
	/* The first two lines are ours; the rest is the canonical config. */
	char mode[16] = "";
	int pid = 0;
	if (sscanf(text, "mode %15s\npid %d\n", mode, &pid) != 2)
		return v6_err_set(err, -EIO, "%s: damaged state file", source);
	s->mode = !strcmp(mode, "kernel") ? T64_MODE_KERNEL : T64_MODE_USER;
	s->pid = pid;
	const char *rest = strchr(text, '\n');
	rest = rest ? strchr(rest + 1, '\n') : NULL;
	if (!rest)
		return v6_err_set(err, -EIO, "%s: damaged state file", source);
	snprintf(s->canon, sizeof(s->canon), "%s", rest + 1);
	t64_conf_defaults(&s->conf);
	if (t64_conf_parse(&s->conf, s->canon, strlen(s->canon), source, err) < 0)
		return -EIO;
	return 0;
}

int t64_state_read(const char *name, struct t64_state *s, struct v6_err *err)
{
	char path[4200], *text;
	size_t n;
	int rc = t64_state_path(name, "state", path, sizeof(path), err);

	if (rc < 0)
		return rc;
	memset(s, 0, sizeof(*s));
	if ((rc = v6_file_read(path, &text, &n, err)) < 0)
		return rc;
	rc = t64_state_parse(text, n, path, s, err);
	free(text);
	if (rc < 0)
		return rc;
	if (user_stopped(name, s)) {
		t64_state_remove(name);
		return -ENOENT;
	}
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
	if (t64_state_path(name, "ctl", path, sizeof(path), NULL) == 0)
		unlink(path);
	if (t64_state_path(name, "source", path, sizeof(path), NULL) == 0)
		unlink(path);
}

/* Fixed width, so a rewrite in place never leaves a shorter record
 * followed by the tail of a longer one. */
#define STATS_FMT "rx_dropped %20llu\ntx_dropped %20llu\nptb_sent %20llu\n"

void t64_stats_put(int fd, const struct t64_stats *st)
{
	char text[128];
	int n = snprintf(text, sizeof(text), STATS_FMT, (unsigned long long)st->rx_dropped,
			 (unsigned long long)st->tx_dropped, (unsigned long long)st->ptb_sent);

	if (fd >= 0 && pwrite(fd, text, (size_t)n, 0) != n)
		return; /* counters only: the next second tries again */
}

int t64_stats_open(const char *name, uid_t uid, gid_t gid, struct v6_err *err)
{
	char path[4200];
	int fd, rc = t64_state_path(name, "stats", path, sizeof(path), err);

	if (rc < 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return v6_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fchown(fd, uid, gid) < 0) {
		int e = errno;
		close(fd);
		return v6_err_set(err, -e, "%s: %s", path, strerror(e));
	}
	t64_stats_put(fd, &(struct t64_stats){ 0 });
	return fd;
}

void t64_stats_stopped(int fd)
{
	if (fd >= 0 && ftruncate(fd, 0) == 0 && pwrite(fd, "stopped\n", 8, 0) == 8)
		return;
}

/* A user-mode tunnel whose daemon said it stopped and is gone: its TUN
 * device went with it, and the daemon, no longer root, could not remove
 * the state itself. */
static bool user_stopped(const char *name, const struct t64_state *s)
{
	char path[4200], buf[8];
	ssize_t n = 0;
	int fd;

	if (s->mode != T64_MODE_USER || t64_daemon_alive(s->pid) ||
	    t64_state_path(name, "stats", path, sizeof(path), NULL) < 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == 8 && !memcmp(buf, "stopped\n", 8);
}

int t64_stats_write(const char *name, const struct t64_stats *st, struct v6_err *err)
{
	char path[4200], text[256];
	int rc = t64_state_path(name, "stats", path, sizeof(path), err);

	if (rc < 0)
		return rc;
	snprintf(text, sizeof(text), STATS_FMT,
		 (unsigned long long)st->rx_dropped, (unsigned long long)st->tx_dropped,
		 (unsigned long long)st->ptb_sent);
	return write_atomic(path, text, err);
}

int t64_stats_parse(const char *bytes, size_t len, struct t64_stats *st)
{
	char text[256];
	unsigned long long a, b, c;

	memset(st, 0, sizeof(*st));
	/* A record is 110 bytes; a longer file is not one of ours. */
	if (len > sizeof(text) - 1)
		return -EIO;
	memcpy(text, bytes, len);
	text[len] = '\0';
	if (sscanf(text, "rx_dropped %llu tx_dropped %llu ptb_sent %llu", &a, &b, &c) != 3)
		return -EIO;
	*st = (struct t64_stats){ a, b, c };
	return 0;
}

int t64_stats_read(const char *name, struct t64_stats *st)
{
	char path[4200], *text;
	size_t n;
	int rc;

	memset(st, 0, sizeof(*st));
	if (t64_state_path(name, "stats", path, sizeof(path), NULL) < 0 ||
	    v6_file_read(path, &text, &n, NULL) < 0)
		return -ENOENT;
	rc = t64_stats_parse(text, n, st);
	free(text);
	return rc;
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

/* The namespace's name under /run/netns, found the way `ip netns identify`
 * finds it; 0 when it has none. */
static int netns_name(const struct stat *self, char *buf, size_t len)
{
	DIR *d = opendir("/run/netns");
	struct dirent *de;
	int found = -ENOENT;

	while (d && (de = readdir(d))) {
		char p[300];
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/run/netns/%s", de->d_name);
		if (stat(p, &st) == 0 && st.st_dev == self->st_dev && st.st_ino == self->st_ino) {
			snprintf(buf, len, "%s", de->d_name);
			found = 0;
			break;
		}
	}
	if (d)
		closedir(d);
	return found;
}

int t64_history_path(const char *name, char *buf, size_t len, struct v6_err *err)
{
	const char *base = v6_statedir();
	struct stat self;
	char dir[4096], ns[256];
	int rc;

	if (stat("/proc/self/ns/net", &self) < 0)
		return v6_err_set(err, -errno, "/proc/self/ns/net: %s", strerror(errno));
	/* The history must outlive a reboot, or a router in a boot loop gets
	 * itself banned: it lives under the state directory, keyed by what
	 * survives a reboot.  A named namespace (ip netns) has its own
	 * subdirectory; the system's own (the host's, or a container's) uses
	 * the directory itself.  An anonymous one has no lasting name and
	 * counts with the system's, which errs on the side of fewer starts. */
	if (netns_name(&self, ns, sizeof(ns)) == 0)
		snprintf(dir, sizeof(dir), "%s/" T64_TOOL "/netns-%s", base, ns);
	else
		snprintf(dir, sizeof(dir), "%s/" T64_TOOL, base);
	if ((rc = v6_mkdirs(dir, err)) < 0)
		return rc;
	snprintf(buf, len, "%s/%s.starts", dir, name);
	return 0;
}

static int starts_read(const char *name, char *text, size_t cap, size_t *len,
		       struct v6_err *err)
{
	char path[4200], *buf;
	size_t n;
	int rc = t64_history_path(name, path, sizeof(path), err);

	*len = 0;
	text[0] = '\0';
	if (rc < 0)
		return rc;
	if ((rc = v6_file_read(path, &buf, &n, err)) < 0)
		return rc == -ENOENT ? 0 : rc;
	/* The newest starts are appended: a history cut to 256 lines fits. */
	*len = n < cap - 1 ? n : cap - 1;
	memcpy(text, buf, *len);
	text[*len] = '\0';
	free(buf);
	return 0;
}

int t64_starts_room(const struct t64_conf *c, unsigned *count, long long *wait,
		    struct v6_err *err)
{
	char text[8192];
	size_t len;
	time_t now = time(NULL), oldest;
	int rc = starts_read(c->name, text, sizeof(text), &len, err);

	if (rc < 0)
		return rc;
	*count = t64_starts_in_window(text, len, c->max_starts_secs, now, &oldest);
	*wait = (long long)oldest + c->max_starts_secs - now;
	if (*wait < 1)
		*wait = 1;
	return *count < c->max_starts;
}

int t64_starts_record(const char *name, time_t now, struct v6_err *err)
{
	char text[8192], out[8300], path[4200];
	size_t len, off = 0;
	int rc = starts_read(name, text, sizeof(text), &len, err);

	if (rc < 0 || (rc = t64_history_path(name, path, sizeof(path), err)) < 0)
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

/* ---- stale netns-COOKIE directories ----
 * A namespace lives while a process is in it, a file descriptor or a bind
 * mount (ip netns add) refers to it.  Its cookie can only be read from
 * inside, so each namespace found is entered briefly.  A directory goes
 * only when no namespace with its cookie exists and no daemon named in it
 * runs. */

#define PRUNE_MAX 256

/* Paths from directory entries; a truncated one is skipped, never used. */
#define PATHF(buf, ...) ((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) < sizeof(buf))

struct prune {
	unsigned long long want[PRUNE_MAX]; /* cookies of directories not yet matched */
	char *names[PRUNE_MAX];
	unsigned n, left;
	ino_t seen[4096];                  /* namespace inodes already entered */
	unsigned nseen;
	int home;                          /* our own namespace, to return to */
};

/* The cookie of the namespace we are in; 0 where the kernel has none. */
static unsigned long long cookie_here(void)
{
	unsigned long long cookie = 0;
	struct v6_err err;
	char key[64];

	if (v6_netns_key(-1, key, sizeof(key), &err) == 0 && sscanf(key, "netns-%llu", &cookie) != 1)
		cookie = 0;
	return cookie;
}

/* Enter the namespace at path (if it is one not seen yet), note its
 * cookie, come back. */
static void prune_visit(struct prune *p, const char *path)
{
	struct stat st;
	int fd;

	if (!p->left || stat(path, &st) < 0)
		return;
	for (unsigned i = 0; i < p->nseen; i++)
		if (p->seen[i] == st.st_ino)
			return;
	if (p->nseen < sizeof(p->seen) / sizeof(p->seen[0]))
		p->seen[p->nseen++] = st.st_ino;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (setns(fd, CLONE_NEWNET) == 0) {
		unsigned long long c = cookie_here();
		for (unsigned i = 0; i < p->n; i++)
			if (p->names[i] && p->want[i] == c) {
				free(p->names[i]);
				p->names[i] = NULL;
				p->left--;
			}
		if (setns(p->home, CLONE_NEWNET) < 0)
			p->left = 0; /* cannot happen; stop before doing harm */
	}
	close(fd);
}

/* Network namespaces bind-mounted in the mount table at path. */
static void prune_mounts(struct prune *p, const char *mountinfo, const char *root)
{
	char line[4096], mnt[2048], fstype[64], full[4200];
	FILE *f = fopen(mountinfo, "r");

	if (!f)
		return;
	while (p->left && fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE ... */
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(dash + 3, "%63s", fstype) != 1 || strcmp(fstype, "nsfs") ||
		    sscanf(line, "%*s %*s %*s %*s %2047s", mnt) != 1)
			continue;
		/* Spaces and the like are written as \ooo. */
		char *w = mnt;
		for (const char *r = mnt; *r; r++) {
			if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
			    r[3] >= '0' && r[3] <= '7') {
				*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
				r += 3;
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
		if (PATHF(full, "%s%s", root, mnt))
			prune_visit(p, full);
	}
	fclose(f);
}

static void prune_proc(struct prune *p, int what)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[300], link[64];

	while (d && p->left && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (what == 0) {
			if (PATHF(path, "/proc/%s/ns/net", de->d_name))
				prune_visit(p, path);
		} else if (what == 1) {
			/* Descriptors open on a namespace ("net:[INODE]"). */
			DIR *fds = PATHF(path, "/proc/%s/fd", de->d_name) ? opendir(path) : NULL;
			struct dirent *fe;
			while (fds && p->left && (fe = readdir(fds))) {
				char fdpath[600];
				if (!PATHF(fdpath, "%s/%s", path, fe->d_name))
					continue;
				ssize_t n = readlink(fdpath, link, sizeof(link) - 1);
				if (n > 4 && !memcmp(link, "net:", 4))
					prune_visit(p, fdpath);
			}
			if (fds)
				closedir(fds);
		} else {
			/* Bind mounts in other mount namespaces. */
			char root[300];
			if (PATHF(path, "/proc/%s/mountinfo", de->d_name) &&
			    PATHF(root, "/proc/%s/root", de->d_name))
				prune_mounts(p, path, root);
		}
	}
	if (d)
		closedir(d);
}

/* Does the directory name a daemon that still runs? */
static bool dir_has_live_daemon(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool live = false;

	while (d && !live && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char path[4200], text[64];
		FILE *f;
		if (l < 5 || strcmp(de->d_name + l - 4, ".pid"))
			continue;
		if (PATHF(path, "%s/%s", dir, de->d_name) && (f = fopen(path, "r"))) {
			if (fgets(text, sizeof(text), f))
				live = t64_daemon_alive((pid_t)atoi(text));
			fclose(f);
		}
	}
	if (d)
		closedir(d);
	return live;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4200];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (PATHF(path, "%s/%s", dir, de->d_name))
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void prune_stale(const char *top, const char *mine)
{
	static bool done;
	struct prune *p;
	DIR *d;
	struct dirent *de;
	char path[4200];

	/* Once per command, and only root can enter other namespaces. */
	if (done || geteuid() != 0)
		return;
	done = true;
	if (!(d = opendir(top)) || !(p = calloc(1, sizeof(*p)))) {
		if (d)
			closedir(d);
		return;
	}
	while ((de = readdir(d)) && p->n < PRUNE_MAX) {
		char *end;
		unsigned long long c;
		if (strncmp(de->d_name, "netns-", 6))
			continue;
		c = strtoull(de->d_name + 6, &end, 10);
		if (*end || !PATHF(path, "%s/%s", top, de->d_name) || !strcmp(path, mine))
			continue;
		p->want[p->n] = c;
		p->names[p->n++] = strdup(path);
		p->left++;
	}
	closedir(d);
	p->home = p->left ? open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC) : -1;
	if (p->home >= 0) {
		/* Cheapest first: processes, our mounts, descriptors, then the
		 * mounts other mount namespaces see. */
		prune_proc(p, 0);
		prune_mounts(p, "/proc/self/mountinfo", "");
		prune_proc(p, 1);
		prune_proc(p, 2);
		close(p->home);
		for (unsigned i = 0; i < p->n; i++)
			if (p->names[i] && !dir_has_live_daemon(p->names[i]))
				remove_dir(p->names[i]);
	}
	for (unsigned i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p);
}

void t64_conf_path(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("V6KIT_TUNNELS_DIR");

	snprintf(buf, len, "%s/%s.conf", dir && *dir ? dir : T64_CONF_DIR, name);
}
