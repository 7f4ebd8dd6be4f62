/* SPDX-License-Identifier: MIT */
/*
 * output.c - one record per event: "EVENTS PATH" by default, as --format
 * says, or as CSV; ended by a newline, or by a NUL with --null. Records go
 * to standard output or -o FILE, and to the --journal map.
 *
 * Format fields (inotifywait's, plus %p):
 *
 *   %w   the watched directory's path, with a trailing '/'
 *   %f   the entry's name; empty for an event on the directory itself
 *   %p   the full path: %w%f, or the directory's path without the '/'
 *   %e   the event names, comma-separated;  %Xe  separated by the byte X
 *   %T   the time, as strftime(3) formats --timefmt
 *   %0   a NUL byte;  %n  a newline;  %%  a '%'
 *
 * Only --null and --csv records are safe from file names: a name may hold
 * a newline (it cannot hold a NUL), and CSV quotes it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vmwatch.h"

/* An @PATH argument: PATH itself and everything below it. */
static int skipped(const struct filters *f, const char *path)
{
	for (size_t i = 0; i < f->skip_count; i++) {
		size_t n = strlen(f->skip[i]);

		if (!strncmp(path, f->skip[i], n) && (path[n] == '\0' || path[n] == '/'))
			return 1;
	}
	return 0;
}

int excluded(const struct watcher *w, const char *path)
{
	const struct filters *f = &w->filters;

	return (f->has_exclude && regexec(&f->exclude, path, 0, NULL, 0) == 0) ||
	       skipped(f, path);
}

static int included(const struct watcher *w, const char *path)
{
	const struct filters *f = &w->filters;

	return !f->has_include || regexec(&f->include, path, 0, NULL, 0) == 0;
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

/* One CSV field (RFC 4180): quoted, with quotes doubled, when it holds a
 * comma, a quote or a line break. */
static void add_csv_field(struct strbuf *line, const char *s, size_t len)
{
	if (strcspn(s, ",\"\r\n") >= len) {
		sb_add(line, s, len);
		return;
	}
	sb_add(line, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			sb_add(line, "\"", 1);
		sb_add(line, s + i, 1);
	}
	sb_add(line, "\"", 1);
}

/* The fields of one event: path is the full path, its first dir_len
 * bytes the directory's ("" for "/"). */
struct fields {
	uint32_t mask;
	const struct strbuf *path;
	size_t dir_len;
	const char *name; /* NULL for an event on the directory itself */
};

static void add_dir(struct strbuf *line, const struct fields *f)
{
	sb_add(line, f->path->s, f->dir_len);
	sb_add(line, "/", 1);
}

static void add_path(struct strbuf *line, const struct fields *f)
{
	sb_adds(line, path_text(f->path));
}

static void csv_line(struct strbuf *line, const struct fields *f)
{
	struct strbuf part = { NULL, 0, 0 };

	add_dir(&part, f);
	add_csv_field(line, part.s, part.len);
	sb_add(line, ",", 1);
	sb_reset(&part);
	event_names(f->mask, ",", &part);
	add_csv_field(line, part.s, part.len);
	sb_add(line, ",", 1);
	if (f->name)
		add_csv_field(line, f->name, strlen(f->name));
	sb_free(&part);
}

static void format_line(const struct watcher *w, struct strbuf *line,
			const struct fields *f)
{
	char sep[2] = { 0, 0 };

	for (const char *c = w->format; *c; c++) {
		if (*c != '%' || !c[1]) {
			sb_add(line, c, 1);
			continue;
		}
		switch (*++c) {
		case 'w': add_dir(line, f); break;
		case 'f': if (f->name) sb_adds(line, f->name); break;
		case 'p': add_path(line, f); break;
		case 'e': event_names(f->mask, ",", line); break;
		case 'T': add_time(line, w->timefmt); break;
		case '0': sb_add(line, "", 1); break;
		case 'n': sb_add(line, "\n", 1); break;
		case '%': sb_add(line, "%", 1); break;
		default:
			if (c[1] == 'e') { /* %Xe */
				sep[0] = *c++;
				event_names(f->mask, sep, line);
			} else {
				sb_add(line, c - 1, 2);
			}
		}
	}
}

static void emit(struct watcher *w, struct strbuf *line)
{
	struct sink *s = &w->sink;

	if (s->journal)
		journal_add(s, line->s, line->len);
	if (!(w->format && s->no_newline))
		sb_add(line, &s->end, 1);
	if (s->out && fwrite(line->s, 1, line->len, s->out) != line->len)
		fatal("writing %s: %s", s->out_path, strerror(errno));
	s->lines++;
}

void print_event(struct watcher *w, uint32_t mask, int wd, const char *name)
{
	static struct strbuf line;
	struct fields f = { mask, &w->path, 0, name };

	if (!(mask & w->show & ~(uint32_t)IN_ISDIR))
		return;
	/*
	 * An event on a directory reaches both its own watch (no name) and its
	 * parent's (with its name); as lines they would be the same line
	 * twice. Keep the parent's, except for what only the directory itself
	 * gets. A root has no watched parent: keep its own.
	 */
	if (!name && !(mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) &&
	    wmap_parent(w, wd, NULL) > 0)
		return;
	if (wmap_path(w, wd, &w->path) < 0)
		return; /* its directory left the tree or is gone */
	f.dir_len = w->path.len;
	if (name)
		path_join(&w->path, name);
	if (excluded(w, w->path.s) || !included(w, path_text(&w->path)))
		return;
	sb_reset(&line);
	if (w->sink.csv) {
		csv_line(&line, &f);
	} else if (w->format) {
		format_line(w, &line, &f);
	} else {
		event_names(mask, ",", &line);
		sb_add(&line, " ", 1);
		sb_adds(&line, path_text(&w->path));
	}
	emit(w, &line);
}

void output_flush(struct watcher *w)
{
	struct sink *s = &w->sink;

	if (s->out && fflush(s->out) != 0)
		fatal("writing %s: %s", s->out_path, strerror(errno));
}
