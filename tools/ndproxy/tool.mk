# SPDX-License-Identifier: GPL-2.0-or-later
# ndproxy: the pure parts (config, packets, cache, the answer decision) link into the unit tests
# alone; the load generator for the benchmark is a helper program.
NDP_PURE = $(B)/tools/ndproxy/conf.o $(B)/tools/ndproxy/nd.o $(B)/tools/ndproxy/cache.o \
	$(B)/tools/ndproxy/filter.o $(B)/tools/ndproxy/answer.o $(B)/tools/ndproxy/kernel.o
UNIT_LINK_ndproxy_conf = $(NDP_PURE)
UNIT_LINK_ndproxy_nd = $(NDP_PURE)
UNIT_LINK_ndproxy_cache = $(NDP_PURE)
UNIT_LINK_ndproxy_filter = $(NDP_PURE)
UNIT_LINK_ndproxy_answer = $(NDP_PURE)
$(B)/unit/ndproxy_conf $(B)/unit/ndproxy_nd $(B)/unit/ndproxy_cache $(B)/unit/ndproxy_filter \
$(B)/unit/ndproxy_answer: $(NDP_PURE)
# links.c against events written to a socket pair (no kernel, no root).
NDP_LINKS = $(B)/tools/ndproxy/links.o $(B)/tools/ndproxy/kernel.o $(B)/libv6cli.a
UNIT_LINK_ndproxy_links = $(NDP_LINKS)
$(B)/unit/ndproxy_links: $(NDP_LINKS)
EXTRA_BINS += $(B)/ndproxy-load
$(B)/ndproxy-load: bench/ndproxy-load.c $(B)/libv6kit.a
	@mkdir -p $(dir $@)
	$(msg) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -Itools/ndproxy -o $@ $< $(NDP_PURE) $(B)/libv6kit.a $(LDLIBS)
$(B)/ndproxy-load: $(NDP_PURE)
