/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `up`: bring a tunnel up, all or nothing.  Everything this call creates is
 * remembered and removed again if any later step fails; deleting the link
 * takes its addresses and routes with it. */
#define _GNU_SOURCE
#include "tun6in4.h"
#include "log.h"
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_WAIT_S 10u

struct up_opts {
	const char *file, *name;
	bool force, foreground;
	uint32_t wait_s;
	bool wait_given; /* --wait: also wait for `local` to appear */
};

struct up_run {
	struct v6_nl nl;
	struct t64_conf conf;
	uint32_t table;
	int dev_ifindex;
	enum t64_mode mode;
	int ifindex;        /* the link we created, 0 until then */
	int tun_fd, raw_fd; /* user mode */
	bool vnet_hdr;
	pid_t daemon;
};

static int parse_args(const struct v6_cli *cli, int argc, char **argv, struct up_opts *o,
		      struct t64_conf *c)
{
	struct v6_err err;
	int i = 1;
	const char *first_key = NULL;

	t64_conf_defaults(c);
	o->wait_s = DEFAULT_WAIT_S;
	for (; i < argc; i++) {
		const char *w = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(w, "--force")) {
			o->force = true;
		} else if (!strcmp(w, "-F") || !strcmp(w, "--foreground")) {
			o->foreground = true;
		} else if (!strcmp(w, "--wait") || !strcmp(w, "-f")) {
			if (!val)
				return v6_cli_usage(cli, "option '%s' needs a value", w);
			i++;
			if (w[1] == 'f') {
				if (o->file)
					return v6_cli_usage(cli, "-f given twice: '%s'", val);
				o->file = val;
			} else if (v6_parse_u32(val, 0, 3600, &o->wait_s, "--wait", &err) < 0) {
				return v6_cli_usage(cli, "%s", err.msg);
			} else {
				o->wait_given = true;
			}
		} else if (w[0] == '-' && w[1]) {
			/* Not a NAME nor a key: `up --bogus` must not read --bogus.conf. */
			return v6_cli_usage(cli, "unknown option '%s'", w);
		} else if (!o->name && !o->file && !first_key) {
			if (v6_parse_ifname(w, "tunnel name", &err) < 0) {
				v6_cli_error("%s", err.msg);
				return V6_EXIT_USAGE;
			}
			o->name = w;
		} else {
			if (o->file)
				return v6_cli_usage(cli, "-f FILE takes no parameters: '%s'", w);
			if (!val)
				return v6_cli_usage(cli, "'%s' needs a value", w);
			if (t64_conf_set(c, w, val, false, &err) < 0) {
				v6_cli_error("%s", err.msg);
				return V6_EXIT_USAGE;
			}
			if (!first_key)
				first_key = w;
			i++;
		}
	}
	if (!o->name && !o->file)
		return v6_cli_usage(cli, "missing NAME or -f FILE");
	if (o->file && o->name)
		return v6_cli_usage(cli, "NAME '%s' and -f FILE exclude each other", o->name);
	if (o->name && !first_key) {
		/* `up NAME`: the tunnel's own config file. */
		static char path[4096];
		t64_conf_path(o->name, path, sizeof(path));
		o->file = path;
	}
	if (o->file)
		return t64_conf_from_file(o->name, o->file, c);
	snprintf(c->name, sizeof(c->name), "%s", o->name);
	if (t64_conf_check(c, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	return 0;
}

static int resolve_table(const struct t64_conf *c, uint32_t *id)
{
	struct v6_rtnames names = { 0 };
	struct v6_err err;
	int rc;

	*id = 0;
	if (!c->table[0])
		return 0;
	if ((rc = v6_rtnames_load(&names, v6_iproute2_dir(), &err)) == 0)
		rc = v6_rtnames_resolve(&names, c->table, id, &err);
	v6_rtnames_free(&names);
	if (rc < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	return 0;
}

/* Is NAME already up?  0: go ahead; otherwise an exit status (with
 * *done set when that status means success). */
static int check_existing(struct up_run *r, bool *done)
{
	struct t64_state st;
	struct v6_err err;
	char canon[1024];
	int owned = v6_link_owned(&r->nl, r->conf.name, T64_TOOL, &err);
	int rc = t64_state_read(r->conf.name, &st, &err);

	*done = false;
	if (owned < 0 && owned != -ENODEV) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_RUNTIME;
	}
	if (owned == 0) {
		v6_cli_error("%s: a device of that name exists and was not created by " T64_TOOL,
			     r->conf.name);
		return V6_EXIT_RUNTIME;
	}
	if (rc == -ENOENT) {
		if (owned == 1) {
			v6_cli_error("%s: exists without " T64_TOOL " state; run '" T64_TOOL
				     " down %s' first", r->conf.name, r->conf.name);
			return V6_EXIT_RUNTIME;
		}
		return 0;
	}
	if (rc < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_RUNTIME;
	}
	bool alive = owned == 1 && (st.mode == T64_MODE_KERNEL || t64_daemon_alive(st.pid));
	if (!alive) {
		/* Left over by a daemon that died or a link removed by hand. */
		if (owned == 1) {
			struct v6_link l;
			if (v6_link_by_name(&r->nl, r->conf.name, &l, &err) == 0)
				v6_link_delete(&r->nl, l.ifindex, &err);
		}
		t64_state_remove(r->conf.name);
		return 0;
	}
	t64_conf_canon(&r->conf, canon, sizeof(canon));
	if (strcmp(canon, st.canon)) {
		v6_cli_error("%s: already up with different parameters; run '" T64_TOOL
			     " down %s' first", r->conf.name, r->conf.name);
		return V6_EXIT_RUNTIME;
	}
	if (r->conf.mode != T64_MODE_AUTO && r->conf.mode != st.mode) {
		v6_cli_error("%s: already up in %s mode", r->conf.name, t64_mode_name(st.mode));
		return V6_EXIT_RUNTIME;
	}
	v6_cli_error("%s: already up, nothing changed", r->conf.name);
	*done = true;
	return 0;
}

/* Brokers ban clients that reconnect too often (SixXS: more than 4 times a
 * minute); refuse before the broker sees us. */
static int restart_guard(const struct t64_conf *c, bool force)
{
	struct v6_err err;
	unsigned count;
	long long wait;
	int room = t64_starts_room(c, &count, &wait, &err);

	if (room < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_RUNTIME;
	}
	if (room || force)
		return 0;
	v6_cli_error("%s: started %u times in the last %u s (max-starts %u/%u); may retry in %lld s,"
		     " or use --force", c->name, count, c->max_starts_secs, c->max_starts,
		     c->max_starts_secs, wait);
	return T64_EXIT_TOO_MANY_STARTS;
}

static int create_kernel(struct up_run *r, struct v6_err *err)
{
	struct v6_sit p = { .local = r->conf.local, .remote = r->conf.remote,
			    .ttl = (uint8_t)r->conf.ttl, .pmtudisc = true,
			    .link = r->dev_ifindex, .mtu = r->conf.mtu };

	snprintf(p.name, sizeof(p.name), "%s", r->conf.name);
	return v6_sit_create(&r->nl, &p, err);
}

static int create_user(struct up_run *r, struct v6_err *err)
{
	if ((r->raw_fd = t64_raw_open(&r->conf, err)) < 0)
		return r->raw_fd;
	if ((r->tun_fd = t64_tun_open(r->conf.name, &r->vnet_hdr, err)) < 0)
		return r->tun_fd;
	return 0;
}

static int create_link(struct up_run *r)
{
	struct v6_err err;
	int rc = -EOPNOTSUPP;

	if (r->conf.mode != T64_MODE_USER) {
		rc = create_kernel(r, &err);
		if (rc == 0) {
			r->mode = T64_MODE_KERNEL;
		} else if (rc == -EOPNOTSUPP && r->conf.mode == T64_MODE_AUTO) {
			v6_cli_error("%s: this kernel has no sit support; using user mode",
				     r->conf.name);
		} else {
			v6_cli_error("%s", err.msg);
			return rc;
		}
	}
	if (rc < 0) {
		r->mode = T64_MODE_USER;
		if ((rc = create_user(r, &err)) < 0) {
			v6_cli_error("%s", err.msg);
			return rc;
		}
	}
	struct v6_link l;
	if ((rc = v6_link_by_name(&r->nl, r->conf.name, &l, &err)) < 0) {
		v6_cli_error("%s", err.msg);
		return rc;
	}
	r->ifindex = l.ifindex;
	return 0;
}

/* The table's default route is taken.  An equivalent route (same table
 * and device, no other gateway) that srcroute made serves the tunnel as
 * well: it is left alone, as srcroute leaves ours.  Anything else is a conflict whose
 * message names the owner.  Returns 0 when served. */
static int default_taken(struct up_run *r, const struct v6_route *want, struct v6_err *err)
{
	struct v6_route *v = NULL;
	struct v6_err ignored;
	char tn[80], gw[V6_ADDRSTRLEN] = "", dev[IF_NAMESIZE], who[32];
	int n = v6_route_list_filtered(&r->nl, AF_INET6, want->table ? want->table : 254, 0, &v,
				       &ignored);
	const struct v6_route *f = NULL;

	for (int i = 0; i < n; i++) {
		if (v[i].dst.len || v[i].type != RTN_UNICAST)
			continue;
		/* Same device, and the same gateway if both name one: a tunnel
		 * has one neighbour, so on-link and via the far end agree. */
		if (v[i].protocol == V6_PROTO_SRCROUTE && v[i].ifindex == want->ifindex &&
		    (!v[i].has_gw || !want->has_gw || v6_addr_equal(&v[i].gw, &want->gw))) {
			free(v);
			return 0;
		}
		if (!f || v[i].metric == 1024)
			f = &v[i];
	}
	if (want->table)
		snprintf(tn, sizeof(tn), "table %s", r->conf.table);
	else
		snprintf(tn, sizeof(tn), "the main table");
	if (!f) {
		free(v);
		return v6_err_set(err, -EEXIST, "%s already has a default route", tn);
	}
	if (f->has_gw)
		v6_addr_str(&f->gw, gw, sizeof(gw));
	if (!f->ifindex || !if_indextoname((unsigned)f->ifindex, dev))
		snprintf(dev, sizeof(dev), "?");
	if (f->protocol == V6_PROTO_SRCROUTE)
		snprintf(who, sizeof(who), "srcroute");
	else if (f->protocol == V6_PROTO_TUN6IN4)
		snprintf(who, sizeof(who), "tun6in4 (another tunnel)");
	else
		snprintf(who, sizeof(who), "protocol %u", f->protocol);
	n = v6_err_set(err, -EEXIST,
		       "%s already has a default route %s%s%sdev %s owned by %s; %s, or use another table",
		       tn, f->has_gw ? "via " : "", gw, f->has_gw ? " " : "", dev, who,
		       f->protocol == V6_PROTO_SRCROUTE
			       ? "remove srcroute's entries for that table (see 'srcroute show')"
			       : "remove it ('ip -6 route del default' in that table)");
	free(v);
	return n;
}

static int add_routes(struct up_run *r, struct v6_err *err)
{
	struct v6_route rt = { .family = AF_INET6, .table = r->table,
			       .protocol = V6_PROTO_TUN6IN4, .ifindex = r->ifindex };
	int rc;

	rt.dst.addr.family = AF_INET6;
	if (r->conf.has_gateway) {
		/* The far end is reachable on the link itself. */
		rt.dst.addr.v6 = r->conf.gateway;
		rt.dst.len = 128;
		if ((rc = v6_route_add(&r->nl, &rt, V6_NL_EXCL, err)) < 0)
			return rc;
	}
	if (!r->conf.default_route && !r->conf.table[0])
		return 0;
	memset(&rt.dst, 0, sizeof(rt.dst));
	rt.dst.addr.family = AF_INET6;
	if (r->conf.has_gateway) {
		rt.has_gw = true;
		rt.gw.family = AF_INET6;
		rt.gw.v6 = r->conf.gateway;
	}
	if ((rc = v6_route_add(&r->nl, &rt, V6_NL_EXCL, err)) == -EEXIST)
		rc = default_taken(r, &rt, err);
	return rc;
}

/* Milliseconds to the deadline, never negative, and the whole seconds
 * they round up to for a -v line. */
static int ms_left(long long deadline)
{
	long long left = deadline - v6_mono_ms();
	return left > 0 ? (int)left : 0;
}

static int secs_up(int ms)
{
	return (ms + 999) / 1000;
}

/* `local` must be an address of this host before anything uses it; at
 * boot DHCP may assign it after we start.  Events, not polling. */
static int wait_local(const struct v6_cli *cli, struct up_run *r, long long deadline,
		      const struct up_opts *o)
{
	struct v6_addr a = { .family = AF_INET, .v4 = r->conf.local };
	char buf[V6_ADDRSTRLEN];
	struct v6_err err;
	int rc;

	if (!r->conf.local.s_addr)
		return 0;
	rc = v6_wait_addr(&r->nl, 0, &a, 0, &err);
	if (rc == -ETIMEDOUT && o->wait_given && ms_left(deadline) > 0) {
		v6_cli_verbose(cli, "%s: waiting up to %d s for local address %s", r->conf.name,
			       secs_up(ms_left(deadline)), v6_addr_str(&a, buf, sizeof(buf)));
		rc = v6_wait_addr(&r->nl, 0, &a, ms_left(deadline), &err);
	}
	if (rc == -ETIMEDOUT && o->wait_given)
		v6_cli_error("%s: local %s: not an address of this host after --wait %u s",
			     r->conf.name, v6_addr_str(&a, buf, sizeof(buf)), o->wait_s);
	else if (rc == -ETIMEDOUT)
		v6_cli_error("%s: local %s: not an address of this host (--wait SECS waits for it)",
			     r->conf.name, v6_addr_str(&a, buf, sizeof(buf)));
	else if (rc < 0)
		v6_cli_error("%s: %s", r->conf.name, err.msg);
	return rc;
}

/* Ready means usable: link running, every address past DAD.  Looked at
 * once first, so -v only speaks of a wait that happens. */
static int wait_usable(const struct v6_cli *cli, struct up_run *r, long long deadline,
		       struct v6_err *err)
{
	int rc = 0;

	for (int pass = 0; pass < 2; pass++) {
		int ms = pass ? ms_left(deadline) : 0;

		if (pass)
			v6_cli_verbose(cli, "%s: waiting up to %d s for the tunnel to carry traffic "
				       "(link running, addresses past duplicate address detection)",
				       r->conf.name, secs_up(ms));
		rc = v6_wait_link(&r->nl, r->conf.name, V6_LINK_RUNNING, ms, err);
		for (unsigned i = 0; rc == 0 && i < r->conf.naddr; i++)
			rc = v6_wait_addr(&r->nl, r->ifindex, &r->conf.addr[i].addr,
					  pass ? ms_left(deadline) : 0, err);
		if (rc != -ETIMEDOUT || ms_left(deadline) == 0)
			break;
	}
	return rc;
}

static int configure(const struct v6_cli *cli, struct up_run *r, long long deadline)
{
	struct v6_err err;
	char alias[64];
	int rc;

	snprintf(alias, sizeof(alias), V6_LINK_ALIAS_PREFIX "%s", T64_TOOL);
	if ((rc = v6_link_set_alias(&r->nl, r->ifindex, alias, &err)) < 0 ||
	    (r->mode == T64_MODE_USER &&
	     (rc = v6_link_set_mtu(&r->nl, r->ifindex, r->conf.mtu, &err)) < 0) ||
	    (rc = v6_link_set_up(&r->nl, r->ifindex, true, &err)) < 0)
		goto fail;
	for (unsigned i = 0; i < r->conf.naddr; i++)
		if ((rc = v6_addr_add(&r->nl, r->ifindex, &r->conf.addr[i], 0, &err)) < 0)
			goto fail;
	if ((rc = add_routes(r, &err)) < 0)
		goto fail;
	if ((rc = wait_usable(cli, r, deadline, &err)) < 0)
		goto fail;
	return 0;
fail:
	v6_cli_error("%s: %s", r->conf.name, err.msg);
	return rc;
}

static void write_pidfile(const char *name)
{
	char path[4200];
	FILE *f;

	if (t64_state_path(name, "pid", path, sizeof(path), NULL) == 0 && (f = fopen(path, "w"))) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
}

/* Fork the daemon and wait until its loop runs; the parent's copies of the
 * descriptors are closed afterwards, leaving the device to the child. */
static int start_daemon(const struct v6_cli *cli, struct up_run *r, int verbose)
{
	int pfd[2];
	char c;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		v6_cli_error("%s: pipe: %s", r->conf.name, strerror(errno));
		return -errno;
	}
	fflush(NULL);
	r->daemon = fork();
	if (r->daemon < 0) {
		v6_cli_error("%s: fork: %s", r->conf.name, strerror(errno));
		return -errno;
	}
	if (r->daemon == 0) {
		int null = open("/dev/null", O_RDWR);
		close(pfd[0]);
		setsid();
		if (chdir("/") < 0)
			_exit(2);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
		v6_nl_close(&r->nl);
		/* Keep nothing of the caller's (a test runner's pipes, say):
		 * only the device, the socket and the readiness pipe. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != r->tun_fd && fd != r->raw_fd && fd != pfd[1])
				close(fd);
		log_init(T64_TOOL, true, verbose);
		write_pidfile(r->conf.name);
		struct t64_daemon d = { .conf = &r->conf, .tun_fd = r->tun_fd, .raw_fd = r->raw_fd,
					.vnet_hdr = r->vnet_hdr, .ready_fd = pfd[1],
					.verbose = verbose };
		_exit(t64_daemon_run(&d));
	}
	close(pfd[1]);
	v6_cli_verbose(cli, "%s: waiting up to 5 s for the tunnel daemon (pid %d) to start",
		       r->conf.name, (int)r->daemon);
	struct pollfd p = { .fd = pfd[0], .events = POLLIN };
	int ok = poll(&p, 1, 5000) == 1 && read(pfd[0], &c, 1) == 1;
	close(pfd[0]);
	if (!ok) {
		v6_cli_error("%s: the tunnel daemon did not start", r->conf.name);
		return -ECHILD;
	}
	return 0;
}

static void rollback(struct up_run *r)
{
	struct v6_err err;

	if (r->daemon > 0) {
		kill(r->daemon, SIGKILL);
		waitpid(r->daemon, NULL, 0);
	}
	if (r->tun_fd >= 0)
		close(r->tun_fd);
	if (r->raw_fd >= 0)
		close(r->raw_fd);
	/* A TUN device goes with its last descriptor; a sit link we delete. */
	if (r->ifindex > 0) {
		struct v6_link l;
		if (v6_link_by_index(&r->nl, r->ifindex, &l, &err) == 0)
			v6_link_delete(&r->nl, r->ifindex, &err);
	}
	t64_state_remove(r->conf.name);
}

int t64_cmd_up(struct v6_cli *cli, int argc, char **argv)
{
	struct up_opts o = { 0 };
	struct up_run r = { .tun_fd = -1, .raw_fd = -1 };
	struct t64_state st = { 0 };
	struct v6_err err;
	bool done;
	int rc;

	if ((rc = parse_args(cli, argc, argv, &o, &r.conf)) != 0)
		return rc;
	if ((rc = resolve_table(&r.conf, &r.table)) != 0)
		return rc;
	if ((rc = v6_cli_open(cli, &r.nl)) != 0)
		return rc;
	if (o.file) /* a local moved by `change` since; in the namespace, see inplace.c */
		t64_override_apply(&r.conf);
	if (r.conf.dev[0]) {
		struct v6_link l;
		if (v6_link_by_name(&r.nl, r.conf.dev, &l, &err) < 0) {
			v6_cli_error("dev: %s", err.msg);
			rc = V6_EXIT_RUNTIME;
			goto out;
		}
		r.dev_ifindex = l.ifindex;
	}
	if ((rc = check_existing(&r, &done)) != 0 || done) {
		if (done && o.foreground) {
			/* Already up and usable: a service manager may count on
			 * it (RemainAfterExit=yes). */
			v6_service_notify_open();
			v6_service_notify("READY=1");
		}
		goto out;
	}
	if ((rc = restart_guard(&r.conf, o.force)) != 0)
		goto out;
	/* One --wait budget for the local address and the link's readiness. */
	long long deadline = v6_mono_ms() + (long long)o.wait_s * 1000;
	if (wait_local(cli, &r, deadline, &o) < 0) {
		rc = V6_EXIT_RUNTIME;
		goto out;
	}
	if (create_link(&r) < 0 || configure(cli, &r, deadline) < 0) {
		rc = V6_EXIT_RUNTIME;
		goto fail;
	}
	st.mode = r.mode;
	t64_conf_canon(&r.conf, st.canon, sizeof(st.canon));
	t64_source_record(r.conf.name, o.file); /* what `reload` re-reads */
	if (r.mode == T64_MODE_USER && o.foreground) {
		st.pid = getpid();
		if (t64_state_write(&st, r.conf.name, &err) < 0 ||
		    t64_starts_record(r.conf.name, time(NULL), &err) < 0) {
			v6_cli_error("%s", err.msg);
			rc = V6_EXIT_RUNTIME;
			goto fail;
		}
		v6_nl_close(&r.nl);
		log_init(T64_TOOL, false, cli->verbose);
		write_pidfile(r.conf.name);
		struct t64_daemon d = { .conf = &r.conf, .tun_fd = r.tun_fd, .raw_fd = r.raw_fd,
					.vnet_hdr = r.vnet_hdr, .foreground = true, .ready_fd = -1,
					.verbose = cli->verbose };
		return t64_daemon_run(&d);
	}
	if (r.mode == T64_MODE_USER) {
		if (start_daemon(cli, &r, cli->verbose) < 0) {
			rc = V6_EXIT_RUNTIME;
			goto fail;
		}
		st.pid = r.daemon;
		close(r.tun_fd);
		close(r.raw_fd);
		r.tun_fd = r.raw_fd = -1;
	}
	if (t64_state_write(&st, r.conf.name, &err) < 0 ||
	    t64_starts_record(r.conf.name, time(NULL), &err) < 0) {
		v6_cli_error("%s", err.msg);
		rc = V6_EXIT_RUNTIME;
		goto fail;
	}
	v6_cli_verbose(cli, "%s: up (%s mode)", r.conf.name, t64_mode_name(r.mode));
	if (o.foreground) {
		/* Kernel mode: the tunnel needs no process; the unit stays
		 * active without one (RemainAfterExit=yes). */
		v6_service_notify_open();
		v6_service_notify("READY=1");
	}
	rc = V6_EXIT_OK;
	goto out;
fail:
	rollback(&r);
out:
	v6_nl_close(&r.nl);
	return rc;
}
