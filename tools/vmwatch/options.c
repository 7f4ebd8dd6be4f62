/* SPDX-License-Identifier: MIT */
/* options.c - vmwatch's command line (see man/vmwatch.1). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmwatch.h"

static const char usage[] =
	"Usage: vmwatch [OPTIONS] DIR... [@DIR...]\n"
	"Watch the trees under each DIR and print one line per event:\n"
	"EVENTS PATH, e.g. 'CREATE,ISDIR dir/new'. @DIR: not watched.\n"
	"\n"
	"  -e, --event EVENT[,EVENT]  print only these events (repeatable):\n"
	"                             access modify attrib close_write\n"
	"                             close_nowrite close open moved_from\n"
	"                             moved_to move create delete delete_self\n"
	"                             move_self unmount\n"
	"      --exclude REGEX        ignore paths matching the POSIX extended\n"
	"                             REGEX (not watched, not printed)\n"
	"      --excludei REGEX       the same, case-insensitive\n"
	"      --include REGEX        print only paths matching REGEX\n"
	"      --includei REGEX       the same, case-insensitive\n"
	"      --fromfile FILE        read DIRs (and @DIRs) from FILE, one per\n"
	"                             line; '-' is standard input\n"
	"      --format FMT           print FMT per event: %w directory/, %f name,\n"
	"                             %p full path, %e events, %Xe events joined\n"
	"                             by X, %T time (--timefmt), %0 NUL,\n"
	"                             %n newline, %% a '%'\n"
	"      --no-newline           no newline after each --format record\n"
	"      --timefmt FMT          strftime(3) format of %T\n"
	"  -c, --csv                  print DIR/,EVENTS,NAME as CSV (RFC 4180)\n"
	"  -0, --null                 end records with NUL, not newline\n"
	"  -o, --outfile FILE         append records to FILE, not stdout\n"
	"      --journal FILE         append records to the vector_map FILE,\n"
	"                             one key each (read with 'vmap tail')\n"
	"      --sync SECONDS         sync the journal at least this often\n"
	"                             (default 1; 0: after every batch)\n"
	"  -t, --timeout SECONDS      end after SECONDS without an event\n"
	"  -q, --quiet                do not print 'Watches established.'\n"
	"  -m, --monitor, -r, --recursive\n"
	"                             accepted for inotifywait users; always on\n"
	"  -h, --help                 this help;  -V, --version  the version\n"
	"\n"
	"Exit status: 0 on SIGINT, SIGTERM or SIGHUP (or -t after events),\n"
	"1 on error, 2 on a usage error, 3 when -t ran out with no event.\n";

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("vmwatch: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'vmwatch --help'.\n", stderr);
	return 2;
}

/* The last --exclude (or --include) wins, as in inotifywait. */
static int set_regex(regex_t *re, int *has, const char *regex, int flags,
		     const char *option)
{
	char msg[64];

	if (*has)
		regfree(re);
	*has = regcomp(re, regex, REG_EXTENDED | REG_NOSUB | flags) == 0;
	if (*has)
		return -1;
	snprintf(msg, sizeof msg, "bad %s regular expression '%%s'", option);
	return bad_usage(msg, regex);
}

/* Seconds as a decimal number, 0 or more; -1 if malformed. */
static long long parse_ms(const char *text)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(text, &end);
	if (errno || end == text || *end || !(s >= 0) || s > 1e9)
		return -1;
	return (long long)ceil(s * 1000);
}

static void add_arg(struct watcher *w, char *arg)
{
	struct filters *f = &w->filters;

	if (arg[0] == '@') {
		f->skip = xrealloc(f->skip, f->skip_count + 1, sizeof *f->skip);
		f->skip[f->skip_count++] = arg + 1;
		/* Compared with paths as printed: no trailing slash. */
		for (size_t n = strlen(arg); n > 2 && arg[n - 1] == '/'; n--)
			arg[n - 1] = '\0';
	} else {
		w->roots = xrealloc(w->roots, (size_t)w->root_count + 1, sizeof *w->roots);
		w->roots[w->root_count++] = arg;
	}
}

/* --fromfile: one DIR or @DIR per line; the lines are kept for the run. */
static int read_list(struct watcher *w, const char *file)
{
	FILE *in = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!in) {
		fprintf(stderr, "vmwatch: %s: %s\n", file, strerror(errno));
		return 1;
	}
	while ((n = getline(&line, &cap, in)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0)
			continue;
		w->root_list = xrealloc(w->root_list, w->root_list_count + 1,
					sizeof *w->root_list);
		w->root_list[w->root_list_count++] = line;
		add_arg(w, line);
		line = NULL;
		cap = 0;
	}
	free(line);
	if (in != stdin)
		fclose(in);
	return -1;
}

/* Every DIR must be a directory: say so now, not after a partial setup. */
static int check_roots(const struct watcher *w)
{
	struct stat st;

	if (w->root_count == 0)
		return bad_usage("%s", "no directory to watch");
	for (int i = 0; i < w->root_count; i++)
		if (stat(w->roots[i], &st) == 0 && !S_ISDIR(st.st_mode))
			return bad_usage("%s: not a directory (vmwatch watches "
					 "directory trees)", w->roots[i]);
	return -1;
}

static int finish(struct watcher *w)
{
	if (w->sink.csv && w->format)
		return bad_usage("%s", "--csv and --format do not go together");
	if (!w->show)
		w->show = IN_ALL_EVENTS;
	w->show |= IN_UNMOUNT; /* always worth knowing, as in inotifywait */
	w->mask = (w->show | TRACK_MASK) & IN_ALL_EVENTS;
	w->quiet_mask = w->mask & ~(uint32_t)READ_EVENTS;
	return check_roots(w);
}

enum {
	OPT_EXCLUDE = 256, OPT_EXCLUDEI, OPT_INCLUDE, OPT_INCLUDEI, OPT_FORMAT,
	OPT_TIMEFMT, OPT_FROMFILE, OPT_NO_NEWLINE, OPT_JOURNAL, OPT_SYNC
};

static const struct option options[] = {
	{ "event", required_argument, NULL, 'e' },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "excludei", required_argument, NULL, OPT_EXCLUDEI },
	{ "include", required_argument, NULL, OPT_INCLUDE },
	{ "includei", required_argument, NULL, OPT_INCLUDEI },
	{ "fromfile", required_argument, NULL, OPT_FROMFILE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "no-newline", no_argument, NULL, OPT_NO_NEWLINE },
	{ "timefmt", required_argument, NULL, OPT_TIMEFMT },
	{ "csv", no_argument, NULL, 'c' },
	{ "null", no_argument, NULL, '0' },
	{ "outfile", required_argument, NULL, 'o' },
	{ "journal", required_argument, NULL, OPT_JOURNAL },
	{ "sync", required_argument, NULL, OPT_SYNC },
	{ "timeout", required_argument, NULL, 't' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "monitor", no_argument, NULL, 'm' },
	{ "recursive", no_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* One option; -1 to go on, else the exit code. */
static int one_option(struct watcher *w, int opt)
{
	struct filters *f = &w->filters;

	switch (opt) {
	case 'e':
		if (event_mask_from_names(optarg, &w->show) < 0)
			return bad_usage("unknown event in '%s'", optarg);
		return -1;
	case OPT_EXCLUDE:
	case OPT_EXCLUDEI:
		return set_regex(&f->exclude, &f->has_exclude, optarg,
				 opt == OPT_EXCLUDEI ? REG_ICASE : 0, "--exclude");
	case OPT_INCLUDE:
	case OPT_INCLUDEI:
		return set_regex(&f->include, &f->has_include, optarg,
				 opt == OPT_INCLUDEI ? REG_ICASE : 0, "--include");
	case OPT_FROMFILE: return read_list(w, optarg);
	case OPT_FORMAT: w->format = optarg; return -1;
	case OPT_NO_NEWLINE: w->sink.no_newline = 1; return -1;
	case OPT_TIMEFMT: w->timefmt = optarg; return -1;
	case 'c': w->sink.csv = 1; return -1;
	case '0': w->sink.end = '\0'; return -1;
	case 'o': w->sink.out_path = optarg; return -1;
	case OPT_JOURNAL: w->sink.journal_path = optarg; return -1;
	case OPT_SYNC:
		if ((w->sink.sync_ms = parse_ms(optarg)) < 0)
			return bad_usage("bad --sync '%s' (seconds, e.g. 0.5)", optarg);
		return -1;
	case 't':
		if ((w->timeout_ms = parse_ms(optarg)) < 0)
			return bad_usage("bad --timeout '%s' (seconds, e.g. 10)", optarg);
		return -1;
	case 'q': w->quiet = 1; return -1;
	case 'm': case 'r': return -1;
	case 'h': fputs(usage, stdout); return 0;
	case 'V':
		printf("vmwatch %d.%d.%d\n", VMAP_VERSION_MAJOR, VMAP_VERSION_MINOR,
		       VMAP_VERSION_PATCH);
		return 0;
	default:
		return bad_usage("%s", "bad option");
	}
}

int parse_options(struct watcher *w, int argc, char **argv)
{
	int opt, status;

	w->timefmt = "%Y-%m-%d %H:%M:%S";
	w->sink.end = '\n';
	w->sink.sync_ms = 1000;
	while ((opt = getopt_long(argc, argv, "e:co:t:0qmrhV", options, NULL)) != -1)
		if ((status = one_option(w, opt)) >= 0)
			return status;
	for (int i = optind; i < argc; i++)
		add_arg(w, argv[i]);
	return finish(w);
}

void free_options(struct watcher *w)
{
	struct filters *f = &w->filters;

	if (f->has_exclude)
		regfree(&f->exclude);
	if (f->has_include)
		regfree(&f->include);
	for (size_t i = 0; i < w->root_list_count; i++)
		free(w->root_list[i]);
	free(w->root_list);
	free(w->roots);
	free(f->skip);
}
