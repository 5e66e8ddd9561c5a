/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: what tunbench reads first from a peer it does not
 * trust yet: a server's first bytes on the control connection and the
 * greeting on each TCP data connection. */
#include "../tools/tunbench/hmac.c"
#include "../tools/tunbench/proto.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	enum tb_server_kind k = tb_server_greeting_classify(p, size);
	/* Two bytes always decide, and only "TB" is tunbench. */
	if ((size >= 2 && k == TB_SERVER_MORE) ||
	    (k == TB_SERVER_TUNBENCH && (size < 2 || p[0] != 'T' || p[1] != 'B')))
		__builtin_trap();
	/* Every prefix of a decided greeting is "more" or the same answer. */
	for (size_t i = 0; i < size && i < 2; i++) {
		enum tb_server_kind kp = tb_server_greeting_classify(p, i);
		if (kp != TB_SERVER_MORE && kp != k)
			__builtin_trap();
	}
	if (size >= TB_TCP_GREETING_LEN) {
		uint32_t stream = 0;
		uint64_t cookie = get64(p + 4);
		uint8_t again[TB_TCP_GREETING_LEN];
		if (tb_greeting_decode(p, cookie, 4, &stream) == 0) {
			if (stream >= 4)
				__builtin_trap();
			tb_greeting_encode(again, cookie, stream);
			if (memcmp(again, p, sizeof(again)))
				__builtin_trap();
		}
	}
	free(p);
	return 0;
}
