/* SPDX-License-Identifier: MIT */
/*
 * args.c - one parser for every subcommand's command line: --help, the
 * subcommand's own options, the number of operands, and vmap's own words
 * for what getopt would say in its own (a key "-1" is not an option).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MAX_OPTIONS 16

int cli_flag(void *flag, int opt, const char *arg)
{
	(void)opt;
	(void)arg;
	*(int *)flag = 1;
	return -1;
}

int cli_key(const char *command, const char *text, uint64_t *key)
{
	if (cli_parse_key(text, key) == 0)
		return 0;
	cli_warn("%s: bad key '%s': a key is a whole number from 0 to %" PRIu64,
		 command, text, UINT64_MAX);
	return cli_usage(command);
}

/* getopt took a negative number for an option: in vmap it is a key. */
static int negative_key(const struct cli_command *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && isdigit((unsigned char)argv[i][1])) {
			uint64_t unused;

			return cli_key(c->name, argv[i], &unused);
		}
	}
	return CLI_USAGE;
}

static int bad_option(const struct cli_command *c, int argc, char **argv)
{
	if (isdigit(optopt))
		return negative_key(c, argc, argv);
	if (optopt)
		cli_warn("%s: unknown option '-%c'", c->name, optopt);
	else
		cli_warn("%s: unknown option '%s'", c->name, argv[optind - 1]);
	return cli_usage(c->name);
}

int cli_parse(const struct cli_command *c, int argc, char **argv)
{
	struct option all[MAX_OPTIONS + 2];
	char shortopts[64];
	int n = 0, opt, status, count;

	for (; c->opts && c->opts[n].name && n < MAX_OPTIONS; n++)
		all[n] = c->opts[n];
	all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	all[n] = (struct option){ NULL, 0, NULL, 0 };
	/* ':' first: a missing value is reported as such, by us. */
	snprintf(shortopts, sizeof shortopts, ":h%s", c->shortopts ? c->shortopts : "");
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
		if (opt == 'h') {
			fputs(c->usage, stdout);
			return out_finish();
		}
		if (opt == ':') {
			cli_warn("%s: option '%s' needs a value", c->name, argv[optind - 1]);
			return cli_usage(c->name);
		}
		if (opt == '?')
			return bad_option(c, argc, argv);
		if ((status = c->on_option(c->ctx, opt, optarg)) >= 0)
			return status;
	}
	count = argc - optind;
	if (count < c->min || (c->max >= 0 && count > c->max)) {
		cli_warn("%s: expected %s", c->name, c->operands);
		return cli_usage(c->name);
	}
	return -1;
}
