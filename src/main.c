/* kyklos: parses the global options and dispatches to a subcommand from
 * the table in cli/cli.c.  Nothing else lives here. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "cli/cli.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: kyklos [--home DIR] [--json] [--log-level L] "
		    "COMMAND [ARGS]\n\ncommands:\n");
	for (const struct ky_cmd *c = ky_cmds; c->name; c++)
		fprintf(fp, "  %-58s\n      %s\n", c->usage, c->help);
	fprintf(fp, "\nThe node directory is --home DIR, else $KYKLOS_HOME, "
		    "else the current directory.\n");
}

int main(int argc, char **argv)
{
	struct ky_cli cli = {0};
	int i;

	signal(SIGPIPE, SIG_IGN);
	cli.tty = isatty(STDOUT_FILENO) == 1;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--home") == 0 && i + 1 < argc) {
			cli.home_opt = argv[++i];
		} else if (strncmp(a, "--home=", 7) == 0) {
			cli.home_opt = a + 7;
		} else if (strcmp(a, "--json") == 0) {
			cli.json = true;
		} else if (strcmp(a, "--log-level") == 0 && i + 1 < argc) {
			enum ky_level lv;
			if (ky_log_level_parse(argv[++i], &lv) != 0) {
				ky_cli_error("bad --log-level '%s' (error, "
					     "warn, info, debug)",
					     argv[i]);
				return 2;
			}
			ky_log_set_level(lv);
			cli.log_level_set = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("kyklos 0.1.0\n");
			return 0;
		} else {
			ky_cli_error("unknown option '%s'", a);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (const struct ky_cmd *c = ky_cmds; c->name; c++) {
		if (strcmp(argv[i], c->name) == 0)
			return c->run(&cli, argc - i, argv + i);
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return 0;
	}
	ky_cli_error("unknown command '%s' (try kyklos --help)", argv[i]);
	return 2;
}
