/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `reload NAME`: re-read a running tunnel's conf file and apply in place
 * what can change in place (`systemctl reload tun6in4@NAME`).  A key that
 * needs a restart refuses the whole reload, naming the key, and leaves the
 * tunnel as it was: a restart is the administrator's call, since brokers
 * count them. */
#include "tun6in4.h"

int t64_cmd_reload(struct v6_cli *cli, int argc, char **argv)
{
	struct v6_nl nl;
	struct v6_err err;
	struct t64_state st;
	struct t64_conf next;
	char path[4096];
	const char *name;
	int rc;

	if ((rc = t64_args_name(cli, argc, argv, false, &name)) != 0)
		return rc;
	if ((rc = t64_running_open(cli, name, &nl, &st)) != 0)
		return rc;
	/* The file `up -f FILE` or `up NAME` read; a tunnel from older
	 * state falls back to the tunnels directory. */
	if (t64_source_get(name, path, sizeof(path)) < 0)
		t64_conf_path(name, path, sizeof(path));
	rc = V6_EXIT_USAGE;
	if (t64_conf_load_named(&next, path, name, &err) < 0 ||
	    t64_conf_check(&next, &err) < 0) {
		v6_cli_error("%s", err.msg);
		goto out;
	}
	t64_override_apply(&next);
	rc = t64_change_to(&nl, name, &st, &next);
out:
	v6_nl_close(&nl);
	return rc;
}
