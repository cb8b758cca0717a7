/* Allocation wrappers: fatal forms for start-up, checked forms for the
 * paths that see outside input, and a wiping free for secrets. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/alloc.h"

static void oom(size_t n)
{
	/* Only start-up code uses the x-forms: there is nothing to recover. */
	fprintf(stderr, "kyklos: out of memory allocating %zu bytes\n", n);
	abort();
}

void *ky_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *ky_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom(nmemb * size);
	return p;
}

void *ky_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

char *ky_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = ky_xmalloc(n);

	memcpy(p, s, n);
	return p;
}

void *ky_reallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	size_t n = nmemb * size;

	return realloc(p, n ? n : 1);
}

char *ky_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void ky_freezero(void *p, size_t n)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, n);
	free(p);
}
