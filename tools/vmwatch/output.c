/* SPDX-License-Identifier: MIT */
/*
 * output.c - one line per event, in the default form "EVENTS PATH" or as
 * --format says. Fields (a subset of inotifywait's, plus %p):
 *
 *   %w   the watched directory's path, with a trailing '/'
 *   %f   the entry's name; empty for an event on the directory itself
 *   %p   the full path: %w%f, or the directory's path without the '/'
 *   %e   the event names, comma-separated;  %Xe  separated by the byte X
 *   %T   the time, as strftime(3) formats --timefmt
 *   %%   a '%'
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vmwatch.h"

int excluded(const struct watcher *w, const char *path)
{
	return w->has_exclude && regexec(&w->exclude, path, 0, NULL, 0) == 0;
}

static void full_path(struct strbuf *out, const char *name)
{
	if (!name)
		return;
	if (!(out->len == 1 && out->s[0] == '/'))
		sb_add(out, "/", 1);
	sb_adds(out, name);
}

static void add_time(struct strbuf *line, const char *timefmt)
{
	char buf[256];
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	localtime_r(&now, &tm);
	n = strftime(buf, sizeof buf, timefmt, &tm);
	sb_add(line, buf, n);
}

static void add_dir(struct strbuf *line, const struct strbuf *dir)
{
	sb_add(line, dir->s, dir->len);
	if (!(dir->len == 1 && dir->s[0] == '/'))
		sb_add(line, "/", 1);
}

static void add_path(struct strbuf *line, const struct strbuf *dir,
		     const char *name)
{
	size_t start = line->len;

	sb_add(line, dir->s, dir->len);
	if (name) {
		if (line->len - start != 1 || line->s[start] != '/')
			sb_add(line, "/", 1);
		sb_adds(line, name);
	}
}

static void format_line(struct watcher *w, struct strbuf *line, uint32_t mask,
			const struct strbuf *dir, const char *name)
{
	const char *f = w->format;
	char sep[2] = { 0, 0 };

	for (; *f; f++) {
		if (*f != '%' || !f[1]) {
			sb_add(line, f, 1);
			continue;
		}
		switch (*++f) {
		case 'w': add_dir(line, dir); break;
		case 'f': if (name) sb_adds(line, name); break;
		case 'p': add_path(line, dir, name); break;
		case 'e': event_names(mask, ",", line); break;
		case 'T': add_time(line, w->timefmt); break;
		case '%': sb_add(line, "%", 1); break;
		default:
			if (f[1] == 'e') { /* %Xe */
				sep[0] = *f++;
				event_names(mask, sep, line);
			} else {
				sb_add(line, f - 1, 2);
			}
		}
	}
}

void print_event(struct watcher *w, uint32_t mask, int wd, const char *name)
{
	static struct strbuf line;

	if (!(mask & w->show & ~(uint32_t)IN_ISDIR))
		return;
	/*
	 * An event on a directory reaches both its own watch (no name) and its
	 * parent's (with its name); as "EVENTS PATH" lines they would be the
	 * same line twice. Keep the parent's, except for what only the
	 * directory itself gets. A root has no watched parent: keep its own.
	 */
	if (!name && !(mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) &&
	    wmap_parent(w, wd, NULL) > 0)
		return;
	if (wmap_path(w, wd, &w->path) < 0)
		return; /* its directory left the tree or is gone */
	if (!w->format) {
		full_path(&w->path, name);
		if (excluded(w, w->path.s))
			return;
		sb_reset(&line);
		event_names(mask, ",", &line);
		sb_add(&line, " ", 1);
		sb_add(&line, w->path.s, w->path.len);
	} else {
		size_t dir_len = w->path.len;

		full_path(&w->path, name);
		if (excluded(w, w->path.s))
			return;
		w->path.len = dir_len;
		w->path.s[dir_len] = '\0';
		sb_reset(&line);
		format_line(w, &line, mask, &w->path, name);
	}
	sb_add(&line, "\n", 1);
	fwrite(line.s, 1, line.len, stdout);
}
