/* One test over connected streams, shared by client and server. */
#ifndef TUNBENCH_RUN_H
#define TUNBENCH_RUN_H

#include "tunbench.h"

struct tb_run {
	int ctl;
	bool we_send, udp, wrote;
	uint32_t n, interval_ms;
	uint64_t duration_ns, session;
	struct tb_stream *streams;
	struct v6_emit *e;
	const char *role;
	atomic_bool stop;
	struct tb_msg msg; /* scratch: large, so kept off the stack */
	struct tb_stats sent[TB_STREAMS_MAX], received[TB_STREAMS_MAX];
	char err[300];
};

/* 0, or -errno with r->err set; every stream is joined on return. */
int tb_run_test(struct tb_run *r);

#endif
