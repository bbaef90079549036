// SPDX-License-Identifier: GPL-2.0-only
/*
 * secns-runtime - an OCI runtime that starts each container in a user
 * namespace of its own and an IMA namespace owned by it, then hands over
 * to runc
 *
 * Registered in Docker as a runtime (`docker run --runtime secns`), or run
 * as runc is, on a plain bundle. It takes runc's command line. `create`:
 *
 *  1. reads the container's settings: the file named by SECNS_CONFIG in
 *     the container's environment, in /etc/secns (see read_settings());
 *  2. takes a range of 65536 host ids for the container, and makes a user
 *     namespace mapping the container's 0-65535 to it, together with an
 *     IMA namespace, in one unshare(2) by a holder process: the IMA
 *     namespace's owner is the container's user namespace, so that the
 *     container's root administers it and has no capability outside;
 *  3. enters the IMA namespace, installs the keys, starts swtpm and binds
 *     its vTPM (the host side does this: binding takes host privilege),
 *     and opens the policy file, all before the first measurement;
 *  4. rewrites config.json: the user namespace is joined by path, imafs
 *     is mounted on /run/secns/ima, and the root filesystem is mounted
 *     again over id-mapped layers so that the container's root owns it;
 *  5. runs `runc create`, which inherits the IMA namespace. runc re-execs
 *     itself from a memfd in there: the policy is written only after
 *     create returns, through the descriptor opened in 3, before `start`
 *     runs the container's first instruction.
 *
 * `exec` enters the container's IMA namespace through enter(), below.
 * `delete` runs runc's and then stops the vTPM and frees the id range. A
 * failure at any step removes what was set up and fails the command, the
 * reason on stderr and in runc's log, where Docker looks for it. `run` and
 * `restore` are refused; every other command goes to runc unchanged.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "imans.h"
#include "runtime.h"

#define SETTINGS_DIR "/etc/secns"
#define IMAFS_MOUNT "/run/secns/ima"
#define SECURITYFS_IMA "/sys/kernel/security/ima"
#define MAX_SLOTS 4096
#define MAX_KEYS 16

const char *prog = "secns-runtime";

/* Where runc is told to log, in which format: our errors go there too. */
static const char *log_path;
static bool log_json;

/* One container's settings, from the file SECNS_CONFIG names. */
struct secns_settings {
	char *policy;		/* IMA policy file */
	char *keys[MAX_KEYS];	/* DER X.509 certificates to trust */
	int nr_keys;
	bool vtpm;
	bool strict_children;
	bool nesting;
};

static struct setup *cleanup_on_die;

static void teardown(struct setup *s);

/*
 * On a fatal error: undo what `create` set up, then log the error as runc
 * does, so that the caller (Docker) reports it.
 */
static void undo_and_log(const char *msg)
{
	FILE *f;
	char when[64];
	time_t now = time(NULL);
	struct json_object *entry;

	if (cleanup_on_die) {
		struct setup *s = cleanup_on_die;

		cleanup_on_die = NULL;
		teardown(s);
	}
	if (!log_path || !(f = fopen(log_path, "ae")))
		return;
	if (!log_json) {
		fprintf(f, "%s: %s\n", prog, msg);
		fclose(f);
		return;
	}
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	entry = json_object_new_object();
	json_object_object_add(entry, "level", json_object_new_string("error"));
	json_object_object_add(entry, "msg", json_object_new_string(msg));
	json_object_object_add(entry, "time", json_object_new_string(when));
	fprintf(f, "%s\n", json_object_to_json_string_ext(entry,
							  JSON_C_TO_STRING_PLAIN));
	json_object_put(entry);
	fclose(f);
}

/* Run runc with @argv (argv[0] is replaced); its exit status. */
static int run_runc(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die(EXIT_FAIL, "fork: %s", strerror(errno));
	if (!pid) {
		argv[0] = "runc";
		execv(RUNC, argv);
		fprintf(stderr, "%s: %s: %s\n", prog, RUNC, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die(EXIT_FAIL, "waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A container id names a directory of ours: no path in it. */
void check_id(const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

	if (!*id || id[n] || id[0] == '.' || n > 128)
		die(EXIT_FAIL, "bad container id: %s", id);
}

char *path_join(const char *dir, const char *name)
{
	char *path;

	if (name[0] == '/')
		path = strdup(name);
	else if (asprintf(&path, "%s/%s", dir, name) < 0)
		path = NULL;
	if (!path)
		die(EXIT_FAIL, "out of memory");
	return path;
}

static bool parse_bool(const char *value, bool *out)
{
	if (!strcmp(value, "yes") || !strcmp(value, "on") || !strcmp(value, "1"))
		*out = true;
	else if (!strcmp(value, "no") || !strcmp(value, "off") ||
		 !strcmp(value, "0"))
		*out = false;
	else
		return false;
	return true;
}

/*
 * A file in SETTINGS_DIR: @name resolved there (relative to @dir, itself
 * in SETTINGS_DIR), symbolic links included. SECNS_CONFIG comes from the
 * container's environment, which the image's author sets too: the runtime,
 * as the host's root, reads only what the host's root put in SETTINGS_DIR.
 */
static char *settings_path(const char *dir, const char *name,
			   const char *what)
{
	char *joined = path_join(dir, name), *real = realpath(joined, NULL);

	if (!real)
		die(EXIT_FAIL, "%s: %s: %s", what, joined, strerror(errno));
	if (strncmp(real, SETTINGS_DIR "/", strlen(SETTINGS_DIR) + 1))
		die(EXIT_FAIL, "%s: %s is not in %s", what, name, SETTINGS_DIR);
	free(joined);
	return real;
}

/*
 * The settings file: `key = value` lines, `#` comments. Paths are
 * relative to the file's directory; all are in SETTINGS_DIR.
 *   ima.policy = FILE            the namespace's IMA policy
 *   ima.key = FILE               a DER certificate to trust (repeatable)
 *   ima.vtpm = yes|no            a vTPM of its own (default no)
 *   ima.strict_children = yes|no refuse conflicting child policies
 *   ima.nesting = yes|no         let the container make user namespaces,
 *                                IMA namespaces in them and mounts in its
 *                                own mount namespaces (default no)
 */
static void read_settings(const char *name, struct secns_settings *set)
{
	char *file = settings_path(SETTINGS_DIR, name, "SECNS_CONFIG");
	size_t len;
	char *text = read_file(EXIT_FAIL, file, &len), *line, *next;
	char *dir = strdup(file), *slash = strrchr(dir, '/');
	int lineno = 0;

	*slash = '\0';
	for (line = text; line; line = next) {
		char *key, *value, *end, field[300];

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line[strcspn(line, "#")] = '\0';
		key = line + strspn(line, " \t");
		if (!*key)
			continue;
		value = strchr(key, '=');
		if (!value)
			die(EXIT_FAIL, "%s:%d: expected `key = value`", file,
			    lineno);
		for (end = value; end > key && strchr(" \t=", end[-1]); end--)
			;
		*end = '\0';
		value++;
		value += strspn(value, " \t");
		for (end = value + strlen(value);
		     end > value && strchr(" \t\r", end[-1]); end--)
			;
		*end = '\0';
		if (!*value)
			die(EXIT_FAIL, "%s:%d: %s: no value", file, lineno, key);
		snprintf(field, sizeof(field), "%s:%d: %s", file, lineno, key);
		if (!strcmp(key, "ima.policy")) {
			set->policy = settings_path(dir, value, field);
		} else if (!strcmp(key, "ima.key")) {
			if (set->nr_keys == MAX_KEYS)
				die(EXIT_FAIL, "%s:%d: ima.key: at most %d keys",
				    file, lineno, MAX_KEYS);
			set->keys[set->nr_keys++] = settings_path(dir, value,
								  field);
		} else if (!strcmp(key, "ima.vtpm")) {
			if (!parse_bool(value, &set->vtpm))
				goto bad_bool;
		} else if (!strcmp(key, "ima.strict_children")) {
			if (!parse_bool(value, &set->strict_children))
				goto bad_bool;
		} else if (!strcmp(key, "ima.nesting")) {
			if (!parse_bool(value, &set->nesting))
				goto bad_bool;
		} else {
			die(EXIT_FAIL, "%s:%d: %s: unknown setting", file,
			    lineno, key);
		}
		continue;
bad_bool:
		die(EXIT_FAIL, "%s:%d: %s: expected yes or no, not %s", file,
		    lineno, key, value);
	}
	free(text);
	free(dir);
}

struct json_object *get_path(struct json_object *obj, const char *a,
				    const char *b)
{
	struct json_object *out = NULL;

	if (!json_object_object_get_ex(obj, a, &out))
		return NULL;
	if (b && !json_object_object_get_ex(out, b, &out))
		return NULL;
	return out;
}

/* The container's SECNS_CONFIG, or NULL. */
static const char *settings_file(struct json_object *spec)
{
	struct json_object *env = get_path(spec, "process", "env");
	size_t i, n = env ? json_object_array_length(env) : 0;

	for (i = 0; i < n; i++) {
		const char *var = json_object_get_string(
			json_object_array_get_idx(env, i));

		if (var && !strncmp(var, "SECNS_CONFIG=", 13))
			return var + 13;
	}
	return NULL;
}

/* Take the first free id range: a file per slot, made exclusively. */
static int take_slot(const char *id)
{
	char path[PATH_MAX];
	int slot, fd;

	if (mkdir(STATE_DIR "/slots", 0700) && errno != EEXIST)
		die(EXIT_FAIL, "mkdir %s/slots: %s", STATE_DIR, strerror(errno));
	for (slot = 0; slot < MAX_SLOTS; slot++) {
		snprintf(path, sizeof(path), STATE_DIR "/slots/%d", slot);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			die(EXIT_FAIL, "%s: %s", path, strerror(errno));
		if (write(fd, id, strlen(id)) < 0 || close(fd))
			die(EXIT_FAIL, "%s: %s", path, strerror(errno));
		return slot;
	}
	die(EXIT_FAIL, "all %d id ranges are taken", MAX_SLOTS);
}

static void write_state(const struct setup *s, const char *name,
			const char *text)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", s->state, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) < 0 || close(fd))
		die(EXIT_FAIL, "%s: %s", path, strerror(errno));
}

/* A state file's text, empty when there is none. */
static void read_state(const char *state, const char *name, char *text,
		       size_t size)
{
	char path[PATH_MAX + 32];
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", state, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, text, size - 1);
		close(fd);
	}
	text[n > 0 ? n : 0] = '\0';
	text[strcspn(text, "\n")] = '\0';
}

static void remove_tree(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *d;

	if (!dir) {
		unlink(path);
		return;
	}
	while ((d = readdir(dir))) {
		char *child;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (asprintf(&child, "%s/%s", path, d->d_name) < 0)
			continue;
		remove_tree(child);
		free(child);
	}
	closedir(dir);
	rmdir(path);
}

/*
 * Stop the vTPM, free the id range, unmount the root filesystem, unpin the
 * namespace and forget the container. (The overlay where Docker's was
 * stays: Docker unmounts it.)
 */
static void teardown_state(const char *state)
{
	char text[PATH_MAX], path[PATH_MAX + 32];
	long pid;

	read_state(state, "vtpm/swtpm.pid", text, sizeof(text));
	pid = strtol(text, NULL, 10);
	if (pid > 0)
		kill(pid, SIGTERM);
	read_state(state, "slot", text, sizeof(text));
	if (*text) {
		snprintf(path, sizeof(path), STATE_DIR "/slots/%s", text);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/rootfs", state);
	umount2(path, MNT_DETACH);
	snprintf(path, sizeof(path), "%s/" PINNED_NS, state);
	umount2(path, MNT_DETACH);
	remove_tree(state);
}

static void teardown(struct setup *s)
{
	if (s->created) {
		char *argv[s->cmd + 4];
		int i;

		for (i = 0; i < s->cmd; i++)
			argv[i] = s->argv[i];
		argv[i++] = "delete";
		argv[i++] = "--force";
		argv[i++] = (char *)s->id;
		argv[i] = NULL;
		run_runc(argv);
	}
	if (s->holder > 0) {
		kill(s->holder, SIGKILL);
		waitpid(s->holder, NULL, 0);
		s->holder = 0;
	}
	teardown_state(s->state);
}

/*
 * The holder: a child that makes the container's user namespace and an
 * IMA namespace owned by it in one unshare(2), then waits until its pipe
 * closes. Its namespaces are joined by path while it lives.
 */
static void start_holder(struct setup *s)
{
	int ready[2], hold[2], err = 0;
	char map[64], path[64];

	if (pipe2(ready, O_CLOEXEC) || pipe2(hold, O_CLOEXEC))
		die(EXIT_FAIL, "pipe: %s", strerror(errno));
	s->holder = fork();
	if (s->holder < 0)
		die(EXIT_FAIL, "fork: %s", strerror(errno));
	if (!s->holder) {
		char byte;

		cleanup_on_die = NULL;
		close(hold[1]);
		/* glibc's unshare() takes an int: CLONE_NEWIMA is bit 34. */
		if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWIMA))
			err = errno;
		if (write(ready[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		while (read(hold[0], &byte, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	s->holder_pipe = hold[1];
	if (read(ready[0], &err, sizeof(err)) != sizeof(err))
		die(EXIT_FAIL, "the namespace holder died");
	close(ready[0]);
	if (err)
		die(EXIT_FAIL, "cannot make a user namespace with an IMA namespace "
		    "owned by it (unshare(CLONE_NEWUSER | CLONE_NEWIMA): %s)%s",
		    strerror(err), err == EINVAL ?
		    "; does this kernel have IMA namespaces?" : "");
	snprintf(map, sizeof(map), "0 %u %u",
		 ID_BASE + (unsigned int)s->slot * ID_RANGE, ID_RANGE);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", s->holder);
	write_text(EXIT_FAIL, path, map);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", s->holder);
	write_text(EXIT_FAIL, path, map);
}

static void enter_ima_ns(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/ima", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, SECNS_NSTYPE_IMA))
		die(EXIT_FAIL, "enter the IMA namespace %s: %s", path,
		    strerror(errno));
	close(fd);
}

/* A bind mount of the namespace keeps it for `exec`, until `delete`. */
static void pin_ima_ns(const struct setup *s)
{
	char pin[PATH_MAX + 8];
	int fd;

	snprintf(pin, sizeof(pin), "%s/" PINNED_NS, s->state);
	fd = open(pin, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || close(fd) ||
	    mount("/proc/self/ns/ima", pin, NULL, MS_BIND, NULL))
		die(EXIT_FAIL, "pin the IMA namespace on %s: %s", pin,
		    strerror(errno));
}

/*
 * An attestation key on the vTPM, made and recorded now, before the
 * container runs: a quote proves something only under a key known before
 * the evidence was asked for (secns-attest).
 */
static void enroll_attestation_key(char *dir, char *chip)
{
	char out[1024];
	char *argv[] = { "secns-attest", "enroll", dir, chip, NULL };

	chip[strcspn(chip, "\n")] = '\0';
	run_captured(EXIT_FAIL, argv, out, sizeof(out));
}

/* Keys and the vTPM go in before runc runs; the policy's fd is returned. */
static int configure_namespace(struct setup *s,
			       const struct secns_settings *set)
{
	size_t len;
	int i, fd = -1;

	for (i = 0; i < set->nr_keys; i++) {
		char *der = read_file(EXIT_FAIL, set->keys[i], &len);

		write_file(EXIT_FAIL, SECURITYFS_IMA "/keys", der, len);
		free(der);
	}
	if (set->vtpm) {
		char dir[PATH_MAX + 8];

		snprintf(dir, sizeof(dir), "%s/vtpm", s->state);
		int chip = start_vtpm(EXIT_FAIL, dir);
		char text[16];

		/* The host side quotes through /dev/tpmrmN: say which N. */
		snprintf(text, sizeof(text), "%d\n", chip);
		write_state(s, "chip", text);
		bind_vtpm(EXIT_FAIL, SECURITYFS_IMA "/vtpm", chip);
		enroll_attestation_key(dir, text);
	}
	if (set->strict_children)
		write_text(EXIT_FAIL, SECURITYFS_IMA "/strict_children", "1");
	if (set->policy) {
		fd = open(SECURITYFS_IMA "/policy", O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			die(EXIT_FAIL, "open %s/policy: %s", SECURITYFS_IMA,
			    strerror(errno));
	}
	return fd;
}

static struct json_object *id_mapping(unsigned int host)
{
	struct json_object *map = json_object_new_object();

	json_object_object_add(map, "containerID", json_object_new_int64(0));
	json_object_object_add(map, "hostID", json_object_new_int64(host));
	json_object_object_add(map, "size", json_object_new_int64(ID_RANGE));
	return map;
}

/* Append a mount to config.json's list; @options ends with NULL. */
static void add_mount(struct json_object *mounts, const char *destination,
		      const char *type, const char *source,
		      const char *const *options)
{
	struct json_object *mnt = json_object_new_object();
	struct json_object *opts = json_object_new_array();

	json_object_object_add(mnt, "destination",
			       json_object_new_string(destination));
	json_object_object_add(mnt, "type", json_object_new_string(type));
	json_object_object_add(mnt, "source", json_object_new_string(source));
	for (; *options; options++)
		json_object_array_add(opts, json_object_new_string(*options));
	json_object_object_add(mnt, "options", opts);
	json_object_array_add(mounts, mnt);
}

/*
 * Add a seccomp rule to allow the syscall @name when its argument @index
 * compares by @op with @value (SCMP_CMP_MASKED_EQ: masked by @value, equal
 * to @datum); with @index < 0, whatever its arguments.
 */
static void allow_syscall(struct json_object *seccomp, const char *name,
			  int index, const char *op, uint64_t value,
			  uint64_t datum)
{
	struct json_object *syscalls = get_path(seccomp, "syscalls", NULL);
	struct json_object *rule, *names, *args, *arg;

	if (!seccomp)
		return;
	if (!syscalls) {
		syscalls = json_object_new_array();
		json_object_object_add(seccomp, "syscalls", syscalls);
	}
	args = json_object_new_array();
	if (index >= 0) {
		arg = json_object_new_object();
		json_object_object_add(arg, "index",
				       json_object_new_int(index));
		json_object_object_add(arg, "value",
				       json_object_new_uint64(value));
		if (datum)
			json_object_object_add(arg, "valueTwo",
					       json_object_new_uint64(datum));
		json_object_object_add(arg, "op", json_object_new_string(op));
		json_object_array_add(args, arg);
	}
	names = json_object_new_array();
	json_object_array_add(names, json_object_new_string(name));
	rule = json_object_new_object();
	json_object_object_add(rule, "names", names);
	json_object_object_add(rule, "action",
			       json_object_new_string("SCMP_ACT_ALLOW"));
	json_object_object_add(rule, "args", args);
	json_object_array_add(syscalls, rule);
}

/*
 * Docker's seccomp profile allows setns(2) and unshare(2) only with
 * CAP_SYS_ADMIN in the container's bounding set. setns into IMA
 * namespaces is for enter(); the kernel still asks CAP_SYS_ADMIN over the
 * namespace's owner. With ima.nesting, unshare(2) with CLONE_NEWUSER or
 * CLONE_NEWIMA, and mount(2) (Docker's profile also wants CAP_SYS_ADMIN
 * for it): the container nests IMA namespaces in user namespaces of its
 * own and mounts their views in mount namespaces of its own, where the
 * kernel gives it the capabilities it checks, over those only.
 */
static void allow_namespace_calls(struct json_object *seccomp, bool nesting)
{
	allow_syscall(seccomp, "setns", 1, "SCMP_CMP_EQ", SECNS_NSTYPE_IMA, 0);
	if (nesting) {
		allow_syscall(seccomp, "unshare", 0, "SCMP_CMP_MASKED_EQ",
			      CLONE_NEWUSER, CLONE_NEWUSER);
		allow_syscall(seccomp, "unshare", 0, "SCMP_CMP_MASKED_EQ",
			      CLONE_NEWIMA, CLONE_NEWIMA);
		allow_syscall(seccomp, "mount", -1, NULL, 0, 0);
	}
}

/*
 * Join the holder's user namespace by path; mount imafs and this program
 * in the container.
 */
static void edit_spec(struct json_object *spec, const struct setup *s,
		      const struct secns_settings *set, const char *self)
{
	struct json_object *linux_obj = get_path(spec, "linux", NULL);
	struct json_object *nss = get_path(spec, "linux", "namespaces");
	struct json_object *mounts = get_path(spec, "mounts", NULL);
	struct json_object *ns, *maps;
	unsigned int host = ID_BASE + (unsigned int)s->slot * ID_RANGE;
	char path[64];
	size_t i;

	if (!linux_obj || !nss || !mounts)
		die(EXIT_FAIL, "config.json has no linux.namespaces or mounts");
	for (i = 0; i < json_object_array_length(nss); i++) {
		const char *type = json_object_get_string(get_path(
			json_object_array_get_idx(nss, i), "type", NULL));

		if (type && !strcmp(type, "user"))
			die(EXIT_FAIL, "the container already has a user namespace: "
			    "the secns runtime makes its own (is Docker's "
			    "userns-remap on?)");
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/user", s->holder);
	ns = json_object_new_object();
	json_object_object_add(ns, "type", json_object_new_string("user"));
	json_object_object_add(ns, "path", json_object_new_string(path));
	json_object_array_add(nss, ns);
	/* runc reads the mapping it joins from here, to chown what it makes. */
	maps = json_object_new_array();
	json_object_array_add(maps, id_mapping(host));
	json_object_object_add(linux_obj, "uidMappings", maps);
	maps = json_object_new_array();
	json_object_array_add(maps, id_mapping(host));
	json_object_object_add(linux_obj, "gidMappings", maps);

	/*
	 * Docker lets every group ping (0-2147483647); runc writes the range
	 * from inside, where only the container's 65536 groups exist.
	 */
	if (json_object_object_get_ex(get_path(spec, "linux", "sysctl"),
				      "net.ipv4.ping_group_range", NULL)) {
		char range[32];

		snprintf(range, sizeof(range), "0 %u", ID_RANGE - 1);
		json_object_object_add(get_path(spec, "linux", "sysctl"),
				       "net.ipv4.ping_group_range",
				       json_object_new_string(range));
	}

	/* runc mounts it from inside the namespace: the files are its own. */
	add_mount(mounts, IMAFS_MOUNT, "imafs", "imafs",
		  (const char *[]){ "nosuid", "nodev", "noexec", NULL });
	/* This program, for `exec` to enter the namespace with (see enter()). */
	add_mount(mounts, ENTER_PATH, "bind", self,
		  (const char *[]){ "bind", "ro", "nodev", NULL });
	allow_namespace_calls(get_path(spec, "linux", "seccomp"), set->nesting);
}

/* The value of @name (or @shortname) among a subcommand's arguments. */
const char *option_value(int argc, char **argv, int from, const char *name,
			 const char *shortname)
{
	size_t len = strlen(name);

	for (int i = from; i < argc; i++) {
		if (!strncmp(argv[i], name, len) && argv[i][len] == '=')
			return argv[i] + len + 1;
		if ((!strcmp(argv[i], name) ||
		     (shortname && !strcmp(argv[i], shortname))) && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

/*
 * Load the policy through the descriptor opened before runc ran, from
 * the container's user namespace: the ids in its rules (uid=, fowner=)
 * are the container's, as when the container's root loads one itself.
 * A child joins the namespace and writes; the session's last close, the
 * child's, replaces the policy. Exits on failure, the child's message
 * logged.
 */
static void load_policy(struct setup *s, int fd, const char *policy)
{
	char userns[64];
	int status;
	pid_t pid;

	snprintf(userns, sizeof(userns), "/proc/%d/ns/user", s->holder);
	pid = fork();
	if (pid < 0)
		die(EXIT_FAIL, "fork: %s", strerror(errno));
	if (!pid) {
		size_t len;
		char *text = read_file(EXIT_FAIL, policy, &len);
		int ns = open(userns, O_RDONLY | O_CLOEXEC), bad_line, err, n;
		const char *line;

		cleanup_on_die = NULL;
		if (ns < 0 || setns(ns, CLONE_NEWUSER))
			die(EXIT_FAIL, "enter the container's user namespace: %s",
			    strerror(errno));
		err = write_policy(fd, text, &bad_line);
		if (err) {
			line = policy_line(text, bad_line, &n);
			die(EXIT_FAIL, "%s line %d: %.*s: %s", policy, bad_line,
			    n, line, strerror(err));
		}
		if (close(fd))
			die(EXIT_FAIL, "load %s: %s", policy, strerror(errno));
		_exit(0);
	}
	close(fd);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		/* The child has said why. */
		cleanup_on_die = NULL;
		teardown(s);
		exit(EXIT_FAIL);
	}
}

static int create(int argc, char **argv, int cmd)
{
	struct secns_settings set = {};
	struct setup s = { .slot = -1, .holder_pipe = -1, .argv = argv,
			  .cmd = cmd };
	const char *bundle = option_value(argc, argv, cmd + 1, "--bundle", "-b");
	const char *id = argv[argc - 1], *file;
	char *config, *rootfs, *self, slot[16];
	struct json_object *spec;
	int policy_fd, status;

	check_id(id);
	s.id = id;
	self = realpath("/proc/self/exe", NULL);
	if (!self)
		die(EXIT_FAIL, "/proc/self/exe: %s", strerror(errno));
	config = path_join(bundle ? bundle : ".", "config.json");
	spec = json_object_from_file(config);
	if (!spec)
		die(EXIT_FAIL, "%s: %s", config, json_util_get_last_err());
	file = settings_file(spec);
	if (file)
		read_settings(file, &set);

	if ((mkdir("/run/secns", 0755) && errno != EEXIST) ||
	    (mkdir(STATE_DIR, 0711) && errno != EEXIST) || chmod(STATE_DIR, 0711))
		die(EXIT_FAIL, "mkdir %s: %s", STATE_DIR, strerror(errno));
	snprintf(s.state, sizeof(s.state), STATE_DIR "/%s", id);
	/* Traversable: the container's root reaches its rootfs through it. */
	if (mkdir(s.state, 0711))
		die(EXIT_FAIL, "%s: %s", s.state, strerror(errno));
	cleanup_on_die = &s;
	s.slot = take_slot(id);
	snprintf(slot, sizeof(slot), "%d", s.slot);
	write_state(&s, "slot", slot);

	start_holder(&s);
	enter_ima_ns(s.holder);
	pin_ima_ns(&s);
	policy_fd = configure_namespace(&s, &set);

	edit_spec(spec, &s, &set, self);
	if (!json_object_get_string(get_path(spec, "root", "path")))
		die(EXIT_FAIL, "%s: no root.path", config);
	rootfs = path_join(bundle ? bundle : ".",
			   json_object_get_string(get_path(spec, "root", "path")));
	json_object_object_add(get_path(spec, "root", NULL), "path",
			       json_object_new_string(idmap_rootfs(&s, rootfs)));
	if (json_object_to_file_ext(config, spec, JSON_C_TO_STRING_PLAIN))
		die(EXIT_FAIL, "write %s: %s", config, json_util_get_last_err());

	status = run_runc(argv);
	if (status) {
		/* runc has logged why; ours is only the teardown. */
		cleanup_on_die = NULL;
		teardown(&s);
		return status;
	}
	s.created = true;
	if (policy_fd >= 0)
		load_policy(&s, policy_fd, set.policy);
	/* The container's init holds the namespaces now. */
	close(s.holder_pipe);
	waitpid(s.holder, NULL, 0);
	cleanup_on_die = NULL;
	json_object_put(spec);
	return 0;
}

static int delete(int argc, char **argv, int cmd)
{
	const char *id = argv[argc - 1];
	char state[PATH_MAX];
	int status;

	(void)cmd;
	check_id(id);
	status = run_runc(argv);
	snprintf(state, sizeof(state), STATE_DIR "/%s", id);
	teardown_state(state);
	return status;
}

/* runc's global options that take a value: the command comes after. */
static int find_command(int argc, char **argv)
{
	static const char *const with_value[] = {
		"--root", "--log", "--log-format", "--criu", "--rootless", NULL
	};
	int i, j;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		for (j = 0; with_value[j]; j++)
			if (!strcmp(argv[i], with_value[j]))
				break;
		if (with_value[j] && i + 1 < argc) {
			if (!strcmp(argv[i], "--log"))
				log_path = argv[i + 1];
			if (!strcmp(argv[i], "--log-format"))
				log_json = !strcmp(argv[i + 1], "json");
			i++;
		} else if (!strncmp(argv[i], "--log=", 6)) {
			log_path = argv[i] + 6;
		} else if (!strcmp(argv[i], "--log-format=json")) {
			log_json = true;
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	int cmd = find_command(argc, argv);

	die_hook = undo_and_log;
	if (cmd < argc && !strcmp(argv[cmd], "create"))
		return create(argc, argv, cmd);
	if (cmd < argc && !strcmp(argv[cmd], "delete"))
		return delete(argc, argv, cmd);
	if (cmd < argc && !strcmp(argv[cmd], "exec"))
		return exec_in(argc, argv, cmd);
	if (cmd < argc && !strcmp(argv[cmd], "enter"))
		return enter(argc, argv, cmd);
	/* Either would start a container that no IMA namespace holds. */
	if (cmd < argc && (!strcmp(argv[cmd], "run") ||
			   !strcmp(argv[cmd], "restore")))
		die(EXIT_FAIL, "%s is not supported: use create, then start",
		    argv[cmd]);
	argv[0] = "runc";
	execv(RUNC, argv);
	die(127, "%s: %s", RUNC, strerror(errno));
}
