//go:build cgo

// The C gate (see gate.go): in a process of labrun's binary started as a
// gate, the constructor below runs before the Go runtime starts, reads
// the plan labrun sends (gateplan.go), applies it and executes the
// step's program. The Go runtime never starts in a gate, so a step starts
// in a fraction of a millisecond; and the process is single-threaded,
// which setns into a user namespace requires (how runc's nsenter does
// it). Every step here mirrors one of the Go gate (gate.go, execLimited).

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gate.h"

// System call numbers and flags older C libraries do not name (the
// same on amd64 and arm64; gateconst_test.go compares them with x/sys).
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

extern char **environ;

// labrun_gate_fail prints why the step could not start, as the Go gate
// does, in one write, and ends the gate.
static void labrun_gate_fail(const char *what, int err) {
	char msg[1024];
	int n = err ? snprintf(msg, sizeof msg, LABRUN_GATE_FAIL_PREFIX "%s: %s\n", what, strerror(err))
	            : snprintf(msg, sizeof msg, LABRUN_GATE_FAIL_PREFIX "%s\n", what);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof msg - 1)
		n = sizeof msg - 1;
	ssize_t w = write(2, msg, (size_t)n);
	(void)w;
	_exit(LABRUN_GATE_FAILED);
}

// A plan being read: NUL-terminated fields between cur and end.
struct labrun_plan {
	char *cur, *end;
};

static char *labrun_field(struct labrun_plan *p) {
	char *nul = p->cur < p->end ? memchr(p->cur, 0, (size_t)(p->end - p->cur)) : NULL;
	if (nul == NULL)
		labrun_gate_fail("read settings: malformed gate plan: a field has no end", 0);
	char *s = p->cur;
	p->cur = nul + 1;
	return s;
}

static unsigned long long labrun_num(struct labrun_plan *p) {
	char *s = labrun_field(p), *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != 0 || errno != 0)
		labrun_gate_fail("read settings: malformed gate plan: not a number", 0);
	return v;
}

// labrun_count is a number of items to follow, bounded by what is left.
static size_t labrun_count(struct labrun_plan *p) {
	unsigned long long v = labrun_num(p);
	if (v > (unsigned long long)(p->end - p->cur))
		labrun_gate_fail("read settings: malformed gate plan: too many items", 0);
	return (size_t)v;
}

static int labrun_flag(struct labrun_plan *p) {
	return strcmp(labrun_field(p), LABRUN_PLAN_TRUE) == 0;
}

static int labrun_join(const char *pid, const char *ns, int type) {
	char path[64];
	snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = setns(fd, type);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

// labrun_join_net joins the run's network namespace, that of the holder
// whose pid LABRUN_NETNS_VAR gives, and first its user namespace when it
// is not the gate's own (an unprivileged run).
static void labrun_join_net(void) {
	const char *pid = getenv(LABRUN_NETNS_VAR);
	if (pid == NULL || *pid == 0)
		labrun_gate_fail("sandbox: no network namespace to join", 0);
	char path[64];
	struct stat mine, theirs;
	snprintf(path, sizeof path, "/proc/%s/ns/user", pid);
	if (stat(path, &theirs) != 0)
		labrun_gate_fail("sandbox: join the run's user namespace", errno);
	if (stat("/proc/self/ns/user", &mine) == 0 && mine.st_ino != theirs.st_ino &&
	    labrun_join(pid, "user", CLONE_NEWUSER) != 0)
		labrun_gate_fail("sandbox: join the run's user namespace", errno);
	if (labrun_join(pid, "net", CLONE_NEWNET) != 0)
		labrun_gate_fail("sandbox: join the run's network namespace", errno);
}

// labrun_join_tmp joins the run's mount namespace, that of its private
// /tmp (tmpns.go), after its user and network namespaces; setns puts the
// gate at the namespace's root, so it goes back to its folder by path,
// which the holder kept in place.
static void labrun_join_tmp(void) {
	const char *pid = getenv(LABRUN_NETNS_VAR);
	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof cwd) == NULL)
		labrun_gate_fail("sandbox: find the step's folder", errno);
	if (labrun_join(pid, "mnt", CLONE_NEWNS) != 0)
		labrun_gate_fail("sandbox: join the run's private /tmp", errno);
	if (chdir(cwd) != 0) {
		int e = errno;
		char what[PATH_MAX + 64];
		snprintf(what, sizeof what, "sandbox: the step's folder %s, in the run's private /tmp", cwd);
		labrun_gate_fail(what, e);
	}
}

// labrun_join_pid joins the run's pid namespace (pidns.go) for the gate's
// children, after its user namespace and before its mount namespace,
// where the holder's /proc entry is out of sight.
static void labrun_join_pid(void) {
	if (labrun_join(getenv(LABRUN_NETNS_VAR), "pid", CLONE_NEWPID) != 0)
		labrun_gate_fail("sandbox: join the run's pid namespace", errno);
}

// labrun_clone_step clones the step's process into the run's pid
// namespace as labrun's child (CLONE_PARENT), and returns in it only:
// there it makes its own session (with ctty, when not -1, as its
// controlling terminal) or process group, and tells the gate its pid in
// the namespace. The gate writes on report the process's pid as labrun
// sees it and as the run's processes see it, "PID INNER", and ends.
static void labrun_clone_step(long long report, int new_session, long long ctty) {
	int sync[2];
	if (pipe2(sync, O_CLOEXEC) != 0)
		labrun_gate_fail("sandbox: start the step in the run's pid namespace", errno);
	long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		labrun_gate_fail("sandbox: start the step in the run's pid namespace", errno);
	if (pid > 0) {
		close(sync[1]);
		char inner[32] = "";
		size_t len = 0;
		for (;;) {
			ssize_t n = read(sync[0], inner + len, sizeof inner - 1 - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		inner[len] = 0;
		char text[80];
		int n = snprintf(text, sizeof text, "%ld %s", pid, inner);
		ssize_t w = write((int)report, text, (size_t)n);
		(void)w;
		_exit(0);
	}
	close(sync[0]);
	close((int)report);
	if (new_session) {
		if (setsid() < 0)
			labrun_gate_fail("sandbox: a session for the step", errno);
		if (ctty >= 0 && ioctl((int)ctty, TIOCSCTTY, 0) != 0)
			labrun_gate_fail("sandbox: the step's terminal", errno);
	} else if (setpgid(0, 0) != 0) {
		labrun_gate_fail("sandbox: a process group for the step", errno);
	}
	char text[32];
	int n = snprintf(text, sizeof text, "%d", (int)getpid());
	ssize_t w = write(sync[1], text, (size_t)n);
	(void)w;
	close(sync[1]); // the gate may report now
}

// The kernel's Landlock structures (linux/landlock.h, ABI 1 layout).
struct labrun_ll_ruleset {
	uint64_t handled_access_fs;
};
struct labrun_ll_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

// labrun_landlock keeps of the handled rights only those the rules
// allow beneath their paths (landlock.go, restrictWrites).
static void labrun_landlock(struct labrun_plan *p, unsigned long long handled) {
	struct labrun_ll_ruleset attr = {handled};
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (rs < 0)
		labrun_gate_fail("sandbox: landlock", errno);
	size_t n = labrun_count(p);
	for (size_t i = 0; i < n; i++) {
		unsigned long long allowed = labrun_num(p);
		const char *path = labrun_field(p);
		int fd = open(path, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue; // gone since labrun looked: nothing to write beneath
		struct labrun_ll_beneath rule = {allowed, fd};
		if (syscall(SYS_landlock_add_rule, rs, LABRUN_LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0)
			labrun_gate_fail("sandbox: landlock", errno);
		close(fd);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		labrun_gate_fail("sandbox: landlock", errno);
	if (syscall(SYS_landlock_restrict_self, rs, 0) != 0)
		labrun_gate_fail("sandbox: landlock", errno);
	close(rs);
}

#if defined(__x86_64__) || defined(__aarch64__)
// The kernel's struct sigaction on amd64 and arm64 (gate.go,
// kernelSigaction): every signal, glibc's own two included.
struct labrun_ksigaction {
	uintptr_t handler;
	unsigned long flags;
	uintptr_t restorer;
	uint64_t mask;
};

static int labrun_get_action(int sig, uintptr_t *handler) {
	struct labrun_ksigaction old;
	if (syscall(SYS_rt_sigaction, sig, NULL, &old, LABRUN_KERNEL_SIGSET_BYTES) != 0)
		return -1;
	*handler = old.handler;
	return 0;
}

static int labrun_set_action(int sig, uintptr_t handler) {
	struct labrun_ksigaction act = {handler, 0, 0, 0};
	return (int)syscall(SYS_rt_sigaction, sig, &act, NULL, LABRUN_KERNEL_SIGSET_BYTES);
}
#else
static int labrun_get_action(int sig, uintptr_t *handler) {
	struct sigaction old;
	if (sigaction(sig, NULL, &old) != 0)
		return -1;
	*handler = (uintptr_t)old.sa_handler;
	return 0;
}

static int labrun_set_action(int sig, uintptr_t handler) {
	struct sigaction act;
	memset(&act, 0, sizeof act);
	act.sa_handler = (void (*)(int))handler;
	return sigaction(sig, &act, NULL);
}
#endif

// labrun_reset_signals gives every signal its default action but SIGPIPE,
// which is ignored when the plan says so: execve(2) keeps what labrun's
// own parent left ignored, and a step must not inherit that (gate.go).
static void labrun_reset_signals(int ignore_pipe) {
	for (int sig = 1; sig <= LABRUN_KERNEL_NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		uintptr_t old;
		if (labrun_get_action(sig, &old) != 0)
			continue;
		uintptr_t want = old;
		if (sig == SIGPIPE && ignore_pipe)
			want = (uintptr_t)SIG_IGN;
		else if (sig == SIGPIPE || old == (uintptr_t)SIG_IGN)
			want = (uintptr_t)SIG_DFL;
		if (want != old && labrun_set_action(sig, want) != 0)
			labrun_gate_fail("reset a signal's action", errno);
	}
	uint64_t empty = 0; // a kernel sigset_t of LABRUN_KERNEL_NSIG signals
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, LABRUN_KERNEL_SIGSET_BYTES) != 0)
		labrun_gate_fail("empty the signal mask", errno);
}

// labrun_read_plan reads the whole plan from fd: labrun sends it once
// this process is in the run's cgroup, so the program starts inside it.
static struct labrun_plan labrun_read_plan(int fd) {
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (buf == NULL)
			labrun_gate_fail("read settings", ENOMEM);
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			continue;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			labrun_gate_fail("read settings", errno);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	struct labrun_plan p = {buf, buf + len};
	if (strcmp(labrun_field(&p), LABRUN_PLAN_VERSION) != 0)
		labrun_gate_fail("read settings: a gate plan of another labrun", 0);
	return p;
}

// labrun_strings reads a count and that many fields, as a NULL-ended
// array.
static char **labrun_strings(struct labrun_plan *p) {
	size_t n = labrun_count(p);
	char **v = calloc(n + 1, sizeof *v);
	if (v == NULL)
		labrun_gate_fail("read settings", ENOMEM);
	for (size_t i = 0; i < n; i++)
		v[i] = labrun_field(p);
	return v;
}

// The resource limits of a plan, set in order right before the exec.
struct labrun_limits {
	size_t n;
	int *res;
	struct rlimit *lim;
};

static struct labrun_limits labrun_read_limits(struct labrun_plan *p) {
	struct labrun_limits l = {labrun_count(p), NULL, NULL};
	l.res = calloc(l.n + 1, sizeof *l.res);
	l.lim = calloc(l.n + 1, sizeof *l.lim);
	if (l.res == NULL || l.lim == NULL)
		labrun_gate_fail("read settings", ENOMEM);
	for (size_t i = 0; i < l.n; i++) {
		l.res[i] = (int)labrun_num(p);
		l.lim[i].rlim_cur = (rlim_t)labrun_num(p);
		l.lim[i].rlim_max = (rlim_t)labrun_num(p);
	}
	return l;
}

// labrun_step_env is the environment without the gate's own variables.
static char **labrun_step_env(void) {
	size_t nenv = 0;
	while (environ[nenv] != NULL)
		nenv++;
	char **envp = calloc(nenv + 1, sizeof *envp);
	if (envp == NULL)
		labrun_gate_fail("read settings", ENOMEM);
	const char *gate = LABRUN_GATE_VAR "=", *netns = LABRUN_NETNS_VAR "=";
	size_t k = 0;
	for (size_t i = 0; i < nenv; i++) {
		if (strncmp(environ[i], gate, strlen(gate)) == 0 || strncmp(environ[i], netns, strlen(netns)) == 0)
			continue;
		envp[k++] = environ[i];
	}
	return envp;
}

// labrun_gate is the gate: fdtext is the descriptor of the pipe the plan
// comes on. It never returns.
static void labrun_gate(const char *fdtext) {
	char *end;
	long fd = strtol(fdtext, &end, 10);
	if (*fdtext == 0 || *end != 0 || fd < LABRUN_FIRST_EXTRA_FD)
		labrun_gate_fail("bad " LABRUN_GATE_VAR, 0);

	struct labrun_plan p = labrun_read_plan((int)fd);
	const char *path = labrun_field(&p);
	char **argv = labrun_strings(&p);
	struct labrun_limits lim = labrun_read_limits(&p);
	long long mask = strtoll(labrun_field(&p), NULL, 10);
	int ignore_pipe = labrun_flag(&p);
	int join_net = labrun_flag(&p);
	int join_tmp = labrun_flag(&p);
	int join_pid = labrun_flag(&p);
	int new_session = labrun_flag(&p);
	long long ctty = strtoll(labrun_field(&p), NULL, 10);
	long long report = strtoll(labrun_field(&p), NULL, 10);
	unsigned long long handled = labrun_num(&p);

	if (join_tmp && !join_net)
		labrun_gate_fail("read settings: malformed gate plan: a private /tmp without the network namespace", 0);
	if (join_pid && (!join_tmp || report <= fd))
		labrun_gate_fail("read settings: malformed gate plan: a pid namespace without the private /tmp or a report", 0);
	if (join_net)
		labrun_join_net();
	if (join_pid)
		labrun_join_pid();
	if (join_tmp)
		labrun_join_tmp();
	if (join_pid)
		labrun_clone_step(report, new_session, ctty);
	if (handled != 0)
		labrun_landlock(&p, handled);
	else if (labrun_count(&p) != 0)
		labrun_gate_fail("read settings: malformed gate plan: rules without rights", 0);
	if (p.cur != p.end)
		labrun_gate_fail("read settings: malformed gate plan: bytes after its end", 0);
	if (mask >= 0)
		umask((mode_t)mask);
	char **envp = labrun_step_env();

	labrun_reset_signals(ignore_pipe);
	// The limits last, right before the exec: nothing is allocated after.
	for (size_t i = 0; i < lim.n; i++)
		if (setrlimit(lim.res[i], &lim.lim[i]) != 0)
			labrun_gate_fail("set a resource limit", errno);
	// The plan's pipe is the highest descriptor labrun passed: it and any
	// above it close at the exec.
	if (syscall(SYS_close_range, (unsigned)fd, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
		for (int i = (int)fd; i < (int)fd + LABRUN_CLOSE_WITHOUT_CLOSE_RANGE; i++)
			fcntl(i, F_SETFD, FD_CLOEXEC);
	execve(path, argv, envp);
	int e = errno;
	char what[512];
	snprintf(what, sizeof what, "exec %s", path);
	labrun_gate_fail(what, e);
}

__attribute__((constructor)) static void labrun_gate_constructor(void) {
	const char *fd = getenv(LABRUN_GATE_VAR);
	if (fd != NULL)
		labrun_gate(fd);
}
