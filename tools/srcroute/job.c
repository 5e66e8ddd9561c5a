/* One srcroute transaction: lock, read, plan, execute. */
#include "srcroute.h"

#include <errno.h>
#include <unistd.h>

static int plan_once(struct v6_nl *nl, const struct sr_job *job, struct sr_state *st,
		     struct sr_plan *plan, struct v6_err *err)
{
	int rc;

	memset(plan, 0, sizeof(*plan));
	if ((rc = sr_state_read(nl, job->family, st, err)) < 0)
		return rc;
	if (!job->remove)
		return sr_plan_build(nl, job->conf, st, job->scope, job->family, job->flags, plan,
				     err);
	if ((rc = v6_rtnames_load(&plan->names, v6_iproute2_dir(), err)) < 0)
		return rc;
	return sr_plan_remove(st, job->from, job->scope, plan, err);
}

int sr_run_job(struct v6_nl *nl, const struct sr_job *job, struct sr_plan *plan,
	       struct v6_err *err)
{
	struct sr_state st = { 0 };
	int lock = -1, rc;

	/* Planning reads what other runs change: one run at a time, from the
	 * first read to the last write (table ids, names, owners). */
	if (!job->dry_run && (lock = sr_lock(err)) < 0)
		return lock;
	rc = plan_once(nl, job, &st, plan, err);
	if (rc == 0 && !job->dry_run) {
		rc = sr_plan_exec(nl, job->conf, plan, &st,
				  job->scope ? job->scope : SR_OWNER_FILE, err);
		/* tun6in4 does not take our lock: a default route it added
		 * between our read and our write is seen on a second look,
		 * where it either serves the entry or names the conflict. */
		if (rc == -EEXIST) {
			struct v6_err first = *err;
			sr_state_free(&st);
			sr_plan_free(plan);
			rc = plan_once(nl, job, &st, plan, err);
			if (rc == 0)
				rc = sr_plan_exec(nl, job->conf, plan, &st,
						  job->scope ? job->scope : SR_OWNER_FILE, err);
			if (rc == -EEXIST)
				*err = first;
		}
	}
	sr_state_free(&st);
	if (lock >= 0)
		close(lock);
	return rc;
}
