/* SPDX-License-Identifier: MIT */
/*
 * peers_vmap.c - vector_map itself: in anonymous memory with its two gets,
 * vmap_get (the stable ABI, a call into the static library) and
 * vmap_get_inline (the header's fast path, inlined into the loop), and in a
 * file with vmap_get. Appends are vmap_append calls in every case.
 * vector_map has no iterator; a scan is a get of every key in order, which
 * is how users walk it.
 */
#include "peer.h"
#include "workload.h"

#include <limits.h>
#include <stdio.h>

#include "vmap.h"

static int vm_append(void *s, uint64_t key, const char *val, size_t len)
{
	return vmap_append(s, key, val, len);
}

static const char *vm_get(void *s, uint64_t key, size_t *len)
{
	return vmap_get(s, key, len);
}

static inline const char *vm_get_inline(void *s, uint64_t key, size_t *len)
{
	return vmap_get_inline(s, key, len);
}

DEFINE_WORKLOADS(vm, vm_append, vm_get)
DEFINE_WORKLOADS(vmi, vm_append, vm_get_inline)

static void *memory_create(const char *dir)
{
	vmap *m;

	(void)dir;
	return vmap_new(&m) ? NULL : m;
}

static void *file_at(const char *dir, int flags)
{
	char path[PATH_MAX];
	vmap *m;
	int rc;

	snprintf(path, sizeof path, "%s/map.vmap", dir);
	rc = vmap_open(&m, path, flags);
	if (rc) {
		fprintf(stderr, "bench: vmap_open %s: %s\n", path, vmap_strerror(rc));
		return NULL;
	}
	return m;
}

static void *file_create(const char *dir)
{
	return file_at(dir, VMAP_CREATE);
}

static void *file_open(const char *dir)
{
	return file_at(dir, VMAP_RDONLY);
}

static void vm_destroy(void *s)
{
	vmap_close(s);
}

const struct peer peer_vmap_memory = {
	.name = "vector_map",
	.flags = PEER_LARGE,
	.create = memory_create,
	.append_all = vm_append_all,
	.gets = vm_gets,
	.chase = vm_chase,
	.scan = vm_scan_by_key,
	.destroy = vm_destroy,
};

const struct peer peer_vmap_inline = {
	.name = "vector_map inline get",
	.flags = PEER_LARGE,
	.create = memory_create,
	.append_all = vmi_append_all,
	.gets = vmi_gets,
	.chase = vmi_chase,
	.scan = vmi_scan_by_key,
	.destroy = vm_destroy,
};

const struct peer peer_vmap_file = {
	.name = "vector_map file",
	.flags = PEER_FILE | PEER_LARGE,
	.create = file_create,
	.append_all = vm_append_all,
	.gets = vm_gets,
	.chase = vm_chase,
	.scan = vm_scan_by_key,
	.destroy = vm_destroy,
	.open = file_open,
};
