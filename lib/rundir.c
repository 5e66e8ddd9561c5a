/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6sys.h"

#include <stdlib.h>

const char *v6_rundir(void)
{
	const char *run = getenv("V6KIT_RUNDIR");

	return run && *run ? run : V6_RUNDIR_DEFAULT;
}
