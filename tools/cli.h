/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Conventions every v6kit tool shares: global options before or after the
 * verb, a verb table that carries each verb's synopsis and description,
 * `help [VERB]`, and one-line errors.  Tool-side code: this may print and
 * exit. */
#ifndef V6_CLI_H
#define V6_CLI_H

#include "v6util.h"

#include <getopt.h>
#include <stdbool.h>

struct v6_tool;
struct v6_verb;

struct v6_cli {
	const char *netns;
	bool json, pretty;
	int verbose;
	int family; /* AF_UNSPEC, or AF_INET/AF_INET6 from -4/-6 */
	const struct v6_tool *tool;
	const struct v6_verb *verb; /* NULL before the verb is known */
};

/* Short and long options every tool accepts, for getopt_long tables. */
/* ":" after "+": a missing value is told apart from an unknown option. */
#define V6_CLI_SHORTOPTS "+:n:jpvhV"
#define V6_CLI_LONGOPTS                                                   \
	{ "netns", required_argument, NULL, 'n' },                        \
	{ "json", no_argument, NULL, 'j' },                               \
	{ "pretty", no_argument, NULL, 'p' },                             \
	{ "verbose", no_argument, NULL, 'v' },                            \
	{ "help", no_argument, NULL, 'h' },                               \
	{ "version", no_argument, NULL, 'V' }

struct v6_verb {
	const char *name;
	int (*run)(struct v6_cli *cli, int argc, char **argv);
	/* What follows the verb's name in a synopsis; '\n' separates
	 * alternative forms ("NAME [--wait SECS]\n-f FILE"). */
	const char *args;
	/* One line for `help`: what the verb does. */
	const char *summary;
	/* `help VERB` prints this after the synopsis (may be NULL): the
	 * meaning of the verb's arguments, lines indented by two spaces. */
	const char *details;
	/* Global short options this verb takes for itself after its name,
	 * e.g. "p" for tunbench's -p PORT; those letters are left to it. */
	const char *owns;
	/* The verb's own short options that take a value (getopt letters),
	 * so a value such as "-j" after one is never read as an option. */
	const char *valued;
	/* Called after a usage error's line is printed, with its message; its
	 * return value is the exit status (tunbench ping answers as a
	 * monitoring plugin: a status line on stdout, exit 3).  NULL: 1. */
	int (*on_usage)(const struct v6_cli *cli, const char *msg);
	/* The verb changes the network: run without root (or CAP_NET_ADMIN),
	 * its "Permission denied" errors end in "(needs root)". */
	bool root;
};

struct v6_tool {
	const char *name;
	const char *summary;        /* one line: what the tool is for */
	const struct v6_verb *verbs; /* ends with { NULL } */
	const char *options;        /* extra global option lines, or NULL */
	const char *footer;         /* exit statuses, files, environment */
	bool families;              /* -4/-6 are global options */
};

/* The whole main() of a tool: shared options before the verb, then the
 * verb, whose argv has every global option after its name already taken
 * out and applied (those the verb owns excepted; "--" ends the search).
 * `help`, `help VERB`, -h anywhere and `VERB -h` print to stdout and exit
 * 0.  Returns the exit status. */
int v6_cli_run(int argc, char **argv, const struct v6_tool *tool);

/* The pieces v6_cli_run() is made of, for a main() that needs more (ndproxy
 * runs as a daemon when no verb is given). */
void v6_cli_begin(struct v6_cli *cli, const struct v6_tool *tool);
const struct v6_verb *v6_cli_find(const struct v6_tool *tool, const char *name);
/* Take the global options out of argv[1..argc-1] of a verb, in place;
 * returns the new argc, or -1 after a usage error was printed.  -h/--help
 * there prints the verb's help and exits 0. */
int v6_cli_take_globals(struct v6_cli *cli, int argc, char **argv);
/* Run the verb (or the built-in `help`) named by argv[0]. */
int v6_cli_dispatch(struct v6_cli *cli, int argc, char **argv);
void v6_cli_help(const struct v6_tool *tool, FILE *out);
void v6_cli_verb_help(const struct v6_tool *tool, const struct v6_verb *verb, FILE *out);

/* Handle one of the shared options; returns false when c is not one.
 * -h prints the help of cli->verb (or the tool's) to stdout and exits 0;
 * -V prints the version and exits 0. */
bool v6_cli_option(struct v6_cli *cli, int c, const char *arg);

/* A usage error: one line on stderr naming what was wrong, then where to
 * look: "tool: verb: MESSAGE. Try 'tool help verb'."  Returns
 * V6_EXIT_USAGE, or what the verb's on_usage returns. */
int v6_cli_usage(const struct v6_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same line for a getopt failure: names the bad option (optopt, or
 * argv[optind - 1] for a long one).  Call with getopt's '?' or ':'. */
int v6_cli_bad_option(const struct v6_cli *cli, int c, char **argv);

/* "tool: message" on stderr, one line.  Also for notices about a command
 * that still succeeds ("nothing to do"), as iproute2 prints its warnings
 * like its errors. */
void v6_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* From here on the tool is changing the network (a verb with .root, or a
 * daemon): without root, permission errors say "(needs root)". */
void v6_cli_needs_root(void);
/* " (needs root)" when that applies to the error text msg, else "". */
const char *v6_cli_hint(const char *msg);
/* A line for -v: "tool: message" on stderr when cli->verbose is set. */
void v6_cli_verbose(const struct v6_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Exit status for a failed library call from its errno alone (1 for bad
 * input, 2 otherwise).  Where the call filled a struct v6_err, exit with
 * err.status instead: it keeps a class the library or tool chose. */
int v6_cli_status(int rc);
/* Enter cli->netns (if any); prints and returns an exit status on failure. */
int v6_cli_enter_netns(const struct v6_cli *cli);
/* Enter cli->netns and open the netlink session; prints and returns an
 * exit status on failure, 0 on success. */
struct v6_nl;
int v6_cli_open(const struct v6_cli *cli, struct v6_nl *nl);
void v6_cli_emit_init(const struct v6_cli *cli, struct v6_emit *e);

#endif
