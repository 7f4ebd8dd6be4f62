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
	int err = cli_key("remove", text, &key);

	if (err)
		return err;
	err = vmap_remove(m, key);
	if (err == -ENOENT) {
		cli_warn("%s: key %" PRIu64 ": not found", path, key);
		return CLI_NOTFOUND;
	}
	return err < 0 ? cli_fail(path, "remove", err) : CLI_OK;
}

int cmd_remove(int argc, char **argv)
{
	struct cli_command c = { "remove", usage, "FILE and at least one KEY", 2, -1,
				 NULL, NULL, NULL, NULL };
	int status = cli_parse(&c, argc, argv);
	const char *path;
	vmap *m;
	int err;

	if (status >= 0)
		return status;
	path = argv[optind++];
	/* Keys are checked first: a bad one removes nothing. */
	for (int i = optind; i < argc; i++) {
		uint64_t key;

		if ((status = cli_key("remove", argv[i], &key)))
			return status;
	}
	if ((status = cli_open(path, 0, &m)) >= 0)
		return status;
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
