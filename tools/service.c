/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Privilege drop through raw prctl/capset system calls (no libcap) and
 * systemd's readiness protocol, shared by ndproxy and tun6in4's data
 * plane. */
#define _GNU_SOURCE
#include "service.h"
#include "log.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int v6_service_user(const char *user, uid_t *uid, gid_t *gid, const char **chosen,
		   bool *fell_back, struct v6_err *err)
{
	struct passwd *pw;

	*fell_back = false;
	if (user && *user) {
		pw = getpwnam(user);
		if (!pw)
			return v6_err_set(err, -ENOENT, "user '%s': no such user", user);
	} else {
		user = V6_SERVICE_USER;
		pw = getpwnam(user);
		if (!pw) {
			user = V6_SERVICE_USER_FALLBACK;
			*fell_back = true;
			if (!(pw = getpwnam(user)))
				return v6_err_set(err, -ENOENT,
						  "neither user '%s' nor '%s' exists",
						  V6_SERVICE_USER, V6_SERVICE_USER_FALLBACK);
		}
	}
	if (pw->pw_uid == 0)
		return v6_err_set(err, -EINVAL, "user '%s': refusing to run as root", user);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	*chosen = user;
	return 0;
}

int v6_service_drop_caps(uint32_t keep, struct v6_err *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	/* The bounding set first, while CAP_SETPCAP is still effective, so
	 * nothing this process could execute regains the rest.  Numbers past
	 * the kernel's last capability are EINVAL: nothing to drop there. */
	for (int cap = 0; cap <= 63; cap++) {
		if (cap < 32 && (keep & (1u << cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return v6_err_set(err, -errno, "dropping capability %d: %s", cap,
					  strerror(errno));
	}
	data[0].effective = data[0].permitted = keep;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return v6_err_set(err, -errno, "capset: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return v6_err_set(err, -errno, "no_new_privs: %s", strerror(errno));
	return 0;
}

int v6_service_drop(const char *user, uint32_t keep, struct v6_err *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	const char *name;
	bool fell_back;
	uid_t uid;
	gid_t gid;
	int rc;

	if ((rc = v6_service_user(user, &uid, &gid, &name, &fell_back, err)) < 0)
		return rc;
	if (fell_back)
		log_info("user '%s' does not exist, running as '%s' (make install creates it)",
			 V6_SERVICE_USER, name);
	/* capabilities(7): with KEEPCAPS the permitted set survives the
	 * switch away from uid 0; the effective set is cleared. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(1, &gid) < 0 ||
	    setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return v6_err_set(err, -errno, "switching to user '%s': %s", name, strerror(errno));
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return v6_err_set(err, -errno, "prctl: %s", strerror(errno));
	/* Make the permitted set effective again for the drop's own steps. */
	if (syscall(SYS_capget, &hdr, data) < 0)
		return v6_err_set(err, -errno, "capget: %s", strerror(errno));
	data[0].effective = data[0].permitted;
	data[1].effective = data[1].permitted;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return v6_err_set(err, -errno, "capset: %s", strerror(errno));
	return v6_service_drop_caps(keep, err);
}

static int notify_fd = -1;

void v6_service_notify_open(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;

	if (notify_fd >= 0 || !path || !*path || strlen(path) >= sizeof(sa.sun_path) ||
	    (path[0] != '/' && path[0] != '@'))
		return;
	strcpy(sa.sun_path, path);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (connect(notify_fd, (struct sockaddr *)&sa, len) < 0) {
		log_warn("notify socket %s", path);
		close(notify_fd);
		notify_fd = -1;
	}
}

void v6_service_notify(const char *state)
{
	if (notify_fd >= 0 && send(notify_fd, state, strlen(state), MSG_NOSIGNAL) < 0)
		log_warn("notify");
}
