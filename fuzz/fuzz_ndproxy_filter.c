/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: ndproxy's upstream socket filter as a classifier
 * over arbitrary packets, run by a small classic-BPF interpreter (the
 * kernel's semantics: a load outside the packet rejects it) and compared
 * with the pure NS parser.  Whatever the filter lets in must be something
 * the parser counts (never NDP_PKT_NOT_NS, the flood the filter exists
 * to stop), and every NS the parser accepts must get in.
 *
 * -DNDP_FUZZ_OLD_FILTER checks the hand-written table the daemon once
 * used instead; the harness finds its accept-everything jump at once. */
#include "../tools/ndproxy/filter.c"
#include "../tools/ndproxy/nd.c"

#include <stdlib.h>

#ifdef NDP_FUZZ_OLD_FILTER
static const struct sock_filter old_filter[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 5, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_HOPOPTS, 3, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_DSTOPTS, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ROUTING, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_FRAGMENT, 0, 3),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 40),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ND_NEIGHBOR_SOLICIT, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};
#endif

static int load(const uint8_t *pkt, size_t len, uint32_t off, unsigned size, uint32_t *out)
{
	if (off > len || size > len - off)
		return -1;
	*out = size == 1 ? pkt[off] : size == 2 ? (uint32_t)pkt[off] << 8 | pkt[off + 1]
			: (uint32_t)pkt[off] << 24 | (uint32_t)pkt[off + 1] << 16 |
				  (uint32_t)pkt[off + 2] << 8 | pkt[off + 3];
	return 0;
}

/* Classic BPF as the kernel runs it; traps on anything the filter
 * builder must never emit (backward jumps, falling off the end). */
static uint32_t bpf_run(const struct sock_filter *prog, size_t n, const uint8_t *pkt, size_t len)
{
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = { 0 }, v;

	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *f = &prog[pc];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? X : f->k;
		unsigned size = BPF_SIZE(f->code) == BPF_B ? 1 : BPF_SIZE(f->code) == BPF_H ? 2 : 4;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			switch (BPF_MODE(f->code)) {
			case BPF_ABS:
				if (load(pkt, len, f->k, size, &v) < 0)
					return 0;
				A = v;
				break;
			case BPF_IND:
				if (load(pkt, len, X + f->k, size, &v) < 0)
					return 0;
				A = v;
				break;
			case BPF_LEN: A = (uint32_t)len; break;
			case BPF_IMM: A = f->k; break;
			case BPF_MEM: A = M[f->k % BPF_MEMWORDS]; break;
			default: __builtin_trap();
			}
			break;
		case BPF_LDX:
			switch (BPF_MODE(f->code)) {
			case BPF_IMM: X = f->k; break;
			case BPF_LEN: X = (uint32_t)len; break;
			case BPF_MEM: X = M[f->k % BPF_MEMWORDS]; break;
			case BPF_MSH:
				if (load(pkt, len, f->k, 1, &v) < 0)
					return 0;
				X = (v & 0xf) << 2;
				break;
			default: __builtin_trap();
			}
			break;
		case BPF_ST: M[f->k % BPF_MEMWORDS] = A; break;
		case BPF_STX: M[f->k % BPF_MEMWORDS] = X; break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: A += src; break;
			case BPF_SUB: A -= src; break;
			case BPF_MUL: A *= src; break;
			case BPF_DIV: if (!src) return 0; A /= src; break;
			case BPF_AND: A &= src; break;
			case BPF_OR: A |= src; break;
			case BPF_LSH: A = src < 32 ? A << src : 0; break;
			case BPF_RSH: A = src < 32 ? A >> src : 0; break;
			case BPF_NEG: A = -A; break;
			default: __builtin_trap();
			}
			break;
		case BPF_JMP: {
			bool c;
			switch (BPF_OP(f->code)) {
			case BPF_JA: pc += f->k; continue;
			case BPF_JEQ: c = A == src; break;
			case BPF_JGT: c = A > src; break;
			case BPF_JGE: c = A >= src; break;
			case BPF_JSET: c = A & src; break;
			default: __builtin_trap();
			}
			pc += c ? f->jt : f->jf;
			break;
		}
		case BPF_RET: return BPF_RVAL(f->code) == BPF_A ? A : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				X = A;
			else
				A = X;
			break;
		}
	}
	__builtin_trap(); /* fell off the end: the kernel's checker refuses such a program */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sock_filter prog[NDP_FILTER_MAX];
	static size_t n;
	static uint8_t eth[14 + 4096];
	struct ndp_ns ns;

#ifdef NDP_FUZZ_OLD_FILTER
	if (!n) {
		memcpy(prog, old_filter, sizeof(old_filter));
		n = sizeof(old_filter) / sizeof(old_filter[0]);
	}
#else
	if (!n && !(n = ndp_filter_build(prog, 0)))
		__builtin_trap();
#endif
	enum ndp_verdict v = ndp_parse_ns(data, size, &ns);
	bool in = bpf_run(prog, n, data, size) != 0;

	if (in && v == NDP_PKT_NOT_NS)
		abort(); /* a non-NS reaches user space */
	if (!in && v == NDP_PKT_OK)
		abort(); /* a valid NS is lost */
#ifndef NDP_FUZZ_OLD_FILTER
	/* The same program behind an Ethernet header classifies the same. */
	if (size <= sizeof(eth) - 14) {
		static struct sock_filter eprog[NDP_FILTER_MAX];
		static size_t en;
		if (!en && !(en = ndp_filter_build(eprog, 14)))
			__builtin_trap();
		memcpy(eth + 14, data, size);
		if ((bpf_run(eprog, en, eth, size + 14) != 0) != in)
			abort();
	}
#endif
	return 0;
}
