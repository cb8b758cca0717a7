/* Shared by cmd_incidents.c and cmd_report.c: a session on the node's
 * store with the incidents grouped up to now, in one write transaction. */
#ifndef KY_CLI_CMD_INCIDENTS_H
#define KY_CLI_CMD_INCIDENTS_H

#include <stdbool.h>

#include "base/config.h"
#include "intel/incstore.h"
#include "respond/case.h"

struct ky_cli;

struct ky__inc_sess {
	struct ky_config cfg;
	bool have_cfg, in_tx;
	struct ky_store *st;
	struct ky_incstore *b;
	struct ky_incstore_counts counts;
	struct ky_entity entity;
};

/* Opens the store, begins, groups pending alerts; prints errors (1). */
int ky__inc_open(struct ky_cli *cli, struct ky__inc_sess *x);
/* Commits (or rolls back) and frees; 1 when the commit failed. */
int ky__inc_close(struct ky__inc_sess *x, bool commit);

int ky__inc_show(struct ky_cli *cli, int argc, char **argv);
int ky__inc_set(struct ky_cli *cli, int argc, char **argv);
int ky__inc_due(struct ky_cli *cli, int argc, char **argv);

#endif
