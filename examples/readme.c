/* SPDX-License-Identifier: MIT */
#include <vmap.h>
#include <stdio.h>

int main(void)
{
	vmap *m;
	int rc = vmap_open(&m, "watches.vmap", VMAP_CREATE); /* or vmap_new(&m) */
	if (rc < 0) {
		fprintf(stderr, "open: %s\n", vmap_strerror(rc));
		return 1;
	}
	uint64_t wd = vmap_next_key(m) ? vmap_next_key(m) : 1; /* first key: any */
	if ((rc = vmap_append(m, wd, "/dev", 4)) < 0 ||
	    (rc = vmap_append(m, wd + 1, "/dev/input", 10)) < 0 ||
	    (rc = vmap_replace(m, wd + 1, "/dev/input/by-id", 16)) < 0) {
		fprintf(stderr, "write: %s\n", vmap_strerror(rc)); /* map unchanged */
		vmap_close(m);
		return 1;
	}

	size_t len;
	const char *path = vmap_get(m, wd + 1, &len);   /* O(1), lock-free */
	printf("%s (%zu bytes), %llu keys\n", path, len,
	       (unsigned long long)vmap_count(m));
	rc = vmap_sync(m);                              /* durable now */
	vmap_close(m);
	return rc < 0;
}
