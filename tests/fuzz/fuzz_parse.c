/* libFuzzer target for the whole record path: format detection, every
 * parser, extraction and the built-in field map, on one record with
 * KY_FMT_AUTO.  The parser is built once with the default configuration. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "event/parse.h"

static struct ky_parser *parser;
static struct ky_parse_ctx *ctx;

static void cleanup(void)
{
	ky_parse_ctx_free(ctx);
	ky_parser_free(parser);
}

static void init(void)
{
	struct ky_config cfg;
	struct ky_err err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fieldmap_builtin = true;
	cfg.extract_builtin = true;
	cfg.max_line = 65536;
	cfg.max_fields = 1024;
	cfg.max_depth = 64;
	if (ky_parser_new(&parser, &cfg, &err) != 0 ||
	    ky_parse_ctx_new(parser, &ctx) != 0)
		abort();
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ky_event *ev = NULL;
	struct ky_err err;
	char *rec;
	int rc;

	if (parser == NULL)
		init();
	/* A private copy, so reads past the end are caught by ASan. */
	rec = malloc(size ? size : 1);
	if (rec == NULL)
		return 0;
	memcpy(rec, data, size);
	rc = ky_parse_record(ctx, KY_FMT_AUTO, rec, size, 1, &ev, &err);
	if (rc == 0) {
		uint32_t i;
		size_t sum = 0;

		/* Touch every field so a dangling pointer shows up. */
		for (i = 0; i < ev->nfields; i++) {
			if (ev->fields[i].path_len > 0)
				sum += (unsigned char)ev->fields[i].path[0] +
				       (unsigned char)ev->fields[i]
					       .path[ev->fields[i].path_len -
						     1];
			if (ev->fields[i].str_len > 0)
				sum += (unsigned char)ev->fields[i].str[0];
		}
		if (sum == 1)
			rc = 1; /* keeps the loop from being optimised out */
	} else if (err.msg[0] == '\0') {
		abort(); /* every failure must say why */
	}
	free(rec);
	return 0;
}
