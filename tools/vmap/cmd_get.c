/* SPDX-License-Identifier: MIT */
/*
 * cmd_get.c - vmap get FILE KEY...
 *
 * Prints the value of each KEY followed by a newline. A key that is not live
 * is reported on stderr and makes the exit status 1; the others still print.
 */
#include <inttypes.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap get FILE KEY...\n"
	"Print the value of each KEY, each followed by a newline.\n";

static int get_one(const vmap *m, const char *path, const char *text)
{
	uint64_t key;
	size_t len;
	const char *val;

	if (cli_parse_key(text, &key) < 0) {
		cli_warn("get: bad key '%s'", text);
		return CLI_USAGE;
	}
	val = vmap_get(m, key, &len);
	if (!val) {
		cli_warn("%s: key %" PRIu64 ": not found", path, key);
		return CLI_NOTFOUND;
	}
	out_bytes(val, len);
	out_bytes("\n", 1);
	return CLI_OK;
}

int cmd_get(int argc, char **argv)
{
	const char *path;
	vmap *m;
	int status = cli_no_options(argc, argv, usage);
	int err;

	if (status >= 0)
		return status;
	if (argc - optind < 2) {
		cli_warn("get: expected FILE and at least one KEY");
		return cli_usage("get");
	}
	path = argv[optind++];
	err = vmap_open(&m, path, VMAP_RDONLY);
	if (err < 0)
		return cli_fail(path, "cannot open", err);
	status = CLI_OK;
	for (; optind < argc; optind++) {
		int one = get_one(m, path, argv[optind]);

		/* The worst outcome wins: usage (2) over not found (1). */
		if (one > status)
			status = one;
	}
	vmap_close(m);
	err = out_finish();
	return err ? err : status;
}
