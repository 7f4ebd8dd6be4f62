/* SPDX-License-Identifier: MIT */
/*
 * main.c - vmap: the command line for file-backed vector_maps.
 *
 *   vmap SUBCOMMAND [OPTIONS] FILE ...
 *
 * One file per subcommand (cmd_*.c); this file only dispatches. Exit codes
 * are in cli.h and man/vmap.1.
 */
#include <string.h>

#include "cli.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "create", cmd_create, "create FILE [--first KEY] [--dump]", "build FILE from stdin" },
	{ "append", cmd_append, "append FILE [VALUE|-|@FILE...]", "append, print the keys" },
	{ "get", cmd_get, "get [--raw] FILE KEY...", "print values" },
	{ "dump", cmd_dump, "dump FILE [--from KEY] [--to KEY] [--lines]", "write the dump" },
	{ "tail", cmd_tail, "tail [-f] [-n N | --from KEY] FILE", "last, then new values" },
	{ "stat", cmd_stat, "stat FILE", "print counts and sizes" },
	{ "check", cmd_check, "check FILE", "verify the whole file" },
	{ "compact", cmd_compact, "compact SRC DST", "copy without dead bytes" },
	{ "remove", cmd_remove, "remove FILE KEY...", "make keys holes" },
	{ "replace", cmd_replace, "replace FILE KEY VALUE|-|@FILE", "give a key a new value" },
};

static void print_help(void)
{
	fputs("Usage: vmap SUBCOMMAND [OPTIONS] FILE ...\n\nSubcommands:\n", stdout);
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		printf("  vmap %-44s %s\n", subcommands[i].synopsis, subcommands[i].summary);
	fputs("\nExit status: 0 ok, 1 key not found (check: file damaged),\n"
	      "2 usage error or malformed input, 3 I/O or library error,\n"
	      "4 damaged data (nothing of it printed), 5 file busy (another\n"
	      "process writes it). 'vmap SUBCOMMAND --help' and vmap(1) tell more.\n",
	      stdout);
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc > 1 && !strcmp(argv[1], "--")) { /* vmap -- SUBCOMMAND ... */
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	name = argc > 1 ? argv[1] : NULL;
	if (!name)
		return cli_usage(NULL);
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		print_help();
		return out_finish();
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("vmap %d.%d.%d\n", VMAP_VERSION_MAJOR, VMAP_VERSION_MINOR,
		       VMAP_VERSION_PATCH);
		return out_finish();
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (!strcmp(name, subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	cli_warn("unknown subcommand '%s'", name);
	return cli_usage(NULL);
}
