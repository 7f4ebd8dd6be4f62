/* SPDX-License-Identifier: MIT */
/*
 * cmd_create.c - vmap create FILE [--first KEY] [--dump]
 *
 * Builds a new map from standard input: one value per line, or with --dump
 * the records `vmap dump` writes (keys, values and holes as they were). The
 * map is written to a temporary file renamed over FILE only when complete,
 * and never over a FILE another process is writing (replace_file.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap create FILE [--first KEY] [--dump] < INPUT\n"
	"Create FILE from standard input: one value per line, or with --dump\n"
	"the records written by 'vmap dump'. --first KEY numbers the values\n"
	"from KEY (default 0, or the dump's own keys). A FILE that another\n"
	"process writes is refused (exit status 5).\n";

struct create_options {
	uint64_t first;
	int renumber, dump;
};

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

static int on_option(void *ctx, int opt, const char *arg)
{
	struct create_options *o = ctx;

	if (opt == 'd') {
		o->dump = 1;
		return -1;
	}
	o->renumber = 1;
	return cli_key("create", arg, &o->first) ? CLI_USAGE : -1;
}

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "first", required_argument, NULL, 'f' },
		{ "dump", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	struct create_options o = { 0, 0, 0 };
	struct cli_command c = { "create", usage, "one FILE", 1, 1, "f:d", opts,
				 on_option, &o };
	int status = cli_parse(&c, argc, argv);
	const char *path = argv[optind];
	struct loader l = { NULL, 0 };
	struct new_file file;
	int err;

	if (status >= 0)
		return status;
	l.next = o.first;
	err = new_file_start(&file, path, &l.map);
	if (err < 0)
		return cli_fail(path, "cannot create", err);
	err = o.dump ? from_dump(&l, o.renumber) : from_lines(&l);
	if (err < 0) {
		new_file_abort(&file, l.map);
		if (err == -EINVAL) /* malformed input, already explained */
			return CLI_USAGE;
		return cli_fail(path, err == -EIO ? "reading input" : "append", err);
	}
	err = new_file_commit(&file, l.map);
	if (err < 0)
		return cli_fail(path, "cannot write", err);
	return CLI_OK;
}
