/* SPDX-License-Identifier: MIT */
/*
 * cmd_create.c - vmap create FILE [--first KEY] [--dump]
 *
 * Builds a new map from standard input: one value per line, or with --dump
 * the records `vmap dump` writes (keys, values and holes as they were). The
 * map is written to a temporary file renamed over FILE only when complete.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap create FILE [--first KEY] [--dump] < INPUT\n"
	"Create FILE from standard input: one value per line, or with --dump\n"
	"the records written by 'vmap dump'. --first KEY numbers the values\n"
	"from KEY (default 0, or the dump's own keys).\n";

static int from_lines(struct loader *l)
{
	char *line = NULL;
	size_t cap = 0;
	long long len;
	int err = 0;

	while (err == 0 && (len = read_line(stdin, &line, &cap)) >= 0)
		err = load_value(l, line, (size_t)len);
	if (err == 0 && ferror(stdin))
		err = -EIO;
	free(line);
	return err;
}

/* Dump keys must run on without gaps: a gap would silently renumber. */
static int check_sequence(struct dump_record *rec, uint64_t expect, int first)
{
	if (first || rec->key == expect)
		return 0;
	cli_warn("dump input: key %" PRIu64 " where %" PRIu64 " was expected",
		 rec->key, expect);
	return -EINVAL;
}

static int from_dump(struct loader *l, int renumber)
{
	struct dump_reader reader = { .in = stdin };
	struct dump_record rec;
	uint64_t expect = 0;
	int first = 1, err;

	while ((err = dump_read(&reader, &rec)) == 0 && rec.kind != DUMP_END) {
		if ((err = check_sequence(&rec, expect, first)) < 0)
			break;
		if (first && !renumber)
			l->next = rec.key;
		first = 0;
		expect = rec.key + 1;
		err = rec.kind == DUMP_LIVE ? load_value(l, rec.val, rec.len)
					    : load_hole(l);
		if (err < 0)
			break;
	}
	dump_reader_free(&reader);
	return err;
}

int cmd_create(int argc, char **argv)
{
	static const struct option options[] = {
		{ "first", required_argument, NULL, 'f' },
		{ "dump", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct loader l = { NULL, 0 };
	struct new_file file;
	int dump = 0, renumber = 0, opt, err;

	while ((opt = getopt_long(argc, argv, "f:dh", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (cli_parse_key(optarg, &l.next) < 0) {
				cli_warn("create: bad key '%s'", optarg);
				return cli_usage("create");
			}
			renumber = 1;
			break;
		case 'd':
			dump = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return CLI_OK;
		default:
			return cli_usage("create");
		}
	}
	if (argc - optind != 1) {
		cli_warn("create: expected one FILE");
		return cli_usage("create");
	}
	err = new_file_start(&file, argv[optind], &l.map);
	if (err < 0)
		return cli_fail(argv[optind], "cannot create", err);
	err = dump ? from_dump(&l, renumber) : from_lines(&l);
	if (err < 0) {
		new_file_abort(&file, l.map);
		if (err == -EINVAL) /* malformed input, already explained */
			return CLI_USAGE;
		return cli_fail(argv[optind], err == -EIO ? "reading input" : "append", err);
	}
	err = new_file_commit(&file, l.map);
	if (err < 0)
		return cli_fail(argv[optind], "cannot write", err);
	return CLI_OK;
}
