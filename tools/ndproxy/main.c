/* ndproxy: answer Neighbor Solicitations on an upstream link for hosts
 * that live behind this router. */
#define _GNU_SOURCE
#include "cli.h"
#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: ndproxy [-c FILE] [-d] [-v...] [-p PIDFILE] [-n NETNS] [-t]\n"
	"       ndproxy -i UPSTREAM -r PREFIX [-r PREFIX...] [-s | -I DOWNSTREAM | -a]\n"
	"               [-d] [-v...] [-p PIDFILE] [-n NETNS] [-t]\n"
	"       ndproxy [-n NETNS] status [-j [-P]]\n"
	"       ndproxy -h | --help | -V | --version\n"
	"Where:\n"
	"  FILE        configuration in ndppd.conf syntax (default " NDP_DEFAULT_CONF ")\n"
	"  -d          run in the background, logging to syslog\n"
	"  -t          check the configuration, print \"configuration OK\" and exit\n"
	"  UPSTREAM    the link whose neighbours ask (the modem side)\n"
	"  PREFIX      addresses to answer for, e.g. 2001:db8:1::/64\n"
	"  -s          answer at once (static, the default)\n"
	"  -I DOWNSTREAM  answer once the target answered on DOWNSTREAM (iface)\n"
	"  -a          as -I, with the interface of the kernel's route to the target (auto)\n"
	"  status      state of the running daemon; -j JSON, -P pretty JSON\n"
	"Exit status: 0 ok, 1 usage or bad configuration, 2 runtime failure.\n";

static const char *sock_path(const char *netns, char *buf, size_t len)
{
	if (netns)
		snprintf(buf, len, "%s/ndproxy.%s.sock", ndp_rundir(), netns);
	else
		snprintf(buf, len, "%s/ndproxy.sock", ndp_rundir());
	return buf;
}

static int status_main(const char *netns, int argc, char **argv)
{
	bool json = false, pretty = false;
	char path[300];
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "+jP")) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'P')
			json = pretty = true;
		else
			return v6_cli_usage_error(usage, NULL);
	}
	if (optind < argc)
		return v6_cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	return ndp_status_main(sock_path(netns, path, sizeof(path)), json, pretty);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *pidfile = NULL, *netns = NULL, *upstream = NULL, *down = NULL;
	enum ndp_method method = NDP_STATIC;
	int c, verbose = 0, methods = 0;
	bool detach = false, check = false;
	char **prefixes = calloc((size_t)argc + 1, sizeof(char *));
	size_t nprefixes = 0;
	struct ndp_conf conf;
	struct v6_err err;
	struct v6_cli cli = { 0 };
	int rc;

	if (!prefixes)
		return V6_EXIT_RUNTIME;
	while ((c = getopt_long(argc, argv, "+c:dvp:n:ti:r:sI:ahV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': file = optarg; break;
		case 'd': detach = true; break;
		case 'v': verbose++; break;
		case 'p': pidfile = optarg; break;
		case 'n': netns = optarg; break;
		case 't': check = true; break;
		case 'i': upstream = optarg; break;
		case 'r': prefixes[nprefixes++] = optarg; break;
		case 's': method = NDP_STATIC; methods++; break;
		case 'I': method = NDP_IFACE; down = optarg; methods++; break;
		case 'a': method = NDP_AUTO; methods++; break;
		case 'h':
		case 'V':
			v6_cli_option(&cli, c, optarg, usage); /* exits */
			break;
		default:
			free(prefixes);
			return v6_cli_usage_error(usage, NULL);
		}
	}
	if (optind < argc) {
		if (!strcmp(argv[optind], "status") && !file && !upstream && !nprefixes &&
		    !detach && !pidfile && !check) {
			rc = status_main(netns, argc - optind, argv + optind);
			free(prefixes);
			return rc;
		}
		free(prefixes);
		return v6_cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	}
	if (methods > 1 || (file && (upstream || nprefixes || methods)) ||
	    (!upstream && (nprefixes || methods))) {
		free(prefixes);
		return v6_cli_usage_error(usage, "use either -c FILE or -i UPSTREAM -r PREFIX "
						 "with one of -s, -I, -a");
	}
	if (upstream)
		rc = ndp_conf_cmdline(upstream, prefixes, nprefixes, method, down, &conf, &err);
	else
		rc = ndp_conf_load(file ? file : NDP_DEFAULT_CONF, &conf, &err);
	free(prefixes);
	if (rc < 0) {
		v6_cli_error("%s", err.msg);
		return rc == -EINVAL || rc == -ERANGE ? V6_EXIT_USAGE : V6_EXIT_RUNTIME;
	}
	if (check) {
		for (size_t i = 0; i < conf.nwarn; i++)
			v6_cli_error("warning: %s", conf.warn[i]);
		puts("configuration OK");
		ndp_conf_free(&conf);
		return V6_EXIT_OK;
	}
	return ndp_daemon_run(&conf, upstream ? NULL : file ? file : NDP_DEFAULT_CONF, netns,
			      detach, pidfile, verbose);
}
