/* SPDX-License-Identifier: MIT */
/*
 * cmd_dump.c - vmap dump FILE [--from KEY] [--to KEY] [--lines]
 *
 * Writes the map in the dump format `vmap create --dump` reads back, or with
 * --lines the live values only, one per line (for text values).
 */
#include <getopt.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap dump FILE [--from KEY] [--to KEY] [--lines]\n"
	"Write FILE's keys from KEY to KEY (inclusive; default all) in the dump\n"
	"format 'vmap create --dump' reads, or with --lines the live values,\n"
	"one per line.\n";

struct dump_options {
	uint64_t from, to;
	int lines;
};

static void dump_key(const vmap *m, uint64_t key, int lines)
{
	size_t len;
	const char *val = vmap_get(m, key, &len);

	if (lines) {
		if (val) {
			out_bytes(val, len);
			out_bytes("\n", 1);
		}
	} else if (val) {
		dump_write_live(key, val, len);
	} else {
		dump_write_hole(key);
	}
}

static void dump_range(const vmap *m, const struct dump_options *o)
{
	struct key_range r;
	uint64_t key;

	map_range(m, &r);
	if (!r.empty) {
		uint64_t from = o->from > r.first ? o->from : r.first;
		uint64_t to = o->to < r.last ? o->to : r.last;

		/* Stop on key == to, so that to == UINT64_MAX ends too. */
		for (key = from; from <= to; key++) {
			dump_key(m, key, o->lines);
			if (key == to)
				break;
		}
	}
	if (!o->lines)
		dump_write_end();
}

static int parse(int argc, char **argv, struct dump_options *o)
{
	static const struct option options[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "lines", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "f:t:lh", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
		case 't':
			if (cli_parse_key(optarg, opt == 'f' ? &o->from : &o->to) < 0) {
				cli_warn("dump: bad key '%s'", optarg);
				return cli_usage("dump");
			}
			break;
		case 'l':
			o->lines = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return CLI_OK;
		default:
			return cli_usage("dump");
		}
	}
	if (argc - optind != 1) {
		cli_warn("dump: expected one FILE");
		return cli_usage("dump");
	}
	return -1;
}

int cmd_dump(int argc, char **argv)
{
	struct dump_options o = { 0, UINT64_MAX, 0 };
	vmap *m;
	int status = parse(argc, argv, &o);
	int err;

	if (status >= 0)
		return status;
	err = vmap_open(&m, argv[optind], VMAP_RDONLY);
	if (err < 0)
		return cli_fail(argv[optind], "cannot open", err);
	dump_range(m, &o);
	vmap_close(m);
	return out_finish();
}
