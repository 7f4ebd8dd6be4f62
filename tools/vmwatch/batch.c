/* SPDX-License-Identifier: MIT */
/*
 * batch.c - the events read from the kernel and not yet handled.
 *
 * Everything queued is read before anything is handled, so that a rename's
 * MOVED_FROM is judged with its MOVED_TO and MOVE_SELF in view (moves.c),
 * and the directories that appeared are watched only after the table has
 * caught up with the queue (arrivals.c). Long scans keep reading into the
 * batch too, so the kernel's queue does not overflow while vmwatch is busy.
 *
 * Offsets into the batch stay valid until batch_start: reading more only
 * appends (the buffer may move, so hold offsets, not pointers).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmwatch.h"

/* Room kept free before each read(2): many events, and always at least
 * one of the largest (16 bytes + NAME_MAX + 1, padded). */
#define READ_ROOM (64 * 1024)
/* Stop reading past this; the kernel's queue then overflows and says so,
 * and everything is walked again. */
#define BATCH_MAX ((size_t)64 << 20)
/*
 * The kernel queues a rename's MOVED_FROM, MOVED_TO and MOVE_SELF one after
 * the other, not at once (inotify(7)): a read may end between them. How
 * long to wait for the rest, once per batch, before deciding without it.
 */
#define MOVE_WAIT_MS 10

/* Make room: drop what was handled, keep what was not. */
void batch_start(struct watcher *w)
{
	struct batch *b = &w->batch;

	if (b->at)
		memmove(b->buf, b->buf + b->at, b->len - b->at);
	b->len -= b->at;
	b->at = 0;
	b->settled = 0;
	b->wait_until_ms = 0;
}

void batch_fill(struct watcher *w)
{
	struct batch *b = &w->batch;
	ssize_t n;

	while (b->len < BATCH_MAX) {
		if (b->cap - b->len < READ_ROOM) {
			b->cap = b->cap * 2 > b->len + READ_ROOM ? b->cap * 2
								 : b->len + READ_ROOM;
			b->buf = xrealloc(b->buf, b->cap, 1);
		}
		n = read(w->fd, b->buf + b->len, b->cap - b->len);
		if (n > 0)
			b->len += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else if (n < 0 && errno != EAGAIN)
			fatal("reading inotify events: %s", strerror(errno));
		else
			return;
	}
}

/* Wait (up to MOVE_WAIT_MS in all, per batch) for more events. */
int batch_wait(struct watcher *w)
{
	struct batch *b = &w->batch;
	struct pollfd p = { w->fd, POLLIN, 0 };
	long long now = now_ms();
	size_t before = b->len;

	if (b->settled)
		return 0;
	if (!b->wait_until_ms)
		b->wait_until_ms = now + MOVE_WAIT_MS;
	if (now < b->wait_until_ms && poll(&p, 1, (int)(b->wait_until_ms - now)) > 0)
		batch_fill(w);
	if (b->len == before)
		b->settled = 1;
	return b->len > before;
}

const struct inotify_event *batch_event(const struct watcher *w, size_t at)
{
	/* The kernel pads each event to a multiple of its header's size. */
	return (const struct inotify_event *)(const void *)(w->batch.buf + at);
}

size_t batch_next(const struct watcher *w, size_t at)
{
	return at + sizeof(struct inotify_event) + batch_event(w, at)->len;
}

/* Nothing queued in the kernel (read errors count as not empty). */
int queue_empty(const struct watcher *w)
{
	int queued = 1;

	return ioctl(w->fd, FIONREAD, &queued) == 0 && queued == 0;
}

void batch_free(struct batch *b)
{
	free(b->buf);
	memset(b, 0, sizeof *b);
}
