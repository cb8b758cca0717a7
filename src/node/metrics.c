/* Prometheus text exposition of the daemon's counters.  Label values are
 * escaped as the format requires (backslash, double quote, newline), so
 * an input name can never break a scrape. */
#include "node/metrics.h"

#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "base/buf.h"
#include "base/err.h"
#include "node/listen.h"
#include "node/queue.h"

int ky_metrics_family(struct ky_buf *out, const char *name, const char *type,
		      const char *help)
{
	return ky_buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
			   name, type);
}

static int add_label_value(struct ky_buf *out, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		if (*s == '\\')
			rc = ky_buf_adds(out, "\\\\");
		else if (*s == '"')
			rc = ky_buf_adds(out, "\\\"");
		else if (*s == '\n')
			rc = ky_buf_adds(out, "\\n");
		else
			rc = ky_buf_addc(out, *s);
	}
	return rc;
}

int ky_metrics_sample(struct ky_buf *out, const char *name, const char *label,
		      const char *value, uint64_t v)
{
	int rc;

	if ((rc = ky_buf_adds(out, name)) != 0)
		return rc;
	if (label != NULL) {
		if ((rc = ky_buf_addf(out, "{%s=\"", label)) != 0 ||
		    (rc = add_label_value(out, value)) != 0 ||
		    (rc = ky_buf_adds(out, "\"}")) != 0)
			return rc;
	}
	return ky_buf_addf(out, " %llu\n", (unsigned long long)v);
}

struct input_family {
	const char *name;
	const char *type;
	const char *help;
	size_t offset;
};

#define KY__IN(field) offsetof(struct ky_input_stats, field)

/* One table drives every input family, so a new counter is one line. */
static const struct input_family input_families[] = {
	{"kyklos_input_records_total", "counter",
	 "Records (frames, lines, datagrams) received by the input.",
	 KY__IN(records)},
	{"kyklos_input_bytes_total", "counter",
	 "Bytes of the records received by the input.", KY__IN(bytes)},
	{"kyklos_input_accepted_total", "counter",
	 "Records parsed into events.", KY__IN(accepted)},
	{"kyklos_input_rejected_total", "counter",
	 "Records rejected to the dead letter.", KY__IN(rejected)},
	{"kyklos_input_dropped_total", "counter",
	 "Records lost because the parse queue was full (UDP only).",
	 KY__IN(dropped)},
	{"kyklos_input_connections_total", "counter",
	 "Connections accepted by the input.", KY__IN(connections)},
	{"kyklos_input_connections_open", "gauge", "Connections open now.",
	 KY__IN(connections_open)},
	{"kyklos_input_connections_refused_total", "counter",
	 "Connections refused over serve.max_connections.",
	 KY__IN(connections_refused)},
	{"kyklos_input_backpressure_total", "counter",
	 "Times a connection stopped being read because the parse queue was "
	 "full.",
	 KY__IN(paused)},
};

int ky_metrics_write_inputs(struct ky_buf *out,
			    const struct ky_metrics_input *in, size_t n)
{
	size_t nf = sizeof(input_families) / sizeof(input_families[0]);
	int rc = 0;

	for (size_t f = 0; f < nf && rc == 0; f++) {
		const struct input_family *fam = &input_families[f];
		rc = ky_metrics_family(out, fam->name, fam->type, fam->help);
		for (size_t i = 0; i < n && rc == 0; i++) {
			const _Atomic uint64_t *c =
				(const _Atomic uint64_t *)((const char *)in[i]
								   .st +
							   fam->offset);
			rc = ky_metrics_sample(
				out, fam->name, "input", in[i].name,
				atomic_load_explicit(c, memory_order_relaxed));
		}
	}
	return rc;
}

int ky_metrics_write_queues(struct ky_buf *out,
			    const struct ky_metrics_queue *q, size_t n)
{
	static const struct {
		const char *name, *type, *help;
		size_t offset;
	} fams[] = {
		{"kyklos_queue_in_total", "counter",
		 "Records pushed into the queue.",
		 offsetof(struct ky_queue_stats, in)},
		{"kyklos_queue_out_total", "counter",
		 "Records taken from the queue by workers.",
		 offsetof(struct ky_queue_stats, out)},
		{"kyklos_queue_dropped_total", "counter",
		 "Records dropped because the queue was full.",
		 offsetof(struct ky_queue_stats, dropped)},
		{"kyklos_queue_depth", "gauge", "Batches waiting in the queue.",
		 offsetof(struct ky_queue_stats, depth)},
		{"kyklos_queue_capacity", "gauge",
		 "Batches the queue holds at most.",
		 offsetof(struct ky_queue_stats, capacity)},
	};
	int rc = 0;

	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]) && rc == 0; f++) {
		rc = ky_metrics_family(out, fams[f].name, fams[f].type,
				       fams[f].help);
		for (size_t i = 0; i < n && rc == 0; i++) {
			const uint64_t *v =
				(const uint64_t *)((const char *)q[i].st +
						   fams[f].offset);
			rc = ky_metrics_sample(out, fams[f].name, "queue",
					       q[i].name, *v);
		}
	}
	return rc;
}

static void http_cb(struct evhttp_request *req, void *ud)
{
	const struct ky_metrics_source *h = ud;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	struct evbuffer *reply = evbuffer_new();
	struct ky_buf b;

	if (reply == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	ky_buf_init(&b, 4 << 20);
	if (path == NULL || strcmp(path, "/metrics") != 0) {
		evbuffer_add_printf(reply, "not found; try /metrics\n");
		evhttp_send_reply(req, HTTP_NOTFOUND, "Not Found", reply);
	} else if (h->render(h->ud, &b) != 0) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
	} else {
		evbuffer_add(reply, b.data, b.len);
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Content-Type",
				  "text/plain; version=0.0.4; charset=utf-8");
		evhttp_send_reply(req, HTTP_OK, "OK", reply);
	}
	ky_buf_free(&b);
	evbuffer_free(reply);
}

int ky_metrics_http_open(struct evhttp **out, struct event_base *base,
			 const char *spec, const struct ky_metrics_source *src,
			 char *bound, size_t boundlen, struct ky_err *err)
{
	struct evhttp *http = NULL;
	int fd = -1, rc;

	*out = NULL;
	rc = ky_listen_bind(spec, SOCK_STREAM, &fd, bound, boundlen, err);
	if (rc != 0) {
		ky_err_prefix(err, "serve.metrics");
		goto out;
	}
	if ((http = evhttp_new(base)) == NULL) {
		rc = ky_err_set(err, KY_E_NOMEM, "serve.metrics: evhttp");
		goto out;
	}
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(http, 16384);
	evhttp_set_max_body_size(http, 0);
	evhttp_set_timeout(http, 30);
	evhttp_set_gencb(http, http_cb, (void *)src);
	if (evhttp_accept_socket_with_handle(http, fd) == NULL) {
		rc = ky_err_set(err, KY_E_NET, "serve.metrics: %s: accept",
				bound);
		goto out;
	}
	fd = -1; /* transferred */
	*out = http;
	http = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (http != NULL)
		evhttp_free(http);
	return rc;
}
