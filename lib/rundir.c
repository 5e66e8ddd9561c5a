/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6sys.h"

#include <stdlib.h>

/* An empty variable counts as unset, as in the shell's ${VAR:-default}
 * that the scripts use for the same variables. */
static const char *env_dir(const char *var, const char *dflt)
{
	const char *dir = getenv(var);

	return dir && *dir ? dir : dflt;
}

const char *v6_rundir(void)
{
	return env_dir("V6KIT_RUNDIR", V6_RUNDIR_DEFAULT);
}

const char *v6_statedir(void)
{
	return env_dir("V6KIT_STATEDIR", V6_STATEDIR_DEFAULT);
}
