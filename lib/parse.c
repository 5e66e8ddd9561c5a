/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Strict parsers shared by command lines and config files, so both accept
 * exactly the same words.  Every error quotes the offending token. */
#include "v6util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *family_words(int flags)
{
	switch (flags & V6_PARSE_ANY) {
	case V6_PARSE_V4: return "an IPv4";
	case V6_PARSE_V6: return "an IPv6";
	default: return "an IPv4 or IPv6";
	}
}

int v6_parse_addr(const char *s, int flags, struct v6_addr *out, const char *what,
		  struct v6_err *err)
{
	struct v6_addr a = { 0 };

	if ((flags & V6_PARSE_V6) && strchr(s, ':') && inet_pton(AF_INET6, s, &a.v6) == 1)
		a.family = AF_INET6;
	else if ((flags & V6_PARSE_V4) && !strchr(s, ':') && inet_pton(AF_INET, s, &a.v4) == 1)
		a.family = AF_INET;
	else
		return v6_err_set(err, -EINVAL, "%s must be %s address: '%s'", what,
				  family_words(flags), s);
	*out = a;
	return 0;
}

static bool host_bits_set(const struct v6_addr *a, unsigned len)
{
	unsigned bits = v6_family_bits(a->family);

	for (unsigned i = len; i < bits; i++)
		if (a->bytes[i / 8] & (0x80 >> (i % 8)))
			return true;
	return false;
}

int v6_parse_prefix(const char *s, int flags, struct v6_prefix *out, const char *what,
		    struct v6_err *err)
{
	char buf[V6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct v6_prefix p = { 0 };
	struct v6_err ignored;

	if (alen >= sizeof(buf))
		goto bad;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (v6_parse_addr(buf, flags, &p.addr, what, &ignored) < 0)
		goto bad;
	p.len = v6_family_bits(p.addr.family);
	if (slash) {
		uint32_t len;
		const char *l = slash + 1;
		if (!*l || strlen(l) > 3 || v6_parse_u32(l, 0, p.len, &len, what, &ignored) < 0)
			goto bad;
		p.len = len;
	}
	if (!(flags & V6_PARSE_HOSTBITS) && host_bits_set(&p.addr, p.len))
		return v6_err_set(err, -EINVAL, "%s has host bits set beyond /%u: '%s'", what,
				  p.len, s);
	*out = p;
	return 0;
bad:
	return v6_err_set(err, -EINVAL, "%s must be %s address or prefix: '%s'", what,
			  family_words(flags), s);
}

int v6_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out, const char *what,
		 struct v6_err *err)
{
	unsigned long long v = 0;
	const char *p = s;

	/* Decimal digits only: no sign, no white space, no 0x, no overflow. */
	if (!*p)
		goto bad;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			goto bad;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > UINT32_MAX)
			goto bad;
	}
	if (v < min || v > max)
		goto bad;
	*out = (uint32_t)v;
	return 0;
bad:
	return v6_err_set(err, -EINVAL, "%s must be %u-%u: '%s'", what, min, max, s);
}

bool v6_name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n && n <= max &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-") == n;
}

int v6_parse_ifname(const char *s, const char *what, struct v6_err *err)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15)
		return v6_err_set(err, -EINVAL, "%s must be 1-15 bytes long: '%s'", what, s);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return v6_err_set(err, -EINVAL, "%s is not a valid interface name: '%s'", what, s);
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return v6_err_set(err, -EINVAL, "%s is not a valid interface name: '%s'",
					  what, s);
	return 0;
}

const char *v6_addr_str(const struct v6_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *v6_prefix_str(const struct v6_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	v6_addr_str(&p->addr, a, sizeof(a));
	if (p->len == v6_family_bits(p->addr.family))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

bool v6_addr_equal(const struct v6_addr *a, const struct v6_addr *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, v6_family_bytes(a->family));
}

bool v6_prefix_equal(const struct v6_prefix *a, const struct v6_prefix *b)
{
	return a->len == b->len && v6_addr_equal(&a->addr, &b->addr);
}

bool v6_addr_is_unspec(const struct v6_addr *a)
{
	static const uint8_t zero[16];
	return !memcmp(a->bytes, zero, v6_family_bytes(a->family));
}
