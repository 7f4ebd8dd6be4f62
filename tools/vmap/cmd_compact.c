/* SPDX-License-Identifier: MIT */
/*
 * cmd_compact.c - vmap compact SRC DST
 *
 * Copies SRC's live values into a new map with the same keys and holes,
 * leaving behind the bytes of replaced and removed values. DST is written
 * through a temporary file and renamed into place, so SRC may equal DST.
 */
#include "cli.h"

static const char usage[] =
	"Usage: vmap compact SRC DST\n"
	"Write a copy of SRC without the bytes of replaced or removed values\n"
	"to DST (keys and holes are kept). SRC and DST may be the same file.\n";

static int copy_key(const vmap *src, struct loader *l, uint64_t key)
{
	size_t len;
	const char *val = vmap_get(src, key, &len);

	return val ? load_value(l, val, len) : load_hole(l);
}

static int copy_map(const vmap *src, struct loader *l)
{
	struct key_range r;
	int err = 0;

	map_range(src, &r);
	if (r.empty)
		return 0;
	l->next = r.first;
	for (uint64_t key = r.first; err == 0; key++) {
		err = copy_key(src, l, key);
		if (key == r.last)
			break;
	}
	return err;
}

int cmd_compact(int argc, char **argv)
{
	struct loader l = { NULL, 0 };
	struct new_file file;
	vmap *src;
	int status = cli_no_options(argc, argv, usage);
	int err;

	if (status >= 0)
		return status;
	if (argc - optind != 2) {
		cli_warn("compact: expected SRC and DST");
		return cli_usage("compact");
	}
	err = vmap_open(&src, argv[optind], VMAP_RDONLY);
	if (err < 0)
		return cli_fail(argv[optind], "cannot open", err);
	/* A damaged value reads as NULL and would become a hole: refuse. */
	err = vmap_check(src);
	if (err < 0) {
		vmap_close(src);
		cli_warn("%s: %s", argv[optind], vmap_strerror(err));
		return cli_exit_for(err);
	}
	err = new_file_start(&file, argv[optind + 1], &l.map);
	if (err < 0) {
		vmap_close(src);
		return cli_fail(argv[optind + 1], "cannot create", err);
	}
	err = copy_map(src, &l);
	vmap_close(src);
	if (err < 0) {
		new_file_abort(&file, l.map);
		return cli_fail(argv[optind + 1], "copy", err);
	}
	err = new_file_commit(&file, l.map);
	if (err < 0)
		return cli_fail(argv[optind + 1], "cannot write", err);
	return CLI_OK;
}
