/* SPDX-License-Identifier: MIT */
/*
 * cmd_get.c - vmap get [--raw] FILE KEY...
 *
 * Prints the value of each KEY followed by a newline, or with --raw the one
 * KEY's bytes alone. Every value is checked (vmap_check_key) before it is
 * printed. A key that is not live makes the exit status 1, a damaged one 4
 * (nothing of it printed); the other keys still print.
 */
#include <errno.h>
#include <inttypes.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap get [--raw] FILE KEY...\n"
	"Print the value of each KEY, each followed by a newline; with --raw\n"
	"(-r), the value of one KEY exactly as stored, nothing added.\n"
	"Exit status 0: all found; 1: a key not found; 4: a value damaged.\n";

static int get_one(const vmap *m, const char *path, const char *text, int raw)
{
	const char *val;
	size_t len;
	uint64_t key;
	int status = cli_key("get", text, &key);

	if (status)
		return status;
	status = verify_lookup(m, path, key, &val, &len);
	if (status == -ENOENT) {
		cli_warn("%s: key %" PRIu64 ": not found", path, key);
		return CLI_NOTFOUND;
	}
	if (status)
		return status;
	out_bytes(val, len);
	if (!raw)
		out_bytes("\n", 1);
	return CLI_OK;
}

int cmd_get(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	int raw = 0;
	struct cli_command c = { "get", usage, "FILE and at least one KEY", 2, -1,
				 "r", opts, cli_flag, &raw };
	int status = cli_parse(&c, argc, argv);
	const char *path;
	vmap *m;

	if (status >= 0)
		return status;
	if (raw && argc - optind != 2) {
		cli_warn("get: --raw prints one KEY (values would run together)");
		return cli_usage("get");
	}
	path = argv[optind++];
	if ((status = cli_open(path, VMAP_RDONLY, &m)) >= 0)
		return status;
	status = CLI_OK;
	for (; optind < argc; optind++) {
		int one = get_one(m, path, argv[optind], raw);

		/* The worst outcome wins: damaged (4), usage (2), not found (1). */
		if (one > status)
			status = one;
	}
	vmap_close(m);
	return out_finish() ? CLI_ERROR : status;
}
