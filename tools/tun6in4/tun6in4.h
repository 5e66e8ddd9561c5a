/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tun6in4: 6in4 tunnels (RFC 4213), kernel sit or a userspace data plane. */
#ifndef TUN6IN4_H
#define TUN6IN4_H

#include "cli.h"
#include "v6nl.h"
#include "v6sit.h"

#include <stdint.h>
#include <sys/types.h>

#define T64_TOOL "tun6in4"
#define T64_CONF_DIR "/etc/v6kit/tunnels"
#define T64_DEFAULT_MTU 1480u
#define T64_DEFAULT_TTL 255u
#define T64_MAX_ADDRS 8
/* RFC 4213 3.2: the tunnel MTU is at least the IPv6 minimum (RFC 8200 5),
 * at most what an IPv4 packet can carry after its 20-byte header. */
#define T64_MTU_MIN 1280u
#define T64_MTU_MAX 65515u
enum { T64_EXIT_TOO_MANY_STARTS = 75 };

enum t64_mode { T64_MODE_AUTO, T64_MODE_KERNEL, T64_MODE_USER };

struct t64_conf {
	char name[16];
	struct in_addr remote, local; /* local INADDR_ANY: "any" */
	struct v6_prefix addr[T64_MAX_ADDRS];
	unsigned naddr;
	bool has_gateway;
	struct in6_addr gateway;
	uint32_t mtu, ttl;
	char dev[16];              /* "" when none */
	bool default_route;
	char table[64];            /* as written, "" for main */
	enum t64_mode mode;
	uint32_t max_starts, max_starts_secs;
	/* Where each key was set, so a file's errors can name its line. */
	const char *source;
	bool has_remote;
	/* File-only keys: what health checks ping, how often an idle tunnel
	 * sends a keepalive (0: never).  Not part of the canonical text. */
	bool has_check;
	struct in6_addr check;
	uint32_t keepalive;
};

/* ---- conf.c: pure; command line words and config files ---- */
void t64_conf_defaults(struct t64_conf *c);
/* Apply one "KEY VALUE" pair.  "name" is only accepted from files. */
int t64_conf_set(struct t64_conf *c, const char *key, const char *val, bool from_file,
		 struct v6_err *err);
/* Parse a config file's text; errors are "SOURCE:LINE: ...". */
int t64_conf_parse(struct t64_conf *c, const char *text, size_t len, const char *source,
		   struct v6_err *err);
int t64_conf_load(struct t64_conf *c, const char *path, struct v6_err *err);
/* Defaults, then path: the tunnel NAME's conf (a name key must match), or
 * with name NULL a conf named by its name key or else by path's base name
 * less ".conf" (`up -f FILE`). */
int t64_conf_load_named(struct t64_conf *c, const char *path, const char *name,
			struct v6_err *err);
/* Checks across keys once everything is read. */
int t64_conf_check(const struct t64_conf *c, struct v6_err *err);
const char *t64_mode_name(enum t64_mode m);
/* Canonical one-line text of the parameters that define a tunnel, used to
 * tell "the same tunnel again" from "a different one under that name". */
void t64_conf_canon(const struct t64_conf *c, char *buf, size_t len);

/* ---- state.c: $V6KIT_RUNDIR/tun6in4/net-INODE/NAME.* ---- */
struct t64_state {
	enum t64_mode mode;      /* kernel or user */
	pid_t pid;               /* user mode daemon */
	char canon[1024];        /* t64_conf_canon() of the parameters */
	struct t64_conf conf;    /* as parsed back from canon */
};
int t64_state_dir(char *buf, size_t len, struct v6_err *err);
int t64_state_path(const char *name, const char *ext, char *buf, size_t len,
		   struct v6_err *err);
int t64_state_write(const struct t64_state *s, const char *name, struct v6_err *err);
/* 0 and *s filled, -ENOENT when there is none. */
int t64_state_read(const char *name, struct t64_state *s, struct v6_err *err);
/* Pure: a state file's bytes (source names it in errors); -EIO when
 * damaged. */
int t64_state_parse(const char *text, size_t len, const char *source, struct t64_state *s,
		    struct v6_err *err);
void t64_state_remove(const char *name);
/* The user-mode daemon's own counters, published in NAME.stats. */
struct t64_stats {
	uint64_t rx_dropped; /* inbound packets refused by t64_decap() */
	uint64_t tx_dropped; /* outbound packets refused, too big included */
	uint64_t ptb_sent;   /* ICMPv6 Packet Too Big sent back */
};
int t64_stats_write(const char *name, const struct t64_stats *st, struct v6_err *err);
/* The daemon's own handle on NAME.stats: made (owned by uid:gid) while it
 * is root, rewritten in place afterwards; "stopped" once it exits, which
 * tells the next reader of the state that the tunnel is gone. */
int t64_stats_open(const char *name, uid_t uid, gid_t gid, struct v6_err *err);
void t64_stats_put(int fd, const struct t64_stats *st);
void t64_stats_stopped(int fd);
int t64_stats_read(const char *name, struct t64_stats *st);
/* Pure: a stats file's bytes; -EIO unless it is a whole record (a
 * "stopped" file is not). */
int t64_stats_parse(const char *text, size_t len, struct t64_stats *st);
/* A live (not zombie) tun6in4 process with that pid. */
bool t64_daemon_alive(pid_t pid);
/* Restart guard (max-starts N/SECS): how many starts of c's tunnel the
 * window holds and the seconds until the oldest leaves it (at least 1);
 * returns 1 when one more start fits, 0 when it does not. */
int t64_starts_room(const struct t64_conf *c, unsigned *count, long long *wait,
		    struct v6_err *err);
int t64_starts_record(const char *name, time_t now, struct v6_err *err);
/* Where the guard keeps name's start times: $V6KIT_STATEDIR (default
 * /var/lib/v6kit)/tun6in4[/netns-NETNS]/NAME.starts, created as needed. */
int t64_history_path(const char *name, char *buf, size_t len, struct v6_err *err);
/* Pure helper: count lines of start times within (now - secs, now]. */
unsigned t64_starts_in_window(const char *text, size_t len, uint32_t secs, time_t now,
			      time_t *oldest);

/* ---- inplace.c: what `change` and `reload` alter on a running tunnel ---- */
enum t64_key {
	T64_KEY_LOCAL = 1 << 0, T64_KEY_REMOTE = 1 << 1, T64_KEY_TTL = 1 << 2,
	T64_KEY_MTU = 1 << 3, T64_KEY_ADDRESS = 1 << 4, T64_KEY_GATEWAY = 1 << 5,
	T64_KEY_DEFAULT_ROUTE = 1 << 6, T64_KEY_TABLE = 1 << 7, T64_KEY_DEV = 1 << 8,
	T64_KEY_MODE = 1 << 9,
};
/* Pure: the keys whose values differ between a running tunnel (cur, in
 * mode) and next; which of them only a restart can change; their names as
 * "mtu, ttl". */
unsigned t64_conf_diff(const struct t64_conf *cur, enum t64_mode mode,
		       const struct t64_conf *next);
unsigned t64_restart_keys(unsigned diff, enum t64_mode mode, const struct t64_conf *cur,
			  const struct t64_conf *next);
void t64_key_names(unsigned keys, char *buf, size_t len);
/* Addresses and main-table routes of link ifindex from cur to next. */
int t64_inplace_addrs_routes(struct v6_nl *nl, int ifindex, const struct t64_conf *cur,
			     const struct t64_conf *next, unsigned diff, struct v6_err *err);
/* The conf file a tunnel came up from ($V6KIT_RUNDIR state, NAME.source);
 * file NULL forgets it (a tunnel from the command line). */
int t64_source_record(const char *name, const char *file);
int t64_source_get(const char *name, char *buf, size_t len);
/* A `local` moved by `change` or `reload` outlives the tunnel:
 * $V6KIT_STATEDIR/tun6in4/NAME.local holds it with the file's own local
 * at the time.  Applied to a conf read from a file while that file's local
 * is unchanged; once the file says something else, the file wins. */
int t64_override_apply(struct t64_conf *c);
int t64_override_save(const char *name, struct in_addr file_local, struct in_addr now,
		      struct v6_err *err);

/* ---- verbs ---- */
int t64_cmd_up(struct v6_cli *cli, int argc, char **argv);
int t64_cmd_down(struct v6_cli *cli, int argc, char **argv);
int t64_cmd_change(struct v6_cli *cli, int argc, char **argv);
int t64_cmd_show(struct v6_cli *cli, int argc, char **argv);
int t64_cmd_restart(struct v6_cli *cli, int argc, char **argv);
int t64_cmd_keepalive(struct v6_cli *cli, int argc, char **argv);
/* restart.c: the configuration `up NAME` or `up -f FILE` reads (name from
 * the file's name key or base name), checked; 0 or an exit status after
 * a one-line error. */
int t64_conf_from_file(const char *name, const char *file, struct t64_conf *c);
int t64_cmd_reload(struct v6_cli *cli, int argc, char **argv);
/* state.c: NAME's config file, $V6KIT_TUNNELS_DIR/NAME.conf or under
 * T64_CONF_DIR. */
void t64_conf_path(const char *name, char *buf, size_t len);
/* change.c: netlink open and the running tunnel NAME's state read; 0, or
 * an exit status after a one-line error. */
int t64_running_open(struct v6_cli *cli, const char *name, struct v6_nl *nl,
		     struct t64_state *st);
/* change.c: move the running tunnel NAME (state st) to next in place; an
 * exit status.  Shared by `change` and `reload`. */
int t64_change_to(struct v6_nl *nl, const char *name, struct t64_state *st,
		  const struct t64_conf *next);

/* ---- main.c ---- */
/* The words of a verb that takes only NAME (or, optional, nothing): a
 * word starting with '-' is an unknown option ("--" ends them), a second
 * word is one too many.  0 with *name set (NULL when optional and absent),
 * or an exit status after a one-line error. */
int t64_args_name(const struct v6_cli *cli, int argc, char **argv, bool optional,
		  const char **name);

/* ---- daemon.c: the user-mode data plane ---- */
struct t64_daemon {
	const struct t64_conf *conf;
	int tun_fd, raw_fd;
	bool vnet_hdr;
	bool foreground;
	int ready_fd;  /* written once the loop runs; -1 for none */
	int verbose;
	int ctl_fd, stats_fd; /* the daemon's own (daemon.c) */
};
/* Open the raw IPv4 protocol-41 socket bound to local, connected to remote. */
int t64_raw_open(const struct t64_conf *c, struct v6_err *err);
/* Create TUN device NAME; *vnet_hdr tells whether offloads are on. */
int t64_tun_open(const char *name, bool *vnet_hdr, struct v6_err *err);
/* Run until SIGTERM/SIGINT; returns an exit status. */
int t64_daemon_run(struct t64_daemon *d);

/* ---- ctl.c: `change` talks to the daemon on NAME.ctl ---- */
int t64_ctl_listen(const char *name, struct v6_err *err);
/* Send one request (with the descriptor pass_fd, unless -1), wait up to
 * 5 s for the one-line answer. */
int t64_ctl_request(const char *name, const char *req, int pass_fd, char *reply, size_t cap,
		    struct v6_err *err);
/* The daemon's side: one request from an accepted connection, and the
 * descriptor passed with it (*passed, -1 when none). */
int t64_ctl_receive(int fd, char *req, size_t cap, int *passed);

#endif
