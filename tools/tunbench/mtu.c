/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench mtu: the path MTU to HOST by echo probes with DF set, in the
 * manner of RFC 8899's probing (search between a floor known to work and a
 * ceiling), and a black hole — big probes lost with no Packet Too Big
 * (RFC 2923 2.1) — reported as a result of its own. */
#include "tunbench.h"

#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { MTU_EXIT_BLACKHOLE = 3 };
#define MTU_TRIES 3
#define MTU_WAIT_MS 500

struct mtu_search {
	uint32_t probes;
	uint32_t ptb_mtu;     /* last Packet Too Big (or local limit), 0 if none */
	bool lost_silently;   /* a size failed with no Packet Too Big */
};

/* One size, a few tries: 1 got through, 0 did not.  With -v, one line
 * per probe. */
static int probe(const struct v6_cli *cli, struct tb_icmp *ic, struct mtu_search *ms,
		 uint16_t *seq, uint32_t size, struct v6_err *err)
{
	for (int t = 0; t < MTU_TRIES; t++) {
		uint16_t got, s = (*seq)++;
		uint64_t sent_at, t0 = tb_now_ns();
		uint32_t mtu = 0;
		ms->probes++;
		int rc = tb_icmp_send(ic, s, size, err);
		if (rc == -ENOBUFS) {
			/* A full queue or a qdisc's drop on our side: the
			 * probe is lost like one dropped on the path. */
			v6_cli_verbose(cli, "mtu: probe %u bytes: lost (%s)", size, strerror(ENOBUFS));
			continue;
		}
		if (rc < 0)
			return rc;
		if (rc == TB_PROBE_TOOBIG) { /* our own link is smaller */
			v6_cli_verbose(cli, "mtu: probe %u bytes: too big for the local link", size);
			ms->ptb_mtu = 0;
			return 0;
		}
		rc = tb_icmp_wait(ic, s, tb_now_ns() + MTU_WAIT_MS * 1000000ull, &got, &sent_at, &mtu);
		if (rc == TB_PROBE_REPLY) {
			v6_cli_verbose(cli, "mtu: probe %u bytes: reply in %.3f ms", size,
				       (double)(tb_now_ns() - t0) / 1e6);
			return 1;
		}
		if (rc == TB_PROBE_TOOBIG) {
			v6_cli_verbose(cli, "mtu: probe %u bytes: packet too big, mtu %u", size, mtu);
			ms->ptb_mtu = mtu;
			return 0;
		}
		if (rc == TB_PROBE_UNREACH) {
			v6_cli_verbose(cli, "mtu: probe %u bytes: destination unreachable", size);
			return v6_err_set(err, -EHOSTUNREACH, "destination unreachable");
		}
		v6_cli_verbose(cli, "mtu: probe %u bytes: lost (no reply in %u ms)", size, MTU_WAIT_MS);
	}
	return -ETIMEDOUT;
}

int tb_cmd_mtu(struct v6_cli *cli, int argc, char **argv)
{
	enum { OPT_MIN = 256, OPT_MAX };
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'I' },
		{ "min", required_argument, NULL, OPT_MIN },
		{ "max", required_argument, NULL, OPT_MAX },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t lo_arg = 1280, hi_arg = 1500;
	const char *src = NULL;
	struct mtu_search ms = { 0 };
	struct tb_icmp ic;
	struct v6_err err;
	struct v6_emit e;
	uint16_t seq = 0;
	int c, rc = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":I:", opts, NULL)) != -1) {
		switch (c) {
		case 'I': src = optarg; break;
		case OPT_MIN: rc = v6_parse_u32(optarg, 68, 65535, &lo_arg, "min", &err); break;
		case OPT_MAX: rc = v6_parse_u32(optarg, 68, 65535, &hi_arg, "max", &err); break;
		default: return v6_cli_bad_option(cli, c, argv);
		}
		if (rc < 0)
			return v6_cli_usage(cli, "%s", err.msg);
	}
	if (optind >= argc)
		return v6_cli_usage(cli, "missing HOST");
	if (optind != argc - 1)
		return v6_cli_usage(cli, "one HOST only: unexpected '%s'", argv[optind + 1]);
	if (lo_arg > hi_arg)
		return v6_cli_usage(cli, "--min '%u' is above --max '%u'", lo_arg, hi_arg);
	const char *host = argv[optind];
	struct in6_addr literal;
	/* An address literal is refused before any socket is asked for; a
	 * name is checked once it resolved. */
	if (lo_arg < 1280 && inet_pton(AF_INET6, host, &literal) == 1)
		return v6_cli_usage(cli, "--min must be at least 1280 for an IPv6 host: '%u'", lo_arg);
	if ((rc = v6_cli_enter_netns(cli)))
		return rc;
	v6_cli_emit_init(cli, &e);
	if ((rc = tb_icmp_open(&ic, host, src, true, &err)) < 0) {
		tb_report_error(&e, "mtu: %s", err.msg);
		return v6_cli_status(rc);
	}
	if (ic.family == AF_INET6 && lo_arg < 1280) {
		/* RFC 8200 5: every IPv6 link carries 1280 bytes, so a
		 * smaller floor only means probes that prove nothing. */
		tb_icmp_close(&ic);
		return v6_cli_usage(cli, "--min must be at least 1280 for an IPv6 host: '%u'", lo_arg);
	}
	/* Invariant: lo gets through; every size >= hi does not. */
	uint32_t lo = lo_arg, hi = hi_arg + 1;
	rc = probe(cli, &ic, &ms, &seq, lo, &err);
	if (rc <= 0) {
		tb_report_error(&e, "mtu: %s: no reply to a %u-byte probe%s%s", host, lo,
				rc < 0 ? ": " : "", rc < 0 ? (rc == -ETIMEDOUT ? "timed out" : err.msg) : "");
		tb_icmp_close(&ic);
		return V6_EXIT_RUNTIME;
	}
	while (hi - lo > 1) {
		/* A Packet Too Big names the size to try next. */
		uint32_t mid = ms.ptb_mtu > lo && ms.ptb_mtu < hi ? ms.ptb_mtu : lo + (hi - lo) / 2;
		ms.ptb_mtu = mid == ms.ptb_mtu ? 0 : ms.ptb_mtu;
		rc = probe(cli, &ic, &ms, &seq, mid, &err);
		if (rc == 1) {
			lo = mid;
		} else if (rc == 0 || rc == -ETIMEDOUT) {
			if (rc == -ETIMEDOUT)
				ms.lost_silently = true;
			hi = mid;
		} else {
			tb_report_error(&e, "mtu: %s: %s", host, err.msg);
			tb_icmp_close(&ic);
			return V6_EXIT_RUNTIME;
		}
	}
	tb_icmp_close(&ic);

	char addr[V6_ADDRSTRLEN];
	tb_sockaddr_str((struct sockaddr *)&ic.dst, addr, sizeof(addr));
	v6_emit_object_open(&e, NULL);
	v6_emit_str(&e, "host", "path MTU to %s", addr);
	v6_emit_u64(&e, "mtu", ": %llu", lo);
	v6_emit_bool(&e, "black_hole", NULL, ms.lost_silently);
	if (ms.lost_silently)
		v6_emit_text(&e, " (black hole: larger probes lost without Packet Too Big)");
	v6_emit_u64(&e, "min", NULL, lo_arg);
	v6_emit_u64(&e, "max", NULL, hi_arg);
	v6_emit_u64(&e, "probes", NULL, ms.probes);
	v6_emit_text(&e, "\n");
	v6_emit_object_close(&e);
	v6_emit_end(&e);
	return ms.lost_silently ? MTU_EXIT_BLACKHOLE : V6_EXIT_OK;
}
