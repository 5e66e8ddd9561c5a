/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104): pure, no allocation,
 * for the shared-secret proof of the control protocol.  Small on purpose:
 * the tree has no crypto library, and this needs only these two. */
#ifndef TUNBENCH_HMAC_H
#define TUNBENCH_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TB_SHA256_LEN 32
#define TB_SHA256_BLOCK 64

struct tb_sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t buf[TB_SHA256_BLOCK];
	size_t fill;
};

void tb_sha256_init(struct tb_sha256 *c);
void tb_sha256_update(struct tb_sha256 *c, const void *data, size_t len);
void tb_sha256_final(struct tb_sha256 *c, uint8_t out[TB_SHA256_LEN]);

void tb_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
		    uint8_t out[TB_SHA256_LEN]);
/* Compare without a timing side channel (the time does not depend on
 * where the first difference is). */
bool tb_equal_ct(const uint8_t *a, const uint8_t *b, size_t n);

#endif
