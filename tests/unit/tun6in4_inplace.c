/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for what `change` and `reload` may alter on a running tunnel,
 * and the moved-local record that outlives it. */
#include "unit.h"
#include "../../tools/tun6in4/tun6in4.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static void conf(struct t64_conf *c, const char *text)
{
	struct v6_err err;

	t64_conf_defaults(c);
	if (t64_conf_parse(c, text, strlen(text), "t.conf", &err) < 0)
		fprintf(stderr, "# %s\n", err.msg);
	snprintf(c->name, sizeof(c->name), "t6");
}

int main(void)
{
	struct t64_conf cur, next;
	char names[128];
	const char *base = "remote 192.0.2.2\nlocal 192.0.2.1\naddress 2001:db8::1/64\n"
			   "address 2001:db8:1::1/64\n";
	char text[512];

	conf(&cur, base);
	conf(&next, "remote 192.0.2.2\nlocal 192.0.2.1\naddress 2001:db8:1::1/64\n"
		    "address 2001:db8::1/64\n");
	ok(t64_conf_diff(&cur, T64_MODE_USER, &next) == 0, "address order does not matter");
	next.mode = T64_MODE_USER;
	ok(t64_conf_diff(&cur, T64_MODE_USER, &next) == 0, "mode user on a user tunnel: same");
	ok(t64_conf_diff(&cur, T64_MODE_KERNEL, &next) == T64_KEY_MODE, "mode user on kernel");

	snprintf(text, sizeof(text), "%smtu 1400\nttl 64\nlocal 192.0.2.11\ngateway 2001:db8::2\n",
		 base);
	conf(&next, text);
	unsigned d = t64_conf_diff(&cur, T64_MODE_USER, &next);
	ok(d == (T64_KEY_MTU | T64_KEY_TTL | T64_KEY_LOCAL | T64_KEY_GATEWAY),
	   "mtu, ttl, local and gateway differ: %#x", d);
	ok(t64_restart_keys(d, T64_MODE_USER, &cur, &next) == (T64_KEY_MTU | T64_KEY_TTL),
	   "user mode: mtu and ttl need a restart");
	ok(t64_restart_keys(d, T64_MODE_KERNEL, &cur, &next) == 0, "kernel mode: none does");
	t64_key_names(t64_restart_keys(d, T64_MODE_USER, &cur, &next), names, sizeof(names));
	is_str(names, "ttl, mtu", "keys named in a fixed order");

	snprintf(text, sizeof(text), "%stable 100\ngateway 2001:db8::2\n", base);
	conf(&next, text);
	d = t64_conf_diff(&cur, T64_MODE_KERNEL, &next);
	t64_key_names(t64_restart_keys(d, T64_MODE_KERNEL, &cur, &next), names, sizeof(names));
	is_str(names, "gateway, table", "a table's routes are shared with srcroute: restart");
	conf(&next, "remote 192.0.2.2\nlocal 192.0.2.1\naddress 2001:db8::1/64\n");
	ok(t64_conf_diff(&cur, T64_MODE_KERNEL, &next) == T64_KEY_ADDRESS, "one address fewer");
	conf(&next, "remote 192.0.2.2\nlocal 192.0.2.1\naddress 2001:db8::1/64\n"
		    "address 2001:db8:1::1/48\n");
	ok(t64_conf_diff(&cur, T64_MODE_KERNEL, &next) == T64_KEY_ADDRESS, "a prefix length");

	/* The moved-local record: applied while the file's local is what it
	 * was, dropped once the file says something else. */
	char dir[] = "/tmp/t64-unit.XXXXXX", path[256];
	struct in_addr file_local, moved;
	struct v6_err err;
	ok(mkdtemp(dir) != NULL, "temporary state dir");
	setenv("V6KIT_STATEDIR", dir, 1);
	conf(&next, base);
	ok(t64_override_apply(&next) == 0, "no record: nothing applied");
	inet_pton(AF_INET, "192.0.2.1", &file_local);
	inet_pton(AF_INET, "192.0.2.11", &moved);
	ok(t64_override_save("t6", file_local, moved, &err) == 0, "record saved");
	ok(t64_override_apply(&next) == 1 && next.local.s_addr == moved.s_addr,
	   "applied while the file's local is unchanged");
	conf(&next, "remote 192.0.2.2\nlocal 192.0.2.12\n");
	ok(t64_override_apply(&next) == 0 && next.local.s_addr != moved.s_addr,
	   "the file's edited local wins");
	snprintf(path, sizeof(path), "%s/tun6in4/t6.local", dir);
	ok(access(path, F_OK) < 0 && errno == ENOENT, "... and the record is gone");
	ok(t64_override_save("t6", moved, moved, &err) == 0 && access(path, F_OK) < 0,
	   "moving back to the file's local keeps no record");
	snprintf(path, sizeof(path), "%s/tun6in4", dir);
	rmdir(path);
	rmdir(dir);
	return done_testing();
}
