/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/'s strict parsers, rt_tables handling and emitter. */
#include "unit.h"
#include "v6sys.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_addr(void)
{
	struct v6_addr a;
	struct v6_err err;
	char buf[V6_ADDRSTRLEN];

	ok(v6_parse_addr("2001:db8::1", V6_PARSE_ANY, &a, "gateway", &err) == 0 &&
	   a.family == AF_INET6, "IPv6 address accepted");
	is_str(v6_addr_str(&a, buf, sizeof(buf)), "2001:db8::1", "IPv6 printed back");
	ok(v6_parse_addr("192.0.2.1", V6_PARSE_ANY, &a, "gateway", &err) == 0 && a.family == AF_INET,
	   "IPv4 address accepted");
	ok(v6_parse_addr("192.0.2.1", V6_PARSE_V6, &a, "gateway", &err) == -EINVAL,
	   "IPv4 refused where IPv6 is required");
	is_str(err.msg, "gateway must be an IPv6 address: '192.0.2.1'", "error names value and token");
	ok(v6_parse_addr("2001:db8::1", V6_PARSE_V4, &a, "local", &err) == -EINVAL,
	   "IPv6 refused where IPv4 is required");
	const char *bad[] = { "", " 192.0.2.1", "192.0.2.1 ", "192.0.2", "192.0.2.256",
			      "01.2.3.4", "0x1.2.3.4", "2001:db8:::1", "2001:db8::g", "host.example",
			      "192.0.2.1/24" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(v6_parse_addr(bad[i], V6_PARSE_ANY, &a, "address", &err) == -EINVAL &&
		   strstr(err.msg, bad[i]), "rejects '%s' and quotes it", bad[i]);
	}
}

static void test_prefix(void)
{
	struct v6_prefix p;
	struct v6_err err;
	char buf[V6_ADDRSTRLEN];

	ok(v6_parse_prefix("2001:db8::/48", V6_PARSE_ANY, &p, "source", &err) == 0 && p.len == 48,
	   "IPv6 prefix");
	is_str(v6_prefix_str(&p, buf, sizeof(buf)), "2001:db8::/48", "prefix printed back");
	ok(v6_parse_prefix("2001:db8::1", V6_PARSE_ANY, &p, "source", &err) == 0 && p.len == 128,
	   "bare IPv6 address is a /128");
	is_str(v6_prefix_str(&p, buf, sizeof(buf)), "2001:db8::1", "host prefix printed bare");
	ok(v6_parse_prefix("198.51.100.0/24", V6_PARSE_ANY, &p, "source", &err) == 0 && p.len == 24,
	   "IPv4 prefix");
	ok(v6_parse_prefix("0.0.0.0/0", V6_PARSE_ANY, &p, "source", &err) == 0 && p.len == 0,
	   "IPv4 default prefix");
	ok(v6_parse_prefix("2001:db8::1/64", V6_PARSE_ANY, &p, "source", &err) == -EINVAL &&
	   strstr(err.msg, "host bits"), "host bits refused for a network prefix");
	ok(v6_parse_prefix("2001:db8::1/64", V6_PARSE_ANY | V6_PARSE_HOSTBITS, &p, "address", &err) == 0 &&
	   p.len == 64, "host bits allowed for an interface address");
	const char *bad[] = { "2001:db8::/129", "192.0.2.0/33", "2001:db8::/", "2001:db8::/-1",
			      "2001:db8::/+64", "2001:db8::/064x", "/64", "2001:db8::/0064",
			      "192.0.2.0/24/1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(v6_parse_prefix(bad[i], V6_PARSE_ANY, &p, "source", &err) == -EINVAL &&
		   strstr(err.msg, bad[i]), "rejects prefix '%s' and quotes it", bad[i]);
}

static void test_u32_ifname(void)
{
	uint32_t v;
	struct v6_err err;

	ok(v6_parse_u32("32765", 1, 32765, &v, "priority", &err) == 0 && v == 32765, "upper bound");
	ok(v6_parse_u32("0", 1, 32765, &v, "priority", &err) == -EINVAL, "below range");
	is_str(err.msg, "priority must be 1-32765: '0'", "range error quotes the token");
	ok(v6_parse_u32("abc", 1, 32765, &v, "priority", &err) == -EINVAL, "letters refused");
	ok(v6_parse_u32("4294967296", 0, UINT32_MAX, &v, "n", &err) == -EINVAL, "overflow refused");
	ok(v6_parse_u32("-1", 0, 10, &v, "n", &err) == -EINVAL, "sign refused");
	ok(v6_parse_u32(" 1", 0, 10, &v, "n", &err) == -EINVAL, "white space refused");
	ok(v6_parse_u32("", 0, 10, &v, "n", &err) == -EINVAL, "empty refused");
	ok(v6_parse_ifname("sixxs0", "dev", &err) == 0, "interface name");
	ok(v6_parse_ifname("abcdefghijklmno", "dev", &err) == 0, "15 bytes is the limit");
	ok(v6_parse_ifname("abcdefghijklmnop", "dev", &err) == -EINVAL &&
	   strstr(err.msg, "abcdefghijklmnop"), "16 bytes refused, token quoted");
	ok(v6_parse_ifname("a/b", "dev", &err) == -EINVAL, "slash refused");
	ok(v6_parse_ifname("a b", "dev", &err) == -EINVAL, "space refused");
	ok(v6_parse_ifname("..", "dev", &err) == -EINVAL, "dot-dot refused");
	ok(v6_parse_ifname("", "dev", &err) == -EINVAL, "empty refused");
}

static void test_rtnames(void)
{
	struct v6_rtnames t = { 0 };
	struct v6_err err;
	uint32_t id;
	const char *text = "#\n# reserved values\n255\tlocal\n254 main # comment\n253\tdefault\n"
			   "0\tunspec\n  100   uplink\n0x10 hex\n";

	ok(v6_rtnames_parse(&t, text, strlen(text), "rt_tables", &err) == 0, "rt_tables parses");
	ok(v6_rtnames_id(&t, "uplink", &id) == 0 && id == 100, "name to id");
	ok(v6_rtnames_id(&t, "hex", &id) == 0 && id == 16, "hex id");
	is_str(v6_rtnames_name(&t, 254), "main", "id to name with trailing comment");
	ok(v6_rtnames_resolve(&t, "300", &id, &err) == 0 && id == 300, "numeric table");
	ok(v6_rtnames_resolve(&t, "nosuch", &id, &err) == -ENOENT, "unknown name is ENOENT");
	ok(v6_rtnames_resolve(&t, "bad name", &id, &err) == -EINVAL, "a name with a space is EINVAL");
	ok(v6_rtnames_resolve(&t, "bad#name", &id, &err) == -EINVAL, "a name with a # is EINVAL");
	ok(v6_rtnames_parse(&t, "1 ok\n\0\0 x\n", 10, "nul.conf", &err) == -EINVAL &&
	   !strcmp(err.msg, "nul.conf:2: NUL byte in line"),
	   "a NUL byte is refused, not read as table 0 with an empty name");
	const char *later = "100 renamed\n";
	ok(v6_rtnames_parse(&t, later, strlen(later), "x.conf", &err) == 0 &&
	   !strcmp(v6_rtnames_name(&t, 100), "renamed"), "later file renames an id");
	const char *bad = "1 ok\nabc def\n";
	ok(v6_rtnames_parse(&t, bad, strlen(bad), "f.conf", &err) == -EINVAL &&
	   strstr(err.msg, "f.conf:2") && strstr(err.msg, "'abc'"), "bad id names file:line and token");
	ok(v6_rtnames_free_id(&t, NULL, NULL) == V6_RTNAMES_FIRST_FREE, "first free id");
	v6_rtnames_free(&t);

	/* load + register against a scratch directory */
	char dir[] = "/tmp/v6kit-unit.XXXXXX", path[256];
	ok(mkdtemp(dir) != NULL, "scratch dir");
	snprintf(path, sizeof(path), "%s/rt_tables", dir);
	FILE *f = fopen(path, "w");
	fputs("254 main\n1000 taken\n", f);
	fclose(f);
	ok(v6_rtnames_load(&t, dir, &err) == 0 && t.n == 2, "load without rt_tables.d");
	ok(v6_rtnames_free_id(&t, NULL, NULL) == 1001, "free id skips named ids");
	v6_rtnames_free(&t);
	ok(v6_rtnames_register(dir, "v6kit.conf", "sixxs0", 1001, &err) == 0, "register one");
	ok(v6_rtnames_register(dir, "v6kit.conf", "sixxs1", 1002, &err) == 0, "register another");
	ok(v6_rtnames_load(&t, dir, &err) == 0 && v6_rtnames_id(&t, "sixxs0", &id) == 0 &&
	   id == 1001 && v6_rtnames_id(&t, "sixxs1", &id) == 0 && id == 1002,
	   "registered names load back, earlier ones kept");
	v6_rtnames_free(&t);
	ok(v6_rtnames_register(dir, "v6kit.conf", "sixxs0", 1001, &err) == 0,
	   "registering the same name and id again is harmless");
	ok(v6_rtnames_register(dir, "v6kit.conf", "other", 1001, &err) == -EEXIST &&
	   strstr(err.msg, "meanwhile"), "an id taken meanwhile by another name is refused");
	ok(v6_rtnames_register(dir, "v6kit.conf", "sixxs0", 1005, &err) == -EEXIST,
	   "a name registered meanwhile under another id is refused");
	ok(v6_rtnames_load(&t, dir, &err) == 0 && t.n == 4, "no duplicate lines were written");
	v6_rtnames_free(&t);
	int lock = v6_rtnames_lock(dir, "held.conf", &err);
	ok(lock >= 0 && v6_rtnames_register_held(dir, "held.conf", "held", 1010, &err) == 0,
	   "register under a lock held across the choice");
	if (lock >= 0)
		close(lock);
	ok(v6_rtnames_load(&t, dir, &err) == 0 && v6_rtnames_id(&t, "held", &id) == 0 &&
	   id == 1010, "and it loads back");
	v6_rtnames_free(&t);
	snprintf(path, sizeof(path), "%s/absent", dir);
	ok(v6_rtnames_register(path, "v6kit.conf", "x", 1003, &err) == -ENOENT &&
	   strstr(err.msg, "absent/rt_tables.d: "), "no iproute2 directory: refused, named (%s)",
	   err.msg);
	ok(v6_rtnames_lock(path, "v6kit.conf", &err) == -ENOENT &&
	   v6_rtnames_register_held(path, "v6kit.conf", "x", 1003, &err) == -ENOENT,
	   "the same for the lock and a held registration");
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ok(system(path) == 0, "cleanup");
}

static void test_emit(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct v6_emit e;

	v6_emit_init(&e, m, V6_EMIT_JSON);
	v6_emit_object_open(&e, NULL);
	v6_emit_str(&e, "name", "%s", "a\"b\n");
	v6_emit_u64(&e, "n", "%llu", 7);
	v6_emit_double(&e, "nan", "%f", 0.0 / 0.0);
	v6_emit_str(&e, "none", "%s", NULL);
	v6_emit_array_open(&e, "list");
	v6_emit_bool(&e, NULL, "%s", true);
	v6_emit_i64(&e, NULL, "%lld", -3);
	v6_emit_array_close(&e);
	v6_emit_object_close(&e);
	v6_emit_end(&e);
	fclose(m);
	is_str(buf, "{\"name\":\"a\\\"b\\n\",\"n\":7,\"nan\":null,\"none\":null,\"list\":[true,-3]}\n",
	       "JSON: escaping, null for NaN, nesting");
	free(buf);

	m = open_memstream(&buf, &len);
	v6_emit_init(&e, m, V6_EMIT_TEXT);
	v6_emit_object_open(&e, NULL);
	v6_emit_str(&e, "dev", "dev %s", "eth0");
	v6_emit_u64(&e, "mtu", " mtu %llu", 1480);
	v6_emit_str(&e, "hidden", NULL, "x");
	v6_emit_text(&e, "\n");
	v6_emit_object_close(&e);
	v6_emit_end(&e);
	fclose(m);
	is_str(buf, "dev eth0 mtu 1480\n", "text mode uses the formats only");
	free(buf);
}

static void test_name(void)
{
	const char *good[] = { "file", "ifupdown:he0", "a.b-c_d", "0", "ABCxyz789" };
	const char *bad[] = { "", "two words", "a/b", "caf\xc3\xa9", "a\nb", "x$y", "q'", "tab\t" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(v6_name_ok(good[i], 32), "name '%s' accepted", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!v6_name_ok(bad[i], 32), "name #%zu refused", i);
	ok(v6_name_ok("abcd", 4) && !v6_name_ok("abcde", 4), "max bytes exactly, not one more");
}

int main(void)
{
	test_addr();
	test_prefix();
	test_u32_ifname();
	test_rtnames();
	test_emit();
	test_name();
	return done_testing();
}
