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
	const char *path;
	vmap *m;
	int status = cli_no_options(argc, argv, usage);
	int err;

	if (status >= 0)
		return status;
	if (argc - optind != 1) {
		cli_warn("check: expected one FILE");
		return cli_usage("check");
	}
	path = argv[optind];
	err = vmap_open(&m, path, VMAP_RDONLY);
	if (err == 0) {
		err = vmap_check(m);
		vmap_close(m);
	}
	if (err < 0) {
		cli_warn("%s: %s", path, vmap_strerror(err));
		return cli_exit_for(err);
	}
	printf("%s: ok\n", path);
	return out_finish();
}
