/* A faster json_loadb: one JSON text (RFC 8259) parsed into the jansson
 * values the rest of the program works on, with the verdicts and the
 * values jansson 2.14's own parser gives.  jansson's lexer reads a byte at
 * a time through a stream abstraction and costs about 160 instructions
 * per byte of a STIX change line; this one scans runs and builds the same
 * tree (the allocations, jansson's, remain).  The sync and bundle paths
 * parse every object they carry with it.  A differential test and a fuzz
 * target hold it to jansson's answers (tests/unit/base/test_json_tree.c,
 * tests/fuzz/fuzz_json_tree.c). */
#ifndef KY_BASE_JSON_TREE_H
#define KY_BASE_JSON_TREE_H

#include <jansson.h>
#include <stddef.h>

/* As JSON_REJECT_DUPLICATES: a key twice in one object is an error
 * (without it the last value wins, as in jansson). */
#define KY_JT_REJECT_DUPLICATES 0x1

/* The nesting jansson accepts (JSON_PARSER_MAX_DEPTH). */
#define KY_JT_MAX_DEPTH 2048

/* Parses p[0..n): an object or an array at the top (jansson without
 * JSON_DECODE_ANY), then nothing but white space.  Returns a new
 * reference, or NULL with *at the byte offset of the error and *why a
 * short reason (a static string); at and why may be NULL. */
json_t *ky_json_tree(const char *p, size_t n, unsigned flags, size_t *at,
		     const char **why);

#endif
