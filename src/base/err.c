/* Status names and the error struct every fallible function fills. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

const char *ky_strerror(int status)
{
	switch (status) {
#define KY__STATUS_CASE(name, value, text)                                     \
	case value:                                                            \
		return text;
		KY_STATUS_LIST(KY__STATUS_CASE)
#undef KY__STATUS_CASE
	}
	return "unknown error";
}

int ky_err_set(struct ky_err *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

void ky_err_prefix(struct ky_err *err, const char *fmt, ...)
{
	char prefix[KY_ERR_MSG_MAX], old[KY_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Built by hand: the joined text is cut at the buffer's end. */
	size_t pl = strnlen(prefix, sizeof(prefix) - 1);
	size_t ol = strnlen(old, sizeof(old) - 1);
	size_t room = sizeof(err->msg) - 1;
	size_t n = pl < room ? pl : room;
	memcpy(err->msg, prefix, n);
	if (room - n >= 2) {
		memcpy(err->msg + n, ": ", 2);
		n += 2;
		size_t m = ol < room - n ? ol : room - n;
		memcpy(err->msg + n, old, m);
		n += m;
	}
	err->msg[n] = '\0';
}

void ky_err_clear(struct ky_err *err)
{
	if (err == NULL)
		return;
	err->status = KY_OK;
	err->msg[0] = '\0';
}
