/* The event record: a flat list of (field path, typed value).  Nested JSON
 * objects give dotted paths ("process.command_line"), array elements give
 * bracketed indexes ("tags[0]", "a.b[2].c").  Strings point into the
 * original bytes when no unescaping was needed (zero copy) and into the
 * event's arena otherwise.  Nothing here is allocated per event once the
 * field array and arena are warm: ky_event_reset keeps both. */
#ifndef KY_EVENT_EVENT_H
#define KY_EVENT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct ky_arena;

enum ky_vtype {
	KY_V_NULL = 0,
	KY_V_BOOL,
	KY_V_INT,
	KY_V_FLOAT,
	KY_V_STR,
};

/* Input formats, also the values of --format. */
enum ky_format {
	KY_FMT_AUTO = 0,
	KY_FMT_JSON,
	KY_FMT_SYSLOG5424,
	KY_FMT_SYSLOG3164,
	KY_FMT_CEF,
	KY_FMT_RAW, /* an unstructured line: message only, extractors apply */
};

const char *ky_format_name(enum ky_format f);
/* "auto|json|syslog5424|rfc5424|syslog3164|rfc3164|cef|raw"; 0 or KY_E_INVAL */
int ky_format_parse(const char *s, enum ky_format *out);

struct ky_field {
	const char *path; /* not NUL-terminated in general: use path_len */
	uint32_t path_len;
	uint8_t type;	  /* enum ky_vtype */
	uint8_t flags;	  /* KY_FIELD_* */
	uint32_t str_len; /* for every type: the value's text */
	const char *str;  /* STR: the unescaped value; numbers: their literal;
			     BOOL: "true"/"false"; NULL: "null" */
	union {
		int64_t i;
		double f;
		bool b;
	} v;
};

/* ky_field.flags: the path is a string constant of the program (its
 * address names it for the life of the process), so a consumer may key a
 * cache by the address instead of hashing the bytes.  Parsers set it
 * through ky_event_add_const; whatever rewrites a path clears it. */
#define KY_FIELD_CONST_PATH 0x01

/* Limits from configuration; an event that passes one is rejected. */
struct ky_event_limits {
	size_t max_line; /* bytes of one input record */
	uint32_t max_fields;
	uint32_t max_depth; /* JSON nesting */
};

#define KY_EVENT_LIMITS_DEFAULT                                                \
	{                                                                      \
		65536, 1024, 64                                                \
	}

struct ky_event {
	struct ky_field *fields;
	uint32_t nfields;
	uint32_t cap;	     /* allocated fields */
	uint32_t max_fields; /* from limits */
	enum ky_format format;
	const char *raw; /* the original bytes, kept for evidence */
	size_t raw_len;
	int64_t time_ns;	/* event time; 0 when the record had none */
	int64_t recv_ns;	/* receive time */
	struct ky_arena *arena; /* owned by the caller, reset per event/batch */
};

/* Prepares an empty event using arena for strings; the field array is
 * malloc'd once and kept across resets.  Returns 0 or KY_E_NOMEM. */
int ky_event_init(struct ky_event *ev, struct ky_arena *arena,
		  uint32_t max_fields);
/* Forgets the fields (keeps the array); does not reset the arena. */
void ky_event_reset(struct ky_event *ev);
void ky_event_free(struct ky_event *ev);

/* The out-of-line half of ky_event_add: growth of the field array, the
 * max_fields limit and oversized lengths. */
int ky__event_add_slow(struct ky_event *ev, const char *path, size_t path_len,
		       enum ky_vtype type, const char *str, size_t str_len);

/* Appends a field.  path/str must outlive the event (raw bytes or arena).
 * Returns 0, KY_E_TOOBIG past max_fields, or KY_E_NOMEM.  Inline because
 * parsers add every field through it: once the array is warm an append is a
 * few stores, not a call. */
static inline int ky_event_add(struct ky_event *ev, const char *path,
			       size_t path_len, enum ky_vtype type,
			       const char *str, size_t str_len)
{
	struct ky_field *f;

	if (__builtin_expect(ev->nfields < ev->cap &&
				     ev->nfields < ev->max_fields &&
				     (path_len | str_len) <= UINT32_MAX,
			     1)) {
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
	return ky__event_add_slow(ev, path, path_len, type, str, str_len);
}

/* ky_event_add for a path that is a string constant of the program
 * (KY_FIELD_CONST_PATH). */
static inline int ky_event_add_const(struct ky_event *ev, const char *path,
				     size_t path_len, enum ky_vtype type,
				     const char *str, size_t str_len)
{
	int r = ky_event_add(ev, path, path_len, type, str, str_len);

	if (r == 0)
		ev->fields[ev->nfields - 1].flags = KY_FIELD_CONST_PATH;
	return r;
}

static inline int ky_event_add_str(struct ky_event *ev, const char *path,
				   size_t path_len, const char *str,
				   size_t str_len)
{
	return ky_event_add(ev, path, path_len, KY_V_STR, str, str_len);
}

/* An INT field whose text is already at hand (zero copy). */
static inline int ky_event_add_int_lit(struct ky_event *ev, const char *path,
				       size_t path_len, const char *lit,
				       size_t lit_len, int64_t value)
{
	int r = ky_event_add(ev, path, path_len, KY_V_INT, lit, lit_len);

	if (r == 0)
		ev->fields[ev->nfields - 1].v.i = value;
	return r;
}
/* ky_event_add_int_lit for a path that is a string constant of the
 * program (KY_FIELD_CONST_PATH). */
static inline int ky_event_add_int_const(struct ky_event *ev, const char *path,
					 size_t path_len, const char *lit,
					 size_t lit_len, int64_t value)
{
	int r = ky_event_add_const(ev, path, path_len, KY_V_INT, lit, lit_len);

	if (r == 0)
		ev->fields[ev->nfields - 1].v.i = value;
	return r;
}
int ky_event_add_int(struct ky_event *ev, const char *path, size_t path_len,
		     int64_t value);
/* Like ky_event_add_str but copies path and value into the arena. */
int ky_event_add_copy(struct ky_event *ev, const char *path, const char *str,
		      size_t str_len);

/* First field whose path equals name, or NULL. */
const struct ky_field *ky_event_get(const struct ky_event *ev,
				    const char *name);
const struct ky_field *ky_event_getn(const struct ky_event *ev,
				     const char *name, size_t len);

/* Writes the event as one JSON object {"path": value, ...} plus
 * "@time"/"@recv"/"@format" (for `kyklos ingest --print`). */
struct ky_buf;
int ky_event_to_json(const struct ky_event *ev, struct ky_buf *out);

#endif
