/* The event record: field array management, lookup, JSON rendering, and
 * the format names. */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/text.h"
#include "base/time.h"
#include "event/event.h"

static const char *const format_names[] = {
	[KY_FMT_AUTO] = "auto",
	[KY_FMT_JSON] = "json",
	[KY_FMT_SYSLOG5424] = "syslog5424",
	[KY_FMT_SYSLOG3164] = "syslog3164",
	[KY_FMT_CEF] = "cef",
	[KY_FMT_RAW] = "raw",
};

const char *ky_format_name(enum ky_format f)
{
	if ((unsigned)f < sizeof(format_names) / sizeof(format_names[0]))
		return format_names[f];
	return "unknown";
}

int ky_format_parse(const char *s, enum ky_format *out)
{
	static const struct {
		const char *name;
		enum ky_format f;
	} aliases[] = {{"rfc5424", KY_FMT_SYSLOG5424},
		       {"rfc3164", KY_FMT_SYSLOG3164},
		       {"syslog", KY_FMT_SYSLOG3164},
		       {"jsonl", KY_FMT_JSON}};

	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]);
	     i++) {
		if (strcmp(s, format_names[i]) == 0) {
			*out = (enum ky_format)i;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(s, aliases[i].name) == 0) {
			*out = aliases[i].f;
			return 0;
		}
	}
	return KY_E_INVAL;
}

int ky_event_init(struct ky_event *ev, struct ky_arena *arena,
		  uint32_t max_fields)
{
	memset(ev, 0, sizeof(*ev));
	ev->arena = arena;
	ev->max_fields = max_fields ? max_fields : 1024;
	ev->cap = ev->max_fields < 64 ? ev->max_fields : 64;
	ev->fields = malloc(ev->cap * sizeof(*ev->fields));
	return ev->fields ? 0 : KY_E_NOMEM;
}

void ky_event_reset(struct ky_event *ev)
{
	ev->nfields = 0;
	ev->raw = NULL;
	ev->raw_len = 0;
	ev->time_ns = 0;
	ev->recv_ns = 0;
	ev->format = KY_FMT_AUTO;
}

void ky_event_free(struct ky_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->fields);
	ev->fields = NULL;
	ev->nfields = ev->cap = 0;
}

static int grow(struct ky_event *ev)
{
	uint32_t ncap = ev->cap * 2;
	struct ky_field *f;

	if (ncap > ev->max_fields)
		ncap = ev->max_fields;
	/* Growth happens while the event array warms up, not per event. */
	f = realloc(ev->fields, (size_t)ncap * sizeof(*f));
	if (f == NULL)
		return KY_E_NOMEM;
	ev->fields = f;
	ev->cap = ncap;
	return 0;
}

int ky__event_add_slow(struct ky_event *ev, const char *path, size_t path_len,
		       enum ky_vtype type, const char *str, size_t str_len)
{
	struct ky_field *f;
	int r;

	if (ev->nfields >= ev->max_fields)
		return KY_E_TOOBIG;
	if (path_len > UINT32_MAX || str_len > UINT32_MAX)
		return KY_E_TOOBIG;
	if (ev->nfields == ev->cap && (r = grow(ev)) != 0)
		return r;
	f = &ev->fields[ev->nfields++];
	f->path = path;
	f->path_len = (uint32_t)path_len;
	f->type = (uint8_t)type;
	f->flags = 0;
	f->str = str;
	f->str_len = (uint32_t)str_len;
	f->v.i = 0;
	return 0;
}

int ky_event_add_int(struct ky_event *ev, const char *path, size_t path_len,
		     int64_t value)
{
	char tmp[KY_I64_DEC_MAX], *p;
	size_t n = ky_i64_dec(value, tmp);
	int r;

	p = ky_arena_strndup(ev->arena, tmp, n);
	if (p == NULL)
		return KY_E_NOMEM;
	if ((r = ky_event_add(ev, path, path_len, KY_V_INT, p, n)) != 0)
		return r;
	ev->fields[ev->nfields - 1].v.i = value;
	return 0;
}

int ky_event_add_copy(struct ky_event *ev, const char *path, const char *str,
		      size_t str_len)
{
	size_t plen = strlen(path);
	char *p = ky_arena_strndup(ev->arena, path, plen);
	char *s = ky_arena_strndup(ev->arena, str, str_len);

	if (p == NULL || s == NULL)
		return KY_E_NOMEM;
	return ky_event_add_str(ev, p, plen, s, str_len);
}

const struct ky_field *ky_event_getn(const struct ky_event *ev,
				     const char *name, size_t len)
{
	for (uint32_t i = 0; i < ev->nfields; i++) {
		const struct ky_field *f = &ev->fields[i];
		if (f->path_len == len && memcmp(f->path, name, len) == 0)
			return f;
	}
	return NULL;
}

const struct ky_field *ky_event_get(const struct ky_event *ev, const char *name)
{
	return ky_event_getn(ev, name, strlen(name));
}

int ky_event_to_json(const struct ky_event *ev, struct ky_buf *out)
{
	char ts[KY_TIME_RFC3339_LEN];
	int r = 0;

	if ((r = ky_buf_addc(out, '{')) != 0)
		return r;
	if (ev->time_ns) {
		ky_time_format_rfc3339(ev->time_ns, ts);
		if ((r = ky_buf_addf(out, "\"@time\":\"%s\",", ts)) != 0)
			return r;
	}
	ky_time_format_rfc3339(ev->recv_ns, ts);
	if ((r = ky_buf_addf(out, "\"@recv\":\"%s\",\"@format\":\"%s\"", ts,
			     ky_format_name(ev->format))) != 0)
		return r;
	for (uint32_t i = 0; i < ev->nfields; i++) {
		const struct ky_field *f = &ev->fields[i];
		if ((r = ky_buf_addc(out, ',')) != 0 ||
		    (r = ky_buf_add_json_str(out, f->path, f->path_len)) != 0 ||
		    (r = ky_buf_addc(out, ':')) != 0)
			return r;
		if (f->type == KY_V_STR)
			r = ky_buf_add_json_str(out, f->str, f->str_len);
		else if (f->type == KY_V_NULL)
			r = ky_buf_adds(out, "null");
		else if (f->type == KY_V_BOOL)
			r = ky_buf_adds(out, f->v.b ? "true" : "false");
		else
			r = ky_buf_add(out, f->str, f->str_len);
		if (r != 0)
			return r;
	}
	return ky_buf_addc(out, '}');
}
