# The config parser is pure, so unit tests and the fuzzer link it alone.
UNIT_LINK_srcroute_conf = $(B)/tools/srcroute/conf.o
$(B)/unit/srcroute_conf: $(B)/tools/srcroute/conf.o
UNIT_LINK_srcroute_owners = $(B)/tools/srcroute/owners.o $(B)/tools/srcroute/conf.o
$(B)/unit/srcroute_owners: $(B)/tools/srcroute/owners.o $(B)/tools/srcroute/conf.o
