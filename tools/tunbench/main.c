/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench: throughput, health and path-MTU checks for tunnels. */
#include "tunbench.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const struct v6_verb verbs[] = {
	{ .name = "server", .run = tb_cmd_server,
	  .args = "[-B ADDR] [-p PORT] [--once] [--max-clients N] [--max-rate RATE] [--max-time SECS] "
		  "[--max-streams N] [--max-window WINDOW] [--max-write BYTES] [--no-tos] "
		  "[--secret-file FILE] [--write { DIR | FILE }] [-J]",
	  .owns = "p", .valued = "Bp", .summary = "answer clients' tests",
	  .details = "Where:\n"
		     "  ADDR     address to listen on (default: every address)\n"
		     "  PORT     control port, default " STR(TB_DEFAULT_PORT) "; -p after the verb\n"
		     "           is PORT, as in iperf3, not --pretty\n"
		     "  N        --max-clients: tests at once (default 16);\n"
		     "           --max-streams: connections per test (default 16)\n"
		     "  RATE     bits/s, suffix k, m or g: cap on a test's rate (default 1g)\n"
		     "  SECS     longest test, -t plus -O (default 60)\n"
		     "  WINDOW   largest socket buffer granted, bytes, suffix K or M\n"
		     "  BYTES    --max-write: bytes one test may store, suffix K, M or G\n"
		     "  FILE     --secret-file: a shared secret clients must prove (HMAC-SHA256);\n"
		     "           --write: store received data in FILE (a device or pipe is shared)\n"
		     "  DIR      store received streams in DIR/tunbench-TIME-SESSION-STREAM.dat\n"
		     "  -J       JSON, as iperf3 spells it (the same as -j)\n" },
	{ .name = "client", .run = tb_cmd_client,
	  .args = "HOST [-p PORT] [-t SECS] [-i SECS] [-O SECS] [-P STREAMS] [-R | --bidir] [-u] "
		  "[-b RATE] [-l LEN] [-B SRC] [-w WINDOW] [-S TOS] [-C ALGO] [--secret-file FILE] "
		  "[--write FILE] [-J]",
	  .owns = "p", .valued = "ptiOPblBwSC", .summary = "measure throughput to a tunbench server",
	  .details = "Where:\n"
		     "  PORT     the server's control port, default " STR(TB_DEFAULT_PORT) "; -p after\n"
		     "           the verb is PORT, as in iperf3, not --pretty\n"
		     "  SECS     -t test length (default 10), -i report interval (default 1, 0: none),\n"
		     "           -O seconds left out of the summary (slow start)\n"
		     "  STREAMS  parallel streams, 1-64 (1-32 each way with --bidir)\n"
		     "  RATE     bits/s, suffix k, m or g: UDP rate (default 1m), TCP pacing (default none)\n"
		     "  LEN      bytes per send, UDP datagram bytes with -u\n"
		     "  SRC      source address\n"
		     "  WINDOW   socket buffer bytes, suffix K or M\n"
		     "  TOS      IP TOS / traffic class of both ends' data sockets (0xb8: DSCP EF)\n"
		     "  ALGO     TCP congestion control, one of tcp_allowed_congestion_control\n"
		     "  FILE     --write, with -R or --bidir: store received data in FILE (FILE.N per\n"
		     "           stream with -P); a device such as /dev/null or a pipe is shared and\n"
		     "           never synced; --secret-file: a shared secret, proven with\n"
		     "           HMAC-SHA256, never sent\n"
		     "  -J       JSON, as iperf3 spells it (the same as -j)\n" },
	{ .name = "ping", .run = tb_cmd_ping,
	  .args = "{ HOST | -H HOST } [-I { SRC | IFACE } | -s SRC] [-c COUNT] [-i SECS] [-W TIMEOUT] "
		  "[-w RTT_MS,LOSS%] [-C RTT_MS,LOSS%]",
	  .valued = "HIsciWwC", .summary = "health check from a source address, as a monitoring plugin",
	  .on_usage = tb_ping_on_usage,
	  .details = "Where:\n"
		     "  HOST     address or name to ping; -H HOST as check_icmp spells it\n"
		     "  SRC      source address (-s as check_icmp spells it); the probes also leave\n"
		     "           through the interface that owns it\n"
		     "  IFACE    interface to send through\n"
		     "  COUNT    echo requests, 1-10000 (default 5)\n"
		     "  SECS     between requests (default 0.08)\n"
		     "  TIMEOUT  seconds to wait for the last reply (default 1)\n"
		     "  RTT_MS,LOSS%  thresholds: -w warning (default 200,40%), -C critical (500,80%)\n"
		     "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for usage errors,\n"
		     "  with a PING UNKNOWN line on standard output).\n" },
	{ .name = "mtu", .run = tb_cmd_mtu, .args = "HOST [-I SRC] [--min 1280] [--max 1500]",
	  .valued = "I", .summary = "find the path MTU and black holes",
	  .details = "Where:\n"
		     "  HOST     address or name to probe\n"
		     "  SRC      source address or interface\n"
		     "  --min    a size known to get through, 68-65535 (IPv6: at least 1280)\n"
		     "  --max    the largest size tried, 68-65535\n"
		     "  -v       one line per probe on standard error: size and result\n"
		     "Exit status: 3 when a black hole was found.\n" },
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
