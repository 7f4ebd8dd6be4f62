/* SPDX-License-Identifier: MIT */
/* keys.c - keys on the command line: plain decimal, 0..UINT64_MAX. */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"

int cli_parse_key(const char *text, uint64_t *key)
{
	unsigned long long value;
	char *end;

	/* strtoull accepts "-1" (as ULLONG_MAX) and leading blanks: refuse both. */
	if (text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || *end != '\0' || value > UINT64_MAX)
		return -EINVAL;
	*key = value;
	return 0;
}
