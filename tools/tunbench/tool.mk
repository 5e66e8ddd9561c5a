# SPDX-License-Identifier: GPL-2.0-or-later
# The control protocol is pure, so unit tests and the fuzzer link it alone
# (with the HMAC it proves a shared secret with).
UNIT_LINK_tunbench_proto = $(B)/tools/tunbench/proto.o $(B)/tools/tunbench/hmac.o
$(B)/unit/tunbench_proto: $(B)/tools/tunbench/proto.o $(B)/tools/tunbench/hmac.o
