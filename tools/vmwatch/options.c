/* SPDX-License-Identifier: MIT */
/* options.c - vmwatch's command line (see man/vmwatch.1). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "vmwatch.h"

static const char usage[] =
	"Usage: vmwatch [OPTIONS] DIR...\n"
	"Watch the trees under each DIR and print one line per event:\n"
	"EVENTS PATH, e.g. 'CREATE,ISDIR dir/new'.\n"
	"\n"
	"  -e, --event EVENT[,EVENT]  print only these events (repeatable):\n"
	"                             access modify attrib close_write\n"
	"                             close_nowrite close open moved_from\n"
	"                             moved_to move create delete delete_self\n"
	"                             move_self unmount\n"
	"      --exclude REGEX        ignore paths matching the POSIX extended\n"
	"                             REGEX (not watched, not printed)\n"
	"      --excludei REGEX       the same, case-insensitive\n"
	"      --format FMT           print FMT per event: %w directory/, %f name,\n"
	"                             %p full path, %e events, %Xe events joined\n"
	"                             by X, %T time (--timefmt), %% a '%'\n"
	"      --timefmt FMT          strftime(3) format of %T\n"
	"  -q, --quiet                do not print 'Watches established.'\n"
	"  -m, --monitor, -r, --recursive\n"
	"                             accepted for inotifywait users; always on\n"
	"  -h, --help                 this help;  -V, --version  the version\n"
	"\n"
	"Exit status: 0 on SIGINT or SIGTERM, 1 on error, 2 on a usage error.\n";

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("vmwatch: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'vmwatch --help'.\n", stderr);
	return 2;
}

static int set_exclude(struct watcher *w, const char *regex, int flags)
{
	int err;

	if (w->has_exclude)
		regfree(&w->exclude); /* the last one wins, as in inotifywait */
	err = regcomp(&w->exclude, regex, REG_EXTENDED | REG_NOSUB | flags);
	w->has_exclude = err == 0;
	return err ? bad_usage("bad --exclude regular expression '%s'", regex) : -1;
}

int parse_options(struct watcher *w, int argc, char **argv)
{
	enum { OPT_EXCLUDE = 256, OPT_EXCLUDEI, OPT_FORMAT, OPT_TIMEFMT };
	static const struct option options[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "excludei", required_argument, NULL, OPT_EXCLUDEI },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "timefmt", required_argument, NULL, OPT_TIMEFMT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "monitor", no_argument, NULL, 'm' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int opt, status;

	w->timefmt = "%Y-%m-%d %H:%M:%S";
	while ((opt = getopt_long(argc, argv, "e:qmrhV", options, NULL)) != -1) {
		switch (opt) {
		case 'e':
			if (event_mask_from_names(optarg, &w->show) < 0)
				return bad_usage("unknown event in '%s'", optarg);
			break;
		case OPT_EXCLUDE:
		case OPT_EXCLUDEI:
			status = set_exclude(w, optarg, opt == OPT_EXCLUDEI ? REG_ICASE : 0);
			if (status >= 0)
				return status;
			break;
		case OPT_FORMAT: w->format = optarg; break;
		case OPT_TIMEFMT: w->timefmt = optarg; break;
		case 'q': w->quiet = 1; break;
		case 'm': case 'r': break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V':
			printf("vmwatch %d.%d.%d\n", VMAP_VERSION_MAJOR,
			       VMAP_VERSION_MINOR, VMAP_VERSION_PATCH);
			return 0;
		default:
			return bad_usage("%s", "bad option");
		}
	}
	if (optind >= argc)
		return bad_usage("%s", "no directory to watch");
	if (!w->show)
		w->show = IN_ALL_EVENTS;
	w->show |= IN_UNMOUNT; /* always worth knowing, as in inotifywait */
	w->mask = (w->show | TRACK_MASK) & IN_ALL_EVENTS;
	w->roots = argv + optind;
	w->root_count = argc - optind;
	return -1;
}
