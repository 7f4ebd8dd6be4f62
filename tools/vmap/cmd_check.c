/* SPDX-License-Identifier: MIT */
/*
 * cmd_check.c - vmap check FILE: full verification (vmap_check).
 * Exit 0 and "FILE: ok" when sound; 1 when damaged (including a header too
 * damaged to open); 3 when the file cannot be read at all.
 */
#include "cli.h"

static const char usage[] =
	"Usage: vmap check FILE\n"
	"Verify every table, offset, value and checksum of FILE.\n"
	"Exit status 0: sound; 1: damaged; 3: cannot be read.\n";

int cmd_check(int argc, char **argv)
{
	struct cli_command c = { "check", usage, "one FILE", 1, 1, NULL, NULL, NULL, NULL };
	int status = cli_parse(&c, argc, argv);
	const char *path = argv[optind];
	vmap *m;
	int err;

	if (status >= 0)
		return status;
	err = vmap_open(&m, path, VMAP_RDONLY);
	if (err == 0) {
		err = vmap_check(m);
		vmap_close(m);
	}
	if (err == VMAP_ECORRUPT) {
		/* The answer to "is it sound?", as cmp(1) answers 1. */
		cli_warn("%s: %s", path, vmap_strerror(err));
		return CLI_NOTFOUND;
	}
	if (err < 0)
		return cli_fail(path, NULL, err);
	printf("%s: ok\n", path);
	return out_finish();
}
