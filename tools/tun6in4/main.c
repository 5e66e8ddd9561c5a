/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tun6in4: 6in4 tunnels (RFC 4213) through the kernel's sit driver or, where
 * the kernel has none, a userspace data plane on TUN and a raw socket. */
#include "tun6in4.h"

#include <string.h>

/* The words `up` takes after NAME are also those of tun6in4.conf(5). */
static const char up_details[] =
	"  NAME        interface name, 1-15 bytes; `up NAME` alone reads\n"
	"              " T64_CONF_DIR "/NAME.conf ($V6KIT_TUNNELS_DIR overrides\n"
	"              the directory)\n"
	"  -f FILE     read the parameters from FILE; the tunnel is named by its\n"
	"              name key, else by FILE's base name without .conf\n"
	"  V4          an IPv4 address; local defaults to any\n"
	"  V6/LEN      the tunnel's IPv6 address (may be repeated); V6 the far end's\n"
	"  N           mtu 1280-65515 (default 1480), ttl 0-255 (default 255,\n"
	"              0 inherits the inner hop limit)\n"
	"  PHYS        the IPv4 device the tunnel is bound to\n"
	"  T           routing table number or name; gets the default route\n"
	"              through NAME\n"
	"  mode        auto (default): kernel sit when available, else user mode\n"
	"  max-starts  refuse more than N starts in SECS seconds (default 4/60)\n"
	"  SECS        0-3600: how long to wait for the tunnel to be usable (default\n"
	"              10); given, --wait also waits for local to become an address\n"
	"              of this host\n"
	"  --force     start even when max-starts is spent\n"
	"  --foreground  (or -F) stay in the foreground: user mode runs the data\n"
	"              plane in this process until SIGTERM, which removes the tunnel;\n"
	"              READY=1 goes to $NOTIFY_SOCKET once the tunnel is usable\n";

static const struct v6_verb verbs[] = {
	{ .name = "up", .root = true, .run = t64_cmd_up,
	  .args = "NAME remote V4 [local { V4 | any }] [address V6/LEN] [gateway V6] [mtu N] [ttl N] "
		  "[dev PHYS] [default-route { yes | no }] [table T] [mode { auto | kernel | user }] "
		  "[max-starts N/SECS] [--wait SECS] [--force] [--foreground]\n"
		  "NAME [--wait SECS] [--force] [--foreground]\n"
		  "-f FILE [--wait SECS] [--force] [--foreground]",
	  .valued = "f", .summary = "bring a tunnel up from its parameters or its conf file",
	  .details = up_details },
	{ .name = "down", .root = true, .run = t64_cmd_down, .args = "NAME", .summary = "take a tunnel down",
	  .details = "  NAME  a tunnel this tool brought up; its daemon is stopped or its sit link\n"
		     "        deleted, with its addresses and routes; a device this tool did\n"
		     "        not create is left alone, and a tunnel that is not up is no error\n" },
	{ .name = "change", .root = true, .run = t64_cmd_change, .args = "NAME KEY VALUE [KEY VALUE]...",
	  .summary = "change a running tunnel's parameters",
	  .details = "  NAME   a running tunnel\n"
		     "  KEY    in place in either mode: local, address, gateway, default-route;\n"
		     "         in kernel mode also remote, ttl, mtu; any other key needs a\n"
		     "         restart and is refused (exit 1, nothing changed)\n"
		     "  VALUE  as for up (see 'tun6in4 help up'); the first address replaces\n"
		     "         the whole set, later ones add to it\n" },
	{ .name = "reload", .root = true, .run = t64_cmd_reload, .args = "NAME",
	  .summary = "apply a changed conf file to a running tunnel",
	  .details = "  NAME  a running tunnel; the conf file it came up from is read again and\n"
		     "        the keys change alters in place are applied, all or none (a key\n"
		     "        that needs a restart refuses the reload, exit 1)\n" },
	{ .name = "show", .run = t64_cmd_show, .args = "[NAME]",
	  .summary = "list the tunnels this tool runs",
	  .details = "  NAME  only that tunnel (exit 2 when it is not up); -j prints a JSON\n"
		     "        array of objects whose keys tun6in4(8) lists\n" },
	{ .name = "restart", .root = true, .run = t64_cmd_restart,
	  .args = "{ NAME | -f FILE } [--wait SECS] [--force] [--dry-run]", .valued = "f",
	  .summary = "down and up again, if max-starts allows",
	  .details = "  NAME, -f FILE  the conf file to read, as for up\n"
		     "  SECS, --force  as for up; without --force, a spent max-starts budget\n"
		     "                 refuses the restart (exit 75) before anything is\n"
		     "                 taken down\n"
		     "  --dry-run      only ask max-starts whether a restart is allowed\n" },
	{ .name = "keepalive", .root = true, .run = t64_cmd_keepalive, .args = "{ NAME | -f FILE } [--once]",
	  .valued = "f", .summary = "send the conf's idle keepalives until the tunnel goes down",
	  .details = "  NAME, -f FILE  the conf file to read, as for up; its keepalive SECONDS\n"
		     "                 is how long the tunnel may stay idle; kernel mode only,\n"
		     "                 as user mode's daemon sends its own\n"
		     "  --once         one keepalive now, in either mode, then exit\n" },
	{ .name = NULL },
};

static const struct v6_tool tool = {
	.name = T64_TOOL,
	.summary = "6in4 tunnels (RFC 4213): the kernel's sit driver or a user-mode data plane.",
	.verbs = verbs,
	.footer = "Exit status: 0 ok, 1 usage or bad input, 2 runtime or kernel failure,\n"
		  "  75 restart refused by max-starts (retry later or use --force).\n",
};

int t64_args_name(const struct v6_cli *cli, int argc, char **argv, bool optional,
		  const char **name)
{
	struct v6_err err;
	bool words_only = false;

	*name = NULL;
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!words_only && !strcmp(w, "--")) {
			words_only = true;
			continue;
		}
		if (!words_only && w[0] == '-' && w[1])
			return v6_cli_usage(cli, "unknown option '%s'", w);
		if (*name)
			return v6_cli_usage(cli, "unexpected '%s' after NAME", w);
		*name = w;
	}
	if (!*name) {
		if (optional)
			return 0;
		return v6_cli_usage(cli, "missing NAME");
	}
	if (v6_parse_ifname(*name, "tunnel name", &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	return v6_cli_run(argc, argv, &tool);
}
