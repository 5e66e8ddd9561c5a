# SPDX-License-Identifier: GPL-2.0-or-later
# The config parser, state helpers and packet functions are pure, so unit
# tests and fuzzers link them alone.
UNIT_LINK_tun6in4_conf = $(B)/tools/tun6in4/conf.o $(B)/tools/tun6in4/state.o
$(B)/unit/tun6in4_conf: $(B)/tools/tun6in4/conf.o $(B)/tools/tun6in4/state.o
UNIT_LINK_tun6in4_pkt = $(B)/tools/tun6in4/pkt.o
$(B)/unit/tun6in4_pkt: $(B)/tools/tun6in4/pkt.o
UNIT_LINK_tun6in4_dp = $(B)/tools/tun6in4/pkt.o $(B)/tools/tun6in4/dp.o
$(B)/unit/tun6in4_dp: $(B)/tools/tun6in4/pkt.o $(B)/tools/tun6in4/dp.o
UNIT_LINK_tun6in4_idle = $(B)/tools/tun6in4/idle.o $(B)/tools/tun6in4/pkt.o $(B)/tools/tun6in4/conf.o $(B)/tools/tun6in4/state.o $(B)/libv6cli.a
$(B)/unit/tun6in4_idle: $(B)/tools/tun6in4/idle.o $(B)/tools/tun6in4/pkt.o $(B)/tools/tun6in4/conf.o $(B)/tools/tun6in4/state.o $(B)/libv6cli.a
UNIT_LINK_tun6in4_inplace = $(B)/tools/tun6in4/inplace.o $(B)/tools/tun6in4/conf.o \
	$(B)/tools/tun6in4/state.o
$(B)/unit/tun6in4_inplace: $(B)/tools/tun6in4/inplace.o $(B)/tools/tun6in4/conf.o \
	$(B)/tools/tun6in4/state.o
# The benchmark's kernel floor: the data plane's socket calls without it.
EXTRA_BINS += $(B)/tun6in4-floor
$(B)/tun6in4-floor: bench/tun6in4-floor.c
	@mkdir -p $(dir $@)
	$(msg) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<
