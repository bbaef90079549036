// SPDX-License-Identifier: GPL-2.0-only
/*
 * secns-mmap-bench - latency of an executable file mapping
 *
 * Maps one page of FILE with PROT_READ|PROT_EXEC and unmaps it, N times,
 * the operation IMA's MMAP_CHECK rule mediates (LMbench's lat_mmap maps
 * PROT_READ|PROT_WRITE, which IMA does not see). Follows LMbench's method:
 * a warm-up pass, then the best of R repetitions of N operations. Every
 * call is checked; any failure fails the run instead of timing it.
 *
 * Output: mmap_exec_us=<microseconds per map+unmap> reps=R n=N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double pass(int fd, long n, size_t len)
{
	double start = now_us();
	long i;

	for (i = 0; i < n; i++) {
		void *p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE,
			       fd, 0);

		if (p == MAP_FAILED) {
			fprintf(stderr, "mmap failed at %ld: %s\n", i,
				strerror(errno));
			exit(1);
		}
		if (munmap(p, len)) {
			fprintf(stderr, "munmap failed: %s\n", strerror(errno));
			exit(1);
		}
	}
	return (now_us() - start) / n;
}

int main(int argc, char **argv)
{
	long n = 10000, reps = 5, r;
	size_t len = sysconf(_SC_PAGESIZE);
	double best = 0, t;
	int c, fd;

	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		switch (c) {
		case 'n':
			n = atol(optarg);
			break;
		case 'r':
			reps = atol(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || n < 1 || reps < 1)
		goto usage;

	fd = open(argv[optind], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	pass(fd, n / 10 + 1, len);	/* warm-up: first measurement, caches */
	for (r = 0; r < reps; r++) {
		t = pass(fd, n, len);
		if (r == 0 || t < best)
			best = t;
	}
	printf("mmap_exec_us=%.4f reps=%ld n=%ld\n", best, reps, n);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-n N] [-r REPS] FILE\n", argv[0]);
	return 2;
}
