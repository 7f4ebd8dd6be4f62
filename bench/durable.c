/* SPDX-License-Identifier: MIT */
/*
 * durable.c - the figure a user of a persistent log cares about: appends
 * that survive power loss. Each contender (peer.h, struct durable_peer)
 * appends path48 values and makes them durable every 1, 100 and 10,000
 * appends: vmap_sync, LMDB's synced commit, SQLite's COMMIT in WAL mode with
 * synchronous=FULL. Every (contender, interval, repetition) runs in a fresh
 * process, on a real file system (never tmpfs, where a sync is free).
 *
 * Per append it reports the rate and the bytes the process wrote to storage:
 * write_bytes of /proc/self/io, which the kernel counts when a page of the
 * page cache is dirtied (by write(2) or by a store into a shared mapping),
 * so rewriting a page after a sync counts the whole page again. The file
 * system's own journal writes (jbd2 on ext4) are not the process's: the
 * device's sectors written (/sys/dev/block/MAJ:MIN/stat) are shown beside
 * it, for the whole machine, so on a shared machine they are an upper bound.
 *
 *   vmap_bench --child durable PEER EVERY COUNT DIR
 *       prints "ok NS_PER_APPEND WRITE_BYTES DEVICE_BYTES"
 */
#include "bench.h"
#include "clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/*
 * The intervals and how many appends each makes. A sync costs one device
 * cache flush or more: 0.1 to 2 ms on the virtual disk these figures were
 * taken on, which now and then stalls for tens of milliseconds. Enough
 * syncs that one stall does not make the rate, few enough that syncing
 * every append takes a few seconds at most per contender.
 */
static const struct plan {
	uint64_t every, count;
} plans[] = {
	{ 1, 1000 },
	{ 100, 50000 },
	{ 10000, 500000 },
};
#define PLANS (sizeof plans / sizeof plans[0])

/*
 * One child's figures; NAN where the kernel does not give them.
 *   NS            per append, everything (appends and commits) included
 *   APPEND_NS     per append, the time outside the commits
 *   COMMIT_US     the median commit (vmap_sync, mdb_txn_commit, COMMIT, ...):
 *                 a virtual disk stalls for milliseconds now and then, and
 *                 the median of hundreds of commits is what a sync costs
 *                 when it does not
 *   WRITE_BYTES   per append, dirtied by this process (/proc/self/io)
 *   DEVICE_BYTES  per append, written to the whole device holding the files
 */
enum { NS, APPEND_NS, COMMIT_US, WRITE_BYTES, DEVICE_BYTES, FIGURES };
struct durable_sample {
	double v[FIGURES];
};

/* A named counter of /proc/self/io; -1 if the kernel does not give it. */
static double proc_io(const char *name)
{
	char key[64];
	unsigned long long value;
	double found = -1;
	FILE *f = fopen("/proc/self/io", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63[^:]: %llu\n", key, &value) == 2)
		if (strcmp(key, name) == 0)
			found = (double)value;
	fclose(f);
	return found;
}

/* Bytes written to the block device holding dir, since boot; -1 if unknown. */
static double device_written(const char *dir)
{
	char path[64];
	unsigned long long f[7];
	struct stat st;
	FILE *in;
	int got;

	if (stat(dir, &st))
		return -1;
	snprintf(path, sizeof path, "/sys/dev/block/%u:%u/stat", major(st.st_dev),
		 minor(st.st_dev));
	if (!(in = fopen(path, "r")))
		return -1;
	got = fscanf(in, "%llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3], &f[4],
		     &f[5], &f[6]);
	fclose(in);
	return got == 7 ? (double)f[6] * 512 : -1; /* field 7: sectors written */
}

/* Time spent in the appends, and in each commit, ns. */
struct split {
	uint64_t append_ns, commit_ns, commits;
	double *each; /* room for every commit */
};

/* Append count entries, committing every `every` and after the last. */
static int append_durably(const struct durable_peer *p, void *s, const struct values *v,
			  uint64_t every, uint64_t count, struct split *t)
{
	for (uint64_t first = 0; first < count; first += every) {
		uint64_t n = count - first < every ? count - first : every;
		uint64_t t0 = now_ns(), t1, t2;

		if (p->append_range(s, v, first, n))
			return -1;
		t1 = now_ns();
		if (p->commit(s))
			return -1;
		t2 = now_ns();
		t->append_ns += t1 - t0;
		t->commit_ns += t2 - t1;
		t->each[t->commits++] = (double)(t2 - t1);
	}
	return 0;
}

/* Counter differences per unit, -1 (unknown) stays -1. */
static double per(double before, double after, double units)
{
	return before < 0 || after < 0 ? -1.0 : (after - before) / units;
}

int durable_child(char **argv)
{
	int i = atoi(argv[0]), peers_built = 0;
	uint64_t every = strtoull(argv[1], NULL, 10), count = strtoull(argv[2], NULL, 10);
	double io0, dev0, n = (double)count;
	const struct durable_peer *p;
	struct split t = { 0 };
	struct values v;
	void *s;

	while (durable_peers[peers_built])
		peers_built++;
	if (i < 0 || i >= peers_built || every == 0 || count == 0 ||
	    !(t.each = malloc((count / every + 1) * sizeof *t.each)) ||
	    values_make(&v, VALUES_PATH48, count, NULL))
		return 2;
	p = durable_peers[i];
	if (!(s = p->create(argv[3])))
		return 1;
	io0 = proc_io("write_bytes");
	dev0 = device_written(argv[3]);
	if (append_durably(p, s, &v, every, count, &t)) {
		fprintf(stderr, "bench: %s failed its durable appends\n", p->name);
		return 1;
	}
	printf("ok %.3f %.3f %.3f %.1f %.1f\n", (double)(t.append_ns + t.commit_ns) / n,
	       (double)t.append_ns / n, median(t.each, (int)t.commits) / 1e3,
	       per(io0, proc_io("write_bytes"), n), per(dev0, device_written(argv[3]), n));
	p->destroy(s);
	return 0;
}

/*
 * The file system that holds dir, from /proc/self/mountinfo: the last mount
 * whose device is dir's. Writes "ext4 on /dev/vda" or the like into out.
 */
static void file_system_of(const char *dir, char *out, size_t size)
{
	char line[4096], dev[32], type[64], source[1024];
	unsigned maj, mnr;
	struct stat st;
	FILE *f;

	snprintf(out, size, "unknown");
	if (stat(dir, &st) || !(f = fopen("/proc/self/mountinfo", "r")))
		return;
	snprintf(dev, sizeof dev, "%u:%u", major(st.st_dev), minor(st.st_dev));
	while (fgets(line, sizeof line, f)) {
		char *sep = strstr(line, " - ");

		if (sscanf(line, "%*s %*s %u:%u", &maj, &mnr) == 2 && maj == major(st.st_dev) &&
		    mnr == minor(st.st_dev) && sep && sscanf(sep + 3, "%63s %1023s", type, source) == 2)
			snprintf(out, size, "%s on %s", type, source);
	}
	fclose(f);
}

/* A sync on a file system in memory costs nothing: such figures would lie. */
static int in_memory(const char *fs)
{
	return strncmp(fs, "tmpfs ", 6) == 0 || strncmp(fs, "ramfs ", 6) == 0;
}

static int measure(const char *dir, int peer, const struct plan *pl, struct durable_sample *s)
{
	char idx[16], every[32], count[32], out[256];
	char *argv[] = { "vmap_bench", "--child", "durable", idx, every, count, (char *)dir, NULL };
	double *v = s->v;
	int rc;

	snprintf(idx, sizeof idx, "%d", peer);
	snprintf(every, sizeof every, "%llu", (unsigned long long)pl->every);
	snprintf(count, sizeof count, "%llu", (unsigned long long)pl->count);
	if (dir_make(dir))
		return -1;
	rc = spawn_self(argv, out, sizeof out);
	dir_remove(dir);
	if (rc || sscanf(out, "ok %lf %lf %lf %lf %lf", &v[NS], &v[APPEND_NS], &v[COMMIT_US],
			 &v[WRITE_BYTES], &v[DEVICE_BYTES]) != FIGURES) {
		fprintf(stderr, "\nbench: durable %s every %s failed (exit %d)\n",
			durable_peers[peer]->name, every, rc);
		return -1;
	}
	for (int f = 0; f < FIGURES; f++)
		if (v[f] < 0)
			v[f] = NAN;
	return 0;
}

/* Medians over the repetitions of one (plan, contender). */
struct durable_summary {
	double median[FIGURES];
	int runs;
};

static void summarize_durable(struct durable_summary *d, const struct durable_sample *s,
			      int count)
{
	d->runs = count;
	for (int f = 0; f < FIGURES; f++) {
		double v[64];
		int k = 0;

		for (int i = 0; i < count && k < 64; i++)
			if (!isnan(s[i].v[f]))
				v[k++] = s[i].v[f];
		d->median[f] = k ? median(v, k) : NAN;
	}
}

/* Appends per second, from the median time per append. */
static double rate(const struct durable_summary *d)
{
	return 1e9 / d->median[NS];
}

static int lmdb_index(void)
{
	for (int i = 0; durable_peers[i]; i++)
		if (durable_peers[i] == &durable_lmdb)
			return i;
	return -1;
}

/* Three significant digits or so, "–" where unknown. */
static void print_figure(FILE *out, double v)
{
	if (isnan(v))
		fprintf(out, " – |");
	else
		fprintf(out, v < 10 ? " %.2f |" : v < 100 ? " %.1f |" : " %.0f |", v);
}

static void report(FILE *out, const char *fs, int reps, const struct durable_summary *d,
		   int contenders)
{
	int ref = lmdb_index();

	fprintf(out, "\n### Durable appends, path48 values, on %s\n\n"
		     "Medians of %d runs, each in a fresh process. In brackets, the rate as a "
		     "multiple of LMDB's (higher is better). The time of an append split into "
		     "the appends between commits and the commit (sync), whose median is shown: "
		     "the rate includes the disk's occasional stalls, the median does not. "
		     "Bytes per append: "
		     "dirtied by the process (/proc/self/io write_bytes), and written to the "
		     "whole device (its journal and anyone else's writes included).\n\n"
		     "| contender | sync every | appends | appends/s | ns per append between "
		     "syncs | median us per sync | written B/append | device B/append |\n"
		     "|:--|--:|--:|--:|--:|--:|--:|--:|\n",
		fs, reps);
	for (size_t k = 0; k < PLANS; k++)
		for (int p = 0; p < contenders; p++) {
			const struct durable_summary *s = &d[k * (size_t)contenders + (size_t)p];
			const struct durable_summary *base =
				ref >= 0 ? &d[k * (size_t)contenders + (size_t)ref] : NULL;

			if (!s->runs)
				continue;
			fprintf(out, "| %s | %llu | %llu | %.0f", durable_peers[p]->name,
				(unsigned long long)plans[k].every,
				(unsigned long long)plans[k].count, rate(s));
			fprintf(out, base && base->runs ? " (%.2fx) |" : " |", rate(s) / rate(base));
			for (int f = APPEND_NS; f < FIGURES; f++)
				print_figure(out, s->median[f]);
			fprintf(out, "\n");
		}
	fflush(out);
}

/* CSV names of the figures; the rate comes first, from NS. */
static const struct {
	const char *key, *unit;
} csv_figures[FIGURES] = {
	[NS] = { "durable_rate", "appends/s" },
	[APPEND_NS] = { "durable_append", "ns/append" },
	[COMMIT_US] = { "durable_sync_median", "us/sync" },
	[WRITE_BYTES] = { "durable_written", "B/append" },
	[DEVICE_BYTES] = { "durable_device", "B/append" },
};

/* The same figures as rows of the main CSV: n is the number of appends, the
 * metric names the interval (durable_rate_every_100). */
static int append_csv(const char *path, const struct durable_summary *d, int contenders)
{
	FILE *f = fopen(path, "a");

	if (!f)
		return -1;
	if (ftell(f) == 0) /* --durable alone: the CSV starts here */
		fputs(CSV_HEADER, f);
	for (size_t k = 0; k < PLANS; k++)
		for (int p = 0; p < contenders; p++) {
			const struct durable_summary *s = &d[k * (size_t)contenders + (size_t)p];

			for (int g = 0; s->runs && g < FIGURES; g++)
				fprintf(f, "path48,%llu,\"%s\",%s_every_%llu,%s,%.6g,,,%d,\n",
					(unsigned long long)plans[k].count, durable_peers[p]->name,
					csv_figures[g].key, (unsigned long long)plans[k].every,
					csv_figures[g].unit, g == NS ? rate(s) : s->median[g], s->runs);
		}
	return fclose(f) ? -1 : 0;
}

/* Every repetition of every plan and contender, rotated; then the medians. */
static void run_all(const char *dir, int reps, int contenders, struct durable_sample *samples,
		    int *good)
{
	for (int r = 0; r < reps; r++) {
		for (size_t k = 0; k < PLANS; k++)
			for (int j = 0; j < contenders; j++) {
				int p = (j + r) % contenders; /* rotate who goes first */
				size_t cell = k * (size_t)contenders + (size_t)p;

				if (measure(dir, p, &plans[k], &samples[cell * (size_t)reps +
									(size_t)good[cell]]) == 0)
					good[cell]++;
			}
		fprintf(stderr, ".");
	}
}

int durable_main(const struct context *x)
{
	const char *root = x->o->tmp ? x->o->tmp : "/var/tmp";
	int contenders = 0, reps = x->o->large_reps > 64 ? 64 : x->o->large_reps, rc = 0;
	struct durable_sample *samples;
	struct durable_summary *d;
	char base[4096], dir[4200], fs[1100];
	int *good;

	while (durable_peers[contenders])
		contenders++;
	snprintf(base, sizeof base, "%s/vmap-durable-XXXXXX", root);
	if (!mkdtemp(base)) {
		perror(base);
		return 1;
	}
	file_system_of(base, fs, sizeof fs);
	if (in_memory(fs)) {
		fprintf(stderr, "bench: durable appends skipped: %s is %s, where a sync costs "
				"nothing; use --tmp DIR on a disk\n", root, fs);
		dir_remove(base);
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/store", base);
	samples = calloc(PLANS * (size_t)contenders * (size_t)reps, sizeof *samples);
	d = calloc(PLANS * (size_t)contenders, sizeof *d);
	good = calloc(PLANS * (size_t)contenders, sizeof *good);
	if (!samples || !d || !good) {
		rc = 1;
		goto out;
	}
	fprintf(stderr, "bench: durable appends in %s (%s) ", base, fs);
	run_all(dir, reps, contenders, samples, good);
	fprintf(stderr, "\n");
	for (size_t c = 0; c < PLANS * (size_t)contenders; c++) {
		summarize_durable(&d[c], &samples[c * (size_t)reps], good[c]);
		rc |= good[c] < reps;
	}
	report(stdout, fs, reps, d, contenders);
	if (x->o->csv && append_csv(x->o->csv, d, contenders)) {
		perror(x->o->csv);
		rc = 1;
	}
out:
	free(samples);
	free(d);
	free(good);
	dir_remove(base);
	return rc;
}
