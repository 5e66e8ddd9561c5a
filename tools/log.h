/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Daemon logging: stderr in the foreground, syslog when detached. */
#ifndef V6_LOG_H
#define V6_LOG_H

#include <stdbool.h>

void log_init(const char *ident, bool to_syslog, int verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* adds strerror(errno) */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
