/* SPDX-License-Identifier: MIT */
/*
 * moves.c - pairing MOVED_FROM with MOVED_TO, and noticing moves out.
 *
 * For a rename the kernel queues, in this order (fsnotify_move()):
 *
 *   MOVED_FROM (old parent, old name, cookie)    if the old parent is watched
 *   MOVED_TO   (new parent, new name, cookie)    if the new parent is watched
 *   MOVE_SELF  (the moved directory's own watch)
 *
 * A MOVED_FROM is remembered here by cookie. A MOVED_TO with the same cookie
 * consumes it (the directory moved inside the tree). When MOVE_SELF comes
 * and the directory's entry still says (old parent, old name) of a move that
 * found no MOVED_TO, the directory left the tree.
 */
#include <string.h>

#include "vmwatch.h"

void moves_keep(struct watcher *w, uint32_t cookie, int parent, uint64_t hash)
{
	struct pending_move *p = &w->moves[w->move_next++ % PENDING_MOVES];

	p->cookie = cookie;
	p->parent = parent;
	p->name_hash = hash;
}

void moves_left(struct watcher *w, uint32_t cookie, int parent, const char *name)
{
	moves_keep(w, cookie, parent, name_hash(name));
}

/* Consume the MOVED_FROM of this cookie; 1 and its origin if there was one. */
int moves_arrived(struct watcher *w, uint32_t cookie, int *parent, uint64_t *hash)
{
	for (int i = 0; i < PENDING_MOVES; i++) {
		struct pending_move *p = &w->moves[i];

		if (p->parent > 0 && p->cookie == cookie) {
			*parent = p->parent;
			*hash = p->name_hash;
			p->parent = 0;
			return 1;
		}
	}
	return 0;
}

/* MOVE_SELF on wd: did it go out of the tree? Consumes the match. */
int moves_went_out(struct watcher *w, int wd)
{
	const char *name = "";
	int parent = wmap_parent(w, wd, &name);
	uint64_t hash;

	if (parent <= 0) /* a root moved: keep watching it under its old name */
		return 0;
	hash = name_hash(name);
	for (int i = 0; i < PENDING_MOVES; i++) {
		struct pending_move *p = &w->moves[i];

		if (p->parent == parent && p->name_hash == hash) {
			p->parent = 0;
			return 1;
		}
	}
	return 0;
}

void moves_clear(struct watcher *w)
{
	memset(w->moves, 0, sizeof w->moves);
	w->move_next = 0;
}
