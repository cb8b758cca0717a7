/* Worker alerts to the store in batches: copies per worker, one
 * transaction per batch on a connection of the alert writer's own. */
#include "node/alertlog.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"

struct ky_alertlog {
	pthread_mutex_t mu;
	struct ky_store *st;
	ky_alertlog_hook hook;
	void *hook_ud;
	_Atomic uint64_t stored, lost;
};

/* A row with its strings as offsets into the pending buffer (which may
 * move while it grows); SIZE_MAX stands for NULL. */
struct prow {
	struct ky_alert_row row;
	size_t rule_id, title, host, user, src_ip, json;
};

struct ky_alert_pending {
	struct prow *rows;
	size_t n, cap;
	struct ky_buf data;
};

int ky_alertlog_open(struct ky_alertlog **out, const char *store_path,
		     int busy_timeout_ms, struct ky_err *err)
{
	struct ky_alertlog *l = calloc(1, sizeof(*l));
	int r;

	*out = NULL;
	if (l == NULL)
		return ky_err_set(err, KY_E_NOMEM, "out of memory");
	if ((r = ky_store_open(&l->st, store_path, 0, busy_timeout_ms, err)) !=
	    0) {
		free(l);
		return r;
	}
	pthread_mutex_init(&l->mu, NULL);
	*out = l;
	return 0;
}

void ky_alertlog_set_hook(struct ky_alertlog *l, ky_alertlog_hook fn, void *ud)
{
	pthread_mutex_lock(&l->mu);
	l->hook = fn;
	l->hook_ud = ud;
	pthread_mutex_unlock(&l->mu);
}

void ky_alertlog_close(struct ky_alertlog *l)
{
	if (l == NULL)
		return;
	ky_store_close(l->st);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

int ky_alert_pending_new(struct ky_alert_pending **out)
{
	struct ky_alert_pending *p = calloc(1, sizeof(*p));

	*out = p;
	if (p == NULL)
		return KY_E_NOMEM;
	ky_buf_init(&p->data, 0);
	return 0;
}

void ky_alert_pending_free(struct ky_alert_pending *p)
{
	if (p == NULL)
		return;
	free(p->rows);
	ky_buf_free(&p->data);
	free(p);
}

size_t ky_alert_pending_count(const struct ky_alert_pending *p)
{
	return p->n;
}

static int put(struct ky_buf *b, const char *s, size_t n, size_t *off)
{
	if (s == NULL) {
		*off = SIZE_MAX;
		return 0;
	}
	*off = b->len;
	if (ky_buf_add(b, s, n) != 0 || ky_buf_addc(b, '\0') != 0)
		return KY_E_NOMEM;
	return 0;
}

static int put_str(struct ky_buf *b, const char *s, size_t *off)
{
	return put(b, s, s ? strlen(s) : 0, off);
}

int ky_alert_pending_add(struct ky_alert_pending *p,
			 const struct ky_alert_row *row)
{
	struct prow *pr;
	size_t mark = p->data.len;
	int r;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct prow *nr = ky_reallocarray(p->rows, cap, sizeof(*nr));

		if (nr == NULL)
			return KY_E_NOMEM;
		p->rows = nr;
		p->cap = cap;
	}
	pr = &p->rows[p->n];
	pr->row = *row;
	if ((r = put_str(&p->data, row->rule_id, &pr->rule_id)) != 0 ||
	    (r = put_str(&p->data, row->title, &pr->title)) != 0 ||
	    (r = put_str(&p->data, row->host, &pr->host)) != 0 ||
	    (r = put_str(&p->data, row->user, &pr->user)) != 0 ||
	    (r = put_str(&p->data, row->src_ip, &pr->src_ip)) != 0 ||
	    (r = put(&p->data, row->json, row->json_len, &pr->json)) != 0) {
		p->data.len = mark;
		return r;
	}
	p->n++;
	return 0;
}

static const char *at(const struct ky_alert_pending *p, size_t off)
{
	return off == SIZE_MAX ? NULL : p->data.data + off;
}

int ky_alertlog_write(struct ky_alertlog *l, struct ky_alert_pending *p,
		      struct ky_err *err)
{
	size_t n = p->n;
	int r;

	if (n == 0)
		return 0;
	pthread_mutex_lock(&l->mu);
	r = ky_store_begin(l->st, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct prow *pr = &p->rows[i];
		struct ky_alert_row row = pr->row;

		row.rule_id = at(p, pr->rule_id);
		row.title = at(p, pr->title);
		row.host = at(p, pr->host);
		row.user = at(p, pr->user);
		row.src_ip = at(p, pr->src_ip);
		row.json = at(p, pr->json);
		r = ky_store_add_alert(l->st, &row, err);
	}
	if (r == 0 && l->hook != NULL)
		l->hook(l->hook_ud, l->st);
	if (r == 0)
		r = ky_store_commit(l->st, err);
	if (r != 0)
		ky_store_rollback(l->st);
	pthread_mutex_unlock(&l->mu);
	if (r == 0)
		atomic_fetch_add(&l->stored, n);
	else
		atomic_fetch_add(&l->lost, n);
	p->n = 0;
	ky_buf_reset(&p->data);
	return r;
}

struct ky_store *ky_alertlog_lock(struct ky_alertlog *l)
{
	pthread_mutex_lock(&l->mu);
	return l->st;
}

void ky_alertlog_unlock(struct ky_alertlog *l)
{
	pthread_mutex_unlock(&l->mu);
}

void ky_alertlog_stats(struct ky_alertlog *l, struct ky_alertlog_stats *st)
{
	st->stored = atomic_load(&l->stored);
	st->lost = atomic_load(&l->lost);
}
