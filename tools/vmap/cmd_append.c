/* SPDX-License-Identifier: MIT */
/*
 * cmd_append.c - vmap append FILE [VALUE...]
 *
 * Appends each VALUE (or, with none, each line of standard input) under the
 * next key, prints the keys given, and syncs before exiting so that a zero
 * exit status means the values are on disk.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap append FILE [VALUE...]\n"
	"Append each VALUE to FILE (with no VALUE, each line of standard input)\n"
	"and print the key each one got.\n";

static int append_one(vmap *m, const void *val, size_t len)
{
	uint64_t key = vmap_next_key(m);
	int err = vmap_append(m, key, val, len);

	if (err == 0)
		printf("%" PRIu64 "\n", key);
	return err;
}

static int append_lines(vmap *m)
{
	char *line = NULL;
	size_t cap = 0;
	long long len;
	int err = 0;

	while (err == 0 && (len = read_line(stdin, &line, &cap)) >= 0)
		err = append_one(m, line, (size_t)len);
	if (err == 0 && ferror(stdin))
		err = -EIO;
	free(line);
	return err;
}

static int append_args(vmap *m, int count, char **values)
{
	int err = 0;

	for (int i = 0; i < count && err == 0; i++)
		err = append_one(m, values[i], strlen(values[i]));
	return err;
}

int cmd_append(int argc, char **argv)
{
	const char *path;
	vmap *m;
	int status = cli_no_options(argc, argv, usage);
	int err;

	if (status >= 0)
		return status;
	if (optind >= argc) {
		cli_warn("append: expected FILE");
		return cli_usage("append");
	}
	path = argv[optind++];
	err = vmap_open(&m, path, 0);
	if (err < 0)
		return cli_fail(path, "cannot open", err);
	if (optind < argc)
		err = append_args(m, argc - optind, argv + optind);
	else
		err = append_lines(m);
	/* Sync even after a failure: the values appended so far are kept. */
	if (err == 0)
		err = vmap_sync(m);
	else
		vmap_sync(m);
	vmap_close(m);
	status = out_finish();
	if (err < 0)
		return cli_fail(path, err == -EIO ? "reading input" : "append", err);
	return status;
}
