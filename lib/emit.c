/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One emitter for text and JSON, in the manner of iproute2's print_*():
 * a field is written once with both its JSON key and its text format, so
 * the two outputs cannot drift apart. */
#include "v6util.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void v6_emit_init(struct v6_emit *e, FILE *out, enum v6_emit_mode mode)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->mode = mode;
}

void v6_json_escape(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void indent(struct v6_emit *e)
{
	if (e->mode != V6_EMIT_JSON_PRETTY)
		return;
	fputc('\n', e->out);
	for (int i = 0; i < e->depth; i++)
		fputs("  ", e->out);
}

/* Separator and key before a JSON value. */
static void json_key(struct v6_emit *e, const char *key)
{
	if (e->depth > 0 && e->depth < 32) {
		if (e->need_comma[e->depth])
			fputc(',', e->out);
		e->need_comma[e->depth] = true;
		indent(e);
	}
	if (key) {
		v6_json_escape(e->out, key);
		fputs(e->mode == V6_EMIT_JSON_PRETTY ? ": " : ":", e->out);
	}
}

static void open_container(struct v6_emit *e, const char *key, char c)
{
	if (!v6_emit_json(e))
		return;
	json_key(e, key);
	fputc(c, e->out);
	e->depth++;
	if (e->depth < 32)
		e->need_comma[e->depth] = false;
}

static void close_container(struct v6_emit *e, char c)
{
	if (!v6_emit_json(e))
		return;
	bool had = e->depth < 32 && e->need_comma[e->depth];
	e->depth--;
	if (had)
		indent(e);
	fputc(c, e->out);
}

void v6_emit_object_open(struct v6_emit *e, const char *key) { open_container(e, key, '{'); }
void v6_emit_object_close(struct v6_emit *e) { close_container(e, '}'); }
void v6_emit_array_open(struct v6_emit *e, const char *key) { open_container(e, key, '['); }
void v6_emit_array_close(struct v6_emit *e) { close_container(e, ']'); }

void v6_emit_str(struct v6_emit *e, const char *key, const char *fmt, const char *val)
{
	if (v6_emit_json(e)) {
		json_key(e, key);
		if (val)
			v6_json_escape(e->out, val);
		else
			fputs("null", e->out);
	} else if (fmt) {
		fprintf(e->out, fmt, val ? val : "-");
	}
}

void v6_emit_u64(struct v6_emit *e, const char *key, const char *fmt, uint64_t val)
{
	if (v6_emit_json(e)) {
		json_key(e, key);
		fprintf(e->out, "%" PRIu64, val);
	} else if (fmt) {
		fprintf(e->out, fmt, val);
	}
}

void v6_emit_i64(struct v6_emit *e, const char *key, const char *fmt, int64_t val)
{
	if (v6_emit_json(e)) {
		json_key(e, key);
		fprintf(e->out, "%" PRId64, val);
	} else if (fmt) {
		fprintf(e->out, fmt, val);
	}
}

void v6_emit_double(struct v6_emit *e, const char *key, const char *fmt, double val)
{
	if (v6_emit_json(e)) {
		json_key(e, key);
		if (isfinite(val))
			fprintf(e->out, "%.15g", val);
		else
			fputs("null", e->out);
	} else if (fmt) {
		fprintf(e->out, fmt, val);
	}
}

void v6_emit_bool(struct v6_emit *e, const char *key, const char *fmt, bool val)
{
	if (v6_emit_json(e)) {
		json_key(e, key);
		fputs(val ? "true" : "false", e->out);
	} else if (fmt) {
		fprintf(e->out, fmt, val ? "yes" : "no");
	}
}

void v6_emit_text(struct v6_emit *e, const char *s)
{
	if (!v6_emit_json(e))
		fputs(s, e->out);
}

void v6_emit_end(struct v6_emit *e)
{
	if (v6_emit_json(e))
		fputc('\n', e->out);
	fflush(e->out);
}
