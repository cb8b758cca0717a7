/* libFuzzer target for stream framing: ky_ingest_stream over the input as a
 * file (newlines, CRLF, pretty-printed JSON assembly, top-level arrays,
 * over-long lines), with a small max_line so the limit paths are reached.
 * The counters must agree with what the sink saw. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/log.h"
#include "event/parse.h"
#include "node/ingest.h"

static struct ky_parser *parser;

static void cleanup(void)
{
	ky_parser_free(parser);
}

static void init(void)
{
	struct ky_config cfg;
	struct ky_err err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fieldmap_builtin = true;
	cfg.extract_builtin = true;
	cfg.max_line = 512;
	cfg.max_fields = 128;
	cfg.max_depth = 16;
	ky_log_set_level(KY_LOG_ERROR); /* rejects are logged as warnings */
	if (ky_parser_new(&parser, &cfg, &err) != 0)
		abort();
	atexit(cleanup);
}

static int sink(void *ud, const struct ky_event *ev)
{
	size_t *n = ud;

	/* The raw bytes are the record: a copy made by the reader, or a
	 * slice of it; either way no longer than max_line. */
	if (ev->raw_len > 512 + 2)
		abort();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ky_ingest_counts *c;
	struct ky_ingest *in = NULL;
	struct ky_err err;
	size_t events = 0;
	FILE *fp;

	if (parser == NULL)
		init();
	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "r");
	if (fp == NULL)
		return 0;
	if (ky_ingest_new(&in, parser, NULL, KY_FMT_AUTO, sink, &events,
			  &err) != 0)
		abort();
	ky_ingest_set_max_line(in, 512);
	if (ky_ingest_stream(in, "fuzz", fp, NULL, NULL, &err) != 0)
		abort(); /* only I/O errors or exhaustion may fail a stream */
	c = ky_ingest_counts(in);
	if (c->accepted != events || c->bytes != size)
		abort();
	ky_ingest_free(in);
	fclose(fp);
	return 0;
}
