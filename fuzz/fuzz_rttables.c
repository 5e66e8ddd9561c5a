/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: lib's parser of iproute2's rt_tables files, which
 * any local administrator (or package) writes. */
#include "../lib/v6util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct v6_rtnames t = { 0 };
	struct v6_err err;

	if (v6_rtnames_parse(&t, (const char *)data, size, "fuzz", &err) == 0) {
		for (size_t i = 0; i < t.n; i++) {
			const char *name = t.v[i].name;
			size_t len = strnlen(name, sizeof(t.v[i].name));
			/* One word: what a later "ID NAME" line lookup can find. */
			if (!len || len >= sizeof(t.v[i].name) || strpbrk(name, " \t\r\n#"))
				__builtin_trap();
			/* An id has one name: a later line renames it. */
			const char *back = v6_rtnames_name(&t, t.v[i].id);
			if (!back || strcmp(back, name))
				__builtin_trap();
			uint32_t id;
			if (v6_rtnames_id(&t, name, &id) < 0 || strcmp(v6_rtnames_name(&t, id), name))
				__builtin_trap();
		}
	} else if (!strstr(err.msg, "fuzz:")) {
		__builtin_trap(); /* every refusal names the file and line */
	}
	v6_rtnames_free(&t);
	return 0;
}
