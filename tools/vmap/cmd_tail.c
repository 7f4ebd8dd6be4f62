/* SPDX-License-Identifier: MIT */
/*
 * cmd_tail.c - vmap tail [-f] [-n COUNT | --from KEY] [--keys] [-z] FILE
 *
 * Prints the values of the last COUNT keys (10), or of every key from KEY
 * on, one per line; with -f it then follows the file as a writer appends
 * to it, like tail -f and journalctl -f. That is what `vmwatch --journal`
 * is read with: "what changed since N" is `vmap tail --from N`.
 *
 * Following takes no lock and never rereads the file: a read-only handle
 * sees what the writer appends without reopening, so tail looks at
 * vmap_next_key(), O(1), every few milliseconds (from 5 ms after news up to
 * 200 ms when idle; writes through a mapping raise no inotify event to wait
 * for). If FILE is replaced (vmap compact renames a new file over it), tail
 * reopens it and goes on from the same key. Every value is checked before
 * it is printed; a damaged one stops tail with exit status 4.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

#define DEFAULT_COUNT 10
#define NAP_MIN_MS 5
#define NAP_MAX_MS 200
#define REOPEN_CHECK_MS 1000 /* how often to look whether FILE was replaced */

static const char usage[] =
	"Usage: vmap tail [-f] [-n COUNT | --from KEY] [--keys] [-z] FILE\n"
	"Print the values of FILE's last COUNT keys (default 10), or of every\n"
	"key from KEY on, one per line (holes are skipped). -f, --follow: then\n"
	"print each value a writer appends, until interrupted. --keys: put the\n"
	"key and a tab before each value. -z, --null: end values with NUL.\n";

struct tail_options {
	uint64_t count, from;
	int follow, keys, have_from, have_count;
	char end;
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_option(void *ctx, int opt, const char *arg)
{
	struct tail_options *o = ctx;

	switch (opt) {
	case 'f': o->follow = 1; return -1;
	case 'k': o->keys = 1; return -1;
	case 'z': o->end = '\0'; return -1;
	case 'F':
		o->have_from = 1;
		return cli_key("tail", arg, &o->from) ? CLI_USAGE : -1;
	default: /* 'n' */
		o->have_count = 1;
		if (cli_parse_key(arg, &o->count) == 0)
			return -1;
		cli_warn("tail: bad count '%s'", arg);
		return cli_usage("tail");
	}
}

/* Print key if it is live; 0, or an exit code. */
static int print_key(const vmap *m, const char *path, uint64_t key,
		     const struct tail_options *o)
{
	const char *val;
	size_t len;
	int status = verify_lookup(m, path, key, &val, &len);

	if (status == -ENOENT)
		return 0; /* a hole */
	if (status)
		return status;
	if (o->keys)
		printf("%" PRIu64 "\t", key);
	out_bytes(val, len);
	out_bytes(&o->end, 1);
	return 0;
}

/*
 * Print keys from *next up to the map's end; *next moves past them. A map
 * whose last key is UINT64_MAX has vmap_next_key() 0: its end is "past
 * UINT64_MAX", and *done says so.
 */
static int print_new(const vmap *m, const char *path, uint64_t *next, int *done,
		     const struct tail_options *o)
{
	struct key_range r;
	int status = 0;

	map_range(m, &r);
	if (!r.empty && *next < r.first)
		*next = r.first; /* nothing below the first key: skip there */
	while (!r.empty && !*done && *next <= r.last && !status) {
		status = print_key(m, path, *next, o);
		if (*next == UINT64_MAX)
			*done = 1;
		else
			(*next)++;
	}
	if (!status && fflush(stdout) != 0)
		status = out_finish();
	return status;
}

static uint64_t start_key(const vmap *m, const struct tail_options *o)
{
	struct key_range r;

	map_range(m, &r);
	if (o->have_from)
		return o->from;
	if (r.empty)
		return 0;
	if (r.last - r.first < o->count)
		return r.first;
	return r.last - o->count + 1;
}

static void nap(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* Is the file at path another one than (dev, ino) by now? */
static int replaced(const char *path, const struct stat *had)
{
	struct stat now;

	return stat(path, &now) == 0 &&
	       (now.st_ino != had->st_ino || now.st_dev != had->st_dev);
}

/* Follow m until a signal; reopen when path is replaced. */
static int follow(vmap **m, const char *path, uint64_t next, int done,
		  const struct tail_options *o, struct stat *had)
{
	long wait = NAP_MIN_MS, since_check = 0;
	int status = 0;

	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	while (!stop && !status) {
		uint64_t before = next;

		nap(wait);
		since_check += wait;
		if (since_check >= REOPEN_CHECK_MS) {
			since_check = 0;
			if (replaced(path, had) && stat(path, had) == 0) {
				vmap_close(*m);
				if ((status = cli_open(path, VMAP_RDONLY, m)) >= 0)
					return status;
			}
		}
		status = print_new(*m, path, &next, &done, o);
		wait = next != before ? NAP_MIN_MS
				      : (wait * 2 > NAP_MAX_MS ? NAP_MAX_MS : wait * 2);
	}
	return status;
}

int cmd_tail(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "lines", required_argument, NULL, 'n' },
		{ "from", required_argument, NULL, 'F' },
		{ "keys", no_argument, NULL, 'k' },
		{ "null", no_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 }
	};
	struct tail_options o = { DEFAULT_COUNT, 0, 0, 0, 0, 0, '\n' };
	struct cli_command c = { "tail", usage, "one FILE", 1, 1, "fn:kz", opts,
				 on_option, &o };
	int status = cli_parse(&c, argc, argv);
	const char *path = argv[optind];
	struct stat had;
	uint64_t next;
	int done = 0;
	vmap *m;

	if (status >= 0)
		return status;
	if (o.have_from && o.have_count) {
		cli_warn("tail: -n and --from do not go together");
		return cli_usage("tail");
	}
	if (stat(path, &had) < 0)
		memset(&had, 0, sizeof had);
	if ((status = cli_open(path, VMAP_RDONLY, &m)) >= 0)
		return status;
	next = start_key(m, &o);
	status = print_new(m, path, &next, &done, &o);
	if (!status && o.follow)
		status = follow(&m, path, next, done, &o, &had);
	vmap_close(m);
	return out_finish() ? CLI_ERROR : status;
}
