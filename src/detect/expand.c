/* Sigma |expand (placeholders replaced by the values of their lists) and
 * the rejection message of the compiler, split from compile.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/hash.h"
#include "detect/ruleset_int.h"

#define MAX_ALTERNATIVES 4096
#define MAX_VALUE_BYTES (1u << 20)

int ky__unsup(struct ky_err *err, const struct ky__rule *cr,
	      const struct ky_sigma_item *it, const char *fmt, ...)
{
	char reason[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return ky_err_set(err, KY_E_UNSUPPORTED, "%s:%u:%u: %s",
			  cr->rule->path ? cr->rule->path : "(rule)",
			  it ? it->line : cr->rule->line, it ? it->col : 0,
			  reason);
}

/* |expand: every %name% replaced by each value of the placeholder list
 * (a product when there are several); "\%" is a plain percent. */
int ky__expand(const struct ky_ruleset *rs, const struct ky__rule *cr,
	       const struct ky_sigma_item *it, const char *s, size_t n,
	       char ***out, size_t *nout, struct ky_err *err)
{
	char **cur = NULL, **next = NULL;
	size_t ncur = 0, nnext = 0;
	int r = 0;
	struct ky_buf lit;

	ky_buf_init(&lit, MAX_VALUE_BYTES);
	cur = calloc(1, sizeof(*cur));
	if (cur == NULL || (cur[0] = strdup("")) == NULL) {
		r = KY_E_NOMEM;
		goto out;
	}
	ncur = 1;
	for (size_t i = 0; i <= n && r == 0;) {
		const struct ky_strlist *sl = NULL;
		const char *end;
		size_t nv;

		if (i < n && s[i] == '\\' && i + 1 < n && s[i + 1] == '%') {
			r = ky_buf_addc(&lit, '%');
			i += 2;
			continue;
		}
		if (i < n && s[i] != '%') {
			r = ky_buf_addc(&lit, s[i++]);
			continue;
		}
		end = i < n ? memchr(s + i + 1, '%', n - i - 1) : NULL;
		if (i < n && end == NULL) {
			r = ky_buf_addc(&lit, s[i++]);
			continue;
		}
		/* flush literal text (and, at a placeholder, expand it) */
		if (i < n) {
			if (rs->placeholders != NULL)
				sl = ky_hash_get(rs->placeholders, s + i + 1,
						 (size_t)(end - s - i - 1));
			if (sl == NULL || sl->n == 0) {
				r = ky__unsup(err, cr, it,
					      "unresolved placeholder %.*s",
					      (int)(end - s - i + 1), s + i);
				goto out;
			}
		}
		nv = sl ? sl->n : 1;
		if (ncur * nv > MAX_ALTERNATIVES) {
			r = ky__unsup(err, cr, it,
				      "placeholders expand to more "
				      "than 4096 values");
			goto out;
		}
		next = calloc(ncur * nv, sizeof(*next));
		if (next == NULL) {
			r = KY_E_NOMEM;
			goto out;
		}
		for (size_t a = 0; a < ncur && r == 0; a++) {
			for (size_t v = 0; v < nv && r == 0; v++) {
				struct ky_buf b;

				ky_buf_init(&b, MAX_VALUE_BYTES);
				r = ky_buf_adds(&b, cur[a]);
				if (r == 0 && lit.len)
					r = ky_buf_add(&b, lit.data, lit.len);
				if (r == 0 && sl)
					r = ky_buf_adds(&b, sl->v[v]);
				if (r == 0 && (next[nnext] = ky_buf_steal(
						       &b, NULL)) == NULL)
					r = KY_E_NOMEM;
				if (r == 0)
					nnext++;
				ky_buf_free(&b);
			}
		}
		for (size_t a = 0; a < ncur; a++)
			free(cur[a]);
		free(cur);
		cur = next;
		ncur = nnext;
		next = NULL;
		nnext = 0;
		ky_buf_reset(&lit);
		i = i < n ? (size_t)(end - s) + 1 : n + 1;
	}
out:
	ky_buf_free(&lit);
	for (size_t a = 0; a < nnext; a++)
		free(next[a]);
	free(next);
	if (r != 0) {
		for (size_t a = 0; a < ncur; a++)
			free(cur[a]);
		free(cur);
		cur = NULL;
		ncur = 0;
	}
	*out = cur;
	*nout = ncur;
	return r;
}
