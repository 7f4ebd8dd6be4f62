/* SPDX-License-Identifier: MIT */
/*
 * output.c - stdout for values and dumps. Write errors (a full disk, a closed
 * pipe) are remembered and reported once at the end, with exit code 3, so a
 * truncated dump is never mistaken for a good one.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"

static int output_failed;

void out_bytes(const void *bytes, size_t len)
{
	if (len && fwrite(bytes, 1, len, stdout) != len)
		output_failed = 1;
}

int out_finish(void)
{
	if (fflush(stdout) != 0 || ferror(stdout) || output_failed) {
		cli_warn("standard output: %s", strerror(errno ? errno : EIO));
		return CLI_ERROR;
	}
	return CLI_OK;
}
