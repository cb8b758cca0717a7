/* A small YAML file (policies, settings written by people) read into a
 * JSON tree, keeping where every node came from so that checks done on the
 * tree can still say "policy.yaml:12:5". */
#ifndef KY_BASE_YAML_JSON_H
#define KY_BASE_YAML_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

/* Parses text (name for messages) into *out (new reference).  Plain
 * scalars that read as integers, true/false or null become those; every
 * other scalar is a string.  *pos (new reference, may be NULL if not
 * wanted) maps JSON pointers ("/rules/0/tlp_max") to [line, column].
 * Syntax errors, anchors/aliases, merge keys, duplicate keys and non-
 * scalar keys are refused with line and column. */
int ky_yaml_json(const char *text, size_t n, const char *name, json_t **out,
		 json_t **pos, struct ky_err *err);

/* "name:line:col" of pointer in pos, or "name" when unknown. */
void ky_yaml_where(const json_t *pos, const char *name, const char *pointer,
		   char *out, size_t cap);

#endif
