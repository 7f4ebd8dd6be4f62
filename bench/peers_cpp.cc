/* SPDX-License-Identifier: MIT */
/*
 * peers_cpp.cc - the C++ standard library's answers: std::vector of
 * std::string indexed by key, and std::unordered_map from key to string.
 * Neither is given a reserve(): a user appending an unknown number of entries
 * has none to give, and the growth is part of what appends cost.
 */
#include <cstdint>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "peer.h"
#include "workload.h"

namespace {

using Vector = std::vector<std::string>;
using Map = std::unordered_map<uint64_t, std::string>;

int vector_append(void *s, uint64_t key, const char *val, size_t len)
{
	Vector *v = static_cast<Vector *>(s);

	if (key != v->size())
		return -1;
	v->emplace_back(val, len);
	return 0;
}

inline const char *vector_get(void *s, uint64_t key, size_t *len)
{
	const Vector *v = static_cast<const Vector *>(s);

	if (key >= v->size())
		return nullptr;
	*len = (*v)[key].size();
	return (*v)[key].data();
}

int map_append(void *s, uint64_t key, const char *val, size_t len)
{
	static_cast<Map *>(s)->emplace(key, std::string(val, len));
	return 0;
}

inline const char *map_get(void *s, uint64_t key, size_t *len)
{
	const Map *m = static_cast<const Map *>(s);
	auto it = m->find(key);

	if (it == m->end())
		return nullptr;
	*len = it->second.size();
	return it->second.data();
}

DEFINE_WORKLOADS(vec, vector_append, vector_get)
DEFINE_WORKLOADS(map, map_append, map_get)

/* A hash map's scan is its own iteration order; the checksum is a sum, so
 * the order does not change it. */
uint64_t map_scan(void *s, uint64_t n)
{
	uint64_t sum = 0;

	(void)n;
	for (const auto &kv : *static_cast<const Map *>(s))
		sum += value_fold(kv.second.data(), kv.second.size());
	return sum;
}

void *vector_create(const char *) { return new (std::nothrow) Vector(); }
void vector_destroy(void *s) { delete static_cast<Vector *>(s); }
void *map_create(const char *) { return new (std::nothrow) Map(); }
void map_destroy(void *s) { delete static_cast<Map *>(s); }

struct peer make_peer(const char *name, void *(*create)(const char *),
		      int (*append_all)(void *, const struct values *, uint64_t),
		      uint64_t (*gets)(void *, const uint32_t *, uint64_t),
		      uint64_t (*chase)(void *, uint64_t, uint64_t),
		      uint64_t (*scan)(void *, uint64_t), void (*destroy)(void *))
{
	struct peer p = {};

	p.name = name;
	p.create = create;
	p.append_all = append_all;
	p.gets = gets;
	p.chase = chase;
	p.scan = scan;
	p.destroy = destroy;
	return p;
}

} // namespace

extern "C" const struct peer peer_cpp_vector =
	make_peer("std::vector<std::string>", vector_create, vec_append_all, vec_gets,
		  vec_chase, vec_scan_by_key, vector_destroy);

extern "C" const struct peer peer_cpp_unordered_map =
	make_peer("std::unordered_map", map_create, map_append_all, map_gets, map_chase,
		  map_scan, map_destroy);
