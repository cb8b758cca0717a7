/* Loading Sigma rule files and directories into a rule set (shared by the
 * CLI and the node). */
#ifndef KY_DETECT_RULES_LOAD_H
#define KY_DETECT_RULES_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ky_ruleset;

struct ky_rules_load {
	bool progress; /* a bar on stderr (a terminal) */
	/* each path, file or rule that failed: status KY_E_UNSUPPORTED (the
	 * rule cannot run), KY_E_IO / KY_E_NOTFOUND (a path), or another
	 * (it cannot be loaded); msg names path:line:col */
	void (*report)(void *ud, int status, const char *msg);
	void *ud;
	size_t files, rules, compiled, unsupported, failed;
	int64_t t0, last_progress;
	double secs;
};

/* Loads every rule file of paths (files, or directories searched
 * recursively for .yml and .yaml files) into rs and finalizes it.  Returns
 * 0, or a status when loading could not go on (exhaustion, finalize
 * failed); a missing path counts as failed and loading goes on. */
int ky_rules_load(struct ky_ruleset *rs, char *const *paths, size_t npaths,
		  struct ky_rules_load *st);

#endif
