/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "log.h"
#include "cli.h"
#include "v6util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static bool use_syslog;
static int verbosity;
static const char *log_ident = "v6kit";

void log_init(const char *ident, bool to_syslog, int verbose)
{
	log_ident = ident;
	use_syslog = to_syslog;
	verbosity = verbose;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void vlog(int prio, const char *fmt, va_list ap, int errnum)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (use_syslog) {
		if (errnum)
			syslog(prio, "%s: %s", msg, strerror(errnum));
		else
			syslog(prio, "%s", msg);
		return;
	}
	if (errnum) {
		size_t n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	}
	fprintf(stderr, "%s: %s%s\n", log_ident, msg, v6_cli_hint(msg));
}

void log_warn(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, e);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

/* Informational lines go to syslog always, to stderr with -v. */
void log_info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1 && !use_syslog)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, 0);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 2)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, e);
	va_end(ap);
	exit(V6_EXIT_RUNTIME);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(V6_EXIT_RUNTIME);
}
