/* SPDX-License-Identifier: MIT */
/* cmd_stat.c - vmap stat FILE: the numbers of struct vmap_stat, one per line. */
#include <inttypes.h>

#include "cli.h"

static const char usage[] =
	"Usage: vmap stat FILE\n"
	"Print FILE's keys, counts and sizes as 'name: value' lines.\n";

static void print_stat(const struct vmap_stat *st)
{
	printf("format_version: %" PRIu32 "\n", st->format_version);
	printf("first_key: %" PRIu64 "\n", st->first_key);
	printf("next_key: %" PRIu64 "\n", st->next_key);
	printf("live: %" PRIu64 "\n", st->live);
	printf("removed: %" PRIu64 "\n", st->removed);
	printf("value_bytes: %" PRIu64 "\n", st->value_bytes);
	printf("used_bytes: %" PRIu64 "\n", st->used_bytes);
	printf("total_bytes: %" PRIu64 "\n", st->total_bytes);
	printf("far_values: %" PRIu64 "\n", st->far_values);
	printf("page_size: %" PRIu32 "\n", st->page_size);
}

int cmd_stat(int argc, char **argv)
{
	struct cli_command c = { "stat", usage, "one FILE", 1, 1, NULL, NULL, NULL, NULL };
	int status = cli_parse(&c, argc, argv);
	struct vmap_stat st;
	vmap *m;
	int err;

	if (status >= 0)
		return status;
	if ((status = cli_open(argv[optind], VMAP_RDONLY, &m)) >= 0)
		return status;
	err = vmap_stat(m, &st);
	vmap_close(m);
	if (err < 0)
		return cli_fail(argv[optind], "stat", err);
	print_stat(&st);
	return out_finish();
}
