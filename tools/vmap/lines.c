/* SPDX-License-Identifier: MIT */
/* lines.c - line input for `create` and `append`: one value per line. */
#include <stdio.h>
#include <sys/types.h>

#include "cli.h"

/*
 * The value is the line without its '\n' (embedded NULs are kept: getline
 * returns the true length). A last line without '\n' is still a value.
 * Returns the length, or -1 at end of input or on a read error (check ferror).
 */
long long read_line(FILE *in, char **buf, size_t *cap)
{
	ssize_t n = getline(buf, cap, in);

	if (n < 0)
		return -1;
	if (n > 0 && (*buf)[n - 1] == '\n')
		n--;
	return n;
}
