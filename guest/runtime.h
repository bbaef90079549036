/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * secns-runtime's parts: create and delete (secns-runtime.c), the
 * container's root filesystem on id-mapped layers (runtime-rootfs.c), and
 * exec into the container's IMA namespace (runtime-exec.c).
 */
#ifndef SECNS_RUNTIME_H
#define SECNS_RUNTIME_H

#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define RUNC "/usr/sbin/runc"
#define STATE_DIR "/run/secns/runtime"
#define ENTER_PATH "/run/secns/enter"
/* Where `create` pins the container's IMA namespace for `exec`. */
#define PINNED_NS "ima"
/* Container ids map to host ids from here, 65536 per container. */
#define ID_BASE 0x1000000U
#define ID_RANGE 65536U
#define EXIT_FAIL 1

/* What `create` set up, undone in reverse when a later step fails. */
struct setup {
	char state[PATH_MAX];	/* STATE_DIR/<id> */
	int slot;		/* -1 until an id range is taken */
	pid_t holder;		/* holds the new namespaces until runc has them */
	int holder_pipe;	/* closing it lets the holder exit */
	/* runc's global options and the id, to delete what runc created */
	char **argv;
	const char *id;
	int cmd;
	bool created;
};

/* A container id names a directory of ours: dies on one with a path in it. */
void check_id(const char *id);
/* @name, or @dir/@name when it is relative. */
char *path_join(const char *dir, const char *name);
/* @obj.@a, or @obj.@a.@b; NULL when absent. */
struct json_object *get_path(struct json_object *obj, const char *a,
			     const char *b);
/* The value of @name (or @shortname) among argv[@from..], or NULL. */
const char *option_value(int argc, char **argv, int from, const char *name,
			 const char *shortname);

/* The root filesystem for config.json, owned by the container's root. */
char *idmap_rootfs(struct setup *s, const char *rootfs);

int exec_in(int argc, char **argv, int cmd);
int enter(int argc, char **argv, int cmd);

#endif
