/* SPDX-License-Identifier: MIT */
/*
 * strerror.c - one sentence for every code the library returns. Our own
 * sentences for the errno values the contract names (they say what the error
 * means for a map, not for a file descriptor); the C library's for the rest.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>

static const struct {
	int code;
	const char *text;
} messages[] = {
	{0, "success"},
	{VMAP_ESEQUENCE, "key is not the next key in sequence"},
	{VMAP_ECORRUPT, "not a vector_map file, or the file is damaged"},
	{VMAP_EVERSION, "vector_map file of a format version this build cannot read"},
	{VMAP_ENOTFILE, "not a regular file (a device, FIFO or socket)"},
	{-EINVAL, "invalid argument"},
	{-EISDIR, "is a directory, not a map file"},
	{-ENOMEM, "out of memory or address space"},
	{-ENOSPC, "no space left on the device"},
	{-EFBIG, "file would grow past the file size limit"},
	{-ENOENT, "not found"},
	{-EBUSY, "another writer has the file open"},
	{-EROFS, "map is open read-only"},
	{-EMSGSIZE, "value is longer than VMAP_VALUE_MAX"},
	{-EOVERFLOW, "map is full: key space or a size limit is exhausted"},
	{-EACCES, "permission denied"},
	{-EIO, "input/output error"},
	{-EFAULT, "stored position is outside the mapped file"},
	{-ENOTSUP, "operation not supported"},
};

const char *vmap_strerror(int code)
{
	const char *text;
	for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
		if (messages[i].code == code)
			return messages[i].text;
	if (code < 0 && code > -4096) {
		text = strerrordesc_np(-code);
		if (text)
			return text;
	}
	return "unknown error code";
}
