/* SPDX-License-Identifier: MIT */
/*
 * watchmap_test.c - the watch table's odd cases, without the kernel: a gap
 * in descriptors, a repeated descriptor, one below the first, one that was
 * removed (wrap-around), compaction, path building through a move, and
 * the root "/" (stored as "").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vmwatch/vmwatch.h"

void warn_msg(const char *fmt, ...)
{
	(void)fmt;
}

_Noreturn void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	exit(1);
}

static int failures;

static void expect_path(struct watcher *w, int wd, const char *want)
{
	struct strbuf b = { NULL, 0, 0 };

	if (wmap_path(w, wd, &b) < 0 || strcmp(path_text(&b), want) != 0) {
		fprintf(stderr, "FAIL: wd %d: '%s', expected '%s'\n", wd,
			b.s ? path_text(&b) : "(none)", want);
		failures++;
	}
	sb_free(&b);
}

static void set(struct watcher *w, int wd, int parent, const char *name)
{
	int err = wmap_set(w, wd, parent, name, strlen(name));

	if (err < 0) {
		fprintf(stderr, "FAIL: set %d: %s\n", wd, vmap_strerror(err));
		failures++;
	}
}

int main(void)
{
	struct watcher w;

	memset(&w, 0, sizeof w);
	if (vmap_new(&w.map) < 0)
		return 1;
	set(&w, 5, 0, "root");     /* first key: anything */
	set(&w, 6, 5, "a");
	set(&w, 9, 6, "b");        /* gap 7, 8 */
	set(&w, 10, 9, "c");
	expect_path(&w, 10, "root/a/b/c");
	if (wmap_live(&w, 7) || wmap_live(&w, 8))
		fprintf(stderr, "FAIL: gap keys live\n"), failures++;
	set(&w, 9, 5, "moved");    /* repeated wd: replace, paths below follow */
	expect_path(&w, 10, "root/moved/c");
	set(&w, 3, 5, "early");    /* below the first key: rebuild */
	expect_path(&w, 3, "root/early");
	expect_path(&w, 10, "root/moved/c");
	wmap_forget(&w, 6);
	set(&w, 6, 3, "again");    /* a removed key again: rebuild */
	expect_path(&w, 6, "root/early/again");
	wmap_forget(&w, 3);
	expect_path(&w, 10, "root/moved/c");
	if (wmap_path(&w, 6, &w.path) == 0) /* its parent is gone */
		fprintf(stderr, "FAIL: path through a removed parent\n"), failures++;
	if (wmap_compact(&w) < 0 || vmap_first_key(w.map) != 5)
		fprintf(stderr, "FAIL: compact\n"), failures++;
	expect_path(&w, 10, "root/moved/c");
	set(&w, 11, 0, "/");       /* the root "/" is stored as "" */
	set(&w, 11, 0, "");
	set(&w, 12, 11, "etc");
	expect_path(&w, 12, "/etc");
	expect_path(&w, 11, "/");
	if (!wmap_is(&w, 10, 9, "c") || wmap_is(&w, 10, 9, "d") || wmap_is(&w, 10, 5, "c"))
		fprintf(stderr, "FAIL: wmap_is\n"), failures++;
	if (wmap_depth(&w, 10) != 2 || !wmap_below(&w, 10, 5) || wmap_below(&w, 5, 10))
		fprintf(stderr, "FAIL: depth or below\n"), failures++;
	vmap_close(w.map);
	sb_free(&w.path);
	if (failures == 0)
		puts("ok");
	return failures ? 1 : 0;
}
