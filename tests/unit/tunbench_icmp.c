/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench's ICMP classifier: replies, Packet Too Big, unreachables and
 * time exceeded for both families, and what must be ignored. */
#include "../../tools/tunbench/icmpmsg.h"
#include "unit.h"

#include <netinet/in.h>
#include <sys/socket.h>

static uint8_t pkt[2048];

static const struct tb_icmp_expect raw6 = { .family = AF_INET6, .check_id = true, .ident = 0x1234,
					    .seq = 7 };
static const struct tb_icmp_expect raw4 = { .family = AF_INET, .ip_header = true, .check_id = true,
					    .ident = 0x1234, .seq = 7 };

/* An IPv4 header of ihl words, protocol ICMP, at p. */
static size_t ip4(uint8_t *p, unsigned ihl)
{
	memset(p, 0, ihl * 4);
	p[0] = (uint8_t)(0x40 | ihl);
	p[8] = 64;
	p[9] = IPPROTO_ICMP;
	return ihl * 4;
}

static size_t ip6(uint8_t *p)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[6] = IPPROTO_ICMPV6;
	p[7] = 64;
	return 40;
}

/* An ICMP error of type/code with word (bytes 4-7) quoting our request
 * seq (with id) of the given family; returns its length. */
static size_t error_msg(uint8_t *p, int family, uint8_t type, uint8_t code, uint32_t word,
			uint16_t id, uint16_t seq)
{
	p[0] = type;
	p[1] = code;
	p[2] = p[3] = 0;
	p[4] = (uint8_t)(word >> 24);
	p[5] = (uint8_t)(word >> 16);
	p[6] = (uint8_t)(word >> 8);
	p[7] = (uint8_t)word;
	size_t n = 8 + (family == AF_INET6 ? ip6(p + 8) : ip4(p + 8, 5));
	tb_icmp_echo_encode(p + n, 64, family, id, seq, 1);
	return n + 64;
}

static void replies(void)
{
	struct tb_icmp_info info = { 0 };
	uint8_t *m = pkt;

	tb_icmp_echo_encode(m, 56, AF_INET6, 0x1234, 7, 123456789);
	m[0] = 129; /* echo reply */
	ok(tb_icmp_classify(m, 56, &raw6, &info) == TB_ICMP_ECHO_REPLY && info.seq == 7 &&
	   info.send_ns == 123456789, "IPv6 echo reply to the probe waited for");
	struct tb_icmp_expect any = raw6;
	any.seq = -1;
	m[7] = 9;
	ok(tb_icmp_classify(m, 56, &any, &info) == TB_ICMP_ECHO_REPLY && info.seq == 9,
	   "any sequence number when none is waited for");
	ok(tb_icmp_classify(m, 56, &raw6, &info) == TB_ICMP_NOT_OURS, "a late reply is not ours");
	m[7] = 7;
	m[5] = 0x35;
	ok(tb_icmp_classify(m, 56, &raw6, &info) == TB_ICMP_NOT_OURS,
	   "another process's identifier on a raw socket");
	struct tb_icmp_expect dgram = raw6;
	dgram.check_id = false;
	ok(tb_icmp_classify(m, 56, &dgram, &info) == TB_ICMP_ECHO_REPLY,
	   "a ping socket's rewritten identifier is accepted");
	m[5] = 0x34;
	m[20] ^= 1;
	ok(tb_icmp_classify(m, 56, &raw6, &info) == TB_ICMP_NOT_OURS, "no magic: not ours");
	m[20] ^= 1;
	ok(tb_icmp_classify(m, 23, &raw6, &info) == TB_ICMP_NOT_OURS, "too short for our payload");
	m[0] = 128;
	ok(tb_icmp_classify(m, 56, &raw6, &info) == TB_ICMP_NOT_OURS,
	   "an echo request (ours, looped back) is not a reply");

	size_t h = ip4(pkt, 5);
	tb_icmp_echo_encode(pkt + h, 56, AF_INET, 0x1234, 7, 42);
	pkt[h] = 0; /* echo reply */
	ok(tb_icmp_classify(pkt, h + 56, &raw4, &info) == TB_ICMP_ECHO_REPLY && info.send_ns == 42,
	   "IPv4 echo reply after the IP header");
	h = ip4(pkt, 6);
	tb_icmp_echo_encode(pkt + h, 56, AF_INET, 0x1234, 7, 42);
	pkt[h] = 0;
	ok(tb_icmp_classify(pkt, h + 56, &raw4, &info) == TB_ICMP_ECHO_REPLY,
	   "IPv4 header with options");
	pkt[0] = 0x44;
	ok(tb_icmp_classify(pkt, h + 56, &raw4, &info) == TB_ICMP_NOT_OURS, "IHL below 5");
	pkt[0] = 0x4f;
	ok(tb_icmp_classify(pkt, 30, &raw4, &info) == TB_ICMP_NOT_OURS, "IHL beyond the packet");
	pkt[0] = 0x66;
	ok(tb_icmp_classify(pkt, h + 56, &raw4, &info) == TB_ICMP_NOT_OURS, "not IPv4");
	struct tb_icmp_expect dgram4 = raw4;
	dgram4.ip_header = dgram4.check_id = false;
	tb_icmp_echo_encode(pkt, 56, AF_INET, 0x9999, 7, 42);
	pkt[0] = 0;
	ok(tb_icmp_classify(pkt, 56, &dgram4, &info) == TB_ICMP_ECHO_REPLY,
	   "IPv4 ping socket: no IP header, any identifier");
}

static void errors(void)
{
	struct tb_icmp_info info = { 0 };
	size_t n;

	n = error_msg(pkt, AF_INET6, 2, 0, 1400, 0x1234, 7);
	ok(tb_icmp_classify(pkt, n, &raw6, &info) == TB_ICMP_TOO_BIG && info.mtu == 1400 &&
	   info.seq == 7, "Packet Too Big names the MTU and the probe");
	n = error_msg(pkt, AF_INET6, 2, 0, 70000, 0x1234, 7);
	ok(tb_icmp_classify(pkt, n, &raw6, &info) == TB_ICMP_TOO_BIG && info.mtu == 70000,
	   "all 32 bits of the MTU field");
	n = error_msg(pkt, AF_INET6, 2, 0, 1400, 0x1234, 8);
	ok(tb_icmp_classify(pkt, n, &raw6, &info) == TB_ICMP_NOT_OURS,
	   "Packet Too Big about another probe");
	n = error_msg(pkt, AF_INET6, 2, 0, 1400, 0x4321, 7);
	ok(tb_icmp_classify(pkt, n, &raw6, &info) == TB_ICMP_NOT_OURS,
	   "Packet Too Big about another process's probe");
	n = error_msg(pkt, AF_INET6, 1, 3, 0, 0x1234, 7);
	ok(tb_icmp_classify(pkt, n, &raw6, &info) == TB_ICMP_UNREACH, "IPv6 destination unreachable");
	n = error_msg(pkt, AF_INET6, 3, 0, 0, 0x1234, 7);
	ok(tb_icmp_classify(pkt, n, &raw6, &info) == TB_ICMP_TIME_EXCEEDED, "IPv6 time exceeded");
	ok(tb_icmp_classify(pkt, 8 + 40 + 7, &raw6, &info) == TB_ICMP_NOT_OURS,
	   "a quote cut inside the echo header");
	pkt[8 + 6] = IPPROTO_UDP;
	ok(tb_icmp_classify(pkt, n, &raw6, &info) == TB_ICMP_NOT_OURS, "a quoted UDP packet");
	n = error_msg(pkt, AF_INET6, 4, 0, 0, 0x1234, 7);
	ok(tb_icmp_classify(pkt, n, &raw6, &info) == TB_ICMP_NOT_OURS, "parameter problem: ignored");

	size_t h = ip4(pkt, 5);
	n = error_msg(pkt + h, AF_INET, 3, 4, 1300, 0x1234, 7);
	ok(tb_icmp_classify(pkt, h + n, &raw4, &info) == TB_ICMP_TOO_BIG && info.mtu == 1300,
	   "IPv4 fragmentation needed: next-hop MTU in the low 16 bits (RFC 1191)");
	n = error_msg(pkt + h, AF_INET, 3, 1, 0, 0x1234, 7);
	ok(tb_icmp_classify(pkt, h + n, &raw4, &info) == TB_ICMP_UNREACH, "IPv4 host unreachable");
	n = error_msg(pkt + h, AF_INET, 11, 0, 0, 0x1234, 7);
	ok(tb_icmp_classify(pkt, h + n, &raw4, &info) == TB_ICMP_TIME_EXCEEDED, "IPv4 time exceeded");
	pkt[h + 8] = 0x43;
	ok(tb_icmp_classify(pkt, h + n, &raw4, &info) == TB_ICMP_NOT_OURS, "quoted IHL below 5");
	ok(tb_icmp_classify(pkt, 3, &raw4, &info) == TB_ICMP_NOT_OURS &&
	   tb_icmp_classify(pkt, 0, &raw6, &info) == TB_ICMP_NOT_OURS, "runts");
	is_str(tb_icmp_kind_name(TB_ICMP_TOO_BIG), "too big", "kind names");
}

int main(void)
{
	replies();
	errors();
	return done_testing();
}
