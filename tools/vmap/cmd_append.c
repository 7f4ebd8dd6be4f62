/* SPDX-License-Identifier: MIT */
/*
 * cmd_append.c - vmap append [--literal] FILE [VALUE...]
 *
 * Appends each VALUE under the next key (VALUE "-" is all of standard
 * input, "@FILE" the bytes of FILE), or with no VALUE each line of standard
 * input; prints the keys given, and syncs before exiting so that a zero exit
 * status means the values are on disk.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap append [--literal] FILE [VALUE...]\n"
	"Append each VALUE to FILE and print the key each one got. A VALUE '-'\n"
	"is all of standard input, '@FILE' the bytes of FILE (--literal: every\n"
	"VALUE as written). With no VALUE, each line of standard input is one.\n";

static int append_one(vmap *m, const void *val, size_t len)
{
	uint64_t key = vmap_next_key(m);
	int err = vmap_append(m, key, val, len);

	if (err == 0)
		printf("%" PRIu64 "\n", key);
	return err;
}

/* From a pipe or a terminal, lines come as they are written: say each key
 * at once. From a file, let stdio gather them. */
static int append_lines(vmap *m)
{
	struct stat st;
	int stream = fstat(0, &st) == 0 && !S_ISREG(st.st_mode);
	char *line = NULL;
	size_t cap = 0;
	long long len;
	int err = 0;

	while (err == 0 && (len = read_line(stdin, &line, &cap)) >= 0) {
		err = append_one(m, line, (size_t)len);
		if (stream)
			fflush(stdout);
	}
	if (err == 0 && ferror(stdin))
		err = -EIO;
	free(line);
	return err;
}

static int append_values(vmap *m, int count, const struct cli_value *v)
{
	int err = 0;

	for (int i = 0; i < count && err == 0; i++)
		err = append_one(m, v[i].bytes, v[i].len);
	return err;
}

/* With the map open: append, and sync even after a failure, so that the
 * values appended so far are kept. */
static int append(vmap *m, int count, const struct cli_value *v)
{
	int err = count ? append_values(m, count, v) : append_lines(m);
	int synced = vmap_sync(m);

	return err ? err : synced;
}

/* Values read, map opened, appended: -1, or an exit code. */
static int append_to(const char *path, int count, const struct cli_value *v)
{
	vmap *m;
	int status = cli_open(path, 0, &m);
	int err;

	if (status >= 0)
		return status;
	err = append(m, count, v);
	vmap_close(m);
	status = out_finish();
	if (err < 0)
		return cli_fail(path, err == -EIO ? "reading input" : "append", err);
	return status;
}

int cmd_append(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "literal", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	int literal = 0, count;
	struct cli_command c = { "append", usage, "FILE", 1, -1, "l", opts,
				 cli_flag, &literal };
	int status = cli_parse(&c, argc, argv);
	struct cli_value *v;

	if (status >= 0)
		return status;
	count = argc - optind - 1;
	v = calloc((size_t)count + 1, sizeof *v);
	if (!v)
		return cli_fail(argv[optind], NULL, -ENOMEM);
	/* Every value is read before the map is touched. */
	status = cli_values(count, argv + optind + 1, literal, v);
	if (status < 0) {
		status = append_to(argv[optind], count, v);
		cli_values_free(count, v);
	}
	free(v);
	return status;
}
