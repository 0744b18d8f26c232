//go:build cgo

// The run's init (pidns.go): process 1 of a sandboxed run's pid
// namespace, which the holder (holder.go) executes in its place once it
// has made the run's namespaces. As the gate (gate.c), it runs in a
// constructor before the Go runtime starts, so that it is one thread:
// none of the Go runtime's threads takes a pid of the namespace, and the
// run's processes are numbered from 2 the same way each run. It reaps
// every orphan the namespace hands it, and ends when labrun closes its
// stdin (or dies); the kernel then kills whatever is left in the
// namespace.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gate.h"

// labrun_init_say writes line and a newline to labrun (stdout).
static void labrun_init_say(const char *line) {
	char msg[256];
	int n = snprintf(msg, sizeof msg, "%s\n", line);
	if (n > 0 && n < (int)sizeof msg) {
		ssize_t w = write(1, msg, (size_t)n);
		(void)w;
	}
}

// labrun_init_fail tells labrun why the init cannot run, and ends it.
static void labrun_init_fail(const char *what, int err) {
	char msg[200];
	snprintf(msg, sizeof msg, "start the run's init: %s: %s", what, strerror(err));
	labrun_init_say(msg);
	_exit(1);
}

// labrun_init_reap collects every child that has ended.
static void labrun_init_reap(void) {
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
}

// labrun_init is the init's life; it never returns.
static void labrun_init(void) {
	// The Go holder's threads took pids 2 and on; they are gone since the
	// exec: the run's processes are numbered from 2. (Best effort: where
	// it fails, they are numbered after those threads', as consistently.)
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dprintf(fd, "%d", 1); // the last pid given: the next one is 2
		close(fd);
	}
	prctl(PR_SET_NAME, LABRUN_PIDNS_INIT_NAME, 0, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	// Every signal blocked: as process 1 the kernel already ignores those
	// the run's processes send it without a handler, and SIGCHLD comes
	// through the descriptor below.
	sigset_t all, chld;
	sigfillset(&all);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_SETMASK, &all, NULL) != 0)
		labrun_init_fail("block the signals", errno);
	int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		labrun_init_fail("signalfd", errno);
	labrun_init_say(LABRUN_HOLDER_READY);
	struct pollfd watch[2] = {{.fd = 0, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
	for (;;) {
		labrun_init_reap();
		if (poll(watch, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (watch[0].revents != 0) {
			char buf[64];
			ssize_t n = read(0, buf, sizeof buf);
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				_exit(0); // labrun closed the holder's stdin, or is gone
		}
		if (watch[1].revents != 0) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
				;
		}
	}
}

__attribute__((constructor)) static void labrun_init_constructor(void) {
	const char *v = getenv(LABRUN_PIDNS_INIT_VAR);
	if (v != NULL && *v != 0)
		labrun_init();
}
