/* SPDX-License-Identifier: MIT */
/*
 * sys.h - the thin layer every system call and allocation of the library goes
 * through, so that tests can make the k-th call of a kind fail (failure
 * injection) and can see when data reached stable storage (power-cut tests).
 *
 * Each wrapper returns what the library wants to see: 0 or a negated errno
 * (mmap returns the address or NULL with the error in *err).
 */
#ifndef VMI_SYS_H
#define VMI_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/stat.h>

/* Files past 2 GiB on 32-bit hosts: the build defines _FILE_OFFSET_BITS=64
 * for every source file, so that struct stat agrees between them. */
_Static_assert(sizeof(off_t) == 8, "build with -D_FILE_OFFSET_BITS=64");

enum vmi_sys_call {
	VMI_SYS_OPEN,
	VMI_SYS_FLOCK,
	VMI_SYS_FSTAT,
	VMI_SYS_FALLOCATE,
	VMI_SYS_FTRUNCATE,
	VMI_SYS_MMAP,
	VMI_SYS_FDATASYNC,
	VMI_SYS_MALLOC,
	VMI_SYS_BOOT_ID,
	VMI_SYS_NCALLS
};

/* Failure injection (tests only; not thread safe). */
void vmi_sys_fail_nth(int call, long nth, int err); /* nth call from now, 0-based; call -1: any kind */
void vmi_sys_reset(void);                           /* no faults, counters zero */
long vmi_sys_count(int call);                       /* calls made since reset; -1: all kinds */
const char *vmi_sys_name(int call);
/* Power-cut tests: a fake boot id, and a hook run after each durable flush. */
void vmi_sys_set_boot_id(const char *id16);         /* NULL: the real one */
void vmi_sys_set_sync_hook(void (*hook)(int fd, void *arg), void *arg);

int vmi_sys_open(const char *path, int flags, int mode, int *fd);
int vmi_sys_memfd(int *fd); /* counted as an open */
int vmi_sys_flock(int fd, int op);
int vmi_sys_fstat(int fd, struct stat *st);
int vmi_sys_fallocate(int fd, uint64_t offset, uint64_t len);
int vmi_sys_ftruncate(int fd, uint64_t len);
void *vmi_sys_mmap(size_t len, int prot, int flags, int fd, uint64_t offset, int *err);
int vmi_sys_mmap_at(void *addr, size_t len, int prot, int fd, uint64_t offset);
void vmi_sys_munmap(void *addr, size_t len);
int vmi_sys_fdatasync(int fd);
void vmi_sys_close(int fd);
void *vmi_sys_calloc(size_t n, size_t size);
void vmi_sys_free(void *p);
int vmi_sys_boot_id(unsigned char id[16]);
size_t vmi_sys_page_size(void); /* the simulated page size, if one is set */

/*
 * Page-size simulation (tests; simpage.c): VMAP_SIM_PAGE=65536 in the
 * environment, or this setter (0: the machine's own), makes the layer act as
 * a kernel with larger pages. The vmi_sys_sim_* helpers are for sys.c alone.
 */
void vmi_sys_set_page_size(size_t page);
size_t vmi_sys_sim_page(void);                             /* 0: not simulating */
size_t vmi_sys_sim_length(size_t len);                     /* len rounded up to the page */
int vmi_sys_sim_misaligned(const void *addr, uint64_t offset);
void *vmi_sys_sim_mmap(size_t len, int prot, int flags, int fd, uint64_t offset);

#endif
