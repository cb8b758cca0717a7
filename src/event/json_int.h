/* Internals of the JSON scanner shared by json.c and json_num.c. */
#ifndef KY_EVENT_JSON_INT_H
#define KY_EVENT_JSON_INT_H

#include <stddef.h>
#include <stdint.h>

struct ky_arena;

/* The value of a float literal already checked by the grammar (p, n);
 * a long literal is copied into the arena a.  Returns 0 or KY_E_NOMEM. */
int ky__json_double(struct ky_arena *a, const uint8_t *p, size_t n,
		    double *out);

#endif
