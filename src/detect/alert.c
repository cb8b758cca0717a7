/* An alert as one JSON object (a line of `kyklos detect` and the evidence
 * kept in the store): the rule with its author, which the Detection Rule
 * License requires alerts to keep, the matched fields, and the event. */
#include <string.h>

#include "base/buf.h"
#include "base/time.h"
#include "detect/ruleset.h"

static int add_str_or_null(struct ky_buf *b, const char *s)
{
	return s ? ky_buf_add_json_str(b, s, strlen(s))
		 : ky_buf_adds(b, "null");
}

static int add_time(struct ky_buf *b, int64_t ns)
{
	char t[KY_TIME_RFC3339_LEN];

	if (ns == 0)
		return ky_buf_adds(b, "null");
	ky_time_format_rfc3339(ns, t);
	return ky_buf_add_json_str(b, t, strlen(t));
}

static int add_rule(struct ky_buf *b, const struct ky_sigma_rule *rule)
{
	int r = 0;

	r = r ? r : ky_buf_adds(b, "{\"id\":");
	r = r ? r : add_str_or_null(b, rule->id);
	r = r ? r : ky_buf_adds(b, ",\"title\":");
	r = r ? r : add_str_or_null(b, rule->title);
	r = r ? r : ky_buf_adds(b, ",\"level\":");
	r = r ? r : add_str_or_null(b, ky_sigma_level_name(rule->level));
	r = r ? r : ky_buf_adds(b, ",\"tags\":[");
	for (size_t i = 0; r == 0 && i < rule->ntags; i++) {
		if (i)
			r = ky_buf_addc(b, ',');
		r = r ? r : add_str_or_null(b, rule->tags[i]);
	}
	r = r ? r : ky_buf_adds(b, "],\"author\":");
	r = r ? r : add_str_or_null(b, rule->author);
	r = r ? r : ky_buf_adds(b, ",\"path\":");
	r = r ? r : add_str_or_null(b, rule->path);
	r = r ? r : ky_buf_addc(b, '}');
	return r;
}

int ky_alert_to_json(const struct ky_alert *a, struct ky_buf *out)
{
	size_t start = out->len;
	int r = 0;

	r = ky_buf_adds(out, "{\"rule\":");
	r = r ? r : add_rule(out, a->rule);
	r = r ? r : ky_buf_adds(out, ",\"matched\":[");
	for (size_t i = 0; r == 0 && i < a->nfields; i++) {
		const struct ky_alert_field *f = &a->fields[i];

		r = ky_buf_adds(out, i ? ",{\"field\":" : "{\"field\":");
		r = r ? r : ky_buf_add_json_str(out, f->field, f->field_len);
		r = r ? r : ky_buf_adds(out, ",\"value\":");
		if (r == 0)
			r = f->value ? ky_buf_add_json_str(out, f->value,
							   f->value_len)
				     : ky_buf_adds(out, "null");
		r = r ? r : ky_buf_addc(out, '}');
	}
	r = r ? r : ky_buf_adds(out, "],\"time\":");
	r = r ? r : add_time(out, a->ev ? a->ev->time_ns : 0);
	r = r ? r : ky_buf_adds(out, ",\"received\":");
	r = r ? r : add_time(out, a->ev ? a->ev->recv_ns : 0);
	r = r ? r : ky_buf_adds(out, ",\"event\":");
	if (r == 0)
		r = a->ev && a->ev->raw ? ky_buf_add_json_str(out, a->ev->raw,
							      a->ev->raw_len)
					: ky_buf_adds(out, "null");
	r = r ? r : ky_buf_addc(out, '}');
	if (r != 0) {
		/* all or nothing: a cut object would not be JSON */
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return r;
}
