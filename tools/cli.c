/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "cli.h"
#include "v6nl.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char global_options[] =
	"  -n, --netns NETNS  run in network namespace NETNS (a name or a path)\n"
	"  -j, --json         print JSON\n"
	"  -p, --pretty       print indented JSON (implies -j)\n"
	"  -v, --verbose      say what is being done or waited for\n"
	"  -h, --help         this help; after COMMAND, that command's help\n"
	"  -V, --version      print the version\n";

/* Whether the kernel would let this process change the network: root,
 * or CAP_NET_ADMIN given to a service. */
static bool net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &h, d) < 0)
		return true; /* unknown: no hint rather than a wrong one */
	return d[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* Set while a command that changes the network runs without the right to. */
static bool root_hint;

void v6_cli_needs_root(void)
{
	root_hint = !net_admin();
}

const char *v6_cli_hint(const char *msg)
{
	/* A newcomer's first run is often as a user: "/run/v6kit/...: Permission
	 * denied" alone does not say that the whole command wants root. */
	if (root_hint && (ends_with(msg, strerror(EACCES)) || ends_with(msg, strerror(EPERM))))
		return " (needs root)";
	return "";
}

static void vmsg(const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s%s\n", program_invocation_short_name, msg, v6_cli_hint(msg));
}

void v6_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void v6_cli_verbose(const struct v6_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (!cli->verbose)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/* The exit status of the last usage error, for errors found while the
 * verb's words are sorted, before the verb runs. */
static int usage_status = V6_EXIT_USAGE;

static int vusage(const struct v6_cli *cli, const char *fmt, va_list ap)
{
	const struct v6_verb *v = cli ? cli->verb : NULL;
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	if (v)
		fprintf(stderr, "%s: ", v->name);
	fprintf(stderr, "%s. Try '%s help%s%s'.\n", msg, program_invocation_short_name,
		v ? " " : "", v ? v->name : "");
	usage_status = v && v->on_usage ? v->on_usage(cli, msg) : V6_EXIT_USAGE;
	return usage_status;
}

int v6_cli_usage(const struct v6_cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vusage(cli, fmt, ap);
	va_end(ap);
	return rc;
}

int v6_cli_bad_option(const struct v6_cli *cli, int c, char **argv)
{
	/* glibc leaves the offending word at argv[optind - 1]. */
	const char *word = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		return v6_cli_usage(cli, "option '%s' needs a value", word);
	if (optopt)
		return v6_cli_usage(cli, "unknown option '-%c'", optopt);
	return v6_cli_usage(cli, "unknown option '%s'", word);
}

/* One synopsis form, broken before a word that would pass column 78 and
 * continued under the verb's first argument. */
static void print_form(FILE *out, const char *lead, const char *tool, const char *verb,
		       const char *a, int len)
{
	int col = fprintf(out, "%s%s [OPTIONS] %s", lead, tool, verb);
	int indent = col + 1;
	const char *end = a + len;

	while (a < end) {
		/* A bracketed group or a word is kept whole. */
		const char *p = a;
		int depth = 0;
		while (p < end && (depth || *p != ' ')) {
			depth += (*p == '[' || *p == '{') - (*p == ']' || *p == '}');
			p++;
		}
		if (col + 1 + (p - a) > 78 && col > indent)
			col = fprintf(out, "\n%*s", indent - 1, "") - 1;
		col += fprintf(out, " %.*s", (int)(p - a), a);
		a = p < end ? p + 1 : p;
	}
	fputc('\n', out);
}

static void print_synopsis(const struct v6_tool *tool, const struct v6_verb *verb, FILE *out,
			   const char *lead)
{
	const char *a = verb->args ? verb->args : "";
	bool first = true;

	do {
		const char *nl = strchr(a, '\n');
		int len = nl ? (int)(nl - a) : (int)strlen(a);

		print_form(out, first ? lead : "       ", tool->name, verb->name, a, len);
		first = false;
		a = nl ? nl + 1 : NULL;
	} while (a);
}

void v6_cli_help(const struct v6_tool *tool, FILE *out)
{
	size_t w = 4;

	for (const struct v6_verb *v = tool->verbs; v->name; v++)
		if (strlen(v->name) > w)
			w = strlen(v->name);
	fprintf(out, "Usage: %s [OPTIONS] COMMAND [ARGUMENTS]\n", tool->name);
	fprintf(out, "       %s help [COMMAND]\n", tool->name);
	if (tool->summary)
		fprintf(out, "%s\n", tool->summary);
	fputs("Commands:\n", out);
	for (const struct v6_verb *v = tool->verbs; v->name; v++)
		fprintf(out, "  %-*s  %s\n", (int)w, v->name, v->summary ? v->summary : "");
	fprintf(out, "  %-*s  %s\n", (int)w, "help", "this list, or a command's arguments");
	fputs("Options (before or after COMMAND, unless the command uses the letter):\n", out);
	if (tool->options)
		fputs(tool->options, out);
	fputs(global_options, out);
	if (tool->footer)
		fputs(tool->footer, out);
	fprintf(out, "Run '%s help COMMAND' for a command's arguments.\n", tool->name);
}

void v6_cli_verb_help(const struct v6_tool *tool, const struct v6_verb *verb, FILE *out)
{
	print_synopsis(tool, verb, out, "Usage: ");
	if (verb->summary)
		fprintf(out, "%c%s.\n", verb->summary[0] >= 'a' && verb->summary[0] <= 'z'
						 ? verb->summary[0] - 'a' + 'A' : verb->summary[0],
			verb->summary + 1);
	if (verb->details)
		fputs(verb->details, out);
	fprintf(out, "Options: see '%s help'.\n", tool->name);
}

static void print_help(const struct v6_cli *cli)
{
	if (cli->verb)
		v6_cli_verb_help(cli->tool, cli->verb, stdout);
	else
		v6_cli_help(cli->tool, stdout);
}

bool v6_cli_option(struct v6_cli *cli, int c, const char *arg)
{
	switch (c) {
	case 'n': cli->netns = arg; return true;
	case 'j': cli->json = true; return true;
	case 'p': cli->pretty = true; cli->json = true; return true;
	case 'v': cli->verbose++; return true;
	case 'h': print_help(cli); exit(V6_EXIT_OK);
	case 'V': printf("%s (v6kit) %s\n", program_invocation_short_name, V6KIT_VERSION);
		  exit(V6_EXIT_OK);
	}
	return false;
}

void v6_cli_begin(struct v6_cli *cli, const struct v6_tool *tool)
{
	*cli = (struct v6_cli){ .family = AF_UNSPEC, .tool = tool };
	/* Messages name the tool, never a path it was started by. */
	program_invocation_short_name = (char *)tool->name;
	program_invocation_name = (char *)tool->name;
	opterr = 0;
}

const struct v6_verb *v6_cli_find(const struct v6_tool *tool, const char *name)
{
	for (const struct v6_verb *v = tool->verbs; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

static bool owned(const struct v6_cli *cli, char c)
{
	return cli->verb && cli->verb->owns && strchr(cli->verb->owns, c);
}

static bool global_flag(const struct v6_cli *cli, char c)
{
	return strchr("jpvhV", c) || (cli->tool->families && strchr("46", c));
}

static void apply_flag(struct v6_cli *cli, char c)
{
	if (c == '4' || c == '6')
		cli->family = c == '4' ? AF_INET : AF_INET6;
	else
		v6_cli_option(cli, c, NULL);
}

/* One word after the verb: 1 when it was a global option (and *skip says
 * whether the next word was its value), 0 when it is the verb's, -1 on a
 * usage error. */
static int take_word(struct v6_cli *cli, const char *w, const char *next, int *skip)
{
	static const struct { const char *name; char c; } longs[] = {
		{ "--json", 'j' }, { "--pretty", 'p' }, { "--verbose", 'v' },
		{ "--help", 'h' }, { "--version", 'V' },
	};

	*skip = 0;
	if (w[0] != '-' || !w[1])
		return 0;
	if (w[1] == '-') {
		for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++)
			if (!strcmp(w, longs[i].name) && !owned(cli, longs[i].c)) {
				apply_flag(cli, longs[i].c);
				return 1;
			}
		if (!strcmp(w, "--netns") && !owned(cli, 'n')) {
			if (!next)
				return v6_cli_usage(cli, "option '--netns' needs a value"), -1;
			cli->netns = next;
			*skip = 1;
			return 1;
		}
		if (!strncmp(w, "--netns=", 8) && !owned(cli, 'n')) {
			cli->netns = w + 8;
			return 1;
		}
		return 0;
	}
	if (w[1] == 'n' && !owned(cli, 'n')) {
		if (w[2]) {
			cli->netns = w + 2;
			return 1;
		}
		if (!next)
			return v6_cli_usage(cli, "option '-n' needs a value"), -1;
		cli->netns = next;
		*skip = 1;
		return 1;
	}
	/* A cluster of flags ("-jp", "-vv") is ours only when every letter is. */
	for (const char *p = w + 1; *p; p++)
		if (!global_flag(cli, *p) || owned(cli, *p))
			return 0;
	for (const char *p = w + 1; *p; p++)
		apply_flag(cli, *p);
	return 1;
}

int v6_cli_take_globals(struct v6_cli *cli, int argc, char **argv)
{
	const char *valued = cli->verb && cli->verb->valued ? cli->verb->valued : "";
	int out = 1, i = 1;

	/* -h wins over every other word, as in `up --bad --help`. */
	for (int k = 1; k < argc && strcmp(argv[k], "--"); k++) {
		if (k > 1 && argv[k - 1][0] == '-' && argv[k - 1][1] && !argv[k - 1][2] &&
		    strchr(valued, argv[k - 1][1]))
			continue;
		if ((!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help")) && !owned(cli, 'h'))
			print_help(cli), exit(V6_EXIT_OK);
	}
	while (i < argc) {
		const char *w = argv[i];
		int skip;

		if (!strcmp(w, "--")) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		/* The value of the verb's own option stays with it. */
		if (w[0] == '-' && w[1] && w[1] != '-' && !w[2] && strchr(valued, w[1])) {
			argv[out++] = argv[i++];
			if (i < argc)
				argv[out++] = argv[i++];
			continue;
		}
		int r = take_word(cli, w, i + 1 < argc ? argv[i + 1] : NULL, &skip);
		if (r < 0)
			return -1;
		if (r == 0)
			argv[out++] = argv[i];
		i += 1 + skip;
	}
	argv[out] = NULL;
	return out;
}

int v6_cli_dispatch(struct v6_cli *cli, int argc, char **argv)
{
	const struct v6_tool *tool = cli->tool;

	if (argc < 1)
		return v6_cli_usage(cli, "missing command");
	if (!strcmp(argv[0], "help")) {
		if (argc == 1) {
			v6_cli_help(tool, stdout);
			return V6_EXIT_OK;
		}
		const struct v6_verb *v = v6_cli_find(tool, argv[1]);
		if (!v && strcmp(argv[1], "help"))
			return v6_cli_usage(cli, "help: unknown command '%s'", argv[1]);
		if (argc > 2)
			return v6_cli_usage(cli, "help: unexpected '%s'", argv[2]);
		if (v)
			v6_cli_verb_help(tool, v, stdout);
		else
			v6_cli_help(tool, stdout);
		return V6_EXIT_OK;
	}
	cli->verb = v6_cli_find(tool, argv[0]);
	if (!cli->verb)
		return v6_cli_usage(cli, "unknown command '%s'", argv[0]);
	argc = v6_cli_take_globals(cli, argc, argv);
	if (argc < 0)
		return usage_status;
	/* getopt in the verb starts afresh on the verb's own words. */
	optind = 0;
	if (cli->verb->root)
		v6_cli_needs_root();
	return cli->verb->run(cli, argc, argv);
}

int v6_cli_run(int argc, char **argv, const struct v6_tool *tool)
{
	static const struct option opts[] = { V6_CLI_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct v6_cli cli;
	const char *shortopts = tool->families ? V6_CLI_SHORTOPTS "46" : V6_CLI_SHORTOPTS;
	int c;

	v6_cli_begin(&cli, tool);
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		if (tool->families && (c == '4' || c == '6'))
			cli.family = c == '4' ? AF_INET : AF_INET6;
		else if (c == '?' || c == ':' || !v6_cli_option(&cli, c, optarg))
			return v6_cli_bad_option(&cli, c, argv);
	}
	return v6_cli_dispatch(&cli, argc - optind, argv + optind);
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
