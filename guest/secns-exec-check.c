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
 *
 * A PROGRAM prefixed with a way in, "WAY:path", reaches the code another
 * way than execve(2) of its path, and its NAME keeps the prefix:
 *
 *   memfd:     copied into a memfd, run with fexecve(3) (fileless)
 *   execveat:  opened, run with execveat(fd, "", AT_EMPTY_PATH)
 *   mmap:      mapped PROT_READ|PROT_EXEC (STATUS 0: mapped)
 *   mprotect:  mapped PROT_READ, then mprotect(2) to PROT_EXEC
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* A memfd holding a copy of @path, or -1 with errno set. */
static int memfd_copy(const char *path)
{
	struct stat st;
	int in, fd;
	off_t off = 0;

	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	fd = memfd_create("secns-exec-check", 0);
	if (fd < 0 || fstat(in, &st))
		goto fail;
	while (off < st.st_size)
		if (sendfile(fd, in, &off, st.st_size - off) <= 0)
			goto fail;
	close(in);
	return fd;
fail:
	close(in);
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Map @path readable and executable, directly or by mprotect(2): 0 or -1. */
static int map_exec(const char *path, int by_mprotect)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int prot = by_mprotect ? PROT_READ : PROT_READ | PROT_EXEC;
	void *p;

	if (fd < 0)
		return -1;
	p = mmap(NULL, 4096, prot, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	if (by_mprotect && mprotect(p, 4096, PROT_READ | PROT_EXEC))
		return -1;
	return munmap(p, 4096);
}

/* Start @argv[0] the way @way names (NULL: execve of the path); returns
 * only on failure, with errno set. */
static void start(const char *way, char **argv)
{
	extern char **environ;
	int fd;

	if (!way) {
		execv(argv[0], argv);
	} else if (!strcmp(way, "memfd")) {
		fd = memfd_copy(argv[0]);
		if (fd >= 0)
			fexecve(fd, argv, environ);
	} else if (!strcmp(way, "execveat")) {
		fd = open(argv[0], O_RDONLY);
		if (fd >= 0)
			syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	} else if (!strcmp(way, "mmap") || !strcmp(way, "mprotect")) {
		if (!map_exec(argv[0], way[1] == 'p'))
			_exit(0);
	} else {
		errno = EINVAL;
	}
}

/* Run "[way:]path,arg,..." and describe how it ended into @out. */
static int run_one(char *spec, char *out, size_t size)
{
	char *argv[MAX_ARGS + 1], *save = NULL, *tok, *way = NULL, *colon;
	char name[256];
	int fds[2], status, err = 0, argc = 0;
	pid_t pid;

	colon = strchr(spec, ':');
	if (colon && colon < strchrnul(spec, ',')) {
		*colon = '\0';
		way = spec;
		spec = colon + 1;
	}
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
		start(way, argv);
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
	snprintf(name, sizeof(name), "%s%s%s", way ? way : "", way ? ":" : "",
		 basename(argv[0]));
	if (err)
		snprintf(out, size, "%s=%s", name, errno_name(err));
	else if (WIFEXITED(status))
		snprintf(out, size, "%s=%d", name, WEXITSTATUS(status));
	else
		snprintf(out, size, "%s=signal%d", name, WTERMSIG(status));
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
