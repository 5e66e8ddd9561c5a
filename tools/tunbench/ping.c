/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench ping: the tunnel's cron health check, in the conventions of
 * the monitoring plugins (check_icmp's defaults, status line, perfdata). */
#include "tunbench.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PING_OK = 0, PING_WARNING = 1, PING_CRITICAL = 2, PING_UNKNOWN = 3 };
static const char *status_name[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

#define PING_COUNT_MAX 10000

struct ping_opts {
	const char *host, *src;
	uint32_t count, interval_ms, timeout_ms;
	double warn_rtt, warn_pl, crit_rtt, crit_pl;
};

struct ping_result {
	uint32_t sent, received;
	double min_ms, max_ms, sum_ms, jitter_sum_ms, last_ms;
	int send_errno;
};

static int unknown(struct v6_emit *e, const char *host, const char *why)
{
	if (v6_emit_json(e)) {
		v6_emit_object_open(e, NULL);
		v6_emit_str(e, "host", NULL, host);
		v6_emit_str(e, "status", NULL, "UNKNOWN");
		v6_emit_u64(e, "exit", NULL, PING_UNKNOWN);
		v6_emit_str(e, "error", NULL, why);
		v6_emit_object_close(e);
		v6_emit_end(e);
	} else {
		printf("PING UNKNOWN - %s: %s\n", host ? host : "?", why);
	}
	return PING_UNKNOWN;
}

static void record(struct ping_result *r, bool *seen, uint16_t seq, uint64_t send_ns)
{
	if (seq >= r->sent || seen[seq])
		return; /* duplicate or not ours */
	seen[seq] = true;
	double ms = (double)(tb_now_ns() - send_ns) / 1e6;
	if (!r->received || ms < r->min_ms)
		r->min_ms = ms;
	if (!r->received || ms > r->max_ms)
		r->max_ms = ms;
	if (r->received)
		r->jitter_sum_ms += fabs(ms - r->last_ms);
	r->last_ms = ms;
	r->sum_ms += ms;
	r->received++;
}

static void run_pings(struct tb_icmp *ic, const struct ping_opts *o, struct ping_result *r)
{
	bool *seen = calloc(o->count, sizeof(bool));
	uint64_t start = tb_now_ns();
	struct v6_err err;

	if (!seen)
		return;
	for (uint32_t i = 0; i < o->count; i++) {
		int rc = tb_icmp_send(ic, (uint16_t)i, 64, &err);
		r->sent++;
		if (rc < 0)
			r->send_errno = -rc; /* counts as lost, the status says why */
		uint64_t until = i + 1 < o->count ? start + (uint64_t)(i + 1) * o->interval_ms * 1000000
						  : tb_now_ns() + (uint64_t)o->timeout_ms * 1000000;
		for (;;) {
			uint16_t got;
			uint64_t sent_at;
			uint32_t mtu;
			if (r->received == r->sent && i + 1 == o->count)
				break;
			int res = tb_icmp_wait(ic, -1, until, &got, &sent_at, &mtu);
			if (res == TB_PROBE_TIMEOUT)
				break;
			if (res == TB_PROBE_REPLY)
				record(r, seen, got, sent_at);
		}
	}
	free(seen);
}

/* Monitoring plugins: bad arguments are UNKNOWN, and the reason goes on
 * stdout too, where Nagios and Icinga show it. */
int tb_ping_on_usage(const struct v6_cli *cli, const char *msg)
{
	if (cli->json) {
		struct v6_emit e;
		v6_cli_emit_init(cli, &e);
		return unknown(&e, NULL, msg);
	}
	printf("PING UNKNOWN - %s\n", msg);
	return PING_UNKNOWN;
}

int tb_cmd_ping(struct v6_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "interface", required_argument, NULL, 'I' },
		{ "source", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 'W' },
		{ "warning", required_argument, NULL, 'w' },
		{ "critical", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	/* check_icmp's defaults: 5 packets 80 ms apart, warn 200 ms or 40%,
	 * critical 500 ms or 80%. */
	struct ping_opts o = { .count = 5, .interval_ms = 80, .timeout_ms = 1000, .warn_rtt = 200,
			       .warn_pl = 40, .crit_rtt = 500, .crit_pl = 80 };
	const char *warn_arg = "200,40%", *crit_arg = "500,80%";
	struct ping_result r = { 0 };
	struct tb_icmp ic;
	struct v6_err err;
	struct v6_emit e;
	int c, rc = 0;

	optind = 0;
	/* ":" first: a missing value is told apart from an unknown option. */
	while ((c = getopt_long(argc, argv, ":H:I:s:c:i:W:w:C:", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if (o.host)
				return v6_cli_usage(cli, "one HOST only: unexpected '%s'", optarg);
			o.host = optarg;
			break;
		/* check_icmp's -s SRC is our -I SRC. */
		case 'I':
		case 's':
			if (o.src)
				return v6_cli_usage(cli, "one source only: unexpected '%s'", optarg);
			o.src = optarg;
			break;
		case 'c': rc = v6_parse_u32(optarg, 1, PING_COUNT_MAX, &o.count, "count", &err); break;
		case 'i': rc = tb_parse_secs(optarg, 1, 60000, &o.interval_ms, "interval", &err); break;
		case 'W': rc = tb_parse_secs(optarg, 1, 60000, &o.timeout_ms, "timeout", &err); break;
		case 'w':
			warn_arg = optarg;
			rc = tb_parse_threshold(optarg, &o.warn_rtt, &o.warn_pl, "warning", &err);
			break;
		case 'C':
			crit_arg = optarg;
			rc = tb_parse_threshold(optarg, &o.crit_rtt, &o.crit_pl, "critical", &err);
			break;
		default: return v6_cli_bad_option(cli, c, argv);
		}
		if (rc < 0)
			return v6_cli_usage(cli, "%s", err.msg);
	}
	if (optind < argc && o.host)
		return v6_cli_usage(cli, "one HOST only: unexpected '%s'", argv[optind]);
	if (optind < argc)
		o.host = argv[optind++];
	if (!o.host)
		return v6_cli_usage(cli, "missing HOST");
	if (optind < argc)
		return v6_cli_usage(cli, "one HOST only: unexpected '%s'", argv[optind]);
	if (o.warn_rtt > o.crit_rtt || o.warn_pl > o.crit_pl)
		return v6_cli_usage(cli, "warning '%s' exceeds critical '%s'", warn_arg, crit_arg);
	v6_cli_emit_init(cli, &e);
	if (v6_cli_enter_netns(cli))
		return unknown(&e, o.host, "cannot enter the network namespace");
	if (tb_icmp_open(&ic, o.host, o.src, false, &err) < 0)
		return unknown(&e, o.host, err.msg);
	run_pings(&ic, &o, &r);
	tb_icmp_close(&ic);

	double pl = r.sent ? 100.0 * (r.sent - r.received) / r.sent : 100;
	double rta = r.received ? r.sum_ms / r.received : NAN;
	double jitter = r.received > 1 ? r.jitter_sum_ms / (r.received - 1) : (r.received ? 0 : NAN);
	int status = PING_OK;
	if (!r.received || pl >= o.crit_pl || rta >= o.crit_rtt)
		status = PING_CRITICAL;
	else if (pl >= o.warn_pl || rta >= o.warn_rtt)
		status = PING_WARNING;

	char host[V6_ADDRSTRLEN];
	tb_sockaddr_str((struct sockaddr *)&ic.dst, host, sizeof(host));
	v6_emit_object_open(&e, NULL);
	v6_emit_str(&e, "status", "PING %s - ", status_name[status]);
	v6_emit_u64(&e, "exit", NULL, (uint64_t)status);
	v6_emit_str(&e, "host", "%s", host);
	v6_emit_str(&e, "source", NULL, o.src);
	if (r.send_errno)
		v6_emit_str(&e, "error", " (%s)", strerror(r.send_errno));
	if (r.received)
		v6_emit_double(&e, "rta_ms", " rta %.3fms", rta);
	else
		v6_emit_double(&e, "rta_ms", " rta nan", rta);
	v6_emit_double(&e, "loss_percent", " lost %.0f%%", pl);
	v6_emit_u64(&e, "sent", NULL, r.sent);
	v6_emit_u64(&e, "received", NULL, r.received);
	v6_emit_double(&e, "rtmin_ms", NULL, r.received ? r.min_ms : NAN);
	v6_emit_double(&e, "rtmax_ms", NULL, r.received ? r.max_ms : NAN);
	v6_emit_double(&e, "jitter_ms", NULL, jitter);
	v6_emit_object_open(&e, "thresholds");
	v6_emit_double(&e, "warning_rtt_ms", NULL, o.warn_rtt);
	v6_emit_double(&e, "warning_loss_percent", NULL, o.warn_pl);
	v6_emit_double(&e, "critical_rtt_ms", NULL, o.crit_rtt);
	v6_emit_double(&e, "critical_loss_percent", NULL, o.crit_pl);
	v6_emit_object_close(&e);
	v6_emit_object_close(&e);
	if (!v6_emit_json(&e)) {
		/* Perfdata (monitoring plugins guidelines): 'label'=value[UOM];warn;crit;min */
		printf("|rta=%.3fms;%.3f;%.3f;0 pl=%.0f%%;%.0f;%.0f;0", r.received ? rta : 0, o.warn_rtt,
		       o.crit_rtt, pl, o.warn_pl, o.crit_pl);
		if (r.received)
			printf(" rtmin=%.3fms;;;0 rtmax=%.3fms;;;0 jitter=%.3fms;;;0", r.min_ms,
			       r.max_ms, jitter);
		putchar('\n');
	}
	v6_emit_end(&e);
	return status;
}
