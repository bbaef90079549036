// SPDX-License-Identifier: GPL-2.0-only
/* imans - see imans.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "imans.h"

void (*die_hook)(const char *msg);

void die(int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (die_hook)
		die_hook(msg);
	fprintf(stderr, "%s: %s\n", prog, msg);
	exit(status);
}

char *read_file(int status, const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		die(status, "%s: %s", path, strerror(errno));
	buf = malloc(st.st_size + 1);
	if (!buf)
		die(status, "out of memory");
	if (read(fd, buf, st.st_size) != st.st_size)
		die(status, "read %s: %s", path, strerror(errno));
	buf[st.st_size] = '\0';
	close(fd);
	*len = st.st_size;
	return buf;
}

/* One write(2) of @len bytes to @path. */
void write_file(int status, const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		die(status, "open %s: %s", path, strerror(errno));
	if (write(fd, buf, len) != (ssize_t)len)
		die(status, "write %s: %s", path, strerror(errno));
	if (close(fd))
		die(status, "close %s: %s", path, strerror(errno));
}

void write_text(int status, const char *path, const char *text)
{
	write_file(status, path, text, strlen(text));
}

int write_policy(int fd, const char *text, int *bad_line)
{
	const char *line = text, *end;
	int lineno = 1;

	for (; *line; line = end, lineno++) {
		end = strchrnul(line, '\n');
		if (*end)
			end++;
		if (write(fd, line, end - line) < 0) {
			*bad_line = lineno;
			return errno;
		}
	}
	return 0;
}

const char *policy_line(const char *text, int n, int *len)
{
	while (--n > 0 && (text = strchr(text, '\n')))
		text++;
	if (!text)
		text = "";
	*len = strcspn(text, "\n");
	return text;
}

void run_captured(int status, char *const argv[], char *buf, size_t size)
{
	int pipefd[2], wstatus, null;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		die(status, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die(status, "fork: %s", strerror(errno));
	if (!pid) {
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
		    dup2(pipefd[1], STDOUT_FILENO) < 0 ||
		    dup2(pipefd[1], STDERR_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		dprintf(STDOUT_FILENO, "%s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	while (got < size - 1 &&
	       (n = read(pipefd[0], buf + got, size - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus) ||
	    WEXITSTATUS(wstatus))
		die(status, "%s failed: %s", argv[0], buf);
}

int start_vtpm(int status, const char *dir)
{
	char buf[512], node[32], state[PATH_MAX + 8], pidfile[PATH_MAX + 8];
	char *argv[] = { "swtpm", "chardev", "--vtpm-proxy", "--tpm2",
			 "--tpmstate", state, "--pid", pidfile, "--flags",
			 "startup-clear", "--daemon", NULL };
	char *p;
	int num, i;

	if (mkdir(dir, 0700) && errno != EEXIST)
		die(status, "mkdir %s: %s", dir, strerror(errno));
	snprintf(state, sizeof(state), "dir=%s", dir);
	snprintf(pidfile, sizeof(pidfile), "file=%s/swtpm.pid", dir);
	run_captured(status, argv, buf, sizeof(buf));
	p = strstr(buf, "/dev/tpm");
	if (!p)
		die(status, "swtpm did not name its device: %s", buf);
	num = atoi(p + strlen("/dev/tpm"));
	/* The proxy registers the chip once swtpm answered its first commands. */
	snprintf(node, sizeof(node), "/dev/tpmrm%d", num);
	for (i = 0; i < 100 && access(node, F_OK); i++)
		usleep(100000);
	if (access(node, F_OK))
		die(status, "%s did not appear", node);
	return num;
}

void bind_vtpm(int status, const char *path, int num)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%d", num), i, fd, err = 0;

	for (i = 0; i < 100; i++, usleep(100000)) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			die(status, "open %s: %s", path, strerror(errno));
		err = write(fd, text, len) == len ? 0 : errno;
		close(fd);
		if (err != ENODEV)
			break;
	}
	if (err)
		die(status, "write %s: %s", path, strerror(err));
}
