/* SPDX-License-Identifier: MIT */
/* open.c - opening FILE for a subcommand, with vmap's messages. */
#include "cli.h"

int cli_open(const char *path, int flags, vmap **m)
{
	int err = vmap_open(m, path, flags);

	return err == 0 ? -1 : cli_fail(path, "cannot open", err);
}
