// SPDX-License-Identifier: GPL-2.0-only
/*
 * secns-setns - try to join namespaces and report how each setns(2) ended
 *
 *   secns-setns NSFILE...
 *
 * Opens each NSFILE (a /proc/PID/ns/ file, or a bind mount of one) and
 * calls setns(2) with the namespace type the kernel reports for it, so
 * that a seccomp filter allowing setns for one type sees that type. Prints
 * one line,
 *
 *   results: NSFILE=STATUS ...
 *
 * where STATUS is 0 when the call succeeded, else the errno name. Exit
 * status 0 unless an NSFILE could not be opened or typed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int i, fd, type, status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: secns-setns NSFILE...\n");
		return 2;
	}
	printf("results:");
	for (i = 1; i < argc; i++) {
		fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		type = fd < 0 ? -1 : ioctl(fd, NS_GET_NSTYPE);
		if (type < 0) {
			fprintf(stderr, "secns-setns: %s: %s\n", argv[i],
				strerror(errno));
			status = 1;
		} else if (setns(fd, type)) {
			printf(" %s=%s", argv[i], strerrorname_np(errno));
		} else {
			printf(" %s=0", argv[i]);
		}
		if (fd >= 0)
			close(fd);
	}
	printf("\n");
	return status;
}
