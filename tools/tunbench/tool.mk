# SPDX-License-Identifier: GPL-2.0-or-later
# The control protocol is pure, so unit tests and the fuzzer link it alone
# (with the HMAC it proves a shared secret with).
UNIT_LINK_tunbench_proto = $(B)/tools/tunbench/proto.o $(B)/tools/tunbench/hmac.o
$(B)/unit/tunbench_proto: $(B)/tools/tunbench/proto.o $(B)/tools/tunbench/hmac.o
# So is the ICMP classifier the probes of ping and mtu rely on.
UNIT_LINK_tunbench_icmp = $(B)/tools/tunbench/icmpmsg.o
$(B)/unit/tunbench_icmp: $(B)/tools/tunbench/icmpmsg.o
