/* SPDX-License-Identifier: MIT */
/*
 * values.c - VALUE operands: the text itself, "-" for all of standard
 * input, "@FILE" for the bytes of FILE. All are read before the map is
 * touched, so that a missing file or a read error changes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Read all of in into v; 0 or -errno. Refuses more than VMAP_VALUE_MAX. */
static int read_all(FILE *in, struct cli_value *v)
{
	size_t cap = 4096;
	char *buf = malloc(cap);
	size_t n;

	v->len = 0;
	while (buf && (n = fread(buf + v->len, 1, cap - v->len, in)) > 0) {
		v->len += n;
		if (v->len > VMAP_VALUE_MAX) {
			free(buf);
			return -EMSGSIZE;
		}
		if (v->len == cap) {
			char *grown = realloc(buf, cap *= 2);

			if (!grown)
				free(buf);
			buf = grown;
		}
	}
	if (!buf)
		return -ENOMEM;
	if (ferror(in)) {
		free(buf);
		return -EIO;
	}
	v->bytes = buf;
	v->owned = 1;
	return 0;
}

static int read_source(const char *arg, struct cli_value *v, int *stdin_used)
{
	const char *file = arg[0] == '@' ? arg + 1 : "-";
	const char *name = strcmp(file, "-") ? file : "standard input";
	FILE *in;
	int err;

	if (!strcmp(file, "-")) {
		if ((*stdin_used)++) {
			cli_warn("standard input can give only one VALUE");
			return CLI_USAGE;
		}
		in = stdin;
	} else if (!(in = fopen(file, "rb"))) {
		cli_warn("%s: %s", file, strerror(errno));
		return CLI_ERROR;
	}
	err = read_all(in, v);
	if (in != stdin)
		fclose(in);
	if (err == -EMSGSIZE) {
		cli_warn("%s: longer than the largest value (VMAP_VALUE_MAX)", name);
		return CLI_USAGE;
	}
	if (err < 0) {
		cli_warn("%s: %s", name, strerror(-err));
		return CLI_ERROR;
	}
	return -1;
}

int cli_values(int count, char **args, int literal, struct cli_value *out)
{
	int stdin_used = 0, status;

	for (int i = 0; i < count; i++) {
		const char *arg = args[i];

		out[i] = (struct cli_value){ args[i], strlen(args[i]), 0 };
		if (literal || (strcmp(arg, "-") && arg[0] != '@'))
			continue;
		if (!strcmp(arg, "@")) {
			cli_warn("'@' needs a file name: @FILE");
			status = CLI_USAGE;
		} else {
			status = read_source(arg, &out[i], &stdin_used);
		}
		if (status >= 0) {
			cli_values_free(i, out);
			return status;
		}
	}
	return -1;
}

void cli_values_free(int count, struct cli_value *v)
{
	for (int i = 0; i < count; i++)
		if (v[i].owned)
			free(v[i].bytes);
}
