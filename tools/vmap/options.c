/* SPDX-License-Identifier: MIT */
/* options.c - option parsing shared by the subcommands with no options. */
#include <getopt.h>

#include "cli.h"

int cli_no_options(int argc, char **argv, const char *usage)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (opt != 'h')
			return cli_usage(argv[0]);
		fputs(usage, stdout);
		return CLI_OK;
	}
	return -1;
}
