// SPDX-License-Identifier: GPL-2.0-only
/* secns-runtime: the container's root filesystem on id-mapped layers. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "imans.h"
#include "runtime.h"

/* The super options of the mount on @target, if it is one of @fstype. */
static char *mount_options(const char *target, const char *fstype)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *found = NULL;
	size_t cap = 0;

	if (!f)
		die(EXIT_FAIL, "/proc/self/mountinfo: %s", strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		char mnt[PATH_MAX], type[64], opts[8192];

		/* id parent major:minor root mount-point opts [tags] - type src super */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(dash, " - %63s %*s %8191s", type, opts) != 2)
			continue;
		if (!strcmp(mnt, target)) {
			free(found);
			found = strcmp(type, fstype) ? NULL : strdup(opts);
		}
	}
	free(line);
	fclose(f);
	return found;
}

/* @options with every "@prefix/" removed: paths made relative to it. */
static char *relative_to(const char *options, const char *prefix)
{
	size_t plen = strlen(prefix);
	char *out = malloc(strlen(options) + 1), *o = out;
	const char *p = options;

	if (!out)
		die(EXIT_FAIL, "out of memory");
	while (*p) {
		if (!strncmp(p, prefix, plen) && p[plen] == '/')
			p += plen + 1;
		else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/*
 * Mount an overlay as the host id @host, the container's root, with the
 * host root's capabilities: overlayfs does its own work in the upper and
 * work directories with its mounter's credentials, and through id-mapped
 * layers an id outside the mapping can create nothing there (EOVERFLOW).
 */
static int mount_as(unsigned int host, const char *target, const char *options)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3
	};
	struct __user_cap_data_struct caps[2];
	int ret, err;

	/* A switch of fsuid from 0 drops the file capabilities: raise them. */
	setfsgid(host);
	setfsuid(host);
	if (syscall(SYS_capget, &head, caps))
		return -1;
	caps[0].effective = caps[0].permitted;
	caps[1].effective = caps[1].permitted;
	ret = syscall(SYS_capset, &head, caps) ? -1 :
	      mount("overlay", target, "overlay", 0, options);
	err = errno;
	setfsuid(0);
	setfsgid(0);
	errno = err;
	return ret;
}

/*
 * Make the container's root own its root filesystem, and put it where
 * that root can reach it (Docker's directories are closed to it): return
 * STATE/rootfs for config.json. Overlayfs cannot be id-mapped itself, but
 * its layers can: mount Docker's overlay2 directory id-mapped into the
 * container's user namespace, mount the same layers as a new overlay over
 * them where Docker's was (so that Docker's own uses and its unmount at
 * the end find it), and bind that to STATE/rootfs. A plain directory gets
 * an id-mapped bind mount on STATE/rootfs. Files keep their ids on disk.
 */
char *idmap_rootfs(struct setup *s, const char *rootfs)
{
	/*
	 * Private: a clone is a peer of the mount it was cloned from, and the
	 * unmount of the layers' tree would take the new overlay with it.
	 */
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP,
				   .propagation = MS_PRIVATE };
	char *options = mount_options(rootfs, "overlay");
	char layers[PATH_MAX + 16], userns[64], *layer_root = NULL, *target;
	unsigned int host = ID_BASE + (unsigned int)s->slot * ID_RANGE;
	char *mapped;
	int tree, userns_fd, cwd, err = 0;
	bool unmounted = false;

	target = path_join(s->state, "rootfs");
	if (mkdir(target, 0755))
		die(EXIT_FAIL, "mkdir %s: %s", target, strerror(errno));
	snprintf(userns, sizeof(userns), "/proc/%d/ns/user", s->holder);
	userns_fd = open(userns, O_RDONLY | O_CLOEXEC);
	if (userns_fd < 0)
		die(EXIT_FAIL, "%s: %s", userns, strerror(errno));
	attr.userns_fd = userns_fd;
	if (options) {
		/* Docker's layout: <layer root>/<id>/merged. */
		layer_root = strdup(rootfs);
		for (int up = 0; up < 2; up++)
			*strrchr(layer_root, '/') = '\0';
		if (!*layer_root || !strstr(options, "upperdir="))
			die(EXIT_FAIL, "%s: not an overlay2 layout", rootfs);
	}
	tree = open_tree(AT_FDCWD, layer_root ? layer_root : rootfs,
			 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH, &attr,
				      sizeof(attr)))
		die(EXIT_FAIL, "id-mapped mount of %s: %s",
		    layer_root ? layer_root : rootfs, strerror(errno));
	close(userns_fd);
	if (!options) {
		if (move_mount(tree, "", AT_FDCWD, target,
			       MOVE_MOUNT_F_EMPTY_PATH))
			die(EXIT_FAIL, "mount %s id-mapped on %s: %s", rootfs,
			    target, strerror(errno));
		close(tree);
		return target;
	}
	snprintf(layers, sizeof(layers), "%s/layers", s->state);
	if (mkdir(layers, 0700) ||
	    move_mount(tree, "", AT_FDCWD, layers, MOVE_MOUNT_F_EMPTY_PATH))
		die(EXIT_FAIL, "mount %s on %s: %s", layer_root, layers,
		    strerror(errno));
	close(tree);

	mapped = relative_to(options, layer_root);
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* The layer paths resolve under the id-mapped tree from here. */
	if (cwd < 0 || chdir(layers))
		die(EXIT_FAIL, "chdir %s: %s", layers, strerror(errno));
	if (umount2(rootfs, 0))
		err = errno;
	else if ((unmounted = true, mount_as(host, rootfs, mapped)))
		err = errno;
	/* Put Docker's mount back as it was (the same relative layer paths). */
	if (err && unmounted &&
	    (chdir(layer_root) || mount("overlay", rootfs, "overlay", 0, mapped)))
		fprintf(stderr, "%s: %s is left unmounted\n", prog, rootfs);
	if (fchdir(cwd) || umount2(layers, MNT_DETACH))
		err = err ? err : errno;
	if (err)
		die(EXIT_FAIL, "mount %s over id-mapped layers: %s", rootfs,
		    strerror(err));
	if (mount(rootfs, target, NULL, MS_BIND, NULL))
		die(EXIT_FAIL, "bind %s on %s: %s", rootfs, target,
		    strerror(errno));
	close(cwd);
	free(mapped);
	free(options);
	free(layer_root);
	return target;
}
