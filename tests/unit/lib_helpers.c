/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib's small shared helpers: grow-and-append, big-endian
 * fields, the monotonic clock and the run directory. */
#include "unit.h"
#include "v6sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct item {
	uint32_t id;
	char name[12];
};

static void test_append(void)
{
	struct item *v = NULL, x = { 0 };
	size_t n = 0, cap = 0;
	bool all = true;

	for (uint32_t i = 0; i < 1000; i++) {
		x.id = i;
		snprintf(x.name, sizeof(x.name), "t%u", i);
		all &= V6_APPEND(v, n, cap, x) == 0;
	}
	ok(all && n == 1000 && cap >= 1000 && cap < 2048, "1000 appends: n 1000, room %zu", cap);
	bool kept = true;
	for (uint32_t i = 0; i < n; i++) {
		char want[12];
		snprintf(want, sizeof(want), "t%u", i);
		kept &= v[i].id == i && !strcmp(v[i].name, want);
	}
	ok(kept, "every element kept its place and contents across the moves");
	free(v);

	int *w = NULL;
	cap = 0;
	ok(v6_grow(&w, &cap, 100, sizeof(*w)) == 0 && cap >= 100 && w, "grow makes room for 100");
	int *same = w;
	size_t had = cap;
	ok(v6_grow(&w, &cap, 50, sizeof(*w)) == 0 && w == same && cap == had,
	   "growing to less than the room is a no-op");
	ok(v6_grow(&w, &cap, SIZE_MAX / 2, sizeof(*w)) == -ENOMEM && w == same && cap == had,
	   "an impossible size is -ENOMEM, the array unchanged");
	ok(v6_resize(&w, 3, sizeof(*w)) == 0 && w, "resize to exactly 3");
	w[0] = 7;
	w[2] = 9;
	ok(v6_resize(&w, 1000, sizeof(*w)) == 0 && w[0] == 7 && w[2] == 9, "resize keeps the contents");
	same = w;
	ok(v6_resize(&w, 0, sizeof(*w)) == -ENOMEM && w == same, "resize to 0 is refused, unchanged");
	ok(v6_resize(&w, SIZE_MAX / 2, sizeof(*w)) == -ENOMEM && w == same,
	   "an overflowing size is refused, unchanged");
	free(w);
}

static void test_be(void)
{
	uint8_t b[6] = { 0 };

	v6_put_be16(b, 0x1234);
	v6_put_be32(b + 2, 0xdeadbeef);
	ok(b[0] == 0x12 && b[1] == 0x34 && b[2] == 0xde && b[5] == 0xef, "put writes network order");
	ok(v6_get_be16(b) == 0x1234 && v6_get_be32(b + 2) == 0xdeadbeef, "get reads it back");
	const uint8_t ff[4] = { 0xff, 0xfe, 0x80, 0x01 };
	ok(v6_get_be16(ff) == 0xfffe && v6_get_be32(ff) == 0xfffe8001u, "high bits stay unsigned");
	uint8_t q[8];
	v6_put_be64(q, 0xfedcba9876543210ull);
	ok(q[0] == 0xfe && q[3] == 0x98 && q[4] == 0x76 && q[7] == 0x10, "put64 writes network order");
	ok(v6_get_be64(q) == 0xfedcba9876543210ull, "get64 reads it back, high bits unsigned");
}

static void test_clock(void)
{
	struct timespec ts, pause = { 0, 20 * 1000 * 1000 };
	int64_t a = v6_mono_ms();

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ok(llabs((long long)(a - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000))) < 1000,
	   "milliseconds of CLOCK_MONOTONIC");
	nanosleep(&pause, NULL);
	int64_t b = v6_mono_ms();
	ok(b - a >= 20 && b - a < 60000, "advances with time (%lld ms for a 20 ms sleep)",
	   (long long)(b - a));

	int64_t ns = v6_mono_ns(), ms = v6_mono_ms();
	ok(llabs((long long)(ns / 1000000 - ms)) < 1000, "nanoseconds of the same clock");
	bool sub_ms = false;
	for (int i = 0; i < 5; i++)
		sub_ms |= v6_mono_ns() % 1000000 != 0;
	ok(sub_ms, "nanoseconds resolve below a millisecond");

	/* The coarse clock is the same clock at the last tick: never ahead,
	 * behind by at most a tick (10 ms at HZ=100; 1 s allows for a slow
	 * machine). */
	int64_t c = v6_mono_coarse_ms(), fine = v6_mono_ms();
	ok(c <= fine && fine - c < 1000, "coarse milliseconds: %lld ms behind the fine clock",
	   (long long)(fine - c));
	nanosleep(&pause, NULL);
	ok(v6_mono_coarse_ms() - c >= 10, "coarse clock advances with time");
}

static void test_rundir(void)
{
	unsetenv("V6KIT_RUNDIR");
	is_str(v6_rundir(), "/run/v6kit", "default run directory");
	setenv("V6KIT_RUNDIR", "", 1);
	is_str(v6_rundir(), "/run/v6kit", "an empty V6KIT_RUNDIR is unset");
	setenv("V6KIT_RUNDIR", "/tmp/v6kit-run", 1);
	is_str(v6_rundir(), "/tmp/v6kit-run", "V6KIT_RUNDIR wins");

	unsetenv("V6KIT_STATEDIR");
	is_str(v6_statedir(), "/var/lib/v6kit", "default state directory");
	setenv("V6KIT_STATEDIR", "", 1);
	is_str(v6_statedir(), "/var/lib/v6kit", "an empty V6KIT_STATEDIR is unset");
	setenv("V6KIT_STATEDIR", "/tmp/v6kit-state", 1);
	is_str(v6_statedir(), "/tmp/v6kit-state", "V6KIT_STATEDIR wins");
	is_str(v6_rundir(), "/tmp/v6kit-run", "and the run directory is still its own");
}

static void test_netns_key(void)
{
	char a[64], b[64];
	struct v6_err err;
	struct stat st;

	ok(v6_netns_key(-1, a, sizeof(a), &err) == 0 && v6_netns_key(-1, b, sizeof(b), &err) == 0 &&
	   !strcmp(a, b), "the namespace's key is stable: %s", a);
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ok(fd >= 0 && v6_netns_key(fd, b, sizeof(b), &err) == 0 && !strcmp(a, b) &&
	   fcntl(fd, F_GETFD) >= 0, "a socket the caller has gives the same key and stays open");
	if (fd >= 0)
		close(fd);
	if (!strncmp(a, "net-", 4))
		ok(stat("/proc/self/ns/net", &st) == 0 &&
		   strtoull(a + 4, NULL, 10) == (unsigned long long)st.st_ino,
		   "without cookies: the namespace's inode");
	else
		ok(!strncmp(a, "netns-", 6) && strspn(a + 6, "0123456789") == strlen(a + 6) &&
		   a[6], "a cookie: netns-DIGITS");
}

static void test_mkdirs(void)
{
	char top[] = "/tmp/v6kit-unit.XXXXXX", path[256], file[256];
	struct v6_err err;
	struct stat st;

	umask(022);
	if (!mkdtemp(top)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/a/b//c/", top);
	ok(v6_mkdirs(path, &err) == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode),
	   "every missing level made (doubled and trailing slashes too)");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0755, "mode 0755 (umask 022)");
	ok(v6_mkdirs(path, &err) == 0, "existing directories are fine");
	snprintf(file, sizeof(file), "%s/a/f", top);
	FILE *f = fopen(file, "w");
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/a/f/g", top);
	ok(v6_mkdirs(path, &err) == -ENOTDIR && strstr(err.msg, "/a/f: "),
	   "a file in the way: -ENOTDIR naming it (%s)", err.msg);
	ok(v6_mkdirs(file, &err) == -ENOTDIR, "the path itself a file: -ENOTDIR");
	snprintf(path, sizeof(path), "%s/a/b/c", top);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a/b", top);
	rmdir(path);
	unlink(file);
	snprintf(path, sizeof(path), "%s/a", top);
	rmdir(path);
	ok(rmdir(top) == 0, "nothing else was made");
}

int main(void)
{
	test_append();
	test_be();
	test_clock();
	test_rundir();
	test_netns_key();
	test_mkdirs();
	return done_testing();
}
