/* SPDX-License-Identifier: GPL-2.0-or-later */
/* v6kit shared helpers that touch neither files nor the kernel: errors,
 * strict parsers, config lines, routing table names, byte order, arrays
 * and the text/JSON output emitter (which writes to a stream it is
 * given).  Pure functions over memory, so unit tests and fuzzers can call
 * them without root; file and system I/O is in v6sys.h, netlink in
 * v6nl.h. */
#ifndef V6UTIL_H
#define V6UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#define V6KIT_VERSION "0.1.0"

/* Exit statuses shared by every tool. */
enum { V6_EXIT_OK = 0, V6_EXIT_USAGE = 1, V6_EXIT_RUNTIME = 2 };

/* Route and rule protocol numbers that mark kernel objects as ours
 * (names installed in /etc/iproute2/rt_protos.d/v6kit.conf). */
enum {
	V6_PROTO_SRCROUTE = 150,
	V6_PROTO_TUN6IN4 = 151,
	V6_PROTO_NDPROXY = 152,
};

/* Every library call that can fail takes one of these last; on failure it
 * holds a one-line message without the tool name or a trailing newline,
 * and the exit status the failure calls for, so a caller can keep the
 * real errno in its return value and still exit with the right class. */
struct v6_err {
	char msg[512];
	int status; /* V6_EXIT_USAGE (bad input) or V6_EXIT_RUNTIME */
};

/* The exit class of an errno when nothing better is known: -EINVAL and
 * -ERANGE are bad input (1), everything else a runtime failure (2). */
int v6_err_class(int rc);
/* Store a message and return rc (a negative errno), so callers can write
 * `return v6_err_set(err, -EINVAL, "...")`.  err may be NULL.  The status
 * is v6_err_class(rc). */
int v6_err_set(struct v6_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Mark the failure in err as bad input (exit 1) whatever its errno, e.g. a
 * configuration file that cannot be read; returns rc. */
int v6_err_input(struct v6_err *err, int rc);
/* Prefix an existing message: "CONTEXT: old message" (status kept). */
int v6_err_prefix(struct v6_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- configuration lines ------------------------------------------- */

/* The line format of srcroute.conf and tun6in4.conf: words separated by
 * white space, '#' starts a comment anywhere, blank lines are ignored,
 * and errors say SOURCE:LINE.  The iterator only walks a buffer. */
#define V6_LINE_SPACE " \t\r\v\f"

struct v6_lines {
	const char *p, *end;
	const char *source; /* names the text in errors: the file or "command line" */
	unsigned lineno;    /* of the line last returned, for "SOURCE:LINE:" */
	char buf[1024];     /* lines are at most sizeof(buf) - 1 bytes */
};

void v6_lines_init(struct v6_lines *it, const char *text, size_t len, const char *source);
/* The next line that is not blank once its comment is cut off: returns 1
 * with *line pointing into it->buf (writable, NUL-terminated), 0 at the
 * end, or -EINVAL ("SOURCE:LINE: ...") for an overlong line or a NUL. */
int v6_lines_next(struct v6_lines *it, char **line, struct v6_err *err);
/* Split line in place at V6_LINE_SPACE into words[0..max-1].  Returns the
 * number of words, or max + 1 when there are more, with the first word
 * too many in words[max]: words must have room for max + 1. */
int v6_line_split(char *line, char **words, int max);

/* ---- addresses and prefixes ---------------------------------------- */

struct v6_addr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

struct v6_prefix {
	struct v6_addr addr;
	unsigned len;
};

static inline unsigned v6_family_bits(int family) { return family == AF_INET ? 32 : 128; }
static inline size_t v6_family_bytes(int family) { return family == AF_INET ? 4 : 16; }

/* Parse flags: which families to accept, and whether host bits may be set. */
enum {
	V6_PARSE_V4 = 1 << 0,
	V6_PARSE_V6 = 1 << 1,
	V6_PARSE_ANY = V6_PARSE_V4 | V6_PARSE_V6,
	V6_PARSE_HOSTBITS = 1 << 2, /* "2001:db8::1/64" is an interface address */
};

/* "what" names the value in the error: "gateway", "source"... */
int v6_parse_addr(const char *s, int flags, struct v6_addr *out, const char *what,
		  struct v6_err *err);
/* A bare address is taken as a host prefix (/32 or /128). */
int v6_parse_prefix(const char *s, int flags, struct v6_prefix *out, const char *what,
		    struct v6_err *err);
int v6_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out, const char *what,
		 struct v6_err *err);
/* The names a tool keeps state under (srcroute's owners, ndproxy's
 * instances): 1..max bytes of A-Z a-z 0-9 _ . : -, so a log line, a
 * state file's line and a shell word carry them without quoting. */
#define V6_NAME_CHARS "A-Z a-z 0-9 _ . : -"
bool v6_name_ok(const char *s, size_t max);
/* Linux interface names: 1..15 bytes, no '/', ':' or white space, not "." or "..". */
int v6_parse_ifname(const char *s, const char *what, struct v6_err *err);

/* Text forms: "2001:db8::1", "2001:db8::/48" (a host prefix prints bare). */
const char *v6_addr_str(const struct v6_addr *a, char *buf, size_t len);
const char *v6_prefix_str(const struct v6_prefix *p, char *buf, size_t len);
bool v6_addr_equal(const struct v6_addr *a, const struct v6_addr *b);
bool v6_prefix_equal(const struct v6_prefix *a, const struct v6_prefix *b);
bool v6_addr_is_unspec(const struct v6_addr *a);
#define V6_ADDRSTRLEN 64

/* ---- routing table names (iproute2's rt_tables) -------------------- */

struct v6_rtname {
	uint32_t id;
	char name[64];
};

struct v6_rtnames {
	struct v6_rtname *v;
	size_t n, cap;
};

/* Parse one rt_tables-format text ("ID NAME" lines, # comments); later
 * entries add to earlier ones.  source names the file in errors. */
int v6_rtnames_parse(struct v6_rtnames *t, const char *text, size_t len, const char *source,
		     struct v6_err *err);
void v6_rtnames_free(struct v6_rtnames *t);
const char *v6_rtnames_name(const struct v6_rtnames *t, uint32_t id);
int v6_rtnames_id(const struct v6_rtnames *t, const char *name, uint32_t *id);
/* Resolve a table given by number or name; unknown names return -ENOENT. */
int v6_rtnames_resolve(const struct v6_rtnames *t, const char *s, uint32_t *id,
		       struct v6_err *err);
/* Pick the lowest id >= V6_RTNAMES_FIRST_FREE that no file names and that
 * `taken` (may be NULL) does not reject. */
#define V6_RTNAMES_FIRST_FREE 1000u
uint32_t v6_rtnames_free_id(const struct v6_rtnames *t, bool (*taken)(uint32_t id, void *arg),
			    void *arg);

/* ---- output: each field once, for text and JSON -------------------- */

enum v6_emit_mode { V6_EMIT_TEXT, V6_EMIT_JSON, V6_EMIT_JSON_PRETTY };

struct v6_emit {
	FILE *out;
	enum v6_emit_mode mode;
	int depth;
	bool need_comma[32];
};

void v6_emit_init(struct v6_emit *e, FILE *out, enum v6_emit_mode mode);
static inline bool v6_emit_json(const struct v6_emit *e) { return e->mode != V6_EMIT_TEXT; }
/* Containers; key is NULL inside arrays and at the top level.  In text
 * mode objects and arrays print nothing themselves. */
void v6_emit_object_open(struct v6_emit *e, const char *key);
void v6_emit_object_close(struct v6_emit *e);
void v6_emit_array_open(struct v6_emit *e, const char *key);
void v6_emit_array_close(struct v6_emit *e);
/* Fields: fmt is the text-mode printf format (NULL prints nothing in text
 * mode), key the JSON name.  A NULL string value is JSON null. */
void v6_emit_str(struct v6_emit *e, const char *key, const char *fmt, const char *val);
void v6_emit_u64(struct v6_emit *e, const char *key, const char *fmt, uint64_t val);
void v6_emit_i64(struct v6_emit *e, const char *key, const char *fmt, int64_t val);
/* Non-finite values are written as JSON null, never NaN. */
void v6_emit_double(struct v6_emit *e, const char *key, const char *fmt, double val);
void v6_emit_bool(struct v6_emit *e, const char *key, const char *fmt, bool val);
/* Text-only literal (newlines, separators); ignored in JSON mode. */
void v6_emit_text(struct v6_emit *e, const char *s);
/* Ends a top-level JSON value with a newline (for NDJSON streams too). */
void v6_emit_end(struct v6_emit *e);
/* JSON string escaping into out, for callers that need it elsewhere. */
void v6_json_escape(FILE *out, const char *s);

/* ---- small shared helpers ------------------------------------------ */

/* Resize the array whose pointer is at pv (a `struct x **` passed as
 * void *) to exactly n > 0 elements of size bytes; unchanged on -ENOMEM.
 * For callers with a growth policy of their own. */
int v6_resize(void *pv, size_t n, size_t size);
/* Make room for need elements of size bytes in the array at pv, doubling
 * *cap; the array is unchanged on -ENOMEM. */
int v6_grow(void *pv, size_t *cap, size_t need, size_t size);
/* Append a copy of *elem to the array at pv holding *n elements. */
int v6_append(void *pv, size_t *n, size_t *cap, const void *elem, size_t size);
/* v6_append() with the element size taken from the array, and a compile
 * error when elem is not of the array's element type. */
#define V6_APPEND(v, n, cap, elem) \
	v6_append(&(v), &(n), &(cap), &(elem), sizeof(*(v)) + 0 * sizeof(*(v) = (elem)))

/* Big-endian (network order) fields of packets and messages. */
static inline uint16_t v6_get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t v6_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void v6_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void v6_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static inline uint64_t v6_get_be64(const uint8_t *p)
{
	return (uint64_t)v6_get_be32(p) << 32 | v6_get_be32(p + 4);
}
static inline void v6_put_be64(uint8_t *p, uint64_t v)
{
	v6_put_be32(p, (uint32_t)(v >> 32));
	v6_put_be32(p + 4, (uint32_t)v);
}

/* ---- the Internet checksum (RFC 1071) ------------------------------ */

/* A running sum is a uint32_t of big-endian 16-bit words; start at 0, add
 * pieces in order, fold once.  Every piece but the last must be of even
 * length (RFC 1071 2(B): a piece that starts at an odd offset would need
 * its sum byte-swapped).  v6_csum_add() adds the piece's sum folded to 16
 * bits, so a sum holds 65536 pieces before it could overflow. */
uint32_t v6_csum_add(uint32_t sum, const void *data, size_t len);
/* RFC 8200 8.1: the sum of the IPv6 pseudo-header, src and dst 16 bytes
 * each, len the upper-layer packet length, next its protocol number. */
uint32_t v6_csum_pseudo6(const void *src, const void *dst, uint8_t next, size_t len);
/* Fold the carries back in and complement: the value of the checksum
 * field, in host order (store it with v6_put_be16).  Over data that holds
 * a correct checksum the result is 0. */
uint16_t v6_csum_fold(uint32_t sum);
/* v6_csum_fold(v6_csum_add(0, data, len)): an IPv4 header, ICMPv4. */
uint16_t v6_csum(const void *data, size_t len);
/* The checksum of an ICMPv6, TCP or UDP packet (RFC 4443 2.3, RFC 8200
 * 8.1): pseudo-header and data. */
uint16_t v6_csum6(const void *src, const void *dst, uint8_t next, const void *data, size_t len);

/* Routing tables a tool fills, the one rule for srcroute and tun6in4.
 * As in iproute2 (ip-route(8) "table TABLEID"), a table is a number or a
 * name from rt_tables; a word starting with a digit is a number (decimal
 * only, 1-4294967295: iproute2 also reads 0x forms, we refuse them).  A name
 * is one rt_tables word: printable ASCII without white space or '#' (which
 * starts an rt_tables comment), at most V6_TABLE_NAME_MAX - 1 bytes, not
 * starting with a digit.  The kernel's own tables (0 unspec, 253 default,
 * 254 main, 255 local), by number or name, are never a tool's to fill. */
#define V6_TABLE_NAME_MAX 64
bool v6_table_name_ok(const char *s);
/* -EINVAL with "table must be ...: 'S'" unless s is a table a tool may fill. */
int v6_table_check(const char *s, struct v6_err *err);

#endif
