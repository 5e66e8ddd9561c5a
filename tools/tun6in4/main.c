/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tun6in4: 6in4 tunnels (RFC 4213) through the kernel's sit driver or, where
 * the kernel has none, a userspace data plane on TUN and a raw socket. */
#include "tun6in4.h"

const char t64_usage[] =
	"Usage: tun6in4 [-n NETNS] [-j [-p]] [-v] COMMAND\n"
	"       tun6in4 -h | --help | -V | --version\n"
	"Commands:\n"
	"  up NAME remote V4 [local V4|any] [address V6/LEN] [gateway V6] [mtu N]\n"
	"     [ttl N] [dev PHYS] [default-route yes|no] [table T] [mode auto|kernel|user]\n"
	"     [max-starts N/SECS] [--wait SECS] [--force] [--foreground]\n"
	"  up NAME [--wait SECS] [--force] [--foreground]\n"
	"  up -f FILE [--wait SECS] [--force] [--foreground]\n"
	"  down NAME\n"
	"  change NAME KEY VALUE [KEY VALUE]...\n"
	"  reload NAME\n"
	"  show [NAME]\n"
	"  restart { NAME | -f FILE } [--wait SECS] [--force] [--dry-run]\n"
	"  keepalive { NAME | -f FILE } [--once]\n"
	"Where:\n"
	"  NAME   interface name, 1-15 bytes; `up NAME` alone reads\n"
	"         " T64_CONF_DIR "/NAME.conf ($V6KIT_TUNNELS_DIR overrides the directory)\n"
	"  V4     an IPv4 address; local defaults to any\n"
	"  V6/LEN the tunnel's IPv6 address (may be repeated); V6 the far end's\n"
	"  N      mtu 1280-65515 (default 1480), ttl 0-255 (default 255, 0 inherits)\n"
	"  T      routing table number or name; gets the default route through NAME\n"
	"  mode   auto (default): kernel sit when available, else user mode\n"
	"  max-starts  refuse more than N starts in SECS seconds (default 4/60)\n"
	"  KEY    change: local, address, gateway, default-route in place; in kernel\n"
	"         mode also remote, ttl, mtu; reload: the same keys, re-read from\n"
	"         the tunnel's conf file (see tun6in4(8))\n"
	"  SECS   0-3600: how long up may wait for the tunnel to be usable (default 10)\n"
	"  --foreground  (or -F) stay in the foreground: user mode runs the data\n"
	"         plane in this process until SIGTERM, which removes the tunnel;\n"
	"         READY=1 goes to $NOTIFY_SOCKET once the tunnel is usable\n"
	"  restart  down and up from the config file, only if max-starts allows\n"
	"           another start (asked first; --dry-run only asks)\n"
	"  keepalive  kernel mode: send the conf's idle keepalives until the\n"
	"           tunnel goes down (--once: one packet now, any mode)\n"
	"Exit status: 0 ok, 1 usage or bad input, 2 runtime or kernel failure,\n"
	"  75 restart refused by max-starts (retry later or use --force).\n";

static const struct v6_verb verbs[] = {
	{ .name = "up", .run = t64_cmd_up,
	  .args = "NAME remote V4 [local { V4 | any }] [address V6/LEN] [gateway V6] [mtu N] [ttl N] "
		  "[dev PHYS] [default-route { yes | no }] [table T] [mode { auto | kernel | user }] "
		  "[max-starts N/SECS] [--wait SECS] [--force] [--foreground]\n"
		  "NAME [--wait SECS] [--force] [--foreground]\n"
		  "-f FILE [--wait SECS] [--force] [--foreground]",
	  .valued = "f", .summary = "bring a tunnel up from its parameters or its conf file" },
	{ .name = "down", .run = t64_cmd_down, .args = "NAME", .summary = "take a tunnel down" },
	{ .name = "change", .run = t64_cmd_change, .args = "NAME KEY VALUE [KEY VALUE]...",
	  .summary = "change a running tunnel's parameters" },
	{ .name = "reload", .run = t64_cmd_reload, .args = "NAME",
	  .summary = "apply a changed conf file to a running tunnel" },
	{ .name = "show", .run = t64_cmd_show, .args = "[NAME]",
	  .summary = "list the tunnels this tool runs" },
	{ .name = "restart", .run = t64_cmd_restart,
	  .args = "{ NAME | -f FILE } [--wait SECS] [--force] [--dry-run]", .valued = "f",
	  .summary = "down and up again, if max-starts allows" },
	{ .name = "keepalive", .run = t64_cmd_keepalive, .args = "{ NAME | -f FILE } [--once]",
	  .valued = "f", .summary = "send the conf's idle keepalives until the tunnel goes down" },
	{ .name = NULL },
};

static const struct v6_tool tool = {
	.name = "tun6in4",
	.summary = "6in4 tunnels (RFC 4213) through the kernel's sit driver or a user-mode data plane.",
	.verbs = verbs,
	.footer = "Exit status: 0 ok, 1 usage or bad input, 2 runtime or kernel failure,\n"
		  "  75 restart refused by max-starts (retry later or use --force).\n",
};

int main(int argc, char **argv)
{
	return v6_cli_run(argc, argv, &tool);
}
