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

struct sr_entry {
	struct v6_prefix from;
	char dev[16];
	bool has_via;
	struct v6_addr via;
	char table[64]; /* as written; "" means named after dev */
	bool has_prio;
	uint32_t prio;
	unsigned line; /* 0 for the command line */
};

struct sr_conf {
	struct sr_entry *v;
	size_t n;
	const char *source; /* file name for messages, or NULL */
};

/* ---- conf.c: pure parsing, shared by `add` and config files ---- */
/* Parse "FROM dev IFACE [via GW] [table T] [prio N]" from words. */
int sr_parse_entry(char **words, int n, struct sr_entry *e, struct v6_err *err);
/* Parse a whole file's text; errors carry "source:line: ". */
int sr_conf_parse(const char *text, size_t len, const char *source, struct sr_conf *conf,
		  struct v6_err *err);
/* Checks across entries: duplicates, one (dev, via) per table and family. */
int sr_conf_validate(const struct sr_conf *conf, struct v6_err *err);
int sr_conf_load(const char *path, struct sr_conf *conf, struct v6_err *err);
void sr_conf_free(struct sr_conf *conf);
uint32_t sr_entry_prio(const struct sr_entry *e);
const char *sr_entry_table(const struct sr_entry *e);
/* "FILE:LINE: " for entries from a file, "" for the command line. */
const char *sr_where(const struct sr_conf *conf, const struct sr_entry *e, char *buf,
		     size_t len);

/* ---- plan.c: what must change in the kernel ---- */
enum sr_op_kind { SR_ROUTE_ADD, SR_ROUTE_REPLACE, SR_ROUTE_DEL, SR_RULE_ADD, SR_RULE_DEL };

struct sr_op {
	enum sr_op_kind kind;
	struct v6_route route, old_route;
	struct v6_rule rule;
	const struct sr_entry *entry; /* the line that asked for it, if any */
};

struct sr_newtable {
	char name[64];
	uint32_t id;
};

struct sr_plan {
	struct sr_op *ops;
	size_t n, cap;
	struct sr_newtable *newtables; /* names to register after success */
	size_t nnew;
	struct v6_rtnames names;
};

/* What the kernel holds that srcroute owns. */
struct sr_state {
	struct v6_rule *rules;
	size_t nrules;
	struct v6_route *routes;
	size_t nroutes;
	/* everything, for picking table ids nobody uses */
	uint32_t *used_tables;
	size_t nused;
};

int sr_state_read(struct v6_nl *nl, int family, struct sr_state *st, struct v6_err *err);
void sr_state_free(struct sr_state *st);

enum { SR_PLAN_PRUNE = 1 << 0, SR_PLAN_NO_REGISTER = 1 << 1 };
/* Make the kernel match conf: prune removes owned objects conf does not
 * name; without it, a conflicting owned object is an error. */
int sr_plan_build(struct v6_nl *nl, const struct sr_conf *conf, const struct sr_state *st,
		  int family, int flags, struct sr_plan *plan, struct v6_err *err);
/* Plan removal of our rules from `from` (NULL: all of them), and of each
 * owned route whose table no remaining rule of ours uses. */
int sr_plan_remove(const struct sr_state *st, const struct v6_prefix *from, struct sr_plan *plan,
		   struct v6_err *err);
int sr_plan_push(struct sr_plan *plan, const struct sr_op *op);
void sr_plan_free(struct sr_plan *plan);
/* Run every op; on any failure undo what succeeded and register nothing. */
int sr_plan_exec(struct v6_nl *nl, const struct sr_conf *conf, struct sr_plan *plan,
		 struct v6_err *err);
/* The plan as `ip` commands, one per line; prefix each with mark. */
void sr_plan_print(const struct sr_plan *plan, FILE *out, const char *mark);
const char *sr_table_name(const struct v6_rtnames *names, uint32_t id, char *buf, size_t len);

/* ---- common verb plumbing (main.c) ---- */
int sr_wait_devices(struct v6_nl *nl, const struct sr_conf *conf, uint32_t wait_s);
extern const char sr_usage[];

int sr_cmd_add(struct v6_cli *cli, int argc, char **argv);
int sr_cmd_del(struct v6_cli *cli, int argc, char **argv);
int sr_cmd_show(struct v6_cli *cli, int argc, char **argv);
int sr_cmd_apply(struct v6_cli *cli, int argc, char **argv);
int sr_cmd_check(struct v6_cli *cli, int argc, char **argv);
int sr_cmd_flush(struct v6_cli *cli, int argc, char **argv);

#endif
