/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every v6kit daemon does the same way: give up root for a system
 * user with a few capabilities, and speak systemd's notify protocol. */
#ifndef V6_SERVICE_H
#define V6_SERVICE_H

#include "v6util.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The dedicated account `make install` creates (sysusers.d/v6kit.conf). */
#define V6_SERVICE_USER "v6kit"
/* Where it does not exist (a build run from the tree), the daemons fall
 * back to this one, saying so once. */
#define V6_SERVICE_USER_FALLBACK "nobody"

/* Look up USER (NULL: v6kit, else nobody).  Fills uid/gid and the name
 * actually chosen; *fell_back tells the caller to mention it.  Refuses
 * uid 0.  Pure lookup: no credentials change. */
int v6_service_user(const char *user, uid_t *uid, gid_t *gid, const char **chosen,
		   bool *fell_back, struct v6_err *err);

/* Become USER keeping only the capabilities in KEEP (a mask of CAP_*
 * bits below 32); the bounding set shrinks to the same, and no_new_privs
 * is set.  Every step must succeed: a daemon that asked to drop privileges
 * never runs on with more than it asked for. */
int v6_service_drop(const char *user, uint32_t keep, struct v6_err *err);
/* The same without a change of user: keep only KEEP in the effective,
 * permitted and bounding sets, clear the inheritable set, and set
 * no_new_privs; needs CAP_SETPCAP unless the bounding set is KEEP
 * already.  Every step is checked. */
int v6_service_drop_caps(uint32_t keep, struct v6_err *err);

/* systemd's notify protocol without libsystemd.  Open while still root
 * (the socket may be root-only); notify is a no-op outside systemd. */
void v6_service_notify_open(void);
void v6_service_notify(const char *state);

#endif
