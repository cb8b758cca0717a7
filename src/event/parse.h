/* One record in, one event out: format detection, the format's parser,
 * field extraction and field mapping.  A ky_parser is built once from the
 * configuration and shared; each thread has its own ky_parse_ctx. */
#ifndef KY_EVENT_PARSE_H
#define KY_EVENT_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "event/event.h"

struct ky_config;
struct ky_parser;
struct ky_parse_ctx;

int ky_parser_new(struct ky_parser **out, const struct ky_config *cfg,
		  struct ky_err *err);
void ky_parser_free(struct ky_parser *p);

/* Per-thread state: arena, event field array, extractor scratch. */
int ky_parse_ctx_new(const struct ky_parser *p, struct ky_parse_ctx **out);
void ky_parse_ctx_free(struct ky_parse_ctx *c);

/* Guesses the format of one record from its first bytes. */
enum ky_format ky_format_detect(const char *p, size_t n);

/* Parses rec[0..n) (no trailing newline needed; a trailing CR/LF is
 * ignored).  fmt forces a format unless KY_FMT_AUTO.  On success *ev points
 * to the context's event, valid until the next call on this context; it
 * keeps rec as its raw bytes (the caller keeps rec alive).  On failure err
 * says what was wrong and where in the record ("offset N: ..."); the caller
 * adds the input name and line. */
int ky_parse_record(struct ky_parse_ctx *c, enum ky_format fmt, const char *rec,
		    size_t n, int64_t recv_ns, struct ky_event **ev,
		    struct ky_err *err);

#endif
