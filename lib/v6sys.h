/* SPDX-License-Identifier: GPL-2.0-or-later */
/* v6kit shared helpers that read the file system, the environment or
 * the clock: whole-file reads, iproute2's rt_tables files, the run
 * directory, the monotonic clock.  The pure side is v6util.h. */
#ifndef V6SYS_H
#define V6SYS_H

#include "v6util.h"

/* ---- files --------------------------------------------------------- */

/* The largest file any v6kit tool reads whole: configuration files,
 * iproute2's rt_tables, srcroute's owner records.  A 10,000-entry
 * srcroute.conf is under 1 MiB; the limit only bounds what a runaway or
 * hostile file can make a tool allocate.  The one limit for every reader. */
#define V6_FILE_MAX (16u << 20)

/* Read a whole file (at most V6_FILE_MAX bytes) into a malloc'd,
 * NUL-terminated buffer; -ENOENT, -EISDIR, -EFBIG, -EACCES... with
 * "PATH: why" in err, so every message names the file. */
int v6_file_read(const char *path, char **out, size_t *len, struct v6_err *err);

/* ---- routing table names: iproute2's files ------------------------- */

/* Load DIR/rt_tables and DIR/rt_tables.d/(*).conf; missing files are fine. */
int v6_rtnames_load(struct v6_rtnames *t, const char *dir, struct v6_err *err);
/* Add NAME=ID to DIR/rt_tables.d/FILE (atomic rename), keeping what the file had. */
int v6_rtnames_register(const char *dir, const char *file, const char *name, uint32_t id,
			struct v6_err *err);
/* Where iproute2's files live: $V6KIT_IPROUTE2_DIR or /etc/iproute2. */
const char *v6_iproute2_dir(void);
/* Take the lock v6_rtnames_register() takes for DIR/rt_tables.d/FILE and
 * keep it: a caller that chooses an id and registers it later holds it
 * across both.  Returns the lock's descriptor (close it to release). */
int v6_rtnames_lock(const char *dir, const char *file, struct v6_err *err);
/* v6_rtnames_register() for a caller that holds v6_rtnames_lock(). */
int v6_rtnames_register_held(const char *dir, const char *file, const char *name, uint32_t id,
			     struct v6_err *err);

/* ---- environment and clock ----------------------------------------- */

/* Milliseconds of CLOCK_MONOTONIC: for deadlines and intervals, never
 * stepped by the wall clock. */
int64_t v6_mono_ms(void);
/* Nanoseconds of CLOCK_MONOTONIC, for measurements (and sd_notify's
 * MONOTONIC_USEC, which is the same clock). */
int64_t v6_mono_ns(void);
/* Milliseconds of CLOCK_MONOTONIC_COARSE: the same clock at the last
 * tick (1-10 ms behind), read without a timer access, for a packet path
 * that needs only a rate limit's resolution. */
int64_t v6_mono_coarse_ms(void);

/* The runtime state directory: $V6KIT_RUNDIR if set and not empty, else
 * V6_RUNDIR_DEFAULT. */
#define V6_RUNDIR_DEFAULT "/run/v6kit"
const char *v6_rundir(void);
/* The directory for state that must survive a reboot (tun6in4's start
 * history and in-place overrides): $V6KIT_STATEDIR if set and not empty,
 * else V6_STATEDIR_DEFAULT. */
#define V6_STATEDIR_DEFAULT "/var/lib/v6kit"
const char *v6_statedir(void);
/* The name of the caller's network namespace for per-namespace state in
 * the run directory: "netns-COOKIE" (SO_NETNS_COOKIE, Linux 5.14, never
 * reused) or, on older kernels, "net-INODE".  sock: any socket of the
 * namespace the caller already has open, or -1 to open one. */
int v6_netns_key(int sock, char *buf, size_t len, struct v6_err *err);
/* mkdir -p, mode 0755 like the run directory: every missing level of
 * path; -ENOTDIR when a level exists and is not a directory. */
int v6_mkdirs(const char *path, struct v6_err *err);

#endif
