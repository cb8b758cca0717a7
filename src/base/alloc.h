/* Allocation wrappers.  Two policies (STYLE.md): code that handles untrusted
 * input checks for NULL and returns KY_E_NOMEM; start-up and configuration
 * code may use the ky_x* forms, which log and abort on exhaustion. */
#ifndef KY_BASE_ALLOC_H
#define KY_BASE_ALLOC_H

#include <stddef.h>

/* Fatal on exhaustion: for start-up only. */
void *ky_xmalloc(size_t n);
void *ky_xcalloc(size_t nmemb, size_t size);
void *ky_xrealloc(void *p, size_t n);
char *ky_xstrdup(const char *s);

/* Checked: returns NULL on overflow or exhaustion. */
void *ky_reallocarray(void *p, size_t nmemb, size_t size);
char *ky_strndup(const char *s, size_t n);

/* Clears n bytes with a call the compiler cannot elide, then frees.
 * Accepts NULL.  For anything that held a secret. */
void ky_freezero(void *p, size_t n);

#endif
