/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * imans - what the guest tools share to set up an IMA namespace: error
 * reporting, whole-file reads and writes, the policy load, and the vTPM
 * started by swtpm and bound to a namespace.
 */
#ifndef SECNS_IMANS_H
#define SECNS_IMANS_H

#include <stddef.h>
#include <sys/types.h>

#ifndef CLONE_NEWIMA
#define CLONE_NEWIMA 0x400000000ULL
#endif
#ifndef SECNS_NSTYPE_IMA
#define SECNS_NSTYPE_IMA 0x00000040
#endif

/* The program's name, first in every message. */
extern const char *prog;
/* Called with each fatal message before exit, e.g. to log it as well. */
extern void (*die_hook)(const char *msg);

void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...);

/* Die with @status on any failure, naming the file. */
char *read_file(int status, const char *path, size_t *len);
void write_file(int status, const char *path, const void *buf, size_t len);
void write_text(int status, const char *path, const char *text);

/*
 * Write @text to an open policy file, a line per write(2), so that the
 * kernel's error names the line. 0, or the errno with *@bad_line set to
 * the 1-based line refused. The policy is replaced when @fd is closed.
 */
int write_policy(int fd, const char *text, int *bad_line);
/* The length of line @n (1-based) of @text, and where it starts. */
const char *policy_line(const char *text, int n, int *len);

/*
 * Run @argv (from PATH) with no stdin and its output captured in @buf; die
 * with that output unless it exits 0. None of the caller's stdio stays open
 * in it: a container runtime's stdio is the container's.
 */
void run_captured(int status, char *const argv[], char *buf, size_t size);

/*
 * Start `swtpm chardev --vtpm-proxy` with its state and pid file in @dir;
 * return the N of its /dev/tpmN once the chip is registered.
 */
int start_vtpm(int status, const char *dir);
/*
 * Bind /dev/tpm@num through @path, a namespace's vtpm file. A chip swtpm
 * has just made is found by number a moment after its device nodes
 * appear: ENODEV is retried for up to ten seconds.
 */
void bind_vtpm(int status, const char *path, int num);

#endif
