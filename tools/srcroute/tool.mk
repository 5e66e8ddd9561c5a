# SPDX-License-Identifier: GPL-2.0-or-later
# The config parser is pure, so unit tests and the fuzzer link it alone.
UNIT_LINK_srcroute_conf = $(B)/tools/srcroute/conf.o
$(B)/unit/srcroute_conf: $(B)/tools/srcroute/conf.o
UNIT_LINK_srcroute_owners = $(B)/tools/srcroute/owners.o $(B)/tools/srcroute/conf.o
$(B)/unit/srcroute_owners: $(B)/tools/srcroute/owners.o $(B)/tools/srcroute/conf.o
# A re-apply from cron must cost next to nothing, and resolving libnl's
# symbols and running its constructors at every start was a quarter of it:
# link libnl statically (LGPL-2.1, like the rest of the system's libnl).
LDLIBS_srcroute = -Wl,--as-needed -Wl,-Bstatic -lnl-route-3 -lnl-3 -Wl,-Bdynamic
# The planner is pure: its tests feed it kernel states as arrays.
UNIT_LINK_srcroute_plan = $(B)/tools/srcroute/plan.o $(B)/tools/srcroute/print.o \
	$(B)/tools/srcroute/conf.o
$(B)/unit/srcroute_plan: $(B)/tools/srcroute/plan.o $(B)/tools/srcroute/print.o \
	$(B)/tools/srcroute/conf.o
