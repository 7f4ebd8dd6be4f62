/* SPDX-License-Identifier: MIT */
/*
 * watch_table.c - the table an inotify daemon keeps: watch descriptor ->
 * the path of the directory it watches.
 *
 * One inotify instance numbers its watches 1, 2, 3, ... in the order they
 * are added: dense, consecutive keys, which is what a vector_map stores in
 * about 5 bytes per entry beyond the path, and looks up in O(1) for every
 * event that arrives.
 *
 *   watch_table DIR COUNT
 *
 * watches DIR and every directory below it (and those created later), prints
 * COUNT events as "EVENT PATH", then the table. Paths of directories moved
 * after they were watched go stale here; vmwatch(1) shows how to keep them
 * right with vmap_replace.
 */
#define _GNU_SOURCE
#include <vmap.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)

static int watch_tree(int fd, vmap *table, const char *dir);

/* Store wd -> dir. A wd the table already holds is a directory watched
 * twice (under two names): keep the first. */
static int remember(vmap *table, int wd, const char *dir)
{
	uint64_t next = vmap_next_key(table);
	int rc = 0;

	if (next && (uint64_t)wd < next)
		return 0;
	/* numbers this instance skipped (watches added and removed
	 * elsewhere in the program) stay empty */
	while (next && next < (uint64_t)wd && rc == 0)
		rc = vmap_append(table, next++, "", 0);
	if (rc == 0)
		rc = vmap_append(table, (uint64_t)wd, dir, strlen(dir));
	if (rc < 0)
		fprintf(stderr, "watch_table: %s: %s\n", dir, vmap_strerror(rc));
	return rc;
}

static int watch_children(int fd, vmap *table, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	int rc = 0;

	if (!d) /* gone already, or not ours to read: no watch below it */
		return 0;
	while (rc == 0 && (e = readdir(d))) {
		if ((e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
			rc = watch_tree(fd, table, path);
	}
	closedir(d);
	return rc;
}

static int watch_tree(int fd, vmap *table, const char *dir)
{
	int wd = inotify_add_watch(fd, dir, EVENTS | IN_ONLYDIR);

	if (wd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) /* gone, or not a directory */
			return 0;
		fprintf(stderr, "watch_table: watch %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (remember(table, wd, dir) < 0)
		return -1;
	return watch_children(fd, table, dir);
}

static const char *event_name(uint32_t mask)
{
	if (mask & IN_CREATE)
		return "create";
	if (mask & IN_DELETE)
		return "delete";
	if (mask & IN_MOVED_FROM)
		return "moved_from";
	if (mask & IN_MOVED_TO)
		return "moved_to";
	return "other";
}

/* One event: its directory's path is one get away. Returns 1 if counted. */
static int handle(int fd, vmap *table, const struct inotify_event *ev)
{
	char path[PATH_MAX];
	const char *dir = vmap_get(table, (uint64_t)ev->wd, NULL);

	if (ev->mask & IN_Q_OVERFLOW) {
		fprintf(stderr, "watch_table: events were lost (queue overflow)\n");
		return -1;
	}
	if (!dir || !ev->len) /* IN_IGNORED and events on the directory itself */
		return 0;
	snprintf(path, sizeof path, "%s/%s", dir, ev->name);
	if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && (ev->mask & IN_ISDIR) &&
	    watch_tree(fd, table, path) < 0)
		return -1;
	printf("%s %s\n", event_name(ev->mask), path);
	return 1;
}

static int read_events(int fd, vmap *table, long count)
{
	_Alignas(struct inotify_event) char buf[64 * 1024];

	while (count > 0) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "watch_table: read: %s\n", strerror(errno));
			return -1;
		}
		for (char *p = buf; p < buf + n && count > 0;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			int rc = handle(fd, table, ev);

			if (rc < 0)
				return -1;
			count -= rc;
			p += sizeof *ev + ev->len;
		}
	}
	return 0;
}

static void print_table(const vmap *table)
{
	uint64_t end = vmap_next_key(table);

	printf("%llu watches\n", (unsigned long long)vmap_count(table));
	for (uint64_t wd = vmap_first_key(table); wd != end; wd++)
		printf("%llu %s\n", (unsigned long long)wd, vmap_get(table, wd, NULL));
}

int main(int argc, char **argv)
{
	vmap *table;
	int fd, rc;

	if (argc != 3 || atol(argv[2]) < 0) {
		fprintf(stderr, "usage: watch_table DIR COUNT\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0); /* a daemon's log, line by line */
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "watch_table: inotify: %s\n", strerror(errno));
		return 1;
	}
	rc = vmap_new(&table);
	if (rc < 0) {
		fprintf(stderr, "watch_table: %s\n", vmap_strerror(rc));
		return 1;
	}
	rc = watch_tree(fd, table, argv[1]);
	if (rc == 0) {
		printf("watching %llu directories\n", (unsigned long long)vmap_count(table));
		rc = read_events(fd, table, atol(argv[2]));
	}
	if (rc == 0)
		print_table(table);
	vmap_close(table);
	close(fd);
	return rc == 0 ? 0 : 1;
}
