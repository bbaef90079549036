// SPDX-License-Identifier: GPL-2.0-only
/* secns-runtime: `exec` into the container's IMA namespace. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "imans.h"
#include "runtime.h"

/* The capabilities enter() needs, given for the moment it runs. */
static const char *const enter_caps[] = { "CAP_SYS_ADMIN", "CAP_SETPCAP" };
static const int enter_cap_numbers[] = { CAP_SYS_ADMIN, CAP_SETPCAP };
#define NR_ENTER_CAPS 2
static const char *const cap_sets[] = {
	"bounding", "effective", "permitted", "inheritable", "ambient"
};
enum { SET_BOUNDING, SET_EFFECTIVE, SET_PERMITTED, SET_INHERITABLE, SET_AMBIENT,
       NR_SETS };
#define ADDED(set, cap) (1U << ((set) * NR_ENTER_CAPS + (cap)))

static bool array_has(struct json_object *array, const char *value)
{
	for (size_t i = 0; i < json_object_array_length(array); i++)
		if (!strcmp(json_object_get_string(
				json_object_array_get_idx(array, i)), value))
			return true;
	return false;
}

/*
 * Run the process through enter() with the namespace's fd @fd: add the
 * capabilities it needs to every set that lacks them, and tell enter()
 * which it added, to take them away again.
 */
static void edit_process(const char *file, int fd)
{
	struct json_object *proc = json_object_from_file(file), *caps, *set;
	struct json_object *args, *wrapped;
	unsigned int added = 0;
	char text[16];

	if (!proc || !(args = get_path(proc, "args", NULL)))
		die(EXIT_FAIL, "%s: %s", file, proc ? "no args" :
		    json_util_get_last_err());
	caps = get_path(proc, "capabilities", NULL);
	if (!caps) {
		caps = json_object_new_object();
		json_object_object_add(proc, "capabilities", caps);
	}
	for (int i = 0; i < NR_SETS; i++) {
		set = get_path(caps, cap_sets[i], NULL);
		if (!set) {
			set = json_object_new_array();
			json_object_object_add(caps, cap_sets[i], set);
		}
		for (int c = 0; c < NR_ENTER_CAPS; c++) {
			if (array_has(set, enter_caps[c]))
				continue;
			json_object_array_add(set,
					      json_object_new_string(enter_caps[c]));
			added |= ADDED(i, c);
		}
	}
	wrapped = json_object_new_array();
	json_object_array_add(wrapped, json_object_new_string(ENTER_PATH));
	json_object_array_add(wrapped, json_object_new_string("enter"));
	snprintf(text, sizeof(text), "%d", fd);
	json_object_array_add(wrapped, json_object_new_string(text));
	snprintf(text, sizeof(text), "%u", added);
	json_object_array_add(wrapped, json_object_new_string(text));
	json_object_array_add(wrapped, json_object_new_string("--"));
	for (size_t i = 0; i < json_object_array_length(args); i++)
		json_object_array_add(wrapped, json_object_get(
			json_object_array_get_idx(args, i)));
	json_object_object_add(proc, "args", wrapped);
	if (json_object_to_file_ext(file, proc, JSON_C_TO_STRING_PLAIN))
		die(EXIT_FAIL, "write %s: %s", file, json_util_get_last_err());
	json_object_put(proc);
}

/*
 * `exec`: the new process must end up in the container's IMA namespace,
 * but runc must not: it re-execs itself from a memfd, which an appraising
 * policy refuses. So runc execs enter() (this program, mounted in the
 * container) with the namespace's fd, passed as one more preserved fd.
 */
int exec_in(int argc, char **argv, int cmd)
{
	const char *id = argv[argc - 1];
	const char *process = option_value(argc, argv, cmd + 1, "--process", "-p");
	const char *preserved = option_value(argc, argv, cmd + 1,
					     "--preserve-fds", NULL);
	int extra = preserved ? atoi(preserved) : 0, fd, i, j;
	char pin[PATH_MAX], count[16];
	char **args = calloc(argc + 3, sizeof(*args));

	check_id(id);
	if (!process)
		die(EXIT_FAIL, "exec: give the process with --process FILE");
	snprintf(pin, sizeof(pin), STATE_DIR "/%s/" PINNED_NS, id);
	fd = open(pin, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(EXIT_FAIL, "%s: %s (not a container of this runtime?)", pin,
		    strerror(errno));
	/*
	 * runc passes fds 3 .. 3 + extra - 1 on: ours goes next, open across
	 * exec (dup2() onto itself would keep O_CLOEXEC).
	 */
	if ((fd != 3 + extra && dup2(fd, 3 + extra) < 0) ||
	    fcntl(3 + extra, F_SETFD, 0))
		die(EXIT_FAIL, "pass the namespace on as fd %d: %s", 3 + extra,
		    strerror(errno));
	edit_process(process, 3 + extra);
	snprintf(count, sizeof(count), "%d", extra + 1);
	for (i = 0, j = 0; i < argc; i++) {
		if (preserved && argv[i] == preserved) {
			args[j++] = count;
			continue;
		}
		if (preserved && !strncmp(argv[i], "--preserve-fds=", 15)) {
			args[j++] = "--preserve-fds";
			args[j++] = count;
			continue;
		}
		args[j++] = argv[i];
		if (i == cmd && !preserved) {
			args[j++] = "--preserve-fds";
			args[j++] = count;
		}
	}
	args[0] = "runc";
	execv(RUNC, args);
	die(127, "%s: %s", RUNC, strerror(errno));
}

/*
 * In the container, run by runc for `exec`: enter the IMA namespace whose
 * fd is @fd, take away the capabilities `exec` added for this (mask from
 * edit_process()), and exec the command. No other process of the
 * container can trace this one meanwhile: its capabilities exceed theirs.
 */
int enter(int argc, char **argv, int cmd)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3
	};
	struct __user_cap_data_struct data[2];
	unsigned int added;
	int fd, c;

	prog = "secns-runtime enter";
	if (argc < cmd + 5 || strcmp(argv[cmd + 3], "--"))
		die(126, "usage: enter FD MASK -- COMMAND [ARG...]");
	fd = atoi(argv[cmd + 1]);
	added = strtoul(argv[cmd + 2], NULL, 10);
	if (setns(fd, SECNS_NSTYPE_IMA))
		die(126, "enter the container's IMA namespace: %s",
		    strerror(errno));
	close(fd);
	for (c = 0; c < NR_ENTER_CAPS; c++)
		if ((added & ADDED(SET_AMBIENT, c)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER,
			  enter_cap_numbers[c], 0, 0))
			die(126, "lower ambient %s: %s", enter_caps[c],
			    strerror(errno));
	/* CAP_SETPCAP goes last: dropping from the bounding set needs it. */
	for (c = 0; c < NR_ENTER_CAPS; c++)
		if ((added & ADDED(SET_BOUNDING, c)) &&
		    prctl(PR_CAPBSET_DROP, enter_cap_numbers[c], 0, 0, 0))
			die(126, "drop %s: %s", enter_caps[c], strerror(errno));
	/* glibc has no wrappers for these. */
	if (syscall(SYS_capget, &head, data))
		die(126, "capget: %s", strerror(errno));
	for (c = 0; c < NR_ENTER_CAPS; c++) {
		__u32 bit = 1U << enter_cap_numbers[c];

		if (added & ADDED(SET_EFFECTIVE, c))
			data[0].effective &= ~bit;
		if (added & ADDED(SET_PERMITTED, c))
			data[0].permitted &= ~bit;
		if (added & ADDED(SET_INHERITABLE, c))
			data[0].inheritable &= ~bit;
	}
	if (syscall(SYS_capset, &head, data))
		die(126, "capset: %s", strerror(errno));
	execvp(argv[cmd + 4], argv + cmd + 4);
	die(errno == ENOENT ? 127 : 126, "%s: %s", argv[cmd + 4],
	    strerror(errno));
}
