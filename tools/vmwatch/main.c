/* SPDX-License-Identifier: MIT */
/*
 * main.c - vmwatch: watch directory trees with inotify, print every event
 * with its full, current path. The watch table is a vector_map (see
 * vmwatch.h); this file holds setup, the event loop, timers and signals.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "vmwatch.h"

/* Exit status of -t when the time passed and no event was printed at all. */
#define EXIT_NO_EVENT 3

void warn_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("vmwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

_Noreturn void fatal(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vmwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* SIGINT, SIGTERM and SIGHUP arrive through a descriptor, polled with
 * inotify's, so an exit never cuts a record in half and the journal is
 * synced first. */
static int signal_fd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (fd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		fatal("signalfd: %s", strerror(errno));
	return fd;
}

static void open_outputs(struct sink *s)
{
	if (s->out_path) {
		s->out = fopen(s->out_path, "a"); /* as inotifywait -o: appends */
		if (!s->out)
			fatal("%s: %s", s->out_path, strerror(errno));
	} else if (!s->journal_path) {
		s->out = stdout;
		s->out_path = "standard output";
	}
	if (s->journal_path)
		journal_open(s);
}

/* How long poll may sleep: until -t runs out or the journal is due. */
static int poll_timeout(const struct watcher *w, long long last_line, long long now)
{
	long long t = -1, due = journal_due_ms(&w->sink, now);

	if (w->timeout_ms > 0)
		t = last_line + w->timeout_ms > now ? last_line + w->timeout_ms - now : 0;
	if (due >= 0 && (t < 0 || due < t))
		t = due;
	return t > INT_MAX ? INT_MAX : (int)t;
}

static int run(struct watcher *w, int sigfd)
{
	long long last_line = now_ms();
	uint64_t lines = w->sink.lines;

	for (;;) {
		struct pollfd fds[2] = { { w->fd, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
		long long now = now_ms();

		if (poll(fds, 2, poll_timeout(w, last_line, now)) < 0 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
		if (fds[1].revents)
			return 0; /* SIGINT, SIGTERM or SIGHUP: a normal end */
		if (fds[0].revents)
			tree_cycle(w);
		output_flush(w);
		now = now_ms();
		journal_tick(&w->sink, now);
		if (w->sink.lines != lines) {
			lines = w->sink.lines;
			last_line = now;
		}
		if (w->timeout_ms > 0 && now - last_line >= w->timeout_ms)
			return lines ? 0 : EXIT_NO_EVENT;
	}
}

int main(int argc, char **argv)
{
	struct watcher w;
	int status, sigfd;

	memset(&w, 0, sizeof w);
	status = parse_options(&w, argc, argv);
	if (status >= 0) {
		free_options(&w);
		return status;
	}
	sigfd = signal_fd();
	open_outputs(&w.sink);
	tree_setup(&w);
	if (!w.quiet)
		fputs("Watches established.\n", stderr);
	tree_cycle(&w); /* what happened in the tree while it was read */
	output_flush(&w);
	status = run(&w, sigfd);
	output_flush(&w);
	journal_close(&w.sink);
	if (w.sink.out && w.sink.out != stdout && fclose(w.sink.out) != 0)
		fatal("writing %s: %s", w.sink.out_path, strerror(errno));
	vmap_close(w.map);
	close(w.fd);
	close(sigfd);
	sb_free(&w.path);
	batch_free(&w.batch);
	arrivals_clear(&w);
	free(w.arrivals.list);
	sb_free(&w.arrivals.names);
	recent_clear(&w);
	free(w.root_wd);
	free_options(&w);
	return status;
}
