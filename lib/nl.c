/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The route-netlink session and the one place where requests are sent and
 * acknowledgements collected. */
#define _GNU_SOURCE
#include "v6nl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int v6_netns_enter(const char *name, struct v6_err *err)
{
	char path[4096];
	int fd, rc;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return v6_err_set(err, -EINVAL, "network namespace name is not valid: '%s'", name);
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return v6_err_set(err, -errno, "network namespace '%s': %s", name, strerror(errno));
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	if (rc < 0)
		return v6_err_set(err, -errno, "network namespace '%s': %s", name, strerror(errno));
	return 0;
}

int v6_nle_to_errno(int nle)
{
	static const struct { int nle, e; } map[] = {
		{ NLE_NOMEM, ENOMEM },	 { NLE_AGAIN, EAGAIN },	 { NLE_INVAL, EINVAL },
		{ NLE_EXIST, EEXIST },	 { NLE_BUSY, EBUSY },	 { NLE_RANGE, ERANGE },
		{ NLE_NOADDR, EADDRNOTAVAIL }, { NLE_OBJ_NOTFOUND, ENOENT }, { NLE_NODEV, ENODEV },
		{ NLE_PERM, EPERM },	 { NLE_NOACCESS, EACCES }, { NLE_OPNOTSUPP, EOPNOTSUPP },
		{ NLE_AF_NOSUPPORT, EAFNOSUPPORT }, { NLE_MSGSIZE, EMSGSIZE }, { NLE_INTR, EINTR },
		{ NLE_BAD_SOCK, EBADF }, { NLE_DUMP_INTR, EINTR }, { NLE_MSG_TRUNC, EMSGSIZE },
	};
	if (nle < 0)
		nle = -nle;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].nle == nle)
			return -map[i].e;
	return nle ? -EIO : 0;
}

int v6_nl_open(struct v6_nl *nl, struct v6_err *err)
{
	int one = 1, rc;

	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return v6_err_set(err, -ENOMEM, "out of memory");
	if ((rc = nl_connect(nl->sk, NETLINK_ROUTE)) < 0) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return v6_err_set(err, v6_nle_to_errno(rc), "netlink: %s", nl_geterror(rc));
	}
	/* Large buffers so a batch of acknowledgements never overflows; read
	 * dumps in 64 KiB gulps without libnl's peek-then-read double call. */
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 1 << 20);
	nl_socket_set_msg_buf_size(nl->sk, 64 * 1024);
	nl_socket_disable_msg_peek(nl->sk);
	/* Ask the kernel for its own words when it refuses a request. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

void v6_nl_close(struct v6_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/* The kernel's extended-ack message, when it sent one (NLMSGERR_ATTR_MSG). */
static const char *ext_ack_msg(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (off + NLA_HDRLEN <= h->nlmsg_len) {
		const struct nlattr *a = (const void *)((const char *)h + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > h->nlmsg_len)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && a->nla_len > NLA_HDRLEN) {
			const char *s = (const char *)a + NLA_HDRLEN;
			if (memchr(s, '\0', a->nla_len - NLA_HDRLEN))
				return s;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* Collect acks for seq numbers [first, first + n) into rc[]. */
static int collect_acks(struct v6_nl *nl, uint32_t first, size_t n, int *rc, size_t *failed,
			struct v6_err *err)
{
	size_t pending = n;

	while (pending) {
		struct sockaddr_nl peer;
		unsigned char *buf = NULL;
		int len = nl_recv(nl->sk, &peer, &buf, NULL);

		if (len <= 0) {
			free(buf);
			return v6_err_set(err, len < 0 ? v6_nle_to_errno(len) : -EIO,
					  "netlink: %s", len < 0 ? nl_geterror(len) : "connection closed");
		}
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (unsigned)len);
		     h = NLMSG_NEXT(h, len)) {
			uint32_t i = h->nlmsg_seq - first;
			if (h->nlmsg_type != NLMSG_ERROR || i >= n)
				continue; /* not a reply to this batch */
			const struct nlmsgerr *e = NLMSG_DATA(h);
			rc[i] = e->error;
			if (e->error < 0) {
				const char *m = ext_ack_msg(h);
				if (!*failed)
					v6_err_set(err, e->error, "%s", m ? m : strerror(-e->error));
				++*failed;
			}
			pending--;
		}
		free(buf);
	}
	return 0;
}

int v6_nl_talk_many(struct v6_nl *nl, struct nl_msg **msgs, size_t n, int *rc,
		    struct v6_err *err)
{
	/* Stay well inside the socket buffers: the kernel answers every
	 * request of one sendmsg() before we read any acknowledgement. */
	enum { CHUNK_BYTES = 64 * 1024, CHUNK_MSGS = 512 };
	unsigned char *buf = malloc(CHUNK_BYTES);
	size_t failed = 0, i = 0;
	int ret = 0;

	if (!buf) {
		ret = v6_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	while (i < n) {
		size_t used = 0, start = i;
		uint32_t first = 0;

		while (i < n && i - start < CHUNK_MSGS) {
			struct nlmsghdr *h = nlmsg_hdr(msgs[i]);
			size_t l = NLMSG_ALIGN(h->nlmsg_len);
			if (used + l > CHUNK_BYTES && used)
				break;
			if (l > CHUNK_BYTES) {
				ret = v6_err_set(err, -EMSGSIZE, "netlink request too large");
				goto out;
			}
			h->nlmsg_seq = nl_socket_use_seq(nl->sk);
			if (i == start)
				first = h->nlmsg_seq;
			h->nlmsg_pid = 0;
			h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
			memcpy(buf + used, h, h->nlmsg_len);
			memset(buf + used + h->nlmsg_len, 0, l - h->nlmsg_len);
			used += l;
			rc[i++] = 1; /* no answer yet */
		}
		int s = nl_sendto(nl->sk, buf, used);
		if (s < 0) {
			ret = v6_err_set(err, v6_nle_to_errno(s), "netlink: %s", nl_geterror(s));
			goto out;
		}
		if ((ret = collect_acks(nl, first, i - start, rc + start, &failed, err)) < 0)
			goto out;
	}
	ret = (int)failed;
out:
	for (size_t k = 0; k < n; k++)
		nlmsg_free(msgs[k]);
	free(buf);
	return ret;
}

int v6_nl_talk(struct v6_nl *nl, struct nl_msg *msg, struct v6_err *err)
{
	int rc = 0, r = v6_nl_talk_many(nl, &msg, 1, &rc, err);
	return r < 0 ? r : rc;
}

/* Send msg and hand every reply with its sequence number to cb, until the
 * kernel's NLMSG_DONE (dumps) or acknowledgement (single gets). */
int v6_nl_query(struct v6_nl *nl, struct nl_msg *msg, int (*cb)(struct nlmsghdr *h, void *arg),
		void *arg, struct v6_err *err)
{
	struct nlmsghdr *req = nlmsg_hdr(msg);
	uint32_t seq = req->nlmsg_seq = nl_socket_use_seq(nl->sk);
	int rc;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_pid = 0;
	rc = nl_sendto(nl->sk, req, req->nlmsg_len);
	nlmsg_free(msg);
	if (rc < 0)
		return v6_err_set(err, v6_nle_to_errno(rc), "netlink: %s", nl_geterror(rc));
	for (;;) {
		struct sockaddr_nl peer;
		unsigned char *buf = NULL;
		int len = nl_recv(nl->sk, &peer, &buf, NULL);
		if (len <= 0) {
			free(buf);
			return v6_err_set(err, len < 0 ? v6_nle_to_errno(len) : -EIO, "netlink: %s",
					  len < 0 ? nl_geterror(len) : "connection closed");
		}
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (unsigned)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				/* A dump that failed says why in its DONE. */
				int e = h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))
						? *(const int *)NLMSG_DATA(h) : 0;
				free(buf);
				return e < 0 ? v6_err_set(err, e, "%s", strerror(-e)) : 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				const char *m = ext_ack_msg(h);
				rc = e->error ? v6_err_set(err, e->error, "%s", m ? m : strerror(-e->error)) : 0;
				free(buf);
				return rc;
			}
			if (h->nlmsg_flags & NLM_F_DUMP_INTR) {
				free(buf);
				return v6_err_set(err, -EAGAIN, "netlink dump interrupted by a change");
			}
			if ((rc = cb(h, arg)) < 0) {
				free(buf);
				return v6_err_set(err, rc, "%s", strerror(-rc));
			}
		}
		free(buf);
	}
}

int v6_nl_dump(struct v6_nl *nl, int type, const void *hdr, size_t hdrlen,
	       int (*cb)(struct nlmsghdr *h, void *arg), void *arg, struct v6_err *err)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_DUMP);

	if (!msg || nlmsg_append(msg, (void *)hdr, hdrlen, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	return v6_nl_query(nl, msg, cb, arg, err);
}
