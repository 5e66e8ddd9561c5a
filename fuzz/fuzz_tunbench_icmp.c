/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: tunbench's ICMP/ICMPv6 classifier on arbitrary bytes,
 * as every kind of probe socket would see them. */
#include "../tools/tunbench/icmpmsg.c"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first byte picks the socket: family, raw or ping socket, and
	 * whether a sequence number is waited for. */
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	struct tb_icmp_expect x = { .family = sel & 1 ? AF_INET6 : AF_INET, .ip_header = sel & 2,
				    .check_id = sel & 2, .ident = 0x1234,
				    .seq = sel & 4 ? -1 : 7 };
	struct tb_icmp_info info = { 0 };
	/* A copy of exactly size - 1 bytes, so ASan sees any overread. */
	uint8_t *p = malloc(size - 1 ? size - 1 : 1);
	if (!p)
		return 0;
	memcpy(p, data + 1, size - 1);
	enum tb_icmp_kind k = tb_icmp_classify(p, size - 1, &x, &info);
	if (k > TB_ICMP_TIME_EXCEEDED || !tb_icmp_kind_name(k))
		__builtin_trap();
	/* What is about a probe names the one waited for. */
	if (k != TB_ICMP_NOT_OURS && x.seq >= 0 && info.seq != x.seq)
		__builtin_trap();
	free(p);
	return 0;
}
