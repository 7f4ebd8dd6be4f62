/* SPDX-License-Identifier: MIT */
/*
 * cmd_replace.c - vmap replace FILE KEY VALUE
 * Gives a live KEY a new value; the old bytes stay until `vmap compact`.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap replace FILE KEY VALUE\n"
	"Give the live KEY of FILE the value VALUE.\n";

int cmd_replace(int argc, char **argv)
{
	const char *path, *value;
	uint64_t key;
	vmap *m;
	int status = cli_no_options(argc, argv, usage);
	int err;

	if (status >= 0)
		return status;
	if (argc - optind != 3) {
		cli_warn("replace: expected FILE, KEY and VALUE");
		return cli_usage("replace");
	}
	path = argv[optind];
	value = argv[optind + 2];
	if (cli_parse_key(argv[optind + 1], &key) < 0) {
		cli_warn("replace: bad key '%s'", argv[optind + 1]);
		return cli_usage("replace");
	}
	err = vmap_open(&m, path, 0);
	if (err < 0)
		return cli_fail(path, "cannot open", err);
	err = vmap_replace(m, key, value, strlen(value));
	if (err == 0)
		err = vmap_sync(m);
	vmap_close(m);
	if (err == -ENOENT) {
		cli_warn("%s: key %" PRIu64 ": not found", path, key);
		return CLI_NOTFOUND;
	}
	return err < 0 ? cli_fail(path, "replace", err) : CLI_OK;
}
