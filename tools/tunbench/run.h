/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One test over connected streams, shared by client and server. */
#ifndef TUNBENCH_RUN_H
#define TUNBENCH_RUN_H

#include "tunbench.h"

struct tb_run {
	int ctl;
	bool udp, wrote, bidir;
	uint32_t n, interval_ms; /* n: every stream, both directions */
	uint64_t duration_ns, omit_ns, session;
	struct tb_stream *streams; /* each knows whether this end sends it */
	struct v6_emit *e;
	const char *role;
	const char *write_target; /* for the final block */
	bool final_block;          /* the client's one-paste summary */
	atomic_bool stop;
	struct tb_msg msg; /* scratch: large, so kept off the stack */
	struct tb_stats sent[TB_STREAMS_MAX], received[TB_STREAMS_MAX];
	struct tb_cpu cpu_local, cpu_remote;
	bool have_remote_cpu;
	char err[700];
};

/* 0, or -errno with r->err set; every stream is joined on return. */
int tb_run_test(struct tb_run *r);

#endif
