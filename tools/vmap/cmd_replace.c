/* SPDX-License-Identifier: MIT */
/*
 * cmd_replace.c - vmap replace [--literal] FILE KEY VALUE
 * Gives a live KEY a new value ("-": all of standard input; "@FILE": the
 * bytes of FILE); the old bytes stay until `vmap compact`.
 */
#include <errno.h>
#include <inttypes.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap replace [--literal] FILE KEY VALUE\n"
	"Give the live KEY of FILE the value VALUE: '-' is all of standard\n"
	"input, '@FILE' the bytes of FILE (--literal: VALUE as written).\n";

static int replace(const char *path, uint64_t key, const struct cli_value *v)
{
	vmap *m;
	int status = cli_open(path, 0, &m);
	int err;

	if (status >= 0)
		return status;
	err = vmap_replace(m, key, v->bytes, v->len);
	if (err == 0)
		err = vmap_sync(m);
	vmap_close(m);
	if (err == -ENOENT) {
		cli_warn("%s: key %" PRIu64 ": not found", path, key);
		return CLI_NOTFOUND;
	}
	return err < 0 ? cli_fail(path, "replace", err) : CLI_OK;
}

int cmd_replace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "literal", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	int literal = 0;
	struct cli_command c = { "replace", usage, "FILE, KEY and VALUE", 3, 3, "l",
				 opts, cli_flag, &literal };
	int status = cli_parse(&c, argc, argv);
	struct cli_value v;
	uint64_t key;

	if (status >= 0)
		return status;
	if ((status = cli_key("replace", argv[optind + 1], &key)) ||
	    (status = cli_values(1, argv + optind + 2, literal, &v)) >= 0)
		return status;
	status = replace(argv[optind], key, &v);
	cli_values_free(1, &v);
	return status;
}
