/* SPDX-License-Identifier: MIT */
/*
 * peers_glib.c - GLib's GHashTable, as a GLib program would key it by
 * integer: the key is the pointer itself (GSIZE_TO_POINTER, g_direct_hash),
 * so no key is allocated; each value is a g_strndup'd C string.
 */
#include "peer.h"
#include "workload.h"

#include <glib.h>
#include <string.h>

static int gl_append(void *s, uint64_t key, const char *val, size_t len)
{
	g_hash_table_insert(s, GSIZE_TO_POINTER(key), g_strndup(val, len));
	return 0;
}

static inline const char *gl_get(void *s, uint64_t key, size_t *len)
{
	const char *p = g_hash_table_lookup(s, GSIZE_TO_POINTER(key));

	if (p)
		*len = strlen(p);
	return p;
}

DEFINE_WORKLOADS(gl, gl_append, gl_get)

static uint64_t gl_scan(void *s, uint64_t n)
{
	GHashTableIter it;
	gpointer key, value;
	uint64_t sum = 0;

	(void)n;
	g_hash_table_iter_init(&it, s);
	while (g_hash_table_iter_next(&it, &key, &value))
		sum += value_fold(value, strlen(value));
	return sum;
}

static void *gl_create(const char *dir)
{
	(void)dir;
	return g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
}

static void gl_destroy(void *s)
{
	g_hash_table_destroy(s);
}

const struct peer peer_glib = {
	.name = "GHashTable",
	.create = gl_create,
	.append_all = gl_append_all,
	.gets = gl_gets,
	.chase = gl_chase,
	.scan = gl_scan,
	.destroy = gl_destroy,
};
