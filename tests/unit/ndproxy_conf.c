/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy's config parser: ndppd's grammar, our extensions, errors. */
#include "../../tools/ndproxy/ndproxy.h"
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse(const char *text, struct ndp_conf *c, struct v6_err *err)
{
	return ndp_conf_parse(text, strlen(text), "t.conf", c, err);
}

static void errors(void)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "proxy eth0 {\n rule 2001:db8::/64 { static }\n bogus 1\n}\n",
		  "t.conf:3: unknown proxy option 'bogus'" },
		{ "proxy eth0 {\n rule 2001:db8::/64 { static\n}\n", "t.conf:1: '{' without a matching '}'" },
		{ "}\n", "t.conf:1: '}' without a matching '{'" },
		{ "proxy eth0 {\n rule 2001:db8::/64 { static }\n ttl abc\n}\n",
		  "t.conf:3: ttl must be 1000-86400000: 'abc'" },
		{ "proxy eth0 {\n rule 2001:db8::/64 { iface eth0 }\n}\n",
		  "t.conf:2: rule interface is the proxy's own: 'eth0'" },
		{ "proxy eth0 {\n rule 2001:db8::/64 { auto static }\n}\n",
		  "t.conf:2: only one of static, iface and auto per rule: 'static'" },
		{ "proxy eth0 {\n rule 2001:db8::/64 { auto = on }\n}\n",
		  "t.conf:2: 'auto' takes no value: 'on'" },
		{ "proxy eth0 {\n}\n", "t.conf:1: proxy eth0 has no rule" },
		{ "route-ttl 5\n", "t.conf: no proxy section" },
		{ "proxy eth0 { rule 192.0.2.0/24 { static } }\n", NULL },
		{ "proxy eth0 { rule 2001:db8::/64 { static } }\nproxy eth0 { rule 2001:db8::/64 { static } }\n",
		  "t.conf:2: proxy eth0 defined twice" },
		{ "/* open\n", "t.conf:1: unterminated comment" },
		{ "proxy \"eth0 { }\n", "t.conf:1: unterminated quoted value" },
		{ "proxy eth0 { rule 2001:db8::/64 { static } }\n@\n", "t.conf:2: unexpected '@'" },
		{ "proxy eth0 { a { b { c { d { e } } } } }\n", "t.conf:1: blocks nested too deeply" },
		{ "proxy waytoolonginterfacename { rule ::/0 { static } }\n", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ndp_conf c;
		struct v6_err err = { .msg = "" };
		int rc = parse(cases[i].text, &c, &err);
		ok(rc == -EINVAL, "bad config %zu refused", i);
		if (cases[i].msg)
			is_str(err.msg, cases[i].msg, "message for bad config %zu", i);
		else
			ok(!strncmp(err.msg, "t.conf:1: ", 10), "message for %zu names the line: %s", i,
			   err.msg);
	}
}

static void ndppd_files(void)
{
	struct ndp_conf c;
	struct v6_err err;
	const char *dist =
		"# comment\nroute-ttl 30000\naddress-ttl 1000\n"
		"proxy eth0 {\n   router no\n   timeout 250\n   ttl 20000\n   deadtime 5000\n"
		"   retries 2\n   keepalive no\n   autowire yes\n   promiscuous yes\n"
		"   rule 2001:db8:1::5/64 {\n      iface eth1\n   }\n"
		"   rule 2001:db8:2::1 { auto\n autovia yes }\n"
		"   rule 2001:db8:3::/48 { }\n}\n";

	ok(parse(dist, &c, &err) == 0, "master-style file parses: %s", err.msg);
	ok(c.nproxies == 1 && c.proxies[0].nrules == 3, "one proxy, three rules");
	const struct ndp_proxy *p = &c.proxies[0];
	ok(!p->router && p->timeout_ms == 250 && p->ttl_ms == 20000 && p->deadtime_ms == 5000 &&
	   p->retries == 2 && !p->keepalive && p->autowire && p->promisc, "proxy options read");
	char buf[V6_ADDRSTRLEN];
	is_str(v6_prefix_str(&p->rules[0].prefix, buf, sizeof(buf)), "2001:db8:1::/64",
	       "host bits masked as ndppd does");
	ok(p->rules[0].method == NDP_IFACE && !strcmp(p->rules[0].iface, "eth1"), "iface rule");
	ok(p->rules[1].method == NDP_AUTO && p->rules[1].autovia && p->rules[1].prefix.len == 128,
	   "auto rule with autovia, bare address is /128");
	ok(p->rules[2].method == NDP_STATIC && c.nwarn == 1, "no method: static with a warning");
	is_str(c.warn[0], "t.conf:18: rule 2001:db8:3::/48 has no method, taken as static",
	       "warning text");

	struct in6_addr a;
	inet_pton(AF_INET6, "2001:db8:1::99", &a);
	ok(ndp_rule_match(p, &a) == &p->rules[0], "match inside the /64");
	inet_pton(AF_INET6, "2001:db8:2::2", &a);
	ok(ndp_rule_match(p, &a) == NULL, "no match next to the /128");
	ndp_conf_free(&c);

	ok(parse("proxy eth0 { router yes }\n", &c, &err) < 0, "a proxy needs a rule");
	ok(parse("proxy eth0 {\n router = 'yes' ttl=3000 rule 2001:db8::/64 { static } }\n"
		 "// c++ comment\nproxy eth1 { rule 2001:db8:1::/64 { static } }", &c, &err) == 0,
	   "ndppd's compact forms: %s", err.msg);
	ok(c.nproxies == 2 && c.proxies[0].ttl_ms == 3000 && c.proxies[0].deadtime_ms == 3000,
	   "deadtime defaults to ttl");
	ndp_conf_free(&c);

	ok(parse("user ndproxy\ncache-size 1024\nprobe-rate 50\n"
		 "proxy eth0 { override yes na-source target rule 2001:db8::/64 { static } }\n",
		 &c, &err) == 0, "extensions: %s", err.msg);
	ok(!strcmp(c.user, "ndproxy") && c.cache_max == 1024 && c.probe_rate == 50 &&
	   c.proxies[0].override && c.proxies[0].na_src_target, "extensions read");
	ndp_conf_free(&c);
}

static void cmdline(void)
{
	struct ndp_conf c;
	struct v6_err err;
	char *pfx[] = { "2001:db8:1::/64", "2001:db8:2::1" }, *bad[] = { "2001:db8::/64x" };

	ok(ndp_conf_cmdline("eth0", pfx, 2, NDP_IFACE, "eth1", &c, &err) == 0, "command line");
	ok(c.nproxies == 1 && c.proxies[0].nrules == 2 && c.proxies[0].rules[1].method == NDP_IFACE,
	   "one proxy, rules of one method");
	ndp_conf_free(&c);
	ok(ndp_conf_cmdline("eth0", bad, 1, NDP_STATIC, NULL, &c, &err) == -EINVAL,
	   "bad prefix refused");
	ok(strstr(err.msg, "'2001:db8::/64x'") != NULL, "quotes the token: %s", err.msg);
	ok(ndp_conf_cmdline("eth0", pfx, 0, NDP_STATIC, NULL, &c, &err) == -EINVAL, "no prefix");
	ok(ndp_conf_cmdline("eth0", pfx, 1, NDP_IFACE, "eth0", &c, &err) == -EINVAL,
	   "downstream equal to upstream");
}

/* A NUL inside a quoted value is an error naming file:line, not a value
 * cut short that -t calls OK. */
static void nul_bytes(void)
{
	static const char text[] = "proxy eth0 {\n rule 2001:db8::/64 { iface \"eth1\0junk\" }\n}\n";
	struct ndp_conf c;
	struct v6_err err = { .msg = "" };

	ok(ndp_conf_parse(text, sizeof(text) - 1, "t.conf", &c, &err) == -EINVAL,
	   "NUL inside a quoted value refused");
	is_str(err.msg, "t.conf:2: NUL byte in quoted value", "message names file:line");
	static const char unquoted[] = "proxy eth0 {\n rule 2001:db8::/64 { iface eth1\0x }\n}\n";
	ok(ndp_conf_parse(unquoted, sizeof(unquoted) - 1, "t.conf", &c, &err) == -EINVAL,
	   "NUL after an unquoted value refused");
	is_str(err.msg, "t.conf:2: NUL byte in file", "message names file:line");
}

/* Control bytes from the file come back escaped, never raw. */
static void escaping(void)
{
	struct ndp_conf c;
	struct v6_err err = { .msg = "" };
	char out[64];

	ok(parse("proxy eth0 {\n rule 2001:db8::/64 { static }\n router \"\x1b[2J\r\"\n}\n", &c,
		 &err) == -EINVAL, "bad value with escape sequences refused");
	is_str(err.msg, "t.conf:3: 'router' must be yes or no: '\\x1b[2J\\x0d'",
	       "escape and carriage return shown as \\xNN");
	ok(parse("proxy eth0 {\n rule \"2001:db8::/64\x07\" { static }\n}\n", &c, &err) == -EINVAL &&
	   !strchr(err.msg, '\x07') && strstr(err.msg, "\\x07"), "a prefix error too: %s", err.msg);
	ok(parse("proxy eth0 {\n rule \"2001:db8::/64\" { }\n}\n", &c, &err) == 0, "warning case");
	ndp_conf_free(&c);
	ndp_vis(out, sizeof(out), "a\tb\xc3\xa9");
	is_str(out, "a\\x09b\\xc3\\xa9", "ndp_vis: tab and non-ASCII");
	ndp_vis(out, 6, "abc\001def");
	is_str(out, "abc", "ndp_vis never cuts an escape in half");
}

/* The same configuration in every brace style and line layout. */
static const char *const layouts[] = {
	/* ndppd's own style */
	"proxy eth0 {\n"
	"    router no\n"
	"    ttl 20000\n"
	"    rule 2001:db8:1::/64 {\n"
	"        iface eth1\n"
	"    }\n"
	"    rule 2001:db8:2::/64 {\n"
	"        auto\n"
	"        autovia yes\n"
	"    }\n"
	"    rule 2001:db8:3::/64 {\n"
	"        static\n"
	"    }\n"
	"}\n"
	"proxy eth2 {\n"
	"    rule 2001:db8:4::/64 {\n"
	"        static\n"
	"    }\n"
	"}\n",
	/* braces on their own lines */
	"proxy eth0\n"
	"{\n"
	"    router no\n"
	"    ttl 20000\n"
	"    rule 2001:db8:1::/64\n"
	"    {\n"
	"        iface eth1\n"
	"    }\n"
	"    rule 2001:db8:2::/64\n"
	"    {\n"
	"        auto\n"
	"        autovia yes\n"
	"    }\n"
	"    rule 2001:db8:3::/64\n"
	"    {\n"
	"        static\n"
	"    }\n"
	"}\n"
	"proxy eth2\n"
	"{\n"
	"    rule 2001:db8:4::/64\n"
	"    {\n"
	"        static\n"
	"    }\n"
	"}\n",
	/* one-line rules */
	"proxy eth0 {\n"
	"    router no\n"
	"    ttl 20000\n"
	"    rule 2001:db8:1::/64 { iface eth1 }\n"
	"    rule 2001:db8:2::/64 { auto autovia yes }\n"
	"    rule 2001:db8:3::/64 { static }\n"
	"}\n"
	"proxy eth2 { rule 2001:db8:4::/64 { static } }\n",
	/* everything on one line, no final newline */
	"proxy eth0 { router no ttl 20000 rule 2001:db8:1::/64 { iface eth1 } "
	"rule 2001:db8:2::/64 { auto autovia yes } rule 2001:db8:3::/64 { static } } "
	"proxy eth2 { rule 2001:db8:4::/64 { static } }",
	/* closing braces together, several statements on a line */
	"proxy eth0 { router no ttl 20000\n"
	"  rule 2001:db8:1::/64 { iface eth1 } rule 2001:db8:2::/64 { auto\n"
	"  autovia yes } rule 2001:db8:3::/64 { static } }\n"
	"proxy eth2 { rule 2001:db8:4::/64 {\n"
	"  static } }\n",
	/* comments and blank lines anywhere, even between a statement and its '{' */
	"# upstream\n"
	"proxy eth0 # the modem\n"
	"\n"
	"/* the block */ {\n"
	"    router no // no R flag\n"
	"    ttl /* ms */ 20000\n"
	"    rule 2001:db8:1::/64 # confirmed on eth1\n"
	"    // next line opens the rule\n"
	"    { iface eth1 } rule 2001:db8:2::/64 { auto /* and */ autovia yes }\n"
	"    rule 2001:db8:3::/64 /* servers */ { static } # done\n"
	"} proxy eth2\n"
	"\t{ rule 2001:db8:4::/64\n"
	"\n"
	"\t\t{ static }\n"
	"\t}\n",
};

/* Two parsed configurations equal in everything but line numbers. */
static bool same_conf(const struct ndp_conf *a, const struct ndp_conf *b)
{
	if (a->nproxies != b->nproxies || a->cache_max != b->cache_max ||
	    a->probe_rate != b->probe_rate || strcmp(a->user, b->user) || a->nwarn != b->nwarn)
		return false;
	for (size_t i = 0; i < a->nproxies; i++) {
		struct ndp_proxy p = a->proxies[i], q = b->proxies[i];
		if (p.nrules != q.nrules)
			return false;
		for (size_t j = 0; j < p.nrules; j++) {
			struct ndp_rule r = p.rules[j], s = q.rules[j];
			r.line = s.line = 0;
			if (memcmp(&r, &s, sizeof(r)))
				return false;
		}
		p.rules = q.rules = NULL;
		p.line = q.line = 0;
		if (memcmp(&p, &q, sizeof(p)))
			return false;
	}
	return true;
}

static void brace_styles(void)
{
	struct ndp_conf first, c;
	struct v6_err err = { .msg = "" };

	ok(parse(layouts[0], &first, &err) == 0, "layout 0 parses: %s", err.msg);
	ok(first.nproxies == 2 && first.proxies[0].nrules == 3 && !first.proxies[0].router &&
	   first.proxies[0].ttl_ms == 20000 && first.proxies[0].rules[0].method == NDP_IFACE &&
	   !strcmp(first.proxies[0].rules[0].iface, "eth1") &&
	   first.proxies[0].rules[1].method == NDP_AUTO && first.proxies[0].rules[1].autovia &&
	   first.proxies[0].rules[2].method == NDP_STATIC && first.nwarn == 0 &&
	   !strcmp(first.proxies[1].iface, "eth2") && first.proxies[1].nrules == 1,
	   "layout 0 read as written");
	for (size_t i = 1; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		int rc = parse(layouts[i], &c, &err);
		ok(rc == 0, "layout %zu parses: %s", i, rc ? err.msg : "");
		if (rc)
			continue;
		ok(same_conf(&first, &c), "layout %zu gives the same configuration", i);
		ndp_conf_free(&c);
	}
	/* Lines still count from the keyword, wherever its brace is. */
	ok(parse(layouts[1], &c, &err) == 0 && c.proxies[0].line == 1 &&
	   c.proxies[0].rules[1].line == 9 && c.proxies[1].line == 19,
	   "a statement's line is its keyword's");
	ndp_conf_free(&c);
	ndp_conf_free(&first);

	static const struct { const char *text, *msg; } bad[] = {
		{ "proxy eth0\n{\n rule 2001:db8::/64\n {\n  static\n }\n",
		  "t.conf:2: '{' without a matching '}'" },
		{ "proxy eth0 { rule 2001:db8::/64 { static }\n",
		  "t.conf:1: '{' without a matching '}'" },
		{ "proxy eth0 { rule 2001:db8::/64 { static } } }\n",
		  "t.conf:1: '}' without a matching '{'" },
		{ "proxy eth0\n{\n rule 2001:db8::/64 { static }\n}\n}\n",
		  "t.conf:5: '}' without a matching '{'" },
		{ "proxy eth0 {\n rule 2001:db8::/64 { static }\n}\n{\n}\n",
		  "t.conf:4: '{' without a keyword before it" },
		{ "{ proxy eth0 { rule 2001:db8::/64 { static } } }\n",
		  "t.conf:1: '{' without a keyword before it" },
		{ "proxy eth0 {\n rule 2001:db8::/64\n { static }\n {\n iface eth1 }\n}\n",
		  "t.conf:4: '{' without a keyword before it" },
		{ "proxy eth0 {\n router no\n\n {\n rule 2001:db8::/64 { static }\n }\n}\n",
		  "t.conf:2: 'router' takes no block" },
		{ "proxy eth0\n\n# no block follows\nrule 2001:db8::/64 { static }\n",
		  "t.conf:1: 'proxy eth0' needs a { } block" },
		{ "proxy eth0 { rule 2001:db8::/64 { static yes } }\n",
		  "t.conf:1: unknown rule option 'yes'" },
		{ "proxy eth0\n/* open\n{ rule 2001:db8::/64 { static } }\n",
		  "t.conf:2: unterminated comment" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		ok(parse(bad[i].text, &c, &err) == -EINVAL, "bad layout %zu refused", i);
		is_str(err.msg, bad[i].msg, "message for bad layout %zu", i);
	}
}

/* Rules are counted in 16 bits in the cache: the parser stops there. */
static void rule_limit(void)
{
	size_t n = NDP_MAX_RULES + 1, len = 0;
	char *text = malloc(n * 12 + 64);
	struct ndp_conf c;
	struct v6_err err = { .msg = "" };

	len += (size_t)sprintf(text + len, "proxy eth0 {\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "rule ::/0\n");
	len += (size_t)sprintf(text + len, "}\n");
	ok(ndp_conf_parse(text, len, "t.conf", &c, &err) == -EINVAL, "%zu rules refused", n);
	char want[128];
	snprintf(want, sizeof(want), "t.conf:%zu: proxy eth0: more than %u rules", n + 1,
		 (unsigned)NDP_MAX_RULES);
	is_str(err.msg, want, "message names the first rule too many");
	len -= 2 + 10; /* drop the last rule */
	len += (size_t)sprintf(text + len, "}\n");
	ok(ndp_conf_parse(text, len, "t.conf", &c, &err) == 0 && c.proxies[0].nrules == NDP_MAX_RULES,
	   "%u rules accepted: %s", (unsigned)NDP_MAX_RULES, err.msg);
	ok(c.proxies[0].nrules - 1 == (__typeof__(((struct ndp_entry *)0)->rule))(c.proxies[0].nrules - 1),
	   "the last rule's index survives the entry's rule field");
	ndp_conf_free(&c);
	free(text);
}

/* The file is read by lib's one reader: beyond ndproxy's old 1 MiB. */
static void big_file(void)
{
	char path[] = "/tmp/v6kit-unit-ndp.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct ndp_conf c;
	struct v6_err err;

	for (int i = 0; i < 20000; i++)
		fprintf(f, "# %60d\n", i);
	fputs("proxy eth0 {\n  rule 2001:db8::/64 {\n    static\n  }\n}\n", f);
	fclose(f);
	ok(ndp_conf_load(path, &c, &err) == 0 && c.nproxies == 1,
	   "a config file beyond 1 MiB loads");
	ndp_conf_free(&c);
	unlink(path);
	ok(ndp_conf_load(path, &c, &err) == -ENOENT && !strncmp(err.msg, path, strlen(path)),
	   "a missing file names itself");
	ok(err.status == V6_EXIT_USAGE, "a missing file is bad input (exit 1)");
	ok(ndp_conf_load("/", &c, &err) == -EISDIR && err.status == V6_EXIT_USAGE,
	   "so is a directory");
}

int main(void)
{
	big_file();
	nul_bytes();
	escaping();
	rule_limit();
	errors();
	brace_styles();
	ndppd_files();
	cmdline();
	return done_testing();
}
