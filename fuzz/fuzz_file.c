/* SPDX-License-Identifier: MIT */
/*
 * fuzz_file.c - libFuzzer target: the bytes of a map file, opened by a reader
 * and by a writer. Nothing may crash, hang, leak, read outside the mapping or
 * break the contract of vmap.h.
 *
 * Two input formats:
 *
 *   raw          the input is the file (anything not starting with 'S')
 *
 *   structured   'S' seed flags fault { off0 off1 off2 xor }...
 *                seed   picks one of the valid maps of seeds.c (built once,
 *                       in this process), so the fuzzer starts deep
 *                flags  bit 0: recompute the header checksum after mutating
 *                       bit 1: open as if the machine had restarted
 *                fault  0x10 * (call + 1) + nth: make the nth call of that
 *                       kind (sys.h) fail once the writer has opened
 *                then each 4-byte record xors one byte of the file at
 *                (off0 | off1 << 8 | off2 << 16) modulo its size
 *
 * Each run: write the file to a memfd; open it VMAP_RDONLY and read (keys
 * around first_key, next_key and group edges, a sweep, keys from the input),
 * count, stat, check; keep that reader open; open it as the writer (at
 * times with VMAP_CREATE, which sets up an empty or blank file; a second
 * writer must get -EBUSY), read, check, append twice, replace, remove, maybe
 * sync, check; close; read again through the old reader; reopen and check.
 *
 * Beyond "no crash", the target aborts when the library breaks a promise.
 * A promise that holds only for a map that passes vmap_check is checked only
 * then (the "strict" ones). Each has a name; VMAP_FUZZ_IGNORE=name,name...
 * turns named ones off, to keep fuzzing past a known bug:
 *
 *   nul          a value from vmap_get is not followed by a NUL, or too long
 *   code         a call returned something other than 0 or a vmap/errno code,
 *                or vmap_strerror() has no sentence for it
 *   busy         a second writer was not refused with -EBUSY
 *   valid        an unmutated seed does not pass vmap_check
 *   growth       a small write asked for more than 16 MiB of file (-EFBIG)
 *   check-after  strict: the writes made a map that passed check fail it
 *   stable       strict: a value read before the writes changed under its pointer
 *   reopen       strict: the closed map does not reopen and pass check
 *
 * and one that is not checked but exercised: ignoring "hostile-writes" skips
 * the writes on a map that fails vmap_check (the writer still opens, reads
 * and checks it), for when writes on damaged maps are known to crash;
 * ignoring "hostile-journal" does not open a writer on a file whose journal
 * is active with a "before" state that fails vmi_state_validate(); ignoring
 * "hostile-crc" drops the strict promises for a map whose crc table has a
 * checksum for a block that is not sealed yet (the tail or the gap block),
 * or a value or a table that lies in the free gap ("hostile-gap"); ignoring
 * "restart-writer" opens no writer on a file last written in another boot;
 * ignoring "hostile-run" drops the strict promises when the free run of
 * slot blocks (run_pos, run_left) covers the header, a table or the gap;
 * ignoring "hostile-count" skips a file whose header claims more keys than
 * its size can hold slot blocks for (1024 keys per 4 KiB);
 * ignoring "hostile-trim" makes the first reader stop reading once the
 * writer has made the file shorter than it was.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "seeds.h"
#include "sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* Room the writer may take: far more than any honest write of ours needs,
 * small enough that a hostile file cannot make us fill the machine. */
#define FILE_LIMIT (16u << 20)
#define SWEEP_KEYS 2200u
#define STABLE_KEYS 16

static int file_fd = -1;
static char file_path[64];
static const char *ignored;
static int verbose; /* VMAP_FUZZ_VERBOSE set: say what each write did */

struct image {
	unsigned char *bytes;
	size_t len;
};
static struct image *seed_images;

/* ---- promises ------------------------------------------------------------ */

static int is_ignored(const char *name)
{
	size_t n = strlen(name);
	for (const char *p = ignored; p && *p; p += strcspn(p, ","), p += *p == ',') {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

/* VMAP_FUZZ_DUMP=path: copy the file to path.in when a run starts and to
 * path.out when a promise breaks, for a closer look. */
static void dump(const char *suffix)
{
	const char *path = getenv("VMAP_FUZZ_DUMP");
	char name[4096], buf[65536];
	ssize_t n;
	off_t at = 0;
	FILE *f;

	if (!path)
		return;
	snprintf(name, sizeof name, "%s.%s", path, suffix);
	if (!(f = fopen(name, "wb")))
		return;
	while ((n = pread(file_fd, buf, sizeof buf, at)) > 0) {
		fwrite(buf, 1, (size_t)n, f);
		at += n;
	}
	fclose(f);
}

static void broken(const char *name, const char *what, long long detail)
{
	if (is_ignored(name))
		return;
	dump("out");
	fprintf(stderr, "fuzz_file: promise \"%s\" broken: %s (%lld)\n", name, what, detail);
	abort();
}

/* 0, or a negative code the library documents: errno or VMAP_E*. */
static int known_code(int err)
{
	return err == 0 || (err < 0 && err >= VMAP_EVERSION);
}

static int expect_code(const char *call, int err)
{
	const char *text = vmap_strerror(err);
	if (!known_code(err) || !text || !*text)
		broken("code", call, err);
	return err;
}

/* Read every byte of a value, as a user would. */
static unsigned touch(const char *v, size_t n)
{
	unsigned sum = 0;
	if (n > VMAP_VALUE_MAX || v[n] != '\0')
		broken("nul", "value not NUL-terminated or too long", (long long)n);
	for (size_t i = 0; i < n; i++)
		sum += (unsigned char)v[i];
	return sum;
}

/* ---- the file -------------------------------------------------------------- */

static void die(const char *what)
{
	perror(what);
	abort();
}

static void file_set(const unsigned char *bytes, size_t len)
{
	if (ftruncate(file_fd, 0) < 0)
		die("ftruncate");
	for (size_t done = 0; done < len;) {
		ssize_t n = pwrite(file_fd, bytes + done, len - done, (off_t)done);
		if (n <= 0)
			die("pwrite");
		done += (size_t)n;
	}
}

static void file_get(struct image *img)
{
	off_t size = lseek(file_fd, 0, SEEK_END);
	if (size < 0 || !(img->bytes = malloc((size_t)size + 1)))
		die("seed image");
	img->len = (size_t)size;
	if (pread(file_fd, img->bytes, img->len, 0) != (ssize_t)img->len)
		die("pread");
}

static void build_seed_images(void)
{
	int n = fuzz_seed_count();
	seed_images = calloc((size_t)n, sizeof *seed_images);
	if (!seed_images)
		die("calloc");
	for (int i = 0; i < n; i++) {
		file_set(NULL, 0);
		if (fuzz_seed_build(i, file_path)) {
			fprintf(stderr, "fuzz_file: cannot build seed %s\n", fuzz_seed_name(i));
			abort();
		}
		file_get(&seed_images[i]);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rlimit lim = {FILE_LIMIT, FILE_LIMIT};
	(void)argc;
	(void)argv;
	ignored = getenv("VMAP_FUZZ_IGNORE");
	verbose = getenv("VMAP_FUZZ_VERBOSE") != NULL;
	if (setrlimit(RLIMIT_FSIZE, &lim) < 0)
		die("setrlimit");
	file_fd = memfd_create("vmap-fuzz", MFD_CLOEXEC);
	if (file_fd < 0)
		die("memfd_create");
	snprintf(file_path, sizeof file_path, "/proc/self/fd/%d", file_fd);
	fuzz_use_boot_id();
	build_seed_images();
	return 0;
}

/* ---- what one run does ------------------------------------------------------ */

struct run {
	uint64_t dice;  /* a hash of the input: picks keys and values */
	int strict_ok;  /* the writer's map passed vmap_check before the writes */
	int faulty;     /* a system call failure was injected */
	int pristine;   /* an unmutated seed */
	int create;     /* the writer opens with VMAP_CREATE */
	struct {
		uint64_t key;
		const char *ptr;
		size_t len;
		char copy[64];
	} kept[STABLE_KEYS];
	int nkept;
};

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* x modulo n, where n may have wrapped to 0 */
static uint64_t below(uint64_t x, uint64_t n)
{
	return n ? x % n : x;
}

static uint64_t roll(struct run *r)
{
	r->dice ^= r->dice >> 29;
	r->dice *= 0xbf58476d1ce4e5b9ull;
	r->dice ^= r->dice >> 32;
	return r->dice;
}

static unsigned get_one(const vmap *m, uint64_t key)
{
	size_t n = (size_t)-1;
	const char *v = vmap_get(m, key, &n);
	if (!v)
		return n != (size_t)-1 ? (broken("code", "len set for NULL", 0), 0) : 0;
	if (vmap_get(m, key, NULL) != v)
		broken("stable", "two gets of one key differ", (long long)key);
	return touch(v, n);
}

static void reads(const vmap *m, struct run *r)
{
	uint64_t first = vmap_first_key(m), next = vmap_next_key(m);
	uint64_t count = next - first, dice = roll(r);
	uint64_t keys[] = {first - 1, first, first + 1, first + 1023, first + 1024, first + 1025,
			   first + 2047, first + 2048, next - 2, next - 1, next, 0, UINT64_MAX,
			   first + below(dice, count + 2), dice};
	struct vmap_stat st;
	volatile unsigned sink = 0;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		sink += get_one(m, keys[i]);
	for (uint64_t i = 0; i < count && i < SWEEP_KEYS; i++)
		sink += get_one(m, first + i);
	sink += (unsigned)vmap_count(m);
	expect_code("vmap_stat", vmap_stat(m, &st));
	(void)sink;
}

/* Remember a few values, to see that the writes leave them in place. */
static void keep_values(const vmap *m, struct run *r)
{
	uint64_t first = vmap_first_key(m), count = vmap_next_key(m) - first;
	r->nkept = 0;
	for (uint64_t i = 0; i < count && r->nkept < STABLE_KEYS; i += 1 + count / STABLE_KEYS) {
		size_t n;
		const char *v = vmap_get(m, first + i, &n);
		if (!v)
			continue;
		r->kept[r->nkept].key = first + i;
		r->kept[r->nkept].ptr = v;
		r->kept[r->nkept].len = n;
		memcpy(r->kept[r->nkept].copy, v, n < 64 ? n : 64);
		r->nkept++;
	}
}

static void check_kept(const struct run *r)
{
	for (int i = 0; i < r->nkept; i++) {
		size_t n = r->kept[i].len < 64 ? r->kept[i].len : 64;
		if (memcmp(r->kept[i].ptr, r->kept[i].copy, n) || r->kept[i].ptr[r->kept[i].len])
			broken("stable", "a stored value changed under its pointer",
			       (long long)r->kept[i].key);
	}
}

/* A value of a length and kind the dice pick: empty, short, with a NUL,
 * exactly inline_max, just over, long, and now and then a large one that
 * crosses extent boundaries (up to LARGE_MAX, within the file limit). */
#define LARGE_MAX ((size_t)3 << 20)

static size_t pick_value(struct run *r, char *buf, size_t cap)
{
	static const size_t lens[] = {0, 1, 5, 17, 1024, 1025, 3000, 3000, 3000,
				      (1u << 20) + 7, LARGE_MAX};
	uint64_t d = roll(r);
	size_t len = lens[d % (sizeof lens / sizeof lens[0])];
	if (len > cap)
		len = cap;
	memset(buf, 'a' + (int)(d >> 8) % 26, len);
	if (len > 2 && (d >> 16) % 4 == 0)
		buf[len / 2] = '\0';
	return len;
}


static void say(const vmap *w, const char *call, uint64_t key, size_t len, int err)
{
	if (verbose)
		fprintf(stderr, "fuzz_file: %s(%llu, %zu) = %d, check %d\n", call,
			(unsigned long long)key, len, err, vmap_check(w));
}

/* A large value may meet the file limit; a small one must not. */
static void write_checked(const char *call, int err, const struct run *r, size_t len)
{
	expect_code(call, err);
	if (err == -EFBIG && !r->faulty && len < (64u << 10))
		broken("growth", call, err);
}

static void writes(vmap *w, struct run *r)
{
	static char buf[LARGE_MAX];
	uint64_t first = vmap_first_key(w), next = vmap_next_key(w);
	uint64_t count = next - first;
	uint64_t key;
	size_t len;
	int err;

	for (int i = 0; i < 2; i++) {
		key = next ? vmap_next_key(w) : roll(r);
		len = pick_value(r, buf, sizeof buf);
		err = vmap_append(w, key, buf, len);
		say(w, "append", key, len, err);
		write_checked("vmap_append", err, r, len);
		if (!next)
			next = vmap_next_key(w), first = vmap_first_key(w), count = 1;
	}
	key = first + below(roll(r), count + 1);
	len = pick_value(r, buf, sizeof buf);
	err = vmap_replace(w, key, buf, len);
	say(w, "replace", key, len, err);
	write_checked("vmap_replace", err, r, len);
	key = first + below(roll(r), count + 1);
	err = vmap_remove(w, key);
	say(w, "remove", key, 0, err);
	expect_code("vmap_remove", err);
	if (roll(r) % 4 == 0) {
		err = vmap_sync(w);
		say(w, "sync", 0, 0, err);
		expect_code("vmap_sync", err);
	}
	/* Refused calls must change nothing either. */
	expect_code("vmap_append", vmap_append(w, first - 1, "x", 1));
	expect_code("vmap_remove", vmap_remove(w, next + 5));
}

static void arm_fault(uint8_t fault)
{
	int call = (fault >> 4) - 1;
	if (call >= 0 && call < VMI_SYS_NCALLS)
		vmi_sys_fail_nth(call, fault & 15, call == VMI_SYS_MALLOC ? ENOMEM : EIO);
}

/* Would a writer open on a known bug? (see "hostile-journal" and
 * "restart-writer" above) */
static int writer_would_trip(void)
{
	static const unsigned char zero[16];
	struct vmap_header h;
	off_t size = lseek(file_fd, 0, SEEK_END);
	unsigned char boot[16];

	if (pread(file_fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
		return 0;
	if (is_ignored("hostile-journal") && h.journal.active &&
	    vmi_stored_state_validate(&h.journal.before, (uint64_t)size))
		return 1;
	return is_ignored("restart-writer") && vmi_sys_boot_id(boot) == 0 &&
	       memcmp(h.writer_boot, zero, 16) && memcmp(h.writer_boot, boot, 16);
}

/* Does the crc table hold a checksum for a block not sealed yet? */
static int stray_crc(const vmap *m)
{
	uint64_t from = LOAD(&m->view->bump) >> BLOCK_SHIFT;
	uint64_t gap_pos = LOAD(&m->view->gap_pos), gap_end = LOAD(&m->view->gap_end);
	uint64_t to = vmi_table_capacity(m, TABLE_CRC);
	const uint32_t *crc;

	if (gap_pos < gap_end && (crc = vmi_table_elem(m, TABLE_CRC, gap_pos >> BLOCK_SHIFT)) &&
	    LOAD(crc))
		return 1;
	for (uint64_t b = from; b < to && b < from + (1u << 16); b++)
		if ((crc = vmi_table_elem(m, TABLE_CRC, b)) && LOAD(crc))
			return 1;
	return 0;
}

static int overlaps(uint64_t pos, uint64_t bytes, uint64_t from, uint64_t to)
{
	return pos < to && from < pos + bytes;
}

/* Does a value lie in the free gap, where the next appends will write? */
static int value_in_gap(const vmap *m)
{
	uint64_t gap_pos = LOAD(&m->view->gap_pos), gap_end = LOAD(&m->view->gap_end);
	uint64_t first = vmap_first_key(m), count = vmap_next_key(m) - first;
	const char *gap;

	if (gap_pos >= gap_end || !(gap = vmi_at(m, gap_pos, gap_end - gap_pos)))
		return 0;
	for (uint64_t i = 0; i < count && i < SWEEP_KEYS; i++) {
		size_t n;
		const char *v = vmap_get(m, first + i, &n);
		if (v && v + n >= gap && v < gap + (gap_end - gap_pos))
			return 1;
	}
	/* Far records too, also those no key points to any more. */
	for (uint64_t f = 0; f < LOAD(&m->view->far_count) && f < SWEEP_KEYS; f++) {
		const struct vmap_far *rec = vmi_table_elem(m, TABLE_FAR, f);
		if (rec && LOAD(&rec->len) < VMAP_VALUE_MAX &&
		    overlaps(LOAD(&rec->pos), LOAD(&rec->len) + 1, gap_pos, gap_end))
			return 1;
	}
	return 0;
}

/* Does the free gap cover a table chunk or a group's slot block? */
static int table_in_gap(const vmap *m)
{
	uint64_t gap_pos = LOAD(&m->view->gap_pos), gap_end = LOAD(&m->view->gap_end);
	uint64_t groups = (LOAD(&m->view->count) + GROUP_KEYS - 1) >> GROUP_SHIFT;

	if (gap_pos >= gap_end)
		return 0;
	for (int t = 0; t < TABLES; t++) {
		for (unsigned c = 0; c < TABLE_CHUNKS; c++)
			if (LOAD(chunk_position(m->hdr, t, c)) &&
			    overlaps(LOAD(chunk_position(m->hdr, t, c)), (uint64_t)BLOCK_BYTES << c,
				     gap_pos, gap_end))
				return 1;
	}
	for (uint64_t g = 0; g < groups && g < SWEEP_KEYS; g++) {
		const struct vmap_dir_entry *d = vmi_dir_entry(m, g);
		if (d && overlaps(LOAD(&d->slots_pos), BLOCK_BYTES, gap_pos, gap_end))
			return 1;
	}
	return 0;
}

/* Do the free slot blocks of the current run cover something in use? */
static int run_in_use(const vmap *m)
{
	uint64_t pos = LOAD(&m->view->run_pos), left = LOAD(&m->view->run_left);
	uint64_t gap_pos = LOAD(&m->view->gap_pos), gap_end = LOAD(&m->view->gap_end);
	uint64_t groups = (LOAD(&m->view->count) + GROUP_KEYS - 1) >> GROUP_SHIFT;
	uint64_t end = pos + left * BLOCK_BYTES;

	if (!left)
		return 0;
	if (pos < BLOCK_BYTES || (gap_pos < gap_end && overlaps(pos, end - pos, gap_pos, gap_end)))
		return 1;
	for (int t = 0; t < TABLES; t++) {
		for (unsigned c = 0; c < TABLE_CHUNKS; c++)
			if (LOAD(chunk_position(m->hdr, t, c)) &&
			    overlaps(LOAD(chunk_position(m->hdr, t, c)), (uint64_t)BLOCK_BYTES << c,
				     pos, end))
				return 1;
	}
	for (uint64_t g = 0; g < groups && g < SWEEP_KEYS; g++) {
		const struct vmap_dir_entry *d = vmi_dir_entry(m, g);
		if (d && overlaps(LOAD(&d->slots_pos), BLOCK_BYTES, pos, end))
			return 1;
	}
	return 0;
}

static void writer_phase(struct run *r, uint8_t fault)
{
	vmap *w, *second;
	int err, before, after;

	if (writer_would_trip())
		return;
	/* VMAP_CREATE also sets up an empty file, or one whose magic is blank. */
	err = expect_code("vmap_open", vmap_open(&w, file_path, r->create ? VMAP_CREATE : 0));
	if (err)
		return;
	err = vmap_open(&second, file_path, 0);
	if (err != -EBUSY) {
		if (!err)
			vmap_close(second);
		broken("busy", "second writer not refused", err);
	}
	reads(w, r);
	before = expect_code("vmap_check", vmap_check(w));
	if (r->pristine && before)
		broken("valid", "writer: an unmutated seed fails vmap_check", before);
	r->strict_ok = before == 0 && !(is_ignored("hostile-crc") && stray_crc(w)) &&
		       !(is_ignored("hostile-gap") && (value_in_gap(w) || table_in_gap(w))) &&
		       !(is_ignored("hostile-run") && run_in_use(w));
	if (r->strict_ok)
		keep_values(w, r);
	if (before && is_ignored("hostile-writes")) {
		vmap_close(w);
		return;
	}
	arm_fault(fault);
	r->faulty = fault != 0;
	writes(w, r);
	vmi_sys_reset();
	reads(w, r);
	after = expect_code("vmap_check", vmap_check(w));
	if (r->strict_ok) {
		check_kept(r);
		if (after)
			broken("check-after", "writes broke a map that passed vmap_check", after);
	}
	arm_fault(fault);
	vmap_close(w);
	vmi_sys_reset();
}

static void reopen_phase(const struct run *r)
{
	vmap *m;
	int err = expect_code("vmap_open", vmap_open(&m, file_path, VMAP_RDONLY));

	if (err) {
		if (r->strict_ok)
			broken("reopen", "a map that passed check does not reopen", err);
		return;
	}
	err = expect_code("vmap_check", vmap_check(m));
	if (r->strict_ok && err)
		broken("reopen", "reopened map fails vmap_check", err);
	vmap_close(m);
}

/* Does a state in the header claim more keys than the file has room for? */
static int count_too_big(void)
{
	struct vmap_header h;
	uint64_t most = (uint64_t)lseek(file_fd, 0, SEEK_END) / BLOCK_BYTES * GROUP_KEYS;

	if (pread(file_fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
		return 0;
	return h.live.count > most || h.synced.count > most || h.journal.before.count > most;
}

static void run_file(struct run *r, uint8_t fault)
{
	vmap *reader = NULL;
	off_t size;
	int err;

	dump("in");
	if (is_ignored("hostile-count") && count_too_big())
		return;
	err = expect_code("vmap_open", vmap_open(&reader, file_path, VMAP_RDONLY));
	if (!err) {
		reads(reader, r);
		err = expect_code("vmap_check", vmap_check(reader));
		if (r->pristine && err)
			broken("valid", "reader: an unmutated seed fails vmap_check", err);
	}
	size = lseek(file_fd, 0, SEEK_END);
	writer_phase(r, fault);
	if (is_ignored("hostile-trim") && lseek(file_fd, 0, SEEK_END) < size) {
		vmap_close(reader);
		reader = NULL;
	}
	if (reader) {
		reads(reader, r); /* sees what the writer appended */
		expect_code("vmap_check", vmap_check(reader));
		vmap_close(reader);
	}
	reopen_phase(r);
}

/* ---- input formats --------------------------------------------------------- */

static void fix_header_crc(unsigned char *file, size_t len)
{
	size_t at = offsetof(struct vmap_header, header_crc);
	uint32_t crc;
	if (len < sizeof(struct vmap_header))
		return;
	crc = vmi_crc32c(0, file, at);
	memcpy(file + at, &crc, sizeof crc);
}

static void run_structured(const uint8_t *data, size_t size, struct run *r)
{
	const struct image *seed = &seed_images[data[1] % fuzz_seed_count()];
	uint8_t flags = size > 2 ? data[2] : 0, fault = size > 3 ? data[3] : 0;
	unsigned char *file = malloc(seed->len + 1);
	size_t i;

	if (!file)
		die("malloc");
	memcpy(file, seed->bytes, seed->len);
	for (i = 4; i + 4 <= size && seed->len; i += 4) {
		size_t at = (data[i] | (size_t)data[i + 1] << 8 | (size_t)data[i + 2] << 16) % seed->len;
		file[at] ^= data[i + 3];
	}
	if (flags & 1)
		fix_header_crc(file, seed->len);
	r->pristine = size <= 4 && !(flags & 2) && !fault;
	file_set(file, seed->len);
	free(file);
	if (flags & 2)
		vmi_sys_set_boot_id("vmap-fuzz-boot-2");
	run_file(r, fault);
	fuzz_use_boot_id();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r;

	memset(&r, 0, sizeof r);
	r.dice = hash_bytes(data, size) | 1;
	r.create = (r.dice >> 40) % 4 == 0; /* apart from the dice rolls */
	vmi_sys_reset();
	if (size >= 2 && data[0] == 'S') {
		run_structured(data, size, &r);
	} else {
		file_set(data, size);
		run_file(&r, 0);
	}
	return 0;
}
