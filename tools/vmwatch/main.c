/* SPDX-License-Identifier: MIT */
/*
 * main.c - vmwatch: watch directory trees with inotify, print every event
 * with its full, current path. The watch table is a vector_map (see
 * vmwatch.h); this file holds setup, the event loop and signals.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "vmwatch.h"

/* Room for many events per read(); aligned as struct inotify_event. */
#define EVENT_BUFFER (64 * 1024)

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

/* SIGINT and SIGTERM arrive through a descriptor, polled with inotify's,
 * so an exit never cuts a line in half. */
static int signal_fd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (fd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		fatal("signalfd: %s", strerror(errno));
	return fd;
}

static void start(struct watcher *w)
{
	int err;

	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0 && errno == EMFILE)
		fatal("inotify_init1: too many inotify instances; raise "
		      "'sysctl fs.inotify.max_user_instances=N'");
	if (w->fd < 0)
		fatal("inotify_init1: %s", strerror(errno));
	err = vmap_new(&w->map);
	if (err < 0)
		fatal("watch table: %s", vmap_strerror(err));
	tree_watch_roots(w);
	if (!w->quiet)
		fputs("Watches established.\n", stderr);
}

static void handle_buffer(struct watcher *w, const char *buf, size_t len)
{
	const struct inotify_event *ev;

	for (size_t at = 0; at < len; at += sizeof *ev + ev->len) {
		ev = (const struct inotify_event *)(const void *)(buf + at);
		handle_event(w, ev);
		if (w->overflowed)
			break; /* the rest is stale: rescan instead */
	}
}

/* Read all queued events; after an overflow, start over (tree_rescan). */
static void read_events(struct watcher *w)
{
	static _Alignas(struct inotify_event) char buf[EVENT_BUFFER];
	ssize_t n;
	int queued = 0;

	while ((n = read(w->fd, buf, sizeof buf)) > 0) {
		handle_buffer(w, buf, (size_t)n);
		if (w->overflowed) {
			w->overflowed = 0;
			tree_rescan(w);
			return;
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		fatal("reading inotify events: %s", strerror(errno));
	/* Read empty: every CREATE a scan could have doubled is behind us. */
	if (ioctl(w->fd, FIONREAD, &queued) == 0 && queued == 0)
		recent_clear(w);
}

static int run(struct watcher *w, int sigfd)
{
	for (;;) {
		struct pollfd fds[2] = { { w->fd, POLLIN, 0 }, { sigfd, POLLIN, 0 } };

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll: %s", strerror(errno));
		}
		if (fds[1].revents)
			return 0; /* SIGINT or SIGTERM: a normal end */
		if (fds[0].revents)
			read_events(w);
	}
}

int main(int argc, char **argv)
{
	struct watcher w;
	int status, sigfd;

	memset(&w, 0, sizeof w);
	setvbuf(stdout, NULL, _IOLBF, 0); /* one line per event, at once */
	status = parse_options(&w, argc, argv);
	if (status >= 0)
		return status;
	sigfd = signal_fd();
	start(&w);
	status = run(&w, sigfd);
	fflush(stdout);
	vmap_close(w.map);
	close(w.fd);
	close(sigfd);
	sb_free(&w.path);
	sb_free(&w.dir);
	recent_clear(&w);
	if (w.has_exclude)
		regfree(&w.exclude);
	return status;
}
