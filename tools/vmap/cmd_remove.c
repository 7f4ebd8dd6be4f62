/* SPDX-License-Identifier: MIT */
/*
 * cmd_remove.c - vmap remove FILE KEY...
 * Makes each KEY a hole (its key is never reused). A key that is not live is
 * reported and makes the exit status 1; the others are still removed.
 */
#include <errno.h>
#include <inttypes.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap remove FILE KEY...\n"
	"Remove each KEY from FILE, leaving a hole.\n";

static int remove_one(vmap *m, const char *path, const char *text)
{
	uint64_t key;
	int err;

	if (cli_parse_key(text, &key) < 0) {
		cli_warn("remove: bad key '%s'", text);
		return CLI_USAGE;
	}
	err = vmap_remove(m, key);
	if (err == -ENOENT) {
		cli_warn("%s: key %" PRIu64 ": not found", path, key);
		return CLI_NOTFOUND;
	}
	return err < 0 ? cli_fail(path, "remove", err) : CLI_OK;
}

int cmd_remove(int argc, char **argv)
{
	const char *path;
	vmap *m;
	int status = cli_no_options(argc, argv, usage);
	int err;

	if (status >= 0)
		return status;
	if (argc - optind < 2) {
		cli_warn("remove: expected FILE and at least one KEY");
		return cli_usage("remove");
	}
	path = argv[optind++];
	err = vmap_open(&m, path, 0);
	if (err < 0)
		return cli_fail(path, "cannot open", err);
	status = CLI_OK;
	for (; optind < argc; optind++) {
		int one = remove_one(m, path, argv[optind]);

		if (one > status)
			status = one;
	}
	err = vmap_sync(m);
	vmap_close(m);
	if (err < 0)
		return cli_fail(path, "sync", err);
	return status;
}
