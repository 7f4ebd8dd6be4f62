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
 * watch descriptor ever is, and its name is the path as given. A full path
 * is rebuilt by walking parents up to a root, so renaming a directory is one
 * vmap_replace and every path below it follows.
 */
#ifndef VMWATCH_H
#define VMWATCH_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/inotify.h>

#include "vmap.h"

/* Events vmwatch always asks for, whatever -e says: it needs them to keep
 * the tree right. They are printed only if they are also in `show`. */
#define TRACK_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
		    IN_MOVE_SELF | IN_DELETE_SELF)

struct strbuf {
	char *s;
	size_t len, cap;
};

/* A directory moved away from (parent, name), waiting for its MOVED_TO. */
struct pending_move {
	uint32_t cookie;
	int parent;
	uint64_t name_hash;
};
#define PENDING_MOVES 32 /* moves in flight at once; older ones are dropped */

struct watcher {
	int fd;           /* inotify instance */
	vmap *map;        /* wd -> (parent wd, name): see above */
	uint32_t show;    /* events to print (IN_* bits) */
	uint32_t mask;    /* events to watch: show | TRACK_MASK */
	regex_t exclude;
	int has_exclude;
	int quiet;
	const char *format;  /* NULL: "%e %p" */
	const char *timefmt;
	char **roots;
	int root_count;
	uint64_t removals;   /* since the map was last compacted */
	int overflowed;      /* rescan after the current batch */
	struct strbuf path;  /* scratch for event paths */
	struct strbuf dir;   /* scratch for the directory being scanned */
	struct pending_move moves[PENDING_MOVES];
	unsigned move_next;
	/* recent.c: (wd, name) pairs reported by a scan, see there. */
	uint64_t *recent;
	size_t recent_cap, recent_used;
};

/* options.c: parse argv into w; returns -1 to run, else an exit code. */
int parse_options(struct watcher *w, int argc, char **argv);

/* events.c */
int event_mask_from_names(const char *list, uint32_t *mask); /* 0 or -1 */
void event_names(uint32_t mask, const char *sep, struct strbuf *out);

/* strbuf.c: on allocation failure these exit(1): a watcher without memory
 * cannot keep its promise of right paths. */
void sb_reset(struct strbuf *b);
void sb_add(struct strbuf *b, const char *s, size_t n);
void sb_adds(struct strbuf *b, const char *s);
void sb_free(struct strbuf *b);

/* watchmap.c */
int wmap_set(struct watcher *w, int wd, int parent, const char *name, size_t len);
int wmap_live(const struct watcher *w, int wd);
int wmap_parent(const struct watcher *w, int wd, const char **name);
void wmap_forget(struct watcher *w, int wd);
int wmap_path(const struct watcher *w, int wd, struct strbuf *out); /* 0/-1 */
int wmap_compact(struct watcher *w);
int wmap_find(const struct watcher *w, int parent, uint64_t hash); /* O(n) */
uint64_t name_hash(const char *name);

/* tree.c */
int tree_watch_roots(struct watcher *w);                     /* setup */
int tree_add_dir(struct watcher *w, int parent, const char *name, int report);
void tree_forget(struct watcher *w, int wd);                 /* + subtree */
int tree_rescan(struct watcher *w);

/* moves.c */
void moves_keep(struct watcher *w, uint32_t cookie, int parent, uint64_t hash);
void moves_left(struct watcher *w, uint32_t cookie, int parent, const char *name);
int moves_arrived(struct watcher *w, uint32_t cookie, int *parent, uint64_t *hash);
int moves_went_out(struct watcher *w, int wd);
void moves_clear(struct watcher *w);

/* recent.c */
void recent_add(struct watcher *w, int wd, const char *name);
int recent_take(struct watcher *w, int wd, const char *name);
void recent_clear(struct watcher *w);

/* handle.c */
void handle_event(struct watcher *w, const struct inotify_event *ev);

/* output.c */
void print_event(struct watcher *w, uint32_t mask, int wd, const char *name);
int excluded(const struct watcher *w, const char *path);

/* main.c: fatal errors (exit 1) and warnings, on stderr. */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* VMWATCH_H */
