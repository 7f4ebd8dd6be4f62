/* SPDX-License-Identifier: MIT */
/*
 * journal.c - --journal FILE: every printed record is also (or instead)
 * appended to a file-backed vector_map, under the next key, so the key is
 * the event's sequence number and "what changed since N" is
 * `vmap tail --from N FILE`.
 *
 * The map is synced at most --sync seconds after a record was appended (at
 * the end of every batch with --sync 0): after a crash of the machine
 * every synced record is there; after vmwatch alone is killed (kill -9)
 * every appended one is, as the kernel keeps the file's pages. Readers
 * follow the journal while vmwatch writes it, without locks (`vmap tail -f`).
 */
#include <errno.h>
#include <string.h>

#include "vmwatch.h"

int journal_open(struct sink *s)
{
	int err = vmap_open(&s->journal, s->journal_path, VMAP_CREATE);

	if (err == -EBUSY)
		fatal("%s: another process writes this journal", s->journal_path);
	if (err < 0)
		fatal("%s: %s", s->journal_path, vmap_strerror(err));
	s->synced_at = now_ms();
	return 0;
}

void journal_add(struct sink *s, const char *line, size_t len)
{
	/* A new journal starts at key 0 (vmap_next_key of an empty map). */
	int err = vmap_append(s->journal, vmap_next_key(s->journal), line, len);

	if (err < 0) {
		vmap_sync(s->journal); /* keep what was recorded */
		fatal("%s: cannot record an event: %s", s->journal_path,
		      vmap_strerror(err));
	}
	s->unsynced++;
}

static void journal_sync(struct sink *s, long long now)
{
	int err = vmap_sync(s->journal);

	if (err < 0)
		fatal("%s: sync: %s", s->journal_path, vmap_strerror(err));
	s->unsynced = 0;
	s->synced_at = now;
}

/* Sync if the oldest record not yet synced has waited --sync long. */
void journal_tick(struct sink *s, long long now)
{
	if (s->journal && s->unsynced && now - s->synced_at >= s->sync_ms)
		journal_sync(s, now);
}

/* Milliseconds until journal_tick has work, or -1 if it has none. */
long long journal_due_ms(const struct sink *s, long long now)
{
	long long due;

	if (!s->journal || !s->unsynced)
		return -1;
	due = s->synced_at + s->sync_ms - now;
	return due > 0 ? due : 0;
}

void journal_close(struct sink *s)
{
	if (!s->journal)
		return;
	if (s->unsynced)
		journal_sync(s, now_ms());
	vmap_close(s->journal);
	s->journal = NULL;
}
