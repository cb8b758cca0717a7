/* Helpers shared by the config tests: loading from a string, comparing two
 * configurations key by key (driven by the table), and the `config show`
 * round trip.  Include after <cmocka.h> and base/config.h. */
#ifndef KY_TEST_CONFIG_ASSERT_H
#define KY_TEST_CONFIG_ASSERT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"

static inline int load(struct ky_config *cfg, const char *text,
		       struct ky_err *err)
{
	memset(err, 0, sizeof(*err));
	return ky_config_load_mem(cfg, "t.yaml", text, strlen(text), err);
}

static inline bool str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Table-driven equality of two configurations; names the first field that
 * differs. */
static inline void assert_cfg_equal(const struct ky_config *a,
				    const struct ky_config *b)
{
	const struct ky_config_key *k;
	size_t i;

	for (k = ky_config_keys; k->key != NULL; k++) {
		const char *pa = (const char *)a + k->offset;
		const char *pb = (const char *)b + k->offset;
		switch (k->type) {
		case KY_CT_STRING:
		case KY_CT_ENUM:
			if (!str_eq(*(char *const *)(const void *)pa,
				    *(char *const *)(const void *)pb))
				fail_msg("%s differs: '%s' vs '%s'", k->key,
					 *(char *const *)(const void *)pa,
					 *(char *const *)(const void *)pb);
			break;
		case KY_CT_INT:
			if (*(const int64_t *)(const void *)pa !=
			    *(const int64_t *)(const void *)pb)
				fail_msg("%s differs", k->key);
			break;
		case KY_CT_BOOL:
			if (*(const bool *)(const void *)pa !=
			    *(const bool *)(const void *)pb)
				fail_msg("%s differs", k->key);
			break;
		case KY_CT_STRLIST: {
			const struct ky_strlist *la = (const void *)pa;
			const struct ky_strlist *lb = (const void *)pb;
			assert_int_equal(la->n, lb->n);
			for (i = 0; i < la->n; i++)
				assert_string_equal(la->v[i], lb->v[i]);
			break;
		}
		case KY_CT_MAPRULES:
			assert_int_equal(a->nmaprules, b->nmaprules);
			for (i = 0; i < a->nmaprules; i++) {
				assert_string_equal(a->maprules[i].from,
						    b->maprules[i].from);
				assert_string_equal(a->maprules[i].to,
						    b->maprules[i].to);
			}
			break;
		case KY_CT_PATTERNS:
			assert_int_equal(a->npatterns, b->npatterns);
			for (i = 0; i < a->npatterns; i++) {
				assert_string_equal(a->patterns[i].name,
						    b->patterns[i].name);
				assert_true(str_eq(a->patterns[i].program,
						   b->patterns[i].program));
				assert_string_equal(a->patterns[i].pattern,
						    b->patterns[i].pattern);
			}
			break;
		case KY_CT_PLACEHOLDERS:
			assert_int_equal(a->nplaceholders, b->nplaceholders);
			for (i = 0; i < a->nplaceholders; i++) {
				const struct ky_config_placeholder *x, *y;
				x = &a->placeholders[i];
				y = &b->placeholders[i];
				assert_string_equal(x->name, y->name);
				assert_int_equal(x->values.n, y->values.n);
				for (size_t j = 0; j < x->values.n; j++)
					assert_string_equal(x->values.v[j],
							    y->values.v[j]);
			}
			break;
		}
	}
}

static inline void roundtrip(const struct ky_config *cfg)
{
	struct ky_config back;
	struct ky_buf b;
	struct ky_err err;

	ky_buf_init(&b, 0);
	assert_int_equal(ky_config_show(cfg, &b), 0);
	if (ky_config_load_mem(&back, "show", ky_buf_str(&b), b.len, &err) != 0)
		fail_msg("%s\n%s", err.msg, ky_buf_str(&b));
	assert_cfg_equal(cfg, &back);
	ky_config_free(&back);
	ky_buf_free(&b);
}

#endif
