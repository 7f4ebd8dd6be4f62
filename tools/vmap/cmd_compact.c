/* SPDX-License-Identifier: MIT */
/*
 * cmd_compact.c - vmap compact SRC DST
 *
 * Copies SRC's live values into a new map with the same keys and holes,
 * leaving behind the bytes of replaced and removed values. DST is written
 * through a temporary file and renamed into place, so SRC may equal DST; a
 * DST another process writes is refused (replace_file.c).
 */
#include <errno.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap compact SRC DST\n"
	"Write a copy of SRC without the bytes of replaced or removed values\n"
	"to DST (keys and holes are kept). SRC and DST may be the same file.\n"
	"A damaged SRC (exit status 4) or a DST another process writes (5) is\n"
	"refused.\n";

static int copy_key(const vmap *src, struct loader *l, uint64_t key)
{
	size_t len;
	const char *val;
	int err = vmap_lookup(src, key, &val, &len);

	if (err == 0)
		return load_value(l, val, len);
	return err == -ENOENT ? load_hole(l) : err;
}

static int copy_map(const vmap *src, const struct key_range *r, struct loader *l)
{
	int err = 0;

	if (r->empty)
		return 0;
	l->next = r->first;
	for (uint64_t key = r->first; err == 0; key++) {
		err = copy_key(src, l, key);
		if (key == r->last)
			break;
	}
	return err;
}

/* SRC open and verified: write DST. */
static int write_copy(const vmap *src, const struct key_range *r, const char *dst)
{
	struct loader l = { NULL, 0 };
	struct new_file file;
	int err = new_file_start(&file, dst, &l.map);

	if (err < 0)
		return cli_fail(dst, "cannot create", err);
	err = copy_map(src, r, &l);
	if (err < 0) {
		new_file_abort(&file, l.map);
		return cli_fail(dst, "copy", err);
	}
	err = new_file_commit(&file, l.map);
	return err < 0 ? cli_fail(dst, "cannot write", err) : CLI_OK;
}

int cmd_compact(int argc, char **argv)
{
	struct cli_command c = { "compact", usage, "SRC and DST", 2, 2, NULL, NULL,
				 NULL, NULL };
	int status = cli_parse(&c, argc, argv);
	struct key_range r;
	vmap *src;

	if (status >= 0)
		return status;
	if ((status = cli_open(argv[optind], VMAP_RDONLY, &src)) >= 0)
		return status;
	/* A damaged value must not become a hole or wrong bytes: refuse. */
	map_range(src, &r);
	status = verify_map(src, argv[optind], &r);
	if (status < 0)
		status = write_copy(src, &r, argv[optind + 1]);
	vmap_close(src);
	return status;
}
