/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Conventions every v6kit tool shares: global options, a verb table,
 * one-line errors.  Tool-side code: this may print and exit. */
#ifndef V6_CLI_H
#define V6_CLI_H

#include "v6util.h"

#include <getopt.h>
#include <stdbool.h>

struct v6_cli {
	const char *netns;
	bool json, pretty;
	int verbose;
	int family; /* AF_UNSPEC, or AF_INET/AF_INET6 from -4/-6 */
};

/* Short and long options every tool accepts, for getopt_long tables. */
#define V6_CLI_SHORTOPTS "+n:jpvhV"
#define V6_CLI_LONGOPTS                                                   \
	{ "netns", required_argument, NULL, 'n' },                        \
	{ "json", no_argument, NULL, 'j' },                               \
	{ "pretty", no_argument, NULL, 'p' },                             \
	{ "verbose", no_argument, NULL, 'v' },                            \
	{ "help", no_argument, NULL, 'h' },                               \
	{ "version", no_argument, NULL, 'V' }

/* Handle one of the shared options; returns false when c is not one.
 * -h prints usage to stdout and exits 0; -V prints the version. */
bool v6_cli_option(struct v6_cli *cli, int c, const char *arg, const char *usage);

struct v6_verb {
	const char *name;
	int (*run)(struct v6_cli *cli, int argc, char **argv);
};

/* Exact verb names only: no abbreviations. */
int v6_cli_dispatch(struct v6_cli *cli, const struct v6_verb *verbs, int argc, char **argv,
		    const char *usage);

/* "prog: message" on stderr, one line. */
void v6_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A message about a command that still succeeds ("nothing to do").  It
 * prints exactly the line v6_cli_error() prints, as iproute2 prints its
 * warnings like its errors; the name tells the reader which it is. */
#define v6_cli_notice(...) v6_cli_error(__VA_ARGS__)
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
/* A whole tool's main(): shared options (plus -4/-6 when families is
 * true), then the verb.  Returns the exit status. */
int v6_cli_main(int argc, char **argv, const struct v6_verb *verbs, const char *usage,
		bool families);
void v6_cli_emit_init(const struct v6_cli *cli, struct v6_emit *e);
/* Print "usage" and return V6_EXIT_USAGE, after an optional message. */
int v6_cli_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
