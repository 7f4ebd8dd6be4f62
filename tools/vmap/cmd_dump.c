/* SPDX-License-Identifier: MIT */
/*
 * cmd_dump.c - vmap dump FILE [--from KEY] [--to KEY] [--lines]
 *
 * Writes the map in the dump format `vmap create --dump` reads back, or with
 * --lines the live values only, one per line (for text values). The whole
 * map is verified first (verify.c): a damaged map prints nothing and names
 * its first damaged key, with exit status 4.
 */
#include <errno.h>
#include <inttypes.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap dump FILE [--from KEY] [--to KEY] [--lines]\n"
	"Write FILE's keys from KEY to KEY (inclusive; default all) in the dump\n"
	"format 'vmap create --dump' reads, or with --lines the live values,\n"
	"one per line. A damaged FILE prints nothing (exit status 4).\n";

struct dump_options {
	uint64_t from, to;
	int lines;
};

/* 0, or an exit code: a value damaged after the check (a writer's?). */
static int dump_key(const vmap *m, const char *path, uint64_t key, int lines)
{
	const char *val;
	size_t len;
	int err = vmap_lookup(m, key, &val, &len);

	if (err == -ENOENT) {
		if (!lines)
			dump_write_hole(key);
		return 0;
	}
	if (err == VMAP_ECORRUPT) {
		cli_warn("%s: key %" PRIu64 ": damaged; the dump stops before it",
			 path, key);
		return CLI_DAMAGED;
	}
	if (err < 0)
		return cli_fail(path, "read", err);
	if (!lines) {
		dump_write_live(key, val, len);
		return 0;
	}
	out_bytes(val, len);
	out_bytes("\n", 1);
	return 0;
}

static int dump_range(const vmap *m, const char *path, const struct key_range *r,
		      const struct dump_options *o)
{
	uint64_t from = o->from > r->first ? o->from : r->first;
	uint64_t to = o->to < r->last ? o->to : r->last;
	int status = 0;

	if (!o->lines)
		dump_write_header();
	/* Stop on key == to, so that to == UINT64_MAX ends too. */
	for (uint64_t key = from; !r->empty && from <= to && !status; key++) {
		status = dump_key(m, path, key, o->lines);
		if (key == to)
			break;
	}
	/* No end line after a failure: a cut dump is refused on load. */
	if (!o->lines && !status)
		dump_write_end();
	return status;
}

static int on_option(void *ctx, int opt, const char *arg)
{
	struct dump_options *o = ctx;

	if (opt == 'l') {
		o->lines = 1;
		return -1;
	}
	return cli_key("dump", arg, opt == 'f' ? &o->from : &o->to) ? CLI_USAGE : -1;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "lines", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct dump_options o = { 0, UINT64_MAX, 0 };
	struct cli_command c = { "dump", usage, "one FILE", 1, 1, "f:t:l", opts,
				 on_option, &o };
	int status = cli_parse(&c, argc, argv);
	const char *path = argv[optind];
	struct key_range r;
	vmap *m;

	if (status >= 0)
		return status;
	if ((status = cli_open(path, VMAP_RDONLY, &m)) >= 0)
		return status;
	map_range(m, &r); /* before the check: all that is printed is checked */
	status = verify_map(m, path, &r);
	if (status < 0)
		status = dump_range(m, path, &r, &o);
	vmap_close(m);
	return out_finish() ? CLI_ERROR : status;
}
