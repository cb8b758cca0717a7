/* Fuzz target: incidents read back from stored JSON (ky_incident_load) and
 * written again; and alerts cut out of the input grouped by the engine,
 * each incident then dumped and loaded back, which must succeed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "intel/incident.h"

/* The next field of the input: bytes up to the next NUL or newline. */
static const char *next(const uint8_t **p, const uint8_t *end, char *buf,
			size_t cap)
{
	size_t n = 0;

	while (*p < end && **p != '\n' && **p != '\0' && n + 1 < cap)
		buf[n++] = (char)*(*p)++;
	if (*p < end)
		(*p)++;
	buf[n] = '\0';
	return n ? buf : NULL;
}

static void group(const uint8_t *data, size_t size)
{
	struct ky_incident_config cfg;
	struct ky_incidents *e = NULL;
	struct ky_err err = {0};
	const uint8_t *p = data, *end = data + size;
	char rule[64], host[64], user[64], src[64], tag[64];
	int64_t t = 1700000000000000000LL;

	ky_incident_config_default(&cfg);
	cfg.keys = size > 0 ? data[0] & 0xf : 0;
	if (ky_incidents_new(&e, &cfg, &err) != 0)
		return;
	for (int i = 0; i < 64 && p < end; i++) {
		struct ky_incident_alert a = {0};
		const char *tags[1];
		const char *r = next(&p, end, rule, sizeof(rule));

		a.rule_id = r ? r : "r";
		a.host = next(&p, end, host, sizeof(host));
		a.user = next(&p, end, user, sizeof(user));
		a.src_ip = next(&p, end, src, sizeof(src));
		if ((tags[0] = next(&p, end, tag, sizeof(tag))) != NULL) {
			a.tags = tags;
			a.ntags = 1;
		}
		t += (p < end ? *p : 1) * 1000000000LL;
		a.time_ns = t;
		a.level = p < end ? *p % 6 : 2;
		a.kind = p < end && (*p & 0x40) ? KY_ALERT_CORRELATION
						: KY_ALERT_RULE;
		if (a.kind == KY_ALERT_CORRELATION) {
			a.corr_rules = tags[0] ? tags : NULL;
			a.ncorr_rules = tags[0] ? 1 : 0;
		}
		(void)ky_incidents_add(e, &a, NULL, &err);
	}
	for (size_t i = 0;; i++) {
		struct ky_incident *inc = ky_incidents_at(e, i), *back = NULL;
		char *s = NULL;
		size_t len = 0;

		if (inc == NULL)
			break;
		if (ky_incident_dump(inc, &s, &len) != 0)
			continue;
		if (ky_incident_load(s, len, &back, &err) != 0)
			abort(); /* what we wrote must read back */
		ky_incident_free(back);
		free(s);
	}
	ky_incidents_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_incident *inc = NULL;
	struct ky_err err = {0};
	char *out = NULL;
	size_t len = 0;

	if (ky_incident_load((const char *)data, size, &inc, &err) == 0) {
		if (ky_incident_dump(inc, &out, &len) == 0)
			free(out);
		ky_incident_free(inc);
	}
	group(data, size);
	return 0;
}
