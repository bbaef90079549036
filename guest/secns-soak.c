// SPDX-License-Identifier: GPL-2.0-only
/*
 * secns-soak - hammer the IMA namespace interfaces for a long time.
 *
 *   secns-soak policy [--seed N] [--count N] [--seconds S]
 *   secns-soak cycles [--count N]
 *   secns-soak profiles [--seed N] [--count N]
 *
 * policy: policies generated from the namespace's rule grammar, each loaded
 * into a fresh IMA namespace of its own (made, loaded and destroyed in a
 * child). A policy is either valid by construction, or valid but for one
 * rule mutated in a way the grammar says is invalid (an unknown word, a bad
 * value, a repeated condition, what only the host can honour, an option of
 * another action), or one with random bytes spliced in, which may be either.
 * The kernel must accept the valid ones and read back one line per rule,
 * refuse an invalid one with EINVAL at its first invalid rule, and answer
 * every input with no crash of the loader. Deterministic by seed: a
 * failing input is printed, and `--seed` and its index replay it.
 *
 * cycles: namespaces made with a policy and destroyed, N times; the host's
 * count of live namespaces must be what it was before.
 *
 * profiles: AppArmor profiles generated from a small grammar (file,
 * capability, network and signal rules, modifiers, child profiles),
 * compiled by apparmor_parser, then written to the kernel's replace
 * interface as compiled and with the compiled bytes mutated (bytes changed,
 * cut short, a chunk repeated or dropped). The unmutated ones must load; a
 * mutant may load or be refused with an error, never crash the writer.
 * Whatever loaded is removed again, so the profiles return to where they
 * were.
 *
 * Exit status 0 when every answer was as expected, 1 when not, 2 on a
 * failure to set up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "imans.h"

const char *prog = "secns-soak";

#define POLICY "/sys/kernel/security/ima/policy"
#define LIVE "/sys/kernel/security/ima/namespaces"
#define MAX_RULES 1024 /* the namespace's rule bound */
#define MAX_POLICY (256 * 1024)
#define SHOWN 5 /* unexpected answers printed in full */

enum kind { VALID, INVALID, SPLICED };
static const char *const kind_names[] = { "valid", "invalid", "spliced" };

/* xorshift64*: fast, and the same sequence for a seed everywhere. */
static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32) % n;
}

#define PICK(a) ((a)[rnd(sizeof(a) / sizeof((a)[0]))])

/* ---- the grammar of a namespace's rules (secns.rst) ----------------- */

enum action { MEASURE, DONT_MEASURE, AUDIT, APPRAISE, DONT_APPRAISE, ACTIONS };
static const char *const actions[ACTIONS] = { "measure", "dont_measure", "audit", "appraise",
					      "dont_appraise" };
static const char *const funcs[] = { "BPRM_CHECK", "FILE_CHECK", "MMAP_CHECK",
				     "MMAP_CHECK_REQPROT" };
static const char *const masks[] = { "MAY_EXEC", "MAY_READ", "MAY_WRITE", "MAY_APPEND" };
static const char *const id_keys[] = { "uid", "euid", "gid", "egid", "fowner", "fgroup" };
static const char *const id_ops[] = { "=", "<", ">" };
/* func=, mask=, fsmagic=, fsuuid= and an id condition, in that order. */
#define CONDITIONS 5

/* What only the host can honour, and words no rule has: each makes any rule invalid. */
static const char *const refused[] = {
	"pcr=11", "template=ima-ng", "keyrings=.ima", "label=selinux", "digest_type=verity",
	"appraise_algos=sha256", "permit_directio", "func=KEY_CHECK", "func=CRITICAL_DATA",
	"func=SETXATTR_CHECK", "func=KEXEC_CMDLINE", "func=NOPE", "mask=MAY_NOPE",
	"uid=abc", "uid=", "euid>x", "fowner=-", "fsmagic=zz", "fsmagic=", "fsuuid=not-a-uuid",
	"bogus=1", "=", "subj_user=u", "obj_type=t",
};
static const char *const bad_actions[] = { "hash", "dont_hash", "measur", "MEASURE", "" };

struct rule {
	char text[512];
	size_t len;
};

static void add(struct rule *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct rule *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->text + r->len, sizeof(r->text) - r->len, fmt, ap);
	va_end(ap);
	if (n > 0 && r->len + n < sizeof(r->text))
		r->len += n;
}

/*
 * A valid rule: an action and each condition at most once, appraise_type
 * only on appraise. With @twice >= 0, condition @twice is given twice,
 * which makes it invalid.
 */
static void make_rule(struct rule *r, enum action action, int twice)
{
	unsigned int conds = rnd(1u << CONDITIONS), i;

	if (twice >= 0)
		conds |= 1u << twice;
	r->len = 0;
	add(r, "%s", actions[action]);
	for (i = 0; i < CONDITIONS; i++) {
		int times = (conds >> i & 1) * ((int)i == twice ? 2 : 1);

		while (times--) {
			switch (i) {
			case 0:
				add(r, " func=%s", PICK(funcs));
				break;
			case 1:
				add(r, " mask=%s%s", rnd(3) ? "" : "^", PICK(masks));
				break;
			case 2:
				add(r, " fsmagic=0x%x", rnd(0x7fffffff));
				break;
			case 3:
				add(r, " fsuuid=%08x-%04x-4%03x-8%03x-%04x%08x", rnd(UINT32_MAX),
				    rnd(0x10000), rnd(0x1000), rnd(0x1000), rnd(0x10000),
				    rnd(UINT32_MAX));
				break;
			case 4:
				/* Given twice, the same id key. */
				add(r, " %s%s%u", id_keys[twice == 4 ? 0 : rnd(6)], PICK(id_ops),
				    rnd(65536));
				break;
			}
		}
	}
	if (action == APPRAISE && rnd(2))
		add(r, " appraise_type=imasig");
}

/* One rule mutated so that the grammar refuses it. */
static void invalid_rule(struct rule *r)
{
	const char *bad, *conds;
	struct rule valid;

	switch (rnd(4)) {
	case 0: /* a refused word after a valid rule */
		make_rule(r, rnd(ACTIONS), -1);
		add(r, " %s", PICK(refused));
		break;
	case 1: /* a condition given twice */
		make_rule(r, rnd(ACTIONS), rnd(CONDITIONS));
		break;
	case 2: /* an action that is not a namespace's, or none */
		make_rule(&valid, rnd(ACTIONS), -1);
		bad = PICK(bad_actions);
		conds = valid.text + strcspn(valid.text, " ");
		if (!*conds) /* an empty line is no rule at all */
			conds = " func=FILE_CHECK";
		r->len = 0;
		add(r, "%s%s", bad, *bad ? conds : conds + 1);
		break;
	case 3: /* appraise_type on another action, or a type no rule has */
		if (rnd(2)) {
			make_rule(r, rnd(2) ? MEASURE : AUDIT, -1);
			add(r, " appraise_type=imasig");
		} else {
			make_rule(r, APPRAISE, -1);
			add(r, " appraise_type=sigv9");
		}
		break;
	}
}

/* A valid rule with bytes spliced in: valid or not, by chance. */
static void spliced_rule(struct rule *r)
{
	int n = 1 + rnd(3);

	make_rule(r, rnd(ACTIONS), -1);
	while (n-- && r->len + 1 < sizeof(r->text)) {
		size_t at = rnd(r->len + 1);
		char c;

		do
			c = (char)(1 + rnd(255));
		while (c == '\n');
		memmove(r->text + at + 1, r->text + at, r->len - at + 1);
		r->text[at] = c;
		r->len++;
	}
}

/* ---- one policy, loaded into a namespace of its own ----------------- */

struct policy {
	char *text;
	size_t len;
	int rules;
	enum kind kind;
	int bad; /* the rule the kernel must refuse (1-based), or 0 */
	int expect; /* errno expected at that rule: EINVAL, ENOSPC */
};

static void append(struct policy *p, const struct rule *r)
{
	if (p->len + r->len + 2 > MAX_POLICY)
		die(2, "policy buffer too small");
	memcpy(p->text + p->len, r->text, r->len);
	p->len += r->len;
	p->text[p->len++] = '\n';
	p->text[p->len] = '\0';
	p->rules++;
}

static void make_policy(struct policy *p)
{
	struct rule r;
	int i, n, odd;

	p->len = 0;
	p->text[0] = '\0';
	p->rules = 0;
	p->bad = 0;
	p->expect = 0;
	if (rnd(400) == 0) { /* one past the rule bound */
		p->kind = INVALID;
		for (i = 0; i <= MAX_RULES; i++) {
			make_rule(&r, rnd(ACTIONS), -1);
			append(p, &r);
		}
		p->bad = MAX_RULES + 1;
		p->expect = ENOSPC;
		return;
	}
	n = 1 + rnd(6);
	p->kind = rnd(2) ? VALID : rnd(3) ? INVALID : SPLICED;
	odd = p->kind == VALID ? 0 : 1 + rnd(n);
	for (i = 1; i <= n; i++) {
		if (i != odd)
			make_rule(&r, rnd(ACTIONS), -1);
		else if (p->kind == INVALID)
			invalid_rule(&r);
		else
			spliced_rule(&r);
		append(p, &r);
	}
	if (p->kind == INVALID) {
		p->bad = odd;
		p->expect = EINVAL;
	} else if (p->kind == SPLICED) {
		p->bad = odd; /* if refused, there and with EINVAL */
		p->expect = EINVAL;
	}
}

struct answer {
	int write_err, bad_line, close_err, lines;
	int signal; /* the loader was killed by it */
};

static int count_lines(int fd)
{
	char buf[4096];
	int lines = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	return n < 0 ? -errno : lines;
}

static int unshare_ima(void)
{
	/* glibc's unshare() takes an int: CLONE_NEWIMA is bit 34. */
	return syscall(SYS_unshare, CLONE_NEWIMA) ? -errno : 0;
}

static pid_t xfork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die(2, "fork: %s", strerror(errno));
	return pid;
}

/* fork() with a pipe from the child (pipefd[1]) to the parent (pipefd[0]). */
static pid_t fork_piped(int pipefd[2])
{
	if (pipe2(pipefd, O_CLOEXEC))
		die(2, "pipe: %s", strerror(errno));
	return xfork();
}

/* Load @p in a new namespace made by a child, which then exits. */
static struct answer load(const struct policy *p)
{
	struct answer a = { 0 };
	int pipefd[2], status, fd, rfd;
	pid_t pid;

	pid = fork_piped(pipefd);
	if (pid == 0) {
		close(pipefd[0]);
		status = unshare_ima();
		if (status)
			die(2, "unshare(CLONE_NEWIMA): %s", strerror(-status));
		/*
		 * Opened for reading first: a policy that appraises every
		 * open would refuse opening it after the load.
		 */
		rfd = open(POLICY, O_RDONLY | O_CLOEXEC);
		fd = open(POLICY, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || rfd < 0)
			die(2, "open %s: %s", POLICY, strerror(errno));
		a.write_err = write_policy(fd, p->text, &a.bad_line);
		a.close_err = close(fd) ? errno : 0;
		if (!a.write_err && !a.close_err)
			a.lines = count_lines(rfd);
		if (write(pipefd[1], &a, sizeof(a)) != sizeof(a))
			_exit(2);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &a, sizeof(a)) != sizeof(a))
		memset(&a, 0, sizeof(a));
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		die(2, "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		a.signal = WTERMSIG(status);
	else if (WEXITSTATUS(status))
		exit(2); /* the child said why */
	return a;
}

/* NULL when @a is what @p may get, else why not. */
static const char *judge(const struct policy *p, const struct answer *a, char *why, size_t size)
{
	if (a->signal) {
		snprintf(why, size, "the loader was killed by signal %d", a->signal);
		return why;
	}
	if (!a->write_err) {
		if (p->kind != SPLICED && p->bad)
			snprintf(why, size, "accepted, expected %s at rule %d",
				 strerrorname_np(p->expect), p->bad);
		else if (a->close_err)
			snprintf(why, size, "close: %s", strerrorname_np(a->close_err));
		else if (a->lines != p->rules)
			snprintf(why, size, "accepted %d rules, reads back %d lines", p->rules,
				 a->lines);
		else
			return NULL;
		return why;
	}
	if (!p->bad)
		snprintf(why, size, "valid policy refused at rule %d with %s", a->bad_line,
			 strerrorname_np(a->write_err));
	else if (a->write_err != p->expect || a->bad_line != p->bad)
		snprintf(why, size, "refused at rule %d with %s, expected rule %d with %s",
			 a->bad_line, strerrorname_np(a->write_err), p->bad,
			 strerrorname_np(p->expect));
	else
		return NULL;
	return why;
}

static void show(FILE *f, uint64_t seed, long index, const struct policy *p, const char *why)
{
	const char *c;

	fprintf(f, "unexpected: seed=%llu index=%ld kind=%s: %s\n  policy: ",
		(unsigned long long)seed, index, kind_names[p->kind], why);
	for (c = p->text; *c && c - p->text < 2000; c++)
		fputs(*c == '\n' ? "\\n" : (char[2]){ *c, 0 }, f);
	fputc('\n', f);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int soak_policies(uint64_t seed, long count, double seconds)
{
	long done = 0, accepted = 0, refused_n = 0, unexpected = 0, by_kind[3] = { 0 };
	struct policy p = { .text = malloc(MAX_POLICY) };
	double start = now(), next_report = start + 60;
	char why[256];

	if (!p.text)
		die(2, "out of memory");
	rng = seed ? seed : 1;
	while ((count && done < count) || (seconds > 0 && now() - start < seconds)) {
		struct answer a;

		make_policy(&p);
		a = load(&p);
		by_kind[p.kind]++;
		if (a.write_err)
			refused_n++;
		else
			accepted++;
		if (judge(&p, &a, why, sizeof(why)) && unexpected++ < SHOWN)
			show(stdout, seed, done, &p, why);
		done++;
		if (now() >= next_report) {
			fprintf(stderr, "%s: %ld policies, %ld unexpected\n", prog, done, unexpected);
			next_report += 60;
		}
	}
	printf("policies=%ld valid=%ld invalid=%ld spliced=%ld accepted=%ld refused=%ld "
	       "unexpected=%ld seconds=%.0f\n",
	       done, by_kind[VALID], by_kind[INVALID], by_kind[SPLICED], accepted, refused_n,
	       unexpected, now() - start);
	free(p.text);
	return unexpected ? 1 : 0;
}

static long live_namespaces(void)
{
	size_t len;
	char *text = read_file(2, LIVE, &len);
	long n = strtol(text, NULL, 10);

	free(text);
	return n;
}

static int soak_cycles(long count)
{
	static const char policy[] = "measure func=BPRM_CHECK\n"
				     "appraise func=MMAP_CHECK fowner=12345\n";
	long before = live_namespaces(), after, i;
	double start = now();
	int status;

	for (i = 0; i < count; i++) {
		pid_t pid = xfork();

		if (pid == 0) {
			status = unshare_ima();
			if (status)
				die(2, "cycle %ld: unshare(CLONE_NEWIMA): %s", i, strerror(-status));
			write_text(2, POLICY, policy);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			die(1, "cycle %ld failed (status 0x%x)", i, status);
	}
	/* A namespace is freed after its last task is gone: give that a moment. */
	for (i = 0; i < 50 && (after = live_namespaces()) != before; i++)
		usleep(100000);
	printf("cycles=%ld live_before=%ld live_after=%ld seconds=%.0f\n", count, before, after,
	       now() - start);
	return after == before ? 0 : 1;
}

/* ---- AppArmor: compiled profiles, and mutants of them ---------------- */

#define AA_DIR "/sys/kernel/security/apparmor/"
#define AA_PROFILES 40 /* compiled once; each gives count / AA_PROFILES mutants */

static const char *const aa_paths[] = { "/etc/**", "/tmp/*", "/usr/lib/**", "/bin/sh",
					"/dev/null", "/{a,b}/c", "/var/lib/**/x?",
					"/home/*/.[^.]*" };
/* Only one rule of a profile may execute: two paths that overlap may not differ in how. */
static const char *const aa_exec_perms[] = { "ix", "rpx", "cx", "ux", "mrix" };
static const char *const aa_perms[] = { "r", "rw", "w", "a", "k", "l", "m", "mr", "rwk", "wl" };
static const char *const aa_caps[] = { "chown", "dac_override", "net_admin", "sys_admin",
				       "setuid", "kill", "sys_ptrace", "mac_admin" };
static const char *const aa_nets[] = { "inet stream", "inet6 dgram", "unix", "netlink raw",
				       "packet", "inet tcp" };
static const char *const aa_mods[] = { "", "", "deny ", "audit ", "audit deny ", "owner " };
static const char *const aa_header = "abi <abi/3.0>,\n";

static void aa_profile(char *buf, size_t size, int index)
{
	int n = 1 + rnd(12), i, exec = 0;
	size_t len = 0;

#define EMIT(...) (len += snprintf(buf + len, len < size ? size - len : 0, __VA_ARGS__))
	EMIT("%sprofile soak_%d%s {\n", aa_header, index, rnd(4) ? "" : " flags=(complain)");
	for (i = 0; i < n; i++) {
		const char *mod = PICK(aa_mods);

		switch (rnd(5)) {
		case 0:
		case 1:
			/* A deny rule takes no exec qualifier. */
			if (!exec && !strstr(mod, "deny") && rnd(2)) {
				EMIT("  %s%s %s,\n", mod, PICK(aa_paths), PICK(aa_exec_perms));
				exec = 1;
			} else {
				EMIT("  %s%s %s,\n", mod, PICK(aa_paths), PICK(aa_perms));
			}
			break;
		case 2:
			EMIT("  %scapability %s,\n", rnd(3) ? "" : "deny ", PICK(aa_caps));
			break;
		case 3:
			EMIT("  %snetwork %s,\n", rnd(3) ? "" : "deny ", PICK(aa_nets));
			break;
		case 4:
			EMIT("  signal (send) peer=soak_%u,\n", rnd(100));
			break;
		}
	}
	if (!rnd(3))
		EMIT("  profile child_%d { /bin/true rix, }\n", index);
	EMIT("}\n");
#undef EMIT
}

/* apparmor_parser's compiled form of @text, in @out; its length. */
static size_t aa_compile(const char *text, char *out, size_t size)
{
	char src[] = "/tmp/secns-soak-profile.XXXXXX";
	int fd = mkstemp(src), pipefd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd))
		die(2, "%s: %s", src, strerror(errno));
	pid = fork_piped(pipefd);
	if (pid == 0) {
		/* -Q: compile only; -S: the compiled policy to stdout. */
		dup2(pipefd[1], 1);
		execlp("apparmor_parser", "apparmor_parser", "-Q", "-S", src, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < size && (n = read(pipefd[0], out + len, size - len)) > 0)
		len += n;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	unlink(src);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !len)
		die(2, "apparmor_parser could not compile:\n%s", text);
	return len;
}

/* A mutant of @in in @out: bytes changed, cut short, a chunk repeated or dropped. */
static size_t aa_mutate(const char *in, size_t len, char *out, size_t size)
{
	size_t at = rnd(len), span = 1 + rnd(len - at < 64 ? len - at : 64), n = 1 + rnd(4);

	memcpy(out, in, len);
	switch (rnd(4)) {
	case 0:
		while (n--)
			out[rnd(len)] = (char)rnd(256);
		return len;
	case 1:
		return at ? at : 1;
	case 2:
		if (len + span > size)
			return len;
		memmove(out + at + span, out + at, len - at);
		return len + span;
	default:
		memmove(out + at, out + at + span, len - at - span);
		return len - span;
	}
}

static char **aa_loaded(int *n)
{
	size_t len;
	char *text = read_file(2, AA_DIR "profiles", &len), *line, *save;
	char **names = NULL;

	*n = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *mode = strrchr(line, ' ');

		if (mode)
			*mode = '\0';
		names = realloc(names, (*n + 1) * sizeof(*names));
		if (!names)
			die(2, "out of memory");
		names[(*n)++] = strdup(line);
	}
	free(text);
	return names;
}

static int aa_known(char **names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* Remove every profile not in @before; how many could not be removed. */
static int aa_restore(char **before, int n_before)
{
	int n, left = 0;
	char **now = aa_loaded(&n);

	for (int i = 0; i < n; i++) {
		int fd;

		if (aa_known(before, n_before, now[i]))
			continue;
		fd = open(AA_DIR ".remove", O_WRONLY | O_CLOEXEC);
		/* A child goes with its parent: ENOENT for it is no failure. */
		if (fd < 0 || (write(fd, now[i], strlen(now[i])) < 0 && errno != ENOENT))
			left++;
		if (fd >= 0)
			close(fd);
	}
	for (int i = 0; i < n; i++)
		free(now[i]);
	free(now);
	return left;
}

/* The errno of writing @len bytes of @buf to the replace interface, from a child. */
static int aa_replace(const char *buf, size_t len, int *sig)
{
	int status;
	pid_t pid = xfork();

	if (pid == 0) {
		int fd = open(AA_DIR ".replace", O_WRONLY | O_CLOEXEC);

		if (fd < 0)
			_exit(255);
		_exit(write(fd, buf, len) == (ssize_t)len ? 0 : errno);
	}
	if (waitpid(pid, &status, 0) != pid)
		die(2, "waitpid: %s", strerror(errno));
	*sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int soak_profiles(uint64_t seed, long count)
{
	static char text[8192], mutant[1 << 20];
	long done = 0, loaded = 0, refused_n = 0, unexpected = 0, errs[256] = { 0 };
	int n_before, left = 0, sig, err, i, j;
	char **before = aa_loaded(&n_before), *compiled[AA_PROFILES];
	size_t lens[AA_PROFILES], len;
	double start = now();

	rng = seed ? seed : 1;
	for (i = 0; i < AA_PROFILES; i++) {
		aa_profile(text, sizeof(text), i);
		compiled[i] = malloc(sizeof(mutant) / 2);
		if (!compiled[i])
			die(2, "out of memory");
		lens[i] = aa_compile(text, compiled[i], sizeof(mutant) / 2);
	}
	for (i = 0; done < count; i = (i + 1) % AA_PROFILES) {
		int pristine = done < AA_PROFILES;

		len = pristine ? lens[i] : aa_mutate(compiled[i], lens[i], mutant, sizeof(mutant));
		err = aa_replace(pristine ? compiled[i] : mutant, len, &sig);
		if (sig || err < 0 || err == 255 || (pristine && err)) {
			if (unexpected++ < SHOWN)
				printf("unexpected: seed=%llu index=%ld: %s%s%s\n",
				       (unsigned long long)seed, done,
				       pristine ? "a compiled profile " : "a mutant ",
				       sig ? "killed its writer" : err ? "was refused: " : "",
				       sig || !err ? "" : err < 0 || err == 255 ? "no .replace" :
						     strerrorname_np(err));
		} else if (err) {
			refused_n++;
			errs[err & 255]++;
		} else {
			loaded++;
		}
		left += aa_restore(before, n_before);
		done++;
	}
	printf("profiles=%ld compiled=%d loaded=%ld refused=%ld unexpected=%ld left=%d "
	       "seconds=%.0f errors=",
	       done, AA_PROFILES, loaded, refused_n, unexpected, left, now() - start);
	for (j = 0, err = 0; j < 256; j++)
		if (errs[j])
			printf("%s%s:%ld", err++ ? "," : "", strerrorname_np(j) ?: "?", errs[j]);
	printf("\n");
	for (i = 0; i < AA_PROFILES; i++)
		free(compiled[i]);
	for (i = 0; i < n_before; i++)
		free(before[i]);
	free(before);
	return unexpected || left ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: %s policy [--seed N] [--count N] [--seconds S]\n"
			"       %s cycles [--count N]\n"
			"       %s profiles [--seed N] [--count N]\n",
		prog, prog, prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seed = 20261203;
	double seconds = 0;
	long count = 0;
	char *end;
	int c;

	if (argc < 2)
		usage();
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		errno = 0;
		switch (c) {
		case 's':
			seed = strtoull(optarg, &end, 10);
			break;
		case 'n':
			count = strtol(optarg, &end, 10);
			break;
		case 't':
			seconds = strtod(optarg, &end);
			break;
		default:
			usage();
		}
		if (errno || *end || end == optarg)
			die(2, "--%s %s: not a number", longopts[c == 's' ? 0 : c == 'n' ? 1 : 2].name,
			    optarg);
	}
	if (optind != argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "policy"))
		return soak_policies(seed, count || seconds > 0 ? count : 1000, seconds);
	if (!strcmp(argv[1], "cycles"))
		return soak_cycles(count ? count : 1000);
	if (!strcmp(argv[1], "profiles"))
		return soak_profiles(seed, count ? count : 2000);
	usage();
}
