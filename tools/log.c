#define _GNU_SOURCE
#include "log.h"

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
	if (errnum)
		fprintf(stderr, "%s: %s: %s\n", log_ident, msg, strerror(errnum));
	else
		fprintf(stderr, "%s: %s\n", log_ident, msg);
}

#define LOGFN(name, prio, errnum_expr, cond)              \
	void name(const char *fmt, ...)                   \
	{                                                 \
		int e = errnum_expr;                      \
		if (!(cond))                              \
			return;                           \
		va_list ap;                               \
		va_start(ap, fmt);                        \
		vlog(prio, fmt, ap, e);                   \
		va_end(ap);                               \
	}

LOGFN(log_warn, LOG_WARNING, errno, 1)
LOGFN(log_warnx, LOG_WARNING, 0, 1)
LOGFN(log_info, LOG_INFO, 0, verbosity >= 1 || use_syslog)
LOGFN(log_debug, LOG_DEBUG, 0, verbosity >= 2)

void fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, e);
	va_end(ap);
	exit(2);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(2);
}
