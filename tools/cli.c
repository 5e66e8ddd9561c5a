/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "cli.h"
#include "v6nl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void v6_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int v6_cli_usage_error(const char *usage, const char *fmt, ...)
{
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vmsg(fmt, ap);
		va_end(ap);
	}
	fputs(usage, stderr);
	return V6_EXIT_USAGE;
}

bool v6_cli_option(struct v6_cli *cli, int c, const char *arg, const char *usage)
{
	switch (c) {
	case 'n': cli->netns = arg; return true;
	case 'j': cli->json = true; return true;
	case 'p': cli->pretty = true; cli->json = true; return true;
	case 'v': cli->verbose++; return true;
	case 'h': fputs(usage, stdout); exit(V6_EXIT_OK);
	case 'V': printf("%s (v6kit) %s\n", program_invocation_short_name, V6KIT_VERSION);
		  exit(V6_EXIT_OK);
	}
	return false;
}

int v6_cli_dispatch(struct v6_cli *cli, const struct v6_verb *verbs, int argc, char **argv,
		    const char *usage)
{
	if (argc < 1)
		return v6_cli_usage_error(usage, "missing command");
	for (const struct v6_verb *v = verbs; v->name; v++)
		if (!strcmp(v->name, argv[0]))
			return v->run(cli, argc, argv);
	if (!strcmp(argv[0], "help")) {
		fputs(usage, stdout);
		return V6_EXIT_OK;
	}
	return v6_cli_usage_error(usage, "unknown command '%s'", argv[0]);
}

int v6_cli_status(int rc)
{
	return v6_err_class(rc);
}

int v6_cli_enter_netns(const struct v6_cli *cli)
{
	struct v6_err err;

	if (cli->netns && v6_netns_enter(cli->netns, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_RUNTIME;
	}
	return 0;
}

void v6_cli_emit_init(const struct v6_cli *cli, struct v6_emit *e)
{
	v6_emit_init(e, stdout, !cli->json ? V6_EMIT_TEXT
				: cli->pretty ? V6_EMIT_JSON_PRETTY : V6_EMIT_JSON);
}

int v6_cli_open(const struct v6_cli *cli, struct v6_nl *nl)
{
	struct v6_err err;
	int rc = v6_cli_enter_netns(cli);

	if (rc)
		return rc;
	if (v6_nl_open(nl, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_RUNTIME;
	}
	return 0;
}

int v6_cli_main(int argc, char **argv, const struct v6_verb *verbs, const char *usage,
		bool families)
{
	static const struct option opts[] = { V6_CLI_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct v6_cli cli = { .family = AF_UNSPEC };
	const char *shortopts = families ? V6_CLI_SHORTOPTS "46" : V6_CLI_SHORTOPTS;
	int c;

	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		if (families && (c == '4' || c == '6'))
			cli.family = c == '4' ? AF_INET : AF_INET6;
		else if (!v6_cli_option(&cli, c, optarg, usage))
			return v6_cli_usage_error(usage, NULL);
	}
	return v6_cli_dispatch(&cli, verbs, argc - optind, argv + optind, usage);
}
