# The control protocol is pure, so unit tests and the fuzzer link it alone.
UNIT_LINK_tunbench_proto = $(B)/tools/tunbench/proto.o
$(B)/unit/tunbench_proto: $(B)/tools/tunbench/proto.o
