// SPDX-License-Identifier: GPL-2.0-only
/*
 * secns-launch - run a command in new IMA namespaces, configured first
 *
 * Creates an IMA namespace (or N nested ones), installs appraisal keys in
 * the innermost one, loads the policy, and then execs the command, so that
 * the command's first access is already evaluated by the new namespace.
 * Run it as a container's entry point, with securityfs mounted or with
 * --view. (A vTPM is bound by the host side: secns-runtime does it.)
 *
 * With --userns the namespace comes with a user and a mount namespace in
 * the same unshare(2), where the caller is root: any user can run its own
 * policy, with no capability in the initial user namespace. --view mounts
 * the namespace's own files (imafs) and configures it through them.
 * --join enters a running container's user, mount and IMA namespaces
 * instead, as `docker exec` would, and runs the command there.
 *
 * Exit status: the command's, or 125 for a usage error, 126 when a
 * namespace could not be set up, 127 when the command could not be run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "imans.h"


#define EXIT_USAGE 125
#define EXIT_SETUP 126
#define EXIT_EXEC 127
#define MAX_KEYS 16

struct options {
	const char *securityfs;
	const char *view;	/* where to mount the namespace's imafs */
	bool userns;
	pid_t join;		/* a container's process to join, or 0 */
	const char *policy;
	const char *keys[MAX_KEYS];
	int nr_keys;
	int nest;
	int strict_children;
	int show_conflicts;
	int verbose;
};

const char *prog = "secns-launch";

static void __attribute__((noreturn)) usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s [options] [--] COMMAND [ARG...]\n"
		"  -p, --policy FILE        IMA policy for the new namespace\n"
		"  -k, --key FILE           DER X.509 certificate to trust (repeatable)\n"
		"  -n, --nest N             create N nested namespaces, policy in each (default 1)\n"
		"  -s, --strict-children    namespaces created inside are strict\n"
		"  -c, --show-conflicts     print the policy engine's report after loading\n"
		"  -S, --securityfs DIR     where securityfs is mounted (default /sys/kernel/security)\n"
		"  -U, --userns             new user and mount namespaces too, the caller root there\n"
		"  -V, --view DIR           mount the namespace's files (imafs) on DIR and use them\n"
		"  -j, --join PID           run the command in PID's user, mount and IMA namespaces\n"
		"  -v, --verbose            say what is done\n",
		prog);
	exit(status);
}

static char *ima_path(const struct options *o, const char *file)
{
	char *path;
	int ret = o->view ? asprintf(&path, "%s/%s", o->view, file) :
			    asprintf(&path, "%s/ima/%s", o->securityfs, file);

	if (ret < 0)
		die(EXIT_SETUP, "out of memory");
	return path;
}

/*
 * Map the caller's ids to root in the user namespace it has just made:
 * the one mapping an unprivileged user may write for itself.
 */
static void map_to_root(uid_t uid, gid_t gid)
{
	char map[32];

	snprintf(map, sizeof(map), "0 %u 1", uid);
	write_text(EXIT_SETUP, "/proc/self/uid_map", map);
	write_text(EXIT_SETUP, "/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", gid);
	write_text(EXIT_SETUP, "/proc/self/gid_map", map);
}

/* Is /proc/self/ns/@type the namespace /proc/@pid/ns/@type names? */
static bool same_namespace(pid_t pid, const char *type)
{
	char path[64];
	struct stat mine, theirs;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, type);
	if (stat(path, &theirs))
		die(EXIT_SETUP, "%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	return !stat(path, &mine) && mine.st_ino == theirs.st_ino;
}

/*
 * Enter @pid's user, mount and IMA namespaces, in that order: the user
 * namespace gives the privilege the others ask for. pidfd setns(2) takes
 * CLONE_NEW* flags as an int, which cannot name CLONE_NEWIMA (bit 34).
 */
static void join(pid_t pid)
{
	static const struct {
		const char *type;
		int nstype;
	} types[] = {
		{ "user", CLONE_NEWUSER },
		{ "mnt", CLONE_NEWNS },
		{ "ima", SECNS_NSTYPE_IMA },
	};
	int fds[3], i;
	char path[64];

	/* Open all first: once in the user namespace, /proc may refuse. */
	for (i = 0; i < 3; i++) {
		fds[i] = -1;
		if (same_namespace(pid, types[i].type))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid,
			 types[i].type);
		fds[i] = open(path, O_RDONLY);
		if (fds[i] < 0)
			die(EXIT_SETUP, "%s: %s", path, strerror(errno));
	}
	for (i = 0; i < 3; i++) {
		if (fds[i] < 0)
			continue;
		if (setns(fds[i], types[i].nstype))
			die(EXIT_SETUP, "setns into %d's %s namespace: %s", pid,
			    types[i].type, strerror(errno));
		close(fds[i]);
	}
	/*
	 * Be the container's root, as nsenter -U is: ids the user namespace
	 * does not map would lose every capability at exec. A namespace whose
	 * setgroups(2) is denied keeps the supplementary groups.
	 */
	if (fds[0] >= 0 &&
	    ((setgroups(0, NULL) && errno != EPERM) || setresgid(0, 0, 0) ||
	     setresuid(0, 0, 0)))
		die(EXIT_SETUP, "become root in %d's user namespace: %s", pid,
		    strerror(errno));
}

/* One write(2) of @len bytes to the namespace's @file. */
static void write_ima(const struct options *o, const char *file,
		      const void *buf, size_t len)
{
	char *path = ima_path(o, file);

	write_file(EXIT_SETUP, path, buf, len);
	free(path);
}

/* Print the policy engine's report of the last load to stderr. */
static void show_conflicts(const struct options *o)
{
	char *path = ima_path(o, "policy_conflicts");
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(STDERR_FILENO, buf, n) != n)
				break;
		close(fd);
	}
	free(path);
}

/*
 * Load the policy in one write session, a line per write(2), so that the
 * kernel's error names the line; the session replaces the policy at close.
 */
static void load_policy(const struct options *o, const char *text)
{
	char *path = ima_path(o, "policy");
	int fd = open(path, O_WRONLY), bad_line, err, len;
	const char *line;

	if (fd < 0)
		die(EXIT_SETUP, "open %s: %s", path, strerror(errno));
	err = write_policy(fd, text, &bad_line);
	if (err) {
		show_conflicts(o);
		line = policy_line(text, bad_line, &len);
		die(EXIT_SETUP, "%s line %d: %.*s: %s", o->policy, bad_line,
		    len, line, strerror(err));
	}
	if (close(fd))
		die(EXIT_SETUP, "close %s: %s", path, strerror(errno));
	free(path);
}

/* A decimal option value of at least @min; a usage error otherwise. */
static int parse_number(const char *option, const char *arg, long min)
{
	char *end;
	long value = strtol(arg, &end, 10);

	if (!*arg || *end || value < min || value > INT_MAX)
		die(EXIT_USAGE, "%s: not a number >= %ld: %s", option, min, arg);
	return value;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "key", required_argument, NULL, 'k' },
		{ "nest", required_argument, NULL, 'n' },
		{ "strict-children", no_argument, NULL, 's' },
		{ "show-conflicts", no_argument, NULL, 'c' },
		{ "securityfs", required_argument, NULL, 'S' },
		{ "userns", no_argument, NULL, 'U' },
		{ "view", required_argument, NULL, 'V' },
		{ "join", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	*o = (struct options){ .securityfs = "/sys/kernel/security",
			       .nest = 1 };
	while ((c = getopt_long(argc, argv, "+p:k:n:scS:UV:j:vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			o->policy = optarg;
			break;
		case 'k':
			if (o->nr_keys == MAX_KEYS)
				die(EXIT_USAGE, "at most %d keys", MAX_KEYS);
			o->keys[o->nr_keys++] = optarg;
			break;
		case 'n':
			o->nest = parse_number("--nest", optarg, 1);
			break;
		case 's':
			o->strict_children = 1;
			break;
		case 'c':
			o->show_conflicts = 1;
			break;
		case 'S':
			o->securityfs = optarg;
			break;
		case 'U':
			o->userns = true;
			break;
		case 'V':
			o->view = optarg;
			break;
		case 'j':
			o->join = parse_number("--join", optarg, 1);
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout, 0);
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind >= argc)
		usage(stderr, EXIT_USAGE);
	if (o->join && (o->userns || o->view || o->policy || o->nr_keys ||
			o->nest != 1 || o->strict_children))
		die(EXIT_USAGE, "--join runs a command only");
}

/* Create the namespaces, one per level, and configure each. */
static void set_up(struct options *o)
{
	char *policy = NULL;
	size_t len;
	int level, i;

	if (o->policy)
		policy = read_file(EXIT_SETUP, o->policy, &len);

	for (level = 1; level <= o->nest; level++) {
		unsigned long long flags = CLONE_NEWIMA;
		uid_t uid = geteuid();
		gid_t gid = getegid();

		if (level == 1 && o->userns)
			flags |= CLONE_NEWUSER | CLONE_NEWNS;
		/* glibc's unshare() takes an int: CLONE_NEWIMA is bit 34. */
		if (syscall(SYS_unshare, flags))
			die(EXIT_SETUP, "unshare(%sCLONE_NEWIMA) at level %d: %s",
			    flags & CLONE_NEWUSER ?
			    "CLONE_NEWUSER | CLONE_NEWNS | " : "",
			    level, strerror(errno));
		if (flags & CLONE_NEWUSER)
			map_to_root(uid, gid);
		/* Each level's files: a new mount hides its parent's. */
		if (o->view && mount("imafs", o->view, "imafs", 0, NULL))
			die(EXIT_SETUP, "mount imafs on %s at level %d: %s",
			    o->view, level, strerror(errno));
		if (level == o->nest) {
			for (i = 0; i < o->nr_keys; i++) {
				char *der = read_file(EXIT_SETUP, o->keys[i],
						      &len);

				write_ima(o, "keys", der, len);
				free(der);
			}
		}
		if (policy)
			load_policy(o, policy);
		if (policy && o->show_conflicts)
			show_conflicts(o);
		if (o->verbose)
			fprintf(stderr, "%s: namespace level %d ready\n", prog,
				level);
	}
	if (o->strict_children)
		write_ima(o, "strict_children", "1", 1);
	free(policy);
}

int main(int argc, char **argv)
{
	struct options o;

	parse_args(argc, argv, &o);
	if (o.join)
		join(o.join);
	else
		set_up(&o);
	execvp(argv[optind], argv + optind);
	die(EXIT_EXEC, "%s: %s", argv[optind], strerror(errno));
}
