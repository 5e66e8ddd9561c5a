#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Send Neighbor Solicitations, well-formed or deliberately broken, and
report the Neighbor Advertisements that come back, one JSON line per case.

  nsprobe.py IFACE SRC CASE:TARGET [CASE:TARGET...]

IFACE is the modem's link, SRC its address.  Every case uses its own
target, so an answer is matched by target.  Cases are listed in CASES."""
import json
import sys
import time

from scapy.all import (AsyncSniffer, Ether, IPv6, ICMPv6ND_NS, ICMPv6ND_NA,
                       ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop, IPv6ExtHdrFragment,
                       Raw, get_if_hwaddr, in6_getnsma, in6_getnsmac, inet_pton,
                       inet_ntop, sendp, conf)
import socket

conf.verb = 0


def snm(target):
    return inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, target)))


def build(case, src, target, mymac, dmac):
    """The frame for one case; unicast cases go to dmac."""
    mdst = snm(target)
    l2 = Ether(src=mymac, dst=in6_getnsmac(inet_pton(socket.AF_INET6, mdst)))
    slla = ICMPv6NDOptSrcLLAddr(lladdr=mymac)
    ns = ICMPv6ND_NS(tgt=target)
    ip = IPv6(src=src, dst=mdst, hlim=255)
    if case == "valid":
        return l2 / ip / ns / slla
    if case == "unicast":
        return Ether(src=mymac, dst=dmac) / IPv6(src=src, dst=target, hlim=255) / ns / slla
    if case == "dad":
        return l2 / IPv6(src="::", dst=mdst, hlim=255) / ns
    if case == "exthdr":  # a destination-options header first: walked, then answered
        return l2 / ip / IPv6ExtHdrDestOpt() / ns / slla
    if case == "hop_limit":
        return l2 / IPv6(src=src, dst=mdst, hlim=1) / ns / slla
    if case == "checksum":
        return l2 / ip / ICMPv6ND_NS(tgt=target, cksum=0x1234) / slla
    if case == "code":
        return l2 / ip / ICMPv6ND_NS(tgt=target, code=5) / slla
    if case == "short_icmp":  # 20 bytes: type, code, checksum, reserved, 12 of the target
        from scapy.layers.inet6 import in6_chksum
        hdr = IPv6(src=src, dst=mdst, hlim=255, nh=58)
        body = bytearray(bytes(hdr / ICMPv6ND_NS(tgt=target))[40:60])
        body[2:4] = b"\0\0"
        body[2:4] = in6_chksum(58, hdr, bytes(body)).to_bytes(2, "big")
        return l2 / hdr / Raw(bytes(body))
    if case == "multicast_target":
        return l2 / ip / ICMPv6ND_NS(tgt="ff02::1") / slla
    if case == "bad_option":
        return l2 / ip / ns / ICMPv6NDOptSrcLLAddr(lladdr=mymac, len=0)
    if case == "dad_with_slla":
        return l2 / IPv6(src="::", dst=mdst, hlim=255) / ns / slla
    if case == "dad_not_solicited_node":
        return Ether(src=mymac, dst="33:33:00:00:00:01") / IPv6(src="::", dst="ff02::1", hlim=255) / ns
    if case == "wrong_multicast_dst":
        return Ether(src=mymac, dst="33:33:00:00:00:01") / IPv6(src=src, dst="ff02::1", hlim=255) / ns / slla
    if case == "fragmented":
        return l2 / ip / IPv6ExtHdrFragment(m=0, offset=0, id=7) / ns / slla
    if case == "bad_ext_header":  # hop-by-hop is only allowed first (RFC 8200 4.1)
        return l2 / ip / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / ns / slla
    if case == "truncated":  # payload length claims more than was sent
        p = Ether(bytes(l2 / ip / ns / slla))
        p[IPv6].plen = 64
        return p
    raise SystemExit("nsprobe: unknown case '%s'" % case)


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    iface, src = sys.argv[1], sys.argv[2]
    dmac = None
    args = sys.argv[3:]
    if args[0].startswith("--dmac="):
        dmac = args.pop(0).split("=", 1)[1]
    mymac = get_if_hwaddr(iface)
    for arg in args:
        case, target = arg.split(":", 1)
        sn = AsyncSniffer(iface=iface, filter="icmp6 and ip6[40] == 136", store=True)
        sn.start()
        time.sleep(0.1)
        sendp(build(case, src, target, mymac, dmac), iface=iface)
        time.sleep(0.25)
        sn.stop()
        out = {"case": case, "target": target, "answered": False}
        for p in sn.results or []:
            if ICMPv6ND_NA in p and p[ICMPv6ND_NA].tgt == target:
                na = p[ICMPv6ND_NA]
                out.update(answered=True, src=p[IPv6].src, dst=p[IPv6].dst,
                           hlim=p[IPv6].hlim, R=int(na.R), S=int(na.S), O=int(na.O),
                           ether_src=p[Ether].src, ether_dst=p[Ether].dst,
                           tlla=p[ICMPv6NDOptDstLLAddr].lladdr if ICMPv6NDOptDstLLAddr in p else None)
                break
        print(json.dumps(out), flush=True)


main()
