/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The upstream socket's classic BPF program, built here rather than
 * written as a table of hand-counted jumps (one wrong offset once let
 * every IPv6 packet through to user space).
 *
 * It follows the same path as ndp_parse_ns(): the IPv6 header, up to
 * eight extension headers, then the ICMPv6 type; what it accepts is
 * always something the parser counts (a well-formed NS or a broken one),
 * never NDP_PKT_NOT_NS, and it never drops a well-formed NS.  Pure: the
 * unit test runs it on an AF_UNIX socketpair and the fuzzer through a
 * small interpreter. */
#include "ndproxy.h"

#include <netinet/icmp6.h>
#include <netinet/in.h>

enum {
	L_ACCEPT,
	L_REJECT,
	L_ICMP,
	L_FRAG,
	L_EXT, /* L_EXT + i: extension header i */
	L_N = L_EXT + NDP_FILTER_EXTHDRS,
};

struct bpf_asm {
	struct sock_filter *p;
	size_t n;
	size_t label[L_N];
	struct {
		size_t at;
		int jt, jf;
	} fix[NDP_FILTER_MAX];
	size_t nfix;
	bool bad;
};

static void op(struct bpf_asm *a, uint16_t code, uint32_t k)
{
	if (a->n >= NDP_FILTER_MAX) {
		a->bad = true;
		return;
	}
	a->p[a->n++] = (struct sock_filter)BPF_STMT(code, k);
}

/* A conditional jump to labels jt/jf (-1: the next instruction). */
static void jmp(struct bpf_asm *a, uint16_t code, uint32_t k, int jt, int jf)
{
	if (a->n >= NDP_FILTER_MAX) {
		a->bad = true;
		return;
	}
	a->fix[a->nfix].at = a->n;
	a->fix[a->nfix].jt = jt;
	a->fix[a->nfix++].jf = jf;
	a->p[a->n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | code, k, 0, 0);
}

static bool resolve_one(struct bpf_asm *a, size_t at, int l, uint8_t *out)
{
	size_t d;

	if (l < 0)
		return (*out = 0), true;
	/* Classic BPF jumps only forward, by at most 255. */
	if (a->label[l] <= at || (d = a->label[l] - at - 1) > 255)
		return false;
	*out = (uint8_t)d;
	return true;
}

size_t ndp_filter_build(struct sock_filter *prog, unsigned base)
{
	struct bpf_asm a = { .p = prog };
	const uint32_t fixed = base + 40;

	/* M[0] = end of the payload (header + payload length), as the
	 * parser's bound; X = offset of the header being looked at; A = its
	 * type.  A load beyond the packet makes the kernel reject. */
	op(&a, BPF_LD | BPF_W | BPF_LEN, 0);
	jmp(&a, BPF_JGE | BPF_K, fixed, -1, L_REJECT);
	op(&a, BPF_LD | BPF_B | BPF_ABS, base);
	op(&a, BPF_ALU | BPF_AND | BPF_K, 0xf0);
	jmp(&a, BPF_JEQ | BPF_K, 0x60, -1, L_REJECT);
	op(&a, BPF_LD | BPF_H | BPF_ABS, base + 4);
	op(&a, BPF_ALU | BPF_ADD | BPF_K, fixed);
	op(&a, BPF_ST, 0);
	op(&a, BPF_LDX | BPF_W | BPF_IMM, fixed);
	op(&a, BPF_LD | BPF_B | BPF_ABS, base + 6);
	for (int i = 0; i <= NDP_FILTER_EXTHDRS; i++) {
		jmp(&a, BPF_JEQ | BPF_K, IPPROTO_ICMPV6, L_ICMP, -1);
		if (i == NDP_FILTER_EXTHDRS) {
			/* The parser gives up after as many (bad_ext_header). */
			op(&a, BPF_RET | BPF_K, 0);
			break;
		}
		/* Hop-by-hop anywhere: misplaced ones are the parser's to count. */
		jmp(&a, BPF_JEQ | BPF_K, IPPROTO_HOPOPTS, L_EXT + i, -1);
		jmp(&a, BPF_JEQ | BPF_K, IPPROTO_DSTOPTS, L_EXT + i, -1);
		jmp(&a, BPF_JEQ | BPF_K, IPPROTO_ROUTING, L_EXT + i, -1);
		jmp(&a, BPF_JEQ | BPF_K, IPPROTO_FRAGMENT, L_FRAG, L_REJECT);
		a.label[L_EXT + i] = a.n;
		/* RFC 8200 4.3-4.6: length in 8-octet units, not counting the first. */
		op(&a, BPF_LD | BPF_B | BPF_IND, 1);
		op(&a, BPF_ALU | BPF_ADD | BPF_K, 1);
		op(&a, BPF_ALU | BPF_LSH | BPF_K, 3);
		op(&a, BPF_ST, 1);
		op(&a, BPF_LD | BPF_B | BPF_IND, 0);
		op(&a, BPF_ST, 2);
		op(&a, BPF_LD | BPF_MEM, 1);
		op(&a, BPF_ALU | BPF_ADD | BPF_X, 0);
		op(&a, BPF_MISC | BPF_TAX, 0);
		op(&a, BPF_LD | BPF_MEM, 2);
	}
	/* ICMPv6 at X: its type byte inside the payload, and an NS. */
	a.label[L_ICMP] = a.n;
	op(&a, BPF_LD | BPF_MEM, 0);
	jmp(&a, BPF_JGT | BPF_X, 0, -1, L_REJECT);
	op(&a, BPF_LD | BPF_B | BPF_IND, 0);
	jmp(&a, BPF_JEQ | BPF_K, ND_NEIGHBOR_SOLICIT, L_ACCEPT, L_REJECT);
	/* A fragment header at X: only a first fragment carrying an NS type
	 * is let in, to be counted (RFC 6980 forbids fragmented NDP). */
	a.label[L_FRAG] = a.n;
	op(&a, BPF_LD | BPF_MEM, 0);
	op(&a, BPF_ALU | BPF_SUB | BPF_K, 8);
	jmp(&a, BPF_JGT | BPF_X, 0, -1, L_REJECT);
	op(&a, BPF_LD | BPF_H | BPF_IND, 2);
	op(&a, BPF_ALU | BPF_AND | BPF_K, 0xfff8);
	jmp(&a, BPF_JEQ | BPF_K, 0, -1, L_REJECT);
	op(&a, BPF_LD | BPF_B | BPF_IND, 0);
	jmp(&a, BPF_JEQ | BPF_K, IPPROTO_ICMPV6, -1, L_REJECT);
	op(&a, BPF_LD | BPF_B | BPF_IND, 8);
	jmp(&a, BPF_JEQ | BPF_K, ND_NEIGHBOR_SOLICIT, L_ACCEPT, L_REJECT);
	a.label[L_ACCEPT] = a.n;
	op(&a, BPF_RET | BPF_K, 0xffffffffu);
	a.label[L_REJECT] = a.n;
	op(&a, BPF_RET | BPF_K, 0);

	for (size_t i = 0; i < a.nfix && !a.bad; i++) {
		struct sock_filter *f = &prog[a.fix[i].at];
		if (!resolve_one(&a, a.fix[i].at, a.fix[i].jt, &f->jt) ||
		    !resolve_one(&a, a.fix[i].at, a.fix[i].jf, &f->jf))
			a.bad = true;
	}
	return a.bad ? 0 : a.n;
}
