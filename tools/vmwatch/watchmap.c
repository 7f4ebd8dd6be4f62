/* SPDX-License-Identifier: MIT */
/*
 * watchmap.c - the vector_map of watches: wd -> (parent wd, name).
 *
 * inotify hands out descriptors in increasing order per instance, which is
 * why a vector_map fits: keys must be appended as vmap_next_key(). Three
 * cases are not the next key, and each is handled here:
 *
 *   wd >  next   a gap (a descriptor we never saw): fill it with removed
 *                placeholders, then append.
 *   wd live      the kernel returned a watch we have (the same directory
 *                reached again, e.g. after a move): vmap_replace.
 *   wd a hole,   descriptors wrapped around, or arrived out of order:
 *   or < first   rebuild the map with room for the key (rare, O(watches)).
 */
#include <errno.h>
#include <string.h>

#include "../common/holes.h"
#include "vmwatch.h"

static int value_parent(const char *val)
{
	unsigned char b[4];

	memcpy(b, val, 4);
	return (int)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		     (uint32_t)b[3] << 24);
}

int wmap_parent(const struct watcher *w, int wd, const char **name)
{
	size_t len;
	const char *val = wd > 0 ? vmap_get(w->map, (uint64_t)wd, &len) : NULL;

	if (!val || len < 4)
		return -1;
	if (name)
		*name = val + 4; /* NUL-terminated: vmap adds the NUL */
	return value_parent(val);
}

int wmap_live(const struct watcher *w, int wd)
{
	return wd > 0 && vmap_get(w->map, (uint64_t)wd, NULL) != NULL;
}

/* Is watch wd known as (parent, name)? */
int wmap_is(const struct watcher *w, int wd, int parent, const char *name)
{
	const char *have = NULL;

	return wmap_parent(w, wd, &have) == parent && strcmp(have, name) == 0;
}

/* The number of parents above wd up to its root; -1 if the chain breaks or
 * loops (longer than MAX_DEPTH). */
int wmap_depth(const struct watcher *w, int wd)
{
	int depth = 0;

	while ((wd = wmap_parent(w, wd, NULL)) > 0)
		if (++depth > MAX_DEPTH)
			return -1;
	return wd == 0 ? depth : -1;
}

/* Is wd in the subtree of top (top itself included)? */
int wmap_below(const struct watcher *w, int wd, int top)
{
	for (int depth = 0; wd > 0 && depth <= MAX_DEPTH; depth++) {
		if (wd == top)
			return 1;
		wd = wmap_parent(w, wd, NULL);
	}
	return 0;
}

/*
 * Copy keys [from, next) into a fresh map, giving `keep` the value val and
 * leaving every other key as it was (live or a hole).
 */
static int rebuild(struct watcher *w, uint64_t from, uint64_t keep,
		   const char *value, size_t value_len)
{
	uint64_t next = vmap_next_key(w->map);
	vmap *fresh;
	int err = vmap_new(&fresh);

	for (uint64_t k = from; err == 0 && k < next; k++) {
		size_t len = 0;
		const char *val = k == keep ? value : vmap_get(w->map, k, &len);

		if (k == keep)
			len = value_len;
		err = val ? vmap_append(fresh, k, val, len) : hole_append(fresh, k);
	}
	if (err < 0) {
		vmap_close(fresh);
		return err;
	}
	vmap_close(w->map);
	w->map = fresh;
	return 0;
}

/* Append under wd, filling any gap before it with removed placeholders. */
static int append_at(struct watcher *w, uint64_t wd, const char *value, size_t len)
{
	uint64_t next = vmap_next_key(w->map);
	int err = 0;

	if (next == 0) /* empty map: the first append may use any key */
		next = wd;
	for (; err == 0 && next < wd; next++)
		err = hole_append(w->map, next);
	return err ? err : vmap_append(w->map, wd, value, len);
}

int wmap_set(struct watcher *w, int wd, int parent, const char *name, size_t len)
{
	char value[4 + 4096];
	uint32_t p = (uint32_t)parent;
	uint64_t key = (uint64_t)wd, first, next;

	if (wd <= 0 || len > sizeof value - 4)
		return -EINVAL;
	value[0] = (char)(p & 0xff);
	value[1] = (char)(p >> 8 & 0xff);
	value[2] = (char)(p >> 16 & 0xff);
	value[3] = (char)(p >> 24 & 0xff);
	memcpy(value + 4, name, len);
	if (wmap_live(w, wd))
		return vmap_replace(w->map, key, value, 4 + len);
	first = vmap_first_key(w->map);
	next = vmap_next_key(w->map);
	if (next == 0 || key >= next)
		return append_at(w, key, value, 4 + len);
	return rebuild(w, key < first ? key : first, key, value, 4 + len);
}

void wmap_forget(struct watcher *w, int wd)
{
	if (wd > 0 && vmap_remove(w->map, (uint64_t)wd) == 0)
		w->removals++;
}

/*
 * Dead bytes (removed and replaced values) are never reused by a vector_map.
 * A long-running watcher with churn would grow forever, so once removals pile
 * up, copy the live watches into a fresh map that starts at the first live
 * key. Returns 0 or a negative code (the old map is then kept).
 */
int wmap_compact(struct watcher *w)
{
	uint64_t next = vmap_next_key(w->map), k = vmap_first_key(w->map);

	w->removals = 0;
	while (k < next && !vmap_get(w->map, k, NULL))
		k++;
	return rebuild(w, k, UINT64_MAX, NULL, 0);
}

/*
 * The full path of watch wd into out: the root's name, then each name below
 * it joined by '/' (the root "/" gives "": see path_text). The chain is
 * walked twice (once to find the root and the length, once to fill from the
 * end) to need no list of the chain.
 */
int wmap_path(const struct watcher *w, int wd, struct strbuf *out)
{
	const char *name = "";
	size_t total = 0, at;
	int depth = 0, parent, d;

	for (d = wd; (parent = wmap_parent(w, d, &name)) > 0; d = parent) {
		total += strlen(name) + 1;
		if (++depth > MAX_DEPTH)
			return -1;
	}
	if (parent < 0)
		return -1; /* a link of the chain is gone: the path is unknown */
	sb_reset(out);
	at = strlen(name); /* the root's name, as given */
	sb_add(out, name, at);
	for (size_t i = 0; i < total; i++)
		sb_add(out, "/", 1); /* reserve; filled from the end below */
	at += total;
	for (d = wd; (parent = wmap_parent(w, d, &name)) > 0; d = parent) {
		size_t n = strlen(name);

		at -= n;
		memcpy(out->s + at, name, n);
		out->s[--at] = '/';
	}
	return 0;
}
