/* `kyklos serve [--foreground]`: loads the node and runs the daemon in the
 * foreground until SIGTERM/SIGINT (a service manager does the detaching,
 * so --foreground is accepted and is the only mode). */
#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "base/log.h"
#include "cli/cli.h"
#include "node/serve.h"

int ky_cmd_serve(struct ky_cli *cli, int argc, char **argv)
{
	struct ky_config cfg;
	struct ky_err err = {0};
	int status;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--foreground") != 0 &&
		    strcmp(argv[i], "-f") != 0) {
			ky_cli_error("serve: unknown argument '%s'; usage: "
				     "kyklos serve [--foreground]",
				     argv[i]);
			return 2;
		}
	}
	if (ky_cli_load_node(cli, &cfg) != 0)
		return 1;
	if (ky_serve_run(&cfg, &err) != 0) {
		ky_cli_error("serve: %s", err.msg);
		status = 1;
	} else {
		status = 0;
	}
	ky_config_free(&cfg);
	return status;
}
