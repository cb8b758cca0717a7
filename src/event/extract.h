/* Field extraction from unstructured messages: built-in extractors for the
 * common security sources (sshd, sudo, su, PAM, Linux audit, nginx/Apache
 * access logs, netfilter) and user-defined patterns from configuration.
 * All extractors are compiled into one Vectorscan database used as a
 * prefilter: one scan of the message selects the few anchored parsers that
 * can apply.  Extracted fields use ECS names: source.ip, source.port,
 * user.name, event.outcome (success|failure), event.action, ... */
#ifndef KY_EVENT_EXTRACT_H
#define KY_EVENT_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "event/event.h"

struct ky_extractors;
struct ky_extract_scratch;
struct ky_config;

/* Compiles the built-in extractors (if builtin) and the configured
 * patterns.  A bad pattern fails with its name and the column in it. */
int ky_extractors_new(struct ky_extractors **out, const struct ky_config *cfg,
		      struct ky_err *err);
void ky_extractors_free(struct ky_extractors *x);

/* Per-thread scratch (Vectorscan scratch is not shareable). */
int ky_extract_scratch_new(const struct ky_extractors *x,
			   struct ky_extract_scratch **out);
void ky_extract_scratch_free(struct ky_extract_scratch *s);

/* Adds the fields extracted from msg (with program the syslog tag, may be
 * NULL) to ev.  Returns the number of extractors that matched (>= 0) or a
 * negative status. */
int ky_extract(const struct ky_extractors *x, struct ky_extract_scratch *s,
	       const char *program, size_t program_len, const char *msg,
	       size_t msg_len, struct ky_event *ev);

/* Names of the extractors, for metrics; NULL-terminated. */
size_t ky_extractors_count(const struct ky_extractors *x);
const char *ky_extractor_name(const struct ky_extractors *x, size_t i);

#endif
