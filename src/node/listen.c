/* Listener plumbing: address parsing and binding, the TLS server context,
 * and the RFC 6587 framer that cuts a TCP/TLS byte stream into records
 * without ever splitting an oversized one (it is skipped whole). */
#include "node/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "base/config.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/log.h"
#include "base/time.h"
#include "node/queue.h"

/* Bytes of a refused frame kept as evidence in the dead letter. */
#define KY_FRAME_PREFIX 256
/* "4294967295 " is more than any sane frame; a longer digit run is data. */
#define KY_FRAME_MAX_DIGITS 10

int ky_listen_parse(const char *spec, struct sockaddr_storage *ss,
		    socklen_t *sslen, struct ky_err *err)
{
	char host[256];
	const char *colon, *port, *h = spec;
	size_t hlen;
	struct addrinfo hints, *res = NULL;
	int gai;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || close[1] != ':')
			return ky_err_set(err, KY_E_INVAL,
					  "address '%s': expected [IPv6]:port",
					  spec);
		h = spec + 1;
		hlen = (size_t)(close - h);
		port = close + 2;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL)
			return ky_err_set(err, KY_E_INVAL,
					  "address '%s': expected host:port",
					  spec);
		if (strchr(spec, ':') != colon)
			return ky_err_set(err, KY_E_INVAL,
					  "address '%s': write IPv6 addresses "
					  "as [addr]:port",
					  spec);
		hlen = (size_t)(colon - spec);
		port = colon + 1;
	}
	if (hlen >= sizeof(host))
		return ky_err_set(err, KY_E_INVAL,
				  "address '%s': host too long", spec);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    strlen(port) > 5 || strtol(port, NULL, 10) > 65535)
		return ky_err_set(err, KY_E_INVAL,
				  "address '%s': bad port '%s'", spec, port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if (strcmp(host, "*") == 0 || host[0] == '\0')
		hints.ai_family = AF_INET;
	gai = getaddrinfo(strcmp(host, "*") == 0 || host[0] == '\0' ? NULL
								    : host,
			  port, &hints, &res);
	if (gai != 0 || res == NULL)
		return ky_err_set(err, KY_E_INVAL, "address '%s': %s", spec,
				  gai_strerror(gai));
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void ky_sockaddr_str(const struct sockaddr *sa, char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(out, outlen, "%s:%u", ip, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(out, outlen, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		snprintf(out, outlen, "?");
	}
}

int ky_listen_bind(const char *spec, int socktype, int *fd, char *bound,
		   size_t boundlen, struct ky_err *err)
{
	struct sockaddr_storage ss, got;
	socklen_t sslen, glen = sizeof(got);
	int s = -1, one = 1, rc;

	*fd = -1;
	if ((rc = ky_listen_parse(spec, &ss, &sslen, err)) != 0)
		goto out;
	s = socket(ss.ss_family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0) {
		rc = ky_err_set(err, KY_E_NET, "%s: socket: %s", spec,
				strerror(errno));
		goto out;
	}
	if (socktype == SOCK_STREAM)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, sslen) != 0) {
		rc = ky_err_set(err, KY_E_NET, "%s: bind: %s", spec,
				strerror(errno));
		goto out;
	}
	if (socktype == SOCK_STREAM && listen(s, 128) != 0) {
		rc = ky_err_set(err, KY_E_NET, "%s: listen: %s", spec,
				strerror(errno));
		goto out;
	}
	if (getsockname(s, (struct sockaddr *)&got, &glen) != 0) {
		rc = ky_err_set(err, KY_E_NET, "%s: getsockname: %s", spec,
				strerror(errno));
		goto out;
	}
	ky_sockaddr_str((struct sockaddr *)&got, bound, boundlen);
	*fd = s;
	s = -1; /* transferred */
out:
	if (s >= 0)
		close(s);
	return rc;
}

static void tls_err(struct ky_err *err, const char *what, const char *path)
{
	char buf[256];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	ky_err_set(err, KY_E_TLS, "%s '%s': %s", what, path, buf);
}

static void join_path(char *out, size_t outlen, const char *home, const char *p)
{
	if (p[0] == '/' || home == NULL)
		snprintf(out, outlen, "%s", p);
	else
		snprintf(out, outlen, "%s/%s", home, p);
}

int ky_listen_tls_ctx(void **out, const char *home, const char *cert,
		      const char *key, const char *ca, struct ky_err *err)
{
	char path[4096];
	SSL_CTX *ctx = NULL;
	int rc = KY_E_TLS;

	*out = NULL;
	if (cert == NULL || cert[0] == '\0' || key == NULL || key[0] == '\0') {
		rc = ky_err_set(err, KY_E_CONFIG,
				"TLS listener needs serve.tls_cert and "
				"serve.tls_key");
		goto out;
	}
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		tls_err(err, "SSL_CTX_new", "-");
		goto out;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	/* No TLS 1.3 session tickets: a sender that writes and closes
	 * without reading would leave them unread, and its kernel would
	 * then reset the connection, discarding frames not yet read here. */
	SSL_CTX_set_num_tickets(ctx, 0);
	join_path(path, sizeof(path), home, cert);
	if (SSL_CTX_use_certificate_chain_file(ctx, path) != 1) {
		tls_err(err, "certificate", path);
		goto out;
	}
	join_path(path, sizeof(path), home, key);
	if (SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		tls_err(err, "private key", path);
		goto out;
	}
	if (ca != NULL && ca[0] != '\0') {
		STACK_OF(X509_NAME) * names;
		join_path(path, sizeof(path), home, ca);
		if (SSL_CTX_load_verify_locations(ctx, path, NULL) != 1) {
			tls_err(err, "CA file", path);
			goto out;
		}
		names = SSL_load_client_CA_file(path);
		if (names != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(
			ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			NULL);
	}
	*out = ctx;
	ctx = NULL; /* transferred */
	rc = 0;
out:
	SSL_CTX_free(ctx);
	return rc;
}

void ky_framer_init(struct ky_framer *f, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->max = max;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Starts a frame at the current stream position. */
static void frame_begin(struct ky_framer *f, struct ky_frame *fr,
			enum ky_frame_kind kind)
{
	fr->kind = kind;
	fr->line = ++f->frames;
	fr->offset = f->offset;
}

static void framer_lf(struct ky_framer *f, const char *p, size_t n, bool eof,
		      struct ky_frame *fr)
{
	const char *nl = memchr(p, '\n', n);
	size_t len;

	if (nl != NULL) {
		len = (size_t)(nl - p);
		fr->consumed = len + 1;
	} else if (n > f->max) {
		/* Refuse now and discard the rest of the line as it
		 * arrives: the buffer must not grow to hold it. */
		frame_begin(f, fr, KY_FRAME_TOOBIG);
		fr->rec = p;
		fr->len = min_sz(n, KY_FRAME_PREFIX);
		fr->size = n;
		fr->consumed = n;
		f->skip_lf = !eof;
		return;
	} else if (eof) {
		len = n;
		fr->consumed = n;
	} else {
		return; /* wait for the LF */
	}
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len > f->max) {
		frame_begin(f, fr, KY_FRAME_TOOBIG);
		fr->len = min_sz(len, KY_FRAME_PREFIX);
		fr->size = len;
	} else {
		frame_begin(f, fr, KY_FRAME_RECORD);
		fr->len = len;
	}
	fr->rec = p;
}

void ky_framer_next(struct ky_framer *f, const char *p, size_t n, bool eof,
		    struct ky_frame *fr)
{
	size_t i = 0, hdr;
	uint64_t len = 0;

	memset(fr, 0, sizeof(*fr));
	if (f->skip > 0) {
		fr->consumed = (size_t)(f->skip < n ? f->skip : n);
		f->skip -= fr->consumed;
		goto out;
	}
	if (f->skip_lf) {
		const char *nl = memchr(p, '\n', n);
		fr->consumed = nl != NULL ? (size_t)(nl - p) + 1 : n;
		f->skip_lf = nl == NULL && !eof;
		goto out;
	}
	while (i < n && (p[i] == '\n' || p[i] == '\r'))
		i++;
	if (i > 0 || n == 0) {
		fr->consumed = i;
		goto out;
	}
	if (p[0] >= '1' && p[0] <= '9') {
		while (i < n && i < KY_FRAME_MAX_DIGITS && p[i] >= '0' &&
		       p[i] <= '9')
			len = len * 10 + (uint64_t)(p[i++] - '0');
		if (i == n && i < KY_FRAME_MAX_DIGITS && !eof)
			goto out; /* cannot tell the framing yet */
		if (i < n && p[i] == ' ') {
			hdr = i + 1;
			if (len > f->max) {
				frame_begin(f, fr, KY_FRAME_TOOBIG);
				fr->rec = p + hdr;
				fr->len = min_sz(n - hdr, KY_FRAME_PREFIX);
				fr->len =
					(size_t)(len < fr->len ? len : fr->len);
				fr->size = len;
				fr->consumed =
					hdr +
					(size_t)(len < n - hdr ? len : n - hdr);
				f->skip = len - (fr->consumed - hdr);
				goto out;
			}
			if (n - hdr >= len) {
				frame_begin(f, fr, KY_FRAME_RECORD);
				fr->rec = p + hdr;
				fr->len = (size_t)len;
				fr->consumed = hdr + (size_t)len;
			} else if (eof) {
				frame_begin(f, fr, KY_FRAME_TRUNCATED);
				fr->rec = p + hdr;
				fr->len = min_sz(n - hdr, KY_FRAME_PREFIX);
				fr->size = len;
				fr->consumed = n;
			}
			goto out;
		}
	}
	framer_lf(f, p, n, eof, fr);
out:
	f->offset += fr->consumed;
}

/* ---- the input side of the daemon ------------------------------------- */

/* A partial batch waits at most this long for more records. */
#define FLUSH_USEC 20000
/* Input buffer beyond one maximal frame, so reads stay large. */
#define READ_SLACK 65536
#define UDP_BURST 256

struct conn;

struct input {
	struct ky_input_info info;
	struct ky_inputs *s;
	int idx;
	const char *spec;
	int socktype;
	bool tls;
	int fd;
	struct evconnlistener *lst;
	struct event *ev; /* UDP readable */
	struct event *timer;
	bool timer_armed;
	struct ky_batch *pending;
	bool stuck;	     /* pending is full and the queue was too */
	struct conn *paused; /* connections waiting for queue room */
	uint64_t udp_seq, udp_key;
	char udp_src[128];
};

struct conn {
	struct ky_inputs *s;
	struct input *in;
	struct bufferevent *bev;
	struct ky_framer fr;
	uint64_t id;
	char src[128]; /* "syslog_tcp from 127.0.0.1:50123" */
	bool paused, eof;
	struct conn *next, *prev, *pnext;
};

struct ky_inputs {
	const struct ky_config *cfg;
	struct event_base *base;
	struct ky_queue *q;
	struct ky_batch_pool *pool;
	struct input in[KY_IN_COUNT];
	struct conn *conns;
	size_t nconns;
	uint64_t next_conn_id;
	SSL_CTX *tls;
	size_t batch_size, max_line;
	bool stopping;
	char *udp_buf;
};

static const struct {
	const char *key;
	size_t offset;
	int socktype;
	bool tls;
	enum ky_format fmt;
} input_defs[KY_IN_COUNT] = {
	{"syslog_udp", offsetof(struct ky_config, syslog_udp), SOCK_DGRAM,
	 false, KY_FMT_AUTO},
	{"syslog_tcp", offsetof(struct ky_config, syslog_tcp), SOCK_STREAM,
	 false, KY_FMT_AUTO},
	{"syslog_tls", offsetof(struct ky_config, syslog_tls), SOCK_STREAM,
	 true, KY_FMT_AUTO},
	{"json_tcp", offsetof(struct ky_config, json_tcp), SOCK_STREAM, false,
	 KY_FMT_JSON},
};

/* ---- batches ---------------------------------------------------------- */

static struct ky_batch *batch_get(struct ky_inputs *s)
{
	size_t bytes = 2 * (s->max_line + 512);

	return ky_batch_pool_get(s->pool, s->batch_size,
				 bytes < 1048576 ? 1048576 : bytes);
}

/* Hands the input's partial batch to the workers.  Without block, a full
 * queue leaves it pending (stuck) and returns KY_E_AGAIN. */
static int input_flush(struct input *in, bool block)
{
	struct ky_batch *b = in->pending;
	int rc;

	if (b == NULL || b->n == 0) {
		in->stuck = false;
		return 0;
	}
	rc = block ? ky_queue_push(in->s->q, b, b->n)
		   : ky_queue_try_push(in->s->q, b, b->n);
	if (rc == 0) {
		in->pending = NULL; /* transferred */
		in->stuck = false;
	} else if (rc == KY_E_AGAIN) {
		in->stuck = true;
	}
	return rc;
}

static void timer_cb(evutil_socket_t fd, short what, void *ud)
{
	struct input *in = ud;

	(void)fd;
	(void)what;
	in->timer_armed = false;
	input_flush(in, false);
}

/* Appends one frame to the input's batch.  Returns 0, or KY_E_AGAIN when
 * no room is left now (nothing appended; the caller backs off), or
 * KY_E_NOMEM. */
static int input_add(struct input *in, uint64_t src_key, const char *src,
		     enum ky_rec_kind kind, const char *p, size_t n,
		     uint64_t size, uint64_t line, uint64_t offset,
		     int64_t recv_ns, bool block)
{
	int rc;

	if (in->stuck && !block)
		return KY_E_AGAIN;
	if (in->pending != NULL && ky_batch_full(in->pending, n + 256) &&
	    (rc = input_flush(in, block)) != 0)
		return rc;
	if (in->pending == NULL) {
		in->pending = batch_get(in->s);
		if (in->pending == NULL)
			return KY_E_NOMEM;
		in->pending->input = in->idx;
	}
	rc = ky_batch_add(in->pending, src_key, src, kind, p, n, size, line,
			  offset, recv_ns);
	if (rc != 0)
		return rc;
	atomic_fetch_add_explicit(&in->info.st.records, 1,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&in->info.st.bytes, size,
				  memory_order_relaxed);
	if (in->pending->n >= in->s->batch_size) {
		input_flush(in, block); /* when stuck, it waits in pending */
	} else if (!in->timer_armed) {
		struct timeval tv = {0, FLUSH_USEC};
		evtimer_add(in->timer, &tv);
		in->timer_armed = true;
	}
	return 0;
}

/* ---- stream connections ----------------------------------------------- */

static void conn_free(struct conn *c)
{
	struct ky_inputs *s = c->s;
	struct conn **pp;

	if (c->paused) {
		for (pp = &c->in->paused; *pp != NULL; pp = &(*pp)->pnext) {
			if (*pp == c) {
				*pp = c->pnext;
				break;
			}
		}
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->nconns--;
	atomic_fetch_sub_explicit(&c->in->info.st.connections_open, 1,
				  memory_order_relaxed);
	bufferevent_free(c->bev);
	free(c);
}

static void conn_pause(struct conn *c)
{
	c->paused = true;
	atomic_fetch_add_explicit(&c->in->info.st.paused, 1,
				  memory_order_relaxed);
	bufferevent_disable(c->bev, EV_READ);
	c->pnext = c->in->paused;
	c->in->paused = c;
}

static enum ky_rec_kind rec_kind(enum ky_frame_kind k)
{
	if (k == KY_FRAME_TOOBIG)
		return KY_REC_TOOBIG;
	if (k == KY_FRAME_TRUNCATED)
		return KY_REC_TRUNCATED;
	return KY_REC_DATA;
}

/* Frames what the connection has buffered.  eof: the stream is over (the
 * connection is freed once all is handed on).  Returns true when c was
 * freed. */
static bool conn_process_buf(struct conn *c, struct evbuffer *buf, bool eof,
			     bool block)
{
	size_t n = evbuffer_get_length(buf), pos = 0;
	const char *p = n > 0 ? (const char *)evbuffer_pullup(buf, -1) : "";
	int64_t now = ky_time_now_ns();
	struct ky_frame fr;
	int rc;

	c->eof = c->eof || eof;
	c->fr.max = c->s->max_line;
	if (p == NULL)
		p = "", n = 0;
	for (;;) {
		struct ky_framer saved = c->fr;
		ky_framer_next(&c->fr, p + pos, n - pos, c->eof, &fr);
		if (fr.kind != KY_FRAME_NONE) {
			rc = input_add(c->in, c->id, c->src, rec_kind(fr.kind),
				       fr.rec, fr.len,
				       fr.kind == KY_FRAME_RECORD ? fr.len
								  : fr.size,
				       fr.line, fr.offset, now, block);
			if (rc == KY_E_AGAIN) {
				c->fr = saved;
				conn_pause(c);
				break;
			}
			if (rc != 0)
				KY_WARN("%s: record %llu lost: %s", c->src,
					(unsigned long long)fr.line,
					ky_strerror(rc));
		}
		if (fr.kind == KY_FRAME_NONE && fr.consumed == 0)
			break;
		pos += fr.consumed;
	}
	evbuffer_drain(buf, pos);
	if (c->eof && !c->paused) {
		conn_free(c);
		return true;
	}
	return false;
}

static bool conn_process(struct conn *c, bool eof, bool block)
{
	return conn_process_buf(c, bufferevent_get_input(c->bev), eof, block);
}

static void conn_read_cb(struct bufferevent *bev, void *ud)
{
	(void)bev;
	conn_process(ud, false, false);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *ud)
{
	struct conn *c = ud;

	if (what & BEV_EVENT_ERROR) {
		unsigned long e = bufferevent_get_openssl_error(bev);
		char msg[160] = "";
		if (e != 0)
			ERR_error_string_n(e, msg, sizeof(msg));
		KY_DEBUG("%s: connection error: %s", c->src,
			 msg[0] ? msg : strerror(EVUTIL_SOCKET_ERROR()));
	} else if (what & BEV_EVENT_TIMEOUT) {
		KY_DEBUG("%s: idle, closing", c->src);
	}
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)))
		return;
	if (c->paused) {
		/* Already on the paused list: ky_inputs_resume frames the
		 * rest and frees it; processing now would link it twice. */
		c->eof = true;
		return;
	}
	conn_process(c, true, false);
}

static void set_conn_limits(struct conn *c)
{
	int64_t idle = c->s->cfg->idle_timeout;

	bufferevent_setwatermark(c->bev, EV_READ, 0,
				 c->s->max_line + READ_SLACK);
	if (idle > 0) {
		struct timeval tv = {(time_t)idle, 0};
		bufferevent_set_timeouts(c->bev, &tv, NULL);
	}
}

static void accept_cb(struct evconnlistener *lst, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *ud)
{
	struct input *in = ud;
	struct ky_inputs *s = in->s;
	struct conn *c = NULL;
	char peer[80];
	SSL *ssl = NULL;

	(void)lst;
	(void)salen;
	ky_sockaddr_str(sa, peer, sizeof(peer));
	if (s->stopping || (int64_t)s->nconns >= s->cfg->max_connections) {
		uint64_t n = atomic_fetch_add_explicit(
				     &in->info.st.connections_refused, 1,
				     memory_order_relaxed) +
			     1;
		/* Logged at 1, 2, 4, 8...: a flood must not flood the log. */
		if ((n & (n - 1)) == 0)
			KY_WARN("%s: refusing %s: %zu connections open "
				"(serve.max_connections); %llu refused so far",
				in->info.key, peer, s->nconns,
				(unsigned long long)n);
		evutil_closesocket(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto fail;
	if (in->tls) {
		if ((ssl = SSL_new(s->tls)) == NULL)
			goto fail;
		c->bev = bufferevent_openssl_socket_new(
			s->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
			BEV_OPT_CLOSE_ON_FREE);
		if (c->bev != NULL)
			bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	} else {
		c->bev = bufferevent_socket_new(s->base, fd,
						BEV_OPT_CLOSE_ON_FREE);
	}
	if (c->bev == NULL)
		goto fail;
	c->s = s;
	c->in = in;
	c->id = ++s->next_conn_id;
	snprintf(c->src, sizeof(c->src), "%s from %s", in->info.key, peer);
	ky_framer_init(&c->fr, s->max_line);
	c->next = s->conns;
	if (s->conns != NULL)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	atomic_fetch_add_explicit(&in->info.st.connections, 1,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&in->info.st.connections_open, 1,
				  memory_order_relaxed);
	bufferevent_setcb(c->bev, conn_read_cb, NULL, conn_event_cb, c);
	set_conn_limits(c);
	bufferevent_enable(c->bev, EV_READ);
	KY_DEBUG("%s: connected", c->src);
	return;
fail:
	KY_ERROR("%s: cannot set up connection from %s", in->info.key, peer);
	if (c != NULL && c->bev != NULL) {
		bufferevent_free(c->bev); /* closes fd, frees ssl */
	} else {
		SSL_free(ssl);
		evutil_closesocket(fd);
	}
	free(c);
}

void ky_inputs_resume(struct ky_inputs *s)
{
	for (int i = 0; i < KY_IN_COUNT; i++) {
		struct input *in = &s->in[i];
		struct conn *list, *c;

		if (in->stuck && input_flush(in, false) != 0)
			continue;
		list = in->paused;
		in->paused = NULL;
		while ((c = list) != NULL && !in->stuck) {
			list = c->pnext;
			c->paused = false;
			if (!conn_process(c, c->eof, false) && !c->paused)
				bufferevent_enable(c->bev, EV_READ);
		}
		/* Connections not reached stay paused, behind new ones. */
		while ((c = list) != NULL) {
			list = c->pnext;
			c->pnext = in->paused;
			in->paused = c;
		}
	}
}

/* ---- UDP -------------------------------------------------------------- */

/* Reads datagrams until the socket is empty or a burst is done; block is
 * for the final drain at stop, which must not drop. */
static void udp_read(struct input *in, bool block, int burst)
{
	struct ky_inputs *s = in->s;
	struct sockaddr_storage ss;
	int64_t now = ky_time_now_ns();

	for (int i = 0; i < burst; i++) {
		socklen_t sl = sizeof(ss);
		ssize_t r = recvfrom(in->fd, s->udp_buf, 65536,
				     MSG_DONTWAIT | MSG_TRUNC,
				     (struct sockaddr *)&ss, &sl);
		size_t n, keep;
		uint64_t key;
		enum ky_rec_kind kind = KY_REC_DATA;
		int rc;

		if (r < 0)
			break; /* EAGAIN, or an ICMP error: nothing to do */
		n = (size_t)r;
		/* The whole address: the first 8 bytes of an IPv6 one hold
		 * no address, only family, port and flow label. */
		key = ky_hash_bytes(&ss, sl < sizeof(ss) ? sl : sizeof(ss)) | 1;
		if (key != in->udp_key) {
			char peer[80];
			ky_sockaddr_str((struct sockaddr *)&ss, peer,
					sizeof(peer));
			snprintf(in->udp_src, sizeof(in->udp_src), "%s from %s",
				 in->info.key, peer);
			in->udp_key = key;
		}
		keep = n > 65536 ? 65536 : n;
		if (n > s->max_line) {
			kind = KY_REC_TOOBIG;
			keep = keep < 256 ? keep : 256;
		}
		in->udp_seq++;
		rc = input_add(in, key, in->udp_src, kind, s->udp_buf, keep, n,
			       in->udp_seq, 0, now, block);
		if (rc != 0) {
			atomic_fetch_add_explicit(&in->info.st.dropped, 1,
						  memory_order_relaxed);
			ky_queue_count_dropped(s->q, 1);
		}
	}
}

static void udp_cb(evutil_socket_t fd, short what, void *ud)
{
	(void)fd;
	(void)what;
	udp_read(ud, false, UDP_BURST);
}

static int open_inputs(struct ky_inputs *s, struct ky_err *err)
{
	int rc = 0;

	for (int i = 0; i < KY_IN_COUNT && rc == 0; i++) {
		struct input *in = &s->in[i];
		if (!in->info.on)
			continue;
		rc = ky_listen_bind(in->spec, in->socktype, &in->fd,
				    in->info.bound, sizeof(in->info.bound),
				    err);
		if (rc != 0) {
			ky_err_prefix(err, "serve.%s", in->info.key);
			break;
		}
		char name[sizeof(in->info.name)];
		/* Through a local: gcc cannot see that key does not point
		 * into info.name and warns of overlap. */
		snprintf(name, sizeof(name), "%s:%s", in->info.key,
			 in->info.bound);
		memcpy(in->info.name, name, sizeof(name));
		in->timer = evtimer_new(s->base, timer_cb, in);
		if (in->socktype == SOCK_DGRAM) {
			int sz = 4 << 20;
			/* Bursts wait in the kernel while a batch is cut. */
			setsockopt(in->fd, SOL_SOCKET, SO_RCVBUF, &sz,
				   sizeof(sz));
			in->ev = event_new(s->base, in->fd,
					   EV_READ | EV_PERSIST, udp_cb, in);
			if (in->ev == NULL || event_add(in->ev, NULL) != 0)
				rc = ky_err_set(err, KY_E_NOMEM, "serve.%s",
						in->info.key);
			continue;
		}
		if (in->tls && s->tls == NULL) {
			void *ctx = NULL;
			rc = ky_listen_tls_ctx(
				&ctx, s->cfg->home, s->cfg->tls_cert,
				s->cfg->tls_key, s->cfg->tls_ca, err);
			s->tls = ctx;
			if (rc != 0) {
				ky_err_prefix(err, "serve.%s", in->info.key);
				break;
			}
		}
		in->lst = evconnlistener_new(s->base, accept_cb, in,
					     LEV_OPT_CLOSE_ON_FREE |
						     LEV_OPT_CLOSE_ON_EXEC,
					     0, in->fd);
		if (in->lst == NULL)
			rc = ky_err_set(err, KY_E_NET, "serve.%s: listener",
					in->info.key);
		else
			in->fd = -1; /* transferred */
	}
	return rc;
}

int ky_inputs_open(struct ky_inputs **out, struct event_base *base,
		   const struct ky_config *cfg, struct ky_queue *q,
		   struct ky_batch_pool *pool, struct ky_err *err)
{
	struct ky_inputs *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (s == NULL || (s->udp_buf = malloc(65536)) == NULL) {
		free(s);
		return ky_err_set(err, KY_E_NOMEM, "inputs");
	}
	s->cfg = cfg;
	s->base = base;
	s->q = q;
	s->pool = pool;
	s->batch_size = cfg->batch_size > 0 ? (size_t)cfg->batch_size : 256;
	s->max_line = cfg->max_line > 0 ? (size_t)cfg->max_line : 65536;
	for (int i = 0; i < KY_IN_COUNT; i++) {
		struct input *in = &s->in[i];
		const char *spec = *(char *const *)((const char *)cfg +
						    input_defs[i].offset);
		in->s = s;
		in->idx = i;
		in->info.key = input_defs[i].key;
		in->info.fmt = input_defs[i].fmt;
		in->info.on = spec != NULL && spec[0] != '\0';
		in->spec = spec;
		in->socktype = input_defs[i].socktype;
		in->tls = input_defs[i].tls;
		in->fd = -1;
	}
	if ((rc = open_inputs(s, err)) != 0) {
		ky_inputs_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void ky_inputs_free(struct ky_inputs *s)
{
	if (s == NULL)
		return;
	while (s->conns != NULL)
		conn_free(s->conns);
	for (int i = 0; i < KY_IN_COUNT; i++) {
		struct input *in = &s->in[i];
		if (in->lst != NULL)
			evconnlistener_free(in->lst);
		if (in->ev != NULL)
			event_free(in->ev);
		if (in->timer != NULL)
			event_free(in->timer);
		if (in->fd >= 0)
			close(in->fd);
		ky_batch_free(in->pending);
	}
	SSL_CTX_free(s->tls);
	free(s->udp_buf);
	free(s);
}

const struct ky_input_info *ky_inputs_info(const struct ky_inputs *s, int id)
{
	return &s->in[id].info;
}

struct ky_input_stats *ky_inputs_stats(struct ky_inputs *s, int id)
{
	return &s->in[id].info.st;
}

void ky_inputs_set_max_line(struct ky_inputs *s, size_t max_line)
{
	s->max_line = max_line;
	for (struct conn *c = s->conns; c != NULL; c = c->next)
		set_conn_limits(c);
}

void ky_inputs_drain(struct ky_inputs *s)
{
	struct evbuffer *tmp;
	struct conn *c, *next;

	s->stopping = true;
	for (int i = 0; i < KY_IN_COUNT; i++) {
		struct input *in = &s->in[i];
		if (in->lst != NULL) {
			evconnlistener_free(in->lst);
			in->lst = NULL;
		}
		if (in->ev != NULL) {
			udp_read(in, true, 1 << 20);
			event_free(in->ev);
			in->ev = NULL;
			close(in->fd);
			in->fd = -1;
		}
		/* Blocking pushes from here on: nothing waits for room. */
		for (c = in->paused; c != NULL; c = c->pnext)
			c->paused = false;
		in->paused = NULL;
	}
	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (!c->in->tls && !c->eof && (tmp = evbuffer_new()) != NULL) {
			/* The bufferevent's input is frozen for appending, so
			 * what the socket still holds is read into tmp. */
			evutil_socket_t fd = bufferevent_getfd(c->bev);
			evbuffer_remove_buffer(bufferevent_get_input(c->bev),
					       tmp, (size_t)-1);
			while (fd >= 0 && evbuffer_read(tmp, fd, 65536) > 0)
				conn_process_buf(c, tmp, false, true);
			conn_process_buf(c, tmp, true, true);
			evbuffer_free(tmp);
			continue;
		}
		conn_process(c, true, true);
	}
	for (int i = 0; i < KY_IN_COUNT; i++) {
		input_flush(&s->in[i], true);
		if (s->in[i].timer != NULL)
			evtimer_del(s->in[i].timer);
	}
}
