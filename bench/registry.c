/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the contenders built into this program, in the order the
 * tables list them. CMake defines HAVE_<PEER> for each library it found; a
 * peer whose library is missing is left out and named in missing_peers, so
 * the run says what it skipped and how to get it.
 */
#include "peer.h"

#include <stddef.h>

const struct peer *const peers[] = {
	&peer_vmap_memory,
	&peer_vmap_inline,
	&peer_vmap_file,
	&peer_flat_inline,
	&peer_flat_call,
	&peer_charpp,
	&peer_cpp_vector,
	&peer_cpp_unordered_map,
#ifdef HAVE_GLIB
	&peer_glib,
#endif
#ifdef HAVE_JUDY
	&peer_judy,
#endif
#ifdef HAVE_LMDB
	&peer_lmdb,
#endif
#ifdef HAVE_SQLITE
	&peer_sqlite,
#endif
#ifdef HAVE_CDB
	&peer_cdb,
#endif
	&peer_pages,
	NULL,
};

const char *const missing_peers[] = {
#ifndef HAVE_GLIB
	"GHashTable (apt-get install libglib2.0-dev)",
#endif
#ifndef HAVE_JUDY
	"JudyL (apt-get install libjudy-dev)",
#endif
#ifndef HAVE_LMDB
	"LMDB (apt-get install liblmdb-dev)",
#endif
#ifndef HAVE_SQLITE
	"SQLite (apt-get install libsqlite3-dev)",
#endif
#ifndef HAVE_CDB
	"tinycdb (apt-get install libcdb-dev)",
#endif
	NULL,
};
