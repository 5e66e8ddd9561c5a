/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ndproxy status`: the client end of the control socket.  It asks for
 * one form (text, json, json-pretty) and copies the daemon's answer to
 * stdout; it shares no state with the daemon. */
#include "cli.h"
#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int ndp_status_main(const char *sock_path, bool json, bool pretty)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *req = json ? (pretty ? "json-pretty\n" : "json\n") : "text\n";
	char buf[65536];
	ssize_t n;
	int fd;

	if (strlen(sock_path) >= sizeof(sa.sun_path)) {
		v6_cli_error("control socket path too long: '%s'", sock_path);
		return V6_EXIT_USAGE;
	}
	strcpy(sa.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* A daemon that answers at all answers within its client deadline. */
	struct timeval tv = { .tv_sec = 10 };
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		/* Only a missing or dead socket means no daemon; a refused
		 * user is told who may ask. */
		v6_cli_error("%s: %s%s", sock_path, strerror(errno),
			     errno == EACCES ? " (root or the socket's group may ask)"
			     : errno == ENOENT || errno == ECONNREFUSED ? " (is ndproxy running?)" : "");
		if (fd >= 0)
			close(fd);
		return V6_EXIT_RUNTIME;
	}
	if (write(fd, req, strlen(req)) < 0) {
		v6_cli_error("%s: %s", sock_path, strerror(errno));
		close(fd);
		return V6_EXIT_RUNTIME;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	if (n < 0) {
		v6_cli_error("%s: %s", sock_path, strerror(errno));
		close(fd);
		return V6_EXIT_RUNTIME;
	}
	close(fd);
	return V6_EXIT_OK;
}
