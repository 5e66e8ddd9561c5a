/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for tun6in4's parameter grammar, config files, canonical form
 * and restart-guard window. */
#include "unit.h"
#include "../../tools/tun6in4/tun6in4.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int parse(const char *text, struct t64_conf *c, struct v6_err *err)
{
	t64_conf_defaults(c);
	return t64_conf_parse(c, text, strlen(text), "t.conf", err);
}

int main(void)
{
	struct t64_conf c;
	struct v6_err err;
	char canon[1024], buf[64];

	t64_conf_defaults(&c);
	ok(c.mtu == 1480 && c.ttl == 255 && !c.default_route && c.mode == T64_MODE_AUTO &&
	   c.max_starts == 4 && c.max_starts_secs == 60, "defaults: mtu 1480, ttl 255, "
	   "default-route no, mode auto, max-starts 4/60");

	ok(parse("# broker tunnel\nname he0\nremote 203.0.113.1   # endpoint\n"
		 "local 192.0.2.10\naddress 2001:db8:1::2/64\ngateway 2001:db8:1::1\n"
		 "\nmtu 1472\nttl 64\ndev eth0\ndefault-route yes\ntable 100\nmode user\n"
		 "max-starts 2/30\n", &c, &err) == 0, "a full file parses");
	is_str(c.name, "he0", "name key");
	is_str(inet_ntop(AF_INET, &c.remote, buf, sizeof(buf)), "203.0.113.1", "remote");
	is_str(inet_ntop(AF_INET, &c.local, buf, sizeof(buf)), "192.0.2.10", "local");
	ok(c.naddr == 1 && c.addr[0].len == 64 && c.has_gateway, "address and gateway");
	ok(c.mtu == 1472 && c.ttl == 64 && c.default_route && !strcmp(c.dev, "eth0") &&
	   !strcmp(c.table, "100") && c.mode == T64_MODE_USER && c.max_starts == 2 &&
	   c.max_starts_secs == 30, "the other keys");
	ok(t64_conf_check(&c, &err) == 0, "consistent");

	t64_conf_canon(&c, canon, sizeof(canon));
	struct t64_conf back;
	ok(parse(canon, &back, &err) == 0, "canonical text parses back");
	char canon2[1024];
	t64_conf_canon(&back, canon2, sizeof(canon2));
	is_str(canon2, canon, "canonical form is stable");

	ok(parse("remote 192.0.2.1\nlocal any\n", &c, &err) == 0 && c.local.s_addr == 0,
	   "local any");
	ok(parse("remote 192.0.2.1\naddress 2001:db8::1/64\naddress 2001:db8:2::1/64\n", &c,
		 &err) == 0 && c.naddr == 2, "several addresses");
	ok(parse("mtu 1280\nttl 0\n", &c, &err) == 0 && c.mtu == 1280 && c.ttl == 0,
	   "mtu and ttl lower bounds");
	ok(parse("mtu 65515\nttl 255\n", &c, &err) == 0 && c.mtu == 65515, "upper bounds");

	struct { const char *text, *want; } bad[] = {
		{ "remote\n", "t.conf:1: 'remote' needs a value" },
		{ "\nremote 2001:db8::1\n", "t.conf:2: remote must be an IPv4 address: '2001:db8::1'" },
		{ "remote 192.0.2.300\n", "t.conf:1: remote must be an IPv4 address: '192.0.2.300'" },
		{ "remote any\n", "t.conf:1: remote must be an IPv4 address: 'any'" },
		{ "remote 0.0.0.0\n", "t.conf:1: remote must be a unicast IPv4 address: '0.0.0.0'" },
		{ "remote 224.0.0.1\n", "t.conf:1: remote must be a unicast IPv4 address: '224.0.0.1'" },
		{ "local 192.0.2\n", "t.conf:1: local must be an IPv4 address: '192.0.2'" },
		{ "address 192.0.2.1/24\n", "t.conf:1: address must be an IPv6 address or prefix: '192.0.2.1/24'" },
		{ "address 2001:db8::1/129\n", "t.conf:1: address must be an IPv6 address or prefix: '2001:db8::1/129'" },
		{ "address ff02::1/64\n", "t.conf:1: address must be a unicast IPv6 address/LEN: 'ff02::1/64'" },
		{ "gateway 2001:db8::/64\n", "t.conf:1: gateway must be an IPv6 address: '2001:db8::/64'" },
		{ "mtu 1279\n", "t.conf:1: mtu must be 1280-65515: '1279'" },
		{ "mtu 65516\n", "t.conf:1: mtu must be 1280-65515: '65516'" },
		{ "mtu x\n", "t.conf:1: mtu must be 1280-65515: 'x'" },
		{ "ttl 256\n", "t.conf:1: ttl must be 0-255: '256'" },
		{ "ttl -1\n", "t.conf:1: ttl must be 0-255: '-1'" },
		{ "name abcdefghijklmnop\n", "t.conf:1: name must be 1-15 bytes long: 'abcdefghijklmnop'" },
		{ "default-route maybe\n", "t.conf:1: default-route must be yes or no: 'maybe'" },
		{ "mode fast\n", "t.conf:1: mode must be auto, kernel or user: 'fast'" },
		{ "max-starts 5\n", "t.conf:1: max-starts must be N/SECS with N 1-1000 and SECS 1-86400: '5'" },
		{ "max-starts 0/60\n", "t.conf:1: max-starts must be N/SECS with N 1-1000 and SECS 1-86400: '0/60'" },
		{ "table local\n", "t.conf:1: table must be a number or a name of 1-63 bytes, not a system table: 'local'" },
		{ "\n\nfrobnicate yes\n", "t.conf:3: unknown key 'frobnicate' (expected remote, local, address, gateway, mtu, ttl, dev, default-route, table, mode or max-starts)" },
		{ "mtu 1400 1500\n", "t.conf:1: one value per key: '1500'" },
		{ "address 2001:db8::1/64\naddress 2001:db8::1/64\n", "t.conf:2: address given twice: '2001:db8::1/64'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		ok(parse(bad[i].text, &c, &err) == -EINVAL, "refused: %s", bad[i].want);
		is_str(err.msg, bad[i].want, "message names file:line and the token");
	}

	t64_conf_defaults(&c);
	ok(t64_conf_set(&c, "name", "x", false, &err) == -EINVAL,
	   "name is not a command-line key");
	ok(t64_conf_set(&c, "update-tunnel", "123456", false, &err) == -EINVAL,
	   "update-tunnel is not a command-line key");
	{
		char canon_before[1024], canon_after[1024];
		t64_conf_canon(&c, canon_before, sizeof(canon_before));
		ok(parse("update-url https://ipv4.tunnelbroker.net/nic/update\nupdate-tunnel 123456\n"
			 "update-user alice\nupdate-key /etc/v6kit/keys/he0\n", &c, &err) == 0,
		   "update-* keys accepted from a file: %s", err.msg);
		t64_conf_canon(&c, canon_after, sizeof(canon_after));
		is_str(canon_after, canon_before, "update-* keys are not tunnel parameters");
		ok(parse("update-url ftp://x/\n", &c, &err) == -EINVAL &&
		   strstr(err.msg, "'ftp://x/'"), "update-url: http or https only");
		ok(parse("update-tunnel 12;rm\n", &c, &err) == -EINVAL &&
		   strstr(err.msg, "'12;rm'"), "update-tunnel: no shell or URL characters");
		ok(parse("update-key keys/he0\n", &c, &err) == -EINVAL &&
		   strstr(err.msg, "absolute path"), "update-key: absolute path");
		ok(parse("update-keys /x\n", &c, &err) == -EINVAL &&
		   strstr(err.msg, "unknown key 'update-keys'"), "update-* typo refused");
		t64_conf_defaults(&c);
	}
	ok(t64_conf_check(&c, &err) < 0, "no name: refused");
	snprintf(c.name, sizeof(c.name), "t0");
	ok(t64_conf_check(&c, &err) < 0 && strstr(err.msg, "missing 'remote V4'"), "remote required");
	t64_conf_set(&c, "remote", "192.0.2.1", false, &err);
	t64_conf_set(&c, "local", "192.0.2.1", false, &err);
	ok(t64_conf_check(&c, &err) < 0, "local equal to remote refused");
	t64_conf_set(&c, "local", "any", false, &err);
	t64_conf_set(&c, "default-route", "yes", false, &err);
	ok(t64_conf_check(&c, &err) < 0 && strstr(err.msg, "address or a gateway"),
	   "a default route needs somewhere to go");

	time_t oldest;
	const char *starts = "100\n150\n155\ngarbage\n160\n";
	ok(t64_starts_in_window(starts, strlen(starts), 60, 200, &oldest) == 3 && oldest == 150,
	   "starts within the window counted, oldest found");
	ok(t64_starts_in_window(starts, strlen(starts), 10, 200, &oldest) == 0, "none recent");
	ok(t64_starts_in_window("", 0, 60, 200, &oldest) == 0, "empty file");
	/* The file is read by lib's one reader: a 100 KiB file (comments
	 * around the keys) loads, and a missing file names itself. */
	{
		char path[] = "/tmp/v6kit-unit-t64.XXXXXX";
		int fd = mkstemp(path);
		FILE *f = fdopen(fd, "w");
		for (int i = 0; i < 1600; i++)
			fprintf(f, "# %60d\n", i);
		fputs("remote 192.0.2.9\n", f);
		fclose(f);
		t64_conf_defaults(&c);
		ok(t64_conf_load(&c, path, &err) == 0 && c.has_remote,
		   "a config file beyond 64 KiB loads");
		unlink(path);
		ok(t64_conf_load(&c, path, &err) == -ENOENT && err.status == V6_EXIT_USAGE &&
		   !strncmp(err.msg, path, strlen(path)),
		   "a missing file keeps its errno, is bad input (exit 1), the message names it");
	}
	/* Lines follow lib's config line format, srcroute.conf's too:
	 * up to 1023 bytes, so a long comment is no error. */
	{
		char text[800];
		memset(text, ' ', sizeof(text));
		memcpy(text, "mtu 1400 #", 10);
		text[sizeof(text) - 1] = '\n';
		t64_conf_defaults(&c);
		ok(t64_conf_parse(&c, text, sizeof(text), "t.conf", &err) == 0 && c.mtu == 1400,
		   "an 800-byte line with a comment is read");
	}
	/* The state and stats files are read by pure functions over bytes. */
	{
		struct t64_state st;
		struct t64_stats ss;
		const char *good = "mode kernel\npid 0\nname t0\nremote 192.0.2.1\nlocal any\nmtu 1280\nttl 64\n"
				   "default-route no\n";
		ok(t64_state_parse(good, strlen(good), "t0.state", &st, &err) == 0 &&
		   st.mode == T64_MODE_KERNEL && st.conf.has_remote && !strcmp(st.conf.name, "t0"),
		   "a state file parses: mode, pid, the canonical config");
		ok(t64_state_parse("mode user\npid 7\n", 17, "t0.state", &st, &err) == 0 &&
		   st.mode == T64_MODE_USER && st.pid == 7, "a state with an empty config");
		ok(t64_state_parse("mode user\n", 10, "t0.state", &st, &err) == -EIO &&
		   !strcmp(err.msg, "t0.state: damaged state file"), "a cut state file is damaged, named");
		ok(t64_state_parse("mode user\npid 7\nmtu 9\n", 23, "t0.state", &st, &err) == -EIO,
		   "a state whose config does not parse is damaged");
		const char *stats = "rx_dropped                    1\ntx_dropped                    2\n"
				    "ptb_sent                    3\n";
		ok(t64_stats_parse(stats, strlen(stats), &ss) == 0 && ss.rx_dropped == 1 &&
		   ss.tx_dropped == 2 && ss.ptb_sent == 3, "a stats record parses");
		ok(t64_stats_parse("stopped\n", 8, &ss) == -EIO && !ss.rx_dropped,
		   "a stopped daemon's file is no record");
		ok(t64_stats_parse("rx_dropped 1\0tx_dropped 2 ptb_sent 3", 35, &ss) == -EIO,
		   "a NUL ends the text");
	}
	return done_testing();
}
