/* SPDX-License-Identifier: MIT */
/*
 * spawn.c - run this same program again, in a fresh process.
 *
 * Every measurement runs in its own child: a heap that earlier contenders
 * grew and freed would make the next one's resident memory (and its page
 * faults) lie. The child is exec'd, not just forked, so it starts from an
 * empty heap and a clean address space.
 */
#include "bench.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int spawn_self(char *const argv[], char *out, size_t out_size)
{
	int fds[2], status;
	size_t used = 0;
	ssize_t got;
	pid_t pid;

	if (out_size == 0 || pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv("/proc/self/exe", argv);
		perror("bench: exec /proc/self/exe");
		_exit(127);
	}
	close(fds[1]);
	while ((got = read(fds[0], out + used, out_size - 1 - used)) > 0)
		used += (size_t)got;
	out[used] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
