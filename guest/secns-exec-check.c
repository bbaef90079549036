// SPDX-License-Identifier: GPL-2.0-only
/*
 * secns-exec-check - run programs and report how each exec ended
 *
 * Meant to be the one signed program a namespace under an appraise-all
 * policy starts with: it needs no shell. Each PROGRAM is a path, or
 * "path,arg,arg..." for arguments. It prints one summary line,
 *
 *   results: NAME=STATUS ...
 *
 * where NAME is the program's base name and STATUS its exit status, or the
 * errno name when exec(2) itself failed (EACCES when IMA denied it), then
 * the content of each --cat FILE. Exit status 0 unless a program could not
 * be started at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 32
#define MAX_CATS 8

static const char *errno_name(int err)
{
	switch (err) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ENOEXEC: return "ENOEXEC";
	default: return strerror(err);
	}
}

/* Run "path,arg,..." and describe how it ended into @out. */
static int run_one(char *spec, char *out, size_t size)
{
	char *argv[MAX_ARGS + 1], *save = NULL, *tok;
	int fds[2], status, err = 0, argc = 0;
	pid_t pid;

	for (tok = strtok_r(spec, ",", &save); tok && argc < MAX_ARGS;
	     tok = strtok_r(NULL, ",", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (!argc || pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], argv);
		err = errno;
		if (write(fds[1], &err, sizeof(err)) != sizeof(err))
			_exit(127);
		_exit(127);
	}
	close(fds[1]);
	if (read(fds[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (err)
		snprintf(out, size, "%s=%s", basename(argv[0]), errno_name(err));
	else if (WIFEXITED(status))
		snprintf(out, size, "%s=%d", basename(argv[0]),
			 WEXITSTATUS(status));
	else
		snprintf(out, size, "%s=signal%d", basename(argv[0]),
			 WTERMSIG(status));
	return 0;
}

static void cat(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	printf("--- %s\n", path);
	fflush(stdout);
	if (fd < 0) {
		printf("(%s)\n", strerror(errno));
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, n) != n)
			break;
	close(fd);
}

int main(int argc, char **argv)
{
	const char *cats[MAX_CATS];
	char line[8192] = "results:", one[512];
	int i, nr_cats = 0, ret = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cat") && i + 1 < argc &&
		    nr_cats < MAX_CATS) {
			cats[nr_cats++] = argv[++i];
			continue;
		}
		if (run_one(argv[i], one, sizeof(one))) {
			snprintf(one, sizeof(one), "%s=not-started", argv[i]);
			ret = 1;
		}
		strncat(line, " ", sizeof(line) - strlen(line) - 1);
		strncat(line, one, sizeof(line) - strlen(line) - 1);
	}
	printf("%s\n", line);
	fflush(stdout);
	for (i = 0; i < nr_cats; i++)
		cat(cats[i]);
	return ret;
}
