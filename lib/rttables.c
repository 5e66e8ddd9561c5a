/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Routing table names as iproute2 keeps them: DIR/rt_tables plus
 * DIR/rt_tables.d/(*).conf, lines of "ID NAME" with # comments. */
#include "v6sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *v6_iproute2_dir(void)
{
	const char *d = getenv("V6KIT_IPROUTE2_DIR");
	return d && *d ? d : "/etc/iproute2";
}

static int rtnames_put(struct v6_rtnames *t, uint32_t id, const char *name, size_t nlen)
{
	/* A later file may rename an id, as iproute2 lets it. */
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].id == id) {
			memcpy(t->v[i].name, name, nlen);
			t->v[i].name[nlen] = '\0';
			return 0;
		}
	struct v6_rtname e = { .id = id };
	memcpy(e.name, name, nlen);
	e.name[nlen] = '\0';
	if (V6_APPEND(t->v, t->n, t->cap, e) < 0)
		return -ENOMEM;
	return 0;
}

int v6_rtnames_parse(struct v6_rtnames *t, const char *text, size_t len, const char *source,
		     struct v6_err *err)
{
	size_t lineno = 0;
	const char *end = text + len;

	for (const char *p = text; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		const char *q = p;
		char idbuf[16];
		uint32_t id;
		size_t n;

		lineno++;
		/* A NUL would read as an empty id (0) and an empty name. */
		if (memchr(p, '\0', (size_t)(le - p)))
			return v6_err_set(err, -EINVAL, "%s:%zu: NUL byte in line", source, lineno);
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		if (q == le || *q == '#' || *q == '\r')
			goto next;
		for (n = 0; q + n < le && n < sizeof(idbuf) - 1 && q[n] != ' ' && q[n] != '\t'; n++)
			idbuf[n] = q[n];
		idbuf[n] = '\0';
		q += n;
		/* iproute2 also takes hex ids; we accept decimal and 0x forms. */
		{
			char *e;
			unsigned long v;
			errno = 0;
			v = strtoul(idbuf, &e, 0);
			if (!n || *e || errno || v > UINT32_MAX || idbuf[0] == '-')
				return v6_err_set(err, -EINVAL, "%s:%zu: table id must be a number: '%s'",
						  source, lineno, idbuf);
			id = (uint32_t)v;
		}
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		n = 0;
		while (q + n < le && q[n] != ' ' && q[n] != '\t' && q[n] != '#' && q[n] != '\r')
			n++;
		if (!n || n >= sizeof(t->v[0].name))
			return v6_err_set(err, -EINVAL, "%s:%zu: missing or overlong table name",
					  source, lineno);
		if (rtnames_put(t, id, q, n) < 0)
			return v6_err_set(err, -ENOMEM, "out of memory");
	next:
		p = eol ? eol + 1 : end;
	}
	return 0;
}

static int load_file(struct v6_rtnames *t, const char *path, struct v6_err *err)
{
	char *buf;
	size_t len;
	int rc = v6_file_read(path, &buf, &len, err);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	rc = v6_rtnames_parse(t, buf, len, path, err);
	free(buf);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int v6_rtnames_load(struct v6_rtnames *t, const char *dir, struct v6_err *err)
{
	char path[4096];
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/rt_tables", dir);
	if ((rc = load_file(t, path, err)) < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/rt_tables.d", dir);
	if (!(d = opendir(path)))
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char *name;
		if (l < 6 || strcmp(de->d_name + l - 5, ".conf") || de->d_name[0] == '.')
			continue;
		if (!(name = strdup(de->d_name)) || V6_APPEND(names, n, cap, name) < 0) {
			free(name);
			while (n)
				free(names[--n]);
			free(names);
			closedir(d);
			return v6_err_set(err, -ENOMEM, "out of memory");
		}
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (!rc) {
			snprintf(path, sizeof(path), "%s/rt_tables.d/%s", dir, names[i]);
			rc = load_file(t, path, err);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

void v6_rtnames_free(struct v6_rtnames *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const char *v6_rtnames_name(const struct v6_rtnames *t, uint32_t id)
{
	for (size_t i = t->n; i-- > 0;)
		if (t->v[i].id == id)
			return t->v[i].name;
	return NULL;
}

int v6_rtnames_id(const struct v6_rtnames *t, const char *name, uint32_t *id)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name)) {
			*id = t->v[i].id;
			return 0;
		}
	return -ENOENT;
}

int v6_rtnames_resolve(const struct v6_rtnames *t, const char *s, uint32_t *id,
		       struct v6_err *err)
{
	if (*s >= '0' && *s <= '9')
		return v6_parse_u32(s, 1, UINT32_MAX, id, "table", err);
	if (v6_rtnames_id(t, s, id) == 0)
		return 0;
	if (!v6_table_name_ok(s))
		return v6_err_set(err, -EINVAL, "table must be a number or a name: '%s'", s);
	return v6_err_set(err, -ENOENT, "unknown table name: '%s'", s);
}

uint32_t v6_rtnames_free_id(const struct v6_rtnames *t, bool (*taken)(uint32_t id, void *arg),
			    void *arg)
{
	for (uint32_t id = V6_RTNAMES_FIRST_FREE;; id++)
		if (!v6_rtnames_name(t, id) && !(taken && taken(id, arg)))
			return id;
}

static int register_locked(const char *path, const char *name, uint32_t id, struct v6_err *err);

/* DIR/rt_tables.d into buf, made if missing; DIR itself must exist (a
 * system without iproute2's directory is not one to write names into). */
static int dropin_dir(char *buf, size_t len, const char *dir, struct v6_err *err)
{
	snprintf(buf, len, "%s/rt_tables.d", dir);
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return v6_err_set(err, -errno, "%s: %s", buf, strerror(errno));
	return 0;
}

int v6_rtnames_register(const char *dir, const char *file, const char *name, uint32_t id,
			struct v6_err *err)
{
	char path[4096 + 256], tmp[4200], ddir[4096];

	int rc = dropin_dir(ddir, sizeof(ddir), dir, err);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/%.255s", ddir, file);
	/* Two writers at once must not lose each other's line: serialise the
	 * read-modify-rename on a lock beside the file (not .conf, so iproute2
	 * never reads it). */
	snprintf(tmp, sizeof(tmp), "%s/.%s.lock", ddir, file);
	int lock = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		int e = errno;
		if (lock >= 0)
			close(lock);
		return v6_err_set(err, -e, "%s: %s", tmp, strerror(e));
	}
	rc = register_locked(path, name, id, err);
	close(lock);
	return rc;
}

static int register_locked(const char *path, const char *name, uint32_t id, struct v6_err *err)
{
	struct v6_rtnames now = { 0 };
	char tmp[4200];
	FILE *in, *out;
	uint32_t had;
	int fd, rc;

	/* Another run may have taken the id or the name since we chose. */
	if ((rc = load_file(&now, path, err)) < 0) {
		v6_rtnames_free(&now);
		return rc;
	}
	const char *owner = v6_rtnames_name(&now, id);
	bool same = owner && !strcmp(owner, name);
	if (!same && (owner || v6_rtnames_id(&now, name, &had) == 0)) {
		rc = v6_err_set(err, -EEXIST, "%s: table %u or name '%s' was registered meanwhile by another run",
				path, id, name);
		v6_rtnames_free(&now);
		return rc;
	}
	v6_rtnames_free(&now);
	if (same)
		return 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return v6_err_set(err, -errno, "%s: %s", tmp, strerror(errno));
	if (!(out = fdopen(fd, "w"))) {
		close(fd);
		unlink(tmp);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	if ((in = fopen(path, "r"))) {
		char line[512];
		while (fgets(line, sizeof(line), in))
			fputs(line, out);
		fclose(in);
	} else {
		fputs("# Routing table names registered by v6kit.\n", out);
	}
	fprintf(out, "%u\t%s\n", id, name);
	if (fflush(out) || fsync(fd) || ferror(out)) {
		int e = errno ? errno : EIO;
		fclose(out);
		unlink(tmp);
		return v6_err_set(err, -e, "%s: %s", tmp, strerror(e));
	}
	fclose(out);
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return v6_err_set(err, -e, "%s: %s", path, strerror(e));
	}
	return 0;
}

int v6_rtnames_lock(const char *dir, const char *file, struct v6_err *err)
{
	char ddir[4096], lockpath[4200];
	int fd;

	int rc = dropin_dir(ddir, sizeof(ddir), dir, err);
	if (rc < 0)
		return rc;
	snprintf(lockpath, sizeof(lockpath), "%s/.%s.lock", ddir, file);
	if ((fd = open(lockpath, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return v6_err_set(err, -errno, "%s: %s", lockpath, strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		close(fd);
		return v6_err_set(err, -e, "%s: %s", lockpath, strerror(e));
	}
	return fd;
}

int v6_rtnames_register_held(const char *dir, const char *file, const char *name, uint32_t id,
			     struct v6_err *err)
{
	char path[4096 + 256], ddir[4096];

	int rc = dropin_dir(ddir, sizeof(ddir), dir, err);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/%.255s", ddir, file);
	return register_locked(path, name, id, err);
}
