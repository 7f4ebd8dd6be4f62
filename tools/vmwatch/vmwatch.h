/* SPDX-License-Identifier: MIT */
/*
 * vmwatch.h - shared state of vmwatch, the recursive inotify watcher.
 *
 * The one table: a vector_map keyed by inotify watch descriptor. The value
 * of watch W is its parent's descriptor and its own name:
 *
 *   +----------------+------------------------+----+
 *   | parent wd (u32 | name (bytes, no '/')   | \0 |  \0 added by vmap
 *   | little-endian) |                        |    |
 *   +----------------+------------------------+----+
 *
 * A root (a directory named on the command line) has parent 0, which no
 * watch descriptor ever is, and its name is the path as given (the root "/"
 * is stored as "", so that joining "/" and a name needs no special case).
 * A full path is rebuilt by walking parents up to a root, so renaming a
 * directory is one vmap_replace and every path below it follows.
 *
 * How the table stays true (see handle.c, moves.c, arrivals.c, scan.c):
 *   - it changes only in the order of the event queue, and a rename is
 *     applied to the watch whose own MOVE_SELF the kernel queued for it,
 *     never to a watch found by name;
 *   - every look at the file system goes through a descriptor of the exact
 *     directory meant (O_PATH, then /proc/self/fd/N), never a path that
 *     could name another directory by now;
 *   - directories vmwatch reads itself are watched without the read events
 *     (OPEN, ACCESS, CLOSE_NOWRITE) while it reads them, so its own reading
 *     is never reported and never fills the queue.
 */
#ifndef VMWATCH_H
#define VMWATCH_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/inotify.h>

#include "vmap.h"

/* Events vmwatch always asks for, whatever -e says: it needs them to keep
 * the tree right. They are printed only if they are also in `show`. */
#define TRACK_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
		    IN_MOVE_SELF | IN_DELETE_SELF)

/* What reading a directory makes the kernel queue: left out of a watch's
 * mask while vmwatch itself reads that directory or one of its entries. */
#define READ_EVENTS (IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE)

/* Longest chain of parents. Deeper directories are not watched (with a
 * warning); wmap_path takes a longer chain for a loop and refuses it. */
#define MAX_DEPTH 4096

/* A bit inotify never sets in an event's mask: "already accounted for by
 * an earlier MOVED_FROM" (see moves.c). Cleared before printing. */
#define EV_CLAIMED 0x08000000u

struct strbuf {
	char *s;
	size_t len, cap;
};

/* batch.c: events read from the kernel, not yet handled. */
struct batch {
	char *buf;     /* whole events, as read(2) returns them */
	size_t len;    /* bytes in buf */
	size_t at;     /* the next event to handle */
	size_t cap;
	int settled;   /* waited once already for the rest of a rename */
	long long wait_until_ms; /* deadline of that wait */
};

/* arrivals.c: directories that appeared, watched at the end of the batch
 * when the table is as up to date as the queue allows; and watches to
 * check there. */
struct arrival {
	int parent;
	int report;  /* their entries were created, not moved in: print them */
	int tries;   /* times the parent could not be found where it should be */
	int expect;  /* the watch that should be there (a check), or 0 */
	size_t name; /* offset of the NUL-terminated name in names */
};
struct arrivals {
	struct arrival *list;
	size_t count, cap;
	struct strbuf names;
};

/* Where printed lines go (output.c, journal.c). */
struct sink {
	FILE *out;          /* stdout or -o FILE; NULL with --journal alone */
	const char *out_path;
	vmap *journal;      /* --journal FILE: one entry per line */
	const char *journal_path;
	long long sync_ms;  /* --sync: at most this long between syncs */
	long long synced_at;
	uint64_t unsynced;  /* entries appended since the last sync */
	char end;           /* '\n', or '\0' with --null */
	int csv;
	int no_newline;
	uint64_t lines;     /* lines printed, for -t */
};

struct filters {
	regex_t exclude, include;
	int has_exclude, has_include;
	char **skip;        /* @PATH arguments: never watched nor printed */
	size_t skip_count;
};

struct watcher {
	int fd;              /* inotify instance */
	vmap *map;           /* wd -> (parent wd, name): see above */
	uint32_t show;       /* events to print (IN_* bits) */
	uint32_t mask;       /* events to watch: show | TRACK_MASK */
	uint32_t quiet_mask; /* mask without READ_EVENTS, while scanning */
	struct filters filters;
	struct sink sink;
	int quiet;
	const char *format;  /* NULL: "%e %p" */
	const char *timefmt;
	long long timeout_ms; /* -t: end after this long without a line */
	char **roots;
	int *root_wd;        /* each root's watch, or -1 once it is gone */
	int root_count;
	char **root_list;    /* --fromfile: the lines behind roots and skips */
	size_t root_list_count;
	uint64_t removals;   /* since the map was last compacted */
	int resync;          /* the table cannot be trusted: walk the tree again */
	struct strbuf path;  /* scratch for event paths */
	struct batch batch;
	struct arrivals arrivals;
	/* recent.c: (wd, name) pairs reported by a scan, see there. */
	uint64_t *recent;
	size_t recent_cap, recent_used;
};

/* options.c: parse argv into w; returns -1 to run, else an exit code. */
int parse_options(struct watcher *w, int argc, char **argv);
void free_options(struct watcher *w);

/* events.c */
int event_mask_from_names(const char *list, uint32_t *mask); /* 0 or -1 */
void event_names(uint32_t mask, const char *sep, struct strbuf *out);

/* strbuf.c: on allocation failure these exit(1): a watcher without memory
 * cannot keep its promise of right paths. */
void sb_reset(struct strbuf *b);
void sb_add(struct strbuf *b, const char *s, size_t n);
void sb_adds(struct strbuf *b, const char *s);
void sb_free(struct strbuf *b);
void *xrealloc(void *p, size_t count, size_t size);

/* paths.c: the one place that knows the root "/" is stored as "". */
void path_join(struct strbuf *dir, const char *name); /* dir + "/" + name */
const char *path_text(const struct strbuf *b);        /* "" -> "/" */

/* watchmap.c */
int wmap_set(struct watcher *w, int wd, int parent, const char *name, size_t len);
int wmap_live(const struct watcher *w, int wd);
int wmap_parent(const struct watcher *w, int wd, const char **name);
int wmap_is(const struct watcher *w, int wd, int parent, const char *name);
int wmap_below(const struct watcher *w, int wd, int top); /* wd in top's subtree */
int wmap_depth(const struct watcher *w, int wd);          /* -1: broken chain */
void wmap_forget(struct watcher *w, int wd);
int wmap_path(const struct watcher *w, int wd, struct strbuf *out); /* 0/-1 */
int wmap_compact(struct watcher *w);

/* kernel.c: inotify calls on exact directories. */
int watch_fd(struct watcher *w, int fd, uint32_t mask); /* wd or -errno */
int probe_fd(struct watcher *w, int fd);  /* wd without changing a known watch */
void unwatch(struct watcher *w, int wd);  /* a watch not in the table */
int locate(struct watcher *w, int wd);    /* O_PATH fd of wd's directory, or -1 */
void warn_unwatchable(const char *path, int err, int at_setup);

/* batch.c */
void batch_start(struct watcher *w);         /* drop what was handled */
void batch_fill(struct watcher *w);         /* read what is queued now */
int batch_wait(struct watcher *w);          /* 1: more events came */
const struct inotify_event *batch_event(const struct watcher *w, size_t at);
size_t batch_next(const struct watcher *w, size_t at);
int queue_empty(const struct watcher *w);
void batch_free(struct batch *b);

/* scan.c */
void scan_new(struct watcher *w, int wd, int fd, int report);
void scan_resync(struct watcher *w, int setup);

/* tree.c */
void tree_setup(struct watcher *w);
void tree_cycle(struct watcher *w);
int tree_move(struct watcher *w, int wd, int parent, const char *name);
void tree_forget(struct watcher *w, int wd);

/* moves.c */
void moves_from(struct watcher *w, const struct inotify_event *ev, size_t after);

/* arrivals.c */
void arrivals_add(struct watcher *w, int parent, const char *name, int report);
void arrivals_drop(struct watcher *w, int parent, const char *name);
int arrivals_take(struct watcher *w, int parent, const char *name); /* report flag or -1 */
void arrivals_check(struct watcher *w, int wd);
void arrivals_run(struct watcher *w, int final); /* final: end of batch */
void arrivals_clear(struct watcher *w);

/* recent.c */
void recent_add(struct watcher *w, int wd, const char *name);
int recent_take(struct watcher *w, int wd, const char *name);
void recent_clear(struct watcher *w);

/* handle.c */
void handle_events(struct watcher *w);

/* output.c */
void print_event(struct watcher *w, uint32_t mask, int wd, const char *name);
int excluded(const struct watcher *w, const char *path);
void output_flush(struct watcher *w);

/* journal.c */
int journal_open(struct sink *s);
void journal_add(struct sink *s, const char *line, size_t len);
void journal_tick(struct sink *s, long long now_ms);
long long journal_due_ms(const struct sink *s, long long now_ms); /* -1: none */
void journal_close(struct sink *s);

/* main.c: fatal errors (exit 1) and warnings, on stderr. */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long long now_ms(void);

#endif /* VMWATCH_H */
