/* SPDX-License-Identifier: MIT */
/*
 * log_writer.c - a process appending records to a log file that other
 * processes read while it grows (see log_reader.c).
 *
 *   log_writer FILE COUNT
 *
 * appends COUNT records to FILE (created if missing; an existing log is
 * continued at its next key). Record k reads "record k: ..." and is made
 * durable in batches: every vmap_sync costs a flush to the disk, so a log
 * syncs every BATCH records and when it stops, not after each one. A record
 * appended is visible to readers at once, synced or not; the sync only
 * decides what survives a power cut (a killed writer loses nothing).
 */
#define _POSIX_C_SOURCE 200809L
#include <vmap.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BATCH 256

static int fail(const char *what, int rc)
{
	fprintf(stderr, "log_writer: %s: %s\n", what, vmap_strerror(rc));
	return 1;
}

/* A little pause now and then, so that a reader really follows a live log. */
static void pace(uint64_t k)
{
	struct timespec pause = {0, 200 * 1000};

	if (k % 16 == 0)
		nanosleep(&pause, NULL);
}

int main(int argc, char **argv)
{
	static const char *const what[] = {"login", "upload", "download", "logout"};
	char record[128];
	uint64_t key;
	long count;
	vmap *log;
	int rc;

	if (argc != 3 || (count = atol(argv[2])) < 0) {
		fprintf(stderr, "usage: log_writer FILE COUNT\n");
		return 2;
	}
	rc = vmap_open(&log, argv[1], VMAP_CREATE);
	if (rc < 0) /* -EBUSY: another writer has it; a log has one writer */
		return fail(argv[1], rc);
	key = vmap_next_key(log); /* 0 when empty: a log starts at 0 */
	for (long i = 0; i < count; i++, key++) {
		int n = snprintf(record, sizeof record, "record %llu: user%llu %s",
				 (unsigned long long)key, (unsigned long long)(key * 7 % 13),
				 what[key % 4]);

		rc = vmap_append(log, key, record, (size_t)n);
		if (rc == 0 && key % BATCH == BATCH - 1)
			rc = vmap_sync(log);
		if (rc < 0) {
			vmap_close(log);
			return fail("append", rc);
		}
		pace(key);
	}
	rc = vmap_sync(log);
	vmap_close(log);
	if (rc < 0)
		return fail("sync", rc);
	printf("wrote %ld records, next key %llu\n", count, (unsigned long long)key);
	return 0;
}
