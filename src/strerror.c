/* SPDX-License-Identifier: MIT */
/*
 * strerror.c - one sentence for every code the library returns. Our own
 * sentences for the codes a map returns (they say what the error means for a
 * map, not for a file descriptor), and a sentence for every other Linux errno
 * value, so the text is the same on every C library (glibc, musl) and needs
 * no call that is glibc-only or not thread safe.
 */
#include "internal.h"

#include <errno.h>

struct message {
	int code;
	const char *text;
};

static const struct message map_messages[] = {
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

/* The other errno values of Linux (aliases such as EWOULDBLOCK left out). */
static const struct message errno_messages[] = {
	{-EPERM, "operation not permitted"},
	{-ESRCH, "no such process"},
	{-EINTR, "interrupted by a signal"},
	{-ENXIO, "no such device or address"},
	{-E2BIG, "argument list too long"},
	{-ENOEXEC, "not an executable format"},
	{-EBADF, "bad file descriptor"},
	{-ECHILD, "no child processes"},
	{-EAGAIN, "resource temporarily unavailable, try again"},
	{-ENOTBLK, "a block device is required"},
	{-EEXIST, "file exists"},
	{-EXDEV, "cross-device link"},
	{-ENODEV, "no such device"},
	{-ENOTDIR, "not a directory"},
	{-ENFILE, "too many open files in the system"},
	{-EMFILE, "too many open files in this process"},
	{-ENOTTY, "inappropriate ioctl for the device"},
	{-ETXTBSY, "text file busy"},
	{-ESPIPE, "illegal seek"},
	{-EMLINK, "too many links"},
	{-EPIPE, "broken pipe"},
	{-EDOM, "argument out of the function's domain"},
	{-ERANGE, "result out of range"},
	{-EDEADLK, "resource deadlock would occur"},
#if defined(EDEADLOCK) && EDEADLOCK != EDEADLK
	{-EDEADLOCK, "file locking deadlock"},
#endif
	{-ENAMETOOLONG, "file name too long"},
	{-ENOLCK, "no locks available"},
	{-ENOSYS, "function not implemented"},
	{-ENOTEMPTY, "directory not empty"},
	{-ELOOP, "too many levels of symbolic links"},
	{-ENOMSG, "no message of the desired type"},
	{-EIDRM, "identifier removed"},
	{-ECHRNG, "channel number out of range"},
	{-EL2NSYNC, "level 2 not synchronized"},
	{-EL3HLT, "level 3 halted"},
	{-EL3RST, "level 3 reset"},
	{-ELNRNG, "link number out of range"},
	{-EUNATCH, "protocol driver not attached"},
	{-ENOCSI, "no CSI structure available"},
	{-EL2HLT, "level 2 halted"},
	{-EBADE, "invalid exchange"},
	{-EBADR, "invalid request descriptor"},
	{-EXFULL, "exchange full"},
	{-ENOANO, "no anode"},
	{-EBADRQC, "invalid request code"},
	{-EBADSLT, "invalid slot"},
	{-EBFONT, "bad font file format"},
	{-ENOSTR, "device not a stream"},
	{-ENODATA, "no data available"},
	{-ETIME, "timer expired"},
	{-ENOSR, "out of streams resources"},
	{-ENONET, "machine is not on the network"},
	{-ENOPKG, "package not installed"},
	{-EREMOTE, "object is remote"},
	{-ENOLINK, "link has been severed"},
	{-EADV, "advertise error (obsolete RFS code)"},
	{-ESRMNT, "srmount error (obsolete RFS code)"},
	{-ECOMM, "communication error on send"},
	{-EPROTO, "protocol error"},
	{-EMULTIHOP, "multihop attempted"},
	{-EDOTDOT, "cross-mount point error (obsolete RFS code)"},
	{-EBADMSG, "bad message"},
	{-ENOTUNIQ, "name not unique on the network"},
	{-EBADFD, "file descriptor in bad state"},
	{-EREMCHG, "remote address changed"},
	{-ELIBACC, "cannot access a needed shared library"},
	{-ELIBBAD, "accessing a corrupted shared library"},
	{-ELIBSCN, ".lib section in a.out corrupted"},
	{-ELIBMAX, "attempting to link in too many shared libraries"},
	{-ELIBEXEC, "cannot exec a shared library directly"},
	{-EILSEQ, "invalid or incomplete multibyte or wide character"},
	{-ERESTART, "interrupted system call should be restarted"},
	{-ESTRPIPE, "streams pipe error"},
	{-EUSERS, "too many users"},
	{-ENOTSOCK, "socket operation on a non-socket"},
	{-EDESTADDRREQ, "destination address required"},
	{-EPROTOTYPE, "protocol wrong type for socket"},
	{-ENOPROTOOPT, "protocol not available"},
	{-EPROTONOSUPPORT, "protocol not supported"},
	{-ESOCKTNOSUPPORT, "socket type not supported"},
	{-EPFNOSUPPORT, "protocol family not supported"},
	{-EAFNOSUPPORT, "address family not supported by protocol"},
	{-EADDRINUSE, "address already in use"},
	{-EADDRNOTAVAIL, "cannot assign requested address"},
	{-ENETDOWN, "network is down"},
	{-ENETUNREACH, "network is unreachable"},
	{-ENETRESET, "network dropped connection on reset"},
	{-ECONNABORTED, "software caused connection abort"},
	{-ECONNRESET, "connection reset by peer"},
	{-ENOBUFS, "no buffer space available"},
	{-EISCONN, "transport endpoint is already connected"},
	{-ENOTCONN, "transport endpoint is not connected"},
	{-ESHUTDOWN, "cannot send after transport endpoint shutdown"},
	{-ETOOMANYREFS, "too many references: cannot splice"},
	{-ETIMEDOUT, "connection timed out"},
	{-ECONNREFUSED, "connection refused"},
	{-EHOSTDOWN, "host is down"},
	{-EHOSTUNREACH, "no route to host"},
	{-EALREADY, "operation already in progress"},
	{-EINPROGRESS, "operation now in progress"},
	{-ESTALE, "stale file handle"},
	{-EUCLEAN, "structure needs cleaning"},
	{-ENOTNAM, "not a XENIX named type file"},
	{-ENAVAIL, "no XENIX semaphores available"},
	{-EISNAM, "is a named type file"},
	{-EREMOTEIO, "remote I/O error"},
	{-EDQUOT, "disk quota exceeded"},
	{-ENOMEDIUM, "no medium found"},
	{-EMEDIUMTYPE, "wrong medium type"},
	{-ECANCELED, "operation canceled"},
	{-ENOKEY, "required key not available"},
	{-EKEYEXPIRED, "key has expired"},
	{-EKEYREVOKED, "key has been revoked"},
	{-EKEYREJECTED, "key was rejected by service"},
	{-EOWNERDEAD, "owner died"},
	{-ENOTRECOVERABLE, "state not recoverable"},
	{-ERFKILL, "operation not possible due to RF-kill"},
	{-EHWPOISON, "memory page has hardware error"},
};

static const char *find(const struct message *table, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].code == code)
			return table[i].text;
	return NULL;
}

const char *vmap_strerror(int code)
{
	const char *text = find(map_messages, sizeof map_messages / sizeof map_messages[0], code);
	if (!text)
		text = find(errno_messages, sizeof errno_messages / sizeof errno_messages[0], code);
	return text ? text : "unknown error code";
}
