/* SPDX-License-Identifier: GPL-2.0-or-later */
/* srcroute: source-based policy routing, one table per uplink. */
#ifndef SRCROUTE_H
#define SRCROUTE_H

#include "cli.h"
#include "v6nl.h"

/* Rules without an explicit prio get SR_PRIO_BASE + (host bits of FROM):
 * a /128 sorts before the /64 that contains it, and the same file gives
 * the same priorities on every run whatever its line order. */
#define SR_PRIO_BASE 5000u
#define SR_PRIO_MAX 32765u
#define SR_DEFAULT_CONF "/etc/v6kit/srcroute.conf"
#define SR_TABLES_FILE "v6kit.conf"
enum { SR_EXIT_DRIFT = 3 };

/* Fail closed: each table's last resort, behind every real default route. */
#define SR_CLOSED_METRIC UINT32_MAX
/* Owner scopes: entries of srcroute.conf belong to "file", entries added on
 * the command line without `owner` to "manual"; "all" names every owner
 * where a verb accepts it (flush, show). */
#define SR_OWNER_FILE "file"
#define SR_OWNER_MANUAL "manual"
#define SR_OWNER_ALL "all"
#define SR_OWNER_MAX 32

struct sr_entry {
	struct v6_prefix from;
	char dev[16];
	bool has_via;
	struct v6_addr via;
	char table[64]; /* as written; "" means named after dev */
	bool has_prio;
	uint32_t prio;
	bool fallthrough;            /* no unreachable default in its table */
	char owner[SR_OWNER_MAX + 1]; /* "" until given; the verb fills it in */
	unsigned line;               /* 0 for the command line */
};

struct sr_conf {
	struct sr_entry *v;
	size_t n;
	const char *source; /* file name for messages, or NULL */
};

/* ---- conf.c: pure parsing, shared by `add` and config files ---- */
/* Parse "FROM dev IFACE [via GW] [table T] [prio N] [fallthrough]
 * [owner NAME]" from words. */
int sr_parse_entry(char **words, int n, struct sr_entry *e, struct v6_err *err);
/* Parse a whole file's text; errors carry "source:line: ". */
int sr_conf_parse(const char *text, size_t len, const char *source, struct sr_conf *conf,
		  struct v6_err *err);
/* Checks across entries: duplicates, one (dev, via) per table and family. */
int sr_conf_validate(const struct sr_conf *conf, struct v6_err *err);
/* Read FILE whole: on failure err->status says bad input (exit 1) for
 * any reason but ENOMEM, and the real errno is returned. */
int sr_conf_read(const char *path, char **text, size_t *len, struct v6_err *err);
int sr_conf_load(const char *path, struct sr_conf *conf, struct v6_err *err);
void sr_conf_free(struct sr_conf *conf);
uint32_t sr_entry_prio(const struct sr_entry *e);
/* NAME: [A-Za-z0-9_.:-]{1,32}; "all" only where allow_all. */
int sr_parse_owner(const char *s, bool allow_all, struct v6_err *err);
const char *sr_entry_table(const struct sr_entry *e);
/* "FILE:LINE: " for entries from a file, "" for the command line. */
const char *sr_where(const struct sr_conf *conf, const struct sr_entry *e, char *buf,
		     size_t len);

/* ---- plan.c: what must change in the kernel (pure) ---- */
enum sr_op_kind { SR_ROUTE_ADD, SR_ROUTE_REPLACE, SR_ROUTE_DEL, SR_RULE_ADD, SR_RULE_DEL };

struct sr_op {
	enum sr_op_kind kind;
	struct v6_route route, old_route;
	struct v6_rule rule;
	const struct sr_entry *entry; /* the line that asked for it, if any */
};

/* A table name to register in rt_tables.d once the plan ran. */
struct sr_newtable {
	char name[64];
	uint32_t id;
};

struct sr_plan {
	struct sr_op *ops;
	size_t n, cap;
	struct sr_newtable *newtables; /* names to register after success */
	size_t nnew, capnew;
	struct v6_rtnames names;
};

/* ---- owners.c: who asked for each rule ----
 * The kernel keeps only a protocol number on rules, so the owner of every
 * rule not owned by "file" is a line in $V6KIT_RUNDIR/srcroute/netns-COOKIE/
 * owners.  /run and the kernel's rules both vanish at a reboot; a rule
 * without a line belongs to "file". */
struct sr_owner_rec {
	int family;
	struct v6_prefix src;
	uint32_t prio, table;
	char owner[SR_OWNER_MAX + 1];
};

struct sr_owners {
	struct sr_owner_rec *v;
	size_t n;
	char path[4096];
};

int sr_owners_load(struct sr_owners *o, struct v6_err *err);
/* Make the directory of the records (and of the apply stamps). */
int sr_owners_mkdir(struct v6_err *err);
/* A socket already open in the namespace, to learn its cookie from
 * (saves opening one); it must stay open while the process runs. */
void sr_run_dir_socket(int fd);
/* That directory's file NAME (the directory may not exist yet). */
int sr_run_path(const char *name, char *buf, size_t len, struct v6_err *err);
/* The owner of a rule, SR_OWNER_FILE when none is recorded. */
const char *sr_owners_lookup(const struct sr_owners *o, const struct v6_rule *r);
void sr_owners_free(struct sr_owners *o);
struct sr_plan;
/* After a plan ran: forget the owners of the rules it removed, record
 * owner for the rules it added; rewrite the file only when that changed. */
int sr_owners_update(struct sr_owners *o, const struct sr_plan *plan, const char *owner,
		     struct v6_err *err);
/* Parse the file's text (pure, for tests). */
int sr_owners_parse(struct sr_owners *o, const char *text, size_t len, struct v6_err *err);

/* Serialise every change to srcroute's rules, tables and owners: the lock
 * beside rt_tables.d/v6kit.conf, under which new table ids are chosen.
 * Returns the lock's descriptor; close it to release. */
int sr_lock(struct v6_err *err);

/* ---- state.c: what the kernel holds ---- */
struct sr_state {
	/* srcroute's rules (protocol 150) and the owner of each */
	struct v6_rule *rules;
	const char **owner; /* per rule, into owners */
	size_t nrules;
	struct v6_route *routes; /* its unicast defaults and unreachables */
	size_t nroutes;
	struct sr_owners owners;
	/* other tools' unicast default routes in tables the plan needs */
	struct v6_route *foreign;
	size_t nforeign, capforeign;
	/* every table id the kernel uses, read only when a new table is needed */
	uint32_t *used_tables;
	size_t nused;
	bool used_read;
};

int sr_state_read(struct v6_nl *nl, int family, struct sr_state *st, struct v6_err *err);
/* Fill used_tables (once). */
int sr_state_read_used(struct v6_nl *nl, struct sr_state *st, struct v6_err *err);
/* Append to foreign the other tools' default routes in (family, table). */
int sr_state_read_foreign(struct v6_nl *nl, struct sr_state *st, int family, uint32_t table,
			  struct v6_err *err);
void sr_state_free(struct sr_state *st);
/* Every unicast default route in table of family that srcroute did not make. */
int sr_foreign_defaults(struct v6_nl *nl, int family, uint32_t table, struct v6_route **out,
			struct v6_err *err);

/* ---- planning ---- */
enum { SR_PLAN_PRUNE = 1 << 0, SR_PLAN_NO_REGISTER = 1 << 1 };

/* An entry with its device and table resolved to numbers. */
struct sr_want {
	const struct sr_entry *entry;
	int ifindex;
	uint32_t table;
};

/* plan.c, pure: append to plan (whose names the caller loaded) what makes
 * the kernel in st match want, entries of owner scope.  prune removes
 * that owner's rules want does not name; without it, a conflicting rule
 * is an error.  Rules of other owners are never touched, and a table's
 * routes stay while any rule of any owner uses it.  st->foreign must hold
 * the other tools' default routes of every wanted table without one of
 * srcroute's.  conf is only for naming file and line in errors. */
int sr_plan_entries(const struct sr_conf *conf, const struct sr_want *want, size_t nwant,
		    const struct sr_state *st, const char *scope, int flags, struct sr_plan *plan,
		    struct v6_err *err);
/* resolve.c: resolve conf's entries of family (reading what the kernel
 * and rt_tables say), then sr_plan_entries() into a fresh plan. */
int sr_plan_build(struct v6_nl *nl, const struct sr_conf *conf, struct sr_state *st,
		  const char *scope, int family, int flags, struct sr_plan *plan,
		  struct v6_err *err);
/* Plan removal of scope's rules (scope NULL: every owner's) from `from`
 * (NULL: all of them), and of each owned route whose table no remaining
 * rule of ours uses. */
int sr_plan_remove(const struct sr_state *st, const struct v6_prefix *from, const char *scope,
		   struct sr_plan *plan, struct v6_err *err);
int sr_plan_push(struct sr_plan *plan, const struct sr_op *op);
void sr_plan_free(struct sr_plan *plan);
const char *sr_table_name(const struct v6_rtnames *names, uint32_t id, char *buf, size_t len);
/* "tun6in4", "hand (protocol static)", "protocol 99"... */
const char *sr_proto_name(uint8_t proto, char *buf, size_t len);

/* ---- exec.c: running a plan ---- */
/* Run every op; on any failure undo what succeeded and register nothing.
 * Then record the owners of the rules it added (owner) and forget those of
 * the rules it removed. */
int sr_plan_exec(struct v6_nl *nl, const struct sr_conf *conf, struct sr_plan *plan,
		 const struct sr_state *st, const char *owner, struct v6_err *err);
/* ---- print.c ---- */
/* The plan as `ip` commands, one per line; prefix each with mark. */
void sr_plan_print(const struct sr_plan *plan, FILE *out, const char *mark);
void sr_op_print(const struct sr_op *op, const struct v6_rtnames *names, FILE *out);

/* ---- stamp.c: an unchanged re-apply costs the dumps and nothing else ---- */
/* Whether the file open at conf_fd (for owner and family) was applied and
 * nothing it depends on changed since, reading the kernel's state to know
 * (every rule: a rule deleted behind srcroute's back is always seen). */
bool sr_stamp_fresh(struct v6_nl *nl, int conf_fd, const char *owner, int family);
/* After a run left the kernel matching conf (parsed from text); ours is
 * sr_stamp_after() of the run. */
void sr_stamp_write(struct v6_nl *nl, const char *text, size_t len, const char *owner,
		    int family, const struct sr_conf *conf, uint64_t ours);
/* srcroute's objects in a state, and after plan ran on it. */
uint64_t sr_stamp_state(const struct sr_state *st);
uint64_t sr_stamp_after(const struct sr_state *st, const struct sr_plan *plan, const char *owner);

/* ---- common verb plumbing (main.c) ---- */
/* --wait: each device of conf up, within wait_s in all (-v says so). */
int sr_wait_devices(const struct v6_cli *cli, struct v6_nl *nl, const struct sr_conf *conf,
		    uint32_t wait_s);
/* Usage errors print one line and return V6_EXIT_USAGE: --wait's value;
 * "owner NAME" as the last two of argc words (allow_all for flush and
 * show), which then drops them; a
 * word the verb does not take. */
int sr_parse_wait(const struct v6_cli *cli, const char *arg, uint32_t *wait_s);
int sr_take_owner(const struct v6_cli *cli, int *argc, char **argv, bool allow_all,
		  const char **owner);
int sr_unexpected(const struct v6_cli *cli, const char *word);
/* Print a changing verb's plan and count (key: "changes", "differences"). */
void sr_report(const struct v6_cli *cli, const struct sr_plan *plan, const char *key, bool dry,
	       bool list, const char *mark);
/* Under the lock: read, plan with build (or remove), execute; once more
 * when the kernel reports a route another tool added meanwhile. */
struct sr_job {
	const struct sr_conf *conf; /* build: the entries */
	const char *scope;          /* their owner; remove: NULL for any */
	int family, flags;
	bool remove;
	const struct v6_prefix *from; /* remove: NULL for every source */
	bool dry_run;                  /* plan only (check, --dry-run) */
	long long wait_until;          /* --wait: CLOCK_MONOTONIC ms, 0 if not */
	uint64_t *after;               /* if set: sr_stamp_after() on success */
};
int sr_run_job(struct v6_nl *nl, const struct sr_job *job, struct sr_plan *plan,
	       struct v6_err *err);

int sr_cmd_add(struct v6_cli *cli, int argc, char **argv);
int sr_cmd_del(struct v6_cli *cli, int argc, char **argv);
int sr_cmd_show(struct v6_cli *cli, int argc, char **argv);
int sr_cmd_apply(struct v6_cli *cli, int argc, char **argv);
int sr_cmd_check(struct v6_cli *cli, int argc, char **argv);
int sr_cmd_flush(struct v6_cli *cli, int argc, char **argv);

#endif
