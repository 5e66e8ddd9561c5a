/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench: throughput, health and path-MTU checks for tunnels. */
#include "tunbench.h"

const char tb_usage[] =
	"Usage: tunbench [-n NETNS] [-j [-p]] [-v] COMMAND\n"
	"       tunbench -h | --help | -V | --version\n"
	"Commands:\n"
	"  server [-B ADDR] [-p PORT] [--once] [--max-clients N] [--max-rate RATE] [--max-time SECS]"
	" [--max-streams N] [--max-window WINDOW] [--max-write BYTES] [--no-tos]"
	" [--secret-file FILE] [--write DIR|FILE] [-j]\n"
	"  client HOST [-p PORT] [-t SECS] [-i SECS] [-O SECS] [-P STREAMS] [-R | --bidir]"
	" [-u] [-b RATE] [-l LEN] [-B SRC] [-w WINDOW] [-S TOS] [-C ALGO] [--secret-file FILE]"
	" [--write FILE] [-j]\n"
	"  ping HOST [-I SRC|IFACE] [-c COUNT] [-i SECS] [-W TIMEOUT] [-w RTT_MS,LOSS%]"
	" [-C RTT_MS,LOSS%] [-j]\n"
	"  mtu HOST [-I SRC] [--min 1280] [--max 1500] [-j]\n"
	"Where:\n"
	"  PORT     control port, default 5201\n"
	"  SECS     -t test length (default 10), -i report interval (default 1, 0: none),\n"
	"           -O seconds left out of the summary (slow start)\n"
	"  STREAMS  parallel streams, 1-64 (1-32 each way with --bidir)\n"
	"  RATE     bits/s, suffix k, m or g: UDP rate (default 1m), TCP pacing (default none)\n"
	"  LEN      bytes per send, UDP datagram bytes with -u\n"
	"  WINDOW   socket buffer bytes, suffix K or M; BYTES suffix K, M or G\n"
	"  TOS      IP TOS / traffic class of both ends' data sockets (0xb8: DSCP EF)\n"
	"  ALGO     TCP congestion control, one of tcp_allowed_congestion_control\n"
	"  FILE     with -R or --bidir, store received data in FILE (FILE.N per stream with\n"
	"           -P); a device such as /dev/null or a pipe is shared and never synced;\n"
	"           --secret-file: a shared secret, proven with HMAC-SHA256, never sent\n"
	"  DIR      the server stores received streams in DIR/tunbench-TIME-SESSION-STREAM.dat\n"
	"  RTT_MS,LOSS%  ping thresholds: -w warning (default 200,40%), -C critical (500,80%)\n"
	"Exit status: 0 ok, 1 usage or bad input, 2 runtime failure;\n"
	"  ping: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (monitoring plugins);\n"
	"  mtu: 3 when a black hole was found.\n";

static const struct v6_verb verbs[] = {
	{ .name = "server", .run = tb_cmd_server,
	  .args = "[-B ADDR] [-p PORT] [--once] [--max-clients N] [--max-rate RATE] [--max-time SECS] "
		  "[--max-streams N] [--max-window WINDOW] [--max-write BYTES] [--no-tos] "
		  "[--secret-file FILE] [--write { DIR | FILE }]",
	  .owns = "p", .valued = "Bp", .summary = "answer clients' tests" },
	{ .name = "client", .run = tb_cmd_client,
	  .args = "HOST [-p PORT] [-t SECS] [-i SECS] [-O SECS] [-P STREAMS] [-R | --bidir] [-u] "
		  "[-b RATE] [-l LEN] [-B SRC] [-w WINDOW] [-S TOS] [-C ALGO] [--secret-file FILE] "
		  "[--write FILE]",
	  .owns = "p", .valued = "ptiOPblBwSC", .summary = "measure throughput to a tunbench server" },
	{ .name = "ping", .run = tb_cmd_ping,
	  .args = "HOST [-I { SRC | IFACE }] [-c COUNT] [-i SECS] [-W TIMEOUT] [-w RTT_MS,LOSS%] "
		  "[-C RTT_MS,LOSS%]",
	  .valued = "IciWwC", .summary = "health check from a source address, as a monitoring plugin" },
	{ .name = "mtu", .run = tb_cmd_mtu, .args = "HOST [-I SRC] [--min 1280] [--max 1500]",
	  .valued = "I", .summary = "find the path MTU and black holes" },
	{ .name = NULL },
};

static const struct v6_tool tool = {
	.name = "tunbench",
	.summary = "Throughput, health and path-MTU checks for tunnels.",
	.verbs = verbs,
	.footer = "Exit status: 0 ok, 1 usage or bad input, 2 runtime failure;\n"
		  "  ping: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (monitoring plugins);\n"
		  "  mtu: 3 when a black hole was found.\n",
};

int main(int argc, char **argv)
{
	return v6_cli_run(argc, argv, &tool);
}
