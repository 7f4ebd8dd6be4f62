/* SPDX-License-Identifier: MIT */
/*
 * make_corpus.c - write the seed corpus of fuzz_file into a directory:
 *
 *   raw-<seed>       the file of each small valid map of seeds.c
 *   s-<seed>         the structured input that selects it, unmutated
 *   s-<seed>-restart the same, opened as after a machine restart
 *
 * Usage: make_corpus DIR. Exit 0, or 1 with a message.
 */
#define _GNU_SOURCE
#include "seeds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int write_file(const char *dir, const char *name, const void *bytes, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(bytes, 1, len, f) != len || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Build seed i in a memfd and copy its bytes into dir/raw-<name>. */
static int write_raw(const char *dir, int i)
{
	static char bytes[64 << 10];
	char path[64], name[128];
	int fd = memfd_create("vmap-seed", MFD_CLOEXEC), err;
	ssize_t len;

	if (fd < 0)
		return perror("memfd_create"), -1;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	err = fuzz_seed_build(i, path);
	len = err ? -1 : pread(fd, bytes, sizeof bytes, 0);
	if (len < 0 || lseek(fd, 0, SEEK_END) != len) {
		fprintf(stderr, "make_corpus: seed %s: error %d or larger than %zu bytes\n",
			fuzz_seed_name(i), err, sizeof bytes);
		close(fd);
		return -1;
	}
	close(fd);
	snprintf(name, sizeof name, "raw-%s", fuzz_seed_name(i));
	return write_file(dir, name, bytes, (size_t)len);
}

static int write_structured(const char *dir, int i, unsigned char flags, const char *suffix)
{
	unsigned char input[4] = {'S', (unsigned char)i, flags, 0};
	char name[128];
	snprintf(name, sizeof name, "s-%s%s", fuzz_seed_name(i), suffix);
	return write_file(dir, name, input, sizeof input);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus DIR\n");
		return 1;
	}
	fuzz_use_boot_id();
	for (int i = 0; i < fuzz_seed_count(); i++) {
		if (fuzz_seed_is_small(i) && write_raw(argv[1], i))
			return 1;
		if (write_structured(argv[1], i, 0, "") ||
		    write_structured(argv[1], i, 2, "-restart"))
			return 1;
	}
	return 0;
}
