/* SPDX-License-Identifier: MIT */
/*
 * recent.c - entries a scan reported, so their queued CREATE is not
 * reported twice.
 *
 * A new directory is watched first and scanned after, so an entry created
 * between the two is both seen by the scan and queued as a CREATE event.
 * The scan remembers (wd, name) here; the CREATE that comes later finds it
 * and is dropped. Every such event was queued before the scan ended, so once
 * the queue has been read empty, the set is cleared. A DELETE or MOVED_FROM
 * of the name also drops it, so that a re-creation is reported.
 *
 * An open-addressing set of 64-bit hashes; 0 is a free slot, 1 a deleted
 * one. It is empty (and its memory freed) whenever the watcher is idle.
 */
#include <stdlib.h>
#include <string.h>

#include "vmwatch.h"

enum { FREE = 0, DELETED = 1 };

static uint64_t name_hash(const char *name)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a: small and good enough */

	while (*name)
		h = (h ^ (unsigned char)*name++) * 1099511628211ull;
	return h;
}

static uint64_t key_of(int wd, const char *name)
{
	uint64_t h = name_hash(name) ^ ((uint64_t)(uint32_t)wd * 0x9e3779b97f4a7c15ull);

	return h > DELETED ? h : h + 2;
}

static void insert(uint64_t *slots, size_t cap, uint64_t key)
{
	size_t i = (size_t)(key % cap);

	while (slots[i] > DELETED && slots[i] != key)
		i = (i + 1) % cap;
	slots[i] = key;
}

static void grow(struct watcher *w)
{
	size_t cap = w->recent_cap ? w->recent_cap * 2 : 1024;
	uint64_t *slots = xrealloc(NULL, cap, sizeof *slots);

	memset(slots, 0, cap * sizeof *slots);
	for (size_t i = 0; i < w->recent_cap; i++)
		if (w->recent[i] > DELETED)
			insert(slots, cap, w->recent[i]);
	free(w->recent);
	w->recent = slots;
	w->recent_cap = cap;
}

void recent_add(struct watcher *w, int wd, const char *name)
{
	/* Half full at most (deleted slots count), so probes stay short. */
	if (2 * (w->recent_used + 1) > w->recent_cap)
		grow(w);
	insert(w->recent, w->recent_cap, key_of(wd, name));
	w->recent_used++;
}

int recent_take(struct watcher *w, int wd, const char *name)
{
	uint64_t key;
	size_t i;

	if (w->recent_used == 0)
		return 0;
	key = key_of(wd, name);
	for (i = (size_t)(key % w->recent_cap); w->recent[i] != FREE;
	     i = (i + 1) % w->recent_cap) {
		if (w->recent[i] == key) {
			w->recent[i] = DELETED;
			return 1;
		}
	}
	return 0;
}

void recent_clear(struct watcher *w)
{
	free(w->recent);
	w->recent = NULL;
	w->recent_cap = w->recent_used = 0;
}
