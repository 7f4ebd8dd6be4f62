/* SPDX-License-Identifier: MIT */
/*
 * log_reader.c - follows a log file that another process is writing (see
 * log_writer.c), like `tail -f`, without a lock and without reopening: a
 * read-only handle sees every record appended after it opened.
 *
 *   log_reader FILE COUNT
 *
 * prints the first COUNT records of FILE, waiting for those not written yet.
 * It waits at most QUIET_SECONDS for the file to appear and for each new
 * record; past that it gives up with an error rather than wait forever.
 */
#define _POSIX_C_SOURCE 200809L
#include <vmap.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define QUIET_SECONDS 10
#define POLL_NS (1000 * 1000) /* 1 ms */
#define POLLS (QUIET_SECONDS * 1000)

static void nap(void)
{
	struct timespec t = {0, POLL_NS};

	nanosleep(&t, NULL);
}

/*
 * A writer creating the file makes it first and writes its header next: a
 * reader in between sees no file (-ENOENT) or one without a header
 * (VMAP_ECORRUPT). Both are waited out, for a while.
 */
static int open_when_ready(vmap **log, const char *path)
{
	int rc = -ENOENT;

	for (int polls = 0; polls < POLLS; polls++) {
		rc = vmap_open(log, path, VMAP_RDONLY);
		if (rc != -ENOENT && rc != VMAP_ECORRUPT)
			return rc;
		nap();
	}
	return rc;
}

/* Waits until key is stored (empty log: any key); 0, or -ETIMEDOUT when the
 * writer went quiet. */
static int wait_for(const vmap *log, uint64_t key)
{
	for (int polls = 0; polls < POLLS; polls++) {
		uint64_t next = vmap_next_key(log); /* 0 while empty */

		if (next > key)
			return 0;
		nap();
	}
	return -ETIMEDOUT;
}

static int print_record(const vmap *log, uint64_t key)
{
	const char *record;
	size_t len;
	int rc = vmap_lookup(log, key, &record, &len);

	if (rc == -ENOENT) { /* removed: a log's writer does not, but say so */
		fprintf(stderr, "log_reader: record %llu was removed\n", (unsigned long long)key);
		return 0;
	}
	if (rc == 0)
		printf("%.*s\n", (int)len, record);
	return rc; /* VMAP_ECORRUPT: damaged, never printed as if it were good */
}

int main(int argc, char **argv)
{
	uint64_t key;
	long count;
	vmap *log;
	int rc;

	if (argc != 3 || (count = atol(argv[2])) < 0) {
		fprintf(stderr, "usage: log_reader FILE COUNT\n");
		return 2;
	}
	rc = open_when_ready(&log, argv[1]);
	if (rc < 0) {
		fprintf(stderr, "log_reader: %s: %s\n", argv[1], vmap_strerror(rc));
		return 1;
	}
	rc = wait_for(log, 0);
	key = vmap_first_key(log);
	for (long i = 0; rc == 0 && i < count; i++, key++) {
		rc = wait_for(log, key);
		if (rc == 0)
			rc = print_record(log, key);
	}
	if (rc == -ETIMEDOUT)
		fprintf(stderr, "log_reader: %s: no new record for %d s\n", argv[1], QUIET_SECONDS);
	vmap_close(log);
	return rc < 0;
}
