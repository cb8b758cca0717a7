/* libFuzzer target for Sigma condition expressions: any input either fails
 * with a positioned message or compiles into a program that evaluates,
 * reads only the searches it reports as used, and dumps.  Input split at
 * vertical tabs is also compiled as a condition list. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "detect/condition.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NNAMES 70
#define NWORDS ((NNAMES + 63) / 64)

static const char *names[NNAMES];
static char namebuf[NNAMES][16];

static void init_names(void)
{
	static const char *const pre[] = {"selection",	  "sel_",
					  "filter_main_", "filter_",
					  "keywords",	  "_x"};
	size_t i;

	if (names[0] != NULL)
		return;
	for (i = 0; i < NNAMES; i++) {
		if (i < 6)
			snprintf(namebuf[i], sizeof(namebuf[i]), "%s", pre[i]);
		else
			snprintf(namebuf[i], sizeof(namebuf[i]), "%s%zu",
				 pre[i % 6], i);
		names[i] = namebuf[i];
	}
}

static void check(struct ky_cond *c)
{
	static const uint64_t sets[][NWORDS] = {
		{0, 0},
		{~UINT64_C(0), 0x3f},
		{0x5555555555555555u, 0x15},
		{0xaaaaaaaaaaaaaaaau, 0x2a},
		{0x0123456789abcdefu, 0x31},
	};
	uint64_t used[NWORDS], masked[NWORDS];
	struct ky_buf out;
	size_t i, w;

	ky_cond_used(c, used);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		bool v = ky_cond_eval(c, sets[i]);
		/* Searches outside the used set cannot change the result. */
		for (w = 0; w < NWORDS; w++)
			masked[w] = sets[i][w] & used[w];
		if (ky_cond_eval(c, masked) != v)
			abort();
	}
	ky_buf_init(&out, 1u << 20);
	if (ky_cond_dump(c, names, &out) == 0 && out.len == 0)
		abort();
	ky_buf_free(&out);
}

static void failed(int r, const struct ky_err *err)
{
	if (r != KY_E_PARSE && r != KY_E_TOOBIG && r != KY_E_UNSUPPORTED &&
	    r != KY_E_NOMEM)
		abort();
	if (strncmp(err->msg, "condition", 9) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *parts[16];
	char *copy = NULL;
	struct ky_cond *c = NULL;
	struct ky_err err = {0};
	size_t n = 0, i;
	int r;

	init_names();
	r = ky_cond_compile(s, size, names, NNAMES, &c, &err);
	if (r == 0)
		check(c);
	else
		failed(r, &err);
	ky_cond_free(c);
	c = NULL;

	if (memchr(data, '\v', size) == NULL || memchr(data, 0, size) != NULL)
		return 0;
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	parts[n++] = copy;
	for (i = 0; i < size && n < 16; i++) {
		if (copy[i] == '\v') {
			copy[i] = '\0';
			parts[n++] = copy + i + 1;
		}
	}
	r = ky_cond_compile_list(parts, n, names, NNAMES, &c, &err);
	if (r == 0)
		check(c);
	else
		failed(r, &err);
	ky_cond_free(c);
	free(copy);
	return 0;
}
