/* SPDX-License-Identifier: MIT */
/*
 * events.c - inotify event names as inotifywait spells them, both ways.
 *
 * Output follows inotifywait: one name per bit, in bit order, with CLOSE
 * added after CLOSE_WRITE or CLOSE_NOWRITE and ISDIR last, e.g.
 * "CLOSE_WRITE,CLOSE" or "CREATE,ISDIR".
 */
#include <string.h>
#include <strings.h>

#include "vmwatch.h"

struct event_name {
	uint32_t mask;
	const char *name;
};

/* In output order. */
static const struct event_name names[] = {
	{ IN_ACCESS, "ACCESS" },
	{ IN_MODIFY, "MODIFY" },
	{ IN_ATTRIB, "ATTRIB" },
	{ IN_CLOSE_WRITE, "CLOSE_WRITE" },
	{ IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" },
	{ IN_CLOSE, "CLOSE" },
	{ IN_OPEN, "OPEN" },
	{ IN_MOVED_FROM, "MOVED_FROM" },
	{ IN_MOVED_TO, "MOVED_TO" },
	{ IN_MOVE, "MOVE" },
	{ IN_CREATE, "CREATE" },
	{ IN_DELETE, "DELETE" },
	{ IN_DELETE_SELF, "DELETE_SELF" },
	{ IN_MOVE_SELF, "MOVE_SELF" },
	{ IN_UNMOUNT, "UNMOUNT" },
	{ IN_Q_OVERFLOW, "Q_OVERFLOW" },
	{ IN_IGNORED, "IGNORED" },
	{ IN_ISDIR, "ISDIR" },
};
#define NAME_COUNT (sizeof names / sizeof names[0])

void event_names(uint32_t mask, const char *sep, struct strbuf *out)
{
	int first = 1;

	for (size_t i = 0; i < NAME_COUNT; i++) {
		/* MOVE is only an input name: inotifywait never prints it. */
		if (names[i].mask == IN_MOVE || !(mask & names[i].mask))
			continue;
		if (!first)
			sb_adds(out, sep);
		sb_adds(out, names[i].name);
		first = 0;
	}
}

static int one_name(const char *name, size_t len, uint32_t *mask)
{
	for (size_t i = 0; i < NAME_COUNT; i++) {
		if (strlen(names[i].name) == len &&
		    strncasecmp(names[i].name, name, len) == 0) {
			*mask |= names[i].mask;
			return 0;
		}
	}
	return -1;
}

/* "create,moved_to" or "CREATE"; several -e options add up. */
int event_mask_from_names(const char *list, uint32_t *mask)
{
	while (*list) {
		size_t len = strcspn(list, ",");

		if (len == 0 || one_name(list, len, mask) < 0)
			return -1;
		list += len;
		if (*list == ',')
			list++;
	}
	return 0;
}
